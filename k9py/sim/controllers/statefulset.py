"""StatefulSetController (pkg/controller/statefulset): ordinal pods with stable names,
OrderedReady/Parallel management, volumeClaimTemplates → PVCs, ControllerRevisions and
rolling updates from the highest ordinal."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.meta import deep_copy, dig
from k9py.kube.status import ApiError, invalid
from k9py.sim.admission import admits
from k9py.sim.controllers import podtemplate as pt
from k9py.sim.controllers.base import Controller
from k9py.sim.controllers.settled_syncs import SettledSyncs

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

Obj = dict[str, Any]
COMPONENT = "statefulset-controller"
POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
REVISION_HASH_LABEL = "controller.kubernetes.io/hash"
_UPDATABLE = ("replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds")


@admits("StatefulSet")
def _admit_statefulset(cluster: Cluster, obj: Obj, old: Obj | None) -> None:
    spec = obj.setdefault("spec", {})
    if isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        spec.setdefault("podManagementPolicy", "OrderedReady")
        us = spec.setdefault("updateStrategy", {})
        if isinstance(us, dict):
            us.setdefault("type", "RollingUpdate")
            if us["type"] == "RollingUpdate":
                us.setdefault("rollingUpdate", {}).setdefault("partition", 0)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"})
        spec["template"] = pt.default_template(spec.get("template"))
        for vct in spec.get("volumeClaimTemplates") or []:
            if isinstance(vct, dict):
                vct.setdefault("apiVersion", "v1")
                vct.setdefault("kind", "PersistentVolumeClaim")
                vct.setdefault("metadata", {})
                vspec = vct.setdefault("spec", {})
                if isinstance(vspec, dict):
                    vspec.setdefault("volumeMode", "Filesystem")
                vct.setdefault("status", {"phase": "Pending"})
    name = meta.name(obj)
    pt.validate_selector_template("StatefulSet", obj, old, what="statefulset")
    causes: list[tuple[str, str]] = []
    if spec.get("podManagementPolicy") not in ("OrderedReady", "Parallel"):
        causes.append(("spec.podManagementPolicy", f'Unsupported value: "{spec.get("podManagementPolicy")}": supported values: "OrderedReady", "Parallel"'))
    if dig(spec, "updateStrategy", "type") not in ("RollingUpdate", "OnDelete"):
        causes.append(("spec.updateStrategy.type", f'Unsupported value: "{dig(spec, "updateStrategy", "type")}": supported values: "OnDelete", "RollingUpdate"'))
    for i, vct in enumerate(spec.get("volumeClaimTemplates") or []):
        if not dig(vct, "metadata", "name"):
            causes.append((f"spec.volumeClaimTemplates[{i}].metadata.name", "Required value"))
    if old is not None:
        a = {k: v for k, v in spec.items() if k not in _UPDATABLE}
        b = {k: v for k, v in (old.get("spec") or {}).items() if k not in _UPDATABLE}
        if a != b:
            causes.append(("spec", "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"))
    if causes:
        raise invalid("StatefulSet", name, causes)


def _ordinal(sts_name: str, pod: Obj) -> int | None:
    m = re.fullmatch(re.escape(sts_name) + r"-(\d+)", meta.name(pod))
    return int(m.group(1)) if m else None


def _revision_data(template: Obj) -> Obj:
    t = deep_copy(template)
    t["$patch"] = "replace"
    return {"spec": {"template": t}}


def _revision_template(cr: Obj) -> Obj:
    t = deep_copy(dig(cr, "data", "spec", "template") or {})
    t.pop("$patch", None)
    return t


def _plain_ref(owner: Obj) -> Obj:
    """The bare ownerReference the StatefulSet controller puts on claims (no controller flag)."""
    return {"apiVersion": owner.get("apiVersion", "v1"), "kind": owner["kind"], "name": meta.name(owner), "uid": meta.uid(owner)}


def _inputs(c: Cluster, sts: Obj) -> tuple:
    """Everything a sync of ``sts`` reads but its pods (heard as they change: ``PodsChanged``) and
    the pods it could not create (``_waiting``): itself, the claims, the revisions and, with
    minReadySeconds, the clock."""
    store = c.store
    clock = c.now() if dig(sts, "spec", "minReadySeconds") else None
    return (sts["metadata"].get("resourceVersion"), store.kind_version("PersistentVolumeClaim"),
            store.kind_version("ControllerRevision"), clock)


def _healthy(pod: Obj, min_ready: int, now: float) -> bool:
    return pt.is_running_and_ready(pod) and not meta.is_deleting(pod) and pt.is_available(pod, min_ready, now)


class StatefulSetController(Controller):
    name = "statefulset"
    _waiting = False  # the sync running now could not create a pod (it is tried again next pass)

    def reconcile(self, cluster: Cluster) -> None:
        store = cluster.store
        syncs: SettledSyncs = cluster.state.setdefault("statefulset-settled", SettledSyncs())
        syncs.begin(store, "StatefulSet")
        for sts in store.list("StatefulSet"):
            if meta.is_deleting(sts):
                continue
            uid = meta.uid(sts)
            read = _inputs(cluster, sts)
            if syncs.settled(uid, read):
                continue
            rv = store.resource_version
            self._waiting = False
            try:
                self._sync(cluster, sts)
            except ApiError:
                syncs.synced(uid, None)
                continue
            syncs.synced(uid, read if store.resource_version == rv and not self._waiting else None)
        syncs.end()

    # -- revisions ------------------------------------------------------------------------------
    def _revisions(self, c: Cluster, sts: Obj) -> tuple[Obj, Obj, list[Obj]]:
        revs = sorted(pt.owned(c, "ControllerRevision", sts), key=lambda r: (r.get("revision", 0), meta.name(r)))
        data = _revision_data(dig(sts, "spec", "template") or {})
        collisions = int(dig(sts, "status", "collisionCount", default=0))
        h = pt.compute_hash(data, collisions or None)
        name = f"{meta.name(sts)}-{h}"
        max_rev = max((r.get("revision", 0) for r in revs), default=0)
        update = next((r for r in revs if r.get("data") == data), None)
        if update is None:
            cr = {"apiVersion": "apps/v1", "kind": "ControllerRevision",
                  "metadata": {"name": name, "namespace": meta.namespace(sts),
                               "labels": {**(dig(sts, "spec", "template", "metadata", "labels") or {}), REVISION_HASH_LABEL: h},
                               "ownerReferences": [meta.owner_reference(sts)]},
                  "data": data, "revision": max_rev + 1}
            update = c.store.create(cr)
            revs.append(update)
        elif update is not revs[-1] and update.get("revision", 0) < max_rev:
            update = c.store.mutate("ControllerRevision", meta.namespace(update), meta.name(update),
                                    lambda o: o.__setitem__("revision", max_rev + 1)) or update
        cur_name = dig(sts, "status", "currentRevision")
        current = next((r for r in revs if meta.name(r) == cur_name), None) or update
        return current, update, revs

    def _truncate_history(self, c: Cluster, sts: Obj, revs: list[Obj], pods: list[Obj], live: set[str]) -> None:
        live = live | {meta.labels(p).get(pt.CONTROLLER_REVISION_HASH, "") for p in pods}
        old = [r for r in revs if meta.name(r) not in live and c.store.get("ControllerRevision", meta.namespace(r), meta.name(r))]
        limit = int(dig(sts, "spec", "revisionHistoryLimit", default=10))
        old.sort(key=lambda r: r.get("revision", 0))
        for r in old[:max(0, len(old) - limit)]:
            c.store.delete("ControllerRevision", meta.namespace(r), meta.name(r))

    # -- the sync -------------------------------------------------------------------------------
    def _sync(self, c: Cluster, sts: Obj) -> None:
        ns, name = meta.namespace(sts), meta.name(sts)
        spec = sts.get("spec") or {}
        now = c.now()
        current, update, revs = self._revisions(c, sts)
        replicas = int(spec.get("replicas", 1) or 0)
        min_ready = int(spec.get("minReadySeconds", 0) or 0)
        parallel = spec.get("podManagementPolicy") == "Parallel"
        pods = pt.owned(c, "Pod", sts)
        by_ord: dict[int, Obj] = {}
        for p in pods:
            o = _ordinal(name, p)
            if o is not None:
                by_ord[o] = p
        partition = int(dig(spec, "updateStrategy", "rollingUpdate", "partition", default=0)) \
            if dig(spec, "updateStrategy", "type") == "RollingUpdate" else replicas
        progress = True  # False once an OrderedReady step has to wait

        for i in range(replicas):
            pod = by_ord.get(i)
            if pod is not None and dig(pod, "status", "phase") == "Failed" and not meta.is_deleting(pod):
                pt.delete_pod(c, sts, pod, COMPONENT, event_message=f"delete Pod {meta.name(pod)} in StatefulSet {name} successful")
                pod = c.store.get("Pod", ns, meta.name(pod))
                if pod is None:
                    by_ord.pop(i, None)
            if pod is None:
                rev = current if (current is not update and i < partition) else update
                created = self._create_pod(c, sts, i, rev)
                if created is not None:
                    by_ord[i] = created
                if not parallel:
                    progress = False
                    break
                continue
            if meta.is_deleting(pod) and not parallel:
                progress = False
                break
            if not parallel and not _healthy(pod, min_ready, now):
                progress = False  # (``_update_status`` asks to look again when it becomes available)
                break

        condemned = sorted((o for o in by_ord if o >= replicas), reverse=True)
        if condemned and (parallel or progress):
            for o in condemned:
                pod = by_ord[o]
                if meta.is_deleting(pod):
                    if not parallel:
                        progress = False
                        break
                    continue
                if not parallel and any(not _healthy(by_ord[j], min_ready, now) for j in by_ord if j < o and j < replicas):
                    progress = False
                    break
                if dig(spec, "persistentVolumeClaimRetentionPolicy", "whenScaled") == "Delete":
                    self._claims_owned_by_pod(c, sts, pod)
                pt.delete_pod(c, sts, pod, COMPONENT, event_message=f"delete Pod {meta.name(pod)} in StatefulSet {name} successful")
                if not parallel:
                    progress = False
                    break

        if progress and dig(spec, "updateStrategy", "type") == "RollingUpdate" \
                and all(i in by_ord and _healthy(by_ord[i], min_ready, now) for i in range(replicas)):
            for i in range(replicas - 1, partition - 1, -1):
                pod = by_ord[i]
                if meta.labels(pod).get(pt.CONTROLLER_REVISION_HASH) != meta.name(update):
                    pt.delete_pod(c, sts, pod, COMPONENT, event_message=f"delete Pod {meta.name(pod)} in StatefulSet {name} successful")
                    break

        self._update_status(c, sts, current, update)
        sts = c.store.get("StatefulSet", ns, name) or sts
        self._truncate_history(c, sts, revs, pt.owned(c, "Pod", sts),
                               {dig(sts, "status", "currentRevision", default=""), meta.name(update)})

    @staticmethod
    def _claims_owned_by_pod(c: Cluster, sts: Obj, pod: Obj) -> None:
        """whenScaled: Delete: a condemned pod's claims get the pod as owner, so they go with it."""
        ref = _plain_ref(pod)
        sts_uid = meta.uid(sts)

        def own(o: Obj) -> None:
            # updateClaimOwnerRefForSetAndPod: a condemned pod's claim is owned by the pod only.
            refs = [r for r in meta.owner_refs(o) if r.get("uid") not in (sts_uid, ref["uid"])]
            o["metadata"]["ownerReferences"] = [*refs, ref]
        for vct in dig(sts, "spec", "volumeClaimTemplates") or []:
            claim = f"{dig(vct, 'metadata', 'name')}-{meta.name(pod)}"
            c.store.mutate("PersistentVolumeClaim", meta.namespace(sts), claim, own)

    def _create_pod(self, c: Cluster, sts: Obj, ordinal: int, rev: Obj) -> Obj | None:
        ns, name = meta.namespace(sts), meta.name(sts)
        pod_name = f"{name}-{ordinal}"
        if c.store.get("Pod", ns, pod_name) is not None:
            self._waiting = True
            return None  # the previous incarnation is still terminating
        template = _revision_template(rev)
        spec = sts.get("spec") or {}
        # PVCs first (created once, kept afterwards).
        claims = []
        for vct in spec.get("volumeClaimTemplates") or []:
            tname = dig(vct, "metadata", "name")
            claim = f"{tname}-{pod_name}"
            claims.append((tname, claim))
            if c.store.get("PersistentVolumeClaim", ns, claim) is not None:
                continue
            labels = dict(dig(vct, "metadata", "labels") or {})
            labels.update(dig(spec, "selector", "matchLabels") or {})
            pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                   "metadata": {"name": claim, "namespace": ns, "labels": labels},
                   "spec": deep_copy(vct.get("spec") or {})}
            if dig(spec, "persistentVolumeClaimRetentionPolicy", "whenDeleted") == "Delete":
                pvc["metadata"]["ownerReferences"] = [_plain_ref(sts)]
            if dig(vct, "metadata", "annotations"):
                pvc["metadata"]["annotations"] = dict(vct["metadata"]["annotations"])
            try:
                c.create(pvc)
            except ApiError as e:
                c.record_event(sts, "Warning", "FailedCreate",
                               f"create Claim {claim} for Pod {pod_name} in StatefulSet {name} failed error: {e.message}", COMPONENT)
                self._waiting = True
                return None
            c.record_event(sts, "Normal", "SuccessfulCreate",
                           f"create Claim {claim} Pod {pod_name} in StatefulSet {name} success", COMPONENT)
        extra = {pt.CONTROLLER_REVISION_HASH: meta.name(rev), POD_NAME_LABEL: pod_name, POD_INDEX_LABEL: str(ordinal)}
        pod = pt.pod_from_template(sts, template, name=pod_name, extra_labels=extra)
        pspec = pod["spec"]
        pspec["hostname"] = pod_name
        if spec.get("serviceName"):
            pspec["subdomain"] = spec["serviceName"]
        if claims:
            vols = [v for v in pspec.get("volumes") or [] if v.get("name") not in {t for t, _ in claims}]
            vols += [{"name": t, "persistentVolumeClaim": {"claimName": cl}} for t, cl in claims]
            pspec["volumes"] = vols
        created, _ = pt.create_pod(c, sts, pod, COMPONENT, random_name=False,
                                   event_message=f"create Pod {pod_name} in StatefulSet {name} successful")
        if created is None:
            self._waiting = True
        return created

    def _update_status(self, c: Cluster, sts: Obj, current: Obj, update: Obj) -> None:
        ns, name = meta.namespace(sts), meta.name(sts)
        sts = c.store.get("StatefulSet", ns, name) or sts
        spec = sts.get("spec") or {}
        min_ready = int(spec.get("minReadySeconds", 0) or 0)
        now = c.now()
        pods = pt.owned(c, "Pod", sts)
        replicas = ready = available = cur = upd = 0
        for p in pods:
            replicas += 1
            if pt.is_running_and_ready(p):
                ready += 1
                if pt.is_available(p, min_ready, now):
                    available += 1
                elif min_ready:  # count it, and let the next ordinal or update go, when it is
                    at = pt.available_at(p, min_ready)
                    if at is not None:
                        c.wake_at(at)
            if not meta.is_deleting(p):
                rev = meta.labels(p).get(pt.CONTROLLER_REVISION_HASH)
                if rev == meta.name(current):
                    cur += 1
                if rev == meta.name(update):
                    upd += 1
        current_name = meta.name(current)
        want = int(spec.get("replicas", 1) or 0)
        if dig(spec, "updateStrategy", "type") == "RollingUpdate" and upd == want and ready == want and replicas == want:
            current_name, cur = meta.name(update), upd
        status: Obj = {"observedGeneration": sts["metadata"].get("generation", 1), "replicas": replicas,
                       "readyReplicas": ready, "currentReplicas": cur, "updatedReplicas": upd,
                       "currentRevision": current_name, "updateRevision": meta.name(update),
                       "collisionCount": int(dig(sts, "status", "collisionCount", default=0)),
                       "availableReplicas": available}
        for k in ("readyReplicas", "currentReplicas", "updatedReplicas"):
            if not status[k]:
                status.pop(k)
        c.store.write_status("StatefulSet", ns, name, status)
