"""The scheduler (not yet implemented)."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


class Scheduler(Controller):
    name = "scheduler"

    def reconcile(self, cluster) -> None:
        return None
