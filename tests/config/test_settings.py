"""config.yaml: k9s's settings in k9s's shape (root k9py: or a k9s user's own k9s: file), strictly
validated with the line of every problem."""

from pathlib import Path

import pytest

from k9py.config import settings
from k9py.config.settings import Settings, Thresholds
from k9py.config.yamlfile import ConfigError

# What `k9s` writes to ~/.config/k9s/config.yaml (k9s v0.40, internal/config/json/testdata/k9s)
K9S_CONFIG = """\
k9s:
  liveViewAutoRefresh: false
  defaultView: ""
  screenDumpDir: /Users/fernand/.local/state/k9s/screen-dumps
  refreshRate: 2
  maxConnRetry: 5
  readOnly: false
  noExitOnCtrlC: false
  portForwardAddress: localhost
  ui:
    enableMouse: false
    headless: false
    logoless: false
    crumbsless: false
    splashless: false
    reactive: false
    noIcons: false
    defaultsToFullScreen: false
  skipLatestRevCheck: false
  disablePodCounting: false
  shellPod:
    image: busybox:1.37.0
    namespace: default
    limits:
      cpu: 100m
      memory: 100Mi
  imageScans:
    enable: false
    exclusions:
      namespaces: []
      labels: {}
  logger:
    tail: 100
    buffer: 5000
    sinceSeconds: -1
    textWrap: false
    disableAutoscroll: false
    columnLock: false
    showTime: false
  thresholds:
    cpu:
      critical: 90
      warn: 70
    memory:
      critical: 90
      warn: 70
"""

K9PY_CONFIG = """\
# ~/.config/k9py/config.yaml
k9py:
  refreshRate: 2.5
  readOnly: true
  noExitOnCtrlC: true
  defaultView: deploy
  ui:
    headless: false
    logoless: true
    crumbsless: true
    skin: k9py-dark
  logger:
    tail: 500
    buffer: 20000
    sinceSeconds: 300
    textWrap: true
    showTime: true
  shellPod:
    image: nicolaka/netshoot:v0.13
    namespace: debug
    limits: {cpu: 200m, memory: 256Mi}
    labels: {team: sre}
    imagePullSecrets:
      - name: regcred
  thresholds:
    cpu: {critical: 95, warn: 80}
    memory: {critical: 85, warn: 60}
  backend: sim
  scenario: crashloop
  speed: 4
"""


def load(tmp_path, text, name="config.yaml"):
    f = tmp_path / name
    f.write_text(text)
    return settings.load(f)


def error(tmp_path, text):
    f = tmp_path / "config.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        settings.load(f)
    return str(err.value).replace(str(f), "config.yaml")


def test_defaults_are_k9s_defaults():
    s = Settings()
    assert s.skin is None and not s.read_only and not s.no_exit_on_ctrl_c
    assert (s.logger.tail, s.logger.buffer, s.logger.since_seconds) == (100, 5000, -1)
    assert not s.logger.text_wrap and not s.logger.show_time
    assert (s.thresholds.cpu.critical, s.thresholds.cpu.warn) == (90, 70)
    assert (s.thresholds.memory.critical, s.thresholds.memory.warn) == (90, 70)
    assert s.shell_pod.image == "busybox:1.37.0" and s.shell_pod.limits == {"cpu": "100m", "memory": "100Mi"}
    assert not (s.ui.headless or s.ui.logoless or s.ui.crumbsless)
    assert (s.backend, s.scenario, s.speed, s.refresh_rate) == ("sim", None, 1.0, 1.0)


def test_a_k9s_users_own_config_loads_as_it_is(tmp_path):
    s = load(tmp_path, K9S_CONFIG)
    assert s.root == "k9s" and s.default_view is None  # k9s writes "": no default view
    assert s.refresh_rate == 2.0 and not s.read_only
    assert s.logger.tail == 100 and s.logger.buffer == 5000 and s.logger.since_seconds == -1
    assert s.shell_pod.namespace == "default"
    # what k9py does not implement is accepted, and said
    assert {"maxConnRetry", "skipLatestRevCheck", "imageScans", "logger.columnLock"} <= set(s.ignored)
    assert "ui.enableMouse" not in s.ignored and not s.ui.enable_mouse  # (false there, k9s's default)
    assert "portForwardAddress" not in s.ignored and s.port_forward_address == "localhost"  # the dialog's
    assert "screenDumpDir" not in s.ignored  # ctrl-s writes there
    assert s.screen_dumps() == Path("/Users/fernand/.local/state/k9s/screen-dumps")


def test_a_k9py_config_loads_every_setting(tmp_path):
    s = load(tmp_path, K9PY_CONFIG)
    assert s.root == "k9py" and s.refresh_rate == 2.5 and s.read_only and s.no_exit_on_ctrl_c
    assert s.default_view == "deploy" and s.skin == "k9py-dark"
    assert s.ui.logoless and s.ui.crumbsless and not s.ui.headless
    assert (s.logger.tail, s.logger.buffer, s.logger.since_seconds) == (500, 20000, 300)
    assert s.logger.text_wrap and s.logger.show_time
    assert s.shell_pod.image == "nicolaka/netshoot:v0.13" and s.shell_pod.namespace == "debug"
    assert s.shell_pod.limits == {"cpu": "200m", "memory": "256Mi"} and s.shell_pod.labels == {"team": "sre"}
    assert s.shell_pod.image_pull_secrets == ["regcred"]
    assert (s.thresholds.cpu.critical, s.thresholds.cpu.warn) == (95, 80)
    assert (s.thresholds.memory.critical, s.thresholds.memory.warn) == (85, 60)
    assert s.backend == "sim" and s.scenario.endswith("crashloop.yaml") and s.speed == 4.0
    assert s.ignored == []


def test_an_empty_file_or_empty_sections_are_the_defaults(tmp_path):
    assert load(tmp_path, "") == Settings()
    assert load(tmp_path, "# nothing yet\n") == Settings()
    s = load(tmp_path, "k9py:\n  ui:\n  logger:\n    tail:\n")
    assert s.logger.tail == 100 and s.ui == Settings().ui


def test_k9s_zero_since_seconds_means_the_tail(tmp_path):
    assert load(tmp_path, "k9s:\n  logger:\n    sinceSeconds: 0\n").logger.since_seconds == -1


def test_a_scenario_file_is_relative_to_the_config_dir(tmp_path):
    (tmp_path / "mine.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n")
    s = load(tmp_path, "k9py:\n  scenario: mine.yaml\n")
    assert s.scenario == str(tmp_path / "mine.yaml")


@pytest.mark.parametrize("text,message", [
    ("k9py:\n  refreshRate: 2\n  ui:\n    logoless: true\n    skn: dracula\n",
     "config.yaml:5: k9py.ui.skn: unknown key (did you mean skin?)"),
    ("k9s:\n  logger:\n    tial: 10\n", "config.yaml:3: k9s.logger.tial: unknown key (did you mean tail?)"),
    ("k9py:\n  refreshrate: 2\n", "config.yaml:2: k9py.refreshrate: unknown key (did you mean refreshRate?)"),
    ("k9py:\n  colour: red\n", "config.yaml:2: k9py.colour: unknown key (known here: "),
    ("k9py:\n  thresholds:\n    disk: {warn: 1}\n", "config.yaml:3: k9py.thresholds.disk: unknown key"),
    ("k8s:\n  readOnly: true\n", "config.yaml:1: k8s: unknown key (did you mean k9s?)"),
    ("k9py:\n  readOnly: true\nk9s:\n  readOnly: false\n", "config.yaml:3: k9s: use one root"),
])
def test_an_unknown_key_is_an_error_naming_its_line(tmp_path, text, message):
    assert error(tmp_path, text).startswith(message)


@pytest.mark.parametrize("text,message", [
    ("k9py:\n  readOnly: yes please\n", "config.yaml:2: k9py.readOnly: must be true or false, not a string"),
    ("k9py:\n  refreshRate: fast\n", "config.yaml:2: k9py.refreshRate: must be a number, not a string"),
    ("k9py:\n  refreshRate: 0\n", "config.yaml:2: k9py.refreshRate: 0 is out of range (at least 0.5)"),
    ("k9py:\n  logger:\n    tail: -5\n", "config.yaml:3: k9py.logger.tail: -5 is out of range (1 to 1000000)"),
    ("k9py:\n  logger:\n    tail: 1.5\n", "config.yaml:3: k9py.logger.tail: must be an integer, not a number"),
    ("k9py:\n  logger:\n    sinceSeconds: -7\n", "config.yaml:3: k9py.logger.sinceSeconds: -7 is out of range (-1 or 0 or 1 or more)"),
    ("k9py:\n  logger: 100\n", "config.yaml:2: k9py.logger: must be a mapping, not a number"),
    ("k9py:\n  thresholds:\n    cpu:\n      critical: 120\n", "config.yaml:4: k9py.thresholds.cpu.critical: 120 is out of range (1 to 100)"),
    ("k9py:\n  thresholds:\n    memory:\n      critical: 60\n      warn: 80\n",
     "config.yaml:5: k9py.thresholds.memory.warn: 80 is above critical (60)"),
    ("k9py:\n  backend: kind\n", "config.yaml:2: k9py.backend: 'kind': must be one of sim, live"),
    ("k9py:\n  speed: 0\n", "config.yaml:2: k9py.speed: 0 is out of range (more than 0, at most 64)"),
    ("k9py:\n  speed: 100000\n", "config.yaml:2: k9py.speed: 100000 is out of range (more than 0, at most 64)"),
    # YAML's .inf and .nan are numbers: "must be a number, not a number" said nothing
    ("k9py:\n  refreshRate: .inf\n", "config.yaml:2: k9py.refreshRate: inf is out of range (at least 0.5, finite)"),
    ("k9py:\n  speed: .nan\n", "config.yaml:2: k9py.speed: nan is out of range (more than 0, at most 64, finite)"),
    ("k9py:\n  shellPod:\n    command: /bin/sh\n", "config.yaml:3: k9py.shellPod.command: must be a list of strings, not a string"),
    ("k9py:\n  shellPod:\n    labels: {team: [a]}\n", "config.yaml:3: k9py.shellPod.labels.team: must be a string, not a list"),
    ("k9py:\n  defaultView: podz\n", "config.yaml:2: k9py.defaultView: unknown view 'podz'"),
    ("k9py:\n  scenario: no-such-scenario\n", "config.yaml:2: k9py.scenario: no-such-scenario: no such file or bundled scenario"),
    # was `k9py: /: is a directory…`, naming neither the file nor the field
    ("k9py:\n  scenario: /\n", "config.yaml:2: k9py.scenario: /: is a directory, not a scenario file"),
    ("k9py:\n  ui:\n    skin: no-such-skin\n", "config.yaml:3: k9py.ui.skin: unknown skin 'no-such-skin'"),
    ("- k9py\n", "config.yaml:1: must be a mapping, not a list"),
    ("k9py:\n  ui: [1\n", "config.yaml:3: yaml: "),
])
def test_a_wrong_type_or_range_is_an_error_naming_its_line(tmp_path, text, message):
    assert error(tmp_path, text).startswith(message)


def test_thresholds_level_is_k9s_level_for():
    t = Thresholds()
    assert [t.level("cpu", p) for p in (0, 69, 70, 89, 90, 100)] == ["ok", "ok", "warn", "warn", "critical", "critical"]
    assert t.level("memory", None) == "ok" and t.level("cpu", 150) == "ok" and t.level("disk", 95) == "ok"


def test_every_k9s_key_of_its_schema_is_known():
    """k9s's json/schemas/k9s.json top-level and ui/logger keys: none is refused."""
    k9s_keys = ["liveViewAutoRefresh", "gpuVendors", "screenDumpDir", "refreshRate", "apiServerTimeout",
                "maxConnRetry", "readOnly", "noExitOnCtrlC", "skipLatestRevCheck", "disablePodCounting",
                "defaultView", "portForwardAddress", "ui", "shellPod", "imageScans", "logger", "thresholds"]
    ui = ["enableMouse", "headless", "logoless", "crumbsless", "splashless", "noIcons", "reactive", "skin",
          "defaultsToFullScreen", "useFullGVRTitle", "invert"]
    logger = ["tail", "buffer", "sinceSeconds", "textWrap", "disableAutoscroll", "columnLock", "showTime", "logBufferSize"]
    assert set(k9s_keys) <= set(settings.SCHEMA.fields)
    assert set(ui) <= set(settings.SCHEMA.fields["ui"].fields)
    assert set(logger) <= set(settings.SCHEMA.fields["logger"].fields)


def test_screen_dumps_go_to_screen_dump_dir_else_the_state_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert load(tmp_path, "k9py:\n  screenDumpDir: ~/dumps\n").screen_dumps() == tmp_path / "home" / "dumps"
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "one-place"))
    assert Settings().screen_dumps() == tmp_path / "one-place" / "screens"
    monkeypatch.delenv("K9PY_CONFIG_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert Settings().screen_dumps() == tmp_path / "state" / "k9py" / "screens"
    with pytest.raises(ConfigError, match="screenDumpDir"):
        load(tmp_path, "k9py:\n  screenDumpDir: ''\n")


def test_the_time_machine_settings_take_durations_and_sizes(tmp_path):
    s = load(tmp_path, "k9py:\n  history:\n    enabled: false\n    maxAge: 30m\n    maxSize: 50MB\n    dir: ~/h\n")
    assert (s.history.enabled, s.history.max_age, s.history.max_size, s.history.dir) == (False, 1800.0, 50_000_000, "~/h")
    assert load(tmp_path, "k9py:\n  history:\n    maxSize: 1GiB\n    maxAge: 5400\n").history.max_size == 2**30
    assert Settings().history.enabled and Settings().history.max_age == 7200
    for bad, words in (("maxAge: 5 minutes", "is not a duration"), ("maxAge: 30s", "out of range"),
                       ("maxSize: 10", "out of range"), ("maxSize: lots", "is not a size"),
                       ("enabled: maybe", "true or false")):
        with pytest.raises(ConfigError) as err:
            load(tmp_path, f"k9py:\n  history:\n    {bad}\n")
        assert str(err.value).startswith(f"{tmp_path / 'config.yaml'}:3: k9py.history.") and words in str(err.value)


def test_the_k9s_readmes_config_loads(tmp_path):
    """k9s's README puts noIcons under k9s: as well as under ui: (k9s's schema does not know the
    first: k9s logs a warning and starts); k9py stopped with 'k9s.noIcons: unknown key'."""
    s = load(tmp_path, """\
k9s:
  liveViewAutoRefresh: false
  gpuVendors:
    bozo: bozo/gpu
  screenDumpDir: /tmp/dumps
  refreshRate: 2
  apiServerTimeout: 15s
  ui:
    noIcons: false
    skin: dracula
  noIcons: false
  skipLatestRevCheck: false
  logger:
    tail: 200
    buffer: 500
    sinceSeconds: 300
    logBufferSize: 100
""")
    assert s.root == "k9s" and s.skin == "dracula" and "noIcons" in s.ignored


def test_port_forward_address_is_the_dialogs(tmp_path):
    assert load(tmp_path, "k9s:\n  portForwardAddress: 0.0.0.0\n").port_forward_address == "0.0.0.0"
    assert load(tmp_path, "k9s:\n  portForwardAddress: ''\n").port_forward_address == "localhost"  # k9s's default


def test_k9s_files_are_yaml_1_2_as_k9s_reads_them(tmp_path):
    """k9s reads its files with gopkg.in/yaml.v3 (YAML 1.2): `defaultView: no` is the nodes
    alias (k9py read YAML 1.1's false: "must be a string, not a boolean"), while a field typed
    bool takes yaml.v3's yes/no/on/off; true/false stay booleans."""
    s = load(tmp_path, "k9s:\n  readOnly: yes\n  defaultView: no\n  ui:\n    logoless: on\n    crumbsless: Off\n    headless: TRUE\n")
    assert (s.read_only, s.default_view, s.ui.logoless, s.ui.crumbsless, s.ui.headless) == (True, "no", True, False, True)
    assert error(tmp_path, "k9s:\n  defaultView: false\n") == "config.yaml:2: k9s.defaultView: must be a string, not a boolean"
