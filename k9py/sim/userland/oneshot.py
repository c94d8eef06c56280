"""Containers whose command the shell fully understands (a busybox/alpine image): one that
ends at once (``date``, ``sh -c false``, ``echo "host=$(hostname)"``, Helm's ``wget demo:80``
test) runs it at start, its output its log and its status its exit code; one that sleeps
(``while true; do echo tick; sleep 1; done``) runs it on the virtual clock (``script.py``).
Anything else (``tail -f``, unknown commands, background jobs, behaviour annotations, a
container with stdin whose command reads it) keeps the behaviour ``sim/behaviour.py`` derives."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.meta import deep_copy
from k9py.sim import behaviour
from k9py.sim.behaviour import Program
from k9py.sim.userland.container import Container, world
from k9py.sim.userland.image import argv, busybox_family
from k9py.sim.userland.script import ScriptRun, has_sleep
from k9py.sim.userland.shell import ContainerKilled, Io, Shell, ShellExit, Stdin
from k9py.sim.userland.syntax import Command, ForLoop, IfCommand, Script, ShellSyntaxError, WhileLoop, parse

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.kubelet import Instance

Obj = dict[str, Any]
SHELLS = ("sh", "ash", "bash")
NEVER = {"tail", "ping", "kill", "exec", "sh", "ash", "bash", "dash", "tar",
         "nginx", "httpd", "httpd-foreground"}  # (a server started as a command runs: it is no one-shot)
# the shell's commands that read their stdin when they name no file (tee: always)
STDIN_READERS = frozenset({"cat", "grep", "head", "tail", "wc", "sort", "uniq", "tee", "cut", "base64"})
ANNOTATIONS = (behaviour.CRASH_AFTER, behaviour.EXIT_AFTER, behaviour.OOM_AFTER, behaviour.EXIT_CODE)


def understood(words: list[str]) -> str | None:
    """The script to run when every command in ``words`` is one the shell knows and that ends."""
    from k9py.sim.userland.commands import BUILTINS, COMMANDS

    if not words:
        return None
    if words[0].rsplit("/", 1)[-1] in SHELLS:
        if len(words) != 3 or words[1] != "-c":
            return None
        script = words[2]
    else:  # (the kubelet expanded its $(VAR): quoted, the shell expands nothing more)
        script = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    try:
        parsed = parse(script)
    except ShellSyntaxError:
        return None
    if not all(_ends(cmd, COMMANDS, BUILTINS) for cmd in _commands(parsed)):
        return None
    return script


def _commands(script: Script) -> list[Command | ForLoop | WhileLoop | IfCommand]:
    """Every command of a script, those inside ``for`` / ``if`` too."""
    out: list[Command | ForLoop | WhileLoop | IfCommand] = []
    for item in script:
        if item.background:
            out.append(WhileLoop([], []))        # a background job: not a one-shot
        for pipe in [item.first, *(p for _, p in item.rest)]:
            for cmd in pipe.commands:
                out.append(cmd)
                if isinstance(cmd, ForLoop):
                    out += _commands(cmd.body)
                elif isinstance(cmd, WhileLoop):
                    out += _commands(cmd.cond) + _commands(cmd.body)
                elif isinstance(cmd, IfCommand):
                    for cond, body in cmd.branches:
                        out += _commands(cond) + _commands(body)
                    out += _commands(cmd.otherwise or [])
    return out


def _ends(cmd: Command | ForLoop | WhileLoop | IfCommand, commands: Any, builtins: Any) -> bool:
    """A simple command the shell knows and that ends (a background job: no)."""
    if isinstance(cmd, WhileLoop):
        return bool(cmd.cond or cmd.body)  # (the empty one stands for a background job)
    if not isinstance(cmd, Command) or not cmd.words:
        return True
    name = cmd.words[0].strip("'\"").rsplit("/", 1)[-1]
    return name not in NEVER and (name in commands or name in builtins)


def reads_stdin(script: Script) -> bool:
    """Whether the script may read its stdin. With a stdin open (`kubectl run -i`) a real one
    waits there for its user; any other script runs at once, as it would without stdin."""
    for item in script:
        for pipe in [item.first, *(p for _, p in item.rest)]:
            cmd = pipe.commands[0] if pipe.commands else None  # (the others read the pipe)
            if isinstance(cmd, Command) and _reads(cmd):
                return True
            if isinstance(cmd, ForLoop | WhileLoop | IfCommand) and reads_stdin(_bodies(cmd)):
                return True
    return False


def _reads(cmd: Command) -> bool:
    """A reader of stdin without ``<``, naming ``-`` or no file (no word with a ``/``; tee: always)."""
    name = cmd.words[0].strip("'\"").rsplit("/", 1)[-1] if cmd.words else ""
    if name not in STDIN_READERS or any(r.op == "<" and r.fd == 0 for r in cmd.redirects):
        return False
    args = cmd.words[1:]
    return name == "tee" or "-" in args or not any("/" in w for w in args)


def _bodies(cmd: ForLoop | WhileLoop | IfCommand) -> Script:
    """The scripts a compound command runs, one after the other."""
    if isinstance(cmd, ForLoop):
        return cmd.body
    if isinstance(cmd, WhileLoop):
        return cmd.cond + cmd.body
    return [item for cond, body in cmd.branches for item in cond + body] + (cmd.otherwise or [])



def _script(pod: Obj, container: Obj, inst: Instance) -> str | None:
    """The container's command as a script this module runs, or None."""
    if not busybox_family(inst.image) or any(a in meta.annotations(pod) for a in ANNOTATIONS):
        return None
    script = understood(argv(inst.image, container))
    if script is not None and container.get("stdin") and reads_stdin(parse(script)):
        return None  # (it waits for the user of `kubectl run -i`, who drives it through attach)
    return script


def _world(cluster: Cluster, pod: Obj, container: Obj, inst: Instance, ip: str, init: bool) -> Container:
    """The instance's world as of its start (the sandbox's address already in it)."""
    seen = deep_copy(pod)
    if ip:
        seen.setdefault("status", {})["podIP"] = ip
    return world(cluster, seen, str(container.get("name")), init, inst)


def one_shot(cluster: Cluster, pod: Obj, container: Obj, inst: Instance, ip: str, *,
             init: bool = False) -> Program | ScriptRun | None:
    """Run the container's command if the shell understands it, as of the instance's start
    (`date` prints its startedAt, whenever the kubelet's sync gets to it): the Program of one
    that ended (output, exit code), or the ``ScriptRun`` of one that sleeps (its first steps
    run). None: its command is not one for the shell."""
    script = _script(pod, container, inst)
    if script is None:
        return None
    parsed = parse(script)
    if has_sleep(parsed):
        with cluster.clock.as_of(inst.started):
            box = _world(cluster, pod, container, inst, ip, init)
        run = ScriptRun(cluster, box, parsed, inst)
        run.advance(inst.started)
        return run
    with cluster.clock.as_of(inst.started):
        box = _world(cluster, pod, container, inst, ip, init)
        shell = Shell(cluster, box, box.env, cwd=box.workdir, pid=1)
        io = Io(stdin=Stdin())
        try:
            code = shell.run(script, io)
        except ShellExit as e:
            code = e.code
        except ContainerKilled as e:
            code = e.code
    text = b"".join(d for _, d in io.writes).decode(errors="replace")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return Program(kind="run", log="echo", run_seconds=0.05, exit_code=code, echo_lines=lines)
