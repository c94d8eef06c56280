"""A manifests file (what `kubectl apply -f` takes, optionally headed by a SimCluster document) or
a ``kind: Scenario`` file (the Scenario document, then the manifests) → a ``ScenarioFile``.

Every object is checked as kubectl's schema validation would (``schema``), with the file, line,
document and field of each problem, e.g.
``demo.yaml:42: document 5 (Deployment nginx-deployment): spec.replicas: Invalid value: "three": must be an integer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from k9py.errors import K9pyError
from k9py.kube import resources
from k9py.kube.gcpause import gc_paused
from k9py.scenario import schema
from k9py.scenario.schema import HEADER_KIND, SCENARIO_KIND, FieldError, Header
from k9py.scenario.source import MANIFESTS, SCENARIO, Problems, read_text, yaml_documents
from k9py.scenario.timeline import Scenario, is_scenario, parse_scenario
from k9py.scenario.yamldoc import Document, Lines, child, line_of

Obj = dict[str, Any]
_Key = tuple[str, str, str]  # kind, namespace, name


@dataclass
class Manifest:
    """One object of a scenario file, with where it came from."""
    obj: Obj
    node: Lines
    document: int
    item: int | None = None  # index inside a `kind: List` document

    @property
    def label(self) -> str:
        return _label(self.obj, self.document, self.item)


@dataclass
class ScenarioFile:
    path: str
    kind: str                       # MANIFESTS or SCENARIO
    header: Header
    header_node: Lines | None        # the SimCluster or Scenario document, for the lines of node errors
    scenario: Scenario | None
    manifests: list[Manifest] = field(default_factory=list)


def parse_file(path: str, errors: list[K9pyError] | None = None, text: str | None = None) -> ScenarioFile:
    """Parse a manifests or Scenario file. With ``errors`` every problem is appended there (and
    what could be parsed is returned); without, the first problem raises K9pyError.

    The cyclic collector is paused meanwhile: parsing makes no cycles, and a big file's walks
    over its growing heap took a fifth of the parse (1.2 MB, before the first frame)."""
    text = read_text(path) if text is None else text
    with gc_paused():
        return _Parser(path, Problems(path, errors)).parse(text)


class _Parser:
    def __init__(self, path: str, problems: Problems) -> None:
        self.problems = problems
        self.out = ScenarioFile(path, MANIFESTS, schema.parse_header(None), None, None)
        self.seen: dict[_Key, int] = {}  # object → the document that defined it first
        self.custom: dict[tuple[str, str], resources.ApiResource] = {}  # (apiVersion, kind) a CRD above adds
        self.first = True  # no non-empty document yet: a SimCluster or Scenario document may come
        self.pods = 0  # the pods the workloads so far ask for (schema.MAX_PODS in all)
        self.nodes = 0  # Node documents so far (with the header's, schema.MAX_NODES in all)

    def parse(self, text: str) -> ScenarioFile:
        docs = yaml_documents(text, self.problems)
        for doc in docs or []:
            if doc.data is not None:  # empty documents are skipped, as kubectl does
                self._document(doc)
        return self.out

    def _document(self, doc: Document) -> None:
        data, label = doc.data, f"document {doc.index}"
        if not isinstance(data, dict):
            what = "a list" if isinstance(data, list) else f"a {type(data).__name__} ({schema.show(data)})"
            self.problems.add(f"must be a mapping (a Kubernetes object), not {what}", line=doc.line, document=label)
        elif is_scenario(data) or schema.is_header(data):
            self._head(doc, data)
            return
        elif data.get("kind") == "List" and data.get("apiVersion") == "v1":
            self._list(doc, data)
        else:
            self._manifest(Manifest(data, doc.node, doc.index))
        self.first = False

    def _head(self, doc: Document, data: Obj) -> None:
        """The SimCluster header or the Scenario document: first, or not at all."""
        scenario = is_scenario(data)
        label = f"document {doc.index}"
        if not self.first:
            what = f"{SCENARIO_KIND} document" if scenario else f"{HEADER_KIND} header"
            self.problems.add(f"the {what} must be the first document", line=doc.line, document=label)
            return
        self.first = False
        out = self.out
        out.header_node = doc.node
        where = f"{label} ({SCENARIO_KIND if scenario else HEADER_KIND})"
        try:
            if scenario:
                out.kind = SCENARIO
                step_errors: list[FieldError] = []
                out.scenario = parse_scenario(data, step_errors)
                out.header = out.scenario.header
                for fe in step_errors:
                    self.problems.field(doc.node, where, fe)
            else:
                out.header = schema.parse_header(data)
        except FieldError as fe:
            self.problems.field(doc.node, where, fe)
        out.header.document = doc.index

    def _list(self, doc: Document, data: Obj) -> None:
        """A `kind: List` document: each item is a manifest of its own."""
        items = data.get("items")
        items_node, _ = child(doc.node, "items")
        if not isinstance(items, list) or items_node is None:
            self.problems.field(doc.node, f"document {doc.index} (List)",
                                FieldError("items", f"Invalid value: {schema.show(items)}: must be a list"))
            return
        for i, item in enumerate(items):
            node, _ = child(items_node, i)
            if isinstance(item, dict):
                self._manifest(Manifest(item, node or doc.node, doc.index, i))
            else:
                self.problems.add("must be a mapping (a Kubernetes object)", line=line_of(node or doc.node, []),
                                  document=_label(item, doc.index, i))

    def _manifest(self, m: Manifest) -> None:
        try:
            schema.check_finite(m.obj)
            res = self.custom.get((str(m.obj.get("apiVersion")), str(m.obj.get("kind")))) or schema.check_kind(m.obj)
            if not res.crd and res.kind != resources.CRD_KIND:  # CRDs and custom resources are free-form
                schema.check_object(m.obj)
        except FieldError as fe:
            self.problems.field(m.node, m.label, fe)
            return
        md = m.obj.get("metadata")
        if isinstance(md, dict) and isinstance(md.get("name"), str) and md["name"]:
            ns = (md.get("namespace") or "default") if res.namespaced else ""
            key = (m.obj["kind"], ns, md["name"])
            if key in self.seen:
                self.problems.add(f'{res.plural} "{md["name"]}" is defined twice (first in document {self.seen[key]})',
                                  line=line_of(m.node, "metadata.name"), document=m.label)
                return
            self.seen[key] = m.document
        if res.kind == resources.CRD_KIND:
            self.custom.update(((r.api_version, r.kind), r) for r in resources.from_crd(m.obj))
        if res.kind == "Node" and len(self.out.header.nodes) + self.nodes >= schema.MAX_NODES:
            self.problems.add(f"Too many: {len(self.out.header.nodes) + self.nodes + 1} nodes: k9py simulates at most "
                              f"{schema.MAX_NODES} nodes", line=line_of(m.node, []), document=m.label)
            return
        self.nodes += res.kind == "Node"
        asked = _pods_asked(m.obj, max(1, len(self.out.header.nodes) + self.nodes))
        if self.pods + asked > schema.MAX_PODS:  # each workload within its own limit, thirty of them not
            self.problems.add(f"Too many: {self.pods + asked} pods with the documents before it: k9py simulates at most "
                              f"{schema.MAX_PODS} pods in all", line=line_of(m.node, []), document=m.label)
            return
        self.pods += asked
        self.out.manifests.append(m)


def _pods_asked(obj: dict[str, Any], nodes: int) -> int:
    """The pods ``obj`` makes at once (a Deployment its replicas, a DaemonSet one a node)."""
    kind, spec = obj.get("kind"), obj.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    if kind == "Pod":
        return 1
    if kind in ("Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"):
        n = spec.get("replicas", 1)
    elif kind == "Job":
        n = spec.get("parallelism", 1)
    elif kind == "DaemonSet":
        return nodes
    else:
        return 0
    return n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else 0


def _label(obj: Any, document: int, item: int | None) -> str:
    """``document 3``, ``document 2 item 1``, with the object's kind and name when it has them."""
    where = f"document {document}" + (f" item {item + 1}" if item is not None else "")
    if not isinstance(obj, dict):
        return where
    kind = obj.get("kind") if isinstance(obj.get("kind"), str) else ""
    md = obj.get("metadata")
    name = md.get("name") if isinstance(md, dict) and isinstance(md.get("name"), str) else ""
    inner = " ".join(p for p in (kind, name) if p)
    return f"{where} ({inner})" if inner else where
