"""NamespaceController (not yet implemented)."""

from __future__ import annotations

from k9py.sim.controllers.base import Controller


class NamespaceController(Controller):
    name = "namespace"

    def reconcile(self, cluster) -> None:
        return None
