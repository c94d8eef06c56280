"""hotkeys.yaml in k9s's format: keys that run `:` commands, checked against the user's aliases
and keymap; each problem one line with its file and line."""

import pytest

from k9py.config import hotkeys, locations
from k9py.config.keymap import Keymap
from k9py.config.user import load_user
from k9py.config.yamlfile import ConfigError

K9S_FILE = """\
# $XDG_CONFIG_HOME/k9s/hotkeys.yaml
hotKeys:
  # Hitting Shift-0 navigates to your pod view
  shift-0:
    shortCut: Shift-0
    description: Viewing pods
    command: pods
  shift-1:
    shortCut: Shift-1
    description: View deployments
    command: dp
  f2:
    shortCut: F2
    description: Xray Deployments
    command: xray deploy
  f3:
    shortCut: F3
    description: Fred's pods, esc comes back
    command: fred
    keepHistory: true
"""


def write(tmp_path, text, name="hotkeys.yaml"):
    f = tmp_path / name
    f.write_text(text)
    return f


def test_a_k9s_hotkeys_file_loads(tmp_path):
    f = write(tmp_path, K9S_FILE)
    found = hotkeys.load(f, aliases={"fred": "pod fred app=blee"})
    assert [(h.name, h.key, h.command, h.keep_history) for h in found] == [
        ("shift-0", "right_parenthesis", "pods", False), ("shift-1", "exclamation_mark", "dp", False),
        ("f2", "f2", "xray deploy", False), ("f3", "f3", "fred", True)]
    assert found[0].description == "Viewing pods" and found[0].line == 5 and found[0].file == str(f)


def test_k9s_older_hotkey_key_and_a_missing_description(tmp_path):
    f = write(tmp_path, "hotKey:\n  f1:\n    shortCut: F1\n    command: ctx\n", "hotkey.yml")
    [h] = hotkeys.load(f)
    assert h.key == "f1" and h.description == "ctx"


@pytest.mark.parametrize(("text", "line", "words"), [
    ("hotKeys: [f1]\n", 1, "hotKeys: must be a mapping, not a list"),
    ("hotKeys:\n  f1: pods\n", 2, "hotKeys.f1: must be a mapping, not a string"),
    ("hotKeys:\n  f1:\n    shortcut: F1\n    command: pods\n", 3, "hotKeys.f1.shortcut: unknown field (known: shortCut,"),
    ("hotKeys:\n  f1:\n    command: pods\n", 2, "hotKeys.f1: shortCut is required"),
    ("hotKeys:\n  f1:\n    shortCut: F1\n    command: \"\"\n", 4, "hotKeys.f1.command: command is required"),
    ("hotKeys:\n  f1:\n    shortCut: Hyper-1\n    command: pods\n", 3, "hotKeys.f1.shortCut: 'Hyper-1': unknown modifier"),
    ("hotKeys:\n  f1:\n    shortCut: F1\n    command: podz\n", 4, "hotKeys.f1.command: `podz` names no view"),
    ("hotKeys:\n  f1:\n    shortCut: F1\n    command: pods\n    keepHistory: yes please\n", 5,
     "hotKeys.f1.keepHistory: must be true or false, not a string"),
    ("hotKeys:\n  kill:\n    shortCut: Ctrl-K\n    command: pods\n", 3,
     "hotKeys.kill.shortCut: <ctrl-k> is kill's key (in pods): pick another key, or set override: true to take it"),
    ("hotKeys:\n  a:\n    shortCut: F1\n    command: pods\n  b:\n    shortCut: f1\n    command: dp\n", 6,
     "hotKeys.b.shortCut: <f1> is also hotKeys.a.shortCut's key"),
    ("hotKeys:\n  p:\n    shortCut: \":\"\n    command: pods\n    override: true\n", 3,
     "hotKeys.p.shortCut: <:> opens the prompt (command): it cannot also be taken by a hotkey or plugin"),
])
def test_each_problem_is_one_line_with_its_line(tmp_path, text, line, words):
    f = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        hotkeys.load(f)
    assert err.value.line == line, str(err.value)
    assert words in str(err.value) and str(err.value).startswith(f"{f}:{line}: ") and "\n" not in str(err.value)


def test_override_takes_a_built_in_key_and_the_keymap_can_free_one(tmp_path):
    f = write(tmp_path, "hotKeys:\n  nodes:\n    shortCut: Ctrl-D\n    command: nodes\n    override: true\n")
    assert hotkeys.load(f)[0].override
    f = write(tmp_path, "hotKeys:\n  nodes:\n    shortCut: Ctrl-D\n    command: nodes\n")
    with pytest.raises(ConfigError, match="delete's key"):
        hotkeys.load(f)
    assert hotkeys.load(f, keymap=Keymap(overrides={"delete": ("ctrl+x",)}))[0].key == "ctrl+d"


def test_load_user_checks_hotkeys_against_the_users_aliases_and_keymap(monkeypatch, tmp_path):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    write(tmp_path, "aliases:\n  fred: pod fred app=blee\n", "aliases.yaml")
    write(tmp_path, "keymap:\n  delete: ctrl-x\n", "keymap.yaml")
    write(tmp_path, "hotKeys:\n  f:\n    shortCut: Ctrl-D\n    command: fred\n")
    user = load_user()
    assert user.hotkeys[0].command == "fred" and user.keymap.keys("delete") == ("ctrl+x",)
    assert user.files["hotkeys"] == locations.hotkeys_file()
    write(tmp_path, "hotKeys:\n  f:\n    shortCut: Ctrl-X\n    command: fred\n")
    with pytest.raises(ConfigError, match=r"hotkeys.yaml:3: hotKeys.f.shortCut: <ctrl-x> is delete's key"):
        load_user()


def test_keep_history_takes_yaml_v3s_yes(tmp_path):
    f = write(tmp_path, "hotKeys:\n  f1:\n    shortCut: F1\n    command: pods\n    keepHistory: yes\n    override: no\n")
    [h] = hotkeys.load(f)
    assert (h.keep_history, h.override) == (True, False)
