"""Ephemeral containers (``kubectl debug``): what the apiserver checks when the ``pods/ephemeralcontainers``
subresource is written (``ValidatePodEphemeralContainersUpdate`` and ``validateEphemeralContainers``).

Only ``spec.ephemeralContainers`` changes through the subresource; containers may be added, never
removed or changed; they may not have ports, probes, lifecycle hooks, resources or a restart policy
(``cannot be set for an Ephemeral Container``); their names are unique among all the pod's
containers and ``targetContainerName`` names one of its (init) containers. A Pod cannot be created
with them, and a plain update of the Pod keeps the ones it has (the pod strategy drops the change).
"""

from __future__ import annotations

import re
from typing import Any

from k9py.kube import meta
from k9py.kube.meta import deep_copy
from k9py.kube.status import invalid

Obj = dict[str, Any]

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
FORBIDDEN = "Forbidden: cannot be set for an Ephemeral Container"
# EphemeralContainerCommon fields outside the apiserver's allow list (allowedEphemeralContainerFields)
NOT_ALLOWED = ("ports", "resources", "resizePolicy", "lifecycle", "livenessProbe", "readinessProbe",
               "startupProbe", "restartPolicy", "restartPolicyRules")
MIRROR = "kubernetes.io/config.mirror"


def on_create(spec: Obj, causes: list[tuple[str, str]]) -> None:
    """A new Pod may not bring ephemeral containers (ValidatePodCreate)."""
    if spec.get("ephemeralContainers"):
        causes.append(("spec.ephemeralContainers", "Forbidden: cannot be set on create"))


def keep_on_update(spec: Obj, old_spec: Obj) -> None:
    """A Pod update (PUT, patch, apply) leaves the ephemeral containers as they were."""
    old = old_spec.get("ephemeralContainers")
    if old:
        spec["ephemeralContainers"] = deep_copy(old)
    else:
        spec.pop("ephemeralContainers", None)


def _non_empty(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_non_empty(v) for v in value.values())
    return value not in (None, "", [], {}, 0, False)


def _check(i: int, c: Any, names: set[str], targets: set[str], volumes: set[str]) -> list[tuple[str, str]]:
    path = f"spec.ephemeralContainers[{i}]"
    if not isinstance(c, dict):
        return [(path, "Invalid value: must be an object")]
    causes: list[tuple[str, str]] = []
    name = c.get("name")
    if not name:
        causes.append((f"{path}.name", "Required value"))
    elif not isinstance(name, str) or len(name) > 63 or not _LABEL.match(name):
        causes.append((f"{path}.name", f'Invalid value: "{name}": a lowercase RFC 1123 label must consist of lower case '
                       "alphanumeric characters or '-', and must start and end with an alphanumeric character "
                       "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"))
    elif name in names:
        causes.append((f"{path}.name", f'Duplicate value: "{name}"'))
    else:
        names.add(name)
    image = c.get("image")
    if not isinstance(image, str) or not image.strip():
        causes.append((f"{path}.image", "Required value"))
    target = c.get("targetContainerName")
    if target and target not in targets:
        causes.append((f"{path}.targetContainerName", f'Not found: "{target}"'))
    for f in NOT_ALLOWED:
        if _non_empty(c.get(f)):
            causes.append((f"{path}.{f}", FORBIDDEN))
    for j, m in enumerate(c.get("volumeMounts") or []):
        if not isinstance(m, dict):
            continue
        if m.get("name") not in volumes:
            causes.append((f"{path}.volumeMounts[{j}].name", f'Not found: "{m.get("name")}"'))
        for f in ("subPath", "subPathExpr"):
            if m.get(f):
                causes.append((f"{path}.volumeMounts[{j}].{f}", FORBIDDEN))
    return causes


def validate(spec: Obj) -> list[tuple[str, str]]:
    """The causes ``spec.ephemeralContainers`` is invalid for (none: it is valid)."""
    regular = [c.get("name") for f in ("containers", "initContainers") for c in spec.get(f) or [] if isinstance(c, dict)]
    names = {str(n) for n in regular if n}
    targets = set(names)
    volumes = {str(v.get("name")) for v in spec.get("volumes") or [] if isinstance(v, dict)}
    causes: list[tuple[str, str]] = []
    for i, c in enumerate(spec.get("ephemeralContainers") or []):
        causes += _check(i, c, names, targets, volumes)
    return causes


def update(old: Obj, body: Obj) -> Obj:
    """The Pod after a write of its ``ephemeralcontainers`` subresource: ``old`` with the body's
    ``spec.ephemeralContainers`` (defaulted), or ``status.invalid`` as the apiserver words it."""
    from k9py.sim.pod_admission import default_container

    name = meta.name(old)
    if MIRROR in meta.annotations(old):
        raise invalid("Pod", name, [("", "Forbidden: static pods do not support ephemeral containers")])
    spec = body.get("spec")
    wanted = (spec.get("ephemeralContainers") if isinstance(spec, dict) else None) or []
    if not isinstance(wanted, list):
        raise invalid("Pod", name, [("spec.ephemeralContainers", "Invalid value: must be a list")])
    new = deep_copy(old)
    new_spec = new.setdefault("spec", {})
    containers = deep_copy(wanted)
    for c in containers:
        if isinstance(c, dict):
            default_container(c, requests_from_limits=False)
    new_spec["ephemeralContainers"] = containers
    causes = validate(new_spec)
    by_name = {c.get("name"): c for c in containers if isinstance(c, dict)}
    for prev in (old.get("spec") or {}).get("ephemeralContainers") or []:
        cname = prev.get("name")
        now = by_name.get(cname)
        if now is None:
            causes.append(("spec.ephemeralContainers", f'Forbidden: existing ephemeral containers "{cname}" may not be removed\n'))
        elif now != prev:
            causes.append((f"spec.ephemeralContainers[{cname}]", f'Forbidden: existing ephemeral containers "{cname}" may not be changed'))
    if causes:
        raise invalid("Pod", name, causes)
    if not containers:
        new_spec.pop("ephemeralContainers", None)
    return new
