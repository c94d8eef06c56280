"""`t` on a pod row (k9s's Transfer): a dialog (Download, From, To, NoPreserve, Container,
Retries) and then the copy, as ``kubectl cp`` makes it (``k9py.explorer.transfer``): in this
process on the simulator, ``kubectl cp`` on a live cluster. A recording has no containers to copy
from. What stops a copy is one line: in the dialog while it is open (a field that does not parse,
a local file that is not there), in the flash once the copy ran."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Static

from k9py.explorer import transfer as tx
from k9py.kube import podcontainers
from k9py.ui.local_api import kubectl_unreachable
from k9py.ui.screens.dialogs import FieldInput, Tick, _Dialog, field, labelled
from k9py.view.inert import inert_line

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp
    from k9py.view.rows import Row

DEFAULT_RETRIES = 999  # k9s's defaultTxRetries


class TransferDialog(_Dialog):
    """k9s's Transfer dialog: Download ticked, From ``NAMESPACE/POD:`` (a path to add), To this
    machine's path; unticking Download swaps From and To (an upload). OK (enter) checks the fields
    as kubectl cp would; a problem is said above them and the dialog stays."""

    def __init__(self, namespace: str, pod: str, containers: list[str], container: str) -> None:
        self.namespace, self.pod, self.containers = namespace, pod, containers
        self.container = container
        super().__init__("<Transfer>", self._text(True))

    def _text(self, download: bool) -> str:
        text = "Download Files" if download else "Upload Files"
        if len(self.containers) > 1:
            text += "\nAvailable Containers: " + ", ".join(self.containers)
        return "\n".join(inert_line(line) for line in text.split("\n"))

    def fields(self) -> ComposeResult:
        # a label left of each field, one line each: six fields and the containers fit 80x24
        yield Tick("Download", True, id="download")
        # the pod's prefix stays: the path is typed after it (k9s's field does not select its text)
        yield labelled("From:", FieldInput(f"{self.namespace}/{self.pod}:", id="from", compact=True,
                                           select_on_focus=False))
        yield labelled("To:", field("", id="to"))
        yield Tick("NoPreserve", False, id="no-preserve")
        yield labelled("Container:", field(self.container, id="container"))
        yield labelled("Retries:", field(str(DEFAULT_RETRIES), id="retries", restrict=r"[0-9]*", max_length=6))

    def on_mount(self) -> None:
        box = self.query_one("#from", Input)
        box.focus()
        box.cursor_position = len(box.value)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id != "download":
            return
        event.stop()
        src, dst = self.query_one("#from", Input), self.query_one("#to", Input)
        src.value, dst.value = dst.value, src.value  # k9s swaps them
        message = self.query_one(".dialog-message", Static)
        message.update(Text(self._text(event.value)))
        message.display = True

    def result(self) -> tx.Plan:
        try:
            return tx.plan(self.query_one("#from", Input).value, self.query_one("#to", Input).value,
                           download=self.query_one("#download", Checkbox).value,
                           container=self.query_one("#container", Input).value, namespace=self.namespace,
                           no_preserve=self.query_one("#no-preserve", Checkbox).value,
                           retries=self.query_one("#retries", Input).value)
        except tx.TransferError as err:
            raise ValueError(str(err)) from None


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1 << 20:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1 << 20):.1f} MiB"


def start(app: K9pyApp, row: Row) -> None:
    """`t` on a pod row: the dialog, then the copy in a worker thread."""
    ns, pod = row.key
    problem = kubectl_unreachable(app.backend, "cp", "to copy files with")
    if problem:
        app.flash(f"transfer {ns}/{pod}: {problem}", "error")
        return
    containers = podcontainers.names(row.obj)
    chosen = podcontainers.default_container(row.obj) or (containers[0] if containers else "")

    def done(p: tx.Plan | None) -> None:
        if p is None:
            return
        op = "Download" if p.download else "Upload"
        app.flash(f"{op} in progress: {p.source} → {p.target}", "warn")
        app.run_worker(lambda: _copy(app, p), thread=True, group="transfer", exclusive=False)

    app.push_screen(TransferDialog(ns, pod, containers, chosen), done)


def _copy(app: K9pyApp, p: tx.Plan) -> None:
    """The copy (a worker thread); the flash says how it went."""
    op = "Download" if p.download else "Upload"
    try:
        cluster = app.backend.local_cluster()
        if cluster is not None:
            files, size = (tx.download_sim if p.download else tx.upload_sim)(cluster, p)
            detail = f" ({files} file{'s' if files != 1 else ''}, {human_size(size)})"
        else:
            kubectl = shutil.which("kubectl")
            target = app.plugin_keys.local.target(app.backend, app.session.read_only)
            if kubectl is None or target is None:
                raise tx.TransferError("no kubectl or kubeconfig to copy with")
            tx.run_kubectl(tx.kubectl_argv(kubectl, target.context, p, target.kubectl_flags), target.kubeconfig or None)
            detail = ""
    except tx.TransferError as err:
        app.call_from_thread(app.flash, f"{op} failed on {p.where}: {err}", "error")
        return
    app.call_from_thread(app.flash, f"{op} successful on {p.where}!{detail}")
