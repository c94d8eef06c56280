"""``pods/exec`` and ``pods/attach``: kubectl's remote-command protocol over a WebSocket, bridged to
the simulator's userland (``k9py.sim.userland.start_exec``).

kubectl 1.37 opens ``GET …/exec?command=…&container=…&stdin=…&stdout=…&stderr=…&tty=…`` with
``Upgrade: websocket`` and ``Sec-WebSocket-Protocol: v5.channel.k8s.io`` (the official Python client
offers v5 and v4); when the upgrade is refused it retries over SPDY (``POST``, ``Upgrade: SPDY/3.1``),
which k9py does not speak: that retry gets the same refusal, or a 400 that says so.

Like the apiserver, what it checks itself is answered before the upgrade, as a ``Status``: 404 no
such pod, 400 no such container / a container name needed / a pod without a node. A container that
is not running is the kubelet's refusal, as the apiserver relays it (``_kubelet_refusal``). Then one thread per connection pumps: stdin and resize messages into the process,
its output out every ``POLL`` seconds, and when it ends the ``Status`` on the error channel and
a close frame. A client that goes away closes the process's stdin.

Attach: the simulator has no long-lived process to join. A container whose spec asks for stdin
(``kubectl run -it``, busybox-like) gets its command (``sh`` when the spec has none) started
interactively; any other container's attach streams its log output from now on (what a
process writing to stdout would show), and ends when that container stops.
"""

from __future__ import annotations

import json
import sys
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.status import ApiError, bad_request, forbidden, not_found
from k9py.kube.timefmt import parse_time
from k9py.serve import containers
from k9py.serve import websocket as ws
from k9py.serve.auth import SERVE_USER
from k9py.serve.http import Request, Response, no_route
from k9py.sim import userland
from k9py.sim.logs import instance_logs

if TYPE_CHECKING:
    from http.server import BaseHTTPRequestHandler

    from k9py.serve.api import Api, Route

Obj = dict[str, Any]
POLL = 0.015  # real seconds between pumps of the process's output (input wakes the pump at once)
LOG_POLL = 0.05  # attach to a log stream: how often to look for new lines


class Options:
    """The query of an exec/attach request (``PodExecOptions`` / ``PodAttachOptions``)."""

    def __init__(self, req: Request, *, exec_: bool) -> None:
        self.container = req.q("container") or None
        self.stdin = req.flag("stdin")
        self.stdout = req.flag("stdout")
        self.stderr = req.flag("stderr")
        self.tty = req.flag("tty")
        self.command = [c for c in req.values("command")] if exec_ else []
        if exec_ and not self.command:
            raise bad_request("you must specify at least 1 command")
        if not (self.stdin or self.stdout or self.stderr):
            raise bad_request("you must specify at least 1 of stdin, stdout, stderr")
        if self.tty and self.stderr:
            self.stderr = False  # the kubelet merges stderr into the terminal (kubectl never asks for both)


def handle(api: Api, req: Request, route: Route) -> Response:
    """``pods/exec`` or ``pods/attach`` (GET or POST)."""
    if req.method not in ("GET", "POST"):
        return no_route()
    sub = route.sub or "exec"
    ns, name = route.namespace or "default", route.name or ""
    if api.readonly:  # a GET, but the apiserver authorizes a WebSocket exec as `create pods/exec`
        raise forbidden("Pod", name, "create", f'User "{SERVE_USER}" cannot create resource "pods/{sub}" in API group "" '
                        f'in the namespace "{ns}": k9py serve is read-only')
    opts = Options(req, exec_=(sub == "exec"))
    with api.cluster.lock:
        pod = api.cluster.store.get("Pod", ns, name)
        if pod is None:
            raise not_found("Pod", name)
        container = containers.choose(pod, opts.container)
        if not (pod.get("spec") or {}).get("nodeName"):
            raise bad_request(f"pod {name} does not have a host assigned")
        status = _running_status(pod, container, sub)
        logs = _attach_logs(api, pod, container, status) if sub == "attach" and status is not None else None
    if status is None:
        return _kubelet_refusal(req, f'container not found ("{container}")')
    if not ws.is_websocket_upgrade(req):
        if req.headers.get("upgrade"):
            raise bad_request(f"k9py serve speaks the remote-command protocol over WebSocket ({ws.V5}) only, not {req.headers['upgrade']}")
        raise bad_request("Upgrade request required")
    problem = ws.handshake_problem(req)
    if problem:
        raise bad_request(problem)
    offered = ws.offered_protocols(req)
    chosen = ws.negotiate(offered)
    if chosen is None:
        raise ApiError(400, "BadRequest", f"requested protocol(s) are not supported: {offered}; supports {list(ws.REMOTE_COMMAND_PROTOCOLS)}")
    proto = ws.ChannelProtocol(chosen or ws.V1)
    key = req.headers["sec-websocket-key"]
    proc = None
    command = opts.command or _main_command(pod, container)
    proc_stdin = opts.stdin or sub == "attach"  # an attached shell waits on its stdin, read by the client or not
    if logs is None:
        try:
            with api.cluster.lock:  # errors here are the userland's (a pod not running…): still before the upgrade
                proc = _start(api, ns, name, container, command, tty=opts.tty, stdin=proc_stdin)
        except ApiError as err:
            if not err.message.startswith(UPGRADE_FAILED):
                raise
            return _kubelet_refusal(req, err.message.removeprefix(UPGRADE_FAILED))  # stopped meanwhile
        api.notify()

    def upgrade(handler: BaseHTTPRequestHandler) -> None:
        sock = ws.WebSocket(handler)
        sock.accept(key, chosen or None)
        session = Session(api, sock, proto, opts, proc_stdin=proc_stdin,
                          main=(ns, name, container) if sub == "attach" else None)
        if logs is not None:
            session.run_logs(logs)
        else:
            session.run(proc, command)

    return Response(101, upgrade=upgrade)


def _start(api: Api, ns: str, name: str, container: str, command: list[str], *, tty: bool, stdin: bool) -> Any:
    # through the module, not a name imported once: the protocol tests put a fake userland there
    return userland.start_exec(api.cluster, ns, name, container, command, tty=tty, stdin=stdin)


def _spec_container(pod: Obj, container: str) -> Obj:
    spec = pod.get("spec") or {}
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []) + (spec.get("ephemeralContainers") or []):
        if c.get("name") == container:
            return c
    return {}


def _main_command(pod: Obj, container: str) -> list[str]:
    c = _spec_container(pod, container)
    cmd = [str(x) for x in (c.get("command") or []) + (c.get("args") or [])]
    return cmd or ["sh"]


def _running_status(pod: Obj, container: str, sub: str) -> Obj | None:
    """The container's status if it is running; None if the kubelet would find no such running
    container (waiting to start, crashed and backing off)."""
    st = pod.get("status") or {}
    phase = st.get("phase")
    if phase in ("Succeeded", "Failed"):
        verb = "attach" if sub == "attach" else "exec into"
        raise bad_request(f"cannot {verb} a container in a completed pod; current phase is {phase}")
    for cs in ((st.get("containerStatuses") or []) + (st.get("initContainerStatuses") or [])
               + (st.get("ephemeralContainerStatuses") or [])):
        if cs.get("name") == container and (cs.get("state") or {}).get("running") and cs.get("containerID"):
            return dict(cs)
    return None


UPGRADE_FAILED = "unable to upgrade connection: "  # the apiserver's SPDY client, refused by the kubelet


def _kubelet_refusal(req: Request, reason: str) -> Response:
    """The kubelet refuses an exec or attach it cannot start (``container not found ("c")``): with
    a 500 and its words as plain text, which the apiserver passes on to a SPDY or pre-v5 client
    (kubectl: ``error: unable to upgrade connection: container not found ("c")``). A v5 WebSocket
    goes through the apiserver's stream translator, which has already upgraded the client when its
    own SPDY request to the kubelet fails: the client gets the failure as an InternalError Status on
    the error channel (kubectl 1.30+: ``error: Internal error occurred: unable to upgrade
    connection: container not found ("c")``)."""
    offered = ws.offered_protocols(req) if ws.is_websocket_upgrade(req) else []
    if ws.V5 not in offered or ws.handshake_problem(req):
        return Response(500, body=reason, content_type="text/plain; charset=utf-8")
    cause = UPGRADE_FAILED + reason
    status = {"metadata": {}, "status": "Failure", "message": f"Internal error occurred: {cause}", "reason": "InternalError",
              "details": {"causes": [{"message": cause}]}, "code": 500}
    key = req.headers["sec-websocket-key"]

    def upgrade(handler: BaseHTTPRequestHandler) -> None:
        sock = ws.WebSocket(handler)
        sock.accept(key, ws.V5)
        try:
            sock.send(ws.ChannelProtocol(ws.V5).encode(ws.ERROR, json.dumps(status, separators=(",", ":")).encode()))
        finally:
            sock.close()

    return Response(101, upgrade=upgrade)


@dataclass
class LogFollow:
    """What an attach to a container without stdin follows: one instance's log, from a cursor
    (the timestamp of the last line sent, and how many lines at that timestamp were sent)."""

    namespace: str
    pod: str
    container: str
    container_id: str
    cursor: float
    seen: int = 0


def _attach_logs(api: Api, pod: Obj, container: str, status: Obj) -> LogFollow | None:
    """None: attach runs the container's interactive command; else the log to follow from now (a
    container without stdin, or one whose PID 1 runs a script that does not read it)."""
    if _spec_container(pod, container).get("stdin") and not _runs_its_script(api, pod, container):
        return None
    follow = LogFollow(meta.namespace(pod), meta.name(pod), container, status["containerID"], api.cluster.now())
    got = instance_logs(api.cluster, follow.namespace, follow.pod, container, follow.container_id)
    follow.seen = sum(1 for ln in (got[0] if got else []) if _ts(ln) == follow.cursor)  # already written
    return follow


def _runs_its_script(api: Api, pod: Obj, container: str) -> bool:
    """Whether the container's PID 1 is a script the simulated shell runs (``sim/userland/oneshot.py``):
    its output is its log, and attach follows it instead of starting the command a second time."""
    from k9py.sim.kubelet import runtime_for

    rt = runtime_for(api.cluster, meta.namespace(pod), meta.name(pod))
    c = rt.by_name(container) if rt is not None else None
    return c is not None and c.current is not None and c.current.script is not None


class Session:
    """One upgraded exec/attach connection, pumped by the handler's thread."""

    def __init__(self, api: Api, sock: ws.WebSocket, proto: ws.ChannelProtocol, opts: Options, *,
                 proc_stdin: bool = False, main: tuple[str, str, str] | None = None) -> None:
        self.main = main  # attach: (namespace, pod, container) whose PID 1 this process is
        self.api = api
        self.sock = sock
        self.proto = proto
        self.opts = opts
        self.stdin_open = proc_stdin  # the process has a stdin we have not closed yet

    def _send(self, channel: int, data: bytes) -> None:
        for i in range(0, max(len(data), 1), ws.MAX_MESSAGE):
            self.sock.send(self.proto.encode(channel, data[i:i + ws.MAX_MESSAGE]))

    def _hello(self) -> None:
        """An empty message on the first stream the client reads: the kubelet's "connected"."""
        first = ws.STDOUT if self.opts.stdout else ws.STDERR if self.opts.stderr else ws.ERROR
        self._send(first, b"")

    def _out(self, stream: int, data: bytes) -> None:
        if not data:
            return
        if self.opts.tty or stream == ws.STDOUT:
            if self.opts.stdout:
                self._send(ws.STDOUT, data)
        elif self.opts.stderr:
            self._send(ws.STDERR, data)

    def run(self, proc: Any, command: list[str]) -> None:
        cluster = self.api.cluster
        self._hello()
        try:
            while True:
                messages = self.sock.receive(POLL)
                fed = False
                with cluster.lock:
                    for m in messages:
                        fed = self._input(proc, m) or fed
                    if self.sock.closed and self.stdin_open:
                        proc.close_stdin()
                        self.stdin_open = False
                    out = list(proc.read())
                    done = bool(proc.done)
                    code = proc.exit_code if done else None
                    error = getattr(proc, "error", None)  # the program could not start: said on stdout, exit 126
                if fed:
                    self.api.notify()  # the shell may have changed the cluster (kill 1, files on a volume)
                for stream, data in out:
                    self._out(stream, data)
                if done:
                    # the kubelet's attach reports Success whatever PID 1 exited with (ServeAttach):
                    # the exit code is the container's, which `kubectl run -it` reads from the pod
                    status = ws.status_message(0 if self.main is not None and error is None else code, command)
                    payload = ws.error_channel_payload(self.proto, status)
                    if payload is not None:
                        self._send(ws.ERROR, payload)
                    self._main_ended(code)
                    break
                if self.sock.closed or self.api.stopping.is_set():
                    break
        except Exception as err:  # a userland bug ends this session with a Status, not the server
            traceback.print_exc(file=sys.stderr)
            payload = ws.error_channel_payload(self.proto, ws.status_message(None, command, error=f"k9py: exec failed: {err}"))
            if payload is not None:
                self._send(ws.ERROR, payload)
        finally:
            self.sock.close()

    def _main_ended(self, code: int | None) -> None:
        """An attached main process ended (``exit`` in `kubectl run -it`): so does its container."""
        if self.main is None or code is None:
            return
        from k9py.sim.kubelet import signal_container
        with self.api.cluster.lock:
            ended = signal_container(self.api.cluster, *self.main, 0, exit_code=code)
        if ended is not None:
            self.api.notify()

    def _input(self, proc: Any, message: bytes | str) -> bool:
        decoded = self.proto.decode(message)
        if decoded is None:
            return False
        channel, data = decoded
        if channel == ws.STDIN:
            if self.stdin_open and self.opts.stdin and data:
                proc.feed(data)
                return True
        elif channel == ws.RESIZE and self.proto.resize:
            size = _resize(data)
            if size is not None:
                proc.resize(*size)
        elif channel == ws.CLOSE and data[:1] == bytes([ws.STDIN]) and self.stdin_open:
            proc.close_stdin()
            self.stdin_open = False
            return True
        return False

    def run_logs(self, follow: LogFollow) -> None:
        """Attach to a container that reads no stdin: its log lines from now until it stops."""
        cluster = self.api.cluster
        last_now: float | None = None
        self._hello()
        try:
            while not self.sock.closed and not self.api.stopping.is_set():
                self.sock.receive(LOG_POLL)  # input is ignored: the container reads no stdin
                with cluster.lock:
                    now = cluster.now()
                    if now == last_now:
                        continue  # no new lines before the clock moves
                    last_now = now
                    got = instance_logs(cluster, follow.namespace, follow.pod, follow.container, follow.container_id)
                if got is None:
                    break
                lines, stopped = got
                fresh, follow.cursor, follow.seen = _after(lines, follow.cursor, follow.seen)
                if fresh:
                    self._out(ws.STDOUT, "".join(_text(ln) for ln in fresh).encode())
                if stopped:
                    break
            if not self.sock.closed:
                payload = ws.error_channel_payload(self.proto, ws.status_message(0, []))
                if payload is not None:
                    self._send(ws.ERROR, payload)
        finally:
            self.sock.close()


def _resize(data: bytes) -> tuple[int, int] | None:
    try:
        size = json.loads(data)
        return int(size["Width"]), int(size["Height"])
    except (ValueError, KeyError, TypeError):
        return None


def _ts(line: str) -> float | None:
    try:
        return parse_time(line.split(" ", 1)[0])
    except ValueError:
        return None


def _text(line: str) -> str:
    return (line.split(" ", 1)[1] if " " in line else "").rstrip("\n") + "\n"


def _after(lines: list[str], cursor: float, seen: int) -> tuple[list[str], float, int]:
    """The timestamped lines after (cursor, the ``seen``-th line at cursor); the new cursor."""
    out: list[str] = []
    at = 0
    for ln in lines:
        t = _ts(ln)
        if t is None:
            continue
        if t > cursor or (t == cursor and (at := at + 1) > seen):
            out.append(ln)
    for ln in out:
        t = _ts(ln)
        assert t is not None
        if t != cursor:
            cursor, seen = t, 0
        seen += 1
    return out, cursor, seen
