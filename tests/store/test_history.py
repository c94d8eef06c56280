"""The time machine's memory (store/history.py): what the watches saw, on disk, bounded, read back
as a replay of any moment."""

import asyncio
import gzip
import json
import os
import threading

import pytest

from k9py.backends.base import Capability
from k9py.backends.sim import SimBackend
from k9py.errors import K9pyError
from k9py.explorer.session import Session
from k9py.explorer.timetravel import open_past
from k9py.scenario import files
from k9py.store.history import History, Limits, read_run, runs, save_run
from tests.samples import small_cluster
from tests.sim.helpers import COUNTER_SCRIPT, make_cluster, run_pod


async def settle():
    for _ in range(20):
        await asyncio.sleep(0)


def pods_of(session):
    return {(o["metadata"]["namespace"], o["metadata"]["name"]) for o in session.playhead.store.list("Pod")}


async def _session(tmp_path, limits=None, cluster=None, backend_class=SimBackend):
    cluster = cluster or small_cluster()
    backend = backend_class(cluster)
    session = Session(backend, manual=True, history=lambda b: History(tmp_path, "minikube", limits, poll_logs=False))
    session.start()
    await settle()
    return cluster, backend, session


def test_a_deleted_pod_and_its_last_logs_are_there_a_minute_back(tmp_path):
    async def main():
        cluster, backend, session = await _session(tmp_path, cluster=make_cluster(nodes=1))
        h = session.history
        run_pod(cluster, "counter", "busybox:1.28", command=["/bin/sh", "-c", COUNTER_SCRIPT])
        await settle()
        h.follow_logs("default", "counter")  # a log view opened on it
        for _ in range(8):  # polled as the clock goes
            cluster.advance(5)
            await h.poll_logs()
        seen = [ln async for ln in backend.logs("default", "counter", "counter")]
        cluster.delete("Pod", "default", "counter")  # Terminating: its last lines are fetched at once
        await settle()
        cluster.advance(35)  # the kubelet removes it after its grace period
        await settle()
        assert not h.exists_now("Pod", "default", "counter")
        cluster.advance(20)

        past = open_past(session, backend.now() - 60)
        assert ("default", "counter") in pods_of(past)
        assert past.read_only and past.supports(Capability.PLAYBACK) and past.present is session
        assert past.gone("Pod", "default", "counter") and not past.gone("Node", "", "minikube")
        lines = [ln async for ln in past.backend.logs("default", "counter", "counter")]
        assert len(lines) >= 30 and lines == seen[:len(lines)] and lines[0].startswith("0: ")
        assert ("default", "counter") not in pods_of(open_past(session, backend.now()))
        await session.close()
    asyncio.run(main())


def test_segments_roll_gzip_and_stay_within_their_bounds(tmp_path):
    async def main():
        limits = Limits(max_age=300, max_bytes=10**9, segment_seconds=60)
        cluster, _, session = await _session(tmp_path, limits)
        h = session.history
        for i in range(40):  # 20 virtual minutes of churn: a label written every 30 s
            cluster.advance(30)
            cluster.store.mutate("Pod", "default", "counter",
                                 lambda o, i=i: o["metadata"]["labels"].update(step=str(i)))
            await settle()
        assert h.dropped > 0 and len(h.segments) <= 300 // 60 + 2
        assert h.first_t >= h.now_t - 300 - 60  # older segments were deleted whole
        await session.close()
        assert all(s.gz for s in h.segments[:-1])
        # what is left replays from its first moment: the state there is complete
        past = open_past(session, h.start_t + h.first_t)
        assert len(pods_of(past)) == len(cluster.store.list("Pod"))
        label = past.playhead.store.get("Pod", "default", "counter")["metadata"]["labels"]["step"]
        assert int(label) >= 40 - 12

        # another process reads the run from disk as one Recording that `k9py replay` opens
        [run_dir] = runs(tmp_path, "minikube")
        out = tmp_path / "incident.jsonl.gz"
        assert save_run(run_dir, str(out)) > 0
        with gzip.open(out) as f:
            header = json.loads(f.readline())
        assert header["kind"] == "Recording" and header["context"] == "minikube"
        kind, player = files.open_scenario(str(out))
        assert kind == files.RECORDING
        player.end()
        assert player.store.get("Pod", "default", "counter")["metadata"]["labels"]["step"] == "39"
        assert read_run(run_dir).segments
    asyncio.run(main())


def test_bytes_bound_and_secrets_redacted(tmp_path):
    async def main():
        limits = Limits(max_bytes=200_000, segment_bytes=40_000)
        cluster, _, session = await _session(tmp_path, limits)
        h = session.history
        for i in range(120):
            cluster.store.mutate("ConfigMap", "default", "app-config",
                                 lambda o, i=i: o.setdefault("data", {}).update(n=str(i) * 2000))
            cluster.advance(1)
            await settle()
        await session.close()
        total = sum(f.stat().st_size for f in h.dir.iterdir() if f.name != "index.json")
        assert total <= 200_000 + 40_000 and h.dropped > 0
        text = h.recording_bytes().decode()
        secret = cluster.store.list("Secret")[0]
        value = next(iter(secret["data"].values()))
        assert '"kind":"Secret"' in text and value not in text
    asyncio.run(main())


async def _clock_goes_back(cluster, h):
    """Two minutes and a change, then the clock 100 s back and another change (as when a scenario
    starts again on a new cluster: a reload); the folder of the run that ended."""
    cluster.advance(120)
    cluster.store.mutate("Pod", "default", "counter", lambda o: o["metadata"]["labels"].update(v="1"))
    await settle()
    first = h.dir
    cluster.clock._now -= 100
    cluster.store.mutate("Pod", "default", "counter", lambda o: o["metadata"]["labels"].update(v="2"))
    await settle()
    return first


def test_a_clock_that_goes_back_starts_a_new_run(tmp_path):
    async def main():
        cluster, _, session = await _session(tmp_path)
        h = session.history
        first = await _clock_goes_back(cluster, h)
        assert h.dir != first and h.segments[0].t0 == 0.0 and h.now_t < 30
        await session.close()
        assert len(runs(tmp_path, "minikube")) == 2
        past = open_past(session, h.start_t)
        assert past.playhead.store.get("Pod", "default", "counter")["metadata"]["labels"]["v"] == "2"
    asyncio.run(main())


def test_a_run_that_ended_while_its_last_segment_was_gzipped_says_so_in_its_index(tmp_path, monkeypatch):
    """The clock goes back while the ended run's last segment is still being gzipped: once it is,
    that run's index says so (it went on saying the segment was plain, and a reader of the
    index alone looked for a file that had gone)."""
    gate = threading.Event()
    compress = History._compress

    def held(self, seg, folder):
        gate.wait(10)
        compress(self, seg, folder)
    monkeypatch.setattr(History, "_compress", held)

    async def main():
        cluster, _, session = await _session(tmp_path)
        h = session.history
        first = await _clock_goes_back(cluster, h)
        assert h.dir != first
        gate.set()
        for th in list(h._compressing):
            await asyncio.to_thread(th.join)
        index = json.loads((first / "index.json").read_text())
        assert index["segments"] and all(s["gz"] for s in index["segments"])
        assert all((first / (s["name"] + ".gz")).exists() and not (first / s["name"]).exists()
                   for s in index["segments"])
        assert first not in h._ended  # all of it gzipped: the ended run is not kept in memory
        await session.close()
    asyncio.run(main())


def test_record_from_history_on_the_command_line(tmp_path, monkeypatch, capsys):
    from k9py.cli import main
    from k9py.config.locations import history_dir

    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "cfg"))
    out = tmp_path / "none.jsonl"
    assert main(["record", "--from-history", "-o", str(out)]) == 2  # nothing kept yet: one line, exit 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "no history" in err and not out.exists()

    async def main_():
        cluster, _, session = await _session(history_dir())
        cluster.advance(30)
        cluster.store.mutate("Pod", "default", "counter", lambda o: o["metadata"]["labels"].update(v="1"))
        await settle()
        out = tmp_path / "incident.jsonl"
        assert main(["record", "--from-history", "--context", "minikube", "-o", str(out)]) == 0  # while it runs
        player = files.open_scenario(str(out))[1]
        player.end()
        assert player.store.get("Pod", "default", "counter")["metadata"]["labels"]["v"] == "1"
        assert main(["record", "--from-history", "--context", "elsewhere", "-o", str(out)]) == 2
        capsys.readouterr()
        if os.path.exists("/dev/full"):  # a full disk: one line (an OSError traceback before), the device kept
            assert main(["record", "--from-history", "--context", "minikube", "-o", "/dev/full"]) == 2
            assert capsys.readouterr().err == \
                "k9py: /dev/full: cannot write the recording: No space left on device\n"
            assert os.path.exists("/dev/full")
        mine = tmp_path / "mine.jsonl"  # the user's own file it may not open (read-only, not root): left as it was
        mine.write_text("mine\n")

        def refused(path, *a, **kw):
            raise PermissionError(13, "Permission denied", path)
        from k9py.store import history as history_module
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(history_module, "open", refused, raising=False)
            assert main(["record", "--from-history", "--context", "minikube", "-o", str(mine)]) == 2
        assert capsys.readouterr().err == f"k9py: {mine}: cannot write the recording: Permission denied\n"
        assert mine.read_text() == "mine\n"
        await session.close()
    asyncio.run(main_())


def test_record_from_history_reads_where_config_yaml_says_it_is_kept(tmp_path, monkeypatch, capsys):
    from k9py.cli import main

    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "cfg"))
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "config.yaml").write_text(f"k9py:\n  history:\n    dir: {tmp_path / 'elsewhere'}\n")

    async def main_():
        cluster, _, session = await _session(tmp_path / "elsewhere")
        cluster.advance(30)
        await settle()
        assert main(["record", "--from-history", "-o", str(tmp_path / "out.jsonl")]) == 0
        await session.close()
    asyncio.run(main_())
    assert "elsewhere" in capsys.readouterr().err


def test_older_runs_are_pruned_when_a_run_starts_and_an_active_one_is_left_alone(tmp_path):
    import os
    import time

    from k9py.store.history import prune_runs

    def run_dir(name, age, size):
        d = tmp_path / "ctx" / name
        d.mkdir(parents=True)
        f = d / "000000.jsonl.gz"
        f.write_bytes(b"x" * size)
        os.utime(f, (time.time() - age, time.time() - age))
        return d

    old = run_dir("old", 3 * 3600, 10)  # past max_age
    big1 = run_dir("big1", 600, 400_000)
    big2 = run_dir("big2", 300, 400_000)  # together over half of 1 MB: the oldest goes
    active = run_dir("active", 5, 900_000)  # written seconds ago: another k9py's, never touched
    kept = prune_runs(tmp_path, Limits(max_age=7200, max_bytes=1_000_000))
    assert not old.exists() and not big1.exists() and big2.exists() and active.exists()
    assert kept == 400_000


def test_a_starting_run_prunes_older_ones_off_the_event_loop_then_takes_what_they_leave(tmp_path):
    import os
    import time

    old = tmp_path / "minikube" / "20260101T000000-1-0001"
    old.mkdir(parents=True)
    (old / "000000.jsonl.gz").write_bytes(b"x" * 300_000)
    stale = time.time() - 3 * 3600
    os.utime(old / "000000.jsonl.gz", (stale, stale))
    big = tmp_path / "minikube" / "20260101T010000-1-0002"
    big.mkdir()
    (big / "000000.jsonl.gz").write_bytes(b"x" * 200_000)
    recent = time.time() - 600
    os.utime(big / "000000.jsonl.gz", (recent, recent))

    async def main():
        limits = Limits(max_age=7200, max_bytes=1_000_000)
        session = Session(SimBackend(small_cluster()), manual=True,
                          history=lambda b: History(tmp_path, "minikube", limits, poll_logs=False))
        session.start()
        h = session.history
        # checked before anything awaits: the thread may be done by the loop's next turn
        assert h.budget == 500_000 and h.pruning is not None  # half, until the older runs are measured
        assert old.exists()  # not pruned on the event loop
        await h.pruning  # in a thread: the loop went on meanwhile
        assert not old.exists() and big.exists()  # past max_age; within it
        assert h.budget == 800_000  # max_bytes less what the older run kept
        await session.close()
    asyncio.run(main())


def test_a_long_list_is_kept_as_a_short_one_is_its_json_made_off_the_event_loop(tmp_path, monkeypatch):
    """A big cluster's lists (100,000 Events) are written in slices whose JSON is made in a
    thread (on the event loop they held it for seconds): what is kept and written is what the
    one-by-one writing keeps, every object once, ADDED."""
    import threading

    from k9py.store import history as history_mod
    from tests.samples import add_pods

    async def run_with(slice_size, root):
        monkeypatch.setattr(history_mod, "LIST_INLINE", slice_size)
        monkeypatch.setattr(history_mod, "LIST_SLICE", slice_size)
        threads = set()
        real = History._bodies

        def bodies(self, objs):
            threads.add(threading.current_thread() is threading.main_thread())
            return real(self, objs)

        monkeypatch.setattr(History, "_bodies", bodies)
        cluster = small_cluster()
        add_pods(cluster, 40, namespaces=3)
        _, _, session = await _session(root, cluster=cluster)
        h = session.history
        want = {("Pod", o["metadata"]["namespace"], o["metadata"]["name"]) for o in cluster.store.list("Pod")}
        loop = asyncio.get_running_loop()
        end = loop.time() + 30
        while not want <= set(h.state) and loop.time() < end:
            await asyncio.sleep(0.01)  # the slices' threads
        assert {k for keys in h.kinds.values() for k in keys} == set(h.state)  # the keys by kind, kept with it
        await session.close()
        lines = [json.loads(ln) for ln in (h.dir / h.segments[0].name).read_text().splitlines()[1:]]
        pods = sorted((ln["type"], ln["object"]["metadata"]["namespace"], ln["object"]["metadata"]["name"])
                      for ln in lines if ln.get("object", {}).get("kind") == "Pod")
        assert len(want) > 40
        return {k: v for k, v in h.state.items() if k[0] == "Pod"}, pods, threads

    async def main():
        sliced, sliced_lines, sliced_threads = await run_with(7, tmp_path / "a")
        whole, whole_lines, whole_threads = await run_with(10_000, tmp_path / "b")
        assert len(sliced) > 40 and sliced == whole
        assert sliced_lines == whole_lines and {t for t, _, _ in sliced_lines} == {"ADDED"}
        assert len(sliced_lines) == len(sliced)  # every pod once
        assert sliced_threads == {False} and whole_threads == set()  # made in a thread; the short list inline
    asyncio.run(main())


def test_a_rolled_segments_base_is_written_by_a_thread_and_what_comes_meanwhile_after_it(tmp_path, monkeypatch):
    """A roll writes the next segment's base (what exists: tens of MB in a big cluster) in a
    thread; lines that come meanwhile are held and written after it, in order; readers (the
    index) see the segment once its base is there."""
    import threading

    from k9py.store import history as history_mod

    release, started = threading.Event(), threading.Event()
    real_base = history_mod._base

    def slow_base(*args):
        started.set()
        release.wait(30)
        return real_base(*args)

    async def main():
        cluster, _, session = await _session(tmp_path, Limits(max_bytes=10**9, segment_seconds=60))
        h = session.history

        def label(step):
            cluster.store.mutate("Pod", "default", "counter", lambda o: o["metadata"]["labels"].update(step=step))

        monkeypatch.setattr(history_mod, "_base", slow_base)
        cluster.advance(61)
        label("rolled")  # past the segment's 60 s: it rolls
        await settle()
        assert started.wait(30) and len(h.segments) == 2
        new = h.segments[-1]
        for step in ("held-1", "held-2"):  # the event loop goes on meanwhile
            cluster.advance(1)
            label(step)
            await settle()
        assert (h.dir / new.name).stat().st_size == 0
        assert [s["name"] for s in json.loads((h.dir / "index.json").read_text())["segments"]] == [h.segments[0].name]
        reading = asyncio.ensure_future(asyncio.to_thread(h.recording_bytes))  # waits for the base
        await asyncio.sleep(0.05)
        assert not reading.done()
        release.set()
        text = (await reading).decode()
        await asyncio.to_thread(h._settle_base)
        assert text.index('"step":"rolled"') < text.index('"step":"held-1"') < text.index('"step":"held-2"')
        lines = [json.loads(ln) for ln in (h.dir / new.name).read_text().splitlines()]
        assert lines[0]["kind"] == "Recording" and new.base == len(h.state)
        base, after = lines[1:1 + new.base], lines[1 + new.base:]
        assert {ln["type"] for ln in base} == {"ADDED"} and len({json.dumps(ln["object"]["metadata"]["uid"]) for ln in base}) == new.base
        steps = [ln["object"]["metadata"]["labels"].get("step") for ln in after if ln["object"]["metadata"]["name"] == "counter"]
        assert steps == ["held-1", "held-2"]
        assert new.bytes == (h.dir / new.name).stat().st_size
        assert new.name in [s["name"] for s in json.loads((h.dir / "index.json").read_text())["segments"]]
        await session.close()
    asyncio.run(main())


def test_a_relist_writes_the_objects_gone_while_the_watch_was_down_as_deleted(tmp_path):
    """A watch that breaks lists again: what the new list lacks of that kind was deleted
    meanwhile (and only of that kind), written DELETED; what it has again is MODIFIED."""
    from types import SimpleNamespace

    from k9py.backends.base import BackendInfo
    from k9py.backends.events import Listed, Synced

    def cm(name, kind="ConfigMap"):
        return {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": "default"}}

    relisted = asyncio.Event()

    class Backend:
        def info(self):
            return BackendInfo("live", "ctx", "ctx", "me", "v1.37.0")

        def now(self):
            return 1000.0

        def kinds(self):
            return [SimpleNamespace(kind=k, verbs=["list", "watch"]) for k in ("ConfigMap", "Secret")]

        async def watch(self, kind, namespace=None):
            if kind == "Secret":
                yield Listed([cm("s", "Secret")])
                yield Synced()
                return
            yield Listed([cm("a"), cm("b"), cm("c")])
            yield Synced()
            yield Listed([cm("a"), cm("c")])  # the watch broke: listed again, b gone meanwhile
            yield Synced()
            relisted.set()
            await asyncio.Event().wait()

    async def main():
        h = History(tmp_path, "ctx", poll_logs=False)
        h.start(Backend())
        await asyncio.wait_for(relisted.wait(), 10)
        await settle()
        assert set(h.state) == {("ConfigMap", "default", "a"), ("ConfigMap", "default", "c"), ("Secret", "default", "s")}
        assert h.kinds["ConfigMap"] == {("ConfigMap", "default", "a"), ("ConfigMap", "default", "c")}
        await h.close()
        lines = [json.loads(ln) for ln in (h.dir / h.segments[0].name).read_text().splitlines()[1:]]
        told = [(ln["type"], ln["object"]["metadata"]["name"]) for ln in lines if ln["object"]["kind"] == "ConfigMap"]
        assert told == [("ADDED", "a"), ("ADDED", "b"), ("ADDED", "c"), ("MODIFIED", "a"), ("MODIFIED", "c"), ("DELETED", "b")]
    asyncio.run(main())


def test_a_kind_this_user_may_not_list_does_not_hold_the_oldest_moment_back(tmp_path):
    """On a live cluster with namespace-scoped rights the Secrets watch says `forbidden` and keeps
    trying: the history is whole once the kinds that can be listed are in, not never."""
    from k9py.backends.events import StateChanged
    from k9py.explorer.timetravel import complete_moment

    class Forbidding(SimBackend):
        def watch(self, kind, namespace=None):
            if kind != "Secret":
                return super().watch(kind, namespace)

            async def refused():
                while True:
                    yield StateChanged("forbidden", 'secrets is forbidden: User "dev" cannot list resource "secrets"')
                    await asyncio.sleep(0.01)
            return refused()

    async def main():
        _, _, session = await _session(tmp_path, backend_class=Forbidding)
        h = session.history
        assert h.complete_t is not None and complete_moment(session) == h.start_t + h.complete_t
        past = open_past(session, complete_moment(session))
        assert ("default", "counter") in pods_of(past)
        await session.close()
    asyncio.run(main())


def test_a_history_still_short_of_a_first_list_is_taken_as_whole_after_a_minute(tmp_path):
    """A kind whose first list never comes (a watch that hangs): after FIRST_LOOK_LIMIT of the
    cluster's clock the history's own first moment counts, as before there was a first look."""
    from k9py.explorer.timetravel import complete_moment
    from k9py.store.history import FIRST_LOOK_LIMIT

    class Hanging(SimBackend):
        def watch(self, kind, namespace=None):
            if kind != "ConfigMap":
                return super().watch(kind, namespace)

            async def silent():
                await asyncio.Event().wait()
                yield  # (never reached)
            return silent()

    async def main():
        cluster, _, session = await _session(tmp_path, backend_class=Hanging)
        h = session.history
        assert h.complete_t is None and complete_moment(session) is None
        cluster.advance(FIRST_LOOK_LIMIT + 1)
        assert complete_moment(session) == h.start_t + h.first_t
        await session.close()
        assert h.complete_t is None and not h.dir.with_name(h.dir.name + "-r").exists()
    asyncio.run(main())


def test_a_saved_history_opens_on_the_whole_cluster_not_on_its_first_lists_coming_in(tmp_path):
    """A live cluster's first lists take a moment to come in: the recording saved from the
    history (ctrl-s in the past, `k9py record --from-history`) begins once every kind's is in,
    with what came before at its first moment, not on a cluster with half its kinds missing."""
    from k9py.kube.timefmt import rfc3339

    released = asyncio.Event()

    class SlowConfigMaps(SimBackend):
        def watch(self, kind, namespace=None):
            inner = super().watch(kind, namespace)
            if kind != "ConfigMap":
                return inner

            async def late():
                await released.wait()
                async for ev in inner:
                    yield ev
            return late()

    async def main():
        cluster, _, session = await _session(tmp_path, backend_class=SlowConfigMaps)
        h = session.history
        cluster.advance(2)  # the ConfigMaps' list is still on its way
        released.set()
        await settle()
        assert h.complete_t == 2.0
        cluster.advance(3)
        cluster.store.mutate("Pod", "default", "counter", lambda o: o["metadata"]["labels"].update(step="late"))
        await settle()
        for out, save in ((tmp_path / "ctrl-s.jsonl", h.save), (tmp_path / "from-disk.jsonl", None)):
            if save is None:  # another process, from the run's index on disk
                [run_dir] = runs(tmp_path, "minikube")
                save_run(run_dir, str(out))
            else:
                save(str(out))
            lines = [json.loads(x) for x in out.read_text().splitlines()]
            header, events = lines[0], lines[1:]
            assert header["start"] == rfc3339(h.start_t + 2.0), out.name
            first = [e for e in events if e["t"] == 0.0]
            assert {e["object"]["kind"] for e in first} >= {"Pod", "ConfigMap", "Namespace"}, out.name
            assert [e["t"] for e in events if e["object"]["metadata"].get("labels", {}).get("step")] == [3.0]
        await session.close()
    asyncio.run(main())


def test_a_damaged_run_on_disk_is_one_line_and_no_file_outside_it_is_read(tmp_path):
    """`record --from-history` on a run whose index or segment was damaged (a disk, a hand):
    a segment time that is no number ended in a TypeError, a segment line that is no JSON in a
    ValueError, both after the output was begun; a segment named ../../x was read from outside
    the run; a run whose segments were all gone made an empty file and said it wrote it."""
    async def main():
        cluster, _, session = await _session(tmp_path / "h")
        cluster.advance(30)
        await settle()
        await session.close()
    asyncio.run(main())
    [run_dir] = runs(tmp_path / "h", "minikube")
    index = json.loads((run_dir / "index.json").read_text())
    [segment] = index["segments"]
    seg_file = run_dir / (segment["name"] + (".gz" if segment["gz"] else ""))
    good = seg_file.read_bytes()
    secret = tmp_path / "secret.txt"
    secret.write_text('{"t":0,"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"stolen"}}}\n' * 3)
    out = tmp_path / "out.jsonl"
    for field, value in (("t0", "x"), ("name", "../../secret.txt"), ("base", None)):
        (run_dir / "index.json").write_text(json.dumps({**index, "segments": [{**segment, field: value}]}))
        with pytest.raises(K9pyError, match=r"index\.json: not a k9py history run: segment"):
            save_run(run_dir, str(out))
        assert not out.exists()
    (run_dir / "index.json").write_text(json.dumps(index))
    seg_file.write_bytes(b"\x8bgarbage, no line of history\n" * 50)
    with pytest.raises(K9pyError, match="none of the history run's segments could be read: nothing written"):
        save_run(run_dir, str(out))
    assert not out.exists()
    seg_file.write_bytes(good)
    assert save_run(run_dir, str(out)) > 0


def test_a_context_named_past_the_file_systems_limit_keeps_its_history(tmp_path):
    """A context named over 255 bytes: its history's folder could not be made (File name too
    long: the time machine off for it); the folder keeps the name's first 200 bytes and a digest."""
    long = "ctx-" + "x" * 300

    async def main():
        backend = SimBackend(small_cluster())
        session = Session(backend, manual=True, history=lambda b: History(tmp_path, long, poll_logs=False))
        session.start()
        await settle()
        h = session.history
        assert h.error is None and h.dir.is_dir()
        assert h.dir.parent.name.startswith("ctx-xxx") and len(h.dir.parent.name.encode()) <= 255
        await session.close()
    asyncio.run(main())
