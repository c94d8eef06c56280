"""Views opened by `:` commands that are not resource tables: `:xray`, `:pulses`, `:timeline`,
`:screendump`. Each is built by its own module; this one only routes (lazily, so start-up does
not import them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp


def open_request(app: K9pyApp, request: str, arg: str) -> None:
    app.flash(f"{request}: not available yet in k9py", "warn")
