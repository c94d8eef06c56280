"""`:pulses` in the app: tiles with live ok / warn / error counts, moving between them, enter
opening the tile's view, the CPU / MEM charts from the metrics history, menu and `?`, snapshots."""

import pytest
from textual.binding import Binding
from textual.screen import Screen

from k9py.backends.sim import SimBackend
from k9py.ui.app import K9pyApp
from k9py.ui.screens.help import HelpBody, HelpScreen
from k9py.ui.screens.pulses import Chart, PulsesScreen, TileGrid
from k9py.ui.widgets.menu import KeyMenu, hints_from_bindings
from k9py.view import pulses
from tests.sim.helpers import pod_manifest
from tests.ui.simcluster import border_text, command, run, settle, sim_cluster


async def open_pulses(app, pilot, arg=""):
    await command(app, pilot, f"pulses {arg}".strip())
    assert isinstance(app.screen, PulsesScreen)
    return app.screen


def tile(screen, label):
    return next(t for t in screen.tiles if t.spec.label == label)


def chart(screen, what):
    return next(c for c in screen.query(Chart).results(Chart) if c.what == what)


def painted(widget):
    return [widget.render_line(y).text.rstrip() for y in range(widget.size.height)]


def test_tiles_count_what_the_informer_holds_and_stay_live():
    async def s(app, pilot, cluster):
        screen = await open_pulses(app, pilot)
        assert border_text(screen.query_one("#pulses-box")).strip() == "Pulses(default)"
        assert [t.spec.label for t in screen.tiles] == ["Pods", "Deployments", "StatefulSets", "DaemonSets", "Jobs",
                                                        "PVCs", "Nodes", "Events"]
        assert all(t.synced for t in screen.tiles)
        now = cluster.now()
        pods = pulses.count("Pod", cluster.store.list("Pod", "default"), now)
        assert tile(screen, "Pods").counts == pods and pods.ok == 4 and pods.error == 0
        assert tile(screen, "Nodes").counts == pulses.Counts(ok=3)
        assert tile(screen, "Deployments").counts == pulses.Counts(ok=1)
        lines = painted(tile(screen, "Pods"))
        assert lines[0].split() == ["●", "4", "ok"] and lines[2].split() == ["●", "0", "error"]
        assert lines[3] == "█" * tile(screen, "Pods").content_region.width  # all of them ok
        assert tile(screen, "Pods").border_subtitle == "4"
        cluster.create(pod_manifest("broken", "busybox:1.36", command=["/bin/sh", "-c", "exit 1"]))
        await settle(app, pilot, 60)
        assert tile(screen, "Pods").counts.error == 1 and tile(screen, "Pods").counts.level == "error"
        assert tile(screen, "Events").counts.warn >= 1
        assert painted(tile(screen, "Pods"))[2].split() == ["●", "1", "error"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen_stack) == 1 and not screen.subs
    run(s)


def test_a_synced_cache_is_counted_once_as_the_view_opens(monkeypatch):
    """Not again on the first flush; a change made meanwhile still counts."""
    async def s(app, pilot, cluster):
        await command(app, pilot, "pods")
        await settle(app, pilot, 1)
        resets = []
        real = pulses.Counter.reset
        monkeypatch.setattr(pulses.Counter, "reset", lambda self, objects, now=0.0: (resets.append(self.kind), real(self, objects, now))[1])
        cluster.create(pod_manifest("broken", "busybox:1.36", command=["/bin/sh", "-c", "exit 1"]))
        screen = await open_pulses(app, pilot)
        await settle(app, pilot, 60)
        assert resets.count("Pod") == 1  # the pods view's cache: counted as the view opened, once
        assert tile(screen, "Pods").counts == pulses.count("Pod", cluster.store.list("Pod", "default"), cluster.now())
        assert tile(screen, "Pods").counts.error == 1
    run(s)


def test_a_big_cache_is_counted_in_a_thread_while_the_screen_paints_and_takes_keys(monkeypatch):
    """217,000 events and 30,000 pods took 1.5-3 s of the event loop as the screen opened: a cache
    past COUNT_ON_LOOP_MAX is counted in a thread, its tile saying loading… until it is done; the
    changes heard meanwhile count then."""
    import threading

    from k9py.ui.screens import pulses as pulses_screen
    monkeypatch.setattr(pulses_screen, "COUNT_ON_LOOP_MAX", 0)  # every cache, however small
    release = threading.Event()
    counted_in: list[str] = []
    real = pulses.Counter.reset

    def held(self, objects, now=0.0, *, stop=None):
        if threading.current_thread() is not threading.main_thread():
            counted_in.append(self.kind)
            release.wait(30)
        return real(self, objects, now, stop=stop)
    monkeypatch.setattr(pulses.Counter, "reset", held)

    async def s(app, pilot, cluster):
        await command(app, pilot, "pods")
        await settle(app, pilot, 1)
        screen = await open_pulses(app, pilot)
        pods = tile(screen, "Pods")
        assert not pods.synced and painted(pods)[0].strip() == "loading…"
        await pilot.press("l")  # keys meanwhile
        assert screen.selected == 1
        cluster.create(pod_manifest("broken", "busybox:1.36", command=["/bin/sh", "-c", "exit 1"]))
        await settle(app, pilot, 60)
        assert not pods.synced and pods.counts.total == 0
        release.set()
        for _ in range(200):
            if pods.synced:
                break
            await pilot.pause(0.01)
        assert "Pod" in counted_in
        assert pods.synced and pods.counts == pulses.count("Pod", cluster.store.list("Pod", "default"), cluster.now())
        assert pods.counts.error == 1  # made while the count went on
        assert painted(pods)[2].split() == ["●", "1", "error"]
    run(s)


def test_moving_between_tiles_and_enter_opens_the_view():
    async def s(app, pilot, cluster):
        screen = await open_pulses(app, pilot)
        assert screen.selected == 0 and tile(screen, "Pods").has_class("-selected")
        await pilot.press("l")
        assert screen.selected == 1
        await pilot.press("j")  # a row down
        assert screen.selected == 5
        await pilot.press("right", "tab")
        assert screen.selected == 7
        await pilot.press("tab")  # around
        assert screen.selected == 0
        await pilot.press("shift+tab", "k", "h")
        assert screen.selected == 2 and [t.has_class("-selected") for t in screen.tiles].count(True) == 1
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(app.screen_stack) == 1 and app.title_text() == "statefulsets(default)[0]"
        screen = await open_pulses(app, pilot)
        await pilot.press("h", "h")  # around to the nodes tile
        assert screen.tiles[screen.selected].spec.label == "Nodes"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.title_text() == "nodes(all)[3]"
        screen = await open_pulses(app, pilot, "all")
        assert border_text(screen.query_one("#pulses-box")).strip() == "Pulses(all)"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.title_text().startswith("pods(all)")
    run(s)


def test_charts_draw_the_metrics_history_on_the_backend_clock():
    async def s(app, pilot, cluster):
        for _ in range(6):
            await app.refresh_metrics()
            await settle(app, pilot, 30)
        await app.refresh_metrics()
        screen = await open_pulses(app, pilot)
        cpu, mem = chart(screen, "cpu"), chart(screen, "mem")
        history = list(app.session.metrics.history)
        assert len(history) == 7 and history[-1].t == cluster.now()
        used = history[-1].cpu_m
        assert cpu.border_title == f"CPU {used * 100 // 6000}% ({used}m/6000m)"
        assert mem.border_title.startswith("MEM ") and mem.border_title.endswith("Mi)")
        assert cpu.border_subtitle == "last 5m"
        lines = painted(cpu)
        drawn = lines[-1]  # the chart's bottom row
        width = cpu.content_region.width
        # 6 of the 7 samples fall within the last 5 minutes: about 6/10 of the width, up to now
        assert drawn.rstrip().endswith("█") or set(drawn.strip()) <= set(pulses.BLOCKS)
        filled = len(drawn.strip())
        assert width * 5 // 10 <= filled <= width * 7 // 10 + 1
        await settle(app, pilot, 600)  # ten minutes on: the samples slide out of the window
        screen.refresh_charts()
        await pilot.pause()
        assert not painted(cpu)[-1].strip()  # a minute after its last sample a chart stops
    run(s)


def test_without_metrics_the_charts_say_so():
    async def s(app, pilot, cluster):
        screen = await open_pulses(app, pilot)
        await app.refresh_metrics()
        screen.refresh_charts()
        await pilot.pause()
        assert "no metrics" in painted(chart(screen, "cpu"))[0]
        assert chart(screen, "cpu").border_title == "CPU"
    cluster = sim_cluster()

    async def main(app, pilot, c):
        app.backend.metrics_enabled = False
        await s(app, pilot, c)
    run(main, cluster=cluster)


@pytest.mark.parametrize("size,compact", [((80, 24), True), ((160, 45), False)])
def test_a_short_screen_takes_compact_tiles_and_keeps_its_charts(size, compact):
    """Under k9s's header at 80x24 the two rows of tiles (6 rows each) left the charts no row:
    the tiles take 4 rows there, their counts on one line, and the charts keep 5 rows; ctrl-e
    (no header) gives the tiles their room back."""
    async def s(app, pilot, cluster):
        await command(app, pilot, "pulses")
        await settle(app, pilot)
        screen = app.screen
        tiles = screen.tiles
        assert screen.has_class("compact") is compact and all(t.has_class("compact") is compact for t in tiles)
        assert all(c.region.height >= 5 for c in screen.query(Chart))
        pods = str(tiles[0].render()).splitlines()
        c = tiles[0].counts
        one_line = ["●", str(c.ok), "●", str(c.warn), "●", str(c.error)]
        assert (pods[0].split() == one_line) if compact else (pods[0].split() == ["●", str(c.ok), "ok"])
        if compact:
            await pilot.press("ctrl+e")
            await settle(app, pilot)
            assert not screen.has_class("compact") and tiles[0].region.height == 6
    run(s, pulses_cluster(), size=size)


def test_menu_help_and_bindings():
    async def s(app, pilot, cluster):
        screen = await open_pulses(app, pilot)
        assert [h.label for h in screen.query_one("#key-menu", KeyMenu).hints] == [
            "<enter>", "<tab>", "<shift-tab>", "<esc>", "<?>"]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        sections = dict(app.screen.query_one("#help-body", HelpBody).sections)
        assert sections["PULSES"] == screen.key_hints()
        assert sections["NAVIGATION"] == hints_from_bindings(TileGrid.BINDINGS)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
    run(s)
    hints = [h for _, hs in PulsesScreen.binding_sections() for h in hs]
    merged = PulsesScreen._merged_bindings.key_to_bindings
    for h in hints:
        assert any(b.action == h.action and b.description == h.description for b in merged[h.keys[0]]), h
    stock = {k for b in Screen.BINDINGS if isinstance(b, Binding) for k in b.key.split(",")}
    assert {k for k, bs in merged.items() if any(b.description for b in bs)} - stock <= {k for h in hints for k in h.keys}


# -- snapshots ----------------------------------------------------------------------------------------
def pulses_cluster():
    c = sim_cluster()
    c.create(pod_manifest("broken", "busybox:1.36", command=["/bin/sh", "-c", "exit 1"]))
    c.create(pod_manifest("needs-config", volumes=[{"name": "v", "configMap": {"name": "app-config"}}]))
    return c


@pytest.mark.parametrize("size", [(160, 45), (80, 24)], ids=["160x45", "80x24"])
def test_pulses_snapshot(snap_compare, size):
    """Counts per kind (a crash loop and a pod waiting for its configmap), four minutes of CPU / MEM."""
    async def before(pilot):
        app = pilot.app
        for _ in range(16):
            await app.refresh_metrics()
            await settle(app, pilot, 15)
        await app.refresh_metrics()
        await pilot.press("colon", *"pulses", "enter")
        await settle(app, pilot)
        await pilot.press("l")
        await pilot.pause()

    assert snap_compare(K9pyApp(SimBackend(pulses_cluster()), manual=True), terminal_size=size, run_before=before)


def test_keys_typed_behind_the_command_reach_the_tiles():
    """`:pulses⏎⇥⏎` in one burst: the tab moves to the next tile and the enter opens its view
    (the keys used to go to the screen's hidden prompt, which auto focus had picked)."""
    from tests.ui.test_typeahead import burst

    async def s(app, pilot, cluster):
        burst(app, ":pulses\r\t\r")
        for _ in range(50):
            await settle(app, pilot)
            if len(app.screen_stack) == 1 and app.title_text().startswith("deployments("):
                break
        assert len(app.screen_stack) == 1 and app.title_text().startswith("deployments(default)"), app.title_text()
    run(s)
