"""``pods/portforward``: kubectl's port-forward protocol over SPDY/3.1, bridged to the simulator's
userland network (``k9py.sim.userland.net``).

(The client libraries' plain WebSocket channels: ``portforward_ws``.) What kubectl 1.37 sends first: ``GET …/pods/NAME/portforward`` with ``Upgrade: websocket`` and
``Sec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io``: the SPDY session tunnelled in WebSocket
binary messages (client-go's ``TunnelingConnection``), which k9py accepts. Older clients (and
kubectl when that upgrade is refused) send ``POST …/portforward`` with ``Upgrade: SPDY/3.1`` and
``X-Stream-Protocol-Version: portforward.k8s.io``: plain SPDY on the upgraded socket, answered too.
For every local connection kubectl opens two streams with headers ``streamtype`` (``error`` /
``data``), ``port`` and ``requestid``. The bytes on the data stream are an HTTP request to that port
of the pod: answered like the kubelet's ``localhost:PORT`` inside the pod would be (the userland's
nginx/httpd, access line in the container's log), then both streams are closed. Nothing listening
there: the kubelet's error text on the error stream.
"""

from __future__ import annotations

import contextlib
import hashlib
import queue
import socket
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from k9py.kube import meta
from k9py.kube.meta import dig
from k9py.kube.status import bad_request, forbidden, not_found
from k9py.serve import spdy
from k9py.serve import websocket as ws
from k9py.serve.auth import SERVE_USER
from k9py.serve.http import Request, Response, no_route
from k9py.sim.userland import loopback, net

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

    from k9py.serve.api import Api, Route

PROTOCOL = "portforward.k8s.io"
TUNNEL_PROTOCOL = "SPDY/3.1+" + PROTOCOL  # SPDY inside a WebSocket
POLL = 0.2  # seconds between looks at the server's stopping flag while the client is quiet
MAX_REQUEST = 1 << 20


def handle(api: Api, req: Request, route: Route) -> Response:
    if req.method not in ("GET", "POST"):
        return no_route()
    ns, name = route.namespace or "default", route.name or ""
    if api.readonly:
        raise forbidden("Pod", name, "create", f'User "{SERVE_USER}" cannot create resource "pods/portforward" in API group "" '
                        f'in the namespace "{ns}": k9py serve is read-only')
    with api.cluster.lock:
        pod = api.cluster.store.get("Pod", ns, name)
        if pod is None:
            raise not_found("Pod", name)
        if not dig(pod, "spec", "nodeName"):
            raise bad_request(f"pod {name} does not have a host assigned")
        if dig(pod, "status", "phase") != "Running":
            raise bad_request(f"pod {name} is not running")
        pod = dict(pod)
    if ws.is_websocket_upgrade(req):
        if TUNNEL_PROTOCOL in ws.offered_protocols(req):
            return _tunnel(api, req, pod)
        from k9py.serve import portforward_ws  # the client libraries' channels
        return portforward_ws.handle(api, req, pod, lambda port: refused_message(pod, port))
    if req.headers.get("upgrade", "").strip().lower() != "spdy/3.1":
        raise bad_request("Upgrade request required")
    offered = [p.strip() for p in req.headers.get("x-stream-protocol-version", "").split(",") if p.strip()]
    if offered and PROTOCOL not in offered:
        raise bad_request(f"requested protocol(s) are not supported: {offered}; supports [{PROTOCOL}]")

    def upgrade(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response_only(101, "Switching Protocols")
        handler.send_header("Connection", "Upgrade")
        handler.send_header("Upgrade", "SPDY/3.1")
        if offered:
            handler.send_header("X-Stream-Protocol-Version", PROTOCOL)
        handler.end_headers()
        handler.wfile.flush()
        Session(api, SocketTransport(handler), pod).run()

    return Response(101, upgrade=upgrade)


def pod_gone(api: Api, pod: dict) -> bool:
    """Whether the pod a port-forward streams to is gone (deleted, or another of its name in its
    place): the kubelet's stream ends then, and kubectl port-forward exits ("lost connection to
    pod")."""
    now = api.cluster.store.get("Pod", meta.namespace(pod), meta.name(pod))
    return now is None or meta.uid(now) != meta.uid(pod)


def sandbox_id(pod: dict) -> str:
    """The pod's (deterministic) sandbox id: the kubelet names the pod by it in port-forward errors."""
    return hashlib.sha256(f"sandbox:{meta.uid(pod)}".encode()).hexdigest()


def refused_message(pod: dict, port: int) -> str:
    """The kubelet's (CRI streaming server's) words when nothing listens on ``port``."""
    sid = sandbox_id(pod)
    return (f"error forwarding port {port} to pod {sid}, uid : failed to connect to localhost:{port} inside namespace "
            f'"{sid}", IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused IPv6 dial tcp6 [::1]:{port}: '
            f"connect: connection refused ")


@dataclass
class Stream:
    id: int
    kind: str
    port: str
    request: str
    buf: bytearray = field(default_factory=bytearray)
    done: bool = False


def _tunnel(api: Api, req: Request, pod: dict) -> Response:
    """The WebSocket upgrade whose binary messages carry the SPDY session."""
    problem = ws.handshake_problem(req)
    if problem:
        raise bad_request(problem)
    key = req.headers["sec-websocket-key"]

    def upgrade(handler: BaseHTTPRequestHandler) -> None:
        sock = ws.WebSocket(handler)
        sock.accept(key, TUNNEL_PROTOCOL)
        Session(api, WebSocketTransport(sock), pod).run()

    return Response(101, upgrade=upgrade)


class Transport(Protocol):
    """Where the SPDY bytes come from and go to."""

    def receive(self, timeout: float) -> bytes | None:
        """What arrived within ``timeout`` (b"" if nothing did), None once the peer is gone."""

    def send(self, data: bytes) -> bool: ...

    def close(self) -> None: ...


class SocketTransport:
    """Plain SPDY on the upgraded socket; a reader thread only queues its bytes."""

    def __init__(self, handler: BaseHTTPRequestHandler) -> None:
        self.handler = handler
        self.inbox: queue.Queue[bytes | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, name="k9py-serve-spdy-reader", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        rfile = self.handler.rfile
        try:
            while True:
                chunk = rfile.read1(65536)
                if not chunk:
                    break
                self.inbox.put(chunk)
        except (OSError, ValueError):
            pass
        self.inbox.put(None)

    def receive(self, timeout: float) -> bytes | None:
        try:
            return self.inbox.get(timeout=timeout)
        except queue.Empty:
            return b""

    def send(self, data: bytes) -> bool:
        try:
            self.handler.wfile.write(data)
            self.handler.wfile.flush()
            return True
        except (OSError, ValueError):
            return False

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.handler.connection.shutdown(socket.SHUT_RDWR)
        self.reader.join(timeout=1)


class WebSocketTransport:
    """SPDY in WebSocket binary messages: message boundaries mean nothing, as in client-go."""

    def __init__(self, sock: ws.WebSocket) -> None:
        self.sock = sock

    def receive(self, timeout: float) -> bytes | None:
        got = b"".join(m for m in self.sock.receive(timeout) if isinstance(m, bytes))
        return None if self.sock.closed and not got else got

    def send(self, data: bytes) -> bool:
        return self.sock.send(data)

    def close(self) -> None:
        self.sock.close(wait=0.2)


class Session:
    """One upgraded connection's SPDY session, driven by the handler's thread."""

    def __init__(self, api: Api, transport: Transport, pod: dict) -> None:
        self.api = api
        self.transport = transport
        self.pod = pod
        self.conn = spdy.Connection()
        self.streams: dict[int, Stream] = {}
        self.closed = False

    def _write(self, data: bytes) -> None:
        if not self.closed and not self.transport.send(data):
            self.closed = True

    def run(self) -> None:
        try:
            while not self.closed and not self.api.stopping.is_set():
                chunk = self.transport.receive(POLL)
                if chunk is None or pod_gone(self.api, self.pod):
                    break
                if not chunk:
                    continue
                self.conn.feed(chunk)
                for f in self.conn.frames():
                    self._frame(f)
        except spdy.ProtocolError:
            self._write(spdy.goaway(0, 1))
        finally:
            self.transport.close()

    def _frame(self, f: spdy.Frame) -> None:
        if f.kind == spdy.SYN_STREAM:
            h = {k.lower(): v for k, v in f.headers}
            s = Stream(f.stream_id, h.get("streamtype", ""), h.get("port", ""), h.get("requestid", ""))
            self.streams[s.id] = s
            self._write(self.conn.syn_reply(s.id))
            if s.kind == "data":
                self._maybe_answer(s, fin=f.fin)
        elif f.kind == 0:  # a data frame
            stream = self.streams.get(f.stream_id)
            if stream is not None and stream.kind == "data" and not stream.done:
                stream.buf += f.payload[:max(0, MAX_REQUEST - len(stream.buf))]
                self._maybe_answer(stream, fin=f.fin or len(stream.buf) >= MAX_REQUEST)
        elif f.kind == spdy.PING:
            self._write(spdy.ping(f.value))
        elif f.kind == spdy.RST_STREAM:
            self.streams.pop(f.stream_id, None)
        elif f.kind == spdy.GOAWAY:
            self.closed = True

    def _error_stream(self, data: Stream) -> Stream | None:
        return next((s for s in self.streams.values() if s.kind == "error" and s.request == data.request), None)

    def _maybe_answer(self, s: Stream, *, fin: bool) -> None:
        if s.done or not (fin or loopback.request_complete(bytes(s.buf))):
            return
        s.done = True
        err = self._error_stream(s)
        try:
            port = int(s.port)
        except ValueError:
            port = 0
        reply, problem = self._serve(port, bytes(s.buf))
        if reply is not None:
            self._send_data(s.id, reply)
        if err is not None:
            if problem:
                self._send_data(err.id, problem.encode())
            self._write(spdy.data(err.id, fin=True))
        self._write(spdy.data(s.id, fin=True))
        self.streams.pop(s.id, None)
        if err is not None:
            self.streams.pop(err.id, None)

    def _send_data(self, stream_id: int, payload: bytes) -> None:
        for i in range(0, len(payload), ws.MAX_MESSAGE):
            self._write(spdy.data(stream_id, payload[i:i + ws.MAX_MESSAGE]))

    def _serve(self, port: int, raw: bytes) -> tuple[bytes | None, str | None]:
        """(HTTP response bytes, None) or (None, the kubelet's error text)."""
        cluster = self.api.cluster
        with cluster.lock:
            try:
                reply = loopback.answer(cluster, self.pod, port, raw)
            except net.Refused:
                return None, refused_message(self.pod, port)
        self.api.notify()
        return reply, None
