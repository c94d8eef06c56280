"""`k9py scenario generate`: large realistic scenarios that load through the normal loader."""

from __future__ import annotations

from collections import Counter

import pytest

from k9py.cli import main
from k9py.scenario import files
from k9py.scenario.generate import generate
from k9py.scenario.schema import MAX_NODES


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def _pods_asked(sf: files.ScenarioFile) -> int:
    """Pods the workloads of a generated file ask for (failed Jobs retry twice)."""
    nodes = len(sf.header.nodes)
    total = 0
    for m in sf.manifests:
        kind, spec = m.obj["kind"], m.obj.get("spec") or {}
        if kind in ("Deployment", "StatefulSet"):
            total += spec["replicas"]
        elif kind == "DaemonSet":
            total += nodes
        elif kind == "Job":
            total += spec["completions"] + (2 if "exit 1" in str(spec) else 0)
    return total


def test_same_seed_same_file_and_the_sizes_asked_for(tmp_path):
    text = generate(1200, 24, seed=3)
    assert text == generate(1200, 24, seed=3)
    assert generate(20, 2, seed=3) != generate(20, 2, seed=4)
    sf = files.parse_file(_write(tmp_path, "big.yaml", text))
    assert sf.kind == files.MANIFESTS and len(sf.header.nodes) == 24
    assert _pods_asked(sf) == 1200
    kinds = Counter(m.obj["kind"] for m in sf.manifests)
    assert kinds["Namespace"] >= 3 and kinds["Deployment"] > 50 and kinds["Service"] > kinds["Deployment"]
    assert kinds["StatefulSet"] and kinds["DaemonSet"] == 2 and kinds["Job"] and kinds["PersistentVolumeClaim"]
    templates = [m.obj["spec"]["template"] for m in sf.manifests if m.obj["kind"] == "Deployment"]
    annotations = Counter(k for t in templates for k in (t["metadata"].get("annotations") or {}))
    assert annotations["k9py.sim/crash-after"] and annotations["k9py.sim/never-ready"]
    images = [t["spec"]["containers"][0]["image"] for t in templates]
    assert any(i in ("nginx:1.255", "redis:7.9.9", "python:3.99-slim", "node:99.0.0") for i in images)
    assert any("podAntiAffinity" in (t["spec"].get("affinity") or {}) for t in templates)
    tainted = [n for n in sf.header.nodes if n.taints]
    assert tainted and all(n.labels["pool"] == "gpu" for n in tainted)


def test_a_generated_cluster_runs_with_mixed_statuses(tmp_path):
    path = _write(tmp_path, "small.yaml", generate(100, 5, seed=1))
    cluster = files.build_cluster(files.parse_file(path), warmup=30)
    pods = cluster.store.list("Pod")
    assert len(pods) == 100
    placed = [p for p in pods if p["spec"].get("nodeName")]
    assert len(placed) >= 90 and {p["spec"]["nodeName"] for p in placed} == {n["metadata"]["name"] for n in cluster.store.list("Node")}
    phases = Counter(p["status"].get("phase") for p in pods)
    waiting = Counter(c["state"]["waiting"]["reason"] for p in pods for c in p["status"].get("containerStatuses") or []
                      if "waiting" in c["state"])
    assert phases["Running"] > 60 and phases["Succeeded"]
    crashed = sum(1 for p in pods for c in p["status"].get("containerStatuses") or []
                  if c["restartCount"] or c["state"].get("terminated", {}).get("reason") == "Error")
    assert (waiting["CrashLoopBackOff"] or crashed) and (waiting["ErrImagePull"] or waiting["ImagePullBackOff"])
    claims = {c["metadata"]["name"]: c["status"].get("phase") for c in cluster.store.list("PersistentVolumeClaim")}
    assert claims.pop("uploads") == "Pending"  # its class does not exist
    assert claims and set(claims.values()) == {"Bound"}  # the StatefulSets' claims


def test_churn_adds_a_timeline_at_about_that_rate(tmp_path):
    path = _write(tmp_path, "churn.yaml", generate(400, 5, churn=20, duration=30, seed=2))
    sf = files.parse_file(path)
    assert sf.kind == files.SCENARIO and sf.scenario is not None and sf.scenario.end == 30
    steps = sf.scenario.steps
    assert 580 <= len(steps) <= 620 and steps[-1].at <= 30  # 20/s for 30 s (a cordon also uncordons)
    actions = Counter(s.action for s in steps)
    assert actions["delete"] > actions["crash"] > 0 and actions["scale"] > 0
    assert all(s.args["replicas"] <= 10_000 for s in steps if s.action == "scale")


def test_cli_writes_the_file_and_refuses_bad_flags_on_one_line(tmp_path, capsys):
    out = str(tmp_path / "gen.yaml")
    assert main(["scenario", "generate", "--pods", "50", "--nodes", "3", "--seed", "5", "-o", out]) == 0
    assert capsys.readouterr().out.startswith(f"{out}: 50 pods, 3 nodes, ")
    assert files.parse_file(out).header.seed == 5
    for argv, says in ((["--pods", "0", "--nodes", "3"], "invalid count '0'"),
                       (["--pods", "ten", "--nodes", "3"], "invalid count 'ten'"),
                       (["--pods", "10", "--nodes", str(MAX_NODES + 1)], f"at most {MAX_NODES} nodes"),
                       (["--pods", "10", "--nodes", "2", "--churn", "-1"], "invalid churn '-1'"),
                       (["--pods", "10", "--nodes", "2", "--churn", "5000", "--duration", "1h"], "too many timeline steps"),
                       # (a file that would not load: a scenario plays at most a day)
                       (["--pods", "10", "--nodes", "2", "--churn", "1", "--duration", "100h"],
                        "invalid --duration 360000s: k9py plays a scenario for at most 24h")):
        assert main(["scenario", "generate", *argv, "-o", out]) == 2
        err = capsys.readouterr().err
        assert says in err and err.count("\n") == 1, err


@pytest.mark.parametrize("pods,nodes", [(1, 1), (7, 3)])
def test_tiny_sizes_still_make_a_valid_file(tmp_path, pods, nodes):
    path = _write(tmp_path, "tiny.yaml", generate(pods, nodes))
    assert files.check(path) == []
    assert _pods_asked(files.parse_file(path)) == pods


def test_the_churn_runs_without_a_step_that_finds_nothing_to_do(tmp_path):
    """The apps counted healthy really run (a public image whose default command exits at once,
    python's REPL with no terminal, gets a server to run): a crash step always finds a running
    container, so watching a generated cluster never flashes a step's error."""
    from k9py.scenario.timeline import timeline_of

    path = _write(tmp_path, "churn.yaml", generate(300, 8, churn=10, duration=40, seed=2))
    sf = files.parse_file(path)
    containers = [m.obj["spec"]["template"]["spec"]["containers"][0] for m in sf.manifests
                  if m.obj.get("kind") == "Deployment"]
    runtimes = [c for c in containers if c["image"] in ("python:3.12-slim", "node:20.11.0-slim")]
    assert runtimes and all(c["command"][0] == c["image"].split(":")[0] for c in runtimes)
    cluster = files.build_cluster(sf, warmup=30)
    tl = timeline_of(cluster)
    cluster.advance(41)
    assert tl is not None and tl.next == len(sf.scenario.steps)  # every step ran
    assert [f.error for f in tl.fired if f.error] == []


def test_a_full_disk_leaves_no_cut_off_scenario(tmp_path, monkeypatch, capsys):
    """generate on a full disk said so but left an empty file, which scenario check then read:
    the cut-off file goes. A file it cannot open at all (the user's, read-only) is left as it was."""
    import builtins
    import errno
    import os

    from k9py.scenario import generate as gen

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, text):
            self.fh.write(text[:100])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def flush(self):
            self.fh.flush()

    monkeypatch.setattr(gen, "open", lambda path, *a, **kw: Full(builtins.open(path, *a, **kw)), raising=False)  # noqa: SIM115
    out = tmp_path / "big.yaml"
    assert main(["scenario", "generate", "--pods", "10", "--nodes", "1", "-o", str(out)]) == 2
    assert capsys.readouterr().err == f"k9py: {out}: cannot write: No space left on device\n"
    assert not out.exists()

    def refused(path, *a, **kw):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
    monkeypatch.setattr(gen, "open", refused, raising=False)
    mine = tmp_path / "mine.yaml"
    mine.write_text("my own scenario\n")
    assert main(["scenario", "generate", "--pods", "10", "--nodes", "1", "-o", str(mine)]) == 2
    assert capsys.readouterr().err == f"k9py: {mine}: cannot write: Permission denied\n"
    assert mine.read_text() == "my own scenario\n"  # (it was deleted)
