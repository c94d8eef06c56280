"""Key hints, k9s style: the one place that turns Textual bindings into ``<key> Description``
hints and lays them out in k9s's menu columns (a pushed screen's menu, `?` help, the header).

A hint exists only for a binding that carries a description, so a menu cannot list a key that
does nothing, nor miss one that was given a description. Everything is built as plain
``rich.text.Text``: descriptions are never parsed as markup.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.geometry import Size
from textual.widgets import Static

from k9py.ui import theme
from k9py.view.inert import inert_line

MAX_ROWS = 6  # k9s's menu is at most six rows high
GAP = 2  # blank cells between two columns

# Textual key names that k9s spells differently
_NAMES = {"escape": "esc", "slash": "/", "question_mark": "?", "pagedown": "pgdn", "pageup": "pgup",
          "colon": ":", "minus": "-", "left_square_bracket": "[", "right_square_bracket": "]",
          "backspace": "bksp", "delete": "del"}


def key_label(key: str) -> str:
    """A Textual key as k9s writes it: ``ctrl+s`` -> ``<ctrl-s>``, ``G`` -> ``<shift-g>``,
    ``escape`` -> ``<esc>``, ``slash`` -> ``</>``, ``n`` -> ``<n>``."""
    *mods, base = key.split("+")
    if len(base) == 1 and base.isupper():
        mods.append("shift")
        base = base.lower()
    if base in _NAMES:
        base = _NAMES[base]
    elif len(base) > 1 and "_" in base:  # another character by its Unicode name
        with contextlib.suppress(KeyError):
            base = unicodedata.lookup(base.replace("_", " ").upper())
    return "<" + "-".join([*mods, base]) + ">"


@dataclass(frozen=True)
class Hint:
    """One menu entry: ``label`` (``<ctrl-s>``, from the binding's first key) and what it does.
    ``keys``: every Textual key of the binding (the others are alternates, listed by `?`)."""

    label: str
    description: str
    keys: tuple[str, ...] = ()
    action: str = ""

    @property
    def numbered(self) -> bool:
        return len(self.label) == 3 and self.label[1].isdigit()

    @property
    def labels(self) -> str:
        """Every key of the hint, ``<esc>/<q>`` (what `?` shows; ``N`` and ``shift+n`` once)."""
        return "/".join(dict.fromkeys(key_label(k) for k in self.keys)) if self.keys else self.label


def _as_binding(b: BindingType) -> Binding:
    return b if isinstance(b, Binding) else Binding(*b)


def hints_from_bindings(bindings: Iterable[BindingType]) -> list[Hint]:
    """The hints of ``bindings`` in their order: one per binding with a description (those
    without one are not shown anywhere). A key claimed by an earlier binding is not listed again
    (Textual runs the first binding of a key)."""
    out: list[Hint] = []
    seen: set[str] = set()
    for b in map(_as_binding, bindings):
        keys = tuple(k.strip() for k in b.key.split(",") if k.strip() and k.strip() not in seen)
        seen.update(keys)
        if keys and b.description:
            out.append(Hint(key_label(keys[0]), b.description, keys, b.action))
    return out


def binding_keys(b: Binding) -> list[str]:
    return [k.strip() for k in b.key.split(",") if k.strip()]


def declared_bindings(cls: type[DOMNode], *, own: bool = False) -> list[tuple[type[DOMNode], list[Binding]]]:
    """``cls``'s bindings as its classes declare them, grouped by class, the most derived first,
    as far as Textual inherits them. Only k9py classes count: Textual's stock keys (tab focus,
    text copy) are not ours to list. ``own``: only ``cls``'s own group."""
    groups: list[tuple[type[DOMNode], list[Binding]]] = []
    for base in cls.__mro__:
        if not (isinstance(base, type) and issubclass(base, DOMNode)) or not base.__module__.startswith("k9py."):
            continue
        groups.append((base, [_as_binding(b) for b in base.__dict__.get("BINDINGS", [])]))
        if own or not base._inherit_bindings:
            break
    return groups


def distinct(groups: Sequence[tuple[type[DOMNode], Sequence[Binding]]]) -> list[tuple[type[DOMNode], list[Binding]]]:
    """``groups`` as Textual merges them: a key a group before binds is dropped from the later
    ones (a subclass binding a key again takes it from its base)."""
    out: list[tuple[type[DOMNode], list[Binding]]] = []
    seen: set[str] = set()
    for base, bindings in groups:
        group: list[Binding] = []
        for b in bindings:
            keys = [k for k in binding_keys(b) if k not in seen]
            if keys:
                group.append(replace(b, key=",".join(keys)))
        for b in group:
            seen.update(b.key.split(","))
        out.append((base, group))
    return out


def bindings_of(cls: type[DOMNode], *, own: bool = False) -> list[tuple[type[DOMNode], list[Binding]]]:
    """``cls``'s bindings grouped by the class that declares them, the most derived first (a key
    a subclass binds again is dropped from its base's group), as Textual merges them. Only k9py
    classes count: Textual's stock screen keys (tab focus, text copy) are not ours to list.
    ``own``: only ``cls``'s own group."""
    return distinct(declared_bindings(cls, own=own))


def _columns(hints: Sequence[Hint], rows: int) -> list[list[Hint]]:
    """k9s's layout: column-major, numbered keys first in columns of their own."""
    numbered = [h for h in hints if h.numbered]
    others = [h for h in hints if not h.numbered]
    return [part[i:i + rows] for part in (numbered, others) for i in range(0, len(part), rows)]


def _column_width(col: Sequence[Hint]) -> tuple[int, int]:
    """Cells, not characters, of the text as drawn (``inert_line``): a favourite namespace or a
    plugin's words may be wide (日本), or hold a tab drawn as one cell."""
    key = max(cell_len(inert_line(h.label)) for h in col)
    return key, key + 1 + max(cell_len(inert_line(h.description)) for h in col)


def _padded(text: str, cells: int) -> str:
    return text + " " * max(0, cells - cell_len(text))


def fitting_columns(hints: Sequence[Hint], width: int, rows: int) -> list[list[Hint]]:
    """The columns of ``hints`` in ``rows`` rows that fit ``width`` cells, in order: the first
    column that does not fit and every one after it are dropped (never wrapped or cut)."""
    out: list[list[Hint]] = []
    used = 0
    for col in _columns(hints, max(1, rows)):
        need = _column_width(col)[1] + (GAP if out else 1)
        if used + need > width:
            break
        out.append(col)
        used += need
    return out


def columns_width(cols: Sequence[Sequence[Hint]]) -> int:
    """The cells ``menu_lines`` gives ``cols`` (what ``fitting_columns`` returned)."""
    return sum(_column_width(col)[1] + (GAP if i else 1) for i, col in enumerate(cols))


def rows_needed(hints: Sequence[Hint], width: int, max_rows: int = MAX_ROWS) -> int:
    """The fewest rows (up to ``max_rows``) in which every hint fits ``width``; ``max_rows``
    when none does (then the last columns are dropped)."""
    if not hints:
        return 0
    for rows in range(1, max_rows + 1):
        if sum(len(c) for c in fitting_columns(hints, width, rows)) == len(hints):
            return rows
    return max_rows


def menu_lines(hints: Sequence[Hint], width: int, rows: int) -> list[Text]:
    """``rows`` lines (blank ones included) of the hints that fit ``width`` cells."""
    cols = fitting_columns(hints, width, rows)
    key, digit, desc = theme.style("menu.key"), theme.style("menu.numkey"), theme.style("menu.desc")
    lines = [Text(no_wrap=True, overflow="crop") for _ in range(rows)]
    for c, col in enumerate(cols):
        key_w, col_w = _column_width(col)
        for r, line in enumerate(lines):
            line.append(" " * (GAP if c else 1))
            if r < len(col):
                h = col[r]
                line.append(_padded(inert_line(h.label), key_w), style=digit if h.numbered else key)  # numbered keys: their own columns
                line.append(" ")
                line.append(_padded(inert_line(h.description), col_w - key_w - 1), style=desc)  # plugins: a file's words
            else:
                line.append(" " * col_w)
    for line in lines:
        line.rstrip()
    return lines


def menu_text(hints: Sequence[Hint], width: int, rows: int) -> Text:
    """The hints in k9s's menu columns, ``rows`` lines, never wider than ``width`` cells."""
    text = Text("\n", no_wrap=True, overflow="crop").join(menu_lines(hints, width, rows))
    text.no_wrap, text.overflow = True, "crop"
    return text


class KeyMenu(Static):
    """A screen's key menu: as many rows (up to ``max_rows``) as its hints need at the width it
    gets; what does not fit is left out, never wrapped."""

    DEFAULT_CSS = "KeyMenu { height: auto; background: $k9-bg; }"

    def __init__(self, hints: Sequence[Hint] = (), *, max_rows: int = MAX_ROWS, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(markup=False, id=id, classes=classes)
        self.hints: list[Hint] = list(hints)
        self.max_rows = max_rows
        self.min_rows = 0  # rows kept whatever the hints need (xray: its keys change with the node)

    def set_hints(self, hints: Sequence[Hint]) -> None:
        if list(hints) != self.hints:
            self.hints = list(hints)
            self.refresh(layout=True)

    def set_min_rows(self, rows: int) -> None:
        """Keep ``rows`` rows (up to ``max_rows``): fewer hints fill them in shorter columns, as
        k9s's menu fills its header's rows, so the rows kept are not left blank."""
        if rows != self.min_rows:
            self.min_rows = rows
            self.refresh(layout=True)

    def rows(self, width: int) -> int:
        return max(rows_needed(self.hints, width, self.max_rows), min(self.min_rows, self.max_rows))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self.rows(width)

    def render(self) -> Text:
        width = self.content_region.width
        return menu_text(self.hints, width, self.rows(width))

    def on_resize(self) -> None:
        self.refresh(layout=True)

    def shown(self) -> list[Hint]:
        """The hints on screen now."""
        width = self.content_region.width
        return [h for col in fitting_columns(self.hints, width, self.rows(width)) for h in col]
