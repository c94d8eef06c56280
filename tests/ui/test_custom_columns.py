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
        assert header(app) == ["AGE", "NAMESPACE", "NAME", "IP", "STATUS", "READY"]
        row = app.model.row_at(0)
        assert app.model.cells(row)[1] == row.key[0]
        await pilot.press("S")  # a sort key on a custom column
        await settle(app, pilot)
        assert app.model.sort_col == "STATUS"
        await command(app, pilot, "deploy")
        assert header(app)[:2] == ["NAMESPACE", "NAME"] and "UP-TO-DATE" in header(app)
    run(s, user=user)
