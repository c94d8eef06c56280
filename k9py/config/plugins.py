"""plugins.yaml in k9s's format: ``plugins: {NAME: {shortCut, description, scopes, command, args,
background, confirm, dangerous, override, pipes, overwriteOutput, inputs}}``.

Validated as k9s's JSON schema does (shortCut, description, scopes and command are required;
args are strings or numbers), and more strictly where a mistake would otherwise pass in silence:
an unknown field, a key ``config.keys`` cannot parse, an empty scope list. Every problem reads
``FILE:LINE: plugins.NAME.FIELD: what is wrong``. A scope that names no built-in view may be a
custom resource, which discovery adds once the cluster answers: only one close to a view's name
(``podz``) is a warning.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from k9py.config import keymap as keymap_file
from k9py.config import yamlfile
from k9py.config.keys import BadKey, parse_key
from k9py.config.keys import label as key_label
from k9py.config.yamlfile import ConfigDoc, type_name
from k9py.view import kinds

ALL = "all"  # the scope of a plugin offered in every view
INPUT_TYPES = ("string", "number", "bool", "dropdown")
MAX_INPUTS = 5  # k9s's schema


@dataclass(frozen=True)
class PluginInput:
    """A value k9s asks for before running (``$INPUT_NAME``), in the Plugin Inputs dialog
    (``ui/screens/dialogs.PluginInputsDialog``; its defaults: ``explorer.plugins``)."""
    name: str
    type: str
    label: str = ""
    required: bool = False
    default: str | None = None
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plugin:
    name: str
    key: str  # Textual key name (config.keys.parse_key)
    description: str
    command: str
    scopes: tuple[str, ...] = (ALL,)
    args: tuple[str, ...] = ()
    background: bool = False
    confirm: bool | None = None  # None: k9s's default (ask when the plugin has inputs)
    dangerous: bool = False
    override: bool = False  # may take a key a built-in action has
    pipes: tuple[str, ...] = ()  # commands the output goes through (k9s: split like a shell would)
    overwrite_output: bool = False  # background: flash the command's "[output] ..." line
    inputs: tuple[PluginInput, ...] = ()
    shortcut: str = ""  # as written ("Shift-D")
    file: str = ""
    line: int | None = None  # of the plugin's name in the file

    @property
    def label(self) -> str:
        """The menu's key label: ``<shift-d>``."""
        return key_label(self.key)

    @property
    def asks(self) -> bool:
        """Confirm before running (k9s's ShouldConfirm)."""
        return self.confirm if self.confirm is not None else bool(self.inputs)

    @property
    def where(self) -> str:
        """``plugins.yaml:12``: where the plugin is written, for messages about it."""
        return f"{self.file}:{self.line}" if self.line else self.file


FIELDS = ("shortCut", "description", "scopes", "command", "args", "background", "confirm", "dangerous",
          "override", "pipes", "overwriteOutput", "inputs")
REQUIRED = ("shortCut", "description", "scopes", "command")
INPUT_FIELDS = ("name", "label", "type", "required", "default", "options")


def load(path: Path, warnings: list[str] | None = None, *, text: str | None = None,
         folder: bool = False) -> list[Plugin]:
    """The plugins of ``path`` in file order (ConfigError on the first problem). ``warnings``
    collects what does not stop the file from loading (a scope no built-in view has).
    ``folder``: a file of the ``plugins/`` folder, which k9s also reads in two more shapes: one
    plugin (its fields at the top, named after the file) or several without ``plugins:``."""
    doc = yamlfile.load(path, text=text)
    top = yamlfile.mapping(doc, doc.data, "plugins")
    if folder and "plugins" not in top:
        if any(key in FIELDS for key in top):  # k9s's plugin.json: one plugin, the file's name
            out = [_plugin(doc, path.stem, top, [])]
        else:  # k9s's plugin-multi.json: NAME: {shortCut, ...} at the top
            out = [_plugin(doc, str(name), spec, [str(name)]) for name, spec in top.items()]
    else:
        for key in top:
            if key != "plugins":
                raise doc.error([key], "unknown field (plugins.yaml holds `plugins:`)")
        entries = yamlfile.mapping(doc, top.get("plugins"), "plugins")
        out = [_plugin(doc, str(name), spec) for name, spec in entries.items()]
    if warnings is not None:
        warnings.extend(doc.warnings)
    return out


def merged(*groups: list[Plugin]) -> list[Plugin]:
    """Plugins read from several files: a later one of the same name replaces the earlier (k9s
    keeps them in one map), where the earlier was."""
    out: dict[str, Plugin] = {}
    for group in groups:
        out.update((p.name, p) for p in group)
    return list(out.values())


def _plugin(doc: ConfigDoc, name: str, spec: Any, at: list[str | int] | None = None) -> Plugin:
    at = ["plugins", name] if at is None else at
    spec = yamlfile.mapping(doc, spec, at or "plugins")
    for key in spec:
        if key not in FIELDS:
            raise doc.error([*at, str(key)], f"unknown field (known: {', '.join(FIELDS)})")
    for key in REQUIRED:
        if spec.get(key) is None:
            raise doc.error([*at, key], "missing (required)")
    shortcut = _string(doc, spec, at, "shortCut")
    try:
        key = parse_key(shortcut)
    except BadKey as err:
        raise doc.error([*at, "shortCut"], str(err)) from None
    command = _string(doc, spec, at, "command")
    if not command.strip():
        raise doc.error([*at, "command"], "empty")
    scopes = _strings(doc, spec, at, "scopes")
    if not scopes:
        raise doc.error([*at, "scopes"], "empty: name the views (pods, deploy, ...) or `all`")
    for i, scope in enumerate(scopes):
        if scope.lower() != ALL and kinds.lookup(scope) is None and (close := _close_view(scope)):
            doc.warn([*at, "scopes", i], f"{scope!r} is no view k9py knows (did you mean {close}?): the plugin "
                     "shows there only if the cluster has such a resource")
    return Plugin(
        name=name, key=key, description=_string(doc, spec, at, "description"), command=command,
        scopes=tuple(scopes), args=tuple(_args(doc, spec, at)), background=_bool(doc, spec, at, "background"),
        confirm=_bool(doc, spec, at, "confirm") if spec.get("confirm") is not None else None,
        dangerous=_bool(doc, spec, at, "dangerous"), override=_bool(doc, spec, at, "override"),
        pipes=tuple(_strings(doc, spec, at, "pipes")), overwrite_output=_bool(doc, spec, at, "overwriteOutput"),
        inputs=tuple(_inputs(doc, spec, at)), shortcut=shortcut, file=str(doc.path), line=doc.line(at))


def _close_view(scope: str) -> str | None:
    """The view name or alias ``scope`` looks a slip of (``podz``: pod), else None. A scope
    like no view is a custom resource's (k9s's community plugins name rollouts, helmreleases,
    kustomizations, ...) or one k9py shows from discovery (leases): the cluster tells, no warning."""
    close = difflib.get_close_matches(scope.lower(), list(kinds.ALIASES), n=1, cutoff=0.8)
    return close[0] if close else None


def _string(doc: ConfigDoc, spec: dict[str, Any], at: list[str | int], key: str) -> str:
    value = spec.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise doc.error([*at, key], f"must be a string, not {type_name(value)}")
    return value


def _bool(doc: ConfigDoc, spec: dict[str, Any], at: list[str | int], key: str) -> bool:
    value = spec.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):  # (k9s's schema check refuses yaml.v3's `no` here: a string)
        raise doc.error([*at, key], f"must be true or false, not {type_name(value)}")
    return value


def _strings(doc: ConfigDoc, spec: dict[str, Any], at: list[str | int], key: str) -> list[str]:
    value = spec.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise doc.error([*at, key], f"must be a list of strings, not {type_name(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise doc.error([*at, key, i], f"must be a string, not {type_name(item)}")
    return value


def _args(doc: ConfigDoc, spec: dict[str, Any], at: list[str | int]) -> list[str]:
    """Strings or numbers (k9s: ``--tail``, ``50``), each one argument as it is."""
    value = spec.get("args")
    if value is None:
        return []
    if not isinstance(value, list):
        raise doc.error([*at, "args"], f"must be a list, not {type_name(value)}")
    out = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise doc.error([*at, "args", i], f"must be a string or a number, not {type_name(item)}")
        out.append(item if isinstance(item, str) else str(item))
    return out


def _inputs(doc: ConfigDoc, spec: dict[str, Any], at: list[str | int]) -> list[PluginInput]:
    value = spec.get("inputs")
    if value is None:
        return []
    if not isinstance(value, list):
        raise doc.error([*at, "inputs"], f"must be a list, not {type_name(value)}")
    if len(value) > MAX_INPUTS:
        raise doc.error([*at, "inputs"], f"at most {MAX_INPUTS} inputs")
    out: list[PluginInput] = []
    for i, item in enumerate(value):
        where: list[str | int] = [*at, "inputs", i]
        item = yamlfile.mapping(doc, item, where)
        for key in item:
            if key not in INPUT_FIELDS:
                raise doc.error([*where, str(key)], f"unknown field (known: {', '.join(INPUT_FIELDS)})")
        for key in ("name", "type"):
            if item.get(key) is None:
                raise doc.error([*where, key], "missing (required)")
        kind = _string(doc, item, where, "type")
        if kind not in INPUT_TYPES:
            raise doc.error([*where, "type"], f"{kind!r}: one of {', '.join(INPUT_TYPES)}")
        default = item.get("default")
        if default is not None and (isinstance(default, (dict, list))):
            raise doc.error([*where, "default"], f"must be a string, a number or a boolean, not {type_name(default)}")
        inp = PluginInput(
            name=_string(doc, item, where, "name"), type=kind, label=_string(doc, item, where, "label"),
            required=_bool(doc, item, where, "required"), options=tuple(_strings(doc, item, where, "options")),
            default=None if default is None else str(default).lower() if isinstance(default, bool) else str(default))
        if any(o.name == inp.name for o in out):
            raise doc.error([*where, "name"], f"{inp.name!r}: another input has this name")
        if problem := _bad_default(inp):
            raise doc.error([*where, "default"], problem)
        out.append(inp)
    return out


def _bad_default(inp: PluginInput) -> str | None:
    """k9s's Plugin.Validate: a default its input could never hold refuses the file."""
    value = inp.default
    if not value:
        return None
    if inp.type == "dropdown" and value not in inp.options:
        return f"{value!r} is none of the options ({', '.join(inp.options) or 'none'})"
    if inp.type == "bool" and value not in ("true", "false"):
        return f"{value!r}: a bool input's default is true or false"
    if inp.type == "number" and not is_number(value):
        return f"{value!r} is not a number"
    return None


def is_number(text: str) -> bool:
    """What Go's strconv.ParseFloat takes (k9s's check of a number input): ``1``, ``-2.5``,
    ``1e3``, ``inf``; not ``1_000`` (Python's float would take it), nor spaces around."""
    if "_" in text or text != text.strip():
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def view_names(plugin: Plugin) -> frozenset[str] | None:
    """The built-in views of the plugin's scopes (None: all)."""
    if any(s.lower() == ALL for s in plugin.scopes):
        return None
    return frozenset(v.name for s in plugin.scopes if (v := kinds.lookup(s)) is not None)


def key_conflicts(plugins: list[Plugin], keymap: keymap_file.Keymap) -> list[str]:
    """``FILE:LINE: plugin NAME: ...`` for each key a plugin shares with a built-in action
    (without override) or an earlier plugin, in a view of its scopes: that plugin's key does
    nothing there (the app flashes the first, `k9py info` lists them all)."""
    claims = [keymap_file.Claim(p.key, f"plugin {p.name}", p.file or None, p.line, view_names(p), p.override)
              for p in plugins]
    return [str(c) for c in keymap_file.conflicts(keymap, claims)]

