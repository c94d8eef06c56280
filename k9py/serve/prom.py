"""The apiserver's own ``/metrics`` (``kubectl get --raw /metrics``): Prometheus text of the
requests this server answered, labelled as the apiserver labels them (verb LIST/WATCH/GET/POST/
PUT/PATCH/APPLY/DELETE/DELETECOLLECTION/CONNECT, group, version, resource, subresource, scope,
code), their latencies, the requests in flight, the long-running ones (watches, exec, logs -f),
the stored objects per resource, and the build and process facts.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from k9py.serve.api import Route
    from k9py.serve.http import Request

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"
# apiserver_request_duration_seconds's buckets (k8s.io/apiserver/pkg/endpoints/metrics)
BUCKETS = (0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0,
           20.0, 30.0, 45.0, 60.0)
REQUEST_LABELS = ("code", "component", "dry_run", "group", "resource", "scope", "subresource", "verb", "version")
DURATION_LABELS = ("component", "dry_run", "group", "resource", "scope", "subresource", "verb", "version")
LONGRUNNING_LABELS = ("component", "group", "resource", "scope", "subresource", "verb", "version")
# non-resource paths the apiserver reports by their path (others are "other")
NON_RESOURCE_PATHS = ("/healthz", "/livez", "/readyz", "/metrics", "/version", "/api", "/apis", "/openapi/v2",
                      "/openapi/v3")
LONGRUNNING_SUBRESOURCES = ("exec", "attach", "portforward", "proxy", "log")
Labels = tuple[str, ...]


@dataclass
class _Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    total: float = 0.0
    n: int = 0


def _esc(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(names: tuple[str, ...], values: Labels) -> str:
    return ",".join(f'{k}="{_esc(v)}"' for k, v in zip(names, values, strict=True))


def _num(v: float) -> str:
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


@dataclass(frozen=True)
class RequestInfo:
    """A request as the apiserver's metrics see it."""

    verb: str
    group: str = ""
    version: str = ""
    resource: str = ""
    subresource: str = ""
    scope: str = ""
    dry_run: str = ""
    long_running: bool = False

    def key(self) -> Labels:
        """The labels of apiserver_request_duration_seconds (component first)."""
        return ("apiserver", self.dry_run, self.group, self.resource, self.scope, self.subresource, self.verb,
                self.version)


def non_resource(req: Request) -> RequestInfo:
    path = req.path.rstrip("/") or "/"
    reported = next((p for p in NON_RESOURCE_PATHS if path == p or path.startswith(p + "/")), "")
    return RequestInfo(req.method if req.method != "HEAD" else "GET", subresource=reported or "other")


def resource(req: Request, route: Route, watch_path: bool = False) -> RequestInfo:
    m, res = req.method, route.res
    if m in ("GET", "HEAD") and (req.flag("watch") or watch_path):
        verb = "WATCH"
    elif m in ("GET", "HEAD"):
        verb = "LIST" if route.name is None else "GET"
    elif m == "PATCH" and "apply-patch" in req.headers.get("content-type", ""):
        verb = "APPLY"
    elif m == "DELETE" and route.name is None:
        verb = "DELETECOLLECTION"
    else:
        verb = m
    sub = route.sub or ""
    if sub in ("exec", "attach", "portforward", "proxy"):
        verb = "CONNECT"
    scope = "resource" if route.name else "namespace" if route.namespace else "cluster"
    long_running = verb in ("WATCH", "CONNECT") or (sub == "log" and req.flag("follow"))
    dry = "All" if "All" in req.values("dryRun") else ""
    return RequestInfo(verb, res.group, res.version, res.plural, sub, scope, dry, long_running)


class Counted:
    """A response's stream that reports its end (``done``) when the server closes it."""

    def __init__(self, stream: Any, done: Any) -> None:
        self.stream, self.done, self.closed = stream, done, False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.stream)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            close = getattr(self.stream, "close", None)
            if close is not None:
                close()
        finally:
            self.done()


class Metrics:
    """What /metrics reports, counted by the server's threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started = time.time()
        self.requests: dict[Labels, int] = {}
        self.durations: dict[Labels, _Histogram] = {}
        self.inflight = {"mutating": 0, "readOnly": 0}
        self.longrunning: dict[Labels, int] = {}

    def begin(self, info: RequestInfo) -> None:
        with self.lock:
            if info.long_running:
                k = self._long_key(info)
                self.longrunning[k] = self.longrunning.get(k, 0) + 1
            else:
                self.inflight[self._kind(info)] += 1

    def end(self, info: RequestInfo, code: int, seconds: float) -> None:
        with self.lock:
            if info.long_running:
                k = self._long_key(info)
                self.longrunning[k] = max(0, self.longrunning.get(k, 0) - 1)
            else:
                self.inflight[self._kind(info)] = max(0, self.inflight[self._kind(info)] - 1)
            key = (str(code), *info.key())
            self.requests[key] = self.requests.get(key, 0) + 1
            if info.verb not in ("WATCH", "CONNECT"):  # the apiserver times long-running requests apart
                h = self.durations.setdefault(info.key(), _Histogram())
                i = bisect.bisect_left(BUCKETS, seconds)
                for j in range(i, len(BUCKETS)):
                    h.counts[j] += 1
                h.total += seconds
                h.n += 1

    @staticmethod
    def _kind(info: RequestInfo) -> str:
        return "readOnly" if info.verb in ("GET", "LIST", "WATCH") else "mutating"

    @staticmethod
    def _long_key(info: RequestInfo) -> Labels:
        return ("apiserver", info.group, info.resource, info.scope, info.subresource, info.verb, info.version)

    def text(self, objects: dict[str, int], build: dict[str, Any]) -> str:
        return "".join(self._lines(objects, build))

    def _lines(self, objects: dict[str, int], build: dict[str, Any]) -> Iterator[str]:
        with self.lock:
            requests = sorted(self.requests.items())
            durations = sorted((k, _Histogram(list(h.counts), h.total, h.n)) for k, h in self.durations.items())
            inflight = dict(self.inflight)
            longrunning = sorted(self.longrunning.items())
        yield ("# HELP apiserver_current_inflight_requests [STABLE] Maximal number of currently used inflight "
               "request limit of this apiserver per request kind in last second.\n"
               "# TYPE apiserver_current_inflight_requests gauge\n")
        for kind in ("mutating", "readOnly"):
            yield f'apiserver_current_inflight_requests{{request_kind="{kind}"}} {inflight[kind]}\n'
        yield ("# HELP apiserver_longrunning_requests [STABLE] Gauge of all active long-running apiserver requests "
               "broken out by verb, group, version, resource, scope and component. Not all requests are tracked "
               "this way.\n# TYPE apiserver_longrunning_requests gauge\n")
        for k, v in longrunning:
            yield f"apiserver_longrunning_requests{{{_labels(LONGRUNNING_LABELS, k)}}} {v}\n"
        yield ("# HELP apiserver_request_duration_seconds [STABLE] Response latency distribution in seconds for each "
               "verb, dry run value, group, version, resource, subresource, scope and component.\n"
               "# TYPE apiserver_request_duration_seconds histogram\n")
        for k, h in durations:
            lab = _labels(DURATION_LABELS, k)
            for b, c in zip(BUCKETS, h.counts, strict=True):
                yield f'apiserver_request_duration_seconds_bucket{{{lab},le="{_num(b)}"}} {c}\n'
            yield f'apiserver_request_duration_seconds_bucket{{{lab},le="+Inf"}} {h.n}\n'
            yield f"apiserver_request_duration_seconds_sum{{{lab}}} {h.total!r}\n"
            yield f"apiserver_request_duration_seconds_count{{{lab}}} {h.n}\n"
        yield ("# HELP apiserver_request_total [STABLE] Counter of apiserver requests broken out for each verb, "
               "dry run value, group, version, resource, scope, component, and HTTP response code.\n"
               "# TYPE apiserver_request_total counter\n")
        for k, v in requests:
            yield f"apiserver_request_total{{{_labels(REQUEST_LABELS, k)}}} {v}\n"
        yield ("# HELP apiserver_storage_objects [STABLE] Number of stored objects at the time of last check split "
               "by kind. In case of a fetching error, the value will be -1.\n# TYPE apiserver_storage_objects gauge\n")
        for res, n in sorted(objects.items()):
            yield f'apiserver_storage_objects{{resource="{_esc(res)}"}} {n}\n'
        yield ("# HELP kubernetes_build_info [ALPHA] A metric with a constant '1' value labeled by major, minor, git "
               "version, git commit, git tree state, build date, Go version, and compiler from which Kubernetes was "
               "built, and platform on which it is running.\n# TYPE kubernetes_build_info gauge\n")
        names = ("build_date", "compiler", "git_commit", "git_tree_state", "git_version", "go_version", "major",
                 "minor", "platform")
        values = tuple(str(build.get(k, "")) for k in ("buildDate", "compiler", "gitCommit", "gitTreeState",
                                                        "gitVersion", "goVersion", "major", "minor", "platform"))
        yield f"kubernetes_build_info{{{_labels(names, values)}}} 1\n"
        yield ("# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
               "# TYPE process_start_time_seconds gauge\n"
               f"process_start_time_seconds {_num(round(self.started, 2))}\n")
