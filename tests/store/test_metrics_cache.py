"""MetricsCache's polls: a user who may not read the nodes' metrics is not asked for them at
every poll (each one a refused request and an audit line on the server), only once a minute."""

from __future__ import annotations

import asyncio
from typing import Any

from k9py.backends.base import Capability, StatusError
from k9py.store.metrics import NODES_FORBIDDEN_RETRY, MetricsCache

POD = {"metadata": {"namespace": "default", "name": "web"},
       "containers": [{"name": "app", "usage": {"cpu": "5m", "memory": "10Mi"}}]}


class RefusedNodes:
    """A backend whose user may read the pods' metrics but not the nodes'."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def supports(self, cap: Capability) -> bool:
        return cap is Capability.METRICS

    def now(self) -> float:
        return 0.0

    async def metrics(self, kind: str, namespace: str | None = None) -> list[Any]:
        self.asked.append(kind)
        if kind == "Node":
            raise StatusError(403, "Forbidden", 'nodes.metrics.k8s.io is forbidden: User "jane" cannot list')
        return [POD]


def test_refused_node_metrics_are_asked_again_a_minute_later_not_at_every_poll():
    backend = RefusedNodes()
    t = [100.0]
    cache = MetricsCache(backend, clock=lambda: t[0])  # type: ignore[arg-type]

    async def polls(n: int) -> None:
        for _ in range(n):
            assert await cache.refresh("default")
            t[0] += 5.0  # the app polls every 5 s

    asyncio.run(polls(6))
    assert backend.asked.count("Node") == 1 and backend.asked.count("Pod") == 6
    assert cache.pods and not cache.nodes
    t[0] += NODES_FORBIDDEN_RETRY
    asyncio.run(polls(1))
    assert backend.asked.count("Node") == 2  # permissions can change: asked again after the wait
