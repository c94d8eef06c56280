import pytest

from k9py.view.kinds import (
    BY_NAME,
    REQUESTS,
    command_in,
    complete,
    drill,
    known_command,
    lookup,
    owner_scope,
    parse_command,
)
from tests.samples import small_cluster

K9S_ALIASES = {"po": "pods", "pods": "pods", "dp": "deployments", "deploy": "deployments", "svc": "services",
               "no": "nodes", "ns": "namespaces", "pv": "persistentvolumes", "pvc": "persistentvolumeclaims",
               "cm": "configmaps", "sec": "secrets", "ev": "events", "sts": "statefulsets", "ds": "daemonsets",
               "job": "jobs", "cj": "cronjobs", "rs": "replicasets", "ing": "ingresses", "sa": "serviceaccounts",
               "ctx": "contexts", "ep": "endpoints", "sc": "storageclasses", "quota": "resourcequotas"}


@pytest.mark.parametrize("alias,view", sorted(K9S_ALIASES.items()))
def test_k9s_aliases(alias, view):
    assert lookup(alias).name == view
    assert parse_command(f":{alias}").view.name == view


def test_every_view_of_the_issue_is_there():
    wanted = ["namespaces", "nodes", "pods", "containers", "deployments", "replicasets", "statefulsets",
              "daemonsets", "jobs", "cronjobs", "services", "endpoints", "ingresses", "configmaps", "secrets",
              "persistentvolumes", "persistentvolumeclaims", "storageclasses", "events", "serviceaccounts",
              "resourcequotas", "contexts"]
    assert all(w in BY_NAME for w in wanted)
    assert not BY_NAME["nodes"].namespaced and BY_NAME["pods"].namespaced


def test_command_arguments():
    assert parse_command("q").quit and parse_command(":quit").quit
    c = parse_command(":po kube-system")
    assert (c.view.name, c.namespace, c.labels, c.filter) == ("pods", "kube-system", None, None)
    c = parse_command("po app=nginx")
    assert (c.namespace, c.labels) == (None, "app=nginx")
    c = parse_command("po /nginx")
    assert c.filter == "nginx"
    assert parse_command("po -A").namespace == ""
    assert parse_command("po all").namespace == ""
    assert parse_command("nope").error == "`nope` command not found"


def test_a_command_in_another_namespace_keeps_its_selector_filter_and_contexts():
    assert command_in("cm default", "kube-system") == "cm kube-system"
    assert command_in("po -n a -l app=web /ng inx", "") == "po all -l app=web /ng inx"
    assert command_in("deploy shop --contexts a,b", "x") == "deploy x --contexts=a,b"
    again = parse_command(command_in("po -A app=web /x", "b"))
    assert (again.view.name, again.namespace, again.labels, again.filter) == ("pods", "b", "app=web", "x")
    assert command_in("nodes /gpu", "kube-system") == "nodes /gpu"  # cluster-wide: as it was


def test_known_commands_are_views_and_screens():
    assert all(known_command(c) for c in ("po kube-system", ":deploy", "pulses", "xray dp", "rewind 5m"))
    assert not any(known_command(c) for c in ("bogus", "crontabs", ""))


@pytest.mark.parametrize("word,request_", [("bench", "benchmarks"), ("be", "benchmarks"), ("d", "dir"),
                                            ("pf", "portforwards"), ("hz", "pulses"), ("x", "xray")])
def test_k9s_screen_aliases(word, request_):
    """k9s's config/alias.go loadDefaultAliases: `:bench` (k9s's own benchmark alias), `:d /tmp`..."""
    assert REQUESTS[word] == request_ and known_command(f":{word}")


def test_completion():
    assert complete("dep")[:2] == ["deploy", "deployment"]
    assert "po" in complete("p") and complete("zzz") == []


def test_drill_down_targets():
    c = small_cluster()
    pods = c.store.list("Pod")
    dep = c.store.get("Deployment", "default", "nginx-deployment")
    s = drill(BY_NAME["deployments"], dep)
    assert (s.view.name, s.namespace, s.label) == ("pods", "default", "app=nginx")
    assert sorted(p["metadata"]["name"] for p in pods if s.predicate(p))[0].startswith("nginx-deployment-")
    assert sum(map(s.predicate, pods)) == 3
    svc = c.store.get("Service", "default", "my-nginx")
    assert sum(map(drill(BY_NAME["services"], svc).predicate, pods)) == 3
    # a Service without selector selects nothing
    assert sum(map(drill(BY_NAME["services"], c.store.get("Service", "default", "kubernetes")).predicate, pods)) == 0
    node = drill(BY_NAME["nodes"], c.store.get("Node", None, "minikube"))
    assert node.namespace == "" and sum(map(node.predicate, pods)) == 2
    ns = drill(BY_NAME["namespaces"], c.store.get("Namespace", None, "kube-system"))
    assert (ns.view.name, ns.namespace, ns.predicate) == ("pods", "kube-system", None)
    co = drill(BY_NAME["pods"], c.store.get("Pod", "default", "counter"))
    assert co.view.name == "containers" and co.pod == ("default", "counter")
    assert drill(BY_NAME["configmaps"], c.store.get("ConfigMap", "default", "app-config")) is None


def test_owner_jump():
    c = small_cluster()
    pod = c.store.list("Pod", "default")[2]
    assert owner_scope(pod) == ("replicasets", "default", "nginx-deployment-77d8468669")
    assert owner_scope(c.store.get("Pod", "default", "counter")) is None
