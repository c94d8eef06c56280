"""The UI side of a view merging several contexts (``explorer.merged``): describe, YAML and logs
of a row open on the row's own context's Session, not the app's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from k9py.explorer.merged import MergedView
from k9py.view.merged_rows import context_of

if TYPE_CHECKING:
    from k9py.explorer.resource_view import ResourceView
    from k9py.ui.app import K9pyApp
    from k9py.view.rows import Row


def open_row(app: K9pyApp, view: MergedView, row: Row, action: str) -> None:
    """`d` / `y` / `l` (and enter) on a merged row."""
    from k9py.ui.screens.describe import DescribeScreen
    from k9py.ui.screens.yaml_view import YamlScreen

    ctx = context_of(row)
    session = view.session_of(row)
    if session is None:
        app.flash(f"context {ctx} is no longer in this view", "warn")
        return
    kind, ns, name = view.scope.view.kind, row.key[0], row.key[1]
    if action == "describe":
        app.push_screen(DescribeScreen(kind, ns, name, row.obj, session=session))
    elif action == "yaml":
        app.push_screen(YamlScreen(kind, ns, name, row.obj, session=session))
    elif action in ("logs", "previous") and kind == "Pod":
        from k9py.ui.screens.logs import LogScreen, LogSource
        from k9py.view.logbuffer import DEFAULT_CAPACITY

        containers = [c.get("name", "") for c in (row.obj.get("spec") or {}).get("containers") or []]
        many = len(containers) > 1
        sources = [LogSource(ns, name, c, f"{name} {c}" if many else "") for c in containers]
        previous = action == "previous"
        title = f"{'Previous logs' if previous else 'Logs'}({ctx}:{ns}/{name})"
        app.push_screen(LogScreen(title, sources, previous=previous, capacity=app.log_buffer_size or DEFAULT_CAPACITY,
                                  spill=app.log_spill, session=session))
    else:
        app.flash(f"{action}: merged rows are read-only here; `:ctx {ctx}` to act on them", "warn")


async def close_views(views: Iterable[ResourceView]) -> None:
    """The app closes: the contexts the merged views among ``views`` opened close with it."""
    for view in views:
        if isinstance(view, MergedView):
            await view.aclose()
