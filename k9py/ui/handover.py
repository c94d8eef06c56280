"""Handing the terminal to another program (an editor, a shell, a foreground plugin) and taking
it back, whatever happens meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from textual.app import App


@contextmanager
def terminal_handed_over(app: App[Any]) -> Iterator[None]:
    """``app.suspend()`` that gives the app its terminal back however the block ends. Textual's
    resumes only when the block returns: an exception inside it (an editor or a plugin command
    that cannot be started) left the screen blank and the keys echoed, for good. The exception
    is raised again once the app is back. ``SuspendNotSupported`` as from ``app.suspend()``."""
    failure: BaseException | None = None
    with app.suspend():
        try:
            yield
        except BaseException as err:  # (raised again below, once the terminal is the app's again)
            failure = err
    if failure is not None:
        raise failure
