"""ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding (``admissionregistration.k8s.io/v1``):
stored with the apiserver's defaults and validation, and enforced on every create, update and
delete made through the API, the objects controllers create included (a ReplicaSet whose pods a
policy refuses reports FailedCreate with the policy's words), as the apiserver's
ValidatingAdmissionPolicy plugin does (the simulated controllers' updates of objects they own, and
the kubelet's status writes, are not checked):

- a binding applies its policy to the requests both the policy's ``matchConstraints`` and the
  binding's ``matchResources`` match (resource rules with wildcards and subresources, excluded
  rules, ``resourceNames``, namespace and object selectors, scope), then whose ``matchConditions``
  are all true;
- ``authorizer`` asks the cluster's RBAC (``authorizer.group('').resource('pods').check('create')
  .allowed()``, ``serviceAccount(ns, name)``, ``requestResource``);
- ``params`` come from the binding's ``paramRef`` (by name, or every object its selector selects,
  each evaluated; none found: ``parameterNotFoundAction``), ``variables`` are evaluated when first
  read, ``namespaceObject`` is the object's namespace;
- a validation that is false (or fails to evaluate under ``failurePolicy: Fail``) is acted on as the
  binding's ``validationActions`` say: ``Deny`` refuses the request with the apiserver's Status
  (422 Invalid unless the validation's ``reason`` says otherwise; "ValidatingAdmissionPolicy 'p'
  with binding 'b' denied request: …", the validation's ``message``, its ``messageExpression`` or
  "failed expression: …"), ``Warn`` adds a ``Warning`` header to the response (``WARNINGS``),
  ``Audit`` has nothing to write to;
- the policies and bindings themselves, and webhook configurations, are exempt (as the apiserver
  exempts them, so a policy cannot lock its own removal out).

Expressions are checked when a policy is stored ("compilation failed: …", with undeclared names
refused) and evaluated by ``kube/cel.py`` (what it lacks: see there; no type checking, so a type
mismatch shows as an evaluation error). Not done: ``auditAnnotations`` (stored and checked, no audit
log to write), type checking (``status.typeChecking`` stays empty: the apiserver's
controller writes it with ``observedGeneration``, as here), MutatingAdmissionPolicy.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from k9py.kube import cel, meta, resources, selectors, verbs
from k9py.kube.status import ApiError, invalid
from k9py.sim import certificates, rbac
from k9py.sim.admission import admits
from k9py.sim.controllers.base import Controller

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
POLICY = "ValidatingAdmissionPolicy"
BINDING = "ValidatingAdmissionPolicyBinding"
GROUP = "admissionregistration.k8s.io"
# exempt from every admission policy and webhook (the apiserver's IsExemptAdmissionConfigurationResource)
EXEMPT = frozenset({POLICY, BINDING, "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"})
DECLARED = frozenset({"object", "oldObject", "request", "params", "namespaceObject", "variables", "authorizer"})
ACTIONS = ("Audit", "Deny", "Warn")
REASONS = {"Unauthorized": 401, "Forbidden": 403, "Invalid": 422, "RequestEntityTooLarge": 413}
OPERATIONS = ("*", "CREATE", "UPDATE", "DELETE", "CONNECT")
SCOPES = ("*", "Cluster", "Namespaced")
SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")

# The warnings of the request being handled (``k9py serve`` sets a list per request; ``Warn``
# validations add theirs, sent as ``Warning`` headers). None: nobody to tell.
WARNINGS: ContextVar[list[str] | None] = ContextVar("admission_policy_warnings", default=None)



# -- storing them -----------------------------------------------------------------------------------
def _compile_error(path: str, expression: Any, errs: list[tuple[str, str]]) -> None:
    if not isinstance(expression, str) or not expression.strip():
        errs.append((path, "Required value"))
        return
    try:
        cel.compile(expression, DECLARED)
    except cel.CelSyntaxError as e:
        errs.append((path, f"Invalid value: {_go_quote(expression)}: compilation failed: {e}"))


def _go_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _rule_errors(rules: Any, path: str, errs: list[tuple[str, str]], *, required: bool) -> None:
    if rules is None or rules == []:
        if required:
            errs.append((path, "Required value"))
        return
    if not isinstance(rules, list):
        errs.append((path, "Invalid value: must be a list"))
        return
    for i, rule in enumerate(rules):
        where = f"{path}[{i}]"
        if not isinstance(rule, dict):
            errs.append((where, "Invalid value: must be an object"))
            continue
        for field in ("apiGroups", "apiVersions", "operations", "resources"):
            values = rule.get(field)
            if not values:
                errs.append((f"{where}.{field}", "Required value"))
            elif not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                errs.append((f"{where}.{field}", "Invalid value: must be a list of strings"))
            elif "*" in values and len(values) > 1 and field != "resources":
                errs.append((f"{where}.{field}", "Invalid value: if '*' is present, must not specify other "
                                                 + ("API groups" if field == "apiGroups" else "API versions" if field == "apiVersions" else "operations")))
        for j, op in enumerate(rule.get("operations") or []):
            if isinstance(op, str) and op not in OPERATIONS:
                errs.append((f"{where}.operations[{j}]", f'Unsupported value: "{op}": supported values: '
                                                         + ", ".join(f'"{o}"' for o in OPERATIONS)))
        scope = rule.setdefault("scope", "*")
        if scope not in SCOPES:
            errs.append((f"{where}.scope", f'Unsupported value: "{scope}": supported values: "*", "Cluster", "Namespaced"'))


def _selector_errors(sel: Any, path: str, errs: list[tuple[str, str]]) -> None:
    if sel is None:
        return
    if not isinstance(sel, dict):
        errs.append((path, "Invalid value: must be a label selector"))
        return
    for i, expr in enumerate(sel.get("matchExpressions") or []):
        op = expr.get("operator") if isinstance(expr, dict) else None
        if op not in SELECTOR_OPERATORS:
            errs.append((f"{path}.matchExpressions[{i}].operator", f'Invalid value: "{op}": not a valid selector operator'))
        elif op in ("In", "NotIn") and not expr.get("values"):
            errs.append((f"{path}.matchExpressions[{i}].values", "Required value: must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist") and expr.get("values"):
            errs.append((f"{path}.matchExpressions[{i}].values", "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
    labels = sel.get("matchLabels")
    if labels is not None and (not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values())):
        errs.append((f"{path}.matchLabels", "Invalid value: must be a map of strings"))


def _match_resources_errors(m: Any, path: str, errs: list[tuple[str, str]], *, required: bool) -> None:
    if m is None:
        if required:
            errs.append((path, "Required value"))
        return
    if not isinstance(m, dict):
        errs.append((path, "Invalid value: must be an object"))
        return
    m.setdefault("matchPolicy", "Equivalent")
    m.setdefault("namespaceSelector", {})
    m.setdefault("objectSelector", {})
    if m["matchPolicy"] not in ("Exact", "Equivalent"):
        errs.append((f"{path}.matchPolicy", f'Unsupported value: "{m["matchPolicy"]}": supported values: "Equivalent", "Exact"'))
    _selector_errors(m.get("namespaceSelector"), f"{path}.namespaceSelector", errs)
    _selector_errors(m.get("objectSelector"), f"{path}.objectSelector", errs)
    _rule_errors(m.get("resourceRules"), f"{path}.resourceRules", errs, required=required)
    _rule_errors(m.get("excludeResourceRules"), f"{path}.excludeResourceRules", errs, required=False)


def _named_expressions(items: Any, path: str, errs: list[tuple[str, str]], *, unique: bool) -> None:
    if items is None:
        return
    if not isinstance(items, list):
        errs.append((path, "Invalid value: must be a list"))
        return
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            errs.append((f"{path}[{i}]", "Invalid value: must be an object"))
            continue
        name = item.get("name")
        if not name:
            errs.append((f"{path}[{i}].name", "Required value"))
        elif unique and name in seen:
            errs.append((f"{path}[{i}].name", f'Duplicate value: "{name}"'))
        seen.add(str(name))
        _compile_error(f"{path}[{i}].expression", item.get("expression"), errs)


@admits(POLICY)
def _admit_policy(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    spec = obj.get("spec")
    name = meta.name(obj)
    errs: list[tuple[str, str]] = []
    if not isinstance(spec, dict):
        raise invalid(POLICY, name, [("spec", "Required value")])
    spec.setdefault("failurePolicy", "Fail")
    if spec["failurePolicy"] not in ("Fail", "Ignore"):
        errs.append(("spec.failurePolicy", f'Unsupported value: "{spec["failurePolicy"]}": supported values: "Fail", "Ignore"'))
    _match_resources_errors(spec.get("matchConstraints"), "spec.matchConstraints", errs, required=True)
    validations, audits = spec.get("validations"), spec.get("auditAnnotations")
    if not validations and not audits:
        errs.append(("spec.validations", "Required value: validations or auditAnnotations must contain at least one item"))
    for i, v in enumerate(validations if isinstance(validations, list) else []):
        where = f"spec.validations[{i}]"
        if not isinstance(v, dict):
            errs.append((where, "Invalid value: must be an object"))
            continue
        _compile_error(f"{where}.expression", v.get("expression"), errs)
        if v.get("messageExpression") is not None:
            _compile_error(f"{where}.messageExpression", v.get("messageExpression"), errs)
        msg = v.get("message")
        if isinstance(msg, str) and "\n" in msg:
            errs.append((f"{where}.message", f"Invalid value: {_go_quote(msg)}: message must not contain line breaks"))
        reason = v.get("reason")
        if reason is not None and reason not in REASONS:
            errs.append((f"{where}.reason", f'Unsupported value: "{reason}": supported values: '
                                            + ", ".join(f'"{r}"' for r in ("Forbidden", "Invalid", "RequestEntityTooLarge", "Unauthorized"))))
    for i, a in enumerate(audits if isinstance(audits, list) else []):
        if isinstance(a, dict):
            if not a.get("key"):
                errs.append((f"spec.auditAnnotations[{i}].key", "Required value"))
            _compile_error(f"spec.auditAnnotations[{i}].valueExpression", a.get("valueExpression"), errs)
    _named_expressions(spec.get("matchConditions"), "spec.matchConditions", errs, unique=True)
    _named_expressions(spec.get("variables"), "spec.variables", errs, unique=False)
    pk = spec.get("paramKind")
    if pk is not None and (not isinstance(pk, dict) or not pk.get("kind") or not pk.get("apiVersion")):
        errs.append(("spec.paramKind", "Invalid value: apiVersion and kind are required"))
    if errs:
        raise invalid(POLICY, name, errs)


@admits(BINDING)
def _admit_binding(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    spec = obj.get("spec")
    name = meta.name(obj)
    errs: list[tuple[str, str]] = []
    if not isinstance(spec, dict):
        raise invalid(BINDING, name, [("spec", "Required value")])
    if not spec.get("policyName"):
        errs.append(("spec.policyName", "Required value"))
    actions = spec.get("validationActions")
    if not actions:
        errs.append(("spec.validationActions", "Required value: at least one validation action is required"))
    elif not isinstance(actions, list):
        errs.append(("spec.validationActions", "Invalid value: must be a list"))
    else:
        for i, a in enumerate(actions):
            if a not in ACTIONS:
                errs.append((f"spec.validationActions[{i}]", f'Unsupported value: "{a}": supported values: "Audit", "Deny", "Warn"'))
            elif a in actions[:i]:
                errs.append((f"spec.validationActions[{i}]", f'Duplicate value: "{a}"'))
        if "Deny" in actions and "Warn" in actions:
            errs.append(("spec.validationActions", f"Invalid value: {_go_slice(actions)}: must not contain both Deny and Warn "
                                                   "(repeating the same validation failure information in the API response "
                                                   "and headers serves no purpose)"))
    ref = spec.get("paramRef")
    if ref is not None:
        if not isinstance(ref, dict):
            errs.append(("spec.paramRef", "Invalid value: must be an object"))
        else:
            if ref.get("name") and ref.get("selector") is not None:
                errs.append(("spec.paramRef.name", 'Forbidden: name and selector are mutually exclusive'))
            if not ref.get("name") and ref.get("selector") is None:
                errs.append(("spec.paramRef", "Required value: one of name or selector must be set"))
            _selector_errors(ref.get("selector"), "spec.paramRef.selector", errs)
            action = ref.get("parameterNotFoundAction")
            if action is None:
                errs.append(("spec.paramRef.parameterNotFoundAction", "Required value"))
            elif action not in ("Allow", "Deny"):
                errs.append(("spec.paramRef.parameterNotFoundAction", f'Unsupported value: "{action}": supported values: "Allow", "Deny"'))
    if spec.get("matchResources") is not None:
        _match_resources_errors(spec.get("matchResources"), "spec.matchResources", errs, required=False)
    if errs:
        raise invalid(BINDING, name, errs)


def _go_slice(values: list[Any]) -> str:
    return '[]admissionregistration.ValidationAction{' + ", ".join(_go_quote(str(v)) for v in values) + "}"


# -- enforcing them ---------------------------------------------------------------------------------
class _Request:
    """What one request is: its operation, objects and resource, as the policies see it."""

    def __init__(self, cluster: Cluster, operation: str, obj: Obj | None, old: Obj | None,
                 res: resources.ApiResource, subresource: str, dry_run: bool) -> None:
        self.cluster = cluster
        self.operation = operation
        self.obj, self.old = obj, old
        self.res = res
        self.subresource = subresource
        self.dry_run = dry_run
        some = obj if obj is not None else old
        assert some is not None
        self.kind = res.kind
        self.name = meta.name(some)
        self.namespace = meta.namespace(some) if res.namespaced else ""
        self._namespace_obj: Any = None
        self._found_namespace = False

    @property
    def namespace_object(self) -> Obj | None:
        if not self._found_namespace:
            self._found_namespace = True
            if self.namespace:
                self._namespace_obj = self.cluster.store.get("Namespace", None, self.namespace)
        return self._namespace_obj

    def user(self) -> rbac.UserInfo:
        user, groups, uid, extra = certificates.REQUESTER.get() or certificates.DEFAULT_REQUESTER
        return rbac.user_info(user, groups, uid, extra)

    def cel_request(self) -> Obj:
        user, groups, uid, extra = certificates.REQUESTER.get() or certificates.DEFAULT_REQUESTER
        gvk = {"group": "autoscaling", "version": "v1", "kind": "Scale"} if self.subresource == "scale" else \
            {"group": self.res.group, "version": self.res.version, "kind": self.kind}
        gvr = {"group": self.res.group, "version": self.res.version, "resource": self.res.plural}
        info: Obj = {"username": user, "uid": uid, "groups": list(groups)}
        if extra:
            info["extra"] = {k: list(v) for k, v in extra.items()}
        return {"uid": "", "kind": gvk, "resource": gvr, "subResource": self.subresource, "requestKind": gvk,
                "requestResource": gvr, "requestSubResource": self.subresource, "name": self.name,
                "namespace": self.namespace, "operation": self.operation, "userInfo": info,
                "dryRun": self.dry_run, "options": {}}


def _str_args(name: str, args: list[Any], count: int) -> list[str]:
    if len(args) != count or not all(type(a) is str for a in args):
        raise cel.CelError(f"no such overload: {name}")
    return args


cel.HOST_METHODS.update({"group", "resource", "subresource", "namespace", "name", "check", "path",
                         "serviceAccount", "allowed", "reason", "errored", "error"})  # ``authorizer``'s


class _Decision(cel.HostObject):
    """``…check(verb)``: what RBAC decided (``allowed()``, ``reason()``; never ``errored()``)."""

    cel_type = "kubernetes.authorization.Decision"

    def __init__(self, allowed: bool, reason: str) -> None:
        self.allowed, self.reason = allowed, reason

    def cel_call(self, name: str, args: list[Any]) -> Any:
        answers = {"allowed": self.allowed, "reason": self.reason, "errored": False, "error": ""}
        if name in answers and not args:
            return answers[name]
        return super().cel_call(name, args)


class _Check(cel.HostObject):
    """``authorizer.group(g).resource(r)…`` (or ``authorizer.path(p)``): attributes to check a verb
    with, as the apiserver's authorizer library builds them."""

    cel_type = "kubernetes.authorization.ResourceCheck"

    def __init__(self, owner: _Authorizer, **attrs: str) -> None:
        self.owner, self.attrs = owner, attrs

    def cel_call(self, name: str, args: list[Any]) -> Any:
        if name in ("resource", "subresource", "namespace", "name") and "path" not in self.attrs:
            (value,) = _str_args(name, args, 1)
            return _Check(self.owner, **{**self.attrs, name: value})
        if name == "check":
            (verb,) = _str_args(name, args, 1)
            allowed, reason = rbac.authorize(self.owner.cluster, self.owner.user, rbac.Attributes(verb, **self.attrs))
            return _Decision(allowed, reason)
        return super().cel_call(name, args)


class _Authorizer(cel.HostObject):
    """``authorizer``: RBAC's decisions for the requesting user (``serviceAccount(ns, name)``: for
    that ServiceAccount); ``authorizer.requestResource``: the request's own resource."""

    cel_type = "kubernetes.authorization.Authorizer"

    def __init__(self, cluster: Cluster, user: rbac.UserInfo, req: _Request) -> None:
        self.cluster, self.user, self.req = cluster, user, req

    def cel_field(self, field: str) -> Any:
        if field == "requestResource":
            r = self.req
            return _Check(self, group=r.res.group, resource=r.res.plural, subresource=r.subresource,
                          namespace=r.namespace, name=r.name)
        return super().cel_field(field)

    def cel_call(self, name: str, args: list[Any]) -> Any:
        if name == "group":
            (group,) = _str_args(name, args, 1)
            return _Check(self, group=group)
        if name == "path":
            (path,) = _str_args(name, args, 1)
            return _Check(self, path=path)
        if name == "serviceAccount":
            ns, sa = _str_args(name, args, 2)
            return _Authorizer(self.cluster, rbac.user_info(f"system:serviceaccount:{ns}:{sa}"), self.req)
        return super().cel_call(name, args)


def _listed(values: Any, value: str) -> bool:
    return isinstance(values, list) and ("*" in values or value in values)


def _rule_matches(rule: Any, req: _Request) -> bool:
    if not isinstance(rule, dict):
        return False
    res = req.res
    if not (_listed(rule.get("apiGroups"), res.group) and _listed(rule.get("apiVersions"), res.version)
            and _listed(rule.get("operations"), req.operation)):
        return False
    scope = rule.get("scope", "*")
    if (scope == "Cluster" and res.namespaced) or (scope == "Namespaced" and not res.namespaced):
        return False
    sub = req.subresource
    wanted = f"{res.plural}/{sub}" if sub else res.plural
    for r in rule.get("resources") or []:
        if r == wanted or r == "*/*" or (r == "*" and not sub):
            break
        if sub and (r == f"{res.plural}/*" or r == f"*/{sub}"):
            break
    else:
        return False
    names = rule.get("resourceNames")
    return not names or req.name in names


def _selected(selector: Any, labels: Any) -> bool:
    try:
        sel = selectors.from_label_selector(selector if isinstance(selector, dict) else {})
    except (KeyError, TypeError, AttributeError):
        return False
    return selectors.matches(sel, labels if isinstance(labels, dict) else {})


def _resources_match(m: Obj, req: _Request) -> bool:
    """Whether a policy's ``matchConstraints`` or a binding's ``matchResources`` take ``req``."""
    if req.kind == "Namespace":
        labels_ns = meta.labels(req.obj if req.obj is not None else req.old or {})
        if not _selected(m.get("namespaceSelector"), labels_ns):
            return False
    elif req.res.namespaced:
        ns = req.namespace_object
        if not _selected(m.get("namespaceSelector"), meta.labels(ns) if ns is not None else {}):
            return False
    objsel = m.get("objectSelector")
    if objsel and not any(_selected(objsel, meta.labels(o)) for o in (req.obj, req.old) if o is not None):
        return False
    rules = m.get("resourceRules")
    if rules is not None and not any(_rule_matches(r, req) for r in rules):
        return False
    return not any(_rule_matches(r, req) for r in m.get("excludeResourceRules") or [])


class _Variables(Mapping[str, Any]):
    """``variables``: each composited variable evaluated when first read (in a later variable,
    a validation or a message), once per evaluation context."""

    def __init__(self, programs: dict[str, cel.Program], activation: dict[str, Any]) -> None:
        self._programs = programs
        self._activation = activation
        self._values: dict[str, Any] = {}
        self._errors: dict[str, cel.CelError] = {}
        self._busy: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        if key in self._values:
            return self._values[key]
        if key in self._errors:
            raise self._errors[key]
        program = self._programs[key]  # KeyError: not a variable (CEL: no such key)
        if key in self._busy:
            raise cel.CelError(f"composited variable {key} refers to itself")
        self._busy.add(key)
        try:
            value = self._values[key] = program.evaluate(self._activation)
        except cel.CelError as e:
            self._errors[key] = e
            raise
        finally:
            self._busy.discard(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._programs

    def __iter__(self) -> Iterator[str]:
        return iter(self._programs)

    def __len__(self) -> int:
        return len(self._programs)


def _program(expression: str) -> cel.Program:
    return cel.compile_cached(expression, DECLARED)


class _Failure:
    """One validation that failed for a (policy, binding, params)."""

    def __init__(self, message: str, reason: str | None) -> None:
        self.message = message
        self.reason = reason or "Invalid"


def _evaluate(policy: Obj, req: _Request, params: Any) -> list[_Failure]:
    """The failures of ``policy``'s validations for ``req`` (nothing when a match condition is false)."""
    spec = policy.get("spec") or {}
    fail_closed = spec.get("failurePolicy", "Fail") == "Fail"
    activation: dict[str, Any] = {"object": req.obj, "oldObject": req.old, "request": req.cel_request(),
                                  "params": params, "namespaceObject": req.namespace_object,
                                  "authorizer": _Authorizer(req.cluster, req.user(), req)}
    programs: dict[str, cel.Program] = {}
    try:
        for v in spec.get("variables") or []:
            programs[v["name"]] = _program(v["expression"])
    except (cel.CelSyntaxError, KeyError, TypeError) as e:
        return [_Failure(f"failed to compile variables: {e}", None)] if fail_closed else []
    activation["variables"] = _Variables(programs, activation)
    for cond in spec.get("matchConditions") or []:
        try:
            matched = _program(cond["expression"]).evaluate(activation)
            if type(matched) is not bool:
                raise cel.CelError(f"matchCondition '{cond['name']}' must evaluate to bool")
        except (cel.CelError, cel.CelSyntaxError) as e:
            if fail_closed:
                return [_Failure(f"failed to evaluate matchCondition '{cond.get('name')}': {e}", None)]
            return []
        if not matched:
            return []
    failures: list[_Failure] = []
    for v in spec.get("validations") or []:
        expression = str(v.get("expression", ""))
        try:
            ok = _program(expression).evaluate(activation)
            if type(ok) is not bool:
                raise cel.CelError(f"validation failed due to an error: expression did not evaluate to bool: {ok!r}")
        except (cel.CelError, cel.CelSyntaxError) as e:
            if fail_closed:
                failures.append(_Failure(f"expression '{expression}' resulted in error: {e}", v.get("reason")))
            continue
        if not ok:
            failures.append(_Failure(_message(v, activation), v.get("reason")))
    return failures


def _message(validation: Obj, activation: dict[str, Any]) -> str:
    """A failed validation's message: its messageExpression's (when that gives one line of text),
    else its message, else which expression failed."""
    source = validation.get("messageExpression")
    if source:
        try:
            text = _program(str(source)).evaluate(activation)
            if isinstance(text, str) and text.strip() and "\n" not in text:
                return text.strip()
        except (cel.CelError, cel.CelSyntaxError):
            pass
    message = validation.get("message")
    if message:
        return str(message)
    return f"failed expression: {str(validation.get('expression', '')).strip()}"


def _params(cluster: Cluster, policy: Obj, binding: Obj, req: _Request) -> list[Any] | str:
    """The param objects to evaluate ``policy`` with (``[None]`` without a paramKind), or why the
    binding cannot be configured (a denial's message)."""
    kind_ref = (policy.get("spec") or {}).get("paramKind")
    if not kind_ref:
        return [None]
    ref = (binding.get("spec") or {}).get("paramRef")
    if not isinstance(ref, dict):
        return f"failed to configure binding: paramRef is required when paramKind is set ({kind_ref.get('kind')})"
    res = cluster.api_resources().kind(str(kind_ref.get("kind", "")))
    if res is None:
        return f"failed to configure policy: failed to find resource referenced by paramKind: '{kind_ref.get('apiVersion')}, Kind={kind_ref.get('kind')}'"
    ns = ref.get("namespace") or (req.namespace if res.namespaced else None)
    if res.namespaced and not ns:
        return "failed to configure binding: cannot use namespaced paramRef in policy binding that matches cluster-scoped resources"
    if ref.get("name"):
        found = cluster.store.get(res.kind, ns if res.namespaced else None, str(ref["name"]))
        params = [found] if found is not None else []
    else:
        params = [o for o in cluster.store.list(res.kind, ns if res.namespaced else None)
                  if _selected(ref.get("selector"), meta.labels(o))]
    if params:
        return params
    if ref.get("parameterNotFoundAction") == "Deny":
        return "failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction"
    return []


def check(cluster: Cluster, operation: str, obj: Obj | None, old: Obj | None, *,
          subresource: str = "", dry_run: bool = False) -> None:
    """Refuse the request (ApiError) as the bound policies that match it deny it; add their
    warnings to ``WARNINGS``. Costs a dict lookup while no binding exists."""
    store = cluster.store
    if not store.count(BINDING):
        return
    some = obj if obj is not None else old
    if some is None or some.get("kind") in EXEMPT:
        return
    res = cluster.api_resources().kind(some.get("kind", ""))
    if res is None:
        return
    if subresource == "scale":  # the policy sees the Scale the request was about, as the apiserver's does
        obj, old = (verbs.scale_of(o) if o is not None else None for o in (obj, old))
    req = _Request(cluster, operation, obj, old, res, subresource, dry_run)
    with cel.request_budget():  # one budget for all the request's evaluations, as the apiserver's
        for binding in store.list(BINDING):
            _apply_binding(cluster, binding, req)


def _apply_binding(cluster: Cluster, binding: Obj, req: _Request) -> None:
    """``binding``'s policy over ``req``, when both match it: its failures acted on."""
    bspec = binding.get("spec") or {}
    policy = cluster.store.get(POLICY, None, str(bspec.get("policyName", "")))
    if policy is None:
        return
    pspec = policy.get("spec") or {}
    if not _resources_match(pspec.get("matchConstraints") or {}, req):
        return
    narrower = bspec.get("matchResources")
    if isinstance(narrower, dict) and not _resources_match(narrower, req):
        return
    actions = bspec.get("validationActions") or []
    params = _params(cluster, policy, binding, req)
    if isinstance(params, str):
        failures = [_Failure(params, None)] if pspec.get("failurePolicy", "Fail") == "Fail" else []
    else:
        failures = [f for p in params for f in _evaluate(policy, req, p)]
    for failure in failures:
        _act(actions, meta.name(policy), meta.name(binding), failure, req)


def _act(actions: list[str], policy: str, binding: str, failure: _Failure, req: _Request) -> None:
    if "Warn" in actions:
        warnings = WARNINGS.get()
        if warnings is not None:
            warnings.append(f"Validation failed for ValidatingAdmissionPolicy '{policy}' with binding "
                            f"'{binding}': {failure.message}")
    if "Deny" in actions:
        text = f"ValidatingAdmissionPolicy '{policy}' with binding '{binding}' denied request: {failure.message}"
        res = req.res
        target = f"{res.plural}.{res.group}" if res.group else res.plural
        err = ApiError(REASONS.get(failure.reason, 422), failure.reason, f'{target} "{req.name}" is forbidden: {text}',
                       name=req.name or None, kind=req.kind, causes=[{"message": text}])
        raise req.cluster.named(err)


class AdmissionPolicyStatusController(Controller):
    """The apiserver's policy type-checking controller: each policy's status says which
    generation it has looked at (``observedGeneration``) and its type checking's warnings (none
    here: expressions are not type checked)."""

    name = "admission-policy-status"
    watches = (POLICY,)

    def reconcile(self, cluster: Cluster) -> None:
        store = cluster.store
        for policy in store.list(POLICY):
            generation = meta.dig(policy, "metadata", "generation")
            if meta.dig(policy, "status", "observedGeneration") == generation:
                continue

            def observed(o: Obj, generation: Any = generation) -> None:
                o["status"] = {"observedGeneration": generation, "typeChecking": {}}
            store.mutate(POLICY, None, meta.name(policy), observed)
