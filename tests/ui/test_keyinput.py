"""Keys that arrive in one read are the keys typed: an ESC typed ahead of `:q⏎` closes the dialog
it was meant for instead of vanishing (Textual alone drops it, and the Enter behind it then
presses the dialog's OK)."""

from __future__ import annotations

from types import SimpleNamespace

from textual import events
from textual.drivers import linux_driver

from k9py.ui import keyinput
from k9py.ui.keyinput import BurstParser
from k9py.ui.screens.dialogs import DeleteDialog
from tests.ui.simcluster import goto, run, settle


def keys(parser: BurstParser, *reads: str) -> list[str]:
    return [e.key for data in reads for e in parser.feed(data)]


def test_an_escape_typed_ahead_stays_an_escape():
    assert keys(BurstParser(), "\x1b:q\r") == ["escape", "colon", "q", "enter"]
    assert keys(BurstParser(), "\x1b", "j") == ["escape", "j"]  # across two reads
    assert keys(BurstParser(), "ab\x1bpf") == ["a", "b", "escape", "p", "f"]


def test_what_terminals_send_is_still_understood():
    assert keys(BurstParser(), "\x1b[A\x1b[1;5C") == ["up", "ctrl+right"]
    assert keys(BurstParser(), "\x1b", "[B") == ["down"]
    assert keys(BurstParser(), "\x1b\x7f") == ["ctrl+w"]  # alt-backspace: Textual's word delete
    assert keys(BurstParser(), "\x1bOP") == ["f1"]


def test_installed_where_the_linux_driver_makes_its_parser():
    assert keyinput.install() and linux_driver.XTermParser is BurstParser


def test_escape_colon_q_enter_in_one_read_cancels_the_delete_dialog():
    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert isinstance(app.screen, DeleteDialog)
        for event in BurstParser().feed("\x1b:q\r"):  # one read, as a terminal hands it over
            app.post_message(event)
        await settle(app, pilot, 5)
        assert cluster.store.get("Pod", "default", "counter") is not None  # not deleted
        assert not app.is_running or not isinstance(app.screen, DeleteDialog)
    run(s)


def test_an_escape_the_drivers_tick_already_ended_is_not_ended_twice():
    p = BurstParser()
    assert keys(p, "\x1b") == []
    p._timeout_time = 0.0  # the driver's tick, once the escape delay has passed
    assert [e.key for e in p.tick()] == ["escape"]
    assert keys(p, "j") == ["j"]  # no second escape, no crash


def test_an_escape_alone_is_told_after_tcells_wait_not_textuals(monkeypatch):
    from textual import constants

    monkeypatch.delenv("ESCDELAY", raising=False)
    monkeypatch.setattr(constants, "ESCAPE_DELAY", constants.ESCAPE_DELAY)  # put back afterwards
    assert keyinput.install() and constants.ESCAPE_DELAY == keyinput.ESCAPE_DELAY == 0.05
    p = BurstParser()
    assert p.wait(keyinput.POLL) == keyinput.POLL  # nothing pending: the input loop's own pace
    assert keys(p, "\x1b") == []
    assert 0 < p.wait(keyinput.POLL) <= 0.05  # the loop wakes when the ESC's wait is over
    assert keys(p, "[A") == ["up"] and p.wait(keyinput.POLL) == keyinput.POLL  # it was a sequence


def test_the_users_escdelay_wins(monkeypatch):
    from textual import constants

    monkeypatch.setenv("ESCDELAY", "300")
    monkeypatch.setattr(constants, "ESCAPE_DELAY", 0.3)  # what Textual read of it at import
    keyinput.install()
    assert constants.ESCAPE_DELAY == 0.3


def test_the_key_drivers_input_loop_tells_a_lone_escape_then_the_keys_after_it():
    """The loop on a real file descriptor: ESC alone (told once its wait is over: no key comes
    after it), then keys; it ends when asked and when its input closes."""
    import asyncio
    import os
    import queue
    import signal
    import threading

    base = keyinput.key_driver()
    assert base is not None
    told: queue.Queue = queue.Queue()

    class Recording(base):  # type: ignore[misc, valid-type]
        def process_message(self, message):
            told.put(getattr(message, "key", type(message).__name__))

    async def main():
        saved = {s: signal.getsignal(s) for s in (signal.SIGTSTP, signal.SIGCONT)}
        try:
            driver = Recording(object())
        finally:
            for s, handler in saved.items():
                signal.signal(s, handler)
        read_end, write_end = os.pipe()
        driver.fileno = read_end
        loop = threading.Thread(target=driver.run_input_thread, daemon=True)
        loop.start()
        os.write(write_end, b"\x1b")
        assert told.get(timeout=10) == "escape"  # nothing followed: told when its wait ended
        waiting = keyinput.input_waiting(SimpleNamespace(_driver=driver, message_queue_size=0))
        assert not waiting()
        os.write(write_end, b"jk\x1b[B")
        assert [told.get(timeout=10) for _ in range(3)] == ["j", "k", "down"]
        assert waiting() and driver.reads == 2  # idle work that asked before these keys stops for them
        os.close(write_end)  # input closed: the loop waits for the exit flag without spinning
        driver.exit_event.set()
        loop.join(timeout=10)
        assert not loop.is_alive() and told.empty()
        os.close(read_end)
    asyncio.run(main())


def test_input_waiting_is_a_message_posted_to_the_app_or_a_read_since_it_was_asked():
    app = SimpleNamespace(_driver=SimpleNamespace(reads=3), message_queue_size=0)
    waiting = keyinput.input_waiting(app)
    assert not waiting()
    app.message_queue_size = 1  # a key posted (a test's, a benchmark's) and not handled yet
    assert waiting()
    app.message_queue_size = 0
    app._driver.reads = 4
    assert waiting()
    assert not keyinput.input_waiting(SimpleNamespace(_driver=None, message_queue_size=0))()  # headless


def test_a_views_filter_slices_ask_the_apps_input(drive):
    async def s(app, pilot, _cluster):
        waiting = app.navigator.current.input_waiting()  # what each lazy-filter slice asks
        assert not waiting()
        app.post_message(events.Key("j", "j"))  # a key in the app's queue, not handled yet
        assert waiting()
        await pilot.pause()
    drive(s)


def test_keys_typed_when_the_loop_stops_are_read_and_kept_in_order_not_flushed():
    """The app hands the terminal over (a shell) right after `s`: the input loop stops, and Textual
    then flushes the terminal's input. What was typed already (`echo hi⏎` of one burst) is read
    first, and every key read is kept (``keys_read``) for the app to give the shell."""
    import asyncio
    import os
    import queue
    import signal

    base = keyinput.key_driver()
    assert base is not None
    told: queue.Queue = queue.Queue()

    class Recording(base):  # type: ignore[misc, valid-type]
        def send_message(self, message):
            told.put(message)

    async def main():
        saved = {s: signal.getsignal(s) for s in (signal.SIGTSTP, signal.SIGCONT)}
        try:
            driver = Recording(object())
        finally:
            for s, handler in saved.items():
                signal.signal(s, handler)
        read_end, write_end = os.pipe()
        driver.fileno = read_end
        os.write(write_end, b"echo hi\r")
        driver.exit_event.set()  # told to stop before it looked at the input
        driver.run_input_thread()
        keys = [k.character for k in driver.keys_read.after(0.0)]
        assert "".join(keys) == "echo hi\r"
        assert [told.get_nowait().character for _ in keys] == keys and told.empty()
        first = driver.keys_read.after(0.0)[0]
        assert "".join(k.character for k in driver.keys_read.after(first.time)) == "cho hi\r"
        os.close(write_end)
        os.close(read_end)
    asyncio.run(main())
