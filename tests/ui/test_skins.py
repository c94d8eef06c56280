"""Skins in the running app: applying one by name or file, the `:skins` picker (live preview,
enter keeps, esc restores), hot reload of the active skin file (good and bad saves), the pods
view in three skins, and no colour literal in k9py/ui outside the theme layer."""

from __future__ import annotations

import asyncio
import io
import re
import tokenize
from pathlib import Path

import pytest
from rich.style import Style
from textual._color_constants import COLOR_NAME_TO_RGB
from textual.color import Color
from textual.filter import ANSIToTruecolor

from k9py.backends.sim import SimBackend
from k9py.config.settings import Settings
from k9py.config.user import UserConfig
from k9py.ui import theme
from k9py.ui.app import K9pyApp
from k9py.ui.screens.skins import SkinPicker
from tests.samples import small_cluster
from tests.ui.conftest import sync

UI = Path(__file__).resolve().parents[2] / "k9py" / "ui"

MY_SKIN = """\
# my skin, in k9s's format
fg: &fg "#eeeeee"
k9s:
  body:
    fgColor: *fg
    bgColor: "#101820"
  views:
    table:
      fgColor: "#00ff00"
      cursorBgColor: hotpink
"""


def row_colour(app: K9pyApp) -> str | None:
    """The colour the table paints an ordinary row with (a running nginx pod, not under the cursor)."""
    strip = next(s for s in map(app.table.render_line, range(2, 6)) if "nginx" in s.text)
    colours = {seg.style.color.name for seg in strip if seg.text.strip() and seg.style and seg.style.color}
    assert len(colours) == 1, colours
    return colours.pop()


def screen_background(app: K9pyApp) -> str:
    return app.screen.styles.background.hex.lower()


@pytest.fixture(autouse=True)
def no_home(monkeypatch, tmp_path):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "cfg"))


def test_the_default_look_is_the_built_in_one(drive):
    async def s(app, pilot, cluster):
        assert app.skin.name == "default" and app.skin.path is None
        assert row_colour(app) == "#00ffff"
        assert screen_background(app) == "#000000"
    drive(s)


def test_apply_a_skin_by_name_restyles_table_frame_and_header(drive):
    async def s(app, pilot, cluster):
        assert app.apply_skin("dracula")
        await sync(app, pilot)
        assert app.skin.name == "dracula"
        assert row_colour(app) == "#f8f8f2"
        assert screen_background(app) == "#282a36"
        assert app.table.styles.border_top[1] == Color.parse("#bd93f9")  # focused: frame.border.focusColor
        header = app.query_one("#header").render()
        assert any(span.style == theme.style("info.label") for span in header.spans)
        assert theme.style("info.label").color.name == "#ff79c6"
        assert app.current_theme.dark and app.current_theme.background == "#282a36"
    drive(s)


def test_a_skin_from_the_settings_applies_at_start_and_a_light_one_is_light(drive):
    async def s(app, pilot, cluster):
        assert app.skin.name == "solarized-light"
        assert screen_background(app) == "#fdf6e3"
        assert not app.current_theme.dark
        assert theme.style("table.bg").bgcolor.name == "#fdf6e3"
    drive(s, user=UserConfig(settings=Settings(skin="solarized-light")))


@pytest.mark.parametrize("skin", [None, "solarized-light", "no-such-skin"])
def test_the_stylesheet_is_parsed_once_as_the_app_starts_in_its_skin(monkeypatch, skin):
    """The start's skin is the theme before the app runs: Textual parses the stylesheet once with
    its variables, not again when the theme changes (a fifth of the time to the first frame).
    A skin that cannot be loaded starts in the default look and flashes why, as before."""
    from textual.app import App
    refreshes: list[str] = []
    real = App.refresh_css
    monkeypatch.setattr(App, "refresh_css", lambda self, *a, **kw: (refreshes.append(self.theme), real(self, *a, **kw)))

    async def main():
        app = K9pyApp(SimBackend(small_cluster()), manual=True, user=UserConfig(settings=Settings(skin=skin)))
        async with app.run_test(size=(80, 24)) as pilot:
            await sync(app, pilot)
            if skin == "no-such-skin":  # the old way: the default look, then the flash
                assert app.skin.name != skin and "no-such-skin" in str(app.query_one("#flash").render())
                return
            assert refreshes == []
            assert app.skin_choice == skin and app.skin.name == (skin or app.skin.name)
            if skin:
                assert screen_background(app) == "#fdf6e3"  # the stylesheet parsed with its variables
            assert app.has_class("-theme-k9py-a") and app.has_class("-light-mode" if skin else "-dark-mode")
            ansi = [f for f in app._filters if isinstance(f, ANSIToTruecolor)]  # ANSI colours as on its background
            assert all(f._terminal_theme is app.ansi_theme for f in ansi)
    asyncio.run(main())


def test_an_unknown_skin_flashes_the_names_and_keeps_the_look(drive):
    async def s(app, pilot, cluster):
        assert not app.apply_skin("dracla")
        assert "unknown skin 'dracla'" in app.flash_text and "dracula" in app.flash_text
        assert app.skin.name == "default" and row_colour(app) == "#00ffff"
    drive(s)


def test_skins_picker_previews_and_esc_restores(drive):
    async def s(app, pilot, cluster):
        await pilot.press("colon", *"skins", "enter")
        await sync(app, pilot)
        picker = app.screen
        assert isinstance(picker, SkinPicker)
        names = [name for name, _, _ in picker.entries]
        assert names[picker.options.highlighted] == "default"
        await pilot.press("down")
        await sync(app, pilot)
        shown = names[picker.options.highlighted]
        assert shown != "default" and app.skin.name == shown  # previewed on the whole app
        await pilot.press("j")
        await sync(app, pilot)
        assert app.skin.name == names[picker.options.highlighted]
        await pilot.press("escape")
        await sync(app, pilot)
        assert not isinstance(app.screen, SkinPicker)
        assert app.skin.name == "default" and row_colour(app) == "#00ffff"
        assert screen_background(app) == "#000000"
    drive(s)


def test_skins_picker_enter_keeps_the_highlighted_skin(drive):
    async def s(app, pilot, cluster):
        app.apply_skin("nord")
        await pilot.press("colon", *"skins", "enter")
        await sync(app, pilot)
        picker = app.screen
        assert isinstance(picker, SkinPicker)
        names = [name for name, _, _ in picker.entries]
        assert names[picker.options.highlighted] == "nord"  # the active one is where the cursor starts
        while names[picker.options.highlighted] != "monokai":
            await pilot.press("down")
        await pilot.press("enter")
        await sync(app, pilot)
        assert not isinstance(app.screen, SkinPicker)
        assert app.skin.name == "monokai" and "skin monokai" in app.flash_text
        assert screen_background(app) == "#272822" and row_colour(app) == "#f8f8f2"
    drive(s)


def test_colon_skin_name_applies_it_at_once(drive):
    async def s(app, pilot, cluster):
        await pilot.press("colon", *"skin gruvbox-dark", "enter")
        await sync(app, pilot)
        assert app.skin.name == "gruvbox-dark" and screen_background(app) == "#282828"
    drive(s)


def test_colon_skin_with_a_colour_k9s_would_not_know_applies_it_and_flashes_the_warning(drive, tmp_path):
    """k9s's own stock skin says "linegreen": it applies, and the flash says which line k9py read as
    the terminal's default (not "skin stock" over it)."""
    path = tmp_path / "stock.yaml"
    path.write_text(MY_SKIN + "  frame:\n    menu:\n      keyColor: linegreen\n")

    async def s(app, pilot, cluster):
        await pilot.press("colon", *f"skin {path}", "enter")
        await sync(app, pilot)
        assert app.skin.path == path and row_colour(app) == "#00ff00"
        assert app.flash_text.startswith(f'{path}:13: k9s.frame.menu.keyColor: "linegreen" is not a colour')
    drive(s)


def test_hot_reload_restyles_on_a_good_save_and_keeps_the_look_on_a_bad_one(drive, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(MY_SKIN)

    async def s(app, pilot, cluster):
        assert app.apply_skin(str(path))
        await sync(app, pilot)
        assert row_colour(app) == "#00ff00" and screen_background(app) == "#101820"
        path.write_text(MY_SKIN.replace('"#00ff00"', "gold"))
        assert app.reload_skin()
        await sync(app, pilot)
        assert row_colour(app) == "#ffd700"
        assert "skin mine reloaded" in app.flash_text
        path.write_text(MY_SKIN.replace('"#00ff00"', "[gold]"))
        assert not app.reload_skin()
        await sync(app, pilot)
        assert app.flash_text.startswith(f"{path}:9: k9s.views.table.fgColor: a list is not a colour")
        assert row_colour(app) == "#ffd700" and screen_background(app) == "#101820"  # the look before
    drive(s)


def test_the_active_skin_file_is_watched(drive, tmp_path):
    """The watcher (off in manual mode unless asked) calls reload_skin when the file is saved."""
    path = tmp_path / "mine.yaml"
    path.write_text(MY_SKIN)

    async def s(app, pilot, cluster):
        reloaded = asyncio.Event()
        reload = app.reload_skin

        def spy() -> bool:
            ok = reload()
            reloaded.set()
            return ok
        app.reload_skin = spy
        app.watch_skin_file = True
        assert app.apply_skin(str(path))
        for attempt in range(20):  # the watcher may start after the first save: save until it sees one
            path.write_text(MY_SKIN.replace('"#00ff00"', "gold").replace("my skin", f"my skin {attempt}"))
            try:
                await asyncio.wait_for(reloaded.wait(), 1.0)
                break
            except TimeoutError:
                continue
        assert reloaded.is_set()
        await sync(app, pilot)
        assert row_colour(app) == "#ffd700"
    drive(s)


# -- the pods view in three skins ---------------------------------------------------------------------------
def before():
    async def run(pilot):
        app = pilot.app
        await app.pump()
        await pilot.pause()
        await app.refresh_metrics()
        await pilot.pause()
    return run


@pytest.mark.parametrize("name", ["dracula", "solarized-light", "transparent"])
def test_pods_snapshot_in_a_skin(snap_compare, name):
    app = K9pyApp(SimBackend(small_cluster()), manual=True, user=UserConfig(settings=Settings(skin=name)))
    assert snap_compare(app, terminal_size=(80, 24), run_before=before())


# -- the theme layer is the only place with colours --------------------------------------------------------
NAMES = sorted(set(COLOR_NAME_TO_RGB) - {"transparent"}, key=len, reverse=True)  # Textual's (CSS) colour names
COLOUR = r"(?:#[0-9a-fA-F]{3,8}|(?:grey|gray)\d{1,3}|ansi_\w+|" + "|".join(NAMES) + r")"
RICH_STYLE = re.compile(rf"(?:(?:bold|dim|italic|reverse|underline|not)\s+)*{COLOUR}(?:\s+on\s+{COLOUR})?", re.I)
CSS_COLOUR = re.compile(rf"[\w-]*(?:color|background|border[\w-]*|tint)\s*:\s*(?:[a-z]+\s+)?{COLOUR}\b", re.I)
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def colour_literals(path: Path, text: str) -> list[str]:
    found = []
    if path.suffix == ".tcss":
        return [f"{path.name}:{i}: {line.strip()}" for i, line in enumerate(text.splitlines(), 1)
                if CSS_COLOUR.search(line.split("/*")[0])]
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type != tokenize.STRING:
            continue
        body = re.sub(r"^[rbuRBU]*('''|\"\"\"|'|\")|('''|\"\"\"|'|\")$", "", tok.string)
        if HEX.search(body) or RICH_STYLE.fullmatch(body.strip()) or CSS_COLOUR.search(body):
            found.append(f"{path.name}:{tok.start[0]}: {body.strip()[:80]}")
    return found


def test_no_colour_literal_in_ui_outside_the_theme_layer():
    files = [p for p in sorted(UI.rglob("*")) if p.suffix in (".py", ".tcss") and p.name != "theme.py"]
    assert len(files) > 20
    found = [hit for p in files for hit in colour_literals(p, p.read_text())]
    assert found == []


@pytest.mark.parametrize("snippet", [
    'text.append(x, style="bold #00ffff")', 'Style(color="white")', 'x = "black on orange"', 'y = "grey50"',
    'CSS = "Screen { background: black; }"', 'CSS = "X { border: round dodgerblue; }"',
])
def test_the_colour_check_sees_literals(snippet):
    assert colour_literals(Path("x.py"), snippet + "\n")
    assert not colour_literals(Path("x.py"), 'style = theme.style("row.add")  # k9s: dodgerblue\n')
    assert not colour_literals(Path("x.py"), '"""red when something is in error (k9s: green / red)."""\n')


def test_theme_styles_are_read_when_painting():
    """A style looked up through ``theme`` follows the palette applied last."""
    from k9py.config.skin import Skin
    rows = theme.Styles("row", ("", "add"))
    before = rows["add"]
    try:
        theme._current = theme.build(Skin(colors={"frame.status.addColor": "#123456"}))
        assert rows["add"] == Style(color="#123456")
    finally:
        theme._current = theme.build(Skin())
    assert rows["add"] == before


def test_the_table_header_takes_the_skins_header_background(drive, tmp_path):
    """k9s's views.table.header.bgColor paints the column header line (and its sorted column)."""
    skin_file = tmp_path / "hdr.yaml"
    skin_file.write_text("k9s:\n  views:\n    table:\n      header:\n        fgColor: white\n        bgColor: '#123456'\n"
                         "        sorterColor: '#fedcba'\n        selectedSortColumnColor: '#abcdef'\n")

    async def s(app, pilot, cluster):
        assert app.apply_skin(str(skin_file))
        await sync(app, pilot)
        line = app.table.render_line(0)
        assert "NAME" in line.text
        assert {seg.style.bgcolor.name for seg in line if seg.style and seg.style.bgcolor} == {"#123456"}
        # k9s's columnIndicator: the selected (sorted) column's name, then its arrow in sorterColor
        colours = {seg.text.strip(): seg.style.color.name for seg in line if seg.text.strip()}
        assert (colours["NAME"], colours["↑"], colours["READY"]) == ("#abcdef", "#fedcba", "#ffffff")
        assert app.apply_skin("dracula")  # dracula's header is its background
        await sync(app, pilot)
        assert theme.style("table.header").bgcolor.name == "#282a36"
    drive(s)


# shaped after the k9s repository's skins (Apache-2.0): every one but one sets these
TITLE_SKIN = """\
k9s:
  frame:
    title:
      fgColor: "#f8f8f2"
      bgColor: "#44475a"
      highlightColor: "#ffb86c"
      counterColor: "#bd93f9"
      filterColor: "#ff79c6"
"""


def title_colours(widget) -> list[tuple[str, str | None, str | None, bool]]:
    """A border title's parts as painted: (text, foreground, background, reversed)."""
    content = widget._border_title  # the Content Textual paints (its getter gives markup)
    out = []
    for seg in content.render_segments():
        style = seg.style
        fg = style.color.name if style and style.color else None
        bg = style.bgcolor.name if style and style.bgcolor else None
        out.append((seg.text.strip(), fg, bg, bool(style and style.reverse)))
    return [part for part in out if part[0]]  # (the spaces around: segments of their own)


def test_titles_take_the_skins_title_colours_as_k9s_paints_them(drive, tmp_path):
    """k9s's SkinTitle: `pods(default)[3] </nginx>` with the view in frame.title.fgColor, the
    namespace in highlightColor, the count in counterColor, the filter reversed in filterColor,
    all on bgColor; a describe's subject highlighted; another skin repaints the title at once."""
    skin_file = tmp_path / "titles.yaml"
    skin_file.write_text(TITLE_SKIN)
    fg, bg, hi, count, filt = "#f8f8f2", "#44475a", "#ffb86c", "#bd93f9", "#ff79c6"

    async def s(app, pilot, cluster):
        assert app.apply_skin(str(skin_file))
        await sync(app, pilot)
        await pilot.press("slash", *"nginx", "enter")
        await sync(app, pilot)
        n = str(len(app.model))
        assert title_colours(app.table) == [("pods(", fg, bg, False), ("default", hi, bg, False), (")[", fg, bg, False),
                                            (n, count, bg, False), ("]", fg, bg, False), ("<", fg, bg, False), ("/nginx", filt, bg, True),
                                            (">", fg, bg, False)]
        assert app.apply_skin(None)  # the built-in look, k9s's stock skin's: aqua, fuchsia, papayawhip
        await sync(app, pilot)
        assert [(t, c) for t, c, _, _ in title_colours(app.table)][:4] == [
            ("pods(", "#00ffff"), ("default", "#ff00ff"), (")[", "#00ffff"), (n, "#ffefd5")]
        assert app.apply_skin(str(skin_file))
        await pilot.press("escape", "d")  # describe: its subject highlighted
        await sync(app, pilot)
        box = app.screen.query_one("#viewer-box")
        parts = title_colours(box)
        assert parts[0] == ("Describe(", fg, bg, False) and parts[1][1:] == (hi, bg, False)
        assert parts[1][0].startswith("default/") and parts[2] == (")", fg, bg, False)
        assert app.apply_skin(None)  # a skin applied over the describe: its title repainted
        await sync(app, pilot)
        assert [c for _, c, _, _ in title_colours(box)][:2] == ["#00ffff", "#ff00ff"]
    drive(s)


def test_dialog_buttons_take_the_skins_button_colours(drive, tmp_path):
    """k9s's dialog.buttonFgColor/BgColor on every button, buttonFocusFgColor/BgColor on the
    focused one (Textual's own grey and reverse showed whatever the skin said)."""
    skin_file = tmp_path / "buttons.yaml"
    skin_file.write_text("k9s:\n  dialog:\n    buttonFgColor: '#f8f8f2'\n    buttonBgColor: '#bd93f9'\n"
                         "    buttonFocusFgColor: '#f1fa8c'\n    buttonFocusBgColor: '#ff79c6'\n")

    def look(button) -> tuple[str, str]:
        return button.styles.background.hex.lower(), button.styles.color.hex.lower()

    async def s(app, pilot, cluster):
        from textual.widgets import Button
        await pilot.press("ctrl+d")  # the delete dialog: Cancel focused first
        await sync(app, pilot)
        cancel, ok = app.screen.query_one("#cancel", Button), app.screen.query_one("#ok", Button)
        assert (look(cancel), look(ok)) == (("#ff00ff", "#ffffff"), ("#1e90ff", "#000000"))  # k9s's stock skin's
        await pilot.press("escape")
        assert app.apply_skin(str(skin_file))
        await pilot.press("ctrl+d")
        await sync(app, pilot)
        cancel, ok = app.screen.query_one("#cancel", Button), app.screen.query_one("#ok", Button)
        assert (look(cancel), look(ok)) == (("#ff79c6", "#f1fa8c"), ("#bd93f9", "#f8f8f2"))
        assert cancel.styles.text_style.bold
    drive(s)


def test_the_prompts_suggestion_takes_the_skins_suggest_colour(drive, tmp_path):
    """`:dep` suggests `loy` in prompt.suggestColor (k9s's; dodgerblue without a skin), not
    Textual's dim grey."""
    skin_file = tmp_path / "prompt.yaml"
    skin_file.write_text("k9s:\n  prompt:\n    suggestColor: '#bd93f9'\n")

    async def s(app, pilot, cluster):
        prompt = app.query_one("#prompt")
        await pilot.press("colon", *"dep")
        await sync(app, pilot)
        assert prompt._suggestion == "deploy"
        assert prompt.get_component_rich_style("input--suggestion").color.name == "#1e90ff"
        assert app.apply_skin(str(skin_file))
        await sync(app, pilot)
        assert prompt.get_component_rich_style("input--suggestion").color.name == "#bd93f9"
    drive(s)
