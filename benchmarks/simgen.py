"""The simulator's steady-state cost on the cluster users get from `k9py scenario generate`: CPU
per virtual second of its own timeline's churn, everything it holds running (Deployments,
StatefulSets with claims, DaemonSets on every node, Jobs, Services, pods that stay Pending or
crash-loop).

- sim_tick_generated_10k_ms: ``scenario generate --pods 10000 --nodes 500 --churn 20``, loaded
  as `k9py --scenario FILE` loads it (its one-minute warm-up included, not timed), then CPU ms per
  virtual second over 20 virtual seconds of its timeline (``Cluster.advance(1)`` at a time).
  This is the simulator's share of the CPU while a user watches that cluster at 1x.
- sim_tick_generated_1k_ms (``--quick`` only, instead): 1,000 pods on 50 nodes, 5 seconds.
"""

from __future__ import annotations

import pathlib
import tempfile
import time

from benchmarks.common import SEED, Figure

FIGURES: dict[str, Figure] = {
    "sim_tick_generated_10k_ms": ("ms", None, True),
    "sim_tick_generated_1k_ms": ("ms", None, True),
}

CHURN = 20.0  # timeline changes a second


def cpu_per_second(pods: int, nodes: int, seconds: int) -> float:
    from k9py.scenario.generate import generate
    from k9py.scenario.loader import load_cluster

    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "generated.yaml"
        path.write_text(generate(pods, nodes, churn=CHURN, seed=SEED), encoding="utf-8")
        cluster = load_cluster(str(path))
    cluster.advance(2)  # (the first steps of the timeline: everything woken once)
    t0 = time.process_time()
    for _ in range(seconds):
        cluster.advance(1.0)
    return (time.process_time() - t0) * 1000 / seconds


def measure(quick: bool) -> dict[str, float]:
    if quick:
        return {"sim_tick_generated_1k_ms": cpu_per_second(1_000, 50, 5)}
    return {"sim_tick_generated_10k_ms": cpu_per_second(10_000, 500, 20)}


if __name__ == "__main__":
    import sys
    print(measure("--quick" in sys.argv))
