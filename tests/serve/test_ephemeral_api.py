"""``pods/{name}/ephemeralcontainers`` over HTTP: GET is the Pod, PATCH and PUT change only
``spec.ephemeralContainers`` (the e2e module drives it with kubectl debug)."""

from __future__ import annotations

PATH = "/api/v1/namespaces/default/pods/web/ephemeralcontainers"
SMP = "application/strategic-merge-patch+json"


def _create_web(served) -> None:
    with served.cluster.lock:
        served.cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
                               "spec": {"containers": [{"name": "web", "image": "nginx:1.14.2"}]}})
    served.advance(10)


def test_get_patch_and_put_the_subresource(served, client):
    _create_web(served)
    code, pod, _ = client.call("GET", PATH)
    assert code == 200 and pod["kind"] == "Pod" and pod["metadata"]["name"] == "web"
    patch = {"spec": {"ephemeralContainers": [{"name": "dbg", "image": "busybox", "stdin": True}]},
             "metadata": {"labels": {"sneaky": "yes"}}}
    code, pod, _ = client.call("PATCH", PATH, patch, content_type=SMP)
    assert code == 200, pod
    assert [c["name"] for c in pod["spec"]["ephemeralContainers"]] == ["dbg"]
    assert "sneaky" not in (pod["metadata"].get("labels") or {})  # the subresource changes nothing else
    pod["spec"]["ephemeralContainers"].append({"name": "dbg2", "image": "alpine"})
    pod["spec"]["containers"][0]["image"] = "nginx:1.25"
    code, out, _ = client.call("PUT", PATH, pod)
    assert code == 200, out
    assert [c["name"] for c in out["spec"]["ephemeralContainers"]] == ["dbg", "dbg2"]
    assert out["spec"]["containers"][0]["image"] == "nginx:1.14.2"
    served.advance(5)
    code, pod, _ = client.call("GET", "/api/v1/namespaces/default/pods/web")
    states = {s["name"]: set(s["state"]) for s in pod["status"]["ephemeralContainerStatuses"]}
    assert states == {"dbg": {"running"}, "dbg2": {"terminated"}}


def test_refusals_are_apiserver_statuses(served, client):
    _create_web(served)
    patch = {"spec": {"ephemeralContainers": [{"name": "dbg", "image": "busybox",
                                               "livenessProbe": {"exec": {"command": ["true"]}}}]}}
    code, st, _ = client.call("PATCH", PATH, patch, content_type=SMP)
    assert (code, st["reason"]) == (422, "Invalid")
    assert st["message"] == ('Pod "web" is invalid: spec.ephemeralContainers[0].livenessProbe: Forbidden: '
                             "cannot be set for an Ephemeral Container")
    assert st["details"]["causes"] == [{"reason": "FieldValueForbidden", "field": "spec.ephemeralContainers[0].livenessProbe",
                                        "message": "Forbidden: cannot be set for an Ephemeral Container"}]
    code, st, _ = client.call("PATCH", "/api/v1/namespaces/default/pods/nope/ephemeralcontainers",
                              {"spec": {}}, content_type=SMP)
    assert code == 404 and st["details"]["name"] == "nope"
