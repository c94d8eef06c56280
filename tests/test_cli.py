"""The command line: a bad scenario is one line on stderr and exit code 2 (no traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
