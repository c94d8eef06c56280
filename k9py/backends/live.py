"""LiveBackend: the Backend contract over a real cluster through the official ``kubernetes`` client.

- Raw API JSON only: every request goes through ``ApiClient.param_serialize`` / ``call_api`` with
  the response body read as bytes (the ``_preload_content=False`` path), never the model classes;
  one generic path builder serves every kind, CRDs included.
- Blocking calls never run on the event loop: requests run in daemon threads of their own
  (``off_loop``), not the loop's default executor: requests hanging on an unreachable server
  neither hold the app's other work in a thread back nor keep the process from exiting; each open
  watch or log stream has a reader thread feeding an ``asyncio.Queue``.
- ``watch()`` is an informer source that recovers by itself: list (paged), then watch from the
  list's resourceVersion with bookmarks; an ``ERROR 410`` (or a 410 answer) relists at once; a
  failure (connection, timeout, 5xx) reports ``reconnecting`` (``offline`` after ``offline_after``
  seconds of failing) and retries with capped exponential back-off and jitter, then RELISTS —
  a restarted API server may have a new resourceVersion history, so resuming from an old one
  could leave ghosts. A relist after the first is turned into ADDED/MODIFIED/DELETED events
  against what this watch delivered, so the informer cache converges with no ghost or missing
  rows and keeps showing the last known rows meanwhile.
- Connection state travels in-band as ``StateChanged(state, message)`` events, per watch:
  ``connected`` | ``reconnecting`` | ``offline`` | ``forbidden`` (403: "access denied" for that
  view, retried slowly; other kinds keep working) | ``gone`` (404: the kind is served no more,
  its CRD deleted: its rows go, listed again every ``gone_retry`` seconds). ``connection()`` is
  the backend-wide state for the header.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import random
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from k9py.backends import kubeconfig as kc
from k9py.backends.base import (
    PATCH_CONTENT_TYPES,
    Backend,
    BackendInfo,
    Capability,
    MetricsUnavailable,
    Obj,
    Objs,
    PatchType,
    StatusError,
)
from k9py.backends.events import Added, Change, Deleted, Listed, Modified, StateChanged, Synced, WatchEvent, change
from k9py.errors import K9pyError
from k9py.kube import meta, podcontainers, resources, verbs
from k9py.kube.resources import ApiResource
from k9py.kube.timefmt import parse_duration

log = logging.getLogger(__name__)  # k9py's log (--logFile); every request at debug

JSON = "application/json"
TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
FIELD_MANAGER = "k9py"
METRICS_WAIT = 5.0  # seconds a metrics poll waits at most for the lists under way
REDISCOVER_AFTER = 2.0  # seconds: discovery is read again (an unknown `:` command) at most so often

CONNECTED, RECONNECTING, OFFLINE, FORBIDDEN = "connected", "reconnecting", "offline", "forbidden"
GONE = "gone"  # the server no longer serves the kind (a 404 for its collection: its CRD was deleted)


# -- errors ----------------------------------------------------------------------------------
class LiveApiError(StatusError):
    """The API server answered with an error Status (``code``: 403, 404, 409, 410, 422, 5xx…)."""

    @classmethod
    def from_status(cls, status: Obj, code: int | None = None) -> LiveApiError:
        code = int(status.get("code") or code or 500)
        reason = status.get("reason") or ""
        return cls(code, reason, status.get("message") or f"the server answered {code} {reason}".strip(), status)


class ConnectionLost(K9pyError):
    """The server could not be reached, or the connection broke, or a timeout passed."""


def _describe(err: BaseException) -> str:
    """A short message for a urllib3 / socket failure (the raw ones are paragraphs)."""
    import urllib3.exceptions as ue
    inner: BaseException | None = err
    if isinstance(err, ue.MaxRetryError) and err.reason is not None:
        inner = err.reason
    if isinstance(inner, ue.NewConnectionError):  # (a ConnectTimeoutError subclass in urllib3 2)
        text = str(inner)
        if "refused" in text.lower():
            return "connection refused"
        if "timed out" not in text.lower():
            return text.split(": ", 1)[-1]
    if isinstance(inner, (ue.ReadTimeoutError, ue.ConnectTimeoutError, TimeoutError)):
        return "timed out waiting for the server"
    if isinstance(inner, ue.ProtocolError):
        return f"connection lost ({inner.args[0] if inner.args else inner})"
    return str(inner) or type(inner).__name__


def _wrap(err: BaseException) -> K9pyError:
    import urllib3.exceptions as ue
    from kubernetes.client.exceptions import ApiException
    if isinstance(err, K9pyError):
        return err
    if isinstance(err, ApiException):
        if err.status:
            return LiveApiError(int(err.status), str(err.reason or ""), str(err.reason or err))
        return ConnectionLost(str(err.reason or err))
    if isinstance(err, (ue.HTTPError, OSError, ValueError)):
        return ConnectionLost(_describe(err))
    return ConnectionLost(f"{type(err).__name__}: {err}")


# -- threads -----------------------------------------------------------------------------------
def _settle(fut: asyncio.Future[Any], value: Any, err: BaseException | None) -> None:
    if fut.done():  # (the caller gave up: cancelled)
        return
    if err is not None:
        fut.set_exception(err)
    else:
        fut.set_result(value)


async def off_loop(fn: Callable[..., Any], /, *args: Any, **kw: Any) -> Any:
    """``asyncio.to_thread`` on a daemon thread of its own. A request to a server that does not
    answer blocks its thread until the request timeout (30 s): in the loop's default executor
    (a handful of threads) a few of them held back every other call made in a thread, and
    leaving k9py waited for them at exit."""
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[Any] = loop.create_future()

    def run() -> None:
        try:
            value, err = fn(*args, **kw), None
        except BaseException as e:  # handed to the caller
            value, err = None, e
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(_settle, fut, value, err)

    threading.Thread(target=run, name="k9py-request", daemon=True).start()
    return await fut


def _each_in_a_thread(fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    """``[fn(x) for x in items]``, each call in a daemon thread of its own (at once)."""
    out: list[Any] = [None] * len(items)

    def run(i: int) -> None:
        out[i] = fn(items[i])

    threads = [threading.Thread(target=run, args=(i,), name="k9py-request", daemon=True) for i in range(len(items))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return out


# -- back-off ----------------------------------------------------------------------------------
@dataclass
class Backoff:
    """Capped exponential back-off with jitter (±``jitter`` of each delay)."""
    initial: float = 0.5
    factor: float = 2.0
    cap: float = 30.0
    jitter: float = 0.2
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 0

    def next(self) -> float:
        base = min(self.cap, self.initial * self.factor ** self.attempts)
        self.attempts += 1
        return max(0.0, base * (1 + self.jitter * (2 * self.rng.random() - 1)))

    def reset(self) -> None:
        self.attempts = 0


@dataclass(frozen=True)
class Connection:
    """The backend-wide connection state (the header): ``state``, the last error, since when."""
    state: str = "connecting"
    error: str | None = None
    since: float = 0.0


@dataclass(frozen=True)
class LiveOptions:
    kubeconfig: str | None = None
    context: str | None = None
    request_timeout: float | None = 30.0  # seconds; None: no timeout (kubectl's "0")
    backoff_initial: float = 0.5
    backoff_cap: float = 30.0
    offline_after: float = 10.0  # seconds of failing before "reconnecting" becomes "offline"
    forbidden_retry: float = 60.0  # a 403 is retried this often (permissions can change)
    gone_retry: float = 10.0  # a kind no longer served (404) is listed again this often (its CRD may come back)
    watch_timeout: float = 300.0  # server-side timeoutSeconds of a watch, ×[1, 2) like client-go
    page_size: int = 500
    impersonate: str | None = None  # kubectl's --as: every request is this user's
    impersonate_groups: tuple[str, ...] = ()  # --as-group (each its own Impersonate-Group header)
    overrides: kc.Overrides = field(default_factory=kc.Overrides)  # --cluster, --user, --token, --certificate-authority, ...


def with_flags(headers: list[tuple[str, str]], options: LiveOptions) -> list[tuple[str, str]]:
    """The kubeconfig's Impersonate-* headers with ``--as`` / ``--as-group`` over them, as kubectl's
    flags override the user's ``as`` / ``as-groups`` (its uid and extras stay)."""
    if options.impersonate is None:
        return headers
    kept = [(k, v) for k, v in headers if k != "Impersonate-User"
            and not (options.impersonate_groups and k == "Impersonate-Group")]
    return [("Impersonate-User", options.impersonate), *kept,
            *(("Impersonate-Group", g) for g in options.impersonate_groups)]


def _key(obj: Obj) -> tuple[str, str]:
    md = obj.get("metadata") or {}
    return (md.get("namespace") or "", md.get("name", ""))


def _rv(obj: Obj | None) -> str:
    return str(((obj or {}).get("metadata") or {}).get("resourceVersion") or "")


def relist_events(known: dict[tuple[str, str], Obj], items: list[Obj]) -> Iterator[Change]:
    """What changed between what a watch delivered and a fresh list: Deleted for the gone (with
    their last known state), Added for the new, Modified for any that differ. Whole objects are
    compared, not resourceVersions: a server restarted on another history (a simulator with the
    same seed) may give one resourceVersion to two different states."""
    fresh = {_key(o): o for o in items}
    for k, old in known.items():
        if k not in fresh:
            yield Deleted(old)
    for k, obj in fresh.items():
        prev = known.get(k)
        if prev is None:
            yield Added(obj)
        elif _rv(prev) != _rv(obj) or meta.uid(prev) != meta.uid(obj) or prev != obj:
            yield Modified(obj)


MAX_LOG_LINE = 1 << 20  # bytes of a log line handed on at once: a longer one comes in pieces of this size


def _split_lines(chunks: Iterator[bytes], keep_empty: bool,
                 max_line: int | None = None) -> Iterator[list[tuple[bool, str]]]:
    """The complete lines of each chunk read (a list per chunk that ends one), the unterminated
    rest at the end: a burst of watch events read at once is handed on at once. ``max_line``
    (logs): a longer line is handed on in pieces of that many bytes as it comes, every byte kept.
    A container that draws a progress bar (carriage returns, no newline) for hours made one line
    that grew without bound, copied again at each chunk read (64 MB: 12 s of CPU, 256 MB: minutes).
    Each is ``(continues, text)``: ``continues`` for a piece after its line's first (it has no
    timestamp of its own, and may happen to begin with text that looks like one)."""
    pending: list[bytes] = []  # the line read so far (joined once it ends)
    size = 0
    begun = False  # a piece of the line read so far was handed on
    for chunk in chunks:
        pending.append(chunk)
        if b"\n" not in chunk:
            size += len(chunk)
            if max_line is None or size <= max_line:
                continue
            pieces, rest = _pieces(b"".join(pending), max_line)
            pending, size = [rest], len(rest)
            yield _marked(pieces, begun)
            begun = True
            continue
        *lines, rest = b"".join(pending).split(b"\n")
        pending, size = [rest], len(rest)
        out = [piece for i, line in enumerate(lines) if line or keep_empty
               for piece in _marked(_whole(line, max_line), begun and i == 0)]
        begun = False
        if out:
            yield out
    if size:
        yield _marked(_whole(b"".join(pending), max_line), begun)


def _marked(pieces: list[str], begun: bool) -> list[tuple[bool, str]]:
    """A line's pieces, each with whether it continues one (every piece after the line's first)."""
    return [(begun or i > 0, piece) for i, piece in enumerate(pieces)]


def _pieces(data: bytes, max_line: int) -> tuple[list[str], bytes]:
    """``data`` cut into pieces of at most ``max_line`` bytes (never inside a UTF-8 character)
    while it holds more; the rest (1 to ``max_line`` bytes: a newline after it ends no empty line)."""
    out: list[str] = []
    start = 0
    while len(data) - start > max_line:
        cut = start + max_line
        while start < cut < len(data) and data[cut] & 0xC0 == 0x80:  # a UTF-8 character's continuation byte
            cut -= 1
        if cut == start:  # (not UTF-8 there)
            cut = start + max_line
        out.append(data[start:cut].decode("utf-8", errors="replace"))
        start = cut
    return out, data[start:]


def _whole(line: bytes, max_line: int | None) -> list[str]:
    """A complete line: in pieces when longer than ``max_line`` bytes."""
    if max_line is None or len(line) <= max_line:
        return [line.decode("utf-8", errors="replace")]
    pieces, rest = _pieces(line, max_line)
    return [*pieces, rest.decode("utf-8", errors="replace")] if rest else pieces


def _parse_ts(text: str) -> tuple[int, int] | None:
    """RFC3339(Nano) UTC → (unix seconds, nanoseconds); ``None`` if it is not one."""
    from calendar import timegm
    if len(text) < 20 or text[4] != "-" or text[10] != "T" or not text.endswith("Z"):
        return None
    try:
        whole = time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S")
        frac = text[19:-1]
        nanos = int((frac[1:] + "000000000")[:9]) if frac.startswith(".") else 0
    except ValueError:
        return None
    return timegm(whole), nanos


def _format_ts(ts: tuple[int, int]) -> str:
    secs, nanos = ts
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
    return f"{base}.{nanos:09d}Z" if nanos else f"{base}Z"


class _Stream:
    """A streaming response read by its own thread into an asyncio queue; ``close()`` unblocks
    the thread (``HTTPResponse.shutdown``) and drops the connection. Its items: each line parsed,
    or unparsed ``(continues, text)`` as ``_split_lines`` cuts them."""

    def __init__(self, resp: Any, *, keep_empty: bool, parse: Callable[[str], Any] | None, name: str,
                 max_line: int | None = None) -> None:
        self.resp = resp
        self.max_line = max_line
        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.closing = False
        self.keep_empty, self.parse = keep_empty, parse
        self._lock = threading.Lock()
        self._posted: list[tuple[str, Any]] = []  # what the reader read since the loop last took it
        self._woken = False  # a wake-up of the loop is on its way
        threading.Thread(target=self._pump, name=name, daemon=True).start()

    def _put(self, *items: tuple[str, Any]) -> None:
        """Hand items to the loop: one wake-up for whatever arrives before the loop takes it
        (1,000 watch events a second are a few dozen callbacks, not a thousand)."""
        with self._lock:
            self._posted.extend(items)
            if self._woken:
                return
            self._woken = True
        with contextlib.suppress(RuntimeError):  # the loop is gone
            self.loop.call_soon_threadsafe(self._take)

    def _take(self) -> None:
        with self._lock:
            items, self._posted, self._woken = self._posted, [], False
        for item in items:
            self.queue.put_nowait(item)

    def _pump(self) -> None:
        parse = self.parse
        try:
            for lines in _split_lines(self.resp.stream(65536, decode_content=True), self.keep_empty, self.max_line):
                batch: list[tuple[str, Any]] = []
                try:
                    for continues, line in lines:  # (parsed: a watch's, never cut in pieces)
                        batch.append(("item", parse(line) if parse else (continues, line)))
                finally:  # the lines before one that does not parse still go first
                    if batch:
                        self._put(*batch)
            self._put(("end", None))
        except BaseException as err:  # handed to the reader on the loop
            self._put(("error", None if self.closing else _wrap(err)))
        finally:
            with contextlib.suppress(Exception):
                self.resp.close()

    async def items(self) -> AsyncIterator[Any]:
        try:
            while True:
                tag, val = await self.queue.get()
                if tag == "item":
                    yield val
                elif tag == "end" or val is None:
                    return
                else:
                    raise val
        finally:
            self.close()

    def close(self) -> None:
        if not self.closing:
            self.closing = True
            with contextlib.suppress(Exception):  # older urllib3, already closed
                self.resp.shutdown()


class LiveBackend(Backend):
    backend_kind = "live"

    def __init__(self, options: LiveOptions | None = None, *, rng: random.Random | None = None,
                 **kw: Any) -> None:
        self.options = replace(options or LiveOptions(), **kw)
        self.files = kc.kubeconfig_files(self.options.kubeconfig)
        contexts, current = kc.list_contexts(self.files, self.options.context)
        if current is None:
            names = ", ".join(c.name for c in contexts[:10]) + (", ..." if len(contexts) > 10 else "")
            raise K9pyError(f"kubeconfig {kc.joined(self.files)} has no current-context (use --context"
                            + (f": {names})" if names else ")"), field="--context")
        self.context = current
        self._contexts = contexts
        ctx = next((c for c in contexts if c.name == current), None)
        over = self.options.overrides
        self.cluster_name = over.cluster or (ctx.cluster if ctx else "")
        self.user = over.user or (ctx.user if ctx else "")
        self.default_namespace = (ctx.namespace if ctx else "") or "default"
        self.api = kc.new_api_client(self.files, current, over)
        # the Impersonate-* headers: the kubeconfig user's as / as-groups, --as / --as-group over them
        self.impersonate = with_flags(kc.impersonation(self.files, current, over.user), self.options)
        self.rng = rng or random.Random()
        self.server_version = ""
        self._resources: list[ApiResource] | None = None
        self._discovered_at = -math.inf  # time.monotonic() of the last discovery asked for
        self._by_kind: dict[str, ApiResource] = {}
        self.discovery_errors: dict[str, str] = {}
        self._discovery_lock: asyncio.Lock | None = None
        self._conn = Connection("connecting", None, time.time())
        self._failing_since: float | None = None
        self._recoveries = 0  # times the server answered again after requests failed to reach it
        self._recovered: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None  # what back-offs wait on
        self._closed = False
        self._start_task: asyncio.Task[None] | None = None
        self._listing = 0  # watches (re)listing now: metrics polls wait for them (rows first)

    # -- HTTP (blocking: call through off_loop) --------------------------------------------
    def _timeout(self, read: float | None = None, stream: bool = False) -> Any:
        t = self.options.request_timeout
        if stream:
            return (t, read)  # connect bounded; a stream's reads wait as long as it lasts
        return t or None

    def _open(self, method: str, path: str, *, query: dict[str, Any] | None = None, body: Any = None,
              content_type: str | None = None, accept: str = JSON, timeout: Any = None) -> Any:
        """Send a request; 2xx → the urllib3 response (body unread), else ``LiveApiError``."""
        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        q = [(k, v) for k, v in (query or {}).items() if v is not None]
        try:
            req = self.api.param_serialize(method=method, resource_path=path, query_params=q,
                                           header_params=headers, body=body, auth_settings=["BearerToken"])
            if self.impersonate:  # Impersonate-Group repeats: a header dict that keeps every value
                from urllib3 import HTTPHeaderDict
                headers_sent = HTTPHeaderDict(req[2])
                for k, v in self.impersonate:
                    headers_sent.add(k, v)
                req = (req[0], req[1], headers_sent, *req[3:])
            resp = self.api.call_api(*req, _request_timeout=timeout if timeout is not None else self._timeout())
        except BaseException as err:  # classified for the caller
            self._note(err)
            log.debug("%s %s: %s", method, path, err)
            raise _wrap(err) from None
        log.debug("%s %s: %d", method, path, resp.status)
        if not 200 <= resp.status < 300:
            try:
                data = resp.read()
            except BaseException as err:
                self._note(err)
                raise _wrap(err) from None
            self._note(None)
            raise self._status_error(resp.status, data)
        self._note(None)
        return resp.response

    @staticmethod
    def _status_error(code: int, data: bytes) -> LiveApiError:
        try:
            status = json.loads(data)
            if isinstance(status, dict) and status.get("kind") == "Status":
                return LiveApiError.from_status(status, code)
        except ValueError:
            pass
        text = data.decode("utf-8", errors="replace").strip()
        return LiveApiError(code, "", f"the server answered {code}" + (f": {text}" if text else ""))

    def _json(self, method: str, path: str, **kw: Any) -> Any:
        resp = self._open(method, path, **kw)
        try:
            data = resp.read()
        except BaseException as err:
            self._note(err)
            raise _wrap(err) from None
        finally:
            resp.release_conn()
        try:
            return json.loads(data) if data else {}
        except ValueError as err:
            raise ConnectionLost(f"the server sent invalid JSON: {err}") from None

    async def _ajson(self, method: str, path: str, **kw: Any) -> Any:
        return await off_loop(self._json, method, path, **kw)

    # -- connection state ---------------------------------------------------------------------
    def _note(self, err: BaseException | None) -> None:
        """Track the backend-wide state from each request's outcome (an error Status is an answer:
        the server is reachable)."""
        now = time.time()
        if err is None or isinstance(err, LiveApiError):
            if self._failing_since is not None:
                self._recoveries += 1
                if self._recovered is not None:  # (a request's thread: the event is the loop's)
                    loop, event = self._recovered
                    self._recovered = None
                    with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                        loop.call_soon_threadsafe(event.set)
            self._failing_since = None
            if self._conn.state != CONNECTED:
                self._conn = Connection(CONNECTED, None, now)
            return
        if self._closed:
            return
        if self._failing_since is None:
            self._failing_since = now
        state = OFFLINE if now - self._failing_since >= self.options.offline_after else RECONNECTING
        msg = str(_wrap(err))
        if self._conn.state != state or self._conn.error != msg:
            self._conn = Connection(state, msg, now if self._conn.state != state else self._conn.since)

    def connection(self) -> Connection:
        return self._conn

    async def _retry_after(self, delay: float, recoveries: int) -> None:
        """A watch's back-off after the server could not be reached, cut short when another
        request reaches it again (``_recoveries`` moved on from ``recoveries``): after an
        outage every view resyncs then, not each at the end of its own grown wait."""
        loop = asyncio.get_running_loop()
        if self._recovered is None or self._recovered[0] is not loop:
            self._recovered = (loop, asyncio.Event())
        event = self._recovered[1]
        if self._closed or self._recoveries != recoveries:  # (after the event is there: a request's
            return  # thread that moved it on before saw no event to set)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), delay)

    # -- discovery / info ---------------------------------------------------------------------
    @staticmethod
    def _path(res: ApiResource, namespace: str | None, name: str | None = None, sub: str | None = None) -> str:
        path = "/api/v1" if not res.group else f"/apis/{res.group}/{res.version}"
        if res.namespaced and namespace:
            path += f"/namespaces/{namespace}"
        path += f"/{res.plural}"
        if name:
            path += f"/{name}"
            if sub:
                path += f"/{sub}"
        return path

    def _discover(self) -> tuple[list[ApiResource], str, dict[str, str]]:
        """``/version``, ``/api/v1`` and every group's preferred version (in parallel)."""
        server_version = self._json("GET", "/version").get("gitVersion", "")
        lists: list[tuple[str, str, Obj]] = [("", "v1", self._json("GET", "/api/v1"))]
        groups = self._json("GET", "/apis").get("groups") or []
        errors: dict[str, str] = {}
        gvs = [(g.get("name", ""), (g.get("preferredVersion") or {}).get("version")
                or ((g.get("versions") or [{}])[0]).get("version", "")) for g in groups]

        def fetch(gv: tuple[str, str]) -> tuple[str, str, Obj | None]:
            try:
                return gv[0], gv[1], self._json("GET", f"/apis/{gv[0]}/{gv[1]}")
            except K9pyError as err:
                errors[f"{gv[0]}/{gv[1]}"] = str(err)
                return gv[0], gv[1], None

        if gvs:
            lists += [x for x in _each_in_a_thread(fetch, gvs) if x[2] is not None]
        out: list[ApiResource] = []
        for group, version, body in lists:
            entries = body.get("resources") or []
            subs: dict[str, list[str]] = {}
            for r in entries:
                if "/" in r.get("name", ""):
                    parent, sub = r["name"].split("/", 1)
                    subs.setdefault(parent, []).append(sub)
            for r in entries:
                if "/" in r.get("name", "") or not r.get("kind"):
                    continue
                out.append(ApiResource(r["kind"], r["name"], group, version, bool(r.get("namespaced")),
                                       tuple(r.get("shortNames") or ()), tuple(r.get("categories") or ()),
                                       tuple(r.get("verbs") or ()), tuple(subs.get(r["name"], ())),
                                       r.get("singularName") or ""))
        return out, server_version, errors

    rediscovers = True

    async def rediscover(self) -> bool:
        await self.ensure_discovery()  # (the first one, at start, may still be under way)
        if time.monotonic() - self._discovered_at < REDISCOVER_AFTER:
            # read a moment ago: it stands (a typo typed again and again does not ask each time)
            return self._resources is not None
        try:
            await self.discover()
        except K9pyError:
            return False
        return True

    async def discover(self) -> list[ApiResource]:
        """(Re)read discovery: the kinds, the server's short names, CRDs."""
        self._discovered_at = time.monotonic()
        found, version, errors = await off_loop(self._discover)
        by_kind: dict[str, ApiResource] = {}
        for res in found:
            known = resources.BY_KIND.get(res.kind)
            prev = by_kind.get(res.kind)
            # one kind in several groups (Event: v1 and events.k8s.io): the registry's group wins
            if prev is None or (known is not None and res.group == known.group and prev.group != known.group):
                by_kind[res.kind] = res
        self._resources, self._by_kind = found, by_kind
        self.server_version, self.discovery_errors = version, errors
        return found

    async def ensure_discovery(self) -> None:
        if self._resources is not None:
            return
        if self._discovery_lock is None:
            self._discovery_lock = asyncio.Lock()
        async with self._discovery_lock:
            if self._resources is None:
                with contextlib.suppress(K9pyError):  # offline: the built-in registry until a later call succeeds
                    await self.discover()

    def discovered(self) -> bool:
        return self._resources is not None

    def kinds(self) -> list[ApiResource]:
        """The discovered kinds (the built-in registry until discovery has answered)."""
        return list(self._resources) if self._resources is not None else list(resources.RESOURCES)

    def served_now(self, res: ApiResource) -> ApiResource:
        """``res``'s group and kind in the version discovery says is served now (``res`` when
        none is)."""
        return next((r for r in self._resources or () if r.group == res.group and r.kind == res.kind), res)

    def resource(self, kind: str) -> ApiResource:
        res = self._by_kind.get(kind) or resources.BY_KIND.get(kind)
        if res is None:
            raise K9pyError(f"the server does not serve the kind {kind!r}")
        return res

    def info(self) -> BackendInfo:
        c = self._conn
        extra = {"server": str(self.api.configuration.host)}
        if c.error:
            extra["error"] = c.error
        acting = next((v for k, v in self.impersonate if k == "Impersonate-User"), None)
        return BackendInfo(backend="live", context=self.context, cluster=self.cluster_name, user=acting or self.user,
                           server_version=self.server_version, state=c.state, extra=extra)

    def now(self) -> float:
        return time.time()

    def capabilities(self) -> frozenset[Capability]:
        return frozenset({Capability.CONTEXTS, Capability.SERVER_TABLES, Capability.METRICS})

    def kubeconfig_files(self) -> list[str]:
        return list(self.files)

    def kubectl_flags(self) -> list[str]:
        """--as/--as-group and the kubeconfig overrides (--cluster, --user, --token, ...) as given."""
        over = self.options.overrides.kubectl_flags()
        user = self.options.impersonate
        if user is None:
            return over
        return ["--as", user, *(f for g in self.options.impersonate_groups for f in ("--as-group", g)), *over]

    def start(self) -> None:
        """The app calls this on mount: discovery in the background."""
        if self._start_task is None:
            self._start_task = asyncio.get_running_loop().create_task(self.ensure_discovery())

    # -- contexts ------------------------------------------------------------------------------
    def contexts(self) -> Objs:
        """The `:ctx` rows (``k9py.view.rows.context_cells``), the one in use marked current (as
        the files said when this backend was made; ``refresh_contexts()`` reads them again)."""
        return [c.as_object() for c in self._contexts]

    async def refresh_contexts(self) -> Objs:
        self._contexts, _ = await asyncio.to_thread(kc.list_contexts, self.files, self.context)
        return self.contexts()

    def context_namespace(self) -> str | None:
        return self.default_namespace

    async def use_context(self, name: str) -> LiveBackend:
        """A new backend on context ``name`` (same options), discovered; the caller swaps it in,
        restarts its informer and closes this one. The kubeconfig is not written. As k9s switches,
        --token and --insecure-skip-tls-verify still hold; --cluster, --user and their files were
        the first context's."""
        new = await asyncio.to_thread(LiveBackend, replace(self.options, context=name,
                                                           overrides=self.options.overrides.kept_across_contexts()),
                                      rng=self.rng)
        await new.ensure_discovery()
        return new

    async def rename_context(self, old: str, new: str) -> str:
        """kubectl's ``config rename-context``: the kubeconfig file that defines ``old`` written (and
        a current-context naming it); the context in use renamed goes on under its new name."""
        path = await asyncio.to_thread(kc.rename_context, self.files, old, new)
        if old == self.context:
            self.context = new.strip()
            self.options = replace(self.options, context=self.context)
        await self.refresh_contexts()
        return path

    async def delete_context(self, name: str) -> tuple[str, bool]:
        """kubectl's ``config delete-context``, but never the context in use (k9s refuses it)."""
        if name == self.context:
            raise K9pyError(f'context "{name}" is the one in use: switch to another first, then delete it')
        out = await asyncio.to_thread(kc.delete_context, self.files, name)
        await self.refresh_contexts()
        return out

    # -- reading -------------------------------------------------------------------------------
    @staticmethod
    def _typed(obj: Obj, res: ApiResource) -> Obj:
        """List items come without kind/apiVersion: put them back."""
        obj.setdefault("kind", res.kind)
        obj.setdefault("apiVersion", res.api_version)
        return obj

    def _list(self, res: ApiResource, namespace: str | None, extra: dict[str, str] | None = None) -> tuple[list[Obj], str]:
        """All pages of a list (``limit`` + ``continue``), and the list's resourceVersion."""
        items: list[Obj] = []
        cont: str | None = None
        path = self._path(res, namespace)
        while True:
            q = {"limit": str(self.options.page_size), **(extra or {})}
            if cont:
                q["continue"] = cont
            try:
                body = self._json("GET", path, query=q)
            except LiveApiError as err:
                if err.code == 410 and cont:  # the continue token expired: start again
                    items, cont = [], None
                    continue
                raise
            items.extend(self._typed(o, res) for o in body.get("items") or [])
            md = body.get("metadata") or {}
            cont = md.get("continue")
            if not cont:
                return items, str(md.get("resourceVersion") or "")

    def _relist(self, res: ApiResource, namespace: str | None, known: dict[tuple[str, str], Obj] | None,
                ) -> tuple[list[Obj], str, dict[tuple[str, str], Obj], list[Change] | None]:
        """A watch's (re)list, in a thread: the items, their resourceVersion, the items by key, and
        (``known``: what the watch delivered) the changes since. Indexing 10,000 objects and
        comparing them with what was known stays off the event loop."""
        items, rv = self._list(res, namespace)
        changes = list(relist_events(known, items)) if known is not None else None
        return items, rv, {_key(o): o for o in items}, changes

    async def list(self, kind: str, namespace: str | None = None, *, label_selector: str | None = None,
                   field_selector: str | None = None) -> Objs:
        await self.ensure_discovery()
        res = self.resource(kind)
        extra = {k: v for k, v in (("labelSelector", label_selector), ("fieldSelector", field_selector)) if v}
        items, _ = await off_loop(self._list, res, namespace if res.namespaced else None, extra)
        return items

    async def _open_stream(self, path: str, query: dict[str, Any], *, read_timeout: float | None,
                           keep_empty: bool, parse: Callable[[str], Any] | None, name: str,
                           max_line: int | None = None) -> _Stream:
        resp = await off_loop(self._open, "GET", path, query=query,
                                       timeout=self._timeout(read_timeout, stream=True))
        return _Stream(resp, keep_empty=keep_empty, parse=parse, name=name, max_line=max_line)

    async def watch(self, kind: str, namespace: str | None = None) -> AsyncIterator[WatchEvent]:
        await self.ensure_discovery()
        res = self.resource(kind)
        ns = (namespace or None) if res.namespaced else None
        opts = self.options
        backoff = Backoff(opts.backoff_initial, 2.0, opts.backoff_cap, 0.2, self.rng)
        known: dict[tuple[str, str], Obj] = {}
        rv: str | None = None
        listed_once = False
        state = "connecting"
        failing_since: float | None = None
        expired = 0  # 410s in a row
        while not self._closed:
            error: K9pyError | None = None
            try:
                if rv is None:
                    self._listing += 1
                    try:
                        items, rv, fresh, changes = await off_loop(self._relist, res, ns,
                                                                            known if listed_once else None)
                    finally:
                        self._listing -= 1
                    if changes is None:  # (the items keyed in the thread: a copy is the informer's cache)
                        yield Listed(items, dict(fresh))
                    else:
                        for ev in changes:
                            yield ev
                    known = fresh
                    listed_once = True
                    failing_since = None
                    backoff.reset()
                    if state != CONNECTED:
                        if state != "connecting":  # back from a failure: clear its message
                            yield StateChanged(CONNECTED)
                        state = CONNECTED
                    yield Synced()
                    if self._resources is None:  # started while the server was away: it answers now
                        await self.ensure_discovery()
                timeout = int(opts.watch_timeout * (1 + self.rng.random()))
                query = {"watch": "true", "resourceVersion": rv, "allowWatchBookmarks": "true",
                         "timeoutSeconds": str(timeout)}
                stream = await self._open_stream(self._path(res, ns), query, read_timeout=timeout + 30,
                                                 keep_empty=False, parse=json.loads,
                                                 name=f"k9py-watch-{res.plural}")
                opened, delivered = time.monotonic(), 0
                try:
                    async for ev in stream.items():
                        type_, obj = ev.get("type"), ev.get("object") or {}
                        if type_ == "BOOKMARK":
                            rv = _rv(obj) or rv
                        elif type_ == "ERROR":
                            raise LiveApiError.from_status(obj)
                        elif type_ in ("ADDED", "MODIFIED", "DELETED"):
                            delivered += 1
                            rv = _rv(obj) or rv
                            obj = self._typed(obj, res)
                            if type_ == "DELETED":
                                known.pop(_key(obj), None)
                            else:
                                known[_key(obj)] = obj
                            yield change(type_, obj)
                finally:
                    stream.close()  # now, not when the garbage collector finalizes items()
                expired = 0
                # a clean end (the server's timeout): watch again from rv; a server that ends
                # streams at once without a word is not hammered
                if delivered == 0 and time.monotonic() - opened < 1.0:
                    await asyncio.sleep(backoff.next())
                continue
            except LiveApiError as err:
                if err.code == 410:  # Expired / Gone: relist at once (with back-off if it repeats)
                    rv, expired = None, expired + 1
                    if expired > 1:
                        await asyncio.sleep(backoff.next())
                    continue
                if err.code == 403:
                    state, rv = FORBIDDEN, None
                    yield StateChanged(FORBIDDEN, str(err))
                    await asyncio.sleep(opts.forbidden_retry)
                    continue
                if err.code == 404:  # the kind is served no more (its CRD deleted): none of it is left
                    rv, failing_since = None, None
                    if state != GONE:
                        if listed_once:
                            for ev in relist_events(known, []):
                                yield ev
                        else:
                            yield Listed([], {})
                        known, listed_once, state = {}, True, GONE
                        yield Synced()
                        yield StateChanged(GONE, f'the server doesn\'t have a resource type "{res.plural}"')
                    await asyncio.sleep(opts.gone_retry)
                    # the CRD back in another version (v1 deleted, v2 applied): listed there; its
                    # group's (Istio's Gateway is not Gateway API's)
                    if await self.rediscover():
                        res = self.served_now(res)
                        ns = (namespace or None) if res.namespaced else None
                    continue
                error = err
            except ConnectionLost as err:
                error = err
                recoveries = self._recoveries
            # a failure: say so, wait, then relist (the server may have a new history)
            now = time.monotonic()
            failing_since = failing_since if failing_since is not None else now
            new_state = OFFLINE if now - failing_since >= opts.offline_after else RECONNECTING
            state = new_state
            yield StateChanged(new_state, str(error))
            rv = None
            if isinstance(error, ConnectionLost):
                await self._retry_after(backoff.next(), recoveries)
            else:  # an error Status (500…): the server is there, and answers so; back off
                await asyncio.sleep(backoff.next())

    async def get(self, kind: str, namespace: str | None, name: str) -> Obj:
        await self.ensure_discovery()
        res = self.resource(kind)
        return self._typed(await self._ajson("GET", self._path(res, namespace, name)), res)

    async def server_table(self, kind: str, namespace: str | None = None) -> Obj:
        """The server's Table for a kind (``as=Table``, objects included): the columns of kinds
        k9py has no printer for (CRDs' additionalPrinterColumns)."""
        await self.ensure_discovery()
        res = self.resource(kind)
        return await self._ajson("GET", self._path(res, namespace if res.namespaced else None),
                                 query={"includeObject": "Object"}, accept=TABLE_ACCEPT)

    async def events_for(self, obj: Obj) -> Objs:
        """kubectl describe's query: events whose involvedObject is ``obj``."""
        res = self.resource("Event")
        ns = meta.namespace(obj) or None
        sel = [f"involvedObject.name={meta.name(obj)}", f"involvedObject.kind={obj.get('kind', '')}"]
        if ns:
            sel.append(f"involvedObject.namespace={ns}")
        if meta.uid(obj):
            sel.append(f"involvedObject.uid={meta.uid(obj)}")
        try:
            items, _ = await off_loop(self._list, res, ns, {"fieldSelector": ",".join(sel)})
        except LiveApiError as err:
            if err.code != 400:
                raise
            items, _ = await off_loop(self._list, res, ns)
        uid = meta.uid(obj)
        return [e for e in items if (e.get("involvedObject") or {}).get("uid") == uid
                or ((e.get("involvedObject") or {}).get("kind") == obj.get("kind")
                    and (e.get("involvedObject") or {}).get("name") == meta.name(obj))]

    # -- logs ----------------------------------------------------------------------------------
    async def logs(self, namespace: str, pod: str, container: str | None = None, *, follow: bool = False,
                   tail_lines: int | None = None, since_seconds: float | None = None,
                   previous: bool = False, timestamps: bool = False) -> AsyncIterator[str]:
        """Lines of a container's log. Following, a dropped connection is resumed from the last
        line's timestamp (``sinceTime``) without repeating a line; it ends when the server ends
        the stream because the container stopped or the pod went away."""
        path = f"/api/v1/namespaces/{namespace}/pods/{pod}/log"
        query: dict[str, Any] = {"container": container, "timestamps": "true",
                                 "follow": "true" if follow else None,
                                 "previous": "true" if previous else None,
                                 "tailLines": str(tail_lines) if tail_lines is not None else None,
                                 "sinceSeconds": str(max(1, math.ceil(since_seconds))) if since_seconds else None}
        backoff = Backoff(self.options.backoff_initial, 2.0, self.options.backoff_cap, 0.2, self.rng)
        last: tuple[int, int] | None = None
        seen_at_last = 0  # lines (and long lines' pieces) already given whose timestamp is ``last``
        first = True
        watch_pod: tuple[str, int] | None = None
        recheck = False  # the stream went down: is the pod the one followed? (asked until answered)
        while True:
            skip = seen_at_last
            dropped = False
            unreachable: int | None = None  # the server could not be reached: ``_recoveries`` then
            try:
                if follow and watch_pod is None:
                    watch_pod = await self._container_marker(namespace, pod, container)
                elif recheck and watch_pod is not None:
                    if not await self._still_followed(namespace, pod, container, watch_pod):
                        return  # replaced or restarted while the stream was down: its lines are another's
                    recheck = False
                stream = await self._open_stream(path, query, read_timeout=None if follow else self.options.request_timeout,
                                                 keep_empty=True, parse=None, name=f"k9py-logs-{pod}",
                                                 max_line=MAX_LOG_LINE)
                at_last = dropping = False  # the line read now: has the timestamp ``last``; came before it
                async for continues, raw in stream.items():
                    if continues:  # a long line's later piece goes with its first
                        if dropping:
                            continue
                        out = raw
                    else:
                        head, _, text = raw.partition(" ")
                        ts = _parse_ts(head)
                        at_last = dropping = False
                        if ts is None:
                            yield raw
                            continue
                        if last is not None and ts < last:
                            dropping = True
                            continue
                        if ts != last:
                            last, seen_at_last, skip = ts, 0, 0
                        at_last, out = True, raw if timestamps else text
                    if at_last:  # pieces at ``last`` given before the stream dropped are not given again
                        if skip > 0:
                            skip -= 1
                            continue
                        seen_at_last += 1
                    yield out
                backoff.reset()
            except ConnectionLost:
                if not follow:
                    raise
                dropped, unreachable = True, self._recoveries
            except LiveApiError:
                if first or not follow:
                    raise
                dropped = True
            first = False
            if not follow or previous:
                return
            recheck = recheck or dropped
            if not dropped:
                try:
                    if watch_pod is not None and not await self._still_followed(namespace, pod, container, watch_pod):
                        return  # the pod or the container is not the one we followed
                    if await self._container_done(namespace, pod, container):
                        return
                except LiveApiError as err:
                    if err.code == 404:
                        return
                except ConnectionLost:
                    unreachable, recheck = self._recoveries, True
            if unreachable is not None:  # back as soon as the server answers again
                await self._retry_after(backoff.next(), unreachable)
            else:
                await asyncio.sleep(backoff.next())
            if last is not None:
                query.update(tailLines=None, sinceSeconds=None, sinceTime=_format_ts(last))

    @staticmethod
    def _container_of(p: Obj, container: str | None) -> str:
        if container:
            return container
        names = podcontainers.names(p)
        return podcontainers.default_container(p) or (names[0] if names else "")

    async def _still_followed(self, namespace: str, pod: str, container: str | None, marker: tuple[str, int]) -> bool:
        """Whether the pod and its container are still those a log stream followed (``marker``);
        a pod gone (404) is not. Other errors are the caller's."""
        try:
            return await self._container_marker(namespace, pod, container) == marker
        except LiveApiError as err:
            if err.code == 404:
                return False
            raise

    async def _container_marker(self, namespace: str, pod: str, container: str | None) -> tuple[str, int]:
        """(pod uid, restart count): when it changes the followed container is gone."""
        p = await self.get("Pod", namespace, pod)
        name = self._container_of(p, container)
        st: Obj = next((s for s in (p.get("status") or {}).get("containerStatuses") or [] if s.get("name") == name), {})
        return meta.uid(p), int(st.get("restartCount") or 0)

    async def _container_done(self, namespace: str, pod: str, container: str | None) -> bool:
        p = await self.get("Pod", namespace, pod)
        if meta.is_deleting(p) or (p.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            return True
        name = self._container_of(p, container)
        st: Obj = next((s for s in (p.get("status") or {}).get("containerStatuses") or [] if s.get("name") == name), {})
        return "terminated" in (st.get("state") or {})

    # -- writing -------------------------------------------------------------------------------
    def _object_path(self, obj: Obj) -> tuple[ApiResource, str | None, str]:
        """The resource, namespace (the context's default for a namespaced object without one)
        and name of an object sent whole: to the version it names when that is another of its
        group's (an autoscaling/v1 HorizontalPodAutoscaler: discovery knows the preferred v2; the
        server says whether it serves it), as kubectl sends it."""
        res = self.resource(obj.get("kind", ""))
        group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
        if version and group == res.group and version != res.version:
            res = replace(res, version=version)
        md = obj.get("metadata") or {}
        ns = (md.get("namespace") or self.default_namespace) if res.namespaced else None
        return res, ns, md.get("name", "")

    async def create(self, obj: Obj) -> Obj:
        await self.ensure_discovery()
        res, ns, _ = self._object_path(obj)
        return await self._ajson("POST", self._path(res, ns), body=obj, content_type=JSON,
                                 query={"fieldManager": FIELD_MANAGER})

    async def delete(self, kind: str, namespace: str | None, name: str, *,
                     grace_period: int | None = None, propagation: str | None = None) -> Obj:
        await self.ensure_discovery()
        res = self.resource(kind)
        return await self._ajson("DELETE", self._path(res, namespace, name),
                                 body=verbs.delete_options(grace_period, propagation), content_type=JSON)

    async def replace(self, obj: Obj) -> Obj:
        """PUT: a Conflict (409) if the object's resourceVersion is stale."""
        await self.ensure_discovery()
        res, ns, name = self._object_path(obj)
        return await self._ajson("PUT", self._path(res, ns, name), body=obj, content_type=JSON,
                                 query={"fieldManager": FIELD_MANAGER})

    async def patch(self, kind: str, namespace: str | None, name: str, patch: Any, *,
                    patch_type: PatchType = "merge", subresource: str | None = None) -> Obj:
        """A strategic merge patch of a kind the registry does not know (a CRD) is sent as a
        merge patch, as kubectl does: the apiserver refuses strategic ones for custom resources."""
        await self.ensure_discovery()
        res = self.resource(kind)
        content_type = PATCH_CONTENT_TYPES[patch_type]
        if patch_type == "strategic" and res.kind not in resources.BY_KIND:
            content_type = PATCH_CONTENT_TYPES["merge"]
        return await self._ajson("PATCH", self._path(res, namespace if res.namespaced else None, name, subresource),
                                 body=patch, content_type=content_type, query={"fieldManager": FIELD_MANAGER})

    async def evict(self, namespace: str, pod: str, *, grace_period: int | None = None) -> Obj:
        path = f"/api/v1/namespaces/{namespace}/pods/{pod}/eviction"
        return await self._ajson("POST", path, body=verbs.eviction(namespace, pod, grace_period), content_type=JSON)

    async def metrics(self, kind: str, namespace: str | None = None) -> Objs:
        """metrics.k8s.io/v1beta1 PodMetrics / NodeMetrics; ``MetricsUnavailable`` when the
        cluster has no metrics-server (404, 503) or the kind has no metrics."""
        plural = {"Pod": "pods", "Node": "nodes"}.get(kind)
        if plural is None:
            raise MetricsUnavailable(f"no metrics for {kind}")
        path = "/apis/metrics.k8s.io/v1beta1" + (f"/namespaces/{namespace}" if namespace and kind == "Pod" else "")
        res = ApiResource(f"{kind}Metrics", plural, "metrics.k8s.io", "v1beta1", kind == "Pod")
        deadline = time.monotonic() + METRICS_WAIT
        while self._listing and time.monotonic() < deadline:  # a view's rows first: the server is busy listing them
            await asyncio.sleep(0.05)

        def fetch() -> Objs:  # in a thread: 10,000 pods' metrics are typed off the event loop too
            return [self._typed(o, res) for o in self._json("GET", f"{path}/{plural}").get("items") or []]

        try:
            return await off_loop(fetch)
        except LiveApiError as err:
            if err.code in (404, 503):
                raise MetricsUnavailable(str(err)) from None
            raise

    async def apply(self, obj: Obj) -> Obj:
        """Server-side apply (``kubectl apply --server-side --force-conflicts``, manager k9py)."""
        await self.ensure_discovery()
        res, ns, name = self._object_path(obj)
        return await self._ajson("PATCH", self._path(res, ns, name), body=json.dumps(obj),
                                 content_type="application/apply-patch+yaml",
                                 query={"fieldManager": FIELD_MANAGER, "force": "true"})

    async def close(self) -> None:
        self._closed = True
        if self._recovered is not None and self._recovered[0] is asyncio.get_running_loop():
            self._recovered[1].set()  # back-offs end
        if self._start_task is not None:
            self._start_task.cancel()
        await asyncio.to_thread(self.api.close)


# -- CLI -------------------------------------------------------------------------------------
def add_live_arguments(parser: Any) -> None:
    """The live backend's flags (kubectl's names)."""
    g = parser.add_argument_group("live cluster")
    g.add_argument("--live", action="store_true", help="explore the cluster of the current kubeconfig context")
    g.add_argument("--context", help="kubeconfig context to use (implies --live)")
    g.add_argument("--kubeconfig", help="kubeconfig file (implies --live; default: $KUBECONFIG or ~/.kube/config)")
    add_connection_arguments(g)


def add_connection_arguments(g: Any) -> None:
    """Who to be and how to reach the cluster, over the kubeconfig's (kubectl's flags): --as,
    --as-group, --cluster, --user, --token, the TLS files, --insecure-skip-tls-verify,
    --request-timeout. The explorer's and ``k9py record``'s."""
    g.add_argument("--as", dest="impersonate", metavar="USER",
                   help="act as another user (implies --live; kubectl's --as: what that user may see and do)")
    g.add_argument("--as-group", dest="impersonate_groups", action="append", default=[], metavar="GROUP",
                   help="with --as: a group to act as (again for more)")
    g.add_argument("--cluster", metavar="NAME", help="the kubeconfig cluster to use (implies --live; kubectl's)")
    g.add_argument("--user", metavar="NAME", help="the kubeconfig user to use (implies --live; kubectl's)")
    g.add_argument("--token", type=bearer_token_arg, metavar="TOKEN",
                   help="bearer token for the API server (implies --live; over the kubeconfig user's)")
    g.add_argument("--certificate-authority", type=existing_file, metavar="FILE",
                   help="CA certificate file the server is verified with (implies --live)")
    g.add_argument("--client-certificate", type=existing_file, metavar="FILE",
                   help="client certificate file for TLS (implies --live)")
    g.add_argument("--client-key", type=existing_file, metavar="FILE", help="client key file for TLS (implies --live)")
    g.add_argument("--insecure-skip-tls-verify", action="store_true",
                   help="do not verify the server's certificate (implies --live; insecure)")
    g.add_argument("--request-timeout", default=None, metavar="DURATION",
                   help="how long a request may take (e.g. 10s, 1m; 0: no limit; default: config.yaml's "
                        "apiServerTimeout, else 30s)")


def bearer_token_arg(text: str) -> str:
    """``--token``: visible ASCII without spaces (it travels in an HTTP header)."""
    import argparse
    if not text or any(not 0x21 <= ord(c) <= 0x7E for c in text):
        raise argparse.ArgumentTypeError("invalid token: must be non-empty visible ASCII without spaces")
    return text


def existing_file(text: str) -> str:
    """A file flag's path, absolute (a kubectl k9py runs elsewhere reads the same file); whether it
    reads and holds what the flag says is ``kubeconfig.check_overrides``'s."""
    import argparse
    if not text:
        raise argparse.ArgumentTypeError("a file path is needed")
    return os.path.abspath(os.path.expanduser(text))


def overrides_from_args(args: Any) -> kc.Overrides:
    """The kubeconfig override flags given (kubectl's), checked: K9pyError naming the flag."""
    over = kc.Overrides(cluster=getattr(args, "cluster", None) or None, user=getattr(args, "user", None) or None,
                        token=getattr(args, "token", None) or None,
                        certificate_authority=getattr(args, "certificate_authority", None),
                        client_certificate=getattr(args, "client_certificate", None),
                        client_key=getattr(args, "client_key", None),
                        insecure_skip_tls_verify=bool(getattr(args, "insecure_skip_tls_verify", False)))
    kc.check_overrides(over)
    return over


def request_timeout(text: str | None) -> float | None:
    if text is None:
        return 30.0
    try:
        value = parse_duration(text)
    except ValueError:
        raise K9pyError(f"invalid duration {text!r} (e.g. 30s, 1m)", field="--request-timeout") from None
    if value < 0:
        raise K9pyError("must not be negative", field="--request-timeout")
    if value > MAX_DURATION:  # every request failed: a socket's deadline past what the OS clock holds
        raise K9pyError(f"invalid duration {text!r}: at most 2562047h (Go's longest duration)", field="--request-timeout")
    return value or None


MAX_DURATION = 9223372036.854775807  # Go's time.Duration: int64 nanoseconds


def live_backend_from_args(args: Any) -> LiveBackend | None:
    """A LiveBackend if ``--live``, ``--context``, ``--kubeconfig``, ``--as`` or a kubeconfig
    override (``--cluster``, ``--token``, ...) was given, else ``None``."""
    if getattr(args, "impersonate_groups", None) and getattr(args, "impersonate", None) is None:
        raise K9pyError("requires --as (kubectl: impersonating a group needs a user)", field="--as-group")
    return LiveBackend(live_options_from_args(args)) if wants_live(args) else None


def live_options_from_args(args: Any) -> LiveOptions:
    """The connection the command line asks for (``add_live_arguments``' or
    ``add_connection_arguments``' flags), checked: K9pyError naming the flag."""
    groups = tuple(getattr(args, "impersonate_groups", None) or ())
    user = getattr(args, "impersonate", None)
    if groups and user is None:
        raise K9pyError("requires --as (kubectl: impersonating a group needs a user)", field="--as-group")
    over = overrides_from_args(args)
    return LiveOptions(kubeconfig=getattr(args, "kubeconfig", None), context=getattr(args, "context", None),
                       request_timeout=request_timeout(getattr(args, "request_timeout", None)),
                       impersonate=user, impersonate_groups=groups, overrides=over)


OVERRIDE_FLAGS = ("cluster", "user", "token", "certificate_authority", "client_certificate", "client_key",
                  "insecure_skip_tls_verify")


def wants_live(args: Any) -> bool:
    """Whether the command line names a live cluster: --live, --context, --kubeconfig, --as or
    any kubeconfig override."""
    return bool(getattr(args, "live", False) or getattr(args, "context", None) or getattr(args, "kubeconfig", None)
                or getattr(args, "impersonate", None) is not None
                or any(getattr(args, f, None) for f in OVERRIDE_FLAGS))
