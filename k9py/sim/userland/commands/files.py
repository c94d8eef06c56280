"""File commands: cat, ls, mkdir, touch, rm, rmdir, cp, mv (busybox's messages)."""

from __future__ import annotations

import posixpath
from datetime import UTC, datetime

from k9py.sim.userland.commands.common import human_size, parse_flags, read_operand
from k9py.sim.userland.fs import Dir, File, FsError, copy_node
from k9py.sim.userland.shell import Io, Shell


def c_cat(sh: Shell, args: list[str], io: Io) -> int:
    _, names = parse_flags(args[1:], "uvnAeEt")
    if not names:
        io.out(io.stdin.read())
        return 0
    status = 0
    for n in names:
        try:
            io.out(read_operand(sh, io, n))
        except FsError as e:
            if str(e) == "Is a directory":
                io.err("cat: read error: Is a directory\n")
            else:
                io.err(f"cat: can't open '{n}': {e}\n")
            status = 1
    return status


def _mode_str(node: Dir | File) -> str:
    bits = "".join(ch if node.mode & (1 << (8 - i)) else "-" for i, ch in enumerate("rwxrwxrwx"))
    if isinstance(node, Dir) and node.mode & 0o1000:
        bits = bits[:8] + "t"
    return ("d" if isinstance(node, Dir) else "-") + bits


def _ls_fields(sh: Shell, node: Dir | File, human: bool) -> tuple[str, str, str]:
    """(links, size, date) of an ``ls -l`` line."""
    size = len(node.data) if isinstance(node, File) else 4096
    links = 2 + sum(isinstance(c, Dir) for c in node.children.values()) if isinstance(node, Dir) else 1
    t = datetime.fromtimestamp(int(node.mtime or sh.box.started), tz=UTC)
    now = datetime.fromtimestamp(int(sh.cluster.now()), tz=UTC)
    when = t.strftime("%b ") + f"{t.day:2d}" + (t.strftime(" %H:%M") if abs((now - t).days) < 182 else t.strftime("  %Y"))
    return str(links), human_size(size) if human else str(size), when


def _ls_line(sh: Shell, name: str, node: Dir | File, human: bool) -> str:
    """busybox's ``ls -l`` line: fixed widths."""
    links, sz, when = _ls_fields(sh, node, human)
    return f"{_mode_str(node)} {links:>4} root     root     {sz:>9} {when} {name}"


def _gnu_long(sh: Shell, entries: list[tuple[str, Dir | File]], human: bool) -> str:
    """GNU coreutils' ``ls -l`` (Debian, Ubuntu): each column as wide as its widest value."""
    rows = [(_mode_str(node), *_ls_fields(sh, node, human), name) for name, node in entries]
    if not rows:
        return ""
    wl, ws = max(len(r[1]) for r in rows), max(len(r[2]) for r in rows)
    return "".join(f"{mode} {links:>{wl}} root root {sz:>{ws}} {when} {name}\n" for mode, links, sz, when, name in rows)


def _blocks(node: Dir | File) -> int:
    """The 1K blocks a file takes (4K allocation units): what ``ls -l``'s total adds up."""
    return 4 if isinstance(node, Dir) else -(-len(node.data) // 4096) * 4


def _columns(names: list[str], width: int) -> str:
    if not names:
        return ""
    colw = max(len(n) for n in names) + 2
    cols = max(1, width // colw)
    rows = -(-len(names) // cols)
    lines = []
    for r in range(rows):
        row = [names[c * rows + r] for c in range(cols) if c * rows + r < len(names)]
        lines.append("".join(n.ljust(colw) for n in row[:-1]) + row[-1])
    return "\n".join(lines) + "\n"


def c_ls(sh: Shell, args: list[str], io: Io) -> int:
    flags, names = parse_flags(args[1:], "laA1dhFRrtS")
    fs = sh.box.fs
    long, every = "l" in flags, "a" in flags
    one = "1" in flags or not sh.tty or long
    status = 0
    files: list[tuple[str, Dir | File]] = []
    dirs: list[str] = []
    for n in names or ["."]:
        try:
            node = fs.lookup(sh.path(n))
        except FsError as e:
            io.err(f"ls: {n}: {e}\n")
            status = 1
            continue
        if isinstance(node, Dir) and "d" not in flags:
            dirs.append(n)
        else:
            files.append((n, node))

    reverse = "r" in flags  # operands and entries by name, as busybox sorts them (-r: backwards)
    files.sort(key=lambda e: e[0], reverse=reverse)
    dirs.sort(reverse=reverse)

    gnu = sh.box.image.family in ("debian", "ubuntu")

    def show(entries: list[tuple[str, Dir | File]]) -> None:
        if long and gnu:
            io.out(_gnu_long(sh, entries, "h" in flags))
        elif long:
            io.out("".join(_ls_line(sh, n, node, "h" in flags) + "\n" for n, node in entries))
        elif one:
            io.out("".join(n + "\n" for n, _ in entries))
        else:
            io.out(_columns([n for n, _ in entries], sh.width))

    show(files)
    recursive = "R" in flags
    shown = 0

    def listing(d: str) -> None:
        nonlocal shown
        path = sh.path(d)
        entries: list[tuple[str, Dir | File]] = []
        if every:
            entries += [(".", fs.lookup(path)), ("..", fs.lookup(posixpath.dirname(path) or "/"))]
        for name in fs.listdir(path):
            if name.startswith(".") and not (every or "A" in flags):
                continue
            entries.append((name, fs.lookup(posixpath.join(path, name))))
        if reverse:
            entries.reverse()
        if recursive or len(dirs) + len(files) > 1:  # -R names every directory it lists, the first too
            io.out(("\n" if shown or files else "") + f"{d}:\n")
        shown += 1
        if long and gnu:
            io.out(f"total {sum(_blocks(n) for _, n in entries)}\n")
        elif long:
            io.out(f"total {sum(len(n.data) for _, n in entries if isinstance(n, File)) // 1024}\n")
        show(entries)
        if recursive:  # then each subdirectory, depth first
            for name, node in entries:
                if isinstance(node, Dir) and name not in (".", ".."):
                    listing(d.rstrip("/") + "/" + name if d != "/" else "/" + name)

    for d in dirs:
        listing(d)
    return status


def c_mkdir(sh: Shell, args: list[str], io: Io) -> int:
    flags, names = parse_flags(args[1:], "pv")
    status = 0
    for n in names:
        try:
            if "p" in flags:
                sh.box.fs.makedirs(sh.path(n))
            else:
                sh.box.fs.mkdir(sh.path(n))
        except FsError as e:
            io.err(f"mkdir: can't create directory '{n}': {e}\n")
            status = 1
    return status


def c_touch(sh: Shell, args: list[str], io: Io) -> int:
    _, names = parse_flags(args[1:], "acm")
    status = 0
    for n in names:
        try:
            sh.box.fs.touch(sh.path(n))
        except FsError as e:
            io.err(f"touch: {n}: {e}\n")
            status = 1
    return status


def c_rm(sh: Shell, args: list[str], io: Io) -> int:
    flags, names = parse_flags(args[1:], "rRfiv")
    status = 0
    for n in names:
        path = sh.path(n)
        try:
            node = sh.box.fs.lookup(path)
            if isinstance(node, Dir) and not flags & {"r", "R"}:
                io.err(f"rm: '{n}' is a directory\n")
                status = 1
                continue
            sh.box.fs.remove(path, recursive=True)
        except FsError as e:
            if "f" in flags and str(e) == "No such file or directory":
                continue
            io.err(f"rm: can't remove '{n}': {e}\n")
            status = 1
    return status


def c_rmdir(sh: Shell, args: list[str], io: Io) -> int:
    status = 0
    for n in args[1:]:
        try:
            sh.box.fs.rmdir(sh.path(n))
        except FsError as e:
            io.err(f"rmdir: '{n}': {e}\n")
            status = 1
    return status


def _copy_or_move(sh: Shell, args: list[str], io: Io, move: bool) -> int:
    cmd = "mv" if move else "cp"
    flags, names = parse_flags(args[1:], "rRfapivn")
    fs = sh.box.fs
    if len(names) < 2:
        io.err(f"{cmd}: missing file operand\n" if not names else f"{cmd}: missing destination file operand after '{names[0]}'\n")
        return 1
    *srcs, dest = names
    dest_path = sh.path(dest)
    into = fs.is_dir(dest_path)
    if len(srcs) > 1 and not into:
        io.err(f"{cmd}: '{dest}' is not a directory\n")
        return 1
    status = 0
    for s in srcs:
        try:
            node = fs.lookup(sh.path(s))
        except FsError as e:
            io.err(f"{cmd}: can't stat '{s}': {e}\n")
            status = 1
            continue
        if isinstance(node, Dir) and not move and not flags & {"r", "R", "a"}:
            io.err(f"cp: omitting directory '{s}'\n")
            status = 1
            continue
        target = posixpath.join(dest_path, posixpath.basename(sh.path(s))) if into else dest_path
        try:
            if isinstance(node, File):
                fs.write(target, node.data, mode=node.mode)
            else:
                fs.put(target, copy_node(node))
            if move:
                fs.remove(sh.path(s), recursive=True)
        except FsError as e:
            io.err(f"{cmd}: can't create '{target}': {e}\n")
            status = 1
    return status


def c_cp(sh: Shell, args: list[str], io: Io) -> int:
    return _copy_or_move(sh, args, io, False)


def c_mv(sh: Shell, args: list[str], io: Io) -> int:
    return _copy_or_move(sh, args, io, True)
