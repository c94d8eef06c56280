"""A pod's containers by role, and the one the ``kubectl.kubernetes.io/default-container``
annotation names (kubectl logs/exec/attach, k9s's logs and shell honour it when it names one of
the pod's regular containers, and ignore it otherwise)."""

from __future__ import annotations

from typing import Any

from k9py.kube import meta

DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"


def spec_path(kind: str) -> tuple[str, ...]:
    """Where an object of ``kind`` keeps its pods' spec (a pod's own, a workload's template's,
    a CronJob's job template's)."""
    if kind == "Pod":
        return ("spec",)
    if kind == "CronJob":
        return ("spec", "jobTemplate", "spec", "template", "spec")
    return ("spec", "template", "spec")


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    """The pod spec ``obj`` holds ({} when it holds none, or not as a mapping)."""
    spec: Any = obj
    for key in spec_path(str(obj.get("kind") or "")):
        spec = spec.get(key) if isinstance(spec, dict) else None
    return spec if isinstance(spec, dict) else {}


def names(pod: dict[str, Any], field: str = "containers") -> list[str]:
    """The names of ``spec.<field>`` (containers, initContainers, ephemeralContainers)."""
    return [str(c.get("name") or "") for c in (pod.get("spec") or {}).get(field) or [] if isinstance(c, dict)]


def every(pod: dict[str, Any]) -> list[str]:
    """Init, regular and ephemeral containers, in that order (k9s's all-containers logs)."""
    return names(pod, "initContainers") + names(pod) + names(pod, "ephemeralContainers")


def default_container(pod: dict[str, Any]) -> str | None:
    """The regular container the annotation names, or None (no annotation, or not one of them)."""
    wanted = meta.annotations(pod).get(DEFAULT_CONTAINER)
    return str(wanted) if wanted and wanted in names(pod) else None
