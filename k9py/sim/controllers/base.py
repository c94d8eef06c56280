"""The controller shape: level-triggered reconcile over the whole store, like kube-controller-manager."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster


class Controller:
    """Subclasses implement ``reconcile``: compare desired with actual state and write the
    difference through ``cluster.store``. It is called after every change and at every wake-up
    until nothing changes, so it must be idempotent. Anything due later is asked for with
    ``cluster.wake_at(t)``."""

    name = "controller"

    def reconcile(self, cluster: Cluster) -> None:  # pragma: no cover - interface
        raise NotImplementedError
