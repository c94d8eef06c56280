"""The cluster's network as containers see it: DNS from Services and pods (CoreDNS's
``cluster.local`` records), and HTTP to Service IPs (round-robin over ready endpoints), node
ports, pod IPs and localhost, answered by the nginx / httpd containers listening there."""

from __future__ import annotations

import ipaddress
import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.meta import dig
from k9py.sim.userland.container import CLUSTER_DOMAIN, Container, world
from k9py.sim.userland.fs import Dir, FsError
from k9py.sim.userland.volumes import store

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
SUFFIX = "." + CLUSTER_DOMAIN


def is_ip(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _lookup_fqdn(cluster: Cluster, fqdn: str) -> list[str] | None:
    if not fqdn.endswith(SUFFIX):
        return None
    parts = fqdn[: -len(SUFFIX)].split(".")
    if len(parts) == 3 and parts[2] == "svc":
        svc = cluster.store.get("Service", parts[1], parts[0])
        if svc is None:
            return None
        ip = dig(svc, "spec", "clusterIP")
        if ip and ip != "None":
            return [ip]
        ep = cluster.store.get("Endpoints", parts[1], parts[0])
        ips = [a["ip"] for s in (ep or {}).get("subsets") or [] for a in s.get("addresses") or []]
        return sorted(ips) or None
    if len(parts) == 4 and parts[3] == "svc":
        for p in cluster.store.list("Pod", parts[2]):
            if dig(p, "spec", "hostname") == parts[0] and dig(p, "spec", "subdomain") == parts[1]:
                ip = dig(p, "status", "podIP")
                return [ip] if ip else None
        return None
    if len(parts) == 3 and parts[2] == "pod":
        ip = parts[0].replace("-", ".")
        return [ip] if is_ip(ip) else None
    return None


def resolve(cluster: Cluster, box: Container | None, name: str) -> tuple[str, list[str]] | None:
    """``name`` → (the name that answered, its addresses), using the pod's search path; None is
    NXDOMAIN (there is no world outside the cluster)."""
    name = name.rstrip(".").lower()
    if is_ip(name):
        return name, [name]
    if name in ("localhost", "localhost.localdomain"):
        return name, ["127.0.0.1"]
    ns = box.namespace if box else "default"
    if box is not None and name == box.hostname:
        pod = cluster.store.get("Pod", box.namespace, box.pod)
        ip = dig(pod, "status", "podIP") if pod else None
        if ip:
            return name, [ip]
    candidates = [f"{name}.{ns}.svc{SUFFIX}", f"{name}.svc{SUFFIX}", f"{name}{SUFFIX}", name]
    if name.count(".") >= 5 or name.endswith(SUFFIX):
        candidates = [name, *candidates[:-1]]
    for fq in candidates:
        ips = _lookup_fqdn(cluster, fq)
        if ips:
            return fq, ips
    return None


@dataclass
class Response:
    status: int
    reason: str
    body: bytes
    server: str = "nginx"


class Refused(Exception):
    """Nothing listens there (or a Service without ready endpoints: kube-proxy rejects)."""


def _endpoint_for(cluster: Cluster, svc: Obj, port: int) -> tuple[Obj, int]:
    """A ready endpoint pod and target port for ``port`` of the Service, round-robin."""
    sp = next((p for p in dig(svc, "spec", "ports") or [] if p.get("port") == port), None)
    if sp is None:
        raise Refused
    ns, name = meta.namespace(svc), meta.name(svc)
    ep = cluster.store.get("Endpoints", ns, name)
    choices: list[tuple[str, int]] = []
    for subset in (ep or {}).get("subsets") or []:
        tport = next((p.get("port") for p in subset.get("ports") or []
                      if (p.get("name") or "") == (sp.get("name") or "")), None)
        if tport is None:
            continue
        for a in subset.get("addresses") or []:
            ref = a.get("targetRef") or {}
            if ref.get("kind") == "Pod":
                choices.append((ref.get("name", ""), int(tport)))
    if not choices:
        raise Refused
    rr = store(cluster)["rr"]
    key = f"{ns}/{name}:{port}"
    k = rr.get(key, 0)
    rr[key] = k + 1
    pod_name, tport = choices[k % len(choices)]
    pod = cluster.store.get("Pod", ns, pod_name)
    if pod is None:
        raise Refused
    return pod, tport


def route(cluster: Cluster, box: Container | None, ip: str, port: int) -> tuple[Obj, int]:
    """Where a TCP connection to ``ip:port`` lands: (pod, container port)."""
    if ip.startswith("127.") and box is not None:
        pod = cluster.store.get("Pod", box.namespace, box.pod)
        if pod is None:
            raise Refused
        return pod, port
    for svc in cluster.store.list("Service"):
        spec = svc.get("spec") or {}
        if ip in ([spec.get("clusterIP"), *list(spec.get("clusterIPs") or [])]) and ip != "None":
            return _endpoint_for(cluster, svc, port)
    nodes = {a.get("address") for n in cluster.store.list("Node") for a in dig(n, "status", "addresses") or []}
    if ip in nodes:
        for svc in cluster.store.list("Service"):
            for p in dig(svc, "spec", "ports") or []:
                if p.get("nodePort") == port:
                    return _endpoint_for(cluster, svc, p.get("port"))
        raise Refused
    for p in cluster.store.list("Pod"):
        if dig(p, "status", "podIP") == ip and not dig(p, "spec", "hostNetwork"):
            return p, port
    raise Refused


def _listener(cluster: Cluster, pod: Obj, port: int) -> Container:
    """The running container of the pod that serves HTTP on ``port``."""
    from k9py.sim.kubelet import runtime_for

    if dig(pod, "status", "phase") in ("Succeeded", "Failed"):
        raise Refused
    rt = runtime_for(cluster, meta.namespace(pod), meta.name(pod))
    if rt is None:
        raise Refused
    for c in rt.containers:
        inst = c.current
        if c.phase != "running" or inst is None or (c.init and not c.sidecar):
            continue
        box = world(cluster, pod, c.name, c.init, inst)
        if box.image.server is not None and port in listen_ports(box):
            return box
    raise Refused


def serves(cluster: Cluster, pod: Obj, port: int) -> bool:
    """Whether a running container of ``pod`` answers on ``port`` (a port-forward's check)."""
    try:
        _listener(cluster, pod, port)
    except Refused:
        return False
    return True


def listen_ports(box: Container) -> set[int]:
    """The ports a server container listens on (nginx: its ``listen`` directives)."""
    if box.image.server == "nginx":
        ports: set[int] = set()
        try:
            for name in box.fs.listdir("/etc/nginx/conf.d"):
                text = box.fs.read(f"/etc/nginx/conf.d/{name}").decode(errors="replace")
                ports |= {int(m) for m in re.findall(r"^\s*listen\s+(?:[\d.]+:)?(\d+)", text, re.M)}
        except FsError:
            pass
        return ports or {80}
    return {80}


def _error_page(status: int, reason: str, version: str) -> bytes:
    return (f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}"
            f"</h1></center>\r\n<hr><center>nginx/{version}</center>\r\n</body>\r\n</html>\r\n").encode()


def http_get(cluster: Cluster, client: Container | None, host: str, ip: str, port: int, path: str,
             user_agent: str) -> Response:
    """A GET of ``path`` from inside ``client``'s pod (``Refused`` if nothing answers). The server
    writes its access-log line to its container's log."""
    from k9py.sim.logs import append_log, nginx_error_time, nginx_time

    pod, tport = route(cluster, client, ip, port)
    server = _listener(cluster, pod, tport)
    client_ip = "127.0.0.1"
    if client is not None and not ip.startswith("127."):
        me = cluster.store.get("Pod", client.namespace, client.pod)
        client_ip = dig(me, "status", "podIP") or client_ip
    clean = posixpath.normpath("/" + path.split("?", 1)[0]) if path else "/"
    if server.image.server == "httpd":
        docroot = "/usr/local/apache2/htdocs"
        version = "2.4.62"
    else:
        docroot = "/usr/share/nginx/html"
        version = server.env.get("NGINX_VERSION", "1.27.2")
    target = docroot + ("" if clean == "/" else clean)
    status, reason = 200, "OK"
    try:
        node = server.fs.lookup(target)
        body = server.fs.read(posixpath.join(target, "index.html")) if isinstance(node, Dir) else node.data
    except FsError:
        status, reason = 404, "Not Found"
        body = _error_page(404, reason, version)
    size = len(body)
    lines = []
    if server.image.server == "nginx" and status == 404:
        t = cluster.now()
        lines.append(f'{nginx_error_time(t)} [error] 29#29: *1 open() "{target}" failed (2: No such file or '
                     f'directory), client: {client_ip}, server: localhost, request: "GET {path or "/"} HTTP/1.1", '
                     f'host: "{host}"')
    if server.image.server == "httpd":
        lines.append(f'{client_ip} - - [{nginx_time(cluster.now())}] "GET {path or "/"} HTTP/1.1" {status} {size}')
    else:
        lines.append(f'{client_ip} - - [{nginx_time(cluster.now())}] "GET {path or "/"} HTTP/1.1" {status} {size} '
                     f'"-" "{user_agent}" "-"')
    append_log(cluster, server.namespace, server.pod, server.name, *lines)
    return Response(status, reason, body, "nginx" if server.image.server == "nginx" else "Apache")
