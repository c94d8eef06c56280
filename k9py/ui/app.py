"""K9pyApp: paints the explorer core (``k9py.explorer``: Session, Navigator, ResourceView) the
k9s way and turns keys into calls on it. What to show and where to go is decided there."""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.screen import Screen

from k9py.backends import exec_plugins
from k9py.backends.base import Backend
from k9py.backends.playback import Playback
from k9py.config.skin import Skin
from k9py.config.user import UserConfig
from k9py.errors import K9pyError
from k9py.explorer.navigator import Navigator, Outcome
from k9py.explorer.resource_view import ResourceView
from k9py.explorer.session import HistoryFactory, Session
from k9py.kube import gcpause, meta
from k9py.store.informer import Cache, Diff
from k9py.ui import context_memory, keymap, strip_cycles, theme
from k9py.ui.handover import TypedAhead
from k9py.ui.heldkeys import HeldKeys
from k9py.ui.keyorder import KeyLanded, KeyOrder
from k9py.ui.plugins import PluginKeys
from k9py.ui.portforward import PortForwarding
from k9py.ui.shell import Shells
from k9py.ui.splits import Splits, is_logs
from k9py.ui.widgets import timeline
from k9py.ui.widgets.header import Header
from k9py.ui.widgets.pane import ExplorerPane
from k9py.ui.widgets.prompt import Prompt
from k9py.ui.widgets.resource_table import ResourceTable
from k9py.ui.widgets.status import Flash
from k9py.view import kinds
from k9py.view.inert import encodable
from k9py.view.rows import RowModel

strip_cycles.install()  # every painted line would otherwise be cyclic garbage

PASTED = {":": "colon", "/": "slash", "\r": "enter", "\n": "enter", "\t": "tab"}
ANSWER_WAIT = 10.0  # seconds quitting waits for the backend calls of a dialog's answer
METRICS_INTERVAL = 5.0  # seconds between metrics polls (k9s: a few seconds)

log = logging.getLogger(__name__)  # k9py's log (--logFile): what was flashed, the connection, the contexts
FLASH_LEVELS = {"info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}


SHORT_TERMINAL = 16  # rows: a shorter terminal hides the header (it would leave the table no row)


class K9pyApp(App[None], inherit_bindings=False):  # not Textual's ctrl+q: in k9s it clears the prompt
    CSS_PATH = str(Path(__file__).with_name("k9py.tcss"))  # absolute: subclasses live elsewhere
    TITLE = "k9py"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [*keymap.app_bindings(), *timeline.BINDINGS]  # replay keys: only when the backend plays

    flash_seconds: float | None = 4.0  # how long a flash message stays (k9s clears its flash by itself)
    log_buffer_size = 0  # lines a log view keeps (0: the default)
    log_spill = True  # lines beyond the buffer go to a temporary file (tests turn it off)

    def __init__(self, backend: Backend, *, namespace: str = "default", view: str = "pods",
                 manual: bool = False, readonly: bool = False, logoless: bool = False,
                 headless_ui: bool = False, user: UserConfig | None = None,
                 history: HistoryFactory | None = None) -> None:
        """``manual``: no clock driver, no timers, no auto flush (tests call ``pump()``).
        ``headless_ui``: k9s's ``--headless`` (no header). ``user``: what the user's files say
        (``config.user``; default: the built-in defaults, no files). ``history``: the time
        machine's History for each context (None: off)."""
        super().__init__()
        self.user = user or UserConfig()
        settings = self.user.settings  # config.yaml: the command line's flags add to it (ui/launch.py)
        info = backend.info()  # the context's own aliases, hotkeys and plugins (k9s's) join the user's
        self.user.warnings.extend(self.user.use_context(info.context, info.cluster))
        self.manual = manual
        if manual:  # no real-time timers: a flash stays until something clears it (as the viewers' do)
            self.flash_seconds = None
        self.heard_playbacks: weakref.WeakSet[Playback] = weakref.WeakSet()  # ui/widgets/timeline listens once to each
        self.logoless = logoless or settings.ui.logoless
        self.show_header = not (headless_ui or settings.ui.headless)
        self.show_crumbs = not settings.ui.crumbsless
        self.log_buffer_size = settings.logger.buffer
        self.last_key = ""  # noExitOnCtrlC: what asked to quit
        self.exit_problem: str | None = None
        self.context_notes: list[str] = []  # the last `:ctx`'s context files that are wrong, drains it cancelled
        readonly = readonly or settings.read_only
        session = Session(backend, readonly=readonly, manual=manual, namespace=namespace, history=history)
        first = Navigator(session, namespace=namespace, start_view=view,
                          aliases=self.user.aliases, keymap=self.user.keymap, views=self.user.views)
        self.splits = Splits(self, first)  # the panes (`:split`); the focused one is what the app names
        self.plugin_keys = PluginKeys(self)  # plugins.yaml: their keys, hints, runs
        self.shells = Shells(self)  # `s` and `a`
        self.port_forwards = PortForwarding(self)  # shift-f
        self._header_chosen = False  # ctrl-e pressed: the header shows as the user chose
        self._namespaces_watched: weakref.WeakSet[Any] = weakref.WeakSet()  # informers watching them (watch_namespaces)
        self._state_shown: str | None = None  # the backend's connection state the panes last showed
        self.typed_ahead = TypedAhead()  # keys typed ahead of a shell or an editor: theirs
        self.key_order = KeyOrder(self)  # keys run in the order typed, a widget's as the app's
        self.held_keys = HeldKeys(self)  # keys typed while the cluster is built or a context switch goes on
        first.menu_hints = self.plugin_keys.hints
        keymap.install(self, [*keymap.app_bindings(self.user.keymap), *keymap.hotkey_bindings(self.user.hotkeys)])
        self._first_look = self._skin_before_start(settings.skin)
        self.answers: set[asyncio.Task[None]] = set()  # dialogs' answers still calling the backend
        # the drains going on (answers too): their backend, nodes and name ("node n1", "(3) nodes");
        # `r` on one of their nodes cancels one, quitting every one (a budget may refuse for ever)
        self.drains: dict[asyncio.Task[None], tuple[Backend, frozenset[str], str]] = {}
        # the context a switch (`:ctx`, `:pods @CTX`) is under way to: the keys typed meanwhile wait for it
        # (``HeldKeys``); its credential plugin may take long
        self.switching: str | None = None
        # that switch waits on a credential plugin or a server that has not answered (the flash says
        # so): keys typed from then on act at once (`:ctx` of the context in use gives it up, `:q` quits)
        self.switch_stalled = False

    @property
    def switch_holds_keys(self) -> bool:
        """A context switch is under way and not stalled: the keys typed meanwhile are for the
        context it goes to (``HeldKeys``)."""
        return self.switching is not None and not self.switch_stalled

    # -- what the tests and screens reach -----------------------------------------------------------
    @property
    def session(self) -> Session:
        """The focused pane's Session (panes may show different contexts: `:ctx` in one)."""
        return self.splits.navigator.session

    def sessions(self) -> list[Session]:
        """Every Session a pane shows (each once), and the present of each past one."""
        found: dict[int, Session] = {}
        for nav in self.splits.navigators():
            for s in (nav.session, nav.session.present):
                if s is not None:
                    found.setdefault(id(s), s)
        return list(found.values())

    @property
    def backend(self) -> Backend:
        return self.session.backend

    @property
    def navigator(self) -> Navigator:
        return self.splits.navigator  # the focused pane's

    @property
    def pane(self) -> ExplorerPane:
        return self.splits.pane  # the focused one

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
        return self.current.title(full_gvr=self.user.settings.ui.use_full_gvr_title) if self.current else ""

    def targets(self) -> list[tuple[str, str]]:
        return self.current.targets(self.table.cursor_key) if self.current else []

    # -- life ---------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(id="header", logoless=self.logoless, thresholds=self.user.settings.thresholds)
        yield self.new_prompt("prompt")
        yield self.splits.root()
        yield Flash(id="flash")

    def new_prompt(self, id: str) -> Prompt:
        """A `:` prompt: the table's, or a text screen's own (``screen-prompt``: its command
        runs over the table, and esc or a command not found leaves the screen where it was)."""
        return Prompt(lambda: self.session.extra_aliases(), id=id, user_aliases=self.user.aliases,
                      arguments=self._argument_words,  # the focused pane's
                      rediscover=lambda: self.session.rediscover() if self.session.rediscovers else None)

    async def on_mount(self) -> None:
        if not self.manual:  # long-lived objects: keep the cyclic GC from walking them again and again
            gc.freeze()
            gcpause.interactive()
        self.prompt.display = False
        self._place_header(self.size.height)
        self.query_one("#crumbs").display = self.show_crumbs
        if self.manual:
            self._begin(self.session)
        else:  # after the first frame: the demo's loader thread and the history would compete with it
            self.call_after_refresh(self._begin, self.session)
        if not self.manual:
            rate = self.user.settings.refresh_rate  # config.yaml refreshRate
            self.set_interval(rate, self._tick)
            self.set_interval(3.0, self.splits.clear_deltas)
            self.set_interval(max(METRICS_INTERVAL, rate), self.poll_metrics)
            self.poll_metrics()
        self.outcome(self.navigator.start())
        # config.yaml's k9py.ui.skin, --skin, the context's; flashed with what the user's files
        # had ignored (a wrong context file, an unknown plugin scope) in one message
        notes = [*self.user.warnings, *self.plugin_keys.conflict_note()]
        if self._first_look is not None:  # the look the app started with: its theme already
            theme.use(self._first_look)  # (and its palette again: another app may have been made since)
            self.show_skin(self._first_look.skin, notes=notes, applied=True)
            self.skin_choice = self.user.settings.skin
        else:
            self.apply_skin(self.user.settings.skin, notes=notes)
        self.set_focus(self.table)
        timeline.install(self)  # the replay bar (when replaying), hot-reload flashes
        if self.user.persist and self.user.settings.ui.reactive and not self.manual:  # k9s's ui.reactive
            from k9py.ui import reactive
            self.run_worker(reactive.watch(self), group="config-watch", exclusive=True)

    # -- skins (ui/theme.py: a k9s skin → the Textual theme and the components' styles) -----------------
    skin: Skin = Skin()
    skin_choice: str | None = None  # what apply_skin was last given (a name or a file)
    watch_skin_file: bool | None = None  # None: watch the active skin's file unless manual (tests)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme.variables()  # the $k9-* variables the CSS uses, before a skin is applied

    def apply_skin(self, name_or_file: str | None, *, notes: list[str] | None = None) -> bool:
        """Make a skin (a bundled or user skin's name, or a k9s skin file; None: the default look)
        the app's look now. A wrong one flashes ``FILE:LINE: ...`` and keeps the current look.
        ``notes``: other warnings to flash with the skin's own (one flash, not one over another)."""
        try:
            skin = theme.load(name_or_file)
        except K9pyError as err:
            self.flash(" | ".join([*(notes or []), str(err)]), "error")
            return False
        self.show_skin(skin, notes=notes)
        self.skin_choice = name_or_file
        return True

    def _skin_before_start(self, name_or_file: str | None) -> theme.Palette | None:
        """config.yaml's skin (or --skin, the context's) made the app's theme before it runs, so
        Textual parses the stylesheet once: its palette; None when it cannot be (a wrong file:
        ``on_mount`` flashes why; the terminal's own colours)."""
        try:
            return theme.apply_before_start(self, theme.load(name_or_file), invert=self.user.settings.ui.invert)
        except K9pyError:
            return None

    def show_skin(self, skin: Skin, *, watch: bool = True, notes: list[str] | None = None,
                  applied: bool = False) -> None:
        """Paint everything with ``skin``; watch its file (``watch``) so a save restyles the app.
        ``applied``: it is the theme already (set before the app ran): nothing to restyle."""
        self.skin = skin
        if not applied:
            theme.apply(self, skin, invert=self.user.settings.ui.invert)
            self.restyle()
        if warnings := [*(notes or []), *skin.warnings]:
            # one line: several are counted first (the line ends where the terminal does)
            count = "" if len(warnings) < 2 else f"{len(warnings)} warnings" + (
                " (k9py info lists them): " if notes else ": ")
            self.flash(count + " | ".join(warnings), "warn")
        if watch:
            self.workers.cancel_group(self, "skin-watch")
            if skin.path is not None and (self.watch_skin_file if self.watch_skin_file is not None else not self.manual):
                self.run_worker(self._watch_skin(skin.path), group="skin-watch", exclusive=True)

    def restyle(self) -> None:
        """Paint every widget again with the active palette (what holds pre-built text rebuilds it)."""
        for screen in self.screen_stack:
            for node in screen.walk_children(with_self=True):  # (a text view's screen: its title)
                hook = getattr(node, "restyle", None)
                if callable(hook):
                    hook()
                node.refresh()
        if self.query("#header"):
            self.render_header()

    def reload_skin(self) -> bool:
        """The active skin's file changed: read it again. A wrong file flashes and keeps the look."""
        path = self.skin.path
        if path is None:
            return False
        from k9py.config import skin as skins
        try:
            skin = skins.load(path, name=self.skin.name)
        except K9pyError as err:
            self.flash(str(err), "error")
            return False
        self.show_skin(skin, watch=False)
        if not skin.warnings:
            self.flash(f"skin {skin.name} reloaded")
        return True

    async def _watch_skin(self, path: Path) -> None:
        from watchfiles import awatch
        target = path.resolve()
        async for changes in awatch(target.parent, debounce=100, recursive=False):  # editors rename over it
            if any(Path(p).resolve() == target for _, p in changes) and target.exists():
                self.reload_skin()

    def _begin(self, session: Session) -> None:
        session.start()
        session.informer.subscribe("Node", None, self._on_nodes)  # the header's CPU/MEM
        self.watch_namespaces(session)  # listed by the time `:po kube-s⇥` is typed, even in one burst

    async def on_unmount(self) -> None:
        self.workers.cancel_group(self, "context")  # a `:ctx` still waiting goes (it says nothing), then
        exec_plugins.stop()  # its credential plugin: one that never answers held the exit for ever
        for drain in list(self.drains):  # (Timeout 0s: it may wait on a budget for ever; kubectl's ctrl-c)
            drain.cancel()
        if self.answers:  # `:q` typed right behind a `y`: its calls go out first
            await asyncio.wait(set(self.answers), timeout=ANSWER_WAIT)
        self.plugin_keys.close()
        self.exit_problem = self.remember_context()  # launch prints it once the terminal is back
        from k9py.ui.merged import close_views  # the contexts a merged view opened (`--contexts`)
        for navigator in self.splits.navigators():
            await close_views(navigator.stack)
        for session in self.sessions():  # every pane's (a past's present too)
            await session.close()

    def remember_context(self) -> str | None:
        """Save this context's namespace, favourites and view (only with the user's files)."""
        return context_memory.save(self)

    async def action_quit(self) -> None:
        """k9s's noExitOnCtrlC: ctrl-c does not quit (`:q` does)."""
        if self.last_key == "ctrl+c" and self.user.settings.no_exit_on_ctrl_c:
            self.flash("ctrl-c does not quit (noExitOnCtrlC): use :q", "warn")
            return
        self.exit()

    async def pump(self) -> None:
        """Tests: let watch tasks run, then flush the informer (manual mode)."""
        for _ in range(5):
            await asyncio.sleep(0)
        for session in self.sessions():
            session.informer.flush()

    def poll_metrics(self) -> None:
        """``refresh_metrics`` in a worker (a session polls once at a time: ``Session.poll_metrics``).
        A coroutine a timer or ``call_later`` runs is awaited in the message queue that runs it,
        and every key passes through the App's queue and the pane's: a live 10,000-pod poll held
        each key ~0.3 s."""
        self.run_worker(self.refresh_metrics(), group="metrics")

    def run_answer(self, job: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """A dialog's answer (``actions.answered``) as a task of its own, not a worker: quitting
        right after it waits for its calls (``on_unmount``) instead of cancelling them half-done
        (a delete of marked pods); an error it did not expect is flashed. A drain is cancelled
        (``drains``): it may wait for a PodDisruptionBudget with no end."""
        task = asyncio.get_running_loop().create_task(job)
        self.answers.add(task)
        task.add_done_callback(self._answer_done)
        return task

    def cancel_drains(self, backend: Backend, nodes: Iterable[str] | None = None) -> str | None:
        """Cancel the drains going on on ``backend`` (those of any of ``nodes``; None: all of them,
        its Session closing under them); what to say, None when none was. The nodes they cordoned
        stay cordoned, as kubectl's drain interrupted leaves them."""
        wanted = None if nodes is None else set(nodes)
        going = [(task, what) for task, (b, drained, what) in self.drains.items()
                 if b is backend and not task.done() and (wanted is None or drained & wanted)]
        for task, _ in going:
            task.cancel()
        if not going:
            return None
        return f"Drain of {', '.join(what for _, what in going)} canceled (cordoned nodes stay cordoned)"

    def _answer_done(self, task: asyncio.Task[None]) -> None:
        self.answers.discard(task)
        self.drains.pop(task, None)
        if not task.cancelled() and (err := task.exception()) is not None and self.is_running:
            self.flash(f"{type(err).__name__}: {err}", "error")

    async def refresh_metrics(self) -> None:
        """Poll usage (nodes for the header; pods when a pod view shows). Tests call it by hand."""
        cur = self.current
        pods = cur is not None and cur.shows_pods
        if not await self.session.poll_metrics(cur.namespace if cur and pods else None, pods=pods):
            return
        if self.query("#table") and self.query("#header") and cur is self.current:  # the app may have closed meanwhile
            if cur is not None and cur.apply_metrics():
                self.table.model_changed()
            self.render_header()

    def _argument_words(self, head: str) -> list[str]:
        """What Tab completes after a command's first word: a context's name after `:ctx`, a
        namespace after a namespaced view (those listed, else the favourites)."""
        if head in ("ctx", "context", "contexts"):
            return [meta.name(c) for c in self.session.contexts()]
        view = kinds.lookup(head, self.session.extra_aliases())
        if view is None or not view.namespaced:
            return []
        cache = self.session.informer.cache("Namespace", None)
        if cache is not None and cache.synced:
            return [name for _, name in cache.objects]
        self.watch_namespaces()
        return list(self.navigator.favorites)

    def watch_namespaces(self, session: Session | None = None) -> None:
        """The namespaces of ``session`` (the focused pane's), watched from its start (a handful of
        objects): Tab completes them, and a namespace typed that does not exist is known not to
        (kept from favourites)."""
        informer = (session or self.session).informer
        if informer not in self._namespaces_watched:  # (once per informer: split panes may show several)
            self._namespaces_watched.add(informer)
            informer.subscribe("Namespace", None, lambda cache, diff: None)

    def _tick(self) -> None:
        self.splits.tick()
        self.render_header()
        self.reap_forwards()

    def reap_forwards(self) -> None:
        """Port-forwards whose pod went away end, with a word in the flash (k9s drops them too):
        those of every Session shown (each pane's, or its present while it shows the past)."""
        live = (p.navigator.session.present or p.navigator.session for p in self.splits.all_panes())
        ended = [fwd for s in {id(s): s for s in live}.values() for fwd in s.forwards.reap()]
        for fwd in ended:
            reason = fwd.ended.removeprefix("error: ")  # (kubectl's last words)
            self.flash(f"port-forward {fwd.namespace}/{fwd.pod} {fwd.ports} ended: {reason}", "warn")
        if ended:
            self.forwards_changed()

    def _on_nodes(self, cache: Cache, diff: Diff) -> None:
        if diff.state:  # the backend's connection state shows in the header
            self.splits.render_state()
        if diff.added and not self.manual:  # new nodes (the demo arriving after the first frame): their usage now
            self.poll_metrics()

    def outcome(self, out: Outcome) -> bool:
        """Show what a navigation said and do what only the UI can."""
        if out.quit:
            self.exit()
        elif out.request == "context":
            self.switching = out.arg  # the keys typed meanwhile wait for it (``HeldKeys``)
            self.switch_stalled = False  # (one given up stalled: this one is not yet)
            self.run_worker(self.switch_context(out.arg, then=out.then), group="context", exclusive=True)
        elif out.request == "context-kept" and self.switching is not None:  # `:ctx` of the one in use
            out = replace(out, message=f"{out.message}: the switch to {self.switching} is given up")
            self.workers.cancel_group(self, "context")
        elif out.request == "scenarios":
            return timeline.open_picker(self)
        elif out.request in ("rewind", "now", "diff", "changes"):
            from k9py.ui import timetravel

            jobs = {"rewind": timetravel.rewind, "diff": timetravel.diff, "changes": timetravel.changes}
            job = jobs[out.request](self, out.arg) if out.request in jobs else timetravel.back_to_now(self)
            self.run_worker(job, group="timetravel", exclusive=True)
        elif out.request in ("logs", "describe", "values"):
            from k9py.ui.screens import actions  # lazily: not needed for the first frame

            actions.open_view(self, out.request)
        elif out.request == "help":
            self.action_help()
        elif out.request == "aliases":
            self.action_aliases()
        elif out.request in ("xray", "pulses", "timeline", "screendumps", "skins", "portforwards", "benchmarks", "dir", "rbac"):
            from k9py.ui.screens import extra
            extra.open_request(self, out.request, out.arg)
        if out.message:
            self.flash(out.message, out.level)
        if out.later is not None:  # what the navigator can say once the backend answered
            self._after(out.later, self.outcome)
        return out.ok

    def _after(self, later: Callable[[], Awaitable[Outcome]], then: Callable[[Outcome], Any]) -> None:
        """``then`` with what ``later`` says once the backend answered (a worker: keys go on)."""
        async def run() -> None:
            then(await later())
        self.run_worker(run(), group="later")

    def run_command(self, text: str) -> bool:
        if self.splits.command(text):  # :split, :vsplit, :close, :only, :zoom
            return True
        return self.outcome(self.navigator.run(text))

    async def switch_context(self, name: str, *, then: str = "") -> bool:
        """`:ctx` + enter: a Session on context ``name`` replaces this one without a restart;
        ``then``: a command to run on it (k9s's `:pods @CTX`)."""
        try:
            return await self._switch_context(name, then)
        finally:
            if self.switching == name:  # (a later `:ctx`'s switch, which cancelled this one, goes on)
                self.switching = None
                self.switch_stalled = False

    async def _switch_context(self, name: str, then: str) -> bool:
        self.flash(f"Switching context to {name}...")
        if self.switching != name:
            self.switching, self.switch_stalled = name, False
        shown = next((s for s in self.sessions() if s.present is None and s.info().context == name), None)
        try:  # another pane's on that context already: this one joins it (one connection, watch and history)
            new = shown or await self._open_context(name)
        except Exception as err:
            self.flash(f"context {name}: {err}", "error")
            return False
        await self.replace_session(new, pane_only=True)
        if self.context_notes:  # its own files that are wrong
            self.flash(f"Switched to context {name}: " + " | ".join(self.context_notes), "warn")
        else:
            self.flash(f"Switched to context {name}")
        if then:
            self.run_command(then)
        return True

    async def _open_context(self, name: str) -> Session:
        """The focused pane's Session switched to context ``name``; a credential plugin that keeps it
        waiting is named in the flash every few seconds."""
        token = object()  # the credential plugins this switch runs (a thread's: asyncio.to_thread copies it)
        exec_plugins.owner.set(token)
        began = time.monotonic()
        switching = asyncio.ensure_future(
            self.session.switch_context(name, readonly=context_memory.read_only_for(self, name)))
        try:
            while not (await asyncio.wait({switching}, timeout=exec_plugins.NOTICE_AFTER))[0]:
                self.switch_stalled = True  # a plugin or a server that does not answer: keys act again
                if plugins := exec_plugins.running(token):  # one that hangs held `:ctx` without a word
                    waited = time.monotonic() - plugins[0].started
                    self.flash(f"Switching context to {name}: waiting {waited:.0f}s for its credential plugin "
                               f"{Path(plugins[0].command).name}", "warn")
                else:
                    self.flash(f"Switching context to {name}: waiting {time.monotonic() - began:.0f}s for its server",
                               "warn")
            return switching.result()
        except asyncio.CancelledError:  # another `:ctx`, quitting: its plugin is not waited for
            switching.cancel()
            exec_plugins.stop(token)
            raise

    async def replace_session(self, new: Session, *, pane_only: bool = False) -> None:
        """``new`` replaces the focused pane's Session (`:ctx`, `:scenarios` opening another kind
        of file): the views open again on it, then the old one closes once no pane shows it.
        ``pane_only`` (`:ctx`): only the focused pane moves; else every pane on that Session."""
        if problem := self.remember_context():  # the context left keeps its namespace and favourites
            self.flash(problem, "warn")
        old = self.session
        if all(s is not new for s in self.sessions()):  # (one another pane shows has begun)
            self._begin(new)
        ns = context_memory.arrive(self, new)  # the new context's favourites, skin and namespace
        notes = self.use_context_files(new)
        self.outcome(self.splits.rebind(new, old, pane_only=pane_only, namespace=ns if pane_only else None))
        if notes:
            self.flash(" | ".join(notes), "warn")
        self.context_notes = notes
        self.context_notes += await self.splits.release(old)  # (a drain going on there, cancelled)

    def use_context_files(self, session: Session) -> list[str]:
        """The aliases, hotkeys and plugins of ``session``'s context (its own files beside the
        config directory's, as k9s reads them on a context switch): the focused pane's `:`
        commands, the app's hotkeys and the plugins' keys (a wrong file: flashed, skipped)."""
        if self.user.shared is None:
            return []
        info = session.info()
        notes = self.user.use_context(info.context, info.cluster)
        self.navigator.aliases = self.user.aliases
        keymap.install(self, [*keymap.app_bindings(self.user.keymap), *keymap.hotkey_bindings(self.user.hotkeys)])
        self.prompt.user_aliases = tuple(self.user.aliases)
        return notes

    # -- the prompt: keys routed in arrival order (see widgets/prompt.py) ----------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and event.key == "ctrl+j" and not event.is_forwarded and self._newline_is_enter():
            event = events.Key("enter", "\r")  # typed before the terminal went raw (enter came as a newline)
        if isinstance(event, events.Key):
            if not self.typed_ahead.seen(event):
                return  # typed ahead of a shell or an editor: it was theirs
            self.last_key = event.key
        if isinstance(event, events.Key) and not event.is_forwarded and self.held_keys.take(event):
            return  # typed onto a table whose cluster is still being built: it waits for the rows
        if isinstance(event, events.Key) and not event.is_forwarded and self.key_order.wait(event):
            return  # a key before it is still on its way through a widget: it runs after that one
        if isinstance(event, events.Key) and not event.is_forwarded and self._route_key(event.key, event.character):
            return
        if isinstance(event, events.Key) and not event.is_forwarded and self.plugin_keys.handle(event.key):
            return  # a plugin's key (over a built-in action's only with override: true)
        if isinstance(event, events.Key) and not event.is_forwarded and event.key == "escape" \
                and await self._check_bindings("escape"):
            # now, not after the focused widget's queue: a screen closes (the keys typed behind esc
            # reach the view below), a filter clears before the `/x⏎` typed behind it applies
            return
        if isinstance(event, events.Key) and not event.is_forwarded and getattr(self.screen, "KEYS_NOW", False) \
                and await self._check_bindings(event.key):
            # a screen of keys only (no text field): each runs now, in turn with the keys behind
            # it; the enter that closes it sends those to the view below (`:scenarios`, a pick, `:deploy⏎`)
            return
        if isinstance(event, events.Paste) and not event.is_forwarded and self.key_order.wait(event):
            return  # pasted behind a key still on its way (`/` opening a search box): after it
        if isinstance(event, events.Paste) and not event.is_forwarded and len(self.screen_stack) == 1:
            self._route_pasted(event.text)
            return
        if isinstance(event, events.Key) and event.is_forwarded:  # back from the focused widget: its bindings run now
            self.typed_ahead.in_hand = event
            try:
                await super().on_event(event)
            finally:
                self.typed_ahead.in_hand = None
            return
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            target = self.focused or self.screen
            await super().on_event(event)
            if event.is_forwarded:  # handed to the widget's queue: the keys behind it wait for it
                self.key_order.sent(target, event)
            return
        await super().on_event(event)

    async def on_key_landed(self, marker: KeyLanded) -> None:
        await self.key_order.landed(marker)

    def _newline_is_enter(self) -> bool:
        """Whether ctrl+j (a newline) is an enter: keys typed while k9py starts, before the
        terminal leaves cooked mode, have their enter turned into a newline (`:deploy⏎⏎l` typed
        at once: the second drilled into nothing). Unless a key binding or plugin takes ctrl+j."""
        if "ctrl+j" in self.screen.active_bindings:
            return False
        cur = self.current
        return cur is None or "ctrl+j" not in self.plugin_keys.bound(cur.scope.view)

    def _route_pasted(self, text: str) -> None:
        """Pasted text as if typed, key by key, but each run of plain characters into an open
        prompt at once: one at a time, every character re-read the whole line (10,000 pasted
        took 5 s, 50,000 a minute and a half, the app frozen meanwhile)."""
        i = 0
        while i < len(text):
            prompt = self.prompt
            if prompt.display:
                j = i
                while j < len(text) and text[j] not in "\r\n\t" and text[j].isprintable():
                    j += 1
                if j > i:
                    prompt.insert_text_at_cursor(text[i:j])
                    if prompt.mode == "filter":
                        self.filtered().apply_filter(prompt.value)
                    i = j
                    continue
            ch = text[i]
            self._route_key(PASTED.get(ch, ch), ch)
            i += 1

    def _route_key(self, key: str, char: str | None) -> bool:
        """Open, edit, submit or cancel the prompt now. False: the key goes its usual way."""
        if len(self.screen_stack) > 1:
            own = self._screen_prompt()
            if own is not None:
                return self._route_screen_prompt(own, key, char)
            return self._prompt_on_its_way(key, char) or self._command_from_pushed_screen(key)
        prompt = self.prompt
        if not prompt.display:
            mode = keymap.prompt_mode(self.user.keymap, key)  # `:` and `/`, or the user's keys for them
            if mode is None:
                return False
            prompt.open(mode)
            if mode == "command":
                self.watch_namespaces()
            return True
        if key in ("up", "down") and prompt.mode == "command":  # k9s: recall the commands run before
            prompt.recall(self.navigator.commands, -1 if key == "up" else 1)
            return True
        done = prompt.feed(key, char)
        if done == "edit" and prompt.mode == "filter":
            self.filtered().apply_filter(prompt.value)
        elif done == "cancel":
            self.action_escape()
        elif done == "submit":
            text = prompt.value
            if prompt.close() == "filter":
                self.filtered().apply_filter(text, final=True)
            elif text.strip():
                self.run_command(text)
        return done is not None

    def filtered(self) -> Any:
        """What `/` filters: the focused split's log pane, else the focused explorer pane."""
        leaf = self.splits.leaf
        return leaf if leaf is not None and is_logs(leaf) else self.pane

    def _over_views(self) -> bool:
        """Whether the pushed screens are all views (no dialog or picker under the top one,
        whose answer is not to be skipped)."""
        return all(getattr(s, "KEY_SCOPE", "") for s in self.screen_stack[1:])

    def _screen_prompt(self) -> Prompt | None:
        """The top screen's own `:` prompt (a view wearing k9s's chrome: describe, YAML, logs,
        xray, pulses, `:pf`, `:dir` ..., over the table or over another such view), unless a
        text box of its own has the keys."""
        from textual.widgets import Input

        if not self._over_views() or not getattr(self.screen, "ready", True):
            return None
        found = self.screen.query("#screen-prompt").results(Prompt)
        own = next(iter(found), None)
        if own is None or (not own.display and isinstance(self.focused, Input) and self.focused is not own):
            return None
        return own

    def _prompt_on_its_way(self, key: str, char: str | None) -> bool:
        """`y:dp` typed at once: the `:` came while the YAML was pushed but not yet mounted (no
        prompt of its own yet), which closed it for the table's prompt. The keys wait, and the
        `:` runs again once the screen is ready (``Chromed.when_ready``)."""
        screen = self.screen
        waiting = getattr(screen, "when_ready", None)
        if not self._over_views() or getattr(screen, "ready", True) or waiting is None \
                or keymap.prompt_mode(self.user.keymap, key) != "command":
            return False
        release = self.key_order.hold()

        def again() -> None:
            try:
                self._route_key(key, char)
            finally:
                release()
        waiting.append(again)
        return True

    def _route_screen_prompt(self, prompt: Prompt, key: str, char: str | None) -> bool:
        """k9s's prompt over a view (describe, YAML, logs, xray, pulses ...): the view stays under
        it until a command runs; esc closes the prompt only, a command not found is said on the view."""
        if not prompt.display:
            if keymap.prompt_mode(self.user.keymap, key) != "command":
                return False
            prompt.open("command")
            self.watch_namespaces()
            return True
        if key in ("up", "down"):
            prompt.recall(self.navigator.commands, -1 if key == "up" else 1)
            return True
        done = prompt.feed(key, char)
        if done in ("cancel", "submit"):
            text = prompt.value
            prompt.close()
            if done == "submit" and text.strip():
                self._command_over_screen(text)
        return done is not None

    def _command_over_screen(self, text: str) -> None:
        """``text`` typed over the pushed screen: the screens close and it runs as over the
        table, unless it fails (a command not found, a bad selector), which the screen says."""
        screen = self.screen
        if self.splits.is_command(text):
            self._close_screens()
            self.run_command(text)
            return
        out = self.navigator.run(text)
        if out.later is not None and out.ok and out.request is None and not out.quit:
            # a word no kind knew: the server's kinds read again first
            self._after(out.later, lambda said: self._say_over(screen, said))
            return
        self._say_over(screen, out)

    def _say_over(self, screen: Screen[Any], out: Outcome) -> None:
        """What a command run over ``screen`` said: a failure on the screen, still open; else
        the screens close and the outcome is done over the table."""
        if not out.ok and self.screen is screen and hasattr(screen, "flash"):
            screen.flash(out.message, out.level)
            return
        self._close_screens()
        self.outcome(out)

    def _close_screens(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def _command_from_pushed_screen(self, key: str) -> bool:
        """k9s's `:` works in every view: on a screen with no prompt of its own
        (``_screen_prompt``: help) the pushed screens close and the prompt opens over the view
        below, so what is typed behind it is a command, never the screen's own keys. Not while a
        dialog or picker is open (even under help), nor while a text box has the keys."""
        from textual.widgets import Input

        if keymap.prompt_mode(self.user.keymap, key) != "command":
            return False  # (every other key of a pushed screen: first, and at once)
        if isinstance(self.focused, Input) or not self._over_views():
            return False  # (a dialog or picker under the screen: its answer is not to be skipped)
        self._close_screens()
        self.prompt.open("command")
        return True

    def action_command(self) -> None:
        self.prompt.open("command")

    def action_filter(self) -> None:
        self.prompt.open("filter")

    # -- keys ---------------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The explorer's keys belong to the resource view: not to a screen pushed over it (but a
        viewer's header and crumbs, k9s's around its text, toggle as the table's)."""
        if action in ("toggle_header", "toggle_crumbs") and hasattr(self.screen, "render_chrome"):
            return True
        return len(self.screen_stack) <= 1 or action == "quit"

    def action_escape(self) -> None:
        if self.prompt.display:
            if self.prompt.close() == "filter":
                self.pane.apply_filter("", final=True)
        elif self.model is not None and self.model.filter:
            self.pane.apply_filter("", final=True)
        elif self.session.present is not None and len(self.navigator.stack) <= 1:
            self.outcome(self.navigator.run("now", record=False))  # the past: esc comes back to now
        else:
            self.navigator.pop()

    def replay_hints(self) -> list[tuple[str, str]]:
        """The play head's keys (a replay, a scenario, the past), or the present's `<` to rewind."""
        found = timeline.hints(self.backend)
        if found or self.session.history is None:
            return found
        from k9py.ui import timetravel

        return timetravel.hints(self)

    def action_replay(self, what: str) -> None:
        timeline.act(self, what)  # raises SkipAction when not replaying: the key's usual binding runs

    def action_help(self) -> None:
        from k9py.ui.screens.help import HelpScreen

        cur = self.current
        if cur is None or cur.model is None:
            return
        columns = {c.name for c in cur.model.columns}
        replay = self.replay_hints()
        save = self.user.keymap.label("save", "<ctrl-s>")
        if self.session.present is not None and save:  # the past saves its history there, not the table
            replay = [*replay, (save, "Save history")]
        hotkeys, plugins = keymap.hotkey_sections(self.user.hotkeys), self.plugin_keys.sections(cur.scope.view)
        sections = keymap.help_sections(cur.scope.view, self.session.read_only, columns, self.navigator.favorites,
                                        replay, keys=self.user.keymap,
                                        extra=[*hotkeys, *plugins, *self.splits.help_sections()],
                                        taken={text for _, found in [*hotkeys, *plugins] for text, _ in found},
                                        general=timeline.practice_hints(self))  # `:scenarios`, `:timeline`
        self.push_screen(HelpScreen(f"Help: {cur.scope.view.name}", sections))

    def action_aliases(self) -> None:
        from k9py.ui.screens.help import AliasesScreen

        user = self.navigator.aliases
        rows = kinds.alias_table(self.session.extra_aliases(), user)  # the user's last
        builtin = len(rows) - len(user)  # enter runs a view's name, a user's alias by its word
        self.push_screen(AliasesScreen.listing([(kind, name, words, name if i < builtin else words)
                                                for i, (kind, name, words) in enumerate(rows)]))

    def action_hotkey(self, index: int) -> None:
        """A hotkey (hotkeys.yaml): its command, as if typed at the prompt (keepHistory: on top)."""
        hotkey = self.user.hotkeys[index]
        command = self.plugin_keys.expand(hotkey.command)  # k9s's variables: this view's, this row's
        self.outcome(self.navigator.run(command, keep_stack=hotkey.keep_history))

    def action_toggle_header(self) -> None:
        header = self.query_one("#header")
        self.show_header = not header.display
        self._header_chosen = True  # the user's choice stands, whatever the terminal's size
        header.display = self.show_header
        self._render_chrome()

    def action_toggle_crumbs(self) -> None:
        """k9s's ctrl-g: the crumbs line under the table, every pane's, on or off."""
        self.show_crumbs = not self.show_crumbs
        for crumbs in self.query("#crumbs"):
            crumbs.display = self.show_crumbs
        self._render_chrome()

    def _render_chrome(self) -> None:
        """A viewer's own header and crumbs (k9s's, around the text) follow the table's."""
        render_chrome = getattr(self.screen, "render_chrome", None)
        if render_chrome is not None and not getattr(self.screen, "torn_down", True):
            render_chrome()

    def on_resize(self, event: events.Resize) -> None:
        self._place_header(event.size.height)

    def _place_header(self, height: int) -> None:
        """A terminal too short for the header (8 rows) and a few table rows hides it, as on a
        40x10 terminal it left no row; ctrl-e still shows it."""
        if not self._header_chosen:
            self.query_one("#header").display = self.show_header and height >= SHORT_TERMINAL

    # -- flash, title, crumbs, header ----------------------------------------------------------------------
    @property
    def flash_text(self) -> str:
        return self.query_one("#flash", Flash).text

    def flash(self, message: str, level: str = "info", source: str | None = None) -> None:
        """``source``: the input the message is about ("filter"): its next good value clears it."""
        log.log(FLASH_LEVELS.get(level, logging.INFO), "%s", encodable(message))  # (a name's lone surrogate)
        found = self.query("#flash")
        if not found:  # the app is closing: a worker's last word (a context switch given up) is logged only
            return
        found.first(Flash).show(message, level, self.flash_seconds, source)

    def forwards_changed(self) -> None:
        """A port-forward started or stopped: the PF column follows."""
        cur = self.current
        if cur is not None and cur.apply_forwards() and self.query("#table"):
            self.table.model_changed()

    def render_header(self) -> None:
        state = self.session.info().state
        if state != self._state_shown:  # the tables say what the header does (reconnecting, offline)
            if self._state_shown is not None or state not in ("connecting", "connected"):
                info = self.session.info()
                log.log(logging.WARNING if state in ("reconnecting", "offline") else logging.INFO, "%s",
                        encodable(f"context {info.context}: {state}"
                                  + (f" ({info.extra['error']})" if info.extra.get("error") else "")))
            self._state_shown = state
            self.splits.render_state()
        for header in self.query("#header").results(Header):  # none while the app closes
            header.show(self.session, self.navigator, self.replay_hints())
        self._render_chrome()
