"""Split panes: the screen cut into panes, each an ExplorerPane over its own Navigator (view,
namespace, filter, history) on the App's one Session, or a log pane following a pods pane's
cursor (``widgets/follow_logs.py``).

The layout is a tree of ``Split`` containers (children side by side or stacked) whose leaves are
panes. The focused pane is the one the App's ``navigator``/``pane``/``table``/``current`` name,
so every key, screen and action works on it unchanged; the others keep their informer
subscriptions and go on updating, their titles dimmed.

Commands (vim's words, k9s's `:q` still quits): `:split [CMD]` / `:sp` (a pane below),
`:vsplit [CMD]` / `:vs` (a pane to the right) opening CMD or the focused pane's view, `:split logs`
/ `:vs logs` (the focused pods pane's selected pod, followed), `:close`, `:only`, `:zoom`.
Tabs, each a layout of its own: `:tabnew [CMD]` (`:tabe`), `:tabnext` / `:tabn`, `:tabprev` /
`:tabp`, `:tabclose` / `:tabc`; a tab bar shows while there are several.
Keys: `tab` / `shift-tab` move focus; `ctrl-]` then a key (``PREFIX_KEYS``) splits, closes,
zooms, moves focus by direction or changes tab, as tmux's prefix does (k9s binds neither tab nor
ctrl-])."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, TypeGuard

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Container
from textual.widget import Widget
from textual.widgets import Static

from k9py.config import layouts as config_layouts
from k9py.config.keymap import PANE_NEXT, PANE_PREFIX, PANE_PREVIOUS
from k9py.explorer.navigator import DONE, Navigator, Outcome
from k9py.explorer.session import Session
from k9py.ui import theme
from k9py.ui.widgets import timeline
from k9py.ui.widgets.pane import ExplorerPane
from k9py.ui.widgets.resource_table import ResourceTable
from k9py.ui.widgets.status import Flash
from k9py.view.inert import inert_line

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp
    from k9py.ui.widgets.follow_logs import FollowLogs

SPLIT_WORDS = {"split": "v", "sp": "v", "vsplit": "h", "vs": "h", "vsp": "h"}  # layout of the new pair
# ctrl-] then: (key, what, help)
PREFIX_KEYS = [("s", "split", "split below"), ("v", "vsplit", "split right"), ("l", "logs", "logs below"),
               ("z", "zoom", "zoom"), ("x", "close", "close"), ("o", "only", "only"),
               ("tab", "next", "next pane"), ("t", "tabnew", "new tab"), ("n", "tabnext", "next tab"),
               ("p", "tabprev", "previous tab"), ("left", "left", ""), ("right", "right", ""),
               ("up", "up", ""), ("down", "down", "")]
TAB_WORDS = {"tabnew": "new", "tabe": "new", "tabedit": "new", "tabnext": "next", "tabn": "next",
             "tabprevious": "prev", "tabprev": "prev", "tabp": "prev", "tabclose": "close", "tabc": "close"}
PANE_OPS = {"close": "close", "clo": "close", "only": "only", "on": "only", "zoom": "zoom", "layout": "layout"}
PANE_WORDS = frozenset({*SPLIT_WORDS, *TAB_WORDS, *PANE_OPS})  # every word Splits.command runs


def is_logs(node: object) -> TypeGuard[FollowLogs]:
    """A log pane (its module loads with the first one: nothing to look for before)."""
    mod = sys.modules.get("k9py.ui.widgets.follow_logs")
    return mod is not None and isinstance(node, mod.FollowLogs)


def is_leaf(node: object) -> TypeGuard[ExplorerPane | FollowLogs]:
    return isinstance(node, ExplorerPane) or is_logs(node)


class Split(Container):
    """Panes or splits side by side (``h``) or stacked (``v``), sharing the room equally."""

    DEFAULT_CSS = """
    Split { height: 1fr; width: 1fr; layout: vertical; }
    Split.-h { layout: horizontal; }
    Split > * { height: 1fr; width: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(PANE_NEXT, "focus_pane(1)", "Next pane", show=False),
        Binding(PANE_PREVIOUS, "focus_pane(-1)", "Previous pane", show=False),
        Binding("escape", "split_cancel", show=False),  # only while a ctrl-] waits for its key
    ]

    def __init__(self, *children: Widget, orient: str = "v", **kw: Any) -> None:
        super().__init__(*children, **kw)
        self.orient = orient
        self.set_class(orient == "h", "-h")

    def set_orient(self, orient: str) -> None:
        self.orient = orient
        self.set_class(orient == "h", "-h")

    @property
    def splits(self) -> Splits:
        return self.app.splits  # type: ignore[attr-defined]

    def action_focus_pane(self, delta: int) -> None:
        self.splits.focus_next(delta)

    def split_keys(self) -> None:
        """`ctrl-]`: the next key is a pane key. Taken as the key bubbles through here, not as a
        binding (bindings run once it reached the App: a key typed right behind would already
        have gone by); no screen is pushed, for the same reason."""
        self.splits.pending = True
        words = "  ".join(f"{k}:{h}" for k, _, h in PREFIX_KEYS if h)
        self.app.flash(f"ctrl-] {words}  arrows:focus that way  esc:cancel", source="splitkeys")  # type: ignore[attr-defined]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.splits.pending if action == "split_cancel" else True

    def action_split_cancel(self) -> None:
        self.splits.end_prefix()

    def on_key(self, event: events.Key) -> None:
        """`ctrl-]` and the key after it (they reach the panes before any binding does)."""
        if event.key == PANE_PREFIX:
            event.stop()
            self.split_keys()
            return
        if not self.splits.pending:
            return
        event.stop()
        event.prevent_default()
        self.splits.end_prefix()
        what = next((w for k, w, _ in PREFIX_KEYS if k == event.key), None)
        if what is not None:
            self.splits.prefix(what)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget is not self.screen.focused:  # focused then left at once (the prompt closing
            return  # gives the focus back before a new pane takes it): not the focused pane's news
        leaf = next((n for n in event.widget.ancestors_with_self if is_leaf(n)), None)
        if leaf is not None:
            self.splits.focused_leaf(leaf)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if self.splits.pending:  # the prompt opened, a screen was pushed: no pane key after all
            self.splits.end_prefix()

    def on_resource_table_cursor_moved(self, event: ResourceTable.CursorMoved) -> None:
        event.stop()  # (the splits around this one would do the same again)
        for pane in self.splits.followed():
            if pane.table is event.table:
                self.splits.cursor_moved(pane)


class Tabs(Container):
    """The tabs: one root ``Split`` each, the active one shown; the tab bar above them."""

    DEFAULT_CSS = """
    Tabs { height: 1fr; }
    Tabs > #tabbar { height: 1; background: $k9-bg; }
    """


class Splits:
    """The App's panes: which one is focused, and the commands and keys that change the layout."""

    def __init__(self, app: K9pyApp, first: Navigator) -> None:
        self.app = app
        self.first = first
        self._focused: ExplorerPane | None = None  # the last focused explorer pane (None: the first)
        self._leaf: ExplorerPane | FollowLogs | None = None  # the focused leaf (an explorer or a log pane)
        self.zoomed = False
        self._count = 1  # panes made (their ids)
        self.followers: dict[int, Navigator] = {}  # id(log pane) → the navigator it follows
        self._orphans: list[Session] = []  # the Sessions of panes forgotten, to close once they are gone
        self.roots: list[Split] = []  # one per tab
        self.active = 0  # the tab shown
        self._tab_leaf: dict[int, ExplorerPane | FollowLogs] = {}  # id(root) → its focused leaf when left
        # `:layout save NAME` writes here (None: the user's files are not in use; kept in ``saved``)
        self.layouts_file = config_layouts.path() if app.user.persist else None
        self.saved: dict[str, list[config_layouts.Node]] = {}
        self._tabs_shown: list[tuple[str, bool]] = []  # the tab bar's labels as painted
        self.pending = False  # a ctrl-] waits for its key
        self._bar: Static  # the tab bar (made by root(), which the App composes)

    # -- what the App names ------------------------------------------------------------------------
    def root(self) -> Tabs:
        """The layout as the App composes it: one tab, the first pane alone."""
        pane = ExplorerPane(self.first, manual=self.app.manual, id="pane")
        self._focused = self._leaf = pane
        self.roots = [Split(pane, id="panes")]
        bar = self._bar = Static("", id="tabbar", markup=False)
        bar.display = False
        return Tabs(bar, self.roots[0], id="tabs")

    @property
    def pane(self) -> ExplorerPane:
        if self._focused is not None and self._focused.is_attached:
            return self._focused
        return self.panes()[0]

    @property
    def leaf(self) -> ExplorerPane | FollowLogs | None:
        """The focused leaf: an explorer pane or a log pane."""
        return self._leaf if self._leaf is not None and self._leaf.is_attached else None

    @property
    def navigator(self) -> Navigator:
        return self._focused.navigator if self._focused is not None else self.first

    def leaves(self, root: Split | None = None) -> list[ExplorerPane | FollowLogs]:
        """The active tab's panes (or ``root``'s), in order."""
        out: list[ExplorerPane | FollowLogs] = []

        def walk(split: Widget) -> None:  # the splits alone: a query would walk every pane's widgets
            for child in split.children:
                if is_leaf(child):
                    out.append(child)
                elif isinstance(child, Split):
                    walk(child)

        walk(root or self.roots[self.active])
        return out

    def all_leaves(self) -> list[ExplorerPane | FollowLogs]:
        return [leaf for root in self.roots for leaf in self.leaves(root)]

    def panes(self) -> list[ExplorerPane]:
        return [n for n in self.leaves() if isinstance(n, ExplorerPane)]

    def all_panes(self) -> list[ExplorerPane]:
        return [n for n in self.all_leaves() if isinstance(n, ExplorerPane)]

    def navigators(self) -> list[Navigator]:
        return [p.navigator for p in self.all_panes()] or [self.first]

    # -- what every pane does (in every tab) -------------------------------------------------------
    def tick(self) -> None:
        for pane in self.all_panes():
            pane.tick()
        if self.followers:
            for pane in self.followed():
                self.cursor_moved(pane)  # a cursor moved by a change of view or rows (no message then)
        self.render_tabs()  # their views' names

    def clear_deltas(self) -> None:
        for pane in self.all_panes():
            pane.clear_deltas()

    def render_state(self) -> None:
        for pane in self.all_panes():
            pane.render_state()

    def rebind(self, session: Any, old: Any = None, *, pane_only: bool = False, namespace: str | None = None) -> Outcome:
        """A new Session (`:ctx`, time travel): the panes showing ``old`` (None: every pane; with
        ``pane_only`` the focused one alone) move to it, and the log panes following them; the
        focused one's outcome is the one shown. ``namespace``: the one the focused pane's view
        opens in there (the context's own), None: the one it shows."""
        out = DONE
        focused = self.pane
        for pane in self.all_panes():
            if pane_only and pane is not focused:
                continue
            if old is not None and pane.navigator.session is not old:
                continue
            res = pane.navigator.rebind(session, namespace if pane is focused else None)
            if pane is focused:
                out = res
        for logs in self._logs():
            if old is None or logs.session is old:
                logs.rebind(session)
        for pane in self.followed():
            self.cursor_moved(pane)
        self.tag_contexts()
        timeline.place(self.app)
        return out

    def tag_contexts(self) -> None:
        """Panes showing different contexts say which in their title; one context: no tag."""
        panes = self.all_panes()
        several = len({id(p.navigator.session) for p in panes}) > 1
        for pane in panes:
            tag = pane.navigator.session.info().context if several else ""
            if pane.context_tag != tag:
                pane.context_tag = tag
                pane.render_title()

    def _logs(self) -> Iterator[FollowLogs]:
        for leaf in self.all_leaves():
            if is_logs(leaf):
                yield leaf

    # -- focus ------------------------------------------------------------------------------------
    def focused_leaf(self, leaf: ExplorerPane | FollowLogs) -> None:
        """Textual's focus came into ``leaf`` (a key, a click): it is the focused pane now."""
        if leaf is self._leaf:
            return
        self._leaf = leaf
        if isinstance(leaf, ExplorerPane):
            self._focused = leaf
        self._mark_focus()
        if isinstance(leaf, ExplorerPane):
            self.app.render_header()
        self.render_tabs()

    def _mark_focus(self) -> None:
        leaves = self.leaves()
        for leaf in leaves:
            leaf.set_class(len(leaves) > 1 and leaf is not self._leaf, "-unfocused")
        timeline.place(self.app)  # the replay's or the past's bar: in the focused pane (or one still shown)

    def focus(self, leaf: ExplorerPane | FollowLogs) -> None:
        target: Widget = leaf.table if isinstance(leaf, ExplorerPane) else leaf.body
        target.screen.set_focus(target, scroll_visible=False)
        self.focused_leaf(leaf)

    def focus_next(self, delta: int) -> None:
        leaves = self.leaves()
        if len(leaves) < 2:
            return
        self.unzoom()
        at = leaves.index(self._leaf) if self._leaf in leaves else 0
        self.focus(leaves[(at + delta) % len(leaves)])

    def focus_direction(self, where: str) -> None:
        """The nearest pane to the left, right, above or below the focused one."""
        cur = self._leaf
        if cur is None:
            return
        self.unzoom()
        r = cur.region
        cx, cy = r.x + r.width / 2, r.y + r.height / 2
        best: tuple[float, ExplorerPane | FollowLogs] | None = None
        for leaf in self.leaves():
            o = leaf.region
            if leaf is cur:
                continue
            ox, oy = o.x + o.width / 2, o.y + o.height / 2
            ok = {"left": o.right <= r.x, "right": o.x >= r.right, "up": o.bottom <= r.y, "down": o.y >= r.bottom}[where]
            if ok:
                d = abs(ox - cx) + abs(oy - cy)
                if best is None or d < best[0]:
                    best = (d, leaf)
        if best is not None:
            self.focus(best[1])

    # -- layout -----------------------------------------------------------------------------------
    @staticmethod
    def is_command(text: str) -> bool:
        """Whether ``text`` is one of the pane commands ``command`` runs."""
        words = text.strip().lstrip(":").split()
        return bool(words) and words[0].lower() in PANE_WORDS

    def command(self, text: str) -> bool:
        """The pane commands (True: ``text`` was one)."""
        words = text.strip().lstrip(":").split()
        if not words:
            return False
        head, rest = words[0].lower(), " ".join(words[1:])
        if head in SPLIT_WORDS:
            if rest.lower() == "logs":
                self.split_logs(SPLIT_WORDS[head])
            else:
                self.split(SPLIT_WORDS[head], rest)
            return True
        if head in TAB_WORDS:
            self.tab(TAB_WORDS[head], rest)
            return True
        op = PANE_OPS.get(head)
        if op == "close":
            self.close()
        elif op == "only":
            self.only()
        elif op == "zoom":
            self.toggle_zoom()
        elif op == "layout":
            from k9py.ui import layouts

            layouts.command(self, words[1:])
        else:
            return False
        return True

    def help_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """`?`'s PANES section."""
        keys = [("<tab>", "Next pane"), ("<shift-tab>", "Previous pane")]
        keys += [(f"<ctrl-]> {k}", h.capitalize()) for k, _, h in PREFIX_KEYS if h and k != "tab"]
        keys += [("<ctrl-]> arrows", "Pane that way"), (":split/:vsplit [CMD|logs]", "Split"),
                 (":close :only :zoom", "Panes"), (":tabnew :tabn :tabp :tabc", "Tabs"),
                 (":layout [save] NAME", "Layouts")]
        return [("PANES", keys)]

    def end_prefix(self) -> None:
        self.pending = False
        self.app.query_one("#flash", Flash).clear_from("splitkeys")

    def prefix(self, what: str) -> None:
        """`ctrl-]` then a key."""
        if what in ("split", "vsplit"):
            self.split("v" if what == "split" else "h", "")
        elif what == "logs":
            self.split_logs("v")
        elif what == "zoom":
            self.toggle_zoom()
        elif what == "close":
            self.close()
        elif what == "only":
            self.only()
        elif what == "next":
            self.focus_next(1)
        elif what.startswith("tab"):
            self.tab(TAB_WORDS[what], "")
        else:
            self.focus_direction(what)

    def new_pane(self, *, first: bool = False, like: Navigator | None = None) -> ExplorerPane:
        """An explorer pane over a new Navigator on the app's Session, in the focused one's
        namespace with its favourites (``first``: the one `#pane` names; ``like``: that navigator
        instead, the one focused before a layout replaced every pane)."""
        cur = like or self.navigator
        nav = Navigator(cur.session, namespace=cur.active_namespace, start_view=cur.start_view,
                        aliases=cur.aliases, keymap=cur.keymap, views=cur.views)
        nav.menu_hints = cur.menu_hints
        nav.favorites = list(cur.favorites)
        self._count += 1
        return ExplorerPane(nav, manual=self.app.manual, id="pane" if first else f"pane-{self._count}")

    def new_logs(self, like: Navigator | None = None) -> FollowLogs:
        from k9py.ui.widgets.follow_logs import FollowLogs  # lazily: not needed for the first frame

        self._count += 1
        return FollowLogs((like or self.navigator).session, manual=self.app.manual, id=f"pane-{self._count}")

    def split(self, orient: str, cmd: str) -> None:
        """A new explorer pane beside the focused one, showing ``cmd`` (default: the same view);
        a ``cmd`` that names no view is said, and no pane is made."""
        if cmd and (problem := self.navigator.view_problem(cmd)):
            self.app.flash(problem, "error")
            return
        cmd = cmd or (self.navigator.current_cmd or self.navigator.start_view)
        self.app.call_next(self._place, self.new_pane(), orient, cmd)

    def split_logs(self, orient: str) -> None:
        """A log pane following the focused pods pane's cursor."""
        src = self.pane
        cur = src.current
        if cur is None or not cur.shows_pods or cur.scope.view.name != "pods":
            self.app.flash("logs follow a pods view: open :pods in this pane first", "warn")
            return
        logs = self.new_logs()
        self.followers[id(logs)] = src.navigator
        self.app.call_next(self._place, logs, orient, "")

    async def _place(self, leaf: ExplorerPane | FollowLogs, orient: str, cmd: str) -> None:
        self.unzoom()
        anchor = self.pane
        parent = anchor.parent
        assert isinstance(parent, Split)
        if parent.orient == orient or len(parent.children) == 1:
            parent.set_orient(orient)
            await parent.mount(leaf, after=anchor)
        else:  # the anchor becomes a pair of its own: a fresh pane over its navigator, and the new one
            if anchor.current is not None:
                anchor.capture(anchor.current)  # its cursor and scroll, for the fresh pane
            again = ExplorerPane(anchor.navigator, manual=self.app.manual, id=anchor.id or "pane")  # in another parent
            pair = Split(orient=orient)
            await parent.mount(pair, after=anchor)
            await anchor.remove()
            await pair.mount(again, leaf)
            self._show(again)
            anchor = again  # (Textual moved the focus elsewhere as the old one went)
        if isinstance(leaf, ExplorerPane):
            self.open(leaf, cmd)
            self.focus(leaf)
        else:
            self.focus(anchor)  # the pods pane keeps the focus
            self.cursor_moved(anchor)

    def open(self, pane: ExplorerPane, cmd: str, *, say: bool = True) -> Outcome:
        """A new pane, mounted, shows ``cmd`` (a bad command: its navigator's start view instead,
        and then what was wrong is said: showing a view clears a failed command's error);
        ``say=False``: the caller says it (after the other panes it opens)."""
        pane.query_one("#crumbs").display = self.app.show_crumbs
        out = pane.navigator.run(cmd)
        if pane.current is None:
            pane.navigator.start()
        if say:
            self.app.outcome(out)
        return out

    def _show(self, pane: ExplorerPane) -> None:
        pane.query_one("#crumbs").display = self.app.show_crumbs
        if pane.current is not None:
            pane.show(pane.current)

    def close(self) -> None:
        leaves = self.leaves()
        leaf = self._leaf if self._leaf in leaves else None
        if leaf is None or len(leaves) < 2:
            self.app.flash("the only pane: :q quits", "warn")
            return
        if isinstance(leaf, ExplorerPane) and len(self.panes()) < 2:
            self.app.flash("the last explorer pane stays: close the log pane, or :only", "warn")
            return
        self.app.call_next(self._close, leaf)

    async def release_orphans(self) -> None:
        """Close the Sessions only the panes just closed showed (a `:ctx` or a past one)."""
        orphans, self._orphans = self._orphans, []
        for note in await self.release(*orphans):
            self.app.flash(note, "warn")

    async def release(self, *sessions: Session) -> list[str]:
        """Close each of ``sessions`` that no pane shows any more: nothing else would, not even at
        exit (``App.sessions`` names what the panes show). The first navigator's stays: it is
        what the App falls back on. What to say of the drains going on there (cancelled)."""
        shown = {id(s) for s in self.app.sessions()} | {id(self.first.session)}
        said: list[str] = []
        for session in {id(s): s for s in sessions}.values():
            if id(session) not in shown:
                shown.add(id(session))
                await session.close()
                if not any(s.backend is session.backend for s in self.app.sessions()):
                    said += filter(None, [self.app.cancel_drains(session.backend)])
        return said

    async def _close(self, leaf: ExplorerPane | FollowLogs) -> None:
        self.unzoom()
        leaves = self.leaves()
        nxt = leaves[leaves.index(leaf) - 1] if leaves.index(leaf) > 0 else leaves[1]
        self._forget(leaf)
        node: Widget = leaf
        while isinstance(node.parent, Split) and node.parent not in self.roots and len(node.parent.children) == 1:
            node = node.parent  # a split left empty goes with it
        await node.remove()
        self._leaf = None
        if self._focused is leaf:
            self._focused = nxt if isinstance(nxt, ExplorerPane) else next(iter(self.panes()), None)
        self.focus(nxt)
        self._mark_focus()
        self.app.render_header()
        await self.release_orphans()

    def _forget(self, leaf: ExplorerPane | FollowLogs) -> None:
        if isinstance(leaf, ExplorerPane):
            for view in leaf.navigator.stack:
                view.close()  # its informer subscriptions go (a merged view's contexts too)
            self._orphans.append(leaf.navigator.session)  # closed once the pane is gone, unless another shows it
            for key, nav in list(self.followers.items()):
                if nav is leaf.navigator:
                    del self.followers[key]  # its log pane keeps the pod it shows
        else:
            self.followers.pop(id(leaf), None)

    def only(self) -> None:
        keep = self._leaf
        if keep is None or len(self.leaves()) < 2:
            return
        self.app.call_next(self._only, keep)

    async def _only(self, keep: ExplorerPane | FollowLogs) -> None:
        if not isinstance(keep, ExplorerPane):  # a log pane alone would leave no view to explore
            self.app.flash("only: focus an explorer pane", "warn")
            return
        self.unzoom()
        root = self.roots[self.active]
        if keep.parent is not root:  # bring it up to the root: a fresh pane over its navigator
            if keep.current is not None:
                keep.capture(keep.current)
            again = ExplorerPane(keep.navigator, manual=self.app.manual, id=keep.id or "pane")
            self._forget_others(keep)
            await root.remove_children()
            await root.mount(again)
            self._show(again)
            keep = again
        else:
            self._forget_others(keep)
            for child in list(root.children):
                if child is not keep:
                    await child.remove()
        self._leaf = self._focused = keep
        self.focus(keep)
        self._mark_focus()
        self.app.render_header()
        await self.release_orphans()

    def _forget_others(self, keep: ExplorerPane | FollowLogs) -> None:
        for leaf in self.leaves():
            if leaf is not keep and not (isinstance(keep, ExplorerPane) and isinstance(leaf, ExplorerPane)
                                         and leaf.navigator is keep.navigator):
                self._forget(leaf)

    # -- zoom -------------------------------------------------------------------------------------
    def toggle_zoom(self) -> None:
        if self.zoomed:
            self.unzoom()
        elif self._leaf is not None and len(self.leaves()) > 1:
            keep = set(self._leaf.ancestors_with_self)
            for node in self.roots[self.active].query("*").results():
                if isinstance(node, Split) or is_leaf(node):
                    node.display = node in keep
            self.zoomed = True
            self.app.flash("zoomed: :zoom or ctrl-] z again to see every pane")

    def unzoom(self) -> None:
        if not self.zoomed:
            return
        self.zoomed = False
        for node in self.roots[self.active].query("*").results():
            if isinstance(node, Split) or is_leaf(node):
                node.display = True

    # -- logs following a cursor ------------------------------------------------------------------
    def followed(self) -> list[ExplorerPane]:
        """The panes a log pane follows."""
        if not self.followers:
            return []
        navs = set(map(id, self.followers.values()))
        return [p for p in self.panes() if id(p.navigator) in navs]

    def cursor_moved(self, pane: ExplorerPane) -> None:
        """``pane``'s cursor moved: the log panes following it switch (debounced) to its pod."""
        targets = [logs for logs in self._logs() if self.followers.get(id(logs)) is pane.navigator]
        if not targets:
            return
        cur = pane.current
        row = pane.table.cursor_row
        pods = cur is not None and cur.scope.view.name == "pods"
        pod = row.obj if row is not None and pods else None
        for logs in targets:
            logs.away(None if pods or cur is None else cur.scope.view.name)
            logs.want(pod)

    # -- tabs -------------------------------------------------------------------------------------
    def tab(self, what: str, cmd: str = "") -> None:
        """`:tabnew [CMD]`, `:tabnext`, `:tabprev`, `:tabclose`."""
        if what == "new":
            cmd = cmd or (self.navigator.current_cmd or self.navigator.start_view)
            self.app.call_next(self._tab_new, self.new_pane(), cmd)
        elif what in ("next", "prev") and len(self.roots) > 1:
            self.go_tab((self.active + (1 if what == "next" else -1)) % len(self.roots))
        elif what == "close":
            if len(self.roots) < 2:
                self.app.flash("the only tab: :q quits", "warn")
            else:
                self.app.call_next(self._tab_close)

    async def _tab_new(self, pane: ExplorerPane, cmd: str) -> None:
        self.unzoom()
        root = Split(pane)
        await self.app.query_one("#tabs", Tabs).mount(root)
        self.roots.append(root)
        self.go_tab(len(self.roots) - 1)
        self.open(pane, cmd)
        self.focus(pane)
        self.render_tabs()

    def go_tab(self, index: int) -> None:
        """Show tab ``index``, its pane focused when it was left focused again."""
        self.unzoom()
        old = self.roots[self.active]
        if self._leaf is not None:
            self._tab_leaf[id(old)] = self._leaf
        old.display = False
        self.active = index
        root = self.roots[index]
        root.display = True
        leaves = self.leaves(root)
        leaf = self._tab_leaf.get(id(root))
        target = leaf if leaf in leaves else (leaves[0] if leaves else None)
        if target is not None:
            self.focus(target)
        panes = self.panes()
        if target is not None and not isinstance(target, ExplorerPane) and panes:
            self._focused = panes[0]  # a log pane focused: the keys act on the tab's first explorer pane
        timeline.place(self.app)
        self.app.render_header()
        self.render_tabs()

    async def _tab_close(self) -> None:
        root = self.roots[self.active]
        for leaf in self.leaves(root):
            self._forget(leaf)
        index = self.active
        self._leaf = None
        self.roots.remove(root)
        self._tab_leaf.pop(id(root), None)
        self.active = min(index, len(self.roots) - 1)
        self.go_tab(self.active)
        await root.remove()
        self.render_tabs()
        await self.release_orphans()

    async def clear(self) -> None:
        """Every tab goes (``layouts.restore`` puts others in their place)."""
        self.unzoom()
        for leaf in self.all_leaves():
            self._forget(leaf)
        roots, self.roots = self.roots, []
        for root in roots:
            await root.remove()
        self._leaf = self._focused = None
        self._tab_leaf.clear()
        self.followers.clear()
        self.active = 0

    def tab_label(self, root: Split) -> str:
        leaf = self._tab_leaf.get(id(root)) if root is not self.roots[self.active] else self._leaf
        panes = self.panes() if root is self.roots[self.active] else [p for p in self.leaves(root) if isinstance(p, ExplorerPane)]
        pane = leaf if isinstance(leaf, ExplorerPane) else (panes[0] if panes else None)
        cur = pane.current if pane is not None else None
        return cur.scope.view.name if cur is not None else "logs"

    def render_tabs(self) -> None:
        """The tab bar: shown while there are several tabs, the active one marked."""
        bar = self._bar
        several = len(self.roots) > 1
        if bar.display != several:
            bar.display = several
        if not several:
            return
        labels = [(f" {i + 1}:{inert_line(self.tab_label(root))} ", i == self.active) for i, root in enumerate(self.roots)]
        if labels == self._tabs_shown:
            return
        self._tabs_shown = labels
        text = Text()
        for label, active in labels:
            text.append(label, style=theme.style("crumb.active" if active else "crumb"))
            text.append(" ")
        bar.update(text)
