"""Request bodies over the apiserver's 3 MiB limit are a 413 Status, read or not."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from k9py.serve.http import MAX_BODY

CMS = "/api/v1/namespaces/default/configmaps"


def test_a_write_over_3_mib_is_413(client):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}, "data": {"a": "x" * (3 * 1024 * 1024)}}
    code, status, _ = client.call("POST", CMS, body)
    assert (code, status["reason"], status["message"]) == (413, "RequestEntityTooLarge",
                                                           "Request entity too large: limit is 3145728")
    code, status, _ = client.call("PUT", f"{CMS}/big", body)
    assert code == 413


def test_a_body_too_large_to_read_is_413(served):
    u = urlsplit(served.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.putrequest("POST", CMS)
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(MAX_BODY + 1))
    conn.endheaders()
    resp = conn.getresponse()
    status = json.loads(resp.read())
    assert resp.status == 413 and status["message"] == "Request entity too large: limit is 3145728"
    conn.close()
