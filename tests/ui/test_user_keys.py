"""The user's keys in the running app: keymap.yaml rebinds and unbinds (the menu and `?` follow),
in the resource views and in the pushed screens; hotkeys.yaml runs commands, aliases.yaml feeds
`:`, the suggester and `:aliases`."""

import re

from k9py.config.keymap import Keymap
from k9py.config.user import UserConfig, load_user
from k9py.ui.screens.actions import DeleteDialog
from k9py.ui.screens.describe import DescribeScreen
from k9py.ui.screens.dialogs import ScaleScreen
from k9py.ui.screens.help import AliasesScreen, HelpScreen
from k9py.ui.screens.logs import LogScreen
from k9py.ui.screens.screendumps import DumpViewer, ScreenDumps
from k9py.ui.screens.xray import XrayScreen
from k9py.ui.screens.yaml_view import YamlScreen
from tests.ui.simcluster import command, flash, goto, menu_text, run, settle

KEYMAP = """\
# ctrl-d is tmux's here; no kill key at all; x scales (it decodes secrets: they never meet)
keymap:
  delete: ctrl-x
  kill: null
  scale: x
  aliases: ctrl-o
  command: [":", ";"]
"""
HOTKEYS = """\
hotKeys:
  shift-0:
    shortCut: Shift-0
    description: Viewing deployments
    command: dep
  f2:
    shortCut: F2
    description: Secrets, esc comes back
    command: secrets
    keepHistory: true
"""
ALIASES = """\
aliases:
  pp: v1/pods
  dep: apps/v1/deployments
  cnt: pod default run=counter
"""


def user_files(monkeypatch, tmp_path, **files) -> UserConfig:
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(text)
    user = load_user()
    user.persist = False  # nothing remembered between these runs
    return user


def header(app):
    return str(app.query_one("#header").render())


def help_body(app):
    return str(app.screen.query_one("#help-body").render())


def test_delete_rebound_to_ctrl_x(monkeypatch, tmp_path):
    user = user_files(monkeypatch, tmp_path, keymap=KEYMAP)

    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        assert re.search(r"<ctrl-x>\s+Delete", header(app)) and "<ctrl-d>" not in header(app)
        await pilot.press("ctrl+d")  # k9s's key does nothing now
        await pilot.pause()
        assert len(app.screen_stack) == 1
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert isinstance(app.screen, DeleteDialog)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        body = help_body(app)
        assert re.search(r"<ctrl-x>\s+Delete", body) and "<ctrl-d>" not in body
        assert re.search(r"<ctrl-o>\s+Aliases", body) and "<ctrl-k>" not in body
    run(s, user=user)


def test_unbound_keys_do_nothing_and_leave_the_menu(monkeypatch, tmp_path):
    user = user_files(monkeypatch, tmp_path, keymap=KEYMAP)

    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        assert "Kill" not in header(app)
        await pilot.press("ctrl+k")
        await settle(app, pilot)
        assert len(app.screen_stack) == 1 and "Kill" not in flash(app)
        await pilot.press("ctrl+a")  # moved to ctrl-o
        await pilot.pause()
        assert len(app.screen_stack) == 1
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, AliasesScreen)
        await pilot.press("ctrl+o")  # the key that opened the aliases closes them
        await pilot.pause()
        assert len(app.screen_stack) == 1
    run(s, user=user)


def test_one_key_per_view_x_scales_deployments_and_decodes_secrets(monkeypatch, tmp_path):
    user = user_files(monkeypatch, tmp_path, keymap=KEYMAP)

    async def s(app, pilot, cluster):
        await pilot.press("semicolon", *"deploy", "enter")  # the user's second command key
        await settle(app, pilot)
        assert app.current.scope.view.name == "deployments" and re.search(r"<x>\s+Scale", header(app))
        await pilot.press("s")  # k9s's scale key is free in deployments now
        await pilot.pause()
        assert len(app.screen_stack) == 1
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ScaleScreen)
        await pilot.press("escape")
        await pilot.pause()
        await command(app, pilot, "secrets")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, YamlScreen) and app.screen.decoded
    run(s, user=user)


def test_hotkeys_run_their_commands_and_are_listed_in_help(monkeypatch, tmp_path):
    user = user_files(monkeypatch, tmp_path, aliases=ALIASES, hotkeys=HOTKEYS)

    async def s(app, pilot, cluster):
        await pilot.press("right_parenthesis")  # shift-0
        await settle(app, pilot)
        assert app.current.scope.view.name == "deployments" and len(app.navigator.stack) == 1
        await pilot.press("f2")  # keepHistory: on top of deployments
        await settle(app, pilot)
        assert [v.scope.view.name for v in app.navigator.stack] == ["deployments", "secrets"]
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.current.scope.view.name == "deployments"
        await pilot.press("question_mark")
        await pilot.pause()
        body = help_body(app)
        assert "HOTKEYS" in body and re.search(r"<shift-0>\s+Viewing deployments", body)
        assert re.search(r"<f2>\s+Secrets, esc comes back", body)
    run(s, user=user)


def test_the_k9s_readmes_hotkey_with_variables_opens_the_selected_rows_namespace(monkeypatch, tmp_path):
    """k9s's README: shift-s, command "$RESOURCE_NAME $NAMESPACE", override: true: the view's
    resources in the selected row's namespace. hotkeys.yaml was refused ('`$RESOURCE_NAME` names
    no view') and k9py did not start."""
    user = user_files(monkeypatch, tmp_path, hotkeys="""\
hotKeys:
  shift-s:
    shortCut:    Shift-S
    override:    true
    description: Namespaced resources
    command:     "$RESOURCE_NAME $NAMESPACE"
    keepHistory: true
  shift-1:
    shortCut:    Shift-1
    description: A typo
    command:     "$RESOURCE_NAMEZ"
""")

    async def s(app, pilot, cluster):
        cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
        cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cart", "namespace": "shop"}})
        await command(app, pilot, "cm all")
        await goto(app, pilot, "cart")
        await pilot.press("S")
        await settle(app, pilot)
        assert (app.current.scope.view.name, app.current.scope.namespace) == ("configmaps", "shop")
        assert len(app.navigator.stack) == 2  # keepHistory
        await pilot.press("exclamation_mark")  # shift-1: its error, no crash
        await settle(app, pilot)
        assert "$RESOURCE_NAMEZ" in flash(app) and app.current.scope.view.name == "configmaps"
        await command(app, pilot, "pods")
        await pilot.press("question_mark")
        await pilot.pause()
        # shift-s is the hotkey's here: `?` said it twice, the pods' Sort status too (k9s: one key, one action)
        body = help_body(app)
        assert re.search(r"<shift-s>\s+Namespaced resources", body) and "Sort status" not in body
        assert re.search(r"<shift-n>\s+Sort name", body)
    run(s, user=user)


def test_user_aliases_at_the_prompt_in_the_suggester_and_in_aliases(monkeypatch, tmp_path):
    user = user_files(monkeypatch, tmp_path, aliases=ALIASES)

    async def s(app, pilot, cluster):
        await command(app, pilot, "cnt")
        assert app.title_text().startswith("pods(default)") and "<run=counter>" in app.title_text()
        assert app.prompt.suggestion_for("cn") == "cnt"
        await command(app, pilot, "aliases")
        assert isinstance(app.screen, AliasesScreen)
        body = help_body(app)
        assert "apps/v1/deployments" in body and "pod default run=counter" in body
        line = next(x for x in body.splitlines() if "v1/pods" in x)
        assert line.split() == ["Pod", "v1/pods", "pp"]
    run(s, user=user)


def test_aliases_keep_one_line_per_resource_on_a_small_terminal(monkeypatch, tmp_path):
    user = user_files(monkeypatch, tmp_path, aliases=ALIASES)

    async def s(app, pilot, cluster):
        await command(app, pilot, "aliases")
        body = help_body(app)
        rows = body.count("\n") + 1
        assert app.screen.query_one("#help-body").size.height == rows  # nothing wrapped at 80 columns
        line = next(x for x in body.splitlines() if x.startswith("ServiceAccount"))
        assert line.split() == ["ServiceAccount", "serviceaccounts", "sa,serviceaccount,serviceaccounts"]
    run(s, user=user, size=(80, 24))


def test_the_aliases_keep_room_for_the_short_names_at_80_columns():
    """ctrl-a at 80 columns left the aliases 3 cells (`api…`) after the kinds' and views' long
    names: those give way (cut with an ellipsis) and the short names come first (`csr`)."""
    async def s(app, pilot, cluster):
        await pilot.press("ctrl+a")
        await pilot.pause()
        await pilot.pause()
        lines = help_body(app).splitlines()
        csr = next(x for x in lines if x.startswith("CertificateSigningRequest"))
        assert csr.split()[1:] == ["certificatesigningrequ…", "csr,certificatesigningrequest,certificatesigningrequests"]
        sa = next(x for x in lines if x.startswith("ServiceAccount"))
        assert sa.split() == ["ServiceAccount", "serviceaccounts", "sa,serviceaccount,serviceaccounts"]
    run(s, size=(80, 24))


def test_the_aliases_scroll_sideways_to_the_end_of_a_long_row_at_80_columns():
    """A row wider than the screen runs past its edge (it was cut with an ellipsis, and left /
    right, listed as the list's keys, did nothing): the frame says ``more →``, right scrolls to
    the rest of the aliases, left back."""
    async def s(app, pilot, cluster):
        await pilot.press("ctrl+a")
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        box, scroller = screen.query_one("#help-box"), screen.scroller
        assert "…" not in next(x for x in help_body(app).splitlines() if x.startswith("CertificateSigningRequest")).split()[-1]
        assert scroller.max_scroll_x > 0 and scroller.scroll_x == 0
        assert "→" in str(box.border_subtitle) and "←" not in str(box.border_subtitle)
        for _ in range(20):
            await pilot.press("right")
        await pilot.pause()
        assert scroller.scroll_x == scroller.max_scroll_x
        assert "←" in str(box.border_subtitle) and "→" not in str(box.border_subtitle)
        from tests.ui.test_faults import screen_text
        csr = next(line for line in screen_text(app).splitlines() if "csr," in line)
        assert "certificatesigningrequests" in csr  # the end of the row's aliases, on screen now
        await pilot.press("left")
        await pilot.pause()
        assert scroller.scroll_x == scroller.max_scroll_x - 8
    run(s, size=(80, 24))


def test_without_user_files_the_keys_are_k9s(tmp_path):
    async def s(app, pilot, cluster):
        assert app.user.keymap.overrides == {}
        await goto(app, pilot, "counter")
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, DeleteDialog)
    run(s)


# -- the pushed screens' keys (keymap.yaml's SCREEN.ACTION ids and the views' shared ones) ---------------
SCREEN_KEYMAP = """\
keymap:
  logs.wrap: W                 # shift-w wraps; w does nothing in the log view
  viewer.search: ctrl-r        # every viewer's search (the log view's filter)
  viewer.search_next: ctrl-n
  down: [j, down, ctrl-t]      # the viewers' j is the screen's, down the body's: one id
  help: f1
  back: null                   # esc only
"""


def menu_of(screen):
    return menu_text(screen)


async def open_viewer(app, pilot, key, cls):
    await goto(app, pilot, "counter")
    await pilot.press(key)
    await settle(app, pilot)
    assert isinstance(app.screen, cls)
    return app.screen


def test_the_log_views_wrap_key_rebound(monkeypatch, tmp_path):
    user = user_files(monkeypatch, tmp_path, keymap=SCREEN_KEYMAP)

    async def s(app, pilot, cluster):
        scr = await open_viewer(app, pilot, "l", LogScreen)
        menu = menu_of(scr)
        assert re.search(r"<shift-w>\s+Wrap", menu) and not re.search(r"<w>\s+Wrap", menu)
        assert re.search(r"<ctrl-r>\s+Filter", menu) and "</>" not in menu
        await pilot.press("w")  # k9s's key does nothing here now
        await settle(app, pilot)
        assert not scr.wrap and "Wrap:Off" in scr.status_text()
        await pilot.press("W")
        await settle(app, pilot)
        assert scr.wrap and "Wrap:On" in scr.status_text()
        await pilot.press("j")  # still JSON in the log view (k9s's), though down has j
        await settle(app, pilot)
        assert scr.json
        await pilot.press("question_mark")  # help is on f1 now
        await pilot.pause()
        assert app.screen is scr
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        body = help_body(app)
        assert re.search(r"<shift-w>\s+Wrap", body) and not re.search(r"<w>\s+Wrap", body)
        assert re.search(r"<ctrl-n>\s+Next match", body) and re.search(r"<f1>\s+Help", body)
        assert "<?>" not in body and "<q>" not in body  # back is esc only
        await pilot.press("f1")  # the key that opened the help closes it
        await pilot.pause()
        assert app.screen is scr
        await pilot.press("q")  # unbound
        await pilot.pause()
        assert app.screen is scr
        await pilot.press("escape")  # esc is fixed
        await pilot.pause()
        assert len(app.screen_stack) == 1
    run(s, user=user)


def test_the_viewers_search_keys_rebound(monkeypatch, tmp_path):
    user = user_files(monkeypatch, tmp_path, keymap=SCREEN_KEYMAP)

    async def s(app, pilot, cluster):
        scr = await open_viewer(app, pilot, "d", DescribeScreen)
        menu = menu_of(scr)
        assert re.search(r"<ctrl-r>\s+Search", menu) and re.search(r"<ctrl-n>\s+Next match", menu)
        assert "</>" not in menu and not re.search(r"<n>\s+Next", menu)
        await pilot.press("slash")  # k9s's search key does nothing here now
        await pilot.pause()
        assert not scr.search_input.display
        await pilot.press("ctrl+r", *"ready", "enter")
        await pilot.pause()
        assert scr.search_text == "ready" and scr.match_index == 0 and len(scr.matches) >= 3
        await pilot.press("n")
        assert scr.match_index == 0
        await pilot.press("ctrl+n")
        assert scr.match_index == 1
        await pilot.press("escape")  # clears the search
        top = scr.body.top
        await pilot.press("ctrl+t")  # the user's third down key
        assert scr.body.top == top + 1
        await pilot.press("f1")
        await pilot.pause()
        body = help_body(app)
        assert re.search(r"<ctrl-r>\s+Search", body) and "</>" not in body
        assert re.search(r"<j>/<down>/<ctrl-t>\s+Down", body)  # the body's down moved to the screen's
    run(s, user=user)


def test_a_lists_enter_is_the_screens_key(monkeypatch, tmp_path):
    user = user_files(monkeypatch, tmp_path, keymap="keymap:\n  screendumps.open: o\n  down: [j, down, ctrl-t]\n")
    folder = tmp_path / "screens" / "k9py-sim"  # (K9PY_CONFIG_DIR: everything in one place)
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("first\n")
    (folder / "b.txt").write_text("second\n")

    async def s(app, pilot, cluster):
        await command(app, pilot, "sd")
        assert isinstance(app.screen, ScreenDumps)
        dumps = app.screen
        assert re.search(r"<o>\s+View", menu_of(dumps)) and "<enter>" not in menu_of(dumps)
        await pilot.press("enter")  # the list's own enter is the screen's key: moved to o
        await pilot.pause()
        assert app.screen is dumps
        await pilot.press("ctrl+t")
        assert dumps.options.highlighted == 1
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, DumpViewer) and app.screen.path == dumps.dumps[1].path
    run(s, user=user)


def test_xrays_row_keys_are_the_row_verbs():
    km = Keymap(overrides={"delete": ("ctrl+x",), "describe": ()})
    hints = [h for _, hs in XrayScreen.binding_sections(km) for h in hs]
    assert ("<ctrl-x>", "Delete") in [(h.label, h.description) for h in hints]
    assert not any(h.description == "Describe" or "ctrl+d" in h.keys for h in hints)


def test_config_screen_dump_dir_is_where_ctrl_s_writes_and_sd_reads(monkeypatch, tmp_path):
    """k9s's screenDumpDir: the table's ctrl-s writes there and `:sd` lists it."""
    dumps = tmp_path / "elsewhere"
    (tmp_path / "cfg").mkdir()
    user = user_files(monkeypatch, tmp_path / "cfg", config=f"k9s:\n  screenDumpDir: {dumps}\n")

    async def s(app, pilot, cluster):
        await pilot.press("ctrl+s")
        await pilot.pause()
        [saved] = list((dumps / "k9py-sim" / "k9py-sim").glob("pods-*.csv"))  # k9s's <cluster>/<context>
        assert str(saved) in flash(app)
        await command(app, pilot, "sd")
        assert isinstance(app.screen, ScreenDumps)
        assert [d.path for d in app.screen.dumps] == [saved]
    run(s, user=user)
    assert not (tmp_path / "cfg" / "screens").exists()


def test_a_contexts_own_aliases_hotkeys_and_plugins_join_the_users_while_it_is_shown(monkeypatch, tmp_path):
    """k9s reads aliases.yaml, hotkeys.yaml and plugins.yaml in a context's folder
    (clusters/<cluster>/<context>/) beside the config directory's; k9py never read them. They
    work on that context and leave with it on `:ctx`; a wrong one is flashed and skipped."""
    import asyncio

    from k9py.backends.sim import SimBackend
    from k9py.cli import build_parser
    from k9py.explorer.session import Session
    from k9py.ui.launch import build_app
    from tests.samples import small_cluster
    from tests.ui.conftest import SIZE, sync
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    (tmp_path / "aliases.yaml").write_text("aliases:\n  pp: v1/pods\n")
    prod = tmp_path / "clusters" / "k9py-sim" / "prod"
    prod.mkdir(parents=True)
    (prod / "aliases.yaml").write_text("aliases:\n  cmz: v1/configmaps\n  pp: apps/v1/deployments\n")
    (prod / "hotkeys.yaml").write_text(
        "hotKeys:\n  secrets:\n    shortCut: Shift-0\n    description: Prod secrets\n    command: secrets\n")
    (prod / "plugins.yaml").write_text(
        "plugins:\n  hello:\n    shortCut: Shift-Y\n    description: Prod hello\n    scopes: [all]\n    command: sh\n")
    dev = tmp_path / "clusters" / "k9py-sim" / "dev"
    dev.mkdir(parents=True)
    (dev / "hotkeys.yaml").write_text("hotKeys:\n  bad:\n    shortCut: Shift-0\n")
    user = load_user()
    user.persist = False
    app = build_app(build_parser().parse_args([]), SimBackend(small_cluster(), context="prod"), manual=True, user=user)

    async def go():
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            assert "Prod hello" in header(app)
            await command(app, pilot, "cmz")
            assert app.current.scope.view.name == "configmaps"
            await command(app, pilot, "pp")  # the context's pp replaces the config directory's
            assert app.current.scope.view.name == "deployments"
            await pilot.press("right_parenthesis")
            await settle(app, pilot)
            assert app.current.scope.view.name == "secrets"
            await app.replace_session(Session(SimBackend(small_cluster(), context="dev"), manual=True))
            await sync(app, pilot)
            assert f"{dev / 'hotkeys.yaml'}:" in flash(app) and flash(app).endswith("file skipped")
            assert "Prod hello" not in header(app)
            await command(app, pilot, "pp")
            assert app.current.scope.view.name == "pods"
            await command(app, pilot, "cmz")
            assert app.current.scope.view.name == "pods"  # unknown here
            await pilot.press("right_parenthesis")
            await settle(app, pilot)
            assert app.current.scope.view.name == "pods"
    asyncio.run(go())


def test_a_keymap_that_takes_q_has_it_in_the_views_not_esc_s_twin(monkeypatch, tmp_path):
    """q is esc's twin in the views (k9s's Browser) until keymap.yaml gives q to an action: then q
    does that (here ctrl-e's Toggle header) and ? no longer lists q Back."""
    from k9py.ui import keymap

    user = user_files(monkeypatch, tmp_path, keymap="keymap:\n  toggle_header: q\n")

    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        await pilot.press("enter")
        await settle(app, pilot)
        shown = app.query_one("#header").display
        await pilot.press("q")
        await settle(app, pilot)
        assert app.title_text().startswith("pods(") and app.query_one("#header").display != shown
        columns = {c.name for c in app.model.columns}
        general = dict(keymap.help_sections(app.current.scope.view, False, columns, [], keys=user.keymap)[1][1])
        assert general["<q>"] == "Toggle header"
    run(s, user=user)
