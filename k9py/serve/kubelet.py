"""What a node's kubelet answers through the API server's node proxy
(``/api/v1/nodes/NAME/proxy/…``) beyond ``/healthz`` and ``/pods``: ``/configz`` (its
KubeletConfiguration, what the docs' "generate the kubelet config" procedure reads) and
``/stats/summary`` (the Summary API: the node's and its pods' CPU, memory and file systems, which
``kubectl get --raw`` users read for ephemeral-storage usage).

Figures are the simulator's: CPU and working set from ``k9py.sim.metrics`` (what ``kubectl top``
shows), file systems from the node's ephemeral-storage capacity, everything else steady and
plausible, deterministic for a seed and a virtual time.
"""

from __future__ import annotations

import zlib
from typing import Any

from k9py.kube import quantity
from k9py.kube.meta import dig
from k9py.kube.timefmt import parse_time, rfc3339
from k9py.sim import metrics as sim_metrics

Obj = dict[str, Any]

GI = 1024 ** 3


def configz(node: Obj) -> Obj:
    """``/configz``: the kubelet's configuration (minikube's kubeadm-made one)."""
    cap = dig(node, "status", "capacity") or {}
    runtime = str(dig(node, "status", "nodeInfo", "containerRuntimeVersion") or "")
    endpoint = "unix:///var/run/cri-dockerd.sock" if runtime.startswith("docker") else "unix:///run/containerd/containerd.sock"
    return {"kubeletconfig": {
        "enableServer": True,
        "staticPodPath": "/etc/kubernetes/manifests",
        "podLogsDir": "/var/log/pods",
        "syncFrequency": "1m0s",
        "fileCheckFrequency": "20s",
        "httpCheckFrequency": "20s",
        "address": "0.0.0.0",
        "port": 10250,
        "tlsCertFile": "/var/lib/kubelet/pki/kubelet.crt",
        "tlsPrivateKeyFile": "/var/lib/kubelet/pki/kubelet.key",
        "authentication": {"x509": {"clientCAFile": "/var/lib/minikube/certs/ca.crt"},
                           "webhook": {"enabled": True, "cacheTTL": "2m0s"},
                           "anonymous": {"enabled": False}},
        "authorization": {"mode": "Webhook",
                          "webhook": {"cacheAuthorizedTTL": "5m0s", "cacheUnauthorizedTTL": "30s"}},
        "registryPullQPS": 5,
        "registryBurst": 10,
        "eventRecordQPS": 50,
        "eventBurst": 100,
        "enableDebuggingHandlers": True,
        "healthzPort": 10248,
        "healthzBindAddress": "127.0.0.1",
        "oomScoreAdj": -999,
        "clusterDomain": "cluster.local",
        "clusterDNS": ["10.96.0.10"],
        "streamingConnectionIdleTimeout": "4h0m0s",
        "nodeStatusUpdateFrequency": "10s",
        "nodeStatusReportFrequency": "5m0s",
        "nodeLeaseDurationSeconds": 40,
        "imageMinimumGCAge": "2m0s",
        "imageMaximumGCAge": "0s",
        "imageGCHighThresholdPercent": 100,
        "imageGCLowThresholdPercent": 80,
        "volumeStatsAggPeriod": "1m0s",
        "cgroupsPerQOS": True,
        "cgroupDriver": "cgroupfs",
        "cpuManagerPolicy": "none",
        "cpuManagerReconcilePeriod": "10s",
        "memoryManagerPolicy": "None",
        "topologyManagerPolicy": "none",
        "topologyManagerScope": "container",
        "runtimeRequestTimeout": "15m0s",
        "hairpinMode": "hairpin-veth",
        "maxPods": int(str(cap.get("pods") or "110")),
        "podPidsLimit": -1,
        "resolvConf": "/etc/resolv.conf",
        "cpuCFSQuota": True,
        "cpuCFSQuotaPeriod": "100ms",
        "nodeStatusMaxImages": 50,
        "maxOpenFiles": 1000000,
        "contentType": "application/vnd.kubernetes.protobuf",
        "kubeAPIQPS": 50,
        "kubeAPIBurst": 100,
        "serializeImagePulls": True,
        "evictionHard": {"imagefs.available": "0%", "nodefs.available": "0%", "nodefs.inodesFree": "0%"},
        "evictionPressureTransitionPeriod": "5m0s",
        "enableControllerAttachDetach": True,
        "makeIPTablesUtilChains": True,
        "iptablesMasqueradeBit": 14,
        "iptablesDropBit": 15,
        "failSwapOn": False,
        "memorySwap": {},
        "containerLogMaxSize": "10Mi",
        "containerLogMaxFiles": 5,
        "containerLogMaxWorkers": 1,
        "containerLogMonitorInterval": "10s",
        "configMapAndSecretChangeDetectionStrategy": "Watch",
        "enforceNodeAllocatable": ["pods"],
        "volumePluginDir": "/usr/libexec/kubernetes/kubelet-plugins/volume/exec/",
        "logging": {"format": "text", "flushFrequency": "5s", "verbosity": 0,
                    "options": {"text": {"infoBufferSize": "0"}, "json": {"infoBufferSize": "0"}}},
        "enableSystemLogHandler": True,
        "enableSystemLogQuery": False,
        "shutdownGracePeriod": "0s",
        "shutdownGracePeriodCriticalPods": "0s",
        "enableProfilingHandler": True,
        "enableDebugFlagsHandler": True,
        "seccompDefault": False,
        "memoryThrottlingFactor": 0.9,
        "registerNode": True,
        "localStorageCapacityIsolation": True,
        "containerRuntimeEndpoint": endpoint,
        "failCgroupV1": False,
    }}


def _hash(*parts: object) -> int:
    return zlib.crc32("/".join(str(p) for p in parts).encode())


def _fs(now: str, capacity: int, used: int, inodes: int = 3_907_584) -> Obj:
    used = max(0, min(used, capacity))
    inodes_used = min(inodes, max(1, used // 65_536))
    return {"time": now, "availableBytes": capacity - used, "capacityBytes": capacity, "usedBytes": used,
            "inodesFree": inodes - inodes_used, "inodes": inodes, "inodesUsed": inodes_used}


def _memory(now: str, working_set: int, available: int | None = None) -> Obj:
    out: Obj = {"time": now}
    if available is not None:
        out["availableBytes"] = max(0, available)
    out.update({"usageBytes": working_set + working_set // 5, "workingSetBytes": working_set,
                "rssBytes": working_set * 4 // 5, "pageFaults": working_set // 4096, "majorPageFaults": 0})
    return out


def _time(v: Any) -> float | None:
    try:
        return parse_time(v) if isinstance(v, str) else None
    except ValueError:
        return None


def _network(now: str, key: int, up: float) -> Obj:
    """eth0's counters: a steady trickle (probes, DNS, the API) since ``up`` seconds."""
    rx, tx = int(up * (800 + key % 1600)), int(up * (300 + key % 900))
    iface = {"name": "eth0", "rxBytes": rx, "rxErrors": 0, "txBytes": tx, "txErrors": 0}
    return {"time": now, **iface, "interfaces": [dict(iface)]}


def _cpu(now: str, nanos: int, since: float | None, at: float) -> Obj:
    up = max(0.0, at - since) if since is not None else 0.0
    return {"time": now, "usageNanoCores": nanos, "usageCoreNanoSeconds": int(nanos * up)}


def summary(cluster: Any, node: Obj) -> Obj:
    """``/stats/summary``: the Summary API (stats/v1alpha1) of ``node`` and its running pods."""
    at = cluster.now()
    now = rfc3339(at)
    seed = int(getattr(cluster, "seed", 0) or 0)
    name = str(dig(node, "metadata", "name") or "")
    pods = [p for p in cluster.store.list("Pod") if dig(p, "spec", "nodeName") == name]
    loads = sim_metrics.load_shares(cluster)
    cap = dig(node, "status", "capacity") or {}
    mem_cap = quantity.bytes_of(cap.get("memory"))
    disk = quantity.bytes_of(cap.get("ephemeral-storage")) or 100 * GI
    booted = _time(dig(node, "metadata", "creationTimestamp")) or at
    start = rfc3339(booted)
    usage = sim_metrics.node_usage(seed, node, pods, at, loads, cached=True)  # (the pods below read the same)
    node_used = disk // 5 + _hash(seed, name, "disk") % (4 * GI)
    images = 3 * GI + _hash(seed, name, "images") % GI
    out_pods: list[Obj] = []
    pods_cpu = pods_mem = 0
    for pod in sorted(pods, key=lambda p: (dig(p, "metadata", "namespace") or "", dig(p, "metadata", "name") or "")):
        if dig(pod, "status", "phase") != "Running":
            continue
        md = pod.get("metadata") or {}
        per = sim_metrics.usage_of(seed, pod, at, loads) or {}
        statuses = {s.get("name"): s for s in dig(pod, "status", "containerStatuses") or []}
        pod_start = _time(dig(pod, "status", "startTime")) or at
        containers: list[Obj] = []
        volumes: list[Obj] = []
        cpu_total = mem_total = logs_total = rootfs_total = 0
        for c in dig(pod, "spec", "containers") or []:
            cname = str(c.get("name") or "")
            st = statuses.get(cname) or {}
            started = _time(dig(st, "state", "running", "startedAt"))
            if started is None:
                continue
            u = per.get(cname)
            cpu, mem = (u.cpu_nanos, u.memory_bytes) if u is not None else (0, 0)
            rootfs = 4096 * (1 + _hash(seed, md.get("uid"), cname, "rootfs") % 64)
            logs = 4096 * (1 + int(max(0.0, at - started)) // 60)
            cpu_total, mem_total = cpu_total + cpu, mem_total + mem
            logs_total, rootfs_total = logs_total + logs, rootfs_total + rootfs
            containers.append({"name": cname, "startTime": rfc3339(started), "cpu": _cpu(now, cpu, started, at),
                               "memory": _memory(now, mem), "rootfs": _fs(now, disk, rootfs),
                               "logs": _fs(now, disk, logs)})
        for v in dig(pod, "spec", "volumes") or []:
            if isinstance(v, dict) and any(k in v for k in ("emptyDir", "configMap", "secret", "projected", "downwardAPI")):
                volumes.append({"name": str(v.get("name") or ""), **_fs(now, disk, 4096 * (1 + _hash(md.get("uid"), v.get("name")) % 8))})
        ephemeral = rootfs_total + logs_total + sum(v["usedBytes"] for v in volumes)
        pods_cpu, pods_mem = pods_cpu + cpu_total, pods_mem + mem_total
        out_pods.append({
            "podRef": {"name": md.get("name", ""), "namespace": md.get("namespace", ""), "uid": md.get("uid", "")},
            "startTime": rfc3339(pod_start), "containers": containers,
            "cpu": _cpu(now, cpu_total, pod_start, at), "memory": _memory(now, mem_total),
            "network": _network(now, _hash(md.get("uid"), "net"), at - pod_start),
            **({"volume": volumes} if volumes else {}),
            "ephemeral-storage": _fs(now, disk, ephemeral),
            "process_stats": {"process_count": len(containers)},
        })
    kubelet_mem = 60 * 1024 * 1024 + _hash(seed, name, "kubelet") % (20 * 1024 * 1024)
    runtime_mem = 40 * 1024 * 1024 + _hash(seed, name, "runtime") % (20 * 1024 * 1024)
    return {
        "node": {
            "nodeName": name,
            "systemContainers": [
                {"name": "kubelet", "startTime": start, "cpu": _cpu(now, usage.cpu_nanos // 20, booted, at),
                 "memory": _memory(now, kubelet_mem)},
                {"name": "runtime", "startTime": start, "cpu": _cpu(now, usage.cpu_nanos // 25, booted, at),
                 "memory": _memory(now, runtime_mem)},
                {"name": "pods", "startTime": start, "cpu": _cpu(now, pods_cpu, booted, at),
                 "memory": _memory(now, pods_mem, mem_cap - pods_mem)},
            ],
            "startTime": start,
            "cpu": _cpu(now, usage.cpu_nanos, booted, at),
            "memory": _memory(now, usage.memory_bytes, mem_cap - usage.memory_bytes),
            "network": _network(now, _hash(seed, name, "net"), 40 * (at - booted)),
            "fs": _fs(now, disk, node_used),
            "runtime": {"imageFs": _fs(now, disk, images), "containerFs": _fs(now, disk, images)},
            "rlimit": {"time": now, "maxpid": 4194304, "curproc": 400 + 12 * len(out_pods)},
        },
        "pods": out_pods,
    }
