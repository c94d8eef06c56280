"""`k9py replay` of a gzip recording cut off (a half download) replayed its whole lines without
a word: it still does, and the first flash says the file ends early and how much of it was kept."""

from __future__ import annotations

import asyncio

from k9py.backends.replay import ReplayBackend
from k9py.cli import build_parser
from k9py.config.user import UserConfig
from k9py.scenario.recording import RecordingWriter, header_dict
from k9py.ui.launch import build_app


def _pod(i: int) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"web-{i}", "namespace": "default", "uid": f"u{i}",
                         "creationTimestamp": "2024-01-01T00:00:00Z"},
            "spec": {"nodeName": "n", "containers": [{"name": "c", "image": "nginx"}]},
            "status": {"phase": "Running"}}


def test_replay_of_a_recording_cut_off_flashes_that_it_ends_early(tmp_path):
    path = tmp_path / "half.jsonl.gz"
    w = RecordingWriter(str(path), header_dict(0.0, context="c"))
    w.write({"t": 0, "type": "ADDED", "object": {"apiVersion": "v1", "kind": "Namespace",
                                                 "metadata": {"name": "default", "uid": "ns"}}})
    for i in range(40):
        w.write({"t": i / 100, "type": "ADDED", "object": _pod(i)})
    w.close()
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    backend = ReplayBackend.open(str(path), at=1.0)
    assert len(backend.notes) == 1 and "ends early" in backend.notes[0]

    async def main():
        app = build_app(build_parser().parse_args(["replay", str(path)]), backend, user=UserConfig(), manual=True)
        async with app.run_test(size=(160, 45)) as pilot:
            await app.pump()
            await pilot.pause()
            assert app.flash_text == backend.notes[0]
            assert app.flash_text.startswith(f"{path}: the gzip data ends early (a download cut off, or its "
                                             "recorder killed): its ")
    asyncio.run(main())
