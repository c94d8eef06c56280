"""Keys run in the order they were typed, whether the app handles them at once (`:`, `/`, esc)
or a widget's bindings do: a burst typed onto a screen or a text box still opening lands there."""

from textual import events
from textual.keys import _character_to_key

from k9py.ui.screens import actions
from k9py.ui.screens.describe import DescribeScreen
from k9py.ui.screens.yaml_view import YamlScreen
from tests.ui.conftest import sync


def _type(app, *keys):
    """Keys as the terminal driver sends them, back to back (all read before any is handled)."""
    for key in keys:
        char = key if len(key) == 1 else ("\r" if key == "enter" else None)
        name = key if key.isalnum() or len(key) > 1 else _character_to_key(key)
        event = events.Key(name, char)
        event.set_sender(app)
        app._driver.send_message(event)


async def _settled(app, pilot):
    for _ in range(6):
        await sync(app, pilot)


def test_describe_then_its_search_typed_in_one_burst(drive):
    """`d/atus⏎`: the describe opens and searches `atus`. The `/atus` filtered the pods table
    before the `d` had opened the describe (which then went with the enter), or its letters
    came before the search box had the focus."""
    async def s(app, pilot, cluster):
        app.run_command("pods default")
        await _settled(app, pilot)
        _type(app, "d", "/", "a", "t", "u", "s", "enter")
        await _settled(app, pilot)
        assert isinstance(app.screen, DescribeScreen)
        assert app.screen.search_text == "atus" and app.screen.matches
        assert app.current.filter == ""  # the table under it kept its rows
    drive(s)


def test_the_key_behind_a_search_s_enter_acts_on_its_matches(drive):
    """`d/atus⏎n`: the describe's second match is the current one (the `n` went into the search
    box, still open until its Submitted message came, and was lost); in xray, `/coredns⏎j`
    moves the cursor in the tree the filter left."""
    async def s(app, pilot, cluster):
        app.run_command("pods default")
        await _settled(app, pilot)
        _type(app, "d", "/", "a", "t", "u", "s", "enter", "n")
        await _settled(app, pilot)
        assert isinstance(app.screen, DescribeScreen) and len(app.screen.matches) > 1
        assert app.screen.match_index == 1 and not app.screen.search_input.display
        _type(app, "escape", "escape", "colon", *"xray deploy", "enter")
        await _settled(app, pilot)
        tree = app.screen.xtree
        _type(app, "/", *"nginx", "enter", "j")
        await _settled(app, pilot)
        assert app.screen.filter_text == "nginx" and tree.cursor == 1 and app.focused is tree
    drive(s)


def test_a_command_started_and_left_over_a_yaml_typed_in_one_burst(drive):
    """`y:dp` then esc, typed at once: the YAML stays with its prompt closed (the `:` came before
    the YAML had its prompt, closed it and opened the table's); `y:svc⏎` runs the command."""
    async def s(app, pilot, cluster):
        app.run_command("pods default")
        await _settled(app, pilot)
        _type(app, "y", ":", "d", "p", "escape")
        await _settled(app, pilot)
        assert isinstance(app.screen, YamlScreen) and not app.screen.query_one("#screen-prompt").display
        assert app.current.scope.view.name == "pods" and not app.prompt.display
        _type(app, "escape", "y", ":", "s", "v", "c", "enter")
        await _settled(app, pilot)
        assert len(app.screen_stack) == 1 and app.current.scope.view.name == "services"
        app.run_command("pods default")
        await _settled(app, pilot)
        actions.open_view(app, "yaml")  # pushed; its widgets come on its own queue, after this key:
        assert app._route_key("colon", ":")  # the `:` a terminal's burst can bring that soon
        _type(app, "d", "p", "escape")
        await _settled(app, pilot)
        assert isinstance(app.screen, YamlScreen) and not app.screen.query_one("#screen-prompt").display
        assert not app.prompt.display and app.current.scope.view.name == "pods"
    drive(s)


def test_scale_typed_in_one_burst_with_the_new_count(drive):
    """`s⌫5⏎` on a deployment: the dialog opens with its count, the count is replaced by 5."""
    async def s(app, pilot, cluster):
        app.run_command("deploy default")
        await _settled(app, pilot)
        ns, name = app.model.row_at(0).key[:2]
        assert cluster.store.get("Deployment", ns, name)["spec"]["replicas"] != 5
        _type(app, "s", "backspace", "5", "enter")
        await _settled(app, pilot)
        assert len(app.screen_stack) == 1
        assert cluster.store.get("Deployment", ns, name)["spec"]["replicas"] == 5
    drive(s)


def test_a_screen_opened_and_closed_in_one_burst(drive):
    """`y` then esc typed back to back: the YAML opens, then closes (the esc ran first, at
    once, and the YAML opened after it and stayed)."""
    async def s(app, pilot, cluster):
        app.run_command("pods default")
        await _settled(app, pilot)
        _type(app, "y", "escape")
        await _settled(app, pilot)
        assert len(app.screen_stack) == 1
        _type(app, "y", "escape", "d")  # then the describe of the same row
        await _settled(app, pilot)
        assert isinstance(app.screen, DescribeScreen) and len(app.screen_stack) == 2
    drive(s)


def test_a_paste_waits_for_the_key_before_it(drive):
    """`d`, `/` then a paste of the word and enter, in one read: the paste lands in the describe's
    search box the `/` opened, not in the table under it."""
    async def s(app, pilot, cluster):
        app.run_command("pods default")
        await _settled(app, pilot)
        _type(app, "d", "/")
        paste = events.Paste("atus")
        paste.set_sender(app)
        app._driver.send_message(paste)
        _type(app, "enter")
        await _settled(app, pilot)
        assert isinstance(app.screen, DescribeScreen) and app.screen.search_text == "atus"
        assert app.current.filter == ""
    drive(s)


def test_a_workloads_logs_then_their_filter_typed_in_one_burst(drive):
    """`l/err⏎` on a deployment: its logs open (after its pods are listed) and filter `err`. The
    `/err⏎` filtered the deployments table before the log screen was there (no rows left under
    it), and the logs opened unfiltered."""
    from k9py.ui.screens.logs import LogScreen

    async def s(app, pilot, cluster):
        app.run_command("deploy default")
        await _settled(app, pilot)
        _type(app, "l", "/", "e", "r", "r", "enter")
        await _settled(app, pilot)
        assert isinstance(app.screen, LogScreen)
        assert app.screen.search_text == "err"
        assert app.current.filter == ""  # the table under it kept its rows
    drive(s)


def test_a_deployments_port_forward_then_its_local_port_typed_in_one_burst(drive):
    """shift-f on a deployment opens the dialog of one of its pods once they are listed: the tab
    and the port typed behind it went to the table before the dialog was there."""
    import asyncio

    from k9py.ui.screens.portforwards import PortForwardDialog

    async def s(app, pilot, cluster):
        app.run_command("deploy default")
        await _settled(app, pilot)
        listed = app.port_forwards._pods

        async def slow_pods(ns):  # a live cluster's list takes a round trip
            for _ in range(20):
                await asyncio.sleep(0)
            return await listed(ns)
        app.port_forwards._pods = slow_pods
        _type(app, "F", "tab", "ctrl+u", "9", "1", "2", "3")
        await _settled(app, pilot)
        assert isinstance(app.screen, PortForwardDialog)
        assert app.screen.query_one("#pf-local").value == "9123"
    drive(s)


def test_a_long_paste_into_the_prompt_goes_in_at_once(drive):
    """50,000 characters pasted into `:` froze the app for a minute and a half: each went in as
    a key, every one re-reading the whole line. A paste's plain run is one edit; its enter and
    a filter's `:` and `/` still act as typed."""
    from textual.widgets import Input

    async def s(app, pilot, cluster):
        changes = []
        real = app.prompt.post_message

        def counted(message):
            if isinstance(message, Input.Changed):
                changes.append(message.value)
            return real(message)

        app.prompt.post_message = counted
        app.post_message(events.Paste(":" + "x" * 20000))
        await _settled(app, pilot)
        assert app.prompt.display and app.prompt.value == "x" * 20000
        assert len(changes) <= 2  # (it was 20,000)
        await pilot.press("escape")
        app.post_message(events.Paste("/ngi:n/x\rj"))  # the filter, its enter, then a key of the table
        await _settled(app, pilot)
        assert not app.prompt.display and app.current.filter == "ngi:n/x"
    drive(s)
