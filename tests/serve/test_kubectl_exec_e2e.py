"""End to end: the real kubectl's ``exec`` (one-shot, ``-i``, ``-it`` over a pty) and ``attach``
against `k9py serve` (the demo cluster, the simulator's userland), and the official client's
``stream()``. No sleeps: every wait reads against a deadline."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import time

import pytest

from tests.serve.test_kubectl_e2e import COUNTER_LINE, KUBECTL, Server
from tests.sim.helpers import COUNTER_SCRIPT

pytestmark = pytest.mark.e2e

DEADLINE = 20.0

INTERACTIVE_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: box}
spec:
  containers:
  - {name: box, image: busybox, command: [sh], stdin: true, tty: true}
"""

UNSCHEDULABLE_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: stuck}
spec:
  nodeSelector: {no-such-label: "x"}
  containers:
  - {name: c, image: busybox, command: [sleep, "3600"]}
"""


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("exec"))
    s.until("counter running", lambda: s.json("get", "pod", "counter")["status"].get("phase") == "Running")
    yield s
    assert s.stop() == 0, "SIGTERM ends `k9py serve` cleanly, open exec sessions or not"


class Terminal:
    """kubectl on a pseudo-terminal (80x24), read with deadlines."""

    def __init__(self, srv: Server, *args: str) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.proc = subprocess.Popen([KUBECTL, "--kubeconfig", str(srv.kubeconfig), *args], env=srv.env(),
                                     stdin=slave, stdout=slave, stderr=slave, start_new_session=True, close_fds=True)
        os.close(slave)
        self.seen = b""

    def expect(self, text: bytes, timeout: float = DEADLINE) -> bytes:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {text!r}; the terminal shows {self.seen!r}")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # EIO: kubectl closed the terminal
                    chunk = b""
                if not chunk and self.proc.poll() is not None:
                    raise AssertionError(f"kubectl exited ({self.proc.returncode}) before {text!r}; the terminal shows {self.seen!r}")
                self.seen += chunk
        return self.seen

    def type(self, text: bytes) -> None:
        os.write(self.master, text)

    def wait(self, timeout: float = DEADLINE) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        with contextlib.suppress(OSError):
            os.close(self.master)


def test_exec_one_shot(srv):
    p = srv.kubectl("exec", "counter", "--", "cat", "/etc/hostname")
    assert p.stdout == "counter\n" and p.stderr == ""


def test_exec_exit_code(srv):
    p = srv.kubectl("exec", "counter", "--", "sh", "-c", "exit 3", check=False)
    assert p.returncode == 3
    assert p.stderr == "command terminated with exit code 3\n"


def test_exec_stdin_until_eof(srv):
    p = srv.kubectl("exec", "-i", "counter", "--", "cat", stdin="hello from stdin\n")
    assert p.stdout == "hello from stdin\n"


def test_exec_errors_as_against_a_real_cluster(srv, tmp_path):
    p = srv.kubectl("exec", "counter", "-c", "nope", "--", "ls", check=False)
    assert (p.returncode, p.stderr) == (1, "error: container nope is not valid for pod counter out of: count\n")
    p = srv.kubectl("exec", "no-such-pod", "--", "ls", check=False)
    assert (p.returncode, p.stderr) == (1, 'Error from server (NotFound): pods "no-such-pod" not found\n')
    f = tmp_path / "stuck.yaml"
    f.write_text(UNSCHEDULABLE_POD)
    srv.kubectl("apply", "-f", str(f))
    p = srv.kubectl("exec", "stuck", "--", "ls", check=False)
    assert (p.returncode, p.stderr) == (1, "error: unable to upgrade connection: pod stuck does not have a host assigned\n")
    srv.kubectl("delete", "pod", "stuck", "--wait=false")
    # busybox has no bash: on minikube's Docker runtime dockerd writes runc's error on the exec's
    # stdout and ends it with 126, which kubectl reports as such
    p = srv.kubectl("exec", "counter", "--", "bash", "-c", "echo x", check=False)
    assert (p.returncode, p.stderr) == (126, "command terminated with exit code 126\n")
    assert p.stdout == ('OCI runtime exec failed: exec failed: unable to start container process: '
                        'exec: "bash": executable file not found in $PATH: unknown\n')  # (\r\n: text mode)


BAD_IMAGE_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: typo}
spec:
  containers:
  - {name: web, image: "nginx:1.14.22"}
"""


def test_exec_into_a_container_not_running_is_the_kubelets_refusal_through_the_translator(srv, tmp_path):
    # a learner's exec into a pod stuck pulling (or crash-looping): the apiserver has upgraded
    # kubectl's WebSocket when the kubelet refuses, so a real cluster says it as an internal error
    f = tmp_path / "typo.yaml"
    f.write_text(BAD_IMAGE_POD)
    srv.kubectl("apply", "-f", str(f))
    srv.until("typo waiting",  # (no containerStatuses until its kubelet first syncs it: a loaded machine polls sooner)
              lambda: "waiting" in (srv.json("get", "pod", "typo")["status"].get("containerStatuses") or [{}])[0].get("state", {}))
    expected = 'error: Internal error occurred: unable to upgrade connection: container not found ("web")\n'
    p = srv.kubectl("exec", "typo", "--", "ls", check=False)
    assert (p.returncode, p.stderr) == (1, expected)
    p = srv.kubectl("exec", "-it", "typo", "--", "sh", check=False)
    assert (p.returncode, p.stderr) == (1, "Unable to use a TTY - input is not a terminal or the right kind of file\n" + expected)
    srv.kubectl("delete", "pod", "typo", "--wait=false")


def test_exec_interactive_shell_over_a_pty(srv):
    term = Terminal(srv, "exec", "-it", "counter", "--", "sh")
    try:
        term.expect(b"# ")
        term.type(b"echo hi\r")
        term.expect(b"hi\r\n")
        term.type(b"exit\r")
        assert term.wait() == 0
    finally:
        term.close()


def test_attach_follows_a_containers_output(srv):
    proc = srv.popen("attach", "counter")
    try:
        lines: list[str] = []
        deadline = time.monotonic() + DEADLINE
        assert proc.stdout is not None
        while len(lines) < 2 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
        assert len(lines) == 2 and all(COUNTER_LINE.match(ln) for ln in lines), lines
        a, b = (int(ln.split(":")[0]) for ln in lines)
        assert b == a + 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_attach_to_an_interactive_container(srv, tmp_path):
    f = tmp_path / "box.yaml"
    f.write_text(INTERACTIVE_POD)
    srv.kubectl("apply", "-f", str(f))
    srv.kubectl("wait", "--for=condition=Ready", "pod/box", "--timeout=30s", timeout=35)
    term = Terminal(srv, "attach", "-it", "box")
    try:
        term.expect(b"If you don't see a command prompt, try pressing enter.")
        term.type(b"echo attached\r")
        term.expect(b"attached\r\n")
        term.type(b"exit\r")
        assert term.wait() == 0
    finally:
        term.close()
        srv.kubectl("delete", "pod", "box", "--wait=false")


def test_python_client_stream(srv):
    from kubernetes import client as k8s
    from kubernetes import config
    from kubernetes.stream import stream

    api = config.new_client_from_config(str(srv.kubeconfig), persist_config=False)
    try:
        core = k8s.CoreV1Api(api)
        out = stream(core.connect_get_namespaced_pod_exec, "counter", "default", command=["cat", "/etc/hostname"],
                     stderr=True, stdin=False, stdout=True, tty=False)
        assert out == "counter\n"
        resp = stream(core.connect_get_namespaced_pod_exec, "counter", "default", command=["sh", "-c", "exit 3"],
                      stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
        resp.run_forever(timeout=DEADLINE)
        assert resp.returncode == 3
    finally:
        api.close()


def test_cp_both_ways(srv, tmp_path):
    """``kubectl cp`` is tar over exec (the userland's tar; nothing cp-specific in the server)."""
    src = tmp_path / "note.txt"
    src.write_text("copied in\n")
    srv.kubectl("cp", str(src), "counter:/tmp/note.txt")
    assert srv.kubectl("exec", "counter", "--", "cat", "/tmp/note.txt").stdout == "copied in\n"
    back = tmp_path / "back.txt"
    srv.kubectl("cp", "counter:/tmp/note.txt", str(back))
    assert back.read_text() == "copied in\n"


def test_run_it_rm_ends_with_the_shell_and_deletes_the_pod(srv):
    """`kubectl run -it --rm` (the tutorials' throwaway pod): exit in the attached shell ends its
    container, the pod completes and kubectl deletes it."""
    term = Terminal(srv, "run", "tmp-shell", "-it", "--rm", "--restart=Never", "--image=busybox", "--", "sh")
    try:
        term.expect(b"# ")
        term.type(b"echo in-run\r")
        term.expect(b"in-run\r\n")
        term.type(b"exit\r")
        term.expect(b'pod "tmp-shell" deleted')
        assert term.wait() == 0
    finally:
        term.close()
    p = srv.kubectl("get", "pod", "tmp-shell", check=False)
    assert p.returncode == 1 and "NotFound" in p.stderr


def test_run_it_rm_shell_exiting_non_zero_ends_with_its_code_not_a_log_fallback(srv):
    """`exit 3` in `kubectl run -it --rm`: the attach ends normally (the kubelet reports Success),
    kubectl deletes the pod and says it terminated (Error), exiting 3; no "couldn't attach"
    fallback that printed the container's log."""
    term = Terminal(srv, "run", "tmp-fail", "-it", "--rm", "--restart=Never", "--image=busybox", "--", "sh")
    try:
        term.expect(b"# ")
        term.type(b"exit 3\r")
        seen = term.expect(b"pod default/tmp-fail terminated (Error)")
        assert term.wait() == 3
    finally:
        term.close()
    assert b"couldn't attach" not in seen and b'pod "tmp-fail" deleted' in seen, seen


def test_walkthrough_exec_into_nginx_then_fetch_it_through_its_service(srv):
    """The seed tutorial inside the containers: `kubectl exec` into an nginx pod and read its page,
    then from another pod reach nginx through the Service by name and find the request in a log."""
    pods = srv.kubectl("get", "pods", "-l", "app=nginx", "--field-selector=status.phase=Running",
                       "-o", "jsonpath={.items[*].metadata.name}").stdout.split()
    assert pods
    page = srv.kubectl("exec", pods[0], "--", "cat", "/usr/share/nginx/html/index.html").stdout
    assert "<title>Welcome to nginx!</title>" in page
    assert srv.kubectl("exec", "counter", "--", "wget", "-qO-", "my-nginx").stdout == page  # busybox: no curl
    logs = [ln for p in pods for ln in srv.kubectl("logs", p).stdout.splitlines() if '"GET / HTTP/1.1" 200' in ln]
    assert any('"Wget"' in ln for ln in logs), logs[-3:]


def test_sleep_in_an_interactive_shell_takes_the_clusters_time_and_ctrl_c_ends_it(srv):
    """`sleep N` blocks the exec'd shell until the served cluster's clock (real time × speed) has
    moved N seconds: `date` on either side of it is N seconds apart; ctrl-c interrupts a sleep."""
    term = Terminal(srv, "exec", "-it", "counter", "--", "sh")
    try:
        term.expect(b"# ")
        term.type(b"date +%s; sleep 20; date +%s; echo slept-$((1+1))\r")
        seen = term.expect(b"slept-2\r\n")
        first, second = (int(x) for x in re.findall(rb"^(\d{9,})\r$", seen, re.M)[-2:])
        # at least the 20 s slept; woken at the first look after the deadline (the clock runs at 20x:
        # a loaded machine's late look shows as a few seconds more)
        assert 20 <= second - first < 60, seen
        term.type(b"sleep 100000; echo never\r")
        term.expect(b"sleep 100000; echo never\r\n")
        term.type(b"\x03")
        term.type(b"echo status=$?\r")
        assert b"\r\nnever\r\n" not in term.expect(b"status=130\r\n")
        term.type(b"exit\r")
        assert term.wait() == 0
    finally:
        term.close()


def test_run_it_busybox_without_a_command_is_its_interactive_shell(srv):
    """`kubectl run -it b --image=busybox`: busybox's default command `sh` with stdin and a tty
    stays Running, attached; `kubectl run q --image=busybox` (no stdin) exits 0 at once and
    crash-loops (Completed), as on a real cluster."""
    term = Terminal(srv, "run", "b", "-it", "--image=busybox")
    try:
        term.expect(b"# ")
        term.type(b"echo $HOSTNAME\r")
        term.expect(b"b\r\n")
        pod = srv.json("get", "pod", "b")
        assert pod["spec"]["containers"][0].get("command") is None and pod["spec"]["containers"][0]["tty"] is True
        assert pod["status"]["phase"] == "Running" and "running" in pod["status"]["containerStatuses"][0]["state"]
        assert pod["status"]["containerStatuses"][0]["restartCount"] == 0
        term.type(b"exit\r")
        term.expect(b"Session ended, resume using 'kubectl attach b -c b -n default -i -t' command")
        assert term.wait() == 0
    finally:
        term.close()
        srv.kubectl("delete", "pod", "b", "--wait=false")
    srv.kubectl("run", "q", "--image=busybox")
    try:
        def looping() -> dict | None:
            st = (srv.json("get", "pod", "q")["status"].get("containerStatuses") or [{}])[0]
            return st if (st.get("state", {}).get("waiting") or {}).get("reason") == "CrashLoopBackOff" else None
        st = srv.until("q in CrashLoopBackOff", looping)
        assert st["lastState"]["terminated"]["exitCode"] == 0 and st["lastState"]["terminated"]["reason"] == "Completed"
    finally:
        srv.kubectl("delete", "pod", "q", "--wait=false")


def test_exec_ls_recursive_lists_every_directory_under_a_header(srv):
    p = srv.kubectl("exec", "counter", "--", "sh", "-c", "mkdir -p /tmp/a/b && touch /tmp/a/f /tmp/a/b/g && ls -R /tmp/a")
    assert p.stdout == "/tmp/a:\nb\nf\n\n/tmp/a/b:\ng\n"
    p = srv.kubectl("exec", "counter", "--", "sh", "-c", "cd /tmp && ls -R a")
    assert p.stdout == "a:\nb\nf\n\na/b:\ng\n"
    whole = srv.kubectl("exec", "counter", "--", "ls", "-R", "/").stdout
    assert whole.startswith("/:\nbin\n")
    assert "\n\n/etc:\n" in whole and "\n\n/bin:\n" in whole


def test_exec_not_found_in_each_shell_s_words(srv):
    """busybox's ash, Debian's dash (with the line number) and bash each say it their way."""
    p = srv.kubectl("exec", "counter", "--", "sh", "-c", "curl localhost", check=False)
    assert (p.returncode, p.stderr) == (127, "sh: curl: not found\ncommand terminated with exit code 127\n")
    p = srv.kubectl("exec", "deploy/nginx-deployment", "--", "sh", "-c", "curl localhost", check=False)
    assert p.stderr == "sh: 1: curl: not found\ncommand terminated with exit code 127\n"
    p = srv.kubectl("exec", "-i", "deploy/nginx-deployment", "--", "bash", stdin="true\nfoo\n", check=False)
    assert p.stderr == "bash: line 2: foo: command not found\ncommand terminated with exit code 127\n"


def test_cp_from_an_absolute_path_shows_tars_warning(srv, tmp_path):
    """`kubectl cp POD:/abs/path .` runs `tar cf - /abs/path`, whose stderr kubectl prints on its
    stdout: GNU tar (Debian's nginx) and busybox's each warn of the leading '/' their way.

    kubectl cp stops reading once the archive's end-of-archive blocks arrive, racing the goroutine
    that copies tar's stderr (sent first) to its stdout, so the warning is read from `kubectl exec`,
    which waits for every stream; cp's own stdout is only checked where tar fails (kubectl then
    waits for the exec to end)."""
    nginx = _nginx_pod(srv)
    srv.kubectl("cp", f"{nginx}:/etc/nginx/nginx.conf", str(tmp_path / "nginx.conf"))
    assert (tmp_path / "nginx.conf").read_text().startswith("\nuser  nginx;")
    srv.kubectl("cp", "counter:/etc/hostname", str(tmp_path / "h"))
    assert (tmp_path / "h").read_text() == "counter\n"
    p = srv.kubectl("exec", nginx, "--", "tar", "cf", "-", "/etc/nginx/nginx.conf")
    assert p.stderr == "tar: Removing leading `/' from member names\n"
    p = srv.kubectl("exec", "counter", "--", "tar", "cf", "-", "/etc/hostname")
    assert p.stderr == "tar: removing leading '/' from member names\n"
    assert srv.kubectl("exec", "counter", "--", "tar", "cf", "-", "etc/hostname").stderr == ""  # relative: no warning
    assert srv.kubectl("cp", "counter:etc/hostname", str(tmp_path / "h2")).stdout == ""
    p = srv.kubectl("cp", f"{nginx}:/nope", str(tmp_path / "x"), check=False)
    assert p.returncode == 2
    assert p.stdout == ("tar: Removing leading `/' from member names\ntar: /nope: Cannot stat: No such file or directory\n"
                        "tar: Exiting with failure status due to previous errors\n")


def _nginx_pod(srv) -> str:
    return srv.json("get", "pods", "-l", "app=nginx")["items"][0]["metadata"]["name"]


def test_exec_ls_long_in_a_debian_image_is_gnu_ls(srv):
    """`ls -l` in Debian's nginx is GNU coreutils' (columns as wide as their values, `total` in 1K
    blocks); busybox's keeps its fixed widths."""
    out = srv.kubectl("exec", _nginx_pod(srv), "--", "ls", "-l", "/usr/share/nginx/html").stdout
    lines = out.splitlines()
    assert lines[0] == "total 8"
    # (the image's build time, Dec  4  2018 for nginx:1.14.2: over six months old, GNU ls shows the year)
    assert lines[1] == "-rw-r--r-- 1 root root 537 Dec  4  2018 50x.html"  # (1.18 and before: 537 bytes)
    assert lines[2] == "-rw-r--r-- 1 root root 612 Dec  4  2018 index.html"
    out = srv.kubectl("exec", "counter", "--", "ls", "-l", "/etc/hostname").stdout
    assert re.fullmatch(r"-rw-r--r--    1 root     root             8 \w{3} [ \d]\d \d\d:\d\d /etc/hostname\n", out)


def test_nginx_has_no_ps(srv):
    """The official nginx image (FROM debian:*-slim) has no procps: `ps` fails as on a real cluster."""
    p = srv.kubectl("exec", _nginx_pod(srv), "--", "ps", "aux", check=False)
    assert p.returncode == 126
    assert p.stdout.endswith('exec: "ps": executable file not found in $PATH: unknown\n')  # (\r\n: text mode)
    p = srv.kubectl("exec", _nginx_pod(srv), "--", "sh", "-c", "ps aux", check=False)
    assert p.stderr == "sh: 1: ps: not found\ncommand terminated with exit code 127\n"
    assert srv.kubectl("exec", "counter", "--", "ps").stdout.startswith("PID   USER     TIME  COMMAND\n")


def test_exec_reads_proc(srv):
    """/proc as in a container: its processes (PID 1's cmdline, /proc/self), and the node's CPUs
    and memory in cpuinfo and meminfo."""
    listed = srv.kubectl("exec", "counter", "--", "ls", "/proc").stdout.split()
    assert "1" in listed and {"cpuinfo", "meminfo", "self", "uptime", "version"} <= set(listed)
    cmdline = srv.kubectl("exec", "counter", "--", "cat", "/proc/1/cmdline").stdout
    assert cmdline.split("\0") == ["/bin/sh", "-c", COUNTER_SCRIPT, ""]
    node = srv.json("get", "node", srv.json("get", "pod", "counter")["spec"]["nodeName"])
    cpus = srv.kubectl("exec", "counter", "--", "grep", "-c", "processor", "/proc/cpuinfo").stdout
    assert cpus == f"{node['status']['capacity']['cpu']}\n"
    assert srv.kubectl("exec", "counter", "--", "head", "-1", "/proc/meminfo").stdout.startswith("MemTotal:")
    status = srv.kubectl("exec", "counter", "--", "cat", "/proc/self/status").stdout
    assert "\nPPid:\t0\n" in status
