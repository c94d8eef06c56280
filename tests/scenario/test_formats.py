"""Scenario and Recording files: detection, and every problem reported as FILE:LINE: what."""

from __future__ import annotations

import gzip
import json

import pytest

from k9py.backends.replay import ReplayBackend
from k9py.commands import cmd_check
from k9py.errors import K9pyError
from k9py.scenario import files
from k9py.scenario.recording import parse_recording
from tests.scenario.helpers import jsonl, pod, write

SCENARIO = """\
apiVersion: k9py.dev/v1alpha1
kind: Scenario
metadata:
  name: t
description: a test
spec:
  warmup: 0s
  timeline:
  - at: 10s
    scale: {name: web, replicas: 2}
  - at: soon
    delete: {kind: Pod, name: x}
  - at: 20s
    scale: {name: web, replicas: -1}
  - at: 30s
    explode: {name: web}
  - at: 40s
    cordon: minikube
    drain: minikube
  - at: 50s
    delete: {kind: Pod}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: three
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata:
  name: ok
spec:
  containers: [{name: c, image: nginx}]
"""


def test_detects_each_kind(tmp_path):
    assert files.detect(write(tmp_path, "s.yaml", SCENARIO)) == files.SCENARIO
    assert files.detect("scenarios/demo.yaml") == files.MANIFESTS
    assert files.detect("scenarios/incident-checkout-oom.yaml") == files.RECORDING
    assert files.detect(write(tmp_path, "r.jsonl", jsonl([]))) == files.RECORDING
    gz = tmp_path / "r.jsonl.gz"
    gz.write_bytes(gzip.compress(jsonl([]).encode()))
    assert files.detect(str(gz)) == files.RECORDING


def test_scenario_check_lists_every_problem_with_its_line(tmp_path, capsys):
    path = write(tmp_path, "s.yaml", SCENARIO)
    assert cmd_check([path]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f'{path}:11: document 1 (Scenario): spec.timeline[1].at: Invalid value: "soon": must be a duration like 30s or 2m',
        f"{path}:14: document 1 (Scenario): spec.timeline[2].scale.replicas: Invalid value: -1: must be greater than or equal to 0",
        f'{path}:16: document 1 (Scenario): spec.timeline[3].explode: unknown action "explode": supported: apply, delete, '
        'scale, setImage, rolloutRestart, rolloutUndo, cordon, uncordon, drain, nodeDown, nodeUp, crash, log, pause',
        f"{path}:19: document 1 (Scenario): spec.timeline[4].drain: Invalid value: one action per step (found cordon, drain)",
        f"{path}:21: document 1 (Scenario): spec.timeline[5].delete: Required value: exactly one of name or selector",
        f'{path}:28: document 2 (Deployment web): spec.replicas: Invalid value: "three": must be an integer',
    ]


def test_opening_a_bad_scenario_raises_the_first_problem(tmp_path):
    path = write(tmp_path, "s.yaml", SCENARIO)
    with pytest.raises(K9pyError) as info:
        files.load_scenario_cluster(path)
    assert str(info.value).startswith(f"{path}:11: ")


def test_a_file_that_parses_is_built_so_admission_errors_are_reported(tmp_path, capsys):
    path = write(tmp_path, "s.yaml", """\
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: nowhere}
        spec:
          containers: [{name: c, image: nginx}]
        """)
    assert cmd_check([path]) == 2
    out = capsys.readouterr().out
    assert out.startswith(f"{path}:3: document 1 (Pod p): ") and 'namespaces "nowhere" not found' in out


def test_check_reports_every_object_the_apiserver_refuses_not_only_the_first(tmp_path, capsys):
    path = write(tmp_path, "s.yaml", """\
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: nowhere}
        spec:
          containers: [{name: c, image: nginx}]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: fine}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: s}
        spec:
          ports: [{port: 99999}]
        """)
    assert cmd_check([path]) == 2
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert out[0].startswith(f"{path}:3: document 1 (Pod p): ") and 'namespaces "nowhere" not found' in out[0]
    assert out[1].startswith(f"{path}:15: document 3 (Service s): spec.ports[0].port: Invalid value: 99999")


def test_check_ok(capsys):
    assert cmd_check(["scenarios/self-healing.yaml", "scenarios/incident-checkout-oom.yaml"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "scenarios/self-healing.yaml: ok (Scenario, 3 objects, 3 steps)"
    assert out[1].startswith("scenarios/incident-checkout-oom.yaml: ok (Recording, ")


def test_check_ok_counts_one_object_and_one_step_in_the_singular(capsys):
    assert cmd_check(["scenarios/pv-lifecycle.yaml"]) == 0
    assert capsys.readouterr().out == "scenarios/pv-lifecycle.yaml: ok (Scenario, 1 object, 6 steps)\n"


RECORDING_YAML = """\
kind: Recording
version: 1
start: 2026-11-01T09:00:00Z
context: prod
serverVersion: v1.30.2
events:
- t: 0
  type: ADDED
  object: {kind: Pod, metadata: {name: a}, spec: {containers: [{name: c, image: nginx}]}}
- t: 5
  type: CHANGED
  object: {kind: Pod, metadata: {name: a}}
- t: 3
  type: MODIFIED
  object: {kind: Pod, metadata: {name: a}, status: {phase: Running}}
- t: 1
  type: MODIFIED
  object: {kind: Pod, metadata: {name: a}}
- t: 7
  type: ADDED
  object: {kind: Widget, metadata: {name: w}}
- t: 8
  type: LOG
  namespace: default
  line: hello
- {t: -1, type: DELETED, object: {kind: Pod, metadata: {name: a}}}
"""


def test_recording_yaml_errors_with_lines(tmp_path, capsys):
    path = write(tmp_path, "r.yaml", RECORDING_YAML)
    assert cmd_check([path]) == 2
    assert capsys.readouterr().out.splitlines() == [
        f'{path}:11: events[1]: type: Unsupported value: "CHANGED": supported values: "ADDED", "MODIFIED", "DELETED", "LOG"',
        f"{path}:16: events[3]: t: Invalid value: 1: events must be in time order (the previous event is at t=3)",
        f'{path}:21: events[4]: object.kind: Unsupported value: "Widget": not a kind k9py serves',
        f"{path}:22: events[5]: pod: Required value",
        f"{path}:26: events[6]: t: Invalid value: -1: must be seconds since start (a number >= 0, at most ten years)",
    ]


def test_recording_jsonl_errors_name_the_line(tmp_path, capsys):
    text = jsonl([{"t": 0, "type": "ADDED", "object": pod("a")}]) + "{not json\n" + \
        json.dumps({"t": 1, "type": "ADDED", "object": {"kind": "Pod", "metadata": {}}}) + "\n"
    path = write(tmp_path, "r.jsonl", text)
    assert cmd_check([path]) == 2
    assert capsys.readouterr().out.splitlines() == [
        f"{path}:3: not valid JSON: Expecting property name enclosed in double quotes (column 2)",
        f"{path}:4: event 2: object.metadata.name: Required value",
    ]


@pytest.mark.parametrize(("field", "value", "words"), [
    ("uid", [1], "object.metadata.uid: Invalid value: [1]: must be a string"),
    ("ownerReferences", [{"uid": [1], "kind": "ReplicaSet", "name": "x", "controller": True}],
     "object.metadata.ownerReferences: Invalid value: "),
    ("ownerReferences", "x", "object.metadata.ownerReferences: Invalid value: "),
    ("ownerReferences", [None], "object.metadata.ownerReferences: Invalid value: "),
])
def test_a_recorded_uid_that_is_no_string_is_the_lines_error_not_a_crash(tmp_path, capsys, field, value, words):
    """The store indexes objects by their uid and their owners': a list there, or owner
    references that are no mappings, ended the replay with a TypeError or AttributeError when
    the object changed."""
    bad = pod("a")
    bad["metadata"][field] = value
    text = jsonl([{"t": 0, "type": "ADDED", "object": pod("a")}, {"t": 1, "type": "MODIFIED", "object": bad}])
    path = write(tmp_path, "r.jsonl", text)
    assert cmd_check([path]) == 2
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and out[0].startswith(f"{path}:3: event 2: {words}")
    with pytest.raises(K9pyError, match=r"r.jsonl:3: event 2: object.metadata"):
        ReplayBackend.open(path)


def test_a_recording_whose_times_are_not_finite_is_refused(tmp_path, capsys):
    """Python's json reads NaN (no JSON has it): a NaN duration replayed as 0 s."""
    header = '{"kind": "Recording", "version": 1, "start": "2026-11-01T09:00:00Z", "duration": NaN}\n'
    text = header + json.dumps({"t": 0, "type": "ADDED", "object": pod("a")}) + "\n" + \
        json.dumps({"t": 1, "type": "ADDED", "object": pod("b")}).replace('"t": 1', '"t": NaN') + "\n"
    path = write(tmp_path, "r.jsonl", text)
    assert cmd_check([path]) == 2
    assert capsys.readouterr().out.splitlines() == [
        f"{path}:1: header: duration: Invalid value: NaN: must be seconds or a duration like 5m (at most ten years)",
        f"{path}:3: event 2: t: Invalid value: NaN: must be seconds since start (a number >= 0, at most ten years)",
    ]


@pytest.mark.parametrize("t", ["Infinity", "1e308", "315360001"])
def test_a_recording_whose_times_are_past_ten_years_is_refused(tmp_path, capsys, t):
    """A t of Infinity (Python's json reads it) or 1e308 passed `scenario check` and the replay
    opened: its bar then stopped the app (OverflowError: cannot convert float infinity to
    integer), or drew a clock wider than the screen. Ten years is far past any recording."""
    header = '{"kind": "Recording", "version": 1, "start": "2026-11-01T09:00:00Z"}\n'
    text = header + json.dumps({"t": 0, "type": "ADDED", "object": pod("a")}) + "\n" + \
        json.dumps({"t": 1, "type": "ADDED", "object": pod("b")}).replace('"t": 1', f'"t": {t}') + "\n"
    path = write(tmp_path, "r.jsonl", text)
    said = f"{path}:3: event 2: t: Invalid value: {json.dumps(json.loads(t))}: must be seconds since start " \
        "(a number >= 0, at most ten years)"
    assert cmd_check([path]) == 2
    assert capsys.readouterr().out.splitlines() == [said]
    with pytest.raises(K9pyError) as err:
        ReplayBackend.open(path)
    assert str(err.value) == said
    long = write(tmp_path, "d.jsonl", header.replace("}", ', "duration": 1e300}') + text.split("\n", 1)[1])
    with pytest.raises(K9pyError, match="header: duration: Invalid value: 1e\\+300: must be seconds or a duration "):
        ReplayBackend.open(long)


def test_a_number_longer_than_python_converts_is_the_lines_error(tmp_path, capsys):
    """More than 4300 digits: int() raises a ValueError json and PyYAML let through (a traceback
    from scenario check, a replay, a manifest or a config file); it is the line's error, and a
    line the quick index took (inside an object) is played with the number as inf."""
    big = "9" * 5000
    text = jsonl([{"t": 0, "type": "ADDED", "object": pod("a")}]) + \
        json.dumps({"t": 1, "type": "ADDED", "object": pod("b")}).replace('"t": 1', '"t": ' + big) + "\n"
    path = write(tmp_path, "r.jsonl", text)
    assert cmd_check([path]) == 2
    assert capsys.readouterr().out.splitlines() == [
        f"{path}:3: not valid JSON: a number too large (more than 4300 digits)"]
    manifest = write(tmp_path, "m.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  generation: " + big + "\n")
    assert cmd_check([manifest]) == 2
    assert capsys.readouterr().out.splitlines() == [f"{manifest}:5: document 1: yaml: a number of 5000 digits: too large"]
    inside = pod("c")
    inside["metadata"]["generation"] = 0
    played = write(tmp_path, "p.jsonl", jsonl([{"t": 0, "type": "ADDED", "object": inside}]).replace(
        '"generation": 0', '"generation": ' + big))
    replay = ReplayBackend.open(played)
    replay.player.seek(replay.player.duration)
    assert replay.list_now("Pod")[0]["metadata"]["generation"] == float("inf")


def test_a_line_nested_deeper_than_the_decoder_goes_is_the_lines_error(tmp_path, capsys):
    """100,000 nested lists in one event (or the header): json's and msgspec's decoders raised
    RecursionError, which ended `scenario check` and `k9py replay` with a traceback (exit 1). It is
    the line's error, as any JSON that does not parse; a nesting they read is played."""
    deep = "[" * 100_000 + "]" * 100_000
    line = json.dumps({"t": 1, "type": "ADDED", "object": pod("b")}).replace('"phase"', '"x": ' + deep + ', "phase"')
    path = write(tmp_path, "r.jsonl", jsonl([{"t": 0, "type": "ADDED", "object": pod("a")}]) + line + "\n")
    said = f"{path}:3: not valid JSON: nested too deep to read (a Kubernetes object nests a few dozen levels)"
    assert cmd_check([path]) == 2
    assert capsys.readouterr().out.splitlines() == [said]
    with pytest.raises(K9pyError) as err:
        ReplayBackend.open(path)
    assert str(err.value) == said
    head = write(tmp_path, "h.jsonl", '{"kind": "Recording", "version": 1, "x": ' + deep + "}\n" + line + "\n")
    assert cmd_check([head]) == 2
    assert capsys.readouterr().out.splitlines() == [
        f"{head}:1: the header line is not valid JSON: nested too deep to read (a Kubernetes object nests a few "
        "dozen levels)"]
    fine = write(tmp_path, "f.jsonl", jsonl([{"t": 0, "type": "ADDED", "object": pod("a")}]) + line.replace(
        deep, "[" * 300 + "]" * 300) + "\n")
    replay = ReplayBackend.open(fine)
    replay.player.seek(replay.player.duration)
    assert sorted(p["metadata"]["name"] for p in replay.list_now("Pod")) == ["a", "b"]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_json_lines_recording_saved_with_a_byte_order_mark_is_read(tmp_path, capsys, newline):
    """Saved by a Windows editor or PowerShell (a UTF-8 BOM before the header line): scenario check
    said `document 1: yaml: expected '<document start>', but found '{'` and the replay would not
    open. The mark is skipped, as before a YAML file's first line."""
    text = jsonl([{"t": 0, "type": "ADDED", "object": pod("a")}, {"t": 1, "type": "ADDED", "object": pod("b")}])
    data = b"\xef\xbb\xbf" + text.replace("\n", newline).encode()
    for name, raw in (("r.jsonl", data), ("r.jsonl.gz", gzip.compress(data))):
        path = tmp_path / name
        path.write_bytes(raw)
        assert cmd_check([str(path)]) == 0
        assert capsys.readouterr().out == f"{path}: ok (Recording, 2 events over 1s)\n"
        replay = ReplayBackend.open(str(path))
        replay.player.seek(replay.player.duration)
        assert sorted(p["metadata"]["name"] for p in replay.list_now("Pod")) == ["a", "b"]
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"\xef\xbb\xbf" + b'{"kind": "Recording", "vers')
    assert cmd_check([str(cut)]) == 2
    assert "the header line ends in the middle" in capsys.readouterr().out


def test_recording_header_errors(tmp_path, capsys):
    path = write(tmp_path, "r.yaml", "kind: Recording\nversion: 2\nstart: yesterday\ncolour: red\nevents: []\n")
    assert cmd_check([path]) == 2
    assert capsys.readouterr().out.splitlines() == [
        f'{path}:4: header: unknown field "colour"',
        f"{path}:2: header: version: Unsupported value: 2: supported values: 1",
        f'{path}:3: header: start: Invalid value: "yesterday": must be an RFC3339 time like 2026-11-01T09:00:00Z',
    ]


def test_yaml_and_jsonl_and_gzip_load_the_same(tmp_path):
    events = [{"t": 0, "type": "ADDED", "object": pod("a")}, {"t": 2.5, "type": "MODIFIED", "object": pod("a", "Failed")},
              {"t": 3, "type": "LOG", "namespace": "default", "pod": "a", "container": "app", "line": "bye"}]
    j = parse_recording("a.jsonl", jsonl(events))
    import yaml
    y = parse_recording("a.yaml", yaml.safe_dump({"kind": "Recording", "version": 1, "start": "2026-11-01T09:00:00Z",
                                                 "context": "prod", "serverVersion": "v1.30.2", "events": events}))
    gz = tmp_path / "a.jsonl.gz"
    gz.write_bytes(gzip.compress(jsonl(events).encode()))
    g = parse_recording(str(gz), files.read_text(str(gz)))
    for rec in (y, g):
        assert [e.to_json() for e in rec.events] == [e.to_json() for e in j.events]
        assert (rec.start, rec.context, rec.server_version) == (j.start, "prod", "v1.30.2")
