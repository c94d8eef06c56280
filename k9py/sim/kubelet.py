"""The kubelet (not yet implemented)."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


class Kubelet(Controller):
    name = "kubelet"

    def reconcile(self, cluster) -> None:
        return None
