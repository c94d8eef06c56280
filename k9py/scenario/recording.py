"""`kind: Recording`: what happened on a cluster, replayed verbatim (no controllers).

Header ``{kind: Recording, version: 1, start: <RFC3339>, context, serverVersion, description?,
duration?}`` then events in time order: ``{t, type: ADDED|MODIFIED|DELETED, object}`` or
``{t, type: LOG, namespace, pod, container, line}`` (``t``: seconds since ``start``).
YAML puts the events under ``events:``; JSON Lines has the header on line 1 and one event a line;
either may be gzipped. Objects may be partial: namespace defaults to ``default``, a missing uid
or creationTimestamp is made up (stable for the object's lifetime).
"""

from __future__ import annotations

import gzip
import io
import json
import uuid
from dataclasses import dataclass, field
from typing import IO, Any

import yaml

from k9py.errors import K9pyError
from k9py.kube import resources
from k9py.kube.timefmt import parse_duration, parse_time, rfc3339, rfc3339_micro
from k9py.scenario.schema import show
from k9py.scenario.yamldoc import YamlError, line_of, parse_documents

Obj = dict[str, Any]

KIND = "Recording"
VERSION = 1
OBJECT_TYPES = ("ADDED", "MODIFIED", "DELETED")
LOG = "LOG"
TYPES = OBJECT_TYPES + (LOG,)
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
    events: list[Event] = field(default_factory=list)

    @property
    def end(self) -> float:
        last = self.events[-1].t if self.events else 0.0
        return max(last, self.duration or 0.0)

    def header(self) -> Obj:
        return header_dict(self.start, context=self.context, server_version=self.server_version,
                           description=self.description, duration=self.duration, name=self.name)


def header_dict(start: float, *, context: str = "", server_version: str = "", description: str = "",
                duration: float | None = None, name: str = "") -> Obj:
    stamp = rfc3339(start) if float(start).is_integer() else rfc3339_micro(start)  # t is relative to it: keep it exact
    h: Obj = {"kind": KIND, "version": VERSION, "start": stamp, "context": context,
              "serverVersion": server_version}
    if name:
        h["name"] = name
    if description:
        h["description"] = description
    if duration is not None:
        h["duration"] = duration
    return h


def is_recording(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("kind") == KIND


# -- parsing ---------------------------------------------------------------------------------------

class _Errors:
    def __init__(self, path: str, sink: list[K9pyError] | None) -> None:
        self.path = path
        self.sink = sink

    def add(self, line: int | None, message: str, where: str | None = None) -> None:
        err = K9pyError(message, file=self.path, line=line, document=where)
        if self.sink is None:
            raise err
        self.sink.append(err)


def parse_recording(path: str, text: str, errors: list[K9pyError] | None = None) -> Recording:
    """Parse YAML or JSON Lines text. With ``errors`` every problem is collected there (bad
    events are skipped); without, the first one raises K9pyError."""
    errs = _Errors(path, errors)
    stripped = text.lstrip()
    if stripped.startswith("{") and "\n" in stripped.strip():
        first = stripped.split("\n", 1)[0]
        try:
            if json.loads(first).get("kind") == KIND:
                return _parse_jsonl(path, text, errs)
        except (ValueError, AttributeError):
            pass
    if stripped.startswith("{") and "\n" not in stripped.strip():
        try:
            data = json.loads(stripped)
            if isinstance(data, dict) and data.get("kind") == KIND and "events" not in data:
                return _parse_jsonl(path, text, errs)
        except ValueError:
            pass
    return _parse_yaml(path, text, errs)


def _header(path: str, data: Obj, errs: _Errors, line_for: Any) -> Recording:
    rec = Recording(path=path, start=0.0)
    for key in data:
        if key not in HEADER_FIELDS and key != "events":
            errs.add(line_for(key), f'unknown field "{key}"', "header")
    if data.get("version", VERSION) != VERSION:
        errs.add(line_for("version"), f'version: Unsupported value: {show(data.get("version"))}: supported values: {VERSION}', "header")
    start = data.get("start")
    try:
        t = parse_time(start) if isinstance(start, str) else None
    except ValueError:
        t = None
    if t is None:
        errs.add(line_for("start"), "start: Required value: an RFC3339 time like 2026-11-01T09:00:00Z"
                 if start is None else f"start: Invalid value: {show(start)}: must be an RFC3339 time like 2026-11-01T09:00:00Z",
                 "header")
    else:
        rec.start = t
    for key, attr in (("context", "context"), ("serverVersion", "server_version"),
                      ("description", "description"), ("name", "name")):
        v = data.get(key)
        if v is None:
            continue
        if not isinstance(v, str):
            errs.add(line_for(key), f"{key}: Invalid value: {show(v)}: must be a string", "header")
        else:
            setattr(rec, attr, v.strip() if key == "description" else v)
    if "duration" in data:
        try:
            rec.duration = _seconds(data["duration"])
        except ValueError:
            errs.add(line_for("duration"), f'duration: Invalid value: {show(data["duration"])}: must be seconds or a duration like 5m', "header")
    return rec


def _seconds(v: Any) -> float:
    if isinstance(v, bool) or v is None:
        raise ValueError(v)
    if isinstance(v, (int, float)):
        if v < 0:
            raise ValueError(v)
        return float(v)
    s = parse_duration(str(v))
    if s < 0:
        raise ValueError(v)
    return s


def _parse_jsonl(path: str, text: str, errs: _Errors) -> Recording:
    lines = text.split("\n")
    head = json.loads(lines[0].strip() or "{}")
    rec = _header(path, head, errs, lambda key: 1)
    for n, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except ValueError as err:
            errs.add(n, f"not valid JSON: {err.msg} (column {err.colno})")
            continue
        where = f"event {len(rec.events) + 1}"
        ev = _event(data, errs, lambda _field, n=n: n, where)
        if ev is not None:
            ev.at_line = n
            _append(rec, ev, errs, where)
    return rec


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml when available; timestamps stay strings (as in yamldoc)."""


_FastLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_yaml(path: str, text: str, errs: _Errors) -> Recording:
    """Fast path: load with libyaml and check; only a file with a problem is parsed again with
    positions, to name the lines."""
    try:
        data = list(yaml.load_all(text, Loader=_FastLoader))
    except yaml.YAMLError:
        data = None
    if data is not None:
        docs = [d for d in data if d is not None]
        if len(docs) == 1 and isinstance(docs[0], dict) and docs[0].get("kind") == KIND:
            found: list[K9pyError] = []
            quiet = _Errors(path, found)
            rec = _header(path, docs[0], quiet, lambda key: None)
            events = docs[0].get("events")
            if isinstance(events, list) or events is None:
                for i, item in enumerate(events or []):
                    ev = _event(item, quiet, lambda f: None, f"events[{i}]")
                    if ev is not None:
                        _append(rec, ev, quiet, f"events[{i}]")
                if not found:
                    return rec
    return _parse_yaml_positioned(path, text, errs)


def _parse_yaml_positioned(path: str, text: str, errs: _Errors) -> Recording:
    try:
        docs = [d for d in parse_documents(text) if d.data is not None]
    except YamlError as err:
        errs.add(err.line, err.message)
        return Recording(path=path, start=0.0)
    if not docs:
        errs.add(1, "empty file: expected a Recording")
        return Recording(path=path, start=0.0)
    if len(docs) > 1:
        errs.add(docs[1].line, "a YAML Recording is one document (its events go under events:)")
    doc = docs[0]
    data = doc.data
    if not isinstance(data, dict) or data.get("kind") != KIND:
        errs.add(doc.line, 'kind: Unsupported value: expected "Recording"')
        return Recording(path=path, start=0.0)
    rec = _header(path, data, errs, lambda key: line_of(doc.node, [key]))
    events = data.get("events")
    if events is None:
        events = []
    if not isinstance(events, list):
        errs.add(line_of(doc.node, ["events"]), f"events: Invalid value: {show(events)}: must be a list")
        return rec
    for i, item in enumerate(events):
        ev = _event(item, errs, lambda f, i=i: line_of(doc.node, ["events", i] + f), f"events[{i}]")
        if ev is not None:
            ev.at_line = line_of(doc.node, ["events", i])
            _append(rec, ev, errs, f"events[{i}]")
    return rec


def _append(rec: Recording, ev: Event, errs: _Errors, where: str) -> None:
    if rec.events and ev.t < rec.events[-1].t:
        errs.add(ev.at_line, f"t: Invalid value: {ev.t:g}: events must be in time order (the previous event is at t={rec.events[-1].t:g})", where)
        return
    rec.events.append(ev)


def _event(data: Any, errs: _Errors, line_for: Any, where: str) -> Event | None:
    """One event, checked (None when bad: the problem was reported)."""
    if not isinstance(data, dict):
        errs.add(line_for([]), f"must be a mapping like {{t, type, object}}, not {show(data)}", where)
        return None
    t_raw = data.get("t")
    try:
        t = _seconds(t_raw)
    except ValueError:
        msg = "t: Required value: seconds since start" if t_raw is None else \
            f"t: Invalid value: {show(t_raw)}: must be seconds since start (a number >= 0)"
        errs.add(line_for(["t"]), msg, where)
        return None
    type_ = data.get("type")
    if type_ not in TYPES:
        errs.add(line_for(["type"]), f"type: Unsupported value: {show(type_)}: supported values: "
                 + ", ".join(f'"{x}"' for x in TYPES), where)
        return None
    if type_ == LOG:
        allowed = ("t", "type", "namespace", "pod", "container", "line")
        for k in data:
            if k not in allowed:
                errs.add(line_for([k]), f'unknown field "{k}"', where)
                return None
        for k in ("pod", "line"):
            if not isinstance(data.get(k), str) or (k == "pod" and not data.get(k)):
                errs.add(line_for([k]), f"{k}: Required value" if k not in data else
                         f"{k}: Invalid value: {show(data.get(k))}: must be a string", where)
                return None
        for k in ("namespace", "container"):
            if k in data and data[k] is not None and not isinstance(data[k], str):
                errs.add(line_for([k]), f"{k}: Invalid value: {show(data[k])}: must be a string", where)
                return None
        return Event(t=t, type=LOG, namespace=data.get("namespace") or "default", pod=data["pod"],
                     container=data.get("container") or "", line=data["line"])
    for k in data:
        if k not in ("t", "type", "object"):
            errs.add(line_for([k]), f'unknown field "{k}"', where)
            return None
    obj = data.get("object")
    if not isinstance(obj, dict):
        errs.add(line_for(["object"]), "object: Required value" if obj is None else
                 f"object: Invalid value: {show(obj)}: must be a Kubernetes object", where)
        return None
    kind = obj.get("kind")
    if not isinstance(kind, str) or not kind:
        errs.add(line_for(["object"]), "object.kind: Required value", where)
        return None
    md = obj.get("metadata")
    if not isinstance(md, dict) or not isinstance(md.get("name"), str) or not md.get("name"):
        errs.add(line_for(["object", "metadata"] if isinstance(md, dict) else ["object"]),
                 "object.metadata.name: Required value", where)
        return None
    if "namespace" in md and md["namespace"] is not None and not isinstance(md["namespace"], str):
        errs.add(line_for(["object", "metadata", "namespace"]),
                 f"object.metadata.namespace: Invalid value: {show(md['namespace'])}: must be a string", where)
        return None
    if kind not in resources.BY_KIND:
        errs.add(line_for(["object", "kind"]), f"object.kind: Unsupported value: {show(kind)}: not a kind k9py serves", where)
        return None
    return Event(t=t, type=type_, object=obj)


# -- normalizing partial objects --------------------------------------------------------------------

def object_key(obj: Obj) -> tuple[str, str, str]:
    md = obj.get("metadata") or {}
    res = resources.BY_KIND.get(obj.get("kind", ""))
    ns = (md.get("namespace") or "default") if (res is None or res.namespaced) else ""
    return obj.get("kind", ""), ns, md.get("name", "")


def complete(obj: Obj, key: tuple[str, str, str], created: float, born_t: float) -> Obj:
    """A copy of a (possibly partial) recorded object with what every API object has."""
    kind, ns, name = key
    out = dict(obj)
    md = dict(out.get("metadata") or {})
    res = resources.BY_KIND.get(kind)
    if res is not None:
        out.setdefault("apiVersion", res.api_version)
    if ns:
        md["namespace"] = ns
    else:
        md.pop("namespace", None)
    if "uid" not in md:
        md["uid"] = str(uuid.uuid5(_UID_NS, f"{kind}/{ns}/{name}/{born_t:.6f}"))
    if "creationTimestamp" not in md:
        md["creationTimestamp"] = rfc3339(created)
    md.pop("managedFields", None)
    out["metadata"] = md
    return out


# -- writing ------------------------------------------------------------------------------------------

class RecordingWriter:
    """Appends a recording as it goes, flushed per line so a crash loses nothing written.
    ``.yaml``/``.yml`` → YAML (events under ``events:``); otherwise JSON Lines; ``.gz`` → gzip."""

    def __init__(self, path: str, header: Obj) -> None:
        self.path = path
        base = path[:-3] if path.endswith(".gz") else path
        self.yaml = base.endswith((".yaml", ".yml"))
        raw: IO[bytes] = open(path, "wb")
        self._raw = raw
        self._gz = gzip.GzipFile(fileobj=raw, mode="wb") if path.endswith(".gz") else None
        self._out: IO[bytes] = self._gz if self._gz is not None else raw
        self.events = 0
        self._bytes = 0
        if self.yaml:
            self._write(yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=1000) + "events:\n")
        else:
            self._write(json.dumps(header, separators=(",", ":")) + "\n")

    @property
    def bytes_written(self) -> int:
        return self._bytes if self._raw.closed else self._raw.tell()

    def _write(self, text: str) -> None:
        self._out.write(text.encode())
        self._out.flush()
        if self._gz is not None:
            self._raw.flush()

    def write(self, event: Event | Obj) -> None:
        data = event.to_json() if isinstance(event, Event) else event
        if self.yaml:
            text = yaml.safe_dump([data], sort_keys=False, allow_unicode=True, width=1000)
        else:
            text = json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n"
        self._write(text)
        self.events += 1

    def close(self) -> None:
        if self.yaml and self.events == 0:
            self._write("[]\n")
        if self._gz is not None:
            self._gz.close()
        self._bytes = self._raw.tell()
        self._raw.close()


def dumps_yaml(rec: Recording) -> str:
    """A Recording as YAML text (small, hand-readable recordings)."""
    buf = io.StringIO()
    buf.write(yaml.safe_dump(rec.header(), sort_keys=False, allow_unicode=True, width=1000))
    buf.write("events:\n")
    if not rec.events:
        buf.write("[]\n")
    for ev in rec.events:
        buf.write(yaml.safe_dump([ev.to_json()], sort_keys=False, allow_unicode=True, width=1000))
    return buf.getvalue()
