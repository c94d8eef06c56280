"""One YAML file of the user's, with the line of every field, so each problem reads
``FILE:LINE: field: what is wrong`` (the CLI prints it and exits 2; the UI flashes it)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from k9py.errors import K9pyError
from k9py.scenario.source import read_bytes
from k9py.scenario.yamldoc import Lines, YamlError, line_of, parse_documents

MAX_CONFIG_BYTES = 4 << 20  # a skin, config, aliases, hotkeys, plugins or keymap file


class ConfigError(K9pyError):
    """A user file is wrong: ``str()`` is ``FILE:LINE: field: message``."""


@dataclass
class ConfigDoc:
    path: Path
    data: Any  # None for an empty file
    node: Lines | None
    warnings: list[str] = field(default_factory=list)

    def line(self, where: str | list[str | int]) -> int | None:
        """The line of ``where`` (``"k9s.views.table.fgColor"`` or a list of steps)."""
        return line_of(self.node, where) if self.node is not None else None

    def error(self, where: str | list[str | int], message: str) -> ConfigError:
        return ConfigError(message, file=str(self.path), line=self.line(where), field=_dotted(where) or None)

    def warn(self, where: str | list[str | int], message: str) -> None:
        """A problem that does not stop the file from loading (an unknown skin key)."""
        self.warnings.append(str(self.error(where, message)))


def _dotted(where: str | list[str | int]) -> str:
    if isinstance(where, str):
        return where
    return "".join(f"[{s}]" if isinstance(s, int) else ("." if i else "") + s for i, s in enumerate(where))


def present(path: Path) -> bool:
    """Whether there is anything at ``path`` for ``load`` to read or to refuse by name: a
    directory, a FIFO, a symbolic link to nothing or to itself are the user's file too (wrong),
    never no file at all (``Path.is_file`` would have the file ignored without a word). An
    OSError other than nothing there (a name too long) is raised, as ``Path.is_file`` raises it."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def load(path: Path, *, text: str | None = None) -> ConfigDoc:
    """Parse ``path`` (one YAML document; ``text`` instead of reading it). ConfigError on a file
    that cannot be read or parsed, or that holds several documents."""
    if text is None:
        try:
            data = read_bytes(str(path), limit=MAX_CONFIG_BYTES, what="a YAML file")
        except K9pyError as err:
            raise ConfigError(err.message, file=str(path)) from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ConfigError(f"cannot read: not UTF-8 text ({err.reason} at byte {err.start})", file=str(path)) from None
    try:
        docs = parse_documents(text, core_bools=True)  # (k9s reads its files with yaml.v3: YAML 1.2)
    except YamlError as err:
        raise ConfigError(err.message, file=str(path), line=err.line) from None
    except yaml.YAMLError as err:  # the reader's own (a NUL byte: not a text file)
        raise ConfigError("yaml: " + str(err).replace("\n", " "), file=str(path)) from None
    docs = [d for d in docs if d.data is not None] or docs[:1]
    if len(docs) > 1:
        raise ConfigError("one YAML document expected, found several", file=str(path), line=docs[1].line)
    if not docs:
        return ConfigDoc(path, None, None)
    return ConfigDoc(path, docs[0].data, docs[0].node)


def mapping(doc: ConfigDoc, value: Any, where: str | list[str | int]) -> dict[str, Any]:
    """``value`` as a mapping (None: empty), else the error naming ``where``."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise doc.error(where, f"must be a mapping, not {type_name(value)}")
    return value


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "a mapping"}.get(type(value), type(value).__name__)


# yaml.v3 reads YAML 1.1's words into a typed bool (only there: elsewhere they are strings)
_BOOL_WORDS = {**dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
               **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False)}


def as_bool(value: Any) -> bool | None:
    """``value`` as a field typed bool takes it (true/false, and yaml.v3's ``yes``, ``no``, ``on``,
    ``off``, ``y``, ``n``: k9s's ``readOnly: yes`` works), None when it is none of them."""
    if isinstance(value, bool):
        return value
    return _BOOL_WORDS.get(value) if isinstance(value, str) else None
