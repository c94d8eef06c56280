"""A Warning names what the request body held (an unknown field's name): its CR LF could end the
header and start another (X-Injected: yes was a header of the answer), and a character latin-1
has not (U+2028, é: Python's send_header writes latin-1) made serve send no answer at all, after
the object was stored. The strict decoder names the field Go-quoted (%q: CR LF as \\r\\n, U+2028 as
\\u2028, an ESC as \\x1b), which kubectl prints to the terminal; Go's server writes a header's UTF-8
as it is (and a CR or LF, which the quoting leaves none of, as a space)."""

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
    assert resp.getheader("Warning") == '299 - "unknown field \\"x\\\\r\\\\nX-Injected: yes\\""'


def test_a_warning_beyond_latin_1_is_sent_as_utf_8(served):
    resp = _create(served, "wide", "caf\u00e9\u2028")
    assert resp.status == 201 and json.loads(resp.read())["metadata"]["name"] == "wide"
    sent = resp.getheader("Warning").encode("latin-1").decode("utf-8")  # (http.client reads latin-1)
    assert sent == '299 - "unknown field \\"caf\u00e9\\\\u2028\\""'


def test_a_field_name_is_go_quoted_in_the_warning_and_in_the_strict_error(served):
    """ESC and U+2028 went to kubectl raw (a terminal's escape sequence), CR LF as spaces."""
    resp = _create(served, "esc", "a\x1b[2Jb\r\n\u2028")
    assert resp.status == 201
    assert resp.getheader("Warning") == '299 - "unknown field \\"a\\\\x1b[2Jb\\\\r\\\\n\\\\u2028\\""'
    conn = http.client.HTTPConnection(served.host, served.port, timeout=10)
    body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "strict"}, "a\x1b[2Jb\r\n\u2028": 1})
    conn.request("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", body,
                 {"Content-Type": "application/json"})
    resp = conn.getresponse()
    assert resp.status == 400
    assert json.loads(resp.read())["message"] == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: '
                                                  'strict decoding error: unknown field "a\\x1b[2Jb\\r\\n\\u2028"')
