"""The merged model's rows per context: a relist of one context leaves the others' rows alone."""

from __future__ import annotations

from k9py.view import kinds
from k9py.view.merged_rows import MergedRowModel
from k9py.view.printers_format import INVALID


def pod(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "app"}]}, "status": {"phase": "Running"}}


def test_a_relist_of_one_context_diffs_it_and_leaves_the_others_rows_alone():
    m = MergedRowModel(kinds.lookup("pods"))
    a = {("default", n): pod(n) for n in ("web", "db")}
    b = {("default", n): pod(n) for n in ("web", "cache")}
    m.load_context("a", a)
    m.load_context("b", b)
    assert sorted(m.rows) == [("default", "cache", "b"), ("default", "db", "a"),
                              ("default", "web", "a"), ("default", "web", "b")]
    a_rows = {k: r for k, r in m.rows.items() if k[2] == "a"}
    b.pop(("default", "cache"))
    b[("default", "queue")] = pod("queue")
    m.load_context("b", b)  # b relisted: cache gone, queue new
    assert sorted(m.rows) == [("default", "db", "a"), ("default", "queue", "b"),
                              ("default", "web", "a"), ("default", "web", "b")]
    assert all(m.rows[k] is r for k, r in a_rows.items())  # a's rows untouched
    assert [m.row_at(i).key for i in range(len(m))] == sorted(m.rows, key=lambda k: (k[1], k[0], k[2]))


def test_an_object_a_diff_added_goes_when_a_relist_no_longer_has_it():
    m = MergedRowModel(kinds.lookup("pods"))
    a = {("default", "web"): pod("web")}
    m.load_context("a", a)
    m.load_context("b", {("default", "web"): pod("web")})
    seen = dict(a)
    seen[("default", "new")] = pod("new")
    m.apply_context("a", [("default", "new")], [], [], seen.get)  # the informer's diff
    assert ("default", "new", "a") in m.rows
    m.load_context("a", {("default", "web"): pod("web")})  # a reconnect: "new" was deleted meanwhile
    assert sorted(m.rows) == [("default", "web", "a"), ("default", "web", "b")]


def test_a_malformed_object_in_one_context_is_shown_and_sorted_not_a_crash():
    m = MergedRowModel(kinds.lookup("pods"))
    odd = pod("odd")
    odd["spec"]["containers"] = "not a list"
    odd["metadata"]["creationTimestamp"] = 12345
    dated = {**pod("web"), "metadata": {"name": "web", "namespace": "default",
                                         "creationTimestamp": "2026-11-01T09:00:00Z"}}
    m.load_context("a", {("default", "odd"): odd, ("default", "web"): dated})
    m.load_context("b", {("default", "web"): dated})
    row = next(r for r in m.rows.values() if r.key[1] == "odd")
    assert m.cells(row)[:2] == ("a", "odd") and INVALID in m.cells(row)
    m.set_sort("AGE")  # the one made at no time sorts as the oldest: last
    assert m.row_at(len(m) - 1).key == ("default", "odd", "a")
