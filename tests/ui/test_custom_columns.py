"""views.yaml (k9s's custom columns) in the app: the pods view shows the columns it names in its
order, NAMESPACE where it says (with ctrl-w for a |W one, first otherwise when every namespace
shows), the sort it names, and the other views keep kubectl's columns."""

from __future__ import annotations

from k9py.config.user import UserConfig
from k9py.view.custom_columns import ColumnSpec, ViewColumns
from tests.ui.simcluster import command, run, settle

PODS = ViewColumns((ColumnSpec("AGE"), ColumnSpec("NAMESPACE", wide=True), ColumnSpec("NAME"), ColumnSpec("IP"),
                    ColumnSpec("NODE", hidden=True), ColumnSpec("STATUS"), ColumnSpec("READY")), ("NAME", False))


def header(app) -> list[str]:
    return [c.name for c in app.model.columns]


def test_views_yaml_columns_order_wide_and_sort():
    user = UserConfig(views={"pods": PODS})

    async def s(app, pilot, cluster):
        assert header(app) == ["AGE", "NAME", "IP", "STATUS", "READY"]
        m = app.model
        names = [m.row_at(i).key[1] for i in range(len(m))]
        assert names == sorted(names, reverse=True)  # sortColumn: NAME:desc
        row = m.row_at(0)
        assert m.cells(row)[1] == row.key[1] and m.cells(row)[3] == "Running"
        await pilot.press("0")  # every namespace: the namespace is said first (its |W place needs wide)
        await settle(app, pilot)
        assert header(app) == ["NAMESPACE", "AGE", "NAME", "IP", "STATUS", "READY"]
        await pilot.press("ctrl+w")
        await settle(app, pilot)
        assert header(app)[:6] == ["AGE", "NAMESPACE", "NAME", "IP", "STATUS", "READY"]
        row = app.model.row_at(0)
        assert app.model.cells(row)[1] == row.key[0]
        await pilot.press("S")  # a sort key on a custom column
        await settle(app, pilot)
        assert app.model.sort_col == "STATUS"
        await command(app, pilot, "deploy")
        assert header(app)[:2] == ["NAMESPACE", "NAME"] and "UP-TO-DATE" in header(app)
    run(s, user=user)


def test_ctrl_w_adds_the_views_other_columns_after_the_custom_ones_and_a_filter_still_matches_them():
    """k9s: "Going wide will add all the remaining columns that are available on the given resource
    after your custom columns"; its filter matches a row's every column, listed or not (|H ones
    excepted): /Running finds running pods in a view whose columns leave STATUS out."""
    user = UserConfig(views={"pods": ViewColumns((ColumnSpec("NAME"), ColumnSpec("AGE"), ColumnSpec("IP"),
                                                  ColumnSpec("NODE", hidden=True)))})

    async def s(app, pilot, cluster):
        assert header(app) == ["NAME", "AGE", "IP"]
        await pilot.press("slash", *"running", "enter")
        await settle(app, pilot)
        running = [app.model.row_at(i).key[1] for i in range(len(app.model))]
        assert "counter" in running and "web" in running
        await pilot.press("slash", *"minikube-m0", "enter")  # a |H column stays out of the filter
        await settle(app, pilot)
        assert len(app.model) == 0
        await pilot.press("escape")
        await pilot.press("ctrl+w")
        await settle(app, pilot)
        got = header(app)
        assert got[:3] == ["NAME", "AGE", "IP"] and {"READY", "STATUS", "RESTARTS", "QOS"} <= set(got[3:])
        assert "NODE" not in got and len(got) == len(set(got))
        row = app.model.row_at(0)
        assert app.model.cells(row)[got.index("STATUS")] == "Running"
        await pilot.press("ctrl+w")
        await settle(app, pilot)
        assert header(app) == ["NAME", "AGE", "IP"]
    run(s, user=user)


def test_several_warnings_at_start_are_counted_first_on_the_flash_line():
    """views.yaml and the k9s community plugins give dozens of warnings: joined on one line,
    the flash was cut at the terminal's edge and said nothing of the others; it counts them
    first and says k9py info lists them."""
    notes = [f"/cfg/views.yaml:{n}: views.bozo{n}: no built-in view of that name" for n in range(3)]

    async def s(app, pilot, cluster):
        assert app.flash_text.startswith("3 warnings (k9py info lists them): /cfg/views.yaml:0: views.bozo0")
    run(s, user=UserConfig(warnings=notes))


def test_a_namespace_entry_gives_the_view_its_columns_in_the_namespaces_it_names():
    """views.yaml's v1/pods@kube.* (k9s v0.40.6): the pods view in kube-system shows its columns,
    in default and across every namespace the view's own."""
    user = UserConfig(views={"pods": ViewColumns((ColumnSpec("NAME"), ColumnSpec("AGE"))),
                             "pods@kube.*": ViewColumns((ColumnSpec("NAME"), ColumnSpec("NODE")))})

    async def s(app, pilot, cluster):
        assert header(app) == ["NAME", "AGE"]
        await command(app, pilot, "pods kube-system")
        assert header(app) == ["NAME", "NODE"]
        await pilot.press("0")
        await settle(app, pilot)
        assert header(app) == ["NAMESPACE", "NAME", "AGE"]
    run(s, user=user)
