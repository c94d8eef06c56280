"""A replace keeps the stored status without copying what nobody changes (a stored Pod write
shares the old status's parts), copies the caller's status where it is kept, and never lets a
caller's later change, or a change to a dry run's answer, reach the store."""

from __future__ import annotations

import copy

from k9py.sim.cluster import Cluster
from tests.sim.helpers import make_cluster, run_pod


def _running_pod() -> tuple[Cluster, dict, dict, dict]:
    """A cluster, its running pod "web", a copy of it and a body that adds an annotation."""
    c = make_cluster(nodes=1)
    old = run_pod(c, "web")
    body = copy.deepcopy(old)
    body["metadata"]["annotations"] = {"touched": "1"}
    return c, old, copy.deepcopy(old), body


def test_a_pod_replace_keeps_the_stored_status_and_leaves_the_old_version_alone():
    c, old, before, body = _running_pod()
    body["status"] = {"phase": "Failed", "conditions": []}
    new = c.replace(body)
    assert new["status"] == before["status"]
    assert old == before  # the stored old version is not changed
    body["status"]["phase"] = "Unknown"
    assert c.get("Pod", "default", "web")["status"] == before["status"]


def test_a_dry_run_replace_answers_a_status_of_its_own():
    c, _, before, body = _running_pod()
    answer = c.replace(body, dry_run=True)
    answer["status"]["conditions"].clear()
    answer["status"]["phase"] = "Failed"
    assert c.get("Pod", "default", "web") == before


def test_the_status_subresource_stores_a_copy_of_the_callers_status():
    c = make_cluster(nodes=1)
    old = run_pod(c, "web")
    body = copy.deepcopy(old)
    body["status"]["conditions"] = [{"type": "Custom", "status": "True"}]
    c.replace(body, subresource="status")
    body["status"]["conditions"][0]["status"] = "False"
    assert c.get("Pod", "default", "web")["status"]["conditions"] == [{"type": "Custom", "status": "True"}]


def test_a_kept_caller_status_is_a_copy():
    c = make_cluster(nodes=1)
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "default"}, "data": {"a": "1"}})
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "default"},
            "data": {"a": "2"}, "status": {"note": {"x": "1"}}}
    c.replace(body)
    body["status"]["note"]["x"] = "2"
    assert c.get("ConfigMap", "default", "cm")["status"] == {"note": {"x": "1"}}
