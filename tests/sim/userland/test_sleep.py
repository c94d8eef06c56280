"""``sleep`` takes time in exec sessions: it blocks that process until the virtual clock or the
wall clock (an injected timer here) has moved N seconds; ctrl-c, a hang-up, EOF and the
container stopping end it. No real waiting: the tests move the clocks."""

from __future__ import annotations

import threading

import pytest

from k9py.sim.kubelet import signal_container
from k9py.sim.userland import STDOUT, start_exec
from tests.sim.userland.helpers import busybox, cluster_with


class Timer:
    """A wall clock that moves only when told (the cluster's virtual clock is the other one)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def c():
    return cluster_with(busybox())


def _tty(c, timer: Timer | None = None):
    p = start_exec(c, "default", "bb", None, ["sh"], tty=True, stdin=True, timer=timer or Timer())
    assert p.read() == [(STDOUT, b"/ # ")]
    return p


def _fibers() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("k9py-exec-bb-")]


def test_sleep_blocks_the_line_until_the_virtual_clock_moves(c):
    p = _tty(c)
    p.feed(b"echo start; sleep 5; echo end\r")
    assert p.read() == [(STDOUT, b"echo start; sleep 5; echo end\r\nstart\r\n")]  # no prompt: still sleeping
    p.feed(b"pwd\r")                      # typed ahead: read once the line is done
    c.advance(4.9)
    assert p.read() == [] and not p.done
    c.advance(0.1)
    assert p.read() == [(STDOUT, b"end\r\n/ # pwd\r\n/\r\n/ # ")]
    p.feed(b"date +%s; sleep 10; date +%s\r")
    first = int(p.read()[0][1].split(b"\r\n")[1])
    c.advance(10)
    second = int(p.read()[0][1].split(b"\r\n")[0])
    assert second - first == 10           # the container saw ten seconds go by
    p.feed(b"exit\r")
    assert p.done and p.exit_code == 0 and _fibers() == []


def test_the_wall_clock_ends_a_sleep_while_the_cluster_clock_stands_still(c):
    """The explorer's shell: the virtual clock stops while the user owns the terminal."""
    timer = Timer()
    p = _tty(c, timer)
    p.feed(b"sleep 3 && echo woke\r")
    p.read()
    timer.t += 2.9
    assert p.read() == []
    timer.t += 0.1
    assert p.read() == [(STDOUT, b"woke\r\n/ # ")]


def test_ctrl_c_interrupts_the_sleep_and_the_rest_of_the_line(c):
    p = _tty(c)
    p.feed(b"sleep 100; echo never\r")
    p.read()
    p.feed(b"ls\x03echo $?\r")            # what was typed ahead is flushed by the interrupt
    assert p.read() == [(STDOUT, b"^C\r\n/ # echo $?\r\n130\r\n/ # ")]
    assert not p.done and _fibers() == []


def test_a_sleeping_loop_runs_on_until_interrupted(c):
    """`while true; ...; sleep 1; done` is not cut at the loop guard: time passes in each turn."""
    timer = Timer()
    p = _tty(c, timer)
    p.feed(b"i=0; while true; do i=$((i+1)); sleep 1; done\r")
    p.read()
    for _ in range(1200):
        timer.t += 1
        assert p.read() == []
    p.feed(b"\x03echo $i\r")
    assert p.read() == [(STDOUT, b"^C\r\n/ # echo $i\r\n1201\r\n/ # ")]


def test_exec_of_sleep_and_output_before_it(c):
    p = start_exec(c, "default", "bb", None, ["sh", "-c", "echo a; sleep 2; echo b; exit 3"], timer=Timer())
    assert p.read() == [(STDOUT, b"a\n")] and not p.done
    c.advance(2)
    assert p.read() == [(STDOUT, b"b\n")] and p.done and p.exit_code == 3
    p = start_exec(c, "default", "bb", None, ["sleep", "1m"], timer=Timer())
    c.advance(59)
    assert p.read() == [] and not p.done
    c.advance(1)
    assert p.read() == [] and p.done and p.exit_code == 0


def test_non_tty_input_waits_for_the_sleep_and_eof_cuts_it_short(c):
    p = start_exec(c, "default", "bb", None, ["sh"], stdin=True, timer=Timer())
    p.feed(b"sleep 5; echo one\necho two\n")
    assert p.read() == [] and not p.done
    c.advance(5)
    assert p.read() == [(STDOUT, b"one\ntwo\n")]
    p.feed(b"sleep 100; echo three\necho four\nsleep 100\n")
    p.close_stdin()                       # nothing will drive it any more: the rest runs at once
    assert p.read() == [(STDOUT, b"three\nfour\n")] and p.done and p.exit_code == 0
    assert _fibers() == []


def test_closing_a_terminal_hangs_the_sleeping_shell_up(c):
    p = _tty(c)
    p.feed(b"sleep 100\r")
    p.close_stdin()
    assert p.done and p.exit_code == 129 and _fibers() == []


def test_the_container_stopping_ends_a_sleeping_session(c):
    p = _tty(c)
    p.feed(b"sleep 100\r")
    p.read()
    signal_container(c, "default", "bb", "bb", 9)
    assert p.read() == [] and p.done and p.exit_code == 137
    assert _fibers() == []
