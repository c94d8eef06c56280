"""End to end: a learner adds a user with a client certificate, as in the Kubernetes docs ("How to
issue a certificate for a user"): a key and a CSR, ``kubectl apply`` a CertificateSigningRequest for
``kubernetes.io/kube-apiserver-client``, ``kubectl certificate approve``, the certificate read back
from ``.status.certificate`` (issued by the csrsigning controller with the cluster CA), then a
kubeconfig user with it: ``auth whoami``, the apiserver's 403s until a Role is bound, the
impersonation filter. ``--token`` mode: the certificate authenticates without the token. No sleeps."""

from __future__ import annotations

import base64
import json
import shutil

import pytest
import yaml

from tests.serve.test_kubectl_e2e import Server

pytestmark = pytest.mark.e2e

x509 = pytest.importorskip("cryptography.x509")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("csr"), "--token")
    yield s
    assert s.stop() == 0


def _key_and_csr(cn: str, orgs: list[str]) -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    names = [x509.NameAttribute(NameOID.COMMON_NAME, cn), *(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs)]
    csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name(names)).sign(key, hashes.SHA256())
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                              serialization.NoEncryption()),
            csr.public_bytes(serialization.Encoding.PEM))


def _csr(name: str, request: bytes, usages: list[str]) -> str:
    return yaml.safe_dump({"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
                           "metadata": {"name": name},
                           "spec": {"request": base64.b64encode(request).decode(), "expirationSeconds": 86400,
                                    "signerName": "kubernetes.io/kube-apiserver-client", "usages": usages}})


def _condition(srv: Server, name: str) -> str:
    return srv.kubectl("get", "csr", name, "--no-headers").stdout.split()[-1]


def test_an_approved_csr_is_issued_and_its_certificate_is_the_user(srv, tmp_path):
    key, request = _key_and_csr("myuser", ["dev", "qa"])
    srv.kubectl("apply", "-f", "-", stdin=_csr("myuser", request, ["client auth"]))
    assert _condition(srv, "myuser") == "Pending"
    assert srv.kubectl("certificate", "approve", "myuser").stdout == \
        "certificatesigningrequest.certificates.k8s.io/myuser approved\n"
    issued = srv.until("the certificate", lambda: srv.kubectl(
        "get", "csr", "myuser", "-o", "jsonpath={.status.certificate}").stdout)
    assert _condition(srv, "myuser") == "Approved,Issued"

    pem = base64.b64decode(issued)
    cert = x509.load_pem_x509_certificate(pem)
    cluster = yaml.safe_load(srv.kubeconfig.read_text())["clusters"][0]["cluster"]
    ca = x509.load_pem_x509_certificate(base64.b64decode(cluster["certificate-authority-data"]))
    assert cert.subject.rfc4514_string() == "O=qa,O=dev,CN=myuser"
    assert cert.issuer == ca.subject  # the CA the kubeconfig trusts for the server signed it
    cert.verify_directly_issued_by(ca)
    assert list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).total_seconds() >= 86400

    # the learner's kubeconfig: the same cluster, a user with only the certificate and its key
    (tmp_path / "myuser.key").write_bytes(key)
    (tmp_path / "myuser.crt").write_bytes(pem)
    kc = tmp_path / "kc"
    shutil.copy(srv.kubeconfig, kc)
    ctx = yaml.safe_load(kc.read_text())["contexts"][0]["context"]
    for args in (("set-credentials", "myuser", f"--client-key={tmp_path / 'myuser.key'}",
                  f"--client-certificate={tmp_path / 'myuser.crt'}", "--embed-certs=true"),
                 ("set-context", "myuser", f"--cluster={ctx['cluster']}", "--user=myuser"),
                 ("use-context", "myuser")):
        srv.kubectl("--kubeconfig", str(kc), "config", *args)

    def as_user(*args: str, check: bool = False, stdin: str | None = None):
        return srv.kubectl("--kubeconfig", str(kc), *args, check=check, stdin=stdin)

    who = as_user("auth", "whoami", "-o", "json", check=True)
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    assert yaml.safe_load(who.stdout)["status"]["userInfo"] == {
        "username": "myuser", "groups": ["dev", "qa", "system:authenticated"],
        "extra": {"authentication.kubernetes.io/credential-id": [f"X509SHA256={fingerprint}"]}}
    p = as_user("get", "pods")
    assert p.returncode == 1
    assert p.stderr == 'Error from server (Forbidden): pods is forbidden: User "myuser" cannot list resource "pods" ' \
                       'in API group "" in the namespace "default"\n'
    assert as_user("auth", "can-i", "list", "pods").stdout == "no\n"
    p = as_user("auth", "can-i", "list", "pods", "--as=system:serviceaccount:default:default")
    assert p.stderr.startswith('Error from server (Forbidden): serviceaccounts "default" is forbidden: User "myuser" '
                               'cannot impersonate resource "serviceaccounts" in API group "" in the namespace "default"')
    sar = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
           "spec": {"user": "bob", "resourceAttributes": {"verb": "get", "resource": "pods"}}}
    # (--validate=false: kubectl's field-validation check of a create-only kind lists CRDs, which
    # the user may not either, as on a real cluster)
    p = as_user("create", "--validate=false", "-f", "-", "-o", "json", stdin=json.dumps(sar))
    assert p.stderr == 'Error from server (Forbidden): error when creating "STDIN": subjectaccessreviews.authorization.k8s.io ' \
                       'is forbidden: User "myuser" cannot create resource "subjectaccessreviews" in API group ' \
                       '"authorization.k8s.io" at the cluster scope\n'
    p = as_user("top", "pods")  # metrics.k8s.io is authorized too
    assert p.stderr == 'Error from server (Forbidden): pods.metrics.k8s.io is forbidden: User "myuser" cannot list ' \
                       'resource "pods" in API group "metrics.k8s.io" in the namespace "default"\n'
    p = as_user("get", "pods", "--as=bob")
    assert p.stderr == 'Error from server (Forbidden): users "bob" is forbidden: User "myuser" cannot impersonate ' \
                       'resource "users" in API group "" at the cluster scope\n'

    srv.kubectl("create", "role", "developer", "--verb=get,list", "--resource=pods")
    srv.kubectl("create", "rolebinding", "developer-myuser", "--role=developer", "--user=myuser")
    assert as_user("get", "pods", check=True).stdout.startswith("NAME ")
    assert as_user("auth", "can-i", "list", "pods").stdout == "yes\n"
    assert as_user("auth", "can-i", "delete", "pods").stdout == "no\n"
    p = as_user("delete", "pod", "counter")
    assert p.stderr == 'Error from server (Forbidden): pods "counter" is forbidden: User "myuser" cannot delete ' \
                       'resource "pods" in API group "" in the namespace "default"\n'
    assert srv.kubectl("auth", "can-i", "list", "pods", "--as=myuser").stdout == "yes\n"


def test_the_client_signer_refuses_other_usages(srv):
    _, request = _key_and_csr("web", [])
    srv.kubectl("apply", "-f", "-", stdin=_csr("web", request, ["digital signature", "server auth"]))
    srv.kubectl("certificate", "approve", "web")
    srv.until("the signer's refusal", lambda: _condition(srv, "web") == "Approved,Failed")
    csr = srv.json("get", "csr", "web")
    failed = next(c for c in csr["status"]["conditions"] if c["type"] == "Failed")
    assert (failed["reason"], failed["message"]) == ("SignerValidationFailure", "invalid usage for client certificate: server auth")
    assert "certificate" not in csr["status"]


def test_a_denied_csr_is_never_issued(srv):
    _, request = _key_and_csr("mallory", [])
    srv.kubectl("apply", "-f", "-", stdin=_csr("mallory", request, ["client auth"]))
    srv.kubectl("certificate", "deny", "mallory")
    srv.kubectl("wait", "--for=condition=Denied", "csr/mallory", "--timeout=10s")
    assert _condition(srv, "mallory") == "Denied"
    assert "certificate" not in srv.json("get", "csr", "mallory").get("status", {})
