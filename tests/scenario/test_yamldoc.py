"""Field paths → lines in multi-document YAML."""

from __future__ import annotations

import pytest

from k9py.scenario import yamldoc
from k9py.scenario.yamldoc import YamlError, line_of, load_fast, parse_documents, split_path

TEXT = """\
# a comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  template:
    spec:
      containers:
      - name: a
        image: nginx
      - name: b
        resources:
          requests: {cpu: 1, memory: 1Gi}
---
---
apiVersion: v1
kind: ConfigMap
"""


def test_split_path():
    assert split_path("spec.containers[0].image") == ["spec", "containers", 0, "image"]
    assert split_path("metadata.labels[app.kubernetes.io/name]") == ["metadata", "labels", "app.kubernetes.io/name"]
    assert split_path("") == []


def test_documents_and_their_lines():
    docs = parse_documents(TEXT)
    assert [d.index for d in docs] == [1, 2, 3]
    assert docs[1].data is None
    assert docs[0].line == 2 and docs[2].line == 19
    assert docs[2].data == {"apiVersion": "v1", "kind": "ConfigMap"}


@pytest.mark.parametrize("path, line", [
    ("metadata.name", 5),
    ("metadata.labels[app]", 7),
    ("spec.template.spec.containers[0].image", 13),
    ("spec.template.spec.containers[1]", 14),
    ("spec.template.spec.containers[1].resources.requests[memory]", 16),
    ("spec.template.spec.containers[1].image", 14),  # missing field: its container's line
    ("spec.replicas", 8),                            # missing: the deepest present parent
    ("nothing.here", 2),
])
def test_line_of(path, line):
    node = parse_documents(TEXT)[0].node
    assert line_of(node, path) == line


def test_non_string_keys_become_strings():
    [doc] = parse_documents("data:\n  80: http\n  true: yes\n")
    assert doc.data == {"data": {"80": "http", "true": True}}


def test_unclosed_flow_sequence():
    with pytest.raises(YamlError) as info:
        parse_documents("a: 1\nb: [1, 2\nc: 3\n")
    assert info.value.line == 3  # where the parser gave up, as goyaml reports it


# Big texts are composed by libyaml (when PyYAML is built with it): the answers, lines and
# errors must be those of the pure-Python parser.
PADDING = "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: pad{i}}}\ndata: {{k: v}}\n"
                  for i in range(120))


def test_big_texts_give_the_same_documents_and_lines():
    text = PADDING + "---\n" + TEXT
    assert len(text) > 4096
    docs = parse_documents(text)
    first = len(PADDING.split("---\n"))  # the index of TEXT's first document
    assert docs[first - 1].data["metadata"]["name"] == "web"
    offset = PADDING.count("\n") + 1
    assert line_of(docs[first - 1].node, "spec.template.spec.containers[0].image") == 13 + offset
    assert docs[-1].line == 19 + offset


@pytest.mark.parametrize("tail, message, line", [
    ("a: 1\nb: [1, 2\nc: 3\n", "yaml: ", 3),
    ("a: 1\na: 2\n", 'yaml: mapping key "a" already defined at line ', 2),
    ("x: &a [1, 2]\ny: *a\nz: *a\nw: &w [*w]\n", "yaml: an alias refers to the value that contains it", None),
])
def test_big_texts_give_the_same_errors(tail, message, line):
    for text in (tail, PADDING + "---\n" + tail):
        with pytest.raises(YamlError) as info:
            parse_documents(text)
        assert info.value.message.startswith(message)
        if line is not None:
            offset = 0 if text is tail else PADDING.count("\n") + 1
            assert info.value.line == line + offset


def test_big_texts_are_checked_for_nesting():
    deep = "a: " + "[" * 150 + "]" * 150 + "\n"
    with pytest.raises(YamlError, match="nested more than 100 levels"):
        parse_documents(PADDING + "---\n" + deep)


@pytest.mark.parametrize("levels, refused", [(98, False), (99, True)])
def test_big_and_small_texts_refuse_the_same_nesting(levels, refused):
    """A scalar counts as a level, as it does for the files read without positions (load_fast)."""
    deep = "a: " + "{a: " * levels + "1" + "}" * levels + "\n"
    for text in (deep, PADDING + "---\n" + deep):
        for parse in (parse_documents, load_fast):
            if refused:
                with pytest.raises(YamlError, match="nested more than 100 levels"):
                    parse(text)
            else:
                parse(text)


# -- the one-walk path and the general one agree ----------------------------------------------
AGREEING = [
    TEXT,
    "1: a\n01: b\nnull: d\n~: e\n1.5: f\n0x10: g\n1:30: h\nb:\n  true: c\n  yes: c2\n  False: c3\n",
    "a: 1\nb: a\na: 2\n",                                  # a repeated key
    "x: &a {p: 1}\ny: *a\n",                               # an alias shares a mapping
    "x: &a hello\ny: *a\nz: [*a, *a]\n",                   # ... a scalar
    "base: &b {p: 1}\nm:\n  <<: *b\n  q: 2\n",             # a merge key
    "a: !!binary aGVsbG8=\nb: !!str 123\nc: !!int \"7\"\nd: !!float 1\n",
    "e: !custom x\n",
    "t: 2026-01-01\nu: !!timestamp 2026-01-01\n",
    "f: [.inf, -.Inf, 1e3, 6.5, 1_000, 0o17, 017, 190:20:30, +12]\n",
    "q: \"1\"\nr: '1'\ns: 1\nt: \"true\"\nu: true\nv: on\nw: \"null\"\nx: null\ny: ''\nz:\n",
    "? [a, b]\n: c\n",                                       # a key that is not a scalar
    "s: !!set {a, b}\no: !!omap [{a: 1}]\n",
    "---\n---\na: 1\n---\n",
    "a: " + "[" * 120 + "]" * 120 + "\n",                  # deeper than allowed
    "a: " + "[" * 98 + "]" * 98 + "\n",
    "seq: !!seq [1]\nmap: !!map {a: 1}\n",
    "- a\n- {b: [c, {d: e}]}\n",
]


def _outcome(text: str) -> str:
    def lines(node: object) -> object:
        return None if node is None else [node.line, None if node.keys is None else  # type: ignore[attr-defined]
                                          {k: (v[0], lines(v[1])) for k, v in node.keys.items()},  # type: ignore[attr-defined]
                                          None if node.items is None else [lines(i) for i in node.items]]  # type: ignore[attr-defined]
    try:
        return repr([(d.index, lines(d.node), d.data) for d in parse_documents(text)])
    except YamlError as err:
        return repr(("error", err.message, err.line))


@pytest.mark.parametrize("padded", [False, True], ids=["short", "libyaml"])
@pytest.mark.parametrize("text", AGREEING)
def test_the_one_walk_agrees_with_the_general_path(text, padded, monkeypatch):
    if padded:  # long enough for libyaml (and its resolver that remembers tags)
        text = "#" + " " * yamldoc._FAST_FROM + "\n" + text
    one_walk = _outcome(text)

    def general(loader, node):
        raise yamldoc._NotPlain
    monkeypatch.setattr(yamldoc, "_plain_document", general)
    assert _outcome(text) == one_walk


def test_a_plain_manifest_takes_the_one_walk():
    loader = yamldoc._Loader(TEXT)
    assert loader.check_node()
    lines, data = yamldoc._plain_document(loader, loader.get_node())
    assert data["spec"]["template"]["spec"]["containers"][1]["resources"] == {"requests": {"cpu": 1, "memory": "1Gi"}}
    assert line_of(lines, "spec.template.spec.containers[0].image") == 13


def test_parsing_leaves_no_cyclic_garbage():
    """A big file's documents are parsed before the first frame: garbage that only the cyclic
    collector frees (a closure calling itself was one per document) makes its pauses longer."""
    import gc

    from k9py.scenario.generate import generate

    text = generate(300, 6, seed=1)
    gc.collect()
    gc.disable()
    try:
        docs = parse_documents(text)
        assert len(docs) > 60
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_a_file_is_parsed_without_a_stop_for_the_cyclic_collector(tmp_path):
    """Parsing makes no cycles: the collector's walks over a big file's growing heap were a
    fifth of the parse, before the first frame."""
    import gc

    from k9py.scenario.generate import generate
    from k9py.scenario.manifests import parse_file

    path = tmp_path / "big.yaml"
    path.write_text(generate(300, 6, seed=1))
    collections: list[int] = []

    def count(phase, info):
        if phase == "start":
            collections.append(info["generation"])
    thresholds = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # CPython's own: many collections in a parse like this one
    gc.callbacks.append(count)
    try:
        sf = parse_file(str(path))
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*thresholds)
    assert len(sf.manifests) > 60 and gc.isenabled()
    assert len(collections) <= 1  # none while it parsed (at most one once the collector is back)
