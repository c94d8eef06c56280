"""`?` help and `ctrl-a` aliases (modal lists closed with esc, q or the same key again), and
``KeyedScreen``: the base of every pushed screen, whose key menu and `?` come from its bindings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, TypeVar

from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import OptionList, Static

from k9py.config.keymap import Keymap, yielded
from k9py.ui import keymap, theme
from k9py.ui.screens.listsort import ListSort
from k9py.ui.widgets.inert_input import SearchBox
from k9py.ui.widgets.menu import Hint, KeyMenu, declared_bindings, distinct, hints_from_bindings
from k9py.view.filter import search_regex
from k9py.view.inert import inert_line

R = TypeVar("R")
Section = tuple[str, Sequence[Hint | tuple[str, str]]]
SECTION_GAP = 3


def as_hints(items: Sequence[Hint | tuple[str, str]]) -> list[Hint]:
    return [h if isinstance(h, Hint) else Hint(h[0], h[1]) for h in items]


def _section_lines(title: str, hints: Sequence[Hint]) -> tuple[int, list[Text]]:
    key_w = max((len(h.labels) for h in hints), default=0)
    key, desc = theme.style("help.key"), theme.style("help.desc")
    lines = [Text(title, style=theme.style("help.section"))]
    for h in hints:
        lines.append(Text.assemble((inert_line(h.labels).ljust(key_w), key), " ", (inert_line(h.description), desc)))
    return max(t.cell_len for t in lines), lines


def help_lines(sections: Sequence[Section], width: int) -> list[Text]:
    """Sections as k9s's help columns, left to right; one that does not fit ``width`` starts a
    new band below (a section is never wrapped)."""
    out: list[Text] = []
    band: list[tuple[int, list[Text]]] = []
    used = 0

    def flush() -> None:
        if not band:
            return
        if out:
            out.append(Text())
        for r in range(max(len(lines) for _, lines in band)):
            row = Text(no_wrap=True, overflow="crop")
            for i, (w, lines) in enumerate(band):
                cell = lines[r].copy() if r < len(lines) else Text()
                if i < len(band) - 1:
                    cell.pad_right(w + SECTION_GAP - cell.cell_len)
                row.append_text(cell)
            out.append(row)
        band.clear()

    for title, hints in sections:
        if not hints:
            continue
        w, lines = _section_lines(title, as_hints(hints))
        if band and used + SECTION_GAP + w > width:
            flush()
            used = 0
        used += (SECTION_GAP if band else 0) + w
        band.append((w, lines))
    flush()
    return out


class HelpBody(Static):
    """The help's sections, laid out for the width the body gets."""

    def __init__(self, sections: Sequence[Section], *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)
        self.sections = [(title, as_hints(items)) for title, items in sections]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(help_lines(self.sections, width))

    def render(self) -> Text:
        text = Text("\n", no_wrap=True, overflow="crop").join(help_lines(self.sections, self.content_region.width))
        text.no_wrap, text.overflow = True, "crop"
        return text

    def on_resize(self) -> None:
        self.refresh(layout=True)


async def _nothing() -> None:
    return None


class KeyedScreen(Screen[R]):
    """A screen whose key menu and `?` list exactly its bindings that carry a description:
    one section per class declaring some (titled by its ``HELP_TITLE``; a class without one
    joins the section of the class below it), the most specific first; `?` adds its ``BODY``
    widget's keys (NAVIGATION).

    A screen with a ``KEY_SCOPE`` (``config.keymap.SCREENS``) has the user's keys: its bindings
    and its body's carry keymap ids, rebound as keymap.yaml says (``keymap.rekey``) when the screen
    mounts; the menu and `?` are derived from those. Without one (dialogs) the keys are fixed."""

    BINDINGS = [Binding("question_mark", "help", "Help", id="help")]
    HELP_TITLE = ""
    MENU_ROWS = 6
    KEY_SCOPE = ""
    BODY: ClassVar[type[Widget] | None] = None

    _keyed: tuple[list[tuple[type[DOMNode], list[Binding]]], list[Binding]] | None = None
    _dismissed = False

    def dismiss(self, result: R | None = None) -> AwaitComplete:
        """Close once, and only from the top. The screen leaves the stack a moment later: a second
        key behind the one that closed it (esc esc in one burst) would otherwise pop the screen
        below as well and answer a result callback twice; and an answer queued before another
        screen opened on top (enter then `?` in one burst) would pop that one instead."""
        if self._dismissed or self.app.screen is not self:
            return AwaitComplete(_nothing())
        self._dismissed = True
        return super().dismiss(result)

    def offers(self, hint: Hint) -> bool:
        """Whether ``hint``'s key does something here (a YAML view decodes Secrets only)."""
        return True

    @property
    def user_keymap(self) -> Keymap:
        """The keys the user gave k9py's actions (the app's keymap.yaml; k9s's without a scope)."""
        user = getattr(self.app, "user", None) if self.KEY_SCOPE else None
        found = getattr(user, "keymap", None)
        return found if isinstance(found, Keymap) else keymap.DEFAULT

    @classmethod
    def keyed_bindings(cls, keys: Keymap = keymap.DEFAULT) -> tuple[list[tuple[type[DOMNode], list[Binding]]],
                                                                     list[Binding]]:
        """The screen's bindings by declaring class (as Textual merges them) and its body's, as
        ``keys`` binds their ids."""
        groups = declared_bindings(cls)
        body = [b for _, g in declared_bindings(cls.BODY) for b in g] if cls.BODY is not None else []
        if cls.KEY_SCOPE:
            *rekeyed, body = keymap.rekey([*(g for _, g in groups), body], keys, yielded(cls.KEY_SCOPE))
            groups = [(base, g) for (base, _), g in zip(groups, rekeyed, strict=True)]
        body = [b for _, g in distinct([(Widget, body)]) for b in g]
        return distinct(groups), body

    def _bindings_now(self) -> tuple[list[tuple[type[DOMNode], list[Binding]]], list[Binding]]:
        if self._keyed is None:
            self._keyed = self.keyed_bindings(self.user_keymap)
        return self._keyed

    def _post_register(self, app: App[object]) -> None:
        """The user's keys on the screen as soon as it is pushed (keys typed right behind the one
        that opened it find them); its body's once it is composed (``_install_body_keys``)."""
        super()._post_register(app)
        if self.KEY_SCOPE:
            keymap.replace_declared(self, [b for _, g in self._bindings_now()[0] for b in g])

    @on(events.Mount)
    def _install_body_keys(self) -> None:
        if self.KEY_SCOPE and self.BODY is not None:
            for widget in self.query(self.BODY):
                keymap.replace_declared(widget, self._bindings_now()[1])

    @classmethod
    def binding_sections(cls, keys: Keymap = keymap.DEFAULT) -> list[tuple[str, list[Hint]]]:
        """The class's described bindings by section under ``keys`` (no instance filtering)."""
        return cls._sections_of(cls.keyed_bindings(keys)[0])

    @classmethod
    def _sections_of(cls, groups: list[tuple[type[DOMNode], list[Binding]]]) -> list[tuple[str, list[Hint]]]:
        out: list[tuple[str, list[Hint]]] = []
        for base, group in groups:
            hints = hints_from_bindings(group)
            title = base.__dict__.get("HELP_TITLE") or (out[-1][0] if out else cls.HELP_TITLE or "KEYS")
            if out and out[-1][0] == title:
                out[-1][1].extend(hints)
            elif hints or base.__dict__.get("HELP_TITLE"):
                out.append((title, hints))
        return [(t, h) for t, h in out if h]

    def all_key_sections(self) -> list[tuple[str, list[Hint]]]:
        """This screen's described bindings by section, with the user's keys (not filtered)."""
        return self._sections_of(self._bindings_now()[0])

    def key_sections(self) -> list[tuple[str, list[Hint]]]:
        return [(t, [h for h in hints if self.offers(h)]) for t, hints in self.all_key_sections()]

    def key_hints(self) -> list[Hint]:
        """What the key menu shows: every section's hints, the most specific first."""
        return [h for _, hints in self.key_sections() for h in hints]

    def body_hints(self) -> list[Hint]:
        """The keys of the screen's body widget (`?`'s NAVIGATION)."""
        return hints_from_bindings(self._bindings_now()[1])

    def help_sections(self) -> list[tuple[str, list[Hint]]]:
        """What `?` lists: the key menu's sections, then its body's keys."""
        body = self.body_hints()
        return [*self.key_sections(), *([("NAVIGATION", body)] if body else [])]

    def help_title(self) -> str:
        return "Help"

    def key_menu(self) -> KeyMenu:
        return KeyMenu(self.key_hints(), max_rows=self.MENU_ROWS, id="key-menu")

    def refresh_menu(self) -> list[Hint]:
        """Re-derive the menu after a change of what the screen offers (the hints it shows)."""
        hints = self.key_hints()
        for menu in self.query("#key-menu").results(KeyMenu):
            menu.set_hints(hints)
        return hints

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.help_title(), self.help_sections()))


class Choices(OptionList):
    """A pushed screen's list whose enter is the screen's own key (keymap.yaml may move it, as
    screendumps.open); a click still picks."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "select"

    def action_cursor_up(self) -> None:
        """Up on the first option stays there (OptionList wraps round to the last), as j/k and
        k9s's tables do."""
        if self.highlighted:
            super().action_cursor_up()

    def action_cursor_down(self) -> None:
        if self.highlighted is None or self.highlighted < self.option_count - 1:
            super().action_cursor_down()


class ListScreen(KeyedScreen[None], ModalScreen[None]):
    """A scrollable modal list: ``body`` is a ready Text, or sections of hints laid out for the
    width the screen gets. Closed by the key that opened it too (`help`, `aliases`)."""

    BINDINGS = [Binding("escape,q", "dismiss_screen", "Back", id="back"),
                Binding("question_mark", "dismiss_screen", "Close", id="help"),
                Binding("j", "scroll(1)", "Down", id="down"), Binding("k", "scroll(-1)", "Up", id="up"),
                Binding("g", "scroll_top", "Top", id="top"), Binding("G", "scroll_bottom", "Bottom", id="bottom"),
                Binding("ctrl+f", "page(1)", "Page down", id="page_down"),
                Binding("ctrl+b", "page(-1)", "Page up", id="page_up")]
    HELP_TITLE = "HELP"
    MENU_ROWS = 3
    KEY_SCOPE = "help"
    KEYS_NOW = True  # keys only: they run in turn with the keys typed behind them (``K9pyApp.on_event``)

    def __init__(self, title: str, body: Text | Sequence[Section]) -> None:
        super().__init__()
        self._title = title
        self._body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box") as frame:
            frame.border_title = Text(self._title)  # names are never markup
            with VerticalScroll(id="help-scroll"):
                if isinstance(self._body, Text):
                    yield Static(self._body, id="help-body")
                else:
                    yield HelpBody(self._body, id="help-body")
            yield from self.under_list()
            yield self.key_menu()

    def under_list(self) -> ComposeResult:
        """What the frame holds between the list and the menu (the aliases' filter box: inside the
        frame, the list shortens for it and the frame stays where it is)."""
        yield from ()

    @property
    def scroller(self) -> VerticalScroll:
        return self.query_one("#help-scroll", VerticalScroll)

    def on_mount(self) -> None:
        box = self.scroller
        self.watch(box, "scroll_y", self._say_more, init=False)
        self.watch(box, "scroll_x", self._say_more, init=False)
        self.watch(box, "virtual_size", self._say_more, init=False)  # laid out, or for a new width

    def on_resize(self) -> None:
        self.call_after_refresh(self._say_more)

    def _say_more(self) -> None:
        """What does not fit (the sections laid out below at 80 columns) is said on the frame's
        bottom edge: ``more ↓`` (j, ctrl-f), ``more ↑``, or both."""
        scroller = self.scroller
        below, above = scroller.scroll_y < scroller.max_scroll_y, scroller.scroll_y > 0
        left, right = scroller.scroll_x > 0, scroller.scroll_x < scroller.max_scroll_x  # (the aliases' long rows)
        arrows = ("↑" if above else "") + ("↓" if below else "") + ("←" if left else "") + ("→" if right else "")
        said = f"more {arrows}" if arrows else ""
        box = self.query_one("#help-box")
        if box.border_subtitle != said:  # (setting it repaints the frame, even unchanged: every scroll step)
            box.border_subtitle = said

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)

    def action_scroll(self, delta: int) -> None:
        self.scroller.scroll_relative(y=delta, animate=False, force=True, immediate=True)

    def action_page(self, delta: int) -> None:
        box = self.scroller
        box.scroll_relative(y=delta * max(1, box.scrollable_content_region.height), animate=False,
                            force=True, immediate=True)

    def action_scroll_x(self, delta: int) -> None:
        """left / right: a few cells sideways (a row wider than the screen)."""
        self.scroller.scroll_relative(x=delta * SIDEWAYS, animate=False, force=True, immediate=True)

    def action_scroll_top(self) -> None:
        self.scroller.scroll_home(animate=False, force=True, immediate=True)

    def action_scroll_bottom(self) -> None:
        self.scroller.scroll_end(animate=False, force=True, immediate=True)


class HelpScreen(ListScreen):
    pass


AliasRow = tuple[str, str, str, str]  # RESOURCE, COMMAND, ALIASES as shown; what enter runs


SIDEWAYS = 8  # the cells left / right scroll a list wider than the screen
ALIASES_ROOM = 20  # what a narrow screen keeps for the aliases: the first two columns give way


def alias_text(rows: Sequence[AliasRow], header: Sequence[str] = ("RESOURCE", "COMMAND", "ALIASES"),
               width: int = 0) -> Text:
    """The aliases' lines under their header, columns as wide as their longest cell (a user's long
    command at most 30); in ``width`` cells (0: any) the first two narrow (their names cut with
    an ellipsis) so that the aliases, what the list is read for, keep ``ALIASES_ROOM``."""
    kind_w = max((len(r[0]) for r in rows), default=8) + 2
    name_w = min(30, max((len(r[1]) for r in rows), default=7)) + 2
    kind_w, name_w = max(kind_w, len(header[0]) + 2), max(name_w, len(header[1]) + 2)
    over = kind_w + name_w + ALIASES_ROOM - width if width else 0
    if over > 0:
        least = len(header[0]) + 2
        cut_kind = min(over - over // 2, kind_w - least)
        kind_w -= cut_kind
        name_w = max(len(header[1]) + 2, name_w - (over - cut_kind))

    def fit(cell: str, w: int) -> str:
        return cell if len(cell) <= w else cell[:max(0, w - 1)] + "…"

    text = Text(f"{header[0]:<{kind_w}}{header[1]:<{name_w}}{header[2]}\n", style=theme.style("table.header"))
    for kind, name, words, _ in rows:
        text.append(f"{fit(kind, kind_w - 1):<{kind_w}}{fit(name, name_w - 1):<{name_w - 1}} {words}\n",
                    style=theme.style("row"))
    return text


class AliasesScreen(ListScreen):
    """k9s's aliases view: a row a view (or a user's alias) under a cursor; enter runs its command
    (k9s's Goto) in the view below. ``commands``: each row's, in order (none: a list to read).
    Made with ``rows`` (``listing``), shift-r / shift-c sort them by resource or command and `/`
    filters them, as k9s's."""

    BINDINGS = [Binding("enter", "goto", "Goto", id="aliases.goto"),
                Binding("ctrl+a", "dismiss_screen", "Close", id="aliases"),
                Binding("R", "sort('RESOURCE')", "Sort Resource", id="aliases.sort_resource"),
                Binding("C", "sort('COMMAND')", "Sort Command", id="aliases.sort_command"),
                Binding("slash", "filter", "Filter", id="aliases.filter"),
                # the cursor's (the list does not take the keys: on_mount): the fixed keys move it too
                *[Binding(key, action, show=False, id=vid) for key, action, vid in (
                    ("down", "scroll(1)", "down"), ("up", "scroll(-1)", "up"), ("pagedown", "page(1)", "page_down"),
                    ("pageup", "page(-1)", "page_up"), ("home", "scroll_top", "top"), ("end", "scroll_bottom", "bottom"),
                    ("left", "scroll_x(-1)", "scroll_left"), ("right", "scroll_x(1)", "scroll_right"))]]
    # a row too long for the screen runs on past its right edge (never wrapping under the next
    # one): left / right scroll to it, and the frame's edge says ``more →``
    DEFAULT_CSS = """
    AliasesScreen #help-scroll { overflow-x: auto; scrollbar-size-horizontal: 0; }
    AliasesScreen #help-body { width: auto; min-width: 100%; text-wrap: nowrap; }
    AliasesScreen #aliases-filter { height: 3; border: round $k9-filter-border; background: $k9-prompt-bg;
                                    color: $k9-prompt-fg; display: none; }
    """
    HELP_TITLE = "ALIASES"
    HEADER_LINES = 1
    AUTO_FOCUS = "#help-scroll"  # (not the hidden filter box)
    COLUMNS = ("RESOURCE", "COMMAND", "ALIASES")

    def __init__(self, title: str, body: Text | Sequence[Section], commands: Sequence[str] = ()) -> None:
        super().__init__(title, body)
        self.commands = list(commands)
        self.cursor = 0
        self.chosen: str | None = None  # what enter picked (the app runs it once the screen is gone)
        self.rows: list[AliasRow] = []  # ``listing``'s, in their first order
        self.sort = ListSort()
        self.filter_text = ""

    @classmethod
    def listing(cls, rows: Sequence[AliasRow]) -> AliasesScreen:
        screen = cls(f"Aliases[{len(rows)}]", alias_text(rows), [r[3] for r in rows])
        screen.rows = list(rows)
        return screen

    @property
    def KEYS_NOW(self) -> bool:  # type: ignore[override]
        """Keys run now, unless the filter box takes them."""
        return not (self.is_mounted and self.filter_box.display)

    def under_list(self) -> ComposeResult:
        yield SearchBox(id="aliases-filter", placeholder="filter (regex)", on_submit=self._filtered)

    @property
    def filter_box(self) -> SearchBox:
        return self.query_one("#aliases-filter", SearchBox)

    def offers(self, hint: Hint) -> bool:
        if hint.action.startswith("sort") or hint.action == "filter":
            return bool(self.rows)
        return hint.action != "goto" or bool(self.commands)

    def _shown_rows(self) -> list[AliasRow]:
        rows = self.rows
        if self.filter_text:
            rx = search_regex(self.filter_text)
            rows = [r for r in rows if any(rx.matches(cell) for cell in r[:3])]
        return self.sort.order(rows, lambda r, col: (r[self.COLUMNS.index(col)].lower(), r))

    def _relist(self, keep: str | None = None) -> None:
        """The rows again, sorted and filtered; the cursor on ``keep``'s row (or the first)."""
        rows = self._shown_rows()
        self._body = alias_text(rows, self.sort.header(self.COLUMNS), self.scroller.scrollable_content_region.width)
        self.commands = [r[3] for r in rows]
        title = f"Aliases[{len(rows)}]" + (f" </{self.filter_text}>" if self.filter_text else "")
        self.query_one("#help-box").border_title = Text(title)
        self.cursor = self.commands.index(keep) if keep in self.commands else 0
        self.query_one("#help-body", Static).update(self._body)
        self._paint()
        self.refresh_menu()

    def _current(self) -> str | None:
        return self.commands[self.cursor] if self.commands else None

    def action_sort(self, col: str) -> None:
        """k9s's shift-r / shift-c: sort by the column; again: the other way round."""
        if self.rows:
            self.sort.toggle(col)
            self._relist(self._current())

    def action_filter(self) -> None:
        if self.rows:
            self.filter_box.open(self.filter_text)
            self.set_focus(self.filter_box)  # now: the keys typed behind `/` are the box's

    def _filtered(self, text: str) -> None:
        self.filter_box.close(self)
        self.set_focus(None)
        self.filter_text = text.strip()
        self._relist(self._current())

    def action_dismiss_screen(self) -> None:
        """esc: the filter box closes, then the filter clears, then the list (as the tables')."""
        if self.rows and self.filter_box.display:
            self.filter_box.close(self)
            self.set_focus(None)
        elif self.filter_text:
            self.filter_text = ""
            self._relist(self._current())
        else:
            super().action_dismiss_screen()

    def on_mount(self) -> None:  # (ListScreen's runs too: Textual runs every class's)
        if self.commands:
            self.scroller.can_focus = False  # its own arrow and page keys would scroll past the cursor
            self.set_focus(None)
        self._paint()
        if self.rows:  # laid out for the width it got (a narrow screen keeps the aliases)
            self.call_after_refresh(self._fit)

    def on_resize(self) -> None:  # (ListScreen's runs too: Textual calls each class's handler)
        if self.rows:
            self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        self._relist(self._current())

    def _paint(self) -> None:
        if not self.commands or not isinstance(self._body, Text):
            return
        text = self._body.copy()
        lines = text.plain.split("\n")
        row = self.cursor + self.HEADER_LINES
        start = sum(len(line) + 1 for line in lines[:row])
        text.stylize(theme.style("table.cursor"), start, start + len(lines[row]))
        self.query_one("#help-body", Static).update(text)
        box = self.scroller
        height = max(1, box.scrollable_content_region.height)
        if row < box.scroll_y + self.HEADER_LINES:
            box.scroll_to(y=max(0, row - self.HEADER_LINES), animate=False, force=True, immediate=True)
        elif row >= box.scroll_y + height:
            box.scroll_to(y=row - height + 1, animate=False, force=True, immediate=True)

    def _move(self, to: int) -> None:
        if self.commands:
            self.cursor = max(0, min(len(self.commands) - 1, to))
            self._paint()

    def action_scroll(self, delta: int) -> None:
        if not self.commands:
            return super().action_scroll(delta)
        self._move(self.cursor + delta)

    def action_page(self, delta: int) -> None:
        if not self.commands:
            return super().action_page(delta)
        self._move(self.cursor + delta * max(1, self.scroller.scrollable_content_region.height - 1))

    def action_scroll_top(self) -> None:
        if not self.commands:
            return super().action_scroll_top()
        self._move(0)

    def action_scroll_bottom(self) -> None:
        if not self.commands:
            return super().action_scroll_bottom()
        self._move(len(self.commands) - 1)

    def action_goto(self) -> None:
        """k9s's Goto: the row's view, as `:COMMAND` would show it."""
        if not self.commands:
            return
        run = getattr(self.app, "run_command", None)
        if run is not None:
            run(self.commands[self.cursor])
        self.dismiss(None)
