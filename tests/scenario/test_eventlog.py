"""A JSON Lines recording opened to be played (``files.open_scenario``): indexed, its objects
read back from disk when the play head reaches them; it plays, seeks and fails exactly like the
same recording parsed whole (``parse_recording``)."""

from __future__ import annotations

import gc
import gzip
import json
from typing import Any

import pytest

from k9py.backends.replay import RecordingPlayback, ReplayBackend, _recorded_marks
from k9py.errors import K9pyError
from k9py.scenario import eventlog, files
from k9py.scenario.player import Player
from k9py.scenario.recording import parse_recording
from tests.scenario.helpers import jsonl, pod


def _events(n: int) -> list[dict[str, Any]]:
    """Pods (some partial: no namespace, no uid) created, changed, deleted and created again,
    recorded Events, a cluster-scoped Node and logs, over n/4 seconds."""
    out: list[dict[str, Any]] = [{"t": 0, "type": "ADDED", "object": {"kind": "Node", "metadata": {"name": "n1"}}}]
    for i in range(n):
        t = i / 4
        name = f"p{i % 23}"
        if i % 11 == 3:
            out.append({"t": t, "type": "LOG", "namespace": "shop", "pod": name, "container": "app", "line": f"l{i}"})
        elif i % 7 == 5:
            out.append({"t": t, "type": "ADDED", "object": {
                "kind": "Event", "metadata": {"name": f"e{i}", "namespace": "shop"}, "reason": "Started",
                "message": f"m{i}", "involvedObject": {"kind": "Pod", "namespace": "shop", "name": name}}})
        else:
            obj = pod(name, f"Phase{i}", ns="shop")
            if i % 3 == 0:
                del obj["metadata"]["namespace"]  # partial: defaults to default
            type_ = ("ADDED", "MODIFIED", "MODIFIED", "DELETED")[(i // 23) % 4]
            out.append({"t": t, "type": type_, "object": obj})
    return out


EVENTS = _events(1500)


def _opened(tmp_path: Any, text: str, name: str = "rec.jsonl") -> Player:
    path = tmp_path / name
    path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
    kind, player = files.open_scenario(str(path))
    assert kind == files.RECORDING and isinstance(player, Player)
    return player


def _snapshot(p: Player) -> tuple[Any, ...]:
    return (p.position, p.events_played, p.state(), sorted((o["kind"], o["metadata"]["name"]) for o in p.store.list("Pod")),
            p.logs("shop", "p3") if p.store.get("Pod", "shop", "p3") else None)


@pytest.mark.parametrize("name", ["rec.jsonl", "rec.jsonl.gz"])
def test_an_opened_recording_plays_and_seeks_exactly_like_the_parsed_one(tmp_path, name):
    text = jsonl(EVENTS)
    opened = _opened(tmp_path, text, name)
    parsed = Player(parse_recording("mem.jsonl", text))
    assert opened.recording.events == [] and opened.feed.spill is not None  # nothing kept but the index
    assert (opened.duration, opened.total_events, opened.all_times) == (parsed.duration, parsed.total_events, parsed.all_times)
    assert _snapshot(opened) == _snapshot(parsed)
    for t in (100.0, 3.0, 250.0, 249.5, 0.0, 374.0, 120.25, 1e9):  # forwards, back, by checkpoints
        opened.seek(t)
        parsed.seek(t)
        assert _snapshot(opened) == _snapshot(parsed)
    opened.home()
    parsed.home()
    opened.set_speed(8)
    parsed.set_speed(8)
    while not parsed.at_end:
        opened.advance(0.7)
        parsed.advance(0.7)
        assert _snapshot(opened) == _snapshot(parsed)
    assert opened.at_end and opened.paused


@pytest.mark.parametrize("window", [1, 700, 5000])  # windows of one line (shorter than it), a few, many
def test_objects_are_read_back_window_by_window_as_recorded(tmp_path, monkeypatch, window):
    monkeypatch.setattr(eventlog, "WINDOW", window)
    text = jsonl(EVENTS)
    opened = _opened(tmp_path, text)
    parsed = Player(parse_recording("mem.jsonl", text))
    n = len(opened.feed.keys)
    indexes = [n - 1, 0, 5, 5, *range(n // 2, n // 2 + 40), 1, n - 2]  # any order, repeats
    assert opened.feed.load_many(indexes) == parsed.feed.load_many(indexes)
    for t in (374.0, 120.25, 0.0):
        opened.seek(t)
        parsed.seek(t)
        assert opened.state() == parsed.state()


def test_a_json_lines_file_is_opened_without_reading_its_bytes_into_memory(tmp_path, monkeypatch):
    def refused(path: str) -> bytes:
        raise AssertionError(f"{path} read into memory")

    monkeypatch.setattr(files, "read_recording_bytes", refused)
    text = jsonl(EVENTS)
    opened = _opened(tmp_path, text)
    parsed = Player(parse_recording("mem.jsonl", text))
    assert opened.feed.spill is not None and _snapshot(opened) == _snapshot(parsed)
    opened.seek(120.25)
    parsed.seek(120.25)
    assert _snapshot(opened) == _snapshot(parsed)


@pytest.mark.parametrize(("bad", "at_end"), [(b"\xff", False), (b"\xc3(", False), (b"\xe2\x82", True)])
def test_text_that_is_not_utf8_is_refused_at_the_same_byte_as_when_read_whole(tmp_path, monkeypatch, bad, at_end):
    monkeypatch.setattr(eventlog, "UTF8_CHUNK", 7)  # chunks of a line or two, around the characters
    good = [{**e, "line": f"caf\u00e9 \u65e5\u672c {i}"} if e["type"] == "LOG" else e for i, e in enumerate(EVENTS[:60])]
    data = jsonl(good).replace("\\u00e9", "\u00e9").replace("\\u65e5\\u672c", "\u65e5\u672c").encode()  # as UTF-8
    assert not data.isascii()
    cut = len(data) if at_end else data.index(b"\n", len(data) // 2) - 3  # inside a line's string
    data = data.rstrip(b"\n") + bad if at_end else data[:cut] + bad + data[cut:]
    said = []
    for name, raw in (("rec.jsonl", data), ("rec.jsonl.gz", gzip.compress(data))):
        path = tmp_path / name
        path.write_bytes(raw)
        with pytest.raises(K9pyError) as err:
            files.open_scenario(str(path))
        said.append(str(err.value).replace(str(path), "FILE"))
    assert said[0] == said[1] and "not UTF-8 text" in said[0], said


@pytest.mark.parametrize("chunk", [1, 97, 4096])  # the kernel's copy a byte, a part of a line, lines at a time
def test_a_recording_is_indexed_as_it_is_copied_and_opens_as_when_copied_whole(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(eventlog, "COPY_CHUNK", chunk)
    copied_past = eventlog._Spilling.copied_past  # and seen copied a chunk at a time, however far it went
    monkeypatch.setattr(eventlog._Spilling, "copied_past", lambda self, n: min(copied_past(self, n), n + chunk))
    monkeypatch.setattr(files, "read_recording_bytes", lambda path: pytest.fail(f"{path} read into memory"))
    text = jsonl(EVENTS)
    opened = _opened(tmp_path, text)
    parsed = Player(parse_recording("mem.jsonl", text))
    index = [(p.all_times, p.feed.types, p.feed.keys, p.feed.placed, p.feed.versions, p.feed.logs) for p in (opened, parsed)]
    assert index[0] == index[1]
    for t in (0.0, 120.25, 374.0):
        opened.seek(t)
        parsed.seek(t)
        assert _snapshot(opened) == _snapshot(parsed)


def test_a_file_cut_short_while_it_is_copied_is_read_the_other_way(tmp_path, monkeypatch):
    import os

    monkeypatch.setattr(eventlog, "COPY_CHUNK", 4096)
    sendfile, calls = os.sendfile, []

    def short(out: int, src: int, offset: int, count: int) -> int:  # the file ends at 10 kB now
        calls.append(offset)
        return sendfile(out, src, offset, max(0, min(count, 10_000 - offset)))

    monkeypatch.setattr(os, "sendfile", short)
    read: list[str] = []
    read_bytes = files.read_recording_bytes
    monkeypatch.setattr(files, "read_recording_bytes", lambda path, *more: read.append(path) or read_bytes(path, *more))
    text = jsonl(EVENTS)
    opened = _opened(tmp_path, text)
    parsed = Player(parse_recording("mem.jsonl", text))
    assert calls and read and _snapshot(opened) == _snapshot(parsed)


def test_text_that_is_not_utf8_is_reported_before_an_earlier_problem_as_when_read_whole(tmp_path, monkeypatch):
    copied_past = eventlog._Spilling.copied_past  # seen copied 512 bytes at a time: the bad line is indexed first
    monkeypatch.setattr(eventlog._Spilling, "copied_past", lambda self, n: min(copied_past(self, n), n + 512))
    data = (jsonl(EVENTS[:200]) + "\n").encode()
    cut = data.index(b"\n", 1000) + 1
    data = data[:cut] + b'{"t": 0, "type": "BAD"}\n' + data[cut:-200] + b"\xff" + data[-200:]
    said = []
    for name, raw in (("rec.jsonl", data), ("rec.jsonl.gz", gzip.compress(data))):
        path = tmp_path / name
        path.write_bytes(raw)
        with pytest.raises(K9pyError) as err:
            files.open_scenario(str(path))
        said.append(str(err.value).replace(str(path), "FILE"))
    assert said[0] == said[1] and "not UTF-8 text" in said[0], said


def test_marks_and_home_namespace_read_the_index_like_the_recorded_objects():
    text = jsonl(EVENTS)
    from_feed = Player(parse_recording("mem.jsonl", text))
    marks = _recorded_marks(from_feed)
    assert marks[0].what.startswith(("added", "deleted", "Normal"))
    assert any(m.what == "Normal Started Pod shop/p12" and m.note == "m12" for m in marks)
    assert any(m.what.startswith("deleted Pod p") for m in marks)  # recorded without a namespace: shown so
    backend = ReplayBackend(from_feed)
    assert isinstance(backend.playback(), RecordingPlayback)
    assert backend.playback().home_namespace() == "shop"


def test_objects_are_decoded_only_when_the_play_head_reaches_them(tmp_path):
    p = _opened(tmp_path, jsonl(EVENTS))
    decoded: list[int] = []
    load_many = p.feed.load_many
    p.feed.load_many = lambda indexes: (decoded.extend(indexes), load_many(indexes))[1]  # type: ignore[method-assign]
    p.end()  # by a checkpoint, and nobody watches: nothing is decoded until read
    assert decoded == [] and p.store.kinds_behind() == ["Event", "Node", "Pod"]
    assert gc.isenabled()
    state = p.state()  # only what is there at the end is read, once, in one pause of the collector
    assert 0 < len(decoded) == len(state) < len(p.times) // 5 and p.store.kinds_behind() == []
    assert gc.isenabled() and p.state() == state and len(decoded) == len(state)
    decoded.clear()
    p.store.watch("Pod", lambda *_: None)  # watched: written as the play head moves
    p.seek(p.duration - 0.25)
    p.seek(p.duration)
    assert len(decoded) <= 2


BAD = {
    "not json": '{"t": 1, "type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "x"}}\n',
    "out of order": '{"t": 9, "type": "LOG", "pod": "a", "line": "x"}\n{"t": 1, "type": "LOG", "pod": "a", "line": "y"}\n',
    "unknown kind": '{"t": 1, "type": "ADDED", "object": {"kind": "Gizmo", "metadata": {"name": "x"}}}\n',
    "no name": '\n\n{"t": 1, "type": "MODIFIED", "object": {"kind": "Pod", "metadata": {}}}\n',
    "bad header": None,
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_event_is_refused_when_opened_with_the_problem_parsing_reports(tmp_path, case):
    good = [json.dumps({"t": 0, "type": "ADDED", "object": pod(f"p{i}")}) for i in range(700)]  # past one batch
    head = {"kind": "Recording", "version": 1, "start": "2026-11-01T09:00:00Z"}
    if BAD[case] is None:
        head["start"] = "yesterday"
    _refused_alike(tmp_path, json.dumps(head) + "\n" + "\n".join(good) + "\n" + (BAD[case] or ""))


def _refused_alike(tmp_path: Any, text: str) -> str:
    """The error opening ``text`` as a file gives, which must be the one parsing it gives."""
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    with pytest.raises(K9pyError) as parsed:
        parse_recording(str(path), text)
    with pytest.raises(K9pyError) as opened:
        files.open_scenario(str(path))
    assert str(opened.value) == str(parsed.value)
    return str(opened.value)


ODD = [  # valid lines the quick check leaves to the standard library, or takes with care
    '{"t": 0, "type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "nan", "namespace": null}, "spec": {"x": NaN}}}',
    '{"t": 1, "type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "sur", "namespace": "shop"}, "data": "\\ud800"}}',
    '{"t": 1.5, "type": "ADDED", "object": {"kind": "Node", "metadata": {"name": "n1", "namespace": "ignored"}}}',
    '   ',
    '{"t": 2, "type": "LOG", "pod": "sur", "line": "no namespace, no container"}\r',
    '{"t": 2, "type": "LOG", "namespace": "shop", "pod": "sur", "container": null, "line": "x\\u00e9"}',
    '{"type": "MODIFIED", "t": 3, "object": {"metadata": {"name": "nan"}, "kind": "Pod", "status": {"big": 123456789012345678901234567890}}}',
    '{"t": 4, "type": "DELETED", "object": {"kind": "Pod", "metadata": {"name": "sur", "namespace": "shop"}}}',
    # what the quick check's structs refuse and the standard library takes: the last "type" wins
    '{"t": 4, "type": "ADDED", "type": "MODIFIED", "object": {"kind": "Pod", "metadata": {"name": "twice"}}}',
    '{"t": 5, "type": "ADDED", "object": {"kind": "\\u0050od", "metadata": {"name": "esc", "namespace": ""}}}',
    '{"t": 6e0, "type": "LOG", "namespace": "shop", "pod": "esc", "line": "an exponent"}',  # (1e999, infinity: refused)
]


def _opened_and_parsed(tmp_path, lines: list[str]) -> tuple[Player, Player]:
    """A recording of ``lines`` opened from its file and parsed from its text."""
    text = jsonl([]) + "\n".join(lines) + "\n"
    return _opened(tmp_path, text), Player(parse_recording("mem.jsonl", text))


def test_odd_but_valid_lines_open_exactly_as_they_parse(tmp_path):
    opened, parsed = _opened_and_parsed(tmp_path, ODD)
    index = [(p.all_times, p.feed.types, p.feed.keys, p.feed.placed, p.feed.versions, p.feed.logs) for p in (opened, parsed)]
    assert index[0] == index[1] and len(index[0][1]) == 7 and len(index[0][5]) == 3
    assert index[0][1][5] == "MODIFIED" and ("Pod", "default", "esc") in index[0][2]
    for t in (0, 1, 1.5, 2, 3, 4, 5):
        opened.seek(t)
        parsed.seek(t)
        assert repr(opened.state()) == repr(parsed.state())  # repr: NaN != NaN


PLACED = [  # where each object was recorded, as it changes: the index keeps every place
    '{"t": 0, "type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "a"}}}',
    '{"t": 1, "type": "MODIFIED", "object": {"kind": "Pod", "metadata": {"name": "a", "namespace": "default"}}}',
    '{"t": 1, "type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "b", "namespace": null}, "x": NaN}}',
    '{"t": 2, "type": "MODIFIED", "object": {"kind": "Pod", "metadata": {"name": "b", "namespace": "default"}}}',
    '{"t": 2, "type": "ADDED", "object": {"kind": "Node", "metadata": {"name": "n", "namespace": "x"}}}',
    '{"t": 3, "type": "MODIFIED", "object": {"kind": "Node", "metadata": {"name": "n"}}}',
    '{"t": 3, "type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "c", "namespace": "shop"}}}',
    '{"t": 4, "type": "MODIFIED", "object": {"kind": "Pod", "metadata": {"name": "c", "namespace": "shop"}}}',
]


def test_every_place_an_object_was_recorded_is_indexed_as_when_parsed(tmp_path):
    opened, parsed = _opened_and_parsed(tmp_path, PLACED)
    assert opened.feed.placed == parsed.feed.placed == {
        ("Pod", "", "a"), ("Pod", "default", "a"), ("Pod", "", "b"), ("Pod", "default", "b"),
        ("Node", "x", "n"), ("Node", "", "n"), ("Pod", "shop", "c")}


COMPLETED = [  # objects with a uid, completed as the store holds them however they were recorded
    '{"t": 0, "type": "ADDED", "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "uid": "u1", "namespace": "shop"}}}',
    '{"t": 0, "type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "b", "uid": "u2"}}}',
    '{"t": 0, "type": "ADDED", "object": {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n", "uid": "u3", "namespace": "x"}}}',
    '{"t": 0, "type": "ADDED", "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "c", "uid": "u4", "managedFields": [{"manager": "k"}], "resourceVersion": "7"}}}',
    '{"t": 0, "type": "ADDED", "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "d", "uid": "u5", "namespace": ""}}}',
]


def test_objects_are_completed_as_when_parsed(tmp_path):
    text = jsonl([]) + "\n".join(COMPLETED) + "\n"
    opened, parsed = _opened(tmp_path, text).state(), Player(parse_recording("mem.jsonl", text)).state()
    assert list(opened.items()) == list(parsed.items())  # in the same order too
    pods = {k[2]: o for k, o in opened.items() if k[0] == "Pod"}
    assert pods["b"]["apiVersion"] == "v1" and pods["b"]["metadata"]["namespace"] == "default"
    assert "managedFields" not in pods["c"]["metadata"] and pods["c"]["metadata"]["resourceVersion"] == "7"
    assert "namespace" not in opened[("Node", "", "n")]["metadata"] and pods["d"]["metadata"]["namespace"] == "default"


@pytest.mark.parametrize("line", [
    '{"t": 1, "type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "x"}}, "extra": 1}',
    '{"t": true, "type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "x"}}}',
    '{"t": 1, "type": "LOG", "line": "no pod"}',
    '{"t": 1, "type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "x", "namespace": 7}}}',
    '{"t": 1, "type": "ADDED", "object": ["not", "a", "mapping"]}',
    '{"t": 1, "type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "x"}}, "pod": "mixed"}',
    '[1, 2]',
    '{"t": 1, "type": "ADDED", "object": {"kind": "Pod", "metadata": {"name": "x"}, "spec": [1,]}}',
])
def test_a_line_the_quick_check_refuses_is_reported_as_parsing_reports_it(tmp_path, line):
    error = _refused_alike(tmp_path, jsonl([{"t": 0, "type": "ADDED", "object": pod("a")}]) + "\n" + line + "\n")
    assert ":4:" in error


def test_a_replay_left_behind_dies_by_reference_counting(tmp_path, monkeypatch, freezes):
    """A big catch-up freezes the heap (gcpause.loaded): a player, its store or its objects left
    behind in a reference cycle would never be freed (a `:rewind` opens one each time)."""
    import weakref

    from k9py.kube import gcpause

    monkeypatch.setattr(gcpause, "BIG_LOAD", 10)  # this recording's end state freezes too
    player = _opened(tmp_path, jsonl(EVENTS))
    player.seek(player.duration)
    watch = player.store.watch("Pod", lambda *_: None)
    assert player.state() and freezes
    watch.stop()
    refs = [weakref.ref(player), weakref.ref(player.store), weakref.ref(player.feed)]
    del player, watch
    gc.disable()
    try:
        assert [r() for r in refs] == [None, None, None]
    finally:
        gc.enable()


def test_a_closed_replay_backend_dies_by_reference_counting(tmp_path):
    import asyncio
    import weakref

    path = tmp_path / "rec.jsonl"
    path.write_text(jsonl(EVENTS))
    backend = ReplayBackend.open(str(path), paused=True)
    backend.player.seek(backend.player.duration)
    assert backend.player.state()
    asyncio.run(backend.close())
    refs = [weakref.ref(backend), weakref.ref(backend.player), weakref.ref(backend.player.store)]
    del backend
    gc.disable()
    try:
        assert [r() for r in refs] == [None, None, None]
    finally:
        gc.enable()
