"""``e``: what ``kubectl edit`` does, without the editor (kubectl's
``pkg/cmd/util/editor/editoptions.go``).

An ``EditSession`` holds the object as it was opened. The buffer starts with kubectl's comment
header; on save, ``saved(text)`` decides: nothing to do (``Done``), re-open the user's own text
with the reasons as a comment block on top (``Reopen``), or ``Send`` the patch computed from
*original as opened → edited*. The patch leaves out what the user did not touch (the
resourceVersion included), so the server applies it to its latest object: a change another
client made meanwhile neither conflicts nor is reverted. Built-in kinds get a strategic merge
patch (lists merge item by item), other kinds a JSON merge patch, as kubectl sends. What the
server refuses goes to ``rejected(err)``. A change of apiVersion, kind, name or namespace is
refused with kubectl's message. The object is shown raw (a Secret's data stays base64, never
decoded); messages name fields and lines, never values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from k9py.backends.base import StatusError
from k9py.errors import K9pyError
from k9py.kube import meta, resources
from k9py.kube.patch import create_merge_patch, create_strategic_merge_patch, same
from k9py.scenario import yamldoc
from k9py.view import yaml_text

Obj = dict[str, Any]

HEADER = ("# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
          "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
          "# reopened with the relevant failures.\n"
          "#\n")
RENAMED = "At least one of apiVersion, kind and name was changed"


@dataclass(frozen=True)
class Done:
    """Nothing (more) to send; ``message`` for the flash."""
    message: str
    level: Literal["info", "warn", "error"] = "info"


@dataclass(frozen=True)
class Reopen:
    """Open the editor again on ``buffer`` (header, reasons, the user's text)."""
    message: str  # one line for the flash
    buffer: str


@dataclass(frozen=True)
class Send:
    """PATCH the object with ``patch`` (``patch_type`` as ``Backend.patch`` takes it)."""
    patch: Obj
    patch_type: Literal["merge", "strategic"]


class NotUtf8(Exception):
    """The editor saved text that is not UTF-8 (Latin-1, a Windows code page): ``text`` is what
    it saved, byte for byte (each byte one character), ``line`` where the first bad ``byte`` is."""

    def __init__(self, text: str, line: int, byte: int) -> None:
        super().__init__(f"invalid leading UTF-8 octet 0x{byte:02x} at line {line}")
        self.text, self.line, self.byte = text, line, byte


@dataclass(frozen=True)
class Reason:
    """One failure in the header: a head line and its items (``# * field: message``)."""
    head: str
    items: tuple[str, ...] = ()


def resource_name(kind: str, api_version: str, fallback: str) -> str:
    """kubectl's ``deployments.apps`` for a kind; ``fallback`` (the view's name) for others."""
    res = resources.BY_KIND.get(kind)
    if res is not None:
        return f"{res.plural}.{res.group}" if res.group else res.plural
    group = api_version.rpartition("/")[0]
    return f"{fallback}.{group}" if group and "." not in fallback else fallback


def header(reasons: tuple[Reason, ...] | list[Reason] = ()) -> str:
    """kubectl's header, then each reason as a comment block (``editHeader.writeTo``)."""
    out = [HEADER]
    for r in reasons:
        out.append(f"# {_hash_breaks(r.head)}{':' if r.items else ''}\n")
        out.extend(f"# * {_hash_breaks(item)}\n" for item in r.items)
        out.append("#\n")
    return "".join(out)


def _hash_breaks(text: str) -> str:
    """A multi-line message as comment lines (kubectl's ``hashOnLineBreak``)."""
    return "\n".join(line if i == 0 or line.startswith("#") else f"# {line}"
                     for i, line in enumerate(text.split("\n")))


def strip_header(text: str) -> str:
    """The user's text without the comment block on top (header and reasons). Comments further
    down stay: they may be lines of a block scalar (a script in a ConfigMap)."""
    lines = text.split("\n")
    i = 0
    while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
        i += 1
    return "\n".join(lines[i:])


def _has_content(text: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.split("\n"))


def _parse(body: str) -> tuple[Any, str | None, int | None]:
    """(data, None, None) or (None, problem, 1-based line of ``body``)."""
    try:
        docs = [d for d in yamldoc.parse_documents(body) if d.data is not None]
    except yamldoc.YamlError as err:
        problem, line = _locate(body, err)
        return None, problem, line
    if len(docs) != 1:
        return None, f"expected one object, found {len(docs)}", docs[1].line if len(docs) > 1 else None
    not_json = yamldoc.not_finite(docs[0].data)  # (.inf, .nan: kubectl edit's YAML to JSON refuses them)
    if not_json is not None:
        return None, not_json[1], None  # (kubectl names no line: its YAML was read, its JSON not made)
    return docs[0].data, None, None


def _locate(body: str, err: yamldoc.YamlError) -> tuple[str, int | None]:
    """The problem and the line to show: where the faulty token starts when the scanner knows
    it (a key missing its ':' reads as a plain scalar running into the next line; an unclosed
    quote), else where parsing stopped."""
    last: Any = None
    try:
        scanner = yaml.SafeLoader(body)
        while scanner.check_token():
            last = scanner.get_token()
        list(yaml.safe_load_all(body))
    except yaml.MarkedYAMLError as marked:
        scanning = (marked.context or "").startswith("while scanning") and marked.context_mark is not None
        mark = marked.context_mark if scanning else (marked.problem_mark or marked.context_mark)
        problem = (marked.problem or marked.context or "invalid YAML").replace("\n", " ")
        if mark is None:
            return problem, err.line
        line = mark.line
        if problem.startswith("mapping values are not allowed") and _keyless(body, last, line):
            line = last.start_mark.line
        return problem, line + 1
    except Exception:  # e.g. a date PyYAML cannot build: keep yamldoc's answer
        pass
    return err.message.removeprefix("yaml: "), err.line


def _keyless(body: str, token: Any, line: int) -> bool:
    """Is ``token`` a line's first word that ran on into the next line, i.e. a key that lost
    its ':' (``replicas 2`` above ``paused: true``)? Not a value that did (``replicas: 2``
    above an over-indented line: there the next line is at fault)."""
    if not isinstance(token, yaml.ScalarToken) or not token.plain or token.start_mark.line >= line:
        return False
    start = token.start_mark
    return body.split("\n")[start.line][:start.column].strip(" -") == ""


class EditSession:
    """One ``e``: the object as opened, and what each save of the editor leads to."""

    def __init__(self, obj: Obj, *, view_name: str = "") -> None:
        self.kind = str(obj.get("kind", ""))
        self.api_version = str(obj.get("apiVersion", ""))
        self.namespace = meta.namespace(obj)
        self.name = meta.name(obj)
        self.resource = resource_name(self.kind, self.api_version, view_name or self.kind.lower())
        if yaml_text.nesting(obj) > yamldoc.MAX_DEPTH:  # its YAML could not be read back: nothing to save
            raise K9pyError(f'edit: {self.resource} "{self.name}" is nested more than {yamldoc.MAX_DEPTH} '
                            'levels deep: k9py cannot edit it')
        self.text = yaml_text.dump(yaml_text.strip_for_edit(obj))
        self.original: Obj = yamldoc.parse_documents(self.text)[0].data  # compared as the editor's YAML reads back
        self.buffer = HEADER + self.text  # what the editor opens first
        self._reopened: str | None = None  # the text a re-open showed (a save without change cancels)
        self._body = ""  # the user's text the last ``Send`` was made from

    @property
    def patch_type(self) -> Literal["merge", "strategic"]:
        """kubectl: strategic for the kinds it has compiled-in types for, merge for the rest."""
        return "strategic" if self.kind in resources.BY_KIND else "merge"

    def saved(self, text: str | None) -> Done | Reopen | Send:
        """What the editor's saved ``text`` (None: the editor failed) leads to."""
        if text is None:
            return Done("Edit cancelled: the editor failed", "warn")
        body = strip_header(text)
        if self._reopened is not None and body.rstrip() == self._reopened.rstrip():
            return Done("Edit cancelled, no valid changes were saved.", "warn")
        if not _has_content(text):
            return Done("Edit cancelled, saved file was empty.", "warn")
        data, problem, line = _parse(body)
        if problem is not None:
            return self._syntax(body, problem, line)
        if not isinstance(data, dict):
            return self._reopen(body, [Reason("The edited file had a syntax error: the object is not a YAML mapping")])
        if same(data, self.original):
            return Done("Edit cancelled, no changes made.")
        if not isinstance(data.get("metadata"), dict):  # (emptied, or a string: its name is gone)
            return self._reopen(body, [Reason(RENAMED)])
        edited_ns = meta.namespace(data)
        if edited_ns != self.namespace:
            msg = (f'the namespace from the provided object "{edited_ns}" does not match the namespace '
                   f'"{self.namespace}"')
            return self._reopen(body, [Reason(msg)])
        if self.patch_type == "strategic":
            patch = create_strategic_merge_patch(self.original, data)
        else:
            patch = create_merge_patch(self.original, data)
        md = patch.get("metadata")
        if any(k in patch for k in ("apiVersion", "kind")) or (
                isinstance(md, dict) and any(k in md for k in ("name", "managedFields"))) or (
                "metadata" in patch and not isinstance(md, dict)):
            return self._reopen(body, [Reason(RENAMED)])
        self._body = body
        return Send(patch, self.patch_type)

    def rejected(self, err: K9pyError) -> Done | Reopen:
        """The server refused the last ``Send``: invalid fields re-open the user's text with
        each cause listed; a deleted object ends the edit; anything else re-opens with the
        server's message."""
        what = f'{self.resource} "{self.name}"'
        code = err.code if isinstance(err, StatusError) else 0
        if code == 404:
            return Done(f"error: {what} could not be found on the server", "error")
        if code == 422:
            causes = ((err.status.get("details") or {}).get("causes") or []) if isinstance(err, StatusError) else []
            items = tuple(f"{c.get('field', '')}: {c.get('message', '')}" if c.get("field") else str(c.get("message", ""))
                          for c in causes)
            reason = Reason(f"{what} was not valid", items or (str(err),))
        else:
            reason = Reason(f"{what} could not be patched: {err}")
        return self._reopen(self._body, [reason], message=str(err))

    def not_utf8(self, err: NotUtf8) -> Reopen:
        """The editor saved another encoding: its text re-opened (then written as UTF-8) with
        go-yaml's error on top, as kubectl edit re-opens a file it cannot parse."""
        body = strip_header(err.text)
        line = err.line - (err.text.count("\n") - body.count("\n"))  # counted in ``body``
        step = self._syntax(body, f"invalid leading UTF-8 octet 0x{err.byte:02x} (save the file as UTF-8)",
                            line if line >= 1 else None)
        self._reopened = None  # written back as UTF-8 it reads: saving it as it is goes on with it
        return step

    def _syntax(self, body: str, problem: str, line: int | None) -> Reopen:
        """A YAML error, its line counted in the buffer the user gets back (header included)."""
        def reason(n: int | None, text: str) -> Reason:
            if text.startswith("error converting YAML to JSON"):  # (.inf: sigs.k8s.io/yaml's words)
                return Reason(f"The edited file had a syntax error: {text}")
            where = f"line {n}: " if n is not None else ""
            return Reason(f"The edited file had a syntax error: yaml: {where}{text}")

        above = header([reason(0, problem)]).count("\n")  # the digits do not change the line count
        problem = re.sub(r"\bline (\d+)\b", lambda m: f"line {above + int(m[1])}", problem)  # "already defined at line 5"
        return self._reopen(body, [reason(None if line is None else above + line, problem)])

    def _reopen(self, body: str, reasons: list[Reason], *, message: str = "") -> Reopen:
        self._reopened = body
        flash = message or "; ".join(r.head + (": " + ", ".join(r.items) if r.items else "") for r in reasons)
        return Reopen(flash.replace("\n", " "), header(reasons) + body)
