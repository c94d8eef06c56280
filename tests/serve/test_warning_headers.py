"""A Warning names what the request body held (an unknown field's name): its CR LF could end the
header and start another (X-Injected: yes was a header of the answer), and a character latin-1
has not (U+2028, é: Python's send_header writes latin-1) made serve send no answer at all, after
the object was stored. Go's server writes a header's CR and LF as spaces and its UTF-8 as is."""

from __future__ import annotations

import http.client
import json


def _create(served, name: str, field: str) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection(served.host, served.port, timeout=10)
    body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, field: 1})
    conn.request("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Warn", body,
                 {"Content-Type": "application/json"})
    return conn.getresponse()


def test_a_warning_cannot_inject_a_header(served):
    resp = _create(served, "inject", "x\r\nX-Injected: yes")
    assert resp.status == 201
    assert resp.getheader("X-Injected") is None
    assert resp.getheader("Warning") == '299 - "unknown field \\"x  X-Injected: yes\\""'


def test_a_warning_beyond_latin_1_is_sent_as_utf_8(served):
    resp = _create(served, "wide", "caf\u00e9\u2028")
    assert resp.status == 201 and json.loads(resp.read())["metadata"]["name"] == "wide"
    sent = resp.getheader("Warning").encode("latin-1").decode("utf-8")  # (http.client reads latin-1)
    assert sent == '299 - "unknown field \\"caf\u00e9\u2028\\""'
