"""`:dir [PATH]`, k9s's dir view: the folders and manifests of a folder of the user's, each file
with the objects it holds. enter opens a folder (or shows a file), `y` shows a file, `a` applies
the selected manifest or folder (`kubectl apply -f`), `d` deletes its objects after asking, `e`
edits the file in ``$KUBE_EDITOR``/``$EDITOR``; what apply and delete did opens as kubectl says it.
The work is ``k9py.explorer.manifests``: through the backend, so the simulator needs no kubectl."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.binding import Binding

from k9py.errors import K9pyError
from k9py.explorer import manifests
from k9py.explorer.session import Session
from k9py.kube.timefmt import human_duration
from k9py.ui import theme
from k9py.ui.screens.dialogs import ConfirmScreen
from k9py.ui.screens.filelist import NAME_LEAST, FileList, fit_middle
from k9py.ui.screens.listsort import ListSort
from k9py.ui.screens.screendumps import DumpViewer
from k9py.ui.screens.viewer import ViewerScreen
from k9py.ui.widgets.menu import Hint
from k9py.view.inert import inert_line

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp

COLUMNS = ("NAME", "AGE", "OBJECTS")
READ_BATCH = 200  # manifests read in a go before their rows are filled in


def open_dir(app: K9pyApp, arg: str) -> None:
    """`:dir PATH`: the folder's view (a file: its folder's, on that file)."""
    try:
        path = manifests.resolve(arg)
    except K9pyError as err:
        app.flash(str(err), "error")
        return
    folder, on = (path, None) if path.is_dir() else (path.parent, path)
    app.push_screen(DirScreen(folder, select=on))


class FileViewer(DumpViewer):
    """A manifest as it is on disk (control characters made visible), YAML's colours."""
    kind_label = "YAML"
    save_suffix = ".yaml"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.title_text = inert_line(f"YAML({path.name})")

    def style_line(self, line: str) -> Text:
        return ViewerScreen.style_line(self, line)


class ResultViewer(ViewerScreen):
    """What `a` or `d` did, one line an object, as kubectl prints it; its warnings (kubectl's
    stderr: an object no apply made) in their place and the first flashed when it opens."""

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__(inert_line(title))
        self.result = [inert_line(line) for line in lines]

    def on_mount(self) -> None:
        warned = manifests.warnings(self.result)
        if warned:
            more = f" (and {len(warned) - 1} more)" if len(warned) > 1 else ""
            self.flash(warned[0] + more, "warn")

    def content(self) -> list[str]:
        return self.result

    def style_line(self, line: str) -> Text:
        text = Text(line)  # (a span: the viewer paints a line's spans, not its own style)
        if line.startswith(("error", "Error")):
            text.stylize(theme.style("flash.error"))
        elif line.startswith("Warning: "):
            text.stylize(theme.style("flash.warn"))
        return text


def entry_sort_key(e: manifests.Entry, col: str) -> tuple:
    if col == "AGE":  # the youngest first
        return (-e.mtime, e.path.name)
    return (e.path.name.lower(), e.path.name)


def row_lines(rows: list[tuple[str, str, str]], width: int = 0, header: tuple[str, ...] = COLUMNS) -> list[str]:
    """The header and the rows: NAME as wide as the widest (a long one cut in the middle to half
    of ``width``), AGE right-aligned, OBJECTS last, each line cut to ``width`` (0: no limit).
    ``header``: the column names as shown (the sorted one with its arrow)."""
    name_w = max(len(header[0]), *(len(r[0]) for r in rows)) if rows else len(header[0])
    age_w = max(len(header[1]), *(len(r[1]) for r in rows)) if rows else len(header[1])
    if width:
        name_w = min(name_w, max(NAME_LEAST, width // 2))
    out = []
    for name, age, objects in (header, *rows):
        line = f"{fit_middle(name, name_w):<{name_w}}  {age:>{age_w}}  {objects}".rstrip()
        out.append(line if not width or len(line) <= width else line[:width - 1] + "…")
    return out


def _read_summaries(entries: list[manifests.Entry]) -> list[str]:
    """What each file holds (a worker thread's: each file read and parsed)."""
    return [manifests.summary(e.path) for e in entries]


class DirScreen(FileList):
    BINDINGS = [Binding("enter", "open", "Goto", id="dir.open"),
                Binding("y", "view", "YAML", id="dir.yaml"),
                Binding("a", "apply", "Apply", id="dir.apply"),
                Binding("d", "delete", "Delete", id="dir.delete"),
                Binding("e", "edit", "Edit", id="dir.edit"),
                Binding("N", "sort('NAME')", "Sort Name", id="sort_name"),
                Binding("A", "sort('AGE')", "Sort Age", id="sort_age"),
                Binding("j", "cursor(1)", "Down", id="down"), Binding("k", "cursor(-1)", "Up", id="up"),
                Binding("escape,q", "back", "Back", id="back")]
    HELP_TITLE = "DIR"
    KEY_SCOPE = "dir"
    ID = "dir"
    kind_label = "Dir"

    def __init__(self, folder: Path, *, select: Path | None = None, now: float | None = None) -> None:
        super().__init__()
        self.folder = folder
        self.select = select
        self.now = now
        self.entries: list[manifests.Entry] = []
        self.rows: list[tuple[str, str, str]] = []
        self._summaries: dict[Path, tuple[float, str]] = {}  # path -> (its mtime, what it holds)
        self._reading: set[tuple[Path, float]] = set()  # (path, mtime) a worker is reading
        self.sort = ListSort()  # shift-n / shift-a (k9s's): by name or age, else folders first, by name

    def help_title(self) -> str:
        return "Help: dir"

    def reload(self) -> None:
        keep = self._selected()
        try:
            self.entries = self.sort.order(manifests.list_entries(self.folder), entry_sort_key)
        except K9pyError as err:
            self.entries = []
            self.flash(str(err), "error")
        self._set_rows()
        want = self.select or (keep.path if keep is not None else None)
        self.select = None
        paths = [e.path for e in self.entries]
        self.show(inert_line(f" dir({self.folder})[{len(self.entries)}] "), [str(p) for p in paths],
                  paths.index(want) if want in paths else 0)
        if not self.entries:
            self.flash(f"no folders or manifests (.yaml, .yml, .json) in {self.folder}")
        unread = [e for e in self.entries
                  if not e.is_dir and self._summary(e) is None and (e.path, e.mtime) not in self._reading]
        if unread:  # (reading 2,000 manifests takes seconds: the rows are up, the files read in a worker)
            self._reading.update((e.path, e.mtime) for e in unread)
            self.run_worker(self._read(unread), group="dir-read")

    def _set_rows(self) -> None:
        now = self.now if self.now is not None else time.time()
        self.rows = [(inert_line(e.path.name + ("/" if e.is_dir else "")), human_duration(max(0.0, now - e.mtime)),
                      "" if e.is_dir else self._summary(e) or "") for e in self.entries]

    def _summary(self, entry: manifests.Entry) -> str | None:
        """What the file holds, as read when it last changed (a reload comes back from every file
        opened, and with ctrl-r); None when it is still to read."""
        seen = self._summaries.get(entry.path)
        return seen[1] if seen is not None and seen[0] == entry.mtime else None

    async def _read(self, unread: list[manifests.Entry]) -> None:
        """What the ``unread`` files hold, read in a thread a batch at a time, the rows filled in
        as each batch comes (those of the files still listed as they were)."""
        for start in range(0, len(unread), READ_BATCH):
            batch = unread[start:start + READ_BATCH]
            read = await asyncio.to_thread(_read_summaries, batch)
            for e, text in zip(batch, read, strict=True):
                self._summaries[e.path] = (e.mtime, inert_line(text))
                self._reading.discard((e.path, e.mtime))
            self._set_rows()
            self.paint(self.options.highlighted or 0)

    def lay_out(self, width: int) -> list[str]:
        return row_lines(self.rows, width, self.sort.header(COLUMNS))

    def action_sort(self, col: str) -> None:
        """k9s's shift-n (and shift-a: k9py's dir has ages): sort by the column; again: the other way."""
        self.sort.toggle(col)
        self.reload()

    def _selected(self) -> manifests.Entry | None:
        i = self.selected_index()
        return self.entries[i] if i is not None else None

    def action_open(self) -> None:
        entry = self._selected()
        if entry is None:
            return
        if entry.is_dir:
            self.app.push_screen(DirScreen(entry.path, now=self.now))
        else:
            self.app.push_screen(FileViewer(entry.path))

    def action_view(self) -> None:
        entry = self._selected()
        if entry is not None and entry.is_dir:
            self.flash(f"{entry.path.name}/ is a folder: enter opens it")
        elif entry is not None:
            self.app.push_screen(FileViewer(entry.path))

    def offers(self, hint: Hint) -> bool:
        """Read-only: no apply, delete or edit offered (k9s binds none)."""
        return hint.action not in ("apply", "delete", "edit") or not self.session.read_only

    @property
    def session(self) -> Session:
        return cast(Any, self.app).session

    def _writable(self, what: str) -> bool:
        if self.session.read_only:
            self.flash(f"{what} refused: k9py is in read-only mode", "error")
            return False
        return True

    def _namespace(self) -> str:
        """Where an object without a namespace goes: the context's, as kubectl does."""
        return self.session.backend.context_namespace() or "default"

    def action_apply(self) -> None:
        entry = self._selected()
        if entry is None or not self._writable("Apply"):
            return
        backend, ns = self.session.backend, self._namespace()

        async def run() -> None:
            items = await asyncio.to_thread(manifests.read_manifests, entry.path, recursive=True)
            lines = await manifests.apply(backend, items, ns) if items else [f"error: no objects in {entry.path}"]
            self.app.push_screen(ResultViewer(f"Applied Manifest({entry.path.name})", lines))
        self.run_worker(run(), group="dir", exclusive=True)

    def action_delete(self) -> None:
        entry = self._selected()
        if entry is None or not self._writable("Delete"):
            return
        what = "folder" if entry.is_dir else "manifest"
        backend, ns = self.session.backend, self._namespace()

        async def run() -> None:
            items = await asyncio.to_thread(manifests.read_manifests, entry.path, recursive=True)
            lines = await manifests.delete(backend, items, ns) if items else [f"error: no objects in {entry.path}"]
            self.app.push_screen(ResultViewer(f"Deleted Manifest({entry.path.name})", lines))

        def answered(ok: bool | None) -> None:
            if ok:
                self.run_worker(run(), group="dir", exclusive=True)

        self.app.push_screen(ConfirmScreen("<Delete>", f"Delete the objects of the {what} {entry.path.name}?"),
                             answered)

    def action_edit(self) -> None:
        """The file itself in the user's editor (the app hands the terminal over meanwhile)."""
        from k9py.ui.screens.actions import edit_file

        entry = self._selected()
        if entry is None:
            return
        if entry.is_dir:
            self.flash(f"{entry.path.name}/ is a folder: you must select a manifest", "error")
            return
        try:
            edit_file(cast("K9pyApp", self.app), str(entry.path))
        except K9pyError as err:
            self.flash(str(err), "error")
        self.app.refresh()
        self.reload()
