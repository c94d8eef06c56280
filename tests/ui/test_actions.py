"""Actions in the resource view against the simulator (manual clock): delete / kill / scale /
restart / set image / rollback / cordon / uncordon / drain / trigger / suspend / edit, the
read-only mode, and the Events Kubernetes leaves for them."""

import asyncio
import sys
from typing import Any

from textual.widgets import Checkbox, Input, Select

from k9py.explorer.keys import row_menu
from k9py.kube import meta
from k9py.ui.screens.actions import DeleteDialog, DrainDialog, ImageDialog
from k9py.ui.screens.dialogs import ConfirmScreen, ScaleScreen
from k9py.view.kinds import BY_NAME
from tests.ui.conftest import actions_done
from tests.ui.simcluster import command, flash, goto, run, settle, sim_cluster

NGINX = "nginx-deployment"


def names(app):
    m = app.model
    return [m.row_at(i).key[1] for i in range(len(m))]


def nginx_pods(cluster):
    return sorted(meta.name(p) for p in cluster.store.list("Pod", "default")
                  if meta.name(p).startswith(NGINX + "-") and not meta.is_deleting(p))


def reasons(cluster, kind, name, ns="default"):
    return [(e["reason"], e["message"]) for e in cluster.store.list("Event", ns)
            if e["involvedObject"]["kind"] == kind and e["involvedObject"]["name"] == name]


def test_delete_dialog_grace_and_replacement():
    async def s(app, pilot, cluster):
        victim = nginx_pods(cluster)[0]
        await goto(app, pilot, victim)
        await pilot.press("ctrl+d")
        dlg = app.screen
        assert isinstance(dlg, DeleteDialog) and isinstance(dlg, ConfirmScreen)
        assert dlg.query_one("#propagation", Select).value == "Background"
        dlg.query_one("#grace", Input).value = "5"
        await pilot.click("#ok")
        await settle(app, pilot)
        pod = cluster.store.get("Pod", "default", victim)
        assert pod["metadata"]["deletionGracePeriodSeconds"] == 5
        assert flash(app) == f"Delete resource pods default/{victim}"
        await settle(app, pilot, 10)
        assert victim not in names(app)  # gone; the ReplicaSet made a new one
        assert len(nginx_pods(cluster)) == 2 and set(nginx_pods(cluster)) <= set(names(app))
        rs = next(r for r in cluster.store.list("ReplicaSet", "default"))
        assert any(r == "SuccessfulCreate" for r, _ in reasons(cluster, "ReplicaSet", meta.name(rs)))
    run(s)


def test_delete_force_and_orphan_and_marked():
    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        await pilot.press("ctrl+d")
        app.screen.query_one("#force", Checkbox).value = True
        await pilot.click("#ok")
        await settle(app, pilot)
        assert cluster.store.get("Pod", "default", "counter") is None  # force: no grace period
        # Orphan: the deployment goes, its ReplicaSet stays without an owner
        await command(app, pilot, "deploy")
        await pilot.press("ctrl+d")
        app.screen.query_one("#propagation", Select).value = "Orphan"
        await pilot.click("#ok")
        await settle(app, pilot, 2)
        assert cluster.store.get("Deployment", "default", NGINX) is None
        rs = cluster.store.list("ReplicaSet", "default")
        assert len(rs) == 1 and not meta.owner_refs(rs[0])
        # marked rows go together; `n` cancels
        await command(app, pilot, "po")
        pods = nginx_pods(cluster)
        await goto(app, pilot, pods[0])
        await pilot.press("space", "j", "space")
        await pilot.press("ctrl+d", "n")
        assert all(not meta.is_deleting(cluster.store.get("Pod", "default", p)) for p in pods)
        await pilot.press("ctrl+d", "y")
        await settle(app, pilot)
        assert flash(app) == "Delete 2 marked pods"  # k9s: "Delete 2 marked v1/pods"
        assert all(meta.is_deleting(cluster.store.get("Pod", "default", p)) for p in pods)
    run(s)


def test_the_delete_dialog_says_how_many_marked_rows_the_filter_hides():
    """Two pods marked, then `/nginx`: ctrl-d asked "Delete 2 marked pods?" over three nginx
    rows none of which was marked; it says the two are hidden by the filter, as k9s does."""
    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        await pilot.press("space")
        await goto(app, pilot, "web")
        await pilot.press("space")
        await pilot.press("slash", *"nginx", "enter")
        await settle(app, pilot)
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert str(app.screen.query_one(".dialog-message").render()) == \
            "Delete 2 marked pods? (2 currently hidden by filter)"
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("escape")  # no filter: both shown again
        await settle(app, pilot)
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert str(app.screen.query_one(".dialog-message").render()) == "Delete 2 marked pods?"
        await pilot.press("escape")
    run(s)


def test_kill_and_the_deployment_replaces_the_pod():
    async def s(app, pilot, cluster):
        victim = nginx_pods(cluster)[1]
        await goto(app, pilot, victim)
        await pilot.press("ctrl+k")  # k9s: at once, no dialog
        assert len(app.screen_stack) == 1
        await settle(app, pilot)
        assert cluster.store.get("Pod", "default", victim) is None
        assert flash(app) == f"Kill resource pods default/{victim}"
        await settle(app, pilot, 10)
        now = nginx_pods(cluster)
        assert len(now) == 2 and victim not in now and set(now) <= set(names(app))
        await command(app, pilot, "deploy")
        await pilot.press("ctrl+k")  # kill means nothing for a deployment (k9s: the key does nothing)
        await pilot.pause()
        assert len(app.screen_stack) == 1 and flash(app) == f"Kill resource pods default/{victim}"
    run(s)


def test_scale_deployment_to_five_pods():
    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        await pilot.press("s")
        assert isinstance(app.screen, ScaleScreen)
        await pilot.press("backspace", "enter")  # nothing typed: said, and the dialog stays
        await settle(app, pilot)
        assert isinstance(app.screen, ScaleScreen)
        assert "a number is required" in str(app.screen.query_one(".dialog-message").render())
        app.screen.query_one("#replicas").value = "³"  # isdigit() takes it, int() did not: the app ended
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ScaleScreen) and app.is_running
        app.screen.query_one("#replicas").value = ""
        await pilot.press("5", "enter")
        await settle(app, pilot)
        assert flash(app) == f"Scaling deployments default/{NGINX} to 5"
        await settle(app, pilot, 15)
        assert len(nginx_pods(cluster)) == 5
        assert any("to 5 from 2" in m or "from 2 to 5" in m for r, m in reasons(cluster, "Deployment", NGINX)
                   if r == "ScalingReplicaSet")
        await pilot.press("enter")  # drill down: the five pods
        await settle(app, pilot)
        assert len(names(app)) == 5
    run(s)


def test_restart_set_image_and_rollback():
    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        await pilot.press("r")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot, 30)
        dep = cluster.store.get("Deployment", "default", NGINX)
        assert "kubectl.kubernetes.io/restartedAt" in dep["spec"]["template"]["metadata"]["annotations"]
        assert flash(app) == f"Deployment default/{NGINX} restarted"
        assert len(cluster.store.list("ReplicaSet", "default")) == 2
        assert sum(r == "ScalingReplicaSet" for r, _ in reasons(cluster, "Deployment", NGINX)) >= 3
        await pilot.press("i")
        dlg = app.screen
        assert isinstance(dlg, ImageDialog) and dlg.query_one("#image-0", Input).value == "nginx:1.14.2"
        dlg.query_one("#image-0", Input).value = "nginx:1.16.1"
        await pilot.press("enter")
        await settle(app, pilot, 30)
        dep = cluster.store.get("Deployment", "default", NGINX)
        assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.16.1"
        assert "nginx=nginx:1.16.1" in flash(app)
        assert {p["spec"]["containers"][0]["image"] for p in cluster.store.list("Pod", "default")
                if meta.name(p) in nginx_pods(cluster)} == {"nginx:1.16.1"}
        # ctrl-l on the first ReplicaSet (revision 1) rolls the deployment back to its template
        await command(app, pilot, "rs")
        first = min(cluster.store.list("ReplicaSet", "default"),
                    key=lambda r: int(meta.annotations(r)["deployment.kubernetes.io/revision"]))
        await goto(app, pilot, meta.name(first))
        await pilot.press("ctrl+l", "y")
        await settle(app, pilot, 30)
        dep = cluster.store.get("Deployment", "default", NGINX)
        assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.14.2"
        assert "restartedAt" not in str(dep["spec"]["template"])
        assert flash(app) == f"Rolled back deployment default/{NGINX} to {meta.name(first)}"
        assert ("DeploymentRollback", f"Rolled back deployment {NGINX} to revision 1") in reasons(cluster, "Deployment", NGINX)
        await pilot.press("r")  # no restart for a ReplicaSet: nothing happens
        await pilot.pause()
        assert len(app.screen_stack) == 1 and flash(app) == f"Rolled back deployment default/{NGINX} to {meta.name(first)}"
    run(s)


def test_node_cordon_uncordon_drain():
    async def s(app, pilot, cluster):
        await command(app, pilot, "no")
        node = cluster.store.get("Pod", "default", "counter")["spec"]["nodeName"]
        await goto(app, pilot, node)
        await pilot.press("c", "y")
        await settle(app, pilot, 1)
        assert cluster.store.get("Node", None, node)["spec"]["unschedulable"] is True
        assert flash(app) == f"node/{node} cordoned"
        assert ("NodeNotSchedulable", f"Node {node} status is now: NodeNotSchedulable") in reasons(cluster, "Node", node, None)
        await pilot.press("u", "y")
        await settle(app, pilot, 1)
        assert not cluster.store.get("Node", None, node)["spec"].get("unschedulable")
        assert flash(app) == f"node/{node} uncordoned"
        # drain: the counter pod has no controller: refused unless forced (like kubectl)
        await pilot.press("r")
        dlg = app.screen
        assert isinstance(dlg, DrainDialog)
        await pilot.click("#ok")
        await settle(app, pilot)
        assert "cannot delete Pods that declare no controller (use --force to override): default/counter" in flash(app)
        assert not meta.is_deleting(cluster.store.get("Pod", "default", "counter"))
        await pilot.press("r")
        app.screen.query_one("#force", Checkbox).value = True
        await pilot.click("#ok")
        await settle(app, pilot, 60)
        assert flash(app) == f"Node {node} drained!"  # (k9s's drain progress)
        assert cluster.store.get("Pod", "default", "counter") is None
        assert cluster.store.get("Node", None, node)["spec"]["unschedulable"] is True
        left = [p for p in cluster.store.list("Pod") if p["spec"].get("nodeName") == node
                and (meta.controller_ref(p) or {}).get("kind") != "DaemonSet"]
        assert left == []
    run(s)


def test_drain_dialog_has_k9s_defaults_and_drains_the_marked_nodes():
    """k9s's drain dialog opens on GracePeriod -1, Timeout 5s and every box unticked (kubectl
    drain without flags), with Disable Eviction; k9py ticked Ignore DaemonSets, took the timeout
    in bare seconds (0), had no Disable Eviction and drained only the node under the cursor."""
    async def s(app, pilot, cluster):
        cluster.create({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                        "metadata": {"name": "nginx", "namespace": "default"},
                        "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "nginx"}}}})
        await settle(app, pilot, 1)
        await command(app, pilot, "no")
        await goto(app, pilot, "minikube-m02")
        await pilot.press("space", "j", "space", "r")
        dlg = app.screen
        assert isinstance(dlg, DrainDialog) and dlg._title == "<Drain> (2) nodes"
        assert (dlg.query_one("#grace", Input).value, dlg.query_one("#timeout", Input).value) == ("-1", "5s")
        boxes = ("#ignore-daemonsets", "#delete-emptydir", "#force", "#disable-eviction")
        assert [dlg.query_one(b, Checkbox).value for b in boxes] == [False] * 4
        timeout = dlg.query_one("#timeout", Input)
        timeout.focus()
        await pilot.press("end", "backspace", "enter")  # 5: a timeout is a Go duration, as k9s parses it
        assert app.screen is dlg
        assert 'Timeout: time: missing unit in duration "5"' in str(dlg.query_one(".dialog-message").render())
        await pilot.press("backspace", "enter")  # empty: k9py took it for 0s (no deadline: a budget held it for ever)
        assert app.screen is dlg
        assert 'Timeout: time: invalid duration "" (0s: no deadline)' in str(dlg.query_one(".dialog-message").render())
        await pilot.press("5")
        await pilot.press("s", "enter")
        await settle(app, pilot)
        assert "disruption budget" in flash(app)  # evictions: the budget refuses them
        assert flash(app).startswith("0 of 2 drained; node 'minikube-m02': ")  # (which node, and the other tried)
        assert nginx_pods(cluster) and all(p["spec"]["nodeName"] != "minikube-m02" or not meta.is_deleting(p)
                                           for p in cluster.store.list("Pod", "default"))
        await pilot.press("r")
        app.screen.query_one("#disable-eviction", Checkbox).value = True  # deleted, past the budget
        await pilot.click("#ok")
        await settle(app, pilot, 60)
        assert flash(app) == "(2) nodes drained!"
        for node in ("minikube-m02", "minikube-m03"):
            assert cluster.store.get("Node", None, node)["spec"]["unschedulable"] is True
            assert not [p for p in cluster.store.list("Pod") if p["spec"].get("nodeName") == node]
    run(s)


def test_drain_of_marked_nodes_goes_on_past_a_node_that_fails_and_names_it():
    """k9s drains each marked node, flashing a node's error and going on (kubectl drain a b:
    "continuing command..."); k9py stopped at the first failure, leaving the rest undrained,
    and its flash did not say which node failed. It asked "Drain node 3 nodes?" (k9s: "Drain (3) nodes?")."""
    async def s(app, pilot, cluster):
        bad = cluster.store.get("Pod", "default", "counter")["spec"]["nodeName"]  # no controller: refused unforced
        nodes = sorted(meta.name(n) for n in cluster.store.list("Node"))
        assert len(nodes) == 3 and nodes[0] == bad
        await command(app, pilot, "no")
        await goto(app, pilot, nodes[0])
        await pilot.press("space", "j", "space", "j", "space", "r")
        dlg = app.screen
        assert isinstance(dlg, DrainDialog)
        assert str(dlg.query_one(".dialog-message").render()) == "Drain (3) nodes?"
        dlg.query_one("#ignore-daemonsets", Checkbox).value = True
        dlg.query_one("#delete-emptydir", Checkbox).value = True
        await pilot.click("#ok")
        await settle(app, pilot, 60)
        assert flash(app).startswith(f"2 of 3 drained; cannot drain node {bad!r}: cannot delete Pods that declare no")
        assert cluster.store.get("Pod", "default", "counter") is not None
        for node in nodes[1:]:  # drained all the same
            assert cluster.store.get("Node", None, node)["spec"]["unschedulable"] is True
            left = [p for p in cluster.store.list("Pod") if p["spec"].get("nodeName") == node
                    and (meta.controller_ref(p) or {}).get("kind") != "DaemonSet"]
            assert left == [], node
    run(s)


def test_cordon_of_marked_nodes_goes_on_past_a_node_that_fails_and_names_it():
    """k9s cordons each marked node, flashing a node's error and going on; k9py stopped at the
    first failure (the rest stayed schedulable) and asked "Cordon node 3 nodes?" (k9s: "Cordon
    (3) marked nodes?")."""
    async def s(app, pilot, cluster):
        nodes = sorted(meta.name(n) for n in cluster.store.list("Node"))
        await command(app, pilot, "no")
        await goto(app, pilot, nodes[0])
        await pilot.press("space", "j", "space", "j", "space", "c")
        assert str(app.screen.query_one(".dialog-message").render()) == "Cordon (3) marked nodes?"
        cluster.delete("Node", None, nodes[0])  # gone while the question was asked
        await pilot.press("y")
        await settle(app, pilot)
        assert flash(app).startswith(f"2 of 3 cordoned; node {nodes[0]!r}: ")
        assert [cluster.store.get("Node", None, n)["spec"].get("unschedulable") for n in nodes[1:]] == [True, True]
        await pilot.press("u")
        assert str(app.screen.query_one(".dialog-message").render()) == "Uncordon (2) marked nodes?"
        await pilot.press("y")
        await settle(app, pilot)
        assert flash(app) == "(2) marked nodes uncordoned"
        assert not any(cluster.store.get("Node", None, n)["spec"].get("unschedulable") for n in nodes[1:])
    run(s)


def run_on_two_contexts(scenario: Any) -> None:
    """``scenario(app, pilot, a, b, left, right)``: two simulated clusters with the same node
    names as contexts a and b, the left pane on a's nodes, the right one on b's, the left
    focused."""
    import asyncio

    from k9py.backends.sim import SimBackend, link_contexts
    from k9py.ui.app import K9pyApp
    from tests.ui.simcluster import _SIMS

    async def main() -> None:
        a, b = SimBackend(sim_cluster()), SimBackend(sim_cluster(seed=1))
        link_contexts({"a": a, "b": b})
        app = K9pyApp(a, manual=True)
        _SIMS[app] = a
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(app, pilot)
            await command(app, pilot, "no")
            await command(app, pilot, "vsplit no")
            left, right = app.splits.all_panes()
            await command(app, pilot, "ctx b")  # (the focused right pane)
            await app.workers.wait_for_complete()
            await settle(app, pilot)
            assert right.navigator.session.backend is b and left.navigator.session.backend is a
            app.splits.focus(left)
            await settle(app, pilot)
            await scenario(app, pilot, a, b, left, right)
    asyncio.run(main())


def test_a_drain_of_marked_nodes_goes_on_on_their_cluster_when_another_pane_is_focused():
    """k9py's drain of marked nodes asked for the focused pane's backend again for each node: the
    user focusing a pane on another context (or `:ctx`) while the first node drained had the
    rest drained there, on the nodes of the same name of the other cluster."""
    async def s(app, pilot, a, b, left, right):
        calls: list[tuple[str, str]] = []
        for name, backend in (("a", a), ("b", b)):
            def spy(node, _real=backend.drain, _name=name, **kw):
                calls.append((_name, node))
                if len(calls) == 1:
                    app.splits.focus(right)  # the user moves to the other cluster's pane
                return _real(node, **kw)
            backend.drain = spy
        nodes = sorted(meta.name(n) for n in a.cluster.store.list("Node"))
        await goto(app, pilot, nodes[0])
        await pilot.press("space", "j", "space", "j", "space", "r")
        dlg = app.screen
        assert isinstance(dlg, DrainDialog)
        for box in ("#ignore-daemonsets", "#delete-emptydir", "#force"):
            dlg.query_one(box, Checkbox).value = True
        await pilot.click("#ok")
        await settle(app, pilot)
        assert app.splits.pane is right and calls == [("a", n) for n in nodes]
        assert flash(app) == "(3) nodes drained!"
        assert all(a.cluster.store.get("Node", None, n)["spec"].get("unschedulable") for n in nodes)
        assert not any(b.cluster.store.get("Node", None, n)["spec"].get("unschedulable") for n in nodes)
    run_on_two_contexts(s)


def test_a_trigger_of_marked_cronjobs_goes_on_on_their_cluster_when_another_pane_is_focused():
    async def s(app, pilot, a, b, left, right):
        for backend in (a, b):
            cj = backend.cluster.store.get("CronJob", "default", "hello")
            backend.cluster.create({**cj, "metadata": {"name": "bye", "namespace": "default"}, "status": {}})
        real = a.trigger

        async def trigger(ns, name):
            app.splits.focus(right)
            return await real(ns, name)
        a.trigger = trigger
        await command(app, pilot, "cj")
        await goto(app, pilot, "bye")
        await pilot.press("space", "j", "space", "t", "y")
        await settle(app, pilot)
        made = {name: sorted(meta.controller_ref(j)["name"] for j in backend.cluster.store.list("Job", "default")
                             if "-manual-" in meta.name(j)) for name, backend in (("a", a), ("b", b))}
        assert made == {"a": ["bye", "hello"], "b": []}
    run_on_two_contexts(s)


def budget_refusing(cluster) -> str:
    """A PodDisruptionBudget that allows no nginx pod to go; the node of the first one."""
    cluster.create({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                    "metadata": {"name": "nginx", "namespace": "default"},
                    "spec": {"minAvailable": 3, "selector": {"matchLabels": {"app": "nginx"}}}})
    cluster.settle()
    return next(p["spec"]["nodeName"] for p in cluster.store.list("Pod", "default") if meta.name(p).startswith(NGINX))


def stub_retry_wait(monkeypatch, after: int = 2) -> tuple[list[int], asyncio.Event, asyncio.Event]:
    """The drain's wait between refused evictions, counted: ``tried`` is set at the ``after``-th
    retry, which then waits for ``go_on`` (no real time passes)."""
    from k9py.backends import base
    retries, tried, go_on = [0], asyncio.Event(), asyncio.Event()

    async def wait() -> None:
        retries[0] += 1
        if retries[0] >= after:
            tried.set()
            await go_on.wait()
    monkeypatch.setattr(base, "drain_retry_wait", wait)
    return retries, tried, go_on


async def open_drain(app, pilot, node: str, timeout: str) -> None:
    """`r` on ``node`` in the nodes view, the dialog's Timeout set and every pod allowed to go."""
    await command(app, pilot, "no")
    await goto(app, pilot, node)
    await pilot.press("r")
    dlg = app.screen
    dlg.query_one("#timeout", Input).value = timeout
    for box in ("#ignore-daemonsets", "#delete-emptydir", "#force"):
        dlg.query_one(box, Checkbox).value = True
    await pilot.click("#ok")


def test_drain_with_timeout_0_waits_for_the_budget_as_kubectl_does(monkeypatch):
    """Timeout 0s: kubectl's drain retries a refused eviction with no deadline ("0 timeout means
    infinite"); k9py's dialog took 0 for no retry and the budget's first refusal ended the drain."""
    async def s(app, pilot, cluster):
        retries, tried, go_on = stub_retry_wait(monkeypatch)
        node = budget_refusing(cluster)
        await settle(app, pilot)
        await open_drain(app, pilot, node, "0s")
        await asyncio.wait_for(tried.wait(), 10)
        assert retries == [2] and app.answers and flash(app) in refused_lines(cluster, node)  # still trying
        cluster.delete("PodDisruptionBudget", "default", "nginx")
        go_on.set()
        await settle(app, pilot, 60)
        assert flash(app) == f"Node {node} drained!"
        assert not [p for p in cluster.store.list("Pod", "default") if p["spec"].get("nodeName") == node]
    run(s)


def refused_lines(cluster, node: str) -> list[str]:
    """What the flash says while the budget refuses an nginx pod of ``node``: kubectl drain's
    line (its stderr), and how to stop it."""
    return [f'Draining node {node} (r cancels): error when evicting pods/"{meta.name(p)}" -n "default" (will retry '
            "after 5s): Cannot evict pod as it would violate the pod's disruption budget."
            for p in cluster.store.list("Pod", "default")
            if meta.name(p).startswith(NGINX) and p["spec"].get("nodeName") == node]


def test_a_drain_a_budget_holds_says_each_refusal_and_r_on_its_node_cancels_it(monkeypatch):
    """Timeout 0s (or a budget that never allows it): k9py's drain asked again every 5 s with
    nothing said and no way to stop it but quitting (which waited for it). Each refusal is
    flashed in kubectl's words; `r` on the node cancels the drain (as `b` a benchmark), the
    node left cordoned as kubectl's interrupted drain leaves it; `r` again opens the dialog."""
    async def s(app, pilot, cluster):
        _, tried, _ = stub_retry_wait(monkeypatch)
        node = budget_refusing(cluster)
        on_node = sorted(meta.name(p) for p in cluster.store.list("Pod", "default") if p["spec"].get("nodeName") == node)
        await settle(app, pilot)
        await open_drain(app, pilot, node, "0s")
        await asyncio.wait_for(tried.wait(), 10)
        assert flash(app) in refused_lines(cluster, node) and len(app.drains) == 1
        (task,) = app.drains
        await pilot.press("r")  # the cursor still on the node
        await actions_done(app)
        assert task.cancelled() and not app.drains and not app.answers
        assert not isinstance(app.screen, DrainDialog)
        assert flash(app) == f"Drain of node {node} canceled (cordoned nodes stay cordoned)"
        assert cluster.store.get("Node", None, node)["spec"].get("unschedulable") is True
        nginx = [n for n in on_node if n.startswith(NGINX)]
        assert nginx and all(cluster.store.get("Pod", "default", n) for n in nginx)  # never evicted
        await pilot.press("r")  # nothing going on now: the dialog again
        assert isinstance(app.screen, DrainDialog)
        await pilot.press("escape")
    run(s)


def test_a_drain_going_on_when_its_context_is_left_is_cancelled_and_said(monkeypatch):
    """`:ctx` away from a context while its drain waited on a budget closed the context's
    session under the drain: its next calls failed on a closed connection. It is cancelled as
    the session closes, and the flash says why."""
    async def s(app, pilot, a, b, left, right):
        _, tried, go_on = stub_retry_wait(monkeypatch)
        node = budget_refusing(b.cluster)
        app.splits.focus(right)
        await settle(app, pilot)
        await goto(app, pilot, node)
        await pilot.press("r")
        dlg = app.screen
        dlg.query_one("#timeout", Input).value = "0s"
        for box in ("#ignore-daemonsets", "#delete-emptydir", "#force"):
            dlg.query_one(box, Checkbox).value = True
        await pilot.click("#ok")
        await asyncio.wait_for(tried.wait(), 10)
        (task,) = app.drains
        await command(app, pilot, "ctx a")  # the right pane leaves b: b's session closes
        await app.workers.wait_for_complete()
        await actions_done(app)
        assert right.navigator.session.backend is a and task.cancelled() and not app.drains
        assert flash(app) == f"Switched to context a: Drain of node {node} canceled (cordoned nodes stay cordoned)"
        go_on.set()
        assert b.cluster.store.get("Node", None, node)["spec"].get("unschedulable") is True
    run_on_two_contexts(s)


def test_quitting_does_not_wait_for_a_drain_a_budget_holds(monkeypatch):
    """Quitting waited up to 10 s for a drain held by a budget (the dialogs' answers are waited
    for): a drain is cancelled at once, as kubectl drain by ctrl-c."""
    from k9py.backends.sim import SimBackend
    from k9py.ui import app as app_module
    from k9py.ui.app import K9pyApp
    from tests.ui.simcluster import _SIMS

    monkeypatch.setattr(app_module, "ANSWER_WAIT", 2.0)  # (a drain waited for: 2 s, then left going)

    async def main() -> None:
        _, tried, _ = stub_retry_wait(monkeypatch)
        cluster = sim_cluster()
        node = budget_refusing(cluster)
        app = K9pyApp(SimBackend(cluster), manual=True)
        _SIMS[app] = app.backend
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(app, pilot)
            await open_drain(app, pilot, node, "0s")
            await asyncio.wait_for(tried.wait(), 10)
            (task,) = app.answers
            await pilot.press("colon", "q", "enter")
        assert task.cancelled()
    asyncio.run(asyncio.wait_for(main(), 60))


def test_t_triggers_a_job_from_each_marked_cronjob():
    """k9s: t with cronjobs marked asks "Trigger 2 CronJobs?" and runs each; k9py triggered only
    the one under the cursor."""
    async def s(app, pilot, cluster):
        cj = cluster.store.get("CronJob", "default", "hello")
        cluster.create({**cj, "metadata": {"name": "bye", "namespace": "default"}, "status": {}})
        await command(app, pilot, "cj")
        await goto(app, pilot, "bye")
        await pilot.press("space", "j", "space", "t")
        assert str(app.screen.query_one(".dialog-message").render()) == "Trigger 2 cronjobs?"
        await pilot.press("y")
        await settle(app, pilot)
        made = sorted(meta.controller_ref(j)["name"] for j in cluster.store.list("Job", "default")
                      if "-manual-" in meta.name(j))
        assert made == ["bye", "hello"]
        assert flash(app) == "Triggered a job from each of 2 cronjobs"
    run(s)


def test_cronjob_trigger_and_suspend():
    async def s(app, pilot, cluster):
        await command(app, pilot, "cj")
        await pilot.press("t", "y")
        await settle(app, pilot)
        jobs = [j for j in cluster.store.list("Job", "default") if meta.name(j).startswith("hello-manual-")]
        assert len(jobs) == 1
        job = jobs[0]
        assert meta.annotations(job)["cronjob.kubernetes.io/instantiate"] == "manual"
        assert meta.controller_ref(job)["name"] == "hello"
        assert flash(app) == f"Triggered job default/{meta.name(job)} from cronjob hello"
        await settle(app, pilot, 30)
        assert cluster.store.get("Job", "default", meta.name(job))["status"].get("succeeded") == 1
        await pilot.press("s", "y")
        await settle(app, pilot)
        assert cluster.store.get("CronJob", "default", "hello")["spec"]["suspend"] is True
        assert flash(app) == "cronjob default/hello suspended"
        await pilot.press("s")
        assert "Resume cronjob default/hello?" in str(app.screen.query_one(".dialog-message").render())
        await pilot.press("y")
        await settle(app, pilot)
        assert cluster.store.get("CronJob", "default", "hello")["spec"]["suspend"] is False
        assert flash(app) == "cronjob default/hello resumed"
    run(s)


def test_sanitize_deletes_the_done_and_failing_pods_once_yes_please_is_typed():
    """k9s's `z` on pods: Completed, Error, CrashLoopBackOff, Pending… pods of the namespace go
    (grace 0), running ones stay; the dialog proceeds only on its magic phrase."""
    from tests.sim.helpers import pod_manifest

    async def s(app, pilot, cluster):
        cluster.create(pod_manifest("done", "busybox:1.36", command=["/bin/sh", "-c", "echo hi"],
                                    restart_policy="Never"))
        cluster.create(pod_manifest("broken", "busybox:1.36", command=["/bin/sh", "-c", "exit 3"],
                                    restart_policy="Never"))
        cluster.create(pod_manifest("nowhere", "nginx:1.14.2", nodeSelector={"disk": "none-such"}))
        cluster.create(pod_manifest("elsewhere", "busybox:1.36", namespace="kube-system",
                                    command=["/bin/sh", "-c", "echo hi"], restart_policy="Never"))
        await settle(app, pilot, 20)
        await pilot.press("z")
        await settle(app, pilot)
        from k9py.ui.screens.dialogs import TypedConfirmDialog
        dialog = app.screen
        assert isinstance(dialog, TypedConfirmDialog)
        assert "3 in namespace default" in str(dialog.query_one(".dialog-message").render())
        await pilot.press(*"yes", "enter")  # not the phrase: the dialog stays and says so
        await settle(app, pilot)
        assert app.screen is dialog and "type Yes Please! to proceed" in str(dialog.query_one(".dialog-message").render())
        dialog.query_one("#typed", Input).value = "Yes Please!"
        await pilot.press("enter")
        await settle(app, pilot)
        assert flash(app) == "Sanitized 3 pods"
        left = {meta.name(p) for p in cluster.store.list("Pod", "default")}
        assert not {"done", "broken", "nowhere"} & left and {"counter", "web"} <= left
        assert cluster.store.get("Pod", "kube-system", "elsewhere") is not None  # another namespace
        await pilot.press("z")
        await settle(app, pilot)
        assert flash(app) == "Nothing to sanitize: no pod in namespace default is completed or failing"
    run(s)


def test_sanitize_judges_the_pods_again_when_confirmed_and_works_on_an_empty_table():
    """A pod Pending when `z` is pressed and Running when Yes Please! is typed stays (k9s lists
    the pods after the phrase); a filter that hides every row does not stop `z`."""
    from k9py.ui.screens.dialogs import TypedConfirmDialog
    from tests.sim.helpers import pod_manifest

    async def s(app, pilot, cluster):
        cluster.create(pod_manifest("fresh", "nginx:1.14.2", container="nginx"))
        await settle(app, pilot)
        assert cluster.store.get("Pod", "default", "fresh")["status"]["phase"] == "Pending"
        await pilot.press("slash", *"no-such-row", "enter")
        await settle(app, pilot)
        assert len(app.model) == 0
        await pilot.press("z")
        await settle(app, pilot)
        assert isinstance(app.screen, TypedConfirmDialog)
        cluster.advance(60)
        await settle(app, pilot)
        assert cluster.store.get("Pod", "default", "fresh")["status"]["phase"] == "Running"
        app.screen.query_one("#typed", Input).value = "Yes Please!"
        await pilot.press("enter")
        await settle(app, pilot)
        pod = cluster.store.get("Pod", "default", "fresh")
        assert pod is not None and not meta.is_deleting(pod)
        assert flash(app) == "Sanitized 0 pods"
    run(s)


def editor(tmp_path, body):
    script = tmp_path / "editor.py"
    script.write_text(f"import sys, pathlib\np = pathlib.Path(sys.argv[1])\nt = p.read_text()\n{body}\np.write_text(t)\n")
    return f"{sys.executable} {script}"


def test_edit_applies_the_change(tmp_path, monkeypatch):
    monkeypatch.delenv("KUBE_EDITOR", raising=False)
    monkeypatch.setenv("EDITOR", editor(tmp_path, "assert t.startswith('# Please edit')\nt = t.replace('replicas: 2', 'replicas: 3', 1)"))

    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        await pilot.press("e")
        await settle(app, pilot)
        await settle(app, pilot)
        assert cluster.store.get("Deployment", "default", NGINX)["spec"]["replicas"] == 3
        assert flash(app) == f"deployments default/{NGINX} edited"
    run(s)


def test_edit_rejected_offers_to_reopen_with_the_text_kept(tmp_path, monkeypatch):
    # first run: an invalid strategy (rejected); second run: sees its own change kept and the
    # error on top, fixes the strategy and scales
    body = ("n = pathlib.Path(sys.argv[1] + '.n')\n"
            "seen = pathlib.Path(__file__).with_suffix('.seen')\n"
            "if not seen.exists():\n"
            "    seen.write_text('1')\n"
            "    t = t.replace('type: RollingUpdate', 'type: Bogus')\n"
            "else:\n"
            "    assert 'type: Bogus' in t and '# deployments.apps \"nginx-deployment\" was not valid:' in t, t\n"
            "    t = t.replace('type: Bogus', 'type: RollingUpdate').replace('replicas: 2', 'replicas: 4', 1)\n")
    monkeypatch.setenv("KUBE_EDITOR", editor(tmp_path, body))

    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        await pilot.press("e")
        await settle(app, pilot)
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert 'Unsupported value: "Bogus"' in flash(app)
        assert cluster.store.get("Deployment", "default", NGINX)["spec"]["strategy"]["type"] == "RollingUpdate"
        await pilot.press("y")
        await settle(app, pilot)
        await settle(app, pilot)
        dep = cluster.store.get("Deployment", "default", NGINX)
        assert dep["spec"]["replicas"] == 4 and dep["spec"]["strategy"]["type"] == "RollingUpdate"
        assert flash(app) == f"deployments default/{NGINX} edited"
    run(s)


def hints(view, read_only):
    return row_menu(BY_NAME[view], read_only, menu=True)  # the header menu (`?` adds n, w)


def test_read_only_refuses_and_hides_actions(tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", editor(tmp_path, "raise SystemExit('the editor must not open')"))
    assert ("<ctrl-d>", "Delete") in hints("pods", False) and ("<l>", "Logs") in hints("pods", False)
    assert hints("pods", True) == [("<enter>", "Containers"), ("<d>", "Describe"), ("<y>", "YAML"), ("<l>", "Logs"),
                                   ("<p>", "Logs Previous"), ("<c>", "Copy"), ("<o>", "Show Node")]
    assert ("<r>", "Drain") in hints("nodes", False) and ("<r>", "Drain") not in hints("nodes", True)

    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        await pilot.press("ctrl+k")  # refused before any dialog opens
        await settle(app, pilot)
        assert "read-only" in flash(app) and len(app.screen_stack) == 1
        assert cluster.store.get("Pod", "default", "counter") is not None
        await pilot.press("e")
        assert "read-only" in flash(app) and app.screen is app.screen_stack[0]
        await command(app, pilot, "no")
        await pilot.press("c")  # refused before any dialog opens
        await settle(app, pilot)
        assert "read-only" in flash(app) and len(app.screen_stack) == 1
        assert not any(n["spec"].get("unschedulable") for n in cluster.store.list("Node"))
        await command(app, pilot, "cj")
        await pilot.press("t")  # refused before any dialog opens
        await settle(app, pilot)
        assert "read-only" in flash(app) and len(app.screen_stack) == 1
        assert not [j for j in cluster.store.list("Job", "default") if "manual" in meta.name(j)]
        # reading still works
        await pilot.press("d")
        await settle(app, pilot)
        assert app.screen.__class__.__name__ == "DescribeScreen"
    run(s, readonly=True)


def test_enter_in_the_delete_dialog_cancels_and_kill_needs_none_as_in_k9s():
    """Cancel has the focus when the delete dialog opens (k9s: dialog/delete.go SetFocus on
    Cancel): a stray enter, typed ahead or out of habit, deletes nothing; tab then enter is OK.
    ctrl-k kills at once (k9s: view/pod.go killCmd, no dialog)."""
    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert not meta.is_deleting(cluster.store.get("Pod", "default", "counter"))
        await pilot.press("ctrl+k")
        await settle(app, pilot)
        assert len(app.screen_stack) == 1 and cluster.store.get("Pod", "default", "counter") is None
    run(s)


def test_jobs_offer_no_set_image_as_k9s():
    """A Job's pod template is immutable (the API refuses `kubectl set image job/...`): k9s offers
    no `i` there, and neither does k9py; a cronjob's template can change, so it keeps `i`."""
    assert ("<i>", "Set Image") not in row_menu(BY_NAME["jobs"], False)
    assert ("<i>", "Set Image") in row_menu(BY_NAME["cronjobs"], False)

    async def s(app, pilot, cluster):
        cluster.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once", "namespace": "default"},
                        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                            {"name": "once", "image": "busybox:1.36", "command": ["true"]}]}}}})
        await settle(app, pilot, 5)
        await command(app, pilot, "job")
        await goto(app, pilot, "once")
        await pilot.press("i")
        await pilot.pause()
        assert len(app.screen_stack) == 1  # no dialog whose OK can only fail
    run(s)


def test_r_restarts_every_marked_deployment_as_k9s():
    """k9s's restart asks "Restart deployment NS/NAME?" for one (singular), "Restart 2
    deployments?" for the marked rows, and restarts each of them."""
    from tests.ui.simcluster import deployment
    cluster = sim_cluster()
    cluster.create(deployment("api", replicas=1))
    cluster.advance(5)

    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        await pilot.press("r")
        assert str(app.screen.query_one(".dialog-message").render()) == "Restart deployment default/api?"
        await pilot.press("n")
        await goto(app, pilot, "api")
        await pilot.press("space")
        await goto(app, pilot, NGINX)
        await pilot.press("space", "r")
        assert str(app.screen.query_one(".dialog-message").render()) == "Restart 2 deployments?"
        await pilot.press("y")
        await settle(app, pilot)
        for name in ("api", NGINX):
            dep = cluster.store.get("Deployment", "default", name)
            assert "kubectl.kubernetes.io/restartedAt" in dep["spec"]["template"]["metadata"]["annotations"], name
        assert flash(app) == "2 deployments restarted"
    run(s, cluster)


def _with_api() -> Any:
    """The sim cluster with a one-replica "api" Deployment beside nginx's."""
    from tests.ui.simcluster import deployment
    cluster = sim_cluster()
    cluster.create(deployment("api", replicas=1))
    cluster.advance(5)
    return cluster


async def _api_marked_cursor_on_nginx(app: Any, pilot: Any) -> None:
    await command(app, pilot, "deploy")
    await goto(app, pilot, "api")
    await pilot.press("space")
    await goto(app, pilot, NGINX)


def test_s_scales_every_marked_deployment_as_k9s():
    """k9s's scale with marked rows: one count (offered 0) for each of them."""
    cluster = _with_api()

    async def s(app, pilot, cluster):
        await _api_marked_cursor_on_nginx(app, pilot)
        await pilot.press("space", "s")
        dlg = app.screen
        assert isinstance(dlg, ScaleScreen) and dlg.query_one("#replicas", Input).value == "0"
        assert "2 marked deployments" in str(dlg.query_one(".dialog").border_title)
        await pilot.press("ctrl+u", "4", "enter")
        await settle(app, pilot)
        assert flash(app) == "Scaling 2 deployments to 4"
        assert [cluster.store.get("Deployment", "default", n)["spec"]["replicas"] for n in ("api", NGINX)] == [4, 4]
    run(s, cluster)


def test_s_and_r_act_on_the_one_marked_row_not_the_cursors():
    """With one row marked and the cursor on another, s scaled (and r asked for) the cursor's:
    k9s acts on the marked rows whenever there are any."""
    cluster = _with_api()

    async def s(app, pilot, cluster):
        await _api_marked_cursor_on_nginx(app, pilot)
        before = cluster.store.get("Deployment", "default", NGINX)["spec"]["replicas"]
        await pilot.press("s")
        dlg = app.screen
        assert isinstance(dlg, ScaleScreen) and "default/api" in str(dlg.query_one(".dialog").border_title)
        assert dlg.query_one("#replicas", Input).value == "1"  # the marked one's own count
        await pilot.press("ctrl+u", "5", "enter")
        await settle(app, pilot)
        assert [cluster.store.get("Deployment", "default", n)["spec"]["replicas"] for n in ("api", NGINX)] == [5, before]
        await pilot.press("r")
        assert str(app.screen.query_one(".dialog-message").render()) == "Restart deployment default/api?"
    run(s, cluster)
