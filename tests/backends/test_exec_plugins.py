"""A kubeconfig credential plugin that never answers (a script that sleeps, a dead VPN): k9py
starting waited for it on a blank terminal without a word, `:ctx` to its context likewise, and
quitting then waited on its thread for ever. k9py says it waits, and stops the plugins it gave up."""

from __future__ import annotations

import contextvars
import stat
import threading

import pytest

from k9py.backends import exec_plugins
from k9py.backends import kubeconfig as kc
from k9py.errors import K9pyError
from tests.backends.test_kubeconfig_exec import KUBECONFIG

DEADLINE = 30


def _in_thread(fn) -> tuple[threading.Thread, dict]:
    """``fn`` in a thread, in a copy of this context (as asyncio.to_thread runs it)."""
    out: dict = {}
    context = contextvars.copy_context()

    def go() -> None:
        try:
            out["value"] = fn()
        except BaseException as err:  # (the test reads it)
            out["error"] = err
    t = threading.Thread(target=context.run, args=(go,), daemon=True)
    t.start()
    return t, out


def _noticing(monkeypatch) -> threading.Event:
    """Set once a plugin run (``exec_plugins.run``, however its caller reaches it) has said it
    waits (its notice is asked for after it is listed as running)."""
    monkeypatch.setattr(exec_plugins, "NOTICE_AFTER", 0.0)
    noticed = threading.Event()
    real = exec_plugins.run

    def run(args, *, notice, **kw):
        def said() -> str:
            noticed.set()
            return notice() if notice is not None else "waiting"
        return real(args, notice=said, **kw)
    monkeypatch.setattr(exec_plugins, "run", run)
    return noticed


@pytest.fixture(autouse=True)
def _none_left():
    yield
    exec_plugins.stop()  # (a failed test's plugins)


def _hanging(tmp_path):
    """A shell script whose child sleeps: the child holds the plugin's stdout open, so ending the
    script alone would not end the wait."""
    path = tmp_path / "hang"
    path.write_text("#!/bin/sh\nsleep 600\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_a_plugin_stopped_ends_its_wait_with_its_process_group_and_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(exec_plugins, "NOTICE_AFTER", 0.0)
    noticed = threading.Event()

    def notice() -> str:
        noticed.set()
        return "waiting for hang"
    plugin = _hanging(tmp_path)
    t, out = _in_thread(lambda: exec_plugins.run([str(plugin)], interactive=False, notice=notice))
    assert noticed.wait(DEADLINE)
    [running] = exec_plugins.running()
    assert running.command == str(plugin)
    assert exec_plugins.stop() == 1
    t.join(DEADLINE)
    assert not t.is_alive() and exec_plugins.running() == []
    assert str(out["error"]) == f"exec: executable {plugin} was stopped before it answered"
    assert capsys.readouterr().err == "k9py: waiting for hang\n"
    assert running.process.returncode == -9


def test_stop_ends_only_the_plugins_its_owner_started(tmp_path, monkeypatch):
    plugin = _hanging(tmp_path)
    mine, theirs = object(), object()
    threads = []
    for who in (mine, theirs):
        noticed = _noticing(monkeypatch)
        exec_plugins.owner.set(who)
        threads.append(_in_thread(lambda: exec_plugins.run([str(plugin)], interactive=False, notice=None)))
        assert noticed.wait(DEADLINE)  # (listed as running by then)
        monkeypatch.undo()
    exec_plugins.owner.set(None)
    try:
        assert exec_plugins.running(mine) and exec_plugins.running(theirs)
        assert exec_plugins.stop(mine) == 1
        threads[0][0].join(DEADLINE)
        assert "error" in threads[0][1] and [r.owner for r in exec_plugins.running()] == [theirs]
    finally:
        exec_plugins.stop()
    threads[1][0].join(DEADLINE)
    assert exec_plugins.running() == []


def test_a_context_whose_plugin_hangs_says_so_on_stderr_and_fails_once_stopped(tmp_path, monkeypatch, capsys):
    """`k9py --context eks` (or `k9py record`) with a plugin that never answers: after a moment,
    what it waits for (kubectl would wait as long: ctrl-c quits)."""
    noticed = _noticing(monkeypatch)
    monkeypatch.setattr(kc, "_ui_drawn", lambda: False)
    plugin = _hanging(tmp_path)
    config = tmp_path / "config"
    config.write_text(KUBECONFIG.format(command=plugin))
    t, out = _in_thread(lambda: kc.new_api_client([str(config)], None))
    assert noticed.wait(DEADLINE)
    exec_plugins.stop()
    t.join(DEADLINE)  # (what it said is on stderr by then)
    assert capsys.readouterr().err == (f"k9py: the credential plugin {plugin} has not answered in 0s: waiting for it "
                                       "(kubectl would wait as long; ctrl-c quits)\n")
    assert isinstance(out["error"], K9pyError)
    assert str(out["error"]) == (f"kubeconfig context (current): getting credentials: exec: executable {plugin} "
                                 "was stopped before it answered")


def test_under_the_ui_nothing_is_printed(tmp_path, monkeypatch):
    """Over the UI (`:ctx`), the flash says it (the app), never stderr."""
    asked = []

    def run(args, *, interactive, notice, **kw):
        asked.append((interactive, notice))
        raise exec_plugins.Stopped("stopped")
    monkeypatch.setattr(exec_plugins, "run", run)
    monkeypatch.setattr(kc, "_ui_drawn", lambda: True)
    monkeypatch.setattr(kc, "_interactive", lambda: False)
    config = tmp_path / "config"
    config.write_text(KUBECONFIG.format(command=_hanging(tmp_path)))
    with pytest.raises(K9pyError, match=r"getting credentials: stopped$"):
        kc.new_api_client([str(config)], None)
    assert asked == [(False, None)]
