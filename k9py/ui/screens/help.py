"""`?` help and `ctrl-a` aliases: modal lists, closed with esc (or the same key again)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def columns_text(sections: list[tuple[str, list[tuple[str, str]]]], width: int = 34) -> Text:
    """Sections side by side, k9s style: a coloured title, then `<key>  description` lines."""
    height = max(len(items) for _, items in sections) + 1
    lines = [Text() for _ in range(height)]
    for title, items in sections:
        cells = [Text(title, style="bold #ffa500")] + [
            Text.assemble((f"{k:<14}", "#1e90ff"), (d, "white")) for k, d in items]
        for i in range(height):
            cell = cells[i] if i < len(cells) else Text("")
            cell.truncate(width - 1, pad=True)
            lines[i].append_text(cell)
            lines[i].append(" ")
    return Text("\n").join(lines)


class ListScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss_screen", "Back"), Binding("q", "dismiss_screen", "Back"),
                Binding("question_mark", "dismiss_screen", "Back", show=False)]

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self._title = title
        self._body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = self._title
            yield Static(self._body, id="help-body")

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)


class HelpScreen(ListScreen):
    pass


class AliasesScreen(ListScreen):
    BINDINGS = ListScreen.BINDINGS + [Binding("ctrl+a", "dismiss_screen", "Back", show=False)]
