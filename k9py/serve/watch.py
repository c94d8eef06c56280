"""``?watch=1``: one JSON event per line on a chunked stream, as the apiserver sends them.

- no resourceVersion (or "0"): synthetic ADDED events for the current state first;
- ``sendInitialEvents=true`` (kubectl's reflectors, e.g. ``delete --wait``): the current state,
  then a BOOKMARK annotated ``k8s.io/initial-events-end: "true"``; from a resourceVersion not
  reached within 3 s, one ERROR event (504 "Too large resource version", retry after 1 s);
- a plain watch from a resourceVersion not reached yet is accepted and waits for it (no error);
- a resourceVersion: the changes after it, or one ERROR event (410 Expired) if too old;
- Table / PartialObjectMetadata Accept headers: each event's object converted like a GET.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from k9py.kube import conversion, meta
from k9py.kube.resources import CRD_KIND
from k9py.kube.status import ApiError, bad_request
from k9py.kube.unicode import digits
from k9py.serve import listoptions, table
from k9py.serve.http import Request, Response

if TYPE_CHECKING:
    from k9py.serve.api import Api, Route

Obj = dict[str, Any]

DEFAULT_TIMEOUT = 1800.0  # real seconds; reflectors ask for 5-10 minutes anyway
# allowWatchBookmarks: the cacher gives each watcher a progress BOOKMARK a minute after the last
# one (or after it started), and one 2 s before the watch's timeoutSeconds runs out if that is sooner
BOOKMARK_EVERY = 60.0
BOOKMARK_BEFORE_END = 2.0
BATCH = 256  # events written as one chunk at most
MAX_PENDING = 10_000  # events queued for one watch client before it is cut off (it stopped reading)


class WatchStream:
    """The body of a watch response. ``close()`` always unregisters the store watch, even if the
    stream was never iterated (the client went away before the headers were sent)."""

    def __init__(self, api: Api, route: Route, match: Callable[[Obj], bool], *, initial: bool,
                 initial_end: bool, since: int | None, timeout: float, bookmarks: bool, as_: str,
                 include: str) -> None:
        from k9py.serve.api import component_statuses

        self.api, self.res = api, route.res
        self.timeout, self.bookmarks, self.as_, self.include = timeout, bookmarks, as_, include
        self.initial_end = initial_end
        self.since = since
        self.queue: deque[tuple[str, Obj]] = deque()
        self.overflowed = False  # the client fell MAX_PENDING events behind: the stream ends
        self.first: list[tuple[str, Obj]] = []
        self.error: Obj | None = None
        self.watcher: Any = None
        self.crd: Obj | None = None  # a custom resource's CRD as the watch began
        ns = route.namespace if self.res.namespaced else None
        cluster = api.cluster
        with cluster.lock:
            self.start_rv = cluster.store.resource_version
            if self.res.crd:
                self.crd = self._crd_now()
            if self.res.kind == "ComponentStatus":
                self.first = [("ADDED", o) for o in component_statuses() if match(o)]
                return
            if initial:
                self.first = [("ADDED", o) for o in cluster.store.list(self.res.kind, ns, match)]
            try:
                self.watcher = cluster.store.watch(self.res.kind, self._pending,
                                                   namespace=ns, match=match, since_rv=since)
            except ApiError as e:
                self.error = e.to_status()

    def _crd_now(self) -> Obj | None:
        """What of the CRD its storage is made from (uid, spec, accepted names); None once gone."""
        crd = self.api.cluster.store.get(CRD_KIND, None, self.res.crd)
        if crd is None:
            return None
        return {"uid": meta.uid(crd), "spec": crd.get("spec"),
                "names": (crd.get("status") or {}).get("acceptedNames")}

    def _storage_gone(self) -> bool:
        """The CRD was deleted or changed: the apiserver tears the custom resource's storage down
        and with it ends its watches (clients watch again, and get 404 once it is gone)."""
        if not self.res.crd:
            return False
        with self.api.cluster.lock:
            return self._crd_now() != self.crd

    def _pending(self, type_: str, obj: Obj) -> None:
        """Queue an event for the client; one that stopped reading is cut off, as the apiserver
        closes a watcher whose buffer is full: the simulator never waits, memory stays bounded and
        the client, when it reads again, sees the stream end and watches again."""
        if self.overflowed:
            return
        if len(self.queue) >= MAX_PENDING:
            self.overflowed = True
            self.queue.clear()
            return
        self.queue.append((type_, obj))

    def encode(self, type_: str, obj: Obj) -> bytes:
        if type_ not in ("ERROR", "BOOKMARK"):
            if self.as_ == "Table":
                obj = table.table(obj.get("kind", self.res.kind), [obj], self.api.cluster.now(),
                                  include_object=self.include,
                                  resource_version=obj.get("metadata", {}).get("resourceVersion", ""),
                                  printer_columns=self.res.printer_columns)
            elif self.as_ == "PartialObjectMetadata":
                obj = table.partial_metadata(obj)
            else:
                obj = conversion.convert(obj, self.res.api_version)  # autoscaling/v1, events.k8s.io/v1
        return json.dumps({"type": type_, "object": obj}, separators=(",", ":")).encode() + b"\n"

    def bookmark(self, rv: int, end: bool = False) -> bytes:
        md: Obj = {"resourceVersion": str(rv)}
        if end:
            md["annotations"] = {"k8s.io/initial-events-end": "true"}
        return self.encode("BOOKMARK", {"kind": self.res.kind, "apiVersion": self.res.api_version, "metadata": md})

    def __iter__(self) -> Iterator[bytes]:
        if self.error is not None:
            yield self.encode("ERROR", self.error)
            return
        for i in range(0, len(self.first), BATCH):
            yield b"".join(self.encode(t, o) for t, o in self.first[i:i + BATCH])
        if self.initial_end:
            yield self.bookmark(self.start_rv, end=True)
        deadline = time.monotonic() + self.timeout
        api = self.api
        next_bookmark = self._next_bookmark(time.monotonic(), deadline)
        # the version the client has: a bookmark at it is not sent
        sent_rv = self.since if self.since is not None and not self.first else self.start_rv
        while not api.stopping.is_set() and time.monotonic() < deadline:
            if self.overflowed:
                return
            while self.queue:
                chunk, last = self._drain()
                sent_rv = max(sent_rv, last)
                yield chunk
            now = time.monotonic()
            if next_bookmark is not None and now >= next_bookmark:
                with api.cluster.lock:  # (writes queue their events under it)
                    rv = api.cluster.store.resource_version
                    behind = bool(self.queue)  # a write came meanwhile: its event goes first
                if not behind:
                    if rv > sent_rv:
                        yield self.bookmark(rv)
                        sent_rv = rv
                    next_bookmark = self._next_bookmark(now, deadline)
            if not self.queue:
                if self._storage_gone():
                    break
                wake = deadline if next_bookmark is None else min(deadline, next_bookmark)
                api.wait_change(min(0.5, max(0.0, wake - time.monotonic())))
                if not self.queue:
                    yield b""  # idle: the writer sees whether the client is still there
        while self.queue:
            yield self._drain()[0]

    def _next_bookmark(self, now: float, deadline: float) -> float | None:
        """When the next progress bookmark is due (None: none, or the watch ends first)."""
        if not self.bookmarks:
            return None
        due = min(now + BOOKMARK_EVERY, deadline - BOOKMARK_BEFORE_END)
        return due if due > now else None

    def _drain(self) -> tuple[bytes, int]:
        """The queued events (up to ``BATCH``) as one chunk: under churn one write carries many
        events, not one write and one flush each; and the newest resourceVersion among them."""
        out: list[bytes] = []
        last = 0
        while self.queue and len(out) < BATCH:
            type_, obj = self.queue.popleft()
            rv = (obj.get("metadata") or {}).get("resourceVersion") if isinstance(obj, dict) else None
            if isinstance(rv, str) and digits(rv):
                last = max(last, int(rv))
            out.append(self.encode(type_, obj))
        return b"".join(out), last

    def close(self) -> None:
        if self.watcher is not None:
            with self.api.cluster.lock:
                self.watcher.stop()
            self.watcher = None


def _named(match: Callable[[Obj], bool], name: str) -> Callable[[Obj], bool]:
    """``match`` narrowed to the one object called ``name``."""
    return lambda o: meta.name(o) == name and match(o)


def watch(api: Api, req: Request, route: Route, match: Callable[[Obj], bool], name: str | None) -> Response:
    from k9py.serve.api import int_param

    if name is not None:
        match = _named(match, name)

    listoptions.check(listoptions.watch_problems(req))
    rv_text = req.q("resourceVersion") or ""
    send_initial = (req.q("sendInitialEvents") or "").lower()
    if send_initial in ("true", "1"):
        initial, initial_end = True, True
    elif send_initial in ("false", "0"):
        initial, initial_end = False, False
    else:
        initial, initial_end = rv_text in ("", "0"), False
    since: int | None = None
    if rv_text not in ("", "0") and not initial:
        try:
            since = int(rv_text)
        except ValueError:
            raise bad_request(f"invalid resource version: {rv_text!r}") from None
    timeout = float(int_param(req, "timeoutSeconds", 0)) or DEFAULT_TIMEOUT
    asked = listoptions.awaited_version(req, watch=True)
    if asked is not None:  # a watch-list from a version not reached yet: wait, then one ERROR event
        api.wait_for_version(asked)
        with api.cluster.lock:
            current = api.cluster.store.resource_version
        if asked > current:
            return Response(200, stream=[json.dumps({"type": "ERROR", "object": listoptions.too_large(
                asked, current).to_status()}, separators=(",", ":")).encode() + b"\n"], content_type="application/json")
    stream = WatchStream(api, route, match, initial=initial, initial_end=initial_end, since=since,
                         timeout=timeout, bookmarks=req.flag("allowWatchBookmarks"), as_=api.accept(req),
                         include=req.q("includeObject") or "Metadata")
    return Response(200, stream=stream, content_type="application/json")
