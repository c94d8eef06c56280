"""The endpoints controllers look only at Services whose inputs changed (endpoints_sync.py): after
every kind of change, a pass from scratch (no memory of earlier passes) must find nothing left to
write, and the Endpoints must show the change."""

from k9py.kube import meta
from k9py.sim.controllers.endpoints import EndpointsController
from tests.sim.helpers import make_cluster, pod_manifest
from tests.sim.test_services import svc


def _ips(cluster, name):
    ep = cluster.store.get("Endpoints", "default", name) or {}
    return sorted(a["ip"] for s in ep.get("subsets") or [] for a in s.get("addresses") or [])


def _settled_like_a_full_pass(cluster):
    """A full pass (state forgotten) writes nothing: the incremental passes missed no change."""
    cluster.settle()
    rv = cluster.store.resource_version
    cluster.state.pop("endpoints-sync", None)
    EndpointsController().reconcile(cluster)
    assert cluster.store.resource_version == rv


def test_only_changed_inputs_are_looked_at_yet_every_change_lands():
    c = make_cluster(nodes=2)
    c.create(svc("web", selector={"app": "web"}))
    c.create(svc("db", selector={"app": "db", "tier": "data"}))
    for i in range(3):
        c.create(pod_manifest(f"web-{i}", labels={"app": "web"}))
    c.create(pod_manifest("db-0", labels={"app": "db", "tier": "data"}))
    c.advance(10)
    _settled_like_a_full_pass(c)
    assert len(_ips(c, "web")) == 3 and len(_ips(c, "db")) == 1

    # a relabelled pod leaves one Service and joins the other
    def relabel(p):
        p["metadata"]["labels"] = {"app": "db", "tier": "data"}
    c.store.mutate("Pod", "default", "web-0", relabel)
    _settled_like_a_full_pass(c)
    assert len(_ips(c, "web")) == 2 and len(_ips(c, "db")) == 2

    # a Service's selector changes
    def reselect(s):
        s["spec"]["selector"] = {"app": "web"}
    c.store.mutate("Service", "default", "db", reselect)
    _settled_like_a_full_pass(c)
    assert _ips(c, "db") == _ips(c, "web") and len(_ips(c, "db")) == 2

    # someone else deletes the Endpoints, or edits a slice: put back
    c.store.delete("Endpoints", "default", "web")
    _settled_like_a_full_pass(c)
    assert len(_ips(c, "web")) == 2
    sl = next(s for s in c.store.list("EndpointSlice", "default")
              if meta.labels(s).get("kubernetes.io/service-name") == "web")
    c.store.mutate("EndpointSlice", "default", meta.name(sl), lambda o: o.__setitem__("endpoints", []))
    _settled_like_a_full_pass(c)
    assert len(c.store.get("EndpointSlice", "default", meta.name(sl))["endpoints"]) == 2

    # a pod goes; a Service goes (its leftover Endpoints with it)
    c.delete("Pod", "default", "web-1", grace_period=0)
    _settled_like_a_full_pass(c)
    assert len(_ips(c, "web")) == 1
    c.delete("Service", "default", "db")
    _settled_like_a_full_pass(c)
    assert c.store.get("Endpoints", "default", "db") is None


def test_a_service_whose_pods_did_not_change_is_not_recomputed(monkeypatch):
    c = make_cluster(nodes=1)
    c.create(svc("a", selector={"app": "a"}))
    c.create(svc("b", selector={"app": "b"}))
    c.create(pod_manifest("a-0", labels={"app": "a"}))
    c.create(pod_manifest("b-0", labels={"app": "b"}))
    c.advance(10)
    looked_at = []
    real = EndpointsController._sync_endpoints

    def spy(self, cluster, service, members):
        looked_at.append(meta.name(service))
        return real(self, cluster, service, members)
    monkeypatch.setattr(EndpointsController, "_sync_endpoints", spy)
    c.store.mutate("Pod", "default", "b-0", lambda p: p["metadata"]["labels"].update(x="1"))
    c.settle()
    assert "b" in looked_at and "a" not in looked_at
    looked_at.clear()
    c.store.mutate("Pod", "default", "b-0", lambda p: p["metadata"].setdefault("annotations", {}).update(x="1"))
    c.settle()
    assert looked_at == []  # nothing an endpoint shows changed
