"""Pieces shared by the describers (kubectl describe.go helpers of the same names)."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from k9py.kube import quantity as q
from k9py.kube.meta import dig
from k9py.view.describe_gosort import go_sort
from k9py.view.describe_text import LEVEL_0, LEVEL_1, Writer, parse_time, since
from k9py.view.printers_format import quantity_string

Obj = dict[str, Any]
Related = Callable[[str, str], 'list[Obj] | None']

SKIP_ANNOTATIONS = {"kubectl.kubernetes.io/last-applied-configuration"}
MAX_ANNOTATION_LEN = 140


# -- labels, annotations, tolerations, taints -----------------------------------------------------

def format_labels(m: dict[str, str] | None) -> str:
    """``labels.FormatLabels``: the ``k=v`` strings sorted (so ``app.x=1`` sorts before ``app=2``)."""
    if not m:
        return "<none>"
    return ",".join(sorted(f"{k}={v}" for k, v in m.items()))


def labels_multiline(w: Writer, title: str, labels: dict[str, str] | None, initial: str = "",
                     inner: str = "\t") -> None:
    """``printLabelsMultilineWithIndent``."""
    w.write(LEVEL_0, f"{initial}{title}:{inner}")
    if not labels:
        w.line("<none>")
        return
    if not isinstance(labels, dict):  # not a map (a malformed object): as it is
        w.line(str(labels))
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(LEVEL_0, initial)
            w.write(LEVEL_0, inner)
        w.write(LEVEL_0, f"{key}={labels[key]}\n")


def annotations_multiline(w: Writer, title: str, annotations: dict[str, str] | None) -> None:
    """``printAnnotationsMultiline``: long or multi-line values go under the key, cut at 140."""
    w.write(LEVEL_0, f"{title}:\t")
    if annotations and not isinstance(annotations, dict):  # not a map (a malformed object): as it is
        w.line(str(annotations))
        return
    keys = sorted(k for k in (annotations or {}) if k not in SKIP_ANNOTATIONS)
    if not keys:
        w.line("<none>")
        return
    indent = "\t"
    for i, key in enumerate(keys):
        if i:
            w.write(LEVEL_0, indent)
        value = str(annotations[key])  # type: ignore[index]
        if value.endswith("\n"):
            value = value[:-1]
        if len(value.encode(errors="surrogatepass")) + len(key.encode(errors="surrogatepass")) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(LEVEL_0, f"{key}:\n")
            for s in value.split("\n"):
                w.write(LEVEL_0, f"{indent}  {_shorten(s, MAX_ANNOTATION_LEN - 2)}\n")
        else:
            w.write(LEVEL_0, f"{key}: {value}\n")


def _shorten(s: str, n: int) -> str:
    b = s.encode(errors="surrogatepass")
    return b[:n].decode(errors="ignore") + "..." if len(b) > n else s


def tolerations_multiline(w: Writer, title: str, tolerations: list[Obj] | None, initial: str = "") -> None:
    """``printTolerationsMultilineWithIndent`` (sorted by key)."""
    w.write(LEVEL_0, f"{initial}{title}:\t")
    if not tolerations:
        w.line("<none>")
        return
    for i, t in enumerate(go_sort(list(tolerations), lambda x, y: (x.get("key") or "") < (y.get("key") or ""))):
        if i:
            w.write(LEVEL_0, initial)
            w.write(LEVEL_0, "\t")
        key, value, effect = t.get("key") or "", t.get("value") or "", t.get("effect") or ""
        s = key
        if value:
            s += f"={value}"
        if effect:
            s += f":{effect}"
        if t.get("operator") == "Exists" and not value:
            s += " op=Exists" if (key or effect) else "op=Exists"
        if t.get("tolerationSeconds") is not None:
            s += f" for {int(t['tolerationSeconds'])}s"
        w.write(LEVEL_0, s + "\n")


def taint_string(t: Obj) -> str:
    """``Taint.ToString``: ``key=value:Effect`` (``key:Effect`` without a value)."""
    key, value, effect = t.get("key") or "", t.get("value") or "", t.get("effect") or ""
    if not value:
        return f"{key}:{effect}"
    return f"{key}={value}:{effect}"


def taints_multiline(w: Writer, title: str, taints: list[Obj] | None) -> None:
    w.write(LEVEL_0, f"{title}:\t")
    if not taints:
        w.line("<none>")
        return
    def cmp_key(t: Obj) -> str:
        return f"{t.get('effect') or ''},{t.get('key') or ''}"
    ordered = go_sort(list(taints), lambda x, y: cmp_key(x) < cmp_key(y))
    for i, t in enumerate(ordered):
        if i:
            w.write(LEVEL_0, "\t")
        w.write(LEVEL_0, taint_string(t) + "\n")


def fetch(related: Related | None, kind: str, namespace: str) -> list[Obj] | None:
    """``related(kind, namespace)``; None when there is no ``related`` or it cannot list that kind
    (the part is then left out, as kubectl does when a list is forbidden)."""
    if related is None:
        return None
    return related(kind, namespace)


def controlled_by(obj: Obj) -> str:
    for ref in obj.get("metadata", {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return f"{ref.get('kind', '')}/{ref.get('name', '')}"
    return ""


def controller_uid(obj: Obj) -> str | None:
    for ref in obj.get("metadata", {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref.get("uid")
    return None


# -- quantities ---------------------------------------------------------------------------------

class Quantity:
    """A ``resource.Quantity``: exact value and the format sums keep (the first operand's)."""

    __slots__ = ("fmt", "value")

    def __init__(self, value: Decimal = Decimal(0), fmt: str = "DecimalSI") -> None:
        self.value, self.fmt = value, fmt

    @classmethod
    def of(cls, s: Any) -> Quantity:
        text = str(s).strip()
        try:
            value = q.parse(text)
        except ValueError:
            return cls()
        if text.endswith(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei")):
            fmt = "BinarySI"
        elif "e" in text.lower() and not text.endswith("E"):
            fmt = "DecimalExponent"
        else:
            fmt = "DecimalSI"
        return cls(value, fmt)

    def add(self, other: Quantity) -> Quantity:
        return Quantity(self.value + other.value, self.fmt)

    def milli(self) -> int:
        return math.ceil(self.value * 1000)

    def whole(self) -> int:
        return math.ceil(self.value)

    def __str__(self) -> str:
        v = self.value
        if v == 0:
            return "0"
        if self.fmt == "BinarySI" and abs(v) >= 1024 and v == v.to_integral_value():
            return quantity_string(f"{int(v) // 1024}Ki") if int(v) % 1024 == 0 else str(int(v))
        if self.fmt == "DecimalExponent":
            return _decimal_exponent(v)
        return quantity_string(_plain(v))


def _plain(v: Decimal) -> str:
    s = format(v, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _decimal_exponent(v: Decimal) -> str:
    n = v
    exp = 0
    while n != 0 and n == n.to_integral_value() and n % 1000 == 0:
        n /= 1000
        exp += 3
    while n != n.to_integral_value():
        n *= 1000
        exp -= 3
    return f"{int(n)}e{exp}" if exp else str(int(n))


def resource_list(d: dict[str, Any] | None) -> dict[str, Quantity]:
    return {k: Quantity.of(v) for k, v in (d or {}).items()}


def _add_into(total: dict[str, Quantity], more: dict[str, Quantity]) -> None:
    for k, v in more.items():
        total[k] = total[k].add(v) if k in total else Quantity(v.value, v.fmt)


def _max_into(total: dict[str, Quantity], more: dict[str, Quantity]) -> None:
    for k, v in more.items():
        if k not in total or v.value > total[k].value:
            total[k] = Quantity(v.value, v.fmt)


def pod_resources(pod: Obj, which: str) -> dict[str, Quantity]:
    """component-helpers ``PodRequests``/``PodLimits``: containers summed, init containers as a
    running max (sidecars added), pod-level resources for cpu/memory, then the pod overhead."""
    spec = pod.get("spec") or {}
    total: dict[str, Quantity] = {}
    for c in spec.get("containers") or []:
        _add_into(total, resource_list((c.get("resources") or {}).get(which)))
    init_max: dict[str, Quantity] = {}
    sidecars: dict[str, Quantity] = {}
    for c in spec.get("initContainers") or []:
        res = resource_list((c.get("resources") or {}).get(which))
        if c.get("restartPolicy") == "Always":
            _add_into(total, res)
            _add_into(sidecars, res)
            tmp = dict(res)
        else:
            tmp = {k: Quantity(v.value, v.fmt) for k, v in res.items()}
            _add_into(tmp, sidecars)
        _max_into(init_max, tmp)
    _max_into(total, init_max)
    pod_level = resource_list((spec.get("resources") or {}).get(which))
    for k in ("cpu", "memory"):
        if k in pod_level:
            total[k] = pod_level[k]
    if spec.get("overhead"):
        _add_into(total, resource_list(spec.get("overhead")))
    return total


def sum_resources(pods: list[Obj], which: str) -> dict[str, Quantity]:
    total: dict[str, Quantity] = {}
    for p in pods:
        _add_into(total, pod_resources(p, which))
    return total


def describe_resources(w: Writer, resources: Obj | None, level: int) -> None:
    """``describeResources``: Limits then Requests, names sorted."""
    if not resources:
        return
    limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
    if limits:
        w.write(level, "Limits:\n")
    for name in sorted(limits):
        w.write(level + 1, f"{name}:\t{quantity_string(limits[name])}\n")
    if requests:
        w.write(level, "Requests:\n")
    for name in sorted(requests):
        w.write(level + 1, f"{name}:\t{quantity_string(requests[name])}\n")


# -- events --------------------------------------------------------------------------------------

def events_for(obj: Obj, events: list[Obj] | None) -> list[Obj] | None:
    """What ``searchEvents`` returns for ``obj``: involvedObject name/namespace/kind/uid match
    (no kind for pods; nodes also match events keyed by the node's name as uid), in the order
    the apiserver lists them (namespace, name)."""
    if events is None:
        return None
    md = obj.get("metadata") or {}
    kind, name, ns, uid = obj.get("kind", ""), md.get("name", ""), md.get("namespace", "") or "", md.get("uid", "")

    def match(e: Obj, want_uid: str) -> bool:
        io = e.get("involvedObject")
        if type(io) is not dict:  # (a malformed event: about nothing)
            return False
        if io.get("name", "") != name or (io.get("namespace") or "") != ns:
            return False
        if kind != "Pod" and kind and io.get("kind", "") != kind:
            return False
        return not want_uid or io.get("uid", "") == want_uid

    def ordered(items: list[Obj]) -> list[Obj]:
        return sorted(items, key=lambda e: (str(dig(e, "metadata", "namespace") or ""),
                                            str(dig(e, "metadata", "name") or "")))

    uid_for_pod = uid
    if kind == "Pod":
        mirror = (md.get("annotations") or {}).get("kubernetes.io/config.mirror")
        if mirror:
            uid_for_pod = mirror
    found = ordered([e for e in events if match(e, uid_for_pod)])
    if kind == "Node":
        found += ordered([e for e in events if match(e, name)])
    return found


def _event_time(e: Obj) -> float:
    series = e.get("series")
    series = series if isinstance(series, dict) else {}
    for t in (series.get("lastObservedTime"), e.get("lastTimestamp"), e.get("eventTime")):
        v = parse_time(t)
        if v is not None:
            return v
    return float("-inf")


def describe_events(w: Writer, events: list[Obj] | None, now: float) -> None:
    """``DescribeEvents``: nothing when the events could not be listed (None)."""
    if events is None:
        return
    if not events:
        w.write(LEVEL_0, "Events:\t<none>\n")
        return
    w.flush()
    w.write(LEVEL_0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(LEVEL_1, "----\t------\t----\t----\t-------\n")
    for e in go_sort(list(events), lambda x, y: _event_time(x) < _event_time(y)):
        try:
            row = _event_row(e, now)
        except Exception:  # a malformed event (a recording, a server): its row says so
            row = f"{e.get('type', '')}\t{e.get('reason', '')}\t<invalid>\t\t<invalid>\n"
        w.write(LEVEL_1, row)


def _event_row(e: Obj, now: float) -> str:
    first = since(e.get("eventTime"), now) if e.get("eventTime") else since(e.get("firstTimestamp"), now)
    series = e.get("series")
    count = int(e.get("count") or 0)
    if series:
        interval = f"{since(series.get('lastObservedTime'), now)} (x{int(series.get('count') or 0)} over {first})"
    elif count > 1:
        interval = f"{since(e.get('lastTimestamp'), now)} (x{count} over {first})"
    else:
        interval = first
    source = (e.get("source") or {}).get("component") or e.get("reportingComponent") or ""
    message = (e.get("message") or "").strip()
    field_path = (e.get("involvedObject") or {}).get("fieldPath")
    if field_path:
        message = f"{field_path}: {message}"
    return f"{e.get('type', '')}\t{e.get('reason', '')}\t{interval}\t{source}\t{message}\n"
