"""Objects as `kubectl get -o yaml` text: key order, quoting, managedFields, Secret masking."""

import base64

import yaml

from k9py.view.yaml_text import MASK, dump, prepare, to_yaml

POD = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "counter", "namespace": "default", "resourceVersion": "1040", "uid": "u-1",
                 "creationTimestamp": "2026-11-01T09:00:00Z", "labels": {"run": "counter", "tier": "80"},
                 "managedFields": [{"manager": "kubectl-run", "operation": "Update"}]},
    "spec": {"containers": [{"name": "counter", "image": "busybox:1.36",
                             "args": ["/bin/sh", "-c", "echo hi\nsleep 1\n"]}], "volumes": []},
    "status": {"phase": "Running"},
}


def test_kubectl_key_order_and_layout():
    text = to_yaml(POD)
    lines = text.splitlines()
    # top-level keys in kubectl's (sorted) order: apiVersion, kind, metadata, spec, status
    assert [ln.split(":")[0] for ln in lines if ln and not ln.startswith((" ", "-"))] == \
        ["apiVersion", "kind", "metadata", "spec", "status"]
    assert "  creationTimestamp: \"2026-11-01T09:00:00Z\"" in lines  # go-yaml double-quotes times
    assert '    tier: "80"' in lines  # and strings that would read as numbers
    assert '  resourceVersion: "1040"' in lines
    # sequences are not indented under their key, multi-line strings are literal blocks
    i = lines.index("  containers:")
    assert lines[i + 1] == "  - args:"
    assert "    - |" in lines and "      sleep 1" in lines
    assert "  volumes: []" in lines
    assert yaml.safe_load(text) == {k: v for k, v in POD.items() if k != "metadata"} | {
        "metadata": {k: v for k, v in POD["metadata"].items() if k != "managedFields"}}


def test_managed_fields_hidden_unless_asked():
    assert "managedFields" not in to_yaml(POD)
    shown = to_yaml(POD, managed_fields=True)
    assert "  managedFields:\n  - manager: kubectl-run\n    operation: Update\n" in shown
    assert "managedFields" in POD["metadata"]  # the original is never touched


def test_secret_masked_unless_decoded():
    secret = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
              "metadata": {"name": "app-secret", "namespace": "default",
                           "annotations": {"kubectl.kubernetes.io/last-applied-configuration": '{"data":{"password":"czNjcjN0"}}'}},
              "data": {"password": base64.b64encode(b"s3cr3t").decode(), "blob": base64.b64encode(b"\xff\x00").decode()}}
    masked = to_yaml(secret)
    assert "czNjcjN0" not in masked and "s3cr3t" not in masked
    assert f"  password: '{MASK}'" in masked
    assert yaml.safe_load(masked)["data"] == {"password": MASK, "blob": MASK}
    decoded = yaml.safe_load(to_yaml(secret, decode=True))
    assert decoded["data"]["password"] == "s3cr3t"
    assert decoded["data"]["blob"].startswith("<binary data, 2 bytes")
    assert secret["data"]["password"] == "czNjcjN0"


def test_configmap_is_not_masked_and_prepare_copies():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"mode": "demo"}}
    assert "  mode: demo" in to_yaml(cm)
    out = prepare(cm)
    out["data"]["mode"] = "x"
    assert cm["data"]["mode"] == "demo"


def test_dump_scalars_like_go_yaml():
    assert dump({"a": "", "b": "true", "c": True, "d": 3, "e": None, "f": "plain"}) == \
        'a: ""\nb: "true"\nc: true\nd: 3\ne: null\nf: plain\n'
