"""A Service's endpoints over several EndpointSlices (at most 100 each, an endpoint staying in
the slice that holds it) and its Endpoints cut at 1,000 addresses, as kube-controller-manager
does: against the real controllers, and the slicing plan on its own."""

from k9py.sim.controllers import endpoints_slices as slices
from k9py.sim.controllers.endpoints import OVER_CAPACITY, EndpointsController, truncate
from tests.sim.helpers import make_cluster
from tests.sim.test_services import svc


def _deployment(name, replicas):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                                           "ports": [{"containerPort": 80}]}]}}}}


def _cluster(replicas):
    c = make_cluster(nodes=6, pods=2000, cpu="1000", memory="4000Gi")  # (253 pod addresses a node)
    c.create(svc("web", selector={"app": "web"}))
    c.create(_deployment("web", replicas))
    c.advance(60)
    return c


def _slices(c):
    return {s["metadata"]["name"]: s for s in c.store.list("EndpointSlice", "default")
            if s["metadata"]["labels"].get("kubernetes.io/service-name") == "web"}


def _held(s):
    return [e["targetRef"]["name"] for e in s.get("endpoints") or []]


def _scale(c, replicas):
    d = c.store.get("Deployment", "default", "web")
    c.replace({**d, "spec": {**d["spec"], "replicas": replicas}})
    c.advance(60)


def _full_pass_writes_nothing(c):
    rv = c.store.resource_version
    c.state.pop("endpoints-sync", None)
    EndpointsController().reconcile(c)
    assert c.store.resource_version == rv


def test_a_service_of_250_pods_has_slices_of_at_most_100_each_pod_in_one():
    c = _cluster(250)
    pods = {p["metadata"]["name"] for p in c.store.list("Pod", "default")}
    assert len(pods) == 250
    found = _slices(c)
    assert sorted(len(_held(s)) for s in found.values()) == [50, 100, 100]
    held = [name for s in found.values() for name in _held(s)]
    assert sorted(held) == sorted(pods)  # every pod once
    assert all(s["ports"] == [{"name": "", "port": 80, "protocol": "TCP"}] for s in found.values())
    ep = c.store.get("Endpoints", "default", "web")
    assert len(ep["subsets"][0]["addresses"]) == 250
    assert OVER_CAPACITY not in ep["metadata"]["annotations"]
    _full_pass_writes_nothing(c)


def test_a_replaced_pod_rewrites_only_the_slice_that_held_it():
    c = _cluster(250)
    before = _slices(c)
    (name, holder) = next((n, s) for n, s in before.items() if len(_held(s)) == 100)
    gone = _held(holder)[37]
    c.delete("Pod", "default", gone)
    c.advance(60)
    after = _slices(c)
    assert set(after) == set(before)  # no slice made or deleted
    changed = {n for n in after if after[n]["metadata"]["resourceVersion"] != before[n]["metadata"]["resourceVersion"]}
    assert changed == {name}
    pods = {p["metadata"]["name"] for p in c.store.list("Pod", "default")}
    new = pods - {n for s in before.values() for n in _held(s)}
    assert len(new) == 1 and gone not in pods
    # the replacement took the place the gone pod left, the slice in address order
    assert set(_held(after[name])) == (set(_held(holder)) - {gone}) | new
    ips = [tuple(int(x) for x in e["addresses"][0].split(".")) for e in after[name]["endpoints"]]
    assert ips == sorted(ips)
    _full_pass_writes_nothing(c)


def test_slices_emptied_go_and_a_service_without_pods_keeps_one_placeholder_reused_later():
    c = _cluster(250)
    _scale(c, 60)
    found = _slices(c)
    assert sum(len(_held(s)) for s in found.values()) == 60
    assert all(_held(s) for s in found.values())  # no slice left empty
    _scale(c, 0)
    (placeholder,) = _slices(c).values()
    assert "endpoints" not in placeholder and "ports" not in placeholder
    _scale(c, 120)
    found = _slices(c)
    sizes = sorted(len(_held(s)) for s in found.values())  # (how they split: as the pods got ready, in batches)
    assert len(sizes) == 2 and sum(sizes) == 120 and max(sizes) <= 100
    assert placeholder["metadata"]["name"] in found  # rewritten, not deleted and made anew
    _full_pass_writes_nothing(c)


def test_endpoints_hold_1000_addresses_at_most_and_say_so():
    c = _cluster(1010)
    ep = c.store.get("Endpoints", "default", "web")
    assert len(ep["subsets"][0]["addresses"]) == 1000
    assert ep["metadata"]["annotations"][OVER_CAPACITY] == "truncated"
    assert sum(len(_held(s)) for s in _slices(c).values()) == 1010  # the slices hold them all
    assert max(len(_held(s)) for s in _slices(c).values()) == 100
    _full_pass_writes_nothing(c)
    _scale(c, 990)
    ep = c.store.get("Endpoints", "default", "web")
    assert len(ep["subsets"][0]["addresses"]) == 990
    assert OVER_CAPACITY not in ep["metadata"]["annotations"]


def _addresses(n, tag):
    return [{"ip": f"10.{tag}.{i // 250}.{i % 250}"} for i in range(n)]


def test_truncation_keeps_ready_addresses_first_and_cuts_in_proportion():
    subsets = [{"addresses": _addresses(900, 1), "notReadyAddresses": _addresses(300, 2), "ports": []}]
    assert truncate(subsets)
    assert len(subsets[0]["addresses"]) == 900 and len(subsets[0]["notReadyAddresses"]) == 100
    # too many ready: the not-ready go, the ready are cut by each subset's share (rounded up,
    # the last short)
    subsets = [{"addresses": _addresses(n, i), "notReadyAddresses": _addresses(5, 9), "ports": [{"port": i}]}
               for i, n in enumerate((700, 350, 150))]
    assert truncate(subsets)
    assert [len(s["addresses"]) for s in subsets] == [584, 292, 124]
    assert not any("notReadyAddresses" in s for s in subsets)
    assert subsets[0]["addresses"][:2] == _addresses(2, 0)  # the first ones kept
    # the last subsets come short; one cut to nothing goes (the apiserver refuses an empty one)
    subsets = [{"addresses": _addresses(n, i), "ports": [{"port": i}]} for i, n in enumerate((999, 1, 1))]
    assert truncate(subsets)
    assert [(s["ports"][0]["port"], len(s["addresses"])) for s in subsets] == [(0, 999), (1, 1)]
    small = [{"addresses": _addresses(999, 1), "notReadyAddresses": _addresses(1, 2)}]
    assert not truncate(small) and len(small[0]["addresses"]) == 999


def _ep(name):
    return {"addresses": [f"10.0.0.{name}"], "conditions": {"ready": True},
            "targetRef": {"kind": "Pod", "namespace": "default", "name": f"p{name}"}}


def _slice(name, eps, ports=((80,),)):
    return {"metadata": {"name": name}, "endpoints": eps,
            "ports": [{"name": "", "port": p[0], "protocol": "TCP"} for p in ports]}


KEY = (("", 80, "TCP"),)
PORTS = [{"name": "", "port": 80, "protocol": "TCP"}]


def _plan(existing, want, limit=4):
    return slices.plan(existing, {KEY: want}, {KEY: PORTS}, lambda s: False, limit=limit)


def test_new_endpoints_fill_the_fullest_rewritten_slice_then_the_closest_fit_then_new_slices():
    e = {i: _ep(i) for i in range(20)}
    a = _slice("a", [e[0], e[1], e[2]])      # loses e2: rewritten, room for 2
    b = _slice("b", [e[3]])                  # loses nothing
    c = _slice("c", [e[4], e[5]])            # loses nothing
    d = _slice("d", [e[6], e[7], e[8], e[9]])  # loses e9: rewritten, room for 1
    todo = _plan([a, b, c, d], [e[i] for i in (0, 1, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13)])
    # the fullest rewritten slice first (d takes e10), then a (e11, e12); the one left goes to
    # the unchanged slice it leaves closest to full (c, not b)
    assert [(s["metadata"]["name"], eps) for s, _, eps in todo.update] == [
        ("a", [e[0], e[1], e[11], e[12]]), ("d", [e[6], e[7], e[8], e[10]]), ("c", [e[4], e[5], e[13]])]
    assert todo.create == [] and todo.delete == []
    # more than a slice's worth left: a new slice takes them, the rest again by closest fit
    todo = _plan([b], [e[3]] + [e[i] for i in range(10, 16)])
    assert todo.create == [(PORTS, [e[10], e[11], e[12], e[13]])]
    assert [(s["metadata"]["name"], eps) for s, _, eps in todo.update] == [("b", [e[3], e[14], e[15]])]


def test_a_slice_to_delete_is_rewritten_instead_of_creating_one():
    e = {i: _ep(i) for i in range(10)}
    old = _slice("old", [e[0], e[1]])
    todo = _plan([old], [e[5], e[6]])
    assert todo.create == [] and todo.delete == []
    assert todo.update == [(old, PORTS, [e[5], e[6]])]
    # nothing wanted: the one slice left is the placeholder (no ports, no endpoints)
    todo = slices.plan([old], {}, {}, lambda s: False)
    assert todo.update == [(old, [], [])] and todo.delete == [] and todo.create == []
    placeholder = {"metadata": {"name": "p"}}
    assert slices.plan([placeholder], {}, {}, lambda s: False) == slices.Plan()
    assert slices.plan([], {}, {}, lambda s: False) == slices.Plan(create=[([], [])])



def test_a_new_version_of_an_endpoint_takes_its_place_and_one_held_twice_is_kept_once():
    e = {i: _ep(i) for i in range(6)}
    unready = {**e[1], "conditions": {"ready": False}}  # the same pod's endpoint, changed
    a = _slice("a", [e[0], e[1], e[2]])
    todo = _plan([a], [e[0], unready, e[2]])
    assert todo.update == [(a, PORTS, [e[0], unready, e[2]])] and not todo.create and not todo.delete
    assert _plan([a], [e[0], dict(e[1]), e[2]]) == slices.Plan()  # equal, another dict: nothing to write
    twice = _slice("t", [e[3], e[3], e[4]])
    todo = _plan([twice], [e[3], e[4]])
    assert todo.update == [(twice, PORTS, [e[3], e[4]])]


def test_emptied_slices_of_two_port_sets_are_reused_as_the_controller_pairs_them():
    p1, p2, p8, p9 = _ep(1), _ep(2), _ep(8), _ep(9)
    a = _slice("a", [p9])
    b = _slice("b", [p8], ports=((8080,),))
    k8080 = (("", 8080, "TCP"),)
    ports8080 = [{"name": "", "port": 8080, "protocol": "TCP"}]
    todo = slices.plan([a, b], {KEY: [p1], k8080: [p2]}, {KEY: PORTS, k8080: ports8080}, lambda s: False)
    # both emptied: deleted, and finalize turns the last create into an update of the first
    # slice to delete, and so on (whatever order the Go maps give, a ends up 8080's, b 80's)
    assert [(s["metadata"]["name"], ports, eps) for s, ports, eps in todo.update] == [
        ("a", ports8080, [p2]), ("b", PORTS, [p1])]
    assert not todo.create and not todo.delete


def _after(existing, todo):
    """What each slice holds once the plan is carried out (new ones as new0, new1, ...)."""
    out = {s["metadata"]["name"]: s["endpoints"] if isinstance(s["endpoints"], list)
           else [] if s["endpoints"] is None else [f"junk {s['endpoints']!r}"]
           for s in existing if s not in todo.delete}
    out.update({s["metadata"]["name"]: eps for s, _, eps in todo.update})
    out.update({f"new{i}": eps for i, (_, eps) in enumerate(todo.create)})
    return out


def test_slices_someone_else_wrote_oddly_are_mended_not_a_crash():
    e = {i: _ep(i) for i in range(4)}
    odd_endpoints = [[None], ["x"], [{"addresses": 5}], [{"addresses": ["10.0.0.1", None]}],
                     [{"addresses": [["a"]]}], [{"addresses": ["10.9.9.9"], "targetRef": "oops"}],
                     [{"addresses": ["10.9.9.9"], "hostname": ["x"]}], "x", 5, {"a": 1}, None]
    want = [e[0], e[1], e[2]]
    for held in odd_endpoints:
        odd = {"metadata": {"name": "odd"}, "endpoints": held, "ports": PORTS}
        for existing in ([odd], [_slice("good", [e[0], e[1]]), odd]):
            after = _after(existing, _plan(existing, want))
            assert sorted(id(x) for eps in after.values() for x in eps) == sorted(map(id, want)), (held, after)
    for ports in ([None], {"a": 1}, [{"port": [1]}]):
        odd = {"metadata": {"name": "odd"}, "endpoints": [e[3]], "ports": ports}
        todo = _plan([odd], [e[0]])
        assert [(s["metadata"]["name"], p, eps) for s, p, eps in todo.update] == [("odd", PORTS, [e[0]])]


def test_a_bad_slice_of_one_service_stops_no_other_services_endpoints():
    c = make_cluster(nodes=2, pods=300)
    for name in ("a", "z"):
        c.create(svc(name, selector={"app": name}))
        c.create(_deployment(name, 2))
    c.advance(30)
    labels = next(s for s in c.store.list("EndpointSlice", "default")
                  if s["metadata"]["labels"].get("kubernetes.io/service-name") == "a")["metadata"]["labels"]
    c.create({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
              "metadata": {"name": "odd", "namespace": "default", "labels": dict(labels)},
              "ports": [{"name": "", "port": 80, "protocol": "TCP"}],
              "endpoints": [{"addresses": ["10.9.9.9"], "targetRef": "oops"}]})
    for name in ("a", "z"):
        d = c.store.get("Deployment", "default", name)
        c.replace({**d, "spec": {**d["spec"], "replicas": 5}})
    c.advance(60)
    for name in ("a", "z"):
        (subset,) = c.store.get("Endpoints", "default", name)["subsets"]
        assert len(subset["addresses"]) == 5
        held = [ep for s in c.store.list("EndpointSlice", "default")
                if s["metadata"]["labels"].get("kubernetes.io/service-name") == name for ep in s.get("endpoints") or []]
        assert sorted(ep["targetRef"]["name"] for ep in held) == sorted(
            p["metadata"]["name"] for p in c.store.list("Pod", "default") if p["metadata"]["labels"]["app"] == name)
