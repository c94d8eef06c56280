"""Generate the protobuf field tables of ``k9py/serve/protobuf_*.py`` from k8s.io/api's struct tags.

Usage: ``python tools/protobuf_tables.py /path/to/k8s.io/api [COMMIT]`` (a checkout of
github.com/kubernetes/api) rewrites ``k9py/serve/protobuf_core.py`` and ``protobuf_groups.py``. Reads every ``types.go`` of the GA groups below, the ``protobuf:"…"``
and ``json:"…"`` tags of each struct field, and prints ``message: {number: (json name, type,
flags)}`` as ``k9py.serve.protobuf`` reads them. Messages of core/v1 keep their bare names; the
others are ``group/version.Name``. Types: ``s`` string, ``b`` bool, ``i`` integer, ``f`` float,
``bytes``, ``q`` Quantity, ``ios`` IntOrString, ``time`` / ``mtime`` meta Time / MicroTime,
``dur`` meta Duration, ``rawext`` runtime.RawExtension, ``slist`` a message of one repeated string
(ExtraValue), ``map`` / ``bmap`` / ``qmap`` / ``map:T`` string-keyed maps, ``skip``, or a message.
Flags: ``r`` repeated, ``p`` pointer, ``i`` an embedded struct JSON inlines, ``k`` JSON keeps the
zero value (no ``omitempty``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PACKAGES = {  # directory → API group
    "core/v1": "", "apps/v1": "apps", "autoscaling/v1": "autoscaling", "autoscaling/v2": "autoscaling",
    "batch/v1": "batch", "policy/v1": "policy", "rbac/v1": "rbac.authorization.k8s.io",
    "networking/v1": "networking.k8s.io", "scheduling/v1": "scheduling.k8s.io", "storage/v1": "storage.k8s.io",
    "coordination/v1": "coordination.k8s.io", "discovery/v1": "discovery.k8s.io", "events/v1": "events.k8s.io",
    "authentication/v1": "authentication.k8s.io", "authorization/v1": "authorization.k8s.io",
    "certificates/v1": "certificates.k8s.io", "node/v1": "node.k8s.io", "flowcontrol/v1": "flowcontrol.apiserver.k8s.io",
    "admissionregistration/v1": "admissionregistration.k8s.io", "resource/v1": "resource.k8s.io",
}
META = "k8s.io/apimachinery/pkg/apis/meta/v1"
META_TYPES = {"Time": "time", "MicroTime": "mtime", "Duration": "dur", "StatusReason": "s", "ConditionStatus": "s"}
META_MESSAGES = {"ObjectMeta", "ListMeta", "LabelSelector", "LabelSelectorRequirement", "Condition", "OwnerReference", "TypeMeta", "FieldSelectorRequirement", "DeleteOptions"}
BUILTIN = {"string": "s", "bool": "b", "int32": "i", "int64": "i", "int": "i", "uint32": "i", "uint64": "i",
           "int16": "i", "uint16": "i", "uint8": "i", "float64": "f", "float32": "f", "byte": "i"}
FIELD = re.compile(r"^\s*(?:(\w+)\s+)?([\w\.\*\[\]]+)\s+`(.*)`")
TAG = re.compile(r'(\w+):"([^"]*)"')


def _group_name(d: Path) -> str:
    m = re.search(r'GroupName = "([^"]*)"', (d / "register.go").read_text())
    return m.group(1) if m else ""


class Package:
    def __init__(self, root: Path, d: str) -> None:
        self.dir = d
        self.group = PACKAGES[d] if d in PACKAGES else _group_name(root / d)
        self.version = d.split("/")[1]
        self.structs: dict[str, list[str]] = {}
        self.aliases: dict[str, str] = {}
        self.imports: dict[str, str] = {}
        for f in sorted((root / d).glob("*.go")):
            if f.name.startswith(("zz_", "generated")) or f.name.endswith(("_test.go", "_generated.go")):
                continue
            self._read(f.read_text())

    def _read(self, src: str) -> None:
        for m in re.finditer(r'^\s*(\w+)?\s*"(k8s\.io/[^"]+)"', src, re.M):
            self.imports[m.group(1) or m.group(2).rsplit("/", 1)[1]] = m.group(2)
        for m in re.finditer(r"^type (\w+) struct \{\n(.*?)^\}", src, re.M | re.S):
            self.structs[m.group(1)] = m.group(2).splitlines()
        for m in re.finditer(r"^type (\w+) ([\w\.\[\]\*]+)\s*$", src, re.M):
            self.aliases[m.group(1)] = m.group(2)

    def message(self, name: str) -> str:
        return name if not self.group and self.version == "v1" else f"{self.group}/{self.version}.{name}"


def main(root: Path, commit: str) -> None:
    pkgs = {d: Package(root, d) for d in PACKAGES}
    by_path = {f"k8s.io/api/{d}": p for d, p in pkgs.items()}
    out: dict[str, dict[int, tuple[str, str, str]]] = {}
    todo: list[tuple[Package, str]] = []

    def resolve(pkg: Package, t: str) -> tuple[str, str]:
        flags = ""
        if t.startswith("*"):
            flags, t = flags + "p", t[1:]
        if t == "[]byte":
            return "bytes", flags
        if t.startswith("[]"):
            code, f2 = resolve(pkg, t[2:])
            return code, flags + "r" + f2.replace("p", "")
        if t.startswith("map["):
            value = t[t.index("]") + 1:]
            code, _ = resolve(pkg, value)
            code = {"s": "map", "bytes": "bmap", "q": "qmap"}.get(code, f"map:{code}")
            return code, flags
        if t in BUILTIN:
            return BUILTIN[t], flags
        if "." in t:
            alias, name = t.split(".", 1)
            path = pkg.imports.get(alias, "")
            if path == META:
                if name in META_TYPES:
                    return META_TYPES[name], flags
                if name in META_MESSAGES:
                    return name, flags
                raise SystemExit(f"meta type {name} in {pkg.dir}")
            if path.endswith("api/resource"):
                return "q", flags
            if path.endswith("util/intstr"):
                return "ios", flags
            if path.endswith("pkg/types"):
                return "s", flags
            if path.endswith("pkg/runtime"):
                return "rawext", flags
            if path.startswith("k8s.io/api/"):
                d = path[len("k8s.io/api/"):]
                if path not in by_path:
                    by_path[path] = Package(root, d)
                return resolve(by_path[path], name)[0], flags
            raise SystemExit(f"unknown type {t} in {pkg.dir}")
        if t in pkg.aliases:
            code, f2 = resolve(pkg, pkg.aliases[t])
            return code, flags + f2
        if t == "ExtraValue":
            return "slist", flags
        if t in pkg.structs:
            todo.append((pkg, t))
            return pkg.message(t), flags
        raise SystemExit(f"unknown type {t} in {pkg.dir}")

    for pkg in pkgs.values():
        for name, lines in pkg.structs.items():
            if any(re.search(r'json:"metadata', ln) for ln in lines):
                todo.append((pkg, name))
    while todo:
        pkg, name = todo.pop()
        msg = pkg.message(name)
        if msg in out:
            continue
        table: dict[int, tuple[str, str, str]] = {}
        out[msg] = table
        for ln in pkg.structs[name]:
            ln = ln.split("//")[0] if "`" not in ln else ln
            m = FIELD.match(ln)
            if not m:
                continue
            tags = dict(TAG.findall(m.group(3)))
            pb = tags.get("protobuf")
            if not pb or pb == "-":
                continue
            parts = pb.split(",")
            num = int(parts[1])
            jname, *jopts = tags.get("json", "").split(",")
            code, flags = resolve(pkg, m.group(2))
            if m.group(1) is None and not jname:  # an embedded struct with no JSON name is inlined
                flags += "i"
            if "omitempty" not in jopts and "p" not in flags and "r" not in flags and "i" not in flags:
                flags += "k"
            if jname == "managedFields":
                code = "skip"
            table[num] = (jname, code, flags)
    core = {m: t for m, t in out.items() if "/" not in m}
    named = {m: t for m, t in out.items() if "/" in m}
    serve = Path(__file__).resolve().parents[1] / "k9py" / "serve"
    (serve / "protobuf_core.py").write_text(CORE_DOC.format(commit=commit) + _body("CORE_V1", core))
    (serve / "protobuf_groups.py").write_text(GROUPS_DOC.format(commit=commit) + _body("GROUPS", named))


def _body(name: str, tables: dict[str, dict[int, tuple[str, str, str]]]) -> str:
    lines = [f"{name}: dict[str, dict[int, tuple[str, str, str]]] = {{"]
    for msg in sorted(tables):
        fields = ", ".join(f"{n}: {v!r}" for n, v in sorted(tables[msg].items()))
        lines.append(f'    "{msg}": {{{fields}}},'.replace("'", '"'))
    return "\n".join([*lines, "}", ""])


CORE_DOC = '''"""The protobuf field tables of every core/v1 message, for ``serve/protobuf.py``.

kubectl's typed clients send core objects as protobuf: ``create configmap|secret|service|quota|
serviceaccount|namespace``, ``expose``, ``run``, and the Pods of ``kubectl debug --copy-to`` and
``node/…`` (a copied pod carries whatever its original had: projected token volumes,
tolerations, probes, security contexts…), so the whole API is here, status included.

Generated by ``tools/protobuf_tables.py`` from the struct tags of k8s.io/api ``core/v1/types.go``
(commit {commit}, the API of Kubernetes 1.37): ``number: (json name, type, flags)`` as
``protobuf.SCHEMAS`` reads them; flag ``i`` marks an embedded struct whose fields JSON inlines
(``Volume.VolumeSource``, ``Probe.ProbeHandler``, ``EphemeralContainer.EphemeralContainerCommon``),
``k`` a field JSON keeps when zero (no ``omitempty``). Regenerate rather than edit by hand when
the API grows.
"""

from __future__ import annotations

'''
GROUPS_DOC = '''"""The protobuf field tables of the named API groups' messages, for ``serve/protobuf.py``.

apps/v1, autoscaling/v1 and v2, batch/v1, policy/v1, rbac/v1, networking/v1, scheduling/v1,
storage/v1, coordination/v1, discovery/v1, events/v1, authentication/v1, authorization/v1,
certificates/v1, node/v1, flowcontrol/v1, admissionregistration/v1, resource/v1 (and the alpha
types a GA message refers to): whatever ``kubectl create role|rolebinding|clusterrole|
clusterrolebinding|ingress|pdb|priorityclass|deployment|job|cronjob|token``, ``autoscale``,
``auth can-i|whoami``, ``certificate approve`` send. Messages are named ``group/version.Name``
(kinds of two versions differ: autoscaling/v1's HorizontalPodAutoscaler is not v2's); core/v1's
and meta/v1's keep their bare names.

Generated by ``tools/protobuf_tables.py`` from the struct tags of k8s.io/api (commit {commit},
the API of Kubernetes 1.37), in the format of ``protobuf_core.py``. Regenerate rather than edit by
hand when the API grows.
"""

from __future__ import annotations

'''


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "10b39a39")
