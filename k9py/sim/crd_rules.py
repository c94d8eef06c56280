"""CRD validation rules (``x-kubernetes-validations``): CEL on a schema node, checked when the CRD is
stored and evaluated on every create and update of its custom resources, as the apiserver does.

A rule sees the node's value as ``self`` and, for a transition rule (one that reads ``oldSelf``),
the value the stored object had there: such a rule is evaluated on an update whose old object has
the field, never on a create. A false rule is the apiserver's cause: ``spec: Invalid value:
"object": failed rule: self.minReplicas <= self.replicas`` (or the rule's ``message``, its
``messageExpression``'s text; ``fieldPath`` and ``reason`` move and reword it). Rules are evaluated
once the schema's own keywords found nothing wrong. With ``optionalOldSelf`` it is evaluated on
creates too, ``oldSelf`` an optional (``oldSelf.hasValue()``). Not done: list items' transition
rules (the apiserver correlates them by ``x-kubernetes-list-map-keys``), the cost estimates refused
at CRD creation.
"""

from __future__ import annotations

from typing import Any

from k9py.kube import cel

Obj = dict[str, Any]
RULES = "x-kubernetes-validations"
DECLARED = frozenset({"self", "oldSelf"})
ABSENT = object()  # no old value at this node (a create, or a field the old object lacked)
_REASONS = {"FieldValueInvalid": "", "FieldValueForbidden": "Forbidden", "FieldValueRequired": "Required value",
            "FieldValueDuplicate": "Duplicate value"}
MAX_DEPTH = 100

def _program(source: str) -> cel.Program:
    return cel.compile_cached(source, DECLARED)


def _go_rule(rule: Obj) -> str:
    """``apiextensions.ValidationRule``'s %#v, as the CRD's validation error prints the rule."""
    def q(v: Any) -> str:
        return '"' + str(v or "").replace("\\", "\\\\").replace('"', '\\"') + '"'
    reason = f'"{rule["reason"]}"' if rule.get("reason") else "(*apiextensions.FieldValueErrorReason)(nil)"
    optional = f"(*bool)({str(rule['optionalOldSelf']).lower()})" if isinstance(rule.get("optionalOldSelf"), bool) \
        else "(*bool)(nil)"
    return (f"apiextensions.ValidationRule{{Rule:{q(rule.get('rule'))}, Message:{q(rule.get('message'))}, "
            f"MessageExpression:{q(rule.get('messageExpression'))}, Reason:{reason}, "
            f"FieldPath:{q(rule.get('fieldPath'))}, OptionalOldSelf:{optional}}}")


def compile_errors(schema: Any, path: str, errs: list[tuple[str, str]], depth: int = 0) -> None:
    """The causes of the rules in ``schema`` (at ``path``, the CRD's field path to it) that do not
    compile or are malformed."""
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return
    rules = schema.get(RULES)
    if rules is not None:
        if not isinstance(rules, list):
            errs.append((f"{path}.{RULES}", "Invalid value: must be a list"))
        else:
            for i, rule in enumerate(rules):
                where = f"{path}.{RULES}[{i}]"
                if not isinstance(rule, dict) or not isinstance(rule.get("rule"), str) or not rule["rule"].strip():
                    errs.append((f"{where}.rule", "Required value"))
                    continue
                for field in ("rule", "messageExpression"):
                    source = rule.get(field)
                    if field == "messageExpression" and not source:
                        continue
                    try:
                        cel.compile(str(source), DECLARED)
                    except cel.CelSyntaxError as e:
                        errs.append((f"{where}.{field}", f"Invalid value: {_go_rule(rule)}: compilation failed: {e}"))
                if rule.get("reason") is not None and rule["reason"] not in _REASONS:
                    errs.append((f"{where}.reason", f'Unsupported value: "{rule["reason"]}": supported values: '
                                                    + ", ".join(f'"{r}"' for r in sorted(_REASONS))))
    for key, sub in (schema.get("properties") or {}).items() if isinstance(schema.get("properties"), dict) else ():
        compile_errors(sub, f"{path}.properties[{key}]", errs, depth + 1)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            compile_errors(schema[key], f"{path}.{key}", errs, depth + 1)


def root_self(obj: Obj) -> Obj:
    """What a rule at the schema's root sees as ``self``: the object, its metadata reduced to
    ``name`` and ``generateName`` (as the apiserver's CEL validator gives it)."""
    md = obj.get("metadata")
    kept = {k: md[k] for k in ("name", "generateName") if k in md} if isinstance(md, dict) else {}
    return {**obj, "metadata": kept}


def has_rules(schema: Any, depth: int = 0) -> bool:
    if not isinstance(schema, dict) or depth > MAX_DEPTH:
        return False
    if schema.get(RULES):
        return True
    props = schema.get("properties")
    children = list(props.values()) if isinstance(props, dict) else []
    children += [schema[k] for k in ("items", "additionalProperties") if isinstance(schema.get(k), dict)]
    return any(has_rules(c, depth + 1) for c in children)


def rule_errors(schema: Any, value: Any, old: Any, path: str, errs: list[tuple[str, str]]) -> None:
    """The causes of the rules under ``schema`` that ``value`` breaks (``old``: the stored object's
    value there, ``ABSENT`` when there is none), all of them within one budget (the request's)."""
    with cel.request_budget():
        _rule_errors(schema, value, old, path, errs, 0)


def _rule_errors(schema: Any, value: Any, old: Any, path: str, errs: list[tuple[str, str]], depth: int) -> None:
    if not isinstance(schema, dict) or value is None or depth > MAX_DEPTH:
        return
    for rule in schema.get(RULES) or []:
        if isinstance(rule, dict):
            _check(rule, schema, value, old, path, errs)
    if isinstance(value, dict):
        props = schema.get("properties")
        if not isinstance(props, dict):
            props = {}
        extra = schema.get("additionalProperties")
        for key, v in value.items():
            sub = props.get(key, extra if isinstance(extra, dict) else None)
            before = old.get(key, ABSENT) if isinstance(old, dict) else ABSENT
            child = f"{path}.{key}" if path and key in props else (f"{path}[{key}]" if path else str(key))
            _rule_errors(sub, v, before, child, errs, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _rule_errors(schema.get("items"), item, ABSENT, f"{path}[{i}]", errs, depth + 1)


def _check(rule: Obj, schema: Obj, value: Any, old: Any, path: str, errs: list[tuple[str, str]]) -> None:
    source = str(rule.get("rule", ""))
    try:
        program = _program(source)
    except cel.CelSyntaxError:
        return  # (refused when the CRD was stored)
    transition = "oldSelf" in source
    optional_old = rule.get("optionalOldSelf") is True
    if transition and old is ABSENT and not optional_old:
        return  # a transition rule: only on an update that had a value here
    if optional_old:  # oldSelf is an optional: none on a create (oldSelf.hasValue())
        from k9py.kube.cel_optional import NONE, Optional
        old_self: Any = NONE if old is ABSENT else Optional(old)
    else:
        old_self = None if old is ABSENT else old
    activation = {"self": value, "oldSelf": old_self}
    where = path + str(rule.get("fieldPath") or "") if rule.get("fieldPath") else path
    shown = f'"{schema.get("type") or "object"}"'
    try:
        ok = program.evaluate(activation)
        if type(ok) is not bool:
            raise cel.CelError(f"rule did not evaluate to a boolean: {ok!r}")
    except cel.CelError as e:
        errs.append((where or "<nil>", f"Invalid value: {shown}: rule evaluation error: {e}"))
        return
    if ok:
        return
    message = _message(rule, activation, source)
    word = _REASONS.get(str(rule.get("reason") or "FieldValueInvalid"), "")
    errs.append((where.lstrip(".") or "<nil>", f"{word}: {message}" if word else f"Invalid value: {shown}: {message}"))


def _message(rule: Obj, activation: Obj, source: str) -> str:
    expression = rule.get("messageExpression")
    if expression:
        try:
            text = _program(str(expression)).evaluate(activation)
            if isinstance(text, str) and text.strip() and "\n" not in text:
                return text
        except (cel.CelError, cel.CelSyntaxError):
            pass
    if rule.get("message"):
        return str(rule["message"])
    return f"failed rule: {source.strip()}"
