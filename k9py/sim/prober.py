"""The kubelet's prober: liveness and readiness probes written in a container's spec, run on
the virtual clock with the real prober's timing and thresholds (pkg/kubelet/prober/worker.go).

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
KINDS = (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"))


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


def runnable(spec: Any, image: str) -> bool:
    """Whether the prober runs this probe itself: an exec probe in an image whose userland the
    simulator models (busybox, alpine, nginx, ...; an application's own binaries it does not
    have, and their probes keep the model of ``sim/behaviour.py``)."""
    from k9py.sim.userland.probe import modelled

    if not isinstance(spec, dict) or not isinstance((spec.get("exec") or {}).get("command"), list):
        return False
    return modelled(image)


def workers(container: Obj, image: str, admitted: float, started: float, *, readiness: bool) -> list[Probe]:
    """The probe workers of a container instance started at ``started`` (``readiness``: its
    readiness probe is the prober's, not a behaviour annotation's)."""
    out: list[Probe] = []
    if "livenessProbe" not in container and "readinessProbe" not in container:
        return out  # (most containers: asked at every start)
    for key, kind in KINDS:
        spec = container.get(key)
        if not isinstance(spec, dict) or not runnable(spec, image) or (kind == "Readiness" and not readiness):
            continue
        period = float(spec.get("periodSeconds") or 10)
        delay = float(spec.get("initialDelaySeconds") or 0)
        k = max(0, math.ceil((started + delay - admitted) / period - 1e-9))
        out.append(Probe(kind, spec, admitted + k * period, period))
    return out


def due(probes: list[Probe]) -> Probe | None:
    return min(probes, key=lambda p: p.next_at) if probes else None


def run(cluster: Cluster, pod: Obj, cname: str, init: bool, inst: Instance, probe: Probe) -> tuple[bool, str]:
    """Probe now: (success, the output the kubelet's event quotes)."""
    from k9py.sim.userland.probe import exec_probe

    command = [str(w) for w in probe.spec["exec"]["command"]]
    code, out = exec_probe(cluster, pod, cname, init, inst, command)
    return code == 0, out.rstrip("\n")
