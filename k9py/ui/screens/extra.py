"""Views opened by `:` commands that are not resource tables: `:xray`, `:pulses`, `:timeline`,
`:screendump`, `:skins`, `:pf`, `:benchmarks`. Each is built by its own module; this one only routes (lazily, so start-up does
not import them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp


def open_request(app: K9pyApp, request: str, arg: str) -> None:
    if request == "timeline":
        from k9py.ui.screens.timeline_view import open_timeline
        open_timeline(app)
        return
    if request == "xray":
        open_xray(app, arg)
    elif request == "pulses":
        open_pulses(app, arg)
    elif request == "skins":
        from k9py.ui.screens.skins import open_skins
        open_skins(app, arg)
    elif request == "portforwards":
        from k9py.ui.screens.portforwards import PortForwardsScreen
        app.push_screen(PortForwardsScreen(app.session.forwards, benchmarks=app.session.benchmarks))
    elif request == "benchmarks":
        from k9py.ui.screens.benchmarks import BenchmarksScreen
        app.push_screen(BenchmarksScreen(app.port_forwards.benchmarks_dir()))
    elif request == "rbac":
        from k9py.ui.screens.rbac import RbacScreen
        kind, ns, name = arg.split("|", 2)
        app.push_screen(RbacScreen(kind, ns, name, session=app.session))
    elif request == "dir":
        from k9py.ui.screens.manifests import open_dir
        open_dir(app, arg)
    elif request == "screendumps":
        from k9py.ui.screens.screendumps import ScreenDumps
        from k9py.ui.screens.viewer import default_save_dir
        app.push_screen(ScreenDumps(default_save_dir(app)))
    else:
        app.flash(f"{request}: not available yet in k9py", "warn")


def _namespace(app: K9pyApp, ns: str | None) -> str:
    """An explicit namespace, else the one namespaced views open in ("" all)."""
    return app.navigator.active_namespace if ns is None else ns


def open_xray(app: K9pyApp, arg: str) -> None:
    """`:xray KIND [NS]`: the tree of KIND's objects in NS (the active namespace by default)."""
    from k9py.ui.screens.xray import XrayScreen
    from k9py.view import xray

    try:
        view, ns = xray.parse(arg, app.session.extra_aliases())
    except ValueError as err:
        app.flash(str(err), "error")
        return
    app.push_screen(XrayScreen(app.session, view, _namespace(app, ns)))


def open_pulses(app: K9pyApp, arg: str) -> None:
    """`:pulses [NS]`: the cluster at a glance, in NS (the active namespace by default)."""
    from k9py.ui.screens.pulses import PulsesScreen

    words = arg.split()
    ns = None if not words else "" if words[0] in ("-A", "all", "--all-namespaces") else words[0]
    app.push_screen(PulsesScreen(app.session, _namespace(app, ns)))
