"""Several contexts: simulated clusters as contexts of one another, and a view merging them
(`:pods --contexts a,b`) with a CONTEXT column, over the explorer core (no UI, manual clocks)."""

from __future__ import annotations

import asyncio
from typing import Any

from k9py.backends.sim import SimBackend, link_contexts
from k9py.explorer.merged import MergedView
from k9py.explorer.navigator import Navigator
from k9py.explorer.session import Session
from k9py.view.kinds import parse_command
from k9py.view.merged_rows import context_of
from tests.samples import small_cluster
from tests.sim.helpers import pod_manifest


class Flaky(SimBackend):
    """A simulated cluster whose connection can be cut: from then on its watches fail."""

    down: str | None = None

    async def watch(self, kind: str, namespace: str | None = None) -> Any:
        if self.down:
            raise ConnectionRefusedError(self.down)
        async for ev in SimBackend.watch(self, kind, namespace):
            if self.down:
                raise ConnectionRefusedError(self.down)
            yield ev


def add_pod(backend: SimBackend, name: str) -> None:
    with backend.cluster.lock:
        backend.cluster.store.create(pod_manifest(name, "nginx:1.14.2"))


async def pump(*sessions: Session) -> None:
    for _ in range(5):
        await asyncio.sleep(0)
    for s in sessions:
        s.informer.flush()


def explore(scenario, *, extra: dict | None = None) -> None:
    """Run ``async scenario(nav, a, b)``: contexts a and b (two small clusters; b has a pod
    ``only-b``), the navigator on a."""
    async def main() -> None:
        a, b = SimBackend(small_cluster()), Flaky(small_cluster(seed=1))
        add_pod(b, "only-b")
        link_contexts({"a": a, "b": b, **(extra or {})})
        session = Session(a, manual=True)
        nav = Navigator(session)
        assert nav.start().ok
        await pump(session)
        try:
            await scenario(nav, a, b)
        finally:
            for view in nav.stack:
                if isinstance(view, MergedView):
                    await view.aclose()
            await session.close()
    asyncio.run(main())


async def open_merged(nav: Navigator, text: str = "pods --contexts a,b") -> MergedView:
    out = nav.run(text)
    assert out.ok, out.message
    view = nav.current
    assert isinstance(view, MergedView)
    if view.connecting is not None:
        await view.connecting
    await settle(view)
    return view


async def settle(view: MergedView) -> None:
    for _ in range(5):
        await asyncio.sleep(0)
    view.flush()


def rows(view: MergedView) -> list[tuple[str, ...]]:
    m = view.model
    assert m is not None
    return [tuple(r.key) for r in (m.row_at(i) for i in range(len(m))) if r is not None]


def test_simulated_clusters_are_contexts_of_one_another():
    async def s(nav, a, b):
        ctx = {c["metadata"]["name"]: c["current"] for c in nav.session.contexts()}
        assert ctx == {"a": True, "b": False}
        assert nav.session.can_switch()
        new = await nav.session.switch_context("b")
        assert new.backend is b and new.info().context == "b"
        assert [c["metadata"]["name"] for c in new.contexts() if c["current"]] == ["b"]
        out = nav.run("ctx nope")
        assert not out.ok and "nope" in out.message
        assert nav.run("ctx b").request == "context"
    explore(s)


def test_merged_view_shows_both_contexts_with_a_context_column():
    async def s(nav, a, b):
        view = await open_merged(nav)
        m = view.model
        assert m.columns[0].name == "CONTEXT" and m.columns[1].name == "NAME"
        keys = rows(view)
        assert ("default", "counter", "a") in keys and ("default", "counter", "b") in keys
        assert ("default", "only-b", "b") in keys and ("default", "only-b", "a") not in keys
        row = m.rows[("default", "only-b", "b")]
        assert m.cells(row)[:2] == ("b", "only-b")
        assert view.session_of(row) is view.sessions["b"] and view.session_of(m.rows[("default", "counter", "a")]) is nav.session
        assert view.title().startswith(f"pods(default)[{len(keys)}]") and view.title().endswith("a ✓ b ✓")
        assert view.owned == {"b"}  # a is the navigator's own session
        # filter and sort as in any view: the context is part of a row's text
        assert view.set_filter("only") is None and rows(view) == [("default", "only-b", "b")]
        view.set_filter("^b counter")
        assert rows(view) == [("default", "counter", "b")]
        view.set_filter("")
        assert view.sort_by("CONTEXT")
        ctxs = [k[2] for k in rows(view)]
        assert ctxs == sorted(ctxs) and set(ctxs) == {"a", "b"}
        assert view.sort_by("NAME")  # by name: the same pod of both contexts side by side
        names = [k[1] for k in rows(view)]
        assert names == sorted(names) and rows(view)[:2] == [("default", "counter", "a"), ("default", "counter", "b")]
        # only the read-only verbs, on the row's own context
        assert view.scope.view.verbs == {"describe", "yaml", "logs", "previous", "copy"}
        assert nav.drill(row).request == "describe"
        out, key = nav.owner(m.rows[("default", next(k[1] for k in keys if k[1].startswith("nginx")), "b")])
        assert not out.ok and key is None and nav.current is view  # the owner is in b: not followed from a
    explore(s)


def test_each_context_updates_on_its_own_and_a_failing_one_does_not_stall_the_other():
    async def s(nav, a, b):
        view = await open_merged(nav)
        b.cluster.advance(5)
        add_pod(b, "new-in-b")
        with a.cluster.lock:
            a.cluster.store.delete("Pod", "default", "counter")
        await settle(view)
        keys = rows(view)
        assert ("default", "new-in-b", "b") in keys
        assert ("default", "counter", "a") not in keys and ("default", "counter", "b") in keys
        assert view.model.rows[("default", "new-in-b", "b")].delta == "add"
        # b's connection is cut: its watch fails as its cluster changes
        b.down = "connection refused"
        add_pod(b, "unseen")
        await settle(view)
        assert view.title().endswith("a ✓ b ✗ connection refused")
        assert ("b", "reconnecting", "connection refused") in view.states()
        # a keeps updating; b's rows stay as last seen
        a.cluster.advance(10)
        add_pod(a, "new-in-a")
        await settle(view)
        keys = rows(view)
        assert ("default", "new-in-a", "a") in keys and ("default", "only-b", "b") in keys
        assert ("default", "unseen", "b") not in keys
        assert view.condition() == (False, None)
    explore(s)


def test_a_slow_context_never_holds_the_others():
    async def s(nav, a, b):
        gate, plain = asyncio.Event(), a.use_context

        async def slow(name: str) -> Any:
            if name == "c":  # c's server takes its time to answer
                await gate.wait()
            return await plain(name)
        a.use_context = slow
        assert nav.run("pods --contexts a,c,b").ok
        view = nav.current
        await settle(view)
        assert ("default", "only-b", "b") in rows(view) and ("default", "counter", "a") in rows(view)
        assert view.title().endswith("a ✓ c … b ✓")  # b opened while c is still on its way
        gate.set()
        await view.connecting
        await settle(view)
        assert view.title().endswith("a ✓ c ✓ b ✓")
        assert any(k[2] == "c" for k in rows(view))
    explore(s, extra={"c": SimBackend(small_cluster(seed=2))})


def test_a_context_that_fails_to_open_is_reported():
    async def s(nav, a, b):
        async def refuse(name: str) -> Any:
            raise ConnectionRefusedError("connection refused")
        a.use_context = refuse  # a's kubeconfig points b at a dead server
        view = await open_merged(nav)
        assert ("b", "failed", "connection refused") in view.states()
        assert view.title().endswith("a ✓ b ✗ connection refused")
        assert {k[2] for k in rows(view)} == {"a"}
    explore(s)


def test_merge_refused_for_unknown_contexts_and_views_that_are_no_lists():
    async def s(nav, a, b):
        out = nav.run("pods --contexts a,zz")
        assert not out.ok and out.message == 'no context exists with the name: "zz"'
        out = nav.run("ctx --contexts a,b")
        assert not out.ok and "only built-in resource views" in out.message
        assert nav.run("po --contexts").message.startswith("--contexts")
    explore(s)


def test_namespace_keys_keep_the_view_merged_and_closing_closes_its_contexts():
    async def s(nav, a, b):
        view = await open_merged(nav, "deploy --contexts a,b")
        b_session = view.sessions["b"]
        assert nav.favorite(0).ok  # all namespaces
        new = nav.current
        assert isinstance(new, MergedView) and new is not view and new.contexts == ["a", "b"]
        if new.connecting is not None:
            await new.connecting
        await settle(new)
        assert [c.name for c in new.model.columns[:3]] == ["CONTEXT", "NAMESPACE", "NAME"]
        assert {k[2] for k in rows(new)} == {"a", "b"}
        await asyncio.sleep(0)
        assert not b_session.informer.active()  # the old view's context b was closed
        assert nav.run("pods").ok and not isinstance(nav.current, MergedView)
        await asyncio.sleep(0)
        assert not new.sessions and nav.session.informer.active()  # a (the navigator's) stays open
    explore(s)


def test_parse_contexts_option():
    assert parse_command("pods --contexts a,b").contexts == ("a", "b")
    cmd = parse_command("po -A --contexts=a,b,a /x y")
    assert cmd.contexts == ("a", "b") and cmd.namespace == "" and cmd.filter == "x y"
    cmd = parse_command("deploy kube-system --contexts a app=x")
    assert cmd.contexts == ("a",) and cmd.namespace == "kube-system" and cmd.labels == "app=x"
    assert parse_command("po --contexts").error and parse_command("po").contexts == ()


def test_a_shared_simulated_cluster_runs_until_its_last_session_closes():
    async def main() -> None:
        sim = SimBackend(small_cluster())
        sim.start()
        sim.start()  # shown by the explorer and by a merged view
        await sim.close()
        assert sim._drive_task is not None
        await sim.close()
        assert sim._drive_task is None
    asyncio.run(main())


def test_context_of_reads_the_merged_key():
    async def s(nav, a, b):
        view = await open_merged(nav)
        assert {context_of(r) for r in view.model.rows.values()} == {"a", "b"}
    explore(s)


def test_a_session_closed_before_it_started_leaves_a_shared_cluster_running():
    """A merged view closed while one of its contexts connects closes a Session it never
    started: the simulated cluster another pane shows must keep its clock."""
    async def main():
        shared = SimBackend(small_cluster())
        shown = Session(shared)
        shown.start()  # a pane on it
        assert shared._drive_task is not None
        await Session(shared).close()  # opened for a merged view that went meanwhile
        assert shared._drive_task is not None and not shared._drive_task.done()
        await shown.close()
        assert shared._drive_task is None
    asyncio.run(main())


def test_the_contexts_a_merged_view_opens_keep_no_history_and_stop_its_filter_on_close():
    """Only the pane's own Session keeps a history (`:rewind` reads it); a context opened just to
    be merged in would watch and write a whole cluster for nothing."""
    async def main() -> None:
        made: list[Any] = []
        a, b = SimBackend(small_cluster()), SimBackend(small_cluster(seed=1))
        link_contexts({"a": a, "b": b})
        session = Session(a, manual=True, history=lambda backend: made.append(backend))  # type: ignore[arg-type,func-returns-value]
        nav = Navigator(session)
        assert nav.start().ok and made == [a]
        view = await open_merged(nav)
        try:
            assert made == [a] and view.sessions["b"].history is None
            view._next_filter_slice()  # a lazy filter's next slice, due between keys
            assert view._filter_slice is not None
            view.close()
            assert view._filter_slice is None
        finally:
            await view.aclose()
            await session.close()
    asyncio.run(main())
