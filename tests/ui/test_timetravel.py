"""The time machine in the explorer: `:rewind`, `<`, the bar that says it is the past, deleted
objects marked, their logs, esc / `:now` back, ctrl-s saving the history."""

import asyncio
import re

import pytest

from k9py.explorer import resource_view
from k9py.scenario import files
from k9py.store.history import History
from tests.ui.simcluster import command, deployment, flash, goto, run, settle, sim_cluster


def names(app):
    m = app.model
    return [m.row_at(i).key[1] for i in range(len(m))]


def bar_text(app):
    return str(app.query_one("#timeline").render())


async def until_done(app, pilot):
    await app.workers.wait_for_complete()
    await settle(app, pilot)


def test_rewind_finds_a_deleted_pod_with_its_logs_then_esc_comes_back(tmp_path):
    async def scenario(app, pilot, cluster):
        h = app.session.history
        await goto(app, pilot, "counter")
        await pilot.press("l")  # following its logs: the history keeps them
        await settle(app, pilot, 10)
        await h.poll_logs()
        await pilot.press("escape")
        await settle(app, pilot, 30)
        cluster.delete("Pod", "default", "counter")
        await settle(app, pilot, 45)
        assert "counter" not in names(app)
        assert "<<>" in str(app.query_one("#header").render())  # the menu offers the time machine

        await command(app, pilot, "rewind 1m")
        await until_done(app, pilot)
        assert app.session.present is not None and app.session.read_only
        assert "counter" in names(app)
        row = app.model.rows[("default", "counter")]
        assert app.model.style(row) == "del"  # gone since: marked
        assert "⏪ PAST" in bar_text(app) and "ago" in bar_text(app)
        assert "past" in str(app.query_one("#header").render())

        await goto(app, pilot, "counter")
        await pilot.press("l")
        await settle(app, pilot)
        logs = [ln.text if hasattr(ln, "text") else str(ln) for ln in app.screen.buffer]
        assert len(logs) >= 8 and "0: " in logs[0] and "7: " in logs[7]  # what was seen, in the past
        await pilot.press("escape")
        await pilot.press("escape")  # esc in the past at the root: now
        await until_done(app, pilot)
        assert app.session.present is None and "counter" not in names(app)
        assert not app.query("#timeline")
    run(scenario, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


def test_less_than_steps_back_and_ctrl_s_saves_a_recording(tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "state"))

    async def scenario(app, pilot, cluster):
        await settle(app, pilot, 60)
        await pilot.press("less_than_sign")
        await until_done(app, pilot)
        assert app.session.present is not None
        at = app.session.playhead.now()
        assert abs(app.session.present.now() - 10 - at) < 1.5
        await pilot.press("less_than_sign")  # now a replay key: 10 s further back
        await settle(app, pilot)
        assert abs(app.session.playhead.now() - (at - 10)) < 1.5
        await pilot.press("ctrl+s")
        await until_done(app, pilot)
        [saved] = list((tmp_path / "state").rglob("history-*.jsonl"))
        said = flash(app)
        assert said.startswith(f"Saved {saved.name} (") and said.endswith(" KiB) in :sd: k9py replay plays it")
        assert len(said) <= 78  # whole at 80 columns
        kind, player = files.open_scenario(str(saved))
        assert kind == files.RECORDING and player.total_events > 10
        await command(app, pilot, "now")
        await until_done(app, pilot)
        assert app.session.present is None
        await command(app, pilot, "rewind yesterday")
        assert "neither a duration" in flash(app)
    run(scenario, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


def test_without_history_rewind_says_how_to_turn_it_on():
    async def scenario(app, pilot, cluster):
        await command(app, pilot, "rewind 5m")
        await until_done(app, pilot)
        assert "time machine is off" in flash(app) and app.session.present is None
        assert "<<>" not in str(app.query_one("#header").render())
    run(scenario)


async def scaled_to_three_a_while_ago(app, pilot, cluster):
    """30 s in, nginx-deployment scaled 2 → 3; 30 s later: what `:diff 50s` looks across."""
    await settle(app, pilot, 30)
    with cluster.lock:
        d = cluster.store.get("Deployment", "default", "nginx-deployment")
        cluster.replace({**d, "spec": {**d["spec"], "replicas": 3}})
    await settle(app, pilot, 30)


def test_diff_and_changes_show_what_a_scale_did(tmp_path):
    async def scenario(app, pilot, cluster):
        await scaled_to_three_a_while_ago(app, pilot, cluster)
        await command(app, pilot, "deploy")
        await goto(app, pilot, "nginx-deployment")
        await command(app, pilot, "diff 50s")
        await until_done(app, pilot)
        lines = app.screen.lines
        assert lines[0].startswith("--- deployment/nginx-deployment @ ") and lines[1].endswith("@ now")
        assert "-  replicas: 2" in lines and "+  replicas: 3" in lines
        await pilot.press("escape")
        await command(app, pilot, "changes 50s")
        await until_done(app, pilot)
        text = "\n".join(app.screen.lines)
        assert re.search(r"modified  Deployment +default/nginx-deployment", text)
        created = [ln for ln in app.screen.lines if re.search(r"created   Pod +default/", ln)]
        assert len(created) == 1 and "default/nginx-deployment-" in created[0]
        assert "Changes(default:" in app.screen.title_text
        await pilot.press("escape")
        for what in ("diff", "changes"):  # a bad moment is said as the command that was given
            await command(app, pilot, f"{what} xyz")
            await until_done(app, pilot)
            assert flash(app) == f"{what}: 'xyz' is neither a duration (10m) nor a time (14:32)"
    run(scenario, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


def test_ctx_in_the_past_says_to_come_back_first(tmp_path):
    async def scenario(app, pilot, cluster):
        await settle(app, pilot, 30)
        await command(app, pilot, "rewind 10s")
        await until_done(app, pilot)
        assert app.session.present is not None
        await command(app, pilot, "ctx other")
        assert "this is the past: :now first" in flash(app) and app.session.present is not None
    run(scenario, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


def test_scenarios_in_the_past_says_to_come_back_first(tmp_path):
    """`:scenarios` in the past loaded the picked file into the past's own player (its header
    still `past`), and esc back to now dropped it: it says to come back first, as `:ctx` does."""
    async def scenario(app, pilot, cluster):
        await settle(app, pilot, 30)
        await command(app, pilot, "rewind 10s")
        await until_done(app, pilot)
        past = app.session
        assert past.present is not None
        await command(app, pilot, "scenarios")
        assert len(app.screen_stack) == 1  # no picker
        assert flash(app) == "this is the past: :now first, then :scenarios"
        assert app.session is past
    run(scenario, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


class HeldHistory(History):
    """A history whose watches open when the test says (the app's open a moment after the first frame)."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.gate = asyncio.Event()

    async def _follow_kind(self, kind):
        await self.gate.wait()
        await super()._follow_kind(kind)


def test_the_oldest_moment_is_when_the_history_had_seen_everything(tmp_path):
    """Before the history's first lists were in, nothing that existed all along was there:
    `:rewind 1h` goes to the moment they were, not to an empty cluster; `:changes` does not list
    what was there all along as created."""
    async def scenario(app, pilot, cluster):
        h = app.session.history
        await settle(app, pilot, 20)  # the clock moves before the watches open
        assert h.complete_t is None
        h.gate.set()
        await settle(app, pilot)
        assert h.complete_t is not None and h.complete_t >= 20
        await settle(app, pilot, 30)
        await command(app, pilot, "changes 10m")
        await until_done(app, pilot)
        assert flash(app).startswith("no change in default between ")
        await command(app, pilot, "rewind 1h")
        await until_done(app, pilot)
        assert app.session.present is not None and "the history starts here" in flash(app)
        assert "counter" in names(app) and len(names(app)) == len(cluster.store.list("Pod", "default"))
        at = app.session.playhead.now()
        for key in ("home", "less_than_sign", "comma"):  # nothing goes further back than that
            await pilot.press(key)
            await settle(app, pilot)
            assert app.session.playhead.now() == at and "counter" in names(app), key
            assert flash(app) == "the oldest moment the history holds"
    run(scenario, history=lambda b: HeldHistory(tmp_path / "h", "test", poll_logs=False))


def test_rewind_before_the_first_look_says_to_wait(tmp_path):
    async def scenario(app, pilot, cluster):
        await command(app, pilot, "rewind 5m")
        await until_done(app, pilot)
        assert app.session.present is None and "still taking its first look" in flash(app)
        await command(app, pilot, "changes")
        assert "still taking its first look" in flash(app) and len(app.screen_stack) == 1
    run(scenario, history=lambda b: HeldHistory(tmp_path / "h", "test", poll_logs=False))


async def past_then_a_deletion(app, pilot, cluster):
    """20 s back; then the present goes on 45 s, deleting the counter pod: (the past's player,
    the moment it was opened)."""
    await settle(app, pilot, 30)
    await command(app, pilot, "rewind 20s")
    await until_done(app, pilot)
    head = app.session.playhead
    opened_end = head.start + head.duration
    await settle(app, pilot, 40)  # meanwhile the present goes on (and the history with it)
    with cluster.lock:
        cluster.delete("Pod", "default", "counter", grace_period=0)
    await settle(app, pilot, 5)
    return head, opened_end


def test_forward_past_what_the_past_first_read_reads_the_history_again(tmp_path):
    """The past's player holds what the history had when the past was opened; the history goes
    on recording: `>` and `end` at that end read it again, up to 10 s on or the newest moment."""
    async def scenario(app, pilot, cluster):
        _, opened_end = await past_then_a_deletion(app, pilot, cluster)
        await pilot.press("end")
        await until_done(app, pilot)
        assert app.session.present is not None and app.session.playhead.now() > opened_end + 30
        assert "counter" not in names(app)  # the deletion, recorded after the past was opened
        await pilot.press("end")  # nothing newer now
        await until_done(app, pilot)
        assert flash(app) == "the latest moment the history holds: esc or :now for now"
    run(scenario, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


def test_playing_the_past_goes_on_into_what_was_recorded_since_then_catches_up_with_now(tmp_path):
    """space in the past plays; at the moment the past was opened its player would stop, but
    the history went on recording: play goes on there at the same speed, and once nothing newer
    is kept the play head has caught up with now, where the present comes back."""
    async def scenario(app, pilot, cluster):
        head, opened_end = await past_then_a_deletion(app, pilot, cluster)
        await pilot.press("plus")  # 2x
        await pilot.press("space")
        assert not head.paused and head.speed == 2
        head.advance(15)  # the driver's 15 s at 2x: 30 s on, past the opened end
        await until_done(app, pilot)
        on = app.session.playhead
        assert app.session.present is not None and on is not head
        assert not on.paused and on.speed == 2 and abs(on.now() - opened_end) < 1e-6
        assert "counter" in names(app)
        on.advance(60)  # on to the newest moment: the deletion is there, and then nothing newer
        await until_done(app, pilot)
        assert app.session.present is None and flash(app) == "caught up with now"
        assert "counter" not in names(app) and not app.query("#timeline")

        await command(app, pilot, "rewind 10s")  # space at the end, paused: on to now as well
        await until_done(app, pilot)
        await pilot.press("end")
        await until_done(app, pilot)
        await pilot.press("space")
        await until_done(app, pilot)
        assert app.session.present is None and flash(app) == "caught up with now"
    run(scenario, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


def test_the_past_and_back_keep_the_views_filter_and_sort(tmp_path):
    """`/nginx⏎` then `<`: the past shows the same filtered, sorted view; esc back to now too."""
    async def scenario(app, pilot, cluster):
        await settle(app, pilot, 30)
        await pilot.press("slash", *"nginx", "enter")
        await settle(app, pilot)
        await pilot.press("N")  # name, descending
        await settle(app, pilot)
        shown = names(app)
        assert shown and all("nginx" in n for n in shown) and shown == sorted(shown, reverse=True)
        await pilot.press("less_than_sign")
        await until_done(app, pilot)
        assert app.session.present is not None
        assert names(app) == shown and app.model.filter.text == "nginx" and app.title_text().endswith("</nginx>")
        await pilot.press("escape")  # esc clears the filter first (k9s), in the past as anywhere
        await settle(app, pilot)
        await pilot.press("slash", *"nginx", "enter")
        await settle(app, pilot)
        await command(app, pilot, "now")
        await until_done(app, pilot)
        assert app.session.present is None and names(app) == shown and app.model.filter.text == "nginx"
    run(scenario, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


def test_a_log_pane_keeps_its_pods_lines_for_the_past(tmp_path):
    """The lines a log pane (`:sp logs`) showed are kept like a log view's: rewound, the pane
    shows them for the pod since deleted."""
    from k9py.ui.widgets.follow_logs import FollowLogs

    async def scenario(app, pilot, cluster):
        h = app.session.history
        await goto(app, pilot, "counter")
        await command(app, pilot, "sp logs")
        await settle(app, pilot, 10)
        assert ("default", "counter") in h.followed
        await h.poll_logs()
        await settle(app, pilot, 30)
        cluster.delete("Pod", "default", "counter")
        await settle(app, pilot, 45)

        await command(app, pilot, "rewind 1m")
        await until_done(app, pilot)
        await goto(app, pilot, "counter")
        await settle(app, pilot, 5)
        logs = next(x for x in app.splits.leaves() if isinstance(x, FollowLogs))
        assert logs.title() == "logs default/counter"
        lines = logs.text().splitlines()
        assert len(lines) >= 8 and "0: " in lines[0]  # what the pane showed, in the past
    run(scenario, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


def test_help_in_the_past_says_ctrl_s_saves_the_history(tmp_path):
    """`?` in the past: ctrl-s saves the history as a Recording there (not the table as CSV)."""
    from k9py.ui.screens.help import HelpScreen

    def keys_of(app):
        return {title: dict(hints) for title, hints in app.screen._body}

    async def scenario(app, pilot, cluster):
        await settle(app, pilot, 30)
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        assert keys_of(app)["RESOURCE"]["<ctrl-s>"] == "Save as CSV"  # the present
        await pilot.press("escape")
        await command(app, pilot, "rewind 10")
        await until_done(app, pilot)
        assert app.session.present is not None
        await pilot.press("question_mark")
        await settle(app, pilot)
        sections = keys_of(app)
        assert "<ctrl-s>" not in sections["RESOURCE"]
        assert sections["REPLAY"]["<ctrl-s>"] == "Save history"
    run(scenario, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


def test_ctx_away_and_back_then_rewind_reaches_the_first_visit(tmp_path, monkeypatch):
    """`:ctx b`, `:ctx a` again: the history of a's first visit is still there (k9py's own
    factory keeps a context's ended runs); the time away is shown as last seen, and said so."""
    from k9py.backends.sim import SimBackend, link_contexts
    from k9py.config.settings import HistorySettings
    from k9py.ui.app import K9pyApp
    from k9py.ui.launch import history_factory
    from tests.samples import small_cluster
    from tests.sim.helpers import run_pod
    from tests.ui.simcluster import _SIMS

    monkeypatch.setattr("k9py.ui.launch.HISTORY_DELAY", 0.0)  # its watches open with the first view's (a manual clock)

    async def main():
        ca, cb = small_cluster(), small_cluster(seed=1)
        a, b = SimBackend(ca), SimBackend(cb)
        link_contexts({"a": a, "b": b})
        app = K9pyApp(a, manual=True, history=history_factory(HistorySettings(dir=str(tmp_path / "h")), a))
        _SIMS[app] = a  # settle moves a's clock, whichever context is shown
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(app, pilot)
            run_pod(ca, "first-visit")
            await settle(app, pilot)  # the history sees it now (a manual clock: when its watch hears it)
            await settle(app, pilot, 30)
            left_at = a.now()
            await command(app, pilot, "ctx b")
            await until_done(app, pilot)
            assert app.session.info().context == "b"
            ca.delete("Pod", "default", "first-visit")  # while away
            ca.advance(60)
            await command(app, pilot, "ctx a")
            await until_done(app, pilot)
            await settle(app, pilot, 5)
            assert "first-visit" not in names(app)

            await command(app, pilot, "rewind 70s")  # back into the first visit
            await until_done(app, pilot)
            assert app.session.present is not None and "first-visit" in names(app)
            assert "away" not in bar_text(app)
            await command(app, pilot, "rewind 30s")  # away: as last seen, and said so
            await until_done(app, pilot)
            assert "first-visit" in names(app) and abs(app.session.playhead.now() - (left_at + 35)) < 6
            assert "⏪ PAST" in bar_text(app) and "away: as last seen" in bar_text(app)
            bar = bar_text(app)  # the time away drawn dashed, between what was watched
            assert re.search(r"━━┄+●┄+ ", bar), bar
            await command(app, pilot, "now")
            await until_done(app, pilot)
            assert app.session.present is None and "first-visit" not in names(app)
    asyncio.run(main())


def test_diff_on_a_workloads_row_diffs_the_object_of_its_kind_and_a_users_row_says_why_not(tmp_path):
    async def scenario(app, pilot, cluster):
        await scaled_to_three_a_while_ago(app, pilot, cluster)
        await command(app, pilot, "workloads")
        await settle(app, pilot)
        m = app.model
        app.table.move_to(m.index_of(("default", "nginx-deployment", "Deployment")))
        await command(app, pilot, "diff 50s")
        await until_done(app, pilot)
        lines = app.screen.lines
        assert lines[0].startswith("--- deployment/nginx-deployment @ ") and "+  replicas: 3" in lines
        await pilot.press("escape")
        await command(app, pilot, "users")
        await settle(app, pilot)
        assert len(app.model) > 0
        await command(app, pilot, "diff 50s")
        assert flash(app) == "diff: a row of users is not an object of the cluster"
    run(scenario, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


@pytest.mark.parametrize("threaded", [False, True])
def test_the_row_under_the_cursor_stays_under_it_into_the_past_and_back(tmp_path, monkeypatch, threaded):
    """`<` on the seventh pod: the past shows that pod under the cursor (not the first row), and so
    does now again (the row the user looked at is the one they went back in time for); also when
    the view's rows are many and load in a worker thread (a model shown in place of the first)."""
    if threaded:
        monkeypatch.setattr(resource_view, "LOAD_IN_THREAD_MIN", 3)
    async def scenario(app, pilot, cluster):
        await settle(app, pilot, 60)
        await command(app, pilot, "sp")  # a pane of a few lines: its window over the rows scrolls
        await settle(app, pilot)
        await pilot.press("j", "j", "j", "j", "j", "j")
        table = app.table
        picked, top = table.cursor_key, round(table.scroll_y)
        assert picked is not None and picked != app.model.row_at(0).key and top > 0
        await pilot.press("less_than_sign")
        await until_done(app, pilot)
        assert app.session.present is not None
        table = app.table  # (a line less: the past's bar)
        past_top = round(table.scroll_y)
        assert (table.cursor_key, past_top) == (picked, max(top, app.model.index_of(picked) - table.page + 1))
        await pilot.press("escape")  # at the root, in the past: now
        await until_done(app, pilot)
        assert app.session.present is None
        assert (app.table.cursor_key, round(app.table.scroll_y)) == (picked, past_top)
    cluster = sim_cluster()
    cluster.create(deployment("many", replicas=10))
    cluster.advance(30)
    run(scenario, cluster, size=(80, 24), history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


def test_the_bar_of_the_past_stays_shown_whatever_becomes_of_the_pane_it_was_in(tmp_path):
    """The bar was mounted once, in the pane focused at `<`: `:close` of that pane left the past
    with no bar (the header still `past`), and a `:tabnew` in the past had none. It is in the
    focused pane of each tab, and moves with the focus."""
    from k9py.ui.widgets.timeline import Timeline

    async def scenario(app, pilot, cluster):
        def bars():  # the panes of the tab shown whose bar shows
            return [bar.parent for bar in app.query(Timeline) if bar.display and bar.parent in app.splits.panes()]

        await settle(app, pilot, 30)
        app.run_command("vs deploy")
        await settle(app, pilot)
        left, right = app.splits.panes()
        assert app.pane is right
        await command(app, pilot, "rewind 10s")
        await until_done(app, pilot)
        assert app.session.present is not None and bars() == [right]
        await pilot.press("tab")
        await settle(app, pilot)
        assert app.pane is left and bars() == [left]  # the focused pane's
        await pilot.press("tab")
        await settle(app, pilot)
        assert bars() == [right]
        app.run_command("close")  # the pane that held it
        await settle(app, pilot)
        assert app.splits.panes() == [left] and bars() == [left]
        assert "⏪ PAST" in bar_text(app)
        app.run_command("tabnew deploy")
        await settle(app, pilot)
        [tab_pane] = app.splits.panes()
        assert bars() == [tab_pane] and "⏪ PAST" in bar_text(app)
        app.run_command("tabp")
        await settle(app, pilot)
        assert bars() == [left]
        await command(app, pilot, "now")
        await until_done(app, pilot)
        assert bars() == []
    run(scenario, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


def test_logs_of_a_pod_in_the_past_before_they_were_first_opened_say_why_there_are_none(tmp_path):
    """The history keeps a pod's log lines from the moment a log view was first opened on it: in
    the past before that, its log view was empty and said `streaming` as if the pod were silent.
    The flash says why, and the pod is followed from then on (its logs were asked for)."""
    async def scenario(app, pilot, cluster):
        h = app.session.history
        await settle(app, pilot, 30)
        await command(app, pilot, "rewind 10s")
        await until_done(app, pilot)
        assert app.session.present is not None and ("default", "counter") not in h.followed
        await goto(app, pilot, "counter")
        await pilot.press("l")
        await settle(app, pilot)
        assert not list(app.screen.buffer)
        assert flash(app) == "no log lines kept by then: a pod's logs are kept once opened, so from now on"
        assert ("default", "counter") in h.followed
        await pilot.press("escape")
        await settle(app, pilot, 5)
        await h.poll_logs()
        await command(app, pilot, "rewind 0s")  # what was kept since
        await until_done(app, pilot)
        await goto(app, pilot, "counter")
        await pilot.press("l")
        await settle(app, pilot)
        assert list(app.screen.buffer) and "no log lines" not in flash(app)
        await pilot.press("escape")
        await goto(app, pilot, "web")  # a log pane says it in its title
        await command(app, pilot, "sp logs")
        await settle(app, pilot)
        from k9py.ui.widgets.follow_logs import FollowLogs
        logs = next(x for x in app.splits.leaves() if isinstance(x, FollowLogs))
        assert logs.title() == "logs default/web (no lines kept by then: logs are kept once opened)"
        assert ("default", "web") in h.followed
    run(scenario, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))


def test_a_log_pane_in_the_past_loses_its_none_kept_note_once_the_past_plays_on_to_lines_kept(tmp_path):
    """A log pane's `no lines kept by then` stayed in its title over the lines the past came to
    as it moved on (`end`): it goes with the first line."""
    from k9py.ui.widgets.follow_logs import FollowLogs

    async def scenario(app, pilot, cluster):
        h = app.session.history
        await settle(app, pilot, 30)
        await goto(app, pilot, "web")
        await command(app, pilot, "sp logs")
        await settle(app, pilot)
        await h.poll_logs()  # its lines kept from now on
        await settle(app, pilot, 20)
        await command(app, pilot, "rewind 25s")  # before they were
        await until_done(app, pilot)
        await goto(app, pilot, "web")
        await settle(app, pilot)
        logs = next(x for x in app.splits.leaves() if isinstance(x, FollowLogs))
        assert logs.title().endswith("(no lines kept by then: logs are kept once opened)")
        await pilot.press("end")
        await until_done(app, pilot)
        for _ in range(10):
            await settle(app, pilot)
            if logs.text():
                break
        assert logs.text() and logs.title() == "logs default/web"
    run(scenario, history=lambda b: History(tmp_path / "h", "test", poll_logs=False))
