"""Write a kubeconfig for a local API server (what `k9py serve` hands kubectl): plain http with no
credentials, or with a bearer token and/or https with the server's own certificate as its CA."""

from __future__ import annotations

import base64
import contextlib
import os
from typing import Any

import yaml

from k9py.kube.outfile import cannot_write, check_writable

DEFAULT_NAME = "k9py-sim"
WHAT = "the kubeconfig"
KUBECONFIG_MODE = 0o600


def kubeconfig(server: str, *, name: str = DEFAULT_NAME, namespace: str = "default", token: str | None = None,
               ca_pem: bytes | None = None) -> dict[str, Any]:
    """A kubeconfig with one cluster, context and user, all called ``name``. ``token``: the user's
    bearer token (``users[].user.token``); ``ca_pem``: the certificate an https server is verified
    with (``certificate-authority-data``, base64 of the PEM, as kubectl writes it). An https server
    without a token gets the user's name (``username``, no password): with no credentials at all,
    kubectl asks for a username and password on the terminal before every https request."""
    cluster: dict[str, Any] = {"server": server}
    user: dict[str, Any] = {}
    if ca_pem is not None:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode("ascii")
    if token is not None:
        user["token"] = token
    elif server.startswith("https://"):
        user["username"] = name
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": cluster}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name, "namespace": namespace}}],
        "current-context": name,
        "users": [{"name": name, "user": user}],
        "preferences": {},
    }


def write_kubeconfig(path: str, server: str, *, name: str = DEFAULT_NAME, namespace: str = "default",
                     token: str | None = None, ca_pem: bytes | None = None) -> None:
    """Write atomically (a reader never sees half a file), creating parent directories. The file
    is created mode 0600 (never readable by others, not even for a moment): what kubectl writes
    and what Helm expects of a kubeconfig. A path that cannot be written: K9pyError."""
    try:
        _write(path, kubeconfig(server, name=name, namespace=namespace, token=token, ca_pem=ca_pem))
    except OSError as err:
        raise cannot_write(path, WHAT, err) from None


def check_kubeconfig_out(path: str) -> None:
    """``--kubeconfig-out``'s path, checked before a server is started for it (K9pyError)."""
    check_writable(path, WHAT, make_parents=True)


def _write(path: str, config: dict[str, Any]) -> None:
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp = f"{path}.tmp{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)  # a leftover of a crashed run: O_EXCL below must create the file itself
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, KUBECONFIG_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yaml.safe_dump(config, fh, sort_keys=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
