"""Write a kubeconfig for a local, unauthenticated API server (what `k9py serve` hands kubectl)."""

from __future__ import annotations

import contextlib
import os
from typing import Any

import yaml

DEFAULT_NAME = "k9py-sim"
KUBECONFIG_MODE = 0o600


def kubeconfig(server: str, *, name: str = DEFAULT_NAME, namespace: str = "default") -> dict[str, Any]:
    """A kubeconfig with one cluster, context and user, all called ``name`` (no credentials:
    the server is plain http on loopback)."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": {"server": server}}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name, "namespace": namespace}}],
        "current-context": name,
        "users": [{"name": name, "user": {}}],
        "preferences": {},
    }


def write_kubeconfig(path: str, server: str, *, name: str = DEFAULT_NAME, namespace: str = "default") -> None:
    """Write atomically (a reader never sees half a file), creating parent directories. The file
    is created mode 0600 (never readable by others, not even for a moment): what kubectl writes
    and what Helm expects of a kubeconfig."""
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp = f"{path}.tmp{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)  # a leftover of a crashed run: O_EXCL below must create the file itself
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KUBECONFIG_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yaml.safe_dump(kubeconfig(server, name=name, namespace=namespace), fh, sort_keys=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
