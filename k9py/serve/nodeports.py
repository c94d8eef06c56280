"""`k9py serve --expose-nodeports`: every NodePort Service answers HTTP on loopback, the way the
tutorial's ``curl $(minikube ip):31380`` reaches nginx on minikube.

Each Service port gets ``127.0.0.1:<nodePort>`` when that port is free on this machine, else a
free one; the mapping is printed (``my-nginx 80:31080/TCP -> http://127.0.0.1:31080``). A request
enters the cluster at a node's IP and nodePort, as kube-proxy sees it: routed to a ready endpoint
by the userland (``sim.userland.net``), whose server logs it. Services created later get a port
at the next ``sync()``; a port whose Service went away closes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from k9py.kube import meta
from k9py.kube.meta import dig
from k9py.serve.http import quiet_handle_error

Key = tuple[str, str, int]  # namespace, service, nodePort


def node_ports(cluster: Any) -> dict[Key, str]:
    """Every (namespace, name, nodePort) of the cluster's NodePort/LoadBalancer Services → its
    label in kubectl's PORT(S) form (``80:31080/TCP``)."""
    out: dict[Key, str] = {}
    for svc in cluster.store.list("Service"):
        if dig(svc, "spec", "type") not in ("NodePort", "LoadBalancer"):
            continue
        for p in dig(svc, "spec", "ports") or []:
            if p.get("nodePort"):
                out[(meta.namespace(svc), meta.name(svc), int(p["nodePort"]))] = \
                    f"{p.get('port')}:{p['nodePort']}/{p.get('protocol', 'TCP')}"
    return out


def node_ip(cluster: Any) -> str | None:
    for node in cluster.store.list("Node"):
        for a in dig(node, "status", "addresses") or []:
            if a.get("type") == "InternalIP":
                return str(a.get("address"))
    return None


def _handler(cluster: Any, node_port: int) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # the pod's own log has the line
            pass

        def do_GET(self) -> None:
            self._answer()

        do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

        def _answer(self) -> None:
            from k9py.sim.userland.net import Refused, http_request
            length = int(self.headers.get("Content-Length") or 0)
            payload = self.rfile.read(length) if length > 0 else b""
            headers: dict[str, str] = {}
            with cluster.lock:
                ip = node_ip(cluster)
                try:
                    if ip is None:
                        raise Refused
                    # kube-proxy masquerades traffic to a node port: the pod sees the node's address
                    r = http_request(cluster, None, self.headers.get("Host", f"{ip}:{node_port}"), ip, node_port,
                                     self.path, self.headers.get("User-Agent", "-"), method=self.command, body=payload,
                                     source=ip, headers=list(self.headers.items()))
                except Refused:
                    r = None
            if r is None:  # kube-proxy rejects: no ready endpoint behind the Service
                data = f"k9py: connection refused: nothing answers on node port {node_port}\n".encode()
                status, reason, ctype = 503, "Service Unavailable", "text/plain"
            else:
                data, status, reason, ctype = r.body, r.status, r.reason, r.content_type
                headers = {**({"Server": r.server_header} if r.server_header else {}),
                           **{k: v for k, v in r.headers.items() if k != "Connection"}}  # (this server's own)
            # the pod's response as it sent it: its own Server header (nginx/1.14.2), none of ours
            self.log_request(status)
            self.send_response_only(status, reason)
            self.send_header("Date", self.date_time_string())
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

    return Handler


class _PortServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        quiet_handle_error(lambda: super(_PortServer, self).handle_error(request, client_address))


def listener(cluster: Any, node_port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """One node port of the cluster on a free loopback port, serving until ``shutdown()`` (the
    explorer's `b` on a Service: its benchmark enters the simulated cluster there)."""
    server = _PortServer((host, 0), _handler(cluster, node_port))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                     name=f"k9py-nodeport-{node_port}", daemon=True).start()
    return server


class NodePorts:
    """The loopback listeners of one served cluster."""

    def __init__(self, cluster: Any, host: str = "127.0.0.1") -> None:
        self.cluster = cluster
        self.host = host
        self.servers: dict[Key, ThreadingHTTPServer] = {}

    def sync(self) -> list[str]:
        """Open a listener for each new node port, close those of Services gone; the lines to
        print for the new ones."""
        with self.cluster.lock:
            wanted = node_ports(self.cluster)
        lines: list[str] = []
        for key in [k for k in self.servers if k not in wanted]:
            self._close(self.servers.pop(key))
        for key, label in sorted(wanted.items()):
            if key in self.servers:
                continue
            server = self._listen(key[2])
            self.servers[key] = server
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                             name=f"k9py-nodeport-{key[2]}", daemon=True).start()
            ns, name, _ = key
            lines.append(f"{ns}/{name} {label} -> http://{self.host}:{server.server_address[1]}")
        return lines

    def _listen(self, node_port: int) -> ThreadingHTTPServer:
        handler = _handler(self.cluster, node_port)
        try:
            server: ThreadingHTTPServer = _PortServer((self.host, node_port), handler)
        except OSError:  # taken on this machine: any free port (printed)
            server = _PortServer((self.host, 0), handler)
        return server

    def port_of(self, namespace: str, name: str, node_port: int) -> int | None:
        server = self.servers.get((namespace, name, node_port))
        return int(server.server_address[1]) if server else None

    @staticmethod
    def _close(server: ThreadingHTTPServer) -> None:
        with contextlib.suppress(Exception):
            server.shutdown()
        server.server_close()

    def close(self) -> None:
        for server in self.servers.values():
            self._close(server)
        self.servers.clear()


def watch(nodeports: NodePorts, stop: threading.Event, say: Callable[[str], None], every: float = 1.0) -> None:
    """Print the mappings now, then look for new Services every ``every`` seconds until ``stop``."""
    for line in nodeports.sync():
        say(line)
    while not stop.wait(every):
        for line in nodeports.sync():
            say(line)
