"""ReplicaSet controller: pods from the template, self-healing, scale down order, status."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from k9py.kube import meta
from k9py.kube.meta import dig
from k9py.kube.status import ApiError
from k9py.kube.timefmt import parse_time
from k9py.sim.cluster import Cluster
from tests.sim.helpers import make_cluster

Obj = dict[str, Any]


def fake_cluster(nodes: int = 3, seed: int = 1) -> Cluster:
    """A minikube-like cluster with the real scheduler and kubelet (nginx is Ready after ~3 s)."""
    return make_cluster(nodes=nodes, seed=seed)


def pods_of(c: Cluster, owner: Obj, *, active_only: bool = True) -> list[Obj]:
    uid = meta.uid(c.store.get(owner["kind"], meta.namespace(owner), meta.name(owner)) or owner)
    out = [p for p in c.store.list("Pod") if (meta.controller_ref(p) or {}).get("uid") == uid]
    if active_only:
        out = [p for p in out if not meta.is_deleting(p) and dig(p, "status", "phase") not in ("Succeeded", "Failed")]
    return out


def rs_manifest(name: str = "frontend", replicas: int = 3, **spec: Any) -> Obj:
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name, "labels": {"tier": "frontend"}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"tier": "frontend"}},
                     "template": {"metadata": {"labels": {"tier": "frontend"}},
                                  "spec": {"containers": [{"name": "php-redis", "image": "gcr.io/google_samples/gb-frontend:v3"}]}},
                     **spec}}


def test_creates_pods_with_owner_and_events():
    c = fake_cluster()
    rs = c.create(rs_manifest())
    c.settle()
    pods = pods_of(c, rs)
    assert len(pods) == 3
    for p in pods:
        assert meta.name(p).startswith("frontend-") and len(meta.name(p)) == len("frontend-") + 5
        ref = meta.controller_ref(p)
        assert ref["kind"] == "ReplicaSet" and ref["name"] == "frontend" and ref["blockOwnerDeletion"] is True
        assert meta.labels(p) == {"tier": "frontend"}
    evs = c.events.for_object(c.get("ReplicaSet", "default", "frontend"))
    assert sorted(e["message"] for e in evs) == sorted(f"Created pod: {meta.name(p)}" for p in pods)
    assert {e["reason"] for e in evs} == {"SuccessfulCreate"}
    assert evs[0]["source"] == {"component": "replicaset-controller"}


def test_status_counts_ready_and_available_with_min_ready_seconds():
    c = fake_cluster()
    rs = c.create(rs_manifest(minReadySeconds=10))
    c.settle()
    st = c.get("ReplicaSet", "default", "frontend")["status"]
    assert st["replicas"] == 3 and "readyReplicas" not in st and st["fullyLabeledReplicas"] == 3
    c.advance(10)
    st = c.get("ReplicaSet", "default", "frontend")["status"]
    assert st["readyReplicas"] == 3
    last_ready = max(parse_time(next(x for x in p["status"]["conditions"] if x["type"] == "Ready")["lastTransitionTime"])
                     for p in pods_of(c, rs))
    assert last_ready + 10 > c.now()
    c.advance(last_ready + 10 - c.now() - 1)
    assert c.get("ReplicaSet", "default", "frontend")["status"].get("availableReplicas", 0) < 3
    c.advance(1)  # every pod has been ready for minReadySeconds now
    st = c.get("ReplicaSet", "default", "frontend")["status"]
    assert st["availableReplicas"] == 3 and st["observedGeneration"] == 1


def test_deleted_pod_is_replaced_and_terminating_pods_do_not_count():
    c = fake_cluster()
    m = rs_manifest()
    m["spec"]["template"]["spec"]["containers"] = [{"name": "sleeper", "image": "busybox:1.28", "command": ["sleep", "3600"]}]
    rs = c.create(m)
    c.advance(10)
    victim = pods_of(c, rs)[0]
    c.delete("Pod", "default", meta.name(victim))
    c.advance(1)
    # sleep ignores SIGTERM: the victim stays Terminating for its 30 s grace; a replacement exists
    assert meta.is_deleting(c.get("Pod", "default", meta.name(victim)))
    active = pods_of(c, rs)
    assert len(active) == 3 and meta.name(victim) not in {meta.name(p) for p in active}
    assert c.get("ReplicaSet", "default", "frontend")["status"]["replicas"] == 3
    c.advance(31)
    assert c.store.get("Pod", "default", meta.name(victim)) is None
    assert len(pods_of(c, rs)) == 3
    assert all(p["status"]["phase"] == "Running" for p in pods_of(c, rs))


def test_force_deleted_pod_is_replaced_in_the_same_instant():
    c = fake_cluster()
    rs = c.create(rs_manifest())
    c.advance(10)
    victim = meta.name(pods_of(c, rs)[0])
    c.delete("Pod", "default", victim, grace_period=0)  # gone at once, never Terminating
    assert c.store.get("Pod", "default", victim) is None
    c.settle()
    assert len(pods_of(c, rs)) == 3 and victim not in {meta.name(p) for p in pods_of(c, rs)}
    assert c.get("ReplicaSet", "default", "frontend")["status"]["replicas"] == 3
    c.advance(10)
    assert c.get("ReplicaSet", "default", "frontend")["status"].get("readyReplicas") == 3


def test_scale_down_prefers_not_ready_then_newest():
    c = fake_cluster()
    rs = c.create(rs_manifest(replicas=2))
    c.advance(6)  # two ready pods
    ready = {meta.name(p) for p in pods_of(c, rs)}

    def slow_and_more(o: Obj) -> None:
        o["spec"]["replicas"] = 4
        o["spec"]["template"]["metadata"]["annotations"] = {"k9py.sim/start-delay": "60"}
    c.store.mutate("ReplicaSet", "default", "frontend", slow_and_more)
    c.advance(1)  # two more, still starting
    assert len(pods_of(c, rs)) == 4
    c.store.mutate("ReplicaSet", "default", "frontend", lambda o: o["spec"].__setitem__("replicas", 2))
    c.settle()
    assert {meta.name(p) for p in pods_of(c, rs)} == ready
    deleted = [e["message"] for e in c.events.for_object(c.get("ReplicaSet", "default", "frontend")) if e["reason"] == "SuccessfulDelete"]
    assert len(deleted) == 2 and all(m.startswith("Deleted pod: frontend-") for m in deleted)


def test_adopts_matching_orphan_pods():
    c = fake_cluster()
    c.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pod1", "labels": {"tier": "frontend"}},
              "spec": {"containers": [{"name": "hello1", "image": "gcr.io/google-samples/hello-app:2.0"}]}})
    c.settle()
    rs = c.create(rs_manifest())
    c.settle()
    pods = pods_of(c, rs)
    assert len(pods) == 3 and "pod1" in {meta.name(p) for p in pods}


def test_admission_defaults_and_validation():
    c = fake_cluster(nodes=0)
    m = rs_manifest()
    del m["spec"]["replicas"]
    rs = c.create(m)
    assert rs["spec"]["replicas"] == 1
    assert rs["spec"]["template"]["spec"]["restartPolicy"] == "Always"
    assert rs["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    bad = rs_manifest("bad")
    bad["spec"]["template"]["metadata"]["labels"] = {"tier": "backend"}
    with pytest.raises(ApiError) as e:
        c.create(bad)
    assert e.value.code == 422
    assert 'spec.template.metadata.labels: Invalid value: map[string]string{"tier":"backend"}: `selector` does not match template `labels`' in e.value.message
    neg = rs_manifest("neg", replicas=-1)
    with pytest.raises(ApiError) as e:
        c.create(neg)
    assert "spec.replicas: Invalid value: -1: must be greater than or equal to 0" in e.value.message


def test_failed_creates_are_retried_with_backoff_not_every_pass():
    c = fake_cluster()
    c.create({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "pods"},
              "spec": {"hard": {"pods": "1"}}})
    c.settle()
    rs = c.create(rs_manifest())
    c.advance(5)
    rs = c.get("ReplicaSet", "default", "frontend")
    failed = [e for e in c.events.for_object(rs) if e["reason"] == "FailedCreate"]
    if not failed:
        pytest.skip("ResourceQuota admission not enforced in this build")
    assert len(pods_of(c, rs)) == 1
    assert failed[0]["type"] == "Warning" and failed[0]["message"].startswith("Error creating: ")
    assert failed[0]["count"] <= 5  # 1 s, 2 s, 4 s back-off: a few retries, not one per settle pass
    cond = next(x for x in rs["status"]["conditions"] if x["type"] == "ReplicaFailure")
    assert (cond["status"], cond["reason"]) == ("True", "FailedCreate")


def test_scale_down_honours_pod_deletion_cost():
    c = fake_cluster()
    rs = c.create(rs_manifest(replicas=3))
    c.advance(10)
    names = sorted(meta.name(p) for p in pods_of(c, rs))
    keep = names[0]
    for n in names[1:]:
        c.store.mutate("Pod", "default", n, lambda p: p["metadata"].setdefault("annotations", {}).__setitem__(
            "controller.kubernetes.io/pod-deletion-cost", "-10"))
    c.store.mutate("ReplicaSet", "default", "frontend", lambda o: o["spec"].__setitem__("replicas", 1))
    c.settle()
    assert [meta.name(p) for p in pods_of(c, rs)] == [keep]


def test_rank_newer_ready_pods_go_first():
    from k9py.sim.controllers.replicaset import pod_delete_rank

    def pod(name: str, created: str, ready: str) -> Obj:
        return {"metadata": {"name": name, "creationTimestamp": created}, "spec": {"nodeName": "n1"},
                "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": ready}]}}
    old = pod("old", "2026-11-01T08:00:00Z", "2026-11-01T08:00:05Z")
    new = pod("new", "2026-11-01T08:59:00Z", "2026-11-01T08:59:50Z")
    pending = {"metadata": {"name": "pending", "creationTimestamp": "2026-11-01T07:00:00Z"}, "spec": {},
               "status": {"phase": "Pending"}}
    now = parse_time("2026-11-01T09:00:00Z")
    assert [p["metadata"]["name"] for p in pod_delete_rank([old, new, pending], [old, new], now)] == ["pending", "new", "old"]


def test_pods_take_the_template_spec_and_labels_themselves_and_admission_leaves_the_template_alone():
    from k9py.sim.controllers import podtemplate as pt

    c = fake_cluster()
    rs = c.create(rs_manifest(replicas=2))
    template = c.store.get("ReplicaSet", "default", "frontend")["spec"]["template"]
    before = copy.deepcopy(template)
    refs = [meta.owner_reference(rs)]
    pod = pt.pod_from_template(rs, template, generate_name="frontend-", share=True, owner_refs=refs)
    assert pod["spec"] is template["spec"] and pod["metadata"]["labels"] is template["metadata"]["labels"]
    assert pod["metadata"]["ownerReferences"] is refs
    extra = pt.pod_from_template(rs, template, generate_name="frontend-", share=True, extra_labels={"x": "1"})
    assert extra["metadata"]["labels"] == {"tier": "frontend", "x": "1"} and template["metadata"]["labels"] == {"tier": "frontend"}
    c.settle()
    assert len(pods_of(c, rs)) == 2
    assert all(p["spec"]["volumes"][0]["name"].startswith("kube-api-access-") for p in pods_of(c, rs))
    assert c.store.get("ReplicaSet", "default", "frontend")["spec"]["template"] == before == template
    assert "volumes" not in template["spec"]


def test_what_a_sync_reads_of_a_pod_is_compared_from_the_parts_versions_share():
    from k9py.sim.controllers import podtemplate as pt
    from k9py.sim.controllers.replicaset import _facts, _same_facts

    ready = {"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-01T09:00:03Z"}
    base = {"metadata": {"labels": {"a": "1"}, "ownerReferences": [{"uid": "u", "controller": True}]},
            "status": {"phase": "Running", "conditions": [ready]}}
    conditions = base["status"]["conditions"]
    versions = [
        base,
        {**base, "status": {"phase": "Running", "conditions": conditions, "podIP": "10.0.0.1"}},
        {**base, "status": {"phase": "Running", "conditions": [dict(ready)]}},
        {**base, "status": {"phase": "Running", "conditions": [{**ready, "status": "False"}]}},
        {**base, "status": {"phase": "Succeeded", "conditions": conditions}},
        {**base, "metadata": {**base["metadata"], "labels": {"a": "2"}}},
        {**base, "metadata": {**base["metadata"], "deletionTimestamp": "2026-11-01T09:01:00Z"}},
        {**base, "metadata": {**base["metadata"], "deletionTimestamp": "2026-11-01T09:01:00Z"}, "status": {}},
        {**base, "status": None},
        {**base, "status": "not a status"},
        {**base, "status": {"phase": "Running"}},
        {**base, "status": {"phase": "Failed", "conditions": [{**ready, "lastTransitionTime": "2026-11-01T09:00:09Z"}]}},
        {**base, "status": {"phase": "Running", "conditions": [{**ready, "lastTransitionTime": "2026-11-01T09:00:09Z"}]}},
        {**base, "status": {"phase": "Running", "conditions": [{**ready, "status": "False"}, ready]}},
        {**base, "status": {"phase": "Pending", "conditions": [{"type": "Ready", "status": "True"}]}},
    ]
    for old in versions:
        for new in versions:
            assert _same_facts(old, new) == (_facts(old) == _facts(new)), (old, new)
    for v in versions:  # a pod's facts read its phase and Ready condition as everyone else does
        if "deletionTimestamp" not in v["metadata"]:
            cond = pt.ready_condition(v)
            since = cond.get("lastTransitionTime") if cond is not None and cond.get("status") == "True" else None
            assert _facts(v)[3:] == (not pt.is_active(v), since), v


def test_a_pod_relabelled_out_of_the_selector_is_released_and_replaced():
    c = fake_cluster()
    rs = c.create(rs_manifest(replicas=3))
    c.advance(10)
    pods = sorted(pods_of(c, rs), key=meta.name)
    moved = meta.name(pods[1])  # between two that still match (and share one labels dict)
    c.store.mutate("Pod", "default", moved, lambda p: p["metadata"].__setitem__("labels", {"tier": "elsewhere"}))
    c.advance(10)
    assert meta.controller_ref(c.store.get("Pod", "default", moved)) is None
    owned = pods_of(c, rs)
    assert len(owned) == 3 and moved not in {meta.name(p) for p in owned}
    assert {meta.name(pods[0]), meta.name(pods[2])} <= {meta.name(p) for p in owned}


def _set_ready(pod: Obj, status: str) -> None:
    """A store.mutate function: the pod's Ready condition gets ``status``."""
    pod["status"]["conditions"] = [{**c, "status": status} if c.get("type") == "Ready" else c
                                   for c in pod["status"]["conditions"]]


def test_status_follows_a_pods_readiness_the_sync_read_before():
    from k9py.sim.controllers.replicaset import ReplicaSetController

    c = fake_cluster()
    rs = c.create(rs_manifest(replicas=3))
    c.advance(10)
    assert c.get("ReplicaSet", "default", "frontend")["status"]["readyReplicas"] == 3
    name = meta.name(pods_of(c, rs)[0])
    c.store.mutate("Pod", "default", name, lambda p: _set_ready(p, "False"))
    ReplicaSetController().reconcile(c)  # alone: the kubelet would set the pod ready again
    st = c.get("ReplicaSet", "default", "frontend")["status"]
    assert st["readyReplicas"] == 2 and st["availableReplicas"] == 2 and st["replicas"] == 3
    c.store.mutate("Pod", "default", name, lambda p: _set_ready(p, "True"))
    ReplicaSetController().reconcile(c)
    assert c.get("ReplicaSet", "default", "frontend")["status"]["readyReplicas"] == 3


def test_pod_view_works_facts_out_again_for_a_new_version_and_lets_go_of_pods_no_longer_read():
    from k9py.sim.controllers.replicaset import _PodView

    ready = {"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-01T09:00:03Z"}
    a = {"metadata": {"name": "a", "resourceVersion": "1", "labels": {"x": "1"}},
         "status": {"phase": "Running", "conditions": [ready]}}
    b = {"metadata": {"name": "b", "resourceVersion": "2"}, "status": {"phase": "Pending"}}
    view = _PodView("uid")
    first = view.read([a, b])
    assert [(e.active, e.ready, e.ready_time) for e in first] == [(True, True, ready["lastTransitionTime"]), (True, False, None)]
    assert view.read([a, b])[0] is first[0]  # the same version: the same facts, not worked out again
    a2 = {**a, "metadata": {**a["metadata"], "resourceVersion": "3"},
          "status": {"phase": "Running", "conditions": [{**ready, "status": "False"}]}}
    again = view.read([a2])
    assert (again[0].pod, again[0].ready) == (a2, False)
    b2 = {**b, "metadata": {**b["metadata"], "deletionTimestamp": "2026-11-01T09:01:00Z"}}
    assert view.read([a2, b2])[1].active is False
    view = _PodView("uid")
    view.read([a, b])
    assert len(view._entries) == 2
    view.read([a])
    assert [e.pod for e in view._entries.values()] == [a]  # b is no longer read: let go
    view.read([a2])
    assert [e.pod for e in view._entries.values()] == [a2]


@pytest.mark.source_build
def test_a_settled_replicaset_is_synced_again_only_for_what_its_sync_reads(monkeypatch):
    from k9py.sim.controllers.replicaset import ReplicaSetController

    c = fake_cluster()
    rs = c.create(rs_manifest(replicas=3))
    c.advance(10)
    synced: list[str] = []
    sync = ReplicaSetController._sync
    monkeypatch.setattr(ReplicaSetController, "_sync",
                        lambda self, cl, rs, *a: (synced.append(meta.name(rs)), sync(self, cl, rs, *a))[1])
    ctl = ReplicaSetController()  # alone: the kubelet would put the pods' status right

    def look_again() -> None:
        c.state["replicaset-sync"].pending.add(("default", "frontend"))
        ctl.reconcile(c)

    name = meta.name(pods_of(c, rs)[0])
    c.store.mutate("Pod", "default", name, lambda p: p["status"].__setitem__("podIP", "10.9.9.9"))
    look_again()
    assert synced == []  # a new version of a pod, but nothing of it the sync reads changed
    c.store.mutate("Pod", "default", name, lambda p: _set_ready(p, "False"))
    look_again()
    assert synced == ["frontend"] and c.get("ReplicaSet", "default", "frontend")["status"]["readyReplicas"] == 2


def test_what_a_settled_sync_reads_of_a_pod_tells_apart_what_it_counts():
    from k9py.sim.controllers.replicaset import _entry

    ready = {"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-01T09:00:03Z"}
    base = {"metadata": {"name": "a", "resourceVersion": "1", "labels": {"a": "1"}},
            "spec": {}, "status": {"phase": "Pending", "conditions": [{**ready, "status": "False"}]}}
    same = [
        {**base, "metadata": {**base["metadata"], "resourceVersion": "2", "annotations": {"x": "y"}}},
        {**base, "spec": {"nodeName": "n1"}, "status": {**base["status"], "phase": "Running", "podIP": "10.0.0.1"}},
    ]
    different = [
        {**base, "status": {"phase": "Running", "conditions": [ready]}},
        {**base, "status": {"phase": "Running", "conditions": [{**ready, "lastTransitionTime": "2026-11-01T09:00:04Z"}]}},
        {**base, "status": {"phase": "Succeeded", "conditions": base["status"]["conditions"]}},
        {**base, "metadata": {**base["metadata"], "labels": {"a": "2"}}},
        {**base, "metadata": {**base["metadata"], "deletionTimestamp": "2026-11-01T09:01:00Z"}},
        {**base, "metadata": {**base["metadata"], "name": "b"}},
    ]
    assert all(_entry(p).reads == _entry(base).reads for p in same)
    assert all(_entry(p).reads != _entry(base).reads for p in different)


def test_a_replacement_deleted_before_the_controller_looks_again_is_replaced_too():
    from k9py.sim.controllers.replicaset import ReplicaSetController

    c = fake_cluster()
    rs = c.create(rs_manifest(replicas=2))
    c.advance(10)
    ctl = ReplicaSetController()  # alone, so that nothing looks at the pods in between
    first, kept = (meta.name(p) for p in pods_of(c, rs))
    c.delete("Pod", "default", first, grace_period=0)
    ctl.reconcile(c)
    [replacement] = [meta.name(p) for p in pods_of(c, rs) if meta.name(p) != kept]
    c.delete("Pod", "default", replacement, grace_period=0)  # back to the pods the sync began with
    ctl.reconcile(c)
    names = {meta.name(p) for p in pods_of(c, rs)}
    assert len(names) == 2 and kept in names and replacement not in names


@pytest.mark.source_build
def test_the_pods_a_sync_creates_do_not_make_its_replicaset_a_candidate_again(monkeypatch):
    from k9py.sim.controllers.replicaset import ReplicaSetController

    c = fake_cluster()
    rs = c.create(rs_manifest(replicas=2))
    c.advance(10)
    ctl = ReplicaSetController()  # alone, so that nothing looks at the pods in between
    state = c.state["replicaset-sync"]
    c.delete("Pod", "default", meta.name(pods_of(c, rs)[0]), grace_period=0)
    ctl.reconcile(c)  # creates a replacement, and reads it into what it remembers
    assert len(pods_of(c, rs)) == 2
    assert state.candidates(c.store) == []
    new = max(pods_of(c, rs), key=lambda p: p["metadata"]["creationTimestamp"])
    c.store.mutate("Pod", "default", meta.name(new), lambda p: p["metadata"].__setitem__("labels", {"tier": "frontend", "x": "1"}))
    assert state.candidates(c.store) == [("default", "frontend")]  # a change of it still counts

    # A sync that fails after creating a pod leaves its ReplicaSet a candidate.
    c.delete("Pod", "default", meta.name(pods_of(c, rs)[0]), grace_period=0)
    update = ReplicaSetController._update_status

    def broken(self, *a):
        raise RuntimeError("boom")
    monkeypatch.setattr(ReplicaSetController, "_update_status", broken)
    with pytest.raises(RuntimeError):
        ctl.reconcile(c)
    assert state.syncing is None and state.candidates(c.store) == [("default", "frontend")]
    monkeypatch.setattr(ReplicaSetController, "_update_status", update)
    ctl.reconcile(c)
    assert c.get("ReplicaSet", "default", "frontend")["status"]["replicas"] == 2


def test_fully_labelled_ready_and_available_counts_of_pods_with_their_own_labels():
    from k9py.sim.controllers.replicaset import ReplicaSetController

    c = fake_cluster()
    rs = c.create(rs_manifest(replicas=4, template={"metadata": {"labels": {"tier": "frontend", "v": "1"}},
                                                    "spec": {"containers": [{"name": "a", "image": "nginx:1.27"}]}}))
    c.advance(10)
    names = sorted(meta.name(p) for p in pods_of(c, rs))
    # one pod loses a template label (it still matches the selector), another gets an equal labels dict of its own
    c.store.mutate("Pod", "default", names[0], lambda p: p["metadata"].__setitem__("labels", {"tier": "frontend"}))
    c.store.mutate("Pod", "default", names[1], lambda p: p["metadata"].__setitem__("labels", {"v": "1", "tier": "frontend"}))
    c.store.mutate("Pod", "default", names[2], lambda p: _set_ready(p, "False"))
    ReplicaSetController().reconcile(c)  # alone: the kubelet would put the pod's readiness right
    st = c.get("ReplicaSet", "default", "frontend")["status"]
    assert (st["replicas"], st["fullyLabeledReplicas"], st["readyReplicas"], st["availableReplicas"]) == (4, 3, 3, 3)


def test_delete_rank_orders_as_the_rules_say_on_many_pods():
    """pod_delete_rank against the rules written out plainly, on pods varying in every one."""
    import math
    import random

    from k9py.sim.controllers import podtemplate as pt
    from k9py.sim.controllers.replicaset import pod_delete_rank

    def bucket(t, now):
        if t is None:
            return float("-inf")
        age = max(now - t, 0.0)
        return float(math.floor(math.log2(age))) if age >= 1 else -1.0

    def plain(pods, related, now):
        per_node: dict[str, int] = {}
        for p in related:
            if dig(p, "spec", "nodeName") and pt.is_active(p):
                per_node[p["spec"]["nodeName"]] = per_node.get(p["spec"]["nodeName"], 0) + 1

        def cost(p):
            try:
                return int(meta.annotations(p).get("controller.kubernetes.io/pod-deletion-cost", "0"))
            except ValueError:
                return 0
        return sorted(pods, key=lambda p: (
            1 if dig(p, "spec", "nodeName") else 0,
            {"Pending": 0, "Unknown": 1, "Running": 2}.get(dig(p, "status", "phase") or "Pending", 0),
            1 if pt.is_ready(p) else 0, cost(p),
            -per_node.get(dig(p, "spec", "nodeName"), 0) if dig(p, "spec", "nodeName") else 0,
            bucket(pt.ready_since(p), now) if pt.is_ready(p) else 0,
            -pt.restart_count(p), bucket(pt.creation_key(p)[0], now)))

    rng = random.Random(5)
    stamp = "2026-11-01T09:{:02d}:{:02d}Z"
    pods = []
    for i in range(300):
        status: Obj = {}
        if rng.random() < 0.8:
            status["phase"] = rng.choice(["Pending", "Running", "Unknown", "Succeeded"])
        if rng.random() < 0.7:
            status["conditions"] = [{"type": "Ready", "status": rng.choice(["True", "False"]),
                                     "lastTransitionTime": stamp.format(rng.randrange(60), rng.randrange(60))}]
        if rng.random() < 0.5:
            status["containerStatuses"] = [{"restartCount": rng.randrange(3)} for _ in range(rng.randrange(3))]
        md: Obj = {"name": f"p{i}", "creationTimestamp": stamp.format(rng.randrange(60), rng.randrange(60))}
        if rng.random() < 0.3:
            md["annotations"] = {"controller.kubernetes.io/pod-deletion-cost": rng.choice(["-5", "0", "7", "x"])}
        spec = {"nodeName": rng.choice(["n1", "n2", "n3", ""])} if rng.random() < 0.8 else {}
        pods.append({"metadata": md, "spec": spec, "status": status})
    now = parse_time("2026-11-01T10:00:00Z")
    for _ in range(30):
        some, related = rng.sample(pods, 20), rng.sample(pods, 40)
        assert [meta.name(p) for p in pod_delete_rank(some, related, now)] == [meta.name(p) for p in plain(some, related, now)]


def test_a_failed_create_and_the_counts_are_one_status_write():
    """The sync that creates what it can and fails the rest writes its status once, counts and
    ReplicaFailure together (calculateStatus, then one update), not the condition first."""
    c = fake_cluster()
    c.create({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "pods"},
              "spec": {"hard": {"pods": "1"}}})
    c.settle()
    statuses: list[dict] = []
    c.store.watch("ReplicaSet", lambda _type, obj: statuses.append(obj.get("status") or {}))
    c.create(rs_manifest())
    c.advance(5)
    failing = [st for st in statuses if any(x["type"] == "ReplicaFailure" for x in st.get("conditions") or [])]
    assert failing, "the quota refused no create"
    assert failing[0]["replicas"] == 1
