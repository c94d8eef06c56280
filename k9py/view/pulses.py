"""The pulses view's model (k9s's ``:pulses``): the cluster at a glance — how many pods,
deployments, ... are fine, on their way or in trouble, and the nodes' CPU / memory over the last
minutes as sparklines. UI-free: counts over plain objects, charts as strings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from k9py.kube import quantity
from k9py.view import health

Obj = dict[str, Any]
Key = tuple[str, str]
WINDOW = 300.0  # seconds of the backend's clock the charts span
BLOCKS = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class TileSpec:
    view: str  # the view enter opens
    kind: str
    label: str
    namespaced: bool = True


TILES: tuple[TileSpec, ...] = (
    TileSpec("pods", "Pod", "Pods"),
    TileSpec("deployments", "Deployment", "Deployments"),
    TileSpec("statefulsets", "StatefulSet", "StatefulSets"),
    TileSpec("daemonsets", "DaemonSet", "DaemonSets"),
    TileSpec("jobs", "Job", "Jobs"),
    TileSpec("persistentvolumeclaims", "PersistentVolumeClaim", "PVCs"),
    TileSpec("nodes", "Node", "Nodes", namespaced=False),
    TileSpec("events", "Event", "Events"),
)


@dataclass(frozen=True)
class Counts:
    ok: int = 0
    warn: int = 0
    error: int = 0

    @property
    def total(self) -> int:
        return self.ok + self.warn + self.error

    @property
    def level(self) -> str:
        """The tile's colour: error if anything is in error, else warn if anything warns."""
        return health.ERROR if self.error else health.WARN if self.warn else health.OK


def classify(kind: str, obj: Obj, now: float = 0.0) -> str:
    """ok, warn or error for a tile (done is fine: a Completed pod or job counts as ok)."""
    state = health.of({**obj, "kind": kind} if obj.get("kind") != kind else obj, now)
    return health.OK if state in (health.COMPLETED, health.MISSING) else state


def count(kind: str, objects: Iterable[Obj], now: float = 0.0) -> Counts:
    ok = warn = error = 0
    for o in objects:
        state = classify(kind, o, now)
        if state == health.OK:
            ok += 1
        elif state == health.WARN:
            warn += 1
        else:
            error += 1
    return Counts(ok, warn, error)


class Counter:
    """A tile's counts kept up to date from informer diffs: only the objects that changed are
    classified again (a pod's health does not depend on the clock)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._state: dict[Key, str] = {}
        self._n = {health.OK: 0, health.WARN: 0, health.ERROR: 0}

    @property
    def counts(self) -> Counts:
        n = self._n
        return Counts(n[health.OK], n[health.WARN], n[health.ERROR])

    def reset(self, objects: Mapping[Key, Obj], now: float = 0.0, *,
              stop: Callable[[], bool] | None = None) -> bool:
        """Count ``objects`` afresh; False when ``stop()`` (asked every 4,096 objects) ended it
        before the end (the counts are then partial)."""
        self._state.clear()
        self._n = dict.fromkeys(self._n, 0)
        for i, (k, o) in enumerate(objects.items()):
            if stop is not None and not i & 4095 and stop():
                return False
            self._put(k, o, now)
        return True

    def apply(self, added: Iterable[Key], changed: Iterable[Key], removed: Iterable[Key],
              get: Callable[[Key], Obj | None], now: float = 0.0) -> None:
        for k in [*removed, *added, *changed]:
            old = self._state.pop(k, None)
            if old is not None:
                self._n[old] -= 1
            o = get(k)
            if o is not None:
                self._put(k, o, now)

    def _put(self, k: Key, o: Obj, now: float) -> None:
        state = classify(self.kind, o, now)
        self._state[k] = state
        self._n[state] += 1


def bar(counts: Counts, width: int) -> list[tuple[str, int]]:
    """A stacked bar ``width`` cells wide: (state, cells) for ok, warn, error; a state with any
    object gets at least one cell."""
    total = counts.total
    if total == 0 or width <= 0:
        return []
    parts = [(health.OK, counts.ok), (health.WARN, counts.warn), (health.ERROR, counts.error)]
    cells = [(s, max(1, n * width // total) if n else 0) for s, n in parts]
    over = sum(c for _, c in cells) - width
    if over:  # give or take the rounding from the largest part
        i = max(range(3), key=lambda j: cells[j][1])
        cells[i] = (cells[i][0], max(0, cells[i][1] - over))
    return [(s, c) for s, c in cells if c]


# -- the CPU / MEM charts --------------------------------------------------------------------------
Sample = tuple[float, int, int]  # (backend time, cpu m, memory B): ``store.metrics.Sample``


def columns(samples: Sequence[Sample], now: float, width: int, value: Callable[[Sample], float],
            window: float = WINDOW) -> list[float | None]:
    """``width`` values over the last ``window`` seconds before ``now``, oldest first: each column
    holds the last sample taken by its end (metrics are steps, not curves); None before the first
    sample, and once the last one is older than ``hold`` (the feed stopped)."""
    out: list[float | None] = []
    if width <= 0:
        return out
    step, start = window / width, now - window
    hold = max(60.0, step, 2 * (samples[-1][0] - samples[-2][0]) if len(samples) > 1 else 0.0)
    i, last = 0, None
    for col in range(width):
        end = start + (col + 1) * step
        while i < len(samples) and samples[i][0] <= end + 1e-9:
            last = samples[i]
            i += 1
        stale = last is not None and i == len(samples) and end - last[0] > hold
        out.append(value(last) if last is not None and not stale else None)
    return out


def spark(values: Sequence[float | None], top: float, height: int = 1) -> list[str]:
    """A bar chart of ``values`` (0..``top``) ``height`` rows high in eighth blocks, top row first;
    a missing value is blank, any non-zero value shows at least a sliver."""
    rows = ["" for _ in range(height)]
    levels = height * 8
    for v in values:
        n = 0 if v is None or top <= 0 else min(levels, round(v / top * levels))
        if v and top > 0 and n == 0:
            n = 1
        for r in range(height):
            below = (height - 1 - r) * 8  # eighths under this row
            rows[r] += BLOCKS[max(0, min(8, n - below))]
    return rows


def percent(v: float, total: float) -> int:
    return int(v * 100 // total) if total > 0 else 0


def allocatable(nodes: Iterable[Obj]) -> tuple[int, int]:
    """The nodes' summed allocatable (cpu m, memory B): the charts' top."""
    cpu = mem = 0
    for n in nodes:
        alloc = (n.get("status") or {}).get("allocatable") or {}
        try:
            cpu += int(quantity.parse(str(alloc.get("cpu") or "0")) * 1000)
            mem += int(quantity.parse(str(alloc.get("memory") or "0")))
        except ValueError:
            continue
    return cpu, mem


def level(pct: int) -> str:
    """k9s's default thresholds for CPU and memory: warn from 70%, error from 90%."""
    return health.ERROR if pct >= 90 else health.WARN if pct >= 70 else health.OK
