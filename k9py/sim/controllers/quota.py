"""ResourceQuotaController (not yet implemented)."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


class ResourceQuotaController(Controller):
    name = "quota"

    def reconcile(self, cluster) -> None:
        return None
