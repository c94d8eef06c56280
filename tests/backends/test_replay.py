"""ReplayBackend: the Backend protocol over a Player; ScenarioBackend: the sim with a timeline."""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path

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
        assert (pb.unit, pb.seekable, pb.has_timeline, pb.total_events, pb.duration) == ("steps", True, True, 4, 180)
        steps: list[str] = []
        pb.on_step(lambda f: steps.append(f.step.action))
        b.cluster.advance(100)
        assert tl.paused and [f.step.action for f in tl.fired] == ["delete", "delete", "pause"]
        assert steps == ["delete", "delete", "pause"] and pb.paused and pb.events_played == 3
        assert pb.position == 100
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
        built_in, prepare = [], b.prepare
        b.prepare = lambda path: (built_in.append(threading.current_thread().name), prepare(path))[1]
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
        assert built_in == ["k9py-work", "k9py-work"]  # each save read (and built) off the event loop
        await b.close()
    asyncio.run(main())


def test_a_hot_reload_says_it_reads_the_file_again_and_how_far_building_it_got(tmp_path, monkeypatch):
    """A big file takes a minute to build again: the save is answered at once, then the build's
    progress; a seek back after it says how far its build got too."""
    from k9py.backends import playback
    from k9py.scenario import files

    monkeypatch.setattr(playback, "PROGRESS_EVERY", 0.01)
    src = tmp_path / "s.yaml"
    shutil.copy("scenarios/self-healing.yaml", src)
    real_build, release = files.build_cluster, threading.Event()

    def slow_build(sf, seed=None, made=None, **kw):  # the reload's build takes until the test says
        cluster = real_build(sf, seed=seed, made=made)
        if threading.current_thread().name == "k9py-work":  # not the save's check
            release.wait(30)
        return cluster

    async def main():
        b = ScenarioBackend.open(str(src))
        b.hot_reload = True
        pb = b.playback()
        started, progress, told = [], [], []
        pb.on_build_started(started.append)
        pb.on_build_progress(progress.append)
        pb.on_reload(told.append)
        old = b.cluster
        b.start()
        await asyncio.sleep(0.3)  # the watcher is up
        monkeypatch.setattr(files, "build_cluster", slow_build)
        src.write_text(src.read_text().replace("replicas: 3", "replicas: 5"))
        for _ in range(200):
            if progress:
                break
            await asyncio.sleep(0.05)
        assert started == ["s.yaml changed: reading it again"]
        assert progress[-1].startswith("building s.yaml: ") and "pods made" in progress[-1]
        assert b.cluster is old and not told  # the old run stays, its clock waits: the build needs the CPU
        position = pb.position
        assert b.tick(5) is False and pb.position == position
        release.set()
        for _ in range(200):
            if told:
                break
            await asyncio.sleep(0.05)
        assert told == [None] and b.cluster is not old and pb.building is None
        assert b.cluster.get("Deployment", "default", "web")["spec"]["replicas"] == 5
        assert b.build_line() is not None and b.build_line().startswith("building s.yaml: ")  # a seek back can tell
        before = pb.position  # the real-time driver runs too (``start``)
        assert b.tick(5) is True and pb.position >= before + 5
        await b.close()
    asyncio.run(main())


# -- a scenario's play head: pause, speed, step, seek (virtual clock, deterministic) ---------------

def _pods(b: ScenarioBackend) -> dict[str, str]:
    """name → resourceVersion-free state of the pods (what a seek must reproduce)."""
    return {p["metadata"]["name"]: p["status"].get("phase", "") for p in b.cluster.store.list("Pod", "default")}


def _with_pause(tmp_path, at: str = "90s") -> str:
    src = tmp_path / "s.yaml"
    src.write_text(Path("scenarios/self-healing.yaml").read_text()
                   .replace("  - at: 2m\n", f"  - {{at: {at}, pause: look}}\n  - at: 2m\n"))
    return str(src)


def test_scenario_pauses_and_changes_speed_like_a_replay():
    b = ScenarioBackend.open("scenarios/self-healing.yaml")
    pb = b.playback()
    changes: list[None] = []
    pb.on_change(changes.append)
    assert not pb.paused and pb.speed == 1
    pb.toggle()
    assert pb.paused and b.tick(5) is False and pb.position == 0
    pb.toggle()
    assert not pb.paused and b.tick(5) is True and pb.position == 5
    assert pb.faster() == 2 and b.tick(5) and pb.position == 15
    assert pb.slower() == 1 and pb.slower() == 0.5 and pb.speed == 0.5
    for _ in range(12):
        pb.faster()
    assert pb.speed == 64  # the replay's range
    assert len(changes) == 2 + 3 + 12


def test_scenario_steps_from_step_to_step_and_back():
    b = ScenarioBackend.open("scenarios/self-healing.yaml")
    pb = b.playback()
    told: list[str] = []
    pb.on_step(lambda f: told.append(f.step.action))
    assert pb.step_forward() and pb.position == 20 and pb.events_played == 1
    assert pb.step_forward() and pb.position == 60 and pb.events_played == 2
    assert pb.step_forward() and pb.position == 120 and pb.events_played == 3
    assert not pb.step_forward() and pb.position == 120  # no step after the last one
    assert told == []  # stepping is a seek: steps passed are not flashed one by one
    assert pb.step_back() and pb.position == 60 and pb.events_played == 2
    assert pb.step_back() and pb.position == 20 and pb.events_played == 1
    assert pb.step_back() and pb.position == 0 and pb.events_played == 0
    assert not pb.step_back()


def test_scenario_seeks_both_ways_and_a_seek_back_is_a_deterministic_rerun():
    fresh = ScenarioBackend.open("scenarios/self-healing.yaml")
    with fresh.cluster.lock:
        fresh.cluster.advance(75)
    expected = _pods(fresh)

    b = ScenarioBackend.open("scenarios/self-healing.yaml")
    pb = b.playback()
    first = b.cluster
    pb.seek(150)
    assert pb.position == 150 and b.cluster is first and "lonely" not in _pods(b)
    pb.seek(75)  # backwards: the simulator runs again from t=0 to 75 s
    assert pb.position == 75 and b.cluster is not first and _pods(b) == expected
    assert "lonely" in _pods(b) and pb.events_played == 2
    pb.seek_by(-1000)
    assert pb.position == 0 and pb.events_played == 0
    pb.seek(10**6)
    assert pb.position == pb.duration == 180 and pb.paused  # clamped to the end, where it stops


def test_a_seek_back_shows_the_rerun_to_open_watches():
    async def main():
        b = ScenarioBackend.open("scenarios/self-healing.yaml")
        it = b.watch("Pod", "default")
        got = await _take(it, 2)
        assert "lonely" in {o["metadata"]["name"] for o in got[0].objs}
        b.playback().seek(150)
        deleted: set[str] = set()
        while "lonely" not in deleted:
            ev = await asyncio.wait_for(it.__anext__(), 5)
            if isinstance(ev, Deleted):
                deleted.add(ev.obj["metadata"]["name"])
        b.playback().seek(0)
        back: set[str] = set()
        while "lonely" not in back:
            ev = await asyncio.wait_for(it.__anext__(), 5)
            if isinstance(ev, Added):
                back.add(ev.obj["metadata"]["name"])
        await it.aclose()
    asyncio.run(main())


def test_scenario_clock_stops_at_the_end_and_resume_starts_again():
    b = ScenarioBackend.open("scenarios/self-healing.yaml")
    pb = b.playback()
    b.speed = 64.0
    for _ in range(10):  # 640 virtual seconds offered: it stops at 180
        if not b.tick(1.0):
            break
        assert pb.position <= pb.duration
    assert pb.position == pb.duration == 180 and pb.paused  # the bar stops at 03:00 / 03:00
    before = b.cluster.now()
    assert b.tick(10) is False and b.cluster.now() == before
    pb.toggle()
    assert not pb.paused and pb.position == 0 and pb.events_played == 0


def test_tick_stops_at_a_pause_step_and_a_seek_holds_only_on_one(tmp_path):
    b = ScenarioBackend.open(_with_pause(tmp_path, "90s"))
    pb = b.playback()
    b.speed = 64.0
    assert b.tick(2) and pb.position == 90 and pb.paused  # not 128: the step stops the clock
    pb.resume()
    assert b.tick(0.5) and pb.position == 122
    pb.seek(30)  # back, across nothing
    assert pb.position == 30 and not pb.paused
    pb.seek(100)  # forward over the pause step: passed, it does not hold
    assert pb.position == 100 and not pb.paused
    pb.seek(90)  # onto it: it holds
    assert pb.position == 90 and pb.paused and b.timeline.paused


def test_seek_back_needs_a_file_to_run_again():
    from k9py.backends.base import NotSupported
    from k9py.scenario.files import load_scenario_cluster

    b = ScenarioBackend(load_scenario_cluster("scenarios/self-healing.yaml"))
    pb = b.playback()
    pb.seek(30)
    assert pb.position == 30
    with pytest.raises(NotSupported, match="cannot run again"):
        pb.seek(10)


def test_plain_manifests_have_no_timeline_and_no_end():
    b = ScenarioBackend.open("scenarios/crashloop.yaml")
    assert b.playback().has_timeline
    demo = ScenarioBackend.open("scenarios/demo.yaml")
    pb = demo.playback()
    assert not pb.has_timeline and pb.marks() == [] and pb.home_namespace() is None
    before = demo.cluster.now()
    assert demo.tick(1000) and demo.cluster.now() == before + 1000 and not pb.paused
    assert pb.accepts("scenario") and not pb.accepts("recording")
    pb.load("scenarios/self-healing.yaml")  # `:scenarios`: the demo's simulator runs a scenario instead
    assert pb.has_timeline and pb.position == 0 and pb.total_events == 3


def test_marks_list_steps_and_recorded_events():
    b = ScenarioBackend.open("scenarios/self-healing.yaml")
    pb = b.playback()
    pb.seek(30)
    marks = pb.marks()
    assert [(m.t, m.done) for m in marks] == [(20, True), (60, False), (120, False)]
    assert marks[0].what == "delete Pod -l app=web (first 1)" and marks[0].note == "delete one pod of the web Deployment"
    assert marks[2].what == "delete Pod lonely"

    r = ReplayBackend.open("scenarios/incident-checkout-oom.yaml")
    r.player.seek(100)
    rm = r.playback().marks()
    assert all(m.t > 0 for m in rm) and rm == sorted(rm, key=lambda m: m.t)
    backoff = [m for m in rm if "BackOff" in m.what]
    assert backoff[0].what.startswith("Warning BackOff Pod shop/checkout-") and "restarting failed" in backoff[0].note
    assert [m.done for m in backoff] == [m.t <= 100 for m in backoff] and True in [m.done for m in backoff]


def test_home_namespace_is_where_the_objects_are():
    from k9py.backends.playback import busiest_namespace

    assert ReplayBackend.open("scenarios/incident-checkout-oom.yaml").playback().home_namespace() == "shop"
    assert ScenarioBackend.open("scenarios/kubeflow.yaml").playback().home_namespace() == "kubeflow-user"
    assert ScenarioBackend.open("scenarios/self-healing.yaml").playback().home_namespace() == "default"
    assert busiest_namespace([pod("a", ns="kube-system"), pod("b", ns="kube-system"), pod("c", ns="web")]) == "web"
    assert busiest_namespace([pod("a", ns="x"), pod("b")]) == "default"  # a tie: default
    assert busiest_namespace([pod("a", ns="kube-system")]) == "kube-system"
    assert busiest_namespace([], [pod("a", ns="jobs")]) == "jobs" and busiest_namespace([]) is None


def test_the_clock_driver_runs_the_simulator_in_a_worker_thread_and_tells_steps_on_the_loop():
    """A step of a big cluster takes tens of ms (hundreds sped up): ``drive`` runs it off the
    event loop, so keys and frames never wait for it; the steps it fires are told on the loop
    (the UI flashes them), and a watch sees what it changed."""
    import threading

    async def main():
        backend = ScenarioBackend.open(str(Path("scenarios/self-healing.yaml")))
        backend.speed = 200.0  # the first step (20 s) within the first tick
        loop_thread = threading.get_ident()
        told, stepped_in = [], []
        backend.playback().on_step(lambda fired: told.append((fired.step.at, threading.get_ident())))
        advance_by = backend._advance_by

        def spied(seconds):
            stepped_in.append(threading.get_ident())
            return advance_by(seconds)

        backend._advance_by = spied
        pods = backend.watch("Pod", "default")
        assert isinstance(await anext(pods), Listed) and isinstance(await anext(pods), Synced)
        backend.start()
        try:
            deleted = None
            while deleted is None:  # the first step deletes a web pod (bounded by the timeout)
                ev = await asyncio.wait_for(anext(pods), 30)
                if isinstance(ev, Deleted):
                    deleted = ev.obj
            for _ in range(3000):  # told on the loop: soon after
                if told:
                    break
                await asyncio.sleep(0.01)
        finally:
            await pods.aclose()
            await backend.close()
        assert deleted["metadata"]["name"].startswith("web-")
        assert told[0] == (20, loop_thread)
        assert stepped_in and loop_thread not in stepped_in
    asyncio.run(main())


@pytest.mark.source_build
def test_a_big_run_let_go_by_a_seek_back_is_unfrozen_for_the_collector(monkeypatch, freezes):
    """A big cluster is frozen out of the cyclic collector's sight once built (gcpause); its
    controllers and store refer to each other, so a seek back (a new run) must unfreeze the
    heap, or the old run would never be freed."""
    import gc
    import weakref

    from k9py.kube import gcpause

    monkeypatch.setattr(gcpause, "BIG_LOAD", 1)  # this small cluster counts as big
    monkeypatch.setattr(gcpause, "SLOW_FULL", 3600.0)
    done = freezes
    b = ScenarioBackend.open("scenarios/self-healing.yaml")
    assert done == ["freeze"]  # built
    pb = b.playback()
    pb.seek(150)
    assert done == ["freeze"]  # forwards: the same run
    old = weakref.ref(b.cluster)
    pb.seek(75)
    assert done == ["freeze", "freeze", "unfreeze"]  # the new run built, the old one let go
    gc.collect()
    assert old() is None
    assert done[-1] == "freeze"  # what that full collection left
