"""Paged lists (``limit`` + ``continue``, as kubectl and client-go page) served from the list
cache: every object once and in order, whatever changes between pages, with a page costing
O(page) (the kind is listed once per change, not once per page); a burst of changes reaches a
watch in a few chunks."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from k9py.serve.api import Api
from k9py.serve.http import Request
from tests.samples import api_with_pods

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


@pytest.fixture
def api() -> Api:
    return api_with_pods(3, 40, 4)


def get(api: Api, path: str, accept: str = "application/json", **query: str) -> Any:
    resp = api.handle(Request("GET", path, query, {"accept": accept}))
    assert resp.code == 200, resp.body
    return resp.body


def keys(items: list[dict]) -> list[tuple[str, str]]:
    return [(o["metadata"].get("namespace", ""), o["metadata"]["name"]) for o in items]


def pages(api: Api, path: str, limit: int, accept: str = "application/json", **query: str) -> list[Any]:
    out, token = [], ""
    while True:
        q = {"limit": str(limit), **query, **({"continue": token} if token else {})}
        body = get(api, path, accept, **q)
        out.append(body)
        token = body["metadata"].get("continue", "")
        if not token:
            return out


def count_lists(api: Api, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    store = api.cluster.store
    real = store.list

    def spy(kind: str, *a: Any, **kw: Any) -> Any:
        calls.append(kind)
        return real(kind, *a, **kw)

    monkeypatch.setattr(store, "list", spy)
    return calls


def test_pages_give_the_whole_list_in_order_with_remaining_counts(api: Api) -> None:
    whole = keys(get(api, "/api/v1/pods")["items"])
    assert len(whole) == 47 and whole == sorted(whole)
    got = pages(api, "/api/v1/pods", 10)
    assert keys([o for p in got for o in p["items"]]) == whole
    assert [len(p["items"]) for p in got] == [10, 10, 10, 10, 7]
    assert [p["metadata"].get("remainingItemCount") for p in got] == [37, 27, 17, 7, None]
    rows = [r for p in pages(api, "/api/v1/pods", 9, TABLE) for r in p["rows"]]  # kubectl's Table pages
    assert [(r["object"]["metadata"]["namespace"], r["cells"][0]) for r in rows] == whole
    ns = pages(api, "/api/v1/namespaces/load-01/pods", 4, labelSelector="app in (app-1,app-5,app-9)")
    assert keys([o for p in ns for o in p["items"]]) == keys(
        get(api, "/api/v1/namespaces/load-01/pods", labelSelector="app in (app-1,app-5,app-9)")["items"])


def test_a_list_at_any_version_is_answered_whole_as_the_watch_cache_answers_it(api: Api) -> None:
    """``resourceVersion=0`` (any version, client-go's first list of an informer): the whole
    list in one response, ``limit`` ignored, as kube-apiserver's watch cache answers it."""
    whole = get(api, "/api/v1/pods")
    body = get(api, "/api/v1/pods", limit="10", resourceVersion="0")
    assert keys(body["items"]) == keys(whole["items"]) and len(body["items"]) == 47
    assert "continue" not in body["metadata"] and "remainingItemCount" not in body["metadata"]
    rows = get(api, "/api/v1/pods", TABLE, limit="10", resourceVersion="0")["rows"]
    assert len(rows) == 47
    assert len(get(api, "/api/v1/pods", limit="10", resourceVersion="")["items"]) == 10  # the latest: paged


@pytest.mark.source_build
def test_a_kind_is_listed_once_for_all_its_pages_until_it_changes(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    lists = count_lists(api, monkeypatch)
    assert len(pages(api, "/api/v1/pods", 5)) == 10
    assert lists == ["Pod"]
    assert len(pages(api, "/api/v1/pods", 5, labelSelector="app=app-3")) == 1
    assert lists == ["Pod", "Pod"]  # other selectors: a snapshot of their own
    pages(api, "/api/v1/pods", 5)
    assert lists == ["Pod", "Pod"]
    with api.cluster.lock:
        api.cluster.store.mutate("Pod", "load-00", "load-app-000000", lambda p: p["metadata"]["labels"].update(x="1"))
    pages(api, "/api/v1/pods", 5)
    assert lists == ["Pod", "Pod", "Pod"]  # listed again after the change
    assert get(api, "/api/v1/namespaces/load-00/pods/load-app-000000")["metadata"]["labels"]["x"] == "1"


def test_changes_between_pages_show_in_the_pages_after_the_token(api: Api) -> None:
    first = get(api, "/api/v1/pods", limit="20")
    token = first["metadata"]["continue"]
    last_key = keys(first["items"])[-1]
    store = api.cluster.store
    with api.cluster.lock:
        after = [k for k in keys(store.list("Pod")) if k > last_key]
        store.delete("Pod", *after[0])  # gone before its page was read
        store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "zz-new", "namespace": "load-03"},
                      "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    rest = []
    while token:
        body = get(api, "/api/v1/pods", limit="20", **{"continue": token})
        rest += keys(body["items"])
        token = body["metadata"].get("continue", "")
    assert last_key < ("load-03", "zz-new")
    assert rest == sorted(set(after[1:]) | {("load-03", "zz-new")})


@pytest.mark.parametrize("token", [
    "garbage",
    base64.urlsafe_b64encode(json.dumps({"rv": "1", "ns": 1, "name": "x"}).encode()).decode(),
    base64.urlsafe_b64encode(json.dumps({"rv": "1", "ns": "a"}).encode()).decode(),
])
def test_a_bad_continue_token_is_a_400(api: Api, token: str) -> None:
    resp = api.handle(Request("GET", "/api/v1/pods", {"limit": "5", "continue": token}, {}))
    assert resp.code == 400 and "continue" in resp.body["message"]


def test_a_burst_of_changes_reaches_a_watch_in_few_chunks(api: Api) -> None:
    rv = get(api, "/api/v1/pods", limit="1")["metadata"]["resourceVersion"]
    resp = api.handle(Request("GET", "/api/v1/pods", {"watch": "1", "resourceVersion": rv}, {}))
    stream = resp.stream
    assert stream is not None
    try:
        with api.cluster.lock:
            for i in range(300):
                api.cluster.store.mutate("Pod", f"load-{i % 4:02d}", f"load-app-{i % 40:06d}",
                                         lambda p, i=i: p["metadata"]["labels"].update(burst=str(i)))
        it = iter(stream)
        chunks = [next(it), next(it)]
    finally:
        stream.close()  # type: ignore[attr-defined]
    events = [json.loads(line) for c in chunks for line in c.splitlines()]
    assert [len(c.splitlines()) for c in chunks] == [256, 44]
    assert [e["object"]["metadata"]["labels"]["burst"] for e in events] == [str(i) for i in range(300)]
    assert {e["type"] for e in events} == {"MODIFIED"}
