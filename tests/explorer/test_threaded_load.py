"""A view's big load runs in a worker thread (``LOAD_IN_THREAD_MIN``, lowered here to the small
cluster's size): the shown model stays usable meanwhile, says it is loading, and when the thread
is done the fresh model takes what the cache heard and what the user set meanwhile."""

import threading

from k9py.explorer import resource_view
from k9py.view.rows import RowModel
from tests.explorer.test_navigator import explore, names, pump


def held_loads(monkeypatch):
    """RowModel.load in a worker thread waits for the returned gate (on the loop: at once)."""
    gate = threading.Event()
    real_load = RowModel.load

    def load(self, objects):
        if threading.current_thread() is not threading.main_thread():
            assert gate.wait(10)
        real_load(self, objects)
    monkeypatch.setattr(RowModel, "load", load)
    monkeypatch.setattr(resource_view, "LOAD_IN_THREAD_MIN", 3)
    return gate


def test_a_warm_load_in_a_thread_keeps_what_changed_and_what_the_user_set_meanwhile(monkeypatch):
    gate = held_loads(monkeypatch)

    async def s(nav, session, shown):
        nav.run("dp")
        await pump(session)
        assert nav.run("po").ok  # the pods' watch is still warm: their rows load in a thread
        view = nav.current
        told = []
        view.listener = lambda v, change: told.append(change)
        view.tell_loaded()
        shown_model = view.model
        assert len(shown_model) == 0 and view.loading() == "loading pods…"
        assert view.title() == "pods(default)[0]" and not any(c.synced for c in told)
        # meanwhile: the user sorts and filters, a pod goes and one changes
        assert view.sort_by("NAME") and shown_model.sort_asc is False  # (NAME again: descending)
        assert view.set_filter("nginx") is None
        cluster = session.backend.cluster
        cluster.delete("Pod", "default", "counter", grace_period=0)
        victim = sorted(n for n in names_in(cluster) if n.startswith("nginx"))[0]
        cluster.delete("Pod", "default", victim, grace_period=0)
        cluster.settle()
        await pump(session)
        assert view.model is shown_model and len(shown_model) == 0  # nothing applied to it
        gate.set()
        await view.settled()
        assert view.model is not shown_model and view.loading() is None
        want = sorted((n for n in names_in(cluster) if "nginx" in n), reverse=True)
        assert names(nav) == want and victim not in want and len(want) == 2
        assert view.title() == "pods(default)[2] </nginx>"
        assert [c for c in told if c.model] == [told[-1]] and told[-1].synced and told[-1].rows
        # and the fresh model goes on hearing the cache
        cluster.delete("Pod", "default", want[0], grace_period=0)
        await pump(session)
        assert want[0] not in names(nav)
    explore(s)


def test_a_load_in_a_thread_starts_again_after_a_reset_and_is_forgotten_when_the_view_closes(monkeypatch):
    gate = held_loads(monkeypatch)

    async def s(nav, session, shown):
        nav.run("dp")
        await pump(session)
        nav.run("po")
        view = nav.current
        first = view._loading
        assert first is not None
        cache = view.cache()
        cache._pending.reset = True  # a relist (the watch expired): subscribers read the whole cache again
        session.backend.cluster.delete("Pod", "default", "counter", grace_period=0)  # (heard with it)
        await pump(session)
        assert first.heard.reset and view._loading is first
        gate.set()
        await view.settled()
        assert view._loading is None and names(nav) == sorted(names_in(session.backend.cluster))
        assert "counter" not in names(nav) and len(names(nav)) == 4
        # a view closed while its rows load: the load's end changes nothing
        gate.clear()
        nav.run("dp")
        await pump(session)
        nav.run("po")
        closing = nav.current
        model = closing.model
        nav.run("dp")
        gate.set()
        await closing.settled()
        assert closing.model is model and len(model) == 0
    explore(s)


def names_in(cluster):
    return [p["metadata"]["name"] for p in cluster.store.list("Pod", "default")]


def test_the_table_shows_the_model_a_thread_loaded_and_keeps_its_cursor_row(monkeypatch):
    """In the app: `:po` over the warm pods (rows in a thread), `j` meanwhile, then the table
    paints the fresh model's rows; the `j` waited for them and moves the cursor, as the next."""
    import asyncio

    from k9py.backends.sim import SimBackend
    from k9py.ui.app import K9pyApp
    from tests.samples import small_cluster

    gate = held_loads(monkeypatch)

    async def main():
        app = K9pyApp(SimBackend(small_cluster()), manual=True, view="pods", namespace="default")
        async with app.run_test(size=(100, 24)) as pilot:
            await app.pump()
            await pilot.pause()
            await pilot.press(":", *"dp", "enter")
            await app.pump()
            await pilot.press(":", *"po", "enter")
            await app.pump()
            await pilot.pause()
            view = app.navigator.current
            assert view._loading is not None and len(app.table.model) == 0
            await pilot.press("j")  # nothing to move over yet: it waits for the rows (heldkeys.py)
            assert app.held_keys.keys and app.table.cursor_key is None
            gate.set()
            await view.settled()
            for _ in range(40):  # (the held key comes back through the app's queue)
                await pilot.pause(0.05)
                if not app.held_keys.keys and app.table.cursor_key == view.model.key_at(1):
                    break
            assert app.table.model is view.model and len(view.model) == 5
            lines = [app.table.render_line(y).text for y in range(1, 6)]
            assert [line.split()[0] for line in lines] == names(app.navigator)
            assert app.table.cursor_key == view.model.key_at(1)
            await pilot.press("j")
            await pilot.pause()
            assert app.table.cursor_key == view.model.key_at(2)
    asyncio.run(main())
