"""Digits that are not ASCII (³, ², a superscript AltGr or a pasted footnote gives): Python's
str.isdigit takes them and int() then refuses them, so each spot that checked isdigit before
int() failed in Python's words, a traceback on serve's stderr, or (a Service's targetPort, a
PDB's percent) a controller that failed at every tick. Go's strconv knows ASCII digits only."""

from __future__ import annotations

from urllib.parse import quote

from k9py.kube import patch as kpatch
from k9py.sim.controllers.endpoints_members import find_port


def test_a_service_whose_target_port_is_a_superscript_is_a_named_port_the_pods_lack(client):
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "sup"},
           "spec": {"selector": {"app": "nginx"}, "ports": [{"port": 80, "targetPort": "³"}]}}
    code, body, _ = client.call("POST", "/api/v1/namespaces/default/services", svc)
    assert code == 201, body
    pod = {"spec": {"containers": [{"name": "nginx", "ports": [{"containerPort": 80}]}]}}
    # the endpoints controller's port of each pod (a ValueError at each tick before)
    assert find_port(pod, svc["spec"]["ports"][0]) is None


def test_a_pdb_percent_of_superscript_digits_is_refused_in_the_apiservers_words(client):
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "sup"},
           "spec": {"minAvailable": "³%", "selector": {"matchLabels": {"app": "nginx"}}}}
    code, body, _ = client.call("POST", "/apis/policy/v1/namespaces/default/poddisruptionbudgets", pdb)
    assert code == 422 and "could not be processed" not in body["message"], body


def test_a_proxy_port_or_a_json_patch_index_of_superscripts_is_no_number(client):
    code, body, _ = client.call("GET", f"/api/v1/namespaces/default/pods/{quote('nginx-0:³')}/proxy/")
    assert "could not be processed" not in body.get("message", ""), body
    code, body, _ = client.call("GET", f"/api/v1/nodes/{quote('node-1:³')}/proxy/")
    assert "could not be processed" not in body.get("message", ""), body
    for rv in ("³", "abc"):  # (a legacy list: a version that does not parse is any)
        code, body, _ = client.call("GET", "/api/v1/pods?resourceVersion=" + quote(rv))
        assert code == 200 and body["kind"] == "PodList", body
    doc = {"spec": {"containers": [{"name": "c"}]}}
    try:
        kpatch.apply_patch(doc, kpatch.JSON_PATCH, [{"op": "replace", "path": "/spec/containers/³/name", "value": "x"}])
    except kpatch.PatchError as err:
        assert "³" in str(err)


def test_the_lists_natural_order_reads_ascii_numbers_only():
    """:sd's and :dir's names (a file called dump-1² from a footnote) ended the app at a sort."""
    from k9py.ui.screens.listsort import natural
    assert sorted(["dump-1²", "dump-10", "dump-9"], key=natural) == ["dump-1²", "dump-9", "dump-10"]


def test_integer_parameters_are_read_as_go_reads_them(client):
    """timeoutSeconds=nan or inf was taken (float()): a watch that never timed out; limit=1_0 was
    10 and tailLines=99999999999999999999 was taken: strconv.ParseInt refuses each."""
    for query in ("watch=1&timeoutSeconds=nan", "watch=1&timeoutSeconds=inf", "watch=1&timeoutSeconds=1.5",
                  "limit=1_0", "limit=" + quote("٣"), "limit=99999999999999999999"):
        code, body, _ = client.call("GET", "/api/v1/namespaces/default/configmaps?" + query)
        assert code == 400 and body["reason"] == "BadRequest", (query, body)
        assert "must be an integer" in body["message"], body
    code, body, _ = client.call("GET", "/api/v1/namespaces/default/pods/nope/log?tailLines=99999999999999999999")
    assert code == 400 and body["message"] == 'invalid value for tailLines: "99999999999999999999"', body
    code, body, _ = client.call("GET", "/api/v1/namespaces/default/configmaps?limit=%2B1")  # (+1: Go takes the sign)
    assert code == 200, body
