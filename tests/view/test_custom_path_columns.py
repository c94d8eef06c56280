"""views.yaml's JSONPath columns (k9s 0.40: NAME:.json.path|FLAGS) in a view's rows: each is a cell
of its own read from the object, as k9s's custom columns compute it (values joined by commas,
<none> when the path finds nothing, |T a time as its age); one named as a built-in column takes
its place, and ctrl-w adds the view's other columns after them."""

from k9py.view.custom_columns import ColumnSpec, ViewColumns
from k9py.view.kinds import BY_NAME
from k9py.view.rows import RowModel
from tests.samples import small_cluster


def model(custom, wide=False):
    c = small_cluster()
    m = RowModel(BY_NAME["pods"], wide=wide)
    m.now = c.now()
    m.load({(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in c.store.list("Pod", "default")})
    m.set_custom(custom)
    return m


def cells(m, name):
    row = next(m.row_at(i) for i in range(len(m)) if m.row_at(i).key[1] == name)
    return dict(zip([c.name for c in m.columns], m.cells(row), strict=True)), row


def test_jsonpath_columns_show_what_the_path_finds_in_each_object():
    m = model(ViewColumns((ColumnSpec("NAME"), ColumnSpec("APP", path=".metadata.labels.app"),
                           ColumnSpec("IMGS", path=".spec.containers[*].image"),
                           ColumnSpec("STARTED", path=".status.startTime", time=True),
                           ColumnSpec("LBL", path=".metadata.labels"), ColumnSpec("STATUS"))))
    assert [c.name for c in m.columns] == ["NAME", "APP", "IMGS", "STARTED", "LBL", "STATUS"]
    got, row = cells(m, "nginx-deployment-77d8468669-2xq7v")
    assert got["APP"] == "nginx" and got["IMGS"] == "nginx:1.14.2" and got["STATUS"] == "Running"
    assert got["LBL"] == "map[app:nginx pod-template-hash:77d8468669]"  # as Go's %v prints it
    assert got["STARTED"] == "10m"  # started 08:50, the cluster's clock at 09:00
    assert cells(m, "counter")[0]["APP"] == "<none>"  # k9s's MissingValue
    assert m.named_cells(row)["APP"] == "nginx"  # a plugin's $COL-APP, as k9s gives it
    m.set_filter("77d8468669")  # a filter matches the cells shown
    assert len(m) == 3


def test_a_jsonpath_column_named_as_the_views_own_takes_its_place_and_wide_adds_the_rest():
    m = model(ViewColumns((ColumnSpec("NAME"), ColumnSpec("IP", path=".metadata.name"))), wide=True)
    names = [c.name for c in m.columns]
    assert names[:2] == ["NAME", "IP"] and names.count("IP") == 1 and "STATUS" in names
    assert cells(m, "counter")[0]["IP"] == "counter"
    m.set_sort("IP", False)
    assert m.row_at(0).key[1] == "nginx-deployment-77d8468669-kc4gz"


def started(name, start, *, made="2024-01-01T00:00:00Z", zone="z"):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "creationTimestamp": made, "labels": {"zone": zone}},
            "spec": {"containers": [{"name": "c", "image": "i"}]},
            "status": {"phase": "Running", **({"startTime": start} if start else {})}}


def started_model(custom):
    m = RowModel(BY_NAME["pods"])
    m.now = 1_700_000_000.0  # 2023-11-14T22:13:20Z
    pods = [started("a", "2023-11-11T22:13:20Z", zone="b"), started("b", "2023-11-14T22:03:20Z", zone="d"),
            started("c", "2023-11-14T22:12:50Z", zone="a"), started("d", "2023-11-14T20:13:20Z", zone="c"),
            started("e", None, zone="e")]  # (not started: no time)
    m.load({("default", p["metadata"]["name"]): p for p in pods})
    m.set_custom(custom)
    return m


def order(m):
    return [m.row_at(i).key[1] for i in range(len(m))]


def test_a_time_column_sorts_by_age_as_k9s_sorts_a_duration_not_as_text():
    m = started_model(ViewColumns((ColumnSpec("NAME"), ColumnSpec("STARTED", path=".status.startTime", time=True))))
    m.set_sort("STARTED", True)
    i = m.col_index("STARTED")
    assert [m.cells(m.row_at(j))[i] for j in range(len(m))] == ["30s", "10m", "120m", "3d", "<none>"]
    m.set_sort("STARTED", False)
    assert order(m) == ["e", "a", "d", "b", "c"]


def test_a_jsonpath_column_named_age_or_name_sorts_by_its_own_cells():
    m = started_model(ViewColumns((ColumnSpec("NAME", path=".metadata.labels.zone"),
                                   ColumnSpec("AGE", path=".status.startTime", time=True))))
    m.set_sort("NAME", True)  # the zone label, not the pod's name
    assert order(m) == ["c", "a", "d", "b", "e"]
    m.set_sort("AGE", True)  # when it started, not when it was made (all at once)
    assert order(m) == ["c", "b", "d", "a", "e"]


def test_sorting_on_a_wide_or_hidden_jsonpath_column_as_k9s_does():
    for flags in ({"wide": True}, {"hidden": True}):
        m = started_model(ViewColumns((ColumnSpec("NAME"), ColumnSpec("ZONE", path=".metadata.labels.zone", **flags),
                                       ColumnSpec("STARTED", path=".status.startTime", time=True, **flags))))
        assert m.col_index("ZONE") is None and m.col_index("STARTED") is None
        m.set_sort("ZONE", True)
        assert order(m) == ["c", "a", "d", "b", "e"], flags
        m.set_sort("STARTED", True)
        assert order(m) == ["c", "b", "d", "a", "e"], flags
        keyed = m.sort_keys("ZONE", m.sort_snapshot())  # (a worker thread's sort of many rows: the same)
        assert m.apply_sort("ZONE", True, keyed) and order(m) == ["c", "a", "d", "b", "e"]


def test_the_merged_contexts_view_sorts_on_a_hidden_jsonpath_column_too():
    from k9py.view.merged_rows import MergedRowModel
    m = MergedRowModel(BY_NAME["pods"])
    m.now = 1_700_000_000.0
    m.load_context("a", {("default", n): started(n, "2023-11-14T22:03:20Z", zone=z) for n, z in (("x", "b"), ("y", "a"))})
    m.set_custom(ViewColumns((ColumnSpec("NAME"), ColumnSpec("ZONE", path=".metadata.labels.zone", hidden=True))))
    m.set_sort("ZONE", True)
    assert order(m) == ["y", "x"]
    m.set_sort("ZONE", False)
    assert order(m) == ["x", "y"]
