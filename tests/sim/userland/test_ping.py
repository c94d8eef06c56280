"""busybox ``ping`` over the simulated network: pods, nodes and names that resolve answer, a
ClusterIP does not (kube-proxy forwards only its ports), unknown names are bad addresses; one
request a second of virtual time until -c, -w or ctrl-c, then busybox's statistics."""

from __future__ import annotations

import re

from k9py.sim.userland import STDERR, STDOUT, start_exec
from tests.sim.helpers import pod_manifest
from tests.sim.userland.helpers import busybox, cluster_with, run

REPLY = re.compile(r"64 bytes from ([\d.]+): seq=(\d+) ttl=(6[34]) time=\d+\.\d{3} ms")


def _cluster():
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    web = pod_manifest("web", "nginx:1.27.2", labels={"app": "web"})
    return cluster_with(busybox(), busybox("peer", nodeName="minikube-m03"), web, svc, seconds=30)


def _ping(c, line: str) -> tuple[str, str, int | None]:
    """stdout, stderr, exit code of ``sh -c line`` in bb, the virtual clock moved a second at a
    time until it ends (and how many seconds that took, in ``_ping.took``)."""
    p = start_exec(c, "default", "bb", None, ["sh", "-c", line], timer=lambda: 0.0)
    out = {STDOUT: b"", STDERR: b""}
    took = 0
    while True:
        for stream, data in p.read():
            out[stream] += data
        if p.done:
            break
        c.advance(1)
        took += 1
    _ping.took = took  # type: ignore[attr-defined]
    return out[STDOUT].decode(), out[STDERR].decode(), p.exit_code


def _ip(c, pod: str) -> str:
    return c.get("Pod", "default", pod)["status"]["podIP"]


def test_ping_a_pod_ip_three_times_as_busybox_prints_it():
    c = _cluster()
    ip = _ip(c, "peer")
    out, err, code = _ping(c, f"ping -c 3 {ip}")
    lines = out.split("\n")
    assert (err, code, _ping.took) == ("", 0, 2)
    assert lines[0] == f"PING {ip} ({ip}): 56 data bytes"
    assert [REPLY.fullmatch(ln).groups()[:2] for ln in lines[1:4]] == [(ip, "0"), (ip, "1"), (ip, "2")]
    assert lines[4:7] == ["", f"--- {ip} ping statistics ---", "3 packets transmitted, 3 packets received, 0% packet loss"]
    assert re.fullmatch(r"round-trip min/avg/max = \d+\.\d{3}/\d+\.\d{3}/\d+\.\d{3} ms", lines[7]) and lines[8] == ""
    assert _ping(c, f"ping -c 3 {ip}")[0] == out                      # deterministic
    same_node = c.get("Pod", "default", "bb")["spec"]["nodeName"] == "minikube-m03"
    assert REPLY.fullmatch(lines[1]).group(3) == ("64" if same_node else "63")
    assert "ttl=64" in _ping(c, "ping -c1 localhost")[0]


def test_names_nodes_services_and_bad_addresses():
    c = _cluster()
    svc_ip = c.get("Service", "default", "web")["spec"]["clusterIP"]
    out, _, code = _ping(c, "ping -c 2 -W 1 web")                       # a ClusterIP: no ICMP answer
    assert (code, _ping.took) == (1, 2)                                   # 2 sent a second apart, -W 1 waited
    assert out == (f"PING web ({svc_ip}): 56 data bytes\n\n--- web ping statistics ---\n"
                   "2 packets transmitted, 0 packets received, 100% packet loss\n")
    web_ip = _ip(c, "web")
    name = f"{web_ip.replace('.', '-')}.default.pod.cluster.local"
    assert _ping(c, f"ping -c 1 {name}")[0].startswith(f"PING {name} ({web_ip}): 56 data bytes\n64 bytes from {web_ip}")
    node_ip = next(a["address"] for a in c.get("Node", "", "minikube")["status"]["addresses"] if a["type"] == "InternalIP")
    assert _ping(c, f"ping -qc 2 {node_ip}")[0].split("\n")[1:4] == [
        "", f"--- {node_ip} ping statistics ---", "2 packets transmitted, 2 packets received, 0% packet loss"]
    assert _ping(c, "ping -c 1 nowhere") == ("", "ping: bad address 'nowhere'\n", 1)
    assert _ping(c, "ping")[1].endswith("Usage: ping [OPTIONS] HOST\n\nSend ICMP ECHO_REQUESTs to HOST\n")
    assert run(c, "bb", "which ping") == ("/bin/ping\n", "", 0)


def test_ping_runs_a_request_a_second_until_ctrl_c_or_its_deadline():
    c = _cluster()
    ip = _ip(c, "peer")
    p = start_exec(c, "default", "bb", None, ["sh"], tty=True, stdin=True, timer=lambda: 0.0)
    p.read()
    p.feed(f"ping {ip}\r".encode())
    first = b"".join(d for _, d in p.read()).decode()
    assert first.endswith("56 data bytes\r\n" + first.split("\r\n")[2] + "\r\n") and "seq=0" in first
    for seq in (1, 2, 3):
        c.advance(1)
        got = b"".join(d for _, d in p.read()).decode()
        assert f"seq={seq} " in got and f"seq={seq + 1}" not in got
    p.feed(b"\x03")
    got = b"".join(d for s, d in p.read() if s == STDOUT).decode()
    assert got.startswith(f"^C\r\n--- {ip} ping statistics ---\r\n4 packets transmitted, 4 packets received, "
                          "0% packet loss\r\nround-trip min/avg/max = ")
    assert got.endswith(" ms\r\n/ # ") and not p.done
    # -w: the deadline ends it (exit 0: answers came)
    p.feed(f"ping -w 3 {ip} >/tmp/out; echo $?\r".encode())
    for _ in range(3):
        c.advance(1)
        got = b"".join(d for _, d in p.read())
    assert got == b"0\r\n/ # "
    p.feed(b"grep -c bytes.from /tmp/out\r")
    assert b"\r\n3\r\n" in b"".join(d for _, d in p.read())
