"""The command line and the user's files: `k9py info`, a bad config.yaml (exit 2, FILE:LINE),
`--skin` checked early, config.yaml's backend/scenario/speed as defaults the flags override."""

from __future__ import annotations

import pytest

from k9py.cli import build_parser, main, user_files
from k9py.config import locations
from tests.test_cli import run_k9py


@pytest.fixture
def cfg(monkeypatch, tmp_path):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "k9py"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "k9py"


def info_lines(out: str) -> dict[str, str]:
    return {line.split(":", 1)[0]: line.split(":", 1)[1].strip() for line in out.splitlines()}


def test_info_with_nothing_yet_says_where_each_file_would_be(cfg, capsys):
    assert main(["info"]) == 0
    rows = info_lines(capsys.readouterr().out)
    assert rows["Config dir"].startswith(str(cfg)) and rows["Config dir"].endswith("not found")
    for label, path in [("Config", locations.config_file()), ("Aliases", locations.aliases_file()),
                        ("Hotkeys", locations.hotkeys_file()), ("Plugins", locations.plugins_file()),
                        ("Plugins dir", locations.plugins_dir()),
                        ("Keymap", locations.keymap_file()), ("Views", locations.views_file()),
                        ("Skins", locations.skins_dir()),
                        ("Context configs", locations.clusters_dir())]:
        assert rows[label].startswith(str(path)) and rows[label].endswith("not found"), label
    assert rows["Bundled skins"].startswith(str(locations.BUNDLED_SKINS)) and "found: " in rows["Bundled skins"]
    from k9py import native
    assert rows["Simulator core"].endswith("  " + native.mode())  # which build of it runs
    # K9PY_CONFIG_DIR puts everything in one place, screen dumps too (XDG_STATE_HOME is set)
    assert rows["Screen dumps"].startswith(str(cfg / "screens") + " ")
    assert rows["Screen dumps"].endswith("not found (made on the first ctrl-s)")
    assert rows["Benchmarks"].startswith(f"{cfg / 'benchmarks'} ")
    assert rows["Benchmarks"].endswith("  not found (made on the first b in :pf)")
    assert "Version" in rows


def test_info_counts_the_benchmark_reports_and_names_a_wrong_benchmarks_file(cfg, capsys):
    (cfg / "benchmarks" / "kind" / "kind-dev").mkdir(parents=True)
    (cfg / "benchmarks" / "kind" / "kind-dev" / "default_web_nginx_8080_80_1.txt").write_text("Summary:\n")
    bad = cfg / "clusters" / "kind-dev" / "benchmarks.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_text("benchmarks:\n  defaults:\n    requests: lots\n")
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert info_lines(out)["Benchmarks"].endswith("found: 1 reports; wrong benchmarks.yaml (1):")
    assert f"  {bad}:3: benchmarks.defaults.requests: must be an integer, not a string" in out


def test_info_says_what_was_found_and_what_is_wrong(cfg, capsys):
    (cfg / "skins").mkdir(parents=True)
    (cfg / "skins" / "prod-red.yaml").write_text("k9s:\n  body:\n    fgColor: red\n")
    (cfg / "config.yaml").write_text("k9py:\n  ui:\n    skn: prod-red\n")
    (cfg / "aliases.yaml").write_text("aliases:\n  pp: v1/pods\n")
    assert main(["info"]) == 0
    rows = info_lines(capsys.readouterr().out)
    assert rows["Config dir"].endswith("found")
    assert rows["Config"].endswith(f"invalid: {cfg / 'config.yaml'}:3: k9py.ui.skn: unknown key (did you mean skin?)")
    assert rows["Skins"].endswith("found: 1 skins (prod-red)")
    assert rows["Aliases"].endswith("found")
    (cfg / "config.yaml").write_text("k9s:\n  maxConnRetry: 5\n  ui:\n    splashless: true\n    enableMouse: true\n")
    assert main(["info"]) == 0
    rows = info_lines(capsys.readouterr().out)
    assert rows["Config"].endswith("found (k9s: tree; no effect in k9py: ui.splashless, maxConnRetry)")


def test_info_lists_every_plugin_key_that_does_nothing(cfg, capsys):
    """k9s's plugin files often take g or ctrl-f: the app flashes the first such key (and how many
    more); info lists them all, one a line under the Plugins row."""
    cfg.mkdir()
    (cfg / "plugins.yaml").write_text(
        "plugins:\n"
        "  get-all:\n    shortCut: g\n    description: get-all\n    scopes: [all]\n    command: sh\n"
        "  finalizers:\n    shortCut: Ctrl-F\n    description: rm\n    scopes: [all]\n    command: kubectl\n"
        "  fine:\n    shortCut: Shift-Q\n    description: ok\n    scopes: [pods]\n    command: sh\n")
    assert main(["info"]) == 0
    out = capsys.readouterr().out.splitlines()
    i = next(n for n, line in enumerate(out) if line.startswith("Plugins:"))
    assert out[i].endswith("found; 2 plugin keys not bound:")
    plugins = cfg / "plugins.yaml"
    assert [line.strip() for line in out[i + 1:i + 3]] == [
        f"{plugins}:2: plugin get-all: <g> is top's key (in every view): pick another key, or set override: true "
        "to take it",
        f"{plugins}:7: plugin finalizers: <ctrl-f> is page_down's key (in every view): pick another key, or set "
        "override: true to take it"]
    assert out[i + 3].startswith("Plugins dir:")


def test_info_reads_the_plugins_folder_and_says_its_keys_that_do_nothing(cfg, capsys):
    (cfg / "plugins").mkdir(parents=True)
    (cfg / "plugins" / "get-all.yaml").write_text(
        "plugins:\n  get-all:\n    shortCut: g\n    description: get-all\n    scopes: [all]\n    command: sh\n")
    (cfg / "plugins" / "fine.yaml").write_text("shortCut: Shift-Q\ndescription: ok\nscopes: [pods]\ncommand: sh\n")
    assert main(["info"]) == 0
    out = capsys.readouterr().out.splitlines()
    i = next(n for n, line in enumerate(out) if line.startswith("Plugins dir:"))
    assert out[i - 1].startswith("Plugins:") and out[i - 1].endswith("not found")
    assert out[i].endswith("found: 2 plugins (fine, get-all); 1 plugin key not bound:")
    assert out[i + 1].strip().startswith(f"{cfg / 'plugins' / 'get-all.yaml'}:2: plugin get-all: <g> is top's key")
    (cfg / "plugins" / "fine.yaml").write_text("shortCut: Shift-Q\n")
    assert main(["info"]) == 0
    rows = info_lines(capsys.readouterr().out)
    # the app skips that file and loads the others: info says so under the row
    assert rows["Plugins dir"].endswith("found: 1 plugins (get-all); 1 plugin key not bound:")
    assert main(["info"]) == 0
    out = capsys.readouterr().out.splitlines()
    i = next(n for n, line in enumerate(out) if line.startswith("Plugins dir:"))
    assert out[i + 2].strip() == "warnings (1):"
    assert out[i + 3].strip() == f"{cfg / 'plugins' / 'fine.yaml'}:1: description: missing (required): file skipped"


def test_info_says_which_views_views_yaml_gives_columns_and_what_it_cannot_show(cfg, capsys):
    cfg.mkdir()
    (cfg / "views.yaml").write_text("views:\n  v1/pods:\n    columns: [AGE, NAMESPACE|WR, NAME, 'L:.metadata | .labels | keys']\n")
    assert main(["info"]) == 0
    rows = info_lines(capsys.readouterr().out)
    assert rows["Views"].startswith(str(cfg / "views.yaml") + " ")
    assert rows["Views"].endswith("found: columns for pods; not shown (1):")
    assert main(["info"]) == 0
    out = capsys.readouterr().out.splitlines()
    i = next(n for n, line in enumerate(out) if line.startswith("Views:"))
    assert out[i + 1].strip() == (f"{cfg / 'views.yaml'}:3: views.v1/pods.columns[3]: a jq column: not shown "
                                  "(k9py reads JSONPath columns, not jq's)")


def test_info_lists_every_warning_the_app_flashes_at_start(cfg, capsys):
    """The app flashes its start's warnings on one line (the first ones fit); info lists each:
    views.yaml's (it said the first and '(+2 more)'), the plugin files' (not at all), the skin's."""
    (cfg / "plugins").mkdir(parents=True)
    (cfg / "views.yaml").write_text("views:\n  v1/pods:\n    columns: [NAME, 'L:.metadata | .labels | keys', ZORG]\n"
                                    "  bozo:\n    columns: [A]\n")
    (cfg / "plugins" / "argo.yaml").write_text(
        "plugins:\n  get:\n    shortCut: Shift-1\n    description: get\n    scopes: [rollouts, podz]\n    command: sh\n")
    (cfg / "skins").mkdir()
    (cfg / "skins" / "mine.yaml").write_text("k9s:\n  body:\n    fgColor: linegreen\n")
    (cfg / "config.yaml").write_text("k9s:\n  ui:\n    skin: mine\n")
    assert main(["info"]) == 0
    out = capsys.readouterr().out.splitlines()

    def under(label):
        i = next(n for n, line in enumerate(out) if line.startswith(label + ":"))
        return out[i], [line.strip() for line in out[i + 1:] if line.startswith(" ")][:3]
    row, lines = under("Views")
    assert row.endswith("found: columns for pods; not shown (3):")
    assert [line.split(": ", 2)[1] for line in lines] == ["views.v1/pods.columns[1]", "views.v1/pods.columns[2]",
                                                          "views.bozo"]
    row, lines = under("Plugins dir")
    assert row.endswith("found: 1 plugins (get); warnings (1):")
    assert lines[0].startswith(f"{cfg / 'plugins' / 'argo.yaml'}:5: plugins.get.scopes[1]: 'podz' is no view k9py "
                               "knows (did you mean pod?)")
    row, lines = under("Skins")
    assert row.endswith("found: 1 skins (mine); ui.skin mine (1):")
    assert lines[0].startswith(f"{cfg / 'skins' / 'mine.yaml'}:3: k9s.body.fgColor: \"linegreen\" is not a colour")


def test_a_bad_config_exits_2_with_file_and_line(cfg):
    cfg.mkdir()
    (cfg / "config.yaml").write_text("k9py:\n  refreshRate: 2\n  logger:\n    tail: lots\n")
    proc = run_k9py()
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"k9py: {cfg / 'config.yaml'}:4: k9py.logger.tail: must be an integer, not a string\n"


def test_an_unknown_skin_exits_2_listing_the_skins(cfg, capsys):
    assert main(["--skin", "no-such-skin"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("k9py: --skin: unknown skin 'no-such-skin' (available: ") and "k9py-dark" in err
    assert err.count("\n") == 1


def test_a_skin_file_that_cannot_be_read_exits_2_with_its_line(cfg, tmp_path):
    """As a skin name that does not exist: before the UI, not a flash over the default look."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("k9s:\n  body:\n    fgColor: 12\n")
    proc = run_k9py("--skin", str(bad), timeout=30)  # (a process: without the check the UI would start)
    assert proc.returncode == 2 and proc.stderr == (f"k9py: {bad}:3: k9s.body.fgColor: a number is not a colour "
                                                     "(a name like dodgerblue, #rrggbb or default)\n")


def test_a_skin_by_name_or_file_is_accepted(cfg, tmp_path):
    skin = tmp_path / "mine.yaml"
    skin.write_text("k9s:\n  body:\n    fgColor: dodgerblue\n")
    for name in ("k9py-dark", str(skin)):
        args = build_parser().parse_args(["--skin", name])
        user_files(args)  # raises for an unknown skin
        assert args.skin == name


def test_config_backend_scenario_and_speed_are_defaults_the_flags_override(cfg):
    cfg.mkdir()
    (cfg / "config.yaml").write_text("k9py:\n  scenario: crashloop\n  speed: 4\n")
    args = build_parser().parse_args([])
    user_files(args)
    assert args.scenario.endswith("crashloop.yaml") and args.speed == 4.0 and not args.live
    args = build_parser().parse_args(["--scenario", "scaling", "--speed", "2"])
    user_files(args)
    assert args.scenario == "scaling" and args.speed == 2.0
    (cfg / "config.yaml").write_text("k9py:\n  backend: live\n  scenario: crashloop\n")
    args = build_parser().parse_args([])
    user_files(args)
    assert args.live and not args.scenario
    for argv in (["--sim"], ["--scenario", "scaling"]):
        args = build_parser().parse_args(argv)
        user_files(args)
        assert not args.live


def test_info_and_serve_do_not_need_a_good_config(cfg):
    cfg.mkdir()
    (cfg / "config.yaml").write_text("k9py: [\n")
    assert main(["info"]) == 0
    assert main(["scenario", "check", "crashloop"]) == 0


def test_info_shows_the_screen_dump_dir_config_yaml_names(cfg, tmp_path, capsys):
    cfg.mkdir()
    (cfg / "config.yaml").write_text(f"k9s:\n  screenDumpDir: {tmp_path / 'dumps'}\n")
    assert main(["info"]) == 0
    rows = info_lines(capsys.readouterr().out)
    assert rows["Screen dumps"].startswith(str(tmp_path / "dumps") + " ") and rows["Config"].startswith(str(cfg))


def test_info_counts_a_plugin_two_folder_files_define_once(cfg, capsys):
    """k9s's argo-rollouts.yaml and argo-rollouts-powershell.yaml define the same four plugins
    (the later replaces the earlier): info counted 8 and named each twice."""
    (cfg / "plugins").mkdir(parents=True)
    for f in ("argo-rollouts.yaml", "argo-rollouts-powershell.yaml"):
        (cfg / "plugins" / f).write_text(
            "plugins:\n  argo-get:\n    shortCut: Shift-1\n    description: get\n    scopes: [pods]\n    command: sh\n")
    assert main(["info"]) == 0
    rows = info_lines(capsys.readouterr().out)
    assert rows["Plugins dir"].endswith("found: 1 plugins (argo-get)")


def test_info_lists_the_contexts_in_k9s_folders_and_their_own_key_files(cfg, capsys):
    folder = cfg / "clusters" / "kind-prod" / "kind-prod"
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text("k9s:\n  namespace:\n    active: shop\n")
    (folder / "plugins.yaml").write_text("plugins: {}\n")
    assert main(["info"]) == 0
    out = capsys.readouterr().out.splitlines()
    i = next(n for n, line in enumerate(out) if line.startswith("Context configs:"))
    assert out[i].endswith("found: 1 contexts (kind-prod/kind-prod); their own aliases, hotkeys, plugins (1):")
    assert out[i + 1].strip() == "kind-prod/kind-prod/plugins.yaml"


HOSTILE = "\x1b]52;c;aGk=\x07\x1b[2J"  # set the clipboard, clear the screen


def test_what_the_command_line_prints_of_a_files_text_sends_no_escape_to_the_terminal(cfg, tmp_path, capsys):
    """A name, kind or context read from a file is printed with its escapes visible (␛), as the
    UI paints them: `scenario check`, a bad --scenario or kubeconfig, `k9py info`'s folders."""
    manifest = tmp_path / "hostile.yaml"
    manifest.write_text('apiVersion: v1\nkind: "Po' + HOSTILE.encode("unicode_escape").decode() + '"\n'
                        'metadata: {name: ok}\n')
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text('apiVersion: v1\nkind: Config\ncurrent-context: "c' + HOSTILE.encode("unicode_escape").decode() + '"\n')
    context = cfg / "clusters" / ("dev" + HOSTILE) / "dev"
    context.mkdir(parents=True)
    (context / "config.yaml").write_text("k9py: {}\n")
    assert main(["scenario", "check", str(manifest)]) == 2
    assert main(["--scenario", str(manifest)]) == 2
    assert main(["--kubeconfig", str(kubeconfig)]) == 2
    assert main(["info"]) == 0
    out, err = capsys.readouterr()
    assert "Po␛]52;c;aGk=␇␛[2J" in out and "Po␛]52;c;aGk=␇␛[2J" in err and "c␛]52;c;aGk=␇␛[2J" in err
    assert "dev␛]52;c;aGk=␇␛[2J/dev" in out
    assert "\x1b" not in out + err and "\x07" not in out + err


def test_a_number_longer_than_python_converts_in_a_config_file_is_its_line(cfg, capsys):
    cfg.mkdir()
    (cfg / "config.yaml").write_text("k9py:\n  refreshRate: " + "9" * 5000 + "\n")
    assert main(["--sim"]) == 2
    assert capsys.readouterr().err == f"k9py: {cfg / 'config.yaml'}:2: yaml: a number of 5000 digits: too large\n"


def test_a_config_file_that_is_a_directory_or_a_broken_link_is_an_error_not_no_file(cfg, capsys):
    """config.yaml as a directory, a symbolic link to nothing or to itself, or a FIFO was taken
    for no file at all: k9py started with the defaults and `k9py info` said `not found`, the
    user's settings ignored without a word. Each is now the file's one-line error (exit 2), as
    k9s refuses a config it cannot read."""
    from k9py.config.user import UserConfig, load_user
    from k9py.config.yamlfile import ConfigError

    cfg.mkdir()
    (cfg / "config.yaml").mkdir()
    (cfg / "aliases.yaml").symlink_to(cfg / "dotfiles" / "aliases.yaml")
    (cfg / "hotkeys.yaml").symlink_to(cfg / "hotkeys.yaml")
    with pytest.raises(ConfigError, match=r"config\.yaml: is a directory, not a YAML file$"):
        load_user()
    assert main(["info"]) == 0
    rows = info_lines(capsys.readouterr().out)
    assert rows["Config"].endswith(f"invalid: {cfg / 'config.yaml'}: is a directory, not a YAML file")
    assert rows["Aliases"].endswith(f"invalid: {cfg / 'aliases.yaml'}: no such file: a symbolic link to "
                                    f"{cfg / 'dotfiles' / 'aliases.yaml'}, which is not there")
    assert rows["Hotkeys"].endswith("hotkeys.yaml: cannot read: Too many levels of symbolic links")
    (cfg / "config.yaml").rmdir()
    with pytest.raises(ConfigError, match=r"aliases\.yaml: no such file: a symbolic link to "):
        load_user()
    (cfg / "aliases.yaml").unlink()
    (cfg / "hotkeys.yaml").unlink()
    context = cfg / "clusters" / "kind-prod" / "kind-prod"  # a context's own: skipped with a warning, as a wrong one is
    (context / "plugins.yaml").mkdir(parents=True)
    user = load_user()
    assert isinstance(user, UserConfig)
    assert user.use_context("kind-prod", "kind-prod") == [f"{context / 'plugins.yaml'}: is a directory, not a YAML "
                                                          "file: file skipped"]
