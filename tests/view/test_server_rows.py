"""A kind without a printer (a CRD on a live cluster) shows the server Table's cells; its date
columns are ages worked out at each tick, not the age the Table was sent with."""

from k9py.kube.timefmt import parse_time
from k9py.view import kinds
from k9py.view.printers import AGE_DOC
from k9py.view.printers_crd import COLUMN_DOC
from k9py.view.server_rows import ServerTableModel

MADE = "2026-12-06T21:21:23Z"
STARTED = "2026-12-06T21:22:23Z"


def widget(name: str) -> dict:
    return {"apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": {"name": name, "namespace": "default", "creationTimestamp": MADE},
            "spec": {"size": 3}, "status": {"startTime": STARTED}}


def table(*names: str) -> dict:
    return {"kind": "Table", "columnDefinitions": [
        {"name": "Name", "type": "string", "format": "name"},
        {"name": "Size", "type": "integer", "description": COLUMN_DOC + ".spec.size"},
        {"name": "Started", "type": "date", "description": COLUMN_DOC + ".status.startTime"},
        {"name": "Age", "type": "date", "description": COLUMN_DOC + ".metadata.creationTimestamp"}],
        "rows": [{"cells": [n, 3, "0s", "0s"], "object": {"metadata": {"name": n, "namespace": "default"}}}
                 for n in names]}


def cells(m: ServerTableModel, key) -> list[str]:
    return list(m.cells(m.rows[key]))


def test_date_columns_age_as_time_passes():
    made = parse_time(MADE)
    m = ServerTableModel(kinds.lookup("pods"))  # (any view: the Table gives the columns)
    m.now = made + 60
    m.load({("default", "w1"): widget("w1")})
    m.set_table(table("w1"))
    assert [c.name for c in m.columns] == ["NAME", "SIZE", "STARTED", "AGE"]
    assert cells(m, ("default", "w1")) == ["w1", "3", "0s", "60s"]
    m.now = made + 65 + 60
    assert cells(m, ("default", "w1")) == ["w1", "3", "65s", "2m5s"]  # kubectl get would print these now
    m.now = made + 3600
    assert cells(m, ("default", "w1")) == ["w1", "3", "59m", "60m"]


def test_a_row_newer_than_the_table_has_its_age_and_builtin_age_columns_tick_too():
    made = parse_time(MADE)
    m = ServerTableModel(kinds.lookup("pods"))
    m.now = made + 30
    m.load({("default", "w1"): widget("w1"), ("default", "w2"): widget("w2")})
    m.set_table({"kind": "Table", "columnDefinitions": [
        {"name": "Name", "type": "string", "format": "name"},
        {"name": "Age", "type": "string", "description": AGE_DOC}],  # a built-in printer's Age
        "rows": [{"cells": ["w1", "1s"], "object": {"metadata": {"name": "w1", "namespace": "default"}}}]})
    assert cells(m, ("default", "w1")) == ["w1", "30s"]
    assert cells(m, ("default", "w2")) == ["w2", "30s"]  # not in the Table yet: its name and its age
