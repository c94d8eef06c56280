"""Quiet when idle: the app's ticks paint only what changed on screen (issue 14)."""

from tests.ui.conftest import table_lines, visible_names


def test_a_tick_paints_the_table_only_when_a_visible_age_changes_and_the_header_when_its_facts_do(drive):
    async def s(app, pilot, cluster):
        header = app.query_one("#header")
        layouts = []
        original = header.refresh

        def counting(*args, **kw):
            layouts.append(kw)
            return original(*args, **kw)

        header.refresh = counting
        cluster.advance(3600)  # pods past an hour old: their ages move once a minute
        app._tick()
        await pilot.pause()
        assert "counter" in visible_names(app) and "65m" in app.table.render_line(1).text
        painted = app.table.paints
        app._tick()  # the clock has not moved: nothing to paint
        await pilot.pause()
        assert app.table.paints == painted
        cluster.advance(1)  # "65m" a second later too
        app._tick()
        await pilot.pause()
        assert app.table.paints == painted
        cluster.advance(60)  # ... and "66m" a minute later
        app._tick()
        await pilot.pause()
        assert app.table.paints > painted
        assert "66m" in app.table.render_line(1).text
        assert layouts == []  # every tick asked the header: the same facts, never laid out again
        app.run_command("deploy")  # another view: another key menu
        await pilot.pause()
        assert layouts and "Scale" in str(header.render())
    drive(s)


def test_a_tick_paints_again_only_the_lines_whose_cells_the_clock_changed(drive):
    """A young pod among old ones: its age shows seconds, theirs minutes; a second later only
    its line is painted again, and it shows the new age (the other lines stand)."""
    async def s(app, pilot, cluster):
        cluster.advance(3600)
        cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "fresh", "namespace": "default"},
                        "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
        cluster.advance(30)
        await app.pump()
        app._tick()
        await pilot.pause()
        line = 1 + visible_names(app).index("fresh")
        assert "30s" in app.table.render_line(line).text
        before = table_lines(app)  # (painting them: counted before the tick)
        painted = app.table.paints
        cluster.advance(1)
        app._tick()
        await pilot.pause()
        assert app.table.paints - painted == 1
        after = table_lines(app)
        assert "31s" in after[line] and [y for y, (a, b) in enumerate(zip(before, after, strict=True)) if a != b] == [line]
    drive(s)


def test_deltas_fade_with_one_paint_and_no_paint_when_none_shows(drive):
    async def s(app, pilot, cluster):
        await pilot.pause()
        painted = app.table.paints
        app.pane.clear_deltas()
        await pilot.pause()
        assert app.table.paints == painted
        cluster.store.mutate("Pod", "default", "counter", lambda p: p["metadata"].setdefault("labels", {}).update(x="1"))
        await app.pump()
        await pilot.pause()
        row = next(r for r in app.model.rows.values() if r.key[1] == "counter")
        assert row.delta
        painted = app.table.paints
        app.pane.clear_deltas()
        await pilot.pause()
        assert not row.delta and app.table.paints > painted
    drive(s)


def test_a_tick_while_the_app_closes_and_the_table_is_gone_does_nothing(drive):
    """The app's tick timer can fire between the table's removal and the pane's as the app
    closes: it raised NoMatches (seen once in `benchmarks/run.py --quick`)."""
    async def s(app, pilot, cluster):
        pane = app.pane
        await pane.table.remove()
        cluster.advance(60)
        app._tick()  # no table: nothing to paint, no error
        await pilot.pause()
        assert not pane.query("#table")
    drive(s)
