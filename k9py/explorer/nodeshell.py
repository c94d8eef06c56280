"""`s` on a node (k9s's node shell): a privileged pod on that node, in the node's network and process
namespaces with its root at /host (config.yaml's ``shellPod``: image, namespace, limits, ...), a
shell exec'd in it, and the pod deleted when the shell ends. In the simulator the shell sees the
node as `minikube ssh` does (its hostname, its processes, every pod's IP within reach); on a live
cluster k9s's ``featureGates.nodeShell`` must allow it, as in k9s. No Textual: the UI runs the shell."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from k9py.backends.base import Backend, StatusError
from k9py.config.settings import ShellPod

Obj = dict[str, Any]
CONTAINER = "k9py-shell"
WAIT_TRIES = 100  # the pod's start, looked at every ``WAIT_EVERY`` seconds (k9s: 50 times 2 s)
WAIT_EVERY = 0.25


def pod_name() -> str:
    """One shell pod per k9py process (k9s: ``k9s-shell-PID``): a leftover of this process is replaced."""
    return f"{CONTAINER}-{os.getpid()}"


def shell_pod(node: str, cfg: ShellPod) -> Obj:
    """k9s's node shell pod: on ``node``, its host's network and PIDs, privileged, the host's root
    read-only at /host, tolerating every taint, gone at once when deleted."""
    container: Obj = {"name": CONTAINER, "image": cfg.image, "stdin": True, "tty": cfg.tty,
                      "securityContext": {"privileged": True},
                      "volumeMounts": [{"name": "root-vol", "mountPath": "/host", "readOnly": True},
                                       *({"name": v.get("name", ""), "mountPath": v.get("mountPath", ""),
                                          "readOnly": bool(v.get("readOnly"))} for v in cfg.host_path_volumes)]}
    if cfg.limits:
        container["resources"] = {"limits": dict(cfg.limits)}
    if cfg.image_pull_policy:
        container["imagePullPolicy"] = cfg.image_pull_policy
    if cfg.command:
        container["command"] = list(cfg.command)
    if cfg.args:
        container["args"] = list(cfg.args)
    md: Obj = {"name": pod_name(), "namespace": cfg.namespace}
    if cfg.labels:
        md["labels"] = dict(cfg.labels)
    spec: Obj = {"nodeName": node, "restartPolicy": "Never", "hostPID": True, "hostNetwork": True,
                 "terminationGracePeriodSeconds": 0, "tolerations": [{"operator": "Exists"}],
                 "containers": [container],
                 "volumes": [{"name": "root-vol", "hostPath": {"path": "/"}},
                             *({"name": v.get("name", ""), "hostPath": {"path": v.get("hostPath", "")}}
                               for v in cfg.host_path_volumes)]}
    if cfg.image_pull_secrets:
        spec["imagePullSecrets"] = [{"name": n} for n in cfg.image_pull_secrets]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": spec}


async def launch(backend: Backend, node: str, cfg: ShellPod) -> str:
    """Start the shell pod on ``node`` and wait until it runs; its name. K9pyError (StatusError)
    from the API, or when it does not run in time (its reason: an image that cannot be pulled)."""
    await remove(backend, cfg)
    pod = shell_pod(node, cfg)
    name = pod["metadata"]["name"]
    await backend.create(pod)
    for _ in range(WAIT_TRIES):
        current = await backend.get("Pod", cfg.namespace, name)
        status = current.get("status") or {}
        if status.get("phase") == "Running":
            return name
        if status.get("phase") in ("Failed", "Succeeded"):
            break
        await asyncio.sleep(WAIT_EVERY)
    why = _waiting_reason(current)
    await remove(backend, cfg)
    raise StatusError(504, "Timeout", f"unable to launch shell pod on node {node}" + (f": {why}" if why else ""))


def _waiting_reason(pod: Obj) -> str:
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        waiting = (cs.get("state") or {}).get("waiting") or {}
        if waiting.get("reason"):
            return str(waiting["reason"])
    return str((pod.get("status") or {}).get("phase") or "")


async def remove(backend: Backend, cfg: ShellPod) -> None:
    """Delete this process's shell pod, if there is one (k9s's nukeK9sShell)."""
    try:
        await backend.delete("Pod", cfg.namespace, pod_name(), grace_period=0)
    except StatusError as err:
        if err.code != 404:
            raise
