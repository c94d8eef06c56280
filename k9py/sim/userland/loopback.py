"""A connection to ``localhost:PORT`` inside a pod's network namespace, as the kubelet makes one
for a port-forward: the bytes of one HTTP request in, the server's whole response out."""

from __future__ import annotations

from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.meta import dig
from k9py.sim.userland import net

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
HEAD_END = b"\r\n\r\n"


def request_complete(raw: bytes) -> bool:
    """Whether ``raw`` holds a whole request: its head, and the body its Content-Length says."""
    head, sep, body = raw.partition(HEAD_END)
    if not sep:
        return False
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                length = 0
    return len(body) >= length


def answer(cluster: Cluster, pod: Obj, port: int, raw: bytes) -> bytes:
    """The response to the HTTP request ``raw`` sent to ``localhost:port`` in ``pod`` (the caller
    holds the cluster's lock). ``net.Refused`` when nothing listens there."""
    head, _, body = raw.partition(HEAD_END)
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    method, path = (parts[0], parts[1]) if len(parts) >= 2 else ("", "/")
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    current = cluster.store.get("Pod", meta.namespace(pod), meta.name(pod))
    ip = dig(current, "status", "podIP") if current else None
    if current is None or not ip:
        raise net.Refused
    # the kubelet dials localhost inside the pod: the server sees 127.0.0.1
    sent = [(k.strip(), v.strip()) for k, _, v in (ln.partition(":") for ln in lines[1:]) if k.strip()]
    got = net.http_request(cluster, None, headers.get("host", f"localhost:{port}"), ip, port, path,
                           headers.get("user-agent", "-"), method=method or "GET", body=body, source="127.0.0.1",
                           headers=sent)
    page = got.body
    # (one request a connection here: the server's Connection header says close)
    fields = {**got.headers, "Connection": "close"}
    extra = "".join(f"{k}: {v}\r\n" for k, v in fields.items())
    server = f"Server: {got.server_header}\r\n" if got.server_header else ""
    out = (f"HTTP/1.1 {got.status} {got.reason}\r\n{server}Date: {formatdate(usegmt=True)}\r\n"
           f"Content-Type: {got.content_type}\r\nContent-Length: {len(page)}\r\n{extra}\r\n").encode()
    return out + (page if method != "HEAD" else b"")
