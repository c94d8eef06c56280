"""The replay view: the timeline bar, the replay keys, and a snapshot of it."""

from __future__ import annotations

import asyncio
from pathlib import Path

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
    await app.pump()
    await pilot.pause()


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
            await pilot.press("space")
            assert first in app.table.marked  # not paused: space marks again
    asyncio.run(main())


def test_logs_describe_and_yaml_show_the_play_head():
    async def main():
        app = replay_app(at=120)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            p = app.backend.player
            old = sorted(n for n in names(app) if "5b5496bbd9" in n)[0]
            app.table.move_to(names(app).index(old))
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
            body = str(picker.query_one("#picker-body").render())
            assert "Roll nginx 1.24" in body and "recording" in body
            # a recording cannot replace a running scenario: the command is shown
            for _ in range(names_.index("incident-checkout-oom")):
                await pilot.press("down")
            await pilot.press("enter")
            await pilot.pause()
            assert "k9py replay" in app.flash_text and backend.path == "scenarios/self-healing.yaml"
            await pilot.press("colon", *"scenarios", "enter")
            await pilot.pause()
            for _ in range(app.screen.entries.__len__()):
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
            header = str(app.query_one("#header").render())
            assert "<space>    Pause/Play" in header and "Mark" not in header
            await pilot.press("question_mark")
            await pilot.pause()
            body = str(app.screen.query_one("#help-body").render())
            assert "REPLAY" in body and "Pause/Play" in body and "Next event" in body
            assert "Mark" not in body and "Last view" not in body  # space pauses, - slows down here
    asyncio.run(main())
