"""describe() per kind: expected texts written out from kubectl's describe.go and Go's tabwriter.

(tests/view/test_describe_vs_kubectl.py compares with the real kubectl; these pin the cases the
demo cluster does not produce and the building blocks.)
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from k9py.kube.meta import deep_copy
from k9py.view.describe import describe
from k9py.view.describe_common import Quantity, pod_resources, sum_resources
from k9py.view.describe_misc import smart_label
from k9py.view.describe_text import Writer, tabwrite
from tests.sim.helpers import make_cluster, pod_manifest

T0 = datetime(2026, 11, 1, 9, 0, 0, tzinfo=UTC).timestamp()
NOW = T0 + 3600


def ts(seconds_before_now: float) -> str:
    return datetime.fromtimestamp(NOW - seconds_before_now, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def md(name: str, namespace: str | None = "default", **extra) -> dict:
    m = {"name": name, "uid": f"uid-{name}", "creationTimestamp": ts(600), **extra}
    if namespace:
        m["namespace"] = namespace
    return m


def event(obj: dict, reason: str, message: str, *, type_: str = "Normal", first: float = 60, last: float | None = None,
          count: int = 1, component: str = "kubelet", field_path: str | None = None, name: str | None = None) -> dict:
    io = {"kind": obj["kind"], "name": obj["metadata"]["name"], "namespace": obj["metadata"].get("namespace", ""),
          "uid": obj["metadata"]["uid"]}
    if field_path:
        io["fieldPath"] = field_path
    return {"kind": "Event", "apiVersion": "v1",
            "metadata": {"name": name or f"{obj['metadata']['name']}.{int(first):08x}", "namespace": obj["metadata"].get("namespace") or "default"},
            "involvedObject": io, "reason": reason, "message": message, "type": type_, "count": count,
            "firstTimestamp": ts(first), "lastTimestamp": ts(first if last is None else last),
            "source": {"component": component}}


# -- tabwriter ---------------------------------------------------------------------------------

def test_tabwriter_pads_columns_per_block_and_leaves_last_cell_alone():
    text = "Name:\tx\nNamespace:\tdefault\nNo tab here\nA:\tb\n"
    assert tabwrite(text) == "Name:       x\nNamespace:  default\nNo tab here\nA:  b\n"


def test_tabwriter_nested_columns_and_empty_cells():
    text = "  Type\tReason\tAge\n  ----\t------\t---\n  Normal\tScheduled\t5s\n"
    assert tabwrite(text) == ("  Type    Reason     Age\n"
                              "  ----    ------     ---\n"
                              "  Normal  Scheduled  5s\n")
    # an empty first cell continues the block (how multi-line labels align under their title)
    assert tabwrite("Labels:\ta=b\n\tc=d\nIP:\t1\n") == "Labels:  a=b\n         c=d\nIP:      1\n"


def test_writer_flush_restarts_alignment():
    w = Writer()
    w.write(0, "Name:\tx\n")
    w.flush()
    w.write(0, "LongerTitle:\ty\n")
    assert w.text() == "Name:  x\nLongerTitle:  y\n"


# -- events --------------------------------------------------------------------------------------

POD = {"kind": "Pod", "apiVersion": "v1", "metadata": md("web"), "spec": {"containers": [{"name": "c", "image": "nginx"}]},
       "status": {"phase": "Pending"}}


def test_events_table_counts_sorting_field_path_and_filtering():
    other = {**POD, "metadata": md("other")}
    stale_uid = {**POD, "metadata": {**md("web"), "uid": "old-uid"}}
    events = [
        event(POD, "BackOff", "Back-off restarting failed container", type_="Warning", first=300, last=10, count=3,
              field_path="spec.containers{c}"),
        event(POD, "Scheduled", "Successfully assigned default/web to minikube", first=400, component="default-scheduler"),
        {**event(POD, "Created", "  Created container c  ", first=200, component=""), "reportingComponent": "kubelet"},
        event(other, "Scheduled", "not mine", first=100),
        event(stale_uid, "Scheduled", "a previous pod of the same name", first=100),
    ]
    text = describe(POD, events=events, now=NOW)
    table = text[text.index("Events:"):]
    assert table == (
        "Events:\n"
        "  Type     Reason     Age               From               Message\n"
        "  ----     ------     ----              ----               -------\n"
        "  Normal   Scheduled  6m40s             default-scheduler  Successfully assigned default/web to minikube\n"
        "  Normal   Created    3m20s             kubelet            Created container c\n"
        "  Warning  BackOff    10s (x3 over 5m)  kubelet            spec.containers{c}: Back-off restarting failed container\n")


def test_events_series_and_none():
    e = event(POD, "Pulled", "pulled", first=600)
    e["eventTime"] = ts(600).replace("Z", ".000000Z")
    e["series"] = {"count": 4, "lastObservedTime": ts(30).replace("Z", ".000000Z")}
    assert "Normal  Pulled  30s (x4 over 10m)  kubelet  pulled\n" in describe(POD, events=[e], now=NOW)
    assert describe(POD, events=[], now=NOW).endswith("Tolerations:      <none>\nEvents:           <none>\n")
    assert "Events" not in describe(POD, events=None, now=NOW)


# -- pods ----------------------------------------------------------------------------------------

def test_pending_pod_minimal():
    # two alignment blocks: the header (up to IPs) and, after "Containers:", the rest
    assert describe(POD, events=None, now=NOW) == (
        "Name:         web\n"
        "Namespace:    default\n"
        "Node:         <none>\n"
        "Labels:       <none>\n"
        "Annotations:  <none>\n"
        "Status:       Pending\n"
        "IP:           \n"
        "IPs:          <none>\n"
        "Containers:\n"
        "  c:\n"
        "    Image:        nginx\n"
        "    Port:         <none>\n"
        "    Host Port:    <none>\n"
        "    Environment:  <none>\n"
        "    Mounts:       <none>\n"
        "Volumes:          <none>\n"
        "QoS Class:        BestEffort\n"
        "Node-Selectors:   <none>\n"
        "Tolerations:      <none>\n")


def test_terminating_crashlooping_pod():
    pod = {"kind": "Pod", "apiVersion": "v1",
           "metadata": {**md("crash"), "deletionTimestamp": ts(-20), "deletionGracePeriodSeconds": 30,
                        "ownerReferences": [{"kind": "ReplicaSet", "name": "crash-5d8f", "uid": "x", "controller": True}]},
           "spec": {"nodeName": "minikube", "containers": [{"name": "app", "image": "busybox",
                                                             "resources": {"limits": {"cpu": "500m", "memory": "64Mi"},
                                                                           "requests": {"cpu": "500m", "memory": "64Mi"}}}]},
           "status": {"phase": "Running", "hostIP": "192.168.49.2", "podIP": "10.244.0.9", "podIPs": [{"ip": "10.244.0.9"}],
                      "startTime": ts(600),
                      "containerStatuses": [{"name": "app", "ready": False, "restartCount": 4, "image": "busybox",
                                             "imageID": "docker-pullable://busybox@sha256:1", "containerID": "docker://abc",
                                             "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                                             "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "signal": 9,
                                                                          "startedAt": ts(100), "finishedAt": ts(90)}}}]}}
    # deletionTimestamp is in the future during the grace period: Go's HumanDuration says <invalid>
    assert describe(pod, events=None, now=NOW) == (
        "Name:                      crash\n"
        "Namespace:                 default\n"
        "Node:                      minikube/192.168.49.2\n"
        "Start Time:                Sun, 01 Nov 2026 09:50:00 +0000\n"
        "Labels:                    <none>\n"
        "Annotations:               <none>\n"
        "Status:                    Terminating (lasts <invalid>)\n"
        "Termination Grace Period:  30s\n"
        "IP:                        10.244.0.9\n"
        "IPs:\n"
        "  IP:           10.244.0.9\n"
        "Controlled By:  ReplicaSet/crash-5d8f\n"
        "Containers:\n"
        "  app:\n"
        "    Container ID:   docker://abc\n"
        "    Image:          busybox\n"
        "    Image ID:       docker-pullable://busybox@sha256:1\n"
        "    Port:           <none>\n"
        "    Host Port:      <none>\n"
        "    State:          Waiting\n"
        "      Reason:       CrashLoopBackOff\n"
        "    Last State:     Terminated\n"
        "      Reason:       OOMKilled\n"
        "      Exit Code:    137\n"
        "      Signal:       9\n"
        "      Started:      Sun, 01 Nov 2026 09:58:20 +0000\n"
        "      Finished:     Sun, 01 Nov 2026 09:58:30 +0000\n"
        "    Ready:          False\n"
        "    Restart Count:  4\n"
        "    Limits:\n"
        "      cpu:     500m\n"
        "      memory:  64Mi\n"
        "    Requests:\n"
        "      cpu:        500m\n"
        "      memory:     64Mi\n"
        "    Environment:  <none>\n"
        "    Mounts:       <none>\n"
        "Volumes:          <none>\n"
        "QoS Class:        Guaranteed\n"
        "Node-Selectors:   <none>\n"
        "Tolerations:      <none>\n")


def test_terminating_status_line():
    pod = {**POD, "metadata": {**md("web"), "deletionTimestamp": ts(45), "deletionGracePeriodSeconds": 30}}
    text = describe(pod, events=None, now=NOW)
    assert "Status:                    Terminating (lasts 45s)\nTermination Grace Period:  30s\n" in text


# -- workloads -----------------------------------------------------------------------------------

def test_deployment_old_and_new_replicasets_from_a_rollout():
    cluster = make_cluster(nodes=2, seed=3)
    labels = {"app": "web"}
    cluster.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                    "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                             "template": {"metadata": {"labels": labels},
                                          "spec": {"containers": [{"name": "web", "image": "nginx:1.14.2"}]}}}})
    cluster.advance(30)
    d = deep_copy(cluster.get("Deployment", "default", "web"))
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.16.1"
    cluster.replace(d)
    cluster.advance(60)
    d = cluster.get("Deployment", "default", "web")
    rss = sorted(cluster.list("ReplicaSet", "default"), key=lambda r: r["metadata"]["creationTimestamp"])
    assert len(rss) == 2
    old, new = rss[0]["metadata"]["name"], rss[1]["metadata"]["name"]
    text = describe(d, events=cluster.list("Event"), now=cluster.now(),
                    related=lambda kind, ns: cluster.list(kind, ns or None))
    assert f"OldReplicaSets:  {old} (0/0 replicas created)\nNewReplicaSet:   {new} (2/2 replicas created)\n" in text
    assert "Replicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable\n" in text
    assert "ScalingReplicaSet  " in text and f"Scaled up replica set {new}" in text
    # without `related` kubectl's fetched parts are left out rather than guessed
    assert "OldReplicaSets" not in describe(d, events=None, now=cluster.now())


def test_replicaset_pod_counts_only_its_own_pods():
    rs = {"kind": "ReplicaSet", "apiVersion": "apps/v1", "metadata": md("web-1"),
          "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                   "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}},
          "status": {"replicas": 2}}
    mine = {"kind": "Pod", "metadata": {"name": "a", "labels": {"app": "web"},
                                        "ownerReferences": [{"uid": "uid-web-1", "controller": True}]}, "status": {"phase": "Running"}}
    pending = {"kind": "Pod", "metadata": {"name": "b", "labels": {"app": "web"},
                                           "ownerReferences": [{"uid": "uid-web-1", "controller": True}]}, "status": {"phase": "Pending"}}
    orphan = {"kind": "Pod", "metadata": {"name": "c", "labels": {"app": "web"}}, "status": {"phase": "Running"}}
    text = describe(rs, events=None, now=NOW, related=lambda k, ns: [mine, pending, orphan] if k == "Pod" else [])
    assert "Pods Status:  1 Running / 1 Waiting / 0 Succeeded / 0 Failed\n" in text
    assert text.startswith("Name:         web-1\nNamespace:    default\nSelector:     app=web\n")


def test_cronjob_active_jobs_and_unset_fields():
    cj = {"kind": "CronJob", "apiVersion": "batch/v1", "metadata": md("tick"),
          "spec": {"schedule": "*/5 * * * *", "concurrencyPolicy": "Forbid", "suspend": True,
                   "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "t", "image": "busybox"}]}}}}},
          "status": {"active": [{"name": "tick-1"}, {"name": "tick-2"}]}}
    text = describe(cj, events=[], now=NOW)
    assert "Suspend:                       True\n" in text
    assert "Successful Job History Limit:  <unset>\n" in text
    assert "Last Schedule Time:  <unset>\nActive Jobs:         tick-1, tick-2\nEvents:              <none>\n" in text


# -- node ----------------------------------------------------------------------------------------

def _node() -> dict:
    return {"kind": "Node", "apiVersion": "v1",
            "metadata": {**md("n1", None), "labels": {"node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "db"}},
            "spec": {"taints": [{"key": "b", "effect": "NoSchedule"}, {"key": "a", "value": "x", "effect": "NoExecute"}],
                     "unschedulable": True},
            "status": {"capacity": {"cpu": "2", "memory": "4Gi", "pods": "110", "nvidia.com/gpu": "1"},
                       "allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110", "nvidia.com/gpu": "1"},
                       "nodeInfo": {"kubeletVersion": "v1.37.1"}}}


def _pod_on(name: str, node: str, requests: dict, limits: dict | None = None, phase: str = "Running") -> dict:
    return {"kind": "Pod", "metadata": {"name": name, "namespace": "default", "creationTimestamp": ts(90)},
            "spec": {"nodeName": node, "containers": [{"name": "c", "resources": {"requests": requests, "limits": limits or {}}}]},
            "status": {"phase": phase}}


def test_node_pods_percentages_and_allocated_resources():
    pods = [_pod_on("a", "n1", {"cpu": "250m", "memory": "1Gi"}, {"cpu": "1", "memory": "1Gi"}),
            _pod_on("b", "n1", {"cpu": "1", "memory": "512Mi", "nvidia.com/gpu": "1"}),
            _pod_on("done", "n1", {"cpu": "1"}, phase="Succeeded"), _pod_on("elsewhere", "n2", {"cpu": "1"})]
    lease = {"kind": "Lease", "metadata": {"name": "n1", "namespace": "kube-node-lease"},
             "spec": {"holderIdentity": "n1", "renewTime": ts(5).replace("Z", ".000000Z")}}
    text = describe(_node(), events=[], now=NOW,
                    related=lambda k, ns: pods if k == "Pod" else [lease] if k == "Lease" else [])
    assert text.startswith("Name:               n1\nRoles:              control-plane,db\n")
    assert "Taints:             a=x:NoExecute\n                    b:NoSchedule\nUnschedulable:      true\n" in text
    assert "Lease:\n  HolderIdentity:  n1\n  AcquireTime:     <unset>\n  RenewTime:       Sun, 01 Nov 2026 09:59:55 +0000\n" in text
    assert ("Non-terminated Pods:          (2 in total)\n"
            "  Namespace                   Name    CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age\n"
            "  ---------                   ----    ------------  ----------  ---------------  -------------  ---\n"
            "  default                     a       250m (12%)    1 (50%)     1Gi (25%)        1Gi (25%)      90s\n"
            "  default                     b       1 (50%)       0 (0%)      512Mi (12%)      0 (0%)         90s\n"
            "Allocated resources:\n"
            "  (Total limits may be over 100 percent, i.e., overcommitted.)\n"
            "  Resource           Requests      Limits\n"
            "  --------           --------      ------\n"
            "  cpu                1250m (62%)   1 (50%)\n"
            "  memory             1536Mi (37%)  1Gi (25%)\n"
            "  ephemeral-storage  0 (0%)        0 (0%)\n"
            "  nvidia.com/gpu     1             0\n"
            "Events:              <none>\n") in text
    assert "Capacity:\n  cpu:             2\n  memory:          4Gi\n  nvidia.com/gpu:  1\n  pods:            110\n" in text


def test_node_without_lease_reports_like_kubectl():
    text = describe(_node(), events=None, now=NOW, related=lambda k, ns: [])
    assert 'Lease:              Failed to get lease: leases.coordination.k8s.io "n1" not found\n' in text


def test_quantity_sums_keep_the_first_format():
    pods = [_pod_on("a", "n", {"memory": "128Mi", "cpu": "100m"}), _pod_on("b", "n", {"memory": "1G", "cpu": "0.5"})]
    total = sum_resources(pods, "requests")
    assert str(total["cpu"]) == "600m"
    assert str(total["memory"]) == str(128 * 2**20 + 10**9)  # BinarySI, not a whole Ki: plain bytes
    assert str(Quantity.of("2048Ki")) == "2Mi" and str(Quantity.of("0.5")) == "500m" and str(Quantity()) == "0"
    init = {"spec": {"initContainers": [{"resources": {"requests": {"cpu": "2"}}}],
                     "containers": [{"resources": {"requests": {"cpu": "1"}}}], "overhead": {"cpu": "250m"}}}
    assert str(pod_resources(init, "requests")["cpu"]) == "2250m"  # max(init, sum) + overhead


# -- storage -------------------------------------------------------------------------------------

def test_pvc_used_by_and_pending_capacity():
    pvc = {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
           "metadata": {**md("data"), "finalizers": ["kubernetes.io/pvc-protection"]},
           "spec": {"storageClassName": "standard", "resources": {"requests": {"storage": "1Gi"}}},
           "status": {"phase": "Pending"}}
    user = {"kind": "Pod", "metadata": {"name": "z-user", "uid": "u1"},
            "spec": {"volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "data"}}]}}
    user2 = {"kind": "Pod", "metadata": {"name": "a-user", "uid": "u2"},
             "spec": {"volumes": [{"name": "v", "persistentVolumeClaim": {"claimName": "data"}}]}}
    text = describe(pvc, events=[], now=NOW, related=lambda k, ns: [user, user2] if k == "Pod" else [])
    assert text == ("Name:          data\n"
                    "Namespace:     default\n"
                    "StorageClass:  standard\n"
                    "Status:        Pending\n"
                    "Volume:        \n"
                    "Labels:        <none>\n"
                    "Annotations:   <none>\n"
                    "Finalizers:    [kubernetes.io/pvc-protection]\n"
                    "Capacity:      \n"
                    "Access Modes:  \n"
                    "Used By:       a-user\n"
                    "               z-user\n"
                    "Events:        <none>\n")


def test_pv_with_node_affinity_and_local_source():
    pv = {"kind": "PersistentVolume", "apiVersion": "v1", "metadata": md("local-pv", None),
          "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce", "ReadOnlyMany"],
                   "persistentVolumeReclaimPolicy": "Retain", "local": {"path": "/mnt/disks/ssd1"},
                   "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                       {"key": "kubernetes.io/hostname", "operator": "In", "values": ["n1", "n2"]}]}]}}},
          "status": {"phase": "Available"}}
    text = describe(pv, events=None, now=NOW)
    assert ("Access Modes:      RWO,ROX\n"
            "Capacity:          10Gi\n"
            "Node Affinity:     \n"
            "  Required Terms:  \n"
            "    Term 0:        kubernetes.io/hostname in [n1, n2]\n"
            "Message:           \n"
            "Source:\n"
            "    Type:  LocalVolume (a persistent volume backed by local storage on a node)\n"
            "    Path:  /mnt/disks/ssd1\n") in text


# -- config --------------------------------------------------------------------------------------

def test_secret_shows_sizes_never_values():
    secret = {"kind": "Secret", "apiVersion": "v1", "metadata": md("db"), "type": "Opaque",
              "data": {"password": base64.b64encode(b"s3cr3t!!").decode(), "user": base64.b64encode(b"admin").decode()}}
    text = describe(secret, events=[], now=NOW)
    assert text == ("Name:         db\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\n\n"
                    "Type:  Opaque\n\nData\n====\npassword:  8 bytes\nuser:      5 bytes\n")
    assert "s3cr3t" not in text and "admin" not in text


def test_long_and_multiline_annotations():
    value = "x" * 150
    cm = {"kind": "ConfigMap", "apiVersion": "v1",
          "metadata": {**md("c"), "annotations": {"long": value, "multi": "a\nb\n", "short": "v",
                                                  "kubectl.kubernetes.io/last-applied-configuration": "{}"}},
          "data": {"k": "v"}}
    text = describe(cm, events=None, now=NOW)
    assert ("Annotations:  long:\n"
            f"                {'x' * 138}...\n"
            "              multi:\n"
            "                a\n"
            "                b\n"
            "              short: v\n") in text
    assert "last-applied" not in text
    assert text.endswith("\nData\n====\nk:\n----\nv\n\n\nBinaryData\n====\n\n")


def test_namespace_quota_and_limits():
    ns = {"kind": "Namespace", "apiVersion": "v1", "metadata": md("team", None), "status": {"phase": "Active"}}
    quota = {"metadata": {"name": "q"}, "status": {"hard": {"pods": "10", "requests.memory": "1Gi"},
                                                   "used": {"pods": "3", "requests.memory": "512Mi"}}}
    text = describe(ns, events=None, now=NOW, related=lambda k, ns_: [quota] if k == "ResourceQuota" else [])
    assert text.endswith("Status:       Active\n\n"
                         "Resource Quotas\n"
                         "  Name:            q\n"
                         "  Resource         Used   Hard\n"
                         "  --------         ---    ---\n"
                         "  pods             3      10\n"
                         "  requests.memory  512Mi  1Gi\n\n"
                         "No LimitRange resource.\n")


def test_service_endpoints_from_slices_with_more():
    svc = {"kind": "Service", "apiVersion": "v1", "metadata": md("web"),
           "spec": {"type": "ClusterIP", "selector": {"app": "web"}, "clusterIP": "10.96.0.9", "clusterIPs": ["10.96.0.9"],
                    "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
                    "sessionAffinity": "None"}}
    eps = [{"metadata": {"name": "web-abc", "labels": {"kubernetes.io/service-name": "web"}},
            "ports": [{"name": "http", "port": 8080}],
            "endpoints": [{"addresses": [f"10.0.0.{i}"], "conditions": {"ready": i != 2}} for i in range(1, 7)]}]
    text = describe(svc, events=None, now=NOW, related=lambda k, ns: eps if k == "EndpointSlice" else [])
    assert "TargetPort:        http/TCP\nEndpoints:         10.0.0.1:8080,10.0.0.3:8080,10.0.0.4:8080 + 2 more...\n" in text
    assert "Selector:          app=web\n" in text and "IP Families:       <none>\n" in text


# -- generic -------------------------------------------------------------------------------------

@pytest.mark.parametrize("field,label", [("apiVersion", "API Version"), ("involvedObject", "Involved Object"),
                                         ("firstTimestamp", "First Timestamp"), ("uid", "UID"),
                                         ("podCIDRs", "Pod CIDRs"), ("k8s-app", "k8s-app"), ("type", "Type")])
def test_smart_label(field, label):
    assert smart_label(field) == label


def test_event_described_generically():
    ev = event(POD, "Scheduled", "assigned", first=30, component="default-scheduler")
    text = describe(ev, events=[], now=NOW)
    assert text.startswith("Name:             web.0000001e\nNamespace:        default\nLabels:           <none>\n"
                           "Annotations:      <none>\nAPI Version:      v1\nCount:            1\n")
    # nested maps go one level down; "Metadata:" (a line without a tab) ends the alignment block
    assert "Involved Object:\n  Kind:          Pod\n  Name:          web\n" in text
    assert text.endswith("Metadata:\nReason:  Scheduled\nSource:\n  Component:  default-scheduler\n"
                         "Type:         Normal\nEvents:       <none>\n")


def test_pod_from_the_simulator_describes_with_its_events():
    cluster = make_cluster(nodes=1, seed=5)
    cluster.create(pod_manifest("solo", requests={"cpu": "100m"}))
    cluster.advance(20)
    pod = cluster.get("Pod", "default", "solo")
    text = describe(pod, events=cluster.list("Event"), now=cluster.now(), related=lambda k, ns: cluster.list(k, ns or None))
    assert "Status:           Running\n" in text and "QoS Class:                   Burstable\n" in text
    assert "  Normal  Scheduled  20s   default-scheduler  Successfully assigned default/solo to minikube\n" in text


# -- more kinds ----------------------------------------------------------------------------------

def test_job_indexed_with_duration_and_ready_pods():
    job = {"kind": "Job", "apiVersion": "batch/v1",
           "metadata": {**md("batch"), "ownerReferences": [{"kind": "CronJob", "name": "nightly", "controller": True}]},
           "spec": {"parallelism": 2, "completions": 3, "completionMode": "Indexed", "suspend": False, "backoffLimit": 6,
                    "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u"}},
                    "template": {"spec": {"containers": [{"name": "w", "image": "busybox"}]}}},
           "status": {"startTime": ts(300), "completionTime": ts(100), "active": 1, "ready": 1, "succeeded": 2,
                      "completedIndexes": "0,2"}}
    text = describe(job, events=None, now=NOW)
    assert text.startswith(
        "Name:               batch\n"
        "Namespace:          default\n"
        "Selector:           batch.kubernetes.io/controller-uid=u\n"
        "Labels:             <none>\n"
        "Annotations:        <none>\n"
        "Controlled By:      CronJob/nightly\n"
        "Parallelism:        2\n"
        "Completions:        3\n"
        "Completion Mode:    Indexed\n"
        "Suspend:            false\n"
        "Backoff Limit:      6\n"
        "Start Time:         Sun, 01 Nov 2026 09:55:00 +0000\n"
        "Completed At:       Sun, 01 Nov 2026 09:58:20 +0000\n"
        "Duration:           3m20s\n"
        "Pods Statuses:      1 Active (1 Ready) / 2 Succeeded / 0 Failed\n"
        "Completed Indexes:  0,2\n"
        "Pod Template:\n")


def test_statefulset_and_daemonset_headers():
    sts = {"kind": "StatefulSet", "apiVersion": "apps/v1", "metadata": md("db"),
           "spec": {"replicas": 3, "serviceName": "db", "podManagementPolicy": "Parallel",
                    "selector": {"matchLabels": {"app": "db"}},
                    "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 1, "maxUnavailable": "50%"}},
                    "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": "pg"}]}},
                    "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}]},
           "status": {"replicas": 2}}
    text = describe(sts, events=None, now=NOW, related=lambda k, ns: [])
    assert ("Service Name:           db\n"
            "Pod Management Policy:  Parallel\n"
            "Replicas:               3 desired | 2 total\n"
            "Update Strategy:        RollingUpdate\n"
            "  Partition:            1\n"
            "  MaxUnavailable:       50%\n"
            "Pods Status:            0 Running / 0 Waiting / 0 Succeeded / 0 Failed\n") in text
    assert text.endswith("Volume Claims:\n  Name:          data\n  StorageClass:  \n  Labels:        <none>\n"
                         "  Annotations:   <none>\n  Capacity:      <default>\n  Access Modes:  [ReadWriteOnce]\n")
    ds = {"kind": "DaemonSet", "apiVersion": "apps/v1", "metadata": md("agent"),
          "spec": {"selector": {"matchLabels": {"app": "agent"}},
                   "template": {"metadata": {"labels": {"app": "agent"}},
                                "spec": {"nodeSelector": {"kubernetes.io/os": "linux"}, "containers": [{"name": "a", "image": "a"}]}}},
          "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberMisscheduled": 1}}
    text = describe(ds, events=[], now=NOW, related=lambda k, ns: [])
    assert text.startswith("Name:           agent\nNamespace:      default\nSelector:       app=agent\n"
                           "Node-Selector:  kubernetes.io/os=linux\n")
    assert "Number of Nodes Misscheduled: 1\nPods Status:  0 Running / 0 Waiting / 0 Succeeded / 0 Failed\n" in text


def test_role_rules_broken_down_compacted_and_sorted():
    role = {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": md("r", None),
            "rules": [{"apiGroups": ["", "apps"], "resources": ["pods", "deployments/scale"], "verbs": ["get", "list"]},
                      {"apiGroups": [""], "resources": ["pods"], "verbs": ["delete", "get"]},
                      {"nonResourceURLs": ["/healthz"], "verbs": ["get", "head"]}]}
    assert describe(role, events=None, now=NOW) == (
        "Name:         r\n"
        "Labels:       <none>\n"
        "Annotations:  <none>\n"
        "PolicyRule:\n"
        "  Resources               Non-Resource URLs  Resource Names  Verbs\n"
        "  ---------               -----------------  --------------  -----\n"
        "  pods                    []                 []              [get list delete]\n"
        "  deployments/scale       []                 []              [get list]\n"
        "  deployments.apps/scale  []                 []              [get list]\n"
        "  pods.apps               []                 []              [get list]\n"
        "                          [/healthz]         []              [get]\n"
        "                          [/healthz]         []              [head]\n")
    # (sorted by the generated PolicyRule.String(), which starts with the verbs: "[get list delete]" < "[get list]")


def test_generic_describer_for_kinds_without_one():
    crd = {"apiVersion": "example.com/v1", "kind": "Widget",
           "metadata": {"name": "w", "namespace": "default", "uid": "u", "labels": {"x": "y"},
                        "managedFields": [{"manager": "kubectl"}], "creationTimestamp": ts(10)},
           "spec": {"size": 3, "enabled": True, "tags": ["a", "b"], "ports": [{"name": "http", "port": 80}], "nothing": None}}
    text = describe(crd, events=[], now=NOW)
    assert text == ("Name:         w\n"
                    "Namespace:    default\n"
                    "Labels:       x=y\n"
                    "Annotations:  <none>\n"
                    "API Version:  example.com/v1\n"
                    "Kind:         Widget\n"
                    "Metadata:\n"
                    "  Creation Timestamp:  2026-11-01T09:59:50Z\n"
                    "  UID:                 u\n"
                    "Spec:\n"
                    "  Enabled:  true\n"
                    "  Nothing:  <nil>\n"
                    "  Ports:\n"
                    "    Name:  http\n"
                    "    Port:  80\n"
                    "  Size:    3\n"
                    "  Tags:\n"
                    "    a\n"
                    "    b\n"
                    "Events:  <none>\n")


def test_endpoints_and_storageclass():
    ep = {"kind": "Endpoints", "apiVersion": "v1", "metadata": md("web"),
          "subsets": [{"addresses": [{"ip": "10.0.0.1"}], "notReadyAddresses": [{"ip": "10.0.0.2"}],
                       "ports": [{"port": 80, "protocol": "TCP"}]}]}
    assert describe(ep, events=None, now=NOW) == (
        "Name:         web\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\nSubsets:\n"
        "  Addresses:          10.0.0.1\n  NotReadyAddresses:  10.0.0.2\n  Ports:\n"
        "    Name     Port  Protocol\n    ----     ----  --------\n    <unset>  80    TCP\n\n")
    sc = {"kind": "StorageClass", "apiVersion": "storage.k8s.io/v1", "metadata": md("fast", None),
          "provisioner": "csi.example.com", "parameters": {"type": "ssd"}, "allowVolumeExpansion": True,
          "mountOptions": ["noatime"], "reclaimPolicy": "Retain", "volumeBindingMode": "WaitForFirstConsumer"}
    assert describe(sc, events=None, now=NOW) == (
        "Name:                  fast\nIsDefaultClass:        No\nAnnotations:           <none>\n"
        "Provisioner:           csi.example.com\nParameters:            type=ssd\nAllowVolumeExpansion:  True\n"
        "MountOptions:\n  noatime\nReclaimPolicy:      Retain\nVolumeBindingMode:  WaitForFirstConsumer\n")


def test_control_characters_are_escaped_like_kubectl():
    cm = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": md("c"), "data": {"k": "\x1b[31mred\r"}}
    assert "^[[31mred\\r\n" in describe(cm, events=None, now=NOW)


def test_format_labels_sorts_whole_pairs_like_go():
    svc = {"kind": "Service", "apiVersion": "v1", "metadata": md("s"),
           "spec": {"selector": {"app": "x", "app.kubernetes.io/name": "y"}, "type": "ClusterIP"}}
    assert "Selector:          app.kubernetes.io/name=y,app=x\n" in describe(svc, events=None, now=NOW)


def test_related_that_cannot_list_a_kind_leaves_the_part_out():
    def related(kind, ns):
        return None  # e.g. the UI has no informer for this kind
    text = describe(_node(), events=None, now=NOW, related=related)
    assert "Lease:" not in text and "Pods:                         not authorized\n" in text
    assert "Non-terminated Pods" not in describe(_node(), events=None, now=NOW)


def test_csinode_describes_like_kubectl():
    """kubectl's CSINodeDescriber: CreationTimestamp and Spec, Drivers only when there are some."""
    csi = {"apiVersion": "storage.k8s.io/v1", "kind": "CSINode",
           "metadata": {"name": "minikube", "creationTimestamp": "2026-01-01T00:00:00Z"}, "spec": {"drivers": None}}
    assert describe(csi, events=[], now=0) == ("Name:               minikube\n"
                                              "Labels:             <none>\n"
                                              "Annotations:        <none>\n"
                                              "CreationTimestamp:  Thu, 01 Jan 2026 00:00:00 +0000\n"
                                              "Spec:\n"
                                              "Events:  <none>\n")  # a line without a tab ends tabwriter's block
    csi["spec"]["drivers"] = [{"name": "hostpath.csi.k8s.io", "nodeID": "minikube", "allocatable": {"count": 5},
                               "topologyKeys": ["topology.hostpath.csi/node"]}]
    text = describe(csi, events=[], now=0)
    assert ("Spec:\n  Drivers:\n    hostpath.csi.k8s.io:\n      Node ID:  minikube\n      Allocatables:\n"
            "        Count:        5\n      Topology Keys:  [topology.hostpath.csi/node]\n") in text
