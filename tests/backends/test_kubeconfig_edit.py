"""`:ctx`'s kubeconfig writes over several merged files (KUBECONFIG=a:b), as kubectl's
``config rename-context`` / ``delete-context`` write them: the file that defines the context,
a current-context naming it followed, a symlinked file written where it points."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from k9py.backends import kubeconfig as kc
from k9py.errors import K9pyError


def _files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "current-context": "x",
                                 "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}]}))
    b.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "current-context": "y",
                                 "contexts": [{"name": "y", "context": {"cluster": "c", "user": "u"}},
                                              {"name": "x", "context": {"cluster": "shadowed", "user": "u"}}],
                                 "clusters": [{"name": "c", "cluster": {"server": "https://h"}}]}))
    real = tmp_path / "real-a"
    os.replace(a, real)
    a.symlink_to(real)
    return str(a), str(b), real


def test_rename_and_delete_write_the_file_that_defines_the_context(tmp_path):
    a, b, real = _files(tmp_path)
    assert kc.rename_context([a, b], "y", "why") == b
    doc_b = yaml.safe_load(Path(b).read_text())
    assert [c["name"] for c in doc_b["contexts"]] == ["why", "x"] and doc_b["current-context"] == "why"
    assert doc_b["clusters"] == [{"name": "c", "cluster": {"server": "https://h"}}]
    assert kc.rename_context([a, b], "x", "ex") == a  # the first file's x (kubectl's merge), b's shadowed one stays
    assert os.path.islink(a) and yaml.safe_load(real.read_text())["current-context"] == "ex"
    assert [c["name"] for c in yaml.safe_load(Path(b).read_text())["contexts"]] == ["why", "x"]
    with pytest.raises(K9pyError, match='a context named "why" already exists'):
        kc.rename_context([a, b], "ex", "why")
    with pytest.raises(K9pyError, match="may not be empty"):
        kc.rename_context([a, b], "ex", "  ")
    assert kc.delete_context([a, b], "ex") == (a, True)  # it was the current-context: left, as kubectl leaves it
    assert yaml.safe_load(real.read_text())["contexts"] == []
    with pytest.raises(K9pyError, match='no context exists with the name: "nope"'):
        kc.delete_context([a, b], "nope")


def test_a_file_that_is_not_a_kubeconfig_is_not_written(tmp_path):
    f = tmp_path / "kc"
    f.write_text("- just\n- a list\n")
    with pytest.raises(K9pyError, match="not a mapping: not written"):
        kc.rename_context([str(f)], "a", "b")
    assert f.read_text() == "- just\n- a list\n"


def test_a_rename_writes_every_other_value_as_it_was_written(tmp_path):
    """A rename read the file with YAML 1.1's guesses and dumped the values back: a token 0123
    became 83, 0x1F 31, yes true, 1.10 1.1, an expiry another timestamp. client-go reads those
    fields as their text, so a rename changed credentials; each is written back as it was."""
    path = tmp_path / "config"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: a\n"
        "contexts:\n- name: a\n  context: {cluster: c, user: u}\n"
        "clusters:\n- name: c\n  cluster:\n    server: https://h:6443\n    insecure-skip-tls-verify: true\n"
        "users:\n- name: u\n  user:\n    token: 0123\n    username: 0x1F\n    password: 1_000\n"
        "    auth-provider:\n      name: oidc\n      config:\n        flag: yes\n        version: 1.10\n"
        "        quoted: '0123'\n        expiry: 2026-12-01T10:00:00Z\n        empty:\n")
    kc.rename_context([str(tmp_path / "missing"), str(path)], "a", "b")  # a missing file in KUBECONFIG: skipped
    text = path.read_text()
    for kept in ("token: 0123", "username: 0x1F", "password: 1_000", "flag: yes", "version: 1.10",
                 "quoted: '0123'", "expiry: 2026-12-01T10:00:00Z", "insecure-skip-tls-verify: true"):
        assert kept in text, (kept, text)
    doc = yaml.safe_load(text)
    assert doc["current-context"] == "b" and doc["contexts"][0]["name"] == "b"
    assert doc["users"][0]["user"]["auth-provider"]["config"]["empty"] is None
