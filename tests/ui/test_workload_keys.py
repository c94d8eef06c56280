"""Workload keys k9s has beyond the common verbs."""

from tests.ui.conftest import sync, visible_names


async def open_view(app, pilot, name):
    await pilot.press("colon", *name, "enter")
    await sync(app, pilot)


def test_z_on_a_deployment_lists_its_replicasets(drive):
    """k9s's `z` (ReplicaSets) in the deployments view: the replica sets the deployment's selector
    picks, in its namespace; esc comes back to the deployments."""
    async def s(app, pilot, cluster):
        await open_view(app, pilot, "deploy")
        assert "<z> " in str(app.query_one("#header").render())
        await pilot.press("z")
        await sync(app, pilot)
        assert app.title_text().startswith("replicasets(default)")
        assert "app=nginx" in app.title_text()
        names = visible_names(app)
        assert names and all(n.startswith("nginx-deployment-") for n in names)
        await pilot.press("escape")
        await sync(app, pilot)
        assert app.title_text().startswith("deployments(")
    drive(s)


def test_z_elsewhere_does_nothing(drive):
    async def s(app, pilot, cluster):
        await open_view(app, pilot, "sts")
        before = app.title_text()
        await pilot.press("z")
        await sync(app, pilot)
        assert app.title_text() == before
    drive(s)
