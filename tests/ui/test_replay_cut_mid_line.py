"""A plain JSON Lines recording cut in the middle of a line (a half download, `k9py record -o
x.jsonl` killed as it wrote) was refused outright (`not valid JSON`), though its whole lines
could be played as a killed gzip recording's are: they play now, and replay, serve, check and a
`--watch` reload say where it was cut and how much was kept."""

from __future__ import annotations

import asyncio
import gzip
import io

import pytest

from k9py.backends.replay import ReplayBackend
from k9py.commands import cmd_check
from k9py.errors import K9pyError
from k9py.scenario import files
from k9py.scenario import reload as reload_mod
from k9py.scenario.recording import RecordingWriter, header_dict
from k9py.ui.app import K9pyApp


def _recording(path, pods: int = 40, *, label: str = "web") -> bytes:
    w = RecordingWriter(str(path), header_dict(0.0, context="c"))
    w.write({"t": 0, "type": "ADDED", "object": {"apiVersion": "v1", "kind": "Namespace",
                                                 "metadata": {"name": "default", "uid": "ns"}}})
    for i in range(pods):
        w.write({"t": i / 10, "type": "ADDED",
                 "object": {"apiVersion": "v1", "kind": "Pod",
                            "metadata": {"name": f"{label}-{i}", "namespace": "default", "uid": f"u{i}",
                                         "labels": {"note": "grüße"}},
                            "spec": {"nodeName": "n", "containers": [{"name": "c", "image": "nginx"}]},
                            "status": {"phase": "Running"}}})
    w.close()
    return path.read_bytes()


def _cut(data: bytes, line: int, within: int) -> bytes:
    """``data`` cut ``within`` bytes into its line ``line`` (1-based)."""
    start = 0
    for _ in range(line - 1):
        start = data.index(b"\n", start) + 1
    return data[:start + within]


def test_a_plain_recording_cut_mid_line_plays_its_whole_lines_and_says_so(tmp_path):
    path = tmp_path / "half.jsonl"
    data = _recording(path)
    path.write_bytes(_cut(data, 31, 50))  # the header, the namespace, 28 pods whole, the 29th cut
    backend = ReplayBackend.open(str(path), at=100)
    assert backend.notes == [f"{path}: line 31 ends in the middle (a download cut off, or its recorder killed): "
                             "its 30 whole lines kept, the rest is missing"]
    pods = sorted(o["metadata"]["name"] for o in backend.player.store.list("Pod"))
    assert len(pods) == 28 and pods[-1] == "web-9" and "web-27" in pods and "web-28" not in pods
    with pytest.raises(K9pyError, match=r"half\.jsonl:31: not valid JSON"):  # a caller that cannot say so
        files.open_scenario(str(path))
    said = io.StringIO()
    assert cmd_check([str(path)], said) == 2  # not ok: the rest is missing
    assert said.getvalue() == backend.notes[0] + "\n"


def test_a_character_cut_in_two_at_the_end_is_a_line_cut_too(tmp_path):
    path = tmp_path / "half.jsonl"
    data = _recording(path)
    start = len(_cut(data, 20, 0))
    assert "ü".encode() in data[start:data.index(b"\n", start)]  # (written as UTF-8)
    path.write_bytes(data[:data.index("ü".encode(), start) + 1])  # the 20th line cut in the middle of its ü
    backend = ReplayBackend.open(str(path), at=100)
    assert "line 20 ends in the middle" in backend.notes[0] and len(backend.player.store.list("Pod")) == 17


def test_a_last_line_without_its_newline_is_whole_and_a_bad_line_before_it_is_still_refused(tmp_path):
    path = tmp_path / "r.jsonl"
    data = _recording(path)
    path.write_bytes(data[:-1])  # hand-written: no newline at the end
    backend = ReplayBackend.open(str(path), at=100)
    assert backend.notes == [] and len(backend.player.store.list("Pod")) == 40
    lines = data.split(b"\n")
    lines[5] = lines[5][:40]  # a line in the middle cut: that is no download cut off
    path.write_bytes(b"\n".join(lines))
    with pytest.raises(K9pyError, match=r"r\.jsonl:6: not valid JSON"):
        ReplayBackend.open(str(path))


def test_a_watched_recording_saved_cut_off_is_played_and_the_flash_says_it_was_cut(tmp_path, monkeypatch):
    """`k9py replay --watch`: a save that leaves the file cut in the middle of a line played
    its whole lines and flashed `scenario reloaded` as if it were whole."""
    path = tmp_path / "r.jsonl"
    _recording(path, 5)
    saves: list = []

    async def fake_watch(watched, on_save, **_kw):  # the save is the test's to make
        saves.append(on_save)
        await asyncio.Event().wait()

    monkeypatch.setattr(reload_mod, "watch_file", fake_watch)

    async def main():
        backend = ReplayBackend.open(str(path), at=100)
        backend.hot_reload = True
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=(120, 30)) as pilot:
            await app.pump()
            backend._start_hot_reload()  # (what ``start`` does, without the real-time driver)
            await pilot.pause()
            assert saves
            data = _recording(path, 20, label="api")
            path.write_bytes(_cut(data, 12, 30))
            await saves[0]()
            await app.pump()
            await pilot.pause()
            assert app.flash_text == (f"scenario reloaded: restarted from t=0 | {path}: line 12 ends in the middle "
                                      "(a download cut off, or its recorder killed): its 11 whole lines kept, "
                                      "the rest is missing")
            assert app.query_one("#flash").level == "warn"
            path.write_bytes(gzip.compress(data)[:-200])  # a gzip one cut off (a killed recorder) said so too
            await saves[0]()
            await pilot.pause()
            assert app.flash_text.startswith(f"scenario reloaded: restarted from t=0 | {path}: the gzip data ends early")
            path.write_bytes(data)  # whole again: nothing more to say
            await saves[0]()
            await pilot.pause()
            assert app.flash_text == "scenario reloaded: restarted from t=0"
    asyncio.run(main())


def test_a_recording_cut_in_its_header_line_says_so_not_in_yaml_s_words(tmp_path):
    """Cut within its first line (or that line broken), a .jsonl recording was read as YAML
    manifests: `scenario check` said `document 1: yaml: found unexpected end of stream` and
    `k9py replay` called it "a manifests file". It is the Recording's header line that is cut."""
    path = tmp_path / "head.jsonl"
    data = _recording(path, pods=2)
    path.write_bytes(_cut(data, 1, 30))
    said = io.StringIO()
    assert cmd_check([str(path)], said) == 2
    assert said.getvalue() == (f"{path}:1: the header line ends in the middle (a download cut off, or its "
                               "recorder killed): nothing to play\n")
    with pytest.raises(K9pyError, match=r"head\.jsonl:1: the header line ends in the middle"):
        ReplayBackend.open(str(path))
    path.write_bytes(b'{"kind": Recording}\n' + data[data.index(b"\n") + 1:])
    with pytest.raises(K9pyError, match=r"head\.jsonl:1: the header line is not valid JSON: Expecting value \(column 10\)$"):
        ReplayBackend.open(str(path))
    assert files.detect(str(path)) == files.RECORDING
