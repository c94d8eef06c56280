"""One string object for the values many decoded API objects repeat.

A JSON decoder makes a new string for every value it reads (msgspec shares dict keys, not
values), so 35,000 Events hold 35,000 copies of "Normal", "kubelet", "v1", their namespace and
three equal timestamps each: a quarter of their memory. ``Sharer`` puts one string in their
place, for the fields known to repeat (an Event's, a Pod's spec and status), right after each
object is decoded, so the copies are freed before the next one is made. It visits only those
fields (an Event's in straight-line code: ~0.5 µs), where a walk over every value would cost
more than the decode.

The objects stay equal dicts (only which string object a value is changes: never a value of
another type, as ``1`` for ``true`` would be); they must be fresh (nobody else's yet).
"""

from __future__ import annotations

from typing import Any, TypeVar

Obj = dict[str, Any]
T = TypeVar("T", bound=type)

LIMIT = 20_000  # strings kept at most: past that the table starts over (a recording of ever-new values)

_EVENT = ("apiVersion", "kind", "type", "reason", "reportingComponent")
_INVOLVED = ("kind", "apiVersion", "namespace")
_SOURCE = ("component",)
_POD_SPEC = ("restartPolicy", "dnsPolicy", "serviceAccountName", "schedulerName")
_CONTAINER = ("name", "image", "imagePullPolicy", "terminationMessagePath", "terminationMessagePolicy")
_CONDITION = ("type", "status", "lastTransitionTime")
_REF = ("apiVersion", "kind", "name", "uid")
_TOLERATION = ("key", "operator", "effect")
_KIND = ("apiVersion", "kind")


class _Table(dict[Any, str]):
    """Seen strings; looking up anything else answers it unchanged (and keeps nothing)."""

    def __missing__(self, value: Any) -> Any:
        if value.__class__ is str:
            self[value] = value
        return value


class Sharer:
    """``share(obj)``: ``obj`` with its repeated values replaced by the strings seen before."""

    def __init__(self) -> None:
        self._table = _Table()
        self._one = self._table.__getitem__

    def share(self, obj: Obj) -> Obj:
        kind = obj.get("kind")
        if kind == "Event" or kind == "Pod":
            if len(self._table) > LIMIT:
                self._table.clear()
            try:
                if kind == "Event":
                    self._event(obj)
                else:
                    self._pod(obj)
            except (AttributeError, KeyError, TypeError):  # not shaped as an API object's: the rest left as it is
                pass
        return obj

    def _values(self, d: Any, keys: tuple[str, ...]) -> None:
        """Share ``d``'s values at ``keys`` (its strings only)."""
        if d:
            one = self._one
            for k in keys:
                if k in d:
                    d[k] = one(d[k])

    def _all(self, d: Any) -> None:
        """Every string value of ``d`` (labels, resource quantities)."""
        if d:
            one = self._one
            for k, v in d.items():  # values replaced, no key added: the iteration stays valid
                d[k] = one(v)

    def _each(self, items: Any, keys: tuple[str, ...]) -> None:
        if items:
            for d in items:
                self._values(d, keys)

    def _event(self, ev: Obj) -> None:
        one = self._one
        try:  # as the API server writes them (a KeyError for anything else)
            ev["apiVersion"] = one(ev["apiVersion"])
            ev["kind"] = one(ev["kind"])
            ev["type"] = one(ev["type"])
            ev["reason"] = one(ev["reason"])
            ev["reportingComponent"] = one(ev["reportingComponent"])
            io = ev["involvedObject"]
            io["kind"] = one(io["kind"])
            io["apiVersion"] = one(io["apiVersion"])
            io["namespace"] = one(io["namespace"])
            source = ev["source"]
            source["component"] = one(source["component"])
        except KeyError:
            self._values(ev, _EVENT)
            self._values(ev.get("involvedObject"), _INVOLVED)
            self._values(ev.get("source"), _SOURCE)
        created = ev["metadata"].get("creationTimestamp")
        if created is not None:  # the three timestamps are mostly one
            if ev.get("firstTimestamp") == created:
                ev["firstTimestamp"] = created
            if ev.get("lastTimestamp") == created:
                ev["lastTimestamp"] = created

    def _pod(self, pod: Obj) -> None:
        one = self._one
        try:  # as the API server writes them, in straight-line code (a KeyError for anything else)
            pod["apiVersion"] = one(pod["apiVersion"])
            pod["kind"] = one(pod["kind"])
            md = pod["metadata"]
            labels = md.get("labels")
            if labels:
                for k, v in labels.items():  # values replaced, no key added: the iteration stays valid
                    labels[k] = one(v)
            for ref in md.get("ownerReferences") or ():
                ref["apiVersion"] = one(ref["apiVersion"])
                ref["kind"] = one(ref["kind"])
                ref["name"] = one(ref["name"])
                ref["uid"] = one(ref["uid"])
            spec = pod["spec"]
            spec["restartPolicy"] = one(spec["restartPolicy"])
            spec["dnsPolicy"] = one(spec["dnsPolicy"])
            spec["serviceAccountName"] = one(spec["serviceAccountName"])
            spec["schedulerName"] = one(spec["schedulerName"])
            self._each(spec.get("tolerations"), _TOLERATION)  # their keys vary
            for c in spec["containers"]:
                c["name"] = one(c["name"])
                c["image"] = one(c["image"])
                c["imagePullPolicy"] = one(c["imagePullPolicy"])
                c["terminationMessagePath"] = one(c["terminationMessagePath"])
                c["terminationMessagePolicy"] = one(c["terminationMessagePolicy"])
                for port in c.get("ports") or ():
                    port["protocol"] = one(port["protocol"])
                res = c.get("resources")
                if res:
                    self._all(res.get("requests"))
                    self._all(res.get("limits"))
            status = pod.get("status")
            if status:
                status["phase"] = one(status["phase"])
                status["qosClass"] = one(status["qosClass"])
                for cond in status.get("conditions") or ():
                    cond["type"] = one(cond["type"])
                    cond["status"] = one(cond["status"])
                    cond["lastTransitionTime"] = one(cond["lastTransitionTime"])
        except KeyError:  # any other shape: each field where it is
            self._pod_fields(pod)

    def _pod_fields(self, pod: Obj) -> None:
        self._values(pod, _KIND)
        md = pod["metadata"]
        self._all(md.get("labels"))
        self._each(md.get("ownerReferences"), _REF)
        spec = pod["spec"]
        self._values(spec, _POD_SPEC)
        self._each(spec.get("tolerations"), _TOLERATION)
        for c in spec.get("containers") or ():
            self._values(c, _CONTAINER)
            self._each(c.get("ports"), ("protocol",))
            res = c.get("resources")
            if res:
                self._all(res.get("requests"))
                self._all(res.get("limits"))
        status = pod.get("status")
        if status:
            self._values(status, ("phase", "qosClass"))
            self._each(status.get("conditions"), _CONDITION)


def shares_keys(cls: T) -> T:
    """Class decorator for a class whose instances are made only for their ``__dict__``: an API
    object built as one (attributes set in the API's key order, then ``__dict__`` taken) is a
    plain dict whose keys the class holds once for all its instances (CPython's key-sharing
    dicts, PEP 412), so it holds its values only: an Event's top level is 216 bytes instead of
    the 472 of a dict display. The keys the class may share stop growing after a few instances,
    and an instance given a key that came later turns into an ordinary dict bigger than a dict
    display: so every annotated attribute is set once here, in order, on a first instance."""
    first = cls()
    for key in cls.__annotations__:
        setattr(first, key, None)
    return cls
