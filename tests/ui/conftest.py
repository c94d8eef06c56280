import asyncio

import pytest

from k9py.backends.sim import SimBackend
from k9py.ui.app import K9pyApp
from tests.samples import small_cluster

SIZE = (160, 45)


async def actions_done(app):
    """Until the dialogs' answers (tasks of their own: ``actions.answered``) have done their
    calls (at most 10 s: a test that holds one back fails on its own asserts, it does not hang)."""
    if app.answers:
        await asyncio.wait(set(app.answers), timeout=10)


async def sync(app, pilot):
    """Let the watches run, flush the informer (manual clock), let the screen update."""
    await actions_done(app)
    await app.pump()
    await pilot.pause()


def table_lines(app):
    t = app.table
    return [t.render_line(y).text.rstrip() for y in range(t.size.height)]


def visible_names(app):
    m = app.model
    return [m.row_at(i).key[1] for i in range(len(m))]


@pytest.fixture
def drive():
    """drive(scenario, **app_kwargs): run ``async scenario(app, pilot, cluster)`` in a headless app."""
    def run(scenario, cluster=None, metrics=True, **kw):
        cluster = cluster or small_cluster()

        async def main():
            backend = SimBackend(cluster)
            backend.metrics_enabled = metrics
            app = K9pyApp(backend, manual=True, **kw)
            async with app.run_test(size=SIZE) as pilot:
                await sync(app, pilot)
                await app.refresh_metrics()  # the app polls metrics-server on a timer; tests by hand
                await sync(app, pilot)
                await scenario(app, pilot, cluster)
        asyncio.run(main())
    return run
