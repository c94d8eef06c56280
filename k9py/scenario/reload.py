"""Hot reload: watch a scenario file and act on every save of it."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable


async def watch_file(path: str, on_save: Callable[[], Awaitable[None]], *, debounce_ms: int = 200) -> None:
    """Run until cancelled: ``await on_save()`` after each save of ``path`` (it reads the file
    again: a broken one is its to report). One read, not a check then a read: checking a file
    builds its cluster, and a big one takes a minute to build."""
    from watchfiles import awatch

    target = os.path.abspath(path)
    # watch the directory: editors save by writing a new file and renaming it over the old one
    async for changes in awatch(os.path.dirname(target) or ".", debounce=debounce_ms, recursive=False):
        if not any(os.path.abspath(p) == target for _, p in changes):
            continue
        if os.path.exists(target):
            await on_save()
