"""Reading and writing an in-process cluster from the event loop without waiting on it there.

A step of the simulator's clock runs in a worker thread under the cluster's lock. At 10,000
pods a step takes tens of milliseconds; in a big cluster that falls behind real time it can take
seconds. Whatever the event loop does under the same lock (a view opening its watch, describe,
a delete) must not wait for the step on the loop itself: keys, frames and the flash would stop
for as long as the step runs (a 100,000-pod scenario froze the screen for over half a minute).

``under(lock, fn)`` runs ``fn()`` holding ``lock``: at once, in place, when the lock is free (an
idle cluster, the tests' manual clock: no thread hop, the same order as a plain ``with``), else
in a worker thread that waits for it while the loop goes on. A thread that holds the lock for
long (a seek runs the clock for seconds) lets such waiters in between its parts
(``let_waiters_in``): a lock gives no turn to whoever waited longest.

``in_thread(fn)`` runs work that takes seconds (a cluster's build, a seek) in a daemon thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R")

_waiters: Counter[int] = Counter()  # id(lock) → ``under``'s worker threads waiting for it
_waiters_lock = threading.Lock()
HAND_OVER_POLL = 0.001  # seconds between looks at whether the waiters let in are through


async def under(lock: Any, fn: Callable[[], R], undo: Callable[[R], Any] | None = None) -> R:
    """``fn()`` with ``lock`` held, never blocking the running event loop to get it. ``undo``:
    what to do with ``fn``'s result if the caller is cancelled while a worker thread waits for
    the lock (``fn`` still runs then: a watch it opens is stopped by ``undo``, not left feeding
    a queue nobody reads)."""
    if lock.acquire(blocking=False):
        try:
            return fn()
        finally:
            lock.release()

    def waiting() -> R:
        with _waiters_lock:
            _waiters[id(lock)] += 1
        try:
            with lock:
                return fn()
        finally:
            with _waiters_lock:
                _waiters[id(lock)] -= 1
                if not _waiters[id(lock)]:
                    del _waiters[id(lock)]
    pending = asyncio.ensure_future(asyncio.to_thread(waiting))
    try:
        return await asyncio.shield(pending)
    except asyncio.CancelledError:
        if undo is not None:
            pending.add_done_callback(functools.partial(_undo, undo))
        raise


def let_waiters_in(lock: Any) -> None:
    """Called without ``lock`` by a thread that takes it again and again (a seek's parts): wait
    until the callers of ``under`` who were waiting for it had their turn."""
    while _waiters.get(id(lock)):
        time.sleep(HAND_OVER_POLL)


async def in_thread(fn: Callable[..., R], *args: Any) -> R:
    """``fn(*args)`` in a daemon thread: quitting while it runs does not wait for it (an
    executor's threads are joined at exit)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[R] = loop.create_future()

    def settle(value: Any, error: BaseException | None) -> None:
        if done.done():
            return
        if error is not None:
            done.set_exception(error)
        else:
            done.set_result(value)

    def work() -> None:
        try:
            value, error = fn(*args), None
        except BaseException as err:  # handed to the awaiting task
            value, error = None, err
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
            loop.call_soon_threadsafe(settle, value, error)

    threading.Thread(target=work, name="k9py-work", daemon=True).start()
    return await done


def _undo(undo: Callable[[R], Any], done: asyncio.Future[R]) -> None:
    if not done.cancelled() and done.exception() is None:
        undo(done.result())


async def watch_and_list(store: Any, lock: Any, kind: str, callback: Callable[..., Any],
                         namespace: str | None) -> tuple[Any, list[Any], dict[tuple[str, str], Any]]:
    """A watch of ``kind`` (in ``namespace``) opened on an in-process store and its objects
    listed (by namespace/name, and keyed so in a new dict: ``Listed.keyed``), all under ``lock``
    (through ``under``: the watch is stopped if its caller went while waiting for the lock)."""
    def subscribe() -> tuple[Any, list[Any], dict[tuple[str, str], Any]]:
        return store.watch(kind, callback, namespace=namespace), store.list(kind, namespace), store.keyed(kind, namespace)
    return await under(lock, subscribe, undo=_stop_watch)


def _stop_watch(subscribed: tuple[Any, ...]) -> None:
    subscribed[0].stop()

