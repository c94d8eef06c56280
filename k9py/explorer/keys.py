"""Which key does what on a row, derived from the kind registry (``view.kinds``): one table of
k9s's keys and the verbs they may mean, so the menu, `?`, dispatch and read-only hiding agree.

A key can mean different verbs in different views, as in k9s: `s` scales a deployment, suspends
a cronjob and opens a shell in a pod; `c` cordons a node and copies a name elsewhere. The first
verb in a key's list that the view supports wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from k9py.view.kinds import ViewKind


@dataclass(frozen=True)
class Verb:
    id: str  # stable: user keymaps (issue 11) bind keys to it
    description: str  # k9s's menu wording
    mutating: bool = False  # refused, and hidden, in read-only mode
    available: bool = True  # False: reserved for what k9s does there, not built yet


VERBS: dict[str, Verb] = {v.id: v for v in (
    Verb("describe", "Describe"),
    Verb("yaml", "YAML"),
    Verb("logs", "Logs"),
    Verb("previous", "Logs Previous"),
    Verb("edit", "Edit", mutating=True),
    Verb("delete", "Delete", mutating=True),
    Verb("kill", "Kill", mutating=True),
    Verb("scale", "Scale", mutating=True),
    Verb("restart", "Restart", mutating=True),
    Verb("image", "Set Image", mutating=True),
    Verb("rollback", "Rollback", mutating=True),
    Verb("cordon", "Cordon", mutating=True),
    Verb("uncordon", "Uncordon", mutating=True),
    Verb("drain", "Drain", mutating=True),
    Verb("trigger", "Trigger", mutating=True),
    Verb("suspend", "Suspend/Resume", mutating=True),
    Verb("shell", "Shell", mutating=True, available=False),
    Verb("attach", "Attach", mutating=True, available=False),
    Verb("port_forward", "Port-Forward", mutating=True, available=False),
    Verb("show_node", "Show Node"),
    Verb("copy", "Copy"),
    Verb("use", "Use"),
    Verb("decode", "Decode"),
)}


@dataclass(frozen=True)
class RowKey:
    key: str  # Textual key name
    label: str  # k9s's menu label
    verbs: tuple[str, ...]  # candidates, first supported wins


ROW_KEYS: tuple[RowKey, ...] = (
    RowKey("d", "<d>", ("describe",)),
    RowKey("y", "<y>", ("yaml",)),
    RowKey("l", "<l>", ("logs",)),
    RowKey("p", "<p>", ("previous",)),
    RowKey("ctrl+d", "<ctrl-d>", ("delete",)),
    RowKey("e", "<e>", ("edit",)),
    RowKey("ctrl+k", "<ctrl-k>", ("kill",)),
    RowKey("s", "<s>", ("shell", "scale", "suspend")),
    RowKey("a", "<a>", ("attach",)),
    RowKey("F", "<shift-f>", ("port_forward",)),
    RowKey("r", "<r>", ("restart", "drain")),
    RowKey("i", "<i>", ("image",)),
    RowKey("ctrl+l", "<ctrl-l>", ("rollback",)),
    RowKey("c", "<c>", ("cordon", "copy")),
    RowKey("u", "<u>", ("uncordon", "use")),
    RowKey("t", "<t>", ("trigger",)),
    RowKey("o", "<o>", ("show_node",)),
    RowKey("x", "<x>", ("decode",)),
)
BY_KEY = {k.key: k for k in ROW_KEYS}


def verb_for(view: ViewKind, key: str) -> Verb | None:
    """What ``key`` does on a row of ``view`` (None: nothing there)."""
    row_key = BY_KEY.get(key)
    if row_key is None:
        return None
    for vid in row_key.verbs:
        if vid in view.verbs:
            return VERBS[vid]
    return None


def allowed(verb: Verb, read_only: bool) -> bool:
    return not (read_only and verb.mutating)


def row_menu(view: ViewKind, read_only: bool) -> list[tuple[str, str]]:
    """The row keys the menu and `?` show for ``view``: enter's meaning first, then every key
    whose verb the view supports, works now and is allowed (nothing mutating when read-only)."""
    out: list[tuple[str, str]] = []
    if view.drill_hint:
        out.append(("<enter>", view.drill_hint))
    for row_key in ROW_KEYS:
        verb = verb_for(view, row_key.key)
        if verb is not None and verb.available and allowed(verb, read_only):
            out.append((row_key.label, verb.description))
    return out
