"""End to end: what the real kubectl sends as protobuf (every typed ``create``, ``autoscale``,
``expose``) is read as the JSON kubectl prints for ``--dry-run=client``; the API groups served in a
second version (``autoscaling/v1``, ``events.k8s.io/v1``) convert both ways; ``kubectl events
--for`` (its ``involvedObject.apiVersion`` field selector); an unknown kind is kubectl's own
"no matches for kind" from discovery. No sleeps: every wait polls kubectl against a deadline."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.serve.test_kubectl_e2e import KUBECTL, Server

pytestmark = pytest.mark.e2e

NS = "pb"


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("protobuf"))
    s.kubectl("create", "namespace", NS)
    yield s
    assert s.stop() == 0, "SIGTERM ends `k9py serve` cleanly"


def _covers(want: Any, got: Any, path: str = "") -> list[str]:
    """The paths where ``got`` lacks or differs from what ``want`` has (the server may add more)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [path or "."]
        return [p for k, v in want.items() for p in _covers(v, got.get(k), f"{path}.{k}")]
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [path]
        return [p for i, (a, b) in enumerate(zip(want, got, strict=True)) for p in _covers(a, b, f"{path}[{i}]")]
    return [] if want == got else [path]


def _created_as_dry_run_prints(srv: Server, *args: str) -> dict:
    """Run ``kubectl <args>`` for real (protobuf on the wire) and check the stored object holds
    everything ``--dry-run=client -o json`` prints (kubectl's own JSON of the same object)."""
    def run(*flags: str) -> subprocess.CompletedProcess:
        cut = args.index("--") if "--" in args else len(args)  # flags go before a container's command
        return srv.kubectl(*args[:cut], "-n", NS, *flags, *args[cut:])

    expected = json.loads(run("--dry-run=client", "-o", "json").stdout)
    p = run("-o", "json", "-v=8")  # -v=8: the request headers on stderr
    created = json.loads(p.stdout)
    assert "Content-Type: application/vnd.kubernetes.protobuf" in p.stderr
    expected.pop("status", None)
    assert _covers(expected, created) == [], (expected, created)
    return created


CREATE_COMMANDS = [
    ("create", "role", "pod-reader", "--verb=get,list,watch", "--resource=pods,deployments.apps", "--resource-name=web"),
    ("create", "rolebinding", "read-pods", "--role=pod-reader", "--user=bob", f"--serviceaccount={NS}:robot", "--group=devs"),
    ("create", "clusterrole", "node-reader", "--verb=get,list", "--resource=nodes"),
    ("create", "clusterrole", "logs-reader", "--verb=get", "--non-resource-url=/logs/*"),
    ("create", "clusterrole", "monitoring", "--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true"),
    ("create", "clusterrolebinding", "read-nodes", "--clusterrole=node-reader", "--user=alice", "--group=ops"),
    ("create", "ingress", "shop", "--class=nginx", "--rule=shop.example.com/api*=api:8080,tls=shop-cert",
     "--rule=shop.example.com/=web:http", "--default-backend=fallback:80", "--annotation=team=shop"),
    ("create", "poddisruptionbudget", "web-pdb", "--selector=app=web", "--min-available=1"),
    ("create", "poddisruptionbudget", "api-pdb", "--selector=app=api", "--max-unavailable=50%"),
    ("create", "priorityclass", "high", "--value=1000000", "--description=for the checkout path", "--preemption-policy=Never"),
    ("create", "priorityclass", "zero", "--value=0"),
    ("create", "quota", "counts", "--hard=pods=50,services=30,count/deployments.apps=20,requests.storage=10Gi"),
    ("create", "quota", "best-effort", "--hard=pods=40", "--scopes=BestEffort,NotTerminating"),
    ("create", "secret", "generic", "db", "--from-literal=user=admin", "--from-literal=password=s3cr3t", "--type=Opaque"),
    ("create", "secret", "docker-registry", "regcred", "--docker-server=registry.example.com", "--docker-username=u",
     "--docker-password=p", "--docker-email=u@example.com"),
    ("create", "service", "clusterip", "api", "--tcp=8080:80", "--tcp=9090:9090"),
    ("create", "service", "clusterip", "headless", "--clusterip=None"),
    ("create", "service", "nodeport", "web", "--tcp=80:8080", "--node-port=30099"),
    ("create", "service", "loadbalancer", "lb", "--tcp=443:8443"),
    ("create", "service", "externalname", "ext", "--external-name=db.example.com", "--tcp=5432"),
    ("create", "deployment", "web", "--image=nginx:1.27", "--image=busybox:1.36", "--replicas=3", "--port=80"),
    ("create", "job", "once", "--image=busybox", "--", "sh", "-c", "echo hi"),
    ("create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--restart=OnFailure", "--", "date"),
    ("create", "configmap", "settings", "--from-literal=mode=fast", "--from-literal=level=3"),
    ("create", "serviceaccount", "robot"),
]


@pytest.mark.parametrize("args", CREATE_COMMANDS, ids=lambda a: "-".join(a[1:3]))
def test_typed_create_sends_protobuf_the_server_reads(srv, args):
    created = _created_as_dry_run_prints(srv, *args)
    assert created["metadata"]["name"] in args


def test_create_role_keeps_the_core_group_and_resource_names(srv):
    role = srv.json("get", "role", "pod-reader", "-n", NS)
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["pods"], "resourceNames": ["web"], "verbs": ["get", "list", "watch"]},
        {"apiGroups": ["apps"], "resources": ["deployments"], "resourceNames": ["web"], "verbs": ["get", "list", "watch"]}]
    rb = srv.json("get", "rolebinding", "read-pods", "-n", NS)
    assert rb["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"}
    assert {(s["kind"], s["name"]) for s in rb["subjects"]} == {("User", "bob"), ("Group", "devs"), ("ServiceAccount", "robot")}
    assert srv.json("get", "priorityclass", "zero")["value"] == 0  # no omitempty: a zero is a value


def test_create_secret_tls_and_configmap_from_binary_file(srv, tmp_path: Path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate to make")
    key, crt = tmp_path / "tls.key", tmp_path / "tls.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(crt),
                    "-days", "1", "-subj", "/CN=shop.example.com"], check=True, capture_output=True, timeout=60)
    secret = _created_as_dry_run_prints(srv, "create", "secret", "tls", "shop-cert", f"--cert={crt}", f"--key={key}")
    assert secret["type"] == "kubernetes.io/tls" and set(secret["data"]) == {"tls.crt", "tls.key"}
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)))
    cm = _created_as_dry_run_prints(srv, "create", "configmap", "binary", f"--from-file={blob}")
    assert set(cm["binaryData"]) == {"blob.bin"}


def test_create_job_from_cronjob(srv):
    srv.kubectl("create", "cronjob", "nightly", "-n", NS, "--image=busybox", "--schedule=0 3 * * *", "--", "date")
    job = json.loads(srv.kubectl("create", "job", "nightly-manual", "-n", NS, "--from=cronjob/nightly", "-o", "json").stdout)
    assert job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    assert job["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    assert job["spec"]["template"]["spec"]["containers"][0]["command"] == ["date"]


def test_expose_deployment(srv):
    srv.kubectl("create", "deployment", "shop", "-n", NS, "--image=nginx:1.27", "--port=80")
    out = srv.kubectl("expose", "deployment", "shop", "-n", NS, "--port=8080", "--target-port=80", "--name=shop-svc").stdout
    assert out.strip() == "service/shop-svc exposed"
    svc = srv.json("get", "service", "shop-svc", "-n", NS)
    assert svc["spec"]["selector"] == {"app": "shop"}
    assert svc["spec"]["ports"] == [{"port": 8080, "protocol": "TCP", "targetPort": 80}]


# -- autoscaling/v1 and v2 ---------------------------------------------------------------------

def test_autoscale_creates_a_v2_hpa_served_as_v1_too(srv):
    srv.kubectl("create", "deployment", "scaled", "-n", NS, "--image=nginx:1.27")
    p = srv.kubectl("autoscale", "deployment", "scaled", "-n", NS, "--min=2", "--max=5", "--cpu=60%", "-v=6")
    assert p.stdout.strip() == "horizontalpodautoscaler.autoscaling/scaled autoscaled"
    assert "Falling back" not in p.stderr  # the autoscaling/v2 protobuf body was read
    assert "/apis/autoscaling/v2/namespaces/pb/horizontalpodautoscalers" in p.stderr
    v2 = srv.json("get", "hpa", "scaled", "-n", NS)
    assert v2["apiVersion"] == "autoscaling/v2"
    assert v2["spec"]["metrics"] == [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}}]
    assert (v2["spec"]["minReplicas"], v2["spec"]["maxReplicas"]) == (2, 5)
    v1 = srv.json("get", "horizontalpodautoscalers.v1.autoscaling", "scaled", "-n", NS)
    assert v1["apiVersion"] == "autoscaling/v1"
    assert v1["spec"] == {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "scaled"},
                          "minReplicas": 2, "maxReplicas": 5, "targetCPUUtilizationPercentage": 60}
    watched = srv.kubectl("get", "--raw", f"/apis/autoscaling/v1/namespaces/{NS}/horizontalpodautoscalers"
                          "?watch=1&timeoutSeconds=1&fieldSelector=metadata.name%3Dscaled").stdout.splitlines()
    first = json.loads(watched[0])["object"]
    assert (first["apiVersion"], first["spec"]["targetCPUUtilizationPercentage"]) == ("autoscaling/v1", 60)
    table = srv.kubectl("get", "horizontalpodautoscalers.v1.autoscaling", "scaled", "-n", NS).stdout.splitlines()
    assert table[0].split() == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    assert table[1].split()[:2] == ["scaled", "Deployment/scaled"] and "/60%" in table[1]  # the v2 printer's TARGETS
    versions = srv.kubectl("api-versions").stdout.split()
    assert "autoscaling/v1" in versions and "autoscaling/v2" in versions


def test_autoscaling_v1_manifests_apply_and_convert(srv, tmp_path: Path):
    srv.kubectl("create", "deployment", "legacy", "-n", NS, "--image=nginx:1.27")
    manifest = tmp_path / "hpa.yaml"

    def apply(max_replicas: int, cpu: int) -> str:
        manifest.write_text(f"""\
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: legacy
  namespace: {NS}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: legacy}}
  minReplicas: 1
  maxReplicas: {max_replicas}
  targetCPUUtilizationPercentage: {cpu}
""")
        return srv.kubectl("apply", "-f", str(manifest)).stdout.strip()

    assert apply(4, 70) == "horizontalpodautoscaler.autoscaling/legacy created"
    assert apply(6, 50) == "horizontalpodautoscaler.autoscaling/legacy configured"
    v2 = srv.json("get", "hpa", "legacy", "-n", NS)
    assert v2["spec"]["maxReplicas"] == 6
    assert v2["spec"]["metrics"][0]["resource"]["target"] == {"type": "Utilization", "averageUtilization": 50}
    assert not (v2["metadata"].get("annotations") or {}).keys() & {"autoscaling.alpha.kubernetes.io/metrics"}
    # a v2-only field survives a v1 read-modify-write through the round-trip annotation
    srv.kubectl("patch", "hpa", "legacy", "-n", NS, "--type=merge", "-p",
                '{"spec":{"metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}},'
                '{"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"100Mi"}}}]}}')
    v1 = srv.json("get", "horizontalpodautoscalers.v1.autoscaling", "legacy", "-n", NS)
    assert json.loads(v1["metadata"]["annotations"]["autoscaling.alpha.kubernetes.io/metrics"]) == [
        {"type": "Resource", "resource": {"name": "memory", "targetAverageValue": "100Mi"}}]
    assert apply(7, 50) == "horizontalpodautoscaler.autoscaling/legacy configured"
    metrics = srv.json("get", "hpa", "legacy", "-n", NS)["spec"]["metrics"]
    assert [m["resource"]["name"] for m in metrics] == ["cpu", "memory"]


# -- events ------------------------------------------------------------------------------------

def test_kubectl_events_for_a_pod(srv):
    srv.kubectl("run", "watched", "-n", NS, "--image=nginx:1.27")

    def scheduled() -> str:
        out = srv.kubectl("events", "-n", NS, "--for", "pod/watched").stdout
        return out if "Scheduled" in out and "Started" in out else ""

    out = srv.until("the pod's events", scheduled)
    lines = out.splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert all("Pod/watched" in ln for ln in lines[1:])
    assert any(f"Successfully assigned {NS}/watched to" in ln for ln in lines)


def test_events_k8s_io_group(srv, tmp_path: Path):
    manifest = tmp_path / "event.yaml"
    manifest.write_text(f"""\
apiVersion: events.k8s.io/v1
kind: Event
metadata:
  name: poked
  namespace: {NS}
eventTime: "2026-01-02T03:04:05.123456Z"
regarding: {{apiVersion: v1, kind: Pod, name: poked-pod, namespace: {NS}}}
note: poked by a test
reason: Poked
type: Warning
action: Poke
reportingController: example.com/poker
reportingInstance: poker-1
""")
    assert srv.kubectl("create", "-f", str(manifest)).stdout.strip() == "event.events.k8s.io/poked created"
    new = srv.json("get", "events.v1.events.k8s.io", "poked", "-n", NS)
    assert {k: new[k] for k in ("note", "reason", "type", "action", "reportingController", "reportingInstance", "eventTime")} == {
        "note": "poked by a test", "reason": "Poked", "type": "Warning", "action": "Poke",
        "reportingController": "example.com/poker", "reportingInstance": "poker-1", "eventTime": "2026-01-02T03:04:05.123456Z"}
    assert new["regarding"]["name"] == "poked-pod"
    core = srv.json("get", "events", "poked", "-n", NS)
    assert (core["message"], core["involvedObject"]["name"], core["reportingComponent"]) == (
        "poked by a test", "poked-pod", "example.com/poker")
    out = srv.kubectl("events", "-n", NS, "--for", "pod/poked-pod").stdout
    assert "Poked" in out and "poked by a test" in out
    table = srv.kubectl("get", "events.events.k8s.io", "-n", NS, "--field-selector", "regarding.name=poked-pod").stdout
    lines = table.splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert len(lines) == 2 and "pod/poked-pod" in lines[1] and "poked by a test" in lines[1]
    bad = srv.kubectl("get", "events.events.k8s.io", "-n", NS, "--field-selector", "regarding.color=red", check=False)
    assert "field label not supported: regarding.color" in bad.stderr
    watched = srv.kubectl("get", "--raw", f"/apis/events.k8s.io/v1/namespaces/{NS}/events?watch=1&timeoutSeconds=1"
                          "&fieldSelector=regarding.name%3Dpoked-pod").stdout.splitlines()
    assert [json.loads(ln)["object"]["note"] for ln in watched] == ["poked by a test"]
    versions = srv.kubectl("api-versions").stdout.split()
    assert "events.k8s.io/v1" in versions
    p = srv.kubectl("get", "ev", "-n", NS)
    assert "could also match" not in p.stderr


# -- unknown kinds -----------------------------------------------------------------------------

@pytest.mark.parametrize("verb", [("apply",), ("create",), ("apply", "--server-side")])
def test_unknown_kind_is_kubectls_no_matches(srv, tmp_path: Path, verb):
    f = tmp_path / "f.yaml"
    f.write_text("apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: x\n")
    res = subprocess.run([KUBECTL, "--kubeconfig", str(srv.kubeconfig), *verb, "-f", "f.yaml"], cwd=tmp_path,
                         env=srv.env(), text=True, capture_output=True, timeout=30)
    assert res.returncode == 1
    assert res.stderr.splitlines()[0] == ('error: resource mapping not found for name: "x" namespace: "" from "f.yaml": '
                                          'no matches for kind "Foo" in version "example.com/v1"')

