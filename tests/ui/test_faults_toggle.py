"""ctrl-z, k9s's Toggle Faults: only the rows in trouble, kept up to date as objects change."""

from tests.sim.helpers import pod_manifest
from tests.ui.simcluster import command, flash, run, settle


def names(app):
    m = app.model
    return [m.row_at(i).key[1] for i in range(len(m))]


def test_ctrl_z_shows_the_faults_and_follows_them():
    async def s(app, pilot, cluster):
        await command(app, pilot, "pods")
        every = names(app)
        assert "counter" in every and len(every) >= 4
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert names(app) == [] and app.title_text() == "pods(default)[0] <faults>"
        assert flash(app) == "Faults only (ctrl-z: every row)"
        cluster.create(pod_manifest("broken", "nginx:1.99"))  # cannot be pulled
        await settle(app, pilot, 30)
        assert names(app) == ["broken"]  # a new fault shows as it happens
        await pilot.press("0")  # all namespaces: still the faults only
        await settle(app, pilot)
        assert names(app) == ["broken"] and app.title_text() == "pods(all)[1] <faults>"
        cluster.delete("Pod", "default", "broken")
        await settle(app, pilot, 60)
        assert names(app) == []  # gone when it goes
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert "counter" in names(app) and "<faults>" not in app.title_text() and flash(app) == "Every row"
        await command(app, pilot, "svc")
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert flash(app) == "services have no faults to show" and "<faults>" not in app.title_text()
    run(s)


def test_faults_of_deployments_are_those_short_of_replicas():
    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert names(app) == []
        dep = cluster.store.get("Deployment", "default", "nginx-deployment")
        spec = dep["spec"]
        cluster.replace({**dep, "spec": {**spec, "template": {**spec["template"], "spec": {
            **spec["template"]["spec"], "containers": [{"name": "nginx", "image": "nginx:1.99"}]}}}})
        cluster.delete("Pod", "default", next(p["metadata"]["name"] for p in cluster.store.list("Pod", "default")
                                              if p["metadata"]["name"].startswith("nginx-deployment")))
        await settle(app, pilot, 30)
        assert names(app) == ["nginx-deployment"]
    run(s)
