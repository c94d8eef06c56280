"""How the EndpointSlice controller spreads a Service's endpoints over its slices (the
reconciler's ``reconcileByPortMapping`` and ``finalize``, kube-controller-manager's
``--max-endpoints-per-slice`` at its default):

- a slice holds at most ``MAX_ENDPOINTS_PER_SLICE`` endpoints, all with the same ports;
- an endpoint stays in the slice that holds it: a pod that comes, goes or changes rewrites one
  slice, not every one after it;
- endpoints no slice holds yet fill the slices rewritten anyway (the fullest first), then the one
  unchanged slice they all fit in that they leave fullest, then new slices;
- a slice left without endpoints is deleted, or rewritten instead of creating one; a Service
  with no endpoints keeps one placeholder slice (no ports, no endpoints).

Pure: the stored slices and the wanted endpoints in, a ``Plan`` out. Where the controller's
order is a Go map's, this one is fixed: slices by name, endpoints in the members' order (within
a slice too: new endpoints are not simply appended).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Obj = dict[str, Any]
PortKey = tuple  # a slice's ports as (name, port, protocol) triples

MAX_ENDPOINTS_PER_SLICE = 100


@dataclass
class Plan:
    """``create``: (ports, endpoints) of new slices; ``update``: (stored slice, ports,
    endpoints); ``delete``: stored slices."""

    create: list[tuple[list[Obj], list[Obj]]] = field(default_factory=list)
    update: list[tuple[Obj, list[Obj], list[Obj]]] = field(default_factory=list)
    delete: list[Obj] = field(default_factory=list)


_ODD = ("?",)  # the port key of a slice whose ports make no sense: no Service wants it


def slice_key(s: Obj) -> PortKey:
    """The slice's ports as (name, port, protocol) triples (what someone else wrote may be odd:
    a slice with ports that are not a list of mappings has a key no Service wants)."""
    try:
        key = tuple((p.get("name") or "", p.get("port"), p.get("protocol", "TCP")) for p in s.get("ports") or [])
        hash(key)
    except (AttributeError, TypeError):
        return _ODD
    return key


def identity(endpoint: Any) -> tuple:
    """What makes two versions one endpoint (``hashEndpoint``): its addresses, hostname and the
    namespace/name it points at. An endpoint someone else wrote oddly is itself alone (no
    member's, so it is dropped)."""
    try:
        addresses = endpoint.get("addresses") or ()
        ref = endpoint.get("targetRef") or {}
        key = (tuple(addresses) if len(addresses) < 2 else tuple(sorted(addresses)),
               endpoint.get("hostname"), ref.get("namespace"), ref.get("name"))
        hash(key)
    except (AttributeError, TypeError):
        return ("?", id(endpoint))
    return key


def _endpoints(s: Obj) -> list[Any]:
    held = s.get("endpoints")
    return held if isinstance(held, list) else []


def plan(existing: list[Obj], desired: dict[PortKey, list[Obj]], ports_of: dict[PortKey, list[Obj]],
         stale: Callable[[Obj], bool], limit: int = MAX_ENDPOINTS_PER_SLICE) -> Plan:
    """The writes that make ``existing`` (the Service's slices, by name) hold ``desired`` (its
    endpoints by port key, in the members' order, one per ``identity``; ports as ``ports_of``).
    ``stale``: a slice whose labels must be written even if its endpoints stay."""
    by_key: dict[PortKey, list[Obj]] = {}
    for s in existing:
        by_key.setdefault(slice_key(s), []).append(s)
    out = Plan()
    alone = len(desired) == 1 and len(by_key) <= 1  # one port key wanted, no slice of another
    for key in sorted(desired):
        _by_port_key(out, by_key.pop(key, []), desired[key], ports_of[key], stale, limit, alone)
    for slices in by_key.values():  # ports no pod resolves to any more
        out.delete += slices
    if len(out.delete) == len(existing) and not out.create:
        placeholder = [s for s in out.delete if not s.get("ports") and not _endpoints(s)]
        if len(out.delete) == 1 and placeholder and not stale(placeholder[0]):
            out.delete = []  # the placeholder there already: nothing to do
        else:
            out.create.append(([], []))
    while out.create and out.delete:  # a slice to delete is rewritten instead of creating one
        ports, endpoints = out.create.pop()
        out.update.append((out.delete.pop(0), ports, endpoints))
    return out


def _by_port_key(out: Plan, slices: list[Obj], want: list[Obj], ports: list[Obj],
                 stale: Callable[[Obj], bool], limit: int, alone: bool) -> None:
    if alone and len(slices) == 1 and len(want) <= limit and _endpoints(slices[0]):
        # The Service's one slice, and they all fit in it (most Services): whatever it lost or
        # gained, it ends up holding them all under its name (emptied, it would be deleted and
        # made again as it: no other slice's deletion to take its place)
        s = slices[0]
        if s.get("endpoints") != want or stale(s):
            out.update.append((s, ports, want))
        return
    # A stored endpoint is mostly a member's own dict (members are cached per pod version), so
    # endpoints are matched by object first, with sets (a sync changes one or two of them); only
    # the rest is matched by identity, against the wanted endpoints no slice holds yet.
    by_id = dict(zip(map(id, want), want, strict=True))
    free = set(by_id)  # the wanted endpoints no slice holds yet
    idents: dict[tuple, Obj] | None = None  # the free ones by identity, made when first needed
    unchanged: list[tuple[Obj, list[Obj]]] = []
    rewrite: list[tuple[Obj, list[Obj]]] = []
    for s in slices:
        held = _endpoints(s)
        junk = s.get("endpoints") is not None and held is not s.get("endpoints")  # not a list
        ids = set(map(id, held))
        missing = ids - free if len(ids) == len(held) else None  # None: an object held twice
        if not missing and missing is not None and not junk:  # every endpoint wanted as it is
            free -= ids
            if stale(s):
                rewrite.append((s, list(held)))
            else:
                unchanged.append((s, held))
            continue
        if missing is not None:  # (an object held twice: every endpoint matched one by one below)
            free -= ids - missing
        if idents is None:
            idents = {identity(by_id[i]): by_id[i] for i in free}
        kept = []
        changed = junk
        for e in held:
            if missing is not None and id(e) not in missing:
                kept.append(e)
                continue
            got = idents.get(identity(e))
            if got is not None and id(got) in free:
                free.discard(id(got))
                kept.append(got)
                changed = changed or (got is not e and got != e)
        if changed or len(kept) != len(held):
            if kept:
                rewrite.append((s, kept))
            else:
                out.delete.append(s)
        elif stale(s):
            rewrite.append((s, kept))
        else:
            unchanged.append((s, kept))
    left = [e for e in want if id(e) in free]  # in the members' order
    left.reverse()  # taken from the end
    if left:
        for _, kept in sorted(rewrite, key=lambda r: -len(r[1])):  # the fullest first
            kept += _take(left, limit - len(kept))
    created = []
    while left:
        fit = _fullest_fit(unchanged, len(left), limit) if len(left) < limit else None
        if fit is None:
            created.append(_take(left, limit))
        else:
            unchanged.remove(fit)
            rewrite.append((fit[0], fit[1] + _take(left, limit - len(fit[1]))))
    # what a slice holds, in the members' order (the controller's is a Go map's: any order)
    position = {id(e): i for i, e in enumerate(want)}
    for _, kept in rewrite:
        kept.sort(key=lambda e: position[id(e)])
    out.update += [(s, ports, kept) for s, kept in rewrite]
    out.create += [(ports, endpoints) for endpoints in created]


def _take(left: list[Obj], n: int) -> list[Obj]:
    """Up to ``n`` of the endpoints ``left`` (reversed: the first is last), taken from it."""
    n = min(max(n, 0), len(left))
    taken = left[len(left) - n:]
    del left[len(left) - n:]
    taken.reverse()
    return taken


def _fullest_fit(slices: list[tuple[Obj, list[Obj]]], n: int, limit: int) -> tuple[Obj, list[Obj]] | None:
    """``getSliceToFill``: the slice ``n`` more endpoints leave closest to full (None: none has room)."""
    best = None
    best_room = limit
    for entry in slices:
        room = limit - n - len(entry[1])
        if 0 <= room < best_room:
            best, best_room = entry, room
            if room == 0:
                break
    return best
