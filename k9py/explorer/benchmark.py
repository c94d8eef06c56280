"""k9s's port-forward benchmarks (``internal/perf/benchmark.go`` over rakyll/hey): ``b`` on a
`:pf` row sends N HTTP requests from C concurrent workers to the forward's local port and writes
hey's text report, one file a run (``<ns>_<name>_<unixnano>.txt``) under the state directory's
``benchmarks/<cluster>/<context>``; `:benchmarks` lists the reports with the figures k9s reads
out of them (``render/benchmark.go``).

Standard library only (threads + ``http.client``), no Textual: the UI starts a ``Benchmarks``
run and is told when it ends, from the run's thread."""

from __future__ import annotations

import base64
import contextlib
import http.client
import math
import os
import re
import socket
import stat
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from k9py.config.benchmarks import BenchSpec as Spec
from k9py.kube.unicode import digits

BENCH_TIMEOUT = 120.0  # k9s's benchTimeout: a run ends after two minutes whatever it did
REQUEST_TIMEOUT = 20.0  # hey's default -t
BAR = "■"  # hey's barChar
PERCENTILES = (10, 25, 50, 75, 90, 95, 99)
MAX_REPORT_BYTES = 1 << 20  # a report is ours, but the folder is the user's: read at most this much

Key = tuple[str, str, str, int]  # a forward's key: namespace, pod, container, container port


def url_for(spec: Spec, address: str, local_port: int) -> str:
    """k9s's ``UrlFor``: ``http://HOST:PORT/PATH``, the host the forward's address unless the
    config names one."""
    path = spec.path or "/"
    if not path.startswith("/"):
        path = "/" + path
    host = spec.host or address
    if ":" in host and not host.startswith("["):  # an IPv6 address, bracketed as in any URL
        host = f"[{host}]"
    return f"http://{host}:{local_port}{path}"


# -- one request's measures (hey's result) ------------------------------------------------------------
@dataclass
class Sample:
    status: int = 0
    error: str = ""  # set: the request failed (no status)
    total: float = 0.0
    conn: float = 0.0  # DNS + dial (0 on a reused connection)
    dns: float = 0.0
    write: float = 0.0
    wait: float = 0.0  # the request written → the response's head
    read: float = 0.0
    size: int = -1  # Content-Length (-1: not given), as hey counts it


@dataclass
class Stats:
    samples: list[Sample] = field(default_factory=list)
    elapsed: float = 0.0  # the run's wall time


def fmt(x: float) -> str:
    """hey's formatNumber: Go's ``%4.4f`` (NaN is ``NaN``)."""
    return " NaN" if math.isnan(x) else f"{x:4.4f}"


def histogram(lats: Sequence[float]) -> list[tuple[float, int]]:
    """hey's 11 buckets from the fastest to the slowest (``lats`` sorted)."""
    if not lats:
        return []
    fastest, slowest = lats[0], lats[-1]
    bc = 10
    step = (slowest - fastest) / bc
    marks = [fastest + step * i for i in range(bc)] + [slowest]
    counts = [0] * (bc + 1)
    bi = 0
    i = 0
    while i < len(lats):
        if lats[i] <= marks[bi]:
            counts[bi] += 1
            i += 1
        elif bi < bc:
            bi += 1
        else:  # pragma: no cover - the slowest is the last mark
            counts[bi] += 1
            i += 1
    return list(zip(marks, counts, strict=True))


def latencies(lats: Sequence[float]) -> list[tuple[int, float]]:
    """hey's latency distribution: the latency at each percentile (0, 0 where none was reached)."""
    data = [0.0] * len(PERCENTILES)
    j = 0
    for i, lat in enumerate(lats):
        if j >= len(PERCENTILES):
            break
        if i * 100 // len(lats) >= PERCENTILES[j]:
            data[j] = lat
            j += 1
    return [(p, d) if d > 0 else (0, 0.0) for p, d in zip(PERCENTILES, data, strict=True)]


def report(stats: Stats) -> str:
    """hey's default text report (``requester/print.go``) of ``stats``."""
    ok = [s for s in stats.samples if not s.error]
    n = len(ok)
    lats = sorted(s.total for s in ok)
    total = stats.elapsed

    def avg(values: list[float]) -> float:
        return sum(values) / n if n else math.nan

    def span(attr: str) -> tuple[float, float]:
        values = [getattr(s, attr) for s in ok]
        return (max(values), min(values)) if values else (0.0, 0.0)

    size_total = sum(s.size for s in ok if s.size > 0)
    out = ["", "Summary:",
           f"  Total:\t{fmt(total)} secs",
           f"  Slowest:\t{fmt(lats[-1] if lats else 0.0)} secs",
           f"  Fastest:\t{fmt(lats[0] if lats else 0.0)} secs",
           f"  Average:\t{fmt(avg(lats))} secs",
           f"  Requests/sec:\t{fmt(n / total if total > 0 else 0.0)}",
           "  "]
    if size_total > 0:
        out[-1] += f"\n  Total data:\t{size_total} bytes\n  Size/request:\t{size_total // n} bytes"
    out += ["", "Response time histogram:"]
    buckets = histogram(lats)
    top = max((c for _, c in buckets), default=0)
    for mark, count in buckets:
        bar = (count * 40 + top // 2) // top if top else 0
        out.append(f"  {mark:4.3f} [{count}]\t|{BAR * bar}")
    out += ["", "", "Latency distribution:"]
    out += [f"  {p}% in {fmt(d)} secs" for p, d in (latencies(lats) if lats else [])]
    out += ["", "Details (average, fastest, slowest):"]
    for label, attr in (("DNS+dialup", "conn"), ("DNS-lookup", "dns"), ("req write", "write"),
                        ("resp wait", "wait"), ("resp read", "read")):
        hi, lo = span(attr)
        out.append(f"  {label}:\t{fmt(avg([getattr(s, attr) for s in ok]))} secs, {fmt(hi)} secs, {fmt(lo)} secs")
    out += ["", "Status code distribution:"]
    codes: dict[int, int] = {}
    for s in ok:
        codes[s.status] = codes.get(s.status, 0) + 1
    out += [f"  [{code}]\t{count} responses" for code, count in sorted(codes.items())]
    out += [""]
    errors: dict[str, int] = {}
    for s in stats.samples:
        if s.error:
            errors[s.error] = errors.get(s.error, 0) + 1
    if errors:
        out.append("Error distribution:")
        out += [f"  [{count}]\t{err}" for err, count in sorted(errors.items())]
    return "\n".join(out) + "\n"


# -- the load -------------------------------------------------------------------------------------------
class Canceled(Exception):
    pass


class Load:
    """N requests from C workers (threads, one keep-alive connection each), as hey sends them."""

    def __init__(self, url: str, spec: Spec, user_agent: str) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"benchmark: {url!r} is not an http:// URL")
        self.url = url
        self.host = parts.hostname
        self.port = parts.port or 80
        self.target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.spec = spec
        self.body = spec.body.encode()
        headers: dict[str, str] = {}
        for name, value in spec.headers:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        if spec.user or spec.password:
            token = base64.b64encode(f"{spec.user}:{spec.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        agent = next((v for k, v in headers.items() if k.lower() == "user-agent"), "")
        headers = {k: v for k, v in headers.items() if k.lower() != "user-agent"}
        headers["User-Agent"] = f"{agent} {user_agent}" if agent else user_agent
        if spec.host:
            headers.setdefault("Host", f"{spec.host}:{self.port}")
        self.headers = headers
        self.cancel = threading.Event()  # no new request: canceled, or past BENCH_TIMEOUT
        self.stopped = False  # canceled by the user (``stop``): nothing is saved
        self._left = spec.requests
        self._lock = threading.Lock()
        self.stats = Stats()
        self.done = 0  # requests answered or failed so far
        # the workers' connections and their sockets (a connection the server closes forgets its
        # socket before it is closed here): stop() cuts them
        self._open: dict[http.client.HTTPConnection, socket.socket] = {}

    def stop(self) -> None:
        """Cancel: no new request; the ones in flight are cut off now, not when the pod answers."""
        self.stopped = True
        self.cancel.set()
        with self._lock:
            socks = list(self._open.values())
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _take(self) -> bool:
        with self._lock:
            if self._left <= 0 or self.cancel.is_set():
                return False
            self._left -= 1
            return True

    def _record(self, sample: Sample) -> None:
        with self._lock:
            self.stats.samples.append(sample)
            self.done += 1

    def _worker(self, deadline: float) -> None:
        conn: http.client.HTTPConnection | None = None
        try:
            while self._take():
                conn = self._one(conn, deadline)
        finally:
            if conn is not None:
                self._close(conn)

    def _close(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            self._open.pop(conn, None)
        conn.close()

    def _one(self, conn: http.client.HTTPConnection | None, deadline: float) -> http.client.HTTPConnection | None:
        sample = Sample()
        start = time.perf_counter()
        timeout = max(0.001, min(REQUEST_TIMEOUT, deadline - time.monotonic()))
        try:
            if conn is None:
                t0 = time.perf_counter()
                infos = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
                sample.dns = time.perf_counter() - t0
                conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
                af, _, _, _, addr = infos[0]
                sock = socket.socket(af, socket.SOCK_STREAM)
                sock.settimeout(timeout)
                with self._lock:
                    self._open[conn] = sock
                try:
                    if self.cancel.is_set():
                        raise Canceled
                    sock.connect(addr)
                except (OSError, Canceled):
                    with self._lock:
                        self._open.pop(conn, None)
                    sock.close()
                    raise
                conn.sock = sock
                sample.conn = time.perf_counter() - start
            elif conn.sock is not None:
                conn.sock.settimeout(timeout)
            t1 = time.perf_counter()
            conn.request(self.spec.method, self.target, body=self.body or None, headers=self.headers)
            t2 = time.perf_counter()
            resp = conn.getresponse()
            t3 = time.perf_counter()
            resp.read()
            t4 = time.perf_counter()
            sample.write, sample.wait, sample.read = t2 - t1, t3 - t2, t4 - t3
            sample.status = resp.status
            length = resp.getheader("Content-Length")
            sample.size = int(length) if length and digits(length) else -1
            if resp.will_close:
                self._close(conn)
                conn = None
        except (OSError, http.client.HTTPException, ValueError, Canceled) as err:
            sample.error = "canceled" if self.stopped else self._error(err)
            if conn is not None:
                self._close(conn)
            conn = None
        sample.total = time.perf_counter() - start
        self._record(sample)
        return conn

    def _error(self, err: BaseException) -> str:
        """Go's words for a failed request: ``Get "URL": dial tcp HOST:PORT: connect: connection refused``."""
        op = self.spec.method[:1].upper() + self.spec.method[1:].lower()
        if isinstance(err, ConnectionRefusedError):
            why = f"dial tcp {self.host}:{self.port}: connect: connection refused"
        elif isinstance(err, Canceled):  # the run's time limit, not the user (stopped is "canceled")
            why = "context deadline exceeded"
        elif isinstance(err, TimeoutError | socket.timeout):
            why = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
        elif isinstance(err, http.client.RemoteDisconnected | ConnectionResetError):
            why = "EOF"
        elif isinstance(err, socket.gaierror):
            why = f"dial tcp: lookup {self.host}: {err.strerror or err}"
        else:
            why = (getattr(err, "strerror", None) or str(err) or type(err).__name__).lower()
        return f'{op} "{self.url}": {why}'

    def run(self) -> Stats:
        """Send every request (blocks until done, canceled or past the two minutes)."""
        workers = max(1, min(self.spec.concurrency, self.spec.requests))
        deadline = time.monotonic() + BENCH_TIMEOUT
        start = time.perf_counter()
        threads = [threading.Thread(target=self._worker, args=(deadline,), name=f"k9py-bench-{i}", daemon=True)
                   for i in range(workers)]
        for t in threads:
            t.start()
        timer = threading.Timer(BENCH_TIMEOUT, self.cancel.set)
        timer.daemon = True
        timer.start()
        try:
            for t in threads:
                t.join()
        finally:
            timer.cancel()
        self.stats.elapsed = time.perf_counter() - start
        return self.stats


# -- the files ------------------------------------------------------------------------------------------
_UNSAFE = re.compile(r"[:|/\\]+")


def file_name(namespace: str, name: str, stamp_ns: int) -> str:
    """k9s's ``<ns>_<name>_<unixnano>.txt``, ``name`` the forward's ``pod|container|local:port``
    with its ``|`` and ``:`` as ``_``."""
    return f"{_UNSAFE.sub('_', namespace)}_{_UNSAFE.sub('_', name)}_{stamp_ns}.txt"


def forward_name(pod: str, container: str, local_port: int, port: int) -> str:
    return f"{pod}|{container}|{local_port}:{port}"


def save(folder: Path, namespace: str, name: str, text: str, stamp_ns: int | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = stamp_ns if stamp_ns is not None else time.time_ns()
    path = folder / file_name(namespace, name, stamp)
    while path.exists():
        stamp += 1
        path = folder / file_name(namespace, name, stamp)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path


_TOTAL = re.compile(r"Total:\s+([0-9.]+)\ssecs")
_RPS = re.compile(r"Requests/sec:\s+([0-9.]+)")
_OK = re.compile(r"\[2\d{2}\]\s+(\d+)\s+responses")
_ERR = re.compile(r"\[[45]\d{2}\]\s+(\d+)\s+responses")
_TOAST = re.compile(r"Error distribution")


@dataclass(frozen=True)
class Report:
    """One report file as `:benchmarks` lists it (k9s's columns)."""
    path: Path
    namespace: str
    name: str
    status: str  # pass | fail
    time: str
    rps: str
    ok: int
    errors: int
    mtime: float

    @property
    def file(self) -> str:
        return self.path.name


def summarize(text: str) -> tuple[str, str, str, int, int]:
    """What k9s's render reads out of a report: status (``fail`` when it has an Error
    distribution), Total, Requests/sec, the 2xx and the 4xx/5xx responses."""
    status = "fail" if _TOAST.search(text) else "pass"
    total = m.group(1) if (m := _TOTAL.search(text)) else ""
    rps = m.group(1) if (m := _RPS.search(text)) else ""
    ok = sum(int(x) for x in _OK.findall(text))
    errors = sum(int(x) for x in _ERR.findall(text))
    return status, total, rps, ok, errors


def read_report(path: Path) -> str:
    with path.open("rb") as fh:
        return fh.read(MAX_REPORT_BYTES).decode("utf-8", errors="replace")


def list_reports(folder: Path, prefix: str = "") -> list[Report]:
    """The reports in ``folder`` (those whose name starts with ``prefix``), newest first; a file
    whose name is not ``<ns>_<name>_...`` is left out, as k9s's render refuses it."""
    if not folder.is_dir():
        return []
    out = []
    for p in folder.iterdir():
        if not p.name.endswith(".txt") or not p.name.startswith(prefix):
            continue
        tokens = p.name.split("_")
        if len(tokens) < 3:
            continue
        try:
            st = p.stat()
            if not stat.S_ISREG(st.st_mode):
                continue
            version = (st.st_mtime_ns, st.st_size)
            known = _SUMMARIES.get(p)
            if known is not None and known[0] == version:
                summary = known[1]
            else:  # (a report is written once: each is read once, not at every reload of the list)
                summary = summarize(read_report(p))
                _SUMMARIES[p] = (version, summary)
        except OSError:
            continue
        out.append(Report(p, tokens[0], tokens[1], *summary, st.st_mtime))
    return sorted(out, key=lambda r: (-r.mtime, r.file))


# what summarize found in each report read, with the file's (mtime, size) then
_SUMMARIES: dict[Path, tuple[tuple[int, int], tuple[str, str, str, int, int]]] = {}


# -- the runs a session has going ------------------------------------------------------------------------
@dataclass
class Run:
    key: Key
    load: Load
    path: Path | None = None  # the report saved
    error: str = ""  # why it could not be saved

    @property
    def canceled(self) -> bool:
        """By the user (past the two minutes, a run ends and is saved, as k9s's)."""
        return self.load.stopped


class Benchmarks:
    """The benchmarks running on a session's forwards (one at a time per forward)."""

    def __init__(self) -> None:
        self._runs: dict[Key, Run] = {}
        self._lock = threading.Lock()

    def running(self, key: Key) -> Run | None:
        with self._lock:
            return self._runs.get(key)

    def start(self, key: Key, load: Load, folder: Path, namespace: str, name: str,
              done: Callable[[Run], None]) -> Run:
        """Run ``load`` in a thread; save its report in ``folder`` unless canceled; ``done(run)``
        from that thread."""
        run = Run(key, load)
        with self._lock:
            if key in self._runs:
                raise ValueError("a benchmark is already running on this port-forward")
            self._runs[key] = run

        def body() -> None:
            try:
                stats = load.run()
                if not run.canceled:
                    try:
                        run.path = save(folder, namespace, name, report(stats))
                    except OSError as err:
                        run.error = f"cannot save the benchmark report in {folder}: {err.strerror or err}"
            finally:
                with self._lock:
                    self._runs.pop(key, None)
                with contextlib.suppress(Exception):
                    done(run)

        threading.Thread(target=body, name=f"k9py-bench-{key[1]}", daemon=True).start()
        return run

    def cancel(self, key: Key) -> Run | None:
        run = self.running(key)
        if run is not None:
            run.load.stop()
        return run

    def cancel_all(self) -> None:
        with self._lock:
            runs = list(self._runs.values())
        for run in runs:
            run.load.stop()
