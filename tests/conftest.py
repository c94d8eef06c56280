"""Every test runs with its own empty config directory: nothing reads or writes the real home's
k9py files (config.yaml, skins, per-context memory), in this process or in a `k9py` it starts.
And no test leaves the heap frozen after slow full collections (``gcpause``'s policy after a big
load, which a test may set off with a small ``BIG_LOAD``): the test process goes on."""

import gc
import os

import pytest

from k9py.kube import gcpause


@pytest.fixture(autouse=True)
def _own_config_dir(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path_factory.mktemp("k9py-config")))


@pytest.fixture
def freezes(monkeypatch):
    """gc.freeze and gc.unfreeze recorded in order ("freeze", "unfreeze"), not done: the test
    process goes on, and a frozen heap would keep every test's cyclic garbage after it."""
    done: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: done.append("freeze"))
    monkeypatch.setattr(gc, "unfreeze", lambda: done.append("unfreeze"))
    return done


@pytest.fixture(autouse=True)
def _no_freezing_left_on():
    yield
    if gcpause._after_full in gc.callbacks:
        gc.callbacks.remove(gcpause._after_full)
    gcpause._refreeze = False
    gcpause._interactive = False


def pytest_xdist_auto_num_workers(config):
    """``-n auto``: two workers a core. A UI test waits about half its time for Textual's pilot
    (each key and pause sleeps 20 ms steps until the app is idle), so one worker a core left the
    cores idle half the time: 2 cores, 2 workers 10 min; 4 workers 6m48s."""
    return 2 * (os.cpu_count() or 1)
