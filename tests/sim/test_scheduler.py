from k9py.kube import meta
from k9py.sim.cluster import Cluster
from k9py.sim.scheduler import Scheduler, fit_error
from tests.sim.helpers import events_for, make_cluster, pod, pod_manifest


def _cond(p, type_):
    return next(c for c in p["status"]["conditions"] if c["type"] == type_)


def _owner(c, name="owner"):
    """An existing object to own the pods (so garbage collection keeps them)."""
    return c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})["metadata"]["uid"]


def _owned(name, owner_uid, **kw):
    m = pod_manifest(name, **kw)
    m["metadata"]["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner",
                                         "uid": owner_uid, "controller": True, "blockOwnerDeletion": True}]
    return m


def test_binds_pod_sets_condition_and_scheduled_event():
    c = make_cluster(nodes=3)
    c.create(pod_manifest("web"))
    c.settle()
    p = pod(c, "web")
    node = p["spec"]["nodeName"]
    assert node in ("minikube", "minikube-m02", "minikube-m03")
    sched = _cond(p, "PodScheduled")
    assert sched["status"] == "True" and sched["lastTransitionTime"] == "2026-11-01T09:00:00Z"
    ev = [e for e in c.events.for_object(p) if e["reason"] == "Scheduled"]
    assert ev[0]["message"] == f"Successfully assigned default/web to {node}"
    assert ev[0]["source"] == {"component": "default-scheduler"} and ev[0]["type"] == "Normal"


def test_replicas_of_one_owner_spread_over_nodes():
    c = make_cluster(nodes=3)
    uid = _owner(c)
    for i in range(3):
        c.create(_owned(f"nginx-{i}", uid, requests={"cpu": "100m"}))
    c.settle()
    nodes = {pod(c, f"nginx-{i}")["spec"]["nodeName"] for i in range(3)}
    assert nodes == {"minikube", "minikube-m02", "minikube-m03"}


def test_spreading_is_deterministic():
    def placement(seed):
        c = make_cluster(nodes=3, seed=seed)
        uid = _owner(c)
        for i in range(6):
            c.create(_owned(f"p-{i}", uid))
        c.settle()
        return [pod(c, f"p-{i}")["spec"]["nodeName"] for i in range(6)]
    assert placement(1) == placement(1)
    assert sorted(placement(1)).count("minikube") == 2


def test_insufficient_cpu_fails_with_real_message_then_retries_when_a_node_appears():
    from k9py.sim.nodes import add_node

    c = make_cluster(nodes=3)
    c.create(pod_manifest("big", requests={"cpu": "3"}))
    c.settle()
    p = pod(c, "big")
    assert not p["spec"].get("nodeName")
    cond = _cond(p, "PodScheduled")
    msg = ("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
           "3 No preemption victims found for incoming pod.")
    assert cond["status"] == "False" and cond["reason"] == "Unschedulable" and cond["message"] == msg
    evs = [e for e in c.events.for_object(p) if e["reason"] == "FailedScheduling"]
    assert len(evs) == 1 and evs[0]["type"] == "Warning" and evs[0]["message"] == msg
    c.advance(60)  # nothing changed: no new attempt event
    assert [e["count"] for e in c.events.for_object(pod(c, "big")) if e["reason"] == "FailedScheduling"] == [1]
    add_node(c, "minikube-m04", cpu="4")
    c.settle()
    assert pod(c, "big")["spec"]["nodeName"] == "minikube-m04"


def test_a_pod_bigger_than_any_node_waits_for_nodes_then_tries_again_after_the_unschedulable_period(monkeypatch):
    """Pods leaving nodes cannot make room for it (it asks more cpu than a node has), so they do
    not make it try again; the unschedulable period (podMaxInUnschedulablePodsDuration) does,
    and says so again; a node that fits places it."""
    from k9py.sim.nodes import add_node
    from k9py.sim.scheduler import RETRY_UNSCHEDULABLE

    c = make_cluster(nodes=2)
    c.create(pod_manifest("big", requests={"cpu": "3"}))
    for i in range(3):
        c.create(pod_manifest(f"small-{i}", requests={"cpu": "100m"}))
    c.advance(10)

    def failed() -> list[int]:
        return [e["count"] for e in c.events.for_object(pod(c, "big")) if e["reason"] == "FailedScheduling"]
    assert failed() == [1]
    tried = []
    real = Scheduler._schedule

    def spy(self, cluster, p, *args):
        tried.append(meta.name(p))
        real(self, cluster, p, *args)
    monkeypatch.setattr(Scheduler, "_schedule", spy)
    for i in range(3):
        c.delete("Pod", "default", f"small-{i}")
        c.advance(10)
    assert tried == [] and failed() == [1]
    c.advance(RETRY_UNSCHEDULABLE)
    assert tried == ["big"] and failed() == [2]
    add_node(c, "minikube-m03", cpu="4")
    c.settle()
    assert pod(c, "big")["spec"]["nodeName"] == "minikube-m03"


def test_a_waiting_pod_that_changes_is_tried_again_at_once():
    """A pod refused by every node's taint waits for a node to change, or for itself to: given
    the toleration, it is placed in the next pass."""
    c = make_cluster(nodes=2)
    for name in ("minikube", "minikube-m02"):
        c.store.mutate("Node", None, name, lambda n: n["spec"].__setitem__(
            "taints", [{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]))
    c.create(pod_manifest("db"))
    c.advance(10)
    assert not pod(c, "db")["spec"].get("nodeName")
    assert "2 node(s) had untolerated taint {dedicated: db}" in _cond(pod(c, "db"), "PodScheduled")["message"]
    c.store.mutate("Pod", "default", "db", lambda p: p["spec"]["tolerations"].append(
        {"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"}))
    c.advance(1)
    assert pod(c, "db")["spec"].get("nodeName") in ("minikube", "minikube-m02")


def test_resources_are_accounted_per_node():
    c = make_cluster(nodes=1)  # 2 cpu
    c.create(pod_manifest("a", requests={"cpu": "1500m"}))
    c.create(pod_manifest("b", requests={"cpu": "600m"}))
    c.create(pod_manifest("m", requests={"memory": "5Gi"}))
    c.settle()
    assert pod(c, "a")["spec"]["nodeName"] == "minikube"
    assert not pod(c, "b")["spec"].get("nodeName")
    assert "1 Insufficient cpu" in _cond(pod(c, "b"), "PodScheduled")["message"]
    assert _cond(pod(c, "m"), "PodScheduled")["message"].startswith("0/1 nodes are available: 1 Insufficient memory.")
    c.delete("Pod", "default", "a")
    c.advance(5)
    assert pod(c, "b")["spec"]["nodeName"] == "minikube"


def test_node_selector_and_taints_in_message_sorted():
    c = make_cluster(nodes=3)
    c.store.mutate("Node", None, "minikube", lambda n: n["spec"].__setitem__(
        "taints", [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]))
    c.create(pod_manifest("sel", nodeSelector={"disktype": "ssd"}))
    c.settle()
    msg = _cond(pod(c, "sel"), "PodScheduled")["message"]
    assert msg == ("0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
                   "2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: "
                   "3 Preemption is not helpful for scheduling.")
    c.store.mutate("Node", None, "minikube-m03", lambda n: n["metadata"]["labels"].__setitem__("disktype", "ssd"))
    c.settle()
    assert pod(c, "sel")["spec"]["nodeName"] == "minikube-m03"


def test_toleration_allows_tainted_node():
    c = make_cluster(nodes=1)
    c.store.mutate("Node", None, "minikube", lambda n: n["spec"].__setitem__(
        "taints", [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}]))
    c.create(pod_manifest("no"))
    c.create(pod_manifest("yes", tolerations=[{"key": "dedicated", "operator": "Equal", "value": "gpu",
                                               "effect": "NoSchedule"}]))
    c.settle()
    assert pod(c, "yes")["spec"]["nodeName"] == "minikube"
    assert "untolerated taint {dedicated: gpu}" in _cond(pod(c, "no"), "PodScheduled")["message"]


def test_required_node_affinity_in_notin_exists():
    c = make_cluster(nodes=3)
    aff = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "NotIn", "values": ["minikube", "minikube-m02"]},
                              {"key": "kubernetes.io/os", "operator": "Exists"}]}]}}}
    c.create(pod_manifest("aff", affinity=aff))
    ds = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["minikube-m02"]}]}]}}}
    c.create(pod_manifest("ds", affinity=ds))
    c.settle()
    assert pod(c, "aff")["spec"]["nodeName"] == "minikube-m03"
    assert pod(c, "ds")["spec"]["nodeName"] == "minikube-m02"


def test_cordoned_node_is_skipped():
    c = make_cluster(nodes=2)
    c.store.mutate("Node", None, "minikube", lambda n: n["spec"].__setitem__("unschedulable", True))
    for i in range(3):
        c.create(pod_manifest(f"p{i}"))
    c.settle()
    assert {pod(c, f"p{i}")["spec"]["nodeName"] for i in range(3)} == {"minikube-m02"}


def test_too_many_pods():
    c = make_cluster(nodes=1, pods=2)
    for i in range(3):
        c.create(pod_manifest(f"p{i}"))
    c.settle()
    assert _cond(pod(c, "p2"), "PodScheduled")["message"].startswith("0/1 nodes are available: 1 Too many pods.")


def test_pod_with_node_name_is_left_alone_and_other_schedulers_ignored():
    c = make_cluster(nodes=3)
    c.create(pod_manifest("pinned", nodeName="minikube-m03"))
    c.create(pod_manifest("other", schedulerName="my-scheduler"))
    c.settle()
    assert pod(c, "pinned")["spec"]["nodeName"] == "minikube-m03"
    assert not events_for(c, pod(c, "other"))
    assert not pod(c, "other")["spec"].get("nodeName")


def test_no_nodes():
    c = Cluster(seed=1)
    c.create(pod_manifest("lonely"))
    c.settle()
    assert _cond(pod(c, "lonely"), "PodScheduled")["message"] == "no nodes available to schedule pods"


def test_fit_error_preemption_never():
    p = {"spec": {"preemptionPolicy": "Never"}}
    assert fit_error(p, 2, {"Insufficient cpu": 2}, 0) == (
        "0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.")


def _anti(app):
    return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": "kubernetes.io/hostname"}]}}


def test_required_pod_anti_affinity_one_per_node():
    c = make_cluster(nodes=3)
    for i in range(4):
        c.create(pod_manifest(f"db-{i}", labels={"app": "db"}, affinity=_anti("db")))
    c.settle()
    placed = [pod(c, f"db-{i}")["spec"].get("nodeName") for i in range(3)]
    assert sorted(placed) == ["minikube", "minikube-m02", "minikube-m03"]
    assert _cond(pod(c, "db-3"), "PodScheduled")["message"] == (
        "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are "
        "available: 3 No preemption victims found for incoming pod.")


def test_existing_pods_anti_affinity_and_pod_affinity():
    c = make_cluster(nodes=2)
    c.create(pod_manifest("cache", labels={"app": "cache"}, nodeName="minikube-m02",
                          affinity=_anti("web")))
    c.settle()
    aff = {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "cache"}}, "topologyKey": "kubernetes.io/hostname"}]}}
    c.create(pod_manifest("near", affinity=aff))
    c.create(pod_manifest("web", labels={"app": "web"}, nodeSelector={"kubernetes.io/hostname": "minikube-m02"}))
    c.settle()
    assert pod(c, "near")["spec"]["nodeName"] == "minikube-m02"
    assert "1 node(s) didn't satisfy existing pods anti-affinity rules" in _cond(pod(c, "web"), "PodScheduled")["message"]


def test_host_port_conflict():
    c = make_cluster(nodes=1)
    for i in range(2):
        m = pod_manifest(f"hp{i}")
        m["spec"]["containers"][0]["ports"] = [{"containerPort": 80, "hostPort": 8080}]
        c.create(m)
    c.settle()
    assert _cond(pod(c, "hp1"), "PodScheduled")["message"].startswith(
        "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.")


def test_a_pod_waiting_for_its_affinity_partner_is_placed_once_the_partner_is():
    """A pod that waits for a pod to be placed (required pod affinity) is tried again after one
    is, even when that happens in a pass that did not look at it (kube-scheduler moves it back
    to its active queue on the AssignedPodAdd event)."""
    c = make_cluster(nodes=2)
    aff = {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/hostname"}]}}
    c.create(pod_manifest("near", affinity=aff))
    c.settle()
    assert "didn't match pod affinity rules" in _cond(pod(c, "near"), "PodScheduled")["message"]
    c.advance(1)  # a pass that looks at nothing new: it waits
    c.create(pod_manifest("db", labels={"app": "db"}))
    c.settle()
    db_node = pod(c, "db")["spec"]["nodeName"]
    assert db_node and pod(c, "near")["spec"].get("nodeName") == db_node


NOT_HELPFUL_3 = " preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."


def _claim_pod(name, **spec):
    m = pod_manifest(name, resourceClaims=[{"name": "gpu", "resourceClaimName": "gpu-claim"}], **spec)
    m["spec"]["containers"][0].setdefault("resources", {})["claims"] = [{"name": "gpu"}]
    return m


def _claim(cls="gpu.example.com"):
    return {"apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaim", "metadata": {"name": "gpu-claim"},
            "spec": {"devices": {"requests": [{"name": "gpu", "exactly": {"deviceClassName": cls}}]}}}


def test_a_pod_whose_resource_claims_no_device_can_satisfy_stays_pending_with_dynamic_resources_words():
    """DynamicResources' PreEnqueue keeps a pod whose claim is missing out of the queue, without
    a word (no event, no PodScheduled condition); its PreFilter then says the device class is
    missing; once both exist its Filter on each node (after the other filters): no driver
    publishes devices, so none can allocate them. Each step is said at once, as the claim or
    class comes (its queueing hints)."""
    c = make_cluster(nodes=3)
    c.store.mutate("Node", None, "minikube", lambda n: n["spec"].__setitem__(
        "taints", [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]))
    c.create(_claim_pod("dra"))
    c.advance(5)

    def said():
        p = pod(c, "dra")
        assert not p["spec"].get("nodeName") and p["status"]["phase"] == "Pending"
        return _cond(p, "PodScheduled")["message"]

    def events():
        return [e["message"] for e in c.events.for_object(pod(c, "dra")) if e["reason"] == "FailedScheduling"]
    p = pod(c, "dra")
    assert not p["spec"].get("nodeName") and p["status"]["phase"] == "Pending"
    assert not [x for x in p["status"].get("conditions") or () if x["type"] == "PodScheduled"] and events() == []
    c.create(_claim())
    c.advance(1)
    assert said() == ("0/3 nodes are available: request gpu: device class gpu.example.com does not exist. "
                      "no new claims to deallocate," + NOT_HELPFUL_3)
    c.create({"apiVersion": "resource.k8s.io/v1", "kind": "DeviceClass", "metadata": {"name": "gpu.example.com"},
              "spec": {"selectors": [{"cel": {"expression": 'device.driver == "gpu.example.com"'}}]}})
    c.advance(1)
    msg = ("0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
           "2 cannot allocate all claims. still not schedulable," + NOT_HELPFUL_3)
    assert said() == msg
    assert events()[-1] == msg and len(events()) == 2


def test_a_claim_template_gets_a_claim_per_pod_which_goes_with_the_pod():
    """kube-controller-manager's resourceclaim controller: a claim made from the template for the
    pod (its name after the pod and the claim, its owner the pod), named in the pod's status; the
    scheduler then says why no node can take it; the claim goes with the pod."""
    c = make_cluster(nodes=1)
    c.create({"apiVersion": "resource.k8s.io/v1", "kind": "DeviceClass", "metadata": {"name": "gpu.example.com"}})
    m = pod_manifest("tmpl", resourceClaims=[{"name": "gpu", "resourceClaimTemplateName": "gpu-template"}])
    c.create(m)
    c.advance(5)
    assert not pod(c, "tmpl")["status"].get("resourceClaimStatuses")  # (the template is not there yet)
    c.create({"apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaimTemplate",
              "metadata": {"name": "gpu-template"},
              "spec": {"metadata": {"labels": {"team": "ml"}},
                       "spec": {"devices": {"requests": [{"name": "gpu", "exactly": {"deviceClassName": "gpu.example.com"}}]}}}})
    c.advance(1)
    p = pod(c, "tmpl")
    [status] = p["status"]["resourceClaimStatuses"]
    claim = c.get("ResourceClaim", "default", status["resourceClaimName"])
    assert status["name"] == "gpu" and meta.name(claim).startswith("tmpl-gpu-") and len(meta.name(claim)) == 14
    assert claim["metadata"]["annotations"] == {"resource.kubernetes.io/pod-claim-name": "gpu"}
    assert claim["metadata"]["labels"] == {"team": "ml"} and meta.controller_ref(claim)["uid"] == meta.uid(p)
    assert claim["spec"]["devices"]["requests"][0]["exactly"]["count"] == 1  # (defaulted on create)
    assert _cond(p, "PodScheduled")["message"] == (
        "0/1 nodes are available: 1 cannot allocate all claims. still not schedulable,"
        " preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.")
    c.delete("Pod", "default", "tmpl", grace_period=0)
    c.advance(5)
    assert c.store.list("ResourceClaim", "default") == []


def test_a_pod_whose_claims_are_allocated_is_placed():
    c = make_cluster(nodes=1)
    claim = _claim()
    c.create(claim)
    c.store.mutate("ResourceClaim", "default", "gpu-claim", lambda o: o.__setitem__(
        "status", {"allocation": {"devices": {"results": [{"request": "gpu", "driver": "gpu.example.com",
                                                           "pool": "minikube", "device": "gpu-0"}]}}}))
    c.create(_claim_pod("dra"))
    c.settle()
    assert pod(c, "dra")["spec"]["nodeName"] == "minikube"


def test_a_pod_needing_devices_is_tried_again_when_a_pod_leaves_a_node_it_did_not_fit():
    """A node refused for its cpu (NodeResourcesFit), the others for the devices: a pod leaving
    that node requeues it (the plugin's queueing hint), and its words change to the devices alone."""
    c = make_cluster(nodes=2)
    c.create({"apiVersion": "resource.k8s.io/v1", "kind": "DeviceClass", "metadata": {"name": "gpu.example.com"}})
    c.create(_claim())
    c.create(pod_manifest("hog", requests={"cpu": "1500m"}, nodeName="minikube"))
    c.create(_claim_pod("dra", requests={"cpu": "1"}))
    c.advance(5)
    tail = " preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling."
    assert _cond(pod(c, "dra"), "PodScheduled")["message"] == (
        "0/2 nodes are available: 1 Insufficient cpu, 1 cannot allocate all claims. still not schedulable," + tail)
    c.delete("Pod", "default", "hog", grace_period=0)
    c.advance(5)
    assert _cond(pod(c, "dra"), "PodScheduled")["message"] == (
        "0/2 nodes are available: 2 cannot allocate all claims. still not schedulable,"
        " preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.")
