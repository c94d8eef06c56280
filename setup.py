"""Builds the simulator's compiled core; everything else about the package is in pyproject.toml.

The modules ``k9py.native.COMPILED`` are compiled with mypyc (from the build's own mypy, pinned
in ``[build-system] requires``) when it and a C compiler are at hand. Without them, or when
compiling fails, the package installs as it is: the same modules run as Python source, slower.
``K9PY_PURE=1`` at install time skips compiling. After a build, ``k9py/native-build.json`` holds
the digest of every source compiled: ``k9py.native.guard`` runs the sources instead of a build
they no longer match (an editable install keeps the compiled modules next to the source).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("_k9py_native", HERE / "k9py" / "native.py")
assert _spec is not None and _spec.loader is not None
native = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(native)

# The commands that build (pip runs setup.py for metadata first: mypyc type-checks and writes C
# only for these).
BUILDING = {"build", "build_ext", "bdist_wheel", "editable_wheel", "develop", "install"}


def _say(message: str) -> None:
    print(f"k9py: {message}", file=sys.stderr, flush=True)


def _not_compiled(err: BaseException) -> None:
    _say(f"the simulator's core is not compiled, it runs as Python source ({type(err).__name__}: {err})")


def compiled_core() -> list[Any]:
    if os.environ.get(native.PURE_ENV, "") not in ("", "0") or not BUILDING & set(sys.argv[1:]):
        return []
    sources = [str(native.source_path(m, HERE).relative_to(HERE)) for m in native.COMPILED]
    try:
        from mypyc.build import mypycify

        return list(mypycify(["--ignore-missing-imports", "--no-warn-unused-ignores", "--follow-imports=silent",
                              *sources], opt_level="3"))
    except BaseException as err:  # (mypyc ends a failed type check with SystemExit)
        if isinstance(err, KeyboardInterrupt):
            raise
        _not_compiled(err)
        return []


class BuildCompiledCore(build_ext):
    """build_ext that leaves the package pure Python if compiling fails, and writes the manifest."""

    def run(self) -> None:
        if not self.extensions:
            return
        try:
            super().run()
        except Exception as err:  # (a compiler error: CompileError, LinkError)
            _not_compiled(err)
            self.extensions = []
            return
        target = HERE / "k9py" if self.inplace else Path(self.build_lib) / "k9py"
        target.mkdir(parents=True, exist_ok=True)
        runtime = [e.name for e in self.extensions if "." not in e.name]  # mypyc's library of the group
        (target / native.MANIFEST).write_text(json.dumps(native.manifest(HERE, runtime), indent=1) + "\n",
                                              encoding="utf-8")
        _say(f"the simulator's core is compiled ({len(native.COMPILED)} modules)")

    def get_outputs(self) -> list[str]:
        outputs = list(super().get_outputs())
        if self.extensions:
            outputs.append(str((HERE if self.inplace else Path(self.build_lib)) / "k9py" / native.MANIFEST))
        return outputs


setup(ext_modules=compiled_core(), cmdclass={"build_ext": BuildCompiledCore})
