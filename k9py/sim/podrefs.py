"""What the kubelet needs from other objects before a pod's containers can run, and the errors it
reports when they are missing (as the real kubelet words them):

- volumes: a ``configMap`` / ``secret`` volume whose object does not exist (and is not
  ``optional``) keeps the pod ContainerCreating with ``FailedMount`` events, retried with the
  volume manager's back-off (0.5 s doubling to 2m2s);
- environment: ``envFrom`` / ``env[].valueFrom`` naming a missing ConfigMap, Secret or key gives
  the container ``CreateContainerConfigError`` (event ``Failed``: ``Error: …``), retried every
  pod sync (10 s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from k9py.kube import meta

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]

MOUNT_BACKOFF_INITIAL = 0.5
MOUNT_BACKOFF_MAX = 122.0   # nestedpendingoperations: 2m2s
CONFIG_RETRY = 10.0         # the pod worker's back-off period after a sync error


def _get(cluster: Cluster, kind: str, namespace: str, name: Any) -> Obj | None:
    return cluster.store.get(kind, namespace, name) if isinstance(name, str) and name else None


def mount_error(cluster: Cluster, pod: Obj) -> str | None:
    """The FailedMount message for the first volume that cannot be set up, or None."""
    ns = meta.namespace(pod)
    for vol in (pod.get("spec") or {}).get("volumes") or []:
        if not isinstance(vol, dict):
            continue
        for field, kind, key, word in (("configMap", "ConfigMap", "name", "configmap"),
                                       ("secret", "Secret", "secretName", "secret")):
            src = vol.get(field)
            if not isinstance(src, dict) or src.get("optional") is True:
                continue
            name = src.get(key)
            if _get(cluster, kind, ns, name) is None:
                return f'MountVolume.SetUp failed for volume "{vol.get("name")}" : {word} "{name}" not found'
    return None


def config_error(cluster: Cluster, pod: Obj, container: Obj) -> str | None:
    """The CreateContainerConfigError message for ``container``'s environment, or None."""
    ns = meta.namespace(pod)
    for src in container.get("envFrom") or []:
        if not isinstance(src, dict):
            continue
        for field, kind, word in (("configMapRef", "ConfigMap", "configmap"), ("secretRef", "Secret", "secret")):
            ref = src.get(field)
            if isinstance(ref, dict) and ref.get("optional") is not True and _get(cluster, kind, ns, ref.get("name")) is None:
                return f'{word} "{ref.get("name")}" not found'
    for env in container.get("env") or []:
        value_from = env.get("valueFrom") if isinstance(env, dict) else None
        if not isinstance(value_from, dict):
            continue
        for field, kind, word in (("configMapKeyRef", "ConfigMap", "configmap"), ("secretKeyRef", "Secret", "secret")):
            ref = value_from.get(field)
            if not isinstance(ref, dict) or ref.get("optional") is True:
                continue
            obj = _get(cluster, kind, ns, ref.get("name"))
            if obj is None:
                return f'{word} "{ref.get("name")}" not found'
            key = ref.get("key")
            data = {**(obj.get("data") or {}), **(obj.get("binaryData") or {})}
            if kind == "Secret":
                data.update(obj.get("stringData") or {})
            if key not in data:
                return f"couldn't find key {key} in {kind} {ns}/{ref.get('name')}"
    return None
