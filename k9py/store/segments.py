"""A history run's segments on disk, read back as one Recording: of one run, or of several runs
of one cluster joined end to end (``join``: a context left with `:ctx` and shown again, the time
machine reaches back into the first visit).

Every line the history writes starts ``{"t":T,`` (T: seconds since its run's start), so lines
are moved in time without being decoded. Only the first lists of a run joined to another are
decoded (type, kind and name: ``_change_of``), to know what went while nobody watched.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from k9py.scenario.recording import header_dict, json_line

Obj = dict[str, Any]
Key = tuple[str, str, str]  # kind, namespace, name


@dataclass
class Segment:
    name: str  # file name without .gz
    t0: float  # the first moment it holds (its base), seconds since the run's start
    t1: float  # the last event's t
    base: int  # how many lines after the header are the base
    bytes: int = 0
    base_bytes: int = 0  # of those, the header and the base
    gz: bool = False
    pruned: bool = False  # deleted to stay within the limits (maybe while being compressed)


@dataclass
class RunPart:
    """One run's kept segments as ``join`` reads them."""

    dir: Path
    segments: list[Segment]
    start: float  # the backend's clock at the run's t=0
    whole_t: float | None  # its first whole moment (t): before it, its first lists were coming in
    end_t: float = 0.0  # (a run that ended) the last moment it watched (t)
    state: dict[Key, str] | None = None  # (a run that ended) what existed then: key -> the object's JSON


def event_line(t: float, type_: str, body: str) -> str:
    """One change as a Recording line: its moment, its type, the object's JSON (``body``)."""
    return f'{{"t":{t!r},"type":"{type_}","object":{body}}}\n'


def join(parts: list[RunPart], header: Obj, begin: float | None = None) -> Iterator[bytes]:
    """Runs of one cluster, oldest first, as one Recording on the first one's timeline (t=0: its
    first kept moment, later, at ``begin``: what came before it at t=0). Each later run comes in at
    its own first whole moment with the net change from what the run before it left
    (``_bridged``). ``header``: the recording's, but its start."""
    origin: float | None = None  # the recording's t=0 on the backend's clock
    before: dict[Key, str] | None = None  # what the last run read left: it held these at its end
    for i, part in enumerate(parts):
        lines: Iterator[tuple[float, bytes]] = _run_lines(part)
        seg_t0 = next(lines, None)
        if seg_t0 is None:
            continue  # nothing of it left on disk
        t0 = seg_t0[0]
        if i < len(parts) - 1:  # an earlier run: up to when the next one began (another k9py's
            lines = _until(lines, parts[i + 1].start - part.start)  # may have gone on meanwhile)
        state = part.state
        if state is None and i < len(parts) - 1:  # (a run another k9py left): worked out as it is read
            state = {}
            lines = _tracked(lines, state)
        first = next(lines, None)
        if first is None:
            continue
        if origin is None:
            origin = part.start + max(t0, begin or 0.0)
            yield (json_line(header_dict(origin, **{k: v for k, v in header.items() if k != "start"})) + "\n").encode()
            yield from _moved(first, lines, part.start - origin, 0.0)
        else:
            upto = max(t0, part.whole_t or 0.0)  # its first lists (or its first kept base)
            yield from _bridged(first, lines, upto, part.start - origin, before or {})
        before = state


def _until(lines: Iterator[tuple[float, bytes]], end_t: float) -> Iterator[tuple[float, bytes]]:
    """``lines`` up to ``end_t`` (on their run's own clock)."""
    for t, line in lines:
        if t > end_t + 1e-6:
            return
        yield t, line


def _tracked(lines: Iterator[tuple[float, bytes]], state: dict[Key, str]) -> Iterator[tuple[float, bytes]]:
    """``lines`` as they are, keeping in ``state`` what exists after each (key -> its JSON)."""
    for t, line in lines:
        change = _change_of(line)
        if change is not None:
            if change[0] == "DELETED":
                state.pop(change[1], None)
            else:
                state[change[1]] = _body(line)
        yield t, line


def _run_lines(part: RunPart) -> Iterator[tuple[float, bytes]]:
    """The first kept segment's t0 (with an empty line), then (t, line) of every whole line kept
    of ``part``: that segment's base, then each segment's changes."""
    first = True
    for seg in part.segments:
        lines = _read_lines(part.dir, seg)
        if lines is None:
            continue
        if first:
            yield seg.t0, b""
        skip = 1 if first else 1 + seg.base
        for i, line in enumerate(lines):
            if i >= skip and line.endswith(b"\n"):  # a line still being written is left out
                t = _t_of(line)
                if t is not None:  # (a line that is no k9py's: a damaged segment)
                    yield t, line
        first = False


def _moved(first: tuple[float, bytes], rest: Iterator[tuple[float, bytes]], shift: float,
           least: float) -> Iterator[bytes]:
    """The lines with their t moved by ``shift``, none before ``least``."""
    t, line = first
    yield _retimed(line, max(least, t + shift))
    for t, line in rest:
        yield _retimed(line, max(least, t + shift))


def _bridged(first: tuple[float, bytes], rest: Iterator[tuple[float, bytes]], upto: float, shift: float,
             before: dict[Key, str]) -> Iterator[bytes]:
    """A later run's lines (``_moved``), those up to ``upto`` (its first lists) as their net change
    from ``before`` at that moment: an object made meanwhile ADDED, one changed MODIFIED, one as it
    was left out (`:changes` over the bridge lists what changed while nobody watched, not
    everything listed again), and the DELETED of what ``before`` held that they do not."""
    bridge = round(max(0.0, upto + shift), 6)  # (as _retimed writes t: the DELETED below too)
    last: dict[Key, tuple[str, bytes]] = {}  # each object's last change up to the bridge, in that order
    logs: list[bytes] = []
    pending: tuple[float, bytes] | None = first
    while pending is not None and pending[0] <= upto + 1e-9:
        line = pending[1]
        change = _change_of(line)
        if change is None:
            logs.append(line)
        else:
            last.pop(change[1], None)
            last[change[1]] = (change[0], line)
        pending = next(rest, None)
    yield from (_retimed(line, bridge) for line in logs)
    for key, (type_, line) in last.items():
        held = before.get(key)
        if type_ == "DELETED":
            if held is not None:
                yield _retimed(line, bridge)
        elif held is None:
            yield _retimed(_typed(line, b"ADDED"), bridge)
        elif _body(line) != held:
            yield _retimed(_typed(line, b"MODIFIED"), bridge)
    for key, body in before.items():
        if key not in last:
            yield event_line(bridge, "DELETED", body).encode()
    if pending is not None:
        yield from _moved(pending, rest, shift, bridge)


def _body(line: bytes) -> str:
    """The object's JSON of a line (``{"t":T,"type":"X","object":BODY}``)."""
    return line[line.index(b'"object":') + 9:].rstrip(b"\n")[:-1].decode()


def _typed(line: bytes, type_: bytes) -> bytes:
    """The line as a change of ``type_``."""
    start = line.index(b'"type":"') + 8
    end = line.index(b'"', start)
    return line[:start] + type_ + line[end:]


class _Meta(msgspec.Struct):
    name: str = ""
    namespace: str = ""


class _Object(msgspec.Struct):
    kind: str = ""
    metadata: _Meta | None = None


class _Line(msgspec.Struct):
    type: str = ""
    object: _Object | None = None


_decode_line = msgspec.json.Decoder(_Line).decode


def _change_of(line: bytes) -> tuple[str, Key] | None:
    """The type and the key of the object a line carries (None: a log line, or one that does
    not decode)."""
    try:
        decoded = _decode_line(line)
    except msgspec.DecodeError:
        return None
    obj = decoded.object
    if obj is None:
        return None
    md = obj.metadata or _Meta()
    return decoded.type, (obj.kind, md.namespace, md.name)


def _t_of(line: bytes) -> float | None:
    """The t of a history line (``{"t":T,...``); None for a line that does not start so."""
    comma = line.find(b",", 5)
    if not line.startswith(b'{"t":') or comma < 0:
        return None
    try:
        t = float(line[5:comma])
    except ValueError:
        return None
    return t if t == t else None


def _retimed(line: bytes, t: float) -> bytes:
    """``{"t":T,...`` with T replaced by ``t``."""
    comma = line.index(b",", 5)
    return b'{"t":' + repr(round(t, 6)).encode() + line[comma:]


def _read_lines(directory: Path, seg: Segment) -> list[bytes] | None:
    for name, gz in ((seg.name + ".gz", True), (seg.name, False)):
        try:
            if gz:
                with gzip.open(directory / name, "rb") as f:
                    return f.readlines()
            with open(directory / name, "rb") as f:
                return f.readlines()
        except (FileNotFoundError, EOFError, gzip.BadGzipFile):
            continue
    return None
