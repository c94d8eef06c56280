"""Reading kubectl's protobuf request bodies (the e2e module checks real kubectl output; these
pin the wire details with hand-built messages)."""

from __future__ import annotations

import pytest

from k9py.serve.protobuf import ProtobufError, decode


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _ld(num: int, payload: bytes) -> bytes:
    return _varint(num << 3 | 2) + _varint(len(payload)) + payload


def _s(num: int, text: str) -> bytes:
    return _ld(num, text.encode())


def _vi(num: int, value: int) -> bytes:
    return _varint(num << 3) + _varint(value)


def _entry(num: int, k: str, v: bytes) -> bytes:
    return _ld(num, _s(1, k) + _ld(2, v))


def _envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    return b"k8s\x00" + _ld(1, _s(1, api_version) + _s(2, kind)) + _ld(2, raw)


def test_configmap_with_maps_and_zero_time():
    meta = _s(1, "settings") + _ld(8, _vi(1, (-62135596800) & ((1 << 64) - 1))) + _entry(11, "app", b"web")
    raw = _ld(1, meta) + _entry(2, "mode", b"fast") + _entry(3, "blob", b"\x00\x01")
    obj = decode(_envelope("v1", "ConfigMap", raw))
    assert obj == {"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "settings", "labels": {"app": "web"}},
                   "data": {"mode": "fast"}, "binaryData": {"blob": "AAE="}}


def test_deployment_pointer_zero_replicas_and_int_or_string():
    container = _s(1, "web") + _s(2, "nginx") + _ld(6, _vi(3, 8080)) + _ld(8, b"") + _s(13, "")
    template = _ld(1, _entry(11, "app", b"web")) + _ld(2, _ld(2, container))
    strategy = _s(1, "RollingUpdate") + _ld(2, _ld(1, _vi(1, 1) + _s(3, "25%")) + _ld(2, _vi(2, 1)))
    spec = _vi(1, 0) + _ld(2, _entry(1, "app", b"web")) + _ld(3, template) + _ld(4, strategy)
    obj = decode(_envelope("apps/v1", "Deployment", _ld(1, _s(1, "web")) + _ld(2, spec) + _ld(3, _vi(1, 5))))
    assert obj["spec"]["replicas"] == 0  # a pointer: zero is kept
    assert obj["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 1}}
    c = obj["spec"]["template"]["spec"]["containers"][0]
    assert c == {"name": "web", "image": "nginx", "ports": [{"containerPort": 8080}], "resources": {}}
    assert obj["status"] == {"observedGeneration": 5}  # decoded like JSON's (the server decides what it keeps)


def test_unknown_fields_and_kinds_are_errors_not_silent_drops():
    with pytest.raises(ProtobufError, match="field 99 of ConfigMap"):
        decode(_envelope("v1", "ConfigMap", _ld(1, _s(1, "x")) + _s(99, "?")))
    with pytest.raises(ProtobufError, match="Widget"):
        decode(_envelope("v1", "Widget", b""))
    with pytest.raises(ProtobufError):
        decode(b"not protobuf")
    with pytest.raises(ProtobufError):
        decode(b"k8s\x00" + _varint(1 << 3 | 2) + _varint(50) + b"short")


def test_server_accepts_protobuf_and_refuses_cbor(client):
    body = _envelope("v1", "ConfigMap", _ld(1, _s(1, "from-proto")) + _entry(2, "k", b"v"))
    code, obj, _ = client.call("POST", "/api/v1/namespaces/default/configmaps", raw=body,
                               content_type="application/vnd.kubernetes.protobuf")
    assert code == 201 and obj["data"] == {"k": "v"} and obj["metadata"]["namespace"] == "default"
    code, st, _ = client.call("POST", "/api/v1/namespaces/default/configmaps", raw=b"k8s\x00junk",
                              content_type="application/vnd.kubernetes.protobuf")
    assert code == 415 and st["reason"] == "UnsupportedMediaType"
    code, st, _ = client.call("POST", "/api/v1/namespaces/default/configmaps", raw=b"\xa1", content_type="application/cbor")
    assert code == 415


def test_pod_of_kubectl_debug_with_inlined_structs_and_pointers():
    """``kubectl debug node/…`` / ``--copy-to`` create Pods as protobuf: embedded structs (a Volume's
    VolumeSource, a Probe's handler) are inlined in JSON, pointer zeros are kept."""
    volume = _s(1, "host-root") + _ld(2, _ld(1, _s(1, "/") + _s(2, "")))
    probe = _ld(1, _ld(1, _s(1, "cat") + _s(1, "/tmp/ready"))) + _vi(2, 5)
    container = (_s(1, "debugger") + _s(2, "busybox") + _ld(9, _s(1, "host-root") + _s(3, "/host"))
                 + _ld(11, probe) + _vi(16, 1) + _vi(18, 1))
    toleration = _s(2, "Exists") + _vi(5, 0)
    spec = (_ld(1, volume) + _ld(2, container) + _s(3, "Never") + _s(10, "minikube") + _vi(11, 1) + _vi(12, 1)
            + _vi(13, 0) + _ld(22, toleration) + _vi(27, 0))
    obj = decode(_envelope("v1", "Pod", _ld(1, _s(1, "node-debugger-minikube-abcde")) + _ld(2, spec) + _ld(3, b"")))
    assert obj["spec"] == {
        "volumes": [{"name": "host-root", "hostPath": {"path": "/", "type": ""}}],
        "containers": [{"name": "debugger", "image": "busybox", "volumeMounts": [{"name": "host-root", "mountPath": "/host"}],
                        "readinessProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "initialDelaySeconds": 5},
                        "stdin": True, "tty": True}],
        "restartPolicy": "Never", "nodeName": "minikube", "hostNetwork": True, "hostPID": True,
        "tolerations": [{"operator": "Exists", "tolerationSeconds": 0}], "shareProcessNamespace": False}
    assert "status" not in obj


# What kubectl 1.37's `autoscale deployment d1 --max=5` sent as its autoscaling/v1 fallback (-v=8).
KUBECTL_HPA_V1 = bytes.fromhex(
    "6b3873000a290a0e6175746f7363616c696e672f763112174"
    "86f72697a6f6e74616c506f644175746f7363616c6572123"
    "90a120a0264311200" "1a0022002a003200380042"
    "00121d0a190a0a4465706c6f796d656e741202643"
    "11a07617070732f763118051a0418002000" "1a002200")


def test_kubectl_autoscaling_v1_body_with_kept_zeros():
    """A captured body: every non-pointer field is on the wire; zeros JSON would drop are dropped
    (``omitempty``), those it keeps (``currentReplicas``) are kept."""
    assert decode(KUBECTL_HPA_V1) == {
        "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "d1"},
        "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "d1", "apiVersion": "apps/v1"}, "maxReplicas": 5},
        "status": {"currentReplicas": 0, "desiredReplicas": 0}}


def test_messages_are_looked_up_by_group_version():
    """autoscaling/v1's spec field 4 is targetCPUUtilizationPercentage, v2's is metrics."""
    v1 = decode(_envelope("autoscaling/v1", "HorizontalPodAutoscaler", _ld(1, _s(1, "h")) + _ld(2, _vi(3, 4) + _vi(4, 70))))
    assert v1["spec"] == {"maxReplicas": 4, "targetCPUUtilizationPercentage": 70}
    target = _s(1, "Utilization") + _vi(4, 70)
    metric = _s(1, "Resource") + _ld(4, _s(1, "cpu") + _ld(2, target))
    v2 = decode(_envelope("autoscaling/v2", "HorizontalPodAutoscaler", _ld(1, _s(1, "h")) + _ld(2, _vi(3, 4) + _ld(4, metric))))
    assert v2["spec"]["metrics"] == [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]
    with pytest.raises(ProtobufError, match="length-delimited"):  # v2's field 4 is a message, not a number
        decode(_envelope("autoscaling/v2", "HorizontalPodAutoscaler", _ld(2, _vi(4, 70))))
    with pytest.raises(ProtobufError, match="autoscaling/v9 HorizontalPodAutoscaler cannot be sent"):
        decode(_envelope("autoscaling/v9", "HorizontalPodAutoscaler", b""))


def test_rbac_role_keeps_the_empty_core_group_and_priority_class_its_zero_value():
    rule = _s(1, "get") + _s(1, "list") + _s(2, "") + _s(3, "pods")
    role = decode(_envelope("rbac.authorization.k8s.io/v1", "Role", _ld(1, _s(1, "r")) + _ld(2, rule)))
    assert role["rules"] == [{"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]}]
    pc = decode(_envelope("scheduling.k8s.io/v1", "PriorityClass", _ld(1, _s(1, "zero")) + _vi(2, 0) + _vi(3, 0) + _s(4, "")))
    assert pc == {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "zero"}, "value": 0}


def test_micro_time_time_maps_and_raw_extensions():
    event = (_ld(1, _s(1, "e")) + _ld(2, _vi(1, 1767323045) + _vi(2, 123456789)) + _s(4, "example.com/poker")
             + _ld(8, _s(1, "Pod") + _s(3, "p")) + _s(10, "poked"))
    assert decode(_envelope("events.k8s.io/v1", "Event", event)) == {
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e"},
        "eventTime": "2026-01-02T03:04:05.123456Z", "reportingController": "example.com/poker",
        "regarding": {"kind": "Pod", "name": "p"}, "note": "poked"}
    status = _vi(1, 2) + _ld(2, _s(1, "web-0") + _ld(2, _vi(1, 1767323045))) + _vi(3, 0)
    pdb = decode(_envelope("policy/v1", "PodDisruptionBudget", _ld(1, _s(1, "p")) + _ld(3, status)))
    assert pdb["status"] == {"observedGeneration": 2, "disruptedPods": {"web-0": "2026-01-02T03:04:05Z"}, "disruptionsAllowed": 0}
    rev = decode(_envelope("apps/v1", "ControllerRevision", _ld(1, _s(1, "r")) + _ld(2, _ld(1, b'{"spec":{"x":1}}')) + _vi(3, 2)))
    assert rev["data"] == {"spec": {"x": 1}} and rev["revision"] == 2
