"""The explorer's keys, k9s's, as Textual bindings, the header's menu and the `?` sections.
Row keys (describe, delete, scale, ...) come from ``k9py.explorer.keys``, itself derived from
the kind registry, so what a view offers, shows and does cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

from k9py.explorer import keys as row_keys
from k9py.view.kinds import ViewKind


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
    Key("escape", "<esc>", "escape", "Back / clear"),
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

# Keys of every table view (the row keys that depend on the view come from explorer.keys).
TABLE = [
    Key("J", "<shift-j>", "owner", "Jump owner", "RESOURCE"),
    Key("space", "<space>", "mark", "Mark", "RESOURCE"),
    Key("ctrl+@", "<ctrl-space>", "mark_range", "Mark range", "RESOURCE"),  # a terminal sends ctrl-space as NUL
    Key("ctrl+backslash", "<ctrl-\\>", "clear_marks", "Clear marks", "RESOURCE"),
    Key("ctrl+w", "<ctrl-w>", "wide", "Toggle wide", "RESOURCE"),
    Key("ctrl+s", "<ctrl-s>", "save", "Save as CSV", "RESOURCE"),
]
MARK_ACTIONS = ("mark", "mark_range", "clear_marks")  # the table's own keys (its marks)
SORTS = [
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
    Key("L", "<shift-l>", "sort('LAST SEEN')", "Sort last seen", "RESOURCE"),
]
NAMESPACE_KEYS = [Key(str(i), f"<{i}>", f"favorite({i})", "", "NAMESPACE") for i in range(10)]

# The header's menu after the row keys (k9s's), then the sorts the view has.
MENU_TAIL = [("<shift-j>", "Jump Owner"), ("<ctrl-w>", "Wide"), ("<space>", "Mark"), ("</>", "Filter"),
             ("<:>", "Command"), ("<?>", "Help"), ("<ctrl-a>", "Aliases")]
MENU_SORTS = ("NAME", "AGE")


HISTORY = ("history_back", "history_forward", "history_last")


def app_bindings() -> list[BindingType]:
    """The App's keys: prompts, help, aliases, header, back, quit."""
    return [Binding(k.key, k.action, k.description, show=False) for k in GENERAL if k.action not in HISTORY]


def pane_bindings() -> list[BindingType]:
    """The keys of a resource view's pane (the table itself has NAVIGATION and mark). Row keys
    all go to ``row(KEY)``: the view decides what they mean."""
    keys = [k for k in GENERAL if k.action in HISTORY] + TABLE + SORTS + NAMESPACE_KEYS
    out: list[BindingType] = [Binding(k.key, k.action, k.description, show=False) for k in keys
                              if k.action not in MARK_ACTIONS]
    out += [Binding(r.key, f"row('{r.key}')", show=False) for r in row_keys.ROW_KEYS]
    out += [Binding("enter", "drill", show=False), Binding("shift+j", "owner", show=False),
            Binding("shift+f", "row('F')", show=False)]
    return out


Hints = list[tuple[str, str]]


def _sorts(columns: set[str]) -> Hints:
    return [(k.label, k.description) for k in SORTS if k.action[6:-2] in columns]


def _unshadowed(hints: Hints, replay: Hints) -> Hints:
    """Drop the keys the replay keys take over while replaying (`space` pauses, `-` slows)."""
    taken = {label for label, _ in replay}
    return [h for h in hints if h[0] not in taken]


def menu(view: ViewKind, read_only: bool, columns: set[str], replay: Hints | None = None) -> Hints:
    """The header's menu for ``view``: enter and the row keys, the replay keys when replaying,
    the table keys, the name/age sorts."""
    replay = replay or []
    out = row_keys.row_menu(view, read_only) + replay + _unshadowed(MENU_TAIL, replay)
    out += [(k.label, _menu_words(k.description)) for k in SORTS
            if k.action[6:-2] in MENU_SORTS and k.action[6:-2] in columns]
    return out


def menu_more(columns: set[str], replay: Hints | None = None) -> Hints:
    """What a wide header adds after ``menu``: the view's other sorts."""
    return _unshadowed([(k.label, _menu_words(k.description)) for k in SORTS
                        if k.action[6:-2] not in MENU_SORTS and k.action[6:-2] in columns], replay or [])


def _menu_words(description: str) -> str:
    """k9s's menu capitalises its words: "Sort status" -> "Sort Status" ("CPU" stays)."""
    return " ".join(w.capitalize() if w.islower() else w for w in description.split(" "))


def help_sections(view: ViewKind, read_only: bool, columns: set[str], favorites: list[str],
                  replay: Hints | None = None) -> list[tuple[str, Hints]]:
    """`?`: exactly the keys that work in ``view``: its rows', sorts on columns it has, the
    replay keys when replaying (instead of the keys they take over), the rest."""
    replay = replay or []
    resource = row_keys.row_menu(view, read_only) + [(k.label, k.description) for k in TABLE] + _sorts(columns)
    sections = [
        ("RESOURCE", _unshadowed(resource, replay)),
        ("GENERAL", _unshadowed([(k.label, k.description) for k in GENERAL], replay)),
        ("NAVIGATION", [(k.label, k.description) for k in NAVIGATION
                        if k.key not in ("down", "up", "pagedown", "pageup")]),
        ("NAMESPACES", [("<0>", "all")] + [(f"<{i + 1}>", ns) for i, ns in enumerate(favorites)]),
    ]
    if replay:
        sections.insert(1, ("REPLAY", replay))
    return sections
