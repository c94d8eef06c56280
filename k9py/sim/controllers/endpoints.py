"""EndpointsController (not yet implemented)."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


class EndpointsController(Controller):
    name = "endpoints"

    def reconcile(self, cluster) -> None:
        return None
