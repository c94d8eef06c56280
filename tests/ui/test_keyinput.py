"""Keys that arrive in one read are the keys typed: an ESC typed ahead of `:q⏎` closes the dialog
it was meant for instead of vanishing (Textual alone drops it, and the Enter behind it then
presses the dialog's OK)."""

from __future__ import annotations

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
