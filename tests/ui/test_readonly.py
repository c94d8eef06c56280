"""Read-only hides what it refuses: no action key in the menu or `?`, none opens a dialog."""

import pytest

from k9py.explorer import keys
from k9py.view.kinds import BY_NAME
from tests.ui.conftest import sync

MUTATING_LABELS = {"<ctrl-d>", "<e>", "<ctrl-k>", "<s>", "<r>", "<i>", "<ctrl-l>", "<t>", "<a>", "<shift-f>"}


def header(app):
    return str(app.query_one("#header").render())


async def open_view(app, pilot, name):
    await pilot.press("colon", *name, "enter")
    await sync(app, pilot)


@pytest.mark.parametrize("view", ["pods", "deployments", "replicasets", "nodes", "cronjobs", "namespaces", "helm"])
def test_readonly_shows_and_opens_no_action(drive, view):
    async def s(app, pilot, cluster):
        await open_view(app, pilot, view)
        assert app.title_text().startswith(view)
        menu = header(app)
        assert "[readonly]" in menu
        refused = MUTATING_LABELS - ({"<r>"} if view == "helm" else set())  # helm's `r`: Releases, a view
        for label in refused | ({"<c>", "<u>"} if view == "nodes" else set()):
            assert f"{label} " not in menu, label
        await pilot.press("question_mark")
        await pilot.pause()
        body = str(app.screen.query_one("#help-body").render())
        for label in refused:
            assert f"{label} " not in body, label
        await pilot.press("escape")
        await pilot.pause()
        pressed = [k.key for k in keys.ROW_KEYS
                   if (v := keys.verb_for(BY_NAME[view], k.key)) is not None and v.mutating]
        assert pressed  # every view above has something to refuse
        for key in pressed:
            await pilot.press(key)
            await pilot.pause()
            assert len(app.screen_stack) == 1, key  # no dialog, no editor
            assert "read-only" in app.flash_text, key
    drive(s, readonly=True)


def test_without_readonly_the_same_keys_are_offered(drive):
    async def s(app, pilot, cluster):
        await open_view(app, pilot, "deploy")
        menu = header(app)
        for label in ("<ctrl-d>", "<e>", "<s>", "<r>", "<i>"):
            assert f"{label} " in menu, label
        await pilot.press("s")
        await pilot.pause()
        assert len(app.screen_stack) == 2  # the scale dialog
    drive(s)


def test_pod_keys_are_k9s(drive):
    async def s(app, pilot, cluster):
        await pilot.press("u")  # nothing on pods: no "uncordon: not available for pods"
        await pilot.pause()
        assert "uncordon" not in app.flash_text.lower()
        names = [app.model.row_at(i).key[1] for i in range(len(app.model))]
        app.table.move_to(names.index("counter"))
        await pilot.press("o")  # show node: the nodes view, cursor on the pod's node
        await sync(app, pilot)
        assert app.title_text().startswith("nodes(all)") and app.table.cursor_key == ("", "minikube-m02")
        await pilot.press("escape", "c")  # copy the name
        await pilot.pause()
        assert app.flash_text == "counter copied to the clipboard (OSC 52)"
    drive(s)
