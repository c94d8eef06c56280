"""One running container instance as the userland sees it: its file system (a fresh writable
layer from the image with the pod's volumes mounted), environment, hostname and PID 1.

Worlds are cached by container ID in ``cluster.state["userland"]["containers"]``: a restarted
container is a new instance with a new ID, so whatever it wrote outside its volumes is gone.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.meta import dig
from k9py.sim.userland import dns
from k9py.sim.userland.env import container_env, expand_command
from k9py.sim.userland.fs import Dir, File, FileSystem
from k9py.sim.userland.image import Image, image_for, root_tree
from k9py.sim.userland.pidns import Pids, namespace_for
from k9py.sim.userland.volumes import SA_PATH, store, volume_tree

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.kubelet import Instance

Obj = dict[str, Any]
CLUSTER_DOMAIN = dns.CLUSTER_DOMAIN


@dataclass
class Container:
    """The world of one container instance."""

    namespace: str
    pod: str
    uid: str
    name: str
    init: bool
    container_id: str
    image: Image
    fs: FileSystem
    env: dict[str, str]
    hostname: str
    started: float
    pid1: str
    workdir: str = "/"
    spec: Obj = field(default_factory=dict)
    pids: Pids = field(default_factory=lambda: Pids(init="sh"))  # its PID namespace (pidns.py)
    ip: str = ""  # its pod's address as the sandbox had it when the world was made ("": none yet)

    @property
    def next_pid(self) -> int:
        return self.pids.next_pid

    @next_pid.setter
    def next_pid(self, value: int) -> None:
        self.pids.next_pid = value

    @property
    def sessions(self) -> dict[int, str]:
        """The exec'd processes of its PID namespace (for ps)."""
        return self.pids.sessions


def _hosts(ip: str, hostname: str) -> str:
    return ("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
            "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
            f"{ip}\t{hostname}\n")


def pid1_command(spec: Obj, img: Image) -> str:
    """What ``ps`` shows as PID 1."""
    words = [str(w) for w in (spec.get("command") or []) + (spec.get("args") or [])]
    if words:
        return " ".join(shlex.quote(w) if " " in w and len(words) > 1 and w not in words[:1] else w for w in words)
    if img.server == "nginx":
        return "nginx: master process nginx -g daemon off;"
    if img.server == "httpd":
        return "httpd -DFOREGROUND"
    if img.family in ("busybox", "alpine"):
        return "sh"
    if img.family in ("debian", "ubuntu") and img.name in ("debian", "ubuntu"):
        return "bash"
    return img.name


def spec_of(pod: Obj, cname: str) -> Obj:
    """The spec of a pod's container, init container or ephemeral container, by name."""
    for key in ("containers", "initContainers", "ephemeralContainers"):
        for c in dig(pod, "spec", key) or []:
            if isinstance(c, dict) and c.get("name") == cname:
                return c
    return {"name": cname}


def build(cluster: Cluster, pod: Obj, cname: str, init: bool, inst: Instance) -> Container:
    """A new world for a container instance (its writable layer starts from the image)."""
    spec = spec_of(pod, cname)
    img = image_for(inst.image)
    now = inst.started
    hostname = dig(pod, "spec", "hostname") or meta.name(pod)
    if dig(pod, "spec", "hostNetwork") and dig(pod, "spec", "nodeName"):
        hostname = str(dig(pod, "spec", "nodeName"))  # the node's UTS namespace comes with its network
    fs = FileSystem(root_tree(img, now), now)
    ns = meta.namespace(pod)
    ip = dig(pod, "status", "podIP") or ""
    sub = dig(pod, "spec", "subdomain")
    fqdn = f"{hostname}.{sub}.{ns}.svc.{CLUSTER_DOMAIN}" if sub else ""
    for path, text in (("/etc/hostname", hostname + "\n"), ("/etc/resolv.conf", dns.pod_conf(pod).text()),
                       ("/etc/hosts", _hosts(ip, f"{fqdn}\t{hostname}" if fqdn else hostname))):
        fs.write(path, text.encode())
    vols = {v.get("name"): v for v in dig(pod, "spec", "volumes") or [] if isinstance(v, dict)}
    for m in spec.get("volumeMounts") or []:
        vol = vols.get(m.get("name"))
        got = volume_tree(cluster, pod, vol) if vol is not None else None
        if got is None:
            continue
        root, readonly, device = got
        sub_path = str(m.get("subPath") or "")
        mount_path = str(m.get("mountPath") or "")
        if not mount_path:
            continue
        if sub_path:
            node = _sub_dir(root, sub_path, now)
            if isinstance(node, File):
                fs.makedirs(mount_path.rsplit("/", 1)[0] or "/", force=True)
                fs.put(mount_path, File(node.data, node.mode, node.mtime))
                continue
            root = node
        fs.mount(mount_path, root, readonly=readonly or bool(m.get("readOnly")), source=device)
    env = container_env(cluster, pod, spec, img, inst.started)
    workdir = str(spec.get("workingDir") or img.workdir or "/")
    fs.makedirs(workdir, force=True)
    pid1 = pid1_command(expand_command(spec, env), img)
    return Container(namespace=ns, pod=meta.name(pod), uid=meta.uid(pod), name=cname, init=init,
                     container_id=inst.container_id, image=img, fs=fs, env=env, hostname=hostname,
                     started=inst.started, pid1=pid1, workdir=workdir, spec=spec,
                     pids=namespace_for(cluster, pod, spec, cname, pid1, img.server), ip=ip)


def _sub_dir(root: Dir, sub_path: str, now: float) -> Dir | File:
    node: Dir | File = root
    parts = [p for p in sub_path.split("/") if p]
    for i, p in enumerate(parts):
        assert isinstance(node, Dir)
        child = node.children.get(p)
        if child is None:
            child = node.children[p] = Dir(mtime=now)
        if isinstance(child, File) and i < len(parts) - 1:
            return Dir(mtime=now)
        node = child
    return node


PRUNE_AT_LEAST = 64  # worlds kept before the first look for those no longer running


def world(cluster: Cluster, pod: Obj, cname: str, init: bool, inst: Instance) -> Container:
    """The world of a container instance, built on first use and kept while it runs. Those of
    instances no longer running are forgotten when the worlds have doubled since the last look
    (a look walks every pod the kubelet runs: at each new world, 100,000 pods with one-shot
    commands restarting spent a second of their start in it)."""
    st = store(cluster)
    worlds: dict[str, Container] = st["containers"]
    w = worlds.get(inst.container_id)
    if w is None:
        if len(worlds) >= st.get("containers.prune_at", 0):
            _prune(cluster, worlds)
            st["containers.prune_at"] = max(PRUNE_AT_LEAST, 2 * len(worlds))
        w = worlds[inst.container_id] = build(cluster, pod, cname, init, inst)
    return w


def _prune(cluster: Cluster, worlds: dict[str, Container]) -> None:
    """Forget the worlds of container instances the kubelet no longer runs (and emptyDirs of
    pods that are gone)."""
    from k9py.sim.kubelet import runtimes

    live: set[str] = set()
    uids = set()
    for uid, rt in runtimes(cluster).items():
        uids.add(uid)
        for c in rt.containers:
            if c.current is not None and c.current.finished is None:
                live.add(c.current.container_id)
    for cid in [k for k in worlds if k not in live]:
        del worlds[cid]
    em = store(cluster)["emptydir"]
    for key in [k for k in em if k.split("/", 1)[0] not in uids]:
        del em[key]
    spaces = store(cluster).setdefault("pidns", {})
    for key in [k for k in spaces if k.startswith("pod:") and k[4:] not in uids]:
        del spaces[key]


__all__ = ["SA_PATH", "Container", "build", "spec_of", "world"]
