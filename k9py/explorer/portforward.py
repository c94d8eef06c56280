"""Port-forwards, k9s's `shift-f` and `:pf`: a listener on the user's address and port whose
connections are relayed, byte for byte and counted, through a tunnel into a pod.

What a tunnel is depends on the backend (``k9py.explorer.tunnels``): the simulator answers in
this process, a live cluster goes through ``kubectl port-forward``. Everything here is plain
sockets and threads, no Textual: the UI reads ``Forwards`` (its ``version`` moves on every
change) and paints.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

CHUNK = 65536
ACCEPT_POLL = 0.25  # seconds between looks at the stop flag while nobody connects
DIAL_ERROR_LIMIT = 200  # characters of a tunnel's error kept for the :pf view

ForwardKey = tuple[str, str, str, int]  # namespace, pod, container, container port


class ForwardError(Exception):
    """What stops a forward from starting, worded for the flash."""


class TunnelError(Exception):
    """A tunnel could not reach the pod (the connection is dropped, the forward stays)."""


class Tunnel(Protocol):
    def dial(self) -> socket.socket:
        """A connected socket whose other end is the pod's port (``TunnelError`` if not)."""

    def close(self) -> None: ...

    def ended(self) -> str | None:
        """Why this tunnel will never carry a connection again (its pod is gone, kubectl exited),
        as kubectl port-forward says it when it exits; None while it may."""


# -- what the user asked for ----------------------------------------------------------------------
@dataclass(frozen=True)
class PortSpec:
    container: str
    port: int  # the container's port
    local: int  # 0: any free port


def listen_host(address: str) -> str:
    """The IP to bind for the dialog's address (``localhost`` is the IPv4 loopback, as kubectl's
    first choice); ``ValueError`` for anything but ``localhost`` or an IP address."""
    text = address.strip() or "localhost"
    if text == "localhost":
        return "127.0.0.1"
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise ValueError(f"address: {text!r} is not an IP address or localhost") from None


def default_local(port: int) -> int:
    """The local port offered for ``port``: the same one, except that a privileged port
    (below 1024: root only on Linux) is offered as 8000 + port, as in ``8080:80``."""
    return port if port >= 1024 else 8000 + port


def _number(text: str, what: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise ValueError(f"{what}: {text!r} is not a port number") from None
    if not 0 <= n <= 65535:
        raise ValueError(f"{what}: {n} is not a port number (0-65535)")
    return n


def parse_ports(container_ports: str, local_ports: str, exposed: Mapping[str, Sequence[tuple[int, str, str]]],
                default_container: str) -> list[PortSpec]:
    """The dialog's fields as k9s reads them: ``CONTAINER::PORT`` (or ``PORT`` in the default
    container; a port's name works too), comma-separated, each paired with a local port (empty:
    the offered one, 0: any free one). ``exposed``: container → [(port, name, protocol)].
    ``ValueError`` names what is wrong."""
    wanted = [w.strip() for w in container_ports.split(",") if w.strip()]
    if not wanted:
        raise ValueError("container port: give one, as CONTAINER::PORT")
    locals_ = [w.strip() for w in local_ports.split(",")] if local_ports.strip() else []
    if locals_ and len(locals_) != len(wanted):
        raise ValueError(f"local port: {len(wanted)} container port(s) but {len(locals_)} local port(s)")
    out: list[PortSpec] = []
    for i, word in enumerate(wanted):
        container, sep, port_text = word.rpartition("::")
        container = container.strip() if sep else default_container
        if container not in exposed:
            raise ValueError(f"container port: no container named {container!r} (the pod has "
                             f"{', '.join(sorted(exposed)) or 'none'})")
        ports = exposed[container]
        named = {name: p for p, name, _ in ports if name}
        port = named[port_text] if port_text in named else _number(port_text, "container port")
        if port == 0:
            raise ValueError("container port: 0 is not a port of the container")
        if ports and port not in {p for p, _, _ in ports}:
            shown = ", ".join(f"{p}/{proto}" for p, _, proto in ports)
            raise ValueError(f"container port: {container} does not expose port {port} (it exposes {shown})")
        local = _number(locals_[i], "local port") if locals_ and locals_[i] else default_local(port)
        out.append(PortSpec(container, port, local))
    locals_used = [s.local for s in out if s.local]
    if len(set(locals_used)) != len(locals_used):
        raise ValueError("local port: the same local port is given twice")
    return out


# -- one forward ----------------------------------------------------------------------------------
@dataclass
class Traffic:
    connections: int = 0  # accepted so far
    active: int = 0  # open now
    bytes_in: int = 0  # from the local client to the pod
    bytes_out: int = 0  # from the pod back
    failures: int = 0  # connections the tunnel could not carry
    last_error: str = ""


@dataclass
class Forward:
    namespace: str
    pod: str
    container: str
    port: int
    address: str  # as the user gave it (localhost)
    tunnel: Tunnel
    local_port: int = 0  # the port bound (the one asked for, or the free one picked for 0)
    ended: str = ""  # why it ended by itself (``Forwards.reap``)
    started: float = field(default_factory=time.time)
    traffic: Traffic = field(default_factory=Traffic)
    _server: socket.socket | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _conns: set[socket.socket] = field(default_factory=set)
    _idle: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self._idle = threading.Condition(self._lock)

    @property
    def key(self) -> ForwardKey:
        return (self.namespace, self.pod, self.container, self.port)

    @property
    def ports(self) -> str:
        """kubectl's ``LOCAL:REMOTE``."""
        return f"{self.local_port}:{self.port}"

    @property
    def url(self) -> str:
        host = self.address if self.address == "localhost" else listen_host(self.address)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.local_port}"

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def listen(self, local_port: int) -> None:
        """Bind the listener (``ForwardError`` when the address or port cannot be had) and start
        accepting."""
        host = listen_host(self.address)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        server = socket.socket(family, socket.SOCK_STREAM)
        try:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind((host, local_port))
            server.listen()
        except OSError as err:
            server.close()
            reason = err.strerror or str(err)
            hint = " (ports below 1024 need root: try 8080)" if err.errno == 13 and 0 < local_port < 1024 else ""
            raise ForwardError(f"cannot listen on {self.address}:{local_port}: {reason.lower()}{hint}") from None
        server.settimeout(ACCEPT_POLL)
        self._server = server
        self.local_port = server.getsockname()[1]
        threading.Thread(target=self._accept, name=f"k9py-pf-{self.local_port}", daemon=True).start()

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
        if self._server is not None:  # shutdown first: it wakes the accept under way (close does not)
            with contextlib.suppress(OSError):
                self._server.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                self._server.close()
        self.tunnel.close()

    def _accept(self) -> None:
        server = self._server
        assert server is not None
        while not self._stop.is_set():
            try:
                client, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            client.settimeout(None)
            with self._lock:
                self.traffic.connections += 1
            threading.Thread(target=self._carry, args=(client,), daemon=True).start()

    def _carry(self, client: socket.socket) -> None:
        """Relay one local connection through the tunnel, counting the bytes each way."""
        try:
            upstream = self.tunnel.dial()
        except (TunnelError, OSError) as err:
            with self._lock:
                self.traffic.failures += 1
                self.traffic.last_error = str(err)[:DIAL_ERROR_LIMIT]
            with contextlib.suppress(OSError):
                client.close()
            return
        with self._lock:
            self.traffic.active += 1
            self._conns.update((client, upstream))
        back = threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True)
        back.start()
        self._pump(client, upstream, True)
        back.join()
        with self._lock:
            self.traffic.active -= 1
            self._conns.difference_update((client, upstream))
            self._idle.notify_all()
        for s in (client, upstream):
            with contextlib.suppress(OSError):
                s.close()

    def _pump(self, src: socket.socket, dst: socket.socket, inbound: bool) -> None:
        try:
            while True:
                data = src.recv(CHUNK)
                if not data:
                    break
                dst.sendall(data)
                with self._lock:
                    if inbound:
                        self.traffic.bytes_in += len(data)
                    else:
                        self.traffic.bytes_out += len(data)
        except OSError:
            pass
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no connection is being relayed (a client may be done before the relay is)."""
        with self._idle:
            return self._idle.wait_for(lambda: self.traffic.active == 0, timeout)

    def snapshot(self) -> Traffic:
        with self._lock:
            t = self.traffic
            return Traffic(t.connections, t.active, t.bytes_in, t.bytes_out, t.failures, t.last_error)


# -- all of a session's forwards ----------------------------------------------------------------------
class Forwards:
    """The active forwards of one Session (`:ctx` stops them with it)."""

    def __init__(self) -> None:
        self._items: dict[ForwardKey, Forward] = {}
        self._lock = threading.Lock()
        self.version = 0  # moves on every start and stop

    def start(self, namespace: str, pod: str, spec: PortSpec, address: str, tunnel: Tunnel) -> Forward:
        """Listen and forward (``ForwardError`` says why not; the tunnel is closed then)."""
        key = (namespace, pod, spec.container, spec.port)
        with self._lock:
            old = self._items.get(key)
        if old is not None:
            tunnel.close()
            raise ForwardError(f"{namespace}/{pod} {spec.container}::{spec.port} is already forwarded "
                               f"to {old.url}")
        fwd = Forward(namespace, pod, spec.container, spec.port, address or "localhost", tunnel)
        try:
            fwd.listen(spec.local)
        except (ForwardError, ValueError) as err:
            tunnel.close()
            raise ForwardError(str(err)) from None
        with self._lock:
            self._items[key] = fwd
            self.version += 1
        return fwd

    def stop(self, key: ForwardKey) -> Forward | None:
        with self._lock:
            fwd = self._items.pop(key, None)
            if fwd is not None:
                self.version += 1
        if fwd is not None:
            fwd.stop()
        return fwd

    def reap(self) -> list[Forward]:
        """Stop and drop the forwards whose tunnel ended (the pod went away: kubectl port-forward
        exits then, k9s drops the forward); each says why in ``ended``."""
        gone = []
        for fwd in self.list():
            reason = fwd.tunnel.ended()
            if reason and self.stop(fwd.key) is fwd:
                fwd.ended = reason
                gone.append(fwd)
        return gone

    def stop_all(self) -> None:
        for key in list(self._items):
            self.stop(key)

    def list(self) -> list[Forward]:
        with self._lock:
            return sorted(self._items.values(), key=lambda f: f.key)

    def __len__(self) -> int:
        return len(self._items)

    def pods(self) -> frozenset[tuple[str, str]]:
        """(namespace, pod) of every forward: the pods view's PF column."""
        with self._lock:
            return frozenset((ns, pod) for ns, pod, _, _ in self._items)

    def containers(self) -> frozenset[tuple[str, str]]:
        """(namespace, "pod/container"), keyed like the containers view's rows."""
        with self._lock:
            return frozenset((ns, f"{pod}/{c}") for ns, pod, c, _ in self._items)
