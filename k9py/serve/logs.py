"""``GET …/pods/{name}/log``: text/plain, and with ``follow`` a stream that grows as the virtual
clock advances and ends when the container terminates or the pod goes away (kubelet behaviour)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.status import ApiError, bad_request, not_found
from k9py.kube.timefmt import parse_time
from k9py.kube.unicode import go_int
from k9py.serve import containers
from k9py.serve.http import Request, Response
from k9py.sim.logs import container_logs, instance_logs

if TYPE_CHECKING:
    from k9py.serve.api import Api, Route

Obj = dict[str, Any]
TEXT = "text/plain"


def _int(req: Request, name: str) -> int | None:
    v = req.q(name)
    if v in (None, ""):
        return None
    n = go_int(v)
    if n is None:  # (strconv.ParseInt's: "1_0", Arabic-Indic digits and 99999999999999999999 are refused)
        raise bad_request(f'invalid value for {name}: "{v}"')
    if n < 1 and name != "tailLines":  # ValidatePodLogOptions: limitBytes and sinceSeconds are > 0
        raise ApiError(422, "Invalid", f'PodLogOptions "" is invalid: {name}: Invalid value: {n}: must be greater than 0')
    return n


def _instance(pod: Obj, container: str) -> tuple[str | None, bool]:
    """(containerID, running) of the container's latest instance: a follow reads that instance
    only, and ends when it stops (the kubelet does not follow into the next restart)."""
    st = pod.get("status") or {}
    for cs in ((st.get("containerStatuses") or []) + (st.get("initContainerStatuses") or [])
               + (st.get("ephemeralContainerStatuses") or [])):
        if cs.get("name") == container:
            return cs.get("containerID"), bool((cs.get("state") or {}).get("running"))
    return None, False


def _ts(line: str) -> float | None:
    head = line.split(" ", 1)[0]
    try:
        return parse_time(head)
    except ValueError:
        return None


def _strip_ts(line: str) -> str:
    return line.split(" ", 1)[1] if " " in line else ""


def pod_log(api: Api, req: Request, route: Route) -> Response:
    cluster = api.cluster
    ns, name = route.namespace or "default", route.name or ""
    follow = req.flag("follow")
    previous = req.flag("previous")
    timestamps = req.flag("timestamps")
    tail = _int(req, "tailLines")
    since_seconds = _int(req, "sinceSeconds")
    since_time = req.q("sinceTime") or None
    limit = _int(req, "limitBytes")
    if since_seconds is not None and since_time is not None:
        raise ApiError(422, "Invalid", 'PodLogOptions "" is invalid: []: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified')
    if since_time is not None:
        try:
            parse_time(since_time)
        except ValueError:
            raise bad_request(f'parsing time "{since_time}" as RFC3339: cannot parse') from None
    recorded = getattr(cluster, "container_logs", None)  # a replayed Recording keeps its own log lines
    logs = recorded if recorded is not None else functools.partial(container_logs, cluster)
    with cluster.lock:
        pod = cluster.store.get("Pod", ns, name)
        if pod is None:
            raise not_found("Pod", name)
        container = containers.choose(pod, req.q("container"), use_default=True)
        lines = logs(ns, name, container, previous=previous, since_seconds=since_seconds,
                     since_time=since_time, tail_lines=tail, timestamps=True)
        uid = meta.uid(pod)
        start_now = cluster.now()
        followed, running = _instance(pod, container)

    def render(line: str) -> bytes:
        line = line.rstrip("\n")
        return ((line if timestamps else _strip_ts(line)) + "\n").encode()

    budget = [limit]

    def clip(data: bytes) -> bytes:
        if budget[0] is None:
            return data
        data = data[: budget[0]]
        budget[0] -= len(data)
        return data

    if not follow or previous or not running or recorded is not None:
        data = clip(b"".join(render(ln) for ln in lines))
        return Response(200, data, TEXT)

    def stream() -> Iterator[bytes]:
        cursor = _ts(lines[-1]) if lines else start_now
        seen_at_cursor = sum(1 for ln in lines if _ts(ln) == cursor) if lines else 0
        for ln in lines:
            chunk = clip(render(ln))
            if chunk:
                yield chunk
            if budget[0] is not None and budget[0] <= 0:
                return
        while not api.stopping.is_set():
            api.wait_change()
            with cluster.lock:
                pod_now = cluster.store.get("Pod", ns, name)
                if pod_now is None or meta.uid(pod_now) != uid:
                    return
                got = instance_logs(cluster, ns, name, container, followed or "")
                if got is None:
                    return
                fresh, done = got
            new: list[str] = []
            at_cursor = 0
            for ln in fresh:
                t = _ts(ln)
                if t is None or cursor is None:
                    continue
                if t > cursor:
                    new.append(ln)
                elif t == cursor:
                    at_cursor += 1
                    if at_cursor > seen_at_cursor:
                        new.append(ln)
            if not new:
                yield b""  # idle: the writer sees whether the client is still there
            for ln in new:
                t = _ts(ln)
                if t != cursor:
                    cursor, seen_at_cursor = t, 0
                seen_at_cursor += 1
                chunk = clip(render(ln))
                if chunk:
                    yield chunk
                if budget[0] is not None and budget[0] <= 0:
                    return
            if done:
                return

    return Response(200, stream=stream(), content_type=TEXT)
