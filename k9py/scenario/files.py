"""One entry point for every file k9py plays: plain manifests (optionally with a SimCluster
header), ``kind: Scenario`` (manifests + timeline) and ``kind: Recording`` (YAML, JSON Lines,
gzip). ``detect`` tells which; ``check`` lists every problem as ``FILE:LINE: what is wrong``;
``open_scenario`` returns something to run (a Cluster or a Player)."""

from __future__ import annotations

import gzip
import re
import json
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import Node

from k9py.errors import K9pyError
from k9py.scenario import schema
from k9py.scenario.schema import FieldError, Header
from k9py.scenario.timeline import SCENARIO_KIND, Scenario, attach, is_scenario, parse_scenario
from k9py.scenario.yamldoc import YamlError, child, line_of, parse_documents

MANIFESTS, SCENARIO, RECORDING = "manifests", "scenario", "recording"
_KIND_LINE = re.compile(r"""^kind:\s*["']?([A-Za-z0-9]+)["']?\s*(#.*)?$""")
RECORDING_KIND = "Recording"


def read_text(path: str) -> str:
    """The file's text (gunzipped if it is gzip), or K9pyError."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise K9pyError("no such file", file=path) from None
    except IsADirectoryError:
        raise K9pyError("is a directory, not a scenario file", file=path) from None
    except OSError as err:
        raise K9pyError(f"cannot read: {err.strerror or err}", file=path) from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as err:
            raise K9pyError(f"cannot read: bad gzip data ({err})", file=path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise K9pyError(f"cannot read: not UTF-8 text ({err.reason} at byte {err.start})", file=path) from None


def detect_text(text: str) -> str:
    """MANIFESTS, SCENARIO or RECORDING, from the first document (or JSON line)."""
    first = text.lstrip()
    if first.startswith("{"):
        line = first.split("\n", 1)[0]
        try:
            head = json.loads(line)
        except ValueError:
            head = None
        if isinstance(head, dict) and head.get("kind") == RECORDING_KIND:
            return RECORDING
    first_doc = _first_document_text(text)
    if first_doc is not None:
        for line in first_doc.splitlines():  # a top-level `kind:` line says it without parsing
            m = _KIND_LINE.match(line)
            if m:
                return {SCENARIO_KIND: SCENARIO, RECORDING_KIND: RECORDING}.get(m.group(1), MANIFESTS)
        try:
            data = yaml.safe_load(first_doc)
        except yaml.YAMLError:
            data = None
        if isinstance(data, dict):
            return {SCENARIO_KIND: SCENARIO, RECORDING_KIND: RECORDING}.get(data.get("kind"), MANIFESTS)  # type: ignore[arg-type]
    try:
        docs = parse_documents(text)
    except YamlError:
        # kind: lines at the top level still tell the kind of a file with a YAML error further on
        for ln in text.splitlines():
            if ln.startswith("kind:"):
                kind = ln.split(":", 1)[1].strip().strip("'\"")
                return {SCENARIO_KIND: SCENARIO, RECORDING_KIND: RECORDING}.get(kind, MANIFESTS)
        return MANIFESTS
    for doc in docs:
        if doc.data is None:
            continue
        if isinstance(doc.data, dict):
            if doc.data.get("kind") == SCENARIO_KIND:
                return SCENARIO
            if doc.data.get("kind") == RECORDING_KIND:
                return RECORDING
        return MANIFESTS
    return MANIFESTS


def _first_document_text(text: str) -> str | None:
    """The text of the first non-empty YAML document (without parsing the rest: files can be
    large), or None when it cannot be told cheaply."""
    chunk: list[str] = []
    for line in text.splitlines():
        if line == "---" or line.startswith(("--- ", "---\t")):
            if any(ln.strip() and not ln.lstrip().startswith("#") for ln in chunk):
                break
            chunk = []
            continue
        if line.startswith("%"):  # directives: leave it to the full parser
            return None
        chunk.append(line)
    return "\n".join(chunk) if any(ln.strip() and not ln.lstrip().startswith("#") for ln in chunk) else None


def detect(path: str) -> str:
    return detect_text(read_text(path))


# -- scenario and manifest files ------------------------------------------------------------------

@dataclass
class ScenarioFile:
    path: str
    kind: str                       # MANIFESTS or SCENARIO
    header: Header
    header_node: Node | None
    scenario: Scenario | None
    manifests: list[Any] = field(default_factory=list)  # loader.Manifest


def parse_file(path: str, errors: list[K9pyError] | None = None, text: str | None = None) -> ScenarioFile:
    """Parse a manifests or Scenario file. With ``errors`` every problem is appended there (and
    what could be parsed is returned); without, the first problem raises."""
    from k9py.scenario.loader import Manifest, _checked, _field_error

    collect: list[K9pyError] = [] if errors is None else errors

    def fail(err: K9pyError) -> None:
        if errors is None:
            raise err
        collect.append(err)

    text = read_text(path) if text is None else text
    out = ScenarioFile(path, MANIFESTS, schema.parse_header(None), None, None)
    try:
        docs = parse_documents(text)
    except YamlError as err:
        from k9py.scenario import loader
        at = getattr(loader, "_document_at", None)  # the loader names the document of a syntax error
        doc = f"document {at(text, err.line)}" if at is not None and err.line else None
        fail(K9pyError(err.message, file=path, line=err.line, document=doc))
        return out
    seen: dict[tuple[str, str, str], int] = {}
    first = True
    for doc in docs:
        data = doc.data
        if data is None:
            continue
        label = f"document {doc.index}"
        if not isinstance(data, dict):
            what = "a list" if isinstance(data, list) else f"a {type(data).__name__} ({schema.show(data)})"
            fail(K9pyError(f"must be a mapping (a Kubernetes object), not {what}", file=path, line=doc.line,
                           document=label))
            first = False
            continue
        if is_scenario(data) or schema.is_header(data):
            kind = SCENARIO_KIND if is_scenario(data) else schema.HEADER_KIND
            if not first:
                fail(K9pyError(f"the {kind} document must be the first document", file=path, line=doc.line,
                               document=label))
                continue
            first = False
            out.header_node = doc.node
            try:
                if is_scenario(data):
                    step_errors: list[FieldError] = []
                    out.scenario = parse_scenario(data, step_errors)
                    out.kind, out.header = SCENARIO, out.scenario.header
                    for fe in step_errors:
                        fail(_field_error(path, doc.node, f"{label} ({kind})", fe))
                else:
                    out.header = schema.parse_header(data)
            except FieldError as fe:
                fail(_field_error(path, doc.node, f"{label} ({kind})", fe))
                if is_scenario(data):
                    out.kind = SCENARIO
            out.header.document = doc.index
            continue
        first = False
        if data.get("kind") == "List" and data.get("apiVersion") == "v1":
            items = data.get("items")
            items_node, _ = child(doc.node, "items")
            if not isinstance(items, list) or items_node is None:
                fail(_field_error(path, doc.node, f"{label} (List)",
                                  FieldError("items", f"Invalid value: {schema.show(items)}: must be a list")))
                continue
            for i, item in enumerate(items):
                node, _ = child(items_node, i)
                m = Manifest(item, node or doc.node, doc.index, i)
                if not isinstance(item, dict):
                    fail(K9pyError("must be a mapping (a Kubernetes object)", file=path,
                                   line=line_of(m.node, []), document=m.label))
                    continue
                try:
                    out.manifests.append(_checked(path, m, seen))
                except K9pyError as err:
                    fail(err)
            continue
        try:
            out.manifests.append(_checked(path, Manifest(data, doc.node, doc.index), seen))
        except K9pyError as err:
            fail(err)
    return out


def build_cluster(sf: ScenarioFile, *, seed: int | None = None, start: float | None = None,
                  warmup: float | None = None) -> Any:
    """The simulated cluster of a parsed file: nodes, manifests, warm-up, then (for a Scenario)
    the timeline attached with t=0 now."""
    from k9py.scenario.loader import DEFAULT_WARMUP, _add_nodes, _create
    from k9py.sim.cluster import Cluster

    header = sf.header
    cluster = Cluster(seed=seed if seed is not None else (header.seed or 0), start=start, name=header.name)
    with cluster.lock:
        _add_nodes(cluster, header, sf.header_node, sf.path)
        ordered = [m for m in sf.manifests if m.obj.get("kind") == "Namespace"]
        ordered += [m for m in sf.manifests if m.obj.get("kind") != "Namespace"]
        for m in ordered:
            _create(cluster, m, sf.path)
        cluster.settle()
        run_for = warmup if warmup is not None else header.warmup
        cluster.advance(DEFAULT_WARMUP if run_for is None else run_for)
        if sf.scenario is not None:
            attach(cluster, sf.scenario)
    return cluster


def load_scenario_cluster(path: str, *, seed: int | None = None, start: float | None = None,
                          warmup: float | None = None) -> Any:
    text = read_text(path)
    if detect_text(text) == RECORDING:
        raise K9pyError("is a Recording, not a scenario: play it with `k9py replay FILE`", file=path)
    return build_cluster(parse_file(path, text=text), seed=seed, start=start, warmup=warmup)


# -- every kind ----------------------------------------------------------------------------------------

def check(path: str) -> list[K9pyError]:
    """Every problem of the file (empty: it is fine). Files that parse are also built (with no
    warm-up), so what the simulated apiserver would refuse is reported too."""
    errors: list[K9pyError] = []
    try:
        text = read_text(path)
    except K9pyError as err:
        return [err]
    kind = detect_text(text)
    if kind == RECORDING:
        from k9py.scenario.recording import parse_recording
        parse_recording(path, text, errors)
        return errors
    sf = parse_file(path, errors, text)
    if not errors:
        try:
            build_cluster(sf, warmup=0)
        except K9pyError as err:
            errors.append(err)
    return errors


def open_scenario(path: str, *, seed: int | None = None, start: float | None = None,
                  warmup: float | None = None) -> tuple[str, Any]:
    """(RECORDING, Player) or (SCENARIO|MANIFESTS, Cluster); K9pyError naming the first problem."""
    text = read_text(path)
    kind = detect_text(text)
    if kind == RECORDING:
        from k9py.scenario.player import Player
        from k9py.scenario.recording import parse_recording
        return kind, Player(parse_recording(path, text))
    return kind, build_cluster(parse_file(path, text=text), seed=seed, start=start, warmup=warmup)
