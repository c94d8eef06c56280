"""The replay timeline bar (position, duration, speed, paused/playing, event count) and the
replay keys. Installed by the app when its backend plays a Recording (or, with steps instead of
events and only `space` to resume a pause step, runs a Scenario); elsewhere the keys fall
through to their usual bindings (``SkipAction``)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# key → what it does to the player; priority bindings so they win over the table's keys, but
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


class ScenarioProgress:
    """A running Scenario seen as the bar sees a Player: t since t=0, its duration, steps run."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.listeners: list[Any] = []

    @property
    def _tl(self) -> Any:
        return self.backend.timeline

    @property
    def paused(self) -> bool:
        return _scenario_paused(self.backend)

    @property
    def speed(self) -> float:
        return float(getattr(self.backend, "speed", 1.0))

    @property
    def position(self) -> float:
        return max(0.0, self.backend.cluster.now() - self._tl.t0)

    @property
    def duration(self) -> float:
        return self._tl.scenario.end

    @property
    def events_played(self) -> int:
        return self._tl.next

    @property
    def total_events(self) -> int:
        return len(self._tl.scenario.steps)


def backend_player(backend: Any) -> Any:
    """The Player behind ``backend`` (through a read-only wrapper), or None."""
    inner = getattr(backend, "inner", backend)
    return getattr(inner, "player", None)


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 1e-6))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def speed_text(speed: float) -> str:
    return f"{speed:g}x"


class Timeline(Static):
    """One line: ▶/⏸, speed, a progress bar, position / duration, events played / total."""

    DEFAULT_CSS = "Timeline { height: 1; background: black; }"

    def __init__(self, player: Any, **kw: Any) -> None:
        super().__init__(**kw)
        self.player = player

    def set_player(self, player: Any) -> None:
        self.player = player
        self.refresh()

    def render(self) -> Text:
        p = self.player
        playing = not p.paused
        state = "▶ playing" if playing else "⏸ paused "
        left = Text()
        left.append(f" {state} ", style="bold black on #00ff7f" if playing else "bold black on #ffa500")
        left.append(f" {speed_text(p.speed):>5} ", style="bold #00ffff")
        right = Text()
        right.append(f" {clock(p.position)} / {clock(p.duration)} ", style="bold white")
        what = "steps" if isinstance(p, ScenarioProgress) else "events"
        right.append(f" {what} {p.events_played}/{p.total_events} ", style="#87cefa")
        width = max(10, (self.size.width or 100) - left.cell_len - right.cell_len)
        frac = 0.0 if p.duration <= 0 else min(1.0, p.position / p.duration)
        head = min(width - 1, int(round(frac * (width - 1))))
        bar = Text()
        bar.append("━" * head, style="#00ffff")
        bar.append("●", style="bold white")
        bar.append("─" * (width - head - 1), style="#4682b4")
        return left + bar + right


def install(app: Any) -> Timeline | None:
    """Mount the bar above the crumbs when the app's backend replays a recording; flash hot-reload
    results and scenario steps. Returns the bar (None when not replaying)."""
    backend = getattr(app.backend, "inner", app.backend)
    listeners = getattr(backend, "reload_listeners", None)
    if listeners is not None:
        def told(message: str | None) -> None:
            if message is None:
                app.flash("scenario reloaded: restarted from t=0")
                _after_reload(app, backend)
            else:
                app.flash(message.split("\n", 1)[0], "error")
        listeners.append(told)
    _follow_steps(app, backend)
    player = backend_player(app.backend)
    if player is None and getattr(backend, "timeline", None) is not None:
        bar = Timeline(ScenarioProgress(backend), id="timeline")  # a running Scenario: t and steps
        app.mount(bar, before=app.query_one("#crumbs"))
        if not getattr(app, "manual", False):
            app.set_interval(0.5, bar.refresh)
        return bar
    if player is None:
        return None
    bar = Timeline(player, id="timeline")
    app.mount(bar, before=app.query_one("#crumbs"))
    _follow(app, bar)
    return bar


def _after_reload(app: Any, backend: Any) -> None:
    """A reloaded backend has a new player / timeline: point the bar and the flashes at it."""
    _follow_steps(app, backend)
    bar = _bar(app)
    if bar is not None and not isinstance(bar.player, ScenarioProgress):
        bar.set_player(backend_player(app.backend))
        _follow(app, bar)
    elif bar is not None:
        bar.refresh()


def _follow_steps(app: Any, backend: Any) -> None:
    """Flash each scenario step as it fires (its note, or why it failed)."""
    tl = getattr(backend, "timeline", None)
    if tl is None or getattr(tl, "_k9py_app", None) is app:
        return
    tl._k9py_app = app

    def fired(f: Any) -> None:
        if f.error:
            app.flash(f"t={clock(f.t)} {f.error}", "error")
        elif f.step.action == "pause":
            app.flash(f"t={clock(f.t)} paused: {f.step.args.get('message') or 'press space to resume'}", "warn")
        elif f.step.note:
            app.flash(f"t={clock(f.t)} {f.step.note}")
    tl.listeners.append(fired)


def _bar(app: Any) -> Timeline | None:
    found = app.query("#timeline")
    return found.first() if found else None


def _follow(app: Any, bar: Timeline) -> None:
    player = bar.player
    if getattr(player, "_k9py_bar", None) is bar:
        return
    player._k9py_bar = bar
    player.listeners.append(lambda p: bar.refresh())


def act(app: Any, what: str) -> None:
    """A replay key: move the play head (or the speed), then repaint ages and the bar."""
    player = backend_player(app.backend)
    if player is None:
        scenario = getattr(app.backend, "inner", app.backend)
        if what == "toggle" and getattr(scenario, "timeline", None) is not None and _scenario_paused(scenario):
            scenario.resume()  # space resumes a scenario stopped by a pause step
            app.flash("scenario resumed")
            bar = _bar(app)
            if bar is not None:
                bar.refresh()
            return
        raise SkipAction()
    if what == "toggle":
        player.toggle()
    elif what == "faster":
        app.flash(f"speed {speed_text(player.faster())}")
    elif what == "slower":
        app.flash(f"speed {speed_text(player.slower())}")
    elif what == "step_forward":
        if not player.step_forward():
            app.flash("at the last event")
    elif what == "step_back":
        if not player.step_back():
            app.flash("at the start")
    elif what == "forward":
        player.seek_by(10)
    elif what == "backward":
        player.seek_by(-10)
    elif what == "home":
        player.home()
    elif what == "end":
        player.end()
    tick = getattr(app, "_tick", None)
    if tick is not None:
        tick()  # ages are computed against the play head
    bar = _bar(app)
    if bar is not None:
        bar.refresh()


def _scenario_paused(backend: Any) -> bool:
    tl = backend.timeline
    return bool(getattr(backend, "paused", False) or (tl is not None and tl.paused))


# -- the :scenarios picker -------------------------------------------------------------------------

PICKER_COMMANDS = ("scenarios", "scenario")


class ScenarioPicker(ModalScreen[Any]):
    """The bundled scenarios and recordings with their descriptions; enter picks one."""

    BINDINGS = [Binding("escape", "pick(False)", "Back"), Binding("q", "pick(False)", "Back", show=False),
                Binding("enter", "pick(True)", "Open"), Binding("down,j", "move(1)", show=False),
                Binding("up,k", "move(-1)", show=False)]

    def __init__(self, entries: list[Any]) -> None:
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


def open_picker(app: Any) -> bool:
    """`:scenarios`: pick a bundled file; a running scenario (or replay) switches to it when it
    can, otherwise the command to run it is shown."""
    from k9py.scenario.catalog import bundled

    def picked(entry: Any) -> None:
        if entry is None:
            return
        switch(app, entry)
    app.push_screen(ScenarioPicker(bundled()), picked)
    return True


def switch(app: Any, entry: Any) -> None:
    from k9py.errors import K9pyError
    from k9py.scenario import files

    backend = getattr(app.backend, "inner", app.backend)
    replaying = backend_player(app.backend) is not None
    scenario = getattr(backend, "timeline", None) is not None or (hasattr(backend, "reload") and not replaying)
    can = (replaying and entry.kind == files.RECORDING) or (scenario and entry.kind != files.RECORDING)
    if not can:
        how = "k9py replay" if entry.kind == files.RECORDING else "k9py --scenario"
        app.flash(f"{entry.name}: run `{how} {entry.path}`", "warn")
        return
    old = backend.path
    backend.path = entry.path
    try:
        backend.reload()
    except K9pyError as err:
        backend.path = old
        app.flash(str(err), "error")
        return
    _after_reload(app, backend)
    app.flash(f"{entry.name}: {entry.description}")
