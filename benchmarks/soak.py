"""A long run of the explorer, sampled: the demo cluster with churn (a deployment scaled up and
down, pods killed) on the simulator's clock driven fast, the counter's logs followed, and every
virtual minute: resident memory, asyncio tasks, threads and the CPU time spent.

    python benchmarks/soak.py [--minutes 30] [--json OUT]

Bounded buffers and no leaks show as flat RSS, tasks and threads after the first minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pathlib
import sys
import threading
import time
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from benchmarks.common import rss_mb
from k9py.backends.sim import SimBackend
from k9py.scenario.loader import load_cluster
from k9py.ui.app import K9pyApp

SIZE = (160, 45)
STEP = 5.0  # virtual seconds per step


def churn(cluster: Any, minute: int) -> None:
    """Scale the nginx deployment between 1 and 6 replicas and kill a pod, through the API."""
    with cluster.lock:
        d = cluster.store.get("Deployment", "default", "nginx-deployment")
        if d is not None:
            d = {**d, "spec": {**d["spec"], "replicas": 1 + (minute * 5) % 6}}
            cluster.replace(d)
        pods = [p for p in cluster.store.list("Pod", "default") if p["metadata"]["name"].startswith("nginx-deployment")]
        if pods:
            cluster.delete("Pod", "default", pods[minute % len(pods)]["metadata"]["name"])


async def soak(minutes: int) -> list[dict[str, float]]:
    cluster = load_cluster(None, seed=0)
    sim = SimBackend(cluster)
    app = K9pyApp(sim, manual=True)
    samples: list[dict[str, float]] = []
    async with app.run_test(size=SIZE, headless=True) as pilot:
        for _ in range(20):  # the first list into the table
            sim.notify()
            await app.pump()
            await pilot.pause()
            if app.model is not None and len(app.model):
                break
        m = app.model
        assert m is not None
        names = [m.row_at(i).key[1] for i in range(len(m))]  # type: ignore[union-attr]
        app.table.move_to(names.index("counter"))
        await pilot.press("l")  # follow the counter's logs
        await pilot.pause()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for minute in range(minutes + 1):
            if minute:
                churn(cluster, minute)
                for _ in range(int(60 / STEP)):
                    cluster.advance(STEP)
                    sim.notify()
                    await app.pump()
                    await pilot.pause()
            samples.append({"minute": minute, "rss_mb": round(rss_mb(), 1),
                            "tasks": len(asyncio.all_tasks()), "threads": threading.active_count(),
                            "cpu_s": round(time.process_time() - cpu0, 2),
                            "wall_s": round(time.perf_counter() - wall0, 2)})
            print("minute {minute:>3}  rss {rss_mb:7.1f} MB  tasks {tasks:4}  threads {threads:3}  "
                  "cpu {cpu_s:7.2f} s".format(**samples[-1]), flush=True)
    return samples


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--minutes", type=int, default=30, help="virtual minutes to run (default 30)")
    p.add_argument("--json", metavar="OUT", help="write the samples as JSON")
    args = p.parse_args()
    samples = asyncio.run(soak(args.minutes))
    first, last = samples[min(2, len(samples) - 1)], samples[-1]
    print(f"soak_rss_growth_mb {last['rss_mb'] - first['rss_mb']:.1f} (from minute {first['minute']}; target ~0)")
    print(f"soak_task_growth {last['tasks'] - first['tasks']} (target 0)")
    print(f"soak_thread_growth {last['threads'] - first['threads']} (target 0)")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps({"samples": samples}, indent=1))


if __name__ == "__main__":
    main()
