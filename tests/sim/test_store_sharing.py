"""Objects share equal values with their siblings and with their own earlier versions (memory at
10,000 pods), and a write to one never shows in another: stored objects are never changed in
place, every write copies what it changes."""

from __future__ import annotations

import copy
import json
import sys

from k9py.kube import meta
from tests.sim.helpers import make_cluster


def _deployment(replicas: int) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                                           "ports": [{"containerPort": 80}]}]}}}}


def test_replicas_share_what_is_equal_and_a_write_to_one_leaves_the_others_alone():
    c = make_cluster(nodes=1)
    c.create(_deployment(3))
    c.advance(30)
    pods = c.store.list("Pod", "default")
    assert len(pods) == 3 and all(p["status"]["phase"] == "Running" for p in pods)
    first, second, third = pods
    # shared: the defaulted tolerations, each container's resources and ports
    assert first["spec"]["tolerations"] is second["spec"]["tolerations"]
    assert first["spec"]["containers"][0]["ports"] is third["spec"]["containers"][0]["ports"]
    before = [copy.deepcopy(p) for p in (second, third)]

    def change(p: dict) -> None:
        p["spec"]["tolerations"][0]["tolerationSeconds"] = 1
        p["spec"]["containers"][0]["ports"][0]["containerPort"] = 8080
        p["metadata"]["labels"]["extra"] = "1"
    c.store.mutate("Pod", "default", meta.name(first), change)
    c.delete("Pod", "default", meta.name(first))
    c.advance(60)
    assert [c.store.get("Pod", "default", meta.name(p)) for p in before] == before


def test_an_earlier_version_stays_as_it_was_after_later_writes():
    c = make_cluster(nodes=1)
    seen: list[dict] = []
    c.store.watch("Pod", lambda _type, obj: seen.append(obj))
    c.create(_deployment(1))
    c.advance(30)
    assert len(seen) >= 3  # created, scheduled, started, ready...
    frozen = copy.deepcopy(seen)
    c.store.mutate("Pod", "default", meta.name(seen[-1]),
                   lambda p: p["metadata"].setdefault("annotations", {}).update(x="1"))
    c.advance(60)
    assert seen[:len(frozen)] == frozen


def test_a_deletion_shares_what_it_leaves_of_the_metadata_and_changes_no_earlier_version():
    """A graceful delete writes the deletion fields into a new metadata dict; the labels, owner
    references and annotations it leaves are the last version's own (the readers that compare
    them stop at identity), and no earlier version shows the deletion."""
    c = make_cluster(nodes=1)
    c.create(_deployment(1))
    c.advance(30)
    (pod,) = c.store.list("Pod", "default")
    frozen = copy.deepcopy(pod)
    c.delete("Pod", "default", meta.name(pod))
    deleting = c.store.get("Pod", "default", meta.name(pod))
    assert deleting["metadata"]["deletionTimestamp"] and deleting["metadata"] is not pod["metadata"]
    for field in ("labels", "ownerReferences"):
        assert deleting["metadata"][field] is pod["metadata"][field]
    assert pod == frozen


def test_events_about_one_version_of_an_object_share_its_reference_and_stay_apart():
    c = make_cluster(nodes=1)
    c.create(_deployment(1))
    c.advance(30)
    pod = c.store.list("Pod", "default")[0]
    evs = {e["reason"]: e for e in c.store.list("Event", "default")
           if e["involvedObject"]["uid"] == meta.uid(pod) and e["involvedObject"].get("fieldPath")}
    created, started = evs["Created"], evs["Started"]
    assert created["involvedObject"] is started["involvedObject"]  # one dict: the same container of the same version
    before = copy.deepcopy(started)
    c.record_event(pod, "Normal", "Created", created["message"], "kubelet", host="minikube",
                   field_path=created["involvedObject"]["fieldPath"])  # a repeat: counted on Created
    bumped = c.store.get("Event", "default", created["metadata"]["name"])
    assert bumped["count"] == 2 and c.store.get("Event", "default", started["metadata"]["name"]) == before
    other = c.record_event(pod, "Normal", "Killing", "Stopping container app", "kubelet", host="minikube")
    assert "fieldPath" not in other["involvedObject"]  # another field path: its own reference


def test_events_share_one_message_string_before_and_after_an_expiry_sweep():
    c = make_cluster(nodes=1)
    cms = [c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm{i}", "namespace": "default"}})
            for i in range(3)]
    text = "".join(["synced ", "ok"])  # built at run time: equal strings, different objects
    first = c.record_event(cms[0], "Normal", "Synced", text, "tester")
    c.advance(3000)
    second = c.record_event(cms[1], "Normal", "Synced", "".join(["synced ", "ok"]), "tester")
    assert second["message"] is first["message"]
    c.advance(1000)
    third = c.record_event(cms[2], "Normal", "Synced", "".join(["synced ", "ok"]), "tester")
    # the first one expired in that record's sweep, which rebuilt the message table from the keys left
    assert c.store.get("Event", "default", first["metadata"]["name"]) is None
    assert third["message"] is second["message"]
    fourth = c.record_event(cms[0], "Normal", "Synced", "".join(["synced ", "ok"]), "tester")
    assert fourth["message"] is second["message"]


def test_events_of_different_objects_share_one_field_path_string_before_and_after_an_expiry_sweep():
    c = make_cluster(nodes=1)
    cms = [c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm{i}", "namespace": "default"}})
           for i in range(3)]

    def path() -> str:
        return "".join(["spec.containers", "{app}"])  # built at run time, as the kubelet does
    first = c.record_event(cms[0], "Normal", "Started", "Started container app", "kubelet", field_path=path())
    c.advance(3000)
    second = c.record_event(cms[1], "Normal", "Started", "Started container app", "kubelet", field_path=path())
    assert second["involvedObject"]["fieldPath"] is first["involvedObject"]["fieldPath"]
    c.advance(1000)
    third = c.record_event(cms[2], "Normal", "Started", "Started container app", "kubelet", field_path=path())
    assert c.store.get("Event", "default", first["metadata"]["name"]) is None  # expired in that sweep
    assert third["involvedObject"]["fieldPath"] is second["involvedObject"]["fieldPath"]
    again = c.record_event(cms[2], "Normal", "Started", "Started container app", "kubelet", field_path=path())
    assert again["count"] == 2  # still one dedupe key


def test_events_are_plain_dicts_in_the_api_order_that_share_their_keys():
    c = make_cluster(nodes=1)
    cm = c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "default"}})
    ev = c.record_event(cm, "Normal", "Synced", "synced", "tester", field_path="data")
    assert type(ev) is dict and type(ev["metadata"]) is dict and type(ev["involvedObject"]) is dict
    assert list(ev) == ["apiVersion", "kind", "metadata", "involvedObject", "reason", "message", "source",
                        "firstTimestamp", "lastTimestamp", "count", "type", "eventTime", "reportingComponent",
                        "reportingInstance"]
    assert list(ev["metadata"]) == ["name", "namespace", "uid", "creationTimestamp", "resourceVersion"]
    assert list(ev["involvedObject"]) == ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion",
                                          "fieldPath"]
    assert c.store.get("Event", "default", ev["metadata"]["name"]) is ev
    # key-sharing (CPython): each holds its values only, so it is smaller than an equal dict display
    for d in (ev, ev["metadata"], ev["involvedObject"]):
        assert sys.getsizeof(d) < sys.getsizeof(json.loads(json.dumps(d)))
    node = c.record_event(c.store.list("Node")[0], "Normal", "Starting", "Starting kubelet.", "kubelet")
    assert list(node["involvedObject"]) == ["kind", "name", "uid", "apiVersion", "resourceVersion"]  # cluster-scoped


def test_a_field_written_whole_is_never_written_into():
    """``rewrite(..., whole=(field,))``: the new value is stored as given (the endpoints
    controllers' member dicts, which they never change and may hand over again), shared with the
    old version's only when equal as a whole; without it, the store makes a new list's items
    share the old items' equal values by writing into them."""
    s = make_cluster(nodes=1).store
    s.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"},
              "items": [{"ip": "10.0.0.1", "node": "n1"}, {"ip": "10.0.0.2", "node": "n1"}]})
    for n, whole in enumerate(((), ("items",))):
        given = [{"ip": f"10.0.{n}.3", "node": "".join(["n", "1"])}, {"ip": f"10.0.{n}.4", "node": "".join(["n", "1"])}]
        before = [dict(i) for i in given]
        node_values = [i["node"] for i in given]
        s.rewrite("ConfigMap", "default", "a", lambda o, g=given: o.__setitem__("items", list(g)), whole=whole)
        stored = s.get("ConfigMap", "default", "a")["items"]
        assert stored == before and given == before
        kept = [i["node"] is v for i, v in zip(given, node_values, strict=True)]
        assert all(kept) if whole else not any(kept), whole  # the store wrote the old "n1" into them
        assert stored[0] is given[0]  # the items themselves are stored either way
