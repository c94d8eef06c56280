"""Workload keys k9s has beyond the common verbs."""

from tests.ui.conftest import sync, visible_names
from tests.ui.simcluster import border_text


async def open_view(app, pilot, name):
    await pilot.press("colon", *name, "enter")
    await sync(app, pilot)


def test_z_on_a_deployment_lists_its_replicasets(drive):
    """k9s's `z` (ReplicaSets) in the deployments view: the replica sets the deployment's selector
    picks, in its namespace; esc comes back to the deployments."""
    async def s(app, pilot, cluster):
        await open_view(app, pilot, "deploy")
        assert "<z> " in str(app.query_one("#header").render())
        await pilot.press("z")
        await sync(app, pilot)
        assert app.title_text().startswith("replicasets(default)")
        assert "app=nginx" in app.title_text()
        names = visible_names(app)
        assert names and all(n.startswith("nginx-deployment-") for n in names)
        await pilot.press("escape")
        await sync(app, pilot)
        assert app.title_text().startswith("deployments(")
    drive(s)


def test_z_elsewhere_does_nothing(drive):
    async def s(app, pilot, cluster):
        await open_view(app, pilot, "sts")
        before = app.title_text()
        await pilot.press("z")
        await sync(app, pilot)
        assert app.title_text() == before
    drive(s)


def test_u_on_a_configmap_lists_the_workloads_using_it(drive):
    """k9s's UsedBy (`u`): the workloads whose pods refer to the ConfigMap; enter goes to one
    (its view, the cursor on it); none: a flash says so and nothing opens."""
    from k9py.ui.screens.references import References
    from tests.samples import small_cluster

    cluster = small_cluster()
    cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "unused", "namespace": "default"}})
    cluster.store.create({"apiVersion": "apps/v1", "kind": "Deployment",
                          "metadata": {"name": "api", "namespace": "default"},
                          "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "api"}},
                                   "template": {"metadata": {"labels": {"app": "api"}}, "spec": {"containers": [
                                       {"name": "api", "image": "api:1", "envFrom": [{"configMapRef": {"name": "app-config"}}]}]}}}})

    async def s(app, pilot, cluster):
        await open_view(app, pilot, "cm")
        assert "<u> " in str(app.query_one("#header").render())
        app.table.move_to(visible_names(app).index("unused"))
        await pilot.press("u")
        await sync(app, pilot)
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert "No references found at this time for v1/configmaps::default/unused" in app.flash_text
        app.table.move_to(visible_names(app).index("app-config"))
        await pilot.press("u")
        await sync(app, pilot)
        await pilot.pause()
        scr = app.screen
        assert isinstance(scr, References)
        assert scr.refs == [("default", "api", "apps/v1/deployments")]
        assert border_text(scr.query_one("#refs-box")).strip().startswith("references(v1/configmaps::default/app-config)[1]")
        await pilot.press("enter")
        await sync(app, pilot)
        assert len(app.screen_stack) == 1
        assert app.title_text().startswith("deployments(default)") and app.table.cursor_key == ("default", "api")
    drive(s, cluster=cluster)


def test_c_with_marked_rows_copies_every_marked_name(drive):
    """k9s's Copy: the marked rows' names, one a line; without marks, the cursor row's."""
    async def s(app, pilot, cluster):
        await open_view(app, pilot, "po")
        names = visible_names(app)
        app.table.move_to(names.index("counter"))
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == "counter" and app.flash_text == "counter copied to the clipboard (OSC 52)"
        await pilot.press("space")  # marks counter, the cursor stays
        app.table.move_to(names.index("crashy"))
        await pilot.press("space", "c")
        await pilot.pause()
        assert app.clipboard == "counter\ncrashy"
        assert app.flash_text == "2 names copied to the clipboard (OSC 52)"
    drive(s)


def test_n_copies_the_namespace_and_w_warps_to_it(drive):
    """k9s's Copy Namespace (`n`) and Warp To Namespace (`w`), listed by `?` (not the menu): in all
    namespaces, w shows the view in the row's namespace, the cursor on the row."""
    async def s(app, pilot, cluster):
        await open_view(app, pilot, "po all")
        assert app.title_text().startswith("pods(all)")
        keys = [app.model.row_at(i).key for i in range(len(app.model))]
        target = next(k for k in keys if k[0] == "kube-system")
        app.table.cursor_key = target
        app.table.model_changed()
        await pilot.press("n")
        await pilot.pause()
        assert app.clipboard == "kube-system" and app.flash_text == "kube-system copied to the clipboard (OSC 52)"
        header = str(app.query_one("#header").render())
        assert "<n> " not in header and "<w> " not in header
        await pilot.press("question_mark")
        await pilot.pause()
        body = str(app.screen.query_one("#help-body").render())
        assert "Copy Namespace" in body and "Warp To Namespace" in body
        await pilot.press("escape", "w")
        await sync(app, pilot)
        assert app.title_text().startswith("pods(kube-system)") and app.table.cursor_key == target
    drive(s)


def test_cluster_scoped_views_have_no_n_nor_w(drive):
    async def s(app, pilot, cluster):
        await open_view(app, pilot, "no")
        before = app.title_text()
        await pilot.press("w", "n")
        await sync(app, pilot)
        assert app.title_text() == before and "copied" not in app.flash_text
    drive(s)


def test_references_sort_by_name_and_gvr_with_k9s_shift_keys(drive):
    """k9s's references view binds shift-n (Sort Name) and shift-v (Sort GVR): a key sorts by
    its column, again the other way; the header marks it, the cursor stays on its workload."""
    from k9py.ui.screens.references import References
    from tests.samples import small_cluster

    cluster = small_cluster()

    def workload(kind, name):
        spec = {"selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [
                    {"name": name, "image": "x:1", "envFrom": [{"configMapRef": {"name": "app-config"}}]}]}}}
        if kind == "Deployment":
            spec["replicas"] = 0
        cluster.store.create({"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "default"},
                              "spec": spec})
    workload("Deployment", "api")
    workload("Deployment", "zed")
    workload("DaemonSet", "mid")

    async def s(app, pilot, cluster):
        await open_view(app, pilot, "cm")
        app.table.move_to(visible_names(app).index("app-config"))
        await pilot.press("u")
        await sync(app, pilot)
        await pilot.pause()
        scr = app.screen
        assert isinstance(scr, References)

        def names():
            return [name for _, name, _ in scr.refs]

        def header():
            return str(scr.query_one("#refs-header").render()).split()
        assert names() == ["api", "zed", "mid"] and header() == ["NAMESPACE", "NAME", "GVR"]
        await pilot.press("N")
        assert names() == ["api", "mid", "zed"] and header() == ["NAMESPACE", "NAME↑", "GVR"]
        assert scr.refs[scr.selected_index()][1] == "api"  # the cursor kept its workload
        await pilot.press("N")
        assert names() == ["zed", "mid", "api"] and header() == ["NAMESPACE", "NAME↓", "GVR"]
        await pilot.press("V")
        assert names() == ["mid", "api", "zed"] and header() == ["NAMESPACE", "NAME", "GVR↑"]
        await pilot.press("V")
        assert names() == ["zed", "api", "mid"]
        labels = [str(scr.options.get_option_at_index(i).prompt).split()[1] for i in range(3)]
        assert labels == ["zed", "api", "mid"]  # the lines shown follow
        hints = {h.description for _, section in scr.help_sections() for h in section}
        assert {"Sort Name", "Sort GVR"} <= hints
    drive(s, cluster=cluster)


def test_c_in_the_containers_view_copies_the_container_s_name(drive):
    """k9s's container rows are named by the container (its render's row ID): c copies `counter`
    (the container), not the pod's path to it."""
    async def s(app, pilot, cluster):
        await open_view(app, pilot, "po")
        app.table.move_to(visible_names(app).index("counter"))
        await pilot.press("enter")
        await sync(app, pilot)
        assert app.title_text().startswith("containers(")
        container = app.table.cursor_row.obj["metadata"]["name"]
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == container and "/" not in app.clipboard
        assert app.flash_text == f"{container} copied to the clipboard (OSC 52)"
    drive(s)
