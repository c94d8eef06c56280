"""The replay timeline bar (position, duration, speed, paused/playing, event count), the replay
keys, and the `:scenarios` picker. The bar and keys work when the backend plays something with
a timeline (``Capability.PLAYBACK``): a Recording, or a Scenario (steps instead of events; a
seek back runs the simulator again from t=0); elsewhere (the demo's plain manifests, a live
cluster) the keys fall through to their usual bindings (``SkipAction``)."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from k9py.backends.base import Backend, Capability
from k9py.backends.playback import Playback, clock
from k9py.errors import K9pyError
from k9py.ui import theme
from k9py.view.inert import inert_line

if TYPE_CHECKING:
    from k9py.explorer.session import Session
    from k9py.scenario.catalog import Entry
    from k9py.scenario.timeline import Fired
    from k9py.ui.app import K9pyApp
    from k9py.ui.widgets.pane import ExplorerPane

# key → what it does to the play head; priority bindings so they win over the table's keys, but
# only while replaying (space is Mark and - is Last view otherwise)
KEYS = [
    ("space", "toggle", "<space>", "Pause/Play"),
    ("plus", "faster", "<+>", "Faster"),
    ("minus", "slower", "<->", "Slower"),
    ("full_stop", "step_forward", "<.>", "Next event"),
    ("comma", "step_back", "<,>", "Previous event"),
    ("greater_than_sign", "forward", "<>>", "+10s"),
    ("less_than_sign", "backward", "<<>", "-10s"),
    ("home", "home", "<home>", "Start"),
    ("end", "end", "<end>", "End"),
]
BINDINGS = [Binding(key, f"replay('{what}')", desc, show=False, priority=True) for key, what, _, desc in KEYS]
HINTS = [(label, desc) for _, _, label, desc in KEYS]


def playback_of(backend: Backend) -> Playback | None:
    """The backend's play head, when it has one (``Capability.PLAYBACK``)."""
    return backend.playback() if backend.supports(Capability.PLAYBACK) else None


def hints(backend: Backend) -> list[tuple[str, str]]:
    """The replay keys that work on ``backend``: all of them for a recording or a scenario,
    none without a timeline (the demo's plain manifests keep space for Mark)."""
    pb = playback_of(backend)
    if pb is None or not pb.has_timeline:
        return []
    if not pb.seekable:
        return [("<space>", "Resume")]
    return [(key, desc.replace("event", "step")) for key, desc in HINTS] if pb.unit == "steps" else HINTS


MIN_BAR = 6  # cells of progress bar at the least: in a narrow pane the event count, then the clock give way
SLOW_PACE = 0.8  # below this share of the speed asked, the bar says how fast the clock really runs


def speed_text(speed: float) -> str:
    return f"{speed:g}x"


class Timeline(Static):
    """One line: ▶/⏸, speed, a progress bar, position / duration, events (steps) played / total."""

    DEFAULT_CSS = "Timeline { height: 1; background: $k9-bg; }"

    def __init__(self, playback: Playback, session: Session | None = None, **kw: Any) -> None:
        """The play head of ``session`` (its backend's ``playback``). In the past (the time
        machine) the left end says the past's moment instead of playing/paused, and the spans
        where nothing was watched are drawn dashed."""
        super().__init__(**kw)
        self.playback = playback
        self.session = session
        self.going = False  # removed by ``place`` (until it is gone)
        self._unsubscribe: Callable[[], None] | None = None

    def label(self) -> str | None:
        if self.session is None or self.session.present is None:
            return None
        from k9py.ui import timetravel

        return timetravel.label(self.session)

    def gaps(self) -> list[tuple[float, float]]:
        if self.session is None or self.session.present is None:
            return []
        from k9py.ui import timetravel

        return timetravel.gaps(self.session)

    def show(self, playback: Playback, session: Session) -> None:
        """Show ``session``'s play head (its pane moved to it: `:ctx`, the past, now, or the
        focus came back to the pane)."""
        self.display = True
        if playback is self.playback and session is self.session and self._unsubscribe is not None:
            return
        self.on_unmount()
        self.playback, self.session = playback, session
        self._unsubscribe = playback.on_change(self._moved)
        self.refresh()

    def hide(self) -> None:
        """Another pane shows the bar of this pane's Session now: this one is hidden (kept for
        when the focus comes back), deaf to its play head and holding no Session."""
        self.display = False
        self.on_unmount()
        self.session = None

    def on_mount(self) -> None:
        self._unsubscribe = self.playback.on_change(self._moved)
        if not getattr(self.app, "manual", True):
            self.set_interval(0.5, self.refresh)  # a scenario's clock moves without telling

    def _moved(self, _: None) -> None:
        self.refresh()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def render(self) -> Text:
        p = self.playback
        heading = p.heading  # a seek under way (a scenario's: the simulator runs there)
        reading = p.reading  # a file read and built to replace what plays: the clock waits
        playing = not p.paused and not reading
        state = ("» seeking" if heading is not None else "» loading" if reading
                 else "▶ playing" if playing else "⏸ paused ")
        left = Text()
        label = self.label()
        if label is not None:  # the time machine: say loudly that this is the past
            left.append(f" {label} ", style=theme.style("timeline.paused"))
        else:
            left.append(f" {state} ", style=theme.style("timeline.playing" if playing or heading is not None or reading
                                                         else "timeline.paused"))
        left.append(f" {speed_text(p.speed):>5} ", style=theme.style("timeline.speed"))
        pace = p.pace
        if playing and heading is None and pace < SLOW_PACE:  # a simulator too big for the machine: slow motion, said
            runs_at = float(f"{p.speed * pace:.1g}")  # one significant digit: 0.237 → 0.2
            left.append(f"(runs at {speed_text(runs_at)}) ", style=theme.style("timeline.slow"))
        to = "" if heading is None else f" → {clock(heading)}"
        right = Text()
        right.append(f" {clock(p.position)}{to} / {clock(p.duration)} ", style=theme.style("timeline.clock"))
        events = Text()
        events.append(f" {p.unit} {p.events_played}/{p.total_events} ", style=theme.style("timeline.events"))
        room = (self.size.width or 100) - left.cell_len
        if room - right.cell_len - events.cell_len >= MIN_BAR:
            right.append_text(events)
        elif room - right.cell_len < MIN_BAR:  # a narrow pane (a split): the bar first, then the clock
            right = Text()
        width = max(1, room - right.cell_len)
        frac = 0.0 if p.duration <= 0 else min(1.0, p.position / p.duration)
        head = min(width - 1, round(frac * (width - 1)))
        bar = Text()
        bar.append("━" * head, style=theme.style("timeline.played"))
        bar.append("●", style=theme.style("timeline.head"))
        bar.append("─" * (width - head - 1), style=theme.style("timeline.rest"))
        if p.duration > 0:
            _dash(bar, self.gaps(), p.duration, width, head)
        return left + bar + right


def _dash(bar: Text, gaps: list[tuple[float, float]], duration: float, width: int, head: int) -> None:
    """The cells of ``bar`` whose moment falls in one of ``gaps`` (positions) drawn ┄: nothing
    was watched there (the head's cell stays the head)."""
    rest = theme.style("timeline.rest")
    plain = bar.plain
    cells = list(plain)
    for a, b in gaps:
        lo = max(0, round(min(1.0, a / duration) * (width - 1)))
        hi = min(width - 1, round(min(1.0, b / duration) * (width - 1)))
        for i in range(lo, hi + 1):
            if i != head and i < len(cells):
                cells[i] = "┄"
    if cells == list(plain):
        return
    bar.plain = "".join(cells)  # (as long as it was: its styles stay)
    for i, c in enumerate(cells):
        if c == "┄":
            bar.stylize(rest, i, i + 1)


def practice_hints(app: K9pyApp) -> list[tuple[str, str]]:
    """`?`'s words on a simulator or a replay for where the bundled scenarios are (a learner on
    the demo finds the files that break something and let it heal), and a playing one's steps."""
    if app.backend.info().backend not in ("sim", "replay"):
        return []
    keys = [(":scenarios", "Practise")]
    pb = playback_of(app.backend)
    if pb is not None and pb.has_timeline:
        keys.append((":timeline", "Scenario steps"))
    return keys


def install(app: K9pyApp) -> None:
    """Flash hot-reload results and scenario steps; mount the bar above the crumbs when the
    backend plays something with a timeline. Called again when the App shows another Session
    (`:rewind`, `:now`): a playback is listened to once."""
    pb = playback_of(app.backend)
    if pb is not None and pb not in app.heard_playbacks:
        app.heard_playbacks.add(pb)
        _listen(app, pb)
    place(app)


def place(app: K9pyApp) -> None:
    """One bar shown for each Session the tab's panes show whose backend plays a timeline (a
    replay, a scenario, the past): above the crumbs of the focused pane when it shows that
    Session, else of the first pane that does; the other panes' bars hidden. Called whenever the
    panes change (a split, `:close`, `:only`, a tab, the focus, `:ctx` in a pane): the bar never
    goes with a pane while its Session plays on."""
    panes = app.splits.panes()
    focused = app.splits.pane
    want: dict[int, tuple[Session, Playback, ExplorerPane]] = {}  # id(session) → what shows it where
    for pane in [focused, *panes] if focused in panes else panes:
        s = pane.navigator.session
        pb = playback_of(s.backend)
        if pb is not None and pb.has_timeline and id(s) not in want:
            want[id(s)] = (s, pb, pane)
    where = {id(pane): (pb, s) for s, pb, pane in want.values()}
    for pane in panes:
        there = where.get(id(pane))
        bar = next((b for b in pane.query_children(Timeline) if not b.going), None)
        if bar is not None and there is not None:
            bar.show(*there)
        elif bar is not None and id(pane.navigator.session) in want:
            bar.hide()  # another pane shows it: kept for when the focus comes back
        elif bar is not None:  # nothing plays there now (back to the demo's manifests, `:ctx`)
            bar.going = True
            bar.remove()
        elif there is not None:  # (one still going there is let be: a widget's id is its parent's to keep unique)
            gone = any(b.going for b in pane.query_children(Timeline))
            pane.mount(Timeline(*there, id=None if gone else "timeline"), before=pane.query_one("#crumbs"))


def _listen(app: K9pyApp, pb: Playback) -> None:

    def told(message: str | None) -> None:
        if message is None:
            if pb.reload_notes:  # played as far as it goes: say what is missing
                app.flash(" | ".join(["scenario reloaded: restarted from t=0", *pb.reload_notes]), "warn")
            else:
                app.flash("scenario reloaded: restarted from t=0")
            _after_reload(app, pb)
        else:
            app.flash(message.split("\n", 1)[0], "error")

    def fired(f: Fired) -> None:
        if f.error:
            app.flash(f"t={clock(f.t)} {f.error}", "error")
        elif f.step.action == "pause":
            app.flash(f"t={clock(f.t)} paused: {f.step.args.get('message') or 'press space to resume'}", "warn")
        elif f.step.note:
            app.flash(f"t={clock(f.t)} {f.step.note}")

    said: list[str] = []  # the build's last line flashed

    def progress(line: str) -> None:
        if app.flash_text in ("", *said):  # never over what the user was told meanwhile
            app.flash(line)
            said[:] = [line]

    def started(line: str) -> None:
        app.flash(line)
        said[:] = [line]

    pb.on_reload(told)
    pb.on_step(fired)
    pb.on_built(app.flash)
    pb.on_build_started(started)
    pb.on_build_progress(progress)
    if pb.building is not None:
        app.flash(pb.building)
        said[:] = [pb.building]


def _after_reload(app: K9pyApp, pb: Playback) -> None:
    """The source behind the play head changed (the playback object stays): repaint the bar,
    mount it if the new source is the first with a timeline, remove it if the new one has none
    (back to the demo's plain manifests: no `00:00 / 00:00` left behind)."""
    place(app)
    repaint(app)


def repaint(app: K9pyApp) -> None:
    for bar in app.query(Timeline):
        bar.refresh()


def act(app: K9pyApp, what: str) -> None:
    """A replay key: move the play head (or the speed), then repaint ages and the bar."""
    pb = playback_of(app.backend)
    if pb is None or not pb.has_timeline:
        if what == "backward" and app.session.history is not None:  # `<` in the present: the time machine
            from k9py.explorer.timetravel import STEP
            from k9py.ui import timetravel

            app.run_worker(timetravel.rewind(app, f"{STEP:g}s"), group="timetravel", exclusive=True)
            return
        raise SkipAction()
    at_end = pb.position >= pb.duration - 1e-6
    if app.session.present is not None and what == "toggle" and pb.paused and at_end:
        from k9py.ui import timetravel  # play at the past's end: on into what was recorded since, or now

        app.run_worker(timetravel.play_on(app), group="timetravel", exclusive=True)
        return
    if app.session.present is not None and (what == "end" or (what == "forward" and at_end)):
        from k9py.ui import timetravel

        if timetravel.later_in_the_past(app, what):  # the history went on: read it again
            return
        if at_end:
            app.flash("the latest moment the history holds: esc or :now for now")
            return
    try:
        _move(app, pb, what)
    except K9pyError as err:  # a scenario that cannot run again (built in memory)
        app.flash(str(err), "warn")
    if app.session.present is not None:
        _not_before_the_whole_history(app)
    app._tick()  # ages are computed against the play head
    repaint(app)


def _not_before_the_whole_history(app: K9pyApp) -> None:
    """In the past the play head stops at the history's oldest whole moment (``home``, `<`, `,`):
    before it, what existed all along was not listed yet and the cluster would look empty."""
    from k9py.explorer import timetravel

    head, whole = app.session.playhead, timetravel.complete_moment(app.session)
    if head is not None and whole is not None and head.now() < whole - 1e-6:
        head.seek(whole - head.start)
        app.flash("the oldest moment the history holds")


MOVES = ("step_forward", "step_back", "forward", "backward", "home", "end")
SEEK_BY = 10.0  # seconds `>` and `<` move the play head


def _move(app: K9pyApp, pb: Playback, what: str) -> None:
    if not pb.seekable:  # only resumes after a pause step
        if what != "toggle" or not pb.paused:
            raise SkipAction()
        pb.resume()
        app.flash("resumed")
    elif pb.slow_moves and (what in MOVES or (what == "toggle" and pb.paused and _at_end(pb))):
        _go(app, pb, what)
    elif what == "toggle":
        was_paused = pb.paused
        pb.toggle()
        if was_paused and not pb.paused and pb.unit == "steps":
            app.flash("scenario resumed")
    elif what == "faster":
        app.flash(f"speed {speed_text(pb.faster())}")
    elif what == "slower":
        app.flash(f"speed {speed_text(pb.slower())}")
    elif what == "step_forward":
        if not pb.step_forward():
            app.flash(f"at the last {pb.unit[:-1]}")
    elif what == "step_back":
        if not pb.step_back():
            app.flash("at the start")
    elif what == "forward":
        pb.seek_by(SEEK_BY)
    elif what == "backward":
        pb.seek_by(-SEEK_BY)
    elif what == "home":
        pb.home()
    elif what == "end":
        pb.end()


def go_to(app: K9pyApp, pb: Playback, t: float) -> None:
    """The play head to ``t`` (`:timeline`'s enter): at once, or in a worker thread for a head
    with ``slow_moves``. A K9pyError when it cannot go there."""
    if not pb.slow_moves:
        pb.seek(t)
        return
    app.run_worker(_going(app, pb, pb.go(t), None), group="seek")


def toggle(app: K9pyApp, pb: Playback) -> None:
    """Pause or play; at the end of a head with ``slow_moves``, play again from t=0 (in a worker
    thread: the simulator runs again)."""
    if pb.slow_moves and pb.paused and _at_end(pb):
        _go(app, pb, "toggle")
    else:
        pb.toggle()


def _at_end(pb: Playback) -> bool:
    return pb.heading is None and pb.position >= pb.duration - 1e-6


def _go(app: K9pyApp, pb: Playback, what: str) -> None:
    """A move of a head that runs a simulator (``slow_moves``): where to is worked out now, from
    where a move under way heads (`>` `>` `>` in a burst: 30 s on), and told at once if it cannot
    go there; the simulator runs there in a worker thread while keys and frames go on."""
    base = pb.heading if pb.heading is not None else pb.position
    then: Callable[[], None] | None = None
    target: float | None
    if what == "toggle":  # space at the end plays it again, from t=0
        target, then = 0.0, pb.resume
    elif what == "step_forward":
        target = pb.step_after(base)
        if target is None:
            app.flash(f"at the last {pb.unit[:-1]}")
            return
    elif what == "step_back":
        target = pb.step_before(base)
        if target is None:
            app.flash("at the start")
            return
    else:
        target = {"forward": base + SEEK_BY, "backward": base - SEEK_BY, "home": 0.0, "end": pb.duration}[what]
    moving = pb.go(target)  # heads there now: a K9pyError (it cannot go there) is flashed by ``act``
    app.run_worker(_going(app, pb, moving, then), group="seek")


async def _going(app: K9pyApp, pb: Playback, moving: Awaitable[None], then: Callable[[], None] | None) -> None:
    try:
        await moving
    except K9pyError as err:
        app.flash(str(err), "warn")
        return
    if then is not None and pb.heading is None:
        then()
    app._tick()  # ages are computed against the play head
    repaint(app)


# -- the :scenarios picker -------------------------------------------------------------------------

PICKER_COMMANDS = ("scenarios", "scenario")


MIN_WRAP = 20  # narrower than this, the chosen description is cut as the others are


class ScenarioPicker(ModalScreen["Entry | None"]):
    """The bundled scenarios and recordings with their descriptions (● the one playing); enter
    picks one."""

    BINDINGS = [Binding("escape", "pick(False)", "Back"), Binding("q", "pick(False)", "Back", show=False),
                Binding("enter", "pick(True)", "Open"), Binding("down,j", "move(1)", show=False),
                Binding("up,k", "move(-1)", show=False)]
    DEFAULT_CSS = "ScenarioPicker #picker-body { text-wrap: nowrap; text-overflow: ellipsis; }"
    KEYS_NOW = True  # keys only: they run in turn with the keys typed behind them (``K9pyApp.on_event``)

    def __init__(self, entries: list[Entry], playing: str | None = None,
                 on_pick: Callable[[Entry], None] | None = None) -> None:
        """``on_pick``: called with the entry picked once the picker is off the screen, before
        the keys typed behind the enter (else the entry is the screen's result)."""
        super().__init__()
        self.entries = entries
        self.playing = os.path.realpath(playing) if playing else None
        self.on_pick = on_pick
        self.index = next((i for i, e in enumerate(entries) if self._is_playing(e)), 0)

    def _is_playing(self, e: Entry) -> bool:
        return self.playing is not None and os.path.realpath(e.path) == self.playing

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = f" scenarios({len(self.entries)}) "
            box.border_subtitle = " <enter> Open  <j/k> Move  <esc> Back "
            yield Static(self._body(), id="picker-body")

    def on_resize(self) -> None:
        self.call_after_refresh(self._repaint)  # the chosen one's description wraps at the width it got

    def _repaint(self) -> None:
        box = self.query_one("#help-box", VerticalScroll)
        width = box.scrollable_content_region.width
        if not box.show_vertical_scrollbar:  # (the wrapped lines may bring it: room for it now)
            width -= box.styles.scrollbar_size_vertical
        self.query_one("#picker-body", Static).update(self._body(width))

    def _body(self, width: int = 0) -> Text:
        """A line an entry, its description cut at the edge; the chosen one's whole, wrapped under
        it (``width``: the box's, 0 before it is laid out)."""
        lines = []
        name_w = max((len(e.name) for e in self.entries), default=4)
        for i, e in enumerate(self.entries):
            chosen = i == self.index
            line = Text(no_wrap=True, overflow="ellipsis")
            line.append("●" if self._is_playing(e) else " ", style=theme.style("picker.playing"))
            head = inert_line(f" {e.name:<{name_w}}  {e.kind:<9} ")
            line.append(head, style=theme.style("picker.chosen" if chosen else "picker.name"))
            style = theme.style("picker.chosen" if chosen else "picker.desc")
            indent = 1 + len(head)
            said = inert_line(e.description)
            parts = textwrap.wrap(said, width - indent - 1) if chosen and width - indent - 1 >= MIN_WRAP else [said]
            line.append(f" {parts[0] if parts else ''}", style=style)
            lines.append(line)
            lines += [Text(" " * indent + f" {more}", style=style, no_wrap=True, overflow="ellipsis") for more in parts[1:]]
        out = Text("\n", no_wrap=True, overflow="ellipsis").join(lines)
        out.no_wrap, out.overflow = True, "ellipsis"
        return out

    def action_move(self, delta: int) -> None:
        if self.entries:
            self.index = max(0, min(len(self.entries) - 1, self.index + delta))
            self._repaint()
            self.query_one("#help-box", VerticalScroll).scroll_to(y=max(0, self.index - 2), animate=False)

    def action_pick(self, chosen: bool) -> None:
        entry = self.entries[self.index] if chosen and self.entries else None
        if self.on_pick is None:
            self.dismiss(entry)
            return
        self.dismiss(None)  # off the stack now
        if entry is not None:
            self.on_pick(entry)


def open_picker(app: K9pyApp) -> bool:
    """`:scenarios`: pick a bundled file; the simulator (or replay) running switches to it."""
    from k9py.scenario.catalog import bundled

    if _in_the_past(app):
        return False
    pb = playback_of(app.backend)
    app.push_screen(ScenarioPicker(bundled(), pb.path if pb is not None else None, on_pick=lambda e: switch(app, e)))
    return True


def switch(app: K9pyApp, entry: Entry) -> None:
    """Play ``entry`` instead of what runs: loaded into the running simulator or replay when it
    takes that kind of file, else in a new Session over a fresh backend (a scenario after a
    replay, a recording after a scenario). A live cluster is left alone: the command is shown."""
    from k9py.scenario import files

    if _in_the_past(app):  # (the picker was open when the past came)
        return
    pb = playback_of(app.backend)
    if pb is not None and pb.accepts(entry.kind):
        app.run_worker(_load(app, pb, entry), group="scenario", exclusive=True)
        return
    if app.backend.info().backend not in ("sim", "replay"):
        how = "k9py replay" if entry.kind == files.RECORDING else "k9py --scenario"
        app.flash(f"{entry.name}: this is a live cluster; run `{how} {entry.name}`", "warn")
        return
    app.run_worker(_open_in_new_session(app, entry, pb.speed if pb is not None else 1.0),
                   group="scenario", exclusive=True)


def _in_the_past(app: K9pyApp) -> bool:
    """The time machine shows the past: its player is the history's, which must not load a file
    (back to now, the file would be gone with it). Said."""
    if app.session.present is None:
        return False
    app.flash("this is the past: :now first, then :scenarios", "warn")
    return True


async def _open_in_new_session(app: K9pyApp, entry: Entry, speed: float) -> None:
    from k9py.backends.replay import ReplayBackend, ScenarioBackend
    from k9py.explorer.session import Session
    from k9py.scenario import files

    backend: Backend
    try:
        if entry.kind == files.RECORDING:
            replay = ReplayBackend.open(entry.path)
            replay.player.set_speed(speed)
            backend = replay
        else:
            backend = ScenarioBackend.open(entry.path, speed=speed)
    except K9pyError as err:
        app.flash(str(err), "error")
        return
    old = app.session
    await app.replace_session(Session(backend, readonly=old.readonly, manual=old.manual, namespace=old.namespace))
    install(app)
    app.render_header()
    pb = playback_of(app.backend)
    if pb is not None:
        await _arrived(app, pb, entry)


async def _load(app: K9pyApp, pb: Playback, entry: Entry) -> None:
    """``entry`` read and built off the event loop, then played by the running source."""
    try:
        await pb.load_off_loop(entry.path)
    except K9pyError as err:
        app.flash(str(err), "error")
        return
    _after_reload(app, pb)
    await _arrived(app, pb, entry)


async def _arrived(app: K9pyApp, pb: Playback, entry: Entry) -> None:
    """After a switch: every pane on it (split panes, tabs) moves to where the new objects are,
    and the focused one says what plays. A filter typed on the file left (a pod's name there)
    goes, and a namespace this file does not have (`shop` of a recording, then the demo) gives
    way to default: the new cluster's rows are not hidden behind the old one's."""
    home = pb.home_namespace()
    for pane in app.splits.all_panes():
        cur = pane.current
        if pane.navigator.session is not app.session or cur is None:
            continue
        if cur.model is not None and cur.model.filter:
            pane.apply_filter("")
            cur = pane.current
            if cur is None:
                continue
        ns = cur.scope.namespace if cur.scope.view.namespaced else ""
        target = home
        if not target and ns and ns != "default" and not await app.session.namespace_exists(ns):
            target = "default"
        if target and ns not in ("", target):
            out = pane.navigator.switch_namespace(target)
            if pane is app.pane:  # (the focused one's outcome said)
                app.outcome(out)
    app.flash(f"{entry.name}: {entry.description}")
