"""The log view spilling to disk: every line reachable by scrolling back, with wrap, timestamps
and the filter, and following a stream lays nothing out again."""

from k9py.sim.logs import busybox_date
from k9py.ui.screens.logs import LogScreen
from k9py.ui.screens.viewer import LinesView
from tests.ui.simcluster import run, settle
from tests.ui.test_logs_screen import counter_start, open_counter, painted, rows


def cells(strip):
    return [(ch, seg.style) for seg in strip for ch in seg.text]


def test_spilled_lines_stay_reachable_and_following_needs_no_layout():
    async def s(app, pilot, cluster):
        app.log_buffer_size = 20
        app.log_spill = True
        scr = await open_counter(app, pilot)
        assert isinstance(scr, LogScreen) and scr.buffer.spill
        await pilot.press("1")  # head: every line since the start
        await settle(app, pilot, 100)
        start = counter_start(cluster)
        total = scr.buffer.total
        assert total > 100 and scr.buffer.spilled > 60 and scr.buffer.dropped == 0
        assert rows(scr) == [f"{i}: {busybox_date(start + i)}" for i in range(total)]
        assert f"{total} lines, {scr.buffer.spilled} on disk" in scr.status_text()

        # following: the status line and the body are repainted, never laid out again
        layouts: list[str] = []
        for w in (scr.body, scr.query_one("#viewer-status")):
            def spy(*a, _w=w, _refresh=w.refresh, **k):
                if k.get("layout"):
                    layouts.append(_w.id or "")
                return _refresh(*a, **k)
            w.refresh = spy
        for _ in range(3):
            await settle(app, pilot, 1)
        assert scr.buffer.total == total + 3 and layouts == []

        await pilot.press("g")  # back to the top: lines read from the spill file
        await settle(app, pilot)
        assert painted(scr)[0] == f"0: {busybox_date(start)}" and not scr.autoscroll
        await pilot.press("t")  # timestamps
        await settle(app, pilot)
        assert rows(scr)[0].endswith(f" 0: {busybox_date(start)}") and rows(scr)[0][:4].isdigit()
        # plain rows are painted without a Text: the same cells, the same styles
        assert painted(scr)[0] == rows(scr)[0]
        assert cells(scr.body.render_line(0)) == cells(LinesView.render_line(scr.body, 0))
        await pilot.press("t", "w")  # wrap: at 158 columns nothing wraps, every line still there
        await settle(app, pilot)
        assert rows(scr)[:2] == [f"0: {busybox_date(start)}", f"1: {busybox_date(start + 1)}"]
        assert len(rows(scr)) == scr.buffer.total
        await pilot.press("slash", *r"^1\d: ", "enter")
        await settle(app, pilot)
        assert rows(scr) == [f"{i}: {busybox_date(start + i)}" for i in range(10, 20)]
    run(s)
