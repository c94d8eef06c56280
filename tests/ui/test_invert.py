"""k9s's ``--invert`` / ``ui.invert``: a skin turned dark to light, each colour's lightness mirrored
in OKLCH with its hue kept (so a red stays red), the terminal's own colours left alone."""

from __future__ import annotations

import math

import pytest

from k9py.cli import build_parser
from k9py.config.settings import UI, Settings
from k9py.config.skin import Skin
from k9py.config.user import UserConfig
from k9py.ui import theme
from k9py.ui.invert import invert, oklch
from k9py.ui.launch import build_app


@pytest.mark.parametrize("grey", ["#000000", "#ffffff", "#808080", "#1a1a1a"])
def test_a_grey_turns_to_its_mirror_and_back(grey):
    once = invert(grey)
    assert abs(oklch(once)[0] - (1 - oklch(grey)[0])) < 0.01
    assert invert(once) == grey or abs(oklch(invert(once))[0] - oklch(grey)[0]) < 0.01


@pytest.mark.parametrize("color", ["#ff0000", "#1e90ff", "#adff2f", "#ff00ff", "#ffa500"])
def test_a_colour_keeps_its_hue_and_goes_to_the_other_side_of_the_middle(color):
    lightness, chroma, hue = oklch(color)
    l2, c2, h2 = oklch(invert(color))
    assert (l2 < 0.5) == (lightness > 0.5) or abs(l2 - 0.5) < 0.1
    assert abs(math.remainder(h2 - hue, 2 * math.pi)) < 0.1  # still a red, a blue...
    assert c2 >= chroma * 0.5 - 0.01  # at least half its colourfulness


def test_the_terminals_own_colours_are_not_the_skins_to_invert():
    assert invert("default") == "default" and invert("ansi_default") == "ansi_default"


def test_the_built_in_look_inverted_is_a_light_theme_with_the_same_hues():
    dark, light = theme.build(Skin()), theme.build(Skin(), invert=True)
    assert dark.dark and not light.dark and light.background == "#ffffff"
    row_dark, row_light = dark["row.err"].color.triplet.hex, light["row.err"].color.triplet.hex
    assert row_light == invert(row_dark) and oklch(row_light)[0] < 0.5 < oklch(row_dark)[0]
    assert light.css["k9-bg"] == "#ffffff"


def test_config_and_the_command_line_turn_it_on():
    app = build_app(build_parser().parse_args(["--invert"]), user=UserConfig(settings=Settings()))
    assert app.user.settings.ui.invert
    app = build_app(build_parser().parse_args([]), user=UserConfig(settings=Settings(ui=UI(invert=True))))
    assert app.user.settings.ui.invert
    pal = app._skin_before_start(None)
    assert pal is not None and not pal.dark and theme.current() is pal
    theme.use(theme.build(Skin()))
