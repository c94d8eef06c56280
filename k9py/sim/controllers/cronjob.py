"""CronJobController (not yet implemented)."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


class CronJobController(Controller):
    name = "cronjob"

    def reconcile(self, cluster) -> None:
        return None
