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
from k9py.kube.timefmt import parse_time
from k9py.view import helm
from k9py.view.helm_rows import HelmReleaseModel, revision_row
from k9py.view.kinds import BY_NAME
from k9py.view.rows import RowModel

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


# -- rows ----------------------------------------------------------------------------------------------
def keyed(secrets: list[dict]) -> dict:
    return {(meta.namespace(s), meta.name(s)): s for s in secrets}


def cells(model: RowModel) -> list[tuple[str, ...]]:
    return [model.cells(model.row_at(i)) for i in range(len(model))]


NOW = parse_time("2026-12-06T17:06:32Z")  # an hour after the recording


def test_helm_rows_one_per_release_its_latest_revision():
    m = HelmReleaseModel(BY_NAME["helm"], all_namespaces=True)
    m.now = NOW
    m.load(keyed([*recorded(), {"metadata": {"name": "other", "namespace": "default"}, "type": "Opaque"}]))
    assert [c.name for c in m.columns] == ["NAMESPACE", "NAME", "REVISION", "STATUS", "CHART", "APP VERSION", "AGE"]
    assert cells(m) == [("default", "web", "2", "deployed", "hello-0.1.0", "1.25", "60m"),
                        ("shop", "noted", "1", "deployed", "hello-0.1.0", "1.25", "60m")]
    m.set_wide(True)
    assert [c.name for c in m.columns][-2:] == ["VALID", "AGE"]


def test_helm_rows_follow_revisions_as_they_come_and_go():
    web1, web2 = by_name("sh.helm.release.v1.web.v1"), by_name("sh.helm.release.v1.web.v2")
    objects = keyed([web1])
    m = HelmReleaseModel(BY_NAME["helm"])
    m.now = NOW
    m.load(objects)
    assert cells(m) == [("web", "1", "superseded", "hello-0.1.0", "1.25", "60m")]
    objects.update(keyed([web2]))
    m.apply([("default", meta.name(web2))], [], [], objects.get)
    assert cells(m) == [("web", "2", "deployed", "hello-0.1.0", "1.25", "60m")]
    assert m.rows[("default", "web")].delta == "mod"
    # the latest revision's Secret gone (a rollback's cleanup, a history limit): the one before shows
    del objects[("default", meta.name(web2))]
    m.apply([], [], [("default", meta.name(web2))], objects.get)
    assert cells(m)[0][1] == "1"
    # every Secret gone: the release is uninstalled
    del objects[("default", meta.name(web1))]
    m.apply([], [], [("default", meta.name(web1))], objects.get)
    assert len(m) == 0 and m.total == 0 and m.secrets_of(("default", "web")) == []


def test_a_corrupt_secret_is_a_row_that_says_so():
    bad = copy.deepcopy(by_name("sh.helm.release.v1.noted.v1"))
    bad["data"]["release"] = "bm90IGEgcmVsZWFzZQ=="  # "not a release"
    bad["metadata"]["resourceVersion"] = "corrupt"
    m = HelmReleaseModel(BY_NAME["helm"], wide=True)
    m.now = NOW
    m.load(keyed([bad]))
    row = m.row_at(0)
    assert m.cells(row)[:6] == ("noted", "1", "deployed", "<invalid>", "", "data.release is not Helm's base64 inside the API's")
    assert m.style(row) == "err"


def test_history_rows_latest_first():
    m = RowModel(BY_NAME["history"], expand=revision_row, kind="HelmHistory",
                 predicate=helm.of_release("default", "web"))
    m.now = NOW
    m.load(keyed(recorded()))
    assert [c.name for c in m.columns] == ["REVISION", "STATUS", "CHART", "APP VERSION", "DESCRIPTION", "AGE"]
    assert cells(m) == [("2", "deployed", "hello-0.1.0", "1.25", "Upgrade complete", "60m"),
                        ("1", "superseded", "hello-0.1.0", "1.25", "Install complete", "60m")]
    assert [m.row_at(i).key for i in range(2)] == [("default", "web:2"), ("default", "web:1")]


def test_the_manifests_secrets_are_masked_the_rest_as_rendered():
    manifest = ("---\n# Source: x/templates/s.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: pw\n"
                "stringData:\n  password: hunter2\ndata:\n  token: czNjcjN0\n"
                "---\n# Source: x/templates/c.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\n")
    shown = helm.masked_manifest(manifest)
    assert "hunter2" not in shown and "czNjcjN0" not in shown
    assert shown == ("---\n# Source: x/templates/s.yaml\napiVersion: v1\ndata:\n  token: '*****'\nkind: Secret\n"
                     "metadata:\n  name: pw\nstringData:\n  password: '*****'\n"
                     "---\n# Source: x/templates/c.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
                     "data:\n  k: v\n")
    for s in recorded():  # no Secret in them: Helm's text as it is
        rel = helm.release(s)
        assert helm.masked_manifest(rel.manifest) == rel.manifest


def test_a_superseded_revision_is_valid_in_the_history_not_in_helm():
    web1 = keyed([by_name("sh.helm.release.v1.web.v1")])
    history = RowModel(BY_NAME["history"], expand=revision_row, kind="HelmHistory", wide=True)
    history.load(web1)
    assert history.cells(history.row_at(0))[history.col_index("VALID")] == ""
    releases = HelmReleaseModel(BY_NAME["helm"], wide=True)
    releases.load(web1)
    assert releases.cells(releases.row_at(0))[releases.col_index("VALID")] == "chart is in an invalid state"


def test_secrets_alike_but_for_their_data_decode_each_to_its_own():
    """Two simulated clusters of one seed give their objects the same uids and resourceVersions:
    what a Secret decoded to is known by its data, not by those."""
    md = {"name": "sh.helm.release.v1.web.v1", "namespace": "default", "uid": "u-1", "resourceVersion": "7",
          "labels": {"owner": "helm", "name": "web", "version": "1", "status": "deployed"}}
    one = {"metadata": md, "data": {"release": helm.encode({"name": "web", "version": 1, "chart": {"metadata": {
        "name": "one", "version": "1"}}})}}
    two = {"metadata": md, "data": {"release": helm.encode({"name": "web", "version": 1, "chart": {"metadata": {
        "name": "two", "version": "2"}}})}}
    assert (helm.release(one).chart, helm.release(two).chart) == ("one-1", "two-2")
    assert helm.release({"metadata": md, "data": ["not", "a", "map"]}).error == "no data.release"
