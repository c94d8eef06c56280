"""Command line: `k9py` (explore), `k9py serve`, … (argparse)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    print("k9py: nothing here yet")
    return 0
