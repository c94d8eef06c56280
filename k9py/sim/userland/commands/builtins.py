"""Shell builtins (they change the shell: cd, export, exit, exec, ., set), ``test``/``[`` and ``sh`` itself."""

from __future__ import annotations

from k9py.kube.unicode import digits
from k9py.sim.userland.fs import Dir, File, FsError
from k9py.sim.userland.shell import SHELLS, EnterShell, ExecShell, Io, LoopControl, Shell, ShellExit


def b_cd(sh: Shell, args: list[str], io: Io) -> int:
    target = args[1] if len(args) > 1 else sh.vars.get("HOME", "/")
    if target == "-":
        target = sh.oldpwd
        io.out(target + "\n")
    path = sh.path(target)
    try:
        node = sh.box.fs.lookup(path)
    except FsError as e:
        io.err(f"{sh.name}: cd: can't cd to {target}: {e}\n")
        return 2
    if not isinstance(node, Dir):
        io.err(f"{sh.name}: cd: can't cd to {target}: Not a directory\n")
        return 2
    sh.oldpwd, sh.cwd = sh.cwd, path
    sh.vars["OLDPWD"], sh.vars["PWD"] = sh.oldpwd, path
    return 0


def b_export(sh: Shell, args: list[str], io: Io) -> int:
    if len(args) == 1 or args[1:] == ["-p"]:
        for k in sorted(sh.exported):
            if k in sh.vars:
                io.out(f"export {k}='{sh.vars[k]}'\n")
        return 0
    for a in args[1:]:
        name, eq, value = a.partition("=")
        if eq:
            sh.vars[name] = value
        sh.exported.add(name)
    return 0


def b_unset(sh: Shell, args: list[str], io: Io) -> int:
    for a in args[1:]:
        sh.vars.pop(a, None)
        sh.exported.discard(a)
    return 0


def b_exit(sh: Shell, args: list[str], io: Io) -> int:
    code = sh.status
    if len(args) > 1:
        try:
            code = int(args[1]) & 0xFF
        except ValueError:
            io.err(f"{sh.name}: exit: Illegal number: {args[1]}\n")
            code = 2
    raise ShellExit(code)


def b_exec(sh: Shell, args: list[str], io: Io) -> int:
    from k9py.sim.userland.commands import installed

    if len(args) == 1:
        return 0
    name = args[1].rsplit("/", 1)[-1]
    if len(args) == 2 and sh.tty and name in SHELLS and installed(sh.box, name):
        raise ExecShell(name)  # the session turns into the interactive shell
    raise ShellExit(sh.invoke(args[1:], [], io))


def b_command(sh: Shell, args: list[str], io: Io) -> int:
    """``command -v NAME...``: where each is (a builtin by its name); ``command NAME ARGS``: run it."""
    from k9py.sim.userland.commands import BUILTINS, binary_path

    if len(args) > 1 and args[1] in ("-v", "-V"):
        status = 0
        for name in args[2:]:
            path = binary_path(sh.box, name)
            if name in BUILTINS:
                io.out(f"{name}\n")
            elif path is not None:
                io.out(f"{path}\n")
            else:
                status = 1
        return status
    if len(args) == 1:
        return 0
    return sh.invoke(args[1:], [], io)


def b_source(sh: Shell, args: list[str], io: Io) -> int:
    if len(args) < 2:
        return 0
    try:
        text = sh.box.fs.read(sh.path(args[1])).decode(errors="replace")
    except FsError:
        io.err(f"{sh.name}: .: can't open '{args[1]}'\n")
        return 2
    return sh.run(text, io)


def b_set(sh: Shell, args: list[str], io: Io) -> int:
    if len(args) == 1:
        for k in sorted(sh.vars):
            io.out(f"{k}='{sh.vars[k]}'\n")
    return 0


def b_colon(sh: Shell, args: list[str], io: Io) -> int:
    return 0


def c_true(sh: Shell, args: list[str], io: Io) -> int:
    return 0


def c_false(sh: Shell, args: list[str], io: Io) -> int:
    return 1


def _test(sh: Shell, a: list[str]) -> bool:
    fs = sh.box.fs
    if not a:
        return False
    if a[0] == "!":
        return not _test(sh, a[1:])
    for op in ("-o", "-a"):
        if op in a:
            k = a.index(op)
            left, right = _test(sh, a[:k]), _test(sh, a[k + 1:])
            return (left or right) if op == "-o" else (left and right)
    if len(a) == 1:
        return a[0] != ""
    if len(a) == 2:
        op, v = a
        if op == "-z":
            return v == ""
        if op == "-n":
            return v != ""
        try:
            node = fs.lookup(sh.path(v))
        except FsError:
            return False
        if op == "-d":
            return isinstance(node, Dir)
        if op == "-f":
            return isinstance(node, File)
        if op == "-s":
            return isinstance(node, Dir) or bool(node.data)
        if op == "-x":
            return bool(node.mode & 0o111)
        return op in ("-e", "-r", "-w", "-L", "-h") and op not in ("-L", "-h")
    if len(a) == 3:
        x, op, y = a
        if op in ("=", "=="):
            return x == y
        if op == "!=":
            return x != y
        ints = {"-eq": "__eq__", "-ne": "__ne__", "-lt": "__lt__", "-le": "__le__", "-gt": "__gt__", "-ge": "__ge__"}
        if op in ints:
            return bool(getattr(int(x), ints[op])(int(y)))
    raise ValueError(" ".join(a))


def c_test(sh: Shell, args: list[str], io: Io) -> int:
    a = args[1:]
    if args[0] == "[":
        if not a or a[-1] != "]":
            io.err("[: missing ]\n")
            return 2
        a = a[:-1]
    try:
        return 0 if _test(sh, a) else 1
    except ValueError:
        io.err(f"{args[0]}: syntax error\n" if a else "")
        return 2


def c_sh(sh: Shell, args: list[str], io: Io) -> int:
    """``sh -c 'script' [name args...]``, ``sh file``, or ``sh`` reading its script from stdin."""
    name = args[0]
    rest = [a for a in args[1:] if a not in ("-e", "-x", "-l", "-i", "-s")]
    if rest and rest[0] == "-c":
        if len(rest) < 2:
            io.err(f"{name}: -c requires an argument\n")
            return 2
        sub = sh.child(name=rest[2] if len(rest) > 2 else name, args=rest[3:])
        script = rest[1]
    elif rest:
        try:
            script = sh.box.fs.read(sh.path(rest[0])).decode(errors="replace")
        except FsError:
            io.err(f"{name}: can't open '{rest[0]}': No such file or directory\n")
            return 2
        sub = sh.child(name=name, args=rest[1:])
    else:
        script = io.stdin.read().decode(errors="replace")
        sub = sh.child(name=name)
        if not script and sh.session:  # typed at a session's prompt: a shell over this one until its `exit`
            sub.session = True
            raise EnterShell(sub)
    try:
        return sub.run(script, io)
    except ShellExit as e:
        return e.code


def b_break(sh: Shell, args: list[str], io: Io) -> int:
    """``break [n]`` / ``continue [n]`` (outside a loop: nothing, like ash)."""
    levels = int(args[1]) if len(args) > 1 and digits(args[1]) and int(args[1]) > 0 else 1
    raise LoopControl(args[0], levels)
