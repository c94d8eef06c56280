"""Helpers the commands share: short flags, reading operands (``-`` is stdin), human sizes."""

from __future__ import annotations

from k9py.sim.userland.fs import FsError
from k9py.sim.userland.shell import Io, Shell


def parse_flags(args: list[str], known: str) -> tuple[set[str], list[str]]:
    """Short flags (``-la``) before the operands; ``--`` ends them."""
    flags: set[str] = set()
    rest: list[str] = []
    done = False
    for a in args:
        if not done and a == "--":
            done = True
        elif not done and a.startswith("-") and len(a) > 1 and all(ch in known for ch in a[1:]):
            flags.update(a[1:])
        else:
            rest.append(a)
    return flags, rest


def read_operand(sh: Shell, io: Io, name: str) -> bytes:
    if name == "-":
        return io.stdin.read()
    return sh.box.fs.read(sh.path(name))


def read_inputs(sh: Shell, io: Io, names: list[str], cmd: str) -> tuple[list[tuple[str, bytes]], int]:
    if not names:
        return [("-", io.stdin.read())], 0
    out, status = [], 0
    for n in names:
        try:
            out.append((n, read_operand(sh, io, n)))
        except FsError as e:
            io.err(f"{cmd}: {n}: {e}\n")
            status = 1
    return out, status


def human_size(n: float) -> str:
    for unit in ("", "K", "M", "G", "T"):
        if n < 1024 or unit == "T":
            return f"{n:.0f}" if unit == "" else (f"{n:.1f}{unit}" if n < 10 else f"{n:.0f}{unit}")
        n /= 1024
    return str(n)
