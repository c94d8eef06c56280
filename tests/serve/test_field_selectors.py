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


def test_a_custom_resources_selectable_fields(client, served):
    """A CRD version's selectableFields (GA in 1.32) are field labels of its resources: an
    integer's value as its digits; other fields still refused."""
    from tests.crds import crontab, crontab_crd

    crd = crontab_crd()
    crd["spec"]["versions"][0]["selectableFields"] = [{"jsonPath": ".spec.image"}, {"jsonPath": ".spec.replicas"}]
    assert client.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)[0] == 201
    served.advance(1)
    path = "/apis/stable.example.com/v1/namespaces/default/crontabs"
    assert client.call("POST", path, crontab("a", image="x:1", replicas=2))[0] == 201
    assert client.call("POST", path, crontab("b", image="y:1"))[0] == 201
    assert names(client, path, "spec.image=x:1") == ["a"]
    assert names(client, path, "spec.image!=x:1,spec.replicas=1") == ["b"]
    assert refusal(client, path, "spec.cronSpec=x") == \
        '"spec.cronSpec" is not a known field selector: only "metadata.name", "metadata.namespace"'


def test_values_are_unescaped_and_a_bare_equals_or_bad_escape_is_refused_as_the_apiserver_does(client):
    """fields.ParseSelector: metadata.name===x (a bare = in the value) listed nothing with 200, and
    a=b!=c was read as a=b != c; an escaped comma or equals is part of the value."""
    assert refusal(client, "/api/v1/pods", "metadata.name===x") == \
        "invalid field selector: unescaped character in value: 61"
    assert refusal(client, "/api/v1/pods", "metadata.namespace=default!=x") == \
        "invalid field selector: unescaped character in value: 61"
    assert refusal(client, "/api/v1/pods", r"metadata.name=a\b") == "invalid field selector: invalid escape sequence: \\b"
    assert refusal(client, "/api/v1/pods", "metadata.name=a\\") == "invalid field selector: invalid escape sequence: \\"
    assert refusal(client, "/api/v1/pods", "metadata.name") == \
        "invalid selector: 'metadata.name'; can't understand 'metadata.name'"
    assert names(client, "/api/v1/namespaces", r"metadata.name=a\,b") == []
    assert names(client, "/api/v1/namespaces", r"metadata.name!=a\=b,metadata.name=default") == ["default"]
    assert names(client, "/apis/events.k8s.io/v1/events", r"regarding.name=x\,y") == []
