"""docs/scenario.schema.json describes the bundled files (and rejects what the loader rejects)."""

from __future__ import annotations

import glob
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from k9py.scenario import files
from k9py.scenario.yamldoc import parse_documents

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "scenario.schema.json").read_text())


def errors(value: Any, schema: dict, path: str = "$") -> list[str]:
    """A small JSON Schema (2020-12 subset) validator: the keywords the schema uses."""
    if "$ref" in schema:
        ref = schema["$ref"].split("/")[-1]
        return errors(value, SCHEMA["$defs"][ref], path) + errors(value, {k: v for k, v in schema.items() if k != "$ref"}, path)
    out: list[str] = []
    types = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}
    if "type" in schema:
        wanted = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any((isinstance(value, (int, float)) and not isinstance(value, bool)) if t == "number" else
                 (isinstance(value, int) and not isinstance(value, bool)) if t == "integer" else isinstance(value, types[t])
                 for t in wanted)
        if not ok:
            return [f"{path}: not {wanted}"]
    if "const" in schema and value != schema["const"]:
        out.append(f"{path}: != {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: not in {schema['enum']}")
    if "minimum" in schema and isinstance(value, (int, float)) and value < schema["minimum"]:
        out.append(f"{path}: < {schema['minimum']}")
    if "minLength" in schema and isinstance(value, str) and len(value) < schema["minLength"]:
        out.append(f"{path}: too short")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        out.append(f"{path}: does not match {schema['pattern']}")
    if isinstance(value, dict):
        for r in schema.get("required", []):
            if r not in value:
                out.append(f"{path}: {r} is required")
        props = schema.get("properties", {})
        for k, v in value.items():
            if k in props:
                out += errors(v, props[k], f"{path}.{k}")
            elif schema.get("additionalProperties") is False:
                out.append(f"{path}: unknown {k}")
            elif isinstance(schema.get("additionalProperties"), dict):
                out += errors(v, schema["additionalProperties"], f"{path}.{k}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            out.append(f"{path}: too few items")
        if "items" in schema:
            for i, v in enumerate(value):
                out += errors(v, schema["items"], f"{path}[{i}]")
    if "oneOf" in schema:
        passing = [s for s in schema["oneOf"] if not errors(value, s, path)]
        if len(passing) != 1:
            out.append(f"{path}: matches {len(passing)} of oneOf")
    return out


def first_document(path: str) -> Any:
    text = files.read_text(path)
    if text.lstrip().startswith("{"):
        return json.loads(text.split("\n", 1)[0])
    return next(d.data for d in parse_documents(text) if d.data is not None)


BUNDLED = [*sorted(glob.glob(str(ROOT / "scenarios" / "*.yaml"))), str(ROOT / "docs/examples/incident-checkout-oom.scenario.yaml")]


@pytest.mark.parametrize("path", [p for p in BUNDLED if files.detect(p) != files.MANIFESTS], ids=lambda p: Path(p).name)
def test_bundled_files_match_the_schema(path):
    assert errors(first_document(path), SCHEMA) == []


def test_schema_rejects_what_the_loader_rejects():
    doc = yaml.safe_load((ROOT / "scenarios" / "self-healing.yaml").read_text().split("\n---\n")[0])
    assert errors(doc, SCHEMA) == []
    bad_step = json.loads(json.dumps(doc))
    bad_step["spec"]["timeline"][0]["scale"] = {"name": "web", "replicas": 2}  # two actions
    assert errors(bad_step, SCHEMA)
    bad_at = json.loads(json.dumps(doc))
    bad_at["spec"]["timeline"][0]["at"] = "soon"
    assert errors(bad_at, SCHEMA)
    rec = {"kind": "Recording", "version": 1, "start": "2026-11-01T09:00:00Z", "events": [
        {"t": 0, "type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "a"}}},
        {"t": 1, "type": "LOG", "pod": "a", "line": "hi"}]}
    assert errors(rec, SCHEMA) == []
    rec["events"].append({"t": 2, "type": "CHANGED", "object": {"kind": "Pod", "metadata": {"name": "a"}}})
    assert errors(rec, SCHEMA)


def test_full_validator_when_available():
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    for path in BUNDLED:
        if files.detect(path) != files.MANIFESTS:
            jsonschema.validate(first_document(path), SCHEMA)
