"""A lone UTF-16 surrogate in a JSON body is stored as U+FFFD, as the apiserver's Go decoder does,
so every later encoding (protobuf, YAML, a file, the terminal) can write it; a proper
surrogate pair stays the character it encodes."""

from __future__ import annotations

from k9py.kube.unicode import may_hold_surrogates, replace_lone_surrogates
from tests.serve.conftest import Client

BODY = (b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"s","annotations":{"note":"a\\ud800b"}},'
        b'"data":{"k":"\\ud800x","smile":"\\ud83d\\ude00"}}')


def test_lone_surrogates_are_replaced_on_the_way_in(served):
    c = Client(served)
    code, _, _ = c.call("POST", "/api/v1/namespaces/default/configmaps", raw=BODY)
    assert code == 201
    stored = served.cluster.store.get("ConfigMap", "default", "s")
    assert stored["data"] == {"k": "\ufffdx", "smile": "\U0001f600"}
    assert stored["metadata"]["annotations"]["note"] == "a\ufffdb"
    code, got, _ = c.call("GET", "/api/v1/namespaces/default/configmaps/s")
    assert code == 200 and got["data"]["k"] == "\ufffdx"


def test_replace_lone_surrogates_walks_keys_values_and_lists():
    assert replace_lone_surrogates({"\ud800": ["\udc00", 1, None, {"x": "ok\ud834"}]}) == \
        {"\ufffd": ["\ufffd", 1, None, {"x": "ok\ufffd"}]}
    assert replace_lone_surrogates("\U0001f600") == "\U0001f600"
    assert may_hold_surrogates(r'{"a":"\uD801"}') and not may_hold_surrogates(r'{"a":"\u00e9"}')
