"""One entry point for every file k9py plays: plain manifests (optionally with a SimCluster
header), ``kind: Scenario`` (manifests + timeline) and ``kind: Recording`` (YAML, JSON Lines,
gzip). ``detect`` tells which; ``check`` lists every problem as ``FILE:LINE: what is wrong``;
``open_scenario`` returns something to run (a Cluster or a Player).

Reading and detecting live in ``source``, parsing in ``manifests`` and ``recording``, building
in ``loader``; their public names are re-exported here for the commands, backends and UI."""

from __future__ import annotations

from typing import Any

from k9py.errors import K9pyError
from k9py.scenario.eventlog import is_jsonl_recording, open_jsonl, open_jsonl_file, read_recording_bytes
from k9py.scenario.loader import build_cluster, load_cluster, warmup_of
from k9py.scenario.manifests import ScenarioFile, parse_file
from k9py.scenario.player import Player
from k9py.scenario.recording import parse_recording
from k9py.scenario.source import MANIFESTS, RECORDING, SCENARIO, Problems, detect, detect_text, read_text
from k9py.scenario.timeline import missing_targets
from k9py.sim.cluster import Cluster

__all__ = [
    "MANIFESTS", "RECORDING", "SCENARIO", "ScenarioFile", "build_cluster",
    "check", "detect", "detect_text", "load_scenario_cluster", "open_scenario", "parse_file", "read_text",
    "warmup_of",
]


def load_scenario_cluster(path: str, *, seed: int | None = None, start: float | None = None,
                          warmup: float | None = None) -> Cluster:
    """The cluster of a manifests or Scenario file (``loader.load_cluster`` without the demo default)."""
    return load_cluster(path, seed=seed, start=start, warmup=warmup)


def check(path: str) -> list[K9pyError]:
    """Every problem of the file (empty: it is fine). Files that parse are also built (with no
    warm-up), so what the simulated apiserver would refuse is reported too."""
    errors: list[K9pyError] = []
    notes: list[str] = []
    try:
        text = read_text(path, notes)
    except K9pyError as err:
        return [err]
    if detect_text(text, path) == RECORDING:
        parse_recording(path, text, errors)
        # a recording cut off (a half download) replays its whole lines, but is not ok
        return errors + [K9pyError(note) for note in notes]
    sf = parse_file(path, errors, text)
    if not errors:
        try:
            cluster = build_cluster(sf, warmup=0, errors=errors)
        except K9pyError as err:
            errors.append(err)
            return errors
        if errors:
            return errors
        if sf.scenario is not None and sf.header_node is not None:
            store = cluster.store
            problems = Problems(path, errors)
            where = f"document {sf.header.document} (Scenario)"
            for fe in missing_targets(sf.scenario, lambda kind, ns, name: store.get(kind, ns or None, name) is not None):
                problems.field(sf.header_node, where, fe)
    return errors


def open_scenario(path: str, *, seed: int | None = None, start: float | None = None,
                  warmup: float | None = None, notes: list[str] | None = None) -> tuple[str, Any]:
    """(RECORDING, Player) or (SCENARIO|MANIFESTS, Cluster), so callers that checked the kind use
    the second as what it is; K9pyError naming the first problem. ``notes``: a recording that
    ends early (gzip data cut off, a last line cut in the middle) says so there (its whole lines
    are played); without, such a recording is refused."""
    opened = open_jsonl_file(path)  # the common large case: indexed, its objects decoded when played
    if opened is not None:
        return RECORDING, Player(opened[0], feed=opened[1])
    data = read_recording_bytes(path, notes)
    if is_jsonl_recording(data):  # the same, gzipped
        rec, feed = open_jsonl(path, data)
        return RECORDING, Player(rec, feed=feed)
    text = data.decode("utf-8")
    del data
    kind = detect_text(text, path)
    if kind == RECORDING:
        return kind, Player(parse_recording(path, text))
    return kind, build_cluster(parse_file(path, text=text), seed=seed, start=start, warmup=warmup)
