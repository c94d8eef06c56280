"""A kubeconfig whose certificate authority, client certificate or key is not one (a file
overwritten, the wrong base64 pasted into ``-data``): the client took the bytes, and every
connection failed with ssl's ``[SSL] PEM lib (_ssl.c:3905)`` (``reconnecting: ...`` forever in
the UI), naming neither the field nor the file. It is now the context's one-line error, naming
them, as kubectl's ``unable to load root certificates`` and ``tls: ...``."""

from __future__ import annotations

import base64
import time

import pytest

from k9py.backends import kubeconfig as kc
from k9py.errors import K9pyError
from k9py.sim.pki import _new_ca

KUBECONFIG = """apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: c
  cluster: {{server: "https://127.0.0.1:1", {cluster}}}
users:
- name: u
  user: {{{user}}}
contexts:
- name: prod
  context: {{cluster: c, user: u}}
"""


@pytest.fixture
def pems(tmp_path):
    cert, key = _new_ca(time.time())
    _, other_key = _new_ca(time.time())
    files = {"cert": cert, "key": key, "other-key": other_key, "garbage": b"not a certificate\n"}
    for name, data in files.items():
        (tmp_path / f"{name}.pem").write_bytes(data)
    return tmp_path


def _client(tmp_path, cluster: str = "", user: str = "token: t") -> object:
    config = tmp_path / "config"
    config.write_text(KUBECONFIG.format(cluster=cluster, user=user))
    return kc.new_api_client([str(config)], None)


def test_good_certificates_load(pems):
    api = _client(pems, f"certificate-authority: {pems / 'cert.pem'}",
                  f"client-certificate: {pems / 'cert.pem'}, client-key: {pems / 'key.pem'}")
    assert api.configuration.cert_file == str(pems / "cert.pem")


@pytest.mark.parametrize(("cluster", "user", "said"), [
    ("certificate-authority: {d}/garbage.pem", "token: t",
     "certificate-authority {d}/garbage.pem: unable to load root certificates: no PEM certificate found in it"),
    ("certificate-authority-data: " + base64.b64encode(b"garbage").decode(), "token: t",
     "certificate-authority-data: unable to load root certificates: no PEM certificate found in it"),
    ("", "client-certificate: {d}/garbage.pem, client-key: {d}/key.pem",
     "client-certificate {d}/garbage.pem: tls: no PEM certificate found in it"),
    ("", "client-certificate: {d}/cert.pem, client-key: {d}/garbage.pem",
     "client-key {d}/garbage.pem: tls: no PEM private key found in it (or an encrypted one)"),
    ("", "client-certificate: {d}/cert.pem, client-key: {d}/other-key.pem",
     "client-key {d}/other-key.pem: tls: private key does not match the client certificate"),
])
def test_a_certificate_that_does_not_load_names_its_field(pems, cluster, user, said):
    with pytest.raises(K9pyError) as err:
        _client(pems, cluster.format(d=pems), user.format(d=pems))
    assert str(err.value) == "kubeconfig context (current): " + said.format(d=pems)
