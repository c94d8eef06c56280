"""DNS and HTTP inside the cluster: Services to ready endpoints round-robin, pod IPs, nginx's
page and access log, refused connections, NXDOMAIN."""

from __future__ import annotations

from k9py.sim.logs import container_logs
from k9py.sim.userland.image import NGINX_INDEX
from k9py.sim.userland.net import _backends
from tests.sim.helpers import pod_manifest
from tests.sim.userland.helpers import busybox, cluster_with, run, sh


def _web(replicas: int = 2) -> list[dict]:
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27.2",
                                                          "ports": [{"containerPort": 80}]}]}}}}
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 8080, "targetPort": 80}]}}
    return [dep, svc]


def _web_pods(c) -> list[str]:
    return sorted(p["metadata"]["name"] for p in c.store.list("Pod", "default") if p["metadata"]["name"].startswith("web-"))


def test_wget_through_a_service_reaches_nginx_and_is_logged():
    c = cluster_with(*_web(), busybox(), seconds=30)
    ip = c.get("Service", "default", "web")["spec"]["clusterIP"]
    client_ip = c.get("Pod", "default", "bb")["status"]["podIP"]
    out, err, code = run(c, "bb", "wget -O- web:8080")
    assert (out, code) == (NGINX_INDEX, 0)
    assert err.startswith(f"Connecting to web:8080 ({ip}:8080)\nwriting to stdout\n")
    assert sh(c, "bb", "wget -qO- http://web.default.svc.cluster.local:8080/") == NGINX_INDEX
    logged = []
    for name in _web_pods(c):
        logged += [line for line in container_logs(c, "default", name) if line.startswith(client_ip + " ")]
    # round-robin: one request in each pod's log
    assert len(logged) == 2
    assert all(line.endswith('"GET / HTTP/1.1" 200 615 "-" "Wget" "-"') for line in logged)
    per_pod = [sum(1 for line in container_logs(c, "default", n) if line.startswith(client_ip)) for n in _web_pods(c)]
    assert per_pod == [1, 1]
    # what kube-proxy balances over: each ready endpoint once (the slices', not the Endpoints' too)
    assert sorted(pod for _, _, pod in _backends(c, "default", "web")) == _web_pods(c)


def test_wget_saves_index_html_and_reports_http_errors():
    c = cluster_with(*_web(1), busybox(), seconds=30)
    out, err, code = run(c, "bb", "cd /tmp && wget web:8080 && cat index.html | head -4 | tail -1")
    assert (out, code) == ("<title>Welcome to nginx!</title>\n", 0)
    assert "saving to 'index.html'" in err and "'index.html' saved" in err
    out, err, code = run(c, "bb", "wget -qO- web:8080/missing")
    assert (code, err) == (1, "wget: server returned error: HTTP/1.1 404 Not Found\n")
    pod = _web_pods(c)[0]
    assert any('"GET /missing HTTP/1.1" 404' in line for line in container_logs(c, "default", pod))


def _curler(name: str = "bb") -> dict:
    """A client pod whose image ships curl (nginx's Debian one: busybox has wget only)."""
    return pod_manifest(name, "nginx:1.27.2")


def test_curl_pod_ip_and_localhost_and_nginx_content_edits():
    c = cluster_with(*_web(1), _curler(), seconds=30)
    pod = _web_pods(c)[0]
    pod_ip = c.get("Pod", "default", pod)["status"]["podIP"]
    assert sh(c, "bb", f"curl -s {pod_ip}") == NGINX_INDEX
    sh(c, pod, "echo 'custom page' > /usr/share/nginx/html/index.html")
    assert sh(c, pod, "curl -s localhost") == "custom page\n"
    assert sh(c, "bb", f"curl -s http://{pod_ip}:80/index.html") == "custom page\n"
    head = sh(c, "bb", f"curl -sI {pod_ip}")
    assert head.startswith("HTTP/1.1 200 OK\r\nServer: nginx/1.27.2\r\n") and "Content-Length: 12\r\n" in head
    # a directory without its index (an empty volume on the docroot): nginx forbids listing it
    sh(c, pod, "rm /usr/share/nginx/html/index.html; mkdir /usr/share/nginx/html/empty")
    assert sh(c, "bb", f"curl -s -o /dev/null -w '%{{http_code}}' {pod_ip}/") == "403"
    assert "<title>403 Forbidden</title>" in sh(c, "bb", f"curl -s {pod_ip}/empty/")
    assert sh(c, "bb", f"curl -s -o /dev/null -w '%{{http_code}}' {pod_ip}/nope") == "404"


def test_connection_refused_and_unknown_hosts():
    c = cluster_with(*_web(1), busybox(), busybox("other"), seconds=30)
    other_ip = c.get("Pod", "default", "other")["status"]["podIP"]
    ip = c.get("Service", "default", "web")["spec"]["clusterIP"]
    assert run(c, "bb", f"wget -qO- {other_ip}") == ("", f"wget: can't connect to remote host ({other_ip}): Connection refused\n", 1)
    assert run(c, "bb", "wget -qO- web:9999")[1] == f"wget: can't connect to remote host ({ip}): Connection refused\n"
    assert run(c, "bb", "wget -qO- nowhere") == ("", "wget: bad address 'nowhere'\n", 1)
    assert run(c, "bb", "curl -s nowhere") == ("", "sh: curl: not found\n", 127)  # busybox has no curl
    pod = _web_pods(c)[0]
    assert run(c, pod, "curl -sS nowhere") == ("", "curl: (6) Could not resolve host: nowhere\n", 6)
    assert run(c, pod, "curl -s nowhere") == ("", "", 6)  # -s: silent about errors too
    # a Service without ready endpoints refuses (kube-proxy rejects)
    c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "empty", "namespace": "default"},
              "spec": {"selector": {"app": "none"}, "ports": [{"port": 80}]}})
    c.advance(2)
    assert run(c, "bb", "wget -qO- empty")[2] == 1


def test_nslookup():
    c = cluster_with(*_web(1), busybox(), pod_manifest("sts-0", "busybox", command=["sleep", "1d"],
                                                       hostname="sts-0", subdomain="web"), seconds=30)
    ip = c.get("Service", "default", "web")["spec"]["clusterIP"]
    assert sh(c, "bb", "nslookup web") == (f"Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
                                          f"Name:\tweb.default.svc.cluster.local\nAddress: {ip}\n\n")
    assert f"Address: {ip}" in sh(c, "bb", "nslookup web.default")
    assert "Address: 10.96.0.1\n" in sh(c, "bb", "nslookup kubernetes.default.svc.cluster.local")
    sts_ip = c.get("Pod", "default", "sts-0")["status"]["podIP"]
    assert f"Address: {sts_ip}" in sh(c, "bb", "nslookup sts-0.web.default.svc.cluster.local")
    out, _, code = run(c, "bb", "nslookup nope")
    assert code == 1 and "** server can't find nope: NXDOMAIN" in out


def test_a_host_network_pod_has_the_nodes_dns_unless_it_asks_for_the_clusters():
    """The kubelet's dnsPolicy: a hostNetwork pod left at ClusterFirst gets the node's resolver
    (`kubectl debug node/…`, the tutorials' `minikube ssh`: there only IPs work), one with
    ClusterFirstWithHostNet the cluster's."""
    c = cluster_with(*_web(1), busybox("node-shell", hostNetwork=True),
                     busybox("host-dns", hostNetwork=True, dnsPolicy="ClusterFirstWithHostNet"), seconds=30)
    host_ip = c.get("Pod", "default", "node-shell")["status"]["hostIP"]
    gateway = host_ip.rsplit(".", 1)[0] + ".1"
    assert sh(c, "node-shell", "cat /etc/resolv.conf") == f"nameserver {gateway}\n"
    out, _, code = run(c, "node-shell", "nslookup web")
    assert code == 1 and out == f"Server:\t\t{gateway}\nAddress:\t{gateway}:53\n\n** server can't find web: NXDOMAIN\n\n"
    assert run(c, "node-shell", "wget -qO- web:8080")[1] == "wget: bad address 'web:8080'\n"
    pod_ip = c.get("Pod", "default", _web_pods(c)[0])["status"]["podIP"]
    assert sh(c, "node-shell", f"wget -qO- {pod_ip}") == NGINX_INDEX  # the pod's IP still answers
    assert sh(c, "host-dns", "cat /etc/resolv.conf") == (
        "nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n")
    assert sh(c, "host-dns", "wget -qO- web:8080") == NGINX_INDEX


def test_dns_config_adds_to_the_policy_or_stands_alone_with_none():
    extra = {"nameservers": ["1.1.1.1"], "searches": ["corp.example"],
             "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}
    c = cluster_with(*_web(1), busybox("merged", dnsConfig=extra),
                     busybox("alone", dnsPolicy="None", dnsConfig={"nameservers": ["10.96.0.10"],
                                                                    "searches": ["default.svc.cluster.local"]}),
                     seconds=30)
    assert sh(c, "merged", "cat /etc/resolv.conf") == (
        "nameserver 10.96.0.10\nnameserver 1.1.1.1\n"
        "search default.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:2 edns0\n")
    assert sh(c, "merged", "wget -qO- web:8080") == NGINX_INDEX
    assert sh(c, "alone", "cat /etc/resolv.conf") == "nameserver 10.96.0.10\nsearch default.svc.cluster.local\n"
    assert sh(c, "alone", "wget -qO- web:8080") == NGINX_INDEX  # its own search path finds the Service
    assert run(c, "merged", "nslookup web.default")[2] == 0  # through svc.cluster.local
    assert run(c, "alone", "nslookup web.default")[2] == 1  # default's search path only


def test_curl_methods_get_nginx_static_answers_logged_with_the_client_pod_ip():
    c = cluster_with(*_web(1), _curler(), seconds=30)
    pod = _web_pods(c)[0]
    pod_ip = c.get("Pod", "default", pod)["status"]["podIP"]
    bb_ip = c.get("Pod", "default", "bb")["status"]["podIP"]
    page = sh(c, "bb", f"curl -s -X DELETE {pod_ip}/index.html")
    assert page == ("<html>\r\n<head><title>405 Not Allowed</title></head>\r\n<body>\r\n<center><h1>405 Not Allowed"
                    "</h1></center>\r\n<hr><center>nginx/1.27.2</center>\r\n</body>\r\n</html>\r\n")
    assert run(c, "bb", f"curl -sSf -d a=1 {pod_ip}") == ("", "curl: (22) The requested URL returned error: 405\n", 22)
    assert sh(c, "bb", f"curl -sI {pod_ip}").startswith("HTTP/1.1 200 OK\r\n")
    assert sh(c, pod, "curl -s -X POST localhost/nope").count("404 Not Found") == 2  # from inside: loopback
    access = [line.split(" - - [", 1)[0] + " " + line.split("] ", 1)[1]
              for line in container_logs(c, "default", pod) if '"curl/' in line]
    assert access == [f'{bb_ip} "DELETE /index.html HTTP/1.1" 405 157 "-" "curl/7.88.1" "-"',
                      f'{bb_ip} "POST / HTTP/1.1" 405 157 "-" "curl/7.88.1" "-"',
                      f'{bb_ip} "HEAD / HTTP/1.1" 200 0 "-" "curl/7.88.1" "-"',
                      '127.0.0.1 "POST /nope HTTP/1.1" 404 153 "-" "curl/7.88.1" "-"']


def _selectorless(name: str, port: int = 8080) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
            "spec": {"ports": [{"name": "http", "port": port, "targetPort": 80}]}}


def test_a_service_without_a_selector_reaches_the_endpoints_given_by_hand_in_either_kind():
    # today's docs give such a Service an EndpointSlice; older ones an Endpoints (which
    # kube-controller-manager mirrors into a slice): kube-proxy and CoreDNS read the slices
    c = cluster_with(*_web(1), busybox(), _selectorless("by-slice"), _selectorless("by-endpoints"), seconds=30)
    pod = c.get("Pod", "default", _web_pods(c)[0])
    ip = pod["status"]["podIP"]
    ref = {"kind": "Pod", "namespace": "default", "name": pod["metadata"]["name"], "uid": pod["metadata"]["uid"]}
    c.create({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
              "metadata": {"name": "by-slice-1", "namespace": "default",
                           "labels": {"kubernetes.io/service-name": "by-slice"}},
              "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
              "endpoints": [{"addresses": [ip]},  # as the docs: no conditions (ready), no targetRef
                            {"addresses": ["10.244.9.9"], "conditions": {"ready": False}}]})
    c.create({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "by-endpoints", "namespace": "default"},
              "subsets": [{"addresses": [{"ip": ip, "targetRef": ref}], "ports": [{"name": "http", "port": 80}]}]})
    c.advance(5)
    for name in ("by-slice", "by-endpoints"):
        assert sh(c, "bb", f"wget -qO- {name}:8080") == NGINX_INDEX
    # not ready: not served, not in DNS (a headless Service's records are its ready endpoints)
    headless = {**_selectorless("quiet"), "spec": {"clusterIP": "None", "ports": [{"name": "http", "port": 80}]}}
    c.create(headless)
    c.create({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
              "metadata": {"name": "quiet-1", "namespace": "default", "labels": {"kubernetes.io/service-name": "quiet"}},
              "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
              "endpoints": [{"addresses": ["10.244.9.9"], "conditions": {"ready": False}}, {"addresses": [ip]}]})
    c.advance(5)
    assert sh(c, "bb", "nslookup quiet").endswith(f"\nName:\tquiet.default.svc.cluster.local\nAddress: {ip}\n\n")
