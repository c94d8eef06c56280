"""K9pyApp: paints the explorer core (``k9py.explorer``: Session, Navigator, ResourceView) the
k9s way and turns keys into calls on it. What to show and where to go is decided there."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult

from k9py.backends.base import Backend
from k9py.explorer.navigator import Navigator, Outcome
from k9py.explorer.resource_view import ResourceView
from k9py.explorer.session import Session
from k9py.store.informer import Cache, Diff
from k9py.ui import keymap
from k9py.ui.screens import actions
from k9py.ui.screens.help import AliasesScreen, HelpScreen
from k9py.ui.widgets import timeline
from k9py.ui.widgets.header import Header
from k9py.ui.widgets.pane import ExplorerPane
from k9py.ui.widgets.prompt import Prompt
from k9py.ui.widgets.resource_table import ResourceTable
from k9py.ui.widgets.status import Flash
from k9py.view import kinds
from k9py.view.rows import RowModel

PASTED = {":": "colon", "/": "slash", "\r": "enter", "\n": "enter", "\t": "tab"}
METRICS_INTERVAL = 5.0  # seconds between metrics polls (k9s: a few seconds)


class K9pyApp(App[None]):
    CSS_PATH = str(Path(__file__).with_name("k9py.tcss"))  # absolute: subclasses live elsewhere
    TITLE = "k9py"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [*keymap.app_bindings(), *timeline.BINDINGS]  # replay keys: only when the backend plays

    flash_seconds = 4.0  # how long a flash message stays (k9s clears its flash by itself)
    log_buffer_size = 0  # lines a log view keeps (0: the default)

    def __init__(self, backend: Backend, *, namespace: str = "default", view: str = "pods",
                 manual: bool = False, readonly: bool = False, logoless: bool = False,
                 headless_ui: bool = False) -> None:
        """``manual``: no clock driver, no timers, no auto flush (tests call ``pump()``).
        ``headless_ui``: k9s's ``--headless`` (no header)."""
        super().__init__()
        self.manual = manual
        self.logoless = logoless
        self.show_header = not headless_ui
        self.session = Session(backend, readonly=readonly, manual=manual, namespace=namespace)
        self.navigator = Navigator(self.session, namespace=namespace, start_view=view)

    # -- what the tests and screens reach -----------------------------------------------------------
    @property
    def backend(self) -> Backend:
        return self.session.backend

    @property
    def pane(self) -> ExplorerPane:
        return self.query_one("#pane", ExplorerPane)

    @property
    def table(self) -> ResourceTable:
        return self.pane.table

    @property
    def prompt(self) -> Prompt:
        return self.query_one("#prompt", Prompt)

    @property
    def current(self) -> ResourceView | None:
        return self.navigator.current

    @property
    def model(self) -> RowModel | None:
        return self.current.model if self.current else None

    def title_text(self) -> str:
        return self.current.title() if self.current else ""

    def targets(self) -> list[tuple[str, str]]:
        return self.current.targets(self.table.cursor_key) if self.current else []

    # -- life ---------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(id="header", logoless=self.logoless)
        yield Prompt(self.session.extra_aliases, id="prompt")
        yield ExplorerPane(self.navigator, manual=self.manual, id="pane")
        yield Flash(id="flash")

    async def on_mount(self) -> None:
        if not self.manual:  # long-lived objects: keep the cyclic GC from walking them again and again
            gc.freeze()
        self.prompt.display = False
        self.query_one("#header").display = self.show_header
        self._begin(self.session)
        if not self.manual:
            self.set_interval(1.0, self._tick)
            self.set_interval(3.0, self.pane.clear_deltas)
            self.set_interval(METRICS_INTERVAL, self.refresh_metrics)
            self.call_later(self.refresh_metrics)
        self.outcome(self.navigator.start())
        self.set_focus(self.table)
        timeline.install(self)  # the replay bar (when replaying), hot-reload flashes

    def _begin(self, session: Session) -> None:
        session.start()
        session.informer.subscribe("Node", None, self._on_nodes)  # the header's CPU/MEM

    async def on_unmount(self) -> None:
        await self.session.close()

    async def pump(self) -> None:
        """Tests: let watch tasks run, then flush the informer (manual mode)."""
        for _ in range(5):
            await asyncio.sleep(0)
        self.session.informer.flush()

    async def refresh_metrics(self) -> None:
        """Poll usage (nodes for the header; pods when a pod view shows). Tests call it by hand."""
        cur = self.current
        pods = cur is not None and cur.shows_pods
        if not await self.session.poll_metrics(cur.namespace if cur and pods else None, pods=pods):
            return
        if self.query("#table") and cur is self.current:  # the app may have closed meanwhile
            if cur is not None and cur.apply_metrics():
                self.table.model_changed()
            self.render_header()

    def _tick(self) -> None:
        self.pane.tick()
        self.render_header()

    def _on_nodes(self, cache: Cache, diff: Diff) -> None:
        if diff.state:  # the backend's connection state shows in the header
            self.pane.render_state()

    def outcome(self, out: Outcome) -> bool:
        """Show what a navigation said and do what only the UI can."""
        if out.quit:
            self.exit()
        elif out.request == "context":
            self.run_worker(self.switch_context(out.arg), group="context", exclusive=True)
        elif out.request == "scenarios":
            return timeline.open_picker(self)
        elif out.request in ("logs", "describe"):
            actions.open_view(self, out.request)
        elif out.request == "help":
            self.action_help()
        elif out.request == "aliases":
            self.action_aliases()
        elif out.request in ("xray", "pulses", "timeline", "screendumps"):
            from k9py.ui.screens import extra
            extra.open_request(self, out.request, out.arg)
        if out.message:
            self.flash(out.message, out.level)
        if out.later is not None:  # what the navigator can say once the backend answered
            check = out.later

            async def later() -> None:
                self.outcome(await check())
            self.run_worker(later(), group="later")
        return out.ok

    def run_command(self, text: str) -> bool:
        return self.outcome(self.navigator.run(text))

    async def switch_context(self, name: str) -> bool:
        """`:ctx` + enter: a Session on context ``name`` replaces this one without a restart."""
        self.flash(f"Switching context to {name}...")
        try:
            new = await self.session.switch_context(name)
        except Exception as err:
            self.flash(f"context {name}: {err}", "error")
            return False
        await self.replace_session(new)
        self.flash(f"Switched to context {name}")
        return True

    async def replace_session(self, new: Session) -> None:
        """``new`` replaces the Session (`:ctx`, `:scenarios` opening another kind of file): the
        views open again on it, then the old one closes."""
        old, self.session = self.session, new
        self.prompt.aliases = new.extra_aliases
        self._begin(new)
        self.outcome(self.navigator.rebind(new))
        await old.close()

    # -- the prompt: keys routed in arrival order (see widgets/prompt.py) ----------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and self._route_key(event.key, event.character):
            return
        if isinstance(event, events.Key) and not event.is_forwarded and event.key == "escape" \
                and len(self.screen_stack) > 1 and await self._check_bindings("escape"):
            return  # a screen closed now, not after its queue: the keys typed behind esc reach the view below
        if isinstance(event, events.Paste) and not event.is_forwarded and len(self.screen_stack) == 1:
            for ch in event.text:
                self._route_key(PASTED.get(ch, ch), ch)
            return
        await super().on_event(event)

    def _route_key(self, key: str, char: str | None) -> bool:
        """Open, edit, submit or cancel the prompt now. False: the key goes its usual way."""
        if len(self.screen_stack) > 1:
            return False
        prompt = self.prompt
        if not prompt.display:
            if key not in ("colon", "slash"):
                return False
            prompt.open("command" if key == "colon" else "filter")
            return True
        if key in ("up", "down") and prompt.mode == "command":  # k9s: recall the commands run before
            prompt.recall(self.navigator.history, -1 if key == "up" else 1)
            return True
        done = prompt.feed(key, char)
        if done == "edit" and prompt.mode == "filter":
            self.pane.apply_filter(prompt.value)
        elif done == "cancel":
            self.action_escape()
        elif done == "submit":
            text = prompt.value
            if prompt.close() == "filter":
                self.pane.apply_filter(text)
            elif text.strip():
                self.run_command(text)
        return done is not None

    def action_command(self) -> None:
        self.prompt.open("command")

    def action_filter(self) -> None:
        self.prompt.open("filter")

    # -- keys ---------------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The explorer's keys belong to the resource view: not to a screen pushed over it."""
        return len(self.screen_stack) <= 1 or action == "quit"

    def action_escape(self) -> None:
        if self.prompt.display:
            if self.prompt.close() == "filter":
                self.pane.apply_filter("")
        elif self.model is not None and self.model.filter:
            self.pane.apply_filter("")
        else:
            self.navigator.pop()

    def action_replay(self, what: str) -> None:
        timeline.act(self, what)  # raises SkipAction when not replaying: the key's usual binding runs

    def action_help(self) -> None:
        cur = self.current
        if cur is None or cur.model is None:
            return
        columns = {c.name for c in cur.model.columns}
        sections = keymap.help_sections(cur.scope.view, self.session.read_only, columns, self.navigator.favorites,
                                        timeline.hints(self.backend))
        self.push_screen(HelpScreen(f"Help: {cur.scope.view.name}", sections))

    def action_aliases(self) -> None:
        rows = kinds.alias_table(self.session.extra_aliases())
        text = Text(f"{'RESOURCE':<26}{'COMMAND':<26}ALIASES\n", style="bold white")
        for kind, name, words in rows:
            text.append(f"{kind:<26}{name:<26}{words}\n", style="#00ffff")
        self.push_screen(AliasesScreen(f"Aliases[{len(rows)}]", text))

    def action_toggle_header(self) -> None:
        self.show_header = not self.show_header
        self.query_one("#header").display = self.show_header

    # -- flash, title, crumbs, header ----------------------------------------------------------------------
    @property
    def flash_text(self) -> str:
        return self.query_one("#flash", Flash).text

    def flash(self, message: str, level: str = "info", source: str | None = None) -> None:
        """``source``: the input the message is about ("filter"): its next good value clears it."""
        self.query_one("#flash", Flash).show(message, level, self.flash_seconds, source)

    def render_header(self) -> None:
        self.query_one("#header", Header).show(self.session, self.navigator, timeline.hints(self.backend))
