"""The kind registry: one entry per view the explorer offers (k9s's name and aliases, what
`enter` opens, the verbs its rows support), `:` command parsing and the drill-down links.

Key hints, `?`, action dispatch and read-only hiding are all derived from these entries
(``k9py.explorer.keys``): adding a view means adding one ``ViewKind`` here (plus its printer in
``view/printers`` and describer in ``view/describe`` when kubectl has them)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from k9py.kube import meta, resources, selectors
from k9py.kube.resources import PrinterColumn
from k9py.view import helm
from k9py.view.faults import faulty

Obj = dict[str, Any]


# Verbs: stable ids of what a row can be asked to do (user keymaps will bind keys to these ids).
OBJECT_VERBS = frozenset({"describe", "yaml", "edit", "delete", "copy"})
# what the rows of a namespaced kind's view add (k9s's Browser): `n` copies their namespace, `w`
# shows the view in the row's namespace
NAMESPACED_VERBS = frozenset({"copy_namespace", "warp"})
WORKLOAD = OBJECT_VERBS | {"logs", "image"}
FORWARDS = frozenset({"port_forward", "show_port_forward"})  # k9s's PortForwardExtender: shift-f and f


@dataclass(frozen=True)
class ViewKind:
    name: str  # k9s's resource name, shown in the title: "pods"
    kind: str  # API kind ("Pod"); "" for views that are not API lists (contexts)
    aliases: tuple[str, ...]
    namespaced: bool = True
    discovered: bool = False  # a kind the server has and k9py has no view for (CRDs, ...)
    verbs: frozenset[str] = OBJECT_VERBS  # what its rows support (see k9py.explorer.keys)
    drill_hint: str = ""  # what `enter` opens ("Pods"); "" when enter describes
    group: str = ""  # discovered views: the API group ("stable.example.com"); built-ins: see group_of
    # discovered custom resources on a backend without server tables (the simulator): the
    # CRD's printer columns, computed by the explorer itself (k9s does the same offline)
    columns: tuple[PrinterColumn, ...] = ()
    # its rows are made from another kind's objects (a pod's containers, Helm's release Secrets):
    # not the view of ``kind`` (discovery, owners, xray and `kind.group` lookups pass it by)
    derived: bool = False


VIEWS: tuple[ViewKind, ...] = (
    ViewKind("pods", "Pod", ("po", "pod", "pods"),
             verbs=OBJECT_VERBS | FORWARDS | {"logs", "previous", "kill", "image", "shell", "attach", "show_node",
                                              "sanitize", "transfer"},
             drill_hint="Containers"),
    ViewKind("containers", "Pod", ("co", "container", "containers"),
             verbs=FORWARDS | {"yaml", "logs", "previous", "shell", "attach", "copy"}, drill_hint="Logs", derived=True),
    ViewKind("deployments", "Deployment", ("dp", "deploy", "deployment", "deployments"),
             verbs=WORKLOAD | FORWARDS | {"scale", "restart", "replicasets"}, drill_hint="Pods"),
    ViewKind("replicasets", "ReplicaSet", ("rs", "replicaset", "replicasets"),
             verbs=WORKLOAD | {"scale", "rollback"}, drill_hint="Pods"),
    ViewKind("statefulsets", "StatefulSet", ("sts", "statefulset", "statefulsets"),
             verbs=WORKLOAD | FORWARDS | {"scale", "restart"}, drill_hint="Pods"),
    ViewKind("daemonsets", "DaemonSet", ("ds", "daemonset", "daemonsets"), verbs=WORKLOAD | FORWARDS | {"restart"},
             drill_hint="Pods"),
    # no Set Image (k9s's has none): a Job's pod template is immutable, the API refuses any change
    ViewKind("jobs", "Job", ("job", "jobs"), verbs=WORKLOAD - {"image"}, drill_hint="Pods"),
    ViewKind("cronjobs", "CronJob", ("cj", "cronjob", "cronjobs"), verbs=OBJECT_VERBS | {"image", "trigger", "suspend"},
             drill_hint="Jobs"),
    ViewKind("services", "Service", ("svc", "service", "services"), verbs=OBJECT_VERBS | FORWARDS | {"logs", "bench"},
             drill_hint="Pods"),
    ViewKind("endpoints", "Endpoints", ("ep", "endpoint", "endpoints")),
    ViewKind("ingresses", "Ingress", ("ing", "ingress", "ingresses")),
    ViewKind("configmaps", "ConfigMap", ("cm", "configmap", "configmaps"), verbs=OBJECT_VERBS | {"used_by"}),
    ViewKind("secrets", "Secret", ("sec", "secret", "secrets"), verbs=OBJECT_VERBS | {"decode", "used_by"}),
    ViewKind("serviceaccounts", "ServiceAccount", ("sa", "serviceaccount", "serviceaccounts"),
             verbs=OBJECT_VERBS | {"used_by"}, drill_hint="Policies"),
    ViewKind("persistentvolumeclaims", "PersistentVolumeClaim", ("pvc", "persistentvolumeclaim", "persistentvolumeclaims"),
             verbs=OBJECT_VERBS | {"used_by"}, drill_hint="Pods"),
    ViewKind("resourcequotas", "ResourceQuota", ("quota", "resourcequota", "resourcequotas")),
    # k9s's events view takes ctrl-d and e away: the kubelet and controllers write events, not you
    ViewKind("events", "Event", ("ev", "event", "events"), verbs=OBJECT_VERBS - {"delete", "edit"}),
    ViewKind("namespaces", "Namespace", ("ns", "namespace", "namespaces"), namespaced=False,
             verbs=OBJECT_VERBS | {"use"}, drill_hint="Pods"),
    ViewKind("nodes", "Node", ("no", "node", "nodes"), namespaced=False,
             verbs=(OBJECT_VERBS - {"copy"}) | {"cordon", "uncordon", "drain", "shell"}, drill_hint="Pods"),
    ViewKind("persistentvolumes", "PersistentVolume", ("pv", "persistentvolume", "persistentvolumes"), namespaced=False),
    ViewKind("storageclasses", "StorageClass", ("sc", "storageclass", "storageclasses"), namespaced=False),
    ViewKind("customresourcedefinitions", "CustomResourceDefinition",
             ("crd", "crds", "customresourcedefinition", "customresourcedefinitions"), namespaced=False,
             drill_hint="Resources"),
    ViewKind("roles", "Role", ("ro", "role", "roles"), drill_hint="Rules"),
    ViewKind("clusterroles", "ClusterRole", ("cr", "clusterrole", "clusterroles"), namespaced=False, drill_hint="Rules"),
    ViewKind("rolebindings", "RoleBinding", ("rb", "rolebinding", "rolebindings"), drill_hint="Rules"),
    ViewKind("clusterrolebindings", "ClusterRoleBinding", ("crb", "clusterrolebinding", "clusterrolebindings"),
             namespaced=False, drill_hint="Rules"),
    ViewKind("contexts", "", ("ctx", "context", "contexts"), namespaced=False,
             verbs=frozenset({"copy", "rename", "delete"}),  # r / ctrl-d: the kubeconfig's entry (k9s's)
             drill_hint="Switch"),
    # k9s's workloads: pods, services, daemonsets, statefulsets, deployments and replicasets in one
    # table (explorer/workloads.py); a row's verbs act on its own kind, enter shows it in its own view
    ViewKind("workloads", "", ("wk", "workload", "workloads"), verbs=OBJECT_VERBS, drill_hint="Show"),
    # k9s's users and groups: the subjects the role bindings name (explorer/subjects.py); enter: their policy
    ViewKind("users", "", ("usr", "user", "users"), namespaced=False, verbs=frozenset({"copy"}), drill_hint="Rules"),
    ViewKind("groups", "", ("grp", "group", "groups"), namespaced=False, verbs=frozenset({"copy"}), drill_hint="Rules"),
    # Helm 3 releases, from the Secrets Helm keeps them in (view/helm.py): `d` notes, `y` manifest,
    # `v` values, ctrl-d uninstall; enter: the release's revisions (k9s's helm and its history: `r` rolls back)
    ViewKind("helm", "Secret", ("hm", "chart", "charts"), verbs=frozenset({"describe", "yaml", "values", "releases", "delete", "copy"}),
             drill_hint="History", derived=True),
    ViewKind("history", "Secret", (), verbs=frozenset({"describe", "yaml", "values", "helm_rollback"}), drill_hint="Values",
             derived=True),
)

VIEWS = tuple(replace(v, verbs=v.verbs | NAMESPACED_VERBS) if v.namespaced and v.kind and not v.derived else v
              for v in VIEWS)
BY_NAME: dict[str, ViewKind] = {v.name: v for v in VIEWS}
BY_KIND: dict[str, ViewKind] = {v.kind: v for v in reversed(VIEWS) if v.kind and not v.derived}  # (the first wins)
KINDLESS = {"contexts": "Context", "workloads": "Workload", "users": "User", "groups": "Group"}  # the views of no API kind: what the aliases list says
ALIASES: dict[str, ViewKind] = {a: v for v in VIEWS for a in (v.name, *v.aliases)}
QUIT = ("q", "q!", "quit", "qa")
# `:` words that open no table: what the Navigator asks a UI for (help, pickers, tree views)
REQUESTS: dict[str, str] = {
    **dict.fromkeys(("scenarios", "scenario", "sc-list"), "scenarios"),  # the bundled scenarios picker
    **dict.fromkeys(("help", "?", "h"), "help"),
    **dict.fromkeys(("aliases", "alias", "a"), "aliases"),
    **dict.fromkeys(("xray", "x"), "xray"),  # `:xray KIND [NS]`: the tree view
    **dict.fromkeys(("pulses", "pulse", "pu", "hz"), "pulses"),  # the cluster at a glance
    **dict.fromkeys(("timeline", "tl"), "timeline"),  # a scenario's or recording's steps
    **dict.fromkeys(("screendump", "screendumps", "sd"), "screendumps"),  # the files ctrl-s saved
    **dict.fromkeys(("skins", "skin"), "skins"),  # the skin picker (live preview); `:skin NAME` applies one
    **dict.fromkeys(("portforwards", "portforward", "pf"), "portforwards"),  # the active port-forwards
    **dict.fromkeys(("benchmarks", "benchmark", "bench", "be"), "benchmarks"),  # the reports `b` on a port-forward saved
    **dict.fromkeys(("dir", "d"), "dir"),  # `:dir [PATH]`: the manifests in a folder of the user's (`a` applies one, `d` deletes its objects)
    **dict.fromkeys(("rewind", "past"), "rewind"),  # `:rewind 10m` / `:rewind 14:32`: the time machine
    **dict.fromkeys(("now", "present"), "now"),  # back from the past
    "diff": "diff",  # `:diff [WHEN]`: the selected object's YAML then and now
    **dict.fromkeys(("changes", "changed"), "changes"),  # `:changes [WHEN]`: what was created/modified/deleted
}


Aliases = dict[str, ViewKind]


def discovered(resources: Iterable[Any]) -> Aliases:
    """The `:` aliases discovery adds (``resources``: ``ApiResource``s, as ``Backend.kinds()``
    returns them): the server's short names of the kinds k9py has a view for, and a view
    (plural, singular, short names) for every listable kind it has none for, CRDs included.
    Built-in aliases win over the server's."""
    known = {v.kind for v in VIEWS if v.kind}
    by_kind = BY_KIND
    out: Aliases = {}
    seen: set[str] = set()
    for res in resources:
        if res.kind in seen or (res.verbs and not {"list", "watch"} <= set(res.verbs)):
            continue
        seen.add(res.kind)
        words = list(res.short_names) if res.kind in known else [res.plural, res.singular_name, *res.short_names]
        free = tuple(dict.fromkeys(w.lower() for w in words if w and w.lower() not in ALIASES and w.lower() not in out))
        if res.kind in known:
            view = by_kind[res.kind]
        else:  # its name may be taken by a built-in view: then it is reachable by its free words only
            name = res.plural if res.plural.lower() in free else f"{res.plural}.{res.group}" if res.group else res.plural
            view = ViewKind(name, res.kind, free, res.namespaced, discovered=True, group=res.group,
                            columns=res.printer_columns,
                            verbs=OBJECT_VERBS | NAMESPACED_VERBS if res.namespaced else OBJECT_VERBS)
        for w in free:
            out[w] = view
    return out


def alias_table(extra: Aliases, user: Mapping[str, str] | None = None) -> list[tuple[str, str, str]]:
    """`ctrl-a`: (kind, view name, its aliases, shortest first) for every view, built-in and discovered, then
    one row per user alias: (its view's kind, its command as written, the alias). A user alias
    shadows a built-in one, which leaves its view's row."""
    user = user or {}
    more: dict[ViewKind, list[str]] = {}
    for alias, v in extra.items():
        more.setdefault(v, []).append(alias)
    views = list(VIEWS) + [v for v in more if v.discovered]
    rows = []
    for v in sorted(views, key=lambda v: v.name):
        words = {a for a in [*v.aliases, *more.get(v, [])] if a not in user}
        # the short names first (what the list is read for; a narrow screen cuts the long ones)
        rows.append((v.kind or KINDLESS[v.name], v.name, ",".join(sorted(words, key=lambda a: (len(a), a)))))
    for alias, command in sorted(user.items()):
        head, seen = alias, set()
        while head in user and head not in seen:  # through the user's aliases to the view
            seen.add(head)
            head = (user[head].split() or [""])[0].lower()
        view = lookup(head, extra)
        kind = (view.kind or KINDLESS[view.name]) if view else REQUESTS.get(head.lower(), "").capitalize() or "?"
        rows.append((kind, command, alias))
    return rows


def gvr_of(kind: str) -> str:
    """k9s's name of a built-in kind: ``v1/configmaps``, ``apps/v1/deployments``."""
    res = resources.BY_KIND.get(kind)
    if res is None:
        return kind.lower()
    return "/".join(p for p in (res.group, res.version, res.plural) if p)


def group_of(view: ViewKind) -> str:
    """The API group of a view's kind ("" core, or a view that is no API list)."""
    if view.discovered:
        return view.group
    res = resources.BY_KIND.get(view.kind)
    return res.group if res is not None else ""


def lookup(word: str, extra: Aliases | None = None) -> ViewKind | None:
    """A view by alias, or by a fully qualified name as kubectl takes it: ``deployments.apps``,
    ``notebooks.kubeflow.org``, ``apps/v1/deployments``, ``v1/pods``."""
    w = word.strip().lower()
    found = ALIASES.get(w) or (extra or {}).get(w)
    if found is not None or not ("." in w or "/" in w):
        return found
    version = None
    if "/" in w:
        parts = w.split("/")
        if len(parts) == 3:
            group, version, name = parts
        elif len(parts) == 2:
            group, version, name = "", parts[0], parts[1]
        else:
            return None
    else:
        name, group = w.split(".", 1)
    views = [v for v in (ALIASES.get(name), (extra or {}).get(name), *(extra or {}).values()) if v is not None]
    for v in views:
        if not v.kind or v.derived or group_of(v) != group:
            continue
        if v is not ALIASES.get(name) and v is not (extra or {}).get(name) and v.name != f"{name}.{group}":
            continue
        builtin = None if v.discovered else resources.BY_KIND.get(v.kind)
        if version is not None and builtin is not None and builtin.version != version:
            continue
        return v
    return None


def crd_view(crd: Obj, extra: Aliases) -> ViewKind | None:
    """The view of the objects a CustomResourceDefinition defines (a discovered one)."""
    kind, group = meta.dig(crd, "spec", "names", "kind"), meta.dig(crd, "spec", "group")
    for v in extra.values():
        if v.kind == kind and group_of(v) == group:
            return v
    return None


def complete(prefix: str, extra: Aliases | None = None, user: Iterable[str] = ()) -> list[str]:
    """Aliases (built-in, discovered, the user's) starting with ``prefix`` (Tab completion),
    shortest first."""
    p = prefix.strip().lower()
    return sorted({a for a in (*ALIASES, *(extra or {}), *user) if a.startswith(p)}, key=lambda a: (len(a), a))


@dataclass(frozen=True)
class Command:
    """A parsed `:` command. ``quit`` or a view with optional namespace / selector / filter."""
    view: ViewKind | None = None
    quit: bool = False
    namespace: str | None = None  # "" = all namespaces
    labels: str | None = None  # `:po app=nginx`
    filter: str | None = None  # `:po /nginx`
    error: str | None = None
    contexts: tuple[str, ...] = ()  # `:po --contexts a,b`: one view merging those contexts
    context: str | None = None  # k9s's `:po @CTX`: switch to that context, then this view
    rest: str = ""  # the command without its `@CTX` (what runs once on that context)


# the kinds k9s's workloads view (`:workloads`, view/workload_rows.py) lists in one table, in its order
WORKLOAD_KINDS = ("Pod", "Service", "DaemonSet", "StatefulSet", "Deployment", "ReplicaSet")


def _not_a_view(word: str, extra: Aliases | None = None) -> str:
    """What a word no view answers is: kubectl's `get deployment,pod` (one kind per view here:
    `:workloads` shows those together), a kind the API has but will not list and watch (kubectl
    get cs, a tutorial's "is the control plane healthy?") said so, else not found."""
    parts = [p for p in word.split(",") if p]
    views = [lookup(p, extra) for p in parts]
    if len(parts) > 1 and all(views):
        if all(v is not None and v.kind in WORKLOAD_KINDS for v in views):
            return f"`{word}`: one kind per view; :workloads shows them together"
        return f"`{word}`: one kind per view (:{parts[0]}, then :{parts[1]})"
    res = resources.lookup(word)
    if res is None or not res.verbs or {"list", "watch"} <= set(res.verbs):
        return f"`{word}` command not found"
    if res.kind == "ComponentStatus":
        return f"`{word}` cannot be watched (deprecated): see the control plane in :pods kube-system"
    return f"`{word}`: {res.plural} cannot be listed and watched, only {', '.join(res.verbs)}"


def parse_command(text: str, extra: Aliases | None = None) -> Command:
    """``extra``: the aliases discovery added (``discovered()``)."""
    words = text.strip().lstrip(":").split()
    if not words:
        return Command(error="empty command")
    head, args = words[0].lower(), words[1:]
    if head in QUIT:
        return Command(quit=True)
    view = lookup(head, extra)
    if view is None:
        return Command(error=_not_a_view(words[0], extra))
    ns = labels = filt = context = fuzzy = None
    contexts: tuple[str, ...] = ()
    i = 0
    end = len(args)  # where the filter starts (what follows `/` is its text, `@` included)
    while i < len(args):
        a = args[i]
        if a.startswith("@"):  # k9s: `:pods @my-context [ns]`
            if len(a) == 1:
                return Command(error="@: name a context (`:pods @CONTEXT`)")
            context = a[1:]
            i += 1
            continue
        if a.startswith("/"):
            filt, end = " ".join(args[i:])[1:], i
            break
        if a == "--contexts" or a.startswith("--contexts="):
            given, i = (a.split("=", 1)[1], i) if "=" in a else ((args[i + 1] if i + 1 < len(args) else ""), i + 1)
            contexts = tuple(dict.fromkeys(c for c in given.split(",") if c))
            if not contexts:
                return Command(error="--contexts: name the contexts to merge (--contexts a,b)")
            i += 1
            continue
        if a in ("-A", "all", "--all-namespaces"):
            ns = ""
        elif a == "-f" and i + 1 >= len(args):
            pass  # k9s's newArgs: a -f with no word after it is no filter, not an error
        elif a in ("-n", "-l", "-f"):
            if i + 1 >= len(args) or (a != "-f" and args[i + 1].startswith(("/", "@"))):  # cobra's words
                return Command(error=f"flag needs an argument: '{a[1]}' in {a}")
            if a == "-n":
                ns = args[i + 1]
            elif a == "-l":
                labels = args[i + 1]
            else:
                fuzzy = args[i + 1].lower()  # (k9s lowercases the fuzzy word)
            i += 1
        elif a[:3] in ("-n=", "-l=", "-f=") and len(a) > 3:  # cobra's -n=NS
            if a[1] == "n":
                ns = a[3:]
            elif a[1] == "l":
                labels = a[3:]
            else:
                fuzzy = a[3:].lower()
        elif a.startswith("-f") and len(a) > 2:  # k9s's `:po -fngx`
            fuzzy = a[2:].lower()
        elif a.startswith("--"):
            return Command(error=f"unknown flag: {a.split('=', 1)[0]}")
        elif a.startswith("-") and len(a) > 1:  # a namespace never starts with "-"
            return Command(error=f"unknown shorthand flag: '{a[1]}' in {a.split('=', 1)[0]}")
        elif "=" in a:
            labels = a
        else:
            ns = a
        i += 1
    if fuzzy is not None:  # k9s's `:po -f ngx`: the `/-f ngx` filter (over a `/` one, as k9s)
        filt = f"-f {fuzzy}"
    rest = [words[0], *(a for a in args[:end] if not a.startswith("@")), *args[end:]]
    return Command(view=view, namespace=ns, labels=labels, filter=filt, contexts=contexts, context=context,
                   rest=" ".join(rest))


def known_command(text: str) -> bool:
    """Whether ``text`` is a `:` command k9py knows before any discovery: a built-in view's (with
    its arguments) or a screen's (pulses, xray dp…)."""
    return not parse_command(text).error or text.strip().lstrip(":").split(" ", 1)[0].lower() in REQUESTS


def command_in(text: str, namespace: str, extra: Aliases | None = None) -> str:
    """``text``, a `:` command, showing ``namespace`` ("" all) instead of the one it names: its
    selector, filter and merged contexts kept (a cluster-wide view's command is left as it is)."""
    cmd = parse_command(text, extra)
    if cmd.view is None or not cmd.view.namespaced:
        return text
    words = [cmd.rest.split(" ", 1)[0], namespace or "all"]
    if cmd.labels:
        words += ["-l", cmd.labels]
    if cmd.contexts:
        words.append("--contexts=" + ",".join(cmd.contexts))
    if cmd.filter is not None:
        words.append("/" + cmd.filter)
    return " ".join(words)


def unmerged(text: str, extra: Aliases | None = None) -> str | None:
    """``text``, a `:` command merging contexts (`--contexts a,b`), as the same view of one
    context (its namespace, selector and filter kept); None when it merges none."""
    cmd = parse_command(text, extra)
    if cmd.view is None or not cmd.contexts:
        return None
    words = [cmd.rest.split(" ", 1)[0]]
    if cmd.view.namespaced and cmd.namespace is not None:
        words.append(cmd.namespace or "all")
    if cmd.labels:
        words += ["-l", cmd.labels]
    if cmd.filter is not None:
        words.append("/" + cmd.filter)
    return " ".join(words)


# -- drill-down ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """What a drilled-down view shows: a view, a namespace ("" all), and which objects."""
    view: ViewKind
    namespace: str
    label: str = ""  # shown in the title, e.g. "app=nginx" or "node=minikube"
    predicate: Callable[[Obj], bool] | None = field(default=None, compare=False)
    pod: tuple[str, str] | None = None  # containers view: (namespace, pod name)
    faults: bool = False  # ctrl-z: only the objects in trouble (``view/faults.py``)

    def keeps(self) -> Callable[[Obj], bool] | None:
        """What decides the objects shown: ``predicate``, and with ``faults`` their health."""
        if not self.faults:
            return self.predicate
        kind, pred = self.view.kind, self.predicate  # (workloads: each object's own)
        return lambda o: (pred is None or pred(o)) and faulty(kind or str(o.get("kind") or ""), o)


def _selector_pred(sel: selectors.Selector | None) -> Callable[[Obj], bool]:
    return lambda o: selectors.matches(sel, meta.labels(o))


def _owned_by(uid: str) -> Callable[[Obj], bool]:
    return lambda o: any(r.get("uid") == uid for r in meta.owner_refs(o))


def drill(view: ViewKind, obj: Obj) -> Scope | None:
    """Where `enter` on ``obj`` in ``view`` leads (None: nowhere)."""
    ns, name = meta.namespace(obj), meta.name(obj)
    pods = BY_NAME["pods"]
    if view.name in ("deployments", "replicasets", "statefulsets", "daemonsets", "jobs"):
        sel_obj = (obj.get("spec") or {}).get("selector")
        sel = selectors.from_label_selector(sel_obj)
        return Scope(pods, ns, selectors.selector_string(sel_obj) if sel_obj else "", _selector_pred(sel))
    if view.name == "services":
        m = (obj.get("spec") or {}).get("selector")
        return Scope(pods, ns, selectors.selector_string(m) if m else "", _selector_pred(selectors.from_map(m)))
    if view.name == "cronjobs":
        return Scope(BY_NAME["jobs"], ns, f"cronjob={name}", _owned_by(meta.uid(obj)))
    if view.name == "nodes":
        return Scope(pods, "", f"node={name}", lambda o: (o.get("spec") or {}).get("nodeName") == name)
    if view.name == "namespaces":
        return Scope(pods, name)
    if view.name == "persistentvolumeclaims":
        def mounts(o: Obj) -> bool:
            return any((v.get("persistentVolumeClaim") or {}).get("claimName") == name
                       for v in (o.get("spec") or {}).get("volumes") or [])
        return Scope(pods, ns, f"pvc={name}", mounts)
    if view.name == "pods":
        return Scope(BY_NAME["containers"], ns, name, lambda o: meta.name(o) == name, pod=(ns, name))
    if view.name == "helm":  # the release's revisions (its Secrets)
        return Scope(BY_NAME["history"], ns, f"{ns}/{name}", helm.of_release(ns, name))
    return None


def replicasets_of(deployment: Obj) -> Scope:
    """`z` on a deployment (k9s's ReplicaSets): the replica sets its selector picks, in its namespace."""
    sel_obj = (deployment.get("spec") or {}).get("selector")
    return Scope(BY_NAME["replicasets"], meta.namespace(deployment),
                 selectors.selector_string(sel_obj) if sel_obj else "",
                 _selector_pred(selectors.from_label_selector(sel_obj)))


def owner_scope(obj: Obj, extra: Aliases | None = None) -> tuple[str, str, str] | None:
    """`shift-j`: (view name, namespace, owner name) of the object's controller: a built-in
    view, or one discovery added (``extra``: a custom resource's, a PyTorchJob's pods)."""
    ref = meta.controller_ref(obj)
    if ref is None:
        return None
    for v in VIEWS:
        if v.kind == ref.get("kind") and not v.derived:
            return (v.name, meta.namespace(obj), ref.get("name", ""))
    api_version = str(ref.get("apiVersion") or "")
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    for v in (extra or {}).values():
        if v.kind == ref.get("kind") and group_of(v) == group:
            return (v.name, meta.namespace(obj) if v.namespaced else "", ref.get("name", ""))
    return None
