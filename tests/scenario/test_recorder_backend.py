"""record_backend: recording through the Backend protocol (what a live cluster uses)."""

from __future__ import annotations

import asyncio
import json

from k9py.backends.samples import small_cluster
from k9py.backends.sim import SimBackend
from k9py.scenario import files
from k9py.scenario.recorder import REDACTED, record_backend
from k9py.scenario.recording import RecordingWriter, header_dict, parse_recording


def test_records_initial_state_then_changes_through_watches(tmp_path):
    out = str(tmp_path / "live.jsonl")
    cluster = small_cluster()
    backend = SimBackend(cluster)

    async def main():
        writer = RecordingWriter(out, header_dict(backend.now(), context="k9py-sim"))
        task = asyncio.ensure_future(record_backend(backend, writer, namespace="default"))
        initial = len(cluster.store.list("Pod", "default"))
        for _ in range(200):  # until every kind listed
            await asyncio.sleep(0)
        assert writer.events >= initial
        cluster.advance(10)  # the backend's clock: t of what follows
        cluster.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"},
                        "data": {"password": "aHVudGVyMg=="}})
        cluster.delete("Pod", "default", "counter", grace_period=0)
        before = writer.events
        for _ in range(200):
            await asyncio.sleep(0)
            if writer.events >= before + 2:
                break
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        writer.close()

    asyncio.run(main())
    rec = parse_recording(out, files.read_text(out))
    first = [e for e in rec.events if e.t == 0]
    assert {e.object["metadata"]["name"] for e in first if e.object["kind"] == "Pod"} >= {"counter"}
    assert all(e.object["metadata"].get("namespace") in ("default", None) for e in rec.events)
    later = [(e.type, e.object["kind"], e.object["metadata"]["name"]) for e in rec.events if e.t > 0]
    assert ("ADDED", "Secret", "s") in later and ("DELETED", "Pod", "counter") in later
    assert all(e.t == 10 for e in rec.events if e.t > 0)
    secret = next(e.object for e in rec.events if e.object and e.object["kind"] == "Secret")
    assert secret["data"] == {"password": REDACTED}
    lines = open(out).read().splitlines()
    assert json.loads(lines[0])["kind"] == "Recording" and len(lines) == len(rec.events) + 1


def test_record_a_served_cluster_through_the_kubernetes_client(tmp_path):
    """`k9py record --kubeconfig F`: the live backend (kubernetes client) against `k9py serve`."""
    from k9py.kube.kubeconfig import write_kubeconfig
    from k9py.scenario.commands import record_live
    from k9py.serve.server import ServeHandle

    cluster = files.load_scenario_cluster("scenarios/scaling.yaml")
    handle = ServeHandle(cluster, speed=None).start()
    try:
        kc = str(tmp_path / "kc")
        write_kubeconfig(kc, handle.url)
        out = str(tmp_path / "live.jsonl")
        events = record_live(out, kubeconfig=kc, context=None, duration=1.0, namespace="default", logs=None,
                             include_secrets=False)
    finally:
        handle.stop()
    rec = parse_recording(out, files.read_text(out))
    assert events == len(rec.events) > 0
    assert rec.context == "k9py-sim" and rec.server_version.endswith("-k9py")
    pods = {e.object["metadata"]["name"] for e in rec.events if e.object and e.object["kind"] == "Pod"}
    assert pods == {p["metadata"]["name"] for p in cluster.store.list("Pod", "default")}
    got = {e.object["metadata"]["name"]: e.object for e in rec.events if e.object and e.object["kind"] == "Deployment"}
    assert got["frontend"]["status"] == cluster.get("Deployment", "default", "frontend")["status"]
