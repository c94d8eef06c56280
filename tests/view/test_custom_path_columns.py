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
