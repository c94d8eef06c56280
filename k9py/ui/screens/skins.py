"""`:skins`: pick a skin (the bundled ones and the user's skins directory). Moving the cursor
previews the skin on the whole app; enter keeps it, esc puts the one from before back.
`:skins NAME|FILE` applies one at once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from k9py.config import skin as skins
from k9py.config.skin import Skin
from k9py.errors import K9pyError
from k9py.ui.plain import plain_title
from k9py.ui.screens.dialogs import HELP_KEY, OptionPicker

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp


def choices() -> list[tuple[str, Path, str]]:
    """(name, file, where) of every skin: the bundled ones, then the user's (a user's skin of a
    bundled name is listed too: by name, ``--skin`` finds the user's)."""
    out = [(name, path, "bundled") for name, path in sorted(skins.bundled().items())]
    out += [(name, path, "user") for name, path in sorted(skins.user_skins().items())]
    return out


class SkinPicker(OptionPicker[Skin | None]):
    """The skins, the active one highlighted; the highlighted one is shown live."""

    BINDINGS = [Binding("enter", "pick", "Keep"), Binding("j", "cursor(1)", "Down"),
                Binding("k", "cursor(-1)", "Up"), Binding("escape", "cancel", "Cancel"), HELP_KEY]
    HELP_TITLE = "SKINS"
    DEFAULT_CSS = "SkinPicker { background: $k9-bg 0%; }"  # no dimming: the preview is the point

    def __init__(self, active: Skin) -> None:
        super().__init__("Skins")
        self.before = active
        self.entries = choices()
        self.loaded: dict[Path, Skin] = {}
        self.previewed: Skin = active

    @property
    def host(self) -> K9pyApp:
        return cast("K9pyApp", self.app)

    def compose(self) -> ComposeResult:
        width = max((len(name) for name, _, _ in self.entries), default=4)
        with Vertical(classes="picker") as box:
            box.border_title = plain_title(f" skins({len(self.entries)}) ")
            yield OptionList(*[Option(Text(f"{name:<{width}}  {where}"), id=str(i))
                               for i, (name, _, where) in enumerate(self.entries)])
            yield self.key_menu()

    def on_mount(self) -> None:
        active = self.before.path.resolve() if self.before.path else None
        index = next((i for i, (_, p, _) in enumerate(self.entries) if p.resolve() == active), None)
        if index is None:
            index = next((i for i, (n, _, _) in enumerate(self.entries) if n == "default"), 0)
        self.options.highlighted = index
        self.options.focus()

    def skin_at(self, index: int) -> Skin | None:
        """The skin of entry ``index`` (read once); None, flashed, when its file is wrong."""
        name, path, _ = self.entries[index]
        if path not in self.loaded:
            try:
                self.loaded[path] = skins.load(path, name=name)
            except K9pyError as err:
                self.host.flash(str(err), "error")
                return None
        return self.loaded[path]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        skin = self.skin_at(event.option_index)
        if skin is not None and skin is not self.previewed:
            self.previewed = skin
            self.host.show_skin(skin, watch=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        skin = self.skin_at(event.option_index)
        if skin is not None:
            self.host.show_skin(skin)  # kept: its file is watched from now on
            if not skin.warnings:  # else their flash stays
                self.host.flash(f"skin {skin.name}")
            self.dismiss(skin)

    def action_cancel(self) -> None:
        if self.previewed is not self.before:
            self.host.show_skin(self.before, watch=False)  # its watcher never stopped
        self.dismiss(None)


def open_skins(app: K9pyApp, arg: str) -> None:
    """`:skins` opens the picker; `:skins NAME|FILE` applies that skin."""
    if arg:
        if app.apply_skin(arg) and not app.skin.warnings:  # else their flash stays
            app.flash(f"skin {app.skin.name}")
        return
    app.push_screen(SkinPicker(app.skin))
