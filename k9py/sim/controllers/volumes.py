"""VolumeController (not yet implemented)."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


class VolumeController(Controller):
    name = "volumes"

    def reconcile(self, cluster) -> None:
        return None
