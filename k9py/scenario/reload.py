"""Hot reload: watch a scenario file, re-validate it on every save, and either restart the run
(valid) or keep the old run and report why not (invalid)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable

from k9py.scenario.files import check


def validate(path: str) -> str | None:
    """None if the file is fine, else its problems (one per line)."""
    errors = check(path)
    return "\n".join(str(e) for e in errors) if errors else None


async def watch_file(path: str, on_valid: Callable[[], Awaitable[None]], on_error: Callable[[str], None],
                     *, debounce_ms: int = 200) -> None:
    """Run until cancelled: ``await on_valid()`` after a save that checks clean (checked in a
    worker thread: a big file takes seconds), ``on_error(message)`` after one that does not."""
    from watchfiles import awatch

    target = os.path.abspath(path)
    # watch the directory: editors save by writing a new file and renaming it over the old one
    async for changes in awatch(os.path.dirname(target) or ".", debounce=debounce_ms, recursive=False):
        if not any(os.path.abspath(p) == target for _, p in changes):
            continue
        if not os.path.exists(target):
            continue
        problem = await asyncio.to_thread(validate, target)
        if problem is None:
            await on_valid()
        else:
            on_error(problem)
