"""What a scenario file may contain: the optional SimCluster header, and the type checks kubectl's
schema validation would make on manifests before anything reaches the (simulated) apiserver.

Type checks go by field name over the whole object (Kubernetes uses each of these names with one
type across the API), skipping free-form maps (labels, data, requests …) whose values are
checked as a whole. Errors are ``FieldError(path, message)``; the loader adds file and line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from k9py.kube import quantity, resources
from k9py.kube.timefmt import parse_duration
from k9py.kube.unicode import digits
from k9py.scenario import yamldoc

HEADER_API_VERSION = "k9py.dev/v1alpha1"
HEADER_KIND = "SimCluster"
SCENARIO_KIND = "Scenario"    # a header plus a timeline (timeline.py)
RECORDING_KIND = "Recording"  # what happened on a cluster, replayed verbatim (recording.py)
DEFAULT_NODE = {"name": "minikube", "controlPlane": True, "cpu": "2", "memory": "4Gi"}
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


class FieldError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


def check_finite(obj: Any) -> None:
    """FieldError at the first number JSON has no place for (``yamldoc.not_finite``)."""
    found = yamldoc.not_finite(obj)
    if found is not None:
        raise FieldError(*found)


def show(value: Any) -> str:
    """A value as the apiserver quotes it in messages (JSON)."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


# -- the header ----------------------------------------------------------------------------------

@dataclass
class NodeSpec:
    name: str
    cpu: str
    memory: str
    pods: int = 110
    control_plane: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[dict[str, str]] = field(default_factory=list)
    path: str = ""  # field path in the header document, for error lines


@dataclass
class Header:
    name: str = "minikube"
    seed: int | None = None
    warmup: float | None = None  # seconds; None → the loader's default
    nodes: list[NodeSpec] = field(default_factory=list)
    document: int | None = None  # 1-based document index, None when the file has no header


def is_header(doc: Any) -> bool:
    return isinstance(doc, dict) and (doc.get("kind") == HEADER_KIND or
                                      str(doc.get("apiVersion", "")).startswith("k9py.dev/"))


def parse_header(doc: dict[str, Any] | None) -> Header:
    """Validate a SimCluster document (None: the default one-node `minikube` cluster)."""
    if doc is None:
        return Header(nodes=[_node(DEFAULT_NODE, "spec.nodes[0]")])
    _no_unknown(doc, ("apiVersion", "kind", "metadata", "spec"), "")
    if doc.get("apiVersion") != HEADER_API_VERSION:
        raise FieldError("apiVersion", f'Unsupported value: {show(doc.get("apiVersion"))}: supported values: "{HEADER_API_VERSION}"')
    if doc.get("kind") != HEADER_KIND:
        raise FieldError("kind", f'Unsupported value: {show(doc.get("kind"))}: supported values: "{HEADER_KIND}"')
    md = _mapping(doc.get("metadata", {}), "metadata")
    name = md.get("name", "minikube")
    if not isinstance(name, str) or not name:
        raise FieldError("metadata.name", f"Invalid value: {show(name)}: must be a non-empty string")
    spec = _mapping(doc.get("spec", {}), "spec")
    _no_unknown(spec, ("seed", "warmup", "nodes"), "spec")
    header = Header(name=name)
    if "seed" in spec:
        header.seed = _int(spec["seed"], "spec.seed")
    if "warmup" in spec:
        header.warmup = _duration(spec["warmup"], "spec.warmup")
        if header.warmup > MAX_WARMUP:  # run before anything is shown: a year of it would never end
            raise FieldError("spec.warmup", f"Invalid value: {show(spec['warmup'])}: k9py warms a scenario up "
                                            f"for at most {MAX_WARMUP // 3600}h")
    nodes = spec.get("nodes")
    if nodes is None:
        header.nodes = [_node(DEFAULT_NODE, "spec.nodes[0]")]
    else:
        if not isinstance(nodes, list) or not nodes:
            raise FieldError("spec.nodes", f"Invalid value: {show(nodes)}: must be a non-empty list of nodes")
        if len(nodes) > MAX_NODES:
            raise FieldError("spec.nodes", f"Too many: {len(nodes)}: k9py simulates at most {MAX_NODES} nodes")
        seen: set[str] = set()
        for i, raw in enumerate(nodes):
            node = _node(raw, f"spec.nodes[{i}]")
            if node.name in seen:
                raise FieldError(f"spec.nodes[{i}].name", f"Duplicate value: {show(node.name)}")
            seen.add(node.name)
            header.nodes.append(node)
    return header


_NODE_FIELDS = ("name", "controlPlane", "cpu", "memory", "pods", "labels", "taints")


def _node(raw: Any, path: str) -> NodeSpec:
    raw = _mapping(raw, path)
    _no_unknown(raw, _NODE_FIELDS, path)
    name = raw.get("name")
    if not name:
        raise FieldError(f"{path}.name", "Required value")
    if not isinstance(name, str) or not _dns_subdomain(name):
        raise FieldError(f"{path}.name", f"Invalid value: {show(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")
    for res in ("cpu", "memory"):
        if res not in raw:
            raise FieldError(f"{path}.{res}", "Required value")
        _quantity(raw[res], f"{path}.{res}", positive=True)
    spec = NodeSpec(name=name, cpu=str(raw["cpu"]), memory=str(raw["memory"]), path=path)
    if "pods" in raw:
        spec.pods = _int(raw["pods"], f"{path}.pods")
        if spec.pods < 1:
            raise FieldError(f"{path}.pods", f"Invalid value: {spec.pods}: must be greater than 0")
    if "controlPlane" in raw:
        spec.control_plane = _bool(raw["controlPlane"], f"{path}.controlPlane")
    if "labels" in raw:
        spec.labels = _string_map(raw["labels"], f"{path}.labels")
    if "taints" in raw:
        taints = raw["taints"]
        if not isinstance(taints, list):
            raise FieldError(f"{path}.taints", f"Invalid value: {show(taints)}: must be a list")
        for j, t in enumerate(taints):
            tp = f"{path}.taints[{j}]"
            t = _mapping(t, tp)
            _no_unknown(t, ("key", "value", "effect"), tp)
            if not isinstance(t.get("key"), str) or not t["key"]:
                raise FieldError(f"{tp}.key", "Required value")
            if "value" in t and not isinstance(t["value"], str):
                raise FieldError(f"{tp}.value", f"Invalid value: {show(t['value'])}: must be a string")
            if t.get("effect") not in TAINT_EFFECTS:
                raise FieldError(f"{tp}.effect", f"Unsupported value: {show(t.get('effect'))}: supported values: " + ", ".join(f'"{e}"' for e in TAINT_EFFECTS))
            spec.taints.append({k: t[k] for k in ("key", "value", "effect") if k in t})
    return spec


def _dns_subdomain(name: str) -> bool:
    ok = set("abcdefghijklmnopqrstuvwxyz0123456789-.")
    return len(name) <= 253 and set(name) <= ok and name[0].isalnum() and name[-1].isalnum()


# -- manifests -----------------------------------------------------------------------------------

def check_kind(doc: dict[str, Any]) -> resources.ApiResource:
    """apiVersion + kind must name a resource the simulator serves (what kubectl's RESTMapper does)."""
    api_version, kind = doc.get("apiVersion"), doc.get("kind")
    if api_version in (None, ""):
        raise FieldError("apiVersion", "Required value: apiVersion not set")
    if not isinstance(api_version, str):
        raise FieldError("apiVersion", f"Invalid value: {show(api_version)}: must be a string")
    if kind in (None, ""):
        raise FieldError("kind", "Required value: kind not set")
    if not isinstance(kind, str):
        raise FieldError("kind", f"Invalid value: {show(kind)}: must be a string")
    res = resources.BY_KIND.get(kind)
    if res is None or res.api_version != api_version:
        where = "kind" if res is None else "apiVersion"
        raise FieldError(where, f'no matches for kind "{kind}" in version "{api_version}" (ensure CRDs are installed first)')
    return res


INTEGER = {
    "replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds", "completions",
    "parallelism", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished",
    "successfulJobsHistoryLimit", "failedJobsHistoryLimit", "startingDeadlineSeconds",
    "containerPort", "hostPort", "nodePort", "terminationGracePeriodSeconds", "initialDelaySeconds",
    "periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold", "defaultMode", "mode",
    "runAsUser", "runAsGroup", "fsGroup", "tolerationSeconds", "priority", "weight", "port",
    "maxSkew", "backoffLimitPerIndex", "maxFailedIndexes",
}
# The Go int64 ones among INTEGER (the rest are int32: counts, ports, a probe's seconds).
INT64 = {"activeDeadlineSeconds", "startingDeadlineSeconds", "terminationGracePeriodSeconds", "tolerationSeconds",
         "runAsUser", "runAsGroup", "fsGroup"}


def integer_format(field: str) -> str:
    """An integer field's Go width: INTEGER's as the API declares them; of another, int64 for
    durations in seconds and generations, else int32."""
    if field in INT64 or (field not in INTEGER and field.endswith(("Seconds", "generation"))):
        return "int64"
    return "int32"


# A scenario is built in this process: sizes that would take hours (or all memory) are refused
# with the limit stated, not tried.
MAX_REPLICAS = 10_000  # replicas, parallelism, completions of one workload
MAX_NODES = 1_000
MAX_PODS = 200_000  # of all the workloads of a file together (scenario generate's largest)
MAX_WARMUP = 24 * 3600  # seconds of spec.warmup (a day of the crashloop scenario: ~3 s to build)
# seconds of a Scenario's spec.duration and of a step's `at`: the player simulates every second up
# to where it seeks (End: the end), so a year of it (or 1e300: a clock wider than the screen) never ends
MAX_PLAYED = 24 * 3600

SCALE_FIELDS = ("replicas", "parallelism", "completions")
INT_OR_STRING = {"targetPort", "maxSurge", "maxUnavailable", "minAvailable"}
BOOLEAN = {
    "suspend", "hostNetwork", "hostPID", "hostIPC", "readOnly", "privileged", "stdin", "stdinOnce",
    "tty", "immutable", "automountServiceAccountToken", "allowPrivilegeEscalation",
    "readOnlyRootFilesystem", "runAsNonRoot", "publishNotReadyAddresses", "allowVolumeExpansion",
    "optional", "setHostnameAsFQDN", "shareProcessNamespace", "enableServiceLinks", "unschedulable",
}
STRING = {
    "name", "image", "namespace", "apiVersion", "kind", "schedule", "storageClassName", "nodeName",
    "restartPolicy", "serviceName", "serviceAccountName", "mountPath", "claimName", "key", "value",
    "imagePullPolicy", "protocol", "type", "path", "clusterIP", "workingDir", "subPath",
    "priorityClassName", "schedulerName", "dnsPolicy", "operator", "effect", "volumeName",
    "generateName", "concurrencyPolicy", "timeZone", "podManagementPolicy", "provisioner",
    "reclaimPolicy", "persistentVolumeReclaimPolicy", "volumeBindingMode", "hostname", "subdomain",
    "uid",  # types.UID: the store indexes objects by theirs and their owners'
}
LIST = {
    "containers", "initContainers", "ports", "env", "envFrom", "volumes", "volumeMounts", "args",
    "command", "accessModes", "tolerations", "finalizers", "imagePullSecrets", "volumeClaimTemplates",
    "ownerReferences", "matchExpressions", "values", "items", "subsets", "addresses", "rules",
    "topologySpreadConstraints", "nodeSelectorTerms", "clusterIPs", "externalIPs", "mountOptions",
    "taints", "endpoints", "conditions", "subjects", "secrets", "sources", "ipFamilies",
}
STRING_LIST = {"args", "command", "accessModes", "finalizers", "values", "clusterIPs", "externalIPs", "mountOptions",
               "ipFamilies"}
# Fields that are structs in the API: anything but a mapping there is a decoding error (the
# simulator's controllers may rely on it). Checked only where kinds agree on the meaning.
OBJECT = {
    "metadata", "spec", "template", "resources", "strategy", "rollingUpdate", "updateStrategy",
    "affinity", "nodeAffinity", "podAffinity", "podAntiAffinity", "securityContext",
    "readinessProbe", "livenessProbe", "startupProbe", "httpGet", "tcpSocket", "grpc", "exec",
    "lifecycle", "postStart", "preStop", "jobTemplate", "persistentVolumeClaim", "configMap",
    "emptyDir", "hostPath", "nfs", "projected", "downwardAPI", "valueFrom", "configMapKeyRef",
    "secretKeyRef", "fieldRef", "resourceFieldRef", "configMapRef", "secretRef", "claimRef",
    "dataSource", "dataSourceRef", "involvedObject", "roleRef", "podFailurePolicy",
    "persistentVolumeClaimRetentionPolicy", "ordinals", "requiredDuringSchedulingIgnoredDuringExecution",
    "sessionAffinityConfig", "clientIP", "labelSelector", "namespaceSelector", "local", "csi",
    "serviceAccountToken", "dnsConfig", "preference",
}
# List fields whose items are structs.
OBJECT_LIST = LIST - STRING_LIST
STRING_MAP = {"labels", "annotations", "matchLabels", "nodeSelector", "data", "stringData", "parameters"}
QUANTITY_MAP = {"requests", "limits", "capacity", "hard"}
# Maps whose keys are user data, not API field names: not descended into by name.
OPAQUE = {"binaryData", "status", "sizeLimit", "fieldsV1", "managedFields"}


def check_object(obj: dict[str, Any]) -> None:
    """Type checks over a whole manifest; FieldError at the first wrong field."""
    _no_unknown_top(obj)
    if obj.get("kind") in BY_NAME_UNSAFE:
        return  # (the served schema's type checks cover them)
    _walk(obj, "", obj.get("kind", ""))


# Kinds whose field names mean other things than the checks by name below assume (a
# ResourceClaim's requests are a list of device requests, a device's capacity a map of objects).
BY_NAME_UNSAFE = ("DeviceClass", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice")


_TOP = {"apiVersion", "kind", "metadata", "spec", "status"}
_TOP_EXTRA = {
    "ConfigMap": {"data", "binaryData", "immutable"},
    "Secret": {"data", "stringData", "type", "immutable"},
    "Endpoints": {"subsets"},
    "EndpointSlice": {"addressType", "endpoints", "ports"},
    "Event": {"involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp",
              "count", "type", "eventTime", "series", "action", "related", "reportingComponent",
              "reportingInstance"},
    "StorageClass": {"provisioner", "parameters", "reclaimPolicy", "mountOptions",
                     "allowVolumeExpansion", "volumeBindingMode", "allowedTopologies"},
    "ServiceAccount": {"secrets", "imagePullSecrets", "automountServiceAccountToken"},
    "Role": {"rules"}, "ClusterRole": {"rules", "aggregationRule"},
    "RoleBinding": {"subjects", "roleRef"}, "ClusterRoleBinding": {"subjects", "roleRef"},
    "PriorityClass": {"value", "globalDefault", "description", "preemptionPolicy"},
    "IngressClass": set(), "ComponentStatus": {"conditions"},
    "ControllerRevision": {"data", "revision"},
    "PodTemplate": {"template"}, "RuntimeClass": {"handler", "overhead", "scheduling"},
    "MutatingWebhookConfiguration": {"webhooks"}, "ValidatingWebhookConfiguration": {"webhooks"},
    "CSIStorageCapacity": {"storageClassName", "capacity", "maximumVolumeSize", "nodeTopology"},
    "VolumeAttributesClass": {"driverName", "parameters"},
    "DeviceClass": set(), "ResourceClaimTemplate": set(), "ResourceSlice": set(),
}


_METADATA = ("name", "generateName", "namespace", "labels", "annotations", "uid", "resourceVersion",
             "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
             "ownerReferences", "finalizers", "managedFields", "selfLink")


def _no_unknown_top(obj: dict[str, Any]) -> None:
    allowed = _TOP | _TOP_EXTRA.get(obj.get("kind", ""), set())
    for key in obj:
        if key not in allowed:
            raise FieldError(key, f'unknown field "{key}"')
    md = obj.get("metadata")
    if isinstance(md, dict):
        _no_unknown(md, _METADATA, "metadata")


def _walk(value: Any, path: str, kind: str) -> None:
    if isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{path}[{i}]", kind)
        return
    if not isinstance(value, dict):
        return
    for key, v in value.items():
        p = f"{path}.{key}" if path else key
        if key in OPAQUE or v is None:
            continue
        if key == "selector" and kind in ("Service", "ReplicationController"):
            _string_map(v, p)
            continue
        if key in STRING_MAP and not (key == "data" and kind == "ControllerRevision"):
            v = _string_map(v, p)
            if key == "annotations":
                _sim_annotations(v, p)
            elif key == "data" and kind == "Secret" and not path:
                _base64_map(v, p)
            continue
        if key in QUANTITY_MAP and not (kind == "LimitRange" and key == "limits"):
            for res, q in _mapping(v, p).items():
                _quantity(q, f"{p}.{res}")
            continue
        if kind == "EndpointSlice" and key in ("addresses", "conditions") and _SLICE_ENDPOINT.fullmatch(path):
            _slice_endpoint_field(key, v, p)
            continue
        if key == "port" and kind == "Ingress" and isinstance(v, dict):
            _walk(v, p, kind)
            continue
        if key == "port" and (kind == "NetworkPolicy" or path.rsplit(".", 1)[-1] in ("httpGet", "tcpSocket")):
            _int_or_string(v, p)
            continue
        if key == "value" and kind == "PriorityClass" and not path:
            _int_width(_int(v, p), p, "int32")
            continue
        if key in ("value", "averageValue") and kind == "HorizontalPodAutoscaler":
            _quantity(v, p)
            continue
        if key in INTEGER:
            _int_width(_int(v, p), p, integer_format(key))
            if key in SCALE_FIELDS and path.endswith("spec") and v > MAX_REPLICAS:
                raise FieldError(p, f"Invalid value: {v}: k9py simulates at most {MAX_REPLICAS} pods of one workload")
        elif key in INT_OR_STRING:
            _int_or_string(v, p)
        elif key in BOOLEAN or (key in ("controller", "blockOwnerDeletion") and path.endswith("]")
                                and path.rsplit("[", 1)[0].endswith("ownerReferences")):
            _bool(v, p)
        elif key in STRING:
            if not isinstance(v, str):
                raise FieldError(p, f"Invalid value: {show(v)}: must be a string")
        elif key in LIST:
            if not isinstance(v, list):
                raise FieldError(p, f"Invalid value: {show(v)}: must be a list")
            if key in STRING_LIST:
                for i, item in enumerate(v):
                    if not isinstance(item, str):
                        raise FieldError(f"{p}[{i}]", f"Invalid value: {show(item)}: must be a string")
                continue
            if key in OBJECT_LIST and not _free_form(key, kind):
                for i, item in enumerate(v):
                    if not isinstance(item, dict):
                        raise FieldError(f"{p}[{i}]", f"Invalid value: {show(item)}: must be an object")
        elif key in OBJECT and not isinstance(v, dict) and not _free_form(key, kind) and not _term_list(key, path):
            raise FieldError(p, f"Invalid value: {show(v)}: must be an object")
        _walk(v, p, kind)


SIM_DURATIONS = ("crash-after", "exit-after", "oom-after", "start-delay", "ready-after")
SIM_BOOLEANS = ("never-ready", "down", "any-tag", "traffic")
SIM_QUANTITIES = ("cpu-usage", "memory-usage", "cpu-load", "memory-load")


def _quantity_ok(value: Any) -> bool:
    try:
        return isinstance(value, str) and quantity.parse(value) >= 0
    except ValueError:
        return False


def _sim_annotations(ann: dict[str, Any], path: str) -> None:
    """The simulator's own annotations (README): a value it cannot use is an error, not ignored."""
    for key, value in ann.items():
        if not key.startswith("k9py.sim/"):
            continue
        name, p = key[len("k9py.sim/"):], f"{path}.{key}"
        if name in SIM_DURATIONS:
            try:
                ok = parse_duration(value) >= 0
            except ValueError:
                ok = False
            if not ok:
                raise FieldError(p, f"Invalid value: {show(value)}: must be a duration (seconds, or like 90s, 2m)")
        elif name in SIM_BOOLEANS and value.lower() not in ("true", "false"):
            raise FieldError(p, f'Invalid value: {show(value)}: must be "true" or "false"')
        elif name in SIM_QUANTITIES and not _quantity_ok(value):
            raise FieldError(p, f"Invalid value: {show(value)}: must be a quantity (like 250m, 1, 100Mi)")
        elif name == "exit-code" and not (digits(value) and 0 <= int(value) <= 255):
            raise FieldError(p, f"Invalid value: {show(value)}: must be an integer from 0 to 255")


def _base64_map(data: dict[str, Any], path: str) -> None:
    import base64
    import binascii
    for k, v in data.items():
        try:
            base64.b64decode(v, validate=True)
        except (binascii.Error, ValueError):
            raise FieldError(f"{path}.{k}", f"Invalid value: {show(v)}: illegal base64 data") from None


_SLICE_ENDPOINT = re.compile(r"endpoints\[\d+\]")


def _slice_endpoint_field(key: str, v: Any, path: str) -> None:
    """An EndpointSlice endpoint's ``addresses`` are strings and its ``conditions`` one struct of
    booleans (the same names are lists of structs elsewhere: an Endpoints' addresses, a pod's
    conditions)."""
    if key == "addresses":
        if not isinstance(v, list):
            raise FieldError(path, f"Invalid value: {show(v)}: must be a list")
        for i, item in enumerate(v):
            if not isinstance(item, str):
                raise FieldError(f"{path}[{i}]", f"Invalid value: {show(item)}: must be a string")
        return
    for name, flag in _mapping(v, path).items():
        if flag is not None:
            _bool(flag, f"{path}.{name}")


def _term_list(key: str, path: str) -> bool:
    """Pod (anti-)affinity's required terms are a list (node affinity's are an object)."""
    return key == "requiredDuringSchedulingIgnoredDuringExecution" and path.endswith(("podAffinity", "podAntiAffinity"))


def _free_form(key: str, kind: str) -> bool:
    """Field names that are something else in one kind: RBAC rules', admission webhooks' and
    policies' rules' and FlowSchemas' resource rules' ``resources`` (strings)."""
    return key == "resources" and kind in ("Role", "ClusterRole", "MutatingWebhookConfiguration",
                                           "ValidatingWebhookConfiguration", "FlowSchema",
                                           "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding")


# -- scalar checks -------------------------------------------------------------------------------

def _mapping(v: Any, path: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise FieldError(path, f"Invalid value: {show(v)}: must be an object")
    return v


def _no_unknown(d: dict[str, Any], allowed: tuple[str, ...], path: str) -> None:
    for key in d:
        if key not in allowed:
            p = f"{path}.{key}" if path else key
            raise FieldError(p, f'unknown field "{key}"')


def _int(v: Any, path: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise FieldError(path, f"Invalid value: {show(v)}: must be an integer")
    return v


def _int_width(v: int, path: str, go: str) -> None:
    """The API's integers are Go's int32 (counts, ports) or int64 (seconds): a value past them was
    stored, then every client decoding the object failed (kubectl describe: cannot unmarshal)."""
    bits = 31 if go == "int32" else 63
    if not -(1 << bits) <= v < 1 << bits:
        raise FieldError(path, f"Invalid value: {v}: out of range for an {go}")


def _int_or_string(v: Any, path: str) -> None:
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise FieldError(path, f"Invalid value: {show(v)}: must be an integer or a string")


def _bool(v: Any, path: str) -> bool:
    if not isinstance(v, bool):
        raise FieldError(path, f"Invalid value: {show(v)}: must be a boolean")
    return v


def _string_map(v: Any, path: str) -> dict[str, str]:
    """``v`` checked to be a map of strings, as decoded: a null value is "" (Go's zero value)."""
    for k, item in _mapping(v, path).items():
        if item is not None and not isinstance(item, str):
            raise FieldError(f"{path}.{k}", f"Invalid value: {show(item)}: must be a string")
    return {k: "" if item is None else item for k, item in v.items()}


def _quantity(v: Any, path: str, *, positive: bool = False) -> None:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise FieldError(path, f"Invalid value: {show(v)}: must be a quantity")
    err = quantity.go_error(v)  # (the decoder's parser: "Mi" and "." are zero to it, "1e3Mi" is not a quantity)
    if err is not None:
        raise FieldError(path, f"Invalid value: {show(v)}: {err}")
    try:
        q = quantity.parse(v)
    except ValueError:
        raise FieldError(path, f"Invalid value: {show(v)}: {quantity.ERR_FORMAT}") from None
    if positive and q <= 0:
        raise FieldError(path, f"Invalid value: {show(v)}: must be greater than 0")


def _duration(v: Any, path: str) -> float:
    if isinstance(v, bool):
        raise FieldError(path, f"Invalid value: {show(v)}: must be a duration like 3m or 90s")
    try:
        seconds = parse_duration(str(v))
    except ValueError:
        raise FieldError(path, f"Invalid value: {show(v)}: must be a duration like 3m or 90s") from None
    if seconds < 0:
        raise FieldError(path, f"Invalid value: {show(v)}: must not be negative")
    return seconds


def played(seconds: float, v: Any, path: str) -> float:
    """``seconds`` of a Scenario's timeline, refused past ``MAX_PLAYED``."""
    if seconds > MAX_PLAYED:
        raise FieldError(path, f"Invalid value: {show(v)}: k9py plays a scenario for at most {MAX_PLAYED // 3600}h")
    return seconds
