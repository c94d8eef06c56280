"""`:xray KIND [NS]`: k9s's tree view of a kind's objects and what they run and use
(``k9py.view.xray`` builds the tree), status coloured, live (rebuilt from the informer's diffs),
navigable (`j`/`k`, `space` folds, `x` folds all, `enter` goes to the node's table) and
actionable like a table (`d`, `y`, `l`, `p`, `e`, `ctrl-d` through ``screens.actions``)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from k9py.backends.locked import in_thread
from k9py.config.keymap import FIXED, ROW_VERBS, XRAY_VERBS, canonical
from k9py.explorer import keys as row_keys
from k9py.explorer.plugins import Subject
from k9py.explorer.session import Session
from k9py.store.informer import Cache, Diff, Subscription
from k9py.ui import theme
from k9py.ui.plain import subject_title
from k9py.ui.screens import actions
from k9py.ui.screens.chrome import Chromed
from k9py.ui.widgets.inert_input import SearchBox
from k9py.ui.widgets.menu import Hint, KeyMenu, rows_needed
from k9py.view import health
from k9py.view import xray as model
from k9py.view.filter import search_regex
from k9py.view.inert import inert_line
from k9py.view.kinds import BY_KIND, BY_NAME, ViewKind
from k9py.view.rows import Row

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp

# the skin's xray styles (theme "xray.*"), read when painting
NAME = theme.Styles("xray.name", (health.OK, health.COMPLETED, health.WARN, health.ERROR, health.MISSING))
BADGE = theme.Styles("xray.badge", (health.WARN, health.ERROR, health.MISSING))
REBUILD_DELAY = 0.3  # seconds: diffs arriving meanwhile make one rebuild
SCRATCH_BUILD_ON_LOOP_MAX = 5_000  # objects: a build from scratch over more is made in a thread (2-3 s at 30,000 pods)

SHELL_VERBS = ("shell", "attach")


def view_for(kind: str) -> ViewKind | None:
    """The table view of a node's kind (containers: the pod's containers view)."""
    if kind == "Container":
        return BY_NAME["containers"]
    return BY_KIND.get(kind)


class XrayTree(ScrollView, can_focus=True):
    """The tree's lines (``model.Line``), painted only where visible, with a cursor that follows
    its node's path across rebuilds."""

    DEFAULT_CSS = "XrayTree { scrollbar-size-vertical: 1; scrollbar-size-horizontal: 0; background: $k9-bg; }"
    BINDINGS: ClassVar[list[BindingType]] = [  # the view's ids (config.keymap); home, end are fixed
        Binding("j,down", "cursor(1)", "Down", id="down"), Binding("k,up", "cursor(-1)", "Up", id="up"),
        Binding("g,home", "top", "Top", id="top"), Binding("G,end", "bottom", "Bottom", id="bottom"),
        Binding("ctrl+f,pagedown", "page(1)", "Page down", id="page_down"),
        Binding("ctrl+b,pageup", "page(-1)", "Page up", id="page_up"),
    ]

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.lines: list[model.Line] = []
        self.cursor = 0
        self.cursor_path: model.Path | None = None
        self.on_move: Any = None  # called when the cursor's node changes

    @property
    def current(self) -> model.Line | None:
        return self.lines[self.cursor] if 0 <= self.cursor < len(self.lines) else None

    def set_lines(self, lines: list[model.Line]) -> None:
        """New lines: the cursor stays on its node, or the nearest ancestor still shown."""
        self.lines = lines
        path = self.cursor_path
        i = None
        if path is not None and self.cursor < len(lines) and lines[self.cursor].path == path:
            i = self.cursor  # where it was (nothing came or went above it)
        elif path:
            index = {ln.path: i for i, ln in enumerate(lines)}
            while path:
                i = index.get(path)
                if i is not None:
                    break
                path = path[:-1]
        self.cursor = i if i is not None else min(self.cursor, max(0, len(lines) - 1))
        width = max((ln.width for ln in lines), default=0)
        self.virtual_size = Size(width, len(lines))
        self._moved()

    def _moved(self) -> None:
        line = self.current
        path = line.path if line is not None else None
        changed = path != self.cursor_path
        self.cursor_path = path
        self._keep_visible()
        self.refresh()
        if changed and self.on_move is not None:
            self.on_move()

    @property
    def page(self) -> int:
        return max(1, self.size.height)

    def move_to(self, index: int) -> None:
        if self.lines:
            self.cursor = max(0, min(len(self.lines) - 1, index))
            self._moved()

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, delta: int) -> None:
        self.move_to(self.cursor + delta * self.page)

    def action_top(self) -> None:
        self.move_to(0)

    def action_bottom(self) -> None:
        self.move_to(len(self.lines) - 1)

    def _keep_visible(self) -> None:
        top, rows = round(self.scroll_y), self.page
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, force=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, force=True)

    def on_resize(self, event: events.Resize) -> None:
        self._keep_visible()

    def on_click(self, event: events.Click) -> None:
        self.move_to(round(self.scroll_y) + event.y)

    def line_text(self, index: int) -> Text:
        """One line as k9s paints it: guides, fold marker, ``category/name(children) [info]``, TOAST."""
        ln = self.lines[index]
        node = ln.node
        text = Text(no_wrap=True, overflow="crop")
        text.append(ln.guides + ln.marker + " ", theme.style("xray.guide"))
        start = len(text)
        if node.kind:
            text.append(node.category + "/", theme.style("xray.category"))
        text.append(inert_line(node.name), NAME.get(node.status, NAME[health.OK]))
        if node.children:
            text.append(f"({len(node.children)})", theme.style("xray.count"))
        if node.info:
            text.append(inert_line(f" [{node.info}]"), theme.style("xray.info"))
        if index == self.cursor:
            text.stylize(theme.style("xray.cursor"), start)
        badge = model.badge(node)
        if badge:
            text.append("  ")
            text.append(badge, BADGE[node.status])
        return text

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        index = round(self.scroll_y) + y
        background = theme.style("xray.bg")
        if index >= len(self.lines):
            return Strip.blank(width, background)
        segments = list(self.line_text(index).render(self.app.console))
        x = round(self.scroll_x)
        strip = Strip(segments)
        if x:
            strip = strip.crop(x, x + width)
        return strip.extend_cell_length(width, background).crop(0, width).apply_style(background)


class XrayScreen(Chromed):
    """The xray of ``view`` in ``namespace`` ("" all namespaces) over ``session``'s informer."""

    BINDINGS = [  # keymap ids: xray.*, the row verbs' (one key moves a verb in tables and here)
        Binding("enter", "goto", "Goto", id="xray.goto"), Binding("space", "fold", "Expand/Collapse", id="xray.fold"),
        Binding("x", "fold_all", "Expand/Collapse All", id="xray.fold_all"),
        *[Binding(ROW_VERBS[vid][0], f"row('{vid}')", row_keys.VERBS[vid].description, id=vid) for vid in XRAY_VERBS],
        Binding("slash", "filter", "Filter", id="xray.filter"),
        Binding("escape,q", "back", "Back", id="back"),
    ]
    HELP_TITLE = "XRAY"
    kind_label = "Xray"
    FLASH = "xray-flash"
    MENU_ROWS = 4
    KEY_SCOPE = "xray"
    BODY = XrayTree
    DEFAULT_CSS = """
    XrayScreen { background: $k9-bg; }
    XrayScreen #xray-box { height: 1fr; border: round $k9-border; border-title-align: center;
                           border-title-color: $k9-title; border-title-style: bold; background: $k9-bg; padding: 0 1; }
    XrayScreen #xray-box:focus-within { border: round $k9-border-focus; }
    XrayScreen #xray-flash { height: 1; background: $k9-bg; }
    XrayScreen #xray-filter { height: 3; border: round $k9-filter-border; background: $k9-prompt-bg; color: $k9-prompt-fg; display: none; }
    """

    def __init__(self, session: Session, view: ViewKind, namespace: str) -> None:
        super().__init__()
        self.session = session
        self.view = view
        self.namespace = namespace
        self.root = model.XNode("", "", view.name)
        self.shown = self.root  # the tree as shown: the one built, or what `/` keeps of it
        self.collapsed: set[model.Path] = set()
        self.filter_text = ""  # `/`: only the nodes it finds, their subtrees and the way to them
        self.reuse = model.Reuse()  # what a rebuild takes from the one before
        self._denied_said = False  # the flash names kinds refused
        self._known: set[str] = set()  # the kinds whose caches were synced at the last rebuild
        self._rebuild_cost = 0.0  # seconds the last rebuild took
        self.subs: list[Subscription] = []
        self._pending = False
        self.builds = 0  # rebuilds so far (tests)
        # a build in a thread: what to forget once it is done, and whether to build again then
        self._building: list[set[str] | None] | None = None
        self._again = False

    @property
    def host(self) -> K9pyApp:
        return cast("K9pyApp", self.app)

    @property
    def xtree(self) -> XrayTree:
        return self.query_one("#xray-tree", XrayTree)

    @property
    def node(self) -> model.XNode | None:
        line = self.xtree.current if self.is_mounted else None
        return line.node if line is not None else None

    def help_title(self) -> str:
        return f"Help: xray {self.view.name}"

    # -- life --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield from self.chrome_top()
        with Vertical(id="xray-box"):
            yield XrayTree(id="xray-tree")
        yield SearchBox(id="xray-filter", placeholder="filter (regex)", on_submit=self._filtered)
        yield from self.chrome_crumbs()
        yield Static(id="xray-flash")

    def on_mount(self) -> None:
        informer = self.session.informer
        for kind in model.kinds_for(self.view.name):
            ns = None if kind == "Namespace" else (self.namespace or None)
            cache = informer.cache(kind, ns)  # a synced one is read by the first build, not again on the first flush
            self.subs.append(informer.subscribe(kind, ns, self._on_diff, has_read=cache is not None and cache.synced))
        self.xtree.on_move = self.refresh_menu
        self._pending = True
        self.call_later(self.rebuild)  # once mounted (diffs meanwhile: it reads them all)
        self.xtree.focus()

    def on_resize(self, event: events.Resize) -> None:
        """The menu keeps the height of every key it may show, so the tree does not jump as the
        cursor moves between nodes offering more or fewer keys; a node's fewer keys fill those
        rows in shorter columns (none is left blank)."""
        every = [h for _, hints in self.all_key_sections() for h in hints]
        self.query_one("#key-menu", KeyMenu).set_min_rows(rows_needed(every, event.size.width, self.MENU_ROWS))

    def on_unmount(self) -> None:
        self.close()

    def close(self) -> None:
        for sub in self.subs:
            self.session.informer.unsubscribe(sub)
        self.subs = []

    def _caches(self) -> list[tuple[str, Cache | None]]:
        return [(s.kind, self.session.informer.cache(s.kind, s.namespace)) for s in self.subs]

    def _on_diff(self, cache: Cache, diff: Diff) -> None:
        if cache.kind in model.REFERENCED:  # what pods refer to changed: their subtrees are built again
            namespaces = None if diff.reset else {key[0] for key in (*diff.added, *diff.changed, *diff.removed)}
            if self._building is not None:  # the thread's build fills ``reuse``: forgotten after it
                self._building.append(namespaces)
            else:
                self.reuse.forget(namespaces)
        if self._pending or not self.subs:
            return
        self._pending = True
        if self.session.manual:
            self.call_later(self.rebuild)
        else:  # a tree that takes long to build waits longer between rebuilds: keys come first
            self.set_timer(max(REBUILD_DELAY, 4 * self._rebuild_cost), self.rebuild)

    def rebuild(self) -> None:
        """Build the tree again from the informer's caches (the cursor keeps its node)."""
        self._pending = False
        if not self.is_mounted or not self.subs:
            return
        if self._building is not None:  # a build from scratch goes on in a thread: another after it
            self._again = True
            return
        began = time.perf_counter()
        objects, known = {}, set()
        for kind, cache in self._caches():
            if cache is None:
                continue
            objects[kind] = cache.objects
            if cache.synced and cache.state != "forbidden":
                known.add(kind)
        fresh = not self.builds  # nothing to reuse: the first build, or one after the kinds known changed
        if known != self._known:
            self._known = known
            self.reuse.forget()
            fresh = True
        if fresh and sum(map(len, objects.values())) > SCRATCH_BUILD_ON_LOOP_MAX:
            self._build_in_thread(objects, known)
            return
        root = model.build(self.view.name, objects, known, self.session.now(), self.reuse)
        self._show(root, self._lines(root))
        self._say_denied()
        self._rebuild_cost = time.perf_counter() - began

    def _build_in_thread(self, objects: dict[str, Any], known: set[str]) -> None:
        """A big tree built from scratch (the first build, or the first after a kind's cache
        synced), from a snapshot of the caches, in a thread: the screen paints and takes keys
        meanwhile. Nothing else touches ``reuse`` until it is done."""
        snapshot = {kind: dict(objs) for kind, objs in objects.items()}
        collapsed, now, name = set(self.collapsed), self.session.now(), self.view.name
        self._building = []
        self.render_title()
        self.flash(f"building the tree of {sum(map(len, snapshot.values())):,} objects…")

        def build() -> tuple[model.XNode, list[model.Line]]:
            root = model.build(name, snapshot, known, now, self.reuse)
            return root, model.flatten(root, collapsed, self.reuse)

        async def run() -> None:
            try:
                root, lines = await in_thread(build)  # (a daemon thread: quitting does not wait for it)
            finally:
                forgets, self._building = self._building or [], None
            for namespaces in forgets:
                self.reuse.forget(namespaces)
            if not self.is_mounted or not self.subs:
                return
            self.flash("")
            self._say_denied()
            if self.collapsed != collapsed or self.filter_text:  # folded or filtered meanwhile
                lines = self._lines(root)
            self._show(root, lines)
            if self._again or forgets:  # changes came meanwhile
                self._again = False
                self._pending = True
                self.call_later(self.rebuild)
        self.run_worker(run(), group="xray-build")

    def _say_denied(self) -> None:
        """The kinds the user may not list, said under the tree: its own kind's 403 (an empty tree
        said nothing), else the kinds its objects refer to that are left out."""
        roots = model.ROOTS[self.view.name]
        denied = [(kind, cache) for kind, cache in self._caches() if cache is not None and cache.state == "forbidden"]
        own = next((cache for kind, cache in denied if kind in roots), None)
        if own is not None:
            self.flash(f"access denied: {own.error or 'forbidden'}", "error")
            self._denied_said = True
            return
        others = [BY_KIND[kind].name if kind in BY_KIND else kind for kind, _ in denied if kind != "Namespace"]
        if others:
            self.flash(f"no access to {', '.join(others)}: not shown", "warn")
            self._denied_said = True
        elif self._denied_said:  # allowed since
            self._denied_said = False
            self.flash("")

    def _show(self, root: model.XNode, lines: list[model.Line]) -> None:
        """``lines``: ``_lines(root)``'s, or (no filter) a thread's flatten of ``root``."""
        self.root = root
        if not self.filter_text:
            self.shown = root
        self.builds += 1
        if self.collapsed:
            self.collapsed &= model.all_paths(self.root)
        self.xtree.set_lines(lines)
        self.render_title()
        self.refresh_menu()

    def render_title(self) -> None:
        where = self.namespace or "all"
        count = sum(len(group.children) for group in self.shown.children)  # the view's objects, by namespace
        title = subject_title(f"Xray-{self.view.name.capitalize()}", where, count, self.filter_text)
        self.query_one("#xray-box").border_title = title  # the skin's colours

    # -- `/`: the filter -----------------------------------------------------------------------
    def _lines(self, root: model.XNode) -> list[model.Line]:
        """``root``'s lines as shown (``shown``: what the filter keeps of it, copies: nothing to reuse)."""
        if not self.filter_text:
            self.shown = root
            return model.flatten(root, self.collapsed, self.reuse)
        self.shown = model.filtered(root, search_regex(self.filter_text))
        return model.flatten(self.shown, self.collapsed)

    @property
    def filter_input(self) -> SearchBox:
        return self.query_one("#xray-filter", SearchBox)

    def action_filter(self) -> None:
        self.filter_input.open(self.filter_text)

    def _filtered(self, text: str) -> None:
        self.filter_input.close(self.xtree)
        self.apply_filter(text.strip())

    def apply_filter(self, text: str) -> None:
        self.filter_text = text
        lines = self._lines(self.root)
        self.xtree.set_lines(lines)
        self.render_title()
        self.refresh_menu()
        if text and not lines[1:]:
            self.flash(f"nothing matches {text!r}", "warn")
        else:
            self.flash("")

    # -- what the selected node offers ---------------------------------------------------------
    def verb(self, node: model.XNode | None, vid: str) -> row_keys.Verb | None:
        """The verb ``vid`` on ``node`` when its kind has it (as in its table), None: not there."""
        view = view_for(node.kind) if node is not None and node.obj is not None else None
        verb = row_keys.VERBS[vid] if view is not None and vid in view.verbs else None
        if vid in SHELL_VERBS and node is not None and node.kind not in ("Pod", "Container"):
            return None  # (a node's `s` is its node shell in the nodes table; k9s's xray shells pods only)
        if verb is None or not row_keys.allowed(verb, self.session.read_only):
            return None
        return verb

    def plugin_subject(self) -> Subject | None:
        """The selected node as a row of its kind's view, for a plugin's variables (k9s's xray:
        $NAMESPACE, $NAME; a container's $CONTAINER and $POD; $FILTER the filter, else the name)."""
        node = self.node
        view = view_for(node.kind) if node is not None else None
        if node is None or node.obj is None or view is None:
            return None
        name = f"{node.pod}/{node.name}" if node.pod else node.name
        pod = (node.namespace, node.pod) if node.pod else None
        return Subject(view, Row((node.namespace, name), node.obj), pod=pod, filter_text=self.filter_text)

    def takes(self, key: str) -> bool:
        """Whether ``key`` does something here on the selected node (a plugin's key over it needs
        override, as over a table's action)."""
        k = canonical(key)
        for name, active in self.active_bindings.items():
            if canonical(name) != k or not active.enabled:
                continue
            action = active.binding.action
            if not action.startswith("row(") or self.verb(self.node, action[5:-2]) is not None:
                return True
        return k in FIXED

    def plugin_hints(self, every: bool) -> list[Hint]:
        """PLUGINS: those of the selected node's kind (``every``: of any kind the tree shows)."""
        keys = self.host.plugin_keys
        if every:
            views = {v for kind in (*model.kinds_for(self.view.name), "Container") if (v := view_for(kind)) is not None}
            found = list(dict.fromkeys(p for v in views for p in keys.bound(v, lambda _: False).values()))
        else:
            subject = self.plugin_subject()
            found = list(keys.bound(subject.view, self.takes).values()) if subject is not None else []
        return [Hint(p.label, p.description, (p.key,), f"plugin:{p.name}") for p in found if keys.shown(p)]

    def all_key_sections(self) -> list[tuple[str, list[Hint]]]:
        plugins = self.plugin_hints(every=True) if getattr(self.app, "plugin_keys", None) is not None else []
        return [*super().all_key_sections(), *([("PLUGINS", plugins)] if plugins else [])]

    def key_sections(self) -> list[tuple[str, list[Hint]]]:
        """As every screen's, with the selected node's plugins found once, not once a hint."""
        sections = self.all_key_sections()
        plugins = any(h.action.startswith("plugin:") for _, hints in sections for h in hints)
        mine = self.plugin_hints(every=False) if plugins else []
        return [(title, [h for h in hints if (h in mine if h.action.startswith("plugin:") else self.offers(h))])
                for title, hints in sections]

    def offers(self, hint: Hint) -> bool:
        node, line = self.node, self.xtree.current if self.is_mounted else None
        if hint.action.startswith("plugin:"):
            return hint in self.plugin_hints(every=False)
        if hint.action.startswith("row("):
            return self.verb(node, hint.action[5:-2]) is not None
        if hint.action == "goto":
            return node is not None and node.kind not in ("", "Namespace") and view_for(node.kind) is not None
        if hint.action == "fold":
            return line is not None and line.expandable
        return True

    # -- keys ------------------------------------------------------------------------------------
    def action_back(self) -> None:
        """esc: the filter box closes, then the filter clears, then the xray (as the tables')."""
        if self.filter_input.display:
            self.filter_input.close(self.xtree)
        elif self.filter_text:
            self.apply_filter("")
        else:
            self.dismiss(None)

    def action_fold(self) -> None:
        line = self.xtree.current
        if line is None or not line.expandable:
            return
        self.collapsed.symmetric_difference_update({line.path})
        self.xtree.set_lines(self._lines(self.root))
        self.refresh_menu()

    def action_fold_all(self) -> None:
        self.collapsed = set() if self.collapsed else model.all_paths(self.root)
        self.xtree.set_lines(self._lines(self.root))
        self.refresh_menu()

    def action_goto(self) -> None:
        """k9s's Goto: the node's table view with the cursor on it (the pod's containers for a
        container); the root and namespaces fold instead."""
        node = self.node
        if node is None:
            return
        if node.kind in ("", "Namespace"):
            self.action_fold()
            return
        view = view_for(node.kind)
        if view is None:
            self.flash(f"{node.kind}: no view for it", "warn")
            return
        app, where = self.host, (self.namespace or "all")
        if node.kind == "Container":
            if not app.run_command(f"pods {where}"):
                return
            app.table.cursor_key = (node.namespace, node.pod)
            app.table.model_changed()
            app.outcome(app.navigator.drill(app.table.cursor_row))
            key = (node.namespace, f"{node.pod}/{node.name}")
        else:
            if not app.run_command(view.name if not view.namespaced else f"{view.name} {where}"):
                return
            key = (node.namespace, node.name)
        app.table.cursor_key = key
        app.table.model_changed()
        self.dismiss(None)

    def action_row(self, vid: str) -> None:
        node = self.node
        verb = self.verb(node, vid)
        if node is None or node.obj is None or verb is None:
            return
        view = view_for(node.kind)
        assert view is not None
        row = Row((node.namespace, f"{node.pod}/{node.name}" if node.pod else node.name), node.obj)
        app = self.host
        if verb.id in ("describe", "yaml", "logs", "previous"):
            actions.open_row(app, view, row, verb.id)
        elif verb.id in SHELL_VERBS:  # k9s's xray: a pod's or a container's shell, attach
            app.shells.start(view, row, attach=verb.id == "attach", xray=True)
        elif verb.id == "edit":
            actions.edit(app, view, row)
        elif verb.id == "delete":
            actions.delete(app, view, [row.key])
