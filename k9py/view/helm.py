"""Helm 3 releases read from their storage Secrets (UI-free): the `:helm` view's rows and its
history, notes, manifest, values and what an uninstall deletes.

Helm's Secret driver (``helm.sh/helm/v3/pkg/storage/driver/secrets.go``) keeps each revision of a
release in a Secret ``sh.helm.release.v1.NAME.vN`` of type ``helm.sh/release.v1`` labelled
``owner=helm``, ``name``, ``status`` and ``version``; its ``data.release`` is (the API's base64 of)
Helm's own base64 of the gzipped JSON of the release (``util.go``: ``encodeRelease``; a release
that is not gzipped is plain JSON, which ``decodeRelease`` reads too). A Secret that does not
decode is never a crash: its row says what is wrong (``Release.error``).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import yaml

from k9py.kube import meta

Obj = dict[str, Any]
RELEASE_TYPE = "helm.sh/release.v1"
OWNER = "helm"
GZIP_MAGIC = b"\x1f\x8b\x08"
MAX_RELEASE = 64 << 20  # bytes of JSON a release may inflate to (a gzip bomb is refused, not decoded)


class ReleaseError(ValueError):
    """A release Secret that does not decode: the message says what is wrong."""


def is_release(secret: Obj) -> bool:
    """A Secret Helm keeps a release in (what ``helm list`` selects: ``owner=helm``)."""
    return type(secret) is dict and meta.labels(secret).get("owner") == OWNER


def decode(data: object) -> Obj:
    """The release of a Secret's ``data.release`` (the API's base64 of Helm's base64 of gzipped
    JSON). ReleaseError says what is wrong with one that is not."""
    if not isinstance(data, str) or not data:
        raise ReleaseError("no data.release")
    try:
        inner = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ReleaseError("data.release is not base64") from None
    try:
        raw = base64.b64decode(inner, validate=True)
    except (binascii.Error, ValueError):
        raise ReleaseError("data.release is not Helm's base64 inside the API's") from None
    if raw[:3] == GZIP_MAGIC:
        try:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            raw = d.decompress(raw, MAX_RELEASE)
            if d.unconsumed_tail:
                raise ReleaseError(f"data.release inflates to more than {MAX_RELEASE >> 20} MiB")
        except (zlib.error, gzip.BadGzipFile, EOFError) as err:
            raise ReleaseError(f"data.release is not valid gzip: {err}") from None
    try:
        rel = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as err:
        raise ReleaseError(f"data.release is not a release's JSON: {err}") from None
    if type(rel) is not dict:
        raise ReleaseError("data.release is not a release's JSON: not an object")
    return rel


def encode(rel: Obj) -> str:
    """A release as a Secret's ``data.release`` (the inverse of ``decode``: what Helm writes)."""
    inner = base64.b64encode(gzip.compress(json.dumps(rel, separators=(",", ":")).encode(), mtime=0))
    return base64.b64encode(inner).decode()


def release_secret(rel: Obj, modified_at: int = 0) -> Obj:
    """The Secret Helm's driver keeps ``rel`` (a release's JSON) in."""
    name, version, status = str(rel["name"]), int(rel["version"]), str(meta.dig(rel, "info", "status") or "")
    labels = {"name": name, "owner": OWNER, "status": status, "version": str(version)}
    if modified_at:
        labels["modifiedAt"] = str(modified_at)
    return {"apiVersion": "v1", "kind": "Secret", "type": RELEASE_TYPE,
            "metadata": {"name": f"sh.helm.release.v1.{name}.v{version}", "namespace": str(rel["namespace"]),
                         "labels": labels},
            "data": {"release": encode(rel)}}


@dataclass(frozen=True)
class Release:
    """One revision of a release as its Secret holds it; ``data`` the decoded release ({} when
    ``error`` says why not: then what the Secret's labels and name tell)."""
    namespace: str
    name: str
    version: int
    status: str
    secret: str  # the Secret's name
    data: Obj
    error: str = ""

    def _get(self, *path: str) -> Any:
        return meta.dig(self.data, *path)

    @property
    def chart(self) -> str:
        """CHART: name-version, as `helm list` prints it."""
        md = self._get("chart", "metadata")
        if type(md) is not dict:
            return ""
        return f"{md.get('name', '')}-{md.get('version', '')}"

    @property
    def app_version(self) -> str:
        return str(self._get("chart", "metadata", "appVersion") or "")

    @property
    def description(self) -> str:
        return str(self._get("info", "description") or "")

    @property
    def notes(self) -> str:
        return str(self._get("info", "notes") or "")

    @property
    def manifest(self) -> str:
        return str(self.data.get("manifest") or "")

    @property
    def last_deployed(self) -> str:
        return str(self._get("info", "last_deployed") or self._get("info", "first_deployed") or "")

    def values(self, all_values: bool = False) -> Obj:
        """`helm get values`: the user's values; ``all_values``: the chart's defaults coalesced with them."""
        config = self.data.get("config")
        config = config if type(config) is dict else {}
        if not all_values:
            return config
        chart = self._get("chart", "values")
        return coalesce(config, chart if type(chart) is dict else {})


def coalesce(user: Obj, defaults: Obj) -> Obj:
    """Helm's ``chartutil.CoalesceTables``: the user's values over the chart's defaults, maps merged
    key by key; a user's null deletes the default."""
    out: Obj = {}
    for k, v in defaults.items():
        if k not in user:
            out[k] = v
    for k, v in user.items():
        if v is None:
            out.pop(k, None)
            continue
        d = defaults.get(k)
        out[k] = coalesce(v, d) if type(v) is dict and type(d) is dict else v
    return dict(sorted(out.items()))


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def version_of(secret: Obj) -> int:
    """The revision a release Secret holds, from its labels (Helm's) or name (``…vN``); 0 unknown."""
    v = _int(meta.labels(secret).get("version"))
    if v is None:
        v = _int(meta.name(secret).rsplit(".v", 1)[-1]) if ".v" in meta.name(secret) else None
    return v or 0


def release_name_of(secret: Obj) -> str:
    """The release a Secret belongs to: its ``name`` label, else from ``sh.helm.release.v1.NAME.vN``."""
    name = meta.labels(secret).get("name")
    if name:
        return str(name)
    sname = meta.name(secret)
    prefix = "sh.helm.release.v1."
    if sname.startswith(prefix) and ".v" in sname[len(prefix):]:
        return sname[len(prefix):].rsplit(".v", 1)[0]
    return sname


# what a Secret decoded to, by what the decoding reads (its namespace, name, labels and data: uids and
# resourceVersions repeat across simulated clusters of one seed)
_DECODED: dict[tuple[str, str, str, str, str, object], Release] = {}
_DECODED_MAX = 512


def release(secret: Obj) -> Release:
    """The revision ``secret`` holds (each Secret's data decoded once)."""
    labels = meta.labels(secret)
    data = _data(secret)
    key = (meta.namespace(secret), meta.name(secret), str(labels.get("name") or ""), str(labels.get("version") or ""),
           str(labels.get("status") or ""), data if isinstance(data, str) else None)
    found = _DECODED.get(key)
    if found is None:
        found = _decode_release(secret)
        if len(_DECODED) >= _DECODED_MAX:
            _DECODED.pop(next(iter(_DECODED)))
        _DECODED[key] = found
    return found


def _data(secret: Obj) -> object:
    """The Secret's ``data.release`` (None when its data is no map)."""
    data = secret.get("data")
    return data.get("release") if type(data) is dict else None


def _decode_release(secret: Obj) -> Release:
    labels = meta.labels(secret)
    name, version = release_name_of(secret), version_of(secret)
    status = str(labels.get("status") or "")
    data: Obj = {}
    error = ""
    try:
        data = decode(_data(secret))
    except ReleaseError as err:
        error = str(err)
    if data:
        name = str(data.get("name") or name)
        version = _int(data.get("version")) or version
        status = str(meta.dig(data, "info", "status") or status)
    return Release(meta.namespace(secret), name, version, status, meta.name(secret), data, error)


def of_release(namespace: str, name: str) -> Callable[[Obj], bool]:
    """The history view's predicate: the Secrets of release ``namespace/name``."""
    return lambda s: is_release(s) and meta.namespace(s) == namespace and release_name_of(s) == name


def valid(rel: Release) -> str:
    """k9s's VALID: why the revision is in trouble ("" when it is deployed)."""
    if rel.error:
        return rel.error
    return "" if rel.status == "deployed" else "chart is in an invalid state"


# -- rows: pseudo objects the row model holds -------------------------------------------------------
def row_object(rel: Release, secret: Obj, kind: str) -> Obj:
    """A row's object: metadata for the model (the release's name; AGE from its last deployment;
    the Secret's labels for `-l`), the release and the Secret it came from."""
    return {"kind": kind, "metadata": {"name": rel.name, "namespace": rel.namespace,
                                       "creationTimestamp": rel.last_deployed or meta.dig(secret, "metadata", "creationTimestamp"),
                                       "labels": meta.labels(secret)},
            "release": rel, "secret": secret}


def latest(secrets: Iterable[Obj]) -> Obj | None:
    """The Secret of a release's latest revision (`helm list` shows that one)."""
    return max(secrets, key=lambda s: (version_of(s), meta.name(s)), default=None)


# -- uninstall -------------------------------------------------------------------------------------
# Helm's releaseutil.UninstallOrder: what `helm uninstall` deletes first (other kinds after these)
UNINSTALL_ORDER = ("APIService", "Ingress", "IngressClass", "Service", "CronJob", "Job", "StatefulSet",
                   "HorizontalPodAutoscaler", "Deployment", "ReplicaSet", "ReplicationController", "Pod",
                   "DaemonSet", "RoleBindingList", "RoleBinding", "RoleList", "Role", "ClusterRoleBindingList",
                   "ClusterRoleBinding", "ClusterRoleList", "ClusterRole", "CustomResourceDefinition",
                   "PersistentVolumeClaim", "PersistentVolume", "StorageClass", "ConfigMap", "SecretList", "Secret",
                   "ServiceAccount", "PodDisruptionBudget", "PodSecurityPolicy", "LimitRange", "ResourceQuota",
                   "NetworkPolicy", "Namespace", "PriorityClass")
KEEP = "helm.sh/resource-policy"


@dataclass(frozen=True)
class Target:
    kind: str
    namespace: str  # "" when the manifest names none (the release's, for a namespaced kind)
    name: str
    api_version: str = ""


def manifest_objects(manifest: str) -> tuple[list[Target], list[str]]:
    """What a release's manifest creates, in Helm's uninstall order, and the names of the objects
    it keeps (``helm.sh/resource-policy: keep``). ReleaseError for a manifest that is not YAML."""
    try:
        docs = list(yaml.safe_load_all(manifest))
    except yaml.YAMLError as err:
        raise ReleaseError(f"the release's manifest is not YAML: {err}") from None
    out: list[Target] = []
    kept: list[str] = []
    for d in docs:
        if type(d) is not dict or not d.get("kind") or not meta.name(d):
            continue
        t = Target(str(d["kind"]), meta.namespace(d), meta.name(d), str(d.get("apiVersion") or ""))
        if meta.annotations(d).get(KEEP) == "keep":
            kept.append(f"{t.kind}/{t.name}")
            continue
        out.append(t)
    rank = {k: i for i, k in enumerate(UNINSTALL_ORDER)}
    out.sort(key=lambda t: rank.get(t.kind, len(rank)))  # stable: the manifest's order among equals
    return out, kept


def masked_manifest(manifest: str) -> str:
    """A manifest as shown (`y`): its Secrets' data masked as the YAML view masks them (each such
    document dumped again after its comments); the rest exactly as Helm rendered it."""
    from k9py.view import yaml_text
    out: list[str] = []
    for i, doc in enumerate(_documents(manifest)):
        if i:
            out.append("---")
        try:
            obj = yaml.safe_load("\n".join(doc))
        except yaml.YAMLError:
            obj = None
        if type(obj) is dict and obj.get("kind") == "Secret" and (obj.get("data") or obj.get("stringData")):
            blank = len(doc) - len("\n".join(doc).rstrip("\n").split("\n"))  # its trailing empty lines
            out += [ln for ln in doc if ln.startswith("#")]
            out += yaml_text.to_yaml(obj).rstrip("\n").split("\n") + [""] * blank
        else:
            out += doc
    return "\n".join(out)


def _documents(manifest: str) -> list[list[str]]:
    """The lines of each document of a manifest split at its `---` lines."""
    docs: list[list[str]] = [[]]
    for line in manifest.split("\n"):
        if line.rstrip() == "---":
            docs.append([])
        else:
            docs[-1].append(line)
    return docs


def to_yaml(values: Obj) -> str:
    """Values as `helm get values` prints them (sorted keys, block style); ``{}`` when none."""
    if not values:
        return "{}\n"
    from k9py.view import yaml_text
    return yaml_text.dump(values)
