"""`k9py scenario generate`: a large, realistic cluster in k9py's own scenario format.

``generate(pods, nodes, churn=..., seed=...)`` returns the YAML text: a ``SimCluster`` header (a
``Scenario`` with a timeline when ``churn`` > 0) and plain manifests, the same seed giving the
same file. What it holds, roughly as a big multi-team cluster does:

- nodes: one control plane and workers over three zones; a small GPU pool, tainted, that only
  the pods tolerating it use; capacity sized so the requested pods fit;
- namespaces by team; Deployments with a ClusterIP Service each hold most pods; a few
  StatefulSets (a headless Service and a PVC per replica), DaemonSets (one pod per node),
  Jobs (completed and failed), CronJobs and standalone PVCs (one Pending: no such class);
- mixed statuses: a few Deployments crash-loop, fail to pull their image, never get ready, stay
  Pending (more CPU than any node has) or spread with required anti-affinity;
- with churn: a timeline that deletes, scales, crashes and restarts things at about ``churn``
  steps per second (each step changes one or a few pods) for ``duration`` seconds.

The pod count is what the workloads ask for (replicas, one DaemonSet pod per node, Job
completions), within ``MAX_REPLICAS`` per workload and ``MAX_NODES``.
"""

from __future__ import annotations

import contextlib
import math
import os
import random
from dataclasses import dataclass, field
from typing import Any

import yaml

from k9py.kube.yamlout import FastSafeDumper
from k9py.scenario.schema import HEADER_API_VERSION, HEADER_KIND, MAX_NODES, MAX_PLAYED, MAX_REPLICAS, SCENARIO_KIND

Obj = dict[str, Any]

MAX_PODS = 200_000
MAX_CHURN = 10_000.0  # steps per second
DEFAULT_DURATION = 300.0
MAX_STEPS = 500_000
WARMUP = "1m"
CLUSTER = "scale"
ZONES = ("zone-a", "zone-b", "zone-c")
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"}
REGISTRY = "registry.example.com"

TEAMS = ("payments", "checkout", "catalog", "search", "identity", "orders", "shipping", "inventory",
         "analytics", "ml-platform", "notifications", "billing", "gateway", "recommendations", "media",
         "reporting", "cart", "pricing", "reviews", "fraud", "ads", "messaging", "storefront", "loyalty")
COMPONENTS = ("api", "web", "worker", "consumer", "scheduler", "frontend", "backend", "indexer", "sync",
              "gateway", "processor", "ingest", "router", "grpc", "auth", "renderer", "notifier", "aggregator",
              "exporter", "webhook", "cache-warmer", "reconciler", "projector", "ledger")
PUBLIC_IMAGES = ("nginx:1.25.3", "redis:7.2.4", "python:3.12-slim", "node:20.11.0-slim", "httpd:2.4.58")
# images whose default command exits at once (a REPL with no terminal: a crash loop): a server instead
SERVE_COMMANDS = {"python": ["python", "-m", "http.server", "8080"],
                  "node": ["node", "-e", "require('http').createServer((req, res) => res.end('ok')).listen(8080)"]}
BAD_TAGS = ("nginx:1.255", "redis:7.9.9", "python:3.99-slim", "node:99.0.0")  # typos: manifest unknown
CPU_REQUESTS = ("10m", "25m", "50m", "50m", "100m", "100m", "100m", "200m", "250m", "500m")
MEMORY_REQUESTS = ("32Mi", "64Mi", "64Mi", "128Mi", "128Mi", "256Mi", "512Mi")
REPLICAS = (1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 30, 40, 50)


@dataclass
class _App:
    namespace: str
    name: str
    replicas: int
    kind: str = "Deployment"
    healthy: bool = True


@dataclass
class _Plan:
    pods: int
    nodes: int
    rng: random.Random
    docs: list[Obj] = field(default_factory=list)
    apps: list[_App] = field(default_factory=list)
    names: dict[str, set[str]] = field(default_factory=dict)
    placed: int = 0  # pods the workloads ask for so far


def generate(pods: int, nodes: int, *, churn: float = 0.0, seed: int = 0,
             duration: float = DEFAULT_DURATION) -> str:
    """The scenario's YAML text. ValueError (one line) for sizes k9py cannot simulate."""
    check_sizes(pods, nodes, churn, duration)
    plan = _Plan(pods, nodes, random.Random(seed))
    namespaces = _namespaces(plan)
    daemonsets = 2 if pods >= 6 * nodes else 1 if pods >= 3 * nodes else 0
    budget = pods - daemonsets * nodes
    _system(plan, daemonsets)
    _statefulsets(plan, namespaces, budget)
    _jobs(plan, namespaces, budget)
    _deployments(plan, namespaces, pods)
    header = _header(plan, daemonsets, seed, churn, duration)
    steps = _timeline(plan, churn, duration) if churn > 0 else []
    if steps:
        header["spec"]["timeline"] = steps
    return _dump(header, plan.docs)


def check_sizes(pods: int, nodes: int, churn: float, duration: float) -> None:
    if not 1 <= nodes <= MAX_NODES:
        raise ValueError(f"invalid --nodes {nodes}: must be from 1 to {MAX_NODES} (k9py simulates at most {MAX_NODES} nodes)")
    if not 1 <= pods <= MAX_PODS:
        raise ValueError(f"invalid --pods {pods}: must be from 1 to {MAX_PODS}")
    if not 0 <= churn <= MAX_CHURN or not math.isfinite(churn):
        raise ValueError(f"invalid --churn {churn:g}: must be from 0 to {MAX_CHURN:g} steps per second")
    if not duration > 0 or not math.isfinite(duration):
        raise ValueError("invalid --duration: must be greater than 0")
    if duration > MAX_PLAYED:  # (the file written would not load)
        raise ValueError(f"invalid --duration {duration:g}s: k9py plays a scenario for at most {MAX_PLAYED // 3600}h")
    if churn * duration > MAX_STEPS:
        raise ValueError(f"too many timeline steps: --churn {churn:g} for {duration:g}s is {churn * duration:.0f} "
                         f"steps (at most {MAX_STEPS}): lower --churn or --duration")


# -- the cluster ---------------------------------------------------------------------------------

def _header(plan: _Plan, daemonsets: int, seed: int, churn: float, duration: float) -> Obj:
    """Nodes sized for the pods: per-node pod capacity, CPU and memory with headroom."""
    gpu = plan.nodes // 20 if plan.nodes >= 20 else 0
    general = max(1, plan.nodes - gpu)
    per_node = math.ceil(plan.pods / general * 1.15) + daemonsets + 2
    max_pods = min(250, max(110, per_node))
    cpu = _pow2(max(4, math.ceil(per_node * 0.16)))
    memory = _pow2(max(16, math.ceil(per_node * 0.3)))
    nodes = []
    for i in range(plan.nodes):
        name = CLUSTER if i == 0 else f"{CLUSTER}-m{i + 1:04d}"
        node: Obj = {"name": name, "cpu": str(cpu), "memory": f"{memory}Gi"}
        if i == 0:
            node["controlPlane"] = True
        if max_pods != 110:
            node["pods"] = max_pods
        labels = {"topology.kubernetes.io/zone": ZONES[i % len(ZONES)], "node.kubernetes.io/instance-type": "m6i.4xlarge"}
        if i >= plan.nodes - gpu:
            labels.update({"pool": "gpu", "node.kubernetes.io/instance-type": "g5.4xlarge"})
            node["taints"] = [dict(GPU_TAINT)]
        node["labels"] = labels
        nodes.append(node)
    spec: Obj = {"seed": seed, "warmup": WARMUP}
    description = (f"{plan.pods} pods over {plan.nodes} nodes (k9py scenario generate --pods {plan.pods} "
                   f"--nodes {plan.nodes} --seed {seed}" + (f" --churn {churn:g}" if churn else "") + ")")
    if churn > 0:
        spec["duration"] = f"{duration:g}s"
        spec["nodes"] = nodes
        return {"apiVersion": HEADER_API_VERSION, "kind": SCENARIO_KIND, "metadata": {"name": CLUSTER},
                "description": description, "spec": spec}
    spec["nodes"] = nodes
    return {"apiVersion": HEADER_API_VERSION, "kind": HEADER_KIND, "metadata": {"name": CLUSTER}, "spec": spec}


def _pow2(n: int) -> int:
    return 1 << max(0, math.ceil(math.log2(n)))


def _namespaces(plan: _Plan) -> list[str]:
    count = max(3, min(200, plan.pods // 400))
    out = []
    for i in range(count):
        team = TEAMS[i % len(TEAMS)]
        name = team if i < len(TEAMS) else f"{team}-{i // len(TEAMS) + 1}"
        out.append(name)
        plan.docs.append({"apiVersion": "v1", "kind": "Namespace",
                          "metadata": {"name": name, "labels": {"team": team}}})
    return out


def _unique(plan: _Plan, ns: str, base: str) -> str:
    taken = plan.names.setdefault(ns, set())
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def _system(plan: _Plan, daemonsets: int) -> None:
    """monitoring and logging: the DaemonSets (one pod per node, GPU nodes included)."""
    specs = (("monitoring", "node-exporter", "quay.io/prometheus/node-exporter:v1.8.1", 9100),
             ("logging", "fluent-bit", "cr.fluentbit.io/fluent/fluent-bit:3.0.7", 2020))
    for ns, name, image, port in specs[:daemonsets]:
        plan.docs.append({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        labels = {"app.kubernetes.io/name": name}
        container: Obj = {"name": name, "image": image,
                          "ports": [{"name": "metrics", "containerPort": port, "hostPort": port}],
                          "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}}}
        plan.docs.append({"apiVersion": "apps/v1", "kind": "DaemonSet",
                          "metadata": {"name": name, "namespace": ns, "labels": labels},
                          "spec": {"selector": {"matchLabels": labels},
                                   "template": {"metadata": {"labels": labels},
                                                "spec": {"tolerations": [{"operator": "Exists"}],
                                                         "containers": [container]}}}})
        plan.apps.append(_App(ns, name, plan.nodes, kind="DaemonSet"))


def _statefulsets(plan: _Plan, namespaces: list[str], budget: int) -> None:
    count = min(len(namespaces), max(0, budget // 2000)) or (1 if budget >= 50 else 0)
    images = (("postgres", "postgres:16.2", 5432), ("redis", "redis:7.2.4", 6379))
    for i in range(count):
        ns = namespaces[i % len(namespaces)]
        base, image, port = images[i % len(images)]
        name = _unique(plan, ns, base)
        labels = {"app": name}
        replicas = 3
        plan.docs.append({"apiVersion": "v1", "kind": "Service",
                          "metadata": {"name": name, "namespace": ns, "labels": labels},
                          "spec": {"clusterIP": "None", "selector": labels, "ports": [{"port": port}]}})
        plan.docs.append({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": name, "namespace": ns, "labels": labels},
            "spec": {"serviceName": name, "replicas": replicas, "podManagementPolicy": "Parallel",
                     "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{
                                      "name": base, "image": image, "ports": [{"containerPort": port}],
                                      "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}},
                                      "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]}},
                     "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                               "spec": {"accessModes": ["ReadWriteOnce"],
                                                        "resources": {"requests": {"storage": "10Gi"}}}}]}})
        plan.apps.append(_App(ns, name, replicas, kind="StatefulSet"))
        plan.placed += replicas
    for i in range(max(1, budget // 5000)):
        ns = namespaces[(i * 7) % len(namespaces)]
        claim = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}}
        if i == 0:
            claim["storageClassName"] = "fast-ssd"  # no such class: stays Pending
        plan.docs.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                          "metadata": {"name": _unique(plan, ns, "uploads"), "namespace": ns}, "spec": claim})


def _jobs(plan: _Plan, namespaces: list[str], budget: int) -> None:
    if budget < 20:
        return
    for i in range(max(1, budget // 5000)):
        ns = namespaces[(i * 3 + 1) % len(namespaces)]
        failing = i % 4 == 3
        name = _unique(plan, ns, "db-migrate" if not failing else "report-export")
        script = ("echo connecting to the database; exit 1" if failing
                  else f"echo migrating schema; sleep {10 + plan.rng.randrange(40)}")
        completions = 1 if failing else 1 + plan.rng.randrange(3)
        plan.docs.append({"apiVersion": "batch/v1", "kind": "Job",
                          "metadata": {"name": name, "namespace": ns},
                          "spec": {"completions": completions, "parallelism": completions, "backoffLimit": 2,
                                   "template": {"spec": {"restartPolicy": "Never", "containers": [{
                                       "name": "job", "image": "busybox:1.36", "command": ["sh", "-c", script]}]}}}})
        plan.placed += completions + (2 if failing else 0)
    ns = namespaces[0]
    plan.docs.append({"apiVersion": "batch/v1", "kind": "CronJob",
                      "metadata": {"name": "nightly-report", "namespace": ns},
                      "spec": {"schedule": "0 2 * * *", "jobTemplate": {"spec": {"template": {"spec": {
                          "restartPolicy": "OnFailure",
                          "containers": [{"name": "report", "image": "busybox:1.36",
                                          "command": ["sh", "-c", "echo building report; sleep 30"]}]}}}}}})


def _deployments(plan: _Plan, namespaces: list[str], pods: int) -> None:
    """Deployments (and their Services) until the pods asked for are reached."""
    rng = plan.rng
    target = pods - sum(a.replicas for a in plan.apps if a.kind == "DaemonSet")
    scale = max(1.0, (target / 5000) ** 0.5)  # bigger clusters: bigger Deployments, not only more
    i = 0
    while plan.placed < target:
        ns = namespaces[rng.randrange(len(namespaces))]
        left = target - plan.placed
        replicas = min(left, MAX_REPLICAS, max(1, round(rng.choice(REPLICAS) * scale)))
        name = _unique(plan, ns, rng.choice(COMPONENTS))
        plan.docs += _deployment(plan, ns, name, replicas, i)
        plan.placed += replicas
        i += 1


def _deployment(plan: _Plan, ns: str, name: str, replicas: int, index: int) -> list[Obj]:
    rng = plan.rng
    labels = {"app": name, "app.kubernetes.io/part-of": ns}
    annotations: dict[str, str] = {}
    image = f"{REGISTRY}/{ns}/{name}:v{rng.randrange(1, 4)}.{rng.randrange(20)}.{rng.randrange(10)}"
    if rng.random() < 0.15:
        image = rng.choice(PUBLIC_IMAGES)
    requests = {"cpu": rng.choice(CPU_REQUESTS), "memory": rng.choice(MEMORY_REQUESTS)}
    pod_spec: Obj = {}
    healthy = True
    trouble = index % 50  # a steady share of each kind of trouble, the first ones early (small clusters too)
    if trouble == 1:
        annotations["k9py.sim/crash-after"] = f"{5 + rng.randrange(25)}s"
        healthy = False
    elif trouble == 2:
        image = rng.choice(BAD_TAGS)
        healthy = False
    elif trouble == 3:
        annotations["k9py.sim/never-ready"] = "true"
        healthy = False
    elif trouble == 4 and index % 100 == 4:
        requests = {"cpu": "200", "memory": "128Mi"}  # more than any node has: Pending
        healthy = False
    elif trouble in (5, 30) and replicas <= 5:
        pod_spec["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": name}}, "topologyKey": "kubernetes.io/hostname"}]}}
    elif trouble == 6 and plan.nodes >= 20:
        pod_spec["nodeSelector"] = {"pool": "gpu"}
        pod_spec["tolerations"] = [{"key": GPU_TAINT["key"], "operator": "Exists", "effect": "NoSchedule"}]
    container: Obj = {"name": name.split("-")[0] if image.startswith(REGISTRY) else image.split(":")[0],
                      "image": image}
    if image in PUBLIC_IMAGES and image.split(":")[0] in SERVE_COMMANDS:
        container["command"] = SERVE_COMMANDS[image.split(":")[0]]
    container |= {"ports": [{"name": "http", "containerPort": 8080}],
                  "resources": {"requests": requests, "limits": {"memory": _double(requests["memory"])}},
                  "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080},
                                     "initialDelaySeconds": 5, "periodSeconds": 10}}
    pod_spec["containers"] = [container]
    if image.startswith("nginx:"):
        annotations["k9py.sim/traffic"] = "true"  # behind its Service: clients in its access log
    template_md: Obj = {"labels": labels}
    if annotations:
        template_md["annotations"] = annotations
    plan.apps.append(_App(ns, name, replicas, healthy=healthy))
    dep = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": name, "namespace": ns, "labels": labels},
           "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": template_md, "spec": pod_spec}}}
    svc = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": name, "namespace": ns, "labels": labels},
           "spec": {"selector": {"app": name}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}
    return [dep, svc]


def _double(mem: str) -> str:
    return f"{int(mem[:-2]) * 2}Mi"


# -- churn ---------------------------------------------------------------------------------------

CRASH_REST = 120.0  # seconds before the same app is crashed again (its back-off runs out first)


def _timeline(plan: _Plan, churn: float, duration: float) -> list[Obj]:
    """Steps every 1/churn seconds (jittered): mostly pod deletions and scaling by one, some
    crashes, now and then a rollout restart of a small Deployment or a node cordoned a while."""
    rng = plan.rng
    deps = [a for a in plan.apps if a.kind == "Deployment"]
    if not deps:
        return []
    small = [a for a in deps if a.replicas <= 3] or deps
    healthy = [a for a in deps if a.healthy] or deps  # a crash needs a running container
    crashed_at: dict[int, float] = {}  # and a crashed app's containers wait out a back-off first
    current = {id(a): a.replicas for a in deps}
    total = int(churn * duration)
    steps: list[Obj] = []
    cordoned: list[tuple[float, str]] = []
    for i in range(total):
        at = round((i + rng.random()) / churn, 3)
        while cordoned and cordoned[0][0] <= at:
            steps.append({"at": _at(cordoned[0][0]), "uncordon": cordoned.pop(0)[1]})
        roll = rng.random()
        app = rng.choice(deps)
        sel = f"app={app.name}"
        if roll < 0.45:
            step: Obj = {"delete": {"kind": "Pod", "namespace": app.namespace, "selector": sel, "count": 1}}
        elif roll < 0.8:
            now = current[id(app)]
            up = now <= app.replicas if now > 0 else True
            n = min(MAX_REPLICAS, now + 1) if up else now - 1
            current[id(app)] = n
            step = {"scale": {"name": app.name, "namespace": app.namespace, "replicas": n}}
        elif roll < 0.95:
            target = rng.choice(healthy)
            if at - crashed_at.get(id(target), -CRASH_REST) < CRASH_REST:  # still resting: a pod goes instead
                step = {"delete": {"kind": "Pod", "namespace": app.namespace, "selector": sel, "count": 1}}
            else:
                crashed_at[id(target)] = at
                step = {"crash": {"namespace": target.namespace, "selector": f"app={target.name}"}}
        elif roll < 0.99 or plan.nodes < 4:
            target = rng.choice(small)
            step = {"rolloutRestart": {"name": target.name, "namespace": target.namespace}}
        else:
            node = f"{CLUSTER}-m{rng.randrange(2, plan.nodes + 1):04d}"
            if any(n == node for _, n in cordoned):
                continue
            step = {"cordon": node}
            cordoned.append((round(at + 30, 3), node))
        steps.append({"at": _at(at), **step})
    steps += [{"at": _at(t), "uncordon": n} for t, n in cordoned if t <= duration]
    return steps


def _at(seconds: float) -> float | int:
    return int(seconds) if seconds == int(seconds) else seconds


# -- output --------------------------------------------------------------------------------------

def _dump(header: Obj, docs: list[Obj]) -> str:
    spec = header["spec"]
    nodes, timeline = spec.pop("nodes"), spec.pop("timeline", None)
    parts = [yaml.dump(header, Dumper=FastSafeDumper, sort_keys=False, default_flow_style=False, width=120)]
    # one node, one step a line: a thousand of them stay readable and greppable
    parts[0] += "".join(["  nodes:\n", *(f"  - {_flow(n)}\n" for n in nodes)])
    if timeline:
        parts[0] += "".join(["  timeline:\n", *(f"  - {_flow(s)}\n" for s in timeline)])
    parts += [yaml.dump(d, Dumper=FastSafeDumper, sort_keys=False, default_flow_style=False, width=120) for d in docs]
    intro = ("# Generated by `k9py scenario generate`: a large simulated cluster (see "
             "k9py/scenario/generate.py).\n")
    return intro + "---\n".join(parts)


def _flow(value: Obj) -> str:
    return str(yaml.dump(value, Dumper=FastSafeDumper, sort_keys=False, default_flow_style=True, width=1 << 16)).strip()


def write(path: str, pods: int, nodes: int, *, churn: float = 0.0, seed: int = 0,
          duration: float = DEFAULT_DURATION) -> str:
    """Generate and write the file; returns a one-line summary."""
    text = generate(pods, nodes, churn=churn, seed=seed, duration=duration)
    with open(path, "w", encoding="utf-8") as f:  # (what cannot be opened is left as it was: the user's file)
        try:
            f.write(text)
            f.flush()
        except OSError:  # a full disk: no empty or cut-off scenario is left to be taken for one
            if os.path.isfile(path) and not os.path.islink(path):  # (never a device given as -o)
                with contextlib.suppress(OSError):
                    os.unlink(path)
            raise
    docs = text.count("\n---\n")
    return f"{path}: {pods} pods, {nodes} nodes, {docs} objects" + (f", churn {churn:g}/s" if churn else "")
