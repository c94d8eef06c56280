"""k9s's header and crumbs around a pushed screen (describe, YAML, logs, xray, pulses, `:pf`,
`:screendumps`, `:benchmarks`), as around the table: every k9s view keeps them, so the context
and cluster stay in sight. Shown when the table's are (ctrl-e, ctrl-g, --headless,
--crumbsless, a short terminal); the header's menu is the screen's own keys."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult

from k9py.explorer.session import Session
from k9py.ui.screens.help import KeyedScreen
from k9py.ui.widgets.header import ScreenHeader
from k9py.ui.widgets.status import Crumbs


class Chromed(KeyedScreen[None]):
    """A screen with k9s's header (``chrome_header``, above its key menu) and crumbs
    (``chrome_crumbs``, above its flash line); the app calls ``render_chrome`` at every tick."""

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

    @property
    def crumb(self) -> str:
        """This screen's crumb after the table's (k9s: the view's title, lower case, no spaces)."""
        return self.kind_label.lower().replace(" ", "")

    def chrome_header(self) -> ComposeResult:
        user = getattr(self.app, "user", None)
        yield ScreenHeader(id="screen-header", logoless=bool(getattr(self.app, "logoless", False)),
                           thresholds=user.settings.thresholds if user is not None else None)

    def chrome_crumbs(self) -> ComposeResult:
        yield Crumbs(id="screen-crumbs")

    def chrome_session(self) -> Session | None:
        """The session the header describes: the screen's own (a past one under `:rewind`), else
        the app's."""
        found: Any = getattr(self, "session", None)
        return found if isinstance(found, Session) else getattr(self.app, "session", None)

    def on_mount(self) -> None:
        if not self.torn_down:
            self.render_chrome()

    @property
    def torn_down(self) -> bool:
        """The screen's widgets went before its Mount was handled (the app quit right after the
        key that opened it): nothing to fill."""
        return not self.query("#screen-header")

    def render_chrome(self) -> None:
        """The header and crumbs shown as the table's are, never in full screen."""
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
            self.query_one("#screen-header", ScreenHeader).show_keys(session, nav, replay, self.key_hints())
        if crumbs_shown and nav is not None:
            stack = [view.scope.view.name for view in nav.stack]
            self.query_one("#screen-crumbs", Crumbs).show_names([*stack, self.crumb])

    def refresh_menu(self) -> None:
        super().refresh_menu()
        if not self.torn_down:
            self.render_chrome()
