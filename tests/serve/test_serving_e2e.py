"""End to end (issue 13, "Serving" and two semantics items): `k9py serve` as a process, driven by the
real kubectl and the official `kubernetes` Python client — the listen backlog, malformed requests,
the kubeconfig's mode, resourceVersions across a restart, the served clock against the wall clock,
Secrets' stringData/type, and the metadata the server sets on create.

No sleeps: every wait is a deadline (a thread join, a socket timeout, a poll of kubectl).
"""

from __future__ import annotations

import base64
import calendar
import json
import os
import socket
import stat
import threading
import time
from typing import Any

import pytest
import yaml
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.client.rest import ApiException

from tests.serve.test_kubectl_e2e import Server

pytestmark = pytest.mark.e2e

CLIENTS = 32


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    """One server at real speed (the clock test needs speed 1), started under umask 000 so that the
    kubeconfig's mode is the server's own doing."""
    old = os.umask(0)
    try:
        s = Server(tmp_path_factory.mktemp("serving"), "--speed", "1", "--seed", "3")
    finally:
        os.umask(old)
    yield s
    assert s.stop() == 0


def _host_port(srv: Server) -> tuple[str, int]:
    host, port = srv.url.removeprefix("http://").split(":")
    return host, int(port)


def _raw(srv: Server, request: bytes) -> tuple[str, dict[str, str], bytes]:
    """Send bytes as they are; read the whole answer (the server closes the connection)."""
    with socket.create_connection(_host_port(srv), timeout=10) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    return lines[0], headers, body


def _api(srv: Server) -> k8s.ApiClient:
    return k8s_config.new_client_from_config(str(srv.kubeconfig), persist_config=False)


def _epoch(ts: str) -> int:
    return calendar.timegm(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ"))


# -- the listen backlog --------------------------------------------------------------------------

def test_32_concurrent_clients_all_answered(srv):
    """32 clients connect at the same instant (a barrier) and each lists ConfigMaps over its own
    connection; every one is answered. With socketserver's backlog of 5 the accept queue overflowed
    and the kernel dropped SYNs (1-3 s retries)."""
    host, port = _host_port(srv)
    barrier = threading.Barrier(CLIENTS)
    results: list[Any] = [None] * CLIENTS

    def one(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            with socket.create_connection((host, port), timeout=30) as s:
                s.sendall(b"GET /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n"
                          b"Accept: application/json\r\nConnection: close\r\n\r\n")
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            results[i] = (head.split(b"\r\n")[0], json.loads(body)["kind"])
        except Exception as err:  # reported below, with the others
            results[i] = err

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    assert results == [(b"HTTP/1.1 200 OK", "ConfigMapList")] * CLIENTS


def test_official_client_from_32_threads(srv):
    """The same through the official client: one ApiClient per thread, all at once."""
    barrier = threading.Barrier(CLIENTS)
    names: list[Any] = [None] * CLIENTS

    def one(i: int) -> None:
        try:
            with _api(srv) as c:
                barrier.wait(timeout=30)
                ns = k8s.CoreV1Api(c).read_namespace("default", _request_timeout=30)
                names[i] = ns.metadata.name
        except Exception as err:
            names[i] = err

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    assert names == ["default"] * CLIENTS


# -- malformed requests ----------------------------------------------------------------------------

@pytest.mark.parametrize("request_line", [b"GARBAGE", b"hello there general kenobi", b"GET / HTTP/x.y",
                                          b"GET /api", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"])
def test_garbage_request_line_gets_a_status(srv, request_line):
    status_line, headers, body = _raw(srv, request_line + b"\r\n\r\n")
    assert status_line.startswith("HTTP/1.1 400 ")
    assert headers["content-type"] == "application/json"
    st = json.loads(body)
    assert st["kind"] == "Status" and st["apiVersion"] == "v1" and st["status"] == "Failure"
    assert st["code"] == 400 and st["reason"] == "BadRequest" and st["message"]
    assert b"<html" not in body.lower()


def test_unknown_method_and_oversized_headers_get_a_status(srv):
    status_line, headers, body = _raw(srv, b"BREW /api HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_line.startswith("HTTP/1.1 405 ") and headers["content-type"] == "application/json"
    assert json.loads(body)["reason"] == "MethodNotAllowed"
    status_line, headers, body = _raw(srv, b"GET /api HTTP/1.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
    assert status_line.startswith("HTTP/1.1 431 ") and headers["content-type"] == "application/json"
    assert json.loads(body)["kind"] == "Status"
    assert srv.kubectl("get", "ns", "default", "-o", "name").stdout.strip() == "namespace/default"  # still serving


def test_text_plain_body_is_415(srv):
    with _api(srv) as c:
        resp = c.call_api("POST", c.configuration.host + "/api/v1/namespaces/default/configmaps",
                          header_params={"Content-Type": "text/plain", "Accept": "application/json"},
                          body='{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "plain"}}')
        resp.read()
        with pytest.raises(ApiException) as e:  # what the generated API methods make of it
            c.response_deserialize(resp, {"201": "V1ConfigMap"})
    assert resp.status == 415 and e.value.status == 415
    st = json.loads(resp.data)
    assert st == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                  "message": "the body of the request was in an unknown format - accepted media types include: "
                             "application/json, application/yaml, application/vnd.kubernetes.protobuf",
                  "reason": "UnsupportedMediaType", "code": 415}
    assert srv.kubectl("get", "configmap", "plain", check=False).returncode != 0  # nothing was created


# -- the kubeconfig ------------------------------------------------------------------------------

def test_kubeconfig_out_is_0600(srv):
    """Created 0600 even under umask 000 (the fixture's), so Helm does not warn."""
    mode = stat.S_IMODE(os.stat(srv.kubeconfig).st_mode)
    assert mode == 0o600, oct(mode)
    assert yaml.safe_load(srv.kubeconfig.read_text())["clusters"][0]["cluster"]["server"] == srv.url


# -- the served clock ----------------------------------------------------------------------------

def test_creation_timestamps_follow_the_wall_clock(srv):
    """At speed 1 the served clock is the wall clock: find the instant a new object's
    creationTimestamp ticks over to the next second, bracketed by wall-clock readings around the
    kubectl calls, and compare. (It used to run a steady 1-4 s behind: the time spent loading and
    warming the cluster.)"""
    prev_start, prev_ts = None, None
    deadline = time.monotonic() + 30
    i = 0
    while time.monotonic() < deadline:
        start = time.time()
        out = srv.json("create", "configmap", f"clock-{i}")
        end = time.time()
        ts = _epoch(out["metadata"]["creationTimestamp"])
        assert start - 2 < ts < end + 1  # every one: within ~1 s of the wall clock
        if prev_ts is not None and ts > prev_ts:
            # the served clock passed `ts` between prev_start and end (wall clock)
            lag_at_least, lag_at_most = prev_start - ts, end - ts
            assert lag_at_least < 1.0, f"the served clock is {lag_at_least:.2f}-{lag_at_most:.2f} s behind"
            assert lag_at_most > -1.0, f"the served clock is {-lag_at_most:.2f}-{-lag_at_least:.2f} s ahead"
            return
        prev_start, prev_ts = start, ts
        i += 1
    raise AssertionError("the served creationTimestamp never moved on to the next second")


# -- resourceVersions across a restart -----------------------------------------------------------

def _list_rv(s: Server) -> int:
    return int(json.loads(s.kubectl("get", "--raw", "/api/v1/configmaps").stdout)["metadata"]["resourceVersion"])


def test_restarted_server_never_reuses_resource_versions(tmp_path):
    (tmp_path / "one").mkdir()
    first = Server(tmp_path / "one", "--seed", "5")
    try:
        # the first run moves further than the second will have when it is read (100 writes)
        many = tmp_path / "many.yaml"
        many.write_text("\n---\n".join(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: before-{i}}}"
                                        for i in range(100)))
        first.kubectl("create", "-f", str(many))
        created = int(first.json("create", "configmap", "before-restart")["metadata"]["resourceVersion"])
        last = max(created, _list_rv(first))
    finally:
        assert first.stop() == 0
    (tmp_path / "two").mkdir()
    second = Server(tmp_path / "two", "--seed", "5")
    try:
        again = _list_rv(second)
        assert again > last, (again, last)
        fresh = int(second.json("create", "configmap", "after-restart")["metadata"]["resourceVersion"])
        assert fresh > again
        # A client resuming a watch from the first run's resourceVersion is told to relist (410),
        # never handed a state that happened to carry the same number.
        w = second.kubectl("get", "--raw", f"/api/v1/configmaps?watch=1&resourceVersion={last}&timeoutSeconds=5")
        events = [json.loads(line) for line in w.stdout.splitlines() if line.strip()]
        assert events and events[0]["type"] == "ERROR" and events[0]["object"]["code"] == 410
    finally:
        assert second.stop() == 0


# -- Secrets and the metadata the server sets ----------------------------------------------------

def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_create_secret_dry_run_server(srv):
    before = time.time()
    out = yaml.safe_load(srv.kubectl("create", "secret", "generic", "dry", "--from-literal=user=admin",
                                     "--dry-run=server", "-o", "yaml").stdout)
    after = time.time()
    assert out["kind"] == "Secret" and out["type"] == "Opaque"
    assert out["data"] == {"user": _b64("admin")}
    md = out["metadata"]
    assert md["name"] == "dry" and md["namespace"] == "default"
    assert md["uid"] and before - 2 < _epoch(md["creationTimestamp"]) < after + 1
    assert "NotFound" in srv.kubectl("get", "secret", "dry", check=False).stderr  # a dry run stores nothing


SECRET = """\
apiVersion: v1
kind: Secret
metadata:
  name: creds
data:
  password: {old}
  token: {token}
stringData:
  user: admin
  password: s3cret
"""


def test_apply_secret_with_string_data(srv, tmp_path):
    f = tmp_path / "secret.yaml"
    f.write_text(SECRET.format(old=_b64("old"), token=_b64("t0k")))
    assert srv.kubectl("apply", "-f", str(f)).stdout.strip() == "secret/creds created"
    got = srv.json("get", "secret", "creds")
    assert got["type"] == "Opaque"
    assert got["data"] == {"password": _b64("s3cret"), "token": _b64("t0k"), "user": _b64("admin")}  # stringData wins
    assert "stringData" not in got
    # Applied again unchanged: kubectl's patch carries stringData again (the live object has none),
    # so it says "configured", as against a cluster; the Secret itself does not change.
    assert srv.kubectl("apply", "-f", str(f)).stdout.strip() == "secret/creds configured"
    again = srv.json("get", "secret", "creds")
    assert again["data"] == got["data"] and again["metadata"]["resourceVersion"] == got["metadata"]["resourceVersion"]
    # a changed stringData value lands in data
    f.write_text(SECRET.format(old=_b64("old"), token=_b64("t0k")).replace("s3cret", "n3w"))
    assert srv.kubectl("apply", "-f", str(f)).stdout.strip() == "secret/creds configured"
    got = srv.json("get", "secret", "creds")
    assert got["data"]["password"] == _b64("n3w") and "stringData" not in got
    # decoded by kubectl the way a user reads a secret
    assert srv.kubectl("get", "secret", "creds", "-o", "jsonpath={.data.user}").stdout == _b64("admin")


def test_secret_type_is_immutable(srv, tmp_path):
    f = tmp_path / "typed.yaml"
    f.write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: typed}\nstringData: {a: b}\n")
    srv.kubectl("apply", "-f", str(f))
    assert srv.json("get", "secret", "typed")["type"] == "Opaque"
    f.write_text("apiVersion: v1\nkind: Secret\nmetadata: {name: typed}\ntype: example.com/other\nstringData: {a: b}\n")
    p = srv.kubectl("apply", "-f", str(f), check=False)
    assert p.returncode != 0 and 'type: Invalid value: "example.com/other": field is immutable' in p.stderr


BOGUS = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  creationTimestamp: "2001-02-03T04:05:06Z"
  uid: 00000000-0000-0000-0000-000000000001
  generation: 7
spec:
  replicas: 1
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - {{name: web, image: nginx:1.14.2}}
"""


@pytest.mark.parametrize("dry_run", [False, True])
def test_server_sets_creation_metadata(srv, tmp_path, dry_run):
    name = "bogus-dry" if dry_run else "bogus"
    f = tmp_path / "bogus.yaml"
    f.write_text(BOGUS.format(name=name))
    before = time.time()
    args = ["create", "-f", str(f), "-o", "json"] + (["--dry-run=server"] if dry_run else [])
    out = json.loads(srv.kubectl(*args).stdout)
    after = time.time()
    md = out["metadata"]
    assert before - 2 < _epoch(md["creationTimestamp"]) < after + 1
    assert md["uid"] != "00000000-0000-0000-0000-000000000001" and len(md["uid"]) == 36
    assert md["generation"] == 1
    if not dry_run:
        stored = srv.json("get", "deployment", name)["metadata"]
        assert (stored["creationTimestamp"], stored["uid"]) == (md["creationTimestamp"], md["uid"])
    else:
        assert "NotFound" in srv.kubectl("get", "deployment", name, check=False).stderr


def test_apply_of_a_manifest_with_a_bogus_creation_timestamp(srv, tmp_path):
    f = tmp_path / "cm.yaml"
    f.write_text('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old-looking\n'
                 '  creationTimestamp: "2001-02-03T04:05:06Z"\ndata: {a: b}\n')
    before = time.time()
    srv.kubectl("apply", "-f", str(f))
    got = srv.json("get", "configmap", "old-looking")
    assert before - 2 < _epoch(got["metadata"]["creationTimestamp"]) < time.time() + 1
    age = srv.kubectl("get", "configmap", "old-looking", "--no-headers").stdout.split()[-1]
    assert age.endswith("s") and not age.endswith("y"), age  # seconds old, not 25 years
