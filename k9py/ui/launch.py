"""Open the explorer as the command line says (the simulator's demo cluster unless a backend is given).

The UI draws on the terminal whatever stderr is: Textual's Linux driver writes to
``sys.__stderr__``, so ``k9py 2>log`` used to paint the whole UI into the log and leave the
screen blank. ``terminal_driver`` picks stderr when it is a terminal, else stdout, else
/dev/tty; stderr can then be redirected (it gets what Python writes there after the UI closes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from io import TextIOWrapper
from typing import Any

from k9py.backends.base import Backend, Capability
from k9py.errors import K9pyError
from k9py.ui.app import K9pyApp
from k9py.view import kinds


def demo_backend(seed: int | None = 0, scenario: str | None = None, speed: float = 1.0) -> Backend:
    """The simulator over a manifests file (default: the bundled demo). A ScenarioBackend, so
    `:scenarios` can load another scenario into it."""
    from k9py.backends.replay import ScenarioBackend
    from k9py.scenario.loader import demo_path
    return ScenarioBackend.open(scenario or demo_path(), seed=seed, speed=speed)


def start_namespace(args: argparse.Namespace, backend: Backend) -> str:
    """-A: all (""); -n NS; else a played file's busiest namespace (where its objects are), or default."""
    if getattr(args, "all_namespaces", False):
        return ""
    if getattr(args, "namespace", None):
        return str(args.namespace)
    if backend.supports(Capability.PLAYBACK):
        pb = backend.playback()
        if pb.has_timeline:
            return pb.home_namespace() or "default"
    return "default"


def build_app(args: argparse.Namespace, backend: Backend | None = None, *, manual: bool = False) -> K9pyApp:
    """The explorer as the parsed command line says (-n, -A, -c, --readonly, --logoless,
    --headless); the simulator's demo unless ``backend``."""
    view = getattr(args, "start_view", "pods") or "pods"
    if kinds.parse_command(view).error:
        raise K9pyError(f"unknown view {view!r} (try pods, deploy, svc, no, ns, ...)", field="-c")
    if backend is None:
        backend = demo_backend(getattr(args, "seed", None), getattr(args, "scenario", None),
                               getattr(args, "speed", 1.0))
    return K9pyApp(backend, namespace=start_namespace(args, backend), view=view,
                   readonly=args.readonly, logoless=args.logoless, headless_ui=args.headless, manual=manual)


def terminal_file() -> TextIOWrapper | None:
    """Where the UI draws: stderr if it is a terminal (Textual's choice), else stdout if it is
    one, else the process's controlling terminal. None: Textual's default (no terminal at all)."""
    for stream in (sys.__stderr__, sys.__stdout__):
        if stream is not None and stream.isatty():
            return None if stream is sys.__stderr__ else stream
    try:
        return open("/dev/tty", "w", encoding="utf-8")
    except OSError:
        return None


def terminal_driver(out: TextIOWrapper) -> type[Any]:
    """Textual's Linux driver drawing on ``out`` (and sizing the UI by it) instead of stderr."""
    from textual.drivers.linux_driver import LinuxDriver

    class TerminalDriver(LinuxDriver):
        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self._file = out

        def _get_terminal_size(self) -> tuple[int, int]:
            try:
                size = os.get_terminal_size(out.fileno())
            except OSError:
                size = shutil.get_terminal_size()
            return size.columns or 80, size.lines or 25

    return TerminalDriver


def run_explorer(args: argparse.Namespace, backend: Backend | None = None) -> int:
    """Open the explorer as the parsed ``args`` say (the simulator's demo unless ``backend``)."""
    app = build_app(args, backend)
    out = terminal_file() if os.name == "posix" else None
    if out is not None:
        app.driver_class = terminal_driver(out)
    app.run()
    return 0
