"""A busybox-like ``sh``: runs parsed scripts (``syntax.py``) with expansion (``$VAR``,
``${VAR:-x}``, ``$?``, ``$$``, ``$(cmd)``, ``$((1+2))``, ``~``, globs), redirections, pipes (the
commands run one after the other, each reading what the previous one wrote), ``&&``/``||`` and
exit codes. Commands are in ``commands.py``."""

from __future__ import annotations

import ast
import contextlib
import fnmatch
import operator
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from k9py.kube.unicode import digits
from k9py.sim.userland.fs import FileSystem, FsError
from k9py.sim.userland.syntax import (
    AndOr,
    Command,
    ForLoop,
    IfCommand,
    Incomplete,
    Pipeline,
    Script,
    ShellSyntaxError,
    WhileLoop,
    parse,
)

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.userland.container import Container

STDIN, STDOUT, STDERR = 0, 1, 2
MAX_ITERATIONS = 1000   # a while/until loop stops after this many turns in which no time passed (no sleep)


class LoopControl(Exception):
    """``break`` / ``continue`` (``levels`` loops out)."""

    def __init__(self, kind: str, levels: int = 1) -> None:
        super().__init__(kind)
        self.kind = kind
        self.levels = levels


class ShellExit(Exception):
    """``exit N``: leaves the shell that runs it."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class EnterShell(Exception):
    """``chroot /host`` on a terminal: an interactive shell in another root, over the one it
    was typed in; its ``exit`` comes back to that one."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell.name)
        self.shell = shell


class ExecShell(Exception):
    """``exec sh`` on a terminal: the session becomes that interactive shell (what k9s's
    ``sh -c "command -v bash >/dev/null && exec bash || exec sh"`` ends in)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class ContainerKilled(Exception):
    """PID 1 was signalled: the container (and every exec session in it) stops."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class Interrupted(Exception):
    """The foreground command was interrupted (ctrl-c on the terminal, a hang-up): the line it
    ran in is abandoned."""

    def __init__(self, code: int = 130) -> None:
        super().__init__(code)
        self.code = code


class Sleeper(Protocol):
    """How ``sleep`` passes time in this process (``ExecProcess``); ``naps`` counts the waits."""

    naps: int

    def sleep(self, seconds: float) -> None: ...


class Stdin:
    """What a command can read; reading consumes it (the first ``cat`` takes it all)."""

    def __init__(self, data: bytes = b"") -> None:
        self.data = data

    def read(self) -> bytes:
        data, self.data = self.data, b""
        return data


@dataclass
class Io:
    """A command's standard streams: stdin, and its writes in order as ``(fd, bytes)``."""

    stdin: Stdin = field(default_factory=Stdin)
    writes: list[tuple[int, bytes]] = field(default_factory=list)

    def write(self, fd: int, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode()
        if data:
            self.writes.append((fd, data))

    def out(self, data: bytes | str) -> None:
        self.write(STDOUT, data)

    def err(self, data: bytes | str) -> None:
        self.write(STDERR, data)

    def stdout_bytes(self) -> bytes:
        return b"".join(d for fd, d in self.writes if fd == STDOUT)


class _Redirected(Io):
    """A simple command's streams, each sent where its redirections say as it is written (what
    ``ping`` prints before it sleeps shows at once, as a real process's output does)."""

    def __init__(self, parent: Io, targets: dict[int, tuple[str, str]], fs: FileSystem) -> None:
        super().__init__(stdin=parent.stdin)
        self.parent, self.targets, self.fs = parent, targets, fs

    def write(self, fd: int, data: bytes | str) -> None:
        kind, where = self.targets.get(fd, ("io", str(fd)))
        if kind == "io":
            self.parent.write(int(where), data)
        elif kind == "file" and data:
            with contextlib.suppress(FsError):
                self.fs.write(where, data.encode() if isinstance(data, str) else data, append=True)


Builtin = Callable[["Shell", list[str], Io], int]

_ARITH_OPS: dict[type, Callable[..., int]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod, ast.Pow: operator.pow, ast.USub: operator.neg, ast.UAdd: operator.pos,
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
}


SHELLS = ("sh", "ash", "bash", "dash")  # the shells the simulated one stands for (by program name)


class Shell:
    """One shell process in a container."""

    def __init__(self, cluster: Cluster, box: Container, env: dict[str, str], *, name: str = "sh",
                 cwd: str = "/", pid: int = 7, tty: bool = False, args: list[str] | None = None) -> None:
        self.cluster = cluster
        self.box = box
        self.vars: dict[str, str] = dict(env)
        self.exported: set[str] = set(env)
        self.name = name
        self.cwd = cwd
        self.oldpwd = cwd
        self.pid = pid
        self.tty = tty
        self.status = 0
        self.args = list(args or [])
        self.command_env: dict[str, str] = {}
        self.width, self.height = 80, 24
        self.sleeper: Sleeper | None = None  # None: ``sleep`` returns at once (a one-shot container's run)
        # an exec'd ``sh -c``: the shell it starts is the session's own process, not a child of it
        self.execs_shell = False
        self.session = False  # an exec session's own shell: ``chroot`` may put another one over it
        self.interactive = False  # reading commands at a prompt (bash's messages then name no line)
        self.lines = 0  # the scripts (interactive lines) run so far: dash's and bash's line numbers

    # -- the environment ------------------------------------------------------------------------
    def environ(self) -> dict[str, str]:
        return {k: v for k, v in self.vars.items() if k in self.exported}

    def child(self, *, name: str | None = None, args: list[str] | None = None) -> Shell:
        """A subshell / ``sh -c``: the exported environment and the working directory (the
        session's own process, PID included, for the shell an exec starts: ``execs_shell``)."""
        own, self.execs_shell = self.execs_shell, False
        sub = Shell(self.cluster, self.box, self.environ(), name=name or self.name, cwd=self.cwd,
                    pid=self.pid if own else self.box.next_pid, tty=self.tty, args=args)
        if not own:
            self.box.next_pid += 1
        sub.width, sub.height = self.width, self.height
        sub.sleeper = self.sleeper
        return sub

    def path(self, p: str) -> str:
        return posixpath.normpath(posixpath.join(self.cwd, p)).replace("//", "/") if p else self.cwd

    # -- running ---------------------------------------------------------------------------------
    def run(self, text: str, io: Io) -> int:
        """Run a script; ``ShellExit`` propagates (the caller ends this shell)."""
        self.lines += 1
        try:
            script = parse(text)
        except Incomplete as e:
            io.err(f"{self.name}: syntax error: {e}\n")
            self.status = 2
            return 2
        except ShellSyntaxError as e:
            io.err(f"{self.name}: syntax error: {e}\n")
            self.status = 2
            return 2
        try:
            return self.run_script(script, io)
        except LoopControl:      # break / continue outside a loop
            return self.status

    def run_script(self, script: Script, io: Io) -> int:
        for item in script:
            self.status = self.run_and_or(item, io)
        return self.status

    def run_any(self, cmd: Command | ForLoop | WhileLoop | IfCommand, io: Io) -> int:
        if isinstance(cmd, Command):
            return self.run_command(cmd, io)
        if isinstance(cmd, IfCommand):
            for cond, body in cmd.branches:
                if self.run_script(cond, io) == 0:
                    return self.run_script(body, io)
            self.status = 0
            return self.run_script(cmd.otherwise, io) if cmd.otherwise is not None else 0
        status = 0
        if isinstance(cmd, ForLoop):
            values: list[str] = []
            for w in cmd.words:
                values += self.args if w == '"$@"' else self.expand(w, io)
            for v in values:
                self.vars[cmd.name] = v
                done, status = self._iteration(cmd.body, io)
                if done:
                    break
            return status
        idle = 0
        while idle < MAX_ITERATIONS:
            naps = self.sleeper.naps if self.sleeper else 0
            ok = self.run_script(cmd.cond, io) == 0
            if ok == cmd.until:
                break
            done, status = self._iteration(cmd.body, io)
            if done:
                break
            idle = 0 if self.sleeper and self.sleeper.naps != naps else idle + 1
        return status

    def _iteration(self, body: Script, io: Io) -> tuple[bool, int]:
        """Run a loop body: (leave the loop?, status)."""
        try:
            return False, self.run_script(body, io)
        except LoopControl as e:
            if e.levels > 1:
                e.levels -= 1
                raise
            return e.kind == "break", self.status

    def run_and_or(self, item: AndOr, io: Io) -> int:
        status = self.run_pipeline(item.first, io)
        for op, pipe in item.rest:
            if (op == "&&") == (status == 0):
                self.status = status
                status = self.run_pipeline(pipe, io)
        return status

    def run_pipeline(self, pipe: Pipeline, io: Io) -> int:
        if len(pipe.commands) == 1:
            status = self.run_any(pipe.commands[0], io)
        else:
            data = io.stdin
            status = 0
            for i, cmd in enumerate(pipe.commands):
                last = i == len(pipe.commands) - 1
                sub = Io(stdin=data)
                sh = self if last else self.child()
                try:
                    status = sh.run_any(cmd, sub)
                except ShellExit as e:
                    status = e.code
                except LoopControl:
                    status = 0
                out = b""
                for fd, chunk in sub.writes:
                    if fd == STDOUT and not last:
                        out += chunk
                    else:
                        io.write(fd, chunk)
                data = Stdin(out)
        if pipe.negate:
            status = 0 if status else 1
        self.status = status
        return status

    def run_command(self, cmd: Command, io: Io) -> int:
        self.box.fs.now = self.cluster.now()  # what it writes is stamped now, not at the container's start
        try:
            argv: list[str] = []
            for w in cmd.words:
                argv += self.expand(w, io)
            assigns = [(name, "".join(self.expand(raw, io, split=False))) for name, raw in cmd.assigns]
        except ShellSyntaxError as e:
            io.err(f"{self.name}: syntax error: {e}\n")
            return 2
        except ExpansionError as e:
            io.err(f"{self.name}: {e}\n")
            return 2
        targets: dict[int, tuple[str, str]] = {}
        sub = _Redirected(io, targets, self.box.fs)
        for r in cmd.redirects:
            try:
                target = "".join(self.expand(r.target, io, split=False))
            except ExpansionError as e:
                io.err(f"{self.name}: {e}\n")
                return 1
            if r.op in (">&", "<&"):
                if target == "-":
                    targets[r.fd] = ("null", "")
                elif digits(target):
                    targets[r.fd] = targets.get(int(target), ("io", target))
                else:
                    io.err(f"{self.name}: {target}: bad file descriptor\n")  # >&file: unsupported
                    return 1
                continue
            path = self.path(target)
            fs = self.box.fs
            if r.op == "<":
                try:
                    sub.stdin = Stdin(fs.read(path))
                except FsError:
                    io.err(f"{self.name}: can't open '{target}': no such file\n")
                    return 1
                continue
            try:
                if path == "/dev/null":
                    targets[r.fd] = ("null", "")
                    continue
                if r.op == ">" or not fs.exists(path):
                    fs.write(path, b"")
                targets[r.fd] = ("file", path)
            except FsError as e:
                reason = "nonexistent directory" if str(e) == "No such file or directory" else str(e)
                io.err(f"{self.name}: can't create {target}: {reason}\n")
                return 1
        if not argv:
            for name, value in assigns:
                self.vars[name] = value
            status = 0
        else:
            status = self.invoke(argv, assigns, sub)
        self.status = status
        return status

    def not_found(self, name: str, *, path: bool = False) -> str:
        """What this shell says of a command it cannot find: busybox ash ``sh: curl: not found``,
        Debian's dash ``sh: 1: curl: not found``, bash ``bash: curl: command not found`` (``line N:``
        when not at a prompt; a path: ``No such file or directory``)."""
        if self.name == "bash":
            where = "" if self.interactive else f"line {max(1, self.lines)}: "
            return f"bash: {where}{name}: {'No such file or directory' if path else 'command not found'}\n"
        if self.box.image.family in ("debian", "ubuntu") and self.name in ("sh", "dash"):
            return f"{self.name}: {max(1, self.lines)}: {name}: not found\n"
        return f"{self.name}: {name}: not found\n"

    def invoke(self, argv: list[str], assigns: list[tuple[str, str]], io: Io) -> int:

        try:
            return self._invoke(argv, assigns, io)
        except ValueError as e:  # a number that is none (``head -n ³``): busybox's xatoi words, never a failure
            text = _refused_number(e)
            if text is None:
                raise
            io.err(f"{argv[0].rsplit('/', 1)[-1]}: invalid number '{text}'\n")
            return 1

    def _invoke(self, argv: list[str], assigns: list[tuple[str, str]], io: Io) -> int:
        from k9py.sim.userland.commands import BUILTINS, COMMANDS, installed

        name = argv[0]
        if name in BUILTINS:
            for k, v in assigns:
                self.vars[k] = v
            return BUILTINS[name](self, argv, io)
        base = name.rsplit("/", 1)[-1] if "/" in name else name
        if "/" in name:
            path = self.path(name)
            if not self.box.fs.exists(path):
                io.err(self.not_found(name, path=True))
                return 127
            if base not in COMMANDS:
                return self._script_file(path, argv, io)
        fn = COMMANDS.get(base) if installed(self.box, base) else None  # (a server's binary: its image's)
        if fn is None:
            io.err(self.not_found(name))
            return 127
        saved = self.command_env
        self.command_env = {**self.environ(), **dict(assigns)}
        try:
            return fn(self, [base, *argv[1:]], io)
        finally:
            self.command_env = saved

    def _script_file(self, path: str, argv: list[str], io: Io) -> int:
        try:
            text = self.box.fs.read(path).decode(errors="replace")
        except FsError as e:
            io.err(f"{self.name}: {argv[0]}: {e}\n")
            return 126
        sub = self.child(args=argv[1:])
        try:
            return sub.run(text, io)
        except ShellExit as e:
            return e.code

    # -- expansion -------------------------------------------------------------------------------
    def expand(self, raw: str, io: Io, *, split: bool = True) -> list[str]:
        """One word into fields: quotes removed, parameters / commands / arithmetic substituted,
        unquoted results split on blanks, unquoted globs matched against the file system."""
        fields: list[str] = []
        cur: list[str] = []
        pattern: list[str] = []    # the same text with glob characters kept only where unquoted
        have = False
        globbing = False
        i, n = 0, len(raw)

        def push() -> None:
            nonlocal cur, pattern, have
            if have or cur:
                fields.append("".join(cur) + ("\0" + "".join(pattern) if globbing else ""))
            cur, pattern, have = [], [], False

        def lit(s: str, quoted: bool) -> None:
            cur.append(s)
            pattern.append(s if not quoted else "".join("[" + ch + "]" if ch in "*?[" else ch for ch in s))

        if raw.startswith("~") and (len(raw) == 1 or raw[1] == "/"):
            lit(self.vars.get("HOME", "/root"), True)
            have = True
            i = 1
        while i < n:
            c = raw[i]
            if c == "'":
                j = raw.index("'", i + 1)
                lit(raw[i + 1:j], True)
                have = True
                i = j + 1
            elif c == '"':
                i, text = self._double(raw, i + 1, io)
                lit(text, True)
                have = True
            elif c == "\\":
                lit(raw[i + 1:i + 2], True)
                have = True
                i += 2
            elif c == "$" or c == "`":
                i, value, quoted_like = self._dollar(raw, i, io)
                if value is None:
                    lit("$", True)
                    have = True
                    continue
                if not split:
                    lit(value, True)
                    have = have or bool(value)
                    continue
                parts = value.split()
                if value[:1].isspace() and (cur or have):
                    push()
                for k, part in enumerate(parts):
                    if k:
                        push()
                    lit(part, False)
                    have = True
                if value[-1:].isspace() and parts:
                    push()
                del quoted_like
            else:
                if c in "*?[" and split:
                    globbing = True
                lit(c, False)
                have = True
                i += 1
        push()
        out: list[str] = []
        for f in fields:
            if "\0" in f:
                text, pat = f.split("\0", 1)
                matches = self._glob(pat)
                out += matches or [text]
            else:
                out.append(f)
        return out if split else ["".join(out)]

    def _glob(self, pattern: str) -> list[str]:
        absolute = pattern.startswith("/")
        parts = [p for p in pattern.split("/") if p]
        paths = ["/" if absolute else ""]
        for part in parts:
            nxt: list[str] = []
            for base in paths:
                if not any(ch in part for ch in "*?["):
                    nxt.append(posixpath.join(base, part) if base else part)
                    continue
                real = self.path(base or ".")
                try:
                    names = self.box.fs.listdir(real)
                except FsError:
                    continue
                for name in names:
                    if name.startswith(".") and not part.startswith("."):
                        continue
                    if fnmatch.fnmatchcase(name, part):
                        nxt.append(posixpath.join(base, name) if base else name)
            paths = nxt
        return sorted(p for p in paths if self.box.fs.exists(self.path(p)))

    def _double(self, raw: str, i: int, io: Io) -> tuple[int, str]:
        out: list[str] = []
        while raw[i] != '"':
            c = raw[i]
            if c == "\\" and raw[i + 1] in '$`"\\\n':
                out.append(raw[i + 1] if raw[i + 1] != "\n" else "")
                i += 2
            elif c in "$`":
                i, value, _ = self._dollar(raw, i, io)
                out.append("$" if value is None else value)
            else:
                out.append(c)
                i += 1
        return i + 1, "".join(out)

    def _dollar(self, raw: str, i: int, io: Io) -> tuple[int, str | None, bool]:
        """Expand the ``$...`` or backquote at ``i``: (next index, value or None for a lone $, _)."""
        if raw[i] == "`":
            j = raw.index("`", i + 1)
            return j + 1, self.substitute(raw[i + 1:j], io), False
        if raw.startswith("$((", i):
            j = raw.find("))", i)
            if j < 0:
                raise ShellSyntaxError("unterminated $((")
            return j + 2, str(self.arith(raw[i + 3:j])), False
        if raw.startswith("$(", i):
            from k9py.sim.userland.syntax import _scan_parens
            j = _scan_parens(raw, i + 2)
            return j, self.substitute(raw[i + 2:j - 1], io), False
        if raw.startswith("${", i):
            j = raw.index("}", i)
            return j + 1, self.param_expr(raw[i + 2:j], io), False
        nxt = raw[i + 1:i + 2]
        if nxt and nxt in "?$#!*@-0123456789":
            return i + 2, self.special(nxt), False
        j = i + 1
        while j < len(raw) and (raw[j].isalnum() or raw[j] == "_"):
            j += 1
        if j == i + 1:
            return i + 1, None, False
        return j, self.vars.get(raw[i + 1:j], ""), False

    def special(self, c: str) -> str:
        if c == "?":
            return str(self.status)
        if c == "$":
            return str(self.pid)
        if c == "#":
            return str(len(self.args))
        if c in "*@":
            return " ".join(self.args)
        if c == "0":
            return self.name
        if digits(c):
            k = int(c)
            return self.args[k - 1] if k <= len(self.args) else ""
        return ""

    def param_expr(self, expr: str, io: Io) -> str:
        if expr.startswith("#") and len(expr) > 1:
            return str(len(self.vars.get(expr[1:], "")))
        for op in (":-", ":=", ":+", "-", "="):
            name, sep, word = expr.partition(op)
            if sep and name.replace("_", "a").isalnum():
                value = self.vars.get(name)
                empty = value is None or (op.startswith(":") and value == "")
                word_value = "".join(self.expand(word, io, split=False)) if word else ""
                if op.endswith("+"):
                    return "" if empty else word_value
                if empty:
                    if op.endswith("="):
                        self.vars[name] = word_value
                    return word_value
                return value or ""
        if len(expr) == 1 and expr in "?$#!*@-0123456789":
            return self.special(expr)
        if not expr.replace("_", "a").isalnum():
            raise ExpansionError("syntax error: bad substitution")
        return self.vars.get(expr, "")

    def substitute(self, text: str, io: Io) -> str:
        sub = self.child()
        cap = Io(stdin=Stdin())
        try:
            status = sub.run(text, cap)
        except ShellExit as e:
            status = e.code
        self.status = status
        for fd, chunk in cap.writes:
            if fd != STDOUT:
                io.write(fd, chunk)
        return cap.stdout_bytes().decode(errors="replace").rstrip("\n")

    def arith(self, expr: str) -> int:
        import re
        text = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: self.vars.get(m.group(1), "0") or "0", expr)
        text = re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: self.vars.get(m.group(0), "0") or "0", text)
        text = text.replace("/", "//").replace("&&", " and ").replace("||", " or ")
        try:
            return int(_eval(ast.parse(text.strip() or "0", mode="eval").body))
        except (SyntaxError, ValueError, ZeroDivisionError, KeyError, TypeError) as e:
            raise ExpansionError(f"arithmetic syntax error: {expr.strip()}") from e


class ExpansionError(Exception):
    """An expansion that fails (bad substitution, arithmetic)."""


class BadNumber(ValueError):
    """A command's number argument that is none (``head -n ³``): its text."""


_INT_REFUSED = "invalid literal for int() with base 10: '"


def _refused_number(e: ValueError) -> str | None:
    """The text a command took for a number and int() refused (a BadNumber's own); None: some
    other ValueError, a failure of the simulator's own to be seen."""
    if isinstance(e, BadNumber):
        return str(e)
    text = str(e)
    return text[len(_INT_REFUSED):-1] if text.startswith(_INT_REFUSED) and text.endswith("'") else None


def _eval(node: ast.AST) -> int:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.BinOp):
        return int(_ARITH_OPS[type(node.op)](_eval(node.left), _eval(node.right)))
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return int(not _eval(node.operand))
        return int(_ARITH_OPS[type(node.op)](_eval(node.operand)))
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        return int(_ARITH_OPS[type(node.ops[0])](_eval(node.left), _eval(node.comparators[0])))
    if isinstance(node, ast.BoolOp):
        values = [_eval(v) for v in node.values]
        return int(all(values) if isinstance(node.op, ast.And) else any(values))
    raise ValueError("unsupported")
