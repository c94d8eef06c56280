"""Key names as users write them in k9s's files (``Ctrl-L``, ``Shift-0``, ``shift-d``, ``ctrl-x``,
``F1``, ``?``) or as Textual does (``ctrl+x``), turned into Textual's key names, and back into
k9s's menu labels (``<ctrl-x>``). Shifted digits and punctuation follow a US keyboard, as k9s's do."""

from __future__ import annotations

import unicodedata

NAMED = {
    "enter": "enter", "return": "enter", "esc": "escape", "escape": "escape", "space": "space",
    "tab": "tab", "backtab": "shift+tab", "backspace": "backspace", "bs": "backspace", "delete": "delete",
    "del": "delete", "insert": "insert", "ins": "insert", "home": "home", "end": "end",
    "pgup": "pageup", "pageup": "pageup", "pgdn": "pagedown", "pagedown": "pagedown",
    "up": "up", "down": "down", "left": "left", "right": "right",
}
NAMED.update({f"f{i}": f"f{i}" for i in range(1, 25)})
SHIFTED = dict(zip("1234567890-=[]\\;',./`", "!@#$%^&*()_+{}|:\"<>?~", strict=True))
# Textual names the ASCII punctuation after Unicode, with these shortened.
_REPLACED = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at",
             "hyphen_minus": "minus", "plus_sign": "plus", "low_line": "underscore"}
MODIFIERS = ("ctrl", "alt", "shift")


class BadKey(ValueError):
    """Not a key k9py knows how to bind."""


def char_key(ch: str) -> str:
    """Textual's name for the key that types ``ch`` (``?`` → ``question_mark``, ``a`` → ``a``)."""
    if ch.isalnum():
        return ch
    name = unicodedata.name(ch, ch).lower().replace("-", "_").replace(" ", "_")
    return _REPLACED.get(name, name)


def parse_key(text: str) -> str:
    """``Ctrl-L`` → ``ctrl+l``; ``Shift-D`` → ``D``; ``Shift-0`` → ``right_parenthesis``;
    ``?`` → ``question_mark``; ``ctrl+x`` stays. BadKey (a ValueError) when it is not a key."""
    raw = str(text).strip()
    if not raw:
        raise BadKey("empty key")
    if len(raw) == 1:
        if not raw.isprintable() or raw.isspace():
            raise BadKey(f"{raw!r} is not a key")
        return char_key(raw)
    parts = _split(raw)
    *mods, base = parts
    mods = [m.lower() for m in mods]
    for m in mods:
        if m not in MODIFIERS:
            raise BadKey(f"{raw!r}: unknown modifier {m!r} (ctrl, alt, shift)")
    if len(set(mods)) != len(mods):
        raise BadKey(f"{raw!r}: a modifier is repeated")
    if len(base) == 1:
        key = base.lower() if base.isalpha() else base
    elif base.lower() in NAMED:
        key = NAMED[base.lower()]
    elif base.lower() in {_REPLACED.get(n, n) for n in _REPLACED.values()} | set(_TEXTUAL_NAMES):
        key = base.lower()
    else:
        raise BadKey(f"{raw!r}: unknown key {base!r}")
    if "shift" in mods and len(key) == 1 and "ctrl" not in mods and "alt" not in mods:
        mods.remove("shift")  # Shift-d types D, Shift-0 types ) (a US keyboard, as k9s assumes)
        key = key.upper() if key.isalpha() else SHIFTED.get(key, key)
    if len(key) == 1:
        key = char_key(key)
    order = [m for m in MODIFIERS if m in mods]
    return "+".join([*order, key])


def _split(raw: str) -> list[str]:
    """``Ctrl-L`` / ``ctrl+l`` / ``Alt--`` (alt and minus) into modifiers and the key."""
    parts: list[str] = []
    cur = ""
    for i, ch in enumerate(raw):
        if ch in "-+" and cur and i < len(raw) - 1:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


# Names Textual gives keys that users may write as they are ("question_mark", "slash").
_TEXTUAL_NAMES = {char_key(c) for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"}


def label(key: str) -> str:
    """k9s's menu label for a Textual key name: ``ctrl+x`` → ``<ctrl-x>``, ``D`` → ``<shift-d>``,
    ``question_mark`` → ``<?>``."""
    *mods, base = key.split("+") if key != "plus" else ["plus"]
    if len(base) == 1 and base.isalpha() and base.isupper():
        mods, base = [*mods, "shift"], base.lower()
    else:
        base = _char_of(base)
    return "<" + "-".join([*mods, base]) + ">"


# Textual's name of each ASCII punctuation key -> the character ("question_mark" -> "?"), and
# the named keys k9s writes shorter.
_CHARS = {char_key(ch): ch for ch in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"}
_CHARS.update({"pageup": "pgup", "pagedown": "pgdn", "escape": "esc"})


def _char_of(name: str) -> str:
    return _CHARS.get(name, name)
