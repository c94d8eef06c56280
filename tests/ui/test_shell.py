"""`s` shell and `a` attach in the simulator: the UI suspends, the container's simulated shell
runs on the terminal (a pty here), `exit` comes back to the same view; a picker for a pod with
several containers; what stops a shell is one line in the flash."""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import termios
import threading
import time

import pytest
from textual.drivers.headless_driver import HeadlessDriver

from k9py.sim.userland import start_exec
from k9py.ui import shell
from k9py.ui.screens.dialogs import NamePicker
from tests.sim.helpers import pod_manifest
from tests.sim.userland.helpers import busybox, cluster_with
from tests.ui.simcluster import flash, goto, run, settle

DEADLINE = 10.0


class Typist:
    """The person at the terminal: a pty whose other side the relay uses."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.seen = b""

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def wait_for(self, text: str) -> str:
        end = time.monotonic() + DEADLINE
        while text.encode() not in self.seen:
            left = end - time.monotonic()
            assert left > 0, f"never saw {text!r}; saw {self.seen!r}"
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                self.seen += os.read(self.master, 4096)
        return self.seen.decode(errors="replace")

    def close(self) -> None:
        os.close(self.master)
        os.close(self.slave)


@pytest.fixture
def typist():
    t = Typist()
    yield t
    t.close()


def test_relay_runs_a_simulated_shell_on_a_terminal_and_restores_it(typist):
    c = cluster_with(busybox())
    proc = start_exec(c, "default", "bb", None, ["sh"], tty=True, stdin=True)
    before = termios.tcgetattr(typist.slave)
    codes: list[int] = []
    t = threading.Thread(target=lambda: codes.append(shell.relay(proc, c.lock, typist.slave, typist.slave)))
    t.start()
    typist.wait_for("/ # ")
    typist.type("echo hi from $HOSTNAME\r")
    assert "hi from bb\r\n" in typist.wait_for("hi from bb\r\n/ # ")
    typist.type("exit 3\r")
    t.join(DEADLINE)
    assert codes == [3]
    assert termios.tcgetattr(typist.slave) == before  # raw mode undone


@pytest.fixture
def terminal_is(monkeypatch, typist):
    """The app's terminal is the typist's pty, and the headless driver may hand it over."""
    monkeypatch.setattr(HeadlessDriver, "can_suspend", property(lambda self: True))

    @contextlib.contextmanager
    def tty():
        yield typist.slave, typist.slave
    monkeypatch.setattr(shell, "terminal", tty)
    return typist


def person(typist: Typist, *lines: str) -> threading.Thread:
    """Types each line once the shell prompts for it (the app's thread runs the relay)."""
    def go() -> None:
        for line in lines:
            typist.wait_for("# ")
            typist.seen = b""
            typist.type(line + "\r")
    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t


def test_s_opens_a_shell_in_the_pod_and_exit_comes_back_to_the_view(terminal_is):
    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        title = app.title_text()
        typing = person(terminal_is, "cat /etc/hostname", "exit")
        await pilot.press("s")
        await settle(app, pilot)
        typing.join(DEADLINE)
        assert app.title_text() == title
        assert flash(app) == "shell default/counter (counter) ended"
    run(s)


def test_keys_typed_ahead_of_the_shell_are_its_input_not_the_tables_actions(terminal_is, monkeypatch):
    """`s` then `echo hi⏎` in one burst: the keys the app read before the shell opened are the
    shell's first input (a terminal keeps them so), never table actions run once it is back (the
    `e` edited the pod, `l` opened its logs, `o` its node)."""
    from textual import events

    monkeypatch.setenv("EDITOR", "false")

    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        title = app.title_text()

        def person() -> None:
            try:
                terminal_is.wait_for("\r\nhi\r\n")
            finally:
                terminal_is.type("exit\r")
        t = threading.Thread(target=person, daemon=True)
        t.start()
        for key, char in [("s", "s"), *[(c, c) for c in "echo"], ("space", " "), ("h", "h"), ("i", "i"),
                          ("enter", "\r")]:
            app.post_message(events.Key(key, char))  # one burst: all read before any is handled
        await settle(app, pilot)
        t.join(DEADLINE)
        await settle(app, pilot)
        assert "echo hi" in terminal_is.seen.decode()
        assert app.title_text() == title and len(app.screen_stack) == 1
        assert flash(app) == "shell default/counter (counter) ended"
    run(s)


def test_keys_the_terminal_read_still_on_their_way_to_the_app_are_the_shells_too(terminal_is, monkeypatch):
    """`s` then `echo hi⏎` in one burst, the app handling `s` before the input thread's keys reach
    its queue: they were lost to the shell (typed again by hand) and ran as the table's actions once
    it was back (the `e` of `echo` edited the pod). The keys the terminal read are the shell's."""
    from textual import events

    from k9py.ui.keyinput import KeysRead

    monkeypatch.setenv("EDITOR", "false")

    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        title = app.title_text()
        app._driver.keys_read = read = KeysRead()
        s_key = events.Key("s", "s")
        behind = [events.Key(c if c not in " \r" else {" ": "space", "\r": "enter"}[c], c) for c in "echo hi\r"]
        for key in [s_key, *behind]:
            read.add(key)  # the input thread read them all...
        loop = asyncio.get_running_loop()

        def person() -> None:
            try:
                terminal_is.wait_for("# ")
                for key in behind:  # ...and posts these to the app only now (they were on their way)
                    loop.call_soon_threadsafe(app.post_message, key)
                terminal_is.wait_for("\r\nhi\r\n")
            finally:
                terminal_is.type("exit\r")
        t = threading.Thread(target=person, daemon=True)
        t.start()
        app.post_message(s_key)
        await settle(app, pilot)
        t.join(DEADLINE)
        await settle(app, pilot)
        assert "echo hi" in terminal_is.seen.decode()
        assert app.title_text() == title and len(app.screen_stack) == 1
        assert flash(app) == "shell default/counter (counter) ended"
    run(s)


def test_a_pod_with_several_containers_asks_which_one(terminal_is):
    async def s(app, pilot, cluster):
        await goto(app, pilot, "web")
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, NamePicker)
        assert app.screen.containers == ["nginx", "sidecar"]
        typing = person(terminal_is, "cat /etc/os-release | head -1", "exit 2")
        await pilot.press("j", "enter")
        await settle(app, pilot)
        typing.join(DEADLINE)
        assert flash(app) == "shell default/web (sidecar) ended: exit 2"
    run(s)


def test_s_on_a_container_row_opens_the_shell_in_that_container(terminal_is):
    """enter on a pod, `s` on its second container: the shell runs there (the row's key,
    POD/CONTAINER, was taken for the container's name: "container web/sidecar is not valid")."""
    async def s(app, pilot, cluster):
        await goto(app, pilot, "web")
        await pilot.press("enter")
        await settle(app, pilot)
        await goto(app, pilot, "web/sidecar")
        typing = person(terminal_is, "exit 4")
        await pilot.press("s")
        await settle(app, pilot)
        typing.join(DEADLINE)
        assert flash(app) == "shell default/web (sidecar) ended: exit 4"
    run(s)


def test_a_pod_that_is_not_running_is_one_line_in_the_flash(terminal_is):
    async def s(app, pilot, cluster):
        cluster.create(pod_manifest("stuck", "busybox", command=["sleep", "1d"], nodeSelector={"nope": "x"}))
        await settle(app, pilot, 5)
        await goto(app, pilot, "stuck")
        await pilot.press("s")
        await settle(app, pilot)
        assert flash(app) == "default/stuck is not in a running state"  # k9s's words, before any exec
        assert len(app.screen_stack) == 1
    run(s)


def test_a_shell_in_an_image_without_one_says_the_runtimes_words(terminal_is):
    """coredns's image has no sh: the runtime's error went by on the handed-over terminal; the
    flash keeps it, not only the exit code."""
    async def s(app, pilot, cluster):
        cluster.create(pod_manifest("dns", "registry.k8s.io/coredns/coredns:v1.11.1"))
        await settle(app, pilot, 10)
        await goto(app, pilot, "dns")
        await pilot.press("s")
        await settle(app, pilot)
        assert 'exec: "sh": executable file not found in $PATH' in terminal_is.wait_for("unknown\r\n")
        assert flash(app) == ('no "sh" in the image (exec: executable file not found in $PATH): '
                              'shell default/dns (dns) ended, exit 126')
        assert len(app.screen_stack) == 1
    run(s)


def test_attach_to_a_container_without_stdin_points_to_its_logs(terminal_is):
    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        await pilot.press("a")
        await settle(app, pilot)
        assert "reads no terminal (stdin: false)" in flash(app)
    run(s)


def test_attach_talks_to_an_interactive_container(terminal_is):
    async def s(app, pilot, cluster):
        box = pod_manifest("box", "busybox", command=["sh"])
        box["spec"]["containers"][0].update(stdin=True, tty=True)
        cluster.create(box)
        await settle(app, pilot, 10)
        await goto(app, pilot, "box")
        typing = person(terminal_is, "echo attached", "exit")
        await pilot.press("a")
        await settle(app, pilot)
        typing.join(DEADLINE)
        assert flash(app) == "attach default/box (box) ended"
        await settle(app, pilot, 2)  # exit ended PID 1: the kubelet restarts the container
        assert cluster.store.get("Pod", "default", "box")["status"]["containerStatuses"][0]["restartCount"] == 1
    run(s)


def test_shell_is_not_offered_read_only(terminal_is):
    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        await pilot.press("s")
        await settle(app, pilot)
        assert "read-only" in flash(app)
    run(s, readonly=True)


def test_a_live_shell_that_fails_says_why_in_the_flash(capfd):
    """`kubectl exec` says on stderr why it failed, and the screen that comes back would wipe
    it: it is passed through and its last line kept (inert: no escape sequences)."""
    import sys

    script = "import sys; sys.stderr.write('Defaulted container\\nerror: unable to upgrade connection: \\x1b[31mpod gone\\n'); sys.exit(3)"
    code, said = shell.call_keeping_stderr([sys.executable, "-c", script], None)
    assert code == 3 and said.startswith("error: unable to upgrade connection: ") and "\x1b" not in said
    assert "unable to upgrade connection" in capfd.readouterr().err  # the terminal saw it too
    assert shell.call_keeping_stderr([sys.executable, "-c", "pass"], None) == (0, "")


def test_a_shell_starts_on_a_cleared_terminal_under_k9s_banner(terminal_is):
    """k9s clears the screen before a shell (what an earlier one printed is gone) and prints its
    banner naming the pod and container; attach clears it without the banner."""
    async def s(app, pilot, cluster):
        await goto(app, pilot, "counter")
        seen = []

        def go():
            seen.append(terminal_is.wait_for("/ # "))
            terminal_is.type("exit\r")
        t = threading.Thread(target=go, daemon=True)
        t.start()
        await pilot.press("s")
        await settle(app, pilot)
        t.join(DEADLINE)
        assert seen and seen[0].startswith("\x1b[H\x1b[2J\x1b[30;42;1m<<K9py-Shell>> Pod: default/counter | Container: counter")
    run(s)
    assert shell.banner("default", "web", "nginx", attach=True) == b"\x1b[H\x1b[2J"


def test_a_live_shells_exit_126_says_the_image_has_no_shell():
    """kubectl exec of a missing sh says only "command terminated with exit code 126" on stderr
    (Docker's words went to the terminal): the flash says what it means, first."""
    from k9py.ui.shell import not_started
    assert not_started(126, "command terminated with exit code 126", attach=False) == "no shell (sh) in the image"
    assert not_started(1, "command terminated with exit code 1", attach=False) is None
    assert not_started(126, "command terminated with exit code 126", attach=True) is None


def test_s_and_a_on_a_pod_not_running_say_so_as_k9s_and_open_no_terminal(terminal_is):
    """k9s's podIsRunning: a pod whose STATUS is not Running (a typo'd image backing off, a crash
    loop) gets no shell and no attach, one line in the flash instead of a handed-over terminal."""
    async def s(app, pilot, cluster):
        cluster.create(pod_manifest("typo", "nginx:1.14.22"))
        await settle(app, pilot, 10)
        await goto(app, pilot, "typo")
        assert cluster.store.get("Pod", "default", "typo")["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] in (
            "ErrImagePull", "ImagePullBackOff")
        await pilot.press("s")
        await settle(app, pilot)
        assert flash(app) == "default/typo is not in a running state"
        await pilot.press("a")
        await settle(app, pilot)
        assert flash(app) == "default/typo is not in a happy state"
        assert len(app.screen_stack) == 1 and terminal_is.seen == b""
    run(s)
