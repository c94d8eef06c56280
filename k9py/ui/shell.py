"""`s` shell and `a` attach on a pod or container row, as k9s does them: the UI suspends, the
shell owns the terminal, leaving it (``exit``, ctrl-d) comes back to the same view.

- The simulator (a cluster in this process): the container's simulated shell in-process
  (``k9py.sim.userland``), no kubectl needed. The terminal is put in raw mode and relayed:
  keys to the process, its output to the screen. The virtual clock stands still meanwhile, as
  it does under a foreground plugin.
- A live cluster: ``kubectl exec -it`` / ``kubectl attach -it`` with the user's kubeconfig and
  context (k9s shells out to kubectl too); kubectl must be on PATH.

A pod with several containers asks which one (k9s's picker) unless the pod names a default
container (``kubectl.kubernetes.io/default-container``). What stops a shell before it starts (a
pod not running, a container that is not) is one line in the flash.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import select
import shlex
import shutil
import subprocess
import termios
import threading
import tty
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from textual.app import SuspendNotSupported

from k9py.errors import K9pyError
from k9py.kube import podcontainers
from k9py.kube.meta import dig
from k9py.kube.status import ApiError
from k9py.ui.handover import terminal_handed_over
from k9py.view.inert import encodable, inert_line
from k9py.view.rows import container_name, k9s_pod_status

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp
    from k9py.view.kinds import ViewKind
    from k9py.view.rows import Row

Obj = dict[str, Any]
log = logging.getLogger(__name__)
# k9s's shell: bash where the image has it, else sh
LIVE_SHELL = ["sh", "-c", "command -v bash >/dev/null && exec bash || exec sh"]
TAIL_KEPT = 4096  # bytes of a live shell's stderr kept for the flash
POLL = 0.02  # seconds between looks at the simulated process's output


class Process(Protocol):
    """What the relay drives (``k9py.sim.userland.ExecProcess``)."""
    done: bool
    exit_code: int | None

    def feed(self, data: bytes) -> None: ...
    def read(self) -> list[tuple[int, bytes]]: ...
    def resize(self, width: int, height: int) -> None: ...
    def close_stdin(self) -> None: ...


def relay(proc: Process, lock: Any, fd_in: int, fd_out: int, *, poll: float = POLL) -> int:
    """Relay a terminal (``fd_in``/``fd_out``) to ``proc`` until it ends; its exit code. The
    terminal is raw while it runs (the process echoes and edits lines, as a pty would)."""
    saved = _raw(fd_in)
    size: tuple[int, int] | None = None
    try:
        while True:
            now = _size(fd_out)
            with lock:
                if now is not None and now != size:
                    size = now
                    proc.resize(*now)
                out = proc.read()
                done = proc.done
            for _stream, data in out:
                _write_all(fd_out, data)
            if done:
                break
            ready, _, _ = select.select([fd_in], [], [], poll)
            if ready:
                data = os.read(fd_in, 4096)
                with lock:
                    if data:
                        proc.feed(data)
                    else:
                        proc.close_stdin()
    finally:
        if saved is not None:
            termios.tcsetattr(fd_in, termios.TCSADRAIN, saved)
    return proc.exit_code or 0


def _raw(fd: int) -> list[Any] | None:
    try:
        saved = termios.tcgetattr(fd)
    except termios.error:  # not a terminal (a pipe): nothing to restore
        return None
    tty.setraw(fd, termios.TCSANOW)
    return saved


def _size(fd: int) -> tuple[int, int] | None:
    try:
        cols, rows = os.get_terminal_size(fd)
    except OSError:
        return None
    return cols, rows


CLEAR = b"\033[H\033[2J"  # k9s's clearScreen


def banner(ns: str, pod: str, container: str, *, attach: bool) -> bytes:
    """What the terminal shows as it is handed over: a clear screen (what an earlier shell left
    there is gone), then for a shell k9s's banner, black on green."""
    if attach:
        return CLEAR
    text = f"<<K9py-Shell>> Pod: {inert_line(ns)}/{inert_line(pod)} | Container: {inert_line(container)} \n"
    return CLEAR + b"\033[30;42;1m" + text.encode() + b"\033[0m"


def _write_all(fd: int, data: bytes) -> None:
    while data:
        n = os.write(fd, data)
        data = data[n:]


@contextlib.contextmanager
def terminal() -> Iterator[tuple[int, int]]:
    """The controlling terminal's file descriptors (in, out): /dev/tty, else stdin/stdout."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        yield 0, 1
        return
    try:
        yield fd, fd
    finally:
        os.close(fd)


# -- the rows ---------------------------------------------------------------------------------------
def pod_and_containers(view: ViewKind, row: Row) -> tuple[str, str, list[str], str | None]:
    """(namespace, pod, the containers to choose from, the one already chosen or None)."""
    ns, name = row.key
    if view.name == "containers":  # the row's key is POD/CONTAINER: the container is its object's name
        container = container_name(row.key, row.obj)
        return ns, str(row.obj.get("pod", "")), [container], container
    names = podcontainers.names(row.obj)
    default = podcontainers.default_container(row.obj)
    if default is not None:
        return ns, name, names, default
    return ns, name, names, names[0] if len(names) == 1 else None


def attachable(pod: Obj, container: str) -> bool:
    """Whether the container reads a terminal (``stdin: true``): what attach can talk to."""
    for c in dig(pod, "spec", "containers") or []:
        if c.get("name") == container:
            return bool(c.get("stdin"))
    return False


class Shells:
    """The app's `s` and `a`."""

    def __init__(self, app: K9pyApp) -> None:
        self.app = app

    def start(self, view: ViewKind, row: Row, *, attach: bool = False, xray: bool = False) -> None:
        """``xray``: from the xray view, whose refusal of a pod not running says so for both."""
        from k9py.ui.screens.dialogs import NamePicker  # lazily: not needed for the first frame

        if view.name == "nodes":
            self.node_shell(row.key[1])
            return
        ns, pod, containers, chosen = pod_and_containers(view, row)
        if view.name == "pods" and k9s_pod_status(row.obj) != "Running":
            # k9s's podIsRunning: a pod whose STATUS is not Running opens no terminal (its pods
            # view's attach says "happy", its xray's "running")
            self.app.flash(f"{ns}/{pod} is not in a {'happy' if attach and not xray else 'running'} state", "error")
            return
        if chosen is not None:
            self.run(ns, pod, chosen, attach=attach)
            return

        def picked(names: list[str] | None) -> None:
            if names:
                self.run(ns, pod, names[0], attach=attach)
        self.app.push_screen(NamePicker(f"<Containers> {ns}/{pod}", containers), picked)

    def node_shell(self, node: str) -> None:
        """k9s's node shell (``k9py.explorer.nodeshell``): its pod started on ``node``, a shell in it
        on the terminal, the pod deleted when the shell ends. A live cluster's context must allow
        it (``featureGates.nodeShell``: it starts a privileged pod), as in k9s."""
        from k9py.explorer import nodeshell
        from k9py.ui import context_memory

        app = self.app
        backend = app.backend
        if backend.local_cluster() is None and not context_memory.node_shell_for(app, app.session.info().context):
            app.flash(f"node shell {node}: it runs a privileged pod on the node; set featureGates.nodeShell: true "
                      "in this context's config to allow it (k9s's)", "warn")
            return
        cfg = app.user.settings.shell_pod
        app.flash(f"Launching node shell on {node}...")

        async def go() -> None:
            try:
                name = await nodeshell.launch(backend, node, cfg)
            except K9pyError as err:
                app.flash(f"node shell {node}: {err}", "error")
                return
            try:
                self.run(cfg.namespace, name, nodeshell.CONTAINER, label=f"node shell {node}")
            finally:
                try:
                    await nodeshell.remove(backend, cfg)
                except K9pyError as err:
                    app.flash(f"node shell {node}: its pod {cfg.namespace}/{name} stays: {err}", "warn")
        app.run_worker(go(), group="node-shell", exclusive=True)

    def run(self, ns: str, pod: str, container: str, *, attach: bool = False, label: str = "") -> int | None:
        """Open the shell (or attach); the exit code, None when it did not run (flashed why).
        ``label``: what the flash calls it (default: the shell in POD (CONTAINER))."""
        what = "attach" if attach else "shell"
        backend = self.app.backend
        cluster = backend.local_cluster()
        try:
            if cluster is not None:
                return self._simulated(cluster, ns, pod, container, attach=attach, label=label)
            return self._kubectl(ns, pod, container, attach=attach, label=label)
        except SuspendNotSupported:
            self.app.flash(f"{what}: this terminal cannot be handed over", "error")
        except ApiError as err:
            self.app.flash(f"{what} {ns}/{pod}: {err.message}", "error")
        except OSError as err:
            self.app.flash(f"{what} {ns}/{pod}: {err.strerror or err}", "error")
        return None

    def _simulated(self, cluster: Any, ns: str, pod: str, container: str, *, attach: bool,
                   label: str = "") -> int | None:
        from k9py.sim.userland import start_exec
        with cluster.lock:
            obj = cluster.store.get("Pod", ns, pod)
            command = ["sh"]
            if attach and obj is not None and not attachable(obj, container):
                self.app.flash(f"attach {ns}/{pod}: container {container} reads no terminal (stdin: false); "
                               "its output is in the logs (l)", "warn")
                return None
            if attach and obj is not None:
                spec: Obj = next((c for c in dig(obj, "spec", "containers") or [] if c.get("name") == container), {})
                command = [*(spec.get("command") or []), *(spec.get("args") or [])] or ["sh"]
            proc = start_exec(cluster, ns, pod, container, command, tty=True, stdin=True)
        with terminal_handed_over(self.app) as typed, terminal() as (fd_in, fd_out):
            _write_all(fd_out, banner(ns, pod, container, attach=attach))
            if typed:  # typed ahead of the shell: its first input, as a terminal would have kept it
                with cluster.lock:
                    proc.feed(typed)
            code = relay(proc, cluster.lock, fd_in, fd_out)
        if attach:  # the attached process was the container's PID 1: its exit ends the container
            from k9py.sim.kubelet import signal_container
            with cluster.lock:
                signal_container(cluster, ns, pod, container, 0, exit_code=code)
        # a program the runtime could not start: its words went by on the terminal, say them here
        self._ended(ns, pod, container, code, attach=attach, said=getattr(proc, "error", None) or "", label=label)
        return code

    def _kubectl(self, ns: str, pod: str, container: str, *, attach: bool, label: str = "") -> int | None:
        kubectl = shutil.which("kubectl")
        if kubectl is None:
            self.app.flash("shell: kubectl is not on PATH (k9py runs `kubectl exec -it` on a live cluster, "
                           "as k9s does)", "error")
            return None
        target = self.app.plugin_keys.local.target(self.app.backend, self.app.session.read_only)
        if target is None:
            self.app.flash("shell: this backend has no cluster to open a shell in", "warn")
            return None
        argv = [kubectl, *target.kubectl_flags, "--context", target.context, "-n", ns]
        if attach:
            argv += ["attach", "-it", pod, "-c", container]
        else:
            argv += ["exec", "-it", pod, "-c", container, "--", *LIVE_SHELL]
        env = {**os.environ, "KUBECONFIG": target.kubeconfig} if target.kubeconfig else None  # several files: joined
        from k9py.backends.kubeconfig import masked_argv
        log.info("running %s", encodable(shlex.join(masked_argv(argv))))
        with terminal_handed_over(self.app):
            with terminal() as (_, fd_out):
                _write_all(fd_out, banner(ns, pod, container, attach=attach))
            code, said = call_keeping_stderr(argv, env)
        self._ended(ns, pod, container, code, attach=attach, said=said, label=label)
        return code

    def _ended(self, ns: str, pod: str, container: str, code: int, *, attach: bool, said: str = "",
               label: str = "") -> None:
        what = label or f"{'attach' if attach else 'shell'} {ns}/{pod} ({container})"
        why = not_started(code, said, attach=attach)
        if why is not None:  # first, where 80 columns still show it
            self.app.flash(f"{why}: {what} ended, exit {code}", "warn")
        elif code:
            self.app.flash(f"{what} ended: exit {code}" + (f": {said}" if said else ""), "warn")
        else:
            self.app.flash(f"{what} ended")


_NOT_FOUND = re.compile(r'exec: "([^"]+)": executable file not found in \$PATH')


def not_started(code: int, said: str, *, attach: bool) -> str | None:
    """Why a shell never started, in a few words: the runtime's ``exec: "sh": executable file not
    found`` (the simulator's words, Docker's and containerd's), or a live exec's 126/127 (kubectl
    says only "command terminated with exit code 126": the image has no sh)."""
    m = _NOT_FOUND.search(said)
    if m:
        return f'no "{m.group(1)}" in the image (exec: executable file not found in $PATH)'
    if not attach and code in (126, 127):
        return "no shell (sh) in the image" if code == 127 or "exit code 126" in said or not said else None
    return None


def call_keeping_stderr(argv: list[str], env: dict[str, str] | None) -> tuple[int, str]:
    """``subprocess.call(argv)`` on the terminal, its stderr passed through and its last line
    kept: kubectl says there why an exec or attach failed, and the screen that comes back over
    the terminal would wipe it (``-t`` merges the container's own stderr into its stdout)."""
    proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    tail = bytearray()

    def relay(pipe: Any) -> None:
        for chunk in iter(lambda: os.read(pipe.fileno(), 4096), b""):
            with contextlib.suppress(OSError):
                os.write(2, chunk)
            tail.extend(chunk)
            del tail[:-TAIL_KEPT]

    reader = threading.Thread(target=relay, args=(proc.stderr,), daemon=True)
    reader.start()
    code = proc.wait()
    reader.join(timeout=1.0)
    proc.stderr.close()
    lines = [ln.strip() for ln in bytes(tail).decode("utf-8", "replace").splitlines() if ln.strip()]
    return code, inert_line(lines[-1]) if lines else ""
