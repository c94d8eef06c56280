"""JobController (not yet implemented)."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


class JobController(Controller):
    name = "job"

    def reconcile(self, cluster) -> None:
        return None
