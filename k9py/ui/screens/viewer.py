"""The base of the full-screen viewers (describe, YAML, logs): a Line API text view that paints
only the lines on screen, `/` search with `n`/`N`, `c` copy, `ctrl-s` save, `f` full screen,
`esc`/`q` back, `?` help, a key menu and a flash line of its own.

Nothing shown here is ever parsed as Rich markup: lines are ``rich.text.Text`` built with
``append``, titles are escaped.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, cast

from rich.text import Span, Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Static

from k9py.config import locations
from k9py.config.settings import Settings
from k9py.errors import K9pyError
from k9py.explorer.session import Session
from k9py.ui import theme
from k9py.ui.plain import named_title
from k9py.ui.screens.chrome import Chromed
from k9py.ui.widgets.inert_input import SearchBox
from k9py.view.filter import search_regex
from k9py.view.inert import encodable, inert_line

_KEY_LINE = re.compile(r"^(\s*(?:- )?)([^:\s][^:]*?)(:)(?=\s|$)")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def key_value_text(line: str) -> Text:
    """One line of YAML / describe output coloured like k9s (keys steel blue, values white)."""
    m = _KEY_LINE.match(line)
    value = theme.style("yaml.value")
    if not m:
        return Text(line, style=value)
    t = Text(m.group(1), style=value)
    t.append(m.group(2), style=theme.style("yaml.key"))
    t.append(m.group(3), style=theme.style("yaml.colon"))
    t.append(line[m.end():], style=value)
    return t


def default_save_dir(app: object = None) -> Path:
    """Where ctrl-s writes unless told: the app's config.yaml ``screenDumpDir`` (k9s's), else
    the state directory's ``screens`` (``$XDG_STATE_HOME/k9py``, or ``$K9PY_CONFIG_DIR``)."""
    settings = getattr(getattr(app, "user", None), "settings", None)
    return settings.screen_dumps() if isinstance(settings, Settings) else locations.screen_dumps_dir()


def save_text(folder: Path, context: str | None, stem: str, suffix: str, text: str,
              now: float | None = None, *, nanos: bool = False, cluster: str = "") -> Path:
    """Write ``text`` to a new file in ``folder``/``cluster``/``context`` (k9s's screen dump
    folder of a context) named after ``stem`` and the time (``nanos``: in nanoseconds since the
    epoch, as k9s names a saved log; else YYYYmmddHHMMSS). A file that cannot be written:
    K9pyError naming it (nothing of it left)."""
    if context:
        folder = folder / locations.context_subpath(context, cluster)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise K9pyError(err.strerror or str(err), file=str(folder)) from None
    when = now if now is not None else time.time()
    stamp = str(int(when * 1_000_000_000)) if nanos else time.strftime("%Y%m%d%H%M%S", time.gmtime(when))
    # a name at length (a 253-character pod's, its container's) leaves room for the time and a count
    stem = locations.fit_name(_UNSAFE_NAME.sub("_", stem), locations.NAME_MAX - len(f"-{stamp}-9999{suffix}"))
    path = folder / f"{stem}-{stamp}{suffix}"
    n = 1
    while path.exists():
        path = folder / f"{stem}-{stamp}-{n}{suffix}"
        n += 1
    try:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")  # what the cluster said, lone surrogates too
    except OSError as err:  # a full disk, a quota: no empty or cut-off dump is left to be taken for one
        with contextlib.suppress(OSError):
            path.unlink()
        raise K9pyError(err.strerror or str(err), file=str(path)) from None
    return path


class _HasSession(Protocol):
    session: Session


class LinesView(ScrollView, can_focus=True):
    """Shows ``count`` lines given by ``line_at(i) -> Text``; paints only the visible ones."""

    DEFAULT_CSS = "LinesView { scrollbar-size-vertical: 1; scrollbar-size-horizontal: 1; }"
    BINDINGS = [  # the view's ids (config.keymap): `j` is the screen's, space, home, end, h, l are fixed
        Binding("down", "scroll_by(1)", "Down", id="down"), Binding("up", "scroll_by(-1)", "Up", id="up"),
        Binding("ctrl+f,pagedown,space", "page(1)", "Page down", id="page_down"),
        Binding("ctrl+b,pageup", "page(-1)", "Page up", id="page_up"),
        Binding("g,home", "to_top", "Top", id="top"), Binding("G,end", "to_bottom", "Bottom", id="bottom"),
        Binding("h,left", "scroll_cols(-8)", "Left", id="scroll_left"),
        Binding("l,right", "scroll_cols(8)", "Right", id="scroll_right"),
    ]

    follows_end = False  # a log's body: its newest line is the one kept in sight

    def __init__(self, line_at: Callable[[int], Text], **kw: Any) -> None:
        super().__init__(**kw)
        self.line_at = line_at
        self.count = 0
        self.max_width = 0
        self.on_user_scroll: Callable[[int], None] | None = None  # delta lines, user-initiated

    def set_count(self, count: int, max_width: int | None = None) -> None:
        self.count = count
        if max_width is not None:
            self.max_width = max_width
        self.virtual_size = Size(self.max_width, count)
        self.refresh()

    @property
    def top(self) -> int:
        return int(self.scroll_y)

    @property
    def page(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def at_bottom(self) -> bool:
        return self.top + self.page >= self.count

    def scroll_line(self, index: int, *, center: bool = True) -> None:
        y = index - (self.page // 2 if center else 0)
        self.scroll_to(y=max(0, y), animate=False, force=True, immediate=True)

    def scroll_end_now(self) -> None:
        self.scroll_to(y=max(0, self.count - self.page), animate=False, force=True, immediate=True)

    def watch_show_horizontal_scrollbar(self, shown: bool) -> None:
        """A line wider than the view brought the horizontal scroll bar, a row less for lines:
        a view that showed the last line goes on showing it (it went under the bar). Not one at
        its top that does not follow its end (a describe, a YAML): its first line stays in sight."""
        if not (self.follows_end or self.top > 0):
            return
        if shown and self.top + self.page + self.styles.scrollbar_size_horizontal >= self.count > self.page:
            self.call_after_refresh(self.scroll_end_now)

    def _user(self, delta: int) -> None:
        if self.on_user_scroll is not None:
            self.on_user_scroll(delta)

    def action_scroll_by(self, delta: int) -> None:
        self.scroll_to(y=max(0, self.top + delta), animate=False, force=True, immediate=True)
        self._user(delta)

    def action_page(self, delta: int) -> None:
        self.action_scroll_by(delta * self.page)

    def action_to_top(self) -> None:
        self.scroll_to(y=0, animate=False, force=True, immediate=True)
        self._user(-1)

    def action_to_bottom(self) -> None:
        self.scroll_end_now()
        self._user(1 << 30)

    def action_scroll_cols(self, delta: int) -> None:
        self.scroll_to(x=max(0, self.scroll_x + delta), animate=False, force=True, immediate=True)

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._user(-1)

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._user(1)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = self.top + y
        if index >= self.count or width <= 0:
            return Strip.blank(width, theme.style("viewer.bg"))
        text = self.line_at(index)
        plain = text.plain
        safe = inert_line(plain)
        if safe is not plain:  # same length: the spans still hold
            text = text.copy()
            text.plain = safe
        if text.style and not text.spans:  # (Rich renders such a line's own style only alongside spans)
            text = Text(text.plain, spans=[Span(0, len(text.plain), text.style)])
        x = int(self.scroll_x)
        segments = list(text.render(self.app.console))
        strip = Strip(segments).crop(x, x + width)
        bg = theme.style("viewer.bg")
        return strip.extend_cell_length(width, bg).apply_style(bg)


class ViewerScreen(Chromed):
    """A full-screen text viewer; subclasses provide ``lines`` (plain strings) and the title.

    ``session``: the explorer session it reads (the clock, the backend's context for ctrl-s,
    ``manual`` for timers); the app's when not handed over. ``save_dir``: where ctrl-s writes."""

    BINDINGS = [  # keymap ids (config.keymap.SCREEN_ACTIONS); esc is fixed
        Binding("escape,q", "back", "Back", id="back"), Binding("question_mark", "help", "Help", id="help"),
        Binding("slash", "search", "Search", id="viewer.search"),
        Binding("n", "next_match(1)", "Next match", id="viewer.search_next"),
        Binding("N", "next_match(-1)", "Prev match", id="viewer.search_prev"),
        Binding("c", "copy", "Copy", id="viewer.copy"), Binding("ctrl+s", "save", "Save", id="viewer.save"),
        Binding("f", "fullscreen", "Full screen", id="viewer.fullscreen"),
        Binding("j", "scroll(1)", "Down", id="down"), Binding("k", "scroll(-1)", "Up", id="up"),
    ]
    HELP_TITLE = "VIEWER"
    AUTO_FOCUS = "#viewer-body"  # (not the hidden prompt above it)
    KEY_SCOPE = "viewer"
    BODY = LinesView
    LINES: type[LinesView] = LinesView  # the body's class (the log view paints its rows faster)
    DEFAULT_CSS = """
    ViewerScreen { background: $k9-bg; }
    ViewerScreen #viewer-box { height: 1fr; border: round $k9-border; border-title-align: center;
                               border-title-color: $k9-title; border-title-style: bold; background: $k9-bg; }
    ViewerScreen.fullscreen #viewer-box { border: none; }
    ViewerScreen.fullscreen #viewer-status { display: none; }
    ViewerScreen.fullscreen #key-menu { display: none; }
    ViewerScreen #viewer-status { height: auto; background: $k9-bg; }
    ViewerScreen #viewer-search { height: 3; border: round $k9-filter-border; background: $k9-prompt-bg; color: $k9-prompt-fg; display: none; }
    ViewerScreen #viewer-flash { height: 1; background: $k9-bg; text-wrap: nowrap; text-overflow: ellipsis; }
    """
    save_suffix = ".txt"
    FLASH = "viewer-flash"

    def __init__(self, title: str, *, session: Session | None = None, save_dir: Path | None = None) -> None:
        super().__init__()
        self.title_text = title
        self._session = session
        self.save_dir = save_dir
        self.lines: list[str] = []
        self._rendered: list[Text] = []
        self.search_text = ""
        self.matches: list[tuple[int, int, int]] = []  # (line, start, end)
        self.match_index = -1
        self.full_screen = False
        self.flash_message = ""
        self.notice: tuple[str, str] | None = None  # (message, level) to flash once it shows
        self.saved_path: Path | None = None
        self._flash_timer: Timer | None = None

    @property
    def session(self) -> Session:
        """The explorer session this screen reads: handed over by whoever opened it, else the
        app's (callers that do not pass one yet)."""
        if self._session is None:
            self._session = cast(_HasSession, self.app).session
        return self._session

    def help_title(self) -> str:
        return f"Help: {self.title_text}"

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield from self.chrome_top()  # k9s's `:` over the text: esc comes back to it (app.py routes its keys)
        yield Static(id="viewer-status")
        with Vertical(id="viewer-box"):
            yield self.LINES(self._line, id="viewer-body")
        yield SearchBox(id="viewer-search", placeholder="search (regex)", on_submit=self._searched)
        yield from self.chrome_crumbs()
        yield Static(id="viewer-flash")

    @property
    def body(self) -> LinesView:
        return self.query_one("#viewer-body", LinesView)

    @property
    def search_input(self) -> SearchBox:
        return self.query_one("#viewer-search", SearchBox)

    @property
    def torn_down(self) -> bool:
        """The screen's widgets went before its Mount was handled (the app quit right after the
        key that opened it): nothing to fill."""
        return not self.query("#viewer-body")

    def on_mount(self) -> None:
        """Its text in and the focus on it (then Chromed's: ``ready``, its own prompt may open).
        Textual runs every class's on_mount: a subclass adds to ``fill`` instead."""
        if not self.torn_down:
            self.fill()

    def fill(self) -> None:
        """What mounting does (a subclass's own, after or around this one's)."""
        user = getattr(self.app, "user", None)
        if user is not None and user.settings.ui.defaults_to_full_screen:  # k9s's ui.defaultsToFullScreen
            self.full_screen = True
            self.set_class(True, "fullscreen")
        self.render_chrome()
        self.render_title()
        self.render_status()
        self.reload()
        self.body.focus()
        if self.notice:  # said by whoever opened it, once it shows
            self.flash(*self.notice)

    def render_title(self) -> None:
        box = self.query_one("#viewer-box")
        box.border_title = named_title(self.title_text, self.search_text)  # in the skin's title colours

    def render_status(self) -> None:
        self.query_one("#viewer-status", Static).display = False

    # -- content -----------------------------------------------------------------------------
    def content(self) -> list[str]:
        return []

    def style_line(self, line: str) -> Text:
        return key_value_text(line)

    def reload(self) -> None:
        """Recompute the lines (keeps the scroll position and the search)."""
        self.set_lines(self.content())

    def set_lines(self, lines: list[str]) -> None:
        self.lines = lines
        self._rendered = [self.style_line(s) for s in lines]
        self._find()
        self.body.set_count(len(lines), max((len(s) for s in lines), default=0))

    def text(self) -> str:
        return "\n".join(self.lines) + ("\n" if self.lines else "")

    def _line(self, index: int) -> Text:
        base = self._rendered[index] if index < len(self._rendered) else Text("")
        if not self.matches or not self.search_text:
            return base
        spans = [(s, e, i) for i, (ln, s, e) in enumerate(self.matches) if ln == index]
        if not spans:
            return base
        t = base.copy()
        for s, e, i in spans:
            t.stylize(theme.style("viewer.current" if i == self.match_index else "viewer.match"), s, e)
        return t

    # -- search ------------------------------------------------------------------------------
    def _find(self) -> None:
        self.matches = []
        if not self.search_text:
            self.match_index = -1
            return
        rx = search_regex(self.search_text)
        for i, line in enumerate(self.lines):
            for m in rx.finditer(line):
                if m.end() > m.start():
                    self.matches.append((i, m.start(), m.end()))
        if self.match_index >= len(self.matches):
            self.match_index = len(self.matches) - 1

    def action_search(self) -> None:
        self.search_input.open(self.search_text)

    def _searched(self, text: str) -> None:
        self.search_input.close(self.body)
        self.apply_search(text)

    def apply_search(self, text: str) -> None:
        self.search_text = text
        self.match_index = -1
        self._find()
        self.render_title()
        if not text:
            self.body.refresh()
            return
        if not self.matches:
            self.flash(f"no match for {text!r}", "warn")
            self.body.refresh()
            return
        top = self.body.top
        self.match_index = next((i for i, m in enumerate(self.matches) if m[0] >= top), 0)
        self._show_match()

    def _show_match(self) -> None:
        line = self.matches[self.match_index][0]
        self.body.scroll_line(line)
        self.body.refresh()
        self.flash(f"match {self.match_index + 1} of {len(self.matches)}")

    def action_next_match(self, delta: int) -> None:
        if not self.matches:
            if self.search_text:
                self.flash(f"no match for {self.search_text!r}", "warn")
            return
        self.match_index = (self.match_index + delta) % len(self.matches)
        self._show_match()

    # -- actions -----------------------------------------------------------------------------
    def action_back(self) -> None:
        if self.search_input.display:
            self.search_input.close(self.body)
            return
        if self.search_text:
            self.apply_search("")
            return
        self.dismiss(None)

    def action_scroll(self, delta: int) -> None:
        self.body.action_scroll_by(delta)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(encodable(self.text()))  # a lone surrogate cannot be sent
        self.flash(f"{self.kind_label} copied to clipboard")

    save_nanos = False  # the file's time in nanoseconds (k9s's saved logs)

    def save_stem(self) -> str:
        return self.title_text

    def action_save(self) -> None:
        session = self.session
        try:
            info = session.info()
            path = save_text(self.save_dir or default_save_dir(self.app), info.context, self.save_stem(),
                             self.save_suffix, self.text(), session.now(), nanos=self.save_nanos, cluster=info.cluster)
        except K9pyError as err:
            self.flash(f"save failed: {err}", "error")
            return
        self.saved_path = path
        self.flash(f"Saved to {path}")

    def action_fullscreen(self) -> None:
        self.full_screen = not self.full_screen
        self.set_class(self.full_screen, "fullscreen")
        self.render_status()

    def flash(self, message: str, level: str = "info") -> None:
        style = theme.style(f"flash.{level}")
        self.flash_message = message
        self.query_one("#viewer-flash", Static).update(Text(inert_line(message), style=style))
        if self._flash_timer is not None:
            self._flash_timer.stop()
        if not self.session.manual:
            self._flash_timer = self.set_timer(4.0, lambda: self.query_one("#viewer-flash", Static).update(""))
