"""The pods table under churn: 10,000 pods, 1,000 pod changes a second of wall time written into
the simulator's store from the app's event loop (status and label changes, deletes and creates),
while `j` / `k` move the cursor.

- churn_key_latency_p95_ms: a key sent (as the terminal driver does) → the first frame painting
  the cursor at its new row.
- churn_lag_p95_ms / churn_lag_max_ms: a pod change written to the store → the first frame
  painting that row's new content (measured on the changes made to rows on screen: a RESTARTS
  count no row had before).
- churn_gc_max_pause_ms / churn_gc_ms_per_s: the cyclic GC's longest pause and its time per
  second of the run (information).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import pathlib
import random
import shutil
import tempfile
import time
from typing import Any

from textual import events

from benchmarks.common import SEED, SIZE, Figure, p95, until
from k9py.backends.sim import SimBackend
from k9py.store.history import History
from k9py.ui.app import K9pyApp
from k9py.ui.launch import HISTORY_DELAY
from tests.samples import add_pods, small_cluster

FIGURES: dict[str, Figure] = {
    "churn_key_latency_p95_ms": ("ms", 50, True),
    "churn_lag_p95_ms": ("ms", 250, True),
    "churn_lag_max_ms": ("ms", 1000, True),
    "churn_gc_max_pause_ms": ("ms", None, True),
    "churn_gc_ms_per_s": ("ms", None, True),
    "churn_keys_lost": ("keys", None, True),
}
PODS = 10_000
RATE = 1000.0  # changes per second of wall time
ON_SCREEN_EVERY = 20  # one change in so many goes to a row on screen (what the lag is measured on)
KEY_GAP = 0.05  # seconds between a key's frame and the next key


class _GcClock:
    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._t0 = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.pauses.append((time.perf_counter() - self._t0) * 1000)


class _Churn:
    """Writes pod changes into the store at RATE a second of wall time; remembers, for the rows on
    screen it changed, when and to which RESTARTS count."""

    def __init__(self, app: K9pyApp, cluster: Any) -> None:
        self.app, self.cluster, self.store = app, cluster, cluster.store
        self.rng = random.Random(SEED)
        self.keys = [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in self.store.list("Pod")]
        self.pending: dict[tuple[str, str], tuple[float, str]] = {}  # key -> (written at, RESTARTS shown)
        self.n = 0
        self.marker = 1000

    def on_screen(self) -> list[tuple[str, str]]:
        t = self.app.table
        m = t.model
        top = round(t.scroll_y)
        return [k for k in (m.key_at(i) for i in range(top, top + t.page)) if k is not None] if m else []

    def change(self) -> None:
        self.n += 1
        rng, store = self.rng, self.store
        if self.n % ON_SCREEN_EVERY == 0 and (shown := self.on_screen()):
            key = rng.choice(shown)
            self.marker += 1
            restarts = self.marker

            def bump(p: dict[str, Any]) -> None:
                p["status"]["containerStatuses"][0]["restartCount"] = restarts
            if store.mutate("Pod", key[0], key[1], bump) is not None and key not in self.pending:
                self.pending[key] = (time.perf_counter(), str(restarts))
            return
        i = rng.randrange(len(self.keys))
        ns, name = self.keys[i]
        roll = rng.random()
        if roll < 0.4:  # status: ready flips, restarts
            def status(p: dict[str, Any]) -> None:
                cs = p["status"]["containerStatuses"][0]
                cs["ready"] = not cs.get("ready")
                cs["restartCount"] = int(cs.get("restartCount") or 0) % 7 + 1
            store.mutate("Pod", ns, name, status)
        elif roll < 0.7:  # labels
            n = self.n

            def label(p: dict[str, Any]) -> None:
                p["metadata"].setdefault("labels", {})["rev"] = str(n)
            store.mutate("Pod", ns, name, label)
        else:  # delete, and a new pod in its place
            if store.get("Pod", ns, name) is not None and (ns, name) not in self.pending:
                old = store.get("Pod", ns, name)
                store.delete("Pod", ns, name)
                new = {k: v for k, v in old.items() if k != "metadata"}
                new["metadata"] = {"name": f"churn-{self.n:07d}", "namespace": ns,
                                   "labels": dict(old["metadata"].get("labels") or {}),
                                   "creationTimestamp": old["metadata"]["creationTimestamp"]}
                store.create(new)
                self.keys[i] = (ns, new["metadata"]["name"])

    async def run(self, seconds: float) -> None:
        start = time.perf_counter()
        done = 0
        while (elapsed := time.perf_counter() - start) < seconds:
            due = int(elapsed * RATE)
            with self.cluster.lock:
                for _ in range(due - done):
                    self.change()
            done = due
            await asyncio.sleep(0.005)


async def _measure(quick: bool) -> dict[str, float]:
    cluster = small_cluster(SEED)
    add_pods(cluster, PODS - cluster.store.count("Pod"), namespaces=20)
    root = pathlib.Path(tempfile.mkdtemp(prefix="k9py-bench-history-"))  # the time machine on, as `k9py` has it
    app = K9pyApp(SimBackend(cluster), view="pods", namespace="",
                  history=lambda b: History(root, b.info().context, start_delay=HISTORY_DELAY))
    seconds = 4.0 if quick else 20.0
    async with app.run_test(size=SIZE, headless=True) as pilot:
        table = app.table
        m = app.model
        await until(lambda: table.painted_model is m and len(m) > 0)
        await pilot.pause()
        restarts_col = m.col_index("RESTARTS")
        churn = _Churn(app, cluster)
        lags: list[float] = []
        painted = asyncio.Event()
        frame_cursor: list[Any] = [table.cursor_key]
        paint_line = table._paint_line

        def timed_paint_line(y: int) -> Any:  # every painted line: what it showed, when
            strip = paint_line(y)
            frame_cursor[0] = table.cursor_key
            painted.set()
            if y >= 1 and churn.pending:
                row = table.model.row_at(round(table.scroll_y) + y - 1) if table.model else None
                if row is not None and row.key in churn.pending and row._cells is not None:
                    t, want = churn.pending[row.key]
                    if row._cells[restarts_col] == want:
                        lags.append((time.perf_counter() - t) * 1000)
                        del churn.pending[row.key]
            return strip
        table._paint_line = timed_paint_line  # type: ignore[method-assign]

        gc_clock = _GcClock()
        gc.callbacks.append(gc_clock)
        keys: list[float] = []
        lost = 0
        task = asyncio.get_running_loop().create_task(churn.run(seconds))
        t_start = time.perf_counter()
        down = True
        try:
            while not task.done():
                key = "j" if down or table.cursor_index == 0 else "k"
                down = not down
                was = table.cursor_key
                t0 = time.perf_counter()
                event = events.Key(key, key)
                event.set_sender(app)
                app._driver.send_message(event)  # type: ignore[union-attr]
                deadline = t0 + 10
                while frame_cursor[0] == was and time.perf_counter() < deadline:  # the cursor's row counts:
                    painted.clear()  # rows coming and going move indexes
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(painted.wait(), max(0.0, deadline - time.perf_counter()))
                if frame_cursor[0] == was:  # the cursor did not move (a key lost, the last row): no figure
                    lost += 1
                else:
                    keys.append((time.perf_counter() - t0) * 1000)
                await asyncio.sleep(KEY_GAP)
        finally:
            run_s = time.perf_counter() - t_start
            gc.callbacks.remove(gc_clock)
            await task
    shutil.rmtree(root, ignore_errors=True)
    return {
        "churn_key_latency_p95_ms": p95(keys),
        "churn_lag_p95_ms": p95(lags) if lags else float("inf"),
        "churn_lag_max_ms": max(lags) if lags else float("inf"),
        "churn_gc_max_pause_ms": max(gc_clock.pauses, default=0.0),
        "churn_gc_ms_per_s": sum(gc_clock.pauses) / run_s,
        "churn_keys_lost": lost,
    }


def measure(quick: bool) -> dict[str, float]:
    return asyncio.run(_measure(quick))
