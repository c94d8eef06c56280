"""The user's plugins (plugins.yaml) on the resource view: their keys, the menu's and `?`'s
PLUGINS hints, and running one as k9s does.

- A plugin's key works in the views of its scopes. It cannot take a key a built-in action has in
  that view (k9s: "duplicate plugin key") unless it says ``override: true``; such a conflict is
  flashed once at start, naming plugins.yaml:LINE. Among plugins, the first in the file wins.
- On xray a plugin's key works on the selected node when its scopes name the node's kind (or
  ``all``), with $NAMESPACE, $NAME, $CONTAINER, $POD as for its table's row (k9s's xray); it
  cannot take a key xray has for that node unless it says ``override: true``.
- ``dangerous`` plugins are refused in read-only mode; ``inputs`` are asked for first
  (PluginInputsDialog: ``$INPUT_<NAME>``), then ``confirm`` asks (ConfirmScreen).
- Foreground plugins suspend the UI (``App.suspend``), run on the terminal and return to the UI
  when they end (k9s does not wait for a key either: end a pager with ``q``). One that fails
  keeps the terminal until a key is pressed, so what it wrote there (kubectl's "Error from
  server ...") is read before the UI covers it; its stderr is the terminal itself, untouched
  (a pager, an interactive shell need it so). Background ones run
  as asyncio subprocesses (stdin closed); their exit is flashed: ``plugin NAME: exit 0``, or the
  exit code and the last line of stderr.
- kubectl reaches the cluster shown: ``ui.local_api`` (the served simulator, or the live kubeconfig).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import termios
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

from textual.app import SuspendNotSupported

from k9py.config import keymap as keymap_file
from k9py.config import plugins as plugins_file
from k9py.config.plugins import Plugin
from k9py.explorer import plugins as core
from k9py.explorer.merged import MergedView
from k9py.explorer.plugins import Invocation, PluginError, Subject, Target
from k9py.ui.handover import terminal_handed_over
from k9py.ui.local_api import LocalApi
from k9py.ui.widgets import timeline
from k9py.view.kinds import ViewKind

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp

Hints = list[tuple[str, str]]
Say = Callable[..., None]  # (message, level): the flash of the view the plugin was run from


class PluginKeys:
    """One per app: ``handle(key)`` from the app's key routing, ``hints()`` for menu and help."""

    def __init__(self, app: K9pyApp) -> None:
        self.app = app
        self.local = LocalApi()
        self.procs: set[asyncio.subprocess.Process] = set()  # background plugins still running

    @property
    def plugins(self) -> list[Plugin]:
        return self.app.user.plugins

    # -- keys -----------------------------------------------------------------------------------
    def taken(self, view: ViewKind, key: str) -> str | None:
        """The built-in action ``key`` runs in ``view`` (config.keymap's ids, with the user's
        keymap; the replay keys while replaying), None: free for a plugin."""
        k = keymap_file.canonical(key)
        if k in keymap_file.FIXED:
            return "escape"
        for action in self.app.user.keymap.actions_on(k):
            if action not in keymap_file.ROW_VERBS or action in view.verbs:
                return action
        if timeline.hints(self.app.backend) and any(keymap_file.canonical(r[0]) == k for r in timeline.KEYS):
            return "replay"
        return None

    def bound(self, view: ViewKind, taken: Callable[[str], object] | None = None) -> dict[str, Plugin]:
        """Key → the plugin it runs in ``view`` (the first in the file; over a built-in action
        only with override). ``taken``: whether a key has a built-in action there (the table's
        by default; an xray's for its node)."""
        busy = taken or (lambda key: self.taken(view, key) is not None)
        out: dict[str, Plugin] = {}
        for p in core.for_view(self.plugins, view, self.app.session.extra_aliases()):
            if p.key not in out and (p.override or not busy(p.key)):
                out[p.key] = p
        return out

    def conflicts(self) -> list[str]:
        """``FILE:LINE: plugin NAME: ...`` for each key a plugin shares with a built-in action
        (without override) or an earlier plugin, in a view of its scopes (config.keymap's checker)."""
        return plugins_file.key_conflicts(self.plugins, self.app.user.keymap)

    def conflict_note(self) -> list[str]:
        """At start: the first conflict (and how many more) to flash with the other warnings."""
        found = self.conflicts()
        more = f" (+{len(found) - 1} more: k9py info lists them)" if len(found) > 1 else ""
        return [found[0] + more] if found else []

    def hints(self, view: ViewKind) -> Hints:
        """The PLUGINS hints of ``view`` (none for dangerous plugins in read-only mode)."""
        return [(p.label, p.description) for p in self.bound(view).values() if self.shown(p)]

    def shown(self, plugin: Plugin) -> bool:
        """Whether ``plugin`` is offered (menu, `?`): not a dangerous one in read-only mode."""
        return not (self.app.session.read_only and plugin.dangerous)

    def sections(self, view: ViewKind) -> list[tuple[str, Hints]]:
        """`?`'s PLUGINS section (none when the view has no plugin)."""
        found = self.hints(view)
        return [("PLUGINS", found)] if found else []

    def handle(self, key: str) -> bool:
        """A key on the resource view, or on a view offering its selection to plugins (xray's
        ``plugin_subject``): True when a plugin took it."""
        app = self.app
        if not self.plugins:
            return False
        if len(app.screen_stack) > 1:
            return self._handle_over(app.screen, key)
        if app.prompt.display:
            return False
        cur = app.current
        if cur is None:
            return False
        plugin = self.bound(cur.scope.view).get(key)
        if plugin is None:
            return False
        if isinstance(cur, MergedView):  # rows of several contexts: a plugin's kubectl reaches one
            app.flash(f"plugin {plugin.name}: merged contexts; `:ctx` to the row's context first", "warn")
            return True
        self.start(plugin)
        return True

    def _handle_over(self, screen: Any, key: str) -> bool:
        """``key`` on a pushed screen: a plugin of the selected node's kind (xray), unless a
        text box has the keys (the screen's `:` prompt, its filter)."""
        from textual.widgets import Input

        found = getattr(screen, "plugin_subject", None)
        if found is None or isinstance(self.app.focused, Input):
            return False
        subject: Subject | None = found()
        if subject is None:
            return False
        plugin = self.bound(subject.view, screen.takes).get(key)
        if plugin is None:
            return False
        app, on_screen = self.app, cast(Say, screen.flash)

        def say(message: str, level: str = "info") -> None:  # on the xray while it is shown
            (on_screen if app.screen is screen else app.flash)(message, level)
        self.start(plugin, subject, say=say)
        return True

    def expand(self, command: str) -> str:
        """A hotkey's ``command`` with k9s's variables replaced: the view's ($RESOURCE_NAME), the
        row's under the cursor ($NAMESPACE, $NAME, $COL-...) and the cluster's names ($CONTEXT);
        with no row, $NAMESPACE is the view's namespace."""
        if "$" not in command:
            return command
        app, cur = self.app, self.app.current
        if cur is None:
            return command
        info = app.session.backend.info()
        view = cur.scope.view
        env = core.variables(view, app.table.cursor_row, cur.model, Target("", info.context, info.cluster, info.user),
                             filter_text=cur.model.filter.text if cur.model else "", pod=cur.scope.pod,
                             api=app.session.backend.kinds() if view.discovered else ())
        env.setdefault("NAMESPACE", cur.scope.namespace)
        return core.substitute(command, env)

    # -- running --------------------------------------------------------------------------------
    def start(self, plugin: Plugin, subject: Subject | None = None, *, say: Say | None = None) -> None:
        """Check, expand, confirm, then run ``plugin`` on ``subject`` (None: the row under the
        table's cursor); ``say``: where what it says is flashed (the app's flash by default)."""
        app = self.app
        say = say or app.flash
        session = app.session
        if plugin.dangerous and session.read_only:
            say(f"plugin {plugin.name} is dangerous: refused in read-only mode", "warn")
            return
        if subject is None:
            cur, row = app.current, app.table.cursor_row
            if cur is None or row is None:
                say(f"plugin {plugin.name}: no row selected", "warn")
                return
            subject = Subject(cur.scope.view, row, cur.model, cur.scope.pod, cur.model.filter.text if cur.model else "")
        try:
            target = self.local.target(session.backend, session.read_only)
        except OSError as err:
            say(f"plugin {plugin.name}: cannot serve the cluster to kubectl: {err}", "error")
            return
        if target is None:
            say(f"plugin {plugin.name}: plugins need a simulator or a live cluster", "warn")
            return
        view = subject.view
        api = session.backend.kinds() if view.discovered else ()
        env = core.variables(view, subject.row, subject.model, target, filter_text=subject.filter_text,
                             pod=subject.pod, api=api)
        if plugin.inputs:  # k9s asks for them first, then confirms (a plugin with inputs asks by default)
            from k9py.ui.screens.dialogs import PluginInputsDialog  # lazily: not needed for the first frame

            def given(values: dict[str, str] | None) -> None:
                if values is not None:
                    self.confirm(plugin, env, target, values, say)
            app.push_screen(PluginInputsDialog(plugin), given)
            return
        self.confirm(plugin, env, target, None, say)

    def confirm(self, plugin: Plugin, env: dict[str, str], target: Target, inputs: dict[str, str] | None,
                say: Say | None = None) -> None:
        """Expand the plugin's arguments (with the inputs' values), ask when it confirms, run it."""
        say = say or self.app.flash
        try:
            inv = core.invocation(plugin, env, target, inputs)
        except PluginError as err:
            say(f"plugin {plugin.name}: {err}", "error")
            return
        if plugin.asks:
            from k9py.ui.screens.dialogs import ConfirmScreen  # lazily: not needed for the first frame

            def answered(ok: bool | None) -> None:
                if ok:
                    self.execute(plugin, inv, say)
            self.app.push_screen(ConfirmScreen(f"Confirm {plugin.description}", f"Run?\n{inv.text}"), answered)
            return
        self.execute(plugin, inv, say)

    def execute(self, plugin: Plugin, inv: Invocation, say: Say | None = None) -> None:
        if plugin.background:
            self.app.run_worker(self.background(plugin, inv, say), group="plugins")
        else:
            self.foreground(plugin, inv, say)

    def foreground(self, plugin: Plugin, inv: Invocation, say: Say | None = None) -> int | None:
        """Suspend the UI, run on the terminal, come back; the exit code (None: did not run)."""
        app = self.app
        say = say or app.flash
        env = {**os.environ, **inv.env}
        try:
            with terminal_handed_over(app), _sigint_to_child():
                code = _wait_all(_spawn(inv, env))
                if code > 0 and code != INTERRUPTED and self.holds():  # not when ctrl-c stopped it (stern -f)
                    hold(f"plugin {plugin.name}: exit {code} — press any key to go back to k9py")
        except SuspendNotSupported:
            say(f"plugin {plugin.name}: this terminal cannot be handed over (try background: true)", "error")
            return None
        except OSError as err:
            say(f"plugin {plugin.name}: {inv.argv[0]}: {err.strerror or err}", "error")
            return None
        if code:
            say(f"plugin {plugin.name}: exit {code}", "error")
        else:
            say(f"plugin {plugin.name}: exit 0")
        return code

    def holds(self) -> bool:
        """Whether a failed foreground plugin waits for a key: on a real terminal only."""
        return not self.app.is_headless

    async def background(self, plugin: Plugin, inv: Invocation, say: Say | None = None) -> int | None:
        """Run with stdin closed and the output collected; flash how it ended."""
        say = say or self.app.flash
        env = {**os.environ, **inv.env}
        procs: list[asyncio.subprocess.Process] = []
        try:
            procs = await _spawn_async(inv, env)
            self.procs.update(procs)
            results = await asyncio.gather(_kept(procs[-1].stdout, head=True),
                                           *(_kept(p.stderr, head=False) for p in procs))
            codes = [await p.wait() for p in procs]
        except OSError as err:
            say(f"plugin {plugin.name}: {inv.argv[0]}: {err.strerror or err}", "error")
            return None
        finally:
            for p in procs:
                self.procs.discard(p)
                if p.returncode is None:
                    with contextlib.suppress(ProcessLookupError):
                        p.kill()
        out, errs = results[0].decode(errors="replace"), [e.decode(errors="replace") for e in results[1:]]
        code = next((c for c in codes if c), 0)
        if code:
            last = next((ln.strip() for e in reversed(errs) for ln in reversed(e.splitlines()) if ln.strip()), "")
            say(f"plugin {plugin.name}: exit {code}" + (f": {last}" if last else ""), "error")
        elif plugin.overwrite_output and out.strip():
            say(next(ln.strip() for ln in out.splitlines() if ln.strip()))
        else:
            say(f"plugin {plugin.name}: exit 0")
        return code

    def close(self) -> None:
        """The app exits: background plugins are killed, the served cluster stops."""
        for p in list(self.procs):
            if p.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    p.kill()
        self.local.close()


# -- helpers -------------------------------------------------------------------------------------
def _spawn(inv: Invocation, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    """The command and its pipes, on the terminal (stdin of the first, stdout of the last)."""
    procs: list[subprocess.Popen[bytes]] = []
    stages = [inv.argv, *inv.pipes]
    try:
        for i, argv in enumerate(stages):
            last = i == len(stages) - 1
            stdin = procs[-1].stdout if procs else None
            procs.append(subprocess.Popen(argv, env=env, stdin=stdin, stdout=None if last else subprocess.PIPE))
            if stdin is not None:
                stdin.close()  # the next stage holds it; the previous one gets SIGPIPE when it ends
    except OSError:
        for p in procs:
            p.kill()
            p.wait()
        raise
    return procs


INTERRUPTED = 128 + signal.SIGINT  # a shell's exit when ctrl-c stopped what it ran


def hold(message: str) -> None:
    """Say ``message`` on the terminal and wait for one key there (its echo off, as a pager
    does): the failed command's output stays readable until then. Nothing without a terminal."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return
    try:
        old = termios.tcgetattr(fd)
        new = list(old)
        new[3] &= ~(termios.ICANON | termios.ECHO | termios.ISIG)  # ctrl-c is a key here too
        new[6] = list(new[6])
        new[6][termios.VMIN], new[6][termios.VTIME] = 1, 0  # one key (VMIN is VEOF's slot when canonical)
        termios.tcsetattr(fd, termios.TCSANOW, new)
        try:
            text = "".join(c for c in message if c.isprintable())  # a name with escapes: shown, not run
            os.write(fd, f"\r\n\x1b[7m {text} \x1b[0m".encode())
            os.read(fd, 1)
        finally:
            termios.tcsetattr(fd, termios.TCSANOW, old)
    except (OSError, termios.error):
        pass
    finally:
        os.close(fd)


def _wait_all(procs: list[subprocess.Popen[bytes]]) -> int:
    codes = [p.wait() for p in procs]
    return next((c for c in codes if c), 0)


@contextlib.contextmanager
def _sigint_to_child() -> Iterator[None]:
    """While a foreground plugin runs, ctrl-c is its (the terminal sends SIGINT to both): k9py
    ignores it with a handler (not SIG_IGN, which the child would inherit)."""
    try:
        old = signal.signal(signal.SIGINT, lambda *_: None)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


async def _spawn_async(inv: Invocation, env: dict[str, str]) -> list[asyncio.subprocess.Process]:
    """The command and its pipes: stdin closed, stdout of the last and every stderr collected."""
    procs: list[asyncio.subprocess.Process] = []
    stages = [inv.argv, *inv.pipes]
    read_fd: int | None = None  # the read end of the pipe into the next stage
    try:
        for i, argv in enumerate(stages):
            last = i == len(stages) - 1
            r, w = (None, None) if last else os.pipe()
            try:
                procs.append(await asyncio.create_subprocess_exec(
                    *argv, env=env, stdin=subprocess.DEVNULL if read_fd is None else read_fd,
                    stdout=subprocess.PIPE if last else w, stderr=subprocess.PIPE))
            except OSError:
                if r is not None:
                    os.close(r)
                raise
            finally:
                if read_fd is not None:
                    os.close(read_fd)
                if w is not None:
                    os.close(w)
            read_fd = r
    except OSError:
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                p.kill()
        raise
    return procs


KEPT_OUTPUT = 64 * 1024  # bytes of a background plugin's stdout (its start) and stderr (its end) kept


async def _kept(stream: asyncio.StreamReader | None, *, head: bool) -> bytes:
    """All of ``stream`` read (the plugin never blocks on a full pipe) but only what the flash
    can show kept: its first KEPT_OUTPUT bytes (``head``) or its last. A plugin printing without
    end (`yes`, `kubectl logs -f`) grew the app's memory without end."""
    if stream is None:
        return b""
    kept = b""
    while chunk := await stream.read(1 << 16):
        if head:
            if len(kept) < KEPT_OUTPUT:
                kept += chunk[:KEPT_OUTPUT - len(kept)]
        else:
            kept = (kept + chunk)[-KEPT_OUTPUT:]
    return kept
