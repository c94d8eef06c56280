"""The cyclic collector's policy for big, long-lived heaps (k9py.kube.gcpause)."""

import gc
import threading

from k9py.kube import gcpause


def test_pauses_overlapping_in_two_threads_end_with_the_last_one():
    """A cluster builds in a worker with the collector paused while the event loop loads rows
    with it paused too: the loop's pause ending first must not turn it back on mid-build."""
    assert gc.isenabled()
    entered, release, left = threading.Event(), threading.Event(), threading.Event()

    def worker():
        with gcpause.gc_paused():
            entered.set()
            release.wait()
        left.set()

    t = threading.Thread(target=worker)
    with gcpause.gc_paused():
        t.start()
        entered.wait()
    assert not gc.isenabled()  # the worker's pause goes on
    release.set()
    left.wait()
    t.join()
    assert gc.isenabled()


def test_a_pause_leaves_a_disabled_collector_disabled():
    gc.disable()
    try:
        with gcpause.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_after_a_big_load_a_slow_full_collection_freezes_what_it_left(monkeypatch, freezes):
    assert gcpause.loaded(gcpause.BIG_LOAD)
    assert freezes == ["freeze"]
    monkeypatch.setattr(gcpause, "SLOW_FULL", 3600.0)
    gc.collect()  # quick
    assert freezes == ["freeze"]
    monkeypatch.setattr(gcpause, "SLOW_FULL", -1.0)
    gc.collect()  # "slow"
    assert freezes == ["freeze", "freeze"]
    gc.collect(1)  # not a full one
    assert freezes == ["freeze", "freeze"]


def test_small_loads_never_freeze_nor_watch_collections(monkeypatch, freezes):
    monkeypatch.setattr(gcpause, "SLOW_FULL", -1.0)
    assert not gcpause.loaded(gcpause.BIG_LOAD - 1)
    assert not gcpause.dropped(gcpause.BIG_LOAD - 1)
    gc.collect()
    assert freezes == []


def test_a_big_structure_dropped_is_unfrozen_then_what_the_next_full_collection_leaves_frozen(monkeypatch, freezes):
    monkeypatch.setattr(gcpause, "SLOW_FULL", 3600.0)  # however quick it is
    assert gcpause.dropped(gcpause.BIG_LOAD)
    assert freezes == ["unfreeze"]
    gc.collect(1)
    assert freezes == ["unfreeze"]
    gc.collect()
    assert freezes == ["unfreeze", "freeze"]
    gc.collect()  # once
    assert freezes == ["unfreeze", "freeze"]


def test_the_apps_thresholds_stay_when_a_cluster_tunes_them():
    """The app's young collections come every 20,000 new objects, not 100,000, its middle one
    after 4 of them, not 20: under churn each walks what survived since, so its pauses are
    shorter. A simulated cluster built later (``tune``) keeps them."""
    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        gcpause.tune()
        assert gc.get_threshold() == gcpause.THRESHOLDS
        gcpause.interactive()
        gcpause.tune()
        assert gc.get_threshold() == gcpause.INTERACTIVE
        assert gcpause.INTERACTIVE[0] < gcpause.THRESHOLDS[0]  # shorter pauses, and fewer of them
        assert gcpause.INTERACTIVE[1] < gcpause.THRESHOLDS[1]
    finally:
        gc.set_threshold(*before)


LEAVING = """
import gc, sys
from k9py.kube import gcpause

class Cycle:
    def __init__(self):
        self.me = self
    def __del__(self):
        print("walked", flush=True)

gc.disable()
Cycle()
if sys.argv[1] == "leaving":
    gcpause.leaving()
"""


def test_leaving_keeps_the_interpreters_last_collection_off_the_heap():
    """`:q` while a cluster builds in a worker (or just after one was dropped): the interpreter's
    last collection walked every unfrozen object, seconds at 30,000 pods. After ``leaving`` it
    finds nothing (the cycle's finalizer never runs); without it, it does."""
    import subprocess
    import sys

    def run(how):
        return subprocess.run([sys.executable, "-c", LEAVING, how], capture_output=True, text=True, check=True).stdout
    assert run("plain") == "walked\n"
    assert run("leaving") == ""


def test_the_k9py_command_leaves_that_way(monkeypatch):
    from k9py import cli

    left = []
    monkeypatch.setattr(gcpause, "leaving", lambda: left.append(True))
    monkeypatch.setattr("sys.argv", ["k9py", "--version"])
    assert cli.entry() == 0 and left == [True]


def test_in_the_app_a_big_bulk_load_is_frozen_before_the_collector_comes_back(freezes):
    """A view of 200,000 events: frozen while the collector is still paused, its next young
    collection has none of those rows to walk. Outside the app (tests, the CLI) nothing is frozen."""
    with gcpause.gc_paused():
        assert not gcpause.bulk_loaded(gcpause.BIG_LOAD)
    assert freezes == []
    before = gc.get_threshold()
    try:
        gcpause.interactive()
        with gcpause.gc_paused():
            assert not gcpause.bulk_loaded(gcpause.BIG_LOAD - 1)
            assert freezes == []
            assert gcpause.bulk_loaded(gcpause.BIG_LOAD)
            assert freezes == ["freeze"] and not gc.isenabled()
    finally:
        gc.set_threshold(*before)
