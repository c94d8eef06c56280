"""`y` YAML: kubectl's -o yaml text, managedFields toggle (`m`), Secret masking and `x` decode."""

from k9py.backends.sim import SimBackend
from k9py.kube.meta import deep_copy
from k9py.ui.app import K9pyApp
from k9py.ui.screens.yaml_view import YamlScreen
from k9py.view.yaml_text import MASK, to_yaml
from tests.samples import small_cluster
from tests.ui.simcluster import border_text, command, flash, goto, run, settle


async def open_yaml(app, pilot, name):
    await goto(app, pilot, name)
    await pilot.press("y")
    await settle(app, pilot)
    assert isinstance(app.screen, YamlScreen)
    return app.screen


def test_pod_yaml_managed_fields_toggle_and_live():
    async def s(app, pilot, cluster):
        pod = deep_copy(cluster.store.get("Pod", "default", "counter"))
        pod["metadata"]["managedFields"] = [{"manager": "kubectl-run", "operation": "Update", "apiVersion": "v1"}]
        cluster.store.update(pod)
        await settle(app, pilot)
        scr = await open_yaml(app, pilot, "counter")
        stored = cluster.store.get("Pod", "default", "counter")
        assert scr.lines == to_yaml(stored).rstrip("\n").split("\n")
        assert scr.lines[:3] == ["apiVersion: v1", "kind: Pod", "metadata:"]
        assert not any("managedFields" in ln for ln in scr.lines)
        await pilot.press("m")
        assert "  managedFields:" in scr.lines and "  - apiVersion: v1" in scr.lines
        assert "managedFields" in border_text(scr.query_one("#viewer-box"))
        await pilot.press("m")
        assert "  managedFields:" not in scr.lines
        # live: a label added shows up
        cluster.store.mutate("Pod", "default", "counter", lambda p: p["metadata"].setdefault("labels", {}).update(tier="web"))
        await settle(app, pilot)
        assert "    tier: web" in scr.lines
        await pilot.press("x")
        assert "decodes Secrets only" in flash(app)
        # keys are coloured, text is never markup
        line = scr._line(scr.lines.index("kind: Pod"))
        assert line.plain == "kind: Pod" and str(line.spans[0].style) == "#4682b4"
    run(s)


def test_secret_masked_until_decoded(tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "k9py"))  # ctrl-s: tmp_path/k9py/screens

    async def s(app, pilot, cluster):
        await command(app, pilot, "sec")
        scr = await open_yaml(app, pilot, "app-secret")
        assert f"  password: '{MASK}'" in scr.lines
        assert not any("czNjcjN0" in ln or "s3cr3t" in ln for ln in scr.lines)
        await pilot.press("c")
        assert "czNjcjN0" not in app.clipboard and MASK in app.clipboard  # copies what is shown
        await pilot.press("x")
        assert "  password: s3cr3t" in scr.lines and "decoded" in flash(app)
        await pilot.press("ctrl+s")
        assert scr.saved_path.suffix == ".yaml" and "s3cr3t" in scr.saved_path.read_text()
        await pilot.press("x")
        assert f"  password: '{MASK}'" in scr.lines
        await pilot.press("slash", *"password", "enter")
        assert scr.matches and scr.lines[scr.matches[0][0]].startswith("  password")
        await pilot.press("escape", "escape")
        assert app.screen is app.screen_stack[0]
    run(s)


def test_yaml_secret_snapshot(snap_compare):
    async def run_before(pilot):
        app = pilot.app
        await app.pump()
        await pilot.pause()
        await pilot.press("colon", *"sec", "enter")
        await app.pump()
        await pilot.pause()
        await pilot.press("y")
        await app.pump()
        await pilot.pause()

    assert snap_compare(K9pyApp(SimBackend(small_cluster()), manual=True), terminal_size=(160, 45),
                        run_before=run_before)


def test_a_yaml_or_describe_view_is_filled_once_as_it_mounts():
    """Textual runs every class's on_mount: the subclasses that also called their base's filled
    the view twice, and the YAML view watched its object twice (each change read twice)."""
    async def s(app, pilot, cluster):
        scr = await open_yaml(app, pilot, "counter")
        assert len(scr._subs) == 1
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        assert [sub.kind for sub in app.screen._subs] == ["Pod", "Event"]  # (its events: describe's own)
    run(s)
