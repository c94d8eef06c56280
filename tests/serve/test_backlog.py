"""The server's listen backlog is the system's: 32 clients that connect before the server accepts
anyone are all queued by the kernel (with socketserver's default of 5, the 7th connect's SYN is
dropped and the client waits out 1-3 s retransmissions), then all answered."""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor

from k9py.serve.server import ServeHandle
from tests.serve.conftest import small_cluster

CLIENTS = 32


def _answer(s: socket.socket) -> tuple[str, str]:
    s.sendall(b"GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n")
    data = b""
    while chunk := s.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(), json.loads(body)["kind"]


def test_32_connections_queue_before_the_first_accept():
    handle = ServeHandle(small_cluster(), speed=None)  # bound and listening; nothing accepts yet
    socks: list[socket.socket] = []
    started = False
    try:
        for _ in range(CLIENTS):
            # A generous deadline, not a measurement: a full accept queue would make this time out.
            socks.append(socket.create_connection((handle.host, handle.port), timeout=10))
        handle.start()
        started = True
        with ThreadPoolExecutor(CLIENTS) as pool:
            answers = list(pool.map(_answer, socks, timeout=60))
        assert answers == [("HTTP/1.1 200 OK", "NamespaceList")] * CLIENTS
    finally:
        for s in socks:
            s.close()
        if started:
            handle.stop()
        else:
            handle.httpd.server_close()

