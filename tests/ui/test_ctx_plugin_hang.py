"""`:ctx` to a context whose kubeconfig credential plugin never answers (a script that sleeps,
a dead VPN): the flash said "Switching context to hang..." once and then nothing, `:ctx` of the
context in use said "already using context one" while the plugin went on, and `:q` left a blank
screen for ever (the app's exit waited on the thread that waited on the plugin)."""

from __future__ import annotations

import socket
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


async def stalled_switch(app, pilot, context: str) -> None:
    """On context one's pods, `:ctx CONTEXT`, until the flash says what the switch waits for."""
    await until(app, pilot, lambda: rows(app), "one's pods")
    await command(app, pilot, f"ctx {context}")
    await until(app, pilot, lambda: "waiting" in app.flash_text, "the flash saying what the switch waits for")
    assert app.flash_text.startswith(f"Switching context to {context}: waiting ")


def test_a_switch_waiting_on_a_plugin_says_so_gives_up_and_quits(server, tmp_path, monkeypatch):
    monkeypatch.setattr(exec_plugins, "NOTICE_AFTER", 0.05)
    path = _kubeconfig(tmp_path, server.handle.url)
    processes = []

    async def main():
        app = K9pyApp(LiveBackend(LiveOptions(kubeconfig=str(path), **FAST)), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await stalled_switch(app, pilot, "hang")
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


def test_a_worker_that_flashes_while_the_app_closes_does_not_fail_it(server, tmp_path):
    """A switch waiting on a plugin flashed every few seconds; one that fell as `:q` took the
    screens down raised NoMatches for #flash, and the worker failed the app's exit."""
    path = _kubeconfig(tmp_path, server.handle.url)

    async def main():
        app = K9pyApp(LiveBackend(LiveOptions(kubeconfig=str(path), **FAST)), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await app.query_one("#flash").remove()  # as when the screens are going
            await pilot.pause()
            app.flash("Switching context to hang: waiting 3s for its credential plugin hang.sh", "warn")

    run(main())


def test_a_switch_to_a_server_that_does_not_answer_says_so_and_keys_act_again(server, tmp_path, monkeypatch):
    """A `:ctx` to a server that accepts and never answers (a dead VPN) held every key typed after
    it, `:q` and `:ctx` of the context in use too, for as long as keys are ever held, and said only
    "Switching context to dead...": once the flash says it waits, keys act at once."""
    monkeypatch.setattr(exec_plugins, "NOTICE_AFTER", 0.05)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections complete in the backlog; nothing is ever read or answered
    doc = kubeconfig_doc(server.handle.url, name="one")
    doc["clusters"].append({"name": "dead", "cluster": {"server": f"http://127.0.0.1:{silent.getsockname()[1]}"}})
    doc["contexts"].append({"name": "dead", "context": {"cluster": "dead", "user": "one"}})
    path = tmp_path / "kc.yaml"
    path.write_text(yaml.safe_dump(doc))

    async def main():
        app = K9pyApp(LiveBackend(LiveOptions(kubeconfig=str(path), **FAST)), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await stalled_switch(app, pilot, "dead")
            assert app.flash_text.endswith("s for its server")
            await command(app, pilot, "ctx one")  # not held until the switch ends: it gives the switch up
            await until(app, pilot, lambda: app.switching is None, "the switch given up")
            assert app.flash_text == "already using context one: the switch to dead is given up"
            assert app.backend.info().context == "one"

    try:
        run(main())
    finally:
        silent.close()
