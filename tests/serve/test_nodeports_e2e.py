"""`k9py serve --expose-nodeports`: the tutorial's `curl $(minikube ip):<NodePort>` on loopback.
A NodePort Service answers on 127.0.0.1 (its nodePort when free; the mapping is printed), the
request reaches a ready nginx pod, which logs it; a Service created later is exposed too."""

from __future__ import annotations

import queue
import re
import threading
import urllib.error
import urllib.request

from tests.serve.test_kubectl_e2e import Server

DEADLINE = 30.0
MAPPING = re.compile(r"k9py serve: node port (\S+) (\d+):(\d+)/TCP -> http://127\.0\.0\.1:(\d+)\n")


def lines_of(srv: Server) -> queue.Queue[str]:
    """serve's output lines, read by a thread (a pipe's buffering hides lines from select)."""
    q: queue.Queue[str] = queue.Queue()
    out = srv.proc.stdout
    assert out is not None
    threading.Thread(target=lambda: [q.put(ln) for ln in out], daemon=True).start()
    return q


def next_mapping(lines: queue.Queue[str], service: str) -> tuple[int, int]:
    """(nodePort, loopback port) of ``service`` from serve's output."""
    while True:
        try:
            line = lines.get(timeout=DEADLINE)
        except queue.Empty:
            raise AssertionError(f"serve printed no node port for {service}") from None
        m = MAPPING.fullmatch(line)
        if m and m.group(1) == service:
            return int(m.group(3)), int(m.group(4))


def get(port: int) -> tuple[int, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
        assert r.headers.get_all("Server") == ["nginx/1.14.2"]  # the pod's own answer, nothing of ours
        return r.status, r.read().decode()


def test_node_ports_answer_on_loopback_and_reach_nginx(tmp_path):
    srv = Server(tmp_path, "--expose-nodeports")
    lines = lines_of(srv)
    try:
        node_port, port = next_mapping(lines, "default/my-nginx")
        svc = srv.json("get", "svc", "my-nginx")
        assert node_port == svc["spec"]["ports"][0]["nodePort"]
        srv.kubectl("wait", "--for=condition=Available", "deployment/nginx-deployment", "--timeout=30s", timeout=35)
        status, page = get(port)
        assert status == 200 and "<title>Welcome to nginx!</title>" in page
        logs = srv.kubectl("logs", "-l", "app=nginx", "--tail=-1").stdout
        node = srv.json("get", "nodes")["items"][0]
        node_ip = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
        # kube-proxy masquerades node-port traffic: nginx sees the node's address
        assert re.search(rf'^{re.escape(node_ip)} - - \[[^]]+\] "GET / HTTP/1\.1" 200 \d+ "-" "Python-urllib/', logs, re.M), logs[-500:]
        try:
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/", data=b"x=1", method="POST"), timeout=10)
            raise AssertionError("nginx's static server took a POST")
        except urllib.error.HTTPError as err:
            assert err.code == 405 and "<title>405 Not Allowed</title>" in err.read().decode()
        srv.kubectl("create", "service", "nodeport", "later", "--tcp=80:80", "--node-port=31999")
        _, later = next_mapping(lines, "default/later")
        try:
            get(later)
            raise AssertionError("a Service without endpoints answered")
        except urllib.error.HTTPError as err:  # no ready endpoint behind it
            assert err.code == 503
    finally:
        srv.proc.terminate()
        srv.proc.wait(timeout=10)
