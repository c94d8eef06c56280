"""`k9py serve`: the simulator as a Kubernetes API on loopback, for the real kubectl.

A driver thread moves the virtual clock with real time × speed (``cluster.advance`` under
``cluster.lock``) and wakes every open stream after each step.
"""

from __future__ import annotations

import secrets
import signal
import ssl
import sys
import threading
import time
import traceback
from typing import Any

from k9py.scenario.loader import DEFAULT_WARMUP, demo_path, load_cluster, load_manifests
from k9py.serve.api import Api
from k9py.serve.http import Server
from k9py.serve.tls import SelfSigned, is_loopback
from k9py.sim.cluster import Cluster

TICK = 0.1  # real seconds between clock steps (each step runs the controllers)
GENERATE = True  # `--token` with no value (argparse's const): make one up


def new_token() -> str:
    """A random bearer token (256 bits, URL-safe: fits a header and a kubeconfig as is)."""
    return secrets.token_urlsafe(32)


def exposure_warning(host: str, *, token: bool, tls: bool, readonly: bool = False) -> str | None:
    """The one line `serve` prints on stderr when it listens beyond loopback (None on loopback)."""
    if is_loopback(host):
        return None
    if token and tls:
        return f"k9py serve: listening on {host} — reachable from other machines (bearer token and TLS required)"
    what = "read" if readonly else "read and change"
    if token:  # not from the command line (--token brings --tls): a ServeHandle built so
        return (f"k9py serve: listening on {host} — the token and every request travel unencrypted; anyone on "
                f"the way can {what} the simulated cluster; use --tls")
    return (f"k9py serve: listening on {host} — anyone who can reach this machine can {what} the simulated "
            f"cluster; use --token{'' if tls else ' (and --tls)'}")


def wall_clock_rv(now: float) -> int:
    """The first resourceVersion of a server started at ``now``: microseconds of the wall clock.
    A restarted server (same seed, same objects) then hands out resourceVersions greater than any
    the previous run gave, unless that run made more than a million changes a second; clients that
    outlive the server (watches, informers comparing resourceVersions) never see one go back.
    Still below 2**53: exact as a JavaScript number."""
    return int(now * 1_000_000)


def _load_cluster(scenario: str | None, seed: int, start: float | None = None, rv_start: int | None = None) -> Cluster:
    """The served cluster (the bundled demo without ``scenario``); ``start``: its virtual epoch (real
    time by default, so that what kubectl computes on its own clock, like describe's event ages,
    agrees with the server); ``rv_start``: its first resourceVersion."""
    if start is None:
        return load_cluster(scenario, seed=seed, rv_start=rv_start)
    header, _ = load_manifests(scenario or demo_path())
    warmup = header.warmup if header.warmup is not None else DEFAULT_WARMUP
    return load_cluster(scenario, seed=seed, start=start - warmup, warmup=warmup, rv_start=rv_start)


class ServeHandle:
    """A running server: ``url``, ``api``, ``stop()``. ``speed=None`` runs no driver thread (the
    caller moves the clock: tests). ``metrics=False``: no metrics.k8s.io (no metrics-server).
    ``wall_clock``: on ``start``, first catch the virtual clock up with the wall clock (the time
    loading and warming the cluster took), so that a served timestamp is the real time.
    ``token``: every request must carry it as a bearer token (401 otherwise); ``ssl_context``:
    serve https."""

    def __init__(self, cluster: Any, *, host: str = "127.0.0.1", port: int = 0, speed: float | None = 1.0,
                 readonly: bool = False, verbose: bool = False, metrics: bool = True,
                 wall_clock: bool = False, token: str | None = None,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.cluster = cluster
        self.api = Api(cluster, readonly=readonly, metrics=metrics)
        self.httpd = Server((host, port), self.api, verbose=verbose, token=token, ssl_context=ssl_context)
        h, p = self.httpd.server_address[:2]
        self.host, self.port = str(h), int(p)
        self.url = f"{'https' if ssl_context is not None else 'http'}://{self.host}:{self.port}"
        self.api.server_address = f"{self.host}:{self.port}"
        self.speed = speed
        self.wall_clock = wall_clock
        self._started = time.monotonic()
        self._threads: list[threading.Thread] = []

    def start(self) -> ServeHandle:
        self._started = time.monotonic()  # the driver's first step counts from here
        if self.wall_clock:
            with self.cluster.lock:
                self.cluster.advance(max(0.0, time.time() - self.cluster.now()))
        t = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                             name="k9py-serve-http", daemon=True)
        t.start()
        self._threads.append(t)
        if self.speed:
            d = threading.Thread(target=self._drive, name="k9py-serve-clock", daemon=True)
            d.start()
            self._threads.append(d)
        return self

    def advance(self, seconds: float) -> None:
        """Move the virtual clock (tests with no driver) and wake the streams."""
        with self.cluster.lock:
            self.cluster.advance(seconds)
        self.api.notify()

    def _drive(self) -> None:
        last = self._started
        while not self.api.stopping.wait(TICK):
            now = time.monotonic()
            dt, last = (now - last) * float(self.speed or 0), now
            try:
                with self.cluster.lock:
                    self.cluster.advance(dt)
            except Exception:  # a controller bug must not stop the API
                traceback.print_exc(file=sys.stderr)
            self.api.notify()

    def stop(self) -> None:
        self.api.stopping.set()
        self.api.notify()
        self.httpd.shutdown()
        self.httpd.server_close()
        for t in self._threads:
            t.join(timeout=2)


def run_serve(args: Any) -> int:
    speed = float(getattr(args, "speed", 1.0) or 0.0)
    if speed < 0:  # the command line's type refuses it first; checked before the cluster is built
        print("k9py: --speed must be >= 0", file=sys.stderr)
        return 2
    out = getattr(args, "kubeconfig_out", None)
    if out:  # before the cluster is built and the port taken: a path that cannot be written stops here
        from k9py.kube.kubeconfig import check_kubeconfig_out
        check_kubeconfig_out(out)
    began = time.time()
    any_tag = bool(getattr(args, "any_image_tag", False))
    if any_tag:
        from k9py.sim import registry
        registry.ANY_TAG_DEFAULT.set(True)  # while the cluster loads and warms up (this thread)
    cluster = _load_cluster(getattr(args, "scenario", None), int(getattr(args, "seed", 0) or 0),
                            start=began if speed > 0 else None, rv_start=wall_clock_rv(began))
    if any_tag:
        cluster.state[registry.ANY_TAG_STATE] = True  # from then on (the clock's thread)
    cluster.strict = False  # a controller failing on one object must not stop the served cluster
    if getattr(args, "no_metrics", False):
        from k9py.sim.metrics import DISABLED_STATE
        cluster.state[DISABLED_STATE] = True  # no metrics-server: HorizontalPodAutoscalers get no metrics either
    host = getattr(args, "host", "127.0.0.1") or "127.0.0.1"
    given = getattr(args, "token", None)
    token: str | None = new_token() if given is GENERATE else given
    cert = None
    if token is not None and not getattr(args, "tls", False):
        # kubectl (client-go) sends a kubeconfig's token only over https: a token on plain http
        # would lock kubectl out, so --token brings --tls
        print("k9py serve: --token implies --tls (kubectl sends a bearer token only over https)", file=sys.stderr, flush=True)
    if token is not None or getattr(args, "tls", False):
        try:
            from k9py.serve.tls import self_signed
            from k9py.sim import pki
            cert = self_signed([host], ca=pki.cluster_ca(cluster))
        except ImportError:
            print("k9py: --tls needs the cryptography package (pip install cryptography)", file=sys.stderr)
            return 2
    readonly = bool(getattr(args, "readonly", False))
    try:
        handle = ServeHandle(cluster, host=host, port=int(getattr(args, "port", 0) or 0), speed=speed or None,
                             readonly=readonly, metrics=not getattr(args, "no_metrics", False), wall_clock=speed > 0,
                             token=token, ssl_context=cert.context() if cert is not None else None)
    except OSError as err:
        if cert is not None:
            cert.remove()
        print(f"k9py: cannot listen on {host}:{getattr(args, 'port', 0)}: {err.strerror or err}", file=sys.stderr)
        return 2
    try:
        return _run_handle(args, handle, token, cert)
    finally:
        if cert is not None:
            cert.remove()


def _run_handle(args: Any, handle: ServeHandle, token: str | None, cert: SelfSigned | None) -> int:
    """Announce ``handle`` (the warning, the kubeconfig, the listening line), serve until SIGTERM/SIGINT."""
    warning = exposure_warning(handle.host, token=token is not None, tls=cert is not None,
                               readonly=handle.api.readonly)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    out = getattr(args, "kubeconfig_out", None)
    if out:
        from k9py.kube.kubeconfig import write_kubeconfig
        write_kubeconfig(out, handle.url, token=token, ca_pem=cert.cert_pem if cert is not None else None)
    elif token is not None and getattr(args, "token", None) is GENERATE:
        print(f"k9py serve: bearer token {token}", file=sys.stderr, flush=True)  # nowhere else to find it
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    handle.start()
    print(f"k9py serve: listening on {handle.url}", flush=True)
    nodeports = None
    if getattr(args, "expose_nodeports", False):
        from k9py.serve.nodeports import NodePorts, watch
        nodeports = NodePorts(handle.cluster, host="127.0.0.1")
        threading.Thread(target=watch, args=(nodeports, stop, lambda line: print(f"k9py serve: node port {line}", flush=True)),
                         name="k9py-serve-nodeports", daemon=True).start()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    if nodeports is not None:
        nodeports.close()
    handle.stop()
    return 0
