"""`:` in a pushed screen (describe, YAML, logs, xray, help) as in k9s, where every view takes a
command: the screens close, the prompt opens over the view below, and what is typed behind `:`
is the command, never the screen's own keys (`:svc` in the log view toggled autoscroll and
copied the logs; `:pods` in xray opened previous logs)."""

from k9py.ui.screens.describe import DescribeScreen
from k9py.ui.screens.dialogs import DeleteDialog
from k9py.ui.screens.logs import LogScreen
from k9py.ui.screens.xray import XrayScreen
from k9py.ui.screens.yaml_view import YamlScreen
from tests.ui.simcluster import command, goto, run, settle


async def on_counter(app, pilot, key):
    await goto(app, pilot, "counter")
    await pilot.press(key)
    await settle(app, pilot)


def test_a_command_typed_in_describe_yaml_or_logs_is_run_as_a_command():
    async def s(app, pilot, cluster):
        for key, screen in (("d", DescribeScreen), ("y", YamlScreen), ("l", LogScreen)):
            await on_counter(app, pilot, key)
            assert isinstance(app.screen, screen)
            await command(app, pilot, "svc")
            assert len(app.screen_stack) == 1, key
            assert app.model.view.name == "services" and not app.prompt.display
            assert app.clipboard == ""  # (`c` is copy in those screens)
            await command(app, pilot, "pods")
    run(s)


def test_a_command_typed_in_xray_is_not_its_row_keys():
    async def s(app, pilot, cluster):
        await command(app, pilot, "xray deploy")
        assert isinstance(app.screen, XrayScreen)
        await pilot.press("colon", *"pods", "enter")  # (p is previous logs in xray)
        await settle(app, pilot)
        assert len(app.screen_stack) == 1 and app.model.view.name == "pods"
    run(s)


def test_esc_after_colon_leaves_the_view_below_and_no_prompt():
    async def s(app, pilot, cluster):
        await on_counter(app, pilot, "d")
        await pilot.press("colon")
        assert len(app.screen_stack) == 1 and app.prompt.display and app.prompt.mode == "command"
        await pilot.press("escape")
        assert not app.prompt.display and app.model.view.name == "pods"
    run(s)


def test_colon_in_a_search_box_or_a_dialog_stays_there():
    async def s(app, pilot, cluster):
        await on_counter(app, pilot, "d")
        scr = app.screen
        await pilot.press("slash", "colon", "a")  # the describe's search: `:a` is searched for
        await pilot.pause()
        assert app.screen is scr and scr.query_one("#viewer-search").value == ":a" and not app.prompt.display
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert isinstance(app.screen, DeleteDialog)
        dialog = app.screen
        await pilot.press("colon")
        await pilot.pause()
        assert app.screen is dialog and not app.prompt.display
    run(s)


def test_colon_in_help_over_a_dialog_leaves_the_dialog_to_answer():
    async def s(app, pilot, cluster):
        await on_counter(app, pilot, "ctrl+d")
        assert isinstance(app.screen, DeleteDialog)
        dialog = app.screen
        await pilot.press("question_mark")
        await pilot.pause()
        assert len(app.screen_stack) == 3
        await pilot.press("colon")
        await pilot.pause()
        assert dialog in app.screen_stack and len(app.screen_stack) == 3 and not app.prompt.display
    run(s)
