"""Informer lifecycle: unused watches live on for a grace period (coming back reuses them, no
relist), then stop; connection state changes reach subscribers as diffs of their own."""

import asyncio

import pytest

from k9py.backends.events import Added, Listed, StateChanged, Synced
from k9py.store.informer import Cache, Diff, Informer


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)


def cm(name, rv="1"):
    return {"kind": "ConfigMap", "metadata": {"name": name, "namespace": "default", "resourceVersion": rv}}


class FakeBackend:
    """Counts watches; each one lists ``objects`` then waits for events pushed by the test."""

    def __init__(self):
        self.objects = [cm("a"), cm("b")]
        self.started: list[tuple[str, str | None]] = []
        self.running = 0
        self.queues: list[asyncio.Queue] = []

    async def watch(self, kind, namespace=None):
        self.started.append((kind, namespace))
        self.running += 1
        q: asyncio.Queue = asyncio.Queue()
        self.queues.append(q)
        try:
            yield Listed(list(self.objects))
            yield Synced()
            while True:
                yield await q.get()
        finally:
            self.running -= 1

    def push(self, ev):
        for q in self.queues:
            q.put_nowait(ev)


def test_an_unused_watch_lives_for_the_grace_period_then_stops():
    async def main():
        b = FakeBackend()
        inf = Informer(b, auto_flush=False, grace=30.0)
        sub = inf.subscribe("ConfigMap", "default", lambda c, d: None)
        await settle()
        cache = inf.cache("ConfigMap", "default")
        assert cache.synced and b.running == 1
        inf.unsubscribe(sub)
        key = ("ConfigMap", "default")
        assert inf.idle() == [key] and inf.cache("ConfigMap", "default") is cache and b.running == 1
        timer = inf._idle[key]
        assert timer is not None and timer.when() == pytest.approx(asyncio.get_running_loop().time() + 30.0, abs=1.0)
        # changes keep flowing into the idle cache
        b.push(Added(cm("c")))
        await settle()
        assert set(cache.objects) == {("default", "a"), ("default", "b"), ("default", "c")}
        # back within the grace period: the same cache, no new list, everything delivered at once
        got: list[Diff] = []
        sub2 = inf.subscribe("ConfigMap", "default", lambda c, d: got.append(d))
        assert inf.idle() == [] and timer.cancelled() and len(b.started) == 1
        inf.flush()
        assert len(got) == 1 and got[0].reset and got[0].synced
        # the grace period passes (triggered by hand): the watch stops, its cache goes
        inf.unsubscribe(sub2)
        assert inf.stop_idle() == 1
        await settle()
        assert b.running == 0 and inf.cache("ConfigMap", "default") is None and inf.active() == []
        # a later subscriber starts a new watch
        inf.subscribe("ConfigMap", "default", lambda c, d: None)
        await settle()
        assert len(b.started) == 2 and b.running == 1
        await inf.close()
        assert b.running == 0
    asyncio.run(main())


def test_the_grace_timer_stops_the_watch():
    async def main():
        b = FakeBackend()
        inf = Informer(b, auto_flush=False, grace=0.0)
        sub = inf.subscribe("ConfigMap", "default", lambda c, d: None)
        await settle()
        inf.unsubscribe(sub)
        assert b.running == 1  # not at once: on the timer
        await settle()
        assert b.running == 0 and inf.cache("ConfigMap", "default") is None and inf.idle() == []
        await inf.close()
    asyncio.run(main())


def test_grace_none_waits_for_stop_idle_and_other_keys_are_untouched():
    async def main():
        b = FakeBackend()
        inf = Informer(b, auto_flush=False, grace=None)
        a = inf.subscribe("ConfigMap", "default", lambda c, d: None)
        inf.subscribe("ConfigMap", None, lambda c, d: None)
        await settle()
        inf.unsubscribe(a)
        inf.unsubscribe(a)  # twice: harmless
        for _ in range(3):
            await asyncio.sleep(0.01)
        assert inf.idle() == [("ConfigMap", "default")] and b.running == 2
        assert inf.stop_idle() == 1
        await settle()
        assert b.running == 1 and inf.active() == [("ConfigMap", None)]
        await inf.close()
    asyncio.run(main())


def test_a_state_change_alone_is_a_diff():
    c = Cache("ConfigMap", "default")
    c.apply(Listed([cm("a")]))
    c.apply(Synced())
    d = c.take_diff()
    assert d.reset and d.synced and c.state == "connected"
    c.apply(StateChanged("reconnecting", "connection refused"))
    d = c.take_diff()
    assert d and d.state and not (d.added or d.changed or d.removed or d.reset)
    assert (c.state, c.error) == ("reconnecting", "connection refused")
    c.apply(StateChanged("reconnecting", "connection refused"))
    assert not c.take_diff()  # the same again: nothing new
    c.apply(StateChanged("offline", "connection refused"))
    assert c.take_diff().state
    c.apply(StateChanged("connected"))
    c.apply(Synced())
    d = c.take_diff()
    assert d.state and not d.synced and (c.state, c.error) == ("connected", None)


def test_state_events_are_flushed_to_subscribers():
    async def main():
        b = FakeBackend()
        inf = Informer(b, auto_flush=False)
        seen: list[tuple[str, str | None, Diff]] = []
        inf.subscribe("ConfigMap", "default", lambda c, d: seen.append((c.state, c.error, d)))
        await settle()
        inf.flush()
        seen.clear()
        b.push(StateChanged("forbidden", "configmaps is forbidden"))
        await settle()
        assert inf.flush() == 1
        assert [(s, e, d.state) for s, e, d in seen] == [("forbidden", "configmaps is forbidden", True)]
        await inf.close()
    asyncio.run(main())


def test_auto_flush_delivers_a_state_change_without_waiting_for_the_interval():
    async def main():
        b = FakeBackend()
        inf = Informer(b, interval=3600.0)  # the periodic flush never comes in this test
        seen: list[str] = []
        inf.subscribe("ConfigMap", "default", lambda c, d: seen.append(c.state) if d.state else None)
        await settle()
        assert seen == ["connected"]  # the first sync (connecting → connected)
        b.push(StateChanged("reconnecting", "boom"))
        await settle()
        assert seen == ["connected", "reconnecting"]
        await inf.close()
    asyncio.run(main())


def test_an_idle_informer_has_nothing_that_wakes_and_an_event_after_the_interval_is_flushed_at_once(monkeypatch):
    """Quiet when idle (issue 14): no task polls for diffs while no event comes; an event is
    flushed ``interval`` after the last flush, at once when that is past, and events that come
    meanwhile go in the same diff."""
    from k9py.store import informer

    now = [1000.0]
    monkeypatch.setattr(informer, "monotonic", lambda: now[0], raising=False)

    async def main():
        b = FakeBackend()
        inf = Informer(b, interval=3600.0)
        diffs: list[Diff] = []
        inf.subscribe("ConfigMap", "default", lambda c, d: diffs.append(d))
        await settle()
        assert len(diffs) == 1 and diffs[0].synced  # the sync: flushed at once
        me = asyncio.current_task()
        assert [t for t in asyncio.all_tasks() if t is not me and t not in inf._tasks.values()] == []
        now[0] += 3600  # an interval after that flush
        b.push(Added(cm("c")))
        b.push(Added(cm("d")))
        await settle()
        assert len(diffs) == 2 and diffs[1].added == {("default", "c"), ("default", "d")}
        b.push(Added(cm("e")))  # within the interval of that flush: it waits for it
        await settle()
        assert len(diffs) == 2
        inf.flush()
        assert diffs[2].added == {("default", "e")}
        await inf.close()
    asyncio.run(main())


def test_relist_lists_again_drops_what_went_and_stops_the_old_watch():
    async def main():
        b = FakeBackend()
        inf = Informer(b, auto_flush=False, grace=None)
        got: list[Diff] = []
        inf.subscribe("ConfigMap", "default", lambda c, d: got.append(d))
        await settle()
        inf.flush()
        got.clear()
        # the watch missed these (a stuck stream): only a list shows them
        b.objects = [cm("b", rv="2"), cm("c")]
        assert inf.relist("ConfigMap", "default")
        await settle()
        cache = inf.cache("ConfigMap", "default")
        assert set(cache.objects) == {("default", "b"), ("default", "c")}
        assert cache.objects[("default", "b")]["metadata"]["resourceVersion"] == "2"
        assert b.running == 1 and len(b.started) == 2  # the old watch stopped, one runs
        inf.flush()
        assert len(got) == 1 and got[0].removed == {("default", "a")} and ("default", "c") in got[0].added
        assert not inf.relist("ConfigMap", "other")  # nothing watches it
        await inf.close()
    asyncio.run(main())


def test_relist_of_a_watch_waiting_to_retry_tries_at_once():
    async def main():
        class Failing(FakeBackend):
            fail = True

            async def watch(self, kind, namespace=None):
                if self.fail:
                    self.started.append((kind, namespace))
                    raise ConnectionError("connection refused")
                async for ev in super().watch(kind, namespace):
                    yield ev

        b = Failing()
        inf = Informer(b, auto_flush=False, grace=None, retry_delay=30.0)
        inf.subscribe("ConfigMap", "default", lambda c, d: None)
        await settle()
        cache = inf.cache("ConfigMap", "default")
        assert cache.state == "reconnecting" and not cache.synced  # and the next try is 30 s away
        b.fail = False
        assert inf.relist("ConfigMap", "default")
        await settle()
        assert cache.synced and cache.state == "connected" and len(cache.objects) == 2
        await inf.close()
    asyncio.run(main())
