"""The kubeconfig credential plugins (``users[].user.exec``) running now, so that one that never
answers can be told of and stopped.

client-go gives a plugin all the time it takes (it may be waiting for a login in a browser), and
so does k9py; but a plugin that hangs (a dead VPN, a script that sleeps) held `:ctx` without a
word, and quitting then waited on its thread for ever with a blank screen. The plugin is run
through ``run``, which says on stderr that it is waited for when no UI is drawn (k9py starting,
``k9py record``), and ``stop`` ends the ones a caller gave up on (the app quitting, a `:ctx` left
for another): their run raises ``Stopped``.
"""

from __future__ import annotations

import contextvars
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

NOTICE_AFTER = 5.0  # seconds a plugin runs before k9py says it waits for it
POLL = 0.25  # how often the thread waiting on a plugin looks whether it was stopped


@dataclass(eq=False)
class Running:
    command: str
    started: float  # time.monotonic()
    owner: object | None
    process: subprocess.Popen[str] = field(repr=False)
    own_group: bool = False  # in a process group of its own (not sharing the terminal)
    stopped: bool = False


class Stopped(Exception):
    """The plugin was stopped by ``stop`` before it answered."""


_lock = threading.Lock()
_running: list[Running] = []
# who started the plugins run in this context (a `:ctx` switch: copied into asyncio.to_thread's thread)
owner: contextvars.ContextVar[object | None] = contextvars.ContextVar("k9py_exec_plugin_owner", default=None)


def running(of: object | None = None) -> list[Running]:
    """The plugins running now (``of``: those one owner started), oldest first."""
    with _lock:
        return [r for r in _running if of is None or r.owner is of]


def stop(of: object | None = None) -> int:
    """End the plugins running now (``of``: those one owner started), with what they started;
    how many were."""
    gone = running(of)
    for r in gone:
        r.stopped = True
        _kill(r)
    return len(gone)


def _kill(r: Running) -> None:
    try:
        if r.own_group:  # the shell script's `sleep` too: it holds the stdout pipe open
            os.killpg(r.process.pid, signal.SIGKILL)
        else:
            r.process.kill()
    except OSError:  # (it had just ended)
        pass


def run(args: list[str], *, interactive: bool, notice: Callable[[], str] | None,
        **popen: Any) -> tuple[subprocess.Popen[str], str, str]:
    """The plugin run to its end: the process, its stdout and stderr (None when it had the
    terminal's). ``notice``: what to print on stderr once it has run ``NOTICE_AFTER`` seconds
    (None: nothing, the UI is drawn there). ``Stopped`` if ``stop`` ended it.

    A plugin that may not have the terminal runs in a process group of its own, which ``stop``
    ends whole; one that has it stays in k9py's, where ctrl-c reaches it (a process group
    of its own would be stopped by the terminal as it read a login)."""
    process = subprocess.Popen(args, stdout=subprocess.PIPE,
                               stderr=None if interactive else subprocess.PIPE,
                               stdin=None if interactive else subprocess.DEVNULL,
                               text=True, errors="replace", process_group=None if interactive else 0, **popen)
    entry = Running(args[0] if args else "", time.monotonic(), owner.get(), process, own_group=not interactive)
    with _lock:
        _running.append(entry)
    noticed = notice is None
    try:
        while True:
            try:
                stdout, stderr = process.communicate(timeout=POLL)
                break
            except subprocess.TimeoutExpired:
                if entry.stopped:  # (a process it started that left the group still holds the pipe)
                    break
                if not noticed and time.monotonic() - entry.started >= NOTICE_AFTER:
                    noticed = True
                    assert notice is not None
                    print(f"k9py: {notice()}", file=sys.stderr, flush=True)
    finally:
        with _lock:
            _running.remove(entry)
        if process.poll() is None:  # (ctrl-c while k9py waited: it goes with k9py)
            _kill(entry)
    if entry.stopped:
        raise Stopped(f"exec: executable {entry.command} was stopped before it answered")
    return process, stdout, stderr
