"""The event loop never waits for the cluster's lock: a step of the clock (a worker thread) may
hold it for seconds in a big cluster, and keys and frames must go on meanwhile."""

import asyncio
import threading
from pathlib import Path

import pytest

from k9py.backends import locked
from k9py.backends.events import Listed, Synced
from k9py.backends.locked import under
from k9py.backends.replay import SEEK_PART, ScenarioBackend
from k9py.backends.sim import SimBackend
from k9py.sim import clock
from tests.samples import small_cluster

HOLD_AT_MOST = 10.0  # seconds a holder keeps the lock if the loop never shows it ran


class Holder:
    """A thread holding ``lock`` until the event loop shows it went on (or HOLD_AT_MOST passed)."""

    def __init__(self, lock):
        self.lock = lock
        self.taken = threading.Event()
        self.loop_ran = threading.Event()
        self.released_because_loop_ran: bool | None = None
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self):
        with self.lock:
            self.taken.set()
            self.released_because_loop_ran = self.loop_ran.wait(HOLD_AT_MOST)

    def __enter__(self):
        self.thread.start()
        assert self.taken.wait(HOLD_AT_MOST)
        return self

    def __exit__(self, *exc):
        self.loop_ran.set()
        self.thread.join(HOLD_AT_MOST)


async def _loop_goes_on(holder, awaitable):
    """Start ``awaitable`` while ``holder`` has the lock; show the loop runs meanwhile; its result."""
    task = asyncio.ensure_future(awaitable)
    for _ in range(3):
        await asyncio.sleep(0)  # what a blocked loop could not do: run this coroutine again
    holder.loop_ran.set()
    result = await task
    assert holder.released_because_loop_ran is True
    return result


async def _while_held(lock, awaitable):
    """``awaitable``'s result, awaited while another thread holds ``lock``."""
    with Holder(lock) as holder:
        return await _loop_goes_on(holder, awaitable)


def test_under_runs_in_place_when_the_lock_is_free():
    async def main():
        lock = threading.RLock()
        ran_in = []
        got = await under(lock, lambda: ran_in.append(threading.get_ident()) or 42)
        assert got == 42 and ran_in == [threading.get_ident()]
    asyncio.run(main())


def test_under_waits_in_a_worker_thread_while_the_loop_goes_on():
    async def main():
        lock = threading.RLock()
        ran_in = []
        got = await _while_held(lock, under(lock, lambda: ran_in.append(threading.get_ident()) or "done"))
        assert got == "done" and ran_in and ran_in[0] != threading.get_ident()
    asyncio.run(main())


def test_a_caller_cancelled_while_waiting_has_what_fn_made_undone():
    async def main():
        lock = threading.RLock()
        undone = asyncio.Event()
        made, undid = [], []

        def fn():
            made.append("watch")
            return "watch"

        def undo(result):
            undid.append(result)
            undone.set()

        with Holder(lock) as holder:
            task = asyncio.ensure_future(under(lock, fn, undo=undo))
            await asyncio.sleep(0)
            task.cancel()
            holder.loop_ran.set()
        await asyncio.wait_for(undone.wait(), HOLD_AT_MOST)
        assert task.cancelled() and made == ["watch"] and undid == ["watch"]
    asyncio.run(main())


def test_a_view_opens_its_watch_while_a_step_holds_the_simulators_lock():
    async def main():
        cluster = small_cluster()
        backend = SimBackend(cluster)
        pods = backend.watch("Pod", "default")  # (it subscribes when first awaited)
        listed = await _while_held(cluster.lock, anext(pods))
        assert isinstance(listed, Listed) and listed.objs
        assert isinstance(await anext(pods), Synced)
        await pods.aclose()
        assert not cluster.store._watches
    asyncio.run(main())


def test_describe_and_a_delete_wait_off_the_loop_too():
    async def main():
        cluster = small_cluster()
        backend = SimBackend(cluster)
        got = await _while_held(cluster.lock, backend.get("Pod", "default", "counter"))
        assert got["metadata"]["name"] == "counter"
        events = await _while_held(cluster.lock, backend.events_for(got))
        assert isinstance(events, list)
        gone = await _while_held(cluster.lock, backend.delete("Pod", "default", "counter", grace_period=0))
        assert gone["metadata"]["name"] == "counter"
        assert cluster.store.get("Pod", "default", "counter") is None
    asyncio.run(main())


def test_a_log_view_opens_and_follows_while_a_step_holds_the_lock():
    async def main():
        backend = SimBackend.demo()  # its counter prints a line a second
        cluster = backend.cluster
        with Holder(cluster.lock) as holder:
            lines = backend.logs("default", "counter", tail_lines=1, follow=True)
            first = await _loop_goes_on(holder, anext(lines))
        assert first
        cluster.advance(5)  # what follows is read under the lock too
        with Holder(cluster.lock) as holder:
            backend.notify()
            more = await _loop_goes_on(holder, anext(lines))
        assert more and more != first
        await lines.aclose()
    asyncio.run(main())


def test_a_scenarios_view_opens_while_a_step_holds_its_lock():
    async def main():
        backend = ScenarioBackend.open(str(Path("scenarios/self-healing.yaml")))
        pods = backend.watch("Pod", "default")
        listed = await _while_held(backend.cluster.lock, anext(pods))
        assert isinstance(listed, Listed) and listed.objs
        await pods.aclose()
    asyncio.run(main())


def test_a_real_time_step_covers_at_most_max_step():
    """A cluster that cannot keep up runs in slow motion: a step never covers the time the step
    before it took beyond MAX_STEP (else ever longer steps under the lock)."""
    now = [1000.0]
    ticker = clock.RealtimeTicker(speed=4.0, monotonic=lambda: now[0])
    now[0] += 0.25
    assert ticker.elapsed() == 1.0  # real time × speed
    now[0] += 30.0  # a step that took half a minute
    assert ticker.elapsed() == clock.MAX_STEP * 4.0
    now[0] += 0.5
    assert ticker.elapsed() == 2.0
    assert ticker.pace() == (0.25 + 1.0 + 0.5) / (0.25 + 30.0 + 0.5)  # the share of real time covered


def test_a_ticker_that_keeps_up_has_a_pace_of_one():
    now = [1000.0]
    ticker = clock.RealtimeTicker(monotonic=lambda: now[0])
    assert ticker.pace() == 1.0
    for _ in range(3):
        now[0] += 0.3
        ticker.elapsed()
    assert ticker.pace() == 1.0



# -- a scenario's seek runs off the event loop, in parts ---------------------------------------------

HEALING = "scenarios/self-healing.yaml"


async def _until(condition):
    """Await ``condition()`` (a worker thread makes it true), failing after HOLD_AT_MOST."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + HOLD_AT_MOST
    while not condition():
        assert loop.time() < deadline
        await asyncio.sleep(0.001)


@pytest.mark.source_build
def test_a_view_opens_between_the_parts_of_a_long_seek():
    """A seek holds the lock a part (SEEK_PART virtual seconds) at a time, and lets a view waiting
    for the lock in before its next part: the view opens in the middle of the seek."""
    async def main():
        backend = ScenarioBackend.open(HEALING)
        lock, run_to = backend.cluster.lock, backend._run_to
        in_part, waiter_came = threading.Event(), threading.Event()
        parts = []

        def first_part_waits_for_a_waiter(t, **kw):
            if not parts:
                in_part.set()
                assert waiter_came.wait(HOLD_AT_MOST)
            parts.append(t)
            run_to(t, **kw)
        backend._run_to = first_part_waits_for_a_waiter
        listed_after = []
        watch = backend.cluster.store.watch

        def noted_watch(*a, **kw):
            listed_after.append(len(parts))
            return watch(*a, **kw)
        backend.cluster.store.watch = noted_watch
        seek = asyncio.ensure_future(asyncio.to_thread(backend.seek, 60))
        await _until(in_part.is_set)
        pods = backend.watch("Pod", "default")
        opening = asyncio.ensure_future(anext(pods))
        await _until(lambda: locked._waiters.get(id(lock)))  # the view waits for the lock in a thread
        waiter_came.set()
        assert isinstance(await opening, Listed)
        await seek
        assert listed_after == [1] and len(parts) == 60 and backend.position() == 60
        await pods.aclose()
    asyncio.run(main())


def test_a_seek_no_longer_wanted_stops_after_its_part_under_way():
    backend = ScenarioBackend.open(HEALING)
    asked = []
    backend.seek(170, wanted=lambda: asked.append(backend.position()) or False)
    assert asked == [SEEK_PART] and backend.position() == SEEK_PART


def test_the_clock_does_not_run_while_a_seek_is_under_way():
    backend = ScenarioBackend.open(HEALING)
    backend._seeking = 1
    assert backend.tick(5.0) is False and backend.position() == 0
    backend._seeking = 0
    assert backend.tick(5.0) is True and backend.position() == 5


def test_a_go_while_one_runs_changes_where_it_heads():
    """`>` `>` `<` in a burst: one seek runs, each later key only moves where it heads; the seek
    under way stops after its part and the next heads to the last place asked."""
    async def main():
        backend = ScenarioBackend.open(HEALING)
        pb = backend.playback()
        seek, targets = backend.seek, []

        def noted_seek(t, **kw):
            targets.append(t)
            seek(t, **kw)
        backend.seek = noted_seek
        with Holder(backend.cluster.lock) as holder:  # a step of the clock under way
            going = asyncio.ensure_future(pb.go(10))
            await _until(lambda: targets)
            await pb.go(20)  # returns at once: the first go heads there now
            await pb.go(5)
            assert pb.heading == 5 and not going.done()
            holder.loop_ran.set()
        await going
        assert targets == [10, 5] and backend.position() == 5 and pb.heading is None
    asyncio.run(main())
