"""Actions on the resource view's current (or marked) rows, k9s keys, all through the Backend
protocol (a read-only backend refuses them; in ``--readonly`` they are not offered at all):

`ctrl-d` delete (dialog: propagation, grace period, force), `ctrl-k` kill (grace 0), `s` scale,
`r` rollout restart, `i` set image, `ctrl-l` rollback (ReplicaSets), nodes `c`/`u`/`r`
(cordon / uncordon / drain dialog), cronjobs `t` trigger and `s` suspend/resume, `e` edit in
``$KUBE_EDITOR``/``$EDITOR``. Every action flashes success or the backend's error.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from typing import Any, Awaitable, Callable

import yaml
from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from k9py.errors import K9pyError
from k9py.kube import meta
from k9py.ui.screens.dialogs import ConfirmScreen
from k9py.view import yaml_text

Obj = dict[str, Any]

SCALABLE = {"deployments": "Deployment", "replicasets": "ReplicaSet", "statefulsets": "StatefulSet"}
RESTARTABLE = {"deployments": "Deployment", "statefulsets": "StatefulSet", "daemonsets": "DaemonSet"}
IMAGEABLE = {"deployments": "Deployment", "statefulsets": "StatefulSet", "daemonsets": "DaemonSet",
             "replicasets": "ReplicaSet", "pods": "Pod", "jobs": "Job", "cronjobs": "CronJob"}
LOGGABLE = {"pods", "containers", "deployments", "statefulsets", "daemonsets", "jobs", "services", "replicasets"}
READ_ONLY_VIEWS = {"contexts", "containers"}


def hints(view: str, readonly: bool) -> list[tuple[str, str]]:
    """The action keys offered in ``view`` (none of the mutating ones when read-only)."""
    out: list[tuple[str, str]] = []
    if view not in ("contexts",):
        out += [("<d>", "Describe"), ("<y>", "YAML")]
    if view in LOGGABLE:
        out += [("<l>", "Logs")]
    if view in ("pods", "containers"):
        out += [("<p>", "Logs Previous")]
    if readonly or view in READ_ONLY_VIEWS:
        return out
    out += [("<ctrl-d>", "Delete"), ("<e>", "Edit")]
    if view == "pods":
        out += [("<ctrl-k>", "Kill")]
    if view in SCALABLE:
        out += [("<s>", "Scale")]
    if view in RESTARTABLE:
        out += [("<r>", "Restart")]
    if view in IMAGEABLE:
        out += [("<i>", "Set Image")]
    if view == "replicasets":
        out += [("<ctrl-l>", "Rollback")]
    if view == "nodes":
        out += [("<c>", "Cordon"), ("<u>", "Uncordon"), ("<r>", "Drain")]
    if view == "cronjobs":
        out += [("<t>", "Trigger"), ("<s>", "Suspend/Resume")]
    return out


# -- dialogs -----------------------------------------------------------------------------------
class _Dialog(ModalScreen[Any]):
    """Enter submits (OK), esc cancels; subclasses build ``fields`` and ``result()``."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    _Dialog { align: center middle; background: black 60%; }
    _Dialog .dialog { width: 72; height: auto; border: round orange; border-title-color: orange;
                      background: black; padding: 1 2; }
    _Dialog .dialog-message { color: white; margin-bottom: 1; }
    _Dialog .field-label { color: #4682b4; height: 1; margin-top: 1; }
    _Dialog Input { border: round aqua; }
    _Dialog .dialog-buttons { height: auto; align: center middle; margin-top: 1; }
    _Dialog .dialog-buttons Button { margin: 0 2; }
    """

    def __init__(self, title: str, message: str = "") -> None:
        super().__init__()
        self._title, self._message = title, message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = escape(self._title)
            if self._message:
                yield Static(escape(self._message), classes="dialog-message")
            yield from self.fields()
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("OK", id="ok", variant="primary")

    def fields(self) -> ComposeResult:
        return iter(())

    def result(self) -> Any:
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._finish(event.button.id == "ok")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._finish(True)

    def _finish(self, ok: bool) -> None:
        if not ok:
            self.dismiss(None)
            return
        try:
            value = self.result()
        except ValueError as err:
            self.query_one(".dialog-message", Static).update(escape(str(err)))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DeleteDialog(ConfirmScreen):
    """k9s's delete dialog: propagation policy, grace period (-1: the object's own), force.
    `y`/OK confirms (dismissing with the options), `n`/esc cancels (None)."""

    DEFAULT_CSS = _Dialog.DEFAULT_CSS.replace("_Dialog", "DeleteDialog")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = escape(self._title)
            yield Static(escape(self._message), classes="dialog-message")
            yield Static("Propagation:", classes="field-label")
            yield Select([(p, p) for p in ("Background", "Foreground", "Orphan")], value="Background",
                         allow_blank=False, id="propagation")
            yield Static("Grace period (seconds, -1 = default):", classes="field-label")
            yield Input("-1", id="grace", restrict=r"-?[0-9]*")
            yield Checkbox("Force (no graceful termination)", False, id="force")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("OK", id="ok", variant="primary")

    def result(self) -> Obj:
        raw = self.query_one("#grace", Input).value.strip() or "-1"
        try:
            grace = int(raw)
        except ValueError:
            raise ValueError(f"grace period: {raw!r} is not a number") from None
        force = self.query_one("#force", Checkbox).value
        if force:
            grace = 0
        return {"propagation": self.query_one("#propagation", Select).value,
                "grace_period": None if grace < 0 else grace, "force": force}

    def _finish(self, ok: bool) -> None:
        _Dialog._finish(self, ok)  # type: ignore[arg-type]

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        event.prevent_default()  # not ConfirmScreen's handler too
        self._finish(event.button.id == "ok")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._finish(True)

    def action_answer(self, value: bool) -> None:
        self._finish(value)


class ImageDialog(_Dialog):
    def __init__(self, title: str, containers: list[tuple[str, str]]) -> None:
        super().__init__(title, "")
        self.containers = containers

    def fields(self) -> ComposeResult:
        for i, (name, image) in enumerate(self.containers):
            yield Static(Text(f"{name}:"), classes="field-label")  # names are never markup
            yield Input(image, id=f"image-{i}")

    def on_mount(self) -> None:
        self.query_one("#image-0", Input).focus()

    def result(self) -> dict[str, str]:
        out = {}
        for i, (name, image) in enumerate(self.containers):
            new = self.query_one(f"#image-{i}", Input).value.strip()
            if not new:
                raise ValueError(f"{name}: the image may not be empty")
            if new != image:
                out[name] = new
        return out


class DrainDialog(_Dialog):
    def fields(self) -> ComposeResult:
        yield Checkbox("Ignore DaemonSets", True, id="ignore-daemonsets")
        yield Checkbox("Delete emptyDir data", False, id="delete-emptydir")
        yield Checkbox("Force (pods without a controller)", False, id="force")
        yield Static("Grace period (seconds, -1 = the pod's own):", classes="field-label")
        yield Input("-1", id="grace", restrict=r"-?[0-9]*")
        yield Static("Timeout (seconds, 0 = none):", classes="field-label")
        yield Input("0", id="timeout", restrict=r"[0-9]*")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def result(self) -> Obj:
        grace = int(self.query_one("#grace", Input).value or "-1")
        timeout = int(self.query_one("#timeout", Input).value or "0")
        return {"ignore_daemonsets": self.query_one("#ignore-daemonsets", Checkbox).value,
                "delete_emptydir_data": self.query_one("#delete-emptydir", Checkbox).value,
                "force": self.query_one("#force", Checkbox).value,
                "grace_period": None if grace < 0 else grace, "timeout": timeout or None}


class ContainerPicker(ModalScreen["list[str] | None"]):
    """Which container's logs: enter picks one, `a` all of them, esc cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("a", "all", "All")]
    DEFAULT_CSS = """
    ContainerPicker { align: center middle; background: black 60%; }
    ContainerPicker OptionList { width: 60; height: auto; max-height: 20; border: round orange;
                                 border-title-color: orange; background: black; }
    """

    def __init__(self, title: str, containers: list[str]) -> None:
        super().__init__()
        self._title, self.containers = title, containers

    def compose(self) -> ComposeResult:
        ol = OptionList(*[Option(Text(c), id=c) for c in self.containers], Option(Text("<a> all containers"), id="\0all"))
        ol.border_title = escape(self._title)
        yield ol

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        oid = event.option.id
        self.dismiss(list(self.containers) if oid == "\0all" else [str(oid)])

    def action_all(self) -> None:
        self.dismiss(list(self.containers))

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- running actions ---------------------------------------------------------------------------
def _where(ns: str, name: str) -> str:
    return f"{ns}/{name}" if ns else name


async def run(app: Any, label: str, call: Callable[[], Awaitable[Any]], success: str) -> bool:
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


def delete(app: Any, view: Any, keys: list[tuple[str, str]], *, kill: bool = False) -> None:
    what = _where(*keys[0]) if len(keys) == 1 else f"{len(keys)} marked {view.name}"

    async def go(opts: Obj | None) -> None:
        if not opts:
            return
        errors = []
        for ns, name in keys:
            try:
                await app.backend.delete(view.kind, ns or None, name, grace_period=opts.get("grace_period"),
                                         propagation=opts.get("propagation"))
            except K9pyError as err:
                errors.append(str(err))
        app.table.marked.clear()
        app.table.refresh()
        if errors:
            app.flash(errors[0] if len(errors) == 1 else f"{len(errors)} failed: {errors[0]}", "error")
        else:
            app.flash(f"{'Kill' if kill else 'Delete'} resource {view.name} {what}")

    if kill:
        from k9py.ui.screens.dialogs import ConfirmScreen

        async def confirmed(ok: bool | None) -> None:
            await go({"grace_period": 0, "propagation": "Background"} if ok else None)

        app.push_screen(ConfirmScreen("<Kill>", f"Kill {view.name} {what}?"), confirmed)
        return
    app.push_screen(DeleteDialog("<Delete>", f"Delete {view.name} {what}?"), go)


def scale(app: Any, view: Any, row: Any) -> None:
    from k9py.ui.screens.dialogs import ScaleScreen

    kind, (ns, name) = SCALABLE[view.name], row.key
    current = int((row.obj.get("spec") or {}).get("replicas", 1))

    async def done(replicas: int | None) -> None:
        if replicas is None:
            return
        await run(app, "scale", lambda: app.backend.scale(kind, ns, name, replicas),
                  f"Scaling {view.name} {_where(ns, name)} to {replicas}")

    app.push_screen(ScaleScreen(f"<Scale> {_where(ns, name)}", current), done)


def confirm_then(app: Any, title: str, message: str, label: str,
                 call: Callable[[], Awaitable[Any]], success: str) -> None:
    from k9py.ui.screens.dialogs import ConfirmScreen

    async def done(ok: bool | None) -> None:
        if ok:
            await run(app, label, call, success)

    app.push_screen(ConfirmScreen(title, message), done)


def restart(app: Any, view: Any, row: Any) -> None:
    kind, (ns, name) = RESTARTABLE[view.name], row.key
    confirm_then(app, "<Restart>", f"Restart {view.name} {_where(ns, name)}?", "restart",
                 lambda: app.backend.restart(kind, ns, name), f"{kind} {_where(ns, name)} restarted")


def pod_spec_of(obj: Obj) -> Obj:
    spec = obj.get("spec") or {}
    if obj.get("kind") == "Pod":
        return spec
    if obj.get("kind") == "CronJob":
        return ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template", {}).get("spec") or {}
    return (spec.get("template") or {}).get("spec") or {}


def set_image(app: Any, view: Any, row: Any) -> None:
    kind, (ns, name) = IMAGEABLE[view.name], row.key
    ps = pod_spec_of(row.obj)
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
        await run(app, "set image", lambda: app.backend.set_image(kind, ns, name, images),
                  f"Set image of {view.name} {_where(ns, name)}: " + ", ".join(f"{c}={i}" for c, i in images.items()))

    app.push_screen(ImageDialog(f"<Set image> {_where(ns, name)}", containers), done)


def rollback(app: Any, row: Any) -> None:
    ns, name = row.key
    owner = (meta.controller_ref(row.obj) or {}).get("name", "?")
    revision = meta.annotations(row.obj).get("deployment.kubernetes.io/revision", "?")
    confirm_then(app, "<Rollback>", f"Roll deployment {owner} back to revision {revision} ({name})?", "rollback",
                 lambda: app.backend.rollback(ns, name), f"Rolled back deployment {ns}/{owner} to {name}")


def cordon(app: Any, keys: list[tuple[str, str]], on: bool) -> None:
    verb = "cordon" if on else "uncordon"
    names = [k[1] for k in keys]

    async def go() -> None:
        for n in names:
            await (app.backend.cordon(n) if on else app.backend.uncordon(n))

    what = names[0] if len(names) == 1 else f"{len(names)} nodes"
    confirm_then(app, f"<{verb.capitalize()}>", f"{verb.capitalize()} node {what}?", verb, go,
                 f"node/{what} {verb}ed")


def drain(app: Any, row: Any) -> None:
    name = row.key[1]

    async def done(opts: Obj | None) -> None:
        if opts is None:
            return
        await run(app, "drain", lambda: app.backend.drain(name, **opts), f"node/{name} drained")

    app.push_screen(DrainDialog(f"<Drain> {name}", f"Drain node {name}?"), done)


def trigger(app: Any, row: Any) -> None:
    ns, name = row.key
    created: list[Obj] = []

    async def call() -> None:
        created.append(await app.backend.trigger(ns, name))

    async def done(ok: bool | None) -> None:
        if ok and await run(app, "trigger", call, ""):
            app.flash(f"Triggered job {ns}/{meta.name(created[0])} from cronjob {name}")

    from k9py.ui.screens.dialogs import ConfirmScreen
    app.push_screen(ConfirmScreen("<Trigger>", f"Trigger cronjob {_where(ns, name)}?"), done)


def suspend(app: Any, row: Any) -> None:
    ns, name = row.key
    suspended = bool((row.obj.get("spec") or {}).get("suspend"))
    verb = "Resume" if suspended else "Suspend"
    confirm_then(app, f"<{verb}>", f"{verb} cronjob {_where(ns, name)}?", verb.lower(),
                 lambda: app.backend.suspend(ns, name, not suspended),
                 f"cronjob {_where(ns, name)} {'resumed' if suspended else 'suspended'}")


# -- edit --------------------------------------------------------------------------------------
def editor_command() -> list[str]:
    raw = os.environ.get("KUBE_EDITOR") or os.environ.get("EDITOR") or "vi"
    return shlex.split(raw)


def run_editor(app: Any, text: str, suffix: str = ".yaml") -> str | None:
    """Open ``text`` in the user's editor with the app suspended; the saved text, or None if
    the editor failed."""
    from textual.app import SuspendNotSupported

    fd, path = tempfile.mkstemp(prefix="k9py-edit-", suffix=suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        cmd = editor_command() + [path]
        try:
            with app.suspend():
                code = subprocess.call(cmd)
        except SuspendNotSupported:  # headless (tests): just run it
            code = subprocess.call(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if code != 0:
            return None
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


EDIT_HEADER = ("# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
               "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
               "# reopened with the relevant failures.\n#\n")


def edit(app: Any, view: Any, row: Any) -> None:
    """kubectl edit: the YAML in the editor, applied on save; a rejected change offers to reopen
    the user's text with the error on top (nothing lost)."""
    ns, name = row.key

    async def start() -> None:
        try:
            obj = await app.backend.get(view.kind, ns or None, name)
        except K9pyError as err:
            app.flash(str(err), "error")
            return
        original = yaml_text.dump(yaml_text.strip_for_edit(obj))
        await attempt(EDIT_HEADER + original, original)

    async def attempt(text: str, original: str) -> None:
        edited = run_editor(app, text)
        app.refresh()
        if edited is None:
            app.flash("Edit cancelled: the editor failed", "warn")
            return
        body = "\n".join(line for line in edited.split("\n") if not line.lstrip().startswith("#"))
        if not body.strip():
            app.flash("Edit cancelled, no objects found", "warn")
            return
        try:
            new = yaml.safe_load(body)
            if not isinstance(new, dict):
                raise K9pyError("the edited file is not a YAML mapping")
        except yaml.YAMLError as err:
            return retry(edited, original, f"error: {err}".replace("\n", " "))
        except K9pyError as err:
            return retry(edited, original, str(err))
        if body.strip() == original.strip():
            app.flash("Edit cancelled, no changes made.")
            return
        try:
            await app.backend.replace(new)
        except K9pyError as err:
            return retry(edited, original, str(err))
        app.flash(f"{view.name} {_where(ns, name)} edited")

    def retry(edited: str, original: str, error: str) -> None:
        from k9py.ui.screens.dialogs import ConfirmScreen
        app.flash(error, "error")
        kept = "\n".join(line for line in edited.split("\n") if not line.startswith("# error:"))
        note = "".join(f"# error: {part}\n" for part in error.split("\n"))

        async def again(ok: bool | None) -> None:
            if ok:
                await attempt(note + kept, original)

        app.push_screen(ConfirmScreen("<Edit failed>", f"{error}\n\nRe-open the editor with your changes?"), again)

    app.run_worker(start(), exclusive=False)


# -- the resource view's keys -------------------------------------------------------------------
MUTATING = {"delete", "kill", "scale", "restart", "image", "rollback", "cordon", "uncordon", "drain",
            "trigger", "suspend", "edit"}


def _readonly(app: Any) -> bool:
    try:
        return bool(app.backend.info().read_only)
    except Exception:
        return False


def dispatch(app: Any, action: str) -> None:
    """What a key does in the current resource view (k9s's per-view meaning of `s`, `r`, ...)."""
    cur = app.current
    if cur is None:
        return
    view = cur.scope.view
    name = view.name
    row = app.table.cursor_row
    if action == "scale" and name == "cronjobs":
        action = "suspend"
    if action == "restart" and name == "nodes":
        action = "drain"
    if action == "edit" and _readonly(app):  # the others are refused by the backend wrapper
        app.flash(f"{action} refused: k9py is in read-only mode", "warn")
        return
    if action in ("describe", "yaml", "logs", "previous"):
        return open_view(app, action)
    if row is None:
        return
    if action in ("delete", "kill"):
        if name in READ_ONLY_VIEWS:
            app.flash("nothing to delete here", "warn")
            return
        if action == "kill" and view.kind != "Pod":
            app.flash("kill: pods only", "warn")
            return
        keys = app._targets()
        if keys:
            delete(app, view, keys, kill=action == "kill")
        return
    handlers: dict[str, tuple[Any, Callable[[], None]]] = {
        "scale": (SCALABLE, lambda: scale(app, view, row)),
        "restart": (RESTARTABLE, lambda: restart(app, view, row)),
        "image": (IMAGEABLE, lambda: set_image(app, view, row)),
        "rollback": ({"replicasets"}, lambda: rollback(app, row)),
        "cordon": ({"nodes"}, lambda: cordon(app, app._targets(), True)),
        "uncordon": ({"nodes"}, lambda: cordon(app, app._targets(), False)),
        "drain": ({"nodes"}, lambda: drain(app, row)),
        "trigger": ({"cronjobs"}, lambda: trigger(app, row)),
        "suspend": ({"cronjobs"}, lambda: suspend(app, row)),
    }
    if action == "edit":
        if name in READ_ONLY_VIEWS:
            app.flash("nothing to edit here", "warn")
            return
        edit(app, view, row)
        return
    views, fn = handlers[action]
    if name not in views:
        if action == "scale":
            app.flash("scale: only deployments, replicasets and statefulsets", "warn")
            return
        app.flash(f"{action}: not available for {name}", "warn")
        return
    fn()


def open_view(app: Any, action: str) -> None:
    """`d` describe, `y` YAML, `l` logs, `p` previous logs of the current row."""
    from k9py.ui.screens.describe import DescribeScreen
    from k9py.ui.screens.yaml_view import YamlScreen

    cur, row = app.current, app.table.cursor_row
    if cur is None or row is None:
        return
    view = cur.scope.view
    if view.name == "contexts":
        app.flash("nothing to show for a context", "warn")
        return
    ns, name = row.key
    if view.name == "containers":
        pod_name, cname = row.obj.get("pod", ""), meta.name(row.obj)
        if action in ("logs", "previous"):
            return open_logs(app, ns, pod_name, [cname], previous=action == "previous")
        return app.flash("describe the pod instead (esc, then d)", "warn") if action == "describe" else \
            app.push_screen(_container_yaml(row.obj))
    if action == "describe":
        app.push_screen(DescribeScreen(view.kind, ns, name, row.obj))
    elif action == "yaml":
        app.push_screen(YamlScreen(view.kind, ns, name, row.obj))
    elif view.kind == "Pod":
        containers = pod_containers_with_init(row.obj)
        prev = action == "previous"
        main = [c.get("name", "") for c in (row.obj.get("spec") or {}).get("containers") or []]
        if len(main) <= 1 and not prev or len(containers) <= 1:
            return open_logs(app, ns, name, main[:1] or containers[:1], previous=prev)

        def picked(chosen: list[str] | None) -> None:
            if chosen:
                open_logs(app, ns, name, chosen, previous=prev)

        app.push_screen(ContainerPicker(f"<Containers> {ns}/{name}", containers), picked)
    elif action == "logs" and view.name in LOGGABLE:
        async def go() -> None:
            from k9py.ui.screens.logs import LogScreen, workload_sources
            sources = await workload_sources(app.backend, row.obj)
            if not sources:  # like stern: open anyway and follow the pods as they come
                app.flash(f"{view.name} {_where(ns, name)} has no running pods yet: waiting for them", "info")
            app.push_screen(LogScreen(f"Logs({_where(ns, name)})", sources, capacity=_capacity(app),
                                      workload=row.obj))
        app.run_worker(go(), exclusive=False)
    else:
        app.flash(f"no logs for {view.name}", "warn")


def pod_containers_with_init(pod: Obj) -> list[str]:
    spec = pod.get("spec") or {}
    return [c.get("name", "") for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])]


def _capacity(app: Any) -> int:
    from k9py.view.logbuffer import DEFAULT_CAPACITY
    return int(getattr(app, "log_buffer_size", 0) or DEFAULT_CAPACITY)


def open_logs(app: Any, ns: str, pod: str, containers: list[str], *, previous: bool = False) -> None:
    from k9py.ui.screens.logs import LogScreen, LogSource

    many = len(containers) > 1
    sources = [LogSource(ns, pod, c, f"{pod} {c}" if many else "") for c in containers]
    where = f"{ns}/{pod}" + (f":{containers[0]}" if not many and containers else "")
    title = f"{'Previous logs' if previous else 'Logs'}({where})"
    app.push_screen(LogScreen(title, sources, previous=previous, capacity=_capacity(app)))


def _container_yaml(container_row: Obj) -> Any:
    from k9py.ui.screens.viewer import ViewerScreen

    class ContainerYaml(ViewerScreen):
        kind_label = "YAML"
        save_suffix = ".yaml"

        def content(self) -> list[str]:
            return yaml_text.dump(container_row.get("spec") or {}).rstrip("\n").split("\n")

    return ContainerYaml(f"YAML({container_row.get('pod', '')}/{meta.name(container_row)})")
