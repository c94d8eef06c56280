"""``start_exec``: a process in a running container (what ``kubectl exec`` / ``attach`` and the
explorer's shell drive), with a terminal line discipline when it has a tty."""

from __future__ import annotations

from typing import TYPE_CHECKING

from k9py.kube import meta
from k9py.kube.meta import dig
from k9py.kube.status import bad_request, not_found
from k9py.sim.userland.channels import STDERR, STDOUT
from k9py.sim.userland.container import Container, world
from k9py.sim.userland.shell import ContainerKilled, ExecShell, Io, Shell, ShellExit, Stdin
from k9py.sim.userland.syntax import Incomplete, ShellSyntaxError, parse

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"
SHELLS = ("sh", "ash", "bash", "dash")
KILLED = 137


def _container_name(pod: dict, container: str | None) -> tuple[str, bool]:
    spec = pod.get("spec") or {}
    names = [c.get("name") for c in spec.get("containers") or []]
    inits = [c.get("name") for c in spec.get("initContainers") or []]
    ephemeral = [c.get("name") for c in spec.get("ephemeralContainers") or []]
    if not container:
        container = meta.annotations(pod).get(DEFAULT_CONTAINER) or (names[0] if names else "")
    if container in names or container in ephemeral:
        return container, False
    if container in inits:
        return container, True
    raise bad_request(f"container {container} is not valid for pod {meta.name(pod)}")


def start_exec(cluster: Cluster, namespace: str, pod: str, container: str | None, command: list[str], *,
               tty: bool = False, stdin: bool = False) -> ExecProcess:
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
    box = world(cluster, obj, cname, init, c.current)
    if not command:
        raise bad_request("you must specify at least one command for the container")
    return ExecProcess(cluster, box, list(command), tty=tty, stdin=stdin)


class ExecProcess:
    """One exec'd process. ``feed`` what the user types, ``read`` what it wrote since the last
    read; ``done`` / ``exit_code`` once it ended. Everything runs at once, on the caller's thread
    (commands never block: ``sleep`` returns immediately, ``tail -f`` prints what there is)."""

    def __init__(self, cluster: Cluster, box: Container, command: list[str], *, tty: bool, stdin: bool) -> None:
        self.cluster = cluster
        self.box = box
        self.command = command
        self.tty = tty
        self.stdin = stdin
        self.done = False
        self.exit_code: int | None = None
        self.width, self.height = 80, 24
        self._out: list[tuple[int, bytes]] = []
        self._line = ""          # the line being typed (tty)
        self._pending = ""       # complete lines of an unfinished construct (open quote)
        self._raw = b""          # undecoded input (non-tty / partial UTF-8)
        self._esc = ""           # an escape sequence being swallowed
        self.pid = box.next_pid
        box.next_pid += 1
        name = command[0].rsplit("/", 1)[-1]
        self.shell = Shell(cluster, box, {**box.env, **({"TERM": "xterm"} if tty else {})},
                           name=name if name in SHELLS else "sh", cwd=box.workdir, pid=self.pid, tty=tty)
        box.sessions[self.pid] = " ".join(command)
        self.interactive = name in SHELLS and len(command) == 1
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
        if not self.interactive:
            self._raw += data
            return
        if self.tty:
            self._keys(data)
        else:
            self._raw += data
            *lines, rest = self._raw.split(b"\n")
            self._raw = rest
            for line in lines:
                if self.done:
                    return
                self._submit(line.decode(errors="replace"))

    def read(self) -> list[tuple[int, bytes]]:
        """What the process wrote since the last call: ``[(STDOUT|STDERR, bytes)]``."""
        self._alive()
        out, self._out = self._out, []
        return out

    def resize(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.shell.width, self.shell.height = width, height

    def close_stdin(self) -> None:
        """EOF on stdin: a one-shot command runs with what it got; a shell runs what is left and exits."""
        if self.done or not self._alive():
            return
        if not self.interactive:
            self._run_command(self._raw)
            return
        rest = (self._raw.decode(errors="replace") if not self.tty else self._line)
        self._raw, self._line = b"", ""
        if rest.strip() or self._pending:
            self._submit(rest, eof=True)
        if not self.done:
            self._finish(self.shell.status)

    # -- running ---------------------------------------------------------------------------------
    def prompt(self) -> str:
        cwd = self.shell.cwd
        home = self.shell.vars.get("HOME", "/root")
        short = "~" + cwd[len(home):] if cwd == home or cwd.startswith(home + "/") else cwd
        if self.shell.name == "bash":
            return f"root@{self.box.hostname}:{short}# "
        if self.box.image.family in ("debian", "ubuntu"):
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
        for fd, chunk in io.writes:
            self._write(STDERR if fd == 2 else STDOUT, chunk)

    def _finish(self, code: int) -> None:
        self.done = True
        self.exit_code = code
        self.box.sessions.pop(self.pid, None)

    def _run_command(self, data: bytes) -> None:
        io = Io(stdin=Stdin(data))
        sh = self.shell
        from k9py.sim.userland.commands import BUILTINS, COMMANDS

        name = self.command[0]
        base = name.rsplit("/", 1)[-1]
        try:
            if base not in COMMANDS and base not in BUILTINS and not ("/" in name and sh.box.fs.exists(name)):
                io.err(f'OCI runtime exec failed: exec failed: unable to start container process: exec: "{name}": '
                       "executable file not found in $PATH: unknown\r\n")
                code = 126
            else:
                code = sh.invoke(self.command, [], io)
        except ShellExit as e:
            code = e.code
        except ContainerKilled:
            code = KILLED
        except ExecShell as e:  # `sh -c "... exec sh"` on a terminal: now an interactive shell
            self._emit(io)
            self._become_interactive(e.name)
            return
        self._emit(io)
        self._finish(code)

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
        io = Io(stdin=Stdin())
        try:
            self.shell.run(text, io)
        except ShellExit as e:
            self._emit(io)
            self._finish(e.code)
            return
        except ContainerKilled:
            self._emit(io)
            self._finish(KILLED)
            return
        except ExecShell as e:  # `exec sh` typed at the prompt: a shell in place of this one
            self.shell.name = e.name
        self._emit(io)
        if self.tty and not self.done:
            self._write(STDOUT, self.prompt())

    def _keys(self, data: bytes) -> None:
        text = (self._raw + data).decode(errors="ignore")
        self._raw = b""
        for ch in text:
            if self.done:
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
