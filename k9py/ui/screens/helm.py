"""The `:helm` view's text views (k9s's): `d` a release's notes, `y` its manifest, `v` its values
(`v` again there: every value, the chart's defaults coalesced with the user's), `ctrl-d`'s
uninstall and the history's `r` rollback. The release is the row's: the latest revision in `:helm`, the one picked in its history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from k9py.ui.screens.viewer import ViewerScreen
from k9py.view import helm

if TYPE_CHECKING:
    from k9py.explorer.resource_view import ResourceView
    from k9py.ui.app import K9pyApp
    from k9py.view.rows import Row


def _where(rel: helm.Release) -> str:
    return f"{rel.namespace}/{rel.name}:{rel.version}"


class ReleaseText(ViewerScreen):
    """A release's notes (describe) or manifest (YAML), as Helm stored them."""

    def __init__(self, rel: helm.Release, what: str) -> None:
        self.rel, self.what = rel, what
        self.kind_label = "Describe" if what == "notes" else "YAML"
        self.save_suffix = ".txt" if what == "notes" else ".yaml"
        super().__init__(f"{self.kind_label}({_where(rel)})")

    def content(self) -> list[str]:
        rel = self.rel
        if rel.error:
            return [f"release secret {rel.namespace}/{rel.secret}: {rel.error}"]
        text = rel.notes if self.what == "notes" else helm.masked_manifest(rel.manifest)
        if not text.strip():
            return [f"release {rel.namespace}/{rel.name} (revision {rel.version}) has no {self.what}"]
        return text.rstrip("\n").split("\n")

    def save_stem(self) -> str:
        return f"helm-{self.what}-{self.rel.namespace}-{self.rel.name}-{self.rel.version}"


class ValuesScreen(ViewerScreen):
    """`helm get values`: the user's; `v` toggles to every value (k9s's Toggle All Values)."""

    BINDINGS = [Binding("v", "toggle_all", "Toggle All Values", id="values.all")]
    HELP_TITLE = "VALUES"
    KEY_SCOPE = "values"
    kind_label = "Values"
    save_suffix = ".yaml"

    def __init__(self, rel: helm.Release) -> None:
        self.rel = rel
        self.all_values = False
        super().__init__(self._title())

    def _title(self) -> str:
        return f"Values({_where(self.rel)})" + (" [all]" if self.all_values else "")

    def content(self) -> list[str]:
        rel = self.rel
        if rel.error:
            return [f"release secret {rel.namespace}/{rel.secret}: {rel.error}"]
        return helm.to_yaml(rel.values(self.all_values)).rstrip("\n").split("\n")

    def action_toggle_all(self) -> None:
        self.all_values = not self.all_values
        self.title_text = self._title()
        self.reload()
        self.render_title()
        self.flash("Values toggled: " + ("every value (chart defaults and the user's)" if self.all_values
                                          else "user-supplied values"))

    def save_stem(self) -> str:
        return f"helm-values-{self.rel.namespace}-{self.rel.name}-{self.rel.version}"


def release_of(row: Row | None) -> helm.Release | None:
    rel = row.obj.get("release") if row is not None else None
    return rel if isinstance(rel, helm.Release) else None


def open_text(app: K9pyApp, row: Row, action: str) -> None:
    """`d` / `y` / `v` (and enter in a release's history) on a helm row."""
    rel = release_of(row)
    if rel is None:
        return
    if action == "values":
        app.push_screen(ValuesScreen(rel))
    else:
        app.push_screen(ReleaseText(rel, "notes" if action == "describe" else "manifest"))


def uninstall(app: K9pyApp, view: ResourceView, keys: list[tuple[str, str]]) -> None:
    """ctrl-d: uninstall the release under the cursor (or the marked ones) once confirmed."""
    from k9py.explorer import helm as helm_actions
    from k9py.ui.screens.actions import answered
    from k9py.ui.screens.dialogs import DeleteDialog
    from k9py.view.helm_rows import HelmReleaseModel

    model = view.model
    if not isinstance(model, HelmReleaseModel):
        return
    picked = [(k, rel) for k in keys if (rel := release_of(model.rows.get(k))) is not None]
    if not picked:
        return
    what = f"release {picked[0][0][0]}/{picked[0][0][1]}" if len(picked) == 1 else f"{len(picked)} marked releases"
    marks = app.table.marked

    async def go(opts: Any) -> None:
        if not isinstance(opts, dict):
            return
        errors: list[str] = []
        for key, rel in picked:
            done = await helm_actions.uninstall(app.backend, rel, model.secrets_of(key),
                                                propagation=opts.get("propagation"),
                                                grace_period=opts.get("grace_period"))
            errors += done.errors
        marks.difference_update(k for k, _ in picked)
        app.table.refresh()
        if errors:
            app.flash(errors[0] if len(errors) == 1 else f"{len(errors)} failed: {errors[0]}", "error")
        else:
            app.flash(f"Uninstalled {what}")

    app.push_screen(DeleteDialog("<Uninstall>", f"Uninstall helm {what}?"), answered(app, go))


def rollback(app: K9pyApp, view: ResourceView, row: Row) -> None:
    """`r` in a release's history: roll the release back to the revision under the cursor, once confirmed."""
    from k9py.explorer import helm as helm_actions
    from k9py.ui.screens.actions import answered
    from k9py.ui.screens.dialogs import ConfirmScreen

    rel, model = release_of(row), view.model
    if rel is None or model is None:
        return
    secrets = [r.obj["secret"] for r in model.rows.values() if isinstance(r.obj.get("secret"), dict)]
    where = f"{rel.namespace}/{rel.name}"

    async def go(ok: bool | None) -> None:
        if not ok:
            return
        done = await helm_actions.rollback(app.backend, secrets, rel.version)
        if done.errors:
            app.flash(done.errors[0] if len(done.errors) == 1 else f"{len(done.errors)} failed: {done.errors[0]}",
                      "error")
        else:
            app.flash(f"Rolled back release {where} to revision {rel.version} (revision {done.version})")

    app.push_screen(ConfirmScreen("<Confirm Rollback>", f"Roll release {where} back to revision {rel.version}?"),
                    answered(app, go))
