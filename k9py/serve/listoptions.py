"""The list and watch options kube-apiserver refuses before it reads anything (apimachinery's
``ValidateListOptions``): one 422 on ``ListOptions.meta.k8s.io`` naming every problem, in the
apiserver's order and words. And what a list at a given resource version gets from a server
that keeps no old versions (``check_version``)."""

from __future__ import annotations

from k9py.kube.status import ApiError, bad_request, gone, invalid
from k9py.kube.unicode import digits
from k9py.serve.http import Request

EXACT, NOT_OLDER_THAN = "Exact", "NotOlderThan"
MATCH = "resourceVersionMatch"


def _given(req: Request, name: str) -> str:
    return req.q(name) or ""


def list_problems(req: Request) -> list[tuple[str, str]]:
    """(field, message) of each option a list may not have."""
    out: list[tuple[str, str]] = []
    match = _given(req, MATCH)
    if match:
        if not _given(req, "resourceVersion"):
            out.append((MATCH, "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"))
        if _given(req, "continue"):
            out.append((MATCH, "Forbidden: resourceVersionMatch is forbidden when continue is provided"))
        if match not in (EXACT, NOT_OLDER_THAN):
            out.append((MATCH, f'Unsupported value: "{match}": supported values: "Exact", "NotOlderThan", ""'))
        if match == EXACT and _given(req, "resourceVersion") == "0":
            out.append((MATCH, 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'))
    if _given(req, "sendInitialEvents"):
        out.append(("sendInitialEvents", "Forbidden: sendInitialEvents is forbidden for list"))
    return out


def watch_problems(req: Request) -> list[tuple[str, str]]:
    """The same for a watch (the WatchList feature on: ``sendInitialEvents`` is allowed)."""
    out: list[tuple[str, str]] = []
    match = _given(req, MATCH)
    initial = _given(req, "sendInitialEvents")
    if initial and match != NOT_OLDER_THAN:
        out.append((MATCH, "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"))
    if match:
        if not initial:
            out.append((MATCH, "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"))
        if match != NOT_OLDER_THAN:
            out.append((MATCH, f'Unsupported value: "{match}": supported values: "NotOlderThan"'))
        if _given(req, "continue"):
            out.append((MATCH, "Forbidden: resourceVersionMatch is forbidden when continue is provided"))
    if initial.lower() in ("true", "1") and not req.flag("allowWatchBookmarks"):
        out.append(("sendInitialEvents", "Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true"))
    return out


def check(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise invalid("ListOptions", "", problems, group="meta.k8s.io")


BLOCK_TIMEOUT = 3.0  # real seconds the apiserver's watch cache waits for a version it has not reached


def too_large(asked: int, current: int) -> ApiError:
    """apimachinery's NewTooLargeResourceVersionError: a Timeout to retry in 1 s."""
    err = ApiError(504, "Timeout", f"Timeout: Too large resource version: {asked}, current: {current}")
    err.causes = [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}]
    err.retry_after = 1
    return err


def awaited_version(req: Request, *, watch: bool = False) -> int | None:
    """The resource version a list must be at least as new as (``NotOlderThan``, ``Exact``, or a
    legacy non-zero ``resourceVersion``), or a watch-list (``sendInitialEvents=true``) must have
    caught up with before its initial events; None when any will do (or it does not parse)."""
    text = _given(req, "resourceVersion")
    if watch and (_given(req, "sendInitialEvents").lower() not in ("true", "1")):
        return None
    if not digits(text) or text == "0":
        return None
    return int(text)


def check_version(req: Request, current: int) -> None:
    """A list with ``resourceVersionMatch`` (after ``list_problems``): ``Exact`` is the list as of
    that version, and only the current one is kept: an older one is gone (410, as etcd answers
    for a compacted revision). A version not reached yet, ``Exact`` or ``NotOlderThan``, is 504
    (the apiserver's answer once it has waited for it, ``BLOCK_TIMEOUT``). A list without the
    parameter keeps the legacy meaning of ``resourceVersion``: not older than it (504 as well if
    not reached), "0" any."""
    match = _given(req, MATCH)
    if match not in (EXACT, NOT_OLDER_THAN):
        asked = awaited_version(req)  # legacy: a version given means "not older than" it
        if asked is not None and asked > current:
            raise too_large(asked, current)
        return
    text = _given(req, "resourceVersion")
    if not digits(text):  # (Go's ParseUint: digits only)
        raise bad_request(f"invalid resource version: {text!r}")
    asked = int(text)
    if match == EXACT and asked < current:
        raise gone("The resourceVersion for the provided list is too old.")
    if asked > current:  # (after ``Api.wait_for_version`` waited for it)
        raise too_large(asked, current)
