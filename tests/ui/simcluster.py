"""A small cluster run by the simulator's controllers and kubelet (real logs, events, rollouts)
for the describe / YAML / logs / actions tests, and helpers to drive the app on its manual clock."""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from k9py.backends.sim import SimBackend
from k9py.ui.app import K9pyApp
from tests.sim.helpers import COUNTER_SCRIPT, make_cluster, pod_manifest
from tests.ui.conftest import actions_done

SIZE = (160, 45)
_SIMS: weakref.WeakKeyDictionary[K9pyApp, SimBackend] = weakref.WeakKeyDictionary()


def deployment(name: str = "nginx-deployment", replicas: int = 2, image: str = "nginx:1.14.2") -> dict:
    labels = {"app": name.split("-")[0]}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default", "labels": labels},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "nginx", "image": image,
                                                           "ports": [{"containerPort": 80}]}]}}}}


def sim_cluster(seed: int = 0) -> Any:
    c = make_cluster(nodes=3, seed=seed)
    c.create(pod_manifest("counter", "busybox:1.36", command=["/bin/sh", "-c", COUNTER_SCRIPT]))
    web = pod_manifest("web", "nginx:1.14.2", container="nginx")
    web["spec"]["containers"].append({"name": "sidecar", "image": "busybox:1.36",
                                      "command": ["/bin/sh", "-c", COUNTER_SCRIPT]})
    c.create(web)
    c.create(deployment())
    c.create({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "hello", "namespace": "default"},
              "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                  "restartPolicy": "OnFailure",
                  "containers": [{"name": "hello", "image": "busybox:1.36",
                                  "command": ["/bin/sh", "-c", "date; echo Hello from the Kubernetes cluster"]}]}}}}}})
    c.create({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
              "metadata": {"name": "app-secret", "namespace": "default"}, "data": {"password": "czNjcjN0"}})
    c.advance(30)
    return c


async def settle(app: K9pyApp, pilot: Any, seconds: float = 0.0) -> None:
    """Advance the virtual clock, wake log followers, let watches and screens catch up."""
    sim = _SIMS.get(app) or app.backend  # run() keeps the simulator behind a read-only app
    assert isinstance(sim, SimBackend)
    await actions_done(app)
    if seconds:
        sim.cluster.advance(seconds)
    for _ in range(4):
        sim.notify()
        await app.pump()
        await pilot.pause()


def run(scenario: Any, cluster: Any = None, *, size: tuple[int, int] = SIZE, **kw: Any) -> None:
    """Run ``async scenario(app, pilot, cluster)`` in a headless app on a manual clock."""
    cluster = cluster or sim_cluster()

    async def main() -> None:
        sim = SimBackend(cluster)
        app = K9pyApp(sim, manual=True, **kw)
        _SIMS[app] = sim
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot, cluster)
    asyncio.run(main())


async def command(app: K9pyApp, pilot: Any, text: str) -> None:
    await pilot.press("colon", *text, "enter")
    await settle(app, pilot)


async def goto(app: K9pyApp, pilot: Any, name: str) -> None:
    """Put the cursor on the row named ``name``."""
    m = app.model
    names = [m.row_at(i).key[1] for i in range(len(m))]
    app.table.move_to(names.index(name))
    await pilot.pause()


def border_text(widget: Any) -> str:
    """A widget's border title as it reads (its getter gives Textual markup: the skin's colours,
    not always parsed back whole)."""
    title = widget._border_title  # the Content Textual paints
    return title.plain if title is not None else ""


def flash(app: K9pyApp) -> str:
    screen = app.screen
    if screen.query("#viewer-flash"):
        return str(screen.query_one("#viewer-flash").render())
    return str(app.query_one("#flash").render())


def menu_text(screen: Any) -> str:
    """What a pushed screen's menu says: a viewer's header (k9s's, its keys in its menu) when it
    shows, else the screen's own key menu."""
    if screen.has_class("with-header"):
        return str(screen.query_one("#screen-header").render())
    return str(screen.query_one("#key-menu").render())


async def wears_chrome(pilot: Any, screen: Any, crumbs_shown: list[str]) -> None:
    """``screen`` (160 columns) wears k9s's header (the cluster's facts, its keys, the logo) over
    its key menu, and the crumbs ``crumbs_shown``; ctrl-e and ctrl-g toggle them as over the table."""
    from k9py.ui.widgets.menu import KeyMenu

    header = screen.query_one("#screen-header")
    menu = screen.query_one("#key-menu", KeyMenu)
    crumbs = screen.query_one("#screen-crumbs")
    text = str(header.render())
    assert "Context:" in text and "k9py-sim" in text and "| |__/" in text  # the logo
    assert header.facts.hints == screen.key_hints() and not header.facts.favorites
    assert all(f"{h.label} " in text for h in screen.key_hints())  # 160 columns: every key
    assert menu.region.height == 0  # the header's menu says them
    assert str(crumbs.render()).split() == crumbs_shown
    await pilot.press("ctrl+e")
    await pilot.pause()
    assert header.region.height == 0 and menu.region.height > 0  # as --headless
    await pilot.press("ctrl+e", "ctrl+g")
    await pilot.pause()
    assert header.region.height > 0 and crumbs.region.height == 0
    await pilot.press("ctrl+g")
    await pilot.pause()
