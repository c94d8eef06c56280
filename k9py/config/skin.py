"""k9s skin files, taken as they are: the ``k9s:`` tree (body, prompt, help, frame, info, views,
dialog) with k9s's key names (derailed/k9s ``internal/config/styles.go``). Colours are k9s's (tcell's)
names, ``#rrggbb`` or ``default`` (``-``: the terminal's own colour). Top-level keys beside ``k9s``
are the skin's YAML anchors (``foreground: &foreground "#f8f8f2"``). A colour name tcell does not
know is the terminal's default, as in k9s, with one warning ``FILE:LINE: k9s.frame.menu.keyColor:
"blu" is not a colour ...``; a colour that is no string is a ConfigError; an unknown key is ignored
with one warning naming it. What a colour *does* is the UI's business (``k9py/ui/theme.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from k9py.config import locations, yamlfile
from k9py.config.yamlfile import ConfigDoc, ConfigError

DEFAULT = "default"  # the terminal's own colour (k9s: "default"; "-" means the same)

# tcell's colour names (the W3C/X11 ones, "grey" spellings included) and their RGB values.
_NAMES = """
black=000000 maroon=800000 green=008000 olive=808000 navy=000080 purple=800080 teal=008080 silver=c0c0c0
gray=808080 red=ff0000 lime=00ff00 yellow=ffff00 blue=0000ff fuchsia=ff00ff aqua=00ffff white=ffffff
aliceblue=f0f8ff antiquewhite=faebd7 aquamarine=7fffd4 azure=f0ffff beige=f5f5dc bisque=ffe4c4
blanchedalmond=ffebcd blueviolet=8a2be2 brown=a52a2a burlywood=deb887 cadetblue=5f9ea0 chartreuse=7fff00
chocolate=d2691e coral=ff7f50 cornflowerblue=6495ed cornsilk=fff8dc crimson=dc143c darkblue=00008b
darkcyan=008b8b darkgoldenrod=b8860b darkgray=a9a9a9 darkgreen=006400 darkkhaki=bdb76b darkmagenta=8b008b
darkolivegreen=556b2f darkorange=ff8c00 darkorchid=9932cc darkred=8b0000 darksalmon=e9967a darkseagreen=8fbc8f
darkslateblue=483d8b darkslategray=2f4f4f darkturquoise=00ced1 darkviolet=9400d3 deeppink=ff1493
deepskyblue=00bfff dimgray=696969 dodgerblue=1e90ff firebrick=b22222 floralwhite=fffaf0 forestgreen=228b22
gainsboro=dcdcdc ghostwhite=f8f8ff gold=ffd700 goldenrod=daa520 greenyellow=adff2f honeydew=f0fff0
hotpink=ff69b4 indianred=cd5c5c indigo=4b0082 ivory=fffff0 khaki=f0e68c lavender=e6e6fa lavenderblush=fff0f5
lawngreen=7cfc00 lemonchiffon=fffacd lightblue=add8e6 lightcoral=f08080 lightcyan=e0ffff
lightgoldenrodyellow=fafad2 lightgray=d3d3d3 lightgreen=90ee90 lightpink=ffb6c1 lightsalmon=ffa07a
lightseagreen=20b2aa lightskyblue=87cefa lightslategray=778899 lightsteelblue=b0c4de lightyellow=ffffe0
limegreen=32cd32 linen=faf0e6 mediumaquamarine=66cdaa mediumblue=0000cd mediumorchid=ba55d3
mediumpurple=9370db mediumseagreen=3cb371 mediumslateblue=7b68ee mediumspringgreen=00fa9a
mediumturquoise=48d1cc mediumvioletred=c71585 midnightblue=191970 mintcream=f5fffa mistyrose=ffe4e1
moccasin=ffe4b5 navajowhite=ffdead oldlace=fdf5e6 olivedrab=6b8e23 orange=ffa500 orangered=ff4500
orchid=da70d6 palegoldenrod=eee8aa palegreen=98fb98 paleturquoise=afeeee palevioletred=db7093
papayawhip=ffefd5 peachpuff=ffdab9 peru=cd853f pink=ffc0cb plum=dda0dd powderblue=b0e0e6 rebeccapurple=663399
rosybrown=bc8f8f royalblue=4169e1 saddlebrown=8b4513 salmon=fa8072 sandybrown=f4a460 seagreen=2e8b57
seashell=fff5ee sienna=a0522d skyblue=87ceeb slateblue=6a5acd slategray=708090 snow=fffafa springgreen=00ff7f
steelblue=4682b4 tan=d2b48c thistle=d8bfd8 tomato=ff6347 turquoise=40e0d0 violet=ee82ee wheat=f5deb3
whitesmoke=f5f5f5 yellowgreen=9acd32
"""
NAMES: dict[str, str] = {n: "#" + v for n, v in (item.split("=") for item in _NAMES.split())}
for _grey in ("gray", "dimgray", "darkgray", "darkslategray", "lightgray", "lightslategray", "slategray"):
    NAMES[_grey.replace("gray", "grey")] = NAMES[_grey]

C, COLORS, COLORMAP, BOOL, TEXT = "color", "colors", "colormap", "bool", "text"
Schema = dict[str, Any]  # key → a kind above, or a nested Schema

_TITLE = {"fgColor": C, "bgColor": C, "highlightColor": C, "counterColor": C, "filterColor": C}
SCHEMA: Schema = {
    "body": {"fgColor": C, "bgColor": C, "logoColor": C, "logoColorMsg": C, "logoColorInfo": C,
             "logoColorWarn": C, "logoColorError": C},
    "prompt": {"fgColor": C, "bgColor": C, "suggestColor": C, "border": {"command": C, "default": C}},
    "help": {"fgColor": C, "bgColor": C, "sectionColor": C, "keyColor": C, "numKeyColor": C},
    "dialog": {"fgColor": C, "bgColor": C, "buttonFgColor": C, "buttonBgColor": C, "buttonFocusFgColor": C,
               "buttonFocusBgColor": C, "labelFgColor": C, "fieldFgColor": C},
    "frame": {
        "title": _TITLE,
        "border": {"fgColor": C, "focusColor": C},
        "menu": {"fgColor": C, "fgStyle": TEXT, "keyColor": C, "numKeyColor": C},
        "crumbs": {"fgColor": C, "bgColor": C, "activeColor": C},
        "status": {"newColor": C, "modifyColor": C, "addColor": C, "pendingColor": C, "errorColor": C,
                   "highlightColor": C, "killColor": C, "completedColor": C},
    },
    "info": {"fgColor": C, "sectionColor": C, "cpuColor": C, "memColor": C, "k9sRevColor": C},
    "views": {
        "table": {"fgColor": C, "bgColor": C, "cursorFgColor": C, "cursorBgColor": C, "markColor": C,
                  "header": {"fgColor": C, "bgColor": C, "sorterColor": C, "selectedSortColumnColor": C}},
        "xray": {"fgColor": C, "bgColor": C, "cursorColor": C, "cursorTextColor": C, "graphicColor": C,
                 "showIcons": BOOL},
        "charts": {"bgColor": C, "dialBgColor": C, "chartBgColor": C, "defaultDialColors": COLORS,
                   "defaultChartColors": COLORS, "resourceColors": COLORMAP, "focusFgColor": C,
                   "focusBgColor": C},
        "yaml": {"keyColor": C, "colonColor": C, "valueColor": C},
        "picker": {"mainColor": C, "focusColor": C, "shortcutColor": C},
        "logs": {"fgColor": C, "bgColor": C,
                 "indicator": {"fgColor": C, "bgColor": C, "toggleOnColor": C, "toggleOffColor": C}},
    },
    "emoji": {"configFile": TEXT},  # k9s's emoji file: accepted, k9py draws no emoji
}


@dataclass
class Skin:
    """One skin: the colours its file sets (dotted keys under ``k9s``, e.g. ``frame.menu.keyColor``,
    resolved to ``#rrggbb`` or ``default``). A key the file leaves out is not in ``colors``: the UI
    keeps its own look there (``Skin()`` is that look: k9py's default)."""

    name: str = "default"
    path: Path | None = None
    colors: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)  # views.charts.defaultDialColors, ...resourceColors.cpu
    flags: dict[str, bool] = field(default_factory=dict)  # views.xray.showIcons
    warnings: list[str] = field(default_factory=list)

    def color(self, key: str) -> str | None:
        """The colour the file sets for ``key`` (``"views.table.fgColor"``), else None."""
        return self.colors.get(key)


def parse_color(value: Any) -> str | None:
    """``#rrggbb`` (lower case) or ``default`` for a k9s colour, None if it is not one."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in ("default", "-"):
        return DEFAULT
    if len(text) == 7 and text[0] == "#" and all(c in "0123456789abcdef" for c in text[1:]):
        return text
    return NAMES.get(text)


def load(path: Path, *, text: str | None = None, name: str | None = None) -> Skin:
    """Read one skin file (``text``: its content instead). ConfigError when it is wrong; unknown keys
    end up in ``skin.warnings`` (one each)."""
    doc = yamlfile.load(path, text=text)
    top = yamlfile.mapping(doc, doc.data, "k9s")
    if "k9s" not in top:
        raise doc.error("k9s", "missing: a k9s skin keeps its colours under a top-level k9s: key")
    skin = Skin(name=name or skin_name(path), path=path)
    _walk(doc, skin, yamlfile.mapping(doc, top["k9s"], "k9s"), SCHEMA, ["k9s"])
    skin.warnings = doc.warnings
    return skin


def _walk(doc: ConfigDoc, skin: Skin, data: dict[str, Any], schema: Schema, where: list[str | int]) -> None:
    for key, value in data.items():
        at: list[str | int] = [*where, str(key)]
        dotted = ".".join(str(step) for step in at[1:])
        kind = schema.get(key) if isinstance(key, str) else None
        if kind is None:
            doc.warn(at, "unknown key, ignored")
        elif value is None:
            continue  # "fgColor:" with nothing: as if absent (k9s keeps its default)
        elif isinstance(kind, dict):
            _walk(doc, skin, yamlfile.mapping(doc, value, at), kind, at)
        elif kind == C:
            skin.colors[dotted] = _color(doc, value, at)
        elif kind == COLORS:
            skin.lists[dotted] = _colors(doc, value, at)
        elif kind == COLORMAP:
            for sub, colors in yamlfile.mapping(doc, value, at).items():
                skin.lists[f"{dotted}.{sub}"] = _colors(doc, colors, [*at, str(sub)])
        elif kind == BOOL:
            if not isinstance(value, bool):  # (k9s's schema check refuses yaml.v3's `no` here: a string)
                raise doc.error(at, f"must be true or false, not {yamlfile.type_name(value)}")
            skin.flags[dotted] = value
        elif not isinstance(value, str):  # TEXT
            raise doc.error(at, f"must be a string, not {yamlfile.type_name(value)}")


def _color(doc: ConfigDoc, value: Any, at: list[str | int]) -> str:
    color = parse_color(value)
    if color is None and isinstance(value, str):
        # k9s (tcell) takes a name it does not know for the terminal's default colour, and k9s's
        # own skins have such names (stock's "linegreen", gruvbox's "background"): the file loads
        doc.warn(at, f'"{value}" is not a colour (a name like dodgerblue, #rrggbb or default): '
                     "the terminal's default, as k9s")
        return DEFAULT
    if color is None:
        raise doc.error(at, f"{yamlfile.type_name(value)} is not a colour (a name like dodgerblue, #rrggbb or default)")
    return color


def _colors(doc: ConfigDoc, value: Any, at: list[str | int]) -> list[str]:
    if not isinstance(value, list):
        raise doc.error(at, f"must be a list of colours, not {yamlfile.type_name(value)}")
    return [_color(doc, v, [*at, i]) for i, v in enumerate(value)]


# -- where skins are ----------------------------------------------------------------------------------------
SUFFIXES = (".yaml", ".yml")


def skin_name(path: Path) -> str:
    return path.name[: -len(path.suffix)] if path.suffix in SUFFIXES else path.name


def _listing(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    found = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())
    out: dict[str, Path] = {}
    for p in found:
        out.setdefault(skin_name(p), p)  # name.yaml before name.yml
    return out


def bundled() -> dict[str, Path]:
    """The skins k9py ships (``skins/`` at the top of the project), by name."""
    return _listing(locations.BUNDLED_SKINS)


def user_skins() -> dict[str, Path]:
    """The user's skins (``locations.skins_dir()``: drop k9s skin files there), by name."""
    return _listing(locations.skins_dir())


def available() -> dict[str, Path]:
    """Every skin by name; a user's skin shadows a bundled one of the same name."""
    return {**bundled(), **user_skins()}


def find(name_or_file: str) -> Path:
    """A skin file: ``name_or_file`` if it is a file, else the skin of that name in the user's
    skins directory, then among the bundled ones. ConfigError naming the available skins."""
    path = Path(name_or_file).expanduser()
    if path.is_file():
        return path
    if path.suffix in SUFFIXES or "/" in name_or_file:
        raise ConfigError(f"no skin file {name_or_file}")
    if found := available().get(name_or_file):
        return found
    names = ", ".join(sorted(available())) or "none"
    raise ConfigError(f"unknown skin {name_or_file!r} (available: {names})", field="skin")
