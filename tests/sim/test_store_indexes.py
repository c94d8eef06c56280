"""The store's indexes and change feed, and the controllers that use them to look only at what
a change concerns (a reconcile costs O(changes), not O(cluster))."""

from __future__ import annotations

import random
from typing import Any

import pytest

from k9py.kube.meta import owner_reference
from k9py.sim.clock import VirtualClock
from k9py.sim.cluster import Cluster
from k9py.sim.controllers.deployment import DeploymentController
from k9py.sim.controllers.gc import GarbageCollector
from k9py.sim.store import HISTORY_MIN, HISTORY_WINDOW, ObjectStore
from tests.sim.helpers import make_cluster
from tests.sim.test_deployment import nginx

Obj = dict[str, Any]


def _store() -> ObjectStore:
    return ObjectStore(VirtualClock(), random.Random(7))


def _cm(name: str, ns: str = "default", owners: tuple[Obj, ...] | list[Obj] = (), controller: bool = True) -> Obj:
    md: Obj = {"name": name, "namespace": ns}
    if owners:
        md["ownerReferences"] = [owner_reference(o, controller=controller) for o in owners]
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": md, "data": {}}


def _names(objs: list[Obj]) -> list[str]:
    return [o["metadata"]["name"] for o in objs]


def test_keys_are_sorted_per_namespace_and_follow_creates_and_deletes():
    s = _store()
    for ns, name in (("b", "y"), ("a", "z"), ("b", "x"), ("a", "a")):
        s.create(_cm(name, ns))
    assert s.keys("ConfigMap") == (("a", "a"), ("a", "z"), ("b", "x"), ("b", "y"))
    assert s.keys("ConfigMap", "b") == (("b", "x"), ("b", "y"))
    assert s.keys("ConfigMap", "b") is s.keys("ConfigMap", "b")  # cached while nothing comes or goes
    s.mutate("ConfigMap", "b", "x", lambda o: o["data"].__setitem__("k", "v"))
    assert s.keys("ConfigMap", "b") == (("b", "x"), ("b", "y"))
    s.delete("ConfigMap", "b", "x")
    s.create(_cm("c", "b"))
    assert s.keys("ConfigMap", "b") == (("b", "c"), ("b", "y"))
    assert _names(s.list("ConfigMap", "a")) == ["a", "z"]
    assert s.keys("ConfigMap", "nowhere") == () and s.keys("Secret") == ()


def test_sorted_keys_stay_right_through_many_comings_and_goings_between_asks():
    from k9py.sim.store_index import EDITS_BEFORE_SORT

    s = _store()
    rng = random.Random(3)
    live: set[tuple[str, str]] = set()
    for step in range(3000):
        ns, name = rng.choice("abc"), f"cm-{rng.randrange(400):03d}"
        if (ns, name) in live:
            s.delete("ConfigMap", ns, name)
            live.discard((ns, name))
        else:
            s.create(_cm(name, ns))
            live.add((ns, name))
        # asked often, now and then, or after more edits than are kept up by insertion
        if step % 7 == 0 or (step % 400 < 3) or step % (EDITS_BEFORE_SORT + 50) == 0:
            assert s.keys("ConfigMap") == tuple(sorted(live))
            assert s.keys("ConfigMap", ns) == tuple(sorted(k for k in live if k[0] == ns))
    assert [o["metadata"]["name"] for o in s.list("ConfigMap", "b")] == sorted(n for k, n in live if k == "b")


def test_objects_by_label_follow_creates_label_changes_and_deletes():
    """``labelled`` answers what a scan by label would, from its first look-up on: before and
    after it, objects come and go and their labels change (through every write path)."""
    s = _store()
    rng = random.Random(5)
    values = ("web", "db", "cache")

    def scan(value: str, ns: str | None) -> list[tuple[str, str]]:
        return [k for k in s.keys("ConfigMap", ns)
                if (s.get("ConfigMap", *k)["metadata"].get("labels") or {}).get("app") == value]

    def write(step: int) -> None:
        ns, name = rng.choice("ab"), f"cm-{rng.randrange(60):02d}"
        cur = s.get("ConfigMap", ns, name)
        labels = {"app": rng.choice(values), "n": str(step % 3)} if rng.random() < 0.9 else {"app": 7}
        if cur is None:
            obj = _cm(name, ns)
            obj["metadata"]["labels"] = labels
            s.create(obj)
        elif rng.random() < 0.3:
            s.delete("ConfigMap", ns, name)
        elif rng.random() < 0.5:
            s.update({**cur, "metadata": {**cur["metadata"], "labels": labels}})
        else:
            s.mutate("ConfigMap", ns, name, lambda o: o["metadata"].__setitem__("labels", labels))

    for step in range(200):  # before the first look-up: the index is built from what is stored
        write(step)
    for step in range(2000):
        write(step)
        if step % 50 == 0:
            for value in values:
                for ns in (None, "a", "b"):
                    assert s.labelled("ConfigMap", "app", value, ns) == scan(value, ns)
    assert s.labelled("ConfigMap", "app", "7") == []  # a value that is no string matches no selector
    assert s.labelled("ConfigMap", "nope", "web") == [] and s.labelled("Secret", "app", "web") == []


def test_owner_indexes_follow_owner_reference_changes():
    s = _store()
    owner = s.create(_cm("owner"))
    other = s.create(_cm("other"))
    s.create(_cm("b-child", owners=[owner]))
    s.create(_cm("a-child", owners=[owner]))
    s.create(_cm("weak", owners=[owner], controller=False))
    s.create(_cm("elsewhere", "kube-system", owners=[owner]))
    uid = owner["metadata"]["uid"]
    assert _names(s.controlled_by("ConfigMap", uid)) == ["a-child", "b-child", "elsewhere"]
    assert _names(s.controlled_by("ConfigMap", uid, "default")) == ["a-child", "b-child"]
    assert _names(s.owned_by(uid)) == ["a-child", "b-child", "weak", "elsewhere"]
    # no controller: the owners themselves and "weak"
    assert _names(s.controlled_by("ConfigMap", "", "default")) == ["other", "owner", "weak"]
    # a child moves to another owner; another one is deleted
    s.mutate("ConfigMap", "default", "a-child",
             lambda o: o["metadata"].__setitem__("ownerReferences", [owner_reference(other)]))
    s.delete("ConfigMap", "kube-system", "elsewhere")
    assert _names(s.controlled_by("ConfigMap", uid)) == ["b-child"]
    assert _names(s.controlled_by("ConfigMap", other["metadata"]["uid"])) == ["a-child"]
    assert s.owned_keys(uid) == {("ConfigMap", "default", "b-child"), ("ConfigMap", "default", "weak")}
    assert s.with_uid(uid) == [s.get("ConfigMap", "default", "owner")]
    s.delete("ConfigMap", "default", "owner")
    assert s.with_uid(uid) == []


def test_controlled_objects_stay_sorted_as_they_come_and_go():
    """``controlled_by`` keeps its sorted keys between calls: each come or go sorts them again."""
    s = _store()
    owner = s.create(_cm("owner"))
    uid = owner["metadata"]["uid"]
    assert s.controlled_by("ConfigMap", uid) == []
    for name in ("m", "c", "x"):
        s.create(_cm(name, owners=[owner]))
        assert s.controlled_by("ConfigMap", uid) == s.controlled_by("ConfigMap", uid)
    assert _names(s.controlled_by("ConfigMap", uid)) == ["c", "m", "x"]
    s.create(_cm("a", owners=[owner]))
    s.mutate("ConfigMap", "default", "m", lambda o: o["metadata"].pop("ownerReferences"))
    s.mutate("ConfigMap", "default", "x", lambda o: o["data"].update(k="v"))  # still its: no change of members
    assert _names(s.controlled_by("ConfigMap", uid)) == ["a", "c", "x"]
    assert s.controlled_by("ConfigMap", uid)[-1]["data"] == {"k": "v"}  # the objects as they are now
    for name in ("a", "c", "x"):
        s.delete("ConfigMap", "default", name)
    assert s.controlled_by("ConfigMap", uid) == []


def test_events_are_indexed_only_by_their_owners():
    """Events (five a pod) are not indexed by their own uid nor as "controlled by nobody"; one
    with an ownerReference is still found by its owner, until it or the reference goes."""
    s = _store()
    owner = s.create(_cm("owner"))
    plain = s.create({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1", "namespace": "default"}})
    owned = s.create({"apiVersion": "v1", "kind": "Event",
                      "metadata": {"name": "e2", "namespace": "default",
                                   "ownerReferences": [owner_reference(owner, controller=False)]}})
    assert s.with_uid(plain["metadata"]["uid"]) == [] and s.controlled_by("Event", "") == [owned]
    assert _names(s.owned_by(owner["metadata"]["uid"])) == ["e2"]
    s.update({**owned, "metadata": {**owned["metadata"], "ownerReferences": []}})
    assert s.owned_by(owner["metadata"]["uid"]) == [] and s.controlled_by("Event", "") == []
    s.delete("Event", "default", "e1")
    s.delete("Event", "default", "e2")
    assert s.count("Event") == 0 and s.with_uid(owner["metadata"]["uid"]) == [owner]


def test_changes_since_replays_what_happened_or_says_it_cannot():
    s = _store()
    rv = s.resource_version
    s.create(_cm("a"))
    s.mutate("ConfigMap", "default", "a", lambda o: o["data"].__setitem__("k", "v"))
    s.delete("ConfigMap", "default", "a")
    assert [(c.type, c.obj["metadata"]["name"]) for c in s.changes_since(rv) or []] == [
        ("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]
    assert s.changes_since(s.resource_version) == []
    s.clock.set(s.clock.now() + HISTORY_WINDOW + 1)  # later changes compact the old ones away
    for i in range(HISTORY_MIN + 1):
        s.create(_cm(f"n{i}"))
    assert s.changes_since(rv) is None


def _count_syncs(monkeypatch: Any, cls: type, method: str) -> list[str]:
    seen: list[str] = []
    original = getattr(cls, method)

    def spy(self: Any, cluster: Any, obj: Obj, *args: Any) -> Any:
        seen.append(obj["metadata"]["name"])
        return original(self, cluster, obj, *args)
    monkeypatch.setattr(cls, method, spy)
    return seen


@pytest.mark.source_build
def test_a_settled_deployment_is_not_synced_for_another_deployments_replicasets(monkeypatch):
    c = make_cluster(nodes=1)
    c.create(nginx("web", replicas=1))
    api = nginx("api", replicas=1)
    api["spec"]["selector"]["matchLabels"] = api["spec"]["template"]["metadata"]["labels"] = {"app": "api"}
    c.create(api)
    c.advance(30)
    assert c.store.get("Deployment", "default", "web")["status"].get("availableReplicas") == 1
    synced = _count_syncs(monkeypatch, DeploymentController, "_sync")
    c.replace({**c.get("Deployment", "default", "api"),
               "spec": {**c.get("Deployment", "default", "api")["spec"], "replicas": 2}})
    c.advance(30)
    assert "api" in synced and "web" not in synced
    assert c.store.get("Deployment", "default", "api")["status"].get("availableReplicas") == 2
    # a change to web's own ReplicaSet wakes web (and the controller puts it back)
    del synced[:]
    rs = c.store.controlled_by("ReplicaSet", c.get("Deployment", "default", "web")["metadata"]["uid"])[0]
    c.store.mutate("ReplicaSet", "default", rs["metadata"]["name"], lambda o: o["spec"].__setitem__("replicas", 3))
    c.advance(30)
    assert "web" in synced and "api" not in synced
    assert c.store.get("ReplicaSet", "default", rs["metadata"]["name"])["spec"]["replicas"] == 1


@pytest.mark.source_build
def test_the_garbage_collector_looks_only_at_what_changed(monkeypatch):
    c = make_cluster(nodes=1)
    owners = [c.create(_cm(f"owner-{i}")) for i in range(20)]
    for i, o in enumerate(owners):
        c.create(_cm(f"child-{i}", owners=(o,)))
    c.settle()
    checked = _count_syncs(monkeypatch, GarbageCollector, "_check_owners")
    c.create(_cm("unrelated"))
    c.settle()
    assert checked == []  # no ownerReferences concerned: nothing looked at
    c.delete("ConfigMap", "default", "owner-3")
    c.settle()
    assert checked == ["child-3"]
    assert c.store.get("ConfigMap", "default", "child-3") is None
    assert all(c.store.get("ConfigMap", "default", f"child-{i}") is not None for i in range(20) if i != 3)


def test_events_expire_an_hour_after_their_last_occurrence():
    c = Cluster(seed=1, controllers=[])
    cm = c.create(_cm("subject"))
    t0 = c.now()
    c.record_event(cm, "Normal", "Old", "first", "test")
    c.record_event(cm, "Normal", "Bumped", "again", "test")
    c.clock.set(t0 + 1000)
    c.record_event(cm, "Normal", "Bumped", "again", "test")  # count 2: it lives on from here

    def reasons() -> list[str]:
        return sorted(e["reason"] for e in c.store.list("Event", "default") if e["involvedObject"]["name"] == "subject")
    c.clock.set(t0 + 3700)
    c.record_event(cm, "Normal", "Later", "b", "test")
    assert reasons() == ["Bumped", "Later"]
    c.clock.set(t0 + 4700)
    c.record_event(cm, "Normal", "Latest", "c", "test")
    assert reasons() == ["Later", "Latest"]


def test_events_of_an_idle_cluster_expire_as_its_clock_moves():
    """No new event needed: an hour after their last occurrence they go (etcd's TTL)."""
    c = Cluster(seed=1, controllers=[])
    cm = c.create(_cm("subject"))
    c.record_event(cm, "Normal", "Once", "only this", "test")
    c.advance(3000)
    assert [e["reason"] for e in c.store.list("Event", "default")] == ["Once"]
    c.advance(700)
    assert c.store.list("Event", "default") == []


def test_expired_events_leave_no_dedupe_key_behind():
    """A cluster that runs for days records millions of events: what expired is forgotten."""
    c = Cluster(seed=1, controllers=[])
    cm = c.create(_cm("subject"))
    t0 = c.now()
    for i in range(50):  # (reasons apart: ten messages of one reason would be combined into one Event)
        c.record_event(cm, "Normal", f"Tick{i}", f"message {i}", "test")
    assert len(c.events._by_key) == 50
    c.clock.set(t0 + 3700)
    c.record_event(cm, "Normal", "Tock", "the one left", "test")
    assert c.store.count("Event") == 1 and len(c.events._by_key) == 1
    c.record_event(cm, "Normal", "Tock", "the one left", "test")
    assert [e["count"] for e in c.store.list("Event")] == [2]  # still deduplicated
