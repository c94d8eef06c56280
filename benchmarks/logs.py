"""The log view at high rates: a headless app following a firehose container.

The backend is the simulator's, with one extra pod whose ``logs`` stream produces lines as fast
as the view takes them, in chunks the way a network stream hands them over (a chunk of lines,
then a turn of the event loop). The view is the real ``LogScreen`` on the app's session, default
settings (the k9s 5,000-line buffer held in memory, older lines spilled to disk).

- log_follow_lines_per_s: lines the view took in per second while following.
- log_follow_fps: frames the log view painted per second over the same time.
- log_lines_lost: lines produced that can no longer be reached by scrolling back (checked by
  reading the first and last reachable rows against what was produced).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from textual.css.query import NoMatches

from benchmarks.common import SIZE, Figure, until
from k9py.backends.sim import SimBackend
from k9py.ui.app import K9pyApp
from k9py.ui.screens.logs import LogScreen, LogSource
from tests.ui.simcluster import sim_cluster

FIGURES: dict[str, Figure] = {
    "log_follow_lines_per_s": ("lines/s", 50_000, False),
    "log_follow_fps": ("fps", 20, False),
    "log_lines_lost": ("lines", 0, True),
}

CHUNK = 256  # lines per network read (~32 KB of 120-byte lines)
_STAMPS = [f"2026-12-03T10:{s // 60:02d}:{s % 60:02d}.{s * 7919 % 1000:03d}000000Z" for s in range(3600)]
_BODIES = [f'10.0.3.{i % 250} - - "GET /api/v1/items?page={i} HTTP/1.1" {(200, 200, 304, 404, 500)[i % 5]} '
           f'{i * 37 % 5000} "-" "curl/8.5.0" rt=0.{i * 13 % 999:03d}' for i in range(977)]


def line(i: int) -> str:
    """Line ``i`` of the firehose (~120 characters, made cheaply: the producer is not measured
    apart from the view, so it should cost what reading a network chunk does)."""
    return f"{_STAMPS[i // 1000 % 3600]} {i}: {_BODIES[i % 977]}"


class FirehoseBackend(SimBackend):
    """The simulator, plus a pod ``firehose`` whose log never ends and never waits."""

    produced = 0
    running = True

    async def logs(self, namespace: str, pod: str, container: str | None = None, *, follow: bool = False,
                   tail_lines: int | None = None, since_seconds: float | None = None,
                   previous: bool = False, timestamps: bool = False) -> AsyncIterator[str]:
        if pod != "firehose":
            async for raw in super().logs(namespace, pod, container, follow=follow, tail_lines=tail_lines,
                                          since_seconds=since_seconds, previous=previous, timestamps=timestamps):
                yield raw
            return
        while self.running:
            start = self.produced
            for i in range(start, start + CHUNK):
                self.produced = i + 1
                yield line(i)
            await asyncio.sleep(0)


async def follow(seconds: float, view: type[LogScreen] = LogScreen, **kw: Any) -> dict[str, float]:
    backend = FirehoseBackend(sim_cluster())
    app = K9pyApp(backend)
    try:
        return await _follow(app, backend, seconds, view, **kw)
    except NoMatches:  # the app's clock tick racing its own shutdown (k9py/ui/app.py), after the figures
        if _taken:
            return _taken.pop()
        raise


_taken: list[dict[str, float]] = []


async def _follow(app: K9pyApp, backend: FirehoseBackend, seconds: float, view: type[LogScreen],
                  **kw: Any) -> dict[str, float]:
    _taken.clear()
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await pilot.pause()
        screen = view("Logs(default/firehose:main)", [LogSource("default", "firehose", "main")],
                        session=app.session, **kw)
        frames = [0]  # frames sent to the terminal in which the log body was painted
        await app.push_screen(screen)
        body = screen.body
        paint, refresh = body.render_lines, screen._compositor_refresh
        updates, painted_in = [0], [-1]

        def counted(crop: Any) -> Any:
            if painted_in[0] != updates[0]:
                painted_in[0] = updates[0]
                frames[0] += 1
            return paint(crop)

        def update() -> None:
            refresh()
            updates[0] += 1

        body.render_lines = counted  # type: ignore[method-assign]
        screen._compositor_refresh = update  # type: ignore[method-assign]
        await until(lambda: backend.produced > 0)
        n0, f0, t0 = screen.buffer.total, frames[0], time.perf_counter()
        await asyncio.sleep(seconds)
        n1, f1, t1 = screen.buffer.total, frames[0], time.perf_counter()
        backend.running = False
        await until(lambda: not screen.streaming)
        await pilot.pause()
        produced = backend.produced
        rows = screen._rows
        reachable = len(rows)
        lost = produced - reachable
        skipped = produced - reachable
        for i in sorted({*range(0, reachable, max(1, reachable // 500)), reachable - 1}):  # what scrolling shows
            if rows[i][0].text != line(skipped + i).split(" ", 1)[1]:
                lost = produced  # what is reachable is not what was produced
                break
        _taken.append({"log_follow_lines_per_s": (n1 - n0) / (t1 - t0), "log_follow_fps": (f1 - f0) / (t1 - t0),
                       "log_lines_lost": float(lost)})
        screen.dismiss(None)
        await pilot.pause()
    return _taken.pop()


def measure(quick: bool) -> dict[str, float]:
    return asyncio.run(follow(1.5 if quick else 6.0, spill=True))
