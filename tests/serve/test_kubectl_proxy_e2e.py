"""End to end: the real kubectl's ``get --raw …/services|pods|nodes/…/proxy/…`` and ``kubectl
proxy`` against `k9py serve`: nginx's page through the API server's proxy, the request in the
pod's log, and the API server's 503 when nothing listens. No sleeps: waits poll to a deadline."""

from __future__ import annotations

import re
import select
import time
import urllib.error
import urllib.request

import pytest

from tests.serve.test_kubectl_e2e import Server

pytestmark = pytest.mark.e2e

NS = "/api/v1/namespaces/default"
NOT_ALLOWED = re.compile(r"<html>\r\n<head><title>405 Not Allowed</title></head>\r\n<body>\r\n<center><h1>405 Not Allowed"
                         r"</h1></center>\r\n<hr><center>nginx/1\.\d+\.\d+</center>\r\n</body>\r\n</html>\r\n")


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("proxy"))
    # the demo's my-nginx Service (NodePort, port 80) selects nginx-deployment's three pods
    s.kubectl("run", "bb", "--image=busybox", "--", "sleep", "3600")

    def ready() -> bool:
        ep = s.json("get", "endpoints", "my-nginx")
        addrs = [a for sub in ep.get("subsets") or [] for a in sub.get("addresses") or []]
        return len(addrs) == 3 and s.json("get", "pod", "bb")["status"].get("phase") == "Running"

    s.until("my-nginx endpoints and bb running", ready)
    pod = _nginx_pods(s)[0]
    s.index = s.kubectl("exec", pod, "--", "cat", "/usr/share/nginx/html/index.html").stdout  # type: ignore[attr-defined]
    assert "<title>Welcome to nginx!</title>" in s.index  # type: ignore[attr-defined]
    yield s
    assert s.stop() == 0


def _kubectl_lines(srv: Server, pod: str) -> list[str]:
    return [line for line in srv.kubectl("logs", pod).stdout.splitlines() if '"kubectl/v1.' in line]


def _nginx_pods(srv: Server) -> list[str]:
    return sorted(p["metadata"]["name"] for p in srv.json("get", "pods", "-l", "app=nginx")["items"])


def test_get_raw_service_proxy_reaches_nginx_and_is_logged(srv):
    for form in ("my-nginx", "my-nginx:80", "http:my-nginx:80"):
        assert srv.kubectl("get", "--raw", f"{NS}/services/{form}/proxy/").stdout == srv.index, form
    # without the trailing slash the server redirects to proxy/, and kubectl follows
    assert srv.kubectl("get", "--raw", f"{NS}/services/my-nginx/proxy").stdout == srv.index
    lines = [line for pod in _nginx_pods(srv) for line in _kubectl_lines(srv, pod)]
    assert len(lines) == 4
    assert all(re.search(r'"GET / HTTP/1\.1" 200 \d+ "-" "kubectl/v1\.37\.\d+ \(linux/\w+\) kubernetes/\w+" "-"$', line)
               for line in lines), lines


def test_get_raw_pod_proxy_and_a_404(srv):
    pod = _nginx_pods(srv)[0]
    assert srv.kubectl("get", "--raw", f"{NS}/pods/{pod}:80/proxy/index.html").stdout == srv.index
    p = srv.kubectl("get", "--raw", f"{NS}/pods/{pod}/proxy/nope.html", check=False)
    assert p.returncode == 1 and "NotFound" in p.stderr
    assert any('"GET /nope.html HTTP/1.1" 404' in line for line in _kubectl_lines(srv, pod))


def test_nothing_listening_is_a_503_like_the_api_server(srv):
    ip = srv.json("get", "pod", "bb")["status"]["podIP"]
    p = srv.kubectl("get", "--raw", f"{NS}/pods/bb:80/proxy/", check=False)
    assert p.returncode == 1
    assert p.stderr.strip() == ("Error from server (ServiceUnavailable): error trying to reach service: "
                                f"dial tcp {ip}:80: connect: connection refused")
    p = srv.kubectl("get", "--raw", f"{NS}/services/my-nginx:81/proxy/", check=False)
    assert p.stderr.strip() == 'Error from server (ServiceUnavailable): no service port 81 found for service "my-nginx"'


def test_node_proxy_healthz(srv):
    node = srv.json("get", "nodes")["items"][0]["metadata"]["name"]
    assert srv.kubectl("get", "--raw", f"/api/v1/nodes/{node}/proxy/healthz").stdout == "ok"


def test_kubectl_proxy_forwards_to_the_service_proxy(srv):
    proc = srv.popen("proxy", "--port=0")
    try:
        deadline = time.monotonic() + 20
        line = ""
        while not line and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 0.2)
            if ready:
                line = proc.stdout.readline()  # type: ignore[union-attr]
        m = re.match(r"Starting to serve on (127\.0\.0\.1:\d+)", line)
        assert m, line
        url = f"http://{m.group(1)}{NS}/services/my-nginx:80/proxy/"
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.read().decode() == srv.index
        # every method goes through kubectl proxy and the API server's proxy, body and all
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            req = urllib.request.Request(url, data=b'{"k": "v"}', method=method)
            try:
                urllib.request.urlopen(req, timeout=10)
                raise AssertionError(f"{method}: nginx serves static files to GET/HEAD only")
            except urllib.error.HTTPError as err:
                assert err.code == 405, method
                assert NOT_ALLOWED.fullmatch(err.read().decode()), method
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _node_ip(srv: Server) -> str:
    """The control-plane node's InternalIP: where the API server's proxy connects from."""
    nodes = srv.json("get", "nodes", "-l", "node-role.kubernetes.io/control-plane")["items"]
    return next(a["address"] for a in nodes[0]["status"]["addresses"] if a["type"] == "InternalIP")


def test_create_replace_delete_raw_are_passed_on_and_nginx_refuses_them(srv, tmp_path):
    """`kubectl create|replace|delete --raw` send POST/PUT/DELETE (with the file as body) through
    the pod proxy: nginx's static server answers 405, kubectl reports it as MethodNotAllowed, and
    the access log has each method, from the API server's node."""
    pod = _nginx_pods(srv)[1]
    body = tmp_path / "body.json"
    body.write_text('{"hello": "nginx"}')
    url = f"{NS}/pods/{pod}:80/proxy/index.html"
    for verb in ("create", "replace", "delete"):
        p = srv.kubectl(verb, "--raw", url, *(["-f", str(body)] if verb != "delete" else []), check=False)
        assert (p.returncode, p.stderr) == (
            1, "Error from server (MethodNotAllowed): the server does not allow this method on the requested resource\n"), verb
    lines = [line for line in _kubectl_lines(srv, pod) if "/index.html" in line]
    size = len(srv.kubectl("exec", pod, "--", "printenv", "NGINX_VERSION").stdout.strip()) + 151
    ip = re.escape(_node_ip(srv))
    assert [re.sub(r" \[[^]]+\] ", " ", line).split(' "kubectl/')[0] for line in lines][-3:] == [
        f'{_node_ip(srv)} - - "{m} /index.html HTTP/1.1" 405 {size} "-"' for m in ("POST", "PUT", "DELETE")]
    # GETs through the API server come from there too (not 127.0.0.1: that is a port-forward)
    srv.kubectl("get", "--raw", url)
    assert re.match(rf'{ip} - - \[[^]]+\] "GET /index\.html HTTP/1\.1" 200 ', _kubectl_lines(srv, pod)[-1])
