"""The bundled scenarios (``scenarios/*.yaml``) with their kind and description, for pickers and
``k9py scenario list``."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from importlib import resources as importlib_resources

from k9py.errors import K9pyError
from k9py.scenario import files


@dataclass(frozen=True)
class Entry:
    name: str          # file name without .yaml
    kind: str          # files.MANIFESTS | SCENARIO | RECORDING
    description: str
    path: str


def bundled_dir() -> str:
    return str(importlib_resources.files("k9py") / "data" / "scenarios")


def describe(path: str) -> Entry:
    name = os.path.basename(path).rsplit(".yaml", 1)[0]
    text = files.read_text(path)
    kind = files.detect_text(text)
    desc = ""
    if kind == files.RECORDING:
        from k9py.scenario.recording import parse_recording
        desc = parse_recording(path, text, []).description
    elif kind == files.SCENARIO:
        sf = files.parse_file(path, [], text)
        desc = sf.scenario.description if sf.scenario else ""
    else:  # manifests: the leading comment block is the description
        lines = []
        for ln in text.splitlines():
            if not ln.startswith("#"):
                break
            lines.append(ln.lstrip("#").strip())
        desc = " ".join(x for x in lines if x)
    return Entry(name, kind, " ".join(desc.split()), path)


def bundled(directory: str | None = None) -> list[Entry]:
    """Every bundled file, by name; unreadable ones are skipped."""
    out = []
    for path in sorted(glob.glob(os.path.join(directory or bundled_dir(), "*.yaml"))):
        try:
            out.append(describe(path))
        except K9pyError:
            continue
    return out


def cmd_list() -> int:
    entries = bundled()
    width = max((len(e.name) for e in entries), default=4)
    for e in entries:
        print(f"{e.name:<{width}}  {e.kind:<9}  {e.description}")
    return 0
