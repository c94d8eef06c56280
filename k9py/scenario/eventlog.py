"""A recording's events as a ``Player`` reads them: compact, objects decoded on demand.

The index (when, what, which object) is small lists; the objects stay as the recorded JSON
lines in a private spill file (``open_jsonl``) or as the parsed objects of a YAML recording
(``Feed.of``). A 100,000-event recording is then a few MB of index plus the file on disk, and
only the objects the player's store needs are decoded (``player.ReplayStore``).

``open_jsonl`` reads a JSON Lines recording once, checking every line as ``parse_recording``
does and reporting the same problems, without building its objects: msgspec decodes each line
into a small struct (``_Added``... ``_Log``: t, type, the object's kind and name), validating
the JSON it skips and every rule ``recording._event`` applies (types, kinds, names, no unknown
field), so the loop checks nothing but the time order. A line it refuses goes the standard
library's way (``json.loads`` and ``recording._event``), which accepts what JSON from a cluster
may hold and msgspec does not (NaN, a lone surrogate) and says what is wrong, with the line.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import stat
import tempfile
import threading
import weakref
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Annotated, Any, ClassVar, Literal

import msgspec

from k9py.errors import K9pyError
from k9py.kube import gcpause, meta, resources
from k9py.kube.gcpause import gc_paused
from k9py.kube.sharing import Sharer
from k9py.scenario.recording import (
    LOG,
    MAX_SECONDS,
    OBJECT_TYPES,
    Event,
    Recording,
    _event,
    _header,
    _on_line,
    object_key,
)
from k9py.scenario.schema import RECORDING_KIND
from k9py.scenario.source import BOM, MAX_FILE_BYTES, Problems, json_loads, json_problem, not_utf8, whole_bytes

Obj = dict[str, Any]
Key = tuple[str, str, str]
LogLine = tuple[float, str, str]  # (t, container, line)
_TYPES = {t: t for t in OBJECT_TYPES}
_NAMESPACED = {kind: res.namespaced for kind, res in resources.BY_KIND.items()}
WINDOW = 1 << 23  # bytes of the spill file mapped at once when objects are read back (at least)


@dataclass
class Feed:
    """Every event's time (``all_times``, logs too); the object events' times, types, keys and
    default resourceVersions; the LOG lines by pod; ``load_many(indexes)``: those object events'
    recorded objects."""

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
        if ev.type == LOG:
            self.add_log(ev.t, ev.namespace, ev.pod, ev.container, ev.line)
            return
        obj = ev.object
        assert obj is not None
        kind, ns, name = object_key(obj)
        self.add_object(ev.t, _TYPES[ev.type], kind, ns, name, meta.namespace(obj), index)

    def add_object(self, t: float, type_: str, kind: str, namespace: str, name: str, recorded_ns: str,
                   index: int) -> None:
        """An object event: ``namespace`` as keyed (defaulted), ``recorded_ns`` as recorded."""
        key = (kind, namespace, name)
        key = self._keys.setdefault(key, key)
        self.all_times.append(t)
        self.times.append(t)
        self.types.append(type_)
        self.keys.append(key)
        self.versions.append(index + 1)
        self.placed.add(key if recorded_ns == namespace else (kind, recorded_ns, name))

    def add_log(self, t: float, namespace: str, pod: str, container: str, line: str) -> None:
        self.all_times.append(t)
        self.logs.setdefault((namespace, pod), []).append((t, container, line))

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
    start = len(BOM_BYTES) if head.startswith(BOM_BYTES) else 0  # (source.leading_space)
    while start < len(head) and head[start] in b" \t\r\n\f\v":
        start += 1
    end = head.find(b"\n", start)
    first = head[start:end if end >= 0 else len(head)]
    if not first.startswith(b"{"):
        return False
    try:
        data = json_loads(first)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("kind") == RECORDING_KIND and "events" not in data and end >= 0


def read_recording_bytes(path: str, notes: list[str] | None = None) -> bytes:
    """The file's bytes, gunzipped, checked as ``source.read_text`` checks them (``notes``: a
    recording cut off, ``source.inflate``'s and ``source.without_cut_line``'s)."""
    data = whole_bytes(path, notes)
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise not_utf8(err, path) from None
    return data


_Seconds = Annotated[float, msgspec.Meta(ge=0, le=MAX_SECONDS)]  # an int is taken as its float, as ``_seconds`` does
_Nonempty = Annotated[str, msgspec.Meta(min_length=1)]


class _Owner(msgspec.Struct, gc=False):
    uid: str = ""


class _Meta(msgspec.Struct, gc=False):
    name: _Nonempty
    namespace: str | None = None
    # checked: the store indexes by them (a list for a uid is refused, as the apiserver does)
    uid: str | None = None
    ownerReferences: list[_Owner] | None = None


class _Head(msgspec.Struct, gc=False):
    kind: Literal[tuple(resources.BY_KIND)]  # type: ignore[valid-type]  # the registry's own strings
    metadata: _Meta


class _Plain(msgspec.Struct, forbid_unknown_fields=True, tag_field="type", gc=False):
    """An event line ``recording._event`` takes as it is, with what the index needs of it (the
    rest is checked as JSON and skipped): msgspec checks it all, so the loop has nothing to
    check but the time order. A line it refuses goes the standard library's way."""

    t: _Seconds


class _Object(_Plain):
    object: _Head
    event_type: ClassVar[str]


class _Added(_Object, tag="ADDED"):
    event_type = "ADDED"


class _Modified(_Object, tag="MODIFIED"):
    event_type = "MODIFIED"


class _Deleted(_Object, tag="DELETED"):
    event_type = "DELETED"


class _Log(_Plain, tag=LOG):
    pod: _Nonempty
    line: str
    namespace: str | None = None
    container: str | None = None


class _Recorded(msgspec.Struct, gc=False):
    object: Any = None


BOM_BYTES = BOM.encode()
_read_line = msgspec.json.Decoder(_Added | _Modified | _Deleted | _Log).decode
_read_object = msgspec.json.Decoder(_Recorded).decode


def _object_of(line: bytes | memoryview) -> Obj:
    """The recorded object of an event line (checked when the recording was opened)."""
    try:
        obj: Obj = _read_object(line).object
    except (msgspec.MsgspecError, RecursionError):  # what only the standard library reads (NaN, a lone surrogate)
        obj = json_loads(bytes(line), parse_int=_int_or_float)["object"]
    return obj


def _int_or_float(text: str) -> int | float:
    """A JSON integer; one longer than Python converts (more than 4300 digits, which the quick
    index skips over) read as a float (inf) instead of failing the replay where it is played."""
    try:
        return int(text)
    except ValueError:
        return float(text)


def open_jsonl(path: str, data: bytes) -> tuple[Recording, Feed]:
    """The recording in ``data`` (a JSON Lines Recording, ``is_jsonl_recording``), checked: the
    first problem raises K9pyError as ``parse_recording`` would. Its objects are read back from
    a private copy of ``data`` on disk when the player needs them (written by a thread while
    this one indexes: writing releases the GIL)."""
    spill: IO[bytes] = tempfile.TemporaryFile(prefix="k9py-recording-", buffering=0)  # noqa: SIM115 - the feed's until it goes
    failed: list[OSError] = []
    writer = threading.Thread(target=_write_all, args=(spill.fileno(), data, failed), name="k9py-recording-spill",
                              daemon=True)
    writer.start()
    try:
        opened = _index_spilled(path, data, spill)
        writer.join()
        if failed:
            raise K9pyError(f"cannot keep the recording to play it: {failed[0].strerror or failed[0]}", file=path)
        return opened
    except BaseException:
        writer.join()
        spill.close()
        raise


def open_jsonl_file(path: str) -> tuple[Recording, Feed] | None:
    """The JSON Lines Recording at ``path`` opened as ``open_jsonl`` opens its bytes, without
    reading them into this process: the kernel copies the file into the private spill file
    (``os.sendfile``, in a thread), which is checked and indexed mapped in memory as the copy
    goes (only while opening). None when this way does not apply (no sendfile, not a regular
    file of at most MAX_FILE_BYTES, not an uncompressed JSON Lines Recording, an OSError, a file
    that changed while it was copied): the caller reads the file's bytes
    (``read_recording_bytes``), which says what is wrong if anything is."""
    started = _Spilling.start(path)
    if started is None:
        return None
    spilling, spill = started
    try:
        mapped = mmap.mmap(spill.fileno(), spilling.size, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        spilling.finish()
        spill.close()
        return None
    try:
        head = min(spilling.size, HEAD_BYTES)
        copied = spilling.copied_past(0)
        while (first := mapped.find(b"\n", 0, min(copied, head))) < 0 and copied < head:
            copied = spilling.copied_past(copied)
        if first < 0 or not is_jsonl_recording(mapped[:first + 1]):  # it changed since it was looked at
            raise _Changed
        try:
            return _index_spilled(path, mapped, spill, lambda ready: spilling.ready_after(ready, mapped, path))
        except K9pyError:  # the whole file was checked as UTF-8 text first: a problem there comes first
            checked = spilling.checked
            while checked < spilling.size:
                checked = spilling.ready_after(checked, mapped, path)
            raise
    except _Changed:
        spilling.finish()
        spill.close()
        return None
    except BaseException:
        spilling.finish()
        spill.close()
        raise
    finally:
        spilling.finish()  # copied (or stopped): the spill file is never closed under the copy
        with contextlib.suppress(BufferError):  # a problem's traceback still holds a view of it: it goes with that
            mapped.close()


HEAD_BYTES = 1 << 16  # where a JSON Lines Recording's first line ends, at most (else: read as before)
COPY_CHUNK = 1 << 22  # bytes the kernel copies into the spill file at once (then the indexer may go on)


class _Changed(Exception):
    """The file changed (or could not be copied) while it was copied: it is read the other way."""


class _Spilling:
    """The kernel copying a recording into the private spill file, a chunk at a time, in a
    thread (``os.sendfile`` releases the GIL), while the opening thread checks and indexes the
    lines copied so far (``ready_after``)."""

    def __init__(self, src: IO[bytes], spill: IO[bytes], size: int) -> None:
        self.size = size  # bytes to copy: the file's size when it was looked at
        self.checked = 0  # the bytes checked as UTF-8 text: complete lines
        self._src = src  # open until the copy ends
        self._copied = 0
        self._ended = False
        self._stop = False
        self._progress = threading.Condition()
        self._thread = threading.Thread(target=self._copy, args=(src.fileno(), spill.fileno()),
                                        name="k9py-recording-spill", daemon=True)
        self._thread.start()

    @classmethod
    def start(cls, path: str) -> tuple[_Spilling, IO[bytes]] | None:
        """The copy of the regular file at ``path`` under way if it starts as a JSON Lines
        Recording (into a temporary file); None when this way does not (or cannot) apply."""
        if not hasattr(os, "sendfile"):
            return None
        try:
            st = os.stat(path)  # before opening: a FIFO would block the open
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
                return None
            src = open(path, "rb")  # noqa: SIM115 - open until the copy ends (finish)
        except OSError:
            return None
        spill: IO[bytes] | None = None
        try:
            if not is_jsonl_recording(src.read(HEAD_BYTES)):
                src.close()
                return None
            size = os.fstat(src.fileno()).st_size
            if size > MAX_FILE_BYTES or os.pread(src.fileno(), 1, size - 1) != b"\n":
                src.close()  # it grew since it was looked at, or it may end in the middle of a line
                return None  # (read whole: ``read_recording_bytes`` keeps the lines before it)
            spill = tempfile.TemporaryFile(prefix="k9py-recording-", buffering=0)  # noqa: SIM115 - the feed's until it goes
            os.ftruncate(spill.fileno(), size)  # its size from the start: mapped while it is written
            return cls(src, spill, size), spill
        except BaseException as err:
            src.close()
            if spill is not None:
                spill.close()
            if isinstance(err, OSError):
                return None
            raise

    def _copy(self, src: int, dst: int) -> None:
        copied, size = 0, self.size
        try:
            while copied < size and not self._stop:
                sent = os.sendfile(dst, src, copied, min(size - copied, COPY_CHUNK))
                if not sent:  # shorter than it was: it changed (the reader finds the copy short)
                    break
                copied += sent
                with self._progress:
                    self._copied = copied
                    self._progress.notify_all()
        except OSError:  # the copy stops short: the file is read the other way
            pass
        finally:
            with self._progress:
                self._ended = True
                self._progress.notify_all()

    def copied_past(self, n: int) -> int:
        """The bytes copied once there are more than ``n`` (_Changed if the copy ends first)."""
        with self._progress:
            while self._copied <= n and not self._ended:
                self._progress.wait()
            copied = self._copied
        if copied <= n:
            raise _Changed
        return copied

    def ready_after(self, ready: int, data: mmap.mmap, path: str) -> int:
        """Where the complete lines copied past ``ready`` end (``size`` at the end), checked
        as UTF-8 text (K9pyError as ``read_recording_bytes`` says it)."""
        seen = ready
        while True:
            copied = self.copied_past(seen)
            end = self.size if copied >= self.size else data.rfind(b"\n", ready, copied) + 1
            if end > ready:
                _check_utf8(data, path, ready, end)
                self.checked = end
                return end
            seen = copied  # a longer line: wait for its end

    def finish(self) -> None:
        """The copy stopped (if it was still going) and its thread gone; the source closed."""
        self._stop = True
        self._thread.join()
        self._src.close()


UTF8_CHUNK = 1 << 16  # bytes checked at once (at least: a chunk ends after a newline)


def _check_utf8(data: mmap.mmap, path: str, start: int = 0, stop: int | None = None) -> None:
    """K9pyError as ``read_recording_bytes`` says it unless ``data`` (from ``start`` to
    ``stop``, after a newline or at the end) is UTF-8 text: checked a chunk at a time, each
    ending after a newline (where no character is cut), so the first error is the whole
    text's, at the same byte."""
    size = len(data) if stop is None else stop
    while start < size:
        end = data.find(b"\n", min(start + UTF8_CHUNK, size - 1), size) + 1 or size
        chunk = data[start:end]
        if not chunk.isascii():
            try:
                chunk.decode("utf-8")
            except UnicodeDecodeError as err:
                raise K9pyError(f"cannot read: not UTF-8 text ({err.reason} at byte {start + err.start})",
                                file=path) from None
        start = end


def _index_spilled(path: str, data: bytes | mmap.mmap, spill: IO[bytes],
                   more: Callable[[int], int] | None = None) -> tuple[Recording, Feed]:
    """The recording in ``data`` indexed; its feed reads the objects back from ``spill`` (a copy
    of ``data``, complete once the feed is used) and closes it when it goes. ``more``: ``data``
    is still being copied (``_Spilling.ready_after``)."""
    fd = spill.fileno()
    where: array[int] = array("q")  # start, end of each object event's line
    share = Sharer().share  # each object's repeated values: one string for all

    def load_many(indexes: list[int]) -> list[Obj]:
        """Each line decoded straight from the spill file mapped in memory (no copy of it read),
        a window of the file at a time: the pages of a window stay resident only while it is
        decoded."""
        got: dict[int, Obj] = {}
        order = sorted(set(indexes))  # in file order
        k, n = 0, len(order)
        while k < n:
            base = where[2 * order[k]] // mmap.ALLOCATIONGRANULARITY * mmap.ALLOCATIONGRANULARITY
            limit = max(base + WINDOW, where[2 * order[k] + 1])  # a longer line: a window of its own
            run = k + 1
            while run < n and where[2 * order[run] + 1] <= limit:
                run += 1
            size = where[2 * order[run - 1] + 1] - base
            with mmap.mmap(fd, size, access=mmap.ACCESS_READ, offset=base) as mapped, memoryview(mapped) as view:
                for i in order[k:run]:
                    got[i] = share(_object_of(view[where[2 * i] - base:where[2 * i + 1] - base]))
            k = run
        return [got[i] for i in indexes]

    feed = Feed(load_many=load_many, spill=spill, fresh=True)
    weakref.finalize(feed, spill.close)  # closed when the feed goes (and the file with it)
    return _index(path, data, feed, where, more)


def _write_all(fd: int, data: bytes, failed: list[OSError]) -> None:
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view):]
    except OSError as err:
        failed.append(err)


def _index(path: str, data: bytes | mmap.mmap, feed: Feed, where: array[int],
           more: Callable[[int], int] | None = None) -> tuple[Recording, Feed]:
    with gc_paused():  # the index's strings and tuples stay: nothing for the collector to find
        opened = _index_lines(path, data, feed, where, more)
        gcpause.loaded(len(feed.all_times))  # and out of its sight from now on
        return opened


def _index_lines(path: str, data: bytes | mmap.mmap, feed: Feed, where: array[int],
                 more: Callable[[int], int] | None = None) -> tuple[Recording, Feed]:
    """``more(ready)``: where the lines that can be read after ``ready`` end, once there are
    some (None: ``data`` is all there)."""
    problems = Problems(path)
    pos, n, size = 0, 0, len(data)
    ready = size if more is None else more(0)  # the lines before it are there
    rec: Recording | None = None
    last_t = 0.0
    count = 0  # events indexed
    namespaced, known_keys, find, view = _NAMESPACED, feed._keys, data.find, memoryview(data)
    known = known_keys.get
    all_times, times, types, keys, versions = feed.all_times, feed.times, feed.types, feed.keys, feed.versions
    placed, logs, append_where = feed.placed, feed.logs, where.append
    strings: dict[str, str] = {}  # one string for each namespace and container name
    share = strings.setdefault
    while pos < size:
        a = pos
        end = find(b"\n", pos, ready)
        if end < 0:
            if ready < size:
                assert more is not None
                ready = more(ready)
                continue
            end = size
        pos = end + 1
        n += 1
        if rec is not None:
            try:
                h = _read_line(view[a:end])
            except (msgspec.MsgspecError, RecursionError):  # (read again below, its problem said)
                pass
            else:
                t = h.t
                if t < last_t:  # never before the first event: t >= 0
                    _out_of_order(problems, t, last_t, n, count)
                last_t = t
                if type(h) is _Log:
                    ns = h.namespace or "default"
                    container = h.container or ""
                    pod_logs = logs.get((ns, h.pod))
                    if pod_logs is None:
                        pod_logs = logs[(share(ns, ns), h.pod)] = []
                    all_times.append(t)
                    pod_logs.append((t, share(container, container), h.line))
                else:
                    head = h.object
                    kind, md = head.kind, head.metadata
                    name, recorded = md.name, md.namespace or ""
                    ns = (recorded or "default") if namespaced[kind] else ""
                    key = known((kind, ns, name))
                    if key is None:  # a new object: one tuple for it, one string for its namespace
                        key = (kind, share(ns, ns), name)
                        known_keys[key] = key
                    all_times.append(t)
                    times.append(t)
                    types.append(h.event_type)
                    keys.append(key)
                    versions.append(count + 1)
                    placed.add(key if recorded == ns else (kind, recorded, name))
                    append_where(a)
                    append_where(end)
                count += 1
                continue
        line = data[a:end]
        if not line or line.isspace():
            continue
        if rec is None:
            rec = _header(path, json_loads(line.removeprefix(BOM_BYTES)), problems, _on_line(n))
            continue
        ev = _checked(line, n, count, problems)
        if ev is None:
            continue
        if count and ev.t < last_t:
            _out_of_order(problems, ev.t, last_t, n, count)
        last_t = ev.t
        if ev.type != LOG:
            append_where(a)
            append_where(end)
        feed.add(ev, count)
        count += 1
    if rec is None:  # the caller saw a header: only a test gets here
        raise K9pyError("empty file: expected a Recording", file=path)
    rec.last_t = last_t
    return rec, feed


def _out_of_order(problems: Problems, t: float, last_t: float, n: int, count: int) -> None:
    problems.add(f"t: Invalid value: {t:g}: events must be in time order (the previous event is at t={last_t:g})",
                 line=n, document=f"event {count + 1}")


def _checked(line: bytes, n: int, count: int, problems: Problems) -> Event | None:
    """A line the quick check did not accept, read as ``parse_recording`` reads it (its problem
    reported; None when problems are collected)."""
    try:
        value = json_loads(line)
    except ValueError as err:
        problems.add(f"not valid JSON: {json_problem(err)}", line=n)
        return None
    return _event(value, problems, _on_line(n), f"event {count + 1}")
