"""Small modal dialogs: confirm (ctrl-d delete) and scale (s)."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class ConfirmScreen(ModalScreen[bool]):
    """`y`/enter confirms, `n`/esc cancels."""

    BINDINGS = [Binding("escape,n", "answer(False)", "Cancel"), Binding("y", "answer(True)", "OK")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__()
        self._title, self._message = title, message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = escape(self._title)
            yield Static(escape(self._message), classes="dialog-message")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("OK", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "ok")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class ScaleScreen(ModalScreen["int | None"]):
    """Asks for a replica count; enter submits, esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, replicas: int) -> None:
        super().__init__()
        self._title, self._replicas = title, replicas

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = escape(self._title)
            yield Static("Replicas:", classes="dialog-message")
            yield Input(str(self._replicas), id="replicas", restrict=r"[0-9]*", max_length=5)

    def on_mount(self) -> None:
        self.query_one("#replicas", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(int(event.value) if event.value.isdigit() else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
