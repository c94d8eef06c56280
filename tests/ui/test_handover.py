"""Handing the terminal over (an editor, a shell, a foreground plugin): the app gets it back even
when the program cannot be started. Textual's own ``App.suspend`` is what runs here, over a
driver that records what it is asked to do."""

import contextlib

import pytest
from textual.app import App

from k9py.ui.handover import terminal_handed_over


class RecordingDriver:
    can_suspend = True

    def __init__(self):
        self.calls = []

    def suspend_application_mode(self):
        self.calls.append("suspend")

    def resume_application_mode(self):
        self.calls.append("resume")

    def no_automatic_restart(self):
        return contextlib.nullcontext()


def app_with(driver):
    app = App()
    app._driver = driver
    app.refresh = lambda *a, **kw: None  # (not running: nothing to repaint)
    return app


def test_the_terminal_comes_back_when_the_program_cannot_start():
    driver = RecordingDriver()
    with pytest.raises(FileNotFoundError), terminal_handed_over(app_with(driver)):
        driver.calls.append("run")
        raise FileNotFoundError(2, "No such file or directory")
    assert driver.calls == ["suspend", "run", "resume"]


def test_the_terminal_comes_back_when_the_program_ends():
    driver = RecordingDriver()
    with terminal_handed_over(app_with(driver)):
        driver.calls.append("run")
    assert driver.calls == ["suspend", "run", "resume"]
