"""The play speeds (virtual seconds per real second) a replay steps through, and the fastest any
clock is driven: a simulator driven faster spends its whole time catching up and its API stops
answering (``k9py serve --speed 100000`` hung), so every ``--speed`` and config.yaml's speed
stop at the replay's fastest. Light to import: the command line checks its flags with it."""

from __future__ import annotations

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
MAX_SPEED = SPEEDS[-1]
