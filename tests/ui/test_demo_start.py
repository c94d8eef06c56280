"""`k9py` with no arguments paints its first frame before the demo is there (``backends.demo``):
keys typed meanwhile land, and the demo's objects fill the views opened by then."""

import asyncio

from k9py.backends import demo
from k9py.backends.demo import DemoBackend
from k9py.ui.app import K9pyApp
from tests.samples import small_cluster
from tests.ui.conftest import SIZE, sync, visible_names
from tests.ui.test_typeahead import burst


def test_keys_typed_before_the_demo_arrives_land_and_its_rows_fill_in(monkeypatch):
    loading = []

    def warmed(seed):
        loading.append(seed)
        return small_cluster()  # stands for the warmed-up demo (tests/scenario/test_snapshot.py)

    monkeypatch.setattr(demo, "warmed_demo", warmed)

    async def main():
        backend = DemoBackend(seed=None)
        assert not backend.ready and backend.cluster.store.count("Pod") == 0
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            assert app.title_text() == "pods(default)[0]" and not app.flash_text  # default exists already
            burst(app, ":deploy\r")  # typed while the demo loads
            await sync(app, pilot)
            assert app.title_text() == "deployments(default)[0]"
            await backend.load()
            await sync(app, pilot)
            assert backend.ready and loading == [None]
            assert app.title_text() == "deployments(default)[1]" and visible_names(app) == ["nginx-deployment"]
            burst(app, ":po\r")
            await sync(app, pilot)
            assert "counter" in visible_names(app)
    asyncio.run(main())


def test_a_scenario_loaded_meanwhile_wins_over_the_demo_on_its_way(monkeypatch):
    monkeypatch.setattr(demo, "warmed_demo", lambda seed: small_cluster())

    async def main():
        backend = DemoBackend()
        other = small_cluster(seed=5)
        backend.reload(other)
        await backend.load()
        assert backend.cluster is other
    asyncio.run(main())


def test_a_failed_build_is_said_and_the_app_goes_on(monkeypatch):
    def broken(seed):
        raise ValueError("no room")

    monkeypatch.setattr(demo, "warmed_demo", broken)

    async def main():
        backend = DemoBackend()
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            await backend.load()
            await sync(app, pilot)
            assert app.flash_text == "the demo cluster could not be built: no room"
            assert not backend.ready
    asyncio.run(main())
