"""What the apiserver door sets on create whatever the client sends (dry runs included), and where
the resourceVersion counter starts (fixed for tests and scenarios; `k9py serve` passes its own)."""

from __future__ import annotations

import copy

from k9py.kube.timefmt import rfc3339
from k9py.sim.cluster import Cluster
from k9py.sim.store import FIRST_RV


def _bogus(kind: str = "ConfigMap", api_version: str = "v1", **extra) -> dict:
    return {"apiVersion": api_version, "kind": kind,
            "metadata": {"name": "x", "namespace": "default", "uid": "client-uid", "resourceVersion": "42",
                         "creationTimestamp": "2001-02-03T04:05:06Z", "generation": 9,
                         "deletionTimestamp": "2001-02-03T04:05:06Z", "managedFields": [{"manager": "me"}]}, **extra}


def test_create_overrides_client_metadata():
    c = Cluster()
    c.clock.advance(5)
    for dry in (True, False):
        md = c.create(_bogus(data={"a": "b"}), dry_run=dry)["metadata"]
        assert md["creationTimestamp"] == rfc3339(c.now())
        assert md["uid"] != "client-uid" and len(md["uid"]) == 36
        assert not {"deletionTimestamp", "managedFields"} & set(md)
        assert md.get("resourceVersion") != "42"


def test_generation_starts_at_one():
    c = Cluster()
    dep = _bogus("Deployment", "apps/v1", spec={"selector": {"matchLabels": {"a": "b"}},
                                                "template": {"metadata": {"labels": {"a": "b"}},
                                                             "spec": {"containers": [{"name": "c", "image": "i"}]}}})
    assert c.create(dep, dry_run=True)["metadata"]["generation"] == 1
    assert c.create(dep)["metadata"]["generation"] == 1


def test_a_pods_generation_stays_one_through_binding_and_status_writes():
    """The scheduler's binding sets spec.nodeName and the kubelet writes status: neither is a new
    desired state, so the pod keeps generation 1 as on the real apiserver; a spec update bumps it."""
    from tests.sim.helpers import make_cluster, pod_manifest
    c = make_cluster(nodes=1)
    assert c.create(pod_manifest("web", "nginx:1.14.2"), dry_run=True)["metadata"]["generation"] == 1
    c.create(pod_manifest("web", "nginx:1.14.2"))
    for _ in range(3):
        c.advance(10)
    pod = c.get("Pod", "default", "web")
    assert pod["spec"]["nodeName"] and pod["status"]["phase"] == "Running"
    assert pod["metadata"]["generation"] == 1
    pod = copy.deepcopy(pod)  # (the store's own object: never changed in place)
    pod["spec"]["activeDeadlineSeconds"] = 600
    assert c.replace(pod)["metadata"]["generation"] == 2


def test_resource_version_counter_start():
    assert Cluster().store.resource_version > FIRST_RV  # bootstrap objects: deterministic numbering
    assert Cluster().store.resource_version == Cluster().store.resource_version
    base = 1_796_000_000_000_000
    c = Cluster(rv_start=base)
    assert c.store.resource_version - base == Cluster().store.resource_version - FIRST_RV
    assert int(c.create(_bogus(data={}))["metadata"]["resourceVersion"]) > base


def test_a_dry_run_update_answers_the_generation_a_write_would_give():
    """A dry-run update runs the apiserver's strategy: a changed spec's generation is bumped in
    the answer (what `kubectl diff` shows beside the change), the stored object keeps its own and
    the answer its resourceVersion; a change of labels alone keeps the generation."""
    c = Cluster()
    dep = _bogus("Deployment", "apps/v1", spec={"replicas": 1, "selector": {"matchLabels": {"a": "b"}},
                                                "template": {"metadata": {"labels": {"a": "b"}},
                                                             "spec": {"containers": [{"name": "c", "image": "i"}]}}})
    stored = c.create(dep)
    md = stored["metadata"]
    scaled = {**stored, "spec": {**stored["spec"], "replicas": 2}}
    answer = c.replace(scaled, dry_run=True)["metadata"]
    assert answer["generation"] == 2 and answer["resourceVersion"] == md["resourceVersion"]
    assert c.get("Deployment", "default", md["name"])["metadata"]["generation"] == 1
    labelled = {**stored, "metadata": {**md, "labels": {"x": "y"}}}
    assert c.replace(labelled, dry_run=True)["metadata"]["generation"] == 1
