"""Helpers for the userland tests: a cluster with pods running, and one-shot exec."""

from __future__ import annotations

from typing import Any

from k9py.sim.cluster import Cluster
from k9py.sim.userland import STDERR, STDOUT, start_exec
from tests.sim.helpers import make_cluster, pod_manifest


def cluster_with(*objs: dict, seconds: float = 20) -> Cluster:
    c = make_cluster()
    for o in objs:
        c.create(o)
    c.advance(seconds)
    return c


def busybox(name: str = "bb", **kw: Any) -> dict:
    return pod_manifest(name, "busybox", command=["sleep", "3600"], **kw)


def run(c: Cluster, pod: str, command: list[str] | str, *, container: str | None = None, namespace: str = "default",
        stdin: bytes | None = None) -> tuple[str, str, int | None]:
    """stdout, stderr and exit code of a one-shot command (a string runs with ``sh -c``)."""
    cmd = ["sh", "-c", command] if isinstance(command, str) else command
    p = start_exec(c, namespace, pod, container, cmd, tty=False, stdin=stdin is not None)
    if stdin is not None:
        p.feed(stdin)
        p.close_stdin()
    assert p.done
    out = {STDOUT: b"", STDERR: b""}
    for stream, data in p.read():
        out[stream] += data
    return out[STDOUT].decode(), out[STDERR].decode(), p.exit_code


def sh(c: Cluster, pod: str, script: str, **kw: Any) -> str:
    out, err, code = run(c, pod, script, **kw)
    assert code == 0, (out, err, code)
    return out
