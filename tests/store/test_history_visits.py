"""A context left with `:ctx` and shown again: the time machine reaches back into the first visit
(store/history.py's ``ended`` runs, joined by store/segments.py), with what happened while nobody
watched shown as last seen, then caught up at the moment the second visit had its first look."""

import asyncio
import gzip
import json
import time

from k9py.backends.sim import SimBackend
from k9py.explorer.session import Session
from k9py.explorer.timetravel import changes, complete_moment, first_moment, open_past, unwatched
from k9py.store.history import History
from tests.sim.helpers import make_cluster, run_pod


async def settle(session):
    """Until the visit's history has had its first whole look and measured the older runs (each
    may wait on a thread: a fixed number of turns of the loop was not always enough on a loaded
    machine)."""
    for _ in range(20):
        await asyncio.sleep(0)
    history = session.history
    deadline = time.monotonic() + 10
    while not (history.complete_t is not None and history.pruning is not None and history.pruning.done()):
        assert time.monotonic() < deadline, "the history never had its first whole look"
        await asyncio.sleep(0.005)


def pods_of(session):
    return {o["metadata"]["name"] for o in session.playhead.store.list("Pod")}


def visit(backend, tmp_path, ended):
    session = Session(backend, manual=True,
                      history=lambda b: History(tmp_path, "minikube", poll_logs=False, ended=ended))
    session.start()
    return session


async def first_visit(tmp_path):
    """A cluster watched 30 s with a pod `early` in it: (cluster, backend, the ended runs, the
    visit's Session, still open)."""
    cluster = make_cluster(nodes=1)
    backend = SimBackend(cluster)
    ended = []
    first = visit(backend, tmp_path, ended)
    await settle(first)
    run_pod(cluster, "early")
    await settle(first)
    cluster.advance(30)
    await settle(first)
    return cluster, backend, ended, first


def test_the_first_visit_is_reachable_after_coming_back_and_the_time_away_shows_as_last_seen(tmp_path):
    async def main():
        cluster, backend, ended, first = await first_visit(tmp_path)
        seen_at = backend.now()
        began = first_moment(first)
        await first.close()
        assert len(ended) == 1

        # away on another context: the cluster goes on
        cluster.advance(20)
        cluster.delete("Pod", "default", "early")
        cluster.advance(40)  # gone after its grace period
        run_pod(cluster, "late")
        away_at = seen_at + 30
        back_at = backend.now()

        second = visit(backend, tmp_path, ended)
        await settle(second)
        cluster.advance(5)
        await settle(second)
        assert first_moment(second) == began and complete_moment(second) <= seen_at - 30

        then = open_past(second, seen_at - 5)  # the first visit
        assert "early" in pods_of(then) and "late" not in pods_of(then)
        assert not unwatched(second, seen_at - 5)
        away = open_past(second, away_at)  # nobody watched: as last seen
        assert "early" in pods_of(away) and "late" not in pods_of(away)
        assert unwatched(second, away_at)
        now = open_past(second, backend.now())  # caught up when the second visit looked
        assert "early" not in pods_of(now) and "late" in pods_of(now)
        assert not unwatched(second, back_at + 2)
        assert now.gone("Pod", "default", "early") and not now.gone("Pod", "default", "late")
        # `:changes` over the time away: what changed while nobody watched, not everything listed again
        seen = {(c.what, c.kind, c.name) for c in changes(now.playhead, seen_at, backend.now())}
        assert {("deleted", "Pod", "early"), ("created", "Pod", "late")} <= seen
        assert not any(kind in ("Namespace", "Node", "ConfigMap") for _, kind, _ in seen), seen

        saved = tmp_path / "both.jsonl.gz"  # ctrl-s in the past saves both visits
        second.history.save(str(saved))
        lines = [json.loads(ln) for ln in gzip.decompress(saved.read_bytes()).splitlines()]
        names = [(ln["type"], ln["object"]["metadata"]["name"]) for ln in lines[1:] if ln["object"]["kind"] == "Pod"]
        assert ("ADDED", "early") in names and ("DELETED", "early") in names and ("ADDED", "late") in names
        at = {(ln["type"], ln["object"]["metadata"]["name"]): ln["t"] for ln in lines[1:]}
        assert at[("DELETED", "early")] == at[("ADDED", "late")]  # both when the second visit looked
        times = [ln["t"] for ln in lines[1:]]
        assert times == sorted(times)  # one timeline
        await second.close()
        assert len(ended) == 2
    asyncio.run(main())


def test_another_cluster_under_the_same_context_name_starts_its_own_history(tmp_path):
    """A scenario opened again is a new cluster with the old one's context name: its past is
    not the old one's."""
    async def main():
        ended = []
        old = make_cluster(nodes=1)
        first = visit(SimBackend(old), tmp_path, ended)
        await settle(first)
        run_pod(old, "of-the-old-one")
        await settle(first)
        await first.close()

        new = make_cluster(nodes=1)
        new.advance(300)
        backend = SimBackend(new)
        second = visit(backend, tmp_path, ended)
        await settle(second)
        new.advance(5)
        await settle(second)
        assert second.history.earlier() == [] and second.history.gaps() == []
        assert "of-the-old-one" not in pods_of(open_past(second, backend.now() - 1))
        await second.close()
    asyncio.run(main())


def test_a_visit_too_long_ago_is_not_joined(tmp_path):
    async def main():
        cluster = make_cluster(nodes=1)
        backend = SimBackend(cluster)
        ended = []
        first = visit(backend, tmp_path, ended)
        await settle(first)
        await first.close()
        cluster.advance(7200 + 60)  # older than max_age (2 hours) by now
        second = visit(backend, tmp_path, ended)
        await settle(second)
        assert second.history.earlier() == []
        await second.close()
    asyncio.run(main())


def test_a_context_keeps_its_last_visits_only(tmp_path):
    """Each ended visit holds the cluster's JSON as it left it: the oldest go past MAX_VISITS."""
    from k9py.store.history import MAX_VISITS

    async def main():
        cluster = make_cluster(nodes=1)
        backend = SimBackend(cluster)
        ended = []
        starts = []
        for _ in range(MAX_VISITS + 2):
            session = visit(backend, tmp_path, ended)
            await settle(session)
            starts.append(session.history.start_t)
            cluster.advance(10)
            await session.close()
        assert [r.part.start for r in ended] == starts[-MAX_VISITS:]
    asyncio.run(main())


def test_playing_on_in_the_past_jumps_over_the_time_nobody_watched(tmp_path):
    """Play (space) from the end of the first visit: the span k9py was away (an hour here) is not
    played in real time, the play head goes on from where the second visit looked."""
    async def main():
        cluster, backend, ended, first = await first_visit(tmp_path)
        seen_at = backend.now()
        await first.close()
        cluster.advance(3600)  # away an hour
        run_pod(cluster, "late")
        second = visit(backend, tmp_path, ended)
        await settle(second)
        cluster.advance(5)
        await settle(second)
        [(gone, back)] = second.history.gaps()
        past = open_past(second, seen_at - 1)
        head = past.playhead
        head.paused = False
        head.advance(2.0)  # two seconds of play: into the hour away, so on past it
        at = head.start + head.position
        assert back <= at < back + 2 and "late" in pods_of(past)
        head.seek(gone - head.start - 10)  # before it, playing goes on at its pace
        head.paused = False
        head.advance(1.0)
        assert head.start + head.position == gone - 9
        await second.close()
    asyncio.run(main())
