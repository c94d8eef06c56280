"""Process and system commands: env, printenv, hostname, pwd, id, whoami, ps, kill, date, sleep (as long as
its process's ``Sleeper`` says: ``ExecProcess``), df, uname, clear, which."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from k9py.kube.meta import dig
from k9py.kube.unicode import digits
from k9py.sim.logs import busybox_date
from k9py.sim.userland.commands.common import human_size, parse_flags
from k9py.sim.userland.fs import Dir, File
from k9py.sim.userland.shell import SHELLS, ContainerKilled, Io, Shell, ShellExit

UNAME = ("Linux", "6.8.0-45-generic", "#45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024", "x86_64")


def c_env(sh: Shell, args: list[str], io: Io) -> int:
    env = dict(sh.command_env)
    rest = args[1:]
    if rest and rest[0] in ("-i", "-"):
        env, rest = {}, rest[1:]
    while rest and "=" in rest[0]:
        k, _, v = rest[0].partition("=")
        env[k] = v
        rest = rest[1:]
    if rest:
        sub = sh.child()
        sub.vars, sub.exported = dict(env), set(env)
        return sub.invoke(rest, [], io)
    io.out("".join(f"{k}={v}\n" for k, v in env.items()))
    return 0


def c_printenv(sh: Shell, args: list[str], io: Io) -> int:
    env = sh.command_env
    if len(args) == 1:
        io.out("".join(f"{k}={v}\n" for k, v in env.items()))
        return 0
    status = 0
    for name in args[1:]:
        if name in env:
            io.out(env[name] + "\n")
        else:
            status = 1
    return status


def c_hostname(sh: Shell, args: list[str], io: Io) -> int:
    if "-i" in args[1:]:
        pod = sh.cluster.store.get("Pod", sh.box.namespace, sh.box.pod)
        io.out((dig(pod, "status", "podIP") or "") + "\n")
    else:
        io.out(sh.box.hostname + "\n")
    return 0


def c_pwd(sh: Shell, args: list[str], io: Io) -> int:
    io.out(sh.cwd + "\n")
    return 0


def c_id(sh: Shell, args: list[str], io: Io) -> int:
    flags, _ = parse_flags(args[1:], "ungGr")
    if "u" in flags or "g" in flags:
        io.out("root\n" if "n" in flags else "0\n")
    else:
        io.out("uid=0(root) gid=0(root) groups=0(root),10(wheel)\n" if sh.box.image.family in ("busybox", "alpine")
               else "uid=0(root) gid=0(root) groups=0(root)\n")
    return 0


def c_whoami(sh: Shell, args: list[str], io: Io) -> int:
    io.out("root\n")
    return 0


def c_ps(sh: Shell, args: list[str], io: Io) -> int:
    from k9py.sim.userland.pidns import processes
    from k9py.sim.userland.procfs import cmdline

    # a container's main process: its /proc/PID/cmdline with the NULs as spaces, unquoted as ps
    # shows it (an exec'd session is kept as that already)
    rows = [(pid, user, cmd if pid in sh.box.pids.sessions else " ".join(cmdline(cmd)))
            for pid, user, cmd in processes(sh.cluster, sh.box)]
    if all(pid != sh.pid for pid, _, _ in rows):
        rows = sorted([*rows, (sh.pid, "root", sh.name)])
    line, session = " ".join(args), sh.box.sessions.get(sh.pid)
    if session is not None and _shell_execs(session, line):  # `sh -c ps`: ash execs a lone command
        rows = [(pid, user, line if pid == sh.pid else cmd) for pid, user, cmd in rows]
    elif session != line:  # (`kubectl exec POD -- ps`: that session is this ps)
        rows.append((sh.box.next_pid, "root", line))
    io.out("PID   USER     TIME  COMMAND\n" + "".join(f"{pid:5d} {user:<8}  0:00 {cmd}\n" for pid, user, cmd in rows))
    return 0


def _shell_execs(session: str, line: str) -> bool:
    """Whether ``session`` is ``sh -c LINE``: a shell whose script is one simple command runs it in
    its own place (ash's exec of the last command), so ``ps`` shows it as that PID."""
    shell, flag, script = [*session.split(" ", 2), "", ""][:3]
    return flag == "-c" and shell.rsplit("/", 1)[-1] in SHELLS and script.strip() == line


SIGNALS = {"HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "USR2": 12, "TERM": 15}


def c_kill(sh: Shell, args: list[str], io: Io) -> int:
    sig = 15
    rest = args[1:]
    if rest and rest[0] == "-l":
        io.out(" ".join(f"{n}" for n in SIGNALS) + "\n")
        return 0
    if rest and rest[0].startswith("-"):
        name = rest[0][1:].upper().removeprefix("SIG")
        if rest[0] == "-s" and len(rest) > 1:
            name, rest = rest[1].upper().removeprefix("SIG"), rest[1:]
        sig = int(name) if digits(name) else SIGNALS.get(name, -1)
        rest = rest[1:]
        if sig < 0:
            io.err(f"kill: bad signal name '{name}'\n")
            return 1
    if not rest:
        io.err("kill: usage: kill [-s SIG | -SIG] PID...\n")
        return 1
    status = 0
    for p in rest:
        if p == "1":
            owner = sh.box.pids.owner  # a debug container sharing its target's processes kills the target
            if owner is None:
                io.err(f"{sh.name}: can't kill pid 1: Operation not permitted\n")
                status = 1
                continue
            from k9py.sim.kubelet import signal_container
            code = signal_container(sh.cluster, *owner, sig)
            if code is not None and owner == (sh.box.namespace, sh.box.pod, sh.box.name):
                raise ContainerKilled(code)
        elif p == str(sh.pid):
            raise ShellExit(128 + sig)
        elif sh.box.image.server == "nginx" and p in ("29", "30"):
            continue
        else:
            io.err(f"{sh.name}: can't kill pid {p}: No such process\n")
            status = 1
    return status


def c_date(sh: Shell, args: list[str], io: Io) -> int:
    t = sh.cluster.now()
    d = datetime.fromtimestamp(int(t), tz=UTC)
    fmt = next((a[1:] for a in args[1:] if a.startswith("+")), None)
    if fmt is not None:
        io.out(d.strftime(fmt.replace("%N", f"{int(t % 1 * 1e9):09d}")) + "\n")
    elif "-I" in args[1:]:
        io.out(d.strftime("%Y-%m-%d") + "\n")
    elif "-R" in args[1:]:
        io.out(d.strftime("%a, %d %b %Y %H:%M:%S +0000") + "\n")
    else:
        io.out(busybox_date(t) + "\n")
    return 0


def c_sleep(sh: Shell, args: list[str], io: Io) -> int:
    if len(args) < 2:
        io.err("sleep: usage: sleep [N]...\n")
        return 1
    total = 0.0
    for a in args[1:]:
        m = re.fullmatch(r"(\d+(?:\.\d+)?|\.\d+)([smhd]?)", a)
        if a != "infinity" and not m:
            io.err(f"sleep: invalid number '{a}'\n")
            return 1
        total += float("inf") if m is None else float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    if sh.sleeper is not None:
        sh.sleeper.sleep(total)
    return 0


def c_df(sh: Shell, args: list[str], io: Io) -> int:
    human = "-h" in args[1:]
    total = 61202244
    rows = [("overlay", total, 18733932, "/"), ("tmpfs", 65536, 0, "/dev"), ("shm", 65536, 0, "/dev/shm")]
    for path in ("/etc/hosts", "/dev/termination-log", "/etc/hostname", "/etc/resolv.conf"):
        rows.append(("/dev/vda1", total, 18733932, path))
    for m in sorted(sh.box.fs.mounts, key=lambda m: m.path):
        if m.source == "proc":  # (a pseudo file system: df leaves it out)
            continue
        used = sum(len(n.data) for _, n in _walk(m.root)) // 1024 + 0
        size = 8029604 if m.source == "tmpfs" else total
        rows.append((m.source, size, used if m.source == "tmpfs" else 18733932, m.path))
    code = 0
    operands, rest = [], iter(args[1:])
    for a in rest:
        if a in ("-t", "-B"):  # busybox's options with a value (a type, a block size)
            next(rest, None)
        elif not a.startswith("-"):
            operands.append(a)
    if operands:  # busybox: the file system each path is on, once a path
        picked = []
        for operand in operands:
            where = sh.path(operand)
            if not sh.box.fs.exists(where) and not any(where == r[3] for r in rows):
                io.err(f"df: {operand}: can't find mount point\n")
                code = 1
                continue
            picked.append(max((r for r in rows if where == r[3] or where.startswith(r[3].rstrip("/") + "/")),
                              key=lambda r: len(r[3])))
        rows = picked
    if human:
        io.out("Filesystem                Size      Used Available Use% Mounted on\n")
        for src, size, used, path in rows:
            io.out(f"{src:<20}{human_size(size * 1024):>10}{human_size(used * 1024):>10}{human_size((size - used) * 1024):>10}"
                   f"{used * 100 // size if size else 0:4d}% {path}\n")
    else:
        io.out("Filesystem           1K-blocks      Used Available Use% Mounted on\n")
        for src, size, used, path in rows:
            io.out(f"{src:<20}{size:>10}{used:>10}{size - used:>10}{-(-used * 100 // size) if size else 0:4d}% {path}\n")
    return code


def _walk(d: Dir) -> list[tuple[str, File]]:
    out: list[tuple[str, File]] = []
    for name, n in d.children.items():
        if isinstance(n, File):
            out.append((name, n))
        else:
            out += _walk(n)
    return out


def c_uname(sh: Shell, args: list[str], io: Io) -> int:
    flags, _ = parse_flags(args[1:], "asnrvmpio")
    kernel, release, version, machine = UNAME
    if "a" in flags:
        io.out(f"{kernel} {sh.box.hostname} {release} {version} {machine} GNU/Linux\n")
        return 0
    parts = [v for f, v in (("s", kernel), ("n", sh.box.hostname), ("r", release), ("v", version),
                            ("m", machine), ("o", "GNU/Linux")) if f in flags]
    io.out(" ".join(parts or [kernel]) + "\n")
    return 0


def c_clear(sh: Shell, args: list[str], io: Io) -> int:
    io.out("\x1b[H\x1b[J")
    return 0


def c_which(sh: Shell, args: list[str], io: Io) -> int:
    from k9py.sim.userland.commands import binary_path

    status = 0
    for a in args[1:]:
        path = binary_path(sh.box, a)
        if path is not None:
            io.out(path + "\n")
        else:
            status = 1
    return status
