"""Results of a pure function remembered by the identity of its arguments.

Stored objects are never changed in place, so the versions of an object (and the replicas of a
template) that leave a part as it was share that very part: a result worked out from it holds
for every one of them. Each entry keeps its arguments, so their ids stay theirs while it is kept
(an id alone could be a new object's once the old one is gone); past ``limit`` entries the memo
starts over."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def _unset(*args: Any) -> Any:
    return None


class IdentityMemo(Generic[T]):
    # (defaults: compiled, a class whose __init__ takes no argument is one pickle can rebuild)
    def __init__(self, fn: Callable[..., T] = _unset, limit: int = 0) -> None:
        self._fn = fn
        self._limit = limit
        self._entries: dict[tuple[int, ...], tuple[tuple[Any, ...], T]] = {}

    def __call__(self, *args: Any) -> T:
        key = tuple(map(id, args))
        got = self._entries.get(key)
        if got is not None and all(map(_same, got[0], args)):
            return got[1]
        value = self._fn(*args)
        if len(self._entries) >= self._limit:
            self._entries.clear()
        self._entries[key] = (args, value)
        return value

    def __len__(self) -> int:
        return len(self._entries)


def _same(a: Any, b: Any) -> bool:
    return a is b
