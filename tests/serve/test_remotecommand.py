"""``pods/exec`` and ``pods/attach`` over WebSocket against an in-thread server, the container
side played by the fake userland (``fake_userland``: the documented ``start_exec`` interface), so
these check the protocol: the messages on each channel, stdin, resize, EOF, exit status, the
errors before the upgrade, a client that goes away. kubectl itself: ``test_kubectl_exec_e2e.py``."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
import websocket

from k9py.serve.server import ServeHandle
from k9py.sim import userland
from tests.serve import fake_userland
from tests.serve.conftest import Client, small_cluster

V5, V4 = "v5.channel.k8s.io", "v4.channel.k8s.io"
DEADLINE = 10.0


def _pod(name: str, *, node: str | None = "minikube", stdin: bool = False, args: list[str] | None = None,
         containers: tuple[str, ...] = ("c",)) -> dict:
    spec: dict = {"containers": [{"name": c, "image": "busybox", **({"command": ["sh"], "stdin": True, "tty": True} if stdin else {}),
                                  **({"args": args} if args else {})} for c in containers]}
    if node is None:
        spec["nodeSelector"] = {"no-such": "node"}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def _running(handle: ServeHandle, *pods: dict) -> None:
    with handle.cluster.lock:
        for p in pods:
            handle.cluster.create(p)
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        with handle.cluster.lock:
            phases = [(handle.cluster.store.get("Pod", "default", p["metadata"]["name"]).get("status") or {}).get("phase")
                      for p in pods if "nodeSelector" not in p["spec"]]
        if all(ph == "Running" for ph in phases):
            return
        handle.advance(5)  # the virtual clock, whether or not a driver thread also moves it
    raise AssertionError(f"pods not Running: {phases}")


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(userland, "start_exec", fake_userland.start_exec)
    fake_userland.STARTED.clear()
    return fake_userland.STARTED


@pytest.fixture
def box(fake):
    handle = ServeHandle(small_cluster(), speed=None).start()
    _running(handle, _pod("box", args=["sleep", "3600"]), _pod("tty", stdin=True), _pod("two", containers=("a", "b")), _pod("pending", node=None))
    yield handle
    handle.stop()


def _url(handle: ServeHandle, pod: str, sub: str = "exec", **params) -> str:
    query = []
    for k, v in params.items():
        for item in v if isinstance(v, list) else [v]:
            query.append((k, "true" if item is True else item))
    return f"ws://{handle.host}:{handle.port}/api/v1/namespaces/default/pods/{pod}/{sub}?{urlencode(query)}"


def _connect(url: str, protocol: str | None = V5) -> websocket.WebSocket:
    return websocket.create_connection(url, timeout=DEADLINE, subprotocols=[protocol] if protocol else None)


def _drain(conn: websocket.WebSocket) -> tuple[list[tuple[int, bytes]], int | None]:
    """Every (channel, data) message until the server's close frame; the close code."""
    out = []
    while True:
        op, data = conn.recv_data(control_frame=True)
        if op == websocket.ABNF.OPCODE_CLOSE:
            code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
            return out, code
        if op == websocket.ABNF.OPCODE_BINARY:
            out.append((data[0], data[1:]))


def _joined(messages, channel: int) -> bytes:
    return b"".join(d for c, d in messages if c == channel)


def _status(messages) -> dict:
    errs = [d for c, d in messages if c == 3 and d]
    assert len(errs) == 1, messages
    return json.loads(errs[0])


def test_one_shot_exec_stdout_then_success_then_close(box):
    conn = _connect(_url(box, "box", command=["cat", "/etc/hostname"], container="c", stdout=True, stderr=True))
    assert conn.subprotocol == V5
    messages, code = _drain(conn)
    assert messages[0] == (1, b"")  # the kubelet's "connected": an empty message on stdout
    assert _joined(messages, 1) == b"box\n"
    assert _status(messages) == {"metadata": {}, "status": "Success"}
    assert code == 1000
    proc = box_proc = fake_userland.STARTED[-1]
    assert (proc.tty, proc.stdin) == (False, False) and box_proc.pod == "box"


def test_exit_code_and_stderr_on_their_channels(box):
    conn = _connect(_url(box, "box", command=["sh", "-c", "err oops"], container="c", stdout=True, stderr=True))
    messages, _ = _drain(conn)
    assert _joined(messages, 2) == b"oops\n" and _joined(messages, 1) == b""
    status = _status(messages)
    assert status["reason"] == "NonZeroExitCode"
    assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "1"}]


def test_stderr_not_asked_for_is_dropped(box):
    messages, _ = _drain(_connect(_url(box, "box", command=["nosuch"], stdout=True)))
    assert _joined(messages, 2) == b""
    assert _status(messages)["details"]["causes"][0]["message"] == "127"


def test_container_defaults_to_the_only_one(box):
    messages, _ = _drain(_connect(_url(box, "box", command=["echo", "x"], stdout=True)))
    assert _joined(messages, 1) == b"x\n"


def test_large_output_is_split_into_messages(box):
    messages, _ = _drain(_connect(_url(box, "box", command=["big", "100000"], stdout=True)))
    chunks = [d for c, d in messages if c == 1 and d]
    assert sum(map(len, chunks)) == 100000 and max(map(len, chunks)) <= 32 * 1024 and len(chunks) == 4


def test_interactive_tty_stdin_resize_and_exit(box):
    conn = _connect(_url(box, "tty", command="sh", stdin=True, stdout=True, tty=True))
    conn.send_binary(b'\x04{"Width":100,"Height":30}')
    conn.send_binary(b"\x00echo hi\r")
    seen = b""
    deadline = time.monotonic() + DEADLINE
    while b"hi\r\n/ # " not in seen and time.monotonic() < deadline:
        _, data = conn.recv_data()
        if data[:1] == b"\x01":
            seen += data[1:]
    assert b"echo hi\r\nhi\r\n/ # " in seen
    conn.send_binary(b"\x00exit 0\r")
    messages, code = _drain(conn)
    assert _status(messages)["status"] == "Success" and code == 1000
    proc = fake_userland.STARTED[-1]
    assert proc.tty and proc.sizes == [(100, 30)]


def test_v5_close_signal_ends_stdin(box):
    conn = _connect(_url(box, "box", command="cat", stdin=True, stdout=True, stderr=True))
    conn.send_binary(b"\x00hello\n")
    conn.send_binary(b"\xff\x00")  # v5: stdin closed
    messages, _ = _drain(conn)
    assert _joined(messages, 1) == b"hello\n"
    assert _status(messages)["status"] == "Success"
    assert fake_userland.STARTED[-1].stdin_closed


def test_v4_and_no_protocol(box):
    conn = _connect(_url(box, "box", command=["sh", "-c", "exit 2"], stdout=True), protocol=V4)
    assert conn.subprotocol == V4
    assert _status(_drain(conn)[0])["details"]["causes"][0]["message"] == "2"
    # channel.k8s.io (no subprotocol header): the error channel carries the failure's text
    messages, _ = _drain(_connect(_url(box, "box", command=["sh", "-c", "exit 2"], stdout=True), protocol=None))
    assert _joined(messages, 3) == b"command terminated with non-zero exit code: error executing command [sh -c exit 2], exit code 2"


def test_base64_protocol(box):
    conn = _connect(_url(box, "box", command=["echo", "b64"], stdout=True), protocol="v4.base64.channel.k8s.io")
    texts = []
    while True:
        op, data = conn.recv_data(control_frame=True)
        if op == websocket.ABNF.OPCODE_CLOSE:
            break
        texts.append(data.decode())
    assert "1" in texts and "1YjY0Cg==" in texts  # "b64\n" on stdout


def test_client_going_away_closes_stdin(box):
    conn = _connect(_url(box, "tty", command="sh", stdin=True, stdout=True, tty=True))
    conn.recv_data()  # connected
    proc = fake_userland.STARTED[-1]
    conn.sock.close()
    assert proc.stdin_closed_event.wait(DEADLINE)
    assert proc.stdin_closed


@pytest.mark.parametrize(("path", "code", "message"), [
    ("nope/exec?command=ls&stdout=true", 404, 'pods "nope" not found'),
    ("box/exec?command=ls&container=zz&stdout=true", 400, "container zz is not valid for pod box"),
    ("two/exec?command=ls&stdout=true", 400, "a container name must be specified for pod two, choose one of: [a b]"),
    ("pending/exec?command=ls&stdout=true", 400, "pod pending does not have a host assigned"),
    ("box/exec?stdout=true", 400, "you must specify at least 1 command"),
    ("box/exec?command=ls", 400, "you must specify at least 1 of stdin, stdout, stderr"),
    ("box/exec?command=ls&stdout=true", 400, "Upgrade request required"),
    ("box/attach?stdout=true", 400, "Upgrade request required"),
])
def test_errors_before_the_upgrade_are_status_objects(box, path, code, message):
    got, body, _ = Client(box).call("GET", f"/api/v1/namespaces/default/pods/{path}")
    assert (got, body["kind"], body["status"], body["message"]) == (code, "Status", "Failure", message)
    assert fake_userland.STARTED == []


def _set_status(handle: ServeHandle, pod: str, fn) -> None:
    def change(p):
        fn(p["status"])
    with handle.cluster.lock:
        handle.cluster.store.mutate("Pod", "default", pod, change)


def _refusal(handle: ServeHandle, url: str) -> tuple[int, str]:
    with pytest.raises(websocket.WebSocketBadStatusException) as e:
        _connect(url)
    return e.value.status_code, json.loads(e.value.resp_body)["message"]


def _spdy_refusal(handle: ServeHandle, path: str) -> tuple[int, str]:
    """kubectl's retry after a refused WebSocket: POST with ``Upgrade: SPDY/3.1``."""
    import urllib.request
    req = urllib.request.Request(f"{handle.url}/api/v1/namespaces/default/pods/{path}", method="POST",
                                 headers={"Connection": "Upgrade", "Upgrade": "SPDY/3.1", "X-Stream-Protocol-Version": V5})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=DEADLINE)
    return e.value.code, json.loads(e.value.read())["message"]


def _spdy_refusal_text(handle: ServeHandle, path: str) -> tuple[int, str]:
    import urllib.request
    req = urllib.request.Request(f"{handle.url}/api/v1/namespaces/default/pods/{path}", method="POST",
                                 headers={"Connection": "Upgrade", "Upgrade": "SPDY/3.1", "X-Stream-Protocol-Version": V5})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=DEADLINE)
    assert e.value.headers["Content-Type"] == "text/plain; charset=utf-8"
    return e.value.code, e.value.read().decode()


def test_a_container_not_running_is_the_kubelets_refusal_as_the_apiserver_relays_it(box):
    def waiting(st):
        st["containerStatuses"][0]["state"] = {"waiting": {"reason": "CrashLoopBackOff"}}
    _set_status(box, "box", waiting)
    # the apiserver's stream translator upgrades a v5 client, then its SPDY request to the kubelet
    # fails: an InternalError Status on the error channel (kubectl: error: Internal error occurred: ...)
    for url in (_url(box, "box", command="ls", stdout=True), _url(box, "box", "attach", stdout=True)):
        conn = _connect(url)
        assert conn.subprotocol == V5
        messages, _ = _drain(conn)
        assert _status(messages) == {
            "metadata": {}, "status": "Failure", "reason": "InternalError", "code": 500,
            "message": 'Internal error occurred: unable to upgrade connection: container not found ("c")',
            "details": {"causes": [{"message": 'unable to upgrade connection: container not found ("c")'}]}}
    # SPDY and older WebSocket clients get the kubelet's own 500 in plain text, relayed
    # (kubectl: error: unable to upgrade connection: container not found ("c"))
    assert _spdy_refusal_text(box, "box/exec?command=ls&stdout=true") == (500, 'container not found ("c")')
    with pytest.raises(websocket.WebSocketBadStatusException) as e:
        _connect(_url(box, "box", command="ls", stdout=True), protocol=V4)
    assert (e.value.status_code, e.value.resp_body) == (500, b'container not found ("c")')
    _set_status(box, "box", lambda st: st.__setitem__("phase", "Succeeded"))
    assert _refusal(box, _url(box, "box", command="ls", stdout=True)) == (400, "cannot exec into a container in a completed pod; current phase is Succeeded")
    assert _refusal(box, _url(box, "box", "attach", stdout=True)) == (400, "cannot attach a container in a completed pod; current phase is Succeeded")
    assert fake_userland.STARTED == []


def test_a_refusal_of_the_userland_itself(box):
    # what only the userland knows (the fake refuses the command "refuse"): still a Status before the upgrade
    code, message = _refusal(box, _url(box, "box", command="refuse", stdout=True))
    assert (code, message) == (400, "refused by the userland")


def test_spdy_fallback_and_unknown_protocols_are_refused(box):
    code, message = _spdy_refusal(box, "box/exec?command=ls&stdout=true")
    assert code == 400 and "not SPDY/3.1" in message
    with pytest.raises(websocket.WebSocketBadStatusException) as e2:
        _connect(_url(box, "box", command="ls", stdout=True), protocol="v9.channel.k8s.io")
    assert e2.value.status_code == 400


def test_attach_to_an_interactive_container_runs_its_shell(box):
    conn = _connect(_url(box, "tty", "attach", container="c", stdin=True, stdout=True, tty=True))
    conn.send_binary(b"\x00exit 0\r")
    messages, _ = _drain(conn)
    assert _status(messages)["status"] == "Success"
    assert fake_userland.STARTED[-1].tty


def test_attach_reports_success_whatever_its_shell_exits_with(box):
    """The kubelet's attach ends with Success: the code is the container's (`kubectl run -it`
    reads it from the pod); a failure here made kubectl fall back to streaming logs."""
    conn = _connect(_url(box, "tty", "attach", container="c", stdin=True, stdout=True, tty=True))
    conn.send_binary(b"\x00exit 3\r")
    messages, _ = _drain(conn)
    assert _status(messages)["status"] == "Success"


@pytest.mark.parametrize("stdin", [False, True])
def test_attach_to_a_container_without_stdin_follows_its_output(fake, stdin):
    """With stdin too, when its script does not read it (`kubectl debug -i ... -- sh -c '...'`):
    its PID 1 runs the script, whose output is its log (the command does not run a second time)."""
    handle = ServeHandle(small_cluster(), speed=50).start()
    try:
        counter = _pod("counter", args=["/bin/sh", "-c", 'i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done'])
        counter["spec"]["containers"][0]["stdin"] = stdin
        _running(handle, counter)
        conn = _connect(_url(handle, "counter", "attach", stdout=True, stderr=True))
        got = b""
        deadline = time.monotonic() + DEADLINE
        while got.count(b"\n") < 3 and time.monotonic() < deadline:
            _, data = conn.recv_data()
            if data[:1] == b"\x01":
                got += data[1:]
        lines = got.decode().splitlines()
        assert len(lines) >= 3 and all(": " in ln for ln in lines)
        numbers = [int(ln.split(":")[0]) for ln in lines]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # no line twice, none skipped
        assert numbers[0] > 0  # from the moment of the attach, not the container's start
        conn.close()
        assert fake_userland.STARTED == []
    finally:
        handle.stop()


def test_a_read_only_server_refuses_exec_and_attach(fake):
    handle = ServeHandle(small_cluster(), speed=None, readonly=True).start()
    try:
        with pytest.raises(websocket.WebSocketBadStatusException) as e:
            _connect(_url(handle, "any", command="ls", stdout=True))
        assert e.value.status_code == 403
        assert json.loads(e.value.resp_body)["message"] == ('pods "any" is forbidden: User "k9py-sim" cannot create resource '
                                                            '"pods/exec" in API group "" in the namespace "default": k9py serve is read-only')
        got, body, _ = Client(handle).call("POST", "/api/v1/namespaces/default/pods/any/attach?stdout=true")
        assert got == 403 and "pods/attach" in body["message"]
        assert fake_userland.STARTED == []
    finally:
        handle.stop()


def test_a_userland_failure_ends_the_session_with_a_status(box, capsys):
    messages, code = _drain(_connect(_url(box, "box", command="explode", stdout=True)))
    assert _status(messages) == {"metadata": {}, "status": "Failure", "message": "k9py: exec failed: the shell fell over"}
    assert code == 1000
    assert "RuntimeError: the shell fell over" in capsys.readouterr().err
