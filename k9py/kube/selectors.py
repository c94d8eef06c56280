"""Label selectors (string form and LabelSelector objects) and field selectors."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from k9py.kube import meta
from k9py.kube.meta import dig

Obj = dict[str, Any]


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # "=", "!=", "in", "notin", "exists", "!"
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "=":
            return present and value == self.values[0]
        if self.op == "!=":
            return not present or value != self.values[0]
        if self.op == "in":
            return present and value in self.values
        if self.op == "notin":
            return not present or value not in self.values
        if self.op == "exists":
            return present
        return not present  # "!"


Selector = tuple[Requirement, ...]

_SET_RE = re.compile(r"^\s*(!?)([\w./-]+)\s*(?:(notin|in)\s*\(([^)]*)\)|(==|=|!=)\s*([\w./-]*))?\s*$")


def _split_top_level(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for c in text:
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    if cur.strip():
        parts.append(cur)
    return parts


def parse_label_selector(text: str | None) -> Selector:
    """Parse ``app=nginx,tier!=db,env in (a,b),!legacy``; ValueError if malformed."""
    if not text or not text.strip():
        return ()
    reqs = []
    for part in _split_top_level(text):
        m = _SET_RE.match(part)
        if not m:
            raise ValueError(f"unable to parse requirement: {part.strip()!r}")
        bang, key, set_op, set_vals, op, val = m.groups()
        if bang:
            if set_op or op:
                raise ValueError(f"unable to parse requirement: {part.strip()!r}")
            reqs.append(Requirement(key, "!"))
        elif set_op:
            vals = tuple(v.strip() for v in set_vals.split(",") if v.strip())
            reqs.append(Requirement(key, set_op, vals))
        elif op:
            reqs.append(Requirement(key, "!=" if op == "!=" else "=", (val,)))
        else:
            reqs.append(Requirement(key, "exists"))
    return tuple(reqs)


def from_label_selector(sel: Obj | None) -> Selector | None:
    """A LabelSelector object (matchLabels/matchExpressions). ``None`` selector matches nothing;
    an empty one matches everything (API semantics)."""
    if sel is None:
        return None
    reqs = [Requirement(k, "=", (v,)) for k, v in sorted((sel.get("matchLabels") or {}).items())]
    ops = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}
    for expr in sel.get("matchExpressions") or []:
        reqs.append(Requirement(expr["key"], ops[expr["operator"]], tuple(expr.get("values") or ())))
    return tuple(reqs)


def from_map(m: dict[str, str] | None) -> Selector | None:
    """A Service-style selector map; ``None``/empty map selects nothing."""
    if not m:
        return None
    return tuple(Requirement(k, "=", (v,)) for k, v in sorted(m.items()))


def matches(selector: Selector | None, labels: dict[str, str] | None) -> bool:
    if selector is None:
        return False
    labels = labels or {}
    return all(r.matches(labels) for r in selector)


def selector_string(sel: Mapping[str, Any] | None) -> str:
    """How kubectl prints a selector: ``app=nginx,tier in (a,b)``."""
    if not sel:
        return "<none>"
    if "matchLabels" not in sel and "matchExpressions" not in sel:
        return ",".join(f"{k}={v}" for k, v in sel.items())
    parts = [f"{k}={v}" for k, v in (sel.get("matchLabels") or {}).items()]
    for e in sel.get("matchExpressions") or []:
        op = e["operator"]
        if op == "In":
            parts.append(f"{e['key']} in ({','.join(sorted(e.get('values') or []))})")
        elif op == "NotIn":
            parts.append(f"{e['key']} notin ({','.join(sorted(e.get('values') or []))})")
        elif op == "Exists":
            parts.append(e["key"])
        else:
            parts.append(f"!{e['key']}")
    return ",".join(parts) or "<none>"


FieldSelector = tuple[tuple[str, str, str], ...]  # (path, op, value)

_META = frozenset({"metadata.name", "metadata.namespace"})
_EVENT = _META | {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                  "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                  "reason", "reportingComponent", "source", "type"}
# the field labels a kind's apiserver accepts (its AddFieldLabelConversionFunc), by (group, kind);
# any other kind: DefaultMetaV1FieldSelectorConversion's metadata.name and metadata.namespace
KIND_FIELDS: dict[tuple[str, str], frozenset[str]] = {
    ("", "Pod"): _META | {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                          "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
                          "status.nominatedNodeName", "spec.host"},
    ("", "Node"): frozenset({"metadata.name", "spec.unschedulable"}),
    ("", "Namespace"): frozenset({"metadata.name", "status.phase"}),
    ("", "Secret"): _META | {"type"},
    ("", "Service"): _META | {"spec.clusterIP", "spec.type"},
    ("", "ReplicationController"): _META | {"status.replicas"},
    ("", "Event"): _EVENT,
    ("apps", "ReplicaSet"): _META | {"status.replicas"},
    ("batch", "Job"): _META | {"status.successful"},
    ("certificates.k8s.io", "CertificateSigningRequest"): frozenset({"metadata.name", "spec.signerName"}),
}


def unsupported_field(group: str, kind: str, path: str, selectable: tuple[str, ...] = ()) -> str | None:
    """The apiserver's refusal of a field selector on ``path`` for ``kind``, or None;
    ``selectable``: a custom resource's selectableFields."""
    known = KIND_FIELDS.get((group, kind))
    if known is None:
        if path in _META or path in selectable:
            return None
        return f'"{path}" is not a known field selector: only "metadata.name", "metadata.namespace"'
    return None if path in known else f"field label not supported: {path}"


def _flag(v: Any) -> str:
    return "true" if v is True else "false"


# the values the apiserver's ToSelectableFields computes rather than copies (a bool's false, a
# count's 0, a renamed or fallen-back field)
_COMPUTED: dict[str, Callable[[Obj], str]] = {
    "spec.unschedulable": lambda o: _flag(dig(o, "spec", "unschedulable")),
    "spec.hostNetwork": lambda o: _flag(dig(o, "spec", "hostNetwork")),
    "spec.host": lambda o: str(dig(o, "spec", "nodeName") or ""),
    "status.successful": lambda o: str(dig(o, "status", "succeeded") or 0),
    "status.replicas": lambda o: str(dig(o, "status", "replicas") or 0),
    "status.podIPs": lambda o: "",
    "source": lambda o: str(dig(o, "source", "component") or o.get("reportingComponent") or ""),
}


def parse_field_selector(text: str | None) -> FieldSelector:
    """apimachinery's fields.ParseSelector: terms split at the commas no backslash escapes, each
    at its first operator (``!=``, ``==`` or ``=``), the value unescaped (``\\,`` ``\\=`` ``\\\\``;
    a bare ``,`` or ``=`` in it, or any other escape, is refused in its words)."""
    if not text or not text.strip():
        return ()
    out = []
    for part in sorted(_split_terms(text)):
        if not part.strip():
            continue
        term = _split_term(part)
        if term is None:
            raise ValueError(f"invalid selector: '{text}'; can't understand '{part}'")
        k, op, v = term
        out.append((k.strip(), "!=" if op == "!=" else "=", _unescape_field_value(v).strip()))
    return tuple(out)


def _split_terms(text: str) -> list[str]:
    terms, start, escaped = [], 0, False
    for i, c in enumerate(text):
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    for i in range(len(term)):
        for op in ("!=", "==", "="):
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op):]
    return None


def _unescape_field_value(value: str) -> str:
    if not any(c in value for c in "\\,="):
        return value
    out, escaped = [], False
    for c in value:
        if escaped:
            if c not in "\\,=":
                raise ValueError(f"invalid field selector: invalid escape sequence: \\{c}")
            out.append(c)
            escaped = False
        elif c == "\\":
            escaped = True
        elif c in ",=":
            # Go's %v of the rune: its number (61 for =, 44 for ,), as the apiserver says it
            raise ValueError(f"invalid field selector: unescaped character in value: {ord(c)}")
        else:
            out.append(c)
    if escaped:
        raise ValueError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def escape_field_value(value: str) -> str:
    """fields.EscapeValue: a value written back into a selector parses as itself."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def field_value(obj: Obj, path: str) -> str:
    computed = _COMPUTED.get(path)
    if computed is not None:
        return computed(obj)
    cur: Any = obj
    for p in path.split("."):
        cur = cur.get(p) if isinstance(cur, dict) else None
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def field_matches(sel: FieldSelector, obj: Obj) -> bool:
    for path, op, value in sel:
        actual = field_value(obj, path)
        if (actual == value) != (op == "="):
            return False
    return True


def compile_filter(label_selector: str | None, field_selector: str | None) -> Callable[[Obj], bool]:
    labels_sel = parse_label_selector(label_selector)
    fields_sel = parse_field_selector(field_selector)

    def _match(obj: Obj) -> bool:
        return matches(labels_sel, dig(obj, "metadata", "labels") or {}) and field_matches(fields_sel, obj)

    return _match


def workload_selector(obj: Obj) -> Selector | None:
    """A Service's, workload's or PodDisruptionBudget's pod selector (None: it has none)."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "Service":
        return from_map(spec.get("selector"))
    return from_label_selector(spec.get("selector"))


def selected_pods(workload: Obj, pods: list[Obj]) -> list[Obj]:
    """The pods a workload selects, by name (its logs, its port-forward): those its selector matches (a Service, a
    Deployment through its ReplicaSets), for a ReplicaSet, StatefulSet, DaemonSet or Job the ones
    it controls (any matching ones if it controls none: a replayed trace's uids may differ)."""
    sel = workload_selector(workload)
    if sel is None:
        return []
    out = [p for p in pods if matches(sel, meta.labels(p))]
    if workload.get("kind") not in ("Service", "Deployment"):
        out = [p for p in out if (meta.controller_ref(p) or {}).get("uid") == meta.uid(workload)] or out
    return sorted(out, key=meta.name)
