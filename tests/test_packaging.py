"""Every file the package needs at run time is declared as package data, so a wheel (not only an
editable install) carries it: the app's stylesheet, the bundled scenarios and skins."""

import fnmatch
import os
import pathlib
import tomllib
from importlib.machinery import EXTENSION_SUFFIXES

from k9py import native

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_every_non_python_file_in_the_package_ships_in_the_wheel():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["k9py"]
    pkg = ROOT / "k9py"
    data_files = [(pathlib.Path(d) / f).relative_to(pkg).as_posix()
                  for d, _, files in os.walk(pkg, followlinks=True)  # data/ holds symlinked folders
                  for f in files if not f.endswith((".py", ".pyc")) and "__pycache__" not in d
                  # what a build of the compiled core puts there: the wheel's build makes its own
                  and not f.endswith(tuple(EXTENSION_SUFFIXES)) and f != native.MANIFEST]
    assert any(f.endswith(".tcss") for f in data_files) and any(f.startswith("data/scenarios/") for f in data_files)
    missing = [f for f in data_files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)]
    assert missing == []
