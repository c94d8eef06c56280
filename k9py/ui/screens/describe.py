"""`d` describe: kubectl describe text for an object, refreshed live while open (the object's
and its Events' changes come from the app's informer caches; ages move with the clock)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.binding import Binding

from k9py.explorer import keys as row_keys
from k9py.explorer.session import Session
from k9py.store.informer import Cache, Subscription
from k9py.ui.screens.viewer import ViewerScreen
from k9py.ui.widgets.menu import Hint
from k9py.view import yaml_text
from k9py.view.kinds import BY_KIND, ViewKind
from k9py.view.rows import Row

Obj = dict[str, Any]


def describe_text(obj: Obj, *, events: list[Obj] | None, now: float, related: Any = None) -> str:
    """``k9py.view.describe.describe`` (kubectl's text); a YAML dump if it is missing."""
    try:
        from k9py.view.describe import describe
    except ImportError:
        return yaml_text.to_yaml(obj)
    return describe(obj, events=events, now=now, related=related)


class DescribeScreen(ViewerScreen):
    """``session``: whose informer keeps the text live and whose clock ages it (the app's when
    not handed over)."""

    kind_label = "Describe"
    save_suffix = ".txt"
    HELP_TITLE = "DESCRIBE"
    # k9s's describe and YAML views edit the object they show (the view's `edit` id: one line of
    # keymap.yaml moves it in the tables and here)
    BINDINGS = [Binding("e", "edit", "Edit", id="edit"),
                Binding("r", "toggle_refresh", "Auto-Refresh", id="viewer.auto_refresh")]

    def __init__(self, kind: str, namespace: str, name: str, obj: Obj | None = None, *,
                 session: Session | None = None, save_dir: Path | None = None) -> None:
        where = f"{namespace}/{name}" if namespace else name
        super().__init__(f"{self.kind_label}({where})", session=session, save_dir=save_dir)
        self.kind, self.ns, self.obj_name = kind, namespace, name
        self.obj = obj
        self.gone = False
        self.live = True  # k9s's `r`: off, the text stays as it is until `r` again
        self._subs: list[Subscription] = []
        self._watched: set[tuple[str, str | None]] = set()

    # -- data --------------------------------------------------------------------------------
    def _current(self) -> Obj | None:
        cache = self.session.informer.cache(self.kind, self.ns or None)
        if cache is not None and cache.synced:
            return cache.get((self.ns, self.obj_name))
        return self.obj

    def _events(self) -> list[Obj]:
        """Every Event in the object's namespace (all for cluster-scoped objects): describe
        picks the ones about the object, as kubectl's searchEvents does."""
        return self._related("Event", self.ns)

    def _related(self, kind: str, namespace: str) -> list[Obj]:
        """What describe fetches besides the object (a node's pods, a deployment's ReplicaSets,
        ...): the informer's cache, subscribed on first use; the screen re-renders once it
        has synced."""
        inf = self.session.informer
        key = (kind, namespace or None)
        if key not in self._watched:
            self._watched.add(key)
            self._subs.append(inf.subscribe(kind, namespace or None, self._on_diff))
        cache = inf.cache(kind, namespace or None)
        return list(cache.objects.values()) if cache is not None else []

    def content(self) -> list[str]:
        if self.obj is None:
            return [f"{self.kind} {self.obj_name} not found"]
        now = self.session.now()
        text = describe_text(self.obj, events=self._events(), now=now, related=self._related)
        lines = text.rstrip("\n").split("\n")
        if self.gone:
            lines = [f"<{self.kind} {self.obj_name} was deleted>", "", *lines]
        return lines

    # -- `e` ----------------------------------------------------------------------------------
    def edit_view(self) -> ViewKind | None:
        """The object's view when its rows can be edited here (not read-only), else None."""
        view = BY_KIND.get(self.kind)
        if view is None or "edit" not in view.verbs or self.obj is None or self.gone:
            return None
        return view if row_keys.allowed(row_keys.VERBS["edit"], self.session.read_only) else None

    def offers(self, hint: Hint) -> bool:
        return hint.action != "edit" or self.edit_view() is not None

    def action_edit(self) -> None:
        view = self.edit_view()
        if view is None or self.obj is None:
            return
        from k9py.ui.screens import actions
        actions.edit(self.app, view, Row((self.ns, self.obj_name), self.obj))  # type: ignore[arg-type]

    # -- live --------------------------------------------------------------------------------
    def fill(self) -> None:
        ns = self.ns or None
        self._subs.append(self.session.informer.subscribe(self.kind, ns, self._on_diff))
        self._watched.add((self.kind, ns))
        cur = self._current()
        if cur is not None:
            self.obj = cur
        super().fill()
        if not self.session.manual:
            self.set_interval(2.0, self._tick)  # ages

    def _tick(self) -> None:
        if self.live:
            self.reload()

    def action_toggle_refresh(self) -> None:
        """k9s's Toggle Auto-Refresh: hold the text still to read it (the object's changes are
        kept and shown when it is on again)."""
        self.live = not self.live
        if self.live:
            self.reload()
        self.render_title()
        key = self.user_keymap.label("viewer.auto_refresh") or "<r>"
        self.flash("Auto-refresh on" if self.live else f"Auto-refresh off: the text stays as it is ({key[1:-1]} resumes)")

    def render_title(self) -> None:
        base = self.title_text
        if not self.live:
            self.title_text = f"{base} [paused]"
        super().render_title()
        self.title_text = base

    def on_unmount(self) -> None:
        for sub in self._subs:
            self.session.informer.unsubscribe(sub)
        self._subs = []

    def _on_diff(self, cache: Cache, diff: Any) -> None:
        if cache.kind == self.kind and cache.namespace == (self.ns or None):
            obj = cache.get((self.ns, self.obj_name))
            if obj is None and cache.synced:
                self.gone = self.obj is not None
            elif obj is not None:
                self.obj, self.gone = obj, False
        if self.live:
            self.reload()

    def reload(self) -> None:
        top = self.body.top
        super().reload()
        self.body.scroll_to(y=top, animate=False, force=True, immediate=True)

    def save_stem(self) -> str:
        return f"describe-{self.kind.lower()}-{self.ns}-{self.obj_name}" if self.ns else \
            f"describe-{self.kind.lower()}-{self.obj_name}"
