"""End to end: the real kubectl's ``debug`` against `k9py serve` (the demo cluster): ephemeral
containers (with and without ``-it``, ``--target``, a command), copies of a pod (``--copy-to``,
``--container``, ``--share-processes``) and node debugging (``node/NAME``: host namespaces, the
node's root at /host). The copies and node pods arrive as protobuf. No sleeps: every wait reads a
terminal or polls kubectl against a deadline."""

from __future__ import annotations

import re

import pytest

from tests.serve.test_kubectl_e2e import Server
from tests.serve.test_kubectl_exec_e2e import Terminal

pytestmark = pytest.mark.e2e

PROMPT_HINT = b"If you don't see a command prompt, try pressing enter."


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("debug"))
    s.until("counter running", lambda: s.json("get", "pod", "counter")["status"].get("phase") == "Running")
    yield s
    assert s.stop() == 0, "SIGTERM ends `k9py serve` cleanly"


def _ephemeral_state(srv: Server, pod: str, name: str) -> dict:
    statuses = srv.json("get", "pod", pod)["status"].get("ephemeralContainerStatuses") or []
    return next((s["state"] for s in statuses if s["name"] == name), {})


def _session(srv: Server, *args: str) -> Terminal:
    term = Terminal(srv, *args)
    term.expect(PROMPT_HINT)
    return term


def test_debug_without_attach_adds_a_debug_container_that_runs_and_ends(srv):
    p = srv.kubectl("debug", "counter", "--image=busybox", "--target=count", "-c", "dbg-quiet")
    assert p.stdout.startswith('Targeting container "count".') and p.stderr == ""
    st = srv.until("dbg-quiet terminated", lambda: _ephemeral_state(srv, "counter", "dbg-quiet").get("terminated"))
    assert st["exitCode"] == 0 and st["reason"] == "Completed"  # sh without stdin ends at once
    spec = srv.json("get", "pod", "counter")["spec"]["ephemeralContainers"]
    dbg = next(c for c in spec if c["name"] == "dbg-quiet")
    assert dbg["targetContainerName"] == "count" and dbg["securityContext"] == {"capabilities": {"add": ["SYS_PTRACE"]}}
    desc = srv.kubectl("describe", "pod", "counter").stdout
    section = desc.split("Ephemeral Containers:", 1)[1].split("Conditions:", 1)[0]
    assert "dbg-quiet:" in section and "Terminated" in section and "Exit Code:    0" in section


def test_debug_with_a_command_logs_its_output(srv):
    srv.kubectl("debug", "counter", "--image=busybox", "-c", "dbg-echo", "--", "sh", "-c", "echo hi from debug")
    st = srv.until("dbg-echo terminated", lambda: _ephemeral_state(srv, "counter", "dbg-echo").get("terminated"))
    assert st["exitCode"] == 0
    assert srv.kubectl("logs", "counter", "-c", "dbg-echo").stdout == "hi from debug\n"


def test_debug_it_with_target_shares_the_targets_processes(srv):
    term = _session(srv, "debug", "-it", "counter", "--image=busybox", "--target=count", "-c", "dbg-it")
    try:
        term.type(b"ps\r")
        term.expect(b"    1 root      0:00 /bin/sh -c i=0; while true;")  # cmdline's NULs as spaces
        term.type(b"cat /etc/hostname\r")
        term.expect(b"counter\r\n")
        term.type(b"exit\r")
        term.expect(b"Session ended, the ephemeral container will not be restarted")
        assert term.wait() == 0
    finally:
        term.close()
    st = srv.until("dbg-it terminated", lambda: _ephemeral_state(srv, "counter", "dbg-it").get("terminated"))
    assert st["exitCode"] == 0
    assert "running" in srv.json("get", "pod", "counter")["status"]["containerStatuses"][0]["state"]


def test_ephemeral_containers_are_validated_like_the_apiserver(srv):
    patch = '{"spec":{"ephemeralContainers":[{"name":"bad","image":"busybox","ports":[{"containerPort":80}]}]}}'
    p = srv.kubectl("patch", "pod", "counter", "--subresource=ephemeralcontainers", "-p", patch, check=False)
    assert p.returncode == 1
    assert re.fullmatch(r'The Pod "counter" is invalid: spec\.ephemeralContainers\[\d+\]\.ports: Forbidden: '
                        r"cannot be set for an Ephemeral Container\n", p.stderr), p.stderr
    p = srv.kubectl("patch", "pod", "counter", "--subresource=ephemeralcontainers", "--type=json",
                    "-p", '[{"op":"remove","path":"/spec/ephemeralContainers/0"}]', check=False)
    assert p.returncode == 1 and "may not be removed" in p.stderr
    p = srv.kubectl("debug", "counter", "--image=busybox", "-c", "count", check=False)
    assert p.returncode == 1 and 'Duplicate value: "count"' in p.stderr


def test_debug_copy_to_attaches_to_a_copy_sharing_its_processes(srv):
    term = _session(srv, "debug", "counter", "-it", "--copy-to=counter-copy", "--image=busybox", "-c", "dbg")
    try:
        term.type(b"ps\r")
        term.expect(b"    1 root      0:00 /pause")
        term.expect(b"while true;")  # the copied counter's process, in the shared namespace
        term.type(b"exit\r")
        term.expect(b"Session ended, resume using 'kubectl attach counter-copy -c dbg")
        assert term.wait() == 0
    finally:
        term.close()
    spec = srv.json("get", "pod", "counter-copy")["spec"]
    assert spec["shareProcessNamespace"] is True and [c["name"] for c in spec["containers"]] == ["count", "dbg"]
    srv.kubectl("delete", "pod", "counter-copy", "--wait=false")


def test_debug_copy_to_with_container_replaces_its_command(srv):
    term = _session(srv, "debug", "counter", "-it", "--copy-to=counter-sh", "--container=count",
                    "--share-processes=false", "--", "sh")
    try:
        term.type(b"echo $HOSTNAME; ps\r")
        term.expect(b"counter-sh\r\n")
        term.expect(b"    1 root      0:00 sh\r\n")
        term.type(b"exit\r")
        term.expect(b"Session ended")
        assert term.wait() == 0
    finally:
        term.close()
    spec = srv.json("get", "pod", "counter-sh")["spec"]
    assert [(c["name"], c.get("command"), c.get("args")) for c in spec["containers"]] == [("count", ["sh"], None)]
    assert "shareProcessNamespace" not in spec or spec["shareProcessNamespace"] is False
    srv.kubectl("delete", "pod", "counter-sh", "--wait=false")


def test_debug_node_runs_in_the_hosts_namespaces_with_its_root_at_host(srv):
    node = srv.json("get", "pod", "counter")["spec"]["nodeName"]
    term = Terminal(srv, "debug", f"node/{node}", "-it", "--image=busybox")
    try:
        seen = term.expect(PROMPT_HINT)
        m = re.search(rf"Creating debugging pod (node-debugger-{node}-\w+) with container debugger on node {node}\.".encode(), seen)
        assert m, seen
        name = m.group(1).decode()
        term.type(b"cat /host/etc/hostname; hostname\r")
        term.expect(f"{node}\r\n{node}\r\n".encode())
        term.type(b"ls /host/etc/kubernetes\r")
        term.expect(b"kubelet.conf")
        term.type(b"ps\r")
        term.expect(b"    1 root      0:00 /sbin/init")
        term.expect(b"while true;")  # the counter pod's process: it runs on this node
        term.type(b"exit\r")
        term.expect(b"Session ended")
        assert term.wait() == 0
    finally:
        term.close()
    pod = srv.until("the node debugger completed",
                    lambda: (lambda p: p if p["status"].get("phase") == "Succeeded" else None)(srv.json("get", "pod", name)))
    spec = pod["spec"]
    assert spec["nodeName"] == node and spec["hostPID"] and spec["hostNetwork"] and spec["hostIPC"]
    assert {"name": "host-root", "hostPath": {"path": "/", "type": ""}} in spec["volumes"]
    srv.kubectl("delete", "pod", name, "--wait=false")
