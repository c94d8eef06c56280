"""Kubeconfig for the live backend: which files (``--kubeconfig`` / ``KUBECONFIG`` / the default),
their contexts, and one ``ApiClient`` per context through the official client's loader.

The client never writes the kubeconfig: clients are made with ``persist_config=False`` (it would
otherwise save refreshed tokens into the user's file). Only `:ctx`'s rename and delete write it
(``rename_context``, ``delete_context``: kubectl's ``config rename-context``/``delete-context``). ``KUBECONFIG`` is read when asked, not at
import time as the client's own default does.
"""

from __future__ import annotations

import functools
import json
import os
import ssl
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from k9py.backends import exec_plugins
from k9py.errors import K9pyError

DEFAULT_PATH = os.path.join("~", ".kube", "config")


POOL_SIZE = 128  # connections kept to the API server (``new_api_client``)
PLUGIN_SAID_MAX = 1000  # characters of a failed credential plugin's stderr in its error (the end)
MAX_KUBECONFIG_BYTES = 64 << 20  # far over any real one (a few MB with hundreds of embedded certificates)


def kubeconfig_files(explicit: str | None = None, environ: dict[str, str] | None = None) -> list[str]:
    """kubectl's precedence: ``--kubeconfig F`` alone; else every file of ``KUBECONFIG`` (merged,
    missing ones skipped); else ``~/.kube/config``. Each one is a file that can be read whole
    (a directory, a device or a FIFO: K9pyError naming it, not a hang or all the memory)."""
    env = os.environ if environ is None else environ
    if explicit:
        path = os.path.expanduser(explicit)
        if not os.path.exists(path):
            raise K9pyError(f"kubeconfig {explicit}: no such file", field="--kubeconfig")
        return [_readable(path)]
    raw = env.get("KUBECONFIG", "")
    if raw:
        files = [os.path.expanduser(p) for p in raw.split(os.pathsep) if p]
        existing = [p for p in files if os.path.exists(p)]
        if not existing:
            raise K9pyError(f"KUBECONFIG={raw}: none of these files exists", field="KUBECONFIG")
        readable = [_readable(p) for p in existing]
        return [p for p in readable if not _empty(p)] or readable  # kubectl merges an empty one as nothing
    path = os.path.expanduser(DEFAULT_PATH)
    if not os.path.exists(path):
        raise K9pyError(f"no kubeconfig: {path} does not exist (use --kubeconfig or KUBECONFIG)")
    return [_readable(path)]


def _empty(path: str) -> bool:
    """Whether the kubeconfig at ``path`` holds nothing (no bytes, blank lines and comments):
    one such file among ``KUBECONFIG``'s stopped k9py (the client's ``file is empty``), where
    kubectl merges it as nothing (a tool's file made before it was written, a ``touch``)."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_KUBECONFIG_BYTES)
    except OSError:
        return False  # said by the reader, as it is
    return all(not line.strip() or line.lstrip().startswith(b"#") or line.strip() in (b"---", b"...")
               for line in data.splitlines())


def _readable(path: str) -> str:
    """``path`` if it is a regular file of a kubeconfig's size, else K9pyError saying what it is."""
    import stat
    try:
        st = os.stat(path)
    except OSError as err:
        raise K9pyError(f"kubeconfig {path}: cannot read it ({err.strerror or err})") from None
    if stat.S_ISDIR(st.st_mode):
        raise K9pyError(f"kubeconfig {path}: is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        what = "a pipe" if stat.S_ISFIFO(st.st_mode) else "a device"
        raise K9pyError(f"kubeconfig {path}: {what}, not a file (k9py reads it more than once: save it to a file)")
    if st.st_size > MAX_KUBECONFIG_BYTES:
        raise K9pyError(f"kubeconfig {path}: {st.st_size >> 20} MiB, over the {MAX_KUBECONFIG_BYTES >> 20} MiB "
                        "a kubeconfig may be")
    return path


def joined(files: list[str]) -> str:
    """The form the client's ``KubeConfigMerger`` takes for several files."""
    return os.pathsep.join(files)


@dataclass(frozen=True)
class Context:
    name: str
    cluster: str
    user: str
    namespace: str  # "" when the context names none (it opens in default)
    current: bool = False

    def as_object(self) -> dict[str, Any]:
        """The row the `:ctx` view shows (``k9py.view.rows.context_cells``)."""
        return {"kind": "Context", "apiVersion": "v1", "metadata": {"name": self.name},
                "cluster": self.cluster, "user": self.user, "namespace": self.namespace,
                "current": self.current}


def one_line(text: str) -> str:
    return " ".join(text.split())


def yaml_problem(err: BaseException) -> str | None:
    """A YAML syntax error as one line, FILE:LINE first; None when ``err`` is no YAML error with
    a position."""
    import yaml

    from k9py.scenario.yamldoc import marked_problem

    if not isinstance(err, yaml.MarkedYAMLError):
        return None
    problem, mark = marked_problem(err)
    if mark is None:
        return None
    where = f"{mark.name}:{mark.line + 1}" if mark.name and not mark.name.startswith("<") else f"line {mark.line + 1}"
    return f"{where}: kubeconfig: {problem}"


def read_problem(files: list[str]) -> str | None:
    """What k9py's own YAML reader finds wrong in the files, FILE:LINE first (a number of 5000
    digits: the client's loader says only what int() says, sys.set_int_max_str_digits)."""
    from k9py.scenario.yamldoc import YamlError, parse_documents

    for path in files:
        try:
            with open(path, encoding="utf-8") as fh:
                parse_documents(fh.read())
        except YamlError as err:
            where = f"{path}:{err.line}" if err.line else path
            return f"{where}: kubeconfig: {err.message.removeprefix('yaml: ')}"
        except (OSError, UnicodeDecodeError):
            continue
    return None


def root_problem(files: list[str]) -> str | None:
    """The first file that is no UTF-8 text or whose document is no mapping, then the first field
    of the wrong shape, as FILE[:LINE]: what is wrong (the client's loader says what Python says:
    'int' object is not iterable)."""
    import yaml

    for path in files:
        try:
            with open(path, "rb") as fh:
                text = fh.read().decode("utf-8")
        except UnicodeDecodeError as err:
            return f"{path}: kubeconfig: not UTF-8 text ({err.reason} at byte {err.start})"
        except OSError as err:
            return f"{path}: kubeconfig: cannot read it ({err.strerror or err})"
        try:
            root = yaml.compose(text)
        except yaml.YAMLError:
            continue
        if root is not None and not isinstance(root, yaml.MappingNode):
            what = "a list" if isinstance(root, yaml.SequenceNode) else "a scalar"
            return f"{path}:{root.start_mark.line + 1}: kubeconfig: must be a mapping (apiVersion, clusters, ...), not {what}"
    return shape_problem(files) or _scalar_problem(files)


def _top_levels(files: list[str]) -> Iterator[tuple[str, Any, Any]]:
    """(path, key node, value node) of each top-level key of the files that read as a YAML
    mapping, in order (the others are ``root_problem``'s)."""
    import yaml

    for path in files:
        try:
            with open(path, encoding="utf-8") as fh:
                root = yaml.compose(fh)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(root, yaml.MappingNode):
            for key, value in root.value:
                yield path, key, value


def _scalar_problem(files: list[str]) -> str | None:
    import yaml

    for path, key, value in _top_levels(files):
        if key.value in ("current-context", "kind", "apiVersion") and not isinstance(value, yaml.ScalarNode):
            return f"{path}:{value.start_mark.line + 1}: kubeconfig: {key.value}: must be a string"
    return None


def shape_problem(files: list[str]) -> str | None:
    """The first top-level list of a kubeconfig (clusters, contexts, users) that is no list of
    mappings, as FILE:LINE: FIELD: what is wrong (the client's own words name no line)."""
    import yaml

    for path, key, value in _top_levels(files):
        empty = isinstance(value, yaml.ScalarNode) and value.value in ("", "null", "~")
        if key.value not in ("clusters", "contexts", "users") or empty:
            continue
        items = value.value if isinstance(value, yaml.SequenceNode) else None
        if items is None:
            return f"{path}:{value.start_mark.line + 1}: kubeconfig: {key.value}: must be a list"
        for item in items:
            if not isinstance(item, yaml.MappingNode):
                return f"{path}:{item.start_mark.line + 1}: kubeconfig: {key.value}: each item must be a mapping (name: ...)"
    return None


def list_contexts(files: list[str], current: str | None = None) -> tuple[list[Context], str | None]:
    """All contexts of the merged files, and the current one (``current`` overrides the files'
    ``current-context``, as ``--context`` does)."""
    from kubernetes import config
    try:
        contexts, active = config.list_kube_config_contexts(joined(files))
    except config.ConfigException as err:
        problem = root_problem(files)
        without = _contexts_without_current(files) if problem is None else None
        if without is None:
            raise K9pyError(problem or f"kubeconfig: {one_line(str(err))}") from err
        contexts, active = without, None  # --context says which (kubectl's), else the caller says there is none
    except Exception as err:  # unreadable YAML, a directory, ...
        raise K9pyError(yaml_problem(err) or read_problem(files) or root_problem(files) or
                        f"kubeconfig {joined(files)}: {one_line(str(err))}") from err
    name = current or first_current_context(files) or (active or {}).get("name")
    out = []
    for c in contexts or []:
        ctx = c.get("context") or {}
        out.append(Context(c.get("name", ""), ctx.get("cluster", ""), ctx.get("user", ""),
                           ctx.get("namespace") or "", c.get("name") == name))
    if current is not None and not any(c.name == current for c in out):
        raise K9pyError(f"context {current!r} not found in {joined(files)}", field="--context")
    if name and not any(c.name == name for c in out):  # kubectl: Error in configuration
        raise K9pyError(f"current-context {name!r} not found in {joined(files)}: "
                        "kubectl says context was not found for specified context (use --context)")
    return out, name


def _contexts_without_current(files: list[str]) -> list[dict[str, Any]] | None:
    """The contexts of files that set no ``current-context`` (the client's lister refuses them:
    ``Expected key current-context``, even with ``--context``, which kubectl takes); None when
    the files set one (the client's error is something else)."""
    from kubernetes.config.kube_config import ConfigNode, KubeConfigMerger
    try:
        merged = KubeConfigMerger(joined(files)).config
    except Exception:  # the lister's own error is said instead
        return None
    root = merged.value if merged is not None else None
    if not isinstance(root, dict) or root.get("current-context"):
        return None
    items = [item.value if isinstance(item, ConfigNode) else item for item in root.get("contexts") or []]
    return [item for item in items if isinstance(item, dict)]


def first_current_context(files: list[str]) -> str | None:
    """kubectl's current context of several files: the first one's that sets one (client-go's
    merge: the first to set a value wins). The official client's merger takes the last one's:
    KUBECONFIG=dev:prod opened prod where kubectl acts on dev."""
    import yaml

    for _path, key, value in _top_levels(files):
        if (key.value == "current-context" and isinstance(value, yaml.ScalarNode)
                and value.tag == "tag:yaml.org,2002:str" and value.value):
            return str(value.value)
    return None


@dataclass(frozen=True)
class Overrides:
    """kubectl's (and k9s's) flags over the kubeconfig: ``--cluster`` and ``--user`` name the
    entries the context uses instead of its own; ``--token``, ``--certificate-authority``,
    ``--client-certificate``, ``--client-key`` and ``--insecure-skip-tls-verify`` replace what
    those entries say (client-go's precedence: a flag's file replaces the entry's file and its
    ``-data``; a token replaces the user's token file and plugins; skipping TLS verification drops
    the cluster's CA). Paths are absolute (a kubectl run elsewhere reads the same files)."""

    cluster: str | None = None
    user: str | None = None
    token: str | None = None
    certificate_authority: str | None = None
    client_certificate: str | None = None
    client_key: str | None = None
    insecure_skip_tls_verify: bool = False

    def __bool__(self) -> bool:
        return any((self.cluster, self.user, self.token, self.certificate_authority, self.client_certificate,
                    self.client_key, self.insecure_skip_tls_verify))

    def kubectl_flags(self) -> list[str]:
        """The same flags for a kubectl k9py runs (shell, attach, port-forward, cp)."""
        out: list[str] = []
        for flag, value in (("--cluster", self.cluster), ("--user", self.user), ("--token", self.token),
                            ("--certificate-authority", self.certificate_authority),
                            ("--client-certificate", self.client_certificate), ("--client-key", self.client_key)):
            if value:
                out += [flag, value]
        return out + (["--insecure-skip-tls-verify"] if self.insecure_skip_tls_verify else [])

    def kept_across_contexts(self) -> Overrides:
        """What still holds in another context (k9s's context switch): the token and skipping TLS
        verification; the cluster, user and their files were this context's."""
        return Overrides(token=self.token, insecure_skip_tls_verify=self.insecure_skip_tls_verify)


def check_overrides(o: Overrides) -> None:
    """The flags' files exist, read and hold what the flag says (PEM certificates, a key that
    matches the certificate), before anything connects: K9pyError naming the flag."""
    import ssl
    if o.insecure_skip_tls_verify and o.certificate_authority:
        raise K9pyError("specifying a root certificates file with the insecure flag is not allowed "
                        "(drop --certificate-authority or --insecure-skip-tls-verify)", field="--insecure-skip-tls-verify")
    for flag, path, marker in (("--certificate-authority", o.certificate_authority, "CERTIFICATE-----"),
                               ("--client-certificate", o.client_certificate, "CERTIFICATE-----"),
                               ("--client-key", o.client_key, "PRIVATE KEY-----")):
        if path is None:
            continue
        try:
            with open(path, encoding="ascii", errors="replace") as fh:
                text = fh.read(1 << 20)
        except FileNotFoundError:
            raise K9pyError(f"{path}: no such file", field=flag) from None
        except IsADirectoryError:
            raise K9pyError(f"{path}: is a directory", field=flag) from None
        except OSError as err:
            raise K9pyError(f"{path}: cannot read it ({err.strerror or err})", field=flag) from None
        if f"-----BEGIN {marker}" not in text and not (marker.startswith("PRIVATE") and "PRIVATE KEY-----" in text):
            what = "a PEM private key" if marker.startswith("PRIVATE") else "a PEM certificate"
            raise K9pyError(f"{path}: not {what}", field=flag)
    if o.certificate_authority:
        try:
            ssl.create_default_context(cafile=o.certificate_authority)
        except (ssl.SSLError, ValueError) as err:
            raise K9pyError(f"{o.certificate_authority}: not a usable CA certificate ({one_line(str(err))})",
                            field="--certificate-authority") from None
    if o.client_certificate and o.client_key:
        try:
            ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain(o.client_certificate, o.client_key)
        except (ssl.SSLError, ValueError) as err:
            raise K9pyError(f"{o.client_key}: does not go with --client-certificate {o.client_certificate} "
                            f"({one_line(str(err))})", field="--client-key") from None


def _overridden(files: list[str], context: str | None, o: Overrides) -> Any:
    """The merged kubeconfig (the client's ``KubeConfigMerger``: each entry keeps its file, for
    relative paths) with ``o`` applied to ``context``'s entries; K9pyError for a --cluster or
    --user no file names, or a key and certificate that do not pair."""
    import copy

    from kubernetes.config.kube_config import ConfigNode, KubeConfigMerger
    merged = KubeConfigMerger(joined(files)).config
    if merged is None:
        raise K9pyError(f"kubeconfig {joined(files)}: no configuration found")
    root = merged.value
    name = context if context is not None else root.get("current-context")

    def entries(section: str) -> list[Any]:
        return root.get(section) or []

    def find(section: str, wanted: Any) -> tuple[int, Any] | None:
        for i, item in enumerate(entries(section)):
            value = item.value if isinstance(item, ConfigNode) else item
            if isinstance(value, dict) and value.get("name") == wanted:
                return i, item
        return None

    def names(section: str) -> str:
        got = [str((i.value if isinstance(i, ConfigNode) else i).get("name")) for i in entries(section)]
        return ", ".join(got[:8]) + (", ..." if len(got) > 8 else "") if got else "none"

    def replace_entry(section: str, at: int, node: Any, value: dict[str, Any]) -> None:
        path = node.path if isinstance(node, ConfigNode) else None
        entries(section)[at] = ConfigNode(f"{section}[name={value.get('name')}]", value, path)

    found_ctx = find("contexts", name)
    if found_ctx is None:
        return merged  # the client's own error follows
    at, node = found_ctx
    ctx_entry = copy.deepcopy(node.value if isinstance(node, ConfigNode) else node)
    body = ctx_entry.setdefault("context", {}) or {}
    ctx_entry["context"] = body
    for flag, section, key, wanted in (("--cluster", "clusters", "cluster", o.cluster), ("--user", "users", "user", o.user)):
        if wanted is None:
            continue
        if find(section, wanted) is None:
            raise K9pyError(f"no {key} {wanted!r} in kubeconfig {joined(files)} ({section}: {names(section)})", field=flag)
        body[key] = wanted
    replace_entry("contexts", at, node, ctx_entry)

    cluster = find("clusters", body.get("cluster"))
    if cluster is not None and (o.certificate_authority or o.insecure_skip_tls_verify):
        at, node = cluster
        entry = copy.deepcopy(node.value if isinstance(node, ConfigNode) else node)
        c = entry.get("cluster") if isinstance(entry.get("cluster"), dict) else {}
        entry["cluster"] = c
        c.pop("certificate-authority", None)
        c.pop("certificate-authority-data", None)
        if o.certificate_authority:
            c["certificate-authority"] = o.certificate_authority
        c["insecure-skip-tls-verify"] = o.insecure_skip_tls_verify
        replace_entry("clusters", at, node, entry)
    if o.token or o.client_certificate or o.client_key:
        found_user = find("users", body.get("user"))
        if found_user is None:  # a context without a user entry: the flags make one
            entry, node, at = {"name": body.get("user") or "", "user": {}}, None, len(entries("users"))
            root["users"] = [*entries("users"), None]
        else:
            at, node = found_user
            entry = copy.deepcopy(node.value if isinstance(node, ConfigNode) else node)
        u = entry.get("user") if isinstance(entry.get("user"), dict) else {}
        entry["user"] = u
        if o.token:
            for key in ("tokenFile", "exec", "auth-provider", "username", "password"):
                u.pop(key, None)
            u["token"] = o.token
        for key, value in (("client-certificate", o.client_certificate), ("client-key", o.client_key)):
            if value:
                u.pop(f"{key}-data", None)
                u[key] = value
        if o.client_certificate and not (u.get("client-key") or u.get("client-key-data")):
            raise K9pyError("needs a key: give --client-key (the kubeconfig's user has none)", field="--client-certificate")
        if o.client_key and not (u.get("client-certificate") or u.get("client-certificate-data")):
            raise K9pyError("needs a certificate: give --client-certificate (the kubeconfig's user has none)",
                            field="--client-key")
        body["user"] = entry["name"]
        replace_entry("users", at, node, entry)
    _server_with_scheme(find("clusters", body.get("cluster")), find("users", body.get("user")), replace_entry)
    return merged


def _server_with_scheme(cluster: Any, user: Any, replace_entry: Any) -> None:
    """A server without a scheme (``server: 10.0.0.1:6443``) given client-go's (DefaultServerURL:
    https when TLS is configured, else http), in the kubeconfig's entry the client's loader reads
    (at the start and again before each request of a token user): urllib3 took it for no host,
    with a FutureWarning on the terminal at each request, and a CA was not loaded for it."""
    import copy

    from kubernetes.config.kube_config import ConfigNode
    if cluster is None:
        return
    at, node = cluster
    entry = node.value if isinstance(node, ConfigNode) else node
    c = entry.get("cluster")
    server = c.get("server") if isinstance(c, dict) else None
    if not isinstance(server, str) or not server or "://" in server:
        return
    u = (user[1].value if isinstance(user[1], ConfigNode) else user[1]) if user is not None else None
    u = u.get("user") if isinstance(u, dict) else None
    tls = bool(c.get("insecure-skip-tls-verify") or c.get("certificate-authority") or c.get("certificate-authority-data")
               or (isinstance(u, dict) and (u.get("client-certificate") or u.get("client-certificate-data"))))
    entry = copy.deepcopy(entry)
    entry["cluster"]["server"] = ("https://" if tls else "http://") + server
    replace_entry("clusters", at, node, entry)


def new_api_client(files: list[str], context: str | None, overrides: Overrides | None = None) -> Any:
    """An ``ApiClient`` for ``context`` (``None``: the current one), ``overrides`` over the files'
    entries; never writes the files.

    What ``config.new_client_from_config(..., persist_config=False)`` does, plus no urllib3
    retries: the live backend retries with its own back-off, and a retried read would multiply
    ``--request-timeout``."""
    import urllib3
    from kubernetes import client, config
    cfg = type.__call__(client.Configuration)
    cfg.retries = urllib3.Retry(total=0, connect=0, read=0, redirect=0, status=0, other=0,
                                raise_on_redirect=False, raise_on_status=False)
    # a connection for each watch open at once (the views' and the time machine's, one per kind)
    # and the requests beside them: the client's default (5 per CPU) discarded connections
    # as they came back, a "Connection pool is full" warning each
    cfg.connection_pool_maxsize = POOL_SIZE
    if not overrides or not (overrides.cluster or overrides.user):
        # what the client's loader takes without a word but cannot connect with (a cluster that
        # is no mapping, no server): said before, not as urllib3's "No host specified"
        problem = entry_problem(files, context)
        if problem is not None:
            raise K9pyError(problem)
    try:
        loader = _loader_class()(config_dict=_overridden(files, context, overrides or Overrides()), active_context=context,
                                 config_base_path=None, config_persister=None)
        loader.load_and_set(cfg)
        return _quiet_if_unverified(client.ApiClient(configuration=cfg))
    except K9pyError:
        raise
    except config.ConfigException as err:
        raise K9pyError(f"kubeconfig context {context or '(current)'}: {err}") from err
    except Exception as err:  # the client's loader meets a field of the wrong type or bad base64
        raise K9pyError(entry_problem(files, context) or
                        f"kubeconfig {joined(files)}: context {context or '(current)'}: {one_line(str(err))}") from err


@functools.cache
def _loader_class() -> Any:
    """The client's kubeconfig loader, with a credential plugin that fails (``exec``: its exit
    code and stderr, output that is not an ExecCredential) said as kubectl says it (``getting
    credentials: ...``). The client's own logs it on the root logger and goes on without
    credentials: the server's ``Unauthorized`` then said nothing of why."""
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.exec_provider import ExecProvider
    from kubernetes.config.kube_config import FileOrData, KubeConfigLoader, parse_rfc3339

    class Provider(ExecProvider):
        def run(self, previous_response: Any = None) -> Any:
            """The client's, but the plugin has the terminal (stdin, stderr: a login to answer)
            only when k9py has not drawn its UI there: Textual's stand-in for stdout says it is
            a terminal, and the plugin's stderr then went over the UI (and, when it failed, the
            client read it as a pipe: ``'NoneType' object has no attribute 'strip'``)."""
            interactive = _interactive()
            info: dict[str, Any] = {"apiVersion": self.api_version, "kind": "ExecCredential",
                                    "spec": {"interactive": interactive}}
            if previous_response:
                info["spec"]["response"] = previous_response
            if self.cluster:
                info["spec"]["cluster"] = self.cluster.value
                for extension in self.cluster.value.get("extensions") or []:
                    if extension["name"] == "client.authentication.k8s.io/exec":
                        info["spec"]["cluster"]["config"] = extension["extension"]
                        break
            self.env["KUBERNETES_EXEC_INFO"] = json.dumps(info)
            command = self.args[0] if self.args else ""

            def notice() -> str:  # (k9py starting, `k9py record`: not over the UI)
                return (f"the credential plugin {command} has not answered in {exec_plugins.NOTICE_AFTER:g}s: "
                        "waiting for it (kubectl would wait as long; ctrl-c quits)")
            process, stdout, stderr = exec_plugins.run(self.args, interactive=interactive, cwd=self.cwd, env=self.env,
                                                       notice=None if _ui_drawn() else notice)
            if process.returncode != 0:  # client-go's wrapCmdRunErrorLocked, the plugin's stderr after it
                said = (stderr or "").strip()
                if len(said) > PLUGIN_SAID_MAX:  # (its last words: a 1 MB stderr was one 1 MB error line)
                    said = "…" + said[-PLUGIN_SAID_MAX:].lstrip()
                raise ConfigException(f"exec: executable {command} failed with exit code {process.returncode}"
                                      + (f": {said}" if said else ""))
            try:
                data = json.loads(stdout)
            except ValueError as err:
                raise ConfigException(f"decoding stdout: couldn't get version/kind; json parse error: {err}") from None
            if not isinstance(data, dict):
                raise ConfigException("decoding stdout: not an ExecCredential")
            for key in ("apiVersion", "kind"):
                if key not in data:
                    raise ConfigException(f"decoding stdout: Object '{'Kind' if key == 'kind' else key}' is missing")
            if data["apiVersion"] != self.api_version:
                raise ConfigException(f"exec plugin is configured to use API version {self.api_version}, "
                                      f"plugin returned version {data['apiVersion']}")
            if not isinstance(data.get("status"), dict):
                raise ConfigException("exec plugin didn't return a status field")
            return data["status"]

    class Loader(KubeConfigLoader):
        def _load_cluster_info(self) -> None:
            """The client's, with certificates that do not load said with the field that holds
            them, as kubectl says it: the client takes any bytes and the connection then failed
            with ssl's ``[SSL] PEM lib (_ssl.c:3905)``, again at every retry."""
            super()._load_cluster_info()
            problem = _tls_problem(self.__dict__, self._cluster, self._user)
            if problem is not None:
                raise ConfigException(problem)

        def _load_from_exec_plugin(self) -> bool | None:
            user: Any = self._user
            cluster: Any = self._cluster
            if "exec" not in user:
                return None
            base_path = self._get_base_path(cluster.path)
            try:
                status = Provider(user["exec"], base_path, cluster).run()
            except Exception as err:  # (a command that is not there: OSError)
                raise ConfigException(f"getting credentials: {one_line(_plugin_failure(err, user['exec']))}") from None
            if "token" in status:
                self.token = f"Bearer {status['token']}"
            elif "clientCertificateData" in status and "clientKeyData" in status:
                self.cert_file, self.key_file = (
                    FileOrData(status, None, data_key_name=key, file_base_path=base_path, base64_file_content=False,
                               temp_file_path=self._temp_file_path).as_file()
                    for key in ("clientCertificateData", "clientKeyData"))
            else:
                raise ConfigException("getting credentials: exec plugin didn't return a token or cert/key pair")
            if "expirationTimestamp" in status:
                self.expiry = parse_rfc3339(status["expirationTimestamp"])
            return True

    return Loader


def _plugin_failure(err: Exception, plugin: Any) -> str:
    """What client-go says of a credential plugin that could not run (``exec: executable X not
    found`` with the kubeconfig's installHint, Go's ``fork/exec`` line) or failed (the message
    ``Provider.run`` made)."""
    command = plugin.safe_get("command")
    if isinstance(err, FileNotFoundError):
        hint = plugin.safe_get("installHint")
        return f"exec: executable {command} not found" + (f": {hint}" if isinstance(hint, str) and hint.strip() else "")
    if isinstance(err, OSError):
        return f"exec: fork/exec {command}: {(err.strerror or str(err)).lower()}"
    return str(err)


def _tls_problem(loaded: dict[str, Any], cluster: Any, user: Any) -> str | None:
    """What is wrong with the certificate authority and the client certificate and key the
    loader found (``loaded``: its ``ssl_ca_cert``, ``cert_file``, ``key_file``, files of the
    kubeconfig's or temporary ones of its ``-data``), None when they load."""
    def field(entry: Any, key: str) -> str:
        value = entry.safe_get(key) if entry is not None else None
        if value:
            return f"{key} {value}"
        return f"{key}-data" if entry is not None and entry.safe_get(f"{key}-data") else f"the exec plugin's {key}"

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ca, cert, key = loaded.get("ssl_ca_cert"), loaded.get("cert_file"), loaded.get("key_file")
    if ca:
        try:
            context.load_verify_locations(cafile=ca)
        except (ssl.SSLError, OSError) as err:
            return f"{field(cluster, 'certificate-authority')}: unable to load root certificates: {_ssl_reason(err)}"
    if cert and key:
        try:
            context.load_cert_chain(cert, key, password=lambda: b"")  # (an encrypted key: never a prompt on the terminal)
        except (ssl.SSLError, OSError) as err:
            try:  # the certificate alone (as a root it must be one), else the key is what is wrong
                ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=cert)
            except (ssl.SSLError, OSError) as cert_err:
                return f"{field(user, 'client-certificate')}: tls: {_ssl_reason(cert_err)}"
            if getattr(err, "reason", None) == "KEY_VALUES_MISMATCH":
                return f"{field(user, 'client-key')}: tls: private key does not match the client certificate"
            return f"{field(user, 'client-key')}: tls: no PEM private key found in it (or an encrypted one)"
    return None


def _ssl_reason(err: BaseException) -> str:
    if isinstance(err, ssl.SSLError) and getattr(err, "reason", None) in ("NO_CERTIFICATE_OR_CRL_FOUND", "PEM_LIB"):
        return "no PEM certificate found in it"
    if isinstance(err, OSError) and not isinstance(err, ssl.SSLError):
        return err.strerror or str(err)
    return one_line(str(err))


def _ui_drawn() -> bool:
    """Whether k9py's UI has the terminal (Textual's stand-in for stdout has no descriptor)."""
    try:
        return sys.stdout.fileno() < 0
    except (AttributeError, ValueError, OSError):
        return True


def _interactive() -> bool:
    """Whether a credential plugin may have the terminal (to ask for a login, as kubectl lets
    it): stdout is one, and not Textual's stand-in for it while the UI is drawn (no descriptor)."""
    try:
        return bool(sys.stdout.isatty()) and not _ui_drawn()
    except (AttributeError, ValueError, OSError):
        return False


def _quiet_if_unverified(api: Any) -> Any:
    """A cluster the user said not to verify (--insecure-skip-tls-verify, or the kubeconfig's
    insecure-skip-tls-verify: true): urllib3's InsecureRequestWarning on every request would be
    written over the UI (kubectl says nothing either)."""
    if not api.configuration.verify_ssl:
        import warnings

        import urllib3
        warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
    return api


def impersonation(files: list[str], context: str | None, user_name: str | None = None) -> list[tuple[str, str]]:
    """The ``Impersonate-*`` headers the context's user asks for (``as``, ``as-groups``, ``as-uid``,
    ``as-user-extra``, kubectl's ``--as`` written into the kubeconfig): requests are then made as
    that user and authorized by the cluster's RBAC, as kubectl makes them. The first file naming
    the context and the user wins, as kubectl merges. ``user_name``: ``--user``'s, over the context's."""
    import yaml

    docs: list[Any] = []
    for path in files:
        try:
            with open(path, encoding="utf-8") as fh:
                docs.append(yaml.safe_load(fh))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue

    def entry(section: str, name: Any) -> dict[str, Any]:
        for root in docs:
            for item in (root.get(section) if isinstance(root, dict) else None) or []:
                if isinstance(item, dict) and item.get("name") == name:
                    return item
        return {}

    current = context or next((d["current-context"] for d in docs
                               if isinstance(d, dict) and d.get("current-context")), None)
    ctx = entry("contexts", current).get("context") if current is not None else None
    if user_name is not None:  # --user
        ctx = {"user": user_name}
    user = entry("users", ctx.get("user")).get("user") if isinstance(ctx, dict) else None
    if not isinstance(user, dict) or not user.get("as"):
        return []
    out = [("Impersonate-User", str(user["as"]))]
    groups = user.get("as-groups")
    out += [("Impersonate-Group", str(g)) for g in (groups if isinstance(groups, list) else [])]
    if user.get("as-uid"):
        out.append(("Impersonate-Uid", str(user["as-uid"])))
    extra = user.get("as-user-extra")
    for key, values in (extra if isinstance(extra, dict) else {}).items():
        from urllib.parse import quote
        out += [(f"Impersonate-Extra-{quote(str(key), safe='')}", str(v))
                for v in (values if isinstance(values, list) else [values])]
    return out


_STRINGS = {"cluster": ("server", "certificate-authority", "certificate-authority-data", "proxy-url", "tls-server-name"),
            "user": ("token", "tokenFile", "client-certificate", "client-certificate-data", "client-key",
                     "client-key-data", "username", "password")}
_MAPPINGS = {"cluster": (), "user": ("exec", "auth-provider")}


def entry_problem(files: list[str], context: str | None) -> str | None:
    """The first field of ``context``'s cluster or user that the client's loader cannot take (a
    number where a string goes, base64 data that does not decode), as FILE:LINE: kubeconfig:
    clusters[NAME].cluster.FIELD: what is wrong, kubectl's words (``illegal base64 data``)."""
    import yaml

    docs: list[tuple[str, Any]] = []
    for path in files:
        try:
            with open(path, encoding="utf-8") as fh:
                docs.append((path, yaml.compose(fh)))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue

    def field(node: Any, key: str) -> Any:
        if isinstance(node, yaml.MappingNode):
            return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
        return None

    def entry(section: str, name: str) -> tuple[str, Any] | None:
        for path, root in docs:
            for item in getattr(field(root, section), "value", None) or []:
                got = field(item, "name")
                if isinstance(item, yaml.MappingNode) and isinstance(got, yaml.ScalarNode) and got.value == name:
                    return path, item
        return None

    current = context
    if current is None:
        got = next((field(root, "current-context") for _, root in docs if field(root, "current-context")), None)
        current = got.value if isinstance(got, yaml.ScalarNode) else None
    ctx = entry("contexts", current) if current is not None else None
    if ctx is None:
        return None
    for section, kind in (("clusters", "cluster"), ("users", "user")):
        ref = field(field(ctx[1], "context"), kind)
        found = entry(section, ref.value) if isinstance(ref, yaml.ScalarNode) else None
        if found is None:
            continue
        path, item = found
        body = field(item, kind)
        where = f"{section}[{ref.value}].{kind}"
        if body is not None and not isinstance(body, yaml.MappingNode):
            return f"{path}:{body.start_mark.line + 1}: kubeconfig: {where}: must be a mapping"
        server = field(body, "server")
        if kind == "cluster" and (server is None or (isinstance(server, yaml.ScalarNode) and not server.value)):
            # client-go's validation (kubectl: error: invalid configuration: no server found for cluster "NAME")
            line = (server or body or item).start_mark.line + 1
            return f'{path}:{line}: kubeconfig: {where}.server: invalid configuration: no server found for cluster "{ref.value}"'
        for key in _STRINGS[kind]:
            value = field(body, key)
            if value is None or (isinstance(value, yaml.ScalarNode) and value.tag.endswith((":null", ":str"))
                                 and (not key.endswith("-data") or _decodes(value.value))):
                continue
            what = "illegal base64 data" if isinstance(value, yaml.ScalarNode) and value.tag.endswith(":str") \
                else "must be a string"
            return f"{path}:{value.start_mark.line + 1}: kubeconfig: {where}.{key}: {what}"
        for key in _MAPPINGS[kind]:
            value = field(body, key)
            if value is not None and not isinstance(value, yaml.MappingNode) \
                    and not (isinstance(value, yaml.ScalarNode) and value.tag.endswith(":null")):
                return f"{path}:{value.start_mark.line + 1}: kubeconfig: {where}.{key}: must be a mapping"
    return None


def _decodes(text: str) -> bool:
    import base64
    import binascii
    try:
        base64.standard_b64decode(text)
    except (binascii.Error, ValueError):
        return False
    return True


# -- writing: `:ctx`'s rename and delete -----------------------------------------------------------

class _Plain(str):
    """A plain (unquoted) scalar kept as it was written, with the tag YAML 1.1 gives it: a token
    ``0123`` is written back ``0123``, not the int 83; ``yes`` stays ``yes``, ``1.10`` stays ``1.10``
    (client-go reads those fields as the text; a rewrite must not change a credential)."""

    tag = "tag:yaml.org,2002:str"


def _no_timestamps(resolvers: dict[Any, Any]) -> dict[Any, Any]:
    return {ch: [(tag, rx) for tag, rx in rs if tag != "tag:yaml.org,2002:timestamp"] for ch, rs in resolvers.items()}


@functools.cache
def _loader() -> Any:
    """YAML as a kubeconfig is read back to be written again: every plain scalar as its text
    (``_Plain``), an auth-provider's ``expiry`` included; nulls stay nulls."""
    import yaml

    class RoundTrip(yaml.SafeLoader):
        pass

    RoundTrip.yaml_implicit_resolvers = _no_timestamps(yaml.SafeLoader.yaml_implicit_resolvers)

    def scalar(loader: Any, node: Any) -> Any:
        if node.style is not None:  # quoted, literal or folded: a string as written
            return node.value
        if node.tag == "tag:yaml.org,2002:null":
            return None
        kept = _Plain(node.value)
        kept.tag = node.tag
        return kept

    for tag in ("str", "int", "float", "bool", "null", "binary"):
        RoundTrip.add_constructor(f"tag:yaml.org,2002:{tag}", scalar)
    return RoundTrip


@functools.cache
def _dumper() -> Any:
    """``_loader``'s counterpart: a ``_Plain`` is written plain, as it was read."""
    import yaml

    class RoundTrip(yaml.SafeDumper):
        pass

    RoundTrip.yaml_implicit_resolvers = _no_timestamps(yaml.SafeDumper.yaml_implicit_resolvers)
    RoundTrip.add_representer(_Plain, lambda d, data: d.represent_scalar(data.tag, str(data)))
    return RoundTrip


def _load_doc(path: str) -> dict[str, Any]:
    import yaml
    try:
        with open(path, encoding="utf-8") as fh:
            doc = yaml.load(fh, Loader=_loader())  # a SafeLoader
    except (OSError, UnicodeDecodeError) as err:
        raise K9pyError(f"kubeconfig {path}: cannot read it ({getattr(err, 'strerror', None) or err})") from None
    except yaml.YAMLError as err:
        raise K9pyError(yaml_problem(err) or f"kubeconfig {path}: {one_line(str(err))}") from None
    if not isinstance(doc, dict):
        raise K9pyError(f"kubeconfig {path}: not a mapping: not written")
    return doc


def _context_names(doc: dict[str, Any]) -> list[str]:
    items = doc.get("contexts")
    return [str(c.get("name")) for c in items if isinstance(c, dict)] if isinstance(items, list) else []


def _write_doc(path: str, doc: dict[str, Any]) -> None:
    """Atomically: a temporary file beside the real one (a symlink's target: the link stays),
    the original's mode, flushed to disk, renamed over it. Every key of ``doc`` is written, in
    its order; comments are not kept (kubectl's own writes drop them too)."""
    import contextlib
    import stat
    import tempfile

    import yaml
    real = os.path.realpath(path)
    try:
        mode = stat.S_IMODE(os.stat(real).st_mode)
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(real)}.", suffix=".tmp", dir=os.path.dirname(real))
    except OSError as err:
        raise K9pyError(f"kubeconfig {path}: cannot write it ({err.strerror or err})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            os.fchmod(out.fileno(), mode)
            yaml.dump(doc, out, Dumper=_dumper(), sort_keys=False, default_flow_style=False, allow_unicode=True)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, real)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise K9pyError(f"kubeconfig {path}: cannot write it ({err.strerror or err})") from None
        raise


def check_context_name(name: str) -> str:
    """A new context name as typed: stripped; empty or with control characters is refused."""
    name = name.strip()
    if not name:
        raise K9pyError("a context name may not be empty")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        raise K9pyError("a context name may not hold control characters")
    return name


def _existing(files: list[str]) -> list[str]:
    """The files of a KUBECONFIG list that exist (kubectl skips the others)."""
    return [p for p in files if os.path.exists(p)]


def _holder(files: list[str], name: str) -> tuple[str, dict[str, Any]]:
    """The file that defines context ``name`` (the first, as kubectl merges and writes) and its document."""
    for path in _existing(files):
        doc = _load_doc(path)
        if name in _context_names(doc):
            return path, doc
    raise K9pyError(f'no context exists with the name: "{name}"')


def rename_context(files: list[str], old: str, new: str) -> str:
    """``kubectl config rename-context OLD NEW``: the entry renamed in the file that defines it,
    and a ``current-context: OLD`` following it; everything else kept. The file written."""
    new = check_context_name(new)
    if new == old:
        raise K9pyError(f'context "{old}" already has that name')
    for path in _existing(files):
        if new in _context_names(_load_doc(path)):
            raise K9pyError(f'a context named "{new}" already exists (in {path})')
    path, doc = _holder(files, old)
    for item in doc["contexts"]:
        if isinstance(item, dict) and item.get("name") == old:
            item["name"] = new
            break
    if doc.get("current-context") == old:
        doc["current-context"] = new
    _write_doc(path, doc)
    for other in _existing(files):  # another file naming it the current one (kubectl's merge: the first that sets it)
        if other != path:
            odoc = _load_doc(other)
            if odoc.get("current-context") == old:
                odoc["current-context"] = new
                _write_doc(other, odoc)
    return path


def delete_context(files: list[str], name: str) -> tuple[str, bool]:
    """``kubectl config delete-context NAME``: the entry removed from the file that defines it
    (its cluster and user stay, as kubectl leaves them). The file written, and whether the
    files' ``current-context`` named it (left as is, as kubectl leaves it)."""
    path, doc = _holder(files, name)
    doc["contexts"] = [c for c in doc["contexts"] if not (isinstance(c, dict) and c.get("name") == name)]
    _write_doc(path, doc)
    current = next((d.get("current-context") for d in map(_load_doc, _existing(files)) if d.get("current-context")), None)
    return path, current == name


def masked_argv(argv: list[str]) -> list[str]:
    """A kubectl command line as the log may show it: ``--token``'s value masked."""
    out: list[str] = []
    hide = False
    for arg in argv:
        out.append("***" if hide else "--token=***" if arg.startswith("--token=") else arg)
        hide = arg == "--token"
    return out
