"""The bootstrap RBAC policy every simulated cluster starts with, and the RBAC authorizer
(sim/rbac.py) over it and over applied Roles and bindings; CertificateSigningRequest admission."""

import base64

import pytest

from k9py.kube.status import ApiError
from k9py.sim import certificates, rbac
from k9py.sim.cluster import Cluster
from k9py.sim.rbac import Attributes, authorize, rules_for, user_info

G = "rbac.authorization.k8s.io"


@pytest.fixture(scope="module")
def cluster():
    c = Cluster(seed=1)
    c.create({"apiVersion": f"{G}/v1", "kind": "Role", "metadata": {"name": "pod-reader", "namespace": "default"},
              "rules": [{"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}]})
    c.create({"apiVersion": f"{G}/v1", "kind": "RoleBinding", "metadata": {"name": "read-pods", "namespace": "default"},
              "roleRef": {"apiGroup": G, "kind": "Role", "name": "pod-reader"},
              "subjects": [{"kind": "ServiceAccount", "name": "reader"}]})
    return c


def test_a_fresh_cluster_has_kubeadms_roles_and_bindings(cluster):
    roles = {o["metadata"]["name"] for o in cluster.store.list("ClusterRole", None)}
    assert {"cluster-admin", "admin", "edit", "view", "system:discovery", "system:basic-user", "system:public-info-viewer",
            "system:node", "system:kube-scheduler", "system:kube-controller-manager", "system:controller:deployment-controller",
            "system:aggregate-to-edit", "system:auth-delegator", "kubeadm:get-nodes", "system:coredns"} <= roles
    crbs = {o["metadata"]["name"] for o in cluster.store.list("ClusterRoleBinding", None)}
    assert {"cluster-admin", "system:discovery", "system:basic-user", "kubeadm:cluster-admins", "minikube-rbac",
            "system:controller:job-controller", "storage-provisioner"} <= crbs
    ks_roles = {o["metadata"]["name"] for o in cluster.store.list("Role", "kube-system")}
    assert {"kube-proxy", "extension-apiserver-authentication-reader", "system::leader-locking-kube-scheduler",
            "kubeadm:kubelet-config"} <= ks_roles
    assert cluster.store.get("RoleBinding", "kube-public", "kubeadm:bootstrap-signer-clusterinfo") is not None
    view = cluster.store.get("ClusterRole", None, "view")
    assert view["metadata"]["labels"]["kubernetes.io/bootstrapping"] == "rbac-defaults"
    assert view["aggregationRule"] == {"clusterRoleSelectors": [{"matchLabels": {f"{G}/aggregate-to-view": "true"}}]}


def test_rbac_names_are_path_segments(cluster):
    cluster.create({"apiVersion": f"{G}/v1", "kind": "ClusterRole", "metadata": {"name": "team:Readers"}, "rules": []})
    with pytest.raises(ApiError, match="may not contain '/'"):
        cluster.create({"apiVersion": f"{G}/v1", "kind": "ClusterRole", "metadata": {"name": "a/b"}, "rules": []})


@pytest.mark.parametrize("user,groups,attrs,allowed", [
    ("admin", ["system:masters"], Attributes("delete", "nodes"), True),
    ("system:serviceaccount:default:reader", [], Attributes("list", "pods", namespace="default"), True),
    ("system:serviceaccount:default:reader", [], Attributes("get", "pods", subresource="log", name="x", namespace="default"), True),
    ("system:serviceaccount:default:reader", [], Attributes("delete", "pods", namespace="default"), False),
    ("system:serviceaccount:default:reader", [], Attributes("list", "pods", namespace="kube-system"), False),
    ("system:serviceaccount:default:x", [], Attributes("get", "pods", namespace="default"), False),
    ("system:serviceaccount:kube-system:default", [], Attributes("create", "deployments", "apps", namespace="x"), True),
    ("nobody", [], Attributes("get", path="/version"), True),  # system:public-info-viewer
    ("nobody", [], Attributes("get", path="/apis/apps"), True),  # system:discovery: /apis/*
    ("nobody", [], Attributes("get", path="/metrics"), False),
    ("nobody", [], Attributes("create", "selfsubjectaccessreviews", "authorization.k8s.io"), True),  # basic-user
    ("system:kube-proxy", [], Attributes("list", "endpointslices", "discovery.k8s.io"), True),
    ("system:kube-scheduler", [], Attributes("update", "leases", "coordination.k8s.io", name="kube-scheduler",
                                             namespace="kube-system"), True),
    ("system:kube-scheduler", [], Attributes("update", "leases", "coordination.k8s.io", name="other",
                                             namespace="kube-system"), False),
])
def test_authorize(cluster, user, groups, attrs, allowed):
    assert authorize(cluster, user_info(user, groups), attrs)[0] is allowed


def test_the_reason_names_the_binding_like_the_apiserver(cluster):
    ok, why = authorize(cluster, user_info("system:serviceaccount:default:reader"),
                        Attributes("get", "pods", name="x", namespace="default"))
    assert ok and why == ('RBAC: allowed by RoleBinding "read-pods/default" of Role "pod-reader" to '
                          'ServiceAccount "reader/default"')
    ok, why = authorize(cluster, user_info("k9py-sim", ["system:masters"]), Attributes("get", "pods"))
    assert why == 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"'


def test_service_account_users_get_their_groups():
    u = user_info("system:serviceaccount:ns1:app")
    assert u.groups == ("system:serviceaccounts", "system:serviceaccounts:ns1", "system:authenticated")
    assert user_info("system:anonymous").groups == ("system:unauthenticated",)


def test_rules_for_a_user_in_a_namespace(cluster):
    res, nonres = rules_for(cluster, user_info("system:serviceaccount:default:reader"), "default")
    assert {"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["pods", "pods/log"]} in res
    assert {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
            "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]} in res
    assert any("/api/*" in r["nonResourceURLs"] for r in nonres)
    res_other, _ = rules_for(cluster, user_info("system:serviceaccount:default:reader"), "kube-system")
    assert not any("pods" in r["resources"] for r in res_other)


def test_rule_matching_details():
    rule = {"apiGroups": ["apps"], "resources": ["deployments/*"], "verbs": ["get"]}
    assert rbac.rule_allows(Attributes("get", "deployments", "apps", "scale"), rule)
    assert not rbac.rule_allows(Attributes("get", "deployments", "apps"), rule)
    star_sub = {"apiGroups": ["*"], "resources": ["*/scale"], "verbs": ["update"]}
    assert rbac.rule_allows(Attributes("update", "statefulsets", "apps", "scale"), star_sub)
    prefix = {"nonResourceURLs": ["/healthz/*"], "verbs": ["get"]}
    assert rbac.rule_allows(Attributes("get", path="/healthz/etcd"), prefix)
    assert not rbac.rule_allows(Attributes("get", "healthz"), prefix)


# -- CertificateSigningRequests ----------------------------------------------------------------------
def _csr(name="jane", **spec):
    req = base64.b64encode(b"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n").decode()
    return {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": name},
            "spec": {"request": req, "signerName": "kubernetes.io/kube-apiserver-client", "usages": ["client auth"],
                     "username": "forged", **spec}}


def test_csr_records_its_requester_and_takes_one_approval(cluster):
    token = certificates.REQUESTER.set(("k9py-sim", ("system:masters", "system:authenticated"), "", {}))
    try:
        csr = cluster.create(_csr())
    finally:
        certificates.REQUESTER.reset(token)
    assert csr["spec"]["username"] == "k9py-sim" and csr["spec"]["groups"] == ["system:masters", "system:authenticated"]
    approved = certificates.approval(csr, {"status": {"conditions": [{"type": "Approved", "reason": "KubectlApprove",
                                                                     "message": "ok"}]}})
    out = cluster.replace(approved, subresource="status")
    cond = out["status"]["conditions"][0]
    assert cond["status"] == "True" and cond["lastTransitionTime"] == cond["lastUpdateTime"]
    both = certificates.approval(out, {"status": {"conditions": [*out["status"]["conditions"], {"type": "Denied"}]}})
    with pytest.raises(ApiError, match="Approved and Denied conditions are mutually exclusive"):
        cluster.replace(both, subresource="status")


@pytest.mark.parametrize("spec,field", [
    ({"request": ""}, "spec.request: Required value"),
    ({"request": base64.b64encode(b"junk").decode()}, "PEM block type must be CERTIFICATE REQUEST"),
    ({"signerName": ""}, "spec.signerName: Required value"),
    ({"usages": []}, "spec.usages: Required value"),
    ({"usages": ["flying"]}, 'spec.usages[0]: Unsupported value: "flying"'),
    ({"expirationSeconds": 60}, "spec.expirationSeconds"),
])
def test_csr_validation(cluster, spec, field):
    with pytest.raises(ApiError, match=field.replace("[", r"\[").replace("]", r"\]")):
        cluster.create(_csr("bad", **spec))
