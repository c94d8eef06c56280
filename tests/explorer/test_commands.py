"""`:` commands of issue 10 through the Navigator, without a UI: `:crd` and custom resources,
RBAC views, fully qualified names, `:ctx NAME`, `:ns NAME`, and a namespace that does not exist."""

from __future__ import annotations

import asyncio

from k9py.backends.base import Capability
from k9py.backends.sim import SimBackend
from k9py.explorer.navigator import Navigator
from k9py.explorer.session import Session
from tests.crds import add_crontabs, crontab
from tests.samples import small_cluster


async def pump(session: Session) -> None:
    for _ in range(5):
        await asyncio.sleep(0)
    session.informer.flush()


def explore(scenario, *, crds: bool = True, backend=None, namespace: str = "default"):
    """Run ``async scenario(nav, session, cluster)`` over the small cluster with the CronTab CRD."""
    async def main():
        cluster = small_cluster()
        if crds:
            add_crontabs(cluster)
        session = Session(backend(cluster) if backend else SimBackend(cluster), manual=True, namespace=namespace)
        nav = Navigator(session, namespace=namespace)
        try:
            await scenario(nav, session, cluster)
        finally:
            await session.close()
    asyncio.run(main())


async def show(nav: Navigator, session: Session, command: str):
    out = nav.run(command)
    await pump(session)
    return out


def names(nav):
    m = nav.current.model
    return [m.row_at(i).key[1] for i in range(len(m))]


def cells(nav, i=0):
    m = nav.current.model
    return list(m.cells(m.row_at(i)))


def columns(nav):
    return [c.name for c in nav.current.model.columns]


# -- CRDs and custom resources ----------------------------------------------------------------------

def test_crd_lists_the_crds_and_enter_opens_their_objects():
    async def s(nav, session, cluster):
        assert (await show(nav, session, "crd")).ok
        assert nav.current.title() == "customresourcedefinitions(all)[1]"
        assert columns(nav) == ["NAME", "CREATED AT"] and cells(nav) == ["crontabs.stable.example.com", "2026-11-01T09:00:00Z"]
        assert nav.drill(nav.current.model.row_at(0)).ok
        await pump(session)
        assert len(nav.stack) == 2 and nav.current.title() == "crontabs(all)[3]"
        assert columns(nav) == ["NAMESPACE", "NAME", "SPEC", "REPLICAS", "AGE"]
        assert sorted(names(nav)) == ["cleanup", "every-5m", "nightly"]
        assert nav.pop() and nav.current.scope.view.name == "customresourcedefinitions"
        assert await show(nav, session, "crds") and nav.current.scope.view.name == "customresourcedefinitions"
    explore(s)


def test_custom_resources_by_plural_singular_short_and_qualified_names_with_their_printer_columns():
    async def s(nav, session, cluster):
        for command in ("crontabs", "crontab", "ct", "crontabs.stable.example.com", "crontab.stable.example.com",
                        "stable.example.com/v1/crontabs"):
            assert (await show(nav, session, command)).ok, command
            assert nav.current.title() == "crontabs(default)[2]", command
        assert columns(nav) == ["NAME", "SPEC", "REPLICAS", "AGE"]
        assert cells(nav, 1) == ["nightly", "0 3 * * *", "2", "0s"]
        nav.current.toggle_wide()
        assert columns(nav) == ["NAME", "SPEC", "REPLICAS", "IMAGE", "AGE"]
        cluster.advance(125)
        nav.current.tick()
        assert cells(nav, 0)[-1] == "2m5s"
        assert nav.current.sort_by("REPLICAS") and names(nav) == ["every-5m", "nightly"]
        assert (await show(nav, session, "ct kube-system")).ok and cells(nav) == ["cleanup", "@hourly", "3", "2m5s"]
        assert not nav.run("crontabs.other.example.com").ok
        assert not nav.run("stable.example.com/v1/cronjobs").ok
        # the rows go live like any view's
        with cluster.lock:
            cluster.create(crontab("fresh", "kube-system"))
        await pump(session)
        assert names(nav) == ["cleanup", "fresh"]
    explore(s)


def test_a_crd_created_later_adds_its_commands():
    async def s(nav, session, cluster):
        out = nav.run("ct")
        assert not out.ok and out.message == "`ct` command not found"
        add_crontabs(cluster)
        assert (await show(nav, session, "ct")).ok and nav.current.title() == "crontabs(default)[2]"
    explore(s, crds=False)


def test_enter_on_a_crd_whose_kind_is_not_served_says_so():
    async def s(nav, session, cluster):
        await show(nav, session, "crd")
        row = nav.current.model.row_at(0)
        session.extra_aliases = lambda: {}  # discovery has not caught up with the CRD yet
        out = nav.drill(row)
        assert not out.ok and out.level == "warn" and "crontabs.stable.example.com" in out.message
        assert len(nav.stack) == 1
    explore(s)


# -- RBAC ---------------------------------------------------------------------------------------------

def test_rbac_views_with_kubectls_columns():
    async def s(nav, session, cluster):
        assert (await show(nav, session, "rb kube-system")).ok
        # the bootstrap policy of a kubeadm/minikube cluster (sim/rbac_policy.py)
        assert nav.current.title() == "rolebindings(kube-system)[10]" and columns(nav) == ["NAME", "ROLE", "AGE"]
        assert cells(nav)[:2] == ["kube-proxy", "Role/kube-proxy"]
        assert (await show(nav, session, "crb")).ok
        crbs = names(nav)
        assert len(crbs) == 51 and crbs[0] == "cluster-admin" and "minikube-rbac" in crbs
        assert cells(nav)[:2] == ["cluster-admin", "ClusterRole/cluster-admin"]
        nav.current.toggle_wide()
        assert columns(nav) == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
        assert cells(nav, crbs.index("minikube-rbac"))[5] == "kube-system/default"
        assert (await show(nav, session, "ro kube-system")).ok and columns(nav) == ["NAME", "CREATED AT"]
        assert (await show(nav, session, "cr")).ok and names(nav)[:4] == ["admin", "cluster-admin", "edit", "kubeadm:get-nodes"]
        assert {"view", "system:discovery", "system:node"} <= set(names(nav))
        assert nav.current.title() == "clusterroles(all)[63]"
        for alias, view in (("roles", "roles"), ("clusterroles", "clusterroles"), ("rolebindings", "rolebindings"),
                            ("clusterrolebindings", "clusterrolebindings"), ("rolebindings.rbac.authorization.k8s.io",
                                                                              "rolebindings")):
            assert nav.run(alias).ok and nav.current.scope.view.name == view
    explore(s, crds=False)


# -- fully qualified names ------------------------------------------------------------------------------

def test_fully_qualified_names_resolve_to_their_view():
    async def s(nav, session, cluster):
        for command in ("deployments.apps", "deployment.apps", "apps/v1/deployments", "DEPLOYMENTS.APPS"):
            assert nav.run(command).ok, command
            assert nav.current.scope.view.name == "deployments", command
        assert nav.run("v1/pods").ok and nav.current.scope.view.name == "pods"
        assert nav.run("cronjobs.batch kube-system").ok and nav.current.title() == "cronjobs(kube-system)[0]"
        for bad in ("deployments.batch", "apps/v2/deployments", "apps/deployments/x/y", "nope.apps"):
            out = nav.run(bad)
            assert not out.ok and out.message == f"`{bad}` command not found", bad
    explore(s, crds=False)


# -- contexts and namespaces ----------------------------------------------------------------------------

class TwoContexts(SimBackend):
    """A simulator with a kubeconfig of two contexts."""

    def capabilities(self):
        return super().capabilities() | {Capability.CONTEXTS}

    def contexts(self):
        return [{"kind": "Context", "metadata": {"name": "k9py-sim"}, "current": True},
                {"kind": "Context", "metadata": {"name": "staging"}}]


def test_ctx_name_switches_directly():
    async def s(nav, session, cluster):
        out = nav.run("ctx staging")
        assert out.ok and (out.request, out.arg) == ("context", "staging")
        out = nav.run("context k9py-sim")
        assert out.ok and out.request == "context-kept" and out.message == "already using context k9py-sim"
        out = nav.run("ctx nope")
        assert not out.ok and out.level == "error" and out.message == 'no context exists with the name: "nope"'
        assert nav.run("ctx").ok and nav.current.scope.view.name == "contexts"  # alone: the list
    explore(s, crds=False, backend=TwoContexts)


def test_ctx_name_on_a_backend_with_one_context():
    async def s(nav, session, cluster):
        assert nav.run("ctx k9py-sim").message == "already using context k9py-sim"
        assert not nav.run("ctx other").ok
    explore(s, crds=False)


def test_ns_name_opens_that_namespaces_pods_and_ns_alone_lists_them():
    async def s(nav, session, cluster):
        assert (await show(nav, session, "ns kube-system")).ok
        assert nav.current.title() == "pods(kube-system)[2]" and nav.active_namespace == "kube-system"
        assert nav.favorites[0] == "kube-system"
        assert (await show(nav, session, "ns")).ok and nav.current.scope.view.name == "namespaces"
        assert (await show(nav, session, "namespaces -A")).ok and nav.current.scope.view.name == "namespaces"
        assert nav.run("ns -n default").ok
        assert (nav.current.scope.view.name, nav.current.scope.namespace) == ("pods", "default")
        nav.history_last()
        assert nav.current.scope.view.name == "namespaces"
    explore(s, crds=False)


def test_a_namespace_that_does_not_exist_is_said_so_and_still_shown():
    async def s(nav, session, cluster):
        out = nav.run("po nosuchns")  # nothing known of namespaces yet: the backend is asked
        assert out.ok and out.message == "" and out.later is not None
        said = await out.later()
        assert (said.message, said.level) == ("No resources found in nosuchns namespace.", "warn")
        assert nav.current.title() == "pods(nosuchns)[0]"
        assert "nosuchns" not in nav.favorites  # a typo is no favourite (the 0-9 keys keep the real ones)
        out = nav.run("po kube-system")
        assert (await out.later()).message == "" and nav.favorites[0] == "kube-system"
        # with the namespaces watched, the answer comes at once
        session.informer.subscribe("Namespace", None, lambda cache, diff: None)
        await pump(session)
        out = nav.run("dp nosuchns")
        assert (out.message, out.level, out.later) == ("No resources found in nosuchns namespace.", "warn", None)
        assert "nosuchns" not in nav.favorites
        assert nav.run("dp default").message == ""
        assert nav.run("no").message == ""  # not namespaced
        out = nav.run("ns nosuchns")
        assert out.message == "No resources found in nosuchns namespace." and nav.current.title() == "pods(nosuchns)[0]"
        # the view fills when the namespace and its pods appear
        with cluster.lock:
            cluster.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "nosuchns"}})
            cluster.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "late", "namespace": "nosuchns"},
                                  "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
        await pump(session)
        assert names(nav) == ["late"]
        assert nav.run("po nosuchns").message == ""
    explore(s, crds=False)


def test_the_start_namespace_is_checked_too():
    async def s(nav, session, cluster):
        out = nav.start()
        assert out.ok and nav.current.title() == "pods(nosuchns)[0]"
        said = await out.later()
        assert said.message == "No resources found in nosuchns namespace."
        nav.run("dp")  # left the view before the answer: nothing said about an old view
        out = nav.run("po nosuchns")
        check = out.later
        nav.run("svc default")
        assert (await check()).message == ""
    explore(s, crds=False, namespace="nosuchns")


def test_the_at_sign_names_a_context_as_in_k9s():
    from k9py.view.kinds import parse_command

    cmd = parse_command("pods @prod kube-system app=web")
    assert (cmd.context, cmd.namespace, cmd.labels, cmd.rest) == ("prod", "kube-system", "app=web", "pods kube-system app=web")
    cmd = parse_command("po /needle @in-the-filter")  # what follows `/` is the filter's text
    assert (cmd.context, cmd.filter, cmd.rest) == (None, "needle @in-the-filter", "po /needle @in-the-filter")
    assert parse_command("po @").error == "@: name a context (`:pods @CONTEXT`)"
    assert parse_command("po").context is None


def test_a_view_the_other_session_does_not_serve_falls_back_to_the_start_view():
    """`:ctx` while a CRD's objects are shown, onto a cluster that does not serve it (a live one
    reads discovery again first): the pane opens the start view instead of staying empty."""
    class Discovering(SimBackend):
        rediscovers = True

        async def rediscover(self) -> bool:
            return True

    async def s(nav, session, cluster):
        await show(nav, session, "crontabs")
        assert nav.current.scope.view.name == "crontabs"
        other = Session(Discovering(small_cluster()), manual=True)
        try:
            out = nav.rebind(other)
            assert nav.current is not None and nav.current.scope.view.name == "pods"
            assert out.ok
        finally:
            await other.close()
    explore(s)


def test_an_unknown_command_is_not_found_once_the_wait_for_discovery_ends(monkeypatch):
    """A live server that does not answer discovery (hung): `:foo` says not found after
    REDISCOVERY_WAIT, as k9s does at once, not when the request gives up half a minute later;
    the reading goes on behind and a kind it brings is there for the next command."""
    from k9py.explorer import session as session_mod
    monkeypatch.setattr(session_mod, "REDISCOVERY_WAIT", 0.01)
    answer = asyncio.Event()
    asked: list[int] = []

    class Hung(SimBackend):
        rediscovers = True

        async def rediscover(self) -> bool:
            asked.append(1)
            await answer.wait()
            return True

    async def main() -> None:
        session = Session(Hung(small_cluster()), manual=True)
        nav = Navigator(session)
        try:
            out = nav.run(":foo")
            assert out.later is not None
            done = await asyncio.wait_for(out.later(), 10)
            assert not done.ok and "foo" in done.message
            again = await asyncio.wait_for(nav.run(":foo").later(), 10)  # still reading: not asked twice
            assert not again.ok and asked == [1]
            answer.set()
            await asyncio.sleep(0)
            assert session._rediscovery is not None
            assert await session._rediscovery
        finally:
            await session.close()
    asyncio.run(main())


def test_a_flag_without_its_value_or_unknown_is_an_error_not_a_namespace():
    """`:pods -n` showed the pods of a namespace called "-n" (No resources found in -n
    namespace.), `:pods -l` of "-l", `:pods -f` of "-f": a flag missing its value or unknown
    is cobra's error, and the view stays as it was."""
    from k9py.view.kinds import parse_command

    assert parse_command("pods -n").error == "flag needs an argument: 'n' in -n"
    assert parse_command("pods -l").error == "flag needs an argument: 'l' in -l"
    assert parse_command("pods -n /web").error == "flag needs an argument: 'n' in -n"
    # (k9s's newArgs skips a -f with no word: the pods, unfiltered)
    assert (parse_command("pods -f").error, parse_command("pods -f").filter) == (None, None)
    assert parse_command("pods -x").error == "unknown shorthand flag: 'x' in -x"
    assert parse_command("pods --bogus=1").error == "unknown flag: --bogus"
    cmd = parse_command("pods -n kube-system -l app=web")
    assert (cmd.error, cmd.namespace, cmd.labels) == (None, "kube-system", "app=web")
    cmd = parse_command("pods -n=kube-system -l=app=web /x")
    assert (cmd.error, cmd.namespace, cmd.labels, cmd.filter) == (None, "kube-system", "app=web", "x")
    assert parse_command("pods -A").namespace == ""


def test_the_full_gvr_title_waits_for_the_servers_discovery_before_it_keeps_an_answer():
    """ui.useFullGVRTitle on a live cluster whose discovery has not answered: the built-in
    registry's version is shown meanwhile, not kept; the server's own (an older apps/v1beta2
    here) is."""
    from dataclasses import replace as dc_replace

    from k9py.explorer.resource_view import ResourceView
    from k9py.kube.resources import BY_KIND
    from k9py.view.kinds import BY_NAME, Scope

    class Discovering(SimBackend):
        answered = False

        def discovered(self) -> bool:
            return self.answered

        def kinds(self):
            dep = BY_KIND["Deployment"]
            return [dc_replace(dep, version="v1beta2")] if self.answered else [dep]

    async def main() -> None:
        backend = Discovering(small_cluster())
        session = Session(backend, manual=True)
        view = ResourceView(session, Scope(BY_NAME["deployments"], "default"))
        assert view.gvr_name() == "apps/v1/deployments"
        backend.answered = True
        assert view.gvr_name() == "apps/v1beta2/deployments"
        await session.close()
    asyncio.run(main())


def test_the_command_takes_k9s_fuzzy_flag():
    """k9s's `:po -f ngx` (its FuzzyArg) shows the pods the `/-f ngx` filter keeps: it was an
    unknown flag, the view stayed as it was."""
    from k9py.view.kinds import command_in, parse_command

    for text in ("pods -f ngx", "pods -fngx", "pods -f=ngx", "pods -f NGX"):  # (lowercased, as k9s)
        cmd = parse_command(text)
        assert (cmd.error, cmd.filter, cmd.namespace) == (None, "-f ngx", None), text
    cmd = parse_command("pods kube-system -f etd")
    assert (cmd.error, cmd.filter, cmd.namespace) == (None, "-f etd", "kube-system")
    assert command_in("pods -f ngx", "") == "pods all /-f ngx"
    assert parse_command(command_in("pods -f ngx", "")).filter == "-f ngx"


def test_a_fuzzy_command_filters_the_view():
    async def s(nav, session, shown):
        assert nav.run("po -f ngxdp").ok
        await pump(session)
        assert nav.current.title().endswith(" </-f ngxdp>")
        assert names(nav) and all(n.startswith("nginx") for n in names(nav))
    explore(s)


def test_kubectl_words_no_view_answers_say_what_to_type_instead():
    """A tutorial's `kubectl get componentstatus` typed as `:cs`: the API has the kind but will
    not watch it; the flash says where the control plane's health is. A create-only kind too,
    and its `kubectl get deployment,pod`: one kind per view, `:workloads` shows them together."""
    async def s(nav, session, cluster):
        for word in ("cs", "componentstatuses", "ComponentStatus"):
            out = nav.run(word)
            assert not out.ok and out.message == f"`{word}` cannot be watched (deprecated): see the control plane in :pods kube-system"
        out = nav.run("tokenreviews")
        assert not out.ok and out.message == "`tokenreviews`: tokenreviews cannot be listed and watched, only create"
        assert nav.run("pods kube-system").ok
        out = nav.run("deployment,pod")  # kubectl get deployment,pod
        assert not out.ok and out.message == "`deployment,pod`: one kind per view; :workloads shows them together"
        out = nav.run("pv,pvc")
        assert not out.ok and out.message == "`pv,pvc`: one kind per view (:pv, then :pvc)"
        assert nav.run("deploy,nope").message == "`deploy,nope` command not found"
    explore(s, crds=False)
