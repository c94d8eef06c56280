"""Small fixed clusters built straight into the store (no controllers), for tests and benchmarks.

They do not depend on the simulator's controllers: objects keep exactly the status given here,
so views can be tested while the simulator grows. ``SimBackend.demo()`` is the real demo.
"""

from __future__ import annotations

from typing import Any

from k9py.kube.timefmt import rfc3339
from k9py.sim.version import KUBERNETES_VERSION

Obj = dict[str, Any]


def _pod(cluster: Any, ns: str, name: str, *, labels: dict[str, str] | None = None, node: str = "minikube-m02",
         image: str = "nginx:1.14.2", phase: str = "Running", ready: bool = True, restarts: int = 0,
         waiting: str | None = None, owner: Obj | None = None, ip: str = "10.244.1.2", age: float = 600) -> Obj:
    now = cluster.now()
    started = rfc3339(now - age)
    state: Obj = {"running": {"startedAt": started}}
    if waiting:
        state = {"waiting": {"reason": waiting, "message": "back-off restarting failed container"}}
    md: Obj = {"name": name, "namespace": ns, "labels": dict(labels or {}), "creationTimestamp": started}
    if owner is not None:
        md["ownerReferences"] = [{"apiVersion": owner["apiVersion"], "kind": owner["kind"],
                                  "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
                                  "controller": True, "blockOwnerDeletion": True}]
    cname = image.split(":")[0].split("/")[-1]
    return cluster.store.create({
        "apiVersion": "v1", "kind": "Pod", "metadata": md,
        "spec": {"nodeName": node, "containers": [{"name": cname, "image": image}]},
        "status": {"phase": phase, "podIP": ip, "hostIP": "192.168.49.3", "startTime": started,
                   "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
                   "containerStatuses": [{"name": cname, "image": image, "ready": ready,
                                          "restartCount": restarts, "state": state, "started": ready}]},
    })


def small_cluster(seed: int = 0) -> Any:
    """A minikube-like cluster: 3 nodes, nginx-deployment (3 pods), counter, a crash-looping pod,
    services, a bound PV/PVC, a ConfigMap and a Secret."""
    from k9py.sim.cluster import Cluster

    c = Cluster(seed=seed, controllers=[])
    s = c.store
    ts = rfc3339(c.now() - 3600)
    for i, node in enumerate(("minikube", "minikube-m02", "minikube-m03")):
        labels = {"kubernetes.io/hostname": node, "kubernetes.io/os": "linux"}
        if i == 0:
            labels["node-role.kubernetes.io/control-plane"] = ""
        s.create({"apiVersion": "v1", "kind": "Node",
                  "metadata": {"name": node, "labels": labels, "creationTimestamp": ts},
                  "spec": {"podCIDR": f"10.244.{i}.0/24"},
                  "status": {"conditions": [{"type": "Ready", "status": "True"}],
                             "nodeInfo": {"kubeletVersion": KUBERNETES_VERSION, "osImage": "Ubuntu 22.04.4 LTS",
                                          "kernelVersion": "6.8.0", "containerRuntimeVersion": "docker://27.2.0"},
                             "addresses": [{"type": "InternalIP", "address": f"192.168.49.{i + 2}"}],
                             "capacity": {"cpu": "2", "memory": "4015360Ki", "pods": "110"},
                             "allocatable": {"cpu": "2", "memory": "4015360Ki", "pods": "110"}}})
    dep = s.create({"apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": "nginx-deployment", "namespace": "default", "labels": {"app": "nginx"},
                                 "creationTimestamp": ts},
                    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx"}},
                             "template": {"metadata": {"labels": {"app": "nginx"}},
                                          "spec": {"containers": [{"name": "nginx", "image": "nginx:1.14.2",
                                                                   "ports": [{"containerPort": 80}]}]}}},
                    "status": {"replicas": 3, "readyReplicas": 3, "updatedReplicas": 3, "availableReplicas": 3,
                               "observedGeneration": 1}})
    rs = s.create({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                   "metadata": {"name": "nginx-deployment-77d8468669", "namespace": "default",
                                "labels": {"app": "nginx", "pod-template-hash": "77d8468669"},
                                "creationTimestamp": ts,
                                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                                     "name": "nginx-deployment", "uid": dep["metadata"]["uid"],
                                                     "controller": True, "blockOwnerDeletion": True}]},
                   "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx", "pod-template-hash": "77d8468669"}},
                            "template": dep["spec"]["template"]},
                   "status": {"replicas": 3, "readyReplicas": 3, "availableReplicas": 3, "fullyLabeledReplicas": 3}})
    for i, suffix in enumerate(("2xq7v", "9lwhk", "kc4gz")):
        _pod(c, "default", f"nginx-deployment-77d8468669-{suffix}", labels={"app": "nginx", "pod-template-hash": "77d8468669"},
             owner=rs, node=("minikube-m02", "minikube-m03", "minikube-m02")[i], ip=f"10.244.1.{i + 3}")
    _pod(c, "default", "counter", image="busybox:1.28", labels={"run": "counter"}, ip="10.244.2.7", age=300)
    _pod(c, "default", "crashy", image="busybox:1.28", labels={"run": "crashy"}, ready=False, restarts=4,
         waiting="CrashLoopBackOff", ip="10.244.2.8", age=240)
    _pod(c, "kube-system", "coredns-6f6b679f8f-x7zk2", image="registry.k8s.io/coredns/coredns:v1.11.1",
         labels={"k8s-app": "kube-dns"}, node="minikube", ip="10.244.0.2", age=3600)
    _pod(c, "kube-system", "etcd-minikube", image="registry.k8s.io/etcd:3.5.15-0",
         labels={"component": "etcd"}, node="minikube", ip="192.168.49.2", age=3600)
    if s.get("Service", "default", "kubernetes") is None:  # bootstrap may have made it
        s.create({"apiVersion": "v1", "kind": "Service",
                  "metadata": {"name": "kubernetes", "namespace": "default", "creationTimestamp": ts},
                  "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.1",
                           "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 8443}]}})
    s.create({"apiVersion": "v1", "kind": "Service",
              "metadata": {"name": "my-nginx", "namespace": "default", "labels": {"app": "nginx"}, "creationTimestamp": ts},
              "spec": {"type": "NodePort", "clusterIP": "10.96.120.17", "selector": {"app": "nginx"},
                       "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80, "nodePort": 31080}]}})
    s.create({"apiVersion": "v1", "kind": "PersistentVolume",
              "metadata": {"name": "pv-hostpath", "creationTimestamp": ts},
              "spec": {"capacity": {"storage": "2Gi"}, "accessModes": ["ReadWriteOnce"],
                       "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "manual",
                       "hostPath": {"path": "/tmp/k8s-pv"},
                       "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "pvc-hostpath"}},
              "status": {"phase": "Bound"}})
    s.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
              "metadata": {"name": "pvc-hostpath", "namespace": "default", "creationTimestamp": ts},
              "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "2Gi"}},
                       "storageClassName": "manual", "volumeName": "pv-hostpath"},
              "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "2Gi"}}})
    s.create({"apiVersion": "v1", "kind": "ConfigMap",
              "metadata": {"name": "app-config", "namespace": "default", "creationTimestamp": ts},
              "data": {"mode": "demo", "level": "info"}})
    s.create({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
              "metadata": {"name": "app-secret", "namespace": "default", "creationTimestamp": ts},
              "data": {"password": "czNjcjN0"}})
    cj = s.create({"apiVersion": "batch/v1", "kind": "CronJob",
                   "metadata": {"name": "hello", "namespace": "default", "creationTimestamp": ts},
                   "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                       "restartPolicy": "OnFailure", "containers": [{"name": "hello", "image": "busybox:1.28"}]}}}}},
                   "status": {"lastScheduleTime": rfc3339(c.now() - 120)}})
    s.create({"apiVersion": "batch/v1", "kind": "Job",
              "metadata": {"name": "hello-29000000", "namespace": "default", "creationTimestamp": rfc3339(c.now() - 120),
                           "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "hello",
                                                "uid": cj["metadata"]["uid"], "controller": True}]},
              "spec": {"completions": 1, "parallelism": 1, "selector": {"matchLabels": {"job-name": "hello-29000000"}}},
              "status": {"succeeded": 1, "startTime": rfc3339(c.now() - 120), "completionTime": rfc3339(c.now() - 110)}})
    return c


def add_pods(cluster: Any, count: int, *, namespaces: int = 20, prefix: str = "load") -> None:
    """Add ``count`` Running pods spread over ``namespaces`` namespaces (benchmarks)."""
    store = cluster.store
    ts = rfc3339(cluster.now() - 900)
    for n in range(namespaces):
        ns = f"{prefix}-{n:02d}"
        if store.get("Namespace", None, ns) is None:
            store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "creationTimestamp": ts},
                          "status": {"phase": "Active"}})
    for i in range(count):
        ns = f"{prefix}-{i % namespaces:02d}"
        name = f"{prefix}-app-{i:06d}"
        store.create({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": f"app-{i % 50}"}, "creationTimestamp": ts},
            "spec": {"nodeName": f"minikube-m0{2 + i % 2}", "containers": [{"name": "app", "image": "nginx:1.27"}]},
            "status": {"phase": "Running", "podIP": f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}",
                       "conditions": [{"type": "Ready", "status": "True"}],
                       "containerStatuses": [{"name": "app", "ready": True, "restartCount": i % 3,
                                              "state": {"running": {"startedAt": ts}}, "started": True}]},
        })


def add_events(cluster: Any, count: int) -> Any:
    """``cluster`` with ``count`` more Events about its pods, as the kubelet records them (each
    with its own message: none is folded into another's count; benchmarks)."""
    pods = cluster.store.list("Pod")
    reasons = ["Scheduled", "Pulling", "Pulled", "Created", "Started", "Killing"]
    with cluster.lock:
        for i in range(count):
            pod = pods[i % len(pods)]
            cluster.clock.set(cluster.now() + 0.01)
            cluster.record_event(pod, "Warning" if i % 50 == 0 else "Normal", reasons[i % len(reasons)],
                                 f"event {i} of {pod['metadata']['name']}", "kubelet", host="node-1")
    return cluster


def api_with_pods(seed: int, pods: int, namespaces: int) -> Any:
    """``serve``'s Api over ``small_cluster(seed)`` with ``pods`` more pods in ``namespaces``
    load-NN namespaces (``add_pods``): what the list tests page and query."""
    from k9py.serve.api import Api

    c = small_cluster(seed)
    add_pods(c, pods, namespaces=namespaces)
    return Api(c)
