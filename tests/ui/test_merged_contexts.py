"""Several contexts in the UI: two simulated clusters as contexts, `:pods --contexts a,b` shows
the rows of both with their CONTEXT, and a context killed mid-run leaves the other updating."""

from __future__ import annotations

import asyncio
from typing import Any

from textual import events

from k9py.backends.sim import SimBackend, link_contexts
from k9py.explorer.merged import MergedView
from k9py.ui.app import K9pyApp
from tests.explorer.test_merged import Flaky, add_pod
from tests.samples import small_cluster
from tests.ui.conftest import SIZE, table_lines
from tests.ui.simcluster import border_text, flash


async def command(app: K9pyApp, pilot: Any, text: str) -> None:
    """``text`` at the `:` prompt, pasted (one event: typing it key by key costs ~70 ms a key)."""
    app.post_message(events.Paste(f":{text}\r"))
    await pilot.pause()
    await settle(app, pilot)


async def settle(app: K9pyApp, pilot: Any) -> None:
    """Watches run, every context's informer flushes (manual clocks), the screen catches up."""
    cur = app.current
    if isinstance(cur, MergedView) and cur.connecting is not None:
        await cur.connecting
    for _ in range(3):
        await app.pump()
        if isinstance(app.current, MergedView):
            app.current.flush()
        await pilot.pause()


def run(scenario) -> None:
    async def main() -> None:
        a, b = SimBackend(small_cluster()), Flaky(small_cluster(seed=1))
        add_pod(b, "only-b")
        link_contexts({"a": a, "b": b})
        app = K9pyApp(a, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot, a, b)
    asyncio.run(main())


async def on_context_b(app: K9pyApp, pilot: Any, pane: Any) -> tuple[Any, list[object]]:
    """`:ctx b` in the focused ``pane``: its Session on b, and a list that gets it when it closes."""
    await command(app, pilot, "ctx b")
    await app.workers.wait_for_complete()
    await settle(app, pilot)
    session = pane.navigator.session
    return session, closing(session)


def closing(session: Any) -> list[object]:
    """A list that gets ``session`` when it closes."""
    closed: list[object] = []
    real = session.close

    async def close() -> None:
        closed.append(session)
        await real()
    session.close = close
    return closed


def row_of(app: K9pyApp, name: str, ctx: str) -> str | None:
    """The table's line of pod ``name`` in context ``ctx`` (None: not shown)."""
    for line in table_lines(app):
        words = line.strip("│ ").split()
        if words[:2] == [ctx, name]:
            return line
    return None


def test_merged_pods_of_two_clusters_with_their_context():
    async def s(app, pilot, a, b):
        await command(app, pilot, "ctx")
        assert {app.model.rows[k].key[1] for k in app.model.rows} == {"a", "b"}
        await command(app, pilot, "pods --contexts a,b")
        lines = table_lines(app)
        assert lines[0].strip("│ ").split()[:3] == ["CONTEXT", "NAME↑", "PF"]
        assert row_of(app, "counter", "a") and row_of(app, "counter", "b") and row_of(app, "only-b", "b")
        assert row_of(app, "only-b", "a") is None
        assert border_text(app.table).rstrip().endswith("a ✓ b ✓")
        # describe opens on the row's own context
        m = app.model
        app.table.move_to(m.index_of(("default", "only-b", "b")))
        await pilot.press("d")
        await pilot.pause()
        assert app.screen.session is app.current.sessions["b"]
        await pilot.press("escape")
        await pilot.press("l")  # logs too, named with their context
        await pilot.pause()
        assert app.screen.session is app.current.sessions["b"] and app.screen.title_text.startswith("Logs(b:default/only-b")
        await pilot.press("escape")
        await pilot.press("ctrl+d")  # a change is not offered on merged rows: said
        await pilot.pause()
        assert len(app.screen_stack) == 1
        assert flash(app) == "Delete: the rows of several contexts are read-only; `:ctx b` to act on them"
        await pilot.press("s")  # the shell's key too (its next binding, scale, is no pod's)
        await pilot.pause()
        assert len(app.screen_stack) == 1 and flash(app).startswith("Shell: the rows of several contexts")
    run(s)


def test_a_context_killed_mid_run_while_the_other_keeps_updating():
    async def s(app, pilot, a, b):
        await command(app, pilot, "pods --contexts a,b")
        assert row_of(app, "only-b", "b")
        b.down = "connection refused"  # b's server goes away
        add_pod(b, "never-seen")
        await settle(app, pilot)
        assert border_text(app.table).rstrip().endswith("a ✓ b ✗ connection refused")
        a.cluster.advance(30)  # a goes on: a new pod appears
        add_pod(a, "fresh")
        await settle(app, pilot)
        assert row_of(app, "fresh", "a") and row_of(app, "only-b", "b")
        assert row_of(app, "never-seen", "b") is None
        assert app.is_running
        b.down = None  # back: ctrl-r tries it at once (no waiting for the next retry)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert row_of(app, "never-seen", "b") and border_text(app.table).rstrip().endswith("a ✓ b ✓")
    run(s)


def test_two_scenarios_on_the_command_line_are_two_contexts():
    from k9py.cli import build_parser, resolve_files, several_scenarios
    from k9py.ui.launch import build_app

    args = build_parser().parse_args(["--scenario", "crashloop", "--scenario", "pv-lifecycle", "--scenario", "crashloop"])
    resolve_files(args)
    backend = several_scenarios(args)
    assert backend is not None

    async def main() -> None:
        app = build_app(args, backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            assert app.session.info().context == "crashloop"  # the first is the one opened
            await command(app, pilot, "ctx")
            assert sorted(k[1] for k in app.model.rows) == ["crashloop", "crashloop-2", "pv-lifecycle"]
            await command(app, pilot, "ctx pv-lifecycle")
            await app.workers.wait_for_complete()
            await settle(app, pilot)
            assert app.session.info().context == "pv-lifecycle" and app.session.backend is backend.siblings["pv-lifecycle"]
            await command(app, pilot, "ns --contexts crashloop,pv-lifecycle")
            assert {k[2] for k in app.model.rows} == {"crashloop", "pv-lifecycle"}
            assert border_text(app.table).rstrip().endswith("crashloop ✓ pv-lifecycle ✓")
    asyncio.run(main())


def test_ctx_in_one_pane_and_that_context_killed_while_the_other_pane_updates():
    async def s(app, pilot, a, b):
        await command(app, pilot, "vsplit pods")
        await settle(app, pilot)
        left, right = app.splits.all_panes()
        assert app.splits.pane is right
        await command(app, pilot, "ctx b")  # only the focused pane moves to b
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert right.navigator.session.info().context == "b" and left.navigator.session.info().context == "a"
        assert ("default", "only-b") in right.navigator.current.model.rows
        assert ("default", "only-b") not in left.navigator.current.model.rows
        assert border_text(right.table).startswith(" b: pods") and border_text(left.table).startswith(" a: pods")
        assert app.session is right.navigator.session and "b" in str(app.query_one("#header").render())

        b.down = "connection refused"  # b's server goes away: its pane says so, a's goes on
        add_pod(b, "never-seen")
        await settle(app, pilot)
        a.cluster.advance(30)
        add_pod(a, "fresh")
        await settle(app, pilot)
        assert ("default", "fresh") in left.navigator.current.model.rows
        assert ("default", "never-seen") not in right.navigator.current.model.rows
        cache = right.navigator.current.cache()
        assert cache is not None and cache.state in ("reconnecting", "offline")
        assert app.is_running
    run(s)


def test_a_split_of_a_view_on_another_context_opens_in_the_new_pane():
    """`:vsplit deploy @b` moved the first pane to b (deployments there) and left the new one
    on a's pods: the focus given back to the first pane as the prompt closed was taken as news
    after the new pane had taken it. The new pane shows b's deployments, the first stays."""
    async def s(app, pilot, a, b):
        await command(app, pilot, "vsplit deploy @b")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        left, right = app.splits.all_panes()
        assert app.splits.pane is right
        assert (left.navigator.session.info().context, left.current.scope.view.name) == ("a", "pods")
        assert (right.navigator.session.info().context, right.current.scope.view.name) == ("b", "deployments")
    run(s)


def test_a_command_typed_right_behind_a_context_switch_runs_on_the_new_context():
    """`:deploy @b⏎:svc⏎` typed in one go: `:svc` ran on a while the switch was under way, then
    the switch's own `deploy` replaced it on b. The keys behind the switch wait for it: services
    of b."""
    async def s(app, pilot, a, b):
        slow = asyncio.Event()
        real = app.session.switch_context

        async def switch(name, **kw):
            await slow.wait()  # a context whose server answers after the keys behind came
            return await real(name, **kw)
        app.session.switch_context = switch
        keys = ["colon", *"deploy", "space", "@", "b", "enter", "colon", *"svc", "enter"]
        for key in keys:
            await pilot.press(key)
        assert app.current.scope.view.name == "pods" and app.session.info().context == "a"  # nothing ran yet
        slow.set()
        await app.workers.wait_for_complete()
        for _ in range(40):
            await settle(app, pilot)
            if app.current.scope.view.name == "services":
                break
        assert app.session.info().context == "b" and app.current.scope.view.name == "services"
    run(s)


def test_closing_the_only_pane_on_a_context_closes_its_session():
    """`:ctx b` in a split pane, then that pane closed: nothing shows b any more, so its Session
    (informer, backend) closes then, not never."""
    async def s(app, pilot, a, b):
        await command(app, pilot, "vsplit pods")
        left, right = app.splits.all_panes()
        on_b, closed = await on_context_b(app, pilot, right)
        app.splits.close()
        await settle(app, pilot)
        assert app.splits.all_panes() == [left] and closed == [on_b]
        assert app.session is left.navigator.session and app.is_running
    run(s)


def test_ctx_in_a_pane_to_the_context_another_pane_shows_joins_its_session():
    """`:ctx b` in a second pane while one already showed b opened b a second time (another
    connection, watch and history run, and both panes tagged `b:` as if on two contexts): it
    joins that pane's Session; a's, shown by no pane then, closes."""
    async def s(app, pilot, a, b):
        await command(app, pilot, "vsplit pods")
        left, right = app.splits.all_panes()
        on_b, _ = await on_context_b(app, pilot, right)
        first = left.navigator.session
        closed = closing(first)
        app.splits.focus(left)
        await command(app, pilot, "ctx b")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert left.navigator.session is on_b is right.navigator.session
        assert closed == [first] and app.session is on_b
        assert left.context_tag == right.context_tag == ""  # one context: no tag
        assert ("default", "only-b") in left.navigator.current.model.rows
    run(s)


def test_a_layout_opens_its_panes_on_the_focused_pane_s_context(tmp_path):
    async def s(app, pilot, a, b):
        app.splits.layouts_file = tmp_path / "layouts.yaml"
        await command(app, pilot, "vsplit pods")
        await command(app, pilot, "layout save two")
        right = app.splits.all_panes()[1]
        on_b, _ = await on_context_b(app, pilot, right)  # the focused (right) pane moves to b
        await command(app, pilot, "layout two")
        await settle(app, pilot)
        panes = app.splits.all_panes()
        assert len(panes) == 2 and all(p.navigator.session is on_b for p in panes)
        assert ("default", "only-b") in app.current.model.rows
    run(s)


def test_a_layout_closes_the_sessions_only_the_panes_it_replaced_showed(tmp_path):
    async def s(app, pilot, a, b):
        app.splits.layouts_file = tmp_path / "layouts.yaml"
        await command(app, pilot, "vsplit pods")
        await command(app, pilot, "layout save two")
        left, right = app.splits.all_panes()
        on_b, closed = await on_context_b(app, pilot, right)  # the right pane on b
        app.splits.focus(left)  # back on a: the layout opens there
        await command(app, pilot, "layout two")
        await settle(app, pilot)
        assert all(p.navigator.session is left.navigator.session for p in app.splits.all_panes())
        assert closed == [on_b]
    run(s)


def test_a_view_on_another_context_with_k9s_at_sign():
    """k9s's `:pods @CTX [NS]`: that context first, then the view there; `@` alone, or a context
    that does not exist, is said and nothing moves."""
    async def s(app, pilot, a, b):
        await command(app, pilot, "svc")
        await command(app, pilot, "pods @b default")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert app.session.info().context == "b" and app.title_text().startswith("pods(default)")
        assert "only-b" in {k[1] for k in app.model.rows}
        await command(app, pilot, "deploy @b")  # already there: the view alone
        await app.workers.wait_for_complete()
        assert app.session.info().context == "b" and app.title_text().startswith("deployments(default)")
        await command(app, pilot, "pods @nowhere")
        assert flash(app) == 'no context exists with the name: "nowhere"' and app.session.info().context == "b"
        await command(app, pilot, "pods @")
        assert flash(app) == "@: name a context (`:pods @CONTEXT`)"
        assert app.title_text().startswith("deployments(default)")
    run(s)


def run_with_history(tmp_path, scenario) -> None:
    """``run``'s two contexts with a history on a (its 20 first seconds kept): the past to rewind to."""
    from k9py.store.history import History

    async def main() -> None:
        a, b = SimBackend(small_cluster()), Flaky(small_cluster(seed=1))
        add_pod(b, "only-b")
        link_contexts({"a": a, "b": b})
        app = K9pyApp(a, manual=True, history=lambda be: History(tmp_path / "h", "a", poll_logs=False))
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            for _ in range(20):
                a.cluster.advance(1.0)
                await settle(app, pilot)
            await scenario(app, pilot)
    asyncio.run(main())


async def rewind(app: K9pyApp, pilot: Any, text: str) -> None:
    await command(app, pilot, text)
    await app.workers.wait_for_complete()
    await settle(app, pilot)


def test_the_past_of_a_merged_view_shows_its_own_context_and_now_merges_again(tmp_path):
    """`<` on `:pods --contexts a,b`: the past is of the view's own context (the time machine
    keeps one), the same view; back to now, the merged view comes back (it was a plain one)."""
    async def s(app, pilot):
        await command(app, pilot, "pods all --contexts a,b")
        assert isinstance(app.current, MergedView)
        await rewind(app, pilot, "rewind 5")
        assert app.session.present is not None
        assert app.current.scope.view.name == "pods" and app.current.scope.namespace == ""
        await rewind(app, pilot, "now")
        assert app.session.present is None
        assert isinstance(app.current, MergedView) and app.current.contexts == ["a", "b"]
        assert "only-b" in "\n".join(table_lines(app))
    run_with_history(tmp_path, s)


def test_diff_on_a_row_of_another_context_says_where_its_history_is():
    async def s(app, pilot, a, b):
        await command(app, pilot, "pods --contexts a,b")
        app.table.move_to(app.model.index_of(("default", "only-b", "b")))
        await command(app, pilot, "diff 1m")
        assert len(app.screen_stack) == 1
        assert flash(app) == "diff: the time machine keeps this context's history: `:ctx b` to diff there"
        app.table.move_to(app.model.index_of(("default", "counter", "a")))
        await command(app, pilot, "diff 1m")  # the app's own context: its history (none here)
        assert "time machine is off" in flash(app)
    run(s)


def test_contexts_named_in_the_past_say_to_come_back_first_and_its_own_context_opens_there(tmp_path):
    """In the past (one context's), `:pods @b` and `:pods --contexts a,b` said `no context exists
    with the name` of a context that exists: they say to come back to now first, and `@a` (the
    past's own context) shows the view there."""
    async def s(app, pilot):
        await rewind(app, pilot, "rewind 5")
        past = app.session
        assert past.present is not None
        await command(app, pilot, "deploy @b")
        assert flash(app) == "this is the past: :now first, then @b"
        await command(app, pilot, "pods --contexts a,b")
        assert flash(app) == "this is the past of one context: :now first, then --contexts"
        assert app.session is past and app.current.scope.view.name == "pods"
        await command(app, pilot, "deploy @a")
        assert app.session is past and app.current.scope.view.name == "deployments"
    run_with_history(tmp_path, s)
