"""`k9py serve --tls`: a serving certificate for loopback, made at start, and the server's SSL
context over it. ``cryptography`` is imported only here, only when --tls is used.

Given the cluster's CA (``sim/pki.py``), the serving certificate is signed by it, the kubeconfig
trusts that CA, and the server asks clients for a certificate and verifies it against the same CA,
as the apiserver's ``--client-ca-file``: a user whose CSR was approved and issued authenticates
with the certificate (``http.client_user``)."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import shutil
import ssl
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

VALIDITY = datetime.timedelta(days=365)
LOOPBACK_NAMES = ("localhost",)
LOOPBACK_IPS = ("127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1); not 0.0.0.0, not a real interface."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class SelfSigned:
    """A certificate and its key on disk (``directory``: private, 0700; files 0600)."""

    directory: str
    cert_file: str
    key_file: str
    cert_pem: bytes  # the CA a client trusts (the kubeconfig's certificate-authority-data)
    client_ca: bytes | None = None  # client certificates signed by this CA authenticate their user

    def context(self) -> ssl.SSLContext:
        """The server side: TLS 1.2+, HTTP/1.1 only (no h2 through ALPN: Go's client then speaks
        HTTP/1.1, which upgrades for exec and port-forward need); a client certificate asked for,
        not required, verified against ``client_ca``."""
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.cert_file, self.key_file)
        ctx.set_alpn_protocols(["http/1.1"])
        if self.client_ca is not None:
            ctx.load_verify_locations(cadata=self.client_ca.decode())
            ctx.verify_mode = ssl.CERT_OPTIONAL
        return ctx

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def _write_private(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def self_signed(hosts: Iterable[str] = (), directory: str | None = None,
                ca: tuple[bytes, bytes] | None = None) -> SelfSigned:
    """A fresh P-256 key and a certificate valid for localhost, 127.0.0.1 and ::1 (plus ``hosts``:
    names or addresses the server is reached at; 0.0.0.0 and :: are skipped), written to
    ``directory`` (a new private temporary directory by default). Signed by ``ca`` (certificate
    and key PEM: the cluster CA, then also the CA of client certificates), else self-signed: its
    own CA, so that a kubeconfig's ``certificate-authority-data`` is the certificate itself."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    names: list[str] = list(LOOPBACK_NAMES)
    ips: list[str] = list(LOOPBACK_IPS)
    for host in hosts:
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            if host and host.lower() not in names:
                names.append(host.lower())
            continue
        if not ip.is_unspecified and str(ip) not in ips:
            ips.append(str(ip))
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "k9py-serve"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "k9py")])
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    issuer, signer, signer_public, ca_pem = subject, key, public, None
    if ca is not None:
        ca_cert = x509.load_pem_x509_certificate(ca[0])
        ca_key: Any = serialization.load_pem_private_key(ca[1], password=None)
        issuer, signer, signer_public, ca_pem = ca_cert.subject, ca_key, ca_key.public_key(), ca[0]
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "minikube")])  # minikube's apiserver.crt
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))  # a client's clock a little behind
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=ca is None, path_length=0 if ca is None else None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=ca is not None,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=ca is None,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(
            [*(x509.DNSName(n) for n in names), *(x509.IPAddress(ipaddress.ip_address(i)) for i in ips)]),
            critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_public), critical=False)
        .sign(signer, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    made = directory is None
    where = tempfile.mkdtemp(prefix="k9py-serve-tls-") if directory is None else directory  # mkdtemp: 0700
    try:
        os.makedirs(where, mode=0o700, exist_ok=True)
        cert_file, key_file = os.path.join(where, "serve.crt"), os.path.join(where, "serve.key")
        for path in (cert_file, key_file):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)  # a previous run's: O_EXCL creates the file itself, 0600 from the start
        _write_private(key_file, key_pem)
        _write_private(cert_file, cert_pem)
    except BaseException:
        if made:
            shutil.rmtree(where, ignore_errors=True)
        raise
    return SelfSigned(where, cert_file, key_file, ca_pem or cert_pem, ca_pem)
