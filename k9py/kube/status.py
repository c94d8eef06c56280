"""API errors as the apiserver reports them: ``Status`` objects with code and reason."""

from __future__ import annotations

from typing import Any

from k9py.kube.resources import BY_KIND, ApiResource


class ApiError(Exception):
    """An error the Kubernetes API would return; ``to_status()`` gives the Status body."""

    def __init__(self, code: int, reason: str, message: str, *, name: str | None = None,
                 kind: str | None = None, causes: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name
        self.kind = kind
        self.causes = causes or []
        self.details_kind: str | None = None  # set when details.kind is the Kind, not the plural (``invalid``)
        self.details_group = ""  # that Kind's group (``invalid``)
        self.retry_after: int | None = None  # details.retryAfterSeconds (a Timeout's)
        self.empty_details = False  # details written though empty (``restful``)

    def to_status(self) -> dict[str, Any]:
        details: dict[str, Any] = {}
        if self.name:  # (omitempty: the options' 422 has none)
            details["name"] = self.name
        if self.details_kind is not None:
            if self.details_group:
                details["group"] = self.details_group
            details["kind"] = self.details_kind
        elif self.kind is not None:
            res = BY_KIND.get(self.kind)
            if res is not None:
                if res.group:
                    details["group"] = res.group
                details["kind"] = res.plural
            else:
                details["kind"] = self.kind
        if self.causes:
            details["causes"] = self.causes
        if self.retry_after is not None:
            details["retryAfterSeconds"] = self.retry_after
        status: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                                  "status": "Failure", "message": self.message, "reason": self.reason}
        if details or self.empty_details:
            status["details"] = details
        status["code"] = self.code  # metav1.Status's field order: details before code
        return status


def restful(code: int, reason: str, message: str) -> ApiError:
    """A refusal of go-restful's route selection, before any handler (no route takes the method:
    405; none takes a PATCH body's media type: 415), as the apiserver's serviceErrorHandler writes
    it: NewGenericServerResponse's Status, with its empty details."""
    err = ApiError(code, reason, message)
    err.empty_details = True
    return err


METHOD_NOT_ALLOWED = "the server does not allow this method on the requested resource"


def method_not_allowed() -> ApiError:
    return restful(405, "MethodNotAllowed", METHOD_NOT_ALLOWED)


def _resource_name(kind: str) -> str:
    res = BY_KIND.get(kind)
    if res is None:
        return kind.lower()
    return f"{res.plural}.{res.group}" if res.group else res.plural


def not_found(kind: str, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{_resource_name(kind)} "{name}" not found', name=name, kind=kind)


def already_exists(kind: str, name: str) -> ApiError:
    return ApiError(409, "AlreadyExists", f'{_resource_name(kind)} "{name}" already exists', name=name, kind=kind)


def conflict(kind: str, name: str, why: str = "the object has been modified; please apply your changes to the latest version and try again") -> ApiError:
    return ApiError(409, "Conflict", f'Operation cannot be fulfilled on {_resource_name(kind)} "{name}": {why}', name=name, kind=kind)


# etcd keys whose prefix is not the resource's plural (kube-apiserver's storage factory)
_STORAGE_PREFIX = {"Service": "services/specs", "Endpoints": "services/endpoints", "Node": "minions",
                   "Ingress": "ingress", "CustomResourceDefinition": "apiextensions.k8s.io/customresourcedefinitions",
                   "APIService": "apiregistration.k8s.io/apiservices"}


def precondition_failed(res: ApiResource, namespace: str | None, name: str, field: str, wanted: str, found: str) -> ApiError:
    """The 409 of a write whose precondition failed (a body's uid on PUT, a Binding's uid or
    resourceVersion, a delete's preconditions): etcd3's StorageError as InterpretUpdateError and
    InterpretDeleteError word it, with the object's key (``field``: UID or ResourceVersion)."""
    prefix = f"{res.group}/{res.plural}" if res.crd else _STORAGE_PREFIX.get(res.kind, res.plural)
    key = "/registry/" + "/".join(p for p in (prefix, namespace if res.namespaced else None, name) if p)
    err = conflict(res.kind, name, f"StorageError: invalid object, Code: 4, Key: {key}, ResourceVersion: 0, "
                                   f"AdditionalErrorMsg: Precondition failed: {field} in precondition: {wanted}, "
                                   f"{field} in object meta: {found}")
    return for_custom(err, res.plural, res.group) if res.crd else err


def for_custom(err: ApiError, plural: str, group: str) -> ApiError:
    """``err`` (NotFound, AlreadyExists, Conflict) about a custom resource, raised where only the
    built-in kinds are known (the store says ``crontab "x" already exists``): named as the
    apiserver does, ``crontabs.stable.example.com "x" already exists``, details with the group and
    the plural."""
    if err.kind is None or err.details_kind is not None or err.reason not in ("NotFound", "AlreadyExists", "Conflict"):
        return err
    short, full = f'{_resource_name(err.kind)} "', f'{plural}.{group} "'
    out = ApiError(err.code, err.reason, err.message.replace(short, full, 1), name=err.name, kind=err.kind,
                   causes=err.causes)
    out.details_kind, out.details_group = plural, group
    return out


# field.ErrorType → the cause's reason (apimachinery's field errors): by the message's prefix
_CAUSE_REASONS = (("Required value", "FieldValueRequired"), ("Duplicate value", "FieldValueDuplicate"),
                  ("Not found", "FieldValueNotFound"), ("Unsupported value", "FieldValueNotSupported"),
                  ("Forbidden", "FieldValueForbidden"), ("Too long", "FieldValueTooLong"),
                  ("Too many", "FieldValueTooMany"))


def _cause_reason(message: str) -> str:
    return next((reason for prefix, reason in _CAUSE_REASONS if message.startswith(prefix)), "FieldValueInvalid")


def invalid(kind: str, name: str, causes: list[tuple[str, str]], *, group: str | None = None) -> ApiError:
    """``causes``: (field path, message) pairs, e.g. ("spec.replicas", "Invalid value: -1: must be greater than or equal to 0").
    Like the apiserver, the message names ``Kind.group`` and ``details.kind`` is the Kind. ``group``:
    for a kind the registry does not hold (``ListOptions`` and ``PatchOptions`` of meta.k8s.io)."""
    text = "; ".join(f"{f}: {m}" for f, m in causes)
    if len(causes) > 1:
        text = "[" + ", ".join(f"{f}: {m}" for f, m in causes) + "]"
    res = BY_KIND.get(kind)
    if group is None:
        group = res.group if res is not None else ""
    qualified = f"{kind}.{group}" if group else kind
    err = ApiError(422, "Invalid", f'{qualified} "{name}" is invalid: {text}', name=name, kind=kind,
                   causes=[{"reason": _cause_reason(m), "message": m, "field": f} for f, m in causes])
    err.details_kind = kind
    err.details_group = group
    return err


def forbidden(kind: str, name: str, verb: str, why: str) -> ApiError:
    res = _resource_name(kind)
    target = f'{res} "{name}"' if name else res
    return ApiError(403, "Forbidden", f"{target} is forbidden: {why}", name=name or None, kind=kind)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def gone(message: str) -> ApiError:
    return ApiError(410, "Expired", message)
