"""The replay view: the timeline bar, the replay keys, and a snapshot of it."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from k9py.backends.replay import ReplayBackend
from k9py.backends.sim import SimBackend
from k9py.scenario import files
from k9py.ui.app import K9pyApp
from k9py.ui.widgets.timeline import Timeline, clock
from tests.samples import small_cluster

SIZE = (160, 45)
INCIDENT = "scenarios/incident-checkout-oom.yaml"


def replay_app(at: float = 120.0, **kw) -> K9pyApp:
    _, player = files.open_scenario(INCIDENT)
    player.paused = True
    player.seek(at)
    return K9pyApp(ReplayBackend(player), manual=True, namespace="shop", **kw)


async def sync(app, pilot):
    await app.workers.wait_for_complete()  # a scenario's seeks run in worker threads
    await app.pump()
    await pilot.pause()


async def open_timeline(app, pilot):
    """`:timeline⏎`, and the screen it opens."""
    from k9py.ui.screens.timeline_view import TimelineView

    await pilot.press("colon", *"timeline", "enter")
    await pilot.pause()
    assert isinstance(app.screen, TimelineView)
    return app.screen


async def synced_until(app, pilot, condition, rounds=50):
    """``sync`` until ``condition()`` holds (keys typed in one burst take a few rounds: each
    may start a worker the round before did not wait for); whether it did."""
    for _ in range(rounds):
        await sync(app, pilot)
        if condition():
            return True
    return False


def names(app):
    m = app.model
    return sorted(m.row_at(i).key[1] for i in range(len(m)))


def bar_text(app) -> str:
    bar = app.query_one("#timeline", Timeline)
    return str(bar.render())


def test_clock_format():
    assert clock(0) == "00:00" and clock(92.4) == "01:32" and clock(3725) == "1:02:05"


def test_bar_shows_state_speed_position_and_events():
    async def main():
        app = replay_app()
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            text = bar_text(app)
            assert "⏸ paused" in text and "1x" in text and "02:00 / 04:00" in text
            p = app.backend.player
            assert f"events {p.events_played}/{p.total_events}" in text
            await pilot.press("space")
            assert "▶ playing" in bar_text(app)
            await pilot.press("space", "plus", "plus")
            assert p.paused and p.speed == 4 and " 4x" in bar_text(app)
            await pilot.press("minus")
            assert p.speed == 2
    asyncio.run(main())


def test_the_bar_in_a_narrow_split_keeps_its_progress_then_its_clock():
    """A bar in one of two panes side by side at 80 columns was cut at its right end: its
    progress bar was pushed out by the event count, its clock with it. What gives way is the
    event count first, then the clock; the progress bar stays."""
    async def main():
        app = replay_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await sync(app, pilot)
            app.run_command("vs deploy")
            await sync(app, pilot)

            def shown() -> str:
                [bar] = [b for b in app.query(Timeline) if b.display]  # the focused pane's
                assert bar.parent is app.pane and bar.size.width == app.pane.size.width
                return str(bar.render())
            assert app.pane.size.width == 40
            text = shown()
            assert "●" in text and "02:00 / 04:00" in text and "events" not in text
            assert len(text) <= 40
            await pilot.resize_terminal(60, 24)
            await sync(app, pilot)
            text = shown()
            assert "●" in text and "02:00" not in text and len(text) <= 30
            await pilot.resize_terminal(160, 24)
            await sync(app, pilot)
            assert "events " in shown()
    asyncio.run(main())


def test_showing_the_bar_again_listens_to_the_playback_once():
    """`:rewind` then `:now` mount the bar again over the same playback: its hot-reload and step
    flashes must not come twice, then three times."""
    async def main():
        app = replay_app()
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            pb = app.backend.playback()
            heard = (len(pb._reloads._cbs), len(pb._steps._cbs), len(pb._built._cbs))
            for bar in app.query(Timeline):
                await bar.remove()
            await pilot.pause()
            from k9py.ui.widgets import timeline
            timeline.install(app)
            await sync(app, pilot)
            assert (len(pb._reloads._cbs), len(pb._steps._cbs), len(pb._built._cbs)) == heard
            assert len(app.query(Timeline)) == 1
    asyncio.run(main())


def test_keys_move_the_play_head_and_the_views_follow():
    async def main():
        app = replay_app(at=120)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            p = app.backend.player
            crashing = [n for n in names(app) if n.startswith("checkout-") and p.store.get("Pod", "shop", n)
                        ["spec"]["containers"][0]["image"].endswith("1.5.0")]
            assert len(crashing) == 1 and len(names(app)) == 4
            await pilot.press("end")
            await sync(app, pilot)
            assert p.position == p.duration and crashing[0] not in names(app) and len(names(app)) == 3
            await pilot.press("less_than_sign")
            assert p.position == p.duration - 10
            await pilot.press("home")
            await sync(app, pilot)
            assert p.position == 0 and len(names(app)) == 3
            await pilot.press("full_stop")
            assert p.position == p.all_times[p.all_times.index(0.0) + p.all_times.count(0.0)]
            await pilot.press("comma")
            assert p.position == 0
            await pilot.press("greater_than_sign", "greater_than_sign")
            assert p.position == 20
            assert app.model.now == p.now()  # ages are computed against the play head
    asyncio.run(main())


def test_replay_keys_fall_through_when_not_replaying():
    async def main():
        app = K9pyApp(SimBackend(small_cluster()), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            assert not app.query("#timeline")
            first = app.table.cursor_key
            await pilot.press("space")  # Mark, as in k9s
            assert first in app.table.marked
    asyncio.run(main())


def test_replay_snapshot(snap_compare):
    async def run(pilot):
        await pilot.app.pump()
        await pilot.pause()
    assert snap_compare(replay_app(at=120), terminal_size=SIZE, run_before=run)


def test_scenario_steps_flash_and_space_resumes_a_pause(tmp_path):
    from k9py.backends.replay import ScenarioBackend
    src = tmp_path / "s.yaml"
    src.write_text(Path("scenarios/self-healing.yaml").read_text().replace("  - at: 2m\n", "  - {at: 90s, pause: look}\n  - at: 2m\n"))

    async def main():
        backend = ScenarioBackend.open(str(src))
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            assert "steps 0/4" in bar_text(app) and "00:00 / 03:00" in bar_text(app)
            backend.cluster.advance(25)
            assert "steps 1/4" in bar_text(app) and "00:25 / 03:00" in bar_text(app)
            assert app.flash_text == "t=00:20 delete one pod of the web Deployment"
            backend.cluster.advance(70)
            assert app.flash_text == "t=01:30 paused: look" and backend.timeline.paused
            assert "⏸ paused" in bar_text(app)
            first = app.table.cursor_key
            await pilot.press("space")
            assert not backend.timeline.paused and app.flash_text == "scenario resumed"
            assert first not in app.table.marked  # the key resumed, it did not mark
            await pilot.press("space")  # a scenario pauses like a replay (it used to mark)
            assert backend.paused and "⏸ paused" in bar_text(app) and first not in app.table.marked
    asyncio.run(main())


def test_logs_describe_and_yaml_show_the_play_head():
    async def main():
        app = replay_app(at=120)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            p = app.backend.player
            old = sorted(n for n in names(app) if "5b5496bbd9" in n)[0]
            m = app.model
            app.table.move_to([m.row_at(i).key[1] for i in range(len(m))].index(old))  # (names() is sorted)
            await pilot.press("l")
            for _ in range(20):
                await pilot.pause()
            text = "\n".join(ln.text for ln in app.screen.buffer)
            expected = p.logs("shop", old)
            assert expected and expected[0] in text and "INFO checkout 1.4.2 serving on :8080" in text
            assert p.logs("shop", old)[-1] in text and len(app.screen.buffer) == len(expected)
            await pilot.press("escape")
            await pilot.pause()
            for key, needle in (("y", "uid: " + p.store.get("Pod", "shop", old)["metadata"]["uid"]),
                                ("d", "Name:")):
                await pilot.press(key)
                for _ in range(5):
                    await pilot.pause()
                shown = "\n".join(app.screen.lines)
                assert needle in shown and old in shown
                await pilot.press("escape")
                await pilot.pause()
    asyncio.run(main())


def test_scenarios_picker_lists_descriptions_and_switches_a_running_scenario(tmp_path):
    from k9py.backends.replay import ScenarioBackend
    from k9py.ui.widgets.timeline import ScenarioPicker

    async def main():
        backend = ScenarioBackend.open("scenarios/self-healing.yaml")
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            await pilot.press("colon", *"scenarios", "enter")
            await pilot.pause()
            picker = app.screen
            assert isinstance(picker, ScenarioPicker)
            names_ = [e.name for e in picker.entries]
            assert {"self-healing", "rolling-update", "incident-checkout-oom"} <= set(names_)
            assert picker.index == names_.index("self-healing")  # the cursor starts on the one playing
            body = str(picker.query_one("#picker-body").render())
            assert "Roll nginx 1.24" in body and "recording" in body and "● self-healing" in body
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("colon", *"scenarios", "enter")
            await pilot.pause()
            for _ in range(len(app.screen.entries)):
                await pilot.press("up")
            for _ in range(names_.index("rolling-update")):
                await pilot.press("down")
            await pilot.press("enter")
            await sync(app, pilot)
            assert backend.path.endswith("rolling-update.yaml") and backend.timeline.scenario.name == "rolling-update"
            assert app.flash_text.startswith("rolling-update: Roll nginx")
            assert "steps 0/3" in bar_text(app)
            assert {n.split("-")[0] for n in names(app)} == {"nginx"}  # the pods view follows the switch
    asyncio.run(main())


def test_replay_keys_in_the_menu_and_help_replace_the_keys_they_take_over():
    async def main():
        app = replay_app()
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            header = " ".join(str(app.query_one("#header").render()).split())
            assert "<space> Pause/Play" in header and "Mark" not in header
            await pilot.press("question_mark")
            await pilot.pause()
            body = str(app.screen.query_one("#help-body").render())
            assert "REPLAY" in body and "Pause/Play" in body and "Next event" in body
            # space pauses, - slows down here (ctrl-space still marks a range)
            assert not re.search(r"(?<!-)<space>\s+Mark", body) and "Last view" not in body
    asyncio.run(main())


def test_the_scenarios_picker_shows_the_chosen_description_whole_at_80_columns():
    """The descriptions were cut at the edge (`Two ValidatingAdmissionPolicies gua…`): the one
    under the cursor wraps under it, whole; the keys are on the frame."""
    from k9py.backends.replay import ScenarioBackend
    from k9py.ui.widgets.timeline import ScenarioPicker

    async def main():
        app = K9pyApp(ScenarioBackend.open("scenarios/self-healing.yaml"), manual=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await sync(app, pilot)
            await pilot.press("colon", *"scenarios", "enter")
            await pilot.pause()
            picker = app.screen
            assert isinstance(picker, ScenarioPicker)
            fits = [i for i, e in enumerate(picker.entries) if len(e.description) < 200]  # (a few lines)
            longest = max(fits, key=lambda i: len(picker.entries[i].description))
            delta = longest - picker.index
            for key in (["j"] * delta if delta > 0 else ["k"] * -delta):
                await pilot.press(key)
            await pilot.pause()
            assert picker.index == longest
            from tests.ui.test_faults import screen_text
            shown = " ".join(line.strip(" │") for line in screen_text(app).splitlines())
            said = " ".join(picker.entries[longest].description.split())
            assert len(said) > 60 and said in " ".join(shown.split())  # on the screen, every word in order
            assert "<enter> Open" in str(picker.query_one("#help-box").border_subtitle)
    asyncio.run(main())


# -- :scenarios switches the running simulator, :timeline, where a replay opens -----------------------

async def pick_without_waiting(app, pilot, name):
    """`:scenarios`, the cursor onto ``name``, enter (the load left to run)."""
    from k9py.ui.widgets.timeline import ScenarioPicker
    await pilot.press("colon", *"scenarios", "enter")
    await pilot.pause()
    picker = app.screen
    assert isinstance(picker, ScenarioPicker)
    delta = [e.name for e in picker.entries].index(name) - picker.index
    await pilot.press(*(["down"] * delta if delta > 0 else ["up"] * -delta), "enter")


async def pick(app, pilot, name):
    """`:scenarios`, the cursor onto ``name``, enter; the load done."""
    await pick_without_waiting(app, pilot, name)
    await app.workers.wait_for_complete()
    await sync(app, pilot)
    await sync(app, pilot)


def test_scenarios_switches_the_demo_simulator_in_place():
    from k9py.backends.replay import ScenarioBackend
    from k9py.cli import build_parser
    from k9py.ui.launch import build_app
    from k9py.ui.widgets.timeline import hints

    async def main():
        app = build_app(build_parser().parse_args([]), manual=True)
        backend = app.backend
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            assert isinstance(backend, ScenarioBackend) and backend.path.endswith("demo.yaml")
            assert not app.query("#timeline") and hints(backend) == []  # the demo: no bar, space marks
            await pick(app, pilot, "kubeflow")
            assert app.backend is backend and backend.path.endswith("kubeflow.yaml")
            assert app.flash_text.startswith("kubeflow: A Kubeflow notebook server")
            assert app.title_text().startswith("pods(kubeflow-user)")  # the view goes where the objects are
            assert "steps 0/" in bar_text(app) and "00:00 / 05:00" in bar_text(app)
            await pick(app, pilot, "demo")  # and back: no bar (it said 00:00 / 00:00), space marks again
            assert backend.path.endswith("demo.yaml") and app.flash_text.startswith("demo: ")
            assert not app.query("#timeline") and hints(backend) == []
    asyncio.run(main())


def test_scenarios_opens_a_recording_in_a_new_session_and_a_scenario_after_it():
    from k9py.backends.replay import ScenarioBackend

    async def main():
        backend = ScenarioBackend.open("scenarios/self-healing.yaml")
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            first = app.session
            await pick(app, pilot, "incident-checkout-oom")
            assert isinstance(app.backend, ReplayBackend) and app.session is not first
            assert app.backend.path.endswith("incident-checkout-oom.yaml")
            assert app.title_text().startswith("pods(shop)") and any(n.startswith("checkout-") for n in names(app))
            assert "events " in bar_text(app) and "00:00 / 04:00" in bar_text(app) and len(app.query("#timeline")) == 1
            assert app.flash_text.startswith("incident-checkout-oom: Recorded incident")
            await pilot.press("end")  # the replay keys drive the new play head
            assert app.backend.player.position == 240
            await pick(app, pilot, "crashloop")
            assert isinstance(app.backend, ScenarioBackend) and app.backend.path.endswith("crashloop.yaml")
            assert app.title_text().startswith("pods(default)") and "steps 0/3" in bar_text(app)
    asyncio.run(main())


def test_scenarios_moves_every_pane_on_it_to_where_the_objects_are():
    """`:scenarios` from a replay in namespace shop with a split: the focused pane went to the
    new scenario's namespace, the other one stayed in shop (not there: empty)."""
    async def main():
        app = replay_app()
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            app.run_command("vs pods")
            await sync(app, pilot)
            left, right = app.splits.all_panes()
            assert left.current.scope.namespace == right.current.scope.namespace == "shop"
            await pick(app, pilot, "crashloop")
            assert left.navigator.session is right.navigator.session is app.session
            assert left.current.scope.namespace == right.current.scope.namespace == "default"
            assert left.current.model is not None and len(left.current.model) > 0
    asyncio.run(main())


def deleting(app, name: str) -> bool:
    """The pods view shows ``name`` on its way out (a deletionTimestamp)."""
    m = app.model
    row = next(m.row_at(i) for i in range(len(m)) if m.row_at(i).key[1] == name)
    return bool(row.obj["metadata"].get("deletionTimestamp"))


def test_timeline_lists_past_and_coming_steps_and_goes_to_one():
    from k9py.backends.replay import ScenarioBackend

    def lines(screen):
        return [str(screen.options.get_option_at_index(i).prompt) for i in range(screen.options.option_count)]

    async def main():
        backend = ScenarioBackend.open("scenarios/self-healing.yaml")
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            backend.playback().seek(30)
            await sync(app, pilot)
            screen = await open_timeline(app, pilot)
            shown = lines(screen)
            assert shown[0].startswith("✓ 00:20  delete Pod -l app=web (first 1)")
            assert shown[0].endswith("delete one pod of the web Deployment")
            assert shown[1].startswith("▶ 01:00  delete Pod -l app=web ") and shown[2].startswith("  02:00")
            assert screen.options.highlighted == 1  # the cursor starts on the next step
            menu = str(screen.query_one("#key-menu").render())
            assert "Go to" in menu and "Pause/Play" in menu and "Back" in menu
            status = str(screen.query_one("#timeline-status").render())
            assert "▶ playing" in status and "00:30 / 03:00" in status
            await pilot.press("space")
            assert backend.paused and "⏸ paused" in str(screen.query_one("#timeline-status").render())
            await pilot.press("j", "enter")  # forward to the last step
            await sync(app, pilot)
            assert app.screen is not screen and backend.playback().position == 120
            assert app.flash_text == "t=02:00 delete Pod lonely" and deleting(app, "lonely")
            await pilot.press("colon", *"tl", "enter")
            await pilot.pause()
            assert lines(app.screen)[2].startswith("✓ 02:00")
            await pilot.press("g", "enter")  # back to the first step: the simulator runs again to 20 s
            await sync(app, pilot)
            assert backend.playback().position == 20 and not deleting(app, "lonely")
            assert backend.paused  # the user's pause holds across seeks
    asyncio.run(main())


def test_a_step_refused_as_the_scenario_meant_is_marked_so_not_as_a_failure():
    """admission-policy: the scale the policy refuses shows ⊘ and the policy's words, not ✗."""
    from k9py.backends.replay import ScenarioBackend

    async def main():
        backend = ScenarioBackend.open("scenarios/admission-policy.yaml")
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=(160, 45)) as pilot:
            await sync(app, pilot)
            backend.playback().seek(35)
            await sync(app, pilot)
            screen = await open_timeline(app, pilot)
            shown = [str(screen.options.get_option_at_index(i).prompt) for i in range(screen.options.option_count)]
            assert shown[0].startswith("⊘ 00:20  scale Deployment web -n prod")
            assert shown[0].endswith("denied request: at most 5 replicas in prod, not 8")
            assert shown[1].startswith("✓ 00:30  scale Deployment web -n dev")
    asyncio.run(main())


def test_timeline_without_a_play_head_says_so():
    async def main():
        app = K9pyApp(SimBackend(small_cluster()), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            await pilot.press("colon", *"timeline", "enter")
            await pilot.pause()
            assert len(app.screen_stack) == 1 and app.flash_text.startswith("timeline: nothing is playing")
    asyncio.run(main())


def test_the_scenario_bar_stops_at_the_end():
    from k9py.backends.replay import ScenarioBackend
    from k9py.ui.widgets.timeline import hints

    async def main():
        backend = ScenarioBackend.open("scenarios/self-healing.yaml", speed=64)
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            for _ in range(10):
                backend.tick(1)
            await pilot.pause()
            assert "03:00 / 03:00" in bar_text(app) and "⏸ paused" in bar_text(app) and "steps 3/3" in bar_text(app)
            assert ("<.>", "Next step") in hints(backend) and ("<,>", "Previous step") in hints(backend)
    asyncio.run(main())


def test_the_bar_says_how_fast_a_slow_simulator_really_runs():
    """A cluster too big for the machine runs in slow motion (a step covers at most a second of
    real time): the bar says at what speed its clock really runs, while it plays."""
    from k9py.backends.replay import ScenarioBackend
    from k9py.sim import clock as sim_clock

    now = [100.0]

    async def main():
        backend = ScenarioBackend.open("scenarios/self-healing.yaml")
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            ticker = backend._ticker = sim_clock.RealtimeTicker(monotonic=lambda: now[0])
            for _ in range(4):  # it keeps up: steps of a quarter of a second
                now[0] += 0.25
                backend.tick(ticker.elapsed())
            app.query_one("#timeline", Timeline).refresh()
            await pilot.pause()
            assert "▶ playing" in bar_text(app) and "runs at" not in bar_text(app)
            for _ in range(8):  # each step took four seconds: it covers one
                now[0] += 4.0
                backend.tick(ticker.elapsed())
            await pilot.pause()
            assert "1x (runs at 0.2x)" in bar_text(app), bar_text(app)
            await pilot.press("space")  # paused: nothing runs slow
            assert "⏸ paused" in bar_text(app) and "runs at" not in bar_text(app)
    asyncio.run(main())


@pytest.mark.parametrize("argv,ns", [([], "shop"), (["-n", "default"], "default"), (["-A"], "all")])
def test_a_replay_opens_where_its_objects_are(argv, ns):
    from k9py.cli import build_parser
    from k9py.ui.launch import build_app

    async def main():
        app = build_app(build_parser().parse_args(["replay", INCIDENT, *argv]), ReplayBackend.open(INCIDENT),
                        manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            assert app.title_text().startswith(f"pods({ns})")
    asyncio.run(main())


def test_timeline_snapshot_80x24(snap_compare):
    from k9py.backends.replay import ScenarioBackend

    async def run(pilot):
        await pilot.app.pump()
        pilot.app.backend.playback().seek(70)
        await pilot.app.pump()
        await pilot.press("colon", *"timeline", "enter")
        await pilot.pause()
    backend = ScenarioBackend.open("scenarios/crashloop.yaml")
    assert snap_compare(K9pyApp(backend, manual=True), terminal_size=(80, 24), run_before=run)


def test_timeline_snapshot_160x45(snap_compare):
    async def run(pilot):
        await pilot.app.pump()
        await pilot.press("colon", *"timeline", "enter")
        await pilot.pause()
    assert snap_compare(replay_app(at=100), terminal_size=SIZE, run_before=run)


def test_a_scenarios_seek_runs_off_the_event_loop_and_keys_in_a_burst_add_up():
    """`>` on a scenario runs the simulator (seconds in a big cluster): in a worker thread. While
    it waits behind a step of the clock the screen goes on, the bar says where it heads, and
    `>` `>` `>` in one burst head 30 s on; the seek under way gives way to the last one."""
    from k9py.backends.replay import ScenarioBackend
    from tests.backends.test_locked import Holder

    async def main():
        backend = ScenarioBackend.open("scenarios/self-healing.yaml")
        seek, targets = backend.seek, []

        def noted_seek(t, **kw):
            targets.append(t)
            seek(t, **kw)
        backend.seek = noted_seek
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            with Holder(backend.cluster.lock) as holder:  # a step of the clock under way
                await pilot.press("greater_than_sign", "greater_than_sign", "greater_than_sign")
                await pilot.pause()
                assert "» seeking" in bar_text(app) and "00:00 → 00:30 / 03:00" in bar_text(app), bar_text(app)
                await pilot.press("colon", *"deploy", "enter")  # keys go on meanwhile
                await pilot.pause()
                assert app.title_text().startswith("deployments(")
                holder.loop_ran.set()
            await sync(app, pilot)
            assert backend.playback().position == 30 and targets == [10, 30]
            assert "▶ playing" in bar_text(app) and "00:30 / 03:00" in bar_text(app)
            for what in ("forward", "forward", "backward"):  # keys read at once: no worker ran between them
                app.action_replay(what)
            assert backend.playback().heading == 40
            await sync(app, pilot)
            assert backend.playback().position == 40 and targets[2:] == [40]
            await pilot.press("less_than_sign")  # back: the simulator runs again from t=0, and says so
            assert app.flash_text == "back to 00:30: the simulator runs the scenario again from t=0"
            await sync(app, pilot)
            assert backend.playback().position == 30 and targets[3:] == [30]
            await pilot.press("end")
            await sync(app, pilot)
            assert backend.playback().position == 180 and backend.playback().paused
            await pilot.press("space")  # at the end space plays it again from t=0
            await sync(app, pilot)
            assert backend.playback().position == 0 and not backend.playback().paused
    asyncio.run(main())


def test_keys_typed_behind_a_pick_reach_the_view_below():
    """`:scenarios`, the cursor down, enter and `:deploy⏎` in one burst (what a terminal hands over
    when the keys come faster than the screen): the pick switches the scenario, then the command
    opens its view. They used to be typed into the picker still on the screen."""
    from k9py.backends.replay import ScenarioBackend
    from k9py.ui.widgets.timeline import ScenarioPicker
    from tests.ui.test_typeahead import burst

    async def main():
        backend = ScenarioBackend.open("scenarios/kubeflow.yaml")
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            burst(app, ":scenarios\r")
            assert await synced_until(app, pilot, lambda: isinstance(app.screen, ScenarioPicker))
            picker = app.screen
            assert isinstance(picker, ScenarioPicker)
            down = [e.name for e in picker.entries].index("self-healing") - picker.index
            burst(app, "j" * down + "\r:deploy\r")
            assert await synced_until(app, pilot, lambda: app.title_text() == "deployments(default)[1]"), app.title_text()
            assert backend.path.endswith("self-healing.yaml") and not app.prompt.display
    asyncio.run(main())


def test_keys_typed_behind_a_step_picked_in_timeline_reach_the_view_below():
    from k9py.backends.replay import ScenarioBackend
    from k9py.ui.screens.timeline_view import TimelineView
    from tests.ui.test_typeahead import burst

    async def main():
        backend = ScenarioBackend.open("scenarios/self-healing.yaml")
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            burst(app, ":timeline\r")
            assert await synced_until(app, pilot, lambda: isinstance(app.screen, TimelineView))
            burst(app, "j\r:deploy\r")  # the second step (01:00), then deployments
            assert await synced_until(app, pilot, lambda: app.title_text() == "deployments(default)[1]"
                                      and backend.playback().position == 60), app.title_text()
            assert not app.prompt.display
    asyncio.run(main())


def test_scenarios_reads_and_builds_the_file_picked_off_the_event_loop():
    """A file picked in `:scenarios` is read and built in a worker thread (a big one takes
    seconds): keys go on meanwhile, and the running scenario stays until the new one is there."""
    import threading

    from k9py.backends.replay import ScenarioBackend
    from tests.backends.test_locked import HOLD_AT_MOST, _until

    async def main():
        backend = ScenarioBackend.open("scenarios/kubeflow.yaml")
        building, go_on, prepare = threading.Event(), threading.Event(), backend.prepare

        def held(path):
            building.set()
            assert go_on.wait(HOLD_AT_MOST)
            return prepare(path)
        backend.prepare = held
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            await pick_without_waiting(app, pilot, "self-healing")
            await _until(building.is_set)
            await pilot.press("colon", *"deploy", "enter")  # keys go on meanwhile
            await pilot.pause()
            assert app.title_text().startswith("deployments(") and backend.path.endswith("kubeflow.yaml")
            assert "» loading" in bar_text(app)  # the clock waits for the new file: the bar says why
            position = backend.playback().position
            assert backend.tick(5) is False and backend.playback().position == position
            go_on.set()
            await sync(app, pilot)
            await sync(app, pilot)
            assert backend.path.endswith("self-healing.yaml") and app.title_text() == "deployments(default)[1]"
            assert "▶ playing" in bar_text(app)
    asyncio.run(main())


def test_timeline_left_before_the_seek_it_started_ends():
    """enter in `:timeline` starts the seek and closes the screen: the seek ends later (a step
    held the lock meanwhile). The screen's listener, told as the screen went (once in CI), found
    its list gone and failed the app; it does nothing now."""
    from k9py.backends.replay import ScenarioBackend
    from tests.backends.test_locked import Holder

    async def main():
        backend = ScenarioBackend.open("scenarios/self-healing.yaml")
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            screen = await open_timeline(app, pilot)
            with Holder(backend.cluster.lock) as holder:
                await pilot.press("j", "enter")  # the second step (01:00)
                await pilot.pause()
                assert app.screen is not screen and backend.playback().heading == 60
                screen.refresh_marks()  # what its listener does if the news comes as it goes
                holder.loop_ran.set()
            await sync(app, pilot)
            assert backend.playback().position == 60 and app.title_text().startswith("pods(")
    asyncio.run(main())


def test_a_timeline_being_taken_down_ignores_a_seek_that_ends_meanwhile():
    """A seek the view started ends while the view is being removed (its status line gone
    first, its list not yet): the change it tells is ignored, not a crash of the app."""
    from k9py.backends.replay import ScenarioBackend

    async def main():
        backend = ScenarioBackend.open("scenarios/self-healing.yaml")
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            screen = await open_timeline(app, pilot)
            await screen.query_one("#timeline-status").remove()
            screen.refresh_marks()  # as the playback's change listener calls it
            assert screen.query("#timeline-marks")
    asyncio.run(main())


def test_rewind_diff_and_changes_in_a_replay_say_it_has_a_timeline_of_its_own():
    """A replay keeps no history of its own: its keys move it. `:diff` and `:changes` said the
    time machine was off, as if config.yaml had turned it off."""
    async def main():
        app = replay_app()
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            for what in ("rewind 1m", "diff", "changes"):
                app.run_command(what)
                await sync(app, pilot)
                word = what.split()[0]
                assert app.flash_text == f"{word}: this plays a timeline of its own: < > , . home end move it", what
    asyncio.run(main())


def test_a_file_picked_shows_its_own_rows_not_the_filter_or_namespace_of_the_one_left():
    """A learner filters the demo's pods on `counter`, opens self-healing from `:scenarios`: its
    pods show, not an empty table under the old filter; from the checkout recording (namespace
    shop) back to the demo, which has no shop: its default namespace, not `deployments(shop)[0]`."""
    from k9py.cli import build_parser
    from k9py.ui.launch import build_app

    async def main():
        app = build_app(build_parser().parse_args([]), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            await pilot.press("slash", *"counter", "enter")
            await sync(app, pilot)
            assert names(app) == ["counter"]
            await pick(app, pilot, "self-healing")
            assert app.model.filter.text == "" and app.title_text().startswith("pods(default)")
            assert any(n.startswith("web-") for n in names(app))
            await pick(app, pilot, "incident-checkout-oom")
            assert app.title_text().startswith("pods(shop)")
            await pilot.press("colon", *"deploy", "enter")
            await sync(app, pilot)
            assert app.title_text().startswith("deployments(shop)")
            await pick(app, pilot, "demo")
            assert app.title_text().startswith("deployments(default)") and names(app) == ["nginx-deployment"]
    asyncio.run(main())


def test_help_on_the_demo_says_where_the_practice_scenarios_are():
    """`?` on the demo names `:scenarios` (nothing else on screen does), and `:timeline` once a
    scenario with steps plays; a live cluster's help names neither."""
    from k9py.backends.replay import ScenarioBackend
    from k9py.cli import build_parser
    from k9py.ui.launch import build_app
    from k9py.ui.screens.help import HelpScreen
    from k9py.ui.widgets.timeline import practice_hints

    def body(app):
        assert isinstance(app.screen, HelpScreen)
        return str(app.screen.query_one("#help-body").render())

    async def main():
        app = build_app(build_parser().parse_args([]), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            text = body(app)
            assert ":scenarios" in text and "Practise" in text and ":timeline" not in text
        app = K9pyApp(ScenarioBackend.open("scenarios/self-healing.yaml"), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            assert ":timeline" in body(app) and ":scenarios" in body(app)

    asyncio.run(main())

    class Live:
        backend = type("B", (), {"info": lambda self: type("I", (), {"backend": "live"})()})()
    assert practice_hints(Live()) == []


def test_a_steps_object_name_keeps_its_end_a_log_line_its_start():
    """`:timeline` at 80 columns cut `added ReplicaSet shop/checkout-54f…`: steps of one
    ReplicaSet's pods could not be told apart. A name keeps its end; a log line its words."""
    from k9py.ui.screens.timeline_view import _fit_what

    pods = [_fit_what(f"added Pod shop/checkout-54f7d9c8b6-{suffix}", 30) for suffix in ("x2kq9", "m8bzt")]
    assert pods[0] != pods[1] and all(p.endswith(s) and len(p) == 30 for p, s in zip(pods, ("x2kq9", "m8bzt"), strict=True))
    assert pods[0].startswith("added Pod ")
    said = _fit_what("log Pod api: panic: runtime error: invalid memory address or nil pointer dereference", 30)
    assert said == "log Pod api: panic: runtime e…"
    assert _fit_what("delete Pod -l app=web", 30) == "delete Pod -l app=web"  # fits: as it is
