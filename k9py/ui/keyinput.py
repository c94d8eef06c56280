"""Keys as a person typed them, even when they arrive in one read.

Textual's terminal parser takes an ESC followed at once by a character that begins no escape
sequence (``esc :q⏎`` typed fast, a tmux ``send-keys Escape :q Enter``, a paste) as one unknown
sequence and drops the ESC: the ``:`` lands in the dialog the ESC was meant to close, and the
Enter behind it presses the dialog's OK (a delete confirmed). ``BurstParser`` emits that ESC as
the escape key first. Sequences terminals really send (CSI ``ESC [``, SS3 ``ESC O``, OSC, DCS,
ESC before a control key: alt-backspace, alt-tab) are left alone; ESC before a printable key is
the escape key then that key, never alt+key (k9py binds no alt+letter, k9s neither).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual._xterm_parser import XTermParser

ESC = "\x1b"
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
    return True
