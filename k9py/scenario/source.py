"""Reading any file k9py plays: its text, its format, its documents with line positions, and the
problems found on the way.

Every format is parsed through here: ``files`` (plain manifests, ``kind: Scenario``) and
``recording`` (``kind: Recording``, YAML or JSON Lines). Problems read the same in all of them,
``FILE:LINE: document: field: what is wrong``, and go to a ``Problems`` collector that raises the
first one (loading a file) or keeps every one (``k9py scenario check``).
"""

from __future__ import annotations

import json
import os
import re
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from k9py.errors import K9pyError
from k9py.scenario.schema import RECORDING_KIND, SCENARIO_KIND, FieldError
from k9py.scenario.yamldoc import Document, Lines, YamlError, line_of, load_fast, parse_documents

MANIFESTS, SCENARIO, RECORDING = "manifests", "scenario", "recording"
_KIND_LINE = re.compile(r"""^kind:\s*["']?([A-Za-z0-9]+)["']?\s*(#.*)?$""")


class Problems:
    """Where a parser reports what is wrong with ``path``: with no ``sink`` the first problem
    raises (K9pyError); with one, every problem is appended there and parsing goes on."""

    def __init__(self, path: str, sink: list[K9pyError] | None = None) -> None:
        self.path = path
        self.sink = sink

    def add(self, message: str, *, line: int | None = None, document: str | None = None,
            field: str | None = None) -> None:
        err = K9pyError(message, file=self.path, line=line, document=document, field=field)
        if self.sink is None:
            raise err
        self.sink.append(err)

    def field(self, node: Lines, document: str, err: FieldError) -> None:
        """A schema problem, at the line of its field under ``node``."""
        self.add(err.message, line=line_of(node, err.field), document=document, field=err.field or None)


# -- text ------------------------------------------------------------------------------------------

MIB = 1 << 20
MAX_FILE_BYTES = 128 * MIB  # a file k9py reads (a recording may be large), gunzipped included
MAX_DOCUMENTS_BYTES = 16 * MIB  # manifests and scenarios: parsed with positions, much slower
GZIP_CHUNK = MIB


def read_bytes(path: str, *, limit: int = MAX_FILE_BYTES, what: str = "a scenario file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, else K9pyError saying why: a FIFO,
    a device or a directory would block or never end, a huge file would not fit."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):  # (a dotfiles manager's link whose file went)
            raise K9pyError(f"no such file: a symbolic link to {os.readlink(path)}, which is not there", file=path) from None
        raise K9pyError("no such file", file=path) from None
    except OSError as err:
        raise K9pyError(f"cannot read: {err.strerror or err}", file=path) from None
    if stat.S_ISDIR(st.st_mode):
        raise K9pyError(f"is a directory, not {what}", file=path)
    if not stat.S_ISREG(st.st_mode):
        raise K9pyError(f"is not a regular file (a FIFO, device or socket), not {what}", file=path)
    if st.st_size > limit:
        raise K9pyError(f"too large: {st.st_size / MIB:.1f} MiB (k9py reads files up to {limit // MIB} MiB)", file=path)
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as err:
        raise K9pyError(f"cannot read: {err.strerror or err}", file=path) from None
    if len(data) > limit:  # it grew while being read
        raise K9pyError(f"too large: over {limit // MIB} MiB (k9py reads files up to {limit // MIB} MiB)", file=path)
    return data


class EndsEarly(K9pyError):
    """Gzip data that stops before its end (no trailer): ``inflated`` is what it held."""

    def __init__(self, path: str, inflated: bytes) -> None:
        super().__init__("cannot read: bad gzip data (it ends early)", file=path)
        self.inflated = inflated


def gunzip(data: bytes, path: str, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """Gzip data inflated to at most ``limit`` bytes (a gzip bomb stops there with K9pyError);
    data that stops before its end: EndsEarly."""
    out = bytearray()
    pending = data
    try:
        while pending:  # member after member, as gzip does
            inflater = zlib.decompressobj(wbits=31)
            while not inflater.eof:
                chunk = inflater.decompress(pending, GZIP_CHUNK)
                pending = inflater.unconsumed_tail
                out += chunk
                if len(out) > limit:
                    raise K9pyError(f"gzip data inflates beyond {limit // MIB} MiB (k9py reads files up to "
                                    f"{limit // MIB} MiB)", file=path)
                if not chunk and not pending:
                    raise EndsEarly(path, bytes(out))
            pending = inflater.unused_data
    except zlib.error as err:
        raise K9pyError(f"cannot read: bad gzip data ({err})", file=path) from None
    return bytes(out)


def read_text(path: str, notes: list[str] | None = None) -> str:
    """The file's text (gunzipped if it is gzip), or K9pyError; ``notes``: ``inflate``'s and
    ``without_cut_line``'s (without, a recording cut off is read as it is)."""
    data = whole_bytes(path, notes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise not_utf8(err, path) from None


def whole_bytes(path: str, notes: list[str] | None = None) -> bytes:
    """The file's bytes gunzipped if gzip, a plain recording's line cut in the middle left out
    (``notes`` say so), not yet checked to be UTF-8."""
    data = read_bytes(path)
    if data[:2] == b"\x1f\x8b":
        data = inflate(data, path, notes)  # (a recording whose writer was killed: its whole lines)
    return without_cut_line(data, path, notes)  # (a plain one cut in the middle of a line: the same)


def not_utf8(err: UnicodeDecodeError, path: str) -> K9pyError:
    return K9pyError(f"cannot read: not UTF-8 text ({err.reason} at byte {err.start})", file=path)


def inflate(data: bytes, path: str, notes: list[str] | None = None) -> bytes:
    """Gzip data inflated (``gunzip``), or, when it ends early, a JSON Lines Recording's whole
    lines: ``k9py record -o x.jsonl.gz`` killed (SIGKILL, the machine down) leaves gzip without
    its trailer, each line flushed before it; the line being written when it stopped is left
    out. Anything else that ends early is the error it is. A recording cut off is still said to
    be (a half download plays as far as it goes): ``notes`` gets ``ends_early_note``'s line."""
    try:
        return gunzip(data, path)
    except EndsEarly as err:
        whole = _whole_lines(err)
        if notes is not None:
            notes.append(ends_early_note(path, whole.count(b"\n")))
        return whole


def ends_early_note(path: str, lines: int) -> str:
    return (f"{path}: the gzip data ends early (a download cut off, or its recorder killed): "
            f"its {lines} whole line{'' if lines == 1 else 's'} kept, the rest is missing")


def without_cut_line(data: bytes, path: str, notes: list[str] | None) -> bytes:
    """A JSON Lines Recording's bytes without its last line when that line was cut in the
    middle (no newline after it, and not JSON: a download cut off, ``k9py record`` killed as it
    wrote a line), so the whole lines before it play as a gzip recording cut off does; ``notes``
    says so. Anything else (or with no ``notes`` to say it in) is returned as it is."""
    if notes is None or not data or data.endswith(b"\n"):
        return data
    cut = data.rfind(b"\n") + 1
    if not cut:  # one line: the header alone is no JSON Lines Recording
        return data
    head = json_lines_header(data[:data.find(b"\n")].decode("utf-8", "replace") + "\n")
    if head is None or head.get("kind") != RECORDING_KIND:
        return data
    try:
        json_loads(data[cut:])
        return data  # a whole last line, only without its newline
    except ValueError:  # (a character cut in two too: UnicodeDecodeError is one)
        pass
    lines = data.count(b"\n", 0, cut)
    notes.append(f"{path}: line {lines + 1} ends in the middle (a download cut off, or its recorder killed): "
                 f"its {lines} whole line{'' if lines == 1 else 's'} kept, the rest is missing")
    return data[:cut]


def _whole_lines(err: EndsEarly) -> bytes:
    whole = err.inflated[:err.inflated.rfind(b"\n") + 1]
    try:
        head = json_lines_header(whole.decode("utf-8"))
    except UnicodeDecodeError:
        head = None
    if head is None or head.get("kind") != RECORDING_KIND:
        raise err
    return whole


# -- documents -------------------------------------------------------------------------------------

def yaml_documents(text: str, problems: Problems, *, name_document: bool = True) -> list[Document] | None:
    """Every YAML document of ``text`` (empty ones as None data), or None after reporting the
    syntax error (naming the document that holds it, unless ``name_document`` is False)."""
    if len(text) > MAX_DOCUMENTS_BYTES:
        problems.add(f"too large for manifests or a scenario: {len(text) / MIB:.1f} MiB (at most "
                     f"{MAX_DOCUMENTS_BYTES // MIB} MiB; a recording may be up to {MAX_FILE_BYTES // MIB} MiB)")
        return None
    try:
        return parse_documents(text)
    except YamlError as found:
        err = found  # reported outside the handler: a raised problem has no YAML traceback behind it
    document = f"document {_document_at(text, err.line)}" if name_document and err.line else None
    problems.add(err.message, line=err.line, document=document)
    return None


def _document_at(text: str, line: int) -> int:
    """The 1-based index of the YAML document holding ``line`` (for syntax errors, which come
    before any document is parsed): ``---`` separators above it, a leading one not counted."""
    lines = text.splitlines()[:max(0, line - 1)]
    seps = [i for i, ln in enumerate(lines) if _is_separator(ln)]
    content = [i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith(("#", "%"))]
    leading = 1 if seps and content and content[0] == seps[0] else 0
    return max(1, len(seps) - leading + 1)


@dataclass
class JsonLine:
    line: int  # 1-based line number in the file
    data: Any


BOM = "\ufeff"  # what Windows' editors and PowerShell put before UTF-8 text


def leading_space(text: str) -> str:
    """``text`` without the blanks (and a byte order mark) before its first line: a JSON Lines
    Recording saved with a BOM was read as YAML (``expected '<document start>', but found '{'``)."""
    return text.lstrip().removeprefix(BOM).lstrip()


def json_lines_header(text: str) -> dict[str, Any] | None:
    """The header of a JSON Lines file (its first line, a JSON object), or None when ``text`` is
    not JSON Lines. One line holding ``events`` is a whole YAML (flow style) Recording instead."""
    stripped = leading_space(text)
    if not stripped.startswith("{"):
        return None
    first, _, rest = stripped.partition("\n")
    try:
        head = json_loads(first)
    except ValueError:
        return None
    if not isinstance(head, dict) or (not rest.strip() and "events" in head):
        return None
    return head


def broken_json_lines_header(text: str, path: str, head: dict[str, Any] | None) -> bool:
    """Whether ``text`` is a ``.jsonl`` file whose first line should be a Recording's header
    but is no JSON object (``head``: ``json_lines_header(text)``): cut, or broken."""
    return head is None and path.endswith((".jsonl", ".jsonl.gz")) and leading_space(text).startswith("{")


class JsonTooDeep(ValueError):
    """JSON nested deeper than Python's decoder goes (its stack: ``json.loads`` raised
    RecursionError, which ended `k9py replay` and `scenario check` with a traceback)."""


def json_loads(raw: str | bytes, **kw: Any) -> Any:
    """``json.loads``; ValueError for any JSON it cannot read (``JsonTooDeep`` for one nested too deep)."""
    try:
        return json.loads(raw, **kw)
    except RecursionError:
        raise JsonTooDeep("nested too deep") from None


def json_problem(err: ValueError) -> str:
    """What is wrong with JSON ``json_loads`` refused: its message and column, a number too
    long for Python's int (``sys.get_int_max_str_digits``, a plain ValueError), or nesting."""
    if isinstance(err, json.JSONDecodeError):
        return f"{err.msg} (column {err.colno})"
    if isinstance(err, JsonTooDeep):
        return "nested too deep to read (a Kubernetes object nests a few dozen levels)"
    return "a number too large (more than 4300 digits)"


def json_lines(text: str, problems: Problems) -> Iterator[JsonLine]:
    """Every line of a JSON Lines file (``json_lines_header`` said it is one), parsed as it is
    reached, so problems come in file order: blank lines are skipped, one that is not JSON is
    reported and skipped."""
    for n, raw in enumerate(text.removeprefix(BOM).split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            data = json_loads(raw)
        except ValueError as err:  # (a number of more than 4300 digits is no JSONDecodeError)
            problems.add(f"not valid JSON: {json_problem(err)}", line=n)
            continue
        yield JsonLine(n, data)


# -- format ----------------------------------------------------------------------------------------

def detect(path: str) -> str:
    return detect_text(read_text(path), path)


def detect_text(text: str, path: str = "") -> str:
    """MANIFESTS, SCENARIO or RECORDING, from the first document (or JSON line), reading as
    little of the text as it can (recordings are large). A ``.jsonl`` file whose first line is
    no JSON object (cut, broken) is a Recording too, for its reader to say what is wrong there."""
    head = json_lines_header(text)
    if head is not None and head.get("kind") == RECORDING_KIND:
        return RECORDING
    if broken_json_lines_header(text, path, head):
        return RECORDING
    first_doc = _first_document_text(text)
    if first_doc is not None:
        for line in first_doc.splitlines():  # a top-level `kind:` line says it without parsing
            m = _KIND_LINE.match(line)
            if m:
                return _format_of(m.group(1))
        try:
            data = next(iter(load_fast(first_doc)), None)
        except (yaml.YAMLError, YamlError):
            data = None
        if isinstance(data, dict):
            return _format_of(data.get("kind"))
    try:
        docs = parse_documents(text)
    except YamlError:
        # kind: lines at the top level still tell the kind of a file with a YAML error further on
        for ln in text.splitlines():
            if ln.startswith("kind:"):
                return _format_of(ln.split(":", 1)[1].strip().strip("'\""))
        return MANIFESTS
    first = next((doc.data for doc in docs if doc.data is not None), None)
    return _format_of(first.get("kind")) if isinstance(first, dict) else MANIFESTS


def _format_of(kind: object) -> str:
    if kind == SCENARIO_KIND:
        return SCENARIO
    if kind == RECORDING_KIND:
        return RECORDING
    return MANIFESTS


def _is_separator(line: str) -> bool:
    return line == "---" or line.startswith(("--- ", "---\t"))


def _first_document_text(text: str) -> str | None:
    """The text of the first non-empty YAML document (without parsing the rest: files can be
    large), or None when it cannot be told cheaply."""
    chunk: list[str] = []
    for line in text.splitlines():
        if _is_separator(line):
            if _has_content(chunk):
                break
            chunk = []
            continue
        if line.startswith("%"):  # directives: leave it to the full parser
            return None
        chunk.append(line)
    return "\n".join(chunk) if _has_content(chunk) else None


def _has_content(lines: list[str]) -> bool:
    return any(ln.strip() and not ln.lstrip().startswith("#") for ln in lines)
