"""k9py.kube.verbs: each builder against what kubectl sends for the same command."""

from __future__ import annotations

import pytest

from k9py.errors import K9pyError
from k9py.kube import verbs
from k9py.kube.patch import json_patch, strategic_merge_patch

T0 = 1_793_523_600.0  # 2026-11-01T09:00:00Z

TEMPLATE = {"metadata": {"labels": {"app": "web"}},
            "spec": {"initContainers": [{"name": "init", "image": "busybox:1.36"}],
                     "containers": [{"name": "web", "image": "nginx:1.25"}, {"name": "side", "image": "envoy:1"}]}}


def deployment(template=None):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "uid": "d-1", "resourceVersion": "10",
                         "annotations": {"deployment.kubernetes.io/revision": "2"}},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                     "template": template or TEMPLATE},
            "status": {"replicas": 3}}


def replicaset(image="nginx:1.24", owner="web"):
    tmpl = {"metadata": {"labels": {"app": "web", "pod-template-hash": "5b5496bbd9"},
                         "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-01T08:00:00Z"}},
            "spec": {"containers": [{"name": "web", "image": image}]}}
    md = {"name": "web-5b5496bbd9", "namespace": "shop",
          "annotations": {"deployment.kubernetes.io/revision": "1"}}
    if owner:
        md["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "Deployment", "name": owner, "uid": "d-1",
                                  "controller": True, "blockOwnerDeletion": True}]
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": md, "spec": {"template": tmpl}}


def test_scale_is_a_merge_patch_of_the_scale_subresource():
    # kubectl scale deployment/web --replicas=5: PATCH .../deployments/web/scale {"spec":{"replicas":5}}
    assert verbs.scale_patch(5) == {"spec": {"replicas": 5}}
    assert verbs.scale_patch(0) == {"spec": {"replicas": 0}}
    for bad in (-1, 1.5, True):
        with pytest.raises(K9pyError, match="non-negative integer"):
            verbs.scale_patch(bad)


def test_scale_of_is_the_autoscaling_v1_scale():
    assert verbs.scale_of(deployment()) == {
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": "web", "namespace": "shop", "uid": "d-1", "resourceVersion": "10"},
        "spec": {"replicas": 3}, "status": {"replicas": 3, "selector": "app=web"}}


def test_restart_stamps_the_pod_template_with_restarted_at():
    # kubectl rollout restart: a strategic merge patch of the template's annotations
    patch = verbs.restart_patch(T0)
    assert patch == {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": "2026-11-01T09:00:00Z"}}}}}
    out = strategic_merge_patch(deployment(), patch)
    assert out["spec"]["template"]["metadata"] == {"labels": {"app": "web"}, "annotations": {
        "kubectl.kubernetes.io/restartedAt": "2026-11-01T09:00:00Z"}}
    assert out["spec"]["template"]["spec"] == TEMPLATE["spec"]  # nothing else touched


def test_cordon_and_uncordon():
    # kubectl cordon: {"spec":{"unschedulable":true}}; uncordon: {"spec":{"unschedulable":null}}
    assert verbs.cordon_patch(True) == {"spec": {"unschedulable": True}}
    assert verbs.cordon_patch(False) == {"spec": {"unschedulable": None}}
    node = {"kind": "Node", "metadata": {"name": "n1"}, "spec": {"podCIDR": "10.244.0.0/24"}}
    cordoned = strategic_merge_patch(node, verbs.cordon_patch(True))
    assert cordoned["spec"] == {"podCIDR": "10.244.0.0/24", "unschedulable": True}
    assert strategic_merge_patch(cordoned, verbs.cordon_patch(False))["spec"] == {"podCIDR": "10.244.0.0/24"}


def test_set_image_of_a_template_names_only_the_changed_containers():
    # kubectl set image deployment/web web=nginx:1.26 init=busybox:1.37
    patch = verbs.set_image_patch(deployment(), {"web": "nginx:1.26", "init": "busybox:1.37"})
    assert patch == {"spec": {"template": {"spec": {"initContainers": [{"name": "init", "image": "busybox:1.37"}],
                                                    "containers": [{"name": "web", "image": "nginx:1.26"}]}}}}
    out = strategic_merge_patch(deployment(), patch)["spec"]["template"]["spec"]
    assert out["containers"] == [{"name": "web", "image": "nginx:1.26"}, {"name": "side", "image": "envoy:1"}]
    assert out["initContainers"] == [{"name": "init", "image": "busybox:1.37"}]


def test_set_image_of_a_pod_and_of_a_cronjob():
    pod = {"kind": "Pod", "metadata": {"name": "p"}, "spec": TEMPLATE["spec"]}
    assert verbs.set_image_patch(pod, {"side": "envoy:2"}) == {
        "spec": {"containers": [{"name": "side", "image": "envoy:2"}]}}
    cj = {"kind": "CronJob", "metadata": {"name": "c"},
          "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "x:1"}]}}}}}}
    assert verbs.set_image_patch(cj, {"b": "x:2"}) == {"spec": {"jobTemplate": {"spec": {"template": {"spec": {
        "containers": [{"name": "b", "image": "x:2"}]}}}}}}


def test_set_image_of_a_missing_container_is_kubectls_error():
    with pytest.raises(K9pyError, match='unable to find container named "nope"'):
        verbs.set_image_patch(deployment(), {"web": "nginx:1.26", "nope": "x"})


def test_rollback_copies_the_replicaset_template_without_its_hash():
    # kubectl rollout undo deployment/web --to-revision=1: a JSON patch replacing the template
    rs = replicaset()
    assert verbs.rollback_target(rs) == "web"
    patch = verbs.rollback_patch(rs, deployment())
    want = {"metadata": {"labels": {"app": "web"},
                         "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-01T08:00:00Z"}},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.24"}]}}
    assert patch == [{"op": "replace", "path": "/spec/template", "value": want}]
    assert rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] == "5b5496bbd9"  # input untouched
    assert json_patch(deployment(), patch)["spec"]["template"] == want


def test_rollback_refusals():
    with pytest.raises(K9pyError, match="replicaset web-5b5496bbd9 is not owned by a deployment"):
        verbs.rollback_target(replicaset(owner=""))
    current = verbs.rollback_template(replicaset())
    with pytest.raises(K9pyError, match="deployment web is already at the revision of web-5b5496bbd9"):
        verbs.rollback_patch(replicaset(), deployment(current))


def test_job_from_cronjob_is_k9s_trigger():
    cj = {"apiVersion": "batch/v1", "kind": "CronJob",
          "metadata": {"name": "a-very-long-cronjob-name-that-goes-on-and-on-forever", "namespace": "ops",
                       "uid": "cj-1"},
          "spec": {"schedule": "0 3 * * *", "jobTemplate": {
              "metadata": {"labels": {"team": "ops"}, "annotations": {"note": "nightly"}},
              "spec": {"backoffLimit": 2, "template": {"spec": {"containers": [{"name": "b", "image": "busybox"}]}}}}}}
    job = verbs.job_from_cronjob(cj)
    assert job == {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"generateName": "a-very-long-cronjob-name-that-goes-on-and--manual-", "namespace": "ops",
                     "labels": {"team": "ops"},
                     "annotations": {"note": "nightly", "cronjob.kubernetes.io/instantiate": "manual"},
                     "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "uid": "cj-1",
                                          "name": "a-very-long-cronjob-name-that-goes-on-and-on-forever",
                                          "controller": True, "blockOwnerDeletion": True}]},
        "spec": {"backoffLimit": 2, "template": {"spec": {"containers": [{"name": "b", "image": "busybox"}]}}}}
    job["spec"]["backoffLimit"] = 9
    assert cj["spec"]["jobTemplate"]["spec"]["backoffLimit"] == 2  # a copy


def test_suspend_delete_options_and_eviction():
    assert verbs.suspend_patch(True) == {"spec": {"suspend": True}}
    assert verbs.suspend_patch(False) == {"spec": {"suspend": False}}
    assert verbs.delete_options() == {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}
    assert verbs.delete_options(0, "Orphan") == {"kind": "DeleteOptions", "apiVersion": "v1",
                                                 "propagationPolicy": "Orphan", "gracePeriodSeconds": 0}
    assert verbs.eviction("shop", "web-1") == {"apiVersion": "policy/v1", "kind": "Eviction",
                                               "metadata": {"name": "web-1", "namespace": "shop"}}
    assert verbs.eviction("shop", "web-1", 5)["deleteOptions"] == {"gracePeriodSeconds": 5}
