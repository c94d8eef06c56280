"""Open the explorer as the command line says (the simulator's demo cluster unless a backend is given).

The UI draws on the terminal whatever stderr is: Textual's Linux driver writes to
``sys.__stderr__``, so ``k9py 2>log`` used to paint the whole UI into the log and leave the
screen blank. ``terminal_driver`` picks stderr when it is a terminal, else stdout, else
/dev/tty; stderr can then be redirected (it gets what Python writes there after the UI closes).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from io import TextIOWrapper
from typing import TYPE_CHECKING, Any

from k9py.backends.base import Backend, Capability
from k9py.config import context_state
from k9py.config.context_state import ContextState
from k9py.config.settings import HistorySettings
from k9py.config.user import UserConfig
from k9py.errors import K9pyError
from k9py.explorer.session import HistoryFactory
from k9py.ui import keyinput
from k9py.ui.app import K9pyApp
from k9py.view import kinds
from k9py.view.inert import inert_line

if TYPE_CHECKING:
    from k9py.store.history import EndedRun, History


def demo_backend(seed: int | None = 0, scenario: str | None = None, speed: float = 1.0, *,
                 deferred: bool = False, watch: bool = False) -> Backend:
    """The simulator over a manifests file (default: the bundled demo). A ScenarioBackend, so
    `:scenarios` can load another scenario into it. ``deferred``: the bundled demo loads behind
    the first frame, once the backend starts (``backends.demo``); else it is there now (from
    its snapshot when it can). ``watch``: a scenario file is read again on every save."""
    from k9py.backends.demo import DemoBackend, warmed_demo
    if scenario is None:
        return DemoBackend(seed=seed, speed=speed, cluster=None if deferred else warmed_demo(seed))
    from k9py.backends.replay import ScenarioBackend
    if deferred:
        backend = DemoBackend.behind(scenario, seed=seed, speed=speed)
    else:
        backend = ScenarioBackend.open(scenario, seed=seed, speed=speed)
    backend.hot_reload = watch
    return backend


def start_namespace(args: argparse.Namespace, backend: Backend, remembered: str | None = None) -> str:
    """-A: all (""); -n NS; else a played file's busiest namespace (where its objects are); else
    the one ``remembered`` for the context (config.context_state); else the kubeconfig context's
    (as kubectl and k9s); else default."""
    if getattr(args, "all_namespaces", False):
        return ""
    if getattr(args, "namespace", None):
        return str(args.namespace)
    if backend.supports(Capability.PLAYBACK):
        pb = backend.playback()
        if pb.has_timeline:
            return pb.home_namespace() or "default"
    return remembered if remembered is not None else (backend.context_namespace() or "default")


def start_view(args: argparse.Namespace, user: UserConfig, state: ContextState | None,
               backend: Backend | None = None) -> str:
    """-c; else config.yaml's defaultView; else the view remembered for the context; else pods.
    -c may name a screen (pulses, xray dp) and, on a live cluster, a kind discovery brings."""
    given = getattr(args, "start_view", None)
    if given:
        if not kinds.known_command(given) and not (backend is not None and backend.rediscovers):
            raise K9pyError(f"argument -c/--command: unknown view {given!r} (try pods, deploy, svc, no, ns, ...)")
        return str(given)
    for view in (user.settings.default_view, state.view if state else None):
        if view and not kinds.parse_command(view).error:
            return view
    return "pods"


HISTORY_DELAY = 1.5  # seconds: the first view lists before the history's watches of every kind


def history_factory(settings: HistorySettings, backend: Backend) -> HistoryFactory | None:
    """The time machine's History for each context the explorer opens (config.yaml's
    ``k9py.history``); none for what plays a timeline of its own (a replay, a scenario's steps)."""
    if not settings.enabled:
        return None
    if backend.supports(Capability.PLAYBACK) and backend.playback().has_timeline:
        return None
    root = settings.root()
    ended: dict[str, list[EndedRun]] = {}  # context -> its runs this process ended (`:ctx` away)

    def make(b: Backend) -> History:
        from k9py.store.history import History, Limits

        context = b.info().context
        return History(root, context, Limits(max_age=settings.max_age, max_bytes=settings.max_size),
                       start_delay=HISTORY_DELAY, ended=ended.setdefault(context, []))
    return make


def build_app(args: argparse.Namespace, backend: Backend | None = None, *, manual: bool = False,
              user: UserConfig | None = None) -> K9pyApp:
    """The explorer as the parsed command line says (-n, -A, -c, --readonly, --logoless,
    --headless, --crumbsless, --skin) over what the user's files say (``user``: config.yaml, and
    with ``user.persist`` what was remembered for the context); the simulator's demo unless
    ``backend``. The command line wins, then the context's memory, then config.yaml."""
    user = user or UserConfig()
    s = user.settings
    if backend is None:
        speed = getattr(args, "speed", None)
        backend = demo_backend(getattr(args, "seed", None), getattr(args, "scenario", None),
                               s.speed if speed is None else speed, deferred=not manual,
                               watch=bool(getattr(args, "watch", False)))
    state: ContextState | None = None
    if user.persist:
        info = backend.info()
        state, warnings = context_state.load(info.context, cluster=info.cluster)
        user.warnings.extend(warnings)
    user.warnings.extend(backend.notes)  # what opening its file had to say (a recording cut off)
    view = start_view(args, user, state, backend)
    user.config_skin = s.skin
    if getattr(args, "skin", None):
        s.skin, user.skin_pinned = args.skin, True
    elif state is not None and state.skin:
        s.skin = state.skin  # a skin per context (k9s: red for production)
    user.config_read_only = s.read_only
    if getattr(args, "readonly", False):
        s.read_only, user.read_only_pinned = True, True
    elif getattr(args, "write", False):  # k9s's --write: over config.yaml's and every context's readOnly
        s.read_only, user.write_pinned = False, True
    elif state is not None and state.read_only is not None:
        s.read_only = state.read_only
    if getattr(args, "refresh", None) is not None:
        s.refresh_rate = args.refresh
    if getattr(args, "screen_dump_dir", None):
        s.screen_dump_dir = args.screen_dump_dir
    s.ui.logoless = s.ui.logoless or bool(getattr(args, "logoless", False))
    s.ui.invert = s.ui.invert or bool(getattr(args, "invert", False))
    s.ui.headless = s.ui.headless or bool(getattr(args, "headless", False))
    s.ui.crumbsless = s.ui.crumbsless or bool(getattr(args, "crumbsless", False))
    namespace = start_namespace(args, backend, state.namespace if state else None)
    history = None if manual or getattr(args, "no_history", False) else history_factory(s.history, backend)
    app = K9pyApp(backend, namespace=namespace, view=view, manual=manual, user=user, history=history)
    if state is not None and state.favorites:
        app.navigator.restore_favorites(state.favorites)
    return app


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


def terminal_driver(out: TextIOWrapper, base: type[Any] | None = None) -> type[Any]:
    """Textual's Linux driver (or ``base``, one like it) drawing on ``out`` (and sizing the UI
    by it) instead of stderr."""
    from textual.drivers.linux_driver import LinuxDriver

    class TerminalDriver(base or LinuxDriver):  # type: ignore[misc]
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


def run_explorer(args: argparse.Namespace, backend: Backend | None = None, user: UserConfig | None = None) -> int:
    """Open the explorer as the parsed ``args`` say (the simulator's demo unless ``backend``)
    with the user's files (``user``)."""
    app = build_app(args, backend, user=user)
    keyinput.install()  # an ESC typed ahead stays an ESC (never a delete confirmed by the Enter behind it)
    keys = keyinput.key_driver() if os.name == "posix" else None  # esc told in 50 ms, as k9s does
    out = terminal_file() if os.name == "posix" else None
    if out is not None:
        app.driver_class = terminal_driver(out, keys)
    elif keys is not None:
        app.driver_class = keys
    info = app.session.info()
    logging.getLogger("k9py").info("explorer on %s: context %s, cluster %s, user %s%s", info.backend, info.context,
                                   info.cluster, info.user,
                                   f", server {info.extra['server']}" if info.extra.get("server") else "")
    app.run(mouse=app.user.settings.ui.enable_mouse)  # k9s's ui.enableMouse (off: the terminal's own selection)
    logging.getLogger("k9py").info("explorer closed (exit %d)", app.return_code or 0)
    if app.exit_problem:  # the context's memory could not be saved: said once the terminal is back
        print(f"k9py: {inert_line(app.exit_problem)}", file=sys.stderr)
    return app.return_code or 0  # 1 when the app failed (Textual printed why)
