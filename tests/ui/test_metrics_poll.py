"""The app polls usage on a timer and when a pod view opens (``K9pyApp.poll_metrics``); a live
10,000-pod cluster's poll takes ~0.3 s. Keys typed meanwhile are taken at once: the poll runs in
a worker of its own, one at a time. (It was awaited in the message queue of the timer that ran it,
the App's or the pane's, which every key passes through: each key typed during a poll waited.)"""

import asyncio

from textual import events

from tests.samples import add_pods, small_cluster
from tests.ui.conftest import sync


async def until(cond, seconds=5.0):
    """``cond()`` awaited with a deadline (the app's queues may be the thing that is stuck)."""
    for _ in range(int(seconds / 0.01)):
        if cond():
            return
        await asyncio.sleep(0.01)


def test_keys_typed_during_a_long_metrics_poll_are_taken_at_once(drive, monkeypatch):
    cluster = small_cluster()
    add_pods(cluster, 30, namespaces=1)

    async def s(app, pilot, _cluster):
        gate = asyncio.Event()
        polls = []

        async def slow_poll(*_a, **_kw):
            polls.append(1)
            await gate.wait()
            return False

        monkeypatch.setattr(app.session, "poll_metrics", slow_poll)
        try:
            assert app.run_command("pods -A")
            await sync(app, pilot)
            assert len(app.model) > 3
            app.poll_metrics()
            app.poll_metrics()  # one poll at a time
            await until(lambda: polls)
            assert polls == [1]
            table, before = app.table, app.table.cursor_index
            for _ in range(3):  # typed as a terminal delivers keys
                key = events.Key("j", "j")
                key.set_sender(app)
                app._driver.send_message(key)
            await until(lambda: table.cursor_index == before + 3)
            assert table.cursor_index == before + 3 and not gate.is_set()  # the poll still going
            gate.set()
            await until(lambda: app._metrics_poll.is_finished)
            gate.clear()
            app.poll_metrics()  # the last one ended: a new one
            await until(lambda: len(polls) == 2)
            assert polls == [1, 1]
        finally:  # (a poll left waiting would hold the app's exit)
            gate.set()

    drive(s, cluster=cluster)
