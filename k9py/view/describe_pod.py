"""``kubectl describe pod`` and the container/volume/pod-template sections other kinds reuse."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from k9py.kube import quantity as kq
from k9py.kube.meta import dig
from k9py.view.describe_common import (
    Obj,
    annotations_multiline,
    controlled_by,
    describe_events,
    describe_resources,
    labels_multiline,
    tolerations_multiline,
)
from k9py.view.describe_text import LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, Writer, go_bool, print_bool, rfc1123z, since
from k9py.view.printers_format import format_label_selector, quantity_string

EnvResolver = Callable[[Obj], str]


def describe_pod(pod: Obj, events: list[Obj] | None, now: float) -> str:
    md, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{md.get('name', '')}\n")
    w.write(LEVEL_0, f"Namespace:\t{md.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(LEVEL_0, f"Priority:\t{int(spec['priority'])}\n")
    if spec.get("priorityClassName"):
        w.write(LEVEL_0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    if spec.get("runtimeClassName"):
        w.write(LEVEL_0, f"Runtime Class Name:\t{spec['runtimeClassName']}\n")
    if spec.get("serviceAccountName"):
        w.write(LEVEL_0, f"Service Account:\t{spec['serviceAccountName']}\n")
    if not spec.get("nodeName"):
        w.write(LEVEL_0, "Node:\t<none>\n")
    else:
        w.write(LEVEL_0, f"Node:\t{spec['nodeName']}/{status.get('hostIP', '')}\n")
    if status.get("startTime"):
        w.write(LEVEL_0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    phase = status.get("phase", "")
    if md.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
        w.write(LEVEL_0, f"Status:\tTerminating (lasts {since(md['deletionTimestamp'], now)})\n")
        w.write(LEVEL_0, f"Termination Grace Period:\t{int(md.get('deletionGracePeriodSeconds') or 0)}s\n")
    else:
        w.write(LEVEL_0, f"Status:\t{phase}\n")
    if status.get("reason"):
        w.write(LEVEL_0, f"Reason:\t{status['reason']}\n")
    if status.get("message"):
        w.write(LEVEL_0, f"Message:\t{status['message']}\n")
    seccomp = dig(spec, "securityContext", "seccompProfile")
    if seccomp:
        w.write(LEVEL_0, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        if seccomp.get("type") == "Localhost":
            w.write(LEVEL_0, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")
    w.write(LEVEL_0, f"IP:\t{status.get('podIP', '')}\n")
    pod_ips(w, pod)
    owner = controlled_by(pod)
    if owner:
        w.write(LEVEL_0, f"Controlled By:\t{owner}\n")
    if status.get("nominatedNodeName"):
        w.write(LEVEL_0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("resources") is not None:
        w.write(LEVEL_0, "Resources:\n")
        describe_resources(w, spec.get("resources"), LEVEL_1)
    resolver = env_resolver(pod)
    if spec.get("initContainers"):
        containers(w, "Init Containers", spec["initContainers"], status.get("initContainerStatuses"), resolver, "")
    containers(w, "Containers", spec.get("containers") or [], status.get("containerStatuses"), resolver, "")
    if spec.get("ephemeralContainers"):
        containers(w, "Ephemeral Containers", spec["ephemeralContainers"], status.get("ephemeralContainerStatuses"),
                   resolver, "")
    conditions = status.get("conditions") or []
    if spec.get("readinessGates"):
        w.write(LEVEL_0, "Readiness Gates:\n  Type\tStatus\n")
        for g in spec["readinessGates"]:
            st = next((str(c.get("status")) for c in conditions if c.get("type") == g.get("conditionType")), "<none>")
            w.write(LEVEL_1, f"{g.get('conditionType', '')} \t{st} \n")
    if conditions:
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\n")
        for c in conditions:
            w.write(LEVEL_1, f"{c.get('type', '')} \t{c.get('status', '')} \n")
    volumes(w, spec.get("volumes"), "")
    w.write(LEVEL_0, f"QoS Class:\t{qos_class(pod)}\n")
    labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "Tolerations", spec.get("tolerations"))
    topology_spread(w, spec.get("topologySpreadConstraints"), "")
    describe_events(w, events, now)
    return w.text()


def pod_ips(w: Writer, pod: Obj) -> None:
    ips = dig(pod, "status", "podIPs") or []
    if not ips:
        w.write(LEVEL_0, "IPs:\t<none>\n")
        return
    w.write(LEVEL_0, "IPs:\n")
    for ip in ips:
        w.write(LEVEL_1, f"IP:\t{ip.get('ip', '')}\n")


def qos_class(pod: Obj) -> str:
    """``qos.GetPodQOS``: the status field when set, else computed from requests/limits."""
    if dig(pod, "status", "qosClass"):
        return str(dig(pod, "status", "qosClass"))
    spec = pod.get("spec") or {}
    requests: dict[str, Any] = {}
    limits: dict[str, Any] = {}
    guaranteed = True
    supported = ("cpu", "memory")
    all_containers = list(spec.get("containers") or []) + list(spec.get("initContainers") or [])
    for c in all_containers:
        res = c.get("resources") or {}
        for name, v in (res.get("requests") or {}).items():
            if name in supported and kq.parse(v) != 0:
                requests[name] = requests.get(name, 0) + kq.parse(v)
        c_limits = set()
        for name, v in (res.get("limits") or {}).items():
            if name in supported and kq.parse(v) != 0:
                c_limits.add(name)
                limits[name] = limits.get(name, 0) + kq.parse(v)
        if c_limits != set(supported):
            guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and set(requests) == set(limits) and all(requests[k] == limits[k] for k in requests):
        return "Guaranteed"
    return "Burstable"


def topology_spread(w: Writer, tscs: list[Obj] | None, space: str) -> None:
    if not tscs:
        return
    w.write(LEVEL_0, f"{space}Topology Spread Constraints:\t")
    for i, t in enumerate(sorted(tscs, key=lambda t: t.get("topologyKey") or "")):
        if i:
            w.write(LEVEL_0, space)
            w.write(LEVEL_0, "\t")
        s = f"{t.get('topologyKey', '')}:{t.get('whenUnsatisfiable', '')} when max skew {int(t.get('maxSkew') or 0)} is exceeded"
        if t.get("labelSelector") is not None:
            s += f" for selector {format_label_selector(t['labelSelector'])}"
        w.write(LEVEL_0, s + "\n")


# -- containers ---------------------------------------------------------------------------------

def containers(w: Writer, label: str, items: list[Obj], statuses: list[Obj] | None, resolver: EnvResolver | None,
               space: str) -> None:
    by_name = {s.get("name"): s for s in statuses or []}
    w.write(LEVEL_0, f"{space}{label}:{'' if items else ' <none>'}\n")
    for c in items:
        st = by_name.get(c.get("name"))
        _basic_info(w, c, st, space)
        _command(w, c)
        if st is not None:
            _state(w, st)
        describe_resources(w, c.get("resources"), LEVEL_2)
        _probes(w, c)
        if c.get("envFrom"):
            _env_from(w, c)
        _env(w, c, resolver)
        _mounts(w, c)


def _basic_info(w: Writer, c: Obj, st: Obj | None, space: str) -> None:
    indent = " " if space else ""
    w.write(LEVEL_1, f"{indent}{c.get('name', '')}:\n")
    if st is not None:
        w.write(LEVEL_2, f"Container ID:\t{st.get('containerID', '')}\n")
    w.write(LEVEL_2, f"Image:\t{c.get('image', '')}\n")
    if st is not None:
        w.write(LEVEL_2, f"Image ID:\t{st.get('imageID', '')}\n")
    ports = c.get("ports") or []
    port_s = ", ".join(_port(p, p.get("containerPort", 0)) for p in ports)
    if "," in port_s:
        w.write(LEVEL_2, f"Ports:\t{port_s}\n")
    else:
        w.write(LEVEL_2, f"Port:\t{port_s or '<none>'}\n")
    host_s = ", ".join(_port(p, p.get("hostPort", 0)) for p in ports)
    if "," in host_s:
        w.write(LEVEL_2, f"Host Ports:\t{host_s}\n")
    else:
        w.write(LEVEL_2, f"Host Port:\t{host_s or '<none>'}\n")
    seccomp = dig(c, "securityContext", "seccompProfile")
    if seccomp:
        w.write(LEVEL_2, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        if seccomp.get("type") == "Localhost":
            w.write(LEVEL_3, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")


def _port(p: Obj, number: Any) -> str:
    s = f"{int(number or 0)}/{p.get('protocol', '')}"
    return f"{s} ({p['name']})" if p.get("name") else s


def _command(w: Writer, c: Obj) -> None:
    for title, key in (("Command", "command"), ("Args", "args")):
        if c.get(key):
            w.write(LEVEL_2, f"{title}:\n")
            for arg in c[key]:
                for s in str(arg).split("\n"):
                    w.write(LEVEL_3, f"{s}\n")


def _state(w: Writer, st: Obj) -> None:
    _status_block(w, "State", st.get("state") or {})
    last = st.get("lastState") or {}
    if last.get("terminated") is not None:
        _status_block(w, "Last State", last)
    w.write(LEVEL_2, f"Ready:\t{print_bool(st.get('ready'))}\n")
    w.write(LEVEL_2, f"Restart Count:\t{int(st.get('restartCount') or 0)}\n")


def _status_block(w: Writer, name: str, state: Obj) -> None:
    if state.get("running") is not None:
        w.write(LEVEL_2, f"{name}:\tRunning\n")
        w.write(LEVEL_3, f"Started:\t{rfc1123z(state['running'].get('startedAt'))}\n")
    elif state.get("waiting") is not None:
        w.write(LEVEL_2, f"{name}:\tWaiting\n")
        if state["waiting"].get("reason"):
            w.write(LEVEL_3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        t = state["terminated"]
        w.write(LEVEL_2, f"{name}:\tTerminated\n")
        if t.get("reason"):
            w.write(LEVEL_3, f"Reason:\t{t['reason']}\n")
        if t.get("message"):
            w.write(LEVEL_3, f"Message:\t{t['message']}\n")
        w.write(LEVEL_3, f"Exit Code:\t{int(t.get('exitCode') or 0)}\n")
        if int(t.get("signal") or 0) > 0:
            w.write(LEVEL_3, f"Signal:\t{int(t['signal'])}\n")
        w.write(LEVEL_3, f"Started:\t{rfc1123z(t.get('startedAt'))}\n")
        w.write(LEVEL_3, f"Finished:\t{rfc1123z(t.get('finishedAt'))}\n")
    else:
        w.write(LEVEL_2, f"{name}:\tWaiting\n")


def _probes(w: Writer, c: Obj) -> None:
    for title, key in (("Liveness", "livenessProbe"), ("Readiness", "readinessProbe"), ("Startup", "startupProbe")):
        if c.get(key) is not None:
            w.write(LEVEL_2, f"{title}:\t{describe_probe(c[key])}\n")


def describe_probe(p: Obj) -> str:
    """``DescribeProbe`` as kubectl 1.37 prints it."""
    attrs = (f"delay={int(p.get('initialDelaySeconds') or 0)}s timeout={int(p.get('timeoutSeconds') or 0)}s "
             f"period={int(p.get('periodSeconds') or 0)}s successThreshold={int(p.get('successThreshold') or 0)} "
             f"failureThreshold={int(p.get('failureThreshold') or 0)}")
    if p.get("exec") is not None:
        return f"exec [{' '.join(p['exec'].get('command') or [])}] {attrs}"
    if p.get("httpGet") is not None:
        h = p["httpGet"]
        scheme = str(h.get("scheme") or "").lower()
        port = str(h.get("port", "")) if h.get("port") is not None else ""
        host = h.get("host") or ""
        hostport = host
        if port:
            hostport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        path = _escape_path(h.get("path") or "")
        if path and not path.startswith("/") and hostport:
            path = "/" + path
        url = f"{scheme}://{hostport}{path}" if scheme else f"//{hostport}{path}"
        return f"http-get {url} {attrs}"
    if p.get("tcpSocket") is not None:
        t = p["tcpSocket"]
        return f"tcp-socket {t.get('host') or ''}:{t.get('port', '')} {attrs}"
    if p.get("grpc") is not None:
        g = p["grpc"]
        return f"grpc <pod>:{int(g.get('port') or 0)} {g.get('service') or ''} {attrs}"
    return f"unknown {attrs}"


_PATH_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~$&+,/:;=@")


def _escape_path(path: str) -> str:
    """Go's ``url.URL`` path escaping (``?`` and anything outside the RFC 3986 path set → %XX)."""
    return "".join(chr(b) if chr(b) in _PATH_SAFE else f"%{b:02X}" for b in path.encode(errors="surrogatepass"))


def _env_from(w: Writer, c: Obj) -> None:
    w.write(LEVEL_2, "Environment Variables from:\n")
    for e in c.get("envFrom") or []:
        src, name, optional = "", "", False
        if e.get("configMapRef") is not None:
            src, name, optional = "ConfigMap", e["configMapRef"].get("name", ""), bool(e["configMapRef"].get("optional"))
        elif e.get("secretRef") is not None:
            src, name, optional = "Secret", e["secretRef"].get("name", ""), bool(e["secretRef"].get("optional"))
        if not e.get("prefix"):
            w.write(LEVEL_3, f"{name}\t{src}\tOptional: {go_bool(optional)}\n")
        else:
            w.write(LEVEL_3, f"{name}\t{src} with prefix '{e['prefix']}'\tOptional: {go_bool(optional)}\n")


def _env(w: Writer, c: Obj, resolver: EnvResolver | None) -> None:
    env = c.get("env") or []
    w.write(LEVEL_2, f"Environment:{'' if env else chr(9) + '<none>'}\n")
    for e in env:
        vf = e.get("valueFrom")
        name = e.get("name", "")
        if vf is None:
            for i, s in enumerate(str(e.get("value") or "").split("\n")):
                w.write(LEVEL_3, f"{name}:\t{s}\n" if i == 0 else f"\t{s}\n")
            continue
        if vf.get("fieldRef") is not None:
            fr = vf["fieldRef"]
            value = resolver(fr) if resolver else ""
            w.write(LEVEL_3, f"{name}:\t{value} ({fr.get('apiVersion', '')}:{fr.get('fieldPath', '')})\n")
        elif vf.get("resourceFieldRef") is not None:
            rf = vf["resourceFieldRef"]
            value = _resource_field_value(rf, c)
            resource = rf.get("resource", "")
            if value == "0" and resource in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            w.write(LEVEL_3, f"{name}:\t{value} ({resource})\n")
        elif vf.get("secretKeyRef") is not None:
            r = vf["secretKeyRef"]
            w.write(LEVEL_3, f"{name}:\t<set to the key '{r.get('key', '')}' in secret '{r.get('name', '')}'>\t"
                             f"Optional: {go_bool(r.get('optional'))}\n")
        elif vf.get("configMapKeyRef") is not None:
            r = vf["configMapKeyRef"]
            w.write(LEVEL_3, f"{name}:\t<set to the key '{r.get('key', '')}' of config map '{r.get('name', '')}'>\t"
                             f"Optional: {go_bool(r.get('optional'))}\n")


def _resource_field_value(rf: Obj, c: Obj) -> str:
    """``ExtractContainerResourceValue``: the container's request/limit over the divisor, rounded up."""
    section, _, name = str(rf.get("resource", "")).partition(".")
    raw = ((c.get("resources") or {}).get(section) or {}).get(name)
    value = kq.parse(raw) if raw not in (None, "") else 0
    divisor = kq.parse(rf.get("divisor") or "1") or 1
    return str(math.ceil(value / divisor))


def _mounts(w: Writer, c: Obj) -> None:
    mounts = c.get("volumeMounts") or []
    none = "" if mounts else "\t<none>"
    w.write(LEVEL_2, f"Mounts:{none}\n")
    for m in sorted(mounts, key=lambda m: m.get("mountPath") or ""):
        flags = ["ro" if m.get("readOnly") else "rw"]
        if m.get("subPath"):
            flags.append(f'path="{m["subPath"]}"')
        w.write(LEVEL_3, f"{m.get('mountPath', '')} from {m.get('name', '')} ({','.join(flags)})\n")
    devices = c.get("volumeDevices") or []
    if devices:
        w.write(LEVEL_2, f"Devices:{none}\n")
        for d in sorted(devices, key=lambda d: d.get("devicePath") or ""):
            w.write(LEVEL_3, f"{d.get('devicePath', '')} from {d.get('name', '')}\n")


def env_resolver(pod: Obj) -> EnvResolver:
    """``EnvValueRetriever``: kubectl's scheme has no field-label conversions for pods, so only
    ``metadata.name`` and ``metadata.namespace`` resolve; any other fieldRef prints empty."""
    def resolve(fr: Obj) -> str:
        if str(fr.get("apiVersion") or "").count("/") > 1:
            return ""
        path = fr.get("fieldPath", "")
        if path in ("metadata.name", "metadata.namespace"):
            return str(dig(pod, *path.split(".")) or "")
        return ""
    return resolve


# -- volumes ------------------------------------------------------------------------------------

def volumes(w: Writer, items: list[Obj] | None, space: str) -> None:
    if not items:
        w.write(LEVEL_0, f"{space}Volumes:\t<none>\n")
        return
    w.write(LEVEL_0, f"{space}Volumes:\n")
    for v in items:
        w.write(LEVEL_1, f"{' ' if space else ''}{v.get('name', '')}:\n")
        volume_source(w, v)


def volume_source(w: Writer, v: Obj) -> None:
    if v.get("hostPath") is not None:
        hp = v["hostPath"]
        w.write(LEVEL_2, f"Type:\tHostPath (bare host directory volume)\n    Path:\t{hp.get('path', '')}\n"
                         f"    HostPathType:\t{hp.get('type') if hp.get('type') is not None else '<none>'}\n")
    elif v.get("emptyDir") is not None:
        ed = v["emptyDir"]
        size = quantity_string(ed["sizeLimit"]) if ed.get("sizeLimit") not in (None, "", "0") else "<unset>"
        w.write(LEVEL_2, f"Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                         f"    Medium:\t{ed.get('medium', '')}\n    SizeLimit:\t{size}\n")
    elif v.get("secret") is not None:
        s = v["secret"]
        w.write(LEVEL_2, f"Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{s.get('secretName', '')}\n"
                         f"    Optional:\t{go_bool(s.get('optional'))}\n")
    elif v.get("configMap") is not None:
        s = v["configMap"]
        w.write(LEVEL_2, f"Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{s.get('name', '')}\n"
                         f"    Optional:\t{go_bool(s.get('optional'))}\n")
    elif v.get("nfs") is not None:
        s = v["nfs"]
        w.write(LEVEL_2, f"Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{s.get('server', '')}\n"
                         f"    Path:\t{s.get('path', '')}\n    ReadOnly:\t{go_bool(s.get('readOnly'))}\n")
    elif v.get("persistentVolumeClaim") is not None:
        s = v["persistentVolumeClaim"]
        w.write(LEVEL_2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n"
                         f"    ClaimName:\t{s.get('claimName', '')}\n    ReadOnly:\t{go_bool(s.get('readOnly'))}\n")
    elif v.get("ephemeral") is not None:
        w.write(LEVEL_2, "Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n")
        tpl = v["ephemeral"].get("volumeClaimTemplate")
        if tpl is not None:
            _claim_template(w, tpl)
    elif v.get("downwardAPI") is not None:
        w.write(LEVEL_2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n")
        for item in v["downwardAPI"].get("items") or []:
            if item.get("fieldRef") is not None:
                w.write(LEVEL_3, f"{item['fieldRef'].get('fieldPath', '')} -> {item.get('path', '')}\n")
            if item.get("resourceFieldRef") is not None:
                w.write(LEVEL_3, f"{item['resourceFieldRef'].get('resource', '')} -> {item.get('path', '')}\n")
    elif v.get("projected") is not None:
        w.write(LEVEL_2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n")
        for src in v["projected"].get("sources") or []:
            if src.get("secret") is not None:
                w.write(LEVEL_2, f"SecretName:\t{src['secret'].get('name', '')}\n"
                                 f"    Optional:\t{go_bool(src['secret'].get('optional'))}\n")
            elif src.get("downwardAPI") is not None:
                w.write(LEVEL_2, "DownwardAPI:\ttrue\n")
            elif src.get("configMap") is not None:
                w.write(LEVEL_2, f"ConfigMapName:\t{src['configMap'].get('name', '')}\n"
                                 f"    Optional:\t{go_bool(src['configMap'].get('optional'))}\n")
            elif src.get("serviceAccountToken") is not None:
                w.write(LEVEL_2, f"TokenExpirationSeconds:\t{int(src['serviceAccountToken'].get('expirationSeconds') or 0)}\n")
    elif v.get("csi") is not None:
        s = v["csi"]
        w.write(LEVEL_2, f"Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{s.get('driver', '')}\n"
                         f"    FSType:\t{s.get('fsType') or ''}\n    ReadOnly:\t{go_bool(s.get('readOnly'))}\n")
        csi_attributes(w, s.get("volumeAttributes"))
    elif v.get("image") is not None:
        s = v["image"]
        w.write(LEVEL_2, f"Type:\tImage (a container image or OCI artifact)\n    Reference:\t{s.get('reference', '')}\n"
                         f"    PullPolicy:\t{s.get('pullPolicy', '')}\n")
    else:
        w.write(LEVEL_1, "<unknown>\n")


def csi_attributes(w: Writer, attrs: dict[str, str] | None) -> None:
    w.write(LEVEL_2, "VolumeAttributes:\t")
    if not attrs:
        w.line("<none>")
        return
    for i, k in enumerate(sorted(attrs)):
        if i:
            w.write(LEVEL_2, "")
            w.write(LEVEL_2, "\t")
        line = f"{k}={attrs[k]}"
        w.write(LEVEL_2, (line[:140] + "...\n") if len(line) > 140 else line + "\n")


def _claim_template(w: Writer, tpl: Obj) -> None:
    """``printPersistentVolumeClaim(NewNestedPrefixWriter(w, LEVEL_2), pvc, false)``."""
    spec, md = tpl.get("spec") or {}, tpl.get("metadata") or {}
    nested = _Nested(w, LEVEL_2)
    nested.write(LEVEL_0, f"StorageClass:\t{spec.get('storageClassName') or ''}\n")
    nested.write(LEVEL_0, f"Volume:\t{spec.get('volumeName', '')}\n")
    labels_multiline(nested, "Labels", md.get("labels"))  # type: ignore[arg-type]
    annotations_multiline(nested, "Annotations", md.get("annotations"))  # type: ignore[arg-type]
    nested.write(LEVEL_0, "Capacity:\t\n")
    nested.write(LEVEL_0, "Access Modes:\t\n")
    if spec.get("volumeMode"):
        nested.write(LEVEL_0, f"VolumeMode:\t{spec['volumeMode']}\n")


class _Nested:
    """``NewNestedPrefixWriter``: every write indented by a fixed extra level."""

    def __init__(self, w: Writer, indent: int) -> None:
        self.w, self.indent = w, indent

    def write(self, level: int, text: str) -> None:
        self.w.write(level + self.indent, text)

    def line(self, text: str = "") -> None:
        self.w.write(self.indent, text + "\n")


# -- pod templates ------------------------------------------------------------------------------

def pod_template(w: Writer, template: Obj | None) -> None:
    """``DescribePodTemplate``."""
    w.write(LEVEL_0, "Pod Template:\n")
    if template is None:
        w.write(LEVEL_1, "<unset>")
        return
    md, spec = template.get("metadata") or {}, template.get("spec") or {}
    labels_multiline(w, "  Labels", md.get("labels"))
    if md.get("annotations"):
        annotations_multiline(w, "  Annotations", md.get("annotations"))
    if spec.get("serviceAccountName"):
        w.write(LEVEL_1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        containers(w, "Init Containers", spec["initContainers"], None, None, "  ")
    containers(w, "Containers", spec.get("containers") or [], None, None, "  ")
    volumes(w, spec.get("volumes"), "  ")
    topology_spread(w, spec.get("topologySpreadConstraints"), "  ")
    if spec.get("priorityClassName"):
        w.write(LEVEL_1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "  Tolerations", spec.get("tolerations"))


def claim_templates(w: Writer, templates: list[Obj] | None) -> None:
    """``describeVolumeClaimTemplates`` (StatefulSets)."""
    if not templates:
        w.write(LEVEL_0, "Volume Claims:\t<none>\n")
        return
    w.write(LEVEL_0, "Volume Claims:\n")
    for pvc in templates:
        md, spec = pvc.get("metadata") or {}, pvc.get("spec") or {}
        w.write(LEVEL_1, f"Name:\t{md.get('name', '')}\n")
        w.write(LEVEL_1, f"StorageClass:\t{pvc_class(pvc)}\n")
        labels_multiline(w, "Labels", md.get("labels"), initial="  ")
        labels_multiline(w, "Annotations", md.get("annotations"), initial="  ")
        storage = dig(spec, "resources", "requests", "storage")
        w.write(LEVEL_1, f"Capacity:\t{quantity_string(storage) if storage is not None else '<default>'}\n")
        w.write(LEVEL_1, f"Access Modes:\t[{' '.join(spec.get('accessModes') or [])}]\n")


def pvc_class(pvc: Obj) -> str:
    """``storageutil.GetPersistentVolumeClaimClass``: the beta annotation wins over the field."""
    ann = dig(pvc, "metadata", "annotations") or {}
    if "volume.beta.kubernetes.io/storage-class" in ann:
        return str(ann["volume.beta.kubernetes.io/storage-class"])
    return str(dig(pvc, "spec", "storageClassName") or "")


