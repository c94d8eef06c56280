"""Write a kubeconfig for a local API server (what `k9py serve` hands kubectl): plain http with no
credentials, or with a bearer token and/or https with the server's own certificate as its CA."""

from __future__ import annotations

import base64
import contextlib
import os
from typing import Any

import yaml

from k9py.errors import K9pyError
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
    """``--kubeconfig-out``'s path, checked before a server is started for it (K9pyError). The
    file is written whole: one already there must be empty or a kubeconfig of k9py's own (a
    user's ~/.kube/config given by mistake would lose every context it holds). A symlink is
    judged by the file it points to; a device, FIFO or socket there is refused (the written file
    would replace it: as root, ``/dev/full`` became a plain file)."""
    check_writable(path, WHAT, make_parents=True)
    if os.path.exists(path) and not os.path.isfile(path):
        raise K9pyError("cannot write the kubeconfig: is not a regular file (a FIFO, device or socket)", file=path)
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        return
    try:
        with open(path, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh.read(1 << 20))
    except (OSError, ValueError, yaml.YAMLError):
        doc = None
    names = _entry_names(doc)
    if names is None:
        raise K9pyError("is not a kubeconfig k9py wrote, and serve writes a whole kubeconfig there: "
                        "give a new file", file=path)
    others = {key: sorted(n for n in found if n != DEFAULT_NAME) for key, found in names.items()}
    if any(others.values()):
        shown = others["contexts"] or others["clusters"] or others["users"]
        raise K9pyError(f"holds other {next(k for k in names if others[k])} ({', '.join(shown[:5])}"
                        f"{', ...' if len(shown) > 5 else ''}), which serve's kubeconfig would replace: "
                        "give a new file (then KUBECONFIG=it:~/.kube/config)", file=path)


def _entry_names(doc: Any) -> dict[str, list[str]] | None:
    """The names of a kubeconfig's contexts, clusters and users; None: not a kubeconfig."""
    if not isinstance(doc, dict) or doc.get("kind", "Config") != "Config" or \
            not any(k in doc for k in ("clusters", "contexts", "users")):
        return None
    names: dict[str, list[str]] = {}
    for key in ("contexts", "clusters", "users"):
        entries = doc.get(key) or []
        if not isinstance(entries, list):
            return None
        names[key] = [str(e.get("name")) for e in entries if isinstance(e, dict)]
    return names


def _write(path: str, config: dict[str, Any]) -> None:
    path = os.path.realpath(path)  # a symlink (a dotfiles manager's) is written where it points: the link stays
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
