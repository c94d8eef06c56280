"""An ExplorerPane paints one Navigator: the shown ResourceView's table, its title and the crumbs,
and owns the keys that act on it (row keys, sorts, drill-down, history, namespaces). Split panes
would hold several, each over its own Navigator."""

from __future__ import annotations

import csv
import io
import time
from typing import TYPE_CHECKING, cast

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Vertical

from k9py.errors import K9pyError
from k9py.explorer import keys as row_keys
from k9py.explorer.merged import MergedView
from k9py.explorer.navigator import Navigator, Outcome
from k9py.explorer.resource_view import Change, ResourceView
from k9py.ui import keyinput, keymap
from k9py.ui.plain import skin_title
from k9py.ui.widgets.resource_table import ResourceTable
from k9py.ui.widgets.status import Crumbs, Flash
from k9py.view.merged_rows import context_of
from k9py.view.rows import Row, RowModel

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp

LOADING_NOTICE_AFTER = 0.25  # seconds a view waits for its first list before it says so (no flash when quick)


class ExplorerPane(Vertical):
    DEFAULT_CSS = "ExplorerPane { height: 1fr; }"
    BINDINGS = keymap.pane_bindings()

    def __init__(self, navigator: Navigator, *, manual: bool = False, **kw: str) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.navigator = navigator
        self.manual = manual
        self.context_tag = ""  # the context shown, when panes show different ones (Splits.tag_contexts)
        self._shown_at = 0.0  # when the current view was shown (time.monotonic)
        self._title_shown = ""  # the table's border title, as last set
        navigator.on_show = self.show
        navigator.capture = self.capture
        keymap.install(self, keymap.pane_bindings(navigator.keymap))  # the user's keys (keymap.yaml)

    def compose(self) -> ComposeResult:
        table = ResourceTable(id="table")
        keymap.install(table, keymap.table_bindings(self.navigator.keymap))
        yield table
        yield Crumbs(id="crumbs")

    @property
    def host(self) -> K9pyApp:
        return cast("K9pyApp", self.app)

    @property
    def table(self) -> ResourceTable:
        return self.query_one("#table", ResourceTable)

    @property
    def has_table(self) -> bool:
        """False once the table is gone: as the app closes it goes before the pane, and a tick or
        an informer's flush may come between."""
        return bool(self.query("#table"))

    @property
    def current(self) -> ResourceView | None:
        return self.navigator.current

    @property
    def flash_line(self) -> Flash:
        return self.host.query_one("#flash", Flash)

    # -- painting -----------------------------------------------------------------------------------------
    def show(self, view: ResourceView) -> None:
        """The Navigator's top view changed: paint it with its saved cursor, scroll and marks."""
        assert view.model is not None
        self.flash_line.clear_problems()  # a failed command's error does not outlive the next view
        view.listener = self.on_view_change
        view.input_waiting = lambda: keyinput.input_waiting(self.app)  # a filter's slices end for a key
        view.tick()
        self.table.set_model(view.model, cursor=view.cursor, top=view.top)
        self.table.marked = view.marks
        if view.top:
            self.table.scroll_to(y=view.top, animate=False, force=True)
        if view.shows_pods and not self.manual:
            self.set_timer(0.3, self.host.poll_metrics)  # fresh figures for this scope
        self.render_title()
        self.query_one("#crumbs", Crumbs).show(self.navigator.stack)
        self._shown_at = time.monotonic()
        self.render_state()
        if view.loading():  # still waiting for its first list by then: say so
            self.set_timer(LOADING_NOTICE_AFTER, self._render_state_later)
        view.tell_loaded()

    def capture(self, view: ResourceView) -> None:
        view.cursor, view.top = self.table.cursor_key, self.table.scroll_y

    def on_view_change(self, view: ResourceView, change: Change) -> None:
        if change.error and view is self.current:
            self.host.flash(change.error, "error")
        if view is not self.current or not self.has_table:
            return
        if change.model and view.model is not None:  # loaded in a worker thread: the new model
            self.table.replace_model(view.model)
            self.table.marked = view.marks
        if change.sorted:
            self.flash_line.clear_from("sort")
        if change.rows:
            self.table.model_changed(arrived=not (change.sorted or change.model))
            self.render_title()
            if change.synced and not self.manual and view.model is not None:
                self._prime_later(view.model)
        if change.state:
            self.render_state()
            self.render_title()  # a merged view's title names the kinds refused (<no access: ...>)

    def _prime_later(self, m: RowModel) -> None:
        """Compute the remaining cells in idle slices so the first filter keystroke is quick."""
        def step() -> None:
            if self.current is None or self.current.model is not m:
                return
            if self.current.sorting:  # a worker thread sorts (and works out cells): its turn with the GIL
                self.set_timer(0.05, step)
                return
            if not m.prime(seconds=0.02, stop=keyinput.input_waiting(self.app)):
                self.set_timer(0.005, step)  # slices of ~20 ms (not 2000 rows: ~50 ms), ended by a key
        self.set_timer(0.05, step)

    def render_title(self) -> None:
        full_gvr = self.host.user.settings.ui.use_full_gvr_title  # k9s's ui.useFullGVRTitle
        parts = self.current.title_parts(full_gvr=full_gvr) if self.current else []
        if self.context_tag:  # panes on different contexts (`:ctx` in one of them)
            parts = [("", f"{self.context_tag}: "), *parts]
        parts = [("", " "), *parts, ("", " ")]
        text = "".join(part for _, part in parts)
        if text != self._title_shown:  # setting it repaints the whole table, even unchanged
            self._title_shown = text
            self.table.border_title = skin_title(parts)  # names are never markup; k9s's colours

    def restyle(self) -> None:
        """A skin was applied: the title in its colours."""
        self._title_shown = ""
        if self.has_table:
            self.render_title()

    def _render_state_later(self) -> None:
        if self.has_table:  # (the app may be closing)
            self.render_state()

    def render_state(self) -> None:
        stale, message = self.current.condition() if self.current else (False, None)
        waited = time.monotonic() - self._shown_at >= LOADING_NOTICE_AFTER
        notice = self.current.loading() if self.current and waited else None
        self.table.set_condition(stale=stale, message=message, notice=notice)
        self.host.render_header()

    def tick(self) -> None:
        """The clock moved: ages follow it. Only the lines whose cells changed are painted again
        (an age past 10 minutes moves once a minute): none, most seconds."""
        if self.current is not None and self.has_table:
            table = self.table
            before = table.on_screen()
            self.current.tick()
            if self.current.apply_forwards():  # a forward stopped or started elsewhere (`:pf`)
                table.model_changed()
            else:
                table.clock_moved(before)

    def clear_deltas(self) -> None:
        """The deltas of the last changes fade (nothing to paint when none is shown)."""
        m = self.current.model if self.current is not None else None
        if m is not None and m.clear_deltas():
            self.table.refresh()

    def apply_filter(self, text: str, *, final: bool = False) -> None:
        """``text`` as the filter (at each key of the prompt); ``final``: submitted or cleared,
        the columns measured again for the rows it keeps."""
        if self.current is None:
            return
        m = self.current.model
        before = m.filter.text if m is not None else ""
        error = self.current.set_filter(text, lazy=True)
        if error:
            self.host.flash(error, "error", source="filter")
        else:  # the filter parses again: its error goes
            self.flash_line.clear_from("filter")
        if m is not None and m.filter and m.filter.text != before:
            self.table.select_first_row()  # k9s: a new filter selects its first row (cleared: the row stays)
        self.table.model_changed()
        if final:
            self.table.refit_columns()
        self.render_title()

    # -- keys -----------------------------------------------------------------------------------------------
    def _go(self, out: Outcome, key: tuple[str, str] | None = None) -> None:
        self.host.outcome(out)
        if key is not None:
            self.table.cursor_key = key
            self.table.model_changed()

    def action_sort(self, col: str) -> None:
        cur = self.current
        if cur is not None:
            col = keymap.sort_column(cur.scope.view, col)  # (history: shift-n sorts REVISION)
        if cur is not None and not cur.sort_by(col):
            self.host.flash(f"no {col} column in this view", "warn")
        elif cur is not None and cur.sorting and cur.model is not None:
            self.host.flash(f"sorting {cur.model.total:,} rows by {cur.sorting}…", source="sort")
        if self.table.selected_col is not None:  # k9s: a sort key's column is the selection again
            self.table.selected_col = None
            self.table.refresh_line(0)
        self.table.model_changed()

    def action_scroll_cols(self, delta: int) -> None:
        """k9s's h / l where the view has no row key on them: the table's left / right."""
        self.table.action_scroll_cols(delta)

    def action_select_column(self, delta: int) -> None:
        """k9s's shift-left / shift-right: the column shift-o sorts by."""
        self.table.select_column(delta)

    def action_sort_selected(self) -> None:
        """k9s's shift-o: sort by the selected column (again: the other way round)."""
        col = self.table.selected_column()
        if col is not None:
            self.action_sort(col)  # (which gives the selection back to the sort column, as k9s)

    def action_wide(self) -> None:
        if self.current is not None and self.current.model is not None:
            self.current.toggle_wide()
            self.table.set_model(self.current.model, cursor=self.table.cursor_key)
            self.table.marked = self.current.marks

    def action_refresh(self) -> None:
        """k9s's ctrl-r: the view lists its objects again."""
        if self.current is not None and self.current.refresh():
            self.host.flash("Refreshing...", source="refresh")

    def action_faults(self) -> None:
        self._go(self.navigator.toggle_faults())

    def action_favorite(self, n: int) -> None:
        self._go(self.navigator.favorite(n))

    def action_history_back(self) -> None:
        self._go(self.navigator.history_back())

    def action_history_forward(self) -> None:
        self._go(self.navigator.history_forward())

    def action_history_last(self) -> None:
        self._go(self.navigator.history_last())

    def action_drill(self) -> None:
        self._go(self.navigator.drill(self.table.cursor_row))

    def action_owner(self) -> None:
        self._go(*self.navigator.owner(self.table.cursor_row))

    def action_verb(self, verb_id: str) -> None:
        """A row verb's key (describe, delete, scale, ...). A verb this view's rows do not have
        skips: the key's next binding (`s`: shell, scale, suspend) gets its turn."""
        cur = self.current
        if cur is None:
            raise SkipAction()
        if verb_id not in cur.scope.view.verbs:
            if isinstance(cur, MergedView) and verb_id in cur.withheld:  # said, not silently nothing
                row = self.table.cursor_row
                where = f"`:ctx {context_of(row)}`" if row is not None else "`:ctx`"
                self.host.flash(f"{row_keys.VERBS[verb_id].description}: the rows of several contexts are "
                                f"read-only; {where} to act on them", "warn")
                return
            raise SkipAction()
        self.perform(row_keys.VERBS[verb_id])

    def perform(self, verb: row_keys.Verb) -> None:
        """Do ``verb`` on the row under the cursor (or the marked rows), if it may be done."""
        cur, row = self.current, self.table.cursor_row
        if cur is None:
            return
        if not row_keys.allowed(verb, self.navigator.session.read_only):
            self.host.flash(f"{verb.description} refused: k9py is in read-only mode", "warn")
        elif verb.id == "show_node":
            self._go(*self.navigator.show_node(row))
        elif verb.id == "replicasets":
            self._go(self.navigator.replicasets(row))
        elif verb.id == "warp":
            self._go(*self.navigator.warp(row))
        elif verb.id == "use" and row is not None:
            self._go(self.navigator.use_namespace(row.key[1]))
            self.host.render_header()
        elif verb.id == "decode" and row is not None:
            self.decode(cur, row)
        else:
            from k9py.ui.screens import actions  # lazily: its dialogs are not needed for the first frame

            actions.perform(self.host, verb.id, cur, row)

    def decode(self, view: ResourceView, row: Row) -> None:
        """`x` on a Secret: k9s's Secret Decoder, its data decoded (the screen's own `x` masks it again)."""
        from k9py.ui.screens.yaml_view import SecretDecoderScreen

        ns, name = row.key
        self.host.push_screen(SecretDecoderScreen(view.scope.view.kind, ns, name, row.obj,
                                                  session=self.navigator.session))

    def action_save(self) -> None:
        """`ctrl-s`: the table as shown (filtered, sorted, its cells) to a CSV file, as k9s saves
        a screen dump; `:screendump` lists it."""
        from k9py.ui.screens.viewer import default_save_dir, save_text

        cur, m = self.current, self.table.model
        if cur is None or m is None:
            return
        session = self.navigator.session
        if session.present is not None:  # the past: its history as a Recording (an incident report)
            from k9py.ui import timetravel

            timetravel.save(self.host)
            return
        stem = f"{cur.scope.view.name}-{cur.namespace or 'all'}"
        try:
            info = session.info()
            path = save_text(default_save_dir(self.host), info.context, stem, ".csv", table_csv(m), session.now(),
                             cluster=info.cluster)
        except K9pyError as err:
            self.host.flash(f"save failed: {err}", "error")
            return
        self.host.flash(f"Saved {path}")


def table_csv(m: RowModel) -> str:
    """The rows ``m`` shows, in its order, as CSV: the column names, then each row's cells as the
    table shows them (names exactly as the cluster spells them)."""
    m.finish_filter()  # a lazy filter still going on: every row it keeps
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in m.columns])
    for i in range(len(m)):
        row = m.row_at(i)
        if row is not None:
            writer.writerow(m.cells(row))
    return out.getvalue()
