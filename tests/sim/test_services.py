"""Services: admission (defaults, ClusterIP / NodePort allocation, validation) and the
Endpoints / EndpointSlice controllers, against the real scheduler + kubelet."""

import ipaddress

import pytest

from k9py.kube.status import ApiError
from k9py.sim.cluster import Cluster
from tests.sim.helpers import make_cluster, pod_manifest


def svc(name, *, type_=None, ports=None, selector=None, ns="default", **spec):
    s = {"ports": ports if ports is not None else [{"port": 80}], **spec}
    if selector is not None:
        s["selector"] = selector
    if type_:
        s["type"] = type_
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns}, "spec": s}


def nginx_pod(name, **kw):
    p = pod_manifest(name, labels={"app": "nginx"}, **kw)
    p["spec"]["containers"][0]["ports"] = [{"name": "http", "containerPort": 80, "protocol": "TCP"}]
    return p


def test_cluster_ip_defaults_like_the_apiserver():
    c = Cluster(seed=1)
    s = c.create(svc("web", selector={"app": "web"}))
    spec = s["spec"]
    assert spec["type"] == "ClusterIP"
    ip = ipaddress.ip_address(spec["clusterIP"])
    assert ip in ipaddress.ip_network("10.96.0.0/12")
    assert spec["clusterIP"] not in ("10.96.0.1", "10.96.0.10")
    assert spec["clusterIPs"] == [spec["clusterIP"]]
    assert spec["ipFamilies"] == ["IPv4"] and spec["ipFamilyPolicy"] == "SingleStack"
    assert spec["sessionAffinity"] == "None"
    assert spec["internalTrafficPolicy"] == "Cluster"
    assert "externalTrafficPolicy" not in spec
    assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]
    assert s["status"] == {"loadBalancer": {}}


def test_cluster_ips_are_deterministic_per_seed_and_distinct():
    def ips(seed):
        c = Cluster(seed=seed)
        return [c.create(svc(f"s{i}"))["spec"]["clusterIP"] for i in range(5)]
    assert ips(3) == ips(3)
    assert len(set(ips(3))) == 5


def test_requested_cluster_ip_and_conflicts():
    c = Cluster(seed=1)
    dns = c.create(svc("kube-dns", ns="kube-system", clusterIP="10.96.0.10",
                       ports=[{"name": "dns", "port": 53, "protocol": "UDP"}]))
    assert dns["spec"]["clusterIP"] == "10.96.0.10"
    with pytest.raises(ApiError) as e:
        c.create(svc("other", clusterIP="10.96.0.10"))
    assert e.value.code == 422
    assert e.value.message == ('Service "other" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: '
                               'failed to allocate IP 10.96.0.10: provided IP is already allocated')
    with pytest.raises(ApiError) as e:
        c.create(svc("kubernetes2", clusterIP="10.96.0.1"))
    assert "provided IP is already allocated" in e.value.message
    with pytest.raises(ApiError) as e:
        c.create(svc("far", clusterIP="10.0.0.5"))
    assert "The range of valid IPs is 10.96.0.0/12" in e.value.message


def test_cluster_ip_released_when_service_deleted():
    c = Cluster(seed=1)
    c.create(svc("a", clusterIP="10.96.5.5"))
    c.delete("Service", "default", "a")
    c.settle()
    assert c.create(svc("b", clusterIP="10.96.5.5"))["spec"]["clusterIP"] == "10.96.5.5"


def test_nodeport_allocation_and_conflict():
    c = Cluster(seed=2)
    s = c.create(svc("np", type_="NodePort", selector={"app": "x"}))
    port = s["spec"]["ports"][0]
    assert 30000 <= port["nodePort"] <= 32767
    assert s["spec"]["externalTrafficPolicy"] == "Cluster"
    fixed = c.create(svc("fixed", type_="NodePort", ports=[{"port": 80, "nodePort": 31380}]))
    assert fixed["spec"]["ports"][0]["nodePort"] == 31380
    with pytest.raises(ApiError) as e:
        c.create(svc("clash", type_="NodePort", ports=[{"port": 80, "nodePort": 31380}]))
    assert e.value.code == 422 and e.value.reason == "Invalid"
    assert e.value.message == ('Service "clash" is invalid: spec.ports[0].nodePort: Invalid value: 31380: '
                               'provided port is already allocated')
    with pytest.raises(ApiError) as e:
        c.create(svc("low", type_="NodePort", ports=[{"port": 80, "nodePort": 80}]))
    assert "provided port is not in the valid range. The range of valid ports is 30000-32767" in e.value.message
    # released on delete
    c.delete("Service", "default", "fixed")
    c.settle()
    assert c.create(svc("again", type_="NodePort", ports=[{"port": 80, "nodePort": 31380}]))["spec"]["ports"][0]["nodePort"] == 31380


def test_reapplying_a_manifest_keeps_allocations():
    c = Cluster(seed=2)
    manifest = svc("np", type_="NodePort", selector={"app": "x"}, ports=[{"name": "http", "port": 80}])
    first = c.apply(manifest)
    second = c.apply(manifest)
    assert second["spec"]["clusterIP"] == first["spec"]["clusterIP"]
    assert second["spec"]["ports"][0]["nodePort"] == first["spec"]["ports"][0]["nodePort"]
    changed = svc("np", type_="NodePort", selector={"app": "x"}, ports=[{"name": "http", "port": 80}],
                  clusterIP="10.96.9.9")
    with pytest.raises(ApiError) as e:
        c.apply(changed)
    assert "may not change once set" in e.value.message


def test_loadbalancer_pending_and_headless_and_externalname():
    c = Cluster(seed=4)
    lb = c.create(svc("lb", type_="LoadBalancer"))
    assert lb["status"]["loadBalancer"] == {}
    assert 30000 <= lb["spec"]["ports"][0]["nodePort"] <= 32767
    assert lb["spec"]["allocateLoadBalancerNodePorts"] is True
    assert lb["spec"]["externalTrafficPolicy"] == "Cluster"
    headless = c.create(svc("db", clusterIP="None", selector={"app": "db"}))
    assert headless["spec"]["clusterIP"] == "None" and headless["spec"]["clusterIPs"] == ["None"]
    ext = c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext"},
                    "spec": {"type": "ExternalName", "externalName": "example.com"}})
    assert "clusterIP" not in ext["spec"] and "ipFamilies" not in ext["spec"]
    assert "internalTrafficPolicy" not in ext["spec"]
    c.settle()
    assert c.store.get("Endpoints", "default", "ext") is None


@pytest.mark.parametrize("spec, message", [
    ({"ports": [{"name": "a", "port": 80}, {"port": 443}]}, 'Service "bad" is invalid: spec.ports[1].name: Required value'),
    ({"ports": [{"name": "a", "port": 80}, {"name": "a", "port": 443}]},
     'Service "bad" is invalid: spec.ports[1].name: Duplicate value: "a"'),
    ({"type": "Fancy", "ports": [{"port": 80}]},
     'Service "bad" is invalid: spec.type: Unsupported value: "Fancy": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'),
    ({"ports": [{"port": 80, "protocol": "HTTP"}]},
     'Service "bad" is invalid: spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'),
    ({"ports": [{"port": 0, "targetPort": 80}]},
     'Service "bad" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive'),
    ({}, 'Service "bad" is invalid: spec.ports: Required value'),
    ({"type": "ExternalName"}, 'Service "bad" is invalid: spec.externalName: Required value'),
    ({"ports": [{"port": 80, "nodePort": 30001}]},
     "Service \"bad\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
])
def test_validation_errors(spec, message):
    c = Cluster(seed=0)
    with pytest.raises(ApiError) as e:
        c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "bad"}, "spec": spec})
    assert e.value.code == 422
    assert e.value.message == message


def test_kubernetes_service_is_bootstrapped():
    c = Cluster(seed=0)
    s = c.get("Service", "default", "kubernetes")
    assert s["spec"]["clusterIP"] == "10.96.0.1"
    assert s["spec"]["ports"] == [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443}]
    ep = c.get("Endpoints", "default", "kubernetes")
    assert ep["subsets"] == [{"addresses": [{"ip": "192.168.49.2"}],
                              "ports": [{"name": "https", "port": 8443, "protocol": "TCP"}]}]
    c.settle()
    assert c.get("Endpoints", "default", "kubernetes") == ep  # the endpoints controller leaves it alone


def test_a_deleted_kubernetes_service_is_back_within_ten_seconds():
    """`kubectl delete all --all` deletes default/kubernetes too; the apiserver puts it back at its
    next 10 s tick (same address, a new object: AGE 0s), as on a real cluster."""
    c = make_cluster(nodes=1)
    c.advance(3)
    old = c.get("Service", "default", "kubernetes")
    c.delete("Service", "default", "kubernetes")
    c.advance(6)
    assert c.store.get("Service", "default", "kubernetes") is None  # (until the tick at 10 s)
    c.advance(1)
    s = c.get("Service", "default", "kubernetes")
    assert s["spec"]["clusterIP"] == "10.96.0.1" and s["metadata"]["uid"] != old["metadata"]["uid"]
    assert s["metadata"]["creationTimestamp"] == "2026-11-01T09:00:10Z"
    assert s["spec"]["ports"] == [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443}]


def _endpoints(c, name="web"):
    return c.store.get("Endpoints", "default", name)


def _slices(c, name="web"):
    return [s for s in c.store.list("EndpointSlice", "default")
            if s["metadata"]["labels"].get("kubernetes.io/service-name") == name]


def test_endpoints_follow_pods_through_their_lifecycle():
    c = make_cluster(nodes=3)
    c.create(svc("web", selector={"app": "nginx"}, ports=[{"name": "http", "port": 8080, "targetPort": "http"}]))
    c.settle()
    # a Service with no pods: Endpoints without subsets and a placeholder slice
    ep = _endpoints(c)
    assert "subsets" not in ep
    assert "endpoints.kubernetes.io/last-change-trigger-time" in ep["metadata"]["annotations"]
    (placeholder,) = _slices(c)
    assert "endpoints" not in placeholder and "ports" not in placeholder

    for i in range(3):
        c.create(nginx_pod(f"web-{i}"))
    c.create(nginx_pod("slow", annotations={"k9py.sim/never-ready": "true"}))
    c.advance(30)
    pods = {p["metadata"]["name"]: p for p in c.store.list("Pod", "default")}
    assert all(p["status"].get("podIP") for p in pods.values())

    (subset,) = _endpoints(c)["subsets"]
    assert subset["ports"] == [{"name": "http", "port": 80, "protocol": "TCP"}]
    ready = {a["targetRef"]["name"]: a for a in subset["addresses"]}
    assert set(ready) == {"web-0", "web-1", "web-2"}
    a0 = ready["web-0"]
    assert a0["ip"] == pods["web-0"]["status"]["podIP"]
    assert a0["nodeName"] == pods["web-0"]["spec"]["nodeName"]
    assert a0["targetRef"] == {"kind": "Pod", "namespace": "default", "name": "web-0",
                               "uid": pods["web-0"]["metadata"]["uid"]}
    ips = [a["ip"] for a in subset["addresses"]]
    assert ips == sorted(ips, key=ipaddress.ip_address)
    assert [a["targetRef"]["name"] for a in subset["notReadyAddresses"]] == ["slow"]

    (sl,) = _slices(c)
    assert sl["apiVersion"] == "discovery.k8s.io/v1" and sl["addressType"] == "IPv4"
    assert sl["metadata"]["name"].startswith("web-") and len(sl["metadata"]["name"]) == len("web-") + 5
    assert sl["metadata"]["name"] == placeholder["metadata"]["name"]  # the placeholder was reused
    assert sl["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io"
    assert sl["metadata"]["ownerReferences"][0]["kind"] == "Service"
    assert sl["ports"] == [{"name": "http", "port": 80, "protocol": "TCP"}]
    conds = {e["targetRef"]["name"]: e["conditions"] for e in sl["endpoints"]}
    assert conds["web-1"] == {"ready": True, "serving": True, "terminating": False}
    assert conds["slow"] == {"ready": False, "serving": False, "terminating": False}

    # deleting a pod: Terminating pods leave Endpoints at once; the slice marks them terminating
    c.delete("Pod", "default", "web-1")
    c.settle()
    names = [a["targetRef"]["name"] for a in _endpoints(c)["subsets"][0]["addresses"]]
    assert names.count("web-1") == 0 and len(names) == 2
    (sl,) = _slices(c)
    conds = {e["targetRef"]["name"]: e["conditions"] for e in sl["endpoints"]}
    assert conds["web-1"]["terminating"] is True and conds["web-1"]["ready"] is False
    c.advance(40)
    assert c.store.get("Pod", "default", "web-1") is None
    (sl,) = _slices(c)
    assert "web-1" not in {e["targetRef"]["name"] for e in sl["endpoints"]}


def test_unresolvable_named_port_skips_the_pod():
    c = make_cluster(nodes=1)
    c.create(svc("web", selector={"app": "nginx"}, ports=[{"port": 80, "targetPort": "metrics"}]))
    c.create(nginx_pod("web-0"))
    c.advance(30)
    assert "subsets" not in _endpoints(c)


def test_service_deletion_removes_endpoints_and_slices():
    c = make_cluster(nodes=1)
    c.create(svc("web", selector={"app": "nginx"}, type_="NodePort"))
    c.create(nginx_pod("web-0"))
    c.advance(30)
    assert _endpoints(c)["subsets"]
    c.delete("Service", "default", "web")
    c.settle()
    assert _endpoints(c) is None
    assert _slices(c) == []


def test_headless_service_records_pod_hostnames():
    c = make_cluster(nodes=1)
    c.create(svc("db", clusterIP="None", selector={"app": "nginx"}, ports=[{"port": 80}]))
    c.create(nginx_pod("db-0", hostname="db-0", subdomain="db"))
    c.advance(30)
    ep = _endpoints(c, "db")
    assert ep["metadata"]["labels"]["service.kubernetes.io/headless"] == ""
    assert ep["subsets"][0]["addresses"][0]["hostname"] == "db-0"


def test_switching_type_drops_and_allocates_type_dependent_fields():
    c = Cluster(seed=5)
    np = c.create(svc("web", type_="NodePort", ports=[{"name": "http", "port": 80}]))
    # what `kubectl apply` with type ClusterIP sends: the merged object still has the nodePort
    changed = dict(np, spec=dict(np["spec"], type="ClusterIP"))
    out = c.replace(changed)
    assert "nodePort" not in out["spec"]["ports"][0]
    assert "externalTrafficPolicy" not in out["spec"]
    assert out["spec"]["clusterIP"] == np["spec"]["clusterIP"]
    back = c.replace(dict(out, spec=dict(out["spec"], type="LoadBalancer")))
    assert 30000 <= back["spec"]["ports"][0]["nodePort"] <= 32767
    assert back["spec"]["externalTrafficPolicy"] == "Cluster"


def test_publish_not_ready_addresses_and_multiple_ports():
    c = make_cluster(nodes=1)
    c.create(svc("peers", selector={"app": "nginx"}, publishNotReadyAddresses=True,
                 ports=[{"name": "http", "port": 80, "targetPort": "http"}, {"name": "admin", "port": 9000}]))
    c.create(nginx_pod("slow", annotations={"k9py.sim/never-ready": "true"}))
    c.advance(30)
    (subset,) = _endpoints(c, "peers")["subsets"]
    assert [a["targetRef"]["name"] for a in subset["addresses"]] == ["slow"]
    assert "notReadyAddresses" not in subset
    assert subset["ports"] == [{"name": "http", "port": 80, "protocol": "TCP"},
                               {"name": "admin", "port": 9000, "protocol": "TCP"}]
    (sl,) = _slices(c, "peers")
    assert sl["endpoints"][0]["conditions"] == {"ready": True, "serving": False, "terminating": False}


def test_the_kubernetes_service_whose_address_is_taken_is_tried_again_quietly(capsys):
    """Another Service took 10.96.0.1 meanwhile: the put-back failed with a traceback on stderr
    and was not tried again until a Service changed; it is tried every 10 s, quietly, and comes
    back once the address is free."""
    c = make_cluster(nodes=1)
    c.advance(3)
    c.delete("Service", "default", "kubernetes")
    c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "grab", "namespace": "default"},
              "spec": {"clusterIP": "10.96.0.1", "ports": [{"port": 80}]}})
    c.advance(25)
    assert c.store.get("Service", "default", "kubernetes") is None
    assert capsys.readouterr().err == ""
    c.delete("Service", "default", "grab")
    c.advance(10)
    assert c.get("Service", "default", "kubernetes")["spec"]["clusterIP"] == "10.96.0.1"
