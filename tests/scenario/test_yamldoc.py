"""Field paths → lines in multi-document YAML."""

from __future__ import annotations

import pytest

from k9py.scenario.yamldoc import YamlError, line_of, parse_documents, split_path

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
