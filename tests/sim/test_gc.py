"""Garbage collection by ownerReferences: Background, Foreground, Orphan, dangling owners."""

from k9py.kube.meta import owner_reference
from tests.sim.helpers import make_cluster, pod_manifest


def cm(name, owners=(), block=True):
    md = {"name": name, "namespace": "default"}
    if owners:
        md["ownerReferences"] = [dict(owner_reference(o), blockOwnerDeletion=block) for o in owners]
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": md, "data": {"k": "v"}}


def owned_pod(name, owner, block=True):
    p = pod_manifest(name)
    p["metadata"]["ownerReferences"] = [dict(owner_reference(owner), blockOwnerDeletion=block)]
    return p


def get(c, kind, name):
    return c.store.get(kind, "default", name)


def test_background_deletion_removes_dependents_and_pods_terminate_gracefully():
    c = make_cluster(nodes=1)
    owner = c.create(cm("owner"))
    c.create(cm("child", [owner]))
    grandchild_owner = get(c, "ConfigMap", "child")
    c.create(cm("grandchild", [grandchild_owner]))
    c.create(owned_pod("worker", owner))
    c.advance(20)
    assert get(c, "Pod", "worker")["status"]["phase"] == "Running"
    c.delete("ConfigMap", "default", "owner")
    c.settle()
    assert get(c, "ConfigMap", "child") is None
    assert get(c, "ConfigMap", "grandchild") is None
    pod = get(c, "Pod", "worker")
    assert pod is not None and pod["metadata"]["deletionTimestamp"]  # Terminating, not gone at once
    c.advance(35)
    assert get(c, "Pod", "worker") is None


def test_dependent_with_a_surviving_owner_only_loses_the_dangling_reference():
    c = make_cluster(nodes=1)
    a = c.create(cm("a"))
    b = c.create(cm("b"))
    c.create(cm("shared", [a, b]))
    c.delete("ConfigMap", "default", "a")
    c.settle()
    shared = get(c, "ConfigMap", "shared")
    assert shared is not None
    assert [r["name"] for r in shared["metadata"]["ownerReferences"]] == ["b"]


def test_orphan_propagation_keeps_dependents():
    c = make_cluster(nodes=1)
    owner = c.create(cm("owner"))
    c.create(cm("child", [owner]))
    c.delete("ConfigMap", "default", "owner", propagation="Orphan")
    c.settle()
    child = get(c, "ConfigMap", "child")
    assert child is not None and not child["metadata"].get("ownerReferences")


def test_object_created_with_a_missing_owner_is_collected():
    c = make_cluster(nodes=1)
    ghost = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ghost", "uid": "00000000-0000-4000-8000-000000000000"}}
    c.create(cm("orphan", [ghost]))
    c.settle()
    assert get(c, "ConfigMap", "orphan") is None


def test_foreground_deletion_waits_for_blocking_dependents():
    c = make_cluster(nodes=1)
    owner = c.create(cm("owner"))
    c.create(owned_pod("worker", owner))
    c.create(cm("loose", [owner], block=False))
    c.advance(20)
    c.delete("ConfigMap", "default", "owner", propagation="Foreground")
    c.settle()
    o = get(c, "ConfigMap", "owner")
    assert o is not None and o["metadata"]["deletionTimestamp"]
    assert o["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert get(c, "ConfigMap", "loose") is None
    assert get(c, "Pod", "worker")["metadata"]["deletionTimestamp"]
    c.advance(35)  # the pod's grace period runs out, then the owner goes
    assert get(c, "Pod", "worker") is None
    assert get(c, "ConfigMap", "owner") is None


def test_foreground_cascades_through_levels():
    c = make_cluster(nodes=1)
    top = c.create(cm("top"))
    mid = c.create(cm("mid", [top]))
    c.create(owned_pod("leaf", mid))
    c.advance(20)
    c.delete("ConfigMap", "default", "top", propagation="Foreground")
    c.settle()
    m = get(c, "ConfigMap", "mid")
    assert m["metadata"]["deletionTimestamp"] and "foregroundDeletion" in m["metadata"]["finalizers"]
    assert get(c, "ConfigMap", "top") is not None
    c.advance(40)
    assert get(c, "Pod", "leaf") is None
    assert get(c, "ConfigMap", "mid") is None
    assert get(c, "ConfigMap", "top") is None


def test_deleting_object_goes_once_its_last_finalizer_is_removed():
    c = make_cluster(nodes=1)
    obj = c.create(dict(cm("held"), metadata={"name": "held", "namespace": "default", "finalizers": ["example.com/hold"]}))
    c.store.mark_deleting(obj, 0)
    c.settle()
    assert get(c, "ConfigMap", "held") is not None
    c.store.mutate("ConfigMap", "default", "held", lambda o: o["metadata"].pop("finalizers"))
    c.settle()
    assert get(c, "ConfigMap", "held") is None
