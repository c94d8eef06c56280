"""Labels and annotation keys are validated for every kind, on create and on update, in the
apiserver's words (apimachinery's IsQualifiedName and IsValidLabelValue), a pod template's too."""

from __future__ import annotations

import copy

import pytest

from k9py.kube.status import ApiError
from k9py.sim.cluster import Cluster

KEY_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
           "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
           "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
             "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
             "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


def _cm(name: str = "cm", **md) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default", **md}}


def _causes(fn, *args, **kw) -> list[tuple[str, str]]:
    with pytest.raises(ApiError) as err:
        fn(*args, **kw)
    assert err.value.code == 422
    return [(c["field"], c["message"]) for c in err.value.causes]


def test_bad_label_keys_values_and_annotation_keys_are_each_a_cause():
    c = Cluster()
    causes = _causes(c.create, _cm(labels={"bad key!": "x", "long": "v" * 64, "spaced": "a b", "empty": ""},
                                   annotations={"bad key!": "x", "Example.com/UPPER": "ok"}))
    assert causes == [
        ("metadata.labels", f'Invalid value: "bad key!": {KEY_MSG}'),
        ("metadata.labels", f'Invalid value: "{"v" * 64}": must be no more than 63 characters'),
        ("metadata.labels", f'Invalid value: "a b": {VALUE_MSG}'),
        ("metadata.annotations", f'Invalid value: "bad key!": {KEY_MSG}'),
    ]
    assert not any(o["metadata"]["name"] == "cm" for o in c.list("ConfigMap", "default"))


@pytest.mark.parametrize("key,message", [
    ("a/b/c", "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
              "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
              "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and "
              "'/' (e.g. 'example.com/MyName')"),
    ("/x", "prefix part must be non-empty"),
    ("x" * 64, "name part must be no more than 63 characters"),
    ('q"uote', KEY_MSG),
])
def test_a_label_key_is_a_qualified_name(key, message):
    causes = _causes(Cluster().create, _cm(labels={key: "v"}))
    quoted = key.replace('"', '\\"')
    assert causes == [("metadata.labels", f'Invalid value: "{quoted}": {message}')]


def test_an_update_is_checked_too_and_good_metadata_passes():
    c = Cluster()
    stored = c.create(_cm(labels={"app.kubernetes.io/name": "web", "empty": ""}, annotations={"A.b/C_d": "any thing"}))
    stored["metadata"]["labels"]["bad key!"] = "x"
    assert _causes(c.replace, stored) == [("metadata.labels", f'Invalid value: "bad key!": {KEY_MSG}')]


def test_a_pod_templates_labels_are_checked_under_its_path():
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "default"},
           "spec": {"selector": {"matchLabels": {"a": "b"}},
                    "template": {"metadata": {"labels": {"a": "b", "x": "bad value"}},
                                 "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    assert _causes(Cluster().create, dep) == [("spec.template.metadata.labels", f'Invalid value: "bad value": {VALUE_MSG}')]


def test_a_statefulsets_template_labels_are_named_as_its_validation_names_them():
    """ValidatePodTemplateSpecForStatefulSet checks the template's labels under spec.template.labels."""
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "default"},
           "spec": {"selector": {"matchLabels": {"a": "b"}}, "serviceName": "db",
                    "template": {"metadata": {"labels": {"a": "b", "bad key!": "x"}},
                                 "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    assert _causes(Cluster().create, sts) == [("spec.template.labels", f'Invalid value: "bad key!": {KEY_MSG}')]


KUBE_FIN = "name is neither a standard finalizer name nor is it fully qualified"


def test_a_built_in_kinds_finalizer_without_a_slash_must_be_a_standard_one():
    """Core validation's validateKubeFinalizerName, after apimachinery's causes, each at its index."""
    c = Cluster()
    assert _causes(c.create, _cm(finalizers=["foo"])) == [("metadata.finalizers[0]", f'Invalid value: "foo": {KUBE_FIN}')]
    assert _causes(c.create, _cm(finalizers=["example.com/ok", "example.com", "a b"])) == [
        ("metadata.finalizers", 'Invalid value: "a b": ' + KEY_MSG),
        ("metadata.finalizers[1]", f'Invalid value: "example.com": {KUBE_FIN}'),
        ("metadata.finalizers[2]", f'Invalid value: "a b": {KUBE_FIN}'),
    ]
    for fins in (["kubernetes"], ["orphan"], ["foregroundDeletion"], ["kubernetes.io/pv-protection", "example.com/x"]):
        c.create(_cm(f"ok-{len(c.list('ConfigMap', 'default'))}", finalizers=fins))
    stored = copy.deepcopy(c.create(_cm("later")))
    stored["metadata"]["finalizers"] = ["cleanup"]
    assert _causes(c.replace, stored) == [("metadata.finalizers[0]", f'Invalid value: "cleanup": {KUBE_FIN}')]


def test_kinds_validated_by_apimachinerys_object_meta_take_any_qualified_finalizer():
    """Lease, RuntimeClass and the admissionregistration kinds call apimachinery's ValidateObjectMeta."""
    c = Cluster()
    lease = c.create({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                      "metadata": {"name": "l", "namespace": "default", "finalizers": ["foo"]}})
    assert lease["metadata"]["finalizers"] == ["foo"]
    rc = c.create({"apiVersion": "node.k8s.io/v1", "kind": "RuntimeClass", "handler": "runc",
                   "metadata": {"name": "rc", "finalizers": ["example.com"]}})
    assert rc["metadata"]["finalizers"] == ["example.com"]


def test_a_new_finalizer_on_an_object_being_deleted_is_one_cause_among_the_others():
    """ValidateObjectMetaUpdate's: listed with the label causes, after them, as kubectl shows them."""
    c = Cluster()
    obj = c.create(_cm("held", finalizers=["example.com/hold"]))
    c.store.mark_deleting(obj, 0)
    held = copy.deepcopy(c.get("ConfigMap", "default", "held"))  # (the store's own object)
    held["metadata"]["labels"] = {"bad key!": "x"}
    held["metadata"]["finalizers"] = ["example.com/hold", "b"]
    assert _causes(c.replace, held) == [
        ("metadata.labels", f'Invalid value: "bad key!": {KEY_MSG}'),
        ("metadata.finalizers", 'Forbidden: no new finalizers can be added if the object is being deleted, '
                                'found new finalizers []string{"b"}'),
        ("metadata.finalizers[1]", f'Invalid value: "b": {KUBE_FIN}'),
    ]


def _deployment(name: str, selector: dict, labels: dict) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"matchLabels": selector},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}


def test_a_bad_name_and_a_bad_spec_are_refused_together_the_names_first():
    """The apiserver's strategies validate the metadata and the spec in one pass: a learner sees
    every mistake of a manifest at once, not one an apply."""
    c = Cluster()
    causes = _causes(c.create, _deployment("My_App", {"app": "web"}, {"app": "other"}))
    assert [f for f, _ in causes] == ["metadata.name", "spec.template.metadata.labels"]
    assert causes[0][1].startswith('Invalid value: "My_App": a lowercase RFC 1123 subdomain')
    assert causes[1][1].startswith("Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match")

    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "Bad_Name", "namespace": "default"},
           "spec": {"containers": [{"name": "c", "image": "busybox", "imagePullPolicy": "Sometimes"}]}}
    causes = _causes(c.create, pod)
    assert [f for f, _ in causes] == ["metadata.name", "spec.containers[0].imagePullPolicy"]
    assert not c.list("Deployment", "default") and not any(o["metadata"]["name"] == "Bad_Name"
                                                            for o in c.list("Pod", "default"))


def test_a_bad_name_with_a_good_spec_is_the_names_cause_alone():
    causes = _causes(Cluster().create, _deployment("My_App", {"app": "web"}, {"app": "web"}))
    assert [f for f, _ in causes] == ["metadata.name"]
