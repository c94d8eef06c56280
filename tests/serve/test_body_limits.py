"""Request bodies over the apiserver's 3 MiB limit are a 413 Status, read or not."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

from k9py.serve.http import MAX_BODY

CMS = "/api/v1/namespaces/default/configmaps"


def test_a_write_over_3_mib_is_413(client):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"}, "data": {"a": "x" * (3 * 1024 * 1024)}}
    code, status, _ = client.call("POST", CMS, body)
    assert (code, status["reason"], status["message"]) == (413, "RequestEntityTooLarge",
                                                           "Request entity too large: limit is 3145728")
    code, status, _ = client.call("PUT", f"{CMS}/big", body)
    assert code == 413
    # before the write options are checked (a bad dryRun is a 422 after), a subresource's too
    code, status, _ = client.call("POST", f"{CMS}?dryRun=Bogus", body)
    assert (code, status["reason"]) == (413, "RequestEntityTooLarge")
    code, status, _ = client.call("PUT", "/apis/apps/v1/namespaces/default/deployments/nginx-deployment/scale?dryRun=Bogus", body)
    assert (code, status["reason"]) == (413, "RequestEntityTooLarge")


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


def _raw(served, request: bytes) -> bytes:
    import socket
    s = socket.create_connection((served.host, served.port), timeout=10)
    s.sendall(request)
    data = b""
    while chunk := s.recv(65536):  # the server closes a connection it cannot frame
        data += chunk
    s.close()
    return data


CM = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"smuggled"}}'


@pytest.mark.parametrize("framing, message", [
    (b"Content-Length: -5\r\n", "bad Content-Length: '-5'"),
    (b"Content-Length: abc\r\n", "bad Content-Length: 'abc'"),
    (b"Content-Length: 2\r\nContent-Length: 70\r\n", "http: message cannot contain multiple Content-Length headers"),
    (b"Transfer-Encoding: chunked\r\n", "bad chunk length: 'zz'"),
], ids=["negative", "letters", "two-lengths", "bad-chunk"])
def test_a_body_that_cannot_be_framed_is_400_and_nothing_after_it_is_run(served, client, framing, message):
    """A Content-Length of -5 was read as no body, so the body's bytes were taken as the next
    request on the connection (a POST smuggled past whatever fronts the server); 'abc' or a
    bad chunk size was a 400 in Python's words (invalid literal for int()). Each is Go's 400
    and the connection is closed, nothing after it read."""
    body = b"zz\r\n" if b"chunked" in framing else b"{}"
    smuggled = (b"POST " + CMS.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: " + str(len(CM)).encode() + b"\r\n\r\n" + CM)
    data = _raw(served, b"POST " + CMS.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + framing + b"\r\n" + body + smuggled)
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and data.count(b"HTTP/1.1") == 1
    status = json.loads(rest)
    assert (status["reason"], status["message"]) == ("BadRequest", message)
    got = client.call("GET", f"{CMS}/smuggled")
    assert got[0] == 404, got
