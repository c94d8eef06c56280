"""Which key does what on a row, derived from the kind registry (``view.kinds``): one table of
k9s's keys and the verbs they may mean, so the menu, `?`, dispatch and read-only hiding agree.

A key can mean different verbs in different views, as in k9s: `s` scales a deployment, suspends
a cronjob and opens a shell in a pod; `c` cordons a node and copies a name elsewhere. Each verb
has its own keys (``config.keymap``: k9s's by default, the user's keymap.yaml may change them);
the keymap's check makes sure no view has two verbs on one key.
"""

from __future__ import annotations

from dataclasses import dataclass

from k9py.config.keymap import ROW_VERBS, Keymap, canonical
from k9py.config.keys import label
from k9py.view.kinds import ViewKind


@dataclass(frozen=True)
class Verb:
    id: str  # stable: user keymaps (issue 11) bind keys to it
    description: str  # k9s's menu wording
    mutating: bool = False  # refused, and hidden, in read-only mode
    in_menu: bool = True  # in the header's menu (else `?` alone lists it)


VERBS: dict[str, Verb] = {v.id: v for v in (
    Verb("describe", "Describe"),
    Verb("yaml", "YAML"),
    Verb("logs", "Logs"),
    Verb("previous", "Logs Previous"),
    Verb("edit", "Edit", mutating=True),
    Verb("delete", "Delete", mutating=True),
    Verb("rename", "Rename", mutating=True),  # (contexts: kubectl config rename-context)
    Verb("kill", "Kill", mutating=True),
    Verb("scale", "Scale", mutating=True),
    Verb("restart", "Restart", mutating=True),
    Verb("image", "Set Image", mutating=True),
    Verb("rollback", "Rollback", mutating=True),
    Verb("cordon", "Cordon", mutating=True),
    Verb("uncordon", "Uncordon", mutating=True),
    Verb("drain", "Drain", mutating=True),
    Verb("trigger", "Trigger", mutating=True),
    Verb("transfer", "Transfer", mutating=True, in_menu=False),  # (in `?`: the pods menu keeps its columns)
    Verb("sanitize", "Sanitize", mutating=True),
    Verb("suspend", "Suspend/Resume", mutating=True),
    Verb("shell", "Shell", mutating=True),
    Verb("attach", "Attach", mutating=True),
    Verb("port_forward", "Port-Forward", mutating=True),
    Verb("show_port_forward", "Show PortForward", in_menu=False),  # (in `?`: the menu keeps its columns)
    Verb("show_node", "Show Node"),
    Verb("replicasets", "ReplicaSets"),
    Verb("used_by", "UsedBy"),
    Verb("copy_namespace", "Copy Namespace", in_menu=False),
    Verb("warp", "Warp To Namespace", in_menu=False),
    Verb("bench", "Bench Run/Stop"),
    Verb("copy", "Copy"),
    Verb("use", "Use"),
    Verb("decode", "Decode"),
    Verb("values", "Values"),
    Verb("releases", "Releases"),  # (helm: its revisions, as enter)
    Verb("helm_rollback", "RollBackTo...", mutating=True),
)}


@dataclass(frozen=True)
class RowKey:
    key: str  # Textual key name
    label: str  # k9s's menu label
    verbs: tuple[str, ...]  # candidates, first supported wins


ORDER: tuple[str, ...] = tuple(ROW_VERBS)  # the menu's order (config.keymap: each verb's default keys)
DEFAULT = Keymap()


def row_keys(keymap: Keymap = DEFAULT) -> tuple[RowKey, ...]:
    """The keys rows answer to under ``keymap``, each with the verbs it may mean (in ORDER)."""
    by_key: dict[str, list[str]] = {}
    for vid in ORDER:
        for key in keymap.keys(vid):
            by_key.setdefault(key, []).append(vid)
    return tuple(RowKey(k, label(k), tuple(v)) for k, v in by_key.items())


ROW_KEYS: tuple[RowKey, ...] = row_keys()  # k9s's keys
BY_KEY = {k.key: k for k in ROW_KEYS}


def verb_for(view: ViewKind, key: str, keymap: Keymap = DEFAULT) -> Verb | None:
    """What ``key`` does on a row of ``view`` (None: nothing there)."""
    k = canonical(key)
    for vid in ORDER:
        if vid in view.verbs and k in {canonical(x) for x in keymap.keys(vid)}:
            return VERBS[vid]
    return None


def allowed(verb: Verb, read_only: bool) -> bool:
    return not (read_only and verb.mutating)


def row_menu(view: ViewKind, read_only: bool, keymap: Keymap = DEFAULT, *, menu: bool = False) -> list[tuple[str, str]]:
    """The row keys the menu and `?` show for ``view``: enter's meaning first, then every verb
    the view supports, works now, is allowed (nothing mutating when read-only) and has a key."""
    out: list[tuple[str, str]] = []
    drill = keymap.label("drill", "<enter>")
    if view.drill_hint and drill:
        out.append((drill, view.drill_hint))
    for vid in ORDER:
        verb, keys = VERBS[vid], keymap.keys(vid)
        if vid in view.verbs and keys and allowed(verb, read_only) and (verb.in_menu or not menu):
            out.append((label(keys[0]), verb.description))
    return out
