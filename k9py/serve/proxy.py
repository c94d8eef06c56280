"""The ``proxy`` subresources of services, pods and nodes: the API server's HTTP proxy into the
cluster, answered by the simulator's userland (nginx-like containers serve their files and log
the access line; nodes answer as the kubelet's ``/healthz``).

URL forms as the API server accepts them: ``NAME``, ``NAME:PORT`` and ``SCHEME:NAME:PORT``
(``…/services/my-nginx:80/proxy/``, ``…/pods/web-0:80/proxy/index.html``); for services the port
is a port number or name of the Service, for pods a container port.

Every method is passed on with its body (``kubectl create --raw …/proxy/`` is a POST); the
request reaches the pod from the API server's node (the control-plane node's InternalIP is the
client address in nginx's access log), as it does on a real cluster.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from k9py.kube.meta import dig
from k9py.kube.status import ApiError, bad_request, not_found
from k9py.kube.unicode import digits
from k9py.serve import kubelet
from k9py.serve.http import Request, Response, no_route

if TYPE_CHECKING:
    from k9py.serve.api import Api, Route

Obj = dict[str, Any]
KUBELET_PORT = 10250
SCHEMES = ("", "http", "https")


def split_scheme_name_port(ident: str) -> tuple[str, str, str] | None:
    """``[scheme:]name[:port]`` → (scheme, name, port), None if malformed (apimachinery's
    ``SplitSchemeNamePort``)."""
    parts = ident.split(":")
    if len(parts) == 1:
        scheme, name, port = "", parts[0], ""
    elif len(parts) == 2:
        scheme, name, port = "", parts[0], parts[1]
    elif len(parts) == 3:
        scheme, name, port = parts
    else:
        return None
    if not name or scheme not in SCHEMES:
        return None
    return scheme, name, port


def proxy_path(req: Request, route: Route) -> str | None:
    """The path after ``…/NAME/proxy`` (``/`` for ``proxy/``), None when the URL ends at ``proxy``."""
    segs = req.path.split("/")
    for i in range(len(segs) - 2):
        if segs[i] == route.res.plural and segs[i + 1] == route.name and segs[i + 2] == "proxy":
            rest = segs[i + 3:]
            return "/" + "/".join(rest) if rest else None
    return None


def _unavailable(message: str) -> Response:
    return Response(503, ApiError(503, "ServiceUnavailable", message).to_status())


def _refused(ip: str, port: int) -> Response:
    return _unavailable(f"error trying to reach service: dial tcp {ip}:{port}: connect: connection refused")


def handle(api: Api, req: Request, route: Route) -> Response:
    path = proxy_path(req, route)
    if path is None and req.method not in ("GET", "HEAD"):
        path = "/"
    if path is None:  # the API server redirects an empty path of a GET to the one ending in "/"
        query = "&".join(f"{k}={v}" for k, vs in req.multi.items() for v in vs)
        return Response(301, "", "text/plain", headers={"Location": req.path + "/" + (f"?{query}" if query else "")})
    if req.multi:
        path += "?" + "&".join(f"{k}={v}" for k, vs in req.multi.items() for v in vs)
    kind = route.res.kind
    parsed = split_scheme_name_port(route.name or "")
    if parsed is None:
        raise bad_request(f'invalid {kind.lower()} request "{route.name}"')
    _scheme, name, port = parsed
    fwd = Forward(req.method, path, req.headers.get("user-agent", "Go-http-client/1.1"), req.body)
    with api.cluster.lock:
        if kind == "Service":
            resp = _service(api, route.namespace or "default", name, port, fwd)
        elif kind == "Pod":
            resp = _pod(api, route.namespace or "default", name, port, fwd)
        elif kind == "Node":
            return _node(api, name, port, fwd)
        else:
            return no_route()
    api.notify()  # an access line was written
    return resp


@dataclass
class Forward:
    """The request the API server passes on: every method, its body."""
    method: str
    path: str
    user_agent: str
    body: bytes = b""


def _send(api: Api, ip: str, port: int, fwd: Forward) -> Response:
    """The request from the API server (its node's address) to ``ip:port`` (a pod), through the
    userland's HTTP."""
    from k9py.sim.userland.net import Refused, control_plane_ip, http_request

    try:
        r = http_request(api.cluster, None, f"{ip}:{port}", ip, port, fwd.path, fwd.user_agent, method=fwd.method,
                         body=fwd.body, source=control_plane_ip(api.cluster))
    except Refused:
        return _refused(ip, port)
    ctype = r.content_type
    if r.status == 200 and ctype == "text/html":
        guessed = mimetypes.guess_type(fwd.path.split("?", 1)[0])[0]
        if guessed and not fwd.path.split("?", 1)[0].endswith("/"):
            ctype = guessed
    return Response(r.status, r.body, ctype, headers={k: v for k, v in r.headers.items() if k != "Connection"})


def _service(api: Api, ns: str, name: str, port: str, fwd: Forward) -> Response:
    from k9py.sim.userland.volumes import store

    cluster = api.cluster
    svc = cluster.store.get("Service", ns, name)
    if svc is None:
        raise not_found("Service", name)
    port_name = port
    if digits(port):
        sp = next((p for p in dig(svc, "spec", "ports") or [] if str(p.get("port")) == port), None)
        if sp is None:
            return _unavailable(f'no service port {port} found for service "{name}"')
        port_name = sp.get("name") or ""
    ep = cluster.store.get("Endpoints", ns, name)
    choices: list[tuple[str, int]] = []
    for subset in (ep or {}).get("subsets") or []:
        for p in subset.get("ports") or []:
            if (p.get("name") or "") == port_name:
                choices += [(a["ip"], int(p["port"])) for a in subset.get("addresses") or [] if a.get("ip")]
    if not choices:
        return _unavailable(f'no endpoints available for service "{name}"')
    rr = store(cluster)["rr"]
    key = f"apiserver-proxy:{ns}/{name}:{port_name}"
    k = rr.get(key, 0)
    rr[key] = k + 1
    ip, tport = choices[k % len(choices)]
    return _send(api, ip, tport, fwd)


def _pod(api: Api, ns: str, name: str, port: str, fwd: Forward) -> Response:
    pod = api.cluster.store.get("Pod", ns, name)
    if pod is None:
        raise not_found("Pod", name)
    ip = dig(pod, "status", "podIP")
    if not ip:
        raise bad_request("address not allowed")
    cports = [p for c in dig(pod, "spec", "containers") or [] for p in c.get("ports") or []]
    if not port:
        num = int(cports[0]["containerPort"]) if cports else 80
    elif digits(port):
        num = int(port)
    else:
        found = next((p for p in cports if p.get("name") == port), None)
        if found is None:
            return _unavailable(f"error trying to reach service: dial tcp: address tcp/{port}: unknown port")
        num = int(found["containerPort"])
    return _send(api, ip, num, fwd)


def _node(api: Api, name: str, port: str, fwd: Forward) -> Response:
    node = api.cluster.store.get("Node", None, name)
    if node is None:
        raise not_found("Node", name)
    addrs = dig(node, "status", "addresses") or []
    ip = next((a.get("address") for a in addrs if a.get("type") == "InternalIP"), None) or name
    num = int(port) if digits(port) else KUBELET_PORT
    if num != KUBELET_PORT:
        return _refused(ip, num)
    clean = fwd.path.split("?", 1)[0]
    if clean == "/healthz":
        return Response(200, "ok", "text/plain; charset=utf-8")
    if clean == "/pods":
        pods = [p for p in api.cluster.store.list("Pod") if dig(p, "spec", "nodeName") == name]
        return Response(200, {"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": pods})
    if clean == "/configz":
        return Response(200, kubelet.configz(node))
    if clean in ("/stats/summary", "/stats/summary/"):
        return Response(200, kubelet.summary(api.cluster, node))  # (under the cluster's lock)
    return Response(404, "404 page not found\n", "text/plain; charset=utf-8")
