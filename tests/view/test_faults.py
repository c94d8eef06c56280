from k9py.view.faults import faulty, judged
from tests.samples import small_cluster


def _pods(cluster):
    return {p["metadata"]["name"]: p for p in cluster.store.list("Pod", "default")}


def test_the_objects_in_trouble_are_faults():
    c = small_cluster()
    pods = _pods(c)
    faults = {name for name, p in pods.items() if faulty("Pod", p)}
    assert faults == {"crashy"}
    assert not any(name.startswith("nginx-deployment") for name in faults)  # running and ready
    dep = c.store.get("Deployment", "default", "nginx-deployment")
    assert not faulty("Deployment", dep)
    short = {**dep, "status": {**dep["status"], "availableReplicas": 1}}
    assert faulty("Deployment", short)
    node = c.store.list("Node")[0]
    assert not faulty("Node", node)
    assert faulty("Node", {**node, "spec": {**(node.get("spec") or {}), "unschedulable": True}})  # cordoned
    assert faulty("Event", {"type": "Warning"}) and not faulty("Event", {"type": "Normal"})
    assert faulty("PersistentVolumeClaim", {"status": {"phase": "Pending"}})
    assert not faulty("PersistentVolumeClaim", {"status": {"phase": "Bound"}})


def test_a_kind_without_health_rules_has_no_faults_and_bad_objects_do_not_crash():
    assert not judged("Service") and not judged("ConfigMap") and judged("Pod")
    assert not faulty("Service", {"spec": {}})
    assert faulty("Pod", {"status": "garbage", "spec": 3})  # unreadable: shown as an error, never a crash
