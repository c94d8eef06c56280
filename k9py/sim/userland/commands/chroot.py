"""``chroot NEWROOT [COMMAND [ARG]...]``: a command (by default an interactive shell) with another
directory as its root. In a node shell (k9s's ``s`` on a node, ``kubectl debug node/…``) the node's
root is mounted at ``/host``: ``chroot /host`` is how one gets the node's own tools (its bash, its
curl: the tutorial's ``minikube ssh`` then ``curl <POD-IP>``), files and logs."""

from __future__ import annotations

import dataclasses

from k9py.sim.userland.fs import Dir, FileSystem, FsError
from k9py.sim.userland.image import Image
from k9py.sim.userland.shell import SHELLS, EnterShell, Io, Shell, ShellExit


def c_chroot(sh: Shell, args: list[str], io: Io) -> int:
    gnu = sh.box.image.family in ("debian", "ubuntu")  # coreutils' words, else busybox's
    if len(args) < 2:
        io.err("chroot: missing operand\nTry 'chroot --help' for more information.\n" if gnu
               else "BusyBox v1.36.1 multi-call binary.\n\nUsage: chroot NEWROOT [PROG ARGS]\n")
        return 125 if gnu else 1
    try:
        root = sh.box.fs.lookup(sh.path(args[1]))
    except FsError:
        root = None
    if not isinstance(root, Dir):
        reason = "Not a directory" if root is not None else "No such file or directory"
        io.err(f"chroot: cannot change root directory to '{args[1]}': {reason}\n" if gnu
               else f"chroot: can't change root directory to '{args[1]}': {reason}\n")
        return 125 if gnu else 1
    box = dataclasses.replace(sh.box, fs=FileSystem(root, sh.box.fs.now), image=_image_of(sh, root), workdir="/")
    command = args[2:] or [sh.vars.get("SHELL") or "/bin/sh", "-i"]
    name = command[0].rsplit("/", 1)[-1]
    from k9py.sim.userland.commands import installed

    if not (installed(box, name) or ("/" in command[0] and box.fs.exists(command[0]))):
        io.err(f"chroot: failed to run command '{command[0]}': No such file or directory\n" if gnu
               else f"chroot: can't execute '{command[0]}': No such file or directory\n")
        return 127
    new = Shell(sh.cluster, box, sh.environ(), name=name if name in SHELLS else "sh", cwd="/",
                pid=sh.box.next_pid, tty=sh.tty)
    sh.box.next_pid += 1
    new.width, new.height, new.sleeper, new.session = sh.width, sh.height, sh.sleeper, sh.session
    interactive = name in SHELLS and [a for a in command[1:] if a not in ("-i", "-l")] == []
    if interactive:
        script = io.stdin.read().decode(errors="replace")
        if not script and sh.session:
            raise EnterShell(new)  # it reads what comes next on the session's stdin (its prompt, on a terminal)
        try:
            return new.run(script, io)
        except ShellExit as e:
            return e.code
    try:
        return new.invoke(command, [], io)
    except ShellExit as e:
        return e.code


def _image_of(sh: Shell, root: Dir) -> Image:
    """What the new root has to run: a node's own (Ubuntu, curl) for a node's root, else the
    container's."""
    from k9py.sim.userland.hostroot import is_node_root, node_image

    return node_image() if is_node_root(sh.cluster, root) else sh.box.image
