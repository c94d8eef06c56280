"""`logs -f` follows one container instance, as the kubelet does: it ends when that container
stops, never runs on into the next restart, and on a container that is not running (a
CrashLoopBackOff between restarts, a completed one) returns what there is at once."""

from __future__ import annotations

import socket
import threading
import time

from tests.sim.helpers import COUNTER_SCRIPT

LOG = "/api/v1/namespaces/default/pods/crashy/log"


def _crashy(client, served):
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "crashy", "annotations": {"k9py.sim/crash-after": "8"}},
           "spec": {"containers": [{"name": "count", "image": "busybox:1.28", "args": ["/bin/sh", "-c", COUNTER_SCRIPT]}]}}
    assert client.call("POST", "/api/v1/namespaces/default/pods", pod)[0] == 201
    served.advance(4)
    st = client.call("GET", "/api/v1/namespaces/default/pods/crashy")[1]["status"]["containerStatuses"][0]
    assert "running" in st["state"]


def test_follow_ends_when_the_followed_container_exits(client, served):
    _crashy(client, served)
    resp = client.open_stream(LOG + "?follow=true")
    first = resp.readline().decode()
    assert first.startswith("0: ")
    served.advance(28)  # exits after 8 s, restarts at once (the next relist), exits again, back-off 10 s, runs again
    rest = resp.read().decode().splitlines()  # EOF: the stream ended by itself
    numbers = [int(first.split(":")[0])] + [int(ln.split(":")[0]) for ln in rest]
    assert numbers == list(range(len(numbers))), "one instance's lines, not the restarted one's"
    st = client.call("GET", "/api/v1/namespaces/default/pods/crashy")[1]["status"]["containerStatuses"][0]
    assert st["restartCount"] == 2 and "running" in st["state"]


def test_follow_on_a_container_in_back_off_returns_its_last_run(client, served):
    _crashy(client, served)
    served.advance(18)  # exited twice (the first restart is immediate): waiting in CrashLoopBackOff
    st = client.call("GET", "/api/v1/namespaces/default/pods/crashy")[1]["status"]["containerStatuses"][0]
    assert st["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    resp = client.open_stream(LOG + "?follow=true")
    text = resp.read().decode()  # returns at once, no clock move needed
    assert text.splitlines()[0].startswith("0: ") and len(text.splitlines()) >= 7


def _streaming_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if "process_request_thread" in t.name}


QUIET = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "quiet", "namespace": "default"},
         "spec": {"containers": [{"name": "q", "image": "busybox:1.28", "command": ["sleep", "3600"]}]}}


def _follow_quietly(served, wrap=lambda s: s):
    """A client following the quiet pod's log on its own connection (``wrap``: TLS): the socket,
    and the server's thread streaming it (others, earlier requests', may come and go meanwhile)."""
    with served.cluster.lock:
        served.cluster.create(QUIET)
    served.advance(4)
    before = _streaming_threads()
    s = wrap(socket.create_connection((served.host, served.port), timeout=20))
    s.sendall(b"GET /api/v1/namespaces/default/pods/quiet/log?follow=true HTTP/1.1\r\nHost: x\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    [mine] = _streaming_threads() - before
    assert head.startswith(b"HTTP/1.1 200") and mine.is_alive()
    return s, mine


def _ends(served, thread) -> bool:
    deadline = time.monotonic() + 20  # a generous deadline, not a measurement (ends within ~0.5 s)
    while thread.is_alive() and time.monotonic() < deadline:
        served.api.wait_change(0.1)
    return not thread.is_alive()


def test_a_quiet_follow_whose_client_left_ends(served):
    """kubectl logs -f on a container that prints nothing, interrupted: the stream sees the closed
    connection while it waits and ends, instead of holding its thread until the container writes."""
    s, mine = _follow_quietly(served)
    s.close()
    assert _ends(served, mine)


def test_a_quiet_follow_whose_tls_client_left_politely_ends(tmp_path):
    """Under --tls a client leaving sends close_notify before closing (Go's TLS does): the bytes it
    leaves waiting are its goodbye, not a next request; the stream ends as on a plain socket."""
    import ssl

    from k9py.serve.server import ServeHandle
    from k9py.serve.tls import self_signed
    from tests.serve.conftest import small_cluster
    cert = self_signed(directory=str(tmp_path))
    served = ServeHandle(small_cluster(), speed=None, ssl_context=cert.context()).start()
    try:
        ctx = ssl.create_default_context()
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        s, mine = _follow_quietly(served, ctx.wrap_socket)
        s.settimeout(2)
        try:  # close_notify (unwrap then waits for the server's, which closes instead), then close
            s.unwrap().close()
        except (ssl.SSLError, OSError):
            s.close()
        assert _ends(served, mine)
    finally:
        served.stop()
