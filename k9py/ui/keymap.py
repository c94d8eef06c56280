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
    Key("T", "<shift-t>", "sort('RESTARTS')", "Sort restarts", "RESOURCE"),
    Key("C", "<shift-c>", "sort('CPU')", "Sort CPU", "RESOURCE"),
    Key("M", "<shift-m>", "sort('MEM')", "Sort MEM", "RESOURCE"),
    Key("X", "<shift-x>", "sort('%CPU/R')", "Sort %CPU (REQ)", "RESOURCE"),
    Key("Z", "<shift-z>", "sort('%MEM/R')", "Sort %MEM (REQ)", "RESOURCE"),
    Key("I", "<shift-i>", "sort('IP')", "Sort IP", "RESOURCE"),
    Key("O", "<shift-o>", "sort('NODE')", "Sort node", "RESOURCE"),
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


# Hints of actions that only some views have (screens adding actions extend this).
VIEW_HINTS: dict[str, list[tuple[str, str]]] = {
    "deployments": [("<s>", "Scale")], "replicasets": [("<s>", "Scale")], "statefulsets": [("<s>", "Scale")],
}
NO_DELETE = ("containers", "contexts")
SORT_HINTS = [("<shift-n>", "Sort Name"), ("<shift-a>", "Sort Age")]


SCALABLE = ("deployments", "replicasets", "statefulsets")


def resource_keys(view: str, columns: set[str],
                  actions: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """The RESOURCE keys `?` lists for ``view``: only what works there (drill-down, scale, delete,
    sorts on columns the view has), then the actions screens registered in VIEW_HINTS.
    ``actions``: the action keys the actions module offers here (then they replace delete/scale)."""
    out: list[tuple[str, str]] = []
    for k in RESOURCE:
        if k.action == "drill":
            if view not in DRILL_HINT:
                continue
            out.append((k.label, DRILL_HINT[view]))
            continue
        if k.action == "scale" and (view not in SCALABLE or actions is not None):
            continue
        if k.action == "delete" and (view in NO_DELETE or actions is not None):
            continue
        if k.action.startswith("sort(") and k.action[6:-2] not in columns:
            continue
        out.append((k.label, k.description))
    extra = actions if actions is not None else VIEW_HINTS.get(view, [])
    out += [h for h in extra if h not in out]
    return out


def hints_for(view: str, actions: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """The header's key hints for ``view``: what enter does there, its actions, then the rest.
    ``actions``: the action keys offered here (k9py.ui.screens.actions), else delete/scale."""
    out: list[tuple[str, str]] = []
    if view in DRILL_HINT:
        out.append(("<enter>", DRILL_HINT[view]))
    if actions is not None:
        out += actions
    else:
        if view not in NO_DELETE:
            out.append(("<ctrl-d>", "Delete"))
        out += VIEW_HINTS.get(view, [])
    out += [h for h in HINTS if h[0] != "<enter>"]
    out += SORT_HINTS
    return out


def bindings() -> list[tuple[str, str, str]]:
    return [(k.key, k.action, k.description) for k in ALL_KEYS]
