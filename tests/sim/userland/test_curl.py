"""curl as Debian bookworm's nginx image ships it (7.88.1): -s/-S, -o, -w '%{http_code}', the -v
trace on stderr, -I/-i, -X, -f, -L, --version, and its progress meter when writing a file."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import pytest

from k9py.sim.logs import container_logs
from k9py.sim.userland.image import NGINX_INDEX
from tests.sim.helpers import pod_manifest
from tests.sim.userland.helpers import cluster_with, run, sh


@pytest.fixture(scope="module")
def c():
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    return cluster_with(pod_manifest("web", "nginx:1.25", labels={"app": "web"}),
                        pod_manifest("client", "nginx:1.27.2"), svc, seconds=30)


def test_status_code_only(c):
    assert sh(c, "client", "curl -s -o /dev/null -w '%{http_code}\\n' http://web") == "200\n"
    assert sh(c, "client", "curl -so /dev/null -w '%{http_code} %{size_download}' web/nope") == "404 153"
    assert run(c, "client", "curl -s -w '%{http_code}\\n' nowhere") == ("000\n", "", 6)


def test_verbose_trace_on_stderr_and_the_body_on_stdout(c):
    ip = c.get("Service", "default", "web")["spec"]["clusterIP"]
    out, err, code = run(c, "client", "curl -X GET web -vvv")
    assert (out, code) == (NGINX_INDEX, 0)
    lines = err.split("\n")
    assert lines[:8] == [f"*   Trying {ip}:80...", f"* Connected to web ({ip}) port 80 (#0)", "> GET / HTTP/1.1\r",
                         "> Host: web\r", "> User-Agent: curl/7.88.1\r", "> Accept: */*\r", "> \r", "< HTTP/1.1 200 OK\r"]
    assert lines[8] == "< Server: nginx/1.25.5\r" and "< Content-Length: 615\r" in lines
    assert lines[-3:] == ["< \r", "* Connection #0 to host web left intact", ""]


def test_head_include_fail_and_errors(c):
    head = sh(c, "client", "curl -sI web")
    assert head.startswith("HTTP/1.1 200 OK\r\nServer: nginx/1.25.5\r\n") and head.endswith("\r\n\r\n")
    assert "<title>" not in head
    page = sh(c, "client", "curl -i web")
    assert page.startswith("HTTP/1.1 200 OK\r\n") and page.endswith(NGINX_INDEX)
    assert run(c, "client", "curl -f web/nope") == ("", "curl: (22) The requested URL returned error: 404\n", 22)
    assert run(c, "client", "curl -sf web/nope") == ("", "", 22)
    assert run(c, "client", "curl -sSf web/nope")[1:] == ("curl: (22) The requested URL returned error: 404\n", 22)
    assert "404 Not Found" in sh(c, "client", "curl -sL web/nope")
    assert run(c, "client", "curl --bogus web") == (
        "", "curl: option --bogus: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n", 2)


def test_output_file_and_progress_meter(c):
    out, err, code = run(c, "client", "curl -o /tmp/page web && wc -c < /tmp/page")
    assert (out, code) == ("615\n", 0)
    assert err.startswith("  % Total    % Received % Xferd  Average Speed")
    assert err.split("\r")[1].startswith("100   615  100   615")
    assert run(c, "client", "curl -s -o /tmp/page web") == ("", "", 0)


def test_version(c):
    out = sh(c, "client", "curl --version")
    assert out.startswith("curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/")
    assert "\nProtocols: dict file ftp" in out and "\nFeatures: " in out


def test_minikubes_hello_minikube_echo_server_echoes_the_request_on_8080():
    # minikube's own tutorial: `kubectl create deployment hello-minikube --image=kicbase/echo-server:1.0`,
    # exposed on 8080; it was an unknown server ("listening on :8080" in its log) that refused every request
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "hello-minikube", "namespace": "default"},
           "spec": {"selector": {"app": "hello-minikube"}, "ports": [{"port": 8080}]}}
    echo = pod_manifest("hello", "kicbase/echo-server:1.0", labels={"app": "hello-minikube"})
    c = cluster_with(echo, pod_manifest("client", "nginx:1.27.2"), svc, seconds=30)
    assert container_logs(c, "default", "hello") == ["Echo server listening on port 8080."]
    out = sh(c, "client", "curl -s -H 'X-Learner: yes' hello-minikube:8080/hi?x=1")
    assert out == ("Request served by hello\n\nHTTP/1.1 GET /hi?x=1\n\nHost: hello-minikube:8080\nAccept: */*\n"
                   "User-Agent: curl/7.88.1\nX-Learner: yes\n")
    head = sh(c, "client", "curl -sI hello-minikube:8080")
    assert head.startswith("HTTP/1.1 200 OK\r\nDate: ") and "Content-Type: text/plain\r\n" in head and "Server:" not in head
    ip = c.get("Pod", "default", "hello")["status"]["podIP"]
    assert run(c, "client", f"curl -s {ip}:80")[2] == 7  # it listens on 8080 only
    assert run(c, "hello", "sh")[2] == 126  # FROM scratch: no shell


def test_nginx_sends_its_static_files_validators_as_the_tutorials_curl_vvv_shows(c):
    # `curl -X GET <POD-IP> -vvv` (the minikube walkthrough): nginx's headers after Content-Length are
    # Last-Modified, Connection, ETag ("<mtime hex>-<size hex>") and Accept-Ranges, in that order
    ip = c.get("Pod", "default", "web")["status"]["podIP"]
    _, err, code = run(c, "client", f"curl -X GET {ip} -vvv")
    got = [ln.rstrip("\r") for ln in err.split("\n") if ln.startswith("< ")]
    assert code == 0 and got[:4] == ["< HTTP/1.1 200 OK", "< Server: nginx/1.25.5", got[2], "< Content-Type: text/html"]
    assert got[4:6] == ["< Content-Length: 615", got[5]] and got[5].startswith("< Last-Modified: ")
    assert got[6] == "< Connection: keep-alive" and got[8:] == ["< Accept-Ranges: bytes", "< "]
    modified = int(parsedate_to_datetime(got[5].removeprefix("< Last-Modified: ")).timestamp())
    assert got[7] == f'< ETag: "{modified:x}-{615:x}"'
    assert sh(c, "client", "curl -sI web").count("Connection:") == 1


def test_nginx_1_14_2_names_its_images_build_time():
    # as every nginx:1.14.2 answers: Last-Modified: Tue, 04 Dec 2018 14:44:49 GMT, ETag "5c0692e1-264"
    c = cluster_with(pod_manifest("web", "nginx:1.14.2"), pod_manifest("client", "nginx:1.27.2"), seconds=30)
    ip = c.get("Pod", "default", "web")["status"]["podIP"]
    head = sh(c, "client", f"curl -sI {ip}")
    assert ("Content-Length: 612\r\nLast-Modified: Tue, 04 Dec 2018 14:44:49 GMT\r\nConnection: keep-alive\r\n"
            'ETag: "5c0692e1-264"\r\nAccept-Ranges: bytes\r\n') in head
    assert 'ETag: "66fd630f-267"' in sh(c, "client", "curl -sI localhost")  # 1.27.2's own


def test_the_echo_servers_log_names_the_port_it_listens_on():
    """PORT from a ConfigMap (or a $(VAR) in its value): the log said "port None." while the
    server listened on the resolved port."""
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "echo", "namespace": "default"},
          "data": {"port": "9090"}}
    echo = pod_manifest("hello", "kicbase/echo-server:1.0")
    echo["spec"]["containers"][0]["env"] = [
        {"name": "PORT", "valueFrom": {"configMapKeyRef": {"name": "echo", "key": "port"}}}]
    c = cluster_with(cm, echo, pod_manifest("client", "nginx:1.27.2"), seconds=30)
    assert container_logs(c, "default", "hello") == ["Echo server listening on port 9090."]
