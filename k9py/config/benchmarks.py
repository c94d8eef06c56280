"""k9s's per-context ``benchmarks.yaml`` (``internal/config/benchmark.go``): what `b` on a
port-forward sends. One file per context, beside the context's ``config.yaml``
(``locations.benchmarks_file``)::

    benchmarks:
      defaults:
        concurrency: 2
        requests: 200
      containers:
        default/nginx:nginx:          # NAMESPACE/POD:CONTAINER; a Deployment's pod by its prefix
          concurrency: 4
          requests: 1000
          http:
            method: POST
            host: localhost           # the forward's address unless given
            path: /api
            body: '{"fred": "blee"}'
            headers:
              Content-Type: [application/json]
          auth:
            user: fred
            password: blee

Read when `b` is pressed (k9s rereads it too); a wrong file is one ``FILE:LINE: field: ...``
error and no run. ``services`` (k9s's) is what `b` on a service sends::

      services:
        default/my-nginx:             # NAMESPACE/NAME of a NodePort or LoadBalancer Service
          http:
            host: 192.168.49.2        # a node's address (its NodePort is added) or HOST:PORT
            path: /

A live cluster needs the entry and its host, as in k9s; the simulator reaches the Service's node
port itself, and takes the entry's load and request when there is one."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from k9py.config import yamlfile
from k9py.config.schema import Bool, Int, Map, Spec, Str, StrMap, _wrong
from k9py.config.yamlfile import ConfigDoc

Path_ = list[str | int]
DEFAULT_CONCURRENCY = 2  # k9s's benchmarks.yaml template
DEFAULT_REQUESTS = 200


@dataclass(frozen=True)
class BenchSpec:
    """One run's request and load (k9s's ``BenchConfig``)."""
    concurrency: int = DEFAULT_CONCURRENCY
    requests: int = DEFAULT_REQUESTS
    method: str = "GET"
    host: str = ""  # "": the forward's address
    path: str = "/"
    body: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    user: str = ""
    password: str = ""
    http2: bool = False  # accepted; http.client speaks HTTP/1.1


class HeaderValues(Spec):
    """A header's values: Go's ``http.Header`` (a list of strings), or one string."""

    def check(self, doc: ConfigDoc, value: Any, where: Path_) -> list[str]:
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            raise _wrong(doc, where, "a list of strings", value)
        for i, item in enumerate(value):
            if not isinstance(item, str | int | float) or isinstance(item, bool):
                raise _wrong(doc, [*where, i], "a string", item)
        return [str(v) for v in value]

    def describe(self) -> str:
        return "list of strings"


BENCH = Map({
    "concurrency": Int(lo=1, hi=1000), "requests": Int(lo=1, hi=1_000_000),
    "http": Map({"method": Str(empty=False), "host": Str(), "path": Str(), "http2": Bool(), "body": Str(),
                 "headers": StrMap(values=HeaderValues())}),
    "auth": Map({"user": Str(), "password": Str()}),
})
SCHEMA = Map({"benchmarks": Map({
    "defaults": Map({"concurrency": Int(lo=1, hi=1000), "requests": Int(lo=1, hi=1_000_000)}),
    "services": StrMap(values=BENCH),
    "containers": StrMap(values=BENCH),
})})
_METHOD = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP token
# k9s's podNameRX (a Deployment's pod: NAME-HASH-XXXXX), with the hash's shorter lengths too
# (k9s wants 10 characters; a pod-template-hash has 1 to 10)
_POD_SUFFIX = re.compile(r"\A(.+)-([a-z0-9]{1,10})-([a-z0-9]{5})\Z")


def load(path: Path) -> dict[str, Any]:
    """The checked file (``{}`` when there is none); ``ConfigError`` names what is wrong."""
    if not yamlfile.present(path):  # a directory or a broken link is the file's error, not no file
        return {}
    doc = yamlfile.load(path)
    data = SCHEMA.check(doc, doc.data, [])
    for section in ("services", "containers"):
        for key, bench in data.get("benchmarks", {}).get(section, {}).items():
            method = bench.get("http", {}).get("method")
            if method is not None and not _METHOD.match(method):
                raise doc.error(["benchmarks", section, key, "http", "method"], f"{method!r} is not an HTTP method")
    return data


def pod_key(namespace: str, pod: str, container: str) -> str:
    """k9s's ``PodToKey``: ``NAMESPACE/POD:CONTAINER``, a Deployment's pod named by its prefix."""
    m = _POD_SUFFIX.match(pod)
    return f"{namespace}/{m.group(1) if m else pod}:{container}"


def defaults(data: dict[str, Any]) -> BenchSpec:
    """The ``defaults`` load with a GET of ``/``."""
    defaults = data.get("benchmarks", {}).get("defaults", {})
    return BenchSpec(concurrency=defaults.get("concurrency", DEFAULT_CONCURRENCY),
                     requests=defaults.get("requests", DEFAULT_REQUESTS))


def _with(spec: BenchSpec, entry: dict[str, Any]) -> BenchSpec:
    """``spec`` with what an entry of ``containers`` or ``services`` says."""
    http, auth = entry.get("http", {}), entry.get("auth", {})
    headers = tuple((name, v) for name, values in http.get("headers", {}).items() for v in values)
    return replace(spec, concurrency=entry.get("concurrency", spec.concurrency),
                   requests=entry.get("requests", spec.requests), method=http.get("method", "GET").upper(),
                   host=http.get("host", ""), path=http.get("path", "") or "/", body=http.get("body", ""),
                   headers=headers, http2=http.get("http2", False),
                   user=auth.get("user", ""), password=auth.get("password", ""))


def spec_for(data: dict[str, Any], namespace: str, pod: str, container: str) -> BenchSpec:
    """k9s's ``BenchConfigFor``: the container's own entry (by the pod's full name, else k9s's
    key), else the defaults' load with a GET of ``/``."""
    spec = defaults(data)
    containers = data.get("benchmarks", {}).get("containers", {})
    entry = containers.get(f"{namespace}/{pod}:{container}") or containers.get(pod_key(namespace, pod, container))
    return spec if entry is None else _with(spec, entry)


def service_spec(data: dict[str, Any], namespace: str, name: str) -> BenchSpec | None:
    """`b` on a service: its entry under ``services`` (``NAMESPACE/NAME``, k9s's key) over the
    defaults; None when it has none (k9s then runs nothing: it needs the host to reach)."""
    entry = data.get("benchmarks", {}).get("services", {}).get(f"{namespace}/{name}")
    return None if entry is None else _with(defaults(data), entry)
