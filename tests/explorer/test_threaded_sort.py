"""A sort of many rows by another column runs in a worker thread (``SORT_IN_THREAD_MIN``, lowered
here to the small cluster's size): the rows stay as they were until it is done, changes meanwhile
are applied as usual, and the sort applied at the end keys again what changed since its snapshot."""

import asyncio
import threading

from k9py.explorer import resource_view
from k9py.view.rows import RowModel
from tests.explorer.test_navigator import explore, names, pump
from tests.samples import small_cluster
from tests.view.test_rows import model, objects


def held_sorts(monkeypatch):
    """RowModel.sort_keys in a worker thread waits for the returned gate; calls are counted."""
    gate = threading.Event()
    calls = []
    real = RowModel.sort_keys

    def sort_keys(self, col, snapshot):
        calls.append(col)
        if threading.current_thread() is not threading.main_thread():
            assert gate.wait(10)
        return real(self, col, snapshot)
    monkeypatch.setattr(RowModel, "sort_keys", sort_keys)
    monkeypatch.setattr(resource_view, "SORT_IN_THREAD_MIN", 3)
    return gate, calls


def status_of(nav, name):
    m = nav.current.model
    return m.cells(m.rows[("default", name)])[m.col_index("STATUS")]


def test_a_sort_in_a_thread_keeps_the_rows_meanwhile_and_keys_again_what_changed(monkeypatch):
    gate, calls = held_sorts(monkeypatch)

    async def s(nav, session, shown):
        view = nav.current
        m = view.model
        told = []
        view.listener = lambda v, change: told.append(change)
        before = names(nav)
        assert m.sort_col == "NAME" and len(before) == 5
        assert view.sort_by("STATUS") and view.sorting == "STATUS"
        assert m.sort_col == "NAME" and names(nav) == before  # nothing moves until it is done
        assert view.sort_by("STATUS") and view.sorting == "STATUS"  # again: the other way, the same sort
        # meanwhile: the first nginx pod starts terminating (its STATUS changes), counter goes
        cluster = session.backend.cluster
        victim = next(n for n in before if n.startswith("nginx"))
        cluster.delete("Pod", "default", victim, grace_period=30)
        cluster.delete("Pod", "default", "counter", grace_period=0)
        cluster.settle()
        await pump(session)
        assert "counter" not in names(nav) and status_of(nav, victim) == "Terminating"
        assert m.sort_col == "NAME" and names(nav) == sorted(names(nav))  # applied in the old order
        gate.set()
        await view.settled()
        assert view.sorting is None and view.model is m and (m.sort_col, m.sort_asc) == ("STATUS", False)
        assert calls == ["STATUS"]  # one sort, read from the other end
        got = names(nav)
        assert all(r.skey == m._skey_for(r) for r in m.rows.values())  # every row keyed as it is now
        m._resort()  # the same sort, every row keyed on the loop
        assert got == names(nav) and got[0] == victim  # Terminating after Running, descending: first
        assert told[-1].sorted and told[-1].rows and sum(c.sorted for c in told) == 1
    explore(s)


def test_a_sort_meanwhile_by_another_column_replaces_the_one_going_on(monkeypatch):
    gate, calls = held_sorts(monkeypatch)

    async def s(nav, session, shown):
        view = nav.current
        m = view.model
        assert view.sort_by("STATUS") and view.sort_by("IP") and view.sorting == "IP"
        gate.set()
        await view.settled()
        assert (m.sort_col, m.sort_asc) == ("IP", True) and calls == ["STATUS", "IP"]
        ips = [m.cells(m.row_at(i))[m.col_index("IP")] for i in range(len(m))]
        assert len(ips) == 5
        m._resort()
        assert ips == [m.cells(m.row_at(i))[m.col_index("IP")] for i in range(len(m))]
        # back to the column the model is sorted by: at once, no thread
        assert view.sort_by("IP") and view.sorting is None and m.sort_asc is False and calls == ["STATUS", "IP"]
        # a sort going on is dropped for the model's own column: no note of changes kept for it
        gate.clear()
        assert view.sort_by("STATUS") and view.sorting == "STATUS" and m._sort_touched == {}
        assert view.sort_by("IP") and view.sorting is None and m.sort_asc is True and m._sort_touched is None
        gate.set()
        # the rows load again on the loop meanwhile (a relist): the keys made are of none of them,
        # so the sort runs again
        gate.clear()
        assert view.sort_by("NODE") and view.sorting == "NODE"
        view.cache()._pending.reset = True
        session.backend.cluster.delete("Pod", "default", "counter", grace_period=0)
        await pump(session)
        assert view.model is m and len(m) == 4 and m.sort_col == "IP"
        gate.set()
        await view.settled()
        assert (m.sort_col, m.sort_asc) == ("NODE", True) and calls[-2:] == ["NODE", "NODE"]
        assert all(r.skey == m._skey_for(r) for r in m.rows.values())
        # a view closed while its rows sort keeps its order; the state saved is the sort asked for
        gate.clear()
        assert view.sort_by("STATUS") and view.sorting == "STATUS"
        nav.run("dp")
        gate.set()
        await view.settled()
        await asyncio.sleep(0)
        assert m.sort_col == "NODE" and view.sort == ("STATUS", True)
    explore(s)


def pods_model():
    """A model of the small cluster's pods of every namespace, and those pods by key."""
    cluster = small_cluster()
    return model(cluster, ns=""), objects(cluster, "Pod")


def test_sort_keys_change_no_row_and_apply_sort_keys_what_changed_since_the_snapshot():
    m, pods = pods_model()
    for r in m.rows.values():
        r._cells = r._text = None
        r._now = -1
    before = {k: (r.skey, r._cells, r._now, r.obj) for k, r in m.rows.items()}
    snapshot = m.sort_snapshot()
    keyed = m.sort_keys("STATUS", snapshot)
    assert {k: (r.skey, r._cells, r._now, r.obj) for k, r in m.rows.items()} == before  # nothing written
    assert m.sort_col != "STATUS" and len(keyed.order) == len(before)
    # changes after the snapshot: one row's object changes, one row goes, one comes
    first, second = sorted(pods)[:2]
    changed = dict(pods[first], status={**pods[first].get("status", {}), "phase": "Failed"})
    pods[first] = changed
    del pods[second]
    pods[("default", "aaa-new")] = {**changed, "metadata": {**changed["metadata"], "name": "aaa-new"}}
    m.apply([("default", "aaa-new")], [first], [second], pods.get)
    assert m.apply_sort("STATUS", True, keyed)
    got = m.visible_keys()
    assert second not in got and ("default", "aaa-new") in got and len(got) == len(pods)
    # the cells the thread worked out are the rows' own now, where they are still theirs
    for r in m.rows.values():
        cached, r._cells = r._cells, None
        assert cached is not None and m.cells(r) == cached
    assert all(r.skey == m._skey_for(r) for r in m.rows.values())
    m._resort()
    assert m.visible_keys() == got
    # keys made before a load, or for a snapshot no longer the last, are not applied
    keyed = m.sort_keys("IP", m.sort_snapshot())
    m.load(pods)
    assert not m.apply_sort("IP", True, keyed) and m.sort_col == "STATUS"
    keyed = m.sort_keys("IP", m.sort_snapshot())
    m.forget_sort()
    assert not m.apply_sort("IP", True, keyed)


def test_inverting_the_sort_keys_no_row_again():
    m, _ = pods_model()
    m.set_sort("STATUS")
    keys = m.visible_keys()
    keyed = []
    real = m._skey_for
    m._skey_for = lambda row, col=None: keyed.append(row) or real(row, col)  # type: ignore[method-assign]
    m.set_sort("STATUS")
    assert not m.sort_asc and m.visible_keys() == keys[::-1] and keyed == []


def test_the_app_says_it_sorts_and_paints_the_sorted_rows_when_done(monkeypatch):
    """In the app: `S` over the pods (sorted in a thread) flashes what it does, `j` meanwhile
    moves on the rows as they were; then the table paints the new order under STATUS↑ and
    the flash goes."""
    from k9py.backends.sim import SimBackend
    from k9py.ui.app import K9pyApp

    gate, _ = held_sorts(monkeypatch)

    async def main():
        app = K9pyApp(SimBackend(small_cluster()), manual=True, view="pods", namespace="default")
        async with app.run_test(size=(100, 24)) as pilot:
            await app.pump()
            await pilot.pause()
            view = app.navigator.current
            cluster = app.session.backend.cluster
            victim = names(app.navigator)[0]
            cluster.delete("Pod", "default", victim, grace_period=30)  # Terminating: last by STATUS
            cluster.settle()
            await app.pump()
            await pilot.pause()
            assert names(app.navigator)[0] == victim
            await pilot.press("S")
            await pilot.pause()
            assert view.sorting == "STATUS" and app.flash_text == "sorting 5 rows by STATUS…"
            assert "NAME↑" in app.table.render_line(0).text
            await pilot.press("j")
            await pilot.pause()
            assert app.table.cursor_key == ("default", names(app.navigator)[1])
            # the idle priming of cells waits while the thread sorts (both want the GIL)
            primed = []
            monkeypatch.setattr(RowModel, "prime", lambda self, **kw: primed.append(self) or True)
            app.pane._prime_later(view.model)
            await pilot.pause(0.2)
            assert primed == []
            gate.set()
            await view.settled()
            await pilot.pause()
            header = app.table.render_line(0).text
            assert "STATUS↑" in header and "NAME↑" not in header and app.flash_text == ""
            lines = [app.table.render_line(y).text.split()[0] for y in range(1, 6)]
            assert lines == names(app.navigator) and lines[-1] == victim
            await pilot.pause(0.2)
            assert primed == [view.model]  # its turn came
    asyncio.run(main())


def test_a_usage_sort_is_done_again_in_a_thread_at_each_metrics_poll(monkeypatch):
    gate, calls = held_sorts(monkeypatch)

    async def s(nav, session, shown):
        view = nav.current
        assert await session.poll_metrics("default", pods=True)
        assert view.apply_metrics()
        m = view.model
        gate.set()
        assert view.sort_by("CPU") and view.sorting == "CPU"
        await view.settled()
        assert (m.sort_col, m.sort_asc) == ("CPU", False) and calls == ["CPU"]
        before = names(nav)
        # usage moves on: the next poll sorts again, in the thread; meanwhile the order stays
        gate.clear()
        cluster = session.backend.cluster
        cluster.advance(120)
        await pump(session)
        assert await session.poll_metrics("default", pods=True)
        version = m.metrics_version
        assert view.apply_metrics() and m.metrics_version == version + 1
        assert view.sorting == "CPU" and names(nav) == before
        # another poll meanwhile: nothing sorted on the loop, still the one sort going on
        resorts = []
        m._resort = lambda: resorts.append(m)
        assert view.apply_metrics() and resorts == [] and view.sorting == "CPU"
        del m._resort
        gate.set()
        await view.settled()
        assert calls == ["CPU", "CPU"] and (m.sort_col, m.sort_asc) == ("CPU", False)
        got = names(nav)
        m.resort()
        assert names(nav) == got and all(r.skey == m._skey_for(r) for r in m.rows.values())
    explore(s)
