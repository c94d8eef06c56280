"""The pushed screens whose keys keymap.yaml moves (``KeyedScreen.KEY_SCOPE``, one of
``config.keymap.SCREENS``), and the reference of their ids that docs/keys.md holds (a test keeps
it equal). Imported by the tests and the docs, never at start-up."""

from __future__ import annotations

from k9py.config import keymap as keymap_file
from k9py.config.keys import label
from k9py.ui.screens.benchmarks import BenchmarksScreen, ReportViewer
from k9py.ui.screens.describe import DescribeScreen
from k9py.ui.screens.helm import ValuesScreen
from k9py.ui.screens.help import AliasesScreen, HelpScreen, KeyedScreen
from k9py.ui.screens.logs import LogScreen
from k9py.ui.screens.manifests import DirScreen
from k9py.ui.screens.portforwards import PortForwardsScreen
from k9py.ui.screens.pulses import PulsesScreen
from k9py.ui.screens.rbac import RbacScreen
from k9py.ui.screens.references import References
from k9py.ui.screens.screendumps import DumpViewer, ScreenDumps
from k9py.ui.screens.timeline_view import TimelineView
from k9py.ui.screens.viewer import ViewerScreen
from k9py.ui.screens.xray import XrayScreen
from k9py.ui.screens.yaml_view import YamlScreen

SCREENS: tuple[type[KeyedScreen], ...] = (
    ViewerScreen, DescribeScreen, DumpViewer, YamlScreen, ValuesScreen, LogScreen, RbacScreen, XrayScreen, PulsesScreen, ScreenDumps,
    DirScreen, References,
    PortForwardsScreen, BenchmarksScreen, ReportViewer, TimelineView, HelpScreen, AliasesScreen,
)


def ids_of(cls: type[KeyedScreen]) -> dict[str, str]:
    """Keymap id → what it does in ``cls`` (its first binding's description), with k9s's keys."""
    groups, body = cls.keyed_bindings()
    out: dict[str, str] = {}
    for b in [*(b for _, g in groups for b in g), *body]:
        if b.id:
            out.setdefault(b.id, b.description)
    return out


def reference() -> list[tuple[str, str, str, str]]:
    """(id, default keys, the screens it works in, what it does) for every pushed screen's own id."""
    what: dict[str, str] = {}
    for cls in SCREENS:
        for aid, description in ids_of(cls).items():
            what.setdefault(aid, description)
    out = []
    for aid, keys in keymap_file.SCREEN_ACTIONS.items():
        where = [s.label for s in keymap_file.SCREENS if aid in s.actions]
        places = "every screen" if len(where) == len(keymap_file.SCREENS) else ", ".join(where)
        out.append((aid, " ".join(label(k) for k in keys), places, what[aid]))
    return out


def reference_markdown() -> str:
    """The screens' ids as the Markdown tables docs/keys.md holds: their own ids, then what each
    screen shares with the views and the keys it keeps fixed."""
    lines = ["| id | default keys | screens | what it does |", "|---|---|---|---|"]
    for aid, keys, places, what in reference():
        lines.append(f"| `{aid}` | {' '.join(f'`{k}`' for k in keys.split(' '))} | {places} | {what} |")
    lines += ["", "| screen | the views' ids it honours | fixed keys |", "|---|---|---|"]
    for screen in keymap_file.SCREENS:
        shared = [a for a in screen.actions if a not in keymap_file.SCREEN_ACTIONS]
        fixed = ["<esc> (back)", *(f"{label(k)} ({a})" for k, a in screen.fixed.items())]
        lines.append(f"| {screen.label} | {', '.join(shared)} | {', '.join(f'`{f}`' for f in fixed)} |")
    return "\n".join(lines) + "\n"
