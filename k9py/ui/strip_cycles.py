"""Painting without reference cycles.

Textual (8.2.8, pinned) caches a ``Strip``'s crops and divisions in the strip itself. When the
crop is the whole strip, ``crop_extend`` returns the strip and stores it in the strip's own
cache (and ``divide`` a list holding it): a reference cycle. The compositor does that for nearly
every line it paints, so every frame left cyclic garbage behind (with a big simulated cluster
open, about 2,400 strips and 17,000 caches in 35 s) that only the cyclic collector frees, and
some of it lived long enough to make the collector's oldest generation grow.

``install`` makes both return such a strip without caching it (there is nothing to compute).
Everything else of Textual's caching stays as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from textual.strip import Strip

_crop_extend_cached = Strip.crop_extend
_divide_cached = Strip.divide


def _crop_extend(self: Strip, start: int, end: int, style: Any) -> Strip:
    if start == 0 and end == self.cell_length:  # the strip as it is: never cached in itself
        return self
    return _crop_extend_cached(self, start, end, style)


def _divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    length = self.cell_length
    cuts = [cut for cut in cuts if cut <= length]
    if cuts == [length]:  # one piece, the strip itself: never cached in itself
        return [self]
    return _divide_cached(self, cuts)


def install() -> None:
    Strip.crop_extend = _crop_extend  # type: ignore[method-assign]
    Strip.divide = _divide  # type: ignore[method-assign]
