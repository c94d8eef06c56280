"""Server-side apply's field sets and field management (kube/fieldpath.py, kube/fieldmanager.py)."""

from __future__ import annotations

import copy

import pytest

from k9py.kube import fieldmanager as fm
from k9py.kube import fieldpath as fp
from k9py.kube.status import ApiError

DEPLOY = fm.Schema("Deployment")
CM = fm.Schema("ConfigMap", status_subresource=False)


def _deploy(replicas: int | None = 2, image: str = "nginx:1.25", env: tuple[str, ...] = ("A",)) -> dict:
    c: dict = {"name": "nginx", "image": image, "ports": [{"containerPort": 80}]}
    if env:
        c["env"] = [{"name": n, "value": n.lower()} for n in env]
    d: dict = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
               "spec": {"selector": {"matchLabels": {"app": "web"}},
                        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [c]}}}}
    if replicas is not None:
        d["spec"]["replicas"] = replicas
    return d


def _apply(live, config, manager="kubectl", force=False, schema=DEPLOY, now="T1"):
    return fm.apply(live, config, manager=manager, api_version="apps/v1", force=force, schema=schema, now=now)


def _update(old, new, manager, subresource="", schema=DEPLOY, now="T2"):
    out = copy.deepcopy(new)
    out["metadata"]["managedFields"] = fm.update_entries(old, new, manager=manager, api_version="apps/v1",
                                                         subresource=subresource, schema=schema, now=now)
    return out


def _owners(obj) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for e in obj["metadata"].get("managedFields", []):
        name = f'{e["manager"]}/{e["operation"]}' + (f'/{e["subresource"]}' if e.get("subresource") else "")
        out[name] = {fp.path_string(p) for p in fp.from_fields_v1(e["fieldsV1"])}
    return out


# -- field paths and sets ----------------------------------------------------------------------

def test_fields_v1_encoding_round_trips_with_members_keys_and_values():
    fields = frozenset({
        fp.make_path("spec", "replicas"),
        (*fp.make_path("spec", "template", "spec", "containers"), fp.key({"name": "nginx"})),
        (*fp.make_path("spec", "template", "spec", "containers"), fp.key({"name": "nginx"}), fp.field("image")),
        (*fp.make_path("spec", "template", "spec", "containers"), fp.key({"name": "nginx"}), fp.field("ports"),
         fp.key({"protocol": "TCP", "containerPort": 80})),
        (*fp.make_path("metadata", "finalizers"), fp.value("example.com/x")),
    })
    doc = fp.to_fields_v1(fields)
    assert doc == {
        "f:metadata": {"f:finalizers": {'v:"example.com/x"': {}}},
        "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {'k:{"name":"nginx"}': {
            ".": {}, "f:image": {},
            "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {}}}}}}}}
    assert list(doc["f:spec"]) == ["f:replicas", "f:template"]
    assert fp.from_fields_v1(doc) == fields


def test_path_strings_and_iteration_order_are_the_apiservers():
    c = (*fp.make_path("spec", "template", "spec", "containers"), fp.key({"name": "nginx"}))
    port = (*c, fp.field("ports"), fp.key({"containerPort": 80, "protocol": "TCP"}))
    assert fp.path_string((*c, fp.field("image"))) == '.spec.template.spec.containers[name="nginx"].image'
    assert fp.path_string(port) == '.spec.template.spec.containers[name="nginx"].ports[containerPort=80,protocol="TCP"]'
    assert fp.path_string((*fp.make_path("metadata", "finalizers"), fp.value("a"))) == '.metadata.finalizers[="a"]'
    # members of a level first, then the children's subtrees
    order = fp.iterate({(*c, fp.field("image")), fp.make_path("spec", "replicas"), fp.make_path("metadata", "name")})
    assert [fp.path_string(p) for p in order] == [".metadata.name", ".spec.replicas",
                                                   '.spec.template.spec.containers[name="nginx"].image']


def test_to_field_set_owns_leaves_items_and_free_map_entries():
    fields = {fp.path_string(p) for p in fm.to_field_set(_deploy(), DEPLOY)}
    c = '.spec.template.spec.containers[name="nginx"]'
    assert fields == {".apiVersion", ".kind", ".metadata.name", ".metadata.labels.app", ".spec.replicas",
                      ".spec.selector",  # a LabelSelector is atomic
                      ".spec.template.metadata.labels.app", c, c + ".name", c + ".image",
                      c + '.ports[containerPort=80,protocol="TCP"]',  # protocol: the key's default
                      c + '.ports[containerPort=80,protocol="TCP"].containerPort',
                      c + '.env[name="A"]', c + '.env[name="A"].name', c + '.env[name="A"].value'}


def test_compare_reports_leaves_and_whole_new_maps_and_items():
    old = _deploy(env=("A",))
    new = _deploy(replicas=3, env=("A", "B"))
    del new["metadata"]["labels"]
    cmp = fm.compare(old, new, DEPLOY)
    c = '.spec.template.spec.containers[name="nginx"]'
    assert {fp.path_string(p) for p in cmp.modified} == {".spec.replicas"}
    assert {fp.path_string(p) for p in cmp.added} == {c + '.env[name="B"]', c + '.env[name="B"].name',
                                                       c + '.env[name="B"].value'}
    assert {fp.path_string(p) for p in cmp.removed} == {".metadata.labels", ".metadata.labels.app"}


def test_merge_follows_list_types():
    live = {"metadata": {"finalizers": ["a", "b"]},
            "spec": {"template": {"spec": {"containers": [{"name": "x", "image": "1", "args": ["p", "q"]},
                                                          {"name": "y", "image": "2"}],
                                           "tolerations": [{"key": "k"}]}}}}
    cfg = {"metadata": {"finalizers": ["c", "a"]},
           "spec": {"template": {"spec": {"containers": [{"name": "y", "image": "3"},
                                                         {"name": "x", "args": ["r"]}],
                                          "tolerations": [{"key": "z"}]}}}}
    out = fm.merge(live, cfg, DEPLOY)
    assert out["metadata"]["finalizers"] == ["c", "a", "b"]  # a set: union
    assert out["spec"]["template"]["spec"]["containers"] == [  # a map by name: merged item by item
        {"name": "y", "image": "3"}, {"name": "x", "image": "1", "args": ["r"]}]  # args: atomic
    assert out["spec"]["template"]["spec"]["tolerations"] == [{"key": "z"}]  # atomic: replaced


# -- apply -------------------------------------------------------------------------------------

def test_apply_records_the_applier_and_strips_identity_fields():
    d = _apply(None, _deploy())
    [entry] = d["metadata"]["managedFields"]
    assert {k: v for k, v in entry.items() if k != "fieldsV1"} == {
        "manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1", "time": "T1", "fieldsType": "FieldsV1"}
    assert "f:name" not in entry["fieldsV1"]["f:metadata"] and "f:kind" not in entry["fieldsV1"]
    assert entry["fieldsV1"]["f:spec"]["f:replicas"] == {}


def test_conflict_with_an_updater_then_forced():
    d = _apply(None, _deploy())
    edited = copy.deepcopy(d)
    edited["spec"]["replicas"] = 5
    edited = _update(d, edited, "kubectl-edit")
    assert _owners(edited)["kubectl-edit/Update"] == {".spec.replicas"}
    assert ".spec.replicas" not in _owners(edited)["kubectl/Apply"]
    with pytest.raises(ApiError) as e:
        _apply(edited, _deploy())
    st = e.value.to_status()
    assert st == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                  "message": 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
                  "reason": "Conflict", "code": 409,
                  "details": {"causes": [{"reason": "FieldManagerConflict",
                                          "message": 'conflict with "kubectl-edit" using apps/v1',
                                          "field": ".spec.replicas"}]}}
    # the same value is no conflict: the field is shared
    shared = _apply(edited, _deploy(replicas=5))
    assert ".spec.replicas" in _owners(shared)["kubectl/Apply"] and "kubectl-edit/Update" in _owners(shared)
    forced = _apply(edited, _deploy(), force=True)
    assert forced["spec"]["replicas"] == 2 and set(_owners(forced)) == {"kubectl/Apply"}


def test_conflicts_with_several_managers_are_grouped_by_manager():
    d = _apply(None, _deploy())
    scaled = copy.deepcopy(d)
    scaled["spec"]["replicas"] = 4
    scaled = _update(d, scaled, "kubectl", subresource="scale")
    other = _apply(scaled, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                            "spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}}},
                   manager="helm")
    with pytest.raises(ApiError) as e:
        _apply(other, _deploy(replicas=1, image="nginx:1.26"), manager="argo")
    assert e.value.message == (
        'Apply failed with 3 conflicts: conflicts with "helm":\n'
        '- .spec.template.spec.containers[name="nginx"].image\n'
        'conflicts with "kubectl":\n'
        '- .spec.template.spec.containers[name="nginx"].image\n'
        'conflicts with "kubectl" with subresource "scale" using apps/v1:\n'
        '- .spec.replicas')
    assert [c["field"] for c in e.value.causes] == ['.spec.template.spec.containers[name="nginx"].image',
                                                    '.spec.template.spec.containers[name="nginx"].image',
                                                    ".spec.replicas"]


def test_fields_dropped_from_the_applied_config_are_removed_unless_owned_by_another():
    d = _apply(None, _deploy(env=("A", "B")))
    d["metadata"]["labels"]["extra"] = "kept"  # unowned fields stay
    d = _apply(d, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                   "spec": {"replicas": 2}}, manager="other")  # co-owns replicas
    out = _apply(d, _deploy(replicas=None, env=("A",)))
    assert out["spec"]["replicas"] == 2  # still "other"'s
    assert out["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "A", "value": "a"}]
    assert out["metadata"]["labels"] == {"app": "web", "extra": "kept"}
    out = _apply(out, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}, manager="other")
    assert "replicas" not in out["spec"]  # no one applies it any more
    assert "other/Apply" not in _owners(out)


def test_update_takes_ownership_of_what_it_changes_and_marks_new_maps():
    created = _update(None, _deploy(), "kubectl-create")
    fields = created["metadata"]["managedFields"][0]["fieldsV1"]
    assert fields["f:metadata"]["f:labels"] == {".": {}, "f:app": {}}  # a map that was not there
    assert "." not in fields["f:spec"]  # a struct the zero object has
    c = fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}']
    assert c["."] == {} and c["f:ports"]["."] == {}
    status = copy.deepcopy(created)
    status["status"] = {"replicas": 2}
    status = _update(created, status, "kube-controller-manager", subresource="status")
    assert _owners(status)["kube-controller-manager/Update/status"] == {".status.replicas"}  # status: a struct
    # a main-resource update never owns status
    again = copy.deepcopy(status)
    again["status"]["replicas"] = 3
    again["spec"]["replicas"] = 3
    again = _update(status, again, "kubectl-edit")
    assert _owners(again)["kubectl-edit/Update"] == {".spec.replicas"}


def test_configmap_data_is_owned_key_by_key():
    cfg = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}}
    d = _apply(None, cfg, schema=CM)
    out = _apply(d, {**cfg, "data": {"a": "1"}}, schema=CM)
    assert out["data"] == {"a": "1"}


def test_missing_list_key_is_refused():
    bad = _deploy()
    del bad["spec"]["template"]["spec"]["containers"][0]["name"]
    with pytest.raises(ApiError) as e:
        _apply(None, bad)
    assert 'omits key field "name"' in e.value.message


def test_custom_resources_follow_their_crd_schema_and_status_is_apart():
    schema = fm.Schema("Widget", crd_schema={"type": "object", "properties": {
        "spec": {"type": "object", "properties": {
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
            "items": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["id"],
                      "items": {"type": "object", "properties": {"id": {"type": "string"}, "v": {"type": "string"}}}},
            "args": {"type": "array", "items": {"type": "string"}}}},
        "status": {"type": "object", "properties": {"phase": {"type": "string"}}}}})
    w = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
         "spec": {"tags": ["a"], "items": [{"id": "x", "v": "1"}], "args": ["p"]}}
    d = _apply(None, w, manager="me", schema=schema)
    d = _apply(d, {**w, "spec": {"tags": ["b"], "items": [{"id": "y", "v": "2"}], "args": ["q"]}}, manager="you",
               schema=schema, force=True)
    assert d["spec"] == {"tags": ["a", "b"], "items": [{"id": "x", "v": "1"}, {"id": "y", "v": "2"}], "args": ["q"]}
    assert _owners(d)["me/Apply"] == {'.spec.tags[="a"]', '.spec.items[id="x"]', '.spec.items[id="x"].id',
                                      '.spec.items[id="x"].v'}  # args (atomic) went to "you"
    # an apply through the status subresource owns status only
    st = fm.apply(d, {**w, "status": {"phase": "Ready"}}, manager="ctl", api_version="example.com/v1", force=False,
                  schema=schema, now="T3", subresource="status")
    assert _owners(st)["ctl/Apply/status"] == {".status.phase"}


def test_an_applied_config_may_not_carry_managed_fields():
    cfg = _deploy()
    cfg["metadata"]["managedFields"] = [{"manager": "x"}]
    with pytest.raises(ApiError) as e:
        _apply(None, cfg)
    assert (e.value.code, e.value.message) == (400, "metadata.managedFields must be nil")
