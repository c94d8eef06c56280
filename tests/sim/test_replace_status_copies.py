"""A replace keeps the stored status without copying what nobody changes (a stored Pod write
shares the old status's parts), copies the caller's status where it is kept, and never lets a
caller's later change, or a change to a dry run's answer, reach the store."""

from __future__ import annotations

import copy

import pytest

from k9py.kube.status import ApiError
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


def test_a_pod_replace_bringing_the_stored_spec_keeps_it_as_it_is():
    c, old, before, _ = _running_pod()
    body = {**old, "metadata": {**old["metadata"], "labels": {"touched": "1"}}}  # the stored spec itself
    new = c.replace(body)
    assert new["spec"] is old["spec"] and new["metadata"]["generation"] == old["metadata"]["generation"]
    assert old == before
    dry = c.replace({**new, "metadata": {**new["metadata"], "labels": {}}}, dry_run=True)
    assert dry["spec"] == new["spec"] and dry["spec"] is not new["spec"]  # a dry run's answer is its own


def test_admission_changes_a_copy_of_a_stored_spec_it_takes_the_long_way_with():
    c = make_cluster(nodes=1)
    # stored without admission, with a spec admission would default (and a qosClass it cannot work out)
    c.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "raw", "namespace": "default"},
                    "spec": {"containers": [{"name": "app", "image": "nginx", "resources": ["x"]}]}})
    stored = c.store.get("Pod", "default", "raw")
    before = copy.deepcopy(stored)
    with pytest.raises(ApiError):  # (defaulted, the spec is one an update may not change)
        c.replace({**stored, "metadata": {**stored["metadata"], "labels": {"a": "b"}}})
    assert stored == before
