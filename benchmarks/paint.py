"""Painting the pods table: headless app over the simulator's store, seeded.

- first_paint_10k_ms / first_paint_100k_ms: `:pods -A` over 10,000 / 100,000 pods, from the
  command to the first painted frame showing rows, COLD: every run is a new app over a new
  backend, so the pod watch and its cache start empty (median of several runs for 10k).
- datatable_ratio_10k: a Textual DataTable showing the same 10,000 rows (cells precomputed and not
  timed: add_rows to first painted frame), timed in the same run, divided by k9py's first paint.
- first_paint_events_60k_ms: `:events -A` over 60,000 Events (the count a 10,000-pod cluster keeps:
  six a pod as it starts, an hour's worth), cold in the same way, newest first (LAST SEEN: every
  event's time read as the view opens); the median of three runs. Information (no target).
- filter_keystroke_p95_ms / filter_keystroke_100k_p95_ms: `/` filter typed key by key over 10,000 /
  100,000 rows of a view just opened (no idle priming: the first keystroke counts), key press to
  the repaint; filter_first_key_10k_ms / filter_first_key_100k_ms: that first keystroke alone.
- sort_key_100k_ms: `S`, `T`, `N`, `A` (STATUS, RESTARTS, NAME, AGE) pressed in turn over 100,000
  rows of a view just opened (STATUS first: no cell computed yet), each from the key sent to the
  event loop having handled it (free for the next key); the longest of the four.
  sort_rows_100k_ms: the same keys, to the table painting the rows in the new order; the longest
  (information: a sort of that many rows runs in a worker thread, ``SORT_IN_THREAD_MIN``).

A view of 50,000 objects or more loads its rows in a worker thread (``LOAD_IN_THREAD_MIN``): the
waits for those first paints look again every millisecond instead of at once, as an idle app
does not hold the GIL the thread needs.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.keys import _character_to_key
from textual.widgets import DataTable

from benchmarks.common import SEED, SIZE, Figure, p95
from benchmarks.common import until as _until
from k9py.backends.sim import SimBackend
from k9py.ui.app import K9pyApp
from k9py.view.kinds import BY_NAME
from k9py.view.rows import RowModel
from tests.samples import add_events, add_pods, small_cluster

FIGURES: dict[str, Figure] = {
    "first_paint_10k_ms": ("ms", 100, True),
    "first_paint_100k_ms": ("ms", 1000, True),
    "first_paint_events_60k_ms": ("ms", None, True),
    "datatable_ratio_10k": ("x", 15, False),
    "datatable_paint_10k_ms": ("ms", None, True),
    "filter_keystroke_p95_ms": ("ms", 30, True),
    "filter_keystroke_100k_p95_ms": ("ms", 100, True),
    "filter_first_key_10k_ms": ("ms", 30, True),  # the issue: "from the first key"
    "filter_first_key_100k_ms": ("ms", 100, True),
    "sort_key_100k_ms": ("ms", 100, True),  # as a filter key at 100k rows
    "sort_rows_100k_ms": ("ms", None, True),
}
SORT_KEYS = {"S": "STATUS", "T": "RESTARTS", "N": "NAME", "A": "AGE"}
WORDS = ["app-00012", "!load-01", "-l app=app-7", "-f ld7"]
EVENTS = 60_000
THREAD_POLL = 0.001  # seconds between looks at a first paint (a big view loads in a worker thread)


def cluster_with(pods: int) -> Any:
    c = small_cluster(SEED)
    add_pods(c, pods - c.store.count("Pod"), namespaces=20)
    return c


async def first_paints(cluster: Any, runs: int, kind: str = "Pod") -> list[float]:
    """ms from `:pods -A` (``kind``'s view) to the first frame painting its rows, ``runs`` times,
    each in a new app over a new backend (no watch, no cache, no cells from a run before)."""
    out = []
    for _ in range(runs):
        out.append(await _first_paint(cluster, kind))
        gc.collect()  # the app just closed is garbage: not the next run's to collect
    return out


async def _first_paint(cluster: Any, kind: str) -> float:
    app = K9pyApp(SimBackend(cluster), view="ns", namespace="")
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await pilot.pause()
        assert app.session.informer.cache(kind, None) is None  # cold
        t0 = time.perf_counter()
        app.run_command(f"{kind.lower()}s -A")
        # (the model painted: a big one is loaded in a worker thread and replaces the view's first)
        await _until(lambda: app.table.painted_model is app.model and len(app.model) > 0, poll=THREAD_POLL)
        took = (time.perf_counter() - t0) * 1000
        assert len(app.model) == cluster.store.count(kind)
    return took


class _TimedTable(DataTable):
    painted_at: float | None = None

    def render_line(self, y: int):  # type: ignore[no-untyped-def]
        if self.painted_at is None and self.row_count:
            self.painted_at = time.perf_counter()
        return super().render_line(y)


class _DataTableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield _TimedTable()


async def datatable_paint(cluster: Any) -> float:
    m = RowModel(BY_NAME["pods"], all_namespaces=True)
    m.now = cluster.now()
    m.load({(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in cluster.store.list("Pod")})
    rows = [m.cells(m.row_at(i)) for i in range(len(m))]
    app = _DataTableApp()
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await pilot.pause()
        table = app.query_one(_TimedTable)
        t0 = time.perf_counter()
        table.add_columns(*[c.name for c in m.columns])
        table.add_rows(rows)
        await _until(lambda: table.painted_at is not None)
        return (table.painted_at - t0) * 1000  # type: ignore[operator]


async def filter_keystrokes(cluster: Any, words: list[str]) -> list[float]:
    """ms from each key of ``words`` typed at `/` to the table's repaint, in a view just opened
    (its rows' cells not computed ahead: the first keystroke pays for what the view has not done)."""
    app = K9pyApp(SimBackend(cluster), view="pods", namespace="")
    out: list[float] = []
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await _until(lambda: app.table.painted_model is app.model and len(app.model) > 0, poll=THREAD_POLL)
        m = app.model
        for word in words:
            await pilot.press("slash")
            for i, ch in enumerate(word):
                typed = word[: i + 1]
                before, shown = app.table.paints, _on_screen(app)
                t0 = time.perf_counter()
                _send_key(app, ch)  # as the terminal driver does; pilot.press adds its own waits
                # the filter applied, and the table painted it (nothing to paint when the rows on
                # screen stay the same: `-f` then a space)
                await _until(lambda b=before, s=shown, v=typed: app.prompt.value == v
                             and m.filter.text == v.strip() and (app.table.paints > b or _on_screen(app) == s), 30)
                out.append((time.perf_counter() - t0) * 1000)
            await pilot.press("escape")
            await pilot.pause()
    return out


async def sort_keys(cluster: Any) -> tuple[list[float], list[float]]:
    """ms from each of ``SORT_KEYS`` sent to the event loop having handled it, and to the table
    painting the rows in that order, in a view just opened."""
    app = K9pyApp(SimBackend(cluster), view="pods", namespace="")
    handled: list[float] = []
    painted: list[float] = []
    async with app.run_test(size=SIZE, headless=True) as pilot:
        await _until(lambda: app.table.painted_model is app.model and len(app.model) > 0, poll=THREAD_POLL)
        view, m = app.navigator.current, app.model
        assert view is not None and m is not None
        for key, col in SORT_KEYS.items():
            before = app.table.paints
            t0 = time.perf_counter()
            _send_key(app, key)
            await _until(lambda c=col: view.sorting == c or m.sort_col == c, 60, poll=THREAD_POLL)
            handled.append((time.perf_counter() - t0) * 1000)
            await _until(lambda c=col, b=before: m.sort_col == c and view.sorting is None and app.table.paints > b,
                         60, poll=THREAD_POLL)
            painted.append((time.perf_counter() - t0) * 1000)
            await pilot.pause()
    return handled, painted


def _on_screen(app: K9pyApp) -> list[Any]:
    t, m = app.table, app.model
    top = round(t.scroll_y)
    return [m.key_at(i) for i in range(top, top + t.page)] if m is not None else []


def _send_key(app: App[Any], ch: str) -> None:
    key = ch if ch.isalnum() else _character_to_key(ch)
    event = events.Key(key, ch)
    event.set_sender(app)
    app._driver.send_message(event)  # type: ignore[union-attr]


async def _measure(quick: bool) -> dict[str, float]:
    c10 = cluster_with(10_000)
    paints = await first_paints(c10, 3 if quick else 7)
    fp10 = statistics.median(paints)
    dt = await datatable_paint(c10)
    keys = await filter_keystrokes(c10, WORDS[: 2 if quick else 4])
    events = [] if quick else await first_paints(add_events(c10, EVENTS - c10.store.count("Event")), 3, "Event")
    out = {
        "first_paint_10k_ms": fp10,
        "datatable_ratio_10k": dt / fp10,
        "datatable_paint_10k_ms": dt,
        "filter_keystroke_p95_ms": p95(keys),
        "filter_first_key_10k_ms": keys[0],
    }
    if quick:  # building 100,000 pods alone takes longer than --quick may
        return out
    out["first_paint_events_60k_ms"] = statistics.median(events)
    del c10
    gc.collect()
    c100 = cluster_with(100_000)
    keys100 = await filter_keystrokes(c100, WORDS)
    out["first_paint_100k_ms"] = statistics.median(await first_paints(c100, 3))
    out["filter_keystroke_100k_p95_ms"] = p95(keys100)
    out["filter_first_key_100k_ms"] = keys100[0]
    handled, painted = await sort_keys(c100)
    out["sort_key_100k_ms"] = max(handled)
    out["sort_rows_100k_ms"] = max(painted)
    return out


def measure(quick: bool) -> dict[str, float]:
    return asyncio.run(_measure(quick))
