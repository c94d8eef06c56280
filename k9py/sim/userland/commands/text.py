"""Text commands: echo, printf, grep, head, tail, wc, sort, uniq, tee, cut, basename, dirname, seq, base64."""

from __future__ import annotations

import base64
import contextlib
import re

from k9py.kube.regex import Regex, compile_re2
from k9py.kube.unicode import digits, go_int
from k9py.sim.userland.commands.common import parse_flags, read_inputs
from k9py.sim.userland.fs import FsError
from k9py.sim.userland.shell import BadNumber, Io, Shell

_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "a": "\a", "b": "\b", "r": "\r", "v": "\v", "f": "\f", "e": "\x1b"}


def _unescape(s: str) -> tuple[str, bool]:
    out, i, stop = [], 0, False
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            ch = s[i + 1]
            if ch == "c":
                stop = True
                break
            if ch == "0":
                j = i + 2
                while j < len(s) and j < i + 5 and s[j] in "01234567":
                    j += 1
                out.append(chr(int(s[i + 2:j] or "0", 8)))
                i = j
                continue
            out.append(_ESCAPES.get(ch, "\\" + ch))
            i += 2
        else:
            out.append(s[i])
            i += 1
    return "".join(out), stop


def c_echo(sh: Shell, args: list[str], io: Io) -> int:
    words = args[1:]
    newline, escapes = True, False
    while words and re.fullmatch(r"-[neE]+", words[0]):
        newline = newline and "n" not in words[0]
        escapes = "e" in words[0] or (escapes and "E" not in words[0])
        words = words[1:]
    text = " ".join(words)
    if escapes:
        text, stop = _unescape(text)
        newline = newline and not stop
    io.out(text + ("\n" if newline else ""))
    return 0


def c_printf(sh: Shell, args: list[str], io: Io) -> int:
    if len(args) < 2:
        io.err("printf: usage: printf FORMAT [ARGUMENT...]\n")
        return 1
    fmt, values = _unescape(args[1])[0], args[2:]
    out = []
    while True:
        k = 0

        def conv(m: re.Match[str], values: list[str] = values) -> str:
            nonlocal k
            if m.group(0) == "%%":
                return "%"
            v = values[k] if k < len(values) else ""
            k += 1
            spec = m.group(0)
            if spec[-1] in "di":
                try:
                    return (spec[:-1] + "d") % int(v or 0)
                except ValueError:
                    return v
            return (spec[:-1] + "s") % v
        out.append(re.sub(r"%%|%[-0-9.]*[sdiux]", conv, fmt))
        values = values[k:]
        if not values or not k:
            break
    io.out("".join(out))
    return 0


def c_grep(sh: Shell, args: list[str], io: Io) -> int:
    rest = args[1:]
    flags: set[str] = set()
    pattern: str | None = None
    names: list[str] = []
    k = 0
    while k < len(rest):
        a = rest[k]
        if a == "-e" and k + 1 < len(rest):
            pattern = rest[k + 1]
            k += 2
            continue
        if a.startswith("-") and len(a) > 1 and a[1:].isalpha():
            flags.update(a[1:])
        elif pattern is None:
            pattern = a
        else:
            names.append(a)
        k += 1
    if pattern is None:
        io.err("Usage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n")
        return 2
    if "F" in flags:
        pat = re.escape(pattern)
    elif "E" in flags:
        pat = pattern
    else:  # basic regular expressions: \| \+ \? \( \) are the special ones
        pat = re.sub(r"\\([|+?(){}])|([|+?(){}])", lambda m: m.group(1) or "\\" + m.group(2), pattern)
    if "w" in flags:
        pat = rf"\b(?:{pat})\b"
    try:
        rx: Regex = re.compile(pat, re.I if "i" in flags else 0)
    except re.error:
        io.err(f"grep: bad regex '{pattern}'\n")
        return 2
    # linear time, as GNU grep's DFA: `grep -E '(a+)+$'` on Python's re held the simulator's lock for
    # hours; a back reference is no RE2 syntax (GNU grep backtracks there too)
    with contextlib.suppress(ValueError):
        rx = compile_re2(pat, ignore_case="i" in flags)
    inputs, status = read_inputs(sh, io, names, "grep")
    found = False
    many = len(names) > 1
    for name, data in inputs:
        count = 0
        for n, line in enumerate(data.decode(errors="replace").splitlines(), 1):
            if bool(rx.search(line)) == ("v" in flags):
                continue
            found = True
            count += 1
            if flags & {"q", "c", "l"}:
                continue
            prefix = (f"{name}:" if many else "") + (f"{n}:" if "n" in flags else "")
            if "o" in flags:
                io.out("".join(prefix + m.group(0) + "\n" for m in rx.finditer(line)))
            else:
                io.out(prefix + line + "\n")
        if "c" in flags:
            io.out((f"{name}:" if many else "") + f"{count}\n")
        elif "l" in flags and count:
            io.out(("(standard input)" if name == "-" else name) + "\n")
    if found and ("q" in flags or not status):
        return 0
    return 2 if status else 1


def _count_arg(args: list[str], default: int) -> tuple[int, list[str], bool, bool]:
    """head's and tail's count: (N, the files, whether it was +N: from the Nth on, whether it
    counts bytes: ``-c N`` as kubectl cp's ``tail -c+N`` resumes a copy)."""
    n, names, plus, in_bytes = default, [], False, False
    k = 0
    while k < len(args):
        a = args[k]
        if a in ("-n", "-c") and k + 1 < len(args):
            v = args[k + 1]
            in_bytes = a == "-c"
            plus = v.startswith("+")
            if not digits(v.lstrip("+-")):
                raise BadNumber(v)
            n = int(v.lstrip("+-"))
            k += 2
            continue
        if re.fullmatch(r"-[nc][+-]?\d+", a):
            in_bytes = a[1] == "c"
            plus = a[2:].startswith("+")
            n = int(a[2:].lstrip("+-"))
        elif re.fullmatch(r"-\d+", a):
            n = int(a[1:])
        elif a in ("-f", "-F", "-q"):
            pass
        else:
            names.append(a)
        k += 1
    return n, names, plus, in_bytes


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def c_head(sh: Shell, args: list[str], io: Io) -> int:
    n, names, _, in_bytes = _count_arg(args[1:], 10)
    inputs, status = read_inputs(sh, io, names, "head")
    for k, (name, data) in enumerate(inputs):
        if len(inputs) > 1:
            io.out(("\n" if k else "") + f"==> {name} <==\n")
        io.out(data[:n] if in_bytes else b"".join(_lines(data)[:n]))
    return status


def c_tail(sh: Shell, args: list[str], io: Io) -> int:
    n, names, plus, in_bytes = _count_arg(args[1:], 10)
    inputs, status = read_inputs(sh, io, names, "tail")
    for k, (name, data) in enumerate(inputs):
        if len(inputs) > 1:
            io.out(("\n" if k else "") + f"==> {name} <==\n")
        if in_bytes:
            io.out(data[max(0, n - 1):] if plus else (data[-n:] if n else b""))
            continue
        lines = _lines(data)
        io.out(b"".join(lines[max(0, n - 1):] if plus else (lines[-n:] if n else [])))
    return status


def c_wc(sh: Shell, args: list[str], io: Io) -> int:
    flags, names = parse_flags(args[1:], "lwcm")
    flags = flags or {"l", "w", "c"}
    inputs, status = read_inputs(sh, io, names, "wc")
    totals = [0, 0, 0]
    for name, data in inputs:
        counts = [data.count(b"\n"), len(data.split()), len(data)]
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        chosen = [c for c, f in zip(counts, "lwc", strict=True) if f in flags or (f == "c" and "m" in flags)]
        text = str(chosen[0]) if len(chosen) == 1 else " ".join(f"{c:9d}" for c in chosen)
        io.out(text + ("" if name == "-" else f" {name}") + "\n")
    if len(inputs) > 1:
        chosen = [c for c, f in zip(totals, "lwc", strict=True) if f in flags]
        io.out(" ".join(f"{c:9d}" for c in chosen) + " total\n")
    return status


def c_sort(sh: Shell, args: list[str], io: Io) -> int:
    flags, names = parse_flags(args[1:], "rnuf")
    inputs, status = read_inputs(sh, io, names, "sort")
    lines = [line for _, data in inputs for line in data.decode(errors="replace").splitlines()]

    def key(s: str) -> tuple[float, str]:
        m = re.match(r"\s*(-?\d+(?:\.\d+)?)", s)
        return (float(m.group(1)) if m else 0.0, s) if "n" in flags else (0.0, s.lower() if "f" in flags else s)
    lines.sort(key=key, reverse="r" in flags)
    if "u" in flags:
        lines = list(dict.fromkeys(lines))
    io.out("".join(line + "\n" for line in lines))
    return status


def c_uniq(sh: Shell, args: list[str], io: Io) -> int:
    flags, names = parse_flags(args[1:], "cdu")
    inputs, status = read_inputs(sh, io, names[:1], "uniq")
    groups: list[list[str]] = []
    for line in (line for _, data in inputs for line in data.decode(errors="replace").splitlines()):
        if groups and groups[-1][0] == line:
            groups[-1].append(line)
        else:
            groups.append([line])
    for g in groups:
        if ("d" in flags and len(g) < 2) or ("u" in flags and len(g) > 1):
            continue
        io.out((f"{len(g):7d} " if "c" in flags else "") + g[0] + "\n")
    return status


def c_tee(sh: Shell, args: list[str], io: Io) -> int:
    flags, names = parse_flags(args[1:], "a")
    data = io.stdin.read()
    io.out(data)
    status = 0
    for n in names:
        try:
            sh.box.fs.write(sh.path(n), data, append="a" in flags)
        except FsError as e:
            io.err(f"tee: {n}: {e}\n")
            status = 1
    return status


def c_cut(sh: Shell, args: list[str], io: Io) -> int:
    delim, fields, chars, names = "\t", "", "", []
    rest = args[1:]
    k = 0
    while k < len(rest):
        a = rest[k]
        if a[:2] in ("-d", "-f", "-c"):
            value = a[2:] or (rest[k + 1] if k + 1 < len(rest) else "")
            k += 1 if a[2:] else 2
            if a[:2] == "-d":
                delim = value[:1]
            elif a[:2] == "-f":
                fields = value
            else:
                chars = value
            continue
        names.append(a)
        k += 1
    spec = fields or chars
    if not spec:
        io.err("cut: expected a list of bytes, characters, or fields\n")
        return 1
    wanted: list[tuple[int, int]] = []
    for part in spec.split(","):
        lo, dash, hi = part.partition("-")
        wanted.append((int(lo or 1), int(hi) if hi else (10**9 if dash else int(lo or 1))))
    inputs, status = read_inputs(sh, io, names, "cut")
    for _, data in inputs:
        for line in data.decode(errors="replace").splitlines():
            items: list[str] = line.split(delim) if fields else list(line)
            if fields and delim not in line:
                io.out(line + "\n")
                continue
            picked = [x for i, x in enumerate(items, 1) if any(lo <= i <= hi for lo, hi in wanted)]
            io.out((delim if fields else "").join(picked) + "\n")
    return status


def c_basename(sh: Shell, args: list[str], io: Io) -> int:
    if len(args) < 2:
        io.err("basename: missing operand\n")
        return 1
    name = args[1].rstrip("/").rsplit("/", 1)[-1] or "/"
    if len(args) > 2 and name.endswith(args[2]) and name != args[2]:
        name = name[: -len(args[2])]
    io.out(name + "\n")
    return 0


def c_dirname(sh: Shell, args: list[str], io: Io) -> int:
    if len(args) < 2:
        io.err("dirname: missing operand\n")
        return 1
    path = args[1].rstrip("/")
    io.out((path.rsplit("/", 1)[0] or "/" if "/" in path else ".") + "\n")
    return 0


def c_seq(sh: Shell, args: list[str], io: Io) -> int:
    bad = next((a for a in args[1:] if go_int(a) is None), None)  # (C's strtol: ASCII digits)
    if bad is not None:
        io.err(f"seq: invalid number '{bad}'\n")
        return 1
    nums = [int(a) for a in args[1:]]
    if not nums or len(nums) > 3:
        io.err("seq: usage: seq [FIRST [INC]] LAST\n")
        return 1
    first, inc, last = (1, 1, nums[0]) if len(nums) == 1 else (nums[0], 1, nums[1]) if len(nums) == 2 else tuple(nums)
    if inc == 0:
        return 1
    io.out("".join(f"{i}\n" for i in range(first, last + (1 if inc > 0 else -1), inc)))
    return 0


def c_base64(sh: Shell, args: list[str], io: Io) -> int:
    flags, names = parse_flags(args[1:], "dw")
    inputs, status = read_inputs(sh, io, [n for n in names if not n.isdigit()], "base64")
    data = b"".join(d for _, d in inputs)
    if "d" in flags:
        try:
            io.out(base64.b64decode(b"".join(data.split())))
        except ValueError:
            io.err("base64: invalid input\n")
            return 1
        return status
    text = base64.b64encode(data).decode()
    io.out("".join(text[i:i + 76] + "\n" for i in range(0, len(text), 76)) or "\n")
    return status
