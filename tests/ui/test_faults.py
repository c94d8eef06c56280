"""Faults the explorer must ride out (issue 15): the object going away between opening an action
and confirming it, the backend failing mid-action, the terminal shrunk to 20×5 and back. Each
time: a one-line flash, the same screens and cursor as before, the app still running."""

from __future__ import annotations

from typing import Any

from textual._compositor import LayoutUpdate

from k9py.ui.screens.actions import DeleteDialog
from k9py.ui.screens.dialogs import ScaleScreen
from tests.ui.simcluster import SIZE, command, flash, goto, run, settle

NGINX = "nginx-deployment"


def screen_text(app: Any) -> str:
    """The screen as the terminal would show it after a full repaint (modals over their base)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(update, LayoutUpdate)
    return "\n".join("".join(seg.text for strip in line for seg in strip) for line in update.strips)


def test_scaling_a_deployment_deleted_behind_the_dialog():
    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        await pilot.press("s")
        assert isinstance(app.screen, ScaleScreen)
        cluster.delete("Deployment", "default", NGINX)  # someone else, meanwhile
        await pilot.press("backspace", "5", "enter")
        await settle(app, pilot)
        assert len(app.screen_stack) == 1
        msg = flash(app)
        assert "\n" not in msg and NGINX in msg and "not found" in msg
        await pilot.press("j", "k")  # still driving
        assert app.is_running
    run(s)


def test_deleting_a_pod_that_is_already_gone():
    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, DeleteDialog)
        cluster.store.delete("Pod", "default", "counter")
        await pilot.click("#ok")
        await settle(app, pilot)
        assert len(app.screen_stack) == 1
        msg = flash(app)
        assert "\n" not in msg and "counter" in msg and "not found" in msg
        assert "counter" not in [app.model.row_at(i).key[1] for i in range(len(app.model))]
    run(s)


def test_backend_failure_mid_action_is_one_line_in_the_flash():
    async def s(app, pilot, cluster):
        sim = app.backend

        def refuse(*_a: Any, **_k: Any) -> Any:
            raise ConnectionResetError(104, "Connection reset by peer")
        sim.scale = refuse  # the connection drops as the request goes out
        await command(app, pilot, "deploy")
        await pilot.press("s", "backspace", "4", "enter")
        await settle(app, pilot)
        msg = flash(app)
        assert "\n" not in msg and "Connection reset by peer" in msg
        assert cluster.store.get("Deployment", "default", NGINX)["spec"]["replicas"] == 2
        del sim.scale
        await pilot.press("s", "backspace", "3", "enter")  # the next try goes through
        await settle(app, pilot)
        assert cluster.store.get("Deployment", "default", NGINX)["spec"]["replicas"] == 3
    run(s)


def test_shrunk_to_20x5_and_back_on_every_kind_of_screen():
    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        row = app.table.cursor_row
        steps: list[tuple[str, tuple[str, ...], str]] = [
            ("table", (), "counter"), ("describe", ("d",), "counter"), ("yaml", ("escape", "y"), "counter"),
            ("logs", ("escape", "l"), "counter"), ("help", ("escape", "question_mark"), "Containers"),
            ("delete dialog", ("escape", "ctrl+d"), "counter"),
        ]
        for where, keys, shown in steps:
            await pilot.press(*keys)
            await settle(app, pilot)
            screen, depth = type(app.screen), len(app.screen_stack)
            await pilot.resize_terminal(20, 5)
            await settle(app, pilot)
            screen_text(app)  # paints at 20×5 without raising
            await pilot.resize_terminal(1, 1)
            await settle(app, pilot)
            await pilot.resize_terminal(*SIZE)
            await settle(app, pilot)
            assert (type(app.screen), len(app.screen_stack)) == (screen, depth), where
            assert app.table.cursor_row == row, where
            assert shown in screen_text(app), where
        await pilot.press("escape")
        await settle(app, pilot)
        assert len(app.screen_stack) == 1 and app.is_running
    run(s)
