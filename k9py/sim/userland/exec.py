"""``start_exec``: a process in a running container (what ``kubectl exec`` / ``attach`` and the
explorer's shell drive), with a terminal line discipline when it has a tty."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from k9py.kube import meta, podcontainers
from k9py.kube.meta import dig
from k9py.kube.status import bad_request, not_found
from k9py.sim.userland import procfs
from k9py.sim.userland.channels import STDERR, STDOUT
from k9py.sim.userland.container import Container, world
from k9py.sim.userland.fiber import Fiber
from k9py.sim.userland.pidns import number_mains
from k9py.sim.userland.shell import (
    SHELLS,
    ContainerKilled,
    EnterShell,
    ExecShell,
    Interrupted,
    Io,
    Shell,
    ShellExit,
    Stdin,
)
from k9py.sim.userland.syntax import Incomplete, ShellSyntaxError, parse

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

KILLED = 137
INTERRUPTED, HUNG_UP = 130, 129  # killed by SIGINT (ctrl-c), by SIGHUP (its terminal went away)


def _container_name(pod: dict, container: str | None) -> tuple[str, bool]:
    names = podcontainers.names(pod)
    inits = podcontainers.names(pod, "initContainers")
    ephemeral = podcontainers.names(pod, "ephemeralContainers")
    if not container:
        container = podcontainers.default_container(pod) or (names[0] if names else "")
    if container in names or container in ephemeral:
        return container, False
    if container in inits:
        return container, True
    raise bad_request(f"container {container} is not valid for pod {meta.name(pod)}")


def start_exec(cluster: Cluster, namespace: str, pod: str, container: str | None, command: list[str], *,
               tty: bool = False, stdin: bool = False, timer: Callable[[], float] | None = None) -> ExecProcess:
    """Start ``command`` in a running container (None: the default container, as kubectl
    picks it). ApiError (kubectl's wording) when the pod, the container or its state forbid it."""
    from k9py.sim.kubelet import runtime_for

    obj = cluster.store.get("Pod", namespace, pod)
    if obj is None:
        raise not_found("Pod", pod)
    cname, init = _container_name(obj, container)
    phase = dig(obj, "status", "phase")
    if phase in ("Succeeded", "Failed"):
        raise bad_request(f"cannot exec into a container in a completed pod; current phase is {phase}")
    if not dig(obj, "spec", "nodeName"):
        raise bad_request(f"pod {pod} does not have a host assigned")
    rt = runtime_for(cluster, namespace, pod)
    c = rt.by_name(cname, init) if rt else None
    if c is None or c.phase != "running" or c.current is None or c.signalled is not None:
        raise bad_request(f'unable to upgrade connection: container not found ("{cname}")')
    if c.current.script is not None:
        c.current.script.advance(cluster.now())  # what PID 1's script did by now (files it wrote)
    box = world(cluster, obj, cname, init, c.current)
    if not command:
        raise bad_request("you must specify at least one command for the container")
    return ExecProcess(cluster, box, list(command), tty=tty, stdin=stdin, timer=timer)


class ExecProcess:
    """One exec'd process. ``feed`` what the user types, ``read`` what it wrote since the last
    read; ``done`` / ``exit_code`` once it ended. Commands run on the caller's turn (each command
    line on a ``Fiber``, under the caller's ``cluster.lock``) and only ``sleep`` takes time.

    Time: ``sleep N`` blocks this process only (the cluster, other sessions and the rest of the
    server go on) until the cluster's virtual clock has moved N seconds *or* N seconds of wall
    clock (``timer``, ``time.monotonic`` by default) have passed, whichever comes first. Under
    ``k9py serve`` the virtual clock runs at real time × speed, so the container sees N seconds go
    by as the rest of the cluster does (``sleep 10; date``); in the explorer the clock stands still
    while the user owns the terminal, and the wall clock ends the sleep. Nothing waits for real:
    the deadline is checked whenever the driver calls ``read``/``feed``/``close_stdin`` (the
    relays poll ``read`` every few ms), and tests move either clock (``cluster.advance``, or a
    fake ``timer``). Meanwhile what the process wrote before the sleep can be read, typed input
    waits for the next prompt, ctrl-c (with a tty) interrupts the line (status 130, a fresh
    prompt), and closing stdin hangs a terminal session up (exit 129) or, without a tty, ends the
    sleep at once (the rest of the input then runs and the shell exits). ``tail -f`` still prints
    what there is and returns."""

    def __init__(self, cluster: Cluster, box: Container, command: list[str], *, tty: bool, stdin: bool,
                 timer: Callable[[], float] | None = None) -> None:
        self.cluster = cluster
        self.box = box
        self.command = command
        self.tty = tty
        self.stdin = stdin
        self.done = False
        self.exit_code: int | None = None
        self.width, self.height = 80, 24
        self.naps = 0            # sleeps so far (a `while` loop that sleeps may run on and on)
        self._timer = timer or time.monotonic
        self._out: list[tuple[int, bytes]] = []
        self._line = ""          # the line being typed (tty)
        self._pending = ""       # complete lines of an unfinished construct (open quote)
        self._raw = b""          # undecoded input (non-tty / partial UTF-8)
        self._esc = ""           # an escape sequence being swallowed
        self._fiber: Fiber | None = None   # the command line running (parked in a sleep when busy)
        self._io: Io | None = None         # its streams, and how much of them was emitted
        self._emitted = 0
        self._until: tuple[float, float] | None = None  # the sleep's deadline: (virtual, wall)
        self._typeahead = b""    # input that arrived while a command ran
        self._eof = False        # stdin closed while a command ran
        self._outer: list[Shell] = []  # the shells under the one at the prompt (``chroot /host``)
        number_mains(cluster, box.pids)  # the pod's (node's) main processes started before it: lower PIDs
        self.pid = box.next_pid
        box.next_pid += 1
        name = command[0].rsplit("/", 1)[-1]
        self.shell = Shell(cluster, box, {**box.env, **({"TERM": "xterm"} if tty else {})},
                           name=name if name in SHELLS else "sh", cwd=box.workdir, pid=self.pid, tty=tty)
        self.shell.sleeper = self
        self.shell.session = True
        box.sessions[self.pid] = " ".join(command)
        if box.image.family != "distroless":
            procfs.refresh(cluster, box, self.pid)  # /proc as of now, this process included
        self.error = self._start_error()  # the runtime's, when the program is not in the container
        if self.error is not None:
            self._write(STDOUT, self.error + "\r\n")  # dockerd writes it on the exec's stdout; exit 126
            self._finish(126)
            return
        self.interactive = name in SHELLS and len(command) == 1
        self.shell.interactive = self.interactive and tty  # bash reading a pipe is not interactive
        if self.interactive:
            if tty and stdin:
                self._write(STDOUT, self.prompt())
            elif not stdin:
                self._finish(0)
        elif not stdin or tty:
            self._run_command(b"")

    # -- the interface ---------------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        """Bytes on the process's stdin (keystrokes when tty)."""
        if self.done or not self._alive():
            return
        self._wake()
        if self._busy():
            if self.tty and b"\x03" in data:
                after = data.split(b"\x03", 1)[1]
                self._typeahead = b""  # the terminal flushes what was typed ahead
                self._write(STDOUT, "^C")
                self._resume(Interrupted(INTERRUPTED))
                if after:
                    self.feed(after)
            else:
                self._typeahead += data
            return
        if not self.interactive:
            self._raw += data
            return
        if self.tty:
            self._keys(data)
        else:
            self._raw += data
            *lines, rest = self._raw.split(b"\n")
            self._raw = rest
            for i, line in enumerate(lines):
                if self.done:
                    return
                self._submit(line.decode(errors="replace"))
                if self._busy():  # the rest is read once this line is done
                    self._typeahead = b"".join(ln + b"\n" for ln in lines[i + 1:]) + self._raw
                    self._raw = b""
                    return

    def read(self) -> list[tuple[int, bytes]]:
        """What the process wrote since the last call: ``[(STDOUT|STDERR, bytes)]``."""
        if self._alive():
            self._wake()
        out, self._out = self._out, []
        return out

    def sleep(self, seconds: float) -> None:
        """(The ``Sleeper`` of this process's shells, on its fiber) park until the deadline."""
        if seconds <= 0 or self._eof or self._fiber is None:
            return
        self.naps += 1
        if self._io is not None:
            self._emit(self._io)  # what the line wrote so far shows while it sleeps
        self._until = (self.cluster.now() + seconds, self._timer() + seconds)
        try:
            self._fiber.park()
        finally:
            self._until = None

    def resize(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.shell.width, self.shell.height = width, height

    def close_stdin(self) -> None:
        """EOF on stdin: a one-shot command runs with what it got; a shell runs what is left and exits."""
        if self.done or not self._alive():
            return
        self._wake()
        if self._busy():
            if self.tty:  # the terminal hangs up: SIGHUP to the session
                self._resume(Interrupted(HUNG_UP))
            else:         # the sleep ends; the rest of the input runs, then the shell exits
                self._eof = True
                self._resume(None)
            return
        if not self.interactive:
            self._run_command(self._raw)
            return
        rest = (self._raw.decode(errors="replace") if not self.tty else self._line)
        self._raw, self._line = b"", ""
        self._eof = True  # nothing drives this process any more: a sleep from here on returns at once
        if rest.strip() or self._pending:
            self._submit(rest, eof=True)
        if not self.done:
            self._finish(self.shell.status)

    # -- the fiber -------------------------------------------------------------------------------
    def _busy(self) -> bool:
        return self._fiber is not None and not self._fiber.done

    def _start(self, work: Callable[[Io], None], io: Io) -> None:
        """Run ``work`` (a command line) on a fiber of its own until it ends or sleeps."""
        self._io, self._emitted = io, 0
        self._fiber = Fiber(lambda: work(io), name=f"k9py-exec-{self.box.pod}-{self.pid}")
        self._resume(None)

    def _resume(self, signal: BaseException | None) -> None:
        fiber = self._fiber
        if fiber is None:
            return
        fiber.resume(signal)
        if not fiber.done:
            return
        self._fiber = None
        if fiber.error is not None:
            raise fiber.error
        if self.done:
            return
        data, self._typeahead = self._typeahead, b""
        if data:
            self.feed(data)
        if self._eof and not self._busy():
            self._eof = False
            self.close_stdin()

    def _wake(self) -> None:
        """Resume a sleep whose time has come."""
        if self._busy() and self._until is not None:
            virtual, wall = self._until
            if self.cluster.now() >= virtual or self._timer() >= wall:
                self._resume(None)

    # -- running ---------------------------------------------------------------------------------
    def prompt(self) -> str:
        cwd = self.shell.cwd
        home = self.shell.vars.get("HOME", "/root")
        short = "~" + cwd[len(home):] if cwd == home or cwd.startswith(home + "/") else cwd
        box = self.shell.box  # (a chroot's: another root, another image)
        if self.shell.name == "bash":
            return f"root@{box.hostname}:{short}# "
        if box.image.family in ("debian", "ubuntu"):
            return "# "
        return f"{short} # "

    def _alive(self) -> bool:
        """False (and done, 137) once the container this process ran in has stopped."""
        if self.done:
            return False
        from k9py.sim.kubelet import runtime_for

        rt = runtime_for(self.cluster, self.box.namespace, self.box.pod)
        c = rt.by_name(self.box.name, self.box.init) if rt else None
        if c is None or c.current is None or c.current.container_id != self.box.container_id \
                or c.phase != "running" or c.signalled is not None:
            fiber, self._fiber = self._fiber, None
            if fiber is not None and not fiber.done:  # a sleeping line dies with its container
                fiber.resume(ContainerKilled(KILLED))
            self._finish(KILLED)
            return False
        return True

    def _write(self, stream: int, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode()
        if not data:
            return
        if self.tty:
            stream = STDOUT
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        if self._out and self._out[-1][0] == stream:
            self._out[-1] = (stream, self._out[-1][1] + data)
        else:
            self._out.append((stream, data))

    def _emit(self, io: Io) -> None:
        """What the running command line wrote and was not shown yet."""
        start = self._emitted if io is self._io else 0
        for fd, chunk in io.writes[start:]:
            self._write(STDERR if fd == 2 else STDOUT, chunk)
        if io is self._io:
            self._emitted = len(io.writes)

    def _finish(self, code: int) -> None:
        self.done = True
        self.exit_code = code
        self.box.sessions.pop(self.pid, None)

    def _run_command(self, data: bytes) -> None:
        self._start(self._command, Io(stdin=Stdin(data)))

    def _command(self, io: Io) -> None:
        """(On the fiber) the exec'd command itself, not an interactive shell."""
        sh = self.shell
        sh.execs_shell = self.command[0].rsplit("/", 1)[-1] in SHELLS  # `sh -c ps`: that sh is this process
        try:
            code = sh.invoke(self.command, [], io)
        except ShellExit as e:
            code = e.code
        except ContainerKilled:
            code = KILLED
        except Interrupted as e:
            code = e.code
        except ExecShell as e:  # `sh -c "... exec sh"` on a terminal: now an interactive shell
            self._emit(io)
            self._become_interactive(e.name)
            return
        except EnterShell as e:  # `kubectl exec -it … -- chroot /host`: that root's shell is the session's
            self._emit(io)
            self.shell = e.shell
            self._become_interactive(e.shell.name)
            return
        self._emit(io)
        self._finish(code)

    def _start_error(self) -> str | None:
        """What the runtime says when the exec'd program is not in the container (a builtin still
        runs: leniency; a path must exist). The nodes run Docker (cri-dockerd, minikube's default):
        dockerd writes runc's error on the exec's stdout and ends it with 126, so kubectl prints it
        and ``command terminated with exit code 126``."""
        from k9py.sim.userland.commands import BUILTINS, installed

        name = self.command[0]
        if "/" in name:
            if self.box.fs.exists(self.shell.path(name)):
                return None
            what = f'exec: "{name}": stat {name}: no such file or directory'
        elif installed(self.box, name) or (name in BUILTINS and self.box.image.family != "distroless"):
            return None  # (a distroless image has no shell whose builtins could run)
        else:
            what = f'exec: "{name}": executable file not found in $PATH'
        return f"OCI runtime exec failed: exec failed: unable to start container process: {what}: unknown"

    def _become_interactive(self, name: str) -> None:
        self.interactive = True
        self.shell.name = name
        self._raw = b""
        if self.stdin:
            self._write(STDOUT, self.prompt())
        else:
            self._finish(0)  # nothing will ever type into it

    def _submit(self, line: str, *, eof: bool = False) -> None:
        """One entered line: run it, or keep it while a quote is open (PS2 ``> ``)."""
        text = self._pending + line
        try:
            parse(text)
        except Incomplete:
            if not eof:
                self._pending = text + "\n"
                if self.tty:
                    self._write(STDOUT, "> ")
                return
        except ShellSyntaxError:
            pass
        self._pending = ""
        self._start(lambda io: self._line_run(text, io), Io(stdin=Stdin()))

    def _line_run(self, text: str, io: Io) -> None:
        """(On the fiber) one command line of the interactive shell, then its next prompt."""
        try:
            self.shell.run(text, io)
        except ShellExit as e:
            self._emit(io)
            if self._outer:  # `exit` in a chroot's shell: back to the one it was typed in
                self.shell = self._outer.pop()
                self.shell.status = e.code
                if self.tty:
                    self._write(STDOUT, self.prompt())
                return
            self._finish(e.code)
            return
        except EnterShell as e:  # `chroot /host`: its shell over this one
            self._outer.append(self.shell)
            self.shell = e.shell
        except ContainerKilled:
            self._emit(io)
            self._finish(KILLED)
            return
        except Interrupted as e:
            self._emit(io)
            self.shell.status = e.code
            if e.code != INTERRUPTED:  # hung up: the shell goes too
                self._finish(e.code)
                return
            self._write(STDOUT, "\n")
        except ExecShell as e:  # `exec sh` typed at the prompt: a shell in place of this one
            self.shell.name = e.name
        self._emit(io)
        if self.tty and not self.done:
            self._write(STDOUT, self.prompt())

    def _keys(self, data: bytes) -> None:
        text = (self._raw + data).decode(errors="ignore")
        self._raw = b""
        for i, ch in enumerate(text):
            if self.done:
                return
            if self._busy():  # a line is running: the rest waits for the next prompt
                self._typeahead += text[i:].encode()
                return
            if self._esc:
                self._esc += ch
                if (len(self._esc) > 1 and (ch.isalpha() or ch == "~")) or len(self._esc) > 8:
                    self._esc = ""
                continue
            if ch == "\x1b":
                self._esc = ch
            elif ch in "\r\n":
                line, self._line = self._line, ""
                self._write(STDOUT, "\n")
                self._submit(line)
            elif ch in "\x7f\x08":
                if self._line:
                    self._line = self._line[:-1]
                    self._write(STDOUT, "\b \b")
            elif ch == "\x03":
                self._line, self._pending = "", ""
                self._write(STDOUT, "^C\n" + self.prompt())
            elif ch == "\x04":
                if not self._line:
                    self._write(STDOUT, "\n")
                    self._finish(self.shell.status if not self._pending else 2)
                    return
            elif ch == "\x15":
                self._write(STDOUT, "\b \b" * len(self._line))
                self._line = ""
            elif ch == "\x0c":
                self._write(STDOUT, "\x1b[H\x1b[J" + self.prompt() + self._line)
            elif ch == "\t" or ch >= " ":
                self._line += ch
                self._write(STDOUT, ch)
