"""Open the explorer as the command line says (the simulator's demo cluster unless a backend is given)."""

from __future__ import annotations

import argparse

from k9py.backends.base import Backend
from k9py.errors import K9pyError
from k9py.ui.app import K9pyApp
from k9py.view import kinds


def demo_backend(seed: int = 0, scenario: str | None = None, speed: float = 1.0) -> Backend:
    from k9py.backends.sim import SimBackend
    from k9py.scenario.loader import load_cluster
    return SimBackend(load_cluster(scenario, seed=seed), speed=speed)


def build_app(args: argparse.Namespace, backend: Backend | None = None, *, manual: bool = False) -> K9pyApp:
    """The explorer as the parsed command line says (-n, -A, -c, --readonly, --logoless,
    --headless); the simulator's demo unless ``backend``."""
    view = getattr(args, "start_view", "pods") or "pods"
    if kinds.parse_command(view).error:
        raise K9pyError(f"unknown view {view!r} (try pods, deploy, svc, no, ns, ...)", field="-c")
    if backend is None:
        backend = demo_backend(getattr(args, "seed", 0), getattr(args, "scenario", None), getattr(args, "speed", 1.0))
    return K9pyApp(backend, namespace="" if args.all_namespaces else args.namespace, view=view,
                   readonly=args.readonly, logoless=args.logoless, headless_ui=args.headless, manual=manual)


def run_explorer(args: argparse.Namespace, backend: Backend | None = None) -> int:
    """Open the explorer as the parsed ``args`` say (the simulator's demo unless ``backend``)."""
    build_app(args, backend).run()
    return 0
