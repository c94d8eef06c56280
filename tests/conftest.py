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


# -- tests that look inside the simulator's compiled modules -----------------------------------
# A few tests watch a controller's inner steps by replacing a method or a module function
# (monkeypatch) or by setting an attribute the class does not declare. Compiled code calls its
# functions directly and its classes hold only their declared attributes, so under the compiled
# core (k9py/native.py) such a test runs in a child pytest on the Python source of the same
# modules (K9PY_PURE=1), and passes or fails as it does there. What either build does is
# compared whole by tests/test_native.py.


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    if pyfuncitem.get_closest_marker("source_build") is None:
        return None
    from k9py import native

    if not native.mode().startswith("compiled"):
        return None  # the source runs here: the test runs as it is
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, native.PURE_ENV: "1"}
    done = subprocess.run([sys.executable, "-m", "pytest", pyfuncitem.nodeid, "-q", "-p", "no:cacheprovider",
                           "-o", "addopts=", "-p", "no:randomly"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=600)
    if done.returncode != 0 or " passed" not in done.stdout:
        pytest.fail(f"on the Python source (K9PY_PURE=1):\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}",
                    pytrace=False)
    return True


@pytest.fixture(autouse=True)
def _no_patch_of_compiled_code(request, monkeypatch):
    """Under the compiled core, a test that replaces a compiled function or method (its callers
    call the compiled one directly: the replacement would never run, and the test could pass
    without looking) fails and says to mark it ``source_build``."""
    from k9py import native

    if request.node.get_closest_marker("source_build") is not None or not native.mode().startswith("compiled"):
        yield
        return
    compiled = frozenset(native.COMPILED)
    setattr_ = monkeypatch.setattr

    def guarded(target, name, *rest, **kwargs):
        holder, attr = target, name
        if isinstance(target, str):  # setattr("package.module.attr", value)
            import importlib
            path, _, attr = target.rpartition(".")
            try:
                holder = importlib.import_module(path)
            except ImportError:
                holder = None
        if holder is not None and isinstance(attr, str):
            owner = holder if isinstance(holder, (type, type(os))) else type(holder)
            module = owner.__name__ if isinstance(owner, type(os)) else getattr(owner, "__module__", "")
            # a compiled module's function, or anything of a compiled class (a method, a property)
            if module in compiled and (isinstance(holder, type) or callable(getattr(holder, attr, None))):
                pytest.fail(f"{request.node.nodeid} replaces {module}.{attr}, compiled (k9py/native.py): its "
                            "callers would not call the replacement; mark the test source_build", pytrace=False)
        return setattr_(target, name, *rest, **kwargs)

    monkeypatch.setattr = guarded
    yield
