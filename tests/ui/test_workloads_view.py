"""k9s's `:workloads` (`wk`): pods, services, daemonsets, statefulsets, deployments and
replicasets in one table, each row acting on its own kind."""

from k9py.ui.screens.describe import DescribeScreen
from k9py.ui.screens.dialogs import DeleteDialog
from k9py.ui.screens.yaml_view import YamlScreen
from tests.ui.simcluster import command, flash, run, settle, sim_cluster


def shown(app):
    m = app.model
    return [m.cells(m.row_at(i)) for i in range(len(m))]


def cursor_to(app, kind, name):
    m = app.model
    keys = [m.row_at(i).key for i in range(len(m))]
    app.table.move_to(next(i for i, k in enumerate(keys) if k[1] == name and k[2] == kind))


def workloads_cluster():
    c = sim_cluster()
    c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "nginx-deployment", "namespace": "default"},
              "spec": {"selector": {"app": "nginx"}, "ports": [{"port": 80}]}})
    if c.store.get("Namespace", None, "kube-system") is None:
        c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}})
    c.create({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "kindnet", "namespace": "kube-system"},
              "spec": {"selector": {"matchLabels": {"app": "kindnet"}}, "template": {
                  "metadata": {"labels": {"app": "kindnet"}},
                  "spec": {"containers": [{"name": "kindnet", "image": "kindest/kindnetd:v20240513"}]}}}})
    c.advance(5)
    return c


def test_workloads_lists_six_kinds_sorted_by_kind_with_k9s_columns():
    async def s(app, pilot, cluster):
        await command(app, pilot, "wk")
        assert app.current.title().startswith("workloads(default)[")
        assert [c.name for c in app.model.columns] == ["KIND", "NAME", "STATUS", "READY", "AGE"]
        rows = shown(app)
        kinds = [r[0] for r in rows]
        assert kinds == sorted(kinds) and {"apps/v1/deployments", "apps/v1/replicasets", "v1/pods",
                                           "v1/services"} <= set(kinds)
        assert rows[0][:4] == ("apps/v1/deployments", "nginx-deployment", "OK", "2/2")
        # a Deployment and its Service share a name: two rows
        assert [r[0] for r in rows if r[1] == "nginx-deployment"] == ["apps/v1/deployments", "v1/services"]
        service = next(r for r in rows if r[:2] == ("v1/services", "nginx-deployment"))
        assert service[:4] == ("v1/services", "nginx-deployment", "OK", "")
        await pilot.press("ctrl+w")  # wide: VALID
        assert [c.name for c in app.model.columns] == ["KIND", "NAME", "STATUS", "READY", "VALID", "AGE"]
        await pilot.press("0")  # every namespace: NAMESPACE after KIND, as k9s's header
        await settle(app, pilot)
        assert [c.name for c in app.model.columns][:3] == ["KIND", "NAMESPACE", "NAME"]
        kinds = [r[0] for r in shown(app)]
        assert kinds == sorted(kinds) and kinds[0] == "apps/v1/daemonsets"  # kube-system's kindnet
        assert shown(app)[0][1:5] == ("kube-system", "kindnet", "OK", "3/3")  # one a node
    run(s, workloads_cluster())


def test_a_degraded_workload_and_it_follows_the_cluster():
    async def s(app, pilot, cluster):
        await command(app, pilot, "wk")
        dep = cluster.store.get("Deployment", "default", "nginx-deployment")
        cluster.replace({**dep, "spec": {**dep["spec"], "replicas": 4}})
        await settle(app, pilot)
        row = next(r for r in shown(app) if r[:2] == ("apps/v1/deployments", "nginx-deployment"))
        assert row[2:4] == ("DEGRADED", "2/4")
        assert app.model.style(next(app.model.row_at(i) for i in range(len(app.model))
                                    if app.model.row_at(i).key[2] == "Deployment")) == "pending"
        await settle(app, pilot, 30)
        row = next(r for r in shown(app) if r[:2] == ("apps/v1/deployments", "nginx-deployment"))
        assert row[2:4] == ("OK", "4/4")
        assert sum(1 for r in shown(app) if r[0] == "v1/pods" and r[1].startswith("nginx-deployment-")) == 4
    run(s, workloads_cluster())


def test_faults_keep_the_rows_in_trouble_of_every_kind():
    async def s(app, pilot, cluster):
        dep = cluster.store.get("Deployment", "default", "nginx-deployment")
        cluster.replace({**dep, "spec": {**dep["spec"], "template": {**dep["spec"]["template"], "spec": {
            **dep["spec"]["template"]["spec"], "containers": [{"name": "nginx", "image": "nginx:no-such-tag"}]}}}})
        await settle(app, pilot, 20)
        await command(app, pilot, "wk")
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert app.current.title().startswith("workloads(default)[") and "<faults>" in app.current.title()
        names = {(r[0], r[1]) for r in shown(app)}
        assert ("v1/pods", "counter") not in names and ("v1/services", "nginx-deployment") not in names
        assert any(k == "v1/pods" and n.startswith("nginx-deployment-") for k, n in names)  # ErrImagePull
    run(s, workloads_cluster())


def test_a_rows_keys_act_on_its_own_kind():
    async def s(app, pilot, cluster):
        await command(app, pilot, "wk")
        cursor_to(app, "Service", "nginx-deployment")
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, DescribeScreen) and "Type:" in app.screen.text()  # a Service's describe
        await pilot.press("escape")
        cursor_to(app, "Deployment", "nginx-deployment")
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, YamlScreen) and "kind: Deployment" in app.screen.text()
        await pilot.press("escape")
        await pilot.press("enter")  # k9s: the row's own view, showing it alone
        await settle(app, pilot)
        assert app.current.scope.view.name == "deployments" and [r[0] for r in shown(app)] == ["nginx-deployment"]
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.current.scope.view.name == "workloads"
        cursor_to(app, "Pod", "counter")
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert isinstance(app.screen, DeleteDialog)
        await pilot.click("#ok")
        await settle(app, pilot)
        assert "Delete resource pods default/counter" in flash(app)
        assert cluster.store.get("Pod", "default", "counter") is None or \
            cluster.store.get("Pod", "default", "counter")["metadata"].get("deletionTimestamp")
        assert cluster.store.get("Service", "default", "nginx-deployment") is not None
    run(s, workloads_cluster())


def test_marked_rows_of_several_kinds_are_not_deleted_together():
    async def s(app, pilot, cluster):
        await command(app, pilot, "wk")
        cursor_to(app, "Service", "nginx-deployment")
        await pilot.press("space")
        cursor_to(app, "Pod", "counter")
        await pilot.press("space")
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert not isinstance(app.screen, DeleteDialog)
        assert "several kinds" in flash(app)
        assert cluster.store.get("Pod", "default", "counter") is not None
    run(s, workloads_cluster())


def test_a_plugin_for_every_view_and_edit_with_a_mark_of_another_kind(tmp_path):
    """A plugin with `scopes: [all]` reads a workloads row's name (its key holds the kind third:
    it ended the app); `e` edits the cursor's row, of its own kind, whatever kind is marked."""
    import sys
    import textwrap

    from k9py.config import plugins as plugins_file
    from k9py.config.user import UserConfig
    from k9py.ui.screens import actions

    out = tmp_path / "out.txt"
    f = tmp_path / "plugins.yaml"
    f.write_text(textwrap.dedent(f"""\
        plugins:
          p:
            shortCut: Shift-Y
            description: name
            scopes: [all]
            background: true
            command: {sys.executable}
            args: ["-c", "import sys; open(sys.argv[1], 'w').write(sys.argv[2])", "{out}", $NAME]
        """))

    async def s(app, pilot, cluster):
        await command(app, pilot, "wk")
        cursor_to(app, "Service", "nginx-deployment")
        await pilot.press("Y")
        await settle(app, pilot)
        await app.workers.wait_for_complete()
        assert app.is_running
        for _ in range(200):
            if out.exists():
                break
            await pilot.pause(0.02)
        assert out.read_text() == "nginx-deployment"
        cursor_to(app, "Deployment", "nginx-deployment")
        await pilot.press("space")
        cursor_to(app, "Service", "nginx-deployment")
        called = []
        orig = actions.edit
        actions.edit = lambda app_, kind, row: called.append((kind.name, row.key))
        try:
            await pilot.press("e")
            await settle(app, pilot)
        finally:
            actions.edit = orig
        assert called == [("services", ("default", "nginx-deployment", "Service"))]
    run(s, workloads_cluster(), user=UserConfig(plugins=plugins_file.load(f)))


def test_the_past_and_back_leaves_no_watch_behind(tmp_path):
    """`:rewind` then `:now`: the views left in the present stop listening to it (each round
    trip left six watches of a workloads view running)."""
    from k9py.store.history import History

    def subscriptions(informer):
        return sum(len(v) for v in informer._subs.values())

    async def s(app, pilot, cluster):
        await command(app, pilot, "wk")
        present = app.session
        counts = []
        for _ in range(3):
            await settle(app, pilot, 30)
            await command(app, pilot, "rewind 20s")
            await app.workers.wait_for_complete()
            await settle(app, pilot)
            assert app.session.present is present and app.current.scope.view.name == "workloads"
            await command(app, pilot, "now")
            await app.workers.wait_for_complete()
            await settle(app, pilot)
            counts.append(subscriptions(present.informer))
        assert counts[0] == counts[1] == counts[2]
    run(s, workloads_cluster(), history=lambda b: History(tmp_path / "h", "test", poll_logs=False))
