"""Issue 10, Layout: every screen usable at 80×24 (and the extra width used at 220). The header
keeps one line per row and drops what does not fit (logo, then menu columns from the right, then
the favourites); dialogs are overlays over a visible table, compact enough for 80×24, with
checkboxes that say their state in their glyph; the delete prompt reads like English."""

from __future__ import annotations

import asyncio
import io
import re

import pytest
from rich.console import Console

from k9py.backends.sim import SimBackend
from k9py.ui.app import K9pyApp
from k9py.ui.screens.dialogs import ConfirmScreen, DeleteDialog, DrainDialog, ImageDialog, NamePicker, ScaleScreen
from k9py.ui.screens.help import HelpScreen
from k9py.ui.widgets.header import LOGO
from tests.ui.conftest import table_lines
from tests.ui.simcluster import _SIMS, command, goto, settle, sim_cluster

NARROW, WIDE, WIDEST = (80, 24), (160, 45), (220, 60)
SIZES = pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x45"])


def run_at(size, scenario, cluster=None, **kw):
    cluster = cluster or sim_cluster()

    async def main():
        sim = SimBackend(cluster)
        app = K9pyApp(sim, manual=True, **kw)
        _SIMS[app] = sim  # settle() reaches the simulator behind a read-only app
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await app.refresh_metrics()
            await settle(app, pilot)
            await scenario(app, pilot, cluster)
    asyncio.run(main())


def screen_lines(app) -> list[str]:
    """The terminal as the user sees it, every screen of the stack composed (plain text)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text().split("\n")[:height]


def header_lines(app) -> list[str]:
    return str(app.query_one("#header").render()).split("\n")


def painted(widget) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.size.height)]


# -- the header -------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [NARROW, WIDE, WIDEST], ids=["80x24", "160x45", "220x60"])
def test_every_header_row_is_one_line(size):
    width, height = size

    async def s(app, pilot, cluster):
        header = app.query_one("#header")
        lines = header_lines(app)
        rows = 7 if height < 30 else 8  # a short terminal: CPU and MEM share a row
        assert len(lines) == rows == header.size.height
        assert all(len(line) <= width for line in lines)
        # what is painted is those lines, one terminal row each (nothing wrapped)
        assert [p.rstrip() for p in painted(header)] == [line.rstrip() for line in lines]
        text = "\n".join(lines)
        for label in ("Context:", "Cluster:", "User:", "K9py Rev:", "K8s Rev:", "Backend:", "sim (connected)"):
            assert label in text
        assert ("CPU/MEM:" in text) if height < 30 else ("CPU:" in text and "MEM:" in text)
        assert "<0>" in text and "<enter>" in text  # favourites and the menu's first column
        logo = LOGO[1].strip() in text
        assert logo == (width >= 160)  # the logo goes first
        assert ("<shift-i>" in text) == (width >= 220)  # the extra width: more menu columns
        # the table keeps its rows: at 80×24 at least ten
        assert app.table.page >= (10 if height < 30 else 30)
    run_at(size, s)


def test_header_drops_menu_columns_from_the_right_then_favourites():
    async def s(app, pilot, cluster):
        header = app.query_one("#header")
        session, nav = app.session, app.navigator
        replay = []
        seen = []
        for width in (160, 120, 90, 80, 70, 60, 40):
            text = str(header.text(session, nav, width, replay, 24))
            assert all(len(line) <= width for line in text.split("\n"))
            seen.append(text)
        assert "<i>" in seen[1] and "<i>" not in seen[3]  # the second menu column went before the first
        assert "<enter>" in seen[4] and "<enter>" not in seen[5] and "<0>" in seen[5]
        assert "<0>" not in seen[6] and "Context:" in seen[6]  # then the favourites
    run_at(NARROW, s)


@SIZES
def test_readonly_and_connection_state_do_not_shift_the_menu(size):
    width, _ = size

    async def s(app, pilot, cluster):
        def menu_x():
            lines = header_lines(app)
            x = lines[0].index("<enter>")
            assert all(len(line) > x and line[x] == "<" for line in lines[:6]), lines  # one column
            return x

        shown = menu_x()
        assert "[readonly]" in "\n".join(header_lines(app))
        app.session.connection = lambda cache: ("reconnecting", "dial tcp 10.0.0.1:6443: connect: connection refused")
        app.render_header()
        await pilot.pause()
        lines = header_lines(app)
        assert "sim (reconnecting) [readonly]" in lines[5]
        assert menu_x() == shown
        assert all(len(line) <= width for line in lines)
        if width >= 160:  # room beside the menu: the error where the logo ends
            assert "reconnecting: dial tcp" in "\n".join(lines[5:])
    run_at(size, s, readonly=True)


def test_ctrl_e_toggles_the_header_at_80x24():
    async def s(app, pilot, cluster):
        page = app.table.page
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert not app.query_one("#header").display and app.table.page == page + 7
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert app.query_one("#header").display and app.table.page == page
    run_at(NARROW, s)


def test_help_fits_and_scrolls_at_80x24():
    async def s(app, pilot, cluster):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert all(len(line) <= 80 for line in screen_lines(app))
        scroller = app.screen.scroller
        await pilot.press("G")
        assert scroller.scroll_y > 0 and scroller.scroll_y == scroller.max_scroll_y
        await pilot.press("g")
        assert scroller.scroll_y == 0
        await pilot.press("j")
        assert scroller.scroll_y == 1
        await pilot.press("ctrl+f")
        assert scroller.scroll_y > 1
    run_at(NARROW, s)


# -- dialogs ----------------------------------------------------------------------------------------
DIALOGS = {  # how the explorer opens each: (view, row, key), the dialog's class
    "scale": (("deploy", "nginx-deployment", "s"), ScaleScreen),
    "image": (("deploy", "nginx-deployment", "i"), ImageDialog),
    "restart": (("deploy", "nginx-deployment", "r"), ConfirmScreen),
    "delete": (("pods", "counter", "ctrl+d"), DeleteDialog),
    "trigger": (("cj", "hello", "t"), ConfirmScreen),  # (ctrl-k kills at once: no dialog)
    "drain": (("no", "minikube", "r"), DrainDialog),
    "picker": (("pods", "web", "s"), NamePicker),
}


@SIZES
@pytest.mark.parametrize("name", list(DIALOGS))
def test_dialogs_are_overlays_over_the_table_and_fit(name, size):
    (view, row, key), cls = DIALOGS[name]
    width, height = size

    async def s(app, pilot, cluster):
        await command(app, pilot, view)
        await goto(app, pilot, row)
        await pilot.press(key)
        await settle(app, pilot)
        dialog = app.screen
        assert type(dialog) is cls
        assert dialog.styles.background.a < 1  # translucent: the table shows through
        box = dialog.query_one(".dialog, .picker")
        region = box.region
        assert region.x >= 0 and region.y >= 0 and region.right <= width and region.bottom <= height
        assert box.virtual_size.height <= region.height  # everything fits, nothing to scroll
        lines = screen_lines(app)
        assert all(len(line) <= width for line in lines)
        outside = [line for y, line in enumerate(lines) if not region.y <= y < region.bottom]
        outside += [line[:region.x] + line[region.right:] for line in lines[region.y:region.bottom]]
        assert "".join(outside).strip()  # what is behind the dialog is still there
        for item in dialog.query("#key-menu"):  # its keys are all shown
            assert len(item.shown()) == len(item.hints)
    run_at(size, s)


def test_a_dialog_too_tall_for_a_small_terminal_keeps_its_question_in_sight():
    """At 50x12 the delete dialog cannot hold its fields: they scroll (its Cancel has the focus,
    at the bottom) and the question stays on screen, what is about to be deleted."""
    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert any("Delete pod default/counter?" in line for line in screen_lines(app)), screen_lines(app)
        box = app.screen.query_one(".dialog")
        assert box.virtual_size.height > box.region.height  # (it does scroll)
    run_at((50, 12), s)


def test_the_table_shows_through_a_dialog():
    """Set image used to blank the screen: the table's rows stay visible around the dialog."""
    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        await pilot.press("i")
        await settle(app, pilot)
        assert isinstance(app.screen, ImageDialog)
        text = "\n".join(screen_lines(app))
        assert "Context:" in text and "<deployments>" in text  # the header and the crumbs around it
    run_at(NARROW, s)


def test_checkboxes_show_their_state_in_their_glyph():
    async def s(app, pilot, cluster):
        await command(app, pilot, "no")
        await pilot.press("r")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, DrainDialog)
        ignore, force = dialog.query_one("#ignore-daemonsets"), dialog.query_one("#force")
        assert str(ignore.render()).startswith("[ ]") and str(force.render()).startswith("[ ]")  # (k9s's)
        force.focus()
        await pilot.press("space")
        await pilot.pause()
        assert force.value and str(force.render()).startswith("[x]")
        lines = screen_lines(app)
        assert any(re.search(r"\[x\] +Force", line) for line in lines), lines
        await pilot.press("escape")
    run_at(NARROW, s)


def test_the_delete_prompt_reads_like_english():
    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert str(app.screen.query_one(".dialog-message").render()) == "Delete pod default/counter?"
        await pilot.press("escape")
        await settle(app, pilot)
        await goto(app, pilot, "counter")
        await pilot.press("space", "j", "space")  # counter and the row after it
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert str(app.screen.query_one(".dialog-message").render()) == "Delete 2 marked pods?"
        await pilot.press("escape")
    run_at(WIDE, s)


def test_wide_characters_in_the_header_keep_its_columns():
    """A favourite namespace or a cluster name in wide characters (日本: two cells each) pads by
    cells: the menu columns start where they do on every other row, no row is wider than asked."""
    from rich.cells import cell_len

    from k9py.ui.widgets.header import Facts, layout
    from k9py.ui.widgets.menu import Hint

    left = [("Context:", "kind-日本語のクラスタ"), ("Cluster:", "c"), ("User:", "u"), ("K9py Rev:", "v0"),
            ("K8s Rev:", "v1"), ("Backend:", "sim")]
    hints = [Hint("<d>", "Describe"), Hint("<y>", "YAML"), Hint("<l>", "Logs"), Hint("<e>", "編集\tplugin")]
    f = Facts(left, "1%", "2%", 22, ["default", "日本", "とても長い名前空間の名前です"], hints, [], "connected", None)
    lines = [line.plain for line in layout(f, 100, 24)]
    assert all(cell_len(line) <= 100 for line in lines)
    starts = [cell_len(line[:line.index("<")]) for line in lines if "<" in line]
    assert len(starts) == 4 and len(set(starts)) == 1, lines  # the favourites' column lines up
    seconds = [cell_len(line[:line.index("<", line.index(">"))]) for line in lines if line.count("<") == 2]
    assert len(seconds) >= 4 and len(set(seconds)) == 1, lines  # and so does the menu's
    assert "<3> とても長い名前…  <e> 編集" in lines[3]  # cut to its cells, with an ellipsis


def test_a_flash_wider_than_the_screen_ends_with_an_ellipsis():
    async def s(app, pilot, cluster):
        message = "port-forward default/nginx-deployment-7f4d79f7d7-7zd6r: cannot listen on localhost:80: permission denied"
        app.flash(message, "error")
        await pilot.pause()
        [line] = painted(app.query_one("#flash"))
        assert line.rstrip().endswith("…") and line.startswith("port-forward default/nginx-deployment")
        assert len(line.rstrip()) <= 80
    run_at(NARROW, s)


def test_menu_columns_measure_the_text_as_drawn():
    """A plugin's description with a tab (drawn as one cell, like every control character) or wide
    characters: the next column starts at the same cell on every row."""
    from rich.cells import cell_len

    from k9py.ui.widgets.menu import Hint, menu_lines

    hints = [Hint("<a>", "tab\there"), Hint("<b>", "日本"), Hint("<c>", "plain"), Hint("<d>", "next"),
             Hint("<e>", "column"), Hint("<f>", "here")]
    lines = [line.plain for line in menu_lines(hints, 80, 3)]
    starts = {cell_len(line[:line.index("<", 3)]) for line in lines}
    assert len(starts) == 1, lines


def test_a_short_terminal_hides_the_header_so_the_table_has_rows():
    """40x10: the header (8 rows) left the table no row; below 16 rows it hides, ctrl-e shows it,
    and a taller terminal brings it back."""
    import asyncio

    from k9py.backends.sim import SimBackend
    from k9py.ui.app import K9pyApp
    from tests.samples import small_cluster

    async def main():
        app = K9pyApp(SimBackend(small_cluster()), manual=True)
        async with app.run_test(size=(40, 10)) as pilot:
            await app.pump()
            await pilot.pause()
            header = app.query_one("#header")
            assert not header.display and app.table.size.height >= 5
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            assert header.display
            await pilot.resize_terminal(40, 10)
            await pilot.pause()
            assert not header.display
            await pilot.press("ctrl+e")
            await pilot.pause()
            assert header.display  # the user's choice stands
    asyncio.run(main())


def test_right_and_left_scroll_a_whole_column_at_80_columns():
    """At 80 columns the pods table is wider than the screen: each right puts the next column at
    the left edge whole, after the table's one-cell margin (it scrolled 8 characters, NAME cut
    and blank), as k9s's (tview's) table; up to the last column in sight; left goes back."""
    async def s(app, pilot, cluster):
        first = table_lines(app)[0]
        columns = [c.name for c in app.model.columns]
        assert first.split()[0] == "NAME↑" and app.table.content_width > app.table.size.width
        seen = [first]
        for _ in range(len(columns)):
            await pilot.press("right")
            await pilot.pause()
            line = table_lines(app)[0]
            if line == seen[-1]:
                break
            head = line.split()[0]
            assert head in columns and columns.index(head) == columns.index(seen[-1].split()[0].rstrip("↑↓")) + 1
            assert line[0] == " " and (line[1] != " " or app.model.columns[columns.index(head)].numeric), line
            seen.append(line)
        assert len(seen) > 2 and seen[-1].split()[-1] == columns[-1]  # the last column in sight, whole
        for line in reversed(seen[:-1]):
            await pilot.press("left")
            await pilot.pause()
            assert table_lines(app)[0] == line
    run_at((80, 24), s)
