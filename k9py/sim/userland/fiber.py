"""A coroutine on a thread, for a shell that must stop in the middle of a script (``sleep``).

The shell is a plain recursive interpreter; a ``sleep`` deep inside loops, pipelines and
``sh -c`` cannot return to its caller and be resumed later. So each command line of an exec
session runs on a ``Fiber``: its own thread, strictly alternating with the caller. ``resume``
hands the turn to the fiber and waits until it ``park``s (or ends); ``park`` hands it back and
waits for the next ``resume``. Never do both run at once: the fiber runs inside the caller's
``resume`` call, under whatever the caller holds (``cluster.lock``), and the outcome is as
deterministic as a direct call. ``resume(exc)`` makes the pending ``park`` raise ``exc`` (an
interrupt, the container stopping).

A fiber parked forever (its session abandoned with a ``sleep infinity`` running) keeps a daemon
thread; a real node would keep that process too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Fiber:
    def __init__(self, fn: Callable[[], None], name: str = "k9py-userland") -> None:
        self._fn = fn
        self._cv = threading.Condition()
        self._fibers_turn = False
        self._signal: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self.started = False
        self.done = False
        self.error: BaseException | None = None

    def resume(self, signal: BaseException | None = None) -> None:
        """Run the fiber until it parks or ends; ``signal`` is raised by the ``park`` it resumes."""
        if self.done:
            return
        if threading.current_thread() is self._thread:
            raise RuntimeError("a fiber cannot resume itself")
        with self._cv:
            self._signal = signal
            self._fibers_turn = True
            if not self.started:
                self.started = True
                self._thread.start()
            else:
                self._cv.notify_all()
            while self._fibers_turn:
                self._cv.wait()
        if self.done:
            self._thread.join()  # it has nothing left to do but end

    def park(self) -> None:
        """(On the fiber) give the turn back until the next ``resume``; raises its signal."""
        with self._cv:
            self._fibers_turn = False
            self._cv.notify_all()
            while not self._fibers_turn:
                self._cv.wait()
            signal, self._signal = self._signal, None
        if signal is not None:
            raise signal

    def _main(self) -> None:
        try:
            self._fn()
        except BaseException as e:  # handed to the caller, which re-raises it
            self.error = e
        finally:
            with self._cv:
                self.done = True
                self._fibers_turn = False
                self._cv.notify_all()
