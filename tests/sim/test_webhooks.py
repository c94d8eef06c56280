"""Admission webhook configurations are stored with the apiserver's defaults, and refused without
the fields it requires."""

from __future__ import annotations

import pytest

from k9py.kube.status import ApiError
from k9py.sim.cluster import Cluster


def _config(kind: str, **hook) -> dict:
    base = {"name": "pods.example.com", "clientConfig": {"service": {"namespace": "default", "name": "hook"}},
            "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}]}
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind, "metadata": {"name": "demo"},
            "webhooks": [{**base, **hook}]}


def test_a_mutating_webhook_gets_the_apiserver_defaults():
    c = Cluster(seed=0)
    out = c.create(_config("MutatingWebhookConfiguration", sideEffects="None", admissionReviewVersions=["v1"]))
    (hook,) = out["webhooks"]
    assert hook["failurePolicy"] == "Fail" and hook["matchPolicy"] == "Equivalent"
    assert hook["namespaceSelector"] == {} and hook["objectSelector"] == {}
    assert hook["timeoutSeconds"] == 10 and hook["reinvocationPolicy"] == "Never"
    assert hook["rules"][0]["scope"] == "*" and hook["clientConfig"]["service"]["port"] == 443


def test_a_validating_webhook_without_side_effects_is_refused():
    c = Cluster(seed=0)
    with pytest.raises(ApiError) as err:
        c.create(_config("ValidatingWebhookConfiguration", admissionReviewVersions=["v1"]))
    assert err.value.code == 422
    assert err.value.message == ('ValidatingWebhookConfiguration.admissionregistration.k8s.io "demo" is invalid: '
                                 'webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun')
    ok = c.create(_config("ValidatingWebhookConfiguration", sideEffects="None", admissionReviewVersions=["v1"]))
    assert "reinvocationPolicy" not in ok["webhooks"][0]
