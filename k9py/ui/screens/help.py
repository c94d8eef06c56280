"""`?` help and `ctrl-a` aliases (modal lists closed with esc, q or the same key again), and
``KeyedScreen``: the base of every pushed screen, whose key menu and `?` come from its bindings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from k9py.ui import theme
from k9py.ui.widgets.menu import Hint, KeyMenu, bindings_of, hints_from_bindings

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
        lines.append(Text.assemble((h.labels.ljust(key_w), key), " ", (h.description, desc)))
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


class KeyedScreen(Screen[R]):
    """A screen whose key menu and `?` list exactly its bindings that carry a description:
    one section per class declaring some (titled by its ``HELP_TITLE``; a class without one
    joins the section of the class below it), the most specific first."""

    BINDINGS = [Binding("question_mark", "help", "Help")]
    HELP_TITLE = ""
    MENU_ROWS = 6

    def offers(self, hint: Hint) -> bool:
        """Whether ``hint``'s key does something here (a YAML view decodes Secrets only)."""
        return True

    @classmethod
    def binding_sections(cls) -> list[tuple[str, list[Hint]]]:
        """The class's described bindings by section (no instance filtering)."""
        out: list[tuple[str, list[Hint]]] = []
        for base, group in bindings_of(cls):
            hints = hints_from_bindings(group)
            title = base.__dict__.get("HELP_TITLE") or (out[-1][0] if out else cls.HELP_TITLE or "KEYS")
            if out and out[-1][0] == title:
                out[-1][1].extend(hints)
            elif hints or base.__dict__.get("HELP_TITLE"):
                out.append((title, hints))
        return [(t, h) for t, h in out if h]

    def key_sections(self) -> list[tuple[str, list[Hint]]]:
        return [(t, [h for h in hints if self.offers(h)]) for t, hints in self.binding_sections()]

    def key_hints(self) -> list[Hint]:
        """What the key menu shows: every section's hints, the most specific first."""
        return [h for _, hints in self.key_sections() for h in hints]

    def help_sections(self) -> list[tuple[str, list[Hint]]]:
        """What `?` lists: the key menu's sections, then any the screen adds (its body's keys)."""
        return self.key_sections()

    def help_title(self) -> str:
        return "Help"

    def key_menu(self) -> KeyMenu:
        return KeyMenu(self.key_hints(), max_rows=self.MENU_ROWS, id="key-menu")

    def refresh_menu(self) -> None:
        """Re-derive the menu after a change of what the screen offers."""
        for menu in self.query("#key-menu").results(KeyMenu):
            menu.set_hints(self.key_hints())

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.help_title(), self.help_sections()))


class ListScreen(KeyedScreen[None], ModalScreen[None]):
    """A scrollable modal list: ``body`` is a ready Text, or sections of hints laid out for the
    width the screen gets."""

    BINDINGS = [Binding("escape,q", "dismiss_screen", "Back"), Binding("question_mark", "dismiss_screen", "Close"),
                Binding("j", "scroll(1)", "Down"), Binding("k", "scroll(-1)", "Up"),
                Binding("g", "scroll_top", "Top"), Binding("G", "scroll_bottom", "Bottom"),
                Binding("ctrl+f", "page(1)", "Page down"), Binding("ctrl+b", "page(-1)", "Page up")]
    HELP_TITLE = "HELP"
    MENU_ROWS = 3

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
            yield self.key_menu()

    @property
    def scroller(self) -> VerticalScroll:
        return self.query_one("#help-scroll", VerticalScroll)

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)

    def action_scroll(self, delta: int) -> None:
        self.scroller.scroll_relative(y=delta, animate=False, force=True, immediate=True)

    def action_page(self, delta: int) -> None:
        box = self.scroller
        box.scroll_relative(y=delta * max(1, box.scrollable_content_region.height), animate=False,
                            force=True, immediate=True)

    def action_scroll_top(self) -> None:
        self.scroller.scroll_home(animate=False, force=True, immediate=True)

    def action_scroll_bottom(self) -> None:
        self.scroller.scroll_end(animate=False, force=True, immediate=True)


class HelpScreen(ListScreen):
    pass


class AliasesScreen(ListScreen):
    BINDINGS = [Binding("ctrl+a", "dismiss_screen", "Close")]
    # a row too long for the screen ends in an ellipsis instead of wrapping under the next one
    DEFAULT_CSS = "AliasesScreen #help-body { text-wrap: nowrap; text-overflow: ellipsis; }"
    HELP_TITLE = "ALIASES"
