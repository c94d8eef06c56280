"""A skin turned dark-to-light or light-to-dark (k9s's ``--invert`` / ``ui.invert``): each colour's
lightness mirrored in the OKLCH space, its hue kept and as much of its chroma as the sRGB gamut
allows there, so a red stays a red a light terminal can show. Pure colour arithmetic on
``#rrggbb`` strings (Björn Ottosson's OKLab)."""

from __future__ import annotations

import math

ACHROMATIC = 0.01  # below this chroma a colour is a grey: only its lightness turns
KEEP_CHROMA = 0.5  # at least this share of a colour's chroma is kept, moving its lightness towards the middle if need be


def _to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _to_srgb(c: float) -> float:
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def oklch(hex_color: str) -> tuple[float, float, float]:
    """(L, C, h in radians) of ``#rrggbb``."""
    r, g, b = (_to_linear(int(hex_color[i:i + 2], 16) / 255) for i in (1, 3, 5))
    l_ = (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b) ** (1 / 3)
    m_ = (0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b) ** (1 / 3)
    s_ = (0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b) ** (1 / 3)
    lightness = 0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_
    a = 1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_
    bb = 0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_
    return lightness, math.hypot(a, bb), math.atan2(bb, a)


def _linear_rgb(lightness: float, chroma: float, hue: float) -> tuple[float, float, float]:
    a, b = chroma * math.cos(hue), chroma * math.sin(hue)
    l_ = lightness + 0.3963377774 * a + 0.2158037573 * b
    m_ = lightness - 0.1055613458 * a - 0.0638541728 * b
    s_ = lightness - 0.0894841775 * a - 1.2914855480 * b
    lc, mc, sc = l_ ** 3, m_ ** 3, s_ ** 3
    return (4.0767416621 * lc - 3.3077115913 * mc + 0.2309699292 * sc,
            -1.2684380046 * lc + 2.6097574011 * mc - 0.3413193965 * sc,
            -0.0041960863 * lc - 0.7034186147 * mc + 1.7076147010 * sc)


def _in_gamut(lightness: float, chroma: float, hue: float) -> bool:
    return all(-1e-6 <= c <= 1 + 1e-6 for c in _linear_rgb(lightness, chroma, hue))


def max_chroma(lightness: float, hue: float) -> float:
    """The most chroma sRGB can show at that lightness and hue."""
    lo, hi = 0.0, 0.4
    while hi - lo > 0.001:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _in_gamut(lightness, mid, hue) else (lo, mid)
    return lo


def _lightness_for(target: float, chroma: float, hue: float) -> float:
    """The lightness nearest ``target`` where ``chroma`` fits, looking towards the middle first."""
    if max_chroma(target, hue) >= chroma:
        return target
    step = 0.01 if target < 0.5 else -0.01
    candidates = [target + i * step for i in range(1, 100)]
    for lightness in candidates:
        if 0.05 <= lightness <= 0.95 and max_chroma(lightness, hue) >= chroma:
            return lightness
    return target


def hex_of(lightness: float, chroma: float, hue: float) -> str:
    rgb = (min(1.0, max(0.0, _to_srgb(min(1.0, max(0.0, c))))) for c in _linear_rgb(lightness, chroma, hue))
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def invert(color: str) -> str:
    """``color`` (``#rrggbb``) with its lightness mirrored; anything else (``default``, a name
    Textual knows, ``ansi_default``) as it is: the terminal's own colours are not the skin's."""
    if not (len(color) == 7 and color.startswith("#")):
        return color
    try:
        lightness, chroma, hue = oklch(color.lower())
    except ValueError:
        return color
    if chroma < ACHROMATIC:
        return hex_of(1.0 - lightness, 0.0, hue)
    target = _lightness_for(1.0 - lightness, chroma * KEEP_CHROMA, hue)
    return hex_of(target, min(chroma, max_chroma(target, hue)), hue)
