"""A long run of the explorer, sampled: the demo cluster with churn (a deployment scaled up and
down, pods killed) on the simulator's clock driven fast, the counter's logs followed, and every
virtual minute: resident memory, asyncio tasks, threads, the CPU time spent and the time
machine's history on disk (on, as by default, with the limits given).

    python benchmarks/soak.py [--minutes 30] [--json OUT] [--history-age 2h] [--history-size 200MB]

Bounded buffers and no leaks show as flat RSS, tasks and threads after the first minutes; the
history stays under its size limit and holds at most its age limit (plus one segment).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pathlib
import sys
import tempfile
import threading
import time
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from benchmarks.common import rss_mb
from k9py.backends.sim import SimBackend
from k9py.config.schema import parse_size
from k9py.kube.timefmt import parse_duration
from k9py.scenario.loader import load_cluster
from k9py.store.history import History, Limits
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


def disk_bytes(folder: pathlib.Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


async def soak(minutes: int, limits: Limits | None) -> list[dict[str, float]]:
    """``limits``: the time machine's (None: no history)."""
    cluster = load_cluster(None, seed=0)
    sim = SimBackend(cluster)
    root = pathlib.Path(tempfile.mkdtemp(prefix="k9py-soak-history-"))
    app = K9pyApp(sim, manual=True, history=None if limits is None else
                  (lambda b: History(root, "soak", limits, poll_logs=False)))
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
        history = app.session.history
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for minute in range(minutes + 1):
            if minute:
                churn(cluster, minute)
                for _ in range(int(60 / STEP)):
                    cluster.advance(STEP)
                    sim.notify()
                    await app.pump()
                    await pilot.pause()
                    if history is not None:
                        await history.poll_logs()
            history = app.session.history
            samples.append({"minute": minute, "rss_mb": round(rss_mb(), 1),
                            "tasks": len(asyncio.all_tasks()), "threads": threading.active_count(),
                            "cpu_s": round(time.process_time() - cpu0, 2),
                            "wall_s": round(time.perf_counter() - wall0, 2),
                            "history_mb": round(disk_bytes(root) / 2**20, 2),
                            "history_span_min": round((history.now_t - history.first_t) / 60, 1) if history else 0.0,
                            "history_events": history.events if history else 0})
            print("minute {minute:>3}  rss {rss_mb:7.1f} MB  tasks {tasks:4}  threads {threads:3}  "
                  "cpu {cpu_s:7.2f} s  history {history_mb:6.2f} MB over {history_span_min:5.1f} min "
                  "({history_events} events)".format(**samples[-1]), flush=True)
    return samples


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--minutes", type=int, default=30, help="virtual minutes to run (default 30)")
    p.add_argument("--json", metavar="OUT", help="write the samples as JSON")
    p.add_argument("--history-age", default="2h", help="the time machine's maxAge (default 2h)")
    p.add_argument("--history-size", default="200MB", help="the time machine's maxSize (default 200MB)")
    p.add_argument("--no-history", action="store_true", help="without the time machine (to compare)")
    args = p.parse_args()
    limits = None if args.no_history else Limits(max_age=parse_duration(args.history_age),
                                                  max_bytes=parse_size(args.history_size))
    samples = asyncio.run(soak(args.minutes, limits))
    first, last = samples[min(2, len(samples) - 1)], samples[-1]
    print(f"soak_rss_growth_mb {last['rss_mb'] - first['rss_mb']:.1f} (from minute {first['minute']}; target ~0)")
    print(f"soak_task_growth {last['tasks'] - first['tasks']} (target 0)")
    print(f"soak_thread_growth {last['threads'] - first['threads']} (target 0)")
    peak = max(x["history_mb"] for x in samples)
    span = max(x["history_span_min"] for x in samples)
    if limits is not None:
        print(f"soak_history_peak_mb {peak:.2f} (limit {limits.max_bytes / 2**20:.1f})")
        print(f"soak_history_span_max_min {span:.1f} (limit {limits.max_age / 60:.0f} + one segment, "
              f"{limits.segment_seconds / 60:.0f})")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps({"samples": samples}, indent=1))


if __name__ == "__main__":
    main()
