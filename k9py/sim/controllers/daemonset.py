"""DaemonSetController (not yet implemented)."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


class DaemonSetController(Controller):
    name = "daemonset"

    def reconcile(self, cluster) -> None:
        return None
