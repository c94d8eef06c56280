"""K9pyApp: the k9s-style explorer over any Backend (the simulator's demo cluster by default)."""

from __future__ import annotations

import asyncio
import gc
from dataclasses import dataclass, field
from typing import Any

from rich.markup import escape
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from k9py import __version__
from k9py.backends.base import Backend, read_only
from k9py.errors import K9pyError
from k9py.kube import meta
from k9py.store.informer import Cache, Diff, Informer, Subscription
from k9py.store.metrics import MetricsCache
from k9py.ui import keymap
from k9py.ui.screens import actions
from k9py.ui.screens.help import AliasesScreen, HelpScreen, columns_text
from k9py.ui.widgets import timeline
from k9py.ui.widgets.resource_table import ResourceTable
from k9py.ui.widgets.server_table import ServerTableModel
from k9py.view import kinds
from k9py.view.kinds import BY_NAME, Scope, ViewKind
from k9py.view.rows import Key, RowModel, expand_containers

LOGO = [
    r" _    ___",
    r"| |__/ _ \ _ __ _  _",
    r"| / /\_, /| '_ \ || |",
    r"|_\_\ /_/ | .__/\_, |",
    r"          |_|   |__/",
]
METRICS_INTERVAL = 5.0  # seconds between metrics polls (k9s: a few seconds)
FULL_RELOAD_MIN = 64  # a diff touching more rows than this (and > 1/4 of them) rebuilds the model


@dataclass
class ViewState:
    scope: Scope
    filter: str = ""
    cursor: Key | None = None
    sort: tuple[str, bool] | None = None
    wide: bool = False
    model: RowModel | None = None
    sub: Subscription | None = None
    top: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class Prompt(Input):
    """The `:` / `/` prompt; Tab completes a command's first word."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False, priority=True)]
    mode = "command"

    def action_complete(self) -> None:
        if self.mode != "command":
            return
        words = self.value.split(" ")
        if len(words) == 1:
            options = kinds.complete(words[0], getattr(self.app, "extra_aliases", lambda: None)())
            if options:
                self.value = options[0]
                self.cursor_position = len(self.value)


class K9pyApp(App[None]):
    CSS_PATH = "k9py.tcss"
    TITLE = "k9py"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding(k, action, desc, show=False) for k, action, desc in keymap.bindings()] + [
        Binding("shift+j", "owner", "Jump owner", show=False),
        Binding("shift+n", "sort('NAME')", show=False), Binding("shift+a", "sort('AGE')", show=False),
        Binding("shift+s", "sort('STATUS')", show=False), Binding("shift+p", "sort('NAMESPACE')", show=False),
        Binding("shift+r", "sort('READY')", show=False), Binding("shift+g", "bottom", show=False),
        # describe / yaml / logs and actions (k9py.ui.screens.actions)
        Binding("d", "act('describe')", show=False), Binding("y", "act('yaml')", show=False),
        Binding("l", "act('logs')", show=False), Binding("p", "act('previous')", show=False),
        Binding("e", "act('edit')", show=False), Binding("i", "act('image')", show=False),
        Binding("r", "act('restart')", show=False), Binding("c", "act('cordon')", show=False),
        Binding("u", "act('uncordon')", show=False), Binding("t", "act('trigger')", show=False),
        Binding("ctrl+k", "act('kill')", show=False), Binding("ctrl+l", "act('rollback')", show=False),
    ] + timeline.BINDINGS  # replay keys: active only when the backend plays a recording

    def __init__(self, backend: Backend, *, namespace: str = "default", view: str = "pods",
                 manual: bool = False, readonly: bool = False, logoless: bool = False,
                 headless_ui: bool = False) -> None:
        """``manual``: no clock driver, no timers, no auto flush (tests call ``pump()``).
        ``headless_ui``: k9s's ``--headless`` (no header)."""
        super().__init__()
        self.backend: Backend = read_only(backend) if readonly else backend
        self.readonly = readonly
        self.manual = manual
        self.logoless = logoless
        self.show_header = not headless_ui
        self.informer = Informer(self.backend, auto_flush=not manual)
        self.metrics = MetricsCache(self.backend)
        self._metrics_busy = False
        self.start_namespace = namespace
        self.active_namespace = namespace  # what namespaced views open in ("" all)
        self.start_view = view
        self.stack: list[ViewState] = []
        self.favorites: list[str] = [namespace] if namespace else ["default"]
        self.history: list[str] = []
        self._hist_pos = -1
        self._current_cmd: str | None = None
        self._previous_cmd: str | None = None
        self._flash_timer: Any = None

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="header")
        yield Prompt(id="prompt")
        yield ResourceTable(id="table")
        yield Static(id="crumbs")
        yield Static(id="flash")

    @property
    def table(self) -> ResourceTable:
        return self.query_one("#table", ResourceTable)

    @property
    def prompt(self) -> Prompt:
        return self.query_one("#prompt", Prompt)

    @property
    def current(self) -> ViewState | None:
        return self.stack[-1] if self.stack else None

    @property
    def model(self) -> RowModel | None:
        return self.current.model if self.current else None

    async def on_mount(self) -> None:
        # The cluster's objects are long-lived: keep the cyclic GC from walking them again and
        # again (a full collection over 100k pods costs ~1 s, mid first paint).
        if not self.manual:
            gc.freeze()
        self.prompt.display = False
        self.query_one("#header").display = self.show_header
        start = self.backend.start if hasattr(self.backend, "start") else None  # type: ignore[attr-defined]
        if not self.manual and start is not None:
            start()
        # nodes for the header's CPU/MEM (usage over allocatable)
        self.informer.subscribe("Node", None, self._on_nodes)
        if not self.manual:
            self.set_interval(1.0, self._tick)
            self.set_interval(3.0, self._clear_deltas)
            self.set_interval(METRICS_INTERVAL, self.refresh_metrics)
            self.call_later(self.refresh_metrics)
        if not self.run_command(self.start_view, record=True):
            self.run_command("pods", record=True)
        self.table.focus()
        timeline.install(self)  # the replay bar (when replaying), hot-reload flashes

    async def on_unmount(self) -> None:
        await self.informer.close()
        close = getattr(self.backend, "close", None)
        if close is not None:
            await close()

    async def pump(self) -> None:
        """Tests: let watch tasks run, then flush the informer (manual mode)."""
        for _ in range(5):
            await asyncio.sleep(0)
        self.informer.flush()

    async def refresh_metrics(self) -> None:
        """Poll usage (nodes always, for the header; pods when a pod view shows) and hand it to
        the current view. Tests call it by hand (manual clock)."""
        if self._metrics_busy:
            return
        self._metrics_busy = True
        try:
            m = self.model
            pods = m is not None and m.kind in ("Pod", "Container")
            ns = self.current.scope.namespace if pods and self.current is not None else None
            await self.metrics.refresh(ns or None, pods=pods)
        finally:
            self._metrics_busy = False
        if not self.query("#table"):  # the app closed while metrics were on their way
            return
        m = self.model
        if m is not None and m.kind in ("Pod", "Container"):
            usage = self.metrics.pods if m.kind == "Pod" else self.metrics.containers
            m.set_metrics(usage if self.metrics.available else None)
            self.table.model_changed()
        self._render_header()

    def _tick(self) -> None:
        m = self.model
        if m is not None:
            m.now = self.backend.now()
            self.table.refresh()
        self._render_header()

    def _clear_deltas(self) -> None:
        if self.model is not None:
            self.model.clear_deltas()
            self.table.refresh()

    # -- views -------------------------------------------------------------------------------
    def _open(self, state: ViewState) -> None:
        """Build the state's model and subscribe it to the informer."""
        scope = state.scope
        view = scope.view
        if view.name == "contexts":
            state.model = self._contexts_model()
            return
        expand = expand_containers if view.name == "containers" else None
        all_ns = view.namespaced and not scope.namespace
        server_table = self._uses_server_table(view)
        model = (ServerTableModel if server_table else RowModel)(
            view, all_namespaces=all_ns and expand is None, wide=state.wide, predicate=scope.predicate, expand=expand)
        model.now = self.backend.now()
        if model.kind in ("Pod", "Container") and self.metrics.available:
            model.set_metrics(self.metrics.pods if model.kind == "Pod" else self.metrics.containers)
            if not self.manual:  # fresh figures for this scope, after the first paint
                self.set_timer(0.3, self.refresh_metrics)
        if state.sort:
            model.set_sort(*state.sort)
        model.set_filter(state.filter)
        state.model = model
        ns = scope.namespace if view.namespaced else None
        cache = self.informer.cache(view.kind, ns or None)
        if cache is not None and cache.synced:
            model.load(cache.objects)

        def on_diff(cache: Cache, diff: Diff, state: ViewState = state) -> None:
            self._on_diff(state, cache, diff)

        state.sub = self.informer.subscribe(view.kind, ns or None, on_diff)
        if server_table:
            self._refresh_server_table(state)

    def _contexts_model(self) -> RowModel:
        """The kubeconfig's contexts (the one in use marked), or the backend's only one."""
        info = self.backend.info()
        m = RowModel(BY_NAME["contexts"], kind="Context")
        listing = getattr(self.backend, "contexts", None)
        rows = listing() if callable(listing) else []
        if not rows:
            rows = [{"kind": "Context", "metadata": {"name": info.context}, "cluster": info.cluster,
                     "user": info.user, "current": True, "namespace": self.start_namespace or "default"}]
        m.load({("", meta.name(c)): c for c in rows})
        return m

    # -- contexts ------------------------------------------------------------------------------
    async def switch_context(self, name: str) -> bool:
        """`:ctx` + enter: a backend on context ``name`` replaces this one without a restart (a
        new informer; the view shown before `:ctx` opens again); the old backend is closed."""
        self.flash(f"Switching context to {name}...")
        try:
            new = await self.backend.use_context(name)  # type: ignore[attr-defined]
        except Exception as err:  # noqa: BLE001 - a bad context: say so, keep the current one
            self.flash(f"context {name}: {err}", "error")
            return False
        old_backend, old_informer = self.backend, self.informer
        for st in self.stack:  # their subscriptions die with the old informer
            task = st.extra.pop("table_task", None)
            if task is not None:
                task.cancel()
            st.sub = None
        self.backend = read_only(new) if self.readonly else new
        self.informer = Informer(self.backend, auto_flush=not self.manual)
        self.metrics = MetricsCache(self.backend)
        start = getattr(new, "start", None)
        if not self.manual and callable(start):
            start()
        self.informer.subscribe("Node", None, self._on_nodes)
        cur = self.current
        target = self._previous_cmd if cur is not None and cur.scope.view.name == "contexts" else self._current_cmd
        self.stack = []
        if not (target and self.run_command(target, record=True)):
            self.run_command(self.start_view, record=True) or self.run_command("pods", record=True)
        await old_informer.close()
        close = getattr(old_backend, "close", None)
        if close is not None:
            await close()
        self.flash(f"Switched to context {name}")
        return True

    # -- discovery: the server's kinds as views ------------------------------------------------
    def extra_aliases(self) -> kinds.Aliases:
        """The `:` aliases discovery adds (server short names, CRDs and other kinds)."""
        listing = getattr(self.backend, "kinds", None)
        try:
            found = listing() if callable(listing) else []
        except Exception:  # noqa: BLE001 - no discovery: the built-in views only
            found = []
        key = tuple(found)
        if getattr(self, "_extra_key", None) != key:
            self._extra_key, self._extra = key, kinds.discovered(found)
        return self._extra

    def _uses_server_table(self, view: ViewKind) -> bool:
        """Kinds k9py has no printer for take their columns from the server's Table."""
        from k9py.view import printers
        return (view.discovered and not printers.has_printer(view.kind)
                and callable(getattr(self.backend, "server_table", None)))

    def _refresh_server_table(self, state: ViewState) -> None:
        """Fetch the server Table of the view's kind (again, once, if rows change meanwhile)."""
        if state.extra.get("table_task") is not None:
            state.extra["table_dirty"] = True
            return
        view = state.scope.view
        ns = (state.scope.namespace or None) if view.namespaced else None
        backend = self.backend

        async def fetch() -> None:
            try:
                while True:
                    state.extra["table_dirty"] = False
                    try:
                        table = await backend.server_table(view.kind, ns)  # type: ignore[attr-defined]
                    except Exception as err:  # noqa: BLE001 - the watch shows the state; say why
                        if state is self.current:
                            self.flash(f"{view.name}: {err}", "error")
                        return
                    m = state.model
                    if isinstance(m, ServerTableModel) and state.sub is not None:
                        m.set_table(table)
                        if state is self.current:
                            self.table.model_changed()
                            self._render_title()
                    if not state.extra.get("table_dirty") or state.sub is None:
                        return
            finally:
                state.extra["table_task"] = None

        state.extra["table_task"] = asyncio.get_running_loop().create_task(fetch())

    def _on_nodes(self, cache: Cache, diff: Diff) -> None:
        if diff.state:  # the backend's connection state shows in the header
            self._render_state()

    def _on_diff(self, state: ViewState, cache: Cache, diff: Diff) -> None:
        m = state.model
        if m is None:
            return
        if isinstance(m, ServerTableModel) and (diff.added or diff.changed or diff.removed or diff.reset):
            self._refresh_server_table(state)
        if diff.state and state is self.current:
            self._render_state()
        if not (diff.added or diff.changed or diff.removed or diff.reset or diff.synced):
            return
        m.now = self.backend.now()
        touched = len(diff.added) + len(diff.changed) + len(diff.removed)
        if diff.reset or m.total == 0 or (touched > FULL_RELOAD_MIN and touched > m.total // 4):
            m.load(cache.objects)
        else:
            m.apply(diff.added, diff.changed, diff.removed, cache.objects.get)
        if state is self.current:
            self.table.model_changed()
            self._render_title()
            if diff.synced and not self.manual:
                self._prime_later(m)

    def _prime_later(self, m: RowModel) -> None:
        """Compute the remaining cells in idle slices so the first filter keystroke is quick."""
        def step() -> None:
            if self.model is m and not m.prime(2000):
                self.set_timer(0.01, step)
        self.set_timer(0.05, step)

    def _close(self, state: ViewState) -> None:
        if state.sub is not None:
            self.informer.unsubscribe(state.sub)
            state.sub = None
        task = state.extra.pop("table_task", None)
        if task is not None:
            task.cancel()

    def _save_current(self) -> None:
        cur = self.current
        if cur is not None and cur.model is not None:
            cur.cursor = self.table.cursor_key
            cur.filter = cur.model.filter.text
            cur.sort = (cur.model.sort_col, cur.model.sort_asc)
            cur.wide = cur.model.wide
            cur.top = self.table.scroll_y

    def _show(self, state: ViewState) -> None:
        assert state.model is not None
        if state.model.view.name != "contexts":
            state.model.now = self.backend.now()
        self.table.set_model(state.model, cursor=state.cursor)
        if state.top:
            self.table.scroll_to(y=state.top, animate=False, force=True)
        self._render_title()
        self._render_crumbs()
        self._render_state()

    def push(self, scope: Scope) -> None:
        self._save_current()
        state = ViewState(scope)
        self._open(state)
        self.stack.append(state)
        self._show(state)

    def replace_all(self, scope: Scope, filter_text: str = "") -> None:
        self._save_current()
        for st in self.stack:
            self._close(st)
        self.stack = []
        state = ViewState(scope, filter=filter_text)
        self._open(state)
        self.stack.append(state)
        self._show(state)

    def pop(self) -> bool:
        if len(self.stack) <= 1:
            return False
        self._close(self.stack.pop())
        self._show(self.stack[-1])
        return True

    def switch_namespace(self, ns: str) -> None:
        """Show the current view in ``ns`` ("" all namespaces), k9s's 0-9 keys."""
        cur = self.current
        if cur is None:
            return
        if not cur.scope.view.namespaced:
            self.flash(f"{cur.scope.view.name} are not namespaced", "warn")
            return
        if ns:
            self._remember(ns)
        self.active_namespace = ns
        self._save_current()
        self._close(cur)
        new = ViewState(Scope(cur.scope.view, ns, cur.scope.label, cur.scope.predicate, cur.scope.pod),
                        filter=cur.filter, sort=None, wide=cur.wide)
        self._open(new)
        self.stack[-1] = new
        self._show(new)

    def _remember(self, ns: str) -> None:
        if ns in self.favorites:
            self.favorites.remove(ns)
        self.favorites.insert(0, ns)
        del self.favorites[9:]

    # -- commands ----------------------------------------------------------------------------
    def run_command(self, text: str, *, record: bool = True) -> bool:
        if text.strip().lstrip(":").split(" ", 1)[0] in timeline.PICKER_COMMANDS:
            return timeline.open_picker(self)  # `:scenarios`: the bundled scenarios picker
        cmd = kinds.parse_command(text, self.extra_aliases())
        if cmd.quit:
            self.exit()
            return True
        if cmd.error or cmd.view is None:
            self.flash(cmd.error or "bad command", "error")
            return False
        view = cmd.view
        pred, label = None, ""
        if cmd.labels:
            from k9py.kube import selectors
            try:
                sel = selectors.parse_label_selector(cmd.labels)
            except ValueError as err:
                self.flash(str(err), "error")
                return False
            pred, label = (lambda o, s=sel: selectors.matches(s, meta.labels(o))), cmd.labels
        if view.name == "containers":
            self.flash("containers: select a pod and press enter", "warn")
            return False
        ns = cmd.namespace
        if ns is None:
            ns = self.active_namespace
        if not view.namespaced:
            ns = ""
        else:
            self.active_namespace = ns
            if ns:
                self._remember(ns)
        self.replace_all(Scope(view, ns, label, pred), cmd.filter or "")
        # history keeps the namespace the view opened in, so `[` / `]` / `-` show it again
        words = text.strip().lstrip(":").split(" ", 1)
        effective = text.strip()
        if view.namespaced and cmd.namespace is None:
            effective = " ".join([words[0], ns or "all", *words[1:]])
        self._previous_cmd, self._current_cmd = self._current_cmd, effective
        if record:
            self.history.append(effective)
            self._hist_pos = len(self.history) - 1
        return True

    def action_history_back(self) -> None:
        if self._hist_pos > 0:
            self._hist_pos -= 1
            self.run_command(self.history[self._hist_pos], record=False)

    def action_history_forward(self) -> None:
        if self._hist_pos < len(self.history) - 1:
            self._hist_pos += 1
            self.run_command(self.history[self._hist_pos], record=False)

    def action_history_last(self) -> None:
        """`-`: back to the view shown before this one (again: toggles)."""
        if self._previous_cmd:
            self.run_command(self._previous_cmd, record=True)

    # -- prompt ------------------------------------------------------------------------------
    def _open_prompt(self, mode: str) -> None:
        p = self.prompt
        p.mode = mode
        p.value = ""
        p.placeholder = "command (e.g. pods, deploy kube-system)" if mode == "command" else "filter (regex, !inverse, -l labels, -f fuzzy)"
        p.styles.border_title_align = "left"
        p.border_title = ":" if mode == "command" else "/"
        p.set_class(mode == "filter", "filter")
        p.display = True
        p.focus()

    def _close_prompt(self) -> None:
        self.prompt.display = False
        self.table.focus()

    def action_command(self) -> None:
        self._open_prompt("command")

    def action_filter(self) -> None:
        self._open_prompt("filter")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self.prompt and self.prompt.mode == "filter" and self.prompt.display:
            self._apply_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input is not self.prompt:
            return
        mode = self.prompt.mode
        self._close_prompt()
        if mode == "command":
            if event.value.strip():
                self.run_command(event.value)
        else:
            self._apply_filter(event.value)

    def _apply_filter(self, text: str) -> None:
        m = self.model
        if m is None:
            return
        m.set_filter(text)
        if m.filter.error:
            self.flash(m.filter.error, "error")
        if self.current is not None:
            self.current.filter = m.filter.text
        self.table.model_changed()
        self._render_title()

    # -- actions -----------------------------------------------------------------------------
    def action_back(self) -> None:
        if self.prompt.display:
            mode = self.prompt.mode
            self._close_prompt()
            if mode == "filter":
                self._apply_filter("")
            return
        if self.model is not None and self.model.filter:
            self._apply_filter("")
            return
        self.pop()

    def action_replay(self, what: str) -> None:
        timeline.act(self, what)  # raises SkipAction when not replaying: the key's usual binding runs

    def action_cursor(self, delta: int) -> None:
        self.table.move_to(self.table.cursor_index + delta)

    def action_page(self, delta: int) -> None:
        self.table.move_to(self.table.cursor_index + delta * self.table.page)

    def action_top(self) -> None:
        self.table.move_to(0)

    def action_bottom(self) -> None:
        if self.model is not None:
            self.table.move_to(len(self.model) - 1)

    def action_sort(self, col: str) -> None:
        m = self.model
        if m is None:
            return
        if m.col_index(col) is None:
            self.flash(f"no {col} column in this view", "warn")
            return
        m.set_sort(col)
        self.table.model_changed()
        self.table.refresh()

    def action_wide(self) -> None:
        m = self.model
        if m is not None:
            m.set_wide(not m.wide)
            self.table.set_model(m, cursor=self.table.cursor_key)

    def action_mark(self) -> None:
        key = self.table.cursor_key
        if key is None:
            return
        marked = self.table.marked
        marked.symmetric_difference_update({key})
        self.table.move_to(self.table.cursor_index + 1)
        self.table.refresh()

    def action_favorite(self, n: int) -> None:
        if n == 0:
            self.switch_namespace("")
        elif n - 1 < len(self.favorites):
            self.switch_namespace(self.favorites[n - 1])

    def action_drill(self) -> None:
        cur, row = self.current, self.table.cursor_row
        if cur is None or row is None:
            return
        if cur.scope.view.name == "containers":
            actions.open_view(self, "logs")
            return
        if cur.scope.view.name == "contexts":
            name = row.key[1]
            if row.obj.get("current") or not callable(getattr(self.backend, "use_context", None)):
                self.flash(f"already using context {name}")
                return
            self.run_worker(self.switch_context(name), group="context", exclusive=True)
            return
        scope = kinds.drill(cur.scope.view, row.obj)
        if scope is None:
            self.flash(f"no drill-down for {cur.scope.view.name}", "warn")
            return
        if cur.scope.view.name == "namespaces":  # k9s: a namespace picked becomes the active one
            self.active_namespace = scope.namespace
            self._remember(scope.namespace)
        self.push(scope)

    def action_owner(self) -> None:
        row = self.table.cursor_row
        if row is None:
            return
        target = kinds.owner_scope(row.obj)
        if target is None:
            self.flash(f"{meta.name(row.obj)} has no owner", "warn")
            return
        view, ns, name = target
        self.push(Scope(BY_NAME[view], ns, ""))
        self.table.cursor_key = (ns, name)
        self.table.model_changed()

    # -- mutations (refused in one place by a read-only backend) --------------------------------
    SCALABLE = {"deployments": "Deployment", "replicasets": "ReplicaSet", "statefulsets": "StatefulSet"}

    def _targets(self) -> list[Key]:
        marked = [k for k in self.table.marked if self.model is not None and k in self.model.rows]
        if marked:
            return sorted(marked)
        return [self.table.cursor_key] if self.table.cursor_key is not None else []

    def action_delete(self) -> None:
        actions.dispatch(self, "delete")

    def action_scale(self) -> None:
        actions.dispatch(self, "scale")

    def action_act(self, name: str) -> None:
        actions.dispatch(self, name)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The explorer's keys belong to the resource view: not to a screen pushed over it."""
        return len(self.screen_stack) <= 1 or action == "quit"

    def action_help(self) -> None:
        cur = self.current
        view = cur.scope.view.name if cur else ""
        columns = {c.name for c in self.model.columns} if self.model is not None else set()
        resource = keymap.resource_keys(view, columns, self._action_hints(view))
        sections = [
            ("RESOURCE", resource),
            ("GENERAL", [(k.label, k.description) for k in keymap.GENERAL]),
            ("NAVIGATION", [(k.label, k.description) for k in keymap.NAVIGATION if k.key not in ("down", "up", "pagedown", "pageup")]),
            ("NAMESPACES", [("<0>", "all")] + [(f"<{i + 1}>", ns) for i, ns in enumerate(self.favorites)]),
        ]
        self.push_screen(HelpScreen(f"Help: {view}", columns_text(sections)))

    def action_aliases(self) -> None:
        lines = Text()
        lines.append(f"{'RESOURCE':<26}{'COMMAND':<26}ALIASES\n", style="bold white")
        extra: dict[ViewKind, list[str]] = {}
        for alias, v in self.extra_aliases().items():
            extra.setdefault(v, []).append(alias)
        views = list(kinds.VIEWS) + [v for v in extra if v.discovered]
        for v in sorted(views, key=lambda v: v.name):
            kind = v.kind or "Context"
            words = list(v.aliases) + [a for a in extra.get(v, []) if a not in v.aliases]
            lines.append(f"{kind:<26}", style="#00ffff")
            lines.append(f"{v.name:<26}", style="#00ffff")
            lines.append(",".join(words) + "\n", style="#00ffff")
        self.push_screen(AliasesScreen(f"Aliases[{len(views)}]", lines))

    def action_toggle_header(self) -> None:
        self.show_header = not self.show_header
        self.query_one("#header").display = self.show_header

    # -- flash -------------------------------------------------------------------------------
    def flash(self, message: str, level: str = "info") -> None:
        style = {"info": "#ffdead", "warn": "#ffa500", "error": "#ff4500"}[level]
        self.query_one("#flash", Static).update(Text(message, style=style))
        if self._flash_timer is not None:
            self._flash_timer.stop()
        self.flash_text = message
        self._flash_timer = self.set_timer(self.flash_seconds, self._clear_flash)

    flash_seconds = 4.0  # how long a flash message stays (k9s clears its flash by itself)
    flash_text = ""

    def _clear_flash(self) -> None:
        self.flash_text = ""
        self._flash_timer = None
        self.query_one("#flash", Static).update("")

    # -- header, title, crumbs ---------------------------------------------------------------
    def title_text(self) -> str:
        cur = self.current
        if cur is None or cur.model is None:
            return ""
        scope = cur.scope
        if scope.view.name == "containers" and scope.pod:
            where = f"{scope.pod[0]}/{scope.pod[1]}"
        elif scope.view.namespaced:
            where = scope.namespace or "all"
        else:
            where = "all"
        title = f"{scope.view.name}({where})[{len(cur.model)}]"
        if scope.label and scope.view.name != "containers":
            title += f" <{scope.label}>"
        if cur.model.filter:
            title += f" </{cur.model.filter.text}>"
        return title

    def _render_title(self) -> None:
        t = self.table
        t.border_title = escape(f" {self.title_text()} ")  # names are never markup

    def _render_crumbs(self) -> None:
        crumbs = Text()
        for i, st in enumerate(self.stack):
            active = i == len(self.stack) - 1
            crumbs.append(f" <{st.scope.view.name}> ", style="black on #ffa500" if active else "black on #00ffff")
            crumbs.append(" ")
        self.query_one("#crumbs", Static).update(crumbs)

    def _action_hints(self, view: str) -> list[tuple[str, str]] | None:
        """The action keys of ``view`` (describe, yaml, logs, delete, ...) from the actions module."""
        hints = getattr(actions, "hints", None)
        return hints(view, self.backend.info().read_only) if hints is not None else None

    def _view_cache(self, state: ViewState | None = None) -> Cache | None:
        """The informer cache the (current) view shows."""
        st = state or self.current
        if st is None or not st.scope.view.kind or st.sub is None:
            return None
        view = st.scope.view
        return self.informer.cache(view.kind, (st.scope.namespace or None) if view.namespaced else None)

    def connection_state(self) -> str:
        """The backend's state, or the current view's watch state when that one is in trouble
        (a watch reconnecting with backoff shows here, re-rendered every second). A view the
        user may not read (forbidden) says so itself; the connection is fine."""
        return self._connection()[0]

    def _connection(self) -> tuple[str, str | None]:
        """(state, last error) for the header."""
        info = self.backend.info()
        state, error = info.state, info.extra.get("error")
        cache = self._view_cache()
        if state == "connected" and cache is not None and cache.state in ("reconnecting", "offline"):
            state, error = cache.state, cache.error
        return state, (error if state != "connected" else None)

    def _render_state(self) -> None:
        """The header's connection state; the current view's rows greyed while the watch is down
        (kept until synced again), or "access denied" instead of the rows."""
        if not self.query("#table"):
            return
        cache = self._view_cache()
        state, _ = self._connection()
        message, stale = None, False
        if cache is not None:
            if cache.state == "forbidden":
                message = f"access denied: {cache.error}" if cache.error else "access denied"
            elif cache.state in ("reconnecting", "offline") or state in ("reconnecting", "offline"):
                stale = True
                if not cache.synced and not cache.objects and cache.error:
                    message = f"{cache.state}: {cache.error}"
        self.table.set_condition(stale=stale, message=message)
        self._render_header()

    def _render_header(self) -> None:
        info = self.backend.info()
        state, error = self._connection()
        left = [("Context:", info.context), ("Cluster:", info.cluster), ("User:", info.user),
                ("K9py Rev:", f"v{__version__}"), ("K8s Rev:", info.server_version),
                ("Backend:", f"{info.backend} ({state})" + (" [readonly]" if info.read_only else ""))]
        nodes = self.informer.cache("Node", None)
        usage = self.metrics.cluster_percent(list(nodes.objects.values())) if nodes is not None else None
        left += [("CPU:", f"{usage[0]}%" if usage else "n/a"), ("MEM:", f"{usage[1]}%" if usage else "n/a")]
        cur = self.current
        view = cur.scope.view.name if cur else ""
        ns_hints = [("<0>", "all")] + [(f"<{i + 1}>", ns) for i, ns in enumerate(self.favorites[:5])]
        hints = keymap.hints_for(view, self._action_hints(view))
        rows = max(len(left), len(LOGO) if not self.logoless else 0)
        hint_cols = min(3, -(-len(hints) // rows))
        # the last error, under the logo: "offline: connection refused"
        first_err = 0 if self.logoless else len(LOGO)
        room = max(12, self.size.width - (33 + 19 + 26 * hint_cols) - 3)
        err_lines = _wrap(f"{state}: {error}", room, rows - first_err) if error else []
        text = Text()
        for i in range(rows):
            if i < len(left):
                text.append(f" {left[i][0]:<10}", style="#ffa500")
                text.append(f"{left[i][1]:<22}", style="bold white")
            else:
                text.append(" " * 33)
            cell = ns_hints[i] if i < len(ns_hints) else None
            text.append(f"{cell[0]:<5}" if cell else " " * 5, style="#ff00ff")
            text.append(f"{cell[1]:<14}" if cell else " " * 14, style="white")
            for col in range(i, i + hint_cols * rows, rows):
                h = hints[col] if col < len(hints) else None
                text.append(f"{h[0]:<11}" if h else " " * 11, style="#1e90ff")
                text.append(f"{h[1]:<15}" if h else " " * 15, style="white")
            if not self.logoless and i < len(LOGO):
                text.append(f"  {LOGO[i]}", style="#ffa500")
            elif err_lines and i - first_err < len(err_lines) and i >= first_err:
                text.append(f"  {err_lines[i - first_err]}", style="#ff4500")
            if i < rows - 1:
                text.append("\n")
        self.query_one("#header", Static).update(text)


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of ``width`` cells, the last one cut with "…"."""
    out: list[str] = []
    rest = text
    while rest and len(out) < lines:
        if len(rest) <= width:
            out.append(rest)
            break
        if len(out) == lines - 1:
            out.append(rest[:width - 1] + "…")
            break
        cut = rest.rfind(" ", 0, width + 1)
        cut = cut if cut > 0 else width
        out.append(rest[:cut])
        rest = rest[cut:].lstrip()
    return out


def demo_backend(seed: int = 0, scenario: str | None = None, speed: float = 1.0) -> Backend:
    from k9py.backends.sim import SimBackend
    try:
        from k9py.scenario.loader import load_cluster
    except ImportError:  # the scenario loader is not there yet: a small built-in cluster
        from k9py.backends.samples import small_cluster
        return SimBackend(small_cluster(seed), speed=speed)
    return SimBackend(load_cluster(scenario, seed=seed), speed=speed)


def build_app(args: Any, backend: Backend | None = None, *, manual: bool = False) -> K9pyApp:
    """The explorer as the parsed command line says (-n, -A, -c, --readonly, --logoless,
    --headless); the simulator's demo unless ``backend``."""
    view = getattr(args, "start_view", "pods") or "pods"
    if kinds.parse_command(view).error:
        raise K9pyError(f"unknown view {view!r} (try pods, deploy, svc, no, ns, ...)", field="-c")
    if backend is None:
        backend = demo_backend(getattr(args, "seed", 0), getattr(args, "scenario", None), getattr(args, "speed", 1.0))
    return K9pyApp(backend, namespace="" if args.all_namespaces else args.namespace, view=view,
                   readonly=args.readonly, logoless=args.logoless, headless_ui=args.headless, manual=manual)


def run_explorer(args: Any, backend: Backend | None = None) -> int:
    """Open the explorer as the parsed ``args`` say (the simulator's demo unless ``backend``)."""
    build_app(args, backend).run()
    return 0
