"""ctrl-r, k9s's Refresh: the view lists its objects again (a watch started anew), says so, and
shows the same rows."""

from tests.ui.simcluster import command, flash, run, settle


def test_ctrl_r_lists_the_view_again():
    async def s(app, pilot, cluster):
        watched: list[tuple[str, str | None]] = []
        backend_watch = app.backend.watch

        def counting(kind, namespace=None, **kw):
            watched.append((kind, namespace))
            return backend_watch(kind, namespace, **kw)

        app.backend.watch = counting
        await command(app, pilot, "pods")
        rows = [app.model.row_at(i).key for i in range(len(app.model))]
        assert rows and watched == []  # the pods' watch was already running: nothing new
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert watched == [("Pod", "default")] and flash(app) == "Refreshing..."
        assert [app.model.row_at(i).key for i in range(len(app.model))] == rows
        await command(app, pilot, "nodes")
        watched.clear()
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert sorted(watched, key=str) == [("Node", None), ("Pod", None)]  # and the pods it counts
    run(s)
