"""The UI-free subcommands: ``scenario check``, ``scenario generate``, ``record``, and ``serve`` of a Recording."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any, TextIO

from k9py.errors import K9pyError
from k9py.kube.timefmt import parse_duration
from k9py.scenario import files
from k9py.view.inert import inert_line

DEFAULT_LIVE_NOTE = "recording until Ctrl-C"


def duration_arg(text: str | float | None, flag: str) -> float | None:
    """Seconds from ``90``, ``90s``, ``5m`` (a number already parsed passes through)."""
    if text is None or isinstance(text, (int, float)):
        return None if text is None else float(text)
    try:
        seconds = parse_duration(text)
    except ValueError:
        raise K9pyError(f'invalid duration "{text}": use seconds or a duration like 90s, 5m', field=flag or None) from None
    if seconds < 0:
        raise K9pyError(f'invalid duration "{text}": must not be negative', field=flag or None)
    return seconds


# -- scenario check ---------------------------------------------------------------------------------

def cmd_check(paths: list[str], out: TextIO | None = None) -> int:
    """Every problem of every file, one per line; exit 2 if any."""
    out = out or sys.stdout
    bad = False
    for path in paths:
        errors = files.check(path)
        for err in errors:
            print(inert_line(str(err)), file=out)  # a name or kind from the file, never obeyed by the terminal
        if errors:
            bad = True
            continue
        print(f"{path}: ok ({_summary(path)})", file=out)
    return 2 if bad else 0


def _summary(path: str) -> str:
    kind = files.detect(path)
    if kind == files.RECORDING:
        from k9py.scenario.recording import parse_recording
        rec = parse_recording(path, files.read_text(path))
        return f"Recording, {len(rec.events)} events over {rec.end:g}s"
    sf = files.parse_file(path)
    objects = _count(len(sf.manifests), "object")
    if sf.scenario is not None:
        return f"Scenario, {objects}, {_count(len(sf.scenario.steps), 'step')}"
    return objects


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# -- scenario generate ------------------------------------------------------------------------------

def cmd_generate(args: Any, out: TextIO | None = None) -> int:
    """Write ``scenario/generate``'s scenario to ``args.output``; a size it refuses is a one-line error."""
    from k9py.scenario import generate

    duration = getattr(args, "duration", None)
    try:
        summary = generate.write(args.output, args.pods, args.nodes, churn=args.churn, seed=args.seed,
                                 duration=generate.DEFAULT_DURATION if duration is None else duration)
    except ValueError as err:
        raise K9pyError(str(err)) from None
    except OSError as err:  # (a cut-off file is gone: generate.write)
        raise K9pyError(f"cannot write: {err.strerror or err}", file=args.output) from None
    print(summary, file=out or sys.stdout)
    return 0


# -- record ------------------------------------------------------------------------------------------

class Progress:
    """``elapsed  events  bytes`` on one line of stderr, rewritten in place."""

    EVERY = 30.0  # seconds between lines when stderr is not a terminal (a log file)

    def __init__(self, stream: TextIO | None = None, *, virtual: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.virtual = virtual
        self.tty = self.stream.isatty()
        self.last: tuple[float, int, int] | None = None
        self._printed_at: float | None = None

    def _line(self, elapsed: float, events: int, nbytes: int) -> str:
        unit = "virtual " if self.virtual else ""
        return f"recording: {elapsed:7.1f}s {unit}elapsed, {events} events, {_bytes(nbytes)}"

    def __call__(self, elapsed: float, events: int, nbytes: int) -> None:
        self.last = (elapsed, events, nbytes)
        if self.tty:
            self.stream.write("\r" + self._line(elapsed, events, nbytes))
        elif self._printed_at is None or elapsed - self._printed_at >= self.EVERY:
            self._printed_at = elapsed
            self.stream.write(self._line(elapsed, events, nbytes) + "\n")
        else:
            return
        self.stream.flush()

    def done(self, path: str, events: int, nbytes: int) -> None:
        if self.tty:
            self.stream.write("\n")
        elif self.last is not None and self._printed_at != self.last[0]:
            self.stream.write(self._line(*self.last) + "\n")
        self.stream.write(f"recorded {events} events ({_bytes(nbytes)}) to {path}\n")
        self.stream.flush()


def _bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"


def record_scenario(path: str, output: str, *, duration: float | None = None, namespace: str | None = None,
                    logs: str | None = None, include_secrets: bool = False, seed: int | None = None,
                    progress: Any = None, step: float = 1.0, log_pods: set[tuple[str, str]] | None = None) -> int:
    """Record a scenario (or manifests file) straight from the simulator, on its virtual clock.
    Returns the number of events written; ``log_pods`` gets the pods ``logs`` matched."""
    from k9py.scenario.recorder import SimRecorder
    from k9py.scenario.recording import RecordingWriter, header_dict
    from k9py.sim.cluster import SERVER_VERSION

    text = files.read_text(path)
    if files.detect_text(text, path) == files.RECORDING:
        raise K9pyError("is a Recording already: record a Scenario or a manifests file", file=path)
    sf = files.parse_file(path, text=text)
    cluster = files.build_cluster(sf, seed=seed)
    if duration is None:
        duration = sf.scenario.end if sf.scenario is not None else 300.0
    desc = sf.scenario.description if sf.scenario is not None else ""
    name = sf.scenario.name if sf.scenario is not None else sf.header.name
    writer = RecordingWriter(output, header_dict(cluster.now(), context="k9py-sim",
                                                 server_version=SERVER_VERSION["gitVersion"],
                                                 description=desc, duration=duration, name=name))
    rec = SimRecorder(cluster, writer, namespace=namespace, logs=logs, include_secrets=include_secrets)
    try:
        rec.run(duration, step=step, progress=progress)
    finally:
        rec.close()
        if log_pods is not None:
            log_pods.update(rec.log_pods)
    return writer.events


def record_live(output: str, *, kubeconfig: str | None, context: str | None, duration: float | None,
                namespace: str | None, logs: str | None, include_secrets: bool, progress: Any = None,
                clock: Any = None, on_event: Any = None, stop: threading.Event | None = None,
                ready: Any = None, log_pods: set[tuple[str, str]] | None = None, options: Any = None,
                refused: dict[str, str] | None = None) -> int:
    """Record a live cluster through the kubernetes client until ``duration`` (wall seconds),
    ``stop`` or Ctrl-C. t is on ``clock`` (default: the wall clock, which is the apiserver's;
    ``k9py serve`` at speed 1 runs its virtual clock on it too); the header's ``start`` is the
    same instant t counts from; with a ``duration`` the header says so, and the replay lasts
    that long even when nothing changed near the end (an interrupted recording keeps the
    planned length). Returns the number of events written (-1: interrupted)."""
    import asyncio

    from k9py.backends.live import LiveBackend, LiveOptions
    from k9py.backends.recorder import record_backend
    from k9py.scenario.recording import RecordingWriter, header_dict

    # ``options``: the command line's connection (--as, --token, ...); its kubeconfig and context
    backend = LiveBackend(options if options is not None else LiveOptions(kubeconfig=kubeconfig, context=context))

    async def run() -> int:
        try:  # kinds and server version first: a cluster that cannot be reached is said at once
            await backend.discover()  # (the explorer waits for it; a recording would be empty)
        except K9pyError as err:
            await backend.close()
            where = f"context {backend.context} ({backend.info().extra.get('server', '')})"
            raise K9pyError(f"cannot reach the cluster of {where}: {err}: nothing recorded") from None
        info = backend.info()
        start = round((clock or backend.now)(), 6)  # the header keeps microseconds: t counts from it
        writer = RecordingWriter(output, header_dict(start, context=info.context, duration=duration,
                                                     server_version=info.server_version, name=info.cluster))
        try:
            await record_backend(backend, writer, duration=duration, namespace=namespace, logs=logs,
                                 include_secrets=include_secrets, progress=progress, start=start,
                                 clock=clock, on_event=on_event, stop=stop, ready=ready, log_pods=log_pods,
                                 refused=refused)
        finally:
            writer.close()
            await backend.close()
        return writer.events

    try:
        return asyncio.run(run())
    except KeyboardInterrupt:
        return -1


def refused_note(refused: dict[str, str]) -> str:
    """What the server would not let the recording list (``--as`` a user RBAC limits), one line."""
    from k9py.kube import resources
    plurals = sorted(resources.BY_KIND[k].plural if k in resources.BY_KIND else k for k in refused)
    example = refused[min(refused)]
    shown = ", ".join(plurals[:8]) + (f" and {len(plurals) - 8} more" if len(plurals) > 8 else "")
    return f"not recorded, the server refused to list them: {shown} (e.g. {example})"


def cmd_record(args: Any) -> int:
    from k9py.kube.outfile import check_writable
    check_writable(args.output, "the recording")  # before a cluster is built or connected to
    if getattr(args, "from_history", False):
        return record_from_history(args.output, getattr(args, "context", None))
    duration = duration_arg(getattr(args, "duration", None), "--duration")
    scenario = getattr(args, "scenario", None)
    from k9py.backends.live import wants_live
    if scenario and wants_live(args):
        raise K9pyError("--scenario and a live cluster's flags (--kubeconfig, --context, --as, --token, ...) are "
                        "exclusive: record one or the other")
    namespace, logs = getattr(args, "namespace", None), getattr(args, "logs", None)
    if logs:
        from k9py.kube.selectors import parse_label_selector
        try:
            parse_label_selector(logs)  # before anything is written or connected to
        except ValueError as err:
            raise K9pyError(f"argument --logs: {err}") from None
    include_secrets = bool(getattr(args, "include_secrets", False))
    log_pods: set[tuple[str, str]] = set()
    if scenario:
        prog = Progress(virtual=True)
        events = record_scenario(scenario, args.output, duration=duration, seed=getattr(args, "seed", None),
                                 progress=prog, namespace=namespace, logs=logs, include_secrets=include_secrets,
                                 log_pods=log_pods)
    else:
        prog = Progress()
        if duration is None:
            print(f"k9py record: {DEFAULT_LIVE_NOTE}", file=sys.stderr)
        from k9py.backends.live import live_options_from_args
        refused: dict[str, str] = {}
        events = record_live(args.output, kubeconfig=getattr(args, "kubeconfig", None),
                             context=getattr(args, "context", None), duration=duration,
                             progress=prog, namespace=namespace, logs=logs, include_secrets=include_secrets,
                             log_pods=log_pods, options=live_options_from_args(args), refused=refused)
        if refused:
            print(f"k9py record: {refused_note(refused)}", file=sys.stderr)
    import os
    prog.done(args.output, max(events, 0), os.path.getsize(args.output) if os.path.exists(args.output) else 0)
    if logs and not log_pods:
        # kubectl's "No resources found in default namespace." for a selector nothing matches:
        # said on stderr, exit 0 (the recording itself was written)
        where = f"in namespace {namespace}" if namespace else "in any namespace"
        print(f"k9py record: no pods matched --logs {logs} {where}: the recording has no logs", file=sys.stderr)
    return 0


def record_from_history(output: str, context: str | None) -> int:
    """``k9py record --from-history [--context C] -o FILE``: the time machine's latest run (of
    that context; a live cluster's with its earlier runs on it) as one Recording, even while the
    k9py that writes it still runs."""
    from k9py.config import locations
    from k9py.config import settings as settings_file
    from k9py.store.history import runs, save_run

    if output.endswith((".yaml", ".yml", ".yaml.gz", ".yml.gz")):
        raise K9pyError("--from-history writes JSON Lines: name the file .jsonl or .jsonl.gz", file=output)
    config = locations.config_file()  # k9py.history.dir: where the explorer writes them
    root = (settings_file.load(config) if config.is_file() else settings_file.Settings()).history.root()
    found = runs(root, context)
    if not found:
        where = f"for context {context!r} " if context else ""
        raise K9pyError(f"no history {where}found (k9py keeps it while it runs, unless --no-history)", file=str(root))
    size = save_run(found[-1], output)
    print(f"k9py record: wrote {output} ({size // 1024} KiB of history from {found[-1]}): k9py replay {output}",
          file=sys.stderr)
    return 0


# -- serve a recording --------------------------------------------------------------------------------

def serve_recording(args: Any) -> int:
    """``k9py serve --scenario RECORDING [--paused] [--at 90s]``: the play head, read-only."""
    from k9py.scenario.player import ReplayCluster
    from k9py.serve.server import ServeHandle

    out = getattr(args, "kubeconfig_out", None)
    if out:
        from k9py.kube.kubeconfig import check_kubeconfig_out
        check_kubeconfig_out(out)
    notes: list[str] = []
    kind, player = files.open_scenario(args.scenario, notes=notes)
    assert kind == files.RECORDING
    for note in notes:  # a recording cut off: served as far as it goes, said so
        print(f"k9py: {inert_line(note)}", file=sys.stderr, flush=True)
    player.paused = bool(getattr(args, "paused", False))
    at = duration_arg(getattr(args, "at", None), "--at")
    if at is not None:
        player.seek(at)
    speed = float(getattr(args, "speed", 1.0) or 1.0)
    player.set_speed(speed)
    cluster = ReplayCluster(player, name=player.recording.name or player.recording.context)
    host = getattr(args, "host", "127.0.0.1") or "127.0.0.1"
    try:
        handle = ServeHandle(cluster, host=host, port=int(getattr(args, "port", 0) or 0), speed=1.0, readonly=True)
    except OSError as err:
        raise K9pyError(f"cannot listen on {host}:{getattr(args, 'port', 0)}: {err.strerror or err}") from None
    if out:
        from k9py.kube.kubeconfig import write_kubeconfig
        write_kubeconfig(out, handle.url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    handle.start()
    state = "paused" if player.paused else "playing"
    print(f"k9py serve: listening on {handle.url}", flush=True)
    print(f"k9py serve: replaying {args.scenario} ({state} at t={player.position:g}s of {player.duration:g}s, "
          "read-only)", file=sys.stderr, flush=True)
    while not stop.wait(0.5):
        pass
    handle.stop()
    return 0
