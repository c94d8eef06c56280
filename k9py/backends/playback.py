"""The play head of a played source (``Capability.PLAYBACK``): a Recording replayed like a video,
or a Scenario whose timeline runs on the simulator's clock (stopped by ``pause`` steps and at its
end; seeking back runs the deterministic simulator again from t=0).

One object per backend, stable across reloads (the source behind it is swapped, its listeners
stay): the timeline bar reads it, the replay keys drive it, and it tells of changes, scenario
steps and hot reloads.
"""

from __future__ import annotations

import abc
import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from k9py.backends.base import NotSupported

if TYPE_CHECKING:
    from k9py.scenario.timeline import Fired

Unsubscribe = Callable[[], None]
T = TypeVar("T")
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease")
# what a namespace holds besides pods that makes it a played file's home (``busiest_namespace``'s others)
HOME_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service", "PersistentVolumeClaim")


PROGRESS_EVERY = 1.0  # seconds between the lines telling how far a build (behind the first frame, a seek back) got


def clock(seconds: float) -> str:
    """A play head's time: 01:32, 1:02:05."""
    seconds = max(0, int(seconds + 1e-6))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def busiest_namespace(pods: Iterable[dict[str, Any]], others: Iterable[dict[str, Any]] = ()) -> str | None:
    """The namespace with the most pods (else the most ``others``), system namespaces last,
    ``default`` first among equals; None when nothing is namespaced."""
    return busiest_of(*(Counter(((o.get("metadata") or {}).get("namespace") or "") for o in objs
                                if o.get("kind") != "Event") for objs in (pods, others)))


def busiest_of(*counts: Counter[str]) -> str | None:
    """``busiest_namespace`` over counts by namespace (the first that names one decides)."""
    for by_ns in counts:
        pool = {ns: n for ns, n in by_ns.items() if ns and n > 0}
        if pool:
            pool = {ns: n for ns, n in pool.items() if ns not in SYSTEM_NAMESPACES} or pool
            return max(sorted(pool), key=lambda ns: (pool[ns], ns == "default"))
    return None


async def _done() -> None:
    return None


class _Listeners(Generic[T]):
    """Callbacks with a way out."""

    def __init__(self) -> None:
        self._cbs: list[Callable[[T], None]] = []

    def add(self, cb: Callable[[T], None]) -> Unsubscribe:
        self._cbs.append(cb)
        return lambda: self._cbs.remove(cb) if cb in self._cbs else None

    def __call__(self, value: T) -> None:
        for cb in list(self._cbs):
            cb(value)


@dataclass(frozen=True)
class Mark:
    """One line of `:timeline`: a scenario step or a recorded change, at ``t`` seconds."""

    t: float
    what: str           # "scale Deployment web --replicas=5", "Warning BackOff Pod shop/checkout-…"
    note: str = ""      # the step's note (a scenario), the Event's message (a recording)
    done: bool = False  # at or before the play head
    error: str = ""     # the step failed when it fired
    refused: bool = False  # the step was meant to be refused (``refused: true``) and was: ``error`` says how


class Playback(abc.ABC):
    """The transport of a played source."""

    #: what ``total_events`` counts: "events" (a recording) or "steps" (a scenario's timeline)
    unit: str = "events"
    #: the user moves the play head (pause, speed, seek, step); False: only ``resume()`` works
    seekable: bool = True
    #: a move runs a simulator (seconds, a minute in a big cluster): the event loop moves the
    #: head with ``go``, which does it in a worker thread
    slow_moves: bool = False

    def __init__(self) -> None:
        self._changed: _Listeners[None] = _Listeners()
        self._steps: _Listeners[Fired] = _Listeners()
        self._reloads: _Listeners[str | None] = _Listeners()
        self._built: _Listeners[str] = _Listeners()
        self._progress: _Listeners[str] = _Listeners()
        self._started: _Listeners[str] = _Listeners()
        #: what reading the file again had to say, when ``on_reload``'s listeners hear None (a
        #: recording saved cut off: its whole lines play)
        self.reload_notes: list[str] = []
        #: what is being built behind the first frame (a big scenario file), None when nothing is
        self.building: str | None = None
        #: a cluster (the demo, a big file) is being built behind the first frame: the views
        #: show a waiting cluster's empty tables until it is swapped in
        self.loading = False
        #: where a move under way (``go``) is heading, None when none is
        self.heading: float | None = None

    # -- what the bar shows ------------------------------------------------------------------
    @property
    @abc.abstractmethod
    def path(self) -> str | None:
        """The file played (None: built in memory)."""

    @property
    @abc.abstractmethod
    def has_timeline(self) -> bool:
        """Something to show on a bar (False: plain manifests, which only hot-reload)."""

    @property
    @abc.abstractmethod
    def paused(self) -> bool: ...

    @property
    @abc.abstractmethod
    def speed(self) -> float: ...

    @property
    def pace(self) -> float:
        """The share of real time × speed the play head keeps up with: 1.0, less when a
        simulated cluster too big for the machine runs in slow motion."""
        return 1.0

    @property
    def reading(self) -> bool:
        """A file is being read and built to replace what plays (the clock waits meanwhile)."""
        return False

    @property
    @abc.abstractmethod
    def position(self) -> float:
        """Seconds since t=0."""

    @property
    @abc.abstractmethod
    def duration(self) -> float: ...

    @property
    @abc.abstractmethod
    def events_played(self) -> int: ...

    @property
    @abc.abstractmethod
    def total_events(self) -> int: ...

    # -- controls ------------------------------------------------------------------------------
    @abc.abstractmethod
    def resume(self) -> None:
        """Play on (a recording at its end starts again; a scenario leaves its pause step)."""

    def _fixed(self, what: str) -> NotSupported:
        return NotSupported(f"{what}: this play head cannot be moved")

    def toggle(self) -> None:
        raise self._fixed("pause")

    def faster(self) -> float:
        raise self._fixed("speed")

    def slower(self) -> float:
        raise self._fixed("speed")

    def step_forward(self) -> bool:
        """To the next event (False: none left)."""
        raise self._fixed("step")

    def step_back(self) -> bool:
        """To the previous event (False: at the start)."""
        raise self._fixed("step")

    def seek(self, t: float) -> None:
        """To ``t`` seconds since t=0 (clamped to the duration)."""
        raise self._fixed("seek")

    def step_after(self, t: float) -> float | None:
        """Where ``step_forward`` from ``t`` goes (None: nothing left); heads with ``slow_moves``."""
        raise self._fixed("step")

    def step_before(self, t: float) -> float | None:
        """Where ``step_back`` from ``t`` goes (None: at the start); heads with ``slow_moves``."""
        raise self._fixed("step")

    def seek_by(self, seconds: float) -> None:
        self.seek(self.position + seconds)

    def target(self, t: float) -> float:
        """Where ``seek(t)`` would go (clamped to the duration); NotSupported (a K9pyError) when
        it cannot: told before a slow move starts."""
        return min(max(0.0, t), self.duration)

    def go(self, t: float) -> Awaitable[None]:
        """``seek(t)``; what it returns is awaited for it to be done. A head with ``slow_moves``
        heads for ``t`` at once (a K9pyError now when it cannot go there) and runs it off the
        event loop, in the awaitable."""
        self.seek(t)
        return _done()

    def home(self) -> None:
        self.seek(0.0)

    def end(self) -> None:
        self.seek(self.duration)

    # -- what `:timeline` lists and where the explorer opens ------------------------------------
    def marks(self) -> list[Mark]:
        """The steps (a scenario) or notable recorded changes (a recording), in time order."""
        return []

    def home_namespace(self) -> str | None:
        """The namespace holding most of the played objects (None: no opinion)."""
        return None

    # -- switching files -----------------------------------------------------------------------
    @abc.abstractmethod
    def accepts(self, file_kind: str) -> bool:
        """Whether ``load`` can switch to a file of that kind (``k9py.scenario.files``'s kinds)."""

    @abc.abstractmethod
    def load(self, path: str) -> None:
        """Play ``path`` instead, from t=0; on an error (K9pyError) the current source stays."""

    def load_off_loop(self, path: str) -> Awaitable[None]:
        """``load``, awaited: the file read and built in a worker thread, then played."""
        self.load(path)
        return _done()

    # -- notifications -------------------------------------------------------------------------
    def on_change(self, cb: Callable[[None], None]) -> Unsubscribe:
        """Called (with None) after the play head, the speed or the pause state changed."""
        return self._changed.add(cb)

    def changed(self) -> None:
        """Tell ``on_change``'s listeners (the source behind the play head moved on by itself)."""
        self._changed(None)

    def on_step(self, cb: Callable[[Fired], None]) -> Unsubscribe:
        """Called with each scenario step as it fires (its note, a pause, or its error)."""
        return self._steps.add(cb)

    def on_built(self, cb: Callable[[str], None]) -> Unsubscribe:
        """Called with a line to show once what ``building`` said is there."""
        return self._built.add(cb)

    def on_build_started(self, cb: Callable[[str], None]) -> Unsubscribe:
        """Called with the line ``build_started`` was given (a build once the UI is there: a seek
        back building the scenario again)."""
        return self._started.add(cb)

    def build_started(self, what: str) -> None:
        """``what`` (a line to show) is being built behind the first frame."""
        self.building = what
        self._started(what)

    def on_build_progress(self, cb: Callable[[str], None]) -> Unsubscribe:
        """Called with a line saying how far the build behind the first frame got."""
        return self._progress.add(cb)

    def build_progress(self, line: str) -> None:
        """The build behind the first frame got as far as ``line`` says."""
        if self.building is not None:
            self.building = line
            self._progress(line)

    async def tell_progress(self, line: Callable[[], str | None]) -> None:
        """Until cancelled, every PROGRESS_EVERY s: ``line()`` (how far a build under way got,
        None: nothing to say yet) to ``build_progress``."""
        while True:
            await asyncio.sleep(PROGRESS_EVERY)
            said = line()
            if said is not None:
                self.build_progress(said)

    def build_ended(self, ready: str | None = None) -> None:
        """The build behind the first frame is over: ``ready`` (a line for ``on_built``'s
        listeners) when what it built is shown now; None when it failed or was replaced."""
        if self.building is not None and ready is not None:
            self._built(ready)
        self.building = None

    def on_reload(self, cb: Callable[[str | None], None]) -> Unsubscribe:
        """Called after a hot reload: None when it restarted from t=0, else why it did not."""
        return self._reloads.add(cb)
