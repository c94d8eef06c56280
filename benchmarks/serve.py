"""`kubectl get pods -A` (the real kubectl) against `k9py serve` holding 10,000 / 100,000 pods.

- serve_list_10k_ms / serve_list_100k_ms: wall time of ``kubectl get pods -A`` (kubectl pages
  with ``limit=500`` and continue tokens and asks for server-side Tables), its discovery cache
  already warm (a user's kubectl has one). The server is fresh for each size: the first page
  pays for whatever the server caches. kubectl's own client limits it to 5 requests a second
  (bursts of 10), on any cluster: at 500 pods a page, 100k pods cost it at least ~38 s of waiting.
- serve_pages_10k_ms / serve_pages_100k_ms: the server's part: the same pages (``limit=500``,
  continue tokens, Table) fetched over one keep-alive connection as fast as they come.

The served clusters are built straight into the store (``tests.samples``); ``served(pods)``
runs one in a subprocess (``python -m benchmarks.serve --serve PODS``) for the live group too.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, SEED, Figure

FIGURES: dict[str, Figure] = {
    "serve_list_10k_ms": ("ms", 1500, True),
    "serve_list_100k_ms": ("ms", 10000, True),
    "serve_pages_10k_ms": ("ms", 1500, True),
    "serve_pages_100k_ms": ("ms", 10000, True),
}

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"

KUBECTL = str(Path(sys.executable).with_name("kubectl"))


def cluster_with(pods: int, events: int = 0) -> Any:
    from tests.samples import add_events, add_pods, small_cluster
    c = small_cluster(SEED)
    add_pods(c, pods - c.store.count("Pod"), namespaces=20)
    if events:
        add_events(c, events)
    return c


def churn(handle: Any, per_s: float, stop: threading.Event) -> None:
    """Change ``per_s`` pods a second (a label flips), in batches every 50 ms, waking the watches."""
    from k9py.kube import meta
    cluster = handle.cluster
    with cluster.lock:
        keys = [(meta.namespace(p), meta.name(p)) for p in cluster.store.list("Pod")]
    i, batch, step = 0, max(1, int(per_s * 0.05)), 0.05
    next_at = time.monotonic()
    while not stop.is_set():
        with cluster.lock:
            for _ in range(batch):
                ns, name = keys[i % len(keys)]
                i += 1
                cluster.store.mutate("Pod", ns, name, lambda p, i=i: p["metadata"]["labels"].__setitem__("churn", str(i)))
        handle.api.notify()
        next_at += step
        stop.wait(max(0.0, next_at - time.monotonic()))


def serve_main(pods: int, kubeconfig: str, churn_per_s: float, events: int = 0) -> None:
    """The subprocess: serve a ``pods``-pod cluster (with ``events`` more Events), print the
    URL, run until stdin closes."""
    from k9py.kube.kubeconfig import write_kubeconfig
    from k9py.serve.server import ServeHandle
    handle = ServeHandle(cluster_with(pods, events), speed=None).start()
    write_kubeconfig(kubeconfig, handle.url)
    stop = threading.Event()
    if churn_per_s:
        threading.Thread(target=churn, args=(handle, churn_per_s, stop), daemon=True).start()
    print(f"serving {handle.url}", flush=True)
    sys.stdin.read()
    stop.set()
    handle.stop()


@contextlib.contextmanager
def served(pods: int, churn_per_s: float = 0, events: int = 0) -> Iterator[str]:
    """A subprocess serving ``pods`` pods (and ``events`` Events); yields the path of a
    kubeconfig for it."""
    with tempfile.TemporaryDirectory(prefix="k9py-bench-serve-") as tmp:
        kubeconfig = os.path.join(tmp, "kubeconfig")
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks.serve", "--serve", str(pods),
                                 "--kubeconfig", kubeconfig, "--churn", str(churn_per_s),
                                 "--events", str(events)],
                                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not re.match(r"serving http://", line):
                raise RuntimeError(f"the server did not start: {line!r}")
            yield kubeconfig
        finally:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # type: ignore[union-attr]
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def kubectl(kubeconfig: str, *args: str) -> subprocess.CompletedProcess[str]:
    cache = os.path.join(os.path.dirname(kubeconfig), "kubecache")
    env = {**os.environ, "KUBECONFIG": kubeconfig, "KUBECACHEDIR": cache, "HOME": cache}
    return subprocess.run([KUBECTL, "--kubeconfig", kubeconfig, *args], env=env, text=True,
                          capture_output=True, timeout=600, check=True)


def pages_ms(kubeconfig: str, pods: int) -> float:
    """All pages of ``GET /api/v1/pods`` as kubectl asks for them, without kubectl's throttle."""
    import http.client
    import json
    import urllib.parse

    import yaml
    server = yaml.safe_load(Path(kubeconfig).read_text())["clusters"][0]["cluster"]["server"]
    conn = http.client.HTTPConnection(urllib.parse.urlsplit(server).netloc, timeout=600)
    rows, token = 0, ""
    t0 = time.perf_counter()
    while True:
        query = "limit=500" + (f"&continue={urllib.parse.quote(token)}" if token else "")
        conn.request("GET", f"/api/v1/pods?{query}", headers={"Accept": TABLE})
        body = json.loads(conn.getresponse().read())
        rows += len(body["rows"])
        token = body["metadata"].get("continue") or ""
        if not token:
            break
    ms = (time.perf_counter() - t0) * 1000
    conn.close()
    if rows != pods:
        raise RuntimeError(f"the pages held {rows} pods, not {pods}")
    return ms


def list_ms(pods: int) -> tuple[float, float]:
    """(kubectl get pods -A, the same pages without kubectl) in ms, each on a fresh server."""
    with served(pods) as kubeconfig:
        kubectl(kubeconfig, "get", "ns")  # discovery cached, as on a user's machine
        t0 = time.perf_counter()
        out = kubectl(kubeconfig, "get", "pods", "-A").stdout
        ms = (time.perf_counter() - t0) * 1000
    rows = out.count("\n") - 1
    if rows != pods:
        raise RuntimeError(f"kubectl listed {rows} pods, not {pods}")
    with served(pods) as kubeconfig:
        server_ms = pages_ms(kubeconfig, pods)
    return ms, server_ms


def measure(quick: bool) -> dict[str, float]:
    out: dict[str, float] = {}
    out["serve_list_10k_ms"], out["serve_pages_10k_ms"] = list_ms(10_000)
    if not quick:
        out["serve_list_100k_ms"], out["serve_pages_100k_ms"] = list_ms(100_000)
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--serve", type=int, required=True)
    p.add_argument("--kubeconfig", required=True)
    p.add_argument("--churn", type=float, default=0)
    p.add_argument("--events", type=int, default=0)
    a = p.parse_args()
    serve_main(a.serve, a.kubeconfig, a.churn, a.events)
