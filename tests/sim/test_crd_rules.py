"""CRD validation rules (x-kubernetes-validations): CEL checked when the CRD is stored and evaluated
on its custom resources' creates and updates, with the apiserver's causes."""

from __future__ import annotations

import pytest

from k9py.kube.status import ApiError
from k9py.sim.cluster import Cluster
from tests.crds import crontab, crontab_crd


def with_rules(spec_rules: list[dict], replicas_rules: list[dict] | None = None) -> dict:
    crd = crontab_crd()
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec["properties"]["minReplicas"] = {"type": "integer"}
    spec["x-kubernetes-validations"] = spec_rules
    if replicas_rules:
        spec["properties"]["replicas"]["x-kubernetes-validations"] = replicas_rules
    return crd


def test_a_broken_rule_refuses_the_crd_and_a_false_one_refuses_the_resource():
    c = Cluster(seed=0)
    with pytest.raises(ApiError) as bad:
        c.create(with_rules([{"rule": "self.replicas >"}]))
    assert ("spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule: "
            'Invalid value: apiextensions.ValidationRule{Rule:"self.replicas >"') in bad.value.message
    assert "compilation failed: ERROR: <input>:1:15: Syntax error" in bad.value.message
    c.create(with_rules([{"rule": "!has(self.minReplicas) || self.minReplicas <= self.replicas"},
                         {"rule": "self.image != ''", "message": "an image is required", "reason": "FieldValueRequired",
                          "fieldPath": ".image"}]))
    low = crontab("low", replicas=1)
    low["spec"]["minReplicas"] = 3
    with pytest.raises(ApiError) as denied:
        c.create(low)
    assert denied.value.code == 422
    assert denied.value.message == ('CronTab.stable.example.com "low" is invalid: spec: Invalid value: "object": '
                                    "failed rule: !has(self.minReplicas) || self.minReplicas <= self.replicas")
    with pytest.raises(ApiError, match=r'spec\.image: Required value: an image is required'):
        c.create(crontab("blank", image=""))
    c.create(crontab("fine", replicas=4))


def test_a_transition_rule_reads_the_stored_value_on_updates_only():
    c = Cluster(seed=0)
    c.create(with_rules([], replicas_rules=[{"rule": "self >= oldSelf", "messageExpression":
                                            "'replicas may not go down from ' + string(oldSelf)"}]))
    made = c.create(crontab("grow", replicas=5))  # a create has no oldSelf: the rule is not evaluated
    with pytest.raises(ApiError) as shrunk:
        c.replace({**made, "spec": {**made["spec"], "replicas": 2}})
    assert shrunk.value.message.endswith('spec.replicas: Invalid value: "integer": replicas may not go down from 5')
    c.replace({**made, "spec": {**made["spec"], "replicas": 6}})


def test_an_optional_old_self_rule_runs_on_creates_too():
    c = Cluster(seed=0)
    c.create(with_rules([], replicas_rules=[{"rule": "oldSelf.hasValue() || self <= 3", "optionalOldSelf": True,
                                            "message": "start with at most 3 replicas"}]))
    with pytest.raises(ApiError, match=r"spec\.replicas: Invalid value: \"integer\": start with at most 3 replicas"):
        c.create(crontab("big", replicas=5))
    made = c.create(crontab("small", replicas=2))
    c.replace({**made, "spec": {**made["spec"], "replicas": 8}})  # an update has its old value: allowed


def test_a_rule_at_the_root_sees_the_objects_name_and_kind():
    c = Cluster(seed=0)
    crd = crontab_crd()
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["x-kubernetes-validations"] = [
        {"rule": "self.metadata.name.startsWith('cron-') && self.kind == 'CronTab'",
         "message": "a CronTab's name starts with cron-"}]
    c.create(crd)
    c.create(crontab("cron-nightly"))
    with pytest.raises(ApiError, match=r'<nil>: Invalid value: "object": a CronTab.s name starts with cron-'):
        c.create(crontab("nightly"))
