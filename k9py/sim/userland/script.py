"""A container whose command is a shell script that takes time (``while true; do echo tick;
sleep 1; done``, ``echo start; sleep 4; echo end``, ``until nslookup mydb; do sleep 2; done``):
PID 1 runs it in the simulated shell on the virtual clock.

The shell is a recursive interpreter that cannot stop in the middle of a script, and a thread
per container (``fiber.py``) would cost a thread for every sleeping pod and could not be
pickled with the demo's snapshot. So the script's top level is stepped here with an explicit
stack of frames (statements, ``&&``/``||`` lists, ``while``/``until``/``for``/``if`` bodies),
each simple command run by the shell: a ``sleep`` reached this way parks the script until the
virtual clock gets to its end (the kubelet wakes the container then, as for any transition, and
nothing runs meanwhile). A ``sleep`` deeper down (in a pipeline, ``$(...)``, ``sh -c``) still
takes its time, counted once that command is done. What the script writes becomes log lines
stamped with the virtual time they were written at; its world is the container's (``kubectl
exec`` sees its files); its exit status is the container's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from k9py.sim.userland.shell import MAX_ITERATIONS, ContainerKilled, Io, LoopControl, Shell, ShellExit, Stdin
from k9py.sim.userland.syntax import AndOr, Command, ForLoop, IfCommand, Pipeline, Script, WhileLoop

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.kubelet import Instance
    from k9py.sim.userland.container import Container

EXIT_TAKES = 0.001  # the shell's exit after its last command (its last lines come before it)
RETENTION = 10_000  # log lines kept per instance (as logs.RETENTION)


class LogIo(Io):
    """PID 1's stdout and stderr: each complete line is a log line at the virtual time it was
    written (a partial one waits for its newline, or the end)."""

    def __init__(self, cluster: Cluster, inst: Instance) -> None:
        super().__init__(stdin=Stdin())
        self.cluster = cluster
        self.inst = inst
        self.partial: dict[int, str] = {}

    def write(self, fd: int, data: bytes | str) -> None:
        text = data.decode(errors="replace") if isinstance(data, bytes) else data
        if not text:
            return
        *lines, rest = (self.partial.get(fd, "") + text).split("\n")
        self.partial[fd] = rest
        if lines:
            now = self.cluster.now()
            self.inst.extra.extend((now, line) for line in lines)
            del self.inst.extra[:-RETENTION]

    def flush(self) -> None:
        for _, rest in sorted(self.partial.items()):
            if rest:
                self.inst.extra.append((self.cluster.now(), rest))
        self.partial.clear()


@dataclass
class _Seq:
    items: Script
    i: int = 0


@dataclass
class _List:
    """An ``&&``/``||`` list: ``k`` is the next pipeline, ``status`` the last one's."""

    item: AndOr
    k: int = 0
    status: int = 0


@dataclass
class _While:
    loop: WhileLoop
    naps: int = 0         # the script's naps when the turn began (a turn without one is idle)
    idle: int = 0
    status: int = 0
    in_body: bool = False


@dataclass
class _For:
    loop: ForLoop
    values: list[str] = field(default_factory=list)
    i: int = 0
    status: int = 0


_Frame = _Seq | _List | _While | _For


class ScriptRun:
    """The script of one container instance, as far as the virtual clock has got."""

    def __init__(self, cluster: Cluster, box: Container, script: Script, inst: Instance) -> None:
        self.cluster = cluster
        self.io = LogIo(cluster, inst)
        self.shell = Shell(cluster, box, box.env, cwd=box.workdir, pid=1)
        self.shell.sleeper = self
        self.stack: list[_Frame] = [_Seq(script)]
        self.naps = 0                      # (the shell's Sleeper) sleeps so far
        self.pending = 0.0                 # seconds slept by the command that just ran
        self.wake: float = inst.started    # when it runs next (inf: sleep infinity)
        self.ended: float | None = None
        self.code = 0

    # -- the kubelet's side ------------------------------------------------------------------------
    def next_at(self) -> float | None:
        """When something happens next: it ends, or its sleep does (None: it sleeps forever)."""
        if self.ended is not None:
            return self.ended
        return None if math.isinf(self.wake) else self.wake

    def advance(self, t: float) -> None:
        """Run every step due by ``t`` (each as of its own time)."""
        while self.ended is None and self.wake <= t:
            at = self.wake
            with self.cluster.clock.as_of(at):
                self._run(at)

    def sleep(self, seconds: float) -> None:
        """(The shell's Sleeper) a ``sleep`` run by a command: its time is taken when that
        command is done."""
        if seconds > 0:
            self.naps += 1
            self.pending += seconds

    # -- stepping ----------------------------------------------------------------------------------
    def _run(self, at: float) -> None:
        """From ``at`` until the script sleeps or ends."""
        self.pending = 0.0
        try:
            while self.stack:
                self._step()
                if self.pending > 0:
                    self.wake = at + self.pending
                    return
        except ShellExit as e:
            self.code = e.code
        except ContainerKilled as e:
            self.code = e.code
        else:
            self.code = self.shell.status
        self.io.flush()
        self.stack.clear()
        self.ended = at + EXIT_TAKES

    def _step(self) -> None:
        """One move of the top frame (a command run, a frame pushed or finished)."""
        top = self.stack[-1]
        try:
            if isinstance(top, _Seq):
                if top.i >= len(top.items):
                    self.stack.pop()
                else:
                    top.i += 1
                    self.stack.append(_List(top.items[top.i - 1]))
            elif isinstance(top, _List):
                self._list(top)
            elif isinstance(top, _While):
                self._while(top)
            else:
                self._for(top)
        except LoopControl as e:
            self._unwind(e)

    def _list(self, f: _List) -> None:
        pipes = [f.item.first, *(p for _, p in f.item.rest)]
        if f.k > 0:
            f.status = self.shell.status  # the pipeline before ended (a compound one as frames)
        while 0 < f.k < len(pipes) and (f.item.rest[f.k - 1][0] == "&&") != (f.status == 0):
            f.k += 1
        if f.k >= len(pipes):
            self.stack.pop()
            self.shell.status = f.status
            return
        pipe = pipes[f.k]
        f.k += 1
        self.shell.status = f.status if f.k > 1 else self.shell.status
        self._pipeline(pipe)

    def _pipeline(self, pipe: Pipeline) -> None:
        """Run a pipeline, or push the frames of a compound command standing alone."""
        cmd = pipe.commands[0]
        if len(pipe.commands) != 1 or pipe.negate or isinstance(cmd, Command):
            self.shell.run_pipeline(pipe, self.io)
        elif isinstance(cmd, WhileLoop):
            self.stack.append(_While(cmd, naps=self.naps))
        elif isinstance(cmd, ForLoop):
            values: list[str] = []
            for w in cmd.words:
                values += self.shell.args if w == '"$@"' else self.shell.expand(w, self.io)
            self.stack.append(_For(cmd, values))
        else:
            self._if(cmd)

    def _if(self, cmd: IfCommand) -> None:
        for cond, body in cmd.branches:
            if self.shell.run_script(cond, self.io) == 0:
                self.stack.append(_Seq(body))
                return
        self.shell.status = 0
        if cmd.otherwise is not None:
            self.stack.append(_Seq(cmd.otherwise))

    def _while(self, f: _While) -> None:
        if f.in_body:  # a turn ended
            f.in_body = False
            f.status = self.shell.status
            f.idle = 0 if self.naps != f.naps else f.idle + 1
            if f.idle >= MAX_ITERATIONS:  # as the shell stops a loop in which no time passes
                self._done(f)
                return
        f.naps = self.naps
        ok = self.shell.run_script(f.loop.cond, self.io) == 0
        if ok == f.loop.until:
            self._done(f)
            return
        f.in_body = True
        self.stack.append(_Seq(f.loop.body))

    def _for(self, f: _For) -> None:
        if f.i > 0:
            f.status = self.shell.status
        if f.i >= len(f.values):
            self._done(f)
            return
        self.shell.vars[f.loop.name] = f.values[f.i]
        f.i += 1
        self.stack.append(_Seq(f.loop.body))

    def _done(self, f: _While | _For) -> None:
        """A loop ends: its status is its last body's (0 when the body never ran)."""
        self.stack.pop()
        self.shell.status = f.status

    def _unwind(self, e: LoopControl) -> None:
        """``break`` / ``continue``: leave frames up to the loop it names."""
        levels = e.levels
        while self.stack:
            f = self.stack[-1]
            if isinstance(f, (_While, _For)):
                if levels > 1:
                    levels -= 1
                    self.stack.pop()
                    continue
                f.status = self.shell.status
                if e.kind == "break":
                    self._done(f)
                elif isinstance(f, _While):
                    f.in_body = True  # the turn ends here: the next step tests the condition
                return
            self.stack.pop()
        # break / continue outside a loop: nothing to leave


def has_sleep(script: Script) -> bool:
    """Whether the script runs ``sleep`` anywhere (then it takes time: a ``ScriptRun``)."""
    return any(_sleeps(cmd) for item in script for pipe in [item.first, *(p for _, p in item.rest)]
               for cmd in pipe.commands)


def _sleeps(cmd: Any) -> bool:
    if isinstance(cmd, Command):
        return any("sleep" in w for w in cmd.words)
    if isinstance(cmd, WhileLoop):
        return has_sleep(cmd.cond) or has_sleep(cmd.body)
    if isinstance(cmd, ForLoop):
        return has_sleep(cmd.body)
    if isinstance(cmd, IfCommand):
        return any(has_sleep(c) or has_sleep(b) for c, b in cmd.branches) or has_sleep(cmd.otherwise or [])
    return False
