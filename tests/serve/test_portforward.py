"""``pods/portforward`` over SPDY/3.1 against an in-thread server and the simulator's userland,
driven by a raw socket speaking ``k9py.serve.spdy`` (what kubectl does: one error and one data
stream per connection): the upgrade, the refusals before it, HTTP answered by nginx, the kubelet's
error text when nothing listens. kubectl itself: ``test_kubectl_portforward_e2e.py``."""

from __future__ import annotations

import socket
import time

import pytest

from k9py.serve import spdy
from k9py.serve.server import ServeHandle
from k9py.sim.logs import instance_logs
from tests.serve.conftest import small_cluster

DEADLINE = 10.0
PATH = "/api/v1/namespaces/default/pods/{}/portforward"


@pytest.fixture(scope="module")
def handle():
    h = ServeHandle(small_cluster(), speed=None).start()
    with h.cluster.lock:
        h.cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
                          "spec": {"containers": [{"name": "web", "image": "nginx"}]}})
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        with h.cluster.lock:
            pod = h.cluster.store.get("Pod", "default", "web")
            if (pod.get("status") or {}).get("phase") == "Running" and (pod.get("status") or {}).get("podIP"):
                break
        h.advance(5)
    yield h
    h.stop()


def _request(h: ServeHandle, pod: str, extra: str) -> tuple[socket.socket, bytes]:
    sock = socket.create_connection((h.host, h.port), timeout=DEADLINE)
    sock.sendall(f"POST {PATH.format(pod)} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n{extra}\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            break
        head += chunk
    return sock, head


def _spdy(h: ServeHandle, pod: str = "web") -> socket.socket:
    sock, head = _request(h, pod, "Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n")
    assert head.startswith(b"HTTP/1.1 101 ")
    assert b"\r\nUpgrade: SPDY/3.1\r\n" in head and b"\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\n" in head
    return sock


def _forward(sock: socket.socket, conn: spdy.Connection, port: int, request: bytes | list[bytes],
             rid: int) -> dict[int, list[spdy.Frame]]:
    """One forwarded connection (streams 2rid+1 error, 2rid+3 data): every frame per stream until both end.
    A list of requests parts goes in as one data frame each."""
    err, dat = 4 * rid + 1, 4 * rid + 3
    h = [("port", str(port)), ("requestid", str(rid))]
    parts = request if isinstance(request, list) else [request]
    sock.sendall(conn.syn_stream(err, [("streamtype", "error"), *h]) + spdy.data(err, fin=True)
                 + conn.syn_stream(dat, [("streamtype", "data"), *h]) + b"".join(spdy.data(dat, p) for p in parts))
    got: dict[int, list[spdy.Frame]] = {err: [], dat: []}
    ended: set[int] = set()
    while ended != {err, dat}:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed; got {got}"
        conn.feed(chunk)
        for f in conn.frames():
            got.setdefault(f.stream_id, []).append(f)
            if f.kind == 0 and f.fin:
                ended.add(f.stream_id)
    return got


def _payload(frames: list[spdy.Frame]) -> bytes:
    return b"".join(f.payload for f in frames if f.kind == 0)


def test_http_through_the_forward_and_the_access_log(handle):
    sock = _spdy(handle)
    conn = spdy.Connection()
    try:
        sock.sendall(spdy.ping(7))
        pongs = []
        for rid in range(2):  # two connections over one session
            got = _forward(sock, conn, 80, b"GET / HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: probe/1\r\n\r\n", rid)
            err, dat = 4 * rid + 1, 4 * rid + 3
            assert [f.kind for f in got[err]][:1] == [spdy.SYN_REPLY] and _payload(got[err]) == b""
            reply = _payload(got[dat])
            assert reply.startswith(b"HTTP/1.1 200 OK\r\nServer: nginx/")
            head, body = reply.split(b"\r\n\r\n", 1)
            assert b"Welcome to nginx!" in body and f"Content-Length: {len(body)}".encode() in head
            pongs += [f.value for f in got.get(0, []) if f.kind == spdy.PING]
        assert pongs == [7]
    finally:
        sock.close()
    with handle.cluster.lock:
        pod = handle.cluster.store.get("Pod", "default", "web")
        cid = pod["status"]["containerStatuses"][0]["containerID"]
        lines, _ = instance_logs(handle.cluster, "default", "web", "web", cid)
    access = [ln.split(" ", 1)[1] for ln in lines if '"probe/1"' in ln]
    assert len(access) == 2 and all(a.startswith("127.0.0.1 - - [") and '"GET / HTTP/1.1" 200 ' in a for a in access), access


def test_a_post_waits_for_its_body_and_nginx_refuses_it(handle):
    """The request's body may follow its head in later frames: answered once Content-Length bytes
    are in; nginx's static server answers a POST with 405, logged from 127.0.0.1 (the kubelet dials
    localhost inside the pod)."""
    from k9py.sim.userland.loopback import request_complete
    assert not request_complete(b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello")
    assert request_complete(b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world")
    assert request_complete(b"GET / HTTP/1.1\r\n\r\n")
    sock = _spdy(handle)
    try:
        got = _forward(sock, spdy.Connection(), 80, [b"POST /index.html HTTP/1.1\r\nHost: localhost\r\n"
                                                     b"User-Agent: poster/1\r\nContent-Length: 11\r\n\r\nhello", b" world"], 0)
    finally:
        sock.close()
    head, body = _payload(got[3]).split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 405 Not Allowed\r\nServer: nginx/")
    assert body.startswith(b"<html>\r\n<head><title>405 Not Allowed</title></head>") and len(body) == 157
    with handle.cluster.lock:
        cid = handle.cluster.store.get("Pod", "default", "web")["status"]["containerStatuses"][0]["containerID"]
        lines, _ = instance_logs(handle.cluster, "default", "web", "web", cid)
    (line,) = [ln.split(" ", 1)[1] for ln in lines if '"poster/1"' in ln]
    assert line.startswith("127.0.0.1 - - [") and line.endswith('"POST /index.html HTTP/1.1" 405 157 "-" "poster/1" "-"')


def test_nothing_listening_answers_on_the_error_stream(handle):
    sock = _spdy(handle)
    try:
        got = _forward(sock, spdy.Connection(), 81, b"GET / HTTP/1.1\r\n\r\n", 0)
    finally:
        sock.close()
    text = _payload(got[1]).decode()
    assert text.startswith("error forwarding port 81 to pod ") and ", uid : failed to connect to localhost:81 inside namespace " in text
    assert "IPv4: dial tcp4 127.0.0.1:81: connect: connection refused" in text
    assert _payload(got[3]) == b""


def test_refusals_before_the_upgrade(handle):
    sock, head = _request(handle, "nope", "Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n")
    sock.close()
    assert head.startswith(b"HTTP/1.1 404 ")
    # kubectl's first try, SPDY tunnelled in a WebSocket: refused, so that it falls back to SPDY
    sock, head = _request(handle, "web", "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io\r\n")
    sock.close()
    assert head.startswith(b"HTTP/1.1 400 ")
    sock, head = _request(handle, "web", "")
    sock.close()
    assert head.startswith(b"HTTP/1.1 400 ")
