"""End to end: the real kubectl against `k9py serve` for who a client is and what it may do:
``auth can-i`` (SelfSubjectAccessReview, ``--list``'s SelfSubjectRulesReview, ``--as``'s
impersonation judged by the cluster's RBAC objects), SubjectAccessReview and
LocalSubjectAccessReview, ``auth whoami``, ``create token`` (TokenRequest, then TokenReview),
CertificateSigningRequests with ``certificate approve|deny``, the bootstrap RBAC objects, and the
kubelet's image failures (InvalidImageName, ErrImagePull for a tag missing from the catalogue,
``--any-image-tag``). All of kubectl's requests here are protobuf, as it sends them. No sleeps:
every wait polls kubectl against a deadline."""

from __future__ import annotations

import base64
import json

import pytest
import yaml

from tests.serve.test_kubectl_e2e import Server

pytestmark = pytest.mark.e2e

RBAC = "rbac.authorization.k8s.io/v1"
CSR_PEM = b"-----BEGIN CERTIFICATE REQUEST-----\nMIICVjCCAT4CAQAwETEPMA0GA1UEAwwGamFuZQ==\n-----END CERTIFICATE REQUEST-----\n"


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("auth"))
    yield s
    assert s.stop() == 0


@pytest.fixture(scope="module")
def ro(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("auth-ro"), "--readonly")
    yield s
    assert s.stop() == 0


def apply(srv: Server, *objs: dict) -> None:
    srv.kubectl("apply", "-f", "-", stdin=yaml.safe_dump_all(objs))


def can_i(srv: Server, *args: str) -> tuple[str, int]:
    p = srv.kubectl("auth", "can-i", *args, check=False)
    return p.stdout.strip(), p.returncode


def test_can_i_as_the_served_user(srv):
    assert can_i(srv, "create", "pods") == ("yes", 0)
    assert can_i(srv, "delete", "nodes") == ("yes", 0)
    assert can_i(srv, "*", "*") == ("yes", 0)
    assert can_i(srv, "get", "/logs") == ("yes", 0)


def test_can_i_under_readonly_says_no_to_writes(ro):
    assert can_i(ro, "create", "pods") == ("no", 1)
    assert can_i(ro, "delete", "deployments.apps", "-n", "kube-system") == ("no", 1)
    assert can_i(ro, "get", "pods") == ("yes", 0)
    assert can_i(ro, "list", "deployments", "-A") == ("yes", 0)
    listing = ro.kubectl("auth", "can-i", "--list").stdout
    assert "[get list watch]" in listing and "[*]  " not in listing.split("\n")[1]
    assert ro.kubectl("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}").stdout == "k9py-sim"


def test_can_i_as_a_service_account_follows_the_clusters_rbac(srv):
    apply(srv, {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "reader", "namespace": "default"}},
          {"apiVersion": RBAC, "kind": "Role", "metadata": {"name": "pod-reader", "namespace": "default"},
           "rules": [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}]},
          {"apiVersion": RBAC, "kind": "RoleBinding", "metadata": {"name": "read-pods", "namespace": "default"},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
           "subjects": [{"kind": "ServiceAccount", "name": "reader", "namespace": "default"}]})
    sa = "--as=system:serviceaccount:default:reader"
    assert can_i(srv, "get", "pods", sa) == ("yes", 0)
    assert can_i(srv, "get", "pods", "--subresource=log", sa) == ("yes", 0)
    assert can_i(srv, "delete", "pods", sa) == ("no", 1)
    assert can_i(srv, "get", "pods", "-n", "kube-system", sa) == ("no", 1)
    assert can_i(srv, "get", "pods", "--as=system:serviceaccount:default:x") == ("no", 1)
    assert can_i(srv, "create", "deployments", "--as=system:serviceaccount:kube-system:default") == ("yes", 0)  # minikube-rbac
    assert can_i(srv, "list", "pods", "--as=jane", "--as-group=system:masters") == ("yes", 0)
    listing = srv.kubectl("auth", "can-i", "--list", sa).stdout
    assert any(line.split()[:1] == ["pods"] and line.endswith("[get list watch]") for line in listing.splitlines())
    # the impersonated requests themselves are authorized the same way
    assert srv.kubectl("get", "pods", sa, "-o", "name").returncode == 0
    p = srv.kubectl("delete", "pod", "counter", sa, check=False)
    assert p.returncode == 1 and ('Error from server (Forbidden): pods "counter" is forbidden: User '
                                  '"system:serviceaccount:default:reader" cannot delete resource "pods" in API group "" '
                                  'in the namespace "default"') in p.stderr
    p = srv.kubectl("get", "nodes", sa, check=False)
    assert 'cannot list resource "nodes" in API group "" at the cluster scope' in p.stderr


def test_subject_access_reviews(srv):
    sar = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
           "spec": {"user": "system:serviceaccount:kube-system:default",
                    "resourceAttributes": {"verb": "delete", "resource": "nodes"}}}
    out = json.loads(srv.kubectl("create", "-f", "-", "-o", "json", stdin=json.dumps(sar)).stdout)
    assert out["status"]["allowed"] is True
    assert out["status"]["reason"] == ('RBAC: allowed by ClusterRoleBinding "minikube-rbac" of ClusterRole "cluster-admin" '
                                       'to ServiceAccount "default/kube-system"')
    lsar = {"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview",
            "metadata": {"namespace": "kube-system"},
            "spec": {"user": "system:kube-scheduler", "resourceAttributes": {
                "namespace": "kube-system", "verb": "update", "group": "coordination.k8s.io", "resource": "leases",
                "name": "kube-scheduler"}}}
    out = json.loads(srv.kubectl("create", "-f", "-", "-o", "json", stdin=json.dumps(lsar)).stdout)
    assert out["status"]["allowed"] is True and out["metadata"]["namespace"] == "kube-system"
    lsar["spec"]["resourceAttributes"]["namespace"] = "default"
    p = srv.kubectl("create", "-f", "-", stdin=json.dumps(lsar), check=False)
    assert "spec.resourceAttributes.namespace: Invalid value: \"default\": must match metadata.namespace" in p.stderr
    nobody = {**sar, "spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}}
    p = srv.kubectl("create", "-f", "-", stdin=json.dumps(nobody), check=False)
    assert "at least one of user or group must be specified" in p.stderr


def test_whoami(srv):
    out = srv.kubectl("auth", "whoami").stdout.split("\n")
    assert out[0].split() == ["ATTRIBUTE", "VALUE"]
    assert out[1].split() == ["Username", "k9py-sim"]
    assert out[2].split() == ["Groups", "[system:masters", "system:authenticated]"]
    doc = json.loads(srv.kubectl("auth", "whoami", "--as=system:serviceaccount:default:app", "-o", "json").stdout)
    assert doc["kind"] == "SelfSubjectReview" and doc["status"]["userInfo"] == {
        "username": "system:serviceaccount:default:app",
        "groups": ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"]}


def _claims(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_create_token(srv):
    token = srv.kubectl("create", "token", "default", "--duration", "2h").stdout.strip()
    header, payload, sig = token.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["alg"] == "RS256"
    claims = _claims(token)
    assert claims["sub"] == "system:serviceaccount:default:default" and claims["exp"] - claims["iat"] == 7200
    assert claims["aud"] == ["https://kubernetes.default.svc.cluster.local"]
    assert claims["kubernetes.io"]["serviceaccount"]["name"] == "default"
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": token}}
    out = json.loads(srv.kubectl("create", "-f", "-", "-o", "json", stdin=json.dumps(review)).stdout)
    assert out["status"]["authenticated"] is True
    assert out["status"]["user"]["username"] == "system:serviceaccount:default:default"
    forged = json.loads(srv.kubectl("create", "-f", "-", "-o", "json", stdin=json.dumps(
        {**review, "spec": {"token": f"{header}.{payload}.{sig[:-4]}AAAA"}})).stdout)
    assert not forged["status"].get("authenticated")
    bound = srv.kubectl("create", "token", "default", "--bound-object-kind", "Pod", "--bound-object-name", "counter").stdout
    assert _claims(bound.strip())["kubernetes.io"]["pod"]["name"] == "counter"


def test_create_token_errors(srv, ro):
    p = srv.kubectl("create", "token", "nosuch", check=False)
    assert p.returncode == 1 and 'error: failed to create token: serviceaccounts "nosuch" not found' in p.stderr
    p = srv.kubectl("create", "token", "default", "--bound-object-kind", "Pod", "--bound-object-name", "nosuch", check=False)
    assert 'pods "nosuch" not found' in p.stderr
    p = ro.kubectl("create", "token", "default", check=False)
    assert p.returncode == 1 and "is forbidden" in p.stderr


def test_certificate_signing_requests(srv):
    csr = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": "jane"},
           "spec": {"request": base64.b64encode(CSR_PEM).decode(), "signerName": "kubernetes.io/kube-apiserver-client",
                    "usages": ["client auth"], "expirationSeconds": 86400}}
    srv.kubectl("create", "-f", "-", stdin=json.dumps(csr))
    srv.kubectl("create", "-f", "-", stdin=json.dumps({**csr, "metadata": {"name": "bob"}}))
    assert srv.kubectl("get", "csr", "-o", "name").stdout.split() == [
        "certificatesigningrequest.certificates.k8s.io/bob", "certificatesigningrequest.certificates.k8s.io/jane"]
    got = srv.json("get", "csr", "jane")
    assert got["spec"]["username"] == "k9py-sim" and not (got.get("status") or {}).get("conditions")
    assert srv.kubectl("certificate", "approve", "jane").stdout.strip() == \
        "certificatesigningrequest.certificates.k8s.io/jane approved"
    cond = srv.json("get", "csr", "jane")["status"]["conditions"]
    table = srv.kubectl("get", "csr", "jane", "bob").stdout.splitlines()
    assert table[0].split() == ["NAME", "AGE", "SIGNERNAME", "REQUESTOR", "REQUESTEDDURATION", "CONDITION"]
    assert table[1].split()[2:] == ["kubernetes.io/kube-apiserver-client", "k9py-sim", "24h", "Approved"]
    assert table[2].split()[-1] == "Pending"
    assert [(c["type"], c["status"], c["reason"]) for c in cond] == [("Approved", "True", "KubectlApprove")]
    assert srv.kubectl("certificate", "deny", "bob").stdout.strip() == "certificatesigningrequest.certificates.k8s.io/bob denied"
    assert srv.json("get", "csr", "bob")["status"]["conditions"][0]["type"] == "Denied"
    p = srv.kubectl("certificate", "deny", "jane", check=False)
    assert p.returncode == 1 and "already" in p.stderr
    bad = {**csr, "metadata": {"name": "bad"}, "spec": {**csr["spec"], "request": base64.b64encode(b"junk").decode()}}
    p = srv.kubectl("create", "-f", "-", stdin=json.dumps(bad), check=False)
    assert "PEM block type must be CERTIFICATE REQUEST" in p.stderr
    srv.kubectl("delete", "csr", "jane", "bob")


def test_bootstrap_rbac_objects(srv):
    crs = set(srv.kubectl("get", "clusterroles", "-o", "name").stdout.split())
    for name in ("cluster-admin", "admin", "edit", "view", "system:discovery", "system:basic-user", "system:node",
                 "system:controller:replicaset-controller", "system:certificates.k8s.io:kube-apiserver-client-approver"):
        assert f"clusterrole.rbac.authorization.k8s.io/{name}" in crs
    crb = srv.kubectl("get", "clusterrolebinding", "system:discovery", "-o", "wide").stdout.split("\n")[1].split()
    assert crb[0] == "system:discovery" and crb[1] == "ClusterRole/system:discovery" and "system:authenticated" in crb
    roles = srv.kubectl("get", "roles", "-n", "kube-system", "-o", "name").stdout.split()
    assert "role.rbac.authorization.k8s.io/system::leader-locking-kube-controller-manager" in roles
    resources = srv.kubectl("api-resources", "--api-group=authorization.k8s.io", "-o", "name").stdout.split()
    assert resources == ["localsubjectaccessreviews.authorization.k8s.io", "selfsubjectaccessreviews.authorization.k8s.io",
                         "selfsubjectrulesreviews.authorization.k8s.io", "subjectaccessreviews.authorization.k8s.io"]
    srv.kubectl("create", "clusterrole", "team:readers", "--verb=get", "--resource=pods")  # RBAC names are path segments


def _pod(name: str, image: str, annotations: dict | None = None) -> dict:
    md: dict = {"name": name, "namespace": "default"}
    if annotations:
        md["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md,
            "spec": {"containers": [{"name": "c", "image": image}]}}


def _waiting(srv: Server, name: str) -> str:
    st = (srv.json("get", "pod", name)["status"].get("containerStatuses") or [{}])[0].get("state") or {}
    return (st.get("waiting") or {}).get("reason") or next(iter(st), "")


def test_image_failures_like_a_registry(srv):
    apply(srv, _pod("typo", "nginx:1.1:"), _pod("missing", "nginx:1.99"), _pod("tagless", "redis:99"),
          _pod("anything", "nginx:1.99", {"k9py.sim/any-tag": "true"}), _pod("real", "nginx:1.27-alpine"))
    srv.until("the typo InvalidImageName", lambda: _waiting(srv, "typo") == "InvalidImageName")
    srv.until("the missing tag in back-off", lambda: _waiting(srv, "missing") == "ImagePullBackOff")
    srv.until("any tag running", lambda: _waiting(srv, "anything") == "running")
    srv.until("a real tag running", lambda: _waiting(srv, "real") == "running")
    rows = {line.split()[0]: line.split()[2] for line in srv.kubectl("get", "pods", "typo", "missing").stdout.splitlines()[1:]}
    assert rows["typo"] == "InvalidImageName" and rows["missing"] in ("ErrImagePull", "ImagePullBackOff")  # retried, backing off
    events = srv.kubectl("events", "--for", "pod/typo").stdout
    assert "InspectFailed" in events and ('Failed to apply default image tag "nginx:1.1:": couldn\'t parse image reference '
                                          '"nginx:1.1:": invalid reference format') in events
    assert "Error: InvalidImageName" in events
    events = srv.kubectl("events", "--for", "pod/missing").stdout
    assert ('Failed to pull image "nginx:1.99": Error response from daemon: manifest for nginx:1.99 not found: '
            "manifest unknown: manifest unknown") in events
    assert "Error: ErrImagePull" in events and 'Back-off pulling image "nginx:1.99"' in events
    srv.kubectl("delete", "pod", "typo", "missing", "tagless", "anything", "real", "--wait=false")


def test_any_image_tag_option(tmp_path):
    s = Server(tmp_path, "--any-image-tag")
    try:
        apply(s, _pod("free", "nginx:1.99"), _pod("typo", "nginx:1.1:"))
        s.until("any tag running", lambda: _waiting(s, "free") == "running")
        s.until("still no reference", lambda: _waiting(s, "typo") == "InvalidImageName")
    finally:
        assert s.stop() == 0
