"""An exec probe: the kubelet runs the probe's command in the container (as ``kubectl exec``
would, through the runtime) and reads its exit status and combined output."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from k9py.sim.userland.container import world
from k9py.sim.userland.image import image_for
from k9py.sim.userland.shell import ContainerKilled, ExecShell, Interrupted, Io, Shell, ShellExit, Stdin

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.kubelet import Instance

Obj = dict[str, Any]


MODELLED_FAMILIES = ("busybox", "alpine")
MODELLED_NAMES = ("debian", "ubuntu")


@functools.lru_cache(maxsize=1024)
def modelled(image: str) -> bool:
    """Whether the image's userland is the simulator's own (busybox, alpine, debian, ubuntu,
    the nginx and httpd servers): a command run in it answers as it would for real."""
    img = image_for(image)
    return img.family in MODELLED_FAMILIES or img.name in MODELLED_NAMES or img.server in ("nginx", "httpd")


def exec_probe(cluster: Cluster, pod: Obj, cname: str, init: bool, inst: Instance,
               command: list[str]) -> tuple[int, str]:
    """Run ``command`` in the container instance now: (exit status, stdout and stderr as written)."""
    from k9py.sim.userland.commands import BUILTINS, installed

    if inst.script is not None:
        inst.script.advance(cluster.now())  # what PID 1's script did by now (the file it removed)
    box = world(cluster, pod, cname, init, inst)
    io = Io(stdin=Stdin())
    if not command:
        return 1, ""
    name = command[0]
    base = name.rsplit("/", 1)[-1]
    if not installed(box, base) and base not in BUILTINS and not ("/" in name and box.fs.exists(name)):
        return 126, (f'OCI runtime exec failed: exec failed: unable to start container process: exec: "{name}": '
                     "executable file not found in $PATH: unknown")
    pid = box.next_pid
    box.next_pid += 1
    shell = Shell(cluster, box, box.env, cwd=box.workdir, pid=pid)  # (no sleeper: a sleep ends at once)
    try:
        code = shell.invoke(list(command), [], io)
    except (ShellExit, ContainerKilled, Interrupted) as e:
        code = e.code
    except ExecShell:
        code = 0
    return code, b"".join(d for _, d in io.writes).decode(errors="replace")
