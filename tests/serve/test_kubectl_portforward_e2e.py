"""End to end: the real kubectl's ``port-forward`` (pod/, and svc/ resolved client-side to a pod)
against `k9py serve`: SPDY/3.1 tunnelled in a WebSocket (kubectl's first choice, accepted), HTTP
answered by the simulator's nginx, its access line in ``kubectl logs``. The plain SPDY upgrade
older clients use is tested in test_portforward.py. No sleeps: every wait reads against a deadline."""

from __future__ import annotations

import re
import subprocess
import urllib.error
import urllib.request
from http.client import RemoteDisconnected

import pytest

from tests.serve.test_kubectl_e2e import Server

pytestmark = pytest.mark.e2e

DEADLINE = 20.0

WEB = """\
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers:
  - {name: web, image: nginx, ports: [{containerPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 8080, targetPort: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: webd}
spec:
  replicas: 1
  selector: {matchLabels: {app: webd}}
  template:
    metadata: {labels: {app: webd}}
    spec:
      containers:
      - {name: nginx, image: nginx}
---
apiVersion: v1
kind: Pod
metadata: {name: hello-minikube, labels: {app: hello-minikube}}
spec:
  containers:
  - {name: echo-server, image: "kicbase/echo-server:1.0"}
"""


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("portforward")
    s = Server(tmp)
    (tmp / "web.yaml").write_text(WEB)
    s.kubectl("apply", "-f", str(tmp / "web.yaml"))
    s.kubectl("wait", "--for=condition=Ready", "pod/web", "--timeout=30s", timeout=35)
    s.kubectl("rollout", "status", "deploy/webd", "--timeout=30s", timeout=35)
    s.kubectl("wait", "--for=condition=Ready", "pod/hello-minikube", "--timeout=30s", timeout=35)
    yield s
    assert s.stop() == 0, "SIGTERM ends `k9py serve` cleanly"


def _forward(srv: Server, target: str, remote: int, pod_port: int | None = None, *flags: str) -> tuple[subprocess.Popen, int]:
    proc = srv.popen("port-forward", target, f"0:{remote}", *flags)
    remote = pod_port or remote
    assert proc.stdout is not None
    line = proc.stdout.readline()
    m = re.fullmatch(rf"Forwarding from 127\.0\.0\.1:(\d+) -> {remote}\n", line)
    if not m:
        proc.kill()
        raise AssertionError(f"unexpected {line!r}; stderr: {proc.communicate(timeout=10)[1]}")
    return proc, int(m.group(1))


def _stop(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        proc.terminate()
        return proc.communicate(timeout=10)[1]
    return ""


def _get(port: int, path: str = "/") -> tuple[int, bytes]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=DEADLINE) as r:
        return r.status, r.read()


def test_port_forward_to_a_pod(srv):
    proc, port = _forward(srv, "pod/web", 80)
    try:
        status, body = _get(port)
        assert status == 200 and b"<title>Welcome to nginx!</title>" in body
        status, body = _get(port)  # a second connection over the same SPDY session
        assert status == 200
        logs = srv.kubectl("logs", "web").stdout
        assert re.search(r'^127\.0\.0\.1 - - \[[^]]+\] "GET / HTTP/1\.1" 200 \d+ "-" "Python-urllib/[\d.]+" "-"$', logs, re.M), logs
    finally:
        assert "error" not in _stop(proc).lower()


def test_kubectl_tunnels_spdy_in_a_websocket_without_falling_back(srv):
    proc, port = _forward(srv, "pod/web", 80, None, "-v=6")
    try:
        assert _get(port)[0] == 200
    finally:
        err = _stop(proc)
    upgrades = [ln for ln in err.splitlines() if "/pods/web/portforward" in ln]  # kubectl's request log (-v=6)
    assert upgrades and all("GET" in ln and "101 Switching Protocols" in ln for ln in upgrades), err
    assert re.search(r"tunneling_dialer.go:\d+\] .*portforward\.k8s\.io", err), err


def test_port_forward_to_a_service(srv):
    proc, port = _forward(srv, "svc/web", 8080, 80)  # kubectl maps the service port to the pod's port 80
    try:
        assert _get(port)[0] == 200
    finally:
        _stop(proc)


def test_port_forward_to_a_deployment(srv):
    proc, port = _forward(srv, "deploy/webd", 80)  # kubectl picks one of its pods
    try:
        with pytest.raises(urllib.error.HTTPError) as got:
            _get(port, "/missing")
        assert got.value.code == 404 and b"<title>404 Not Found</title>" in got.value.read()
    finally:
        _stop(proc)
    pod = srv.json("get", "pods", "-l", "app=webd")["items"][0]["metadata"]["name"]
    assert '"GET /missing HTTP/1.1" 404 ' in srv.kubectl("logs", pod).stdout


def test_nothing_listening(srv):
    proc, port = _forward(srv, "pod/web", 81)
    try:
        with pytest.raises((RemoteDisconnected, ConnectionError, urllib.error.URLError)):
            _get(port)
        _, err = proc.communicate(timeout=DEADLINE)  # kubectl gives up on the session, as against a real cluster
    finally:
        _stop(proc)
    assert proc.returncode == 1
    # kubectl's log line elides the middle of the kubelet's long message (sandbox id, namespace path)
    assert '"An error occurred forwarding" err="error forwarding port 81 to pod' in err
    assert "[::1]:81: connect: connection refused" in err and "remotePort=81" in err
    assert err.endswith("error: lost connection to pod\n")


def test_kubectl_port_forward_exits_when_its_pod_is_deleted(srv):
    """As against a real cluster: the stream to the pod ends with it, kubectl says so and exits."""
    srv.kubectl("run", "brief", "--image=nginx", "--port=80")
    srv.kubectl("wait", "--for=condition=Ready", "pod/brief", "--timeout=30s", timeout=35)
    proc, port = _forward(srv, "pod/brief", 80)
    try:
        assert _get(port)[0] == 200
        srv.kubectl("delete", "pod", "brief", "--now", timeout=35)  # (waits until it is gone)
        _, err = proc.communicate(timeout=DEADLINE)
    finally:
        _stop(proc)
    assert proc.returncode == 1 and err.endswith("error: lost connection to pod\n"), err


def test_port_forward_several_ports_at_once(srv):
    """`kubectl port-forward pod/web 0:80 0:8080`: one SPDY session, a pair of streams per
    connection, each tagged with its port; connections to both ports, open at the same time."""
    srv.kubectl("exec", "web", "--", "sh", "-c", "echo 'server { listen 8080; }' > /etc/nginx/conf.d/alt.conf")
    proc = srv.popen("port-forward", "pod/web", "0:80", "0:8080")
    try:
        assert proc.stdout is not None
        ports: dict[int, int] = {}
        while len(ports) < 2:
            line = proc.stdout.readline()
            m = re.fullmatch(r"Forwarding from 127\.0\.0\.1:(\d+) -> (\d+)\n", line)
            if m:
                ports[int(m.group(2))] = int(m.group(1))
            elif not re.fullmatch(r"Forwarding from \[::1\]:\d+ -> \d+\n", line):
                proc.kill()
                raise AssertionError(f"unexpected {line!r}; stderr: {proc.communicate(timeout=10)[1]}")
        assert sorted(ports) == [80, 8080]
        before = srv.kubectl("logs", "web").stdout.count("Python-urllib")
        # two connections open at once, one per port, answered in the other order
        first = urllib.request.urlopen(f"http://127.0.0.1:{ports[80]}/", timeout=DEADLINE)
        second = urllib.request.urlopen(f"http://127.0.0.1:{ports[8080]}/index.html", timeout=DEADLINE)
        with first, second:
            assert second.status == first.status == 200
            assert second.read() == first.read()
        for _ in range(2):
            assert _get(ports[8080])[0] == _get(ports[80])[0] == 200
        logs = [ln for ln in srv.kubectl("logs", "web").stdout.splitlines() if "Python-urllib" in ln][before:]
        assert len(logs) == 6 and all(ln.startswith("127.0.0.1 - - [") for ln in logs), logs
        assert sum('"GET /index.html HTTP/1.1" 200 ' in ln for ln in logs) == 1
        assert proc.poll() is None, "kubectl keeps forwarding both ports"
    finally:
        assert "error" not in _stop(proc).lower()


def test_port_forward_to_minikubes_hello_minikube_echo_server(srv):
    # minikube's tutorial: kubectl port-forward … 7080:8080, then the browser: the echo server's
    # plain-text echo of the request (it answered nothing: an unknown image)
    proc, port = _forward(srv, "pod/hello-minikube", 8080)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/hello?x=1", timeout=DEADLINE) as r:
            body, ctype, server = r.read().decode(), r.headers["Content-Type"], r.headers["Server"]
    finally:
        _stop(proc)
    assert ctype == "text/plain" and server is None
    assert body.startswith("Request served by hello-minikube\n\nHTTP/1.1 GET /hello?x=1\n\n"
                           f"Host: 127.0.0.1:{port}\nAccept-Encoding: identity\n"), body
    assert srv.kubectl("logs", "hello-minikube").stdout == "Echo server listening on port 8080.\n"
