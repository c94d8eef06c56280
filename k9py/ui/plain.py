"""Titles made of cluster or user text (names, filters, namespaces, plugin descriptions) that
Textual never parses as markup. ``rich.markup.escape`` is not enough: it leaves an unclosed
``[/`` alone, which Textual's parser then reads as a closing tag and fails on (a filter ``[/-]``
typed key by key killed the app)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.text import Text

from k9py.ui import theme
from k9py.view.inert import inert_line


def plain_title(text: str) -> Text:
    """``text`` as one inert line, shown as it is."""
    return Text(inert_line(text))


def skin_title(parts: Iterable[tuple[str, str]]) -> Text:
    """A title in k9s's parts (``ResourceView.title_parts``: ``("hilite", "default")``), each
    inert, in the skin's colour of its role (k9s's SkinTitle: the title's own, the namespace's
    highlight, the count's, the filter's)."""
    text = Text()
    for role, part in parts:
        text.append(inert_line(part), style=theme.style(f"title.{role}" if role else "title"))
    return text


# a view's title as the text views and xray write it: ``describe(default/web)``, ``Xray-Pods(all)[3]``
_NAMED = re.compile(r"([^()\s]+\()([^()]*)(\))(?:\[([\d,]+)\])?")


def named_title(text: str, search: str = "") -> Text:
    """`` describe(default/web) </ngi> ``: k9s's title of a text view (``detailsTitleFmt``) or an
    xray (``NSTitleFmt``) in the skin's colours: the subject highlighted, the count and the search
    in theirs. A title not of that shape (a file's name with parentheses) is the title's colour."""
    parts: list[tuple[str, str]] = [("", " ")]
    m = _NAMED.match(text)
    if m is None:
        parts.append(("", text))
    else:
        parts += [("", m.group(1)), ("hilite", m.group(2)), ("", m.group(3))]
        if m.group(4) is not None:
            parts += [("", "["), ("count", m.group(4)), ("", "]")]
        parts.append(("", text[m.end():]))
    parts.append(("", " "))
    if search:
        parts += [("", "<"), ("filter", f"/{search}"), ("", "> ")]
    return skin_title(parts)
