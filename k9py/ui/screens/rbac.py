"""`enter` on a Role, ClusterRole, RoleBinding or ClusterRoleBinding (k9s's rbac view): the rules it
grants, a resource a line, ✓ or × per verb; on a ServiceAccount, a User or a Group (k9s's policy view): everything
its bindings grant it, with the binding and namespace each comes from. Read through the backend
when opened and again on ctrl-r (k9s's Refresh; ``k9py.view.rbac`` does the work); a viewer, so
`/` searches and ctrl-s saves."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding

from k9py.errors import K9pyError
from k9py.explorer.session import Session
from k9py.kube import meta
from k9py.ui import theme
from k9py.ui.screens.viewer import ViewerScreen
from k9py.view import rbac
from k9py.view.inert import inert_line

ROLE_KINDS = ("Role", "ClusterRole")
BINDING_KINDS = ("RoleBinding", "ClusterRoleBinding")
SUBJECTS = ("ServiceAccount", "User", "Group")  # (k9s's policy view: what the subject may do)
KINDS = (*ROLE_KINDS, *BINDING_KINDS, *SUBJECTS)


class RbacScreen(ViewerScreen):
    BINDINGS = [Binding("ctrl+r", "refresh", "Refresh", id="refresh")]
    KEY_SCOPE = "rbac"
    HELP_TITLE = "RBAC"
    kind_label = "Rbac"

    def __init__(self, kind: str, namespace: str, name: str, *, session: Session | None = None) -> None:
        where = f"{namespace}/{name}" if namespace else name
        policy = kind in SUBJECTS
        self.base_title = inert_line(f"{'policy' if policy else 'rbac'}({kind} {where})")
        super().__init__(self.base_title, session=session)
        self.kind, self.ns, self.obj_name = kind, namespace, name
        self.policy = policy
        self.result = ["loading…"]
        self.missing = ""  # a binding's role that does not exist

    def content(self) -> list[str]:
        return self.result

    def fill(self) -> None:
        super().fill()
        self.run_worker(self.load(), group="rbac", exclusive=True)

    def action_refresh(self) -> None:
        """ctrl-r (k9s's Refresh): read the rules again (a role edited meanwhile, a binding added)."""
        self.run_worker(self.load(), group="rbac", exclusive=True)

    async def load(self) -> None:
        self.missing = ""
        try:
            rows = await self._grants()
        except K9pyError as err:
            self.result = [inert_line(f"cannot read {self.kind} {self.obj_name}: {err}")]
        else:
            lines = rbac.table(rows, policy=self.policy)
            empty = "its bindings grant it nothing" if self.policy else "it grants nothing"
            if self.missing:
                empty = f"{self.missing} does not exist: the binding grants nothing"
            self.result = [inert_line(s) for s in lines] if rows else [lines[0], f"({empty})"]
        self.reload()

    async def _grants(self) -> list[rbac.Grant]:
        backend, ns, name = self.session.backend, self.ns or None, self.obj_name
        if self.policy:
            return rbac.subject_grants(
                self.kind, self.ns, name, roles=await backend.list("Role"),
                cluster_roles=await backend.list("ClusterRole"), bindings=await backend.list("RoleBinding"),
                cluster_bindings=await backend.list("ClusterRoleBinding"))
        obj = await backend.get(self.kind, ns, name)
        if self.kind in BINDING_KINDS:
            ref = obj.get("roleRef") or {}
            role_kind, role_name = str(ref.get("kind", "")), str(ref.get("name", ""))
            role_ns = None if role_kind == "ClusterRole" else meta.namespace(obj) or None
            self.title_text = inert_line(f"{self.base_title} → {role_kind} {role_name}")
            self.render_title()
            role = await backend.find(role_kind, role_ns, role_name)
            if role is None:
                self.missing = f"{role_kind} {role_ns}/{role_name}" if role_ns else f"{role_kind} {role_name}"
                return []
            obj = role
        return rbac.grants(obj.get("rules"))

    def style_line(self, line: str) -> Text:
        if line is self.result[0]:
            return Text(line, style=theme.style("table.header"))
        text = Text(line)
        for i, ch in enumerate(line):
            if ch == rbac.YES:
                text.stylize(theme.style("rbac.yes"), i, i + 1)
            elif ch == rbac.NO:
                text.stylize(theme.style("rbac.no"), i, i + 1)
        return text
