"""The table repaints only the lines a change touched: nothing for a change to a row off screen,
the one line of a row on screen (issue 14: paint only what changed)."""

from __future__ import annotations

import asyncio

from k9py.backends.sim import SimBackend
from k9py.ui import theme
from k9py.ui.app import K9pyApp
from tests.samples import add_pods, small_cluster


def _bump(cluster, key, restarts):
    def change(p):
        p["status"]["containerStatuses"][0]["restartCount"] = restarts
    cluster.store.mutate("Pod", key[0], key[1], change)



def spy_paints(table) -> list[int]:
    """The table lines painted from now on, in order."""
    painted: list[int] = []
    paint_line = table._paint_line

    def spy(y):
        painted.append(y)
        return paint_line(y)
    table._paint_line = spy
    return painted


def on_pods(scenario) -> None:
    """Run ``await scenario(app, pilot, cluster)`` on `:pods -A` over 127 pods, at 100×24."""
    cluster = small_cluster()
    add_pods(cluster, 120, namespaces=2)

    async def main():
        app = K9pyApp(SimBackend(cluster), manual=True, view="pods", namespace="")
        async with app.run_test(size=(100, 24)) as pilot:
            for _ in range(3):
                await app.pump()
                await pilot.pause()
            await scenario(app, pilot, cluster)
    asyncio.run(main())


def test_a_change_repaints_only_its_line_and_nothing_off_screen():
    async def scenario(app, pilot, cluster):
        table, m = app.table, app.model
        assert len(m) > table.page + 5
        painted = spy_paints(table)

        _bump(cluster, m.key_at(len(m) - 1), 41)  # the last row: off screen
        await app.pump()
        await pilot.pause()
        assert painted == []

        key = m.key_at(3)  # on screen, line 4 (line 0 is the header)
        _bump(cluster, key, 42)
        await app.pump()
        await pilot.pause()
        assert 4 in painted and len(set(painted)) == 1
        restarts = m.col_index("RESTARTS")
        assert m.cells(m.rows[key])[restarts] == "42"

        painted.clear()
        await pilot.press("j")  # the cursor moves: the lines follow it
        await pilot.pause()
        assert len(set(painted)) > 1
    on_pods(scenario)


def test_the_first_frame_with_rows_has_the_header_lined_up_with_them():
    """Widths grow with what is painted. Measured line by line, the header (painted first) kept
    the names' widths for the frame in which the first rows came, and lined up only in the next
    one (which a busy simulator can delay by a second): the rows on screen are measured first."""
    cluster = small_cluster()
    add_pods(cluster, 0, namespaces=1, prefix="late")  # the namespace, empty for now

    async def main():
        app = K9pyApp(SimBackend(cluster), manual=True, view="pods", namespace="late-00")
        async with app.run_test(size=(120, 24)) as pilot:
            await app.pump()
            await pilot.pause()
            table = app.table
            assert len(app.model) == 0
            frames: list[tuple[str, str]] = []  # (header, first row) as each render painted them (in the border)
            render_lines = table.render_lines

            def spy(crop):
                strips = render_lines(crop)
                if len(strips) > 2 and strips[2].text.strip("│ "):
                    frames.append((strips[1].text, strips[2].text))
                return strips
            table.render_lines = spy

            add_pods(cluster, 30, namespaces=1, prefix="late")  # names far wider than NAME
            await app.pump()
            await pilot.pause()
            assert frames, "no frame painted the rows"
            header, row = frames[0]
            name_at, ready_at = header.index("NAME"), header.index("READY")
            assert row[name_at:].startswith("late-app-")
            assert row[ready_at:].startswith("1/1"), (header, row)
    asyncio.run(main())


def test_a_cursor_key_repaints_the_two_lines_the_cursor_left_and_reached_and_the_screen_shows_it():
    """A key held down moved the cursor a line at a time and repainted the whole table each
    time; the lines between stand as they were."""
    async def scenario(app, pilot, cluster):
        table = app.table
        painted = spy_paints(table)

        def screen_line(y):  # what the screen shows on the table's line y (its cached strips)
            strips = app.screen._compositor.render_strips()
            return strips[table.content_region.y + y]

        def has_cursor(y):
            return any(seg.style is not None and seg.style.bgcolor == theme.style("table.cursor").bgcolor
                       for seg in screen_line(y)._segments if seg.text.strip())

        assert has_cursor(1) and not has_cursor(2)
        for step in range(3):
            painted.clear()
            await pilot.press("j")
            await pilot.pause()
            assert sorted(set(painted)) == [1 + step, 2 + step]
            assert has_cursor(2 + step) and not has_cursor(1 + step)
    on_pods(scenario)


def test_wide_characters_keep_the_columns_after_them_lined_up():
    """A cell of CJK or emoji (a CRD's string column) takes two terminal cells a character: padded
    by characters, its row's later columns came out further right than every other row's."""
    from rich.cells import cell_len

    from tests.crds import crontab, crontab_crd

    cluster = small_cluster()
    with cluster.lock:
        cluster.create(crontab_crd())
        cluster.create(crontab("wide", spec="每天三点😀", replicas=7))
        cluster.create(crontab("narrow", spec="0 3 * * * * * * * *", replicas=8))
        cluster.settle()

    async def main():
        app = K9pyApp(SimBackend(cluster), manual=True, view="ct", namespace="default")
        async with app.run_test(size=(120, 24)) as pilot:
            for _ in range(3):
                await app.pump()
                await pilot.pause()
            table = app.table
            lines = [table._paint_line(y).text for y in range(3)]
            header = lines[0]
            edge = cell_len(header[:header.index("REPLICAS") + len("REPLICAS")])  # numbers: right-aligned
            for line, number in ((lines[1], "8"), (lines[2], "7")) if "narrow" in lines[1] else ((lines[1], "7"), (lines[2], "8")):
                at = line.index(f" {number} ") + 2
                assert cell_len(line[:at]) == edge, lines
    asyncio.run(main())
