"""`e` as kubectl edit, driven through the app with an $EDITOR script: a save after another
client changed the object, a YAML error re-opened on the user's text at the right line, a
rename refused."""

import os
import re
import textwrap

import pytest

from k9py.backends.sim import SimBackend
from k9py.kube import meta
from k9py.ui.app import K9pyApp
from k9py.ui.screens import actions
from k9py.ui.screens.dialogs import ConfirmScreen
from tests.ui.simcluster import command, flash, run, settle, sim_cluster
from tests.ui.test_actions import NGINX, editor

EDITED = f"deployments default/{NGINX} edited"


def steps(tmp_path, *bodies):
    """An $EDITOR that runs ``bodies[i]`` (on ``t``, the file's text) the i-th time it opens;
    what it saw is kept in ``seen-<i>.yaml`` for the test to read."""
    code = ("n = pathlib.Path(__file__).with_suffix('.n')\n"
            "i = int(n.read_text()) if n.exists() else 0\n"
            "n.write_text(str(i + 1))\n"
            "pathlib.Path(__file__).with_name(f'seen-{i}.yaml').write_text(t)\n")
    for i, body in enumerate(bodies):
        code += f"if i == {i}:\n{textwrap.indent(body, '    ')}\n"
    code += f"assert i < {len(bodies)}, 'the editor opened too often'\n"
    return editor(tmp_path, code)


def another_client(cluster, **labels):
    """A write from elsewhere (through the apiserver's door): scale to 5, add labels."""
    dep = meta.deep_copy(cluster.store.get("Deployment", "default", NGINX))
    dep["spec"]["replicas"] = 5
    dep["metadata"].setdefault("labels", {}).update(labels)
    cluster.replace(dep)


async def edit(app, pilot):
    await command(app, pilot, "deploy")
    await pilot.press("e")
    await settle(app, pilot)
    await settle(app, pilot)


def test_save_after_another_client_changed_the_object(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBE_EDITOR", steps(tmp_path, "t = t.replace('image: nginx:1.14.2', 'image: nginx:1.16')"))

    async def s(app, pilot, cluster):
        real = actions.run_editor

        def meanwhile(app_, text, suffix=".yaml"):
            saved = real(app_, text, suffix)
            another_client(cluster, team="web")  # while the editor was open
            return saved

        monkeypatch.setattr(actions, "run_editor", meanwhile)
        before = cluster.store.get("Deployment", "default", NGINX)["metadata"]["resourceVersion"]
        await edit(app, pilot)
        assert flash(app) == EDITED and not isinstance(app.screen, ConfirmScreen)
        dep = cluster.store.get("Deployment", "default", NGINX)
        assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.16"  # ours
        assert dep["spec"]["replicas"] == 5 and dep["metadata"]["labels"]["team"] == "web"  # theirs, kept
        assert f'resourceVersion: "{before}"' in (tmp_path / "seen-0.yaml").read_text()
    run(s)


def test_yaml_error_reopens_the_users_text_at_the_right_line(tmp_path, monkeypatch):
    first = ("t = t.replace('image: nginx:1.14.2', 'image: nginx:1.16')"
             ".replace('  replicas: 2\\n', '  replicas 2\\n')")
    second = "t = t.replace('  replicas 2\\n', '  replicas: 3\\n')"
    monkeypatch.setenv("KUBE_EDITOR", steps(tmp_path, first, second))

    async def s(app, pilot, cluster):
        await edit(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        message = flash(app)
        assert message.startswith("The edited file had a syntax error: yaml: line ")
        line = int(re.search(r"yaml: line (\d+):", message)[1])
        another_client(cluster)  # while the dialog is up: no conflict on the next save either
        await pilot.press("y")
        await settle(app, pilot)
        await settle(app, pilot)
        reopened = (tmp_path / "seen-1.yaml").read_text()
        assert reopened.startswith("# Please edit the object below.")
        assert f"# {message}\n#\n" in reopened
        assert reopened.split("\n")[line - 1] == "  replicas 2"  # the line named is the faulty one
        assert "image: nginx:1.16" in reopened  # the user's text, not the original
        assert flash(app) == EDITED
        dep = cluster.store.get("Deployment", "default", NGINX)
        assert dep["spec"]["replicas"] == 3 and dep["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.16"
    run(s)


def test_rename_is_refused_and_reopened(tmp_path, monkeypatch):
    first = f"t = t.replace('  name: {NGINX}\\n', '  name: renamed\\n', 1)"
    second = f"t = t.replace('  name: renamed\\n', '  name: {NGINX}\\n', 1).replace('replicas: 2', 'replicas: 3', 1)"
    monkeypatch.setenv("KUBE_EDITOR", steps(tmp_path, first, second))

    async def s(app, pilot, cluster):
        await edit(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert flash(app) == "At least one of apiVersion, kind and name was changed"
        await pilot.press("y")
        await settle(app, pilot)
        await settle(app, pilot)
        reopened = (tmp_path / "seen-1.yaml").read_text()
        assert "#\n# At least one of apiVersion, kind and name was changed\n#\n" in reopened
        assert "  name: renamed\n" in reopened
        assert flash(app) == EDITED
        assert cluster.store.get("Deployment", "default", NGINX)["spec"]["replicas"] == 3
        assert cluster.store.get("Deployment", "default", "renamed") is None
    run(s)


def test_metadata_emptied_is_refused_and_reopened_not_a_crash(tmp_path, monkeypatch):
    """A save whose metadata: lost its fields (or became a string) ended the app in an
    AttributeError, the user's edit with it."""
    first = "t = t.replace('\\nmetadata:\\n', '\\nmetadata:\\nwas:\\n', 1).replace('replicas: 2', 'replicas: 3', 1)"
    second = "t = t.replace('\\nmetadata:\\nwas:\\n', '\\nmetadata:\\n', 1)"
    monkeypatch.setenv("KUBE_EDITOR", steps(tmp_path, first, second))

    async def s(app, pilot, cluster):
        await edit(app, pilot)
        assert app.is_running and isinstance(app.screen, ConfirmScreen)
        assert flash(app) == "At least one of apiVersion, kind and name was changed"
        await pilot.press("y")
        await settle(app, pilot)
        await settle(app, pilot)
        assert "\nmetadata:\nwas:\n" in (tmp_path / "seen-1.yaml").read_text()  # the user's text
        assert flash(app) == EDITED
        assert cluster.store.get("Deployment", "default", NGINX)["spec"]["replicas"] == 3
    run(s)


def test_unchanged_reopen_cancels(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBE_EDITOR", steps(tmp_path, "t = t.replace('kind: Deployment', 'kind: Pod')", "pass"))

    async def s(app, pilot, cluster):
        await edit(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        await settle(app, pilot)
        assert flash(app) == "Edit cancelled, no valid changes were saved."
        assert not isinstance(app.screen, ConfirmScreen)
    run(s)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
def test_edit_failed_dialog_snapshot(snap_compare, tmp_path, monkeypatch, size):
    """The dialog a refused edit opens (a rename), over the deployments table."""
    monkeypatch.setenv("KUBE_EDITOR", steps(tmp_path, f"t = t.replace('  name: {NGINX}\\n', '  name: renamed\\n', 1)"))

    async def before(pilot):
        app = pilot.app
        await settle(app, pilot)
        await edit(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)

    assert snap_compare(K9pyApp(SimBackend(sim_cluster()), manual=True), terminal_size=size, run_before=before)


def test_an_editor_that_cannot_start_is_a_flash_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBE_EDITOR", str(tmp_path / "no-such-editor"))

    async def s(app, pilot, cluster):
        before = cluster.store.get("Deployment", "default", NGINX)["metadata"]["resourceVersion"]
        await edit(app, pilot)
        assert flash(app) == (f"edit: cannot start the editor '{tmp_path / 'no-such-editor'}': "
                              "No such file or directory (KUBE_EDITOR or EDITOR names it)")
        assert app.is_running and app.screen is app.screen_stack[0]
        assert cluster.store.get("Deployment", "default", NGINX)["metadata"]["resourceVersion"] == before
        await command(app, pilot, "pods")  # and it goes on
        assert app.model is not None and app.model.view.name == "pods"
    run(s)


def test_an_editor_setting_that_is_no_command_line_is_a_flash(monkeypatch):
    monkeypatch.setenv("KUBE_EDITOR", "vim '")  # an unclosed quote

    async def s(app, pilot, cluster):
        await edit(app, pilot)
        assert flash(app) == "edit: the editor \"vim '\" (KUBE_EDITOR or EDITOR) cannot be read: No closing quotation"
        assert app.is_running and len(app.screen_stack) == 1
    run(s)


def test_an_editor_saving_latin_1_reopens_the_text_as_utf_8(tmp_path, monkeypatch):
    """An editor set to Latin-1 (or a Windows code page) saved `café`: reading it as UTF-8 ended
    the app in a UnicodeDecodeError, the edit lost. As kubectl edit with a file go-yaml cannot
    read, the text comes back in the editor (as UTF-8 now) with the error on top; saving it goes on."""
    first = ("p.write_bytes(t.replace('replicas: 2', 'replicas: 3 # caf\\xe9', 1).encode('latin-1'))\n"
             "raise SystemExit")
    monkeypatch.setenv("KUBE_EDITOR", steps(tmp_path, first, "pass"))

    async def s(app, pilot, cluster):
        await edit(app, pilot)
        assert isinstance(app.screen, ConfirmScreen) and app.is_running
        message = flash(app)
        line = int(re.search(r"yaml: line (\d+):", message)[1])
        assert message.endswith("invalid leading UTF-8 octet 0xe9 (save the file as UTF-8)")
        await pilot.press("y")
        await settle(app, pilot)
        await settle(app, pilot)
        reopened = (tmp_path / "seen-1.yaml").read_text(encoding="utf-8")
        assert reopened.split("\n")[line - 1] == "  replicas: 3 # café"  # the line named, in UTF-8
        assert flash(app) == EDITED
        assert cluster.store.get("Deployment", "default", NGINX)["spec"]["replicas"] == 3
    run(s)


@pytest.mark.parametrize("how, why", [("p.unlink()", "no such file or directory"),
                                      ("p.unlink(); p.mkdir()", "is a directory")])
def test_an_editor_that_leaves_no_file_is_a_flash_not_a_crash(tmp_path, monkeypatch, how, why):
    """The editor deleted the file (or put a folder in its place): reading it ended the app in a
    FileNotFoundError. It is kubectl's error in the flash and nothing is changed."""
    monkeypatch.setenv("KUBE_EDITOR", steps(tmp_path, how + "\nraise SystemExit"))

    async def s(app, pilot, cluster):
        await edit(app, pilot)
        message = flash(app)
        found = re.fullmatch(rf"edit: cannot read what the editor saved: open (\S+k9py-edit-\S+\.yaml): {why}: "
                             r"edit cancelled, no changes made", message)
        assert found, message
        if os.path.isdir(found[1]):
            os.rmdir(found[1])
        assert app.is_running and cluster.store.get("Deployment", "default", NGINX)["spec"]["replicas"] == 2
    run(s)


@pytest.mark.parametrize("viewer", ["d", "y"])
def test_e_in_describe_and_yaml_edits_the_object_shown_as_k9s(tmp_path, monkeypatch, viewer):
    monkeypatch.setenv("KUBE_EDITOR", steps(tmp_path, "t = t.replace('replicas: 2', 'replicas: 3')"))

    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        await pilot.press(viewer)
        await settle(app, pilot)
        shown = app.screen
        assert "<e>" in [h.label for h in shown.query_one("#key-menu").hints if shown.offers(h)]
        await pilot.press("e")
        await settle(app, pilot)
        await settle(app, pilot)
        assert cluster.store.get("Deployment", "default", NGINX)["spec"]["replicas"] == 3
        assert app.screen is shown  # back in the viewer, which shows the change live
    run(s)


def test_readonly_describe_offers_no_edit(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBE_EDITOR", steps(tmp_path))

    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        assert cluster.store.get("Deployment", "default", NGINX)["spec"]["replicas"] == 2
        assert not (tmp_path / "seen-0.yaml").exists()
    run(s, readonly=True)
