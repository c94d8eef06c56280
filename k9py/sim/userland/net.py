"""The cluster's network as containers see it: DNS from Services and pods (CoreDNS's
``cluster.local`` records), and HTTP to Service IPs (round-robin over ready endpoints), node
ports, pod IPs and localhost, answered by the nginx / httpd containers listening there."""

from __future__ import annotations

import ipaddress
import posixpath
import re
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.meta import dig
from k9py.kube.unicode import digits
from k9py.sim.userland import dns
from k9py.sim.userland.container import CLUSTER_DOMAIN, Container, build, spec_of, world
from k9py.sim.userland.fs import Dir, File, FsError
from k9py.sim.userland.image import HTTPD_VERSION, NGINX_LATEST_VERSION
from k9py.sim.userland.volumes import SA_PATH, store

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
SUFFIX = "." + CLUSTER_DOMAIN
SERVICE_NAME_LABEL = "kubernetes.io/service-name"


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
        ips = {a for _, addresses, _ in _backends(cluster, parts[1], parts[0]) for a in addresses}
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


def resolver(cluster: Cluster, box: Container | None) -> dns.ResolvConf:
    """The resolver a container's lookups go through (its pod's ``/etc/resolv.conf``)."""
    pod = cluster.store.get("Pod", box.namespace, box.pod) if box is not None else None
    if pod is None:
        return dns.pod_conf({"metadata": {"namespace": box.namespace if box is not None else "default"}})
    return dns.pod_conf(pod)


def resolve(cluster: Cluster, box: Container | None, name: str) -> tuple[str, list[str]] | None:
    """``name`` → (the name that answered, its addresses), using the pod's search path; None is
    NXDOMAIN (there is no world outside the cluster)."""
    name = name.rstrip(".").lower()
    if is_ip(name):
        return name, [name]
    if name in ("localhost", "localhost.localdomain"):
        return name, ["127.0.0.1"]
    if box is not None and name == box.hostname:
        pod = cluster.store.get("Pod", box.namespace, box.pod)
        ip = dig(pod, "status", "podIP") if pod else None
        if ip:
            return name, [ip]
    conf = resolver(cluster, box)
    if not conf.cluster:
        return None  # the node's DNS (a host-network pod's) knows none of the cluster's names
    searched = [f"{name}.{domain}" for domain in conf.searches]
    candidates = [name, *searched] if name.count(".") >= conf.ndots or name.endswith(SUFFIX) else [*searched, name]
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
    headers: dict[str, str] = field(default_factory=dict)
    version: str = ""  # the server's release (its image's NGINX_VERSION / HTTPD_VERSION)

    content_type: str = "text/html"

    @property
    def server_header(self) -> str | None:
        """``Server:`` as the server sends it (nginx's server_tokens on; httpd's ServerTokens Full;
        Go's net/http, the echo server's, sends none)."""
        if self.server == "echo":
            return None
        if self.server == "nginx":
            return f"nginx/{self.version or NGINX_LATEST_VERSION}"
        return f"Apache/{self.version or HTTPD_VERSION} (Unix)"


class Refused(Exception):
    """Nothing listens there (or a Service without ready endpoints: kube-proxy rejects)."""


def _endpoint_for(cluster: Cluster, svc: Obj, port: int) -> tuple[Obj, int]:
    """A ready endpoint pod and target port for ``port`` of the Service, round-robin."""
    sp = next((p for p in dig(svc, "spec", "ports") or [] if p.get("port") == port), None)
    if sp is None:
        raise Refused
    ns, name = meta.namespace(svc), meta.name(svc)
    port_name = sp.get("name") or ""
    choices: list[tuple[str, str, int]] = []  # (pod name or "", address, target port)
    for ports, addresses, pod_name in _backends(cluster, ns, name):
        tport = next((p.get("port") for p in ports if isinstance(p, dict) and (p.get("name") or "") == port_name), None)
        if isinstance(tport, int):
            choices.append((pod_name, addresses[0], tport))  # (kube-proxy takes an endpoint's first address)
    if not choices:
        raise Refused
    rr = store(cluster)["rr"]
    key = f"{ns}/{name}:{port}"
    k = rr.get(key, 0)
    rr[key] = k + 1
    pod_name, address, tport = choices[k % len(choices)]
    # an endpoint given by hand may name no pod: its address leads to one
    pod = cluster.store.get("Pod", ns, pod_name) if pod_name else _pod_at(cluster, address)
    if pod is None:
        raise Refused
    return pod, tport


def _pod_at(cluster: Cluster, ip: str) -> Obj | None:
    """The pod with that IP of its own (None: no pod has it)."""
    for p in cluster.store.list("Pod"):
        if dig(p, "status", "podIP") == ip and not dig(p, "spec", "hostNetwork"):
            return p
    return None


ServiceEndpoint = tuple[list[Any], list[str], str]  # (its ports, its addresses, the pod it names or "")


def _backends(cluster: Cluster, namespace: str, service: str) -> list[ServiceEndpoint]:
    """The Service's ready endpoints. From its EndpointSlices (labelled with its name: the
    controller's and any written by hand), as kube-proxy and CoreDNS read them: no ``ready``
    condition counts as ready, as the API says consumers should read it; odd entries are
    skipped. From its Endpoints when it has no slice (a Service without a selector given
    Endpoints by hand: kube-controller-manager's mirroring controller would make its slice;
    the simulator has none)."""
    store = cluster.store
    found = (store.get("EndpointSlice", *key)
             for key in store.labelled("EndpointSlice", SERVICE_NAME_LABEL, service, namespace))
    slices = [s for s in found if s is not None]
    out: list[ServiceEndpoint] = []
    for s in slices:
        ports = s.get("ports")
        ports = ports if isinstance(ports, list) else []
        endpoints = s.get("endpoints")
        for ep in endpoints if isinstance(endpoints, list) else []:
            if not isinstance(ep, dict):
                continue
            conditions, addresses = ep.get("conditions"), ep.get("addresses")
            if isinstance(conditions, dict) and conditions.get("ready") is False:
                continue
            addresses = [a for a in addresses if isinstance(a, str)] if isinstance(addresses, list) else []
            if addresses:
                out.append((ports, addresses, _pod_named(ep.get("targetRef"))))
    if slices:
        return out
    ep = store.get("Endpoints", namespace, service)
    for subset in (ep or {}).get("subsets") or []:
        for a in subset.get("addresses") or []:
            if a.get("ip"):
                out.append((subset.get("ports") or [], [a["ip"]], _pod_named(a.get("targetRef"))))
    return out


def _pod_named(ref: Any) -> str:
    return str(ref.get("name") or "") if isinstance(ref, dict) and ref.get("kind") == "Pod" else ""


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
    pod = _pod_at(cluster, ip)
    if pod is None:
        raise Refused
    return pod, port


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
    """Whether a running container of ``pod`` answers on ``port`` (a port-forward's check, a
    TCP probe's: answered as ``probe_get`` answers, without a world per replica)."""
    try:
        probe_get(cluster, pod, port, "/")
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
                ports |= {int(m) for m in re.findall(r"(?:^|[{;])\s*listen\s+(?:[\d.]+:)?(\d+)", text, re.M)}
        except FsError:
            pass
        return ports or {80}
    if box.image.server == "echo":
        port = box.env.get("PORT", "8080")
        return {int(port)} if digits(port) else set()
    return {80}


def _error_page(status: int, reason: str, version: str) -> bytes:
    return (f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}"
            f"</h1></center>\r\n<hr><center>nginx/{version}</center>\r\n</body>\r\n</html>\r\n").encode()


def _apache_405(method: str) -> bytes:
    return ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>405 Method Not Allowed</title>\n'
            f"</head><body>\n<h1>Method Not Allowed</h1>\n<p>The requested method {method} is not allowed for this URL.</p>\n"
            "</body></html>\n").encode()


def control_plane_ip(cluster: Cluster) -> str:
    """The address the API server connects from (its proxy to pods and Services): the InternalIP
    of the control-plane node (the first node when none is labelled so)."""
    from k9py.sim.nodes import CONTROL_PLANE_LABEL

    nodes = cluster.store.list("Node")
    nodes = sorted(nodes, key=lambda n: CONTROL_PLANE_LABEL not in meta.labels(n))
    for node in nodes:
        for a in dig(node, "status", "addresses") or []:
            if a.get("type") == "InternalIP" and a.get("address"):
                return str(a["address"])
    return "127.0.0.1"


def http_get(cluster: Cluster, client: Container | None, host: str, ip: str, port: int, path: str,
             user_agent: str) -> Response:
    """A GET of ``path`` from inside ``client``'s pod (see ``http_request``)."""
    return http_request(cluster, client, host, ip, port, path, user_agent)


def _pod_ip(cluster: Cluster, box: Container) -> str:
    """The address of ``box``'s pod: the one its world was made with (a one-shot's comes from its
    sandbox: it runs before the API's status shows one), else the stored status's."""
    return box.ip or str(dig(cluster.store.get("Pod", box.namespace, box.pod), "status", "podIP") or "")


def http_request(cluster: Cluster, client: Container | None, host: str, ip: str, port: int, path: str,
                 user_agent: str, *, method: str = "GET", body: bytes = b"", source: str | None = None,
                 headers: list[tuple[str, str]] | None = None) -> Response:
    """One HTTP request to ``ip:port`` (``Refused`` if nothing answers), from inside ``client``'s
    pod, or from ``source`` (the address the server sees: the API server's node for its proxy,
    127.0.0.1 for a port-forward) when no container sends it. The server answers as its static
    file server does and writes its access-log line (with the method) to its container's log:
    nginx serves GET/HEAD, answers 405 Not Allowed to POST on a file and to any other method, 413
    to a body over ``client_max_body_size`` (1m); httpd serves GET/HEAD/POST, answers OPTIONS with
    ``Allow`` and 405 to the rest. The request body is read and dropped, as theirs."""
    from k9py.sim.logs import append_log, nginx_error_time, nginx_time

    pod, tport = route(cluster, client, ip, port)
    server = _listener(cluster, pod, tport)
    client_ip = source or "127.0.0.1"
    if client is not None and not ip.startswith("127."):
        client_ip = _pod_ip(cluster, client) or client_ip
    method = method.upper()
    if server.image.server == "echo":  # (it logs no requests)
        sent = headers if headers is not None else [("User-Agent", user_agent)]
        return _echo(server, method, path, host, sent, body)
    request = f"{method} {path or '/'} HTTP/1.1"
    resp, target = _respond(server, method, path, len(body))
    apache = server.image.server == "httpd"
    size = 0 if method == "HEAD" else len(resp.body)
    lines = []
    if not apache and resp.status in (404, 413):
        what = (f'open() "{target}" failed (2: No such file or directory)' if resp.status == 404 else
                f"client intended to send too large body: {len(body)} bytes")
        lines.append(f'{nginx_error_time(cluster.now())} [error] 29#29: *1 {what}, client: {client_ip}, '
                     f'server: localhost, request: "{request}", host: "{host}"')
    if apache:
        lines.append(f'{client_ip} - - [{nginx_time(cluster.now())}] "{request}" {resp.status} {size or "-"}')
    else:
        lines.append(f'{client_ip} - - [{nginx_time(cluster.now())}] "{request}" {resp.status} {size} '
                     f'"-" "{user_agent}" "-"')
    append_log(cluster, server.namespace, server.pod, server.name, *lines)
    return resp


def _echo(server: Container, method: str, path: str, host: str, headers: list[tuple[str, str]],
          body: bytes) -> Response:
    """jmalloc/echo-server's answer: who served it, then the request as Go's net/http read it (its
    header names canonical and sorted, Host apart), then its body."""
    canonical = sorted(("-".join(p.capitalize() for p in k.strip().split("-")), v.strip())
                       for k, v in headers if k.strip().lower() not in ("host", ""))
    text = (f"Request served by {server.hostname}\n\nHTTP/1.1 {method} {path or '/'}\n\nHost: {host}\n"
            + "".join(f"{k}: {v}\n" for k, v in canonical))
    data = text.encode() + (b"\n" + body if body else b"")
    return Response(200, "OK", data, "echo", content_type="text/plain")


def _respond(server: Container, method: str, path: str, body_size: int) -> tuple[Response, str]:
    """The server's answer to ``method path`` and the file it looked for."""
    if server.image.server == "echo":
        return _echo(server, method, path, "", [], b""), path
    clean = posixpath.normpath("/" + path.split("?", 1)[0].lstrip("/")) if path else "/"
    apache = server.image.server == "httpd"
    docroot, version = ("/usr/local/apache2/htdocs", server.env.get("HTTPD_VERSION", HTTPD_VERSION)) if apache else \
        ("/usr/share/nginx/html", server.env.get("NGINX_VERSION", NGINX_LATEST_VERSION))
    target = docroot + ("" if clean == "/" else clean)
    resp = _apache(server, method, target, version) if apache else _nginx(server, method, target, version, body_size)
    resp.version = version
    return resp, target


def probe_get(cluster: Cluster, pod: Obj, port: int, path: str) -> int:
    """The status the pod's server answers the kubelet's HTTP probe with (``Refused`` when
    nothing listens on ``port``). Its access-log line is the synthetic log's (``sim/logs.py``
    writes the probes' lines of a server with a probe).

    A container nobody has looked into yet (no exec, no port-forward: its world not built)
    and with nothing mounted but its token answers as its image does: that answer is kept per
    image, command, port and path, so thousands of probed replicas do not each build a world
    (a millisecond and ~36 KB apiece, at every start)."""
    from k9py.sim.kubelet import runtime_for

    if dig(pod, "status", "phase") in ("Succeeded", "Failed"):
        raise Refused
    rt = runtime_for(cluster, meta.namespace(pod), meta.name(pod))
    if rt is None:
        raise Refused
    built = store(cluster)["containers"]
    for c in rt.containers:
        inst = c.current
        if c.phase != "running" or inst is None or (c.init and not c.sidecar):
            continue
        spec = spec_of(pod, c.name)
        if inst.container_id in built or not _as_its_image(spec):
            box = world(cluster, pod, c.name, c.init, inst)
            status = _status(box, port, path)
        else:
            key = (inst.image, repr(spec.get("command")), repr(spec.get("args")), port, path)
            if key not in _IMAGE_ANSWERS:
                if len(_IMAGE_ANSWERS) >= IMAGE_ANSWERS_MAX:
                    _IMAGE_ANSWERS.clear()
                _IMAGE_ANSWERS[key] = _status(build(cluster, pod, c.name, c.init, inst), port, path)
            status = _IMAGE_ANSWERS[key]
        if status is not None:
            return status
    raise Refused


_IMAGE_ANSWERS: dict[tuple[Any, ...], int | None] = {}  # (image, command, args, port, path) → status
IMAGE_ANSWERS_MAX = 4096


def _as_its_image(spec: Obj) -> bool:
    """Nothing mounted in the container but its service account token: its files are its image's."""
    return all(isinstance(m, dict) and m.get("mountPath") == SA_PATH for m in spec.get("volumeMounts") or [])


def _status(box: Container, port: int, path: str) -> int | None:
    """What ``box`` answers a GET of ``path`` on ``port`` with; None: it does not listen there."""
    if box.image.server is None or port not in listen_ports(box):
        return None
    resp, _ = _respond(box, "GET", path, 0)
    return resp.status


MAX_BODY = 1 << 20  # nginx's default client_max_body_size


def _read(server: Container, target: str) -> bytes:
    node = server.fs.lookup(target)
    return server.fs.read(posixpath.join(target, "index.html")) if isinstance(node, Dir) else node.data


def _nginx(server: Container, method: str, target: str, version: str, body_size: int) -> Response:
    def error(status: int, reason: str) -> Response:
        return Response(status, reason, _error_page(status, reason, version))

    if body_size > MAX_BODY:
        return error(413, "Request Entity Too Large")
    if method not in ("GET", "HEAD", "POST"):  # ngx_http_static_handler: before it looks for the file
        return error(405, "Not Allowed")
    try:
        data, mtime = _nginx_file(server, target)
    except FsError:
        return error(404, "Not Found")
    except PermissionError:  # a directory without its index (autoindex off): "directory index ... is forbidden"
        return error(403, "Forbidden")
    if method == "POST":
        return error(405, "Not Allowed")
    # the static module's headers after Content-Length, in nginx's order (curl -v shows them)
    modified = int(mtime)
    return Response(200, "OK", data, headers={
        "Last-Modified": formatdate(modified, usegmt=True), "Connection": "keep-alive",
        "ETag": f'"{modified:x}-{len(data):x}"', "Accept-Ranges": "bytes"})


def _nginx_file(server: Container, target: str) -> tuple[bytes, float]:
    """The file nginx's default server sends for ``target`` and its mtime: a directory's
    index.html or index.htm (``index index.html index.htm``); PermissionError when it has neither."""
    node = server.fs.lookup(target)
    if not isinstance(node, Dir):
        return node.data, node.mtime
    for name in ("index.html", "index.htm"):
        try:
            found = server.fs.lookup(posixpath.join(target, name))
        except FsError:
            continue
        if isinstance(found, File):
            return found.data, found.mtime
    raise PermissionError(target)


def _apache(server: Container, method: str, target: str, version: str) -> Response:
    if method == "OPTIONS":  # core's default handler: ap_send_http_options
        return Response(200, "OK", b"", "Apache", {"Allow": "GET,POST,OPTIONS,HEAD"})
    if method not in ("GET", "HEAD", "POST"):
        return Response(405, "Method Not Allowed", _apache_405(method), "Apache", {"Allow": "GET,POST,OPTIONS,HEAD"})
    try:
        data = _read(server, target)
    except FsError:
        return Response(404, "Not Found", _error_page(404, "Not Found", version), "Apache")
    return Response(200, "OK", data, "Apache")


def echo_ttl(cluster: Cluster, box: Container | None, ip: str) -> int | None:
    """The TTL of the ICMP echo reply ``ip`` sends back to ``box``'s pod (64 from its own node,
    63 across one hop to another node); None: nothing answers. Pod and node addresses and
    loopback answer; a ClusterIP does not (kube-proxy in iptables mode only rewrites the TCP and
    UDP ports a Service lists: a ping to it is lost), nor does an address no one has."""
    if ip.startswith("127."):
        return 64
    here = ""
    if box is not None:
        here = str(dig(cluster.store.get("Pod", box.namespace, box.pod), "spec", "nodeName") or "")
    for node in cluster.store.list("Node"):
        if any(a.get("address") == ip for a in dig(node, "status", "addresses") or []):
            return 64 if meta.name(node) == here else 63
    if box is not None and ip == _pod_ip(cluster, box):
        return 64
    pod = _pod_at(cluster, ip)
    if pod is None or dig(pod, "status", "phase") in ("Succeeded", "Failed"):
        return None
    return 64 if dig(pod, "spec", "nodeName") == here else 63
