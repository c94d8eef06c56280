"""The virtual resource table: a Line API widget that paints only the rows on screen.

Line 0 is the column header (fixed); line y ≥ 1 shows row ``scroll_y + y - 1`` of the row model.
The cursor is an object key, so it survives inserts, deletes and re-sorts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from k9py.ui import keymap, theme
from k9py.view.inert import inert_line
from k9py.view.rows import Key, Row, RowModel


def cells_of(text: str) -> int:
    """The terminal cells ``text`` takes once made inert: CJK and emoji take two each (a column
    padded by characters pushed the next ones over on such a row)."""
    return len(text) if text.isascii() else cell_len(inert_line(text))

# the skin's row colours by the model's word for a row (k9s's status colours), read when painting
STYLES = theme.Styles("row", ("", "new", "add", "mod", "err", "pending", "completed", "del"))
GAP = 2
ANSWER_SECONDS = 0.008  # a lazy filter's rows found within this answer a change; the rest follow in slices
MEASURE_ALL = 300  # rows up to which every row sets the widths, as k9s's (not only the page on screen)


class OnScreen(NamedTuple):
    """What the table's screen showed at some moment: whether its lines were painted as things
    were then (``current``), where its window was (``top``), the cells of its lines
    (``ResourceTable.visible_cells``; None when not asked for or no rows shown)."""

    current: bool
    top: int
    cells: list[tuple[str, ...] | None] | None


class ResourceTable(ScrollView, can_focus=True, inherit_bindings=False):
    """k9s's cursor keys (``keymap.NAVIGATION``) and marks; the view's other keys are the app's."""

    DEFAULT_CSS = """
    ResourceTable { scrollbar-size-vertical: 0; scrollbar-size-horizontal: 0; }  /* k9s draws none: the last column keeps its place */
    """
    BINDINGS: ClassVar[list[BindingType]] = keymap.table_bindings()  # k9s's; the pane installs the user's

    class CursorMoved(Message):
        def __init__(self, table: ResourceTable, key: Key | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> ResourceTable:
            return self.table

    def __init__(self, model: RowModel | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.model: RowModel | None = None
        self.cursor_key: Key | None = None
        self._cursor_index = 0  # where the cursor was; used when its object goes away
        self._first_key: Key | None = None  # the first row's object when last changed (the cursor on it stays first)
        self._to_first_row = False  # select_first_row: the next model_changed puts the cursor there
        # the object a new view's cursor goes to once its first rows come (the past, `:ctx`:
        # the view opens again over a cache still listing); never a target while no row shows it
        self._awaited: Key | None = None
        self._awaited_top: float = 0
        self.marked: set[Key] = set()
        self._widths: list[int] = []
        self._measured: tuple[RowModel, int] | None = None  # the model and version whose every row set the widths
        self.paints = 0  # render_line calls (benchmarks, tests)
        self.painted_model: RowModel | None = None  # the model whose rows were last painted
        self._painted: dict[int, tuple[Row, object, str]] = {}  # line -> (row, its object, delta) painted
        self._frame: tuple[object, ...] = ()  # _frame_now() when those lines were painted
        self.stale = False  # the watch is down: the rows are the last known ones, greyed
        self.message: str | None = None  # shown instead of the rows ("access denied: ...")
        self.notice: str | None = None  # shown while there is no row ("loading events…")
        self.selected_col: str | None = None  # shift-left/right's column (None: the sort column)
        if model is not None:
            self.set_model(model)

    # -- model -------------------------------------------------------------------------------
    def set_model(self, model: RowModel, cursor: Key | None = None, top: float = 0) -> None:
        """Show ``model``, the cursor on ``cursor`` (once a row shows it: the model may still be
        listing), its line ``top`` lines down when that keeps it on screen."""
        if model is not self.model:
            self.selected_col = None  # a new view's selection: its sort column
        self.model = model
        self.cursor_key = cursor
        self._awaited, self._awaited_top = cursor, top
        self._cursor_index = 0  # a new view starts at the top unless its cursor object is there
        self.marked = set()
        self._widths, self._measured = self._header_widths(model), None
        self.scroll_to(0, 0, animate=False)
        self.model_changed(anchor=False)

    def replace_model(self, model: RowModel) -> None:
        """``model`` takes the shown one's place in the same view (loaded in a worker thread): the
        cursor stays on its object, or still awaits the one it was to go to."""
        if self._awaited is None:  # the cursor's object, at the line it is on now
            self.set_model(model, cursor=self.cursor_key, top=self.scroll_y)
        else:  # still to come: where it was to go
            self.set_model(model, cursor=self._awaited, top=self._awaited_top)

    def model_changed(self, anchor: bool = True, *, arrived: bool = False) -> None:
        """The model's rows changed: keep the cursor on its object (or at its old row if the
        object went away), resize, repaint. With ``anchor`` the cursor also keeps its line on
        screen: rows coming and going above it scroll the window with it, so nothing jumps.
        ``arrived``: the cluster's changes (a watch's), not a filter or a sort; with the window
        at the top, what came above shows there (k9s's), the cursor on the first row keeping
        the row."""
        m = self.model
        if m is None:
            return
        if len(self._widths) != len(m.columns):
            self._widths, self._measured = self._header_widths(m), None
        elif m.sort_col:  # the sort arrow needs a cell
            i = m.col_index(m.sort_col)
            if i is not None and self._widths[i] < len(m.sort_col) + 1:
                self._widths[i] = len(m.sort_col) + 1
        old = self._cursor_index
        offset = old - round(self.scroll_y)
        height = len(m)
        first, self._to_first_row = self._to_first_row, False
        if m.filtering:  # a lazy filter goes on: where the cursor goes (exactly), then the window's rows
            m.ensure_cursor(None if first else self.cursor_key, old)
            need = max(round(self.scroll_y) + self.page, old + 1) + self.page
            m.ensure(need, seconds=ANSWER_SECONDS)  # the rest follows in slices, row by row as found
            if m.filtering:  # no scrolling clamped to the rows known so far (all known: the real height)
                height = max(len(m), need)
        idx = None if first else m.index_of(self.cursor_key)
        awaited, restore_top = self._awaited, None
        if len(m):
            self._awaited = None
            if awaited is not None and not first:
                if idx is None:
                    idx = m.index_of(awaited)
                    if idx is not None:
                        self.post_message(self.CursorMoved(self, awaited))
                        self.cursor_key = awaited
                if idx is not None and self.cursor_key == awaited:
                    # where it was on screen, as near as this window's height lets it be
                    restore_top = max(idx - self.page + 1, min(round(self._awaited_top), idx), 0)
        at_top = arrived and round(self.scroll_y) == 0
        if anchor and at_top and old == 0 and idx and restore_top is None and not m.filtering \
                and self.cursor_key == self._first_key:
            idx = None  # on the first row, the window at the top: the cursor keeps the row (k9s's), on what came
        if idx is None:
            idx = min(old, max(0, len(m) - 1))
            key = m.key_at(idx)
            if key != self.cursor_key:  # its object went (or the first rows came): a split's log pane follows
                self.post_message(self.CursorMoved(self, key))
            self.cursor_key = key
        self._cursor_index = idx
        self._first_key = m.key_at(0) if len(m) else None
        self._set_height(height + 1)
        if restore_top is not None:
            self.scroll_to(y=restore_top, animate=False, force=True)
        elif anchor and idx != old and 0 <= offset < self.page and not at_top:
            # (at the top the window stays there: what comes above the cursor shows, as in k9s)
            self.scroll_to(y=max(0, idx - offset), animate=False, force=True)
        self._keep_cursor_visible()
        if anchor and idx == old and self._frame == self._frame_now():
            self._refresh_changed_lines()
        else:
            self.refresh()

    # -- what was painted: repaint only the lines a change touched ------------------------------
    def _frame_now(self) -> tuple[object, ...]:
        """What every line's look depends on besides its row (a change: repaint them all)."""
        m = self.model
        if m is None:
            return ()
        return (id(m), m.metrics_version, int(m.now), m.sort_col, m.sort_asc, len(m.columns), self.cursor_key,
                round(self.scroll_y), round(self.scroll_x), tuple(self._widths), self.stale, self.message, self.notice,
                self.size)

    def _refresh_changed_lines(self) -> None:
        """Repaint the lines on screen whose row, object or colour changed since they were
        painted; nothing when a change touched no row on screen."""
        m = self.model
        if m is None:
            return
        top = round(self.scroll_y)
        painted = self._painted
        for y in range(1, self.page + 1):
            row = m.row_at(top + y - 1)
            now = (row, row.obj, row.delta) if row is not None else None
            was = painted.get(y)
            if now is None and was is None:
                continue
            if was is None or now is None or was[0] is not now[0] or was[1] is not now[1] or was[2] != now[2]:
                self.refresh_line(top + y)

    # -- the clock: repaint only the lines whose cells it changed -------------------------------
    def visible_cells(self) -> list[tuple[str, ...] | None] | None:
        """The cells of each line on screen below the header (None: no row there); None when
        no rows are shown (a message instead)."""
        m = self.model
        if m is None or self.message is not None:
            return None
        top = round(self.scroll_y)
        return [None if (row := m.row_at(i)) is None else m.cells(row) for i in range(top, top + self.page)]

    def on_screen(self, *, cells: bool = True) -> OnScreen:
        """What the screen shows now (with its lines' ``cells``: for ``clock_moved``)."""
        return OnScreen(self._frame == self._frame_now(), round(self.scroll_y), self.visible_cells() if cells else None)

    def clock_moved(self, before: OnScreen) -> None:
        """The model's clock moved since ``before``: repaint the lines whose cells it changed (an
        age that shows seconds, a restart's "(5s ago)"), nothing else."""
        after = self.visible_cells()
        if before.cells is None or after is None or len(after) != len(before.cells):
            self.refresh()
        else:
            self._repaint_lines(before, [y for y, (was, now) in enumerate(zip(before.cells, after, strict=True), start=1)
                                         if was != now])

    def _repaint_lines(self, before: OnScreen, lines: Iterable[int]) -> None:
        """Repaint only these screen lines: the others stand for what changed since ``before``,
        if the lines on screen were current then and the window has not moved; else every line."""
        if not before.current or round(self.scroll_y) != before.top:
            self.refresh()
            return
        self._frame = self._frame_now()
        for y in lines:
            self._painted.pop(y, None)
            self.refresh_line(before.top + y)

    def set_condition(self, *, stale: bool, message: str | None, notice: str | None = None) -> None:
        """Grey the rows as stale, or show ``message`` in place of the rows; ``notice`` is shown
        while there is no row to show."""
        if stale != self.stale or message != self.message or notice != self.notice:
            self.stale, self.message, self.notice = stale, message, notice
            self.refresh()

    @staticmethod
    def _header_widths(m: RowModel) -> list[int]:
        """Column widths before any row is painted: the names (+1 for the sort arrow)."""
        return [cells_of(c.name) + (1 if c.name == m.sort_col else 0) for c in m.columns]

    @property
    def content_width(self) -> int:
        """The scrollable width: the columns, then the blank that lets `right` bring the last
        columns to the left edge whole (tview's table leaves the blank on the right, never a
        column cut on the left)."""
        width = 1 + sum(w + GAP for w in self._widths)
        return width if width <= self.size.width else max(width, self._last_start(width) + self.size.width)

    def _last_start(self, width: int) -> int:
        """The furthest ``scroll_x`` sideways scrolling goes: the first column start from which
        the columns left fit the view (0: they all do)."""
        view, x = self.size.width, 0
        for w in self._widths:
            if width - x <= view:
                return x
            x += w + GAP
        return x - self._widths[-1] - GAP if self._widths else 0

    def action_scroll_cols(self, delta: int) -> None:
        """left / right: a whole column at a time, as k9s's (tview's) table scrolls; the column
        at the left edge starts after the table's one-cell margin, as the first does."""
        x, starts, at = round(self.scroll_x), [], 0
        for w in self._widths:
            starts.append(at)
            at += w + GAP
        if delta > 0:
            limit = self._last_start(1 + at)
            to = min(next((s for s in starts if s > x), x), max(x, limit))
        else:
            to = next((s for s in reversed(starts) if s < x), 0)
        self.scroll_to(x=to, animate=False, force=True)

    @property
    def cursor_index(self) -> int:
        return self._cursor_index

    @property
    def cursor_row(self) -> Row | None:
        """The row a key acts on. While a lazy filter goes on and has not found the cursor's
        row yet (a key typed right behind the filter's), the filter goes on until it has: the
        key acts on the row the complete filter puts under the cursor, not on none."""
        m = self.model
        if m is None:
            return None
        if self.cursor_key is None and m.filtering:
            m.ensure(self._cursor_index + 1)
            self.model_changed()
        elif self.cursor_key is None and len(m):  # rows came that the table has not taken yet (a
            self.model_changed()  # key typed ahead of them): the cursor goes on the first now
        return None if self.cursor_key is None else m.rows.get(self.cursor_key)

    # -- moving ------------------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor_index + delta)

    def action_page(self, delta: int) -> None:
        self.move_to(self.cursor_index + delta * self.page)

    def action_top(self) -> None:
        self.move_to(0)

    def action_bottom(self) -> None:
        if self.model is not None:
            self._ensure(self.model, None)
            self.move_to(len(self.model) - 1)

    def action_mark(self) -> None:
        """`space`: mark or unmark the cursor's row (``marked`` is the shown view's set). The
        cursor stays on it, as in k9s: `space j space` marks two neighbours."""
        if self.cursor_key is not None:
            self.marked.symmetric_difference_update({self.cursor_key})
            self.refresh()

    def action_mark_range(self) -> None:
        """`ctrl-space`, k9s's span mark: mark every row from the nearest marked row above the
        cursor (else below it) to the cursor's row."""
        m = self.model
        if m is None or self.cursor_key is None or not self.marked:
            return
        self._ensure(m, None)
        here = self._cursor_index
        above = (i for i in range(here - 1, -1, -1) if m.key_at(i) in self.marked)
        below = (i for i in range(here + 1, len(m)) if m.key_at(i) in self.marked)
        other = next(above, None)
        if other is None:
            other = next(below, None)
        if other is None:
            return
        for i in range(min(here, other), max(here, other) + 1):
            key = m.key_at(i)
            if key is not None:
                self.marked.add(key)
        self.refresh()

    def action_clear_marks(self) -> None:
        """`ctrl-\\`: unmark every row."""
        self.marked.clear()
        self.refresh()

    def select_first_row(self) -> None:
        """The cursor to the first row (placed by the next ``model_changed``); no row is looked
        for here: a lazy filter finds the first one without scanning down to where the cursor was."""
        self._to_first_row = True
        self._cursor_index = 0
        self.scroll_to(y=0, animate=False, force=True)

    def move_to(self, index: int) -> None:
        m = self.model
        if m is None:
            return
        if m.filtering:
            cursor_was = self._cursor_index
            self._ensure(m, index + self.page + 1, self.cursor_key)
            at = m.index_of(self.cursor_key)
            if at is not None and at != cursor_was:  # rows changed meanwhile came in above: move from where it is
                index += at - cursor_was
        if len(m) == 0:
            return
        index = max(0, min(len(m) - 1, index))
        was, before = self._cursor_index, self.on_screen(cells=False)
        self._cursor_index = index
        key = m.key_at(index)
        if key != self.cursor_key:
            self.cursor_key = key
            self.post_message(self.CursorMoved(self, key))
        self._keep_cursor_visible()
        # only the cursor's old line and its new one look different (a key held down repainted
        # the whole table at every step)
        self._repaint_lines(before, {row - before.top + 1 for row in (was, index)})

    def _ensure(self, m: RowModel, count: int | None, key: Key | None = None) -> None:
        """A lazy filter going on: the first ``count`` rows known (None: every row) and ``key``'s
        place, the scrollable height following them."""
        if not m.filtering:
            return
        if count is None:
            m.finish_filter()
        else:
            m.ensure(count, key)
        self._set_height(len(m) + 1)

    def _set_height(self, lines: int) -> None:
        """The scrollable height: the header and the rows. Textual's ``virtual_size`` asks for
        a layout of the whole screen when it changes, and a filter key changes the row count:
        ~15 ms of layout a key for a box whose size stays. Only the scroll range needs to know."""
        size = Size(self.content_width, lines)
        if size == self.virtual_size:
            return
        if size.width != self.virtual_size.width or not self.container_size:
            self.virtual_size = size  # a new width or not laid out yet: Textual lays out anyway
            return
        self.set_reactive(ResourceTable.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

    @property
    def page(self) -> int:
        return max(1, self.size.height - 1)

    def _keep_cursor_visible(self) -> None:
        top = round(self.scroll_y)
        rows = self.page
        i = self._cursor_index
        if i < top:
            self.scroll_to(y=i, animate=False, force=True)
        elif i >= top + rows:
            self.scroll_to(y=i - rows + 1, animate=False, force=True)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_to(round(self.scroll_y) + event.y - 1)

    def on_resize(self, event: events.Resize) -> None:
        self._keep_cursor_visible()
        if self.model is not None:  # the blank past the last column is the view's width
            self._set_height(len(self.model) + 1)

    # -- painting ----------------------------------------------------------------------------
    def refit_columns(self) -> None:
        """Measure the columns afresh over the rows now shown (a filter submitted or cleared, as
        k9s's: `/web` keeps no column as wide as the names it hides, and the columns after NAME
        come back on an 80-column screen). Not at each filter key: a new width asks for a layout."""
        m = self.model
        if m is None:
            return
        self._widths, self._measured = self._header_widths(m), None
        self._widths_grew()

    def _widths_grew(self) -> None:
        if self.model is not None:
            self.virtual_size = Size(self.content_width, len(self.model) + 1)
        self.refresh()

    def _fit(self, strip: Strip, width: int, style: Style) -> Strip:
        x = round(self.scroll_x)
        if x:
            strip = strip.crop(x, x + width)
        return strip.adjust_cell_length(width, style)

    def _line_for(self, cells: tuple[str, ...] | list[str], style: Style, width: int) -> Strip:
        """One row: numbers right-aligned, as k9s does, the rest left-aligned."""
        segs = [Segment(" ", style)]
        last = len(cells) - 1
        right = self._right
        for i, cell in enumerate(cells):
            cell = inert_line(cell)  # cluster content never drives the terminal
            pad = (self._widths[i] if i < len(self._widths) else 0) - (len(cell) if cell.isascii() else cell_len(cell))
            if i in right:
                cell, pad = " " * pad + cell, 0
            segs.append(Segment(cell if i == last else cell + " " * (pad + GAP), style))
        return self._fit(Strip(segs), width, style)

    @property
    def _right(self) -> set[int]:
        m = self.model
        if m is None:
            return set()
        if getattr(self, "_right_for", None) is not m.columns:
            self._right_for = m.columns
            self._right_cols = {i for i, c in enumerate(m.columns) if c.numeric}
        return self._right_cols

    def render_lines(self, crop: Region) -> list[Strip]:
        self._measure_page()
        return super().render_lines(crop)

    def _measure_page(self) -> None:
        """Widen the columns for the rows on screen before any line is painted (the only place
        widths grow), so the header and every row line up in the same frame. Measured while
        painting, the header and the rows above the widest cell came out narrower for a frame:
        one that showed when rows first came in from a cluster whose simulator kept the CPU
        busy. Lines painted before a widening stay as they are: the repaint
        ``_widths_grew`` asks for lines them up."""
        m = self.model
        if m is None or self.message is not None:
            return
        widths = self._widths
        top = round(self.scroll_y)
        grew = False
        # a few hundred rows: all of them once a change of rows (``version``), so scrolling down to
        # a longer name moves no column (k9s measures every row); between changes, and for more
        # rows or a filter still running, the page on screen (a frame formats no row off screen)
        every = not m.filtering and len(m) <= MEASURE_ALL and self._measured != (m, m.version)
        if every:
            self._measured = (m, m.version)
        for index in range(0, len(m)) if every else range(top, top + self.page):
            row = m.row_at(index)
            if row is None:
                break
            for i, c in enumerate(m.cells(row)):
                if i < len(widths) and len(c) > widths[i] // 2 and (n := cells_of(c)) > widths[i]:
                    widths[i] = n
                    grew = True
        if grew:  # the scrollable width follows
            self.call_later(self._widths_grew)

    def render_line(self, y: int) -> Strip:
        bg = theme.style("table.bg")  # the skin's table background (none: the terminal's)
        strip = self._paint_line(y)
        return strip.apply_style(bg) if bg else strip

    def _paint_line(self, y: int) -> Strip:
        self.paints += 1
        width = self.size.width
        m = self.model
        if m is None:
            return Strip.blank(width)
        if y == 0:
            return self._header(width)
        if self.message is not None:
            if y == 1:
                return Strip([Segment(" " + inert_line(self.message), theme.style("table.denied"))]).adjust_cell_length(width)
            return Strip.blank(width)
        if y == 1 and self.notice is not None and not len(m):
            return Strip([Segment(" " + inert_line(self.notice), theme.style("table.notice"))]).adjust_cell_length(width)
        index = round(self.scroll_y) + y - 1
        row = m.row_at(index)
        frame = self._frame_now()
        if frame != self._frame:  # a new frame: what the lines showed before is no guide
            self._frame = frame
            self._painted = {}
        if row is None:
            self._painted.pop(y, None)
            return Strip.blank(width)
        self._painted[y] = (row, row.obj, row.delta)
        cells = m.cells(row)  # (measured already: ``_measure_page``)
        self.painted_model = m
        if row.key == self.cursor_key:
            marked = "table.marked_cursor" if row.key in self.marked else "table.cursor"
            style = theme.style("table.stale_cursor" if self.stale else marked)
        elif self.stale:
            style = theme.style("table.stale")
        elif row.key in self.marked:
            style = theme.style("table.marked")
        else:
            style = STYLES.get(m.style(row), STYLES[""])
        return self._line_for(cells, style, width)

    def selected_column(self) -> str | None:
        """The column shift-o sorts: the one shift-left/right moved to, else the sort column
        (k9s's column selection)."""
        m = self.model
        if m is None:
            return None
        names = [c.name for c in m.columns]
        if self.selected_col in names:
            return self.selected_col
        return m.sort_col if m.sort_col in names else (names[0] if names else None)

    def select_column(self, delta: int) -> None:
        """shift-left / shift-right: the selection one column over (round at the ends, as k9s)."""
        m = self.model
        names = [c.name for c in m.columns] if m is not None else []
        if not names:
            return
        now = self.selected_column()
        i = names.index(now) if now in names else 0
        self.selected_col = names[(i + delta) % len(names)]
        self.refresh_line(0)

    def _header(self, width: int) -> Strip:
        m = self.model
        assert m is not None
        header = theme.style("table.header")
        segs = [Segment(" ", header)]
        last = len(m.columns) - 1
        right = self._right
        selected = self.selected_column()
        for i, col in enumerate(m.columns):
            name = inert_line(col.name)  # a CRD's printer column names it: never obeyed by the terminal
            # k9s's columnIndicator: the selected column's name (shift-o sorts it) in
            # selectedSortColumnColor, the sort's arrow in sorterColor
            style = theme.style("table.selected") if col.name == selected else header
            arrow = ("↑" if m.sort_asc else "↓") if col.name == m.sort_col else ""
            pad = (self._widths[i] if i < len(self._widths) else 0) - cells_of(name + arrow)
            if i in right:
                segs.append(Segment(" " * pad, header))
                pad = 0
            segs.append(Segment(name, style))
            if arrow:
                segs.append(Segment(arrow, theme.style("table.sorter")))
            if i != last:
                segs.append(Segment(" " * (pad + GAP), header))
        return self._fit(Strip(segs), width, header)
