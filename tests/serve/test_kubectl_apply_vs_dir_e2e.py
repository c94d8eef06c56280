"""kubectl apply (client-side) and :dir's `a` applying the same files over the same live objects
(each in a namespace of its own on one `k9py serve`) leave the same objects and say the same."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from k9py.backends.live import LiveBackend, LiveOptions
from k9py.explorer import manifests
from tests.serve.test_kubectl_e2e import Server


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("applyvsdir"))
    yield s
    assert s.stop() == 0


WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: LABELS
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
CONTAINERS"""
NGINX = "      - name: nginx\n        image: nginx:1.27\n"
SIDE = "      - name: side\n        image: busybox:1.36\n"
PORTS = "        ports: [{containerPort: 80}, {containerPort: 443}]\n"


def web(labels: str, containers: str) -> str:
    return WEB.replace("LABELS", labels).replace("CONTAINERS", containers)


CASES = {
    # a label and a container dropped, a port changed and a container put first, while another
    # client's label, env var and replicas stay
    "edits": (web("{app: web, tier: front}", NGINX + PORTS + SIDE),
              [["label", "deploy", "web", "theirs=x"], ["set", "env", "deploy/web", "-c", "nginx", "FOO=bar"],
               ["scale", "deploy/web", "--replicas=3"]],
              web("{app: web, tier2: x}", "      - name: third\n        image: redis:7\n" + NGINX
                  + PORTS.replace("443", "8080"))),
    # made by kubectl create: kubectl's warning, then the patch
    "created": (None, [["create", "configmap", "cfg", "--from-literal=a=1", "--from-literal=b=2"]],
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: '2'\n"),
}


def live(srv: Server, ns: str) -> dict:
    out = {}
    for kind in ("deployments", "configmaps"):
        for obj in srv.json("get", kind, "-n", ns)["items"]:
            md = obj["metadata"]
            if md["name"] == "kube-root-ca.crt":
                continue
            ann = dict(md.get("annotations") or {})
            last = ann.pop(manifests.LAST_APPLIED, None)
            applied = json.loads(last) if last else None
            if applied:
                applied["metadata"].pop("namespace", None)
            out[f"{kind}/{md['name']}"] = {"labels": md.get("labels"), "annotations": ann, "applied": applied,
                                           "spec": obj.get("spec"), "data": obj.get("data")}
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_kubectl_apply_and_dir_apply_leave_the_same_objects(srv, tmp_path: Path, case: str):
    first, edits, second = CASES[case]
    said = {}
    for who in ("kubectl", "k9py"):
        ns = f"{case}-{who}"
        srv.kubectl("create", "namespace", ns)
        if first is not None:
            (tmp_path / "first.yaml").write_text(first)
            srv.kubectl("apply", "-n", ns, "-f", str(tmp_path / "first.yaml"))
        for edit in edits:
            srv.kubectl(*edit, "-n", ns)
        (tmp_path / "second.yaml").write_text(second)
        if who == "kubectl":
            p = srv.kubectl("apply", "-n", ns, "-f", str(tmp_path / "second.yaml"))
            said[who] = p.stderr.splitlines() + p.stdout.splitlines()
        else:
            said[who] = asyncio.run(_dir_apply(srv, tmp_path / "second.yaml", ns))
    assert said["k9py"] == said["kubectl"]
    for ns in (f"{case}-kubectl", f"{case}-k9py"):  # the deployment controller's revision annotation follows each apply
        srv.until(f"{ns}'s deployments observed", lambda ns=ns: _observed(srv, ns))
    assert live(srv, f"{case}-k9py") == live(srv, f"{case}-kubectl")
    if case == "edits":  # what both kept: the other clients' changes
        got = live(srv, "edits-k9py")["deployments/web"]
        assert got["labels"] == {"app": "web", "tier2": "x", "theirs": "x"} and got["spec"]["replicas"] == 3
        containers = got["spec"]["template"]["spec"]["containers"]
        assert [c["name"] for c in containers] == ["third", "nginx"]
        assert containers[1]["env"] == [{"name": "FOO", "value": "bar"}]
        assert [p["containerPort"] for p in containers[1]["ports"]] == [80, 8080]


def _observed(srv: Server, ns: str) -> bool:
    """Every Deployment of ``ns`` seen by its controller at its generation (its revision set)."""
    return all(d.get("status", {}).get("observedGeneration") == d["metadata"].get("generation")
               for d in srv.json("get", "deployments", "-n", ns)["items"])


async def _dir_apply(srv: Server, path: Path, ns: str) -> list[str]:
    backend = LiveBackend(LiveOptions(kubeconfig=str(srv.kubeconfig)))
    try:
        return await manifests.apply(backend, manifests.read_manifests(path), ns)
    finally:
        await backend.close()

