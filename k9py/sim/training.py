"""Kubeflow's training-operator, for PyTorchJobs (``kubeflow.org/v1``): once the CRD is there, a
PyTorchJob becomes one pod and one headless Service per replica (``<job>-master-0``,
``<job>-worker-0`` ...), and its status follows them, as ``pytorchjob-controller`` does:

- pods and Services carry the ``training.kubeflow.org/`` labels (job-name, operator-name,
  replica-type, replica-index; job-role=master on the master) and a controller ownerReference to
  the job; the pods get the replica's restartPolicy (default OnFailure; ExitCode runs as Never),
  the ``pytorchjob-port`` (23456) on the ``pytorch`` container when it has none, and in every
  container PYTHONUNBUFFERED, MASTER_PORT, MASTER_ADDR, WORLD_SIZE and RANK (workers' ranks
  after the master's);
- conditions: Created, then Running once the master runs (without a master, once a worker
  does), then Succeeded when the master (without one, every worker) has succeeded, Running
  turned False; Failed when a replica fails under restartPolicy Never (Restarting otherwise);
  reasons ``PyTorchJob<Type>``; ``replicaStatuses`` count each type's active, succeeded and
  failed pods, with its selector (the CRD's scale subresource reads the workers');
- events SuccessfulCreatePod / SuccessfulCreateService and PyTorchJobSucceeded on the job.

A finished job's pods stay (``runPolicy.cleanPodPolicy`` None, the default). Not simulated:
elastic policies, suspend, the workers' ``init-pytorch`` wait for the master, gang scheduling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k9py.kube import meta, selectors
from k9py.kube.timefmt import rfc3339
from k9py.sim.controllers.base import Controller
from k9py.sim.controllers.podtemplate import create_owned, pod_from_template

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
KIND = "PyTorchJob"
API_VERSION = "kubeflow.org/v1"
OPERATOR = "pytorchjob-controller"
CONTAINER = "pytorch"
PORT_NAME = "pytorchjob-port"
DEFAULT_PORT = 23456
PREFIX = "training.kubeflow.org/"
JOB_NAME, OPERATOR_NAME = PREFIX + "job-name", PREFIX + "operator-name"
REPLICA_TYPE, REPLICA_INDEX, JOB_ROLE = PREFIX + "replica-type", PREFIX + "replica-index", PREFIX + "job-role"
MASTER, WORKER = "Master", "Worker"


def _replica_specs(job: Obj) -> dict[str, Obj]:
    specs = meta.dig(job, "spec", "pytorchReplicaSpecs")
    if not isinstance(specs, dict):
        return {}
    out = {k: v for k, v in specs.items() if isinstance(v, dict)}
    # the master first, as the operator's env vars and ranks number it first
    return dict(sorted(out.items(), key=lambda kv: (kv[0] != MASTER, kv[0])))


def _replicas(spec: Obj) -> int:
    n = spec.get("replicas", 1)
    return n if isinstance(n, int) and not isinstance(n, bool) and n >= 0 else 1


def _job_labels(job: Obj) -> dict[str, str]:
    return {JOB_NAME: meta.name(job), OPERATOR_NAME: OPERATOR}


def _port(spec: Obj) -> int:
    for c in meta.dig(spec, "template", "spec", "containers") or []:
        if isinstance(c, dict) and c.get("name") == CONTAINER:
            for p in c.get("ports") or []:
                if isinstance(p, dict) and p.get("name") == PORT_NAME and isinstance(p.get("containerPort"), int):
                    return int(p["containerPort"])
    return DEFAULT_PORT


def _condition(type_: str, status: str, message: str, now: float) -> Obj:
    t = rfc3339(now)
    return {"type": type_, "status": status, "reason": f"{KIND}{type_}", "message": message,
            "lastUpdateTime": t, "lastTransitionTime": t}


def _set_condition(conds: list[Obj], cond: Obj) -> list[Obj]:
    """The operator's setCondition: an unchanged condition stays as it is; a new Succeeded or
    Failed turns Running False; Running and Restarting replace each other."""
    for c in conds:
        if c.get("type") == cond["type"] and c.get("status") == cond["status"] and c.get("reason") == cond["reason"] \
                and c.get("message") == cond["message"]:
            return conds
    out = []
    for c in conds:
        if c.get("type") == cond["type"] or {c.get("type"), cond["type"]} == {"Running", "Restarting"}:
            continue
        if cond["type"] in ("Succeeded", "Failed") and c.get("type") == "Running" and c.get("status") != "False":
            c = {**c, "status": "False", "lastUpdateTime": cond["lastUpdateTime"],
                 "lastTransitionTime": cond["lastTransitionTime"]}
        out.append(c)
    out.append(cond)
    return out


def _finished(conds: list[Obj]) -> bool:
    return any(c.get("type") in ("Succeeded", "Failed") and c.get("status") == "True" for c in conds)


class PyTorchJobController(Controller):
    name = "pytorchjob"

    def reconcile(self, cluster: Cluster) -> None:
        for job in cluster.store.list(KIND):
            if job.get("apiVersion") == API_VERSION and not meta.is_deleting(job):
                self._sync(cluster, job)

    def _sync(self, c: Cluster, job: Obj) -> None:
        now = c.now()
        name, ns = meta.name(job), meta.namespace(job)
        status = meta.deep_copy(job.get("status") or {})
        conds: list[Obj] = [x for x in status.get("conditions") or [] if isinstance(x, dict)]
        if not any(x.get("type") == "Created" for x in conds):
            conds = _set_condition(conds, _condition("Created", "True", f"{KIND} {name} is created.", now))
        specs = _replica_specs(job)
        finished = _finished(conds)
        if specs and not finished:
            status.setdefault("startTime", rfc3339(now))
            self._create_missing(c, job, specs)
        pods = [p for p in c.store.controlled_by("Pod", meta.uid(job), ns)]
        statuses: dict[str, Obj] = {}
        counts: dict[str, tuple[int, int, int]] = {}
        for rtype in specs:
            mine = [p for p in pods if meta.labels(p).get(REPLICA_TYPE) == rtype.lower()]
            phases = [meta.dig(p, "status", "phase") for p in mine]
            active, succeeded, failed = phases.count("Running"), phases.count("Succeeded"), phases.count("Failed")
            counts[rtype] = (active, succeeded, failed)
            sel = {**_job_labels(job), REPLICA_TYPE: rtype.lower()}
            rs: Obj = {}
            if active:
                rs["active"] = active
            if succeeded:
                rs["succeeded"] = succeeded
            if failed:
                rs["failed"] = failed
            rs["labelSelector"] = {"matchLabels": sel}
            rs["selector"] = selectors.selector_string(dict(sorted(sel.items())))
            statuses[rtype] = rs
        if specs:
            status["replicaStatuses"] = statuses
        if not finished:
            conds = self._conditions(c, job, specs, counts, conds, status, now)
        status["conditions"] = conds
        c.store.write_status(KIND, ns, name, status)

    def _conditions(self, c: Cluster, job: Obj, specs: dict[str, Obj], counts: dict[str, tuple[int, int, int]],
                    conds: list[Obj], status: Obj, now: float) -> list[Obj]:
        name = meta.name(job)
        has_master = MASTER in specs
        for rtype, spec in specs.items():
            running, succeeded, failed = counts[rtype]
            want = _replicas(spec)
            expected = want - succeeded
            if (has_master and rtype == MASTER) or (not has_master and rtype == WORKER):
                if expected == 0 and want > 0:
                    msg = f"{KIND} {name} is successfully completed."
                    c.record_event(job, "Normal", f"{KIND}Succeeded", msg, OPERATOR)
                    status.setdefault("completionTime", rfc3339(now))
                    return _set_condition(conds, _condition("Succeeded", "True", msg, now))  # once: then finished
                if running > 0:
                    conds = _set_condition(conds, _condition("Running", "True", f"{KIND} {name} is running.", now))
            if failed > 0 and want > succeeded + running:
                if (spec.get("restartPolicy") or "OnFailure") != "Never":
                    msg = f"{KIND} {name} is restarting because {failed} {rtype} replica(s) failed."
                    new = _set_condition(conds, _condition("Restarting", "True", msg, now))
                    if new is not conds:
                        c.record_event(job, "Warning", f"{KIND}Restarting", msg, OPERATOR)
                    conds = new
                else:
                    msg = f"{KIND} {name} is failed because {failed} {rtype} replica(s) failed."
                    c.record_event(job, "Normal", f"{KIND}Failed", msg, OPERATOR)
                    status.setdefault("completionTime", rfc3339(now))
                    return _set_condition(conds, _condition("Failed", "True", msg, now))
        return conds

    def _create_missing(self, c: Cluster, job: Obj, specs: dict[str, Obj]) -> None:
        name, ns = meta.name(job), meta.namespace(job)
        world = sum(_replicas(s) for s in specs.values())
        master_port = _port(specs[MASTER]) if MASTER in specs else DEFAULT_PORT
        for rtype, spec in specs.items():
            rt = rtype.lower()
            for index in range(_replicas(spec)):
                obj_name = f"{name}-{rt}-{index}"
                labels = {**_job_labels(job), REPLICA_TYPE: rt, REPLICA_INDEX: str(index)}
                if c.store.get("Pod", ns, obj_name) is None:
                    rank = index + 1 if rtype == WORKER and MASTER in specs else index
                    pod = self._pod(job, spec, obj_name, labels, rtype, rank, world, master_port)
                    self._create(c, job, pod, "Pod")
                if c.store.get("Service", ns, obj_name) is None:
                    svc = {"apiVersion": "v1", "kind": "Service",
                           "metadata": {"name": obj_name, "namespace": ns, "labels": dict(labels),
                                        "ownerReferences": [meta.owner_reference(job)]},
                           "spec": {"clusterIP": "None", "selector": dict(labels),
                                    "ports": [{"name": PORT_NAME, "port": _port(spec)}]}}
                    self._create(c, job, svc, "Service")

    @staticmethod
    def _pod(job: Obj, spec: Obj, name: str, labels: dict[str, str], rtype: str, rank: int, world: int,
             master_port: int) -> Obj:
        raw = spec.get("template")
        template: Obj = raw if isinstance(raw, dict) else {}
        extra = {**labels, JOB_ROLE: "master"} if rtype == MASTER else labels
        pod = pod_from_template(job, template, name=name, extra_labels=extra)
        pspec = pod["spec"] if isinstance(pod["spec"], dict) else {}
        pod["spec"] = pspec
        policy = spec.get("restartPolicy") or "OnFailure"
        pspec["restartPolicy"] = "Never" if policy == "ExitCode" else policy
        job_name = meta.name(job)
        for ctr in pspec.get("containers") or []:
            if not isinstance(ctr, dict):
                continue
            if ctr.get("name") == CONTAINER and not any(
                    isinstance(p, dict) and p.get("name") == PORT_NAME for p in ctr.get("ports") or []):
                ctr.setdefault("ports", []).append({"name": PORT_NAME, "containerPort": DEFAULT_PORT})
            env = ctr.setdefault("env", [])
            env.append({"name": "PYTHONUNBUFFERED", "value": "0"})
            if MASTER in _replica_specs(job):
                env.extend([{"name": "MASTER_PORT", "value": str(master_port)},
                            {"name": "MASTER_ADDR", "value": f"{job_name}-master-0"},
                            {"name": "WORLD_SIZE", "value": str(world)},
                            {"name": "RANK", "value": str(rank)}])
        return pod

    @staticmethod
    def _create(c: Cluster, job: Obj, obj: Obj, kind: str) -> None:
        create_owned(c, job, obj, OPERATOR, reason=f"SuccessfulCreate{kind}", failed_reason=f"FailedCreate{kind}")
