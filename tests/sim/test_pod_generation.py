"""Pod generation and observedGeneration (KEP-5067, GA in Kubernetes 1.35): a pod starts at
generation 1; a change of its spec and the first deletionTimestamp bump it (the binding does
not); the kubelet writes the generation its status was made from in ``status.observedGeneration``
and in every condition it writes (PodScheduled included), the scheduler, the eviction API and
the taint manager in the conditions they set."""

from k9py.kube.meta import deep_copy
from tests.sim.helpers import make_cluster, pod, pod_manifest

SLEEPER = ["sleep", "3600"]


def _generations(p):
    """(metadata.generation, status.observedGeneration, {condition type: its observedGeneration})."""
    st = p["status"]
    return (p["metadata"].get("generation"), st.get("observedGeneration"),
            {c["type"]: c.get("observedGeneration") for c in st.get("conditions") or []})


def _running(c, name="web", **kw):
    c.create(pod_manifest(name, "busybox", command=SLEEPER, **kw))
    c.advance(30)
    p = pod(c, name)
    assert p["status"]["phase"] == "Running"
    return p


def test_a_scheduled_running_pod_reports_generation_one_everywhere():
    c = make_cluster()
    p = _running(c)
    kubelet_and_scheduler = {"PodReadyToStartContainers": 1, "Initialized": 1, "Ready": 1,
                             "ContainersReady": 1, "PodScheduled": 1}
    assert _generations(p) == (1, 1, kubelet_and_scheduler)


def test_a_spec_change_is_a_new_generation_the_next_status_reports():
    c = make_cluster()
    p = _running(c)
    scheduled_at = next(x for x in p["status"]["conditions"] if x["type"] == "PodScheduled")["lastTransitionTime"]
    changed = deep_copy(p)
    changed["spec"]["activeDeadlineSeconds"] = 5000  # (kubectl's e2e updates this one too)
    c.replace(changed)
    assert pod(c, "web")["metadata"]["generation"] == 2
    c.advance(1)
    gen, observed, conds = _generations(pod(c, "web"))
    assert (gen, observed) == (2, 2) and set(conds.values()) == {2}
    # the condition's status did not change: only its generation did, not its transition time
    sched = next(x for x in pod(c, "web")["status"]["conditions"] if x["type"] == "PodScheduled")
    assert sched["lastTransitionTime"] == scheduled_at and sched["status"] == "True"
    # a change of metadata alone is no new generation
    labelled = deep_copy(pod(c, "web"))
    labelled["metadata"]["labels"] = {"tier": "web"}
    c.replace(labelled)
    assert pod(c, "web")["metadata"]["generation"] == 2


def test_a_graceful_delete_bumps_the_generation_once_and_the_kubelet_reports_it():
    c = make_cluster()
    _running(c)
    deleting = c.delete("Pod", "default", "web", grace_period=60)
    assert deleting["metadata"]["generation"] == 2
    c.advance(0.5)
    p = pod(c, "web")
    assert p["metadata"]["deletionTimestamp"]
    gen, observed, conds = _generations(p)
    assert (gen, observed) == (2, 2) and set(conds.values()) == {2}
    # a second delete that only shortens the grace period is no new generation
    assert c.delete("Pod", "default", "web", grace_period=30)["metadata"]["generation"] == 2


def test_an_unschedulable_pod_s_condition_carries_its_generation():
    c = make_cluster()
    c.create(pod_manifest("huge", "busybox", command=SLEEPER, requests={"cpu": "500"}))
    c.advance(5)
    p = pod(c, "huge")
    cond = next(x for x in p["status"]["conditions"] if x["type"] == "PodScheduled")
    assert (cond["status"], cond["reason"], cond["observedGeneration"]) == ("False", "Unschedulable", 1)
    assert "observedGeneration" not in p["status"]  # only the kubelet writes that one


def test_an_eviction_s_condition_is_set_at_the_generation_before_its_delete():
    c = make_cluster()
    _running(c)
    c.evict("default", "web", grace_period=60)
    p = pod(c, "web")
    target = next(x for x in p["status"]["conditions"] if x["type"] == "DisruptionTarget")
    assert (target["reason"], target["observedGeneration"]) == ("EvictionByEvictionAPI", 1)
    assert p["metadata"]["generation"] == 2


def test_a_foreground_delete_bumps_a_deployment_s_generation_not_a_configmap_s():
    c = make_cluster()
    c.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
              "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "c", "image": "busybox", "command": SLEEPER}]}}}})
    c.advance(10)
    d = c.delete("Deployment", "default", "web", propagation="Foreground")
    assert d["metadata"]["deletionTimestamp"] and d["metadata"]["generation"] == 2
    c.create({"apiVersion": "v1", "kind": "ConfigMap",
              "metadata": {"name": "held", "namespace": "default", "finalizers": ["example.com/hold"]}})
    cm = c.delete("ConfigMap", "default", "held")
    assert cm["metadata"]["deletionTimestamp"] and "generation" not in cm["metadata"]


def test_a_deployment_and_its_replicaset_being_deleted_report_the_deletions_generation():
    """Their controllers go on writing status while they are deleted (syncStatusOnly; the
    ReplicaSet's calculateStatus): observedGeneration follows the generation the deletion bumped,
    which `kubectl rollout status` and `-o yaml` read."""
    c = make_cluster()
    c.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "slow", "namespace": "default"},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "slow"}},
                       "template": {"metadata": {"labels": {"app": "slow"}},
                                    "spec": {"terminationGracePeriodSeconds": 60,
                                             "containers": [{"name": "c", "image": "busybox", "command": SLEEPER}]}}}})
    c.advance(20)
    c.delete("Deployment", "default", "slow", propagation="Foreground")
    c.advance(2)
    d = c.store.get("Deployment", "default", "slow")
    assert d is not None and d["metadata"]["generation"] == 2 and d["status"]["observedGeneration"] == 2
    (rs,) = [r for r in c.store.list("ReplicaSet", "default") if r["metadata"]["name"].startswith("slow-")]
    assert rs["metadata"].get("deletionTimestamp")
    assert rs["status"]["observedGeneration"] == rs["metadata"]["generation"]
