"""Per-context memory (k9s's clusters/<cluster>/<context>/config.yaml): round trip, k9s's file
read as it is, a corrupt file never crashes nor loses anything, writes are atomic."""

import os

import pytest
import yaml

from k9py.config import context_state, locations
from k9py.config.context_state import ContextState

# k9s's own per-context file (internal/config/data/testdata/data/k9s/cl-1/ct-1-1/config.yaml)
K9S_CONTEXT = """\
k9s:
  cluster: cl-1
  skin: skin-1
  readOnly: false
  namespace:
    active: ns-1
    lockFavorites: true
    favorites:
    - default
    - ns-1
    - ns-2
  view:
    active: dp
  featureGates:
    nodeShell: true
"""


@pytest.fixture
def cfg(monkeypatch, tmp_path):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    return tmp_path


def test_nothing_remembered_yet(cfg):
    state, warnings = context_state.load("kind-prod")
    assert warnings == [] and state.namespace is None and state.favorites == [] and state.view is None
    assert state.read_only is None and state.skin is None


def test_round_trip(cfg):
    state = ContextState("kind-prod", cluster="kind-prod", namespace="shop", favorites=["shop", "default", "kube-system"],
                         view="deploy")
    path = context_state.save(state)
    assert path == locations.context_file("kind-prod", "kind-prod") == cfg / "clusters/kind-prod/kind-prod/config.yaml"
    back, warnings = context_state.load("kind-prod", cluster="kind-prod")
    assert warnings == []
    assert (back.namespace, back.favorites, back.view, back.cluster) == ("shop", ["shop", "default", "kube-system"],
                                                                          "deploy", "kind-prod")
    doc = yaml.safe_load(path.read_text())
    assert doc == {"k9py": {"cluster": "kind-prod", "namespace": {"active": "shop", "lockFavorites": False,
                                                                  "favorites": ["shop", "default", "kube-system"]},
                            "view": {"active": "deploy"}}}


def test_all_namespaces_is_written_as_k9s_all(cfg):
    context_state.save(ContextState("c", namespace="", favorites=["default"]))
    assert "active: all" in locations.context_file("c").read_text()
    assert context_state.load("c")[0].namespace == ""


def test_a_k9s_context_file_loads_and_keeps_what_k9py_does_not_manage(cfg):
    path = locations.context_file("ct-1-1")
    path.parent.mkdir(parents=True)
    path.write_text(K9S_CONTEXT)
    state, warnings = context_state.load("ct-1-1")
    assert warnings == []
    assert (state.namespace, state.favorites, state.view) == ("ns-1", ["default", "ns-1", "ns-2"], "dp")
    assert state.skin == "skin-1" and state.read_only is False and state.lock_favorites
    assert state.node_shell  # featureGates.nodeShell: `s` on a node may start its privileged pod
    assert not context_state.load("other")[0].node_shell
    state.namespace, state.favorites, state.view = "ns-2", ["ns-2", "default"], "pods"
    context_state.save(state)
    doc = yaml.safe_load(path.read_text())["k9s"]
    assert doc["featureGates"] == {"nodeShell": True} and doc["skin"] == "skin-1" and doc["readOnly"] is False
    assert doc["namespace"]["active"] == "ns-2" and doc["view"]["active"] == "pods"
    assert doc["namespace"]["favorites"] == ["default", "ns-1", "ns-2"]  # lockFavorites: kept as written


def test_favourites_are_cleaned_and_capped_at_nine(cfg):
    names = [f"ns-{i}" for i in range(12)]
    context_state.save(ContextState("c", favorites=["ns-0", *names, "all", ""]))
    assert context_state.load("c")[0].favorites == names[:9]


@pytest.mark.parametrize("text,where", [
    ("k9py:\n  namespace: [broken\n", ":3: yaml:"),
    ("k9py: [1]\n", ":1: k9py: must be a mapping"),
    ("\x00\x01binary", ": "),
])
def test_a_corrupt_file_is_a_warning_never_a_crash(cfg, text, where):
    path = locations.context_file("kind-prod")
    path.parent.mkdir(parents=True)
    path.write_text(text)
    other = locations.context_file("kind-dev")
    context_state.save(ContextState("kind-dev", namespace="dev", favorites=["dev"]))
    before = other.read_bytes()
    state, warnings = context_state.load("kind-prod")
    assert len(warnings) == 1 and warnings[0].startswith(str(path)) and where in warnings[0]
    assert "ignored" in warnings[0] and state.corrupt and state.namespace is None
    state.namespace, state.favorites = "shop", ["shop"]
    context_state.save(state)
    # the broken file is kept aside, the new one is good, the other context's file is untouched
    assert path.with_name("config.yaml.corrupt").read_text() == text
    assert context_state.load("kind-prod") == (context_state.load("kind-prod")[0], [])
    assert context_state.load("kind-prod")[0].namespace == "shop"
    assert other.read_bytes() == before


def test_a_write_is_atomic(cfg, monkeypatch):
    """A write that fails half way leaves the old file whole and no temporary file behind."""
    context_state.save(ContextState("c", namespace="old", favorites=["old"]))
    path = locations.context_file("c")
    before = path.read_text()

    def boom(fd):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="No space left"):
        context_state.save(ContextState("c", namespace="new", favorites=["new"]))
    assert path.read_text() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["config.yaml"]


def test_a_symlinked_file_is_written_through_its_link(cfg, tmp_path):
    """A dotfiles manager's link (stow) stays a link: the save lands in the file it points to,
    as k9s's os.WriteFile does (the rename replaced the link with a copy the dotfiles never saw)."""
    dotfiles = tmp_path / "dotfiles" / "config.yaml"
    dotfiles.parent.mkdir()
    dotfiles.write_text("k9py:\n  readOnly: true\n")
    path = locations.context_file("prod")
    path.parent.mkdir(parents=True)
    path.symlink_to(dotfiles)
    state, _ = context_state.load("prod")
    state.namespace = "shop"
    context_state.save(state)
    assert path.is_symlink() and os.readlink(path) == str(dotfiles)
    saved = yaml.safe_load(dotfiles.read_text())["k9py"]
    assert saved["readOnly"] is True and saved["namespace"]["active"] == "shop"


def test_a_context_name_cannot_escape_the_clusters_dir(cfg):
    context_state.save(ContextState("arn:aws:eks:eu-west-1:1234:cluster/../../prod", namespace="x"))
    files = list((cfg / "clusters").rglob("config.yaml"))
    assert len(files) == 1 and files[0].parent.parent == cfg / "clusters"


def test_the_file_is_where_k9s_keeps_it_with_k9s_names(cfg):
    """k9s's clusters/<cluster>/<context>/ with its SanitizeFileName (`:` and `/` runs → `-`): an
    EKS context's folder copied from k9s is the one k9py reads. A name k9s would take as a path
    stays inside clusters/."""
    arn = "arn:aws:eks:eu-west-1:123456789012:cluster/prod"
    assert locations.context_file(arn, arn) == (
        cfg / "clusters/arn-aws-eks-eu-west-1-123456789012-cluster-prod/arn-aws-eks-eu-west-1-123456789012-cluster-prod"
              "/config.yaml")
    assert locations.context_file("admin@kubernetes", "kubernetes") == cfg / "clusters/kubernetes/admin@kubernetes/config.yaml"
    assert locations.context_file("..", "..") == cfg / "clusters/_/_/config.yaml"
    assert locations.context_file("ctx") == cfg / "clusters/ctx/config.yaml"  # no cluster: k9s's join of ""



def test_a_context_named_past_the_file_systems_limit_is_remembered(cfg):
    """A kubeconfig context (and cluster) named at length, over 255 bytes: k9py started on it
    with a traceback (File name too long) and could not switch to it: its folder keeps the
    name's first 200 bytes and a digest, so two such names stay apart."""
    long, other = "ctx-" + "x" * 300, "ctx-" + "x" * 299 + "y"
    state, warnings = context_state.load(long, cluster=long)
    assert warnings == [] and state.namespace is None
    context_state.save(ContextState(long, cluster=long, namespace="shop"))
    context_state.save(ContextState(other, cluster=long, namespace="other"))
    assert context_state.load(long, cluster=long)[0].namespace == "shop"
    assert context_state.load(other, cluster=long)[0].namespace == "other"
    folder = locations.context_dir(long, long)
    assert all(len(part.encode()) <= 255 for part in folder.parts) and folder.name.startswith("ctx-xxx")
    wide = "中" * 100  # 300 bytes in 100 characters
    assert len(locations.context_dir(wide).name.encode()) <= 255
    assert not locations.legacy_context_file(long).is_file()  # the old layout's name is read without an error


@pytest.mark.parametrize("bad, where", [
    ("    favorites: shop\n", ":6: k9py.namespace.favorites: must be a list of strings, not a string: ignored"),
    ("    activ: shop\n", ":6: k9py.namespace.activ: unknown key (did you mean active?): ignored"),
])
def test_a_wrong_field_is_left_out_and_the_rest_applies(cfg, bad, where):
    """One wrong field (a favourites typo) made the whole file ignored: the readOnly: true
    written by hand for a production context was dropped, k9py opened it read-write, and the
    next save put the file aside as .corrupt without it. The field is said and left out;
    readOnly, the skin, the namespace and the view apply and are saved back. The file as the
    user wrote it (the value left out, the comments) is kept as .corrupt: nothing is lost."""
    path = locations.context_file("prod", "kind-prod")
    path.parent.mkdir(parents=True)
    text = ("k9py:\n  readOnly: true   # prod!\n  skin: red\n  namespace:\n    active: shop\n" + bad
            + "  view:\n    active: deploy\n")
    path.write_text(text)
    state, warnings = context_state.load("prod", cluster="kind-prod")
    assert [w.removeprefix(str(path)) for w in warnings] == [where]
    assert (state.read_only, state.skin, state.namespace, state.view, state.corrupt) == (True, "red", "shop", "deploy", False)
    context_state.save(state)
    doc = yaml.safe_load(path.read_text())["k9py"]
    assert doc["readOnly"] is True and doc["skin"] == "red" and doc["view"]["active"] == "deploy"
    assert path.with_name("config.yaml.corrupt").read_text() == text
    state, _ = context_state.load("prod", cluster="kind-prod")
    context_state.save(state)  # saved again: the first copy, the user's, stays
    assert path.with_name("config.yaml.corrupt").read_text() == text
