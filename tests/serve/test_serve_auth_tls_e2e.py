"""End to end: `k9py serve --token [TOKEN]` and `--tls` (issue 15, "serve"): the real kubectl with
the kubeconfig serve writes (get, exec over WebSocket and SPDY, port-forward, auth whoami), 401
without the token, the official Python client over https verifying the generated certificate, and
the warning for a non-loopback --host. One server per mode; no sleeps (every wait is a blocking
read, ``kubectl wait`` or a request against a deadline)."""

from __future__ import annotations

import base64
import json
import re
import socket
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from k9py.kube.kubeconfig import kubeconfig
from k9py.serve.http import bearer_token
from k9py.serve.server import exposure_warning
from tests.serve.test_kubectl_e2e import KUBECTL, ROOT, Server

pytestmark = pytest.mark.e2e

# --token alone brings --tls: kubectl (client-go) never sends a kubeconfig's token over plain http
MODES = {"token": ("--token",), "tls": ("--tls",), "token+tls": ("--token", "--tls")}


@pytest.fixture(scope="module", params=list(MODES))
def srv(request, tmp_path_factory):
    s = Server(tmp_path_factory.mktemp(request.param.replace("+", "-")), *MODES[request.param])
    s.mode = request.param  # type: ignore[attr-defined]
    s.kubectl("wait", "--for=condition=Ready", "pod", "-l", "app=nginx", "--timeout=40s", timeout=45)
    yield s
    assert s.stop() == 0, "SIGTERM ends `k9py serve` cleanly"


def _config(srv: Server) -> dict:
    return yaml.safe_load(srv.kubeconfig.read_text())


def _token(srv: Server) -> str | None:
    return _config(srv)["users"][0]["user"].get("token")


def _ssl(srv: Server) -> ssl.SSLContext | None:
    """A client context trusting only the kubeconfig's CA (None for http)."""
    cluster = _config(srv)["clusters"][0]["cluster"]
    if "certificate-authority-data" not in cluster:
        return None
    return ssl.create_default_context(cadata=base64.b64decode(cluster["certificate-authority-data"]).decode())


def _get(srv: Server, path: str, token: str | None) -> tuple[int, dict]:
    req = urllib.request.Request(srv.url + path, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=10, context=_ssl(srv)) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_kubeconfig_carries_token_and_ca(srv):
    cfg = _config(srv)
    cluster = cfg["clusters"][0]["cluster"]
    assert (srv.kubeconfig.stat().st_mode & 0o777) == 0o600
    assert srv.url.startswith("https://") and cluster["server"] == srv.url
    pem = base64.b64decode(cluster["certificate-authority-data"])
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----")
    token = _token(srv)
    if "token" in srv.mode:
        assert token and len(token) >= 40 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    else:  # a name, so that kubectl does not prompt for credentials
        assert cfg["users"][0]["user"] == {"username": "k9py-sim"}


def test_kubectl_get_whoami(srv):
    out = srv.kubectl("get", "pods").stdout
    assert out.splitlines()[0].split()[:2] == ["NAME", "READY"] and "counter" in out
    who = srv.kubectl("auth", "whoami", "-o", "json").stdout
    assert json.loads(who)["status"]["userInfo"]["username"] == "k9py-sim"


def test_kubectl_exec_one_shot(srv):
    assert srv.kubectl("exec", "counter", "--", "echo", "hi").stdout == "hi\n"  # a WebSocket upgrade


@pytest.mark.parametrize("websockets", ["true", "false"], ids=["websocket", "spdy"])
def test_kubectl_port_forward_one_request(srv, websockets):
    env = {**srv.env(), "KUBECTL_PORT_FORWARD_WEBSOCKETS": websockets}
    proc = subprocess.Popen([KUBECTL, "--kubeconfig", str(srv.kubeconfig), "port-forward", "deploy/nginx-deployment", "0:80"],
                            env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        m = re.fullmatch(r"Forwarding from 127\.0\.0\.1:(\d+) -> 80\n", line)
        assert m, (line, proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        with urllib.request.urlopen(f"http://127.0.0.1:{m.group(1)}/", timeout=10) as r:
            assert r.status == 200 and b"nginx" in r.read().lower()
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_token_required(srv):
    token = _token(srv)
    if token is None:
        assert _get(srv, "/version", None)[0] == 200
        return
    assert _get(srv, "/api/v1/namespaces/default/pods", token)[0] == 200
    for wrong in (None, "not-" + token, token[:-1]):
        code, body = _get(srv, "/api/v1/namespaces/default/pods", wrong)
        assert code == 401
        assert body == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": "Unauthorized", "reason": "Unauthorized", "code": 401}
    # the scheme in any case, as the apiserver reads it
    req = urllib.request.Request(srv.url + "/version", headers={"Authorization": f"bearer {token}"})
    with urllib.request.urlopen(req, timeout=10, context=_ssl(srv)) as r:
        assert r.status == 200
    # kubectl with a wrong token: its Unauthorized error
    p = srv.kubectl("--token", "wrong", "get", "pods", check=False)
    assert p.returncode == 1 and "Unauthorized" in p.stderr


def test_official_python_client(srv):
    from kubernetes import client, config
    api = config.new_client_from_config(str(srv.kubeconfig), persist_config=False)
    assert api.configuration.host.startswith("https://") and api.configuration.verify_ssl
    pods = client.CoreV1Api(api).list_namespaced_pod("default")
    assert any(p.metadata.name == "counter" for p in pods.items)


def test_tls_refuses_plain_http_and_untrusted_clients(srv):
    plain = srv.url.replace("https://", "http://") + "/version"
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        urllib.request.urlopen(plain, timeout=10).read()
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.urlopen(srv.url + "/version", timeout=10, context=ssl.create_default_context())
    # a client that connects and never starts its handshake stalls no one: it has a thread of its own
    host, port = srv.url.removeprefix("https://").split(":")
    with socket.create_connection((host, int(port)), timeout=10):
        assert _get(srv, "/version", _token(srv))[0] == 200


# -- the pieces, without a server ------------------------------------------------------------------

def test_non_loopback_host_is_warned_about(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "k9py", "serve", "--host", "0.0.0.0", "--port", "0", "--speed", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        line = proc.stdout.readline()
        assert re.fullmatch(r"k9py serve: listening on http://0\.0\.0\.0:\d+\n", line), line
        assert proc.stderr.readline() == ("k9py serve: listening on 0.0.0.0 — anyone who can reach this machine can "
                                          "read and change the simulated cluster; use --token (and --tls)\n")
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_exposure_warning_lines():
    assert exposure_warning("127.0.0.1", token=False, tls=False) is None
    assert exposure_warning("localhost", token=False, tls=False) is None
    assert exposure_warning("::1", token=False, tls=False) is None
    assert "use --token (and --tls)" in (exposure_warning("192.168.1.5", token=False, tls=False) or "")
    assert (exposure_warning("192.168.1.5", token=False, tls=True) or "").endswith("; use --token")
    assert "use --tls" in (exposure_warning("0.0.0.0", token=True, tls=False) or "")
    assert "required" in (exposure_warning("0.0.0.0", token=True, tls=True) or "")


def test_bad_token_flag_is_a_one_line_error():
    p = subprocess.run([sys.executable, "-m", "k9py", "serve", "--token", "has space"], cwd=ROOT,
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "invalid token" in p.stderr


def test_token_and_tls_refused_for_a_recording():
    p = subprocess.run([sys.executable, "-m", "k9py", "serve", "--scenario", "incident-checkout-oom", "--token"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr == "k9py: --token and --tls are not supported when serving a Recording yet\n"


def test_bearer_token_forms():
    assert bearer_token({"authorization": "Bearer abc"}) == "abc"
    assert bearer_token({"authorization": "BEARER abc"}) == "abc"
    assert bearer_token({"authorization": "Basic abc"}) is None
    assert bearer_token({}) is None
    b64 = base64.urlsafe_b64encode(b"abc").decode().rstrip("=")
    assert bearer_token({"sec-websocket-protocol": f"v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.{b64}"}) == "abc"


def test_kubeconfig_fields():
    cfg = kubeconfig("https://127.0.0.1:1", token="t", ca_pem=b"PEM")
    assert cfg["users"][0]["user"] == {"token": "t"}
    assert cfg["clusters"][0]["cluster"] == {"server": "https://127.0.0.1:1",
                                             "certificate-authority-data": base64.b64encode(b"PEM").decode()}
    assert kubeconfig("http://127.0.0.1:1")["users"][0]["user"] == {}
    assert kubeconfig("https://127.0.0.1:1", ca_pem=b"PEM")["users"][0]["user"] == {"username": "k9py-sim"}


def test_self_signed_certificate(tmp_path):
    pytest.importorskip("cryptography")
    from cryptography import x509

    from k9py.serve.tls import self_signed
    cert = self_signed(["10.1.2.3", "0.0.0.0", "example.test"], directory=str(tmp_path / "tls"))
    assert (Path(cert.directory).stat().st_mode & 0o777) == 0o700
    assert (Path(cert.key_file).stat().st_mode & 0o777) == 0o600
    san = x509.load_pem_x509_certificate(cert.cert_pem).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(san.get_values_for_type(x509.DNSName)) == {"localhost", "example.test"}
    assert {str(i) for i in san.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1", "10.1.2.3"}
    cert.context()  # loads
    cert.remove()
    assert not Path(cert.directory).exists()
