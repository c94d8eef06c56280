"""Type-ahead: keys typed faster than the screen changes go where they were meant (a quick
typist, a paste, two commands back to back), as sent by a terminal — all at once, no waiting."""

import asyncio

from textual import events

from k9py.backends.sim import SimBackend
from k9py.ui.app import K9pyApp
from k9py.ui.screens.describe import DescribeScreen
from tests.samples import small_cluster
from tests.ui.conftest import SIZE, sync, visible_names

# "\n": a newline typed before the terminal left cooked mode reaches the app as ctrl+j
NAMED = {":": "colon", "/": "slash", "\r": "enter", "\n": "ctrl+j", "\x7f": "backspace", "\x1b": "escape", " ": "space", "-": "minus",
         "=": "equals_sign", "\t": "tab"}


def burst(app, text):
    """Hand ``text`` to the app as one read from the terminal: every key queued before any runs."""
    for ch in text:
        key = NAMED.get(ch, ch)
        app._driver.send_message(events.Key(key, "\r" if key == "enter" else ch))  # as the driver would


def test_a_command_typed_in_one_burst_opens_its_view(drive):
    async def s(app, pilot, cluster):
        burst(app, ":deploy\r")
        await sync(app, pilot)
        assert not isinstance(app.screen, DescribeScreen)  # the `d` did not land on the table
        assert app.title_text() == "deployments(default)[1]"
        assert not app.prompt.display and app.focused is app.table
    drive(s)


def test_two_commands_and_a_filter_back_to_back(drive):
    async def s(app, pilot, cluster):
        burst(app, ":svc\r:po\r/counter\r")
        await sync(app, pilot)
        assert app.title_text() == "pods(default)[1] </counter>"
        assert visible_names(app) == ["counter"]
        app._driver.send_message(events.Key("escape", "\x1b"))  # esc clears the filter
        await sync(app, pilot)
        assert app.title_text() == "pods(default)[5]"
    drive(s)


def test_a_pasted_command_with_arguments(drive):
    async def s(app, pilot, cluster):
        burst(app, ":pods kube-system\r")
        await sync(app, pilot)
        assert app.title_text() == "pods(kube-system)[2]"
        burst(app, ":po default app=nginx\rj")  # and a key for the table right after
        await sync(app, pilot)
        assert app.title_text() == "pods(default)[3] <app=nginx>"
        assert app.table.cursor_index == 1
    drive(s)


def test_keys_typed_during_start_up_are_kept():
    """Keys that reach the app before its first view exists are processed once it is up."""
    class EarlyKeys(K9pyApp):
        def on_mount(self) -> None:  # Textual runs this before K9pyApp.on_mount
            burst(self, ":dp\n")  # typed while the demo was being built: the tty was still cooked

    async def main():
        app = EarlyKeys(SimBackend(small_cluster()), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            assert app.title_text() == "deployments(default)[1]"
            assert [v.scope.view.name for v in app.navigator.stack] == ["deployments"]
    asyncio.run(main())


def test_newlines_typed_before_the_terminal_went_raw_are_enters(drive):
    """`:deploy⏎⏎l` typed while k9py starts reaches it as `:deploy`, two newlines (ctrl+j) and
    `l`: the second newline drills into the deployment's pods (it did nothing, and the `l` then
    opened the whole deployment's logs) and the `l` opens a pod's."""
    from k9py.ui.screens.logs import LogScreen

    async def s(app, pilot, cluster):
        burst(app, ":deploy\n\nl")
        for _ in range(5):
            await sync(app, pilot)
        assert [v.scope.view.name for v in app.navigator.stack] == ["deployments", "pods"]
        assert isinstance(app.screen, LogScreen) and app.screen.title_text.startswith("Logs(default/nginx-")
        assert app.screen.title_text.count("-") >= 3  # a pod's (nginx-deployment-HASH-ID), not the deployment's
    drive(s)


def test_editing_keys_and_a_bracketed_paste(drive):
    async def s(app, pilot, cluster):
        burst(app, ":svx\x7fc\r")  # a typo fixed with backspace, all in one burst
        await sync(app, pilot)
        assert app.title_text() == "services(default)[2]"
        app._driver.send_message(events.Paste(":cm\r"))  # a terminal's bracketed paste
        await sync(app, pilot)
        assert app.title_text() == "configmaps(default)[2]"
    drive(s)


def test_keys_typed_right_after_esc_on_a_pushed_screen(drive):
    async def s(app, pilot, cluster):
        await pilot.press("d")
        await sync(app, pilot)
        assert isinstance(app.screen, DescribeScreen)
        burst(app, "\x1b:dp\r")  # close describe and open deployments in one burst
        await sync(app, pilot)
        await sync(app, pilot)
        assert app.screen is app.screen_stack[0] and len(app.screen_stack) == 1
        assert app.title_text() == "deployments(default)[1]"
    drive(s)


def test_typing_at_the_prompt_asks_for_no_layout_and_keeps_the_cursor_in_sight(drive):
    """Textual's Input asks for a layout of the whole screen on every edit (its width follows
    the text); the prompt's box never changes size, so a key repaints it and no more."""
    async def s(app, pilot, cluster):
        burst(app, "/")
        await sync(app, pilot)
        p = app.prompt
        for ch in "counter-" * 20:  # far wider than the box: it scrolls to keep the cursor in sight
            p.feed(ch, ch)  # what the app does with a key at the prompt
            assert not p._layout_required, p.value
        await pilot.pause()
        assert p.value == "counter-" * 20 and p.virtual_size.width == len(p.value) + 1
        assert p.scroll_x > 0 and p.cursor_screen_offset.x < p.region.right
    drive(s)


def test_keys_typed_behind_the_key_that_closes_help_reach_the_view(drive):
    async def s(app, pilot, cluster):
        await pilot.press("question_mark")
        await sync(app, pilot)
        assert len(app.screen_stack) == 2
        burst(app, "q:deploy\r")
        for _ in range(50):  # a burst takes a few rounds to go through
            await sync(app, pilot)
            if app.title_text() == "deployments(default)[1]":
                break
        assert len(app.screen_stack) == 1 and app.title_text() == "deployments(default)[1]"
    drive(s)


def test_a_row_key_typed_while_the_demo_loads_waits_for_its_row():
    """`:deploy⏎d` typed at start, before the demo is there: the deployments view opens on the
    waiting cluster (no rows), the `d` waits, and describes nginx-deployment once the demo is in."""
    from k9py.backends.demo import DemoBackend

    async def main():
        backend = DemoBackend()  # the waiting cluster; a manual app loads nothing by itself
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            burst(app, ":deploy\rd")
            await sync(app, pilot)
            assert app.title_text() == "deployments(default)[0]" and len(app.held_keys.keys) == 1
            assert len(app.screen_stack) == 1
            loading = asyncio.get_running_loop().create_task(backend.load())  # what start() does
            for _ in range(600):  # (a manual app: its informer flushes when the test syncs)
                if isinstance(app.screen, DescribeScreen):
                    break
                await sync(app, pilot)
                await pilot.pause(0.02)
            assert isinstance(app.screen, DescribeScreen), app.title_text()
            assert app.screen.title_text == "Describe(default/nginx-deployment)" and app.held_keys.keys == []
            await loading
            await pilot.press("escape")
            await pilot.press("j")  # the demo is there: keys go their way at once
            assert app.held_keys.keys == []
    asyncio.run(main())


def test_a_drill_typed_while_the_demo_loads_lands_and_the_keys_behind_it_act_below():
    """`:deploy⏎⏎l` typed at start: the enter drills into the deployment's pods once its row is
    there, and the `l` opens the logs of a pod. The enter came before the table had taken the
    rows (no cursor row: nothing happened) and the `l` opened the whole deployment's logs."""
    from k9py.backends.demo import DemoBackend
    from k9py.ui.screens.logs import LogScreen

    async def main():
        backend = DemoBackend()
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            burst(app, ":deploy\r\rl")
            await sync(app, pilot)
            assert app.title_text() == "deployments(default)[0]" and len(app.held_keys.keys) == 2
            loading = asyncio.get_running_loop().create_task(backend.load())
            for _ in range(600):
                if isinstance(app.screen, LogScreen):
                    break
                await sync(app, pilot)
                await pilot.pause(0.02)
            assert isinstance(app.screen, LogScreen), app.title_text()
            assert app.screen.title_text.startswith("Logs(default/nginx-deployment-"), app.screen.title_text
            assert [v.scope.view.name for v in app.navigator.stack] == ["deployments", "pods"]
            await loading
    asyncio.run(main())


def test_held_keys_wait_until_the_table_has_the_rows_and_a_row_key_finds_its_row(drive):
    """A view loaded in a worker has its rows before the table takes its model (a message
    later): held keys wait for the table. A key that comes when the table has the model's rows
    but has not placed its cursor yet acts on the first row, not on none."""
    from types import SimpleNamespace

    from k9py.ui.heldkeys import HeldKeys

    rows = [object()]
    assert not HeldKeys(SimpleNamespace(model=rows, table=SimpleNamespace(model=None)))._rows_in_table()
    assert HeldKeys(SimpleNamespace(model=rows, table=SimpleNamespace(model=rows)))._rows_in_table()
    assert not HeldKeys(SimpleNamespace(model=[], table=SimpleNamespace(model=[])))._rows_in_table()

    async def s(app, pilot, cluster):
        app.run_command("deploy default")
        await sync(app, pilot)
        t = app.table
        first = app.model.key_at(0)
        t.cursor_key = None  # (the rows came, the table has not taken them yet)
        row = t.cursor_row
        assert row is not None and row.key == first and t.cursor_key == first
    drive(s)


def test_a_key_queued_behind_held_ones_runs_after_them():
    """The held keys are handed back at the end of the app's queue: a key the terminal sent
    meanwhile (already queued, ahead of them) waits for them, then follows them."""
    from types import SimpleNamespace

    from k9py.ui.heldkeys import HeldKeys

    class Timer:
        def stop(self):
            pass

    posted = []
    app = SimpleNamespace(post_message=posted.append, set_interval=lambda *a: Timer())
    held = HeldKeys(app)
    held._should_wait = lambda event: True  # (the demo loading, a table with no rows)
    d, j = events.Key("d", "d"), events.Key("j", "j")
    assert held.take(d)
    held.release()
    [d_again] = posted
    held._should_wait = lambda event: False  # the demo is there now
    assert held.take(j)  # `j` was in the queue ahead of the `d` handed back: it waits
    assert not held.take(d_again) and d_again.key == "d"  # the `d` runs first...
    [_, j_again] = posted
    assert j_again.key == "j" and not held.take(j_again)  # ...then the `j`
    assert not held.take(events.Key("k", "k")) and held.keys == []  # and keys go their way again
