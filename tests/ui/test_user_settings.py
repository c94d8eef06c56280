"""config.yaml's settings applied in the app (noExitOnCtrlC, crumbsless, logoless, logger.*,
thresholds) and the per-context memory brought back after a restart (K9PY_CONFIG_DIR=tmp)."""

from __future__ import annotations

import asyncio

import pytest
from rich.text import Text

from k9py.backends.sim import SimBackend
from k9py.cli import build_parser
from k9py.config.settings import UI, Logger, Settings, Severity, Thresholds
from k9py.config.user import UserConfig
from k9py.ui.launch import build_app
from k9py.ui.screens.logs import LogScreen
from k9py.ui.widgets.header import LOGO, Facts, layout, level_style
from tests.samples import small_cluster
from tests.ui.conftest import SIZE, sync
from tests.ui.simcluster import border_text, command, flash, goto, run, settle


def user(**settings) -> UserConfig:
    return UserConfig(settings=Settings(**settings))


# -- noExitOnCtrlC ------------------------------------------------------------------------------------

def test_no_exit_on_ctrl_c_keeps_k9py_open_and_says_to_use_q(drive):
    async def s(app, pilot, cluster):
        await pilot.press("ctrl+c")
        await sync(app, pilot)
        assert app.is_running and app.return_code is None
        assert "use :q" in str(app.query_one("#flash").render())
        await pilot.press("colon", "q", "enter")
        await sync(app, pilot)
        assert app.return_code == 0
    drive(s, user=user(no_exit_on_ctrl_c=True))


def test_ctrl_c_quits_by_default(drive):
    async def s(app, pilot, cluster):
        await pilot.press("ctrl+c")
        await sync(app, pilot)
        assert app.return_code == 0
    drive(s)


# -- ui.crumbsless, ui.logoless, ui.headless ---------------------------------------------------------

def test_crumbsless_hides_the_crumbs_line(drive):
    async def s(app, pilot, cluster):
        assert not app.query_one("#crumbs").display
        assert app.table.outer_size.height == SIZE[1] - app.query_one("#header").size.height - 1  # only the flash line under it
    drive(s, user=user(ui=UI(crumbsless=True)))


def test_crumbs_show_by_default(drive):
    async def s(app, pilot, cluster):
        assert app.query_one("#crumbs").display
        assert "<pods>" in str(app.query_one("#crumbs").render())
    drive(s)


def test_config_logoless_and_headless(drive):
    async def logoless(app, pilot, cluster):
        assert app.query_one("#header").display
        assert LOGO[0].strip() not in str(app.query_one("#header").render())
    drive(logoless, user=user(ui=UI(logoless=True)))

    async def headless(app, pilot, cluster):
        assert not app.query_one("#header").display
    drive(headless, user=user(ui=UI(headless=True)))


def test_crumbsless_flag_and_config_readonly_through_the_launcher():
    args = build_parser().parse_args(["--crumbsless"])
    app = build_app(args, SimBackend(small_cluster()), manual=True, user=user(read_only=True))

    async def go():
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            assert not app.query_one("#crumbs").display
            assert app.session.read_only
    asyncio.run(go())


def test_k9s_write_refresh_and_screen_dump_dir_flags_over_config(tmp_path):
    """k9s's --write (over config.yaml's readOnly; --readonly wins), -r/--refresh and
    --screen-dump-dir; --splashless is taken and means nothing here (k9py has no splash)."""
    args = build_parser().parse_args(["--write", "-r", "2.5", "--screen-dump-dir", str(tmp_path), "--splashless"])
    app = build_app(args, SimBackend(small_cluster()), manual=True, user=user(read_only=True))
    s = app.user.settings
    assert not app.session.read_only and app.user.write_pinned
    assert s.refresh_rate == 2.5 and s.screen_dumps() == tmp_path
    from k9py.ui.context_memory import read_only_for
    app.user.persist = True  # `:ctx` to a context whose file says readOnly: --write still wins
    assert read_only_for(app, "prod") is False
    both = build_parser().parse_args(["--write", "--readonly"])
    assert build_app(both, SimBackend(small_cluster()), manual=True, user=user()).session.read_only
    for bad in ("0", "nan", "soon"):
        with pytest.raises(SystemExit) as exit_:
            build_parser().parse_args(["-r", bad])
        assert exit_.value.code == 2


# -- logger.* at open ----------------------------------------------------------------------------------

async def open_counter_logs(app, pilot):
    await goto(app, pilot, "counter")
    await pilot.press("l")
    await settle(app, pilot)
    assert isinstance(app.screen, LogScreen)
    return app.screen


def test_logger_settings_set_how_a_log_view_opens():
    async def s(app, pilot, cluster):
        cluster.advance(200)
        scr = await open_counter_logs(app, pilot)
        assert len(scr._rows) == 20  # logger.tail
        assert scr.buffer.capacity == 50  # logger.buffer
        status = scr.status_text()
        assert "Wrap:On" in status and "Timestamps:On" in status and "Autoscroll:Off" in status
        first = scr._line(0).plain
        assert first.split(" ", 1)[0].endswith("Z")  # showTime: the line starts with its timestamp
    run(s, user=user(logger=Logger(tail=20, buffer=50, text_wrap=True, show_time=True, disable_autoscroll=True)))


@pytest.mark.parametrize("since,label,lines", [(300, "5m", 300), (90, "90s", 90)])
def test_logger_since_seconds_is_the_window_a_log_view_opens_with(since, label, lines):
    async def s(app, pilot, cluster):
        cluster.advance(600)
        scr = await open_counter_logs(app, pilot)
        assert f"Since:{label}" in scr.status_text()
        assert len(scr._rows) == lines
        await pilot.press("0")  # a window key: k9s's windows again
        await settle(app, pilot)
        assert "Since:tail" in scr.status_text() and len(scr._rows) == 100
    run(s, user=user(logger=Logger(since_seconds=since)))


def test_log_views_open_as_before_without_a_config():
    async def s(app, pilot, cluster):
        cluster.advance(200)
        scr = await open_counter_logs(app, pilot)
        status = scr.status_text()
        assert len(scr._rows) == 100 and "Wrap:Off" in status and "Timestamps:Off" in status
        assert "Autoscroll:On" in status and "Since:tail" in status
    run(s)


# -- thresholds ------------------------------------------------------------------------------------------

def header_facts(cpu: str, mem: str, levels: tuple[str, str]) -> Facts:
    return Facts([("Context:", "sim")], cpu, mem, 22, ["default"], [], [], "connected", None, levels)


def value_style(line: Text, value: str) -> str:
    start = line.plain.index(value)
    return " ".join(str(s.style) for s in line.spans if s.start <= start < s.end)


def test_header_cpu_and_mem_colour_by_threshold_level():
    """The level picks the skin's colour (k9s: orangered at warn, red at critical)."""
    ok, warn, critical = (str(level_style(x)) for x in ("ok", "warn", "critical"))
    assert len({ok, warn, critical}) == 3
    lines = layout(header_facts("95%", "75%", ("critical", "warn")), 120, 45)
    cpu = next(line for line in lines if "CPU:" in line.plain)
    mem = next(line for line in lines if "MEM:" in line.plain)
    assert value_style(cpu, "95%") == critical
    assert value_style(mem, "75%") == warn
    calm = layout(header_facts("10%", "20%", ("ok", "ok")), 120, 45)
    assert value_style(next(line for line in calm if "CPU:" in line.plain), "10%") == ok
    short = layout(header_facts("10%", "75%", ("ok", "warn")), 120, 24)  # one CPU/MEM row: the worse level
    assert value_style(next(line for line in short if "CPU/MEM:" in line.plain), "10%") == warn


def test_the_header_uses_config_thresholds(drive):
    async def s(app, pilot, cluster):
        usage = app.session.cluster_usage()
        assert usage is not None and usage[0] >= 1
        header = app.query_one("#header")
        assert header.facts.levels[0] == "critical"  # any CPU use is critical at critical: 1
    drive(s, user=user(thresholds=Thresholds(cpu=Severity(critical=1, warn=1))))


# -- per-context memory ------------------------------------------------------------------------------------

def restart(argv, cluster, scenario):
    """One k9py run with the user's files (persist) on ``cluster``: build, run, exit."""
    app = build_app(build_parser().parse_args(argv), SimBackend(cluster), manual=True,
                    user=UserConfig(persist=True))

    async def go():
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            await scenario(app, pilot)
    asyncio.run(go())
    return app


def test_a_favourite_namespace_and_the_active_view_come_back_after_a_restart(tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    cluster = small_cluster()

    async def first(app, pilot):
        assert app.title_text() == "pods(default)[5]"
        await command(app, pilot, "pods kube-system")
        await command(app, pilot, "deploy")
        assert app.title_text().startswith("deployments(kube-system)")
    restart([], cluster, first)
    saved = (tmp_path / "clusters").rglob("config.yaml")
    assert len(list(saved)) == 1

    async def second(app, pilot):
        assert app.title_text().startswith("deployments(kube-system)")
        assert app.navigator.favorites[:2] == ["kube-system", "default"]
        await pilot.press("2")  # the favourite remembered: default
        await sync(app, pilot)
        assert app.title_text().startswith("deployments(default)")
    restart([], cluster, second)

    async def view_flag(app, pilot):
        assert app.title_text() == "pods(default)[5]"  # -c wins over the view; the namespace last used stays
    restart(["-c", "pods"], cluster, view_flag)

    async def namespace_flag(app, pilot):
        assert app.title_text() == "pods(kube-system)[2]"  # -n wins over the namespace
    restart(["-n", "kube-system"], cluster, namespace_flag)


def test_a_namespace_that_does_not_exist_is_not_remembered(tmp_path, monkeypatch):
    """`:pods nosuchns` (a typo): said at once, and not kept as a favourite nor opened next time
    (k9s validates its favourites the same way); the namespaces that exist stay."""
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    cluster = small_cluster()

    async def first(app, pilot):
        await command(app, pilot, "pods kube-system")
        await command(app, pilot, "pods nosuchns")  # asked of the backend: 404
        await app.workers.wait_for_complete()
        await sync(app, pilot)
        assert "No resources found in nosuchns namespace." in str(app.query_one("#flash").render())
        assert app.navigator.favorites[:2] == ["kube-system", "default"]  # no favourite, even meanwhile
    restart([], cluster, first)

    async def typo_after_ns(app, pilot):
        await command(app, pilot, "ns")  # a synced namespaces watch knows at once
        await command(app, pilot, "pods nosuchns2")
        assert "No resources found in nosuchns2 namespace." in str(app.query_one("#flash").render())
    restart([], cluster, typo_after_ns)

    async def second(app, pilot):
        assert app.title_text().startswith("pods(kube-system)")
        assert not {"nosuchns", "nosuchns2"} & set(app.navigator.favorites)
        assert app.navigator.favorites[:2] == ["kube-system", "default"]
    restart([], cluster, second)


def test_a_corrupt_context_file_is_flashed_and_k9py_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    cluster = small_cluster()
    ctx = SimBackend(cluster).info().context
    from k9py.config import locations
    path = locations.context_file(ctx)
    path.parent.mkdir(parents=True)
    path.write_text("k9py:\n  namespace: [oops\n")

    async def s(app, pilot):
        assert app.title_text() == "pods(default)[5]"
        assert f"{path}:3: yaml:" in flash(app) and "ignored" in flash(app)
    restart([], cluster, s)
    assert path.with_name("config.yaml.corrupt").read_text() == "k9py:\n  namespace: [oops\n"
    assert "active: default" in locations.context_file(ctx, cluster.name).read_text()  # k9s's place


def test_nothing_is_remembered_without_the_users_files(tmp_path, monkeypatch, drive):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))

    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
    drive(s)
    assert not (tmp_path / "clusters").exists()


def test_switching_context_brings_back_its_favourites_and_its_skin(tmp_path, monkeypatch):
    """k9s's per-cluster config: `:ctx` to a context with a skin of its own (red for production)
    restyles the app; back on a context without one, config.yaml's skin returns."""
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    from k9py.config import context_state, locations
    from k9py.explorer.session import Session
    path = locations.context_file("prod")  # as a user writes it by hand
    path.parent.mkdir(parents=True)
    path.write_text("k9py:\n  skin: dracula\n  namespace:\n    favorites: [kube-system]\n")
    app = build_app(build_parser().parse_args([]), SimBackend(small_cluster(), context="dev"), manual=True,
                    user=UserConfig(persist=True, settings=Settings(skin="nord")))

    async def go():
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            assert app.skin.name == "nord"
            await app.replace_session(Session(SimBackend(small_cluster(), context="prod"), manual=True))
            await sync(app, pilot)
            assert app.skin.name == "dracula" and "kube-system" in app.navigator.favorites
            await app.replace_session(Session(SimBackend(small_cluster(), context="dev"), manual=True))
            await sync(app, pilot)
            assert app.skin.name == "nord"
    asyncio.run(go())
    assert context_state.load("dev", cluster=small_cluster().name)[0].favorites  # the context left was remembered


def test_a_skin_given_on_the_command_line_stays_across_contexts(tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    from k9py.config import locations
    from k9py.explorer.session import Session
    path = locations.context_file("prod")
    path.parent.mkdir(parents=True)
    path.write_text("k9py:\n  skin: dracula\n")
    app = build_app(build_parser().parse_args(["--skin", "monokai"]), SimBackend(small_cluster(), context="dev"),
                    manual=True, user=UserConfig(persist=True))

    async def go():
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            await app.replace_session(Session(SimBackend(small_cluster(), context="prod"), manual=True))
            await sync(app, pilot)
            assert app.skin.name == "monokai"
    asyncio.run(go())


def test_warnings_at_start_share_one_flash_rather_than_hide_each_other(tmp_path, monkeypatch):
    """A corrupt context file and a skin with a key k9py does not know: both are said."""
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    from k9py.config import locations
    cluster = small_cluster()
    path = locations.context_file(SimBackend(cluster).info().context)
    path.parent.mkdir(parents=True)
    path.write_text("k9py:\n  namespace: [oops\n")
    skin = tmp_path / "odd.yaml"
    skin.write_text("k9s:\n  body:\n    fgColor: white\n    sparkles: true\n")
    app = build_app(build_parser().parse_args(["--skin", str(skin)]), SimBackend(cluster), manual=True,
                    user=UserConfig(persist=True))

    async def go():
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            text = flash(app)
            assert f"{path}:3: yaml:" in text and "sparkles" in text
    asyncio.run(go())


K9S_CONTEXT_FILE = """\
k9s:
  cluster: k9py-sim
  namespace:
    active: kube-system
    lockFavorites: false
    favorites:
    - kube-system
    - default
  view:
    active: deploy
  featureGates:
    nodeShell: true
  proxy: null
"""


def test_a_k9s_users_clusters_folder_copied_over_is_read_and_written_back_in_its_place(tmp_path, monkeypatch):
    """k9s keeps a context's file in clusters/<cluster>/<context>/config.yaml; k9py looked in
    clusters/<context>/ only, so a k9s user's folder copied over was never read (the app opened
    pods in default). It opens on the file's view and namespace, and writes it back there, as k9s
    does: under k9s:, with what k9py does not manage kept."""
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    import yaml

    from k9py.config import locations
    cluster = small_cluster()
    path = tmp_path / "clusters" / "k9py-sim" / "k9py-sim" / "config.yaml"
    assert locations.context_file("k9py-sim", cluster.name) == path
    path.parent.mkdir(parents=True)
    path.write_text(K9S_CONTEXT_FILE)

    async def s(app, pilot):
        assert app.title_text().startswith("deployments(kube-system)")
        assert app.navigator.favorites[:2] == ["kube-system", "default"]
        await command(app, pilot, "pods kube-public")
    restart([], cluster, s)
    doc = yaml.safe_load(path.read_text())
    assert list(doc) == ["k9s"]
    assert doc["k9s"]["namespace"] == {"active": "kube-public", "lockFavorites": False,
                                       "favorites": ["kube-public", "kube-system", "default"]}
    assert doc["k9s"]["view"] == {"active": "pods"}
    assert doc["k9s"]["featureGates"] == {"nodeShell": True} and doc["k9s"]["cluster"] == "k9py-sim"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("config.yaml")) == [
        "clusters/k9py-sim/k9py-sim/config.yaml"]


def test_a_context_file_of_k9pys_older_layout_is_read_and_moved_to_k9s_place(tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    cluster = small_cluster()
    old = tmp_path / "clusters" / "k9py-sim" / "config.yaml"
    old.parent.mkdir(parents=True)
    old.write_text("k9py:\n  namespace:\n    active: kube-system\n    favorites: [kube-system]\n")

    async def s(app, pilot):
        assert app.title_text().startswith("pods(kube-system)")
    restart([], cluster, s)
    assert not old.exists()
    assert "active: kube-system" in (tmp_path / "clusters" / "k9py-sim" / "k9py-sim" / "config.yaml").read_text()


def test_ctx_brings_the_contexts_own_favourites_not_the_namespace_left(tmp_path, monkeypatch):
    """`:ctx` from dev (in kube-public) to prod: kube-public became prod's first favourite (and
    was saved in prod's file), and a context with no favourites yet took dev's whole list."""
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    from k9py.config import context_state, locations
    from k9py.explorer.session import Session
    cluster = small_cluster()
    prod = locations.context_file("prod", cluster.name)
    prod.parent.mkdir(parents=True)
    prod.write_text("k9s:\n  namespace:\n    active: kube-system\n    favorites: [kube-system, default]\n")
    app = build_app(build_parser().parse_args(["-n", "kube-public"]), SimBackend(cluster, context="dev"),
                    manual=True, user=UserConfig(persist=True))

    async def go():
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            assert app.navigator.favorites[0] == "kube-public"
            await app.replace_session(Session(SimBackend(cluster, context="prod"), manual=True), pane_only=True)
            await sync(app, pilot)
            assert app.navigator.favorites == ["kube-system", "default"]
            await app.replace_session(Session(SimBackend(cluster, context="fresh"), manual=True), pane_only=True)
            await sync(app, pilot)
            # nothing remembered there: the view stays in kube-system, its one favourite so far
            assert app.navigator.favorites == ["kube-system"]
    asyncio.run(go())
    assert context_state.load("prod", cluster=cluster.name)[0].favorites == ["kube-system", "default"]


# -- ui.useFullGVRTitle -----------------------------------------------------------------------------

def test_use_full_gvr_title_names_the_group_version_and_resource(drive):
    async def s(app, pilot, cluster):
        assert border_text(app.table).strip().startswith("v1/pods(default)[")
        await pilot.press("colon", *"dp", "enter")
        await sync(app, pilot)
        assert border_text(app.table).strip().startswith("apps/v1/deployments(default)[")
        await pilot.press("colon", *"wk", "enter")  # no one kind: its name
        await sync(app, pilot)
        assert border_text(app.table).strip().startswith("workloads(default)[")
    drive(s, user=user(ui=UI(use_full_gvr_title=True)))


def test_titles_name_the_resource_alone_by_default(drive):
    async def s(app, pilot, cluster):
        assert border_text(app.table).strip().startswith("pods(default)[")
    drive(s)
