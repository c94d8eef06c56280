"""Command line: `k9py` (explore), `k9py serve`. Errors a user made exit 2 with one line."""

from __future__ import annotations

import argparse
import sys

from k9py import __version__
from k9py.errors import K9pyError


def _serve_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the simulator as a Kubernetes API on loopback")
    p.add_argument("--scenario", help="scenario file (default: the bundled demo cluster)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="port (0 picks a free one)")
    p.add_argument("--kubeconfig-out", help="write a kubeconfig (context k9py-sim) to this file")
    p.add_argument("--speed", type=float, default=1.0, help="virtual time per real second")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--readonly", action="store_true", help="refuse every mutation with 403")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="k9py", description="A k9s-style cluster explorer with a built-in simulator.")
    parser.add_argument("--version", action="version", version=f"k9py {__version__}")
    parser.add_argument("--scenario", help="scenario file for the simulator (default: the demo cluster)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--speed", type=float, default=1.0)
    sub = parser.add_subparsers(dest="command")
    _serve_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "serve":
            from k9py.serve.server import run_serve
            return run_serve(args)
        from k9py.scenario.loader import load_cluster
        cluster = load_cluster(args.scenario, seed=args.seed)
        print(f"k9py: simulated cluster with {cluster.store.count('Pod')} pods "
              "(the explorer UI arrives with issue 3; try `k9py serve`)")
        return 0
    except K9pyError as err:
        print(f"k9py: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
