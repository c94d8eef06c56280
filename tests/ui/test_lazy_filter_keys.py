"""`/` over many rows filters lazily (the rows on screen first, the rest between keys): what the
table shows in the end — cursor, scroll, title count, rows — is what a filter applied at once
shows, and the rows shown while it goes on are always the first ones of that."""

from textual import events
from textual.keys import _character_to_key
from textual.widgets import Static

from k9py.explorer import resource_view
from k9py.ui.screens.dialogs import DeleteDialog
from k9py.ui.widgets import resource_table
from k9py.view import filterscan
from k9py.view import rows as rows_mod
from tests.samples import add_pods, small_cluster
from tests.ui.conftest import sync


def _type(app, *keys):
    """Keys as the terminal driver sends them, back to back (no waits between them)."""
    for key in keys:
        char = key if len(key) == 1 else None
        event = events.Key(key if key.isalnum() or char is None else _character_to_key(key), char)
        event.set_sender(app)
        app._driver.send_message(event)


def _two_hundred_pods():
    cluster = small_cluster()
    add_pods(cluster, 200, namespaces=4)
    return cluster


async def _all_pods(app, pilot):
    """`:pods -A` shown; its table and row model."""
    assert app.run_command("pods -A")
    await sync(app, pilot)
    return app.table, app.model


async def _filter_typed(app, pilot, word):
    """``/`` and ``word`` typed back to back; returns once the filter is ``word``."""
    _type(app, "/", *word)
    for _ in range(100):
        if app.model.filter.text == word:
            break
        await pilot.pause()
    await pilot.pause()


async def _until_complete(app, pilot, seen, word):
    """Wait for the keys, then run the filter's slices one by one (the app's own are held back)."""
    m = app.model
    for _ in range(100):
        if m.filter.text == word:
            break
        await pilot.pause()
    for _ in range(1000):
        seen.append((word, tuple(m.visible_keys()), m.filtering))
        if not m.filtering:
            break
        app.navigator.current._filter_slice_run()  # a slice: tells the pane, which repaints
    await pilot.pause()
    assert not m.filtering


def _keys_session(drive):
    cluster = _two_hundred_pods()
    out, seen = [], []

    async def s(app, pilot, _cluster):
        t, _m = await _all_pods(app, pilot)
        for cursor, word in ((20, "app-0001"), (45, "load-01"), (3, "!app-00")):
            t.move_to(cursor)
            _type(app, "/", *word)
            await _until_complete(app, pilot, seen, word)
            out.append((word, t.cursor_key, t.cursor_index, round(t.scroll_y), app.title_text(), app.model.visible_keys()))
            _type(app, "escape")
            await pilot.pause()
        _type(app, "/", *"load-0", "enter", "G")  # the bottom: the last row of the complete filter
        await pilot.pause()
        out.append(("G", t.cursor_key, t.cursor_index))
        await _until_complete(app, pilot, seen, "load-0")
        out.append(("title", app.title_text()))

    drive(s, cluster=cluster)
    return out, seen


def test_a_lazy_filter_ends_as_a_filter_applied_at_once(drive, monkeypatch):
    monkeypatch.setattr(rows_mod, "LAZY_FILTER_MIN", 10**9)
    eager, _ = _keys_session(drive)
    monkeypatch.setattr(rows_mod, "LAZY_FILTER_MIN", 0)
    monkeypatch.setattr(filterscan, "STEP", 4)  # a few rows a step, a step a slice: it goes on over keys
    monkeypatch.setattr(resource_table, "ANSWER_SECONDS", 0.0)
    monkeypatch.setattr(resource_view, "FILTER_SLICE", 0.0)
    monkeypatch.setattr(resource_view, "FILTER_TELL", 0.0)
    monkeypatch.setattr(resource_view.ResourceView, "_next_filter_slice", lambda self: None)  # run by the test
    lazy, seen = _keys_session(drive)
    assert lazy == eager
    assert sum(pending for _, _, pending in seen) >= 10  # it did go on between keys
    complete = {word: keys for word, keys, pending in seen if not pending}
    for word, keys, pending in seen:  # while it went on: the first rows of the complete filter
        if pending:
            assert complete[word][:len(keys)] == keys, word



def test_a_lazy_filter_finished_by_its_own_key_scrolls_no_further_than_its_rows(drive, monkeypatch):
    monkeypatch.setattr(rows_mod, "LAZY_FILTER_MIN", 0)  # lazy, but the key's own look finishes it
    monkeypatch.setattr(resource_view.ResourceView, "_next_filter_slice", lambda self: None)
    cluster = _two_hundred_pods()

    async def s(app, pilot, _cluster):
        t, m = await _all_pods(app, pilot)
        await _filter_typed(app, pilot, "app-00012")
        assert not m.filtering and 0 < len(m) < t.page  # a few rows, all found by the key itself
        assert t.max_scroll_y == 0  # nothing below them to scroll to
        t.scroll_to(y=50, animate=False)
        await pilot.pause()
        assert round(t.scroll_y) == 0

    drive(s, cluster=cluster)


def test_a_new_filter_selects_its_first_row_and_clearing_it_keeps_the_row(drive, monkeypatch):
    """k9s: a filter typed selects its first row. Lazily, that row is found without testing the
    rows down to where the cursor was (at 100k rows, 30,000 rows' cells for one key); esc clears
    the filter and keeps the cursor on its row."""
    monkeypatch.setattr(rows_mod, "LAZY_FILTER_MIN", 0)
    monkeypatch.setattr(filterscan, "STEP", 4)
    monkeypatch.setattr(resource_table, "ANSWER_SECONDS", 0.0)
    monkeypatch.setattr(resource_view.ResourceView, "_next_filter_slice", lambda self: None)  # no slices
    cluster = _two_hundred_pods()

    async def s(app, pilot, _cluster):
        t, m = await _all_pods(app, pilot)
        t.move_to(150)
        await _filter_typed(app, pilot, "load")
        assert m.filtering and sum(r._text is not None for r in m.rows.values()) < 100
        assert (t.cursor_index, round(t.scroll_y)) == (0, 0)
        m.ensure(30)  # what the next slices would find
        t.model_changed()
        assert t.cursor_index == 0 and t.cursor_key == m.key_at(0) is not None
        t.move_to(5)
        picked = t.cursor_key
        _type(app, "escape")
        await pilot.pause()
        assert not m.filter and t.cursor_key == picked and t.cursor_index == m.index_of(picked) > 5
        await _filter_typed(app, pilot, "l")
        assert t.cursor_index == 0 and t.cursor_key == m.key_at(0) != picked

    drive(s, cluster=cluster)


def test_a_filter_key_lays_out_nothing_and_the_scrollable_height_follows_the_rows(drive):
    """Textual's virtual_size asks for a layout of the whole screen when it changes, and a filter
    key changes the row count; the table's box stays the same size, so its scrollable height is set
    without one (the table draws no scrollbar, as k9s's)."""
    async def s(app, pilot, _cluster):
        t, m = await _all_pods(app, pilot)
        _type(app, "/")
        await pilot.pause()
        counts = []
        for text in ("a", "app", "-f a", "!app-0001"):
            app.pane.apply_filter(text)  # what the app does with a key at the prompt
            m.finish_filter()
            t.model_changed()
            assert not t._layout_required and not app.screen._layout_required, text
            assert t.virtual_size.height == len(m) + 1 and t.max_scroll_y == max(len(m) + 1 - t.size.height, 0)
            counts.append(len(m))
        assert len(set(counts)) == len(counts) and min(counts) > t.page  # new counts, more rows than a page

    drive(s, cluster=_two_hundred_pods())


def test_a_new_filter_that_keeps_nothing_tells_a_following_pane_the_cursor_went(drive):
    """A split's log pane follows the cursor (CursorMoved): a new filter with no row moves it to
    no row, as before a new filter selected its first row."""
    async def s(app, pilot, _cluster):
        t, _m = await _all_pods(app, pilot)
        told = []
        post = t.post_message

        def recording(msg):
            if isinstance(msg, resource_table.ResourceTable.CursorMoved):
                told.append(msg.key)
            return post(msg)
        t.post_message = recording
        t.move_to(1)
        await pilot.pause()
        told.clear()
        app.pane.apply_filter("zzzz-no-such-row")
        await pilot.pause()
        assert t.cursor_key is None and told == [None]

    drive(s, cluster=_two_hundred_pods())


def test_a_key_typed_right_behind_a_filter_acts_on_the_row_it_puts_under_the_cursor(drive, monkeypatch):
    """`/name⏎` and ctrl-d typed in one burst (a terminal delivers them so): the delete is asked
    for the filter's first row even when the filter has not found it by the time the key comes.
    It was a key that did nothing, no dialog and no flash."""
    monkeypatch.setattr(rows_mod, "LAZY_FILTER_MIN", 0)
    monkeypatch.setattr(filterscan, "STEP", 4)
    monkeypatch.setattr(resource_table, "ANSWER_SECONDS", 0.0)  # a step per key: the row is far below
    monkeypatch.setattr(resource_view.ResourceView, "_next_filter_slice", lambda self: None)  # no slices
    cluster = _two_hundred_pods()

    async def s(app, pilot, _cluster):
        t, m = await _all_pods(app, pilot)
        last = m.visible_keys()[-1]
        await _filter_typed(app, pilot, last[1])
        assert m.filtering and len(m) == 0 and t.cursor_key is None  # not found yet
        _type(app, "enter", "ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, DeleteDialog)
        assert f"{last[0]}/{last[1]}?" in str(app.screen.query_one(".dialog-message", Static).render())
        assert t.cursor_key == last and m.key_at(0) == last

    drive(s, cluster=cluster)
