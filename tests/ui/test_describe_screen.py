"""`d` describe: kubectl's text, live while open, search / copy / save / full screen / back."""

import pytest

from k9py.backends.sim import SimBackend
from k9py.kube.meta import deep_copy
from k9py.ui.app import K9pyApp
from k9py.ui.screens.describe import DescribeScreen
from k9py.view.describe import describe
from tests.samples import small_cluster
from tests.ui.simcluster import border_text, command, flash, goto, run, settle


async def open_describe(app, pilot, name):
    await goto(app, pilot, name)
    await pilot.press("d")
    await settle(app, pilot)
    assert isinstance(app.screen, DescribeScreen)
    return app.screen


def test_describe_pod_is_kubectls_text_with_its_events():
    async def s(app, pilot, cluster):
        pod = next(p for p in cluster.store.list("Pod", "default") if p["metadata"]["name"].startswith("nginx-"))
        name = pod["metadata"]["name"]
        scr = await open_describe(app, pilot, name)
        expected = describe(cluster.store.get("Pod", "default", name), events=cluster.store.list("Event", "default"),
                            now=cluster.now(), related=lambda k, ns: cluster.store.list(k, ns or None))
        assert scr.lines == expected.rstrip("\n").split("\n")
        assert scr.lines[0].split() == ["Name:", name]
        events = scr.lines[scr.lines.index("Events:"):]
        assert events[1].split() == ["Type", "Reason", "Age", "From", "Message"]
        assert any(" Scheduled " in ln and f"Successfully assigned default/{name} to" in ln for ln in events)
        assert any(" Started " in ln and "spec.containers{nginx}: Container started" in ln for ln in events)
        assert border_text(scr.query_one("#viewer-box")).strip() == f"Describe(default/{name})"
    run(s)


def test_describe_refreshes_live():
    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        scr = await open_describe(app, pilot, "nginx-deployment")
        replicas = next(ln for ln in scr.lines if ln.startswith("Replicas:"))
        assert replicas.split()[1:3] == ["2", "desired"]
        dep = deep_copy(cluster.get("Deployment", "default", "nginx-deployment"))
        dep["spec"]["replicas"] = 4
        cluster.replace(dep)
        await settle(app, pilot, 5)
        assert next(ln for ln in scr.lines if ln.startswith("Replicas:")).split()[1:3] == ["4", "desired"]
        assert any("Scaled up replica set nginx-deployment-" in ln and "from 2 to 4" in ln for ln in scr.lines)
        cluster.delete("Deployment", "default", "nginx-deployment")
        await settle(app, pilot)
        assert scr.lines[0] == "<Deployment nginx-deployment was deleted>"
    run(s)


def test_r_holds_the_text_still_and_r_again_shows_what_changed_as_k9s_auto_refresh():
    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        scr = await open_describe(app, pilot, "nginx-deployment")
        await pilot.press("r")
        assert "[paused]" in border_text(scr.query_one("#viewer-box"))
        dep = deep_copy(cluster.get("Deployment", "default", "nginx-deployment"))
        dep["spec"]["replicas"] = 4
        cluster.replace(dep)
        await settle(app, pilot, 5)
        assert next(ln for ln in scr.lines if ln.startswith("Replicas:")).split()[1:3] == ["2", "desired"]
        await pilot.press("r")
        assert "[paused]" not in border_text(scr.query_one("#viewer-box"))
        assert next(ln for ln in scr.lines if ln.startswith("Replicas:")).split()[1:3] == ["4", "desired"]
    run(s)


def test_describe_node_lists_its_pods():
    async def s(app, pilot, cluster):
        await command(app, pilot, "no")
        node = app.table.cursor_key[1]
        scr = await open_describe(app, pilot, node)
        await settle(app, pilot)  # the related pods' watch syncs, the text follows
        i = next(i for i, ln in enumerate(scr.lines) if ln.startswith("Non-terminated Pods:"))
        on_node = [p["metadata"]["name"] for p in cluster.store.list("Pod") if p["spec"].get("nodeName") == node]
        assert f"({len(on_node)} in total)" in scr.lines[i]
        listed = " ".join(scr.lines[i:i + len(on_node) + 3])
        assert all(name in listed for name in on_node)
    run(s)


def test_search_copy_save_fullscreen_back(tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "k9py"))  # ctrl-s: tmp_path/k9py/screens

    async def s(app, pilot, cluster):
        scr = await open_describe(app, pilot, "counter")
        await pilot.press("slash", *"ready", "enter")
        await pilot.pause()
        hits = [i for i, ln in enumerate(scr.lines) if "ready" in ln.lower()]
        assert len(hits) >= 3 and scr.match_index == 0 and scr.matches[0][0] == hits[0]
        assert flash(app) == f"match 1 of {len(scr.matches)}"
        await pilot.press("n")
        assert scr.match_index == 1
        await pilot.press("N", "N")
        assert scr.match_index == len(scr.matches) - 1  # wraps around
        line = scr._line(scr.matches[-1][0])
        assert any(sp.start == scr.matches[-1][1] for sp in line.spans)  # highlighted
        await pilot.press("c")
        assert app.clipboard == "\n".join(scr.lines) + "\n" and "copied to clipboard" in flash(app)
        await pilot.press("ctrl+s")
        path = scr.saved_path
        assert path.read_text() == app.clipboard and str(path) in flash(app)
        assert path.parent == tmp_path / "k9py" / "screens" / "k9py-sim" / "k9py-sim"  # k9s's <cluster>/<context>
        assert path.name.startswith("describe-pod-default-counter-") and path.suffix == ".txt"
        await pilot.press("f")
        assert scr.has_class("fullscreen")
        await pilot.press("f")
        assert not scr.has_class("fullscreen")
        await pilot.press("escape")  # clears the search first
        assert scr.search_text == "" and app.screen is scr
        await pilot.press("q")
        assert app.screen is app.screen_stack[0] and app.title_text().startswith("pods(default)")
        # the app's keys do not leak into the viewer
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("0")
        assert app.screen.__class__ is DescribeScreen and app.title_text() == "pods(default)[4]"
        await pilot.press("colon")  # a command, as from any k9s view: the prompt over the describe
        own = app.screen.query_one("#screen-prompt")
        assert app.screen.__class__ is DescribeScreen and own.display and own.mode == "command"
    run(s)


def small_app():
    return K9pyApp(SimBackend(small_cluster()), manual=True)


def before(*commands, name=None):
    async def run_before(pilot):
        app = pilot.app
        await app.pump()
        await pilot.pause()
        for c in commands:
            await pilot.press("colon", *c, "enter")
            await app.pump()
            await pilot.pause()
        if name:
            m = app.model
            app.table.move_to([m.row_at(i).key[1] for i in range(len(m))].index(name))
        await pilot.press("d")
        for _ in range(3):
            await app.pump()
            await pilot.pause()
    return run_before


@pytest.mark.parametrize("command,name", [("pods", "nginx-deployment-77d8468669-2xq7v"), ("deploy", None),
                                          ("no", "minikube-m02"), ("pv", None)])
def test_describe_snapshot(snap_compare, command, name):
    assert snap_compare(small_app(), terminal_size=(160, 45), run_before=before(command, name=name))


def test_describe_snapshot_80x24(snap_compare):
    """At 80 columns the key menu takes three rows and still shows every key."""
    assert snap_compare(small_app(), terminal_size=(80, 24),
                        run_before=before("pods", name="nginx-deployment-77d8468669-2xq7v"))


def test_ui_defaults_to_full_screen_opens_describe_yaml_and_logs_full_screen():
    """k9s's ui.defaultsToFullScreen: the text views open without menu and status; `f` gives them back."""
    from k9py.config.settings import UI, Settings
    from k9py.config.user import UserConfig

    async def s(app, pilot, cluster):
        scr = await open_describe(app, pilot, "counter")
        assert scr.has_class("fullscreen") and not scr.query_one("#key-menu").display
        await pilot.press("f")
        assert not scr.has_class("fullscreen")
        await pilot.press("escape")
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen.has_class("fullscreen")
        await pilot.press("escape")
        await pilot.press("l")
        await settle(app, pilot)
        assert app.screen.full_screen and not app.screen.query_one("#viewer-status").display
    run(s, user=UserConfig(settings=Settings(ui=UI(defaults_to_full_screen=True))))


def test_a_wide_line_does_not_scroll_a_text_off_its_first_line():
    """A describe one line longer than the view once a wide line brought the horizontal scroll
    bar opened scrolled down a line: its `Name:` line was out of sight (the bar's rule that keeps a
    log's newest line above it moved every view that fitted). A text at its top stays there; a
    log's body still keeps its newest line in sight."""
    import asyncio

    from rich.text import Text
    from textual.app import App

    from k9py.ui.screens.logs import LogLinesView
    from k9py.ui.screens.viewer import LinesView

    async def first_line_after_the_bar(cls) -> int:
        body = cls(lambda i: Text(f"line {i}"))

        class Box(App):
            def compose(self):
                yield body

        async with Box().run_test(size=(40, 10)) as pilot:
            body.set_count(10, 20)  # fits: no scroll bar
            await pilot.pause()
            assert body.top == 0 and not body.show_horizontal_scrollbar
            body.set_count(10, 100)  # a wide line: the bar takes a row
            await pilot.pause()
            await pilot.pause()
            assert body.show_horizontal_scrollbar
            return body.top

    assert asyncio.run(first_line_after_the_bar(LinesView)) == 0
    assert asyncio.run(first_line_after_the_bar(LogLinesView)) == 1


def test_ctrl_s_saves_an_object_named_at_length_in_a_context_named_at_length(tmp_path):
    """A 253-character pod's describe (with the time and the suffix: over the file system's 255
    bytes) or a context named past 255 bytes: ctrl-s said "save failed: File name too long". Both
    are shortened, the first 200 bytes and a digest kept, two saves in a second still apart."""
    from k9py.ui.screens.viewer import save_text

    name, context = "describe-default-" + "p" * 253, "ctx-" + "c" * 300
    first = save_text(tmp_path, context, name, ".txt", "one", now=0)
    second = save_text(tmp_path, context, name, ".txt", "two", now=0)
    assert first != second and (first.read_text(), second.read_text()) == ("one", "two")
    for path in (first, second):
        assert all(len(part.encode()) <= 255 for part in path.parts) and path.name.startswith("describe-default-ppp")
        assert path.parent.name.startswith("ctx-ccc") and path.name.endswith(".txt")
    assert save_text(tmp_path, "ctx", "pods", ".txt", "x", now=0).name == "pods-19700101000000.txt"


def test_ctrl_s_saves_in_k9s_s_cluster_and_context_folders(tmp_path):
    """k9s saves a context's dumps in <screenDumpDir>/<cluster>/<context> (``[:/]`` runs made
    ``-``, so an EKS ARN is one folder): a k9s user's dumps and k9py's sit side by side."""
    from k9py.ui.screens.viewer import save_text

    arn = "arn:aws:eks:eu-west-1:123456789012:cluster/prod"
    path = save_text(tmp_path, arn, "pods-default", ".csv", "x", now=0, cluster=arn)
    folder = "arn-aws-eks-eu-west-1-123456789012-cluster-prod"
    assert path.relative_to(tmp_path).parts == (folder, folder, "pods-default-19700101000000.csv")
    assert save_text(tmp_path, "..", "x", ".txt", "y", now=0, cluster="..").parent == tmp_path / "_" / "_"
