"""The xray tree (k9py.view.xray) over the sample cluster and the simulator: structure, health,
references, folding, the `:xray` arguments."""

import pytest

from k9py.kube.meta import deep_copy
from k9py.view import health, xray
from tests.samples import small_cluster
from tests.sim.helpers import make_cluster, pod_manifest
from tests.sim.test_daemonset import proxy
from tests.sim.test_statefulset import web
from tests.ui.simcluster import deployment, sim_cluster


def objects(cluster, view, ns=None):
    return {k: {(o["metadata"].get("namespace") or "", o["metadata"]["name"]): o for o in cluster.store.list(k, ns)}
            for k in xray.kinds_for(view)}


def tree(cluster, view, ns=None, known=None):
    return xray.build(view, objects(cluster, view, ns), known, cluster.now())


def lines(root, collapsed=()):
    return [ln.guides + ln.marker + " " + xray.title(ln.node) + ("  " + xray.badge(ln.node) if xray.badge(ln.node) else "")
            for ln in xray.flatten(root, set(collapsed))]


def node(root, kind, name):
    return next(n for n in root.walk() if n.kind == kind and n.name == name)


def test_deployment_tree_is_deploy_rs_pods_containers():
    root = tree(small_cluster(), "deployments", "default")
    assert lines(root) == [
        "▾ deployments(1)",
        "└─▾ namespace/default(1)",
        "  └─▾ deployment/nginx-deployment(1) [3/3]",
        "    └─▾ replicaset/nginx-deployment-77d8468669(3) [3/3]",
        "      ├─▾ pod/nginx-deployment-77d8468669-2xq7v(1) [1/1]",
        "      │ └── container/nginx",
        "      ├─▾ pod/nginx-deployment-77d8468669-9lwhk(1) [1/1]",
        "      │ └── container/nginx",
        "      └─▾ pod/nginx-deployment-77d8468669-kc4gz(1) [1/1]",
        "        └── container/nginx",
    ]
    assert root.count("Deployment") == 1 and root.count("Pod") == 3
    assert all(n.status == health.OK for n in root.walk())


def test_pods_by_namespace_with_their_health():
    root = tree(small_cluster(), "pods")
    assert [n.name for n in root.children] == ["default", "kube-system"]
    crashy = node(root, "Pod", "crashy")
    assert crashy.status == health.ERROR and crashy.info == "0/1" and xray.badge(crashy) == "TOAST"
    assert crashy.children[0].kind == "Container" and crashy.children[0].status == health.ERROR
    assert node(root, "Pod", "counter").status == health.OK and xray.badge(node(root, "Pod", "counter")) == ""
    # a container node carries what the containers view and its logs need
    c = crashy.children[0]
    assert c.pod == "crashy" and c.obj["pod"] == "crashy" and c.obj["spec"]["name"] == "busybox"


def test_services_pick_their_pods_by_selector():
    root = tree(small_cluster(), "services", "default")
    svc = node(root, "Service", "my-nginx")
    assert svc.info == "NodePort" and [p.name[-5:] for p in svc.children] == ["2xq7v", "9lwhk", "kc4gz"]
    assert node(root, "Service", "kubernetes").children == []  # no selector, no pods


def test_references_volumes_env_and_service_account():
    c = make_cluster()
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app-config", "namespace": "default"},
              "data": {"a": "b"}})
    c.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "default"},
              "data": {"p": "cA=="}})
    c.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot", "namespace": "default"},
              "automountServiceAccountToken": False, "imagePullSecrets": [{"name": "regcred"}]})
    p = pod_manifest("app", serviceAccountName="robot",
                     volumes=[{"name": "cfg", "configMap": {"name": "app-config"}},
                              {"name": "gone", "configMap": {"name": "nope"}},
                              {"name": "opt", "secret": {"secretName": "maybe", "optional": True}}])
    p["spec"]["containers"][0]["env"] = [{"name": "P", "valueFrom": {"secretKeyRef": {"name": "db", "key": "p"}}}]
    c.create(p)
    c.advance(10)
    root = tree(c, "pods", "default")
    app = node(root, "Pod", "app")
    assert [(n.kind, n.name, n.status) for n in app.children] == [
        ("Container", "app", app.children[0].status),
        ("ConfigMap", "app-config", health.OK),
        ("ConfigMap", "nope", health.MISSING),  # TOAST_REF
        ("Secret", "maybe", health.OK),  # optional: fine without it
        ("ServiceAccount", "robot", health.OK),
    ]
    assert app.children[0].children[0].kind == "Secret" and app.children[0].children[0].status == health.OK
    assert xray.badge(app.children[2]) == "TOAST_REF"
    robot = app.children[4]
    assert robot.info == "automount=false" and [(n.name, n.status) for n in robot.children] == [("regcred", health.MISSING)]
    # the missing configmap keeps the pod from starting: it is not ok
    assert app.status != health.OK
    # a reference is flagged missing only when its kind's objects are all known (a forbidden secrets list)
    unknown = tree(c, "pods", "default", known={"Pod", "ConfigMap"})
    assert node(unknown, "ServiceAccount", "robot").children[0].status == health.OK
    assert node(unknown, "ConfigMap", "nope").status == health.MISSING


def test_rollout_shows_both_replicasets_while_it_runs():
    c = sim_cluster()
    d = deep_copy(c.get("Deployment", "default", "nginx-deployment"))
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.16.1"
    c.replace(d)
    c.advance(1)
    root = tree(c, "deployments", "default")
    dep = node(root, "Deployment", "nginx-deployment")
    assert len(dep.children) == 2 and all(rs.kind == "ReplicaSet" for rs in dep.children)
    c.advance(60)
    dep = node(tree(c, "deployments", "default"), "Deployment", "nginx-deployment")
    assert len(dep.children) == 1 and dep.status == health.OK and dep.info == "2/2"  # the old set is history


def test_statefulsets_daemonsets_jobs_cronjobs_over_the_simulator():
    c = sim_cluster()
    c.create(web(replicas=2))
    c.create(proxy())
    c.advance(400)  # the cronjob runs every 5 minutes
    sts = node(tree(c, "statefulsets", "default"), "StatefulSet", "web")
    assert [p.name for p in sts.children] == ["web-0", "web-1"] and sts.info == "2/2"
    assert [n.kind for n in sts.children[0].children] == ["Container", "PersistentVolumeClaim", "ServiceAccount"]
    ds = node(tree(c, "daemonsets", "kube-system"), "DaemonSet", "kube-proxy")
    assert len(ds.children) == 3 and ds.status == health.OK
    cj = node(tree(c, "cronjobs", "default"), "CronJob", "hello")
    assert cj.children and all(j.kind == "Job" and j.children[0].kind == "Pod" for j in cj.children)
    assert cj.children[0].status == health.COMPLETED and cj.children[0].children[0].status == health.COMPLETED
    jobs = tree(c, "jobs", "default")
    assert jobs.count("Job") == len(cj.children)


def test_a_scaled_down_deployment_still_shows_and_warns_while_short():
    c = make_cluster()
    c.create(deployment(replicas=2))
    c.advance(1)
    dep = node(tree(c, "deployments", "default"), "Deployment", "nginx-deployment")
    assert dep.status == health.ERROR and dep.info == "0/2"  # nothing available yet
    c.advance(30)
    d = deep_copy(c.get("Deployment", "default", "nginx-deployment"))
    d["spec"]["replicas"] = 0
    c.replace(d)
    c.advance(60)
    dep = node(tree(c, "deployments", "default"), "Deployment", "nginx-deployment")
    assert dep.children == [] and dep.status == health.OK and dep.info == "0/0"


def test_folding_and_paths():
    root = tree(small_cluster(), "deployments", "default")
    flat = xray.flatten(root, set())
    rs = next(ln for ln in flat if ln.node.kind == "ReplicaSet")
    folded = xray.flatten(root, {rs.path})
    assert len(folded) == 4 and folded[-1].marker == "▸" and not folded[-1].expanded
    assert lines(root, {rs.path})[-1] == "    └─▸ replicaset/nginx-deployment-77d8468669(3) [3/3]"
    everything = xray.all_paths(root)
    assert rs.path in everything and (root.id,) not in everything
    assert lines(root, everything) == ["▾ deployments(1)", "└─▸ namespace/default(1)"]
    # paths name nodes across rebuilds
    again = xray.flatten(tree(small_cluster(), "deployments", "default"), set())
    assert [ln.path for ln in again] == [ln.path for ln in flat]


@pytest.mark.parametrize(("arg", "view", "ns"), [
    ("dp", "deployments", None), ("deploy kube-system", "deployments", "kube-system"), ("svc -A", "services", ""),
    ("po -n x", "pods", "x"), ("sts all", "statefulsets", ""), ("cj", "cronjobs", None), ("ds", "daemonsets", None),
])
def test_parse(arg, view, ns):
    v, n = xray.parse(arg)
    assert (v.name, n) == (view, ns)


@pytest.mark.parametrize(("arg", "message"), [
    ("", "xray: which resource? :xray dp|rs|sts|ds|job|cj|svc|po [namespace]"),
    ("cm", "xray: no tree for `cm` (one of dp|rs|sts|ds|job|cj|svc|po)"),
    ("nosuch", "xray: no tree for `nosuch` (one of dp|rs|sts|ds|job|cj|svc|po)"),
])
def test_parse_errors_are_one_line(arg, message):
    with pytest.raises(ValueError, match="xray") as err:
        xray.parse(arg)
    assert str(err.value) == message


def _shown(root, collapsed=()):
    return [(ln.path, ln.guides, ln.marker, xray.title(ln.node), ln.node.status, xray.badge(ln.node), ln.width)
            for ln in xray.flatten(root, set(collapsed))]


def test_a_rebuild_reuses_the_pods_that_did_not_change_and_shows_what_a_fresh_build_shows():
    """At 30,000 pods a build took 1.4 s and a rebuild follows every change: a rebuild takes
    from the one before each pod's subtree (and its lines) while the pod is the same object."""
    c = sim_cluster()
    d = deep_copy(c.get("Deployment", "default", "nginx-deployment"))
    d["spec"]["replicas"] = 4
    c.replace(d)
    c.advance(30)
    reuse = xray.Reuse()
    first = xray.build("deployments", objects(c, "deployments"), None, c.now(), reuse)
    lines_first = xray.flatten(first, set(), reuse)
    assert _shown(first) == _shown(tree(c, "deployments"))
    pods = {n.name: n for n in first.walk() if n.kind == "Pod"}
    caches = objects(c, "deployments")  # the same objects, one pod changed (a new object, as caches replace)
    name = sorted(pods)[0]
    key = ("default", name)
    caches["Pod"][key] = {**caches["Pod"][key], "status": {**caches["Pod"][key]["status"], "phase": "Failed"}}
    again = xray.build("deployments", caches, None, c.now(), reuse)
    reused = {n.name: n for n in again.walk() if n.kind == "Pod"}
    assert [n for n in reused if reused[n] is pods[n]] == sorted(pods)[1:]  # all but the changed one
    assert reused[name].status == health.ERROR
    lines_again = xray.flatten(again, set(), reuse)
    assert sum(a is b for a, b in zip(lines_first, lines_again, strict=True)) >= 3 * (len(pods) - 1)  # lines too
    assert [(ln.path, ln.guides, xray.title(ln.node), ln.node.status) for ln in lines_again] == \
        [(ln.path, ln.guides, xray.title(ln.node), ln.node.status) for ln in xray.flatten(xray.build("deployments", caches, None, c.now()), set())]
    # churn: deployments rolled, scaled, pods deleted; every rebuild shows what a fresh build shows
    for step in range(6):
        d = deep_copy(c.get("Deployment", "default", "nginx-deployment"))
        if step % 2:
            d["spec"]["template"]["spec"]["containers"][0]["image"] = f"nginx:1.{20 + step}"
        else:
            d["spec"]["replicas"] = 2 + step
        c.replace(d)
        victim = c.store.list("Pod", "default")[0]
        c.delete("Pod", "default", victim["metadata"]["name"])
        c.advance(7)
        caches = objects(c, "deployments")
        rebuilt = xray.build("deployments", caches, None, c.now(), reuse)
        assert _shown(rebuilt) == _shown(xray.build("deployments", caches, None, c.now()))
        flat = xray.flatten(rebuilt, set(), reuse)
        assert [(ln.path, ln.guides, ln.marker, xray.title(ln.node)) for ln in flat] == \
            [(ln.path, ln.guides, ln.marker, xray.title(ln.node)) for ln in xray.flatten(rebuilt, set())]
    assert len(reuse.pods) == rebuilt.count("Pod") < len(pods) + 6  # the pods gone are let go
    # a pod folded, then unfolded: each laid out as without the memo (lines of other folds never taken)
    pod_path = next(ln.path for ln in flat if ln.node.kind == "Pod")
    for folds in ({pod_path}, set()):
        laid = xray.flatten(rebuilt, folds, reuse)
        assert [(ln.path, ln.marker) for ln in laid] == [(ln.path, ln.marker) for ln in xray.flatten(rebuilt, folds)]


def test_forgetting_a_namespace_builds_only_its_pods_again():
    c = sim_cluster()
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    c.create(pod_manifest("elsewhere", namespace="other"))
    c.advance(10)
    reuse = xray.Reuse()
    xray.build("pods", objects(c, "pods"), None, c.now(), reuse)
    namespaces = {obj["metadata"]["namespace"] for obj, _ in reuse.pods.values()}
    assert {"default", "other"} <= namespaces
    reuse.forget({"default"})
    assert {obj["metadata"]["namespace"] for obj, _ in reuse.pods.values()} == namespaces - {"default"}
    reuse.forget()
    assert reuse.pods == {} and reuse.lines == {}


def test_a_pod_whose_sidecar_is_not_ready_is_on_its_way_as_kubectl_reads_its_ready():
    """kubectl's READY counts a sidecar (an init container with restartPolicy Always): 1/2 here,
    so xray and pulses see a pod short of ready, not a healthy one."""
    pod = {
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"initContainers": [{"name": "proxy", "restartPolicy": "Always"}],
                 "containers": [{"name": "app"}]},
        "status": {"phase": "Running",
                   "conditions": [{"type": "Initialized", "status": "True"}],
                   "initContainerStatuses": [{"name": "proxy", "started": True, "ready": False,
                                              "state": {"running": {}}}],
                   "containerStatuses": [{"name": "app", "ready": True, "state": {"running": {}}}]},
    }
    assert health.pod(pod) == health.WARN
    pod["status"]["initContainerStatuses"][0]["ready"] = True
    assert health.pod(pod) == health.OK
