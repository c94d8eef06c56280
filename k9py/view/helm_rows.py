"""The `:helm` view's rows (k9s's ``render/helm``): one row per release, its latest revision, made
from the release Secrets the informer holds; and the history view's, one row per revision.

A release row depends on several Secrets (one per revision): ``HelmReleaseModel`` keeps which
Secrets each release has and, when any of them changes, comes or goes, makes the release's row
again from its latest one. The history view is a plain ``RowModel`` whose ``expand`` turns each
of the release's Secrets into its revision's row."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from k9py.kube import meta
from k9py.kube.timefmt import age
from k9py.view import helm
from k9py.view.printers_format import INVALID
from k9py.view.rows import Column, Key, RowModel

Obj = dict[str, Any]
RELEASE = "HelmRelease"
REVISION = "HelmHistory"

RELEASE_COLUMNS = [Column("NAME"), Column("REVISION", "integer"), Column("STATUS"), Column("CHART"),
                   Column("APP VERSION"), Column("VALID", priority=1), Column("AGE")]
HISTORY_COLUMNS = [Column("REVISION", "integer"), Column("STATUS"), Column("CHART"), Column("APP VERSION"),
                   Column("DESCRIPTION"), Column("VALID", priority=1), Column("AGE")]


def _rel(obj: Obj) -> helm.Release:
    rel = obj.get("release")
    if not isinstance(rel, helm.Release):
        raise TypeError("not a helm row")
    return rel


def release_cells(obj: Obj, now: float) -> list[Any]:
    rel = _rel(obj)
    chart = INVALID if rel.error else rel.chart
    return [rel.name, rel.version, rel.status, chart, rel.app_version, helm.valid(rel),
            age(meta.dig(obj, "metadata", "creationTimestamp"), now)]


def history_cells(obj: Obj, now: float) -> list[Any]:
    """k9s's history row: a superseded revision is no fault (its VALID is empty), a Secret that does not decode is."""
    rel = _rel(obj)
    return [rel.version, rel.status, INVALID if rel.error else rel.chart, rel.app_version,
            rel.error or rel.description, rel.error, age(meta.dig(obj, "metadata", "creationTimestamp"), now)]


def style(obj: Obj) -> str | None:
    """A helm row's colour class: a Secret that does not decode or a failed release is an error, a
    release Helm is working on pending; None: the row's delta."""
    rel = _rel(obj)
    if rel.error or rel.status == "failed":
        return "err"
    if rel.status.startswith("pending") or rel.status == "uninstalling":
        return "pending"
    return None


def revision_row(secret: Obj) -> list[tuple[Key, Obj]]:
    """The history view's ``expand``: a release Secret → its revision's row, keyed ``NAME:REVISION``
    (k9s's id)."""
    if not helm.is_release(secret):
        return []
    rel = helm.release(secret)
    return [((rel.namespace, f"{helm.release_name_of(secret)}:{rel.version}"), helm.row_object(rel, secret, REVISION))]


class HelmReleaseModel(RowModel):
    """`:helm`: a row per release (keyed namespace, release name) from its latest revision's Secret."""

    def __init__(self, view: Any, **kw: Any) -> None:
        kw.pop("expand", None)
        kw["kind"] = RELEASE
        super().__init__(view, **kw)
        self._secrets: dict[Key, dict[Key, Obj]] = {}  # release → its Secrets (by their keys)
        self._release_of: dict[Key, Key] = {}  # a Secret's key → its release's

    def _row_of(self, rkey: Key) -> Obj | None:
        secret = helm.latest(self._secrets.get(rkey, {}).values())
        if secret is None:
            return None
        return helm.row_object(helm.release(secret), secret, RELEASE)

    def _forget(self, skey: Key) -> Key | None:
        rkey = self._release_of.pop(skey, None)
        if rkey is not None:
            group = self._secrets.get(rkey)
            if group is not None:
                group.pop(skey, None)
                if not group:
                    del self._secrets[rkey]
        return rkey

    def _note(self, skey: Key, secret: Obj | None) -> Key | None:
        if secret is None or not helm.is_release(secret):
            return None
        rkey = (meta.namespace(secret), helm.release_name_of(secret))
        self._release_of[skey] = rkey
        self._secrets.setdefault(rkey, {})[skey] = secret
        return rkey

    def secrets_of(self, rkey: Key) -> list[Key]:
        """The keys of the Secrets of a release's revisions (what an uninstall deletes)."""
        return sorted(self._secrets.get(rkey, {}))

    def load(self, objects: dict[Key, Obj]) -> None:
        self._secrets, self._release_of = {}, {}
        for skey, secret in objects.items():
            self._note(skey, secret)
        rows = {rkey: row for rkey in self._secrets if (row := self._row_of(rkey)) is not None}
        super().load(rows)

    def apply(self, added: Iterable[Key], changed: Iterable[Key], removed: Iterable[Key],
              get: Callable[[Key], Obj | None]) -> None:
        touched: dict[Key, None] = {}
        for skey in list(removed):
            if (rkey := self._forget(skey)) is not None:
                touched[rkey] = None
        for skey in [*added, *changed]:
            if (rkey := self._forget(skey)) is not None:
                touched[rkey] = None
            if (rkey := self._note(skey, get(skey))) is not None:
                touched[rkey] = None
        for rkey in touched:
            row = self._row_of(rkey)
            self._upsert(rkey, row, "" if row is None else "mod" if rkey in self.rows else "add")
        self.version += 1
