"""The keys of the explorer, k9s's, in one place: bindings, header hints and the `?` help."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    key: str  # Textual key name
    label: str  # how help shows it, k9s style: <shift-n>
    action: str
    description: str
    section: str = "GENERAL"


GENERAL = [
    Key("colon", "<:cmd>", "command", "Command mode"),
    Key("slash", "</term>", "filter", "Filter mode"),
    Key("escape", "<esc>", "back", "Back / clear"),
    Key("question_mark", "<?>", "help", "Help"),
    Key("ctrl+a", "<ctrl-a>", "aliases", "Aliases"),
    Key("ctrl+e", "<ctrl-e>", "toggle_header", "Toggle header"),
    Key("left_square_bracket", "<[>", "history_back", "History back"),
    Key("right_square_bracket", "<]>", "history_forward", "History forward"),
    Key("minus", "<->", "history_last", "Last view"),
    Key("ctrl+c", "<ctrl-c>", "quit", "Quit"),
]

NAVIGATION = [
    Key("j", "<j>", "cursor(1)", "Down", "NAVIGATION"),
    Key("k", "<k>", "cursor(-1)", "Up", "NAVIGATION"),
    Key("down", "<down>", "cursor(1)", "Down", "NAVIGATION"),
    Key("up", "<up>", "cursor(-1)", "Up", "NAVIGATION"),
    Key("g", "<g>", "top", "Top", "NAVIGATION"),
    Key("G", "<shift-g>", "bottom", "Bottom", "NAVIGATION"),
    Key("ctrl+f", "<ctrl-f>", "page(1)", "Page down", "NAVIGATION"),
    Key("pagedown", "<pgdn>", "page(1)", "Page down", "NAVIGATION"),
    Key("ctrl+b", "<ctrl-b>", "page(-1)", "Page up", "NAVIGATION"),
    Key("pageup", "<pgup>", "page(-1)", "Page up", "NAVIGATION"),
]

RESOURCE = [
    Key("enter", "<enter>", "drill", "View", "RESOURCE"),
    Key("J", "<shift-j>", "owner", "Jump owner", "RESOURCE"),
    Key("space", "<space>", "mark", "Mark", "RESOURCE"),
    Key("ctrl+w", "<ctrl-w>", "wide", "Toggle wide", "RESOURCE"),
    Key("ctrl+d", "<ctrl-d>", "delete", "Delete", "RESOURCE"),
    Key("s", "<s>", "scale", "Scale", "RESOURCE"),
    Key("N", "<shift-n>", "sort('NAME')", "Sort name", "RESOURCE"),
    Key("A", "<shift-a>", "sort('AGE')", "Sort age", "RESOURCE"),
    Key("S", "<shift-s>", "sort('STATUS')", "Sort status", "RESOURCE"),
    Key("P", "<shift-p>", "sort('NAMESPACE')", "Sort namespace", "RESOURCE"),
    Key("R", "<shift-r>", "sort('READY')", "Sort ready", "RESOURCE"),
]

NAMESPACE_KEYS = [Key(str(i), f"<{i}>", f"favorite({i})", "", "NAMESPACE") for i in range(10)]

ALL_KEYS = GENERAL + NAVIGATION + RESOURCE + NAMESPACE_KEYS

# What the header shows for each view (k9s's menu); the help lists everything.
HINTS = [("<enter>", "View"), ("<shift-j>", "Jump Owner"), ("<ctrl-w>", "Wide"), ("<space>", "Mark"),
         ("</>", "Filter"), ("<:>", "Command"), ("<?>", "Help"), ("<ctrl-a>", "Aliases")]

DRILL_HINT = {
    "deployments": "Pods", "replicasets": "Pods", "statefulsets": "Pods", "daemonsets": "Pods",
    "jobs": "Pods", "services": "Pods", "nodes": "Pods", "namespaces": "Pods",
    "persistentvolumeclaims": "Pods", "cronjobs": "Jobs", "pods": "Containers", "containers": "Logs",
}


def bindings() -> list[tuple[str, str, str]]:
    return [(k.key, k.action, k.description) for k in ALL_KEYS]
