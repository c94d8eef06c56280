"""A log pane that follows another pane's cursor: the selected pod's containers (prefixed like
stern when there are several), switched a moment after the cursor settles on another pod.

A deliberately small cousin of ``screens/logs.LogScreen``: the same ``Backend.logs`` stream, the
same ``LogBuffer`` (memory-bounded, no spill) and ``LinesView`` body, without the toggles, time
windows or filter. Lines are painted through ``inert_line`` as plain text, never as markup."""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer

from k9py.errors import K9pyError
from k9py.explorer.session import Session
from k9py.kube import meta, podcontainers
from k9py.ui import theme
from k9py.ui.plain import plain_title
from k9py.ui.screens.logs import prefix_style
from k9py.ui.screens.viewer import LinesView
from k9py.view.inert import inert_line
from k9py.view.logbuffer import LogBuffer, split_timestamp

Obj = dict[str, Any]
TAIL = 100  # lines asked for when a pod is picked
CAPACITY = 5000  # lines kept (older ones are dropped: this pane is a glance, the `l` view is the tool)
DEBOUNCE_S = 0.25  # the cursor rests this long before the source switches (none on a manual clock)


class FollowLogs(Vertical, can_focus=False):
    DEFAULT_CSS = """
    FollowLogs { height: 1fr; }
    FollowLogs > LinesView { height: 1fr; border: round $k9-border; border-title-align: center;
                             border-title-color: $k9-title; background: $k9-table-bg; }
    FollowLogs > LinesView:focus { border: round $k9-border-focus; }
    FollowLogs.-unfocused > LinesView { border-title-color: $k9-border; }
    """

    def __init__(self, session: Session, *, manual: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.session = session
        self.manual = manual
        self.buffer = LogBuffer(CAPACITY)
        self.pod_key: tuple[str, str, str] | None = None  # (namespace, name, uid) followed
        self.note = "move the cursor to a pod"  # shown in the title when no pod is followed
        self._none_kept: str | None = None  # the note of a pod none of whose lines the past kept yet
        self._away: str | None = None  # the view the followed pane shows instead of pods
        self._tasks: list[asyncio.Task[None]] = []
        self._gen = 0
        self._sync_pending = False
        self._following = True  # at the newest line when last seen (a hidden body has no bottom to be at)
        self._want: Obj | None = None  # the pod the debounce will switch to
        self._timer: Timer | None = None  # the debounce: restarted by every move, fires once it rests

    def compose(self) -> ComposeResult:
        body = LinesView(self._line, id="follow-body")
        body.follows_end = True  # a log: its newest line stays in sight
        yield body

    @property
    def body(self) -> LinesView:
        return self.query_one("#follow-body", LinesView)

    def on_mount(self) -> None:
        self.render_title()

    def on_unmount(self) -> None:
        self.stop()

    # -- the source --------------------------------------------------------------------------------
    def away(self, view: str | None) -> None:
        """The pane this one follows shows ``view`` instead of pods (None: pods again): the pod
        followed goes on, and the title says why the cursor there no longer moves it."""
        if view != self._away:
            self._away = view
            self.render_title()

    def want(self, pod: Obj | None) -> None:
        """The source pane's cursor is on ``pod`` (None: not on a pod): follow it once it rests."""
        if pod is not None and self._timer is None and self.pod_key == (
                meta.namespace(pod), meta.name(pod), meta.uid(pod)):
            return  # already followed, nothing pending (a tick's check)
        self._want = pod
        if self.manual:
            self.call_later(self._switch)
        elif self._timer is not None:
            self._timer.reset()  # the cursor still moves: wait for it to rest
        else:
            self._timer = self.set_timer(DEBOUNCE_S, self._switch)

    def _switch(self) -> None:
        self._timer = None
        pod = self._want
        if pod is None or not self.is_mounted:
            return
        key = (meta.namespace(pod), meta.name(pod), meta.uid(pod))
        if key != self.pod_key:
            self.follow(pod)

    def follow(self, pod: Obj) -> None:
        """Show ``pod``'s containers' logs from their last ``TAIL`` lines on, followed."""
        self.stop()
        self._gen += 1
        self.buffer.clear()
        if self.is_mounted:  # the last pod's widest line is not this one's
            self.body.set_count(0, 0)
            self.body.scroll_to(x=0, animate=False, immediate=True)
        self.pod_key = (meta.namespace(pod), meta.name(pod), meta.uid(pod))
        past = None
        if self.session.history is not None:  # the time machine keeps what a log pane showed too
            self.session.history.follow_logs(self.pod_key[0], self.pod_key[1])
        elif self.session.present is not None:  # the past: none kept by then is said
            from k9py.ui import timetravel

            past = timetravel.logs_in_the_past(self.session, self.pod_key[0], self.pod_key[1], short=True)
        names = podcontainers.names(pod)
        self._none_kept = past
        self.note = past or ("" if names else "no containers")
        loop = asyncio.get_running_loop()
        for c in names:
            prefix = c if len(names) > 1 else ""
            self._tasks.append(loop.create_task(self._stream(self.pod_key[0], self.pod_key[1], c, prefix, self._gen)))
        self.render_title()
        self._sync()

    def rebind(self, session: Session) -> None:
        """Another Session (`:ctx`, the past): the streams of the old one stop; the next pod the
        cursor rests on is followed on this one."""
        self.stop()
        self._gen += 1
        self.session = session
        self.pod_key = None

    def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks = []

    async def _stream(self, ns: str, pod: str, container: str, prefix: str, gen: int) -> None:
        try:
            async for raw in self.session.backend.logs(ns, pod, container, follow=True, tail_lines=TAIL,
                                                       timestamps=True):
                if gen != self._gen:
                    return
                ts, text = split_timestamp(raw)
                self.buffer.append(text, ts=ts, prefix=prefix)
                if self.note and self.note == self._none_kept:  # the past played on to lines kept
                    self.note = ""
                    self.render_title()
                self._schedule()
        except asyncio.CancelledError:
            raise
        except K9pyError as err:
            if gen == self._gen:
                self.note = str(err)
                self.render_title()

    # -- painting ------------------------------------------------------------------------------------
    def _schedule(self) -> None:
        if not self._sync_pending:
            self._sync_pending = True
            self.call_later(self._sync)

    def _sync(self) -> None:
        self._sync_pending = False
        if not self.is_mounted:
            return
        body = self.body
        count = self.buffer.visible_count()
        # hidden (a zoomed pane beside it), the body has no height: it goes on as it was seen
        at_bottom = body.at_bottom() if body.scrollable_content_region.height > 0 else self._following
        self._following = at_bottom
        body.set_count(count, max(body.max_width, min(self.buffer.max_display, self._newest_width())))
        if at_bottom:
            body.scroll_end_now()

    def _newest_width(self) -> int:
        n = self.buffer.visible_count()
        widths = [len(self._plain(i)) for i in range(max(0, n - 50), n)]
        return max(widths, default=0)

    def _plain(self, index: int) -> str:
        line = self.buffer.line(self.buffer.visible_seq(index))
        return f"{line.prefix} {line.text}" if line.prefix else line.text

    def _line(self, index: int) -> Text:
        line = self.buffer.line(self.buffer.visible_seq(index))
        t = Text()
        if line.prefix:
            t.append(inert_line(line.prefix), style=prefix_style(line.prefix))  # a colour per container, as in the log view
            t.append(" ")
        t.append(inert_line(line.text), style=theme.style("logs.text"))
        return t

    def title(self) -> str:
        shown = f" </{self.buffer.pattern}>" if self.buffer.pattern else ""
        if self.pod_key is None:
            return f"logs: {self.note}{shown}"
        ns, name, _uid = self.pod_key
        note = self.note or (f"its pane shows {self._away}" if self._away else "")
        return f"logs {ns}/{name}" + (f" ({note})" if note else "") + shown

    def apply_filter(self, text: str, *, final: bool = False) -> None:
        """`/` with this pane focused filters its lines (a regex, as the log view's), kept for the
        pods the pane follows next; an empty one shows every line again (``final``: the
        explorer pane's word, nothing more to do here)."""
        self.buffer.set_filter(text)
        self.body.scroll_end_now()
        self._sync()
        self.render_title()

    def render_title(self) -> None:
        if self.is_mounted:
            self.body.border_title = plain_title(f" {self.title()} ")  # names are never markup

    def text(self) -> str:
        """Every line held, one per line (tests)."""
        return "\n".join(self._plain(i) for i in range(self.buffer.visible_count()))
