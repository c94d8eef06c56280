"""Live updates: rows appear, change and disappear as the simulated cluster changes (delta colours),
the cursor keeps its object and its line on screen, the window does not jump; usage figures
follow the simulator's metrics."""

from k9py.kube.meta import deep_copy
from tests.samples import small_cluster
from tests.ui.conftest import sync, table_lines, visible_names


def add_pod(cluster, name, ns="default", **status):
    pod = deep_copy(cluster.store.get("Pod", "default", "counter"))
    pod["metadata"] = {"name": name, "namespace": ns, "labels": {"run": name},
                       "creationTimestamp": pod["metadata"]["creationTimestamp"]}
    pod["status"].update(status)
    return cluster.store.create(pod)


def many_pods(n=300):
    c = small_cluster()
    for i in range(n):
        add_pod(c, f"m-{i:04d}")
    return c


def screen_row(app):
    return app.table.cursor_index - round(app.table.scroll_y)


def test_rows_above_the_window_do_not_move_the_cursor_or_what_is_shown():
    async def s(app, pilot, cluster):
        await pilot.press("ctrl+f", "ctrl+f", "ctrl+f", "j", "j")
        await pilot.pause()
        key, line, top = app.table.cursor_key, screen_row(app), round(app.table.scroll_y)
        assert top > 50 and 0 < line < app.table.page
        shown = table_lines(app)[1:]
        for name in ("a-1", "a-2", "a-3"):  # sort before everything: above the window
            add_pod(cluster, name)
        await sync(app, pilot)
        assert app.table.cursor_key == key and screen_row(app) == line
        assert round(app.table.scroll_y) == top + 3
        assert [ln.split()[0] for ln in table_lines(app)[1:]] == [ln.split()[0] for ln in shown]
        for name in ("a-1", "a-2", "m-0000", "m-0001", "m-0002"):  # rows above go away
            cluster.store.delete("Pod", "default", name)
        await sync(app, pilot)
        assert app.table.cursor_key == key and screen_row(app) == line
        assert [ln.split()[0] for ln in table_lines(app)[1:]] == [ln.split()[0] for ln in shown]
        add_pod(cluster, "zzz-last")  # below the window: nothing moves
        cluster.store.mutate("Pod", "default", key[1], lambda p: p["metadata"]["labels"].update(v="2"))
        await sync(app, pilot)
        assert app.table.cursor_key == key and screen_row(app) == line
        assert app.model.rows[key].delta == "mod"
        assert app.model.rows[("default", "zzz-last")].delta == "add"
    drive_many(s)


def drive_many(scenario):
    import asyncio

    from k9py.backends.sim import SimBackend
    from k9py.ui.app import K9pyApp

    cluster = many_pods()

    async def main():
        app = K9pyApp(SimBackend(cluster), manual=True)
        async with app.run_test(size=(160, 45)) as pilot:
            await sync(app, pilot)
            await scenario(app, pilot, cluster)
    asyncio.run(main())


def test_at_the_top_of_the_list_what_comes_above_shows():
    """The window at the top (`g`, or a view just opened): rows that sort first show there, as
    in k9s, where they were scrolled away above the top line with no sign of them. The cursor
    on the first row keeps the row (k9s's: on the newest event of `:events`); further down it
    keeps its object, a line lower for each row that came."""
    async def s(app, pilot, cluster):
        assert len(app.model) > app.table.page and round(app.table.scroll_y) == 0
        assert app.table.cursor_index == 0
        add_pod(cluster, "a-1")
        await sync(app, pilot)
        assert round(app.table.scroll_y) == 0 and app.table.cursor_index == 0
        assert app.table.cursor_key == ("default", "a-1") and table_lines(app)[1].split()[0] == "a-1"
        await pilot.press("j", "j")
        await pilot.pause()
        key = app.table.cursor_key
        for name in ("a-0", "a-00"):
            add_pod(cluster, name)
        await sync(app, pilot)
        assert round(app.table.scroll_y) == 0 and [ln.split()[0] for ln in table_lines(app)[1:3]] == ["a-0", "a-00"]
        assert app.table.cursor_key == key and app.table.cursor_index == 4
        # a sort or a filter is no arrival: the cursor on the first row keeps its object
        await pilot.press("g")
        await pilot.pause()
        first = app.table.cursor_key
        await pilot.press("N")  # the names the other way round
        await sync(app, pilot)
        assert app.table.cursor_key == first and app.table.cursor_index == len(app.model) - 1
        await pilot.press("N", "g", "slash", *"m-0007", "enter")
        await sync(app, pilot)
        assert app.table.cursor_key == ("default", "m-0007") and app.table.cursor_index == 0
        await pilot.press("escape")  # cleared: the row stays (k9s)
        await sync(app, pilot)
        assert app.table.cursor_key == ("default", "m-0007") and app.table.cursor_index > 0
    drive_many(s)


def test_the_cursor_object_going_away_leaves_the_cursor_in_place():
    async def s(app, pilot, cluster):
        await pilot.press("ctrl+f", "j")
        await pilot.pause()
        idx, top = app.table.cursor_index, round(app.table.scroll_y)
        gone = app.table.cursor_key
        cluster.store.delete("Pod", *gone)
        await sync(app, pilot)
        assert gone not in app.model.rows
        assert app.table.cursor_index == idx and round(app.table.scroll_y) == top
        assert app.table.cursor_key == app.model.key_at(idx)
    drive_many(s)


def test_delta_colours_new_modified_deleting_erroring(drive):
    async def s(app, pilot, cluster):
        add_pod(cluster, "fresh")
        cluster.store.mutate("Pod", "default", "counter", lambda p: p["metadata"]["labels"].update(v="2"))
        await sync(app, pilot)
        style = lambda name: app.model.style(app.model.rows[("default", name)])  # noqa: E731
        assert style("fresh") == "add" and style("counter") == "mod"
        cluster.delete("Pod", "default", "counter")  # graceful: Terminating
        cluster.store.mutate("Pod", "default", "fresh", lambda p: p["status"]["containerStatuses"][0].update(
            ready=False, state={"waiting": {"reason": "ImagePullBackOff"}}))
        await sync(app, pilot)
        assert style("counter") == "del" and style("fresh") == "err"
        row = app.model.index_of(("default", "counter"))
        assert app.model.cells(app.model.row_at(row))[3] == "Terminating"
        # the painted colours are the skin's
        from k9py.ui.widgets.resource_table import STYLES
        app.table.cursor_key = ("default", "crashy")
        strip = app.table.render_line(1 + app.model.index_of(("default", "counter")))
        assert strip._segments[1].style == STYLES["del"]
        app.model.clear_deltas()  # the app does this every few seconds
        await sync(app, pilot)
        assert app.model.rows[("default", "nginx-deployment-77d8468669-2xq7v")].delta == ""
        cluster.store.delete("Pod", "default", "counter")
        await sync(app, pilot)
        assert "counter" not in visible_names(app) and app.title_text() == "pods(default)[5]"
    drive(s)


def test_other_views_update_live_too(drive):
    async def s(app, pilot, cluster):
        await pilot.press("colon", *"deploy", "enter")
        await sync(app, pilot)
        assert table_lines(app)[1].split()[:2] == ["nginx-deployment", "3/3"]
        cluster.store.mutate("Deployment", "default", "nginx-deployment",
                             lambda d: d["status"].update(readyReplicas=2, availableReplicas=2))
        await sync(app, pilot)
        assert table_lines(app)[1].split()[:2] == ["nginx-deployment", "2/3"]
        assert app.model.rows[("default", "nginx-deployment")].delta == "mod"
    drive(s)


def test_usage_columns_and_header_follow_the_metrics(drive):
    async def s(app, pilot, cluster):
        cpu_col = app.model.col_index("CPU")
        header = str(app.query_one("#header").render())
        assert "CPU:      " in header and "MEM:      " in header and "n/a" not in header.split("CPU:")[1][:12]
        cluster.store.mutate("Pod", "default", "counter", lambda p: p["metadata"].setdefault("annotations", {}).update(
            {"k9py.sim/cpu-usage": "1500m"}))
        cluster.advance(30)
        await sync(app, pilot)
        await app.refresh_metrics()
        await sync(app, pilot)
        assert app.model.cells(app.model.rows[("default", "counter")])[cpu_col] == "1500"
        # 1.5 CPU more on one of three 2-CPU nodes: the header's CPU% grows by 25 points
        cpu_pct = int(str(app.query_one("#header").render()).split("CPU:")[1].split("%")[0])
        assert cpu_pct >= 25
        await pilot.press("0")
        await sync(app, pilot)
        await app.refresh_metrics()  # all namespaces now: kube-system's usage too
        cpu_col = app.model.col_index("CPU")
        cpu_values = set()
        for _ in range(8):
            cluster.advance(15)
            await app.refresh_metrics()
            cpu_values.add(app.model.cells(app.model.rows[("kube-system", "etcd-minikube")])[cpu_col])
        assert len(cpu_values) > 1 and all(10 <= int(v) <= 40 for v in cpu_values)  # etcd ~20m, wobbling
    drive(s)


def test_without_metrics_usage_columns_are_hidden_and_the_header_says_na(drive):
    async def s(app, pilot, cluster):
        names = [c.name for c in app.model.columns]
        assert names == ["NAME", "PF", "READY", "STATUS", "RESTARTS", "IP", "NODE", "AGE"]
        header = str(app.query_one("#header").render())
        assert "CPU:      n/a" in header and "MEM:      n/a" in header
    drive(s, metrics=False)


def test_a_broken_watch_shows_in_the_header_and_recovers():
    import asyncio

    from k9py.backends.sim import SimBackend
    from k9py.ui.app import K9pyApp

    class Flaky(SimBackend):
        broken = False

        async def watch(self, kind, namespace=None):
            if self.broken and kind == "Pod":
                raise ConnectionError("connection refused")
            async for ev in super().watch(kind, namespace):
                yield ev

    cluster = small_cluster()
    backend = Flaky(cluster)

    async def main():
        app = K9pyApp(backend, manual=True)
        app.session.informer.retry_delay = 0.0
        async with app.run_test(size=(160, 45)) as pilot:
            await sync(app, pilot)
            assert "sim (connected)" in str(app.query_one("#header").render())
            backend.broken = True
            app.session.informer._tasks[("Pod", "default")].cancel()  # the stream drops
            app.session.informer._tasks[("Pod", "default")] = asyncio.get_running_loop().create_task(
                app.session.informer._run(app.session.informer.cache("Pod", "default")))
            await sync(app, pilot)
            app.render_header()
            assert "sim (reconnecting)" in str(app.query_one("#header").render())
            assert app.title_text() == "pods(default)[5]"  # the cached rows stay on screen
            backend.broken = False
            for _ in range(50):  # the informer retries on its own (no delay in this test)
                await sync(app, pilot)
                if app.session.informer.cache("Pod", "default").state == "connected":
                    break
            app.render_header()
            assert "sim (connected)" in str(app.query_one("#header").render())
    asyncio.run(main())


def test_containers_view_shows_each_containers_usage(drive):
    async def s(app, pilot, cluster):
        pod = deep_copy(cluster.store.get("Pod", "default", "counter"))
        pod["metadata"] = {"name": "two", "namespace": "default", "creationTimestamp": pod["metadata"]["creationTimestamp"],
                           "annotations": {"k9py.sim/cpu-usage": "120m", "k9py.sim/memory-usage": "64Mi"}}
        pod["spec"]["containers"] = [
            {"name": "app", "image": "nginx", "resources": {"requests": {"cpu": "240m", "memory": "128Mi"}}},
            {"name": "side", "image": "busybox", "resources": {"limits": {"cpu": "1", "memory": "256Mi"}}}]
        pod["status"]["containerStatuses"] = [
            {"name": n, "ready": True, "restartCount": 0, "state": {"running": {"startedAt": "2026-11-01T08:55:00Z"}}}
            for n in ("app", "side")]
        cluster.store.create(pod)
        await sync(app, pilot)
        await app.refresh_metrics()
        pods = app.model
        assert pods.cells(pods.rows[("default", "two")])[5:11] == ("240", "19", "24", "128", "33", "50")  # side: request = limit
        await pilot.press("colon", *"po /two", "enter")
        await sync(app, pilot)
        await pilot.press("enter")
        await sync(app, pilot)
        await app.refresh_metrics()
        assert app.title_text() == "containers(default/two)[2]"
        names = [c.name for c in app.model.columns]
        assert names == ["IDX", "NAME", "PF", "IMAGE", "READY", "STATE", "RESTARTS", "PROBES(L:R:S)", "CPU", "CPU/RL",
                         "%CPU/R", "%CPU/L", "MEM", "MEM/RL", "%MEM/R", "%MEM/L", "GPU/RL", "PORTS", "AGE"]
        rows = {r.split()[1]: r.split() for r in table_lines(app)[1:3]}
        # app: 120m of a 240m request, no limit; side: requests default to its limits
        assert rows["app"][8:16] == ["120", "240:0", "50", "n/a", "64", "128:0", "50", "n/a"]
        assert rows["side"][8:16] == ["120", "1000:1000", "12", "12", "64", "256:256", "25", "25"]
    drive(s)
