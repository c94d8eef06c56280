"""`:layout save NAME` / `:layout NAME` / `:layout`: the tabs and panes (``ui/splits.py``) as a
plain tree (``config/layouts.py``) and back. Saved to layouts.yaml when the user's files are in
use, else kept for the session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widget import Widget

from k9py.config import layouts as files
from k9py.errors import K9pyError
from k9py.ui.widgets.pane import ExplorerPane

if TYPE_CHECKING:
    from k9py.explorer.navigator import Navigator
    from k9py.ui.splits import Splits

Node = files.Node


def describe(splits: Splits) -> list[Node]:
    """Every tab as a layout tree: each explorer pane's command, log panes, the splits."""
    from k9py.ui.splits import Split, is_logs

    def tab(root: Split) -> Node | None:
        navs = [p.navigator for p in splits.leaves(root) if isinstance(p, ExplorerPane)]

        def node(w: Widget) -> Node | None:
            if isinstance(w, ExplorerPane):
                return {"view": w.navigator.current_cmd or w.navigator.start_view}
            if isinstance(w, Split):
                kids = [n for n in (node(c) for c in w.children) if n is not None]
                if len(kids) == 1:
                    return kids[0]  # a split left with one pane is that pane
                return {"split": w.orient, "panes": kids} if kids else None
            if not is_logs(w):
                return None
            followed = splits.followers.get(id(w))
            return {"logs": "cursor", **({"follows": navs.index(followed)} if followed in navs else {})}
        return node(root)
    return [n for n in map(tab, splits.roots) if n is not None]


def command(splits: Splits, args: list[str]) -> None:
    """`:layout` (the names), `:layout save NAME`, `:layout NAME` (every tab replaced)."""
    app = splits.app
    if args and args[0] == "save" and len(args) != 2:
        app.flash("layout save: " + ("name it" if len(args) == 1 else "one word for its name") + " (:layout save NAME)", "warn")
        return
    if len(args) == 2 and args[0] == "save":
        tree = describe(splits)
        if splits.layouts_file is None:
            splits.saved[args[1]] = tree
            app.flash(f"layout {args[1]} kept for this session")
            return
        try:
            where = files.save(args[1], tree, splits.layouts_file)
        except (OSError, K9pyError) as err:
            app.flash(f"layout {args[1]} not saved: {err}", "error")
            return
        app.flash(f"layout {args[1]} saved in {where}")
        return
    try:
        known = {**(files.load(splits.layouts_file) if splits.layouts_file else {}), **splits.saved}
    except K9pyError as err:
        app.flash(str(err), "error")
        return
    if not args:
        app.flash("layouts: " + (", ".join(sorted(known)) or "none yet (:layout save NAME)"))
    elif len(args) == 1 and args[0] in known:
        app.call_next(restore, splits, known[args[0]])
    else:
        app.flash(f"no layout {' '.join(args)}: :layout lists them, :layout save NAME saves this one", "warn")


class _Tab:
    """One tab's widgets built from its tree."""

    def __init__(self, splits: Splits, first: bool, like: Navigator) -> None:
        self.splits = splits
        self.like = like  # the navigator focused before: its Session, namespace and favourites
        self.first = first  # the first tab: its root and first pane take `#panes` and `#pane`
        self.panes: list[tuple[ExplorerPane, str]] = []  # each with its command
        self.follow: list[tuple[Widget, int]] = []  # a log pane, the index in ``panes`` of the one it follows

    def build(self, node: Node, top: bool = False) -> Widget:
        from k9py.ui.splits import Split

        if "split" in node:
            kids = [self.build(p) for p in node["panes"]]
            return Split(*kids, orient=node["split"], id="panes" if top and self.first else None)
        if "view" in node:
            pane = self.splits.new_pane(first=self.first and not self.panes, like=self.like)
            self.panes.append((pane, node["view"]))
            return pane
        logs = self.splits.new_logs(self.like)
        self.follow.append((logs, node.get("follows", len(self.panes) - 1)))
        return logs


async def restore(splits: Splits, tabs: list[Node]) -> None:
    """Replace every tab with ``tabs``: fresh panes, each opening its command; a log pane
    follows the explorer pane before it in its tab (the tab's first when none is before)."""
    from k9py.ui.splits import Split, Tabs

    app = splits.app  # (every tab has an explorer pane: config.layouts.load checks a file's)
    like = splits.navigator  # before clear(): with no pane focused the App would fall back on the first
    await splits.clear()
    built = [_Tab(splits, i == 0, like) for i in range(len(tabs))]
    for tab, tree in zip(built, tabs, strict=True):
        made = tab.build(tree, top=True)
        root = made if isinstance(made, Split) else Split(made, id="panes" if tab.first else None)
        root.display = tab.first
        splits.roots.append(root)
        for logs, at in tab.follow:
            splits.followers[id(logs)] = tab.panes[min(max(0, at), len(tab.panes) - 1)][0].navigator
    await app.query_one("#tabs", Tabs).mount(*splits.roots)
    said = [splits.open(pane, cmd, say=False) for tab in built for pane, cmd in tab.panes]
    splits.go_tab(0)
    for out in said:  # once every pane shows its view (which clears a failed command's error)
        app.outcome(out)
    for pane in splits.followed():
        splits.cursor_moved(pane)
    await splits.release_orphans()  # the Sessions only the replaced panes showed
