"""Field selectors as each kind's apiserver knows them: its field labels (anything else a 400 in
its words) and the values its ToSelectableFields computes (false for an unset bool, 0 for an unset
count, an event's source falling back to its reporting controller)."""

from __future__ import annotations

from urllib.parse import quote


def names(client, path: str, selector: str) -> list[str]:
    code, body, _ = client.call("GET", f"{path}?fieldSelector={quote(selector)}")
    assert code == 200, body
    return sorted(o["metadata"]["name"] for o in body["items"])


def refusal(client, path: str, selector: str) -> str:
    code, body, _ = client.call("GET", f"{path}?fieldSelector={quote(selector)}")
    assert code == 400 and body["reason"] == "BadRequest", body
    return body["message"]


def test_unset_bools_and_counts_select_as_false_and_zero(client):
    assert names(client, "/api/v1/nodes", "spec.unschedulable=false") == ["minikube", "minikube-m02"]
    code, _, _ = client.call("PATCH", "/api/v1/nodes/minikube-m02", {"spec": {"unschedulable": True}},
                             content_type="application/merge-patch+json")
    assert code == 200
    assert names(client, "/api/v1/nodes", "spec.unschedulable=true") == ["minikube-m02"]
    assert names(client, "/api/v1/nodes", "spec.unschedulable!=true") == ["minikube"]
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
           "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}}
    assert client.call("POST", "/apis/batch/v1/namespaces/default/jobs", job)[0] == 201
    assert names(client, "/apis/batch/v1/namespaces/default/jobs", "status.successful=0") == ["once"]
    assert names(client, "/apis/batch/v1/namespaces/default/jobs", "status.successful=1") == []


def test_event_source_is_its_component(client):
    code, body, _ = client.call("GET", "/api/v1/events")
    assert code == 200
    kubelet = sorted(e["metadata"]["name"] for e in body["items"] if (e.get("source") or {}).get("component") == "kubelet")
    assert kubelet and names(client, "/api/v1/events", "source=kubelet") == kubelet


def test_field_labels_a_kind_does_not_have_are_refused_in_the_apiservers_words(client):
    assert refusal(client, "/api/v1/pods", "metadata.foo=x") == "field label not supported: metadata.foo"
    assert refusal(client, "/api/v1/nodes", "metadata.namespace=x") == "field label not supported: metadata.namespace"
    assert refusal(client, "/apis/apps/v1/deployments", "status.phase=Running") == \
        '"status.phase" is not a known field selector: only "metadata.name", "metadata.namespace"'
    assert refusal(client, "/api/v1/configmaps", "spec.nodeName=minikube") == \
        '"spec.nodeName" is not a known field selector: only "metadata.name", "metadata.namespace"'
    assert names(client, "/api/v1/pods", "spec.hostNetwork=false,metadata.namespace=nowhere") == []
    assert names(client, "/apis/apps/v1/replicasets", "status.replicas=0") == []
