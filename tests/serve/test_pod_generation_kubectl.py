"""Pod generation through the real kubectl against `k9py serve` (a 1.37 cluster: pod
observedGeneration is GA since 1.35): what `kubectl get -o jsonpath` prints of a running pod,
then of the same pod once deleted gracefully."""

from __future__ import annotations

GENERATIONS = ("jsonpath={.metadata.generation} {.status.observedGeneration} "
               "{.status.conditions[?(@.type==\"Ready\")].observedGeneration} "
               "{.status.conditions[?(@.type==\"PodScheduled\")].observedGeneration}")


def test_kubectl_sees_a_pods_generation_follow_its_graceful_delete(kubectl):
    names = kubectl("get", "pods", "-n", "default", "--field-selector=status.phase=Running",
                    "-o", "jsonpath={.items[*].metadata.name}").stdout.split()
    assert names, "the demo cluster runs pods in default"
    name = names[0]
    assert kubectl("get", "pod", name, "-n", "default", "-o", GENERATIONS).stdout == "1 1 1 1"
    kubectl("delete", "pod", name, "-n", "default", "--grace-period=120", "--wait=false")
    kubectl.handle.advance(1)  # type: ignore[attr-defined]
    assert kubectl("get", "pod", name, "-n", "default", "-o", GENERATIONS).stdout == "2 2 2 2"
