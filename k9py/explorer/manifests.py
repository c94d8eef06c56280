"""`:dir PATH` (k9s's dir view): the manifests in a folder of the user's, and `kubectl apply -f` /
`kubectl delete -f` of one of them (or of a whole folder) done through the backend itself, so a
learner applies the tutorial's YAML to the built-in simulator with no kubectl at all. What each
does is told in kubectl's own words (``deployment.apps/web created``); a file that cannot be read
or parsed is one line naming it (and its line), never an exception."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from k9py.backends.base import Backend, PatchType, StatusError
from k9py.errors import K9pyError
from k9py.kube import conversion, meta, resources
from k9py.kube import patch as kpatch
from k9py.scenario import yamldoc

Obj = dict[str, Any]
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")  # what kubectl apply -f reads in a folder
MAX_BYTES = 4 * 1024 * 1024  # the folder is the user's: a file this big is no manifest

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    path: Path
    is_dir: bool
    mtime: float


def is_manifest(path: Path) -> bool:
    return path.suffix.lower() in MANIFEST_SUFFIXES


def list_entries(folder: Path) -> list[Entry]:
    """The sub-folders and manifests of ``folder``, folders first, each by name (hidden ones left
    out, as `ls` does). K9pyError when it cannot be read."""
    try:
        children = list(folder.iterdir())
    except OSError as err:
        raise K9pyError(f"dir: {folder}: {err.strerror or err}") from None
    out = []
    for p in children:
        if p.name.startswith("."):
            continue
        try:
            is_dir = p.is_dir()
            if not is_dir and not (is_manifest(p) and p.is_file()):
                continue
            out.append(Entry(p, is_dir, p.stat().st_mtime))
        except OSError:
            continue
    return sorted(out, key=lambda e: (not e.is_dir, e.path.name))


@dataclass(frozen=True)
class Manifest:
    """One object of a file, or what is wrong with the file (``error``: kubectl's line)."""
    file: Path
    obj: Obj | None = None
    error: str = ""


def manifest_files(path: Path, *, recursive: bool) -> list[Path]:
    """The file itself, or a folder's manifests by name (its sub-folders' too when ``recursive``:
    kubectl's -R, which does not follow a linked folder: ``ln -s . self`` would be read forever)."""
    if not path.is_dir():
        return [path]
    out: list[Path] = []
    for e in list_entries(path):
        if not e.is_dir:
            out.append(e.path)
        elif recursive and not e.path.is_symlink():
            out += manifest_files(e.path, recursive=True)
    return out


def read_manifests(path: Path, *, recursive: bool = False) -> list[Manifest]:
    """Every object ``path`` holds (a folder: its manifests), a ``List``'s items one by one, in
    order; a file that cannot be read or parsed, or a document that is no object, as an error."""
    try:
        files = manifest_files(path, recursive=recursive)
    except K9pyError as err:  # a sub-folder that cannot be read: kubectl reads none then either
        return [Manifest(path, error=f"error: {err}")]
    out: list[Manifest] = []
    for file in files:
        out += _read_file(file)
    return out


def _read_file(file: Path) -> list[Manifest]:
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            return [Manifest(file, error=f"error: {file}: {size:,} bytes: too big for a manifest")]
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        why = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        return [Manifest(file, error=f"error: {file}: {why}")]
    try:
        # YAML as kubectl reads it (sigs.k8s.io/yaml): dates stay strings, keys are strings, a key
        # twice is an error
        docs = ([json.loads(text)] if file.suffix.lower() == ".json"
                else [d.data for d in yamldoc.parse_documents(text)])
    except json.JSONDecodeError as err:
        return [Manifest(file, error=f"error: error parsing {file}: line {err.lineno}: {err.msg}")]
    except ValueError:  # a number of more than 4300 digits (int()'s limit)
        return [Manifest(file, error=f"error: error parsing {file}: a number too large (more than 4300 digits)")]
    except yamldoc.YamlError as err:
        where = f"line {err.line}: " if err.line is not None else ""
        return [Manifest(file, error=f"error: error parsing {file}: yaml: {where}{err.message.removeprefix('yaml: ')}")]
    for doc in docs:
        not_json = yamldoc.not_finite(doc)  # (kubectl's YAML to JSON refuses .inf and .nan)
        if not_json is not None:
            return [Manifest(file, error=f"error: error parsing {file}: {not_json[1]}")]
        try:  # what JSON cannot hold (a !!binary value) cannot be sent
            json.dumps(doc)
        except (TypeError, ValueError) as err:
            return [Manifest(file, error=f"error: error parsing {file}: {err}")]
    out = []
    for doc in docs:
        out += [Manifest(file, obj) if not problem else Manifest(file, error=problem)
                for obj, problem in _objects(file, doc)]
    return out


def _objects(file: Path, doc: Any) -> Iterator[tuple[Obj, str]]:
    """The objects of one document: itself, or a List's items; (obj, "") or ({}, what is wrong)."""
    if doc is None:
        return  # an empty document (a leading or trailing ---)
    if not isinstance(doc, dict):
        yield {}, f"error: error validating {_q(file)}: a document is {type(doc).__name__}, not an object"
        return
    if doc.get("kind") == "List" or (str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list)):
        items = doc.get("items")
        if items is not None and not isinstance(items, list):
            yield {}, f"error: error validating {_q(file)}: error validating data: items isn't a list"
            return
        for item in items or []:
            yield from _objects(file, item)
        return
    # kubectl's getObjectKind: each of apiVersion and kind not set, or not a string
    missing = [f"{f} not set" if not doc.get(f) else f"{f} isn't string type"
               for f in ("apiVersion", "kind") if not doc.get(f) or not isinstance(doc[f], str)]
    md = doc.get("metadata")
    if missing:
        yield {}, f"error: error validating {_q(file)}: error validating data: [{', '.join(missing)}]"
    elif not isinstance(md, dict) or not md.get("name") or not isinstance(md["name"], str):
        yield {}, f"error: {_q(file)}: resource name may not be empty"
    elif (wrong := _wrong_metadata(md)) is not None:
        yield {}, f"error: error validating {_q(file)}: error validating data: {wrong}"
    else:
        yield doc, ""


def _wrong_metadata(md: Obj) -> str | None:
    """A metadata field of the wrong type that kubectl would read as unset (the object then
    created or patched elsewhere than the file says, its annotations replaced), or None."""
    if md.get("namespace") is not None and not isinstance(md["namespace"], str):
        return "metadata.namespace isn't string type"
    for field in ("labels", "annotations"):
        if md.get(field) is not None and not isinstance(md[field], dict):
            return f"metadata.{field} isn't a map"
    return None


def summary(path: Path) -> str:
    """What a manifest holds, for its row: ``Deployment/web, Service/web`` (or what is wrong)."""
    items = read_manifests(path)
    errors = [m.error for m in items if m.error]
    if errors:
        return errors[0].removeprefix("error: ")
    return ", ".join(f"{m.obj['kind']}/{meta.name(m.obj)}" for m in items if m.obj) or "(no objects)"


def resource_name(obj: Obj) -> str:
    """kubectl's name of the object's resource type: ``deployment.apps``, ``service``."""
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    kind = str(obj.get("kind", "")).lower()
    return f"{kind}.{group}" if group else kind


class _Namespaces:
    """Which kinds are namespaced (the backend's discovery, the built-in registry for the rest),
    and the namespace an object without one goes to (kubectl's: the context's)."""

    def __init__(self, backend: Backend, default: str) -> None:
        kinds = backend.kinds()
        self.by_kind = {r.kind: r.namespaced for r in kinds}
        self.plurals = {r.kind: r.plural for r in kinds}
        self.default = default

    def plural(self, kind: str) -> str:
        """The kind's resource (``deployments``): discovery's, the registry's, else a guess."""
        res = resources.BY_KIND.get(kind)
        return self.plurals.get(kind) or (res.plural if res is not None else kind.lower() + "s")

    def of(self, obj: Obj) -> str | None:
        kind = obj["kind"]
        namespaced = self.by_kind.get(kind)
        if namespaced is None:
            res = resources.BY_KIND.get(kind)
            namespaced = res.namespaced if res is not None else True
        if not namespaced:
            return None
        return meta.namespace(obj) or self.default

    def placed(self, obj: Obj) -> Obj:
        """``obj`` with its namespace set when it has none and needs one, and without one when
        its kind has none (kubectl drops it) (a copy: the file's dict is left)."""
        ns = self.of(obj)
        if ns is None and "namespace" in obj["metadata"]:
            return {**obj, "metadata": {k: v for k, v in obj["metadata"].items() if k != "namespace"}}
        if ns is None or meta.namespace(obj) == ns:
            return obj
        return {**obj, "metadata": {**obj["metadata"], "namespace": ns}}


def _q(file: Path) -> str:
    """The file's name quoted as kubectl quotes it (Go's %q: double quotes)."""
    return json.dumps(str(file), ensure_ascii=False)


class _Failed(Exception):
    """``err`` while ``verb`` (``creating``): kubectl names the step that failed."""

    def __init__(self, verb: str, err: K9pyError) -> None:
        super().__init__(str(err))
        self.verb, self.err = verb, err


def _failed(verb: str, m: Manifest, err: K9pyError) -> str:
    if isinstance(err, StatusError):
        return f"Error from server ({err.reason}): error when {verb} {_q(m.file)}: {err.message}"
    return f"error: error when {verb} {_q(m.file)}: {err}"


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def with_last_applied(obj: Obj) -> Obj:
    """``obj`` carrying itself as its last-applied-configuration annotation (what kubectl's
    client-side apply records: the next apply's "original")."""
    md = dict(obj.get("metadata") or {})
    annotations = {k: v for k, v in (md.get("annotations") or {}).items() if k != LAST_APPLIED}
    md["annotations"] = annotations  # (kubectl records an empty map too: the same text as its own)
    plain = {**obj, "metadata": md}
    text = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    return {**plain, "metadata": {**md, "annotations": {**annotations, LAST_APPLIED: text}}}


# the groups of kubectl's built-in scheme (client-go's): their kinds get a strategic merge patch,
# every other (a custom resource, a CustomResourceDefinition itself) a JSON merge patch
SCHEME_GROUPS = frozenset({
    "", "admissionregistration.k8s.io", "apps", "authentication.k8s.io", "authorization.k8s.io", "autoscaling",
    "batch", "certificates.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "extensions",
    "flowcontrol.apiserver.k8s.io", "internal.apiserver.k8s.io", "networking.k8s.io", "node.k8s.io", "policy",
    "rbac.authorization.k8s.io", "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io",
    "storagemigration.k8s.io"})


def strategic(obj: Obj) -> bool:
    """Whether kubectl apply patches ``obj`` the strategic way: a kind of its built-in scheme
    (and one k9py knows the merge keys of, else the backend would send the patch as a merge patch)."""
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    res = resources.BY_KIND.get(str(obj.get("kind", "")))
    return group in SCHEME_GROUPS and res is not None and res.group == group


def three_way_patch(original: Obj, modified: Obj, current: Obj) -> tuple[Obj, PatchType]:
    """kubectl apply's patch of ``current`` (the live object) to ``modified`` (the manifest,
    with its new last-applied annotation), ``original`` being the manifest last applied: a
    strategic merge patch for a built-in kind, a JSON merge patch for others; and its type.
    What only the cluster or another client set (a controller's annotation, defaults, an env var
    added with `kubectl set env`) stays; what the manifest dropped since ``original`` goes."""
    if strategic(modified):
        return kpatch.create_three_way_merge_patch(original, modified, current), "strategic"
    return kpatch.create_three_way_json_merge_patch(original, modified, current), "merge"


def missing_annotation(what: str) -> str:
    """kubectl's warning when it applies to an object no apply made (``what``: deployments/web)."""
    return (f"Warning: resource {what} is missing the {LAST_APPLIED} annotation which is required by kubectl "
            "apply. kubectl apply should only be used on resources created declaratively by either kubectl create "
            "--save-config or kubectl apply. The missing annotation will be patched automatically.")


def warnings(lines: Iterable[str]) -> list[str]:
    """The warnings among apply's lines (what kubectl writes to stderr)."""
    return [line for line in lines if line.startswith("Warning: ")]


def _original(current: Obj) -> Obj:
    """The manifest applied last (its annotation), {} when there is none or it is not JSON."""
    text = ((current.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    try:
        out = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        return {}
    return out if isinstance(out, dict) else {}


async def apply(backend: Backend, items: Iterable[Manifest], namespace: str) -> list[str]:
    """``kubectl apply -f`` of ``items`` (client-side, kubectl's default): a new object created,
    an existing one patched with what the manifest changed since it was last applied (what
    controllers and other clients set stays), said as kubectl says it (``created``,
    ``configured``, ``unchanged``); errors (the file's, the server's) as lines in their place.
    ``namespace``: where an object without one goes."""
    async def one(obj: Obj, spaces: _Namespaces, say: Callable[[str], None]) -> str:
        ns, name = spaces.of(obj), meta.name(obj)
        obj = with_last_applied(obj)
        current = await backend.find(obj["kind"], ns, name)
        if current is None:
            try:
                await backend.create(obj)
            except K9pyError as err:
                raise _Failed("creating", err) from None
            return f"{resource_name(obj)}/{name} created"
        version = obj.get("apiVersion")
        other_version = isinstance(version, str) and current.get("apiVersion") != version
        if other_version:  # (an autoscaling/v1 HPA read back as v2): compared, patched in its own
            current = conversion.convert(current, str(version))
        if LAST_APPLIED not in ((current.get("metadata") or {}).get("annotations") or {}):
            say(missing_annotation(f"{spaces.plural(obj['kind'])}/{name}"))
        try:
            patch, patch_type = three_way_patch(_original(current), obj, current)
        except kpatch.PatchError as err:
            raise _Failed("patching", K9pyError(f"creating patch: {err}")) from None
        if patch and other_version:
            content_type = kpatch.STRATEGIC_MERGE_PATCH if patch_type == "strategic" else kpatch.MERGE_PATCH
            await backend.replace(kpatch.apply_patch(current, content_type, patch))
        elif patch:
            await backend.patch(obj["kind"], ns, name, patch, patch_type=patch_type)
        return f"{resource_name(obj)}/{name} {'configured' if patch else 'unchanged'}"
    return await _each(backend, items, namespace, "applying", one)


async def delete(backend: Backend, items: Iterable[Manifest], namespace: str) -> list[str]:
    """``kubectl delete -f`` of ``items``: each object deleted (its dependents by the garbage
    collector, in the background), said as kubectl says it; one not found, an error line."""
    async def one(obj: Obj, spaces: _Namespaces, say: Callable[[str], None]) -> str:
        name = meta.name(obj)
        await backend.delete(obj["kind"], spaces.of(obj), name)
        return f'{resource_name(obj)} "{name}" deleted'
    return await _each(backend, items, namespace, "deleting", one)


async def _each(backend: Backend, items: Iterable[Manifest], namespace: str, verb: str,
                one: Callable[[Obj, _Namespaces, Callable[[str], None]], Awaitable[str]]) -> list[str]:
    """``one(obj, spaces, say)``'s line for each object (a warning it ``say``s before it), the
    object in its namespace (``namespace`` when it has none and needs one); a file's error, or
    the server's, as a line in its place."""
    spaces = _Namespaces(backend, namespace)
    out = []
    for m in items:
        if m.obj is None:
            out.append(m.error)
            continue
        if m.obj["kind"] not in spaces.by_kind:
            # a kind discovery did not know: its CRD may be newer (applied just now, a line
            # above): read discovery again, and which kinds are namespaced with it
            if backend.rediscovers:
                with contextlib.suppress(K9pyError):
                    await backend.rediscover()
            spaces = _Namespaces(backend, namespace)
        obj = spaces.placed(m.obj)
        try:
            out.append(await one(obj, spaces, out.append))
        except _Failed as failed:
            out.append(_failed(failed.verb, m, failed.err))
        except K9pyError as err:
            out.append(_failed(verb, m, err))
        except Exception as err:  # a fault of k9py's own (the simulator, a backend): this object's line, the rest go on
            _log.exception("%s %s", verb, m.file)
            out.append(_failed(verb, m, K9pyError(f"internal error: {err!r} (k9py.log has the traceback)")))
    return out


def resolve(arg: str, cwd: Path | None = None) -> Path:
    """The folder (or file) `:dir ARG` names: ``~`` expanded, relative to ``cwd`` (the working
    directory); none: ``cwd`` itself. K9pyError when it does not exist."""
    text = arg.strip()
    try:
        base = cwd or Path.cwd()
        path = (base / os.path.expanduser(text)) if text else base
        path.stat()  # (Path.exists() raised on all but a missing file: a name too long, a folder not readable)
        return path.resolve()
    except (FileNotFoundError, NotADirectoryError):
        raise K9pyError(f"dir: {text or '.'}: no such file or directory") from None
    except OSError as err:  # a name past PATH_MAX, permission denied, a symlink loop
        raise K9pyError(f"dir: {text or '.'}: {(err.strerror or str(err)).lower()}") from None
    except RuntimeError:  # (resolve's own symlink loop)
        raise K9pyError(f"dir: {text or '.'}: too many levels of symbolic links") from None
