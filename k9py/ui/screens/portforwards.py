"""k9s's port-forward screens: the `shift-f` dialog (container port, local port, address) and
`:pf`, the session's active forwards with their traffic (`ctrl-d` stops one, `b` runs a
benchmark on one and `b` again cancels it, enter lists its benchmarks' reports)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from k9py.explorer.portforward import Forward, ForwardKey, PortSpec, default_local, listen_host, parse_ports
from k9py.kube.timefmt import human_duration
from k9py.ui import theme
from k9py.ui.plain import subject_title
from k9py.ui.screens.chrome import Chromed
from k9py.ui.screens.dialogs import ConfirmScreen, _Dialog, field
from k9py.ui.screens.filelist import fit_end, fit_middle
from k9py.ui.screens.help import Choices
from k9py.ui.screens.listsort import ListSort, natural
from k9py.view.inert import inert_line

if TYPE_CHECKING:
    from k9py.explorer.benchmark import Benchmarks
    from k9py.explorer.portforward import Forwards

Exposed = Mapping[str, Sequence[tuple[int, str, str]]]  # container -> [(port, name, protocol)]
COLUMNS = ("NAMESPACE", "NAME", "CONTAINER", "PORTS", "URL", "CONN", "ACTIVE", "IN", "OUT", "AGE", "BENCH")
REFRESH = 1.0  # seconds between repaints of the traffic


def first_port(exposed: Exposed, container: str | None) -> str:
    """The dialog's first container port, ``CONTAINER::PORT`` (k9s's spec); "" when none is exposed."""
    names = [container] if container else list(exposed)
    for name in names:
        for port, _, _ in exposed.get(name, ()):
            return f"{name}::{port}"
    return ""


def exposed_text(exposed: Exposed) -> list[str]:
    """k9s's "Exposed Ports" list, on one line: ``nginx::80/TCP, nginx::443 (https)/TCP``."""
    return [f"{name}::{port}{f' ({pname})' if pname else ''}/{proto}"
            for name, ports in exposed.items() for port, pname, proto in ports]


class PortForwardDialog(_Dialog):
    """Returns ``(specs, address)``; what is wrong in a field stays in the dialog's message."""

    def __init__(self, path: str, exposed: Exposed, container: str | None, address: str = "localhost") -> None:
        lines = exposed_text(exposed)
        message = path + ("\nExposed ports: " + ", ".join(lines) if len(lines) > 1 else "")
        if not lines:
            message += "\nThe pod declares no ports: type CONTAINER::PORT"
        super().__init__("<PortForward>", message)
        self.exposed = exposed
        self.container = container or next(iter(exposed), "")
        self.address = address

    def fields(self) -> ComposeResult:
        spec = first_port(self.exposed, self.container)
        local = ""
        if spec:
            local = str(default_local(int(spec.rpartition("::")[2])))
        yield Static("Container Port:", classes="field-label")
        yield field(spec, id="pf-container")
        yield Static("Local Port:", classes="field-label")
        yield field(local, id="pf-local", restrict=r"[0-9,]*")
        yield Static("Address:", classes="field-label")
        yield field(self.address, id="pf-address")

    def on_mount(self) -> None:
        box = self.query_one("#pf-container", Input)
        if not box.value:
            box.placeholder = "container::port"
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        """k9s: the local port follows the container port typed."""
        if event.input.id != "pf-container":
            return
        try:
            specs = parse_ports(event.value, "", self.exposed, self.container)
        except ValueError:
            return
        self.query_one("#pf-local", Input).value = ",".join(str(s.local) for s in specs)

    def result(self) -> tuple[list[PortSpec], str]:
        address = self.query_one("#pf-address", Input).value.strip() or "localhost"
        listen_host(address)  # ValueError: shown in the dialog
        local = self.query_one("#pf-local", Input).value
        if not all(w.strip() for w in local.split(",")):  # k9s's OK button: no port is guessed for a cleared field
            raise ValueError("container to local port mismatch: give a local port (0: any free one)")
        specs = parse_ports(self.query_one("#pf-container", Input).value, local, self.exposed, self.container)
        return specs, address


def _size(n: int) -> str:
    for unit, scale in (("Mi", 1 << 20), ("Ki", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f}{unit}"
    return str(n)


def bench_cell(benchmarks: Benchmarks | None, f: Forward) -> str:
    """The BENCH column: a running benchmark's progress (``37/200``), else nothing."""
    run = benchmarks.running(f.key) if benchmarks is not None else None
    if run is None:
        return ""
    return f"{run.load.done}/{run.load.spec.requests}"


def forward_cells(f: Forward, now: float, benchmarks: Benchmarks | None = None) -> tuple[str, ...]:
    t = f.snapshot()
    return (f.namespace, f.pod, f.container, f.ports, f.url, str(t.connections), str(t.active), _size(t.bytes_in),
            _size(t.bytes_out), human_duration(max(0.0, now - f.started)), bench_cell(benchmarks, f))


def sort_key(f: Forward, col: str) -> tuple:
    """What a forward sorts by in ``col`` (AGE: the youngest first, as the tables)."""
    ties = (f.namespace, f.pod, f.container, f.port)
    if col == "AGE":
        return (-f.started, *ties)
    if col == "PORTS":
        return (natural(f.ports), *ties)
    if col == "URL":
        return (natural(f.url), *ties)
    return (f.pod, f.namespace, f.container, f.port)  # NAME


NAME_MIN = 16  # a narrow screen shortens pod names to this before it drops columns
NARROW_DROPS = ("NAMESPACE", "ACTIVE")  # then these go, in this order
BENCH_DROPS = ("AGE", "IN", "OUT")  # and while a benchmark runs, these, so that its progress shows
NAME_LEAST = 10  # and names shorten again, down to this; what still does not fit is cut


def table_lines(rows: Sequence[tuple[str, ...]], width: int = 0, header: Sequence[str] = COLUMNS) -> list[str]:
    """The header and rows, every column as wide as its widest cell. When ``width`` (0: no limit)
    is too narrow, names are shortened first, then NAMESPACE and ACTIVE left out, so that the
    URL and the traffic stay on the screen. BENCH shows while a benchmark runs. ``header``: the
    column names as shown (the sorted one with its arrow)."""
    rows = [(*r, *("",) * (len(COLUMNS) - len(r))) for r in rows]
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(header)]
    bench = COLUMNS.index("BENCH")
    shown = [i for i in range(len(COLUMNS)) if i != bench or any(r[bench] for r in rows)]  # BENCH: while one runs

    def total() -> int:
        return sum(widths[i] for i in shown) + 2 * (len(shown) - 1)

    name = COLUMNS.index("NAME")

    def shorten_names(least: int) -> None:
        if width and total() > width:
            widths[name] = max(least, widths[name] - (total() - width))

    shorten_names(NAME_MIN)
    for col in NARROW_DROPS + (BENCH_DROPS if bench in shown else ()):
        if width and total() > width:
            shown.remove(COLUMNS.index(col))
    shorten_names(NAME_LEAST)
    def fit(cell: str, i: int) -> str:  # a name keeps its end: the pods of one deployment differ there
        return (fit_middle if i == name else fit_end)(cell, widths[i]).ljust(widths[i])

    lines = ["  ".join(fit(row[i], i) for i in shown).rstrip() for row in (tuple(header), *rows)]
    return [fit_end(line, width) for line in lines] if width else lines


class PortForwardsScreen(Chromed):
    BINDINGS = [Binding("b", "bench", "Benchmark Run/Stop", id="portforwards.bench"),
                Binding("enter", "benchmarks", "View Benchmarks", id="portforwards.benchmarks"),
                Binding("ctrl+d", "stop", "Delete", id="portforwards.delete"),
                Binding("N", "sort('NAME')", "Sort Name", id="sort_name"),
                Binding("A", "sort('AGE')", "Sort Age", id="sort_age"),
                Binding("P", "sort('PORTS')", "Sort Ports", id="portforwards.sort_ports"),
                Binding("U", "sort('URL')", "Sort URL", id="portforwards.sort_url"),
                Binding("j", "cursor(1)", "Down", id="down"), Binding("k", "cursor(-1)", "Up", id="up"),
                Binding("escape,q", "back", "Back", id="back")]
    HELP_TITLE = "PORT-FORWARDS"
    kind_label = "PortForwards"
    FLASH = "pf-flash"
    KEY_SCOPE = "portforwards"
    DEFAULT_CSS = """
    PortForwardsScreen { background: $k9-bg; }
    PortForwardsScreen #pf-box { height: 1fr; border: round $k9-border; border-title-align: center;
                                 border-title-color: $k9-title; border-title-style: bold; background: $k9-bg; }
    PortForwardsScreen #pf-header { height: 1; padding: 0 1; }
    PortForwardsScreen OptionList, PortForwardsScreen OptionList:focus { height: 1fr; border: none; background: $k9-bg; }
    PortForwardsScreen #pf-flash { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, forwards: Forwards, now: float | None = None, benchmarks: Benchmarks | None = None, *,
                 only: frozenset[tuple[str, str]] | None = None, label: str = "") -> None:
        """``only``: the (namespace, pod) whose forwards are listed (k9s's `f` on a row, ``label``
        naming it in the title); None: every forward."""
        super().__init__()
        self.forwards = forwards
        self.only, self.label = only, label
        self.benchmarks = benchmarks
        self.now = now  # tests: a fixed "now" for the ages
        self.shown: list[ForwardKey] = []
        self._keep_key: ForwardKey | None = None
        self.note = ""  # what the last stop said
        self._noted: str | None = None  # the note on the flash line
        self.sort = ListSort()  # shift-n/a/p/u (k9s's): the forwards' order, else their start's

    def help_title(self) -> str:
        return "Help: portforwards"

    def compose(self) -> ComposeResult:
        yield from self.chrome_top()
        with Vertical(id="pf-box"):
            yield Static(id="pf-header")
            yield Choices(id="pf-list")
        yield from self.chrome_crumbs()
        yield Static(id="pf-flash")

    @property
    def options(self) -> OptionList:
        return self.query_one("#pf-list", OptionList)

    def render_title(self) -> None:
        title = subject_title("portforwards", self.label or None, len(self.shown))
        self.query_one("#pf-box").border_title = title

    def on_mount(self) -> None:
        self.call_after_refresh(self.reload)  # once the list knows its width
        self.reload()
        self.options.focus()
        if self.now is None:
            self.set_interval(REFRESH, self.reload)

    def reload(self) -> None:
        now = self.now if self.now is not None else time.time()
        forwards = self.sort.order((f for f in self.forwards.list() if self.only is None or (f.namespace, f.pod) in self.only),
                                   sort_key)
        width = max(0, self.options.scrollable_content_region.width - 2)  # an option's padding
        lines = table_lines([forward_cells(f, now, self.benchmarks) for f in forwards], width, self.sort.header(COLUMNS))
        keys = [f.key for f in forwards]
        opts = self.options
        keep = opts.highlighted
        if self._keep_key is not None and self._keep_key in keys:  # a new order: the cursor stays on its forward
            keep = keys.index(self._keep_key)
        self._keep_key = None
        header = Text(lines[0], style=theme.style("table.header"), no_wrap=True, overflow="ellipsis")
        self.query_one("#pf-header", Static).update(header)
        opts.clear_options()
        for key, line in zip(keys, lines[1:], strict=True):
            opts.add_option(Option(Text(line, no_wrap=True, overflow="ellipsis"), id="/".join(map(str, key))))
        if keys:
            opts.highlighted = min(keep or 0, len(keys) - 1)
        self.shown = keys
        self.render_title()
        note = self.note
        if not note and not keys:
            label = self.user_keymap.label("port_forward") or "<shift-f>"
            note = f"no active port-forwards ({label[1:-1]} on a pod or container starts one)"
        if note != self._noted:  # (each repaint: what was flashed meanwhile stays until the note changes)
            self._noted = note
            self.query_one("#pf-flash", Static).update(Text(inert_line(note)))

    def on_resize(self) -> None:
        self.reload()

    def _selected(self) -> ForwardKey | None:
        i = self.options.highlighted
        return self.shown[i] if i is not None and 0 <= i < len(self.shown) else None

    def action_sort(self, col: str) -> None:
        """k9s's shift-n/a/p/u: sort by the column; again: the other way round."""
        self.sort.toggle(col)
        self._keep_key = self._selected()
        self.reload()

    def action_cursor(self, delta: int) -> None:
        if self.shown:
            i = self.options.highlighted or 0
            self.options.highlighted = max(0, min(len(self.shown) - 1, i + delta))

    def action_stop(self) -> None:
        key = self._selected()
        if key is None:
            return
        ns, pod, container, port = key

        def done(ok: bool | None) -> None:
            if not ok:
                return
            if self.benchmarks is not None:
                self.benchmarks.cancel(key)  # its port is going away
            stopped = self.forwards.stop(key)
            if stopped is not None:
                self.note = f"Stopped port-forward {ns}/{pod} {container}::{port} ({stopped.url})"
            self.reload()
            changed = getattr(self.app, "forwards_changed", None)
            if changed is not None:
                changed()

        self.app.push_screen(ConfirmScreen("<Delete>", f"Delete port-forward {ns}/{pod} {container}::{port}?"), done)

    def _forward(self) -> Forward | None:
        key = self._selected()
        return next((f for f in self.forwards.list() if f.key == key), None) if key is not None else None

    def action_bench(self) -> None:
        """k9s's `b`: a benchmark on the selected forward, or the running one canceled."""
        fwd = self._forward()
        pf = getattr(self.app, "port_forwards", None)
        if fwd is None or pf is None:
            return

        def ended(message: str, level: str) -> None:
            self.note = message
            if self.is_attached:
                self.reload()
            flash = getattr(self.app, "flash", None)
            if flash is not None and self.app.screen is not self:
                flash(message, level)

        self.note, _level = pf.bench(fwd, ended)
        self.reload()

    def action_benchmarks(self) -> None:
        """k9s's enter: the selected forward's benchmark reports."""
        fwd = self._forward()
        pf = getattr(self.app, "port_forwards", None)
        if fwd is None or pf is None:
            return
        from k9py.explorer.benchmark import file_name, forward_name
        from k9py.ui.screens.benchmarks import BenchmarksScreen
        prefix = file_name(fwd.namespace, forward_name(fwd.pod, fwd.container, fwd.local_port, fwd.port), 0)
        self.app.push_screen(BenchmarksScreen(pf.benchmarks_dir(), prefix=prefix.removesuffix("0.txt")))

    def action_back(self) -> None:
        self.dismiss(None)
