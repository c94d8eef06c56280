"""The cluster's certificate authority, and certificates signed with it, as kube-controller-manager's
csrsigning controller signs approved CertificateSigningRequests (its ``--cluster-signing-cert-file``
is the cluster CA, the one the apiserver trusts for client certificates).

The CA is made the first time something needs it (a CSR to sign, ``k9py serve --tls``) and kept in
``cluster.state`` as PEM (picklable). ``cryptography`` is imported only then.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

CA_STATE = "pki.ca"  # (certificate PEM, private key PEM)
CA_COMMON_NAME = "minikubeCA"  # minikube's cluster CA
CA_VALIDITY = datetime.timedelta(days=3650)
SIGNING_DURATION = 365 * 24 * 3600  # kube-controller-manager's --cluster-signing-duration (8760h)
BACKDATE = datetime.timedelta(minutes=5)  # a signed certificate's notBefore, for clocks a little behind

# certificates.k8s.io usages as x509 key usages (KeyUsage flags) and extended key usages
KEY_USAGES = {"signing": "digital_signature", "digital signature": "digital_signature",
              "content commitment": "content_commitment", "key encipherment": "key_encipherment",
              "key agreement": "key_agreement", "data encipherment": "data_encipherment",
              "cert sign": "key_cert_sign", "crl sign": "crl_sign", "encipher only": "encipher_only",
              "decipher only": "decipher_only"}
EXT_USAGES = {"server auth": "SERVER_AUTH", "client auth": "CLIENT_AUTH", "code signing": "CODE_SIGNING",
              "email protection": "EMAIL_PROTECTION", "timestamping": "TIME_STAMPING", "ocsp signing": "OCSP_SIGNING"}


def _when(t: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(t, datetime.UTC)


def _window(now: float) -> tuple[datetime.datetime, datetime.datetime]:
    """The earlier and the later of the virtual clock and the wall clock: a certificate is checked
    by kubectl and by the server's TLS against the wall clock, which a served cluster's clock leaves
    behind at ``--speed`` above 1 (and a paused one never reaches), so it is made valid on both."""
    import time

    a, b = _when(now), _when(time.time())
    return min(a, b), max(a, b)


def _new_ca(now: float) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_COMMON_NAME)])
    start = _window(now)[0] - datetime.timedelta(days=1)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


def cluster_ca(cluster: Cluster) -> tuple[bytes, bytes]:
    """The cluster CA's certificate and key (PEM), made on first use."""
    ca: tuple[bytes, bytes] | None = cluster.state.get(CA_STATE)
    if ca is None:
        ca = cluster.state[CA_STATE] = _new_ca(cluster.now())
        from k9py.sim.controllers.namespace import publish_root_ca
        publish_root_ca(cluster, ca[0].decode())  # pods verify the apiserver with it, as kubeconfigs do
    return ca


def csr_subject(request_pem: bytes) -> tuple[str, list[str]]:
    """The common name and organizations of a PEM certificate request (ValueError if it does not parse)."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    csr = x509.load_pem_x509_csr(request_pem)
    cn = [str(a.value) for a in csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    orgs = [str(a.value) for a in csr.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    return (cn[0] if cn else ""), orgs


def csr_has_sans(request_pem: bytes) -> dict[str, int]:
    """How many DNS names, email addresses, IP addresses and URIs a certificate request asks for."""
    from cryptography import x509

    csr = x509.load_pem_x509_csr(request_pem)
    try:
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return {"dns": 0, "email": 0, "ip": 0, "uri": 0}
    return {"dns": len(san.get_values_for_type(x509.DNSName)), "email": len(san.get_values_for_type(x509.RFC822Name)),
            "ip": len(san.get_values_for_type(x509.IPAddress)),
            "uri": len(san.get_values_for_type(x509.UniformResourceIdentifier))}


def sign(cluster: Cluster, request_pem: bytes, usages: list[str], seconds: int | None) -> bytes:
    """A certificate (PEM) for a certificate request, signed with the cluster CA as the csrsigning
    controller signs it: the request's subject, subject alternative names and public key, the asked
    usages, valid from 5 minutes ago for ``seconds`` (the signing duration by default; ``_window``),
    never past the CA's own expiry. ValueError if the request does not parse or its signature is wrong."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    csr = x509.load_pem_x509_csr(request_pem)
    if not csr.is_signature_valid:
        raise ValueError("signature verification failed")
    ca_pem, key_pem = cluster_ca(cluster)
    ca = x509.load_pem_x509_certificate(ca_pem)
    ca_key: Any = serialization.load_pem_private_key(key_pem, password=None)
    first, last = _window(cluster.now())
    end = min(last + datetime.timedelta(seconds=seconds or SIGNING_DURATION), ca.not_valid_after_utc)
    flags = {v: False for v in set(KEY_USAGES.values())}
    for u in usages:
        if u in KEY_USAGES:
            flags[KEY_USAGES[u]] = True
    ext = [getattr(x509.oid.ExtendedKeyUsageOID, EXT_USAGES[u]) for u in usages if u in EXT_USAGES]
    builder = (
        x509.CertificateBuilder().subject_name(csr.subject).issuer_name(ca.subject).public_key(csr.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(first - BACKDATE).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    if any(flags.values()):
        if not flags["key_agreement"]:
            flags["encipher_only"] = flags["decipher_only"] = False  # only meaningful with key agreement
        builder = builder.add_extension(x509.KeyUsage(**flags), critical=True)
    if ext:
        builder = builder.add_extension(x509.ExtendedKeyUsage(ext), critical=False)
    try:
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        builder = builder.add_extension(san, critical=False)
    except x509.ExtensionNotFound:
        pass
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)
