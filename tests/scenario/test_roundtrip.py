"""Record → replay: a recording made from a scenario replays to the same objects at the same times."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from pathlib import Path

import pytest

from k9py.kube import resources
from k9py.scenario import files
from k9py.scenario.player import Player
from k9py.scenario.recorder import REDACTED, SimRecorder, sanitize
from k9py.scenario.recording import RecordingWriter, header_dict, parse_recording

SCENARIO = "scenarios/rolling-update.yaml"


def _record(tmp_path, name: str, times: list[float], **kw) -> tuple[str, dict[float, dict]]:
    """Record the rolling-update scenario, keeping the simulator's own state at ``times``."""
    sf = files.parse_file(SCENARIO)
    cluster = files.build_cluster(sf)
    out = str(tmp_path / name)
    writer = RecordingWriter(out, header_dict(cluster.now(), context="k9py-sim", server_version="v1.37.1-k9py",
                                              duration=max(times)))
    rec = SimRecorder(cluster, writer, **kw)
    truth: dict[float, dict] = {}
    elapsed = 0.0
    for t in times:
        rec.run(t - elapsed)
        elapsed = t
        truth[t] = {(k, o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
                    for k in rec.filter.kinds for o in cluster.store.list(k) if rec.filter.keep(o)}
    rec.close()
    return out, truth


@pytest.mark.parametrize("name", ["rec.jsonl", "rec.jsonl.gz", "rec.yaml"])
def test_replay_gives_the_recorded_objects_at_the_recorded_times(tmp_path, name):
    times = [0.0, 25.0, 95.0, 185.0] if name == "rec.jsonl" else [0.0, 95.0]
    path, truth = _record(tmp_path, name, times, logs="app=nginx")
    kind, player = files.open_scenario(path)
    assert kind == files.RECORDING
    for t in times:
        player.seek(t)
        got = player.state()
        assert set(got) == set(truth[t]), t
        for key, obj in truth[t].items():
            assert got[key] == obj, (t, key)  # verbatim: statuses, uids, resourceVersions
    # and the same after jumping around (checkpoints and backwards seeks)
    for t in reversed(times):
        player.seek(t)
        assert player.state() == truth[t]


def test_rolling_update_replays_the_stalled_rollout_and_the_undo(tmp_path):
    path, _ = _record(tmp_path, "r.jsonl", [200.0])
    player = Player(parse_recording(path, files.read_text(path)))
    def images(t):
        player.seek(t)
        return sorted(o["spec"]["containers"][0]["image"] for o in player.store.list("Pod", "default"))
    assert images(10) == ["nginx:1.24.0"] * 4
    assert images(89) == ["nginx:1.25.3"] * 4
    assert images(150).count("nginx:1.26-doesnotexist") == 1  # stalled: maxUnavailable 0
    assert images(200) == ["nginx:1.25.3"] * 4  # rollout undo


def test_logs_of_chosen_pods_are_recorded_with_their_times(tmp_path):
    path, _ = _record(tmp_path, "l.jsonl", [60.0], logs="app=nginx")
    events = [json.loads(x) for x in Path(path).read_text().splitlines()[1:]]
    logs = [e for e in events if e["type"] == "LOG"]
    assert logs and all(e["pod"].startswith("nginx-") and e["container"] == "nginx" for e in logs)
    ts = [e["t"] for e in events]
    assert ts == sorted(ts)


def test_written_line_by_line(tmp_path):
    """Each event is on disk as soon as it is written (a crash loses nothing written)."""
    out = str(tmp_path / "live.jsonl")
    w = RecordingWriter(out, header_dict(0.0, context="c"))
    w.write({"t": 0, "type": "ADDED", "object": {"kind": "Namespace", "metadata": {"name": "x"}}})
    assert Path(out).read_text().count("\n") == 2
    w.close()
    gz = str(tmp_path / "live.jsonl.gz")
    w = RecordingWriter(gz, header_dict(0.0, context="c"))
    w.write({"t": 0, "type": "ADDED", "object": {"kind": "Namespace", "metadata": {"name": "x"}}})
    # readable before close: the gzip stream is sync-flushed per line
    partial = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(Path(gz).read_bytes())
    assert partial.count(b"\n") == 2
    w.close()
    assert gzip.decompress(Path(gz).read_bytes()).decode().count("\n") == 2


class _DiskFull:
    """A file whose writes fail as a full disk's do, after ``room`` of them."""

    def __init__(self, inner, room: int) -> None:
        self.inner, self.room = inner, room

    def write(self, data):
        if self.room <= 0:
            raise OSError(28, "No space left on device")
        self.room -= 1
        return self.inner.write(data)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.mark.parametrize("name", ["live.jsonl", "live.jsonl.gz", "live.yaml"])
def test_a_full_disk_is_one_line_and_keeps_what_was_written(tmp_path, name):
    """k9py record onto a full disk ended in an OSError traceback (and its close in another)."""
    from k9py.errors import K9pyError
    out = str(tmp_path / name)
    w = RecordingWriter(out, header_dict(0.0, context="c"))
    w.write({"t": 0, "type": "ADDED", "object": {"kind": "Namespace", "metadata": {"name": "x"}}})
    if w._gz is not None:
        w._gz.fileobj = _DiskFull(w._raw, 0)
    else:
        w._out = _DiskFull(w._raw, 0)
    message = f"^{out}: cannot write the recording: No space left on device \\(the 1 events before it are kept\\)$"
    with pytest.raises(K9pyError, match=message):
        w.write({"t": 1, "type": "ADDED", "object": {"kind": "Namespace", "metadata": {"name": "y"}}})
    with pytest.raises(K9pyError, match=message):
        w.close()
    assert w._raw.closed
    if name.endswith(".gz"):
        kept = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(Path(out).read_bytes()).decode()
    else:
        kept = Path(out).read_text()
    assert '"x"' in kept or "name: x" in kept


def test_secrets_are_redacted_and_managed_fields_dropped():
    secret = {"kind": "Secret", "metadata": {"name": "db", "managedFields": [{"manager": "kubectl"}],
                                             "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{...}"}},
              "data": {"password": "aHVudGVyMg=="}, "stringData": {"user": "admin"}}
    out = sanitize(secret)
    assert out["data"] == {"password": REDACTED}
    assert out["stringData"] == {"user": "REDACTED"}
    assert "managedFields" not in out["metadata"] and out["metadata"]["annotations"] == {}
    assert secret["data"]["password"] == "aHVudGVyMg=="  # the original is untouched
    kept = sanitize(secret, include_secrets=True)
    assert kept["data"] == {"password": "aHVudGVyMg=="} and "managedFields" not in kept["metadata"]


def test_namespace_filter_keeps_cluster_scoped_objects(tmp_path):
    path, _truth = _record(tmp_path, "n.jsonl", [5.0], namespace="kube-system")
    rec = parse_recording(path, files.read_text(path))
    nss = {e.object["metadata"].get("namespace") for e in rec.events if e.object}
    assert nss <= {"kube-system", None}
    kinds = {e.object["kind"] for e in rec.events if e.object}
    assert "Node" in kinds and "Namespace" in kinds
    assert all(resources.BY_KIND[k] for k in kinds)


@pytest.mark.parametrize("name", ["live.jsonl", "live.yaml", "live.yaml.gz"])
def test_a_lone_surrogate_from_a_cluster_is_kept_and_the_recording_goes_on(tmp_path, name):
    """JSON from a cluster may hold "\\ud800", which UTF-8 cannot: written escaped, read back the same."""
    from k9py.scenario.recording import parse_recording
    from k9py.scenario.source import read_text

    out = str(tmp_path / name)
    w = RecordingWriter(out, header_dict(0.0, context="c"))
    odd = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "odd", "namespace": "default"},
           "data": {"k": "a\ud800b"}}
    w.write({"t": 0, "type": "ADDED", "object": odd})
    w.write({"t": 1, "type": "ADDED", "object": {**odd, "metadata": {"name": "next", "namespace": "default"},
                                                 "data": {"k": "ü"}}})
    w.close()
    rec = parse_recording(out, read_text(out))
    assert [(e.object or {})["data"]["k"] for e in rec.events] == ["a\ud800b", "ü"]


def test_a_gzip_recording_whose_writer_was_killed_replays_its_whole_lines(tmp_path):
    """k9py record -o x.jsonl.gz killed (SIGKILL, the machine down) leaves gzip without its
    trailer: the recording could not be opened at all (bad gzip data (it ends early)), though
    every line had been flushed for exactly this."""
    from k9py.errors import K9pyError
    out = tmp_path / "killed.jsonl.gz"
    w = RecordingWriter(str(out), header_dict(0.0, context="c"))
    for i in range(3):
        w.write({"t": i, "type": "ADDED", "object": {"apiVersion": "v1", "kind": "Namespace",
                                                     "metadata": {"name": f"n{i}"}}})
    torn = out.read_bytes()  # what a killed writer leaves: no trailer
    w.close()
    out.write_bytes(torn[:-3])  # and the last line cut mid-way too
    kind, player = files.open_scenario(str(out))
    assert kind == files.RECORDING and player.recording.last_t >= 1.0  # (events read up to t=1 at least)
    assert files.detect(str(out)) == files.RECORDING
    manifests = tmp_path / "m.yaml.gz"  # anything else that ends early is still refused
    manifests.write_bytes(gzip.compress(b"apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")[:-8])
    with pytest.raises(K9pyError, match="bad gzip data \\(it ends early\\)"):
        files.open_scenario(str(manifests))


def test_a_gzip_recording_cut_off_is_not_ok_for_check_and_replay_says_so(tmp_path, capsys):
    """A half download of a .jsonl.gz passed `k9py scenario check` as ok and replayed without a
    word: its whole lines still replay, and check (exit 2), replay (a flash) and serve (stderr)
    say it ends early and how many whole lines were kept."""
    from k9py.backends.replay import ReplayBackend
    from k9py.commands import cmd_check
    out = tmp_path / "half.jsonl.gz"
    w = RecordingWriter(str(out), header_dict(0.0, context="c"))
    for i in range(40):
        w.write({"t": i, "type": "ADDED", "object": {"apiVersion": "v1", "kind": "Namespace",
                                                     "metadata": {"name": f"namespace-{i}", "labels": {"i": str(i)}}}})
    w.close()
    whole = gzip.decompress(out.read_bytes())
    out.write_bytes(out.read_bytes()[:len(out.read_bytes()) // 2])
    kept = gzip.GzipFile(fileobj=io.BytesIO(out.read_bytes()))
    with pytest.raises(EOFError):
        kept.read()
    lines = sum(1 for _ in whole.splitlines())
    assert lines == 41
    said = io.StringIO()
    assert cmd_check([str(out)], said) == 2
    text = said.getvalue()
    assert ": ok (" not in text and text.startswith(f"{out}: the gzip data ends early (a download cut off, or its "
                                               "recorder killed): its ")
    n = int(text.split("killed): its ")[1].split(" ")[0])
    assert 1 < n < 41 and text.endswith(f"its {n} whole lines kept, the rest is missing\n")
    replay = ReplayBackend.open(str(out))
    assert replay.notes == [text.strip()]
    assert replay.player.recording.last_t == n - 2  # (the header, then t=0, 1, ...)
