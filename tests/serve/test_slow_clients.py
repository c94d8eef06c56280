"""Slow and stuck clients hold only their own connection (issue 15): a client trickling its
headers (slowloris) or idling is closed after the server's I/O timeout; a watch client that
stops reading is cut off once it falls MAX_PENDING events behind, so neither the simulator nor
other clients ever wait on it and its backlog stays bounded."""

from __future__ import annotations

import json
import socket
import time

import pytest

from k9py.serve import watch
from k9py.serve.server import ServeHandle
from tests.serve.conftest import Client, small_cluster

GET = b"GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"


def _connect(handle: ServeHandle, rcvbuf: int | None = None) -> socket.socket:
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(20)  # a generous deadline, not a measurement
    s.connect((handle.host, handle.port))
    return s


@pytest.fixture
def handle():
    h = ServeHandle(small_cluster(), speed=None)
    h.httpd.io_timeout = 0.5
    h.start()
    yield h
    h.stop()


def test_slowloris_clients_are_closed_and_never_stall_others(handle):
    loris = [_connect(handle) for _ in range(20)]
    for s in loris:
        s.sendall(GET)  # the headers never end
    code, body, _ = Client(handle).call("GET", "/api/v1/namespaces")
    assert code == 200 and body["kind"] == "NamespaceList"
    for s in loris:
        assert s.recv(1024) == b""  # closed by the server after its I/O timeout
        s.close()
    idle = _connect(handle)
    idle.sendall(GET + b"\r\n")
    first = b""
    while b"NamespaceList" not in first:
        first += idle.recv(65536)
    while idle.recv(65536):  # a keep-alive connection left idle is closed too
        pass
    idle.close()


def test_a_watch_client_that_stops_reading_is_cut_off(handle, monkeypatch):
    monkeypatch.setattr(watch, "MAX_PENDING", 50)
    handle.httpd.io_timeout = 30.0  # the cut-off, not the timeout, ends this stream
    stuck = _connect(handle, rcvbuf=4096)
    stuck.sendall(b"GET /api/v1/namespaces/default/configmaps?watch=1 HTTP/1.1\r\nHost: x\r\n"
                  b"Accept: application/json\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += stuck.recv(1)
    assert head.startswith(b"HTTP/1.1 200")
    made = 1000
    big = "x" * 20_000  # 20 MB of events in all: far more than the socket buffers hold
    for i in range(made):
        with handle.cluster.lock:  # each write returns at once: the simulator never waits
            handle.cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": {"name": f"cm-{i}", "namespace": "default"},
                                         "data": {"big": big}})
        handle.api.notify()
    code, body, _ = Client(handle).call("GET", "/api/v1/namespaces/default/configmaps?limit=1")
    total = len(handle.cluster.store.list("ConfigMap", "default"))  # with kube-root-ca.crt
    assert code == 200 and body["metadata"]["remainingItemCount"] == total - 1 >= made
    data = b""
    while not data.endswith(b"\r\n0\r\n\r\n"):  # the client reads again: the stream has ended
        chunk = stuck.recv(1 << 20)
        assert chunk, "connection closed without the stream's end"
        data += chunk
    events = [json.loads(line) for line in data.split(b"\n") if line.startswith(b'{"type"')]
    assert 0 < len(events) < made and all(e["type"] == "ADDED" for e in events)
    stuck.close()


@pytest.mark.parametrize("gone", [ConnectionResetError(104, "Connection reset by peer"),
                                  BrokenPipeError(32, "Broken pipe"), TimeoutError("timed out")])
def test_a_client_that_went_away_is_not_reported(handle, capsys, gone):
    """An interrupted kubectl resets its connection: socketserver would print a traceback for it
    on the terminal `k9py serve` runs in; the apiserver logs nothing."""
    try:
        raise gone
    except OSError:
        handle.httpd.handle_error(None, ("127.0.0.1", 50000))
    assert capsys.readouterr().err == ""


def test_other_request_errors_are_still_reported(handle, capsys):
    try:
        raise ValueError("a bug")
    except ValueError:
        handle.httpd.handle_error(None, ("127.0.0.1", 50000))
    err = capsys.readouterr().err
    assert "Traceback" in err and "ValueError: a bug" in err


def _store_watches(handle: ServeHandle, kind: str) -> int:
    with handle.cluster.lock:
        return len(handle.cluster.store._watches.get(kind, {}))


@pytest.mark.parametrize("path", ["/api/v1/namespaces/default/configmaps?watch=1",
                                  "/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true"])
def test_a_quiet_watch_whose_client_left_ends(handle, path):
    """A client that opens a watch on a quiet kind and goes away (kubectl get -w interrupted, a
    UI leaving the view) no longer holds a thread and a store watch for the watch's 30 minutes:
    the stream, idle, sees the closed connection and ends, as the apiserver's does."""
    handle.httpd.io_timeout = 30.0  # not what ends it
    before = _store_watches(handle, "ConfigMap")
    clients = [_connect(handle) for _ in range(5)]
    for s in clients:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(1)
        assert head.startswith(b"HTTP/1.1 200")
    assert _store_watches(handle, "ConfigMap") == before + 5
    for s in clients:
        s.close()
    deadline = time.monotonic() + 20  # a generous deadline, not a measurement (ends within ~0.5 s)
    while _store_watches(handle, "ConfigMap") > before and time.monotonic() < deadline:
        handle.api.wait_change(0.1)
    assert _store_watches(handle, "ConfigMap") == before


def test_an_http_1_0_watch_is_not_chunked(handle):
    """HTTP/1.0 has no chunked encoding: a watch asked for with it (curl -0, an old proxy) got its
    events between chunk sizes (8b8\\r\\n{...}), which such a client keeps as part of the body.
    As Go's server does, the events are sent as they are and the connection's close ends them."""
    s = _connect(handle)
    s.sendall(b"GET /api/v1/namespaces?watch=1&timeoutSeconds=1 HTTP/1.0\r\n\r\n")
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    assert b"transfer-encoding" not in head.lower() and b"Connection: close" in head
    events = [json.loads(line) for line in body.decode().splitlines()]
    assert events and all(e["type"] == "ADDED" for e in events)
