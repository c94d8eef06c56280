"""`kubectl explain`'s words for the fields a learner meets first: none is left to the fallback
sentence that only names the field ("The x of the Y (x).") or its type ("Y: a part of the
Kubernetes API (y).")."""

from __future__ import annotations

import json
from importlib import resources

from k9py.serve.openapi_text import describe_field, describe_type

# the kinds of the tutorials, and the types their fields hold two levels down (spec, status, ...)
KINDS = ("v1/Pod", "apps/v1/Deployment", "apps/v1/ReplicaSet", "apps/v1/StatefulSet", "apps/v1/DaemonSet",
         "batch/v1/Job", "v1/Service", "v1/Node", "v1/PersistentVolumeClaim", "v1/ServiceAccount", "v1/Event",
         "networking.k8s.io/v1/Ingress", "autoscaling/v2/HorizontalPodAutoscaler", "resource.k8s.io/v1/ResourceClaim")
STILL_PLAIN = {  # deprecated or alpha fields a learner does not meet
    "JobSpec.scheduling", "NodeSpec.configSource", "NodeSpec.podPreemptionPolicy", "NodeStatus.config",
    "NodeStatus.declaredFeatures", "ObjectMeta.selfLink", "PersistentVolumeClaimStatus.healthStatus",
    "PodSpec.evictionResponders", "PodSpec.hostnameOverride", "PodSpec.schedulingGroup",
    "PodStatus.extendedResourceClaimStatus", "PodStatus.nodeAllocatableResourceClaimStatuses", "PodStatus.volumeHealth",
}


PLAIN_TYPES = {"EvictionResponder", "PodSchedulingGroup", "PodVolumeHealth", "JobSchedulingConfiguration",
               "NodePodPreemptionPolicy"}


def _plain_fields() -> list[str]:
    doc = json.loads(resources.files("k9py.data").joinpath("openapi/types.json").read_text())
    types, kinds = doc["types"], doc["kinds"]
    out, seen = [], set()

    def walk(name: str, depth: int) -> None:
        if name in seen or depth > 2:
            return
        seen.add(name)
        short = name.rsplit(".", 1)[-1]
        if name in types and "a part of the Kubernetes API" in describe_type(short) and short not in PLAIN_TYPES:
            out.append(short)
        for field, typ, *_ in types.get(name, ()):
            if describe_field(short, field).endswith(f" ({field}).") and f"{short}.{field}" not in STILL_PLAIN:
                out.append(f"{short}.{field}")
            walk(typ.lstrip("[]{}"), depth + 1)
    for kind in KINDS:
        walk(kinds[kind], 0)
    return out


def test_the_fields_a_learner_explains_first_have_words_of_their_own():
    assert _plain_fields() == []
    assert describe_field("PodSpec", "resourceClaims").startswith("The ResourceClaims (DRA devices) the pod needs")
    assert describe_field("ContainerStatus", "lastState").startswith("The container's previous state")


def test_a_name_field_is_described_as_what_it_names():
    """`kubectl explain pod.spec.os` described `name` as the object's own name (the fallback for
    every `name` field): it is the operating system's; a key selector's is the object it reads."""
    from k9py.serve.openapi_text import describe_field

    assert "linux or windows" in describe_field("PodOS", "name")
    assert "ConfigMap" in describe_field("ConfigMapKeySelector", "name")
    assert "Secret" in describe_field("SecretKeySelector", "name")
    assert "unique within" not in describe_field("LocalObjectReference", "name")
    assert "unique within a namespace" in describe_field("ObjectMeta", "name")  # the object's own, still
