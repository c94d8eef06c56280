"""The replay timeline bar (position, duration, speed, paused/playing, event count) and the
replay keys. Installed by the app when its backend declares ``Capability.PLAYBACK``: a Recording
(every key), or a Scenario (steps instead of events; only `space`, to resume a pause step);
elsewhere the keys fall through to their usual bindings (``SkipAction``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from k9py.backends.base import Backend, Capability
from k9py.backends.playback import Playback

if TYPE_CHECKING:
    from k9py.scenario.catalog import Entry
    from k9py.scenario.timeline import Fired
    from k9py.ui.app import K9pyApp

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
    """The replay keys that work on ``backend``: all of them for a recording, `space` (resume
    after a pause step) for a scenario, none without a play head."""
    pb = playback_of(backend)
    if pb is None:
        return []
    return HINTS if pb.seekable else [("<space>", "Resume")]


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 1e-6))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def speed_text(speed: float) -> str:
    return f"{speed:g}x"


class Timeline(Static):
    """One line: ▶/⏸, speed, a progress bar, position / duration, events (steps) played / total."""

    DEFAULT_CSS = "Timeline { height: 1; background: black; }"

    def __init__(self, playback: Playback, **kw: Any) -> None:
        super().__init__(**kw)
        self.playback = playback

    def render(self) -> Text:
        p = self.playback
        playing = not p.paused
        state = "▶ playing" if playing else "⏸ paused "
        left = Text()
        left.append(f" {state} ", style="bold black on #00ff7f" if playing else "bold black on #ffa500")
        left.append(f" {speed_text(p.speed):>5} ", style="bold #00ffff")
        right = Text()
        right.append(f" {clock(p.position)} / {clock(p.duration)} ", style="bold white")
        right.append(f" {p.unit} {p.events_played}/{p.total_events} ", style="#87cefa")
        width = max(10, (self.size.width or 100) - left.cell_len - right.cell_len)
        frac = 0.0 if p.duration <= 0 else min(1.0, p.position / p.duration)
        head = min(width - 1, round(frac * (width - 1)))
        bar = Text()
        bar.append("━" * head, style="#00ffff")
        bar.append("●", style="bold white")
        bar.append("─" * (width - head - 1), style="#4682b4")
        return left + bar + right


def install(app: K9pyApp) -> Timeline | None:
    """Flash hot-reload results and scenario steps; mount the bar above the crumbs when the
    backend plays something with a timeline. Returns the bar (None: nothing to show)."""
    pb = playback_of(app.backend)
    if pb is None:
        return None

    def told(message: str | None) -> None:
        if message is None:
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

    pb.on_reload(told)
    pb.on_step(fired)
    return _mount(app, pb) if pb.has_timeline else None


def _mount(app: K9pyApp, pb: Playback) -> Timeline:
    bar = Timeline(pb, id="timeline")
    app.mount(bar, before=app.query_one("#crumbs"))

    def moved(_: None) -> None:
        bar.refresh()
    pb.on_change(moved)
    if not app.manual:
        app.set_interval(0.5, bar.refresh)  # a scenario's clock moves without telling
    return bar


def _after_reload(app: K9pyApp, pb: Playback) -> None:
    """The source behind the play head changed (the playback object stays): repaint the bar,
    or mount it if the new source is the first with a timeline."""
    bar = _bar(app)
    if bar is not None:
        bar.refresh()
    elif pb.has_timeline:
        _mount(app, pb)


def _bar(app: K9pyApp) -> Timeline | None:
    found = app.query(Timeline)
    return found.first() if found else None


def act(app: K9pyApp, what: str) -> None:
    """A replay key: move the play head (or the speed), then repaint ages and the bar."""
    pb = playback_of(app.backend)
    if pb is None:
        raise SkipAction()
    if not pb.seekable:  # a scenario: space resumes it after a pause step, nothing else
        if what != "toggle" or not pb.paused:
            raise SkipAction()
        pb.resume()
        app.flash("scenario resumed")
    elif what == "toggle":
        pb.toggle()
    elif what == "faster":
        app.flash(f"speed {speed_text(pb.faster())}")
    elif what == "slower":
        app.flash(f"speed {speed_text(pb.slower())}")
    elif what == "step_forward":
        if not pb.step_forward():
            app.flash("at the last event")
    elif what == "step_back":
        if not pb.step_back():
            app.flash("at the start")
    elif what == "forward":
        pb.seek_by(10)
    elif what == "backward":
        pb.seek_by(-10)
    elif what == "home":
        pb.home()
    elif what == "end":
        pb.end()
    app._tick()  # ages are computed against the play head
    bar = _bar(app)
    if bar is not None:
        bar.refresh()


# -- the :scenarios picker -------------------------------------------------------------------------

PICKER_COMMANDS = ("scenarios", "scenario")


class ScenarioPicker(ModalScreen["Entry | None"]):
    """The bundled scenarios and recordings with their descriptions; enter picks one."""

    BINDINGS = [Binding("escape", "pick(False)", "Back"), Binding("q", "pick(False)", "Back", show=False),
                Binding("enter", "pick(True)", "Open"), Binding("down,j", "move(1)", show=False),
                Binding("up,k", "move(-1)", show=False)]

    def __init__(self, entries: list[Entry]) -> None:
        super().__init__()
        self.entries = entries
        self.index = 0

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = f" scenarios({len(self.entries)}) "
            yield Static(self._body(), id="picker-body")

    def _body(self) -> Text:
        out = Text()
        width = max((len(e.name) for e in self.entries), default=4)
        for i, e in enumerate(self.entries):
            style = "bold black on #00ffff" if i == self.index else ""
            out.append(f" {e.name:<{width}}  {e.kind:<9} ", style=style or "bold #00ffff")
            out.append(f" {e.description}\n", style=style or "white")
        return out

    def action_move(self, delta: int) -> None:
        if self.entries:
            self.index = max(0, min(len(self.entries) - 1, self.index + delta))
            self.query_one("#picker-body", Static).update(self._body())

    def action_pick(self, chosen: bool) -> None:
        self.dismiss(self.entries[self.index] if chosen and self.entries else None)


def open_picker(app: K9pyApp) -> bool:
    """`:scenarios`: pick a bundled file; a running scenario (or replay) switches to it when it
    can, otherwise the command to run it is shown."""
    from k9py.scenario.catalog import bundled

    def picked(entry: Entry | None) -> None:
        if entry is None:
            return
        switch(app, entry)
    app.push_screen(ScenarioPicker(bundled()), picked)
    return True


def switch(app: K9pyApp, entry: Entry) -> None:
    from k9py.errors import K9pyError
    from k9py.scenario import files

    pb = playback_of(app.backend)
    if pb is None or not pb.accepts(entry.kind):
        how = "k9py replay" if entry.kind == files.RECORDING else "k9py --scenario"
        app.flash(f"{entry.name}: run `{how} {entry.path}`", "warn")
        return
    try:
        pb.load(entry.path)
    except K9pyError as err:
        app.flash(str(err), "error")
        return
    _after_reload(app, pb)
    app.flash(f"{entry.name}: {entry.description}")
