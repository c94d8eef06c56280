"""Admission of MutatingWebhookConfigurations and ValidatingWebhookConfigurations: the apiserver's
defaults (``SetDefaults_MutatingWebhook`` / ``_ValidatingWebhook`` / ``_Rule`` /
``_ServiceReference``) and the required fields it checks. The simulator stores them; it calls no
webhook."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.status import invalid
from k9py.sim.admission import admits

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
MUTATING = "MutatingWebhookConfiguration"
VALIDATING = "ValidatingWebhookConfiguration"


def _defaults(hook: Obj, mutating: bool) -> None:
    hook.setdefault("failurePolicy", "Fail")
    hook.setdefault("matchPolicy", "Equivalent")
    if not isinstance(hook.get("namespaceSelector"), dict):
        hook["namespaceSelector"] = {}
    if not isinstance(hook.get("objectSelector"), dict):
        hook["objectSelector"] = {}
    hook.setdefault("timeoutSeconds", 10)
    if mutating:
        hook.setdefault("reinvocationPolicy", "Never")
    for rule in hook.get("rules") or []:
        if isinstance(rule, dict):
            rule.setdefault("scope", "*")
    svc = meta.dig(hook, "clientConfig", "service")
    if isinstance(svc, dict):
        svc.setdefault("port", 443)


def _admit(obj: Obj, mutating: bool) -> None:
    causes = []
    for i, hook in enumerate(obj.get("webhooks") or []):
        if not isinstance(hook, dict):
            continue
        _defaults(hook, mutating)
        if not hook.get("sideEffects"):
            causes.append((f"webhooks[{i}].sideEffects", "Required value: must specify one of None, NoneOnDryRun"))
        if not hook.get("admissionReviewVersions"):
            causes.append((f"webhooks[{i}].admissionReviewVersions", "Required value: must specify one of v1, v1beta1"))
    if causes:
        raise invalid(obj.get("kind", ""), meta.name(obj), causes)


@admits(MUTATING)
def admit_mutating(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    _admit(obj, True)


@admits(VALIDATING)
def admit_validating(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    _admit(obj, False)
