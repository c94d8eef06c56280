"""kubectl's and k9s's kubeconfig overrides (--cluster, --user, --token, --certificate-authority,
--client-certificate, --client-key, --insecure-skip-tls-verify) against `k9py serve --tls` with a
token: the live backend connects with them over the kubeconfig's values, k9py's own kubectl runs
get them, and a bad one is a one-line error naming the flag (exit 2)."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from k9py.backends.kubeconfig import Overrides
from k9py.backends.live import ConnectionLost, LiveApiError, LiveBackend, LiveOptions, live_backend_from_args
from k9py.errors import K9pyError
from k9py.serve.server import ServeHandle
from tests.backends.conftest import FAST, keys, run, small_cluster, truth

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A served cluster over https (the cluster CA signed its certificate) that wants TOKEN or a
    client certificate the CA signed; the CA's PEM written to ``ca.pem``."""
    from k9py.serve.tls import self_signed
    from k9py.sim import pki
    cluster = small_cluster()
    ca_pem, _ = pki.cluster_ca(cluster)
    cert = self_signed([], ca=pki.cluster_ca(cluster))
    handle = ServeHandle(cluster, speed=None, token=TOKEN,
                         ssl_context=type(cert)(cert.directory, cert.cert_file, cert.key_file, cert.cert_pem,
                                                client_ca=ca_pem).context()).start()
    where = tmp_path_factory.mktemp("tls")
    (where / "ca.pem").write_bytes(ca_pem)
    handle.dir = where  # type: ignore[attr-defined]
    yield handle
    handle.stop()
    cert.remove()


def _kubeconfig(path: Path, url: str, *, ca: bytes | None = None, token: str | None = None) -> str:
    """Two clusters and two users: the context names the dead ones (nothing listens on port 1,
    the user has no credentials), ``good`` and ``admin`` reach the server."""
    good: dict = {"server": url}
    if ca is not None:
        good["certificate-authority-data"] = base64.b64encode(ca).decode()
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "ctx",
           "clusters": [{"name": "dead", "cluster": {"server": "https://127.0.0.1:1"}},
                        {"name": "good", "cluster": good}],
           "users": [{"name": "nobody", "user": {}}, {"name": "admin", "user": {"token": token} if token else {}}],
           "contexts": [{"name": "ctx", "context": {"cluster": "good", "user": "admin", "namespace": "default"}},
                        {"name": "elsewhere", "context": {"cluster": "dead", "user": "nobody"}}]}
    path.write_text(yaml.safe_dump(doc))
    return str(path)


def live(kc: str, **over) -> LiveBackend:
    return LiveBackend(LiveOptions(kubeconfig=kc, overrides=Overrides(**over), **FAST))


def _list(b: LiveBackend) -> set:
    async def main():
        try:
            return keys(await b.list("ConfigMap", "default"))
        finally:
            await b.close()
    return run(main())


def test_token_is_sent_over_the_users_own(tls, tmp_path):
    kc = _kubeconfig(tmp_path / "kc", tls.url, ca=tls.dir.joinpath("ca.pem").read_bytes(), token="wrong")
    with pytest.raises(LiveApiError) as err:
        _list(live(kc))
    assert err.value.code == 401
    assert _list(live(kc, token=TOKEN)) == truth(tls, "ConfigMap", "default")


def test_cluster_and_user_name_the_entries_used(tls, tmp_path):
    kc = _kubeconfig(tmp_path / "kc", tls.url, ca=tls.dir.joinpath("ca.pem").read_bytes(), token=TOKEN)
    b = live(kc, cluster="good", user="admin")
    b2 = LiveBackend(LiveOptions(kubeconfig=kc, context="elsewhere", overrides=Overrides(cluster="good", user="admin"),
                                 **FAST))
    assert (b2.info().cluster, b2.info().user) == ("good", "admin")
    assert _list(b2) == truth(tls, "ConfigMap", "default")  # the context's dead cluster and user unused
    run(b.close())
    with pytest.raises(K9pyError, match=r"^--cluster: no cluster 'nope' in kubeconfig .*\(clusters: dead, good\)"):
        live(kc, cluster="nope")
    with pytest.raises(K9pyError, match=r"^--user: no user 'nope' in kubeconfig .*\(users: nobody, admin\)"):
        live(kc, user="nope")


def test_certificate_authority_and_insecure_skip_tls_verify(tls, tmp_path):
    kc = _kubeconfig(tmp_path / "kc", tls.url, token=TOKEN)  # no CA: the server's certificate is not trusted
    with pytest.raises(ConnectionLost, match="CERTIFICATE_VERIFY_FAILED"):
        _list(live(kc))
    assert _list(live(kc, certificate_authority=str(tls.dir / "ca.pem"))) == truth(tls, "ConfigMap", "default")
    assert _list(live(kc, insecure_skip_tls_verify=True)) == truth(tls, "ConfigMap", "default")
    # the kubeconfig's own (wrong) CA data is replaced by the flag's file, as kubectl replaces it
    other = _kubeconfig(tmp_path / "kc2", tls.url, ca=_other_ca(), token=TOKEN)
    assert _list(live(other, certificate_authority=str(tls.dir / "ca.pem"))) == truth(tls, "ConfigMap", "default")
    assert _list(live(other, insecure_skip_tls_verify=True)) == truth(tls, "ConfigMap", "default")


def _other_ca() -> bytes:
    from k9py.serve.tls import self_signed
    cert = self_signed([])
    cert.remove()
    return cert.cert_pem


def _client_cert(tls, where: Path, cn: str) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from k9py.sim import pki
    key = ec.generate_private_key(ec.SECP256R1())
    csr = x509.CertificateSigningRequestBuilder().subject_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])).sign(key, hashes.SHA256())
    with tls.cluster.lock:
        pem = pki.sign(tls.cluster, csr.public_bytes(serialization.Encoding.PEM),
                       ["digital signature", "key encipherment", "client auth"], None)
    (where / f"{cn}.crt").write_bytes(pem)
    (where / f"{cn}.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))
    return str(where / f"{cn}.crt"), str(where / f"{cn}.key")


def test_client_certificate_and_key_authenticate_as_their_common_name(tls, tmp_path):
    kc = _kubeconfig(tmp_path / "kc", tls.url, ca=tls.dir.joinpath("ca.pem").read_bytes())  # no token
    crt, key = _client_cert(tls, tmp_path, "jane")
    with pytest.raises(LiveApiError) as err:
        _list(live(kc))
    assert err.value.code == 401
    with pytest.raises(LiveApiError) as err:  # jane is someone now: RBAC answers for her
        _list(live(kc, client_certificate=crt, client_key=key))
    assert err.value.code == 403 and 'User "jane" cannot list resource "configmaps"' in str(err.value)


KUBECTL = str(Path(sys.executable).with_name("kubectl"))


def test_kubectl_runs_get_the_same_flags(tls, tmp_path):
    """The shell's, port-forward's and cp's kubectl: what reached the server for k9py reaches it
    for kubectl (here a kubeconfig kubectl alone cannot use: no CA, no token, the context's
    cluster dead)."""
    kubectl = KUBECTL if os.path.exists(KUBECTL) else shutil.which("kubectl") or pytest.skip("no kubectl")
    kc = _kubeconfig(tmp_path / "kc", tls.url)
    over = dict(cluster="good", user="admin", token=TOKEN, certificate_authority=str(tls.dir / "ca.pem"))
    b = LiveBackend(LiveOptions(kubeconfig=kc, context="elsewhere", overrides=Overrides(**over), **FAST))
    flags = b.kubectl_flags()
    assert flags == ["--cluster", "good", "--user", "admin", "--token", TOKEN,
                     "--certificate-authority", str(tls.dir / "ca.pem")]
    from k9py.backends.base import read_only
    from k9py.ui.local_api import LocalApi
    target = LocalApi().target(read_only(b), True)
    assert target is not None and target.kubectl_flags == tuple(flags)
    argv = [kubectl, "--kubeconfig", kc, *flags, "--context", "elsewhere", "get", "cm", "-n", "default", "-o", "name"]
    got = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert got.returncode == 0, got.stderr
    assert "configmap/alpha" in got.stdout.split()
    assert subprocess.run(argv[:3] + argv[-8:], capture_output=True, text=True, timeout=30).returncode != 0
    insecure = LiveBackend(LiveOptions(kubeconfig=kc, overrides=Overrides(insecure_skip_tls_verify=True, token=TOKEN),
                                       **FAST))
    assert insecure.kubectl_flags() == ["--token", TOKEN, "--insecure-skip-tls-verify"]
    got = subprocess.run([kubectl, "--kubeconfig", kc, *insecure.kubectl_flags(), "get", "cm", "-o", "name"],
                         capture_output=True, text=True, timeout=30)
    assert got.returncode == 0 and "configmap/alpha" in got.stdout, got.stderr
    for x in (b, insecure):
        run(x.close())


def test_switching_context_keeps_the_token_and_insecure_as_k9s_does(tls, tmp_path):
    kc = _kubeconfig(tmp_path / "kc", tls.url, ca=tls.dir.joinpath("ca.pem").read_bytes(), token=TOKEN)
    b = live(kc, cluster="dead", user="nobody", token="t", insecure_skip_tls_verify=True)

    async def main():
        new = await b.use_context("ctx")
        assert new.options.overrides == Overrides(token="t", insecure_skip_tls_verify=True)
        assert (new.info().cluster, new.info().user) == ("good", "admin")
        for x in (b, new):
            await x.close()
    run(main())


def _main(argv: list[str], capsys) -> tuple[int, str]:
    from k9py.cli import main
    code = main(argv)
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("argv", "said"), [
    (["--cluster", "nope"], "k9py: --cluster: no cluster 'nope' in kubeconfig {kc} (clusters: dead, good)\n"),
    (["--user", "nope"], "k9py: --user: no user 'nope' in kubeconfig {kc} (users: nobody, admin)\n"),
    (["--client-certificate", "/nonexistent/x.crt", "--client-key", "/nonexistent/x.key"],
     "k9py: --client-certificate: /nonexistent/x.crt: no such file\n"),
    (["--certificate-authority", "{dir}"], "k9py: --certificate-authority: {dir}: is a directory\n"),
    (["--certificate-authority", "{kc}"], "k9py: --certificate-authority: {kc}: not a PEM certificate\n"),
    (["--certificate-authority", "{ca}", "--insecure-skip-tls-verify"],
     "k9py: --insecure-skip-tls-verify: specifying a root certificates file with the insecure flag is not allowed "
     "(drop --certificate-authority or --insecure-skip-tls-verify)\n"),
    (["--client-certificate", "{ca}"],
     "k9py: --client-certificate: needs a key: give --client-key (the kubeconfig's user has none)\n"),
    (["--token", "two words"], "k9py: argument --token: invalid token: must be non-empty visible ASCII without spaces\n"),
])
def test_bad_values_are_one_line_naming_the_flag_exit_2(tls, tmp_path, monkeypatch, capsys, argv, said):
    kc = _kubeconfig(tmp_path / "kc", tls.url)
    ca = str(tls.dir / "ca.pem")
    monkeypatch.setenv("KUBECONFIG", kc)
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "cfg"))
    fill = {"kc": kc, "dir": str(tmp_path), "ca": ca}
    code, err = _main([a.format(**fill) for a in argv], capsys)
    assert (code, err) == (2, said.format(**fill))


def test_each_flag_alone_means_the_live_cluster(tls, tmp_path, monkeypatch):
    from k9py.cli import build_parser
    kc = _kubeconfig(tmp_path / "kc", tls.url, ca=tls.dir.joinpath("ca.pem").read_bytes())
    monkeypatch.setenv("KUBECONFIG", kc)
    monkeypatch.chdir(tls.dir)
    for argv in (["--cluster", "good"], ["--user", "admin"], ["--token", TOKEN], ["--insecure-skip-tls-verify"],
                 ["--certificate-authority", "ca.pem"]):
        b = live_backend_from_args(build_parser().parse_args(argv))
        assert isinstance(b, LiveBackend), argv
        run(b.close())
    b = live_backend_from_args(build_parser().parse_args(["--certificate-authority", "ca.pem"]))
    assert b is not None and b.kubectl_flags() == ["--certificate-authority", str(tls.dir / "ca.pem")]  # absolute
    run(b.close())
    assert live_backend_from_args(build_parser().parse_args([])) is None
