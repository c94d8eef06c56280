"""The theme layer: a k9s skin (``config.skin.Skin``) → a Textual ``Theme`` (the ``$k9-*`` variables
k9py.tcss and the screens' DEFAULT_CSS use) + the Rich styles k9py paints its components with.
The only module of ``k9py/ui`` with colour literals.

Each component takes the colour of the first k9s key of its chain that the skin sets, else the
built-in look (k9s's default skin as k9py paints it: ``Skin()``). Widgets look styles up when they
paint (``style("row.add")``), never at import, so applying a skin restyles everything.

Rich's ANSI ``white``/``black`` are written as the hex Textual paints them with (its MONOKAI ANSI
theme: #c4c5b5 / #1a1a1a), TCSS's ``white``/``black`` as #ffffff / #000000: the default look is
byte-for-byte what it was before skins."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from rich.style import Style
from textual.app import App
from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme

from k9py.config import skin as skins
from k9py.config.skin import DEFAULT, Skin
from k9py.ui.invert import invert as invert_color

# -- the built-in look ----------------------------------------------------------------------------------
BLACK, WHITE = "#000000", "#ffffff"  # TCSS black / white
ANSI_BLACK, ANSI_WHITE = "#1a1a1a", "#c4c5b5"  # Rich "black" / "white" as Textual paints them
AQUA, DODGER, DEEPSKY, SEAGREEN = "#00ffff", "#1e90ff", "#00bfff", "#2e8b57"
ORANGE, DARKORANGE, ORANGERED, RED = "#ffa500", "#ff8c00", "#ff4500", "#ff0000"
GREENYELLOW, PALEGREEN, LIMEGREEN, LIME, SPRING = "#adff2f", "#98fb98", "#32cd32", "#00ff00", "#00ff7f"
SLATE, MEDIUMPURPLE, STEEL, CADET = "#778899", "#9370db", "#4682b4", "#5f9ea0"
PAPAYA, NAVAJO, ANTIQUE, LIGHTSKY, FUCHSIA = "#ffefd5", "#ffdead", "#faebd7", "#87cefa", "#ff00ff"
HOTPINK, GOLD, DARKOLIVE, DARKRED = "#ff69b4", "#ffd700", "#556b2f", "#8b0000"
GREY, GREY35, GREY50, GREY62, STALE = "#808080", "#585858", "#808080", "#9e9e9e", "#5f6a6a"
TEXTUAL_FG, FIELD_BG, FIELD_FOCUS = "#e0e0e0", "#262626", "#303a4a"
TEXTUAL_PRIMARY = "#0178D4"  # textual-dark's: Buttons and the Select keep it unless the skin says otherwise

Chain = tuple[str, ...]


def _chain(keys: str | Chain) -> Chain:
    return (keys,) if isinstance(keys, str) else keys


@dataclass
class Palette:
    """What one skin looks like: Textual CSS variables and Rich styles by component."""

    skin: Skin
    dark: bool = True
    ansi: bool = False  # the skin's body is the terminal's own background: colours pass through natively
    css: dict[str, str] = field(default_factory=dict)
    styles: dict[str, Style] = field(default_factory=dict)
    primary: str = TEXTUAL_PRIMARY
    background: str | None = None  # the Textual theme's, None: Textual's own
    surface: str | None = None

    def __getitem__(self, slot: str) -> Style:
        return self.styles[slot]


class _Builder:
    def __init__(self, skin: Skin) -> None:
        self.skin = skin
        bg = skin.color("body.bgColor")
        self.ansi = bg == DEFAULT
        self.bg_hex = bg if bg and bg != DEFAULT else BLACK
        fg = skin.color("body.fgColor")
        self.fg_hex = fg if fg and fg != DEFAULT else TEXTUAL_FG
        self.dark = self.ansi or _luminance(self.bg_hex) < 0.5
        self.pal = Palette(skin, dark=self.dark, ansi=self.ansi)

    def get(self, keys: str | Chain, base: str, *, bg: bool = False) -> str:
        """The colour of the first key the skin sets, else ``base`` (made readable on a light skin);
        ``default`` stays: Rich paints nothing there (the terminal's own colour shows)."""
        for key in _chain(keys):
            if (c := self.skin.color(key)) is not None:
                return c
        return base if bg or self.dark or base == DEFAULT else _readable(base, self.bg_hex, self.fg_hex)

    def sets(self, *keys: str) -> bool:
        return any(self.skin.color(k) is not None for k in keys)

    def item(self, key: str, index: int, base: str) -> str:
        values = self.skin.lists.get(key, [])
        if index < len(values):
            return values[index]
        return base if self.dark else _readable(base, self.bg_hex, self.fg_hex)

    def css_value(self, color: str, *, bg: bool = False) -> str:
        """A colour for Textual CSS: ``default`` is the terminal's own in ANSI mode, else the body's."""
        if color != DEFAULT:
            return color
        return "ansi_default" if self.ansi else self.bg_hex if bg else self.fg_hex

    def css(self, name: str, keys: str | Chain, base: str, *, bg: bool = False) -> str:
        value = self.css_value(self.get(keys, base, bg=bg), bg=bg)
        self.pal.css[f"k9-{name}"] = value
        return value

    def style(self, slot: str, fg: str | None = None, bg: str | None = None, *, bold: bool | None = None,
              dim: bool | None = None, reverse: bool | None = None) -> None:
        self.pal.styles[slot] = Style(color=_rich(fg), bgcolor=_rich(bg), bold=bold, dim=dim, reverse=reverse)


def _rich(color: str | None) -> str | None:
    return None if color == DEFAULT else color  # default: nothing painted, the terminal's colour shows


def _luminance(color: str) -> float:
    return Color.parse(color).brightness


def _readable(color: str, bg: str, fg: str) -> str:
    """A built-in colour meant for a black background, on a light skin: pulled towards the
    skin's text colour until it reads."""
    if color == DEFAULT or _luminance(color) < 0.6:
        return color
    return Color.parse(color).blend(Color.parse(fg), 0.75).hex.lower()


def build(skin: Skin, *, invert: bool = False) -> Palette:
    """``skin``'s palette (``Skin()``: the built-in look); ``invert``: dark to light (or light to
    dark), its colours' hues kept (k9s's ``ui.invert``)."""
    pal = _build(skin)
    return inverted(pal) if invert and not pal.ansi else pal


def inverted(pal: Palette) -> Palette:
    """``pal`` with every colour's lightness mirrored (``ui/invert.py``); the Textual theme's
    background is then the inverted body, never Textual's own dark one."""
    def flip(style: Style) -> Style:
        fg, bg = (c.triplet.hex if c is not None and c.triplet is not None else None
                  for c in (style.color, style.bgcolor))
        return Style(color=invert_color(fg) if fg else style.color, bgcolor=invert_color(bg) if bg else style.bgcolor,
                     bold=style.bold, dim=style.dim, reverse=style.reverse)
    background = invert_color(pal.background or BLACK)
    return replace(pal, dark=not pal.dark, css={k: invert_color(v) for k, v in pal.css.items()},
                   styles={k: flip(v) for k, v in pal.styles.items()}, primary=invert_color(pal.primary),
                   background=background,
                   surface=invert_color(pal.surface) if pal.surface else _blend(background, invert_color(TEXTUAL_FG),
                                                                               0.08, background))


def _build(skin: Skin) -> Palette:
    b = _Builder(skin)
    pal = b.pal
    g, css, style = b.get, b.css, b.style

    # -- Textual CSS: the frame, prompt, dialogs, screens ------------------------------------------------
    body_bg = css("bg", "body.bgColor", BLACK, bg=True)
    css("fg", "body.fgColor", TEXTUAL_FG)
    css("text", (), WHITE)  # plain strong text (tile titles, status lines)
    css("muted", (), GREY)
    css("border", "frame.border.fgColor", DODGER)
    border_focus = css("border-focus", "frame.border.focusColor", DEEPSKY)
    css("title", "frame.title.fgColor", AQUA)
    css("prompt-fg", ("prompt.fgColor", "body.fgColor"), WHITE)
    css("prompt-bg", ("prompt.bgColor", "body.bgColor"), BLACK, bg=True)
    css("prompt-border", ("prompt.border.command", "frame.title.fgColor"), AQUA)
    css("prompt-suggest", "prompt.suggestColor", DODGER)  # the rest of a name the prompt suggests
    css("filter-border", ("prompt.border.default", "frame.title.filterColor"), SEAGREEN)
    css("table-bg", ("views.table.bgColor", "body.bgColor"), BLACK, bg=True)
    css("help-bg", ("help.bgColor", "body.bgColor"), BLACK, bg=True)
    css("charts-bg", ("views.charts.bgColor", "body.bgColor"), BLACK, bg=True)
    dialog_bg = css("dialog-bg", ("dialog.bgColor", "body.bgColor"), BLACK, bg=True)
    css("dialog-border", ("frame.title.highlightColor", "body.logoColor"), ORANGE)
    css("dialog-fg", ("dialog.fgColor", "body.fgColor"), WHITE)
    css("dialog-label", "dialog.labelFgColor", STEEL)
    field_fg = css("field-fg", ("dialog.fieldFgColor", "dialog.fgColor", "body.fgColor"), WHITE)
    field_bg = FIELD_BG
    if b.sets("dialog.bgColor", "body.bgColor", "dialog.fieldFgColor", "dialog.fgColor", "body.fgColor"):
        field_bg = _blend(dialog_bg, field_fg, 0.15, b.bg_hex)
    pal.css["k9-field-bg"] = field_bg
    pal.css["k9-field-focus"] = (_blend(field_bg, g("dialog.buttonFocusBgColor", border_focus), 0.3, b.bg_hex)
                                 if b.sets("dialog.buttonFocusBgColor") else FIELD_FOCUS)
    css("check-on", "dialog.buttonFocusBgColor", LIME)
    # k9s's dialog buttons (tview's form: its stock skin's colours); on their own background, so
    # never made "readable" against the body's
    for name, key, base, on_bg in (("button-fg", "dialog.buttonFgColor", BLACK, False),
                                   ("button-bg", "dialog.buttonBgColor", DODGER, True),
                                   ("button-focus-fg", "dialog.buttonFocusFgColor", WHITE, False),
                                   ("button-focus-bg", "dialog.buttonFocusBgColor", FUCHSIA, True)):
        pal.css[f"k9-{name}"] = b.css_value(g(key, base, bg=True), bg=on_bg)
    css("selected", "views.table.cursorBgColor", AQUA)
    pal.css["k9-backdrop"] = "transparent" if b.ansi else f"{body_bg} 60%"  # what a dialog lays over the app

    # -- the table ---------------------------------------------------------------------------------------------
    cursor_fg = g("views.table.cursorFgColor", ANSI_BLACK)
    cursor_bg = g("views.table.cursorBgColor", AQUA, bg=True)
    style("table.bg", None, g(("views.table.bgColor", "body.bgColor"), DEFAULT, bg=True))  # rows paint on it
    style("row", g("views.table.fgColor", AQUA))
    style("row.new", g("frame.status.newColor", LIGHTSKY))
    style("row.add", g("frame.status.addColor", DODGER))
    style("row.mod", g("frame.status.modifyColor", GREENYELLOW))
    style("row.err", g("frame.status.errorColor", ORANGERED))
    style("row.pending", g("frame.status.pendingColor", DARKORANGE))
    style("row.completed", g("frame.status.completedColor", SLATE))
    style("row.del", g("frame.status.killColor", MEDIUMPURPLE))
    style("row.highlight", g("frame.status.highlightColor", AQUA))
    header_bg = g("views.table.header.bgColor", DEFAULT, bg=True)  # default: the table's own shows
    style("table.header", g("views.table.header.fgColor", ANSI_WHITE), header_bg, bold=True)
    style("table.sorter", g("views.table.header.sorterColor", AQUA), header_bg, bold=True)
    style("table.selected", g("views.table.header.selectedSortColumnColor", LIGHTSKY), header_bg, bold=True)
    style("table.cursor", cursor_fg, cursor_bg)
    style("table.marked", g("views.table.markColor", PALEGREEN))
    # k9s: the cursor on a marked row in the mark colour (table background on it), bold
    style("table.marked_cursor", cursor_fg, g("views.table.markColor", PALEGREEN, bg=True), bold=True)
    style("table.stale", g((), STALE))
    style("table.stale_cursor", cursor_fg, STALE)
    style("table.denied", g("frame.status.errorColor", ORANGERED), bold=True)
    style("table.notice", g("frame.status.pendingColor", DARKORANGE))
    style("rbac.yes", g((), LIMEGREEN), bold=True)  # k9s's rbac and policy views: fixed colours there too
    style("rbac.no", g("frame.status.errorColor", ORANGERED), bold=True)

    # -- titles (k9s's SkinTitle: pods(default)[12] </ngi>) ---------------------------------------------------
    title_bg = g("frame.title.bgColor", DEFAULT, bg=True)  # default: the border's own shows (k9s: transparent)
    style("title", g("frame.title.fgColor", AQUA), title_bg, bold=True)
    style("title.hilite", g("frame.title.highlightColor", FUCHSIA), title_bg, bold=True)
    style("title.count", g("frame.title.counterColor", PAPAYA), title_bg, bold=True)
    style("title.filter", g("frame.title.filterColor", SEAGREEN), title_bg, reverse=True)

    # -- header, menu, crumbs, flash --------------------------------------------------------------------------
    style("info.label", g("info.fgColor", ORANGE))
    style("info.value", g("info.sectionColor", ANSI_WHITE), bold=True)
    style("info.warn", g("frame.status.errorColor", ORANGERED), bold=True)
    style("info.critical", g("body.logoColorError", RED), bold=True)
    style("info.error", g("frame.status.errorColor", ORANGERED))
    style("logo", g("body.logoColor", ORANGE))
    style("menu.key", g("frame.menu.keyColor", DODGER), bold=True)
    style("menu.numkey", g("frame.menu.numKeyColor", FUCHSIA), bold=True)
    style("menu.desc", g("frame.menu.fgColor", ANSI_WHITE))
    crumb_fg = g("frame.crumbs.fgColor", ANSI_BLACK)
    style("crumb", crumb_fg, g("frame.crumbs.bgColor", AQUA, bg=True))
    style("crumb.active", crumb_fg, g("frame.crumbs.activeColor", ORANGE, bg=True))
    style("flash.info", g("body.logoColorInfo", NAVAJO))
    style("flash.warn", g("body.logoColorWarn", ORANGE))
    style("flash.error", g("frame.status.errorColor", ORANGERED))

    # -- help, YAML / describe, logs ----------------------------------------------------------------------------
    style("help.section", g("help.sectionColor", ORANGE), bold=True)
    style("help.key", g("help.keyColor", DODGER))
    style("help.numkey", g("help.numKeyColor", FUCHSIA))
    style("help.desc", g("help.fgColor", ANSI_WHITE))
    style("yaml.key", g("views.yaml.keyColor", STEEL))
    style("yaml.colon", g("views.yaml.colonColor", ANSI_WHITE))
    style("yaml.value", g("views.yaml.valueColor", PAPAYA))
    viewer_bg = g(("views.logs.bgColor", "body.bgColor"), ANSI_BLACK, bg=True)
    style("viewer.bg", None, viewer_bg)
    style("viewer.match", cursor_fg, g("frame.crumbs.activeColor", ORANGE, bg=True))
    style("viewer.current", cursor_fg, cursor_bg, bold=True)
    style("logs.text", g("views.logs.fgColor", PAPAYA))
    style("logs.stamp", g("frame.status.completedColor", SLATE))
    prefixes = [g("views.table.fgColor", AQUA), g("frame.status.modifyColor", GREENYELLOW),
                g("frame.menu.numKeyColor", FUCHSIA), g("info.fgColor", ORANGE), g("frame.status.addColor", DODGER),
                g("views.table.markColor", PALEGREEN), g((), HOTPINK), g((), GOLD)]
    for i, c in enumerate(prefixes):
        style(f"logs.prefix.{i}", c)
    style("logs.label", g("views.logs.indicator.fgColor", STEEL))
    style("logs.on", g("views.logs.indicator.toggleOnColor", GREENYELLOW), bold=True)
    style("logs.off", g("views.logs.indicator.toggleOffColor", SLATE))
    style("logs.value", g("frame.menu.fgColor", ANSI_WHITE))
    style("logs.state", g("frame.status.addColor", DODGER))
    style("logs.filter", g(("frame.title.highlightColor", "body.logoColor"), ORANGE))

    # -- xray ---------------------------------------------------------------------------------------------------
    xray_fg = g("views.xray.fgColor", ANSI_WHITE)
    style("xray.guide", g("views.xray.graphicColor", CADET))
    style("xray.category", g((), GREY62))
    style("xray.info", g((), ANTIQUE))
    style("xray.count", xray_fg, dim=True)
    style("xray.name.ok", xray_fg, bold=True)
    style("xray.name.completed", g("frame.status.completedColor", SLATE), bold=True)
    warn, error, missing = (g("frame.status.pendingColor", DARKORANGE), g("frame.status.errorColor", ORANGERED),
                            g("body.logoColorWarn", ORANGE))
    style("xray.name.warn", warn, bold=True)
    style("xray.name.error", error, bold=True)
    style("xray.name.missing", missing, bold=True)
    style("xray.badge.warn", cursor_fg, warn, bold=True)
    style("xray.badge.error", ANSI_WHITE, error, bold=True)
    style("xray.badge.missing", cursor_fg, missing, bold=True)
    style("xray.bg", None, g("views.xray.bgColor", ANSI_BLACK, bg=True))
    style("xray.cursor", g("views.xray.cursorTextColor", ANSI_BLACK), g("views.xray.cursorColor", AQUA, bg=True))

    # -- pulses ---------------------------------------------------------------------------------------------------
    ok = b.item("views.charts.defaultChartColors", 0, LIMEGREEN)
    bad = b.item("views.charts.defaultChartColors", 1, ORANGERED)
    style("pulse.ok", ok)
    style("pulse.warn", warn)
    style("pulse.error", bad)
    style("pulse.muted", g((), GREY50))
    style("pulse.faint", g((), GREY35))
    style("pulse.count", g("info.sectionColor", ANSI_WHITE), bold=True)
    pal.css["k9-pulse-ok"] = b.css_value(b.item("views.charts.defaultDialColors", 0, DARKOLIVE))
    pal.css["k9-pulse-warn"] = b.css_value(warn)
    pal.css["k9-pulse-error"] = b.css_value(b.item("views.charts.defaultDialColors", 1, DARKRED))

    # -- replays: the timeline bar, the scenario picker, the steps view ----------------------------------------
    style("timeline.playing", cursor_fg, g((), SPRING), bold=True)
    style("timeline.paused", cursor_fg, g(("frame.crumbs.activeColor",), ORANGE), bold=True)
    style("timeline.speed", g("frame.title.fgColor", AQUA), bold=True)
    style("timeline.slow", g("body.logoColorWarn", ORANGE), bold=True)
    style("timeline.clock", g("info.sectionColor", ANSI_WHITE), bold=True)
    style("timeline.events", g("frame.status.newColor", LIGHTSKY))
    style("timeline.played", g("frame.title.fgColor", AQUA))
    style("timeline.head", g("info.sectionColor", ANSI_WHITE), bold=True)
    style("timeline.rest", g("views.yaml.keyColor", STEEL))
    style("picker.playing", g((), SPRING), bold=True)
    style("picker.name", g("views.table.fgColor", AQUA), bold=True)
    style("picker.chosen", cursor_fg, cursor_bg, bold=True)
    style("picker.desc", g("frame.menu.fgColor", ANSI_WHITE))
    style("steps.done", g("frame.title.filterColor", SEAGREEN))
    style("steps.next", g("frame.status.highlightColor", AQUA), bold=True)
    style("steps.todo", g("frame.menu.fgColor", ANSI_WHITE))
    style("steps.note", g("frame.status.newColor", LIGHTSKY))
    style("steps.error", g("frame.status.errorColor", ORANGERED), bold=True)

    # -- the Textual theme's own colours (buttons, selects, scrollbars) ---------------------------------------
    pal.primary = g("dialog.buttonFocusBgColor", TEXTUAL_PRIMARY)
    if pal.primary == DEFAULT:
        pal.primary = TEXTUAL_PRIMARY
    if not b.ansi and b.bg_hex != BLACK:  # black: Textual's own dark surfaces, as before skins
        pal.background = b.bg_hex
        pal.surface = _blend(b.bg_hex, b.fg_hex, 0.08, b.bg_hex)
    return pal


def _blend(a: str, b: str, factor: float, fallback: str) -> str:
    ca = Color.parse(fallback if a in (DEFAULT, "ansi_default") else a)
    cb = Color.parse(fallback if b in (DEFAULT, "ansi_default") else b)
    return ca.blend(cb, factor).hex.lower()


# -- the active palette ------------------------------------------------------------------------------------
_current: Palette = build(Skin())


def current() -> Palette:
    """The palette of the skin applied last (one app per process)."""
    return _current


def style(slot: str) -> Style:
    """The Rich style of a component (``"row.add"``, ``"menu.key"``), looked up when painting."""
    return _current.styles[slot]


def color(name: str) -> str:
    """A ``$k9-*`` variable's value, for ``widget.styles`` assignments (``"pulse-ok"``)."""
    return _current.css[f"k9-{name}"]


def variables() -> dict[str, str]:
    """The ``$k9-*`` variables of the active palette (the App's theme variable defaults)."""
    return dict(_current.css)


class Styles(Mapping[str, Style]):
    """``{"": row, "add": row.add, ...}``: a view of the active palette under ``prefix``, read when
    painting (for code that picks a style by a model's word)."""

    def __init__(self, prefix: str, words: tuple[str, ...]) -> None:
        self.prefix, self.words = prefix, words

    def __getitem__(self, word: str) -> Style:
        if word not in self.words:
            raise KeyError(word)
        return _current.styles[f"{self.prefix}.{word}" if word else self.prefix]

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def __len__(self) -> int:
        return len(self.words)


# -- applying a skin to an app -----------------------------------------------------------------------------
def textual_theme(pal: Palette, name: str) -> Theme:
    if pal.ansi:  # the terminal's own colours: Textual's ANSI theme, with the skin's variables
        base = BUILTIN_THEMES["ansi-dark"]
        primary = base.primary if pal.primary == TEXTUAL_PRIMARY else pal.primary
        return replace(base, name=name, primary=primary, variables={**base.variables, **pal.css})
    return Theme(name=name, primary=pal.primary, secondary="#004578", accent="#ffa62b", warning="#ffa62b",
                 error="#ba3c5b", success="#4EBF71", foreground=pal.css["k9-fg"] if not pal.ansi else None,
                 background=pal.background, surface=pal.surface, dark=pal.dark, ansi=pal.ansi,
                 variables=dict(pal.css))


def apply(app: App[Any], skin: Skin, *, invert: bool = False) -> Palette:
    """Make ``skin`` the app's look: the palette components paint with, and a Textual theme (two
    names taken in turn, so applying the same name again still restyles)."""
    pal = build(skin, invert=invert)
    use(pal)
    old = app.theme
    name = "k9py-b" if old == "k9py-a" else "k9py-a"
    app.register_theme(textual_theme(pal, name))
    app.theme = name
    if old.startswith("k9py-"):
        app.unregister_theme(old)
    return pal


def apply_before_start(app: App[Any], skin: Skin, *, invert: bool = False) -> Palette | None:
    """``apply`` for an app not running yet, without Textual's theme watcher: the stylesheet is
    then parsed once, with the skin's variables, instead of again when the theme changes once it
    runs (a fifth of the time from the app's start to its first frame). Its palette; None
    (nothing done) for a skin of the terminal's own colours, whose filter Textual's watcher
    sets up its own way."""
    pal = build(skin, invert=invert)
    if pal.ansi:
        return None
    use(pal)
    name = "k9py-a"
    app.register_theme(textual_theme(pal, name))
    app.set_reactive(App.theme, name)
    app.set_class(True, f"-theme-{name}", update=False)  # what the watcher would have set
    app.set_class(pal.dark, "-dark-mode", update=False)
    app.set_class(not pal.dark, "-light-mode", update=False)
    app.stylesheet.set_variables(app.get_css_variables())  # (read when the app was made)
    refresh_filter = getattr(app, "_refresh_truecolor_filter", None)  # ANSI colours mapped for a light
    if callable(refresh_filter):  # or dark background, as the watcher maps them
        refresh_filter(app.ansi_theme)
    return pal


def use(pal: Palette) -> None:
    """Make ``pal`` the palette components paint with (the app's own, should another app have
    been made since: tests and benchmarks make several)."""
    global _current
    _current = pal


def load(name_or_file: str | None) -> Skin:
    """The skin ``name_or_file`` names (None or "": the built-in look). ConfigError when wrong."""
    if not name_or_file:
        return Skin()
    return skins.load(skins.find(name_or_file))
