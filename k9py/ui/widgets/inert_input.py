"""A text box that paints what it holds inert (issue 15, "Terminal injection").

What a user pastes into `:`, `/`, a viewer's search or a dialog field may come from a log line or
a manifest and hold escape sequences or bidi overrides. The value keeps every character (a filter
still matches the raw text); only the painting goes through ``inert_line``, which maps each
character to exactly one visible one, so Textual's cursor and scrolling offsets still hold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.widget import Widget
from textual.widgets import Input

from k9py.view.inert import inert_line


class InertInput(Input):
    @property
    def _value(self) -> Text:  # Textual's Input paints this (textual is pinned in pyproject.toml)
        if self.password:
            return super()._value
        text = Text(inert_line(self.value), no_wrap=True, overflow="ignore", end="")
        if self.highlighter is not None:
            text = self.highlighter(text)
        return text


class SearchBox(InertInput):
    """A screen's own `/` box (a viewer's search, xray's filter): hidden until asked for."""

    def open(self, value: str) -> None:
        """Shown with ``value`` to edit, and the keys."""
        self.value = value
        self.display = True
        self.focus()

    def __init__(self, *, on_submit: Callable[[str], None], **kw: Any) -> None:
        super().__init__(**kw)
        self.on_submit = on_submit

    async def action_submit(self) -> None:
        """Enter: ``on_submit`` takes the text now, so that the keys typed behind the enter find
        the box closed (``ui/keyorder.py`` runs them once the enter is handled; a Submitted
        message came later, and `/atus⏎n` in one burst typed the `n` into the box)."""
        self.on_submit(self.value)

    def close(self, back_to: Widget) -> None:
        """Hidden again; the keys go back to ``back_to``."""
        self.display = False
        back_to.focus()
