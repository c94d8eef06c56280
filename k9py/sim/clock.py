"""The simulator's virtual clock: it moves only when told to (tests, replay, a real-time driver)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Protocol

# Tests and seeded runs start here unless told otherwise: a fixed, readable instant.
DEFAULT_EPOCH = datetime(2026, 11, 1, 9, 0, 0, tzinfo=UTC).timestamp()


class Clock(Protocol):
    """What reads "now" needs of a clock: a VirtualClock, or a replay's play head (which goes back)."""

    def now(self) -> float: ...


class VirtualClock:
    def __init__(self, start: float | None = None) -> None:
        self._now = float(DEFAULT_EPOCH if start is None else start)

    def now(self) -> float:
        return self._now

    def set(self, t: float) -> None:
        if t < self._now:
            raise ValueError("the virtual clock never goes backwards")
        self._now = t

    def advance(self, seconds: float) -> None:
        self.set(self._now + seconds)

    @contextmanager
    def as_of(self, t: float) -> Iterator[None]:
        """Read ``t`` (never later than now) meanwhile: for what happened at an earlier instant
        of the moment being simulated (a one-shot container's command ran as it started, not
        when the kubelet's sync got to it)."""
        now = self._now
        self._now = min(t, now)
        try:
            yield
        finally:
            self._now = now


MAX_STEP = 1.0  # real seconds one step of a real-time driver covers at most
PACE_STEPS = 8  # steps over which ``RealtimeTicker.pace`` is measured


class RealtimeTicker:
    """Tells how much virtual time has passed since the last call (real time × speed), at most
    ``MAX_STEP`` real seconds' worth: a cluster too big to keep up with real time then runs in
    slow motion, each step as long as the last, instead of each step covering the time the
    one before took (ever longer steps under the cluster's lock: a 100,000-pod scenario
    spiralled to steps of half a minute)."""

    def __init__(self, speed: float = 1.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.speed = speed
        self._monotonic = monotonic
        self._last = monotonic()
        self._recent: deque[tuple[float, float]] = deque(maxlen=PACE_STEPS)  # (real seconds, covered)

    def elapsed(self) -> float:
        now = self._monotonic()
        real = now - self._last
        covered = min(real, MAX_STEP)
        self._last = now
        self._recent.append((real, covered))
        return covered * self.speed

    def pace(self) -> float:
        """The share of real time the last steps covered: 1.0 while the cluster keeps up, 0.25
        when it runs four times slower than asked."""
        real = sum(r for r, _ in self._recent)
        return 1.0 if real <= 0 else sum(c for _, c in self._recent) / real
