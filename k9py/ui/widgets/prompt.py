"""The `:` command and `/` filter prompt.

Type-ahead: Textual hands a key to the focused widget through that widget's own queue, so keys
typed in one burst (`:deploy⏎`, a paste, two commands back to back) would reach the table before
the prompt had opened. The App therefore routes prompt keys itself, in arrival order, through
``feed``: editing happens at once, on the App's queue.

As in k9s, the `:` prompt suggests the rest of a view's name inline as you type (Tab or right
accepts it; Textual's ``_suggestion``, set as the value changes) and Up/Down recall the commands run before."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence

from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.widget import Widget

from k9py.ui.widgets.inert_input import InertInput
from k9py.view import kinds

PLACEHOLDERS = {"command": "command (e.g. pods, deploy kube-system)",
                "filter": "filter (regex, !inverse, -l labels, -f fuzzy)"}


class Prompt(InertInput):
    """Tab completes a command's first word from the built-in, discovered and user aliases."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False, priority=True)]

    def allow_focus(self) -> bool:
        """Hidden, it takes no focus: a screen's auto focus would pick it (it is first), and the
        keys typed behind the command that opened the screen (`:xray dp⏎jj`) went to it."""
        return self.display and super().allow_focus()

    def __init__(self, aliases: Callable[[], kinds.Aliases], *, user_aliases: Iterable[str] = (),
                 arguments: Callable[[str], Sequence[str]] | None = None,
                 rediscover: Callable[[], Awaitable[bool] | None] | None = None, **kw: str) -> None:
        """``aliases``: the session's discovered ones (they change with the context);
        ``user_aliases``: aliases.yaml's words; ``arguments``: what may follow a command's first
        word (a view's namespaces, `:ctx`'s contexts), for Tab after a space; ``rediscover``:
        read the server's kinds again (None when the backend has none to read), for a Tab that
        completes nothing (a CRD applied since)."""
        super().__init__(**kw)  # type: ignore[arg-type]
        self.aliases = aliases
        self.rediscover = rediscover
        self.user_aliases = tuple(user_aliases)
        self.arguments = arguments
        self.mode = "command"
        self.home: Widget | None = None  # where the focus goes back on close
        self._recalled: int | None = None  # Up/Down: the history entry shown (None: what was typed)
        self._typed = ""

    def _watch_value(self, value: str) -> None:
        """Textual's Input sets its virtual width to the text's on every edit, a reactive that asks
        for a layout of the whole screen: one per keystroke (a `/` filter repaints the table
        besides). The box's own size does not change, so the width is set quietly first: Input's
        assignment then changes nothing, and the repaint the new value asks for is enough."""
        if not self.styles.auto_dimensions:
            self.set_reactive(Prompt.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)
        # The inline suggestion, worked out here: a Suggester would run a worker per keystroke for
        # a look-up in a dict (and leave a coroutine unawaited if the app exits first, `:q⏎`).
        self._suggest()

    def _suggest(self) -> None:
        value = self.value
        self._suggestion = (self.suggestion_for(value.casefold()) or "") if value else ""

    def _on_focus(self, event: events.Focus) -> None:
        # Input's own handler, dispatched after this one, clears the suggestion; keys typed in a
        # burst (`:dep`) have already set it by then: it is worked out again next
        self.call_next(self._suggest)

    def suggestion_for(self, value: str) -> str | None:
        if self.mode != "command" or not value:
            return None
        if " " in value:
            return self._argument_for(value)
        options = kinds.complete(value, self.aliases(), self.user_aliases)
        return options[0] if options else None

    def _argument_for(self, value: str) -> str | None:
        """`:po kube-s` → `:po kube-system`, `:ctx pr` → `:ctx prod` (the second word), and as
        k9s's completeCtx `:po @pr` → `:po @prod` (then `:po @prod kube-s` its namespace)."""
        head, _, rest = value.partition(" ")
        if self.arguments is None:
            return None
        *before, last = rest.split(" ")
        if last.startswith("@"):
            words, typed, lead = self.arguments("ctx"), last[1:], "@"
        elif any(not w.startswith("@") for w in before) or last.startswith(("/", "-")):
            return None
        else:
            words, typed, lead = self.arguments(head), last, ""
        found = sorted(w for w in words if w.casefold().startswith(typed) and len(w) > len(typed))
        return f"{value[:len(value) - len(last)]}{lead}{found[0]}" if found else None

    def open(self, mode: str) -> None:
        self.mode = mode
        self.value = ""
        self._recalled, self._typed = None, ""
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
                 "ctrl+w": self.action_delete_left_word,
                 "ctrl+q": self.action_clear}  # k9s's Clear Filter (ctrl-u too, left of the cursor here)
        if key in edits:
            edits[key]()
        elif char is not None and len(char) == 1 and char.isprintable():
            self.insert_text_at_cursor(char)
        else:
            return None
        return "edit"

    def action_clear(self) -> None:
        self.value = ""
        self.cursor_position = 0

    def action_complete(self) -> None:
        """Tab: take the suggestion shown (computed now if it has not arrived yet)."""
        if self.mode != "command":
            return
        option = self._suggestion or self.suggestion_for(self.value.lower())
        if option and len(option) > len(self.value):
            self.value = option
            self.cursor_position = len(self.value)
        elif not option and self.value.strip() and " " not in self.value and self.rediscover is not None:
            self._complete_after_discovery(self.value)

    def _complete_after_discovery(self, typed: str) -> None:
        """A word no kind known starts: ask the server's kinds again (a CRD applied after
        discovery was read), then complete it if the line is still what was typed."""
        async def complete() -> None:
            asked = self.rediscover() if self.rediscover is not None else None
            if asked is None or not await asked or self.value != typed or not self.display:
                return
            option = self.suggestion_for(typed.casefold())
            if option and len(option) > len(typed):
                self.value = option
                self.cursor_position = len(self.value)

        self.run_worker(complete(), group="rediscover", exclusive=True)

    def recall(self, history: Sequence[str], delta: int) -> None:
        """Up (``delta`` -1) / Down (+1): the command before / after the one shown, newest last;
        Down past the newest brings back what was typed."""
        entries = [h for i, h in enumerate(history) if i == 0 or h != history[i - 1]]
        if not entries:
            return
        if self._recalled is None:
            if delta > 0:
                return
            self._typed, index = self.value, len(entries) - 1
        else:
            index = self._recalled + delta
        if index >= len(entries):
            self._recalled, self.value = None, self._typed
        else:
            self._recalled = max(0, index)
            self.value = entries[self._recalled]
        self.cursor_position = len(self.value)
