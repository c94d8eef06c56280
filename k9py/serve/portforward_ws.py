"""``pods/portforward`` over a plain WebSocket (``v4.channel.k8s.io``), the protocol of the official
client libraries' ``portforward()`` (the kubelet's ``portforward/websocket.go``).

The ports come in the ``ports`` query parameter. Port number i owns two channels: data ``2i`` and
error ``2i+1``; each message is its channel's byte then the payload, and the first message the
server sends on each channel is the port as two little-endian bytes. One WebSocket is one
connection to each port: the bytes on a data channel are HTTP requests to that port of the pod,
answered like the kubelet's ``localhost:PORT`` inside the pod (``sim.userland.loopback``); nothing
listening there is the kubelet's error text on the error channel, then the end of the WebSocket.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TYPE_CHECKING

from k9py.kube.status import bad_request
from k9py.serve import websocket as ws
from k9py.serve.http import Request, Response
from k9py.sim.userland import loopback, net

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

    from k9py.serve.api import Api

PROTOCOLS = ("v4.channel.k8s.io",)
POLL = 0.2
MAX_REQUEST = 1 << 20


def wanted_ports(req: Request) -> list[int]:
    """The ``ports`` parameter(s): numbers, comma-separated or repeated (a 400 otherwise)."""
    out: list[int] = []
    for value in req.values("ports"):
        for word in value.split(","):
            try:
                port = int(word)
            except ValueError:
                raise bad_request(f'unable to parse "{word}" as a port: invalid syntax') from None
            if not 0 < port < 65536:
                raise bad_request(f"port {port} must be > 0 and < 65536")
            out.append(port)
    if not out:
        raise bad_request("query parameter \"port\" is required")
    return out


def handle(api: Api, req: Request, pod: dict, refused: Callable[[int], str]) -> Response:
    """The upgrade (``refused``: the kubelet's words for a port nothing listens on)."""
    problem = ws.handshake_problem(req)
    if problem:
        raise bad_request(problem)
    offered = ws.offered_protocols(req)
    chosen = ws.negotiate(offered, PROTOCOLS)
    if not chosen:
        raise bad_request(f"requested protocol(s) are not supported: {offered}; supports {list(PROTOCOLS)}")
    ports = wanted_ports(req)
    key = req.headers["sec-websocket-key"]

    def upgrade(handler: BaseHTTPRequestHandler) -> None:
        sock = ws.WebSocket(handler)
        sock.accept(key, chosen)
        Channels(api, sock, pod, ports, refused).run()

    return Response(101, upgrade=upgrade)


class Channels:
    def __init__(self, api: Api, sock: ws.WebSocket, pod: dict, ports: list[int], refused: Callable[[int], str]) -> None:
        self.api, self.sock, self.pod, self.ports, self.refused = api, sock, pod, ports, refused
        self.buffers = [b""] * len(ports)

    def _send(self, channel: int, data: bytes) -> bool:
        return self.sock.send(bytes([channel]) + data)

    def run(self) -> None:
        from k9py.serve.portforward import pod_gone  # (that module imports this one)

        try:
            for i, port in enumerate(self.ports):
                for channel in (2 * i, 2 * i + 1):
                    self._send(channel, struct.pack("<H", port))
            while not self.sock.closed and not self.api.stopping.is_set():
                if pod_gone(self.api, self.pod):
                    return
                for message in self.sock.receive(POLL):
                    if isinstance(message, bytes) and message and not self._data(message[0], message[1:]):
                        return
        finally:
            self.sock.close(wait=0.2)

    def _data(self, channel: int, data: bytes) -> bool:
        """Bytes from the client on a data channel; False once the connection is over."""
        i = channel // 2
        if channel % 2 or i >= len(self.ports):
            return True
        self.buffers[i] = (self.buffers[i] + data)[:MAX_REQUEST]
        raw = self.buffers[i]
        if not loopback.request_complete(raw) and len(raw) < MAX_REQUEST:
            return True
        self.buffers[i] = b""
        cluster, port = self.api.cluster, self.ports[i]
        with cluster.lock:
            try:
                reply = loopback.answer(cluster, self.pod, port, raw)
            except net.Refused:
                reply = None
        self.api.notify()
        if reply is None:
            self._send(2 * i + 1, self.refused(port).encode())
            return False
        for k in range(0, len(reply), ws.MAX_MESSAGE - 1):
            self._send(2 * i, reply[k:k + ws.MAX_MESSAGE - 1])
        return False  # the answer says Connection: close
