"""Keys run in the order they were typed, as in k9s. Textual handles some keys in the app at once
(the prompt's `:` and `/`, esc) but posts the others to the focused widget's queue, whose
bindings run later: `d/Pull⏎` typed in one burst opened the table's filter with `/Pull` before
the `d` had opened the describe it was typed for, and `/Pull` typed right behind the describe's
`/` was lost before its search box had the focus. So a key handed to a widget is "in flight"
until a marker posted behind it has come back up to the app (it bubbles the same way, after the
key's bindings and whatever they posted: a pushed screen, a focus); the keys read meanwhile wait
and then run in turn, each one again waiting for the one before it to land."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import events
from textual.message import Message
from textual.message_pump import MessagePump
from textual.timer import Timer

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp

Typed = events.Key | events.Paste  # what is typed: a paste waits its turn as keys do
FLIGHT_AT_MOST = 1.0  # seconds: a marker that never comes back (its widget went away) holds no key longer
HOLD_AT_MOST = 10.0  # seconds: a hold (a screen opened after an API call) never released holds no key longer


class KeyLanded(Message, bubble=True):
    """Posted behind a key handed to a widget: when it reaches the app, that key has been handled."""

    def __init__(self, key: Typed) -> None:
        super().__init__()
        self.key = key


class KeyOrder:
    def __init__(self, app: K9pyApp) -> None:
        self.app = app
        self.flying: KeyLanded | None = None
        self.waiting: list[Typed] = []
        self._running: Typed | None = None  # the waiting key running now (not kept back again)
        self._since = 0.0
        self._limit = FLIGHT_AT_MOST  # how long the one in flight holds the keys behind it at most
        self._timer: Timer | None = None

    def wait(self, event: Typed) -> bool:
        """Keep ``event`` back (True) while a key before it is still in flight, or keys wait."""
        if event is self._running or (self.flying is None and not self.waiting):
            return False
        if self.flying is not None and time.monotonic() - self._since > self._limit:
            self.flying, self._limit = None, FLIGHT_AT_MOST  # (its marker was lost with its widget: the keys go on)
        self.waiting.append(event)
        if self.flying is None:
            self.app.call_later(self.drain)
        elif self._timer is None:
            self._timer = self.app.set_timer(FLIGHT_AT_MOST, self._expire)
        return True

    def sent(self, target: MessagePump, event: Typed) -> None:
        """``event`` was handed to ``target`` (the focused widget, or the screen)."""
        if self.flying is not None and self._limit == HOLD_AT_MOST:
            return  # its action holds the keys behind it (``hold``): its marker would end that
        self.flying = KeyLanded(event)
        self._since = time.monotonic()
        target.post_message(self.flying)

    def hold(self) -> Callable[[], None]:
        """The key being handled opens its screen later (after an API call in a worker: `l` on a
        deployment lists its pods first): the keys typed behind it wait until the returned
        release is called, the screen pushed (at most HOLD_AT_MOST seconds, should it never be)."""
        marker = KeyLanded(events.Key("", None))
        self.flying, self._since, self._limit = marker, time.monotonic(), HOLD_AT_MOST

        def release() -> None:
            if marker is self.flying:
                self.flying, self._limit = None, FLIGHT_AT_MOST
                self.app.call_later(self.drain)
        return release

    async def landed(self, marker: KeyLanded) -> None:
        if marker is not self.flying:
            return  # (one given up on)
        self.flying = None
        # behind what the key's bindings posted to the app meanwhile (a focus is set later)
        self.app.call_later(self.drain)

    async def drain(self) -> None:
        """The waiting keys run in turn until one is in flight again (the rest wait for it)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        while self.waiting and self.flying is None:
            event = self._running = self.waiting.pop(0)
            try:
                await self.app.on_event(event)
            finally:
                self._running = None
        if self.waiting and self._timer is None:
            self._timer = self.app.set_timer(FLIGHT_AT_MOST, self._expire)

    async def _expire(self) -> None:
        self._timer = None
        if self.flying is not None and time.monotonic() - self._since >= self._limit:
            self.flying, self._limit = None, FLIGHT_AT_MOST
        if self.flying is None:
            await self.drain()
        else:
            self._timer = self.app.set_timer(FLIGHT_AT_MOST, self._expire)
