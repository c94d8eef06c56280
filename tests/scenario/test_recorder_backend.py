"""record_backend: recording through the Backend protocol (what a live cluster uses)."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import pytest

from k9py.backends.recorder import record_backend
from k9py.backends.sim import SimBackend
from k9py.errors import K9pyError
from k9py.scenario import files
from k9py.scenario.player import Player
from k9py.scenario.recorder import REDACTED
from k9py.scenario.recording import RecordingWriter, header_dict, parse_recording
from tests.samples import small_cluster


def test_records_initial_state_then_changes_through_watches(tmp_path):
    out = str(tmp_path / "live.jsonl")
    cluster = small_cluster()
    backend = SimBackend(cluster)

    async def main():
        writer = RecordingWriter(out, header_dict(backend.now(), context="k9py-sim"))
        task = asyncio.ensure_future(record_backend(backend, writer, namespace="default"))
        initial = len(cluster.store.list("Pod", "default"))
        for _ in range(200):  # until every kind listed
            await asyncio.sleep(0)
        assert writer.events >= initial
        cluster.advance(10)  # the backend's clock: t of what follows
        cluster.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"},
                        "data": {"password": "aHVudGVyMg=="}})
        cluster.delete("Pod", "default", "counter", grace_period=0)
        before = writer.events
        for _ in range(200):
            await asyncio.sleep(0)
            if writer.events >= before + 2:
                break
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        writer.close()

    asyncio.run(main())
    rec = parse_recording(out, files.read_text(out))
    first = [e for e in rec.events if e.t == 0]
    assert {e.object["metadata"]["name"] for e in first if e.object["kind"] == "Pod"} >= {"counter"}
    assert all(e.object["metadata"].get("namespace") in ("default", None) for e in rec.events)
    later = [(e.type, e.object["kind"], e.object["metadata"]["name"]) for e in rec.events if e.t > 0]
    assert ("ADDED", "Secret", "s") in later and ("DELETED", "Pod", "counter") in later
    assert all(e.t == 10 for e in rec.events if e.t > 0)
    secret = next(e.object for e in rec.events if e.object and e.object["kind"] == "Secret")
    assert secret["data"] == {"password": REDACTED}
    lines = Path(out).read_text().splitlines()
    assert json.loads(lines[0])["kind"] == "Recording" and len(lines) == len(rec.events) + 1


def test_recording_a_cluster_that_cannot_be_reached_says_so_and_writes_nothing(tmp_path):
    """It recorded for the whole --duration, wrote an empty recording and said `recorded 0
    events`, exit 0 (kubectl: The connection to the server ... was refused)."""
    from k9py.commands import record_live
    from k9py.kube.kubeconfig import write_kubeconfig

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    kc = str(tmp_path / "kc")
    write_kubeconfig(kc, f"http://127.0.0.1:{port}")
    out = tmp_path / "live.jsonl"
    with pytest.raises(K9pyError, match=rf"cannot reach the cluster of context k9py-sim \(http://127.0.0.1:{port}\): "
                                        "connection refused: nothing recorded"):
        record_live(str(out), kubeconfig=kc, context=None, duration=30.0, namespace=None, logs=None,
                    include_secrets=False)
    assert not out.exists()


def test_record_a_served_cluster_through_the_kubernetes_client(tmp_path):
    """`k9py record --kubeconfig F`: the live backend (kubernetes client) against `k9py serve`."""
    from k9py.commands import record_live
    from k9py.kube.kubeconfig import write_kubeconfig
    from k9py.serve.server import ServeHandle

    cluster = files.load_scenario_cluster("scenarios/scaling.yaml")
    handle = ServeHandle(cluster, speed=None).start()
    try:
        kc = str(tmp_path / "kc")
        write_kubeconfig(kc, handle.url)
        out = str(tmp_path / "live.jsonl")
        events = record_live(out, kubeconfig=kc, context=None, duration=1.0, namespace="default", logs=None,
                             include_secrets=False)
    finally:
        handle.stop()
    rec = parse_recording(out, files.read_text(out))
    assert events == len(rec.events) > 0
    assert rec.context == "k9py-sim" and rec.server_version.endswith("-k9py")
    # the header keeps the duration asked: the replay lasts 1 s even though nothing changed (a stopped clock)
    assert rec.duration == 1.0 and rec.end == 1.0 and Player(rec).duration == 1.0
    pods = {e.object["metadata"]["name"] for e in rec.events if e.object and e.object["kind"] == "Pod"}
    assert pods == {p["metadata"]["name"] for p in cluster.store.list("Pod", "default")}
    got = {e.object["metadata"]["name"]: e.object for e in rec.events if e.object and e.object["kind"] == "Deployment"}
    assert got["frontend"]["status"] == cluster.get("Deployment", "default", "frontend")["status"]


# -- record `k9py serve --scenario` through the kubernetes client, replay, compare ------------------

STEP = 5.0  # seconds the served clock moves at a time; the recording is compared at each stop


def _record_served_scenario(tmp_path, path: str):
    """Serve the scenario at ``path`` with the test moving its clock (``STEP`` at a time, to its
    end), record it with ``record_live`` (the live backend) on that clock, and return
    ``(recording, start, snapshots)``: ``snapshots[t]`` is what the served cluster held at
    start + t (every kind the recorder follows, as the recorder writes objects).

    The recorder stamps t on the clock it is given: the wall clock for a real cluster (which is
    the apiserver's; `k9py serve` at speed 1 runs its virtual clock on it too). Here the test
    moves the served clock, so that clock is the recorder's too: recorded times then compare
    exactly with what the served cluster held, with no wall-clock tolerance. After each move
    the test waits (with a deadline) until the recording has caught up with the served state,
    object for object (by resourceVersion), before moving the clock again."""
    import threading

    from k9py.commands import record_live
    from k9py.kube.kubeconfig import write_kubeconfig
    from k9py.kube.resources import RESOURCES
    from k9py.scenario.recorder import SKIP_KINDS, sanitize
    from k9py.scenario.recording import object_key
    from k9py.serve.server import ServeHandle

    duration = files.parse_file(path).scenario.end
    cluster = files.load_scenario_cluster(path)
    kinds = [r.kind for r in RESOURCES if r.kind not in SKIP_KINDS]

    def served() -> dict:
        with cluster.lock:
            return {object_key(o): sanitize(o) for k in kinds for o in cluster.store.list(k)}

    cond = threading.Condition()
    seen: dict = {}  # what the recording holds so far: key -> resourceVersion
    synced = threading.Event()

    def on_event(ev) -> None:
        with cond:
            key = object_key(ev.object)
            if ev.type == "DELETED":
                seen.pop(key, None)
            else:
                seen[key] = ev.object["metadata"]["resourceVersion"]
            cond.notify_all()

    def caught_up(expected: dict, what: str) -> None:
        want = {k: o["metadata"]["resourceVersion"] for k, o in expected.items()}
        with cond:
            ok = cond.wait_for(lambda: seen == want, timeout=30)
            missing = {k: v for k, v in want.items() if seen.get(k) != v}
            extra = sorted(k for k in seen if k not in want)
        assert ok, f"{what}: the recording lags the served cluster: missing {missing}, extra {extra}"

    handle = ServeHandle(cluster, speed=None).start()
    stop = threading.Event()
    result: dict = {}
    out = str(tmp_path / "served.jsonl")
    kc = str(tmp_path / "kc")
    write_kubeconfig(kc, handle.url)

    def record() -> None:
        try:
            result["events"] = record_live(out, kubeconfig=kc, context=None, duration=None, namespace=None,
                                           logs=None, include_secrets=False, clock=cluster.now,
                                           on_event=on_event, stop=stop, ready=synced.set)
        except BaseException as err:  # reported by the test's thread
            result["error"] = err
            synced.set()

    start = cluster.now()
    recorder = threading.Thread(target=record, name="test-recorder", daemon=True)
    recorder.start()
    snapshots: dict[float, dict] = {}
    try:
        assert synced.wait(timeout=30) and "error" not in result, result.get("error")
        snapshots[0.0] = served()
        caught_up(snapshots[0.0], "initial state")
        while cluster.now() - start < duration:
            handle.advance(STEP)  # the served clock moves; the recorder's watches see what changed
            t = cluster.now() - start
            snapshots[t] = served()
            caught_up(snapshots[t], f"t={t:g}s")
    finally:
        stop.set()
        recorder.join(timeout=30)
        handle.stop()
    assert not recorder.is_alive() and "error" not in result, result.get("error")
    rec = parse_recording(out, files.read_text(out))
    assert result["events"] == len(rec.events) > len(snapshots[0.0])
    assert rec.start == start and 0 < max(e.t for e in rec.events) <= duration
    return rec, start, snapshots


def _assert_replays_the_snapshots(rec, start: float, snapshots: dict) -> None:
    """At every moment the served clock stood still, the replay holds the served objects, field
    for field (managedFields dropped), and its clock reads what the served clock read."""
    from k9py.scenario.player import Player

    player = Player(rec, paused=True)
    for t, expected in snapshots.items():
        player.seek(t)
        got = player.state()
        assert player.now() == start + t
        assert sorted(got) == sorted(expected), f"t={t:g}s: the replay holds other objects"
        diff = [k for k in expected if got[k] != expected[k]]
        assert not diff, f"t={t:g}s: replayed objects differ from the served ones: {diff[:5]}"
    player.end()
    assert player.state() == snapshots[max(snapshots)]


def _running(player, t: float, prefix: str) -> list[str]:
    player.seek(t)
    return sorted(n for (k, ns, n), o in player.state().items()
                  if k == "Pod" and ns == "default" and n.startswith(prefix)
                  and o.get("status", {}).get("phase") == "Running" and not o["metadata"].get("deletionTimestamp"))


def test_a_recording_of_served_scaling_replays_to_the_same_objects_at_the_same_times(tmp_path):
    from k9py.scenario.player import Player

    rec, start, snapshots = _record_served_scenario(tmp_path, "scenarios/scaling.yaml")
    _assert_replays_the_snapshots(rec, start, snapshots)
    # the story the scenario tells, as the replay tells it
    p = Player(rec, paused=True)
    assert len(_running(p, 10, "frontend-")) == 2 and _running(p, 10, "db-") == ["db-0"]
    assert len(_running(p, 40, "frontend-")) == 6  # scaled to 6 at 15s
    assert _running(p, 115, "db-") == ["db-0", "db-1", "db-2"]  # scaled to 3 at 45s, one ordinal at a time
    assert len(_running(p, 240, "frontend-")) == 1 and _running(p, 240, "db-") == ["db-0"]


def test_a_recording_of_served_self_healing_replays_to_the_same_objects_at_the_same_times(tmp_path):
    from k9py.scenario.player import Player

    rec, start, snapshots = _record_served_scenario(tmp_path, "scenarios/self-healing.yaml")
    _assert_replays_the_snapshots(rec, start, snapshots)
    p = Player(rec, paused=True)
    before, after_one = _running(p, 15, "web-"), _running(p, 55, "web-")
    after_all = _running(p, 90, "web-")
    assert len(before) == len(after_one) == len(after_all) == 3
    assert len(set(before) - set(after_one)) == 1  # one pod deleted at 20s, replaced
    assert not set(after_one) & set(after_all)  # every pod deleted at 1m, all replaced
    deleted = [e for e in rec.events if e.type == "DELETED" and e.object["kind"] == "Pod"]
    assert {e.t for e in deleted} and all(e.t > 20 for e in deleted)


def test_the_pods_the_logs_selector_matched_are_told(tmp_path):
    """`k9py record --logs` on a live cluster says when its selector matched no pod: the pods it
    matched are handed back."""
    cluster = small_cluster()
    backend = SimBackend(cluster)

    async def main(selector, matched):
        writer = RecordingWriter(str(tmp_path / "live.jsonl"), header_dict(backend.now(), context="k9py-sim"))
        task = asyncio.ensure_future(record_backend(backend, writer, namespace="default", logs=selector,
                                                    log_poll=0.01, log_pods=matched))
        for _ in range(100):
            await asyncio.sleep(0.01)
            if matched:
                break
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        writer.close()

    none: set[tuple[str, str]] = set()
    asyncio.run(main("app=nosuch", none))
    assert none == set()
    some: set[tuple[str, str]] = set()
    asyncio.run(main("run=counter", some))
    assert ("default", "counter") in some
