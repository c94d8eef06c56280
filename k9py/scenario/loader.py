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

Every problem is a ``K9pyError`` naming file, line, document and field, e.g.
``demo.yaml:42: document 5 (Deployment nginx-deployment): spec.replicas: Invalid value: "three": must be an integer``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources as importlib_resources
from typing import Any

from yaml.nodes import Node

from k9py.errors import K9pyError
from k9py.kube.status import ApiError
from k9py.scenario import schema
from k9py.scenario.schema import FieldError, Header
from k9py.scenario.yamldoc import YamlError, child, line_of, parse_documents
from k9py.sim.cluster import Cluster
from k9py.sim.nodes import add_node

Obj = dict[str, Any]

DEFAULT_WARMUP = 180.0  # virtual seconds: ages look real, the crash-looping pod has restarted a few times


@dataclass
class Manifest:
    """One object of a scenario file, with where it came from."""
    obj: Obj
    node: Node
    document: int
    item: int | None = None  # index inside a `kind: List` document

    @property
    def label(self) -> str:
        return _label(self.obj, self.document, self.item)


def demo_path() -> str:
    """The bundled demo cluster (k9py/data/scenarios → the top-level scenarios/)."""
    return str(importlib_resources.files("k9py") / "data" / "scenarios" / "demo.yaml")


def load_manifests(path: str) -> tuple[Header, list[Obj]]:
    """The header (defaults if the file has none) and the objects, in file order."""
    from k9py.scenario import files  # Scenario files (manifests + timeline) have their own parser
    if files.detect(path) != files.MANIFESTS:
        sf = files.parse_file(path)
        return sf.header, [m.obj for m in sf.manifests]
    header, _, manifests = _parse(path)
    return header, [m.obj for m in manifests]


def load_cluster(path: str | None, *, seed: int | None = None, start: float | None = None,
                 warmup: float | None = None) -> Cluster:
    """A cluster built from a scenario file (None: the bundled demo), run for ``warmup`` virtual
    seconds (default: the header's ``spec.warmup``, else 3 minutes) so it looks lived in."""
    path = path or demo_path()
    from k9py.scenario import files  # a Scenario (manifests + timeline) or a Recording
    if files.detect(path) != files.MANIFESTS:
        return files.load_scenario_cluster(path, seed=seed, start=start, warmup=warmup)
    header, header_node, manifests = _parse(path)
    cluster = Cluster(seed=seed if seed is not None else (header.seed or 0), start=start,
                      name=header.name)
    _add_nodes(cluster, header, header_node, path)
    ordered = [m for m in manifests if m.obj.get("kind") == "Namespace"]
    ordered += [m for m in manifests if m.obj.get("kind") != "Namespace"]
    for m in ordered:
        _create(cluster, m, path)
    cluster.settle()
    run_for = warmup if warmup is not None else header.warmup
    cluster.advance(DEFAULT_WARMUP if run_for is None else run_for)
    return cluster


# -- parsing -------------------------------------------------------------------------------------

def _parse(path: str) -> tuple[Header, Node | None, list[Manifest]]:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise K9pyError("no such file", file=path) from None
    except IsADirectoryError:
        raise K9pyError("is a directory, not a scenario file", file=path) from None
    except (OSError, UnicodeDecodeError) as err:
        raise K9pyError(f"cannot read: {err}", file=path) from None
    try:
        docs = parse_documents(text)
    except YamlError as err:
        doc = f"document {_document_at(text, err.line)}" if err.line else None
        raise K9pyError(err.message, file=path, line=err.line, document=doc) from None

    header, header_node = schema.parse_header(None), None
    manifests: list[Manifest] = []
    seen: dict[tuple[str, str, str], int] = {}
    for doc in docs:
        data = doc.data
        if data is None:  # empty documents are skipped, as kubectl does
            continue
        if not isinstance(data, dict):
            what = "a list" if isinstance(data, list) else f"a {type(data).__name__} ({schema.show(data)})"
            raise K9pyError(f"must be a mapping (a Kubernetes object), not {what}", file=path,
                            line=doc.line, document=f"document {doc.index}")
        if schema.is_header(data):
            if manifests or header.document is not None:
                raise K9pyError(f"the {schema.HEADER_KIND} header must be the first document", file=path,
                                line=doc.line, document=f"document {doc.index}")
            try:
                header = schema.parse_header(data)
            except FieldError as err:
                raise _field_error(path, doc.node, f"document {doc.index} ({schema.HEADER_KIND})", err) from None
            header.document, header_node = doc.index, doc.node
            continue
        if data.get("kind") == "List" and data.get("apiVersion") == "v1":
            items = data.get("items")
            items_node, _ = child(doc.node, "items")
            if not isinstance(items, list) or items_node is None:
                raise _field_error(path, doc.node, f"document {doc.index} (List)",
                                   FieldError("items", f"Invalid value: {schema.show(items)}: must be a list"))
            for i, item in enumerate(items):
                node, _ = child(items_node, i)
                m = Manifest(item, node or doc.node, doc.index, i)
                if not isinstance(item, dict):
                    raise K9pyError("must be a mapping (a Kubernetes object)", file=path,
                                    line=line_of(m.node, []), document=m.label)
                manifests.append(_checked(path, m, seen))
            continue
        manifests.append(_checked(path, Manifest(data, doc.node, doc.index), seen))
    return header, header_node, manifests


def _document_at(text: str, line: int) -> int:
    """The 1-based index of the YAML document holding ``line`` (for syntax errors, which come
    before any document is parsed): ``---`` separators above it, a leading one not counted."""
    lines = text.splitlines()[:max(0, line - 1)]
    seps = [i for i, ln in enumerate(lines) if ln == "---" or ln.startswith(("--- ", "---\t"))]
    content = [i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith(("#", "%"))]
    leading = 1 if seps and content and content[0] == seps[0] else 0
    return max(1, len(seps) - leading + 1)


def _checked(path: str, m: Manifest, seen: dict[tuple[str, str, str], int]) -> Manifest:
    try:
        res = schema.check_kind(m.obj)
        schema.check_object(m.obj)
    except FieldError as err:
        raise _field_error(path, m.node, m.label, err) from None
    md = m.obj.get("metadata")
    if isinstance(md, dict) and isinstance(md.get("name"), str) and md["name"]:
        ns = (md.get("namespace") or "default") if res.namespaced else ""
        key = (m.obj["kind"], ns, md["name"])
        if key in seen:
            line = line_of(m.node, "metadata.name")
            raise K9pyError(f'{res.plural} "{md["name"]}" is defined twice (first in document {seen[key]})',
                            file=path, line=line, document=m.label)
        seen[key] = m.document
    return m


# -- building ------------------------------------------------------------------------------------

def _add_nodes(cluster: Cluster, header: Header, header_node: Node | None, path: str) -> None:
    for index, spec in enumerate(header.nodes):
        try:
            add_node(cluster, spec.name, cpu=spec.cpu, memory=spec.memory, pods=spec.pods,
                     labels=dict(spec.labels) or None, taints=[dict(t) for t in spec.taints] or None,
                     control_plane=spec.control_plane, index=index, cluster_name=header.name)
        except ApiError as err:
            if header_node is None:
                raise K9pyError(f"node {spec.name}: {err.message}", file=path) from None
            doc = f"document {header.document} ({schema.HEADER_KIND})"
            raise K9pyError(err.message, file=path, line=line_of(header_node, spec.path), document=doc,
                            field=spec.path) from None


def _create(cluster: Cluster, m: Manifest, path: str) -> None:
    try:
        cluster.create(m.obj)
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


def _field_error(path: str, node: Node, document: str, err: FieldError) -> K9pyError:
    return K9pyError(err.message, file=path, line=line_of(node, err.field), document=document,
                     field=err.field or None)


def _label(obj: Obj, document: int, item: int | None) -> str:
    where = f"document {document}" + (f" item {item + 1}" if item is not None else "")
    kind = obj.get("kind") if isinstance(obj.get("kind"), str) else ""
    md = obj.get("metadata")
    name = md.get("name") if isinstance(md, dict) and isinstance(md.get("name"), str) else ""
    inner = " ".join(p for p in (kind, name) if p)
    return f"{where} ({inner})" if inner else where

