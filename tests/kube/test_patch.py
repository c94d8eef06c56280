"""The three patch types, checked against what the apiserver does with them."""

import pytest

from k9py.kube.patch import (
    PatchError,
    apply_config,
    apply_patch,
    json_patch,
    merge_key,
    merge_patch,
    strategic_merge_patch,
)


def _deploy():
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["a"]},
        "spec": {"replicas": 2, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
            "containers": [
                {"name": "nginx", "image": "nginx:1.14.2", "ports": [{"containerPort": 80}],
                 "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                 "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
                {"name": "sidecar", "image": "busybox", "args": ["sleep", "1"]},
            ],
            "tolerations": [{"key": "k", "operator": "Exists"}],
            "volumes": [{"name": "data", "emptyDir": {}}],
        }}},
    }


# -- JSON patch --------------------------------------------------------------------------------

def test_json_patch_replace_add_remove_and_escaping():
    doc = {"a": {"b/c": 1, "t~x": 2}, "l": [1, 2]}
    out = json_patch(doc, [
        {"op": "replace", "path": "/a/b~1c", "value": 10},
        {"op": "remove", "path": "/a/t~0x"},
        {"op": "add", "path": "/l/-", "value": 3},
        {"op": "add", "path": "/l/0", "value": 0},
        {"op": "copy", "from": "/l/3", "path": "/c"},
        {"op": "move", "from": "/c", "path": "/d"},
        {"op": "test", "path": "/d", "value": 3},
    ])
    assert out == {"a": {"b/c": 10}, "l": [0, 1, 2, 3], "d": 3}
    assert doc == {"a": {"b/c": 1, "t~x": 2}, "l": [1, 2]}  # input untouched


def test_json_patch_failures_are_422_or_400():
    with pytest.raises(PatchError) as e:
        json_patch({"a": 1}, [{"op": "test", "path": "/a", "value": 2}])
    assert e.value.code == 422
    with pytest.raises(PatchError) as e:
        json_patch({"a": 1}, [{"op": "replace", "path": "/missing/x", "value": 2}])
    assert e.value.code == 422
    with pytest.raises(PatchError) as e:
        json_patch({"a": 1}, [{"op": "frobnicate", "path": "/a"}])
    assert e.value.code == 400
    with pytest.raises(PatchError):
        json_patch({"a": 1}, {"op": "add"})
    with pytest.raises(PatchError):
        json_patch({"l": [1]}, [{"op": "add", "path": "/l/5", "value": 1}])


def test_rollout_undo_style_json_patch_replaces_template():
    dep = _deploy()
    out = json_patch(dep, [{"op": "replace", "path": "/spec/template", "value": {"spec": {"containers": []}}},
                           {"op": "replace", "path": "/metadata/labels", "value": {"x": "y"}}])
    assert out["spec"]["template"] == {"spec": {"containers": []}}
    assert out["metadata"]["labels"] == {"x": "y"}


# -- merge patch -------------------------------------------------------------------------------

def test_merge_patch_rfc7386_examples():
    assert merge_patch({"a": "b"}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": "b"}, {"b": "c"}) == {"a": "b", "b": "c"}
    assert merge_patch({"a": "b"}, {"a": None}) == {}
    assert merge_patch({"a": ["b"]}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}) == {"a": {"b": "d"}}
    assert merge_patch({"a": [{"b": "c"}]}, {"a": [1]}) == {"a": [1]}
    assert merge_patch(["a", "b"], {"a": "c"}) == {"a": "c"}


def test_merge_patch_replaces_lists_wholesale():
    out = merge_patch(_deploy(), {"spec": {"template": {"spec": {"containers": [{"name": "only"}]}}}})
    assert out["spec"]["template"]["spec"]["containers"] == [{"name": "only"}]


# -- strategic merge patch ---------------------------------------------------------------------

def test_set_image_patch_merges_container_by_name():
    # what `kubectl set image deployment/web nginx=nginx:1.16` sends
    out = strategic_merge_patch(_deploy(), {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.16"}]}}}})
    cs = out["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in cs] == ["nginx", "sidecar"]
    assert cs[0]["image"] == "nginx:1.16"
    assert cs[0]["ports"] == [{"containerPort": 80}]  # untouched fields survive


def test_env_merges_by_name_and_delete_directive():
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "env": [
        {"name": "B", "value": "20"}, {"name": "C", "value": "3"}, {"name": "A", "$patch": "delete"}]}]}}}}
    env = strategic_merge_patch(_deploy(), patch)["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "B", "value": "20"}, {"name": "C", "value": "3"}]


def test_lists_without_merge_key_are_replaced():
    # tolerations and args have no patchStrategy in the Go types: replaced, not merged
    patch = {"spec": {"template": {"spec": {"tolerations": [{"key": "z", "operator": "Exists"}],
                                            "containers": [{"name": "sidecar", "args": ["sleep", "2"]}]}}}}
    out = strategic_merge_patch(_deploy(), patch)
    spec = out["spec"]["template"]["spec"]
    assert spec["tolerations"] == [{"key": "z", "operator": "Exists"}]
    assert spec["containers"][1]["args"] == ["sleep", "2"]


def test_ports_merge_by_container_port_and_service_port():
    out = strategic_merge_patch(_deploy(), {"spec": {"template": {"spec": {"containers": [
        {"name": "nginx", "ports": [{"containerPort": 443}]}]}}}})
    # (the apiserver puts a new item first when no $setElementOrder says where)
    assert out["spec"]["template"]["spec"]["containers"][0]["ports"] == [{"containerPort": 443}, {"containerPort": 80}]
    svc = {"kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": 80, "nodePort": 31000}]}}
    out = strategic_merge_patch(svc, {"spec": {"ports": [{"port": 80, "targetPort": 8080}]}})
    assert out["spec"]["ports"] == [{"port": 80, "targetPort": 8080, "nodePort": 31000}]
    assert merge_key("ports", ("spec", "template", "spec", "containers")) == "containerPort"
    assert merge_key("ports", ("spec",)) == "port"


def test_volume_mounts_merge_by_mount_path_and_volumes_by_name():
    out = strategic_merge_patch(_deploy(), {"spec": {"template": {"spec": {
        "volumes": [{"name": "cache", "emptyDir": {}}],
        "containers": [{"name": "nginx", "volumeMounts": [{"name": "cache", "mountPath": "/cache"},
                                                            {"mountPath": "/data", "readOnly": True}]}]}}}})
    spec = out["spec"]["template"]["spec"]
    assert [v["name"] for v in spec["volumes"]] == ["cache", "data"]  # (the patch's items first, in its order)
    assert spec["containers"][0]["volumeMounts"] == [{"name": "cache", "mountPath": "/cache"},
                                                     {"name": "data", "mountPath": "/data", "readOnly": True}]


def test_null_deletes_and_labels_annotations_merge():
    # kubectl label/annotate and rollout restart send map patches
    out = strategic_merge_patch(_deploy(), {"metadata": {"labels": {"tier": "fe", "app": None}},
                                            "spec": {"template": {"metadata": {"annotations": {
                                                "kubectl.kubernetes.io/restartedAt": "2026-11-01T09:00:00Z"}}}}})
    assert out["metadata"]["labels"] == {"tier": "fe"}
    assert out["spec"]["template"]["metadata"]["annotations"] == {"kubectl.kubernetes.io/restartedAt": "2026-11-01T09:00:00Z"}


def test_patch_replace_directive_on_map_and_list():
    out = strategic_merge_patch(_deploy(), {"metadata": {"labels": {"$patch": "replace", "only": "this"}}})
    assert out["metadata"]["labels"] == {"only": "this"}
    out = strategic_merge_patch(_deploy(), {"spec": {"template": {"spec": {"containers": [
        {"$patch": "replace"}, {"name": "solo", "image": "x"}]}}}})
    assert out["spec"]["template"]["spec"]["containers"] == [{"name": "solo", "image": "x"}]


def test_patch_delete_directive_on_map():
    out = strategic_merge_patch(_deploy(), {"spec": {"template": {"metadata": {"$patch": "delete"}}}})
    assert "metadata" not in out["spec"]["template"]


def test_retain_keys_drops_other_keys():
    # e.g. switching a Deployment strategy from RollingUpdate to Recreate
    dep = _deploy()
    dep["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}
    out = strategic_merge_patch(dep, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}})
    assert out["spec"]["strategy"] == {"type": "Recreate"}


def test_set_element_order_and_delete_from_primitive_list():
    out = strategic_merge_patch(_deploy(), {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]},
                                            "spec": {"template": {"spec": {
                                                "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "nginx"}]}}}})
    assert out["metadata"]["finalizers"] == []
    assert len(out["spec"]["template"]["spec"]["containers"]) == 2


def test_finalizers_merge_as_a_set_and_conditions_by_type():
    out = strategic_merge_patch(_deploy(), {"metadata": {"finalizers": ["a", "b"]}})
    assert out["metadata"]["finalizers"] == ["a", "b"]
    pod = {"status": {"conditions": [{"type": "Ready", "status": "False"}, {"type": "PodScheduled", "status": "True"}]}}
    out = strategic_merge_patch(pod, {"status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    assert out["status"]["conditions"] == [{"type": "Ready", "status": "True"}, {"type": "PodScheduled", "status": "True"}]


def test_merge_key_missing_is_an_error():
    with pytest.raises(PatchError):
        strategic_merge_patch(_deploy(), {"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}})


def test_apply_patch_dispatches_on_content_type():
    dep = _deploy()
    assert apply_patch(dep, "application/merge-patch+json", {"spec": {"replicas": 5}})["spec"]["replicas"] == 5
    assert apply_patch(dep, "application/json-patch+json; charset=utf-8",
                       [{"op": "replace", "path": "/spec/replicas", "value": 7}])["spec"]["replicas"] == 7
    assert apply_patch(dep, "application/strategic-merge-patch+json", {"spec": {"replicas": 1}})["spec"]["replicas"] == 1
    with pytest.raises(PatchError) as e:
        apply_patch(dep, "text/plain", {})
    assert e.value.code == 415


def test_apply_config_merges_lists_by_key_and_ignores_nulls():
    out = apply_config(_deploy(), {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                                   "spec": {"replicas": 4, "paused": None, "template": {"spec": {"containers": [
                                       {"name": "nginx", "image": "nginx:1.25"}]}}}})
    assert out["spec"]["replicas"] == 4
    assert "paused" not in out["spec"]
    cs = out["spec"]["template"]["spec"]["containers"]
    assert cs[0]["image"] == "nginx:1.25" and cs[0]["ports"] == [{"containerPort": 80}]
    assert out["metadata"]["labels"] == {"app": "web"}


def test_numbers_are_one_type_as_go_decodes_them():
    """apimachinery decodes every JSON number to float64: a list of 1 and 2.5 is of one element
    type, a field going from 1 to 1.5 is a change of value, not of type."""
    from k9py.kube.patch import PatchError, _element_type

    _element_type([1, 2.5])  # not "list element types are not identical"
    with pytest.raises(PatchError):
        _element_type([1, "1"])
    with pytest.raises(PatchError):
        _element_type([True, 1])
