"""DeploymentController (not yet implemented)."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


class DeploymentController(Controller):
    name = "deployment"

    def reconcile(self, cluster) -> None:
        return None
