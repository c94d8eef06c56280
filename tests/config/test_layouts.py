"""layouts.yaml: named pane layouts (`:layout save NAME`), read back as saved; a wrong file is
FILE:LINE."""

import pytest

from k9py.config import layouts
from k9py.config.yamlfile import ConfigError

TREE = [{"split": "v", "panes": [{"split": "h", "panes": [{"view": "pods default"}, {"view": "dp"}]},
                                 {"logs": "cursor", "follows": 0}]},
        {"view": "svc kube-system"}]


def test_saved_layouts_read_back_and_keep_each_other(tmp_path):
    f = tmp_path / "layouts.yaml"
    assert layouts.load(f) == {}
    layouts.save("work", TREE, f)
    layouts.save("one", [{"view": "pods"}], f)
    assert layouts.load(f) == {"work": TREE, "one": [{"view": "pods"}]}


@pytest.mark.parametrize("text, where", [
    ("layouts:\n  a:\n    - split: x\n      panes: [{view: pods}]\n", ":3: layouts.a[0].split: must be h"),
    ("layouts:\n  a:\n    - {view: ''}\n", ":3: layouts.a[0].view"),
    ("layouts:\n  a:\n    - {logs: cursor, follows: -1}\n", ":3: layouts.a[0].follows"),
    ("layouts:\n  a: []\n", "layouts.a: must be a list of tabs"),
    ("other: 1\n", "other: unknown key"),
    ("layouts:\n  a:\n    - {panes: 3}\n", "layouts.a[0]: must be {view: COMMAND}"),
    ("layouts:\n  a:\n    - {logs: cursor, folows: 1}\n", "layouts.a[0].folows: unknown key (did you mean follows?)"),
    ("layouts:\n  a:\n    - {view: pods, split: h}\n", "layouts.a[0].view: unknown key"),
    ("layouts:\n  a:\n    - {view: pods}\n    - split: h\n      panes: [{logs: cursor}]\n",
     ":4: layouts.a[1]: a tab needs a {view: COMMAND} pane"),
])
def test_a_wrong_file_says_where(tmp_path, text, where):
    f = tmp_path / "layouts.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        layouts.load(f)
    assert where in str(err.value)


def test_a_hand_written_file_cannot_ask_for_thousands_of_panes(tmp_path):
    f = tmp_path / "layouts.yaml"
    f.write_text("layouts:\n  a:\n    - split: h\n      panes:\n" + "        - {view: pods}\n" * 17)
    with pytest.raises(ConfigError, match="at most 16 panes"):
        layouts.load(f)


def test_a_layouts_file_that_is_a_directory_or_a_broken_link_is_its_error_not_no_layouts(tmp_path):
    """layouts.yaml as a directory or a symbolic link to nothing was read as no layouts at all
    (`:layout NAME` said there was none): it is the file's one-line error, as config.yaml's is."""
    f = tmp_path / "layouts.yaml"
    f.mkdir()
    with pytest.raises(ConfigError, match=r"layouts\.yaml: is a directory, not a YAML file$"):
        layouts.load(f)
    f.rmdir()
    f.symlink_to(tmp_path / "dotfiles" / "layouts.yaml")
    with pytest.raises(ConfigError, match=r"layouts\.yaml: no such file: a symbolic link to .*, which is not there$"):
        layouts.load(f)
