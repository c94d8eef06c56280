"""Scenario files → a running simulated cluster.

A scenario is what `kubectl apply -f` takes (multi-document Kubernetes YAML) with an optional
first document, the k9py header, describing the nodes::

    apiVersion: k9py.dev/v1alpha1
    kind: SimCluster
    metadata: {name: demo}
    spec:
      seed: 7            # optional; an explicit seed argument wins
      warmup: 3m         # optional; virtual time to run before the cluster is shown
      nodes:
      - {name: minikube, controlPlane: true, cpu: "4", memory: 8Gi, pods: 110,
         labels: {disk: ssd}, taints: [{key: dedicated, value: ml, effect: NoSchedule}]}

or a ``kind: Scenario`` file (the same plus a timeline, see ``timeline``). ``manifests`` parses
them; this module builds the cluster. Every problem is a ``K9pyError`` naming file, line,
document and field, e.g.
``demo.yaml:42: document 5 (Deployment nginx-deployment): spec.replicas: Invalid value: "three": must be an integer``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources as importlib_resources
from typing import Any

from k9py.errors import K9pyError
from k9py.kube import gcpause
from k9py.kube.status import ApiError
from k9py.scenario import schema
from k9py.scenario.manifests import Manifest, ScenarioFile, parse_file
from k9py.scenario.schema import Header
from k9py.scenario.source import RECORDING, detect_text, read_text
from k9py.scenario.timeline import attach
from k9py.scenario.yamldoc import line_of
from k9py.sim.cluster import Cluster
from k9py.sim.nodes import SETTLE_EACH_UP_TO, add_node

Obj = dict[str, Any]

DEFAULT_WARMUP = 180.0  # virtual seconds: ages look real, the crash-looping pod has restarted a few times


def demo_path() -> str:
    """The bundled demo cluster (k9py/data/scenarios → the top-level scenarios/)."""
    return str(importlib_resources.files("k9py") / "data" / "scenarios" / "demo.yaml")


def load_manifests(path: str) -> tuple[Header, list[Obj]]:
    """The header (defaults if the file has none) and the objects, in file order."""
    sf = parse_file(path)
    return sf.header, [m.obj for m in sf.manifests]


def load_cluster(path: str | None, *, seed: int | None = None, start: float | None = None,
                 warmup: float | None = None, rv_start: int | None = None) -> Cluster:
    """A cluster built from a manifests or Scenario file (None: the bundled demo), run for
    ``warmup`` virtual seconds (default: the header's ``spec.warmup``, else 3 minutes) so it looks
    lived in; a Scenario's timeline then starts (t=0 is now). ``rv_start``: the first
    resourceVersion (`k9py serve` starts from the wall clock)."""
    path = path or demo_path()
    text = read_text(path)
    if detect_text(text, path) == RECORDING:
        raise K9pyError("is a Recording, not a scenario: play it with `k9py replay FILE`", file=path)
    return build_cluster(parse_file(path, text=text), seed=seed, start=start, warmup=warmup, rv_start=rv_start)


def build_cluster(sf: ScenarioFile, *, seed: int | None = None, start: float | None = None,
                  warmup: float | None = None, rv_start: int | None = None,
                  made: Callable[[Cluster], None] | None = None, errors: list[K9pyError] | None = None) -> Cluster:
    """The simulated cluster of a parsed file: nodes, manifests (namespaces first), warm-up, then
    (for a Scenario) the timeline attached with t=0 now. ``made``: told of the cluster as soon as
    it exists (to watch a long build from another thread). ``errors``: an object the apiserver
    refuses is added there and the next one created (`scenario check` reports every one), not
    raised; a cluster that did not build whole is not run.

    The cyclic collector is off meanwhile (the simulator's objects have no cycles; walking
    the growing heap again and again took a sixth of a 10,000-pod build), and a big cluster is
    frozen out of its sight once built (``gcpause``: ``dropped`` when it is let go)."""
    header = sf.header
    with gcpause.gc_paused():  # from the first object on (the bootstrap's objects are no cycles either)
        cluster = Cluster(seed=seed if seed is not None else (header.seed or 0), start=start, name=header.name,
                          rv_start=rv_start)
        if made is not None:
            made(cluster)
        with cluster.lock:
            _fill(cluster, sf, warmup, errors)
    return cluster


def _fill(cluster: Cluster, sf: ScenarioFile, warmup: float | None, errors: list[K9pyError] | None = None) -> None:
    """``build_cluster``'s work on its new cluster (locked, the collector paused)."""
    _add_nodes(cluster, sf)
    ordered = [m for m in sf.manifests if m.obj.get("kind") == "Namespace"]
    ordered += [m for m in sf.manifests if m.obj.get("kind") != "Namespace"]
    refused: list[K9pyError] = []
    for m in ordered:
        try:
            _create(cluster, m, sf.path)
        except K9pyError as err:
            if errors is None:
                raise
            refused.append(err)
    if errors is not None and refused:
        errors += sorted(refused, key=lambda e: e.line or 0)  # in file order (namespaces were made first)
        return
    cluster.settle()
    cluster.advance(warmup_of(sf) if warmup is None else warmup)
    if sf.scenario is not None:
        attach(cluster, sf.scenario)
    gcpause.loaded(cluster.store.count("Pod"))  # before the collector is back: not one walk of it


def warmup_of(sf: ScenarioFile) -> float:
    """The virtual seconds a file's cluster runs before it is shown (its timeline's t=0)."""
    return DEFAULT_WARMUP if sf.header.warmup is None else sf.header.warmup


# -- building ------------------------------------------------------------------------------------

def _add_nodes(cluster: Cluster, sf: ScenarioFile) -> None:
    header, path = sf.header, sf.path
    each = len(header.nodes) <= SETTLE_EACH_UP_TO
    for index, spec in enumerate(header.nodes):
        try:
            add_node(cluster, spec.name, cpu=spec.cpu, memory=spec.memory, pods=spec.pods,
                     labels=dict(spec.labels) or None, taints=[dict(t) for t in spec.taints] or None,
                     control_plane=spec.control_plane, index=index, cluster_name=header.name, settle=each)
        except ApiError as err:
            if sf.header_node is None:
                raise K9pyError(f"node {spec.name}: {err.message}", file=path) from None
            doc = f"document {header.document} ({schema.HEADER_KIND})"
            raise K9pyError(err.message, file=path, line=line_of(sf.header_node, spec.path), document=doc,
                            field=spec.path) from None
    if not each:
        cluster.settle()


def _create(cluster: Cluster, m: Manifest, path: str) -> None:
    try:
        cluster.create(m.obj)  # (a null field is unset there, as the apiserver's decoder reads it)
    except ApiError as err:
        raise _api_error(path, m, err) from None
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as err:
        # An admission rule tripped over input it did not expect: still the user's file at fault.
        raise K9pyError(_one_line(f"rejected by the simulator: {type(err).__name__}: {err}"), file=path,
                        line=line_of(m.node, []), document=m.label) from None


def _api_error(path: str, m: Manifest, err: ApiError) -> K9pyError:
    if err.causes:
        first = err.causes[0]
        field = first.get("field") or ""
        message = first.get("message") or err.message
        more = [f'{c.get("field")}: {c.get("message")}' for c in err.causes[1:]]
        if more:
            message += " (also " + "; ".join(more) + ")"
        return K9pyError(_one_line(message), file=path, line=line_of(m.node, field) if field else line_of(m.node, []),
                         document=m.label, field=field or None)
    field = ""
    if err.reason == "AlreadyExists":
        field = "metadata.name"
    elif err.reason == "NotFound":  # the namespace is missing, or the kind is not served
        field = "metadata.namespace" if err.kind == "Namespace" else "kind"
    line = line_of(m.node, field) if field else line_of(m.node, [])
    return K9pyError(_one_line(err.message), file=path, line=line, document=m.label)


def _one_line(text: str) -> str:
    return " ".join(str(text).split("\n")).strip()
