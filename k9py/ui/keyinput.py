"""Keys as a person typed them, even when they arrive in one read.

Textual's terminal parser takes an ESC followed at once by a character that begins no escape
sequence (``esc :q⏎`` typed fast, a tmux ``send-keys Escape :q Enter``, a paste) as one unknown
sequence and drops the ESC: the ``:`` lands in the dialog the ESC was meant to close, and the
Enter behind it presses the dialog's OK (a delete confirmed). ``BurstParser`` emits that ESC as
the escape key first. Sequences terminals really send (CSI ``ESC [``, SS3 ``ESC O``, OSC, DCS,
ESC before a control key: alt-backspace, alt-tab) are left alone; ESC before a printable key is
the escape key then that key, never alt+key (k9py binds no alt+letter, k9s neither).

An ESC alone in its read may still be the start of a sequence whose rest is on its way: it is
the escape key once ``ESCAPE_DELAY`` passed without more. Textual waits 100 ms and its input
loop only looks every 100 ms; k9s (tcell) waits 50 ms. ``KeyDriver``'s loop wakes when the wait
ends, and the wait is tcell's unless the user's ``ESCDELAY`` (ms, as for curses and Textual)
says otherwise: `esc` (back, close) is told in about 50 ms instead of 100-200.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import threading
from codecs import getincrementaldecoder
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from textual import constants, events
from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser

ESC = "\x1b"
ESCAPE_DELAY = 0.05  # s an ESC alone waits for the rest of a sequence (tcell's, which k9s reads keys with)
POLL = 0.1  # s the input loop waits at most between looks at the exit flag
SEQUENCE_STARTS = frozenset("[O]P_\\" + ESC)  # CSI, SS3, OSC, DCS, APC, ST, a second ESC


def lone_escape(data: str, i: int) -> bool:
    """Whether the ESC at ``data[i]`` is the escape key, followed by a key of its own."""
    if i + 1 >= len(data):
        return False  # the parser's own timeout decides
    nxt = data[i + 1]
    return nxt.isprintable() and nxt not in SEQUENCE_STARTS


class BurstParser(XTermParser):
    _esc_last = False  # the last read ended with an ESC still waiting for its timeout

    def feed(self, data: str) -> Iterable[Any]:
        if self._esc_last and data and lone_escape(ESC + data, 0):
            yield from self._escape_now()  # the ESC the last read ended with was the escape key
        self._esc_last = False
        start = 0
        for i, ch in enumerate(data):
            if ch == ESC and lone_escape(data, i):
                yield from super().feed(data[start:i + 1])
                yield from self._escape_now()
                start = i + 1
        if start < len(data) or not data:
            yield from super().feed(data[start:])
        self._esc_last = data.endswith(ESC) and self._timeout_time is not None

    def wait(self, longest: float) -> float:
        """How long the input loop may wait for more input: ``longest``, or less while an ESC
        waits to be told as the escape key."""
        due = self._timeout_time
        return longest if due is None else max(0.0, min(longest, due - get_time()))

    def _escape_now(self) -> Iterable[Any]:
        """End the pending ESC as the escape key (what its timeout would do, without waiting).
        Nothing when no ESC is pending (the driver's own tick may have ended it already)."""
        if getattr(self._awaiting, "timeout", None) is None:
            return []
        self._timeout_time = 0.0
        return list(self.tick())


def install() -> bool:
    """Make Textual's Linux drivers read keys with ``BurstParser``. False where this Textual
    has no such place (the keys then read as Textual reads them)."""
    try:
        from textual.drivers import linux_driver
    except ImportError:  # pragma: no cover - not a POSIX terminal
        return False
    if getattr(linux_driver, "XTermParser", None) is not XTermParser and \
            getattr(linux_driver, "XTermParser", None) is not BurstParser:
        return False  # pragma: no cover - a Textual that parses elsewhere
    linux_driver.XTermParser = BurstParser  # type: ignore[misc]
    if "ESCDELAY" not in os.environ:  # the user's own wins (Textual reads it at import)
        constants.ESCAPE_DELAY = ESCAPE_DELAY  # type: ignore[misc]
    return True


class KeysRead:
    """The last keys the input thread read, in order, as it posted them: a key read just before
    the app hands the terminal over (`s` then `echo hi⏎` in one burst) may still be on its way to
    the app's queue, so the app asks here which keys were typed ahead of the program."""

    def __init__(self, size: int = 256) -> None:
        self._keys: deque[events.Key] = deque(maxlen=size)
        self._lock = threading.Lock()  # the input thread adds, the app's thread reads

    def add(self, key: events.Key) -> None:
        with self._lock:
            self._keys.append(key)

    def after(self, time: float) -> list[events.Key]:
        """The keys read after ``time`` (a key's ``time``), oldest first."""
        with self._lock:
            return [k for k in self._keys if k.time > time]


def input_waiting(app: Any) -> Callable[[], bool]:
    """Whether input came since this was asked for: read by the terminal (``KeyDriver``
    counts its reads) or posted to the app and not yet handled. Idle work ends its slice on it,
    so a key waits for no more than a few rows' work."""
    driver = getattr(app, "_driver", None)
    reads = getattr(driver, "reads", 0)
    return lambda: app.message_queue_size > 0 or getattr(driver, "reads", 0) != reads


def key_driver() -> type[Any] | None:
    """Textual's Linux driver with ``BurstParser`` and an input loop that wakes when an ESC's
    wait ends (Textual's looks every ``POLL``). None where there is no such driver."""
    try:
        from textual.drivers.linux_driver import LinuxDriver
    except ImportError:  # pragma: no cover - not a POSIX terminal
        return None

    class KeyDriver(LinuxDriver):
        reads = 0  # reads that brought input (``input_waiting``): only the input thread adds

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.keys_read = KeysRead()  # (``handover.TypedAhead``)

        def process_message(self, message: Any) -> None:
            if isinstance(message, events.Key):
                self.keys_read.add(message)
            super().process_message(message)

        def run_input_thread(self) -> None:
            parser = BurstParser(self._debug)
            decode = getincrementaldecoder("utf-8")().decode
            fd = self.fileno

            def take(ready: bool) -> bool:
                """Parse what came (if ``ready``); False at the end of input."""
                data = os.read(fd, 4096) if ready else None
                if data:
                    self.reads += 1
                    for message in parser.feed(decode(data)):
                        self.process_message(message)
                for message in parser.tick():  # an ESC whose wait is over: the escape key
                    self.process_message(message)
                return data != b""

            selector = selectors.SelectSelector()
            selector.register(fd, selectors.EVENT_READ)
            try:
                while not self.exit_event.is_set():
                    if not take(bool(selector.select(parser.wait(POLL)))):
                        self.exit_event.wait(POLL)  # input closed: nothing to read, no spin
                # what is typed already is read, not flushed with the terminal's input when the
                # app hands the terminal over: the keys typed ahead of a shell are its input
                take(bool(selector.select(0)))
            finally:
                selector.close()
                with contextlib.suppress(EOFError, ParseError):
                    for _ in parser.feed(""):  # the end of input: whatever waits is told
                        pass

    return KeyDriver
