"""A tiny stand-in for ``k9py.sim.userland.start_exec`` (its documented interface), so the
remote-command protocol can be tested on its own: ``cat /etc/hostname``, ``echo``, ``sh -c 'exit N'``,
``printf`` to stderr via ``err``, and an interactive ``sh`` that echoes what a terminal would."""

from __future__ import annotations

import shlex
import threading
from typing import Any

from k9py.kube.status import ApiError, bad_request, not_found

STDOUT, STDERR = 1, 2


class FakeProc:
    def __init__(self, pod: str, command: list[str], *, tty: bool, stdin: bool) -> None:
        self.pod = pod
        self.tty = tty
        self.stdin = stdin
        self.out: list[tuple[int, bytes]] = []
        self.done = False
        self.exit_code: int | None = None
        self.sizes: list[tuple[int, int]] = []
        self.fed: list[bytes] = []
        self.stdin_closed = False
        self.stdin_closed_event = threading.Event()  # the server's thread closes it: tests wait on this
        self._line = b""
        self.explode = False
        self.interactive = command in (["sh"], ["/bin/sh"], ["cat"])
        self.cat = command == ["cat"]
        if not self.interactive:
            self._run(command)
        elif not self.cat:
            self._write(STDOUT, b"/ # ")

    def _write(self, stream: int, data: bytes) -> None:
        self.out.append((STDOUT if self.tty else stream, data))

    def _end(self, code: int) -> None:
        self.done, self.exit_code = True, code

    def _run(self, argv: list[str]) -> None:
        if argv[:2] == ["sh", "-c"]:
            argv = shlex.split(argv[2])
        if not argv:
            return self._end(0)
        if argv[0] == "exit":
            return self._end(int(argv[1]) if len(argv) > 1 else 0)
        if argv == ["cat", "/etc/hostname"]:
            self._write(STDOUT, self.pod.encode() + b"\n")
            return self._end(0)
        if argv[0] == "echo":
            self._write(STDOUT, " ".join(argv[1:]).encode() + b"\n")
            return self._end(0)
        if argv[0] == "err":
            self._write(STDERR, " ".join(argv[1:]).encode() + b"\n")
            return self._end(1)
        if argv[0] == "explode":  # a bug in the userland: read() raises
            self.explode = True
            return None
        if argv[0] == "big":
            self._write(STDOUT, b"x" * int(argv[1]))
            return self._end(0)
        self._write(STDERR, f"sh: {argv[0]}: not found\n".encode())
        return self._end(127)

    def feed(self, data: bytes) -> None:
        assert not self.stdin_closed
        self.fed.append(data)
        if self.cat:
            self._write(STDOUT, data)
            return
        for ch in data:
            b = bytes([ch])
            if b in (b"\r", b"\n"):
                if self.tty:
                    self._write(STDOUT, b"\r\n")
                line, self._line = self._line.decode(), b""
                argv = shlex.split(line)
                if argv[:1] == ["exit"]:
                    self._end(int(argv[1]) if len(argv) > 1 else 0)
                    return
                if argv[:1] == ["echo"]:
                    self._write(STDOUT, (" ".join(argv[1:]) + ("\r\n" if self.tty else "\n")).encode())
                self._write(STDOUT, b"/ # ")
            else:
                if self.tty:
                    self._write(STDOUT, b)
                self._line += b

    def read(self) -> list[tuple[int, bytes]]:
        if self.explode:
            raise RuntimeError("the shell fell over")
        out, self.out = self.out, []
        return out

    def resize(self, width: int, height: int) -> None:
        self.sizes.append((width, height))

    def close_stdin(self) -> None:
        self.stdin_closed = True
        self.stdin_closed_event.set()
        if self.interactive and not self.done:
            self._end(0)


STARTED: list[FakeProc] = []


def start_exec(cluster: Any, namespace: str, pod: str, container: str, command: list[str], *,
               tty: bool = False, stdin: bool = False) -> FakeProc:
    obj = cluster.store.get("Pod", namespace, pod)
    if obj is None:
        raise not_found("Pod", pod)
    names = [c["name"] for c in obj["spec"]["containers"]]
    if container not in names:
        raise bad_request(f"container {container} is not valid for pod {pod}")
    phase = (obj.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise ApiError(400, "BadRequest", f"cannot exec into a container in a completed pod; current phase is {phase}")
    if command == ["refuse"]:
        raise bad_request("refused by the userland")
    proc = FakeProc(pod, command, tty=tty, stdin=stdin)
    STARTED.append(proc)
    return proc
