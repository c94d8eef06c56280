"""``tar``: enough for ``kubectl cp`` (``tar cf - PATH``, ``tar xmf - -C DIR``)."""

from __future__ import annotations

import io as _io
import posixpath
import tarfile

from k9py.sim.userland.fs import Dir, FsError
from k9py.sim.userland.shell import Io, Shell


def c_tar(sh: Shell, args: list[str], io: Io) -> int:
    """Enough of tar for ``kubectl cp``: ``tar cf - PATH...`` and ``tar xf - -C DIR``."""
    mode, archive, chdir, names = "", None, sh.cwd, []
    rest = args[1:]
    k = 0
    if rest and not rest[0].startswith("-"):
        rest = ["-" + rest[0], *rest[1:]]
    while k < len(rest):
        a = rest[k]
        if a == "-C" and k + 1 < len(rest):
            chdir = sh.path(rest[k + 1])
            k += 2
            continue
        if a.startswith("--"):
            k += 1
            continue
        if a.startswith("-"):
            for ch in a[1:]:
                if ch in "cxt":
                    mode = ch
                elif ch == "f":
                    archive = rest[k + 1] if k + 1 < len(rest) else "-"
                    k += 1
            k += 1
            continue
        names.append(a)
        k += 1
    fs = sh.box.fs
    gnu = sh.box.image.family in ("debian", "ubuntu")  # GNU tar; busybox's elsewhere
    if mode == "c":
        buf = _io.BytesIO()
        if any(n.startswith("/") for n in names):  # what `kubectl cp POD:/path .` shows (tar's stderr)
            io.err("tar: Removing leading `/' from member names\n" if gnu
                   else "tar: removing leading '/' from member names\n")
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
            for n in names:
                base = posixpath.normpath(posixpath.join(chdir, n))
                try:
                    entries = fs.walk(base)
                except FsError as e:
                    io.err(f"tar: {n}: Cannot stat: {e}\ntar: Exiting with failure status due to previous errors\n"
                           if gnu else f"tar: {n}: {e}\n")
                    return 2 if gnu else 1
                for path, node in entries:
                    arc = posixpath.relpath(path, chdir) if not n.startswith("/") else path.lstrip("/")
                    info = tarfile.TarInfo(arc)
                    info.mtime = int(node.mtime)
                    info.mode = node.mode
                    if isinstance(node, Dir):
                        info.type = tarfile.DIRTYPE
                        tf.addfile(info)
                    else:
                        info.size = len(node.data)
                        tf.addfile(info, _io.BytesIO(node.data))
        if archive in (None, "-"):
            io.out(buf.getvalue())
        else:
            fs.write(sh.path(archive), buf.getvalue())
        return 0
    if mode in ("x", "t"):
        try:
            data = io.stdin.read() if archive in (None, "-") else fs.read(sh.path(archive))
            tf = tarfile.open(fileobj=_io.BytesIO(data), mode="r:*")  # noqa: SIM115 (closed by the with below)
        except (FsError, tarfile.TarError) as e:
            io.err(f"tar: {e}\n" if isinstance(e, FsError) else "tar: invalid tar magic\n")
            return 1
        with tf:
            for m in tf.getmembers():
                if mode == "t":
                    io.out(m.name + "\n")
                    continue
                target = posixpath.normpath(posixpath.join(chdir, m.name.lstrip("/")))
                try:
                    if m.isdir():
                        fs.makedirs(target)
                    elif m.isfile():
                        fs.makedirs(posixpath.dirname(target))
                        f = tf.extractfile(m)
                        fs.write(target, f.read() if f else b"", mode=m.mode & 0o777)
                except FsError as e:
                    io.err(f"tar: can't create '{m.name}': {e}\n")
                    return 1
        return 0
    io.err("tar: need to specify one of -c, -t, -x\n")
    return 1
