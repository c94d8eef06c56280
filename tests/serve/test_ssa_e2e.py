"""Server-side apply with field management against `k9py serve`: real kubectl 1.37 (apply
--server-side, scale, edit, --force-conflicts, client-side → server-side) and the official
Python client (dynamic ``server_side_apply``, typed patch with apply-patch+yaml)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from kubernetes import client as k8s
from kubernetes import config, dynamic
from kubernetes.client.rest import ApiException

from k9py.kube.kubeconfig import write_kubeconfig
from tests.serve.test_kubectl_e2e import KUBECTL, Server

pytestmark = pytest.mark.e2e

HINT = "\nPlease review the fields above--they currently have other managers. Here\nare the ways you can resolve this warning:\n"

MANIFEST = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: owned
  labels: {{app: owned{tier}}}
spec:
{replicas}  selector: {{matchLabels: {{app: owned}}}}
  template:
    metadata: {{labels: {{app: owned}}}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{{containerPort: 80}}]
        env: [{env}]
"""


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("ssa"))
    yield s
    assert s.stop() == 0


def _manifest(tmp_path: Path, *, replicas: int | None = 2, tier: bool = True, env: tuple[str, ...] = ("A", "B")) -> str:
    f = tmp_path / "owned.yaml"
    f.write_text(MANIFEST.format(tier=", tier: front" if tier else "",
                                 replicas=f"  replicas: {replicas}\n" if replicas is not None else "",
                                 env=", ".join(f'{{name: {n}, value: "{n.lower()}"}}' for n in env)))
    return str(f)


CONTROLLERS = ("kube-controller-manager", "kubelet", "kube-scheduler")


def _managers(srv: Server, *what: str, controllers: bool = False) -> dict[str, dict]:
    obj = srv.json("get", *what, "--show-managed-fields")
    return {e["manager"] + "/" + e["operation"] + ("/" + e["subresource"] if e.get("subresource") else ""): e["fieldsV1"]
            for e in obj["metadata"]["managedFields"] if controllers or e["manager"] not in CONTROLLERS}


def _edit_replicas(srv: Server, tmp_path: Path, name: str, frm: int, to: int) -> None:
    editor = tmp_path / "editor.sh"
    editor.write_text(f"#!/bin/sh\nsed -i 's/replicas: {frm}$/replicas: {to}/' \"$1\"\n")
    editor.chmod(0o755)
    p = subprocess.run([KUBECTL, "--kubeconfig", str(srv.kubeconfig), "edit", "deployment", name],
                       env={**srv.env(), "KUBE_EDITOR": str(editor)}, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr


def test_kubectl_server_side_apply_conflicts_force_and_removal(srv, tmp_path):
    f = _manifest(tmp_path)
    assert srv.kubectl("apply", "--server-side", "-f", f).stdout.strip() == "deployment.apps/owned serverside-applied"
    fields = _managers(srv, "deploy", "owned")["kubectl/Apply"]
    c = fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}']
    assert c["f:ports"] == {'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}}
    assert set(c["f:env"]) == {'k:{"name":"A"}', 'k:{"name":"B"}'} and fields["f:spec"]["f:replicas"] == {}

    # kubectl scale (the scale subresource, manager "kubectl" from the User-Agent) takes replicas
    srv.kubectl("scale", "deploy/owned", "--replicas", "4")
    assert _managers(srv, "deploy", "owned")["kubectl/Update/scale"] == {"f:spec": {"f:replicas": {}}}
    p = srv.kubectl("apply", "--server-side", "-f", f, check=False)
    assert p.returncode == 1
    assert p.stderr.startswith('error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" '
                               'using apps/v1: .spec.replicas' + HINT), p.stderr
    assert srv.json("get", "deploy", "owned")["spec"]["replicas"] == 4
    srv.kubectl("apply", "--server-side", "--force-conflicts", "-f", f)
    assert srv.json("get", "deploy", "owned")["spec"]["replicas"] == 2
    assert set(_managers(srv, "deploy", "owned")) == {"kubectl/Apply"}

    # kubectl edit (manager kubectl-edit)
    _edit_replicas(srv, tmp_path, "owned", 2, 3)
    assert _managers(srv, "deploy", "owned")["kubectl-edit/Update"] == {"f:spec": {"f:replicas": {}}}
    p = srv.kubectl("apply", "--server-side", "-f", f, check=False)
    assert p.returncode == 1
    assert p.stderr.startswith('error: Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: '
                               '.spec.replicas' + HINT), p.stderr
    srv.kubectl("apply", "--server-side", "--force-conflicts", "-f", f)

    # what the manifest no longer has is removed (replicas back to its default)
    f = _manifest(tmp_path, replicas=None, tier=False, env=("A",))
    srv.kubectl("apply", "--server-side", "-f", f)
    d = srv.json("get", "deploy", "owned")
    assert d["metadata"]["labels"] == {"app": "owned"}
    assert d["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "A", "value": "a"}]
    assert d["spec"]["replicas"] == 1

    # the deployment controller's writes are its own: the revision annotation and the status
    def with_status() -> dict | None:
        m = _managers(srv, "deploy", "owned", controllers=True)
        return m if "kube-controller-manager/Update/status" in m else None
    managers = srv.until("the deployment controller's entries", with_status)
    assert managers["kube-controller-manager/Update"] == {
        "f:metadata": {"f:annotations": {".": {}, "f:deployment.kubernetes.io/revision": {}}}}
    assert set(managers["kube-controller-manager/Update/status"]["f:status"]) >= {"f:replicas", "f:conditions"}


def test_kubectl_client_side_then_server_side_apply(srv, tmp_path):
    f = tmp_path / "cm.yaml"
    f.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: migrated}\ndata: {a: '1', b: '2'}\n")
    srv.kubectl("apply", "-f", str(f))
    csa = _managers(srv, "cm", "migrated")["kubectl-client-side-apply/Update"]
    assert csa["f:data"] == {".": {}, "f:a": {}, "f:b": {}}
    # kubectl moves the client-side manager's fields to its own apply manager: no conflict
    assert srv.kubectl("apply", "--server-side", "-f", str(f)).stdout.strip() == "configmap/migrated serverside-applied"
    managers = _managers(srv, "cm", "migrated")
    assert managers["kubectl/Apply"] == {"f:data": {"f:a": {}, "f:b": {}}}
    assert "kubectl-client-side-apply/Update" not in managers
    f.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: migrated}\ndata: {a: '1'}\n")
    srv.kubectl("apply", "--server-side", "-f", str(f))
    assert srv.json("get", "cm", "migrated")["data"] == {"a": "1"}



def test_kubectl_server_side_apply_of_a_changed_manifest_takes_over_from_client_side_apply(srv, tmp_path):
    """The documented migration with an edited manifest: fields whose live values are still the
    client-side last-applied ones go to kubectl's apply manager without a conflict (the apiserver's
    lastAppliedManager); a field someone else changed since still conflicts, alone."""
    f = tmp_path / "cm.yaml"
    f.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: edited}\ndata: {a: '1', b: '2'}\n")
    srv.kubectl("apply", "-f", str(f))
    srv.kubectl("patch", "cm", "edited", "--type=merge", "-p", '{"data":{"b":"9"}}')
    f.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: edited}\ndata: {a: '5', b: '2'}\n")
    p = srv.kubectl("apply", "--server-side", "-f", str(f), check=False)
    assert p.returncode == 1 and p.stderr.startswith(
        'error: Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: .data.b\n'), p.stderr
    f.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: edited}\ndata: {a: '5'}\n")
    assert srv.kubectl("apply", "--server-side", "-f", str(f)).stdout.strip() == "configmap/edited serverside-applied"
    assert srv.json("get", "cm", "edited")["data"] == {"a": "5", "b": "9"}
    managers = _managers(srv, "cm", "edited")
    assert managers["kubectl/Apply"] == {"f:data": {"f:a": {}}}
    assert "f:a" not in managers.get("kubectl-client-side-apply/Update", {}).get("f:data", {})


# -- the official Python client ----------------------------------------------------------------

@pytest.fixture
def api_client(served, tmp_path):
    path = tmp_path / "kubeconfig"
    write_kubeconfig(str(path), served.url)
    c = config.new_client_from_config(str(path), context="k9py-sim", persist_config=False)
    yield c
    c.close()


def _body(replicas: int | None, image: str = "nginx:1.25") -> dict:
    spec: dict = {"selector": {"matchLabels": {"app": "py"}},
                  "template": {"metadata": {"labels": {"app": "py"}},
                               "spec": {"containers": [{"name": "c", "image": image}]}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "py", "namespace": "default"},
            "spec": spec}


def test_python_client_server_side_apply(api_client):
    dyn = dynamic.DynamicClient(api_client)
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    created = deployments.server_side_apply(body=_body(2), field_manager="py-app")
    assert created.spec.replicas == 2
    assert (created.metadata.managedFields[0].manager, created.metadata.managedFields[0].operation) == ("py-app", "Apply")
    apps = k8s.AppsV1Api(api_client)
    apps.patch_namespaced_deployment_scale("py", "default", {"spec": {"replicas": 5}}, field_manager="hpa-like")
    with pytest.raises(ApiException) as e:
        deployments.server_side_apply(body=_body(2), field_manager="py-app")
    st = json.loads(e.value.body)
    assert e.value.status == 409 and st["reason"] == "Conflict"
    assert st["message"] == 'Apply failed with 1 conflict: conflict with "hpa-like" with subresource "scale" using apps/v1: .spec.replicas'
    assert st["details"] == {"causes": [{"reason": "FieldManagerConflict", "field": ".spec.replicas",
                                         "message": 'conflict with "hpa-like" with subresource "scale" using apps/v1'}]}
    # leaving replicas to the other manager: no conflict, and the image changes
    out = deployments.server_side_apply(body=_body(None, image="nginx:1.26"), field_manager="py-app")
    assert out.spec.replicas == 5 and out.spec.template.spec.containers[0].image == "nginx:1.26"
    forced = deployments.server_side_apply(body=_body(3), field_manager="py-app", force_conflicts=True)
    assert forced.spec.replicas == 3
    assert [(m.manager, m.operation) for m in forced.metadata.managedFields
            if m.manager != "kube-controller-manager"] == [("py-app", "Apply")]
    # the typed client's patch with the apply content type is the same operation
    with pytest.raises(ApiException) as e:
        apps.patch_namespaced_deployment("py", "default", _body(1), field_manager="other",
                                         _content_type="application/apply-patch+yaml")
    assert e.value.status == 409 and 'conflict with "py-app": .spec.replicas' in json.loads(e.value.body)["message"]
