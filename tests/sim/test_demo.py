"""The bundled demo cluster loads and, after its warm-up, looks like the tutorials' minikube."""

from __future__ import annotations

import re

import pytest

from k9py.kube import meta
from k9py.scenario.loader import demo_path, load_cluster, load_manifests

CRASHING = {("default", "flaky-worker")}


@pytest.fixture(scope="module")
def demo():
    return load_cluster(None, seed=0)


def pods(cluster, namespace=None):
    return cluster.list("Pod", namespace)


def is_job_pod(pod):
    ref = meta.controller_ref(pod)
    return ref is not None and ref["kind"] == "Job"


def condition(obj, type_):
    for c in obj.get("status", {}).get("conditions") or []:
        if c["type"] == type_:
            return c["status"]
    return None


def test_demo_is_bundled_and_parses():
    assert demo_path().endswith("scenarios/demo.yaml")
    header, objs = load_manifests(demo_path())
    assert [n.name for n in header.nodes] == ["minikube", "minikube-m02", "minikube-m03"]
    assert [n.control_plane for n in header.nodes] == [True, False, False]
    kinds = {o["kind"] for o in objs}
    assert {"Deployment", "DaemonSet", "StatefulSet", "CronJob", "Service", "PersistentVolume",
            "PersistentVolumeClaim", "ConfigMap", "Secret", "ResourceQuota", "Namespace", "Pod"} <= kinds


def test_warmup_is_over(demo):
    from k9py.sim.clock import DEFAULT_EPOCH
    assert demo.now() == DEFAULT_EPOCH + 270


def test_nodes_are_ready(demo):
    nodes = {meta.name(n): n for n in demo.list("Node")}
    assert sorted(nodes) == ["minikube", "minikube-m02", "minikube-m03"]
    assert "node-role.kubernetes.io/control-plane" in meta.labels(nodes["minikube"])
    assert all(condition(n, "Ready") == "True" for n in nodes.values())


def test_namespaces(demo):
    names = {meta.name(n) for n in demo.list("Namespace")}
    assert {"default", "kube-system", "kube-public", "kube-node-lease", "kubeflow", "istio-system", "ingress-nginx",
            "olm", "operators"} <= names


def test_control_plane_static_pods_on_minikube(demo):
    for name in ("etcd-minikube", "kube-apiserver-minikube", "kube-scheduler-minikube",
                 "kube-controller-manager-minikube"):
        pod = demo.get("Pod", "kube-system", name)
        assert pod["spec"]["nodeName"] == "minikube"
        assert pod["spec"]["priorityClassName"] == "system-node-critical"
        assert pod["status"]["phase"] == "Running"


def test_kube_system_addons(demo):
    coredns = demo.get("Deployment", "kube-system", "coredns")
    assert coredns["status"].get("availableReplicas") == 1
    dns = demo.get("Service", "kube-system", "kube-dns")
    assert dns["spec"]["clusterIP"] == "10.96.0.10"
    assert [(p["port"], p["protocol"]) for p in dns["spec"]["ports"]] == [(53, "UDP"), (53, "TCP"), (9153, "TCP")]
    proxies = [p for p in pods(demo, "kube-system") if meta.labels(p).get("k8s-app") == "kube-proxy"]
    assert sorted(p["spec"]["nodeName"] for p in proxies) == ["minikube", "minikube-m02", "minikube-m03"]
    assert demo.get("Pod", "kube-system", "storage-provisioner")["status"]["phase"] == "Running"


def test_nginx_deployment_is_available(demo):
    dep = demo.get("Deployment", "default", "nginx-deployment")
    st = dep["status"]
    assert (st.get("replicas"), st.get("readyReplicas"), st.get("availableReplicas"), st.get("updatedReplicas")) == (3, 3, 3, 3)
    nginx = [p for p in pods(demo, "default") if meta.labels(p).get("app") == "nginx"]
    assert len(nginx) == 3
    assert {p["spec"]["containers"][0]["image"] for p in nginx} == {"nginx:1.14.2"}
    assert all(re.fullmatch(r"nginx-deployment-[a-z0-9]{9,10}-[a-z0-9]{5}", meta.name(p)) for p in nginx)
    assert len({p["spec"]["nodeName"] for p in nginx}) == 3  # spread over the nodes


def test_my_nginx_service(demo):
    svc = demo.get("Service", "default", "my-nginx")
    assert svc["spec"]["type"] == "NodePort"
    port = svc["spec"]["ports"][0]
    assert port["port"] == 80 and port["targetPort"] == 80 and 30000 <= port["nodePort"] <= 32767
    eps = demo.get("Endpoints", "default", "my-nginx")
    addresses = [a for s in eps.get("subsets") or [] for a in s.get("addresses") or []]
    assert len(addresses) == 3


def test_counter_runs_and_counts(demo):
    from k9py.sim.logs import container_logs
    pod = demo.get("Pod", "default", "counter")
    assert pod["status"]["phase"] == "Running"
    lines = container_logs(demo, "default", "counter")
    assert lines[0].startswith("0: ")
    assert re.fullmatch(r"\d+: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d UTC 2026", lines[-1])


def test_flaky_worker_is_crash_looping(demo):
    pod = demo.get("Pod", "default", "flaky-worker")
    cs = pod["status"]["containerStatuses"][0]
    assert cs["restartCount"] >= 3
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert cs["lastState"]["terminated"]["exitCode"] == 1


def test_static_pv_is_bound(demo):
    pv = demo.get("PersistentVolume", None, "pv-hostpath")
    assert pv["status"]["phase"] == "Bound"
    assert pv["spec"]["claimRef"]["name"] == "pvc-hostpath"
    pvc = demo.get("PersistentVolumeClaim", "default", "pvc-hostpath")
    assert pvc["status"]["phase"] == "Bound" and pvc["spec"]["volumeName"] == "pv-hostpath"
    assert demo.get("PersistentVolume", None, "kubeflow-volume")["status"]["phase"] == "Available"
    assert demo.get("Pod", "default", "task-pv-pod")["status"]["phase"] == "Running"


def test_notebook_claim_is_dynamically_provisioned(demo):
    assert demo.get("Pod", "kubeflow", "my-notebook-0")["status"]["phase"] == "Running"
    pvc = demo.get("PersistentVolumeClaim", "kubeflow", "workspace-my-notebook-0")
    assert pvc["status"]["phase"] == "Bound"
    volume = pvc["spec"]["volumeName"]
    assert volume.startswith("pvc-")
    pv = demo.get("PersistentVolume", None, volume)
    assert pv["spec"]["storageClassName"] == "standard"
    assert pv["status"]["phase"] == "Bound"
    for claim in ("minio-pvc", "mysql-pv-claim", "katib-mysql"):
        assert demo.get("PersistentVolumeClaim", "kubeflow", claim)["status"]["phase"] == "Bound"


def test_kubeflow_quota_counts_usage(demo):
    quota = demo.get("ResourceQuota", "kubeflow", "kf-resource-quota")
    used = quota["status"]["used"]
    assert used["pods"] == str(len(pods(demo, "kubeflow")))
    assert used["persistentvolumeclaims"] == "4"
    assert quota["status"]["hard"]["requests.cpu"] == "4"


def test_cronjob_has_run(demo):
    jobs = [j for j in demo.list("Job", "default") if (meta.controller_ref(j) or {}).get("name") == "hello"]
    assert 1 <= len(jobs) <= 3  # successfulJobsHistoryLimit
    cj = demo.get("CronJob", "default", "hello")
    assert cj["status"].get("lastScheduleTime")
    assert all(p["status"]["phase"] == "Succeeded" for p in pods(demo, "default") if is_job_pod(p))


def test_istio_ingressgateway_node_port(demo):
    svc = demo.get("Service", "istio-system", "istio-ingressgateway")
    assert svc["spec"]["type"] == "NodePort"
    http = next(p for p in svc["spec"]["ports"] if p["name"] == "http2")
    assert (http["port"], http["targetPort"], http["nodePort"]) == (80, 80, 31380)


def test_istiod_is_a_helm_release(demo):
    """`:helm` shows something in the demo: istiod's two revisions, its manifest the demo's istiod
    objects (tools/gen_demo_helm.py made them; run it again after changing those objects)."""
    import yaml

    from k9py.view import helm
    revs = sorted((helm.release(s) for s in demo.list("Secret", "istio-system") if helm.is_release(s)),
                  key=lambda r: r.version)
    assert [(r.name, r.version, r.status, r.chart, r.error) for r in revs] == [
        ("istiod", 1, "superseded", "istiod-1.22.1", ""), ("istiod", 2, "deployed", "istiod-1.22.1", "")]
    assert revs[1].values()["pilot"]["autoscaleEnabled"] is False and revs[1].notes.startswith('"istiod" successfully')
    for doc in yaml.safe_load_all(revs[1].manifest):
        live = demo.get(doc["kind"], "istio-system", doc["metadata"]["name"])
        assert meta.labels(live) == doc["metadata"]["labels"], doc["kind"]
        assert meta.annotations(live)["meta.helm.sh/release-name"] == "istiod"
        assert live["spec"]["selector"] == doc["spec"]["selector"]


def test_my_nginx_ingress_behind_the_ingress_addon(demo):
    """The operators tutorial's Ingress: minikube's ingress addon (its controller on the control
    plane, the default IngressClass) and an Ingress to my-nginx, at minikube's IP."""
    ing = demo.get("Ingress", "default", "my-nginx")
    assert ing["spec"]["ingressClassName"] == "nginx"
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert (backend["name"], backend["port"]["number"]) == ("my-nginx", 80)
    assert ing["status"]["loadBalancer"]["ingress"] == [{"ip": "192.168.49.2"}]
    cls = demo.get("IngressClass", None, "nginx")
    assert cls["spec"]["controller"] == "k8s.io/ingress-nginx"
    assert meta.annotations(cls)["ingressclass.kubernetes.io/is-default-class"] == "true"
    ctl = [p for p in pods(demo, "ingress-nginx") if meta.labels(p).get("app.kubernetes.io/component") == "controller"]
    assert [p["spec"]["nodeName"] for p in ctl] == ["minikube"] and condition(ctl[0], "Ready") == "True"


def test_olm_and_an_operator_installed_through_a_subscription(demo):
    """The operators tutorial's OLM: its CRDs, a Subscription whose installed CSV succeeded and
    whose Deployment runs, the OperatorGroups (one for every namespace)."""
    crds = {meta.name(c) for c in demo.list("CustomResourceDefinition")}
    assert {f"{p}.operators.coreos.com" for p in ("clusterserviceversions", "subscriptions", "operatorgroups",
                                                  "catalogsources")} <= crds
    sub = demo.get("Subscription", "operators", "my-prometheus")
    assert (sub["spec"]["name"], sub["spec"]["source"], sub["spec"]["sourceNamespace"]) == ("prometheus", "operatorhubio-catalog", "olm")
    csv = demo.get("ClusterServiceVersion", "operators", sub["status"]["installedCSV"])
    assert csv["status"]["phase"] == "Succeeded"
    dep_name = csv["spec"]["install"]["spec"]["deployments"][0]["name"]
    dep = demo.get("Deployment", "operators", dep_name)
    assert meta.labels(dep)["olm.owner"] == meta.name(csv) and dep["status"].get("availableReplicas") == 1
    assert demo.get("CatalogSource", "olm", sub["spec"]["source"])["status"]["connectionState"]["lastObservedState"] == "READY"
    groups = {meta.name(g): g for g in demo.list("OperatorGroup")}
    assert sorted(groups) == ["global-operators", "olm-operators"] and not groups["global-operators"]["spec"]
    for name in ("olm-operator", "catalog-operator", "packageserver"):
        assert demo.get("Deployment", "olm", name)["status"].get("availableReplicas") >= 1, name


def test_katib_experiment_finished_within_the_warmup(demo):
    exp = demo.get("Experiment", "kubeflow", "random")
    assert [c["type"] for c in exp["status"]["conditions"]][-1] == "Succeeded"
    assert exp["status"]["trialsSucceeded"] == exp["spec"]["maxTrialCount"] == len(exp["status"]["succeededTrialList"])
    assert exp["status"]["currentOptimalTrial"]["bestTrialName"] in exp["status"]["succeededTrialList"]
    created, done = exp["metadata"]["creationTimestamp"], exp["status"]["completionTime"]
    assert created <= exp["status"]["startTime"] <= done <= "2026-11-01T09:04:30Z"  # the demo's now


def test_kubeflow_multi_tenancy_profile_and_its_namespace(demo):
    """The Kubeflow tutorial's Multi-Tenancy: a Profile, the namespace named after it with its
    owner, and the owner made admin there (the aggregated kubeflow-admin's rules)."""
    profile = demo.get("Profile", None, "kubeflow-user-example-com")
    owner = profile["spec"]["owner"]["name"]
    ns = demo.get("Namespace", None, meta.name(profile))
    assert meta.annotations(ns)["owner"] == owner and meta.labels(ns)["app.kubernetes.io/part-of"] == "kubeflow-profile"
    rb = demo.get("RoleBinding", meta.name(ns), "namespaceAdmin")
    assert rb["roleRef"]["name"] == "kubeflow-admin" and rb["subjects"][0]["name"] == owner
    admin, edit = demo.get("ClusterRole", None, "kubeflow-admin"), demo.get("ClusterRole", None, "kubeflow-edit")
    assert admin["rules"] == edit["rules"]
    assert {meta.name(sa) for sa in demo.list("ServiceAccount", meta.name(ns))} >= {"default", "default-editor", "default-viewer"}


def test_every_other_pod_is_running_and_ready(demo):
    all_pods = pods(demo)
    assert 35 <= len(all_pods) <= 60
    not_ok = [f"{meta.namespace(p)}/{meta.name(p)}: {p['status'].get('phase')}"
              for p in all_pods
              if (meta.namespace(p), meta.name(p)) not in CRASHING and not is_job_pod(p)
              and not (p["status"].get("phase") == "Running" and condition(p, "Ready") == "True")]
    assert not_ok == []


def test_same_seed_same_demo():
    a = load_cluster(None, seed=1, warmup=0)
    b = load_cluster(None, seed=1, warmup=0)
    assert sorted(meta.name(p) for p in pods(a)) == sorted(meta.name(p) for p in pods(b))
