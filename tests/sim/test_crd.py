"""CustomResourceDefinitions in the simulator: admission, custom resources stored and served like
any kind (SimBackend included), cleanup; and the RBAC objects every cluster starts with."""

from __future__ import annotations

import asyncio
import re

import pytest

from k9py.backends.base import StatusError
from k9py.backends.events import Added, Deleted, Listed, Synced
from k9py.backends.sim import SimBackend
from k9py.kube.meta import deep_copy
from k9py.kube.status import ApiError
from k9py.sim.cluster import Cluster
from tests.crds import add_crontabs, crontab, crontab_crd

CRD = "CustomResourceDefinition"


@pytest.fixture
def cluster() -> Cluster:
    return Cluster(seed=3)


def _invalid(cluster: Cluster, crd: dict) -> str:
    with pytest.raises(ApiError) as err:
        cluster.create(crd)
    assert err.value.code == 422 and err.value.reason == "Invalid"
    return err.value.message


def test_a_crd_is_established_with_its_defaults(cluster):
    out = cluster.create(crontab_crd())
    names = out["spec"]["names"]
    assert names["listKind"] == "CronTabList" and names["singular"] == "crontab"
    conds = {c["type"]: c["status"] for c in out["status"]["conditions"]}
    assert conds == {"NamesAccepted": "True", "Established": "True"}
    assert out["status"]["acceptedNames"]["shortNames"] == ["ct"] and out["status"]["storedVersions"] == ["v1"]
    assert out["metadata"]["finalizers"] == ["customresourcecleanup.apiextensions.k8s.io"]
    assert out["metadata"]["generation"] == 1
    res = cluster.api_resources().kind("CronTab")
    assert res is not None and (res.plural, res.group, res.version, res.namespaced, res.short_names) == (
        "crontabs", "stable.example.com", "v1", True, ("ct",))
    assert [c.name for c in res.printer_columns] == ["Spec", "Replicas", "Image", "Age"]
    assert res.crd == "crontabs.stable.example.com"


@pytest.mark.parametrize(("change", "message"), [
    ({"metadata": {"name": "crontabs.example.com"}},
     'metadata.name: Invalid value: "crontabs.example.com": must be spec.names.plural+"."+spec.group'),
    ({"spec": {"group": "example"}}, 'spec.group: Invalid value: "example": should be a domain with at least one dot'),
    ({"spec": {"names": {"kind": "CronTab"}}}, "spec.names.plural: Required value"),
    ({"spec": {"names": {"plural": "crontabs"}}}, "spec.names.kind: Required value"),
    ({"spec": {"names": {"plural": "crontabs", "kind": "CronTab", "shortNames": ["CT"]}}},
     'spec.names.shortNames[0]: Invalid value: "CT": a lowercase RFC 1123 label'),
    ({"spec": {"scope": "Global"}}, 'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"'),
    ({"spec": {"versions": []}}, "spec.versions: Required value: must have at least one version"),
    ({"spec": {"versions": [{"name": "v1", "served": True, "storage": False,
                             "schema": {"openAPIV3Schema": {"type": "object"}}}]}},
     "spec.versions: Invalid value: must have exactly one version marked as storage version"),
    ({"spec": {"versions": [{"name": "v1", "served": True, "storage": True}]}},
     "spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"),
    ({"spec": {"versions": [{"name": "V1", "served": True, "storage": True,
                             "schema": {"openAPIV3Schema": {"type": "object"}}}]}},
     'spec.versions[0].name: Invalid value: "V1": a DNS-1035 label'),
    ({"spec": {"versions": [{"name": "v1", "served": True, "storage": True,
                             "schema": {"openAPIV3Schema": {"type": "object"}},
                             "additionalPrinterColumns": [{"name": "X", "type": "text", "jsonPath": ".spec.x"}]}]}},
     'spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "text": supported values: "boolean", '
     '"date", "integer", "number", "string"'),
    ({"spec": {"versions": [{"name": "v1", "served": True, "storage": True,
                             "schema": {"openAPIV3Schema": {"type": "object"}},
                             "additionalPrinterColumns": [{"name": "X", "type": "string", "jsonPath": "spec.x"}]}]}},
     'spec.versions[0].additionalPrinterColumns[0].jsonPath: Invalid value: "spec.x": must be a simple json path '
     "starting with ."),
])
def test_crd_validation(cluster, change, message):
    crd = crontab_crd()
    for part, values in change.items():
        crd[part] = {**crd[part], **values}
    assert message in _invalid(cluster, crd)
    assert cluster.store.count(CRD) == 0


def test_a_kind_the_store_already_keys_is_refused(cluster):
    pods = crontab_crd(group="example.com", names={"plural": "pods", "kind": "Pod"})
    pods["metadata"]["name"] = "pods.example.com"
    assert "Pod is already a built-in kind (v1)" in _invalid(cluster, pods)
    cluster.create(crontab_crd())
    other = crontab_crd(group="other.example.com")
    other["metadata"]["name"] = "crontabs.other.example.com"
    assert 'CustomResourceDefinition "crontabs.stable.example.com" already defines it' in _invalid(cluster, other)


def test_custom_resources_are_stored_versioned_and_named_like_the_apiserver_does(cluster):
    add_crontabs(cluster)
    assert [o["metadata"]["name"] for o in cluster.list("CronTab")] == ["every-5m", "nightly", "cleanup"]
    ct = deep_copy(cluster.get("CronTab", "default", "nightly"))
    assert ct["apiVersion"] == "stable.example.com/v1" and ct["metadata"]["generation"] == 1
    ct["spec"]["replicas"] = 4
    assert cluster.replace(ct)["metadata"]["generation"] == 2
    with pytest.raises(ApiError, match=re.escape('crontabs.stable.example.com "nope" not found')):
        cluster.get("CronTab", "default", "nope")
    with pytest.raises(ApiError, match=re.escape('no matches for kind "CronTab" in version "stable.example.com/v2"')):
        cluster.create(crontab("x", version="v2"))
    with pytest.raises(ApiError, match='namespaces "nosuchns" not found'):
        cluster.create(crontab("x", "nosuchns"))
    with pytest.raises(ApiError, match=re.escape("metadata.name")):
        cluster.create(crontab("Not_A_Name"))
    # without a status subresource, status is part of the object; with one it is kept apart
    ct = cluster.get("CronTab", "default", "nightly")
    assert cluster.replace({**ct, "status": {"lastRun": "now"}})["status"] == {"lastRun": "now"}


def test_several_versions_store_the_preferred_one(cluster):
    schema = {"openAPIV3Schema": {"type": "object"}}
    cluster.create(crontab_crd(versions=[
        {"name": "v1beta1", "served": True, "storage": False, "schema": schema},
        {"name": "v1", "served": True, "storage": True, "schema": schema,
         "subresources": {"status": {}}}]))
    registry = cluster.api_resources()
    assert [r.version for r in registry.custom] == ["v1", "v1beta1"]
    assert registry.groups()["stable.example.com"] == ["v1", "v1beta1"]
    assert registry.kind("CronTab").printer_columns[0].name == "Age"  # no columns: the apiserver's Age
    made = cluster.create(crontab("old", version="v1beta1"))
    assert made["apiVersion"] == "stable.example.com/v1"
    assert cluster.replace({**made, "status": {"lastRun": "now"}}).get("status") is None  # status subresource


def test_deleting_the_crd_deletes_its_objects_first(cluster):
    add_crontabs(cluster)
    gone = cluster.delete(CRD, None, "crontabs.stable.example.com")
    assert gone["metadata"].get("deletionTimestamp")  # Terminating until its objects are gone
    cluster.settle()
    assert cluster.store.count("CronTab") == 0 and cluster.store.count(CRD) == 0
    assert cluster.api_resources().kind("CronTab") is None
    with pytest.raises(ApiError, match="the server could not find the requested resource"):
        cluster.create(crontab("late"))


def test_a_deleted_namespace_takes_its_custom_resources(cluster):
    add_crontabs(cluster)
    cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    cluster.create(crontab("backup", "team"))
    cluster.delete("Namespace", None, "team")
    cluster.settle()
    assert cluster.store.get("Namespace", None, "team") is None
    assert [o["metadata"]["name"] for o in cluster.list("CronTab")] == ["every-5m", "nightly", "cleanup"]


def test_cluster_scoped_custom_resources(cluster):
    crd = crontab_crd(scope="Cluster", group="example.com",
                      names={"plural": "widgets", "kind": "Widget"})
    crd["metadata"]["name"] = "widgets.example.com"
    cluster.create(crd)
    w = cluster.create({"apiVersion": "example.com/v1", "kind": "Widget",
                        "metadata": {"name": "w1", "namespace": "default"}})
    assert "namespace" not in w["metadata"]
    assert cluster.get("Widget", "whatever", "w1")["metadata"]["name"] == "w1"


def test_the_sim_backend_serves_custom_kinds(cluster):
    add_crontabs(cluster)
    backend = SimBackend(cluster)

    async def main():
        kinds = {r.kind: r for r in backend.kinds()}
        assert kinds["CronTab"].short_names == ("ct",) and kinds[CRD].group == "apiextensions.k8s.io"
        assert [o["metadata"]["name"] for o in await backend.list("CronTab", "default")] == ["every-5m", "nightly"]
        assert len(await backend.list("CronTab")) == 3
        assert (await backend.get("CronTab", "kube-system", "cleanup"))["spec"]["replicas"] == 3
        events = backend.watch("CronTab", "default")
        first = await anext(events)
        assert isinstance(first, Listed) and len(first.objs) == 2
        assert isinstance(await anext(events), Synced)
        await backend.create(crontab("hourly", spec="@hourly"))
        assert isinstance(added := await anext(events), Added) and added.obj["metadata"]["name"] == "hourly"
        await backend.delete("CronTab", "default", "hourly")
        assert isinstance(await anext(events), Deleted)
        await events.aclose()
        patched = await backend.patch("CronTab", "default", "nightly", {"spec": {"replicas": 9}}, patch_type="strategic")
        assert patched["spec"]["replicas"] == 9  # CRDs have no strategic merge: a merge patch
        with pytest.raises(StatusError) as err:
            await backend.get("CronTab", "default", "nope")
        assert err.value.code == 404
    asyncio.run(main())


# -- RBAC ----------------------------------------------------------------------------------------------

def test_every_cluster_starts_with_the_default_rbac(cluster):
    names = [o["metadata"]["name"] for o in cluster.list("ClusterRole")]  # a kubeadm cluster's bootstrap policy
    assert {"admin", "cluster-admin", "edit", "view", "system:discovery", "system:node"} <= set(names) and len(names) == 63
    crb = cluster.get("ClusterRoleBinding", None, "cluster-admin")
    assert crb["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}]
    assert cluster.get("RoleBinding", "kube-system", "kube-proxy")["roleRef"]["name"] == "kube-proxy"


def test_bindings_are_validated(cluster):
    rb = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
          "metadata": {"name": "readers", "namespace": "default"},
          "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
          "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": "default"}]}
    made = deep_copy(cluster.create(rb))  # the store's own snapshot: never changed in place
    assert made["subjects"][0]["apiGroup"] == ""
    made["roleRef"] = {**made["roleRef"], "name": "edit"}
    with pytest.raises(ApiError, match="roleRef: Invalid value: cannot change roleRef"):
        cluster.replace(made)
    crb = {**rb, "kind": "ClusterRoleBinding", "metadata": {"name": "bad"},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "view"},
           "subjects": [{"kind": "Robot", "name": "r2"}, {"kind": "ServiceAccount", "name": "default"}]}
    with pytest.raises(ApiError) as err:
        cluster.create(crb)
    assert err.value.message == (
        'ClusterRoleBinding.rbac.authorization.k8s.io "bad" is invalid: [roleRef.kind: Unsupported value: "Role": '
        'supported values: "ClusterRole", subjects[0].kind: Unsupported value: "Robot": supported values: '
        '"ServiceAccount", "User", "Group", subjects[1].namespace: Required value]')
    with pytest.raises(ApiError, match=r"rules\[0\].verbs: Required value"):
        cluster.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                        "metadata": {"name": "r", "namespace": "default"},
                        "rules": [{"apiGroups": [""], "resources": ["pods"]}]})


def test_a_custom_resource_is_validated_against_its_crds_schema(cluster):
    """`kubectl apply` of a CronTab with `replicas: "two"` was stored as given; the apiserver
    answers 422 with one cause per field its openAPIV3Schema refuses."""
    crd = crontab_crd()
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec["required"] = ["image"]
    spec["properties"]["replicas"].update(minimum=1, maximum=10)
    spec["properties"]["policy"] = {"type": "string", "enum": ["Allow", "Forbid"]}
    cluster.create(crd)
    bad = crontab("bad")
    bad["spec"].update(cronSpec=5, replicas="two", policy="Sometimes")
    del bad["spec"]["image"]
    with pytest.raises(ApiError) as err:
        cluster.create(bad)
    assert (err.value.code, err.value.reason) == (422, "Invalid")
    assert [(c["field"], c["message"]) for c in err.value.causes] == [
        ("spec.image", "Required value"),
        ("spec.cronSpec", 'Invalid value: "integer": spec.cronSpec in body must be of type string: "integer"'),
        ("spec.replicas", 'Invalid value: "string": spec.replicas in body must be of type integer: "string"'),
        ("spec.policy", 'Unsupported value: "Sometimes": supported values: "Allow", "Forbid"')]
    assert err.value.message.startswith('CronTab.stable.example.com "bad" is invalid: [spec.image: Required value, ')
    good = cluster.create(crontab("good", replicas=3))
    too_many = deep_copy(good)
    too_many["spec"]["replicas"] = 11
    with pytest.raises(ApiError) as err:
        cluster.replace(too_many)
    assert [c["message"] for c in err.value.causes] == [
        "Invalid value: 11: spec.replicas in body should be less than or equal to 10"]
    assert cluster.store.get("CronTab", "default", "good")["spec"]["replicas"] == 3


def test_errors_about_a_custom_resource_name_its_plural_and_group(cluster):
    """`kubectl create -f` of a CronTab twice said `crontab "x" already exists` (the store's
    fallback for a kind it does not know), details {kind: CronTab}; the apiserver names the
    resource: `crontabs.stable.example.com "x" already exists`, details {group, kind: crontabs}."""
    add_crontabs(cluster)
    with pytest.raises(ApiError) as err:
        cluster.create(crontab("nightly"))
    assert err.value.message == 'crontabs.stable.example.com "nightly" already exists'
    assert err.value.to_status()["details"] == {"name": "nightly", "group": "stable.example.com", "kind": "crontabs"}
    stale = deep_copy(cluster.get("CronTab", "default", "nightly"))
    stale["metadata"]["resourceVersion"] = "1"
    with pytest.raises(ApiError) as err:
        cluster.replace(stale)
    assert err.value.message.startswith('Operation cannot be fulfilled on crontabs.stable.example.com "nightly": ')
    with pytest.raises(ApiError) as err:
        cluster.delete("CronTab", "default", "nope")
    assert err.value.message == 'crontabs.stable.example.com "nope" not found'
    assert err.value.to_status()["details"] == {"name": "nope", "group": "stable.example.com", "kind": "crontabs"}


def test_a_custom_resource_gets_its_schemas_defaults(cluster):
    """A Widget created with `spec: {}` stayed `{}`; the apiserver sets each missing field's
    schema default (a defaulted object's own fields' defaults too), on create and on update."""
    crd = crontab_crd()
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    spec = schema["properties"]["spec"]
    spec["properties"]["replicas"]["default"] = 1
    spec["properties"]["image"]["default"] = "busybox"
    spec["properties"]["limits"] = {"type": "object", "default": {},
                                    "properties": {"cpu": {"type": "string", "default": "100m"}}}
    spec["properties"]["ports"] = {"type": "array", "items": {
        "type": "object", "properties": {"port": {"type": "integer"}, "protocol": {"type": "string", "default": "TCP"}}}}
    cluster.create(crd)
    made = cluster.create({"apiVersion": "stable.example.com/v1", "kind": "CronTab",
                           "metadata": {"name": "bare", "namespace": "default"},
                           "spec": {"image": "nginx", "ports": [{"port": 80}]}})
    assert made["spec"] == {"image": "nginx", "replicas": 1, "limits": {"cpu": "100m"},
                            "ports": [{"port": 80, "protocol": "TCP"}]}
    changed = deep_copy(made)
    changed["spec"] = {"replicas": 3}
    assert cluster.replace(changed)["spec"] == {"replicas": 3, "image": "busybox", "limits": {"cpu": "100m"}}
