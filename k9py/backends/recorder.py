"""Records any Backend (a live cluster, the simulator) as a Recording through its watches, on the
backend's clock; the recording format, redaction and log cursors are ``k9py.scenario.recorder``'s."""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Callable

from k9py.backends.base import Backend, Obj
from k9py.backends.events import Added, Deleted, Listed, Modified, StateChanged, Synced, change_type
from k9py.kube import meta, resources
from k9py.kube.selectors import matches as selector_matches
from k9py.kube.selectors import parse_label_selector
from k9py.scenario.recorder import SKIP_KINDS, LogCursor, RecordFilter, sanitize, split_timestamp
from k9py.scenario.recording import LOG, Event, RecordingWriter

LOG_OVERLAP = 60.0  # seconds fetched again before the last line kept (clock skew)


async def fresh_log_lines(backend: Backend, namespace: str, pod: str, container: str, cursor: LogCursor, *,
                          first_tail: int | None = None) -> list[tuple[float, str]]:
    """A container's log lines not seen yet (their own time, their text), ``cursor`` moved past
    them: the first fetch takes everything (or the last ``first_tail`` lines), later ones only
    what is new since the cursor's last line, give or take ``LOG_OVERLAP`` (our clock and the
    server's may differ; the cursor drops what it has). Nothing when the container has no log to
    give (not started, gone, forbidden)."""
    since = None if cursor.t is None else max(1, math.ceil(backend.now() - cursor.t + LOG_OVERLAP))
    try:
        lines = [ln async for ln in backend.logs(namespace, pod, container, timestamps=True, since_seconds=since,
                                                 tail_lines=first_tail if since is None else None)]
    except Exception:
        return []
    return cursor.fresh([x for x in (split_timestamp(ln) for ln in lines) if x is not None])


async def record_backend(backend: Backend, writer: RecordingWriter, *, duration: float | None = None,
                         namespace: str | None = None, logs: str | None = None, include_secrets: bool = False,
                         progress: Callable[[float, int, int], None] | None = None,
                         log_poll: float = 2.0, start: float | None = None,
                         clock: Callable[[], float] | None = None,
                         on_event: Callable[[Event], None] | None = None,
                         stop: threading.Event | None = None,
                         ready: Callable[[], None] | None = None,
                         log_pods: set[tuple[str, str]] | None = None,
                         refused: dict[str, str] | None = None) -> None:
    """Record any Backend through its watches until ``duration`` (wall-clock seconds), ``stop``
    is set, or cancellation.

    t is ``clock() - start`` when an event arrives, ``clock`` being the backend's (``now()``: the
    wall clock for a live cluster, which is also the apiserver's, give or take NTP and latency;
    the virtual clock for the simulator). Pass the ``start`` written in the header so that
    replay (start + t) reads the same instants. Everything listed before a kind's watch is synced
    is the initial state, t=0; ``ready`` is called once every kind is synced. ``on_event`` sees
    every event once written (tests, progress). ``log_pods`` gets the pods ``logs`` matched,
    ``refused`` the kinds the user may not list, with the server's words (nothing of them is
    recorded; they count as synced, so ``ready`` is not kept waiting for them)."""
    clock = clock or backend.now
    start = clock() if start is None else start
    kinds = [r.kind for r in backend.kinds() if r.kind in resources.BY_KIND and r.kind not in SKIP_KINDS]
    filt = RecordFilter(namespace, kinds)
    selector = parse_label_selector(logs) if logs else None
    cursors: dict[tuple[str, str, str], LogCursor] = {}
    pods: dict[tuple[str, str], Obj] = {}

    last = [0.0]
    unsynced = set(filt.kinds)

    def emit(ev: Event) -> None:
        ev.t = last[0] = max(ev.t, last[0])  # watches race each other: keep the file in time order
        writer.write(ev)
        if on_event is not None:
            on_event(ev)

    async def follow(kind: str) -> None:
        synced = False
        async for ev in backend.watch(kind, namespace if resources.BY_KIND[kind].namespaced else None):
            match ev:
                case Listed(objs=objs):
                    for o in objs:
                        if filt.keep(o):
                            track(o, "ADDED")
                            emit(Event(0.0, "ADDED", sanitize(o, include_secrets=include_secrets)))
                case Synced():
                    if not synced:
                        synced = True
                        unsynced.discard(kind)
                        if not unsynced and ready is not None:
                            ready()
                case StateChanged(state="forbidden", message=why):
                    if refused is not None:
                        refused.setdefault(kind, why)
                    if not synced:  # nothing to wait for: its list was refused
                        synced = True
                        unsynced.discard(kind)
                        if not unsynced and ready is not None:
                            ready()
                case Added(obj=obj) | Modified(obj=obj) | Deleted(obj=obj) if filt.keep(obj):
                    type_ = change_type(ev)
                    track(obj, type_)
                    t = 0.0 if not synced else max(0.0, clock() - start)
                    emit(Event(t, type_, sanitize(obj, include_secrets=include_secrets)))

    def track(obj: Obj, type_: str) -> None:
        if obj.get("kind") == "Pod":
            key = (meta.namespace(obj), meta.name(obj))
            if type_ == "DELETED":
                pods.pop(key, None)
            else:
                pods[key] = obj

    async def poll_logs() -> None:
        while selector is not None:
            await asyncio.sleep(log_poll)
            for (ns, name), pod in list(pods.items()):
                if not selector_matches(selector, meta.labels(pod)):
                    continue
                if log_pods is not None:
                    log_pods.add((ns, name))
                for c in pod.get("spec", {}).get("containers") or []:
                    cname = c.get("name", "")
                    cur = cursors.setdefault((ns, name, cname), LogCursor())
                    for t, s in await fresh_log_lines(backend, ns, name, cname, cur):  # at the line's own time
                        emit(Event(max(0.0, t - start), LOG, namespace=ns, pod=name, container=cname, line=s))

    if not unsynced and ready is not None:
        ready()  # nothing to follow
    tasks = [asyncio.ensure_future(follow(k)) for k in filt.kinds]
    tasks.append(asyncio.ensure_future(poll_logs()))
    began = time.monotonic()
    try:
        while duration is None or time.monotonic() - began < duration:
            if stop is not None and stop.is_set():
                break
            await asyncio.sleep(0.1 if stop is not None else 0.5)
            if progress is not None:
                progress(time.monotonic() - began, writer.events, writer.bytes_written)
            failed = [err for t in tasks if t.done() and (err := t.exception()) is not None]
            if failed:
                raise failed[0]
    finally:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
