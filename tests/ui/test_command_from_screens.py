"""`:` in a pushed screen (describe, YAML, logs, xray, help) as in k9s, where every view takes a
command: what is typed behind `:` is the command, never the screen's own keys (`:svc` in the log
view toggled autoscroll and copied the logs; `:pods` in xray opened previous logs). A describe,
YAML or log view has the prompt over it and stays until a command runs (esc, or a command not
found, leave it open, as k9s's prompt does), and so does every view wearing k9s's chrome (xray,
pulses, `:pf`, `:screendumps`, `:benchmarks`, `:dir`); over the others (help) the screens close
first."""

import pytest

from k9py.ui.screens.chrome import Chromed
from k9py.ui.screens.describe import DescribeScreen
from k9py.ui.screens.dialogs import DeleteDialog
from k9py.ui.screens.logs import LogScreen
from k9py.ui.screens.xray import XrayScreen
from k9py.ui.screens.yaml_view import YamlScreen
from tests.ui.simcluster import command, flash, goto, run, settle


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


async def own_prompt_opened_then_closed(app, pilot, scr) -> None:
    """`:sv` over ``scr`` opens its own prompt (not the table's); esc closes only that."""
    await pilot.press("colon", "s", "v")
    own = scr.query_one("#screen-prompt")
    assert app.screen is scr and own.display and own.value == "sv" and not app.prompt.display
    await pilot.press("escape")
    await settle(app, pilot)
    assert app.screen is scr and not own.display


def test_esc_after_colon_closes_the_prompt_and_leaves_the_describe_open_as_in_k9s():
    async def s(app, pilot, cluster):
        await on_counter(app, pilot, "d")
        scr = app.screen
        await own_prompt_opened_then_closed(app, pilot, scr)
        assert app.focused is scr.body
        await pilot.press("escape")  # the describe's own esc again
        await settle(app, pilot)
        assert len(app.screen_stack) == 1 and app.model.view.name == "pods" and not app.prompt.display
    run(s)


def test_a_command_not_found_over_the_logs_is_said_there_and_the_logs_stay():
    async def s(app, pilot, cluster):
        await on_counter(app, pilot, "l")
        scr = app.screen
        await command(app, pilot, "popeye")
        assert app.screen is scr and isinstance(scr, LogScreen)
        assert "`popeye` command not found" in flash(app)
        assert app.model.view.name == "pods"
        await pilot.press("colon", "up")  # the prompt recalls what ran before, as the table's
        assert scr.query_one("#screen-prompt").value == app.navigator.commands[-1] != ""
        await pilot.press("ctrl+u", *"dp", "tab", "enter")
        await settle(app, pilot)
        assert len(app.screen_stack) == 1 and app.model.view.name == "deployments"
    run(s)


def screen_flash(screen) -> str:
    return str(screen.flash_line().render())


@pytest.mark.parametrize("typed", ["xray dp", "pulses", "pf", "sd", "bench", "dir {tmp}"])
def test_colon_over_every_chromed_view_opens_its_own_prompt_and_esc_leaves_the_view(typed, tmp_path):
    """`:xray dp`, `:`, esc left the pods table, not the xray (k9s: the xray)."""
    async def s(app, pilot, cluster):
        await command(app, pilot, typed.format(tmp=tmp_path))
        scr = app.screen
        assert isinstance(scr, Chromed) and len(app.screen_stack) == 2
        home = app.focused
        await own_prompt_opened_then_closed(app, pilot, scr)
        assert app.focused is home and home is not None
        await command(app, pilot, "popeye")  # said on the view, which stays
        assert app.screen is scr and "`popeye` command not found" in screen_flash(scr)
        await command(app, pilot, "svc")
        assert len(app.screen_stack) == 1 and app.model.view.name == "services" and not app.prompt.display
    run(s)


def test_a_command_not_found_over_pf_stays_said_across_its_repaints():
    """:pf repaints every second and wrote its note over the flash: `:popeye` was said for a moment."""
    async def s(app, pilot, cluster):
        await command(app, pilot, "pf")
        scr = app.screen
        await command(app, pilot, "popeye")
        scr.reload()  # its timer's repaint
        assert "`popeye` command not found" in screen_flash(scr)
    run(s)


def test_a_view_opened_from_xray_keeps_its_prompt_and_esc_leaves_it_open():
    """xray, `d` on a node, `:` and esc: k9s's describe stays (it closed xray and the describe)."""
    async def s(app, pilot, cluster):
        await command(app, pilot, "xray dp")
        xray = app.screen
        xray.xtree.move_to(2)  # deployment/nginx-deployment
        await pilot.press("d")
        await settle(app, pilot)
        scr = app.screen
        assert isinstance(scr, DescribeScreen) and app.screen_stack[1:] == [xray, scr]
        await pilot.press("colon", "s", "escape")
        await settle(app, pilot)
        assert app.screen is scr and not scr.query_one("#screen-prompt").display
        await pilot.press("escape")  # the describe's own esc: back on the xray
        await settle(app, pilot)
        assert app.screen is xray
    run(s)


def test_a_pane_command_over_the_yaml_closes_it_and_splits():
    async def s(app, pilot, cluster):
        await on_counter(app, pilot, "y")
        await command(app, pilot, "split svc")
        assert len(app.screen_stack) == 1 and len(app.splits.leaves()) == 2
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
