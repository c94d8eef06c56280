"""`y` YAML: the object as ``kubectl get -o yaml`` prints it, highlighted; `m` shows/hides
managedFields, `x` decodes a Secret's data on purpose (masked otherwise). Live like describe.
`x` on a Secret's row: k9s's Secret Decoder, its data alone, decoded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.binding import Binding

from k9py.explorer.session import Session
from k9py.ui.screens.describe import DescribeScreen
from k9py.ui.screens.viewer import ViewerScreen
from k9py.ui.widgets.menu import Hint
from k9py.view import yaml_text

Obj = dict[str, Any]


class YamlScreen(DescribeScreen):
    kind_label = "YAML"
    save_suffix = ".yaml"
    BINDINGS = [Binding("m", "toggle_managed", "managedFields", id="yaml.managed_fields"),
                Binding("x", "toggle_decode", "Decode", id="yaml.decode")]
    HELP_TITLE = "YAML"
    KEY_SCOPE = "yaml"

    def __init__(self, kind: str, namespace: str, name: str, obj: Obj | None = None, *,
                 session: Session | None = None, save_dir: Path | None = None) -> None:
        super().__init__(kind, namespace, name, obj, session=session, save_dir=save_dir)
        self.managed_fields = False
        self.decoded = False

    def content(self) -> list[str]:
        if self.obj is None:
            return [f"{self.kind} {self.obj_name} not found"]
        text = yaml_text.to_yaml(self.obj, managed_fields=self.managed_fields, decode=self.decoded)
        return text.rstrip("\n").split("\n")

    def _events(self) -> list[Obj]:
        return []

    def offers(self, hint: Hint) -> bool:
        if hint.action == "toggle_decode":
            return self.kind == "Secret"
        return super().offers(hint)

    def fill(self) -> None:
        self._subs.append(self.session.informer.subscribe(self.kind, self.ns or None, self._on_diff))
        cur = self._current()
        if cur is not None:
            self.obj = cur
        ViewerScreen.fill(self)  # (not the describe's: no ages to tick)

    def render_title(self) -> None:
        flags = []
        if self.managed_fields:
            flags.append("managedFields")
        if self.decoded:
            flags.append("decoded")
        base = self.title_text
        if flags:
            self.title_text = f"{base} [{', '.join(flags)}]"
        super().render_title()
        self.title_text = base

    def action_toggle_managed(self) -> None:
        self.managed_fields = not self.managed_fields
        self.reload()
        self.render_title()
        self.flash("managedFields " + ("shown" if self.managed_fields else "hidden"))

    def action_toggle_decode(self) -> None:
        if self.kind != "Secret":
            key = self.user_keymap.label("yaml.decode") or "<x>"
            self.flash(f"{key[1:-1]} decodes Secrets only", "warn")
            return
        self.decoded = not self.decoded
        self.reload()
        self.render_title()
        self.flash("secret data decoded" if self.decoded else "secret data masked")

    def save_stem(self) -> str:
        return f"{self.kind.lower()}-{self.ns}-{self.obj_name}" if self.ns else f"{self.kind.lower()}-{self.obj_name}"


class SecretDecoderScreen(YamlScreen):
    """k9s's `x` on a Secret ("Secret Decoder", ``view/secret.go``): only its data, each value
    decoded, as YAML (``dao.ExtractSecrets``); its own `x` masks the values again. Its title
    and crumb are k9s's ("Secret Decoder(NS/NAME)", "secretdecoder")."""

    kind_label = "Secret Decoder"

    def __init__(self, kind: str, namespace: str, name: str, obj: Obj | None = None, *,
                 session: Session | None = None, save_dir: Path | None = None) -> None:
        super().__init__(kind, namespace, name, obj, session=session, save_dir=save_dir)
        self.decoded = True

    def content(self) -> list[str]:
        if self.obj is None:
            return [f"{self.kind} {self.obj_name} not found"]
        data = yaml_text.prepare(self.obj, decode=self.decoded).get("data")
        text = yaml_text.dump(data if isinstance(data, dict) else {})
        return text.rstrip("\n").split("\n")

    def offers(self, hint: Hint) -> bool:
        return hint.action != "toggle_managed" and super().offers(hint)

    def action_toggle_managed(self) -> None:
        self.flash("the decoder shows the secret's data alone", "warn")
