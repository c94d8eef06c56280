"""`kind: Scenario`: initial manifests plus a timeline of actions played into the simulator.

A scenario file is multi-document YAML: the Scenario document first, then the initial manifests
(what `kubectl apply -f` takes)::

    apiVersion: k9py.dev/v1alpha1
    kind: Scenario
    metadata: {name: self-healing}
    description: Delete the pods of a Deployment and watch the ReplicaSet bring them back.
    spec:
      seed: 1
      warmup: 1m            # virtual time run before t=0 (default 3m)
      duration: 5m          # optional, default: the last step + 2m
      nodes: [...]          # as in a SimCluster header
      timeline:
      - at: 30s
        delete: {kind: Pod, selector: app=web}
      - {at: 1m, scale: {name: web, replicas: 5}, note: "scale up"}

The steps are applied by a controller (``TimelineController``) appended to the cluster's
controllers, so they fire at their virtual times whoever moves the clock (the explorer, serve, a
test calling ``cluster.advance``), and the simulator's controllers then react as they would to
kubectl. Parse problems are ``FieldError``s with the field path under the Scenario document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from k9py.kube import meta, resources
from k9py.kube.selectors import matches as selector_matches
from k9py.kube.selectors import parse_label_selector
from k9py.kube.status import ApiError
from k9py.kube.timefmt import parse_duration, rfc3339
from k9py.scenario import schema
from k9py.scenario.schema import SCENARIO_KIND, FieldError, Header, show

Obj = dict[str, Any]

API_VERSION = schema.HEADER_API_VERSION
DEFAULT_TAIL = 120.0
CRASH_DELAY = 0.001  # seconds shown after the last step when no duration is given

SCALABLE = ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController")
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController")
NODE_ACTIONS = ("cordon", "uncordon", "drain", "nodeDown", "nodeUp")
ACTIONS = ("apply", "delete", "scale", "setImage", "rolloutRestart", "rolloutUndo", *NODE_ACTIONS,
           "crash", "log", "pause")


@dataclass
class Step:
    at: float          # seconds after t=0 (the end of the warm-up)
    action: str        # one of ACTIONS
    args: Any          # the action's value, checked
    note: str | None = None
    path: str = ""     # field path in the Scenario document (spec.timeline[i])
    refused: bool = False  # the API is meant to refuse it (a lesson: an admission policy, a quota)


@dataclass
class Scenario:
    name: str
    description: str = ""
    header: Header = field(default_factory=Header)
    duration: float | None = None
    steps: list[Step] = field(default_factory=list)

    @property
    def end(self) -> float:
        if self.duration is not None:
            return self.duration
        return (max((s.at for s in self.steps), default=0.0)) + DEFAULT_TAIL


def is_scenario(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("kind") == SCENARIO_KIND


# -- parsing -------------------------------------------------------------------------------------

def parse_scenario(doc: Obj, errors: list[FieldError] | None = None) -> Scenario:
    """Check a Scenario document. With ``errors``, problems in timeline steps are collected there
    (every bad step reported) instead of raising at the first."""
    schema._no_unknown(doc, ("apiVersion", "kind", "metadata", "description", "spec"), "")
    if doc.get("apiVersion") != API_VERSION:
        raise FieldError("apiVersion", f'Unsupported value: {show(doc.get("apiVersion"))}: supported values: "{API_VERSION}"')
    md = schema._mapping(doc.get("metadata", {}), "metadata")
    schema._no_unknown(md, ("name", "labels", "annotations"), "metadata")
    name = md.get("name", "scenario")
    if not isinstance(name, str) or not name:
        raise FieldError("metadata.name", f"Invalid value: {show(name)}: must be a non-empty string")
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise FieldError("description", f"Invalid value: {show(description)}: must be a string")
    spec = schema._mapping(doc.get("spec", {}), "spec")
    schema._no_unknown(spec, ("seed", "warmup", "duration", "nodes", "timeline"), "spec")
    header_doc = {"apiVersion": API_VERSION, "kind": schema.HEADER_KIND, "metadata": {"name": name},
                  "spec": {k: spec[k] for k in ("seed", "warmup", "nodes") if k in spec}}
    header = schema.parse_header(header_doc)
    sc = Scenario(name=name, description=description.strip(), header=header)
    if "duration" in spec:
        sc.duration = schema.played(schema._duration(spec["duration"], "spec.duration"), spec["duration"], "spec.duration")
    timeline = spec.get("timeline", [])
    if timeline is None:
        timeline = []
    if not isinstance(timeline, list):
        raise FieldError("spec.timeline", f"Invalid value: {show(timeline)}: must be a list of steps")
    for i, raw in enumerate(timeline):
        try:
            sc.steps.append(parse_step(raw, f"spec.timeline[{i}]"))
        except FieldError as err:
            if errors is None:
                raise
            errors.append(err)
    sc.steps.sort(key=lambda s: s.at)  # stable: steps at the same time run in file order
    for step in sc.steps:
        if sc.duration is not None and step.at > sc.duration:
            late = FieldError(f"{step.path}.at", f"Invalid value: {step.at:g}s: after spec.duration "
                                                 f"({sc.duration:g}s): the scenario ends before this step runs")
            if errors is None:
                raise late
            errors.append(late)
    return sc


def missing_targets(sc: Scenario, exists: Callable[[str, str, str], bool]) -> list[FieldError]:
    """The steps naming an object that neither the cluster as built (``exists(kind, namespace,
    name)``) nor an earlier ``apply`` step has: a typo, most likely (at run time the step
    would only be reported). Pods are left out: controllers name them as they go."""
    applied: set[tuple[str, str, str]] = set()
    out: list[FieldError] = []
    for step in sc.steps:
        d = step.args
        if step.action == "apply":
            md = d.get("metadata") or {}
            applied.add((str(d.get("kind")), _namespace_of(str(d.get("kind")), md.get("namespace")), str(md.get("name"))))
            continue
        if step.action in NODE_ACTIONS:  # (`cordon: NAME` or `cordon: {node: NAME}`: the step's line)
            kind, name, at = "Node", d["node"], f"{step.path}.{step.action}"
        elif step.action in ("delete", "scale", "setImage", "rolloutRestart", "rolloutUndo") and d.get("name"):
            kind, name, at = d.get("kind", "Deployment"), d["name"], f"{step.path}.{step.action}.name"
        else:
            continue
        if kind == "Pod":
            continue
        ns = _namespace_of(kind, d.get("namespace"))
        if (kind, ns, name) in applied or exists(kind, ns, name):
            continue
        res = resources.BY_KIND.get(kind)
        plural = res.plural if res is not None else kind.lower()
        where = f" in namespace {ns}" if ns else ""
        out.append(FieldError(at, f'Not found: {plural} "{name}"{where}: not in the file nor applied by an earlier step'))
    return out


def _namespace_of(kind: str, namespace: Any) -> str:
    res = resources.BY_KIND.get(kind)
    return "" if res is not None and not res.namespaced else str(namespace or "default")


def parse_step(raw: Any, path: str) -> Step:
    raw = schema._mapping(raw, path)
    if "at" not in raw:
        raise FieldError(f"{path}.at", "Required value: when the step happens, e.g. 30s")
    at = _at(raw["at"], f"{path}.at")
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        raise FieldError(f"{path}.note", f"Invalid value: {show(note)}: must be a string")
    refused = raw.get("refused", False)
    if not isinstance(refused, bool):
        raise FieldError(f"{path}.refused", f"Invalid value: {show(refused)}: must be true or false")
    actions = [k for k in raw if k not in ("at", "note", "refused")]
    unknown = [k for k in actions if k not in ACTIONS]
    if unknown:
        raise FieldError(f"{path}.{unknown[0]}", f'unknown action "{unknown[0]}": supported: {", ".join(ACTIONS)}')
    if not actions:
        raise FieldError(path, f"Required value: one action ({', '.join(ACTIONS)})")
    if len(actions) > 1:
        raise FieldError(f"{path}.{actions[1]}", f"Invalid value: one action per step (found {', '.join(actions)})")
    action = actions[0]
    p = f"{path}.{action}"
    args = _CHECKS[action](raw[action], p)
    return Step(at=at, action=action, args=args, note=note, path=path, refused=refused)


def _at(v: Any, path: str) -> float:
    if isinstance(v, bool) or v is None:
        raise FieldError(path, f"Invalid value: {show(v)}: must be a duration like 30s or 2m")
    if isinstance(v, (int, float)):
        seconds = float(v)
        if seconds != seconds or seconds in (float("inf"), float("-inf")):  # YAML's .nan, .inf
            raise FieldError(path, f"Invalid value: {show(v)}: must be a duration like 30s or 2m")
    else:
        try:
            seconds = parse_duration(str(v))
        except ValueError:
            raise FieldError(path, f"Invalid value: {show(v)}: must be a duration like 30s or 2m") from None
    if seconds < 0:
        raise FieldError(path, f"Invalid value: {show(v)}: must not be negative")
    return schema.played(seconds, v, path)


def _fields(d: Obj, path: str, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> Obj:
    d = schema._mapping(d, path)
    schema._no_unknown(d, allowed, path)
    for r in required:
        if r not in d or d[r] in (None, ""):
            raise FieldError(f"{path}.{r}", "Required value")
    for k in ("name", "namespace", "container", "pod", "image", "node"):
        if k in d and not isinstance(d[k], str):
            raise FieldError(f"{path}.{k}", f"Invalid value: {show(d[k])}: must be a string")
    return d


def _kind(d: Obj, path: str, default: str | None, allowed: tuple[str, ...] | None = None) -> str:
    kind = d.get("kind", default)
    if not isinstance(kind, str) or not kind:
        raise FieldError(f"{path}.kind", "Required value")
    if kind not in resources.BY_KIND:
        raise FieldError(f"{path}.kind", f'Unsupported value: {show(kind)}: not a kind the simulator serves')
    if allowed and kind not in allowed:
        raise FieldError(f"{path}.kind", f"Unsupported value: {show(kind)}: supported values: "
                                         + ", ".join(f'"{k}"' for k in allowed))
    return kind


def _selector(d: Obj, path: str) -> None:
    sel = d.get("selector")
    if sel is None:
        return
    if not isinstance(sel, str):
        raise FieldError(f"{path}.selector", f"Invalid value: {show(sel)}: must be a label selector string like app=web")
    try:
        parse_label_selector(sel)
    except (ValueError, ApiError) as err:
        why = err.message if isinstance(err, ApiError) else str(err)
        raise FieldError(f"{path}.selector", f"Invalid value: {show(sel)}: {why}") from None


def _target(d: Obj, path: str) -> None:
    """``name`` xor ``selector``."""
    if ("name" in d) == ("selector" in d):
        raise FieldError(path, "Required value: exactly one of name or selector")
    _selector(d, path)


def _check_apply(v: Any, path: str) -> Obj:
    obj = schema._mapping(v, path)
    try:
        schema.check_kind(obj)
        schema.check_object(obj)
    except FieldError as err:
        raise FieldError(f"{path}.{err.field}" if err.field else path, err.message) from None
    md = obj.get("metadata") or {}
    if not md.get("name"):
        raise FieldError(f"{path}.metadata.name", "Required value: name is required")
    return obj


def _check_delete(v: Any, path: str) -> Obj:
    d = _fields(v, path, ("kind", "name", "namespace", "selector", "gracePeriodSeconds", "count"), ("kind",))
    _kind(d, path, None)
    _target(d, path)
    if "gracePeriodSeconds" in d:
        schema._int(d["gracePeriodSeconds"], f"{path}.gracePeriodSeconds")
    if "count" in d:
        if "selector" not in d:
            raise FieldError(f"{path}.count", "Forbidden: only with a selector")
        if schema._int(d["count"], f"{path}.count") < 1:
            raise FieldError(f"{path}.count", f"Invalid value: {d['count']}: must be greater than 0")
    return d


def _check_scale(v: Any, path: str) -> Obj:
    d = _fields(v, path, ("kind", "name", "namespace", "replicas"), ("name",))
    _kind(d, path, "Deployment", SCALABLE)
    if "replicas" not in d:
        raise FieldError(f"{path}.replicas", "Required value")
    if schema._int(d["replicas"], f"{path}.replicas") < 0:
        raise FieldError(f"{path}.replicas", f"Invalid value: {d['replicas']}: must be greater than or equal to 0")
    return d


def _check_set_image(v: Any, path: str) -> Obj:
    d = _fields(v, path, ("kind", "name", "namespace", "container", "image"), ("name", "image"))
    _kind(d, path, "Deployment", (*WORKLOADS, "Pod"))
    return d


def _check_rollout(v: Any, path: str) -> Obj:
    d = _fields(v, path, ("kind", "name", "namespace", "toRevision"), ("name",))
    _kind(d, path, "Deployment", ("Deployment", "StatefulSet", "DaemonSet"))
    if "toRevision" in d:
        schema._int(d["toRevision"], f"{path}.toRevision")
    return d


def _check_node(v: Any, path: str) -> Obj:
    if isinstance(v, str):
        v = {"node": v}
    d = _fields(v, path, ("node",), ("node",))
    return d


def _check_crash(v: Any, path: str) -> Obj:
    d = _fields(v, path, ("pod", "selector", "namespace", "container", "exitCode", "reason"))
    if ("pod" in d) == ("selector" in d):
        raise FieldError(path, "Required value: exactly one of pod or selector")
    _selector(d, path)
    if "exitCode" in d and not 0 <= schema._int(d["exitCode"], f"{path}.exitCode") <= 255:
        # a process's exit status; past int32 kubectl describe / logs could not read the pod at all
        raise FieldError(f"{path}.exitCode", f"Invalid value: {d['exitCode']}: must be between 0 and 255, inclusive")
    if "reason" in d and d["reason"] not in ("Error", "OOMKilled"):
        raise FieldError(f"{path}.reason", f'Unsupported value: {show(d["reason"])}: supported values: "Error", "OOMKilled"')
    return d


def _check_log(v: Any, path: str) -> Obj:
    d = _fields(v, path, ("pod", "selector", "namespace", "container", "line", "lines"))
    if ("pod" in d) == ("selector" in d):
        raise FieldError(path, "Required value: exactly one of pod or selector")
    _selector(d, path)
    if ("line" in d) == ("lines" in d):
        raise FieldError(path, "Required value: exactly one of line or lines")
    if "line" in d and not isinstance(d["line"], str):
        raise FieldError(f"{path}.line", f"Invalid value: {show(d['line'])}: must be a string")
    if "lines" in d and not (isinstance(d["lines"], list) and all(isinstance(x, str) for x in d["lines"])):
        raise FieldError(f"{path}.lines", f"Invalid value: {show(d['lines'])}: must be a list of strings")
    return d


def _check_pause(v: Any, path: str) -> Obj:
    if v is True or v is None:
        return {}
    if isinstance(v, str):
        return {"message": v}
    d = _fields(v, path, ("message",))
    return d


_CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "apply": _check_apply, "delete": _check_delete, "scale": _check_scale, "setImage": _check_set_image,
    "rolloutRestart": _check_rollout, "rolloutUndo": _check_rollout,
    "cordon": _check_node, "uncordon": _check_node, "drain": _check_node,
    "nodeDown": _check_node, "nodeUp": _check_node,
    "crash": _check_crash, "log": _check_log, "pause": _check_pause,
}


# -- describing ---------------------------------------------------------------------------------

def describe_step(step: Step) -> str:
    """What a step does, in kubectl's words: ``scale Deployment web --replicas=5``."""
    a, d = step.action, step.args

    def target(kind: str) -> str:
        ns = d.get("namespace")
        res = resources.BY_KIND.get(kind)
        where = f" -n {ns}" if ns and res is not None and res.namespaced else ""
        if d.get("selector"):
            return f"{kind} -l {d['selector']}{where}"
        return f"{kind} {d.get('name') or d.get('pod')}{where}"

    if a == "apply":
        md = d.get("metadata") or {}
        ns = f" -n {md['namespace']}" if md.get("namespace") else ""
        return f"apply {d.get('kind')} {md.get('name')}{ns}"
    if a == "delete":
        count = f" (first {d['count']})" if "count" in d else ""
        return f"delete {target(d['kind'])}{count}"
    if a == "scale":
        return f"scale {target(d.get('kind', 'Deployment'))} --replicas={d['replicas']}"
    if a == "setImage":
        container = f" {d['container']}=" if d.get("container") else " "
        return f"set image {target(d.get('kind', 'Deployment'))}{container}{d['image']}"
    if a in ("rolloutRestart", "rolloutUndo"):
        verb = "restart" if a == "rolloutRestart" else "undo"
        rev = f" --to-revision={d['toRevision']}" if d.get("toRevision") else ""
        return f"rollout {verb} {target(d.get('kind', 'Deployment'))}{rev}"
    if a in ("cordon", "uncordon", "drain"):
        return f"{a} {d['node']}"
    if a in ("nodeDown", "nodeUp"):
        return f"node {d['node']} {'down' if a == 'nodeDown' else 'up'}"
    if a == "crash":
        how = d.get("reason") or (f"exit {d['exitCode']}" if "exitCode" in d else "exit 1")
        return f"crash {target('Pod')} ({how})"
    if a == "log":
        lines = [d["line"]] if "line" in d else list(d["lines"])
        more = f" (+{len(lines) - 1} lines)" if len(lines) > 1 else ""
        return f"log {target('Pod')}: {lines[0] if lines else ''}{more}"
    if a == "pause":
        return "pause" + (f": {d['message']}" if d.get("message") else "")
    return a


# -- running ------------------------------------------------------------------------------------

REFUSED_BUT_APPLIED = "expected the API to refuse it, but it was applied"


class StepError(Exception):
    """A step that could not be applied when its time came (the target was gone, ...)."""


@dataclass
class Fired:
    t: float       # seconds after t=0
    step: Step
    error: str | None = None


class TimelineController:
    """Applies the steps whose time has come; asks for a wake-up at the next one.

    ``t0`` is the virtual time of t=0. ``on_step(fired)`` is told of every step (UI flashes,
    the recorder); a ``pause`` step sets ``paused`` for whoever drives the clock."""

    name = "scenario-timeline"
    watches: tuple[str, ...] = ()  # time-driven only: runs at its wake-ups

    def __init__(self, scenario: Scenario, t0: float) -> None:
        self.scenario = scenario
        self.t0 = t0
        self.next = 0
        self.fired: list[Fired] = []
        self.paused = False
        self.listeners: list[Callable[[Fired], None]] = []

    @property
    def done(self) -> bool:
        return self.next >= len(self.scenario.steps)

    def schedule(self, cluster: Any) -> None:
        if not self.done:
            cluster.wake_at(self.t0 + self.scenario.steps[self.next].at)

    def reconcile(self, cluster: Any) -> None:
        steps = self.scenario.steps
        while self.next < len(steps) and self.t0 + steps[self.next].at <= cluster.now() + 1e-9:
            step = steps[self.next]
            self.next += 1
            fired = Fired(t=cluster.now() - self.t0, step=step)
            try:
                apply_step(cluster, step)
            except (StepError, ApiError) as err:
                why = (err.message if isinstance(err, ApiError) else "") or str(err)
                fired.error = f"{step.path} ({step.action}): {why}"
            else:
                if step.refused:  # the lesson's refusal did not come: the scenario (or the cluster) is wrong
                    fired.error = f"{step.path} ({step.action}): {REFUSED_BUT_APPLIED}"
            if step.action == "pause":
                self.paused = True
            self.fired.append(fired)
            for cb in list(self.listeners):
                cb(fired)
        self.schedule(cluster)


def attach(cluster: Any, scenario: Scenario, t0: float | None = None) -> TimelineController:
    """Add the timeline to ``cluster`` with t=0 now (or at ``t0``)."""
    ctl = TimelineController(scenario, cluster.now() if t0 is None else t0)
    cluster.controllers.append(ctl)
    cluster.state["scenario.timeline"] = ctl
    ctl.schedule(cluster)
    if not ctl.done and ctl.t0 + scenario.steps[0].at <= cluster.now():
        cluster.settle(woke=True)
    return ctl


def timeline_of(cluster: Any) -> TimelineController | None:
    return cluster.state.get("scenario.timeline")


def apply_step(cluster: Any, step: Step) -> None:
    _RUN[step.action](cluster, step.args)


def _ns(d: Obj) -> str:
    return d.get("namespace") or "default"


def _must(cluster: Any, kind: str, ns: str | None, name: str) -> Obj:
    obj = cluster.store.get(kind, ns if resources.BY_KIND[kind].namespaced else None, name)
    if obj is None:
        raise StepError(f'{resources.BY_KIND[kind].plural}.{resources.BY_KIND[kind].group or ""}'.rstrip(".")
                        + f' "{name}" not found')
    return obj


def _matching(cluster: Any, kind: str, d: Obj, limit: int | None = None) -> list[Obj]:
    """The objects a step names, or those its selector matches (not being deleted), by name:
    the first ``limit`` of them when given (at least one: none is an error)."""
    ns = _ns(d) if resources.BY_KIND[kind].namespaced else None
    if d.get("name") or d.get("pod"):
        return [_must(cluster, kind, ns, d.get("name") or d["pod"])]
    sel = parse_label_selector(d["selector"])
    found: list[Obj] = []
    last: Any = object()  # (no labels dict yet: None is one pod's)
    verdict = False
    table = cluster.store.table(kind)
    equal = next((r for r in sel if r.op == "=" or (r.op == "in" and len(r.values) == 1)), None)
    # the objects with the label a requirement asks for when there is one (an index lookup),
    # else every object (not a list of them all: the first few may do); in order either way
    keys = cluster.store.labelled(kind, equal.key, equal.values[0], ns) if equal else cluster.store.keys(kind, ns)
    for key in keys:
        o = table[key]
        labels = o.get("metadata", {}).get("labels")
        if labels is not last:  # (a workload's replicas share one labels dict: matched once)
            last, verdict = labels, selector_matches(sel, labels)
        if verdict and not meta.is_deleting(o):
            found.append(o)
            if limit is not None and len(found) >= max(limit, 1):
                break
    if not found:
        raise StepError(f'no {resources.BY_KIND[kind].plural} match selector "{d["selector"]}"'
                        + (f" in namespace {ns}" if ns else ""))
    return found


def _run_apply(cluster: Any, obj: Obj) -> None:
    cluster.apply(obj)


def _run_delete(cluster: Any, d: Obj) -> None:
    kind = d["kind"]
    count = int(d["count"]) if "count" in d else None
    found = _matching(cluster, kind, d, count)
    if count is not None:  # the first N by name: deterministic
        found = found[:count]
    for obj in found:
        cluster.delete(kind, meta.namespace(obj) or None, meta.name(obj),
                       grace_period=d.get("gracePeriodSeconds"))


def _replace(cluster: Any, obj: Obj, change: Callable[[Obj], None], subresource: str | None = None) -> None:
    new = meta.deep_copy(obj)
    change(new)
    cluster.replace(new, subresource=subresource)


def _run_scale(cluster: Any, d: Obj) -> None:
    """Through the scale subresource, as ``kubectl scale`` (what an admission policy's rules see)."""
    obj = _must(cluster, d.get("kind", "Deployment"), _ns(d), d["name"])
    _replace(cluster, obj, lambda o: o.setdefault("spec", {}).__setitem__("replicas", int(d["replicas"])), "scale")


def _pod_spec(obj: Obj) -> Obj:
    if obj.get("kind") == "Pod":
        return obj.setdefault("spec", {})
    return obj.setdefault("spec", {}).setdefault("template", {}).setdefault("spec", {})


def _run_set_image(cluster: Any, d: Obj) -> None:
    kind = d.get("kind", "Deployment")
    obj = _must(cluster, kind, _ns(d), d["name"])
    containers = _pod_spec(meta.deep_copy(obj)).get("containers") or []
    target = d.get("container")
    if target is None:
        if len(containers) != 1:
            raise StepError(f"{kind} {d['name']} has {len(containers)} containers: name one with container")
        target = containers[0].get("name")
    if not any(c.get("name") == target for c in containers):
        raise StepError(f'unable to find container named "{target}"')

    def change(o: Obj) -> None:
        for c in _pod_spec(o).get("containers") or []:
            if c.get("name") == target:
                c["image"] = d["image"]
    _replace(cluster, obj, change)


def _run_restart(cluster: Any, d: Obj) -> None:
    obj = _must(cluster, d.get("kind", "Deployment"), _ns(d), d["name"])

    def change(o: Obj) -> None:
        md = o.setdefault("spec", {}).setdefault("template", {}).setdefault("metadata", {})
        md.setdefault("annotations", {})["kubectl.kubernetes.io/restartedAt"] = rfc3339(cluster.now())
    _replace(cluster, obj, change)


REVISION = "deployment.kubernetes.io/revision"
# kubectl rollout undo does not copy these ReplicaSet annotations onto the Deployment
_SKIP_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration", REVISION,
                     "deployment.kubernetes.io/revision-history", "deployment.kubernetes.io/desired-replicas",
                     "deployment.kubernetes.io/max-replicas", "deprecated.deployment.rollback.to")


def _run_undo(cluster: Any, d: Obj) -> None:
    """kubectl's DeploymentRollbacker: copy the previous (or ``toRevision``) ReplicaSet's pod
    template back into the Deployment."""
    kind = d.get("kind", "Deployment")
    dep = _must(cluster, kind, _ns(d), d["name"])
    if kind != "Deployment":
        raise StepError(f"rollout undo of a {kind} is not simulated")
    if dep.get("spec", {}).get("paused"):
        raise StepError(f'you cannot rollback a paused deployment; resume it first with \'kubectl rollout resume deployment/{d["name"]}\' and try again')
    uid = meta.uid(dep)
    history: dict[int, Obj] = {}
    for rs in cluster.store.list("ReplicaSet", meta.namespace(dep)):
        if any(r.get("uid") == uid for r in meta.owner_refs(rs)):
            try:
                history[int(meta.annotations(rs).get(REVISION, "0"))] = rs
            except ValueError:
                continue
    to = int(d.get("toRevision", 0))
    if to == 0:
        revs = sorted(history)
        if len(revs) < 2:
            raise StepError(f'no rollout history found for deployment "{d["name"]}"')
        to = revs[-2]
    if to not in history:
        raise StepError(f"unable to find specified revision {to} in history")
    tmpl = meta.deep_copy(history[to].get("spec", {}).get("template", {}))
    (tmpl.get("metadata", {}).get("labels") or {}).pop("pod-template-hash", None)
    rs_ann = {k: v for k, v in meta.annotations(history[to]).items() if k not in _SKIP_ANNOTATIONS}

    def change(o: Obj) -> None:
        o["spec"]["template"] = tmpl
        if rs_ann:
            o["metadata"].setdefault("annotations", {}).update(rs_ann)
    _replace(cluster, dep, change)


def _node_obj(cluster: Any, d: Obj) -> Obj:
    return _must(cluster, "Node", None, d["node"])


def _set_unschedulable(cluster: Any, d: Obj, value: bool) -> None:
    def change(o: Obj) -> None:
        if value:
            o.setdefault("spec", {})["unschedulable"] = True
        else:
            o.setdefault("spec", {}).pop("unschedulable", None)
    _replace(cluster, _node_obj(cluster, d), change)


def _run_drain(cluster: Any, d: Obj) -> None:
    """kubectl drain --ignore-daemonsets --delete-emptydir-data --force: cordon, then evict."""
    _set_unschedulable(cluster, d, True)
    for p in cluster.store.list("Pod"):
        if p.get("spec", {}).get("nodeName") != d["node"] or meta.is_deleting(p):
            continue
        if (meta.controller_ref(p) or {}).get("kind") == "DaemonSet":
            continue
        if "kubernetes.io/config.mirror" in meta.annotations(p):
            continue
        try:
            cluster.evict(meta.namespace(p), meta.name(p))
        except ApiError as err:
            if err.code != 429:  # a PodDisruptionBudget refuses it: the pod stays, as drain would leave it
                raise


def _set_down(cluster: Any, d: Obj, down: bool) -> None:
    from k9py.sim.behaviour import NODE_DOWN

    def change(o: Obj) -> None:
        ann = o["metadata"].setdefault("annotations", {})
        if down:
            ann[NODE_DOWN] = "true"
        else:
            ann.pop(NODE_DOWN, None)
            if not ann:
                o["metadata"].pop("annotations")
    _replace(cluster, _node_obj(cluster, d), change)


def _containers(cluster: Any, pod: Obj, container: str | None) -> list[Any]:
    """The kubelet's running container states of ``pod`` (all app containers, or the named one)."""
    from k9py.sim.kubelet import runtime_for

    rt = runtime_for(cluster, meta.namespace(pod), meta.name(pod))
    if rt is None:
        return []
    return [c for c in rt.containers if (c.name == container if container else not c.init and not c.ephemeral)]


def _run_crash(cluster: Any, d: Obj) -> None:
    """The container's process exits now (code ``exitCode``, default 1; reason OOMKilled → 137);
    the kubelet then restarts it per restartPolicy, with its crash back-off."""
    import heapq

    crashed = 0
    code_default = 137 if d.get("reason") == "OOMKilled" else 1
    # a millisecond later: what the process printed just before (a `log` step at the same time)
    # is still in its log, as a panic message is
    when = cluster.now() + CRASH_DELAY
    for pod in _matching(cluster, "Pod", d):
        for c in _containers(cluster, pod, d.get("container")):
            inst = c.current
            if c.phase != "running" or inst is None:
                continue
            inst.program = dataclasses.replace(inst.program, exit_code=int(d.get("exitCode", code_default)),
                                               reason=d.get("reason") if d.get("reason") == "OOMKilled" else None)
            c.next_at = when
            c.ready_at = c.unhealthy_at = None
            crashed += 1
            idx = cluster.state.get("kubelet.index")
            if idx is not None:
                heapq.heappush(idx.due, (when, meta.namespace(pod), meta.name(pod)))
    if not crashed:
        raise StepError("no running container to crash")
    cluster.wake_at(when, everyone=True)  # the kubelet's wake-up, asked for by the timeline


def _run_log(cluster: Any, d: Obj) -> None:
    from k9py.sim.logs import append_log

    lines = [d["line"]] if "line" in d else list(d["lines"])
    for pod in _matching(cluster, "Pod", d):
        append_log(cluster, meta.namespace(pod), meta.name(pod), d.get("container"), *lines)


def _run_pause(cluster: Any, d: Obj) -> None:
    return None


_RUN: dict[str, Callable[[Any, Any], None]] = {
    "apply": _run_apply, "delete": _run_delete, "scale": _run_scale, "setImage": _run_set_image,
    "rolloutRestart": _run_restart, "rolloutUndo": _run_undo,
    "cordon": lambda c, d: _set_unschedulable(c, d, True),
    "uncordon": lambda c, d: _set_unschedulable(c, d, False),
    "drain": _run_drain,
    "nodeDown": lambda c, d: _set_down(c, d, True),
    "nodeUp": lambda c, d: _set_down(c, d, False),
    "crash": _run_crash, "log": _run_log, "pause": _run_pause,
}
