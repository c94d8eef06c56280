"""The services/pods/nodes ``proxy`` subresources over plain HTTP: the URL forms, nginx's page and
access log through the userland, and the API server's errors (503 refused, no endpoints)."""

from __future__ import annotations

import pytest

from k9py.kube.resources import lookup
from k9py.serve.http import Request
from k9py.serve.proxy import proxy_path, split_scheme_name_port
from k9py.sim.logs import container_logs
from k9py.sim.userland.image import NGINX_INDEX

NS = "/api/v1/namespaces/default"


def _web(replicas: int = 2) -> list[dict]:
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27.2",
                                                          "ports": [{"containerPort": 80, "name": "http"}]}]}}}}
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 8080, "targetPort": 80, "name": "web"}]}}
    return [dep, svc]


@pytest.fixture
def web(served):
    with served.cluster.lock:
        for o in _web():
            served.cluster.create(o)
    served.advance(30)
    return served


def _node_ip(served, node: str) -> str:
    with served.cluster.lock:
        addrs = served.cluster.get("Node", None, node)["status"]["addresses"]
    return next(a["address"] for a in addrs if a["type"] == "InternalIP")


def _pods(served) -> list[str]:
    return sorted(p["metadata"]["name"] for p in served.cluster.store.list("Pod", "default")
                  if p["metadata"]["name"].startswith("web-"))


def _access(served, pod: str) -> list[str]:
    with served.cluster.lock:
        return [line for line in container_logs(served.cluster, "default", pod) if '"Python-urllib/' in line]


@pytest.mark.parametrize(("ident", "want"), [
    ("my-nginx", ("", "my-nginx", "")), ("my-nginx:80", ("", "my-nginx", "80")),
    ("https:my-nginx:443", ("https", "my-nginx", "443")), ("web:http", ("", "web", "http")),
    ("ftp:x:1", None), (":80", None), ("a:b:c:d", None)])
def test_split_scheme_name_port(ident, want):
    assert split_scheme_name_port(ident) == want


def test_proxy_path_keeps_the_rest_and_its_trailing_slash():
    from k9py.serve.api import Route
    route = Route(lookup("services"), "default", "proxy:80", "proxy")

    def path(p: str) -> str | None:
        return proxy_path(Request("GET", p, {}, {}), route)

    assert path(f"{NS}/services/proxy:80/proxy/") == "/"
    assert path(f"{NS}/services/proxy:80/proxy") is None
    assert path(f"{NS}/services/proxy:80/proxy/a/b/") == "/a/b/"
    assert path(f"{NS}/services/proxy:80/proxy/proxy/index.html") == "/proxy/index.html"


def test_service_proxy_answers_with_nginx_round_robin_and_logs(web, client):
    for form in ("web:8080", "web:web", "http:web:8080", "web:8080"):
        code, body, headers = client.call("GET", f"{NS}/services/{form}/proxy/")
        assert (code, body) == (200, NGINX_INDEX), form
        assert headers["Content-Type"] == "text/html"
    per_pod = [_access(web, p) for p in _pods(web)]
    assert [len(lines) for lines in per_pod] == [2, 2]
    node_ip = _node_ip(web, "minikube")  # the API server's node dials the pod, as on a real cluster
    assert all(line.startswith(f"{node_ip} - - [") and '"GET / HTTP/1.1" 200 615 "-" "Python-urllib/3.' in line
               for lines in per_pod for line in lines)
    # no trailing slash: redirected to proxy/ (urllib follows, like kubectl)
    assert client.call("GET", f"{NS}/services/web:web/proxy")[:2] == (200, NGINX_INDEX)
    # no port: the Service's unnamed port, and this one has a name (as the API server)
    code, st, _ = client.call("GET", f"{NS}/services/web/proxy/")
    assert (code, st["message"]) == (503, 'no endpoints available for service "web"')
    code, body, _ = client.call("GET", f"{NS}/services/web:8080/proxy/missing?x=1")
    assert code == 404 and "404 Not Found" in body
    assert any('"GET /missing?x=1 HTTP/1.1" 404' in line for p in _pods(web) for line in _access(web, p))


def test_pod_proxy_by_port_number_name_or_the_first_container_port(web, client):
    pod = _pods(web)[0]
    for form in (pod, f"{pod}:80", f"{pod}:http"):
        assert client.call("GET", f"{NS}/pods/{form}/proxy/index.html")[:2] == (200, NGINX_INDEX)
    assert len(_access(web, pod)) == 3


def test_proxy_errors_like_the_api_server(web, client):
    pod = _pods(web)[0]
    ip = web.cluster.get("Pod", "default", pod)["status"]["podIP"]
    code, st, _ = client.call("GET", f"{NS}/pods/{pod}:81/proxy/")
    assert (code, st["reason"], st["message"]) == (
        503, "ServiceUnavailable", f"error trying to reach service: dial tcp {ip}:81: connect: connection refused")
    code, st, _ = client.call("GET", f"{NS}/services/web:9999/proxy/")
    assert (code, st["message"]) == (503, 'no service port 9999 found for service "web"')
    with web.cluster.lock:
        web.cluster.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "empty", "namespace": "default"},
                            "spec": {"selector": {"app": "none"}, "ports": [{"port": 80}]}})
    web.advance(2)
    code, st, _ = client.call("GET", f"{NS}/services/empty/proxy/")
    assert (code, st["message"]) == (503, 'no endpoints available for service "empty"')
    code, st, _ = client.call("GET", f"{NS}/services/nope/proxy/")
    assert (code, st["reason"]) == (404, "NotFound")
    code, st, _ = client.call("GET", f"{NS}/services/a:b:c:d/proxy/")
    assert (code, st["message"]) == (400, 'invalid service request "a:b:c:d"')
    code, st, _ = client.call("POST", f"{NS}/services/web/proxy/", {})  # passed on: the port is the problem
    assert (code, st["message"]) == (503, 'no endpoints available for service "web"')


def test_node_proxy_healthz_pods_and_other_ports(web, client):
    assert client.call("GET", "/api/v1/nodes/minikube/proxy/healthz")[:2] == (200, "ok")
    assert client.call("GET", "/api/v1/nodes/minikube:10250/proxy/healthz")[:2] == (200, "ok")
    code, body, _ = client.call("GET", "/api/v1/nodes/minikube/proxy/pods")
    assert code == 200 and body["kind"] == "PodList"
    assert all(p["spec"]["nodeName"] == "minikube" for p in body["items"])
    assert client.call("GET", "/api/v1/nodes/minikube/proxy/nothing")[:2] == (404, "404 page not found\n")
    code, st, _ = client.call("GET", "/api/v1/nodes/minikube:9/proxy/healthz")
    assert code == 503 and st["message"].endswith(":9: connect: connection refused")
    assert client.call("GET", "/api/v1/nodes/nope/proxy/healthz")[0] == 404


def _not_allowed(version: str = "1.27.2") -> str:
    return (f"<html>\r\n<head><title>405 Not Allowed</title></head>\r\n<body>\r\n<center><h1>405 Not Allowed"
            f"</h1></center>\r\n<hr><center>nginx/{version}</center>\r\n</body>\r\n</html>\r\n")


def test_proxy_passes_every_method_and_its_body_to_nginx(web, client):
    """The API server proxies any verb; nginx's static server refuses all but GET/HEAD with its 405
    page (a POST to a missing file is still a 404) and logs each line with its method."""
    pod = _pods(web)[0]
    url = f"{NS}/pods/{pod}:80/proxy/"
    for method in ("POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        code, body, headers = client.call(method, url, raw=b'{"a": 1}')
        assert (code, body) == (405, _not_allowed()), method
        assert headers["Content-Type"] == "text/html"
    code, body, _ = client.call("POST", url + "missing", raw=b"x=1")
    assert code == 404 and "<title>404 Not Found</title>" in body
    code, body, headers = client.call("HEAD", url + "index.html")
    assert (code, body, headers["Content-Length"]) == (200, "", str(len(NGINX_INDEX)))
    code, body, _ = client.call("POST", url, raw=b"x" * ((1 << 20) + 1))  # over client_max_body_size
    assert code == 413 and "<title>413 Request Entity Too Large</title>" in body
    node_ip = _node_ip(web, "minikube")
    lines = [line.split(" - - [", 1)[0] + " " + line.split("] ", 1)[1] for line in _access(web, pod)]
    assert lines == [
        f'{node_ip} "POST / HTTP/1.1" 405 157 "-" "Python-urllib/3.{_minor()}" "-"',
        f'{node_ip} "PUT / HTTP/1.1" 405 157 "-" "Python-urllib/3.{_minor()}" "-"',
        f'{node_ip} "PATCH / HTTP/1.1" 405 157 "-" "Python-urllib/3.{_minor()}" "-"',
        f'{node_ip} "DELETE / HTTP/1.1" 405 157 "-" "Python-urllib/3.{_minor()}" "-"',
        f'{node_ip} "OPTIONS / HTTP/1.1" 405 157 "-" "Python-urllib/3.{_minor()}" "-"',
        f'{node_ip} "POST /missing HTTP/1.1" 404 153 "-" "Python-urllib/3.{_minor()}" "-"',
        f'{node_ip} "HEAD /index.html HTTP/1.1" 200 0 "-" "Python-urllib/3.{_minor()}" "-"',
        f'{node_ip} "POST / HTTP/1.1" 413 183 "-" "Python-urllib/3.{_minor()}" "-"',
    ]
    with web.cluster.lock:
        errors = [ln for ln in container_logs(web.cluster, "default", pod) if "[error]" in ln]
    assert [ln.split("] ", 1)[1] for ln in errors] == [
        f'29#29: *1 open() "/usr/share/nginx/html/missing" failed (2: No such file or directory), client: {node_ip}, '
        f'server: localhost, request: "POST /missing HTTP/1.1", host: "{_pod_ip(web, pod)}:80"',
        f'29#29: *1 client intended to send too large body: 1048577 bytes, client: {node_ip}, server: localhost, '
        f'request: "POST / HTTP/1.1", host: "{_pod_ip(web, pod)}:80"']
    assert client.call("POST", f"{NS}/services/web:8080/proxy/", raw=b"{}")[:2] == (405, _not_allowed())


def _pod_ip(served, pod: str) -> str:
    with served.cluster.lock:
        return served.cluster.get("Pod", "default", pod)["status"]["podIP"]


def _minor() -> int:
    import sys
    return sys.version_info.minor


def test_node_proxy_configz_and_stats_summary(web, client):
    """The kubelet's /configz and Summary API (`kubectl get --raw /api/v1/nodes/N/proxy/stats/summary`,
    the docs' way to read ephemeral-storage use): the node's CPU and working set are what
    metrics.k8s.io (kubectl top) reports, and every running pod on the node is there."""
    code, cfg, _ = client.call("GET", "/api/v1/nodes/minikube/proxy/configz")
    assert code == 200 and cfg["kubeletconfig"]["maxPods"] == 110 and cfg["kubeletconfig"]["clusterDomain"] == "cluster.local"
    code, s, _ = client.call("GET", "/api/v1/nodes/minikube/proxy/stats/summary")
    assert code == 200 and s["node"]["nodeName"] == "minikube"
    code, top, _ = client.call("GET", "/apis/metrics.k8s.io/v1beta1/nodes/minikube")
    assert code == 200
    assert f'{s["node"]["cpu"]["usageNanoCores"]}n' == top["usage"]["cpu"]
    assert f'{s["node"]["memory"]["workingSetBytes"] // 1024}Ki' == top["usage"]["memory"]
    running = {p["metadata"]["name"] for p in client.call("GET", "/api/v1/nodes/minikube/proxy/pods")[1]["items"]
               if p["status"].get("phase") == "Running"}
    assert running and {p["podRef"]["name"] for p in s["pods"]} == running
    fs = s["node"]["fs"]
    assert fs["capacityBytes"] == fs["availableBytes"] + fs["usedBytes"] > 0
    for p in s["pods"]:
        assert p["ephemeral-storage"]["usedBytes"] > 0 and all("workingSetBytes" in c["memory"] for c in p["containers"])
