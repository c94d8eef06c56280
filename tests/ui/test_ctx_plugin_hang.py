"""`:ctx` to a context whose kubeconfig credential plugin never answers (a script that sleeps,
a dead VPN): the flash said "Switching context to hang..." once and then nothing, `:ctx` of the
context in use said "already using context one" while the plugin went on, and `:q` left a blank
screen for ever (the app's exit waited on the thread that waited on the plugin)."""

from __future__ import annotations

import stat

import yaml

from k9py.backends import exec_plugins
from k9py.backends.live import LiveBackend, LiveOptions
from k9py.kube.kubeconfig import kubeconfig as kubeconfig_doc
from k9py.ui.app import K9pyApp
from tests.backends.conftest import FAST, server  # noqa: F401
from tests.ui.test_live_explorer import SIZE, command, rows, run, until


def _kubeconfig(tmp_path, url: str):
    plugin = tmp_path / "hang.sh"
    plugin.write_text("#!/bin/sh\nsleep 600\n")  # (its child holds the plugin's stdout open)
    plugin.chmod(plugin.stat().st_mode | stat.S_IXUSR)
    doc = kubeconfig_doc(url, name="one")
    doc["contexts"].append({"name": "hang", "context": {"cluster": "one", "user": "hanger"}})
    doc["users"].append({"name": "hanger", "user": {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1", "command": str(plugin), "interactiveMode": "Never"}}})
    path = tmp_path / "kc.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_a_switch_waiting_on_a_plugin_says_so_gives_up_and_quits(server, tmp_path, monkeypatch):
    monkeypatch.setattr(exec_plugins, "NOTICE_AFTER", 0.05)
    path = _kubeconfig(tmp_path, server.handle.url)
    processes = []

    async def main():
        app = K9pyApp(LiveBackend(LiveOptions(kubeconfig=str(path), **FAST)), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app), "one's pods")
            await command(app, pilot, "ctx hang")
            await until(app, pilot, lambda: "waiting" in app.flash_text, "the flash saying what the switch waits for")
            assert app.flash_text.startswith("Switching context to hang: waiting ")
            assert app.flash_text.endswith("s for its credential plugin hang.sh")
            [first] = exec_plugins.running()
            processes.append(first.process)
            await command(app, pilot, "ctx one")  # the one in use: the switch is given up
            await until(app, pilot, lambda: not exec_plugins.running(), "the plugin stopped")
            assert app.flash_text == "already using context one: the switch to hang is given up"
            assert app.backend.info().context == "one" and app.switching is None
            await command(app, pilot, "ctx hang")
            await until(app, pilot, lambda: exec_plugins.running(), "the plugin run again")
            processes.append(exec_plugins.running()[0].process)
        # quitting did not wait for it (asyncio.run's end waits for every thread of the loop's)

    run(main())
    assert exec_plugins.running() == []
    assert [p.returncode for p in processes] == [-9, -9]
