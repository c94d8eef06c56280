"""Actions on the resource view's current (or marked) rows, k9s keys, all through the Backend
protocol (a read-only backend refuses them; in ``--readonly`` they are not offered at all):

`ctrl-d` delete (dialog: propagation, grace period, force), `ctrl-k` kill (grace 0), `s` scale,
`r` rollout restart, `i` set image, `ctrl-l` rollback (ReplicaSets), nodes `c`/`u`/`r`
(cordon / uncordon / drain dialog), cronjobs `t` trigger and `s` suspend/resume, `e` edit in
``$KUBE_EDITOR``/``$EDITOR``. Every action flashes success or the backend's error.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from k9py.errors import K9pyError
from k9py.kube import meta, podcontainers, selectors
from k9py.ui.screens.dialogs import (
    ConfirmScreen,
    DeleteDialog,
    DrainDialog,
    ImageDialog,
    RenameDialog,
    ScaleScreen,
    TypedConfirmDialog,
)
from k9py.view import yaml_text
from k9py.view.rows import container_name

if TYPE_CHECKING:
    from k9py.explorer.edit import EditSession, Reopen
    from k9py.explorer.resource_view import ResourceView
    from k9py.explorer.session import Session
    from k9py.ui.app import K9pyApp
    from k9py.view.kinds import ViewKind
    from k9py.view.rows import Row

Obj = dict[str, Any]


# -- running actions ---------------------------------------------------------------------------
def _where(ns: str, name: str) -> str:
    return f"{ns}/{name}" if ns else name


async def run(app: K9pyApp, label: str, call: Callable[[], Awaitable[Any]], success: str) -> bool:
    """Await a backend call; flash ``success`` or the backend's error."""
    try:
        await call()
    except K9pyError as err:
        app.flash(str(err), "error")
        return False
    except Exception as err:  # a backend bug must not kill the UI
        app.flash(f"{label} failed: {err}", "error")
        return False
    app.flash(success)
    return True


T = TypeVar("T")
K = TypeVar("K")


async def each_of(app: K9pyApp, keys: list[K], call: Callable[[K], Awaitable[Any]], label: Callable[[K], str],
                  did: str) -> None:
    """``call`` for every marked row, each tried: one that fails stops none (k9s flashes each
    error and goes on, as ``kubectl drain a b``'s "continuing command..."). Each failure is
    flashed as it comes, naming its row as ``label`` does unless its message says it already;
    at the end a K9pyError says how many were ``did`` (restarted, drained...), the first
    failure and the others that failed. ``call`` holds the rows' backend, taken when the action
    was asked (``app.backend`` is the focused pane's: it may be another context's by the next row)."""
    failed: list[tuple[str, str]] = []
    for key in keys:
        try:
            await call(key)
        except K9pyError as err:
            name, text = label(key), str(err)
            failed.append((name, text if name in text else f"{name}: {text}"))
            app.flash(failed[-1][1], "error")
    if failed:
        (_, first), *rest = failed
        also = f"; {', '.join(name for name, _ in rest)} failed too" if rest else ""
        raise K9pyError(f"{len(keys) - len(failed)} of {len(keys)} {did}; {first}{also}")


def answered(app: K9pyApp, handle: Callable[[T], Coroutine[Any, Any, None]]) -> Callable[[T], None]:
    """A dialog's answer handled in a task of its own (``K9pyApp.run_answer``). Awaited as the
    dialog's callback, its backend calls (a delete of 20 marked pods on a remote cluster: a
    second) held the App's message queue, and with it every key typed meanwhile."""
    def start(answer: T) -> None:
        app.run_answer(handle(answer))
    return start


def delete(app: K9pyApp, view: ViewKind, keys: list[tuple[str, str]], *, kill: bool = False) -> None:
    what = _where(keys[0][0], keys[0][1]) if len(keys) == 1 else f"{len(keys)} marked {view.name}"
    asked = f"{view.kind.lower() or view.name} {what}" if len(keys) == 1 else what  # "pod default/x", "2 marked pods"
    question = f"Delete {asked}?"
    m = app.model
    if len(keys) > 1 and m is not None and not m.filtering:  # k9s: the marked rows a filter hides are said
        hidden = sum(1 for k in keys if m.index_of(k) is None)
        if hidden:
            question += f" ({hidden} currently hidden by filter)"

    table = app.table
    marks = table.marked  # the view's own set: marks made while the calls go out stay
    backend = app.backend  # the rows' cluster, whatever pane or context is focused while the calls go out

    async def go(opts: Obj | bool | None) -> None:  # the dialog answers its options (or None)
        if not isinstance(opts, dict):
            return
        errors = []
        for ns, name, *_ in keys:  # (a workloads row's key holds its kind third)
            try:
                await backend.delete(view.kind, ns or None, name, grace_period=opts.get("grace_period"),
                                     propagation=opts.get("propagation"))
            except K9pyError as err:
                errors.append(str(err))
        marks.difference_update(keys)
        table.refresh()
        if errors:
            app.flash(errors[0] if len(errors) == 1 else f"{len(errors)} failed: {errors[0]}", "error")
        else:
            verb = "Kill" if kill else "Delete"  # k9s: "Delete resource v1/pods ns/x", "Delete 2 marked v1/pods"
            app.flash(f"{verb} resource {view.name} {what}" if len(keys) == 1 else f"{verb} {what}")

    if kill:  # k9s: ctrl-k kills at once (grace period 0), no dialog
        app.run_answer(go({"grace_period": 0, "propagation": "Background"}))
        return
    app.push_screen(DeleteDialog("<Delete>", question), answered(app, go))


def scale(app: K9pyApp, view: ViewKind, row: Row, keys: list[tuple[str, str]] | None = None) -> None:
    """`s`: the cursor's row, or the marked ones (k9s's GetSelectedItems): one marked row is
    scaled from its own count, several to one count (offered 0 then)."""
    kind, (ns, name) = view.kind, row.key
    backend = app.backend  # the rows' cluster (not the one focused when the answer comes)
    several = keys is not None and len(keys) > 1
    if keys is not None and len(keys) == 1 and keys[0] != row.key:  # one mark, the cursor elsewhere
        marked_row = app.current.row(keys[0]) if app.current is not None else None
        if marked_row is not None:
            row, (ns, name) = marked_row, keys[0]
        else:
            several = True  # (not in the view now: asked as marked rows are, to one count)
    if keys is not None and several:
        marked = list(keys)

        async def every(replicas: int | None) -> None:
            if replicas is None:
                return

            async def each() -> None:
                for kns, kname in marked:
                    await backend.scale(kind, kns, kname, replicas)
            await run(app, "scale", each, f"Scaling {len(marked)} {view.name} to {replicas}")

        app.push_screen(ScaleScreen(f"<Scale> {len(marked)} marked {view.name}", 0), answered(app, every))
        return
    current = int((row.obj.get("spec") or {}).get("replicas", 1))

    async def done(replicas: int | None) -> None:
        if replicas is None:
            return
        await run(app, "scale", lambda: backend.scale(kind, ns, name, replicas),
                  f"Scaling {view.name} {_where(ns, name)} to {replicas}")

    app.push_screen(ScaleScreen(f"<Scale> {_where(ns, name)}", current), answered(app, done))


def confirm_then(app: K9pyApp, title: str, message: str, label: str,
                 call: Callable[[], Awaitable[Any]], success: str) -> None:

    async def done(ok: bool | None) -> None:
        if ok:
            await run(app, label, call, success)

    app.push_screen(ConfirmScreen(title, message), answered(app, done))


def restart(app: K9pyApp, view: ViewKind, keys: list[tuple[str, str]]) -> None:
    """`r`: the cursor's workload, or every marked one (k9s's "Restart deployment NS/NAME?",
    "Restart 3 deployments?")."""
    kind, backend = view.kind, app.backend  # the rows' cluster, for every row
    if not keys:
        return
    if len(keys) == 1:
        (ns, name), = keys
        confirm_then(app, "<Restart>", f"Restart {kind.lower()} {_where(ns, name)}?", "restart",
                     lambda: backend.restart(kind, ns, name), f"{kind} {_where(ns, name)} restarted")
        return

    async def each() -> None:  # each one tried, as k9s's restart of marked rows (one gone stops none)
        await each_of(app, keys, lambda k: backend.restart(kind, *k), lambda k: _where(*k), "restarted")
    confirm_then(app, "<Restart>", f"Restart {len(keys)} {view.name}?", "restart", each,
                 f"{len(keys)} {view.name} restarted")


def set_image(app: K9pyApp, view: ViewKind, row: Row) -> None:
    kind, (ns, name), backend = view.kind, row.key, app.backend
    ps = podcontainers.pod_spec(row.obj)
    containers = [(c.get("name", ""), c.get("image", "")) for c in (ps.get("initContainers") or []) + (ps.get("containers") or [])]
    if not containers:
        app.flash(f"{name} has no containers", "warn")
        return

    async def done(images: dict[str, str] | None) -> None:
        if images is None:
            return
        if not images:
            app.flash("no image changed", "warn")
            return
        await run(app, "set image", lambda: backend.set_image(kind, ns, name, images),
                  f"Set image of {view.name} {_where(ns, name)}: " + ", ".join(f"{c}={i}" for c, i in images.items()))

    app.push_screen(ImageDialog(f"<Set image> {_where(ns, name)}", containers), answered(app, done))


def rollback(app: K9pyApp, row: Row) -> None:
    ns, name = row.key
    owner = (meta.controller_ref(row.obj) or {}).get("name", "?")
    revision = meta.annotations(row.obj).get("deployment.kubernetes.io/revision", "?")
    backend = app.backend
    confirm_then(app, "<Rollback>", f"Roll deployment {owner} back to revision {revision} ({name})?", "rollback",
                 lambda: backend.rollback(ns, name), f"Rolled back deployment {ns}/{owner} to {name}")


def cordon(app: K9pyApp, keys: list[tuple[str, str]], on: bool) -> None:
    """`c`/`u`: the marked nodes (else the cursor's), each tried (k9s flashes a node's error and
    goes on), asked as k9s asks ("Cordon n1?", "Cordon (3) marked nodes?")."""
    verb = "cordon" if on else "uncordon"
    names = [k[1] for k in keys]
    backend = app.backend  # the nodes' cluster, for every node

    async def go() -> None:
        await each_of(app, names, backend.cordon if on else backend.uncordon, lambda n: f"node {n!r}",
                      f"{verb}ed")

    what = names[0] if len(names) == 1 else f"({len(names)}) marked nodes"
    confirm_then(app, f"<{verb.capitalize()}>", f"{verb.capitalize()} {what}?", verb, go,
                 f"node/{what} {verb}ed" if len(names) == 1 else f"{what} {verb}ed")


def drain(app: K9pyApp, keys: list[tuple[str, str]]) -> None:
    """k9s's drain: the marked nodes (else the one under the cursor), one after the other, each
    tried (k9s flashes a node's error and drains the next), asked as k9s asks ("Drain n1?",
    "Drain (3) nodes?") and told as its progress tells ("Node n1 drained!"). An eviction a
    PodDisruptionBudget refuses is flashed in kubectl's words each time it is asked again; `r`
    on a node of a drain still going on cancels that drain instead (as `b` a benchmark)."""
    names = [k[1] for k in keys]
    what = f"node {names[0]}" if len(names) == 1 else f"({len(names)}) nodes"
    backend = app.backend  # the nodes' cluster: a drain goes on there whatever pane or context is focused
    if (canceled := app.cancel_drains(backend, names)) is not None:  # `r` again: stop it (as `b` a benchmark)
        app.flash(canceled, "warn")
        return
    key = (app.user.keymap.label("drain") or "<r>")[1:-1]

    def retrying(node: str) -> Callable[[str], None]:
        def say(line: str) -> None:  # kubectl's "error when evicting pods/... (will retry after 5s): ..."
            if app.is_running:
                app.flash(f"Draining node {node} ({key} cancels): {line}", "warn")  # (the cut is at the end)
        return say

    def start(opts: Obj | None) -> None:
        if opts is None:
            return

        async def go() -> None:
            await each_of(app, names, lambda n: backend.drain(n, **opts, on_retry=retrying(n)),
                          lambda n: f"node {n!r}", "drained")

        async def job() -> None:
            await run(app, "drain", go, f"Node {names[0]} drained!" if len(names) == 1 else f"{what} drained!")

        app.drains[app.run_answer(job())] = (backend, frozenset(names), what)

    shown = names[0] if len(names) == 1 else what
    app.push_screen(DrainDialog(f"<Drain> {shown}", f"Drain {shown}?"), start)


def trigger(app: K9pyApp, keys: list[tuple[str, str]]) -> None:
    """`t`: a job from the cursor's cronjob, or from every marked one (k9s's "Trigger 3 CronJobs?",
    each tried: one that fails stops none)."""
    if not keys:
        return
    backend = app.backend  # the cronjobs' cluster, for every one
    if len(keys) == 1:
        (ns, name), = keys
        created: list[Obj] = []

        async def call() -> None:
            created.append(await backend.trigger(ns, name))

        async def done(ok: bool | None) -> None:
            if ok and await run(app, "trigger", call, ""):
                app.flash(f"Triggered job {ns}/{meta.name(created[0])} from cronjob {name}")

        app.push_screen(ConfirmScreen("<Trigger>", f"Trigger cronjob {_where(ns, name)}?"), answered(app, done))
        return

    async def each() -> None:
        await each_of(app, keys, lambda k: backend.trigger(*k), lambda k: f"cronjob {_where(*k)}", "triggered")
    confirm_then(app, "<Trigger>", f"Trigger {len(keys)} cronjobs?", "trigger", each,
                 f"Triggered a job from each of {len(keys)} cronjobs")


def transfer(app: K9pyApp, row: Row) -> None:
    """k9s's `t` on a pod: copy files from or to one of its containers (``ui.transfer``)."""
    from k9py.ui import transfer as tx
    tx.start(app, row)


def bench_service(app: K9pyApp, row: Row) -> None:
    """k9s's `b` on a service: an HTTP load through its node port (``ui.service_bench``)."""
    from k9py.ui import service_bench
    service_bench.toggle(app, row)


SANITIZE_PHRASE = "Yes Please!"  # k9s's magic prompt


def sanitize(app: K9pyApp, view: ResourceView) -> None:
    """k9s's `z` on pods: every pod of the view's namespace (every namespace's across them) whose
    STATUS is done or failing deleted at once, once "Yes Please!" is typed. The pods are listed
    and judged again then, as k9s does: one that recovered while the dialog was open stays."""
    from k9py.view.faults import sanitized

    ns = view.namespace or ""
    backend, table = app.backend, app.table  # the view's cluster: its pods are judged and deleted there

    async def judged() -> list[Obj]:
        return sanitized(await backend.list("Pod", ns or None))

    async def go() -> None:
        try:
            pods = await judged()
        except K9pyError as err:
            app.flash(f"sanitize: {err}", "error")
            return
        where = f"namespace {ns}" if ns else "every namespace"
        if not pods:
            app.flash(f"Nothing to sanitize: no pod in {where} is completed or failing")
            return

        async def done(ok: bool | None) -> None:
            if not ok:
                return
            deleted, errors = 0, []
            try:
                pods = await judged()
            except K9pyError as err:
                app.flash(f"sanitize: {err}", "error")
                return
            for pod in pods:
                try:
                    await backend.delete("Pod", meta.namespace(pod) or None, meta.name(pod), grace_period=0)
                    deleted += 1
                except K9pyError as err:
                    errors.append(str(err))
            table.refresh()
            if errors:
                app.flash(f"Sanitized {deleted} pods; {len(errors)} failed: {errors[0]}", "error")
            else:
                app.flash(f"Sanitized {deleted} pods")

        message = (f"Sanitize deletes all pods in completed/error state: {len(pods)} in {where}.\n"
                   f"Please enter {SANITIZE_PHRASE} to proceed.")
        app.push_screen(TypedConfirmDialog("<Sanitize>", message, SANITIZE_PHRASE), answered(app, done))

    app.run_worker(go(), exclusive=False)


def suspend(app: K9pyApp, row: Row) -> None:
    ns, name = row.key
    suspended = bool((row.obj.get("spec") or {}).get("suspend"))
    verb = "Resume" if suspended else "Suspend"
    backend = app.backend
    confirm_then(app, f"<{verb}>", f"{verb} cronjob {_where(ns, name)}?", verb.lower(),
                 lambda: backend.suspend(ns, name, not suspended),
                 f"cronjob {_where(ns, name)} {'resumed' if suspended else 'suspended'}")


# -- edit --------------------------------------------------------------------------------------
def editor_command() -> list[str]:
    """kubectl's choice: ``KUBE_EDITOR``, else ``EDITOR``, else vi (a blank one counts as unset);
    K9pyError for one that cannot be read as a command line (an unclosed quote)."""
    raw = (os.environ.get("KUBE_EDITOR") or "").strip() or (os.environ.get("EDITOR") or "").strip() or "vi"
    try:
        return shlex.split(raw)
    except ValueError as err:
        raise K9pyError(f"edit: the editor {raw!r} (KUBE_EDITOR or EDITOR) cannot be read: {err}") from None


def edit_file(app: K9pyApp, path: str) -> int:
    """The user's editor on ``path`` with the app suspended; its exit code. K9pyError when the
    editor cannot be started at all."""
    from textual.app import SuspendNotSupported

    from k9py.ui.handover import terminal_handed_over

    cmd = [*editor_command(), path]
    try:
        try:
            with terminal_handed_over(app):
                return subprocess.call(cmd)
        except SuspendNotSupported:  # headless (tests): just run it
            return subprocess.call(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
    except OSError as err:
        raise K9pyError(f"edit: cannot start the editor {cmd[0]!r}: {err.strerror or err} "
                        "(KUBE_EDITOR or EDITOR names it)") from None


def run_editor(app: K9pyApp, text: str, suffix: str = ".yaml") -> str | None:
    """Open ``text`` in the user's editor with the app suspended; the saved text, or None if
    the editor failed. K9pyError when the editor cannot be started at all or left no file to
    read; ``NotUtf8`` (the text read byte for byte) when it saved another encoding."""
    from k9py.explorer.edit import NotUtf8

    editor_command()  # (a K9pyError before any file is made)
    fd, path = tempfile.mkstemp(prefix="k9py-edit-", suffix=suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if edit_file(app, path) != 0:
            return None
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError as err:  # deleted, replaced by a folder...: kubectl's "error: open FILE: ..."
            raise K9pyError(f"edit: cannot read what the editor saved: open {path}: "
                            f"{(err.strerror or str(err)).lower()}: edit cancelled, no changes made") from None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise NotUtf8(raw.decode("latin-1"), raw.count(b"\n", 0, err.start) + 1, raw[err.start]) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


def edit(app: K9pyApp, view: ViewKind, row: Row) -> None:
    """kubectl edit (``k9py.explorer.edit``): the latest object in the editor; on save, the
    change as a patch against the server's latest object; on error, a dialog offers to reopen
    the user's own text with the error as a comment on top (nothing lost)."""
    from k9py.explorer.edit import Done, EditSession, NotUtf8, Reopen  # only when `e` is pressed: not at start-up
    ns, name = row.key[0], row.key[1]
    backend = app.backend  # the row's cluster: the patch goes where the object was read

    async def start() -> None:
        try:
            obj = await backend.get(view.kind, ns or None, name)
            session = EditSession(obj, view_name=view.name)
        except K9pyError as err:
            app.flash(str(err), "error")
            return
        await attempt(session, session.buffer)

    async def attempt(session: EditSession, text: str) -> None:
        try:
            saved = run_editor(app, text)
        except K9pyError as err:
            app.flash(str(err), "error")
            return
        except NotUtf8 as err:  # re-opened as UTF-8, the error on top: nothing of it lost
            app.refresh()
            reopen(session, session.not_utf8(err))
            return
        app.refresh()
        step = session.saved(saved)
        if not isinstance(step, Done | Reopen):
            try:
                await backend.patch(session.kind, session.namespace or None, session.name, step.patch,
                                        patch_type=step.patch_type)
            except K9pyError as err:
                step = session.rejected(err)
            else:
                app.flash(f"{view.name} {_where(ns, name)} edited")
                return
        if isinstance(step, Done):
            app.flash(step.message, step.level)
            return
        reopen(session, step)

    def reopen(session: EditSession, step: Reopen) -> None:
        app.flash(step.message, "error")

        async def again(ok: bool | None) -> None:
            if ok:
                await attempt(session, step.buffer)

        app.push_screen(ConfirmScreen("<Edit failed>", f"{step.message}\n\nRe-open the editor with your changes?",
                                      ok_first=True), again)  # (cancel drops the user's edits)

    app.run_worker(start(), exclusive=False)


# -- the resource view's keys -------------------------------------------------------------------
def perform(app: K9pyApp, verb: str, view: ResourceView, row: Row | None) -> None:
    """Run ``verb`` (an id of ``k9py.explorer.keys.VERBS`` the view supports and the session
    allows) on the cursor's row or the marked rows."""
    kind = view.scope.view
    if verb in ("describe", "yaml", "logs", "previous", "values"):
        open_view(app, verb)
        return
    if verb == "sanitize":  # the namespace's pods, whatever rows a filter leaves
        sanitize(app, view)
        return
    if row is None:
        return
    from k9py.explorer.workloads import WorkloadsView, view_of
    from k9py.view.workload_rows import key_kind
    if isinstance(view, WorkloadsView) and verb == "edit":  # the cursor's row, of its own kind
        kind = view_of(key_kind(row.key))
    elif isinstance(view, WorkloadsView) and verb == "delete":  # the marked rows', of one kind
        kinds = {key_kind(k) for k in app.targets()}
        if len(kinds) > 1:
            app.flash(f"{verb}: the marked rows are of several kinds: mark rows of one kind", "warn")
            return
        kind = view_of(kinds.pop()) if kinds else kind
    if kind.name == "helm" and verb == "delete":  # helm uninstall
        from k9py.ui.screens import helm
        helm.uninstall(app, view, app.targets())
        return
    if kind.name == "contexts" and verb in ("rename", "delete"):  # the kubeconfig's entry
        (rename_context if verb == "rename" else delete_context)(app, row.key[1])
        return
    if verb == "helm_rollback":
        from k9py.ui.screens import helm
        helm.rollback(app, view, row)
        return
    handlers: dict[str, Callable[[], None]] = {
        "delete": lambda: delete(app, kind, app.targets()),
        "kill": lambda: delete(app, kind, app.targets(), kill=True),
        "edit": lambda: edit(app, kind, row),
        "scale": lambda: scale(app, kind, row, app.targets()),
        "restart": lambda: restart(app, kind, app.targets()),
        "image": lambda: set_image(app, kind, row),
        "rollback": lambda: rollback(app, row),
        "cordon": lambda: cordon(app, app.targets(), True),
        "uncordon": lambda: cordon(app, app.targets(), False),
        "drain": lambda: drain(app, app.targets()),
        "trigger": lambda: trigger(app, app.targets()),
        "transfer": lambda: transfer(app, row),
        "bench": lambda: bench_service(app, row),
        "releases": app.pane.action_drill,  # k9s's `r` on a helm release: its history, as enter
        "suspend": lambda: suspend(app, row),
        "copy": lambda: copy_name(app, row),
        "copy_namespace": lambda: copy_namespace(app, row),
        "shell": lambda: app.shells.start(kind, row),
        "attach": lambda: app.shells.start(kind, row, attach=True),
        "port_forward": lambda: app.port_forwards.start(kind, row),
        "show_port_forward": lambda: app.port_forwards.show(kind, row),
        "used_by": lambda: used_by(app, kind, row),
    }
    handlers[verb]()


def _contexts_changed(app: K9pyApp) -> None:
    """The `:ctx` rows read again (and the header: the context in use may have a new name)."""
    cur = app.current
    if cur is not None:
        cur.refresh()
        app.table.model_changed()
        app.pane.render_title()  # contexts(all)[N]
    app.render_header()


def _refused_at_once(app: K9pyApp, call: Callable[[], Awaitable[Any]]) -> bool:
    """A backend whose contexts are no kubeconfig's (the simulator's, a recording's) says so in
    the flash at once, no dialog first."""
    if app.session.info().backend == "live":
        return False

    async def go() -> None:
        try:
            await call()
        except K9pyError as err:
            app.flash(str(err), "warn")

    app.run_answer(go())
    return True


def rename_context(app: K9pyApp, name: str) -> None:
    """`r` in `:ctx` (k9s's): the kubeconfig's context renamed (kubectl config rename-context)."""
    if _refused_at_once(app, lambda: app.backend.rename_context(name, name)):
        return

    async def done(new: str | None) -> None:
        if new is None:
            return
        try:
            path = await app.backend.rename_context(name, new)
        except K9pyError as err:
            app.flash(str(err), "error")
            return
        _contexts_changed(app)
        app.flash(f'Context "{name}" renamed to "{new}" ({path})')

    app.push_screen(RenameDialog("<Rename>", f'Rename context "{name}"?', name), answered(app, done))


def delete_context(app: K9pyApp, name: str) -> None:
    """ctrl-d in `:ctx` (k9s's): the kubeconfig's context deleted, asked first; never the one in use."""
    if _refused_at_once(app, lambda: app.backend.delete_context(name)):
        return
    current = next((c for c in app.session.contexts() if meta.name(c) == name), {}).get("current")
    if current:
        app.flash(f'context "{name}" is the one in use: switch to another first, then delete it', "warn")
        return

    async def done(ok: bool | None) -> None:
        if not ok:
            return
        try:
            path, was_current = await app.backend.delete_context(name)
        except K9pyError as err:
            app.flash(str(err), "error")
            return
        _contexts_changed(app)
        app.flash(f'Context "{name}" deleted from {path}' + (
            " (it was the kubeconfig's current-context: kubectl needs `kubectl config use-context` now)"
            if was_current else ""))

    app.push_screen(ConfirmScreen("<Delete>", f'Delete context "{name}"?'), answered(app, done))


def used_by(app: K9pyApp, kind: ViewKind, row: Row) -> None:
    """`u` (k9s's UsedBy): the workloads of the row's namespace whose pods refer to it."""
    from k9py.ui.screens.references import open_references
    open_references(app, kind, row)


def copy_name(app: K9pyApp, row: Row) -> None:
    """`c`: the row's name to the clipboard (OSC 52, which the terminal may or may not honour);
    with marked rows, theirs, one a line (k9s's)."""
    marked = app.targets()
    cur = app.current
    containers = cur is not None and cur.scope.view.name == "containers"

    def name_of(key: tuple[str, str]) -> str:  # a container's row is POD/NAME: k9s copies NAME
        return container_name(key) if containers else key[1]
    if len(marked) > 1:
        app.copy_to_clipboard("\n".join(name_of(key) for key in marked))
        app.flash(f"{len(marked)} names copied to the clipboard (OSC 52)")
        return
    name = name_of(row.key)
    app.copy_to_clipboard(name)
    app.flash(f"{name} copied to the clipboard (OSC 52)")


def copy_namespace(app: K9pyApp, row: Row) -> None:
    """`n` (k9s's Copy Namespace): the row's namespace to the clipboard; with marked rows, theirs,
    one a line."""
    marked = app.targets()
    if len(marked) > 1:
        app.copy_to_clipboard("\n".join(key[0] for key in marked))
        app.flash(f"{len(marked)} namespaces copied to the clipboard (OSC 52)")
        return
    app.copy_to_clipboard(row.key[0])
    app.flash(f"{row.key[0]} copied to the clipboard (OSC 52)")


def open_view(app: K9pyApp, action: str) -> None:
    """`d` describe, `y` YAML, `l` logs, `p` previous logs, `v` a helm release's values of the current row."""
    cur, row = app.current, app.table.cursor_row
    if cur is None or row is None:
        return
    from k9py.explorer.merged import MergedView
    from k9py.explorer.workloads import WorkloadsView, row_view
    if isinstance(cur, MergedView):  # a row of one of several contexts: opened on its own
        from k9py.ui import merged
        return merged.open_row(app, cur, row, action)
    open_row(app, row_view(row) if isinstance(cur, WorkloadsView) else cur.scope.view, row, action)


def open_row(app: K9pyApp, view: ViewKind, row: Row, action: str, *, session: Session | None = None,
             context: str = "") -> None:
    """`d` / `y` / `l` / `p` on ``row`` of ``view``: the table's cursor row, or a node of the xray
    tree. ``session``: the one the row comes from (a merged view's ``context``), else the app's."""
    from k9py.ui.screens.describe import DescribeScreen
    from k9py.ui.screens.yaml_view import YamlScreen

    if view.name == "contexts":
        app.flash("nothing to show for a context", "warn")
        return
    if view.name in ("helm", "history"):  # a release's notes, manifest, values
        from k9py.ui.screens import helm
        helm.open_text(app, row, action)
        return
    session = session or app.session
    ns, name = row.key[0], row.key[1]  # (a merged row's key has its context third)
    if view.name == "containers":
        pod_name, cname = row.obj.get("pod", ""), meta.name(row.obj)
        if action in ("logs", "previous"):
            open_logs(app, ns, pod_name, [cname], previous=action == "previous", session=session, context=context)
        else:
            app.push_screen(_container_yaml(row.obj))
        return
    if action == "describe":
        app.push_screen(DescribeScreen(view.kind, ns, name, row.obj, session=session))
    elif action == "yaml":
        app.push_screen(YamlScreen(view.kind, ns, name, row.obj, session=session))
    elif view.kind == "Pod":
        default = podcontainers.default_container(row.obj)
        everyone = podcontainers.every(row.obj)
        open_logs(app, ns, name, [default] if default else everyone, previous=action == "previous",
                  session=session, context=context, every=everyone if default else None)
    elif action == "logs" and "logs" in view.verbs:
        release = app.key_order.hold()  # `l/error⏎` typed at once: the filter is the log's, not the table's

        async def go() -> None:
            from k9py.ui.screens.logs import LogScreen, workload_sources
            try:
                if selectors.workload_selector(row.obj) is None:  # kubectl logs svc/kubernetes says so too
                    app.flash(f"{view.name} {_where(ns, name)}: it is defined without a selector: it has no pods "
                              "to show logs of", "warn")
                    return
                sources = await workload_sources(session.backend, row.obj)
                if not sources:  # like stern: open anyway and follow the pods as they come
                    app.flash(f"{view.name} {_where(ns, name)} has no running pods yet: waiting for them", "info")
                app.push_screen(LogScreen(f"Logs({_where(ns, name)})", sources, capacity=_capacity(app),
                                          spill=app.log_spill, session=session, workload=row.obj))
            finally:
                release()
        app.run_worker(go(), exclusive=False)
    else:
        app.flash(f"no logs for {view.name}", "warn")


def _capacity(app: K9pyApp) -> int:
    from k9py.view.logbuffer import DEFAULT_CAPACITY
    return app.log_buffer_size or DEFAULT_CAPACITY


def open_logs(app: K9pyApp, ns: str, pod: str, containers: list[str], *, previous: bool = False,
              session: Session | None = None, context: str = "", every: list[str] | None = None) -> None:
    """The logs of ``containers`` of a pod (``session``'s, else the app's; ``context`` names it in
    the title), several prefixed by their container's name as in k9s. ``every``: the pod's
    containers, which `a` shows all together instead (a pod with a default container)."""
    from k9py.ui.screens.logs import LogScreen, container_sources, pod_logs_title

    session = session or app.session
    notice = None
    if session.history is not None:  # the time machine keeps the lines of the pods followed
        session.history.follow_logs(ns, pod)
    elif session.present is not None:  # the past: what it kept of them, said when it is nothing
        from k9py.ui import timetravel

        notice = timetravel.logs_in_the_past(session, ns, pod)
    where = (f"{context}:" if context else "") + f"{ns}/{pod}"
    sources = container_sources(ns, pod, containers)
    if every and len(every) > 1:  # the title says which are shown, as `a` toggles them
        screen = LogScreen(where, sources, previous=previous, capacity=_capacity(app), spill=app.log_spill,
                           session=session, every=container_sources(ns, pod, every))
    else:
        screen = LogScreen(pod_logs_title(where, sources, previous), sources, previous=previous,
                           capacity=_capacity(app), spill=app.log_spill, session=session)
    screen.notice = (notice, "warn") if notice else None
    app.push_screen(screen)


def _container_yaml(container_row: Obj) -> Any:
    from k9py.ui.screens.viewer import ViewerScreen

    class ContainerYaml(ViewerScreen):
        kind_label = "YAML"
        save_suffix = ".yaml"

        def content(self) -> list[str]:
            return yaml_text.dump(container_row.get("spec") or {}).rstrip("\n").split("\n")

    return ContainerYaml(f"YAML({container_row.get('pod', '')}/{meta.name(container_row)})")
