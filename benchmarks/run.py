"""k9py's benchmarks: every figure of docs/performance.md, printed with its target.

    python benchmarks/run.py [--quick] [--json OUT] [--only GROUP,...]

Each group (``benchmarks/<group>.py``: ``FIGURES`` and ``measure(quick)``) runs in a process of
its own, so its imports, heap and GC never colour another group's figures, with k9py's bytecode
compiled and read as an installed k9py has it (``common.installed_env``). A group that fails is
reported on one line and the others still run; the exit status is then 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pathlib
import subprocess
import sys
import tempfile
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import compile_like_install, installed_env  # noqa: E402 - after the path

GROUPS = ("startup", "paint", "churn", "logs", "sim", "simtick", "simgen", "serve", "replay", "live")
MARK = "K9PY-BENCH-RESULT "


def available() -> list[str]:
    return [g for g in GROUPS if (ROOT / "benchmarks" / f"{g}.py").exists()]


def _run_group_here(group: str, quick: bool) -> None:
    """Child process: measure one group and print its figures on one marked line."""
    mod = importlib.import_module(f"benchmarks.{group}")
    values = mod.measure(quick)
    results = []
    for name, (unit, target, lower) in mod.FIGURES.items():
        if name in values:
            results.append({"name": name, "value": round(float(values[name]), 2), "unit": unit,
                            "target": target, "lower_is_better": lower})
    print(MARK + json.dumps(results), flush=True)


def run_group(group: str, quick: bool) -> list[dict[str, Any]]:
    """One group in a process of its own, with an empty K9PY_CONFIG_DIR of its own: the user's
    config.yaml, skins or plugins never colour a figure, and nothing a measured app remembers
    (a context's namespaces and view) or saves lands in the user's home."""
    cmd = [sys.executable, str(pathlib.Path(__file__).resolve()), "--group", group]
    if quick:
        cmd.append("--quick")
    with tempfile.TemporaryDirectory(prefix=f"k9py-bench-{group}-config-") as config_dir:
        env = {**installed_env(), "K9PY_CONFIG_DIR": config_dir}
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=env)
    for line in proc.stdout.splitlines():
        if line.startswith(MARK):
            return list(json.loads(line[len(MARK):]))
    raise RuntimeError(f"group {group} failed (exit {proc.returncode})")


def met(r: dict[str, Any]) -> str:
    if r["target"] is None:
        return ""
    ok = r["value"] <= r["target"] if r["lower_is_better"] else r["value"] >= r["target"]
    return "ok" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repetitions and smaller sizes where a group allows")
    p.add_argument("--json", metavar="OUT", help="write the results as JSON")
    p.add_argument("--only", metavar="GROUP,...", help=f"groups to run (of: {', '.join(available())})")
    p.add_argument("--group", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.group:
        _run_group_here(args.group, args.quick)
        return 0
    groups = available()
    if args.only:
        wanted = [g.strip() for g in args.only.split(",") if g.strip()]
        unknown = [g for g in wanted if g not in groups]
        if unknown:
            print(f"benchmarks: unknown group {', '.join(unknown)} (have: {', '.join(groups)})", file=sys.stderr)
            return 2
        groups = wanted
    compile_like_install()
    results: list[dict[str, Any]] = []
    failed = []
    from k9py import native
    core = native.mode()  # the figures are those of this build (the README's install compiles it)
    print(f"simulator core: {core}")
    print(f"{'benchmark':<32}{'value':>12}  {'unit':<6}{'target':>8}")
    for group in groups:
        try:
            got = run_group(group, args.quick)
        except RuntimeError as e:
            failed.append(group)
            print(f"benchmarks: {e}", file=sys.stderr)
            continue
        for r in got:
            target = "" if r["target"] is None else ("≤ " if r["lower_is_better"] else "≥ ") + str(r["target"])
            print(f"{r['name']:<32}{r['value']:>12}  {r['unit']:<6}{target:>8}  {met(r)}", flush=True)
        results.extend(got)
    if args.json:
        out = [{k: r[k] for k in ("name", "value", "unit", "target")} for r in results]
        pathlib.Path(args.json).write_text(json.dumps({"core": core, "results": out}, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
