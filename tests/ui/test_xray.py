"""`:xray KIND [NS]` in the app: the tree, its keys (navigation, folding, goto, describe / YAML /
logs through the table's functions), its menu and `?`, live updates, read-only, snapshots."""

import pytest
from textual.binding import Binding
from textual.screen import Screen

from k9py.backends.sim import SimBackend
from k9py.kube.meta import deep_copy
from k9py.ui.app import K9pyApp
from k9py.ui.screens.describe import DescribeScreen
from k9py.ui.screens.help import HelpBody, HelpScreen
from k9py.ui.screens.logs import LogScreen
from k9py.ui.screens.xray import XrayScreen, XrayTree
from k9py.ui.screens.yaml_view import YamlScreen
from k9py.ui.widgets.menu import KeyMenu, hints_from_bindings
from tests.samples import small_cluster
from tests.sim.helpers import pod_manifest
from tests.ui.simcluster import border_text, command, flash, run, settle, sim_cluster


def texts(screen):
    tree = screen.xtree
    return [tree.line_text(i).plain.rstrip() for i in range(len(tree.lines))]


def labels(screen):
    return [h.label for h in screen.query_one("#key-menu", KeyMenu).hints]


async def to_line(pilot, screen, startswith):
    """Move the cursor with `j` / `k` to the first line whose text (after the guides) starts so."""
    target = next(i for i, t in enumerate(texts(screen)) if t.lstrip("│├└─▾▸ ").startswith(startswith))
    while screen.xtree.cursor != target:
        await pilot.press("j" if screen.xtree.cursor < target else "k")
    await pilot.pause()


async def open_xray(app, pilot, arg):
    await command(app, pilot, f"xray {arg}")
    assert isinstance(app.screen, XrayScreen)
    return app.screen


def test_xray_deployments_tree_keys_and_menu():
    async def s(app, pilot, cluster):
        screen = await open_xray(app, pilot, "dp")
        box = screen.query_one("#xray-box")
        assert border_text(box).strip() == "Xray-Deployments(default)[1]"
        lines = texts(screen)
        assert lines[:4] == ["▾ deployments(1)", "└─▾ namespace/default(1)",
                             "  └─▾ deployment/nginx-deployment(1) [2/2]",
                             lines[3]]
        assert lines[3].startswith("    └─▾ replicaset/nginx-deployment-") and lines[3].endswith("(2) [2/2]")
        assert lines[5] == "      │ ├── container/nginx" and lines[6] == "      │ └── serviceaccount/default"
        # the root: folding only
        assert labels(screen) == ["<space>", "<x>", "</>", "<esc>", "<?>"]
        await to_line(pilot, screen, "deployment/")
        assert labels(screen) == ["<enter>", "<space>", "<x>", "<d>", "<y>", "<l>", "<e>", "<ctrl-d>", "</>", "<esc>",
                                  "<?>"]
        await to_line(pilot, screen, "pod/")
        assert "<p>" in labels(screen)  # a pod has previous logs
        await pilot.press("space")  # fold the pod
        assert texts(screen)[4].startswith("      ├─▸ pod/") and len(texts(screen)) == len(lines) - 2
        await pilot.press("space")
        assert len(texts(screen)) == len(lines)
        await pilot.press("x")  # fold everything: the cursor goes to the nearest line still shown
        assert texts(screen) == ["▾ deployments(1)", "└─▸ namespace/default(1)"] and screen.xtree.cursor == 1
        await pilot.press("enter")  # enter on a namespace unfolds it
        assert texts(screen)[2] == "  └─▸ deployment/nginx-deployment(1) [2/2]"
        await pilot.press("x")
        assert len(texts(screen)) == len(lines)
        await pilot.press("G")
        assert screen.xtree.cursor == len(lines) - 1
        await pilot.press("g")
        assert screen.xtree.cursor == 0
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen_stack) == 1 and not screen.subs
    run(s)


def test_describe_yaml_and_logs_of_nodes_go_through_the_table_functions():
    async def s(app, pilot, cluster):
        screen = await open_xray(app, pilot, "po")
        await to_line(pilot, screen, "pod/counter")
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, DescribeScreen) and app.screen.title_text == "Describe(default/counter)"
        assert "Name:" in app.screen.lines[0]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, YamlScreen) and app.screen.title_text == "YAML(default/counter)"
        await pilot.press("escape")
        await pilot.press("l")  # one container: its logs straight away
        await settle(app, pilot)
        assert isinstance(app.screen, LogScreen) and app.screen.title_text == "Logs(default/counter:counter)"
        await pilot.press("escape")
        await pilot.pause()
        await to_line(pilot, screen, "container/sidecar")
        assert labels(screen) == ["<enter>", "<x>", "<y>", "<l>", "<p>", "<s>", "<a>", "</>", "<esc>", "<?>"]  # a container's verbs
        await pilot.press("l")
        await settle(app, pilot)
        assert app.screen.title_text == "Logs(default/web:sidecar)"
        await pilot.press("escape")
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen.title_text == "YAML(web/sidecar)" and any("image: busybox:1.36" in ln for ln in app.screen.lines)
        await pilot.press("escape")
        await to_line(pilot, screen, "serviceaccount/default")
        await pilot.press("d")
        await settle(app, pilot)
        assert app.screen.title_text == "Describe(default/default)"
    run(s)


def test_enter_goes_to_the_nodes_table_with_the_cursor_on_it():
    async def s(app, pilot, cluster):
        screen = await open_xray(app, pilot, "dp")
        await to_line(pilot, screen, "replicaset/")
        rs = screen.node.name
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(app.screen_stack) == 1 and app.title_text().startswith("replicasets(default)")
        assert app.table.cursor_key == ("default", rs)
        screen = await open_xray(app, pilot, "po")
        await to_line(pilot, screen, "container/sidecar")
        node = screen.node
        await pilot.press("enter")  # a container: its pod's containers view
        await settle(app, pilot)
        assert app.title_text().startswith(f"containers(default/{node.pod})")
        assert app.table.cursor_key == ("default", f"{node.pod}/{node.name}")
    run(s)


def test_the_tree_is_live_and_keeps_its_cursor():
    async def s(app, pilot, cluster):
        screen = await open_xray(app, pilot, "dp")
        await to_line(pilot, screen, "deployment/")
        builds = screen.builds
        d = deep_copy(cluster.get("Deployment", "default", "nginx-deployment"))
        d["spec"]["replicas"] = 3
        cluster.replace(d)
        await settle(app, pilot, 30)
        assert screen.builds > builds
        assert sum(t.lstrip("│├└─▾▸ ").startswith("pod/") for t in texts(screen)) == 3
        assert "deployment/nginx-deployment(1) [3/3]" in texts(screen)[screen.xtree.cursor]
        cluster.create(pod_manifest("needs-config", volumes=[{"name": "v", "configMap": {"name": "nope"}}]))
        await settle(app, pilot, 10)
        await pilot.press("escape")
        screen = await open_xray(app, pilot, "po")
        line = next(t for t in texts(screen) if "configmap/nope" in t)
        assert line.endswith("TOAST_REF")
        assert next(t for t in texts(screen) if "pod/needs-config" in t).endswith("TOAST")
    run(s)


def test_a_reference_that_comes_to_exist_is_no_longer_flagged_though_its_pod_did_not_change():
    """A rebuild takes the pods that did not change from the one before: not when what they
    refer to changed."""
    async def s(app, pilot, cluster):
        cluster.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot", "namespace": "default"},
                        "imagePullSecrets": [{"name": "regcred"}]})
        cluster.create(pod_manifest("puller", serviceAccountName="robot"))
        await settle(app, pilot, 10)
        screen = await open_xray(app, pilot, "po")
        assert next(t for t in texts(screen) if "secret/regcred" in t).endswith("TOAST_REF")
        pod = cluster.get("Pod", "default", "puller")
        builds = screen.builds
        cluster.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "regcred", "namespace": "default"},
                        "type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": "e30="}})
        await settle(app, pilot, 1)
        assert screen.builds > builds and cluster.get("Pod", "default", "puller") is pod  # the pod is as it was
        assert not next(t for t in texts(screen) if "secret/regcred" in t).endswith("TOAST_REF")
    run(s)


def test_a_big_first_build_is_made_in_a_thread_and_what_changed_meanwhile_is_built_after(monkeypatch):
    """30,000 pods: the first build took 2-3 s of the event loop. Past SCRATCH_BUILD_ON_LOOP_MAX
    objects it is made in a thread from a snapshot while the screen paints and takes keys; a
    change meanwhile to what a pod refers to is not lost: the tree is built again after it."""
    import threading

    from k9py.ui.screens import xray as xray_screen
    monkeypatch.setattr(xray_screen, "SCRATCH_BUILD_ON_LOOP_MAX", 0)  # however small
    release = threading.Event()
    real_build = xray_screen.model.build
    in_thread: list[bool] = []

    def held(*args, **kw):
        if threading.current_thread() is not threading.main_thread():
            in_thread.append(True)
            release.wait(30)
        return real_build(*args, **kw)
    monkeypatch.setattr(xray_screen.model, "build", held)

    async def s(app, pilot, cluster):
        cluster.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot", "namespace": "default"},
                        "imagePullSecrets": [{"name": "regcred"}]})
        cluster.create(pod_manifest("puller", serviceAccountName="robot"))
        await settle(app, pilot, 10)
        await command(app, pilot, "po")
        screen = await open_xray(app, pilot, "po")
        assert in_thread and "building the tree of" in str(screen.query_one("#xray-flash").render())
        assert border_text(screen.query_one("#xray-box")).strip() == "Xray-Pods(default)[0]"
        assert screen.xtree.lines == [] and screen.builds == 0
        await pilot.press("j", "j")  # keys meanwhile: nothing to move over yet, no error
        cluster.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "regcred", "namespace": "default"},
                        "type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": "e30="}})
        await settle(app, pilot, 1)
        assert screen.builds == 0
        release.set()
        for _ in range(300):
            if screen.builds >= 2:
                break
            await pilot.pause(0.01)
        await settle(app, pilot)
        assert screen.builds >= 2  # the thread's, then one with the secret
        assert not next(t for t in texts(screen) if "secret/regcred" in t).endswith("TOAST_REF")
        assert str(screen.query_one("#xray-flash").render()) == ""
    run(s)


def test_all_namespaces_and_bad_arguments():
    async def s(app, pilot, cluster):
        screen = await open_xray(app, pilot, "po all")
        assert [t for t in texts(screen) if "namespace/" in t] == ["├─▾ namespace/default(5)",
                                                                   "└─▾ namespace/kube-system(2)"]
        assert border_text(screen.query_one("#xray-box")).strip() == "Xray-Pods(all)[7]"
        await pilot.press("escape")
        await command(app, pilot, "xray")
        assert len(app.screen_stack) == 1 and flash(app).startswith("xray: which resource?")
        await command(app, pilot, "xray cm")
        assert len(app.screen_stack) == 1 and flash(app) == "xray: no tree for `cm` (one of dp|rs|sts|ds|job|cj|svc|po)"
    run(s, cluster=small_cluster())


def test_readonly_offers_nothing_mutating():
    async def s(app, pilot, cluster):
        screen = await open_xray(app, pilot, "dp")
        await to_line(pilot, screen, "deployment/")
        assert "<e>" not in labels(screen) and "<ctrl-d>" not in labels(screen) and "<d>" in labels(screen)
        await pilot.press("ctrl+d", "e")
        await pilot.pause()
        assert app.screen is screen
    run(s, readonly=True)


def test_delete_from_the_tree():
    async def s(app, pilot, cluster):
        screen = await open_xray(app, pilot, "po")
        await to_line(pilot, screen, "pod/counter")
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert "default/counter?" in str(app.screen.query_one(".dialog-message").render())
        await pilot.press("y")
        await settle(app, pilot, 40)
        assert cluster.store.get("Pod", "default", "counter") is None
        assert app.screen is screen and not any("pod/counter" in t for t in texts(screen))
    run(s)


def test_help_lists_the_menu_and_navigation_keys():
    async def s(app, pilot, cluster):
        screen = await open_xray(app, pilot, "dp")
        await to_line(pilot, screen, "deployment/")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        sections = dict(app.screen.query_one("#help-body", HelpBody).sections)
        assert sections["XRAY"] == screen.key_hints()
        assert sections["NAVIGATION"] == hints_from_bindings(XrayTree.BINDINGS)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
    run(s)


def test_every_hint_is_a_real_binding():
    hints = [h for _, hs in XrayScreen.binding_sections() for h in hs]
    merged = XrayScreen._merged_bindings.key_to_bindings
    for h in hints:
        for key in h.keys:
            assert any(b.action == h.action and b.description == h.description for b in merged[key]), (h, key)
    stock = {k for b in Screen.BINDINGS if isinstance(b, Binding) for k in b.key.split(",")}
    hinted = {k for h in hints for k in h.keys}
    assert {k for k, bs in merged.items() if any(b.description for b in bs)} - stock <= hinted
    assert any(h.label == "<?>" for h in hints)


# -- snapshots ----------------------------------------------------------------------------------------
def test_the_menu_keeps_its_height_but_no_blank_row_as_the_cursor_moves():
    """The menu keeps the rows of the node offering the most keys, so the tree does not jump; a
    node with fewer keys fills those rows in shorter columns (the root left two of them blank).
    (Its own menu: without k9s's header, ctrl-e, whose menu says the keys instead.)"""
    async def s(app, pilot, cluster):
        await pilot.press("ctrl+e")
        screen = await open_xray(app, pilot, "dp")
        menu = screen.query_one("#key-menu", KeyMenu)
        tree_top = screen.query_one("#xray-box").region.y
        for line in ("deployments", "namespace/", "deployment/", "pod/", "container/"):
            await to_line(pilot, screen, line)
            await pilot.pause()
            rows = menu.render().plain.split("\n")
            assert len(rows) == menu.region.height and all(r.strip() for r in rows), (line, rows)
            assert screen.query_one("#xray-box").region.y == tree_top, line
            assert [h.label for h in menu.shown()] == labels(screen), line  # every key still shows
    run(s)


def xray_cluster():
    c = sim_cluster()
    c.create(pod_manifest("broken", "busybox:1.36", command=["/bin/sh", "-c", "exit 1"]))
    c.create(pod_manifest("needs-config", volumes=[{"name": "v", "configMap": {"name": "app-config"}}]))
    c.advance(60)
    return c


@pytest.mark.parametrize("size", [(160, 45), (80, 24)], ids=["160x45", "80x24"])
def test_xray_snapshot(snap_compare, size):
    """Pods by namespace, status coloured: a crash loop and a missing configmap are TOAST."""
    async def before(pilot):
        app = pilot.app
        await settle(app, pilot)
        await pilot.press("colon", *"xray po", "enter")
        await settle(app, pilot)
        await pilot.press("j", "j", "j")
        await pilot.pause()

    assert snap_compare(K9pyApp(SimBackend(xray_cluster()), manual=True), terminal_size=size, run_before=before)


def test_keys_typed_behind_goto_reach_the_view_below():
    """enter on a ReplicaSet, then `:po⏎` typed at once: the pods view opens (the keys used to
    reach the xray screen still on the stack, and were lost)."""
    from tests.ui.test_typeahead import burst

    async def s(app, pilot, cluster):
        screen = await open_xray(app, pilot, "dp")
        await to_line(pilot, screen, "replicaset/")
        burst(app, "\r:po\r")
        for _ in range(50):  # a burst takes a few rounds to go through
            await settle(app, pilot)
            if app.title_text().startswith("pods("):
                break
        assert len(app.screen_stack) == 1 and app.title_text().startswith("pods(default)"), app.title_text()
        assert not app.prompt.display
    run(s)


def test_slash_filters_the_tree_and_esc_clears_it():
    """k9s's xray `/`: the nodes it finds (a regex, any case), their subtrees and the way to
    them; the tree keeps filtering as it is rebuilt; esc clears it, esc again leaves."""
    async def s(app, pilot, cluster):
        screen = await open_xray(app, pilot, "po")
        every = texts(screen)
        assert any("pod/web" in t for t in every) and any("pod/counter" in t for t in every)
        await pilot.press("slash", *"COUNTER", "enter")
        await pilot.pause()
        lines = texts(screen)
        assert [t.lstrip("│├└─▾▸ ") for t in lines[:3]] == ["pods(1)", "namespace/default(1)", "pod/counter(2) [1/1]"]
        assert any("container/" in t for t in lines) and not any("pod/web" in t for t in lines)
        assert border_text(screen.query_one("#xray-box")).strip() == "Xray-Pods(default)[1] </COUNTER>"
        cluster.create(pod_manifest("counter-two"))
        await settle(app, pilot, 10)
        assert any("pod/counter-two" in t for t in texts(screen)) and not any("pod/web" in t for t in texts(screen))
        await pilot.press("slash", *"nothing-such", "enter")
        await pilot.pause()
        assert [t.strip() for t in texts(screen)] == ["pods"] and "nothing matches" in screen.query_one("#xray-flash").render().plain
        await pilot.press("escape")  # the filter clears
        await pilot.pause()
        assert len(texts(screen)) == len(every) + 3 and isinstance(app.screen, XrayScreen)  # counter-two, its container, its SA
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen_stack) == 1
    run(s)


def test_s_and_a_on_a_pod_or_container_open_its_shell_or_attach_as_k9s_xray():
    async def s(app, pilot, cluster):
        calls = []
        app.shells.start = lambda view, row, attach=False, xray=False: calls.append((view.name, row.key, attach))
        screen = await open_xray(app, pilot, "po")
        await to_line(pilot, screen, "pod/counter")
        assert {"<s>", "<a>"} <= set(labels(screen))
        await pilot.press("s")
        await to_line(pilot, screen, "container/sidecar")
        await pilot.press("a")
        await to_line(pilot, screen, "serviceaccount/default")
        assert "<s>" not in labels(screen)
        await pilot.press("s")  # nothing to shell into
        assert calls == [("pods", ("default", "counter"), False), ("containers", ("default", "web/sidecar"), True)]
    run(s)


def test_a_on_a_pod_not_running_in_xray_says_running_state_as_k9s_xray():
    """k9s's xray refuses s and a on a pod that is not Running in one wording ("is not in a running
    state"; its pods view's a says "happy state")."""
    from tests.sim.helpers import pod_manifest

    async def s(app, pilot, cluster):
        cluster.create(pod_manifest("typo", "nginx:1.14.22"))
        await settle(app, pilot, 10)
        screen = await open_xray(app, pilot, "po")
        await to_line(pilot, screen, "pod/typo")
        await pilot.press("a")
        await settle(app, pilot)
        assert flash(app) == "default/typo is not in a running state"
    run(s)


def test_readonly_xray_offers_no_shell():
    async def s(app, pilot, cluster):
        screen = await open_xray(app, pilot, "po")
        await to_line(pilot, screen, "pod/counter")
        assert "<s>" not in labels(screen) and "<a>" not in labels(screen)
    run(s, readonly=True)


def test_cursor_keys_typed_behind_the_command_move_the_first_tree():
    """`:xray dp⏎jjj` in one burst, as k9s users type: every `j` counts, the first one too (it
    used to come before the first tree was built and was lost)."""
    from tests.ui.test_typeahead import burst

    async def s(app, pilot, cluster):
        burst(app, ":xray dp\rjjj")
        for _ in range(50):
            await settle(app, pilot)
            if isinstance(app.screen, XrayScreen) and app.screen.xtree.lines:
                break
        screen = app.screen
        assert isinstance(screen, XrayScreen)
        assert screen.xtree.cursor == 3
        assert texts(screen)[3].lstrip("│├└─▾▸ ").startswith("replicaset/nginx-deployment-")
    run(s)
