"""Records cluster history as a Recording (JSON Lines, appended and flushed as it goes).

Two sources:
- ``SimRecorder``: a simulated cluster (a Scenario) read directly, on its virtual clock (fast:
  five minutes of history take a second or two);
- ``k9py.backends.recorder.record_backend``: any Backend (live cluster, sim) through its
  watches, on the backend's clock (the wall clock for a live cluster); it shares this
  module's filter, log cursors and redaction.

Both write the initial state at t=0, then every watch event, plus the logs of the pods matching
``--logs``. Secrets' ``data``/``stringData`` are redacted unless asked otherwise;
``managedFields`` are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from k9py.kube import meta, resources
from k9py.kube.selectors import matches as selector_matches
from k9py.kube.selectors import parse_label_selector
from k9py.kube.status import ApiError
from k9py.kube.timefmt import parse_time
from k9py.scenario.recording import LOG, Event, RecordingWriter, header_dict

Obj = dict[str, Any]

REDACTED = "UkVEQUNURUQ="  # base64("REDACTED"): keys stay visible, values do not
# Kinds whose objects come and go with every watch and add nothing a replay shows.
# not recorded: ComponentStatus, and what cannot be watched (the reviews are only ever created)
SKIP_KINDS = tuple(dict.fromkeys(("ComponentStatus", *(r.kind for r in resources.RESOURCES if "watch" not in r.verbs))))


def sanitize(obj: Obj, *, include_secrets: bool = False) -> Obj:
    """A copy fit for a recording: no managedFields; Secret values redacted."""
    out = dict(obj)
    md = out.get("metadata")
    if isinstance(md, dict) and "managedFields" in md:
        out["metadata"] = {k: v for k, v in md.items() if k != "managedFields"}
    if out.get("kind") == "Secret" and not include_secrets:
        for f in ("data", "stringData"):
            if isinstance(out.get(f), dict):
                out[f] = {k: (REDACTED if f == "data" else "REDACTED") for k in out[f]}
        ann = (out.get("metadata") or {}).get("annotations") or {}
        if "kubectl.kubernetes.io/last-applied-configuration" in ann:
            md2 = dict(out["metadata"])
            md2["annotations"] = {k: v for k, v in ann.items()
                                  if k != "kubectl.kubernetes.io/last-applied-configuration"}
            out["metadata"] = md2
    return out


class RecordFilter:
    def __init__(self, namespace: str | None, kinds: list[str] | None) -> None:
        self.namespace = namespace or None
        wanted = kinds or [r.kind for r in resources.RESOURCES]
        self.kinds = [k for k in wanted if k not in SKIP_KINDS and k in resources.BY_KIND]

    def keep(self, obj: Obj) -> bool:
        res = resources.BY_KIND.get(obj.get("kind", ""))
        if res is None or not res.namespaced or self.namespace is None:
            return True
        return meta.namespace(obj) == self.namespace


class LogCursor:
    """Which lines of a container were already written (by timestamp, then count at it)."""

    def __init__(self) -> None:
        self.t: float | None = None
        self.n = 0

    def fresh(self, lines: list[tuple[float, str]]) -> list[tuple[float, str]]:
        out, at = [], 0
        for t, s in lines:
            if self.t is None or t > self.t:
                out.append((t, s))
            elif t == self.t:
                at += 1
                if at > self.n:
                    out.append((t, s))
        for t, _ in out:
            if t != self.t:
                self.t, self.n = t, 0
            self.n += 1
        return out


def split_timestamp(line: str) -> tuple[float, str] | None:
    head, _, rest = line.partition(" ")
    try:
        t = parse_time(head)
    except ValueError:
        return None
    return None if t is None else (t, rest)


class SimRecorder:
    """Records a simulated cluster from now (t=0) while the caller (or ``run``) advances it."""

    def __init__(self, cluster: Any, writer: RecordingWriter, *, namespace: str | None = None,
                 logs: str | None = None, include_secrets: bool = False, kinds: list[str] | None = None) -> None:
        self.cluster = cluster
        self.writer = writer
        self.start = cluster.now()
        self.filter = RecordFilter(namespace, kinds)
        self.include_secrets = include_secrets
        self.log_selector = parse_label_selector(logs) if logs else None
        self.log_pods: set[tuple[str, str]] = set()  # the pods the selector matched, at any time
        self._pending: list[Event] = []
        self._cursors: dict[tuple[str, str, str, str], LogCursor] = {}
        with cluster.lock:
            self._watches = [cluster.store.watch(k, self._on_change) for k in self.filter.kinds]
            initial = [Event(0.0, "ADDED", self._clean(o)) for k in self.filter.kinds
                       for o in cluster.store.list(k) if self.filter.keep(o)]
            self._pending = initial
            self._collect_logs()
        self.flush()

    def _clean(self, obj: Obj) -> Obj:
        return sanitize(obj, include_secrets=self.include_secrets)

    def _on_change(self, type_: str, obj: Obj) -> None:
        if self.filter.keep(obj):
            self._pending.append(Event(self.cluster.now() - self.start, type_, self._clean(obj)))

    def _collect_logs(self) -> None:
        if self.log_selector is None:
            return
        from k9py.sim.logs import container_logs

        for pod in self.cluster.store.list("Pod", self.filter.namespace):
            if not selector_matches(self.log_selector, meta.labels(pod)):
                continue
            ns, name = meta.namespace(pod), meta.name(pod)
            self.log_pods.add((ns, name))
            for c in pod.get("spec", {}).get("containers") or []:
                cname = c.get("name", "")
                try:
                    lines = container_logs(self.cluster, ns, name, cname, timestamps=True)
                except ApiError:
                    continue  # waiting to start: no logs yet
                parsed = [x for x in (split_timestamp(ln) for ln in lines) if x is not None]
                cursor = self._cursors.setdefault((ns, name, meta.uid(pod), cname), LogCursor())
                for t, s in cursor.fresh(parsed):
                    self._pending.append(Event(max(0.0, t - self.start), LOG, namespace=ns, pod=name,
                                               container=cname, line=s))

    def flush(self) -> None:
        events = sorted(self._pending, key=lambda e: e.t)  # stable: object events before logs
        self._pending = []
        for ev in events:
            self.writer.write(ev)

    def step(self, seconds: float) -> None:
        with self.cluster.lock:
            self.cluster.advance(seconds)
            self._collect_logs()
        self.flush()

    def run(self, duration: float, *, step: float = 1.0,
            progress: Callable[[float, int, int], None] | None = None) -> None:
        """Advance ``duration`` virtual seconds in ``step``s, writing as it goes."""
        done = 0.0
        while done < duration - 1e-9:
            dt = min(step, duration - done)
            self.step(dt)
            done += dt
            if progress is not None:
                progress(done, self.writer.events, self.writer.bytes_written)

    def close(self) -> None:
        for w in self._watches:
            w.stop()
        self.writer.close()


def recording_header(start: float, *, context: str, server_version: str, description: str = "",
                     duration: float | None = None, name: str = "") -> Obj:
    return header_dict(start, context=context, server_version=server_version, description=description,
                       duration=duration, name=name)
