"""The bundled scenarios: names for files, titles for `k9py scenario list` and the picker."""

from __future__ import annotations

import os

import pytest

from k9py.errors import K9pyError
from k9py.scenario import catalog


def test_resolve_takes_paths_and_bundled_names():
    bundled = os.path.join(catalog.bundled_dir(), "crashloop.yaml")
    assert catalog.resolve("scenarios/crashloop.yaml") == "scenarios/crashloop.yaml"  # a file wins
    assert catalog.resolve("crashloop") == bundled and catalog.resolve("crashloop.yaml") == bundled
    with pytest.raises(K9pyError, match=r"^nope/crashloop.yaml: no such file$"):
        catalog.resolve("nope/crashloop.yaml")  # a path is never taken for a name


@pytest.mark.parametrize("arg,hint", [
    ("crashlop", "(did you mean crashloop?)"),
    ("rolling", "(did you mean rolling-update?)"),
    ("zzz", "(bundled: crashloop, demo, incident-checkout-oom, jobs-cronjobs, kubeflow, minikube, "
            "node-failure, pv-lifecycle, rolling-update, scaling, self-healing)"),
])
def test_an_unknown_name_lists_close_ones(arg, hint):
    with pytest.raises(K9pyError) as err:
        catalog.resolve(arg)
    assert str(err.value) == f"{arg}: no such file or bundled scenario {hint}"


def test_entries_have_titles():
    entries = {e.name: e for e in catalog.bundled()}
    assert entries["rolling-update"].title == "Rolling update"
    assert entries["demo"].title == "The k9py demo cluster" and entries["demo"].kind == "manifests"
    assert entries["incident-checkout-oom"].title.startswith("Recorded incident: checkout 1.5.0")
    assert all(e.title and e.description and os.path.isfile(e.path) for e in entries.values())


def test_entries_are_read_again_only_when_a_file_changes(tmp_path, monkeypatch):
    """`:scenarios` lists them on the event loop: an unchanged file is not parsed twice."""
    (tmp_path / "one.yaml").write_text("# One: the first\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
    (tmp_path / "broken.yaml").write_text("kind: Scenario\nsteps: [\n")
    parsed = []
    real = catalog.describe
    monkeypatch.setattr(catalog, "describe", lambda p: parsed.append(os.path.basename(p)) or real(p))
    assert [e.title for e in catalog.bundled(str(tmp_path))] == ["", "One"]
    assert [e.title for e in catalog.bundled(str(tmp_path))] == ["", "One"]
    assert sorted(parsed) == ["broken.yaml", "one.yaml"]  # each once, the broken one too
    (tmp_path / "one.yaml").write_text("# Uno: the first, changed\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
    assert [e.title for e in catalog.bundled(str(tmp_path))] == ["", "Uno"]
    assert sorted(parsed) == ["broken.yaml", "one.yaml", "one.yaml"]


def test_minikube_is_a_fresh_cluster_for_following_a_tutorial():
    """`--scenario minikube`: one node, the control plane and its add-ons running, nothing of the
    tutorials (their `kubectl create` says created, not AlreadyExists as on the demo)."""
    from k9py.scenario.loader import load_cluster

    c = load_cluster(catalog.resolve("minikube"))
    assert [n["metadata"]["name"] for n in c.store.list("Node")] == ["minikube"]
    def owner(name: str) -> str:  # a Deployment's or DaemonSet's pod by its owner's name
        return next((o for o in ("coredns", "kube-proxy") if name.startswith(o + "-")), name)
    system = {owner(p["metadata"]["name"]): p["status"]["phase"] for p in c.store.list("Pod", "kube-system")}
    assert system == dict.fromkeys(["coredns", "etcd-minikube", "kube-apiserver-minikube",
                                    "kube-controller-manager-minikube", "kube-proxy", "kube-scheduler-minikube",
                                    "storage-provisioner"], "Running")
    assert c.store.list("Pod", "default") == [] and c.store.list("Deployment", "default") == []
