"""A full-screen list of the user's files: `:sd`'s screen dumps and `:dir`'s manifests. A titled box
holds a header line and one option a file, a flash line sits under it; `j`/`k` move, enter opens,
esc goes back, and the lines are laid out again when the width changes (names cut to fit)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from k9py.ui import theme
from k9py.ui.plain import named_title
from k9py.ui.screens.chrome import Chromed
from k9py.ui.screens.help import Choices

NAME_LEAST = 16  # a narrow screen shortens names down to this (in the middle: a dump's time stays)


def fit_end(text: str, width: int) -> str:
    """``text`` in ``width`` characters, its end cut off (``…``)."""
    return text if len(text) <= width else text[:max(0, width - 1)] + "…"


def fit_middle(text: str, width: int) -> str:
    """``text`` in ``width`` characters, its middle cut out (a dump's name ends with its time)."""
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head):]


class FileList(Chromed):
    """Subclasses read their files in ``reload`` (``show`` puts them up), lay them out for a width
    in ``lay_out`` (again, without reading, when the width changes) and open one in ``action_open``; ``ID`` names the list (its box, header and flash are ``ID-box`` ...)."""

    ID = "files"
    BINDINGS = [Binding("ctrl+r", "refresh", "Refresh", id="refresh")]
    KEYS_NOW = True  # keys only: they run in turn with the keys typed behind them (``K9pyApp.on_event``)
    DEFAULT_CSS = """
    FileList { background: $k9-bg; }
    FileList .files-box { height: 1fr; border: round $k9-border; border-title-align: center;
                          border-title-color: $k9-title; border-title-style: bold; background: $k9-bg; }
    FileList .files-header { height: 1; padding: 0 1; }
    FileList OptionList, FileList OptionList:focus { height: 1fr; border: none; background: $k9-bg; }
    FileList .files-flash { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.laid_out_for = -1  # the width the list was last laid out for
        self.count = 0  # the files listed
        self.ids: list[str] = []
        self.box_title = ""  # what `show` put up (the skin repaints it)

    def compose(self) -> ComposeResult:
        yield from self.chrome_top()
        with Vertical(id=f"{self.ID}-box", classes="files-box"):
            yield Static(id=f"{self.ID}-header", classes="files-header")
            yield Choices(id=self.ID)
        yield from self.chrome_crumbs()
        yield Static(id=f"{self.ID}-flash", classes="files-flash")

    @property
    def options(self) -> OptionList:
        return self.query_one(f"#{self.ID}", OptionList)

    def on_mount(self) -> None:
        self.reload()
        self.options.focus()

    def on_screen_resume(self) -> None:
        """Back from a file or a sub-folder: what changed meanwhile shows."""
        if self.laid_out_for >= 0:
            self.reload()

    def action_refresh(self) -> None:
        """ctrl-r (k9s's Refresh): list the files again."""
        self.flash("Refreshing...")
        self.reload()

    def on_resize(self) -> None:
        if self.width() != self.laid_out_for and self.count:  # what was read, laid out again: no I/O
            self.paint(self.options.highlighted or 0)

    def width(self) -> int:
        """The cells an option has: the list's, less an option's padding; before the first layout,
        the screen's less the box, the scroll bar and that padding."""
        region = self.options.scrollable_content_region.width
        return max(0, (region or self.app.size.width - 4) - 2)

    def reload(self) -> None:
        """Read the files again (``show``)."""

    def lay_out(self, width: int) -> list[str]:
        """The header and a line a file in ``width`` cells, from what ``reload`` read (no I/O)."""
        return [""]

    def render_title(self) -> None:
        self.query_one(f"#{self.ID}-box").border_title = named_title(self.box_title)

    def show(self, title: str, ids: list[str], highlight: int) -> None:
        """Put up the box's ``title`` and one option a file (``ids``: their paths, laid out by
        ``lay_out``), ``highlight`` the selected one."""
        self.box_title = title.strip()
        self.render_title()
        self.ids = ids
        self.paint(highlight)

    def paint(self, highlight: int) -> None:
        width = self.laid_out_for = self.width()
        header, *lines = self.lay_out(width)
        ids = self.ids
        self.query_one(f"#{self.ID}-header", Static).update(Text(header, style=theme.style("table.header"), no_wrap=True))
        options = self.options
        options.clear_options()
        for line, oid in zip(lines, ids, strict=True):
            options.add_option(Option(Text(line, no_wrap=True, overflow="ellipsis"), id=oid))
        self.count = len(lines)
        if lines:
            options.highlighted = max(0, min(highlight, len(lines) - 1))

    def flash_line(self) -> Static:
        return self.query_one(f"#{self.ID}-flash", Static)

    def selected_index(self) -> int | None:
        i = self.options.highlighted
        return i if i is not None and 0 <= i < self.count else None

    def action_cursor(self, delta: int) -> None:
        if self.count:
            i = self.options.highlighted or 0
            self.options.highlighted = max(0, min(self.count - 1, i + delta))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """Open the selected file."""

    def action_back(self) -> None:
        self.dismiss(None)
