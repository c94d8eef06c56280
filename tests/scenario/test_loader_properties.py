"""Property tests: whatever a file holds, every loader answers with its result or one-line
K9pyError naming the file: never another exception, never a traceback. The texts are YAML-ish
on purpose (keys, lists, anchors, tags, the kinds k9py knows, broken quotes, control bytes) so the
parsers get past their first line."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from k9py.config import aliases, hotkeys, keymap, plugins, skin
from k9py.config import settings as config_settings
from k9py.config.yamlfile import ConfigError
from k9py.errors import K9pyError
from k9py.scenario import files
from k9py.scenario.recording import parse_recording

TOKENS = st.sampled_from([
    "apiVersion: v1\n", "kind: ConfigMap\n", "kind: Pod\n", "kind: Deployment\n", "kind: Scenario\n",
    "kind: Recording\n", "apiVersion: k9py.dev/v1alpha1\n", "apiVersion: apps/v1\n", "metadata:\n",
    "  name: x\n", "  namespace: default\n", "spec:\n", "  replicas: 3\n", "  replicas: -1\n",
    "  containers:\n", "  - name: c\n", "    image: nginx\n", "events:\n", "- t: 0\n", "  type: ADDED\n",
    "  object: {kind: Namespace, metadata: {name: n}}\n", "data:\n", "  k: v\n", "---\n", "&a [1, 2]\n",
    "*a\n", "!!binary aGk=\n", "!!python/object:os.system\n", "'unterminated\n", '"\\ud800"\n', "{", "}",
    "[", "]", ": ", "- ", "  ", "\t", "#", "\x00", "\x1b[2J", "k9s:\n", "  skin:\n", "aliases:\n",
    "  pp: v1/pods\n", "hotKeys:\n", "  f2:\n", "    shortCut: F2\n", "    command: pods\n", "plugins:\n",
    "  p:\n", "    shortCut: Ctrl-X\n", "    scopes: [pods]\n", "    command: echo\n", "keymap:\n",
    "  delete: ctrl-x\n", "body:\n", "  fgColor: '#ff0000'\n", "spec: {nodes: [{name: n, cpu: 2, memory: 1Gi}]}\n",
])
TEXTS = st.one_of(st.lists(TOKENS, max_size=40).map("".join), st.text(max_size=300))
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(text=TEXTS)
def test_scenario_check_answers_every_text(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("f") / "x.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    problems = files.check(str(path))
    assert all(isinstance(p, K9pyError) and "\n" not in str(p) and str(p).startswith(str(path)) for p in problems)


@FAST
@given(text=TEXTS)
def test_recordings_parse_or_say_what_is_wrong(text):
    try:
        parse_recording("rec.yaml", text)
    except K9pyError as err:
        assert str(err).startswith("rec.yaml") and "\n" not in str(err)


@FAST
@given(text=TEXTS)
def test_every_config_file_loads_or_says_what_is_wrong(text):
    path = Path("/nonexistent/cfg.yaml")
    for load in (aliases.load, hotkeys.load, keymap.load, config_settings.load, skin.load,
                 lambda p, text: plugins.load(p, [], text=text)):
        try:
            load(path, text=text)
        except ConfigError as err:
            assert str(err).startswith(str(path)) and "\n" not in str(err)
