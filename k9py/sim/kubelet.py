"""The kubelets of every node: run the pods bound to them and report their status.

Per pod the kubelet keeps a runtime record (``cluster.state["kubelet"]``, by pod uid) with one
state machine per container: pending → pulling → running → exited → (back-off) → running ...
Every transition has a virtual time; ``reconcile`` applies the ones that are due, writes the
pod status the way the real kubelet computes it, and asks for a wake-up at the next one.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mypy_extensions import mypyc_attr

from k9py.kube import meta
from k9py.kube.meta import dig
from k9py.kube.timefmt import parse_time, rfc3339
from k9py.sim import (
    pod_admission,  # registers the Pod admission rules; qos_class
    prober,
    registry,
)
from k9py.sim.behaviour import Program, node_down, pod_behaviour, program_for, pull_error
from k9py.sim.controllers.base import Controller
from k9py.sim.nodes import node_ip
from k9py.sim.pod_conditions import condition
from k9py.sim.podrefs import CONFIG_RETRY, MOUNT_BACKOFF_INITIAL, MOUNT_BACKOFF_MAX, config_error, mount_error
from k9py.sim.store_index import unindex

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.store import Change
    from k9py.sim.userland.script import ScriptRun

Obj = dict[str, Any]

BACKOFF_INITIAL = 10.0
BACKOFF_MAX = 300.0
BACKOFF_RESET = 2 * BACKOFF_MAX       # flowcontrol.Backoff: an entry expires after 2 × max
CREATE_START_GAP = 0.1
# kubelet 1.35+ leaves the container's name out of these (kubernetes#134043): the event's
# involvedObject.fieldPath names it, and kubectl describe prints that before the message
CREATED, STARTED = "Container created", "Container started"
INVALID_IMAGE_RETRY = 10.0            # the pod worker's back-off after a failed sync
SANDBOX_RETRY = 10.0                  # the same, after a sandbox its network plugin failed
# The kubelet syncs a pod for its due transitions on a one-second grid: the generic PLEG
# relists the runtime's containers every second (kubelet.go: genericPlegRelistPeriod), so a
# container's start or exit reaches the pod's status at the next relist (readiness too, which
# the prober finds at probe periods of whole seconds)
WAKE_GRID = 1.0                       # seconds
SIGNAL_NOTICE = 0.1                   # how soon a signalled container's exit is synced
# After the sync that reports a container's exit (terminated, reason Error), the pod worker syncs
# again: that sync's status shows the back-off the first one met (waiting: CrashLoopBackOff, the
# kubelet's reason cache), a separate status write (kubectl get -w: Error, then CrashLoopBackOff)
CRASH_RESYNC = 1.0                    # seconds

KNOWN_IMAGE_SIZES = {"nginx:1.14.2": 109129446, "busybox": 4261550, "busybox:latest": 4261550,
                     "busybox:1.28": 1146369, "perl:5.34.0": 889865236, "nginx": 187694648,
                     "nginx:latest": 187694648, "hello-world": 13256}


@mypyc_attr(serializable=True)  # pickled in the demo snapshot
@dataclass
class Instance:
    """One run of a container (what ``docker ps -a`` would list)."""

    attempt: int
    container_id: str
    image: str
    started: float
    program: Program
    finished: float | None = None
    exit_code: int | None = None
    reason: str | None = None
    message: str | None = None  # why it ended, when the runtime says (a StartError's)
    extra: list[tuple[float, str]] = field(default_factory=list)  # lines added with append_log
    script: ScriptRun | None = None  # its command, run by the simulated shell on the virtual clock


@mypyc_attr(serializable=True)  # pickled in the demo snapshot
@dataclass
class CState:
    name: str
    init: bool
    image: str
    phase: str = "pending"         # pending | pulling | pullfail | running | exited | backoff | done
    next_at: float | None = None   # when the current phase ends
    pull_started: float = 0.0
    pull_failures: int = 0
    pull_backoff: float = 0.0
    pull_retry_at: float | None = None
    waiting_reason: str = "ContainerCreating"
    waiting_message: str | None = None
    instances: list[Instance] = field(default_factory=list)
    backoff: float = 0.0
    backoff_updated: float | None = None
    restart_at: float | None = None  # exited, its back-off met: restarted then (CrashLoopBackOff from next_at)
    ready_at: float | None = None
    unhealthy_at: float | None = None
    ready: bool = False
    kill_code: int = 0
    changing: bool = False      # killed because its spec (image) changed; restarts at once
    sidecar: bool = False       # an init container with restartPolicy Always (native sidecar)
    ephemeral: bool = False     # added by `kubectl debug` (spec.ephemeralContainers): never restarted
    signalled: int | None = None  # PID 1 got a signal (``kill 1`` in a shell): exits with this code
    probes: list[prober.Probe] = field(default_factory=list)  # the prober's workers for the running instance
    stop_at: float | None = None  # killed for failing its liveness probe: the end of its grace period
    started: bool = True        # its startup probe (if any) succeeded: liveness and readiness probe from then on
    ready_when_started: bool = False  # ready as soon as its startup probe succeeds (no readiness probe of its own)
    field_path: str = field(default="", repr=False, compare=False)  # its events' (made at the first)

    @property
    def current(self) -> Instance | None:
        return self.instances[-1] if self.instances else None


@mypyc_attr(serializable=True)  # pickled in the demo snapshot
@dataclass
class PodRuntime:
    uid: str
    namespace: str
    name: str
    node: str
    start_time: float
    sandbox_at: float
    sandbox_ready: bool = False
    ip: str = ""
    containers: list[CState] = field(default_factory=list)
    init_done: bool = False
    terminal: str | None = None     # Succeeded | Failed once finished
    terminal_reason: str | None = None
    terminal_message: str | None = None
    killing: bool = False
    kill_deadline: float | None = None
    seen_rv: str = ""
    default_reason: str = "ContainerCreating"
    deadline: float | None = None   # spec.activeDeadlineSeconds after start
    cond_times: dict[str, tuple[str, str]] = field(default_factory=dict)
    mount_backoff: float = 0.0      # FailedMount retry back-off (0: no failure yet)
    last_status: Obj | None = field(default=None, repr=False, compare=False)  # the status it wrote last
    # the runtime changed since it wrote the status (or it never wrote one): else a sync that
    # changed nothing leaves the stored status as it is when it is the one written last
    status_due: bool = field(default=True, repr=False, compare=False)
    conds_key: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)  # its conditions' inputs
    # the pod spec whose containers it last compared with its own and found nothing left to act
    # on (stored objects never change in place: the same spec again needs no new look)
    spec_seen: Obj | None = field(default=None, repr=False, compare=False)

    def by_name(self, name: str, init: bool | None = None) -> CState | None:
        for c in self.containers:
            if c.name == name and (init is None or c.init == init):
                return c
        return None


def runtimes(cluster: Cluster) -> dict[str, PodRuntime]:
    return cluster.state.setdefault("kubelet", {})


def _forget(cluster: Cluster, uid: str) -> None:
    """Drop a pod's runtime: its IP is free again."""
    rt = runtimes(cluster).pop(uid, None)
    if rt is not None:
        _release_ip(cluster, rt)


def _release_ip(cluster: Cluster, rt: PodRuntime) -> None:
    """The pod's address is free again in its node's range, unless another pod holds it now."""
    if rt.ip and cluster.state.get("kubelet.ip_holders", {}).get(rt.ip) == rt.uid:
        live = _live_hosts(cluster).get(rt.node)
        if live is not None:
            live.discard(_host(rt.ip))


def _host(ip: str) -> int:
    """The last number of a pod IP (its place in the node's /24)."""
    try:
        return int(ip.rsplit(".", 1)[1])
    except (IndexError, ValueError):
        return -1


def _live_hosts(cluster: Cluster) -> dict[str, set[int]]:
    """Node -> the hosts of its pod range held by a pod the kubelet still runs (IPAM's view)."""
    live: dict[str, set[int]] | None = cluster.state.get("kubelet.ipam-live")
    if live is None:  # worked out once from who holds what
        live = cluster.state["kubelet.ipam-live"] = {}
        rts = runtimes(cluster)
        for ip, uid in cluster.state.get("kubelet.ip_holders", {}).items():
            rt = rts.get(uid)
            if rt is not None and rt.ip == ip and not rt.terminal:
                live.setdefault(rt.node, set()).add(_host(ip))
    return live


def runtime_for(cluster: Cluster, namespace: str, name: str) -> PodRuntime | None:
    pod = cluster.store.get("Pod", namespace, name)
    if pod is None:
        return None
    return runtimes(cluster).get(meta.uid(pod))


def signal_container(cluster: Cluster, namespace: str, name: str, container: str, signal: int, *,
                     exit_code: int | None = None) -> int | None:
    """Signal a container's PID 1 (``kill 1`` from a shell in it): it exits now, with 0 when a
    server stops cleanly on SIGTERM (nginx), else 137 as if killed; ``exit_code``: PID 1 ended
    by itself with that code (an attached shell's ``exit``). The next reconcile records it (and
    restarts it per the pod's restartPolicy). None when the container is not running."""
    rt = runtime_for(cluster, namespace, name)
    c = next((x for x in rt.containers if x.name == container), None) if rt else None
    if rt is None or c is None or c.phase != "running" or c.current is None or rt.killing or rt.terminal:
        return None
    code = exit_code
    if code is None:
        code = 0 if signal == 15 and c.current.program.sigterm else 137
    c.signalled = code
    c.next_at = cluster.now()
    idx = cluster.state.get("kubelet.index")
    if idx is not None:
        idx.dirty.add((namespace, name))
    cluster.wake_at(cluster.now() + SIGNAL_NOTICE, everyone=True)  # the kubelet's PLEG notices the exit
    return code


def go_duration(seconds: float) -> str:
    """A Go ``time.Duration`` string, rounded to milliseconds (``2.1s``, ``850ms``, ``1m2.5s``)."""
    ms = round(seconds * 1000)
    if ms < 1000:
        return f"{ms}ms"
    s = ms / 1000
    if s < 60:
        return f"{s:.3f}".rstrip("0").rstrip(".") + "s"
    m, rest = divmod(ms, 60000)
    tail = f"{rest / 1000:.3f}".rstrip("0").rstrip(".")
    return f"{m}m{tail}s"


def image_ref(image: str) -> str:
    return image if ":" in image.rsplit("/", 1)[-1] or "@" in image else image + ":latest"


@functools.lru_cache(maxsize=4096)
def image_id(image: str) -> str:
    repo = image.split("@", 1)[0]
    last = repo.rsplit("/", 1)
    if ":" in last[-1]:
        repo = repo.rsplit(":", 1)[0]
    digest = hashlib.sha256(image_ref(image).encode()).hexdigest()
    return f"docker-pullable://{repo}@sha256:{digest}"


NAME_SIZES = {"busybox": 4_269_000, "alpine": 7_800_000, "nginx": 187_000_000, "perl": 889_000_000,
              "python": 1_010_000_000, "redis": 117_000_000, "postgres": 435_000_000, "ubuntu": 78_000_000}


@functools.lru_cache(maxsize=4096)
def image_size(image: str) -> int:
    """Bytes the Pulled event reports: known images, else a plausible size from the name."""
    if image in KNOWN_IMAGE_SIZES:
        return KNOWN_IMAGE_SIZES[image]
    h = int(hashlib.sha256(image.encode()).hexdigest()[:8], 16)
    from k9py.sim.behaviour import image_name
    base = NAME_SIZES.get(image_name(image))
    if base:
        return base + h % (base // 20)
    return 20_000_000 + h % 200_000_000


def pod_format(pod: Obj) -> str:
    """klog's format.Pod: ``name_namespace(uid)``."""
    return f"{meta.name(pod)}_{meta.namespace(pod)}({meta.uid(pod)})"


# (namespace, name). Not tuple[str, str]: compiled, a fixed-length tuple is kept unboxed and boxed
# again for every set or dict it goes into, and 10,000 pods' keys were held three times over.
PodKey = tuple[str, ...]


@mypyc_attr(serializable=True)  # pickled in the demo snapshot
class _Index:
    """Which pods need a sync: those that changed (heard from the store) and those
    with a transition due (a heap), so a pass costs O(changes), not O(pods). Pods are indexed by
    node, so a node going down (or coming back) wakes its pods only."""

    def __init__(self, cluster: Cluster) -> None:
        self.store = cluster.store
        self.dirty: set[PodKey] = set()
        self.node_changed: set[PodKey] = set()  # of dirty: woken by their node (its address)
        self.due: list[tuple[float, str, str]] = []
        self.uid_by_key: dict[PodKey, str] = {}
        self.node_of: dict[PodKey, str] = {}
        self.on_node: dict[str, set[PodKey]] = {}
        self.node_seen: dict[str, tuple[bool, str]] = {}  # what the kubelet reads of a node: down, IP
        for n in self.store.list("Node"):
            self.node_seen[meta.name(n)] = (node_down(n), node_ip(n))
        for p in self.store.list("Pod"):
            self._on_pod("ADDED", p)
        # pods heard as their changes are made (a listener: no watch's delivery per pod write)
        self.pods = self.store.listen(self._heard, kinds=("Pod",))
        self.watches = [self.store.watch("Node", self._on_node)]

    def _heard(self, change: Change) -> None:
        self._on_pod(change.type, change.obj)

    def _on_pod(self, type_: str, obj: Obj) -> None:
        md = obj.get("metadata") or {}
        key = (md.get("namespace", "") or "", md.get("name", ""))
        self.dirty.add(key)
        node = None if type_ == "DELETED" else (obj.get("spec") or {}).get("nodeName")
        was = self.node_of.get(key)
        if was == node:
            return
        if was is not None:
            unindex(self.on_node, was, key)
            del self.node_of[key]
        if node:
            self.node_of[key] = node
            self.on_node.setdefault(node, set()).add(key)

    def _on_node(self, type_: str, obj: Obj) -> None:
        name = meta.name(obj)
        seen = None if type_ == "DELETED" else (node_down(obj), node_ip(obj))
        if self.node_seen.get(name) == seen:
            return  # a heartbeat or a condition: nothing its pods' sync reads
        if seen is None:
            self.node_seen.pop(name, None)
        else:
            self.node_seen[name] = seen
        keys = self.on_node.get(name, ())
        self.dirty.update(keys)
        self.node_changed.update(keys)

    def take(self, now: float) -> list[PodKey]:
        while self.due and self.due[0][0] <= now:
            _, ns, name = heapq.heappop(self.due)
            self.dirty.add((ns, name))
        keys = sorted(self.dirty)
        self.dirty.clear()
        return keys

    def take_node_changed(self) -> set[PodKey]:
        """The pods of ``take`` that their node's change woke (a pod version already seen, nothing
        due, still to sync: the status shows the node's address)."""
        out, self.node_changed = self.node_changed, set()
        return out


def _creating(rt: PodRuntime) -> bool:
    """Whether the kubelet is still in the sync that creates the pod: its sandbox is up and its
    first container is being pulled or created (no container has run yet, none is stuck). That
    sync (SyncPod: sandbox, image pulls, containers) returns only once a container started or
    failed to, and the pod's status is generated when a sync begins: the status the API shows
    meanwhile is the one written before it (ContainerCreating, not ready to start containers, no
    IP yet); what comes next is written when that sync ends."""
    if not rt.sandbox_ready or rt.killing or rt.terminal:
        return False
    default = rt.default_reason
    for c in rt.containers:  # (a loop, not all() over a generator: asked at every sync)
        if c.instances or c.phase not in ("pending", "pulling") or (c.waiting_reason or default) != default:
            return False
    return True


class _UpNodes(dict):
    """Node name -> the node if it exists and its kubelet runs (not ``k9py.sim/down``), else None:
    looked up once a pass, as its pods ask (most passes touch a few)."""

    def __init__(self, store: Any) -> None:
        super().__init__()
        self.store = store

    def __missing__(self, name: str) -> Obj | None:
        node = self.store.get("Node", None, name)
        up = self[name] = node if node is not None and not node_down(node) else None
        return up


class Kubelet(Controller):
    name = "kubelet"

    def reconcile(self, cluster: Cluster) -> None:
        idx = cluster.state.get("kubelet.index")
        if idx is None:
            idx = cluster.state["kubelet.index"] = _Index(cluster)
        now = cluster.now()
        keys = idx.take(now)
        if not keys:
            return
        node_changed = idx.take_node_changed()
        rts = runtimes(cluster)
        nodes = _UpNodes(cluster.store)
        get = cluster.store.get
        uid_by_key = idx.uid_by_key
        for key in keys:
            pod = get("Pod", key[0], key[1])
            md = pod["metadata"] if pod is not None else None
            old_uid = uid_by_key.get(key)
            if old_uid and (md is None or md.get("uid") != old_uid):
                _forget(cluster, old_uid)
                del uid_by_key[key]
            if pod is None or md is None:
                continue
            node_name = (pod.get("spec") or {}).get("nodeName")
            node = nodes[node_name] if node_name else None
            if node is None:
                continue
            uid = md.get("uid", "")
            rt = rts.get(uid)
            if rt is None:
                if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                    continue
                rt = self._admit(cluster, pod, node)
                rts[uid] = rt
                uid_by_key[key] = uid
            elif rt.seen_rv == md["resourceVersion"] and key not in node_changed:
                due = self._next_due(rt)
                if not due or due > now:  # (a transition at 0.0 counts as none, as it always did)
                    continue
            due = self._sync(cluster, pod, rt, node)
            if uid in rts:
                if due is not None:
                    heapq.heappush(idx.due, (due, key[0], key[1]))
                written = get("Pod", key[0], key[1])
                if written is not None and written["metadata"]["resourceVersion"] == rt.seen_rv:
                    # the pod's own status write marked it changed: a visit would find nothing new
                    # (what is due comes from the heap, a later change marks it again)
                    idx.dirty.discard(key)

    # -- admission of a new pod onto its node -------------------------------------------------
    def _admit(self, cluster: Cluster, pod: Obj, node: Obj) -> PodRuntime:
        now = cluster.now()
        spec = pod.get("spec", {})
        rt = PodRuntime(uid=meta.uid(pod), namespace=meta.namespace(pod), name=meta.name(pod),
                        node=meta.name(node), start_time=now,
                        sandbox_at=now + round(0.4 + cluster.rng.random() * 0.6, 3))
        for c in spec.get("initContainers") or []:
            rt.containers.append(CState(name=c.get("name", ""), init=True, image=str(c.get("image", "")),
                                        sidecar=c.get("restartPolicy") == "Always"))
        for c in spec.get("containers") or []:
            rt.containers.append(CState(name=c.get("name", ""), init=False, image=str(c.get("image", ""))))
        ads = spec.get("activeDeadlineSeconds")
        if isinstance(ads, (int, float)) and ads > 0:
            rt.deadline = now + float(ads)
        rt.init_done = not spec.get("initContainers")
        # kubelet: containers not created yet wait as PodInitializing in pods with init containers
        rt.default_reason = "ContainerCreating" if rt.init_done else "PodInitializing"
        for c in rt.containers:
            c.waiting_reason = rt.default_reason
        return rt

    @staticmethod
    def _next_due(rt: PodRuntime) -> float | None:
        """The earliest transition time of the pod, or None."""
        due, first, _ = _earliest_container_time(rt.containers, math.inf)
        found = first is not None
        if not rt.sandbox_ready and (not found or rt.sandbox_at < due):
            due, found = rt.sandbox_at, True
        if rt.killing:
            if rt.kill_deadline is not None and (not found or rt.kill_deadline < due):
                due, found = rt.kill_deadline, True
        elif rt.deadline is not None and not rt.terminal and (not found or rt.deadline < due):
            due, found = rt.deadline, True
        return due if found else None

    # -- the sync loop for one pod --------------------------------------------------------------
    def _sync(self, cluster: Cluster, pod: Obj, rt: PodRuntime, node: Obj) -> float | None:
        """One sync of the pod; returns its next transition's time (``_next_due``), if any."""
        now = cluster.now()
        changed = False  # the runtime (what its status is made of)
        if meta.is_deleting(pod) and not rt.killing:
            changed = self._start_killing(cluster, pod, rt)
        elif not rt.killing and not rt.terminal and pod.get("spec") is not rt.spec_seen:
            self._look_at_spec(cluster, pod, rt)
            self._ephemeral_added(cluster, pod, rt)
            changed = True
        if self._steps(cluster, pod, rt, node, now):
            changed = True
            if pod.get("spec") is not rt.spec_seen and not rt.killing and not rt.terminal:
                # a change left for later (its container was being pulled) may be one to act on now
                # that the steps started that container: nothing else would look at the spec again
                self._look_at_spec(cluster, pod, rt)
                self._steps(cluster, pod, rt, node, now)
        rt.status_due = rt.status_due or changed
        if rt.killing and all(c.phase in ("pending", "pulling", "pullfail", "exited", "backoff", "done")
                              for c in rt.containers):
            if rt.terminal is None and "kubernetes.io/config.mirror" not in (dig(pod, "metadata", "annotations") or {}):
                rt.terminal = _deleted_phase(rt)  # its last status before it goes (static pods excepted)
            self._write_status(cluster, pod, rt, node)
            if cluster.store.get("Pod", rt.namespace, rt.name) is not None:
                cluster.store.delete("Pod", rt.namespace, rt.name)
            _forget(cluster, rt.uid)
            return None
        if not _creating(rt):  # (the creating sync's changes are written when it ends)
            current = None if rt.status_due else self._status_current(cluster, rt, node)
            if current is not None:  # nothing to write: what would be computed is what is stored
                rt.seen_rv = current["metadata"]["resourceVersion"]
            else:
                written = self._write_status(cluster, pod, rt, node)
                rt.seen_rv = written["metadata"]["resourceVersion"] if written else rt.seen_rv
        due = self._next_due(rt)
        if due is not None:
            # transitions keep their exact times; waking on the relist grid bounds the number of
            # wake-ups (and settle passes) however many pods there are
            cluster.wake_at(math.ceil(due / WAKE_GRID) * WAKE_GRID)
        return due

    def _steps(self, cluster: Cluster, pod: Obj, rt: PodRuntime, node: Obj, now: float) -> bool:
        """Apply every transition due by ``now``; whether there was one."""
        stepped = False
        for _ in range(1000):
            if not self._step(cluster, pod, rt, node, now):
                break
            stepped = True
        return stepped

    def _look_at_spec(self, cluster: Cluster, pod: Obj, rt: PodRuntime) -> None:
        """Act on the pod's spec changes; its spec is seen once nothing is left for later."""
        settled = self._spec_changes(cluster, pod, rt)
        rt.spec_seen = pod.get("spec") if settled else None

    def _step(self, cluster: Cluster, pod: Obj, rt: PodRuntime, node: Obj, now: float) -> bool:
        """Apply the earliest due transition; False when nothing was due (True: the runtime
        changed, the next step finds what is due after it)."""
        if rt.terminal:
            return False
        if rt.deadline is not None and rt.deadline <= now and not rt.killing:
            self._deadline_exceeded(cluster, pod, rt, rt.deadline)
            return True  # (terminal now: the next step finds nothing)
        if not rt.sandbox_ready:
            if rt.killing or rt.sandbox_at > now:
                return False
            failed = mount_error(cluster, pod)
            if failed is not None:
                # volumes are set up before the sandbox: the pod stays ContainerCreating
                self._event(cluster, pod, rt, None, "Warning", "FailedMount", failed)
                rt.mount_backoff = (MOUNT_BACKOFF_INITIAL if not rt.mount_backoff
                                    else min(rt.mount_backoff * 2, MOUNT_BACKOFF_MAX))
                # the volume manager tries again that long after the failure (a retry time counted
                # from the last one could be past already, and then nothing woke the pod)
                rt.sandbox_at = now + rt.mount_backoff
                return False  # (a retry time and an Event: nothing its status shows)
            ip = self._allocate_ip(cluster, pod, node)
            if ip is None:
                # the node's pod range is used up (more pods than its /24 holds): the network
                # plugin fails the sandbox, the pod stays ContainerCreating and its worker tries
                # again after its back-off, when a pod that went may have freed an address
                self._event(cluster, pod, rt, None, "Warning", "FailedCreatePodSandBox", _no_address(pod, node))
                rt.sandbox_at = now + SANDBOX_RETRY
                return False
            rt.sandbox_ready = True
            rt.ip = ip
            self._begin_next(cluster, pod, rt, rt.sandbox_at)
            return True
        # the earliest container transition that is due
        t, c, what = _earliest_container_time(rt.containers, now)
        if c is None:
            return False
        if what == "ready":
            c.ready_at = None
            c.ready = c.started
            c.ready_when_started = not c.started  # (its startup probe still holds it back)
            return True
        if what == "probe":
            self._probe(cluster, pod, rt, c, t)
            return True
        if what == "unhealthy":
            probe = self._spec_container(pod, c).get("readinessProbe") or {}
            c.unhealthy_at = t + float(probe.get("periodSeconds", 10) or 10)
            self._event(cluster, pod, rt, c, "Warning", "Unhealthy", self._unhealthy_message(pod, c))
            return True
        c.next_at = None
        if c.phase == "pulling":
            self._pull_done(cluster, pod, rt, c, t)
        elif c.phase == "pullfail" and c.waiting_reason == "ErrImagePull":
            # the next sync finds the image in back-off
            c.waiting_reason = "ImagePullBackOff"
            c.waiting_message = f'Back-off pulling image "{c.image}"'
            self._event(cluster, pod, rt, c, "Normal", "BackOff", c.waiting_message)
            self._event(cluster, pod, rt, c, "Warning", "Failed", "Error: ImagePullBackOff")
            c.next_at = c.pull_retry_at
        elif c.phase == "pullfail":
            self._pull(cluster, pod, rt, c, t)
        elif c.phase == "running" and rt.killing:
            script = c.current.script if c.current is not None else None
            if script is not None and rt.kill_deadline is not None and t < rt.kill_deadline:
                self._script_step(cluster, pod, rt, c, script, t)  # a shell ignores SIGTERM: it goes on
            else:
                self._exit(cluster, pod, rt, c, t, code=c.kill_code)
        elif c.phase == "running" and c.signalled is not None:
            code, c.signalled = c.signalled, None
            self._exit(cluster, pod, rt, c, t, code=code, reason="Completed" if code == 0 else "Error")
        elif c.phase == "running" and c.stop_at is not None:
            script = c.current.script if c.current is not None else None
            if script is not None and t < c.stop_at:
                self._script_step(cluster, pod, rt, c, script, t)  # a shell ignores SIGTERM: it goes on
            else:
                self._exit(cluster, pod, rt, c, t, code=c.kill_code)
        elif c.phase == "running" and c.changing:
            c.changing = False
            self._exit(cluster, pod, rt, c, t, code=c.kill_code, replaced=True)
        elif c.phase == "running" and c.current is not None and c.current.script is not None:
            self._script_step(cluster, pod, rt, c, c.current.script, t)
        elif c.phase == "running":
            self._exit(cluster, pod, rt, c, t)
        elif c.phase == "exited" and c.restart_at is not None:
            if t >= c.restart_at:  # restarted at once (``_restart_later``)
                c.restart_at = None
                self._pull(cluster, pod, rt, c, t)
            else:
                self._back_off(pod, c)
        elif c.phase == "backoff":
            c.backoff = min(c.backoff * 2, BACKOFF_MAX)
            c.backoff_updated = t
            self._pull(cluster, pod, rt, c, t)
        return True

    # -- container transitions --------------------------------------------------------------------
    def _begin_next(self, cluster: Cluster, pod: Obj, rt: PodRuntime, t: float) -> None:
        """Start whatever may start now: the next init container, or the app containers in order."""
        if rt.killing:
            return
        for c in rt.containers:  # ephemeral containers start as soon as the sandbox is up
            if c.ephemeral and c.phase == "pending":
                self._pull(cluster, pod, rt, c, t)
        if not rt.init_done:
            for c in rt.containers:
                if not c.init:
                    continue
                if c.phase == "done" or (c.sidecar and c.instances):
                    continue  # completed, or a sidecar that has started
                if c.phase == "pending":
                    self._pull(cluster, pod, rt, c, t)
                return
            rt.init_done = True
        for c in rt.containers:
            if c.init or c.ephemeral:
                continue
            if c.phase == "pending":
                self._pull(cluster, pod, rt, c, t)
                return
            if c.phase == "pulling":
                return

    def _spec_container(self, pod: Obj, c: CState) -> Obj:
        key = "initContainers" if c.init else "ephemeralContainers" if c.ephemeral else "containers"
        for sc in (pod.get("spec") or {}).get(key) or []:
            if sc.get("name") == c.name:
                return sc
        return {"name": c.name, "image": c.image}

    def _pull(self, cluster: Cluster, pod: Obj, rt: PodRuntime, c: CState, t: float) -> None:
        sc = self._spec_container(pod, c)
        c.image = str(sc.get("image", c.image))
        beh = pod_behaviour(pod)
        images = cluster.state.setdefault("kubelet.images", {}).setdefault(rt.node, set())
        policy = sc.get("imagePullPolicy") or "IfNotPresent"
        invalid = registry.invalid_name_message(c.image)
        if invalid is not None:  # EnsureImageExists refuses it before any pull
            self._image_refused(cluster, pod, rt, c, t, "InvalidImageName", "InspectFailed", invalid)
            return
        if policy == "Never" and c.image not in images:  # nothing to start and no pull allowed
            msg = f'Container image "{c.image}" is not present with pull policy of Never'
            self._image_refused(cluster, pod, rt, c, t, "ErrImageNeverPull", "ErrImageNeverPull", msg)
            return
        err = self._pull_error(cluster, pod, c.image)
        c.phase = "pulling"
        if c.waiting_reason not in ("ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff", "CreateContainerConfigError",
                                    "InvalidImageName", "ErrImageNeverPull"):
            c.waiting_reason = rt.default_reason
        present = (policy == "Never" or err is None) and c.image in images and policy != "Always"
        if present:
            self._event(cluster, pod, rt, c, "Normal", "Pulled",
                        f'Container image "{c.image}" already present on machine and can be accessed by the pod')
            c.pull_started = -1.0
            if c.instances:  # a restart: the kubelet creates the new container in the same sync
                self._start(cluster, pod, rt, c, t)
                return
            delay = CREATE_START_GAP + beh.start_delay
        else:
            self._event(cluster, pod, rt, c, "Normal", "Pulling", f'Pulling image "{c.image}"')
            c.pull_started = t
            if err is not None:
                delay = round(0.5 + cluster.rng.random(), 3)
            else:
                size = image_size(c.image) if c.image not in images else 0
                delay = round(0.4 + size / 60_000_000 + cluster.rng.random() * (1.5 if size else 0.5), 3)
                if not c.instances:
                    delay += beh.start_delay
        c.next_at = t + delay

    @staticmethod
    def _pull_error(cluster: Cluster, pod: Obj, image: str) -> str | None:
        """Why a pull of ``image`` fails (annotations, the registry catalogue), or None;
        ``cluster.state["registry.any_tag"]`` (``k9py serve --any-image-tag``) lets any tag pull."""
        return pull_error(pod, image, any_tag_default=bool(cluster.state.get(registry.ANY_TAG_STATE))
                          or registry.ANY_TAG_DEFAULT.get())

    def _pull_done(self, cluster: Cluster, pod: Obj, rt: PodRuntime, c: CState, t: float) -> None:
        err = self._pull_error(cluster, pod, c.image)
        if err is not None and c.pull_started >= 0:
            c.pull_failures += 1
            msg = f'Failed to pull image "{c.image}": {err}'
            self._event(cluster, pod, rt, c, "Warning", "Failed", msg)
            self._event(cluster, pod, rt, c, "Warning", "Failed", "Error: ErrImagePull")
            c.pull_backoff = BACKOFF_INITIAL if c.pull_failures == 1 else min(c.pull_backoff * 2, BACKOFF_MAX)
            c.phase = "pullfail"
            c.waiting_reason, c.waiting_message = "ErrImagePull", msg
            c.pull_retry_at = t + c.pull_backoff
            c.next_at = t + 1.0
            self._begin_next(cluster, pod, rt, t)
            return
        if c.pull_started >= 0:
            took = go_duration(t - c.pull_started)
            self._event(cluster, pod, rt, c, "Normal", "Pulled",
                        f'Successfully pulled image "{c.image}" in {took} ({took} including waiting). '
                        f"Image size: {image_size(c.image)} bytes.")
            cluster.state.setdefault("kubelet.images", {}).setdefault(rt.node, set()).add(c.image)
        self._start(cluster, pod, rt, c, t)

    def _start(self, cluster: Cluster, pod: Obj, rt: PodRuntime, c: CState, t: float) -> None:
        sc = self._spec_container(pod, c)
        failed = config_error(cluster, pod, sc)
        if failed is not None:
            # generating the container's config failed: retried at the next pod sync
            c.phase = "pullfail"
            c.pull_started = -1.0
            c.waiting_reason, c.waiting_message = "CreateContainerConfigError", failed
            self._event(cluster, pod, rt, c, "Warning", "Failed", f"Error: {failed}")
            c.next_at = t + CONFIG_RETRY
            self._begin_next(cluster, pod, rt, t)
            return
        from k9py.sim.userland.env import with_command_expanded
        sc = with_command_expanded(cluster, pod, sc, t, rt.ip)  # $(VAR) in command/args, from its env
        prog = program_for(pod, sc, init=c.init and not c.sidecar)
        cid = f"{cluster.rng.getrandbits(128):032x}{cluster.rng.getrandbits(128):032x}"
        inst = Instance(attempt=len(c.instances), container_id=cid, image=c.image, started=t, program=prog)
        c.instances.append(inst)
        if not c.ephemeral and self._start_failed(cluster, pod, rt, c, sc, inst, t):
            return
        if prog.log in ("generic", "echo", "none", "counter"):
            from k9py.sim.userland.oneshot import one_shot
            shot = one_shot(cluster, pod, sc, inst, rt.ip, init=c.init)  # a command the simulated shell runs
            if isinstance(shot, Program):
                inst.program = prog = shot
            elif shot is not None:  # a script that takes time: PID 1 runs it as the clock moves
                inst.program = prog = Program(kind="loop", log="none", sigterm=False)
                inst.script = shot
        c.phase = "running"
        c.waiting_reason, c.waiting_message = "", None
        c.ready = False
        self._event(cluster, pod, rt, c, "Normal", "Created", CREATED)
        self._event(cluster, pod, rt, c, "Normal", "Started", STARTED)
        if prog.run_seconds is not None:
            c.next_at = t + prog.run_seconds
        elif inst.script is not None:
            c.next_at = inst.script.next_at()
        if (not c.init or c.sidecar) and not c.ephemeral:  # ephemeral containers have no probes, never ready
            beh = pod_behaviour(pod)
            probe = sc.get("readinessProbe")
            c.probes = prober.workers(pod, sc, rt.start_time, t,
                                      readiness=not beh.never_ready and beh.ready_after is None)
            c.started = not any(p.kind == "Startup" for p in c.probes)
            c.ready_when_started = False
            if beh.never_ready:
                c.ready_at = None
                delay = float((probe or {}).get("initialDelaySeconds", 0) or 0)
                period = float((probe or {}).get("periodSeconds", 10) or 10)
                c.unhealthy_at = t + delay + period
            elif beh.ready_after is not None:
                c.ready_at = t + beh.ready_after
            elif any(p.kind == "Readiness" for p in c.probes):
                c.ready_at = None  # not ready until its probe succeeds
            elif probe:
                c.ready_at = t + float(probe.get("initialDelaySeconds", 0) or 0)
            else:
                c.ready = c.started
                c.ready_at = None
                c.ready_when_started = not c.started
        self._begin_next(cluster, pod, rt, t)

    def _script_step(self, cluster: Cluster, pod: Obj, rt: PodRuntime, c: CState, script: ScriptRun,
                     t: float) -> None:
        """The container's script runs on to ``t``: it exits with the script's status once it
        ended, else it is woken at its next step (a sleep costs nothing until then)."""
        script.advance(t)
        if script.ended is not None and script.ended <= t:
            self._exit(cluster, pod, rt, c, t, code=script.code)
            return
        nxt = script.next_at()
        deadline = rt.kill_deadline if rt.killing else c.stop_at
        if deadline is not None:
            nxt = deadline if nxt is None else min(nxt, deadline)
        c.next_at = nxt

    def _probe(self, cluster: Cluster, pod: Obj, rt: PodRuntime, c: CState, t: float) -> None:
        """The prober's tick that is due: probe, count the outcome, act on a result that changed."""
        p = prober.due(c.probes)
        inst = c.current
        assert p is not None and inst is not None
        p.next_at = t + p.period
        if p.kind != "Startup" and not c.started:
            return  # liveness and readiness wait for the startup probe
        if p.assumed:
            ok, out = True, ""
        else:
            with cluster.clock.as_of(t):
                ok, out = prober.run(cluster, pod, self._spec_container(pod, c), c.init, inst, rt.ip, p)
        if not ok:
            self._event(cluster, pod, rt, c, "Warning", "Unhealthy", f"{p.kind} probe failed: {out}")
        if not p.record(ok):
            return
        if p.kind == "Readiness":
            c.ready = ok
        elif p.kind == "Startup" and ok:  # started: it probes no more, the others begin
            c.started = True
            c.probes = [q for q in c.probes if q is not p]
            if c.ready_when_started:
                c.ready, c.ready_when_started = True, False
        elif not ok:  # the worker holds until the next container; the kubelet kills this one
            self._event(cluster, pod, rt, c, "Normal", "Killing",
                        f"Container {c.name} failed {p.kind.lower()} probe, will be restarted")
            c.probes = []
            grace = p.spec.get("terminationGracePeriodSeconds")
            if grace is None:
                grace = dig(pod, "spec", "terminationGracePeriodSeconds")
            grace = 30.0 if grace is None else float(grace)
            stops = inst.program.sigterm
            c.stop_at = t + grace
            c.kill_code = 0 if stops else 137
            c.next_at = min(t + inst.program.stop_seconds, c.stop_at) if stops else c.stop_at
            if inst.script is not None:
                wake = inst.script.next_at()
                if wake is not None and wake < c.stop_at:
                    c.next_at = max(wake, t)  # its script goes on until it is killed

    def _image_refused(self, cluster: Cluster, pod: Obj, rt: PodRuntime, c: CState, t: float, reason: str,
                       event: str, message: str) -> None:
        """EnsureImageExists said no before any pull: the container waits with ``reason``, and the
        pod worker looks again at its next sync."""
        c.phase = "pullfail"
        c.pull_started = -1.0
        c.waiting_reason, c.waiting_message = reason, message
        self._event(cluster, pod, rt, c, "Warning", event, message)
        self._event(cluster, pod, rt, c, "Warning", "Failed", f"Error: {reason}")
        c.next_at = t + INVALID_IMAGE_RETRY
        self._begin_next(cluster, pod, rt, t)

    def _start_failed(self, cluster: Cluster, pod: Obj, rt: PodRuntime, c: CState, sc: Obj, inst: Instance,
                      t: float) -> bool:
        """The container was created but its program is not in its image: runc's StartError
        (exit code 128), then the restart policy's course, as any exit."""
        from k9py.sim.userland.entrypoint import start_error

        message = start_error(sc, c.image)
        if message is None:
            return False
        inst.program = Program(kind="run", log="none", run_seconds=0.0, exit_code=128, reason="StartError")
        inst.message = message
        c.phase = "running"
        c.waiting_reason, c.waiting_message = "", None
        self._event(cluster, pod, rt, c, "Normal", "Created", CREATED)
        self._event(cluster, pod, rt, c, "Warning", "Failed", f"Error: {message}")
        self._exit(cluster, pod, rt, c, t)
        self._begin_next(cluster, pod, rt, t)  # the next containers start all the same
        return True

    def _exit(self, cluster: Cluster, pod: Obj, rt: PodRuntime, c: CState, t: float, *,
              code: int | None = None, reason: str | None = None, replaced: bool = False) -> None:
        inst = c.current
        assert inst is not None
        inst.finished = t
        inst.exit_code = inst.program.exit_code if code is None else code
        inst.reason = reason or inst.program.reason or ("Completed" if inst.exit_code == 0 else "Error")
        c.ready = False
        c.ready_at = None
        c.unhealthy_at = None
        c.phase = "exited"
        c.next_at = None
        c.probes, c.stop_at = [], None
        if rt.killing or c.ephemeral:
            return
        if replaced:  # killed for a new definition: started again at once, no back-off
            self._pull(cluster, pod, rt, c, t)
            return
        policy = dig(pod, "spec", "restartPolicy") or "Always"
        if c.sidecar:
            self._restart_later(cluster, pod, rt, c, t)
            return
        if c.init:
            if inst.exit_code == 0:
                c.phase = "done"
                self._begin_next(cluster, pod, rt, t)
                return
            if policy == "Never":
                self._finish(cluster, rt, "Failed")
                return
            self._restart_later(cluster, pod, rt, c, t)
            return
        restart = policy == "Always" or (policy == "OnFailure" and inst.exit_code != 0)
        if restart:
            self._restart_later(cluster, pod, rt, c, t)
            return
        apps = [x for x in rt.containers if not x.init and not x.ephemeral]
        if all(x.phase == "exited" for x in apps):
            failed = any((x.current.exit_code or 0) != 0 for x in apps if x.current)
            self._finish(cluster, rt, "Failed" if failed else "Succeeded", t=t)

    def _restart_later(self, cluster: Cluster, pod: Obj, rt: PodRuntime, c: CState, t: float) -> None:
        """The kubelet's crash back-off (flowcontrol.Backoff keyed by container)."""
        expired = c.backoff_updated is None or t - c.backoff_updated > BACKOFF_RESET
        if expired:
            c.backoff = BACKOFF_INITIAL
            c.backoff_updated = t
            # restarted at once by the sync that notices the exit, which writes the exit first
            # (terminated); the new container shows at the next one
            c.restart_at = c.next_at = max(t, cluster.now()) + CREATE_START_GAP
            return
        # this sync writes the exit (terminated) and meets the back-off (its event); the next
        # one shows it (``_back_off``)
        c.restart_at = t + c.backoff
        c.next_at = min(t + CRASH_RESYNC, c.restart_at)
        self._event(cluster, pod, rt, c, "Warning", "BackOff",
                    f"Back-off restarting failed container {c.name} in pod {pod_format(pod)}")

    @staticmethod
    def _back_off(pod: Obj, c: CState) -> None:
        """The pod worker's next sync after a crash: the container waits in CrashLoopBackOff."""
        c.phase = "backoff"
        c.next_at, c.restart_at = c.restart_at, None
        c.waiting_reason = "CrashLoopBackOff"
        c.waiting_message = f"back-off {go_duration(c.backoff).replace('.0s', 's')} restarting failed container={c.name} pod={pod_format(pod)}"

    def _finish(self, cluster: Cluster, rt: PodRuntime, phase: str, reason: str | None = None,
                message: str | None = None, t: float | None = None) -> None:
        rt.terminal = phase
        _release_ip(cluster, rt)  # its sandbox is stopped (its status keeps showing the address)
        rt.terminal_reason = reason
        rt.terminal_message = message
        for c in rt.containers:
            if (c.sidecar or c.ephemeral) and c.phase == "running" and c.current is not None:
                # the main containers are done: the kubelet stops the sidecars (and debug containers)
                inst = c.current
                inst.finished = inst.started if t is None else max(t, inst.started)
                inst.exit_code = 0 if inst.program.sigterm else 137
                inst.reason = "Completed" if inst.exit_code == 0 else "Error"
                c.phase, c.ready = "exited", False
                c.ready_at = c.unhealthy_at = None
                c.probes = []
            if c.phase in ("pulling", "pullfail", "backoff"):
                c.phase = "exited" if c.instances else c.phase
            c.next_at = c.restart_at = None

    def _deadline_exceeded(self, cluster: Cluster, pod: Obj, rt: PodRuntime, t: float) -> None:
        """spec.activeDeadlineSeconds ran out: the kubelet kills the pod and fails it."""
        msg = "Pod was active on the node longer than the specified deadline"
        cluster.record_event(pod, "Warning", "DeadlineExceeded", msg, "kubelet", host=rt.node)
        for c in rt.containers:
            if c.phase == "running" and c.current is not None:
                self._event(cluster, pod, rt, c, "Normal", "Killing", f"Stopping container {c.name}")
                inst = c.current
                inst.finished = t
                inst.exit_code = 0 if inst.program.sigterm else 137
                inst.reason = "Completed" if inst.exit_code == 0 else "Error"
                c.phase, c.ready = "exited", False
            c.ready_at = c.unhealthy_at = None
            c.probes = []
        self._finish(cluster, rt, "Failed", "DeadlineExceeded", msg)

    # -- spec changes (kubectl set image on a pod) ----------------------------------------------
    def _spec_changes(self, cluster: Cluster, pod: Obj, rt: PodRuntime) -> bool:
        """Act on containers whose image the spec changed. False while one is left for a later
        sync to act on (being restarted already, or changed while not running nor failing)."""
        now = cluster.now()
        settled = True
        for c in rt.containers:
            if c.init or c.ephemeral:
                continue
            if c.changing:
                settled = False
                continue
            image = str(self._spec_container(pod, c).get("image", c.image))
            if image == c.image:
                continue
            if c.phase == "running":
                inst = c.current
                assert inst is not None
                self._event(cluster, pod, rt, c, "Normal", "Killing",
                            f"Container {c.name} definition changed, will be restarted")
                c.changing = True
                c.ready_at = c.unhealthy_at = None
                c.probes = []
                grace = float(dig(pod, "spec", "terminationGracePeriodSeconds") or 30)
                c.next_at = now + (inst.program.stop_seconds if inst.program.sigterm else grace)
                c.kill_code = 0 if inst.program.sigterm else 137
            elif c.phase in ("pullfail", "backoff") or c.restart_at is not None:
                # a new definition gets a new back-off key: try again now
                c.pull_failures, c.backoff_updated, c.restart_at = 0, None, None
                c.waiting_reason, c.waiting_message = rt.default_reason, None
                c.next_at = None
                self._pull(cluster, pod, rt, c, now)
            else:
                settled = False
        return settled

    def _ephemeral_added(self, cluster: Cluster, pod: Obj, rt: PodRuntime) -> None:
        """``kubectl debug`` added ephemeral containers: each is pulled now if the sandbox is up, else with it."""
        for sc in (pod.get("spec") or {}).get("ephemeralContainers") or []:
            name = str(sc.get("name", ""))
            if any(c.name == name for c in rt.containers):
                continue
            c = CState(name=name, init=False, image=str(sc.get("image", "")), ephemeral=True,
                       waiting_reason=rt.default_reason)
            rt.containers.append(c)
            if rt.sandbox_ready:
                self._pull(cluster, pod, rt, c, cluster.now())

    # -- deletion -----------------------------------------------------------------------------------
    def _start_killing(self, cluster: Cluster, pod: Obj, rt: PodRuntime) -> bool:
        """Begin stopping the pod's containers; whether a container's phase changed (else its
        status is as it was: running containers stay ready until they stop)."""
        now = cluster.now()
        changed = False
        rt.killing = True
        deadline = parse_time(dig(pod, "metadata", "deletionTimestamp")) or now
        rt.kill_deadline = deadline
        for c in rt.containers:
            c.ready_at = None
            c.unhealthy_at = None
            c.probes = []
            if c.phase == "running":
                self._event(cluster, pod, rt, c, "Normal", "Killing", f"Stopping container {c.name}")
                inst = c.current
                assert inst is not None
                if inst.program.sigterm:
                    c.next_at = min(deadline, now + inst.program.stop_seconds)
                    c.kill_code = 0
                else:
                    c.next_at = deadline
                    c.kill_code = 137
                    wake = inst.script.next_at() if inst.script is not None else None
                    if wake is not None and wake < deadline:
                        c.next_at = max(wake, now)  # its script goes on until it is killed
            else:
                c.next_at = c.restart_at = None
                if c.phase in ("pulling", "pullfail", "backoff", "pending"):
                    phase = "exited" if c.instances else "pending"
                    changed = changed or phase != c.phase
                    c.phase = phase
        return changed

    # -- helpers --------------------------------------------------------------------------------------
    def _event(self, cluster: Cluster, pod: Obj, rt: PodRuntime, c: CState | None, type_: str, reason: str,
               message: str) -> None:
        path = None
        if c is not None:
            path = c.field_path
            if not path:
                where = "initContainers" if c.init else "ephemeralContainers" if c.ephemeral else "containers"
                path = c.field_path = f"spec.{where}{{{c.name}}}"
        cluster.record_event(pod, type_, reason, message, "kubelet", host=rt.node, field_path=path)

    @staticmethod
    def _unhealthy_message(pod: Obj, c: CState) -> str:
        for sc in dig(pod, "spec", "containers") or []:
            if sc.get("name") == c.name and sc.get("readinessProbe", {}).get("exec"):
                return "Readiness probe failed: "
        return "Readiness probe failed: HTTP probe failed with statuscode: 503"

    @staticmethod
    def _allocate_ip(cluster: Cluster, pod: Obj, node: Obj) -> str | None:
        """The pod's address: the next free one of its node's range (None: all taken)."""
        if dig(pod, "spec", "hostNetwork"):
            return node_ip(node)
        prefix = _range_prefix(node)
        name = meta.name(node)
        holders: dict[str, str] = cluster.state.setdefault("kubelet.ip_holders", {})  # ip -> pod uid
        live = _live_hosts(cluster).setdefault(name, set())  # held by a pod the kubelet still runs here
        nxt = cluster.state.setdefault("kubelet.ipam", {})
        if len(live) < 253:  # the next free one after the last handed out, as host-local IPAM does
            start = nxt.get(name, 2)
            for i in range(253):
                host = 2 + (start - 2 + i) % 253
                if host not in live:
                    ip = f"{prefix}.{host}"
                    nxt[name] = host + 1
                    holders[ip] = meta.uid(pod)
                    live.add(host)
                    return ip
        return None

    # -- status ------------------------------------------------------------------------------------------
    @staticmethod
    def _status_current(cluster: Cluster, rt: PodRuntime, node: Obj) -> Obj | None:
        """The stored pod when its status is the one this runtime wrote last, on a node with the
        same address: after a sync that changed nothing in the runtime (a label or annotation
        written, a due time that was not yet due), computing the status again gives that status
        (the status manager would find it equal and write nothing). None: compute it."""
        last = rt.last_status
        if last is None or last.get("hostIP") != node_ip(node):
            return None
        observed = last.get("observedGeneration")
        pod = cluster.store.get("Pod", rt.namespace, rt.name)
        if pod is None or pod.get("status") is not last:
            return None
        # a new generation (a spec change, the deletion) is a status to write: its observedGeneration
        return pod if observed == (pod["metadata"].get("generation") or None) else None

    def _write_status(self, cluster: Cluster, pod: Obj, rt: PodRuntime, node: Obj) -> Obj | None:
        """Write the pod's status as the kubelet computes it. When the stored status is the one
        this runtime wrote last, the parts whose inputs did not change are that status's own
        objects (the store then skips them), so a write costs what changed."""
        old = cluster.store.get("Pod", rt.namespace, rt.name)
        if old is None:
            return None
        old_st = old.get("status")
        mine = old_st if old_st is not None and old_st is rt.last_status else None
        st: Obj = dict(old_st) if isinstance(old_st, dict) else {}
        self._fill_status(cluster, old, st, mine, rt, node)
        written = self._store_status(cluster, old, st)
        rt.last_status = written.get("status")
        rt.status_due = False
        return written

    @staticmethod
    def _store_status(cluster: Cluster, old: Obj, st: Obj) -> Obj:
        """Store ``old`` with the status ``st``: the new version shares everything else with the
        old one (copy-on-write: ``store.write_status``)."""
        md = old["metadata"]
        written = cluster.store.write_status("Pod", md.get("namespace"), md["name"], st)
        assert written is not None
        return written

    def _fill_status(self, cluster: Cluster, pod: Obj, st: Obj, mine: Obj | None, rt: PodRuntime,
                     node: Obj) -> None:
        """Set ``st``'s keys (a copy of the stored status; ``mine``: the stored status when this
        runtime wrote it, whose unchanged parts are reused)."""
        init_statuses, app_statuses, debug_statuses = self._container_statuses(rt)
        phase = rt.terminal or self._phase(pod, rt)
        generation = pod["metadata"].get("generation") or None
        conds = self._conditions(rt, phase, generation)
        if mine is None or conds != rt.conds_key or "conditions" not in mine:
            # else the same conditions as written last: ``st`` holds them
            st["conditions"] = self._condition_list(cluster, st, conds, rt, mine is not None)
            rt.conds_key = conds
        if generation:
            # the pod's generation this status was made from (PodObservedGenerationTracking, GA
            # in 1.35): the kubelet writes it with every status; 0 (none) is left out
            st["observedGeneration"] = generation
        st["phase"] = phase
        host_ip = node_ip(node)
        st["hostIP"] = host_ip  # (keys keep the order they were first set in)
        if mine is None or mine.get("hostIP") != host_ip or "hostIPs" not in mine:
            st["hostIPs"] = [{"ip": host_ip}]
        if rt.ip:
            same_ip = mine is not None and mine.get("podIP") == rt.ip and "podIPs" in mine
            st["podIP"] = rt.ip
            if not same_ip:
                st["podIPs"] = [{"ip": rt.ip}]
        st["startTime"] = rfc3339(rt.start_time)
        if init_statuses:
            st["initContainerStatuses"] = init_statuses
        st["containerStatuses"] = app_statuses
        if debug_statuses:
            st["ephemeralContainerStatuses"] = debug_statuses
        if rt.terminal_reason:
            st["reason"] = rt.terminal_reason
        if rt.terminal_message:
            st["message"] = rt.terminal_message
        st["qosClass"] = st.get("qosClass") or pod_admission.qos_class(pod.get("spec", {}))

    def _container_statuses(self, rt: PodRuntime) -> tuple[list[Obj], list[Obj], list[Obj]]:
        """The init, app and ephemeral container statuses (built anew: almost every sync is a
        container's transition; the store shares what equals the last ones)."""
        init: list[Obj] = []
        app: list[Obj] = []
        debug: list[Obj] = []
        status = self._container_status
        for c in rt.containers:  # (one pass, each list in the containers' order)
            (init if c.init else debug if c.ephemeral else app).append(status(c, rt))
        return init, app, debug

    @staticmethod
    def _conditions(rt: PodRuntime, phase: str, generation: int | None) -> tuple[_Cond, ...]:
        """The kubelet's conditions (type, status, reason, message, observedGeneration),
        PodScheduled aside."""
        # a terminating pod's containers stay ready while they run (kubectl shows 1/1 Terminating)
        unready = [c.name for c in rt.containers
                   if (not c.init or c.sidecar) and not c.ephemeral and not (c.ready and c.phase == "running")]
        incomplete = [c.name for c in rt.containers
                      if c.init and ((c.sidecar and not c.instances) or (not c.sidecar and c.phase != "done"))]
        sandbox = ("PodReadyToStartContainers", "True" if rt.sandbox_ready and not rt.terminal else "False",
                   None, None, generation)
        init: _Cond
        if incomplete and not rt.init_done:
            init = ("Initialized", "False", "ContainersNotInitialized",
                    f"containers with incomplete status: [{' '.join(incomplete)}]", generation)
        else:
            init = ("Initialized", "True", None, None, generation)
        if phase in ("Succeeded", "Failed"):
            return (sandbox, init, ("Ready", "False", "PodCompleted", None, generation),
                    ("ContainersReady", "False", "PodCompleted", None, generation))
        if unready:
            msg = f"containers with unready status: [{' '.join(unready)}]"
            return (sandbox, init, ("Ready", "False", "ContainersNotReady", msg, generation),
                    ("ContainersReady", "False", "ContainersNotReady", msg, generation))
        return (sandbox, init, ("Ready", "True", None, None, generation),
                ("ContainersReady", "True", None, None, generation))

    @staticmethod
    def _condition_list(cluster: Cluster, st: Obj, conds: tuple[_Cond, ...],
                        rt: PodRuntime, mine: bool) -> list[Obj]:
        """The conditions as stored: a condition keeps its lastTransitionTime while its status
        stays; PodScheduled and conditions of others are kept. ``mine``: ``st``'s conditions are
        the ones this runtime wrote from ``rt.conds_key`` (one that did not change is reused)."""
        now = rfc3339(cluster.now())
        written = st.get("conditions") or []
        last = rt.conds_key
        if (mine and last is not None and len(last) == len(conds) and len(written) > len(last)
                and last[0][4] == conds[0][4]):  # (a new generation: PodScheduled's too)
            # laid out as this runtime writes them: its own in order, PodScheduled, then the others
            return [written[i] if last[i] == cond else _condition(cond, written[i], now)
                    for i, cond in enumerate(conds)] + written[len(conds):]
        old = {c.get("type"): c for c in written}
        out = [_condition(cond, old.get(cond[0]), now) for cond in conds]
        # the kubelet writes PodScheduled too (True: it runs the pod), at the pod's generation
        sched = old.get("PodScheduled")
        generation = conds[0][4] if conds else None
        if (sched is None or sched.get("status") != "True"
                or (generation and sched.get("observedGeneration") != generation)):
            # (a True one keeps its transition time: only its generation moves)
            sched = _condition(("PodScheduled", "True", None, None, generation), sched,
                               rfc3339(rt.start_time) if sched is None else now)
        out.append(sched)
        out += [c for t, c in old.items() if t not in _KUBELET_CONDITIONS]
        return out

    @staticmethod
    def _phase(pod: Obj, rt: PodRuntime) -> str:
        if not rt.init_done:
            return "Pending"
        running = waiting = stopped = 0
        for c in rt.containers:
            if c.init or c.ephemeral:
                continue
            if c.phase == "running":
                running += 1
            elif c.phase in ("exited", "backoff") or (c.phase in ("pulling", "pullfail") and c.instances):
                stopped += 1
            else:
                waiting += 1
        if running:
            return "Running"
        if stopped and not waiting:
            return "Running"  # restarting (terminal outcomes are set by _finish)
        return "Pending"

    @staticmethod
    def _container_status(c: CState, rt: PodRuntime) -> Obj:
        inst = c.current
        st: Obj = {"name": c.name, "image": c.image, "imageID": "", "ready": False, "restartCount": 0,
                   "started": False, "state": {}, "lastState": {}}
        if inst is not None:
            st["imageID"] = image_id(inst.image)
            st["containerID"] = f"docker://{inst.container_id}"
            st["restartCount"] = inst.attempt
        if c.phase == "running" and inst is not None:
            st["state"] = {"running": {"startedAt": rfc3339(inst.started)}}
            st["started"] = c.started
            st["ready"] = c.ready and c.started
            prev = c.instances[-2] if len(c.instances) > 1 else None
            if prev is not None:
                st["lastState"] = {"terminated": _terminated(prev)}
        elif c.phase in ("exited", "done") and inst is not None and inst.finished is not None:
            st["state"] = {"terminated": _terminated(inst)}
            st["ready"] = c.phase == "done"  # a completed init container reports ready
            prev = c.instances[-2] if len(c.instances) > 1 else None
            if prev is not None:
                st["lastState"] = {"terminated": _terminated(prev)}
        else:
            waiting_reason = c.waiting_reason or rt.default_reason
            message = c.waiting_message
            if (c.phase == "pulling" and inst is not None and inst.finished is not None
                    and waiting_reason == rt.default_reason):
                # a restart being prepared: the old container is still the latest one
                st["state"] = {"terminated": _terminated(inst)}
                prev = c.instances[-2] if len(c.instances) > 1 else None
                if prev is not None:
                    st["lastState"] = {"terminated": _terminated(prev)}
                return st
            w: Obj = {"reason": waiting_reason}
            if message:
                w["message"] = message
            st["state"] = {"waiting": w}
            if inst is not None and inst.finished is not None:
                st["lastState"] = {"terminated": _terminated(inst)}
        if inst is None:
            st.pop("imageID")
            st["imageID"] = ""
        if c.ephemeral:
            st.pop("started")  # the prober reports started for init and app containers only
        return st


_Cond = tuple[str, str, str | None, str | None, int | None]  # type, status, reason, message, observedGeneration
_KUBELET_CONDITIONS = frozenset({"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"})


def _condition(cond: _Cond, prev: Obj | None, now: str) -> Obj:
    """A pod condition; it keeps ``prev``'s lastTransitionTime while its status stays."""
    ts = prev.get("lastTransitionTime") if prev and prev.get("status") == cond[1] else now
    return _shared_condition(cond, ts)


@functools.lru_cache(maxsize=4096)
def _shared_condition(cond: _Cond, ts: Any) -> Obj:
    """One dict for every pod whose condition changed to ``cond`` in the same second (stored
    objects are never changed in place): 10,000 pods hold a few hundred instead of 50,000."""
    type_, status, reason, message, generation = cond
    return condition(type_, status, ts, reason, message, generation)


def _range_prefix(node: Obj) -> str:
    """The first three octets of the node's pod range (a /24, as kube-controller-manager's
    ``--node-cidr-mask-size`` gives every node by default)."""
    cidr = dig(node, "spec", "podCIDR") or "10.244.0.0/24"
    return str(cidr.split("/")[0].rsplit(".", 1)[0])


def _no_address(pod: Obj, node: Obj) -> str:
    """FailedCreatePodSandBox's message when the node's range is used up (cri-dockerd's words;
    one sandbox ID for the pod, so the retries count up on one Event)."""
    name, ns = meta.name(pod), meta.namespace(pod)
    sandbox = hashlib.sha256(f"sandbox/{meta.uid(pod)}".encode()).hexdigest()
    prefix = _range_prefix(node)
    return (f'Failed to create pod sandbox: rpc error: code = Unknown desc = failed to set up sandbox container '
            f'"{sandbox}" network for pod "{name}": networkPlugin cni failed to set up pod "{name}_{ns}" network: '
            f"failed to allocate for range 0: no IP addresses available in range set: {prefix}.1-{prefix}.254")


def _earliest_container_time(containers: list[CState], limit: float) -> tuple[float, CState | None, str]:
    """The earliest container transition at or before ``limit`` (the first container's on a tie;
    for one container, next before ready before unhealthy before a probe): (time, container,
    "next" | "ready" | "unhealthy" | "probe"), or (``limit``, None, "") when none is."""
    best_t, best_c, best_what = limit, None, ""
    for c in containers:
        t = c.next_at
        if t is not None and (t < best_t or (t == best_t and best_c is None)):
            best_t, best_c, best_what = t, c, "next"
        if c.phase == "running":
            t = c.ready_at
            if t is not None and (t < best_t or (t == best_t and best_c is None)):
                best_t, best_c, best_what = t, c, "ready"
            t = c.unhealthy_at
            if t is not None and (t < best_t or (t == best_t and best_c is None)):
                best_t, best_c, best_what = t, c, "unhealthy"
            if c.probes:
                t = min(p.next_at for p in c.probes)
                if t < best_t or (t == best_t and best_c is None):
                    best_t, best_c, best_what = t, c, "probe"
    return best_t, best_c, best_what


def _deleted_phase(rt: PodRuntime) -> str:
    """A deleted pod's phase once its containers stopped: since 1.27 (kubernetes#115331) the
    kubelet gives it a terminal one, whatever its restartPolicy: Succeeded when every container
    last exited 0 (nginx on SIGTERM), else Failed (a shell killed at the end of its grace period:
    137; one that never ran). `kubectl get` then shows that container's reason, not Terminating."""
    for c in rt.containers:
        if c.init or c.ephemeral:
            continue
        inst = c.current
        if c.phase != "exited" or inst is None or inst.finished is None or inst.exit_code != 0:
            return "Failed"
    return "Succeeded"


def _terminated(inst: Instance) -> Obj:
    out: Obj = {"exitCode": inst.exit_code if inst.exit_code is not None else 0,
                "reason": inst.reason or "Completed",
                "startedAt": rfc3339(inst.started), "finishedAt": rfc3339(inst.finished or inst.started),
                "containerID": f"docker://{inst.container_id}"}
    if inst.message:
        out["message"] = inst.message
    if inst.reason == "StartError":
        out["startedAt"] = rfc3339(0)  # it never started (the runtime reports the zero time)
    return out

