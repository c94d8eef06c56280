"""PID namespaces: which processes ``ps`` shows in a container, and who PID 1 is (``kill 1``).

A container has its own namespace (its command is PID 1), unless:
- it is an ephemeral container with a ``targetContainerName`` (``kubectl debug --target``): it joins
  the target's namespace — the target's PID 1, its exec'd shells, and the debugger's own;
- its pod has ``shareProcessNamespace`` (``kubectl debug --copy-to``): ``/pause`` is PID 1 and every
  running container's main process is listed;
- its pod has ``hostPID`` (``kubectl debug node/…``): the node's ``/sbin/init``, containerd, the
  kubelet, and the main process of every container running on that node.

Shared namespaces are kept in ``cluster.state["userland"]["pidns"]`` (by pod uid / node name); a
container's main process gets its PID the first time ``ps`` sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.meta import dig
from k9py.sim.userland.volumes import store

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.userland.container import Container

Obj = dict[str, Any]
Row = tuple[int, str, str]  # (PID, user, command line)
NGINX_WORKERS: list[Row] = [(29, "nginx", "nginx: worker process"), (30, "nginx", "nginx: worker process")]
NODE_DAEMONS: list[Row] = [(95, "root", "/usr/local/bin/containerd"),
                           (412, "root", "/var/lib/minikube/binaries/kubelet --config=/var/lib/kubelet/config.yaml")]


@dataclass
class Pids:
    """One PID namespace."""

    init: str                                   # PID 1's command line
    owner: tuple[str, str, str] | None = None   # (namespace, pod, container) whose PID 1 it is; None: pause/init
    scope: str = "own"                          # own | pod | node
    key: str = ""                               # pod uid / node name of a shared namespace
    next_pid: int = 7
    sessions: dict[int, str] = field(default_factory=dict)  # exec'd processes: pid -> command line
    extra: list[Row] = field(default_factory=list)          # other fixed processes (nginx workers, node daemons)
    mains: dict[str, int] = field(default_factory=dict)     # container ID -> PID of its main process


def _shared(cluster: Cluster, scope: str, key: str, init: str, extra: list[Row], first: int) -> Pids:
    spaces: dict[str, Pids] = store(cluster).setdefault("pidns", {})
    ns = spaces.get(f"{scope}:{key}")
    if ns is None:
        ns = spaces[f"{scope}:{key}"] = Pids(init=init, scope=scope, key=key, next_pid=first, extra=list(extra))
    return ns


def namespace_for(cluster: Cluster, pod: Obj, spec: Obj, cname: str, pid1: str, server: str | None) -> Pids:
    """The PID namespace a new container instance's world joins."""
    if dig(pod, "spec", "hostPID") and dig(pod, "spec", "nodeName"):
        return _shared(cluster, "node", str(dig(pod, "spec", "nodeName")), "/sbin/init", NODE_DAEMONS, 1000)
    if dig(pod, "spec", "shareProcessNamespace"):
        return _shared(cluster, "pod", meta.uid(pod), "/pause", [], 7)
    target = spec.get("targetContainerName")
    if target:
        box = _running_world(cluster, pod, str(target))
        if box is not None:
            return box.pids
    extra = list(NGINX_WORKERS) if server == "nginx" else []
    # an exec'd process gets the next free PID: above nginx's workers, as on a real node
    return Pids(init=pid1, owner=(meta.namespace(pod), meta.name(pod), cname), extra=extra,
                next_pid=max([7] + [pid + 1 for pid, _, _ in extra]))


def _running_world(cluster: Cluster, pod: Obj, cname: str) -> Container | None:
    from k9py.sim.kubelet import runtime_for
    from k9py.sim.userland.container import world

    rt = runtime_for(cluster, meta.namespace(pod), meta.name(pod))
    c = rt.by_name(cname) if rt else None
    if c is None or c.phase != "running" or c.current is None:
        return None
    return world(cluster, pod, cname, c.init, c.current)


def number_mains(cluster: Cluster, ns: Pids) -> None:
    """Give the main processes a shared namespace sees their PIDs now: they started before the
    exec about to get its own (own namespaces have only PID 1)."""
    if ns.scope != "own":
        _mains(cluster, ns)


def _mains(cluster: Cluster, ns: Pids) -> list[Row]:
    """The main processes of the running containers a shared namespace sees (PIDs given on first sight)."""
    from k9py.sim.kubelet import runtimes
    from k9py.sim.userland.container import pid1_command, spec_of
    from k9py.sim.userland.image import image_for

    rows: list[Row] = []
    for rt in runtimes(cluster).values():
        if (ns.scope == "pod" and rt.uid != ns.key) or (ns.scope == "node" and rt.node != ns.key):
            continue
        pod = cluster.store.get("Pod", rt.namespace, rt.name)
        if pod is None:
            continue
        for c in rt.containers:
            inst = c.current
            if c.phase != "running" or inst is None:
                continue
            pid = ns.mains.get(inst.container_id)
            if pid is None:
                pid = ns.mains[inst.container_id] = ns.next_pid
                ns.next_pid += 1
            rows.append((pid, "root", pid1_command(spec_of(pod, c.name), image_for(inst.image))))
    return rows


def processes(cluster: Cluster, box: Container) -> list[Row]:
    """What ``ps`` lists in ``box`` (the exec'd processes included), by PID."""
    ns = box.pids
    rows: list[Row] = [(1, "root", ns.init), *ns.extra]
    if ns.scope != "own":
        rows += _mains(cluster, ns)
    rows += [(pid, "root", cmd) for pid, cmd in ns.sessions.items()]
    seen: set[int] = set()
    out = []
    for row in sorted(rows):
        if row[0] not in seen:
            seen.add(row[0])
            out.append(row)
    return out
