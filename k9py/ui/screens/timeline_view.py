"""`:timeline` / `:tl`: the steps of the running scenario (or what a recording saw happen), past
ones ticked, the next one marked, each with its note; enter puts the play head there.

Every text shown comes from files and clusters (notes, object names, Event messages): lines are
``rich.text.Text`` built with ``append``, never markup."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from k9py.backends.playback import Mark, Playback, Unsubscribe
from k9py.errors import K9pyError
from k9py.ui import theme
from k9py.ui.plain import plain_title
from k9py.ui.screens.filelist import fit_end, fit_middle
from k9py.ui.screens.help import Choices, KeyedScreen
from k9py.ui.widgets.timeline import clock, go_to, playback_of, speed_text, toggle
from k9py.view.inert import inert_line

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp



def _fit_what(what: str, width: int) -> str:
    """A step's words in ``width`` cells: one that ends with an object's name keeps the name's
    end (the pods of one ReplicaSet differ there), any other its start (a log line's words)."""
    last = what.rpartition(" ")[2]
    return (fit_middle if "/" in last or "-" in last else fit_end)(what, width)


def mark_line(mark: Mark, *, is_next: bool, what_width: int) -> Text:
    """``✓ 00:30  delete Pod -l app=web   the note`` (▶ the next one, ✗ one that failed, ⊘ one refused
    as the scenario meant it to be: the API's words follow, in the note's style)."""
    done, error = theme.style("steps.done"), theme.style("steps.error")  # past steps: the skin's sea green
    glyph, style = ("⊘", done) if mark.refused else ("✗", error) if mark.error else ("✓", done) if mark.done else \
        ("▶", theme.style("steps.next")) if is_next else (" ", theme.style("steps.todo"))
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(f"{glyph} {clock(mark.t):>5}  ", style=style)
    what = _fit_what(mark.what, what_width)
    line.append(inert_line(f"{what:<{what_width}}  "), style=style if not mark.done else done)
    line.append(inert_line(mark.error or mark.note),
                style=error if mark.error and not mark.refused else theme.style("steps.note"))
    return line


class TimelineView(KeyedScreen[None]):
    """The play head's marks as a list: enter goes there (a scenario runs again from t=0 when
    that is backwards), space pauses or plays, esc goes back."""

    BINDINGS = [Binding("enter", "go", "Go to", id="timeline.go"),
                Binding("space", "play_pause", "Pause/Play", id="timeline.play_pause"),
                Binding("j", "cursor(1)", "Down", id="down"), Binding("k", "cursor(-1)", "Up", id="up"),
                Binding("g", "edge(False)", "Top", id="top"), Binding("G", "edge(True)", "Bottom", id="bottom"),
                Binding("escape,q", "back", "Back", id="back")]
    HELP_TITLE = "TIMELINE"
    KEY_SCOPE = "timeline"
    KEYS_NOW = True  # keys only: they run in turn with the keys typed behind them (``K9pyApp.on_event``)
    DEFAULT_CSS = """
    TimelineView { background: $k9-bg; }
    TimelineView #timeline-box { height: 1fr; border: round $k9-border; border-title-align: center;
                                 border-title-color: $k9-title; border-title-style: bold; background: $k9-bg; }
    TimelineView #timeline-marks { height: 1fr; background: $k9-bg; padding: 0; text-wrap: nowrap; text-overflow: ellipsis; }
    TimelineView #timeline-status { height: 1; background: $k9-bg; color: $k9-text; }
    """

    def __init__(self, playback: Playback, name: str) -> None:
        super().__init__()
        self.playback = playback
        self.source_name = name
        self.marks: list[Mark] = []
        self._shown: tuple[object, ...] | None = None
        self._unsubscribe: list[Unsubscribe] = []

    def help_title(self) -> str:
        return "Help: timeline"

    def compose(self) -> ComposeResult:
        yield self.key_menu()
        with Vertical(id="timeline-box"):
            yield Choices(id="timeline-marks", compact=True)
        yield Static(id="timeline-status", markup=False)

    @property
    def options(self) -> OptionList:
        return self.query_one("#timeline-marks", OptionList)

    def on_mount(self) -> None:
        pb = self.playback
        self._unsubscribe = [pb.on_change(lambda _: self.refresh_marks()),
                             pb.on_step(lambda _: self.refresh_marks()),
                             pb.on_reload(lambda _: self.refresh_marks())]
        self.refresh_marks()
        nxt = self.next_index()
        if self.marks:
            self.options.highlighted = min(nxt, len(self.marks) - 1)
        self.options.focus()
        if not getattr(self.app, "manual", True):
            self.set_interval(0.5, self.refresh_marks)  # a playing clock moves without telling

    def on_unmount(self) -> None:
        for stop in self._unsubscribe:
            stop()
        self._unsubscribe = []

    def next_index(self) -> int:
        return next((i for i, m in enumerate(self.marks) if not m.done), len(self.marks))

    def refresh_marks(self) -> None:
        """Re-read the marks; the list is rebuilt only when one changed (the cursor stays)."""
        statuses = self.query("#timeline-status")
        if not statuses or not self.query("#timeline-marks"):
            # the screen is going or gone (a seek it started ends after it): its widgets are
            # removed one by one, the status line first
            return
        pb = self.playback
        self.marks = pb.marks()
        nxt = self.next_index()
        shown = (tuple(self.marks), nxt)
        if shown != self._shown:
            self._shown = shown
            keep = self.options.highlighted
            width = self.what_width()
            self.options.clear_options()
            self.options.add_options([Option(mark_line(m, is_next=i == nxt, what_width=width))
                                      for i, m in enumerate(self.marks)])
            if self.marks:
                self.options.highlighted = min(keep if keep is not None else nxt, len(self.marks) - 1)
            box = self.query_one("#timeline-box")
            done = sum(1 for m in self.marks if m.done)
            box.border_title = plain_title(f" timeline({self.source_name})[{done}/{len(self.marks)}] ")
        state = "⏸ paused" if pb.paused else "▶ playing"
        status = f" {state}  {speed_text(pb.speed)}  {clock(pb.position)} / {clock(pb.duration)}"
        if not self.marks:
            status += "  nothing happens after t=0"
        statuses.first(Static).update(Text(inert_line(status)))

    def what_width(self) -> int:
        """Cells for what the steps do: the longest, at most about half the screen (the notes
        keep the rest)."""
        longest = max((len(m.what) for m in self.marks), default=10)
        return min(longest, max(20, ((self.size.width or 80) - 10) // 2))

    def on_resize(self) -> None:
        self._shown = None  # the columns follow the width
        self.refresh_marks()

    def _selected(self) -> Mark | None:
        i = self.options.highlighted
        return self.marks[i] if i is not None and 0 <= i < len(self.marks) else None

    # -- keys ------------------------------------------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_go()

    def action_go(self) -> None:
        mark = self._selected()
        if mark is None:
            return
        try:
            go_to(cast("K9pyApp", self.app), self.playback, mark.t)
        except K9pyError as err:
            self.query_one("#timeline-status", Static).update(Text(inert_line(f" {err}")))
            return
        self.dismiss(None)
        flash = getattr(self.app, "flash", None)
        if flash is not None:
            flash(f"t={clock(mark.t)} {mark.what}")

    def action_play_pause(self) -> None:
        try:
            toggle(cast("K9pyApp", self.app), self.playback)
        except K9pyError as err:
            self.query_one("#timeline-status", Static).update(Text(inert_line(f" {err}")))
            return
        self.refresh_marks()

    def action_cursor(self, delta: int) -> None:
        if self.marks:
            i = self.options.highlighted or 0
            self.options.highlighted = max(0, min(len(self.marks) - 1, i + delta))

    def action_edge(self, bottom: bool) -> None:
        if self.marks:
            self.options.highlighted = len(self.marks) - 1 if bottom else 0

    def action_back(self) -> None:
        self.dismiss(None)


def source_name(path: str | None, fallback: str) -> str:
    """``scenarios/crashloop.yaml`` → ``crashloop``; a recording's ``x.jsonl.gz`` → ``x``."""
    if not path:
        return fallback
    base = os.path.basename(path)
    for ext in (".gz", ".jsonl", ".json", ".yaml", ".yml"):
        base = base.removesuffix(ext)
    return base or fallback


def open_timeline(app: K9pyApp) -> None:
    """`:timeline`: the list for the backend's play head, or a flash saying there is none."""
    pb = playback_of(app.backend)
    if pb is None or not pb.has_timeline:
        app.flash("timeline: nothing is playing (open one with :scenarios, k9py --scenario NAME or k9py replay NAME)",
                  "warn")
        return
    app.push_screen(TimelineView(pb, source_name(pb.path, app.backend.info().cluster)))
