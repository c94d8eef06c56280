"""ReplicaSetController (not yet implemented)."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


class ReplicaSetController(Controller):
    name = "replicaset"

    def reconcile(self, cluster) -> None:
        return None
