"""The `:` command and `/` filter prompt.

Type-ahead: Textual hands a key to the focused widget through that widget's own queue, so keys
typed in one burst (`:deploy⏎`, a paste, two commands back to back) would reach the table before
the prompt had opened. The App therefore routes prompt keys itself, in arrival order, through
``feed``: editing happens at once, on the App's queue."""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Input

from k9py.view import kinds

PLACEHOLDERS = {"command": "command (e.g. pods, deploy kube-system)",
                "filter": "filter (regex, !inverse, -l labels, -f fuzzy)"}


class Prompt(Input):
    """Tab completes a command's first word from the built-in and discovered aliases."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False, priority=True)]

    def __init__(self, aliases: Callable[[], kinds.Aliases], **kw: str) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.aliases = aliases
        self.mode = "command"
        self.home: Widget | None = None  # where the focus goes back on close

    def open(self, mode: str) -> None:
        self.mode = mode
        self.value = ""
        self.placeholder = PLACEHOLDERS[mode]
        self.styles.border_title_align = "left"
        self.border_title = ":" if mode == "command" else "/"
        self.set_class(mode == "filter", "filter")
        self.display = True
        self.home = self.screen.focused if self.screen.focused is not self else self.home
        self.screen.set_focus(self, scroll_visible=False)

    def close(self) -> str:
        """Hide, give the focus back; returns the mode it was in."""
        self.display = False
        self.screen.set_focus(self.home, scroll_visible=False)
        return self.mode

    def feed(self, key: str, char: str | None) -> str | None:
        """Apply one key now: "submit" (enter), "cancel" (esc), "edit" (the line changed or the
        cursor moved), None (not a prompt key: let it go its usual way)."""
        if key in ("enter", "ctrl+j"):  # ctrl+j: a newline typed before the terminal went raw
            return "submit"
        if key == "escape":
            return "cancel"
        edits = {"tab": self.action_complete, "backspace": self.action_delete_left,
                 "delete": self.action_delete_right, "left": self.action_cursor_left,
                 "right": self.action_cursor_right, "home": self.action_home, "end": self.action_end,
                 "ctrl+a": self.action_home, "ctrl+e": self.action_end, "ctrl+u": self.action_delete_left_all,
                 "ctrl+w": self.action_delete_left_word}
        if key in edits:
            edits[key]()
        elif char is not None and len(char) == 1 and char.isprintable():
            self.insert_text_at_cursor(char)
        else:
            return None
        return "edit"

    def action_complete(self) -> None:
        if self.mode != "command":
            return
        words = self.value.split(" ")
        if len(words) == 1:
            options = kinds.complete(words[0], self.aliases())
            if options:
                self.value = options[0]
                self.cursor_position = len(self.value)
