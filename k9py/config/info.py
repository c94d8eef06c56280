"""`k9py info`: where k9py reads the user's files from and which were found (k9s's `k9s info`).
A file that is there but wrong says so (its first problem, FILE:LINE); `info` itself never fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from k9py.config import (
    aliases,
    benchmarks,
    context_state,
    hotkeys,
    keymap,
    locations,
    plugins,
    settings,
    skin,
    user,
    views,
    yamlfile,
)
from k9py.errors import K9pyError

SKIN_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Row:
    label: str
    path: Path
    status: str  # "found", "not found", "found: 3 skins (a, b, c)", "invalid: FILE:LINE: ..."


def _file(label: str, path: Path, loader: Callable[[Path], Any] | None = None) -> Row:
    if not yamlfile.present(path):
        return Row(label, path, "not found")
    if loader is None:
        return Row(label, path, "found")
    try:
        loaded = loader(path)
    except K9pyError as err:
        return Row(label, path, f"invalid: {err}")
    note = ""
    if isinstance(loaded, Views):
        note = f": columns for {', '.join(loaded) or 'no view'}" + _listed("not shown", loaded.warnings)
    if isinstance(loaded, settings.Settings):
        note = f" ({loaded.root}: tree" + (f"; no effect in k9py: {', '.join(loaded.ignored)})" if loaded.ignored else ")")
    return Row(label, path, "found" + note)


def _listed(what: str, lines: list[str], status: str = "") -> str:
    """``; WHAT (N):`` and each of ``lines`` on its own line under it (none: nothing); on a line
    of its own when ``status`` lists something already."""
    if not lines:
        return ""
    return ("\n" if "\n" in status else "; ") + f"{what} ({len(lines)}):" + "".join(f"\n  {line}" for line in lines)


def _views(path: Path) -> Views:
    warnings: list[str] = []
    return Views(views.load(path, warnings), warnings)


class Views(dict[str, Any]):
    """views.yaml as read, with what it says that k9py does not show (the first, and how many)."""

    def __init__(self, read: dict[str, Any], warnings: list[str]) -> None:
        super().__init__(read)
        self.warnings = warnings


def _plugin_rows() -> list[Row]:
    """plugins.yaml and the plugins folder, read and checked as the app does (against the user's
    keymap; its defaults when keymap.yaml is wrong: its row says so). The keys that do nothing
    are listed under the folder's row when there is one, else under plugins.yaml's."""
    file, folder = locations.plugins_file(), locations.plugins_dir()
    read: list[list[plugins.Plugin]] = []
    file_notes: list[str] = []
    folder_notes: list[str] = []

    def from_file(path: Path) -> list[plugins.Plugin]:
        read.append(plugins.load(path, file_notes))
        return read[-1]
    file_row = _file("Plugins", file, from_file)
    folder_rows: list[Row] = []
    for where in locations.plugins_dirs():
        if where != folder and not where.is_dir():
            continue  # k9s's other folders ($XDG_DATA_HOME/k9py/plugins): a row when there is one
        names: list[str] = []
        for path in user.plugin_folder_files(where):
            try:
                read.append(plugins.load(path, folder_notes, folder=True))
                names += [p.name for p in read[-1]]
            except K9pyError as err:  # the app skips that file and loads the others
                folder_notes.append(user.skipped(err))
        names = list(dict.fromkeys(names))  # a later file's plugin of the same name replaces the earlier (k9s)
        folder_rows.append(_folder("Plugins dir", where, "plugins", names))
    try:
        km = keymap.load(locations.keymap_file()) if yamlfile.present(locations.keymap_file()) else keymap.Keymap()
    except K9pyError:
        km = keymap.Keymap()
    unbound = plugins.key_conflicts(plugins.merged(*read), km)
    rows = [file_row, *folder_rows]
    found = [i for i, r in enumerate(rows) if i and r.status.startswith("found")]
    at = found[-1] if found else 0  # the last folder there, else plugins.yaml's row
    if unbound and rows[at].status.startswith("found"):
        rows[at] = Row(rows[at].label, rows[at].path, rows[at].status + (
            f"; {len(unbound)} plugin key{'s' if len(unbound) > 1 else ''} not bound:"
            + "".join(f"\n  {problem}" for problem in unbound)))
    for i, notes in ((0, file_notes), (at or len(rows) - 1, folder_notes)):  # what the app flashes at start
        if notes and rows[i].status.startswith("found"):
            rows[i] = Row(rows[i].label, rows[i].path, rows[i].status + _listed("warnings", notes, rows[i].status))
    return rows


def _names(folder: Path, suffixes: tuple[str, ...]) -> list[str]:
    return sorted(p.stem for p in folder.iterdir() if p.suffix in suffixes) if folder.is_dir() else []


def _folder(label: str, path: Path, what: str, names: list[str]) -> Row:
    if not path.is_dir():
        return Row(label, path, "not found")
    shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
    return Row(label, path, f"found: {len(names)} {what}" + (f" ({shown})" if names else ""))


def _contexts_row(clusters: Path) -> Row:
    """The contexts remembered: k9s's ``clusters/<cluster>/<context>/config.yaml`` (named
    ``cluster/context``) and k9py's older ``clusters/<context>/config.yaml``."""
    files = sorted(clusters.glob("*/config.yaml")) + sorted(clusters.glob("*/*/config.yaml")) if clusters.is_dir() else []
    names = [str(f.parent.relative_to(clusters)) for f in files]
    row = _folder("Context configs", clusters, "contexts", names)
    notes = [note for f, name in zip(files, names, strict=True) for note in context_state.load(name, f)[1]]
    status = row.status + _listed("wrong", notes)
    own = sorted(clusters.glob("*/*/*.yaml")) if clusters.is_dir() else []  # k9s's per-context key files
    own = [f for f in own if f.name in CONTEXT_FILES]
    status += _listed("their own aliases, hotkeys, plugins", [str(f.relative_to(clusters)) for f in own], status)
    return Row(row.label, row.path, status)


CONTEXT_FILES = ("aliases.yaml", "hotkeys.yaml", "plugins.yaml")  # read beside the config directory's


def _benchmarks_row(clusters: Path) -> Row:
    """`b`'s reports (one folder per cluster and context) and the contexts' benchmarks.yaml that are wrong."""
    folder = locations.state_dir() / "benchmarks"
    reports = sum(1 for _ in folder.glob("*/*/*.txt")) if folder.is_dir() else 0
    status = f"found: {reports} reports" if folder.is_dir() else "not found (made on the first b in :pf)"
    notes = []
    found = {*clusters.glob("*/benchmarks.yaml"), *clusters.glob("*/*/benchmarks.yaml")} if clusters.is_dir() else set()
    for path in sorted(found):  # (clusters/<cluster>/<context>/, or clusters/<context>/ without a cluster)
        try:
            benchmarks.load(path)
        except K9pyError as err:
            notes.append(str(err))
    return Row("Benchmarks", folder, status + _listed("wrong benchmarks.yaml", notes))


def rows() -> list[Row]:
    """Every place k9py reads from, in `k9s info`'s order."""
    read: list[settings.Settings] = []  # config.yaml as the Config row read it (when it could)

    def read_settings(path: Path) -> settings.Settings:
        read.append(settings.load(path))
        return read[0]
    config_row = _file("Config", locations.config_file(), read_settings)
    dumps = read[0].screen_dumps() if read else locations.screen_dumps_dir()  # ctrl-s: screenDumpDir, else
    skins_row = _folder("Skins", locations.skins_dir(), "skins", _names(locations.skins_dir(), SKIN_SUFFIXES))
    if read and read[0].skin:  # config.yaml's ui.skin: what the app flashes about it at start
        try:
            notes = skin.load(skin.find(read[0].skin)).warnings
        except K9pyError as err:
            notes = [str(err)]
        if notes:
            skins_row = Row(skins_row.label, skins_row.path,
                            skins_row.status + _listed(f"ui.skin {read[0].skin}", notes))
    return [
        Row("Config dir", locations.config_dir(), "found" if locations.config_dir().is_dir() else "not found"),
        config_row,
        skins_row,
        _folder("Bundled skins", locations.BUNDLED_SKINS, "skins", _names(locations.BUNDLED_SKINS, SKIN_SUFFIXES)),
        _file("Aliases", locations.aliases_file(), aliases.load),
        _file("Hotkeys", locations.hotkeys_file(), hotkeys.load),
        *_plugin_rows(),
        _file("Keymap", locations.keymap_file(), keymap.load),
        _file("Views", locations.views_file(), _views),
        _contexts_row(locations.clusters_dir()),
        Row("Screen dumps", dumps, "found" if dumps.is_dir() else "not found (made on the first ctrl-s)"),
        _benchmarks_row(locations.clusters_dir()),
    ]


def format_rows(items: list[Row]) -> str:
    width = max(len(r.label) for r in items) + 2
    col = max(len(str(r.path)) for r in items) + 2
    pad = "\n" + " " * (width + col)  # a status of several lines: the next ones under its first
    return "\n".join(f"{r.label + ':':<{width}}{r.path!s:<{col}}{r.status.replace(chr(10), pad)}".rstrip() for r in items)
