"""Fixtures for the live backend's tests: `k9py serve` in-thread on loopback (its clock moves only
when a test says so), a kubeconfig for it, and a fault injector wrapped around the served API."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from k9py.kube.kubeconfig import write_kubeconfig
from k9py.serve.http import Request, Response
from k9py.serve.server import ServeHandle
from k9py.sim.cluster import Cluster
from k9py.sim.nodes import add_node

DEADLINE = 20.0  # seconds a condition may take before a test fails (never reached when green)

Obj = dict[str, Any]


def web_deployment(name: str = "web", replicas: int = 2, ns: str = "default") -> Obj:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     # clients in its access log as time passes (the log tests follow them)
                     "template": {"metadata": {"labels": {"app": name}, "annotations": {"k9py.sim/traffic": "true"}},
                                  "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}}}


def small_cluster(seed: int = 1, *, configmaps: tuple[str, ...] = ("alpha", "beta")) -> Cluster:
    cluster = Cluster(seed=seed)
    with cluster.lock:
        for name in ("minikube", "minikube-m02"):
            add_node(cluster, name)
        cluster.apply(web_deployment())
        for cm in configmaps:
            cluster.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": cm, "namespace": "default"},
                           "data": {"k": cm}})
        cluster.apply({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "token", "namespace": "default"},
                       "type": "Opaque", "data": {"t": "c2VjcmV0"}})
        cluster.settle()
        cluster.advance(30)
    return cluster


def keys(objs: Any) -> set[tuple[str, str]]:
    return {((o.get("metadata") or {}).get("namespace") or "", o["metadata"]["name"]) for o in objs}


def truth(handle: ServeHandle, kind: str, namespace: str | None = None) -> set[tuple[str, str]]:
    """What the server holds right now."""
    with handle.cluster.lock:
        return keys(handle.cluster.store.list(kind, namespace))


async def until(pred: Callable[[], Any], what: str, timeout: float = DEADLINE) -> Any:
    """Wait for a condition (polling the event loop), failing with ``what`` at the deadline."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while True:
        value = pred()
        if value:
            return value
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for: {what}")
        await asyncio.sleep(0.01)


def run(coro: Awaitable[Any], timeout: float = 60.0) -> Any:
    async def bounded() -> Any:
        return await asyncio.wait_for(coro, timeout)
    return asyncio.run(bounded())


@dataclass
class Rule:
    match: Callable[[Request], bool]
    respond: Callable[[Request], Response]
    times: int | None = None  # None: until removed


def status(code: int, reason: str, message: str) -> Response:
    return Response(code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                           "message": message, "reason": reason, "code": code})


class Faults:
    """A test-only hook around the served API (nothing of it reaches serve's public flags):
    rules answer matching requests instead of the API; every request is recorded."""

    def __init__(self, handle: ServeHandle) -> None:
        self.handle = handle
        self.inner = handle.api.handle
        self.rules: list[Rule] = []
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.gate = threading.Event()  # what "slow" requests wait for
        self.lock = threading.Lock()
        handle.api.handle = self.handle_request  # type: ignore[method-assign]

    def handle_request(self, req: Request) -> Response:
        with self.lock:
            self.requests.append((req.method, req.path, dict(req.query)))
            rule = next((r for r in self.rules if r.match(req)), None)
            if rule is not None and rule.times is not None:
                rule.times -= 1
                if rule.times <= 0:
                    self.rules.remove(rule)
        return rule.respond(req) if rule is not None else self.inner(req)

    def add(self, match: Callable[[Request], bool], respond: Callable[[Request], Response],
            times: int | None = None) -> Rule:
        rule = Rule(match, respond, times)
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def slow(self, req: Request) -> Response:
        """Answer only once the test releases ``gate`` (a server that hangs)."""
        self.gate.wait(DEADLINE)
        return self.inner(req)

    @staticmethod
    def expired_watch(req: Request) -> Response:
        """A watch whose first event is ``ERROR 410 Expired``, as the apiserver sends it."""
        ev = {"type": "ERROR", "object": {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                          "message": "too old resource version: 1 (2)", "reason": "Expired",
                                          "code": 410}}
        return Response(200, stream=iter([json.dumps(ev).encode() + b"\n"]), content_type="application/json")

    def count(self, method: str, path: str, *, watch: bool | None = None) -> int:
        with self.lock:
            return sum(1 for m, p, q in self.requests if m == method and p == path
                       and (watch is None or (q.get("watch") in ("true", "1")) == watch))


def is_path(path: str, *, watch: bool | None = None) -> Callable[[Request], bool]:
    def match(req: Request) -> bool:
        return req.path == path and (watch is None or req.flag("watch") == watch)
    return match


class Server:
    """A served cluster that can be stopped and started again on the same port. ``stop()`` is
    a dying server: besides ``ServeHandle.stop()`` it closes every connection, keep-alive ones
    included (the stopped handle would otherwise go on answering on them)."""

    def __init__(self, cluster: Cluster) -> None:
        self._start(cluster, 0)
        self.port = self.handle.port

    def _start(self, cluster: Cluster, port: int) -> None:
        self.handle = ServeHandle(cluster, port=port, speed=None)
        self.sockets: list[socket.socket] = []
        accept = self.handle.httpd.get_request

        def get_request() -> Any:
            conn, addr = accept()
            self.sockets.append(conn)
            return conn, addr

        self.handle.httpd.get_request = get_request  # type: ignore[method-assign]
        self.handle.start()
        self.faults = Faults(self.handle)

    @property
    def cluster(self) -> Cluster:
        return self.handle.cluster

    def stop(self) -> None:
        self.faults.gate.set()
        self.handle.stop()
        for conn in self.sockets:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def restart(self, cluster: Cluster | None = None) -> None:
        self._start(cluster or self.handle.cluster, self.port)

    def change(self, fn: Callable[[Cluster], Any]) -> Any:
        """Change the cluster as a controller or another client would, and wake the watches."""
        with self.cluster.lock:
            out = fn(self.cluster)
            self.cluster.settle()
        self.handle.api.notify()
        return out


@pytest.fixture
def server():
    srv = Server(small_cluster())
    yield srv
    srv.stop()


@pytest.fixture
def kubeconfig(server, tmp_path):
    path = tmp_path / "kubeconfig"
    write_kubeconfig(str(path), server.handle.url)
    return str(path)


FAST = dict(backoff_initial=0.02, backoff_cap=0.2, offline_after=0.5, forbidden_retry=0.2, gone_retry=0.2,
            request_timeout=5.0)
