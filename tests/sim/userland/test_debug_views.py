"""What a debug container sees (``kubectl debug``): its image's world, the target's processes with
``--target``, the pod's with ``shareProcessNamespace``, the node's (and its root at /host) from a
``hostPID`` / hostPath ``/`` pod."""

from __future__ import annotations

from k9py.kube.meta import deep_copy
from k9py.sim.cluster import Cluster
from tests.sim.helpers import COUNTER_SCRIPT, pod, pod_manifest
from tests.sim.userland.helpers import busybox, cluster_with, run, sh


def _debug(c: Cluster, pod_name: str, name: str, **fields) -> None:
    p = deep_copy(pod(c, pod_name))
    p["spec"].setdefault("ephemeralContainers", []).append({"name": name, "image": "busybox", "stdin": True, **fields})
    c.replace(p, subresource="ephemeralcontainers")
    c.advance(5)


def _ps(c: Cluster, pod_name: str, container: str) -> list[str]:
    return [line[5:].split(None, 2)[-1] for line in sh(c, pod_name, "ps", container=container).splitlines()[1:]]


def test_a_targeted_debug_container_sees_the_targets_processes_in_its_own_image():
    web = pod_manifest("web", "nginx:1.14.2", container="nginx")
    c = cluster_with(web)
    _debug(c, "web", "dbg", targetContainerName="nginx")
    ps = sh(c, "web", "ps", container="dbg").splitlines()
    assert ps[1] == "    1 root      0:00 nginx: master process nginx -g daemon off;"
    assert "   29 nginx     0:00 nginx: worker process" in ps
    assert sh(c, "web", "cat /etc/os-release | head -1", container="dbg") != sh(c, "web", "cat /etc/os-release | head -1", container="nginx")
    assert sh(c, "web", "ls /bin/wget", container="dbg") == "/bin/wget\n"
    assert run(c, "web", "ls /bin/wget", container="nginx")[2] == 1  # not in the nginx image
    _debug(c, "web", "loner")  # no target: its own process tree
    assert _ps(c, "web", "loner")[0] == "sh"


def test_kill_1_from_a_targeted_debugger_stops_the_target():
    c = cluster_with(busybox("bb", container="main"))
    _debug(c, "bb", "dbg", targetContainerName="main")
    before = pod(c, "bb")["status"]["containerStatuses"][0]
    out, err, code = run(c, "bb", "kill 1; echo still here", container="dbg")
    assert (out, err, code) == ("still here\n", "", 0)  # the debugger's shell lives on
    c.advance(30)
    after = pod(c, "bb")["status"]["containerStatuses"][0]
    assert after["restartCount"] == before["restartCount"] + 1
    assert "running" in next(s for s in pod(c, "bb")["status"]["ephemeralContainerStatuses"])["state"]


def test_a_shared_process_namespace_shows_every_container_under_pause():
    shared = pod_manifest("copy", "busybox", container="app", args=["/bin/sh", "-c", COUNTER_SCRIPT],
                          shareProcessNamespace=True)
    shared["spec"]["containers"].append({"name": "debugger", "image": "busybox", "stdin": True, "tty": True})
    c = cluster_with(shared)
    procs = _ps(c, "copy", "debugger")
    assert procs[0] == "/pause"
    assert f"/bin/sh -c '{COUNTER_SCRIPT}'" in procs and "sh" in procs and procs[-1] == "ps"
    assert run(c, "copy", "kill 1", container="debugger") == ("", "sh: can't kill pid 1: Operation not permitted\n", 1)


def test_a_node_debugging_pod_sees_the_nodes_processes_and_root():
    node_pod = pod_manifest("node-debugger", "busybox", container="debugger", nodeName="minikube-m02",
                            hostPID=True, hostNetwork=True, hostIPC=True, restart_policy="Never",
                            tolerations=[{"operator": "Exists"}],
                            volumes=[{"name": "host-root", "hostPath": {"path": "/"}}])
    node_pod["spec"]["containers"][0].update(stdin=True, tty=True, volumeMounts=[{"name": "host-root", "mountPath": "/host"}])
    other = busybox("neighbour", nodeName="minikube-m02")
    c = cluster_with(other, node_pod)
    p = pod(c, "node-debugger")
    assert p["status"]["phase"] == "Running" and len(p["spec"]["tolerations"]) == 1  # Exists tolerates every taint
    assert p["spec"]["volumes"][0] == {"name": "host-root", "hostPath": {"path": "/", "type": ""}}  # defaulted
    procs = _ps(c, "node-debugger", "debugger")
    assert procs[0] == "/sbin/init" and any("kubelet" in x for x in procs) and "sleep 3600" in procs
    assert sh(c, "node-debugger", "hostname") == "minikube-m02\n"
    assert sh(c, "node-debugger", "cat /host/etc/hostname") == "minikube-m02\n"
    listing = sh(c, "node-debugger", "ls /host").split()
    assert {"bin", "etc", "usr", "var", "proc"} <= set(listing)
    uid = pod(c, "neighbour")["metadata"]["uid"]
    assert sh(c, "node-debugger", "ls /host/var/log/pods").split().count(f"default_neighbour_{uid}") == 1
    assert "ID=ubuntu" in sh(c, "node-debugger", "cat /host/etc/os-release")
