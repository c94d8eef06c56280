"""End to end: what operators read with ``kubectl get --raw`` from the apiserver itself:
``/metrics`` (Prometheus text: apiserver_request_total labelled as the apiserver labels requests,
the latency histogram, in-flight and long-running requests, stored objects, build info; 403 for
a user RBAC gives no ``get`` on the path) and ``/version`` (indented, with the emulation fields)."""

from __future__ import annotations

import json
import re

import pytest

from tests.serve.test_kubectl_e2e import Server

pytestmark = pytest.mark.e2e

SAMPLE = re.compile(r'^([a-z_]+)(\{[^}]*\})? (-?[0-9.]+(?:e[+-]?[0-9]+)?|\+Inf)$')  # (9.1e-05: Go's %g too)


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("raw"))
    yield s
    assert s.stop() == 0


def _families(text: str) -> dict[str, str]:
    """Family name -> type; every line is a HELP, a TYPE or a well-formed sample of a declared family."""
    types: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
            continue
        m = SAMPLE.match(line)
        assert m, line
        name, stem = m.group(1), re.sub(r"_(bucket|sum|count)$", "", m.group(1))
        assert name in types or types.get(stem) == "histogram", line
    return types


def test_metrics_count_the_requests_kubectl_made(srv):
    srv.kubectl("get", "pods", "-n", "kube-system")
    srv.kubectl("get", "deployments", "-A")
    p = srv.kubectl("create", "configmap", "m1", "--from-literal=a=b", "--dry-run=server")
    assert p.stdout == "configmap/m1 created (server dry run)\n"
    text = srv.kubectl("get", "--raw", "/metrics").stdout
    types = _families(text)
    assert {k: types[k] for k in ("apiserver_request_total", "apiserver_request_duration_seconds",
                                  "apiserver_current_inflight_requests", "apiserver_longrunning_requests",
                                  "apiserver_storage_objects", "kubernetes_build_info")} == {
        "apiserver_request_total": "counter", "apiserver_request_duration_seconds": "histogram",
        "apiserver_current_inflight_requests": "gauge", "apiserver_longrunning_requests": "gauge",
        "apiserver_storage_objects": "gauge", "kubernetes_build_info": "gauge"}
    assert re.search(r'^apiserver_request_total\{code="200",component="apiserver",dry_run="",group="",resource="pods",'
                     r'scope="namespace",subresource="",verb="LIST",version="v1"\} [1-9]\d*$', text, re.M)
    assert re.search(r'^apiserver_request_total\{code="200",component="apiserver",dry_run="",group="apps",'
                     r'resource="deployments",scope="cluster",subresource="",verb="LIST",version="v1"\} [1-9]', text, re.M)
    assert re.search(r'^apiserver_request_total\{code="201",component="apiserver",dry_run="All",group="",'
                     r'resource="configmaps",scope="namespace",subresource="",verb="POST",version="v1"\} 1$', text, re.M)
    assert re.search(r'^apiserver_request_duration_seconds_count\{component="apiserver",dry_run="",group="",'
                     r'resource="pods",scope="namespace",subresource="",verb="LIST",version="v1"\} [1-9]', text, re.M)
    assert re.search(r'^apiserver_storage_objects\{resource="pods"\} [1-9]\d*$', text, re.M)
    assert re.search(r'^apiserver_storage_objects\{resource="deployments.apps"\} [1-9]\d*$', text, re.M)
    assert re.search(r'^kubernetes_build_info\{.*git_version="v1\.\d+\.\d+[^"]*".*\} 1$', text, re.M)

    denied = srv.kubectl("get", "--raw", "/metrics", "--as=nobody", check=False)
    assert (denied.returncode, denied.stderr) == (1, 'Error from server (Forbidden): forbidden: User "nobody" cannot get path "/metrics"\n')


def test_a_watch_is_long_running_while_open(srv):
    w = srv.popen("get", "pods", "-w", "--output-watch-events")
    try:
        assert w.stdout.readline().startswith("EVENT ")

        def gauge():
            text = srv.kubectl("get", "--raw", "/metrics").stdout
            m = re.search(r'^apiserver_longrunning_requests\{component="apiserver",group="",resource="pods",'
                          r'scope="namespace",subresource="",verb="WATCH",version="v1"\} (\d+)$', text, re.M)
            return m and int(m.group(1)) >= 1
        assert srv.until("the watch counted", gauge)
    finally:
        w.kill()
        w.wait()


def test_version_is_indented_with_the_emulation_fields(srv):
    raw = srv.kubectl("get", "--raw", "/version").stdout
    assert raw.startswith('{\n  "major": "1",\n  "minor": "')
    v = json.loads(raw)
    assert list(v)[:6] == ["major", "minor", "emulationMajor", "emulationMinor", "minCompatibilityMajor", "minCompatibilityMinor"]
    assert (v["emulationMajor"], v["emulationMinor"]) == (v["major"], v["minor"])
    assert int(v["minCompatibilityMinor"]) == int(v["minor"]) - 1


def _current_rv(srv: Server) -> int:
    return int(json.loads(srv.kubectl("get", "--raw", "/api/v1/namespaces/default/pods?limit=1").stdout)["metadata"]["resourceVersion"])


def test_a_version_not_reached_yet_is_waited_for_then_504(srv):
    """A list (legacy resourceVersion, or NotOlderThan) or a watch-list from a resourceVersion the
    server has not reached: it waits (3 s), then 504 Timeout "Too large resource version" (the
    watch-list's as one ERROR event on its 200 stream); a plain watch from there is accepted."""
    ahead = _current_rv(srv) + 10**12
    for query in (f"resourceVersion={ahead}", f"resourceVersion={ahead}&resourceVersionMatch=NotOlderThan"):
        p = srv.kubectl("get", "--raw", f"/api/v1/pods?{query}", check=False)
        assert p.returncode == 1
        assert re.fullmatch(rf"Error from server \(Timeout\): Timeout: Too large resource version: {ahead}, current: \d+\n",
                            p.stderr)
    p = srv.kubectl("get", "--raw", f"/api/v1/pods?watch=1&sendInitialEvents=true&allowWatchBookmarks=true"
                                    f"&resourceVersionMatch=NotOlderThan&resourceVersion={ahead}")
    event = json.loads(p.stdout)
    assert event["type"] == "ERROR"
    status = event["object"]
    assert list(status) == ["kind", "apiVersion", "metadata", "status", "message", "reason", "details", "code"]
    assert (status["code"], status["reason"]) == (504, "Timeout")
    assert status["details"] == {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
                                 "retryAfterSeconds": 1}
    assert status["message"].startswith(f"Timeout: Too large resource version: {ahead}, current: ")
    # a version reached: answered at once
    now = _current_rv(srv)
    assert json.loads(srv.kubectl("get", "--raw", f"/api/v1/pods?resourceVersion={now}").stdout)["kind"] == "PodList"


def test_watch_bookmarks_come_before_the_watch_times_out(srv):
    """allowWatchBookmarks: a progress BOOKMARK a minute after the last (or 2 s before the watch's
    timeoutSeconds, whichever is sooner), carrying the newest resourceVersion, on a quiet watch too."""
    rv = _current_rv(srv)
    p = srv.kubectl("get", "--raw", f"/api/v1/namespaces/kube-public/pods?watch=1&allowWatchBookmarks=true"
                                    f"&timeoutSeconds=4&resourceVersion={rv - 1}", timeout=20)
    events = [json.loads(line) for line in p.stdout.splitlines()]
    assert [e["type"] for e in events] == ["BOOKMARK"]
    bookmark = events[0]["object"]
    assert bookmark["kind"] == "Pod" and list(bookmark["metadata"]) == ["resourceVersion"]
    assert int(bookmark["metadata"]["resourceVersion"]) >= rv
    p = srv.kubectl("get", "--raw", "/api/v1/namespaces/kube-public/pods?watch=1&timeoutSeconds=3", timeout=20)
    assert p.stdout == ""  # no bookmarks unless asked for
