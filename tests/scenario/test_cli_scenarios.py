"""`k9py scenario check`, `k9py record`, and which backend `--scenario` / `replay` open."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from k9py.backends.replay import ReplayBackend, ScenarioBackend
from k9py.cli import _scenario_backend, build_parser, resolve_files
from k9py.errors import K9pyError
from k9py.scenario import files
from k9py.scenario.recording import parse_recording
from k9py.ui.launch import build_app, demo_backend

ROOT = Path(__file__).resolve().parents[2]


def k9py(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "k9py", *args], capture_output=True, text=True, timeout=120,
                          env=env, cwd=ROOT, stdin=subprocess.DEVNULL)


def test_scenario_check_exit_codes(tmp_path):
    ok = k9py("scenario", "check", "scenarios/crashloop.yaml")
    assert (ok.returncode, ok.stdout) == (0, "scenarios/crashloop.yaml: ok (Scenario, 3 objects, 3 steps)\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: Recording\nversion: 1\nstart: 2026-11-01T09:00:00Z\nevents:\n- {t: 1, type: NOPE}\n- {t: 0, type: LOG}\n")
    proc = k9py("scenario", "check", str(bad))
    assert proc.returncode == 2
    assert proc.stdout.splitlines() == [
        f'{bad}:5: events[0]: type: Unsupported value: "NOPE": supported values: "ADDED", "MODIFIED", "DELETED", "LOG"',
        f"{bad}:6: events[1]: pod: Required value",
    ]


def test_record_a_scenario(tmp_path):
    out = tmp_path / "rec.jsonl.gz"
    proc = k9py("record", "--scenario", "scenarios/self-healing.yaml", "-o", str(out), "--duration", "90s",
                "--logs", "app=web")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[-2].startswith("recording:    90.0s virtual elapsed, ")
    assert lines[-1].startswith("recorded ") and lines[-1].endswith(f" to {out}")
    rec = parse_recording(str(out), files.read_text(str(out)))
    assert rec.duration == 90 and rec.description.startswith("Delete the pods")
    assert any(e.type == "LOG" and e.pod.startswith("web-") for e in rec.events)
    deleted = [e.object["metadata"]["name"] for e in rec.events if e.type == "DELETED" and e.object["kind"] == "Pod"]
    assert len(deleted) == 4  # one pod at 20s, then all three at 1m
    assert all(20 <= e.t <= 90 for e in rec.events if e.type == "DELETED" and e.object["kind"] == "Pod")


def test_record_logs_whose_selector_matches_nothing_says_so(tmp_path):
    """--logs with a typo recorded no logs without a word; as kubectl says "No resources found"
    for a selector nothing matches (exit 0: nothing failed), one line says so and the exit is 0.
    A selector that cannot be parsed is kubectl's error: exit 2, nothing written (a traceback)."""
    out = tmp_path / "rec.jsonl"
    proc = k9py("record", "--scenario", "scenarios/self-healing.yaml", "-o", str(out), "--duration", "5s",
                "--logs", "app=wbe", "-n", "default")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines()[-1] == ("k9py record: no pods matched --logs app=wbe in namespace default: "
                                            "the recording has no logs")
    proc = k9py("record", "--scenario", "scenarios/self-healing.yaml", "-o", str(out), "--duration", "5s",
                "--logs", "app=web")
    assert proc.returncode == 0 and "no pods matched" not in proc.stderr
    out.unlink()
    proc = k9py("record", "--scenario", "scenarios/self-healing.yaml", "-o", str(out), "--logs", "app in (web")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == "k9py: argument --logs: unable to parse requirement: 'app in (web'"
    assert not out.exists()


def test_record_refuses_both_sources(tmp_path):
    proc = k9py("record", "--scenario", "scenarios/crashloop.yaml", "--context", "prod", "-o", str(tmp_path / "x"))
    assert proc.returncode == 2 and "exclusive" in proc.stderr


def _args(*argv: str):
    return build_parser().parse_args(list(argv))


def test_backend_chosen_by_file_kind():
    assert _scenario_backend(_args()) is None
    assert _scenario_backend(_args("--scenario", "scenarios/demo.yaml")) is None  # the default sim path
    assert _scenario_backend(_args("--scenario", "scenarios/self-healing.yaml")) is None  # the same for a timeline
    b = demo_backend(None, "scenarios/self-healing.yaml", deferred=True)  # small: built before the first frame
    assert isinstance(b, ScenarioBackend) and b.timeline is not None
    assert _scenario_backend(_args("--scenario", "scenarios/self-healing.yaml", "--watch")) is None  # the same, watched
    b = build_app(_args("--scenario", "scenarios/self-healing.yaml", "--watch"), manual=True).backend
    assert isinstance(b, ScenarioBackend) and b.timeline is not None and b.hot_reload
    assert not build_app(_args("--scenario", "scenarios/self-healing.yaml"), manual=True).backend.hot_reload
    r = _scenario_backend(_args("--scenario", "scenarios/incident-checkout-oom.yaml"))
    assert isinstance(r, ReplayBackend)
    r = _scenario_backend(_args("replay", "scenarios/incident-checkout-oom.yaml", "--paused", "--at", "90s", "--watch"))
    assert isinstance(r, ReplayBackend) and r.player.paused and r.player.position == 90 and r.hot_reload
    with pytest.raises(K9pyError, match="is a scenario file, not a Recording: run it with `k9py --scenario"):
        _scenario_backend(_args("replay", "scenarios/self-healing.yaml"))


def test_a_big_file_watched_is_built_behind_the_first_frame_too(monkeypatch):
    """`--watch` used to build the file before the first frame (25 s of nothing at 30,000 pods)."""
    from k9py.backends import demo

    monkeypatch.setattr(demo, "BIG_FILE_PODS", 2)  # self-healing's 3 pods count as big
    b = build_app(_args("--scenario", "scenarios/self-healing.yaml", "--watch", "--no-history")).backend
    assert isinstance(b, demo.DemoBackend) and not b.ready and b.hot_reload
    assert b.pending is not None  # its timeline is known at once


def test_bundled_names_open_the_bundled_files():
    args = _args("--scenario", "self-healing")
    resolve_files(args)
    b = demo_backend(None, args.scenario, deferred=True)
    assert isinstance(b, ScenarioBackend) and b.path.endswith("/k9py/data/scenarios/self-healing.yaml")
    args = _args("replay", "incident-checkout-oom", "--at", "90s")
    resolve_files(args)
    r = _scenario_backend(args)
    assert isinstance(r, ReplayBackend) and r.player.position == 90
    args = _args("replay", "self-healing")
    resolve_files(args)
    with pytest.raises(K9pyError, match=r"^self-healing: is a scenario file, not a Recording: run it with "
                                        r"`k9py --scenario self-healing`$"):
        _scenario_backend(args)
    args = _args("--scenario", "scenarios/crashloop.yaml")  # a path stays a path
    resolve_files(args)
    assert args.scenario == "scenarios/crashloop.yaml"


def test_scenario_list_shows_every_bundled_file_with_its_title_and_path():
    proc = k9py("scenario", "list")
    assert proc.returncode == 0
    rows = {ln.split()[0]: ln.split(None, 2) for ln in proc.stdout.splitlines()[1:]}
    assert rows["incident-checkout-oom"][1] == "recording"
    assert rows["rolling-update"][1] == "scenario" and rows["demo"][1] == "manifests"
    assert all(len(r) == 3 and r[2].split()[0] != r[2].split()[-1] for r in rows.values())  # a title, then the path
    assert all(r[2].endswith(f"/{name}.yaml") for name, r in rows.items())
