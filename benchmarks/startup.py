"""Starting the explorer as a user meets it, and how quiet it is once open.

The real ``.venv/bin/k9py`` (no arguments: the demo cluster) is spawned on a pseudo-terminal
(160×45, TERM=xterm-256color, an empty K9PY_CONFIG_DIR) and its output read as a terminal would:

- startup_first_frame_ms: spawn → the first frame (the alternate screen switched on and the
  header's ``Context:`` painted).
- startup_rows_ms: spawn → a demo pod's name (``nginx-deployment-``) painted in the table.
- idle_cpu_pct: % of one core the k9py process used (utime+stime from /proc/PID/stat) over a
  window after the rows appeared, nobody typing (10 s; 2 s with --quick).
- escape_key_ms: then `d` (describe the pod under the cursor) and `esc` back, ten times: the
  median ms from writing the ESC to the pod list's title painted again. A lone ESC may begin a
  key's escape sequence: it is the escape key once nothing followed for a while (tcell, which
  k9s reads keys with, waits 50 ms; Textual 100 ms, and its input loop looked every 100 ms).
- startup_scenario_10k_first_frame_ms: ``k9py --scenario FILE`` over what ``k9py scenario
  generate --pods 10000 --nodes 500 --churn 20`` writes (a timeline of 6,000 steps; written
  before the clock starts): spawn → the first frame. Its cluster builds behind that frame; the
  file is parsed before it (a broken file ends the command with FILE:LINE and exit code 2).
- startup_scenario_10k_rows_ms: spawn → one of its pods painted in the table (the build done).
  Not with --quick (a build of seconds).

Then ``:q`` and a clean exit. The median of several starts (one with --quick). A user's
install has its bytecode compiled (the child writes and reads it under a private
PYTHONPYCACHEPREFIX, never in the tree) and a current demo snapshot: both made before the first
timed start (checked again before each).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

from benchmarks.common import ROOT, SEED, SIZE, Figure, compile_like_install, installed_env

FIGURES: dict[str, Figure] = {
    "startup_first_frame_ms": ("ms", 500, True),
    "startup_rows_ms": ("ms", 1000, True),
    "idle_cpu_pct": ("%", 3, True),
    "escape_key_ms": ("ms", None, True),
    "startup_scenario_10k_first_frame_ms": ("ms", None, True),
    "startup_scenario_10k_rows_ms": ("ms", None, True),
}

ALT_SCREEN = b"\x1b[?1049h"
HEADER = b"Context:"
POD = b"nginx-deployment-"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def child_env(config_dir: str) -> dict[str, str]:
    env = {**installed_env(), "TERM": "xterm-256color", "K9PY_CONFIG_DIR": config_dir,
           "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1])}
    env.pop("TEXTUAL", None)
    return env


def install_like() -> None:
    """What an installed release has: k9py's bytecode compiled (only what changed is compiled
    again) and a current demo snapshot (tests/scenario/test_snapshot.py regenerates it too; a
    stale one is never used: the demo is then built behind the first frame)."""
    compile_like_install()
    subprocess.run([sys.executable, "-m", "k9py.scenario.snapshot"], env=child_env(tempfile.gettempdir()), cwd=ROOT,
                   stdout=subprocess.DEVNULL, check=False)


def k9py_command() -> list[str]:
    exe = ROOT / ".venv" / "bin" / "k9py"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "k9py"]


def cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` (all its threads) in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class Terminal:
    """``k9py`` on a pseudo-terminal of ``SIZE``; ``seen`` is everything it wrote so far."""

    def __init__(self, config_dir: str, args: tuple[str, ...] = ()) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        env = child_env(config_dir)
        self.start = time.perf_counter()
        self.proc = subprocess.Popen([*k9py_command(), *args], stdin=slave, stdout=slave, stderr=slave, env=env,
                                     cwd=config_dir, start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.seen = b""

    def read(self, timeout: float) -> bool:
        """Read what is there within ``timeout`` s; False once the terminal closed."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.master, 65536)
        except OSError:
            return False
        self.seen += chunk
        return bool(chunk)

    def wait_for(self, cond: bytes, after: int = 0, timeout: float = 60.0) -> float:
        """ms from spawn until ``cond`` appears in the output (at or after offset ``after``)."""
        end = time.perf_counter() + timeout
        while self.seen.find(cond, after) < 0:
            if time.perf_counter() > end or not self.read(0.05):
                raise TimeoutError(f"k9py never painted {cond!r}: {self.seen[-400:]!r}")
        return (time.perf_counter() - self.start) * 1000

    def drain(self, seconds: float) -> None:
        """Keep reading (a terminal always does) for ``seconds``."""
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            if not self.read(min(0.1, max(0.0, end - time.perf_counter()))):
                return

    def quit(self) -> int:
        os.write(self.master, b":q\r")
        end = time.perf_counter() + 15
        while self.proc.poll() is None and time.perf_counter() < end:
            self.read(0.05)
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(5)
        os.close(self.master)
        return self.proc.returncode


def escape_ms(term: Terminal, times: int) -> float:
    """Median ms from an ESC written (leaving a describe view) to the pods' title painted."""
    took = []
    for _ in range(times):
        at = len(term.seen)
        os.write(term.master, b"d")
        term.wait_for(b"Priority", at)
        term.drain(0.2)
        at = len(term.seen)
        t0 = time.perf_counter()
        os.write(term.master, b"\x1b")
        term.wait_for(b"pods(", at)
        took.append((time.perf_counter() - t0) * 1000)
        term.drain(0.2)
    return statistics.median(took)


def one_start(idle_s: float) -> tuple[float, float, float, float]:
    install_like()  # again before each start: the tree may have changed meanwhile
    with tempfile.TemporaryDirectory(prefix="k9py-bench-") as config_dir:
        term = Terminal(config_dir)
        try:
            alt = term.wait_for(ALT_SCREEN)
            first_frame = max(alt, term.wait_for(HEADER, term.seen.find(ALT_SCREEN)))
            rows = term.wait_for(POD)
            term.drain(1.0)  # the first metrics poll and the last of the start's work settle
            before, t0 = cpu_seconds(term.proc.pid), time.perf_counter()
            term.drain(idle_s)
            idle = (cpu_seconds(term.proc.pid) - before) / (time.perf_counter() - t0) * 100
            escape = escape_ms(term, 10)
        finally:
            code = term.quit()
        if code != 0:
            raise RuntimeError(f"k9py exited {code}: {term.seen[-400:]!r}")
    return first_frame, rows, idle, escape


def scenario_start(path: str, row: bytes) -> tuple[float, float]:
    """``k9py --scenario path``: ms to the first frame and to ``row`` painted."""
    with tempfile.TemporaryDirectory(prefix="k9py-bench-") as config_dir:
        term = Terminal(config_dir, ("--scenario", path))
        try:
            alt = term.wait_for(ALT_SCREEN)
            first_frame = max(alt, term.wait_for(HEADER, term.seen.find(ALT_SCREEN)))
            rows = term.wait_for(row, timeout=300.0)
        finally:
            code = term.quit()
        if code != 0:
            raise RuntimeError(f"k9py exited {code}: {term.seen[-400:]!r}")
    return first_frame, rows


def first_pod_prefix(path: str) -> bytes:
    """What the first pod row of the start view begins with: the alphabetically first workload
    of the namespace the file's cluster is busiest in (where the explorer opens)."""
    from k9py.backends.demo import home_namespace_of
    from k9py.scenario import files

    sf = files.parse_file(path)
    home = home_namespace_of(sf)
    names = [m.obj["metadata"]["name"] for m in sf.manifests
             if m.obj.get("kind") in ("Deployment", "StatefulSet", "DaemonSet")
             and m.obj["metadata"].get("namespace") == home]
    return f"{min(names)}-".encode()


def measure(quick: bool) -> dict[str, float]:
    runs = [one_start(2.0 if quick else 10.0) for _ in range(1 if quick else 3)]
    out = {
        "startup_first_frame_ms": statistics.median(r[0] for r in runs),
        "startup_rows_ms": statistics.median(r[1] for r in runs),
        "idle_cpu_pct": statistics.median(r[2] for r in runs),
        "escape_key_ms": statistics.median(r[3] for r in runs),
    }
    if not quick:
        from k9py.scenario.generate import generate

        with tempfile.TemporaryDirectory(prefix="k9py-bench-") as tmp:
            path = os.path.join(tmp, "generated-10k.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(generate(10_000, 500, seed=SEED, churn=20))
            row = first_pod_prefix(path)
            starts = [scenario_start(path, row) for _ in range(2)]
        out["startup_scenario_10k_first_frame_ms"] = statistics.median(s[0] for s in starts)
        out["startup_scenario_10k_rows_ms"] = statistics.median(s[1] for s in starts)
    return out


if __name__ == "__main__":
    for name, value in measure("--quick" in sys.argv).items():
        print(f"{name:<28}{value:10.1f}")
