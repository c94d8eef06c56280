"""Property test of `k9py serve`'s request handling: any method on any API-shaped path, with any
query, content type and body, gets an answer and never a 5xx from k9py itself; an error is a
Kubernetes Status in JSON. (A 500 the apiserver gives too, etcd's "request is too large", is the
only one allowed, and it is a Status as well.) Watches and upgrades are left out: they stream."""

from __future__ import annotations

import http.client
import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k9py.serve.server import ServeHandle
from tests.serve.conftest import small_cluster

SEGMENTS = st.sampled_from([
    "api", "apis", "v1", "apps", "namespaces", "default", "kube-system", "pods", "deployments", "services",
    "configmaps", "secrets", "nodes", "status", "scale", "log", "eviction", "binding", "ephemeralcontainers",
    "proxy", "x", "..", "%2e%2e", "%00", "web", "minikube", "openapi", "version", "healthz", "metrics.k8s.io",
    "v1beta1", "authorization.k8s.io", "selfsubjectaccessreviews", "example.com", "widgets", "ü", "a b",
])
QUERIES = st.lists(st.sampled_from([
    "labelSelector=app%3Dweb", "labelSelector=%21%21", "fieldSelector=metadata.name%3Dx", "fieldSelector=bogus",
    "limit=1", "limit=-5", "limit=abc", "continue=garbage", "dryRun=All", "fieldManager=t", "force=true",
    "fieldValidation=Strict", "fieldValidation=Nope", "resourceVersion=0", "resourceVersion=zz", "tailLines=-1",
    "sinceSeconds=abc", "pretty=true", "gracePeriodSeconds=-3", "propagationPolicy=Sideways",
]), max_size=3)
CONTENT_TYPES = st.sampled_from([
    "application/json", "application/yaml", "application/merge-patch+json", "application/json-patch+json",
    "application/strategic-merge-patch+json", "application/apply-patch+yaml",
    "application/vnd.kubernetes.protobuf", "text/plain", "", "application/x-www-form-urlencoded",
])
BODIES = st.one_of(
    st.binary(max_size=200),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                 lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=10), kids, max_size=4),
                 max_leaves=20).map(lambda v: json.dumps(v).encode()),
    st.sampled_from([
        b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p"}}',
        b'{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}',
        b'[{"op":"replace","path":"/spec/replicas","value":"x"}]', b"k8s\x00\n\x02v1\x12\x03Pod", b"{" * 500,
    ]),
)


@pytest.fixture(scope="module")
def served():
    handle = ServeHandle(small_cluster(), speed=None).start()
    yield handle
    handle.stop()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW"]),
       path=st.lists(SEGMENTS, min_size=1, max_size=8), query=QUERIES, ctype=CONTENT_TYPES, body=BODIES)
def test_every_request_gets_an_answer_and_errors_are_statuses(served, method, path, query, ctype, body):
    if path[-1] in ("proxy",) or "watch=true" in query:
        return
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=20)
    url = "/" + "/".join(quote(p, safe="%.") for p in path) + ("?" + "&".join(query) if query else "")
    headers = {"Content-Type": ctype} if ctype else {}
    conn.request(method, url, body=body if method not in ("GET", "HEAD") else None, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    assert resp.status < 500 or b"request is too large" in data, (method, url, resp.status, data[:300])
    if resp.status >= 400 and method != "HEAD" and resp.getheader("Content-Type", "").startswith("application/json"):
        status = json.loads(data)
        assert status.get("kind") == "Status" and status.get("code") == resp.status, status
