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
    m = _NAMED.match(text)
    if m is None:
        return _titled([("", text)], search)
    return subject_title(m.group(1)[:-1], m.group(2), m.group(4), search, rest=text[m.end():])


def subject_title(name: str, subject: str | None, count: int | str | None = None, search: str = "",
                  rest: str = "") -> Text:
    """``named_title``'s title from its parts: `` Xray-Pods(all)[3] `` is ``("Xray-Pods", "all", 3)``
    (no subject: ``portforwards[3]``, in the title's colour alone, as ``named_title`` shows it)."""
    if subject is None:
        return _titled([("", name + ("" if count is None else f"[{count}]") + rest)], search)
    parts = [("", f"{name}("), ("hilite", subject), ("", ")")]
    if count is not None:
        parts += [("", "["), ("count", str(count)), ("", "]")]
    return _titled([*parts, ("", rest)], search)


def _titled(parts: list[tuple[str, str]], search: str) -> Text:
    found = [("", " "), *parts, ("", " ")]
    if search:
        found += [("", "<"), ("filter", f"/{search}"), ("", "> ")]
    return skin_title(found)
