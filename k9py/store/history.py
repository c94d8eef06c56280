"""The time machine's memory: what a backend's watches saw, kept on disk as a bounded series of
Recording segments, so that any moment of the last hours can be replayed (``open_past``) or saved
(``save``) as a Recording that ``k9py replay`` opens.

A run (one backend, one k9py process) writes ``<root>/<context>/<run>/``:
- ``NNNNNN.jsonl`` — the segment being written; closed segments are gzipped (``.jsonl.gz``).
  Every segment is a complete Recording on its own: its header (t counts from the run's start, on
  the backend's clock), then the state at the segment's start (``base``: one ADDED per object),
  then every change, and the log lines of the pods being followed.
- ``index.json`` — the segments with their time span and the number of base lines, for
  ``k9py record --from-history`` (another process) and for pruning.

Bounds: segments older than ``max_age`` (backend seconds) and the oldest segments beyond
``max_bytes`` on disk are deleted whole (the next segment starts with its own base, so nothing
before it is needed); older runs of every context are pruned by the same rules. Secrets are
redacted as recordings redact them; ``managedFields`` are dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import json
import os
import shutil
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from k9py.backends.base import Backend, Obj
from k9py.backends.events import Added, Deleted, Listed, Modified, StateChanged, Synced
from k9py.backends.recorder import fresh_log_lines
from k9py.errors import K9pyError
from k9py.kube import meta, resources
from k9py.scenario.recorder import SKIP_KINDS, LogCursor, sanitize
from k9py.scenario.recording import header_dict, json_line
from k9py.store.segments import RunPart, Segment, event_line, join

Key = tuple[str, str, str]  # kind, namespace, name
INDEX = "index.json"
LOG_POLL = 2.0  # real seconds between polls of the followed pods' logs
FIRST_TAIL = 1000  # lines of a pod's log kept from before it was followed
ACTIVE_RUN = 60.0  # wall seconds: a run written more recently than this is never pruned by another
PRUNE_EVERY = 30.0  # seconds of the backend's clock between checks of the age limit
LIST_INLINE = 200  # a (re)list longer than this has its JSON made in a thread, in slices of LIST_SLICE
LIST_SLICE = 2000
FIRST_LOOK_LIMIT = 60.0  # seconds (the cluster's clock) after which the history is taken as whole without every first list
MAX_VISITS = 8  # ended runs of a context kept to join (each holds the cluster's JSON as it left it)
BASE_CHUNK = 2000  # a base is encoded and written this many lines at a time (one encode of 75 MB held the GIL)


@dataclass(frozen=True)
class Limits:
    """How much history is kept (``config.yaml``: ``k9py.history``)."""

    max_age: float = 7200.0  # seconds of the backend's clock
    max_bytes: int = 200 * 1024 * 1024  # on disk, every run of every context together
    segment_seconds: float = 300.0  # a segment is closed (and gzipped) after this long...
    segment_bytes: int = 0  # ...or this many bytes of changes after its base (0: max_bytes / 8)

    @property
    def roll_bytes(self) -> int:
        return self.segment_bytes or max(64 * 1024, self.max_bytes // 8)


@dataclass
class EndedRun:
    """A run of this process on a context it has left (`:ctx` away): its segments on disk and
    what existed when it stopped watching. Shown that context again, the new run's History
    reads it before its own (``History.earlier``): the first visit stays reachable."""

    part: RunPart
    lineage: Any  # the cluster it watched (``lineage_of``)


def lineage_on_disk(backend: Backend) -> str | None:
    """A live cluster's lineage as the run's index keeps it, so that a later k9py on the same
    context and server reads the run before its own; None for a simulated one (each k9py builds
    its own cluster: another process's run is another cluster's)."""
    if backend.local_cluster() is not None:
        return None
    info = backend.info()
    if info.backend != "live":
        return None
    return json.dumps([info.context, info.cluster, info.extra.get("server", "")])


def lineage_of(backend: Backend) -> Any:
    """What says two backends show one cluster: the simulated cluster itself (held weakly: a
    dropped one is forgotten), else the context and its server."""
    local = backend.local_cluster()
    if local is not None:
        try:
            return weakref.ref(local)
        except TypeError:
            return id(local)
    info = backend.info()
    return (info.backend, info.context, info.cluster, info.extra.get("server", ""))


def safe_name(text: str) -> str:
    """``text`` (a context's name) as one folder's name: one over 255 bytes (a context named at
    length) keeps its first 200 and a digest of the whole, distinct and the same each run."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in text).strip(".") or "_"
    raw = safe.encode("utf-8", "surrogatepass")
    if len(raw) <= 255:
        return safe
    return raw[:200].decode("utf-8", "ignore") + "-" + hashlib.sha256(raw).hexdigest()[:16]


def _key(obj: Obj) -> Key:
    return (str(obj.get("kind") or ""), meta.namespace(obj), meta.name(obj))


class History:
    """Records one backend while k9py runs. ``start(backend)`` on the running loop; ``close()``."""

    def __init__(self, root: Path, context: str, limits: Limits | None = None, *,
                 include_secrets: bool = False, poll_logs: bool = True, start_delay: float = 0.0,
                 ended: list[EndedRun] | None = None) -> None:
        """``start_delay``: real seconds before the watches open, so that the first view's own
        list (a live cluster: one request each, a thread each) is not queued behind them.
        ``ended``: this process's ended runs of the context (shared by its Histories: each adds
        its own when it closes), read before this run's own when they watched the same cluster."""
        self.root = Path(root)
        self.context = context
        self.limits = limits or Limits()
        self.include_secrets = include_secrets
        self.poll_logs_automatically = poll_logs  # tests poll by hand (``poll_logs()``)
        self.start_delay = start_delay
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        self.dir = self.root / safe_name(context) / f"{stamp}-{os.getpid()}-{id(self) % 10000:04d}"
        self.backend: Backend | None = None
        self.start_t = 0.0  # the backend's clock at t=0
        self.cluster = context
        self.server_version = ""
        self.state: dict[Key, str] = {}  # what exists now: key -> the object's JSON (the next base)
        self.kinds: dict[str, set[Key]] = {}  # the keys of ``state`` by kind (a kind's relist ends in one look)
        self.segments: list[Segment] = []
        # the first moment (t) when every kind's first list was in: the oldest the history shows
        # whole (before it, objects that existed all along are not there yet); None until then
        self.complete_t: float | None = None
        self._first_looks: set[str] = set()  # kinds whose first list is not in yet
        self._closing = False
        self.followed: set[tuple[str, str]] = set()  # pods whose logs are kept (namespace, name)
        self.events = 0
        self.dropped = 0  # segments deleted to stay within the limits
        self._last_t = 0.0
        self._fh: Any = None
        self._lock = threading.Lock()  # segments and the open file: compression runs in a thread
        self._tasks: list[asyncio.Task[None]] = []
        self._cursors: dict[tuple[str, str, str], LogCursor] = {}
        self._compressing: list[threading.Thread] = []
        self._held: list[bytes] | None = None  # lines that come while a thread writes a base: after it
        self._base_pending = False  # a thread writes a base: until it is written and indexed (or failed)
        self._base_done = threading.Condition(self._lock)  # told when it is
        self._index_lock = threading.Lock()  # one index written at a time, each from a fresh look
        # a run's folder -> its segments, header, complete_t
        self._ended: dict[Path, tuple[list[Segment], Obj, float | None]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None  # where a thread's disk error is told
        self.error: str | None = None  # a disk problem: history stops, the explorer goes on
        self._flush_pending = False
        self._pruned_at = 0.0
        self.budget = self.limits.max_bytes  # this run's share: max_bytes less what older runs keep
        self.pruning: asyncio.Task[None] | None = None  # older runs pruned and measured, off the loop
        self.ended = ended
        self.lineage: Any = None  # the cluster watched (``lineage_of``), once started
        self.disk_lineage: str | None = None  # the same, in the index (``lineage_on_disk``)
        self.disk_runs: list[EndedRun] = []  # earlier k9py runs on the same live cluster (``_prune_older``)
        self._end_t: float | None = None  # the last moment watched, once closed

    # -- life ------------------------------------------------------------------------------------
    def start(self, backend: Backend) -> None:
        self.backend = backend
        with contextlib.suppress(RuntimeError):
            self._loop = asyncio.get_running_loop()
        info = backend.info()
        self.cluster, self.server_version = info.cluster, info.server_version
        self.start_t = round(backend.now(), 6)
        if self.ended is not None:
            self.lineage, self.disk_lineage = lineage_of(backend), lineage_on_disk(backend)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            self.budget = self.limits.max_bytes // 2  # until the older runs are measured (``_prune_older``)
            self._open_segment(0.0)
            self._write_index()  # another process can read the run from now on
        except OSError as err:
            self._fail(err)
            return
        kinds = [r.kind for r in backend.kinds()
                 if r.kind in resources.BY_KIND and r.kind not in SKIP_KINDS and "watch" in r.verbs]
        self._first_looks = set(kinds)
        if not kinds:
            self.complete_t = 0.0
        self._tasks = [asyncio.ensure_future(self._follow(k)) for k in dict.fromkeys(kinds)]
        self.pruning = asyncio.ensure_future(self._prune_older())
        self._tasks.append(self.pruning)
        if self.poll_logs_automatically:
            self._tasks.append(asyncio.ensure_future(self._poll_logs_forever()))

    async def _prune_older(self) -> None:
        """Older runs pruned and measured in a thread (a walk of the disk: not on the event loop);
        this run may then use what they leave of ``max_bytes``."""
        try:
            others = await asyncio.to_thread(prune_runs, self.root, self.limits, keep=self.dir)
        except OSError:
            return  # the half it has is this run's share
        self.budget = max(self.limits.max_bytes // 2, self.limits.max_bytes - others)
        if self.ended:  # the runs pruning deleted are no longer there to join
            gone = {r.part.dir for r in self.ended if not r.part.dir.is_dir()}
            self.ended[:] = [r for r in self.ended if r.part.dir not in gone]
        if self.disk_lineage is not None:
            self.disk_runs = await asyncio.to_thread(self._runs_on_disk)

    def _runs_on_disk(self) -> list[EndedRun]:
        """The runs other k9py processes (or this one) left on disk of this live cluster that
        ended before this one began."""
        assert self.disk_lineage is not None
        parts = runs_before(self.root / safe_name(self.context), self.disk_lineage, self.start_t, self.dir)
        return [EndedRun(p, self.lineage) for p in parts]

    async def close(self) -> None:
        self._closing = True
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        await asyncio.to_thread(self._settle_base)
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None
        for th in list(self._compressing):
            await asyncio.to_thread(th.join)
        if self.backend is not None:
            self._end_t = max(self._last_t, self.now_t)
        self._write_index()
        if self.ended is not None and self.backend is not None and self.error is None and self.segments:
            with self._lock:
                segments = [Segment(**asdict(s)) for s in self.segments]
            part = RunPart(self.dir, segments, self.start_t, self.whole_t, self._end_t or 0.0, self.state)
            oldest = self.start_t + self.now_t - self.limits.max_age
            self.ended[:] = [r for r in self.ended if r.part.start + r.part.end_t >= oldest][-(MAX_VISITS - 1):]
            self.ended.append(EndedRun(part, self.lineage))

    def _error_text(self, err: BaseException) -> str:
        return f"history: {getattr(err, 'strerror', None) or err} ({getattr(err, 'filename', None) or self.dir})"

    def _fail(self, err: BaseException) -> None:
        self.error = self._error_text(err)
        for t in self._tasks:
            t.cancel()
        if self._fh is not None:
            with contextlib.suppress(OSError):
                self._fh.close()
            self._fh = None

    @property
    def now_t(self) -> float:
        """Seconds since the run's start on the backend's clock."""
        return max(0.0, self.now_t_raw)

    @property
    def now_t_raw(self) -> float:
        return 0.0 if self.backend is None else self.backend.now() - self.start_t

    @property
    def whole_t(self) -> float | None:
        """The oldest moment the history shows whole (``complete_t``, or its first moment once
        FIRST_LOOK_LIMIT has passed without every first list: a kind that never lists, a cluster
        that is slow to answer); None before."""
        if self.complete_t is not None:
            return max(self.first_t, self.complete_t)
        if self.backend is not None and self.now_t_raw > FIRST_LOOK_LIMIT:
            return self.first_t
        return None

    @property
    def newest_t(self) -> float:
        """The latest moment written (t): what a past read now holds ends there."""
        return self._last_t

    @property
    def first_t(self) -> float:
        return self.segments[0].t0 if self.segments else 0.0

    def exists_now(self, kind: str, namespace: str, name: str) -> bool:
        return (kind, namespace, name) in self.state

    def object_now(self, kind: str, namespace: str, name: str) -> Obj | None:
        """The object as it is now, as kept (Secrets redacted, no managedFields); None: gone."""
        text = self.state.get((kind, namespace, name))
        return json.loads(text) if text else None

    # -- watching ------------------------------------------------------------------------------------
    async def _follow(self, kind: str) -> None:
        try:
            await self._follow_kind(kind)
        except asyncio.CancelledError:
            raise  # closing: no moment to note (and no clock to read: it could start a new run)
        finally:  # (a kind whose watch ended or failed does not hold the first moment back for ever)
            if not self._closing:
                self._looked(kind)

    def _looked(self, kind: str) -> None:
        """``kind``'s first list is in (or its watch ended): once every kind's is, the history
        is whole from this moment on (``complete_t``)."""
        self._first_looks.discard(kind)
        if not self._first_looks and self.complete_t is None and self._fh is not None:
            self.complete_t = self._t()
            self._write_index()  # (`k9py record --from-history` starts a recording there)

    async def _follow_kind(self, kind: str) -> None:
        assert self.backend is not None
        if self.start_delay:
            await asyncio.sleep(self.start_delay)
        listing: set[Key] | None = set()  # keys seen since the (re)list began
        async for ev in self.backend.watch(kind, None):
            match ev:
                case Listed(objs=objs):
                    if listing is None:
                        listing = set()
                    if len(objs) > LIST_INLINE:
                        await self._take_list(objs, listing)
                        continue
                    for o in objs:
                        listing.add(_key(o))
                        self._change("MODIFIED", o)  # ADDED when new
                case StateChanged(state="forbidden"):
                    self._looked(kind)  # this user may not list it: it will never be seen whole
                case Synced():
                    if listing is not None:
                        for key in [k for k in self.kinds.get(kind, ()) if k not in listing]:
                            self._write("DELETED", None, key)
                    listing = None
                    self._looked(kind)
                case Added(obj=obj) | Modified(obj=obj) if listing is not None:
                    listing.add(_key(obj))
                    self._change("MODIFIED", obj)
                case Added(obj=obj):
                    self._change("ADDED", obj)
                case Modified(obj=obj):
                    self._change("MODIFIED", obj)
                case Deleted(obj=obj):
                    self._change("DELETED", obj)

    async def _take_list(self, objs: list[Obj], listing: set[Key]) -> None:
        """A long (re)list (a big cluster's 100,000 Events): its objects' JSON made in a thread,
        a slice at a time, each slice then kept and written at once (made on the event loop one
        by one, they held it for seconds)."""
        for i in range(0, len(objs), LIST_SLICE):
            part = objs[i:i + LIST_SLICE]
            began = time.perf_counter()
            made = await asyncio.to_thread(self._bodies, part)
            # as long again left to the explorer: the thread holds the GIL for most of its time,
            # and keys typed meanwhile queued behind it (p95 140 ms → 58 ms while 100,000 Events
            # come in; the history takes them in a few seconds later)
            await asyncio.sleep(time.perf_counter() - began)
            if self._fh is None:
                return
            t = self._t()
            lines = []
            for obj, (key, body) in zip(part, made, strict=True):
                listing.add(key)
                self._last_lines_if_going(key, obj, deleted=False)
                lines.append(event_line(t, "MODIFIED" if key in self.state else "ADDED", body))
                self._keep(key, body)
            self._line("".join(lines), t, len(lines), may_roll=False)  # each roll writes the whole state
        if self._fh is not None and self.segments:
            try:
                self._roll_if_due(self._last_t)
            except OSError as err:
                self._fail(err)

    def _bodies(self, objs: list[Obj]) -> list[tuple[Key, str]]:
        """Each object's key and JSON as kept (in a thread)."""
        return [(_key(o), json_line(sanitize(o, include_secrets=self.include_secrets))) for o in objs]

    def _last_lines_if_going(self, key: Key, obj: Obj, *, deleted: bool) -> None:
        """A followed pod deleted or being deleted: its last log lines, before it goes."""
        if key[0] == "Pod" and (key[1], key[2]) in self.followed and (deleted or meta.is_deleting(obj)):
            self._poll_pod((key[1], key[2]), obj)

    def _keep(self, key: Key, body: str) -> None:
        """``key`` exists now, as ``body`` (``state`` and its keys by kind together)."""
        self.state[key] = body
        self.kinds.setdefault(key[0], set()).add(key)

    def _drop(self, key: Key) -> str | None:
        """``key`` exists no more: the JSON it had, if it was kept."""
        self.kinds.get(key[0], set()).discard(key)
        return self.state.pop(key, None)

    def _change(self, type_: str, obj: Obj) -> None:
        key = _key(obj)
        self._last_lines_if_going(key, obj, deleted=type_ == "DELETED")
        if type_ == "MODIFIED" and key not in self.state:
            type_ = "ADDED"
        self._write(type_, sanitize(obj, include_secrets=self.include_secrets), key)

    def _write(self, type_: str, obj: Obj | None, key: Key) -> None:
        if self._fh is None:
            return
        t = self._t()
        if type_ == "DELETED":
            text = self._drop(key)
            if obj is None:
                if text is None:
                    return
                body = text
            else:
                body = json_line(obj)
        else:
            body = json_line(obj)
            self._keep(key, body)
        self._line(event_line(t, type_, body), t)

    def _t(self) -> float:
        now_t = round(self.now_t_raw, 6)
        if now_t < self._last_t - 1.0:  # the clock went back (a scenario started again): a new run
            self._new_run()
            now_t = 0.0
        t = self._last_t = max(self._last_t, now_t)  # watches race: keep time order
        return t

    def _new_run(self) -> None:
        assert self.backend is not None
        self.roll(next_segment=False)
        self._write_index()  # the run that ends, as it is left
        with self._lock:  # (its last segment may still be gzipped: that thread writes its index again)
            self._ended[self.dir] = (self.segments, self._header_fields(), self.complete_t)
            self.segments, self.dropped, self._last_t = [], 0, 0.0
            if self.complete_t is not None:  # the new run's first base holds everything there is
                self.complete_t = 0.0
            self.dir = self.dir.with_name(self.dir.name + "-r")
            self.start_t = round(self.backend.now(), 6)
            try:
                self.dir.mkdir(parents=True, exist_ok=True)
                self._open_segment(0.0)
            except OSError as err:
                self._fail(err)

    def _line(self, line: str, t: float, count: int = 1, *, may_roll: bool = True) -> None:
        """Write ``count`` lines (``line`` holds them all) of moment ``t``; then roll the segment
        if it is due (unless not ``may_roll``: a list being written, rolled once it is all in)."""
        try:
            with self._lock:
                if self._fh is None:  # closed meanwhile (a disk error in a base's thread)
                    return
                seg = self.segments[-1]
                data = line.encode()
                if self._held is not None:  # the segment's base is being written: after it
                    self._held.append(data)
                else:
                    self._fh.write(data)
                seg.bytes += len(data)
                seg.t1 = t
            self.events += count
            self._flush_soon()
            if t - self._pruned_at >= PRUNE_EVERY:
                self.prune()
            if may_roll:
                self._roll_if_due(t)
        except OSError as err:
            self._fail(err)

    def _roll_if_due(self, t: float) -> None:
        seg = self.segments[-1]
        if t - seg.t0 >= self.limits.segment_seconds or seg.bytes - seg.base_bytes >= self.limits.roll_bytes:
            self.roll()

    def _flush_soon(self) -> None:
        """Once the loop is done with this batch of events: another process (``k9py record
        --from-history``) reads the open segment."""
        if self._flush_pending:
            return
        self._flush_pending = True
        try:
            asyncio.get_running_loop().call_soon(self._flush)
        except RuntimeError:  # no loop (a thread, closing): now
            self._flush()

    def _flush(self) -> None:
        self._flush_pending = False
        with self._lock:
            if self._fh is not None:
                try:
                    self._fh.flush()
                except OSError as err:
                    self._fail(err)

    # -- logs ------------------------------------------------------------------------------------------
    def follow_logs(self, namespace: str, pod: str) -> None:
        """Keep this pod's log lines (a log view opened on it)."""
        self.followed.add((namespace, pod))

    async def _poll_logs_forever(self) -> None:
        while True:
            await asyncio.sleep(LOG_POLL)
            await self.poll_logs()

    async def poll_logs(self) -> None:
        """Fetch the followed pods' new lines (their own timestamps say when)."""
        for pk in sorted(self.followed):
            pod = self.object_now("Pod", *pk)
            if pod is not None:
                await self._fetch_logs(pk, pod)

    def _poll_pod(self, pk: tuple[str, str], pod: Obj) -> None:
        with contextlib.suppress(RuntimeError):  # no running loop (closing)
            self._tasks.append(asyncio.ensure_future(self._fetch_logs(pk, pod)))

    async def _fetch_logs(self, pk: tuple[str, str], pod: Obj) -> None:
        backend = self.backend
        if backend is None:
            return
        ns, name = pk
        for c in (pod.get("spec") or {}).get("containers") or []:
            cname = str(c.get("name") or "")
            cursor = self._cursors.setdefault((ns, name, cname), LogCursor())
            for _, text in await fresh_log_lines(backend, ns, name, cname, cursor, first_tail=FIRST_TAIL):
                t = self._t()  # in file order (the line's own time is in the line when asked for)
                self._line(json_line({"t": t, "type": "LOG", "namespace": ns, "pod": name,
                                   "container": cname, "line": text}) + "\n", t)

    # -- segments --------------------------------------------------------------------------------------
    def _header(self) -> str:
        fields = self._header_fields()
        return json_line(header_dict(float(fields.pop("start")), **fields)) + "\n"

    def _open_segment(self, t0: float, *, in_thread: bool = False) -> None:
        """Open the next segment with its header and base (what exists now). ``in_thread``: the
        base is made and written by a thread (a big cluster's is tens of MB: made on the event
        loop it held it for a second), the lines that come meanwhile held and written after it;
        until then the segment counts the base's size as its text's (the limits see it)."""
        n = len(self.segments) + self.dropped
        seg = Segment(f"{n:06d}.jsonl", t0, t0, len(self.state))
        fh = open(self.dir / seg.name, "wb")  # noqa: SIM115 - open until the segment rolls
        header, bodies = self._header(), list(self.state.values())
        self._fh = fh
        self.segments.append(seg)
        if not in_thread:
            data = b"".join(_base(header, t0, bodies))
            fh.write(data)
            seg.bytes = seg.base_bytes = len(data)
            return
        extra = len(event_line(t0, "ADDED", ""))  # a base line beyond its object's JSON
        seg.bytes = seg.base_bytes = len(header) + sum(len(b) + extra for b in bodies)
        self._held, self._base_pending = [], True
        threading.Thread(target=self._write_base, args=(seg, fh, header, t0, bodies), daemon=True,
                         name="k9py-history-base").start()

    def _write_base(self, seg: Segment, fh: Any, header: str, t0: float, bodies: list[str]) -> None:
        error: BaseException | None = None
        size = 0
        try:
            for chunk in _base(header, t0, bodies):
                fh.write(chunk)  # not under the lock: nothing else writes this file while lines are held
                size += len(chunk)
        except Exception as err:  # (a ValueError: closed by a disk error meanwhile)
            error = err
        with self._lock:
            held, self._held = self._held or [], None
            try:
                if error is None and self._fh is fh:
                    seg.bytes += size - seg.base_bytes  # (the held lines are counted already)
                    seg.base_bytes = size
                    for line in held:
                        fh.write(line)
                    fh.flush()  # another process reads the open segment
            except Exception as err:
                error = err
            if error is not None and seg in self.segments:  # half a base: the segment is no run's
                self.segments.remove(seg)
                with contextlib.suppress(OSError, ValueError):
                    fh.close()
                if self._fh is fh:
                    self._fh = None
                (self.dir / seg.name).unlink(missing_ok=True)
        if error is not None:
            self.error = self._error_text(error)
            if self._loop is not None:  # the watches stop, as for a disk error on the loop
                with contextlib.suppress(RuntimeError):
                    self._loop.call_soon_threadsafe(self._fail, error)
        try:
            self._write_index()  # readers see the segment from now on (or no more)
        finally:
            with self._base_done:
                self._base_pending = False
                self._base_done.notify_all()

    def _settle_base(self) -> None:
        """Wait for a segment's base being written and indexed (before anything reads or
        closes it)."""
        with self._base_done:
            while self._base_pending:
                self._base_done.wait()

    def roll(self, *, next_segment: bool = True) -> None:
        """Close the segment being written (gzipped in a thread) and start the next with a base
        (unless not ``next_segment``: the run ends)."""
        self._settle_base()
        with self._lock:
            if self._fh is None:
                return
            self._fh.close()
            self._fh = None
            done = self.segments[-1]
            t0 = self._last_t
            if next_segment:
                self._open_segment(t0, in_thread=True)
        th = threading.Thread(target=self._compress, args=(done, self.dir), daemon=True, name="k9py-history-gzip")
        self._compressing.append(th)
        th.start()
        self.prune()

    def _compress(self, seg: Segment, folder: Path) -> None:
        plain = folder / seg.name
        try:
            tmp = folder / (seg.name + ".gz.tmp")
            with open(plain, "rb") as src, gzip.open(tmp, "wb", compresslevel=6) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            gz = folder / (seg.name + ".gz")
            os.replace(tmp, gz)
            with self._lock:
                if seg.pruned:  # deleted while it was being compressed
                    gz.unlink()
                else:
                    seg.gz, seg.bytes = True, gz.stat().st_size
            plain.unlink()
            if folder == self.dir:  # its real size is known now: maybe others can go
                self.prune()
            self._write_index(folder)  # (its run's, which may have ended meanwhile: decided under the lock)
        except FileNotFoundError:
            pass  # pruned meanwhile
        except OSError as err:
            self.error = f"history: {err}"
        finally:
            cur = threading.current_thread()
            if cur in self._compressing:
                self._compressing.remove(cur)

    def prune(self) -> bool:
        """Delete the oldest closed segments beyond the limits (the open one always stays); True
        (and the index written) when some went. A closed segment still being gzipped counts as
        an eighth of its size (about what it will take): compression prunes again once it knows."""
        dropped = self.dropped
        with self._lock:
            self._pruned_at = self._last_t
            oldest_kept = self.now_t - self.limits.max_age
            while len(self.segments) > 1:
                seg = self.segments[0]
                size = sum(s.bytes if s.gz or s is self.segments[-1] else s.bytes // 8 for s in self.segments)
                over = size > self.budget
                if not over and self.segments[1].t0 > oldest_kept:
                    break
                self.segments.pop(0)
                seg.pruned = True
                self.dropped += 1
                for f in (seg.name, seg.name + ".gz", seg.name + ".gz.tmp"):
                    with contextlib.suppress(FileNotFoundError):
                        (self.dir / f).unlink()
        if self.dropped == dropped:
            return False
        self._write_index()
        return True

    def _write_index(self, run: Path | None = None) -> None:
        """The index of the run being written, or of the ended one in folder ``run``."""
        with self._index_lock:  # a look and its write together: an older look never replaces a newer
            with self._lock:  # (a segment whose base is being written is not there yet for readers)
                if run is not None and run != self.dir:
                    ended = self._ended.get(run)
                    if ended is None:
                        return
                    segs, header, whole = ended
                    folder = run
                    if all(seg.gz for seg in segs):  # nothing of it is gzipped any more: forgotten
                        del self._ended[run]
                else:
                    segs = self.segments[:-1] if self._held is not None else self.segments
                    header, folder, whole = self._header_fields(), self.dir, self.complete_t
                    if self.disk_lineage is not None:
                        header = {**header, "lineage": self.disk_lineage, "end_t": self._end_t}
                data = {**header, "whole_t": whole, "segments": [asdict(s) for s in segs]}
            with contextlib.suppress(OSError):
                tmp = folder / (INDEX + ".tmp")
                tmp.write_text(json.dumps(data))
                os.replace(tmp, folder / INDEX)

    # -- reading ---------------------------------------------------------------------------------------
    def recording_bytes(self) -> bytes:
        """Everything kept, as one JSON Lines Recording (the earlier visits' first)."""
        return b"".join(join(self._parts(), self._header_fields()))

    def earlier(self) -> list[EndedRun]:
        """The ended runs of the same cluster before this one (this process's, and a live
        cluster's that earlier k9py left on disk), oldest first, that had a whole look and end
        within ``max_age``. No disk access: asked at every repaint of the past's bar (``gaps``);
        a run deleted from disk is dropped when runs are pruned (``_prune_older``)."""
        if not (self.ended or self.disk_runs) or self.backend is None:
            return []
        oldest = self.start_t + self.now_t - self.limits.max_age
        mine = {r.part.dir for r in self.ended or ()}  # (these hold what existed at their end)
        found = [*(self.ended or ()), *(r for r in self.disk_runs if r.part.dir not in mine)]
        found.sort(key=lambda r: r.part.start)
        return [r for r in found if r.lineage == self.lineage and r.part.whole_t is not None
                and oldest <= r.part.start + r.part.end_t <= self.start_t + 1e-6]

    def _parts(self, *, own: bool = True) -> list[RunPart]:
        """The runs a read of the history joins: the earlier ones (their segments within
        ``max_age``), then this one's (``own``; left out while its first look is under way, as
        long as an earlier one has something to show)."""
        oldest = self.start_t + self.now_t - self.limits.max_age
        parts = []
        for r in self.earlier():
            p = r.part
            kept = [s for s in p.segments if p.start + s.t1 >= oldest]
            if kept:
                parts.append(RunPart(p.dir, kept, p.start, p.whole_t, p.end_t, p.state))
        if own and (not parts or self.whole_t is not None):
            parts.append(RunPart(self.dir, self._kept(), self.start_t, self.whole_t))
        return parts

    def gaps(self) -> list[tuple[float, float]]:
        """The spans (the backend's clock) nothing was watched between the runs ``earlier``
        joins: from a run's end to the next one's first whole moment (now, while its first
        look is under way)."""
        parts = [r.part for r in self.earlier()]
        if not parts:
            return []
        whole = self.whole_t
        ends = [(p.start + p.end_t) for p in parts]
        begins = [p.start + (p.whole_t or 0.0) for p in parts[1:]]
        begins.append(self.start_t + whole if whole is not None else self.start_t + self.now_t)
        return list(zip(ends, begins, strict=True))

    def oldest_clock(self) -> float:
        """The oldest moment held, on the backend's clock (an earlier visit's, if any)."""
        for r in self.earlier():
            return r.part.start + r.part.segments[0].t0 if r.part.segments else r.part.start
        return self.start_t + self.first_t

    def oldest_whole_clock(self) -> float | None:
        """The oldest moment held whole, on the backend's clock (None: not yet)."""
        for r in self.earlier():
            p = r.part
            return p.start + max(p.whole_t or 0.0, p.segments[0].t0 if p.segments else 0.0)
        whole = self.whole_t
        return None if whole is None else self.start_t + whole

    def _header_fields(self) -> Obj:
        return {"start": self.start_t, "context": self.context, "server_version": self.server_version,
                "name": self.cluster, "description": "k9py history"}

    def save(self, path: str) -> int:
        """Write everything kept as a Recording (``.gz``: gzipped), from its oldest whole
        moment on (the earlier visits' first). Returns the bytes written. Blocking (every
        segment is read): call it in a thread."""
        parts = self._parts()
        return write_recording(path, parts, self._header_fields(), begin=parts[0].whole_t if parts else None)

    def _kept(self) -> list[Segment]:
        """The segments kept, the open one flushed (copies: compression may change them)."""
        self._settle_base()
        with self._lock:
            if self._fh is not None:
                self._fh.flush()
            return [Segment(**asdict(s)) for s in self.segments]


def _base(header: str, t0: float, bodies: list[str]) -> Iterator[bytes]:
    """A segment's header and base, encoded BASE_CHUNK lines at a time: one ADDED line at
    ``t0`` per object's JSON."""
    yield header.encode()
    for i in range(0, len(bodies), BASE_CHUNK):
        yield "".join(event_line(t0, "ADDED", body) for body in bodies[i:i + BASE_CHUNK]).encode()


# -- other runs (and other processes) ---------------------------------------------------------------

@dataclass
class Run:
    dir: Path
    header: Obj  # header_dict's arguments
    segments: list[Segment] = field(default_factory=list)
    whole_t: float | None = None  # History.complete_t when the index was written
    lineage: str | None = None  # a live cluster's (``lineage_on_disk``)
    end_t: float | None = None  # the last moment it watched, once it ended


def read_run(directory: Path) -> Run:
    try:
        data = json.loads((directory / INDEX).read_text())
        segs = [_segment(s) for s in data.pop("segments", None) or []]
        header = {k: data[k] for k in ("start", "context", "server_version", "name", "description") if k in data}
        header["start"] = float(header.get("start") or 0)
        whole, end_t, lineage = data.get("whole_t"), data.get("end_t"), data.get("lineage")
        return Run(directory, header, segs, float(whole) if isinstance(whole, (int, float)) else None,
                   lineage if isinstance(lineage, str) else None,
                   float(end_t) if isinstance(end_t, (int, float)) else None)
    except (OSError, ValueError, TypeError) as err:
        raise K9pyError(f"not a k9py history run: {err}", file=str(directory / INDEX)) from err


def _segment(entry: Any) -> Segment:
    """One segment of an index, its fields of their types (TypeError otherwise) and its file one
    in the run's folder (an index saying ``../../etc/passwd`` is no k9py's)."""
    seg = Segment(**entry)
    if not isinstance(seg.name, str) or seg.name in ("", ".", "..") or "/" in seg.name or "\\" in seg.name:
        raise TypeError(f"segment name {seg.name!r} is not a file name")
    for value in (seg.t0, seg.t1, seg.base, seg.bytes, seg.base_bytes):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise TypeError(f"segment {seg.name}: {value!r} is not a number")
    return seg


def runs(root: Path, context: str | None = None) -> list[Path]:
    """The run directories under ``root`` (one context's, or all), oldest first."""
    parents = [root / safe_name(context)] if context else sorted(p for p in root.glob("*") if p.is_dir())
    found = [d for p in parents if p.is_dir() for d in p.iterdir() if d.is_dir()]
    return sorted(found, key=lambda d: (_mtime(d), d.name))


def _mtime(d: Path) -> float:
    try:
        return max((f.stat().st_mtime for f in d.iterdir()), default=d.stat().st_mtime)
    except OSError:
        return 0.0


def prune_runs(root: Path, limits: Limits, *, keep: Path | None = None) -> int:
    """Delete other runs older than ``max_age`` (wall clock) and the oldest beyond half of
    ``max_bytes`` (the new run has the rest). Returns the bytes the other runs keep."""
    now = time.time()
    # a run written in the last minute is another k9py's (or another context's of this one): left alone
    found = [d for d in runs(root) if d != keep and now - _mtime(d) > ACTIVE_RUN]
    total = sum(_size(d) for d in found)
    for d in found:  # oldest first
        if now - _mtime(d) > limits.max_age or total > limits.max_bytes // 2:
            total -= _size(d)
            shutil.rmtree(d, ignore_errors=True)
    return total


def _size(d: Path) -> int:
    try:
        return sum(f.stat().st_size for f in d.iterdir() if f.is_file())
    except OSError:
        return 0


def runs_before(folder: Path, lineage: str, before: float, exclude: Path | None = None) -> list[RunPart]:
    """The runs in a context's ``folder`` of the live cluster ``lineage`` names that had a whole
    look and ended by ``before`` (the backend's clock), oldest first: what a later run joins."""
    found = []
    for d in sorted((d for d in folder.iterdir() if d.is_dir()), key=lambda d: d.name) if folder.is_dir() else ():
        if d == exclude:
            continue
        try:
            run = read_run(d)
        except K9pyError:
            continue
        if run.lineage != lineage or not run.segments or run.whole_t is None:
            continue
        start = float(run.header.get("start") or 0.0)
        end_t = run.end_t if run.end_t is not None else run.segments[-1].t1
        if start + end_t <= before + 1e-6:
            found.append(RunPart(d, run.segments, start, run.whole_t, end_t))
    found.sort(key=lambda p: p.start)
    return found


def save_run(directory: Path, path: str) -> int:
    """``k9py record --from-history``: a run on disk (maybe still being written) as a Recording;
    a live cluster's with the earlier runs on it before (what `:rewind` in that run reaches)."""
    run = read_run(directory)
    if not run.segments:
        raise K9pyError("the history run holds no segment", file=str(directory))
    start = float(run.header.get("start") or 0.0)
    parts = runs_before(directory.parent, run.lineage, start, directory) if run.lineage else []
    parts.append(RunPart(directory, run.segments, start, run.whole_t))
    header = {**run.header, "start": parts[0].start}
    size = write_recording(path, parts, header, begin=parts[0].whole_t)
    if not size:  # every segment gone or unreadable: an empty file is no Recording
        _remove_written(path)
        raise K9pyError("none of the history run's segments could be read: nothing written", file=str(directory))
    return size


def _remove_written(path: str) -> None:
    """The file a failed write left, if it is one (never a device or FIFO given as the output:
    as root, /dev/full would be gone)."""
    if os.path.isfile(path) and not os.path.islink(path):
        with contextlib.suppress(OSError):
            os.unlink(path)


def write_recording(path: str, parts: list[RunPart], header: Obj, begin: float | None = None) -> int:
    """The runs' segments as one Recording at ``path`` (``.gz``: gzipped), streamed (from
    ``begin`` on: ``join``); returns the bytes of the recording."""
    size = 0
    opener = gzip.open if path.endswith(".gz") else open
    try:
        f = opener(path, "wb")
    except OSError as err:  # (left as it was: the user's file, a folder, a path not there)
        raise K9pyError(f"cannot write the recording: {err.strerror or err}", file=path) from None
    try:
        with f:
            for chunk in join(parts, header, begin):
                f.write(chunk)
                size += len(chunk)
    except OSError as err:  # a full disk, a quota: no cut-off recording is left to be taken for one
        _remove_written(path)
        raise K9pyError(f"cannot write the recording: {err.strerror or err}", file=path) from None
    return size
