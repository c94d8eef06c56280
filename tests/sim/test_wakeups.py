"""Each controller asks for its own wake-ups: at a wake-up only the controllers that asked for it
run (and those whose kinds changed), so one with time-driven work it did not ask for would
never do it. Checked by running, at every wake-up, each controller that is neither due nor
dirty: one that writes must have a wake-up of its own coming within half a second (the kubelet
wakes on a half-second grid: run earlier, it does then what that wake-up would)."""

from __future__ import annotations

import glob
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest

from k9py.scenario import files
from k9py.scenario.generate import generate
from k9py.scenario.source import RECORDING, detect_text
from k9py.sim.cluster import EVERYONE, Cluster
from k9py.sim.kubelet import WAKE_GRID

ROOT = __file__.rsplit("/tests/", 1)[0]
SIMULATED = [p for p in sorted(glob.glob(f"{ROOT}/scenarios/*.yaml"))
             if detect_text(Path(p).read_text(encoding="utf-8")) != RECORDING]  # (a recording simulates nothing)


def _watching(monkeypatch: Any) -> list[tuple[str, float]]:
    """(controller, time) of every controller that wrote when it was not woken, with no wake-up
    of its own coming within WAKE_GRID."""
    strays: list[tuple[str, float]] = []
    settle = Cluster.settle

    def checked(self: Cluster, *, woke: bool | Collection[int] = False) -> None:
        if woke is not True and woke is not False:
            for i, c in enumerate(self.controllers):
                if i in woke or self._is_dirty(i, c):
                    continue
                before = self.store.resource_version
                self._running, self.component = i, c
                try:
                    c.reconcile(self)
                finally:
                    self._running, self.component = EVERYONE, None
                soon = self.now() + WAKE_GRID
                if self.store.resource_version != before and not any(
                        who in (i, EVERYONE) and t <= soon for t, who in self._wakeups):
                    strays.append((type(c).__name__, self.now()))
        settle(self, woke=woke)
    monkeypatch.setattr(Cluster, "settle", checked)
    return strays


def test_the_bundled_scenarios_are_found() -> None:
    assert len(SIMULATED) >= 8


@pytest.mark.source_build
@pytest.mark.parametrize("path", SIMULATED, ids=lambda p: p.rsplit("/", 1)[1])
def test_bundled_scenarios_need_no_wakeup_they_did_not_ask_for(path: str, monkeypatch: Any) -> None:
    strays = _watching(monkeypatch)
    cluster = files.load_scenario_cluster(path, seed=7)
    cluster.advance(600)
    assert strays == []


@pytest.mark.source_build
def test_a_generated_cluster_under_churn_needs_none_either(tmp_path: Any, monkeypatch: Any) -> None:
    strays = _watching(monkeypatch)
    path = tmp_path / "churn.yaml"
    path.write_text(generate(150, 6, seed=3, churn=30), encoding="utf-8")
    cluster = files.build_cluster(files.parse_file(str(path)), warmup=20)
    cluster.advance(60)
    assert strays == []
