"""Deployment controller: ReplicaSets per template, rollouts, history, status, events."""

from __future__ import annotations

from typing import Any

import pytest

from k9py.kube import meta
from k9py.kube.meta import deep_copy, dig
from k9py.kube.status import ApiError
from k9py.sim.cluster import Cluster
from tests.sim.test_replicaset import fake_cluster, pods_of

Obj = dict[str, Any]
HASH_CHARS = set("bcdfghjklmnpqrstvwxz2456789")


def nginx(name: str = "nginx-deployment", replicas: int = 3, **spec: Any) -> Obj:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "labels": {"app": "nginx"}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "nginx"}},
                     "template": {"metadata": {"labels": {"app": "nginx"}},
                                  "spec": {"containers": [{"name": "nginx", "image": "nginx:1.14.2",
                                                           "ports": [{"containerPort": 80}]}]}},
                     **spec}}


def deploy(c: Cluster, name: str = "nginx-deployment") -> Obj:
    return c.get("Deployment", "default", name)


def rs_list(c: Cluster, d: Obj) -> list[Obj]:
    uid = meta.uid(d)
    return [rs for rs in c.store.list("ReplicaSet") if (meta.controller_ref(rs) or {}).get("uid") == uid]


def edit_template(c: Cluster, name: str, fn) -> None:
    d = deep_copy(deploy(c, name))
    fn(d["spec"]["template"])
    c.replace(d)


def set_image(c: Cluster, name: str, image: str) -> None:
    edit_template(c, name, lambda t: t["spec"]["containers"][0].__setitem__("image", image))


def cond(d: Obj, type_: str) -> Obj:
    return next(x for x in d["status"]["conditions"] if x["type"] == type_)


def messages(c: Cluster, obj: Obj, reason: str) -> list[str]:
    return [e["message"] for e in c.events.for_object(obj) if e["reason"] == reason]


def test_creates_hashed_replicaset_and_reports_available():
    c = fake_cluster()
    c.create(nginx())
    c.settle()
    d = deploy(c)
    [rs] = rs_list(c, d)
    h = rs["metadata"]["labels"]["pod-template-hash"]
    assert meta.name(rs) == f"nginx-deployment-{h}" and 9 <= len(h) <= 10 and set(h) <= HASH_CHARS
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "nginx", "pod-template-hash": h}
    ann = meta.annotations(rs)
    assert ann["deployment.kubernetes.io/revision"] == "1"
    assert ann["deployment.kubernetes.io/desired-replicas"] == "3"
    assert ann["deployment.kubernetes.io/max-replicas"] == "4"
    assert meta.annotations(d)["deployment.kubernetes.io/revision"] == "1"
    pods = pods_of(c, rs)
    assert len(pods) == 3 and all(meta.labels(p)["pod-template-hash"] == h for p in pods)
    assert messages(c, d, "ScalingReplicaSet") == [f"Scaled up replica set {meta.name(rs)} from 0 to 3"]
    assert c.events.for_object(d)[0]["source"]["component"] == "deployment-controller"
    c.advance(5)
    d = deploy(c)
    st = d["status"]
    assert (st["replicas"], st["updatedReplicas"], st["readyReplicas"], st["availableReplicas"]) == (3, 3, 3, 3)
    assert "unavailableReplicas" not in st and st["observedGeneration"] == 1
    assert [x["type"] for x in st["conditions"]] == ["Available", "Progressing"]
    assert cond(d, "Available")["reason"] == "MinimumReplicasAvailable"
    assert cond(d, "Available")["message"] == "Deployment has minimum availability."
    p = cond(d, "Progressing")
    assert (p["status"], p["reason"]) == ("True", "NewReplicaSetAvailable")
    assert p["message"] == f'ReplicaSet "{meta.name(rs)}" has successfully progressed.'


def test_same_template_same_hash_across_clusters():
    names = []
    for seed in (1, 2):
        c = Cluster(seed=seed)
        c.create(nginx())
        c.settle()
        names.append(meta.name(rs_list(c, deploy(c))[0]))
    assert names[0] == names[1]


def test_self_healing_after_pod_delete():
    c = fake_cluster()
    c.create(nginx())
    c.advance(5)
    [rs] = rs_list(c, deploy(c))
    victim = meta.name(pods_of(c, rs)[0])
    c.delete("Pod", "default", victim)
    c.advance(40)
    pods = pods_of(c, rs)
    assert len(pods) == 3 and victim not in {meta.name(p) for p in pods}
    assert all(p["status"]["phase"] == "Running" for p in pods)
    assert deploy(c)["status"]["availableReplicas"] == 3


def test_scale_up_and_down():
    c = fake_cluster()
    c.create(nginx())
    c.advance(5)
    d = deep_copy(deploy(c))
    d["spec"]["replicas"] = 5
    c.replace(d)
    c.advance(5)
    [rs] = rs_list(c, deploy(c))
    assert len(pods_of(c, rs)) == 5 and deploy(c)["status"]["availableReplicas"] == 5
    assert f"Scaled up replica set {meta.name(rs)} from 3 to 5" in messages(c, deploy(c), "ScalingReplicaSet")
    assert meta.annotations(c.get("ReplicaSet", "default", meta.name(rs)))["deployment.kubernetes.io/desired-replicas"] == "5"
    d = deep_copy(deploy(c))
    d["spec"]["replicas"] = 1
    c.replace(d)
    c.advance(40)
    assert len(pods_of(c, rs)) == 1
    assert f"Scaled down replica set {meta.name(rs)} from 5 to 1" in messages(c, deploy(c), "ScalingReplicaSet")


def _check_rollout_invariants(c: Cluster, replicas: int, max_unavailable: int, max_surge: int) -> None:
    d = deploy(c)
    rss = rs_list(c, d)
    available = sum(dig(rs, "status", "availableReplicas", default=0) for rs in rss)
    assert available >= replicas - max_unavailable
    assert sum(rs["spec"]["replicas"] for rs in rss) <= replicas + max_surge
    ready_pods = [p for rs in rss for p in pods_of(c, rs)
                  if any(x["type"] == "Ready" and x["status"] == "True" for x in dig(p, "status", "conditions", default=[]))]
    assert len(ready_pods) >= replicas - max_unavailable


@pytest.mark.parametrize("replicas,surge,unavailable,eff_surge,eff_unavail", [
    (4, "25%", "25%", 1, 1),
    (10, "30%", "30%", 3, 3),
    (3, 0, 1, 0, 1),
    (3, 1, 0, 1, 0),
])
def test_rolling_update_keeps_availability_at_every_step(replicas, surge, unavailable, eff_surge, eff_unavail):
    c = fake_cluster()
    c.create(nginx(replicas=replicas, strategy={"type": "RollingUpdate",
                                                 "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}))
    c.advance(5)
    [old] = rs_list(c, deploy(c))
    set_image(c, "nginx-deployment", "nginx:1.16.1")
    for _ in range(80):
        c.advance(1)
        _check_rollout_invariants(c, replicas, eff_unavail, eff_surge)
    d = deploy(c)
    rss = {meta.name(rs): rs for rs in rs_list(c, d)}
    assert len(rss) == 2
    new = next(rs for n, rs in rss.items() if n != meta.name(old))
    assert rss[meta.name(old)]["spec"]["replicas"] == 0  # kept in history
    assert new["spec"]["replicas"] == replicas
    assert meta.annotations(new)["deployment.kubernetes.io/revision"] == "2"
    assert all(p["spec"]["containers"][0]["image"] == "nginx:1.16.1" for p in pods_of(c, new))
    assert not pods_of(c, rss[meta.name(old)])
    assert d["status"]["updatedReplicas"] == replicas and d["status"]["availableReplicas"] == replicas
    assert cond(d, "Progressing")["reason"] == "NewReplicaSetAvailable"
    assert any(m.startswith(f"Scaled down replica set {meta.name(old)} from ") for m in messages(c, d, "ScalingReplicaSet"))


def test_rollout_restart_creates_new_replicaset():
    c = fake_cluster()
    c.create(nginx())
    c.advance(5)
    edit_template(c, "nginx-deployment", lambda t: t["metadata"].setdefault("annotations", {}).__setitem__(
        "kubectl.kubernetes.io/restartedAt", "2026-11-01T09:00:05Z"))
    c.advance(60)
    rss = rs_list(c, deploy(c))
    assert len(rss) == 2
    new = max(rss, key=lambda r: int(meta.annotations(r)["deployment.kubernetes.io/revision"]))
    assert new["spec"]["replicas"] == 3 and len(pods_of(c, new)) == 3
    assert all(meta.annotations(p)["kubectl.kubernetes.io/restartedAt"] == "2026-11-01T09:00:05Z" for p in pods_of(c, new))


def test_bad_image_stalls_times_out_and_undo_recovers():
    c = fake_cluster()
    c.create(nginx())
    c.advance(5)
    [good] = rs_list(c, deploy(c))
    good_template = deep_copy(good["spec"]["template"])
    set_image(c, "nginx-deployment", "nginx:doesnotexist")
    c.advance(30)
    d = deploy(c)
    assert d["status"]["availableReplicas"] == 3  # maxUnavailable 0 for 3 replicas: nothing torn down
    assert d["status"]["updatedReplicas"] == 1 and d["status"]["unavailableReplicas"] == 1
    assert cond(d, "Progressing")["reason"] == "ReplicaSetUpdated"
    c.advance(600)
    d = deploy(c)
    p = cond(d, "Progressing")
    bad = next(rs for rs in rs_list(c, d) if meta.name(rs) != meta.name(good))
    assert (p["status"], p["reason"]) == ("False", "ProgressDeadlineExceeded")
    assert p["message"] == f'ReplicaSet "{meta.name(bad)}" has timed out progressing.'
    # kubectl rollout undo: the template of revision 1 is patched back (without the hash label)
    del good_template["metadata"]["labels"]["pod-template-hash"]
    dd = deep_copy(d)
    dd["spec"]["template"] = good_template
    c.replace(dd)
    c.advance(60)
    d = deploy(c)
    good = c.get("ReplicaSet", "default", meta.name(good))
    assert meta.annotations(good)["deployment.kubernetes.io/revision"] == "3"
    assert meta.annotations(good)["deployment.kubernetes.io/revision-history"] == "1"
    assert meta.annotations(d)["deployment.kubernetes.io/revision"] == "3"
    assert good["spec"]["replicas"] == 3 and c.get("ReplicaSet", "default", meta.name(bad))["spec"]["replicas"] == 0
    assert len(rs_list(c, d)) == 2
    p = cond(d, "Progressing")
    assert (p["status"], p["reason"]) == ("True", "NewReplicaSetAvailable")
    assert d["status"]["availableReplicas"] == 3 and "unavailableReplicas" not in d["status"]


def test_recreate_scales_old_to_zero_before_new_pods():
    c = fake_cluster()
    m = nginx(strategy={"type": "Recreate"})
    m["spec"]["template"]["spec"]["containers"] = [{"name": "app", "image": "busybox:1.28", "command": ["sleep", "3600"]}]
    c.create(m)
    c.advance(5)
    [old] = rs_list(c, deploy(c))
    set_image(c, "nginx-deployment", "busybox:1.36")  # sleep ignores SIGTERM: 30 s to terminate
    c.settle()
    assert len(rs_list(c, deploy(c))) == 1  # new RS waits for old pods to be gone
    assert c.get("ReplicaSet", "default", meta.name(old))["spec"]["replicas"] == 0
    c.advance(29)
    assert len(rs_list(c, deploy(c))) == 1  # old pods still terminating (30 s grace)
    c.advance(10)
    rss = rs_list(c, deploy(c))
    new = next(rs for rs in rss if meta.name(rs) != meta.name(old))
    assert new["spec"]["replicas"] == 3
    c.advance(10)
    assert deploy(c)["status"]["availableReplicas"] == 3
    assert messages(c, deploy(c), "ScalingReplicaSet")[-2:] == [
        f"Scaled down replica set {meta.name(old)} from 3 to 0", f"Scaled up replica set {meta.name(new)} from 0 to 3"]


def test_revision_history_limit_deletes_oldest_replicasets():
    c = fake_cluster()
    c.create(nginx(replicas=1, revisionHistoryLimit=2))
    c.advance(5)
    for i in range(5):
        set_image(c, "nginx-deployment", f"nginx:1.1{i}")
        c.advance(60)
    rss = rs_list(c, deploy(c))
    revs = sorted(int(meta.annotations(r)["deployment.kubernetes.io/revision"]) for r in rss)
    assert revs == [4, 5, 6]


def test_proportional_scaling_during_rollout():
    c = fake_cluster()
    c.create(nginx(replicas=10))
    c.advance(5)
    set_image(c, "nginx-deployment", "nginx:doesnotexist")  # stuck: 3 new (surge) + 8 old
    c.advance(5)
    d = deep_copy(deploy(c))
    before = {meta.name(r): r["spec"]["replicas"] for r in rs_list(c, d)}
    assert sorted(before.values()) == [5, 8]
    d["spec"]["replicas"] = 20
    c.replace(d)
    c.settle()
    after = {meta.name(r): r["spec"]["replicas"] for r in rs_list(c, deploy(c))}
    assert sum(after.values()) == 20 + 5  # maxSurge 25% of 20 = 5
    assert all(after[n] > before[n] for n in before)


def test_admission_defaults_and_errors():
    c = Cluster(seed=1)
    d = c.create(nginx())
    s = d["spec"]
    assert s["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert (s["revisionHistoryLimit"], s["progressDeadlineSeconds"]) == (10, 600)
    assert s["template"]["spec"]["terminationGracePeriodSeconds"] == 30
    m = nginx("noselector")
    del m["spec"]["selector"]
    with pytest.raises(ApiError) as e:
        c.create(m)
    assert e.value.code == 422
    assert e.value.message.endswith('is invalid: [spec.selector: Required value, spec.template.metadata.labels: '
                                    'Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`]')
    m = nginx("mismatch")
    m["spec"]["selector"] = {"matchLabels": {"app": "web"}}
    with pytest.raises(ApiError) as e:
        c.create(m)
    assert '`selector` does not match template `labels`' in e.value.message
    changed = deep_copy(deploy(c))
    changed["spec"]["selector"] = {"matchLabels": {"app": "nginx", "x": "y"}}
    changed["spec"]["template"]["metadata"]["labels"]["x"] = "y"
    with pytest.raises(ApiError) as e:
        c.replace(changed)
    assert "field is immutable" in e.value.message


def test_paused_deployment_scales_but_does_not_roll_out_until_resumed():
    c = fake_cluster()
    c.create(nginx())
    c.advance(5)
    d = deep_copy(deploy(c))
    d["spec"]["paused"] = True
    c.replace(d)
    c.settle()
    p = cond(deploy(c), "Progressing")
    assert (p["status"], p["reason"], p["message"]) == ("Unknown", "DeploymentPaused", "Deployment is paused")
    set_image(c, "nginx-deployment", "nginx:1.16.1")
    d = deep_copy(deploy(c))
    d["spec"]["replicas"] = 4
    c.replace(d)
    c.advance(10)
    [rs] = rs_list(c, deploy(c))
    assert rs["spec"]["replicas"] == 4 and rs["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.14.2"
    d = deep_copy(deploy(c))
    d["spec"]["paused"] = False
    c.replace(d)
    c.advance(60)
    rss = rs_list(c, deploy(c))
    assert len(rss) == 2
    new = next(r for r in rss if meta.name(r) != meta.name(rs))
    assert new["spec"]["replicas"] == 4 and deploy(c)["status"]["updatedReplicas"] == 4
    assert cond(deploy(c), "Progressing")["reason"] == "NewReplicaSetAvailable"


def test_kubectl_scale_to_five_all_running():
    c = fake_cluster()
    c.create(nginx())
    c.advance(10)
    d = deep_copy(deploy(c))
    d["spec"]["replicas"] = 5
    c.replace(d)
    c.advance(10)
    [rs] = rs_list(c, deploy(c))
    pods = pods_of(c, rs)
    assert len(pods) == 5 and all(p["status"]["phase"] == "Running" for p in pods)
    st = deploy(c)["status"]
    assert (st["replicas"], st["readyReplicas"], st["availableReplicas"], st["updatedReplicas"]) == (5, 5, 5, 5)


def test_same_seed_same_pod_names_and_events():
    def run() -> tuple[list[str], list[str]]:
        c = fake_cluster()
        c.create(nginx())
        c.advance(5)
        set_image(c, "nginx-deployment", "nginx:1.16.1")
        c.advance(60)
        return (sorted(meta.name(p) for p in c.store.list("Pod", "default")),
                [e["message"] for e in c.events.for_object(deploy(c))])
    assert run() == run()


def test_template_comparisons_are_remembered_by_identity_and_stay_right():
    from k9py.sim.controllers.deployment import _SyncState

    state = _SyncState()
    tpl = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "a", "image": "nginx:1"}]}}
    rs_tpl = deep_copy(tpl)
    rs_tpl["metadata"]["labels"]["pod-template-hash"] = "abc"
    assert state.same_template(rs_tpl, tpl) is True
    assert state.same_template(rs_tpl, tpl) is True and len(state.same_template) == 1
    changed = deep_copy(tpl)
    changed["spec"]["containers"][0]["image"] = "nginx:2"
    assert state.same_template(rs_tpl, changed) is False
    assert len(state.same_template) == 2


def test_template_hash_is_unchanged_and_leaves_the_template_alone():
    from k9py.sim.controllers import podtemplate as pt

    t = {"metadata": {"labels": {"app": "web", "pod-template-hash": "zzz"}},
         "spec": {"containers": [{"name": "a", "image": "nginx:1.27"}]}}
    before = deep_copy(t)
    assert (pt.template_hash(t), pt.template_hash(t, 2)) == ("669cb87ff4", "7566bc654d")
    assert pt.fnv32a(b"k9py") == 3629748806 and pt.compute_hash({"x": [1, "\u00e9"]}) == "f967444c7"
    assert t == before


@pytest.mark.source_build
def test_a_sync_that_wrote_only_its_deployment_runs_again_only_once_something_changes(monkeypatch):
    from k9py.sim.controllers.deployment import DeploymentController

    c = fake_cluster()
    c.create(nginx(progressDeadlineSeconds=60))
    c.advance(5)
    set_image(c, "nginx-deployment", "nginx:doesnotexist")
    c.advance(10)  # stalled: not settled, its progress deadline ahead
    [new] = [rs for rs in rs_list(c, deploy(c)) if dig(rs, "spec", "template", "spec", "containers", 0, "image") == "nginx:doesnotexist"]
    synced: list[str] = []
    sync = DeploymentController._sync
    monkeypatch.setattr(DeploymentController, "_sync", lambda self, cl, d, *a: (synced.append(meta.name(d)), sync(self, cl, d, *a))[1])

    def report_ready(n: int) -> None:
        c.store.rewrite("ReplicaSet", "default", meta.name(new),
                        lambda o: o["status"].__setitem__("readyReplicas", n), fields=("status",))

    ctl = DeploymentController()  # alone: the ReplicaSet controller would put its status right
    report_ready(1)
    ctl.reconcile(c)
    assert synced == ["nginx-deployment"] and deploy(c)["status"]["readyReplicas"] == 4
    ctl.reconcile(c)  # nothing changed but the status it wrote itself
    ctl.reconcile(c)  # nothing changed at all
    assert synced == ["nginx-deployment"]
    report_ready(0)
    ctl.reconcile(c)
    assert synced == ["nginx-deployment"] * 2 and deploy(c)["status"]["readyReplicas"] == 3
    c.advance(120)  # past the deadline: synced again, it times out
    p = cond(deploy(c), "Progressing")
    assert (p["status"], p["reason"]) == ("False", "ProgressDeadlineExceeded")


def _steps_with_and_without_the_steady_shortcut(monkeypatch, steps) -> tuple[list[str], list[str], int]:
    """Every stored object (JSON) after each of ``steps`` (functions of a cluster), once with the
    sync's steady-ReplicaSet shortcut and once with the whole sync every time; and how often the
    shortcut was taken."""
    import json

    from k9py.sim.controllers.deployment import DeploymentController

    steady = DeploymentController._steady_rs
    taken = [0]

    def counted(self, c, d, rss):
        rs = steady(self, c, d, rss)
        taken[0] += rs is not None
        return rs

    def run() -> list[str]:
        c = fake_cluster()
        out = []
        for step in steps:
            step(c)
            out.append(json.dumps([c.store.list(k) for k in sorted(c.store.kinds())], sort_keys=True, default=str))
        return out

    monkeypatch.setattr(DeploymentController, "_steady_rs", counted)
    shortcut = run()
    monkeypatch.setattr(DeploymentController, "_steady_rs", lambda self, c, d, rss: None)
    whole = run()
    return shortcut, whole, taken[0]


def _delete_a_pod(name: str):
    def step(c: Cluster) -> None:
        [rs, *_] = rs_list(c, deploy(c, name))
        pod = sorted(pods_of(c, rs), key=meta.name)[0]
        c.delete("Pod", "default", meta.name(pod))
        c.advance(5)
    return step


def _edit(name: str, fn, seconds: float = 5):
    def step(c: Cluster) -> None:
        d = deep_copy(deploy(c, name))
        fn(d)
        c.replace(d)
        c.advance(seconds)
    return step


def _rs_annotation(name: str, key: str, value: str):
    def step(c: Cluster) -> None:
        [rs] = rs_list(c, deploy(c, name))

        def put(o: Obj) -> None:
            o["metadata"]["annotations"] = {**o["metadata"]["annotations"], key: value}
        c.store.rewrite("ReplicaSet", "default", meta.name(rs), put)
        c.advance(5)
    return step


def _own(name: str, replicas: int = 2, **spec: Any) -> Obj:
    """A deployment of its own pods (labels app=name)."""
    d = nginx(name, replicas=replicas, progressDeadlineSeconds=60, **spec)
    d["metadata"]["labels"] = {"app": name}
    d["spec"]["selector"] = {"matchLabels": {"app": name}}
    d["spec"]["template"]["metadata"]["labels"] = {"app": name}
    return d


@pytest.mark.source_build
def test_the_steady_shortcut_writes_what_the_whole_sync_writes(monkeypatch):
    """A sync that finds one ReplicaSet of its template, at its size, goes straight to the status:
    the same objects, events and versions as the whole sync, also where the shortcut must not be
    taken (an annotation to copy, a ReplicaSet annotated for another size or an older revision, an
    orphan to adopt, pausing and resuming, a new template, Recreate, a scale)."""
    names = ("steady", "annotated", "revised", "tampered", "paused", "orphaned", "rollout", "scaled", "unconditioned")

    def create(c: Cluster) -> None:
        for name in names:
            c.create(_own(name))
        c.create(_own("recreate", strategy={"type": "Recreate"}))
        c.settle()  # ReplicaSets and pods made; none ready yet
        [rs] = rs_list(c, deploy(c, "tampered"))
        c.store.rewrite("ReplicaSet", "default", meta.name(rs), lambda o: o["metadata"].__setitem__(
            "annotations", {**o["metadata"]["annotations"], "deployment.kubernetes.io/desired-replicas": "7"}))
        c.advance(10)

    def orphan(c: Cluster) -> None:
        [rs] = rs_list(c, deploy(c, "orphaned"))
        c.create({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                  "metadata": {"name": "orphan", "labels": {"app": "orphaned"}},
                  "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "orphaned"}},
                           "template": deep_copy(rs["spec"]["template"])}})
        c.advance(5)

    def old_scaled_up(c: Cluster) -> None:  # kubectl scale of the ReplicaSet the rollback left behind
        d = deploy(c, "rollout")
        [old] = [rs for rs in rs_list(c, d) if rs["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.16.1"]
        c.store.rewrite("ReplicaSet", "default", meta.name(old), lambda o: o.__setitem__("spec", {**o["spec"], "replicas": 1}))
        c.advance(10)

    def progressing_dropped(c: Cluster) -> None:
        c.store.rewrite("Deployment", "default", "unconditioned", lambda o: o.__setitem__("status", {
            **o["status"], "conditions": [x for x in o["status"]["conditions"] if x["type"] != "Progressing"]}))
        c.advance(5)

    def image(d: Obj, to: str = "nginx:1.16.1") -> None:
        d["spec"]["template"]["spec"]["containers"][0]["image"] = to

    steps = [
        create,
        *[_delete_a_pod(name) for name in names], _delete_a_pod("recreate"),
        _edit("annotated", lambda d: d["metadata"].setdefault("annotations", {}).__setitem__("team", "a")),
        _edit("revised", lambda d: d["metadata"]["annotations"].__setitem__("deployment.kubernetes.io/revision", "9")),
        _rs_annotation("recreate", "deployment.kubernetes.io/revision", "0"),
        _delete_a_pod("tampered"),
        progressing_dropped, _delete_a_pod("unconditioned"),
        _edit("paused", lambda d: d["spec"].__setitem__("paused", True)),
        _delete_a_pod("paused"),
        _edit("paused", lambda d: d["spec"].__setitem__("paused", False)),
        _edit("scaled", lambda d: d["spec"].__setitem__("replicas", 3)),
        _edit("recreate", lambda d: d["spec"].__setitem__("replicas", 1)),
        orphan,
        _edit("rollout", image, 60),
        _edit("rollout", lambda d: image(d, "nginx:1.14.2"), 60),  # back: its first ReplicaSet is the new one
        old_scaled_up,
        _edit("recreate", image, 60),
        _delete_a_pod("recreate"), _delete_a_pod("steady"),
    ]
    shortcut, whole, taken = _steps_with_and_without_the_steady_shortcut(monkeypatch, steps)
    assert taken > 20
    for i, (a, b) in enumerate(zip(shortcut, whole, strict=True)):
        assert a == b, f"after step {i}"


def test_status_counts_of_a_lone_replicaset_are_those_of_the_general_path():
    from k9py.sim.controllers.deployment import DeploymentController

    ctl = DeploymentController()
    d = {"metadata": {"generation": 3}, "spec": {"replicas": 4}}
    for rs in (None, {}, {"spec": {"replicas": 4}, "status": {"replicas": 5, "readyReplicas": 3, "availableReplicas": 2}},
               {"spec": {"replicas": 1}, "status": {"replicas": 1, "availableReplicas": 3}}):
        # old=[None]: the general path over the same ReplicaSets
        assert ctl._status_counts(d, rs, []) == ctl._status_counts(d, rs, [None])


def test_removing_a_condition_that_is_not_there_keeps_the_list():
    from k9py.sim.controllers.deployment import _cond, remove_condition

    conds = [_cond("Available", "True", "MinimumReplicasAvailable", "m", 0.0)]
    status = {"conditions": conds}
    remove_condition(status, "ReplicaFailure")
    assert status["conditions"] is conds
    remove_condition(status, "Available")
    assert status["conditions"] == [] and conds != []
