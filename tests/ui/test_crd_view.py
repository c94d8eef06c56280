"""The CRD views in the app: `:crd`, enter on a CRD, a custom resource view with its printer
columns, the RBAC views, and the flash of a namespace that does not exist. Snapshots of a
custom resource view at 80×24 and 160×45."""

from __future__ import annotations

import pytest

from k9py.backends.sim import SimBackend
from k9py.ui.app import K9pyApp
from tests.crds import add_crontabs
from tests.samples import small_cluster
from tests.ui.conftest import sync, table_lines, visible_names


def crd_cluster():
    cluster = small_cluster()
    add_crontabs(cluster)
    cluster.advance(42 * 60)  # ages that look lived in
    return cluster


async def command(app, pilot, text: str) -> None:
    await pilot.press("colon", *text, "enter")
    await sync(app, pilot)


def test_crd_enter_opens_its_objects_with_their_printer_columns(drive):
    async def s(app, pilot, cluster):
        await command(app, pilot, "crd")
        assert app.title_text() == "customresourcedefinitions(all)[1]"
        assert table_lines(app)[0].split() == ["NAME↑", "CREATED", "AT"]
        assert table_lines(app)[1].split()[0] == "crontabs.stable.example.com"
        await pilot.press("enter")
        await sync(app, pilot)
        assert app.title_text() == "crontabs(all)[3]"
        assert table_lines(app)[0].split() == ["NAMESPACE↑", "NAME", "SPEC", "REPLICAS", "AGE"]
        assert table_lines(app)[1].split() == ["default", "every-5m", "*", "*", "*", "*", "*/5", "1", "42m"]
        await pilot.press("escape")
        await sync(app, pilot)
        assert app.title_text() == "customresourcedefinitions(all)[1]"
        await command(app, pilot, "ct kube-system")
        assert app.title_text() == "crontabs(kube-system)[1]" and visible_names(app) == ["cleanup"]
        await pilot.press("ctrl+w")  # wide: the priority-1 IMAGE column
        await sync(app, pilot)
        assert table_lines(app)[0].split() == ["NAME↑", "SPEC", "REPLICAS", "IMAGE", "AGE"]
    drive(s, cluster=crd_cluster())


def test_rbac_views_and_qualified_names(drive):
    async def s(app, pilot, cluster):
        await command(app, pilot, "crb")
        assert app.title_text() == "clusterrolebindings(all)[51]"  # a kubeadm cluster's bootstrap policy
        assert table_lines(app)[0].split() == ["NAME↑", "ROLE", "AGE"]
        await command(app, pilot, "rb kube-system")
        assert visible_names(app)[0] == "kube-proxy" and len(visible_names(app)) == 10
        await command(app, pilot, "apps/v1/deployments")
        assert app.title_text() == "deployments(kube-system)[0]"
        await command(app, pilot, "deployments.apps default")
        assert app.title_text() == "deployments(default)[1]"
    drive(s)


def test_a_missing_namespace_is_flashed_and_the_view_stays(drive):
    async def s(app, pilot, cluster):
        await command(app, pilot, "po nosuchns")
        await pilot.pause()
        await sync(app, pilot)
        assert app.flash_text == "No resources found in nosuchns namespace."
        assert app.title_text() == "pods(nosuchns)[0]"
        await command(app, pilot, "ctx nope")
        assert app.flash_text == 'no context exists with the name: "nope"'
        await command(app, pilot, "ns kube-system")
        assert app.title_text() == "pods(kube-system)[2]"
    drive(s)


def make_app() -> K9pyApp:
    return K9pyApp(SimBackend(crd_cluster()), manual=True)


def before(*keys):
    async def run(pilot):
        app = pilot.app
        await app.pump()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await app.pump()
            await pilot.pause()
        await app.refresh_metrics()
        await pilot.pause()
    return run


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
def test_crd_view_snapshot(snap_compare, size):
    assert snap_compare(make_app(), terminal_size=size,
                        run_before=before("colon", *"crd", "enter", "enter"))
