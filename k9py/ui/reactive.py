"""k9s's ``ui.reactive``: the user's files read again when one is saved, without a restart —
aliases, hotkeys and plugins (a context's own files joined again), views.yaml's columns (the
views shown take them at once), config.yaml's skin, logger and thresholds. A file that is now
wrong is said in the flash and the app keeps what it had. keymap.yaml and what the command line
pinned (``--skin``, ``--readonly``) stay as they started."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from k9py.config import locations
from k9py.errors import K9pyError
from k9py.view import custom_columns

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp

def watched() -> set[Path]:
    """The files whose saving reloads (not a context's own config.yaml k9py writes itself, which
    shares the name when K9PY_CONFIG_DIR puts everything in one folder)."""
    return {p.resolve() for p in (locations.config_file(), locations.aliases_file(), locations.hotkeys_file(),
                                  locations.plugins_file(), locations.views_file())}


def reload(app: K9pyApp, changed: Sequence[str] = ()) -> bool:
    """Read the user's files again and use them (``changed``: the names of those saved); False
    (flashed) when one is wrong."""
    from k9py.config.user import load_user
    try:
        fresh = load_user()
    except K9pyError as err:
        said = str(err)
        if changed and not any(name in said for name in changed):
            said = f"{', '.join(changed)} not read: {said}"  # another file is wrong: the one saved waits for it
        app.flash(f"{said} (kept as it was)", "error")
        return False
    user = app.user
    user.shared = fresh.shared
    user.aliases, user.hotkeys, user.plugins = fresh.aliases, fresh.hotkeys, fresh.plugins
    user.views = fresh.views
    s, f = user.settings, fresh.settings
    s.logger, s.thresholds = f.logger, f.thresholds
    notes = app.use_context_files(app.session)  # the context's own files joined again, keys bound again
    for pane in app.splits.all_panes():  # the views shown take views.yaml's columns at once
        pane.navigator.views, pane.navigator.aliases = user.views, user.aliases
        view = pane.current
        if view is not None and view.model is not None:
            view.columns = custom_columns.pick(pane.navigator.views, view.scope.view.name, view.scope.namespace)
            view.model.set_custom(view.columns)
            pane.table.set_model(view.model, cursor=pane.table.cursor_key)
    if f.skin != user.config_skin:
        user.config_skin = f.skin
        if not user.skin_pinned:
            app.apply_skin(f.skin)
    warnings = [*notes, *fresh.warnings]
    app.flash(" | ".join(warnings) if warnings else f"{', '.join(changed) or 'config'} reloaded", "warn" if warnings else "info")
    return True


async def watch(app: K9pyApp) -> None:
    """Reload whenever one of the files (or one in a plugins folder) is written."""
    from watchfiles import awatch
    folder = locations.config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    async for changes in awatch(folder, debounce=200):  # editors write a temporary file and rename it
        if mine := relevant(Path(p) for _, p in changes):
            reload(app, mine)


def relevant(paths: Iterable[Path]) -> list[str]:
    """The names of the user's files among ``paths`` (changed ones): the top files, or one in a
    plugins folder; never what k9py writes itself (a context's memory, the history)."""
    files = watched()
    plugin_dirs = [d.resolve() for d in locations.plugins_dirs()]
    found = {p.resolve() for p in paths if p.suffix in (".yaml", ".yml")}
    return sorted(p.name for p in found if p in files or any(d in p.parents for d in plugin_dirs))
