"""Command line: `k9py` (explore), `k9py serve`, `scenario check|list|generate`, `record`, `replay`, `info`.

Errors a user made exit 2 with one line on stderr: argparse's own (every numeric and enumerated
flag has a type that checks it) and K9pyError (a user file: ``k9py: FILE:LINE: field: ...``).
Wherever a file is accepted, a bundled scenario's name is too (``k9py --scenario crashloop``,
``k9py replay incident-checkout-oom``). The explorer reads the user's files once
(``config.user.load_user``): config.yaml's backend, scenario and speed are defaults the command
line overrides."""

from __future__ import annotations

import argparse
import math
import re
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from k9py import __version__
from k9py.errors import K9pyError

if TYPE_CHECKING:
    from k9py.backends.base import Backend
    from k9py.config.user import UserConfig


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``k9py serve: argument --port: ...``), exit 2."""

    def parse_args(self, *args: Any, **kw: Any) -> Any:
        given = args[0] if args else kw.get("args")
        self._given = list(sys.argv[1:] if given is None else given)
        return super().parse_args(*args, **kw)

    def error(self, message: str) -> NoReturn:
        commands = next((a.choices for a in self._actions if isinstance(a, argparse._SubParsersAction)), {})
        dashed = next((w for w in getattr(self, "_given", []) if w.startswith("--") and w[2:] in commands), None)
        if dashed is not None:  # `k9py --replay FILE`: said to be an invalid choice of FILE, or an unknown option
            message = f"{dashed} is no option; {dashed[2:]} is a command: k9py {dashed[2:]} ..."
        self.exit(2, f"{self.prog}: {message}\n")


class Scenarios(argparse.Action):
    """The explorer's `--scenario`, repeatable: the first is ``scenario`` (what one file always
    did), every one given is ``scenarios`` (several: one simulated cluster, one context each)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        given = [*(getattr(namespace, "scenarios", None) or []), str(values)]
        namespace.scenarios = given
        setattr(namespace, self.dest, given[0])


# -- argument types: a bad value is argparse's one-line error ------------------------------------------

def port_arg(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: must be a number from 0 to 65535") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: must be from 0 to 65535 (0 picks a free one)")
    return port


def _float(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid {what} {text!r}: must be a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"invalid {what} {text!r}: must be a finite number")
    return value


def speed_arg(text: str) -> float:
    """The explorer's speed: virtual seconds per real second, > 0 (pausing is a key)."""
    value = _float(text, "speed")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"invalid speed {text!r}: must be greater than 0 (e.g. 0.5, 2, 10)")
    return _at_most_max(text, value)


def serve_speed_arg(text: str) -> float:
    """serve's speed: >= 0 (0 stops the clock)."""
    value = _float(text, "speed")
    if value < 0:
        raise argparse.ArgumentTypeError(f"invalid speed {text!r}: must be 0 (a stopped clock) or more")
    return _at_most_max(text, value)


def _at_most_max(text: str, value: float) -> float:
    """A clock driven faster than the replay's fastest cannot keep up (serve's API stops answering)."""
    from k9py.scenario.speeds import MAX_SPEED
    if value > MAX_SPEED:
        raise argparse.ArgumentTypeError(f"invalid speed {text!r}: must be at most {MAX_SPEED:g}")
    return value


def seed_arg(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid seed {text!r}: must be an integer") from None


def duration_type(text: str) -> float:
    """Seconds or a duration like 90s, 5m, 1h30m; not negative."""
    from k9py.commands import duration_arg
    try:
        seconds = duration_arg(text, "")
    except K9pyError as err:
        raise argparse.ArgumentTypeError(err.message) from None
    assert seconds is not None
    return seconds


def count_arg(text: str) -> int:
    """A count of at least 1 (pods, nodes)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}: must be a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}: must be at least 1")
    return value


def churn_arg(text: str) -> float:
    """Timeline steps per second, >= 0."""
    value = _float(text, "churn")
    if value < 0:
        raise argparse.ArgumentTypeError(f"invalid churn {text!r}: must be 0 or more (steps per second)")
    return value


def token_arg(text: str) -> str:
    """A bearer token as given: visible ASCII, no spaces (it travels in an HTTP header)."""
    if not text or any(not 0x21 <= ord(c) <= 0x7E for c in text):
        raise argparse.ArgumentTypeError("invalid token: must be non-empty visible ASCII without spaces "
                                         "(or give --token alone to generate one)")
    return text


def view_arg(text: str) -> str:
    """A `:` command the explorer starts with (pods, deploy, svc kube-system, pulses, xray dp,
    ...). A word no built-in kind answers to may be one a live cluster's discovery brings (a
    CRD's plural): the explorer decides once it knows its backend (``launch.start_view``)."""
    from k9py.view import kinds
    if not kinds.known_command(text) and not KIND_WORD.fullmatch(text.strip().split(" ", 1)[0].lower()):
        raise argparse.ArgumentTypeError(f"unknown view {text!r} (try pods, deploy, svc, no, ns, ...)")
    return text


KIND_WORD = re.compile(r"[a-z0-9][a-z0-9.-]*")  # a resource's plural, short name or plural.group


# -- k9py's own log (k9s's --logFile / --logLevel) -------------------------------------------------------

LOG_LEVELS = {"debug": 10, "info": 20, "warn": 30, "warning": 30, "error": 40}


def log_level_arg(text: str) -> str:
    if text.lower() not in LOG_LEVELS:
        raise argparse.ArgumentTypeError(f"invalid log level {text!r}: one of error, warn, info, debug")
    return text.lower()


def log_path(args: argparse.Namespace) -> str:
    """Where the explorer logs: ``--logFile``, else ``$XDG_STATE_HOME/k9py/k9py.log`` (k9s's place
    for its k9s.log; ``$K9PY_CONFIG_DIR`` when that is set)."""
    import os

    from k9py.config import locations
    given = getattr(args, "log_file", None)
    return os.path.abspath(os.path.expanduser(given)) if given else str(locations.state_dir() / "k9py.log")


class _OneLine:
    """A log record's text on one line, with nothing a terminal would obey (``cat`` of the log):
    names and messages come from the cluster."""

    def __init__(self, fmt: str) -> None:
        import logging
        self._fmt = logging.Formatter(fmt, "%Y-%m-%dT%H:%M:%S%z")

    def format(self, record: object) -> str:
        from k9py.view.inert import inert_line
        return inert_line(self._fmt.format(record))  # type: ignore[arg-type]


def start_log(args: argparse.Namespace) -> str | None:
    """Open the explorer's log (appended to, created 0600 as k9s's) at ``--logLevel``. A
    ``--logFile`` that cannot be written is K9pyError (exit 2); the default place that cannot be
    (a read-only home) means no log, said on stderr. The path, or None."""
    import logging
    import os
    path = log_path(args)
    explicit = bool(getattr(args, "log_file", None))
    try:
        if not explicit:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    except OSError as err:
        if explicit:
            raise K9pyError(f"{path}: cannot write the log ({err.strerror or err})", field="--logFile") from None
        print(f"k9py: no log: {path}: {err.strerror or err}", file=sys.stderr)
        _own_root(logging.NullHandler())
        return None
    stream = os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace")  # (a lone surrogate)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_OneLine("%(asctime)s %(levelname)s %(name)s: %(message)s"))  # type: ignore[arg-type]
    logger = logging.getLogger("k9py")
    for old in [h for h in logger.handlers if getattr(h, "k9py_log", False)]:
        logger.removeHandler(old)
        old.close()
    handler.k9py_log = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    libraries = logging.StreamHandler(stream)  # the kubernetes client's and urllib3's warnings
    libraries.setLevel(logging.WARNING)
    libraries.setFormatter(handler.formatter)
    _own_root(libraries)
    logger.setLevel(LOG_LEVELS[getattr(args, "log_level", None) or "info"])
    logger.propagate = False
    logger.info("k9py %s started (pid %d), logging at %s", __version__, os.getpid(),
                (getattr(args, "log_level", None) or "info"))
    return path


def _own_root(handler: object) -> None:
    """The root logger's records (the kubernetes client's ``logging.error`` when a credential
    plugin fails, urllib3's warnings) go to k9py's log: without a handler of its own, the
    client's first ``logging.error`` gave the root logger one on the terminal's stderr, and from
    then every library warning was printed over the UI."""
    import logging
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "k9py_log", False)]:
        root.removeHandler(old)
    handler.k9py_log = True  # type: ignore[attr-defined]
    root.addHandler(handler)  # type: ignore[arg-type]


def stop_log() -> None:
    import logging
    for logger in (logging.getLogger("k9py"), logging.getLogger()):
        for h in [h for h in logger.handlers if getattr(h, "k9py_log", False)]:
            logger.removeHandler(h)
            h.close()


# -- parsers ----------------------------------------------------------------------------------------------

def _serve_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the simulator as a Kubernetes API on loopback")
    p.add_argument("--scenario", metavar="FILE|NAME",
                   help="scenario file or bundled name (default: the bundled demo cluster)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; anything but loopback is warned about)")
    p.add_argument("--port", type=port_arg, default=0, help="port (0 picks a free one)")
    p.add_argument("--kubeconfig-out", help="write a kubeconfig (context k9py-sim) to this file")
    p.add_argument("--token", nargs="?", const=True, type=token_arg, default=None, metavar="TOKEN",
                   help="require `Authorization: Bearer TOKEN` on every request (401 otherwise); alone: "
                        "a random token, written into --kubeconfig-out's file (else printed on stderr); implies --tls "
                        "(kubectl sends a token only over https)")
    p.add_argument("--tls", action="store_true",
                   help="serve https with a certificate for 127.0.0.1/localhost made at start, signed by the "
                        "cluster's CA (--kubeconfig-out's file carries the CA as certificate-authority-data); "
                        "client certificates that CA signed (issued CSRs) authenticate their CN as the user")
    p.add_argument("--speed", type=serve_speed_arg, default=1.0, help="virtual time per real second (0: stopped; at most 64)")
    p.add_argument("--seed", type=seed_arg, default=None)
    p.add_argument("--readonly", action="store_true", help="refuse every mutation with 403")
    p.add_argument("--expose-nodeports", dest="expose_nodeports", action="store_true",
                   help="answer each NodePort Service on 127.0.0.1 (its nodePort when free; printed)")
    p.add_argument("--no-metrics", dest="no_metrics", action="store_true",
                   help="serve no metrics.k8s.io API (a cluster without metrics-server)")
    p.add_argument("--any-image-tag", dest="any_image_tag", action="store_true",
                   help="every well-formed image reference pulls (default: a tag the well-known images "
                        "do not have fails with ErrImagePull), but a misspelt one (ngnix)")
    p.add_argument("--paused", action="store_true", help="a Recording: start paused (at t=0 or --at)")
    p.add_argument("--at", metavar="TIME", type=duration_type, help="a Recording: start the play head there (90s, 2m)")


def _explore_arguments(p: argparse.ArgumentParser) -> None:
    """k9s's flags for the explorer."""
    p.add_argument("-n", "--namespace", default=None,
                   help="namespace to start in (default: default; a replay: where its objects are)")
    p.add_argument("-A", "--all-namespaces", action="store_true", help="start in all namespaces")
    p.add_argument("-c", "--command", dest="start_view", type=view_arg, default=None, metavar="VIEW",
                   help="start view, a `:` command (pods, deploy, svc kube-system, ...; default: config.yaml's "
                        "defaultView, else the context's last view, else pods)")
    p.add_argument("--readonly", action="store_true", help="refuse every change to the cluster")
    p.add_argument("--write", action="store_true",
                   help="allow changes even where config.yaml or a context's file says readOnly (--readonly wins)")
    p.add_argument("-r", "--refresh", type=refresh_arg, default=None, metavar="SECONDS",
                   help="seconds between repaints of ages and usage (default: config.yaml's refreshRate, else 1)")
    p.add_argument("--screen-dump-dir", default=None, metavar="DIR", help="where ctrl-s saves (k9s's screenDumpDir)")
    p.add_argument("--splashless", action="store_true", help=argparse.SUPPRESS)  # k9s's: k9py shows no splash
    p.add_argument("--logoless", action="store_true", help="no logo in the header")
    p.add_argument("--invert", action="store_true",
                   help="the skin turned dark to light (light to dark), its colours' hues kept (k9s's)")
    p.add_argument("--headless", action="store_true", help="no header")
    p.add_argument("--crumbsless", action="store_true", help="no crumbs line under the table")
    p.add_argument("--skin", metavar="NAME|FILE", help="a skin: a bundled or user skin's name, or a k9s skin file")
    p.add_argument("--no-history", action="store_true",
                   help="keep no history on disk (the time machine, `:rewind`, is off)")


def refresh_arg(text: str) -> float:
    """k9s's --refresh: seconds, at least 0.5 (as config.yaml's refreshRate)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.5 <= value <= 3600:  # (nan, inf and 0 too)
        raise argparse.ArgumentTypeError(f"{text!r}: between 0.5 and 3600 seconds")
    return value


def _scenario_parsers(sub: argparse._SubParsersAction) -> None:
    """`scenario check|list|generate`, `record`, `replay` (k9py/scenario)."""
    sc = sub.add_parser("scenario", help="scenario files: check, list the bundled ones")
    scs = sc.add_subparsers(dest="scenario_command", required=True)
    chk = scs.add_parser("check", help="validate Scenario, Recording or manifest files (every problem as FILE:LINE: ...)")
    chk.add_argument("files", nargs="+", metavar="FILE|NAME")
    scs.add_parser("list", help="the bundled scenarios and recordings: names, titles and paths")
    gen = scs.add_parser("generate", help="write a large realistic scenario (namespaces, deployments, services, "
                                          "PVCs, mixed statuses; with --churn a timeline)")
    gen.add_argument("--pods", type=count_arg, required=True, metavar="N", help="about how many pods")
    gen.add_argument("--nodes", type=count_arg, required=True, metavar="M", help="how many nodes (at most 1000)")
    gen.add_argument("--churn", type=churn_arg, default=0.0, metavar="EVENTS_PER_S",
                     help="add a timeline changing pods at about this rate (steps per second)")
    gen.add_argument("--duration", type=duration_type, default=None, metavar="TIME",
                     help="how long the --churn timeline runs (default 5m)")
    gen.add_argument("--seed", type=seed_arg, default=0)
    gen.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the scenario")

    rec = sub.add_parser("record", help="record cluster history as a Recording (JSON Lines)")
    rec.add_argument("-o", "--output", required=True, metavar="FILE",
                     help="where to write (.jsonl, .yaml, + .gz to compress)")
    rec.add_argument("--scenario", metavar="FILE|NAME", help="record a scenario in the simulator (virtual clock)")
    rec.add_argument("--kubeconfig", metavar="FILE", help="record a live cluster (default: $KUBECONFIG)")
    rec.add_argument("--context", help="kubeconfig context of the live cluster")
    from k9py.backends.live import add_connection_arguments
    add_connection_arguments(rec)  # --as, --token, --cluster, ... as the explorer takes them
    rec.add_argument("--duration", metavar="TIME", type=duration_type,
                     help="how long (90s, 5m; default: the scenario's length, or until Ctrl-C for a live cluster)")
    rec.add_argument("-n", "--namespace", default=None, help="only this namespace (plus cluster-scoped objects)")
    rec.add_argument("--logs", metavar="SELECTOR", help="also record the logs of pods matching this label selector")
    rec.add_argument("--include-secrets", action="store_true", help="keep Secret data (redacted by default)")
    rec.add_argument("--seed", type=seed_arg, default=None)
    rec.add_argument("--from-history", action="store_true",
                     help="save what the time machine kept (the latest run, a live cluster's earlier ones before it; --context picks the context)")

    rp = sub.add_parser("replay", help="explore a Recording like a video")
    rp.add_argument("file", metavar="FILE|NAME")
    rp.add_argument("--paused", action="store_true", help="start paused")
    rp.add_argument("--at", metavar="TIME", type=duration_type, help="start the play head there (90s, 2m)")
    rp.add_argument("--speed", type=speed_arg, default=argparse.SUPPRESS, help="play speed (0.25 to 64)")
    rp.add_argument("--watch", action="store_true", help="reload the file when it changes")
    _explore_arguments(rp)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="k9py", description="A k9s-style cluster explorer with a built-in simulator.")
    parser.add_argument("--version", action="version", version=f"k9py {__version__}")
    parser.add_argument("--scenario", metavar="FILE|NAME", action=Scenarios,
                        help="scenario file or bundled name for the simulator (default: the demo cluster); "
                             "again for more simulated clusters, one context each (`:ctx`, `:pods --contexts a,b`)")
    parser.add_argument("--seed", type=seed_arg, default=None)
    parser.add_argument("--speed", type=speed_arg, default=None,
                        help="virtual time per real second, at most 64 (default: config.yaml's speed, else 1)")
    parser.add_argument("--sim", action="store_true",
                        help="explore the simulator even when config.yaml says backend: live")
    parser.add_argument("--watch", action="store_true", help="with --scenario: restart it when the file changes")
    parser.add_argument("-l", "--logLevel", dest="log_level", type=log_level_arg, default="info", metavar="LEVEL",
                        help="what the log gets: error, warn, info (default) or debug (k9s's)")
    parser.add_argument("--logFile", dest="log_file", metavar="FILE", default=None,
                        help="where the explorer logs (default: $XDG_STATE_HOME/k9py/k9py.log; `k9py info` says)")
    _explore_arguments(parser)
    from k9py.backends.live import add_live_arguments
    add_live_arguments(parser)  # --live, --context, --kubeconfig, --as, --cluster, --token, ..., --request-timeout
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    _serve_parser(sub)
    _scenario_parsers(sub)
    sub.add_parser("info", help="where k9py reads the user's files from, and which were found")
    return parser


def resolve_files(args: argparse.Namespace) -> None:
    """Bundled names → their paths, in every argument that takes a file."""
    if getattr(args, "scenario", None) is None and args.command not in ("replay", "scenario"):
        return  # nothing to resolve (the catalog is not imported for the demo)
    from k9py.scenario.catalog import resolve
    if getattr(args, "scenario", None) is not None:  # ('' too: said, not read as no file)
        args.scenario = resolve(args.scenario)
    if args.command == "replay":
        args.given_file, args.file = args.file, resolve(args.file)
    if args.command == "scenario" and args.scenario_command == "check":
        args.files = [resolve(f) for f in args.files]


def _scenario_backend(args: argparse.Namespace) -> Backend | None:
    """The backend for `--scenario` files and `replay`; None: the default (the demo)."""
    path = getattr(args, "file", None) if args.command == "replay" else getattr(args, "scenario", None)
    if not path:
        return None
    from k9py.backends.replay import ReplayBackend
    from k9py.commands import duration_arg
    from k9py.scenario import files

    kind = files.detect(path)
    hot_reload = bool(getattr(args, "watch", False))
    if args.command == "replay" or kind == files.RECORDING:
        if kind != files.RECORDING:
            given = getattr(args, "given_file", path)
            raise K9pyError(f"is a {kind} file, not a Recording: run it with `k9py --scenario {given}`", file=given)
        replay = ReplayBackend.open(path, paused=bool(getattr(args, "paused", False)),
                                    at=duration_arg(getattr(args, "at", None), "--at"))
        replay.player.set_speed(float(getattr(args, "speed", None) or 1.0))  # `k9py --speed 4 replay F`
        replay.hot_reload = hot_reload
        return replay
    return None  # the explorer's own (``ui.launch.demo_backend``: a big file builds behind the first frame)


def several_scenarios(args: argparse.Namespace) -> Backend | None:
    """`k9py --scenario A --scenario B`: one simulated cluster per file, each a context named
    after its file (made distinct), the first one opened. None: fewer than two were given."""
    given = list(getattr(args, "scenarios", None) or [])
    if args.command is not None or len(given) < 2:
        return None
    from pathlib import Path

    from k9py.backends.replay import ScenarioBackend
    from k9py.backends.sim import SimBackend, link_contexts
    from k9py.scenario import files
    from k9py.scenario.catalog import resolve

    backends: dict[str, SimBackend] = {}
    for arg in given:
        path = resolve(arg)
        if files.detect(path) == files.RECORDING:
            raise K9pyError("is a Recording: several --scenario take scenarios or manifests", file=arg)
        stem, n = Path(path).stem, 1
        name = stem
        while name in backends:
            n += 1
            name = f"{stem}-{n}"
        backends[name] = ScenarioBackend.open(path, seed=getattr(args, "seed", None),
                                              speed=float(getattr(args, "speed", None) or 1.0), context=name)
    link_contexts(backends)
    return next(iter(backends.values()))


def user_files(args: argparse.Namespace) -> UserConfig:
    """The user's files (ConfigError: exit 2), with the command line over them: config.yaml's
    backend, scenario and speed fill in what the command line leaves out; ``--skin`` is checked."""
    from k9py.config.user import load_user
    user = load_user()
    s = user.settings
    if getattr(args, "speed", None) is None:
        args.speed = s.speed
    if getattr(args, "request_timeout", None) is None and s.api_server_timeout:
        args.request_timeout = f"{s.api_server_timeout:f}s"  # k9s's apiServerTimeout
    from k9py.backends.live import wants_live
    if args.command is None and not (wants_live(args) or args.scenario):
        if s.backend == "live" and not args.sim:
            args.live = True
        elif s.scenario:
            args.scenario = s.scenario
    if getattr(args, "skin", None):
        check_skin(args.skin)
    return user


def check_skin(name: str) -> None:
    """``--skin NAME|FILE`` names a skin that exists and reads (K9pyError listing the known
    names, or the file's FILE:LINE problem: exit 2 before the UI, as for a bad name)."""
    from k9py.config import skin
    try:
        path = skin.find(name)
    except K9pyError as err:
        raise K9pyError(err.message, field="--skin") from None
    skin.load(path)


def cmd_info(args: argparse.Namespace | None = None) -> int:
    """`k9py info`: where each of the user's files is read from and whether it was found, and
    where the explorer logs."""
    from pathlib import Path

    from k9py.config import info
    from k9py.view.inert import inert
    log = Path(log_path(args or argparse.Namespace()))
    from k9py import native
    rows = [info.Row("Version", Path(f"v{__version__}"), ""),
            info.Row("Simulator core", Path(native.ROOT, "k9py", "sim"), native.mode()), *info.rows(),
            info.Row("Logs", log, "found" if log.is_file() else "not found (made when the explorer starts)")]
    print(inert(info.format_rows(rows)))  # folder names, a skin's keys: shown, never obeyed
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.command == "info":
        return cmd_info(args)
    user = user_files(args) if args.command in (None, "replay") else None
    if args.command in (None, "replay"):
        start_log(args)  # first: what follows (a live cluster's connection) is logged
    if args.speed is None:
        args.speed = 1.0
    resolve_files(args)
    if args.command == "scenario":
        if args.scenario_command == "list":
            from k9py.scenario.catalog import cmd_list
            return cmd_list()
        if args.scenario_command == "generate":
            from k9py.commands import cmd_generate
            return cmd_generate(args)
        from k9py.commands import cmd_check
        return cmd_check(args.files)
    if args.command == "record":
        from k9py.commands import cmd_record
        return cmd_record(args)
    if args.command == "serve":
        if getattr(args, "scenario", None):
            from k9py.scenario import files
            if files.detect(args.scenario) == files.RECORDING:
                if getattr(args, "token", None) is not None or getattr(args, "tls", False):
                    raise K9pyError("--token and --tls are not supported when serving a Recording yet")
                from k9py.serve.server import exposure_warning
                warning = exposure_warning(args.host or "127.0.0.1", token=False, tls=False, readonly=True)
                if warning:
                    print(warning, file=sys.stderr, flush=True)
                from k9py.commands import serve_recording
                return serve_recording(args)
        if getattr(args, "at", None) is not None or getattr(args, "paused", False):
            what = "--at" if getattr(args, "at", None) is not None else "--paused"
            raise K9pyError(f"{what} is for a Recording's play head (serve --scenario FILE.jsonl); "
                            "a simulated cluster starts now (--speed sets its pace)")
        from k9py.serve.server import run_serve
        return run_serve(args)
    from k9py.backends.live import live_backend_from_args, request_timeout
    request_timeout(getattr(args, "request_timeout", None))  # a bad value is an error even without --live
    live = live_backend_from_args(args)
    if live is not None and getattr(args, "scenario", None):
        raise K9pyError("--scenario and --live/--context/--kubeconfig are exclusive")
    backend: Backend | None = live or several_scenarios(args) or _scenario_backend(args)
    from k9py.ui.launch import run_explorer
    return run_explorer(args, backend=backend, user=user)


def entry() -> int:
    """The `k9py` command: ``main``, then the process lets its heap go without walking it."""
    try:
        return main()
    finally:
        from k9py.kube import gcpause
        gcpause.leaving()


def main(argv: list[str] | None = None) -> int:
    from k9py.view.inert import inert_line
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as done:  # argparse: --help, --version, or a one-line error (2)
        return done.code if isinstance(done.code, int) else 2
    try:
        return _run(args)
    except K9pyError as err:
        print(f"k9py: {inert_line(str(err))}", file=sys.stderr)  # a name from the file: no escape reaches the terminal
        import logging
        logging.getLogger("k9py").error("%s", err)
        return 2
    except OSError as err:
        if err.filename is None:  # (not a file's: a bug's traceback is kept)
            raise
        # a file the system refuses before any reader could say so (K9PY_CONFIG_DIR or --skin past
        # NAME_MAX, a config folder sudo left unreadable): its name and the system's words
        print(f"k9py: {inert_line(str(err.filename))}: {err.strerror or err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:
        stop_log()
