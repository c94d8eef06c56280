"""kubectl apply's three-way patches (original = the last-applied annotation, modified = the
manifest, current = the live object), checked against the patches kubectl 1.32 sends."""

import json

import pytest

from k9py.kube.patch import (
    PatchError,
    create_three_way_json_merge_patch,
    create_three_way_merge_patch,
    strategic_merge_patch,
)

LAST = "kubectl.kubernetes.io/last-applied-configuration"


def deployment(containers, labels=None, replicas=None):
    spec = {"selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "labels": labels or {"app": "web"}}, "spec": spec}


def annotated(obj):
    """``obj`` with itself as its last-applied annotation (what kubectl sends as "modified")."""
    md = {**obj["metadata"], "annotations": {}}
    text = json.dumps({**obj, "metadata": md}, sort_keys=True, separators=(",", ":")) + "\n"
    return {**obj, "metadata": {**md, "annotations": {LAST: text}}}


def live(applied, **edits):
    """The cluster's object after ``applied``: defaults added, plus ``edits`` (someone else's)."""
    out = json.loads(json.dumps(applied))
    out["metadata"].update(uid="u1", resourceVersion="7", generation=1)
    out["spec"].setdefault("replicas", 1)
    out["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    for c in out["spec"]["template"]["spec"]["containers"]:
        c.update(imagePullPolicy="IfNotPresent", terminationMessagePath="/dev/termination-log")
        for p in c.get("ports", []):
            p["protocol"] = "TCP"
    out["status"] = {"replicas": 1}
    for path, value in edits.items():
        *parents, last = path.split("__")
        d = out
        for p in parents:
            d = d[int(p)] if isinstance(d, list) else d[p]
        d[last] = value
    return out


def nginx(**more):
    return {"name": "nginx", "image": "nginx:1.27", **more}


def test_the_patch_kubectl_sends_for_a_label_swapped_a_port_changed_and_a_container_added():
    # kubectl 1.32 apply -v=8 against k9py serve, after `kubectl label` and `kubectl set env`
    before = deployment([nginx(ports=[{"containerPort": 80}, {"containerPort": 443}])],
                        labels={"app": "web", "tier": "front"}, replicas=2)
    after = deployment([nginx(ports=[{"containerPort": 80}, {"containerPort": 8080}]),
                        {"name": "side", "image": "busybox"}], labels={"app": "web", "tier2": "x"}, replicas=2)
    original, modified = annotated(before)["metadata"]["annotations"][LAST], annotated(after)
    current = live(annotated(before), metadata__labels={"app": "web", "tier": "front", "extra": "yes"},
                   spec__template__spec__containers__0__env=[{"name": "FOO", "value": "bar"}])
    patch = create_three_way_merge_patch(json.loads(original), modified, current)
    assert patch == {
        "metadata": {"annotations": {LAST: modified["metadata"]["annotations"][LAST]},
                     "labels": {"tier": None, "tier2": "x"}},
        "spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "nginx"}, {"name": "side"}],
            "containers": [{"$setElementOrder/ports": [{"containerPort": 80}, {"containerPort": 8080}],
                            "name": "nginx", "ports": [{"containerPort": 8080}, {"$patch": "delete", "containerPort": 443}]},
                           {"image": "busybox", "name": "side"}]}}}}
    # the order kubectl sends the list items in (the deletions last)
    assert patch["spec"]["template"]["spec"]["containers"][0]["ports"][1]["$patch"] == "delete"
    out = strategic_merge_patch(current, patch)
    assert out["metadata"]["labels"] == {"app": "web", "tier2": "x", "extra": "yes"}  # someone else's label kept
    [web, side] = out["spec"]["template"]["spec"]["containers"]
    assert web["env"] == [{"name": "FOO", "value": "bar"}]  # someone else's env kept
    assert [p["containerPort"] for p in web["ports"]] == [80, 8080]
    assert side == {"name": "side", "image": "busybox"}


def test_a_container_removed_from_the_file_is_deleted_and_the_other_keeps_its_env():
    before = deployment([nginx(), {"name": "side", "image": "busybox"}])
    after = deployment([nginx()])
    current = live(annotated(before), spec__template__spec__containers__0__env=[{"name": "FOO", "value": "bar"}])
    patch = create_three_way_merge_patch(before, annotated(after), current)
    assert patch["spec"] == {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "nginx"}],
        "containers": [{"$patch": "delete", "name": "side"}]}}}
    out = strategic_merge_patch(current, patch)
    assert [(c["name"], c.get("env")) for c in out["spec"]["template"]["spec"]["containers"]] == [
        ("nginx", [{"name": "FOO", "value": "bar"}])]


def test_replicas_the_file_never_set_stay_as_an_autoscaler_left_them_and_ones_it_dropped_go():
    dep = deployment([nginx()])
    current = live(annotated(dep), spec__replicas=5)
    assert create_three_way_merge_patch(dep, annotated(dep), current) == {}
    had = deployment([nginx()], replicas=2)
    patch = create_three_way_merge_patch(had, annotated(dep), live(annotated(had), spec__replicas=5))
    assert patch["spec"] == {"replicas": None}


def test_no_change_is_an_empty_patch_despite_the_defaults_the_cluster_added():
    dep = deployment([nginx(ports=[{"containerPort": 80}])])
    assert create_three_way_merge_patch(dep, annotated(dep), live(annotated(dep))) == {}


def test_without_a_last_applied_annotation_nothing_is_deleted_and_the_annotation_is_added():
    dep = deployment([nginx()], labels={"app": "web"})
    current = live(dep, metadata__labels={"app": "web", "made": "by-create"})  # kubectl create: no annotation
    patch = create_three_way_merge_patch({}, annotated(dep), current)
    assert patch == {"metadata": {"annotations": annotated(dep)["metadata"]["annotations"]}}


def test_reordered_containers_and_a_changed_image_name_only_what_changed():
    before = deployment([nginx(), {"name": "side", "image": "busybox"}])
    after = deployment([{"name": "side", "image": "busybox:1.36"}, nginx()])
    current = live(annotated(before))
    patch = create_three_way_merge_patch(before, annotated(after), current)
    assert patch["spec"] == {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "side"}, {"name": "nginx"}],
        "containers": [{"image": "busybox:1.36", "name": "side"}]}}}


def test_a_strategy_switched_to_recreate_retains_only_its_type():
    before = deployment([nginx()])
    after = {**deployment([nginx()])}
    after["spec"] = {**after["spec"], "strategy": {"type": "Recreate"}}
    patch = create_three_way_merge_patch(before, annotated(after), live(annotated(before)))
    assert patch["spec"] == {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}
    assert strategic_merge_patch(live(annotated(before)), patch)["spec"]["strategy"] == {"type": "Recreate"}


def test_finalizers_a_primitive_merge_list_delete_what_the_file_dropped_and_keep_the_rest():
    before = {"metadata": {"name": "x", "finalizers": ["a/one", "a/two"]}}
    after = {"metadata": {"name": "x", "finalizers": ["a/two", "a/three"]}}
    current = {"metadata": {"name": "x", "finalizers": ["a/one", "a/two", "theirs/x"]}}
    patch = create_three_way_merge_patch(before, after, current)
    assert patch == {"metadata": {"$setElementOrder/finalizers": ["a/two", "a/three"],
                                  "$deleteFromPrimitiveList/finalizers": ["a/one"], "finalizers": ["a/three"]}}
    assert sorted(strategic_merge_patch(current, patch)["metadata"]["finalizers"]) == ["a/three", "a/two", "theirs/x"]


def test_a_list_without_merge_key_goes_whole_when_it_differs_from_the_live_one():
    before = deployment([nginx(args=["-a"])])
    after = deployment([nginx(args=["-b"])])
    patch = create_three_way_merge_patch(before, annotated(after), live(annotated(before)))
    assert patch["spec"]["template"]["spec"]["containers"] == [{"args": ["-b"], "name": "nginx"}]


def test_an_item_without_its_merge_key_is_an_error():
    with pytest.raises(PatchError, match="merge key"):
        create_three_way_merge_patch({}, deployment([{"image": "x"}]), deployment([nginx()]))


def test_json_merge_three_way_for_custom_resources():
    original = {"kind": "Widget", "metadata": {"name": "w", "labels": {"a": "1", "gone": "x"}},
                "spec": {"items": [1, 2], "size": 3, "old": {"deep": 1}}}
    modified = {"kind": "Widget", "metadata": {"name": "w", "labels": {"a": "2"}},
                "spec": {"items": [1, 2], "size": 3, "new": {}}}
    current = {"kind": "Widget", "metadata": {"name": "w", "uid": "u", "labels": {"a": "1", "gone": "x", "theirs": "y"}},
               "spec": {"items": [1, 2, 3], "size": 3, "old": {"deep": 1}, "defaulted": True}}
    assert create_three_way_json_merge_patch(original, modified, current) == {
        "metadata": {"labels": {"a": "2", "gone": None}},
        "spec": {"items": [1, 2], "old": None, "new": {}}}
    assert create_three_way_json_merge_patch(modified, modified, {**current, "spec": {**modified["spec"], "x": 1}}) == {
        "metadata": {"labels": {"a": "2"}}}


# -- the apiserver's side: the order $setElementOrder asks for ----------------------------------------

def containers(*names):
    return {"spec": {"template": {"spec": {"containers": [{"name": n, "image": "i"} for n in names]}}}}


def names(obj):
    return [c["name"] for c in obj["spec"]["template"]["spec"]["containers"]]


def test_the_server_puts_a_merged_list_in_the_order_set_element_order_gives():
    # kubectl apply of a file that put a new container first: the apiserver's result has it first
    patch = {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}],
                                            "containers": [{"name": "c", "image": "i"}]}}}}
    assert names(strategic_merge_patch(containers("a", "b"), patch)) == ["c", "a", "b"]
    # only reordered: no items in the patch at all
    patch = {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "a"}]}}}}
    assert names(strategic_merge_patch(containers("a", "b"), patch)) == ["b", "a"]
    # an item only the server has keeps its place relative to the ones around it
    patch = {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "a"}, {"name": "b"}, {"name": "d"}],
                                            "containers": [{"name": "d", "image": "i"}]}}}}
    assert names(strategic_merge_patch(containers("a", "x", "b"), patch)) == ["a", "x", "b", "d"]


def test_without_set_element_order_new_items_come_first_as_the_apiserver_puts_them():
    # (apimachinery's mergeSlice: the patch's items first where the live order cannot place them)
    assert names(strategic_merge_patch(containers("a", "b"), {"spec": {"template": {"spec": {
        "containers": [{"name": "c", "image": "i"}]}}}})) == ["c", "a", "b"]
    assert names(strategic_merge_patch(containers("a", "b"), {"spec": {"template": {"spec": {
        "containers": [{"name": "b", "image": "j"}]}}}})) == ["a", "b"]


def test_kubectl_applys_finalizers_patch_lands_in_the_apiservers_order():
    before = {"metadata": {"name": "x", "finalizers": ["a/one", "a/two"]}}
    after = {"metadata": {"name": "x", "finalizers": ["a/two", "a/three"]}}
    current = {"metadata": {"name": "x", "finalizers": ["a/one", "a/two", "theirs/x"]}}
    out = strategic_merge_patch(current, create_three_way_merge_patch(before, after, current))
    assert out["metadata"]["finalizers"] == ["a/two", "a/three", "theirs/x"]


def test_a_list_emptied_in_the_file_deletes_its_items_and_names_no_empty_order():
    before = deployment([nginx(env=[{"name": "A", "value": "1"}])])
    after = deployment([nginx(env=[])])
    current = live(annotated(before))
    patch = create_three_way_merge_patch(before, annotated(after), current)
    assert patch["spec"] == {"template": {"spec": {"$setElementOrder/containers": [{"name": "nginx"}], "containers": [
        {"name": "nginx", "env": [{"name": "A", "$patch": "delete"}]}]}}}
    out = strategic_merge_patch(current, patch)
    assert out["spec"]["template"]["spec"]["containers"][0]["env"] == []
