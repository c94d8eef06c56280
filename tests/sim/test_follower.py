"""Readers that follow the store's changes as they are made (``ObjectStore.listen``,
``sim/follower.py``) never lose one, however many a pass makes: they never look at everything
again, where ``changes_since`` gives up once the history no longer reaches back."""

import random

import pytest

from k9py.kube import meta
from k9py.sim import store as store_module
from k9py.sim.clock import VirtualClock
from k9py.sim.cluster import Cluster
from k9py.sim.controllers import gc
from k9py.sim.follower import Follower
from k9py.sim.store import ObjectStore
from tests.sim.helpers import make_cluster, pod_manifest


def _cm(name):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, "data": {}}


def _small_history(monkeypatch, size=20):
    monkeypatch.setattr(store_module, "HISTORY", size)
    monkeypatch.setattr(store_module, "HISTORY_MIN", size // 2)


class _Names(Follower):
    kinds = ("ConfigMap",)

    def __init__(self):
        super().__init__()
        self.heard = []
        self.full_looks = 0

    def refresh(self, store):
        if self.follow(store):
            self.full_looks += 1
            self.heard = [("LISTED", meta.name(o)) for o in store.list("ConfigMap")]

    def fold(self, change):
        self.heard.append((change.type, meta.name(change.obj)))


def test_listeners_hear_every_change_of_their_kinds_in_order_past_the_history(monkeypatch):
    _small_history(monkeypatch)
    s = ObjectStore(VirtualClock(), random.Random(1))
    heard, others = [], []
    s.listen(lambda ch: heard.append((ch.type, meta.name(ch.obj))), kinds=["ConfigMap"])
    s.listen(lambda ch: others.append(ch.obj["kind"]), skip=["ConfigMap"])
    start = s.resource_version
    for i in range(30):
        s.create(_cm(f"c{i}"))
        s.mutate("ConfigMap", "default", f"c{i}", lambda o: o["data"].update(k="v"))
    s.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"}})
    s.delete("ConfigMap", "default", "c0")
    assert s.changes_since(start) is None  # the history lost them
    expected = [(t, f"c{i}") for i in range(30) for t in ("ADDED", "MODIFIED")] + [("DELETED", "c0")]
    assert heard == expected
    assert others == ["Secret"]


def test_a_stopped_listener_hears_nothing_more():
    s = ObjectStore(VirtualClock(), random.Random(1))
    heard = []
    listener = s.listen(lambda ch: heard.append(meta.name(ch.obj)))
    s.create(_cm("a"))
    listener.stop()
    listener.stop()  # (twice: no error)
    s.create(_cm("b"))
    assert heard == ["a"]


def test_a_listener_may_leave_writes_of_a_status_alone_unheard():
    s = ObjectStore(VirtualClock(), random.Random(1))
    heard, all_heard = [], []
    s.listen(lambda ch: heard.append(ch.type), statuses=False)
    s.listen(lambda ch: all_heard.append(ch.type))
    s.create(_cm("a"))
    s.write_status("ConfigMap", "default", "a", {"note": "1"})  # the status alone
    s.mutate("ConfigMap", "default", "a", lambda o: o["data"].update(k="v"))
    s.delete("ConfigMap", "default", "a")
    assert heard == ["ADDED", "MODIFIED", "DELETED"]
    assert all_heard == ["ADDED", "MODIFIED", "MODIFIED", "DELETED"]


def test_a_follower_looks_at_everything_once_then_only_hears_changes(monkeypatch):
    _small_history(monkeypatch)
    s = ObjectStore(VirtualClock(), random.Random(1))
    s.create(_cm("before"))
    names = _Names()
    names.refresh(s)
    for i in range(50):  # one "pass" of more changes than the history keeps
        s.create(_cm(f"c{i}"))
    names.refresh(s)
    assert names.full_looks == 1
    assert names.heard == [("LISTED", "before")] + [("ADDED", f"c{i}") for i in range(50)]
    other = ObjectStore(VirtualClock(), random.Random(1))
    names.refresh(other)  # a new store: a new full look, the old store no longer heard
    s.create(_cm("late"))
    assert names.full_looks == 2 and names.heard == []


def test_a_stopped_follower_hears_nothing_and_looks_at_everything_when_it_follows_again():
    s = ObjectStore(VirtualClock(), random.Random(1))
    names = _Names()
    names.refresh(s)
    names.stop()
    names.stop()  # (twice: no error)
    s.create(_cm("unheard"))
    assert names.heard == []
    names.refresh(s)
    assert names.full_looks == 2 and names.heard == [("LISTED", "unheard")]


def test_pods_are_followed_for_claims_daemonsets_and_statefulsets_only_while_there_are_some():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("p"))
    c.advance(5)
    listening = {type(getattr(x.callback, "__self__", None)).__name__ for x in c.store._listeners}
    assert not listening & {"_ClaimUsers", "PodsChanged"}
    c.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "default"},
              "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})
    c.advance(1)
    listening = {type(getattr(x.callback, "__self__", None)).__name__ for x in c.store._listeners}
    assert "_ClaimUsers" in listening and "PodsChanged" not in listening


@pytest.mark.source_build
def test_controllers_never_look_at_everything_again_when_a_pass_outgrows_the_history(monkeypatch):
    _small_history(monkeypatch, 40)
    full_looks: dict[str, int] = {}
    follow = Follower.follow

    def counting(self, store):
        started = follow(self, store)
        name = f"{type(self).__module__.rsplit('.', 1)[-1]}.{type(self).__name__}"
        full_looks[name] = full_looks.get(name, 0) + started
        return started
    monkeypatch.setattr(Follower, "follow", counting)
    everything = gc._everything
    gc_full = []
    monkeypatch.setattr(gc, "_everything", lambda store: gc_full.append(1) or everything(store))

    c = make_cluster(nodes=2)
    before = c.store.resource_version
    c.create({"apiVersion": "apps/v1", "kind": "ReplicaSet",
              "metadata": {"name": "web", "namespace": "default"},
              "spec": {"replicas": 30, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": pod_manifest("x")["spec"]}}})
    c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
              "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    c.advance(20)
    assert c.store.changes_since(before) is None  # more than the history keeps
    pods = c.store.list("Pod", "default")
    assert len(pods) == 30 and all(meta.dig(p, "status", "phase") == "Running" for p in pods)
    ready = [a["ip"] for s in c.store.must_get("Endpoints", "default", "web").get("subsets", []) for a in s["addresses"]]
    assert sorted(ready) == sorted(meta.dig(p, "status", "podIP") for p in pods)  # the endpoints heard every pod

    c.delete("ReplicaSet", "default", "web", propagation="Background")
    c.advance(60)
    assert c.store.list("Pod", "default") == []  # the collector still found every dependent
    assert gc_full == [1]
    # (no claim, DaemonSet or StatefulSet: the pods that mount claims and the pods of those
    # controllers are never followed)
    assert full_looks == {"gc._GcState": 1, "nodes._PodsByNode": 1, "nodes._NodesChanged": 1,
                          "events._EventTimes": 1, "endpoints_sync.EndpointsSync": 1,
                          "replicaset._SyncState": 1, "deployment._SyncState": 1, "daemonset._NodeChanges": 1}
    placed = c.state["nodes-pods-by-node"]
    assert placed.node_of == {} and placed.by_node == {}


def test_event_expiry_sees_every_event_however_many_are_written_between_sweeps(monkeypatch):
    _small_history(monkeypatch)
    c = Cluster(seed=1, controllers=[])
    cm = c.create(_cm("subject"))
    t0 = c.now()
    for i in range(60):  # more than the history keeps, within one sweep's minute
        c.record_event(cm, "Normal", "Tick", f"message {i}", "test")
    odd = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "odd", "namespace": "default"},
           "involvedObject": {"kind": "ConfigMap", "name": "subject"}, "lastTimestamp": "not a time"}
    c.store.create(odd)  # heard as it is written: it must not fail the write (never expires)
    c.clock.set(t0 + 3700)
    c.record_event(cm, "Normal", "Tock", "the one left", "test")
    assert sorted(meta.name(e) for e in c.store.list("Event") if e.get("reason") != "Tock") == ["odd"]
