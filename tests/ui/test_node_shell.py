"""`s` on a node (k9s's node shell): a privileged pod on the node, a shell in it that sees the node
(its hostname, its processes, the pods' IPs), the pod gone when the shell ends; on a live cluster
only where the context's featureGates.nodeShell allows it."""

from __future__ import annotations

import threading

from k9py.config.settings import ShellPod
from k9py.explorer import nodeshell
from tests.ui.simcluster import command, flash, goto, run, settle
from tests.ui.test_shell import DEADLINE, terminal_is, typist  # noqa: F401 (fixtures)


def test_s_on_a_node_opens_a_shell_on_the_node_and_removes_its_pod(terminal_is):
    async def s(app, pilot, cluster):
        await command(app, pilot, "nodes")
        node = app.model.row_at(1).key[1]
        await goto(app, pilot, node)
        pod_ip = next(p["status"]["podIP"] for p in cluster.store.list("Pod", "default") if p["status"].get("podIP"))
        said: list[str] = []

        def at_the_terminal() -> None:
            terminal_is.wait_for("# ")
            terminal_is.type(f"hostname; ping -c 1 {pod_ip}\r")
            said.append(terminal_is.wait_for("1 packets received"))
            terminal_is.type("exit\r")
        typing = threading.Thread(target=at_the_terminal, daemon=True)
        typing.start()
        await pilot.press("s")
        await settle(app, pilot)
        assert flash(app) == f"Launching node shell on {node}..."
        shell_pod = cluster.store.get("Pod", "default", nodeshell.pod_name())
        assert shell_pod["spec"]["nodeName"] == node and shell_pod["spec"]["hostNetwork"] is True
        for _ in range(40):  # the pod starts on the virtual clock; the shell runs once it does
            await settle(app, pilot, 0.5)
            if not typing.is_alive():
                break
            await pilot.pause(0.01)
        typing.join(DEADLINE)
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert said and f"\r\n{node}\r\n" in said[0]  # the node's own hostname
        assert flash(app) == f"node shell {node} ended"
        assert cluster.store.get("Pod", "default", nodeshell.pod_name()) is None  # removed (grace 0)
    run(s)


def test_the_shell_pod_is_k9s_s_with_the_users_shellpod_settings():
    cfg = ShellPod(image="alpine:3.20", namespace="tools", limits={"cpu": "200m"}, labels={"who": "me"},
                   command=["sh"], host_path_volumes=[{"name": "logs", "mountPath": "/logs", "hostPath": "/var/log"}])
    pod = nodeshell.shell_pod("worker-1", cfg)
    assert pod["metadata"] == {"name": nodeshell.pod_name(), "namespace": "tools", "labels": {"who": "me"}}
    spec = pod["spec"]
    assert (spec["nodeName"], spec["hostPID"], spec["hostNetwork"], spec["terminationGracePeriodSeconds"]) == (
        "worker-1", True, True, 0)
    [c] = spec["containers"]
    assert c["image"] == "alpine:3.20" and c["securityContext"] == {"privileged": True} and c["command"] == ["sh"]
    assert c["resources"] == {"limits": {"cpu": "200m"}}
    assert [m["mountPath"] for m in c["volumeMounts"]] == ["/host", "/logs"]
    assert spec["volumes"][1] == {"name": "logs", "hostPath": {"path": "/var/log"}}


def test_a_live_cluster_needs_the_contexts_node_shell_gate(terminal_is):
    async def s(app, pilot, cluster):
        app.backend.local_cluster = lambda: None  # as a live cluster's backend: no simulator at hand
        await command(app, pilot, "nodes")
        await pilot.press("s")
        await settle(app, pilot)
        assert flash(app).startswith("node shell minikube: it runs a privileged pod on the node; "
                                     "set featureGates.nodeShell: true")
        assert cluster.store.get("Pod", "default", nodeshell.pod_name()) is None
    run(s)
