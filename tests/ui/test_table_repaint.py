"""The table repaints only the lines a change touched: nothing for a change to a row off screen,
the one line of a row on screen (issue 14: paint only what changed)."""

from __future__ import annotations

import asyncio

from k9py.backends.sim import SimBackend
from k9py.ui.app import K9pyApp
from tests.samples import add_pods, small_cluster


def _bump(cluster, key, restarts):
    def change(p):
        p["status"]["containerStatuses"][0]["restartCount"] = restarts
    cluster.store.mutate("Pod", key[0], key[1], change)


def test_a_change_repaints_only_its_line_and_nothing_off_screen():
    cluster = small_cluster()
    add_pods(cluster, 120, namespaces=2)

    async def main():
        app = K9pyApp(SimBackend(cluster), manual=True, view="pods", namespace="")
        async with app.run_test(size=(100, 24)) as pilot:
            for _ in range(3):
                await app.pump()
                await pilot.pause()
            table, m = app.table, app.model
            assert len(m) > table.page + 5
            painted: list[int] = []
            paint_line = table._paint_line

            def spy(y):
                painted.append(y)
                return paint_line(y)
            table._paint_line = spy

            _bump(cluster, m.key_at(len(m) - 1), 41)  # the last row: off screen
            await app.pump()
            await pilot.pause()
            assert painted == []

            key = m.key_at(3)  # on screen, line 4 (line 0 is the header)
            _bump(cluster, key, 42)
            await app.pump()
            await pilot.pause()
            assert 4 in painted and len(set(painted)) == 1
            restarts = m.col_index("RESTARTS")
            assert m.cells(m.rows[key])[restarts] == "42"

            painted.clear()
            await pilot.press("j")  # the cursor moves: the lines follow it
            await pilot.pause()
            assert len(set(painted)) > 1
    asyncio.run(main())
