"""A recording's events as a ``Player`` reads them: compact, objects decoded on demand.

The index (when, what, which object) is small lists; the objects stay as the recorded JSON
lines in a private spill file (``open_jsonl``) or as the parsed objects of a YAML recording
(``Feed.of``). A 100,000-event recording is then a few MB of index plus the file on disk, and
only the objects the play head reaches are decoded.

``open_jsonl`` reads a JSON Lines recording once, line by line in batches (one ``json.loads`` per
batch, the garbage collector paused), checking every event as ``parse_recording`` does and
reporting the same problems, but keeps only the objects at t=0 (the state the player opens on).
"""

from __future__ import annotations

import json
import os
import tempfile
import weakref
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from k9py.errors import K9pyError
from k9py.kube import meta, resources
from k9py.kube.gcpause import gc_paused
from k9py.scenario.recording import LOG, OBJECT_TYPES, Event, Recording, _event, _header, _on_line, object_key
from k9py.scenario.schema import RECORDING_KIND
from k9py.scenario.source import Problems, gunzip, read_bytes

Obj = dict[str, Any]
Key = tuple[str, str, str]
LogLine = tuple[float, str, str]  # (t, container, line)
BATCH = 512  # lines decoded by one json.loads
_TYPES = {t: t for t in OBJECT_TYPES}
AT_START = 1e-6  # the player's EPS: events up to it make the state it opens on


@dataclass
class Feed:
    """Every event's time (``all_times``, logs too); the object events' times, types, keys and
    default resourceVersions; the LOG lines by pod; ``load_many(indexes)``: those object events'
    recorded objects (decoded together: they share their keys' strings)."""

    load_many: Callable[[list[int]], list[Obj]]
    # arrays and shared strings: a list of 100,000 parsed floats and strings would stay scattered
    # over the memory the parsed objects leave behind (which then cannot go back to the system)
    all_times: array[float] = field(default_factory=lambda: array("d"))
    times: array[float] = field(default_factory=lambda: array("d"))
    types: list[str] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    versions: array[int] = field(default_factory=lambda: array("q"))  # 1 + index among all events
    logs: dict[tuple[str, str], list[LogLine]] = field(default_factory=dict)
    #: (kind, namespace as recorded, name) of every recorded object: where the explorer opens
    placed: set[Key] = field(default_factory=set)
    _keys: dict[Key, Key] = field(default_factory=dict)  # one tuple per object
    spill: IO[bytes] | None = None  # where ``load`` reads the objects from (closed, and gone, with the feed)
    fresh: bool = False  # ``load_many`` decodes new objects every time (the caller may change them)

    def add(self, ev: Event, index: int) -> None:
        """Index ``ev`` (the ``index``-th event of the recording), already checked."""
        self.all_times.append(ev.t)
        if ev.type == LOG:
            self.logs.setdefault((ev.namespace, ev.pod), []).append((ev.t, ev.container, ev.line))
            return
        obj = ev.object
        assert obj is not None
        key = object_key(obj)
        key = self._keys.setdefault(key, key)
        self.times.append(ev.t)
        self.types.append(_TYPES[ev.type])
        self.keys.append(key)
        self.versions.append(index + 1)
        self.placed.add((key[0], meta.namespace(obj), key[2]))

    def load(self, i: int) -> Obj:
        return self.load_many([i])[0]

    @classmethod
    def of(cls, events: list[Event]) -> Feed:
        """The feed of parsed events (a YAML recording, a test's)."""
        objects: list[Obj] = []
        feed = cls(load_many=lambda indexes: [objects[i] for i in indexes])
        for i, ev in enumerate(events):
            feed.add(ev, i)
            if ev.type != LOG:
                assert ev.object is not None
                objects.append(ev.object)
        return feed


# -- JSON Lines ---------------------------------------------------------------------------------

def is_jsonl_recording(head: bytes) -> bool:
    """Whether the first bytes of a (gunzipped) file start a JSON Lines Recording: its first
    line a JSON object of kind Recording, without ``events`` (that is a one-line YAML one)."""
    start = 0
    while start < len(head) and head[start] in b" \t\r\n\f\v":
        start += 1
    end = head.find(b"\n", start)
    first = head[start:end if end >= 0 else len(head)]
    if not first.startswith(b"{"):
        return False
    try:
        data = json.loads(first)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("kind") == RECORDING_KIND and "events" not in data and end >= 0


def read_recording_bytes(path: str) -> bytes:
    """The file's bytes, gunzipped, checked as ``source.read_text`` checks them."""
    data = read_bytes(path)
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data, path)
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise K9pyError(f"cannot read: not UTF-8 text ({err.reason} at byte {err.start})", file=path) from None
    return data


def _lines(data: bytes) -> Iterator[tuple[int, int, int]]:
    """(line number, start, end) of every non-blank line."""
    pos, n, size = 0, 0, len(data)
    while pos < size:
        end = data.find(b"\n", pos)
        if end < 0:
            end = size
        n += 1
        if end > pos and (data[pos] not in b" \t\r\f\v" or not data[pos:end].isspace()):
            yield n, pos, end
        pos = end + 1


def _decode(data: bytes, batch: list[tuple[int, int, int]], problems: Problems) -> Iterator[tuple[int, int, int, Any]]:
    """Each line of ``batch`` with its JSON value; lines that are not JSON are reported (and
    skipped, when problems are collected), as ``source.json_lines`` does."""
    try:
        values = json.loads(b"[" + b",".join(data[a:b] for _, a, b in batch) + b"]")
    except ValueError:
        values = None
    if isinstance(values, list) and len(values) == len(batch):
        for (n, a, b), v in zip(batch, values, strict=True):
            yield n, a, b, v
        return
    for n, a, b in batch:  # one by one: names the line and column
        try:
            v = json.loads(data[a:b])
        except json.JSONDecodeError as err:
            problems.add(f"not valid JSON: {err.msg} (column {err.colno})", line=n)
            continue
        yield n, a, b, v


def open_jsonl(path: str, data: bytes) -> tuple[Recording, Feed]:
    """The recording in ``data`` (a JSON Lines Recording, ``is_jsonl_recording``), checked: the
    first problem raises K9pyError as ``parse_recording`` would. Its objects are read back from
    a private copy of ``data`` on disk when the player needs them."""
    problems = Problems(path)
    spill: IO[bytes] = tempfile.TemporaryFile(prefix="k9py-recording-")  # noqa: SIM115 - the feed's until it goes
    spill.write(data)
    spill.flush()
    fd = spill.fileno()
    where: array[int] = array("q")  # start, end of each object event's line

    early: dict[int, Obj] = {}  # the objects at t=0, parsed already: the player puts them in its store first

    def load_many(indexes: list[int]) -> list[Obj]:
        if early and all(i in early for i in indexes):
            return [early.pop(i) for i in indexes]
        early.clear()
        if not indexes:
            return []
        lines = b",".join(os.pread(fd, where[2 * i + 1] - where[2 * i], where[2 * i]) for i in indexes)
        return [ev["object"] for ev in json.loads(b"[" + lines + b"]")]

    feed = Feed(load_many=load_many, spill=spill, fresh=True)
    weakref.finalize(feed, spill.close)  # closed when the feed goes (and the file with it)
    try:
        return _index(path, data, feed, where, early, problems)
    except BaseException:
        spill.close()
        raise


def _index(path: str, data: bytes, feed: Feed, where: array[int], early: dict[int, Obj],
           problems: Problems) -> tuple[Recording, Feed]:
    lines = _lines(data)
    first = next(lines)
    rec = _header(path, json.loads(data[first[1]:first[2]]), problems, _on_line(first[0]))
    last_t = 0.0
    with gc_paused():
        batch: list[tuple[int, int, int]] = []
        for entry in _chain(lines):
            if entry is not None:
                batch.append(entry)
                if len(batch) < BATCH:
                    continue
            for n, a, b, value in _decode(data, batch, problems):
                count = len(feed.all_times)
                ev = _plain_event(value) or _event(value, problems, _on_line(n), f"event {count + 1}")
                if ev is None:
                    continue
                if count and ev.t < last_t:
                    problems.add(f"t: Invalid value: {ev.t:g}: events must be in time order (the previous "
                                 f"event is at t={last_t:g})", line=n, document=f"event {count + 1}")
                last_t = ev.t
                if ev.type != LOG:
                    if ev.t <= AT_START:
                        early[len(where) // 2] = value["object"]
                    where.append(a)
                    where.append(b)
                feed.add(ev, count)
            batch = []
    rec.last_t = last_t
    return rec, feed


def _plain_event(data: Any) -> Event | None:
    """The common case checked quickly: an object event that ``recording._event`` would accept
    as it is (None: let it decide, and say what is wrong)."""
    if type(data) is not dict or len(data) != 3:
        return None
    t, type_, obj = data.get("t"), data.get("type"), data.get("object")
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not t >= 0:
        return None
    if type(type_) is not str or type_ not in _TYPES or type(obj) is not dict:
        return None
    kind, md = obj.get("kind"), obj.get("metadata")
    if type(kind) is not str or kind not in resources.BY_KIND or type(md) is not dict:
        return None
    name, ns = md.get("name"), md.get("namespace")
    if type(name) is not str or not name or (ns is not None and type(ns) is not str):
        return None
    return Event(t=float(t), type=type_, object=obj)


def _chain(lines: Iterator[tuple[int, int, int]]) -> Iterator[tuple[int, int, int] | None]:
    """The lines, then None (the last batch is due)."""
    yield from lines
    yield None
