"""`:helm` (k9s's helm view): releases from the Secrets the real Helm wrote (tests/data/helm), live as
revisions come and go; enter: a release's history, enter there: that revision's values; `d` notes,
`y` manifest, `v` values (`v` again: every value), ctrl-d uninstall (refused when read-only)."""

from __future__ import annotations

import pytest
import yaml

from k9py.kube import meta
from k9py.ui import keymap
from k9py.ui.screens.dialogs import ConfirmScreen, DeleteDialog
from k9py.ui.screens.helm import ReleaseText, ValuesScreen
from k9py.view import helm
from tests.ui.conftest import table_lines
from tests.ui.simcluster import border_text, command, flash, run, settle, sim_cluster
from tests.view.test_helm import by_name, recorded


def helm_cluster():
    """The small cluster with the recorded releases' Secrets (web: 2 revisions in default; noted in
    shop) and the objects web's latest revision made."""
    c = sim_cluster()
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    for s in recorded():
        s = {**s, "metadata": {k: v for k, v in s["metadata"].items()
                               if k in ("name", "namespace", "labels")}}
        c.create(s)
    web = helm.release(by_name("sh.helm.release.v1.web.v2"))
    for doc in yaml.safe_load_all(web.manifest):
        if doc:
            doc["metadata"]["namespace"] = "default"
            c.create(doc)
    c.advance(5)
    return c


def names(app):
    m = app.model
    return [m.row_at(i).key[1] for i in range(len(m))]


def test_helm_view_lists_releases_and_drills_into_history_and_values():
    async def s(app, pilot, cluster):
        await command(app, pilot, "helm")
        assert app.current.title() == "helm(default)[1]"
        header, row = table_lines(app)[:2]
        assert header.split() == ["NAME↑", "REVISION", "STATUS", "CHART", "APP", "VERSION", "AGE"]
        assert row.split()[:5] == ["web", "2", "deployed", "hello-0.1.0", "1.25"]
        await command(app, pilot, "hm all")
        assert names(app) == ["web", "noted"] and app.current.title() == "helm(all)[2]"
        await command(app, pilot, "charts shop")
        assert names(app) == ["noted"]
        await command(app, pilot, "helm all /not")
        assert names(app) == ["noted"]
        await command(app, pilot, "helm default")
        await pilot.press("enter")  # the release's revisions, the latest first
        await settle(app, pilot)
        assert app.current.title() == "history(default/web)[2]"
        lines = table_lines(app)
        assert lines[0].split()[:5] == ["REVISION↓", "STATUS", "CHART", "APP", "VERSION"]
        assert "Upgrade complete" in lines[1] and lines[1].split()[0] == "2"
        assert "Install complete" in lines[2] and "superseded" in lines[2]
        await pilot.press("j", "enter")  # revision 1's values
        await settle(app, pilot)
        scr = app.screen
        assert isinstance(scr, ValuesScreen) and scr.lines == ["greeting: hi", "replicaCount: 1"]
        assert "Values(default/web:1)" in border_text(scr.query_one("#viewer-box"))
        await pilot.press("v")  # k9s: every value, the chart's defaults with the user's
        assert scr.lines[:3] == ["bogus: false", "greeting: hi", "image:"] and "replicaCount: 1" in scr.lines
        assert "[all]" in border_text(scr.query_one("#viewer-box"))
        await pilot.press("v")
        assert scr.lines == ["greeting: hi", "replicaCount: 1"]
        await pilot.press("escape")
        await pilot.press("escape")  # back to the releases
        await settle(app, pilot)
        assert app.current.scope.view.name == "helm"
        await pilot.press("v")
        assert app.screen.lines == ["greeting: bye"]
        await pilot.press("escape")
        await pilot.press("y")  # the manifest
        assert isinstance(app.screen, ReleaseText)
        assert app.screen.lines[:2] == ["---", "# Source: hello/templates/configmap.yaml"]
        await pilot.press("escape")
        await pilot.press("d")  # the notes: this chart has none
        assert app.screen.lines == ["release default/web (revision 2) has no notes"]
        await pilot.press("escape")
        await command(app, pilot, "helm shop")
        await pilot.press("d")
        assert app.screen.lines == ["Thank you for installing hello.",
                                    'Your release is named noted; it greets with "hej".']
    run(s, helm_cluster())


def test_helm_rows_are_live():
    async def s(app, pilot, cluster):
        await command(app, pilot, "helm")
        web3 = helm.decode(by_name("sh.helm.release.v1.web.v2")["data"]["release"])
        web3.update(version=3, info={**web3["info"], "status": "failed", "description": "Upgrade failed"})
        cluster.create(helm.release_secret(web3))
        await settle(app, pilot)
        row = app.model.row_at(0)
        assert app.model.cells(row)[:3] == ("web", "3", "failed") and app.model.style(row) == "err"
        cluster.delete("Secret", "default", "sh.helm.release.v1.web.v3")
        await settle(app, pilot)
        assert app.model.cells(app.model.row_at(0))[:3] == ("web", "2", "deployed")
        cluster.create(helm.release_secret({**web3, "name": "api", "version": 1, "info": {"status": "deployed"}}))
        await settle(app, pilot)
        assert names(app) == ["api", "web"]
    run(s, helm_cluster())


def test_uninstall_deletes_the_releases_objects_and_secrets():
    async def s(app, pilot, cluster):
        await command(app, pilot, "helm")
        await pilot.press("ctrl+d")
        dlg = app.screen
        assert isinstance(dlg, DeleteDialog)
        await pilot.press("escape")  # cancelled: nothing goes
        assert cluster.store.get("ConfigMap", "default", "web-hello") is not None
        await pilot.press("ctrl+d")
        await pilot.click("#ok")
        await settle(app, pilot, 60)
        assert flash(app) == "Uninstalled release default/web"
        for kind in ("ConfigMap", "Service", "Deployment"):
            assert cluster.store.get(kind, "default", "web-hello") is None, kind
        assert [meta.name(x) for x in cluster.store.list("Secret", "default") if helm.is_release(x)] == []
        assert names(app) == []
        assert cluster.store.get("Secret", "shop", "sh.helm.release.v1.noted.v1") is not None  # another release stays
    run(s, helm_cluster())


def test_uninstall_of_marked_releases():
    async def s(app, pilot, cluster):
        await command(app, pilot, "helm all")
        await pilot.press("space", "j", "space", "ctrl+d")
        assert "Uninstall helm 2 marked releases?" in str(app.screen.query_one(".dialog-message").render())
        await pilot.click("#ok")
        await settle(app, pilot, 60)
        assert flash(app) == "Uninstalled 2 marked releases" and names(app) == []
        assert not [x for x in cluster.store.list("Secret") if helm.is_release(x)]
    run(s, helm_cluster())


def test_rollback_from_the_history_makes_a_new_revision_of_the_old_one():
    async def s(app, pilot, cluster):
        await command(app, pilot, "helm")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("j", "r")  # revision 1
        dlg = app.screen
        assert isinstance(dlg, ConfirmScreen) and "back to revision 1?" in str(dlg.query_one(".dialog-message").render())
        await pilot.press("y")
        await settle(app, pilot, 30)
        assert flash(app) == "Rolled back release default/web to revision 1 (revision 3)"
        # the objects are revision 1's again
        assert cluster.store.get("ConfigMap", "default", "web-hello")["data"]["greeting"] == "hi"
        assert cluster.store.get("Deployment", "default", "web-hello")["spec"]["replicas"] == 1
        # the revisions as `helm history` tells them
        revs = {helm.version_of(x): helm.release(x) for x in cluster.store.list("Secret", "default") if helm.is_release(x)}
        assert {v: (r.status, r.description) for v, r in revs.items()} == {
            1: ("superseded", "Install complete"), 2: ("superseded", "Upgrade complete"), 3: ("deployed", "Rollback to 1")}
        assert revs[3].values() == {"greeting": "hi", "replicaCount": 1} and revs[3].manifest == revs[1].manifest
        assert meta.labels(cluster.store.get("Secret", "default", "sh.helm.release.v1.web.v2"))["status"] == "superseded"
        assert [app.model.cells(app.model.row_at(i))[:2] for i in range(3)] == [("3", "deployed"), ("2", "superseded"),
                                                                               ("1", "superseded")]
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.model.cells(app.model.row_at(0))[:3] == ("web", "3", "deployed")
    run(s, helm_cluster())


def test_readonly_refuses_uninstall():
    async def s(app, pilot, cluster):
        await command(app, pilot, "helm")
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert not isinstance(app.screen, DeleteDialog) and "read-only" in flash(app)
        menu = str(app.query_one("#header").render())
        assert "<ctrl-d>" not in menu and "<v> " in menu and "<enter> " in menu
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("r")
        assert not isinstance(app.screen, ConfirmScreen) and "read-only" in flash(app)
        assert cluster.store.get("ConfigMap", "default", "web-hello") is not None
    run(s, helm_cluster(), readonly=True)


def test_history_is_no_command_of_its_own():
    async def s(app, pilot, cluster):
        await command(app, pilot, "history")
        assert "select a release in :helm" in flash(app)
    run(s, helm_cluster())


# -- snapshots ------------------------------------------------------------------------------------------
def snapshot_app():
    """The sample cluster with the recorded releases, deployed 10 and 5 minutes before its frozen clock."""
    from k9py.backends.sim import SimBackend
    from k9py.kube.timefmt import rfc3339
    from k9py.ui.app import K9pyApp
    from tests.samples import small_cluster

    c = small_cluster()
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    for i, s in enumerate(recorded()):
        rel = helm.decode(s["data"]["release"])
        when = rfc3339(c.now() - 600 + 300 * i)
        rel["info"].update(first_deployed=when, last_deployed=when)
        c.create(helm.release_secret(rel))
    return K9pyApp(SimBackend(c), manual=True)


def before(*presses):
    """Each of ``presses`` (a key sequence) pressed once the rows of the one before are in."""
    async def run(pilot):
        await pilot.app.pump()
        await pilot.pause()
        for keys in presses:
            await pilot.press(*keys)
            await pilot.app.pump()
            await pilot.pause()
    return run


@pytest.mark.parametrize("size", [(160, 45), (80, 24)], ids=["160x45", "80x24"])
def test_helm_snapshot(snap_compare, size):
    assert snap_compare(snapshot_app(), terminal_size=size, run_before=before(("colon", *"helm all", "enter")))


@pytest.mark.parametrize("size", [(160, 45), (80, 24)], ids=["160x45", "80x24"])
def test_history_snapshot(snap_compare, size):
    assert snap_compare(snapshot_app(), terminal_size=size,
                        run_before=before(("colon", *"helm", "enter"), ("enter",)))


def test_hostile_release_text_is_inert():
    """A release's JSON is anyone's text: escapes, controls and markup in its name, chart, notes,
    description, values and manifest are shown, never obeyed (issue 15)."""
    from tests.ui.test_hostile_content import SMALL, check_inert

    c = sim_cluster()
    bad = "\x1b[31m[bold]red[/bold]\u202e\x07 " + " ".join(list(SMALL.values())[:8])
    rel = {"name": "web", "namespace": "default", "version": 1,
           "info": {"status": "deployed", "description": bad, "notes": bad + "\n" + bad,
                    "last_deployed": "2026-11-01T09:00:00Z"},
           "chart": {"metadata": {"name": bad, "version": "1", "appVersion": bad}, "values": {bad: bad}},
           "config": {"greeting": bad}, "manifest": f"---\n# {bad}\nkind: ConfigMap\nmetadata:\n  name: x\n"}
    c.create(helm.release_secret(rel))

    async def s(app, pilot, cluster):
        await command(app, pilot, "helm")
        assert "\u241b" in check_inert(app, ":helm")  # ␛: shown, not obeyed
        await pilot.press("ctrl+w")
        check_inert(app, ":helm wide")
        for keys in (("d",), ("y",), ("v",), ("v", "v")):
            await pilot.press(*keys)
            await settle(app, pilot)
            assert "[bold]" in check_inert(app, f":helm {keys}")
            await pilot.press("escape")
        await pilot.press("enter")
        await settle(app, pilot)
        check_inert(app, "history")
        assert app.is_running
    run(s, c)


def test_a_corrupt_release_secret_is_a_red_row_that_says_why():
    c = sim_cluster()
    secret = helm.release_secret({"name": "web", "namespace": "default", "version": 1, "info": {"status": "deployed"}})
    secret["data"]["release"] = "bm90IGEgcmVsZWFzZQ=="  # base64 of "not a release"
    c.create(secret)

    async def s(app, pilot, cluster):
        await command(app, pilot, "helm")
        row = app.model.row_at(0)
        assert app.model.cells(row)[:4] == ("web", "1", "deployed", "<invalid>") and app.model.style(row) == "err"
        for key in ("d", "y", "v"):
            await pilot.press(key)
            assert app.screen.lines == ["release secret default/sh.helm.release.v1.web.v1: "
                                        "data.release is not Helm's base64 inside the API's"], key
            await pilot.press("escape")
        await pilot.press("ctrl+d")
        await pilot.click("#ok")
        await settle(app, pilot)
        assert "data.release is not Helm's base64 inside the API's: its objects are unknown" in flash(app)
        assert cluster.store.get("Secret", "default", "sh.helm.release.v1.web.v1") is not None
    run(s, c)


def test_r_on_a_release_shows_its_history_as_k9s_releases_key():
    async def s(app, pilot, cluster):
        await command(app, pilot, "helm")
        await pilot.press("r")
        await settle(app, pilot)
        assert app.current.title() == "history(default/web)[2]"
        await pilot.press("r")  # in the history `r` rolls back: the confirm dialog
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
    run(s, helm_cluster())


def test_history_sorts_by_revision_on_shift_n_as_k9s():
    """k9s's history binds shift-n to Sort Revision (it has no NAME column): the header's menu
    offers it and the key turns the revisions round; shift-a sorts by age."""
    async def s(app, pilot, cluster):
        await command(app, pilot, "helm default")
        await pilot.press("enter")
        await settle(app, pilot)
        columns = {c.name for c in app.model.columns}
        menu = keymap.menu(app.current.scope.view, False, columns)
        assert ("<shift-n>", "Sort Revision") in menu and ("<shift-a>", "Sort Age") in menu
        assert ("<shift-n>", "Sort revision") in keymap.help_sections(app.current.scope.view, False, columns, [])[0][1]
        await pilot.press("N")
        await settle(app, pilot)
        assert "no NAME column" not in app.flash_text
        assert table_lines(app)[0].split()[0] == "REVISION↑"
        assert [app.model.cells(app.model.row_at(i))[0] for i in range(2)] == ["1", "2"]
        await pilot.press("N")
        await settle(app, pilot)
        assert [app.model.cells(app.model.row_at(i))[0] for i in range(2)] == ["2", "1"]
    run(s, helm_cluster())
