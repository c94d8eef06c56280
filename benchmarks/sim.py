"""Building a big simulated cluster: `k9py scenario generate` output loaded through the normal
loader and run through the real controllers, scheduler and kubelet.

- sim_build_10k_s: ``scenario generate --pods 10000 --nodes 500`` (written before the clock
  starts), then wall time from reading the file to every pod placed and started: the loader
  parses and checks it, adds the nodes, creates the objects and settles (the workload
  controllers create the pods, the scheduler binds them, the kubelets start them), then the
  virtual clock moves on in 5 s steps until no pod is left unscheduled without a verdict or
  still ContainerCreating (pods made to crash-loop, fail their pull or stay Pending count as
  started once they show it). The checks between steps are not timed.
- sim_build_100k_s: the same with 100,000 pods on 1,000 nodes.
- sim_rss_10k_mb: resident memory of the process right after the 10k build.
- sim_build_1k_s (``--quick`` only, instead of the figures above): 1,000 pods on 50 nodes.

Each size runs in a fresh process (its imports not timed; what the build imports lazily comes
from bytecode, as in an installed k9py: ``common.installed_env``), so one build's heap never
colours another's figures. The log line on stderr splits each build into parse / create+settle / start.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import tempfile
import time
from typing import Any

from benchmarks.common import SEED, Figure, installed_env, rss_mb

FIGURES: dict[str, Figure] = {
    "sim_build_10k_s": ("s", 5, True),
    "sim_build_100k_s": ("s", 60, True),
    "sim_rss_10k_mb": ("MB", 300, True),
    "sim_build_1k_s": ("s", None, True),
}

STEP = 5.0          # virtual seconds between checks
MAX_VIRTUAL = 300.0  # give up (the figure is then the time spent) after this much virtual time
STARTING = ("ContainerCreating", "PodInitializing")


def measure(quick: bool) -> dict[str, float]:
    if quick:
        return {"sim_build_1k_s": _in_child(1_000, 50)["seconds"]}
    small = _in_child(10_000, 500)
    big = _in_child(100_000, 1_000)
    return {"sim_build_10k_s": small["seconds"], "sim_rss_10k_mb": small["rss_mb"],
            "sim_build_100k_s": big["seconds"]}


def _in_child(pods: int, nodes: int) -> dict[str, Any]:
    root = pathlib.Path(__file__).resolve().parent.parent
    cmd = [sys.executable, "-m", "benchmarks.sim", str(pods), str(nodes)]
    proc = subprocess.run(cmd, cwd=root, stdout=subprocess.PIPE, text=True, check=True, env=installed_env())
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def build(pods: int, nodes: int) -> dict[str, Any]:
    """Generate, then time loading and starting; returns seconds, the split and RSS."""
    from k9py.scenario import files
    from k9py.scenario.generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        path = str(pathlib.Path(tmp) / f"sim-{pods}.yaml")
        pathlib.Path(path).write_text(generate(pods, nodes, seed=SEED), encoding="utf-8")
        t0, cpu0 = time.perf_counter(), time.process_time()
        sf = files.parse_file(path)
        t1 = time.perf_counter()
        cluster = files.build_cluster(sf, warmup=0)
    t2 = time.perf_counter()
    running = 0.0
    moved = 0.0
    while not started(cluster) and moved < MAX_VIRTUAL:
        t = time.perf_counter()
        cluster.advance(STEP)
        running += time.perf_counter() - t
        moved += STEP
    total = (t2 - t0) + running
    out = {"seconds": total, "cpu_s": time.process_time() - cpu0, "parse_s": t1 - t0, "settle_s": t2 - t1,
           "start_s": running, "virtual_s": moved, "pods": cluster.store.count("Pod"), "rss_mb": rss_mb()}
    print(f"sim build {pods} pods / {nodes} nodes: {total:.2f}s (parse {out['parse_s']:.2f}, create+settle "
          f"{out['settle_s']:.2f}, start {running:.2f} over {moved:g} virtual s; cpu {out['cpu_s']:.2f}s), "
          f"{out['pods']} pods, rss {out['rss_mb']:.0f} MB", file=sys.stderr)
    return out


def started(cluster: Any) -> bool:
    """Every pod placed and started, or showing why not (Unschedulable, a pull or crash back-off)."""
    for pod in cluster.store.list("Pod"):
        st = pod.get("status") or {}
        if not (pod.get("spec") or {}).get("nodeName"):
            if not any(c.get("type") == "PodScheduled" and c.get("reason") == "Unschedulable"
                       for c in st.get("conditions") or []):
                return False
            continue
        if st.get("phase") in ("Succeeded", "Failed"):
            continue
        statuses = (st.get("initContainerStatuses") or []) + (st.get("containerStatuses") or [])
        if not statuses:
            return False
        for c in statuses:
            waiting = (c.get("state") or {}).get("waiting")
            if waiting is not None and waiting.get("reason") in STARTING:
                return False
    return True


if __name__ == "__main__":
    print(json.dumps(build(int(sys.argv[1]), int(sys.argv[2]))))
