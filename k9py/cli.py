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


def _explore_arguments(p: argparse.ArgumentParser) -> None:
    """k9s's flags for the explorer."""
    p.add_argument("-n", "--namespace", default="default", help="namespace to start in")
    p.add_argument("-A", "--all-namespaces", action="store_true", help="start in all namespaces")
    p.add_argument("-c", "--command", dest="start_view", default="pods", metavar="VIEW",
                   help="start view, a `:` command (pods, deploy, svc kube-system, ...)")
    p.add_argument("--readonly", action="store_true", help="refuse every change to the cluster")
    p.add_argument("--logoless", action="store_true", help="no logo in the header")
    p.add_argument("--headless", action="store_true", help="no header")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="k9py", description="A k9s-style cluster explorer with a built-in simulator.")
    parser.add_argument("--version", action="version", version=f"k9py {__version__}")
    parser.add_argument("--scenario", help="scenario file for the simulator (default: the demo cluster)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--speed", type=float, default=1.0)
    _explore_arguments(parser)
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
        from k9py.ui.app import run_explorer
        return run_explorer(args)
    except K9pyError as err:
        print(f"k9py: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
