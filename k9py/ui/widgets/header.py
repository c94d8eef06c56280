"""k9s's header: cluster info on the left, namespace favourites, the view's key menu, the logo
(or the connection's last error). Everything in it is plain Text: names are never markup.

Like k9s, every header row is one terminal line: what does not fit the width is dropped, never
wrapped: first the logo, then the menu's columns from the right, then the favourites' column.
A wide terminal shows more menu columns. The left column has one width for every row, which
does not depend on the connection's state or the `[readonly]` tag, so the menu never shifts."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from k9py import __version__
from k9py.config.settings import Thresholds
from k9py.explorer.navigator import Navigator
from k9py.explorer.session import Session
from k9py.ui import keymap, theme
from k9py.ui.widgets.menu import Hint, columns_width, fitting_columns, menu_lines
from k9py.view.inert import inert_line

LOGO = [
    r" _    ___",
    r"| |__/ _ \ _ __ _  _",
    r"| / /\_, /| '_ \ || |",
    r"|_\_\ /_/ | .__/\_, |",
    r"          |_|   |__/",
]
LOGO_WIDTH = 2 + max(len(line) for line in LOGO)
LABEL_W = 11  # " Context:  "
MIN_VALUE_W, MAX_VALUE_W = 22, 32
NS_W = 16  # a favourite namespace's name is cut to this many cells
SHORT_SCREEN = 30  # below this many rows CPU and MEM share one row (the table keeps its rows)
LONGEST_STATE = "reconnecting"  # the longest connection state the Backend row can show
MIN_ERROR_W = 12


def cut(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells (a wide character takes two), cut with an ellipsis."""
    return text if cell_len(text) <= width else set_cell_size(text, max(0, width - 1)).rstrip() + "…"


@dataclass(frozen=True)
class Facts:
    """What the header shows, taken when it is told to show (``Header.show``) so that it agrees
    with the table painted at the same moment; laid out for the width it gets."""

    left: list[tuple[str, str]]  # Context .. Backend
    cpu: str
    mem: str
    value_w: int
    favorites: list[str]
    hints: list[Hint]  # the view's menu
    more: list[Hint]  # what a wide header adds (the other sorts)
    state: str
    error: str | None
    levels: tuple[str, str] = ("ok", "ok")  # CPU's and MEM's threshold level (config.yaml thresholds)
    namespaced: bool = True  # the view's objects live in namespaces: else no `<0>`-`<9>` (k9s's namespaceActions)


def level_style(level: str) -> Style:
    """The header value's style for a threshold level (k9s: orangered, red; the skin's)."""
    return theme.style({"warn": "info.warn", "critical": "info.critical"}.get(level, "info.value"))


def facts(session: Session, nav: Navigator, replay: list[tuple[str, str]],
          thresholds: Thresholds | None = None) -> Facts:
    info = session.info()
    cur = nav.current
    state, error = session.connection(cur.cache() if cur is not None else None)
    tag = " [readonly]" if session.read_only else ""
    left = [("Context:", info.context), ("Cluster:", info.cluster), ("User:", info.user),
            ("K9py Rev:", f"v{__version__}"), ("K8s Rev:", info.server_version),
            ("Backend:", f"{info.backend} ({state}){tag}")]
    usage = session.cluster_usage()
    cpu, mem = (f"{usage[0]}%", f"{usage[1]}%") if usage else ("n/a", "n/a")
    th = thresholds or Thresholds()
    levels = (th.level("cpu", usage[0]), th.level("memory", usage[1])) if usage else ("ok", "ok")
    # one width for every row, whatever the connection's state: nothing shifts
    widest = max([len(v) for label, v in left if label != "Backend:"] + [len(f"{cpu} / {mem}")]
                 + [len(f"{info.backend} ({LONGEST_STATE}){tag}")])
    hints: list[Hint] = []
    more: list[Hint] = []
    if cur is not None and cur.model is not None:
        columns = {c.name for c in cur.model.columns}
        hints = [Hint(k, d) for k, d in keymap.menu(cur.scope.view, session.read_only, columns, replay,
                                                     keys=nav.keymap, extra_hints=nav.menu_hints(cur.scope.view))]
        more = [Hint(k, d) for k, d in keymap.menu_more(columns, replay, keys=nav.keymap)]
    left = [(label, inert_line(value)) for label, value in left]  # names are cluster content
    error = inert_line(error) if error else error
    return Facts(left, cpu, mem, min(MAX_VALUE_W, max(MIN_VALUE_W, widest)), list(nav.favorites),
                 hints, more, state, error, levels, cur is None or cur.scope.view.namespaced)


def layout(f: Facts, width: int, height: int = 0, *, logoless: bool = False) -> list[Text]:
    """One Text per header row, none wider than ``width`` (a screen ``height`` rows high; 0:
    tall enough). Favourites first, then the menu's columns, then the logo, as far as they fit."""
    left = list(f.left)
    if 0 < height < SHORT_SCREEN:
        left.append(("CPU/MEM:", f"{f.cpu} / {f.mem}"))
        worst = max(f.levels, key=("ok", "warn", "critical").index)
        styles = {"CPU/MEM:": level_style(worst)}
    else:
        left += [("CPU:", f.cpu), ("MEM:", f.mem)]
        styles = {"CPU:": level_style(f.levels[0]), "MEM:": level_style(f.levels[1])}
    rows, value_w = len(left), f.value_w
    hints = [Hint("<0>", "all")] + [Hint(f"<{i + 1}>", cut(ns, NS_W)) for i, ns in enumerate(f.favorites[:rows - 1])]
    if not f.namespaced:  # nodes, namespaces, PVs...: the 0-9 keys have nothing to switch (k9s binds none)
        hints = []
    hints += f.hints
    room = width - LABEL_W - value_w
    logo_w = 0 if logoless else LOGO_WIDTH
    menu_room = room
    cols = fitting_columns(hints, room, rows)
    if f.more and not f.error and sum(map(len, cols)) == len(hints) and room - columns_width(cols) >= logo_w:
        hints, menu_room = hints + f.more, room - logo_w  # wide: the other sorts (a connection error
        # has the room instead), beside the logo
    menu_w = columns_width(fitting_columns(hints, menu_room, rows))
    menu = menu_lines(hints, menu_room, rows)
    room -= menu_w
    show_logo = not logoless and room >= LOGO_WIDTH
    first_err = len(LOGO) if show_logo else 0
    err_lines = (wrap(f"{f.state}: {f.error}", room - 2, rows - first_err)
                 if f.error and room - 2 >= MIN_ERROR_W else [])

    out = []
    for i in range(rows):
        line = Text(no_wrap=True, overflow="crop")
        label, value = left[i]
        line.append(f" {label:<{LABEL_W - 1}}", style=theme.style("info.label"))
        shown = cut(value, value_w)
        line.append(shown + " " * (value_w - cell_len(shown)), style=styles.get(label) or theme.style("info.value"))
        line.append_text(menu[i])
        line.pad_right(LABEL_W + value_w + menu_w - line.cell_len)
        if show_logo and i < len(LOGO):
            line.append(f"  {LOGO[i]}", style=theme.style("logo"))
        elif err_lines and first_err <= i < first_err + len(err_lines):
            line.append(f"  {err_lines[i - first_err]}", style=theme.style("info.error"))
        line.rstrip()
        line.truncate(max(0, width))
        out.append(line)
    return out


def joined(lines: list[Text]) -> Text:
    text = Text("\n", no_wrap=True, overflow="crop").join(lines)
    text.no_wrap, text.overflow = True, "crop"
    return text


class Header(Widget):
    DEFAULT_CSS = "Header { height: auto; }"

    def __init__(self, *, logoless: bool = False, thresholds: Thresholds | None = None, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.logoless = logoless
        self.thresholds = thresholds or Thresholds()
        self.facts: Facts | None = None

    def show(self, session: Session, nav: Navigator, replay: list[tuple[str, str]]) -> None:
        """Take the facts now; lay out and paint again only if they changed (the app asks every
        tick: an idle header costs nothing)."""
        self._take(facts(session, nav, replay, self.thresholds))

    def _take(self, shown: Facts) -> None:
        if shown == self.facts:
            return
        self.facts = shown
        self.refresh(layout=True)

    def lines(self, width: int) -> list[Text]:
        if self.facts is None:
            return []
        return layout(self.facts, width, self.app.size.height if self.is_attached else 0, logoless=self.logoless)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Text:
        return joined(self.lines(self.size.width))

    def text(self, session: Session, nav: Navigator, width: int, replay: list[tuple[str, str]],
             height: int = 0) -> Text:
        """The header as it would show at ``width`` cells (and ``height`` rows)."""
        return joined(layout(facts(session, nav, replay, self.thresholds), width, height, logoless=self.logoless))


class ScreenHeader(Header):
    """k9s's header over a pushed view (logs, describe, YAML...): the cluster's facts and the logo
    as over the table, the menu the screen's own keys (no namespace favourites)."""

    def show_keys(self, session: Session, nav: Navigator, replay: list[tuple[str, str]], hints: list[Hint]) -> None:
        self._take(replace(facts(session, nav, replay, self.thresholds), hints=hints, more=[], favorites=[],
                           namespaced=False))


def wrap(text: str, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of ``width`` cells, the last one cut with "…"."""
    out: list[str] = []
    rest = text
    while rest and len(out) < lines:
        if len(rest) <= width:
            out.append(rest)
            break
        if len(out) == lines - 1:
            out.append(rest[:width - 1] + "…")
            break
        cut_at = rest.rfind(" ", 0, width + 1)
        cut_at = cut_at if cut_at > 0 else width
        out.append(rest[:cut_at])
        rest = rest[cut_at:].lstrip()
    return out
