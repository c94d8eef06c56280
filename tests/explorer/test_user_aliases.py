"""The user's aliases (aliases.yaml) in the Navigator's `:` grammar: they expand before anything
else, shadow the built-ins, take arguments, and a hotkey's keepHistory pushes instead of replacing."""

import asyncio

from k9py.backends.sim import SimBackend
from k9py.explorer.navigator import Navigator, Outcome
from k9py.explorer.session import Session
from k9py.kube.timefmt import rfc3339
from k9py.view import kinds
from tests.samples import _pod, small_cluster

USER = {"pp": "v1/pods", "fred": "pod fred app=blee", "fw": "fred /web", "dp": "statefulsets",
        "dep": "apps/v1/deploy", "xd": "xray deploy", "zz": "yy", "yy": "zz"}


def fred_cluster():
    c = small_cluster()
    c.store.create({"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": "fred", "creationTimestamp": rfc3339(c.now() - 900)},
                    "status": {"phase": "Active"}})
    for name, app in (("blee-web-1", "blee"), ("blee-db-1", "blee"), ("other-1", "other")):
        _pod(c, "fred", name, labels={"app": app})
    return c


async def pump(session: Session) -> None:
    for _ in range(5):
        await asyncio.sleep(0)
    session.informer.flush()


def explore(scenario):
    async def main():
        session = Session(SimBackend(fred_cluster()), manual=True, namespace="default")
        nav = Navigator(session, namespace="default", aliases=USER)
        assert nav.start().ok
        await pump(session)
        try:
            await scenario(nav, session)
        finally:
            await session.close()
    asyncio.run(main())


def names(nav):
    m = nav.current.model
    return sorted(m.row_at(i).key[1] for i in range(len(m)))


def test_pp_opens_pods_by_its_group_version_resource():
    async def s(nav, session):
        assert nav.run("pp").ok
        await pump(session)
        assert nav.current.scope.view.name == "pods" and nav.current.title().startswith("pods(default)")
    explore(s)


def test_fred_shows_the_pods_of_namespace_fred_labelled_app_blee():
    async def s(nav, session):
        assert nav.run("fred").ok
        await pump(session)
        assert nav.current.namespace == "fred" and nav.current.scope.label == "app=blee"
        assert names(nav) == ["blee-db-1", "blee-web-1"]
        assert nav.run(":fw").ok  # an alias of an alias, then a filter
        await pump(session)
        assert names(nav) == ["blee-web-1"] and nav.current.filter == "web"
    explore(s)


def test_user_aliases_shadow_the_built_ins_and_pass_on_what_follows():
    async def s(nav, session):
        assert nav.run("dp").ok
        assert nav.current.scope.view.name == "statefulsets"
        assert nav.run("dep kube-system").ok
        assert nav.current.scope.view.name == "deployments" and nav.current.namespace == "kube-system"
        assert nav.run("deploy").ok and nav.current.scope.view.name == "deployments"  # the built-in words stay
        assert nav.run("xd") == Outcome(request="xray", arg="deploy")
    explore(s)


def test_a_cycle_is_an_error_not_a_hang():
    async def s(nav, session):
        out = nav.run("zz")
        assert not out.ok and out.message == "alias cycle: zz -> yy -> zz"
    explore(s)


def test_keep_stack_pushes_so_esc_comes_back():
    async def s(nav, session):
        assert nav.run("fred", keep_stack=True).ok
        assert [v.scope.view.name for v in nav.stack] == ["pods", "pods"] and nav.current.namespace == "fred"
        assert nav.pop() and nav.current.namespace == "default"
        assert nav.run("dp").ok and len(nav.stack) == 1  # a command replaces the stack, as before
    explore(s)


def test_the_aliases_table_lists_the_users_and_drops_what_they_shadow():
    rows = kinds.alias_table({}, {"pp": "v1/pods", "dp": "statefulsets", "fred": "pod fred app=blee", "fw": "fred /web"})
    by_name = {name: words for _, name, words in rows}
    assert "dp" not in by_name["deployments"].split(",") and "deploy" in by_name["deployments"].split(",")
    assert ("Pod", "v1/pods", "pp") in rows and ("Pod", "pod fred app=blee", "fred") in rows
    assert ("Pod", "fred /web", "fw") in rows and ("StatefulSet", "statefulsets", "dp") in rows
    assert kinds.complete("fr", None, ["fred", "fw"]) == ["fred"]


def test_k9s_own_short_words_for_xray_and_pulses():
    """k9s's alias.go: `x` is xray, `hz` and `pu` pulses."""
    async def main():
        session = Session(SimBackend(fred_cluster()), manual=True, namespace="default")
        nav = Navigator(session, namespace="default")
        assert nav.start().ok
        assert nav.run("x deploy") == Outcome(request="xray", arg="deploy")
        assert nav.run("hz") == nav.run("pu") == Outcome(request="pulses", arg="")
        await session.close()
    asyncio.run(main())
