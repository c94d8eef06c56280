"""Replaying a large recording through the replay backend.

- replay_events_per_s: a 100,000-event JSON Lines recording opened with ``ReplayBackend.open``
  (read, checked, indexed, prepared for seeking, at t=0) and played to its end at 1× in the
  driver's 0.1 s ticks (run back to back, no sleeping), then the state at the end read whole
  (``Player.state()``: every object there decoded and in the store), events divided by the wall
  seconds of the whole. Each tick's net change goes to the store: at once for the kinds
  somebody watches (here nobody does), when first read for the others; so the final read is
  what decodes the objects, each once, and it is timed.
- replay_rss_mb: resident memory after that (the recording loaded, played to its end, its
  end state decoded in the store).
- replay_cpu_events_per_s: the same events divided by the CPU seconds of the process (what the
  wall figure would be on an idle machine: the benchmark machine is shared).

The recording is written first by a child process (its memory is not counted), seeded: a
cluster of 40 namespaces, 60 nodes, 400 Deployments with their ReplicaSets and ~6,000 pods at
t=0 (shaped like a real cluster's, ~2.4 KB each, uids and resourceVersions as recorded), then
churn: pods replaced (terminating, deleted, created, scheduled, running, each with its Events),
ReplicaSet status updates, node Lease renewals and some container log lines. ``--quick`` plays
a 10,000-event one (events/s only: the RSS of a small one says nothing about 100k).
"""

from __future__ import annotations

import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the child writing the recording

from benchmarks.common import ROOT, SEED, Figure, rss_mb

FIGURES: dict[str, Figure] = {
    "replay_events_per_s": ("ev/s", 100_000, False),
    "replay_rss_mb": ("MB", 200, True),
    "replay_cpu_events_per_s": ("ev/s", None, False),
}

EVENTS, QUICK_EVENTS = 100_000, 10_000
TICK = 0.1  # the replay backend's driver tick
START = 1_793_523_600.0  # 2026-11-01T09:00:00Z
Obj = dict[str, Any]


# -- the recording --------------------------------------------------------------------------------

def _ts(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(START + t))


class _Gen:
    """A seeded cluster's history, written as JSON Lines."""

    def __init__(self, events: int, out: Any) -> None:
        self.rng = random.Random(SEED)
        self.left = events
        self.out = out
        self.rv = 1000
        self.t = 0.0
        self.scale = max(1, events // 10_000)  # cluster size grows with the recording

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def emit(self, type_: str, obj: Obj | None = None, **log: Any) -> None:
        if self.left <= 0:
            return
        self.left -= 1
        if obj is not None:
            self.rv += 1
            obj["metadata"]["resourceVersion"] = str(self.rv)
            line = {"t": round(self.t, 3), "type": type_, "object": obj}
        else:
            line = {"t": round(self.t, 3), "type": "LOG", **log}
        self.out.write(json.dumps(line, separators=(",", ":")) + "\n")

    def suffix(self, n: int = 5) -> str:
        return "".join(self.rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(n))

    # objects shaped like a real cluster's
    def pod(self, ns: str, rs: Obj, app: str) -> Obj:
        name = f"{rs['metadata']['name']}-{self.suffix()}"
        vol = f"kube-api-access-{self.suffix()}"
        return {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "generateName": rs["metadata"]["name"] + "-", "namespace": ns,
                         "uid": self.uid(), "creationTimestamp": _ts(self.t),
                         "labels": {"app": app, "pod-template-hash": rs["metadata"]["labels"]["pod-template-hash"]},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                              "name": rs["metadata"]["name"], "uid": rs["metadata"]["uid"],
                                              "controller": True, "blockOwnerDeletion": True}]},
            "spec": {"containers": [{"name": app, "image": f"registry.example.com/{app}:1.{len(app) % 9}.2",
                                     "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                                     "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                                   "limits": {"memory": "256Mi"}},
                                     "imagePullPolicy": "IfNotPresent",
                                     "terminationMessagePath": "/dev/termination-log",
                                     "terminationMessagePolicy": "File",
                                     "volumeMounts": [{"name": vol, "readOnly": True,
                                                       "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}],
                     "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                     "serviceAccountName": "default", "serviceAccount": "default", "securityContext": {},
                     "schedulerName": "default-scheduler", "priority": 0, "enableServiceLinks": True,
                     "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
                                      "effect": "NoExecute", "tolerationSeconds": 300},
                                     {"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                      "effect": "NoExecute", "tolerationSeconds": 300}],
                     "volumes": [{"name": vol, "projected": {"defaultMode": 420, "sources": [
                         {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                         {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}]}}]},
            "status": {"phase": "Pending", "qosClass": "Burstable"},
        }

    def running(self, pod: Obj, node: str, ip: str) -> Obj:
        now = _ts(self.t)
        app = pod["spec"]["containers"][0]["name"]
        return {**pod, "spec": {**pod["spec"], "nodeName": node}, "status": {
            "phase": "Running", "qosClass": "Burstable", "hostIP": f"10.0.{node[-3:].lstrip('0') or 0}.1",
            "podIP": ip, "startTime": now,
            "conditions": [{"type": c, "status": "True", "lastProbeTime": None, "lastTransitionTime": now}
                           for c in ("Initialized", "Ready", "ContainersReady", "PodScheduled")],
            "containerStatuses": [{"name": app, "image": pod["spec"]["containers"][0]["image"],
                                   "imageID": "docker-pullable://registry.example.com/" + app + "@sha256:"
                                   + f"{self.rng.getrandbits(256):064x}", "ready": True, "restartCount": 0,
                                   "started": True, "state": {"running": {"startedAt": now}}, "lastState": {},
                                   "containerID": f"containerd://{self.rng.getrandbits(256):064x}"}]}}

    def event(self, pod: Obj, reason: str, message: str, kind: str = "Pod", source: str = "kubelet") -> None:
        md = pod["metadata"]
        now = _ts(self.t)
        self.emit("ADDED", {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"{md['name']}.{self.rng.getrandbits(64):x}", "namespace": md["namespace"],
                         "uid": self.uid(), "creationTimestamp": now},
            "involvedObject": {"kind": kind, "namespace": md["namespace"], "name": md["name"], "uid": md["uid"],
                               "apiVersion": "v1" if kind == "Pod" else "apps/v1", "resourceVersion": str(self.rv)},
            "reason": reason, "message": message, "source": {"component": source},
            "firstTimestamp": now, "lastTimestamp": now, "count": 1, "type": "Normal",
            "eventTime": None, "reportingComponent": source, "reportingInstance": ""})

    def lease(self, node: str, created: str) -> Obj:
        return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": {"name": node, "namespace": "kube-node-lease", "uid": self.uid(),
                             "creationTimestamp": created,
                             "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": node, "uid": self.uid()}]},
                "spec": {"holderIdentity": node, "leaseDurationSeconds": 40, "renewTime": _ts(self.t)[:-1] + ".000000Z"}}

    def write(self) -> None:
        rng, s = self.rng, self.scale
        created = _ts(-86400)
        namespaces = [f"team-{i:02d}" for i in range(4 * s)]
        nodes = [f"node-{i:03d}" for i in range(6 * s)]
        for ns in namespaces:
            self.emit("ADDED", {"apiVersion": "v1", "kind": "Namespace", "metadata": {
                "name": ns, "uid": self.uid(), "creationTimestamp": created,
                "labels": {"kubernetes.io/metadata.name": ns}}, "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"}})
        leases = {n: self.lease(n, created) for n in nodes}
        for n in nodes:
            self.emit("ADDED", {"apiVersion": "v1", "kind": "Node", "metadata": {
                "name": n, "uid": self.uid(), "creationTimestamp": created,
                "labels": {"kubernetes.io/hostname": n, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}},
                "spec": {"podCIDR": f"10.244.{nodes.index(n)}.0/24"},
                "status": {"capacity": {"cpu": "16", "memory": "65842480Ki", "pods": "110"},
                           "allocatable": {"cpu": "15800m", "memory": "64691504Ki", "pods": "110"},
                           "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                           "nodeInfo": {"kubeletVersion": "v1.31.0", "osImage": "Ubuntu 22.04.4 LTS",
                                        "containerRuntimeVersion": "containerd://1.7.13"}}})
            self.emit("ADDED", leases[n])
        sets: list[tuple[str, str, Obj, list[Obj]]] = []
        ip = 0
        for i in range(40 * s):
            ns, app = namespaces[i % len(namespaces)], f"svc-{i:04d}"
            replicas = rng.choice((3, 5, 10, 20, 30))
            labels = {"app": app}
            dep = {"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": app, "namespace": ns, "uid": self.uid(), "generation": 1,
                                "creationTimestamp": created, "labels": labels,
                                "annotations": {"deployment.kubernetes.io/revision": "1"}},
                   "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                            "strategy": {"type": "RollingUpdate",
                                         "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}},
                            "template": {"metadata": {"labels": labels}, "spec": {"containers": [
                                {"name": app, "image": f"registry.example.com/{app}:1.0.2"}]}}},
                   "status": {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas,
                              "updatedReplicas": replicas, "observedGeneration": 1}}
            self.emit("ADDED", dep)
            h = f"{rng.getrandbits(40):010x}"
            rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                  "metadata": {"name": f"{app}-{h}", "namespace": ns, "uid": self.uid(), "generation": 1,
                               "creationTimestamp": created, "labels": {**labels, "pod-template-hash": h},
                               "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": app,
                                                    "uid": dep["metadata"]["uid"], "controller": True,
                                                    "blockOwnerDeletion": True}]},
                  "spec": {"replicas": replicas, "selector": {"matchLabels": {**labels, "pod-template-hash": h}},
                           "template": dep["spec"]["template"]},
                  "status": {"replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas,
                             "fullyLabeledReplicas": replicas, "observedGeneration": 1}}
            self.emit("ADDED", rs)
            pods = []
            for _ in range(replicas):
                ip += 1
                p = self.running(self.pod(ns, rs, app), rng.choice(nodes), f"10.{ip >> 16}.{(ip >> 8) & 255}.{ip & 255}")
                self.emit("ADDED", p)
                pods.append(p)
            sets.append((ns, app, rs, pods))
        renew = 0.0
        while self.left > 0:
            self.t += rng.expovariate(20.0)  # ~10 pods replaced a second
            while renew + 10.0 <= self.t:  # every node renews its lease every 10 s
                renew += 10.0
                for n in nodes[: 2 * s]:
                    old = leases[n]
                    leases[n] = {**old, "spec": {**old["spec"], "renewTime": _ts(renew)[:-1] + ".000000Z"}}
                    self.emit("MODIFIED", leases[n])
            ns, app, rs, pods = rng.choice(sets)
            old = pods.pop(rng.randrange(len(pods)))
            dying = {**old, "metadata": {**old["metadata"], "deletionTimestamp": _ts(self.t + 30),
                                         "deletionGracePeriodSeconds": 30}}
            self.emit("MODIFIED", dying)
            self.event(old, "Killing", f"Stopping container {app}")
            new = self.pod(ns, rs, app)
            self.emit("ADDED", new)
            self.event(rs, "SuccessfulCreate", f"Created pod: {new['metadata']['name']}", "ReplicaSet",
                       "replicaset-controller")
            self.t += 0.02
            node = rng.choice(nodes)
            self.event(new, "Scheduled", f"Successfully assigned {ns}/{new['metadata']['name']} to {node}",
                       source="default-scheduler")
            self.event(new, "Pulled", f'Container image "{new["spec"]["containers"][0]["image"]}" already present')
            self.event(new, "Started", f"Started container {app}")
            ip += 1
            new = self.running(new, node, f"10.{ip >> 16}.{(ip >> 8) & 255}.{ip & 255}")
            self.emit("MODIFIED", new)
            pods.append(new)
            for _ in range(3):
                self.emit("LOG", namespace=ns, pod=new["metadata"]["name"], container=app,
                          line=f"{_ts(self.t)} INFO listening on :8080 worker={rng.randrange(64)}")
            self.t += 0.03
            self.emit("DELETED", dying)
            status = {**rs["status"], "observedGeneration": rs["status"]["observedGeneration"] + 1}
            rs = {**rs, "status": status}
            self.emit("MODIFIED", rs)


def write_recording(events: int, path: str) -> None:
    with open(path, "w") as out:
        out.write(json.dumps({"kind": "Recording", "version": 1, "start": _ts(0), "context": "bench",
                              "serverVersion": "v1.31.0"}) + "\n")
        _Gen(events, out).write()


# -- measuring ------------------------------------------------------------------------------------

def measure(quick: bool) -> dict[str, float]:
    from k9py.backends.replay import ReplayBackend

    events = QUICK_EVENTS if quick else EVENTS
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "recording.jsonl")
        subprocess.run([sys.executable, __file__, str(events), path], check=True, cwd=ROOT)
        gc.collect()
        c0, t0 = time.process_time(), time.perf_counter()
        backend = ReplayBackend.open(path)
        player = backend.player
        while not player.at_end:
            player.advance(TICK)
        end_state = player.state()
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        assert player.events_played == player.total_events == events, (player.events_played, events)
        assert end_state and not player.store.kinds_behind()
        out = {"replay_events_per_s": events / elapsed, "replay_cpu_events_per_s": events / cpu}
        if not quick:
            gc.collect()
            out["replay_rss_mb"] = rss_mb()
        return out


if __name__ == "__main__":  # the child that writes the recording
    write_recording(int(sys.argv[1]), sys.argv[2])
