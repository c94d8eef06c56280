"""GarbageCollector (not yet implemented)."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


class GarbageCollector(Controller):
    name = "gc"

    def reconcile(self, cluster) -> None:
        return None
