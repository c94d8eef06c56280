"""The live backend's streams under churn: lines split per chunk read, a burst of watch events
handed to the event loop in a few wake-ups (not one per event), nothing lost or reordered; a
metrics poll waits for the list under way (a view's rows first)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from k9py.backends import live
from k9py.backends.events import Listed
from k9py.backends.live import LiveBackend, LiveOptions, _split_lines
from tests.backends.conftest import FAST, is_path, run, until


def texts(batches: Any) -> list[list[str]]:
    return [[text for _, text in lines] for lines in batches]


def test_split_lines_hands_on_each_chunks_complete_lines() -> None:
    chunks = [b'{"a":1}\n{"b"', b":2}\n\n", b"no end yet", b" still\nlast"]
    assert texts(_split_lines(iter(chunks), keep_empty=False)) == [['{"a":1}'], ['{"b":2}'], ["no end yet still"], ["last"]]
    assert texts(_split_lines(iter(chunks), keep_empty=True)) == [['{"a":1}'], ['{"b":2}', ""], ["no end yet still"], ["last"]]
    assert texts(_split_lines(iter([b"caf\xc3\xa9\n\xff\n"]), keep_empty=False)) == [["café", "\ufffd"]]
    assert not any(continues for lines in _split_lines(iter(chunks), keep_empty=True) for continues, _ in lines)


def test_a_log_line_longer_than_the_bound_comes_in_pieces_as_it_is_read() -> None:
    """A container drawing a progress bar (carriage returns, no newline) for hours: its one line
    grew without bound in k9py, copied again at each chunk read. A log stream hands a line longer
    than ``max_line`` bytes on in pieces as it comes, every byte kept, never cutting a character;
    each piece after a line's first says it continues one."""
    chunks = [b"0123", b"456789ab", b"cd\n", b"\xc3\xa9" * 5, b"z\n"]
    got = list(_split_lines(iter(chunks), keep_empty=True, max_line=4))
    assert got == [[(False, "0123"), (True, "4567")], [(True, "89ab"), (True, "cd")],
                   [(False, "\u00e9\u00e9"), (True, "\u00e9\u00e9")], [(True, "\u00e9z")]]
    assert "".join(text for lines in got for _, text in lines) == b"".join(chunks).replace(b"\n", b"").decode()
    exact = list(_split_lines(iter([b"abcd", b"efgh", b"\n", b"ij\n"]), keep_empty=True, max_line=4))
    assert exact == [[(False, "abcd")], [(True, "efgh")], [(False, "ij")]]  # (no empty line where a piece ends the line)
    unended = list(_split_lines(iter([b"ab\nabcdef"]), keep_empty=True, max_line=4))
    assert unended == [[(False, "ab")], [(False, "abcd"), (True, "ef")]]
    endless = _split_lines(iter([b"x" * 1000] * 10_000), keep_empty=True, max_line=1 << 16)  # 10 MB, no newline
    assert {len(line) for lines in texts(endless) for line in lines} == {1 << 16, 10_000_000 % (1 << 16)}
    assert texts(_split_lines(iter([b"x" * 10, b"y"]), keep_empty=False)) == [["x" * 10 + "y"]]  # (watches: no bound)


def test_a_burst_of_watch_events_wakes_the_loop_a_few_times(server: Any, kubeconfig: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    takes = []
    real_take = live._Stream._take

    def counting_take(self: Any) -> None:
        takes.append(len(self._posted))
        real_take(self)

    monkeypatch.setattr(live._Stream, "_take", counting_take)
    names = [f"cm-{i:03d}" for i in range(150)]
    store = server.cluster.store
    with server.cluster.lock:  # straight into the store: no controller has a say in ConfigMaps
        for n in names:
            store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n, "namespace": "default"},
                          "data": {"v": "0"}})

    async def main() -> list[str]:
        b = LiveBackend(LiveOptions(kubeconfig=kubeconfig, **FAST))
        rv = str(store.resource_version)
        stream = await b._open_stream("/api/v1/namespaces/default/configmaps",
                                      {"watch": "true", "resourceVersion": rv}, read_timeout=5.0,
                                      keep_empty=False, parse=json.loads, name="test-watch")
        with server.cluster.lock:  # a burst: every change before the watch is woken
            for n in names:
                store.mutate("ConfigMap", "default", n, lambda o: o["data"].update(v="1"))
        server.handle.api.notify()
        got = []
        async for ev in stream.items():
            assert ev["type"] == "MODIFIED" and ev["object"]["data"] == {"v": "1"}
            got.append(ev["object"]["metadata"]["name"])
            if len(got) == len(names):
                break
        stream.close()
        await b.close()
        return got

    assert run(main()) == names  # all of them, in order
    assert 0 < len(takes) < 20  # not one wake-up per event


def test_metrics_polls_wait_for_a_list_under_way(server: Any, kubeconfig: str) -> None:
    faults = server.faults
    faults.add(is_path("/api/v1/namespaces/default/configmaps", watch=False), faults.slow, times=1)
    metrics_path = "/apis/metrics.k8s.io/v1beta1/nodes"

    async def main() -> None:
        b = LiveBackend(LiveOptions(kubeconfig=kubeconfig, **FAST))
        await b.ensure_discovery()
        w = b.watch("ConfigMap", "default")
        first = asyncio.ensure_future(w.__anext__())
        await until(lambda: faults.count("GET", "/api/v1/namespaces/default/configmaps", watch=False) == 1,
                    "the list sent (and held by the server)")
        poll = asyncio.ensure_future(b.metrics("Node"))
        with pytest.raises(AssertionError):  # the poll waits while the list is under way
            await until(lambda: faults.count("GET", metrics_path) or poll.done(), "a metrics request", timeout=0.3)
        faults.gate.set()  # the list answers; then the poll goes
        assert isinstance(await first, Listed)
        assert {m["metadata"]["name"] for m in await poll} == {"minikube", "minikube-m02"}
        assert faults.count("GET", metrics_path) == 1
        await w.aclose()
        await b.close()

    run(main())
