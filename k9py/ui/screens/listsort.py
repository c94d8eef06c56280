"""k9s's column sorts on the pushed screens' lists (`:pf`, the references view, `ctrl-a`'s
aliases): a column's key sorts by it, ascending; the same key again turns the order round
(k9s's ``SortColCmd``). The header marks the column, ``NAME↑`` / ``NAME↓``, as the tables do."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from k9py.kube.unicode import digits

T = TypeVar("T")


def natural(text: str) -> tuple[Any, ...]:
    """A key that orders the numbers in ``text`` by their value: ``9090:90`` after ``8080:80``."""
    return tuple((0, int(p), "") if digits(p) else (1, 0, p.lower()) for p in re.split(r"([0-9]+)", text) if p)


@dataclass
class ListSort:
    col: str = ""  # "": the list's own order
    asc: bool = True

    def toggle(self, col: str) -> None:
        self.asc = not self.asc if col == self.col else True
        self.col = col

    def order(self, items: Iterable[T], key: Callable[[T, str], Any]) -> list[T]:
        """``items`` in this order (``key(item, column)``: what an item sorts by there)."""
        out = list(items)
        if self.col:
            out.sort(key=lambda it: key(it, self.col), reverse=not self.asc)
        return out

    def header(self, columns: Sequence[str]) -> tuple[str, ...]:
        """``columns``, the sorted one with its arrow."""
        arrow = "↑" if self.asc else "↓"
        return tuple(c + arrow if c == self.col else c for c in columns)
