"""A recording (or a server) may hold objects whose fields are not what their kind says: a
timestamp that is a number, a status that is not a map, an event about nothing. The explorer
lists them (a cell it cannot read says <invalid>), sorts them, describes them (kubectl's
generic describer when their own does not read them) and goes on; it used to fail and exit."""

import asyncio
import json

from k9py.backends.replay import ReplayBackend
from k9py.ui.app import K9pyApp
from k9py.ui.screens.describe import DescribeScreen
from k9py.ui.screens.pulses import PulsesScreen
from k9py.ui.screens.xray import XrayScreen
from k9py.view import health
from k9py.view.printers_format import INVALID
from tests.ui.conftest import sync, table_lines
from tests.ui.simcluster import goto

SIZE = (160, 45)


def _pod(name: str, **fields) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}",
                         "creationTimestamp": "2026-11-01T09:00:00Z"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}, "status": {"phase": "Running"}, **fields}


def recording(tmp_path) -> str:
    odd_pod = _pod("odd", status=1.5)
    odd_pod["metadata"]["creationTimestamp"] = 12345
    objects = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default", "uid": "uid-ns"}},
        _pod("fine"), odd_pod,
        {"apiVersion": "v1", "kind": "Event", "type": "Warning", "reason": "Odd", "message": "m",
         "metadata": {"name": "odd.1", "namespace": "default", "uid": "uid-ev1"},
         "lastTimestamp": 123, "series": "x", "involvedObject": 1.5},
        {"apiVersion": "v1", "kind": "Event", "type": "Normal", "reason": "Pulled", "message": "pulled",
         "metadata": {"name": "fine.1", "namespace": "default", "uid": "uid-ev2"},
         "lastTimestamp": "2026-11-01T09:00:05Z",
         "involvedObject": {"kind": "Pod", "name": "fine", "namespace": "default", "uid": "uid-fine"}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "web", "namespace": "default", "uid": "uid-web", "labels": ["not", "a", "map"]},
         "spec": {"replicas": "three", "selector": 1.5}},
    ]
    lines = [{"kind": "Recording", "version": 1, "start": "2026-11-01T09:00:00Z", "context": "odd"}]
    lines += [{"t": 0, "type": "ADDED", "object": o} for o in objects]
    path = tmp_path / "odd.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return str(path)


async def until(app, pilot, condition, tries: int = 20) -> None:
    """Let the screen's watches deliver until ``condition`` holds."""
    for _ in range(tries):
        if condition():
            return
        await sync(app, pilot)
    assert condition()


def test_malformed_objects_are_listed_sorted_and_described_and_the_app_goes_on(tmp_path):
    async def main():
        app = K9pyApp(ReplayBackend.open(recording(tmp_path)), manual=True, namespace="default")
        async with app.run_test(size=SIZE) as pilot:
            await sync(app, pilot)
            assert {app.model.row_at(i).key[1] for i in range(len(app.model))} == {"fine", "odd"}
            odd = next(ln for ln in table_lines(app) if " odd " in ln)
            assert INVALID in odd  # its printer could not read it: the row says so
            await pilot.press("shift+a")  # by age: the pod made at no time is the oldest
            await sync(app, pilot)
            assert app.model.row_at(len(app.model) - 1).key[1] == "odd"
            await goto(app, pilot, "odd")
            await pilot.press("d")
            await sync(app, pilot)
            assert isinstance(app.screen, DescribeScreen)
            assert app.screen.lines[0].split() == ["Name:", "odd"]  # the generic describer's fields
            assert any(ln.startswith("Status:") and "1.5" in ln for ln in app.screen.lines)
            await pilot.press("escape")
            await sync(app, pilot)

            app.run_command("events")  # newest first; the undated one last
            await sync(app, pilot)
            assert [app.model.row_at(i).key[1] for i in range(len(app.model))] == ["fine.1", "odd.1"]
            app.run_command("pods")  # the fine pod's describe: its good event, among the odd one
            await sync(app, pilot)
            await goto(app, pilot, "fine")
            await pilot.press("d")
            await sync(app, pilot)
            lines = app.screen.lines
            assert lines[0].split() == ["Name:", "fine"] and any("Pulled" in ln and "pulled" in ln for ln in lines)
            await pilot.press("escape")

            app.run_command("deploy")
            await sync(app, pilot)
            assert len(app.model) == 1 and INVALID in app.model.cells(app.model.row_at(0))
            app.run_command("deploy -l app=web")  # a label filter over labels that are no map
            await sync(app, pilot)
            assert len(app.model) == 0

            app.run_command("xray deploy")  # the deployment that does not read: a fault in its tree
            assert isinstance(app.screen, XrayScreen)
            xray = app.screen
            await until(app, pilot, lambda: any(n.kind == "Deployment" for n in xray.root.walk()))
            assert [(n.name, n.status) for n in xray.root.walk() if n.kind == "Deployment"] == [("web", health.ERROR)]
            await pilot.press("escape")
            app.run_command("pulses")
            await sync(app, pilot)
            assert isinstance(app.screen, PulsesScreen)
            pods = next(t for t in app.screen.tiles if t.spec.label == "Pods")
            await until(app, pilot, lambda: pods.counts.total == 2)
            assert pods.counts.error == 1  # the pod whose status is no map: a fault (the other is not ready yet)
        assert app.return_code in (None, 0)
    asyncio.run(main())


def test_an_object_nested_hundreds_of_levels_deep_is_shown_but_not_edited(monkeypatch):
    """A live cluster takes objects 10,000 levels deep (a custom resource keeping unknown
    fields): y on one ended the app in a RecursionError (then spent minutes drawing the
    traceback's locals), e ended it too. y and d show it, what is past 100 levels as TOO_DEEP;
    e says it cannot edit it and opens no editor."""
    from k9py.ui.screens import actions
    from k9py.ui.screens.yaml_view import YamlScreen
    from k9py.view.yaml_text import TOO_DEEP
    from tests.ui.simcluster import command, run, settle, sim_cluster

    c = sim_cluster()
    c.create({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
              "metadata": {"name": "blobs.h.io"},
              "spec": {"group": "h.io", "scope": "Namespaced",
                       "names": {"plural": "blobs", "singular": "blob", "kind": "Blob"},
                       "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                           "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}})
    c.advance(1)
    deep: object = "bottom"
    for _ in range(400):
        deep = {"a": deep}
    c.create({"apiVersion": "h.io/v1", "kind": "Blob", "metadata": {"name": "deep", "namespace": "default"}, "x": deep})
    editors = []
    monkeypatch.setattr(actions, "run_editor", lambda app, text, suffix=".yaml": editors.append(text))

    async def scenario(app, pilot, cluster):
        await command(app, pilot, "blobs")
        await goto(app, pilot, "deep")
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, YamlScreen)
        assert any(TOO_DEEP in ln for ln in app.screen.lines) and not any("bottom" in ln for ln in app.screen.lines)
        await pilot.press("escape")
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, DescribeScreen)
        await pilot.press("escape")
        await pilot.press("e")
        await settle(app, pilot)
        assert app.flash_text == 'edit: blobs.h.io "deep" is nested more than 100 levels deep: k9py cannot edit it'
        assert editors == []
        assert app.is_running

    run(scenario, c)
