"""Multi-document YAML with positions: each document's data plus its node tree, so errors can
name the line of a field (``line_of(node, "spec.template.spec.containers[0].image")``).

Parsing follows what `kubectl apply -f` accepts (sigs.k8s.io/yaml): timestamps stay strings,
keys become strings, a key repeated in one mapping is an error. ``load_fast`` is the same without
positions or checks, for large files (recordings) that are read again with positions only when
something is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_L = TypeVar("_L", bound=BaseResolver)


def _without_timestamps(base: type[_L]) -> type[_L]:
    """``base`` without the timestamp resolver: `2026-01-01` stays a string, as in JSON."""
    resolvers = {first: [(tag, rx) for tag, rx in found if tag != _TIMESTAMP]
                 for first, found in base.yaml_implicit_resolvers.items()}
    return cast(type[_L], type(f"{base.__name__}NoTimestamps", (base,), {"yaml_implicit_resolvers": resolvers}))


_Loader = _without_timestamps(yaml.SafeLoader)
_FastLoader = _without_timestamps(getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml when built with it


def load_fast(text: str) -> list[Any]:
    """Every document's data (libyaml when available; no positions, keys as parsed, repeated
    keys not checked). ``yaml.YAMLError`` on bad YAML."""
    return list(yaml.load_all(text, Loader=_FastLoader))


class YamlError(Exception):
    """A YAML problem at a 1-based line."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Document:
    index: int  # 1-based position in the file (every `---` document counts)
    node: Node
    data: Any

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1


def parse_documents(text: str) -> list[Document]:
    """Every document of ``text`` (empty ones included, as None data); YamlError on bad YAML."""
    loader = _Loader(text)
    docs: list[Document] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node said there was one
                break
            _check_duplicate_keys(node, set())
            data = loader.construct_document(node)
            docs.append(Document(len(docs) + 1, node, _json_shaped(data)))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        msg = f"yaml: {problem}" + (f" ({err.context})" if err.problem and err.context else "")
        raise YamlError(msg.replace("\n", " "), mark.line + 1 if mark else None) from None
    except yaml.YAMLError as err:  # pragma: no cover - unmarked reader errors
        raise YamlError("yaml: " + str(err).replace("\n", " "), None) from None
    finally:
        loader.dispose()
    return docs


def _check_duplicate_keys(node: Node, seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, MappingNode):
        first: dict[str, int] = {}
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                line = key.start_mark.line + 1
                if key.value in first:
                    raise YamlError(f'yaml: mapping key "{key.value}" already defined at line {first[key.value]}', line)
                first[key.value] = line
            _check_duplicate_keys(value, seen)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            _check_duplicate_keys(item, seen)


def _json_shaped(value: Any) -> Any:
    """Keys to strings (JSON objects have string keys); everything else as parsed."""
    if isinstance(value, dict):
        return {(k if isinstance(k, str) else _scalar_text(k)): _json_shaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_shaped(v) for v in value]
    return value


def _scalar_text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return str(value)


_TOKEN = re.compile(r"([^.\[\]]+)|\[([^\]]*)\]")


def split_path(path: str) -> list[str | int]:
    """``spec.containers[0].image`` → ["spec", "containers", 0, "image"]; ``labels[app]`` → key."""
    out: list[str | int] = []
    for name, index in _TOKEN.findall(path or ""):
        if name:
            out.append(name)
        elif index.isdigit():
            out.append(int(index))
        else:
            out.append(index)
    return out


def child(node: Node | None, step: str | int) -> tuple[Node | None, int | None]:
    """The node under ``step`` and the line to blame for it (a key's line for mappings)."""
    if isinstance(node, MappingNode) and isinstance(step, str):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == step:
                return value, key.start_mark.line + 1
    if isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        item = node.value[step]
        return item, item.start_mark.line + 1
    return None, None


def line_of(node: Node, path: str | list[str | int]) -> int:
    """Line of the deepest part of ``path`` present under ``node`` (the node's own line if none)."""
    steps = split_path(path) if isinstance(path, str) else path
    line = node.start_mark.line + 1
    cur: Node | None = node
    i = 0
    while i < len(steps):
        nxt, at, used = None, None, 1
        # map keys may contain dots (annotations like k9py.sim/crash-after): longest match first
        for j in range(len(steps), i, -1):
            part = steps[i:j]
            step: str | int = part[0]
            if j - i > 1:
                names = [x for x in part if isinstance(x, str)]
                if len(names) < len(part):
                    continue
                step = ".".join(names)
            nxt, at = child(cur, step)
            if nxt is not None:
                used = j - i
                break
        if nxt is None or at is None:
            break
        cur, line, i = nxt, at, i + used
    return line
