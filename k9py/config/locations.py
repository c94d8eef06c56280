"""Where k9py reads the user's files, XDG style: ``$K9PY_CONFIG_DIR`` if set, else
``$XDG_CONFIG_HOME/k9py`` (``~/.config/k9py``). Per-context state (what k9s keeps per cluster)
goes under ``$XDG_DATA_HOME/k9py/clusters`` unless ``K9PY_CONFIG_DIR`` puts everything in one place."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

BUNDLED_SKINS = Path(__file__).resolve().parent.parent / "data" / "skins"


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var, "")
    return Path(value) if value and os.path.isabs(value) else Path.home() / fallback


def config_dir() -> Path:
    override = os.environ.get("K9PY_CONFIG_DIR")
    return Path(override) if override else _xdg("XDG_CONFIG_HOME", ".config") / "k9py"


def data_dir() -> Path:
    override = os.environ.get("K9PY_CONFIG_DIR")
    return Path(override) if override else _xdg("XDG_DATA_HOME", ".local/share") / "k9py"


def state_dir() -> Path:
    override = os.environ.get("K9PY_CONFIG_DIR")
    return Path(override) if override else _xdg("XDG_STATE_HOME", ".local/state") / "k9py"


def history_dir() -> Path:
    """Where the time machine keeps what it saw (one directory per context, one per run)."""
    return state_dir() / "history"


def screen_dumps_dir() -> Path:
    """Where ctrl-s writes its screen dumps unless config.yaml's ``screenDumpDir`` says."""
    return state_dir() / "screens"


def config_file() -> Path:
    return config_dir() / "config.yaml"


def skins_dir() -> Path:
    return config_dir() / "skins"


def aliases_file() -> Path:
    return config_dir() / "aliases.yaml"


def hotkeys_file() -> Path:
    return config_dir() / "hotkeys.yaml"


def plugins_file() -> Path:
    return config_dir() / "plugins.yaml"


def plugins_dir() -> Path:
    """k9s's plugins folder: one or more plugins a file (``plugins`` in k9s's config and data dirs)."""
    return config_dir() / "plugins"


def plugins_dirs() -> list[Path]:
    """Every plugins folder, in k9s's order (a later one's plugin of the same name wins):
    ``$XDG_DATA_DIRS/k9py/plugins``, ``$XDG_DATA_HOME/k9py/plugins`` (where k9s's README puts its
    examples), then the config directory's. With ``K9PY_CONFIG_DIR``: that directory's only."""
    if os.environ.get("K9PY_CONFIG_DIR"):
        return [plugins_dir()]
    system = [Path(d) / "k9py" / "plugins" for d in
              (os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":") if os.path.isabs(d)]
    return list(dict.fromkeys([*system, data_dir() / "plugins", plugins_dir()]))


def keymap_file() -> Path:
    return config_dir() / "keymap.yaml"


def views_file() -> Path:
    """k9s's custom columns (``views.yaml``)."""
    return config_dir() / "views.yaml"


def clusters_dir() -> Path:
    return data_dir() / "clusters"


def context_dir(context: str, cluster: str = "") -> Path:
    """A context's own folder, where k9s keeps it: ``clusters/<cluster>/<context>`` (k9s's
    ``AppContextDir``), each name made a path component as k9s does (``:`` and ``/`` runs become
    ``-``: an EKS ARN context), so a k9s user's ``clusters`` folder copied over is found. Without
    a cluster, ``clusters/<context>`` (k9s's join of an empty cluster name)."""
    return clusters_dir() / context_subpath(context, cluster)


def context_subpath(context: str, cluster: str = "") -> Path:
    """``<cluster>/<context>`` as k9s names a context's folders under its clusters, dumps and
    benchmarks folders (``SanitizeContextSubpath``); without a cluster, ``<context>``."""
    return Path(*([_k9s_safe(cluster)] if cluster else []), _k9s_safe(context))


def _k9s_safe(name: str) -> str:
    """k9s's SanitizeFileName (``[:/]+`` → ``-``); a name of dots only or with a NUL or a
    backslash, which k9s would take as a path, is made harmless (it never leaves ``clusters``)."""
    safe = re.sub(r"[:/]+", "-", name).replace("\0", "_").replace("\\", "-")
    return fit_name("_" if not safe.strip(".") else safe)


NAME_MAX = 255  # bytes in one path component (Linux, macOS)


def fit_name(safe: str, limit: int = NAME_MAX) -> str:
    """``safe`` as one path component the file system takes: one over ``limit`` bytes (a context
    named at length) keeps its first bytes and a digest of the whole, so it stays distinct and
    the same from run to run."""
    raw = safe.encode("utf-8", "surrogatepass")
    if len(raw) <= limit:
        return safe
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return raw[:min(200, limit - 17)].decode("utf-8", "ignore") + "-" + digest


def context_file(context: str, cluster: str = "") -> Path:
    """A context's remembered settings (k9s's per-context ``config.yaml``)."""
    return context_dir(context, cluster) / "config.yaml"


def legacy_context_file(context: str) -> Path:
    """Where k9py kept a context's settings before it used k9s's layout (read when the new file
    is not there yet)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in context).strip(".") or "_"
    return clusters_dir() / fit_name(safe) / "config.yaml"


def benchmarks_file(context: str, cluster: str = "") -> Path:
    """k9s's per-context ``benchmarks.yaml`` (what `b` on a port-forward sends), beside the
    context's ``config.yaml``."""
    return context_dir(context, cluster) / "benchmarks.yaml"


def benchmarks_dir(cluster: str, context: str) -> Path:
    """Where `b`'s reports go, one folder per cluster and context (k9s's ``benchmarks/CLUSTER/CONTEXT``)."""
    return state_dir() / "benchmarks" / context_subpath(context, cluster)
