"""Every view's row model, describe and health take any object, whatever its fields hold: one
field at a time of a real object of each kind (its top level and the first level of its
metadata, spec and status) is replaced by a value of the wrong type, and the table (load,
cells, colour, every sort, a label filter), describe and the health xray and pulses read never
fail. A compact form of the fuzz that found 357 crash sites (security.md, "Malformed objects")."""

from __future__ import annotations

from typing import Any

import pytest

from k9py.kube.meta import deep_copy
from k9py.view import health
from k9py.view.describe import describe
from k9py.view.kinds import VIEWS, ViewKind
from k9py.view.rows import RowModel
from tests.samples import small_cluster

WRONG: list[Any] = [1.5, "garbage", ["x"], {"a": 1}]


def samples() -> list[tuple[ViewKind, dict]]:
    """A real object of each kind a view of one row an object shows (the simulator's)."""
    cluster = small_cluster(1)
    out = []
    for view in VIEWS:
        if view.kind in ("Container",) or not cluster.store.count(view.kind):
            continue
        objs = cluster.store.list(view.kind)
        out.append((view, max(objs, key=lambda o: len(repr(o)))))  # the fullest one
    return out


def mutants(obj: dict) -> list[tuple[str, dict]]:
    out = []
    for key, value in obj.items():
        if key in ("kind", "apiVersion"):
            continue
        paths = [] if key == "metadata" else [(key,)]  # (a map with a name: as every source types it)
        if key in ("metadata", "spec", "status") and isinstance(value, dict):
            paths += [(key, inner) for inner in value if (key, inner) not in (("metadata", "name"),
                                                                                ("metadata", "namespace"))]
        for path in paths:
            for wrong in WRONG:
                m = deep_copy(obj)
                target = m
                for p in path[:-1]:
                    target = target[p]
                target[path[-1]] = wrong
                out.append((".".join(path) + f"={wrong!r}", m))
    return out


@pytest.mark.parametrize("view,obj", [pytest.param(v, o, id=v.name) for v, o in samples()])
def test_no_view_fails_on_a_field_of_the_wrong_type(view, obj):
    name = obj["metadata"]["name"]
    key = (obj["metadata"].get("namespace") or "", name)
    for what, m in mutants(obj):
        model = RowModel(view, all_namespaces=True)
        model.now = 1_800_000_000.0
        model.load({key: m})
        assert len(model) == 1, what
        row = model.row_at(0)
        cells = model.cells(row)
        assert cells[model.col_index("NAME")].startswith(name) and all(isinstance(c, str) for c in cells), what
        assert isinstance(model.style(row), str), what
        for col in [c.name for c in model.columns]:
            model.set_sort(col)
        model.set_filter("-l app=x")
        text = describe(m, events=[], now=1_800_000_000.0)
        assert isinstance(text, str) and text, what
        assert health.of(m) in (health.OK, health.WARN, health.ERROR, health.COMPLETED), what
