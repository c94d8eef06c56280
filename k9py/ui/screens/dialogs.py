"""Modal dialogs and pickers: confirm, scale (s), delete (ctrl-d), set image (i), drain (r on a
node), a plugin's inputs, and the container picker of `l`/`p`. Each shows its keys under its
fields and lists them with `?`; the text fields leave `?` and the keys they can never take to
the dialog.

Every dialog is an overlay: the table stays visible behind it (k9py.tcss: ``KeyedDialog``).
Fields are one line each (compact widgets), so the biggest dialog fits a 80×24 terminal, and
a checkbox says its state in its glyph (``[x]`` / ``[ ]``), not only in colour."""

from __future__ import annotations

import functools
import re
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from k9py.config.plugins import Plugin
from k9py.explorer import plugins as plugin_core
from k9py.kube import goduration
from k9py.kube.unicode import digits
from k9py.ui.plain import plain_title
from k9py.ui.screens.help import KeyedScreen, R
from k9py.ui.widgets.inert_input import InertInput
from k9py.view.inert import inert, inert_line

Obj = dict[str, Any]

HELP_KEY = Binding("question_mark", "help", "Help")
# priority: the focus moves as the key is read, so the keys typed after it in one burst (tab,
# ctrl-u, 0) go to the next field, not to the one the tab left
NEXT_KEYS = [Binding("tab", "next_field", "Next", priority=True),
             Binding("shift+tab", "previous_field", "Prev", priority=True)]


class FieldInput(InertInput):
    """A dialog's text field. It leaves `?` (no image name or number has one) and every key its
    ``restrict`` can never accept (`y`/`n` in a grace period) to the dialog's keys."""

    def _takes(self, character: str | None) -> bool:
        if character is None or not character.isprintable() or character == "?":
            return False
        return not self.restrict or re.fullmatch(self.restrict, character) is not None

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return self._takes(character)

    async def _on_key(self, event: events.Key) -> None:
        action = _editing_keys().get(event.key)
        if action is not None:  # now, in turn with the characters typed around it
            event.stop()
            event.prevent_default()
            await self.run_action(action)
            return
        if event.is_printable and not self._takes(event.character):
            event.prevent_default()  # not typed: the key goes on to the dialog's bindings


@functools.cache
def _editing_keys() -> dict[str, str]:
    """The Input's own editing keys (backspace, ctrl-u, ctrl-w, arrows…) → their actions. Textual
    runs a widget's bindings once the key has bubbled up, after the characters typed behind it in
    one burst were inserted: `ctrl-u 0` would clear the 0 too. Enter stays a binding (it submits
    what is there when it runs)."""
    return {key: found[0].action for key, found in BindingsMap(Input.BINDINGS).key_to_bindings.items()
            if key != "enter" and found}


class Tick(Checkbox):
    """A checkbox whose glyph says its state: ``[x]`` checked, ``[ ]`` not (colour alone is
    lost on a monochrome terminal, in a screenshot, to a colour-blind user)."""

    def __init__(self, label: str, value: bool = False, *, id: str | None = None) -> None:
        super().__init__(Content(inert_line(label)), value, compact=True, id=id)  # never markup (a plugin's input)

    @property
    def _button(self) -> Content:
        return Content.assemble(("[x]" if self.value else "[ ]", self.get_visual_style("toggle--button")))


def field(value: str, *, id: str, restrict: str | None = None, max_length: int = 0) -> FieldInput:
    """A dialog's one-line text field."""
    return FieldInput(value, id=id, restrict=restrict, max_length=max_length, compact=True)


def labelled(label: str, widget: FieldInput) -> Horizontal:
    """A label and its field on one line (k9s's forms: the label left of the field), for a dialog
    with many fields to fit 80x24."""
    return Horizontal(Static(label, classes="field-label"), widget, classes="field-row")


def buttons() -> Horizontal:
    """Cancel / OK, one line high."""
    return Horizontal(Button("Cancel", id="cancel", compact=True),
                      Button("OK", id="ok", variant="primary", compact=True), classes="dialog-buttons")


class KeyedDialog(KeyedScreen[R], ModalScreen[R]):
    """A modal whose tab / shift-tab move between its fields (its own keys, not the app's)."""

    HELP_TITLE = "DIALOG"
    MENU_ROWS = 2

    def __init__(self, title: str, message: str = "") -> None:
        super().__init__()
        self._title, self._message = title, message

    def help_title(self) -> str:
        return f"Help: {self._title}"

    def action_next_field(self) -> None:
        self.focus_next()

    def action_previous_field(self) -> None:
        self.focus_previous()


class ConfirmScreen(KeyedDialog[bool]):
    """`y` confirms, `n`/esc cancel, enter presses the focused button: Cancel at first, as in
    k9s, so a stray enter (typed ahead, or out of habit) never kills or deletes anything."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n", "answer(False)", "No"),
                Binding("enter", "press", "Press button"), Binding("tab", "next_field", "Next"),
                Binding("escape", "answer(False)", "Cancel"), HELP_KEY]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = plain_title(self._title)
            yield Static(Text(inert(self._message)), classes="dialog-message")
            yield buttons()
            yield self.key_menu()

    def __init__(self, title: str, message: str = "", *, ok_first: bool = False) -> None:
        """``ok_first``: enter means OK (where cancelling would lose the user's work)."""
        super().__init__(title, message)
        self.ok_first = ok_first

    def on_mount(self) -> None:
        self.query_one("#ok" if self.ok_first else "#cancel", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "ok")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    def action_press(self) -> None:
        """What enter does where no field took it: press the focused button."""
        if isinstance(self.focused, Button):
            self.focused.press()


class ScaleScreen(KeyedDialog["int | None"]):
    """Asks for a replica count; enter submits, esc cancels."""

    BINDINGS = [Binding("enter", "submit", "Scale"), Binding("escape", "cancel", "Cancel"), HELP_KEY]

    def __init__(self, title: str, replicas: int) -> None:
        super().__init__(title)
        self._replicas = replicas

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = plain_title(self._title)
            yield Static("Replicas:", classes="dialog-message")
            yield field(str(self._replicas), id="replicas", restrict=r"[0-9]*", max_length=5)
            yield self.key_menu()

    def on_mount(self) -> None:
        self.query_one("#replicas", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit(event.value)

    def _submit(self, value: str) -> None:
        if not digits(value):  # (an empty field: said, the dialog stays; esc cancels)
            self.query_one(".dialog-message", Static).update("Replicas: a number is required (esc cancels)")
            return
        self.dismiss(int(value))

    def action_submit(self) -> None:
        self._submit(self.query_one("#replicas", Input).value)

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- action dialogs -----------------------------------------------------------------------------
class _Dialog(KeyedDialog[Any]):
    """Enter submits (OK), esc cancels; subclasses build ``fields`` and ``result()``."""

    BINDINGS = [Binding("enter", "submit", "Submit"), *NEXT_KEYS, Binding("escape", "cancel", "Cancel"), HELP_KEY]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = plain_title(self._title)
            message = Static(Text(inert(self._message)), classes="dialog-message")
            message.display = bool(self._message)  # shown when there is one, or a problem to say
            yield message
            yield from self.fields()
            yield buttons()
            yield self.key_menu()

    def fields(self) -> ComposeResult:
        return iter(())

    def result(self) -> Any:
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._finish(event.button.id == "ok")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._finish(True)

    def _finish(self, ok: bool) -> None:
        if not ok:
            self.dismiss(None)
            return
        try:
            value = self.result()
        except ValueError as err:
            message = self.query_one(".dialog-message", Static)
            message.update(Text(inert_line(str(err))))
            message.display = True
            return
        self.dismiss(value)

    def action_submit(self) -> None:
        self._finish(True)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DeleteDialog(ConfirmScreen):
    """k9s's delete dialog: propagation policy, grace period (-1: the object's own), force.
    `y`/OK/enter in the grace field confirm (dismissing with the options), `n`/esc cancel (None);
    enter elsewhere presses the focused button (Cancel at first, as k9s's)."""

    BINDINGS = [Binding("enter", "press", "Press button"), *NEXT_KEYS]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = plain_title(self._title)
            yield Static(Text(inert(self._message)), classes="dialog-message pinned")
            yield Static("Propagation:", classes="field-label")
            yield Select([(p, p) for p in ("Background", "Foreground", "Orphan")], value="Background",
                         allow_blank=False, id="propagation", compact=True)
            yield Static("Grace period (seconds, -1 = default):", classes="field-label")
            yield field("-1", id="grace", restrict=r"-?[0-9]*")
            yield Tick("Force (no graceful termination)", False, id="force")
            yield buttons()
            yield self.key_menu()

    def result(self) -> Obj:
        raw = self.query_one("#grace", Input).value.strip() or "-1"
        try:
            grace = int(raw)
        except ValueError:
            raise ValueError(f"grace period: {raw!r} is not a number") from None
        force = self.query_one("#force", Checkbox).value
        if force:
            grace = 0
        return {"propagation": self.query_one("#propagation", Select).value,
                "grace_period": None if grace < 0 else grace, "force": force}

    def _finish(self, ok: bool) -> None:
        _Dialog._finish(self, ok)  # type: ignore[arg-type]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        event.prevent_default()  # not ConfirmScreen's handler too
        self._finish(event.button.id == "ok")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._finish(True)

    def action_answer(self, value: bool) -> None:
        self._finish(value)

    def action_submit(self) -> None:
        self._finish(True)


class ImageDialog(_Dialog):
    def __init__(self, title: str, containers: list[tuple[str, str]]) -> None:
        super().__init__(title, "")
        self.containers = containers

    def fields(self) -> ComposeResult:
        for i, (name, image) in enumerate(self.containers):
            yield Static(Text(inert_line(f"{name}:")), classes="field-label")  # names are never markup
            yield field(inert_line(image), id=f"image-{i}")  # shown inert: left as is, it stays as is

    def on_mount(self) -> None:
        self.query_one("#image-0", Input).focus()

    def result(self) -> dict[str, str]:
        out = {}
        for i, (name, image) in enumerate(self.containers):
            new = self.query_one(f"#image-{i}", Input).value.strip()
            if not new:
                raise ValueError(f"{name}: the image may not be empty")
            if new not in (image, inert_line(image).strip()):
                out[name] = new
        return out


class TypedConfirmDialog(_Dialog):
    """k9s's confirm-ack dialog: proceeds only once ``phrase`` is typed (k9s's Sanitize: "Yes Please!")."""

    def __init__(self, title: str, message: str, phrase: str) -> None:
        super().__init__(title, message)
        self.phrase = phrase

    def fields(self) -> ComposeResult:
        yield Static("Confirm:", classes="field-label")
        yield field("", id="typed")

    def on_mount(self) -> None:
        self.query_one("#typed", Input).focus()

    def result(self) -> bool:
        if self.query_one("#typed", Input).value.strip() != self.phrase:
            raise ValueError(f"type {self.phrase} to proceed (esc cancels)")
        return True


class RenameDialog(_Dialog):
    """k9s's context rename: the name to give, the old one filled in; enter/OK renames, esc cancels."""

    def __init__(self, title: str, message: str, name: str) -> None:
        super().__init__(title, message)
        self.old_name = name

    def fields(self) -> ComposeResult:
        yield Static("New name:", classes="field-label")
        yield field(inert_line(self.old_name), id="new-name")

    def on_mount(self) -> None:
        self.query_one("#new-name", Input).focus()

    def result(self) -> str:
        new = self.query_one("#new-name", Input).value.strip()
        if not new:
            raise ValueError("a name is required (esc cancels)")
        if new == self.old_name:
            raise ValueError("that is its name already: type another (esc cancels)")
        return new


class DrainDialog(_Dialog):
    """k9s's drain dialog (``view/drain_dialog.go``), its fields in its order with its defaults
    (``view/node.go``): grace period -1 (each pod's own), timeout 5s (a Go duration), every box
    unticked, as ``kubectl drain`` without flags."""

    def fields(self) -> ComposeResult:
        yield labelled("GracePeriod:", field("-1", id="grace", restrict=r"-?[0-9]*"))  # -1: each pod's own
        yield labelled("Timeout:", field("5s", id="timeout"))  # a Go duration; 0s: no deadline (kubectl's)
        yield Tick("Ignore DaemonSets", False, id="ignore-daemonsets")
        yield Tick("Delete EmptyDir Data", False, id="delete-emptydir")
        yield Tick("Force (pods without a controller)", False, id="force")
        yield Tick("Disable Eviction (delete, past PodDisruptionBudgets)", False, id="disable-eviction")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def result(self) -> Obj:
        text = self.query_one("#grace", Input).value.strip()
        try:
            grace = int(text or "-1")
        except ValueError:
            raise ValueError(f"GracePeriod: {text!r} is no number of seconds") from None
        text = self.query_one("#timeout", Input).value.strip()
        try:  # (empty: refused as k9s's ParseDuration refuses it, not the no deadline of 0s)
            timeout = goduration.parse_ns(text) / 1e9
        except ValueError as err:
            raise ValueError(f"Timeout: {err}" + ("" if text else " (0s: no deadline)")) from None
        if timeout < 0:
            raise ValueError(f"Timeout: {text!r} is before now")
        return {"ignore_daemonsets": self.query_one("#ignore-daemonsets", Checkbox).value,
                "delete_emptydir_data": self.query_one("#delete-emptydir", Checkbox).value,
                "force": self.query_one("#force", Checkbox).value,
                "disable_eviction": self.query_one("#disable-eviction", Checkbox).value,
                "grace_period": None if grace < 0 else grace, "timeout": timeout}


class PluginInputsDialog(_Dialog):
    """k9s's plugin inputs dialog (``ui/dialog/plugin_inputs.go``): one field an input, in the
    plugin's order, each filled with its default: a text field (string; number, which takes
    digits, a sign, a dot, an exponent), a checkbox (bool), a list of the options (dropdown, none
    chosen unless its default is one). A required input's label ends in `` *``. OK (or enter)
    dismisses with ``{name: value}`` as ``explorer.plugins.input_values`` keeps them: a required
    one missing is said and the dialog stays, as k9s's flash "Required fields are missing"."""

    def __init__(self, plugin: Plugin) -> None:
        super().__init__("Plugin Inputs", plugin.description)
        self.plugin = plugin

    def fields(self) -> ComposeResult:
        start = plugin_core.input_defaults(self.plugin)
        for i, inp in enumerate(self.plugin.inputs):
            label = (inp.label or inp.name) + (" *" if inp.required else "") + ":"  # k9s's label
            if inp.type == "bool":
                yield Tick(label, start[inp.name] == "true", id=f"input-{i}")
                continue
            yield Static(Text(inert_line(label)), classes="field-label")  # never markup
            if inp.type == "dropdown":
                yield Select([(Text(inert_line(o)), o) for o in inp.options], id=f"input-{i}", compact=True,
                             value=start[inp.name] or Select.NULL, prompt=" ")
            else:
                yield field(start[inp.name], id=f"input-{i}", restrict=r"[-+0-9.eE]*" if inp.type == "number" else None)

    def on_mount(self) -> None:
        self.query_one("#input-0").focus()  # (a plugin with inputs has one at least)

    def typed(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for i, inp in enumerate(self.plugin.inputs):
            widget = self.query_one(f"#input-{i}")
            if isinstance(widget, Checkbox):
                out[inp.name] = "true" if widget.value else "false"
            elif isinstance(widget, Select):
                out[inp.name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, Input):
                out[inp.name] = widget.value.strip()
        return out

    def result(self) -> dict[str, str]:
        try:
            return plugin_core.input_values(self.plugin, self.typed())
        except plugin_core.PluginError as err:
            raise ValueError(f"{err} (esc cancels)") from None


class OptionPicker(KeyedDialog[R]):
    """A dialog around one OptionList: j/k move, enter picks what the list did not take."""

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    def on_mount(self) -> None:
        self.options.focus()

    def action_pick(self) -> None:
        self.options.action_select()

    def action_cursor(self, delta: int) -> None:
        if delta > 0:
            self.options.action_cursor_down()
        else:
            self.options.action_cursor_up()


class NamePicker(OptionPicker["list[str] | None"]):
    """Which container (`s` shell, `a` attach): enter picks one (dismissed as ``[name]``), esc cancels."""

    BINDINGS = [Binding("enter", "pick", "Pick"), Binding("j", "cursor(1)", "Down"), Binding("k", "cursor(-1)", "Up"),
                Binding("escape", "cancel", "Cancel"), HELP_KEY]
    HELP_TITLE = "PICKER"

    def __init__(self, title: str, containers: list[str]) -> None:
        super().__init__(title)
        self.containers = containers

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker") as box:
            box.border_title = plain_title(self._title)
            yield OptionList(*[Option(Text(inert_line(c)), id=c) for c in self.containers])
            yield self.key_menu()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss([str(event.option.id)])

    def action_cancel(self) -> None:
        self.dismiss(None)
