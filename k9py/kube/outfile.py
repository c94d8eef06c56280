"""An output file checked before the work that fills it (a server started, a cluster recorded):
a directory, a missing or read-only directory or an unwritable path is a one-line K9pyError at
once, not a traceback after the work."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile

from k9py.errors import K9pyError


def check_writable(path: str, what: str, *, make_parents: bool = False) -> None:
    """Raise ``PATH: cannot write WHAT: REASON`` unless a file can be written at ``path``: it is
    not a directory, its directory exists (or is made, ``make_parents``) and takes a new file,
    and an existing file there is writable. Nothing is left behind but made parents."""
    try:
        if os.path.isdir(path):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        parent = os.path.dirname(os.path.abspath(path))
        if make_parents:
            os.makedirs(parent, exist_ok=True)
        elif not os.path.isdir(parent):
            raise FileNotFoundError(errno.ENOENT, f"no such directory {parent}")
        fd, probe = tempfile.mkstemp(dir=parent, prefix=".k9py-probe-")
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(probe)
        if os.path.exists(path) and not os.access(path, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    except OSError as err:
        raise cannot_write(path, what, err) from None


def cannot_write(path: str, what: str, err: OSError) -> K9pyError:
    """The one-line error for ``err`` met writing ``path``."""
    return K9pyError(f"cannot write {what}: {err.strerror or err}", file=path)
