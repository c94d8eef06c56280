"""`b`'s load and hey's report, against a local http.server in a thread: counts are exact,
no timing is asserted."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from k9py.config.benchmarks import BenchSpec
from k9py.explorer.benchmark import (
    Benchmarks,
    Load,
    Sample,
    Stats,
    file_name,
    histogram,
    latencies,
    list_reports,
    report,
    save,
    summarize,
    url_for,
)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: ClassVar[list[tuple[str, str, dict[str, str], bytes]]] = []
    lock = threading.Lock()

    gate = threading.Event()  # /block answers once it is set

    def _answer(self) -> None:
        if self.path == "/block":
            self.gate.wait(30)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.lock:
            self.seen.append((self.command, self.path, dict(self.headers), body))
            n = len(self.seen)
        code = 500 if self.path == "/flaky" and n % 4 == 0 else 404 if self.path == "/missing" else 200
        payload = b"hello world\n"
        self.send_response(code)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Handler.seen = []
    Handler.gate = threading.Event()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}"
    finally:
        Handler.gate.set()
        srv.shutdown()
        srv.server_close()


def test_every_request_is_sent_and_counted_in_heys_report(server: str) -> None:
    spec = BenchSpec(concurrency=3, requests=20)
    load = Load(server + "/", spec, "k9py/0.1.0")
    stats = load.run()
    assert len(Handler.seen) == 20 and len(stats.samples) == 20
    assert not load._open  # every connection closed and forgotten
    assert all(h["User-Agent"] == "k9py/0.1.0" for _, _, h, _ in Handler.seen)
    text = report(stats)
    lines = text.splitlines()
    assert lines[1] == "Summary:"
    for label in ("Total:", "Slowest:", "Fastest:", "Average:", "Requests/sec:"):
        assert any(ln.startswith(f"  {label}\t") for ln in lines), label
    assert "  Total data:\t240 bytes" in lines and "  Size/request:\t12 bytes" in lines
    hist = lines[lines.index("Response time histogram:") + 1:lines.index("Latency distribution:") - 2]
    assert len(hist) == 11 and sum(int(ln.split("[")[1].split("]")[0]) for ln in hist) == 20
    lat = lines[lines.index("Latency distribution:") + 1:lines.index("Details (average, fastest, slowest):") - 1]
    assert [ln.split("%")[0].strip() for ln in lat] == ["10", "25", "50", "75", "90", "95", "0"]  # hey: 99% of 20 is never reached
    assert "  [200]\t20 responses" in lines
    assert "Error distribution:" not in text
    assert summarize(text)[0] == "pass" and summarize(text)[3:] == (20, 0)


def test_method_body_headers_and_basic_auth_are_sent(server: str) -> None:
    spec = BenchSpec(concurrency=2, requests=4, method="POST", path="/api", body='{"fred": "blee"}',
                     headers=(("Content-Type", "application/json"), ("User-Agent", "me")),
                     user="fred", password="blee")
    Load(server + "/api", spec, "k9py/0.1.0").run()
    assert len(Handler.seen) == 4
    method, path, headers, body = Handler.seen[0]
    assert (method, path, body) == ("POST", "/api", b'{"fred": "blee"}')
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == "Basic ZnJlZDpibGVl"
    assert headers["User-Agent"] == "me k9py/0.1.0"  # k9s: the user's agent, then its own


def test_error_statuses_and_failures_are_counted_apart(server: str) -> None:
    stats = Load(server + "/flaky", BenchSpec(concurrency=1, requests=8), "k9py").run()
    text = report(stats)
    assert "  [200]\t6 responses" in text and "  [500]\t2 responses" in text
    assert summarize(text)[0] == "pass" and summarize(text)[3:] == (6, 2)

    port = server.rsplit(":", 1)[1]
    import socket
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    failed = report(Load(f"http://127.0.0.1:{dead}/", BenchSpec(concurrency=2, requests=5), "k9py").run())
    assert port != str(dead)
    assert "Error distribution:" in failed
    assert f'  [5]\tGet "http://127.0.0.1:{dead}/": dial tcp 127.0.0.1:{dead}: connect: connection refused' in failed
    assert "  Average:\t NaN secs" in failed
    assert summarize(failed)[0] == "fail"


def test_histogram_and_percentiles_are_heys() -> None:
    lats = [0.1, 0.2, 0.2, 0.3, 1.1]
    buckets = histogram(lats)
    assert [round(m, 2) for m, _ in buckets] == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1]
    assert [c for _, c in buckets] == [1, 2, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    assert latencies(lats) == [(10, 0.2), (25, 0.2), (50, 0.3), (75, 1.1), (0, 0.0), (0, 0.0), (0, 0.0)]
    text = report(Stats([Sample(status=200, total=x) for x in lats], elapsed=2.0))
    assert "  Requests/sec:\t2.5000" in text and "  Total:\t2.0000 secs" in text
    assert "  0.200 [2]\t|" + "■" * 40 in text and "  0.100 [1]\t|" + "■" * 20 in text


def test_reports_are_saved_one_a_run_and_listed_newest_first(tmp_path: Path) -> None:
    name = "nginx-7c5ddbdf54-x8f9q|nginx|8080:80"
    assert file_name("default", name, 42) == "default_nginx-7c5ddbdf54-x8f9q_nginx_8080_80_42.txt"
    ok = "Summary:\n  Total:\t1.5000 secs\n  Requests/sec:\t133.3333\nStatus code distribution:\n" \
         "  [200]\t1200 responses\n  [204]\t3 responses\n  [404]\t2 responses\n  [503]\t1 responses\n"
    first = save(tmp_path, "default", name, ok, stamp_ns=1)
    second = save(tmp_path, "default", name, ok + "Error distribution:\n  [1]\tGet x: EOF\n", stamp_ns=2)
    import os
    os.utime(first, (1, 1))
    (tmp_path / "junk.txt").write_text("not a report")
    reports = list_reports(tmp_path)
    assert [r.path for r in reports] == [second, first]
    r = reports[1]
    assert (r.namespace, r.name, r.status, r.time, r.rps, r.ok, r.errors) == \
        ("default", "nginx-7c5ddbdf54-x8f9q", "pass", "1.5000", "133.3333", 1203, 3)
    assert reports[0].status == "fail"
    assert list_reports(tmp_path, "default_other") == []


def test_a_run_in_a_thread_saves_its_report_and_a_canceled_one_does_not(server: str, tmp_path: Path) -> None:
    benches = Benchmarks()
    key = ("default", "web", "nginx", 80)
    ended = threading.Event()
    runs = []

    def done(run):
        runs.append(run)
        ended.set()

    benches.start(key, Load(server + "/", BenchSpec(concurrency=2, requests=10), "k9py"), tmp_path,
                  "default", "web|nginx|8080:80", done)
    assert ended.wait(30)
    run = runs[0]
    assert run.path is not None and run.path.parent == tmp_path and not run.canceled
    assert summarize(run.path.read_text())[3] == 10
    assert benches.running(key) is None

    ended.clear()
    load = Load(server + "/", BenchSpec(concurrency=1, requests=10), "k9py")
    load.stop()  # canceled before it sent a thing
    benches.start(key, load, tmp_path, "default", "web|nginx|8080:80", done)
    assert ended.wait(30)
    assert runs[1].canceled and runs[1].path is None and len(list_reports(tmp_path)) == 1


def test_a_running_benchmark_shows_its_progress_and_b_again_cancels_it(server: str, tmp_path: Path) -> None:
    """While the pod has not answered, the run is there to see (its count); cancel stops it, and
    what it had not sent is never sent; no report is saved."""
    benches = Benchmarks()
    key = ("default", "web", "nginx", 80)
    ended = threading.Event()
    load = Load(server + "/block", BenchSpec(concurrency=2, requests=50), "k9py")
    run = benches.start(key, load, tmp_path, "default", "web|nginx|8080:80", lambda _run: ended.set())
    assert benches.running(key) is run and load.done == 0
    with pytest.raises(ValueError, match="already running"):
        benches.start(key, Load(server + "/", BenchSpec(), "k9py"), tmp_path, "default", "web", lambda _run: None)
    assert benches.cancel(key) is run  # the pod still has not answered: the requests in flight are cut off
    assert ended.wait(10)
    Handler.gate.set()
    assert run.canceled and run.path is None and list_reports(tmp_path) == []
    assert load.done <= 2 and not [s for s in load.stats.samples if not s.error]  # at most one a worker, of 50
    assert benches.running(key) is None


def test_the_url_is_the_forwards_address_and_port_with_the_configs_host_and_path() -> None:
    assert url_for(BenchSpec(), "localhost", 8080) == "http://localhost:8080/"
    assert url_for(BenchSpec(host="10.0.0.1", path="api"), "localhost", 8080) == "http://10.0.0.1:8080/api"
    url = url_for(BenchSpec(), "::1", 8080)
    assert url == "http://[::1]:8080/" and Load(url, BenchSpec(), "k9py").host == "::1"


def test_a_run_past_the_time_limit_ends_and_is_saved_not_taken_as_canceled(server: str, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """k9s's two-minute limit ends a run and keeps its report; only the user's b cancels one."""
    monkeypatch.setattr("k9py.explorer.benchmark.BENCH_TIMEOUT", 0.3)
    benches = Benchmarks()
    ended = threading.Event()
    runs = []
    benches.start(("default", "web", "nginx", 80), Load(server + "/block", BenchSpec(concurrency=2, requests=50), "k9py"),
                  tmp_path, "default", "web|nginx|8080:80", lambda run: (runs.append(run), ended.set()))
    assert ended.wait(30)
    (run,) = runs
    assert not run.canceled and run.path is not None
    text = run.path.read_text()
    assert "Error distribution:" in text and "canceled" not in text  # the requests in flight: timed out


class OneShotHandler(Handler):
    protocol_version = "HTTP/1.0"  # the server closes every connection


def test_connections_the_server_closes_are_forgotten() -> None:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), OneShotHandler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        load = Load(f"http://127.0.0.1:{srv.server_address[1]}/", BenchSpec(concurrency=2, requests=20), "k9py")
        stats = load.run()
        assert len(stats.samples) == 20 and all(s.status == 200 for s in stats.samples)
        assert load._open == {}  # nothing held for stop() to walk
    finally:
        srv.shutdown()
        srv.server_close()


def test_listing_the_reports_again_reads_only_the_new_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """:benchmarks lists again on every return from a report and every ctrl-r: a report is
    written once, so it is read (up to 1 MiB) and summarized once."""
    from k9py.explorer import benchmark

    save(tmp_path, "default", "web|nginx|8080:80", report(Stats(samples=[Sample(status=200, total=0.01)], elapsed=1.0)))
    read = []
    real = benchmark.read_report
    monkeypatch.setattr(benchmark, "read_report", lambda p: read.append(p) or real(p))
    assert len(list_reports(tmp_path)) == 1 and len(read) == 1
    assert len(list_reports(tmp_path)) == 1 and len(read) == 1  # the same file: not read again
    save(tmp_path, "default", "db|pg|5432:5432", report(Stats(samples=[Sample(status=500, total=0.01)], elapsed=1.0)))
    assert [r.ok for r in list_reports(tmp_path)] in ([0, 1], [1, 0]) and len(read) == 2
