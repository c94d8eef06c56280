"""`:pulses [NS]`: k9s's cluster at a glance. A tile per kind (``k9py.view.pulses.TILES``) with
how many of its objects are ok, warn or in error, kept live from the informer, and the nodes'
CPU and memory over the last minutes (``MetricsCache.history``, sampled on the backend's clock
whenever the app polls metrics).
Arrows / `h` `j` `k` `l` / `tab` move between tiles; `enter` opens the tile's view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Static

from k9py.backends.locked import in_thread
from k9py.explorer.session import Session
from k9py.kube.timefmt import human_duration
from k9py.store.informer import Cache, Diff, Heard, Subscription
from k9py.ui import theme
from k9py.ui.plain import subject_title
from k9py.ui.screens.chrome import Chromed
from k9py.ui.widgets.menu import Hint
from k9py.view import health
from k9py.view import pulses as model

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp

COLORS = theme.Styles("pulse", (health.OK, health.WARN, health.ERROR))  # the skin's chart colours, read when painting


def border(level: str) -> str:
    """A tile's or chart's border colour for ``level`` (the skin's dial colours)."""
    return theme.color(f"pulse-{level}")

LABELS = {health.OK: "ok", health.WARN: "warn", health.ERROR: "error"}
COLUMNS = 4
REPAINT_DELAY = 0.5  # seconds: diffs arriving meanwhile make one repaint
COUNT_ON_LOOP_MAX = 5_000  # objects: a bigger cache is counted in a thread, its tile "loading…" meanwhile
TICK = 1.0  # seconds between chart repaints (the time axis moves)
COMPACT_BELOW = 12 + 5  # the pulses box's rows under which its tiles (2 rows of 6) shrink: the charts keep 5


class Tile(Static):
    """One kind's counts: ok / warn / error lines and a stacked bar of them; the border turns
    red when something is in error, orange when something warns (k9s: green / red)."""

    DEFAULT_CSS = """
    Tile { height: 6; border: round $k9-pulse-ok; border-title-color: $k9-text; border-title-style: bold;
           border-subtitle-color: $k9-text; background: $k9-charts-bg; padding: 0 1; }
    Tile.compact { height: 4; }
    """

    def __init__(self, spec: model.TileSpec) -> None:
        super().__init__(markup=False)
        self.spec = spec
        self.counts = model.Counts()
        self.synced = False
        self.denied: str | None = None  # the user may not list the kind: said, not "loading…" forever
        self.border_title = spec.label

    def update_counts(self, counts: model.Counts, synced: bool, denied: str | None = None) -> None:
        self.counts, self.synced, self.denied = counts, synced, denied
        if self.has_class("-selected"):
            self.styles.border = ("heavy", theme.color("selected"))
            self.styles.border_title_color = theme.color("selected")
        else:
            self.styles.border = ("round", border(counts.level if synced else health.OK))
            self.styles.border_title_color = theme.color("text")
        self.border_subtitle = f"{counts.total}" if synced else "" if denied is not None else "…"
        self.refresh()

    def restyle(self) -> None:  # a skin was applied: the borders in its colours
        self.update_counts(self.counts, self.synced, self.denied)

    def render(self) -> Text:
        width = self.content_region.width
        text = Text(no_wrap=True, overflow="crop")
        if not self.synced and self.denied is not None:
            text.no_wrap = False
            text.append("access denied", theme.style("table.denied"))
            return text
        if not self.synced:
            text.append("loading…", theme.style("pulse.muted"))
            return text
        c = self.counts
        muted, faint, count = theme.style("pulse.muted"), theme.style("pulse.faint"), theme.style("pulse.count")
        compact = self.has_class("compact")  # a short screen: the three counts on one line
        for state, n in ((health.OK, c.ok), (health.WARN, c.warn), (health.ERROR, c.error)):
            text.append("● ", COLORS[state] if n else faint)
            if compact:
                text.append(f"{n}", count if n else muted)
                text.append("  " if state != health.ERROR else "\n")
                continue
            text.append(f"{n:>5} ", count if n else muted)
            text.append(LABELS[state] + "\n", COLORS[state] if n else muted)
        for state, cells in model.bar(c, width):
            text.append("█" * cells, COLORS[state])
        if not c.total:
            text.append("─" * width, faint)
        return text


class Chart(Static):
    """The nodes' CPU or memory use over the last ``WINDOW`` seconds, against their allocatable."""

    DEFAULT_CSS = """
    Chart { height: 1fr; width: 1fr; border: round $k9-pulse-ok; border-title-color: $k9-text; border-title-style: bold;
            border-subtitle-color: $k9-muted; background: $k9-charts-bg; padding: 0 1; }
    """

    def __init__(self, what: str) -> None:
        super().__init__(markup=False)
        self.what = what  # "cpu" | "mem"
        self.samples: Sequence[model.Sample] = []
        self.top = 0
        self.denied: str | None = None  # the nodes (their allocatable, the chart's top) may not be listed
        self.now = 0.0
        self.available: bool | None = None
        self.border_title = what.upper()
        self.border_subtitle = f"last {human_duration(model.WINDOW)}"

    def value(self, s: model.Sample) -> float:
        return s[1] if self.what == "cpu" else s[2]

    def update_series(self, samples: Sequence[model.Sample], top: int, now: float, available: bool | None,
                      denied: str | None = None) -> None:
        self.samples, self.top, self.now, self.available, self.denied = samples, top, now, available, denied
        last = self.value(samples[-1]) if samples and available and top else None
        if last is None:
            self.border_title = self.what.upper()
            self.styles.border = ("round", border(health.OK))
        else:
            pct = model.percent(last, top)
            used, total = (f"{int(last)}m", f"{top}m") if self.what == "cpu" else \
                (f"{int(last) // 2**20}Mi", f"{top // 2**20}Mi")
            self.border_title = f"{self.what.upper()} {pct}% ({used}/{total})"
            self.styles.border = ("round", border(model.level(pct)))
        self.refresh()

    def restyle(self) -> None:  # a skin was applied: the border in its colours
        if self.samples:
            self.update_series(self.samples, self.top, self.now, self.available, self.denied)

    def render(self) -> Text:
        width, height = self.content_region.width, self.content_region.height
        text = Text(no_wrap=True, overflow="crop")
        if self.available is False:
            text.append("no metrics: the cluster has no metrics-server", theme.style("pulse.muted"))
            return text
        if not self.top and self.denied is not None:  # no allocatable to draw the use against
            text.no_wrap = False
            text.append(f"access denied: {self.denied}", theme.style("table.denied"))
            return text
        if not self.samples or not self.top:
            text.append("waiting for metrics…" if not self.samples else "waiting for the nodes…",
                        theme.style("pulse.muted"))
            return text
        values = model.columns(self.samples, self.now, width, self.value)
        pct = model.percent(self.value(self.samples[-1]), self.top)
        color = COLORS[model.level(pct)]
        text.append("\n".join(model.spark(values, self.top, max(1, height))), color)
        return text


def _denied(cache: Cache | None) -> str | None:
    """Why the user may not list the cache's kind (its watch's 403), None when they may."""
    if cache is None or cache.state != "forbidden":
        return None
    return cache.error or "forbidden"


class TileGrid(Grid, can_focus=True):
    """The tiles, four to a row; its keys move the selection (the screen's ``action_move``)."""

    BINDINGS: ClassVar[list[BindingType]] = [  # the view's ids (config.keymap); h and l are fixed
        Binding("l,right", "screen.move(1)", "Right", id="scroll_right"),
        Binding("h,left", "screen.move(-1)", "Left", id="scroll_left"),
        Binding("j,down", f"screen.move({COLUMNS})", "Down", id="down"),
        Binding("k,up", f"screen.move({-COLUMNS})", "Up", id="up"),
    ]


class PulsesScreen(Chromed):
    """Pulses of ``session``'s cluster in ``namespace`` ("" all namespaces)."""

    BINDINGS = [  # keymap ids pulses.*
        Binding("enter", "goto", "Goto", id="pulses.goto"), Binding("tab", "move(1)", "Next", id="pulses.next"),
        Binding("shift+tab", "move(-1)", "Prev", id="pulses.prev"), Binding("escape,q", "back", "Back", id="back"),
    ]
    HELP_TITLE = "PULSES"
    kind_label = "Pulses"
    FLASH = "pulses-flash"
    MENU_ROWS = 2
    KEY_SCOPE = "pulses"
    KEYS_NOW = True  # keys only: they run in turn with the keys typed behind them (``K9pyApp.on_event``)
    BODY = TileGrid
    DEFAULT_CSS = """
    PulsesScreen { background: $k9-bg; }
    PulsesScreen #pulses-box { height: 1fr; border: round $k9-border; border-title-align: center;
                               border-title-color: $k9-title; border-title-style: bold; background: $k9-charts-bg; }
    PulsesScreen #tiles { grid-size: 4 2; grid-gutter: 0 0; grid-rows: 6; height: 12; }
    PulsesScreen.compact #tiles { grid-rows: 4; height: 8; }
    PulsesScreen #charts { height: 1fr; min-height: 3; }
    PulsesScreen #pulses-flash { height: 1; background: $k9-bg; }
    """

    def __init__(self, session: Session, namespace: str) -> None:
        super().__init__()
        self.session = session
        self.namespace = namespace
        self.selected = 0
        self.subs: list[Subscription] = []
        self._pending = False
        self.counters: dict[tuple[str, str | None], model.Counter] = {}
        self._counting: dict[tuple[str, str | None], Heard] = {}  # tiles counted in a thread: what came meanwhile
        self.repaints = 0  # repaints of the counts so far (tests)

    @property
    def host(self) -> K9pyApp:
        return cast("K9pyApp", self.app)

    @property
    def tiles(self) -> list[Tile]:
        return list(self.query(Tile).results(Tile))

    def help_title(self) -> str:
        return "Help: pulses"

    # -- life --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield from self.chrome_top()
        with Vertical(id="pulses-box"):
            with TileGrid(id="tiles"):
                for spec in model.TILES:
                    yield Tile(spec)
            with Horizontal(id="charts"):
                yield Chart("cpu")
                yield Chart("mem")
        yield from self.chrome_crumbs()
        yield Static(id="pulses-flash")

    def render_title(self) -> None:
        self.query_one("#pulses-box").border_title = subject_title("Pulses", self.namespace or "all")

    def on_mount(self) -> None:
        self.render_title()
        informer = self.session.informer
        for spec in model.TILES:
            ns = (self.namespace or None) if spec.namespaced else None
            counter = self.counters[(spec.kind, ns)] = model.Counter(spec.kind)
            cache = informer.cache(spec.kind, ns)
            read = False
            if cache is not None and cache.synced:  # counted now, not again on the first flush
                self._count(counter, cache)
                read = True
            self.subs.append(informer.subscribe(spec.kind, ns, self._on_diff, has_read=read))
        self.select(0)
        self.query_one(TileGrid).focus()
        self.repaint()
        self.refresh_charts()
        if not self.session.manual:
            self.set_interval(TICK, self.refresh_charts)
            self.host.poll_metrics()

    def _count(self, counter: model.Counter, cache: Cache) -> None:
        """Count a synced cache: at once when it is small, else in a thread (217,000 events and
        30,000 pods took 1.5-3 s of the event loop as the screen opened): the screen paints and
        takes keys meanwhile, the diffs that come are applied when it is done."""
        now = self.session.now()
        if len(cache.objects) <= COUNT_ON_LOOP_MAX:
            counter.reset(cache.objects, now)
            return
        key = (cache.kind, cache.namespace)
        self._counting[key] = Heard()
        objects = dict(cache.objects)  # a snapshot: the loop goes on changing the cache

        async def count() -> None:
            # (a daemon thread: quitting does not wait for it)
            done = await in_thread(lambda: counter.reset(objects, now, stop=lambda: not self.subs))
            if done and self.subs:
                self._counted(counter, cache)
        self.run_worker(count(), group="pulses-count")

    def _counted(self, counter: model.Counter, cache: Cache) -> None:
        """A thread's count is done: the changes heard meanwhile applied (or all counted again)."""
        heard = self._counting.pop((cache.kind, cache.namespace), Heard())
        if heard.reset:  # a re-list came meanwhile: what the thread counted is stale
            self._count(counter, cache)
        else:
            counter.apply((), heard.keys, (), cache.objects.get, self.session.now())
        self.repaint()

    def on_unmount(self) -> None:
        for sub in self.subs:
            self.session.informer.unsubscribe(sub)
        self.subs = []

    def _on_diff(self, cache: Cache, diff: Diff) -> None:
        counter = self.counters.get((cache.kind, cache.namespace))
        if counter is None:
            return
        now = self.session.now()
        heard = self._counting.get((cache.kind, cache.namespace))
        if heard is not None:  # a thread counts it: kept for when it is done
            heard.note(diff)
            return
        if diff.reset:
            self._count(counter, cache)
        elif diff.added or diff.changed or diff.removed:
            counter.apply(diff.added, diff.changed, diff.removed, cache.objects.get, now)
        if self._pending or not self.subs:
            return
        self._pending = True
        if self.session.manual:
            self.call_later(self.repaint)
        else:
            self.set_timer(REPAINT_DELAY, self.repaint)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    def render_chrome(self, hints: list[Hint] | None = None) -> None:
        super().render_chrome(hints)  # (the header shown or not: the box's rows change)
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        """A box too short for the tiles and charts (80x24 under k9s's header: the charts had no
        row left) takes compact tiles: their counts on one line, 4 rows instead of 6."""
        boxes = self.query("#pulses-box")
        if not boxes:
            return
        compact = boxes.first().content_region.height < COMPACT_BELOW
        if compact != self.has_class("compact"):
            self.set_class(compact, "compact")
            for tile in self.tiles:
                tile.set_class(compact, "compact")
                tile.refresh()

    def repaint(self) -> None:
        """Show every tile's counts (kept by its ``Counter`` from the informer's diffs)."""
        self._pending = False
        if not self.is_mounted:
            return
        for tile, sub in zip(self.tiles, self.subs, strict=True):
            cache = self.session.informer.cache(sub.kind, sub.namespace)
            key = (sub.kind, sub.namespace)
            tile.update_counts(self.counters[key].counts,
                               cache is not None and cache.synced and key not in self._counting,
                               _denied(cache))
        self.repaints += 1
        self.refresh_charts()

    def refresh_charts(self) -> None:
        """Repaint the CPU / MEM charts from the session's metrics history."""
        if not self.is_mounted:
            return
        metrics, now = self.session.metrics, self.session.now()
        nodes = self.session.informer.cache("Node", None)
        cpu, mem = model.allocatable(nodes.objects.values() if nodes is not None else ())
        samples = list(metrics.history)
        for chart in self.query(Chart).results(Chart):
            chart.update_series(samples, cpu if chart.what == "cpu" else mem, now, metrics.available, _denied(nodes))

    # -- keys ------------------------------------------------------------------------------------
    def select(self, index: int) -> None:
        tiles = self.tiles
        self.selected = index % len(tiles)
        for i, tile in enumerate(tiles):
            tile.set_class(i == self.selected, "-selected")
            tile.update_counts(tile.counts, tile.synced, tile.denied)

    def action_move(self, delta: int) -> None:
        self.select(self.selected + delta)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_goto(self) -> None:
        """The selected tile's view (in this namespace)."""
        spec = self.tiles[self.selected].spec
        command = f"{spec.view} {self.namespace or 'all'}" if spec.namespaced else spec.view
        if self.host.run_command(command):
            self.dismiss(None)
