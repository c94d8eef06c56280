"""The conversions behind the second served versions of built-in kinds (autoscaling/v1,
events.k8s.io/v1): the apiserver's field mappings and round trips."""

from __future__ import annotations

import json

from k9py.kube import conversion

HPA_V2 = {
    "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "web", "namespace": "default", "annotations": {"team": "shop"}},
    "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
             "minReplicas": 2, "maxReplicas": 10,
             "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}},
                         {"type": "Pods", "pods": {"metric": {"name": "rps"}, "target": {"type": "AverageValue", "averageValue": "100"}}}],
             "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}},
    "status": {"currentReplicas": 3, "desiredReplicas": 4,
               "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 75, "averageValue": "150m"}}}],
               "conditions": [{"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale"}]},
}


def test_hpa_v2_as_v1_keeps_the_rest_in_round_trip_annotations():
    v1 = conversion.convert(HPA_V2, "autoscaling/v1")
    assert v1["apiVersion"] == "autoscaling/v1"
    assert v1["spec"] == {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                          "minReplicas": 2, "maxReplicas": 10, "targetCPUUtilizationPercentage": 60}
    assert v1["status"] == {"currentReplicas": 3, "desiredReplicas": 4, "currentCPUUtilizationPercentage": 75}
    ann = v1["metadata"]["annotations"]
    assert ann["team"] == "shop"
    assert json.loads(ann["autoscaling.alpha.kubernetes.io/metrics"]) == [
        {"type": "Pods", "pods": {"metricName": "rps", "targetAverageValue": "100"}}]
    assert json.loads(ann["autoscaling.alpha.kubernetes.io/behavior"]) == {"scaleDown": {"stabilizationWindowSeconds": 60}}
    assert json.loads(ann["autoscaling.alpha.kubernetes.io/conditions"])[0]["type"] == "AbleToScale"
    assert HPA_V2["metadata"]["annotations"] == {"team": "shop"}  # the stored object is not touched

    back = conversion.to_storage(v1)
    assert back["spec"] == HPA_V2["spec"]
    assert back["metadata"]["annotations"] == {"team": "shop"}
    assert back["status"]["conditions"] == HPA_V2["status"]["conditions"]
    assert back["status"]["currentMetrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 75, "averageValue": "150m"}}}]


def test_hpa_v1_without_a_target_and_other_kinds_pass_through():
    v1 = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "x"},
          "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "x"}, "maxReplicas": 3}}
    v2 = conversion.to_storage(v1)
    assert v2["apiVersion"] == "autoscaling/v2" and "metrics" not in v2["spec"] and "annotations" not in v2["metadata"]
    assert conversion.storage_version("autoscaling/v1", "HorizontalPodAutoscaler") == "autoscaling/v2"
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}
    assert conversion.to_storage(pod) is pod and conversion.convert(pod, "v1") is pod
    assert conversion.storage_version("v1", "Pod") == "v1"


def test_events_k8s_io_renames_cores_fields():
    core = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "p", "apiVersion": "v1"}, "reason": "Started",
            "message": "Started container web", "source": {"component": "kubelet", "host": "node-1"},
            "firstTimestamp": "2026-01-01T00:00:00Z", "lastTimestamp": "2026-01-01T00:01:00Z", "count": 2,
            "type": "Normal", "eventTime": None, "reportingComponent": "kubelet", "reportingInstance": ""}
    new = conversion.convert(core, "events.k8s.io/v1")
    assert new == {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": core["metadata"], "eventTime": None,
                   "reason": "Started", "type": "Normal", "note": "Started container web",
                   "regarding": {"kind": "Pod", "name": "p", "apiVersion": "v1"},
                   "reportingController": "kubelet", "deprecatedSource": {"component": "kubelet", "host": "node-1"},
                   "deprecatedFirstTimestamp": "2026-01-01T00:00:00Z", "deprecatedLastTimestamp": "2026-01-01T00:01:00Z",
                   "deprecatedCount": 2}
    back = conversion.to_storage(new)
    assert {k: back[k] for k in core if k != "reportingInstance"} == {k: v for k, v in core.items() if k != "reportingInstance"}
    assert conversion.field_path_to_storage("events.k8s.io/v1", "Event", "regarding.name") == "involvedObject.name"
    assert conversion.field_path_to_storage("events.k8s.io/v1", "Event", "reportingController") == "reportingComponent"
    assert conversion.field_path_to_storage("v1", "Event", "regarding.name") == "regarding.name"
