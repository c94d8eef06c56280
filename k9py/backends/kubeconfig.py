"""Kubeconfig for the live backend: which files (``--kubeconfig`` / ``KUBECONFIG`` / the default),
their contexts, and one ``ApiClient`` per context through the official client's loader.

The kubeconfig is never written: clients are made with ``persist_config=False`` (the client would
otherwise save refreshed tokens into the user's file). ``KUBECONFIG`` is read when asked, not at
import time as the client's own default does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from k9py.errors import K9pyError

DEFAULT_PATH = os.path.join("~", ".kube", "config")


def kubeconfig_files(explicit: str | None = None, environ: dict[str, str] | None = None) -> list[str]:
    """kubectl's precedence: ``--kubeconfig F`` alone; else every file of ``KUBECONFIG`` (merged,
    missing ones skipped); else ``~/.kube/config``."""
    env = os.environ if environ is None else environ
    if explicit:
        path = os.path.expanduser(explicit)
        if not os.path.exists(path):
            raise K9pyError(f"kubeconfig {explicit}: no such file", field="--kubeconfig")
        return [path]
    raw = env.get("KUBECONFIG", "")
    if raw:
        files = [os.path.expanduser(p) for p in raw.split(os.pathsep) if p]
        existing = [p for p in files if os.path.exists(p)]
        if not existing:
            raise K9pyError(f"KUBECONFIG={raw}: none of these files exists", field="KUBECONFIG")
        return existing
    path = os.path.expanduser(DEFAULT_PATH)
    if not os.path.exists(path):
        raise K9pyError(f"no kubeconfig: {path} does not exist (use --kubeconfig or KUBECONFIG)")
    return [path]


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


def shape_problem(files: list[str]) -> str | None:
    """The first top-level list of a kubeconfig (clusters, contexts, users) that is no list of
    mappings, as FILE:LINE: FIELD: what is wrong (the client's own words name no line)."""
    import yaml

    for path in files:
        try:
            with open(path, encoding="utf-8") as fh:
                root = yaml.compose(fh)
        except (OSError, yaml.YAMLError):
            continue
        if not isinstance(root, yaml.MappingNode):
            continue
        for key, value in root.value:
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
        raise K9pyError(shape_problem(files) or f"kubeconfig: {one_line(str(err))}") from err
    except Exception as err:  # unreadable YAML, a directory, ...
        raise K9pyError(yaml_problem(err) or f"kubeconfig {joined(files)}: {one_line(str(err))}") from err
    name = current or (active or {}).get("name")
    out = []
    for c in contexts or []:
        ctx = c.get("context") or {}
        out.append(Context(c.get("name", ""), ctx.get("cluster", ""), ctx.get("user", ""),
                           ctx.get("namespace") or "", c.get("name") == name))
    if current is not None and not any(c.name == current for c in out):
        raise K9pyError(f"context {current!r} not found in {joined(files)}", field="--context")
    return out, name


def new_api_client(files: list[str], context: str | None) -> Any:
    """An ``ApiClient`` for ``context`` (``None``: the current one); never writes the files.

    What ``config.new_client_from_config(..., persist_config=False)`` does, plus no urllib3
    retries: the live backend retries with its own back-off, and a retried read would multiply
    ``--request-timeout``."""
    import urllib3
    from kubernetes import client, config
    cfg = type.__call__(client.Configuration)
    cfg.retries = urllib3.Retry(total=0, connect=0, read=0, redirect=0, status=0, other=0,
                                raise_on_redirect=False, raise_on_status=False)
    try:
        return config.new_client_from_config(config_file=joined(files), context=context,
                                             persist_config=False, client_configuration=cfg)
    except config.ConfigException as err:
        raise K9pyError(f"kubeconfig context {context or '(current)'}: {err}") from err
