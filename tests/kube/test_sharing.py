"""``sharing.Sharer``: decoded objects keep their values, the repeated strings become one object."""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

from k9py.kube import sharing
from k9py.kube.sharing import Sharer


def _event(i: int, **extra: Any) -> dict[str, Any]:
    at = f"2026-11-01T09:00:{i:02d}Z"
    return json.loads(json.dumps({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": f"p{i}.17", "namespace": "shop", "uid": f"u{i}", "creationTimestamp": at},
        "involvedObject": {"kind": "Pod", "namespace": "shop", "name": f"p{i}", "apiVersion": "v1"},
        "reason": "Started", "message": f"Started container app{i}", "source": {"component": "kubelet"},
        "firstTimestamp": at, "lastTimestamp": at, "count": 1, "type": "Normal", "eventTime": None,
        "reportingComponent": "kubelet", "reportingInstance": "", **extra}))


def _pod(i: int) -> dict[str, Any]:
    at = f"2026-11-01T09:00:{i:02d}Z"
    return json.loads(json.dumps({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": f"web-{i}", "namespace": "shop", "labels": {"app": "web", "tier": "front"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1",
                                          "uid": "rs-uid", "controller": True}]},
        "spec": {"containers": [{"name": "app", "image": "web:1", "imagePullPolicy": "IfNotPresent",
                                 "ports": [{"containerPort": 80, "protocol": "TCP"}],
                                 "resources": {"requests": {"cpu": "100m"}, "limits": {"memory": "1Gi"}}}],
                 "restartPolicy": "Always", "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoExecute"}]},
        "status": {"phase": "Running", "qosClass": "Burstable",
                   "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": at}]}}))


def test_events_and_pods_stay_equal_and_share_their_repeated_strings() -> None:
    sharer = Sharer()
    events = [_event(i) for i in range(3)] + [_event(3, reportingComponent=None)]  # not all there: one by one
    pods = [_pod(i) for i in range(3)]
    expected = copy.deepcopy(events + pods)
    assert [sharer.share(o) for o in events + pods] == expected
    a, b, partial = events[0], events[1], events[3]
    for path in (("reason",), ("type",), ("source", "component"), ("involvedObject", "namespace")):
        x, y, z = a, b, partial
        for k in path:
            x, y, z = x[k], y[k], z[k]
        assert x is y is z, path
    assert a["firstTimestamp"] is a["lastTimestamp"] is a["metadata"]["creationTimestamp"]
    assert a["message"] is not b["message"]  # unique values are not kept
    assert partial["reportingComponent"] is None
    p, q = pods[0], pods[1]
    assert p["metadata"]["labels"]["app"] is q["metadata"]["labels"]["app"]
    assert p["metadata"]["ownerReferences"][0]["uid"] is q["metadata"]["ownerReferences"][0]["uid"]
    assert p["spec"]["containers"][0]["resources"]["limits"]["memory"] is q["spec"]["containers"][0]["resources"]["limits"]["memory"]
    assert p["spec"]["tolerations"][0]["effect"] is q["spec"]["tolerations"][0]["effect"]
    assert p["status"]["conditions"][0]["status"] is q["status"]["conditions"][0]["status"]


def test_values_of_other_types_and_odd_shapes_are_left_as_they_are(monkeypatch: Any) -> None:
    sharer = Sharer()
    sharer.share(_event(0, type="1"))
    odd = _event(1, type=True, reason=1.0)  # never the equal "1" or 1 of another type
    assert sharer.share(odd)["type"] is True and sharer.share(odd)["reason"].__class__ is float
    for bad in ({"kind": "Event", "source": "x"}, {"kind": "Pod", "spec": []}, {"kind": "Node", "status": "s"}):
        assert sharer.share(copy.deepcopy(bad)) == bad
    monkeypatch.setattr(sharing, "LIMIT", 2)  # a table that would grow without end starts over
    for i in range(10):
        sharer.share(_event(i, reason=f"r{i}"))
    assert len(sharer._table) <= 2 + 8


def test_a_class_that_shares_keys_makes_small_plain_dicts_even_with_a_key_that_comes_late():
    @sharing.shares_keys
    class Ref:
        kind: str
        namespace: str
        name: str
        fieldPath: str

    def ref(**values: str) -> dict[str, Any]:
        r = Ref()
        for k, v in values.items():
            setattr(r, k, v)
        return r.__dict__

    early = [ref(kind="Node", name=f"n{i}") for i in range(200)]  # no namespace, no fieldPath: many of them
    late = ref(kind="Pod", namespace="shop", name="p", fieldPath="spec.containers{app}")
    assert type(late) is dict and late == {"kind": "Pod", "namespace": "shop", "name": "p", "fieldPath": "spec.containers{app}"}
    assert list(late) == ["kind", "namespace", "name", "fieldPath"] and list(early[0]) == ["kind", "name"]
    # (CPython) each holds its values only: smaller than an equal dict display
    assert sys.getsizeof(late) < sys.getsizeof(dict(json.loads(json.dumps(late))))
    assert sys.getsizeof(early[-1]) < sys.getsizeof(json.loads(json.dumps(early[-1])))
