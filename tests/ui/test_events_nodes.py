"""`:ev` and `:no` as k9s shows them: events newest first (LAST SEEN), Warning rows in k9s's error
colour, a menu offering only the sorts the view has; nodes with k9s's columns (ROLE, TAINTS,
PODS, CPU, CPU/A, %CPU, MEM, MEM/A, %MEM), usage hidden without metrics, PODS kept live."""

import pytest

from k9py.backends.sim import SimBackend
from k9py.kube.meta import deep_copy
from k9py.ui import keymap
from k9py.ui.app import K9pyApp
from k9py.ui.widgets.resource_table import STYLES
from k9py.view.kinds import BY_NAME
from k9py.view.rows import PodCounter, RowModel, event_last_seen, node_cells
from tests.samples import small_cluster
from tests.sim.helpers import pod_manifest
from tests.ui.conftest import sync, table_lines, visible_names
from tests.ui.simcluster import command, run, settle, sim_cluster

MI = 1024 * 1024


def event_cluster():
    """The simulator's small cluster with a crash-looping pod: Normal and Warning events."""
    c = sim_cluster()
    c.create(pod_manifest("broken", "busybox:1.36", command=["/bin/sh", "-c", "echo bye; exit 1"]))
    c.advance(90)
    return c


def keyed(cluster, kind, ns=None):
    return {(o["metadata"].get("namespace") or "", o["metadata"]["name"]): o for o in cluster.store.list(kind, ns)}


# -- the row models (UI-free) ------------------------------------------------------------------------
def test_events_sort_newest_first_and_warnings_are_errors():
    c = event_cluster()
    m = RowModel(BY_NAME["events"])
    m.now = c.now()
    m.load(keyed(c, "Event", "default"))
    assert (m.sort_col, m.sort_asc) == ("LAST SEEN", True)
    seen = [event_last_seen(m.row_at(i).obj) for i in range(len(m))]
    assert seen == sorted(seen, reverse=True) and seen[0] > seen[-1]
    warnings = [m.row_at(i) for i in range(len(m)) if m.row_at(i).obj["type"] == "Warning"]
    assert warnings and all(m.style(r) == "err" for r in warnings)
    assert all(m.style(m.row_at(i)) == "" for i in range(len(m)) if m.row_at(i).obj["type"] == "Normal")
    m.set_sort("LAST SEEN")  # again: the oldest first
    assert [event_last_seen(m.row_at(i).obj) for i in range(len(m))] == sorted(seen)
    # across namespaces too (not by namespace)
    everywhere = RowModel(BY_NAME["events"], all_namespaces=True)
    assert everywhere.sort_col == "LAST SEEN" and everywhere.columns[0].name == "NAMESPACE"


def test_a_repeated_event_moves_to_the_top():
    c = event_cluster()
    m = RowModel(BY_NAME["events"])
    m.now = c.now()
    objs = keyed(c, "Event", "default")
    m.load(objs)
    oldest = m.row_at(len(m) - 1).key
    ev = deep_copy(objs[oldest])
    ev["lastTimestamp"], ev["count"] = "2030-01-01T00:00:00Z", 2
    objs[oldest] = ev
    m.apply([], [oldest], [], objs.get)
    assert m.row_at(0).key == oldest


def test_node_columns_are_k9s():
    c = small_cluster()
    m = RowModel(BY_NAME["nodes"])
    m.now = c.now()
    m.load(keyed(c, "Node"))
    assert [col.name for col in m.columns] == ["NAME", "STATUS", "ROLE", "TAINTS", "VERSION", "PODS", "AGE"]
    assert m.cells(m.row_at(0))[5] == "n/a"  # pods not counted yet
    counter = PodCounter()
    counter.reset(keyed(c, "Pod"))
    m.set_pod_counts(counter.counts)
    m.set_metrics({("", "minikube"): (300, 900 * MI), ("", "minikube-m02"): (1500, 2000 * MI)})
    assert [col.name for col in m.columns] == ["NAME", "STATUS", "ROLE", "TAINTS", "VERSION", "PODS", "CPU", "CPU/A",
                                               "%CPU", "MEM", "MEM/A", "%MEM", "AGE"]
    rows = {m.row_at(i).key[1]: m.cells(m.row_at(i)) for i in range(len(m))}
    assert rows["minikube"][1:] == ("Ready", "control-plane", "0", rows["minikube"][4], "2", "300", "2000", "15",
                                    "900", "3921", "22", "60m")
    assert rows["minikube-m02"][5:12] == ("4", "1500", "2000", "75", "2000", "3921", "51")
    assert rows["minikube-m03"][5:12] == ("1", "0", "2000", "0", "0", "3921", "0")  # no figures for it: 0
    m.set_wide(True)
    assert [col.name for col in m.columns] == [
        "NAME", "STATUS", "ROLE", "ARCH", "TAINTS", "VERSION", "OS-IMAGE", "KERNEL", "INTERNAL-IP", "EXTERNAL-IP",
        "PODS", "CPU", "CPU/A", "%CPU", "MEM", "MEM/A", "%MEM", "LABELS", "VALID", "AGE"]
    wide = m.cells(m.rows[("", "minikube")])
    assert wide[6:10] == ("Ubuntu 22.04.4 LTS", "6.8.0", "192.168.49.2", "<none>")
    assert wide[17] == "kubernetes.io/hostname=minikube,kubernetes.io/os=linux,node-role.kubernetes.io/control-plane="
    m.set_sort("PODS", ascending=False)
    assert m.row_at(0).key[1] == "minikube-m02"


def test_node_health_taints_and_percentages():
    c = small_cluster()
    node = deep_copy(c.store.get("Node", None, "minikube"))
    node["spec"]["unschedulable"] = True
    node["spec"]["taints"] = [{"key": "a", "effect": "NoSchedule"}, {"key": "b", "effect": "NoExecute"}]
    cells = node_cells(node, c.now(), (0, 0), 3)
    assert cells[1] == "Ready,SchedulingDisabled" and cells[4] == 2 and cells[18] == "node is cordoned"
    assert cells[13] == "0" and cells[16] == "0"
    node["status"]["conditions"] = [{"type": "Ready", "status": "False"}]
    node["status"]["allocatable"] = {}
    cells = node_cells(node, c.now(), (10, MI), None)
    assert cells[18] == "node is not ready" and cells[10] == "n/a" and cells[13] == "n/a" and cells[16] == "n/a"
    m = RowModel(BY_NAME["nodes"])
    m.load({("", "minikube"): node})
    assert m.style(m.row_at(0)) == "err"
    node["status"]["conditions"] = [{"type": "Ready", "status": "True"}]
    m.load({("", "minikube"): node})
    assert m.style(m.row_at(0)) == "pending"  # cordoned: k9s's pending colour


def test_pod_counter_follows_diffs():
    counter = PodCounter()
    pods = {("a", "p1"): {"spec": {"nodeName": "n1"}}, ("a", "p2"): {"spec": {"nodeName": "n1"}},
            ("b", "p3"): {"spec": {}}}
    counter.reset(pods)
    assert counter.counts == {"n1": 2}
    pods[("b", "p3")] = {"spec": {"nodeName": "n2"}}
    pods[("a", "p4")] = {"spec": {"nodeName": "n2"}}
    del pods[("a", "p1")]
    counter.apply([("a", "p4")], [("b", "p3")], [("a", "p1")], pods.get)
    assert counter.counts == {"n1": 1, "n2": 2}
    del pods[("a", "p2")]
    counter.apply([], [], [("a", "p2")], pods.get)
    assert counter.counts == {"n2": 2}


# -- in the app ----------------------------------------------------------------------------------------
def test_events_view_newest_first_with_warnings_coloured():
    async def s(app, pilot, cluster):
        await command(app, pilot, "ev")
        lines = table_lines(app)
        assert lines[0].split()[:3] == ["LAST", "SEEN↑", "TYPE"]
        rows = [app.model.row_at(i) for i in range(len(app.model))]
        seen = [event_last_seen(r.obj) for r in rows]
        assert seen == sorted(seen, reverse=True)
        warn = next(i for i, r in enumerate(rows) if r.obj["type"] == "Warning")
        app.table.move_to(warn + 1)  # the cursor elsewhere: the row shows its own colour
        await pilot.pause()
        strip = app.table.render_line(warn + 1 - round(app.table.scroll_y))
        assert "Warning" in strip.text and {seg.style.color for seg in strip if seg.text.strip()} == {
            STYLES["err"].color}
        # the menu offers only the sorts the view has: no name or age sort here
        columns = {c.name for c in app.model.columns}
        menu = keymap.menu(app.current.scope.view, False, columns)
        assert not any(desc.startswith("Sort") and desc[5:].upper() not in columns for _, desc in menu)
        help_sorts = [d for _, hints in keymap.help_sections(app.current.scope.view, False, columns, [])
                      for _, d in hints if d.startswith("Sort")]
        assert "Sort name" not in help_sorts and "Sort age" not in help_sorts
        # a sort on a column the view lacks says so instead
        await pilot.press("A")
        assert "no AGE column" in app.flash_text
        app.pane.action_sort("LAST SEEN")  # the LAST SEEN sort (inverted: oldest first)
        await pilot.pause()
        assert table_lines(app)[0].split()[:2] == ["LAST", "SEEN↓"]
        assert event_last_seen(app.model.row_at(0).obj) == min(seen)
        # live: a new event comes in on top
        cluster.create(pod_manifest("late", "busybox:1.36"))
        await settle(app, pilot, 5)
        assert app.model.row_at(0).obj["involvedObject"]["name"] != "late"  # oldest first still
        app.pane.action_sort("LAST SEEN")
        await pilot.pause()
        assert app.model.row_at(0).obj["involvedObject"]["name"] == "late"
    run(s, cluster=event_cluster())


def test_nodes_view_shows_k9s_columns_with_metrics(drive):
    async def s(app, pilot, cluster):
        await pilot.press("colon", *"no", "enter")
        await sync(app, pilot)
        lines = table_lines(app)
        assert lines[0].split() == ["NAME↑", "STATUS", "ROLE", "TAINTS", "VERSION", "PODS", "CPU", "CPU/A", "%CPU",
                                    "MEM", "MEM/A", "%MEM", "AGE"]
        usage = app.session.metrics.nodes
        row = lines[1].split()
        assert row[:3] == ["minikube", "Ready", "control-plane"] and row[5] == "2"  # coredns and etcd
        assert row[6] == str(usage["minikube"].cpu_m) and row[7] == "2000"
        assert row[8] == str(usage["minikube"].cpu_m * 100 // 2000)
        assert row[9] == str(usage["minikube"].mem_b // MI) and row[10] == "3921"
        assert [ln.split()[5] for ln in lines[1:4]] == ["2", "4", "1"]
        # PODS follows the pods as they come and go
        pod = deep_copy(cluster.store.get("Pod", "default", "counter"))
        pod["metadata"] = {"name": "extra", "namespace": "default"}
        pod["spec"]["nodeName"] = "minikube-m03"
        cluster.store.create(pod)
        await sync(app, pilot)
        assert table_lines(app)[3].split()[5] == "2"
        cluster.store.delete("Pod", "default", "crashy")
        await sync(app, pilot)
        assert table_lines(app)[2].split()[5] == "3"
        # fresh figures land in the view
        await app.refresh_metrics()
        await pilot.pause()
        assert table_lines(app)[1].split()[6] == str(app.session.metrics.nodes["minikube"].cpu_m)
    drive(s)


def test_nodes_view_hides_usage_without_metrics(drive):
    async def s(app, pilot, cluster):
        await pilot.press("colon", *"no", "enter")
        await sync(app, pilot)
        assert table_lines(app)[0].split() == ["NAME↑", "STATUS", "ROLE", "TAINTS", "VERSION", "PODS", "AGE"]
        assert visible_names(app) == ["minikube", "minikube-m02", "minikube-m03"]
    drive(s, metrics=False)


def test_nodes_view_cordoned_row_and_leaving_stops_counting_pods():
    async def s(app, pilot, cluster):
        await command(app, pilot, "no")
        assert app.current.pods_sub is not None
        node = deep_copy(cluster.store.get("Node", None, "minikube-m02"))
        node["spec"]["unschedulable"] = True
        cluster.replace(node)
        await settle(app, pilot)
        row = app.model.rows[("", "minikube-m02")]
        assert app.model.style(row) == "pending"
        view = app.current
        await command(app, pilot, "po")
        assert view.pods_sub is None and view.sub is None
    run(s)


# -- snapshots ----------------------------------------------------------------------------------------
def before(*keys):
    async def go(pilot):
        app = pilot.app
        await settle(app, pilot)
        await app.refresh_metrics()
        await pilot.press("colon", *keys, "enter")
        await settle(app, pilot)
        await app.refresh_metrics()
        await pilot.pause()
    return go


@pytest.mark.parametrize("size", [(160, 45), (80, 24)], ids=["160x45", "80x24"])
def test_events_snapshot(snap_compare, size):
    """Newest first; the crash-looping pod's BackOff warnings in k9s's error colour."""
    assert snap_compare(K9pyApp(SimBackend(event_cluster()), manual=True), terminal_size=size,
                        run_before=before(*"ev"))


@pytest.mark.parametrize("size", [(160, 45), (80, 24)], ids=["160x45", "80x24"])
def test_nodes_snapshot(snap_compare, size):
    """k9s's node columns with the simulator's metrics."""
    assert snap_compare(K9pyApp(SimBackend(sim_cluster()), manual=True), terminal_size=size,
                        run_before=before(*"no"))


def test_events_offer_no_delete_and_no_edit_as_in_k9s():
    """k9s's event view deletes ctrl-d and e from its keys: not in the menu or `?`, and pressing
    them opens nothing."""
    async def s(app, pilot, cluster):
        await command(app, pilot, "ev")
        view = app.current.scope.view
        offered = {d for _, d in keymap.menu(view, False, {c.name for c in app.model.columns})}
        assert {"Describe", "YAML"} <= offered and not {"Delete", "Edit"} & offered
        for key in ("ctrl+d", "e"):
            await pilot.press(key)
            await pilot.pause()
            assert len(app.screen_stack) == 1, key
    run(s, event_cluster())
