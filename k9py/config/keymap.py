"""keymap.yaml: the user's own keys for k9py's built-in actions (k9s has no such file; k9py's
format, see docs/keys.md)::

    keymap:
      delete: ctrl-x          # one key
      describe: [d, f4]       # several
      kill: null              # unbound ("" too)
      logs.wrap: W            # a pushed screen's own action: SCREEN.ACTION

Every action has a stable id (``DEFAULTS``: id → its default keys, Textual key names). The
resource views' ids are plain (``VIEW_ACTIONS``, ``ROW_VERBS``); the pushed screens' own actions
are scoped by their screen, ``logs.wrap``, ``viewer.search_next`` (``SCREEN_ACTIONS``), because one
letter means different things in different screens. What screens share keeps the view's id
(``down``, ``top``, ``help``, xray's ``describe`` ...): one line moves it everywhere.

A file is checked as a whole: unknown ids (with a suggestion), keys that are no keys, two actions
on one key where both work (``conflicts``: row verbs only meet in the views whose kind has both,
so `s` can be shell in pods, scale in deployments and suspend in cronjobs; a screen's actions only
meet in that screen, ``SCREENS``), a key that would shadow the prompt (`:` `/`) or esc. Hotkeys
and plugins bind keys too: they hand theirs to ``conflicts`` as Claims.
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
    "describe": ("d",), "yaml": ("y",), "logs": ("l",), "previous": ("p",), "delete": ("ctrl+d",), "rename": ("r",),
    "edit": ("e",), "kill": ("ctrl+k",), "shell": ("s",), "scale": ("s",), "suspend": ("s",),
    "attach": ("a",), "port_forward": ("F",), "show_port_forward": ("f",), "restart": ("r",), "drain": ("r",), "image": ("i",),
    "rollback": ("ctrl+l",), "cordon": ("c",), "copy": ("c",), "uncordon": ("u",), "use": ("u",),
    "trigger": ("t",), "transfer": ("t",), "sanitize": ("z",), "show_node": ("o",), "replicasets": ("z",), "used_by": ("u",),
    "copy_namespace": ("n",), "warp": ("w",), "bench": ("b",),
    "decode": ("x",), "values": ("v",), "releases": ("r",), "helm_rollback": ("r",),
}
# Everything else a resource view does (k9py.ui.keymap describes each): one scope, the view.
VIEW_ACTIONS: dict[str, tuple[str, ...]] = {
    "command": ("colon",), "filter": ("slash",), "help": ("question_mark",), "aliases": ("ctrl+a",),
    "toggle_header": ("ctrl+e",), "toggle_crumbs": ("ctrl+g",), "history_back": ("left_square_bracket",),
    "history_forward": ("right_square_bracket",), "history_last": ("minus",), "quit": ("ctrl+c",),
    "down": ("j", "down"), "up": ("k", "up"), "top": ("g",), "bottom": ("G",),
    "page_down": ("ctrl+f", "pagedown"), "page_up": ("ctrl+b", "pageup"),
    "scroll_left": ("left",), "scroll_right": ("right",),
    "drill": ("enter",), "owner": ("J",), "mark": ("space",), "mark_range": ("ctrl+space",),
    "clear_marks": ("ctrl+backslash",), "wide": ("ctrl+w",), "faults": ("ctrl+z",), "save": ("ctrl+s",),
    "refresh": ("ctrl+r",),
    "select_column_left": ("shift+left",), "select_column_right": ("shift+right",), "sort_selected": ("O",),
    "sort_name": ("N",), "sort_age": ("A",), "sort_status": ("S",), "sort_namespace": ("P",),
    "sort_ready": ("R",), "sort_restarts": ("T",), "sort_cpu": ("C",), "sort_mem": ("M",),
    "sort_cpu_request": ("X",), "sort_mem_request": ("Z",), "sort_ip": ("I",), "sort_node": (),
    "sort_last_seen": ("L",), "sort_kind": ("K",),
    **{f"favorite_{i}": (str(i),) for i in range(10)},
}
# The pushed screens' own actions (k9py.ui's screens declare each as a binding with the id):
# `back` closes any of them (esc always does too); the others are scoped by their screen. `viewer`
# is every text viewer (describe, YAML, logs, screen dumps).
SCREEN_ACTIONS: dict[str, tuple[str, ...]] = {
    "back": ("q",),
    "viewer.search": ("slash",), "viewer.search_next": ("n",), "viewer.search_prev": ("N",),
    "viewer.copy": ("c",), "viewer.save": ("ctrl+s",), "viewer.fullscreen": ("f",), "viewer.auto_refresh": ("r",),
    "yaml.managed_fields": ("m",), "yaml.decode": ("x",),
    "logs.autoscroll": ("s",), "logs.wrap": ("w",), "logs.timestamps": ("t",), "logs.json": ("j",),
    "logs.all_containers": ("a",),
    "logs.clear": ("C",), "logs.mark": ("m",),
    "logs.window_tail": ("0",), "logs.window_head": ("1",), "logs.window_1m": ("2",), "logs.window_5m": ("3",),
    "logs.window_15m": ("4",), "logs.window_30m": ("5",), "logs.window_1h": ("6",),
    "xray.goto": ("enter",), "xray.fold": ("space",), "xray.fold_all": ("x",), "xray.filter": ("slash",),
    "pulses.goto": ("enter",), "pulses.next": ("tab",), "pulses.prev": ("shift+tab",),
    "screendumps.open": ("enter",), "screendumps.delete": ("ctrl+d",),
    "references.goto": ("enter",), "references.sort_gvr": ("V",),
    "dir.open": ("enter",), "dir.yaml": ("y",), "dir.apply": ("a",), "dir.delete": ("d",), "dir.edit": ("e",),
    "portforwards.delete": ("ctrl+d",), "portforwards.bench": ("b",), "portforwards.benchmarks": ("enter",),
    "portforwards.sort_ports": ("P",), "portforwards.sort_url": ("U",),
    "benchmarks.open": ("enter", "d"), "benchmarks.delete": ("ctrl+d",),
    "values.all": ("v",),
    "aliases.goto": ("enter",), "aliases.sort_resource": ("R",), "aliases.sort_command": ("C",),
    "aliases.filter": ("slash",), "timeline.go": ("enter",), "timeline.play_pause": ("space",),
}
DEFAULTS: dict[str, tuple[str, ...]] = {**VIEW_ACTIONS, **ROW_VERBS, **SCREEN_ACTIONS}
# ids with no key by default: k9s's shift-o sorts the selected column now, no longer NODE (a
# keymap.yaml may still give sort_node a key)
UNBOUND_BY_DEFAULT = ("sort_node",)
PROMPT_ACTIONS = ("command", "filter")  # their keys open the prompt before any binding sees a key
FIXED = ("escape",)  # esc: back / clear / close, everywhere; not rebindable
# the split panes' keys in the views (docs/splits.md, ui/splits.py): a view's action cannot take them
PANE_NEXT, PANE_PREVIOUS, PANE_PREFIX = "tab", "shift+tab", "ctrl+right_square_bracket"
PANE_KEYS = {PANE_NEXT: "moves to the next split pane", PANE_PREVIOUS: "moves to the previous split pane",
             PANE_PREFIX: "is the split panes' prefix"}


@dataclass(frozen=True)
class ScreenKeys:
    """A pushed screen's keys: the ids that work there (its own, then what it shares with the
    views) and the keys no keymap moves there, each with the id whose work it does (a list's own
    arrow keys, the viewers' extra `home` for top). Its ``name`` is the screen classes' KEY_SCOPE."""
    name: str
    label: str  # how messages name it
    actions: tuple[str, ...]
    fixed: dict[str, str] = field(default_factory=dict)
    # views' ids that give a default key up to one of the screen's own ids the user put there
    # (the rbac view's refresh, new beside the viewers' ids: `viewer.search: ctrl-r` still works)
    yielding: tuple[str, ...] = ()


_VIEWER = ("back", "help", "viewer.search", "viewer.search_next", "viewer.search_prev", "viewer.copy",
           "viewer.save", "viewer.fullscreen")
_NAV = ("down", "up", "page_down", "page_up", "top", "bottom")
_LINES = (*_NAV, "scroll_left", "scroll_right")
_LINES_FIXED = {"space": "page_down", "home": "top", "end": "bottom", "h": "scroll_left", "l": "scroll_right"}
_LIST_FIXED = {"up": "up", "down": "down", "home": "top", "end": "bottom", "pageup": "page_up",
               "pagedown": "page_down"}  # what an option list or a scrolled box does by itself
_LOGS = tuple(a for a in SCREEN_ACTIONS if a.startswith("logs."))
XRAY_VERBS = ("describe", "yaml", "logs", "previous", "shell", "attach", "edit", "delete")  # a node's, as in its table
SCREENS: tuple[ScreenKeys, ...] = (
    ScreenKeys("viewer", "describe and dump views", ("edit", "viewer.auto_refresh", *_VIEWER, *_LINES), _LINES_FIXED),
    ScreenKeys("yaml", "YAML view", ("yaml.managed_fields", "yaml.decode", "edit", "viewer.auto_refresh", *_VIEWER,
                                     *_LINES), _LINES_FIXED),
    ScreenKeys("values", "helm values view", ("values.all", *_VIEWER, *_LINES), _LINES_FIXED),
    ScreenKeys("logs", "log view", (*_LOGS, *_VIEWER, *_LINES), _LINES_FIXED),
    ScreenKeys("rbac", "rbac and policy views", ("refresh", *_VIEWER, *_LINES), _LINES_FIXED, ("refresh",)),
    ScreenKeys("xray", "xray view", ("xray.goto", "xray.fold", "xray.fold_all", "xray.filter", *XRAY_VERBS, "back", "help", *_NAV),
               {"home": "top", "end": "bottom", "left": "scroll_left", "right": "scroll_right"}),
    ScreenKeys("pulses", "pulses view", ("pulses.goto", "pulses.next", "pulses.prev", "back", "help", "down", "up",
                                         "scroll_left", "scroll_right"), {"h": "scroll_left", "l": "scroll_right"}),
    ScreenKeys("screendumps", "screendumps view",
               ("screendumps.open", "screendumps.delete", "sort_name", "sort_age", "refresh", "back", "help", "down", "up"),
               _LIST_FIXED),
    ScreenKeys("references", "references view", ("references.goto", "references.sort_gvr", "sort_name", "refresh",
                                                 "back", "help", "down", "up"),
               _LIST_FIXED),
    ScreenKeys("dir", "dir view", ("dir.open", "dir.yaml", "dir.apply", "dir.delete", "dir.edit", "sort_name", "sort_age",
                                   "refresh", "back", "help", "down", "up"), _LIST_FIXED),
    ScreenKeys("portforwards", "port-forwards view", ("portforwards.bench", "portforwards.benchmarks",
                                                      "portforwards.delete", "portforwards.sort_ports",
                                                      "portforwards.sort_url", "sort_name", "sort_age", "back", "help",
                                                      "down", "up"), _LIST_FIXED),
    ScreenKeys("benchmarks", "benchmarks view",
               ("benchmarks.open", "benchmarks.delete", "sort_name", "sort_age", "sort_status", "refresh", "back", "help",
                "down", "up"), _LIST_FIXED),
    ScreenKeys("timeline", "timeline view",
               ("timeline.go", "timeline.play_pause", "back", "help", "down", "up", "top", "bottom"), _LIST_FIXED),
    ScreenKeys("help", "help and aliases lists", ("aliases.goto", "aliases.sort_resource", "aliases.sort_command",
                                                  "aliases.filter", "back", "help", "aliases", *_LINES),
               {**_LIST_FIXED, "left": "scroll_left", "right": "scroll_right"}),
)

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
        """The resource views' ids bound to ``key`` (any view; not the pushed screens' own)."""
        k = canonical(key)
        return [a for a in DEFAULTS if a not in SCREEN_ACTIONS and k in {canonical(x) for x in self.keys(a)}]


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
    screen: bool = False  # ``views`` are pushed screens (``ScreenKeys.label``), not resource views
    fixed: bool = False  # ``first`` is the work a screen keeps on the key (``ScreenKeys.fixed``)

    def message(self) -> str:
        k = label(self.key)
        if self.first == "escape":
            return "esc is k9py's back key: it cannot be bound"
        if self.screen:
            more = len(self.views) - 3
            where = ", ".join(f"the {v}" for v in self.views[:3]) + (f" and {more} more" if more > 0 else "")
            if self.fixed:
                return f"{k} is kept for {self.first} in {where} (a fixed key): give {self.second} another key"
            return f"{k} is also {self.first}'s key (in {where}): give one of them another key or unbind it (null)"
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
    return [*VIEW_ACTIONS, *(a for a in ROW_VERBS if a in view.verbs)]


def _by_default(key: str, *actions: str) -> bool:
    """Whether every one of ``actions`` has ``key`` among its default keys."""
    return all(key in {canonical(k) for k in DEFAULTS[a]} for a in actions)


def _yields(screen: ScreenKeys, keymap: Keymap, key: str, a: str, b: str) -> bool:
    """One of the screen's ``yielding`` ids (the rbac view's refresh) at one of its default keys
    gives that key up to an id the user put there: `viewer.search: ctrl-r` searches in every
    viewer, the rbac view included (``ui.keymap.rekey`` does the same)."""
    for shared, other in ((a, b), (b, a)):
        if shared in screen.yielding and other in keymap.overrides and _by_default(key, shared) \
                and not keymap.changed(shared):
            return True
    return False


def yielded(scope: str) -> tuple[str, ...]:
    """The ``yielding`` ids of the screen ``scope`` (a KEY_SCOPE)."""
    return next((s.yielding for s in SCREENS if s.name == scope), ())


def screen_conflicts(keymap: Keymap) -> list[Conflict]:
    """In each pushed screen (``SCREENS``): two of its actions on one key, or an action on a key
    the screen keeps for other work (``ScreenKeys.fixed``). A key two actions have by default is k9s's
    own layout, not a conflict: the screen's action comes first (the log view's `j` is JSON, not
    down). Each pair is reported once, at the user's line of the later binding, with the screens
    where it clashes."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for screen in SCREENS:
        owners: dict[str, list[str]] = {}
        for action in screen.actions:
            for key in dict.fromkeys(canonical(k) for k in keymap.keys(action)):
                owners.setdefault(key, []).append(action)
        for key, who in owners.items():
            kept = screen.fixed.get(key)
            for a in who:
                if kept is not None and a != kept:
                    found.setdefault((key, f"={kept}", a), []).append(screen.label)
            for i in range(len(who)):
                for j in range(i + 1, len(who)):
                    if not _by_default(key, who[i], who[j]) and not _yields(screen, keymap, key, who[i], who[j]):
                        found.setdefault((key, who[i], who[j]), []).append(screen.label)
    out: list[Conflict] = []
    for (key, a, b), where in found.items():
        if a.startswith("="):
            file, line = keymap.where.get(b, (None, None))
            out.append(Conflict(key, a[1:], b, tuple(where), file, line, f"keymap.{b}", screen=True, fixed=True))
            continue
        at = max((x for x in (a, b) if x in keymap.overrides), default=b,
                 key=lambda x: keymap.where.get(x, (None, None))[1] or 0)
        file, line = keymap.where.get(at, (None, None))
        out.append(Conflict(key, a if at == b else b, at, tuple(where), file, line, f"keymap.{at}", screen=True))
    return out


def conflicts(keymap: Keymap, claims: Iterable[Claim] = ()) -> list[Conflict]:
    """Two actions (or an action and a claim, or two claims) on one key where both work. A claim
    with ``override`` takes its key from built-in actions (k9s) but not from the prompt or esc;
    ``claims`` are checked against each other too. Each pair is reported once, at the line of the
    binding the user wrote last (a claim's line, else the keymap's). Then the pushed screens'
    (``screen_conflicts``)."""
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
    return out + screen_conflicts(keymap)


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
        if isinstance(value, dict) and _scoped(action):  # logs: {wrap: W} for logs.wrap: W
            raise doc.error(where, f"a screen's keys are one id a line: {action}.ACTION: KEY "
                                   f"(e.g. {_scoped(action)[0]}: {label(DEFAULTS[_scoped(action)[0]][0])[1:-1]})")
        if action not in DEFAULTS:
            raise doc.error(where, _unknown(action))
        km.overrides[action] = _keys(doc, where, value)
        if "." not in action:  # the views' keys: the split panes' own two are not theirs to take
            for i, key in enumerate(km.overrides[action]):
                if canonical(key) in PANE_KEYS:
                    at = [*where, i] if isinstance(value, list) else where
                    raise doc.error(at, f"{label(key)[1:-1]} {PANE_KEYS[canonical(key)]}: it cannot also be {action}")
        km.where[action] = (str(path), doc.line(where))
    check(km)
    return km


def _scoped(screen: str) -> list[str]:
    """The ids of ``screen``'s own actions (``logs`` → logs.autoscroll, ...)."""
    return [a for a in SCREEN_ACTIONS if a.startswith(f"{screen}.")]


def _unknown(action: str) -> str:
    if action in FIXED:
        return "esc is k9py's back key: it cannot be rebound"
    if _scoped(action):
        return f"unknown action: the {action} screen's ids are {action}.ACTION ({', '.join(_scoped(action)[:3])}, ...)"
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

