"""Live mode: k9py's live backend (the official ``kubernetes`` client) against `k9py serve` with
10,000 pods, the server in a process of its own (``benchmarks.serve.served``).

- live_first_paint_10k_ms: from `:pods -A` to the first painted frame showing all 10,000 rows
  (the backend discovered, nothing of pods cached: the list, the decode, the informer, the paint).
- live_key_latency_p95_ms: cursor keys (down) pressed one at a time on that view, key to the next
  painted frame, the server idle.
- live_churn_key_latency_p95_ms: the same while the server changes 1,000 pods a second (and the
  view's watch delivers them).
- live_history_key_latency_p95_ms / _max_ms: cursor keys typed by another thread every 30 ms
  (as a terminal delivers them, whatever the event loop is doing) from the first paint until the
  time machine's history holds every Event of a cluster that also keeps 100,000 (a 10,000-pod
  cluster's hour; at least 60 keys): each key's ms from being typed to the first frame showing
  the cursor that far down. The history's watches of every kind list, write and roll their
  segments meanwhile. (The keys above are pressed by the measuring coroutine on the event loop:
  a stall of the loop between two keys is not seen there; here it is.)

Nothing in ``--quick``: starting a served 10,000-pod cluster and a live app alone takes ~10 s.
"""

from __future__ import annotations

import asyncio
import pathlib
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from textual import events

from benchmarks.common import SIZE, Figure, p95
from benchmarks.serve import served
from k9py.backends.live import LiveBackend, LiveOptions
from k9py.store.history import History
from k9py.ui.app import K9pyApp
from k9py.ui.launch import HISTORY_DELAY

FIGURES: dict[str, Figure] = {
    "live_first_paint_10k_ms": ("ms", 1500, True),
    "live_key_latency_p95_ms": ("ms", 50, True),
    "live_churn_key_latency_p95_ms": ("ms", 100, True),
    "live_history_key_latency_p95_ms": ("ms", 100, True),
    "live_history_key_latency_max_ms": ("ms", None, True),
}

PODS = 10_000
EVENTS = 100_000
TYPED_EVERY = 0.03  # s between typed keys (a key held down repeats at ~30 a second)
POLL = 0.001  # seconds between looks at the screen: a busy wait would starve the backend's threads of the GIL


async def until(cond: Callable[[], Any], timeout: float = 60.0) -> None:
    end = time.perf_counter() + timeout
    while not cond():
        if time.perf_counter() > end:
            raise TimeoutError("benchmark condition not reached")
        await asyncio.sleep(POLL)


def press_down(app: Any) -> None:
    """A cursor key as the terminal driver delivers it (pilot.press adds waits of its own)."""
    event = events.Key("j", "j")
    event.set_sender(app)
    app._driver.send_message(event)


async def keys(app: Any, count: int) -> list[float]:
    """ms from each cursor key to the table's next paint (one key at a time)."""
    out = []
    for _ in range(count):
        before: int = app.table.paints

        def painted(before: int = before) -> bool:
            return bool(app.table.paints > before)

        t0 = time.perf_counter()
        press_down(app)
        await until(painted, 10)
        out.append((time.perf_counter() - t0) * 1000)
        await asyncio.sleep(0.02)  # a typist's pace, not a flood (the idle loop in between)
    return out


async def typed_keys(app: Any, count: int, more: Callable[[], bool]) -> list[float]:
    """Keys typed from another thread every ``TYPED_EVERY`` s (``count``, then more while
    ``more()``); each one's ms from being typed to the first frame showing it (the cursor at
    least that many rows down)."""
    table = app.table
    frames: list[tuple[float, int]] = []  # (when, the cursor's row) of each frame of the table
    real = table.render_lines

    def render_lines(crop: Any) -> Any:
        out = real(crop)
        frames.append((time.perf_counter(), table.cursor_index))
        return out

    table.render_lines = render_lines
    start = table.cursor_index
    typed: list[float] = []
    stop = threading.Event()

    def typist() -> None:
        """A key every TYPED_EVERY s, each counted from when it was due: a terminal delivers it
        then, even while this thread waits for the GIL (a decode holding it): such keys go as
        soon as the thread runs, their wait counted."""
        began = time.perf_counter()
        while not stop.is_set():
            due = began + len(typed) * TYPED_EVERY
            if time.perf_counter() < due:
                stop.wait(due - time.perf_counter())
                continue
            event = events.Key("j", "j")
            event.set_sender(app)
            typed.append(due)
            app._driver.send_message(event)

    thread = threading.Thread(target=typist, daemon=True)
    thread.start()
    while len(typed) < count or more():
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.to_thread(thread.join)
    await until(lambda: bool(frames) and frames[-1][1] >= start + len(typed), 60)
    return [(next(t for t, row in frames if row >= start + i and t >= sent) - sent) * 1000
            for i, sent in enumerate(typed, start=1)]


async def session(kubeconfig: str, key_count: int, history_events: int = 0) -> tuple[float, list[float]]:
    """The app as `k9py --live` opens it: the time machine's history on (its watches of every
    kind start HISTORY_DELAY after the first frame, in a temporary directory). With
    ``history_events``, keys go on until the history holds that many Events."""
    backend = LiveBackend(LiveOptions(kubeconfig=kubeconfig))
    root = pathlib.Path(tempfile.mkdtemp(prefix="k9py-bench-history-"))
    made: list[History] = []

    def history(b: Any) -> History:
        made.append(History(root, b.info().context, start_delay=HISTORY_DELAY))
        return made[-1]

    deadline = time.perf_counter() + 300

    def taking_in() -> bool:
        """Whether the history holds fewer than ``history_events`` Events."""
        if not history_events or time.perf_counter() > deadline:
            return False
        return not made or len(made[0].kinds.get("Event", ())) < history_events

    app = K9pyApp(backend, view="ns", namespace="", history=history)
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await backend.ensure_discovery()
        await until(lambda: app.model is not None and len(app.model) > 0)
        await pilot.pause()
        t0 = time.perf_counter()
        app.run_command("pods -A")
        m = app.model
        assert m is not None
        await until(lambda: app.table.painted_model is m and len(m) >= PODS, 120)
        first = (time.perf_counter() - t0) * 1000
        await pilot.pause()
        lat = await (typed_keys(app, key_count, taking_in) if history_events else keys(app, key_count))
    await backend.close()
    shutil.rmtree(root, ignore_errors=True)
    return first, lat


async def _measure() -> dict[str, float]:
    out: dict[str, float] = {}
    with served(PODS) as kubeconfig:
        first, lat = await session(kubeconfig, 60)
    out["live_first_paint_10k_ms"] = first
    out["live_key_latency_p95_ms"] = p95(lat)
    with served(PODS, churn_per_s=1000) as kubeconfig:
        _, lat = await session(kubeconfig, 60)
    out["live_churn_key_latency_p95_ms"] = p95(lat)
    with served(PODS, events=EVENTS) as kubeconfig:
        _, lat = await session(kubeconfig, 60, EVENTS)
    out["live_history_key_latency_p95_ms"] = p95(lat)
    out["live_history_key_latency_max_ms"] = max(lat)
    return out


def measure(quick: bool) -> dict[str, float]:
    """Nothing in ``--quick``: a served 10,000-pod cluster and a live app take ~10 s to start."""
    return {} if quick else asyncio.run(_measure())
