"""Runs of one cluster joined end to end (store/segments.py ``join``) when two k9py watched it at
once: the earlier run's lines written after it was taken as ended stay out of the timeline."""

import json

from k9py.scenario.recording import header_dict, json_line
from k9py.store.segments import RunPart, Segment, event_line, join


def pod(name: str, phase: str = "Running") -> str:
    return json.dumps({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                       "status": {"phase": phase}}, separators=(",", ":"))


def write_run(path, start: float, events: list[tuple[float, str, str]]) -> list[Segment]:
    path.mkdir()
    lines = [json_line(header_dict(start, context="c")) + "\n"] + [event_line(t, type_, body) for t, type_, body in events]
    (path / "000000.jsonl").write_text("".join(lines))
    return [Segment("000000.jsonl", 0.0, events[-1][0], 0)]


def test_a_run_that_went_on_while_a_later_one_watched_is_joined_up_to_its_end_only(tmp_path):
    """k9py in two terminals on one cluster: the first one's run, read as ended when the second
    started (its index said t=10 then), went on writing. Joined whole, its later lines came after
    the second run's first ones and `<` (rewind) said 'events must be in time order'. It is read
    up to the moment the second run began (what it wrote before that, its index late, stays)."""
    first = write_run(tmp_path / "a", 1000.0, [(1.0, "ADDED", pod("a")), (5.0, "ADDED", pod("b")),
                                               (11.0, "ADDED", pod("x")),  # (after its index said, before b began)
                                               (20.0, "MODIFIED", pod("b", "Failed"))])  # (while b watched)
    second = write_run(tmp_path / "b", 1012.0, [(0.5, "ADDED", pod("a")), (0.6, "ADDED", pod("b")),
                                                (3.0, "ADDED", pod("c"))])
    parts = [RunPart(tmp_path / "a", first, 1000.0, 0.5, end_t=10.0), RunPart(tmp_path / "b", second, 1012.0, 1.0)]
    lines = [json.loads(chunk) for chunk in b"".join(join(parts, {"context": "c"})).splitlines()]
    events = [(ln["t"], ln["type"], ln["object"]["metadata"]["name"]) for ln in lines[1:]]
    times = [t for t, _, _ in events]
    assert times == sorted(times)  # one timeline
    assert events == [(1.0, "ADDED", "a"), (5.0, "ADDED", "b"), (11.0, "ADDED", "x"),
                      (13.0, "DELETED", "x"), (15.0, "ADDED", "c")]
