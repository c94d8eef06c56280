"""keymap.yaml: the user's own keys for k9py's built-in actions (k9s has no such file; k9py's
format, see docs/keys.md)::

    keymap:
      delete: ctrl-x          # one key
      describe: [d, f4]       # several
      kill: null              # unbound ("" too)

Every action has a stable id (``DEFAULTS``: id → its default keys, Textual key names). A file is
checked as a whole: unknown ids (with a suggestion), keys that are no keys, two actions on one key
where both work (``conflicts``: row verbs only meet in the views whose kind has both, so `s` can be
shell in pods, scale in deployments and suspend in cronjobs), a key that would shadow the prompt
(`:` `/`) or esc. Hotkeys and plugins bind keys too: they hand theirs to ``conflicts`` as Claims.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from k9py.config import yamlfile
from k9py.config.keys import BadKey, label, parse_key
from k9py.config.yamlfile import ConfigDoc, ConfigError
from k9py.view import kinds

# Row verbs, in the order the menu lists them (k9py.explorer.keys.VERBS describes each). A key may
# carry several: the view's kind says which one it means there.
ROW_VERBS: dict[str, tuple[str, ...]] = {
    "describe": ("d",), "yaml": ("y",), "logs": ("l",), "previous": ("p",), "delete": ("ctrl+d",),
    "edit": ("e",), "kill": ("ctrl+k",), "shell": ("s",), "scale": ("s",), "suspend": ("s",),
    "attach": ("a",), "port_forward": ("F",), "restart": ("r",), "drain": ("r",), "image": ("i",),
    "rollback": ("ctrl+l",), "cordon": ("c",), "copy": ("c",), "uncordon": ("u",), "use": ("u",),
    "trigger": ("t",), "show_node": ("o",), "decode": ("x",),
}
# Everything else a resource view does (k9py.ui.keymap describes each): one scope, the view.
VIEW_ACTIONS: dict[str, tuple[str, ...]] = {
    "command": ("colon",), "filter": ("slash",), "help": ("question_mark",), "aliases": ("ctrl+a",),
    "toggle_header": ("ctrl+e",), "history_back": ("left_square_bracket",),
    "history_forward": ("right_square_bracket",), "history_last": ("minus",), "quit": ("ctrl+c",),
    "down": ("j", "down"), "up": ("k", "up"), "top": ("g",), "bottom": ("G",),
    "page_down": ("ctrl+f", "pagedown"), "page_up": ("ctrl+b", "pageup"),
    "scroll_left": ("left",), "scroll_right": ("right",),
    "drill": ("enter",), "owner": ("J",), "mark": ("space",), "mark_range": ("ctrl+space",),
    "clear_marks": ("ctrl+backslash",), "wide": ("ctrl+w",), "save": ("ctrl+s",),
    "sort_name": ("N",), "sort_age": ("A",), "sort_status": ("S",), "sort_namespace": ("P",),
    "sort_ready": ("R",), "sort_restarts": ("T",), "sort_cpu": ("C",), "sort_mem": ("M",),
    "sort_cpu_request": ("X",), "sort_mem_request": ("Z",), "sort_ip": ("I",), "sort_node": ("O",),
    "sort_last_seen": ("L",),
    **{f"favorite_{i}": (str(i),) for i in range(10)},
}
DEFAULTS: dict[str, tuple[str, ...]] = {**VIEW_ACTIONS, **ROW_VERBS}
PROMPT_ACTIONS = ("command", "filter")  # their keys open the prompt before any binding sees a key
FIXED = ("escape",)  # esc: back / clear / close, everywhere; not rebindable

# Keys a terminal reports under two names: bound under both, compared as the first.
SAME_KEY = {"ctrl+@": "ctrl+space", "ctrl+at": "ctrl+space"}


def canonical(key: str) -> str:
    """One name per key for comparisons: ``shift+j`` is ``J``, ``ctrl+@`` is ``ctrl+space``."""
    key = SAME_KEY.get(key, key)
    if key.startswith("shift+") and len(key) == 7 and key[6].isalpha():
        return key[6].upper()
    return key


def variants(key: str) -> tuple[str, ...]:
    """The names a binding of ``key`` must carry to catch it from every terminal."""
    if len(key) == 1 and key.isalpha() and key.isupper():
        return (key, f"shift+{key.lower()}")
    if key == "ctrl+space":
        return (key, "ctrl+@")
    return (key,)


@dataclass
class Keymap:
    """Action id → its keys (Textual key names); an empty tuple unbinds. Only what the user changed."""
    overrides: dict[str, tuple[str, ...]] = field(default_factory=dict)
    where: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # id → (file, line) it was set at

    def keys(self, action: str) -> tuple[str, ...]:
        """The keys of ``action`` now (the user's, else the default)."""
        return self.overrides.get(action, DEFAULTS.get(action, ()))

    def changed(self, action: str) -> bool:
        return action in self.overrides and self.overrides[action] != DEFAULTS.get(action)

    def label(self, action: str, default: str | None = None) -> str | None:
        """The menu label of ``action``'s first key (``<ctrl-x>``); ``default`` while it keeps its
        default keys; None when unbound."""
        keys = self.keys(action)
        if not keys:
            return None
        if default is not None and not self.changed(action):
            return default
        return label(keys[0])

    def actions_on(self, key: str) -> list[str]:
        """The ids bound to ``key`` (any view)."""
        k = canonical(key)
        return [a for a in DEFAULTS if k in {canonical(x) for x in self.keys(a)}]


@dataclass(frozen=True)
class Claim:
    """A key something else binds in a resource view (a hotkey, a plugin), for ``conflicts``."""
    key: str  # Textual key name
    owner: str  # how messages name it: "hotkey shift-0", "plugin stern"
    file: str | None = None
    line: int | None = None
    views: frozenset[str] | None = None  # view names it works in (k9s's scopes); None: every view
    override: bool = False  # k9s's override: true — it takes the key from the built-in action


@dataclass(frozen=True)
class Conflict:
    """Two bindings on one key where both work; ``second`` is the one the user wrote last
    (reported at its file and line)."""
    key: str
    first: str  # an action id, "escape", or a claim's owner
    second: str  # an action id or a claim's owner
    views: tuple[str, ...]  # where both work
    file: str | None = None
    line: int | None = None
    field: str | None = None
    claim: bool = False  # ``second`` is a Claim (a hotkey, a plugin)

    def message(self) -> str:
        k = label(self.key)
        if self.first == "escape":
            return "esc is k9py's back key: it cannot be bound"
        if self.first in PROMPT_ACTIONS:
            other = "taken by a hotkey or plugin" if self.claim else f"{self.second}'s key"
            return f"{k} opens the prompt ({self.first}): it cannot also be {other}"
        if self.second in PROMPT_ACTIONS:
            return f"{k} is {self.first}'s key: it cannot also open the prompt ({self.second})"
        if len(self.views) >= len(kinds.VIEWS):
            where = "every view"
        else:
            more = len(self.views) - 3
            where = ", ".join(self.views[:3]) + (f" and {more} more view{'s' * (more > 1)}" if more > 0 else "")
        if self.claim and self.first in DEFAULTS:
            return f"{k} is {self.first}'s key (in {where}): pick another key, or set override: true to take it"
        return f"{k} is also {self.first}'s key (in {where}): give one of them another key or unbind it (null)"

    def error(self) -> ConfigError:
        return ConfigError(self.message(), file=self.file, line=self.line, field=self.field)

    def __str__(self) -> str:
        return str(self.error())


def _active(view: kinds.ViewKind) -> list[str]:
    """The action ids that work in ``view``: every view action, and the row verbs of its kind."""
    return [a for a in DEFAULTS if a not in ROW_VERBS or a in view.verbs]


def conflicts(keymap: Keymap, claims: Iterable[Claim] = ()) -> list[Conflict]:
    """Two actions (or an action and a claim, or two claims) on one key where both work. A claim
    with ``override`` takes its key from built-in actions (k9s) but not from the prompt or esc;
    ``claims`` are checked against each other too. Each pair is reported once, at the line of the
    binding the user wrote last (a claim's line, else the keymap's)."""
    claims = list(claims)
    found: dict[tuple[str, str, str], list[str]] = {}
    for view in kinds.VIEWS:
        owners: dict[str, list[str]] = {}
        for action in _active(view):
            for key in dict.fromkeys(canonical(k) for k in keymap.keys(action)):
                owners.setdefault(key, []).append(action)
        for i, claim in enumerate(claims):
            if claim.views is None or view.name in claim.views:
                owners.setdefault(canonical(claim.key), []).append(f"#{i}")
        for key, who in owners.items():
            for i in range(len(who)):
                for j in range(i + 1, len(who)):
                    found.setdefault((key, who[i], who[j]), []).append(view.name)
    out: list[Conflict] = []
    for (key, a, b), views in found.items():
        ca = claims[int(a[1:])] if a.startswith("#") else None
        cb = claims[int(b[1:])] if b.startswith("#") else None
        if cb is not None and cb.override and ca is None and a not in PROMPT_ACTIONS:
            continue  # the plugin/hotkey takes the key from a built-in action, as it asked
        first, second = (ca.owner if ca else a), (cb.owner if cb else b)
        if cb is not None:
            out.append(Conflict(key, first, second, tuple(views), cb.file, cb.line, cb.owner, claim=True))
        else:  # two actions: at the user's binding of the later one (defaults never clash)
            at = max((x for x in (a, b) if x in keymap.overrides), default=b,
                     key=lambda x: keymap.where.get(x, (None, None))[1] or 0)
            other = a if at == b else b
            file, line = keymap.where.get(at, (None, None))
            out.append(Conflict(key, other, at, tuple(views), file, line, f"keymap.{at}"))
    for claim in claims:
        if canonical(claim.key) in FIXED:
            out.append(Conflict("escape", "escape", claim.owner, (), claim.file, claim.line, claim.owner, claim=True))
    return out


def check(keymap: Keymap, claims: Iterable[Claim] = ()) -> None:
    """Raise the first conflict as a ConfigError (``FILE:LINE: field: ...``)."""
    found = conflicts(keymap, claims)
    if found:
        raise found[0].error()


# -- the file ---------------------------------------------------------------------------------------
def load(path: Path, *, text: str | None = None) -> Keymap:
    """Read and check ``path``; ConfigError (``FILE:LINE: keymap.ID: ...``) on the first problem."""
    doc = yamlfile.load(path, text=text)
    top = yamlfile.mapping(doc, doc.data, [])
    for name in top:
        if name != "keymap":
            raise doc.error([str(name)], "unknown key (the file holds one mapping, keymap: {action: key})")
    entries = yamlfile.mapping(doc, top.get("keymap"), "keymap")
    km = Keymap()
    for action, value in entries.items():
        action = str(action)
        where: list[str | int] = ["keymap", action]
        if action not in DEFAULTS:
            raise doc.error(where, _unknown(action))
        km.overrides[action] = _keys(doc, where, value)
        km.where[action] = (str(path), doc.line(where))
    check(km)
    return km


def _unknown(action: str) -> str:
    if action in FIXED:
        return "esc is k9py's back key: it cannot be rebound"
    close = difflib.get_close_matches(action.replace("-", "_").lower(), list(DEFAULTS), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else " (the ids are listed in docs/keys.md)"
    return f"unknown action{hint}"


def _keys(doc: ConfigDoc, where: list[str | int], value: Any) -> tuple[str, ...]:
    """One key, a list of keys, or null / "" / [] (unbound)."""
    items: list[tuple[list[str | int], Any]]
    if value is None or value == "":
        return ()
    if isinstance(value, list):
        items = [([*where, i], v) for i, v in enumerate(value)]
    elif isinstance(value, str | int):
        items = [(where, value)]
    else:
        raise doc.error(where, f"must be a key or a list of keys, not {yamlfile.type_name(value)}")
    out: list[str] = []
    for at, v in items:
        if not isinstance(v, str | int) or isinstance(v, bool):
            raise doc.error(at, f"must be a key, not {yamlfile.type_name(v)}")
        try:
            key = parse_key(str(v))
        except BadKey as err:
            raise doc.error(at, str(err)) from None
        if canonical(key) == "escape":
            raise doc.error(at, "esc is k9py's back key: it cannot be bound to anything else")
        if key not in out:
            out.append(key)
    return tuple(out)

