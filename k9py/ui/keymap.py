"""The explorer's keys, k9s's, as Textual bindings, the header's menu and the `?` sections.
Row keys (describe, delete, scale, ...) come from ``k9py.explorer.keys``, itself derived from
the kind registry, so what a view offers, shows and does cannot drift apart.

Every key here carries a stable action id (``config.keymap``): the user's keymap.yaml moves or
removes keys by id. The bindings are built from the effective keymap (``app_bindings``,
``pane_bindings``, ``table_bindings``) and ``install``ed on each instance; Textual's own
``App.set_keymap`` is not used: it rebinds by key (dropping every binding of the old key), which is
wrong for row keys where one key means a different verb per view. Here each row verb has its own
binding (``verb('scale')`` on `s`, ``verb('shell')`` on `s`, ...): a verb the view does not have
skips, and the next binding of the key gets its turn.

The pushed screens (viewers, xray, pulses, ...) declare their keys as class ``BINDINGS`` that carry
ids; ``rekey`` turns those into the user's keys and ``KeyedScreen`` (``ui/screens/help.py``)
installs them with ``replace_declared``, so their menus and `?` follow too."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from textual.binding import Binding, BindingsMap, BindingType
from textual.dom import DOMNode

from k9py.config.hotkeys import Hotkey
from k9py.config.keymap import DEFAULTS, Keymap, canonical, variants
from k9py.config.keys import label
from k9py.explorer import keys as row_keys
from k9py.ui.widgets.menu import binding_keys, declared_bindings
from k9py.view.kinds import VIEWS, ViewKind

DEFAULT = Keymap()
Hints = list[tuple[str, str]]


@dataclass(frozen=True)
class Key:
    key: str  # Textual key name (the default)
    label: str  # how help shows it, k9s style: <shift-n> (while the action keeps its default keys)
    action: str
    description: str
    section: str = "GENERAL"
    id: str = ""  # the keymap's action id ("": a fixed key, esc)


GENERAL = [
    Key("colon", "<:cmd>", "command", "Command mode", id="command"),
    Key("slash", "</term>", "filter", "Filter mode", id="filter"),
    Key("escape", "<esc>", "escape", "Back / clear"),
    Key("question_mark", "<?>", "help", "Help", id="help"),
    Key("ctrl+a", "<ctrl-a>", "aliases", "Aliases", id="aliases"),
    Key("ctrl+e", "<ctrl-e>", "toggle_header", "Toggle header", id="toggle_header"),
    Key("ctrl+g", "<ctrl-g>", "toggle_crumbs", "Toggle crumbs", id="toggle_crumbs"),
    Key("left_square_bracket", "<[>", "history_back", "History back", id="history_back"),
    Key("right_square_bracket", "<]>", "history_forward", "History forward", id="history_forward"),
    Key("minus", "<->", "history_last", "Last view", id="history_last"),
    Key("ctrl+c", "<ctrl-c>", "quit", "Quit", id="quit"),
    Key("q", "<q>", "escape", "Back"),  # k9s's q in a table: as esc (its Browser binds both); a keymap may take it
]

NAVIGATION = [
    Key("j", "<j>", "cursor(1)", "Down", "NAVIGATION", "down"),
    Key("k", "<k>", "cursor(-1)", "Up", "NAVIGATION", "up"),
    Key("down", "<down>", "cursor(1)", "Down", "NAVIGATION", "down"),
    Key("up", "<up>", "cursor(-1)", "Up", "NAVIGATION", "up"),
    Key("g", "<g>", "top", "Top", "NAVIGATION", "top"),
    Key("G", "<shift-g>", "bottom", "Bottom", "NAVIGATION", "bottom"),
    Key("ctrl+f", "<ctrl-f>", "page(1)", "Page down", "NAVIGATION", "page_down"),
    Key("pagedown", "<pgdn>", "page(1)", "Page down", "NAVIGATION", "page_down"),
    Key("ctrl+b", "<ctrl-b>", "page(-1)", "Page up", "NAVIGATION", "page_up"),
    Key("pageup", "<pgup>", "page(-1)", "Page up", "NAVIGATION", "page_up"),
]
SCROLL = [  # bound, not listed in `?` (k9s does not list them either)
    Key("left", "<left>", "scroll_cols(-1)", "Scroll left", "NAVIGATION", "scroll_left"),
    Key("right", "<right>", "scroll_cols(1)", "Scroll right", "NAVIGATION", "scroll_right"),
]

# k9s's (tview's) h and l scroll a table left and right where the view binds no row key on them
# (`l` is Logs on pods): bound after the pane's row keys, listed in `?` where they scroll
VI_SCROLL = [
    Key("h", "<h>", "scroll_cols(-1)", "Left", "NAVIGATION"),
    Key("l", "<l>", "scroll_cols(1)", "Right", "NAVIGATION"),
]

# Keys of every table view (the row keys that depend on the view come from explorer.keys).
TABLE = [
    Key("J", "<shift-j>", "owner", "Jump owner", "RESOURCE", "owner"),
    Key("space", "<space>", "mark", "Mark", "RESOURCE", "mark"),
    Key("ctrl+space", "<ctrl-space>", "mark_range", "Mark range", "RESOURCE", "mark_range"),  # also ctrl+@ (NUL)
    Key("ctrl+backslash", "<ctrl-\\>", "clear_marks", "Clear marks", "RESOURCE", "clear_marks"),
    Key("ctrl+w", "<ctrl-w>", "wide", "Toggle wide", "RESOURCE", "wide"),
    Key("ctrl+z", "<ctrl-z>", "faults", "Toggle faults", "RESOURCE", "faults"),
    Key("ctrl+s", "<ctrl-s>", "save", "Save as CSV", "RESOURCE", "save"),
    Key("ctrl+r", "<ctrl-r>", "refresh", "Refresh", "RESOURCE", "refresh"),
    # k9s's column selection: shift-left/right move it, shift-o sorts by it
    Key("shift+left", "<shift-left>", "select_column(-1)", "Select column left", "RESOURCE", "select_column_left"),
    Key("shift+right", "<shift-right>", "select_column(1)", "Select column right", "RESOURCE", "select_column_right"),
    Key("O", "<shift-o>", "sort_selected", "Sort selected column", "RESOURCE", "sort_selected"),
]
MARK_ACTIONS = ("mark", "mark_range", "clear_marks")  # the table's own keys (its marks)
SORTS = [
    Key("N", "<shift-n>", "sort('NAME')", "Sort name", "RESOURCE", "sort_name"),
    Key("A", "<shift-a>", "sort('AGE')", "Sort age", "RESOURCE", "sort_age"),
    Key("S", "<shift-s>", "sort('STATUS')", "Sort status", "RESOURCE", "sort_status"),
    Key("P", "<shift-p>", "sort('NAMESPACE')", "Sort namespace", "RESOURCE", "sort_namespace"),
    Key("R", "<shift-r>", "sort('READY')", "Sort ready", "RESOURCE", "sort_ready"),
    Key("T", "<shift-t>", "sort('RESTARTS')", "Sort restarts", "RESOURCE", "sort_restarts"),
    Key("C", "<shift-c>", "sort('CPU')", "Sort CPU", "RESOURCE", "sort_cpu"),
    Key("M", "<shift-m>", "sort('MEM')", "Sort MEM", "RESOURCE", "sort_mem"),
    Key("X", "<shift-x>", "sort('%CPU/R')", "Sort %CPU (REQ)", "RESOURCE", "sort_cpu_request"),
    Key("Z", "<shift-z>", "sort('%MEM/R')", "Sort %MEM (REQ)", "RESOURCE", "sort_mem_request"),
    Key("I", "<shift-i>", "sort('IP')", "Sort IP", "RESOURCE", "sort_ip"),
    Key("", "<shift-o>", "sort('NODE')", "Sort node", "RESOURCE", "sort_node"),  # (shift-o: the selected column)
    Key("L", "<shift-l>", "sort('LAST SEEN')", "Sort last seen", "RESOURCE", "sort_last_seen"),
    Key("K", "<shift-k>", "sort('KIND')", "Sort kind", "RESOURCE", "sort_kind"),  # (workloads)
]
NAMESPACE_KEYS = [Key(str(i), f"<{i}>", f"favorite({i})", "Favourite namespace" if i else "All namespaces",
                      "NAMESPACE", f"favorite_{i}") for i in range(10)]
DRILL = Key("enter", "<enter>", "drill", "Open / drill down", "RESOURCE", "drill")

# The header's menu after the row keys (k9s's), then the sorts the view has: (id, label, words).
MENU_TAIL = [("owner", "<shift-j>", "Jump Owner"), ("wide", "<ctrl-w>", "Wide"), ("mark", "<space>", "Mark"),
             ("filter", "</>", "Filter"), ("command", "<:>", "Command"), ("help", "<?>", "Help"),
             ("aliases", "<ctrl-a>", "Aliases")]
MENU_SORTS = ("NAME", "AGE")
# a sort key that sorts another column in a view without the key's own (k9s's history: shift-n
# sorts REVISION); view name -> {the key's column: the column it sorts there}
# kubectl prints roles, cluster roles and CRDs as NAME and CREATED AT (the apiserver's default
# convertor) where k9s has AGE: shift-a sorts CREATED AT there
SORT_STANDS_IN: dict[str, dict[str, str]] = {"history": {"NAME": "REVISION"},
                                             **{v: {"AGE": "CREATED AT"} for v in
                                                ("roles", "clusterroles", "customresourcedefinitions")}}


def sort_column(view: ViewKind | None, col: str) -> str:
    """The column the sort key of ``col`` sorts in ``view``."""
    return SORT_STANDS_IN.get(view.name, {}).get(col, col) if view is not None else col

HISTORY = ("history_back", "history_forward", "history_last")
ALL_KEYS = [*GENERAL, *NAVIGATION, *SCROLL, *TABLE, *SORTS, *NAMESPACE_KEYS, DRILL]  # every non-row action


# -- bindings ---------------------------------------------------------------------------------------
def bindings(keys: Iterable[Key], keymap: Keymap = DEFAULT) -> list[Binding]:
    """``keys`` bound as ``keymap`` says: each action id on its effective keys (every name a
    terminal may report for them), carrying the id; fixed keys as they are."""
    out: list[Binding] = []
    seen: set[str] = set()
    for k in keys:
        if not k.id:
            out.append(Binding(k.key, k.action, k.description, show=False))
        elif k.id not in seen:
            seen.add(k.id)
            out += [Binding(v, k.action, k.description, show=False, id=k.id)
                    for key in keymap.keys(k.id) for v in variants(key)]
    return out


def verb_bindings(keymap: Keymap = DEFAULT) -> list[Binding]:
    """One binding per row verb and key: ``verb('scale')`` on `s`; the pane skips a verb its view
    does not have, so the key's next binding (``verb('shell')``...) gets its turn."""
    return [Binding(v, f"verb('{vid}')", show=False, id=vid)
            for vid in row_keys.ORDER for key in keymap.keys(vid) for v in variants(key)]


def app_bindings(keymap: Keymap = DEFAULT) -> list[BindingType]:
    """The App's keys: prompts, help, aliases, header, back, quit."""
    return list(bindings([k for k in _general(keymap) if k.action not in HISTORY], keymap))


def _general(keymap: Keymap) -> list[Key]:
    """GENERAL as ``keymap`` leaves it: the fixed q (esc's twin) only while no action of the
    user's keymap.yaml takes q."""
    return [k for k in GENERAL if k.key != "q" or not keymap.actions_on("q")]


def pane_bindings(keymap: Keymap = DEFAULT) -> list[BindingType]:
    """The keys of a resource view's pane (the table itself has NAVIGATION and mark). Row keys
    all go to ``verb(ID)``: the view decides whether it has that verb."""
    keys = [k for k in GENERAL if k.action in HISTORY] + [k for k in TABLE if k.action not in MARK_ACTIONS]
    return [*bindings([*keys, *SORTS, *NAMESPACE_KEYS, DRILL], keymap), *verb_bindings(keymap),
            *bindings(VI_SCROLL, keymap)]


def table_bindings(keymap: Keymap = DEFAULT) -> list[BindingType]:
    """The table's own keys: the cursor, horizontal scrolling, marks."""
    return list(bindings([*SCROLL, *[k for k in TABLE if k.action in MARK_ACTIONS], *NAVIGATION], keymap))


def hotkey_bindings(hotkeys: Iterable[Hotkey]) -> list[Binding]:
    """The App's bindings of the user's hotkeys (hotkeys.yaml): ``hotkey(INDEX)``. Priority:
    a hotkey with ``override`` takes its key from a built-in action (the App still refuses it
    while a screen is pushed over the view)."""
    return [Binding(v, f"hotkey({i})", h.description, show=False, priority=True, id=f"hotkey.{h.name}")
            for i, h in enumerate(hotkeys) for v in variants(h.key)]


def hotkey_sections(hotkeys: Iterable[Hotkey]) -> list[tuple[str, Hints]]:
    """`?`'s HOTKEYS section (none without hotkeys)."""
    found = [(h.label or label(h.key), h.description) for h in hotkeys]
    return [("HOTKEYS", found)] if found else []


def install(node: DOMNode, new: Iterable[BindingType]) -> None:
    """Give ``node`` the keymap's bindings ``new`` instead of those with keymap ids its class
    declared (the bindings it has for other keys stay). Instance bindings: two apps with two
    keymaps never share them. A fixed key ``new`` binds again keeps its place in ``new`` (after
    the row keys: h and l)."""
    new = list(new)
    again = {(b.key, b.action) for b in new if isinstance(b, Binding)} | {("q", "escape")}  # (the keymap may take q)
    kept = [b for _, b in node._bindings if b.id not in DEFAULTS and not (b.id or "").startswith("hotkey.")
            and (b.key, b.action) not in again]
    node._bindings = BindingsMap([*kept, *new])


# -- the pushed screens ------------------------------------------------------------------------------
def rekey(chain: Sequence[Sequence[Binding]], keymap: Keymap, yielding: Sequence[str] = ()) -> list[list[Binding]]:
    """A pushed screen's bindings, group by group in the order its keys are looked up (its own
    class, its bases, then its body widget's), as ``keymap`` binds their ids. A binding keeps the
    keys it declares unless the user rebound its id; then the first binding of the id takes the
    user's keys in place of the id's default ones and any later binding of it loses those (the
    viewer's `j` and its body's `down` are one action: `down: x` puts x on the viewer only). Keys of
    a binding that are not its id's defaults are fixed and stay (esc beside `q`, home beside `g`)."""
    out: list[list[Binding]] = []
    taken: set[str] = set()  # ids whose keys a binding has taken
    # keys the user gave the screen's other ids (viewer.search: ctrl-r): the ``yielding`` ones
    # give them up there (the rbac view's refresh; config.keymap._yields)
    claimed = {canonical(k) for group in chain for b in group
               if b.id and b.id in DEFAULTS and keymap.changed(b.id) for k in keymap.keys(b.id)}
    for group in chain:
        new: list[Binding] = []
        for b in group:
            if b.id in yielding and b.id in DEFAULTS and not keymap.changed(b.id) and claimed:
                mine = {canonical(k) for k in DEFAULTS[b.id]}
                kept = [k for k in binding_keys(b) if not (canonical(k) in claimed and canonical(k) in mine)]
                if kept:
                    new.append(b if len(kept) == len(binding_keys(b)) else replace(b, key=",".join(kept)))
                continue
            if not b.id or b.id not in DEFAULTS or not keymap.changed(b.id):
                new.append(b)
                continue
            mine = {canonical(k) for k in DEFAULTS[b.id]}
            user = [] if b.id in taken else [v for k in keymap.keys(b.id) for v in variants(k)]
            taken.add(b.id)
            keys: list[str] = []
            for k in binding_keys(b):
                if canonical(k) in mine:
                    keys += user  # where the first of the id's default keys stood
                    user = []
                else:
                    keys.append(k)
            keys = list(dict.fromkeys(keys + user))
            if keys:
                new.append(replace(b, key=",".join(keys)))
        out.append(new)
    return out


def replace_declared(node: DOMNode, new: Iterable[Binding]) -> None:
    """Give ``node`` the bindings ``new`` instead of every key its k9py classes declare (the
    stock keys of Textual's classes that k9py never bound stay: text copy, ctrl+pageup)."""
    declared = {k for _, group in declared_bindings(type(node)) for b in group for k in binding_keys(b)}
    kept = [b for key, b in node._bindings if key not in declared]
    node._bindings = BindingsMap([*new, *kept])


def prompt_mode(keymap: Keymap, key: str) -> str | None:
    """"command" / "filter" when ``key`` opens that prompt, else None."""
    k = canonical(key)
    for mode in ("command", "filter"):
        if k in {canonical(x) for x in keymap.keys(mode)}:
            return mode
    return None


# -- menu and help ----------------------------------------------------------------------------------


def hints(keys: Iterable[Key], keymap: Keymap = DEFAULT) -> Hints:
    """One ``(label, description)`` per action of ``keys`` that has a key (its first one)."""
    out: Hints = []
    seen: set[str] = set()
    for k in keys:
        if k.id and k.id in seen:
            continue
        seen.add(k.id)
        text = keymap.label(k.id, k.label) if k.id else k.label
        if text is not None:
            out.append((text, k.description))
    return out


def _sorts(columns: set[str], keymap: Keymap, names: Iterable[str] | None = None, menu: bool = False,
           view: ViewKind | None = None) -> Hints:
    wanted = []
    for k in SORTS:
        col = k.action[6:-2]
        sorts = sort_column(view, col)
        if sorts in columns and (names is None or col in names):
            wanted.append(k if sorts == col else replace(k, description=f"Sort {sorts.lower()}"))
    return [(text, _menu_words(desc) if menu else desc) for text, desc in hints(wanted, keymap)]


def _unshadowed(hints: Hints, replay: Hints) -> Hints:
    """Drop the keys the replay keys take over while replaying (`space` pauses, `-` slows), or
    a hotkey or a plugin does."""
    taken = {label for label, _ in replay}
    return [h for h in hints if h[0] not in taken]


def _tail(keymap: Keymap) -> Hints:
    return [(text, words) for aid, default, words in MENU_TAIL
            if (text := keymap.label(aid, default)) is not None]


def menu(view: ViewKind, read_only: bool, columns: set[str], replay: Hints | None = None, *,
         keys: Keymap = DEFAULT, extra_hints: Hints | None = None) -> Hints:
    """The header's menu for ``view``: enter and the row keys, ``extra_hints`` (plugins,
    hotkeys), the replay keys when replaying, the table keys, the name/age sorts; every label
    as ``keys`` binds it."""
    replay = replay or []
    out = row_keys.row_menu(view, read_only, keys, menu=True) + list(extra_hints or []) + replay
    return out + _unshadowed(_tail(keys), replay) + _sorts(columns, keys, MENU_SORTS, menu=True, view=view)


def menu_more(columns: set[str], replay: Hints | None = None, *, keys: Keymap = DEFAULT) -> Hints:
    """What a wide header adds after ``menu``: the view's other sorts."""
    others = [c for c in columns if c not in MENU_SORTS]
    return _unshadowed(_sorts(columns, keys, others, menu=True), replay or [])


def _menu_words(description: str) -> str:
    """k9s's menu capitalises its words: "Sort status" -> "Sort Status" ("CPU" stays)."""
    return " ".join(w.capitalize() if w.islower() else w for w in description.split(" "))


def help_sections(view: ViewKind, read_only: bool, columns: set[str], favorites: list[str],
                  replay: Hints | None = None, *, keys: Keymap = DEFAULT,
                  extra: list[tuple[str, Hints]] | None = None,
                  taken: Iterable[str] = (), general: Sequence[tuple[str, str]] = ()) -> list[tuple[str, Hints]]:
    """`?`: exactly the keys that work in ``view``: its rows', sorts on columns it has, the
    replay keys when replaying (instead of the keys they take over), the rest (``general``: more
    of GENERAL's, the simulator's `:scenarios`), then ``extra`` sections (HOTKEYS, PLUGINS); every
    label as ``keys`` binds it. ``taken``: the labels the user's hotkeys and plugins take from a
    built-in action here (k9s's override): not listed twice."""
    replay = replay or []
    over = [*replay, *((text, "") for text in taken)]
    resource = row_keys.row_menu(view, read_only, keys) + hints(TABLE, keys) + _sorts(columns, keys, view=view)
    spaces = [(text, ns) for i, ns in enumerate(["all", *favorites][:10])
              if (text := keys.label(f"favorite_{i}", f"<{i}>")) is not None]
    sections = [
        ("RESOURCE", _unshadowed(resource, over)),
        ("GENERAL", _unshadowed(hints(_general(keys), keys), over) + list(general)),
        ("NAVIGATION", _unshadowed(hints(NAVIGATION, keys), over) + [
            h for h in _unshadowed(hints(VI_SCROLL, keys), over) if h[0] not in {text for text, _ in resource}]),
        *([("NAMESPACES", spaces)] if view.namespaced else []),  # (k9s: no 0-9 keys on nodes, PVs...)
        *(extra or []),
    ]
    if replay:
        sections.insert(1, ("REPLAY", replay))
    return sections


# -- the reference (docs/keys.md: a test keeps its table equal to this) -------------------------------
def reference() -> list[tuple[str, str, str, str]]:
    """(section, id, default keys, what it does) for every action a keymap may rebind."""
    out: list[tuple[str, str, str, str]] = []
    seen: set[str] = set()
    for k in [*GENERAL, *NAVIGATION, *SCROLL, DRILL, *TABLE, *SORTS, *NAMESPACE_KEYS]:
        if k.id and k.id not in seen:
            seen.add(k.id)
            out.append((k.section, k.id, " ".join(label(x) for x in DEFAULTS[k.id]), k.description))
    for vid in row_keys.ORDER:
        verb = row_keys.VERBS[vid]
        views = [v.name for v in VIEWS if vid in v.verbs]
        where = "most views" if len(views) > 8 else ", ".join(views)
        out.append(("ROW", vid, " ".join(label(x) for x in DEFAULTS[vid]), f"{verb.description} ({where})"))
    return out


def reference_markdown() -> str:
    """The reference as the Markdown table docs/keys.md holds."""
    lines = ["| id | default keys | section | what it does |", "|---|---|---|---|"]
    for section, aid, keys, what in reference():
        codes = " ".join(f"`{k}`" for k in keys.split(" ") if k) or "(none)"
        lines.append(f"| `{aid}` | {codes} | {section} | {what} |")
    return "\n".join(lines) + "\n"
