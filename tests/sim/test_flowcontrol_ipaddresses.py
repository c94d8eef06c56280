"""The apiserver's own objects a fresh cluster has: API Priority and Fairness configuration
(FlowSchemas with their Dangling status, PriorityLevelConfigurations with defaults) and the
Service IP allocator's ServiceCIDR and IPAddresses, kept in step with the Services."""

from __future__ import annotations

from k9py.sim.cluster import Cluster


def names(c: Cluster, kind: str) -> list[str]:
    return [o["metadata"]["name"] for o in c.store.list(kind)]


def dangling(c: Cluster, name: str) -> str:
    fs = c.store.get("FlowSchema", None, name)
    return next(x["status"] for x in fs["status"]["conditions"] if x["type"] == "Dangling")


def test_a_fresh_cluster_has_the_apiservers_flow_control_configuration():
    c = Cluster(seed=0)
    assert set(names(c, "PriorityLevelConfiguration")) == {
        "exempt", "catch-all", "system", "node-high", "leader-election", "workload-high", "workload-low",
        "global-default"}
    assert len(names(c, "FlowSchema")) == 13 and dangling(c, "exempt") == "False"
    catch_all = c.store.get("PriorityLevelConfiguration", None, "catch-all")
    assert catch_all["spec"]["limited"] == {"nominalConcurrencyShares": 5, "lendablePercent": 0,
                                            "limitResponse": {"type": "Reject"}}


def test_a_schema_naming_a_missing_level_is_dangling_until_the_level_exists():
    c = Cluster(seed=0)
    c.create({"apiVersion": "flowcontrol.apiserver.k8s.io/v1", "kind": "FlowSchema", "metadata": {"name": "mine"},
              "spec": {"priorityLevelConfiguration": {"name": "my-level"}}})
    c.settle()
    assert c.store.get("FlowSchema", None, "mine")["spec"]["matchingPrecedence"] == 1000
    assert dangling(c, "mine") == "True"
    level = c.create({"apiVersion": "flowcontrol.apiserver.k8s.io/v1", "kind": "PriorityLevelConfiguration",
                      "metadata": {"name": "my-level"},
                      "spec": {"type": "Limited", "limited": {"limitResponse": {"type": "Queue"}}}})
    assert level["spec"]["limited"]["nominalConcurrencyShares"] == 30
    assert level["spec"]["limited"]["limitResponse"]["queuing"] == {"queues": 64, "handSize": 8, "queueLengthLimit": 50}
    c.settle()
    assert dangling(c, "mine") == "False"
    c.delete("PriorityLevelConfiguration", None, "my-level")
    c.settle()
    assert dangling(c, "mine") == "True"


def test_each_service_cluster_ip_is_an_ipaddress_while_the_service_holds_it():
    c = Cluster(seed=0)
    assert names(c, "ServiceCIDR") == ["kubernetes"]
    assert c.store.get("ServiceCIDR", None, "kubernetes")["spec"]["cidrs"] == ["10.96.0.0/12"]
    assert c.store.get("IPAddress", None, "10.96.0.1")["spec"]["parentRef"] == {
        "group": "", "resource": "services", "namespace": "default", "name": "kubernetes"}
    svc = c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
                    "spec": {"ports": [{"port": 80}]}})
    headless = c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": "default"},
                         "spec": {"clusterIP": "None", "ports": [{"port": 5432}]}})
    c.settle()
    ip = svc["spec"]["clusterIP"]
    assert headless["spec"]["clusterIP"] == "None" and set(names(c, "IPAddress")) == {"10.96.0.1", ip}
    assert c.store.get("IPAddress", None, ip)["metadata"]["labels"]["ipaddress.kubernetes.io/managed-by"] == \
        "ipallocator.k8s.io"
    c.delete("Service", "default", "web")
    c.settle()
    assert names(c, "IPAddress") == ["10.96.0.1"]


def test_the_new_objects_draw_nothing_from_the_clusters_random_stream(monkeypatch):
    """A cluster made without them leaves the random stream where one made with them does: the
    pods, IPs and logs of a seed stay what they were."""
    from k9py.sim import flowcontrol, ipaddresses
    a = Cluster(seed=7)
    assert a.store.list("FlowSchema") and a.store.list("IPAddress")
    monkeypatch.setattr(flowcontrol, "bootstrap_objects", lambda: [])
    monkeypatch.setattr(ipaddresses, "create_with_fixed_uid", lambda *args: None)
    b = Cluster(seed=7)
    assert not b.store.list("FlowSchema") and not b.store.list("IPAddress")
    assert a.rng.getstate() == b.rng.getstate()
