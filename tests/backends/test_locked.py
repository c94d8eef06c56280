"""The event loop never waits for the cluster's lock: a step of the clock (a worker thread) may
hold it for seconds in a big cluster, and keys and frames must go on meanwhile."""

import asyncio
import threading
from pathlib import Path

from k9py.backends.events import Listed, Synced
from k9py.backends.locked import under
from k9py.backends.replay import ScenarioBackend
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

