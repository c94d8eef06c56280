"""The user's files: settings (config.yaml), skins, aliases, hotkeys, plugins and keymap, read
from the config directory (``locations``), validated with the line of every problem, and handed to
the explorer and the UI as plain dataclasses. Nothing here knows Textual."""
