"""The shared pieces of the user's files: where they live, YAML with lines, key names."""

import pytest

from k9py.config import keys, locations, yamlfile
from k9py.config.yamlfile import ConfigError


def test_config_dir_follows_k9py_config_dir_then_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "mine"))
    assert locations.config_dir() == tmp_path / "mine"
    assert locations.skins_dir() == tmp_path / "mine" / "skins"
    assert locations.context_file("kind-prod") == tmp_path / "mine" / "clusters" / "kind-prod" / "config.yaml"
    monkeypatch.delenv("K9PY_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert locations.config_file() == tmp_path / "xdg" / "k9py" / "config.yaml"
    assert locations.clusters_dir() == tmp_path / "data" / "k9py" / "clusters"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/is/ignored")  # the XDG spec: relative paths are invalid
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert locations.config_dir() == tmp_path / "home" / ".config" / "k9py"


def test_a_context_name_is_one_safe_path_component(monkeypatch, tmp_path):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    path = locations.context_file("arn:aws:eks:eu-west-1:1234:cluster/../../etc")
    assert path.parent.parent == tmp_path / "clusters"
    assert ".." not in path.parts


def test_yaml_file_errors_name_file_line_and_field(tmp_path):
    f = tmp_path / "config.yaml"
    f.write_text("k9py:\n  ui:\n    skin: 3\n")
    doc = yamlfile.load(f)
    assert doc.line("k9py.ui.skin") == 3
    assert str(doc.error("k9py.ui.skin", "must be a string")) == f"{f}:3: k9py.ui.skin: must be a string"
    doc.warn(["k9py", "ui"], "odd")
    assert doc.warnings == [f"{f}:2: k9py.ui: odd"]


@pytest.mark.parametrize(("text", "line", "words"), [
    ("a: [1, 2\n", 2, "yaml:"),
    ("a: 1\na: 2\n", 2, 'mapping key "a" already defined at line 1'),
    ("a: 1\n---\nb: 2\n", 3, "one YAML document expected"),
])
def test_bad_yaml_is_one_line_with_its_line(tmp_path, text, line, words):
    f = tmp_path / "x.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        yamlfile.load(f)
    assert err.value.line == line and words in str(err.value) and "\n" not in str(err.value)


def test_unreadable_file_is_an_error_not_a_crash(tmp_path):
    with pytest.raises(ConfigError, match=r"missing\.yaml: no such file"):
        yamlfile.load(tmp_path / "missing.yaml")
    bad = tmp_path / "bin.yaml"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="cannot read"):
        yamlfile.load(bad)


def test_an_empty_file_is_no_data(tmp_path):
    f = tmp_path / "e.yaml"
    f.write_text("# nothing yet\n")
    assert yamlfile.load(f).data is None


@pytest.mark.parametrize(("written", "key", "shown"), [
    ("Ctrl-L", "ctrl+l", "<ctrl-l>"),  # k9s's plugin/hotkey spelling
    ("ctrl-x", "ctrl+x", "<ctrl-x>"),
    ("ctrl+x", "ctrl+x", "<ctrl-x>"),  # Textual's spelling
    ("Shift-D", "D", "<shift-d>"),
    ("shift-j", "J", "<shift-j>"),
    ("Shift-0", "right_parenthesis", "<)>"),  # a US keyboard, as k9s assumes
    ("?", "question_mark", "<?>"),
    ("F1", "f1", "<f1>"),
    ("Enter", "enter", "<enter>"),
    ("-", "minus", "<->"),
    ("Ctrl--", "ctrl+minus", "<ctrl-->"),
    ("alt-x", "alt+x", "<alt-x>"),
    ("a", "a", "<a>"),
])
def test_keys_as_users_write_them(written, key, shown):
    assert keys.parse_key(written) == key
    assert keys.label(key) == shown


@pytest.mark.parametrize("bad", ["", "Hyper-x", "ctrl-ctrl-x", "ctrl-nosuchkey", "\t", "\x1b"])
def test_bad_keys_say_what_is_wrong(bad):
    with pytest.raises(keys.BadKey):
        keys.parse_key(bad)
