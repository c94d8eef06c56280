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
    ("zzz", "(bundled: admission-policy, crashloop, demo, incident-checkout-oom, jobs-cronjobs, kubeflow, minikube, "
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


def test_minikube_s_system_pods_log_nothing_about_objects_it_does_not_have():
    """The control plane's logs over an hour name no namespace but the cluster's own and no
    object of the demo (the provisioner spoke of kubeflow/workspace-my-notebook every ~40 s)."""
    import re

    from k9py.scenario.loader import load_cluster
    from k9py.sim.logs import container_logs

    c = load_cluster(catalog.resolve("minikube"))
    c.advance(3600)
    namespaces = {n["metadata"]["name"] for n in c.store.list("Namespace")}
    lines = [line for p in c.store.list("Pod", "kube-system")
             for line in container_logs(c, "kube-system", p["metadata"]["name"])]
    assert len(lines) > 20
    named = {m for line in lines for m in re.findall(r'(?:key|pod|object|service|provision )="?([a-z0-9-]+)/', line)}
    assert named <= namespaces, named - namespaces
    assert not [line for line in lines if re.search(r"my-nginx|nginx-deployment|workspace-my-notebook|minikube-m0", line)]


def test_minikube_s_system_pods_use_what_idle_ones_do_not_a_share_of_their_requests():
    """`kubectl top pod -n kube-system` on a fresh minikube: coredns at a few millicores and ~15Mi
    although it requests 100m and 70Mi (it showed 73m / 56Mi); the apiserver the busiest."""
    from k9py.kube.quantity import parse as parse_quantity
    from k9py.scenario.loader import load_cluster
    from k9py.sim import metrics

    c = load_cluster(catalog.resolve("minikube"))
    c.advance(600)
    usage = {}
    for pm in metrics.list_pod_metrics(c, "kube-system"):
        name = pm["metadata"]["name"].split("-")[0] if pm["metadata"]["name"].startswith("coredns") else pm["metadata"]["name"]
        [u] = pm["containers"]
        usage[name] = (float(parse_quantity(u["usage"]["cpu"])) * 1000, float(parse_quantity(u["usage"]["memory"])) / 2**20)
    cpu, mem = usage["coredns"]
    assert cpu < 6 and 8 < mem < 25
    assert max(usage, key=lambda n: usage[n][0]) == "kube-apiserver-minikube"
    assert usage["kube-scheduler-minikube"][0] < 6 and usage["storage-provisioner"][0] < 3
