"""The two ways into a pod's port (``portforward.Tunnel``):

- ``SimTunnel``: the simulator in this process. Each connection is answered like the kubelet's
  ``localhost:PORT`` inside the pod (``sim.userland.loopback``): the container's server writes
  the request to its log, the response comes back, the connection closes.
- ``KubectlTunnel``: a live cluster, through ``kubectl port-forward`` on a loopback port of its
  own choosing (k9s uses client-go's port-forward; k9py's shell already relies on kubectl). The
  forward's listener relays to it, which is how traffic is counted for live clusters too.
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any

from k9py.explorer.portforward import CHUNK, TunnelError
from k9py.kube.meta import dig

START_TIMEOUT = 20.0  # seconds kubectl gets to say where it listens
DRAIN_WAIT = 2.0  # seconds an exited kubectl's output may take to be read before it is not waited for
MAX_REQUEST = 1 << 20
FORWARDING = re.compile(rb"Forwarding from 127\.0\.0\.1:(\d+) ->")


class SimTunnel:
    def __init__(self, cluster_of: Callable[[], Any], namespace: str, pod: str, port: int) -> None:
        """``cluster_of``: the backend's current cluster (a scenario that restarts builds another)."""
        self.cluster_of = cluster_of
        self.namespace, self.pod, self.port = namespace, pod, port
        found = cluster_of().store.get("Pod", namespace, pod)
        self.uid = dig(found, "metadata", "uid") if found is not None else None  # the pod forwarded to

    def ended(self) -> str | None:
        """kubectl port-forward streams to one pod: once that pod is gone (deleted, or another of
        the same name in its place, or the scenario replaced), it exits."""
        pod = self.cluster_of().store.get("Pod", self.namespace, self.pod)
        if pod is None or self.uid is None or dig(pod, "metadata", "uid") != self.uid:
            return "lost connection to pod (the pod is gone)"
        return None

    def dial(self) -> socket.socket:
        from k9py.sim.userland import net
        from k9py.sim.userland.loopback import answer, request_complete

        cluster = self.cluster_of()
        with cluster.lock:
            pod = cluster.store.get("Pod", self.namespace, self.pod)
            if pod is None:
                raise TunnelError(f"pod {self.namespace}/{self.pod} is gone")
            if dig(pod, "status", "phase") != "Running":
                raise TunnelError(f"pod {self.namespace}/{self.pod} is not running")
            if not net.serves(cluster, pod, self.port):
                raise TunnelError(f"nothing listens on port {self.port} in {self.namespace}/{self.pod} "
                                  "(connection refused)")
        mine, theirs = socket.socketpair()

        def serve() -> None:
            raw = b""
            try:
                while len(raw) < MAX_REQUEST and not request_complete(raw):
                    data = theirs.recv(CHUNK)
                    if not data:
                        break
                    raw += data
                if raw:
                    with cluster.lock:
                        try:
                            reply = answer(cluster, pod, self.port, raw)
                        except net.Refused:
                            reply = b""
                    theirs.sendall(reply)
            except OSError:
                pass
            finally:
                with contextlib.suppress(OSError):
                    theirs.shutdown(socket.SHUT_RDWR)
                theirs.close()

        threading.Thread(target=serve, name=f"k9py-pf-sim-{self.port}", daemon=True).start()
        return mine

    def close(self) -> None:
        pass


class KubectlTunnel:
    """``kubectl port-forward pod/NAME :PORT`` on 127.0.0.1, kept for the forward's life."""

    def __init__(self, kubectl: str, kubeconfig: str | None, context: str, namespace: str, pod: str,
                 port: int, *, timeout: float = START_TIMEOUT, flags: tuple[str, ...] = ()) -> None:
        argv = [kubectl, *flags, "--context", context, "-n", namespace, "port-forward", f"pod/{pod}", f":{port}",
                "--address", "127.0.0.1"]
        env = {**os.environ, "KUBECONFIG": kubeconfig} if kubeconfig else None
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, start_new_session=True)
        self.errors: list[str] = []
        self._exited_at: float | None = None  # when ``ended`` first saw kubectl gone
        try:
            self.local = self._await_port(timeout)
        except TunnelError:
            self.close()
            raise
        self._drains = [threading.Thread(target=self._drain, args=(stream,), daemon=True)
                        for stream in (self.proc.stdout, self.proc.stderr)]
        for t in self._drains:
            t.start()

    def _await_port(self, timeout: float) -> int:
        """Read kubectl's output until it names its local port (or says why it cannot)."""
        out, err = self.proc.stdout, self.proc.stderr
        assert out is not None and err is not None
        sel = selectors.DefaultSelector()
        sel.register(out, selectors.EVENT_READ)
        sel.register(err, selectors.EVENT_READ)
        said, complaint = b"", b""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                for key, _ in sel.select(timeout=max(0.0, deadline - time.monotonic())):
                    chunk = os.read(key.fd, 4096)
                    if not chunk:
                        sel.unregister(key.fileobj)
                        continue
                    if key.fileobj is out:
                        said += chunk
                        m = FORWARDING.search(said)
                        if m:
                            return int(m.group(1))
                    else:
                        complaint += chunk
                if not sel.get_map():
                    break
        finally:
            sel.close()
        text = complaint.decode(errors="replace").strip().splitlines()
        raise TunnelError(text[-1] if text else "kubectl port-forward did not start")

    def _drain(self, stream: Any) -> None:
        for line in iter(stream.readline, b""):
            text = line.decode(errors="replace").strip()
            if text and stream is self.proc.stderr:
                self.errors = [*self.errors[-4:], text]

    def ended(self) -> str | None:
        """kubectl port-forward exits when its pod goes ("error: lost connection to pod")."""
        if self.proc.poll() is None:
            return None
        if self._exited_at is None:
            self._exited_at = time.monotonic()
        if any(t.is_alive() for t in self._drains) and time.monotonic() - self._exited_at < DRAIN_WAIT:
            return None  # its last words are still in the pipe: asked again (the app's tick), never waited for
        return self.errors[-1] if self.errors else f"kubectl port-forward exited ({self.proc.returncode})"

    def dial(self) -> socket.socket:
        reason = self.ended()
        if reason is not None:
            raise TunnelError(reason)
        try:
            sock = socket.create_connection(("127.0.0.1", self.local), timeout=10)
        except OSError as err:
            raise TunnelError(f"kubectl port-forward: {err.strerror or err}") from None
        sock.settimeout(None)
        return sock

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
