"""NodeLifecycleController (not yet implemented)."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


class NodeLifecycleController(Controller):
    name = "nodes"

    def reconcile(self, cluster) -> None:
        return None
