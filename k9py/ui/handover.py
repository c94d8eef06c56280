"""Handing the terminal to another program (an editor, a shell, a foreground plugin) and taking
it back, whatever happens meanwhile; the keys typed ahead of it are its, not the table's."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from textual import events
from textual.app import App

# keys without a character, as a terminal sends them
KEY_BYTES = {"enter": b"\r", "tab": b"\t", "backspace": b"\x7f", "escape": b"\x1b", "space": b" "}
SWALLOW_FOR = 5.0  # seconds a typed-ahead key may take to come back through the app's queues


class TypedAhead:
    """The keys the app read after the one whose action hands the terminal over: typed for the
    program (`s` then `echo hi⏎` in one burst), they are its input; when they come through the
    app's queues afterwards they are swallowed, never run as the table's actions (the `e` of
    `echo` edited the pod, `l` opened its logs)."""

    def __init__(self) -> None:
        self.recent: deque[events.Key] = deque(maxlen=256)  # keys read (not forwarded), in order
        self.in_hand: events.Key | None = None  # the key whose bindings run now
        self._swallow: dict[int, tuple[float, events.Key]] = {}  # id → (until, the key: keeps the id taken)

    def seen(self, event: events.Key) -> bool:
        """A key reaches the app: False when it was typed ahead of a program (swallow it)."""
        if self._swallow:
            now = event.time
            for key in [k for k, (until, _) in self._swallow.items() if until < now]:
                del self._swallow[key]
            if id(event) in self._swallow:
                return False
        if not event.is_forwarded:
            self.recent.append(event)
        return True

    def take(self, app: App[Any]) -> bytes:
        """The keys read after ``in_hand`` (and those queued, not read yet, and those the terminal's
        input thread read that are still on their way to the queue), as the bytes a terminal
        would have sent; from now on they are swallowed. Again once the terminal is handed over
        (its input thread stopped): the keys it read meanwhile."""
        after = self.in_hand.time if self.in_hand is not None else None
        keys = [k for k in self.recent if after is not None and k.time > after]
        queued: list[Any] = list(app._message_queue.values)  # read, not handled yet
        keys += [m for m in queued if isinstance(m, events.Key) and not m.is_forwarded]
        read = getattr(getattr(app, "_driver", None), "keys_read", None)  # keyinput.KeysRead
        if read is not None and after is not None:
            keys += read.after(after)
        unique = {id(k): k for k in keys if id(k) not in self._swallow}
        until = max((k.time for k in unique.values()), default=0.0) + SWALLOW_FOR
        self._swallow.update({i: (until, k) for i, k in unique.items()})
        ordered = sorted(unique.values(), key=lambda k: k.time)
        return b"".join(k.character.encode() if k.character else KEY_BYTES.get(k.key, b"") for k in ordered)


@contextmanager
def terminal_handed_over(app: App[Any]) -> Iterator[bytes]:
    """``app.suspend()`` that gives the app its terminal back however the block ends. Textual's
    resumes only when the block returns: an exception inside it (an editor or a plugin command
    that cannot be started) left the screen blank and the keys echoed, for good. The exception
    is raised again once the app is back. ``SuspendNotSupported`` as from ``app.suspend()``.
    Yields the keys typed ahead of the program (``TypedAhead.take``)."""
    failure: BaseException | None = None
    typed_ahead: TypedAhead | None = getattr(app, "typed_ahead", None)
    typed = typed_ahead.take(app) if typed_ahead is not None else b""
    with app.suspend():
        if typed_ahead is not None:  # what the input thread read until it stopped
            typed += typed_ahead.take(app)
        try:
            yield typed
        except BaseException as err:  # (raised again below, once the terminal is the app's again)
            failure = err
    if failure is not None:
        raise failure
