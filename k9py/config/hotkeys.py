"""hotkeys.yaml, k9s's format: a key that runs a `:` command::

    hotKeys:
      shift-0:
        shortCut: Shift-0
        description: Viewing pods
        command: pods
      f2:
        shortCut: F2
        description: Deployments everywhere
        command: dp all
        keepHistory: true     # on top of the current view (esc comes back); default: replace it
      ctrl-d:
        shortCut: Ctrl-D
        description: Delete is on ctrl-x in my keymap
        command: ns
        override: true        # k9s: take a built-in action's key (else that is an error)

A command may use k9s's plugin variables (``command: "$RESOURCE_NAME $NAMESPACE"``): they are the
view's and the selected row's when the key is pressed, and the command is checked then.
k9s before 0.30 called the top key ``hotKey``; both are read. Each problem is one
``FILE:LINE: hotKeys.NAME.FIELD: ...``: an unknown field, a missing shortCut or command, a key
that is no key, a command that names no view, a key another hotkey or a built-in action has."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from k9py.config import yamlfile
from k9py.config.aliases import AliasError, check_command
from k9py.config.keymap import Claim, Keymap, check
from k9py.config.keys import BadKey, parse_key

TOP_KEYS = ("hotKeys", "hotKey")
VARIABLE = re.compile(r"\$!?\{?[A-Za-z_]")  # a k9s variable in a command ($NAMESPACE, ${COL-NAME}): checked when run
FIELDS = {"shortCut": str, "description": str, "command": str, "keepHistory": bool, "override": bool}


@dataclass(frozen=True)
class Hotkey:
    name: str
    key: str  # Textual key name (config.keys.parse_key)
    description: str
    command: str
    keep_history: bool = False  # k9s's keepHistory: push the view instead of replacing the stack
    override: bool = False  # k9s's override: the hotkey may take a built-in action's key
    file: str | None = None
    line: int | None = None  # of its shortCut
    label: str = ""  # for menus, as the user wrote it: <shift-0> (not <)>, the key it types)


def load(path: Path, *, text: str | None = None, aliases: Mapping[str, str] | None = None,
         keymap: Keymap | None = None) -> list[Hotkey]:
    """The hotkeys of ``path``, checked against the user's ``aliases`` (a command may use them)
    and ``keymap`` (k9s's keys when None); ConfigError on the first problem."""
    doc = yamlfile.load(path, text=text)
    top = yamlfile.mapping(doc, doc.data, [])
    for name in top:
        if name not in TOP_KEYS:
            raise doc.error([str(name)], "unknown key (the file holds one mapping, hotKeys: {name: {shortCut, ...}})")
    root = next((k for k in TOP_KEYS if k in top), "hotKeys")
    out: list[Hotkey] = []
    for name, spec in yamlfile.mapping(doc, top.get(root), root).items():
        where: list[str | int] = [root, str(name)]
        spec = yamlfile.mapping(doc, spec, where)
        for fname, value in spec.items():
            kind = FIELDS.get(str(fname))
            if kind is None:
                raise doc.error([*where, str(fname)], f"unknown field (known: {', '.join(FIELDS)})")
            flag = yamlfile.as_bool(value) if kind is bool else None
            if flag is not None:  # (yaml.v3's yes/no/on/off into k9s's typed bool)
                spec[fname] = flag
            elif not isinstance(value, kind):
                what = "true or false" if kind is bool else "a string"
                raise doc.error([*where, str(fname)], f"must be {what}, not {yamlfile.type_name(value)}")
        for required in ("shortCut", "command"):
            if not str(spec.get(required) or "").strip():
                raise doc.error(where if required not in spec else [*where, required], f"{required} is required")
        try:
            key = parse_key(spec["shortCut"])
        except BadKey as err:
            raise doc.error([*where, "shortCut"], str(err)) from None
        command = spec["command"].strip()
        try:  # k9s's variables ($RESOURCE_NAME $NAMESPACE) are the row's when the key is pressed
            problem = None if VARIABLE.search(command) else check_command(command, aliases)
        except AliasError as err:
            problem = str(err)
        if problem:
            raise doc.error([*where, "command"], problem)
        out.append(Hotkey(str(name), key, str(spec.get("description") or command), command,
                          keep_history=bool(spec.get("keepHistory")), override=bool(spec.get("override")),
                          file=str(path), line=doc.line([*where, "shortCut"]),
                          label="<" + spec["shortCut"].strip().lower().replace("+", "-") + ">"))
    check(keymap or Keymap(), claims(out))
    return out


def check_all(hotkeys: list[Hotkey], keymap: Keymap) -> None:
    """Two files' hotkeys together (a context's beside the config directory's): ConfigError on
    a key two of them take, or one a built-in action has."""
    check(keymap, claims(hotkeys))


def claims(hotkeys: Iterable[Hotkey]) -> list[Claim]:
    """The keys hotkeys take, for ``keymap.conflicts`` (they work in every view)."""
    return [Claim(h.key, f"hotKeys.{h.name}.shortCut", h.file, h.line, override=h.override) for h in hotkeys]
