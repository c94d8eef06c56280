"""`kind: Recording`: what happened on a cluster, replayed verbatim (no controllers).

Header ``{kind: Recording, version: 1, start: <RFC3339>, context, serverVersion, description?,
duration?}`` then events in time order: ``{t, type: ADDED|MODIFIED|DELETED, object}`` or
``{t, type: LOG, namespace, pod, container, line}`` (``t``: seconds since ``start``).
YAML puts the events under ``events:``; JSON Lines has the header on line 1 and one event a line;
either may be gzipped. Objects may be partial: namespace defaults to ``default``, a missing uid
is made up (stable for the object's lifetime); nothing else is.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

import yaml

from k9py.errors import K9pyError
from k9py.kube import resources
from k9py.kube.timefmt import parse_duration, parse_time, rfc3339, rfc3339_micro
from k9py.kube.yamlout import SafeDumper
from k9py.scenario.schema import RECORDING_KIND, show
from k9py.scenario.source import (
    Problems,
    broken_json_lines_header,
    json_lines,
    json_lines_header,
    json_loads,
    json_problem,
    leading_space,
    yaml_documents,
)
from k9py.scenario.yamldoc import Lines, YamlError, line_of, load_fast

Obj = dict[str, Any]

VERSION = 1
OBJECT_TYPES = ("ADDED", "MODIFIED", "DELETED")
LOG = "LOG"
TYPES = (*OBJECT_TYPES, LOG)
HEADER_FIELDS = ("apiVersion", "kind", "version", "start", "context", "serverVersion", "description",
                 "duration", "name")
_UID_NS = uuid.UUID("6f0c1f4e-9a55-4c35-8a4c-2f3d7a1b9e10")


@dataclass
class Event:
    t: float
    type: str
    object: Obj | None = None
    namespace: str = ""
    pod: str = ""
    container: str = ""
    line: str = ""
    at_line: int = 0  # where in the file (errors)

    def to_json(self) -> Obj:
        if self.type == LOG:
            return {"t": self.t, "type": LOG, "namespace": self.namespace, "pod": self.pod,
                    "container": self.container, "line": self.line}
        return {"t": self.t, "type": self.type, "object": self.object}


@dataclass
class Recording:
    path: str
    start: float
    context: str = "recording"
    server_version: str = ""
    description: str = ""
    name: str = ""
    duration: float | None = None
    events: list[Event] = field(default_factory=list)  # empty when opened for playing (``eventlog.open_jsonl``)
    last_t: float = 0.0  # the last event's t when ``events`` is not kept

    @property
    def end(self) -> float:
        last = self.events[-1].t if self.events else self.last_t
        return max(last, self.duration or 0.0)

    def header(self) -> Obj:
        return header_dict(self.start, context=self.context, server_version=self.server_version,
                           description=self.description, duration=self.duration, name=self.name)


def header_dict(start: float, *, context: str = "", server_version: str = "", description: str = "",
                duration: float | None = None, name: str = "") -> Obj:
    stamp = rfc3339(start) if float(start).is_integer() else rfc3339_micro(start)  # t is relative to it: keep it exact
    h: Obj = {"kind": RECORDING_KIND, "version": VERSION, "start": stamp, "context": context,
              "serverVersion": server_version}
    if name:
        h["name"] = name
    if description:
        h["description"] = description
    if duration is not None:
        h["duration"] = duration
    return h


# -- parsing ---------------------------------------------------------------------------------------

def parse_recording(path: str, text: str, errors: list[K9pyError] | None = None) -> Recording:
    """Parse YAML or JSON Lines text. With ``errors`` every problem is collected there (bad
    events are skipped); without, the first one raises K9pyError."""
    problems = Problems(path, errors)
    head = json_lines_header(text)
    if head is not None and head.get("kind") == RECORDING_KIND:
        return _parse_jsonl(path, text, problems)
    if broken_json_lines_header(text, path, head):
        problems.add(_broken_header(text), line=1)  # (not YAML's words about a JSON line)
        return Recording(path=path, start=0.0)
    return _parse_yaml(path, text, problems)


def _broken_header(text: str) -> str:
    """What is wrong with the first line of a JSON Lines Recording that is no JSON object."""
    first, newline, _ = leading_space(text).partition("\n")
    try:
        json_loads(first)
    except ValueError as err:
        if not newline:
            return "the header line ends in the middle (a download cut off, or its recorder killed): nothing to play"
        return f"the header line is not valid JSON: {json_problem(err)}"
    return "the header line is no JSON object"


_Path = list[str | int]
_LineFor = Callable[[_Path], int | None]  # the line of a field of the header or of an event


def _no_line(_field: _Path) -> None:
    return None


def _on_line(n: int) -> _LineFor:
    """Every field on line ``n`` (JSON Lines: one event a line)."""
    return lambda _field: n


def _under(node: Lines, prefix: _Path) -> _LineFor:
    """The line of a field under ``prefix`` in the YAML node tree."""
    return lambda at: line_of(node, [*prefix, *at])


def _header(path: str, data: Obj, problems: Problems, line_for: _LineFor) -> Recording:
    rec = Recording(path=path, start=0.0)

    def bad(key: str, message: str) -> None:
        problems.add(message, line=line_for([key]), document="header")

    for key in data:
        if key not in HEADER_FIELDS and key != "events":
            bad(key, f'unknown field "{key}"')
    if data.get("version", VERSION) != VERSION:
        bad("version", f'version: Unsupported value: {show(data.get("version"))}: supported values: {VERSION}')
    start = data.get("start")
    try:
        t = parse_time(start) if isinstance(start, str) else None
    except ValueError:
        t = None
    if t is None:
        bad("start", "start: Required value: an RFC3339 time like 2026-11-01T09:00:00Z" if start is None
            else f"start: Invalid value: {show(start)}: must be an RFC3339 time like 2026-11-01T09:00:00Z")
    else:
        rec.start = t
    for key, attr in (("context", "context"), ("serverVersion", "server_version"),
                      ("description", "description"), ("name", "name")):
        v = data.get(key)
        if v is None:
            continue
        if not isinstance(v, str):
            bad(key, f"{key}: Invalid value: {show(v)}: must be a string")
        else:
            setattr(rec, attr, v.strip() if key == "description" else v)
    if "duration" in data:
        try:
            rec.duration = _seconds(data["duration"])
        except ValueError:
            bad("duration", f'duration: Invalid value: {show(data["duration"])}: must be seconds or a duration like 5m '
                "(at most ten years)")
    return rec


MAX_SECONDS = 10 * 365 * 86400  # a recording's t and duration: ten years (Infinity, 1e300 stopped the replay)


def _seconds(v: Any) -> float:
    if isinstance(v, bool) or v is None:
        raise ValueError(v)
    if isinstance(v, (int, float)):
        if not 0 <= v <= MAX_SECONDS:  # (NaN and Infinity too: JSON has none, Python's json reads them)
            raise ValueError(v)
        return float(v)
    s = parse_duration(str(v))
    if not 0 <= s <= MAX_SECONDS:
        raise ValueError(v)
    return s


def _parse_jsonl(path: str, text: str, problems: Problems) -> Recording:
    """The header on the first line, then one event a line."""
    lines = json_lines(text, problems)
    head = next(lines)  # there is one: the caller read it
    rec = _header(path, head.data, problems, _on_line(head.line))
    for entry in lines:
        where = f"event {len(rec.events) + 1}"
        ev = _event(entry.data, problems, _on_line(entry.line), where)
        if ev is not None:
            ev.at_line = entry.line
            _append(rec, ev, problems, where)
    return rec


def _parse_yaml(path: str, text: str, problems: Problems) -> Recording:
    """Fast path: load with libyaml and check; only a file with a problem is parsed again with
    positions, to name the lines."""
    try:
        data: list[Any] | None = load_fast(text)
    except (yaml.YAMLError, YamlError):  # read again with positions: that names the line
        data = None
    if data is not None:
        docs = [d for d in data if d is not None]
        if len(docs) == 1 and isinstance(docs[0], dict) and docs[0].get("kind") == RECORDING_KIND:
            found: list[K9pyError] = []
            quiet = Problems(path, found)
            rec = _header(path, docs[0], quiet, _no_line)
            events = docs[0].get("events")
            if isinstance(events, list) or events is None:
                for i, item in enumerate(events or []):
                    ev = _event(item, quiet, _no_line, f"events[{i}]")
                    if ev is not None:
                        _append(rec, ev, quiet, f"events[{i}]")
                if not found:
                    return rec
    return _parse_yaml_positioned(path, text, problems)


def _parse_yaml_positioned(path: str, text: str, problems: Problems) -> Recording:
    parsed = yaml_documents(text, problems, name_document=False)
    if parsed is None:
        return Recording(path=path, start=0.0)
    docs = [d for d in parsed if d.data is not None]
    if not docs:
        problems.add("empty file: expected a Recording", line=1)
        return Recording(path=path, start=0.0)
    if len(docs) > 1:
        problems.add("a YAML Recording is one document (its events go under events:)", line=docs[1].line)
    doc = docs[0]
    data = doc.data
    if not isinstance(data, dict) or data.get("kind") != RECORDING_KIND:
        problems.add('kind: Unsupported value: expected "Recording"', line=doc.line)
        return Recording(path=path, start=0.0)
    rec = _header(path, data, problems, _under(doc.node, []))
    events = data.get("events")
    if events is None:
        events = []
    if not isinstance(events, list):
        problems.add(f"events: Invalid value: {show(events)}: must be a list", line=line_of(doc.node, ["events"]))
        return rec
    for i, item in enumerate(events):
        ev = _event(item, problems, _under(doc.node, ["events", i]), f"events[{i}]")
        if ev is not None:
            ev.at_line = line_of(doc.node, ["events", i])
            _append(rec, ev, problems, f"events[{i}]")
    return rec


def _append(rec: Recording, ev: Event, problems: Problems, where: str) -> None:
    if rec.events and ev.t < rec.events[-1].t:
        problems.add(f"t: Invalid value: {ev.t:g}: events must be in time order (the previous event is at t={rec.events[-1].t:g})",
                     line=ev.at_line, document=where)
        return
    rec.events.append(ev)


def _event(data: Any, problems: Problems, line_for: _LineFor, where: str) -> Event | None:
    """One event, checked (None when bad: the problem was reported)."""

    def bad(at: _Path, message: str) -> None:
        problems.add(message, line=line_for(at), document=where)

    if not isinstance(data, dict):
        bad([], f"must be a mapping like {{t, type, object}}, not {show(data)}")
        return None
    t_raw = data.get("t")
    try:
        t = _seconds(t_raw)
    except ValueError:
        bad(["t"], "t: Required value: seconds since start" if t_raw is None else
            f"t: Invalid value: {show(t_raw)}: must be seconds since start (a number >= 0, at most ten years)")
        return None
    type_ = data.get("type")
    if type_ not in TYPES:
        bad(["type"], f"type: Unsupported value: {show(type_)}: supported values: " + ", ".join(f'"{x}"' for x in TYPES))
        return None
    if type_ == LOG:
        allowed = ("t", "type", "namespace", "pod", "container", "line")
        for k in data:
            if k not in allowed:
                bad([k], f'unknown field "{k}"')
                return None
        for k in ("pod", "line"):
            if not isinstance(data.get(k), str) or (k == "pod" and not data.get(k)):
                bad([k], f"{k}: Required value" if k not in data else
                    f"{k}: Invalid value: {show(data.get(k))}: must be a string")
                return None
        for k in ("namespace", "container"):
            if k in data and data[k] is not None and not isinstance(data[k], str):
                bad([k], f"{k}: Invalid value: {show(data[k])}: must be a string")
                return None
        return Event(t=t, type=LOG, namespace=data.get("namespace") or "default", pod=data["pod"],
                     container=data.get("container") or "", line=data["line"])
    for k in data:
        if k not in ("t", "type", "object"):
            bad([k], f'unknown field "{k}"')
            return None
    obj = data.get("object")
    if not isinstance(obj, dict):
        bad(["object"], "object: Required value" if obj is None else
            f"object: Invalid value: {show(obj)}: must be a Kubernetes object")
        return None
    kind = obj.get("kind")
    if not isinstance(kind, str) or not kind:
        bad(["object"], "object.kind: Required value")
        return None
    md = obj.get("metadata")
    if not isinstance(md, dict) or not isinstance(md.get("name"), str) or not md.get("name"):
        bad(["object", "metadata"] if isinstance(md, dict) else ["object"], "object.metadata.name: Required value")
        return None
    for key in ("namespace", "uid"):  # the store keys and indexes objects by them
        if key in md and md[key] is not None and not isinstance(md[key], str):
            bad(["object", "metadata", key],
                f"object.metadata.{key}: Invalid value: {show(md[key])}: must be a string")
            return None
    refs = md.get("ownerReferences")
    if refs is not None and (not isinstance(refs, list) or not all(
            isinstance(r, dict) and isinstance(r.get("uid", ""), str) for r in refs)):
        bad(["object", "metadata", "ownerReferences"], f"object.metadata.ownerReferences: Invalid value: "
            f"{show(refs)}: must be a list of owner references (each a mapping, its uid a string)")
        return None
    if kind not in resources.BY_KIND:
        bad(["object", "kind"], f"object.kind: Unsupported value: {show(kind)}: not a kind k9py serves")
        return None
    return Event(t=t, type=type_, object=obj)


# -- normalizing partial objects --------------------------------------------------------------------

def object_key(obj: Obj) -> tuple[str, str, str]:
    md = obj.get("metadata") or {}
    res = resources.BY_KIND.get(obj.get("kind", ""))
    ns = (md.get("namespace") or "default") if (res is None or res.namespaced) else ""
    return obj.get("kind", ""), ns, md.get("name", "")


def complete(obj: Obj, key: tuple[str, str, str], born_t: float, *, copy: bool = True) -> Obj:
    """A copy of a (possibly partial) recorded object with what a store needs to key and watch
    it: its namespace and a uid (stable for its lifetime). Nothing else is made up: a replay is
    served verbatim, so an object recorded without ``creationTimestamp`` has none (kubectl
    prints ``<unknown>`` for its AGE, as it would for the cluster's). ``copy=False``: ``obj``
    itself is completed (one just decoded, nobody else's)."""
    kind, ns, name = key
    out = dict(obj) if copy else obj
    md = out.get("metadata") or {}
    md = dict(md) if copy else md
    if "apiVersion" not in out:  # (the usual object lacks nothing: each step looks before it works)
        res = resources.BY_KIND.get(kind)
        if res is not None:
            out["apiVersion"] = res.api_version
    if ns:
        md["namespace"] = ns
    elif "namespace" in md:
        del md["namespace"]
    if "uid" not in md:
        md["uid"] = str(uuid.uuid5(_UID_NS, f"{kind}/{ns}/{name}/{born_t:.6f}"))
    if "managedFields" in md:
        del md["managedFields"]
    if out.get("metadata") is not md:
        out["metadata"] = md
    return out


# -- writing ------------------------------------------------------------------------------------------

def json_line(data: Any) -> str:
    """``data`` as one compact JSON line (no newline): UTF-8 as it is, unless a string holds what
    UTF-8 cannot (a lone surrogate, which JSON from a cluster may carry as ``"\\ud800"``): then
    escaped, so the line stays valid and keeps it exactly."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode()
    except UnicodeEncodeError:
        text = json.dumps(data, separators=(",", ":"))
    return text


class RecordingWriter:
    """Appends a recording as it goes, flushed per line so a crash loses nothing written.
    ``.yaml``/``.yml`` → YAML (events under ``events:``); otherwise JSON Lines; ``.gz`` → gzip."""

    def __init__(self, path: str, header: Obj) -> None:
        self.path = path
        base = path[:-3] if path.endswith(".gz") else path
        self.yaml = base.endswith((".yaml", ".yml"))
        raw: IO[bytes] = open(path, "wb")  # noqa: SIM115 - open until close(): events are appended as they come
        self._raw = raw
        self._gz = gzip.GzipFile(fileobj=raw, mode="wb") if path.endswith(".gz") else None
        self._out: gzip.GzipFile | IO[bytes] = self._gz if self._gz is not None else raw
        self.events = 0
        self._bytes = 0
        self._failed: K9pyError | None = None  # a write failed: every later write says so again
        if self.yaml:
            self._write(yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=1000) + "events:\n")
        else:
            self._write(json.dumps(header, separators=(",", ":")) + "\n")

    @property
    def bytes_written(self) -> int:
        return self._bytes if self._raw.closed else self._raw.tell()

    def _write(self, text: str) -> None:
        if self._failed is not None:
            raise self._failed
        try:
            self._out.write(text.encode())
            self._out.flush()
            if self._gz is not None:
                self._raw.flush()
        except OSError as err:  # the disk full, a quota, a file system gone read-only
            kept = f"the {self.events} events before it are kept" if self.events else "nothing was recorded"
            self._failed = K9pyError(f"cannot write the recording: {err.strerror or err} ({kept})", file=self.path)
            raise self._failed from None

    def write(self, event: Event | Obj) -> None:
        data = event.to_json() if isinstance(event, Event) else event
        self._write(self._text(data, plain=True))
        self.events += 1

    def _text(self, data: Any, *, plain: bool) -> str:
        """One event as YAML or a JSON line: UTF-8 as it is, unless a string holds what UTF-8
        cannot (a lone surrogate, which JSON from a cluster may carry as ``"\\ud800"``): then
        escaped, so the recording keeps it exactly and goes on."""
        if not self.yaml:
            return json_line(data) + "\n"
        text = yaml.dump([data], Dumper=SafeDumper, sort_keys=False, allow_unicode=plain, width=1000)
        if plain:
            try:
                text.encode()
            except UnicodeEncodeError:
                return self._text(data, plain=False)
        return text

    def close(self) -> None:
        if self._raw.closed:
            return
        try:
            if self._failed is None:
                if self.yaml and self.events == 0:
                    self._write("[]\n")
                if self._gz is not None:
                    self._gz.close()
            self._bytes = self._raw.tell()
        except (OSError, K9pyError) as err:  # the end of the file could not be written either
            if self._failed is None:
                self._failed = err if isinstance(err, K9pyError) else K9pyError(
                    f"cannot write the recording: {err.strerror or err}", file=self.path)
        finally:
            with contextlib.suppress(OSError):  # what the system still holds of it is lost with the disk
                self._raw.close()
        if self._failed is not None:
            raise self._failed
