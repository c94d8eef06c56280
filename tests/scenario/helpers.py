"""Small recordings for the scenario tests."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from k9py.scenario.player import Player
from k9py.scenario.recording import parse_recording

START = "2026-11-01T09:00:00Z"


def pod(name: str, phase: str = "Running", ns: str = "default", **status: Any) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]},
            "status": {"phase": phase, **status}}


def jsonl(events: list[dict], **header: Any) -> str:
    head = {"kind": "Recording", "version": 1, "start": START, "context": "prod", "serverVersion": "v1.30.2", **header}
    return "\n".join(json.dumps(x) for x in [head, *events]) + "\n"


def player_of(events: list[dict], **kw: Any) -> Player:
    return Player(parse_recording("mem.jsonl", jsonl(events)), **kw)


def write(tmp_path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return str(p)


def phases(player: Player) -> dict[str, str]:
    return {o["metadata"]["name"]: o["status"]["phase"] for o in player.store.list("Pod")}
