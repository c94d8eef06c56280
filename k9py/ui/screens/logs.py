"""`l` / `p` logs: one container, all containers of a pod (lines prefixed by the container's
name, as k9s shows a pod of several containers and no default one; `a` toggles all and the
default), or every pod of a workload (lines prefixed ``pod container`` like stern), followed as
they come through ``Backend.logs``.

A workload's view follows its pods like stern: it watches the namespace's pods through the app's
informer and starts a stream for each container of a newly selected pod once it runs (a
replacement, a scaled-up or restarted one); a deleted pod's stream ends with its container, a pod
relabelled out of the selection is dropped. With several streams, their first batches are shown
merged in timestamp order.

Keys (k9s): `s` autoscroll (scrolling up pauses it, End resumes), `w` wrap, `t` timestamps,
`j` JSON pretty-print, `0`–`6` time window (tail, head, 1m, 5m, 15m, 30m, 1h), `/` regex filter
with highlight, `n`/`N`, `c` copy, `ctrl-s` save (whole lines), `f` full screen, `esc`/`q` back.
Memory is bounded by a ``LogBuffer``; a status line shows the toggles and buffered/dropped counts
(with ``spill``, lines beyond the buffer go to a temporary file, deleted when the view closes,
and stay reachable by scrolling back).

Fast streams: a line costs its append to the buffer and nothing else; rows are made when painted
(``LogRows``). The view catches up at most once a frame (``FRAME_S``) without a layout (only the
scroll range grows), and the status line is rewritten a few times a second (``STATUS_S``), laid
out again only when its words change length.
"""

from __future__ import annotations

import asyncio
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.geometry import Size
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Static

from k9py.backends.base import Backend
from k9py.errors import K9pyError
from k9py.explorer.session import Session
from k9py.kube import meta, podcontainers, selectors
from k9py.store.informer import Cache, Diff, Subscription
from k9py.ui import theme
from k9py.ui.screens.viewer import LinesView, ViewerScreen, key_value_text
from k9py.ui.widgets.menu import Hint
from k9py.view.inert import inert_line
from k9py.view.logbuffer import DEFAULT_CAPACITY, LogBuffer, LogLine, merge_by_time, split_timestamp
from k9py.view.logrows import LogRows, Row

Obj = dict[str, Any]

# k9s's log time windows, keys 0-6 (keymap ids logs.window_LABEL): (label, since_seconds, head)
WINDOWS = [("tail", None, False), ("head", None, True), ("1m", 60, False), ("5m", 300, False),
           ("15m", 900, False), ("30m", 1800, False), ("1h", 3600, False)]
DEFAULT_TAIL = 100  # k9s logger.tail
PREFIXES = 8  # distinct colours for pod/container prefixes (the skin's: theme "logs.prefix.N")
FRAME_S = 1 / 60  # the view catches up with its stream at most this often (not on a manual clock)
STATUS_S = 0.25  # and rewrites its status line at most this often
WIDEST = 100  # newest rows measured per catch-up for the horizontal scroll range


@dataclass(frozen=True)
class LogSource:
    namespace: str
    pod: str
    container: str
    prefix: str = ""  # "pod container" when several sources (stern)
    uid: str = ""  # the pod's uid when known: a StatefulSet's replacement pod keeps the name


class WorkloadSources(list[LogSource]):
    """``workload_sources``' answer: the sources, plus the workload and the pods they came from
    so that the log view can follow the pods the workload selects from then on (stern)."""

    def __init__(self, sources: list[LogSource], workload: Obj, pods: list[Obj]) -> None:
        super().__init__(sources)
        self.workload = workload
        self.pods = pods


def container_sources(namespace: str, pod: str, containers: list[str]) -> list[LogSource]:
    """A pod's ``containers``, each line prefixed by its container's name when several (k9s)."""
    many = len(containers) > 1
    return [LogSource(namespace, pod, c, c if many else "") for c in containers]


def pod_logs_title(where: str, sources: list[LogSource], previous: bool) -> str:
    """``Logs(ns/pod:container)``, without the container when several are shown."""
    one = f":{sources[0].container}" if len(sources) == 1 else ""
    return f"{'Previous logs' if previous else 'Logs'}({where}{one})"


def pod_sources(pod: Obj, containers: list[str] | None = None, *, prefixed: bool | None = None) -> list[LogSource]:
    names = containers if containers is not None else podcontainers.names(pod)
    many = len(names) > 1 if prefixed is None else prefixed
    ns, name, uid = meta.namespace(pod), meta.name(pod), meta.uid(pod)
    return [LogSource(ns, name, c, f"{name} {c}" if many else "", uid) for c in names]


def container_loggable(pod: Obj, container: str) -> tuple[bool, int]:
    """Whether the container has a log to read (running or terminated, not waiting to start),
    and its restart count (a new count means a new container instance to follow)."""
    st = pod.get("status") or {}
    for cs in (st.get("containerStatuses") or []) + (st.get("initContainerStatuses") or []):
        if cs.get("name") == container:
            state = cs.get("state") or {}
            return bool(state.get("running") or state.get("terminated")), int(cs.get("restartCount") or 0)
    return False, 0


async def list_objects(backend: Backend, kind: str, namespace: str | None) -> list[Obj]:
    """A one-off list through the Backend contract."""
    return await backend.list(kind, namespace)


async def workload_sources(backend: Backend, obj: Obj) -> WorkloadSources:
    """Every container of every pod the workload selects (a ReplicaSet, StatefulSet, DaemonSet
    or Job: the ones it controls), prefixed stern style."""
    if selectors.workload_selector(obj) is None:
        return WorkloadSources([], obj, [])
    pods = selectors.selected_pods(obj, await list_objects(backend, "Pod", meta.namespace(obj)))
    out: list[LogSource] = []
    for p in pods:
        out.extend(pod_sources(p, prefixed=True))
    return WorkloadSources(out, obj, pods)


@dataclass(eq=False)
class _Tail:
    """One followed container instance."""
    source: LogSource
    restarts: int | None  # the container's restart count when the tail started (None: unknown)
    task: asyncio.Task[None] | None = None
    alive: bool = True
    failed: bool = False


def since_label(seconds: int) -> str:
    """90 → 90s, 120 → 2m, 7200 → 2h (the logs' status line)."""
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def prefix_style(prefix: str) -> Style:
    return theme.style(f"logs.prefix.{zlib.crc32(prefix.encode()) % PREFIXES}")


Pieces = list[tuple[str, Style | None]]  # a row as (text, style) runs


IN_HELP_ONLY = ("clear", "mark")  # listed by `?`, not in the menu


class LogLinesView(LinesView):
    """The log body: grows without a layout, and paints plain rows (ASCII, no filter
    highlight, no JSON colouring) from ``pieces_at`` straight to segments, without a ``Text``."""

    pieces_at: Callable[[int], Pieces | None] | None = None
    follows_end = True

    def grow(self, count: int, max_width: int) -> None:
        """``set_count`` without a layout when only the scroll range grows (the scrollbar is
        already there and the width is the same): the common case of a followed log."""
        size = Size(max_width, count)
        old = self.virtual_size
        if size == old or (max_width == old.width and count > old.height and self.show_vertical_scrollbar):
            self.count, self.max_width = count, max_width
            if size != old:
                self.set_reactive(LinesView.virtual_size, size)
                self.vertical_scrollbar.window_virtual_size = count
            self.refresh()
            return
        self.set_count(count, max_width)

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        """The scrollbar came (wrapped lines filled the view) or went: the lines' width moved by
        one, so wrapped lines are cut again to the width they have now (once it is laid out)."""
        rewrap = getattr(self.screen, "on_resize", None)
        if rewrap is not None:
            self.call_after_refresh(rewrap)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.top + y
        pieces = self.pieces_at(index) if self.pieces_at is not None and width > 0 and index < self.count else None
        if pieces is None:
            return super().render_line(y)
        bg = theme.style("viewer.bg")
        segments = [Segment(inert_line(text), bg + style if style is not None else bg) for text, style in pieces]
        strip = Strip(segments, sum(len(text) for text, _ in pieces))  # ASCII: a character is a cell
        x = int(self.scroll_x)
        if x or strip.cell_length > width:
            strip = strip.crop(x, x + width)
        return strip.extend_cell_length(width, bg)


class LogScreen(ViewerScreen):
    kind_label = "Logs"
    save_suffix = ".log"
    # End / G (resume autoscroll) are the body's "Bottom" (LinesView), listed under NAVIGATION
    BINDINGS: ClassVar[list[BindingType]] = [  # keymap ids logs.* (`j` is JSON here, not down: k9s's)
        Binding("s", "switch('autoscroll')", "Autoscroll", id="logs.autoscroll"),
        Binding("w", "switch('wrap')", "Wrap", id="logs.wrap"),
        Binding("t", "switch('timestamps')", "Timestamps", id="logs.timestamps"),
        Binding("j", "switch('json')", "JSON", id="logs.json"),
        Binding("C", "clear", "Clear", id="logs.clear"),
        Binding("m", "mark", "Mark", id="logs.mark"),
        Binding("slash", "search", "Filter", id="viewer.search"),
        Binding("a", "all_containers", "All containers", id="logs.all_containers"),
        *[Binding(str(i), f"window({i})", w[0], id=f"logs.window_{w[0]}") for i, w in enumerate(WINDOWS)],
    ]
    HELP_TITLE = "LOGS"
    KEY_SCOPE = "logs"
    LINES = LogLinesView

    def __init__(self, title: str, sources: list[LogSource], *, previous: bool = False,
                 capacity: int = DEFAULT_CAPACITY, tail: int | None = None, follow: bool = True,
                 workload: Obj | None = None, merge_grace: float | None = None,
                 session: Session | None = None, save_dir: Path | None = None, spill: bool = True,
                 every: list[LogSource] | None = None) -> None:
        """``workload`` (or ``sources`` from ``workload_sources``): follow the pods it selects
        over time, like stern. ``merge_grace``: real seconds to wait for the first lines of every
        stream before showing them merged by time (default 0.3 s; none on a manual clock).
        ``session``: the backend streaming the logs and the informer following the workload's
        pods (the app's when not handed over). ``tail``: lines asked for (default: config.yaml's
        logger.tail, which with textWrap, showTime, disableAutoscroll and sinceSeconds sets how
        the view opens). ``spill``: lines beyond ``capacity`` go to a temporary file instead of
        being dropped (``K9pyApp.log_spill``). ``every``: all the pod's containers, which `a`
        shows instead of ``sources`` (its default container) and back, as k9s's toggle does;
        ``title`` is then the pod's ``namespace/name``, and the title says which is shown."""
        self.where = title if every else ""
        self.every = every
        self.chosen = list(sources)
        super().__init__(self._pod_title(sources, previous) if every else title, session=session, save_dir=save_dir)
        self.given = list(sources)
        self.sources: list[LogSource] = list(sources)  # what this window has followed
        listed = sources if isinstance(sources, WorkloadSources) else None
        self.workload = workload if workload is not None else listed.workload if listed is not None else None
        self._pods_at_open: list[Obj] = list(listed.pods) if listed is not None else []
        self.previous = previous
        self.tail = tail if tail is not None else DEFAULT_TAIL
        self._tail_given = tail is not None
        self.since: int | None = None  # config.yaml's sinceSeconds when no window key has it
        self.follow = follow and not previous
        self.merge_grace = merge_grace
        self.buffer = LogBuffer(capacity, spill=spill)
        self.autoscroll = True
        self.wrap = False
        self.timestamps = False
        self.json = False
        self.window = 0
        self.errors: list[str] = []
        self._rows = self._new_rows()  # (line, screen text, part), made as they are painted
        self._tails: dict[tuple[str, str], _Tail] = {}  # (pod uid or name, container) -> tail
        self._held: list[list[tuple[str, str, str]]] | None = None  # first batches being merged
        self._held_open = 0  # initial streams that may still add to their batch
        self._release_task: asyncio.Task[None] | None = None
        self._gen = 0  # bumped by start(): late callbacks of cancelled streams are ignored
        self._pods_sub: Subscription | None = None
        self._link_sub: Subscription | None = None
        self._match_row = -1  # the row `n`/`N` went to
        self._sync_pending = False
        self._synced_at = 0.0  # time.monotonic() of the last _sync
        self._widest_upto = 0  # buffer.total when the scroll width was last measured
        self._status_at = 0.0
        self._status_timer: Timer | None = None
        self._status_key: tuple[int, ...] = ()  # what the status line's height depends on
        self._width = 0

    def offers(self, hint: Hint) -> bool:
        """Time windows apply to current logs, not to a previous container's; `a` to a pod
        with a default container."""
        if hint.action == "all_containers":
            return self.every is not None
        return not (self.previous and hint.action.startswith("window("))

    def _pod_title(self, sources: list[LogSource], previous: bool) -> str:
        return pod_logs_title(self.where, sources, previous)
    def key_hints(self) -> list[Hint]:
        """The menu: k9s's Clear and Mark are left to `?` (the menu fits 80 columns without them)."""
        return [h for h in super().key_hints() if h.action not in IN_HELP_ONLY]

    @property
    def tracking(self) -> bool:
        """Whether pods the workload selects later are picked up (and gone ones dropped)."""
        return self.workload is not None and self.follow

    @property
    def streaming(self) -> int:
        """Streams still open."""
        return sum(1 for t in self._tails.values() if t.alive)

    @property
    def _tasks(self) -> list[asyncio.Task[None]]:
        return [t.task for t in self._tails.values() if t.task is not None and t.alive]

    # -- layout ------------------------------------------------------------------------------
    def fill(self) -> None:
        super().fill()
        self.body.on_user_scroll = self._user_scrolled
        self.log_body.pieces_at = self._pieces
        self.query_one("#viewer-status", Static).display = not self.full_screen
        self.apply_settings()
        self.start()
        if self.tracking and self.workload is not None:
            ns = meta.namespace(self.workload) or None
            self._pods_sub = self.session.informer.subscribe("Pod", ns, self._on_pods)
        if self.follow:  # the nodes' watch (the header's) says when the connection is lost
            self._link_sub = self.session.informer.subscribe("Node", None, self._on_link)

    def on_unmount(self) -> None:
        self.stop()
        self.buffer.close()  # the spill file goes with the view
        for sub in (self._pods_sub, self._link_sub):
            if sub is not None:
                self.session.informer.unsubscribe(sub)
        self._pods_sub = self._link_sub = None

    def on_resize(self) -> None:
        if self.wrap and self.body.scrollable_content_region.width != self._width:
            self._rebuild()

    def render_status(self) -> None:
        self._status_at = time.monotonic()
        status = self.query_one("#viewer-status", Static)
        status.display = not self.full_screen
        parts: list[Text] = []
        for label, on in (("Autoscroll", self.autoscroll), ("FullScreen", self.full_screen),
                          ("Timestamps", self.timestamps), ("Wrap", self.wrap), ("JSON", self.json)):
            parts.append(Text.assemble((f"{label}:", theme.style("logs.label")),
                                       ("On" if on else "Off", theme.style("logs.on" if on else "logs.off"))))
        parts.append(Text.assemble(("Since:", theme.style("logs.label")),
                                   ("previous" if self.previous else self.window_spec()[0], theme.style("logs.value"))))
        parts.append(Text(self.buffer.status(), style=theme.style("logs.value")))
        state = self._link_state() if self.streaming else "stream closed" if self.follow else "done"
        parts.append(Text(state, style=theme.style("logs.state")))
        if self.buffer.pattern:
            parts.append(Text(f"filter /{self.buffer.pattern}/ {self.buffer.visible_count()} lines",
                              style=theme.style("logs.filter")))
        # k9s's five spaces between them; closer when that keeps them on one line (160 columns
        # with a filter), else a second line as it comes (80 columns)
        length = sum(len(p) for p in parts)
        gap = next((g for g in (5, 3, 2) if length + g * (len(parts) - 1) <= status.size.width), 5)
        t = Text(" " * gap).join(parts)
        # its height (auto) changes only if a word's length does: else no layout
        key = (status.size.width, *map(len, t.plain.split(" ")))
        status.update(t, layout=key != self._status_key)
        self._status_key = key

    def _link_state(self) -> str:
        """``streaming``, or while the connection is lost the streams' state (they resume
        where they were once it is back): ``reconnecting`` / ``offline``."""
        state, _ = self.session.connection(self.session.informer.cache("Node", None))
        return state if state in ("reconnecting", "offline") else "streaming"

    def _on_link(self, _cache: Cache, diff: Diff) -> None:
        if diff.state and self.is_mounted:
            self.render_status()

    def status_text(self) -> str:
        return str(self.query_one("#viewer-status", Static).render())

    def apply_settings(self) -> None:
        """How the view opens, as config.yaml's ``logger`` says (k9s's names)."""
        user = getattr(self.app, "user", None)
        if user is None:
            return
        lg = user.settings.logger
        if not self._tail_given:
            self.tail = lg.tail
        self.wrap, self.timestamps, self.autoscroll = lg.text_wrap, lg.show_time, not lg.disable_autoscroll
        if lg.since_seconds > 0 and not self.previous:
            same = [i for i, w in enumerate(WINDOWS) if w[1] == lg.since_seconds]
            if same:
                self.window = same[0]
            else:
                self.since = lg.since_seconds

    def window_spec(self) -> tuple[str, int | None, bool]:
        """(label, since seconds, head) of the window the logs are read in."""
        if self.since is not None:
            return since_label(self.since), self.since, False
        return WINDOWS[self.window]

    # -- streaming ---------------------------------------------------------------------------
    def start(self) -> None:
        """(Re)start every source for the current window. Several sources: their first batches
        are held and shown merged by timestamp once all came (or after ``merge_grace``)."""
        self.stop()
        self._gen += 1
        self.buffer.clear()
        self._rows = self._new_rows()
        self._widest_upto = 0
        self.errors = []
        _label, since, head = self.window_spec()
        tail = None if (head or since is not None or self.previous) else self.tail
        starts = self._current_sources()
        self.sources = []
        many = len(starts) > 1
        self._held = [[] for _ in starts] if many else None
        self._held_open = len(starts) if many else 0
        for i, (src, restarts) in enumerate(starts):
            self._start_tail(src, restarts, tail, since, i if many else None)
        if many:
            self._release_task = asyncio.get_running_loop().create_task(self._release_later(self._gen))
        self._sync()

    def stop(self) -> None:
        for t in self._tails.values():
            if t.task is not None:
                t.task.cancel()
            t.alive = False
        self._tails = {}
        if self._release_task is not None:
            self._release_task.cancel()
            self._release_task = None
        self._held = None

    def _current_sources(self) -> list[tuple[LogSource, int | None]]:
        """What a (re)start follows: for a workload, every started container of the pods it
        selects now (the informer's, else those listed when the view opened); else the given."""
        pods: list[Obj] | None = None
        if self.tracking and self.workload is not None:
            cache = self.session.informer.cache("Pod", meta.namespace(self.workload) or None)
            if cache is not None and cache.synced:
                pods = list(cache.objects.values())
            elif self._pods_at_open:
                pods = self._pods_at_open
        if pods is None:
            return [(src, None) for src in self.given]
        out: list[tuple[LogSource, int | None]] = []
        for pod in selectors.selected_pods(self.workload, pods):  # type: ignore[arg-type]
            for src in pod_sources(pod, prefixed=True):
                ok, restarts = container_loggable(pod, src.container)
                if ok:
                    out.append((src, restarts))
        return out

    def _start_tail(self, src: LogSource, restarts: int | None, tail: int | None, since: int | None,
                    hold: int | None) -> None:
        rec = _Tail(src, restarts)
        self._tails[(src.uid or src.pod, src.container)] = rec
        self.sources.append(src)
        rec.task = asyncio.get_running_loop().create_task(self._stream(rec, tail, since, hold, self._gen))

    async def _stream(self, rec: _Tail, tail: int | None, since: int | None, hold: int | None, gen: int) -> None:
        backend = self.session.backend
        src = rec.source
        prefix = src.prefix
        append = self.buffer.append
        try:
            async for raw in backend.logs(src.namespace, src.pod, src.container, follow=self.follow,
                                          tail_lines=tail, since_seconds=since, previous=self.previous,
                                          timestamps=True):
                ts, text = split_timestamp(raw)
                if hold is not None:
                    held = self._held
                    if held is not None:
                        held[hold].append((ts, text, prefix))
                        continue
                append(text, ts=ts, prefix=prefix)
                if not self._sync_pending:
                    self._schedule()
        except asyncio.CancelledError:
            raise
        except K9pyError as err:
            rec.failed = True
            self.errors.append(str(err))
            self.flash(str(err), "error")
        finally:
            rec.alive = False
            if gen == self._gen:
                if hold is not None and self._held is not None:
                    self._held_open -= 1
                    if self._held_open <= 0:
                        self._release()
                self._schedule()

    async def _release_later(self, gen: int) -> None:
        grace = self.merge_grace
        if grace is None:
            grace = 0.0 if self.session.manual else 0.3
        if grace > 0:
            await asyncio.sleep(grace)
        else:
            for _ in range(3):  # the streams' first batches come in their first steps
                await asyncio.sleep(0)
        if gen == self._gen:
            self._release()

    def _release(self) -> None:
        """Show the held first batches, merged by timestamp; later lines go straight in."""
        held, self._held = self._held, None
        if held is None:
            return
        for ts, text, prefix in merge_by_time(held, lambda r: r[0]):
            self.buffer.append(text, ts=ts, prefix=prefix)
        self._schedule()

    def _on_pods(self, cache: Cache, diff: Diff) -> None:
        """The namespace's pods changed: follow containers of newly selected pods once they
        started (a replacement pod, a restarted container), stop pods no longer selected.
        Looks only at the pods in the diff (all of them after a reset)."""
        if not cache.synced or not self.is_mounted or not self.tracking:
            return
        if diff.reset or diff.synced:
            pods = list(cache.objects.values())
        else:
            pods = [o for o in map(cache.get, diff.added | diff.changed) if o is not None]
        chosen = selectors.selected_pods(self.workload, pods)  # type: ignore[arg-type]
        for pod in chosen:
            uid, name = meta.uid(pod), meta.name(pod)
            for src in pod_sources(pod, prefixed=True):
                key = (uid, src.container)
                rec = self._tails.get(key)
                if rec is None and (name, src.container) in self._tails:  # given without a uid
                    rec = self._tails[key] = self._tails.pop((name, src.container))
                ok, restarts = container_loggable(pod, src.container)
                if rec is not None and rec.restarts is None:
                    rec.restarts = restarts
                if not ok:
                    continue
                if rec is None or (not rec.alive and (rec.failed or restarts != rec.restarts)):
                    # a new container: all of its log (it started after the view opened)
                    self._start_tail(src, restarts, None, None, None)
        dropped = {meta.uid(p) for p in pods} - {meta.uid(p) for p in chosen}
        for key, rec in list(self._tails.items()):
            if rec.alive and key[0] in dropped and rec.task is not None:
                rec.task.cancel()  # still there but no longer selected (relabelled)
                rec.alive, rec.failed = False, True  # selected again later: followed again
        self._schedule()

    def _schedule(self) -> None:
        """Catch up with the stream soon: at once on a manual clock, else once a frame."""
        if self._sync_pending:
            return
        self._sync_pending = True
        wait = 0.0 if self.session.manual else self._synced_at + FRAME_S - time.monotonic()
        if wait <= 0:
            self.call_next(self._sync)
        else:
            self.set_timer(wait, self._sync)

    def _sync(self) -> None:
        """Show the lines that came since the last time (once per frame or burst, not per line)."""
        self._sync_pending = False
        if not self.is_mounted:
            return
        try:
            body = self.body
        except NoMatches:  # the screen is being taken down (its widgets first): lines that came late
            return
        self._synced_at = time.monotonic()
        self._rows.update()
        self.log_body.grow(len(self._rows), max(body.max_width, self._widest()))
        if self.autoscroll:
            body.scroll_end_now()
        self._status_soon()

    def _status_soon(self) -> None:
        """The status line now, or a few times a second while lines pour in."""
        if self._status_timer is not None:
            return
        wait = 0.0 if self.session.manual else self._status_at + STATUS_S - time.monotonic()
        if wait <= 0:
            self.render_status()
        else:
            self._status_timer = self.set_timer(wait, self._status_due)

    def _status_due(self) -> None:
        self._status_timer = None
        if self.is_mounted:
            self.render_status()

    def _widest(self) -> int:
        """The widest of the last rows (those of the lines that came since the last time, up to
        ``WIDEST``): not a pass over all of them per frame."""
        rows = self._rows
        n = len(rows)
        total = self.buffer.total
        new, self._widest_upto = total - self._widest_upto, total
        if not rows.one_per_line:
            return max((len(rows[i][1]) for i in range(max(0, n - WIDEST), n)), default=0) if new else 0
        buf, stamps = self.buffer, self.timestamps  # a row is the line's display: its length, cheaper
        lines = (buf.line(buf.visible_seq(i)) for i in range(max(0, n - min(WIDEST, new)), n))
        widest = max((len(ln.text) + (len(ln.ts) + 1 if stamps and ln.ts else 0) + (len(ln.prefix) + 1 if ln.prefix else 0)
                      for ln in lines), default=0)
        return min(widest, buf.max_display)

    # -- rows --------------------------------------------------------------------------------
    def _new_rows(self) -> LogRows:
        return LogRows(self.buffer, self._expand, one_per_line=not (self.wrap or self.json))

    def _expand(self, line: LogLine) -> list[Row]:
        parts = self.buffer.display(line, timestamps=self.timestamps, json_pretty=self.json)
        if not self.wrap:
            return [(line, s, i) for i, s in enumerate(parts)]
        width = max(10, (self._width or self.body.scrollable_content_region.width or 81) - 1)
        out: list[Row] = []
        for i, s in enumerate(parts):
            chunks = [s[k:k + width] for k in range(0, len(s), width)] or [""]
            out.extend((line, c, i if k == 0 else -1) for k, c in enumerate(chunks))
        return out

    def _rebuild(self) -> None:
        self._width = self.body.scrollable_content_region.width
        self._rows = self._new_rows()
        self._widest_upto = 0
        self.body.max_width = 0
        self._sync()

    def text(self) -> str:
        """What `c` copies and ctrl-s saves: the lines the view shows (the filter's), as k9s."""
        return self.buffer.text(timestamps=self.timestamps, filtered=True)

    @property
    def log_body(self) -> LogLinesView:
        return self.query_one("#viewer-body", LogLinesView)

    def _pieces(self, index: int) -> Pieces | None:
        """Row ``index`` as ``_line`` paints it, for the rows that need no ``Text``: ASCII,
        no filter highlight, no JSON colouring. None for the others."""
        line, s, part = self._rows[index]
        if self.buffer.regex is not None or (self.json and part > 0) or not s.isascii():
            return None
        out: Pieces = []
        lead = 0
        if part == 0:
            if self.timestamps and line.ts:
                if not line.ts.isascii():
                    return None
                out += [(line.ts, theme.style("logs.stamp")), (" ", None)]
                lead += len(line.ts) + 1
            if line.prefix:
                if not line.prefix.isascii():
                    return None
                out += [(line.prefix, prefix_style(line.prefix)), (" ", None)]
                lead += len(line.prefix) + 1
        out.append((s[lead:] if lead <= len(s) else "", theme.style("logs.text")))
        return out

    def _line(self, index: int) -> Text:
        line, s, part = self._rows[index]
        t = Text()
        lead = 0
        if part == 0:
            if self.timestamps and line.ts:
                t.append(line.ts, style=theme.style("logs.stamp"))
                t.append(" ")
                lead += len(line.ts) + 1
            if line.prefix:
                t.append(line.prefix, style=prefix_style(line.prefix))
                t.append(" ")
                lead += len(line.prefix) + 1
        rest = s[lead:] if lead <= len(s) else ""
        if self.json and part > 0:
            t.append_text(key_value_text(rest))
        else:
            t.append(rest, style=theme.style("logs.text"))
        spans = self.buffer.spans(s)
        for a, b in spans:
            t.stylize(theme.style("viewer.current" if index == self._match_row else "viewer.match"), a, b)
        return t

    # -- toggles -----------------------------------------------------------------------------
    def action_switch(self, what: str) -> None:
        if what == "autoscroll":
            self.autoscroll = not self.autoscroll
            if self.autoscroll:
                self.body.scroll_end_now()
        elif what == "wrap":
            self.wrap = not self.wrap
            self._rebuild()
        elif what == "timestamps":
            self.timestamps = not self.timestamps
            self._rebuild()
        elif what == "json":
            self.json = not self.json
            self._rebuild()
        self.render_status()
        self.flash(f"{what.capitalize()} {'on' if getattr(self, what) else 'off'}")

    def action_clear(self) -> None:
        """k9s's Clear (shift-c): the lines shown so far go; the streams go on."""
        self.buffer.clear()
        self._match_row = -1
        self._rebuild()
        self.flash("Logs cleared")

    def action_mark(self) -> None:
        """k9s's Mark: a dashed line across the log, here and now, to tell what comes after it;
        autoscroll on again (k9s follows the log after a mark)."""
        self.buffer.append("-" * max(1, self.body.scrollable_content_region.width - 4))
        self.autoscroll = True
        self._sync()
        self.render_status()

    def _user_scrolled(self, delta: int) -> None:
        if delta < 0 and self.autoscroll:
            self.autoscroll = False
            self.render_status()
        elif delta > 0 and not self.autoscroll and self.body.at_bottom() and delta >= 1 << 30:
            self.action_resume()

    def action_resume(self) -> None:
        self.autoscroll = True
        self.body.scroll_end_now()
        self.render_status()

    def action_all_containers(self) -> None:
        """k9s's `a`: all the pod's containers, or its default one again."""
        if self.every is None:
            self.flash("a: only a pod naming a default container toggles between it and all of its containers", "warn")
            return
        self.given = list(self.chosen if len(self.given) > 1 else self.every)
        self.title_text = self._pod_title(self.given, self.previous)
        self.render_title()
        self.flash("Logs: " + ("all containers" if len(self.given) > 1 else self.given[0].container))
        self.start()

    def action_window(self, n: int) -> None:
        if self.previous:
            self.flash("time windows apply to current logs", "warn")
            return
        self.window, self.since = n, None
        self.flash(f"Logs: {WINDOWS[n][0]}")
        self.start()

    # -- filter (`/`) --------------------------------------------------------------------------
    def apply_search(self, text: str) -> None:
        error = self.buffer.set_filter(text)
        self.search_text = text
        self._match_row = -1
        self.render_title()
        self._rebuild()
        if error:
            self.flash(error, "error")
        elif text:
            self.flash(f"{self.buffer.visible_count()} lines match /{text}/")

    def action_next_match(self, delta: int) -> None:
        rx = self.buffer.regex
        if rx is None or not self._rows:
            return
        n = len(self._rows)
        start = self._match_row
        if start < 0:
            start = self.body.top - (1 if delta > 0 else 0)
        i = start
        for _ in range(n):
            i = (i + delta) % n
            if rx.matches(self._rows[i][1]):
                self._match_row = i
                if self.autoscroll:
                    self.autoscroll = False
                    self.render_status()
                self.body.scroll_line(i)
                self.body.refresh()
                return

    save_nanos = True

    def save_stem(self) -> str:
        """k9s's saveData: the logged object's ``namespace/name`` (the pod's, or the workload's),
        its `:` and `/` made `-`, then the time: ``default-nginx-1733556000000000000.log``."""
        if self.workload is not None:
            ns, name = meta.namespace(self.workload), meta.name(self.workload)
        elif self.given:
            ns, name = self.given[0].namespace, self.given[0].pod
        else:
            return re.sub(r"[:/]+", "-", self.title_text)
        return re.sub(r"[:/]+", "-", f"{ns}/{name}" if ns else name)
