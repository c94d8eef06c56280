"""The real `k9py` in a real terminal (tmux, 80×24), typed at as a person types: `s` into a pod's
shell and back, `a` to an interactive container, `shift-f` then a request through the forward and
`:pf` counting it; on the simulator in-process and on `k9py serve` as a live cluster (where `s`,
`a` and `shift-f` run the real kubectl). Every wait reads the screen against a deadline."""

from __future__ import annotations

import contextlib
import os
import re
import select
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.serve.test_kubectl_e2e import KUBECTL, Server
from tests.serve.test_kubectl_exec_e2e import INTERACTIVE_POD

pytestmark = pytest.mark.e2e

if shutil.which("tmux") is None:  # pragma: no cover - the machines these run on have tmux
    pytest.skip("tmux is not installed: the terminal tests need it", allow_module_level=True)

DEADLINE = 30.0
PROMPT = re.compile(r"^╭─ [:/] ", re.M)  # the prompt's box, open
IDLE = 1.0  # seconds without output after which the screen is read anyway (tmux redraws lazily)


class Terminal:
    """One tmux server of its own (a private socket) running one command at a fixed size. What
    the program writes is piped to a FIFO too: a wait reads the screen again when output came."""

    def __init__(self, tmp: Path, command: list[str], env: dict[str, str], size: tuple[int, int] = (80, 24)) -> None:
        self.socket = str(tmp / "tmux.sock")
        fifo = tmp / "tmux.out"
        os.mkfifo(fifo)
        self.out = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        self._writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # ours: no EOF between tmux's writes
        line = " ".join(shlex.quote(a) for a in ["env", *(f"{k}={v}" for k, v in env.items()), *command])
        self.tmux("new-session", "-d", "-x", str(size[0]), "-y", str(size[1]), line)
        self.tmux("set-option", "remain-on-exit", "on")  # a program that ends leaves its last screen to read
        self.tmux("pipe-pane", "-O", f"cat > {shlex.quote(str(fifo))}")

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-S", self.socket, *args], check=True, capture_output=True, text=True,
                              timeout=10).stdout

    def keys(self, *keys: str) -> None:
        """``send-keys``: each argument is a key name (Enter, Escape, C-d) or text sent in one burst."""
        self.tmux("send-keys", *keys)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p")

    def until(self, what: str, pred: Callable[[str], object]) -> str:
        """The screen once ``pred`` holds for it (read again whenever the program writes)."""
        end = time.monotonic() + DEADLINE
        bottoms: list[str] = []  # the last lines seen meanwhile (the flash: gone by the deadline)
        while True:
            text = self.screen()
            if pred(text):
                return text
            bottom = (text.rstrip().splitlines() or [""])[-1].strip()
            if bottom and bottom not in bottoms:
                bottoms.append(bottom)
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError(f"never saw {what}; the last lines seen: {bottoms}; the screen:\n{text}")
            ready, _, _ = select.select([self.out], [], [], min(left, IDLE))
            if ready:
                with contextlib.suppress(BlockingIOError):
                    os.read(self.out, 1 << 16)

    def sees(self, text: str) -> str:
        return self.until(repr(text), lambda s: text in s)

    def close(self) -> None:
        subprocess.run(["tmux", "-S", self.socket, "kill-server"], capture_output=True, timeout=10)
        os.close(self.out)
        os.close(self._writer)


def k9py_env(tmp: Path) -> dict[str, str]:
    return {"K9PY_CONFIG_DIR": str(tmp / "cfg"), "PATH": f"{Path(KUBECTL).parent}:{os.environ.get('PATH', '')}",
            "TERM": "xterm-256color", "HOME": str(tmp)}


@pytest.fixture
def term(tmp_path):
    made: list[Terminal] = []

    def start(*args: str) -> Terminal:
        t = Terminal(tmp_path, [sys.executable, "-m", "k9py", *args], k9py_env(tmp_path))
        made.append(t)
        t.until("the pods view", lambda s: re.search(r"pods\(default\)\[\d+\]", s))
        return t
    yield start
    for t in made:
        t.close()


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=DEADLINE) as r:
        return r.status, r.read()


def to_row(t: Terminal, name: str) -> str:
    """Filter the pods view down to ``name`` (typed in one burst, as people type): the first
    row's pod, where the cursor is. The filter applies as it is typed, so the title says so
    while the prompt is still open, and the prompt's own line reads ``│ name`` too: the row is
    a table row (its READY cell) once the prompt has gone (the enter was taken)."""
    t.keys(f"/{name}", "Enter")
    row = re.compile(rf"^│ ({re.escape(name)}\S*)\s+(?:[●Ⓕ]\s+)?\d+/\d+\s", re.M)
    screen = t.until(f"only {name}", lambda s: re.search(rf"pods\(default\)\[\d+\] </{re.escape(name)}>", s)
                     and not PROMPT.search(s) and row.search(s))
    m = row.search(screen)
    assert m is not None
    return m.group(1)


def shell_round_trip(t: Terminal, pod: str, command: str, answer: str) -> None:
    t.keys("s")
    t.until("a shell prompt", lambda s: re.search(r"[#$]$", s.rstrip()))  # tmux drops trailing blanks
    t.keys(command, "Enter")
    t.sees(answer)
    t.keys("exit", "Enter")
    t.sees(f"shell default/{pod}")
    t.sees("pods(default)")


def forward(t: Terminal) -> str:
    """`shift-f`, any free local port, enter: the URL the flash gives."""
    t.keys("F")
    t.sees("<PortForward>")
    t.keys("Tab", "C-u", "0", "Enter")
    screen = t.until("the forward's flash", lambda s: re.search(r"Forwarding (http://localhost:\d+)", s))
    m = re.search(r"Forwarding (http://localhost:\d+)", screen)
    assert m is not None
    return m.group(1)


def pf_counts_one_connection(t: Terminal, url: str) -> None:
    t.keys(":pf", "Enter")
    t.sees("portforwards[1]")
    port = url.rsplit(":", 1)[1]
    t.until("one connection counted", lambda s: re.search(rf"{port}:80\s+{re.escape(url)}\s+1\s", s))
    t.keys("C-d")
    t.sees("<Delete>")
    t.keys("y")
    t.sees("portforwards[0]")
    t.keys("Escape")


# -- the simulator ------------------------------------------------------------------------------------
def test_simulator_shell_and_port_forward_in_a_terminal(term):
    t = term()
    to_row(t, "counter")
    t.keys("C-d")
    t.sees("<Delete>")
    t.keys("Escape", ":pf", "Enter")  # one burst: the esc closes the dialog, nothing is deleted
    t.sees("portforwards[0]")
    t.keys("Escape")
    t.until("counter still there", lambda s: "<Delete>" not in s and re.search(r"^│ counter ", s, re.M))
    shell_round_trip(t, "counter", "cat /etc/hostname", "\ncounter")
    t.keys("Escape")
    to_row(t, "nginx-deployment")
    url = forward(t)
    t.sees("Ⓕ")
    status, body = get(url + "/")
    assert status == 200 and b"Welcome to nginx!" in body
    pf_counts_one_connection(t, url)
    t.until("the PF column back to ●", lambda s: "Ⓕ" not in s)


# -- a live cluster: `k9py serve`, reached through kubectl ---------------------------------------------------
@pytest.fixture
def served(tmp_path):
    srv = Server(tmp_path)
    (tmp_path / "box.yaml").write_text(INTERACTIVE_POD)
    srv.kubectl("apply", "-f", str(tmp_path / "box.yaml"))
    srv.kubectl("wait", "--for=condition=Ready", "pod/box", "--timeout=30s", timeout=35)
    yield srv
    srv.stop()


def test_live_shell_attach_and_port_forward_through_kubectl(term, served):
    t = term("--kubeconfig", str(served.kubeconfig))
    t.sees("live (connected)")
    pod = to_row(t, "nginx-deployment")
    shell_round_trip(t, pod, "head -4 /usr/share/nginx/html/index.html", "<title>Welcome to nginx!</title>")
    url = forward(t)
    assert get(url + "/")[0] == 200
    assert "Python-urllib" in served.kubectl("logs", pod).stdout  # it reached the pod through kubectl port-forward
    pf_counts_one_connection(t, url)

    t.keys("Escape")
    to_row(t, "box")
    t.keys("a")
    t.sees("If you don't see a command prompt, try pressing enter.")
    t.keys("echo attached-$((6*7))", "Enter")
    t.sees("attached-42")
    t.keys("exit", "Enter")
    t.sees("attach default/box (box) ended")
    served.until("box restarted", lambda: served.json("get", "pod", "box")["status"]["containerStatuses"][0]
                 .get("restartCount", 0) >= 1)
