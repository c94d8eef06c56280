"""ReplayBackend: the Backend protocol over a Player; ScenarioBackend: the sim with a timeline."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from k9py.backends.base import Backend, Capability, ReadOnlyError
from k9py.backends.events import Added, Deleted, Listed, Modified, Synced, change_type
from k9py.backends.replay import ReplayBackend, ScenarioBackend
from k9py.errors import K9pyError
from tests.scenario.helpers import jsonl, player_of, pod

EVENTS = [
    {"t": 0, "type": "ADDED", "object": pod("a", "Pending")},
    {"t": 0, "type": "ADDED", "object": pod("b")},
    {"t": 0, "type": "ADDED", "object": pod("k", ns="kube-system")},
    {"t": 5, "type": "MODIFIED", "object": pod("a", "Running")},
    {"t": 12, "type": "DELETED", "object": pod("b")},
    {"t": 12, "type": "ADDED", "object": pod("c", "Pending")},
    {"t": 12, "type": "ADDED", "object": {"kind": "Event", "metadata": {"name": "c.1"}, "reason": "Scheduled",
                                          "involvedObject": {"kind": "Pod", "name": "c", "namespace": "default"}}},
    {"t": 20, "type": "LOG", "namespace": "default", "pod": "a", "container": "app", "line": "one"},
    {"t": 25, "type": "LOG", "namespace": "default", "pod": "a", "container": "app", "line": "two"},
]


async def _take(it, n):
    return [await it.__anext__() for _ in range(n)]


def _named(events):
    return [(change_type(e), e.obj["metadata"]["name"]) for e in events]


def test_satisfies_the_protocol_and_is_read_only():
    b = ReplayBackend(player_of(EVENTS))
    assert isinstance(b, Backend)
    info = b.info()
    assert (info.backend, info.context, info.server_version, info.read_only) == ("replay", "prod", "v1.30.2", True)

    async def main():
        for call in (b.delete("Pod", "default", "a"), b.scale("Deployment", "default", "x", 2), b.cordon("n"),
                     b.apply(pod("z")), b.create(pod("z")), b.replace(pod("a")), b.evict("default", "a"),
                     b.patch("Pod", "default", "a", {"metadata": {"labels": {"x": "1"}}})):
            with pytest.raises(ReadOnlyError, match="recorded history"):
                await call
        assert (await b.get("Pod", "default", "a"))["status"]["phase"] == "Pending"  # unchanged
    asyncio.run(main())


def test_playback_is_declared_and_drives_the_player():
    b = ReplayBackend(player_of(EVENTS))
    assert b.capabilities() == {Capability.PLAYBACK} and b.supports(Capability.PLAYBACK)
    assert not b.supports(Capability.METRICS)
    pb = b.playback()
    assert pb is b.playback() and (pb.unit, pb.seekable, pb.has_timeline) == ("events", True, True)
    changes: list[None] = []
    stop = pb.on_change(changes.append)
    pb.seek_by(12)
    assert b.player.position == pb.position == 12 and changes == [None]
    assert (pb.duration, pb.total_events) == (25, len(EVENTS)) and pb.events_played == 7
    assert pb.step_forward() and pb.position == 20
    pb.home()
    assert pb.position == 0 and not pb.step_back()
    pb.end()
    assert pb.position == 25 and not pb.step_forward()
    assert pb.faster() == 2 and pb.slower() == 1 and pb.speed == 1
    was = pb.paused
    pb.toggle()
    assert pb.paused is not was
    stop()
    pb.home()
    assert len(changes) == 7  # one per move (none for a refused step), none after unsubscribing
    assert pb.accepts("recording") and not pb.accepts("scenario")


def test_watch_gives_the_play_head_and_follows_it_both_ways():
    async def main():
        b = ReplayBackend(player_of(EVENTS))
        it = b.watch("Pod", "default")
        listed, synced = await _take(it, 2)
        assert isinstance(listed, Listed) and [o["metadata"]["name"] for o in listed.objs] == ["a", "b"]
        assert synced == Synced()
        b.player.seek(12)
        got = await _take(it, 3)
        assert [type(e) for e in got] == [Modified, Deleted, Added]
        assert _named(got) == [("MODIFIED", "a"), ("DELETED", "b"), ("ADDED", "c")]
        b.player.home()
        got = await _take(it, 3)
        assert sorted(_named(got)) == [("ADDED", "b"), ("DELETED", "c"), ("MODIFIED", "a")]
        await it.aclose()
        assert not b.player.store._watches
    asyncio.run(main())


def test_get_events_and_logs_at_the_play_head():
    async def main():
        b = ReplayBackend(player_of(EVENTS))
        b.player.seek(22)
        assert (await b.get("Pod", "default", "a"))["status"]["phase"] == "Running"
        with pytest.raises(K9pyError, match='pods "b" not found'):
            await b.get("Pod", "default", "b")
        c = await b.get("Pod", "default", "c")
        assert [e["reason"] for e in await b.events_for(c)] == ["Scheduled"]
        assert [ln async for ln in b.logs("default", "a")] == ["one"]
        assert [ln async for ln in b.logs("default", "a", timestamps=True)] == ["2026-11-01T09:00:20.000000000Z one"]
        assert b.now() == b.player.start + 22
    asyncio.run(main())


def test_drive_plays_at_speed_until_paused():
    async def main():
        b = ReplayBackend(player_of(EVENTS))
        b.player.set_speed(64)
        b.start()
        for _ in range(500):  # 25 s of recording at 64x: well under a second of real time
            if b.player.at_end:
                break
            await asyncio.sleep(0.01)
        await b.close()
        assert b.player.paused and b.player.position == 25
    asyncio.run(main())


def test_reload_swaps_the_recording_and_watches_get_the_difference(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(jsonl(EVENTS))

    async def main():
        b = ReplayBackend.open(str(path), paused=True, at=5)
        assert b.player.position == 5 and b.player.paused
        it = b.watch("Pod", "default")
        await _take(it, 2)
        path.write_text(jsonl([{"t": 0, "type": "ADDED", "object": pod("a", "Unknown")},
                               {"t": 0, "type": "ADDED", "object": pod("new")}]))
        b.reload()
        got = await _take(it, 3)
        assert sorted(_named(got)) == [("ADDED", "new"), ("DELETED", "b"), ("MODIFIED", "a")]
        assert b.player.position == 0 and b.player.paused  # restarted from t=0, same pause state
        await it.aclose()
    asyncio.run(main())


def test_open_refuses_a_scenario():
    with pytest.raises(K9pyError, match="is not a Recording"):
        ReplayBackend.open("scenarios/self-healing.yaml")


def test_scenario_backend_runs_the_timeline_and_stops_at_pause(tmp_path):
    src = tmp_path / "s.yaml"
    shutil.copy("scenarios/self-healing.yaml", src)
    text = src.read_text().replace("  - at: 2m\n", "  - {at: 90s, pause: look}\n  - at: 2m\n")
    src.write_text(text)

    async def main():
        b = ScenarioBackend.open(str(src))
        tl = b.timeline
        pb = b.playback()
        assert b.supports(Capability.PLAYBACK) and b.supports(Capability.METRICS)
        assert (pb.unit, pb.seekable, pb.has_timeline, pb.total_events, pb.duration) == ("steps", False, True, 4, 180)
        steps: list[str] = []
        pb.on_step(lambda f: steps.append(f.step.action))
        b.cluster.advance(100)
        assert tl.paused and [f.step.action for f in tl.fired] == ["delete", "delete", "pause"]
        assert steps == ["delete", "delete", "pause"] and pb.paused and pb.events_played == 3
        assert pb.position == 100
        with pytest.raises(K9pyError, match="cannot be moved"):
            pb.seek_by(10)
        before = b.cluster.now()
        b.speed = 2.0
        assert b.tick(5) is False and b.cluster.now() == before  # the driver respects the pause
        pb.resume()
        assert not pb.paused and pb.speed == 2.0
        assert b.tick(5) is True and b.cluster.now() == before + 10
        b.reload()  # a new cluster and timeline: the step listeners follow
        b.cluster.advance(25)
        assert steps[-1] == "delete" and len(steps) == 4 and pb.events_played == 1
        assert pb.accepts("scenario") and pb.accepts("manifests") and not pb.accepts("recording")
    asyncio.run(main())


def test_hot_reload_restarts_on_a_valid_save_and_reports_an_invalid_one(tmp_path):
    src = tmp_path / "s.yaml"
    shutil.copy("scenarios/self-healing.yaml", src)
    told: list[str | None] = []

    async def main():
        b = ScenarioBackend.open(str(src))
        b.hot_reload = True
        b.playback().on_reload(told.append)
        b.cluster.advance(100)
        old = b.cluster
        b.start()
        await asyncio.sleep(0.3)  # the watcher is up
        src.write_text(src.read_text().replace("replicas: 3", "replicas: three"))
        for _ in range(100):
            if told:
                break
            await asyncio.sleep(0.05)
        assert told and told[0] and ":" in told[0] and "spec.replicas" in told[0]
        assert b.cluster is old  # the old run keeps going
        src.write_text(src.read_text().replace("replicas: three", "replicas: 5"))
        for _ in range(100):
            if len(told) > 1:
                break
            await asyncio.sleep(0.05)
        assert told[1] is None and b.cluster is not old
        assert b.cluster.get("Deployment", "default", "web")["spec"]["replicas"] == 5
        await b.close()
    asyncio.run(main())
