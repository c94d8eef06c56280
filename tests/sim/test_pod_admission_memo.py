"""Pods created with a spec admission saw before take its result (replicas of one template cost
one admission of their spec): each still gets a token volume of its own and exactly what a full
admission would give it; refusals and PriorityClass changes are never taken from memory."""

from __future__ import annotations

import copy

import pytest

from k9py.kube.status import ApiError
from k9py.sim import pod_admission
from tests.sim.helpers import make_cluster


def _pod(name: str, **spec: object) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
                                     "resources": {"limits": {"cpu": "1", "memory": "64Mi"}}},
                                    {"name": "side", "image": "busybox", "volumeMounts": [{"name": "data", "mountPath": "/d"}]}],
                     "volumes": [{"name": "data", "emptyDir": {}}], **spec}}


def _without_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pod_admission, "_create_key", lambda cluster, spec: None)


def _created(monkeypatch: pytest.MonkeyPatch | None, names: list[str]) -> list[dict]:
    c = make_cluster(nodes=1)
    if monkeypatch is not None:
        _without_memory(monkeypatch)
    return [copy.deepcopy(c.create(_pod(n))) for n in names]


@pytest.mark.source_build
def test_a_spec_admitted_before_gives_what_a_full_admission_gives(monkeypatch: pytest.MonkeyPatch):
    remembered = _created(None, ["a", "b", "c"])
    full = _created(monkeypatch, ["a", "b", "c"])
    assert remembered == full
    tokens = {p["spec"]["volumes"][-1]["name"] for p in remembered}
    assert len(tokens) == 3  # each its own name (the same draws of the generator)
    for p in remembered:
        token = p["spec"]["volumes"][-1]["name"]
        assert [m["name"] for c in p["spec"]["containers"] for m in c["volumeMounts"]] == [token, "data", token]


def test_later_pods_share_the_admitted_parts_of_the_first():
    c = make_cluster(nodes=1)
    first, second = c.create(_pod("a")), c.create(_pod("b"))
    assert second["spec"]["tolerations"] is first["spec"]["tolerations"]
    assert second["spec"]["containers"][0]["resources"] is first["spec"]["containers"][0]["resources"]
    assert second["spec"]["volumes"][0] is first["spec"]["volumes"][0]
    assert second["spec"]["volumes"][-1]["name"] != first["spec"]["volumes"][-1]["name"]
    assert first["spec"]["volumes"][-1]["name"] == first["spec"]["containers"][0]["volumeMounts"][0]["name"]


def test_a_refused_spec_is_refused_again_with_each_pods_name():
    c = make_cluster(nodes=1)
    for name in ("bad-1", "bad-2"):
        with pytest.raises(ApiError) as err:
            c.create(_pod(name, restartPolicy="Sometimes"))
        assert f'Pod "{name}" is invalid' in err.value.message


def test_a_priority_class_created_later_is_seen():
    c = make_cluster(nodes=1)
    with pytest.raises(ApiError):
        c.create(_pod("early", priorityClassName="high"))
    c.create({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "high"}, "value": 1000})
    assert c.create(_pod("later", priorityClassName="high"))["spec"]["priority"] == 1000
    c.store.mutate("PriorityClass", None, "high", lambda pc: pc.__setitem__("value", 7))
    assert c.create(_pod("again", priorityClassName="high"))["spec"]["priority"] == 7


def test_a_pod_update_is_checked_without_copying_and_as_before():
    base = {"containers": [{"name": "a", "image": "x:1", "ports": [{"containerPort": 80}]}, {"name": "b", "image": "y:1"}],
            "initContainers": [{"name": "i", "image": "z:1"}], "tolerations": [{"key": "k"}], "nodeName": "n1",
            "terminationGracePeriodSeconds": 30, "restartPolicy": "Always"}

    def variant(**changes: object) -> dict:
        spec = copy.deepcopy(base)
        spec.update(changes)
        return spec
    specs = [
        base, variant(), variant(tolerations=[]), variant(nodeName="n2"), variant(activeDeadlineSeconds=5),
        variant(containers=[{"name": "a", "image": "x:2", "ports": [{"containerPort": 80}]}, {"name": "b", "image": "y:1"}]),
        variant(containers=[{"name": "a", "ports": [{"containerPort": 80}]}, {"name": "b", "image": "y:1"}]),
        variant(containers=[{"name": "a", "image": "x:1", "ports": [{"containerPort": 81}]}, {"name": "b", "image": "y:1"}]),
        variant(containers=[{"name": "a", "image": "x:1", "ports": [{"containerPort": 80}]}]),
        variant(initContainers=None), variant(initContainers=[{"name": "i", "image": "z:9"}]),
        variant(restartPolicy="Never"), {k: v for k, v in base.items() if k != "restartPolicy"},
        variant(hostname="h"), variant(initContainers={"oops": 1}),
    ]
    for a in specs:
        for b in specs:
            try:
                expected: object = pod_admission._comparable(a) == pod_admission._comparable(b)
            except AttributeError as e:
                expected = type(e)
            try:
                got: object = pod_admission._only_updatable_changed(a, b)
            except AttributeError as e:
                got = type(e)
            assert got == expected, (a, b)


def test_an_update_of_metadata_alone_takes_the_stored_spec_as_it_is():
    """A label or an annotation written through the API leaves the spec the stored one: it is not
    defaulted or validated again (the apiserver ratchets validation of what an update leaves as
    it was). A pod stored as a recording brings it (no admission's defaults) takes a label; a
    change of an admitted pod's spec is still admitted in full."""
    c = make_cluster(nodes=1)
    bare = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "rec", "namespace": "default"},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}], "nodeName": "minikube"}}
    stored = c.store.create(copy.deepcopy(bare))  # as a replayed object comes: never admitted
    out = c.replace({**stored, "metadata": {**stored["metadata"], "labels": {"team": "a"}}})
    assert out["metadata"]["labels"] == {"team": "a"}
    assert out["spec"] == bare["spec"] and out["status"]["qosClass"] == "BestEffort"

    admitted = c.create(_pod("full"))
    relabelled = c.replace({**admitted, "metadata": {**admitted["metadata"], "labels": {"team": "b"}}})
    assert relabelled["spec"] == admitted["spec"] and relabelled["status"]["qosClass"] == "Burstable"
    changed = copy.deepcopy(relabelled)
    changed["spec"]["restartPolicy"] = "Never"
    with pytest.raises(ApiError) as err:
        c.replace(changed)
    assert err.value.code == 422 and "pod updates may not change fields" in str(err.value)


def test_an_update_of_a_stored_spec_admission_would_refuse_is_refused_not_a_crash():
    """A pod stored without admission (a replayed object) whose spec admission would refuse: a
    label written on it gets the 422 of the full admission, as before, never a Python error."""
    c = make_cluster(nodes=1)
    for name, spec in (("a", {"containers": ["junk"]}), ("b", {"containers": {"x": 1}}),
                       ("c", {"containers": [{"name": "app", "image": "x", "resources": "big"}]})):
        stored = c.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                                 "spec": spec})
        with pytest.raises(ApiError) as err:
            c.replace({**stored, "metadata": {**stored["metadata"], "labels": {"team": "a"}}})
        assert err.value.code == 422, name


def test_a_pod_created_with_no_ephemeral_containers_takes_labels():
    """``ephemeralContainers: []`` is stored as sent; an update that leaves the spec as it is
    (a label) is taken (it was refused as a spec change before: an update drops the empty list)."""
    c = make_cluster(nodes=1)
    created = c.create(_pod("e", ephemeralContainers=[]))
    out = c.replace({**created, "metadata": {**created["metadata"], "labels": {"team": "a"}}})
    assert out["metadata"]["labels"] == {"team": "a"} and out["spec"] == created["spec"]
