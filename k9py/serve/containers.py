"""Which container of a pod a request means when it names one or none: the apiserver's
``validateContainer`` (exec, attach) and ``LogLocation`` (logs, which also honours the
``kubectl.kubernetes.io/default-container`` annotation)."""

from __future__ import annotations

from typing import Any

from k9py.kube import meta, podcontainers
from k9py.kube.status import bad_request


def choose(pod: dict[str, Any], requested: str | None, *, use_default: bool = False) -> str:
    """The container ``requested`` (any regular, init or ephemeral one), else the pod's default
    (``use_default``) or only container; a 400 with the apiserver's words otherwise."""
    names = podcontainers.names(pod)
    inits = podcontainers.names(pod, "initContainers")
    ephemeral = podcontainers.names(pod, "ephemeralContainers")
    if requested:
        if requested not in names + inits + ephemeral:
            raise bad_request(f"container {requested} is not valid for pod {meta.name(pod)}")
        return requested
    default = podcontainers.default_container(pod) if use_default else None
    if default is not None:
        return default
    if len(names) == 1:
        return names[0]
    if not names:
        raise bad_request(f"a container name must be specified for pod {meta.name(pod)}")
    msg = f"a container name must be specified for pod {meta.name(pod)}, choose one of: [{' '.join(names)}]"
    if inits:
        msg += f" or one of the init containers: [{' '.join(inits)}]"
    if ephemeral:
        msg += f" or one of the ephemeral containers: [{' '.join(ephemeral)}]"
    raise bad_request(msg)
