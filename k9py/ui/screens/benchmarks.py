"""`:benchmarks` / `:be` (and enter on a `:pf` row, for that forward's): the reports `b` on a
port-forward saved, newest first, with k9s's columns (``render/benchmark.go``): enter or `d`
views one, `ctrl-d` deletes it, esc goes back."""

from __future__ import annotations

import time
from pathlib import Path

from rich.text import Text
from textual.binding import Binding

from k9py.explorer.benchmark import Report, list_reports, read_report
from k9py.kube.timefmt import human_duration
from k9py.ui.screens.dialogs import ConfirmScreen
from k9py.ui.screens.filelist import FileList, fit_end, fit_middle
from k9py.ui.screens.listsort import ListSort
from k9py.ui.screens.viewer import ViewerScreen
from k9py.view.inert import inert_line

COLUMNS = ("NAMESPACE", "NAME", "STATUS", "TIME", "REQ/S", "2XX", "4XX/5XX", "REPORT", "AGE")
RIGHT = {"REQ/S", "2XX", "4XX/5XX"}  # k9s aligns these right
REPORT_LEAST = 16  # a narrow screen cuts the report's name (in the middle) down to this
NAME_MIN, NAME_LEAST = 16, 10  # and pod names to this, then (NAMESPACE and REPORT gone) to that


def thousands(n: int) -> str:
    return f"{n:,}"


def report_cells(r: Report, now: float) -> tuple[str, ...]:
    return (inert_line(r.namespace), inert_line(r.name), r.status, r.time, r.rps, thousands(r.ok),
            thousands(r.errors), inert_line(r.file), human_duration(max(0.0, now - r.mtime)))


def report_sort_key(r: Report, col: str) -> tuple:
    if col == "AGE":  # the youngest first
        return (-r.mtime, r.file)
    if col == "STATUS":
        return (r.status, r.namespace, r.name, -r.mtime)
    return (r.name, r.namespace, -r.mtime)  # NAME


def report_lines(rows: list[tuple[str, ...]], width: int = 0, header: tuple[str, ...] = COLUMNS) -> list[str]:
    """The header and the rows, each column as wide as its widest cell. When ``width`` (0: no
    limit) is too narrow the figures stay: the report's name is cut in the middle (its time stays)
    and the pod's name shortened, then NAMESPACE and REPORT left out, then names shortened again.
    ``header``: the column names as shown (the sorted one with its arrow)."""
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(header)]
    shown = list(range(len(COLUMNS)))
    name, rep = COLUMNS.index("NAME"), COLUMNS.index("REPORT")
    natural = widths[name]

    def over() -> int:
        return sum(widths[i] for i in shown) + 2 * (len(shown) - 1) - width if width else 0

    for col, least in ((rep, REPORT_LEAST), (name, NAME_MIN)):
        if over() > 0:
            widths[col] = max(least, widths[col] - over())
    for col in (COLUMNS.index("NAMESPACE"), rep):
        if over() > 0:
            shown.remove(col)
    if rep not in shown and over() < 0:  # the room REPORT left: the names back, as far as they go
        widths[name] = min(natural, widths[name] - over())
    if over() > 0:
        widths[name] = max(NAME_LEAST, widths[name] - over())
    out = []
    for row in (header, *rows):
        cells = []
        for i in shown:
            cell = fit_middle(row[i], widths[i]) if i == rep else fit_end(row[i], widths[i])
            cells.append(cell.rjust(widths[i]) if COLUMNS[i] in RIGHT else cell.ljust(widths[i]))
        line = "  ".join(cells).rstrip()
        out.append(fit_end(line, width) if width else line)
    return out


class ReportViewer(ViewerScreen):
    kind_label = "Results"

    def __init__(self, report: Report) -> None:
        super().__init__(f"{report.namespace}/{report.name}")
        self.path = report.path

    def content(self) -> list[str]:
        try:
            return [inert_line(line.expandtabs()) for line in read_report(self.path).split("\n")]
        except OSError as err:
            return [f"cannot read {self.path}: {err.strerror or err}"]

    def style_line(self, line: str) -> Text:
        return Text(line)


class BenchmarksScreen(FileList):
    BINDINGS = [Binding("enter,d", "open", "View", id="benchmarks.open"),
                Binding("ctrl+d", "delete", "Delete", id="benchmarks.delete"),
                Binding("N", "sort('NAME')", "Sort Name", id="sort_name"),
                Binding("A", "sort('AGE')", "Sort Age", id="sort_age"),
                Binding("S", "sort('STATUS')", "Sort Status", id="sort_status"),
                Binding("j", "cursor(1)", "Down", id="down"), Binding("k", "cursor(-1)", "Up", id="up"),
                Binding("escape,q", "back", "Back", id="back")]
    HELP_TITLE = "BENCHMARKS"
    KEY_SCOPE = "benchmarks"
    ID = "benches"
    kind_label = "Benchmarks"

    def __init__(self, folder: Path, prefix: str = "", now: float | None = None) -> None:
        super().__init__()
        self.folder = folder
        self.prefix = prefix  # one forward's reports (enter on a :pf row); "": every one
        self.now = now
        self.reports: list[Report] = []
        self.rows: list[tuple[str, ...]] = []
        self.note = ""  # what the last delete said (kept as the list is read again)
        self.sort = ListSort("AGE")  # k9s's: the newest first; shift-n / shift-a / shift-s sort

    def help_title(self) -> str:
        return "Help: benchmarks"

    def reload(self, keep_path: Path | None = None) -> None:
        keep = self.options.highlighted
        self.reports = self.sort.order(list_reports(self.folder, self.prefix), report_sort_key)
        paths = [r.path for r in self.reports]
        if keep_path is not None and keep_path in paths:
            keep = paths.index(keep_path)
        now = self.now if self.now is not None else time.time()
        self.rows = [report_cells(r, now) for r in self.reports]
        self.show(f" benchmarks[{len(self.reports)}] ", [str(r.path) for r in self.reports], keep or 0)
        if self.note:
            self.flash(self.note)
        elif not self.reports:
            self.flash(inert_line(f"no benchmarks in {self.folder} yet (b on a :pf port-forward runs one)"))
        else:
            self.flash(inert_line(str(self.folder)))

    def lay_out(self, width: int) -> list[str]:
        return report_lines(self.rows, width, self.sort.header(COLUMNS))

    def action_sort(self, col: str) -> None:
        """k9s's shift-n / shift-a / shift-s: sort by the column; again: the other way round."""
        report = self._selected()
        self.sort.toggle(col)
        self.reload(report.path if report is not None else None)

    def _selected(self) -> Report | None:
        i = self.selected_index()
        return self.reports[i] if i is not None else None

    def action_open(self) -> None:
        report = self._selected()
        if report is not None:
            self.app.push_screen(ReportViewer(report))

    def action_delete(self) -> None:
        report = self._selected()
        if report is None:
            return

        def done(ok: bool | None) -> None:
            if not ok:
                return
            try:
                report.path.unlink()
            except OSError as err:
                self.flash(inert_line(f"cannot delete {report.path}: {err.strerror or err}"), "error")
                return
            self.note = inert_line(f"Deleted {report.file}")
            self.reload()

        self.app.push_screen(ConfirmScreen("<Delete>", f"Delete benchmark {report.file}?"), done)
