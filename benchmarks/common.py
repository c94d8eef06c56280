"""What every benchmark group shares: the seed, the screen size, waiting without sleeping, p95,
resident memory, an installed k9py's environment, and the result record ``{"name", "value",
"unit", "target"}``.

A group is a module ``benchmarks/<group>.py`` with ``FIGURES`` (name → (unit, target, lower_is_better))
and ``measure(quick: bool) -> dict[str, float]``; ``benchmarks/run.py`` runs each group in its
own process, so one group's heap, GC state and imports never colour another's figures.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZE = (160, 45)
SEED = 7
PYCACHE = os.path.join(tempfile.gettempdir(), "k9py-bench-pycache")


def installed_env() -> dict[str, str]:
    """The environment of an installed k9py: its bytecode is read, and written when missing,
    under a private PYTHONPYCACHEPREFIX (never in the tree), whatever the shell says about
    writing bytecode (a shell that says not to would compile every module the measured work
    imports lazily, inside the timed window: 0.4-0.7 s of a 10,000-pod simulated build)."""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": PYCACHE}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


WARM_IMPORTS = ("k9py.ui.launch", "k9py.backends.demo", "k9py.backends.replay", "k9py.backends.live",
                "k9py.serve.server", "k9py.scenario.generate", "kubernetes.client")


def compile_like_install() -> None:
    """k9py's bytecode, as an install has it (only what changed is compiled again), and that of
    what its modules import (Textual, Rich, the standard library...: the private prefix holds
    none of it at first, and a group would compile it inside its timed work)."""
    env = installed_env()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "k9py")], env=env,
                   stdout=subprocess.DEVNULL, check=False)
    # (all of them k9py's dependencies: an import that fails stops the benchmarks, not skipped)
    subprocess.run([sys.executable, "-c", "import " + ", ".join(WARM_IMPORTS)], env=env, cwd=ROOT, check=True)


Figure = tuple[str, "float | None", bool]  # unit, target, lower is better


async def until(cond: Callable[[], Any], timeout: float = 60.0, *, poll: float = 0.0) -> None:
    """Yield to the event loop until ``cond()`` holds, looking again at once (``poll``: after
    that many seconds, when a worker thread does the work waited for: looking again at once
    would hold the GIL half the time, where the app's idle loop holds it not at all)."""
    end = time.perf_counter() + timeout
    while not cond():
        if time.perf_counter() > end:
            raise TimeoutError("benchmark condition not reached")
        await asyncio.sleep(poll)


def p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]


def rss_mb() -> float:
    """Resident memory now (not the peak): /proc/self/statm's second field."""
    try:
        pages = int(pathlib.Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() / (1 << 20)
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
