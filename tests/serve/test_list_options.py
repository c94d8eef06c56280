"""List and watch options kube-apiserver refuses before it reads anything (ValidateListOptions):
a 422 on ListOptions.meta.k8s.io in its words, every problem named; and ``resourceVersionMatch``
answered as a server that keeps only the current version can: the current list, 410 for an
older exact version (etcd's answer once it compacted it), 504 for a version not reached yet."""

from __future__ import annotations

from typing import Any

import pytest

from k9py.serve.api import Api
from k9py.serve.http import Request
from tests.samples import api_with_pods

PODS = "/api/v1/namespaces/load-00/pods"


@pytest.fixture
def api() -> Api:
    return api_with_pods(2, 12, 2)


def call(api: Api, **query: str) -> tuple[int, Any]:
    resp = api.handle(Request("GET", PODS, query, {"accept": "application/json"}))
    return resp.code, resp.body


def refused(api: Api, **query: str) -> tuple[str, list[dict[str, str]]]:
    code, body = call(api, **query)
    assert code == 422 and body["reason"] == "Invalid", body
    assert body["details"] == {"group": "meta.k8s.io", "kind": "ListOptions", "causes": body["details"]["causes"]}
    return body["message"], body["details"]["causes"]


def current(api: Api) -> int:
    return api.cluster.store.resource_version


@pytest.mark.parametrize(("query", "message"), [
    ({"resourceVersion": "0", "resourceVersionMatch": "Exact"},
     'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is '
     'forbidden for resourceVersion "0"'),
    ({"resourceVersionMatch": "Exact"},
     'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden '
     'unless resourceVersion is provided'),
    ({"resourceVersionMatch": "NotARealMatch"},
     'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden '
     'unless resourceVersion is provided, resourceVersionMatch: Unsupported value: "NotARealMatch": supported '
     'values: "Exact", "NotOlderThan", ""]'),
    ({"resourceVersion": "5", "resourceVersionMatch": "NotOlderThan", "continue": "x"},
     'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden '
     'when continue is provided'),
    ({"sendInitialEvents": "true"},
     'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list'),
])
def test_options_a_list_may_not_have_are_a_422_in_the_apiservers_words(api: Api, query: dict[str, str],
                                                                       message: str) -> None:
    got, causes = refused(api, **query)
    assert got == message
    assert {c["reason"] for c in causes} <= {"FieldValueForbidden", "FieldValueNotSupported"}
    assert all(c["field"] in ("resourceVersionMatch", "sendInitialEvents") for c in causes)


def test_a_watch_with_a_match_needs_initial_events_and_not_older_than(api: Api) -> None:
    msg, _ = refused(api, watch="1", resourceVersion="0", resourceVersionMatch="NotOlderThan")
    assert msg.endswith("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless "
                        "sendInitialEvents is provided")
    msg, causes = refused(api, watch="1", sendInitialEvents="true", allowWatchBookmarks="true",
                          resourceVersionMatch="Exact", resourceVersion="3")
    assert [c["message"] for c in causes] == [
        "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
        'Unsupported value: "Exact": supported values: "NotOlderThan"']
    msg, _ = refused(api, watch="1", sendInitialEvents="true", allowWatchBookmarks="true")
    assert "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan" in msg


def test_a_match_is_answered_with_the_current_list_or_why_not(api: Api) -> None:
    now = current(api)
    whole = call(api)[1]
    for match in ("Exact", "NotOlderThan"):
        code, body = call(api, resourceVersion=str(now), resourceVersionMatch=match)
        assert code == 200 and body["items"] == whole["items"] and body["metadata"]["resourceVersion"] == str(now)
    code, body = call(api, resourceVersion="1", resourceVersionMatch="NotOlderThan")  # older: the current one will do
    assert code == 200 and len(body["items"]) == len(whole["items"]) == 6
    code, body = call(api, resourceVersion=str(now - 1), resourceVersionMatch="Exact")
    assert (code, body["reason"], body["message"]) == (410, "Expired", "The resourceVersion for the provided list is too old.")
    for match in ("Exact", "NotOlderThan"):
        code, body = call(api, resourceVersion=str(now + 5), resourceVersionMatch=match)
        assert (code, body["reason"]) == (504, "Timeout")
        assert body["message"] == f"Timeout: Too large resource version: {now + 5}, current: {now}"
        assert body["details"]["causes"][0]["reason"] == "ResourceVersionTooLarge"
        assert body["details"]["retryAfterSeconds"] == 1
    for bad in ("abc", "-1"):
        code, body = call(api, resourceVersion=bad, resourceVersionMatch="NotOlderThan")
        assert (code, body["message"]) == (400, f"invalid resource version: '{bad}'")
    assert call(api, resourceVersion="1")[0] == 200  # no match: the legacy meaning, answered as of now


def test_parameters_that_do_not_parse_are_a_400_before_the_options_422(api: Api) -> None:
    """The apiserver decodes the query first (a selector that does not parse: 400), then
    validates the options it decoded (422)."""
    code, _ = call(api, labelSelector="a in (b", resourceVersionMatch="Bogus")
    assert code == 400
    resp = api.handle(Request("GET", PODS, {"watch": "1", "sendInitialEvents": "true",
                                            "resourceVersionMatch": "NotOlderThan"}, {"accept": "application/json"}))
    assert resp.code == 422 and resp.body["details"]["kind"] == "ListOptions"
    assert resp.body["details"]["group"] == "meta.k8s.io"
    assert resp.body["message"] == ('ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: '
                                    'sendInitialEvents requires setting allowWatchBookmarks to true')
