"""The endpoints controllers look only at Services whose inputs changed (endpoints_sync.py): after
every kind of change, a pass from scratch (no memory of earlier passes) must find nothing left to
write, and the Endpoints must show the change."""

import pytest

from k9py.kube import meta
from k9py.sim.controllers.endpoints import TRIGGER_TIME, EndpointsController
from k9py.sim.controllers.endpoints_members import Member
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


def _spy_syncs(monkeypatch):
    """The names of the Services the endpoints controller syncs from now on, in order."""
    looked_at = []
    real = EndpointsController._sync_endpoints

    def spy(self, cluster, service, *rest):
        looked_at.append(meta.name(service))
        return real(self, cluster, service, *rest)
    monkeypatch.setattr(EndpointsController, "_sync_endpoints", spy)
    return looked_at


def test_a_service_whose_pods_did_not_change_is_not_recomputed(monkeypatch):
    c = make_cluster(nodes=1)
    c.create(svc("a", selector={"app": "a"}))
    c.create(svc("b", selector={"app": "b"}))
    c.create(pod_manifest("a-0", labels={"app": "a"}))
    c.create(pod_manifest("b-0", labels={"app": "b"}))
    c.advance(10)
    looked_at = _spy_syncs(monkeypatch)
    c.store.mutate("Pod", "default", "b-0", lambda p: p["metadata"]["labels"].update(x="1"))
    c.settle()
    assert "b" in looked_at and "a" not in looked_at
    looked_at.clear()
    c.store.mutate("Pod", "default", "b-0", lambda p: p["metadata"].setdefault("annotations", {}).update(x="1"))
    c.settle()
    assert looked_at == []  # nothing an endpoint shows changed



def test_a_phase_change_syncs_the_services_only_when_it_ends_the_pod(monkeypatch):
    """Endpoints read a pod's phase only as terminal or not (Succeeded or Failed: in none of them,
    whatever the restartPolicy, as ShouldPodBeInEndpoints has it): a pod going Pending -> Running,
    as every pod with a readiness probe does, syncs none."""
    c = make_cluster(nodes=1)
    c.create(svc("a", selector={"app": "a"}))
    c.create(svc("b", selector={"app": "b"}))
    c.create(pod_manifest("a-0", labels={"app": "a"}))
    c.create(pod_manifest("b-0", labels={"app": "b"}, activeDeadlineSeconds=30))
    c.advance(10)
    assert _ips(c, "b")
    looked_at = _spy_syncs(monkeypatch)
    c.store.mutate("Pod", "default", "a-0", lambda p: p["status"].__setitem__("phase", "Pending"))
    c.settle()  # its kubelet writes Running back
    assert looked_at == []
    c.advance(30)  # b-0 past its deadline: Failed (restartPolicy Always)
    assert c.store.get("Pod", "default", "b-0")["status"]["phase"] == "Failed"
    assert "b" in looked_at and "a" not in looked_at
    assert not c.store.get("Endpoints", "default", "b").get("subsets")  # not even as not ready
    _settled_like_a_full_pass(c)


def _addresses(cluster, name):
    ep = cluster.store.get("Endpoints", "default", name) or {}
    return {a["targetRef"]["name"]: a for s in ep.get("subsets") or [] for a in s.get("addresses") or []}


def _spy(init, built):
    def spy(self, svc, pod, *rest):
        built.append(meta.name(pod))
        return init(self, svc, pod, *rest)
    return spy


def test_members_are_rebuilt_for_a_new_pod_or_service_version_only(monkeypatch):
    """What a Service makes of a pod is kept per pod and Service version: an unchanged pod's
    member is not rebuilt (its address stays the very dict already stored), and a Service change
    (its targetPort) reaches every address."""
    c = make_cluster(nodes=1)
    c.create(svc("web", selector={"app": "web"}, ports=[{"port": 80, "targetPort": 8080}]))
    for i in range(2):
        c.create(pod_manifest(f"web-{i}", labels={"app": "web"}))
    c.advance(10)
    before = _addresses(c, "web")
    assert set(before) == {"web-0", "web-1"}

    c.create(pod_manifest("web-2", labels={"app": "web"}))
    c.advance(10)
    _settled_like_a_full_pass(c)
    after = _addresses(c, "web")
    assert set(after) == {"web-0", "web-1", "web-2"}
    assert after["web-0"] is before["web-0"] and after["web-1"] is before["web-1"]
    built = []
    monkeypatch.setattr(Member, "__init__", _spy(Member.__init__, built))
    c.store.mutate("Pod", "default", "web-2", lambda p: p["metadata"]["labels"].update(x="1"))
    c.settle()
    assert built == []  # a label its selector does not read: nothing the member shows changed
    c.store.mutate("Pod", "default", "web-2", lambda p: p["spec"].update(hostname="h2", subdomain="web"))
    c.settle()
    assert built == ["web-2"]  # only the changed pod's member
    assert _addresses(c, "web")["web-2"]["hostname"] == "h2"
    monkeypatch.undo()
    _settled_like_a_full_pass(c)

    def retarget(s):
        s["spec"]["ports"][0]["targetPort"] = 9090
    c.store.mutate("Service", "default", "web", retarget)
    _settled_like_a_full_pass(c)
    (subset,) = c.store.get("Endpoints", "default", "web")["subsets"]
    assert subset["ports"] == [{"port": 9090, "protocol": "TCP"}] and len(subset["addresses"]) == 3
    (sl,) = [s for s in c.store.list("EndpointSlice", "default")
             if meta.labels(s).get("kubernetes.io/service-name") == "web"]
    assert sl["ports"] == [{"name": "", "port": 9090, "protocol": "TCP"}]


def test_allocations_and_leftover_endpoints_are_still_found_when_no_service_changed():
    """IPs and ports are checked for release, and Endpoints without a Service looked for, only
    when something they depend on changed: an allocation nobody holds and an Endpoints someone
    else leaves behind still go at the next pass."""
    c = make_cluster(nodes=1)
    c.create(svc("web", selector={"app": "web"}))
    c.settle()
    ips = c.state["ipam"]["ips"]
    ips["10.100.0.7"] = "default/ghost"  # what a Service create that failed after admission leaves
    c.store.create({"kind": "Endpoints", "metadata": {
        "name": "ghost", "namespace": "default",
        "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": "2024-01-01T00:00:00Z"}}})
    c.settle()
    assert "10.100.0.7" not in ips
    assert c.store.get("Endpoints", "default", "ghost") is None
    assert c.store.get("Endpoints", "default", "web") is not None


def _holds_one_container_twice(obj, seen=None):
    seen = set() if seen is None else seen
    if isinstance(obj, (dict, list)):
        if id(obj) in seen:
            return True
        seen.add(id(obj))
        return any(_holds_one_container_twice(v, seen) for v in (obj.values() if isinstance(obj, dict) else obj))
    return False


def test_stored_slices_hold_members_dicts_and_never_write_into_them():
    """A slice's endpoints are the members' own dicts, written whole: the store shares nothing
    inside them (it would write into them), so they stay as built whatever order they come in,
    and no version holds one dict twice (a YAML recording would show it as an alias)."""
    c = make_cluster(nodes=1)
    store = c.store

    def endpoint(ip, name):
        return {"addresses": [ip], "conditions": {"ready": True, "serving": True, "terminating": False},
                "targetRef": {"kind": "Pod", "namespace": "default", "name": "".join(name)}}
    a, b = endpoint("10.0.0.1", ["a"]), endpoint("10.0.0.2", ["b"])
    a_parts, b_parts = dict(a), dict(b)
    a_ref, b_ref = dict(a["targetRef"]), dict(b["targetRef"])
    store.create({"kind": "EndpointSlice", "metadata": {"name": "s", "namespace": "default"}, "endpoints": [a]})
    controller = EndpointsController()

    def put(items):
        current = store.get("EndpointSlice", "default", "s")
        return controller._update_slice(c, current, {}, {"endpoints": items, "ports": []})
    stored = put([a, b])  # another length
    assert stored["endpoints"][0] is a and stored["endpoints"][1] is b
    stored = put([b, a])  # the same length, moved: held as they are too, nothing written into them
    assert stored["endpoints"][0] is b and stored["endpoints"][1] is a and not _holds_one_container_twice(stored)
    assert all(a[k] is a_parts[k] for k in a) and all(b[k] is b_parts[k] for k in b)
    assert all(a["targetRef"][k] is a_ref[k] for k in a_ref) and all(b["targetRef"][k] is b_ref[k] for k in b_ref)


def test_slices_are_found_by_their_service_label_as_it_changes():
    """A Service's slices come from an index kept from the change log: slices someone else
    deletes or relabels for another Service are seen as a full pass sees them."""
    c = make_cluster(nodes=1)
    for name in ("web", "api"):
        c.create(svc(name, selector={"app": name}))
        c.create(pod_manifest(f"{name}-0", labels={"app": name}))
    c.advance(10)

    def slices(name):
        return [s for s in c.store.list("EndpointSlice", "default")
                if meta.labels(s).get("kubernetes.io/service-name") == name]
    (web,) = slices("web")
    (api,) = slices("api")
    c.store.mutate("EndpointSlice", "default", meta.name(api),
                   lambda o: o["metadata"]["labels"].update({"kubernetes.io/service-name": "web"}))
    _settled_like_a_full_pass(c)
    c.store.delete("EndpointSlice", "default", meta.name(web))
    _settled_like_a_full_pass(c)
    for name in ("web", "api"):
        (sl,) = slices(name)
        assert [e["targetRef"]["name"] for e in sl["endpoints"]] == [f"{name}-0"]


def test_earlier_versions_keep_their_trigger_time():
    """The Endpoints and EndpointSlice versions a watch was handed are never changed afterwards:
    a later write sets a new annotations dict (rewrite copies metadata only one level deep)."""
    c = make_cluster(nodes=2)
    c.create(svc("web", selector={"app": "web"}))
    seen: list[tuple[dict, str]] = []
    for kind in ("Endpoints", "EndpointSlice"):
        c.store.watch(kind, lambda _t, o: seen.append((o, meta.annotations(o).get(TRIGGER_TIME, ""))))
    for i in range(3):
        c.create(pod_manifest(f"web-{i}", labels={"app": "web"}))
        c.advance(10)
    stamps = {stamp for _, stamp in seen}
    assert len(stamps) >= 3  # each pod's arrival wrote a new trigger time
    assert [meta.annotations(o).get(TRIGGER_TIME, "") for o, _ in seen] == [stamp for _, stamp in seen]


def test_members_whose_ports_resolve_alike_share_their_port_lists():
    """A Service's members hold one list of ports per way its ports resolve (named targetPorts
    may resolve differently per pod), and one conditions dict per combination."""
    c = make_cluster(nodes=1)
    c.create(svc("web", selector={"app": "web"}, ports=[{"port": 80, "targetPort": 8080}]))
    for i in range(3):
        c.create(pod_manifest(f"web-{i}", labels={"app": "web"}))
    c.advance(10)
    members = list(c.state["endpoints-sync"].members[("default", "web")].by_pod.values())
    assert len(members) == 3
    assert all(m.ports is members[0].ports and m.ep_ports is members[0].ep_ports for m in members)
    assert members[0].ep_ports == [{"port": 8080, "protocol": "TCP"}]
    conditions = [m.slice_endpoint["conditions"] for m in members]
    assert all(cond is conditions[0] for cond in conditions)
    assert conditions[0] == {"ready": True, "serving": True, "terminating": False}


@pytest.mark.source_build
def test_a_pass_that_lost_the_change_log_keeps_the_members_it_can_still_use(monkeypatch):
    """When the change log no longer reaches back (a pass of a big cluster made more changes
    than it keeps), every Service is looked at again, but the members of pods that did not
    change are not rebuilt; a Service gone meanwhile leaves nothing behind."""
    c = make_cluster(nodes=1)
    c.create(svc("web", selector={"app": "web"}))
    c.create(svc("old", selector={"app": "old"}))
    for i in range(2):
        c.create(pod_manifest(f"web-{i}", labels={"app": "web"}))
    c.create(pod_manifest("old-0", labels={"app": "old"}))
    c.advance(10)
    sync = c.state["endpoints-sync"]
    assert ("default", "old") in sync.members
    c.store.delete("Service", "default", "old")
    c.store.mutate("Pod", "default", "web-1", lambda p: p["spec"].update(hostname="h1", subdomain="web"))
    sync.seen = None  # as when changes_since can no longer answer
    built = []
    monkeypatch.setattr(Member, "__init__", _spy(Member.__init__, built))
    c.settle()
    assert built == ["web-1"]  # only the pod that changed
    assert ("default", "old") not in sync.members
    monkeypatch.undo()
    _settled_like_a_full_pass(c)
    assert len(_ips(c, "web")) == 2


def _endpoint_names(cluster, name):
    ep = cluster.store.get("Endpoints", "default", name) or {}
    return [(a["ip"], a["targetRef"]["name"]) for s in ep.get("subsets") or [] for a in s.get("addresses") or []]


def test_a_service_created_after_its_pods_hears_their_later_changes():
    """Which Services select a pod's labels is remembered per labels dict: a Service that comes
    after the pods (when they were already found to have none) still hears them change."""
    c = make_cluster(nodes=1)
    for i in range(2):
        c.create(pod_manifest(f"web-{i}", labels={"app": "web"}))
    c.advance(10)
    c.create(svc("web", selector={"app": "web"}))
    c.advance(1)
    assert [n for _, n in _endpoint_names(c, "web")] == ["web-0", "web-1"]

    def not_ready(p):  # a status write keeps the labels dict (rewrite copies metadata one level deep)
        p["status"]["conditions"] = [{"type": "Ready", "status": "False"}]
    before = c.store.get("Pod", "default", "web-0")
    after = c.store.rewrite("Pod", "default", "web-0", not_ready, fields=("status",))
    assert meta.labels(after) is meta.labels(before)
    EndpointsController().reconcile(c)
    assert [n for _, n in _endpoint_names(c, "web")] == ["web-1"]


def test_pods_of_a_namespace_are_indexed_from_its_first_service_on():
    """Pods of a namespace no Service selects in are nobody's endpoints: their changes are not
    indexed (most of a big cluster's pod writes); the first Service there finds them as stored,
    changes made before it included, and hears their later ones."""
    c = make_cluster(nodes=1)
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "quiet"}})
    for i in range(3):
        c.create(pod_manifest(f"web-{i}", namespace="quiet", labels={"app": "web"}))
    c.advance(10)
    c.store.mutate("Pod", "quiet", "web-2", lambda p: p["metadata"].__setitem__("labels", {"app": "other"}))
    c.advance(1)
    assert not [pair for pair in c.state["endpoints-sync"]._pods if pair[0] == "quiet"]

    c.create(svc("web", selector={"app": "web"}, ns="quiet"))
    c.advance(1)

    def names():
        ep = c.store.get("Endpoints", "quiet", "web") or {}
        return sorted(a["targetRef"]["name"] for s in ep.get("subsets") or [] for a in s.get("addresses") or [])
    assert names() == ["web-0", "web-1"]
    c.store.mutate("Pod", "quiet", "web-2", lambda p: p["metadata"].__setitem__("labels", {"app": "web"}))
    c.create(pod_manifest("web-3", namespace="quiet", labels={"app": "web"}))
    c.advance(10)
    _settled_like_a_full_pass(c)
    assert names() == ["web-0", "web-1", "web-2", "web-3"]


def test_members_stay_in_address_order_as_pods_come_go_and_change():
    """Members are sorted by address (then uid); a pod's next version reuses its member's sort
    key only while its address and uid are the same: a pod replaced under the same name takes
    its new address's place."""
    c = make_cluster(nodes=2)
    c.create(svc("web", selector={"app": "web"}))
    for i in range(4):
        c.create(pod_manifest(f"web-{i}", labels={"app": "web"}))
    c.advance(10)

    def check(names):
        got = _endpoint_names(c, "web")
        assert sorted(n for _, n in got) == sorted(names)
        assert [ip for ip, _ in got] == sorted((ip for ip, _ in got), key=lambda ip: tuple(map(int, ip.split("."))))
        _settled_like_a_full_pass(c)

    check(["web-0", "web-1", "web-2", "web-3"])
    for i in range(4, 8):
        c.create(pod_manifest(f"web-{i}", labels={"app": "web"}))
    c.advance(10)
    before = dict((n, ip) for ip, n in _endpoint_names(c, "web"))
    c.delete("Pod", "default", "web-0", grace_period=0)
    c.create(pod_manifest("web-0", labels={"app": "web"}))  # the same name, another uid and address
    c.advance(10)
    assert dict((n, ip) for ip, n in _endpoint_names(c, "web"))["web-0"] != before["web-0"]
    check([f"web-{i}" for i in range(8)])
    c.delete("Pod", "default", "web-2", grace_period=30)
    c.store.mutate("Pod", "default", "web-3", lambda p: p["metadata"]["labels"].update(app="other"))
    c.advance(1)
    check(["web-0", "web-1", "web-4", "web-5", "web-6", "web-7"])


def test_a_members_sort_key_is_reused_only_for_the_same_address_and_uid():
    from k9py.sim.controllers.endpoints import _service_members

    def pod(name, uid, ip):
        return {"kind": "Pod", "metadata": {"name": name, "namespace": "default", "uid": uid},
                "spec": {"containers": [{"name": "c"}]},
                "status": {"phase": "Running", "podIP": ip, "conditions": [{"type": "Ready", "status": "True"}]}}
    entry = _service_members(svc("web", selector={"app": "web"}))
    a, b = ("default", "a"), ("default", "b")
    order = [m.address["ip"] for m in entry.members([a, b], {a: pod("a", "u1", "10.0.0.5"), b: pod("b", "u2", "10.0.0.7")})]
    assert order == ["10.0.0.5", "10.0.0.7"]
    # a's next version: the same address and uid (a status change) keeps its key
    (first, _) = entry.members([a, b], {a: pod("a", "u1", "10.0.0.5"), b: pod("b", "u2", "10.0.0.7")})
    assert first.address["ip"] == "10.0.0.5"
    # a replaced under the same name before any pass saw it go: another uid and address
    order = [m.address["ip"] for m in entry.members([a, b], {a: pod("a", "u3", "10.0.0.9"), b: pod("b", "u2", "10.0.0.7")})]
    assert order == ["10.0.0.7", "10.0.0.9"]
    # and again under the same name at the same address: another pod all the same
    got = entry.members([a, b], {a: pod("a", "u4", "10.0.0.9"), b: pod("b", "u2", "10.0.0.7")})
    assert [m.address["targetRef"]["uid"] for m in got] == ["u2", "u4"]


def test_named_target_ports_resolve_per_pod():
    from k9py.sim.controllers.endpoints import _service_members

    def pod(name, container_port):
        return {"kind": "Pod", "metadata": {"name": name, "namespace": "default", "uid": name},
                "spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": container_port}]}]},
                "status": {"phase": "Running", "podIP": f"10.0.0.{container_port % 250}",
                           "conditions": [{"type": "Ready", "status": "True"}]}}
    entry = _service_members(svc("web", selector={"app": "web"}, ports=[{"port": 80, "targetPort": "http"}]))
    got = entry.members([("default", "a"), ("default", "b")], {("default", "a"): pod("a", 8080), ("default", "b"): pod("b", 9090)})
    assert sorted(m.port_key for m in got) == [(("", 8080, "TCP"),), (("", 9090, "TCP"),)]
