"""Keys typed while the app waits for the backend are taken at once. A coroutine a timer, a
``call_later`` or a dialog's callback runs is awaited in the message queue that runs it, and
every key passes through the App's queue and the pane's: the usage poll (a live 10,000-pod
cluster: ~0.3 s, on a timer and when a pod view opens) and a confirmed delete, scale, drain...
(a remote API; many marked pods) held each key typed meanwhile. Both now run beside the queues."""

import asyncio

from textual import events

from tests.samples import add_pods, small_cluster
from tests.ui.conftest import actions_done, sync


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
            return True

        monkeypatch.setattr(app.session.metrics, "refresh", slow_poll)
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
            assert table.cursor_index == before + 3 and polls == [1]  # the poll still waiting
            gate.set()
            await until(lambda: all(w.is_finished for w in app.workers if w.group == "metrics"))
            gate.clear()
            app.poll_metrics()  # the last one ended: a new one
            await until(lambda: len(polls) == 2)
            assert polls == [1, 1]
        finally:  # (a poll left waiting would hold the app's exit)
            gate.set()

    drive(s, cluster=cluster)


def test_keys_typed_while_a_dialogs_answer_calls_the_backend_are_taken_at_once(drive, monkeypatch):
    """A delete confirmed on a remote cluster (or of many marked pods) waits for the API: the
    answer runs in a worker, and the cursor keys typed behind the `y` move at once."""
    cluster = small_cluster()
    add_pods(cluster, 30, namespaces=1)

    async def s(app, pilot, _cluster):
        gate = asyncio.Event()
        deletes = []

        async def slow_delete(kind, ns, name, **_kw):
            deletes.append((kind, ns, name))
            await gate.wait()

        monkeypatch.setattr(app.backend, "delete", slow_delete)
        try:
            assert app.run_command("pods -A")
            await sync(app, pilot)
            table, before = app.table, app.table.cursor_index
            first = table.cursor_key
            for name in ("ctrl+d", "y", "j", "j"):
                key = events.Key(name, "y" if name == "y" else "j" if name == "j" else None)
                key.set_sender(app)
                app._driver.send_message(key)
            await until(lambda: table.cursor_index == before + 2)
            assert table.cursor_index == before + 2 and deletes == [("Pod", first[0], first[1])]
            assert app.answers  # the delete still waiting
        finally:
            gate.set()
        await sync(app, pilot)
        assert "Delete resource pods" in str(app.query_one("#flash").render())

    drive(s, cluster=cluster)


def _typed(app, *names):
    for name in names:
        char = {"y": "y", "j": "j", "space": " "}.get(name)
        key = events.Key(name, char)
        key.set_sender(app)
        app._driver.send_message(key)


def test_marks_made_while_a_delete_goes_out_stay_and_quitting_waits_for_it(drive, monkeypatch):
    """Two marked pods deleted: a pod marked while the deletes wait stays marked, the two deleted
    are unmarked; `ctrl-c` right behind the `y` lets both deletes go out before the app ends."""
    cluster = small_cluster()
    add_pods(cluster, 30, namespaces=1)
    gate = asyncio.Event()
    done = []

    async def slow_delete(kind, ns, name, **_kw):
        await gate.wait()
        done.append(name)

    async def s(app, pilot, _cluster):
        monkeypatch.setattr(app.backend, "delete", slow_delete)
        try:
            assert app.run_command("pods -A")
            await sync(app, pilot)
            table = app.table
            _typed(app, "space", "j", "space")
            await until(lambda: len(table.marked) == 2)
            first = set(table.marked)
            _typed(app, "ctrl+d", "y", "j", "space")
            await until(lambda: len(table.marked) == 3)
            third = table.marked - first
            assert len(third) == 1 and app.answers and done == []
            gate.set()
            await actions_done(app)
            assert table.marked == third and len(done) == 2
            gate.clear()
            done.clear()
            _typed(app, "ctrl+d", "y")  # the third, then quit at once
            await until(lambda: app.answers)
            asyncio.get_running_loop().call_later(0.2, gate.set)
            app.exit()
        finally:
            asyncio.get_running_loop().call_later(1.0, gate.set)

    drive(s, cluster=cluster)
    assert len(done) == 1  # the delete went out before the app ended
