"""Kubeflow's training-operator in the simulator: a PyTorchJob (the demo's CRD) becomes a pod and a
headless Service per replica with the operator's labels, env vars and ownerReferences, and its
conditions follow the master: Created, Running, Succeeded."""

from __future__ import annotations

from pathlib import Path

import yaml

from k9py.kube.meta import deep_copy
from k9py.sim.logs import container_logs
from tests.sim.helpers import make_cluster

DEMO = Path(__file__).resolve().parents[2] / "scenarios" / "demo.yaml"


def _demo_docs() -> tuple[dict, dict]:
    docs = [d for d in yaml.safe_load_all(DEMO.read_text()) if isinstance(d, dict)]
    crd = next(d for d in docs if d.get("kind") == "CustomResourceDefinition"
               and d["metadata"]["name"] == "pytorchjobs.kubeflow.org")
    job = next(d for d in docs if d.get("kind") == "PyTorchJob")
    return crd, job


def _job(cluster, name="pytorch-simple", ns="kubeflow"):
    return cluster.get("PyTorchJob", ns, name)


def _types(job):
    return [(c["type"], c["status"], c["reason"], c["message"]) for c in job["status"]["conditions"]]


def test_a_pytorchjob_becomes_master_and_worker_pods_and_services():
    c = make_cluster(nodes=2)
    crd, job = _demo_docs()
    c.create(crd)
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kubeflow"}})
    job = deep_copy(job)
    job["spec"]["pytorchReplicaSpecs"]["Worker"]["replicas"] = 2
    created = c.create(job)
    c.advance(2)
    pods = {p["metadata"]["name"]: p for p in c.store.list("Pod", "kubeflow")}
    assert sorted(pods) == ["pytorch-simple-master-0", "pytorch-simple-worker-0", "pytorch-simple-worker-1"]
    master = pods["pytorch-simple-master-0"]
    assert master["metadata"]["labels"] == {
        "training.kubeflow.org/job-name": "pytorch-simple",
        "training.kubeflow.org/operator-name": "pytorchjob-controller",
        "training.kubeflow.org/replica-type": "master", "training.kubeflow.org/replica-index": "0",
        "training.kubeflow.org/job-role": "master"}
    assert master["metadata"]["ownerReferences"] == [{
        "apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "name": "pytorch-simple",
        "uid": created["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
    assert master["spec"]["restartPolicy"] == "OnFailure"
    (ctr,) = master["spec"]["containers"]
    assert {"name": "pytorchjob-port", "containerPort": 23456, "protocol": "TCP"} in ctr["ports"]
    env = {e["name"]: e["value"] for e in ctr["env"]}
    assert env == {"PYTHONUNBUFFERED": "0", "MASTER_PORT": "23456", "MASTER_ADDR": "pytorch-simple-master-0",
                   "WORLD_SIZE": "3", "RANK": "0"}
    w1 = {e["name"]: e["value"] for e in pods["pytorch-simple-worker-1"]["spec"]["containers"][0]["env"]}
    assert w1["RANK"] == "2" and "training.kubeflow.org/job-role" not in pods["pytorch-simple-worker-1"]["metadata"]["labels"]
    svc = c.get("Service", "kubeflow", "pytorch-simple-worker-1")
    assert svc["spec"]["clusterIP"] == "None"
    assert svc["spec"]["selector"] == {"training.kubeflow.org/job-name": "pytorch-simple",
                                       "training.kubeflow.org/operator-name": "pytorchjob-controller",
                                       "training.kubeflow.org/replica-type": "worker",
                                       "training.kubeflow.org/replica-index": "1"}
    assert [(p["name"], p["port"]) for p in svc["spec"]["ports"]] == [("pytorchjob-port", 23456)]
    reasons = [(e["reason"], e["message"]) for e in c.store.list("Event", "kubeflow")
               if e["involvedObject"].get("kind") == "PyTorchJob"]
    assert ("SuccessfulCreatePod", "Created pod: pytorch-simple-master-0") in reasons
    assert ("SuccessfulCreateService", "Created service: pytorch-simple-worker-1") in reasons


def test_its_conditions_follow_the_master_to_succeeded():
    c = make_cluster(nodes=2)
    crd, job = _demo_docs()
    c.create(crd)
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kubeflow"}})
    c.create(job)
    c.advance(1)
    assert _types(_job(c))[0] == ("Created", "True", "PyTorchJobCreated", "PyTorchJob pytorch-simple is created.")
    c.advance(120)
    j = _job(c)
    assert _types(j)[-1] == ("Running", "True", "PyTorchJobRunning", "PyTorchJob pytorch-simple is running.")
    assert j["status"]["replicaStatuses"]["Master"]["active"] == 1
    assert j["status"]["replicaStatuses"]["Worker"]["selector"] == (
        "training.kubeflow.org/job-name=pytorch-simple,training.kubeflow.org/operator-name=pytorchjob-controller,"
        "training.kubeflow.org/replica-type=worker")
    assert "startTime" in j["status"] and "completionTime" not in j["status"]
    c.advance(8 * 60)
    j = _job(c)
    assert _types(j) == [
        ("Created", "True", "PyTorchJobCreated", "PyTorchJob pytorch-simple is created."),
        ("Running", "False", "PyTorchJobRunning", "PyTorchJob pytorch-simple is running."),
        ("Succeeded", "True", "PyTorchJobSucceeded", "PyTorchJob pytorch-simple is successfully completed.")]
    assert j["status"]["replicaStatuses"]["Master"].get("succeeded") == 1 and "completionTime" in j["status"]
    assert c.get("Pod", "kubeflow", "pytorch-simple-master-0")["status"]["phase"] == "Succeeded"  # kept (cleanPodPolicy None)
    # what `kubectl logs pytorch-simple-master-0` shows: the MNIST trial's epoch, then Katib's metrics line
    lines = container_logs(c, "kubeflow", "pytorch-simple-master-0")
    assert lines[0] == "Using CPU"
    assert lines[1].endswith(" INFO     Train Epoch: 1 [0/60000 (0%)]\tloss=2.3000")
    assert lines[-2].split(" INFO     ")[1].startswith("{metricName: accuracy, metricValue: 0.9")
    assert len(lines) == 97  # "Using CPU", 94 batches of ten, the metrics line and its trailing newline


def test_deleting_the_job_deletes_its_pods_and_services():
    c = make_cluster(nodes=1)
    crd, job = _demo_docs()
    c.create(crd)
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kubeflow"}})
    c.create(job)
    c.advance(5)
    assert c.store.get("Service", "kubeflow", "pytorch-simple-master-0") is not None
    c.delete("PyTorchJob", "kubeflow", "pytorch-simple")
    c.advance(60)
    assert c.store.list("Pod", "kubeflow") == [] and c.store.list("Service", "kubeflow") == []


def test_a_pod_the_quota_refuses_is_tried_again_after_a_back_off_not_at_every_pass():
    """The operator's workqueue rate-limits a job whose creates fail (create_owned's back-off):
    its FailedCreatePod events are a few a minute, however often pods change elsewhere."""
    from tests.sim.helpers import run_pod

    c = make_cluster(nodes=2)
    crd, job = _demo_docs()
    c.create(crd)
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kubeflow"}})
    c.create({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "kubeflow"},
              "spec": {"hard": {"pods": "0"}}})
    c.advance(1)
    c.create(deep_copy(job))
    for i in range(30):  # a pod change elsewhere every 2 s wakes the operator each time
        run_pod(c, f"churn-{i}", settle_seconds=2)
    failed = [e for e in c.store.list("Event", "kubeflow") if e["reason"] == "FailedCreatePod"]
    assert failed and sum(e.get("count", 1) for e in failed) <= 10, sum(e.get("count", 1) for e in failed)
