"""k9s's header and crumbs around a pushed screen (describe, YAML, logs, xray, pulses, `:pf`,
`:screendumps`, `:benchmarks`), as around the table: every k9s view keeps them, so the context
and cluster stay in sight. Shown when the table's are (ctrl-e, ctrl-g, --headless,
--crumbsless, a short terminal); the header's menu is the screen's own keys.

Every one has k9s's `:` prompt of its own, under its key menu (``screen-prompt``: the app routes
its keys): esc closes the prompt only and a command not found is said on the screen, which stays;
a command that runs closes it and runs over the table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from k9py.explorer.session import Session
from k9py.ui import theme
from k9py.ui.screens.help import KeyedScreen
from k9py.ui.widgets.header import ScreenHeader
from k9py.ui.widgets.menu import Hint
from k9py.ui.widgets.status import Crumbs
from k9py.view.inert import inert_line


class Chromed(KeyedScreen[None]):
    """A screen with k9s's header, key menu and `:` prompt (``chrome_top``) and crumbs
    (``chrome_crumbs``, above its flash line, ``FLASH``); the app calls ``render_chrome`` at
    every tick. ``ready``: mounted, its own prompt there (what waits for that: ``when_ready``)."""

    DEFAULT_CSS = """
    Chromed #screen-header { display: none; }
    Chromed #screen-crumbs { display: none; height: 1; background: $k9-bg; }
    Chromed.with-header #screen-header { display: block; }
    Chromed.with-header #key-menu { display: none; }
    Chromed.with-crumbs #screen-crumbs { display: block; }
    Chromed.fullscreen #screen-header { display: none; }
    Chromed.fullscreen #screen-crumbs { display: none; }
    """
    kind_label = "Text"  # k9s's view title: the crumb, lower case, no spaces
    FLASH = ""  # the id of the screen's flash line

    def __init__(self) -> None:
        super().__init__()
        self.ready = False  # mounted (every class's on_mount run): its own prompt may open
        self.when_ready: list[Callable[[], None]] = []  # what waits for that (a `:` typed that soon)

    @property
    def crumb(self) -> str:
        """This screen's crumb after the table's (k9s: the view's title, lower case, no spaces)."""
        return self.kind_label.lower().replace(" ", "")

    def chrome_top(self) -> ComposeResult:
        """k9s's header, the screen's key menu under it, and the screen's `:` prompt (hidden)."""
        app = self.app
        user = getattr(app, "user", None)
        yield ScreenHeader(id="screen-header", logoless=bool(getattr(app, "logoless", False)),
                           thresholds=user.settings.thresholds if user is not None else None)
        yield self.key_menu()
        new_prompt = getattr(app, "new_prompt", None)
        if new_prompt is not None:
            prompt = new_prompt("screen-prompt")
            prompt.display = False
            yield prompt

    def chrome_crumbs(self) -> ComposeResult:
        yield Crumbs(id="screen-crumbs")

    def chrome_session(self) -> Session | None:
        """The session the header describes: the screen's own (a past one under `:rewind`), else
        the app's."""
        found: Any = getattr(self, "session", None)
        return found if isinstance(found, Session) else getattr(self.app, "session", None)

    def flash_line(self) -> Static:
        return self.query_one(f"#{self.FLASH}", Static)

    def flash(self, message: str, level: str = "info") -> None:
        """``message`` on the screen's flash line (never markup), in the skin's ``level`` colour."""
        self.flash_line().update(Text(inert_line(message), style=theme.style(f"flash.{level}")))

    def on_mount(self) -> None:
        """(Textual runs each class's on_mount, this one last.)"""
        try:
            if not self.torn_down:
                self.render_chrome()
        finally:
            self.ready = True
            for then in self.when_ready:
                then()
            self.when_ready.clear()

    def restyle(self) -> None:
        """A skin was applied: the title in its colours."""
        if self.is_mounted:
            self.render_title()

    def render_title(self) -> None:
        """The box's title in the skin's title colours (``plain.named_title``)."""

    @property
    def torn_down(self) -> bool:
        """The screen's widgets went before its Mount was handled (the app quit right after the
        key that opened it): nothing to fill."""
        return not self.query("#screen-header")

    def render_chrome(self, hints: list[Hint] | None = None) -> None:
        """The header and crumbs shown as the table's are, never in full screen (``hints``: the
        key menu's, when the caller has just worked them out)."""
        app = self.app
        main = app.screen_stack[0] if app.screen_stack else None
        nav = getattr(app, "navigator", None)
        headers = main.query("#header") if main is not None else None
        header_shown = bool(headers and nav is not None and headers.first().display)
        crumbs_shown = bool(getattr(app, "show_crumbs", False)) and nav is not None
        self.set_class(header_shown, "with-header")
        self.set_class(crumbs_shown, "with-crumbs")
        session = self.chrome_session()
        if header_shown and nav is not None and session is not None:
            replay = app.replay_hints() if hasattr(app, "replay_hints") else []
            self.query_one("#screen-header", ScreenHeader).show_keys(session, nav, replay,
                                                                     self.key_hints() if hints is None else hints)
        if crumbs_shown and nav is not None:
            stack = [view.scope.view.name for view in nav.stack]
            pushed = app.screen_stack[1:]  # k9s's page stack: xray, then a describe opened from it
            pages = pushed[:pushed.index(self) + 1] if self in pushed else [self]
            crumbs = [page.crumb for page in pages if isinstance(page, Chromed)]
            self.query_one("#screen-crumbs", Crumbs).show_names([*stack, *crumbs])

    def refresh_menu(self) -> list[Hint]:
        hints = super().refresh_menu()
        if not self.torn_down:
            self.render_chrome(hints)
        return hints
