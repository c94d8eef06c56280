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
    """`d` / `y` / `l` / `p` (and enter) on a merged row: as on any row, on the row's own context."""
    from k9py.ui.screens import actions

    ctx = context_of(row)
    session = view.session_of(row)
    if session is None:
        app.flash(f"context {ctx} is no longer in this view", "warn")
    elif action in ("describe", "yaml") or (action in ("logs", "previous") and view.scope.view.kind == "Pod"):
        actions.open_row(app, view.scope.view, row, action, session=session, context=ctx)
    else:
        app.flash(f"{action}: merged rows are read-only here; `:ctx {ctx}` to act on them", "warn")


async def close_views(views: Iterable[ResourceView]) -> None:
    """The app closes: the contexts the merged views among ``views`` opened close with it."""
    for view in views:
        if isinstance(view, MergedView):
            await view.aclose()
