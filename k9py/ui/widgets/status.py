"""The lines under the table: k9s's crumbs (the view stack) and the flash (the last message)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from k9py.explorer.resource_view import ResourceView

FLASH_STYLES = {"info": "#ffdead", "warn": "#ffa500", "error": "#ff4500"}


class Crumbs(Static):
    def show(self, stack: Sequence[ResourceView]) -> None:
        crumbs = Text()
        for i, view in enumerate(stack):
            style = "black on #ffa500" if i == len(stack) - 1 else "black on #00ffff"
            crumbs.append(f" <{view.scope.view.name}> ", style=style)
            crumbs.append(" ")
        self.update(crumbs)


class Flash(Static):
    """A message that clears itself after ``seconds`` (k9s clears its flash by itself)."""

    text = ""
    _timer: Timer | None = None

    def show(self, message: str, level: str, seconds: float) -> None:
        self.update(Text(message, style=FLASH_STYLES[level]))  # plain Text: never markup
        if self._timer is not None:
            self._timer.stop()
        self.text = message
        self._timer = self.set_timer(seconds, self.clear)

    def clear(self) -> None:
        self.text = ""
        self._timer = None
        self.update("")
