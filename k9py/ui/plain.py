"""Titles made of cluster or user text (names, filters, namespaces, plugin descriptions) that
Textual never parses as markup. ``rich.markup.escape`` is not enough: it leaves an unclosed
``[/`` alone, which Textual's parser then reads as a closing tag and fails on (a filter ``[/-]``
typed key by key killed the app)."""

from __future__ import annotations

from rich.text import Text

from k9py.view.inert import inert_line


def plain_title(text: str) -> Text:
    """``text`` as one inert line, shown as it is."""
    return Text(inert_line(text))
