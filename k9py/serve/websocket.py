"""WebSockets for `k9py serve`: the upgrade handshake and a message pump over the handler's socket
(framing by ``wsproto``), and the codec of Kubernetes' channel protocols (``*.channel.k8s.io``).

The channel protocols (``k8s.io/apimachinery/pkg/util/remotecommand``, ``wsstream``): every binary
message starts with one byte naming its stream — 0 stdin, 1 stdout, 2 stderr, 3 error (a text
message before v4, a ``metav1.Status`` in JSON from v4 on), 4 resize (JSON ``{"Width","Height"}``,
v3 on) — and ``v5.channel.k8s.io`` adds 255: ``[255, n]`` closes stream ``n`` (the client's EOF on
stdin). The ``base64`` variants send text messages whose first character is the channel's digit.
"""

from __future__ import annotations

import base64
import contextlib
import json
import queue
import socket
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage
from wsproto.utilities import RemoteProtocolError, generate_accept_token

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

    from k9py.serve.http import Request

STDIN, STDOUT, STDERR, ERROR, RESIZE = 0, 1, 2, 3, 4
CLOSE = 255  # v5: [CLOSE, channel] — the sender will write no more on that channel

# What the kubelet accepts for exec/attach, best first (a client's own order decides among them).
V5, V4, V3, V2, V1 = "v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"
BASE64_V4, BASE64_V1 = "v4.base64.channel.k8s.io", "base64.channel.k8s.io"
REMOTE_COMMAND_PROTOCOLS = (V5, V4, V3, V2, V1, BASE64_V4, BASE64_V1)

MAX_MESSAGE = 32 * 1024  # bytes of stream data per message we send (the kubelet writes 32 KiB reads)


@dataclass(frozen=True)
class ChannelProtocol:
    """One negotiated ``*.channel.k8s.io`` protocol: how its messages look and what it carries."""

    name: str

    @property
    def version(self) -> int:
        head = self.name.split(".", 1)[0]
        return int(head[1:]) if head.startswith("v") and head[1:].isdigit() else 1

    @property
    def base64(self) -> bool:
        return ".base64." in f".{self.name}"

    @property
    def json_status(self) -> bool:
        """v4 on: the error channel carries a ``metav1.Status`` (with the exit code)."""
        return self.version >= 4

    @property
    def resize(self) -> bool:
        return self.version >= 3

    @property
    def stream_close(self) -> bool:
        return self.version >= 5

    def encode(self, channel: int, data: bytes) -> bytes | str:
        """One message: bytes for the binary protocols, text for the base64 ones."""
        if self.base64:
            return chr(ord("0") + channel) + base64.b64encode(data).decode("ascii")
        return bytes([channel]) + data

    def decode(self, message: bytes | str) -> tuple[int, bytes] | None:
        """(channel, data) of a message from the client; None for an empty one. A v5 close signal
        comes back as ``(CLOSE, bytes([channel]))``."""
        if isinstance(message, str):
            message = message.encode("utf-8", "surrogateescape")
        if not message:
            return None
        first = message[0]
        if self.stream_close and first == CLOSE:
            return CLOSE, message[1:2]
        if self.base64:
            try:
                return first - ord("0"), base64.b64decode(message[1:], validate=False)
            except ValueError:
                return None
        return first, message[1:]


def negotiate(offered: list[str], supported: tuple[str, ...] = REMOTE_COMMAND_PROTOCOLS) -> str | None:
    """The first protocol the client offered that we speak (``wsstream.NegotiateProtocol``); "" when
    the client offered none (the kubelet then speaks ``channel.k8s.io``); None: no common one."""
    if not offered:
        return ""
    for p in offered:
        if p in supported:
            return p
    return None


def offered_protocols(req: Request) -> list[str]:
    """``Sec-WebSocket-Protocol``: comma-separated, possibly over several header lines."""
    out: list[str] = []
    for name, value in req.all_headers:
        if name == "sec-websocket-protocol":
            out.extend(p.strip() for p in value.split(",") if p.strip())
    return out


def is_websocket_upgrade(req: Request) -> bool:
    conn = {t.strip().lower() for t in req.headers.get("connection", "").split(",")}
    return "upgrade" in conn and req.headers.get("upgrade", "").strip().lower() == "websocket"


def handshake_problem(req: Request) -> str | None:
    """Why this is not a WebSocket opening handshake we can accept (RFC 6455 4.2.1), or None."""
    if req.method != "GET":
        return f"websocket upgrade requires GET, not {req.method}"
    if req.headers.get("sec-websocket-version", "").strip() != "13":
        return "websocket: unsupported version (only 13)"
    key = req.headers.get("sec-websocket-key", "").strip()
    try:
        if len(base64.b64decode(key, validate=True)) != 16:
            raise ValueError
    except ValueError:
        return "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header is missing or invalid"
    return None


def status_message(exit_code: int | None, command: list[str], error: str | None = None) -> dict[str, Any]:
    """What the kubelet writes on the error channel (v4+) when the command ends: Success, or Failure
    with reason NonZeroExitCode and the code as the ExitCode cause (client-go turns that into
    kubectl's ``command terminated with exit code N`` and its exit status)."""
    if error is not None:
        return {"metadata": {}, "status": "Failure", "message": error}
    if not exit_code:
        return {"metadata": {}, "status": "Success"}
    return {"metadata": {}, "status": "Failure",
            "message": f"command terminated with non-zero exit code: error executing command {_go_list(command)}, exit code {exit_code}",
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(exit_code)}]}}


def _go_list(items: list[str]) -> str:
    return "[" + " ".join(items) + "]"


def error_channel_payload(proto: ChannelProtocol, status: dict[str, Any]) -> bytes | None:
    """The error channel's message for ``status``: JSON from v4 on; before, the failure's text only."""
    if proto.json_status:
        return json.dumps(status, separators=(",", ":")).encode()
    if status.get("status") == "Success":
        return None
    return str(status.get("message", "")).encode()


class WebSocket:
    """The server end of one upgraded connection, for a single thread to drive: ``accept`` (the
    101), ``receive(timeout)`` the messages that arrived, ``send``, ``close``. A reader thread only
    moves raw bytes from the socket into a queue; all wsproto state stays on the caller's thread."""

    def __init__(self, handler: BaseHTTPRequestHandler) -> None:
        self.handler = handler
        self.sock: socket.socket = handler.connection
        self.conn = Connection(ConnectionType.SERVER)
        self.inbox: queue.Queue[bytes | None] = queue.Queue()
        self.closed = False  # the peer closed (a close frame, EOF or an error): nothing more comes
        self._partial: dict[type, list[Any]] = {BytesMessage: [], TextMessage: []}
        self._reader: threading.Thread | None = None

    def accept(self, key: str, subprotocol: str | None) -> None:
        h = self.handler
        h.send_response_only(101, "Switching Protocols")
        h.send_header("Upgrade", "websocket")
        h.send_header("Connection", "Upgrade")
        h.send_header("Sec-WebSocket-Accept", generate_accept_token(key.strip().encode()).decode())
        if subprotocol:
            h.send_header("Sec-WebSocket-Protocol", subprotocol)
        h.end_headers()
        h.wfile.flush()
        self._reader = threading.Thread(target=self._read, name="k9py-serve-ws-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        rfile = self.handler.rfile
        try:
            while True:
                data = rfile.read1(65536)  # a BufferedReader (makefile "rb")
                if not data:
                    break
                self.inbox.put(data)
        except (OSError, ValueError):  # reset, or the socket was closed under us
            pass
        self.inbox.put(None)

    def receive(self, timeout: float) -> list[bytes | str]:
        """The complete messages that arrived within ``timeout`` (an empty list if none did; check
        ``closed`` for the end). Pings are answered here."""
        chunks: list[bytes | None] = []
        try:
            chunks.append(self.inbox.get(timeout=timeout))
            while True:
                chunks.append(self.inbox.get_nowait())
        except queue.Empty:
            pass
        out: list[bytes | str] = []
        for data in chunks:
            if self.closed:
                break
            if data is None:
                self.closed = True
                self.conn.receive_data(None)
                break
            try:
                self.conn.receive_data(data)
                for ev in self.conn.events():
                    if isinstance(ev, (BytesMessage, TextMessage)):
                        parts = self._partial[type(ev)]
                        parts.append(ev.data)
                        if ev.message_finished:
                            out.append(b"".join(parts) if isinstance(ev, BytesMessage) else "".join(parts))
                            parts.clear()
                    elif isinstance(ev, Ping):
                        self._write(self.conn.send(ev.response()))
                    elif isinstance(ev, CloseConnection):
                        self.closed = True
                        if self.conn.state == ConnectionState.REMOTE_CLOSING:
                            self._write(self.conn.send(ev.response()))
                        break
            except RemoteProtocolError:
                self.closed = True
        return out

    def send(self, message: bytes | str) -> bool:
        """False when the connection can no longer carry it."""
        if self.conn.state != ConnectionState.OPEN:
            return False
        ev = BytesMessage(data=message) if isinstance(message, bytes) else TextMessage(data=message)
        return self._write(self.conn.send(ev))

    def _write(self, data: bytes) -> bool:
        try:
            self.handler.wfile.write(data)
            self.handler.wfile.flush()
            return True
        except (OSError, ValueError):
            self.closed = True
            return False

    def close(self, code: int = 1000, reason: str = "", wait: float = 1.0) -> None:
        """Send a close frame, give the client ``wait`` seconds to answer it, and shut the socket
        (which also ends the reader)."""
        if self.conn.state == ConnectionState.OPEN:
            self._write(self.conn.send(CloseConnection(code=code, reason=reason or None)))
            deadline = time.monotonic() + wait
            while not self.closed and time.monotonic() < deadline:
                self.receive(min(0.05, max(0.0, deadline - time.monotonic())))
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        if self._reader is not None:
            self._reader.join(timeout=1)
