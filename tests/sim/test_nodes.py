import pytest

from k9py.kube.timefmt import parse_time
from k9py.sim.behaviour import NODE_DOWN
from k9py.sim.clock import DEFAULT_EPOCH
from k9py.sim.nodes import make_node
from k9py.sim.version import KUBERNETES_VERSION
from tests.sim.helpers import events_for, make_cluster, pod, pod_manifest


def _node(c, name):
    return c.store.must_get("Node", None, name)


def _cond(obj, type_):
    return next(x for x in obj["status"]["conditions"] if x["type"] == type_)


def _set_down(c, name, down=True):
    def f(n):
        ann = n["metadata"].setdefault("annotations", {})
        if down:
            ann[NODE_DOWN] = "true"
        else:
            ann.pop(NODE_DOWN, None)
    c.store.mutate("Node", None, name, f)


def test_make_node_looks_like_minikube():
    n = make_node("minikube-m02", index=1)
    md, st = n["metadata"], n["status"]
    assert md["labels"]["kubernetes.io/hostname"] == "minikube-m02"
    assert md["labels"]["kubernetes.io/os"] == "linux" and md["labels"]["kubernetes.io/arch"] == "amd64"
    assert md["labels"]["minikube.k8s.io/name"] == "minikube"
    assert "node-role.kubernetes.io/control-plane" not in md["labels"]
    assert st["capacity"] == {"cpu": "2", "ephemeral-storage": "61202244Ki", "hugepages-1Gi": "0",
                              "hugepages-2Mi": "0", "memory": "4194304Ki", "pods": "110"}
    assert st["allocatable"] == st["capacity"]
    assert st["addresses"] == [{"type": "InternalIP", "address": "192.168.49.3"},
                               {"type": "Hostname", "address": "minikube-m02"}]
    info = st["nodeInfo"]
    assert info["kubeletVersion"] == KUBERNETES_VERSION and info["containerRuntimeVersion"] == "docker://27.2.0"
    assert info["operatingSystem"] == "linux" and info["architecture"] == "amd64"
    assert n["spec"]["podCIDR"] == "10.244.1.0/24"
    assert [(c["type"], c["status"], c["reason"]) for c in st["conditions"]] == [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID"),
        ("Ready", "True", "KubeletReady")]
    cp = make_node("minikube", control_plane=True)
    assert cp["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] == ""
    assert make_node("x")["status"]["nodeInfo"]["machineID"] == make_node("x")["status"]["nodeInfo"]["machineID"]


def test_node_down_goes_unknown_after_grace_and_tainted():
    c = make_cluster(nodes=3)
    c.create(pod_manifest("web", nodeName="minikube-m02"))
    c.advance(20)
    assert _cond(pod(c, "web"), "Ready")["status"] == "True"
    _set_down(c, "minikube-m02")
    c.advance(39)
    assert _cond(_node(c, "minikube-m02"), "Ready")["status"] == "True"
    c.advance(1)
    n = _node(c, "minikube-m02")
    ready = _cond(n, "Ready")
    assert ready["status"] == "Unknown" and ready["reason"] == "NodeStatusUnknown"
    assert ready["message"] == "Kubelet stopped posting node status."
    assert ready["lastTransitionTime"] == "2026-11-01T09:01:00Z"
    assert all(x["status"] == "Unknown" for x in n["status"]["conditions"])
    assert [(t["key"], t["effect"]) for t in n["spec"]["taints"]] == [
        ("node.kubernetes.io/unreachable", "NoSchedule"), ("node.kubernetes.io/unreachable", "NoExecute")]
    assert ("NodeNotReady", "Node minikube-m02 status is now: NodeNotReady") in events_for(c, n)
    p = pod(c, "web")
    assert _cond(p, "Ready")["status"] == "False"
    assert ("NodeNotReady", "Node is not ready") in events_for(c, p)
    # new pods avoid it
    c.create(pod_manifest("new", nodeSelector={"kubernetes.io/hostname": "minikube-m02"}))
    c.settle()
    assert "1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }" in \
        _cond(pod(c, "new"), "PodScheduled")["message"]


def test_pods_that_got_ready_together_share_a_condition_and_one_going_not_ready_leaves_the_other():
    """The kubelet's conditions are shared by the pods whose condition changed in the same second
    (stored objects are never changed in place): marking one pod not ready copies its own."""
    c = make_cluster(nodes=3)
    for name, node in (("a", "minikube-m02"), ("b", "minikube-m03")):
        c.create(pod_manifest(name, nodeName=node))
    c.advance(5)
    for name, node in (("c", "minikube-m02"), ("d", "minikube-m03")):
        c.create(pod_manifest(name, nodeName=node))
    c.advance(20)
    ready = {n: _cond(pod(c, n), "Ready") for n in "abcd"}
    assert [ready[n]["lastTransitionTime"] for n in "abcd"] == [
        "2026-11-01T09:00:04Z", "2026-11-01T09:00:04Z", "2026-11-01T09:00:06Z", "2026-11-01T09:00:07Z"]
    assert ready["a"] is ready["b"] and ready["a"] is not ready["c"] and ready["c"] is not ready["d"]
    _set_down(c, "minikube-m02")
    c.advance(41)
    assert [_cond(pod(c, n), "Ready")["status"] for n in "abcd"] == ["False", "True", "False", "True"]


def test_pods_evicted_after_default_toleration_and_finish_when_node_returns():
    c = make_cluster(nodes=3)
    c.create(pod_manifest("web", nodeName="minikube-m02"))
    c.create(pod_manifest("ds", nodeName="minikube-m02",
                          tolerations=[{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                        "effect": "NoExecute"}]))
    c.create(pod_manifest("none", nodeName="minikube-m02", tolerations=[]))
    c.advance(20)
    c.store.mutate("Pod", "default", "none", lambda p: p["spec"].__setitem__("tolerations", []))
    _set_down(c, "minikube-m02")
    c.advance(40)   # tainted now (09:01:00)
    assert pod(c, "none")["metadata"].get("deletionTimestamp")  # no toleration: at once
    c.advance(299)
    assert not pod(c, "web")["metadata"].get("deletionTimestamp")
    c.advance(1)
    web = pod(c, "web")
    assert web["metadata"]["deletionTimestamp"] == "2026-11-01T09:06:30Z"
    assert ("TaintManagerEviction", "Marking for deletion Pod default/web") in events_for(c, web)
    assert _cond(web, "DisruptionTarget")["reason"] == "DeletionByTaintManager"
    assert not pod(c, "ds")["metadata"].get("deletionTimestamp")
    c.advance(3600)  # the kubelet is gone: the pod stays Terminating
    assert c.store.get("Pod", "default", "web") is not None
    _set_down(c, "minikube-m02", False)
    c.advance(5)
    assert c.store.get("Pod", "default", "web") is None
    n = _node(c, "minikube-m02")
    assert _cond(n, "Ready")["status"] == "True" and not n["spec"].get("taints")
    assert ("NodeReady", "Node minikube-m02 status is now: NodeReady") in events_for(c, n)
    assert _cond(pod(c, "ds"), "Ready")["status"] == "True"


def test_node_back_before_eviction_cancels_it():
    c = make_cluster(nodes=2)
    c.create(pod_manifest("web", nodeName="minikube-m02"))
    c.advance(20)
    _set_down(c, "minikube-m02")
    c.advance(100)
    _set_down(c, "minikube-m02", False)
    c.advance(400)
    p = pod(c, "web")
    assert not p["metadata"].get("deletionTimestamp") and _cond(p, "Ready")["status"] == "True"
    assert ("TaintManagerEviction", "Cancelling deletion of Pod default/web") in events_for(c, p)


def test_cordon_adds_unschedulable_taint_and_events():
    c = make_cluster(nodes=2)
    c.store.mutate("Node", None, "minikube-m02", lambda n: n["spec"].__setitem__("unschedulable", True))
    c.settle()
    n = _node(c, "minikube-m02")
    assert n["spec"]["taints"] == [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule",
                                    "timeAdded": "2026-11-01T09:00:00Z"}]
    assert ("NodeNotSchedulable", "Node minikube-m02 status is now: NodeNotSchedulable") in events_for(c, n)
    c.store.mutate("Node", None, "minikube-m02", lambda n: n["spec"].pop("unschedulable"))
    c.settle()
    n = _node(c, "minikube-m02")
    assert "taints" not in n["spec"]
    assert ("NodeSchedulable", "Node minikube-m02 status is now: NodeSchedulable") in events_for(c, n)


@pytest.mark.source_build
def test_a_pass_looks_at_the_nodes_someone_changed_and_those_due_not_at_every_node(monkeypatch):
    from k9py.sim.controllers.nodes import NodeLifecycleController

    c = make_cluster(nodes=3)
    c.advance(2)
    looked = []
    health = NodeLifecycleController._health
    monkeypatch.setattr(NodeLifecycleController, "_health",
                        lambda self, cl, node, st: looked.append(node["metadata"]["name"]) or health(self, cl, node, st))
    c.create(pod_manifest("web"))
    c.advance(5)  # a pod placed and started: no node changed, none due
    assert looked == []
    c.store.mutate("Node", None, "minikube-m02", lambda n: n["spec"].__setitem__("unschedulable", True))
    c.settle()
    assert looked == ["minikube-m02"]  # (its own taint write after it is no news)
    assert _node(c, "minikube-m02")["spec"]["taints"][0]["key"] == "node.kubernetes.io/unschedulable"
    looked.clear()
    c.advance(3)  # the ten-second mark: every node's lease is due
    assert looked == ["minikube", "minikube-m02", "minikube-m03"]
    assert {c.store.must_get("Lease", "kube-node-lease", n)["spec"]["renewTime"]
            for n in ("minikube", "minikube-m02", "minikube-m03")} == {"2026-11-01T09:00:10.000000Z"}


def test_pods_of_a_deleted_node_are_garbage_collected():
    c = make_cluster(nodes=2)
    c.create(pod_manifest("web", nodeName="minikube-m02"))
    c.advance(20)
    c.store.delete("Node", None, "minikube-m02")
    c.advance(39)
    assert c.store.get("Pod", "default", "web") is not None
    c.advance(2)
    assert c.store.get("Pod", "default", "web") is None


def test_add_node_records_registration_events():
    c = make_cluster(nodes=1)
    n = _node(c, "minikube")
    reasons = {r for r, _ in events_for(c, n)}
    assert {"Starting", "RegisteredNode", "NodeHasSufficientMemory"} <= reasons
    assert parse_time(n["metadata"]["creationTimestamp"]) == DEFAULT_EPOCH


def test_kubelet_reposts_status_every_five_minutes():
    c = make_cluster(nodes=1)
    c.advance(299)
    assert _cond(_node(c, "minikube"), "Ready")["lastHeartbeatTime"] == "2026-11-01T09:00:00Z"
    c.advance(1)
    ready = _cond(_node(c, "minikube"), "Ready")
    assert ready["lastHeartbeatTime"] == "2026-11-01T09:05:00Z"
    assert ready["lastTransitionTime"] == "2026-11-01T09:00:00Z"
    c.advance(600)
    assert _cond(_node(c, "minikube"), "Ready")["lastHeartbeatTime"] == "2026-11-01T09:15:00Z"


def test_node_leases_are_renewed_on_the_ten_second_mark_and_come_back_when_deleted():
    c = make_cluster(nodes=2)
    c.advance(3)
    assert c.store.must_get("Lease", "kube-node-lease", "minikube-m02")["spec"]["renewTime"] == \
        "2026-11-01T09:00:00.000000Z"
    c.advance(7)  # nothing else moves meanwhile: the renewal comes from the clock alone
    assert c.store.must_get("Lease", "kube-node-lease", "minikube-m02")["spec"]["renewTime"] == \
        "2026-11-01T09:00:10.000000Z"
    c.store.delete("Lease", "kube-node-lease", "minikube")
    c.advance(9)
    assert c.store.get("Lease", "kube-node-lease", "minikube") is None  # until the next renewal
    c.advance(1)
    lease = c.store.must_get("Lease", "kube-node-lease", "minikube")
    assert lease["spec"]["renewTime"] == "2026-11-01T09:00:20.000000Z"
    assert lease["metadata"]["ownerReferences"][0]["uid"] == _node(c, "minikube")["metadata"]["uid"]


def test_pod_bound_to_down_node_stays_pending_until_it_returns():
    c = make_cluster(nodes=2)
    _set_down(c, "minikube-m02")
    c.advance(60)
    c.create(pod_manifest("ds-pod", nodeName="minikube-m02",
                          tolerations=[{"operator": "Exists"}]))
    c.advance(60)
    p = pod(c, "ds-pod")
    assert p["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    _set_down(c, "minikube-m02", False)
    c.advance(20)
    assert pod(c, "ds-pod")["status"]["phase"] == "Running"


def test_big_clusters_get_distinct_valid_node_addresses_and_pod_ranges():
    import ipaddress

    from k9py.sim.nodes import node_address, pod_cidr
    assert (node_address(0), pod_cidr(0)) == ("192.168.49.2", "10.244.0.0/24")  # minikube's
    ips = [ipaddress.ip_address(node_address(i)) for i in range(1000)]
    cidrs = [ipaddress.ip_network(pod_cidr(i)) for i in range(1000)]
    assert len(set(ips)) == len(set(cidrs)) == 1000
    assert all(ip.packed[-1] not in (0, 1, 255) for ip in ips)
