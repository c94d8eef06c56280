"""What a debug container sees (``kubectl debug``): its image's world, the target's processes with
``--target``, the pod's with ``shareProcessNamespace``, the node's (and its root at /host) from a
``hostPID`` / hostPath ``/`` pod."""

from __future__ import annotations

import re

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
    assert f"/bin/sh -c {COUNTER_SCRIPT}" in procs and "sh" in procs and procs[-1] == "ps"
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


def _node_shell(c: Cluster) -> None:
    """What k9s's `s` on a node (and `kubectl debug node/…`) runs: busybox, hostPID, the node's root at /host."""
    node_pod = pod_manifest("node-shell", "busybox", container="debugger", nodeName="minikube-m02",
                            hostPID=True, hostNetwork=True, restart_policy="Never",
                            volumes=[{"name": "host-root", "hostPath": {"path": "/"}}])
    node_pod["spec"]["containers"][0].update(stdin=True, tty=True, volumeMounts=[{"name": "host-root", "mountPath": "/host"}])
    c.create(node_pod)
    c.advance(10)


def test_chroot_host_in_a_node_shell_has_the_nodes_own_tools_then_exit_comes_back():
    """The tutorial's `minikube ssh` then `curl <POD-IP>`: in a node shell, `chroot /host` first
    (busybox has no curl; the node has)."""
    from k9py.sim.userland import STDOUT, start_exec

    c = cluster_with(pod_manifest("web", "nginx:1.27.2", nodeName="minikube-m03"))
    _node_shell(c)
    ip = pod(c, "web")["status"]["podIP"]
    p = start_exec(c, "default", "node-shell", None, ["sh"], tty=True, stdin=True)
    assert p.read() == [(STDOUT, b"/ # ")]
    p.feed(b"curl -s " + ip.encode() + b"\r")
    assert b"sh: curl: not found" in b"".join(d for _, d in p.read())
    p.feed(b"chroot /host\r")
    assert b"".join(d for _, d in p.read()).endswith(b"\r\n# ")  # the node's /bin/sh (dash)
    p.feed(b"curl -s " + ip.encode() + b" | head -4 | tail -1; hostname; cat /etc/hostname; ls /etc/kubernetes\r")
    out = b"".join(d for _, d in p.read()).decode()
    assert "<title>Welcome to nginx!</title>" in out and out.count("minikube-m02") == 2 and "kubelet.conf" in out
    p.feed(b"bash\r")  # a shell typed at the prompt: over this one
    assert b"".join(d for _, d in p.read()).endswith(b"root@minikube-m02:/# ")
    p.feed(b"exit 3\r")
    assert b"".join(d for _, d in p.read()).endswith(b"\r\n# ") and not p.done
    p.feed(b"echo $?; exit\r")
    assert b"".join(d for _, d in p.read()).endswith(b"3\r\n/ # ")  # back in busybox
    p.feed(b"touch /host/tmp/from-busybox; chroot /host ls /tmp; exit\r")
    assert "from-busybox" in b"".join(d for _, d in p.read()).decode()  # one root, seen from both
    assert p.done and p.exit_code == 0


def test_chroot_errors_as_busybox_says_them():
    c = cluster_with()
    _node_shell(c)
    assert run(c, "node-shell", "chroot /nope")[1:] == ("chroot: can't change root directory to '/nope': No such file or directory\n", 1)
    assert run(c, "node-shell", "chroot /host nope")[1:] == ("chroot: can't execute 'nope': No such file or directory\n", 127)
    assert run(c, "node-shell", "chroot /host bash -c 'echo $0'")[0] == "bash\n"
    assert run(c, "node-shell", "echo hostname | chroot /host")[0] == "minikube-m02\n"  # a script on stdin
    os_image = c.get("Node", None, "minikube-m02")["status"]["nodeInfo"]["osImage"]  # what the node says it runs
    assert f'PRETTY_NAME="{os_image}"' in run(c, "node-shell", "chroot /host cat /etc/os-release")[0]


def test_the_nodes_own_ping_is_iputils():
    """The walkthrough's `minikube ssh` then `ping <POD-IP>`: minikube's node image installs
    iputils-ping (it was `ping: not found` after `chroot /host`), which prints as iputils does."""
    c = cluster_with(pod_manifest("web", "nginx:1.27.2", nodeName="minikube-m03"))
    _node_shell(c)
    ip = pod(c, "web")["status"]["podIP"]
    out, err, code = run(c, "node-shell", f"chroot /host ping -c 1 {ip}")
    lines = out.split("\n")
    assert (err, code) == ("", 0)
    assert lines[0] == f"PING {ip} ({ip}) 56(84) bytes of data."
    assert re.fullmatch(rf"64 bytes from {re.escape(ip)}: icmp_seq=1 ttl=63 time=0\.\d{{3}} ms", lines[1]), lines[1]
    assert lines[2:5] == ["", f"--- {ip} ping statistics ---", "1 packets transmitted, 1 received, 0% packet loss, time 0ms"]
    assert re.fullmatch(r"rtt min/avg/max/mdev = (0\.\d{3}/){3}0\.000 ms", lines[5]), lines[5]
    assert "seq=0" in run(c, "node-shell", f"ping -c 1 {ip}")[0]  # busybox's own, before the chroot


def test_the_nodes_own_curl_is_ubuntu_jammys():
    """The walkthrough's `curl -X GET <POD-IP> -vvv` in `minikube ssh`: the node (Ubuntu 22.04) has
    curl 7.81.0, which says so and marks the bundle before the response (it was Debian's 7.88.1)."""
    c = cluster_with(pod_manifest("web", "nginx:1.14.2", nodeName="minikube-m03"))
    _node_shell(c)
    ip = pod(c, "web")["status"]["podIP"]
    _, err, code = run(c, "node-shell", f"chroot /host curl -X GET {ip} -vvv")
    lines = err.split("\n")
    assert code == 0 and lines[4:7] == ["> User-Agent: curl/7.81.0\r", "> Accept: */*\r", "> \r"]
    assert lines[7:9] == ["* Mark bundle as not supporting multiuse", "< HTTP/1.1 200 OK\r"]
    version = run(c, "node-shell", "chroot /host curl --version")[0].split("\n")
    assert version[0].startswith("curl 7.81.0 (x86_64-pc-linux-gnu) libcurl/7.81.0 OpenSSL/3.0.2 ")
    assert version[1] == "Release-Date: 2022-01-05" and "threadsafe" not in version[3]
