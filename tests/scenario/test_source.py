"""The one reader of the scenario formats: its problem collector, its documents with lines, and
that loading a file and checking it report the same first problem (one parser, two modes)."""

from __future__ import annotations

import pytest

from k9py.errors import K9pyError
from k9py.scenario import files
from k9py.scenario.loader import load_cluster
from k9py.scenario.source import (
    MANIFESTS,
    RECORDING,
    Problems,
    detect_text,
    json_lines,
    json_lines_header,
    yaml_documents,
)

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - {name: web, image: nginx}\n"


def test_problems_raise_the_first_without_a_sink():
    problems = Problems("f.yaml")
    with pytest.raises(K9pyError) as info:
        problems.add("bad", line=3, document="document 1", field="spec")
    assert str(info.value) == "f.yaml:3: document 1: spec: bad"


def test_problems_collect_every_one_with_a_sink():
    sink: list[K9pyError] = []
    problems = Problems("f.yaml", sink)
    problems.add("one", line=1)
    problems.add("two")
    assert [str(e) for e in sink] == ["f.yaml:1: one", "f.yaml: two"]


def test_yaml_syntax_error_is_reported_with_its_document():
    sink: list[K9pyError] = []
    text = POD + "---\n" + "a: 1\nb: [1, 2\nc: 3\n"
    assert yaml_documents(text, Problems("f.yaml", sink)) is None
    [err] = sink
    assert (err.line, err.document) == (11, "document 2") and err.message.startswith("yaml: ")
    sink.clear()
    assert yaml_documents("a: [1\n", Problems("f.yaml", sink), name_document=False) is None
    assert sink[0].document is None


def test_json_lines_number_the_file_lines_and_report_bad_ones():
    text = '\n{"kind": "Recording"}\n{"t": 0}\n\nnot json\n{"t": 1}\n'
    assert json_lines_header(text) == {"kind": "Recording"}
    sink: list[K9pyError] = []
    got = list(json_lines(text, Problems("r.jsonl", sink)))
    assert [(x.line, x.data) for x in got] == [(2, {"kind": "Recording"}), (3, {"t": 0}), (6, {"t": 1})]
    assert [str(e) for e in sink] == ["r.jsonl:5: not valid JSON: Expecting value (column 1)"]


def test_one_line_with_events_is_yaml_not_json_lines():
    assert json_lines_header('{"kind": "Recording", "start": "2026-01-01T00:00:00Z", "events": []}') is None
    assert detect_text('{"kind": "Recording", "start": "2026-01-01T00:00:00Z", "events": []}') == RECORDING
    assert detect_text('{"kind": "Recording", "start": "2026-01-01T00:00:00Z"}\n{"t": 0}\n') == RECORDING
    assert detect_text('{"apiVersion": "v1", "kind": "Pod"}\n') == MANIFESTS


@pytest.mark.parametrize("text", [
    POD + "---\nkind: Pod\napiVersion: v1\nmetadata: {name: web}\n",  # defined twice
    POD.replace("kind: Pod", "kind: Pdo"),
    "apiVersion: k9py.dev/v1alpha1\nkind: SimCluster\nspec:\n  seeds: 1\n",
    POD + "---\napiVersion: k9py.dev/v1alpha1\nkind: SimCluster\nspec: {}\n",
    POD + "---\n- 1\n- 2\n",
    "apiVersion: v1\nkind: List\nitems:\n- 3\n",
    "a: [1\n",
])
def test_loading_raises_the_first_problem_that_check_lists(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    checked = files.check(str(path))
    with pytest.raises(K9pyError) as info:
        load_cluster(str(path), warmup=0)
    assert checked and str(info.value) == str(checked[0])
