"""The Player: a Recording played on a manual clock (seek, step, speed, checkpoints)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from k9py.kube.timefmt import rfc3339
from k9py.scenario.player import EPS, SPEEDS, Player
from tests.scenario.helpers import phases, player_of, pod

EVENTS = [
    {"t": 0, "type": "ADDED", "object": pod("a", "Pending")},
    {"t": 0, "type": "ADDED", "object": pod("b")},
    {"t": 5, "type": "MODIFIED", "object": pod("a", "Running")},
    {"t": 12, "type": "DELETED", "object": pod("b")},
    {"t": 12, "type": "ADDED", "object": pod("c", "Pending")},
    {"t": 30, "type": "MODIFIED", "object": pod("c", "Failed")},
    {"t": 31, "type": "LOG", "namespace": "default", "pod": "a", "container": "app", "line": "hello"},
    {"t": 40, "type": "LOG", "namespace": "default", "pod": "a", "container": "app", "line": "world"},
]


def test_initial_state_is_the_events_at_t0_and_the_clock_reads_start_plus_t():
    p = player_of(EVENTS)
    assert phases(p) == {"a": "Pending", "b": "Running"}
    assert p.position == 0 and p.duration == 40
    assert rfc3339(p.now()) == "2026-11-01T09:00:00Z"
    p.seek(90)  # clamped to the end
    assert p.position == 40
    assert rfc3339(p.now()) == "2026-11-01T09:00:40Z"


def test_the_store_reads_the_play_head_as_now_wherever_it_moves():
    p = player_of(EVENTS)
    for move in (lambda: p.advance(3), lambda: p.seek(31), p.step_back, p.home, p.end, lambda: p.seek_by(-7)):
        move()
        assert p.store.clock.now() == p.now() == p.start + p.position


def test_partial_objects_are_completed_stably():
    p = player_of(EVENTS)
    a0 = p.store.get("Pod", "default", "a")
    assert a0["metadata"]["namespace"] == "default"
    assert "creationTimestamp" not in a0["metadata"]  # served verbatim: kubectl prints <unknown>
    p.seek(5)
    a1 = p.store.get("Pod", "default", "a")
    assert a1["metadata"]["uid"] == a0["metadata"]["uid"]  # same object, same made-up uid
    assert a1["status"]["phase"] == "Running"
    p.seek(12)
    c = p.store.get("Pod", "default", "c")
    assert c["metadata"]["uid"] != a0["metadata"]["uid"] and "creationTimestamp" not in c["metadata"]


def test_advance_moves_with_speed_and_pauses_at_the_end():
    p = player_of(EVENTS)
    p.advance(3)
    assert p.position == 3 and phases(p)["a"] == "Pending"
    p.faster()
    assert p.speed == 2.0
    p.advance(1)  # 1 real second at 2x
    assert p.position == 5 and phases(p)["a"] == "Running"
    p.pause()
    p.advance(100)
    assert p.position == 5
    p.resume()
    p.set_speed(64)
    p.advance(100)
    assert p.position == 40 and p.paused and p.at_end
    p.resume()  # from the end: starts over
    assert p.position == 0 and not p.paused


def test_speed_steps_between_quarter_and_64x():
    p = player_of(EVENTS)
    seen = [p.speed]
    for _ in range(12):
        seen.append(p.faster())
    assert seen[-1] == 64 and tuple(sorted(set(seen))) == SPEEDS[2:]
    for _ in range(12):
        p.slower()
    assert p.speed == 0.25


def test_step_forward_and_back_go_event_to_event():
    p = player_of(EVENTS)
    stops = []
    while p.step_forward():
        stops.append(p.position)
    assert stops == [5, 12, 30, 31, 40]
    assert p.step_forward() is False
    back = []
    while p.step_back():
        back.append(p.position)
    assert back == [31, 30, 12, 5, 0]
    assert phases(p) == {"a": "Pending", "b": "Running"}


def test_seek_relative_home_end():
    p = player_of(EVENTS)
    p.seek_by(10)
    assert p.position == 10 and set(phases(p)) == {"a", "b"}
    p.seek_by(10)
    assert set(phases(p)) == {"a", "c"}
    p.seek_by(-10)
    assert set(phases(p)) == {"a", "b"}
    p.end()
    assert phases(p) == {"a": "Running", "c": "Failed"}
    p.home()
    assert phases(p) == {"a": "Pending", "b": "Running"}


def test_logs_up_to_the_play_head():
    p = player_of(EVENTS)
    p.seek(35)
    assert p.logs("default", "a") == ["hello"]
    p.end()
    assert p.logs("default", "a", timestamps=True) == ["2026-11-01T09:00:31.000000000Z hello",
                                                      "2026-11-01T09:00:40.000000000Z world"]
    assert p.logs("default", "a", tail_lines=1) == ["world"]
    p.seek(20)
    assert p.logs("default", "a") == []


def test_watchers_see_every_move_as_events_backwards_too():
    p = player_of(EVENTS)
    seen: dict[str, dict] = {o["metadata"]["name"]: o for o in p.store.list("Pod")}
    log: list[tuple[str, str]] = []

    def on(type_: str, obj: dict) -> None:
        log.append((type_, obj["metadata"]["name"]))
        if type_ == "DELETED":
            seen.pop(obj["metadata"]["name"])
        else:
            seen[obj["metadata"]["name"]] = obj

    p.store.watch("Pod", on)
    p.seek(12)
    assert ("DELETED", "b") in log and ("ADDED", "c") in log
    log.clear()
    p.home()
    assert sorted(log) == [("ADDED", "b"), ("DELETED", "c"), ("MODIFIED", "a")]
    assert seen == {o["metadata"]["name"]: o for o in p.store.list("Pod")}


def _long_events(n: int) -> list[dict]:
    """n events over n/2 seconds: pods come, change and go."""
    out = []
    for i in range(n):
        name = f"p{i % 37}"
        kind = ("ADDED", "MODIFIED", "MODIFIED", "DELETED")[(i // 37) % 4]
        out.append({"t": i / 2, "type": kind, "object": pod(name, f"Phase{i}")})
    return out


LONG = _long_events(2000)


def _phases_at(events: list[dict], t: float) -> dict[str, str]:
    """The oracle: the recording applied naively up to ``t``."""
    state: dict[str, str] = {}
    for e in events:
        if e["t"] > max(t, 0.0) + EPS:  # the player counts an event "at" t within EPS as reached
            break
        name = e["object"]["metadata"]["name"]
        if e["type"] == "DELETED":
            state.pop(name, None)
        else:
            state[name] = e["object"]["status"]["phase"]
    return state


LONG_PLAYERS = {every: Player(player_of(LONG).recording, checkpoint_every=every) for every in (1, 7, 64, 256)}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=-5, max_value=1100, allow_nan=False), min_size=1, max_size=8),
       st.sampled_from([1, 7, 64, 256]))
def test_checkpoint_seek_equals_playing_from_the_start(targets, every):
    moved = LONG_PLAYERS[every]
    for t in targets:
        moved.seek(t)
        assert phases(moved) == _phases_at(LONG, min(t, moved.duration))


def test_playing_step_by_step_equals_seeking():
    played = Player(player_of(LONG).recording)
    sought = Player(played.recording)
    played.set_speed(2)
    while not played.at_end:
        played.advance(0.7)
        if int(played.position * 10) % 97 == 0 or played.at_end:
            sought.seek(played.position)
            assert played.state() == sought.state()
            assert phases(played) == _phases_at(LONG, played.position)
    assert played.paused


def test_seeking_back_on_a_long_recording_uses_checkpoints():
    p = Player(player_of(_long_events(20000)).recording, checkpoint_every=256)
    p.end()
    applied: list[int] = []
    original = p._play
    p._play = lambda target: (applied.append(1), original(target))  # type: ignore[method-assign]
    p.seek(p.duration - 100)
    # from the nearest checkpoint, not from the start: a few hundred events at most
    assert len(applied) == 0  # the diff path does not replay events one by one into the store
    assert p.applied - max(i for i, _ in p._checkpoints if i <= p.applied) <= 256


def test_replay_cluster_answers_pod_logs_like_the_simulator():
    from k9py.scenario.player import ReplayCluster
    p = player_of(EVENTS)
    c = ReplayCluster(p)
    p.end()
    assert c.container_logs("default", "a", "app", timestamps=True, tail_lines=1) == ["2026-11-01T09:00:40.000000000Z world"]
    assert c.container_logs("default", "a", since_time="2026-11-01T09:00:35Z") == ["world"]
    assert c.container_logs("default", "a", since_seconds=20) == ["hello", "world"]


def test_kinds_nobody_watches_wait_until_read_and_then_match_the_play_head():
    events = [*LONG[:400], *({"t": i / 2, "type": "ADDED", "object": {
        "kind": "Event", "metadata": {"name": f"e{i}", "namespace": "default"}, "reason": f"R{i}"}} for i in range(400, 420))]
    lazy, eager = player_of(events), player_of(events)
    seen: list[tuple[str, str]] = []
    eager.store.watch("Pod", lambda *_: None)
    eager.store.watch("Event", lambda *_: None)
    lazy.store.watch("Pod", lambda type_, obj: seen.append((type_, obj["metadata"]["name"])))
    for t in (3.0, 150.0, 40.0, 210.0):
        lazy.seek(t)
        eager.seek(t)
        assert lazy.store.kinds_behind() == (["Event"] if t > 200 else [])  # Pods are watched: never behind
        assert lazy.store.list("Event") == eager.store.list("Event") and not lazy.store.kinds_behind()
        assert lazy.state() == eager.state()
    assert seen  # the watched kind was written as the head moved
    rv = lazy.store.resource_version
    lazy.seek(0)  # Events gone again: behind, until a watch (from a version) asks
    got: list[tuple[str, str]] = []
    lazy.store.watch("Event", lambda type_, obj: got.append((type_, obj["metadata"]["name"])), since_rv=rv)
    assert sorted(got) == [("DELETED", f"e{i}") for i in range(400, 420)]


def test_a_move_shows_each_object_s_net_change_only():
    events = [{"t": 0, "type": "ADDED", "object": pod("a", "Pending")},
              {"t": 1, "type": "ADDED", "object": pod("b", "Pending")},
              {"t": 1.5, "type": "MODIFIED", "object": pod("b", "Running")},
              {"t": 2, "type": "MODIFIED", "object": pod("a", "Running")},
              {"t": 2.5, "type": "ADDED", "object": pod("c", "Pending")},
              {"t": 3, "type": "DELETED", "object": pod("c", "Pending")}]
    p = player_of(events)
    log: list[tuple[str, str, str]] = []
    p.store.watch("Pod", lambda type_, obj: log.append((type_, obj["metadata"]["name"], obj["status"]["phase"])))
    p.advance(5)
    assert log == [("ADDED", "b", "Running"), ("MODIFIED", "a", "Running")]  # c came and went within the move
    assert phases(p) == {"a": "Running", "b": "Running"}


def test_a_kind_nobody_watches_is_found_by_label_as_it_is_at_the_play_head():
    """``labelled`` reads a kind that fell behind the play head as every other read does: caught
    up first."""
    def labelled_pod(name: str, team: str) -> dict:
        obj = pod(name)
        obj["metadata"]["labels"] = {"team": team}
        return obj
    events = [{"t": 0, "type": "ADDED", "object": labelled_pod("a", "red")},
              {"t": 0, "type": "ADDED", "object": labelled_pod("b", "red")},
              {"t": 5, "type": "MODIFIED", "object": labelled_pod("a", "blue")},
              {"t": 9, "type": "DELETED", "object": labelled_pod("b", "red")},
              {"t": 9, "type": "ADDED", "object": labelled_pod("c", "red")}]
    p = player_of(events)
    assert p.store.labelled("Pod", "team", "red") == [("default", "a"), ("default", "b")]
    for t, red, blue in ((6.0, ["a", "b"][1:], ["a"]), (10.0, ["c"], ["a"]), (1.0, ["a", "b"], [])):
        p.seek(t)
        assert [n for _, n in p.store.labelled("Pod", "team", "red")] == red, t
        assert [n for _, n in p.store.labelled("Pod", "team", "blue", "default")] == blue, t


def test_logs_are_the_current_container_runs_and_previous_the_one_before():
    """kubectl logs reads one container run: the running one (or, waiting in CrashLoopBackOff,
    the one that ended), and -p the one before; the recording's lines of every run are not
    run together (checkout restarted at 09:02:31, :51, 09:03:21, 09:04:01)."""
    import pytest

    from k9py.kube.status import ApiError
    from k9py.scenario import files

    _, player = files.open_scenario("k9py/data/scenarios/incident-checkout-oom.yaml")
    pod = "checkout-54ff9fb54b-2bxxr"

    def starts(**kw):
        return [ln[:19] for ln in player.logs("shop", pod, **kw) if "starting checkout" in ln]

    player.seek(125)  # the fourth run (09:04:01) is running
    assert starts() == ["2026-11-01T09:04:01"]
    assert starts(previous=True) == ["2026-11-01T09:03:21"]
    player.seek(142)  # OOMKilled again, waiting: the run that ended is what logs and -p read
    assert starts() == starts(previous=True) == ["2026-11-01T09:04:01"]
    player.seek(40)  # its first run: nothing before it
    assert starts() == ["2026-11-01T09:02:31"]
    with pytest.raises(ApiError, match=f'previous terminated container "checkout" in pod "{pod}" not found'):
        player.logs("shop", pod, previous=True)
