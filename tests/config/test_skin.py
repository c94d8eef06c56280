"""k9s skin files: the bundled ones, skins as k9s users write them (anchors, names, typos),
unknown keys (one warning with its line), bad colours (FILE:LINE errors), finding a skin."""

import pytest

from k9py.config import skin
from k9py.config.skin import DEFAULT, ConfigError

BUNDLED = {"default", "dracula", "nord", "gruvbox-dark", "solarized-light", "monokai", "one-dark", "transparent",
           "k9py-dark"}

# k9s's own dracula skin, the way users copy it into ~/.config/k9s/skins: anchors at the top level
DRACULA_WITH_ANCHORS = """\
# -----------------------------------------------------------------------------
# Dracula skin
# -----------------------------------------------------------------------------

# Styles...
foreground: &foreground "#f8f8f2"
background: &background "#282a36"
current_line: &current_line "#44475a"
selection: &selection "#44475a"
comment: &comment "#6272a4"
cyan: &cyan "#8be9fd"
green: &green "#50fa7b"
orange: &orange "#ffb86c"
pink: &pink "#ff79c6"
purple: &purple "#bd93f9"
red: &red "#ff5555"
yellow: &yellow "#f1fa8c"

# Skin...
k9s:
  # General K9s styles
  body:
    fgColor: *foreground
    bgColor: *background
    logoColor: *purple
  # Command prompt styles
  prompt:
    fgColor: *foreground
    bgColor: *background
    suggestColor: *purple
  # ClusterInfoView styles.
  info:
    fgColor: *pink
    sectionColor: *foreground
  # Dialog styles.
  dialog:
    fgColor: *foreground
    bgColor: *background
    buttonFgColor: *foreground
    buttonBgColor: *purple
    buttonFocusFgColor: *yellow
    buttonFocusBgColor: *pink
    labelFgColor: *orange
    fieldFgColor: *foreground
  frame:
    # Borders styles.
    border:
      fgColor: *selection
      focusColor: *current_line
    menu:
      fgColor: *foreground
      keyColor: *pink
      # Used for favorite namespaces
      numKeyColor: *pink
    # CrumbView attributes for history navigation.
    crumbs:
      fgColor: *foreground
      bgColor: *current_line
      activeColor: *current_line
    # Resource status and update styles
    status:
      newColor: *cyan
      modifyColor: *purple
      addColor: *green
      errorColor: *red
      highlightColor: *orange
      killColor: *comment
      completedColor: *comment
    # Border title styles.
    title:
      fgColor: *foreground
      bgColor: *current_line
      highlightColor: *orange
      counterColor: *purple
      filterColor: *pink
  views:
    # Charts skins...
    charts:
      bgColor: default
      defaultDialColors:
        - *purple
        - *red
      defaultChartColors:
        - *purple
        - *red
    # TableView attributes.
    table:
      fgColor: *foreground
      bgColor: *background
      # Header row styles.
      header:
        fgColor: *foreground
        bgColor: *background
        sorterColor: *cyan
    # Xray view attributes.
    xray:
      fgColor: *foreground
      bgColor: *background
      cursorColor: *current_line
      graphicColor: *purple
      showIcons: false
    # YAML info styles.
    yaml:
      keyColor: *pink
      colonColor: *purple
      valueColor: *foreground
    # Logs styles.
    logs:
      fgColor: *foreground
      bgColor: *background
      indicator:
        fgColor: *foreground
        bgColor: *purple
        toggleOnColor: *green
        toggleOffColor: *cyan
"""

# k9s's transparent skin as it ships (with its "promt" typo: k9s ignores the key silently)
TRANSPARENT = """\
# -----------------------------------------------------------------------------
# Transparent skin
# Preserve your terminal session background color
# -----------------------------------------------------------------------------

# Skin...
k9s:
  body:
    bgColor: default
  promt:
    bgColor: default
  info:
    sectionColor: default
  dialog:
    bgColor: default
    labelFgColor: default
    fieldFgColor: default
  frame:
    crumbs:
      bgColor: default
    title:
      bgColor: default
      counterColor: default
    menu:
      fgColor: default
  views:
    charts:
      bgColor: default
    table:
      bgColor: default
      header:
        fgColor: default
        bgColor: default
    xray:
      bgColor: default
    logs:
      bgColor: default
      indicator:
        bgColor: default
        toggleOnColor: default
        toggleOffColor: default
    yaml:
      colonColor: default
      valueColor: default
"""

# a red skin for a production cluster, written with tcell's names (any case) and prompt borders
PRODUCTION = """\
k9s:
  body:
    fgColor: White
    bgColor: "#1c0000"
    logoColor: Red
  prompt:
    border:
      command: red
      default: DarkOrange
  frame:
    border:
      fgColor: darkred
      focusColor: crimson
    title:
      fgColor: "#FF6347"
    status:
      errorColor: "-"
  views:
    charts:
      resourceColors:
        cpu: [dodgerblue, darkslateblue]
        mem: [yellow, goldenrod]
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_every_bundled_skin_loads_without_warnings():
    found = skin.bundled()
    assert set(found) >= BUNDLED
    for name, path in found.items():
        s = skin.load(path)
        assert s.name == name and s.path == path
        assert s.warnings == [], name
        assert s.colors, name


def test_a_k9s_skin_with_anchors_loads_every_colour(tmp_path):
    s = skin.load(write(tmp_path, "dracula.yaml", DRACULA_WITH_ANCHORS))
    assert s.name == "dracula" and s.warnings == []
    assert s.color("body.bgColor") == "#282a36"
    assert s.color("frame.menu.keyColor") == "#ff79c6"
    assert s.color("views.table.header.sorterColor") == "#8be9fd"
    assert s.color("views.logs.indicator.toggleOnColor") == "#50fa7b"
    assert s.color("views.charts.bgColor") == DEFAULT
    assert s.lists["views.charts.defaultDialColors"] == ["#bd93f9", "#ff5555"]
    assert s.flags["views.xray.showIcons"] is False
    assert s.color("views.table.cursorBgColor") is None  # not in the file: the UI keeps its own


def test_k9s_transparent_skin_loads_and_warns_once_about_its_typo(tmp_path):
    path = write(tmp_path, "transparent.yaml", TRANSPARENT)
    s = skin.load(path)
    assert s.warnings == [f"{path}:10: k9s.promt: unknown key, ignored"]  # its bgColor is not warned again
    assert s.color("body.bgColor") == DEFAULT
    assert s.color("views.yaml.valueColor") == DEFAULT
    assert s.color("prompt.bgColor") is None


def test_colour_names_are_tcells_in_any_case_and_dash_means_default(tmp_path):
    s = skin.load(write(tmp_path, "prod.yml", PRODUCTION))
    assert s.name == "prod" and s.warnings == []
    assert s.color("body.fgColor") == "#ffffff"
    assert s.color("body.logoColor") == "#ff0000"
    assert s.color("prompt.border.default") == "#ff8c00"
    assert s.color("frame.border.focusColor") == "#dc143c"
    assert s.color("frame.title.fgColor") == "#ff6347"
    assert s.color("frame.status.errorColor") == DEFAULT
    assert s.lists["views.charts.resourceColors.mem"] == ["#ffff00", "#daa520"]
    assert skin.parse_color("lightslategrey") == skin.parse_color("lightslategray") == "#778899"
    assert skin.parse_color("#fff") is None and skin.parse_color(3) is None and skin.parse_color("blu") is None


def test_an_unknown_key_is_one_warning_naming_it_and_its_line(tmp_path):
    path = write(tmp_path, "mine.yaml", "k9s:\n  body:\n    fgColor: white\n    fgColour: red\n"
                                        "  views:\n    tables:\n      fgColor: aqua\n      header: {fgColor: red}\n")
    s = skin.load(path)
    assert s.warnings == [f"{path}:4: k9s.body.fgColour: unknown key, ignored",
                          f"{path}:6: k9s.views.tables: unknown key, ignored"]
    assert s.colors == {"body.fgColor": "#ffffff"}


def test_every_key_of_k9s_styles_go_loads_without_a_warning(tmp_path):
    """k9s's modus and rose-pine skins set info.cpuColor/memColor/k9sRevColor, its stock skin
    frame.menu.fgStyle: keys of k9s's own schema (styles.go), which k9py called unknown."""
    path = write(tmp_path, "modus.yaml", "k9s:\n  info:\n    fgColor: white\n    cpuColor: lawngreen\n"
                                         "    memColor: darkturquoise\n    k9sRevColor: aqua\n"
                                         "  frame:\n    menu:\n      fgStyle: dim\n"
                                         "  views:\n    table:\n      header:\n        selectedSortColumnColor: aqua\n"
                                         "    charts:\n      focusFgColor: white\n      focusBgColor: black\n")
    s = skin.load(path)
    assert s.warnings == []
    assert s.colors["info.cpuColor"] == "#7cfc00" and s.colors["views.charts.focusBgColor"] == "#000000"


def test_a_colour_name_k9s_does_not_know_is_one_warning_and_the_terminals_default(tmp_path):
    """k9s (tcell) reads a name it does not know as the terminal's default colour: k9s's own stock
    skin says "linegreen", its gruvbox skins "background". They load, as in k9s, with one warning each."""
    path = write(tmp_path, "stock.yaml", "k9s:\n  frame:\n    menu:\n      fgColor: white\n      keyColor: blu\n"
                                         "  views:\n    charts:\n      bgColor: background\n"
                                         "      defaultDialColors: [linegreen, orangered]\n")
    s = skin.load(path)
    assert s.colors == {"frame.menu.fgColor": "#ffffff", "frame.menu.keyColor": "default", "views.charts.bgColor": "default"}
    assert s.lists == {"views.charts.defaultDialColors": ["default", "#ff4500"]}
    assert s.warnings == [
        f'{path}:5: k9s.frame.menu.keyColor: "blu" is not a colour (a name like dodgerblue, #rrggbb or default): '
        "the terminal's default, as k9s",
        f'{path}:8: k9s.views.charts.bgColor: "background" is not a colour (a name like dodgerblue, #rrggbb or default): '
        "the terminal's default, as k9s",
        f'{path}:9: k9s.views.charts.defaultDialColors[0]: "linegreen" is not a colour (a name like dodgerblue, '
        "#rrggbb or default): the terminal's default, as k9s"]


def test_a_colour_that_is_no_string_is_an_error_naming_file_line_and_key(tmp_path):
    path = write(tmp_path, "bad.yaml", "k9s:\n  frame:\n    menu:\n      fgColor: white\n      keyColor: 12\n")
    with pytest.raises(ConfigError) as err:
        skin.load(path)
    assert str(err.value).startswith(f"{path}:5: k9s.frame.menu.keyColor: a number is not a colour")
    path = write(tmp_path, "bad2.yaml", "k9s:\n  views:\n    charts:\n      defaultDialColors: [green, 7]\n")
    with pytest.raises(ConfigError, match=r"bad2.yaml:4: k9s.views.charts.defaultDialColors\[1\]: a number is not a colour"):
        skin.load(path)


@pytest.mark.parametrize(("text", "message"), [
    ("k9s:\n  body: red\n", ":2: k9s.body: must be a mapping, not a string"),
    ("body:\n  fgColor: red\n", ":1: k9s: missing"),
    ("k9s:\n  views:\n    xray:\n      showIcons: maybe\n", ":4: k9s.views.xray.showIcons: must be true or false"),
    ("k9s: [\n", "bad.yaml:"),
])
def test_a_wrong_skin_file_says_where(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
        skin.load(write(tmp_path, "bad.yaml", text))


def test_find_takes_a_file_then_the_users_skins_then_the_bundled_ones(tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "cfg"))
    assert skin.find("dracula") == skin.bundled()["dracula"]
    assert skin.user_skins() == {}
    mine = tmp_path / "cfg" / "skins"
    mine.mkdir(parents=True)
    write(mine, "dracula.yaml", DRACULA_WITH_ANCHORS)
    write(mine, "prod.yml", PRODUCTION)
    assert skin.find("dracula") == mine / "dracula.yaml"  # the user's wins
    assert skin.find("prod") == mine / "prod.yml"
    assert set(skin.user_skins()) == {"dracula", "prod"}
    assert skin.available()["dracula"] == mine / "dracula.yaml"
    elsewhere = write(tmp_path, "red.yaml", PRODUCTION)
    assert skin.find(str(elsewhere)) == elsewhere
    with pytest.raises(ConfigError, match="no skin file"):
        skin.find(str(tmp_path / "missing.yaml"))
    with pytest.raises(ConfigError) as err:
        skin.find("dracla")
    assert "unknown skin 'dracla'" in str(err.value)
    assert "dracula" in str(err.value) and "prod" in str(err.value) and "solarized-light" in str(err.value)
