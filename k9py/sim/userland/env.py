"""A container's environment, as the kubelet assembles it: PATH and HOSTNAME, the image's
variables, the Services of the namespace that existed when the container started (docker-link
style ``<SVC>_SERVICE_HOST`` …), envFrom, env (with ``$(VAR)`` references and valueFrom), HOME."""

from __future__ import annotations

import base64
import math
import re
from typing import TYPE_CHECKING, Any

from k9py.kube import meta, quantity
from k9py.kube.meta import dig
from k9py.kube.timefmt import parse_time
from k9py.sim.userland.image import DEBIAN_PATH, Image
from k9py.sim.userland.volumes import field_value

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
BUSYBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def _svc_vars(svc: Obj) -> list[tuple[str, str]]:
    spec = svc.get("spec") or {}
    ip = spec.get("clusterIP")
    ports = spec.get("ports") or []
    if not ip or ip == "None" or not ports:
        return []
    name = meta.name(svc).upper().replace("-", "_")
    first = ports[0]
    out = [(f"{name}_SERVICE_HOST", ip), (f"{name}_SERVICE_PORT", str(first.get("port")))]
    for p in ports:
        if p.get("name"):
            out.append((f"{name}_SERVICE_PORT_{p['name'].upper().replace('-', '_')}", str(p.get("port"))))
    proto0 = str(first.get("protocol", "TCP")).lower()
    out.append((f"{name}_PORT", f"{proto0}://{ip}:{first.get('port')}"))
    for p in ports:
        proto = str(p.get("protocol", "TCP"))
        pre = f"{name}_PORT_{p.get('port')}_{proto.upper()}"
        out += [(pre, f"{proto.lower()}://{ip}:{p.get('port')}"), (f"{pre}_PROTO", proto.lower()),
                (f"{pre}_PORT", str(p.get("port"))), (f"{pre}_ADDR", ip)]
    return out


def service_env(cluster: Cluster, namespace: str, started: float, links: bool) -> list[tuple[str, str]]:
    """Service variables for services that existed at ``started`` (the master service always)."""
    out: list[tuple[str, str]] = []
    master = cluster.store.get("Service", "default", "kubernetes")
    if links:
        for svc in sorted(cluster.store.list("Service", namespace), key=meta.name):
            created = parse_time(dig(svc, "metadata", "creationTimestamp"))
            if created is not None and created > started + 1e-6:
                continue
            if meta.name(svc) == "kubernetes" and namespace == "default":
                continue
            out += _svc_vars(svc)
    if master is not None:
        out += _svc_vars(master)
    return out


def _resource(pod: Obj, container: Obj, node: Obj | None, ref: Obj) -> str:
    res = ref.get("resource", "")
    cname = ref.get("containerName") or container.get("name")
    spec_c = next((c for c in dig(pod, "spec", "containers") or [] if c.get("name") == cname), container)
    kind, _, what = str(res).partition(".")
    value = dig(spec_c, "resources", kind, what)
    if value is None and kind == "requests":
        value = dig(spec_c, "resources", "limits", what)
    if value is None:
        value = dig(node, "status", "allocatable", what) if kind == "limits" and node else None
    if value is None:
        return "0"
    divisor = quantity.parse(ref.get("divisor") or "1")
    if not divisor:
        divisor = quantity.parse("1")
    return str(max(1, math.ceil(quantity.parse(value) / divisor)) if what == "cpu" else
               math.ceil(quantity.parse(value) / divisor))


def expand_refs(value: str, env: dict[str, str]) -> str:
    """Kubernetes' ``$(VAR)`` expansion (``$$`` escapes; unknown references stay as they are)."""
    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        return env.get(m.group(1), m.group(0))
    return _REF.sub(sub, value)


def expand_command(container: Obj, env: dict[str, str]) -> Obj:
    """The container with its command and args expanded as its env values are: the kubelet does
    it before handing them to the runtime, so a shell never sees those ``$(VAR)``."""
    out = dict(container)
    for key in ("command", "args"):
        if isinstance(container.get(key), list):
            out[key] = [expand_refs(str(w), env) for w in container[key]]
    return out


def with_command_expanded(cluster: Cluster, pod: Obj, container: Obj, started: float, ip: str) -> Obj:
    """``expand_command`` with the environment the container starts with, its sandbox's address
    ``ip`` already the pod's (worked out only when a word has a ``$``: most have none)."""
    words = (container.get("command") or []) + (container.get("args") or [])
    if not any("$" in str(w) for w in words):
        return container
    seen = {**pod, "status": {**(pod.get("status") or {}), **({"podIP": ip} if ip else {})}}
    return expand_command(container, kubelet_env(cluster, seen, container, started))


def _data(obj: Obj | None, secret: bool) -> dict[str, str]:
    if obj is None:
        return {}
    out = {}
    for k, v in (obj.get("data") or {}).items():
        out[k] = base64.b64decode(str(v)).decode(errors="replace") if secret else str(v)
    if secret:
        out.update({k: str(v) for k, v in (obj.get("stringData") or {}).items()})
    return out


def container_env(cluster: Cluster, pod: Obj, container: Obj, img: Image, started: float,
                  *, tty: bool = False) -> dict[str, str]:
    """The environment of the container's processes (what ``env`` prints, in order): the
    runtime's and the image's, then the kubelet's (``kubelet_env``)."""
    hostname = dig(pod, "spec", "hostname") or meta.name(pod)
    env: dict[str, str] = {"PATH": BUSYBOX_PATH if img.family in ("busybox", "alpine") else DEBIAN_PATH,
                           "HOSTNAME": hostname}
    if tty:
        env["TERM"] = "xterm"
    env.update(img.env)
    env.update(kubelet_env(cluster, pod, container, started))
    env.setdefault("HOME", "/root")
    home = env.pop("HOME")
    env["HOME"] = home
    return env


def kubelet_env(cluster: Cluster, pod: Obj, container: Obj, started: float) -> dict[str, str]:
    """What the kubelet hands the runtime (``makeEnvironmentVariables``): the Services' variables,
    ``envFrom``, then ``env``, each ``$(VAR)`` in a value (and in command and args) expanded
    against these alone: the image's PATH or the runtime's HOSTNAME are not the kubelet's, so
    ``$(HOSTNAME)`` stays as written."""
    ns = meta.namespace(pod)
    links = dig(pod, "spec", "enableServiceLinks") is not False
    env: dict[str, str] = dict(service_env(cluster, ns, started, links))
    for src in container.get("envFrom") or []:
        if not isinstance(src, dict):
            continue
        prefix = str(src.get("prefix") or "")
        if isinstance(src.get("configMapRef"), dict):
            data = _data(cluster.store.get("ConfigMap", ns, src["configMapRef"].get("name", "")), False)
        elif isinstance(src.get("secretRef"), dict):
            data = _data(cluster.store.get("Secret", ns, src["secretRef"].get("name", "")), True)
        else:
            continue
        env.update({prefix + k: v for k, v in data.items()})
    node = cluster.store.get("Node", None, dig(pod, "spec", "nodeName") or "")
    for item in container.get("env") or []:
        if not isinstance(item, dict) or not item.get("name"):
            continue
        name = str(item["name"])
        vf = item.get("valueFrom")
        if isinstance(vf, dict):
            value: str | None = None
            if isinstance(vf.get("fieldRef"), dict):
                value = field_value(pod, str(vf["fieldRef"].get("fieldPath", "")))
            elif isinstance(vf.get("resourceFieldRef"), dict):
                value = _resource(pod, container, node, vf["resourceFieldRef"])
            elif isinstance(vf.get("configMapKeyRef"), dict):
                ref = vf["configMapKeyRef"]
                value = _data(cluster.store.get("ConfigMap", ns, ref.get("name", "")), False).get(ref.get("key", ""))
            elif isinstance(vf.get("secretKeyRef"), dict):
                ref = vf["secretKeyRef"]
                value = _data(cluster.store.get("Secret", ns, ref.get("name", "")), True).get(ref.get("key", ""))
            if value is not None:
                env[name] = value
            continue
        env[name] = expand_refs(str(item.get("value", "")), env)
    return env
