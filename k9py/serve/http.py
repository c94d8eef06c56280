"""The HTTP plumbing of `k9py serve`: requests in, JSON / chunked streams out (stdlib only)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import ssl
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from k9py.kube.status import ApiError, method_not_allowed

if TYPE_CHECKING:
    from k9py.serve.api import Api

MAX_BODY = 16 * 1024 * 1024  # not read at all beyond this: a 413 and the connection closed
MAX_WRITE_BODY = 3 * 1024 * 1024  # the apiserver's limit on a write's body (api.py refuses what is between)
TOO_LARGE = "request entity too large"
HANDSHAKE_TIMEOUT = 10.0  # seconds a TLS client has to finish its handshake (in its own thread)
# Seconds one read or write on a connection may wait: an idle keep-alive connection, a client
# trickling its headers (slowloris) or a watch client that stopped reading is closed after this,
# so it holds its own thread for a bounded time and never anyone else's. The apiserver's
# IdleTimeout. Exec, attach and port-forward tunnels (upgraded connections) wait without limit.
IO_TIMEOUT = 90.0
DRAIN_UNAUTHORIZED = 64 * 1024  # the body of a refused request read (keep-alive) up to this; closed beyond
WS_TOKEN_PROTOCOL = "base64url.bearer.authorization.k8s.io."  # a browser's WebSocket has no headers


def bearer_token(headers: dict[str, str]) -> str | None:
    """The bearer token a request carries: ``Authorization: Bearer T`` (the scheme in any case, as
    the apiserver reads it), else a WebSocket subprotocol ``base64url.bearer.authorization.k8s.io.B64``."""
    parts = headers.get("authorization", "").strip().split(" ")
    if len(parts) >= 2 and parts[0].lower() == "bearer":
        return parts[1].strip() or None
    for proto in headers.get("sec-websocket-protocol", "").split(","):
        proto = proto.strip()
        if proto.startswith(WS_TOKEN_PROTOCOL):
            raw = proto[len(WS_TOKEN_PROTOCOL):]
            try:
                return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
            except (ValueError, UnicodeDecodeError):
                return None
    return None


_NEWLINES = str.maketrans({"\r": " ", "\n": " "})


def header_value(value: str) -> str:
    """A header's value as Go's server writes it: its CR and LF as spaces (a field name from a
    request body, in a Warning, cannot end the header and start another), UTF-8 bytes as they
    are (``send_header`` writes latin-1: a warning naming ``é`` or U+2028 sent no answer at all,
    after the object was stored)."""
    return value.translate(_NEWLINES).encode("utf-8", "replace").decode("latin-1")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""
    multi: dict[str, list[str]] = field(default_factory=dict)  # every value of repeated parameters (exec's command)
    all_headers: list[tuple[str, str]] = field(default_factory=list)  # (lower-cased name, value), repeats kept
    warnings: list[str] = field(default_factory=list)  # what handling it warns of (the response's `Warning`)
    # (common name, organizations, SHA-256 fingerprint) of the verified client certificate it came
    # with (--tls), if any
    client_cert: tuple[str, tuple[str, ...], str] | None = None
    metrics_info: Any = None  # how /metrics counts it (serve/prom.py's RequestInfo), once routed

    @property
    def content_type(self) -> str:
        """The body's media type: the Content-Type header without its parameters (``; charset=``),
        lower-cased ("" with none)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def values(self, name: str) -> list[str]:
        """All values of a query parameter, in order (``q`` gives the last)."""
        return self.multi.get(name) or ([self.query[name]] if name in self.query else [])

    def q(self, name: str, default: str | None = None) -> str | None:
        return self.query.get(name, default)

    def flag(self, name: str) -> bool:
        return (self.query.get(name) or "").lower() in ("1", "true", "t", "yes")


@dataclass
class Response:
    code: int
    body: Any = None  # JSON-able, bytes, or str
    content_type: str = "application/json"
    # Chunked body (watch, log follow); close() if it has one. An empty chunk writes nothing: a
    # stream waiting idle yields one now and then, so a client that went away is seen and it ends.
    stream: Iterable[bytes] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Takes the connection over instead of a body (a WebSocket upgrade): called with the handler,
    # it writes the 101 itself and owns the socket until it returns; the connection is then closed.
    upgrade: Callable[[BaseHTTPRequestHandler], None] | None = None


def no_route() -> Response:
    """go-restful's 405: no route is registered for the request's method on its path."""
    return Response(405, method_not_allowed().to_status())


def client_user(sock: Any) -> tuple[str, tuple[str, ...], str] | None:
    """The user a verified client certificate names, as the apiserver's x509 authenticator reads
    it: the subject's common name, its organizations the groups; and the certificate's SHA-256
    fingerprint (its credential ID). None without a certificate."""
    if not isinstance(sock, ssl.SSLSocket):
        return None
    try:
        cert = sock.getpeercert()
        der = sock.getpeercert(binary_form=True)
    except (ValueError, OSError):
        return None
    if not cert or not der:
        return None
    cn, orgs = "", []
    for rdn in cert.get("subject") or ():
        for key, value in rdn:  # type: ignore[str-unpack]  # typeshed: (name, value) pairs
            if key == "commonName" and not cn:
                cn = str(value)
            elif key == "organizationName":
                orgs.append(str(value))
    return (cn, tuple(orgs), hashlib.sha256(der).hexdigest()) if cn else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "k9py"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(getattr(self.server, "io_timeout", IO_TIMEOUT))

    def log_message(self, format: str, *args: Any) -> None:
        if getattr(self.server, "verbose", False):
            sys.stderr.write("k9py serve: " + (format % args) + "\n")

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.request_version == "HTTP/0.9":  # `GET /` alone: Go's net/http refuses it too
            self.send_error(400, f"malformed HTTP request {self.requestline!r}")
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What http.server says of a request it cannot parse (garbage request line, headers too
        long, unknown method), as a Kubernetes ``Status`` in JSON instead of its HTML page."""
        self.log_error("code %d, message %s", code, message)
        if self.request_version == "HTTP/0.9":  # nothing parsed: still answer with a status line
            self.request_version = self.protocol_version
        if code == 501:  # http.server's "Unsupported method": the apiserver's (go-restful's) 405
            code = 405
            resp = method_not_allowed().to_status()
        else:
            text = message or self.responses.get(code, ("", ""))[0]
            reason = {413: "RequestEntityTooLarge"}.get(code, "BadRequest")
            resp = ApiError(code, reason, text).to_status()
        self.close_connection = True
        self._send(Response(code, resp, headers={"Connection": "close"}))

    def _authorized(self) -> bool:
        """True without ``--token``; else the request's bearer token must be the server's, or it
        comes with a client certificate signed by the cluster CA (another authenticator)."""
        expected: str | None = getattr(self.server, "token", None)
        if expected is None or client_user(self.connection) is not None:
            return True
        given = bearer_token({k.lower(): v for k, v in self.headers.items()})
        return given is not None and hmac.compare_digest(given.encode(), expected.encode())

    def _unauthorized(self) -> None:
        """The apiserver's 401. A small body is read first (the connection stays usable); anything
        bigger or unframed is not read from an unauthenticated client: the connection is closed."""
        headers: dict[str, str] = {}
        length = self.headers.get("Content-Length")
        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        try:
            n = int(length) if length is not None else 0
        except ValueError:
            n = -1
        if chunked or not 0 <= n <= DRAIN_UNAUTHORIZED:
            self.close_connection = True
            headers["Connection"] = "close"
        elif n:
            self.rfile.read(n)
        self._send(Response(401, ApiError(401, "Unauthorized", "Unauthorized").to_status(), headers=headers))

    def _handle(self) -> None:
        api: Api = self.server.api  # type: ignore[attr-defined]
        if not self._authorized():
            self._unauthorized()
            return
        try:
            req = self._read_request()
        except ValueError as err:  # a bad Content-Length or chunk: what follows cannot be framed
            self.close_connection = True
            too_large = str(err) == TOO_LARGE
            self._send(api.error_response(413, "RequestEntityTooLarge", f"Request entity too large: limit is {MAX_WRITE_BODY}")
                       if too_large else api.error_response(400, "BadRequest", str(err)))
            return
        try:
            resp = api.handle(req)
        except Exception as err:  # the catch-all: still a Status, and logged
            traceback.print_exc(file=sys.stderr)
            resp = api.error_response(400, "BadRequest", f"the request could not be processed: {err}")
        self._send(resp)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def _read_request(self) -> Request:
        parts = urlsplit(self.path)
        multi = parse_qs(parts.query, keep_blank_values=True)
        query = {k: v[-1] for k, v in multi.items()}
        all_headers = [(k.lower(), v) for k, v in self.headers.items()]
        headers = dict(all_headers)
        body = b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(1024).strip().split(b";")[0].strip()
                if not line or not all(c in b"0123456789abcdefABCDEF" for c in line):
                    raise ValueError(f"bad chunk length: {line[:40].decode('latin-1')!r}")  # Go's words
                size = int(line, 16)
                if size == 0:
                    self.rfile.readline()
                    break
                total += size
                if total > MAX_BODY:
                    raise ValueError(TOO_LARGE)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            body = b"".join(chunks)
        else:
            lengths = {v.strip() for k, v in all_headers if k == "content-length"}
            if len(lengths) > 1:
                raise ValueError("http: message cannot contain multiple Content-Length headers")
            text = lengths.pop() if lengths else ""
            if text and not (text.isascii() and text.isdigit()):  # "-5", "abc", "1e3": what follows cannot be framed
                raise ValueError(f"bad Content-Length: {text[:40]!r}")
            length = 0 if not text else int(text) if len(text) < 20 else MAX_BODY + 1
            if length > MAX_BODY:
                raise ValueError(TOO_LARGE)
            body = self.rfile.read(length) if length > 0 else b""
        return Request(self.command, unquote(parts.path), query, headers, body, multi, all_headers,
                       client_cert=client_user(self.connection))

    def _send(self, resp: Response) -> None:
        try:
            if resp.upgrade is not None:
                self.close_connection = True
                self.connection.settimeout(None)  # an interactive shell may sit idle for hours
                resp.upgrade(self)
                return
            if resp.stream is not None:
                self._send_stream(resp)
                return
            body = resp.body
            if isinstance(body, (dict, list)):
                data = json.dumps(body, separators=(",", ":")).encode()
            elif isinstance(body, str):
                data = body.encode()
            elif body is None:
                data = b""
            else:
                data = body
            self.send_response(resp.code)
            self.send_header("Content-Type", resp.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-cache, private")
            for k, v in resp.headers.items():
                self.send_header(k, header_value(v))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _client_gone(self) -> bool:
        return client_closed(self.connection)

    def _send_stream(self, resp: Response) -> None:
        stream = resp.stream
        assert stream is not None
        # HTTP/1.0 has no chunked encoding: the body is sent as it comes and the connection's
        # close ends it, as Go's server does for such a client
        chunked = self.request_version != "HTTP/1.0"
        try:
            self.send_response(resp.code)
            self.send_header("Content-Type", resp.content_type)
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.close_connection = True
                self.send_header("Connection", "close")
            self.send_header("Cache-Control", "no-cache, private")
            for k, v in resp.headers.items():
                self.send_header(k, header_value(v))
            self.end_headers()
            self.wfile.flush()
            for chunk in stream:
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                    self.wfile.flush()
                elif self._client_gone():  # an idle stream's heartbeat: is anyone still there?
                    self.close_connection = True
                    return
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:  # the client went away (BrokenPipe, ConnectionReset)
            self.close_connection = True
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()


def client_closed(sock: socket.socket) -> bool:
    """True once the peer has closed (or reset) ``sock``: a peek at it, never waiting, reads its
    end. On a plain socket data waiting (a pipelined request) is not an end; on a TLS one it is:
    a client leaving a watch politely sends TLS's close_notify before its FIN (Go's does), and
    nothing else comes from a client that waits on a stream. A TLS socket refuses peeking, so
    its descriptor is peeked through a duplicate."""
    tls = isinstance(sock, ssl.SSLSocket)
    try:
        with socket.socket(fileno=os.dup(sock.fileno())) as raw:
            waiting = raw.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            return waiting == b"" or tls
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:  # reset, or the socket is already closed
        return True


def quiet_handle_error(report: Callable[[], None]) -> None:
    """A server's ``handle_error``: a client that went away (reset, a broken pipe, a timeout: an
    interrupted kubectl) is nothing to report, as the apiserver logs nothing for it; anything
    else is ``report``ed (socketserver's traceback)."""
    if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
        return
    report()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The system's listen backlog, not socketserver's 5: with 5, a burst of clients (Helm, kubectl
    # in parallel, a test's 32 threads) overflows the accept queue and sees SYN retries (1-3 s).
    request_queue_size = socket.SOMAXCONN

    def __init__(self, address: tuple[str, int], api: Api, *, verbose: bool = False, token: str | None = None,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.api = api
        self.verbose = verbose
        self.token = token  # every request must carry `Authorization: Bearer <token>` (401 otherwise)
        self.ssl_context = ssl_context  # HTTPS when set
        self.io_timeout = IO_TIMEOUT
        super().__init__(address, Handler)

    def get_request(self) -> tuple[Any, Any]:
        """Accept; with TLS, wrap the socket without the handshake: that runs in the connection's
        own thread (``finish_request``), so a client that never finishes it stalls no one else."""
        sock, addr = super().get_request()
        if self.ssl_context is None:
            return sock, addr
        try:
            return self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr
        except OSError:
            sock.close()
            raise

    def handle_error(self, request: Any, client_address: Any) -> None:
        quiet_handle_error(lambda: super(Server, self).handle_error(request, client_address))

    def finish_request(self, request: Any, client_address: Any) -> None:
        if isinstance(request, ssl.SSLSocket):
            try:
                request.settimeout(HANDSHAKE_TIMEOUT)
                request.do_handshake()
                request.settimeout(None)
            except OSError as err:  # not TLS (plain http to an https port), a bad certificate, a timeout
                if self.verbose:
                    sys.stderr.write(f"k9py serve: TLS handshake with {client_address[0]} failed: {err}\n")
                return
        super().finish_request(request, client_address)
