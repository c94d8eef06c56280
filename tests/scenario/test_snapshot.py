"""The shipped demo snapshot (``k9py.scenario.snapshot``): current, and a cluster that is the built
demo in every object and goes on exactly as the built one does."""

import subprocess
import sys

import pytest

from k9py.scenario import snapshot


@pytest.fixture(scope="module")
def built():
    return snapshot.build_demo()


def state(cluster):
    """Everything observable: every object of every kind, the clock, the random stream, the
    resourceVersion and the wake-ups asked for."""
    with cluster.lock:
        objects = {kind: cluster.store.list(kind, None) for kind in sorted(cluster.store.kinds())}
        return (objects, cluster.now(), cluster.rng.getstate(), cluster.store.resource_version,
                sorted(cluster._wakeups))


def regenerate() -> bool:
    """Make the shipped snapshot current, in a fresh process (nothing a test changed leaks
    into it). True: it was stale."""
    if snapshot.is_current():
        return False
    subprocess.run([sys.executable, "-m", "k9py.scenario.snapshot"], check=True, stdout=subprocess.DEVNULL)
    return True


def test_the_shipped_snapshot_is_current():
    """A stale snapshot is never used (the demo is built instead); this test makes it current
    again and fails once so the new file is committed (`python -m k9py.scenario.snapshot`)."""
    if regenerate():
        pytest.fail(f"the demo snapshot was stale and has been regenerated: commit {snapshot.SNAPSHOT}")
    assert snapshot.is_current()


def test_the_snapshot_is_the_built_demo_and_runs_on_alike(built):
    regenerate()
    loaded = snapshot.load_demo()
    assert loaded is not None and loaded is not built
    assert state(loaded) == state(built)
    assert loaded.lock is not built.lock and loaded.store.count("Pod") > 30
    for c in (loaded, built):  # the same future: controllers, wake-ups, random draws
        with c.lock:
            c.delete("Pod", "default", "counter")
            c.settle()
            c.advance(120)
    assert state(loaded) == state(built)


def test_a_stale_or_missing_snapshot_is_not_used(tmp_path):
    from k9py.sim.cluster import Cluster
    cluster = Cluster(seed=3, name="tiny")
    stale = tmp_path / "demo.bin"
    data = snapshot.dumps(cluster)
    head, body = data.split(b"\n", 1)
    stale.write_bytes(head.replace(b'"fingerprint": "', b'"fingerprint": "0') + b"\n" + body)
    assert snapshot.load_demo(stale) is None and not snapshot.is_current(stale)
    assert snapshot.load_demo(tmp_path / "missing.bin") is None
    fresh = tmp_path / "fresh.bin"
    fresh.write_bytes(data)
    assert snapshot.is_current(fresh) and state(snapshot.load_demo(fresh)) == state(cluster)
