"""Multi-document YAML with positions: each document's data plus its node tree, so errors can
name the line of a field (``line_of(node, "spec.template.spec.containers[0].image")``).

Parsing follows what `kubectl apply -f` accepts (sigs.k8s.io/yaml): timestamps stay strings,
keys become strings, a key repeated in one mapping is an error. ``load_fast`` is the same without
positions or checks, for large files (recordings) that are read again with positions only when
something is wrong.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from k9py.kube.unicode import digits

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_L = TypeVar("_L", bound=BaseResolver)


def _without_timestamps(base: type[_L]) -> type[_L]:
    """``base`` without the timestamp resolver: `2026-01-01` stays a string, as in JSON."""
    resolvers = {first: [(tag, rx) for tag, rx in found if tag != _TIMESTAMP]
                 for first, found in base.yaml_implicit_resolvers.items()}
    return cast(type[_L], type(f"{base.__name__}NoTimestamps", (base,), {"yaml_implicit_resolvers": resolvers}))


def _remembering_tags(base: type[_L]) -> type[_L]:
    """``base`` whose resolver remembers the tag of each plain scalar's text: without path
    resolvers (none here) that tag depends on the text alone, and a big scenario repeats its
    texts (``app``, ``ClusterIP``, ``80``) tens of thousands of times (a fifth of composing)."""

    loader: Any = base  # a loader class: its __init__ takes the stream

    def __init__(self: Any, stream: Any) -> None:
        self._plain_tags = {}
        loader.__init__(self, stream)

    def resolve(self: Any, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            tag = self._plain_tags.get(value)
            if tag is None:
                tag = self._plain_tags[value] = base.resolve(self, kind, value, implicit)
            return tag
        return base.resolve(self, kind, value, implicit)

    assert not base.yaml_path_resolvers
    return cast(type[_L], type(f"{base.__name__}Remembering", (base,), {"__init__": __init__, "resolve": resolve}))


def _bounded_ints(base: type[_L]) -> type[_L]:
    """``base`` whose integers longer than Python converts (``sys.get_int_max_str_digits``: 4300
    digits) are a YAML error at their line, not a ValueError from deep in the constructor."""
    constructors: dict[str, Any] = cast(Any, base).yaml_constructors  # a loader class's
    construct = constructors[_INT]

    def construct_int(loader: Any, node: Node) -> Any:
        try:
            return construct(loader, node)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number of {len(str(node.value))} digits: too large", node.start_mark) from None

    return cast(type[_L], type(f"{base.__name__}Bounded", (base,), {
        "yaml_constructors": {**constructors, _INT: construct_int}}))


def _core_bools(base: type[_L]) -> type[_L]:
    """``base`` with YAML 1.2's booleans alone (``true``/``false``, gopkg.in/yaml.v3's, which
    k9s reads its files with): ``no``, ``yes``, ``on``, ``off`` are strings (``aliases: {no: nodes}``)."""
    resolvers = {first: [(tag, rx) for tag, rx in found if tag != _BOOL]
                 for first, found in base.yaml_implicit_resolvers.items()}
    for first in "tTfF":
        resolvers[first] = [(_BOOL, _CORE_BOOL), *resolvers.get(first, [])]
    return cast(type[_L], type(f"{base.__name__}CoreBools", (base,), {"yaml_implicit_resolvers": resolvers}))


_BOOL = "tag:yaml.org,2002:bool"
_CORE_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = "tag:yaml.org,2002:int"
_Loader = _bounded_ints(_without_timestamps(yaml.SafeLoader))
_CoreLoader = _core_bools(_Loader)
_FastLoader = (_remembering_tags(_bounded_ints(_without_timestamps(yaml.CSafeLoader))) if hasattr(yaml, "CSafeLoader")
               else _Loader)  # libyaml when built with it


MAX_DEPTH = 100  # nesting levels; a Kubernetes object nests a few dozen at most
ALIAS_SLACK = 100_000  # values aliases may add beyond twice the file's own (go-yaml: "excessive aliasing")
EXCESSIVE_ALIASING = "yaml: document contains excessive aliasing"


def load_fast(text: str) -> list[Any]:
    """Every document's data (libyaml when available; no positions, keys as parsed, repeated
    keys not checked). ``yaml.YAMLError`` on bad YAML, ``YamlError`` on a document nested too
    deep or blown up by aliases (a "billion laughs")."""
    try:
        docs = list(yaml.load_all(text, Loader=_FastLoader))
    except RecursionError:
        raise YamlError(f"yaml: nested more than {MAX_DEPTH} levels deep", None) from None
    for i, data in enumerate(docs, 1):
        _check_shape(data, lambda v: _data_children(v), lambda _v, i=i: i, per_document=True)
    return docs


def check_data(data: Any) -> None:
    """Refuse decoded data (JSON's or YAML's) nested deeper than MAX_DEPTH or blown up by aliases,
    as ``load_fast`` does: ``YamlError`` (no line)."""
    _check_shape(data, _data_children, lambda _v: None)


def not_finite(data: Any) -> tuple[str, str] | None:
    """(the path, the message) of the first number JSON has no place for (YAML's ``.inf``,
    ``.nan``, ``1.0e+999``): sigs.k8s.io/yaml refuses such a document on its way to JSON, in
    these words, and a stored one would make every list of its kind fail to encode."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, v = stack.pop()
        if isinstance(v, float) and not math.isfinite(v):
            what = "NaN" if math.isnan(v) else ("+Inf" if v > 0 else "-Inf")
            return path, f"error converting YAML to JSON: json: unsupported value: {what}"
        if isinstance(v, dict):
            stack.extend((f"{path}.{k}" if path else str(k), x) for k, x in reversed(list(v.items())))
        elif isinstance(v, list):
            stack.extend((f"{path}[{i}]", x) for i, x in reversed(list(enumerate(v))))
    return None


def load_one(text: str) -> Any:
    """One document's data (None for none), checked as ``load_fast``'s; ``yaml.YAMLError`` for
    bad YAML or more than one document, ``YamlError`` for one too deep or blown up by aliases."""
    docs = load_fast(text)
    if len(docs) > 1:
        raise yaml.YAMLError("expected a single document in the stream")
    return docs[0] if docs else None


def _data_children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return value
    return []


def _node_children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _check_shape(root: Any, children: Any, line: Any, *, per_document: bool = False) -> None:
    """Refuse what would hang or exhaust whoever walks ``root`` as a tree: nesting deeper than
    MAX_DEPTH, an alias that contains itself, and aliases that multiply the document (its size
    counted as a tree, shared values once per use, against twice its distinct values plus
    ALIAS_SLACK). Iterative: the check itself cannot overflow the stack. ``line(v)``: where to
    point (``per_document``: ``line`` gives the document's number instead)."""
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    open_: set[int] = set()
    distinct = 0
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        value, done = stack.pop()
        key = id(value)
        kids = children(value)
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            height[key] = 1 + max((height[id(k)] for k in kids), default=0)
            if height[key] > MAX_DEPTH:
                where = line(value)
                raise YamlError(f"yaml: nested more than {MAX_DEPTH} levels deep"
                                + (f" (document {where})" if per_document else ""), None if per_document else where)
            continue
        if key in size:
            continue
        if key in open_:
            where = line(value)
            raise YamlError("yaml: an alias refers to the value that contains it"
                            + (f" (document {where})" if per_document else ""), None if per_document else where)
        open_.add(key)
        distinct += 1
        stack.append((value, True))
        stack.extend((k, False) for k in kids if id(k) not in size)
    if size[id(root)] > 2 * distinct + ALIAS_SLACK:
        where = line(root)
        raise YamlError(EXCESSIVE_ALIASING + (f" (document {where})" if per_document else ""),
                        None if per_document else where)


def _is_shallow_tree(root: Node) -> bool:
    """True when no collection under ``root`` is reached twice (no alias shares or loops one)
    and none nests deeper than MAX_DEPTH: all ``_check_shape`` would find, in one cheap pass."""
    seen: set[int] = set()
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        # a collection's children (scalars too, which are not walked) are one level deeper
        if depth > MAX_DEPTH or (depth == MAX_DEPTH and node.value) or id(node) in seen:
            return False
        seen.add(id(node))
        if isinstance(node, MappingNode):
            stack.extend((n, depth + 1) for pair in node.value for n in pair if not isinstance(n, ScalarNode))
        elif isinstance(node, SequenceNode):
            stack.extend((n, depth + 1) for n in node.value if not isinstance(n, ScalarNode))
    return True


class YamlError(Exception):
    """A YAML problem at a 1-based line."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class Lines:
    """Where a document's values are: a compact copy of the YAML node tree that keeps only what
    ``line_of`` reads (a node's line; a mapping's keys with their lines; a sequence's items).
    PyYAML's nodes and their marks cost ~500 bytes a value and are kept as long as the file's
    cluster runs (for FILE:LINE errors): 30 MB for a 10,000-pod scenario."""

    __slots__ = ("items", "keys", "line")

    def __init__(self, line: int, keys: dict[str, tuple[int, Lines]] | None = None,
                 items: list[Lines] | None = None) -> None:
        self.line = line  # 0-based, as PyYAML's marks
        self.keys = keys
        self.items = items


def _lines_of(root: Node) -> Lines:
    """The ``Lines`` tree of a node tree (a value an alias shares stays shared). Iterative: a
    document nested as deep as allowed cannot overflow the stack."""
    made: dict[int, Lines] = {}
    order: list[Node] = []
    stack = [root]
    while stack:  # every node once, parents before children
        node = stack.pop()
        if id(node) in made:
            continue
        made[id(node)] = Lines(node.start_mark.line)
        order.append(node)
        if isinstance(node, MappingNode):
            stack.extend(value for _key, value in node.value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    for node in order:
        lines = made[id(node)]
        if isinstance(node, MappingNode):
            keys: dict[str, tuple[int, Lines]] = {}
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.value not in keys:
                    keys[key.value] = (key.start_mark.line, made[id(value)])
            lines.keys = keys
        elif isinstance(node, SequenceNode):
            lines.items = [made[id(item)] for item in node.value]
    return made[id(root)]


@dataclass
class Document:
    index: int  # 1-based position in the file (every `---` document counts)
    node: Lines
    data: Any

    @property
    def line(self) -> int:
        return self.node.line + 1


def parse_documents(text: str, *, core_bools: bool = False) -> list[Document]:
    """Every document of ``text`` (empty ones included, as None data); YamlError on bad YAML.
    ``core_bools``: YAML 1.2's booleans only (the user's k9s files), not sigs.k8s.io/yaml's 1.1 ones.

    libyaml composes the node tree when it is built in (5-10x faster on a big scenario); any
    problem is reported by PyYAML's own parser, so the messages and lines never depend on it."""
    if core_bools:
        return _parse_with(_CoreLoader, text)
    if _FastLoader is not _Loader and len(text) > _FAST_FROM and not _Loader.NON_PRINTABLE.search(text):
        try:
            return _parse_with(_FastLoader, text)
        except (YamlError, yaml.YAMLError, RecursionError):
            pass
    return _parse_with(_Loader, text)


_FAST_FROM = 4096  # characters: below this PyYAML alone is fast enough


def _parse_with(loader_type: type[Any], text: str) -> list[Document]:
    try:
        loader = loader_type(text)  # PyYAML's reader refuses control characters at once
    except yaml.YAMLError as err:
        position = getattr(err, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        raise YamlError(_reader_message(err), line) from None
    docs: list[Document] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node said there was one
                break
            try:
                lines, data = _plain_document(loader, node)
            except _NotPlain:
                if not _is_shallow_tree(node):  # aliases: the whole check
                    _check_shape(node, _node_children, lambda n: n.start_mark.line + 1)
                _check_duplicate_keys(node, set())
                lines, data = _lines_of(node), _json_shaped(loader.construct_document(node))
            docs.append(Document(len(docs) + 1, lines, data))
    except yaml.MarkedYAMLError as err:
        problem, mark = marked_problem(err)
        raise YamlError(f"yaml: {problem}", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as err:  # pragma: no cover - unmarked reader errors
        raise YamlError("yaml: " + str(err).replace("\n", " "), None) from None
    except RecursionError:  # the composer is recursive: deeper than Python's stack
        raise YamlError(f"yaml: nested more than {MAX_DEPTH} levels deep", loader.get_mark().line + 1) from None
    finally:
        loader.dispose()
    return docs



def marked_problem(err: yaml.MarkedYAMLError) -> tuple[str, Any]:
    """PyYAML's error on one line (``PROBLEM (CONTEXT)``; its own text spans three) and the mark
    it points at (``.name``, ``.line`` from 0), None when it has none."""
    problem = err.problem or err.context or "invalid YAML"
    text = problem + (f" ({err.context})" if err.problem and err.context else "")
    return text.replace("\n", " "), err.problem_mark or err.context_mark

_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_CORE_SCALARS = frozenset({"tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
                           "tag:yaml.org,2002:float"})


class _NotPlain(Exception):
    """The document needs the general path (which also says what is wrong with it)."""


def _plain_document(loader: Any, root: Node) -> tuple[Lines, Any]:
    """A document's ``Lines`` and JSON-shaped data in one walk, for what nearly every manifest
    is: a tree (no alias shares a collection) of maps, sequences and YAML's core scalars, keys
    scalar and not repeated, at most MAX_DEPTH deep. The general path makes the same in four
    walks and PyYAML's constructor (three times slower); _NotPlain when it must."""
    return _walk(loader, set(), root, 1)


def _walk(loader: Any, shared: set[int], node: Node, depth: int) -> tuple[Lines, Any]:
    """``_plain_document``'s walk; ``shared``: the collections seen (one reached twice is an
    alias's). A function of its own, not a closure: a closure calling itself is a reference
    cycle, garbage only the cyclic collector frees (one per document of a big file)."""
    cls = node.__class__
    if cls is ScalarNode:
        tag = node.tag
        if tag == _STR:
            return Lines(node.start_mark.line), node.value
        if tag in _CORE_SCALARS:
            return Lines(node.start_mark.line), loader.yaml_constructors[tag](loader, node)
        raise _NotPlain
    if depth >= MAX_DEPTH or id(node) in shared:
        raise _NotPlain
    shared.add(id(node))
    if cls is MappingNode and node.tag == _MAP:
        keys: dict[str, tuple[int, Lines]] = {}
        data: dict[str, Any] = {}
        for key, value in node.value:
            if key.__class__ is not ScalarNode:
                raise _NotPlain
            text = key.value
            if text in keys:  # repeated: the general path says where
                raise _NotPlain
            tag = key.tag
            if tag == _STR:
                name = text
            elif tag in _CORE_SCALARS:
                name = _scalar_text(loader.yaml_constructors[tag](loader, key))
            else:  # a merge key (<<), a tagged key
                raise _NotPlain
            lines, data[name] = _walk(loader, shared, value, depth + 1)
            keys[text] = (key.start_mark.line, lines)
        return Lines(node.start_mark.line, keys=keys), data
    if cls is SequenceNode and node.tag == _SEQ:
        items: list[Lines] = []
        values: list[Any] = []
        for item in node.value:
            lines, value = _walk(loader, shared, item, depth + 1)
            items.append(lines)
            values.append(value)
        return Lines(node.start_mark.line, items=items), values
    raise _NotPlain


def _reader_message(err: yaml.YAMLError) -> str:
    """PyYAML's reader error on one line: ``yaml: unacceptable character #x0008: …``."""
    if isinstance(err, yaml.reader.ReaderError):
        return f"yaml: unacceptable character #x{err.character:04x}: special characters are not allowed"
    return "yaml: " + str(err).replace("\n", " ")


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
        elif digits(index):
            out.append(int(index))
        else:
            out.append(index)
    return out


def child(node: Lines | None, step: str | int) -> tuple[Lines | None, int | None]:
    """The node under ``step`` and the line to blame for it (a key's line for mappings)."""
    if node is None:
        return None, None
    if node.keys is not None and isinstance(step, str):
        found = node.keys.get(step)
        if found is not None:
            return found[1], found[0] + 1
    if node.items is not None and isinstance(step, int) and 0 <= step < len(node.items):
        item = node.items[step]
        return item, item.line + 1
    return None, None


def line_of(node: Lines, path: str | list[str | int]) -> int:
    """Line of the deepest part of ``path`` present under ``node`` (the node's own line if none)."""
    steps = split_path(path) if isinstance(path, str) else path
    line = node.line + 1
    cur: Lines | None = node
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
