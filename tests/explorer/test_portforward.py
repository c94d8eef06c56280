"""Port-forwards without a UI: the dialog's fields as k9s reads them, and forwards through the
simulator's tunnel answered by the pod's nginx (a real HTTP request on a real loopback port,
its access line in the pod's log, its bytes counted)."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

import pytest

from k9py.explorer.portforward import ForwardError, Forwards, PortSpec, default_local, listen_host, parse_ports
from k9py.explorer.tunnels import SimTunnel
from k9py.sim.logs import instance_logs
from tests.sim.helpers import make_cluster, pod_manifest

EXPOSED = {"nginx": [(80, "http", "TCP"), (443, "https", "TCP")], "sidecar": []}


# -- the dialog's fields ------------------------------------------------------------------------------
@pytest.mark.parametrize(("container", "local", "want"), [
    ("nginx::80", "", [PortSpec("nginx", 80, 8080)]),
    ("nginx::80", "9090", [PortSpec("nginx", 80, 9090)]),
    ("80", "0", [PortSpec("nginx", 80, 0)]),
    ("nginx::https", "", [PortSpec("nginx", 443, 8443)]),
    ("nginx::80,nginx::443", "8080,8443", [PortSpec("nginx", 80, 8080), PortSpec("nginx", 443, 8443)]),
    ("sidecar::9000", "", [PortSpec("sidecar", 9000, 9000)]),  # declares none: any port
])
def test_parse_ports(container, local, want):
    assert parse_ports(container, local, EXPOSED, "nginx") == want


@pytest.mark.parametrize(("container", "local", "message"), [
    ("", "", "container port: give one, as CONTAINER::PORT"),
    ("ngnix::80", "", "container port: no container named 'ngnix' (the pod has nginx, sidecar)"),
    ("nginx::81", "", "container port: nginx does not expose port 81 (it exposes 80/TCP, 443/TCP)"),
    ("nginx::web", "", "container port: 'web' is not a port number"),
    ("nginx::80", "70000", "local port: 70000 is not a port number (0-65535)"),
    ("nginx::80,nginx::443", "8080", "local port: 2 container port(s) but 1 local port(s)"),
    ("nginx::80,nginx::443", "8080,8080", "local port: the same local port is given twice"),
])
def test_parse_ports_says_what_is_wrong(container, local, message):
    with pytest.raises(ValueError) as err:
        parse_ports(container, local, EXPOSED, "nginx")
    assert str(err.value) == message


def test_addresses_and_offered_ports():
    assert listen_host("localhost") == listen_host("") == "127.0.0.1"
    assert listen_host("0.0.0.0") == "0.0.0.0" and listen_host("::1") == "::1"
    with pytest.raises(ValueError, match="address: 'my-laptop' is not an IP address or localhost"):
        listen_host("my-laptop")
    assert (default_local(80), default_local(443), default_local(3000)) == (8080, 8443, 3000)


# -- forwards through the simulator ----------------------------------------------------------------------
@pytest.fixture
def cluster():
    c = make_cluster(nodes=1)
    web = pod_manifest("web", "nginx:1.27", container="nginx")
    web["spec"]["containers"][0]["ports"] = [{"containerPort": 80}]
    c.create(web)
    c.create(pod_manifest("pending", "nginx:1.27", nodeSelector={"disk": "none"}))
    c.advance(20)
    return c


@pytest.fixture
def forwards():
    f = Forwards()
    yield f
    f.stop_all()


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def access_lines(cluster, pod: str, container: str, agent: str) -> list[str]:
    with cluster.lock:
        obj = cluster.store.get("Pod", "default", pod)
        cid = obj["status"]["containerStatuses"][0]["containerID"]
        lines, _ = instance_logs(cluster, "default", pod, container, cid)
    return [ln.split(" ", 1)[1] for ln in lines if agent in ln]


def test_a_request_through_the_forward_reaches_the_pod_and_is_counted(cluster, forwards):
    fwd = forwards.start("default", "web", PortSpec("nginx", 80, 0), "localhost",
                         SimTunnel(lambda: cluster, "default", "web", 80))
    assert fwd.local_port > 0 and fwd.url == f"http://localhost:{fwd.local_port}" and fwd.ports == f"{fwd.local_port}:80"
    status, body = get(fwd.url + "/")
    assert status == 200 and b"Welcome to nginx!" in body
    assert get(fwd.url + "/missing")[0] == 404
    assert fwd.wait_idle(10)
    t = fwd.snapshot()
    assert t.connections == 2 and t.active == 0 and t.failures == 0
    assert t.bytes_out > len(body) and t.bytes_in > len(b"GET / HTTP/1.1\r\n")
    lines = access_lines(cluster, "web", "nginx", "Python-urllib")
    assert [ln.split('"')[1] for ln in lines] == ["GET / HTTP/1.1", "GET /missing HTTP/1.1"]
    assert all(ln.startswith("127.0.0.1 - - [") for ln in lines)  # the kubelet connects from inside the pod
    assert forwards.pods() == {("default", "web")} and forwards.containers() == {("default", "web/nginx")}


def test_stopping_closes_the_port(cluster, forwards):
    fwd = forwards.start("default", "web", PortSpec("nginx", 80, 0), "localhost",
                         SimTunnel(lambda: cluster, "default", "web", 80))
    port = fwd.local_port
    assert forwards.stop(fwd.key) is fwd and len(forwards) == 0 and fwd.stopped
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_a_taken_local_port_and_a_second_forward_of_the_same_port(cluster, forwards):
    first = forwards.start("default", "web", PortSpec("nginx", 80, 0), "localhost",
                           SimTunnel(lambda: cluster, "default", "web", 80))
    with pytest.raises(ForwardError) as err:
        forwards.start("default", "web", PortSpec("nginx", 80, 0), "localhost",
                       SimTunnel(lambda: cluster, "default", "web", 80))
    assert str(err.value) == f"default/web nginx::80 is already forwarded to {first.url}"
    with pytest.raises(ForwardError) as err:
        forwards.start("default", "web", PortSpec("nginx", 443, first.local_port), "localhost",
                       SimTunnel(lambda: cluster, "default", "web", 443))
    assert str(err.value) == f"cannot listen on localhost:{first.local_port}: address already in use"
    assert len(forwards) == 1


def test_nothing_listening_and_a_pod_that_went_away_drop_the_connection(cluster, forwards):
    fwd = forwards.start("default", "web", PortSpec("nginx", 81, 0), "localhost",
                         SimTunnel(lambda: cluster, "default", "web", 81))
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        get(fwd.url)
    t = fwd.snapshot()
    assert t.failures == 1 and t.last_error == "nothing listens on port 81 in default/web (connection refused)"

    pending = forwards.start("default", "pending", PortSpec("pending", 80, 0), "localhost",
                             SimTunnel(lambda: cluster, "default", "pending", 80))
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        get(pending.url)
    assert pending.snapshot().last_error == "pod default/pending is not running"

    ok = forwards.start("default", "web", PortSpec("nginx", 80, 0), "localhost",
                        SimTunnel(lambda: cluster, "default", "web", 80))
    assert forwards.reap() == []
    with cluster.lock:
        cluster.delete("Pod", "default", "web", grace_period=0)
    cluster.advance(5)
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        get(ok.url)
    assert ok.snapshot().last_error == "pod default/web is gone"


def test_a_forward_ends_when_its_pod_goes_as_kubectl_port_forward_exits(cluster, forwards):
    fwd = forwards.start("default", "web", PortSpec("nginx", 80, 0), "localhost",
                         SimTunnel(lambda: cluster, "default", "web", 80))
    other = forwards.start("default", "pending", PortSpec("pending", 80, 0), "localhost",
                           SimTunnel(lambda: cluster, "default", "pending", 80))
    port = fwd.local_port
    with cluster.lock:
        cluster.delete("Pod", "default", "web")  # graceful: the pod is still there while it stops
    assert forwards.reap() == [] and get(fwd.url + "/")[0] == 200
    cluster.advance(40)
    assert cluster.store.get("Pod", "default", "web") is None
    assert forwards.reap() == [fwd] and forwards.list() == [other]
    assert fwd.stopped and fwd.ended == "lost connection to pod (the pod is gone)"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert forwards.reap() == []


def test_another_pod_of_the_same_name_is_not_the_forwarded_one(cluster, forwards):
    """A StatefulSet's pod comes back under its name: kubectl's stream was to the old one."""
    fwd = forwards.start("default", "web", PortSpec("nginx", 80, 0), "localhost",
                         SimTunnel(lambda: cluster, "default", "web", 80))
    with cluster.lock:
        old = cluster.store.get("Pod", "default", "web")
        cluster.delete("Pod", "default", "web", grace_period=0)
    cluster.advance(2)
    again = pod_manifest("web", "nginx:1.27", container="nginx")
    again["spec"]["containers"][0]["ports"] = [{"containerPort": 80}]
    with cluster.lock:
        cluster.create(again)
    cluster.advance(20)
    assert cluster.store.get("Pod", "default", "web")["metadata"]["uid"] != old["metadata"]["uid"]
    assert forwards.reap() == [fwd]
