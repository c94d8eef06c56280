"""Everything the user's files say, read once at start: what the CLI hands the App.

``load_user()`` reads each file that exists in the config directory (``locations``); a file that
is wrong raises ConfigError (``FILE:LINE: ...``: the CLI prints it and exits 2). Warnings (an
unknown skin key) are collected for the UI to flash. ``UserConfig()`` is the built-in defaults,
what tests get: no files read, nothing remembered."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from k9py.config import aliases as aliases_file
from k9py.config import hotkeys as hotkeys_file
from k9py.config import keymap as keymap_file
from k9py.config import locations, yamlfile
from k9py.config import plugins as plugins_file
from k9py.config import settings as settings_file
from k9py.config import views as views_file
from k9py.config.hotkeys import Hotkey
from k9py.config.keymap import Keymap
from k9py.config.plugins import Plugin
from k9py.config.settings import Settings
from k9py.config.yamlfile import ConfigError
from k9py.errors import K9pyError
from k9py.view.custom_columns import ViewColumns


@dataclass
class UserConfig:
    settings: Settings = field(default_factory=Settings)
    aliases: dict[str, str] = field(default_factory=dict)  # alias → command (k9s: pp → v1/pods)
    hotkeys: list[Hotkey] = field(default_factory=list)
    plugins: list[Plugin] = field(default_factory=list)
    keymap: Keymap = field(default_factory=Keymap)
    views: dict[str, ViewColumns] = field(default_factory=dict)  # views.yaml: view name → its columns
    warnings: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # what was read: "config" → its path
    persist: bool = False  # True: remember per-context state between runs (not in tests)
    config_skin: str | None = None  # config.yaml's skin: a context without its own goes back to it
    skin_pinned: bool = False  # --skin: it stays when the context changes
    config_read_only: bool = False  # config.yaml's readOnly: a context without its own goes back to it
    read_only_pinned: bool = False  # --readonly: every context is read-only
    write_pinned: bool = False  # --write: no context is (whatever the files say)
    # the config directory's aliases, hotkeys and plugins, before a context's own files join them
    # (``use_context``); None: no user files (tests)
    shared: tuple[dict[str, str], list[Hotkey], list[Plugin]] | None = None
    context_files: dict[str, Path] = field(default_factory=dict)  # the context's own files read

    def use_context(self, context: str, cluster: str) -> list[str]:
        """k9s's per-context files: ``aliases.yaml``, ``hotkeys.yaml`` and ``plugins.yaml`` in
        the context's folder (``clusters/<cluster>/<context>/``) join the config directory's
        (one of the same name replaces it) while that context is shown. A wrong one is skipped:
        the warnings to flash."""
        if self.shared is None:
            return []
        aliases, hotkeys, plugins = dict(self.shared[0]), list(self.shared[1]), list(self.shared[2])
        warnings: list[str] = []
        self.context_files = {}
        folder = locations.context_dir(context, cluster)
        if yamlfile.present(path := folder / "aliases.yaml"):
            try:
                aliases.update(aliases_file.load(path))
                self.context_files["aliases"] = path
            except K9pyError as err:
                warnings.append(skipped(err))
        if yamlfile.present(path := folder / "hotkeys.yaml"):
            try:
                own = hotkeys_file.load(path, aliases=aliases, keymap=self.keymap)
                names = {h.name for h in own}
                hotkeys = [h for h in hotkeys if h.name not in names] + own
                hotkeys_file.check_all(hotkeys, self.keymap)
                self.context_files["hotkeys"] = path
            except K9pyError as err:
                hotkeys = list(self.shared[1])
                warnings.append(skipped(err))
        if yamlfile.present(path := folder / "plugins.yaml"):
            try:
                plugins = plugins_file.merged(plugins, plugins_file.load(path, warnings))
                self.context_files["plugins"] = path
            except K9pyError as err:
                warnings.append(skipped(err))
        self.aliases, self.hotkeys, self.plugins = aliases, hotkeys, plugins
        return warnings


def load_user() -> UserConfig:
    """Read the user's files (missing ones are fine; a wrong one raises ConfigError)."""
    user = UserConfig(persist=True)
    if yamlfile.present(path := locations.config_file()):
        user.settings, user.files["config"] = settings_file.load(path), path
    if yamlfile.present(path := locations.aliases_file()):
        user.aliases, user.files["aliases"] = aliases_file.load(path), path
    if yamlfile.present(path := locations.keymap_file()):  # before the hotkeys: they must not take its keys
        user.keymap, user.files["keymap"] = keymap_file.load(path), path
    if yamlfile.present(path := locations.hotkeys_file()):
        user.hotkeys, user.files["hotkeys"] = hotkeys_file.load(path, aliases=user.aliases, keymap=user.keymap), path
    if yamlfile.present(path := locations.plugins_file()):
        user.plugins, user.files["plugins"] = plugins_file.load(path, user.warnings), path
    if yamlfile.present(path := locations.views_file()):
        user.views, user.files["views"] = views_file.load(path, user.warnings), path
    for path in plugin_folder_files():  # after plugins.yaml, as k9s: one of the same name wins
        try:
            folder_plugins = plugins_file.load(path, user.warnings, folder=True)
        except ConfigError as err:  # one bad file dropped in: the others still load (k9s logs it)
            user.warnings.append(skipped(err))
            continue
        user.plugins = plugins_file.merged(user.plugins, folder_plugins)
    user.shared = (dict(user.aliases), list(user.hotkeys), list(user.plugins))
    return user


def skipped(err: K9pyError) -> str:
    """The warning for a file that is wrong and not read (one in the plugins folder, a context's
    own): the others are."""
    return f"{err}: file skipped"


def plugin_folder_files(folder: Path | None = None) -> list[Path]:
    """The YAML files of the plugins folders (and their folders; ``folder``: that one's), each
    folder's by name, the folders in k9s's order (``locations.plugins_dirs``)."""
    out: list[Path] = []
    for where in [folder] if folder is not None else locations.plugins_dirs():
        if where.is_dir():
            out += sorted(p for p in where.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return out
