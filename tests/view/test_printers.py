"""The printers print what the real apiserver prints (pkg/printers/internalversion/printers.go).

Expected cells are written out by hand from the Go logic and from real `kubectl get` output.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from k9py.view import printers as p
from k9py.view.printers_format import format_label_selector, quantity_string, selector_string

T0 = datetime(2026, 11, 1, 9, 0, 0, tzinfo=UTC).timestamp()
NOW = T0 + 3600  # one hour into the cluster's life


def ts(seconds_after_t0: float) -> str:
    return datetime.fromtimestamp(T0 + seconds_after_t0, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(seconds: float) -> str:
    """A timestamp `seconds` before NOW."""
    return ts(3600 - seconds)


# --- pods ------------------------------------------------------------------------------------------

CREATED = ago(330)  # the default pod's creationTimestamp: 5m30s before NOW


def pod(name="nginx-7c5ddbdf54-abcde", *, containers=None, init=None, statuses=None, init_statuses=None,
        phase="Running", reason=None, conditions=None, created=CREATED, node="minikube-m02",
        ip="10.244.1.5", deleting=None, gates=None, nominated=None):
    containers = containers if containers is not None else [{"name": "nginx", "image": "nginx:1.14.2"}]
    spec = {"containers": containers, "nodeName": node} if node else {"containers": containers}
    if init is not None:
        spec["initContainers"] = init
    if gates is not None:
        spec["readinessGates"] = [{"conditionType": g} for g in gates]
    status = {"phase": phase}
    if reason:
        status["reason"] = reason
    if conditions is not None:
        status["conditions"] = conditions
    if statuses is not None:
        status["containerStatuses"] = statuses
    if init_statuses is not None:
        status["initContainerStatuses"] = init_statuses
    if ip:
        status["podIP"] = ip
        status["podIPs"] = [{"ip": ip}]
    if nominated:
        status["nominatedNodeName"] = nominated
    meta = {"name": name, "namespace": "default", "uid": "u-1", "resourceVersion": "42",
            "creationTimestamp": created, "labels": {"app": "nginx"}}
    if deleting:
        meta["deletionTimestamp"] = deleting
        meta["deletionGracePeriodSeconds"] = 30
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def running(name="nginx", ready=True, restarts=0, last_finished=None, last_reason="Error"):
    cs = {"name": name, "image": "nginx:1.14.2", "ready": ready, "started": True, "restartCount": restarts,
          "state": {"running": {"startedAt": ago(60)}}}
    if last_finished:
        cs["lastState"] = {"terminated": {"exitCode": 1, "reason": last_reason, "finishedAt": last_finished,
                                          "startedAt": last_finished}}
    return cs


def waiting(reason, name="nginx", restarts=0, last_finished=None, message=""):
    cs = {"name": name, "image": "nginx:1.14.2", "ready": False, "started": False, "restartCount": restarts,
          "state": {"waiting": {"reason": reason, "message": message}}}
    if last_finished:
        cs["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": last_finished}}
    return cs


def terminated(reason=None, exit_code=0, name="nginx", signal=None, restarts=0):
    term = {"exitCode": exit_code, "finishedAt": ago(10), "startedAt": ago(20)}
    if reason:
        term["reason"] = reason
    if signal:
        term["signal"] = signal
    return {"name": name, "image": "busybox", "ready": False, "started": False, "restartCount": restarts,
            "state": {"terminated": term}}


READY_TRUE = [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"},
              {"type": "ContainersReady", "status": "True"}, {"type": "PodScheduled", "status": "True"}]


def test_running_pod_all_cells_including_wide():
    obj = pod(statuses=[running()], conditions=READY_TRUE)
    assert p.cells(obj, NOW) == ["nginx-7c5ddbdf54-abcde", "1/1", "Running", "0", "5m30s",
                                 "10.244.1.5", "minikube-m02", "<none>", "<none>"]


def test_pod_columns_match_the_apiserver():
    cols = p.columns("Pod")
    assert [c.name for c in cols] == ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node",
                                      "Nominated Node", "Readiness Gates"]
    assert [c.priority for c in cols] == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert cols[0].format == "name" and cols[0].type == "string"
    assert cols[3].type == "string"  # "3 (5m ago)" is a string since restarts gained the ago part
    assert p.column_names("Pod") == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert p.column_names("Pod", wide=True)[5:] == ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]


def test_pending_unscheduled_pod():
    obj = pod(phase="Pending", node=None, ip=None,
              conditions=[{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}])
    assert p.cells(obj, NOW) == ["nginx-7c5ddbdf54-abcde", "0/1", "Pending", "0", "5m30s",
                                 "<none>", "<none>", "<none>", "<none>"]


def test_scheduling_gated():
    obj = pod(phase="Pending", node=None, ip=None,
              conditions=[{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}])
    assert p.pod_status_reason(obj) == "SchedulingGated"


@pytest.mark.parametrize("reason", ["ContainerCreating", "ErrImagePull", "ImagePullBackOff",
                                    "CrashLoopBackOff", "CreateContainerConfigError", "InvalidImageName"])
def test_waiting_reason_becomes_status(reason):
    obj = pod(phase="Pending" if reason != "CrashLoopBackOff" else "Running", statuses=[waiting(reason)])
    assert p.pod_status_reason(obj) == reason
    assert p.pod_ready(obj) == (0, 1)


def test_crashloop_restarts_show_when_last_restarted():
    obj = pod(statuses=[waiting("CrashLoopBackOff", restarts=3, last_finished=ago(125))])
    c = p.cells(obj, NOW)
    assert c[1:4] == ["0/1", "CrashLoopBackOff", "3 (2m5s ago)"]
    assert p.pod_restarts(obj, NOW) == "3 (2m5s ago)"


def test_restarts_without_a_known_time_are_just_the_count():
    obj = pod(statuses=[running(restarts=2)])
    assert p.pod_restarts(obj, NOW) == "2"


def test_restarts_take_the_latest_termination_across_containers():
    obj = pod(containers=[{"name": "a", "image": "x"}, {"name": "b", "image": "y"}],
              statuses=[running("a", restarts=1, last_finished=ago(3000)),
                        running("b", restarts=4, last_finished=ago(90))],
              conditions=READY_TRUE)
    assert p.cells(obj, NOW)[1:4] == ["2/2", "Running", "5 (90s ago)"]


def test_completed_pod_and_its_row_condition():
    obj = pod(name="pi-xk2d9", phase="Succeeded", statuses=[terminated("Completed", 0)])
    assert p.cells(obj, NOW)[1:4] == ["0/1", "Completed", "0"]
    r = p.row(obj, NOW)
    assert r["conditions"] == [{"type": "Completed", "status": "True", "reason": "Succeeded",
                                "message": "The pod has completed successfully."}]


def test_error_pod():
    obj = pod(phase="Failed", statuses=[terminated("Error", 1)])
    assert p.pod_status_reason(obj) == "Error"
    assert p.row(obj, NOW)["conditions"][0]["reason"] == "Failed"


def test_oomkilled_pod():
    obj = pod(phase="Running", statuses=[terminated("OOMKilled", 137, restarts=1)])
    assert p.pod_status_reason(obj) == "OOMKilled"


def test_exit_code_and_signal_without_reason():
    assert p.pod_status_reason(pod(phase="Failed", statuses=[terminated(None, 2)])) == "ExitCode:2"
    assert p.pod_status_reason(pod(phase="Failed", statuses=[terminated(None, 137, signal=9)])) == "Signal:9"


def test_terminating_pod():
    obj = pod(statuses=[running()], conditions=READY_TRUE, deleting=ago(5))
    assert p.cells(obj, NOW)[1:3] == ["1/1", "Terminating"]


def test_deleted_pod_in_terminal_phase_keeps_its_status():
    obj = pod(phase="Succeeded", statuses=[terminated("Completed", 0)], deleting=ago(5))
    assert p.pod_status_reason(obj) == "Completed"


def test_pod_on_lost_node_is_unknown():
    obj = pod(statuses=[running()], reason="NodeLost", deleting=ago(5))
    assert p.pod_status_reason(obj) == "Unknown"


def test_evicted_pod_shows_the_pod_reason():
    obj = pod(phase="Failed", reason="Evicted", statuses=[])
    assert p.cells(obj, NOW)[1:4] == ["0/1", "Evicted", "0"]


def test_not_ready_running_container():
    obj = pod(statuses=[running(ready=False)],
              conditions=[{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}])
    assert p.cells(obj, NOW)[1:3] == ["0/1", "Running"]


def test_completed_sidecar_with_running_container_is_running_or_not_ready():
    two = [{"name": "app", "image": "app"}, {"name": "job", "image": "busybox"}]
    statuses = [running("app"), terminated("Completed", 0, name="job")]
    ready = pod(containers=two, statuses=statuses, conditions=READY_TRUE)
    assert p.cells(ready, NOW)[1:3] == ["1/2", "Running"]
    not_ready = pod(containers=two, statuses=statuses, conditions=[{"type": "Ready", "status": "False"}])
    assert p.cells(not_ready, NOW)[1:3] == ["1/2", "NotReady"]


def test_first_container_reason_wins():
    two = [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]
    obj = pod(containers=two, statuses=[waiting("ErrImagePull", "a"), waiting("CrashLoopBackOff", "b")])
    assert p.pod_status_reason(obj) == "ErrImagePull"


# init containers
INIT1 = [{"name": "init-myservice", "image": "busybox:1.28"}]
INIT2 = [*INIT1, {"name": "init-mydb", "image": "busybox:1.28"}]


def init_running(name="init-myservice", restarts=0, last_finished=None):
    cs = running(name, ready=False, restarts=restarts, last_finished=last_finished)
    cs["started"] = False
    return cs


def test_init_running_is_init_0_of_n():
    obj = pod(phase="Pending", init=INIT2, init_statuses=[init_running(), waiting("PodInitializing", "init-mydb")],
              statuses=[waiting("PodInitializing", "myapp")],
              conditions=[{"type": "Initialized", "status": "False"}])
    assert p.cells(obj, NOW)[1:4] == ["0/1", "Init:0/2", "0"]


def test_second_init_container_running_is_init_1_of_2():
    obj = pod(phase="Pending", init=INIT2,
              init_statuses=[terminated("Completed", 0, name="init-myservice"), init_running("init-mydb")],
              statuses=[waiting("PodInitializing", "myapp")],
              conditions=[{"type": "Initialized", "status": "False"}])
    assert p.pod_status_reason(obj) == "Init:1/2"


def test_init_crashloop_counts_init_restarts():
    obj = pod(phase="Pending", init=INIT1,
              init_statuses=[waiting("CrashLoopBackOff", "init-myservice", restarts=4, last_finished=ago(40))],
              statuses=[waiting("PodInitializing", "myapp")],
              conditions=[{"type": "Initialized", "status": "False"}])
    assert p.cells(obj, NOW)[1:4] == ["0/1", "Init:CrashLoopBackOff", "4 (40s ago)"]


def test_init_failures():
    def failing(term):
        return pod(phase="Pending", init=INIT1, init_statuses=[term],
                   conditions=[{"type": "Initialized", "status": "False"}])
    assert p.pod_status_reason(failing(terminated("Error", 1, name="init-myservice"))) == "Init:Error"
    assert p.pod_status_reason(failing(terminated(None, 3, name="init-myservice"))) == "Init:ExitCode:3"
    assert p.pod_status_reason(failing(terminated(None, 143, name="init-myservice", signal=15))) == "Init:Signal:15"


def test_pod_initializing_after_init_done():
    obj = pod(phase="Pending", init=INIT1,
              init_statuses=[terminated("Completed", 0, name="init-myservice")],
              statuses=[waiting("PodInitializing", "nginx")],
              conditions=[{"type": "Initialized", "status": "True"}])
    assert p.cells(obj, NOW)[1:3] == ["0/1", "PodInitializing"]


def test_sidecar_init_container_counts_towards_ready_and_total():
    sidecar = [{"name": "istio-proxy", "image": "istio/proxyv2", "restartPolicy": "Always"}]
    side_status = running("istio-proxy", restarts=1, last_finished=ago(600))
    obj = pod(init=sidecar, init_statuses=[side_status], statuses=[running("nginx")], conditions=READY_TRUE)
    assert p.cells(obj, NOW)[1:4] == ["2/2", "Running", "1 (10m ago)"]


def test_readiness_gates_and_nominated_node():
    obj = pod(statuses=[running()], gates=["www.example.com/feature-1", "www.example.com/feature-2"],
              conditions=[*READY_TRUE, {"type": "www.example.com/feature-1", "status": "True"},
                          {"type": "www.example.com/feature-2", "status": "False"}],
              nominated="minikube-m03")
    assert p.cells(obj, NOW)[7:] == ["minikube-m03", "1/2"]


def test_pod_ip_falls_back_to_pod_ip_field():
    obj = pod(statuses=[running()])
    del obj["status"]["podIPs"]
    assert p.cells(obj, NOW)[5] == "10.244.1.5"


# --- ages ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("seconds,shown", [
    (0, "0s"), (59, "59s"), (119, "119s"), (120, "2m"), (125, "2m5s"), (599, "9m59s"), (600, "10m"),
    (3 * 3600 - 1, "179m"), (3 * 3600, "3h"), (3 * 3600 + 300, "3h5m"), (8 * 3600 - 1, "7h59m"),
    (8 * 3600, "8h"), (47 * 3600, "47h"), (48 * 3600, "2d"), (49 * 3600, "2d1h"),
    (8 * 86400 - 1, "7d23h"), (8 * 86400, "8d"), (730 * 86400 - 1, "729d"), (730 * 86400, "2y"),
    (731 * 86400, "2y1d"), (8 * 365 * 86400, "8y"),
    (-1, "0s"), (-2, "<invalid>"),
])
def test_age_follows_human_duration(seconds, shown):
    obj = {"kind": "ConfigMap", "metadata": {"name": "c", "creationTimestamp": ts(-seconds)}, "data": {}}
    assert p.cells(obj, T0)[2] == shown


def test_missing_creation_timestamp_is_unknown():
    assert p.cells({"kind": "ConfigMap", "metadata": {"name": "c"}}, NOW) == ["c", 0, "<unknown>"]


# --- nodes ---------------------------------------------------------------------------------------

def node(name="minikube", *, ready="True", unschedulable=False, labels=None, addresses=None, info=None,
         conditions=None):
    conds = conditions if conditions is not None else [
        {"type": "MemoryPressure", "status": "False"}, {"type": "DiskPressure", "status": "False"},
        {"type": "PIDPressure", "status": "False"}, {"type": "Ready", "status": ready}]
    obj = {"apiVersion": "v1", "kind": "Node",
           "metadata": {"name": name, "creationTimestamp": ago(86400 * 3 + 7200),
                        "labels": labels if labels is not None else {"kubernetes.io/hostname": name}},
           "spec": {},
           "status": {"conditions": conds,
                      "addresses": addresses if addresses is not None else [
                          {"type": "InternalIP", "address": "192.168.49.2"}, {"type": "Hostname", "address": name}],
                      "nodeInfo": info if info is not None else {
                          "kubeletVersion": "v1.31.0", "osImage": "Ubuntu 22.04.4 LTS",
                          "kernelVersion": "6.8.0-45-generic", "containerRuntimeVersion": "docker://27.2.0"}}}
    if unschedulable:
        obj["spec"]["unschedulable"] = True
    return obj


def test_control_plane_node_wide():
    obj = node(labels={"node-role.kubernetes.io/control-plane": "", "kubernetes.io/hostname": "minikube"})
    assert p.cells(obj, NOW) == ["minikube", "Ready", "control-plane", "3d2h", "v1.31.0", "192.168.49.2",
                                 "<none>", "Ubuntu 22.04.4 LTS", "6.8.0-45-generic", "docker://27.2.0"]
    assert p.column_names("Node", wide=True) == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP",
                                                 "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]


@pytest.mark.parametrize("ready,unschedulable,shown", [
    ("True", False, "Ready"), ("False", False, "NotReady"), ("Unknown", False, "NotReady"),
    ("True", True, "Ready,SchedulingDisabled"), ("Unknown", True, "NotReady,SchedulingDisabled"),
])
def test_node_status(ready, unschedulable, shown):
    assert p.node_status(node(ready=ready, unschedulable=unschedulable)) == shown


def test_node_without_ready_condition_is_unknown():
    assert p.node_status(node(conditions=[])) == "Unknown"
    assert p.node_status(node(conditions=[], unschedulable=True)) == "Unknown,SchedulingDisabled"


def test_node_roles():
    assert p.node_roles(node(labels={})) == "<none>"
    assert p.node_roles(node(labels={"node-role.kubernetes.io/worker": "", "node-role.kubernetes.io/control-plane": "",
                                     "node-role.kubernetes.io/": "x"})) == "control-plane,worker"
    assert p.node_roles(node(labels={"kubernetes.io/role": "master"})) == "master"
    assert p.node_roles(node(labels={"kubernetes.io/role": ""})) == "<none>"


def test_node_wide_defaults():
    obj = node(addresses=[{"type": "ExternalIP", "address": "34.1.2.3"}], info={"kubeletVersion": "v1.31.0"})
    assert p.cells(obj, NOW)[5:] == ["<none>", "34.1.2.3", "<unknown>", "<unknown>", "<unknown>"]


# --- services ------------------------------------------------------------------------------------

def svc(name, stype="ClusterIP", ports=None, cluster_ip="10.96.0.10", selector=None, **extra):
    spec = {"type": stype, "clusterIP": cluster_ip, "clusterIPs": [cluster_ip], "ports": ports or []}
    if selector is not None:
        spec["selector"] = selector
    spec.update(extra.pop("spec", {}))
    obj = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": name, "namespace": "default", "creationTimestamp": ago(7200)},
           "spec": spec, "status": extra.pop("status", {"loadBalancer": {}})}
    return obj


def test_nodeport_service():
    obj = svc("my-nginx", "NodePort", [{"port": 80, "protocol": "TCP", "targetPort": 80, "nodePort": 31380}],
              "10.103.20.7", {"app": "nginx"})
    assert p.cells(obj, NOW) == ["my-nginx", "NodePort", "10.103.20.7", "<none>", "80:31380/TCP", "120m",
                                 "app=nginx"]


def test_service_ports_formats():
    obj = svc("istio-ingressgateway", "NodePort", [
        {"name": "http2", "port": 80, "protocol": "TCP", "nodePort": 31380},
        {"name": "https", "port": 443, "protocol": "TCP", "nodePort": 31390},
        {"name": "dns", "port": 53, "protocol": "UDP"}])
    assert p.format_ports(obj) == "80:31380/TCP,443:31390/TCP,53/UDP"
    assert p.format_ports(svc("x", ports=[])) == "<none>"
    assert p.format_ports(svc("x", ports=[{"port": 8080}])) == "8080/TCP"


def test_kube_dns_service_selector_sorted():
    obj = svc("kube-dns", ports=[{"name": "dns", "port": 53, "protocol": "UDP"},
                                 {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
                                 {"name": "metrics", "port": 9153, "protocol": "TCP"}],
              selector={"k8s-app": "kube-dns", "a": "b"})
    assert p.cells(obj, NOW) == ["kube-dns", "ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP,9153/TCP", "120m",
                                 "a=b,k8s-app=kube-dns"]


def test_load_balancer_external_ip():
    ports = [{"port": 80, "protocol": "TCP", "nodePort": 30080}]
    assert p.cells(svc("lb", "LoadBalancer", ports), NOW)[3] == "<pending>"
    with_ip = svc("lb", "LoadBalancer", ports, status={"loadBalancer": {"ingress": [{"ip": "203.0.113.9"},
                                                                                  {"ip": "198.51.100.1"}]}})
    assert p.cells(with_ip, NOW)[3] == "198.51.100.1,203.0.113.9"
    long_host = "a1b2c3d4e5f6-1234567890.eu-west-1.elb.amazonaws.com"
    elb = svc("lb", "LoadBalancer", ports, status={"loadBalancer": {"ingress": [{"hostname": long_host}]}})
    assert p.cells(elb, NOW)[3] == long_host  # the apiserver prints wide: never clipped
    assert p.pc.service_external_ip(elb, wide=False) == "a1b2c3d4e5f6-..."
    both = svc("lb", "LoadBalancer", ports, spec={"externalIPs": ["1.2.3.4"]},
               status={"loadBalancer": {"ingress": [{"ip": "5.6.7.8"}]}})
    assert p.cells(both, NOW)[3] == "5.6.7.8,1.2.3.4"


def test_other_service_types():
    assert p.cells(svc("ext", "ClusterIP", spec={"externalIPs": ["80.11.12.10"]}), NOW)[3] == "80.11.12.10"
    en = svc("db", "ExternalName", spec={"externalName": "my.database.example.com"})
    en["spec"].pop("clusterIPs")
    en["spec"].pop("clusterIP")
    assert p.cells(en, NOW)[1:5] == ["ExternalName", "<none>", "my.database.example.com", "<none>"]
    headless = svc("web", cluster_ip="None", ports=[{"port": 80, "protocol": "TCP"}], selector={"app": "web"})
    assert p.cells(headless, NOW)[1:5] == ["ClusterIP", "None", "<none>", "80/TCP"]
    assert p.cells(svc("nosel"), NOW)[6] == "<none>"


# --- volumes -------------------------------------------------------------------------------------

def test_bound_hostpath_pv():
    obj = {"apiVersion": "v1", "kind": "PersistentVolume",
           "metadata": {"name": "pv-hostpath", "creationTimestamp": ago(1800)},
           "spec": {"capacity": {"storage": "2Gi"}, "accessModes": ["ReadWriteOnce"],
                    "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "manual",
                    "hostPath": {"path": "/tmp/k8s-pv"}, "volumeMode": "Filesystem",
                    "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "pvc-hostpath"}},
           "status": {"phase": "Bound"}}
    assert p.cells(obj, NOW) == ["pv-hostpath", "2Gi", "RWO", "Delete", "Bound", "default/pvc-hostpath",
                                 "manual", "<unset>", "", "30m", "Filesystem"]
    assert p.column_names("PersistentVolume") == ["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS",
                                                  "CLAIM", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"]


def test_pv_states():
    base = {"kind": "PersistentVolume", "metadata": {"name": "pv1", "creationTimestamp": ago(60),
                                                     "annotations": {"volume.beta.kubernetes.io/storage-class": "slow"}},
            "spec": {"capacity": {"storage": "1024Mi"}, "accessModes": ["ReadWriteMany", "ReadOnlyMany", "ReadWriteOnce"],
                     "storageClassName": "fast"},
            "status": {"phase": "Failed", "reason": "VolumeFailedRecycle"}}
    # nothing defaulted by the printer (the apiserver's admission does that): "" and <unset>
    assert p.cells(base, NOW) == ["pv1", "1Gi", "RWO,ROX,RWX", "", "Failed", "", "slow", "<unset>",
                                  "VolumeFailedRecycle", "60s", "<unset>"]
    base["metadata"]["deletionTimestamp"] = ago(1)
    assert p.cells(base, NOW)[4] == "Terminating"


def test_pvc_bound_and_pending():
    bound = {"kind": "PersistentVolumeClaim",
             "metadata": {"name": "workspace-notebook-0", "namespace": "kubeflow", "creationTimestamp": ago(900)},
             "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}},
                      "storageClassName": "standard", "volumeName": "pvc-3f2a", "volumeMode": "Filesystem"},
             "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"}}}
    assert p.cells(bound, NOW) == ["workspace-notebook-0", "Bound", "pvc-3f2a", "10Gi", "RWO", "standard",
                                   "<unset>", "15m", "Filesystem"]
    pending = {"kind": "PersistentVolumeClaim", "metadata": {"name": "claim", "creationTimestamp": ago(5)},
               "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "1Gi"}}},
               "status": {"phase": "Pending"}}
    assert p.cells(pending, NOW) == ["claim", "Pending", "", "", "", "", "<unset>", "5s", "<unset>"]


def test_access_modes_order():
    assert p.access_modes(["ReadWriteOncePod", "ReadWriteMany", "ReadWriteOnce"]) == "RWO,RWX,RWOP"
    assert p.access_modes([]) == ""


def test_storage_class_default():
    sc = {"kind": "StorageClass", "metadata": {"name": "standard", "creationTimestamp": ago(7200),
                                               "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
          "provisioner": "k8s.io/minikube-hostpath", "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate"}
    assert p.cells(sc, NOW) == ["standard (default)", "k8s.io/minikube-hostpath", "Delete", "Immediate", False, "120m"]


# --- workloads -----------------------------------------------------------------------------------

TEMPLATE = {"metadata": {"labels": {"app": "nginx"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.14.2"}]}}


def test_deployment():
    d = {"kind": "Deployment", "metadata": {"name": "nginx-deployment", "creationTimestamp": ago(330)},
         "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx"}}, "template": TEMPLATE},
         "status": {"replicas": 3, "updatedReplicas": 3, "readyReplicas": 2, "availableReplicas": 2}}
    assert p.cells(d, NOW) == ["nginx-deployment", "2/3", 3, 2, "5m30s", "nginx", "nginx:1.14.2", "app=nginx"]
    fresh = {"kind": "Deployment", "metadata": {"name": "d", "creationTimestamp": ago(1)},
             "spec": {"replicas": 2, "template": TEMPLATE}, "status": {}}
    assert p.cells(fresh, NOW)[1:4] == ["0/2", 0, 0]
    assert p.cells(fresh, NOW)[7] == ""  # nil selector prints empty in the Deployment printer


def test_replicaset_and_statefulset_and_daemonset():
    rs = {"kind": "ReplicaSet", "metadata": {"name": "nginx-deployment-7c5ddbdf54", "creationTimestamp": ago(330)},
          "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "nginx", "pod-template-hash": "7c5ddbdf54"}},
                   "template": TEMPLATE},
          "status": {"replicas": 3, "readyReplicas": 3}}
    assert p.cells(rs, NOW) == ["nginx-deployment-7c5ddbdf54", 3, 3, 3, "5m30s", "nginx", "nginx:1.14.2",
                                "app=nginx,pod-template-hash=7c5ddbdf54"]
    sts = {"kind": "StatefulSet", "metadata": {"name": "web", "creationTimestamp": ago(86400)},
           "spec": {"replicas": 3, "template": TEMPLATE}, "status": {"readyReplicas": 1}}
    assert p.cells(sts, NOW) == ["web", "1/3", "24h", "nginx", "nginx:1.14.2"]
    ds = {"kind": "DaemonSet", "metadata": {"name": "kube-proxy", "namespace": "kube-system",
                                             "creationTimestamp": ago(3600)},
          "spec": {"selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
                   "template": {"spec": {"nodeSelector": {"kubernetes.io/os": "linux"},
                                         "containers": [{"name": "kube-proxy",
                                                         "image": "registry.k8s.io/kube-proxy:v1.31.0"}]}}},
          "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 3,
                     "updatedNumberScheduled": 3, "numberAvailable": 3}}
    assert p.cells(ds, NOW) == ["kube-proxy", 3, 3, 3, 3, 3, "kubernetes.io/os=linux", "60m", "kube-proxy",
                                "registry.k8s.io/kube-proxy:v1.31.0", "k8s-app=kube-proxy"]


def job(**status):
    return {"kind": "Job", "metadata": {"name": "pi", "creationTimestamp": ago(300)},
            "spec": {"completions": 1, "parallelism": 1, "backoffLimit": 4,
                     "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "abc"}},
                     "template": {"spec": {"containers": [{"name": "pi", "image": "perl:5.34.0"}]}}},
            "status": status}


def test_jobs():
    assert p.cells(job(startTime=ago(300), active=1), NOW)[:5] == ["pi", "Running", "0/1", "5m", "5m"]
    done = job(startTime=ago(300), completionTime=ago(250), succeeded=1,
               conditions=[{"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"}])
    assert p.cells(done, NOW) == ["pi", "Complete", "1/1", "50s", "5m", "pi", "perl:5.34.0",
                                  "batch.kubernetes.io/controller-uid=abc"]
    failed = job(startTime=ago(300), failed=5, conditions=[{"type": "Failed", "status": "True",
                                                            "reason": "BackoffLimitExceeded"}])
    assert p.cells(failed, NOW)[1] == "Failed"
    assert p.cells(job(), NOW)[1:4] == ["Running", "0/1", ""]
    suspended = job(conditions=[{"type": "Suspended", "status": "True"}])
    assert p.cells(suspended, NOW)[1] == "Suspended"
    par = job(succeeded=2)
    del par["spec"]["completions"]
    par["spec"]["parallelism"] = 3
    assert p.pc.job_completions(par) == "2/1 of 3"


def test_cronjob():
    cj = {"kind": "CronJob", "metadata": {"name": "hello", "creationTimestamp": ago(3000)},
          "spec": {"schedule": "*/1 * * * *", "suspend": False,
                   "jobTemplate": {"spec": {"template": {"spec": {"containers": [
                       {"name": "hello", "image": "busybox:1.28"}]}}}}},
          "status": {"active": [{"name": "hello-29000000"}], "lastScheduleTime": ago(20)}}
    assert p.cells(cj, NOW) == ["hello", "*/1 * * * *", "<none>", "False", 1, "20s", "50m", "hello",
                                "busybox:1.28", "<none>"]
    cj["status"] = {}
    cj["spec"]["suspend"] = True
    cj["spec"]["timeZone"] = "Etc/UTC"
    assert p.cells(cj, NOW)[2:6] == ["Etc/UTC", "True", 0, "<none>"]


def test_controller_revision_and_hpa_and_pdb():
    cr = {"kind": "ControllerRevision", "revision": 2,
          "metadata": {"name": "web-6596b9c8f6", "creationTimestamp": ago(60),
                       "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web",
                                            "uid": "x", "controller": True}]}}
    assert p.cells(cr, NOW) == ["web-6596b9c8f6", "statefulset.apps/web", 2, "60s"]
    hpa = {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "php-apache", "creationTimestamp": ago(60)},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "php-apache"},
                    "minReplicas": 1, "maxReplicas": 10,
                    "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                        "type": "Utilization", "averageUtilization": 50}}}]},
           "status": {"currentReplicas": 1, "currentMetrics": [
               {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 12}}}]}}
    assert p.cells(hpa, NOW) == ["php-apache", "Deployment/php-apache", "cpu: 12%/50%", "1", 10, 1, "60s"]
    hpa["status"] = {}
    assert p.cells(hpa, NOW)[2] == "cpu: <unknown>/50%"
    pdb = {"kind": "PodDisruptionBudget", "metadata": {"name": "zk-pdb", "creationTimestamp": ago(60)},
           "spec": {"maxUnavailable": "50%"}, "status": {"disruptionsAllowed": 1}}
    assert p.cells(pdb, NOW) == ["zk-pdb", "N/A", "50%", 1, "60s"]


# --- config, cluster, events ---------------------------------------------------------------------

def test_configmap_secret_serviceaccount_namespace():
    cm = {"kind": "ConfigMap", "metadata": {"name": "game-config", "creationTimestamp": ago(60)},
          "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}}
    assert p.cells(cm, NOW) == ["game-config", 3, "60s"]
    sec = {"kind": "Secret", "type": "kubernetes.io/tls", "metadata": {"name": "tls", "creationTimestamp": ago(60)},
           "data": {"tls.crt": "x", "tls.key": "y"}}
    assert p.cells(sec, NOW) == ["tls", "kubernetes.io/tls", 2, "60s"]
    sa = {"kind": "ServiceAccount", "metadata": {"name": "default", "creationTimestamp": ago(60)}}
    assert p.cells(sa, NOW) == ["default", 0, "60s"]
    ns = {"kind": "Namespace", "metadata": {"name": "kubeflow", "creationTimestamp": ago(60)},
          "status": {"phase": "Terminating"}}
    assert p.cells(ns, NOW) == ["kubeflow", "Terminating", "60s"]


def test_resource_quota():
    rq = {"kind": "ResourceQuota", "metadata": {"name": "kf-resource-quota", "creationTimestamp": ago(600)},
          "status": {"hard": {"requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "8", "pods": "20",
                              "limits.memory": "16Gi"},
                     "used": {"requests.cpu": "1500m", "requests.memory": "1024Mi", "pods": "3", "limits.cpu": "2000m"}}}
    assert p.cells(rq, NOW) == ["kf-resource-quota", "pods: 3/20, requests.cpu: 1500m/4, requests.memory: 1Gi/8Gi",
                                "limits.cpu: 2/8, limits.memory: 0/16Gi", "10m"]


def test_component_status():
    cs = {"kind": "ComponentStatus", "metadata": {"name": "etcd-0"},
          "conditions": [{"type": "Healthy", "status": "True", "message": "ok"}]}
    assert p.cells(cs, NOW) == ["etcd-0", "Healthy", "ok", ""]
    assert p.cells({"kind": "ComponentStatus", "metadata": {"name": "x"}}, NOW) == ["x", "Unknown", "", ""]


def event(**over):
    ev = {"kind": "Event", "apiVersion": "v1",
          "metadata": {"name": "nginx-7c5ddbdf54-abcde.17f3a", "namespace": "default", "creationTimestamp": ago(330)},
          "involvedObject": {"kind": "Pod", "namespace": "default", "name": "nginx-7c5ddbdf54-abcde",
                             "fieldPath": "spec.containers{nginx}"},
          "reason": "Pulled", "type": "Normal", "count": 1,
          "message": "Container image \"nginx:1.14.2\" already present on machine\n",
          "source": {"component": "kubelet", "host": "minikube-m02"},
          "firstTimestamp": ago(330), "lastTimestamp": ago(330)}
    ev.update(over)
    return ev


def test_event_cells_all_columns():
    assert p.cells(event(), NOW) == [
        "5m30s", "Normal", "Pulled", "pod/nginx-7c5ddbdf54-abcde", "spec.containers{nginx}",
        "kubelet, minikube-m02", "Container image \"nginx:1.14.2\" already present on machine", "5m30s", 1,
        "nginx-7c5ddbdf54-abcde.17f3a"]
    assert p.column_names("Event") == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert p.column_names("Event", wide=True) == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE",
                                                  "MESSAGE", "FIRST SEEN", "COUNT", "NAME"]


def test_event_times_and_counts():
    repeated = event(type="Warning", reason="BackOff", count=7, firstTimestamp=ago(600), lastTimestamp=ago(12),
                     source={"component": "kubelet"})
    c = p.cells(repeated, NOW)
    assert (c[0], c[5], c[7], c[8]) == ("12s", "kubelet", "10m", 7)
    new_api = event(firstTimestamp=None, lastTimestamp=None, count=None, eventTime="2026-11-01T09:58:00.000000Z",
                    source={}, reportingComponent="default-scheduler", reportingInstance="default-scheduler-minikube")
    c = p.cells(new_api, NOW)
    assert (c[0], c[5], c[7], c[8]) == ("2m", "default-scheduler, default-scheduler-minikube", "2m", 1)
    series = event(series={"count": 4, "lastObservedTime": "2026-11-01T09:59:30.000000Z"})
    c = p.cells(series, NOW)
    assert (c[0], c[8]) == ("30s", 4)
    nameless = event(involvedObject={"kind": "Node"})
    assert p.cells(nameless, NOW)[3] == "node"


# --- networking & rbac & misc --------------------------------------------------------------------

def test_endpoints_and_slices():
    ep = {"kind": "Endpoints", "metadata": {"name": "my-nginx", "creationTimestamp": ago(60)},
          "subsets": [{"addresses": [{"ip": "10.244.1.5"}, {"ip": "10.244.2.3"}, {"ip": "10.244.2.4"},
                                     {"ip": "10.244.1.9"}],
                       "ports": [{"port": 80, "protocol": "TCP"}]}]}
    assert p.cells(ep, NOW) == ["my-nginx", "10.244.1.5:80,10.244.2.3:80,10.244.2.4:80 + 1 more...", "60s"]
    assert p.cells({"kind": "Endpoints", "metadata": {"name": "e", "creationTimestamp": ago(1)}}, NOW)[1] == "<none>"
    headless = {"kind": "Endpoints", "metadata": {"name": "h"}, "subsets": [{"addresses": [{"ip": "fd00::1"}]}]}
    assert p.cells(headless, NOW)[1] == "fd00::1"
    v6 = {"kind": "Endpoints", "metadata": {"name": "h"},
          "subsets": [{"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 53}]}]}
    assert p.cells(v6, NOW)[1] == "[fd00::1]:53"
    eps = {"kind": "EndpointSlice", "metadata": {"name": "my-nginx-x7k2p", "creationTimestamp": ago(60)},
           "addressType": "IPv4", "ports": [{"name": "", "port": 80, "protocol": "TCP"}],
           "endpoints": [{"addresses": ["10.244.1.5"]}, {"addresses": ["10.244.2.3"]}]}
    assert p.cells(eps, NOW) == ["my-nginx-x7k2p", "IPv4", "80", "10.244.1.5,10.244.2.3", "60s"]
    empty = {"kind": "EndpointSlice", "metadata": {"name": "e"}, "addressType": "IPv4", "ports": None, "endpoints": []}
    assert p.cells(empty, NOW)[2:4] == ["<unset>", "<unset>"]


def test_ingress_and_class_and_netpol():
    ing = {"kind": "Ingress", "metadata": {"name": "minimal-ingress", "creationTimestamp": ago(60)},
           "spec": {"ingressClassName": "nginx", "rules": [{"host": "foo.example.com"}, {"http": {}}],
                    "tls": [{"hosts": ["foo.example.com"]}]},
           "status": {"loadBalancer": {"ingress": [{"ip": "192.168.49.2"}]}}}
    assert p.cells(ing, NOW) == ["minimal-ingress", "nginx", "foo.example.com", "192.168.49.2", "80, 443", "60s"]
    bare = {"kind": "Ingress", "metadata": {"name": "b"}, "spec": {}, "status": {}}
    assert p.cells(bare, NOW)[1:5] == ["<none>", "*", "", "80"]
    many = {"kind": "Ingress", "metadata": {"name": "m"},
            "spec": {"rules": [{"host": f"h{i}.io"} for i in range(5)]}}
    assert p.cells(many, NOW)[2] == "h0.io,h1.io,h2.io + 2 more..."
    ic = {"kind": "IngressClass", "metadata": {"name": "nginx", "creationTimestamp": ago(60)},
          "spec": {"controller": "k8s.io/ingress-nginx",
                   "parameters": {"apiGroup": "k8s.example.com", "kind": "IngressParameters", "name": "external-lb"}}}
    assert p.cells(ic, NOW) == ["nginx", "k8s.io/ingress-nginx", "IngressParameters.k8s.example.com/external-lb", "60s"]
    np = {"kind": "NetworkPolicy", "metadata": {"name": "deny-all", "creationTimestamp": ago(60)},
          "spec": {"podSelector": {}}}
    assert p.cells(np, NOW) == ["deny-all", "<none>", "60s"]


def test_rolebinding_and_lease_and_priorityclass():
    rb = {"kind": "RoleBinding", "metadata": {"name": "read-pods", "creationTimestamp": ago(60)},
          "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
          "subjects": [{"kind": "User", "name": "jane"}, {"kind": "User", "name": "bob"},
                       {"kind": "Group", "name": "devs"},
                       {"kind": "ServiceAccount", "name": "default", "namespace": "kubeflow"}]}
    assert p.cells(rb, NOW) == ["read-pods", "Role/pod-reader", "60s", "jane, bob", "devs", "kubeflow/default"]
    lease = {"kind": "Lease", "metadata": {"name": "kube-scheduler", "creationTimestamp": ago(60)},
             "spec": {"holderIdentity": "minikube_1234"}}
    assert p.cells(lease, NOW) == ["kube-scheduler", "minikube_1234", "60s"]
    pcl = {"kind": "PriorityClass", "metadata": {"name": "system-node-critical", "creationTimestamp": ago(60)},
           "value": 2000001000, "preemptionPolicy": "PreemptLowerPriority"}
    assert p.cells(pcl, NOW) == ["system-node-critical", 2000001000, False, "60s", "PreemptLowerPriority"]


def test_kinds_without_a_printer_use_name_and_created_at():
    role = {"kind": "Role", "metadata": {"name": "pod-reader", "creationTimestamp": "2026-11-01T09:00:00Z"}}
    assert not p.has_printer("Role")
    assert [(c.name, c.type, c.format) for c in p.columns("Role")] == [("Name", "string", "name"),
                                                                       ("Created At", "date", "")]
    assert p.cells(role, NOW) == ["pod-reader", "2026-11-01T09:00:00Z"]
    assert p.cells({"kind": "LimitRange", "metadata": {"name": "x"}}, NOW) == ["x", "0001-01-01T00:00:00Z"]


# --- cross-cutting -------------------------------------------------------------------------------

SAMPLES = [
    pod(statuses=[running()], conditions=READY_TRUE), node(), svc("s"), event(), job(startTime=ago(3)),
    {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 1, "template": TEMPLATE}, "status": {}},
    {"kind": "ReplicaSet", "metadata": {"name": "r"}, "spec": {"template": TEMPLATE}, "status": {}},
    {"kind": "ReplicationController", "metadata": {"name": "rc"}, "spec": {"selector": {"a": "b"}}},
    {"kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {"template": TEMPLATE}},
    {"kind": "DaemonSet", "metadata": {"name": "ds"}, "spec": {"template": TEMPLATE}},
    {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"schedule": "@hourly"}},
    {"kind": "Endpoints", "metadata": {"name": "e"}},
    {"kind": "EndpointSlice", "metadata": {"name": "e"}, "addressType": "IPv4"},
    {"kind": "Ingress", "metadata": {"name": "i"}}, {"kind": "IngressClass", "metadata": {"name": "i"}},
    {"kind": "NetworkPolicy", "metadata": {"name": "n"}}, {"kind": "Namespace", "metadata": {"name": "n"}},
    {"kind": "Secret", "metadata": {"name": "s"}}, {"kind": "ServiceAccount", "metadata": {"name": "s"}},
    {"kind": "ConfigMap", "metadata": {"name": "c"}}, {"kind": "PersistentVolume", "metadata": {"name": "p"}},
    {"kind": "PersistentVolumeClaim", "metadata": {"name": "p"}}, {"kind": "StorageClass", "metadata": {"name": "s"}},
    {"kind": "ResourceQuota", "metadata": {"name": "q"}}, {"kind": "ComponentStatus", "metadata": {"name": "c"}},
    {"kind": "ControllerRevision", "metadata": {"name": "c"}, "revision": 1},
    {"kind": "PodDisruptionBudget", "metadata": {"name": "p"}, "spec": {"minAvailable": 2}},
    {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"}, "spec": {"maxReplicas": 3}},
    {"kind": "RoleBinding", "metadata": {"name": "r"}}, {"kind": "ClusterRoleBinding", "metadata": {"name": "r"}},
    {"kind": "Lease", "metadata": {"name": "l"}}, {"kind": "PriorityClass", "metadata": {"name": "p"}, "value": 1},
    {"kind": "Role", "metadata": {"name": "r"}}, {"kind": "ClusterRole", "metadata": {"name": "r"}},
    {"kind": "PodTemplate", "metadata": {"name": "t"}}, {"kind": "RuntimeClass", "metadata": {"name": "r"}},
    {"kind": "CSINode", "metadata": {"name": "n"}, "spec": {"drivers": None}},
    {"kind": "MutatingWebhookConfiguration", "metadata": {"name": "m"}},
    {"kind": "ValidatingWebhookConfiguration", "metadata": {"name": "v"}, "webhooks": [{"name": "a"}]},
    {"kind": "ValidatingAdmissionPolicy", "metadata": {"name": "p"},
     "spec": {"validations": [{"expression": "true"}], "paramKind": {"apiVersion": "v1", "kind": "ConfigMap"}}},
    {"kind": "ValidatingAdmissionPolicyBinding", "metadata": {"name": "b"},
     "spec": {"policyName": "p", "paramRef": {"selector": {"matchLabels": {"env": "test"}}}}},
    {"kind": "APIService", "metadata": {"name": "v1.apps"}},
    {"kind": "CertificateSigningRequest", "metadata": {"name": "c"}, "spec": {"signerName": "s"}},
    {"kind": "Scale", "metadata": {"name": "s"}, "spec": {"replicas": 2}},
    {"kind": "CSIDriver", "metadata": {"name": "d"}, "spec": {"tokenRequests": [{"audience": "a"}]}},
    {"kind": "CSIStorageCapacity", "metadata": {"name": "c"}, "storageClassName": "s", "capacity": "1Gi"},
    {"kind": "VolumeAttachment", "metadata": {"name": "v"}, "spec": {"attacher": "a"}},
    {"kind": "VolumeAttributesClass", "metadata": {"name": "v"}, "driverName": "d"},
    {"kind": "ServiceCIDR", "metadata": {"name": "kubernetes"}, "spec": {"cidrs": ["10.96.0.0/12"]}},
    {"kind": "IPAddress", "metadata": {"name": "10.96.0.1"}},
    {"kind": "FlowSchema", "metadata": {"name": "f"}, "spec": {"matchingPrecedence": 9}},
    {"kind": "PriorityLevelConfiguration", "metadata": {"name": "p"}, "spec": {"type": "Exempt"}},
    {"kind": "ResourceClaim", "metadata": {"name": "gpu"}, "spec": {"devices": {}}},
    {"kind": "ResourceSlice", "metadata": {"name": "s"}, "spec": {"driver": "d", "allNodes": True, "pool": {"name": "p"}}},
    {"kind": "ResourceClaimTemplate", "metadata": {"name": "t"}, "spec": {"spec": {}}},
    {"kind": "DeviceClass", "metadata": {"name": "gpu.example.com"}, "spec": {}},
]


def test_resource_claim_state_and_slice_columns():
    """kubectl's STATE of a ResourceClaim: deleted, then pending or allocated[,reserved]; a
    ResourceSlice's NODE is empty when its devices are not one node's."""
    claim = {"kind": "ResourceClaim", "metadata": {"name": "gpu"}, "status": {}}
    assert p.cells(claim, NOW)[:2] == ["gpu", "pending"]
    claim["status"] = {"allocation": {"devices": {}}, "reservedFor": [{"resource": "pods", "name": "x", "uid": "u"}]}
    assert p.cells(claim, NOW)[1] == "allocated,reserved"
    claim["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    assert p.cells(claim, NOW)[1] == "deleted,allocated,reserved"
    del claim["status"]
    assert p.cells(claim, NOW)[1] == "deleted"
    rs = {"kind": "ResourceSlice", "metadata": {"name": "s"}, "spec": {"driver": "d", "allNodes": True, "pool": {"name": "p"}}}
    assert p.cells(rs, NOW)[:4] == ["s", "", "d", "p"]
    for kind in ("DeviceClass", "ResourceClaimTemplate"):  # NAME and AGE, not the default Created At
        assert [c.name for c in p.columns(kind)] == ["Name", "Age"]


@pytest.mark.parametrize("obj", SAMPLES, ids=lambda o: o["kind"])
def test_cells_fit_the_columns(obj):
    cols = p.columns(obj["kind"])
    cs = p.cells(obj, NOW)
    assert len(cs) == len(cols)
    for col, cell in zip(cols, cs, strict=True):
        if col.type == "integer":
            assert isinstance(cell, int) and not isinstance(cell, bool), (col.name, cell)
        elif col.type == "boolean":
            assert cell in ("True", "False", "<unset>") or isinstance(cell, bool), (col.name, cell)
        else:
            assert isinstance(cell, (str, int)), (col.name, cell)
    names = [c for c in cols if c.format == "name"]
    # the apiserver's Scale table alone leaves its Name column without the "name" format
    if obj["kind"] == "Scale":
        assert not names and cols[0].name == "Name"
    else:
        assert len(names) == 1 and names[0].name == "Name"
    json.dumps(cs)


def test_every_printed_kind_is_covered_by_samples():
    assert {k for k in p.COLUMNS} <= {o["kind"] for o in SAMPLES}


# --- table() -------------------------------------------------------------------------------------

def test_table_shape_with_partial_object_metadata():
    a = pod(statuses=[running()], conditions=READY_TRUE)
    b = pod(name="pi-xk2d9", phase="Succeeded", statuses=[terminated("Completed", 0)])
    t = p.table("Pod", [a, b], NOW, resource_version="1234")
    assert t["kind"] == "Table" and t["apiVersion"] == "meta.k8s.io/v1"
    assert t["metadata"] == {"resourceVersion": "1234"}
    assert t["columnDefinitions"][0] == {"name": "Name", "type": "string", "format": "name",
                                         "description": p.NAME_DOC, "priority": 0}
    assert [c["name"] for c in t["columnDefinitions"]] == [c.name for c in p.columns("Pod")]
    assert all(set(c) == {"name", "type", "format", "description", "priority"} for c in t["columnDefinitions"])
    r0, r1 = t["rows"]
    assert r0["cells"] == p.cells(a, NOW)
    assert r0["object"] == {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                            "metadata": a["metadata"]}
    assert "conditions" not in r0
    assert r1["conditions"][0]["reason"] == "Succeeded"
    json.dumps(t)


def test_table_include_object_modes_and_paging():
    a = node()
    assert p.table("Node", [a], NOW, include_object="Object")["rows"][0]["object"] is a
    assert p.table("Node", [a], NOW, include_object="None")["rows"][0]["object"] is None
    t = p.table("Node", [], NOW, continue_token="abc", remaining_item_count=3, no_headers=True)
    assert t["metadata"] == {"continue": "abc", "remainingItemCount": 3}
    assert t["rows"] == [] and t["columnDefinitions"] == []


# --- formatting helpers --------------------------------------------------------------------------

def test_selector_strings():
    sel = {"matchLabels": {"tier": "frontend", "app": "guestbook"},
           "matchExpressions": [{"key": "env", "operator": "In", "values": ["qa", "dev"]},
                                {"key": "zone", "operator": "NotIn", "values": ["b"]},
                                {"key": "canary", "operator": "DoesNotExist"},
                                {"key": "beta", "operator": "Exists"}]}
    assert selector_string(sel) == "app=guestbook,beta,!canary,env in (dev,qa),tier=frontend,zone notin (b)"
    assert format_label_selector(None) == "<none>"
    assert format_label_selector({}) == "<none>"
    assert format_label_selector({"matchExpressions": [{"key": "a", "operator": "Bogus"}]}) == "<error>"


@pytest.mark.parametrize("q,out", [("2Gi", "2Gi"), ("1024Mi", "1Gi"), ("1536Mi", "1536Mi"), ("0.5Gi", "512Mi"),
                                   ("1000m", "1"), ("1500m", "1500m"), ("0.5", "500m"), ("1000", "1k"),
                                   ("1500000", "1500k"), ("10G", "10G"), (None, "0"), ("3", "3"), (2, "2")])
def test_quantity_canonical_strings(q, out):
    assert quantity_string(q) == out


@pytest.mark.parametrize("kind", [*sorted(p.COLUMNS), "Role", "Unknown"])
def test_bare_objects_never_break_the_printer(kind):
    """`serve` must answer a Table for any stored object, however sparse."""
    cs = p.cells({"kind": kind}, NOW)
    assert len(cs) == len(p.columns(kind))


def test_pod_summary_exposes_the_parts():
    obj = pod(statuses=[waiting("CrashLoopBackOff", restarts=3, last_finished=ago(125))])
    s = p.pod_summary(obj)
    assert (s.ready, s.total, s.reason, s.restarts) == (0, 1, "CrashLoopBackOff", 3)
    assert s.last_restart == T0 + 3600 - 125


def test_labels_sort_as_whole_strings_like_go():
    from k9py.view.printers_format import format_labels
    # Go sorts "k=v" strings: '.' (0x2e) < '=' (0x3d), so the longer key comes first.
    assert format_labels({"app": "web", "app.kubernetes.io/name": "web"}) == "app.kubernetes.io/name=web,app=web"


def test_long_load_balancer_list_elided_only_when_not_wide():
    """Upstream's TestPrintService "Long external IP's list gets elided": GenerateOptions{} clips
    the ingress list at 16 (13 + "..."); the apiserver's tables (and so serve's) are generated
    wide, where it is whole."""
    lb = svc("service4", "LoadBalancer", [{"port": 80, "protocol": "TCP"}, {"port": 8090, "protocol": "UDP"},
                                          {"port": 8000, "protocol": "TCP"}],
             status={"loadBalancer": {"ingress": [{"ip": "2.3.4.5"}, {"ip": "3.4.5.6"},
                                                  {"ip": "5.6.7.8", "hostname": "host5678"}]}})
    assert p.pc.service_external_ip(lb, wide=False) == "2.3.4.5,3.4.5..."
    assert p.pc.service_external_ip(lb, wide=True) == "2.3.4.5,3.4.5.6,5.6.7.8"
    assert p.cells(lb, NOW)[3:5] == ["2.3.4.5,3.4.5.6,5.6.7.8", "80/TCP,8090/UDP,8000/TCP"]


def test_pv_without_defaults_prints_as_stored():
    """A replayed PersistentVolume recorded without reclaim policy or creationTimestamp."""
    pv = {"kind": "PersistentVolume", "metadata": {"name": "test2"},
          "spec": {"claimRef": {"namespace": "default", "name": "test"}, "accessModes": ["ReadWriteOnce"],
                   "capacity": {"storage": "5Gi"}},
          "status": {"phase": "Failed"}}
    assert p.cells(pv, NOW) == ["test2", "5Gi", "RWO", "", "Failed", "default/test", "", "<unset>", "",
                                "<unknown>", "<unset>"]


def test_api_extension_and_node_kinds_print_like_kubectl():
    """kubectl get apiservices / csinodes / runtimeclasses / *webhookconfigurations / podtemplates."""
    created = {"name": "x", "creationTimestamp": "2026-01-01T00:00:00Z"}
    t0 = 1767225600.0  # 2026-01-01T00:00:00Z
    local = {"kind": "APIService", "metadata": {**created, "name": "v1.apps"},
             "status": {"conditions": [{"type": "Available", "status": "True", "reason": "Local"}]}}
    assert p.column_names("APIService") == ["NAME", "SERVICE", "AVAILABLE", "AGE"]
    assert p.cells(local, t0 + 90) == ["v1.apps", "Local", "True", "90s"]
    broken = {"kind": "APIService", "metadata": {**created, "name": "v1beta1.metrics.k8s.io"},
              "spec": {"service": {"namespace": "kube-system", "name": "metrics-server"}},
              "status": {"conditions": [{"type": "Available", "status": "False", "reason": "MissingEndpoints"}]}}
    assert p.cells(broken, t0 + 90)[1:3] == ["kube-system/metrics-server", "False (MissingEndpoints)"]
    assert p.cells({"kind": "APIService", "metadata": created}, t0)[2] == "Unknown"
    assert p.column_names("CSINode") == ["NAME", "DRIVERS", "AGE"]
    assert p.cells({"kind": "CSINode", "metadata": created, "spec": {"drivers": None}}, t0 + 5) == ["x", 0, "5s"]
    assert p.column_names("RuntimeClass") == ["NAME", "HANDLER", "AGE"]
    assert p.cells({"kind": "RuntimeClass", "metadata": created, "handler": "runc"}, t0 + 5) == ["x", "runc", "5s"]
    for kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
        assert p.column_names(kind) == ["NAME", "WEBHOOKS", "AGE"]
        assert p.cells({"kind": kind, "metadata": created, "webhooks": [{}, {}]}, t0 + 5) == ["x", 2, "5s"]
    assert p.column_names("ValidatingAdmissionPolicy") == ["NAME", "VALIDATIONS", "PARAMKIND", "AGE"]
    policy = {"kind": "ValidatingAdmissionPolicy", "metadata": created,
              "spec": {"validations": [{}, {}], "paramKind": {"apiVersion": "v1", "kind": "ConfigMap"}}}
    assert p.cells(policy, t0 + 5) == ["x", 2, "v1/ConfigMap", "5s"]
    assert p.column_names("ValidatingAdmissionPolicyBinding") == ["NAME", "POLICYNAME", "PARAMREF", "AGE"]

    def param(ref: dict | None) -> str:
        spec = {"policyName": "p", **({"paramRef": ref} if ref is not None else {})}
        return p.cells({"kind": "ValidatingAdmissionPolicyBinding", "metadata": created, "spec": spec}, t0)[2]
    assert param(None) == "<unset>"
    assert param({"name": "limits", "namespace": "team-a"}) == "team-a/limits"
    assert param({"name": "limits"}) == "*/limits"  # printValidatingAdmissionPolicyBinding's "*/" for no namespace
    assert param({"selector": {"matchLabels": {"env": "test"}, "matchExpressions": [
        {"key": "tier", "operator": "In", "values": ["a", "b"]}]}}) == (
        "&LabelSelector{MatchLabels:map[string]string{env: test,},MatchExpressions:[]LabelSelectorRequirement"
        "{LabelSelectorRequirement{Key:tier,Operator:In,Values:[a b],},},}")
    assert p.column_names("PodTemplate") == ["NAME", "CONTAINERS", "IMAGES", "POD LABELS"]
    tpl = {"kind": "PodTemplate", "metadata": created,
           "template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "busybox"}]}}}
    assert p.cells(tpl, t0) == ["x", "a,b", "nginx,busybox", "app=web"]


def test_certificate_signing_requests_print_like_kubectl():
    """kubectl get csr: who asked, for which signer and how long, and where the request stands."""
    created = {"name": "jane", "creationTimestamp": "2026-01-01T00:00:00Z"}
    t0 = 1767225600.0  # 2026-01-01T00:00:00Z
    csr = {"kind": "CertificateSigningRequest", "metadata": created,
           "spec": {"signerName": "kubernetes.io/kube-apiserver-client", "username": "minikube-user",
                    "expirationSeconds": 86400}}
    assert p.column_names("CertificateSigningRequest") == [
        "NAME", "AGE", "SIGNERNAME", "REQUESTOR", "REQUESTEDDURATION", "CONDITION"]
    assert p.cells(csr, t0 + 12) == ["jane", "12s", "kubernetes.io/kube-apiserver-client", "minikube-user", "24h", "Pending"]
    approved = {**csr, "status": {"conditions": [{"type": "Approved", "status": "True"}], "certificate": "LS0t"}}
    assert p.cells(approved, t0)[5] == "Approved,Issued"
    denied = {**csr, "spec": {}, "status": {"conditions": [{"type": "Approved"}, {"type": "Denied"}, {"type": "Failed"}]}}
    assert p.cells(denied, t0)[2:] == ["<none>", "", "<none>", "Denied,Failed"]


def test_apf_storage_and_allocator_kinds_print_as_kubectl_does():
    """kubectl get flowschemas / prioritylevelconfigurations / ipaddresses / servicecidrs /
    csidrivers / volumeattachments (printers.go): sorted schemas, <none> for what a level lacks."""
    fs = [{"kind": "FlowSchema", "metadata": {"name": n, "creationTimestamp": "2024-01-01T00:00:00Z"},
           "spec": {"priorityLevelConfiguration": {"name": pl}, "matchingPrecedence": mp,
                    **({"distinguisherMethod": {"type": "ByUser"}} if mp > 1 else {})},
           "status": {"conditions": [{"type": "Dangling", "status": "False"}]} if n != "new" else {}}
          for n, pl, mp in (("global-default", "global-default", 9900), ("exempt", "exempt", 1),
                            ("new", "nowhere", 500))]
    rows = [r["cells"] for r in p.table("FlowSchema", fs, NOW)["rows"]]
    assert [(c[0], c[2], c[3], c[5]) for c in rows] == [
        ("exempt", 1, "<none>", "False"), ("new", 500, "ByUser", "?"), ("global-default", 9900, "ByUser", "False")]
    exempt = {"kind": "PriorityLevelConfiguration", "metadata": {"name": "exempt"}, "spec": {"type": "Exempt"}}
    system = {"kind": "PriorityLevelConfiguration", "metadata": {"name": "system"}, "spec": {
        "type": "Limited", "limited": {"nominalConcurrencyShares": 30, "limitResponse": {
            "type": "Queue", "queuing": {"queues": 64, "handSize": 6, "queueLengthLimit": 50}}}}}
    assert p.cells(exempt, NOW)[1:6] == ["Exempt", "<none>", "<none>", "<none>", "<none>"]
    assert p.cells(system, NOW)[1:6] == ["Limited", 30, 64, 6, 50]
    ip = {"kind": "IPAddress", "metadata": {"name": "10.96.0.10"}, "spec": {"parentRef": {
        "group": "", "resource": "services", "namespace": "kube-system", "name": "kube-dns"}}}
    assert p.cells(ip, NOW) == ["10.96.0.10", "services/kube-system/kube-dns"]
    driver = {"kind": "CSIDriver", "metadata": {"name": "hostpath.csi.k8s.io"}, "spec": {
        "attachRequired": False, "volumeLifecycleModes": ["Persistent", "Ephemeral"]}}
    assert p.cells(driver, NOW)[1:7] == [False, False, False, "<unset>", False, "Persistent,Ephemeral"]
    va = {"kind": "VolumeAttachment", "metadata": {"name": "csi-1"}, "spec": {
        "attacher": "ebs.csi.aws.com", "nodeName": "n1", "source": {"persistentVolumeName": "pv-1"}},
          "status": {"attached": True}}
    assert p.cells(va, NOW)[:5] == ["csi-1", "ebs.csi.aws.com", "pv-1", "n1", True]
