"""StatefulSetController (not yet implemented)."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


class StatefulSetController(Controller):
    name = "statefulset"

    def reconcile(self, cluster) -> None:
        return None
