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


def test_what_went_between_two_runs_is_deleted_in_time_order(tmp_path):
    """k9py quit and started again on a live cluster: a CronJob's Job cleaned up meanwhile is
    DELETED at the second run's first look. That line's t was written unrounded while the lines
    beside it are rounded to the microsecond, so it could come 3e-8 s before the one it follows
    and `<` said 'events must be in time order (the previous event is at t=944.395)'."""
    first = write_run(tmp_path / "a", 1000.0, [(1.0, "ADDED", pod("gone")), (2.0, "ADDED", pod("stays"))])
    start_b = 1000.0 + 10.0000006  # the starts are the backend's clock: any float
    second = write_run(tmp_path / "b", start_b, [(0.3, "ADDED", pod("stays")), (0.6, "ADDED", pod("new")),
                                                 (2.0, "MODIFIED", pod("new", "Failed"))])
    parts = [RunPart(tmp_path / "a", first, 1000.0, 0.5, end_t=3.0), RunPart(tmp_path / "b", second, start_b, 0.6)]
    lines = [json.loads(chunk) for chunk in b"".join(join(parts, {"context": "c"})).splitlines()]
    events = [(ln["t"], ln["type"], ln["object"]["metadata"]["name"]) for ln in lines[1:]]
    assert [(type_, name) for _, type_, name in events] == [
        ("ADDED", "gone"), ("ADDED", "stays"), ("ADDED", "new"), ("DELETED", "gone"), ("MODIFIED", "new")]
    times = [t for t, _, _ in events]
    assert times == sorted(times) and times[2] == times[3] == round(10.0000006 + 0.6, 6)
