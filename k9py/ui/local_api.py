"""Where a plugin's kubectl goes. A live backend: the user's kubeconfig and context. A simulator
(or a recording's play head): the cluster the explorer shows, served as a Kubernetes API on
loopback (``serve.ServeHandle``, started at the first plugin run, stopped with the app) with a
kubeconfig for it in a private temporary file.

The server shares the cluster object and its lock with the backend, which keeps moving the clock
(no driver thread here): kubectl sees exactly what the table shows. A scenario that restarts
builds a new cluster: the next run serves that one."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Any

import yaml

from k9py.backends.base import Backend
from k9py.explorer.plugins import Target

if TYPE_CHECKING:  # the server is imported when a plugin first needs it, not at start-up
    from k9py.serve.server import ServeHandle


def kubectl_unreachable(backend: Backend, command: str, purpose: str) -> str | None:
    """Why ``backend`` has no cluster k9py can run ``kubectl COMMAND`` against, or reach in this
    process, ``purpose`` (``"to forward to"``); None when it has one."""
    from k9py.sim.cluster import Cluster
    cluster = backend.local_cluster()
    if cluster is not None:
        return None if isinstance(cluster, Cluster) else f"a recording has no running containers {purpose}"
    if shutil.which("kubectl") is None:
        return f"kubectl is not on PATH (k9py runs `kubectl {command}` on a live cluster, as k9s does)"
    if not backend.kubeconfig_files():
        return f"this backend has no cluster {purpose}"
    return None


class LocalApi:
    def __init__(self) -> None:
        self.handle: ServeHandle | None = None
        self._dir: str | None = None
        self._readonly = False

    def target(self, backend: Backend, read_only: bool) -> Target | None:
        """The kubeconfig and names a plugin gets; None when the backend has neither a cluster
        in this process nor kubeconfig files. OSError when the server cannot listen."""
        info = backend.info()
        cluster = backend.local_cluster()
        if cluster is None:
            files = backend.kubeconfig_files()
            if not files:
                return None
            return Target(os.pathsep.join(files), info.context, info.cluster, info.user,
                          export_kubeconfig=True, kubectl_flags=tuple(backend.kubectl_flags()))
        read_only = read_only or info.read_only
        if self.handle is None or self.handle.cluster is not cluster or self._readonly != read_only:
            self.stop_server()
            from k9py.serve.server import ServeHandle
            self.handle = ServeHandle(cluster, speed=None, readonly=read_only).start()
            self._readonly = read_only
        path = self._write(self.handle.url, info.context, info.cluster, info.user)
        return Target(path, info.context, info.cluster, info.user, export_kubeconfig=True)

    def _write(self, server: str, context: str, cluster: str, user: str) -> str:
        """The kubeconfig, 0600 in a 0700 directory of its own (rewritten: the server may have moved)."""
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="k9py-plugins-")
        path = os.path.join(self._dir, "kubeconfig")
        config: dict[str, Any] = {
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": cluster, "cluster": {"server": server}}],
            "contexts": [{"name": context, "context": {"cluster": cluster, "user": user}}],
            "current-context": context,
            "users": [{"name": user, "user": {}}],
            "preferences": {},
        }
        tmp = path + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yaml.safe_dump(config, fh, sort_keys=False)
        os.replace(tmp, path)
        return path

    def stop_server(self) -> None:
        if self.handle is not None:
            self.handle.stop()
            self.handle = None

    def close(self) -> None:
        """Stop the server and remove the kubeconfig (the app exits)."""
        self.stop_server()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
