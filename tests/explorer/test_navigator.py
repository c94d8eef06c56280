"""The explorer core without a UI: Navigator routing and ResourceView state over the simulator."""

import asyncio

import pytest

from k9py.backends.sim import SimBackend
from k9py.explorer.navigator import Navigator
from k9py.explorer.session import Session
from tests.samples import small_cluster


async def pump(session: Session) -> None:
    for _ in range(5):
        await asyncio.sleep(0)
    session.informer.flush()


def explore(scenario, **kw):
    """Run ``async scenario(nav, session)`` over the small cluster (manual clock, no UI)."""
    async def main():
        session = Session(SimBackend(small_cluster()), manual=True, namespace=kw.pop("namespace", "default"), **kw)
        nav = Navigator(session, namespace=session.namespace)
        shown = []
        nav.on_show = shown.append
        assert nav.start().ok
        await pump(session)
        try:
            await scenario(nav, session, shown)
        finally:
            await session.close()
    asyncio.run(main())


def names(nav):
    m = nav.current.model
    return [m.row_at(i).key[1] for i in range(len(m))]


def test_commands_route_views_with_namespace_labels_and_filter():
    async def s(nav, session, shown):
        assert nav.current.title() == "pods(default)[5]"
        assert nav.run("po kube-system").ok
        await pump(session)
        assert nav.current.title() == "pods(kube-system)[2]" and nav.active_namespace == "kube-system"
        assert nav.run("pods default app=nginx").ok
        await pump(session)
        assert nav.current.title() == "pods(default)[3] <app=nginx>"
        assert nav.run("po /count").ok
        await pump(session)
        assert names(nav) == ["counter"] and nav.current.title().endswith("</count>")
        assert nav.run("no").ok and nav.current.scope.namespace == ""  # nodes are not namespaced
        assert nav.active_namespace == "default"
        out = nav.run("nope")
        assert not out.ok and out.level == "error" and out.message == "`nope` command not found"
        out = nav.run("co")
        assert not out.ok and "select a pod" in out.message
        out = nav.run("po a=b=c")
        assert not out.ok and out.level == "error"
        assert nav.run("q").quit and nav.run("help").request == "help" and nav.run("a").request == "aliases"
        assert nav.run("scenarios").request == "scenarios"
        assert len(nav.stack) == 1 and shown[-1] is nav.current
    explore(s)


def test_history_recalls_commands_with_the_namespace_they_opened_in():
    async def s(nav, session, shown):
        nav.run("dp")
        nav.run("svc kube-system")
        assert nav.history == ["pods default", "dp default", "svc kube-system"]
        nav.history_back()
        assert nav.current.scope.view.name == "deployments" and nav.current.scope.namespace == "default"
        nav.history_back()
        assert nav.current.scope.view.name == "pods"
        assert nav.history_back().message == "Can't go back any further"  # at the start: stays (k9s's words)
        assert nav.current.scope.view.name == "pods"
        nav.history_forward()
        nav.history_forward()
        assert nav.current.scope.view.name == "services" and nav.current.scope.namespace == "kube-system"
        assert nav.history_forward().message == "Can't go forward any further"
        nav.history_last()  # `-`: the view before (toggles)
        assert nav.current.scope.view.name == "deployments"
        nav.history_last()
        assert nav.current.scope.view.name == "services"
        assert nav.history == ["pods default", "dp default", "svc kube-system"]  # `-` writes no history
    explore(s)


def test_the_last_view_key_toggles_without_writing_the_history():
    """k9s: `:cm :ns :svc :dp - -` then `[` `[` `[`: dp, svc, ns — `-` is not a history step."""
    async def s(nav, session, shown):
        for cmd in ("cm", "ns", "svc", "dp"):
            nav.run(cmd)
        nav.history_last()
        nav.history_last()
        seen = []
        for _ in range(3):
            nav.history_back()
            seen.append(nav.current.scope.view.name)
        assert seen == ["services", "namespaces", "configmaps"]
    explore(s)


def test_favourites_switch_namespaces_and_keep_nine():
    async def s(nav, session, shown):
        nav.run("po kube-system")
        assert nav.favorites[:2] == ["kube-system", "default"]
        assert nav.favorite(0).ok
        await pump(session)
        assert nav.current.title() == "pods(all)[7]" and nav.active_namespace == ""
        nav.favorite(2)
        await pump(session)
        assert nav.current.title() == "pods(default)[5]"
        for i in range(12):
            nav.remember(f"ns-{i}")
        assert len(nav.favorites) == 9 and nav.favorites[0] == "ns-11"
        nav.run("no")
        out = nav.switch_namespace("default")
        assert not out.ok and out.message == "nodes are not namespaced"
    explore(s)


def test_drill_down_and_back():
    async def s(nav, session, shown):
        nav.run("dp")
        await pump(session)
        dep = nav.current.row(("default", "nginx-deployment"))
        assert nav.drill(dep).ok and len(nav.stack) == 2
        await pump(session)
        assert nav.current.title() == "pods(default)[3] <app=nginx>"
        pod = nav.current.model.row_at(0)
        nav.drill(pod)
        await pump(session)
        assert nav.current.scope.view.name == "containers" and nav.current.title() == f"containers(default/{pod.key[1]})[1]"
        assert nav.drill(nav.current.model.row_at(0)).request == "logs"
        assert nav.pop() and nav.pop() and not nav.pop()
        assert nav.current.scope.view.name == "deployments"
        nav.run("cm")
        await pump(session)
        assert nav.drill(nav.current.model.row_at(0)).request == "describe"  # no children: describe
        nav.run("ns")
        await pump(session)
        nav.drill(nav.current.row(("", "kube-system")))
        assert nav.active_namespace == "kube-system" and nav.current.scope.namespace == "kube-system"
        nav.run("ctx")
        out = nav.drill(nav.current.model.row_at(0))
        assert out.request == "context-kept" and out.message.startswith("already using context")
    explore(s)


def test_owner_and_show_node_put_the_cursor_on_their_target():
    async def s(nav, session, shown):
        await pump(session)
        pod = next(r for r in (nav.current.model.row_at(i) for i in range(5)) if r.key[1].startswith("nginx"))
        out, key = nav.owner(pod)
        assert out.ok and key == ("default", "nginx-deployment-77d8468669")
        assert nav.current.scope.view.name == "replicasets"
        nav.pop()
        out, key = nav.show_node(pod)
        assert out.ok and key == ("", "minikube-m02") and nav.current.scope.view.name == "nodes"
        await pump(session)
        out, key = nav.owner(nav.current.model.row_at(0))
        assert not out.ok and key is None and "has no owner" in out.message
    explore(s)


def test_resource_view_filter_sort_marks_and_close():
    async def s(nav, session, shown):
        view = nav.current
        assert view.set_filter("-l a=b=c") is not None  # a bad selector says so
        assert view.set_filter("nginx") is None and len(view.model) == 3
        assert not view.sort_by("NOPE") and view.sort_by("AGE")
        view.marks.update({("default", "counter"), ("default", "gone")})
        assert view.targets(("default", "crashy")) == [("default", "counter")]  # marked rows still shown win
        view.marks.clear()
        assert view.targets(("default", "crashy")) == [("default", "crashy")]
        sub = view.sub
        nav.run("dp")  # replacing the stack closes the old view's subscription
        assert view.sub is None and sub is not None
        assert view.filter == "nginx" and view.sort == ("AGE", True)
    explore(s)


@pytest.mark.parametrize("readonly", [False, True])
def test_read_only_session(readonly):
    async def s(nav, session, shown):
        assert session.read_only is readonly
        assert session.backend.info().read_only is readonly
    explore(s, readonly=readonly)


def test_a_view_over_a_warm_cache_loads_its_rows_once_and_hears_what_changes_after(monkeypatch):
    """Back to the pods within the watch's grace period: the rows come from the cache as the view
    opens, and not a second time from the subscription's first flush (200,000 events: a second
    load of 0.3-0.5 s). The listener hears "synced" once, when it is attached."""
    from k9py.view.rows import RowModel
    loads = []
    real_load = RowModel.load
    monkeypatch.setattr(RowModel, "load", lambda self, objects: loads.append(len(objects)) or real_load(self, objects))

    async def s(nav, session, shown):
        nav.run("dp")
        await pump(session)
        loads.clear()
        assert nav.run("po").ok
        view = nav.current
        told = []
        view.listener = lambda v, change: told.append(change)
        view.tell_loaded()
        await pump(session)
        await pump(session)
        assert loads == [5] and [c.synced for c in told] == [True]
        view.tell_loaded()
        assert len(told) == 1  # once
        session.backend.cluster.delete("Pod", "default", "counter", grace_period=0)
        await pump(session)
        assert "counter" not in names(nav) and len(nav.current.model) == 4
        assert loads == [5] and told[-1].rows and not told[-1].synced
    explore(s)


def test_owner_jump_reaches_a_custom_resource_that_controls_the_pod():
    """shift-j on a PyTorchJob's (a Notebook's, a CronTab's) pod opens the custom resource's view
    on its row, as k9s does, instead of 'has no owner'."""
    from k9py.kube.meta import owner_reference
    from tests.crds import crontab, crontab_crd

    cluster = small_cluster()
    cluster.create(crontab_crd())
    owner = cluster.create(crontab("nightly"))
    cluster.create({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "nightly-0", "namespace": "default", "ownerReferences": [owner_reference(owner)]},
                    "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    cluster.settle()

    async def main():
        session = Session(SimBackend(cluster), manual=True, namespace="default")
        nav = Navigator(session, namespace="default")
        assert nav.start().ok
        await pump(session)
        try:
            row = nav.current.row(("default", "nightly-0"))
            out, key = nav.owner(row)
            assert out.ok, out.message
            assert key == ("default", "nightly") and nav.current.scope.view.name == "crontabs"
        finally:
            await session.close()
    asyncio.run(main())


def test_enter_on_a_service_without_pods_to_show_says_why():
    """k9s's showPods: enter on a Service with no selector (default/kubernetes) or of type
    ExternalName warns "No matching pods" and stays; it opened an empty pods view, as if the
    Service's pods had gone."""
    async def s(nav, session, shown):
        session.backend.cluster.store.create({
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext", "namespace": "default"},
            "spec": {"type": "ExternalName", "externalName": "example.com", "selector": {"app": "nginx"}}})
        nav.run("svc")
        await pump(session)
        out = nav.drill(nav.current.row(("default", "kubernetes")))
        assert not out.ok and out.message == ("No matching pods. Service default/kubernetes does not provide "
                                              "any selectors")
        out = nav.drill(nav.current.row(("default", "ext")))
        assert not out.ok and out.message == "No matching pods. Service default/ext is an external service."
        assert len(nav.stack) == 1 and nav.current.scope.view.name == "services"
        assert nav.drill(nav.current.row(("default", "my-nginx"))).ok  # a selector: its pods
        await pump(session)
        assert nav.current.title() == "pods(default)[3] <app=nginx>"
    explore(s)
