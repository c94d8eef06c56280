"""Helm releases read from their storage Secrets (view/helm.py) and the `:helm` rows (view/helm_rows.py).

tests/data/helm/releases.json: the release Secrets the real Helm v3.18.0 wrote into `k9py serve`
(`helm install web tests/serve/charts/hello --set greeting=hi --set replicaCount=1`, `helm upgrade web …
--set greeting=bye`, and `helm install noted -n shop --create-namespace --set greeting=hej` of that chart
with a NOTES.txt), read back with `kubectl get secret -A -l owner=helm -o json`."""

from __future__ import annotations

import base64
import copy
import gzip
import json
from pathlib import Path

import pytest

from k9py.kube import meta
from k9py.view import helm

RECORDED = Path(__file__).parent.parent / "data" / "helm" / "releases.json"


def recorded() -> list[dict]:
    return json.loads(RECORDED.read_text())["items"]


def by_name(name: str) -> dict:
    return next(s for s in recorded() if meta.name(s) == name)


def test_real_helm_secrets_decode():
    web1, web2, noted = (helm.release(by_name(n)) for n in
                         ("sh.helm.release.v1.web.v1", "sh.helm.release.v1.web.v2", "sh.helm.release.v1.noted.v1"))
    assert (web2.namespace, web2.name, web2.version, web2.status) == ("default", "web", 2, "deployed")
    assert (web1.version, web1.status, web1.description) == (1, "superseded", "Install complete")
    assert web2.description == "Upgrade complete"
    assert (web2.chart, web2.app_version) == ("hello-0.1.0", "1.25")
    assert web2.last_deployed == "2026-12-06T16:06:02.323463747Z"
    assert web2.values() == {"greeting": "bye"}
    assert web1.values() == {"greeting": "hi", "replicaCount": 1}
    assert noted.notes == 'Thank you for installing hello.\nYour release is named noted; it greets with "hej".\n'
    assert web2.notes == ""  # the chart has no NOTES.txt
    assert web2.manifest.startswith("---\n# Source: hello/templates/configmap.yaml\n")
    assert not web2.error and helm.valid(web2) == "" and helm.valid(web1) == "chart is in an invalid state"


def test_all_values_are_the_chart_defaults_coalesced_with_the_users():
    # what `helm get values web --revision 1 -a -o json` printed
    web1 = helm.release(by_name("sh.helm.release.v1.web.v1"))
    assert web1.values(all_values=True) == {"bogus": False, "greeting": "hi",
                                            "image": {"repository": "nginx", "tag": "1.25"},
                                            "podAnnotations": {}, "replicaCount": 1, "service": {"port": 80}}
    assert helm.to_yaml(web1.values()) == "greeting: hi\nreplicaCount: 1\n"
    assert helm.to_yaml({}) == "{}\n"


def test_coalesce_merges_maps_and_a_user_null_deletes():
    chart = {"a": 1, "m": {"x": 1, "y": 2}, "gone": "z", "list": [1, 2]}
    user = {"m": {"y": 3, "w": 4}, "gone": None, "list": [9], "new": True}
    assert helm.coalesce(user, chart) == {"a": 1, "list": [9], "m": {"w": 4, "x": 1, "y": 3}, "new": True}


def test_encode_is_what_decode_reads_and_plain_json_is_read_too():
    rel = {"name": "x", "namespace": "ns", "version": 3, "info": {"status": "deployed"}}
    assert helm.decode(helm.encode(rel)) == rel
    plain = base64.b64encode(base64.b64encode(json.dumps(rel).encode())).decode()  # not gzipped: Helm reads it
    assert helm.decode(plain) == rel
    secret = helm.release_secret(rel)
    assert meta.name(secret) == "sh.helm.release.v1.x.v3" and secret["type"] == helm.RELEASE_TYPE
    assert meta.labels(secret) == {"name": "x", "owner": "helm", "status": "deployed", "version": "3"}


@pytest.mark.parametrize(("data", "error"), [
    (None, "no data.release"),
    ("", "no data.release"),
    ("%%%", "data.release is not base64"),
    (base64.b64encode(b"!!not base64!!").decode(), "not Helm's base64 inside the API's"),
    (base64.b64encode(base64.b64encode(b"\x1f\x8b\x08garbage")).decode(), "not valid gzip"),
    (base64.b64encode(base64.b64encode(gzip.compress(b"{nope", mtime=0))).decode(), "not a release's JSON"),
    (base64.b64encode(base64.b64encode(gzip.compress(b"[1]", mtime=0))).decode(), "not an object"),
    (base64.b64encode(base64.b64encode(gzip.compress(b"\xff\xfe", mtime=0))).decode(), "not a release's JSON"),
], ids=["none", "empty", "not-base64", "not-helm-base64", "not-gzip", "not-json", "not-an-object", "not-utf8"])
def test_corrupt_release_secrets_say_what_is_wrong(data, error):
    with pytest.raises(helm.ReleaseError, match=error):
        helm.decode(data)
    secret = copy.deepcopy(by_name("sh.helm.release.v1.web.v2"))
    secret["data"] = {"release": data} if data is not None else {}
    secret["metadata"]["resourceVersion"] = f"bad-{error}"
    rel = helm.release(secret)  # the row: what the labels tell, and the error
    assert (rel.name, rel.version, rel.status) == ("web", 2, "deployed")
    assert error in rel.error and helm.valid(rel) == rel.error
    assert rel.values() == {} and rel.notes == "" and rel.manifest == ""


def test_a_gzip_bomb_is_refused():
    bomb = base64.b64encode(base64.b64encode(gzip.compress(b"{" + b" " * (helm.MAX_RELEASE + 10) + b"}"))).decode()
    with pytest.raises(helm.ReleaseError, match="inflates to more than"):
        helm.decode(bomb)


def test_secrets_with_odd_labels_still_name_their_release():
    s = {"metadata": {"name": "sh.helm.release.v1.my.app.v12", "namespace": "a", "labels": {"owner": "helm"}}}
    assert helm.release_name_of(s) == "my.app" and helm.version_of(s) == 12
    s["metadata"]["labels"]["version"] = "x"
    assert helm.version_of(s) == 12
    assert not helm.is_release({"metadata": {"labels": {"owner": "someone"}}})


def test_manifest_objects_in_helms_uninstall_order_and_kept_ones():
    manifest = ("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  namespace: other\n"
                "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n"
                "---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n"
                "  annotations:\n    helm.sh/resource-policy: keep\n"
                "---\n# only a comment\n")
    targets, kept = helm.manifest_objects(manifest)
    assert [(t.kind, t.namespace, t.name) for t in targets] == [("Service", "", "s"), ("Deployment", "other", "d"),
                                                                ("ConfigMap", "", "c")]
    assert kept == ["PersistentVolumeClaim/data"]
    with pytest.raises(helm.ReleaseError, match="not YAML"):
        helm.manifest_objects("a: [")
