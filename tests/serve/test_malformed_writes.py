"""Writes a real apiserver refuses when it decodes or validates them: each gets a 4xx Status,
nothing of it reaches the store, and the simulator keeps running afterwards.

A value of the wrong type that slipped through (e.g. a Node taint that is a string) used to be
stored and then crash the scheduler, DaemonSet and node controllers on every clock tick,
freezing the whole served cluster.
"""

from __future__ import annotations

import pytest

from tests.serve.test_api import _deploy, _pod

MERGE = "application/merge-patch+json"
SMP = "application/strategic-merge-patch+json"
JSONPATCH = "application/json-patch+json"
APPLY = "application/apply-patch+yaml"
DEPLOY = "/apis/apps/v1/namespaces/default/deployments/web"
NODE = "/api/v1/nodes/minikube"


@pytest.fixture
def web(client):
    code, _, _ = client.call("POST", "/apis/apps/v1/namespaces/default/deployments", _deploy("web", 1))
    assert code == 201
    return client


def _pod_with(**spec):
    p = _pod("odd")
    p["spec"].update(spec)
    return p


BAD_CREATES = [
    ("/api/v1/namespaces/default/pods",
     _pod_with(containers=[{"name": "c", "image": "nginx", "resources": "lots"}]),
     400, 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field '
          "Container.spec.containers.resources of type v1.ResourceRequirements"),
    ("/api/v1/namespaces/default/pods",
     _pod_with(volumes=[{"name": "v", "persistentVolumeClaim": "claim"}]),
     400, "Go struct field Volume.spec.volumes.persistentVolumeClaim of type v1.PersistentVolumeClaimVolumeSource"),
    ("/api/v1/namespaces/default/pods", _pod_with(containers=["nginx"]),
     400, "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container"),
    ("/api/v1/namespaces/default/pods", _pod_with(affinity={"nodeAffinity": "x"}),
     400, "spec.affinity.nodeAffinity"),
    ("/apis/apps/v1/namespaces/default/deployments",
     {**_deploy("s1"), "spec": {**_deploy("s1")["spec"], "strategy": "fast"}},
     400, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go '
          "struct field DeploymentSpec.spec.strategy of type v1.DeploymentStrategy"),
    ("/apis/apps/v1/namespaces/default/deployments",  # a learner's quoted count: Go's decoder's words
     {**_deploy("s2"), "spec": {**_deploy("s2")["spec"], "replicas": "three"}},
     400, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go '
          "struct field DeploymentSpec.spec.replicas of type int32"),
    ("/apis/apps/v1/namespaces/default/deployments",
     {**_deploy("s3"), "spec": {**_deploy("s3")["spec"], "replicas": 1.5}},
     400, "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32"),
    # every field the served schema types, not only those the simulator reads ("yes" was stored)
    ("/apis/apps/v1/namespaces/default/deployments",
     {**_deploy("s4"), "spec": {**_deploy("s4")["spec"], "paused": "yes"}},
     400, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go '
          "struct field DeploymentSpec.spec.paused of type bool"),
    ("/api/v1/namespaces/default/pods",
     _pod_with(containers=[{"name": "c", "image": "nginx", "ports": [{"containerPort": "80"}]}]),
     400, "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"),
    ("/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "spec": {"taints": "x"}},
     400, "json: cannot unmarshal string into Go struct field NodeSpec.spec.taints of type []v1.Taint"),
    ("/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n2"}, "spec": {"taints": ["x"]}},
     400, "json: cannot unmarshal string into Go struct field NodeSpec.spec.taints of type v1.Taint"),
    ("/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n3"},
                       "spec": {"taints": [{"key": "a", "effect": "Sometimes"}]}},
     422, 'Node "n3" is invalid: spec.taints[0].effect: Unsupported value: "Sometimes": supported values: '
          '"NoSchedule", "PreferNoSchedule", "NoExecute"'),
    ("/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n4"},
                       "spec": {"taints": [{"key": "a", "effect": "NoSchedule"}, {"key": "a", "effect": "NoSchedule"}]}},
     422, "spec.taints[1]: Duplicate value"),
    ("/api/v1/namespaces/default/secrets",
     {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"pw": "hunter2!"}},
     400, "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 7"),
    # the store indexes by uid: a list there was a TypeError with a traceback on serve's stderr
    ("/api/v1/namespaces/default/configmaps",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "o1", "ownerReferences": [
         {"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": [1]}]}},
     400, "json: cannot unmarshal array into Go struct field OwnerReference.metadata.ownerReferences.uid of type types.UID"),
    ("/api/v1/namespaces/default/configmaps",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "o2", "uid": {"a": 1}}},
     400, "json: cannot unmarshal object into Go struct field ObjectMeta.metadata.uid of type types.UID"),
    ("/api/v1/namespaces/default/configmaps",
     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "o3", "ownerReferences": [
         {"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u", "controller": "yes"}]}},
     400, "json: cannot unmarshal string into Go struct field OwnerReference.metadata.ownerReferences.controller of type bool"),
    ("/api/v1/namespaces/default/pods",
     {**_pod("sim"), "metadata": {"name": "sim", "annotations": {"k9py.sim/crash-after": "soon"}}},
     400, "metadata.annotations.k9py.sim/crash-after: Invalid value: \"soon\": must be a duration"),
]


@pytest.mark.parametrize("path,body,code,message", BAD_CREATES)
def test_malformed_creates_are_refused(client, path, body, code, message):
    got, st, _ = client.call("POST", path, body)
    assert (got, st["kind"], st["code"]) == (code, "Status", code)
    assert message in st["message"]
    name = body["metadata"]["name"]
    kind = path.rsplit("/", 1)[1]
    ns = "/namespaces/default" if kind != "nodes" else ""
    assert client.call("GET", f"/api/v1{ns}/{kind}/{name}")[0] == 404


# A patched object that does not decode is the patch's 422 (handlers/patch.go): a strategic merge
# patch names its map as Go's %+v prints it and the unstructured converter's error, a merge or
# JSON patch the patched document and the JSON decoder's (kubectl: The request is invalid: patch: …)
BAD_PATCHES = [
    (DEPLOY, SMP, {"spec": {"replicas": "abc"}},  # a learner's quoted count
     422, ' "" is invalid: patch: Invalid value: "map[spec:map[replicas:abc]]": unrecognized type: int32'),
    (DEPLOY, SMP, {"spec": {"replicas": 1.5}},
     422, ' "" is invalid: patch: Invalid value: "map[spec:map[replicas:1.5]]": cannot convert float64 to int32'),
    (DEPLOY, SMP, {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": 5}]}}}},
     422, ' "" is invalid: patch: Invalid value: "map[spec:map[template:map[spec:map[containers:[map[image:5 '
          'name:nginx]]]]]]": cannot convert int64 to string'),
    (DEPLOY, SMP, {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "resources": "big"}]}}}},
     422, '"map[spec:map[template:map[spec:map[containers:[map[name:nginx resources:big]]]]]]": cannot restore '
          "struct from: string"),
    (DEPLOY, SMP, {"spec": {"template": {"spec": {"containers": "x"}}}},
     422, '"map[spec:map[template:map[spec:map[containers:x]]]]": cannot restore slice from string'),
    (DEPLOY, SMP, {"metadata": {"labels": "x"}}, 422, '"map[metadata:map[labels:x]]": cannot restore map from string'),
    (DEPLOY, MERGE, {"spec": {"strategy": "fast"}},
     422, '\\"strategy\\":\\"fast\\"'),  # (the patched document, whole)
    (DEPLOY, MERGE, {"spec": {"strategy": "fast"}},
     422, "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.strategy of type v1.DeploymentStrategy"),
    (DEPLOY, JSONPATCH, [{"op": "replace", "path": "/spec/template/spec/containers", "value": "x"}],
     422, "json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container"),
    (NODE, MERGE, {"spec": {"taints": "x"}}, 422, "spec.taints"),
    # kubectl scale --replicas=100000000 (the scale subresource): the simulator made pods until
    # serve stopped answering; a patch of the Deployment itself was already refused
    (DEPLOY + "/scale", MERGE, {"spec": {"replicas": 100000000}},
     422, 'Deployment.apps "web" is invalid: spec.replicas: Invalid value: 100000000: k9py simulates at most '
          "10000 pods of one workload"),
    (DEPLOY, MERGE, {"metadata": {"ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": [1]}]}},
     422, "ownerReferences.uid of type types.UID"),
    (NODE, MERGE, {"spec": {"taints": [{"key": "k", "effect": "Bad"}]}}, 422, "spec.taints[0].effect: Unsupported value"),
    (NODE, MERGE, {"spec": {"unschedulable": "yes"}}, 422, "json: cannot unmarshal string into Go struct field NodeSpec.spec.unschedulable of type bool"),
    (NODE, MERGE, {"metadata": {"annotations": {"k9py.sim/down": "maybe"}}}, 400, 'must be "true" or "false"'),
    (DEPLOY, MERGE, {"metadata": {"uid": "0000"}}, 409, "Precondition failed: UID in precondition: 0000"),
    (DEPLOY + "?fieldManager=me", APPLY, "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n",
     400, "the API version in the data (v1) does not match the expected API version (apps/v1)"),
    (DEPLOY + "?fieldManager=me", APPLY, "apiVersion: apps/v1\nkind: Deployment\nmetadata: web\n",
     400, 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal metadata'),
]


@pytest.mark.parametrize("path,ctype,body,code,message", BAD_PATCHES)
def test_malformed_patches_are_refused_and_change_nothing(web, path, ctype, body, code, message):
    before = web.call("GET", path.split("?")[0])[1]
    raw = body.encode() if isinstance(body, str) else None
    got, st, _ = web.call("PATCH", path, None if raw else body, content_type=ctype, raw=raw)
    assert (got, st["kind"]) == (code, "Status"), st
    assert message in st["message"]
    after = web.call("GET", path.split("?")[0])[1]
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


def test_scale_with_a_spec_that_is_not_an_object_is_400(web):
    scale = {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "web"}, "spec": "x"}
    code, st, _ = web.call("PUT", DEPLOY + "/scale", scale)
    assert code == 400 and "spec: Invalid value" in st["message"]


def test_a_scheduled_pod_cannot_move_to_another_node(client, served):
    client.call("POST", "/api/v1/namespaces/default/pods", _pod("pinned"))
    served.advance(5)
    node = client.call("GET", "/api/v1/namespaces/default/pods/pinned")[1]["spec"]["nodeName"]
    other = "minikube" if node != "minikube" else "minikube-m02"
    code, st, _ = client.call("PATCH", "/api/v1/namespaces/default/pods/pinned", {"spec": {"nodeName": other}},
                              content_type=MERGE)
    assert code == 422 and "pod updates may not change fields" in st["message"]
    assert client.call("GET", "/api/v1/namespaces/default/pods/pinned")[1]["spec"]["nodeName"] == node


def test_the_cluster_keeps_running_after_malformed_writes(web, served):
    for path, ctype, body, _, _ in BAD_PATCHES:
        raw = body.encode() if isinstance(body, str) else None
        web.call("PATCH", path, None if raw else body, content_type=ctype, raw=raw)
    for path, body, _, _ in BAD_CREATES:
        web.call("POST", path, body)
    web.call("POST", "/api/v1/namespaces/default/pods", _pod("after"))
    served.advance(30)
    pod = web.call("GET", "/api/v1/namespaces/default/pods/after")[1]
    assert pod["status"]["phase"] == "Running"
    assert web.call("GET", DEPLOY)[1]["status"]["readyReplicas"] == 1


def test_endpoints_carry_the_deprecation_warning(client):
    code, _, headers = client.call("GET", "/api/v1/namespaces/default/endpoints")
    assert code == 200
    assert headers["Warning"] == '299 - "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"'
    assert "Warning" not in client.call("GET", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices")[2]


SLICES = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices"


def _slice(name, endpoints):
    # the docs' EndpointSlice for a Service without a selector
    return {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": name, "labels": {"kubernetes.io/service-name": "my-service"}},
            "addressType": "IPv4", "ports": [{"name": "http", "appProtocol": "http", "protocol": "TCP", "port": 9376}],
            "endpoints": endpoints}


def test_an_endpoint_slice_as_the_docs_write_it_is_taken(client):
    body = _slice("my-service-1", [{"addresses": ["10.4.5.6"]},
                                   {"addresses": ["10.1.2.3"], "conditions": {"ready": True, "serving": None}}])
    code, st, _ = client.call("POST", SLICES, body)
    assert code == 201, st
    # (a null condition is unset, as the typed decoder reads it: serving *bool, omitempty)
    assert client.call("GET", f"{SLICES}/my-service-1")[1]["endpoints"] == [
        {"addresses": ["10.4.5.6"]}, {"addresses": ["10.1.2.3"], "conditions": {"ready": True}}]


@pytest.mark.parametrize("endpoints,message", [
    ([{"addresses": [{"ip": "10.4.5.6"}]}],
     "json: cannot unmarshal object into Go struct field Endpoint.endpoints.addresses of type string"),
    ([{"addresses": "10.4.5.6"}], "cannot unmarshal string into Go struct field Endpoint.endpoints.addresses of type []string"),
    ([{"addresses": ["10.4.5.6"], "conditions": [{"ready": True}]}],
     "cannot unmarshal array into Go struct field Endpoint.endpoints.conditions of type v1.EndpointConditions"),
    ([{"addresses": ["10.4.5.6"], "conditions": {"ready": "yes"}}],
     "cannot unmarshal string into Go struct field EndpointConditions.endpoints.conditions.ready of type bool"),
])
def test_an_endpoint_slice_of_the_wrong_shape_is_refused(client, endpoints, message):
    code, st, _ = client.call("POST", SLICES, _slice("odd", endpoints))
    assert (code, st["code"]) == (400, 400)
    assert message in st["message"], st["message"]
    assert client.call("GET", f"{SLICES}/odd")[0] == 404


@pytest.mark.parametrize("content_type", ["application/json", "application/yaml"])
def test_a_number_too_long_for_python_is_a_400_that_says_so(client, content_type):
    """A number of more than 4300 digits (int()'s limit) was a 400 in Python's words, telling the
    client about sys.set_int_max_str_digits, with a traceback on serve's stderr."""
    big = "9" * 5000
    raw = ('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big", "generation": ' + big + "}}"
           if content_type == "application/json" else
           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  generation: " + big + "\n")
    code, st, _ = client.call("POST", "/api/v1/namespaces/default/configmaps", raw=raw.encode(),
                              content_type=content_type)
    assert (code, st["reason"]) == (400, "BadRequest")
    assert "too large" in st["message"] and "sys." not in st["message"]
    assert client.call("GET", "/api/v1/namespaces/default/configmaps/big")[0] == 404


def _nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


BILLION_LAUGHS = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata: {}\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n" + "".join(
    f"x{i}: &x{i} [{', '.join([f'*x{i - 1}'] * 10)}]\n" for i in range(1, 10))


@pytest.mark.parametrize("content_type, raw, message", [
    ("application/json", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"},"x":' + _nested(5000) + "}",
     "error decoding request body: nested more than 100 levels deep"),  # deeper than json.loads goes
    ("application/json", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d"},"x":' + _nested(500) + "}",
     "error decoding request body: nested more than 100 levels deep"),  # decoded, then too deep for the rest
    ("application/yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\nx: " + "[" * 5000 + "]" * 5000,
     None),
    ("application/yaml", BILLION_LAUGHS, "error decoding request body: document contains excessive aliasing"),
    (MERGE, '{"metadata":{"labels":{"a":"b"}},"x":' + _nested(500) + "}",
     "error decoding request body: nested more than 100 levels deep"),
], ids=["json-5000", "json-500", "yaml-5000", "billion-laughs", "merge-patch-500"])
def test_bodies_too_deep_or_blown_up_by_aliases_are_a_400(client, capsys, content_type, raw, message):
    """A body nested hundreds of levels deep was a 400 in Python's words (maximum recursion depth
    exceeded) with a traceback on serve's stderr, or was stored and then broke whoever walked it (a
    merge patch, the explorer's YAML); a YAML body of aliases (a "billion laughs", 500 bytes)
    held the whole server for minutes while it was expanded. Each is refused as it is decoded."""
    method, path = ("PATCH", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt") if content_type == MERGE else \
        ("POST", "/api/v1/namespaces/default/configmaps")
    code, st, _ = client.call(method, path, raw=raw.encode(), content_type=content_type)
    assert (code, st["reason"]) == (400, "BadRequest")
    assert st["message"].startswith(message or "error decoding request body: ")
    assert "recursion" not in st["message"] and "Traceback" not in capsys.readouterr().err
    assert client.call("GET", "/api/v1/namespaces/default/configmaps/d")[0] == 404
    assert client.call("GET", "/api/v1/namespaces/default/configmaps/lol")[0] == 404


@pytest.mark.parametrize("content_type, raw, message", [
    ("application/json", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"inf","annotations":{"a":"b"}},"x":Infinity}',
     "invalid character 'I' looking for beginning of value"),
    ("application/json", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"inf"},"x":[NaN]}',
     "invalid character 'N' looking for beginning of value"),
    ("application/json", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"inf"},"x":1e999}',
     "json: cannot unmarshal number 1e999 into Go value of type float64"),
    ("application/yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inf}\nx: {y: [-.inf]}\n",
     "error converting YAML to JSON: json: unsupported value: -Inf"),
    (MERGE, '{"metadata":{"labels":{"a":"b"}},"x":NaN}', "invalid character 'N' looking for beginning of value"),
    # YAML sent as JSON (read by the fallback): its .inf escaped as a traceback and a bare 500
    ("application/json", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inf}\nx: {a: .inf}\n",
     "error converting YAML to JSON: json: unsupported value: +Inf"),
], ids=["Infinity", "NaN", "1e999", "yaml-inf", "merge-patch-NaN", "yaml-as-json-inf"])
def test_numbers_json_has_no_place_for_are_a_400(client, content_type, raw, message):
    """Python's decoder takes NaN, Infinity and 1e999 (and YAML's .inf): the object was stored
    and its JSON then held them, so every later list of the kind failed (kubectl get: cannot
    convert float infinity to integer; -o yaml: invalid character 'I'). The apiserver's decoder
    refuses them."""
    method, path = ("PATCH", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt") if content_type == MERGE else \
        ("POST", "/api/v1/namespaces/default/configmaps")
    code, st, _ = client.call(method, path, raw=raw.encode(), content_type=content_type)
    assert (code, st["reason"], st["message"]) == (400, "BadRequest", f"error decoding request body: {message}")
    assert client.call("GET", "/api/v1/namespaces/default/configmaps/inf")[0] == 404
    assert client.call("GET", "/api/v1/namespaces/default/configmaps")[0] == 200


@pytest.mark.parametrize("spec, message", [
    ({"priority": 99999999999},
     "json: cannot unmarshal number 99999999999 into Go struct field PodSpec.spec.priority of type int32"),
    ({"activeDeadlineSeconds": 99999999999999999999},
     "json: cannot unmarshal number 99999999999999999999 into Go struct field PodSpec.spec.activeDeadlineSeconds "
     "of type int64"),
    ({"containers": [{"name": "c", "image": "nginx", "livenessProbe": {"periodSeconds": 99999999999,
                                                                        "exec": {"command": ["true"]}}}]},
     "json: cannot unmarshal number 99999999999 into Go struct field Probe.spec.containers.livenessProbe.periodSeconds "
     "of type int32"),
], ids=["int32", "int64", "probe-seconds-int32"])
def test_an_integer_past_its_go_width_is_the_decoders_400(client, spec, message):
    """A pod whose spec.priority was 99999999999 (an int32) was stored, and then kubectl describe
    and every typed client failed on it (cannot unmarshal number ... of type int32)."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "wide"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}], **spec}}
    code, st, _ = client.call("POST", "/api/v1/namespaces/default/pods", pod)
    assert (code, st["message"]) == (400, 'Pod in version "v1" cannot be handled as a Pod: ' + message)
    assert client.call("GET", "/api/v1/namespaces/default/pods/wide")[0] == 404
