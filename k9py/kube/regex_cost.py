"""Whether a regex could take exponential time on Python's backtracking engine.

k9s filters with Go's regexp (RE2: linear time whatever the pattern); Python's ``re`` backtracks,
and a pattern such as ``(a+)+$`` or ``(a|a)*$`` tries every way of splitting a row that almost
matches: 2**n steps for n characters, the app frozen for hours on one long name. Such patterns
are found in the parsed regex, before it ever runs: a repetition inside a repetition, or a
repeated alternation whose branches can begin with the same character (or match nothing).
"""

from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

# The characters the branches' first characters are compared on: enough to tell letters,
# digits, punctuation, spaces and a few others apart (an overlap elsewhere is not looked for).
_SAMPLE = [chr(c) for c in range(0x20, 0x7F)] + list("\t\u00a0\u00e9\u00fc\u00df\u4e2d\u0416")

_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)


def _in_class(items: list[tuple[Any, Any]], ch: str) -> bool:
    negate = False
    hit = False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            hit = hit or ch == chr(av)
        elif op is C.RANGE:
            hit = hit or av[0] <= ord(ch) <= av[1]
        elif op is C.CATEGORY:
            hit = hit or _category(av, ch)
    return hit != negate


def _category(cat: Any, ch: str) -> bool:
    tests = {C.CATEGORY_DIGIT: ch.isdigit(), C.CATEGORY_SPACE: ch.isspace(),
             C.CATEGORY_WORD: ch.isalnum() or ch == "_"}
    for positive, negative in ((C.CATEGORY_DIGIT, C.CATEGORY_NOT_DIGIT), (C.CATEGORY_SPACE, C.CATEGORY_NOT_SPACE),
                               (C.CATEGORY_WORD, C.CATEGORY_NOT_WORD)):
        if cat is positive:
            return tests[positive]
        if cat is negative:
            return not tests[positive]
    return True  # one k9py does not know: as if it took any character


def _first(seq: Any) -> tuple[frozenset[str], bool]:
    """The sample characters a match of ``seq`` may begin with, and whether it may match nothing."""
    out: set[str] = set()
    for op, av in seq:
        if op is C.LITERAL:
            return frozenset(out | {chr(av).lower()}), False
        if op is C.NOT_LITERAL:
            return frozenset(out | {c.lower() for c in _SAMPLE if c.lower() != chr(av).lower()}), False
        if op is C.ANY:
            return frozenset(out | {c.lower() for c in _SAMPLE}), False
        if op is C.IN:
            return frozenset(out | {c.lower() for c in _SAMPLE if _in_class(av, c) or _in_class(av, c.upper())}), False
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):  # zero width: what follows begins the match
            continue
        if op is C.SUBPATTERN:
            first, empty = _first(av[-1])
        elif op is C.ATOMIC_GROUP:
            first, empty = _first(av)
        elif op is C.BRANCH:
            parts = [_first(b) for b in av[1]]
            first, empty = frozenset().union(*(p[0] for p in parts)), any(p[1] for p in parts)
        elif op in _REPEATS:
            first, empty = _first(av[2])
            empty = empty or av[0] == 0
        else:  # a back reference, a conditional: anything
            return frozenset(out | {c.lower() for c in _SAMPLE}), True
        out |= first
        if not empty:
            return frozenset(out), False
    return frozenset(out), True


def _ambiguous_branch(seq: Any) -> bool:
    """Does ``seq`` hold an alternation (not under a further repetition) two of whose branches
    may begin alike, or one of which may match nothing?"""
    for op, av in seq:
        if op is C.BRANCH:
            firsts = [_first(b) for b in av[1]]
            if any(empty for _f, empty in firsts):
                return True
            seen: set[str] = set()
            for first, _e in firsts:
                if seen & first:
                    return True
                seen |= first
            if any(_ambiguous_branch(b) for b in av[1]):
                return True
        elif (op is C.SUBPATTERN and _ambiguous_branch(av[-1])) or (op is C.ATOMIC_GROUP and _ambiguous_branch(av)):
            return True
    return False


def _parts(op: Any, av: Any) -> list[Any]:
    """The sub-sequences an item holds (a group's, each branch, an assertion's, a conditional's)."""
    if op is C.SUBPATTERN:
        return [av[-1]]
    if op is C.BRANCH:
        return list(av[1])
    if op is C.ATOMIC_GROUP:
        return [av]
    if op in (C.ASSERT, C.ASSERT_NOT):
        return [av[1]]
    if op is C.GROUPREF_EXISTS:
        return [b for b in av[1:] if b is not None]
    return []


def _costly(seq: Any, repeated: bool) -> bool:
    for op, av in seq:
        if op in _REPEATS:
            many = av[1] > 1
            if (many and (repeated or _ambiguous_branch(av[2]))) or _costly(av[2], repeated or many):
                return True
        elif any(_costly(part, repeated) for part in _parts(op, av)):
            return True
    return False


def exponential(pattern: str, flags: int = re.IGNORECASE) -> bool:
    """Whether ``pattern`` (which compiles) repeats a repetition, or repeats an alternation
    whose branches may begin alike: what makes a backtracking engine take exponential time."""
    try:
        return _costly(P.parse(pattern, flags), False)
    except (re.error, RecursionError, OverflowError):
        return False  # (compiling says what is wrong with it)
