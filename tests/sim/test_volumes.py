"""PersistentVolumes / PersistentVolumeClaims: binding, provisioning, reclaim, protection."""

import pytest

from k9py.kube.status import ApiError
from k9py.sim.cluster import Cluster
from tests.sim.helpers import events_for, make_cluster, pod_manifest


def pv(name, size="1Gi", *, cls="manual", modes=("ReadWriteOnce",), reclaim=None, labels=None, claim_ref=None,
       path=None, source=None):
    spec = {"capacity": {"storage": size}, "accessModes": list(modes), "storageClassName": cls}
    if source is not None:
        spec.update(source)
    else:
        spec["hostPath"] = {"path": path or f"/tmp/{name}"}
    if reclaim:
        spec["persistentVolumeReclaimPolicy"] = reclaim
    if claim_ref:
        spec["claimRef"] = claim_ref
    md = {"name": name}
    if labels:
        md["labels"] = labels
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": md, "spec": spec}


_UNSET = object()


def pvc(name, size="1Gi", *, cls=_UNSET, modes=("ReadWriteOnce",), ns="default", volume_name=None, selector=None):
    spec = {"accessModes": list(modes), "resources": {"requests": {"storage": size}}}
    if cls is not _UNSET:
        spec["storageClassName"] = cls
    if volume_name:
        spec["volumeName"] = volume_name
    if selector:
        spec["selector"] = selector
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name, "namespace": ns},
            "spec": spec}


def get_pv(c, name):
    return c.store.get("PersistentVolume", None, name)


def get_pvc(c, name, ns="default"):
    return c.store.get("PersistentVolumeClaim", ns, name)


def test_default_storage_class_is_bootstrapped():
    c = Cluster(seed=0)
    sc = c.get("StorageClass", None, "standard")
    assert sc["provisioner"] == "k8s.io/minikube-hostpath"
    assert sc["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert sc["reclaimPolicy"] == "Delete" and sc["volumeBindingMode"] == "Immediate"


def test_admission_defaults_and_validation():
    c = Cluster(seed=0)
    v = c.create(pv("v1"))
    assert v["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert v["spec"]["volumeMode"] == "Filesystem"
    assert v["metadata"]["finalizers"] == ["kubernetes.io/pv-protection"]
    assert v["spec"]["hostPath"] == {"path": "/tmp/v1", "type": ""}  # SetDefaults_HostPathVolumeSource
    claim = c.create(pvc("c1"))
    assert claim["spec"]["storageClassName"] == "standard"  # DefaultStorageClass admission
    assert claim["spec"]["volumeMode"] == "Filesystem"
    assert claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    assert claim["status"]["phase"] == "Pending"
    with pytest.raises(ApiError) as e:
        c.create(pvc("bad", modes=()))
    assert e.value.code == 422
    assert e.value.message == ('PersistentVolumeClaim "bad" is invalid: spec.accessModes: Required value: '
                               'at least 1 access mode is required')
    with pytest.raises(ApiError) as e:
        c.create({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "nosrc"},
                  "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"]}})
    assert "spec: Required value: must specify a volume type" in e.value.message


def test_static_binding_picks_the_smallest_matching_volume():
    c = Cluster(seed=0)
    c.create(pv("big", "5Gi"))
    c.create(pv("small", "1Gi"))
    c.create(pv("mid", "2Gi"))
    c.create(pv("rwx", "2Gi", modes=("ReadWriteOnce", "ReadWriteMany")))
    c.create(pv("other-class", "2Gi", cls="fast"))
    c.settle()
    assert {get_pv(c, n)["status"]["phase"] for n in ("big", "small", "mid")} == {"Available"}
    claim = c.create(pvc("data", "1500Mi", cls="manual"))
    c.settle()
    claim = get_pvc(c, "data")
    assert claim["status"]["phase"] == "Bound"
    assert claim["spec"]["volumeName"] == "mid"
    assert claim["status"]["capacity"] == {"storage": "2Gi"}
    assert claim["status"]["accessModes"] == ["ReadWriteOnce"]
    ann = claim["metadata"]["annotations"]
    assert ann["pv.kubernetes.io/bind-completed"] == "yes"
    assert ann["pv.kubernetes.io/bound-by-controller"] == "yes"
    vol = get_pv(c, "mid")
    assert vol["status"]["phase"] == "Bound"
    assert vol["spec"]["claimRef"]["name"] == "data" and vol["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]
    assert vol["spec"]["claimRef"]["kind"] == "PersistentVolumeClaim"
    assert vol["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] == "yes"
    # a RWX claim only fits the volume that offers RWX
    c.create(pvc("shared", "1Gi", cls="manual", modes=("ReadWriteMany",)))
    c.settle()
    assert get_pvc(c, "shared")["spec"]["volumeName"] == "rwx"


def test_selector_and_prebinding():
    c = Cluster(seed=0)
    c.create(pv("plain", "1Gi"))
    c.create(pv("fast", "3Gi", labels={"tier": "fast"}))
    c.create(pv("reserved", "1Gi", claim_ref={"namespace": "default", "name": "mine"}))
    c.create(pv("named", "10Gi"))
    c.create(pvc("sel", "1Gi", cls="manual", selector={"matchLabels": {"tier": "fast"}}))
    c.create(pvc("byname", "1Gi", cls="manual", volume_name="named"))
    c.create(pvc("mine", "1Gi", cls="manual"))
    c.create(pvc("other", "1Gi", cls="manual"))
    c.settle()
    assert get_pvc(c, "sel")["spec"]["volumeName"] == "fast"
    byname = get_pvc(c, "byname")
    assert byname["status"]["phase"] == "Bound" and byname["spec"]["volumeName"] == "named"
    assert "pv.kubernetes.io/bound-by-controller" not in byname["metadata"]["annotations"]
    assert get_pvc(c, "mine")["spec"]["volumeName"] == "reserved"
    assert get_pv(c, "reserved")["spec"]["claimRef"]["uid"] == get_pvc(c, "mine")["metadata"]["uid"]
    assert "pv.kubernetes.io/bound-by-controller" not in get_pv(c, "reserved")["metadata"].get("annotations", {})
    assert get_pvc(c, "other")["spec"]["volumeName"] == "plain"


def test_requested_volume_problems_are_reported():
    c = Cluster(seed=0)
    c.create(pv("tiny", "1Gi"))
    c.create(pvc("greedy", "5Gi", cls="manual", volume_name="tiny"))
    c.settle()
    claim = get_pvc(c, "greedy")
    assert claim["status"]["phase"] == "Pending"
    assert ("VolumeMismatch", 'Cannot bind to requested volume "tiny": requested PV is too small') in events_for(c, claim)


def test_no_class_and_no_volume_waits_then_binds_when_one_appears():
    c = Cluster(seed=0)
    claim = c.create(pvc("data", cls=""))
    c.settle()
    c.advance(30)
    claim = get_pvc(c, "data")
    assert claim["status"]["phase"] == "Pending"
    evs = [e for e in c.events.for_object(claim)]
    assert [(e["type"], e["reason"], e["message"], e["source"]["component"]) for e in evs] == [
        ("Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set",
         "persistentvolume-controller")]
    # re-reported at every 15 s resync, as "(x3 over 30s)"
    assert evs[0]["count"] == 3
    assert evs[0]["firstTimestamp"] == "2026-11-01T09:00:00Z" and evs[0]["lastTimestamp"] == "2026-11-01T09:00:30Z"
    c.create(pv("late", "1Gi", cls=""))
    c.settle()
    assert get_pvc(c, "data")["status"]["phase"] == "Bound"


def test_unknown_class_fails_provisioning():
    c = Cluster(seed=0)
    claim = c.create(pvc("data", cls="manual"))
    c.settle()
    assert get_pvc(c, "data")["status"]["phase"] == "Pending"
    assert events_for(c, claim) == [("ProvisioningFailed", 'storageclass.storage.k8s.io "manual" not found')]


def test_dynamic_provisioning_with_the_default_class():
    c = Cluster(seed=0)
    claim = c.create(pvc("notebook", "10Gi", ns="default"))
    c.settle()
    claim = get_pvc(c, "notebook")
    uid = claim["metadata"]["uid"]
    assert claim["status"]["phase"] == "Bound"
    assert claim["spec"]["volumeName"] == f"pvc-{uid}"
    ann = claim["metadata"]["annotations"]
    assert ann["volume.kubernetes.io/storage-provisioner"] == "k8s.io/minikube-hostpath"
    assert ann["volume.beta.kubernetes.io/storage-provisioner"] == "k8s.io/minikube-hostpath"
    vol = get_pv(c, f"pvc-{uid}")
    assert vol["spec"]["hostPath"] == {"path": "/tmp/hostpath-provisioner/default/notebook", "type": ""}
    assert vol["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert vol["spec"]["storageClassName"] == "standard"
    assert vol["spec"]["capacity"] == {"storage": "10Gi"}
    assert vol["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == "k8s.io/minikube-hostpath"
    assert vol["status"]["phase"] == "Bound"
    reasons = sorted(r for r, _ in events_for(c, claim))
    assert reasons == ["ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"]
    msgs = dict(events_for(c, claim))
    assert msgs["Provisioning"] == 'External provisioner is provisioning volume for claim "default/notebook"'
    assert msgs["ProvisioningSucceeded"] == f"Successfully provisioned volume pvc-{uid}"
    prov = next(e for e in c.events.for_object(claim) if e["reason"] == "Provisioning")
    assert prov["source"]["component"].startswith("k8s.io/minikube-hostpath_minikube_")
    # deleting the claim deletes the provisioned volume shortly after (reclaim Delete)
    c.delete("PersistentVolumeClaim", "default", "notebook")
    c.settle()
    assert get_pv(c, f"pvc-{uid}")["status"]["phase"] == "Released"
    c.advance(5)
    assert get_pv(c, f"pvc-{uid}") is None


def test_wait_for_first_consumer():
    c = make_cluster(nodes=2)
    c.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local"},
              "provisioner": "k8s.io/minikube-hostpath", "volumeBindingMode": "WaitForFirstConsumer"})
    claim = c.create(pvc("data", cls="local"))
    c.advance(10)
    claim = get_pvc(c, "data")
    assert claim["status"]["phase"] == "Pending"
    assert events_for(c, claim) == [("WaitForFirstConsumer", "waiting for first consumer to be created before binding")]
    pod = pod_manifest("user", volumes=[{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}])
    c.create(pod)
    c.advance(10)
    claim = get_pvc(c, "data")
    node = c.store.get("Pod", "default", "user")["spec"]["nodeName"]
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] == node
    assert claim["status"]["phase"] == "Bound"


def test_retain_releases_and_keeps_the_claim_ref():
    c = Cluster(seed=0)
    c.create(pv("keep", "1Gi", reclaim="Retain"))
    c.create(pvc("data", cls="manual"))
    c.settle()
    old_uid = get_pvc(c, "data")["metadata"]["uid"]
    c.delete("PersistentVolumeClaim", "default", "data")
    c.advance(60)
    vol = get_pv(c, "keep")
    assert vol["status"]["phase"] == "Released"
    assert vol["spec"]["claimRef"]["uid"] == old_uid
    # a new claim with the same name does not get the old data
    c.create(pvc("data", cls="manual"))
    c.settle()
    assert get_pvc(c, "data")["status"]["phase"] == "Pending"
    assert get_pv(c, "keep")["status"]["phase"] == "Released"


def test_delete_and_recycle_reclaim():
    c = Cluster(seed=0)
    c.create(pv("gone", "1Gi", reclaim="Delete", path="/tmp/k8s-pv"))
    c.create(pv("stuck", "1Gi", reclaim="Delete", path="/data/stuck", cls="b"))
    c.create(pv("recycled", "1Gi", reclaim="Recycle", cls="c"))
    c.create(pv("norecycler", "1Gi", reclaim="Recycle", cls="d",
                source={"csi": {"driver": "x.csi.example.com", "volumeHandle": "h"}}))
    for name, cls in (("a", "manual"), ("b", "b"), ("c", "c"), ("d", "d")):
        c.create(pvc(name, cls=cls))
    c.settle()
    assert all(get_pvc(c, n)["status"]["phase"] == "Bound" for n in "abcd")
    for n in "abcd":
        c.delete("PersistentVolumeClaim", "default", n)
    c.settle()
    assert get_pv(c, "gone")["status"]["phase"] == "Released"
    c.advance(5)
    assert get_pv(c, "gone") is None
    stuck = get_pv(c, "stuck")
    assert stuck["status"]["phase"] == "Failed"
    assert stuck["status"]["message"] == "host_path deleter only supports /tmp/.+ but received provided /data/stuck"
    assert ("VolumeFailedDelete", stuck["status"]["message"]) in events_for(c, stuck)
    rec = get_pv(c, "recycled")
    assert rec["status"]["phase"] == "Available" and "claimRef" not in rec["spec"]
    assert ("VolumeRecycled", "Volume recycled") in events_for(c, rec)
    assert get_pv(c, "norecycler")["status"]["phase"] == "Failed"


def test_pvc_protection_keeps_a_claim_in_use_until_its_pod_is_gone():
    c = make_cluster(nodes=1)
    c.create(pv("vol", "1Gi", reclaim="Retain"))
    c.create(pvc("data", cls="manual"))
    c.create(pod_manifest("user", volumes=[{"name": "d", "persistentVolumeClaim": {"claimName": "data"}}]))
    c.advance(20)
    assert c.store.get("Pod", "default", "user")["status"]["phase"] == "Running"
    c.delete("PersistentVolumeClaim", "default", "data")
    c.advance(30)
    claim = get_pvc(c, "data")
    assert claim is not None and claim["metadata"].get("deletionTimestamp")
    assert claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]
    assert get_pv(c, "vol")["status"]["phase"] == "Bound"
    c.delete("Pod", "default", "user")
    c.advance(60)
    assert c.store.get("Pod", "default", "user") is None
    assert get_pvc(c, "data") is None
    assert get_pv(c, "vol")["status"]["phase"] == "Released"


def test_pv_protection_keeps_a_bound_volume():
    c = Cluster(seed=0)
    c.create(pv("vol", "1Gi"))
    c.create(pvc("data", cls="manual"))
    c.settle()
    c.delete("PersistentVolume", None, "vol")
    c.settle()
    assert get_pv(c, "vol") is not None
    c.delete("PersistentVolumeClaim", "default", "data")
    c.settle()
    assert get_pv(c, "vol") is None


def test_malformed_claims_are_rejected_not_crashing():
    c = Cluster(seed=0)
    with pytest.raises(ApiError) as e:
        c.create(pvc("bad", modes=("RWO",)))
    assert e.value.message == ('PersistentVolumeClaim "bad" is invalid: spec.accessModes: Unsupported value: "RWO": '
                               'supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"')
    with pytest.raises(ApiError) as e:
        c.create(pvc("bad", size="lots"))
    assert e.value.code == 422 and "quantities must match the regular expression" in e.value.message
    with pytest.raises(ApiError) as e:
        c.create(dict(pv("bad"), spec={**pv("bad")["spec"], "claimRef": "someone"}))
    assert e.value.code == 422
    c.settle()


PREEMPT_1 = " preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."


def _claim_user(name, claim):
    return pod_manifest(name, volumes=[{"name": "d", "persistentVolumeClaim": {"claimName": claim}}])


def _failed_scheduling(c, pod):
    return [m for r, m in events_for(c, pod) if r == "FailedScheduling"]


def test_a_pod_whose_claim_is_missing_stays_pending_until_it_exists():
    c = make_cluster(nodes=1)
    c.create(_claim_user("user", "nosuchclaim"))
    c.advance(30)
    pod = c.store.get("Pod", "default", "user")
    msg = '0/1 nodes are available: persistentvolumeclaim "nosuchclaim" not found.' + PREEMPT_1
    assert pod["status"]["phase"] == "Pending" and not pod["spec"].get("nodeName")
    cond = next(x for x in pod["status"]["conditions"] if x["type"] == "PodScheduled")
    assert (cond["status"], cond["reason"], cond["message"]) == ("False", "Unschedulable", msg)
    assert _failed_scheduling(c, pod) == [msg]
    c.create(pvc("nosuchclaim"))  # the default class provisions and binds it: the scheduler tries again
    c.advance(5)
    pod = c.store.get("Pod", "default", "user")
    assert pod["spec"]["nodeName"] == "minikube" and pod["status"]["phase"] == "Running"


def test_a_pod_whose_immediate_claim_is_unbound_waits_for_the_binding():
    c = make_cluster(nodes=1)
    c.create(pvc("data", cls="manual"))  # no class "manual", no volume: stays Pending
    c.create(_claim_user("user", "data"))
    c.advance(30)
    pod = c.store.get("Pod", "default", "user")
    assert pod["status"]["phase"] == "Pending" and not pod["spec"].get("nodeName")
    assert _failed_scheduling(c, pod) == [
        "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims." + PREEMPT_1]
    assert not any(r == "Scheduled" for r, _ in events_for(c, pod))
    c.create(pv("vol", "1Gi"))
    c.advance(5)
    assert get_pvc(c, "data")["status"]["phase"] == "Bound"
    pod = c.store.get("Pod", "default", "user")
    assert pod["spec"]["nodeName"] == "minikube" and pod["status"]["phase"] == "Running"


def test_a_claim_being_deleted_keeps_a_new_pod_pending():
    c = make_cluster(nodes=1)
    c.create(pv("vol", "1Gi", reclaim="Retain"))
    c.create(pvc("data", cls="manual"))
    c.create(_claim_user("first", "data"))
    c.advance(10)
    c.delete("PersistentVolumeClaim", "default", "data")  # kept by pvc-protection while "first" runs
    c.create(_claim_user("second", "data"))
    c.advance(10)
    pod = c.store.get("Pod", "default", "second")
    assert _failed_scheduling(c, pod) == [
        '0/1 nodes are available: persistentvolumeclaim "data" is being deleted.' + PREEMPT_1]


def _edited(c, name, edit):
    claim = get_pvc(c, name)
    claim = {**claim, "spec": {**claim["spec"], **edit}}
    return c.replace(claim)


def test_a_claims_spec_is_immutable_but_for_its_bound_request_with_the_apiservers_diff():
    c = Cluster(seed=0)
    c.create(pvc("waiting", "1Gi", cls="manual"))  # no volume: Pending
    c.settle()
    with pytest.raises(ApiError) as e:
        _edited(c, "waiting", {"storageClassName": "standard"})  # the learner's fix of a Pending claim
    assert e.value.code == 422
    assert e.value.message == (
        'PersistentVolumeClaim "waiting" is invalid: spec: Forbidden: spec is immutable after creation except '
        "resources.requests and volumeAttributesClassName for bound claims\n"
        "@@ -10,7 +10,7 @@\n"
        "   }\n"
        "  },\n"
        '  "VolumeName": "",\n'
        '- "StorageClassName": "manual",\n'
        '+ "StorageClassName": "standard",\n'
        '  "VolumeMode": "Filesystem",\n'
        '  "DataSource": null,\n'
        '  "DataSourceRef": null,\n')
    with pytest.raises(ApiError) as e:
        _edited(c, "waiting", {"accessModes": ["ReadWriteMany"]})
    assert "\n@@ -1,6 +1,6 @@\n {\n  \"AccessModes\": [\n-  \"ReadWriteOnce\"\n+  \"ReadWriteMany\"\n  ],\n" in e.value.message
    c.create(pv("vol", "2Gi"))
    c.settle()
    assert get_pvc(c, "waiting")["status"]["phase"] == "Bound"  # binding may set volumeName once
    with pytest.raises(ApiError) as e:
        _edited(c, "waiting", {"resources": {"requests": {"storage": "500Mi"}}})
    assert e.value.message.endswith("spec.resources.requests.storage: Forbidden: field can not be less than status.capacity")
    with pytest.raises(ApiError) as e:  # a larger request: the resize admission plugin
        _edited(c, "waiting", {"resources": {"requests": {"storage": "3Gi"}}})
    assert (e.value.code, e.value.message) == (403, 'persistentvolumeclaims "waiting" is forbidden: only dynamically provisioned '
                                                    "pvc can be resized and the storageclass that provisions the pvc must support resize")
    with pytest.raises(ApiError) as e:
        _edited(c, "waiting", {"volumeMode": "Block"})
    assert [cause["field"] for cause in e.value.causes] == ["spec", "volumeMode"]
    assert e.value.causes[1]["message"] == 'Invalid value: "Block": field is immutable'
    claim = get_pvc(c, "waiting")
    c.replace({**claim, "metadata": {**claim["metadata"], "labels": {"team": "a"}}})  # metadata stays editable
    assert get_pvc(c, "waiting")["metadata"]["labels"] == {"team": "a"}


def test_a_claim_with_no_class_may_be_given_one_and_equal_quantities_are_no_change():
    # RetroactiveDefaultStorageClass: a claim made while no class was default has none, and may
    # be given one (validateStorageClassUpgradeFromNil); 1Gi and 1024Mi are the same request
    c = Cluster(seed=0)
    c.delete("StorageClass", None, "standard")
    c.settle()
    c.create(pvc("bare", "1Gi"))
    c.settle()
    assert get_pvc(c, "bare")["spec"].get("storageClassName") is None
    _edited(c, "bare", {"resources": {"requests": {"storage": "1024Mi"}}})  # Semantic.DeepEqual: no change
    c.create(pv("vol", "2Gi", cls="manual"))
    _edited(c, "bare", {"storageClassName": "manual"})
    c.settle()
    claim = get_pvc(c, "bare")
    assert (claim["spec"]["storageClassName"], claim["status"]["phase"]) == ("manual", "Bound")
    with pytest.raises(ApiError) as e:  # once given, it stays
        _edited(c, "bare", {"storageClassName": "other"})
    assert '- "StorageClassName": "manual",\n+ "StorageClassName": "other",\n' in e.value.message


def test_a_claim_of_a_beta_annotated_class_may_be_given_only_that_class():
    c = Cluster(seed=0)
    c.delete("StorageClass", None, "standard")
    c.settle()
    claim = pvc("old", "1Gi")
    claim["metadata"]["annotations"] = {"volume.beta.kubernetes.io/storage-class": "slow"}
    c.create(claim)
    with pytest.raises(ApiError):
        _edited(c, "old", {"storageClassName": "fast"})
    _edited(c, "old", {"storageClassName": "slow"})
    assert get_pvc(c, "old")["spec"]["storageClassName"] == "slow"


def test_the_diff_shows_quantities_canonical_and_keys_sorted():
    c = Cluster(seed=0)
    claim = pvc("sized", "1024Mi", cls="manual")
    claim["spec"]["resources"]["limits"] = {"storage": "2048Mi"}
    c.create(claim)
    with pytest.raises(ApiError) as e:
        _edited(c, "sized", {"storageClassName": "standard", "resources": {"requests": {"storage": "1Gi", "a": "1000"},
                                                                          "limits": {"storage": "2Gi"}}})
    assert ('    "storage": "2Gi"\n   },\n   "Requests": {\n+   "a": "1k",\n    "storage": "1Gi"\n   }\n  },\n'
            '  "VolumeName": "",\n- "StorageClassName": "manual",\n+ "StorageClassName": "standard",\n') in e.value.message
