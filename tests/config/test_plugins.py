"""plugins.yaml as k9s users write it (the k9s repository's community plugins), and every
mistake reported with its file and line."""

import textwrap

import pytest

from k9py.config import plugins
from k9py.config.user import load_user
from k9py.config.yamlfile import ConfigError

# Shaped after derailed/k9s plugins/: log-stern, debug-container, job-suspend, log-full, watch-events.
COMMUNITY = """\
plugins:
  # Leverage stern (https://github.com/stern/stern) to output logs.
  stern:
    shortCut: Ctrl-L
    override: true
    confirm: false
    description: "Logs <Stern>"
    scopes:
      - pods
    command: stern
    background: false
    args:
      - --tail
      - 50
      - $FILTER
      - -n
      - $NAMESPACE
      - --context
      - $CONTEXT
  #--- Create debug container for selected pod in current namespace
  debug:
    shortCut: Shift-D
    description: Add debug container
    dangerous: true
    scopes:
      - containers
    command: bash
    background: false
    confirm: true
    inputs:
      - name: image
        label: Debug image
        type: dropdown
        required: true
        default: nicolaka/netshoot:v0.15
        options:
          - nicolaka/netshoot:v0.15
          - busybox:1.37
      - name: share_processes
        label: Share processes
        type: bool
        required: true
        default: true
    args:
      - -c
      - >-
        kubectl debug -it --context $CONTEXT -n=$NAMESPACE $POD
        --target=$NAME --image=$INPUT_IMAGE -- sh
  # Suspends/Resumes a cronjob
  toggleCronjob:
    shortCut: Ctrl-S
    override: true
    confirm: true
    dangerous: true
    scopes:
      - cj
    description: Toggle to suspend or resume a running cronjob
    command: kubectl
    background: true
    args:
      - patch
      - cronjobs
      - $NAME
      - -n
      - $NAMESPACE
      - --context
      - $CONTEXT
      - -p
      - '{"spec" : {"suspend" : $!COL-SUSPEND }}'
  log-less:
    shortCut: Shift-K
    description: "logs|less"
    scopes:
    - po
    command: bash
    background: false
    args:
    - -c
    - '"$@" | less'
    - dummy-arg
    - kubectl
    - logs
    - $NAME
    - -n
    - $NAMESPACE
    - --kubeconfig
    - $KUBECONFIG
  watch-events:
    shortCut: Shift-E
    confirm: false
    description: Get Events
    scopes:
    - all
    command: sh
    background: false
    args:
    - -c
    - "kubectl events --context $CONTEXT --namespace $NAMESPACE --for $RESOURCE_NAME/$NAME --watch"
  images:
    shortCut: Shift-I
    description: Image of the pod
    scopes: [pods, rollouts, deploymnets]
    command: sh
    background: true
    overwriteOutput: true
    pipes: ["tr a-z A-Z"]
    args: [-c, 'echo "[output] $COL-NAME runs on $COL-NODE"']
"""


def write(tmp_path, text, name="plugins.yaml"):
    f = tmp_path / name
    f.write_text(textwrap.dedent(text))
    return f


def test_the_community_plugins_load_in_file_order(tmp_path):
    warnings: list[str] = []
    found = plugins.load(write(tmp_path, COMMUNITY), warnings)
    assert [p.name for p in found] == ["stern", "debug", "toggleCronjob", "log-less", "watch-events", "images"]
    stern, debug, cron, less, events, images = found
    assert (stern.key, stern.label, stern.override, stern.scopes) == ("ctrl+l", "<ctrl-l>", True, ("pods",))
    assert stern.args == ("--tail", "50", "$FILTER", "-n", "$NAMESPACE", "--context", "$CONTEXT")  # 50: a string
    assert (stern.background, stern.asks, stern.dangerous) == (False, False, False)
    assert (debug.key, debug.dangerous, debug.asks, debug.command) == ("D", True, True, "bash")
    assert debug.args[1].startswith("kubectl debug -it --context $CONTEXT")
    assert [(i.name, i.type, i.default) for i in debug.inputs] == [
        ("image", "dropdown", "nicolaka/netshoot:v0.15"), ("share_processes", "bool", "true")]
    assert (cron.key, cron.background, cron.asks) == ("ctrl+s", True, True)
    assert cron.args[-1] == '{"spec" : {"suspend" : $!COL-SUSPEND }}'
    assert less.args[:3] == ("-c", '"$@" | less', "dummy-arg") and less.key == "K"
    assert events.scopes == ("all",) and events.key == "E"
    assert (images.pipes, images.overwrite_output) == (("tr a-z A-Z",), True)
    assert stern.where == f"{tmp_path / 'plugins.yaml'}:3"
    # a scope no built-in view has may be a custom resource's (rollouts: said nothing of, as k9s
    # says nothing); one close to a view's name is a warning with its line, not an error
    assert warnings == [f"{tmp_path / 'plugins.yaml'}:102: plugins.images.scopes[2]: 'deploymnets' is no view k9py "
                        "knows (did you mean deployments?): the plugin shows there only if the cluster has such a "
                        "resource"]


def test_load_user_reads_plugins_yaml_from_the_config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    write(tmp_path, COMMUNITY)
    user = load_user()
    assert [p.name for p in user.plugins][:2] == ["stern", "debug"]
    assert user.files["plugins"] == tmp_path / "plugins.yaml"
    assert any("'deploymnets' is no view k9py knows" in w for w in user.warnings)


def test_load_user_reads_the_plugins_folder_in_k9s_three_shapes(tmp_path, monkeypatch):
    """k9s reads a plugins/ folder too (its community files are dropped there): a file holds
    `plugins:`, or one plugin named after the file, or NAME: plugin at the top. After plugins.yaml,
    by file name, and one of the same name replaces the earlier, as in k9s's map."""
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    (tmp_path / "plugins.yaml").write_text(
        "plugins:\n  stern:\n    shortCut: Ctrl-L\n    description: old\n    scopes: [po]\n    command: stern\n"
        "  keep:\n    shortCut: Shift-K\n    description: kept\n    scopes: [po]\n    command: sh\n")
    folder = tmp_path / "plugins" / "logs"
    folder.mkdir(parents=True)
    (tmp_path / "plugins" / "log-stern.yaml").write_text(
        "plugins:\n  stern:\n    shortCut: Ctrl-Y\n    description: new\n    scopes: [po]\n    command: stern\n")
    (tmp_path / "plugins" / "single.yaml").write_text(
        "# one plugin\nshortCut: Shift-Q\ndescription: one\nscopes: [pods]\ncommand: sh\n")
    (folder / "multi.yml").write_text(
        "multi-a:\n  shortCut: Shift-A\n  description: a\n  scopes: [deploy]\n  command: sh\n"
        "multi-b:\n  shortCut: Shift-B\n  description: b\n  scopes: [deploy]\n  command: sh\n")
    (tmp_path / "plugins" / "notes.txt").write_text("not a plugin")
    user = load_user()
    assert [(p.name, p.shortcut, p.description) for p in user.plugins] == [
        ("stern", "Ctrl-Y", "new"), ("keep", "Shift-K", "kept"), ("multi-a", "Shift-A", "a"),
        ("multi-b", "Shift-B", "b"), ("single", "Shift-Q", "one")]
    assert [p.where for p in user.plugins][2:] == [f"{folder / 'multi.yml'}:1", f"{folder / 'multi.yml'}:6",
                                                  f"{tmp_path / 'plugins' / 'single.yaml'}:2"]


def test_a_wrong_file_in_the_plugins_folder_is_skipped_with_a_warning_and_the_others_load(tmp_path, monkeypatch):
    """A community file dropped in with a typo stopped k9py at start (exit 2) and lost every
    plugin; k9s logs it and goes on: the file is skipped, one warning names its line and field."""
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "good.yaml").write_text(
        "plugins:\n  stern:\n    shortCut: Ctrl-L\n    description: logs\n    scopes: [po]\n    command: stern\n")
    (folder / "multi.yml").write_text("multi-a:\n  shortCut: Shift-A\n  descripton: a\n")
    (folder / "single.yaml").write_text("shortCut: Shift-A\ncommand: [sh]\n")
    (folder / "z-broken.yaml").write_text("plugins: [\n")
    user = load_user()
    assert [p.name for p in user.plugins] == ["stern"]
    assert user.warnings[0].startswith(f"{folder / 'multi.yml'}:3: multi-a.descripton: unknown field")
    assert user.warnings[1].startswith(f"{folder / 'single.yaml'}:") and "description: missing" in user.warnings[1]
    assert user.warnings[2].startswith(f"{folder / 'z-broken.yaml'}:")
    assert len(user.warnings) == 3 and all(w.endswith(": file skipped") for w in user.warnings)


def test_an_empty_file_or_section_has_no_plugins(tmp_path):
    assert plugins.load(write(tmp_path, "")) == []
    assert plugins.load(write(tmp_path, "plugins:\n")) == []


GOOD = """\
plugins:
  stern:
    shortCut: Ctrl-Y
    description: Logs <Stern>
    scopes: [pods]
    command: stern
"""


@pytest.mark.parametrize(("change", "line", "message"), [
    # each required field, missing: the plugin's line
    ("    shortCut: Ctrl-Y\n", 2, "plugins.stern.shortCut: missing (required)"),
    ("    command: stern\n", 2, "plugins.stern.command: missing (required)"),
    ("    scopes: [pods]\n", 2, "plugins.stern.scopes: missing (required)"),
    ("    description: Logs <Stern>\n", 2, "plugins.stern.description: missing (required)"),
])
def test_a_missing_required_field_names_the_plugin_line(tmp_path, change, line, message):
    f = write(tmp_path, GOOD.replace(change, ""))
    with pytest.raises(ConfigError) as err:
        plugins.load(f)
    assert str(err.value) == f"{f}:{line}: {message}"


@pytest.mark.parametrize(("extra", "line", "message"), [
    ("    shortCut: Ctrl-Hyper\n", 6, "plugins.stern.shortCut: 'Ctrl-Hyper': unknown key 'Hyper'"),
    ("    shortCut: Meta-X\n", 6, "plugins.stern.shortCut: 'Meta-X': unknown modifier 'meta' (ctrl, alt, shift)"),
    ("    shortCut: 1\n", 6, "plugins.stern.shortCut: must be a string, not a number"),
    ("    shortcut: Ctrl-Y\n", 7, "plugins.stern.shortcut: unknown field (known: shortCut, description, scopes, "
     "command, args, background, confirm, dangerous, override, pipes, overwriteOutput, inputs)"),
    ("    scopes: pods\n", 6, "plugins.stern.scopes: must be a list of strings, not a string"),
    ("    scopes: []\n", 6, "plugins.stern.scopes: empty: name the views (pods, deploy, ...) or `all`"),
    ("    scopes: [pods, 3]\n", 6, "plugins.stern.scopes[1]: must be a string, not a number"),
    ("    background: yes please\n", 7, "plugins.stern.background: must be true or false, not a string"),
    ("    dangerous: 1\n", 7, "plugins.stern.dangerous: must be true or false, not a number"),
    ("    command: ''\n", 6, "plugins.stern.command: empty"),
    ("    args: --tail 50\n", 7, "plugins.stern.args: must be a list, not a string"),
    ("    args:\n      - --tail\n      - true\n", 9, "plugins.stern.args[1]: must be a string or a number, not a boolean"),
    ("    args:\n      - {a: b}\n", 8, "plugins.stern.args[0]: must be a string or a number, not a mapping"),
    ("    inputs:\n      - name: image\n        type: text\n", 9,
     "plugins.stern.inputs[0].type: 'text': one of string, number, bool, dropdown"),
    ("    inputs:\n      - type: string\n", 8, "plugins.stern.inputs[0].name: missing (required)"),
    ("    inputs:\n      - name: a\n        type: string\n        choices: [x]\n", 10,
     "plugins.stern.inputs[0].choices: unknown field (known: name, label, type, required, default, options)"),
    # k9s's Plugin.Validate refuses these too
    ("    inputs:\n      - name: a\n        type: string\n      - name: a\n        type: bool\n", 10,
     "plugins.stern.inputs[1].name: 'a': another input has this name"),
    ("    inputs:\n      - name: image\n        type: dropdown\n        default: alpine\n        options: [busybox]\n",
     10, "plugins.stern.inputs[0].default: 'alpine' is none of the options (busybox)"),
    ("    inputs:\n      - name: force\n        type: bool\n        default: yes\n", 10,
     "plugins.stern.inputs[0].default: 'yes': a bool input's default is true or false"),
    ("    inputs:\n      - name: replicas\n        type: number\n        default: 1.2.3\n", 10,
     "plugins.stern.inputs[0].default: '1.2.3' is not a number"),
])
def test_a_wrong_field_is_named_with_its_line(tmp_path, extra, line, message):
    # the field replaces the good one (then it is line 6) or is added after the others (line 7)
    base = "\n".join(ln for ln in GOOD.splitlines() if not ln.startswith("    " + extra.split(":")[0].strip() + ":"))
    f = write(tmp_path, base + "\n" + extra)
    with pytest.raises(ConfigError) as err:
        plugins.load(f)
    assert str(err.value) == f"{f}:{line}: {message}"


@pytest.mark.parametrize(("text", "message"), [
    ("plugin:\n  stern: {}\n", "1: plugin: unknown field (plugins.yaml holds `plugins:`)"),
    ("plugins:\n  - stern\n", "1: plugins: must be a mapping, not a list"),
    ("plugins:\n  stern: kubectl logs\n", "2: plugins.stern: must be a mapping, not a string"),
    ("plugins:\n  stern:\n    shortCut: [\n", None),  # not YAML: the parser's line
])
def test_a_wrong_shape_is_named_with_its_line(tmp_path, text, message):
    f = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        plugins.load(f)
    if message is None:
        assert str(err.value).startswith(f"{f}:")
    else:
        assert str(err.value) == f"{f}:{message}"


def test_the_plugins_folders_of_k9s_data_dirs_are_read_too(tmp_path, monkeypatch):
    """k9s reads $XDG_DATA_DIRS/k9s/plugins, $XDG_DATA_HOME/k9s/plugins (where its README's
    examples live) and $XDG_CONFIG_HOME/k9s/plugins, a later one's plugin winning; k9py read the
    config directory's only, so a k9s user's data folder copied over did nothing."""
    monkeypatch.delenv("K9PY_CONFIG_DIR", raising=False)
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.setenv("XDG_DATA_DIRS", f"{tmp_path / 'share1'}:{tmp_path / 'share2'}")

    def plugin(folder, name, desc):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}-{desc}.yaml").write_text(
            f"plugins:\n  {name}:\n    shortCut: Shift-Q\n    description: {desc}\n    scopes: [po]\n    command: sh\n")
    plugin(tmp_path / "share2/k9py/plugins", "a", "system2")
    plugin(tmp_path / "share1/k9py/plugins", "a", "system1")  # k9s reads them in order: the last wins
    plugin(tmp_path / "share2/k9py/plugins", "b", "system2")
    plugin(tmp_path / "xdg_data_home/k9py/plugins/misc", "b", "data")
    plugin(tmp_path / "xdg_data_home/k9py/plugins", "c", "data")
    plugin(tmp_path / "xdg_config_home/k9py/plugins", "c", "config")
    user = load_user()
    assert {p.name: p.description for p in user.plugins} == {"a": "system2", "b": "data", "c": "config"}


def test_a_plugins_flags_are_true_or_false_as_k9s_checks_them(tmp_path):
    """k9s checks plugins.yaml against its JSON schema after reading it with yaml.v3 (YAML 1.2),
    where `no` is a string, so `background: no` fails its validation: k9py says so (YAML 1.1 read
    it as false without a word, and the file then broke under k9s)."""
    text = ("plugins:\n  x:\n    shortCut: Shift-X\n    description: x\n    scopes: [po]\n"
            "    command: echo\n    background: {}\n")
    [p] = plugins.load(write(tmp_path, text.format("false")))
    assert p.background is False
    with pytest.raises(ConfigError, match=r":7: plugins\.x\.background: must be true or false, not a string$"):
        plugins.load(write(tmp_path, text.format("no")))
