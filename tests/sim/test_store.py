import copy
import random

import pytest

from k9py.kube.status import ApiError
from k9py.sim.clock import VirtualClock
from k9py.sim.store import ObjectStore


def _store():
    return ObjectStore(VirtualClock(), random.Random(7))


def _cm(name, ns="default", labels=None, data=None):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {}}, "data": data or {}}


def _dep(name, replicas=1):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas}}


def test_create_assigns_identity_and_versions():
    s = _store()
    a = s.create(_cm("a"))
    b = s.create(_cm("b"))
    assert a["metadata"]["uid"] != b["metadata"]["uid"]
    assert int(b["metadata"]["resourceVersion"]) > int(a["metadata"]["resourceVersion"])
    assert a["metadata"]["creationTimestamp"] == "2026-11-01T09:00:00Z"
    with pytest.raises(ApiError) as e:
        s.create(_cm("a"))
    assert e.value.code == 409 and e.value.reason == "AlreadyExists"


def test_same_seed_same_uids():
    assert _store().create(_cm("a"))["metadata"]["uid"] == _store().create(_cm("a"))["metadata"]["uid"]


def test_generate_name():
    obj = _cm("")
    obj["metadata"]["generateName"] = "web-"
    created = _store().create(obj)
    assert created["metadata"]["name"].startswith("web-") and len(created["metadata"]["name"]) == 9


def test_generation_bumps_only_on_spec_change_and_noop_writes_are_free():
    s = _store()
    d = s.create(_dep("web"))
    rv = s.resource_version
    same = s.mutate("Deployment", "default", "web", lambda o: None)
    assert same is d and s.resource_version == rv
    st = s.mutate("Deployment", "default", "web", lambda o: o.setdefault("status", {}).update(replicas=1))
    assert st["metadata"]["generation"] == 1
    sp = s.mutate("Deployment", "default", "web", lambda o: o["spec"].update(replicas=3))
    assert sp["metadata"]["generation"] == 2


def test_a_write_is_a_change_when_it_drops_a_field_or_a_metadata_key_and_none_when_it_copies():
    s = _store()
    cm = s.create(_cm("a", labels={"app": "x"}, data={"k": "v"}))
    rv = s.resource_version
    assert s.update(copy.deepcopy(cm)) is cm and s.resource_version == rv  # equal copies: nothing new
    no_labels = s.mutate("ConfigMap", "default", "a", lambda o: o["metadata"].pop("labels"))
    assert no_labels is not cm and "labels" not in no_labels["metadata"] and s.resource_version == rv + 1
    no_data = s.mutate("ConfigMap", "default", "a", lambda o: o.pop("data"))
    assert "data" not in no_data and s.resource_version == rv + 2
    assert s.get("ConfigMap", "default", "a") is no_data
    with_data = s.mutate("ConfigMap", "default", "a", lambda o: o.update(data={"k": "v"}))
    assert with_data["data"] is not cm["data"]  # equal to an earlier version's only: its own
    assert with_data["data"] == {"k": "v"} and s.resource_version == rv + 3


def test_a_status_write_shares_the_rest_compares_only_the_status_and_writes_nothing_when_equal():
    s = _store()
    d = s.create(_dep("web"))
    heard = []
    s.watch("Deployment", lambda type_, obj: heard.append((type_, obj["status"]["replicas"])))
    ready = {"type": "Available", "status": "True"}
    d1 = s.write_status("Deployment", "default", "web", {"replicas": 1, "conditions": [dict(ready)]})
    assert d1["status"]["replicas"] == 1 and d1["spec"] is d["spec"] and d1["metadata"]["generation"] == 1
    assert d1["metadata"] is not d["metadata"] and d["metadata"]["resourceVersion"] != d1["metadata"]["resourceVersion"]
    assert s.get("Deployment", "default", "web") is d1 and "status" not in d  # the old version as it was
    rv = s.resource_version
    assert s.write_status("Deployment", "default", "web", {"replicas": 1, "conditions": [dict(ready)]}) is d1
    assert s.resource_version == rv
    d2 = s.write_status("Deployment", "default", "web", {"replicas": 2, "conditions": [dict(ready)]})
    assert d2["status"]["conditions"] is d1["status"]["conditions"]  # equal parts are the old version's
    progressing = {"type": "Progressing", "status": "True"}
    d3 = s.write_status("Deployment", "default", "web", {"replicas": 2, "conditions": [dict(ready), progressing]})
    d4 = s.write_status("Deployment", "default", "web",
                        {"replicas": 2, "conditions": [dict(ready), {**progressing, "status": "False"}]})
    assert d4["status"]["conditions"][0] is d3["status"]["conditions"][0]  # inside a changed list too
    assert heard == [("MODIFIED", 1), ("MODIFIED", 2), ("MODIFIED", 2), ("MODIFIED", 2)]
    assert s.write_status("Deployment", "default", "gone", {"replicas": 1}) is None


def test_stale_resource_version_conflicts():
    s = _store()
    d = s.create(_dep("web"))
    s.mutate("Deployment", "default", "web", lambda o: o["spec"].update(replicas=2))
    stale = dict(d, spec={"replicas": 5})
    with pytest.raises(ApiError) as e:
        s.update(stale, check_rv=True)
    assert e.value.code == 409 and e.value.reason == "Conflict"


def test_watch_by_namespace_and_selector_including_transitions():
    s = _store()
    seen = []
    s.watch("ConfigMap", lambda t, o: seen.append((t, o["metadata"]["name"])), namespace="default",
            match=lambda o: o["metadata"].get("labels", {}).get("app") == "x")
    s.create(_cm("a", labels={"app": "x"}))
    s.create(_cm("b", labels={"app": "y"}))
    s.create(_cm("c", ns="other", labels={"app": "x"}))
    s.mutate("ConfigMap", "default", "b", lambda o: o["metadata"]["labels"].update(app="x"))
    s.mutate("ConfigMap", "default", "a", lambda o: o["metadata"]["labels"].update(app="z"))
    s.delete("ConfigMap", "default", "b")
    assert seen == [("ADDED", "a"), ("ADDED", "b"), ("DELETED", "a"), ("DELETED", "b")]


def test_watch_resumes_from_resource_version_and_410_when_too_old(monkeypatch):
    s = _store()
    s.create(_cm("a"))
    rv = s.resource_version
    s.create(_cm("b"))
    s.delete("ConfigMap", "default", "a")
    seen = []
    s.watch("ConfigMap", lambda t, o: seen.append((t, o["metadata"]["name"])), since_rv=rv)
    assert seen == [("ADDED", "b"), ("DELETED", "a")]
    s._history.clear()
    s.create(_cm("c"))
    with pytest.raises(ApiError) as e:
        s.watch("ConfigMap", lambda t, o: None, since_rv=rv)
    assert e.value.code == 410


def test_stopped_watch_gets_nothing():
    s = _store()
    seen = []
    w = s.watch("ConfigMap", lambda t, o: seen.append(t))
    w.stop()
    s.create(_cm("a"))
    assert seen == []


def test_list_stays_in_namespace_name_order_as_objects_come_and_go():
    s = _store()
    for ns, name in (("b", "x"), ("a", "z"), ("a", "y")):
        s.create(_cm(name, ns=ns))
    names = lambda: [(o["metadata"]["namespace"], o["metadata"]["name"]) for o in s.list("ConfigMap")]  # noqa: E731
    assert names() == [("a", "y"), ("a", "z"), ("b", "x")]
    s.delete("ConfigMap", "a", "y")
    s.create(_cm("a", ns="b"))
    s.mutate("ConfigMap", "b", "x", lambda o: o["data"].update(k="v"))
    assert names() == [("a", "z"), ("b", "a"), ("b", "x")]
    assert [o["metadata"]["name"] for o in s.list("ConfigMap", "b")] == ["a", "x"]


def test_watch_history_keeps_five_virtual_minutes_beyond_its_minimum(monkeypatch):
    """As etcd compacts: a long run keeps the changes of the last HISTORY_WINDOW seconds (and at
    least HISTORY_MIN), so memory stays flat; a watch older than that relists after a 410."""
    from k9py.sim import store as store_module
    monkeypatch.setattr(store_module, "HISTORY_MIN", 3)
    s = _store()
    s.create(_cm("early"))
    early = s.resource_version
    for i in range(5):
        s.clock.advance(100)
        s.create(_cm(f"c{i}"))
    assert [c.obj["metadata"]["name"] for c in s._history] == ["c1", "c2", "c3", "c4"]  # 300 s back
    with pytest.raises(ApiError) as e:
        s.watch("ConfigMap", lambda t, o: None, since_rv=early)
    assert e.value.code == 410
    recent = []
    s.watch("ConfigMap", lambda t, o: recent.append(o["metadata"]["name"]), since_rv=s.resource_version - 2)
    assert recent == ["c3", "c4"]


def test_random_suffixes_are_drawn_as_random_choice_draws_them():
    """Names made from generateName stay what they were for a seed (scenarios, snapshots)."""
    from k9py.sim.store import _NAME_CHARS
    store, rng = ObjectStore(VirtualClock(), random.Random(11)), random.Random(11)
    for n in (5, 3, 10) * 200:
        assert store.random_suffix(n) == "".join(rng.choice(_NAME_CHARS) for _ in range(n))
    assert store.rng.getstate() == rng.getstate()


def test_changes_since_answers_from_the_history_by_version(monkeypatch):
    """The history holds the last versions without a gap (a watch's callback writing in the
    middle included): what changes_since answers, or None once it no longer reaches back."""
    from k9py.sim import store as store_module
    monkeypatch.setattr(store_module, "HISTORY", 12)
    s = _store()
    s.watch("Secret", lambda t, o: t == "ADDED" and s.create(_cm(f"echo-{o['metadata']['name']}")))
    start = s.resource_version
    versions = [start]
    for i in range(20):
        if i % 3 == 0:
            s.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": f"s{i}", "namespace": "default"}})
        else:
            s.create(_cm(f"c{i}"))
        versions.append(s.resource_version)
    for rv in [*versions, start - 5, s.resource_version + 1]:
        got = s.changes_since(rv)
        kept = [c for c in s._history if c.rv > rv]
        if rv > s.resource_version or (rv < s.resource_version and s._history[0].rv > rv + 1):
            assert got is None
        else:
            assert got == kept and [c.rv for c in got] == list(range(rv + 1, s.resource_version + 1))
