"""`u` on a ConfigMap, Secret, ServiceAccount or PersistentVolumeClaim (k9s's UsedBy): the
workloads of its namespace whose pods refer to it, listed as k9s's references view lists them
(NAMESPACE, NAME, GVR); enter goes to the workload's view with the cursor on it, ctrl-r scans
again, esc comes back."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from k9py.backends.base import StatusError
from k9py.errors import K9pyError
from k9py.ui.screens.filelist import NAME_LEAST, FileList, fit_end
from k9py.ui.screens.listsort import ListSort
from k9py.view import references
from k9py.view.inert import inert_line
from k9py.view.kinds import BY_KIND, ViewKind, gvr_of

if TYPE_CHECKING:
    from k9py.explorer.session import Session
    from k9py.ui.app import K9pyApp
    from k9py.view.rows import Row

Ref = tuple[str, str, str]  # namespace, name, GVR
COLUMNS = ("NAMESPACE", "NAME", "GVR")
VIEW_OF = {gvr: BY_KIND[kind] for kind, gvr in references.SCANNED.items()}


async def scan(session: Session, kind: str, namespace: str, name: str) -> tuple[list[Ref], list[str]]:
    """The workloads of ``namespace`` referring to the ``kind`` named ``name``, and the kinds the
    user may not list there (a kind the server refuses or does not serve is passed by, as k9s's
    scanners pass by one that fails; a refusal is said, the answer being partial)."""
    denied: list[str] = []

    async def listed(wkind: str) -> list[Any]:
        try:
            return await session.backend.list(wkind, namespace)
        except StatusError as err:
            if err.code == 403:
                denied.append(wkind)
            return []
        except K9pyError:  # not served: that kind refers to nothing
            return []
    found = await asyncio.gather(*(listed(wkind) for wkind in references.SCANNED))  # side by side
    refs = references.used_by(kind, namespace, name, dict(zip(references.SCANNED, found, strict=True)))
    return refs, [BY_KIND[k].name for k in references.SCANNED if k in denied]


def denied_note(denied: list[str]) -> str:
    return f" (no access to {', '.join(denied)}: not scanned)" if denied else ""


def sort_key(ref: Ref, col: str) -> tuple[str, ...]:
    ns, name, gvr = ref
    return (gvr, ns, name) if col == "GVR" else (name, ns, gvr)


def ref_lines(refs: list[Ref], width: int = 0, header: tuple[str, ...] = COLUMNS) -> list[str]:
    """The header and a line a reference, in columns; NAME cut to what ``width`` leaves (0: no
    limit). ``header``: the column names as shown (the sorted one with its arrow)."""
    rows = [(inert_line(ns), inert_line(name), gvr) for ns, name, gvr in refs]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(header)]
    if width:
        widths[1] = max(NAME_LEAST, min(widths[1], width - widths[0] - widths[2] - 4))
    return [f"{fit_end(a, widths[0]):<{widths[0]}}  {fit_end(b, widths[1]):<{widths[1]}}  {c}".rstrip()
            for a, b, c in (header, *rows)]


class References(FileList):
    BINDINGS = [Binding("enter", "open", "Goto", id="references.goto"),
                Binding("N", "sort('NAME')", "Sort Name", id="sort_name"),
                Binding("V", "sort('GVR')", "Sort GVR", id="references.sort_gvr"),
                Binding("j", "cursor(1)", "Down", id="down"), Binding("k", "cursor(-1)", "Up", id="up"),
                Binding("escape,q", "back", "Back", id="back")]
    HELP_TITLE = "REFERENCES"
    KEY_SCOPE = "references"
    ID = "refs"
    kind_label = "References"

    def __init__(self, kind: str, namespace: str, name: str, refs: list[Ref], session: Session) -> None:
        super().__init__()
        self.of = (kind, namespace, name)  # what the workloads refer to
        self.session = session
        self.refs = refs
        self.denied: list[str] = []  # the workload kinds the user may not list (set by the opener)
        self.scanned = True  # ``refs`` came with the screen: the first reload shows them
        self.sort = ListSort()  # shift-n / shift-v (k9s's): by name or GVR, else as scanned

    def help_title(self) -> str:
        return "Help: references"

    def where(self) -> str:
        kind, ns, name = self.of
        return f"{gvr_of(kind)}::{ns}/{name}"

    def reload(self) -> None:
        if self.scanned:
            self.scanned = False
            self._show()
            return

        async def again() -> None:
            self.refs, self.denied = await scan(self.session, *self.of)
            if self.is_mounted:
                self._show()
        self.run_worker(again(), exclusive=True)

    def _show(self, keep_ref: Ref | None = None) -> None:
        keep = self.options.highlighted
        self.refs = self.sort.order(self.refs, sort_key)
        if keep_ref is not None and keep_ref in self.refs:
            keep = self.refs.index(keep_ref)
        self.show(f" references({self.where()})[{len(self.refs)}] ", [f"{ns}/{name}/{gvr}" for ns, name, gvr in self.refs],
                  keep or 0)
        if not self.refs:
            self.flash(f"No references found at this time for {self.where()}{denied_note(self.denied)}")
        elif self.denied:
            self.flash(denied_note(self.denied).strip(" ()"), "warn")

    def lay_out(self, width: int) -> list[str]:
        return ref_lines(self.refs, width, self.sort.header(COLUMNS))

    def action_sort(self, col: str) -> None:
        """k9s's shift-n / shift-v: sort by the column; again: the other way round."""
        i = self.selected_index()
        self.sort.toggle(col)
        self._show(self.refs[i] if i is not None else None)

    def action_open(self) -> None:
        """k9s's Goto: the workload's view, in its namespace, with the cursor on it."""
        i = self.selected_index()
        if i is None:
            return
        ns, name, gvr = self.refs[i]
        view = VIEW_OF[gvr]
        app: Any = self.app
        if not app.run_command(f"{view.name} {ns}"):
            return
        app.table.cursor_key = (ns, name)
        app.table.model_changed()
        self.dismiss(None)


def open_references(app: K9pyApp, view: ViewKind, row: Row) -> None:
    """Scan, then list what refers to the row's object (a flash when nothing does, as k9s)."""
    ns, name = row.key[0], row.key[1]
    session = app.session

    async def go() -> None:
        refs, denied = await scan(session, view.kind, ns, name)
        where = f"{gvr_of(view.kind)}::{ns}/{name}"
        if not refs:
            app.flash(f"No references found at this time for {where}. Check again later!{denied_note(denied)}", "warn")
            return
        app.flash(f"Viewing references for {where}{denied_note(denied)}")
        screen = References(view.kind, ns, name, refs, session)
        screen.denied = denied
        app.push_screen(screen)
    app.run_worker(go(), exclusive=False)
