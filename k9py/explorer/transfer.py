"""k9s's Transfer (`t` on a pod): copy files between a container and this machine the way
``kubectl cp`` does it, by running ``tar`` in the container.

- The simulator: ``tar cf - PATH`` (download) or ``tar -xmf - -C DIR`` (upload) run in the
  container's simulated userland in this process, and the archive is unpacked or packed here with
  kubectl cp's rules (a download's entries are named after the remote path and land under the
  local one; a remote directory receives an upload inside it; nothing is written outside the
  destination, symlinks are skipped).
- A live cluster: ``kubectl cp FROM TO -c CONTAINER`` (what k9s runs), with the user's kubeconfig
  and context.

What stops a copy (a spec that is not ``[namespace/]pod:path``, a local file that is not there, a
container the pod does not have, tar's own complaint) is a ``TransferError`` whose text the UI
flashes. Standard library only, no Textual."""

from __future__ import annotations

import io
import os
import posixpath
import subprocess
import tarfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from k9py.kube.status import ApiError
from k9py.view.inert import inert_line

SPEC_FORMAT = "[[namespace/]pod:]file/path"  # kubectl cp's words
TAR_NOTICE = "tar: Removing leading `/' from member names"  # GNU tar's, on kubectl cp's stderr: no error
MAX_ARCHIVE = 256 << 20  # a simulated container's files are small; more is a runaway


class TransferError(Exception):
    """Why a copy did not happen (kubectl cp's wording where it has one)."""


@dataclass(frozen=True)
class Remote:
    namespace: str
    pod: str
    path: str


@dataclass(frozen=True)
class Plan:
    """What the dialog asked for, checked: the pod's side and this machine's side."""
    download: bool
    remote: Remote
    local: str  # as typed (kubectl cp reads it relative to the working directory)
    container: str
    no_preserve: bool
    retries: int
    source: str  # the From and To fields, for the live backend's kubectl
    target: str

    @property
    def where(self) -> str:
        """k9s's ``NAMESPACE/POD:CONTAINER`` for the flash."""
        return f"{self.remote.namespace}/{self.remote.pod}:{self.container}"


def parse_remote(spec: str, namespace: str) -> Remote | None:
    """``[namespace/]pod:path`` → a Remote (``namespace`` when it names none); None: a local path
    (kubectl cp's rule: a colon makes it remote, unless what precedes it has a slash too many)."""
    head, colon, path = spec.partition(":")
    if not colon:
        return None
    ns, slash, pod = head.rpartition("/")
    if "/" in ns or (slash and not ns):
        raise TransferError(f"{spec!r}: filespec must match the canonical format: {SPEC_FORMAT}")
    if not pod:
        raise TransferError(f"{spec!r}: a pod name is required before the colon ({SPEC_FORMAT})")
    return Remote(ns or namespace, pod, path)


def plan(source: str, target: str, *, download: bool, container: str, namespace: str,
         no_preserve: bool = False, retries: str = "0") -> Plan:
    """The dialog's fields checked as kubectl cp checks its arguments."""
    source, target = source.strip(), target.strip()
    if not source or not target:
        raise TransferError("From and To are both required (kubectl cp: filepath can not be empty)")
    src, dst = parse_remote(source, namespace), parse_remote(target, namespace)
    if src is not None and dst is not None:
        raise TransferError("one of From or To must be a local file specification")
    if src is None and dst is None:
        raise TransferError(f"one of From or To must be a pod's file: {SPEC_FORMAT}")
    if download != (src is not None):
        raise TransferError(f"{'Download' if download else 'Upload'}: "
                            f"{'From' if download else 'To'} must be the pod's file ({SPEC_FORMAT})")
    remote = src if src is not None else dst
    assert remote is not None
    if not remote.path:
        raise TransferError(f"{source if download else target!r}: the pod's file path is empty "
                            "(kubectl cp: filepath can not be empty)")
    local = target if download else source
    if not download and not os.path.exists(os.path.expanduser(local)):
        raise TransferError(f"{local} doesn't exist in local filesystem")
    try:
        tries = int(retries.strip() or "0")
    except ValueError:
        raise TransferError(f"Retries: {retries!r} is not a number") from None
    if not container.strip():
        raise TransferError("Container: a container is required")
    return Plan(download, remote, local, container.strip(), no_preserve, tries, source, target)


# -- the simulator -----------------------------------------------------------------------------------
def _run(cluster: Any, p: Plan, command: list[str], stdin: bytes | None = None) -> bytes:
    """``command`` in the container, to its end; its stdout (TransferError: its last complaint)."""
    from k9py.sim.userland import STDERR, STDOUT, start_exec
    out, err = bytearray(), bytearray()
    with cluster.lock:
        try:
            proc = start_exec(cluster, p.remote.namespace, p.remote.pod, p.container, command,
                              stdin=stdin is not None)
        except ApiError as e:
            raise TransferError(e.message) from None
        if stdin is not None:
            proc.feed(stdin)
            proc.close_stdin()
        for stream, data in proc.read():
            (out if stream == STDOUT else err if stream == STDERR else out).extend(data)
        code = proc.exit_code if proc.done else None
        unstarted = getattr(proc, "error", None)  # the runtime could not start the program (on stdout)
    if code != 0:
        said = [ln for ln in err.decode("utf-8", "replace").splitlines() if ln.strip() and not _tar_chatter(ln)]
        said = [unstarted] if unstarted else said
        why = inert_line(said[-1]) if said else f"exit {code}" if code is not None else "it did not end"
        raise TransferError(why)
    return bytes(out)


def _tar_chatter(line: str) -> bool:
    """GNU tar's lines around the complaint that say nothing of it (its exit, a leading `/`)."""
    return line.endswith("Exiting with failure status due to previous errors") or "Removing leading" in line


def _strip(path: str) -> str:
    """kubectl's ``stripPathShortcuts(StripSlashes(Clean))``: the prefix of a download's entries."""
    p = posixpath.normpath(path).lstrip("/")
    while p.startswith("../"):
        p = p[3:]
    return "" if p in (".", "..") else p


def download_sim(cluster: Any, p: Plan) -> tuple[int, int]:
    """Copy the pod's ``p.remote.path`` to ``p.local`` as kubectl cp does; (files, bytes) written."""
    data = _run(cluster, p, ["tar", "cf", "-", p.remote.path])
    if len(data) > MAX_ARCHIVE:
        raise TransferError(f"{p.remote.path}: more than {MAX_ARCHIVE >> 20} MiB")
    prefix = _strip(p.remote.path)
    dest = Path(os.path.expanduser(p.local))
    root = dest.resolve()
    files = size = 0
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:")  # noqa: SIM115 (closed below)
    except tarfile.TarError:
        raise TransferError(f"{p.remote.path}: the pod's tar sent no archive") from None
    with archive:
        for m in archive.getmembers():
            if not m.name.startswith(prefix):
                raise TransferError("tar contents corrupted")
            rest = m.name[len(prefix):].lstrip("/")
            out = Path(os.path.normpath(dest / rest)) if rest else dest
            resolved = out.resolve()
            if resolved != root and root not in resolved.parents:
                continue  # kubectl: "file is outside target destination, skipping"
            if m.issym() or m.islnk():
                continue  # kubectl skips links too
            try:
                out.parent.mkdir(parents=True, exist_ok=True)
                if m.isdir():
                    out.mkdir(parents=True, exist_ok=True)
                    continue
                if not m.isfile():
                    continue
                src = archive.extractfile(m)
                body = src.read() if src is not None else b""
                with open(out, "wb") as fh:
                    fh.write(body)
            except OSError as e:
                raise TransferError(f"{out}: {e.strerror or e}") from None
            files += 1
            size += len(body)
    if not files and not prefix:
        raise TransferError(f"{p.remote.path}: nothing to copy")
    return files, size


def _tar_of(local: Path, name: str) -> tuple[bytes, int, int]:
    """kubectl's ``makeTar``: ``local`` (a file or a tree) as ``name`` in a tar; (tar, files, bytes)."""
    buf = io.BytesIO()
    files = size = 0
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        def add(path: Path, arc: str) -> None:
            nonlocal files, size
            if path.is_symlink():
                return
            if path.is_dir():
                info = tarfile.TarInfo(arc)
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tf.addfile(info)
                for child in sorted(path.iterdir()):
                    add(child, f"{arc}/{child.name}")
                return
            body = path.read_bytes()
            info = tarfile.TarInfo(arc)
            info.size = len(body)
            info.mode = path.stat().st_mode & 0o777
            tf.addfile(info, io.BytesIO(body))
            files += 1
            size += len(body)
        try:
            add(local, name)
        except OSError as e:
            raise TransferError(f"{e.filename or local}: {e.strerror or e}") from None
    return buf.getvalue(), files, size


def upload_sim(cluster: Any, p: Plan) -> tuple[int, int]:
    """Copy ``p.local`` into the pod as kubectl cp does (into ``p.remote.path`` when that is a
    directory there); (files, bytes) sent."""
    local = Path(os.path.expanduser(p.local))
    dest = posixpath.normpath(p.remote.path) if p.remote.path not in ("/", "") else "/"
    try:  # kubectl's checkDestinationIsDir: `test -d DEST`
        _run(cluster, p, ["test", "-d", dest])
        dest = posixpath.join(dest, local.resolve().name)
    except TransferError:
        pass
    data, files, size = _tar_of(local, posixpath.basename(dest))
    if len(data) > MAX_ARCHIVE:
        raise TransferError(f"{p.local}: more than {MAX_ARCHIVE >> 20} MiB")
    command = ["tar", *(["--no-same-permissions", "--no-same-owner"] if p.no_preserve else []), "-xmf", "-"]
    folder = posixpath.dirname(dest)
    if folder:
        command += ["-C", folder]
    _run(cluster, p, command, stdin=data)
    return files, size


# -- a live cluster ------------------------------------------------------------------------------------
def kubectl_argv(kubectl: str, context: str, p: Plan, flags: tuple[str, ...] = ()) -> list[str]:
    """k9s's ``kubectl cp FROM TO --no-preserve=B --retries=N -c CONTAINER`` (``--context``: the
    explorer's; ``flags``: its ``--as``/``--as-group``)."""
    return [kubectl, *flags, "--context", context, "-n", p.remote.namespace, "cp", p.source, p.target,
            f"--no-preserve={'true' if p.no_preserve else 'false'}", f"--retries={p.retries}",
            "-c", p.container]


def run_kubectl(argv: list[str], kubeconfig: str | None, timeout: float = 600.0) -> None:
    """Run kubectl cp to its end (TransferError: what went wrong, in kubectl's or tar's words).

    kubectl cp with ``--retries`` says nothing of a failure in its exit status: after its last
    retry it prints ``Dropping out copy after N retries`` and exits 0 (k9s then says the download
    succeeded). And it retries a file that is not there as often as it was told (999 in k9s's
    dialog). So its stderr is read as it comes: tar's complaint followed by a retry that resumes at
    0 bytes (nothing came: the pod's tar failed, retrying cannot help) stops it, and so does the
    drop-out line. (It says all this on stdout, its errors on stderr: both are read.)"""
    env = {**os.environ, "KUBECONFIG": kubeconfig} if kubeconfig else None
    try:
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)  # (kubectl cp says tar's errors and its retries on stdout)
    except OSError as e:
        raise TransferError(f"kubectl: {e.strerror or e}") from None
    assert proc.stdout is not None
    timer = threading.Timer(timeout, proc.kill)
    timer.daemon = True
    timer.start()
    said: list[str] = []
    failed = ""
    try:
        for raw in proc.stdout:
            line = inert_line(raw.decode("utf-8", "replace").strip())
            if not line or line == TAR_NOTICE:
                continue
            if line.startswith("Resuming copy at 0 bytes") and said and said[-1].startswith("tar: "):
                failed = said[-1]
                break
            if line.startswith("Dropping out copy after"):
                failed = next((s for s in reversed(said) if not s.startswith("Resuming copy")), line)
                break
            said.append(line)
            del said[:-20]
    finally:
        if failed:
            proc.kill()
        code = proc.wait()
        timer.cancel()
        proc.stdout.close()
    if failed:
        raise TransferError(failed)
    if code:
        if code < 0 and not said:
            raise TransferError(f"kubectl cp did not end in {int(timeout)}s")
        tar = [s for s in said if s.startswith("tar: ")]  # the pod's reason, before kubectl's "exit code 1"
        raise TransferError(tar[-1] if tar else said[-1] if said else f"kubectl cp: exit {code}")
