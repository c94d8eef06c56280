"""The kubelet's prober: liveness and readiness probes written in a container's spec, run on
the virtual clock with the real prober's timing and thresholds (pkg/kubelet/prober/worker.go).
A startup probe holds the others back: until it succeeds the container is not started (its
status says ``started: false``), liveness and readiness probe nothing and it is not ready;
failing its threshold restarts it as liveness does; once it succeeded it probes no more.

A probe's worker ticks every ``periodSeconds`` from when the kubelet took the pod on (not
from the container's start); a tick less than ``initialDelaySeconds`` (whole seconds) after
the container started probes nothing. A result counts once it repeated ``failureThreshold``
(``successThreshold``) times in a row; every failure is an ``Unhealthy`` event worded
``<Kind> probe failed: <output>``. Readiness starts false; liveness failing its threshold has
the container killed (``Container X failed liveness probe, will be restarted``) and its
worker waits for the next container. What a probe asks is ``run`` below: an exec probe runs
its command in the container (``userland/probe.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.kubelet import Instance

Obj = dict[str, Any]
KINDS = (("startupProbe", "Startup"), ("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"))


@dataclass
class Probe:
    """One probe worker of a container instance."""

    kind: str                  # Liveness | Readiness
    spec: Obj
    next_at: float             # its next tick that probes
    period: float
    last: bool | None = None   # the last probe's outcome
    run: int = 0               # how many times in a row it came out so
    result: bool | None = None  # what the results manager holds (None: nothing yet)
    assumed: bool = False      # a startup probe the simulator cannot ask (an application's own server): it succeeds

    def threshold(self, ok: bool) -> int:
        key = "successThreshold" if ok else "failureThreshold"
        return max(1, int(self.spec.get(key) or (1 if ok else 3)))

    def record(self, ok: bool) -> bool:
        """Count an outcome; whether the result changed (a threshold was reached)."""
        self.run = self.run + 1 if ok == self.last else 1
        self.last = ok
        if self.run < self.threshold(ok) or self.result == ok:
            return False
        self.result = ok
        return True


def _port(handler: Obj, container: Obj) -> int | None:
    """A handler's port: a number, or the name of one of the container's ports."""
    port = handler.get("port")
    if isinstance(port, int):
        return port
    for p in container.get("ports") or []:
        if isinstance(p, dict) and p.get("name") == port and isinstance(p.get("containerPort"), int):
            return int(p["containerPort"])
    return None


def runnable(spec: Any, container: Obj, pod: Obj) -> bool:
    """Whether the prober runs this probe itself: one whose answer the simulator models. An
    exec probe in an image whose userland is the simulator's own (busybox, alpine, nginx, ...);
    an HTTP (not HTTPS) or TCP probe of a pod whose containers all are such images (nginx and
    httpd serve their ports, nothing else listens). An application's own binaries and servers
    it does not have: those probes keep the model of ``sim/behaviour.py``."""
    from k9py.sim.userland.probe import modelled

    if not isinstance(spec, dict):
        return False
    if isinstance((spec.get("exec") or {}).get("command"), list):
        return modelled(str(container.get("image") or ""))
    http, tcp = spec.get("httpGet"), spec.get("tcpSocket")
    handler: Obj | None = http if isinstance(http, dict) else tcp if isinstance(tcp, dict) else None
    if handler is None or _port(handler, container) is None or handler.get("host"):
        return False
    if isinstance(http, dict) and str(http.get("scheme") or "HTTP").upper() != "HTTP":
        return False
    podspec = pod.get("spec") or {}
    images = [c.get("image") for c in podspec.get("containers") or []]
    images += [c.get("image") for c in podspec.get("initContainers") or [] if c.get("restartPolicy") == "Always"]
    return all(modelled(str(i or "")) for i in images)


def workers(pod: Obj, container: Obj, admitted: float, started: float, *, readiness: bool) -> list[Probe]:
    """The probe workers of a container instance started at ``started`` (``readiness``: its
    readiness probe is the prober's, not a behaviour annotation's)."""
    out: list[Probe] = []
    if "livenessProbe" not in container and "readinessProbe" not in container and "startupProbe" not in container:
        return out  # (most containers: asked at every start)
    for key, kind in KINDS:
        spec = container.get(key)
        if not isinstance(spec, dict) or (kind == "Readiness" and not readiness):
            continue
        asked = runnable(spec, container, pod)
        if not asked and kind != "Startup":
            continue
        period = float(spec.get("periodSeconds") or 10)
        delay = float(spec.get("initialDelaySeconds") or 0)
        k = max(0, math.ceil((started + delay - admitted) / period - 1e-9))
        out.append(Probe(kind, spec, admitted + k * period, period, assumed=not asked))
    return out


def due(probes: list[Probe]) -> Probe | None:
    return min(probes, key=lambda p: p.next_at) if probes else None


def run(cluster: Cluster, pod: Obj, container: Obj, init: bool, inst: Instance, ip: str,
        probe: Probe) -> tuple[bool, str]:
    """Probe now: (success, the output the kubelet's event quotes, in its words)."""
    from k9py.sim.userland import net
    from k9py.sim.userland.probe import exec_probe

    spec = probe.spec
    if "exec" in spec:
        command = [str(w) for w in spec["exec"]["command"]]
        code, out = exec_probe(cluster, pod, str(container.get("name")), init, inst, command)
        return code == 0, out.rstrip("\n")
    http = spec.get("httpGet")
    if not isinstance(http, dict):
        port = _port(spec["tcpSocket"], container) or 0
        if net.serves(cluster, pod, port):
            return True, ""
        return False, f"dial tcp {ip}:{port}: connect: connection refused"
    port = _port(http, container) or 0
    path = str(http.get("path") or "")
    try:
        status = net.probe_get(cluster, pod, port, path)
    except net.Refused:
        return False, f'Get "http://{ip}:{port}{path}": dial tcp {ip}:{port}: connect: connection refused'
    if 200 <= status < 400:
        return True, ""
    return False, f"HTTP probe failed with statuscode: {status}"
