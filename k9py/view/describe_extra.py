"""``kubectl describe`` for the other kinds the simulator serves: HPA, PDB, NetworkPolicy,
IngressClass, PriorityClass, CSINode and RBAC (Role/ClusterRole with kubectl's rule compaction)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from k9py.kube.meta import dig
from k9py.view.describe_common import Obj, annotations_multiline, describe_events, format_labels, labels_multiline
from k9py.view.describe_text import LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, LEVEL_4, Writer, go_list, parse_time, rfc1123z
from k9py.view.printers_format import format_label_selector, int_or_string, quantity_string


def _head(w: Writer, obj: Obj, namespace: bool = True) -> None:
    md = obj.get("metadata") or {}
    w.write(LEVEL_0, f"Name:\t{md.get('name', '')}\n")
    if namespace:
        w.write(LEVEL_0, f"Namespace:\t{md.get('namespace', '')}\n")


# -- PriorityClass / IngressClass / PodDisruptionBudget -------------------------------------------

def describe_priorityclass(pc: Obj, events: list[Obj] | None, now: float) -> str:
    w = Writer()
    _head(w, pc, namespace=False)
    w.write(LEVEL_0, f"Value:\t{int(pc.get('value') or 0)}\n")
    w.write(LEVEL_0, f"GlobalDefault:\t{'true' if pc.get('globalDefault') else 'false'}\n")
    w.write(LEVEL_0, f"PreemptionPolicy:\t{pc.get('preemptionPolicy', '')}\n")
    w.write(LEVEL_0, f"Description:\t{pc.get('description', '')}\n")
    w.write(LEVEL_0, f"Annotations:\t{format_labels(dig(pc, 'metadata', 'annotations'))}\n")
    describe_events(w, events, now)
    return w.text()


def describe_csinode(csi: Obj, events: list[Obj] | None, now: float) -> str:
    """kubectl's CSINodeDescriber: its drivers under Spec (none registered: Spec alone)."""
    md = csi.get("metadata") or {}
    w = Writer()
    _head(w, csi, namespace=False)
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(LEVEL_0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    w.write(LEVEL_0, "Spec:\n")
    drivers = dig(csi, "spec", "drivers")
    if drivers is not None:
        w.write(LEVEL_1, "Drivers:\n")
        for d in drivers:
            w.write(LEVEL_2, f"{d.get('name', '')}:\n")
            w.write(LEVEL_3, f"Node ID:\t{d.get('nodeID', '')}\n")
            count = dig(d, "allocatable", "count")
            if count is not None:
                w.write(LEVEL_3, "Allocatables:\n")
                w.write(LEVEL_4, f"Count:\t{int(count)}\n")
            if d.get("topologyKeys") is not None:
                w.write(LEVEL_3, f"Topology Keys:\t{go_list(d['topologyKeys'])}\n")
    describe_events(w, events, now)
    return w.text()


def describe_ingressclass(ic: Obj, events: list[Obj] | None, now: float) -> str:
    md, spec = ic.get("metadata") or {}, ic.get("spec") or {}
    w = Writer()
    _head(w, ic, namespace=False)
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(LEVEL_0, f"Controller:\t{spec.get('controller', '')}\n")
    params = spec.get("parameters")
    if params is not None:
        w.write(LEVEL_0, "Parameters:\n")
        if params.get("apiGroup") is not None:
            w.write(LEVEL_1, f"APIGroup:\t{params['apiGroup']}\n")
        w.write(LEVEL_1, f"Kind:\t{params.get('kind', '')}\n")
        w.write(LEVEL_1, f"Name:\t{params.get('name', '')}\n")
    describe_events(w, events, now)
    return w.text()


def describe_pdb(pdb: Obj, events: list[Obj] | None, now: float) -> str:
    spec, status = pdb.get("spec") or {}, pdb.get("status") or {}
    w = Writer()
    _head(w, pdb)
    if spec.get("minAvailable") is not None:
        w.write(LEVEL_0, f"Min available:\t{int_or_string(spec['minAvailable'])}\n")
    elif spec.get("maxUnavailable") is not None:
        w.write(LEVEL_0, f"Max unavailable:\t{int_or_string(spec['maxUnavailable'])}\n")
    if spec.get("selector") is not None:
        w.write(LEVEL_0, f"Selector:\t{format_label_selector(spec['selector'])}\n")
    else:
        w.write(LEVEL_0, "Selector:\t<unset>\n")
    w.write(LEVEL_0, "Status:\n")
    w.write(LEVEL_2, f"Allowed disruptions:\t{int(status.get('disruptionsAllowed') or 0)}\n")
    w.write(LEVEL_2, f"Current:\t{int(status.get('currentHealthy') or 0)}\n")
    w.write(LEVEL_2, f"Desired:\t{int(status.get('desiredHealthy') or 0)}\n")
    w.write(LEVEL_2, f"Total:\t{int(status.get('expectedPods') or 0)}\n")
    describe_events(w, events, now)
    return w.text()


# -- HorizontalPodAutoscaler (autoscaling/v2) -----------------------------------------------------

def describe_hpa(hpa: Obj, events: list[Obj] | None, now: float) -> str:
    md, spec, status = hpa.get("metadata") or {}, hpa.get("spec") or {}, hpa.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    current = status.get("currentMetrics") or []
    w = Writer()
    _head(w, hpa)
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(LEVEL_0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    w.write(LEVEL_0, f"Reference:\t{ref.get('kind', '')}/{ref.get('name', '')}\n")
    w.write(LEVEL_0, "Metrics:\t( current / target )\n")

    def cur(i: int, key: str) -> Obj | None:
        return current[i].get(key) if i < len(current) and current[i].get(key) is not None else None

    for i, m in enumerate(spec.get("metrics") or []):
        mtype = m.get("type", "")
        if mtype == "External":
            ext = m.get("external") or {}
            name, target = dig(ext, "metric", "name") or "", ext.get("target") or {}
            c = cur(i, "external")
            if target.get("averageValue") is not None:
                now_v = quantity_string(dig(c, "current", "averageValue")) if c and dig(c, "current", "averageValue") is not None else "<unknown>"
                w.write(LEVEL_1, f'"{name}" (target average value):\t{now_v} / {quantity_string(target["averageValue"])}\n')
            else:
                now_v = quantity_string(dig(c, "current", "value")) if c else "<unknown>"
                w.write(LEVEL_1, f'"{name}" (target value):\t{now_v} / {quantity_string(target.get("value"))}\n')
        elif mtype == "Pods":
            pods = m.get("pods") or {}
            c = cur(i, "pods")
            now_v = quantity_string(dig(c, "current", "averageValue")) if c else "<unknown>"
            w.write(LEVEL_1, f'"{dig(pods, "metric", "name") or ""}" on pods:\t{now_v} / '
                             f'{quantity_string(dig(pods, "target", "averageValue"))}\n')
        elif mtype == "Object":
            obj = m.get("object") or {}
            target = obj.get("target") or {}
            w.write(LEVEL_1, f'"{dig(obj, "metric", "name") or ""}" on {dig(obj, "describedObject", "kind") or ""}/'
                             f'{dig(obj, "describedObject", "name") or ""} ')
            c = cur(i, "object")
            if target.get("type") == "AverageValue":
                now_v = quantity_string(dig(c, "current", "averageValue")) if c else "<unknown>"
                w.write(LEVEL_0, f"(target average value):\t{now_v} / {quantity_string(target.get('averageValue'))}\n")
            else:
                now_v = quantity_string(dig(c, "current", "value")) if c else "<unknown>"
                w.write(LEVEL_0, f"(target value):\t{now_v} / {quantity_string(target.get('value'))}\n")
        elif mtype in ("Resource", "ContainerResource"):
            key = "resource" if mtype == "Resource" else "containerResource"
            res = m.get(key) or {}
            target = res.get("target") or {}
            if mtype == "Resource":
                w.write(LEVEL_1, f"resource {res.get('name', '')} on pods")
            else:
                w.write(LEVEL_1, f'resource {res.get("name", "")} of container "{res.get("container", "")}" on pods')
            c = cur(i, key)
            if target.get("averageValue") is not None:
                now_v = quantity_string(dig(c, "current", "averageValue")) if c else "<unknown>"
                w.write(LEVEL_0, f":\t{now_v} / {quantity_string(target['averageValue'])}\n")
            else:
                now_v = "<unknown>"
                if c and dig(c, "current", "averageUtilization") is not None:
                    now_v = f"{int(c['current']['averageUtilization'])}% ({quantity_string(dig(c, 'current', 'averageValue'))})"
                tgt = f"{int(target['averageUtilization'])}%" if target.get("averageUtilization") is not None else "<auto>"
                w.write(LEVEL_1, f"(as a percentage of request):\t{now_v} / {tgt}\n")
        else:
            w.write(LEVEL_1, f'<unknown metric type "{mtype}">\n')
    min_r = spec.get("minReplicas")
    w.write(LEVEL_0, f"Min replicas:\t{int(min_r) if min_r is not None else '<unset>'}\n")
    w.write(LEVEL_0, f"Max replicas:\t{int(spec.get('maxReplicas') or 0)}\n")
    behavior = spec.get("behavior")
    if behavior is not None:
        w.write(LEVEL_0, "Behavior:\n")
        for title, key in (("Scale Up", "scaleUp"), ("Scale Down", "scaleDown")):
            rules = behavior.get(key)
            if rules is None:
                continue
            w.write(LEVEL_1, f"{title}:\n")
            if rules.get("stabilizationWindowSeconds") is not None:
                w.write(LEVEL_2, f"Stabilization Window: {int(rules['stabilizationWindowSeconds'])} seconds\n")
            if rules.get("policies"):
                w.write(LEVEL_2, f"Select Policy: {rules.get('selectPolicy') or 'Max'}\n")
                w.write(LEVEL_2, "Policies:\n")
                for p in rules["policies"]:
                    w.write(LEVEL_3, f"- Type: {p.get('type', '')}\tValue: {int(p.get('value') or 0)}\t"
                                     f"Period: {int(p.get('periodSeconds') or 0)} seconds\n")
    w.write(LEVEL_0, f"{ref.get('kind', '')} pods:\t")
    w.write(LEVEL_0, f"{int(status.get('currentReplicas') or 0)} current / {int(status.get('desiredReplicas') or 0)} desired\n")
    conds = status.get("conditions") or []
    if conds:
        w.write(LEVEL_0, "Conditions:\n")
        w.write(LEVEL_1, "Type\tStatus\tReason\tMessage\n")
        w.write(LEVEL_1, "----\t------\t------\t-------\n")
        for c in conds:
            w.write(LEVEL_1, f"{c.get('type', '')}\t{c.get('status', '')}\t{c.get('reason', '')}\t{c.get('message', '')}\n")
    describe_events(w, events, now)
    return w.text()


# -- NetworkPolicy -------------------------------------------------------------------------------

def _go_time_string(ts: Any) -> str:
    """``metav1.Time.String()`` (Go's ``time.Time.String`` in UTC)."""
    t = parse_time(ts)
    if t is None:
        return "0001-01-01 00:00:00 +0000 UTC"
    return datetime.fromtimestamp(int(t // 1), tz=UTC).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


def describe_networkpolicy(np: Obj) -> str:
    md, spec = np.get("metadata") or {}, np.get("spec") or {}
    w = Writer()
    _head(w, np)
    w.write(LEVEL_0, f"Created on:\t{_go_time_string(md.get('creationTimestamp'))}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(LEVEL_0, "Spec:\n")
    w.write(LEVEL_1, "PodSelector: ")
    sel = spec.get("podSelector") or {}
    if not sel.get("matchLabels") and not sel.get("matchExpressions"):
        w.write(LEVEL_2, "<none> (Allowing the specific traffic to all pods in this namespace)\n")
    else:
        w.write(LEVEL_2, f"{format_label_selector(sel)}\n")
    types = spec.get("policyTypes") or []
    if "Ingress" in types:
        w.write(LEVEL_1, "Allowing ingress traffic:\n")
        _np_rules(w, spec.get("ingress") or [], "from", "From", "source", "ingress")
    else:
        w.write(LEVEL_1, "Not affecting ingress traffic\n")
    if "Egress" in types:
        w.write(LEVEL_1, "Allowing egress traffic:\n")
        _np_rules(w, spec.get("egress") or [], "to", "To", "destination", "egress")
    else:
        w.write(LEVEL_1, "Not affecting egress traffic\n")
    w.write(LEVEL_1, f"Policy Types: {', '.join(types) if types else '<none>'}\n")
    return w.text()


def _np_rules(w: Writer, rules: list[Obj], key: str, title: str, what: str, direction: str) -> None:
    indent = "    "
    if not rules:
        w.write(LEVEL_0, f"{indent}<none> (Selected pods are isolated for {direction} connectivity)\n")
        return
    for i, rule in enumerate(rules):
        ports = rule.get("ports") or []
        if not ports:
            w.write(LEVEL_0, f"{indent}To Port: <any> (traffic allowed to all ports)\n")
        for p in ports:
            proto = p.get("protocol") or "TCP"
            port = int_or_string(p["port"]) if p.get("port") is not None else "<nil>"
            if p.get("endPort") is None:
                w.write(LEVEL_0, f"{indent}To Port: {port}/{proto}\n")
            else:
                w.write(LEVEL_0, f"{indent}To Port Range: {port}-{int(p['endPort'])}/{proto}\n")
        peers = rule.get(key) or []
        if not peers:
            w.write(LEVEL_0, f"{indent}{title}: <any> (traffic not restricted by {what})\n")
        for peer in peers:
            w.write(LEVEL_0, f"{indent}{title}:\n")
            if peer.get("podSelector") is not None and peer.get("namespaceSelector") is not None:
                w.write(LEVEL_1, f"{indent}NamespaceSelector: {format_label_selector(peer['namespaceSelector'])}\n")
                w.write(LEVEL_1, f"{indent}PodSelector: {format_label_selector(peer['podSelector'])}\n")
            elif peer.get("podSelector") is not None:
                w.write(LEVEL_1, f"{indent}PodSelector: {format_label_selector(peer['podSelector'])}\n")
            elif peer.get("namespaceSelector") is not None:
                w.write(LEVEL_1, f"{indent}NamespaceSelector: {format_label_selector(peer['namespaceSelector'])}\n")
            elif peer.get("ipBlock") is not None:
                w.write(LEVEL_1, f"{indent}IPBlock:\n")
                w.write(LEVEL_2, f"{indent}CIDR: {peer['ipBlock'].get('cidr', '')}\n")
                w.write(LEVEL_2, f"{indent}Except: {', '.join(peer['ipBlock'].get('except') or [])}\n")
        if i != len(rules) - 1:
            w.write(LEVEL_0, f"{indent}----------\n")


# -- RBAC ----------------------------------------------------------------------------------------

def _breakdown(rule: Obj) -> list[Obj]:
    """``rbac.BreakdownRule``: one rule per group × resource × verb (× resource name)."""
    out: list[Obj] = []
    verbs = rule.get("verbs") or []
    names = rule.get("resourceNames") or []
    for group in rule.get("apiGroups") or []:
        for resource in rule.get("resources") or []:
            for verb in verbs:
                if names:
                    out += [{"apiGroups": [group], "resources": [resource], "verbs": [verb], "resourceNames": [n]}
                            for n in names]
                else:
                    out.append({"apiGroups": [group], "resources": [resource], "verbs": [verb]})
    for url in rule.get("nonResourceURLs") or []:
        out += [{"nonResourceURLs": [url], "verbs": [verb]} for verb in verbs]
    return out


def _compact(rules: list[Obj]) -> list[Obj]:
    """``rbac.CompactRules``: simple rules differing only by verb are merged (verbs in first-seen order)."""
    compacted: list[Obj] = []
    simple: dict[tuple, Obj] = {}
    for r in rules:
        if r.get("nonResourceURLs"):
            compacted.append(r)
            continue
        key = (r["apiGroups"][0], r["resources"][0], tuple(r.get("resourceNames") or ()))
        if key in simple:
            simple[key]["verbs"] += [v for v in r["verbs"] if v not in simple[key]["verbs"]]
        else:
            simple[key] = {**r, "verbs": list(r["verbs"])}
    return compacted + list(simple.values())


def _rule_string(r: Obj) -> str:
    """The generated ``PolicyRule.String()`` kubectl sorts by."""
    return (f"&PolicyRule{{Verbs:{go_list(r.get('verbs'))},APIGroups:{go_list(r.get('apiGroups'))},"
            f"Resources:{go_list(r.get('resources'))},ResourceNames:{go_list(r.get('resourceNames'))},"
            f"NonResourceURLs:{go_list(r.get('nonResourceURLs'))},}}")


def _combine(resources: list[str], groups: list[str]) -> str:
    if not resources:
        return ""
    parts = resources[0].split("/", 1)
    combined = parts[0]
    if groups and groups[0]:
        combined += "." + groups[0]
    if len(parts) == 2:
        combined += "/" + parts[1]
    return combined


def describe_role(role: Obj) -> str:
    md = role.get("metadata") or {}
    broken = [sub for rule in role.get("rules") or [] for sub in _breakdown(rule)]
    rules = sorted(_compact(broken), key=_rule_string)  # sort.Stable
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{md.get('name', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(LEVEL_0, "PolicyRule:\n")
    w.write(LEVEL_1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n")
    w.write(LEVEL_1, "---------\t-----------------\t--------------\t-----\n")
    for r in rules:
        w.write(LEVEL_1, f"{_combine(r.get('resources') or [], r.get('apiGroups') or [])}\t{go_list(r.get('nonResourceURLs'))}\t"
                         f"{go_list(r.get('resourceNames'))}\t{go_list(r.get('verbs'))}\n")
    return w.text()


def describe_rolebinding(rb: Obj) -> str:
    md, ref = rb.get("metadata") or {}, rb.get("roleRef") or {}
    w = Writer()
    w.write(LEVEL_0, f"Name:\t{md.get('name', '')}\n")
    labels_multiline(w, "Labels", md.get("labels"))
    annotations_multiline(w, "Annotations", md.get("annotations"))
    w.write(LEVEL_0, "Role:\n")
    w.write(LEVEL_1, f"Kind:\t{ref.get('kind', '')}\n")
    w.write(LEVEL_1, f"Name:\t{ref.get('name', '')}\n")
    w.write(LEVEL_0, "Subjects:\n")
    w.write(LEVEL_1, "Kind\tName\tNamespace\n")
    w.write(LEVEL_1, "----\t----\t---------\n")
    for s in rb.get("subjects") or []:
        w.write(LEVEL_1, f"{s.get('kind', '')}\t{s.get('name', '')}\t{s.get('namespace', '')}\n")
    return w.text()
