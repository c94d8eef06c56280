"""The lines under the table: k9s's crumbs (the view stack) and the flash (the last message)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from k9py.explorer.resource_view import ResourceView
from k9py.ui import theme
from k9py.view.inert import inert_line

FLASH_STYLES = theme.Styles("flash", ("info", "warn", "error"))  # read when shown


class Crumbs(Static):
    _names: list[str] | None = None

    def show(self, stack: Sequence[ResourceView]) -> None:
        self.show_names([view.scope.view.name for view in stack])

    def show_names(self, names: Sequence[str]) -> None:
        """The crumbs of ``names``, the last one the active one (k9s's ``<pods> <logs>``). The
        same names again change nothing (a viewer's header is drawn again at every tick)."""
        if self._names == list(names):
            return
        self._paint(list(names))

    def _paint(self, names: list[str]) -> None:
        self._names = names
        crumbs = Text()
        for i, name in enumerate(names):
            style = theme.style("crumb.active" if i == len(names) - 1 else "crumb")
            crumbs.append(f" <{name}> ", style=style)
            crumbs.append(" ")
        self.update(crumbs)

    def restyle(self) -> None:
        """A skin was applied: the crumbs again in its colours."""
        self._paint(self._names or [])


class Flash(Static):
    """A message that clears itself after ``seconds`` (k9s clears its flash by itself).

    A message belongs to what caused it: ``source`` names the input ("filter") whose next
    good value clears it, and an error or warning does not outlive the view it was about."""

    text = ""
    level = "info"
    source: str | None = None
    _timer: Timer | None = None

    def show(self, message: str, level: str, seconds: float | None, source: str | None = None) -> None:
        """``seconds``: None, it stays until something clears it (a manual clock's app)."""
        self.update(Text(inert_line(message), style=FLASH_STYLES[level]))  # plain Text: never markup
        if self._timer is not None:
            self._timer.stop()
        self.text, self.level, self.source = message, level, source
        self._timer = self.set_timer(seconds, self._expire) if seconds is not None else None

    def restyle(self) -> None:
        """A skin was applied: the message again in its colours."""
        if self.text:
            self.update(Text(inert_line(self.text), style=FLASH_STYLES[self.level]))

    def clear(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._expire()

    def _expire(self) -> None:
        self.text, self.level, self.source = "", "info", None
        self._timer = None
        self.update("")

    def clear_from(self, source: str) -> None:
        """The input ``source`` is fine again: its message goes."""
        if self.text and self.source == source:
            self.clear()

    def clear_problems(self) -> None:
        """Another view shows: an error or warning about the last one goes."""
        if self.text and self.level in ("error", "warn"):
            self.clear()
