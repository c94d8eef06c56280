"""The command line: a bad scenario is one line on stderr and exit code 2 (no traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

BAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
spec:
  replicas: three
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers: [{name: nginx, image: "nginx:1.14.2"}]
"""


def run_k9py(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "k9py", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT, stdin=subprocess.DEVNULL)


def test_bad_scenario_exits_2_with_one_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    proc = run_k9py("--scenario", str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == (f'k9py: {path}:6: document 1 (Deployment nginx-deployment): spec.replicas: '
                           'Invalid value: "three": must be an integer\n')


def test_yaml_syntax_error_exits_2(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n")
    proc = run_k9py("--scenario", str(path))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith(f"k9py: {path}:")
    assert "Traceback" not in proc.stderr


def test_missing_scenario_file_exits_2(tmp_path):
    proc = run_k9py("--scenario", str(tmp_path / "nope.yaml"))
    assert proc.returncode == 2
    assert proc.stderr == f"k9py: {tmp_path / 'nope.yaml'}: no such file\n"


def test_serve_with_bad_scenario_exits_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(BAD)
    proc = run_k9py("serve", "--scenario", str(path), "--port", "0")
    assert proc.returncode == 2
    assert "listening" not in proc.stdout
    assert proc.stderr.endswith('spec.replicas: Invalid value: "three": must be an integer\n')
    assert proc.stderr.count("\n") == 1


def test_readme_has_exactly_the_two_setup_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv .venv")]
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/k9py",
        "python3 -m venv .venv && .venv/bin/pip install -q -e '.[test,dev]' && .venv/bin/pytest",
    ]
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert commands[1] in ci


# -- bad values: one line, exit 2, never a traceback or a silent state ------------------------------

@pytest.mark.parametrize("argv,needle", [
    (["serve", "--port", "99999"], "argument --port: invalid port '99999'"),
    (["serve", "--port", "http"], "argument --port: invalid port 'http'"),
    (["serve", "--speed", "-1"], "argument --speed: invalid speed '-1'"),
    (["serve", "--speed", "100000"], "argument --speed: invalid speed '100000': must be at most 64"),
    (["serve", "--speed", "1e308"], "argument --speed: invalid speed '1e308': must be at most 64"),
    (["serve", "--speed", "nan"], "argument --speed: invalid speed 'nan': must be a finite number"),
    (["serve", "--speed", "inf"], "argument --speed: invalid speed 'inf': must be a finite number"),
    (["serve", "--scenario", "incident-checkout-oom", "--speed", "65"], "invalid speed '65': must be at most 64"),
    (["--speed", "100000"], "argument --speed: invalid speed '100000': must be at most 64"),
    (["replay", "incident-checkout-oom", "--speed", "1000"], "argument --speed: invalid speed '1000': must be at most 64"),
    (["serve", "--at", "soon"], 'argument --at: invalid duration "soon"'),
    (["--speed", "-1"], "argument --speed: invalid speed '-1': must be greater than 0"),
    (["--speed", "0"], "argument --speed: invalid speed '0': must be greater than 0"),
    (["--speed", "abc"], "argument --speed: invalid speed 'abc': must be a number"),
    (["--speed", "inf"], "argument --speed: invalid speed 'inf': must be a finite number"),
    (["--seed", "x"], "argument --seed: invalid seed 'x': must be an integer"),
    (["serve", "--at", "5m"], "--at is for a Recording's play head (serve --scenario FILE.jsonl)"),
    (["serve", "--paused", "--scenario", "crashloop"], "--paused is for a Recording's play head"),
    (["-c", "nope"], "argument -c/--command: unknown view 'nope'"),
    (["replay", "incident-checkout-oom", "-c", "nope"], "argument -c/--command: unknown view 'nope'"),
    (["replay", "incident-checkout-oom", "--at", "1x"], 'argument --at: invalid duration "1x"'),
    (["replay", "incident-checkout-oom", "--speed", "0"], "argument --speed: invalid speed '0'"),
    (["record", "--scenario", "crashloop", "-o", "x.jsonl", "--duration", "later"],
     'argument --duration: invalid duration "later"'),
    (["--request-timeout", "abc"], "--request-timeout: invalid duration 'abc'"),
    # NaN ran a recording that replayed as 0 s long and wrote "duration":NaN, which is no JSON
    (["record", "--scenario", "crashloop", "-o", "x.jsonl", "--duration", "nan"],
     'argument --duration: invalid duration "nan"'),
    (["replay", "incident-checkout-oom", "--at", "inf"], 'argument --at: invalid duration "inf"'),
    (["serve", "--at", "1e400"], 'argument --at: invalid duration "1e400"'),
    (["scenario", "generate", "--pods", "5", "--nodes", "1", "--duration", "inf", "-o", "x.yaml"],
     'argument --duration: invalid duration "inf"'),
    (["--request-timeout", "nan"], "--request-timeout: invalid duration 'nan'"),
    # every request of the live backend failed: OverflowError: timestamp too large to convert to C _PyTime_t
    (["--request-timeout", "99999999999h"],
     "--request-timeout: invalid duration '99999999999h': at most 2562047h (Go's longest duration)"),
    (["--scenario", "crashlop"], "crashlop: no such file or bundled scenario (did you mean crashloop?)"),
    (["replay", "incident"], "incident: no such file or bundled scenario (did you mean incident-checkout-oom?)"),
    (["serve", "--scenario", "nope"], "nope: no such file or bundled scenario (bundled: admission-policy, crashloop, demo, "),
    (["scenario", "check", "self-heal"], "self-heal: no such file or bundled scenario (did you mean self-healing?)"),
    (["--scenario", ""], "an empty name: give a scenario file or a bundled scenario's name (admission-policy, "),  # was: no such file
    (["--scenario", "/"], "/: is a directory, not a scenario file"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    # was: argument command: invalid choice: 'incident.jsonl.gz' (choose from 'serve', ...)
    (["--replay", "incident.jsonl.gz"], "--replay is no option; replay is a command: k9py replay ..."),
    (["--serve"], "--serve is no option; serve is a command: k9py serve ..."),
])
def test_a_bad_value_is_one_line_and_exit_2(argv, needle, tmp_path):
    proc = run_k9py(*argv, timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("k9py"), proc.stderr
    assert needle in proc.stderr


@pytest.mark.parametrize("argv,message", [
    (["serve", "--kubeconfig-out", "{tmp}"], "k9py: {tmp}: cannot write the kubeconfig: Is a directory"),
    (["serve", "--kubeconfig-out", "/proc/x"], "k9py: /proc/x: cannot write the kubeconfig: No such file or directory"),
    (["serve", "--scenario", "incident-checkout-oom", "--kubeconfig-out", "{tmp}"],
     "k9py: {tmp}: cannot write the kubeconfig: Is a directory"),
    (["record", "--scenario", "crashloop", "-o", "{tmp}"], "k9py: {tmp}: cannot write the recording: Is a directory"),
    (["record", "--scenario", "crashloop", "-o", "/proc/x"],
     "k9py: /proc/x: cannot write the recording: No such file or directory"),
    (["record", "--scenario", "crashloop", "-o", "{tmp}/missing/rec.jsonl"],
     "k9py: {tmp}/missing/rec.jsonl: cannot write the recording: no such directory {tmp}/missing"),
    (["record", "--kubeconfig", "{tmp}/nope", "-o", "{tmp}"], "k9py: {tmp}: cannot write the recording: Is a directory"),
])
def test_an_output_path_that_cannot_be_written_stops_before_the_work(argv, message, tmp_path):
    """The kubeconfig and the recording are checked first: no server listens, nothing is recorded
    or connected to, and the reason is one line."""
    proc = run_k9py(*(a.replace("{tmp}", str(tmp_path)) for a in argv), timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == "" and proc.stderr == message.replace("{tmp}", str(tmp_path)) + "\n"
    assert not (tmp_path / "missing").exists() and list(tmp_path.iterdir()) == []


def test_write_kubeconfig_refuses_a_directory_in_one_line(tmp_path):
    from k9py.errors import K9pyError
    from k9py.kube.kubeconfig import write_kubeconfig
    with pytest.raises(K9pyError, match=f"^{tmp_path}: cannot write the kubeconfig: Is a directory$"):
        write_kubeconfig(str(tmp_path), "http://127.0.0.1:1")
    assert list(tmp_path.iterdir()) == []


def test_help_and_version_still_exit_0():
    assert run_k9py("--version").stdout.startswith("k9py ")
    proc = run_k9py("replay", "--help")
    assert proc.returncode == 0 and "FILE|NAME" in proc.stdout


# -- bundled scenarios by name ------------------------------------------------------------------------

def test_scenario_list_shows_names_titles_and_paths():
    proc = run_k9py("scenario", "list")
    assert proc.returncode == 0 and proc.stderr == ""
    head, *rows = proc.stdout.splitlines()
    assert head.split() == ["NAME", "KIND", "TITLE", "PATH"]
    by_name = {r.split()[0]: r for r in rows}
    assert set(by_name) == {p.stem for p in (ROOT / "scenarios").glob("*.yaml")}
    for name, row in by_name.items():
        path = row.split()[-1]
        assert Path(path).is_file() and Path(path).name == f"{name}.yaml"
    assert "Crash loops and the kubelet's back-off" in by_name["crashloop"]
    assert " recording " in by_name["incident-checkout-oom"] and "Recorded incident" in by_name["incident-checkout-oom"]
    assert " scenario " in by_name["rolling-update"] and "Rolling update" in by_name["rolling-update"]


def test_scenario_check_takes_a_bundled_name():
    proc = run_k9py("scenario", "check", "crashloop")
    assert proc.returncode == 0
    assert proc.stdout.endswith("crashloop.yaml: ok (Scenario, 3 objects, 3 steps)\n")


def test_record_a_bundled_scenario_by_name_and_replay_it_over_its_duration(tmp_path):
    from k9py.backends.replay import ReplayBackend

    out = tmp_path / "five.jsonl"
    proc = run_k9py("record", "--scenario", "crashloop", "-o", str(out), "--duration", "5s")
    assert proc.returncode == 0, proc.stderr
    pb = ReplayBackend.open(str(out)).playback()
    assert pb.duration == 5.0  # the bar reads 00:00 / 00:05


def test_serve_a_bundled_scenario_by_name(tmp_path):
    kc = tmp_path / "kc"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "k9py", "serve", "--scenario", "jobs-cronjobs", "--port", "0",
                             "--kubeconfig-out", str(kc)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT, stdin=subprocess.DEVNULL)
    try:
        line = proc.stdout.readline()  # blocks until the server listens (or the process ended)
        assert line.startswith("k9py serve: listening on http://127.0.0.1:"), line or proc.stderr.read()
        url = line.split()[-1]
        with urllib.request.urlopen(f"{url}/apis/batch/v1/namespaces/default/cronjobs", timeout=10) as resp:
            names = [o["metadata"]["name"] for o in json.load(resp)["items"]]
        assert names  # the jobs-cronjobs scenario's CronJob, served
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


# -- the UI draws on the terminal whatever stderr is ---------------------------------------------------

def _run_in_pty(tmp_path, argv: list[str], *, stdout_to_file: bool, until: bytes) -> tuple[bytes, bytes, int]:
    """Run ``k9py ARGV`` with a pty (80×24) as its terminal and stderr (and stdout if asked)
    redirected to files; read the terminal until ``until`` shows, then ctrl-c. Returns (what the
    terminal got, what stderr got, the exit status)."""
    import fcntl
    import pty
    import select
    import struct
    import termios
    import time

    err_log, out_log = tmp_path / "stderr.log", tmp_path / "stdout.log"
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal and stdin
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            os.dup2(os.open(err_log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 2)
            if stdout_to_file:
                os.dup2(os.open(out_log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
            os.chdir(ROOT)
            env = dict(os.environ, PYTHONPATH=str(ROOT), TERM="xterm-256color")
            os.execve(sys.executable, [sys.executable, "-m", "k9py", *argv], env)
        finally:
            os._exit(127)
    seen, status = b"", None
    deadline = time.monotonic() + 90
    try:
        quitting = False
        while time.monotonic() < deadline:
            if not quitting and until in seen:
                os.write(fd, b"\x03")  # ctrl-c: quit
                quitting = True
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # the child closed the terminal
                    chunk = b""
                seen += chunk
                if chunk:
                    continue
            done, code = os.waitpid(pid, os.WNOHANG)
            if done:
                status = os.waitstatus_to_exitcode(code)
                break
    finally:
        if status is None:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        os.close(fd)
    return seen, err_log.read_bytes(), -1 if status is None else status


@pytest.mark.parametrize("stdout_to_file", [False, True], ids=["2>log", ">out 2>log"])
def test_the_explorer_draws_on_the_terminal_when_stderr_is_redirected(tmp_path, stdout_to_file):
    screen, err, status = _run_in_pty(tmp_path, ["--scenario", "self-healing"], stdout_to_file=stdout_to_file,
                                      until=b"lonely")
    assert b"lonely" in screen and b"\x1b[?1049h" in screen  # the table, on the alternate screen
    assert status == 0
    assert b"\x1b[" not in err  # nothing of the UI went to the log


MOUSE_ON = b"\x1b[?1000h"  # the terminal asked to report the mouse (Textual's driver)


@pytest.mark.parametrize("enable", [None, True], ids=["default", "enableMouse"])
def test_the_terminal_keeps_the_mouse_unless_ui_enable_mouse_says(tmp_path, monkeypatch, enable):
    """k9s's ui.enableMouse (default false): text stays selectable with the mouse as in any
    terminal program; true hands the mouse to the explorer (clicks, wheel)."""
    config = tmp_path / "config"
    config.mkdir()
    if enable is not None:
        (config / "config.yaml").write_text(f"k9py:\n  ui:\n    enableMouse: {str(enable).lower()}\n")
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(config))
    screen, _, status = _run_in_pty(tmp_path, ["--scenario", "self-healing"], stdout_to_file=False, until=b"lonely")
    assert b"lonely" in screen and status == 0
    assert (MOUSE_ON in screen) is bool(enable)


_KC = """apiVersion: v1
kind: Config
current-context: c
clusters:
- name: cl
  cluster: {cluster}
contexts:
- name: c
  context: {{cluster: cl, user: u}}
users:
- name: u
  user: {user}
"""


@pytest.mark.parametrize(("text", "line", "words"), [
    ("apiVersion: v1\nkind: Config\nclusters:\n- {name: a, cluster: {server: x: y}}\n", 4,
     "kubeconfig: expected ',' or '}', but got ':' (while parsing a flow mapping)"),
    ("apiVersion: v1\nclusters: foo\n", 2, "kubeconfig: clusters: must be a list"),
    ("apiVersion: v1\ncontexts:\n- foo\n", 3, "kubeconfig: contexts: each item must be a mapping (name: ...)"),
    # the client's loader met them with a traceback (binascii.Error, AttributeError)
    (_KC.format(cluster="{server: 'https://127.0.0.1:1', certificate-authority-data: '!!!notbase64'}", user="{}"), 6,
     "kubeconfig: clusters[cl].cluster.certificate-authority-data: illegal base64 data"),
    (_KC.format(cluster="{server: 5}", user="{}"), 6, "kubeconfig: clusters[cl].cluster.server: must be a string"),
    (_KC.format(cluster="{server: 'https://127.0.0.1:1'}", user="token-abc"), 12,
     "kubeconfig: users[u].user: must be a mapping"),
    # the client's loader took them, then each request said urllib3's No host specified
    (_KC.format(cluster="{insecure-skip-tls-verify: true}", user="{}"), 6,
     'kubeconfig: clusters[cl].cluster.server: invalid configuration: no server found for cluster "cl"'),
    (_KC.format(cluster="{server: ''}", user="{}"), 6,
     'kubeconfig: clusters[cl].cluster.server: invalid configuration: no server found for cluster "cl"'),
])
def test_a_broken_kubeconfig_is_one_line_with_file_and_line(tmp_path, text, line, words):
    kc = tmp_path / "kubeconfig"
    kc.write_text(text)
    proc = run_k9py("--live", "--kubeconfig", str(kc))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"k9py: {kc}:{line}: {words}\n"



def test_a_server_without_a_scheme_is_reached_as_client_go_reaches_it(tmp_path):
    """server: 127.0.0.1:1 (no scheme) printed urllib3's two-line FutureWarning at each request
    and said No host specified: client-go's DefaultServerURL gives it http:// (https:// with TLS)."""
    kc = tmp_path / "kubeconfig"
    kc.write_text(_KC.format(cluster="{server: '127.0.0.1:1'}", user="{}"))
    proc = run_k9py("record", "--kubeconfig", str(kc), "-o", str(tmp_path / "r.jsonl"), "--duration", "1s")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("k9py: cannot reach the cluster of context c (http://127.0.0.1:1): ")
    kc.write_text(_KC.format(cluster="{server: '127.0.0.1:1', insecure-skip-tls-verify: true}", user="{}"))
    proc = run_k9py("record", "--kubeconfig", str(kc), "-o", str(tmp_path / "r.jsonl"), "--duration", "1s")
    assert proc.stderr.startswith("k9py: cannot reach the cluster of context c (https://127.0.0.1:1): ")


@pytest.mark.parametrize(("content", "said"), [
    # the client's loader said what Python says, naming neither the file's line nor the field
    (b"- a\n- b\n", "{kc}:1: kubeconfig: must be a mapping (apiVersion, clusters, ...), not a list"),
    (b"clusters: 3\ncontexts: x\n", "{kc}:1: kubeconfig: clusters: must be a list"),
    (b"current-context: [1]\nclusters: []\n", "{kc}:1: kubeconfig: current-context: must be a string"),
    (b"\xff\xfe apiVersion: v1\n", "{kc}: kubeconfig: not UTF-8 text (invalid start byte at byte 0)"),
    (None, "kubeconfig {kc}: is a directory, not a file"),  # [Errno 21] Is a directory
    ("/dev/zero", "kubeconfig {kc}: a device, not a file (k9py reads it more than once: save it to a file)"),
], ids=["list", "clusters-scalar", "current-context-list", "not-utf8", "directory", "dev-zero"])
@pytest.mark.parametrize("how", ["flag", "KUBECONFIG"])
def test_a_kubeconfig_of_the_wrong_shape_is_one_line_naming_it(tmp_path, monkeypatch, content, said, how):
    """/dev/zero (or a FIFO) as the kubeconfig was read until the memory ran out."""
    kc = tmp_path / "kubeconfig"
    if content is None:
        kc.mkdir()
    elif isinstance(content, str):
        kc.symlink_to(content)
    else:
        kc.write_bytes(content)
    if how == "flag":
        proc = run_k9py("--live", "--kubeconfig", str(kc), timeout=30)
    else:
        monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'missing'}:{kc}")
        proc = run_k9py("--live", timeout=30)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "k9py: " + said.format(kc=kc) + "\n"


@pytest.mark.parametrize("scenario", [[], ["--scenario", "incident-checkout-oom"]], ids=["sim", "recording"])
def test_kubeconfig_out_never_replaces_a_kubeconfig_of_other_contexts(tmp_path, scenario):
    """`serve --kubeconfig-out ~/.kube/config` replaced the user's kubeconfig, every context in it
    gone, with k9py-sim's alone; a file k9py wrote before is replaced as ever."""
    users = tmp_path / "config"
    users.write_text(_KC.format(cluster="{server: 'https://prod.example:6443'}", user="{token: t}"))
    before = users.read_text()
    proc = run_k9py("serve", *scenario, "--port", "0", "--kubeconfig-out", str(users), timeout=30)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == (f"k9py: {users}: holds other contexts (c), which serve's kubeconfig would replace: "
                           "give a new file (then KUBECONFIG=it:~/.kube/config)\n")
    assert users.read_text() == before
    notes = tmp_path / "notes.txt"
    notes.write_text("not yaml: [\n")
    proc = run_k9py("serve", *scenario, "--port", "0", "--kubeconfig-out", str(notes), timeout=30)
    assert proc.returncode == 2 and "is not a kubeconfig k9py wrote" in proc.stderr
    assert notes.read_text() == "not yaml: [\n"


def test_kubeconfig_out_replaces_its_own_kubeconfig(tmp_path):
    from k9py.kube.kubeconfig import check_kubeconfig_out, write_kubeconfig
    own = tmp_path / "kc"
    write_kubeconfig(str(own), "http://127.0.0.1:1")
    check_kubeconfig_out(str(own))  # a second serve writes it again
    own.write_text("")
    check_kubeconfig_out(str(own))


def test_kubeconfig_out_through_a_symlink_keeps_the_link_and_refuses_a_fifo(tmp_path):
    """The written kubeconfig replaced whatever stood at the path: a dotfiles symlink became a
    plain file, and (as root) a device such as /dev/full a plain file holding the kubeconfig."""
    import os

    from k9py.errors import K9pyError
    from k9py.kube.kubeconfig import check_kubeconfig_out, write_kubeconfig
    target = tmp_path / "dotfiles" / "k9py-sim.yaml"
    target.parent.mkdir()
    link = tmp_path / "kc"
    link.symlink_to(target)
    check_kubeconfig_out(str(link))
    write_kubeconfig(str(link), "http://127.0.0.1:1")
    assert link.is_symlink() and "http://127.0.0.1:1" in target.read_text()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(K9pyError, match=f"^{fifo}: cannot write the kubeconfig: is not a regular file "):
        check_kubeconfig_out(str(fifo))
    assert fifo.is_fifo()


def test_a_kubeconfig_number_too_long_for_python_is_its_line(tmp_path):
    """The client's loader said what int() says (use sys.set_int_max_str_digits()), naming no line."""
    kc = tmp_path / "kubeconfig"
    kc.write_text(_KC.format(cluster="{server: 'https://127.0.0.1:1', x: " + "9" * 5000 + "}", user="{}"))
    proc = run_k9py("--live", "--kubeconfig", str(kc))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"k9py: {kc}:6: kubeconfig: a number of 5000 digits: too large\n"


def test_api_server_timeout_bounds_a_live_clusters_requests_unless_the_command_line_says(tmp_path, monkeypatch):
    """k9s's apiServerTimeout: the live backend's request timeout when --request-timeout is not given."""
    from k9py.backends.live import request_timeout
    from k9py.cli import build_parser, user_files
    from k9py.errors import K9pyError
    (tmp_path / "config.yaml").write_text("k9s:\n  apiServerTimeout: 15s\n")
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    args = build_parser().parse_args(["--live"])
    user_files(args)
    assert request_timeout(args.request_timeout) == 15.0
    args = build_parser().parse_args(["--live", "--request-timeout", "1m"])
    user_files(args)
    assert request_timeout(args.request_timeout) == 60.0
    (tmp_path / "config.yaml").write_text("k9s:\n  apiServerTimeout: soon\n")
    with pytest.raises(K9pyError, match=r"config.yaml:2.*apiServerTimeout.*'soon' is not a duration"):
        user_files(build_parser().parse_args(["--live"]))
    assert request_timeout(build_parser().parse_args(["--live"]).request_timeout) == 30.0  # none: 30s
    (tmp_path / "config.yaml").write_text("k9s:\n  apiServerTimeout: 3000000h\n")  # past Go's longest
    with pytest.raises(K9pyError, match=r"config.yaml:2.*apiServerTimeout.*'3000000h' is out of range"):
        user_files(build_parser().parse_args(["--live"]))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
def test_record_onto_a_full_disk_is_one_line():
    """The recording's first write failing (ENOSPC) ended k9py record in an OSError traceback."""
    proc = run_k9py("record", "-o", "/dev/full", "--scenario", "crashloop", "--duration", "1s")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "k9py: /dev/full: cannot write the recording: No space left on device (nothing was recorded)\n"


def test_a_path_the_system_refuses_is_one_line_naming_it(tmp_path, monkeypatch):
    """K9PY_CONFIG_DIR or --skin past NAME_MAX (or a config folder left unreadable by sudo)
    ended k9py in an OSError traceback before any reader could say so."""
    long = tmp_path / ("x" * 300)
    proc = run_k9py("--skin", str(long))
    assert proc.returncode == 2 and proc.stderr == f"k9py: {long}: File name too long\n"
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(long))
    proc = run_k9py("info")
    assert proc.returncode == 2 and proc.stderr == f"k9py: {long / 'config.yaml'}: File name too long\n"
