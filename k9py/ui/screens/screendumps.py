"""`:screendump` / `:sd`: the files `ctrl-s` saved (tables, describe, YAML, logs), newest first,
as k9s lists its screen dumps: enter opens one, `ctrl-d` deletes it, esc goes back."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.binding import Binding

from k9py.kube.timefmt import human_duration
from k9py.ui.screens.dialogs import ConfirmScreen
from k9py.ui.screens.filelist import NAME_LEAST, FileList, fit_middle
from k9py.ui.screens.listsort import ListSort
from k9py.ui.screens.viewer import ViewerScreen
from k9py.view.inert import inert_line

MAX_BYTES = 4 * 1024 * 1024  # a dump is ours, but the folder is the user's: show at most this much


@dataclass(frozen=True)
class Dump:
    path: Path
    size: int
    mtime: float


def list_dumps(folder: Path) -> list[Dump]:
    """Every regular file under ``folder`` (one sub-folder per context), newest first."""
    if not folder.is_dir():
        return []
    out = []
    for p in folder.rglob("*"):
        try:
            st = p.stat()
        except OSError:
            continue
        if p.is_file():
            out.append(Dump(p, st.st_size, st.st_mtime))
    return sorted(out, key=lambda d: (-d.mtime, str(d.path)))


def read_dump(path: Path) -> list[str]:
    """The file's lines, control characters made visible (a dump may hold anything a cluster said)."""
    with path.open("rb") as fh:
        data = fh.read(MAX_BYTES)
    text = data.decode("utf-8", errors="replace")
    return [inert_line(line) for line in text.split("\n")]


class DumpViewer(ViewerScreen):
    kind_label = "Dump"

    def __init__(self, path: Path) -> None:
        super().__init__(str(path.name))
        self.path = path

    def content(self) -> list[str]:
        try:
            return read_dump(self.path)
        except OSError as err:
            return [f"cannot read {self.path}: {err.strerror or err}"]

    def style_line(self, line: str) -> Text:
        return Text(line)


COLUMNS = ("NAME", "SIZE", "AGE")
def dump_lines(rows: list[tuple[str, str, str]], width: int = 0, header: tuple[str, ...] = COLUMNS) -> list[str]:
    """The header and the rows: NAME as wide as the widest name (shortened in the middle to what
    ``width`` leaves; 0: no limit), SIZE and AGE right-aligned after it, all in line. ``header``:
    the column names as shown (the sorted one with its arrow)."""
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(header)]
    if width:
        widths[0] = max(NAME_LEAST, min(widths[0], width - widths[1] - widths[2] - 4))
    return [f"{fit_middle(name, widths[0]):<{widths[0]}}  {size:>{widths[1]}}  {age:>{widths[2]}}".rstrip()
            for name, size, age in (header, *rows)]


class ScreenDumps(FileList):
    BINDINGS = [Binding("enter", "open", "View", id="screendumps.open"),
                Binding("ctrl+d", "delete", "Delete", id="screendumps.delete"),
                Binding("N", "sort('NAME')", "Sort Name", id="sort_name"),
                Binding("A", "sort('AGE')", "Sort Age", id="sort_age"),
                Binding("j", "cursor(1)", "Down", id="down"), Binding("k", "cursor(-1)", "Up", id="up"),
                Binding("escape,q", "back", "Back", id="back")]
    HELP_TITLE = "SCREEN DUMPS"
    KEY_SCOPE = "screendumps"
    ID = "dumps"
    kind_label = "ScreenDumps"

    def __init__(self, folder: Path, now: float | None = None) -> None:
        super().__init__()
        self.folder = folder
        self.now = now
        self.dumps: list[Dump] = []
        self.rows: list[tuple[str, str, str]] = []
        self.sort = ListSort("AGE")  # k9s's: the newest first; shift-n / shift-a sort by name or age

    def help_title(self) -> str:
        return "Help: screendumps"

    def reload(self, keep_path: Path | None = None) -> None:
        keep = self.options.highlighted
        self.dumps = self.sort.order(list_dumps(self.folder), self._sort_key)
        paths = [d.path for d in self.dumps]
        if keep_path is not None and keep_path in paths:
            keep = paths.index(keep_path)
        now = self.now if self.now is not None else time.time()
        self.rows = [(inert_line(str(d.path.relative_to(self.folder))), str(d.size),
                      human_duration(max(0.0, now - d.mtime))) for d in self.dumps]
        self.show(f" screendumps({self.folder})[{len(self.dumps)}] ", [str(d.path) for d in self.dumps], keep or 0)
        if not self.dumps:
            save = self.user_keymap.label("save") or "<ctrl-s>"  # the views' key for it
            self.flash(f"no screen dumps in {self.folder} yet ({save[1:-1]} saves one)")

    def lay_out(self, width: int) -> list[str]:
        return dump_lines(self.rows, width, self.sort.header(COLUMNS))

    def _sort_key(self, d: Dump, col: str) -> tuple:
        name = str(d.path.relative_to(self.folder))
        return (-d.mtime, name) if col == "AGE" else (name.lower(), name)

    def action_sort(self, col: str) -> None:
        """k9s's shift-n / shift-a: sort by the column; again: the other way round."""
        dump = self._selected()
        self.sort.toggle(col)
        self.reload(dump.path if dump is not None else None)

    def _selected(self) -> Dump | None:
        i = self.selected_index()
        return self.dumps[i] if i is not None else None

    def action_open(self) -> None:
        dump = self._selected()
        if dump is not None:
            self.app.push_screen(DumpViewer(dump.path))

    def action_delete(self) -> None:
        dump = self._selected()
        if dump is None:
            return

        def done(ok: bool | None) -> None:
            if not ok:
                return
            try:
                dump.path.unlink()
            except OSError as err:
                self.flash(f"cannot delete {dump.path}: {err.strerror or err}")
                return
            self.reload()
            self.flash(f"Deleted {dump.path.name}")

        self.app.push_screen(ConfirmScreen("<Delete>", f"Delete {dump.path.name}?"), done)
