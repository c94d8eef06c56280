"""The bundled scenarios (``scenarios/*.yaml``): by name wherever a file is accepted (``resolve``),
with their kind, title and description for pickers and ``k9py scenario list``."""

from __future__ import annotations

import difflib
import glob
import os
import re
import sys
from dataclasses import dataclass
from importlib import resources as importlib_resources
from typing import TextIO

from k9py.errors import K9pyError
from k9py.scenario import files

SUFFIX = ".yaml"
TITLE_WIDTH = 70


@dataclass(frozen=True)
class Entry:
    name: str          # file name without .yaml
    kind: str          # files.MANIFESTS | SCENARIO | RECORDING
    description: str
    path: str
    title: str = ""    # a few words: the leading comment's (or the description's) head


def bundled_dir() -> str:
    return str(importlib_resources.files("k9py") / "data" / "scenarios")


def names(directory: str | None = None) -> dict[str, str]:
    """Bundled name → path (nothing is parsed)."""
    paths = sorted(glob.glob(os.path.join(directory or bundled_dir(), "*" + SUFFIX)))
    return {os.path.basename(p)[: -len(SUFFIX)]: p for p in paths}


def resolve(arg: str, directory: str | None = None) -> str:
    """A file given on the command line: an existing path as is, else a bundled scenario's
    name (``crashloop``, ``crashloop.yaml``). K9pyError otherwise, naming close names."""
    if not arg.strip():
        raise K9pyError(f"an empty name: give a scenario file or a bundled scenario's name ({', '.join(names(directory))})")
    if os.path.isdir(arg):
        raise K9pyError("is a directory, not a scenario file", file=arg)
    if os.path.exists(arg):
        return arg
    if os.sep in arg:  # a path: the file is missing
        raise K9pyError("no such file", file=arg)
    known = names(directory)
    name = arg.removesuffix(SUFFIX)
    if name in known:
        return known[name]
    close = [n for n in known if name and name in n][:3] or difflib.get_close_matches(name, list(known), n=3)
    hint = f"did you mean {' or '.join(close)}?" if close else f"bundled: {', '.join(known)}"
    raise K9pyError(f"no such file or bundled scenario ({hint})", file=arg)


def _title(comment: list[str], description: str) -> str:
    """The head of the leading comment (up to its first colon or full stop), else of the
    description (up to its first semicolon or full stop), at most TITLE_WIDTH characters."""
    text = " ".join(comment)
    head = re.split(r":\s|\.\s|\.$", text, maxsplit=1)[0].strip() if text else ""
    if not head:
        head = re.split(r";\s|\.\s|\.$", description, maxsplit=1)[0].strip()
    return head if len(head) <= TITLE_WIDTH else head[: TITLE_WIDTH - 1].rstrip() + "…"


def describe(path: str) -> Entry:
    name = os.path.basename(path).rsplit(SUFFIX, 1)[0]
    text = files.read_text(path)
    kind = files.detect_text(text, path)
    comment = []
    for ln in text.splitlines():
        if not ln.startswith("#"):
            break
        comment.append(ln.lstrip("#").strip())
    comment = [x for x in comment if x]
    desc = ""
    if kind == files.RECORDING:
        from k9py.scenario.recording import parse_recording
        desc = parse_recording(path, text, []).description
    elif kind == files.SCENARIO:
        sf = files.parse_file(path, [], text)
        desc = sf.scenario.description if sf.scenario else ""
    else:  # manifests: the leading comment block is the description
        desc = " ".join(comment)
    desc = " ".join(desc.split())
    return Entry(name, kind, desc, path, _title(comment, desc))


_described: dict[str, tuple[tuple[int, int], Entry | None]] = {}


def _described_once(path: str) -> Entry | None:
    """``describe(path)``, or None for an unreadable file, worked out again only when the file
    changed (its size or modification time): `:scenarios` opens on the event loop, and parsing
    the ten bundled files (a 187 KB recording among them) took 130 ms of it each time."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    stamp = (st.st_mtime_ns, st.st_size)
    known = _described.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    try:
        entry: Entry | None = describe(path)
    except K9pyError:
        entry = None
    _described[path] = (stamp, entry)
    return entry


def bundled(directory: str | None = None) -> list[Entry]:
    """Every bundled file, by name; unreadable ones are skipped."""
    return [e for e in map(_described_once, names(directory).values()) if e is not None]


def cmd_list(out: TextIO | None = None) -> int:
    """``k9py scenario list``: NAME, KIND, TITLE and PATH, one bundled file a line."""
    out = out or sys.stdout
    entries = bundled()
    rows = [("NAME", "KIND", "TITLE", "PATH")] + [(e.name, e.kind, e.title, e.path) for e in entries]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        print(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}", file=out)
    return 0
