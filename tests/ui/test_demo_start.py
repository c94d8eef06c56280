"""`k9py` with no arguments paints its first frame before the demo is there (``backends.demo``):
keys typed meanwhile land, and the demo's objects fill the views opened by then."""

import asyncio

from k9py.backends import building, demo, playback
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
        backend.play_from_start(other)
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


def deployment(name: str, namespace: str, replicas: int, image: str) -> str:
    """A Deployment document of ``replicas`` pods labelled app=``name``."""
    return f"""---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: app, image: {image}}}]}}
"""


BIG = """\
apiVersion: k9py.dev/v1alpha1
kind: SimCluster
metadata: {name: big-one}
spec:
  nodes: [{name: n1, cpu: "4", memory: 8Gi}, {name: n2, cpu: "4", memory: 8Gi}]
""" + deployment("web", "default", 6, "nginx")


def test_a_big_scenario_file_paints_first_and_is_built_behind(tmp_path, monkeypatch):
    """`k9py --scenario FILE` with thousands of pods: the frame at once (its cluster's name in the
    header), the pods as soon as the build is done."""
    monkeypatch.setattr(demo, "BIG_FILE_PODS", 5)  # this file's 6 pods count as big
    path = tmp_path / "big.yaml"
    path.write_text(BIG)

    async def main():
        backend = DemoBackend.behind(str(path))
        assert isinstance(backend, DemoBackend) and not backend.ready
        assert backend.info().cluster == "big-one" and backend.cluster.store.count("Deployment") == 0
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            assert app.title_text() == "pods(default)[0]"
            assert app.flash_text == "building big.yaml: about 6 pods (they show when it is done)"
            await backend.load()
            backend.cluster.advance(30)
            await sync(app, pilot)
            assert backend.ready and app.title_text() == "pods(default)[6]"
            assert app.flash_text == "big.yaml is ready: 6 pods"
    asyncio.run(main())


def test_a_small_or_broken_scenario_file_is_built_or_refused_at_once(tmp_path):
    import pytest

    from k9py.errors import K9pyError
    path = tmp_path / "small.yaml"
    path.write_text(BIG)
    backend = DemoBackend.behind(str(path))
    assert not isinstance(backend, DemoBackend) and backend.cluster.store.count("Deployment") == 1
    path.write_text(BIG.replace("replicas: 6", "replicas: [6]"))
    with pytest.raises(K9pyError) as err:  # the command line's exit 2, with the file and line
        DemoBackend.behind(str(path))
    assert "small.yaml" in str(err.value) and "replicas" in str(err.value)


def test_a_big_file_that_fails_to_build_is_said_in_the_flash(tmp_path, monkeypatch):
    from k9py.errors import K9pyError
    from k9py.scenario import files
    monkeypatch.setattr(demo, "BIG_FILE_PODS", 5)
    path = tmp_path / "big.yaml"
    path.write_text(BIG)

    def broken(sf, seed=None, made=None):
        raise K9pyError("no room for web", file=str(path), line=7)

    monkeypatch.setattr(files, "build_cluster", broken)

    async def main():
        backend = DemoBackend.behind(str(path))
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            await backend.load()
            await sync(app, pilot)
            assert "no room for web" in app.flash_text and "big.yaml" in app.flash_text
            assert not backend.ready and backend.playback().building is None  # never said again
    asyncio.run(main())


TIMELINED = """\
apiVersion: k9py.dev/v1alpha1
kind: Scenario
metadata: {name: busy-shop}
spec:
  seed: 1
  warmup: 30s
  duration: 2m
  nodes: [{name: n1, cpu: "4", memory: 8Gi}, {name: n2, cpu: "4", memory: 8Gi}]
  timeline:
  - at: 20s
    note: one web pod goes
    delete: {kind: Pod, selector: app=web, count: 1}
  - at: 1m
    note: another
    delete: {kind: Pod, selector: app=web, count: 1}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
""" + deployment("web", "shop", 5, "nginx") + deployment("tool", "default", 1, "busybox")


def test_a_big_scenario_with_a_timeline_paints_first_and_its_play_head_starts_when_built(tmp_path, monkeypatch):
    """`k9py --scenario FILE` with a timeline and thousands of pods: the frame at once, in the
    namespace its cluster will be busiest in (empty, not missing), the play head's length and
    steps known; moving it waits for the cluster, which then plays its steps."""
    from k9py.cli import build_parser
    from k9py.ui.launch import build_app
    from k9py.ui.widgets.timeline import Timeline

    monkeypatch.setattr(demo, "BIG_FILE_PODS", 5)
    path = tmp_path / "shop.yaml"
    path.write_text(TIMELINED)

    async def main():
        backend = DemoBackend.behind(str(path))  # what `k9py --scenario FILE` opens (ui.launch.demo_backend)
        assert isinstance(backend, DemoBackend) and not backend.ready
        app = build_app(build_parser().parse_args(["--scenario", str(path)]), backend, manual=True)
        pb = backend.playback()
        assert pb.has_timeline and pb.duration == 120 and pb.total_events == 2 and pb.position == 0
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            assert app.title_text() == "pods(shop)[0]"
            assert app.flash_text == "building shop.yaml: about 6 pods (they show when it is done)"
            assert app.query(Timeline)
            assert "» loading" in str(app.query_one(Timeline).render())  # not "playing" at 00:00 meanwhile
            await pilot.press("full_stop")  # the next step: not before the cluster is there
            await sync(app, pilot)
            assert app.flash_text == "the cluster is still being built: its timeline starts when it is there"
            await backend.load()
            await sync(app, pilot)
            assert backend.ready and backend.timeline is not None and app.title_text() == "pods(shop)[5]"
            assert app.flash_text == "shop.yaml is ready: 6 pods"
            assert "▶ playing" in str(app.query_one(Timeline).render())
            await pilot.press("full_stop")
            await app.workers.wait_for_complete()  # the seek runs in a worker thread
            await sync(app, pilot)
            assert pb.position == 20 and pb.events_played == 1
            assert app.title_text() == "pods(shop)[5]"  # one went, its ReplicaSet makes another
    asyncio.run(main())


def test_the_namespace_a_file_starts_in_is_the_one_its_cluster_is_busiest_in():
    """What `home_namespace_of` reads off a parsed file is what the built cluster says."""
    from k9py.backends.playback import HOME_KINDS, busiest_namespace
    from k9py.scenario import files
    from k9py.scenario.generate import generate

    for seed in (1, 2):
        path = f"/dev/null/{seed}"  # only for messages
        sf = files.parse_file(path, text=generate(600, 20, seed=seed, churn=5))
        cluster = files.build_cluster(sf, warmup=0)
        built = busiest_namespace(cluster.store.list("Pod"), [o for k in HOME_KINDS for o in cluster.store.list(k)])
        assert demo.home_namespace_of(sf) == built


def test_a_build_behind_the_first_frame_says_how_far_it_got(tmp_path, monkeypatch):
    """Pods made of those expected, then the warm-up's virtual seconds: counts and the clock
    only, read while the build runs in its thread."""
    from k9py.scenario import files
    from k9py.sim.cluster import Cluster

    assert building.progress_line("shop.yaml", None, 6, 30) is None  # no cluster yet
    fresh = Cluster(seed=1)
    assert building.progress_line("shop.yaml", (fresh, fresh.now()), 6, 30) == "building shop.yaml: 0 of about 6 pods made"
    made = []
    path = tmp_path / "shop.yaml"
    path.write_text(TIMELINED)
    sf = files.parse_file(str(path))
    cluster = files.build_cluster(sf, made=lambda c: made.append((c, c.now())))
    assert made[0][0] is cluster and files.warmup_of(sf) == 30
    assert building.progress_line("shop.yaml", made[0], building.pods_to_make(sf), 30) == \
        "building shop.yaml: 6 pods made, 30 of 30 s warmed up"


def test_the_builds_progress_is_flashed_but_never_over_what_the_user_was_told(tmp_path, monkeypatch):
    import threading

    from k9py.scenario import files

    monkeypatch.setattr(demo, "BIG_FILE_PODS", 5)
    monkeypatch.setattr(playback, "PROGRESS_EVERY", 0.01)
    path = tmp_path / "shop.yaml"
    path.write_text(TIMELINED)
    real_build, release = files.build_cluster, threading.Event()

    def slow_build(sf, seed=None, made=None):  # a build that takes until the test says
        cluster = real_build(sf, seed=seed, made=made)
        release.wait(30)
        return cluster

    monkeypatch.setattr(files, "build_cluster", slow_build)

    async def main():
        backend = DemoBackend.behind(str(path))
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            loading = asyncio.get_running_loop().create_task(backend.load())
            done = "building shop.yaml: 6 pods made, 30 of 30 s warmed up"  # the build waits there
            for _ in range(1000):
                await pilot.pause(0.01)
                if app.flash_text == done:
                    break
            assert app.flash_text == done
            app.flash("no such view: nope", "error")  # what the user is told wins
            await pilot.pause(0.1)
            assert app.flash_text == "no such view: nope"
            release.set()
            await loading
            await sync(app, pilot)
            assert backend.ready and app.flash_text == "shop.yaml is ready: 6 pods"
            await pilot.pause(0.05)
            assert not [t for t in asyncio.all_tasks() if "_tell_progress" in repr(t.get_coro())]  # it ended too
    asyncio.run(main())


def test_a_seek_back_in_a_big_scenario_says_how_far_building_it_again_got(tmp_path, monkeypatch):
    """`<` in a big scenario builds it again from t=0 in a worker thread (28 s at 30,000 pods):
    the flash says so, then how far the build got, while keys go on."""
    import threading

    from k9py.cli import build_parser
    from k9py.scenario import files
    from k9py.ui.launch import build_app
    from tests.backends.test_locked import HOLD_AT_MOST, _until

    monkeypatch.setattr(demo, "BIG_FILE_PODS", 5)
    monkeypatch.setattr(playback, "PROGRESS_EVERY", 0.001)
    path = tmp_path / "shop.yaml"
    path.write_text(TIMELINED)
    made, go_on, again = threading.Event(), threading.Event(), []
    build = files.build_cluster

    def build_held(sf, seed=None, made=None):
        def made_then_held(cluster):
            made(cluster)
            if again:  # the build of the seek back: held once its cluster is there
                made_held.set()
                assert go_on.wait(HOLD_AT_MOST)
        return build(sf, seed=seed, made=made_then_held)
    made_held = made
    monkeypatch.setattr(files, "build_cluster", build_held)

    async def main():
        backend = DemoBackend.behind(str(path))
        app = build_app(build_parser().parse_args(["--scenario", str(path)]), backend, manual=True)
        pb = backend.playback()
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            await backend.load()
            await pb.go(60)
            await sync(app, pilot)
            again.append(True)
            flashed, flash = [], app.flash
            app.flash = lambda message, *a, **kw: (flashed.append(message), flash(message, *a, **kw))
            await pilot.press("less_than_sign")
            assert flashed[0] == "back to 00:50: the simulator runs the scenario again from t=0"
            await _until(made_held.is_set)
            await _until(lambda: app.flash_text.startswith("back to 00:50: building shop.yaml: 0 of about 6 pods"))
            monkeypatch.setattr(playback, "PROGRESS_EVERY", HOLD_AT_MOST)  # told: no more lines meanwhile
            await pilot.press("colon", *"deploy", "enter")  # keys go on meanwhile
            await pilot.pause()
            assert app.title_text().startswith("deployments(")
            go_on.set()
            await app.workers.wait_for_complete()
            await sync(app, pilot)
            assert pb.position == 50 and pb.building is None and pb.heading is None
    asyncio.run(main())
