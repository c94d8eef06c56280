"""The xray tree (k9s's ``:xray KIND [NS]``, internal/xray): a resource kind's objects by
namespace, each with what it runs and uses — deployment → replicasets → pods → containers, the
configmaps / secrets / PVCs a pod mounts or reads, its service account and that account's
secrets — every node with a health status (``k9py.view.health``) and a short info.

UI-free: ``build`` reads plain object maps (the informer's caches, a store's lists) and
``flatten`` turns the tree into the lines a UI paints, with its collapsed nodes folded."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from k9py.kube import meta, selectors
from k9py.kube.regex import Re2
from k9py.view import health
from k9py.view.kinds import ALIASES, BY_NAME, ViewKind
from k9py.view.printers_pod import pod_ready

Obj = dict[str, Any]
Key = tuple[str, str]
Objects = Mapping[str, Mapping[Key, Obj]]  # kind -> (namespace, name) -> object

# the kinds an xray can start from, and what each one's tree needs to read
ROOTS: dict[str, tuple[str, ...]] = {
    "deployments": ("Deployment", "ReplicaSet"),
    "replicasets": ("ReplicaSet",),
    "statefulsets": ("StatefulSet",),
    "daemonsets": ("DaemonSet",),
    "jobs": ("Job",),
    "cronjobs": ("CronJob", "Job"),
    "services": ("Service",),
    "pods": (),
}
REFERENCED = ("ConfigMap", "Secret", "PersistentVolumeClaim", "ServiceAccount")


def kinds_for(view: str) -> tuple[str, ...]:
    """Every kind the xray of ``view`` reads (what a UI watches to keep it live)."""
    return (*ROOTS[view], "Pod", *REFERENCED, "Namespace")


def parse(arg: str, extra: Mapping[str, ViewKind] | None = None) -> tuple[ViewKind, str | None]:
    """``:xray KIND [NS]``'s arguments: the view and the namespace (None: the active one, "" all).
    Raises ValueError with a one-line message for a missing or unsupported kind."""
    words = arg.split()
    kinds = "|".join(BY_NAME[v].aliases[0] for v in ROOTS)
    if not words:
        raise ValueError(f"xray: which resource? :xray {kinds} [namespace]")
    view = ALIASES.get(words[0].lower()) or (extra or {}).get(words[0].lower())
    if view is None or view.name not in ROOTS:
        raise ValueError(f"xray: no tree for `{words[0]}` (one of {kinds})")
    ns: str | None = None
    rest = words[1:]
    if rest[:1] == ["-n"]:
        rest = rest[1:]
    if rest:
        ns = "" if rest[0] in ("-A", "all", "--all-namespaces") else rest[0]
    return view, ns


@dataclass(eq=False)
class XNode:
    """One node of the tree. ``kind`` "" is the root (``name`` the view); "Namespace" groups."""
    kind: str
    namespace: str
    name: str
    status: str = health.OK
    info: str = ""
    obj: Obj | None = None  # the API object; containers: the pod's container pseudo-object
    pod: str = ""  # containers: the pod they belong to
    children: list[XNode] = field(default_factory=list)

    @property
    def id(self) -> str:
        """Unique among its siblings; a path of ids names a node across rebuilds."""
        where = f"{self.namespace}/{self.pod}/{self.name}" if self.pod else f"{self.namespace}/{self.name}"
        return f"{self.kind}:{where}"

    @property
    def category(self) -> str:
        """k9s's ``category/name`` prefix: the kind's singular name."""
        return self.kind.lower()

    def find(self, kind: str, namespace: str, name: str) -> XNode | None:
        for c in self.children:
            if c.kind == kind and c.namespace == namespace and c.name == name:
                return c
        return None

    def count(self, kind: str) -> int:
        """Nodes of ``kind`` in this subtree (the title's count)."""
        return (self.kind == kind) + sum(c.count(kind) for c in self.children)

    def walk(self) -> Iterable[XNode]:
        yield self
        for c in self.children:
            yield from c.walk()


def _controller_uid(o: Obj) -> str | None:
    ref = meta.controller_ref(o)
    return ref.get("uid") if ref else None


class Reuse:
    """What one build of a tree can hand to the next over the same caches, so that a rebuild
    after a few changes costs about the objects that changed (30,000 pods: 1.4 s → ~0.2 s a
    rebuild, and rebuilds follow every change): each pod's subtree, while the pod is the same
    object (caches replace an object that changes, never edit it), and the lines ``flatten``
    made of it. ``forget`` when what a pod's subtree reads besides the pod changed (the objects
    it refers to, the kinds known). The lines are kept with the folds they were laid out with:
    other folds, none of them is taken."""

    def __init__(self) -> None:
        self.pods: dict[int, tuple[Obj, XNode]] = {}  # id(pod object) -> (it, its subtree)
        self.controllers: dict[int, tuple[Obj, str | None]] = {}  # id(object) -> (it, its controller's uid)
        # the folds of the last flatten, and its lines: (path, guides, stack) -> (pod node, lines);
        # one attribute, so that a flatten in a thread and one on the loop never mix the two
        self.layout: tuple[frozenset[Path], dict[tuple[Path, str, str], tuple[XNode, list[Line]]]] = (frozenset(), {})

    @property
    def lines(self) -> dict[tuple[Path, str, str], tuple[XNode, list[Line]]]:
        return self.layout[1]

    def forget(self, namespaces: Iterable[str] | None = None) -> None:
        """Build every pod's subtree again, or only those in ``namespaces`` (a pod refers only to
        objects of its own namespace)."""
        if namespaces is None:
            self.pods, self.layout = {}, (frozenset(), {})
            return
        gone = set(namespaces)
        self.pods = {k: v for k, v in self.pods.items() if meta.namespace(v[0]) not in gone}


class Builder:
    """Builds one xray tree. ``objects``: kind → objects (in the namespace, or all); ``known``:
    the kinds whose objects are all there (a reference to a missing one is flagged only then).
    ``reuse``: the pod subtrees of the build before, taken where a pod did not change."""

    def __init__(self, objects: Objects, known: Iterable[str] | None = None, now: float = 0.0,
                 reuse: Reuse | None = None) -> None:
        self.objects = objects
        self.known = set(objects) if known is None else set(known)
        self.now = now
        self._owned: dict[str, dict[str, list[Obj]]] = {}  # kind -> owner uid -> objects
        self._reuse = reuse
        self._pods: dict[int, tuple[Obj, XNode]] = {}  # this build's, handed on in ``reuse``
        self._controllers: dict[int, tuple[Obj, str | None]] = {}  # the same

    def _all(self, kind: str) -> list[Obj]:
        objs = self.objects.get(kind) or {}
        return [objs[k] for k in sorted(objs)]

    def owned(self, kind: str, owner: Obj) -> list[Obj]:
        """Objects of ``kind`` controlled by ``owner`` (by ownerReference uid), by name."""
        index = self._owned.get(kind)
        if index is None:
            index = self._owned[kind] = {}
            known = self._reuse.controllers if self._reuse is not None else {}
            for o in self._all(kind):
                seen = known.get(id(o))
                if seen is not None and seen[0] is o:
                    uid = seen[1]
                else:
                    try:
                        uid = _controller_uid(o)
                    except Exception:  # owner references that do not read (a malformed object): owned by none
                        uid = None
                self._controllers[id(o)] = (o, uid)
                if uid:
                    index.setdefault(uid, []).append(o)
        return index.get(meta.uid(owner), [])

    def get(self, kind: str, ns: str, name: str) -> Obj | None:
        return (self.objects.get(kind) or {}).get((ns, name))

    # -- the tree ------------------------------------------------------------------------------
    def build(self, view: str) -> XNode:
        root = XNode("", "", view)
        render = {"deployments": self.deployment, "replicasets": self.replicaset, "statefulsets": self.controller,
                  "daemonsets": self.controller, "jobs": self.controller, "cronjobs": self.cronjob,
                  "services": self.service, "pods": self.pod}[view]
        kind = BY_NAME[view].kind
        objs = self.objects.get(kind) or {}
        for ns, name in sorted(objs):
            o = objs[(ns, name)]
            group = root.find("Namespace", "", ns)
            if group is None:
                group = XNode("Namespace", "", ns, obj=self.get("Namespace", "", ns))
                root.children.append(group)
            try:
                node = render(o)
            except Exception:  # it (or what it owns) does not read as its kind: a fault, not a crash
                node = XNode(kind, ns, name, health.ERROR, "", o)
            group.children.append(node)
        root.children.sort(key=lambda n: n.name)
        if self._reuse is not None:  # what is gone is let go
            self._reuse.pods, self._reuse.controllers = self._pods, self._controllers
        return root

    def _node(self, o: Obj) -> XNode:
        status, info = health.workload(o)
        if meta.is_deleting(o):
            status = health.WARN
        return XNode(str(o.get("kind", "")), meta.namespace(o), meta.name(o), status, info, o)

    def deployment(self, o: Obj) -> XNode:
        node = self._node(o)
        for rs in self.owned("ReplicaSet", o):
            pods = self.owned("Pod", rs)
            if pods or int((rs.get("spec") or {}).get("replicas") or 0):  # old, scaled-down sets are history
                node.children.append(self.replicaset(rs, pods))
        return node

    def replicaset(self, o: Obj, pods: list[Obj] | None = None) -> XNode:
        node = self._node(o)
        node.children += [self.pod(p) for p in (self.owned("Pod", o) if pods is None else pods)]
        return node

    def controller(self, o: Obj) -> XNode:
        """A StatefulSet, DaemonSet or Job and the pods it controls."""
        node = self._node(o)
        node.children += [self.pod(p) for p in self.owned("Pod", o)]
        return node

    def cronjob(self, o: Obj) -> XNode:
        node = self._node(o)
        node.children += [self.controller(j) for j in self.owned("Job", o)]
        return node

    def service(self, o: Obj) -> XNode:
        """A Service and the pods its selector picks (none without a selector)."""
        ns, sel = meta.namespace(o), (o.get("spec") or {}).get("selector")
        node = XNode("Service", ns, meta.name(o), health.WARN if meta.is_deleting(o) else health.OK,
                     (o.get("spec") or {}).get("type", ""), o)
        if sel:
            parsed = selectors.from_map(sel)
            node.children += [self.pod(p) for p in self._all("Pod")
                              if meta.namespace(p) == ns and selectors.matches(parsed, meta.labels(p))]
        return node

    def pod(self, p: Obj) -> XNode:
        key = id(p)  # the entry holds the object: its id is not another's meanwhile
        known = self._reuse.pods.get(key) if self._reuse is not None else None
        node = known[1] if known is not None and known[0] is p else self._pod(p)
        self._pods[key] = (p, node)
        return node

    def _pod(self, p: Obj) -> XNode:
        ns, name = meta.namespace(p), meta.name(p)
        ready, total = pod_ready(p)
        node = XNode("Pod", ns, name, health.pod(p, self.now), f"{ready}/{total}", p)
        spec, st = p.get("spec") or {}, p.get("status") or {}
        statuses = {s.get("name"): s for s in (st.get("initContainerStatuses") or []) + (st.get("containerStatuses") or [])}
        for init, items in ((True, spec.get("initContainers") or []), (False, spec.get("containers") or [])):
            for c in items:
                node.children.append(self.container(p, c, statuses.get(c.get("name")) or {}, init))
        for v in spec.get("volumes") or []:
            if v.get("secret"):
                self.ref(node, "Secret", ns, v["secret"].get("secretName", ""), v["secret"].get("optional"))
            elif v.get("configMap"):
                self.ref(node, "ConfigMap", ns, v["configMap"].get("name", ""), v["configMap"].get("optional"))
            elif v.get("persistentVolumeClaim"):
                self.ref(node, "PersistentVolumeClaim", ns, v["persistentVolumeClaim"].get("claimName", ""))
        sa = spec.get("serviceAccountName") or spec.get("serviceAccount")
        if sa:
            self.service_account(node, ns, sa, spec.get("automountServiceAccountToken"))
        return node

    def container(self, p: Obj, c: Obj, status: Obj, init: bool) -> XNode:
        ns, pod = meta.namespace(p), meta.name(p)
        name = c.get("name", "")
        sidecar = init and c.get("restartPolicy") == "Always"
        obj = {"kind": "Container", "metadata": {"name": name, "namespace": ns,
                                                 "creationTimestamp": (p.get("metadata") or {}).get("creationTimestamp")},
               "spec": c, "status": status, "init": init, "pod": pod}
        state = health.container(status, ready_needed=not init or sidecar) if status else health.WARN
        if init and not sidecar and state == health.COMPLETED:
            state = health.OK  # an init container that ran is what it should be
        node = XNode("Container", ns, name, state, "init" if init and not sidecar else "", obj, pod=pod)
        for e in c.get("env") or []:
            src = e.get("valueFrom") or {}
            if src.get("secretKeyRef"):
                self.ref(node, "Secret", ns, src["secretKeyRef"].get("name", ""), src["secretKeyRef"].get("optional"))
            if src.get("configMapKeyRef"):
                ref = src["configMapKeyRef"]
                self.ref(node, "ConfigMap", ns, ref.get("name", ""), ref.get("optional"))
        for e in c.get("envFrom") or []:
            if e.get("configMapRef"):
                self.ref(node, "ConfigMap", ns, e["configMapRef"].get("name", ""), e["configMapRef"].get("optional"))
            if e.get("secretRef"):
                self.ref(node, "Secret", ns, e["secretRef"].get("name", ""), e["secretRef"].get("optional"))
        return node

    def service_account(self, parent: XNode, ns: str, name: str, automount: Any) -> None:
        sa = self.get("ServiceAccount", ns, name)
        node = self.ref(parent, "ServiceAccount", ns, name)
        if sa is None:
            return
        if automount is None:
            automount = sa.get("automountServiceAccountToken")
        if automount is not None:
            node.info = f"automount={str(bool(automount)).lower()}"
        for s in [*(sa.get("secrets") or []), *(sa.get("imagePullSecrets") or [])]:
            self.ref(node, "Secret", ns, s.get("name", ""))

    def ref(self, parent: XNode, kind: str, ns: str, name: str, optional: Any = None) -> XNode:
        """A reference from ``parent`` to a ``kind`` object (once per parent): its own health, or
        missing when it does not exist, is not optional and ``kind`` is known."""
        node = parent.find(kind, ns, name)
        if node is not None:
            return node
        obj = self.get(kind, ns, name)
        if obj is not None:
            status = health.of(obj, self.now)
        else:
            status = health.MISSING if kind in self.known and not optional else health.OK
        node = XNode(kind, ns, name, status, "", obj)
        parent.children.append(node)
        return node


def build(view: str, objects: Objects, known: Iterable[str] | None = None, now: float = 0.0,
          reuse: Reuse | None = None) -> XNode:
    """The xray tree of ``view`` (a key of ``ROOTS``) over ``objects``."""
    return Builder(objects, known, now, reuse).build(view)


# -- lines ---------------------------------------------------------------------------------------
Path = tuple[str, ...]


@dataclass(frozen=True)
class Line:
    """One painted line: the node, the guides before it, its path of ids, fold state."""
    node: XNode
    path: Path
    guides: str  # "│ ├─" ...
    parent: Path | None
    expandable: bool
    expanded: bool

    @functools.cached_property
    def width(self) -> int:
        """Columns the line takes painted (guides, marker, title, a badge): a line handed from one
        flatten to the next keeps it."""
        return len(self.guides) + 2 + len(title(self.node)) + 11

    @property
    def marker(self) -> str:
        if not self.expandable:
            return "─" if self.guides else " "
        return "▾" if self.expanded else "▸"


def flatten(root: XNode, collapsed: set[Path], reuse: Reuse | None = None) -> list[Line]:
    """The tree's lines, depth first; the children of a collapsed path are folded away.
    ``reuse``: a pod's lines are those of the flatten before when the pod's subtree is the same
    node at the same place and the folds are those of the flatten before."""
    out: list[Line] = []
    folds = frozenset(collapsed)
    held = reuse.layout if reuse is not None else None
    before = held[1] if held is not None and held[0] == folds else {}
    now: dict[tuple[Path, str, str], tuple[XNode, list[Line]]] = {}

    def walk(node: XNode, path: Path, guides: str, last_stack: str, parent: Path | None) -> None:
        if node.kind == "Pod" and reuse is not None:
            key = (path, guides, last_stack)
            known = before.get(key)
            if known is not None and known[0] is node:
                out.extend(known[1])
                now[key] = known
                return
            start = len(out)
            _walk(node, path, guides, last_stack, parent)
            now[key] = (node, out[start:])
            return
        _walk(node, path, guides, last_stack, parent)

    def _walk(node: XNode, path: Path, guides: str, last_stack: str, parent: Path | None) -> None:
        folded = path in collapsed
        out.append(Line(node, path, guides, parent, bool(node.children), not folded))
        if folded:
            return
        n = len(node.children)
        for i, c in enumerate(node.children):
            last = i == n - 1
            walk(c, (*path, c.id), last_stack + ("└─" if last else "├─"), last_stack + ("  " if last else "│ "), path)

    walk(root, (root.id,), "", "", None)
    if reuse is not None:
        reuse.layout = (folds, now)
    return out


def title(node: XNode) -> str:
    """k9s's node title, without its colours: ``deployment/nginx(2) [3/3]``, ``TOAST`` on trouble."""
    text = node.name if node.kind == "" else f"{node.category}/{node.name}"
    if node.children:
        text += f"({len(node.children)})"
    if node.info:
        text += f" [{node.info}]"
    return text


def badge(node: XNode) -> str:
    """k9s's trouble tag: TOAST for an unhealthy node, TOAST_REF for a missing reference."""
    if node.status in (health.WARN, health.ERROR):
        return "TOAST"
    return "TOAST_REF" if node.status == health.MISSING else ""


def filtered(root: XNode, rx: Re2) -> XNode:
    """k9s's xray filter: the nodes whose title ``rx`` finds, with their subtrees and the nodes
    on the way to them (copies: the tree built stays whole for the next filter)."""
    def keep(node: XNode) -> XNode | None:
        if rx.matches(title(node)):
            return node
        kids = [k for k in (keep(c) for c in node.children) if k is not None]
        return replace(node, children=kids) if kids else None
    kids = [k for k in (keep(c) for c in root.children) if k is not None]
    return replace(root, children=kids)


def all_paths(root: XNode) -> set[Path]:
    """The path of every node with children but the root (what "collapse all" folds)."""
    out: set[Path] = set()

    def walk(node: XNode, path: Path) -> None:
        for c in node.children:
            p = (*path, c.id)
            if c.children:
                out.add(p)
                walk(c, p)

    walk(root, (root.id,))
    return out
