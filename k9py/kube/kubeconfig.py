"""Write a kubeconfig for a local, unauthenticated API server (what `k9py serve` hands kubectl)."""

from __future__ import annotations

import os
from typing import Any

import yaml

DEFAULT_NAME = "k9py-sim"


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
    """Write atomically (a reader never sees half a file), creating parent directories."""
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        yaml.safe_dump(kubeconfig(server, name=name, namespace=namespace), fh, sort_keys=False)
    os.replace(tmp, path)
