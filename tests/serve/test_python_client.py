"""The official `kubernetes` Python client (pinned in pyproject) against `k9py serve`, raw JSON."""

from __future__ import annotations

import json

import pytest
import yaml
from kubernetes import client as k8s
from kubernetes import config, watch
from kubernetes.client.rest import ApiException

from k9py.kube.kubeconfig import write_kubeconfig


@pytest.fixture
def api_client(served, tmp_path):
    path = tmp_path / "kubeconfig"
    write_kubeconfig(str(path), served.url)
    contexts, current = config.list_kube_config_contexts(str(path))
    assert [c["name"] for c in contexts] == ["k9py-sim"] and current["name"] == "k9py-sim"
    c = config.new_client_from_config(str(path), context="k9py-sim", persist_config=False)
    yield c
    c.close()


def test_kubeconfig_file_shape(tmp_path):
    path = tmp_path / "sub" / "kc"
    write_kubeconfig(str(path), "http://127.0.0.1:1234")
    doc = yaml.safe_load(path.read_text())
    assert doc["current-context"] == "k9py-sim"
    assert doc["clusters"] == [{"name": "k9py-sim", "cluster": {"server": "http://127.0.0.1:1234"}}]
    assert doc["contexts"][0]["context"] == {"cluster": "k9py-sim", "user": "k9py-sim", "namespace": "default"}
    assert doc["users"] == [{"name": "k9py-sim", "user": {}}]


def test_list_get_and_version(api_client):
    core = k8s.CoreV1Api(api_client)
    nodes = json.loads(core.list_node(_preload_content=False).data)
    assert [n["metadata"]["name"] for n in nodes["items"]] == ["minikube", "minikube-m02"]
    ns = json.loads(core.read_namespace("default", _preload_content=False).data)
    assert ns["status"]["phase"] == "Active"
    info = k8s.VersionApi(api_client).get_code()
    assert info.major == "1"


def test_create_scale_and_errors(api_client, served):
    apps = k8s.AppsV1Api(api_client)
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    created = json.loads(apps.create_namespaced_deployment("default", body, _preload_content=False).data)
    assert created["metadata"]["name"] == "web"
    with pytest.raises(ApiException) as e:
        apps.create_namespaced_deployment("default", body, _preload_content=False)
    assert e.value.status == 409 and json.loads(e.value.body)["reason"] == "AlreadyExists"
    scale = json.loads(apps.patch_namespaced_deployment_scale("web", "default", {"spec": {"replicas": 3}},
                                                               _preload_content=False).data)
    assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 3
    served.advance(60)
    rs = json.loads(apps.list_namespaced_replica_set("default", label_selector="app=web", _preload_content=False).data)
    assert len(rs["items"]) == 1 and rs["items"][0]["spec"]["replicas"] == 3
    with pytest.raises(ApiException) as e:
        apps.read_namespaced_deployment("nope", "default", _preload_content=False)
    assert e.value.status == 404


def test_watch_stream_with_timeout(api_client):
    core = k8s.CoreV1Api(api_client)
    lst = json.loads(core.list_namespaced_config_map("default", _preload_content=False).data)
    core.create_namespaced_config_map("default", {"metadata": {"name": "w"}, "data": {"a": "1"}}, _preload_content=False)
    w = watch.Watch()
    seen = []
    for ev in w.stream(core.list_namespaced_config_map, "default", resource_version=lst["metadata"]["resourceVersion"],
                       timeout_seconds=2):
        seen.append((ev["type"], ev["raw_object"]["metadata"]["name"]))
        w.stop()
    assert seen == [("ADDED", "w")]


def test_watch_gone_raises_410(api_client):
    core = k8s.CoreV1Api(api_client)
    w = watch.Watch()
    with pytest.raises(ApiException) as e:
        for _ in w.stream(core.list_namespaced_config_map, "default", resource_version="5", timeout_seconds=2):
            pass
    assert e.value.status == 410


def test_pod_log_follow_streams_as_the_clock_moves(api_client, served):
    core = k8s.CoreV1Api(api_client)
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "counter"},
           "spec": {"containers": [{"name": "count", "image": "busybox:1.28",
                                    "args": ["/bin/sh", "-c", 'i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done']}]}}
    core.create_namespaced_pod("default", pod, _preload_content=False)
    served.advance(20)
    text = core.read_namespaced_pod_log("counter", "default", tail_lines=2, _preload_content=False).data.decode()
    lines = text.splitlines()
    assert len(lines) == 2 and all(": " in ln for ln in lines)
    first = int(lines[0].split(":")[0])
    resp = core.read_namespaced_pod_log("counter", "default", follow=True, tail_lines=1, _preload_content=False)
    got = [resp.readline()]
    served.advance(3)
    for _ in range(3):
        got.append(resp.readline())
    resp.release_conn()
    numbers = [int(g.decode().split(":")[0]) for g in got]
    assert numbers == list(range(first + 1, first + 5))


def test_portforward_through_the_client_libraries_websocket(api_client, served):
    """kubernetes.stream.portforward (v4.channel.k8s.io): an HTTP request on the port's socket is
    answered by the pod's nginx and logged from 127.0.0.1; a port nothing listens on is the
    kubelet's error on the error channel."""
    from kubernetes.stream import portforward

    from k9py.sim.logs import instance_logs

    with served.cluster.lock:
        served.cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
                               "spec": {"containers": [{"name": "web", "image": "nginx"}]}})
        served.cluster.advance(20)
    core = k8s.CoreV1Api(api_client)
    pf = portforward(core.connect_get_namespaced_pod_portforward, "web", "default", ports="80")
    sock = pf.socket(80)
    sock.setblocking(True)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: web\r\nUser-Agent: pyclient/1\r\n\r\n")
    reply = b""
    while chunk := sock.recv(65536):
        reply += chunk
    sock.close()
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and b"Welcome to nginx!" in reply
    with served.cluster.lock:
        pod = served.cluster.store.get("Pod", "default", "web")
        lines, _ = instance_logs(served.cluster, "default", "web", "web", pod["status"]["containerStatuses"][0]["containerID"])
    assert any(ln.split(" ", 1)[1].startswith('127.0.0.1 - - [') and "pyclient/1" in ln for ln in lines), lines

    pf = portforward(core.connect_get_namespaced_pod_portforward, "web", "default", ports="81")
    sock = pf.socket(81)
    sock.setblocking(True)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: web\r\n\r\n")
    assert sock.recv(65536) == b""  # dropped: nothing listens on 81
    sock.close()
    assert "failed to connect to localhost:81 inside namespace" in (pf.error(81) or "")

    pf = portforward(core.connect_get_namespaced_pod_portforward, "web", "default", ports="80")
    sock = pf.socket(80)
    sock.settimeout(20)  # (a stream that stays open fails the test, not hangs it)
    with served.cluster.lock:
        served.cluster.delete("Pod", "default", "web", grace_period=0)
    assert sock.recv(65536) == b""  # the pod gone, its stream ends (nothing was sent on it)
    sock.close()


def test_list_options_the_apiserver_refuses_come_back_as_its_422(api_client):
    core = k8s.CoreV1Api(api_client)
    with pytest.raises(ApiException) as e:
        core.list_namespaced_pod("default", resource_version="0", resource_version_match="Exact")
    status = json.loads(e.value.body)
    assert e.value.status == 422 and status["message"] == (
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" '
        'is forbidden for resourceVersion "0"')
    listed = core.list_namespaced_pod("default", resource_version="0", resource_version_match="NotOlderThan")
    exact = core.list_namespaced_pod("default", resource_version=listed.metadata.resource_version,
                                     resource_version_match="Exact")
    assert [p.metadata.name for p in exact.items] == [p.metadata.name for p in listed.items]
