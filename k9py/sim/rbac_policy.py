"""The bootstrap RBAC policy of a fresh cluster: what the apiserver's ``rbac/bootstrap-roles``
post-start hook, kubeadm and minikube create before anyone applies a manifest.

The user-facing ClusterRoles (cluster-admin, admin, edit, view and their ``system:aggregate-to-*``
parts), the ``system:*`` roles of the components (discovery, basic-user, public-info-viewer, node,
kube-scheduler, kube-controller-manager, the controllers' ``system:controller:*``, the CSR
approvers...), kubeadm's ``kubeadm:*`` bindings, the leader-locking Roles in kube-system and
minikube's additions (``minikube-rbac``, the storage-provisioner). Rules are abridged where a
real role lists dozens of resources, never widened: what a rule allows here, it allows there.
"""

from __future__ import annotations

from typing import Any

from k9py.kube import meta

Obj = dict[str, Any]

GROUP = "rbac.authorization.k8s.io"
API_VERSION = f"{GROUP}/v1"

_BOOTSTRAP_MD = {"labels": {"kubernetes.io/bootstrapping": "rbac-defaults"},
                 "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"}}
READ = ["get", "list", "watch"]
WRITE = ["create", "delete", "deletecollection", "patch", "update"]
ALL = READ + WRITE


def _rule(groups: list[str], resources: list[str], verbs: list[str], names: list[str] | None = None) -> Obj:
    r: Obj = {"apiGroups": groups, "resources": resources, "verbs": verbs}
    if names:
        r["resourceNames"] = names
    return r


def _urls(urls: list[str], verbs: list[str]) -> Obj:
    return {"nonResourceURLs": urls, "verbs": verbs}


def _md(name: str, namespace: str | None = None, *, bootstrap: bool = True, labels: dict[str, str] | None = None) -> Obj:
    md: Obj = meta.deep_copy(_BOOTSTRAP_MD) if bootstrap else {}
    md["name"] = name
    if namespace:
        md["namespace"] = namespace
    if labels:
        md.setdefault("labels", {}).update(labels)
    return md


def cluster_role(name: str, rules: list[Obj], *, bootstrap: bool = True, labels: dict[str, str] | None = None,
                 aggregate_from: str | None = None) -> Obj:
    obj: Obj = {"apiVersion": API_VERSION, "kind": "ClusterRole",
                "metadata": _md(name, bootstrap=bootstrap, labels=labels), "rules": rules}
    if aggregate_from:
        obj["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {aggregate_from: "true"}}]}
    return obj


def role(name: str, namespace: str, rules: list[Obj], *, bootstrap: bool = True) -> Obj:
    return {"apiVersion": API_VERSION, "kind": "Role", "metadata": _md(name, namespace, bootstrap=bootstrap),
            "rules": rules}


def subject(kind: str, name: str, namespace: str | None = None) -> Obj:
    if kind == "ServiceAccount":
        return {"kind": kind, "name": name, "namespace": namespace or "kube-system"}
    return {"apiGroup": GROUP, "kind": kind, "name": name}


def cluster_binding(name: str, role_name: str, subjects: list[Obj], *, bootstrap: bool = True) -> Obj:
    return {"apiVersion": API_VERSION, "kind": "ClusterRoleBinding", "metadata": _md(name, bootstrap=bootstrap),
            "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": role_name}, "subjects": subjects}


def binding(name: str, namespace: str, role_kind: str, role_name: str, subjects: list[Obj], *,
            bootstrap: bool = True) -> Obj:
    return {"apiVersion": API_VERSION, "kind": "RoleBinding", "metadata": _md(name, namespace, bootstrap=bootstrap),
            "roleRef": {"apiGroup": GROUP, "kind": role_kind, "name": role_name}, "subjects": subjects}


# -- the aggregated user-facing roles -------------------------------------------------------------
_VIEW_CORE = ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
              "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
              "services/status"]
_VIEW_CORE_STATUS = ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
                     "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"]
_APPS = ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
         "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
         "statefulsets/scale", "statefulsets/status"]
_BATCH = ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]
_NET = ["ingresses", "ingresses/status", "networkpolicies"]


def _view_rules() -> list[Obj]:
    return [_rule([""], _VIEW_CORE, READ), _rule([""], _VIEW_CORE_STATUS, READ), _rule([""], ["namespaces"], READ),
            _rule(["discovery.k8s.io"], ["endpointslices"], READ), _rule(["apps"], _APPS, READ),
            _rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], READ),
            _rule(["batch"], _BATCH, READ), _rule(["networking.k8s.io"], _NET, READ),
            _rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], READ)]


def _edit_rules() -> list[Obj]:
    return [_rule([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], READ),
            _rule([""], ["serviceaccounts"], ["impersonate"]),
            _rule([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], WRITE),
            _rule([""], ["pods/eviction"], ["create"]),
            _rule([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                         "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"], WRITE),
            _rule([""], ["serviceaccounts/token"], ["create"]),
            _rule(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                             "replicasets/scale", "statefulsets", "statefulsets/scale"], WRITE),
            _rule(["autoscaling"], ["horizontalpodautoscalers"], WRITE),
            _rule(["batch"], ["cronjobs", "jobs"], WRITE),
            _rule(["networking.k8s.io"], ["ingresses", "networkpolicies"], WRITE),
            _rule(["policy"], ["poddisruptionbudgets"], WRITE),
            _rule(["discovery.k8s.io"], ["endpointslices"], WRITE)]


def _admin_rules() -> list[Obj]:
    return [_rule(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
            _rule([GROUP], ["rolebindings", "roles"], ALL)]


# -- the components' roles --------------------------------------------------------------------------
_DISCOVERY_URLS = ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*",
                   "/readyz", "/version", "/version/"]
_PUBLIC_URLS = ["/healthz", "/livez", "/readyz", "/version", "/version/"]
_CONTROLLERS: dict[str, list[Obj]] = {
    "attachdetach-controller": [_rule(["", "storage.k8s.io"], ["persistentvolumes", "persistentvolumeclaims", "nodes", "pods", "volumeattachments"], READ)],
    "certificate-controller": [_rule(["certificates.k8s.io"], ["certificatesigningrequests", "certificatesigningrequests/approval", "certificatesigningrequests/status"], ["delete", "get", "list", "update", "watch"])],
    "clusterrole-aggregation-controller": [_rule([GROUP], ["clusterroles"], ["escalate", "get", "list", "patch", "update", "watch"])],
    "cronjob-controller": [_rule(["batch"], ["cronjobs", "jobs"], ALL), _rule([""], ["pods"], ["delete", "list"])],
    "daemon-set-controller": [_rule(["apps"], ["daemonsets", "daemonsets/status", "controllerrevisions"], ALL), _rule([""], ["pods", "pods/binding"], ["create", "delete", "list", "patch", "watch"])],
    "deployment-controller": [_rule(["apps"], ["deployments", "deployments/status", "replicasets"], ALL), _rule([""], ["pods"], ["get", "list", "update", "watch"])],
    "disruption-controller": [_rule(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], ["get", "list", "update", "watch"])],
    "endpoint-controller": [_rule([""], ["endpoints", "pods", "services"], ["create", "delete", "get", "list", "update", "watch"])],
    "endpointslice-controller": [_rule(["discovery.k8s.io"], ["endpointslices"], ["create", "delete", "get", "list", "update"]), _rule([""], ["nodes", "pods", "services"], READ)],
    "ephemeral-volume-controller": [_rule([""], ["persistentvolumeclaims", "pods"], ["create", "get", "list", "watch"])],
    "expand-controller": [_rule([""], ["persistentvolumeclaims", "persistentvolumes"], ["get", "list", "patch", "update", "watch"])],
    "generic-garbage-collector": [_rule(["*"], ["*"], ["delete", "get", "list", "patch", "update", "watch"])],
    "horizontal-pod-autoscaler": [_rule(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], ["get", "list", "update", "watch"]), _rule(["*"], ["*/scale"], ["get", "update"]), _rule(["metrics.k8s.io"], ["pods"], ["list"])],
    "job-controller": [_rule(["batch"], ["jobs", "jobs/finalizers", "jobs/status"], ["get", "list", "patch", "update", "watch"]), _rule([""], ["pods"], ["create", "delete", "list", "patch", "watch"])],
    "namespace-controller": [_rule([""], ["namespaces", "namespaces/finalize", "namespaces/status"], ["delete", "get", "list", "update", "watch"]), _rule(["*"], ["*"], ["delete", "deletecollection", "get", "list"])],
    "node-controller": [_rule([""], ["nodes", "nodes/status", "pods", "pods/status"], ["delete", "get", "list", "patch", "update"])],
    "persistent-volume-binder": [_rule([""], ["persistentvolumes", "persistentvolumes/status", "persistentvolumeclaims", "persistentvolumeclaims/status"], ALL), _rule(["storage.k8s.io"], ["storageclasses"], READ)],
    "pod-garbage-collector": [_rule([""], ["pods", "pods/status"], ["delete", "list", "patch", "watch"]), _rule([""], ["nodes"], ["get", "list"])],
    "pv-protection-controller": [_rule([""], ["persistentvolumes"], ["get", "list", "update", "watch"])],
    "pvc-protection-controller": [_rule([""], ["persistentvolumeclaims", "pods"], ["get", "list", "update", "watch"])],
    "replicaset-controller": [_rule(["apps"], ["replicasets", "replicasets/status", "replicasets/finalizers"], ["get", "list", "update", "watch"]), _rule([""], ["pods"], ["create", "delete", "list", "patch", "watch"])],
    "replication-controller": [_rule([""], ["replicationcontrollers", "replicationcontrollers/status", "pods"], ["create", "delete", "get", "list", "patch", "update", "watch"])],
    "resourcequota-controller": [_rule(["*"], ["*"], ["list", "watch"]), _rule([""], ["resourcequotas/status"], ["update"])],
    "root-ca-cert-publisher": [_rule([""], ["configmaps"], ["create", "update"])],
    "service-account-controller": [_rule([""], ["serviceaccounts"], ["create"])],
    "service-controller": [_rule([""], ["services", "services/status", "nodes"], ["get", "list", "patch", "update", "watch"])],
    "statefulset-controller": [_rule(["apps"], ["statefulsets", "statefulsets/status", "controllerrevisions"], ALL), _rule([""], ["pods", "persistentvolumeclaims"], ["create", "delete", "get", "patch", "update"])],
    "ttl-after-finished-controller": [_rule(["batch"], ["jobs"], ["delete", "get", "list", "watch"])],
    "ttl-controller": [_rule([""], ["nodes"], ["list", "patch", "update", "watch"])],
    "validatingadmissionpolicy-status-controller": [_rule(["admissionregistration.k8s.io"], ["validatingadmissionpolicies", "validatingadmissionpolicies/status"], ["get", "list", "patch", "update", "watch"])],
}
_APPROVERS = {
    "kube-apiserver-client-approver": "kubernetes.io/kube-apiserver-client",
    "kube-apiserver-client-kubelet-approver": "kubernetes.io/kube-apiserver-client-kubelet",
    "kubelet-serving-approver": "kubernetes.io/kubelet-serving",
    "legacy-unknown-approver": "kubernetes.io/legacy-unknown",
}


def _system_cluster_roles() -> list[Obj]:
    out = [
        cluster_role("system:discovery", [_urls(_DISCOVERY_URLS, ["get"])]),
        cluster_role("system:public-info-viewer", [_urls(_PUBLIC_URLS, ["get"])]),
        cluster_role("system:basic-user", [_rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]),
                                           _rule(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"])]),
        cluster_role("system:monitoring", [_urls(["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"], ["get"])]),
        cluster_role("system:service-account-issuer-discovery", [_urls(["/.well-known/openid-configuration", "/.well-known/openid-configuration/", "/openid/v1/jwks", "/openid/v1/jwks/"], ["get"])]),
        cluster_role("system:auth-delegator", [_rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
                                               _rule(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"])]),
        cluster_role("system:heapster", [_rule([""], ["events", "namespaces", "nodes", "pods"], READ), _rule(["apps"], ["deployments"], READ)]),
        cluster_role("system:kube-aggregator", [_rule([""], ["endpoints", "services"], READ)]),
        cluster_role("system:kube-dns", [_rule([""], ["endpoints", "services"], ["list", "watch"])]),
        cluster_role("system:kubelet-api-admin", [_rule([""], ["nodes"], ["get", "list", "watch", "proxy"]),
                                                  _rule([""], ["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"], ["*"])]),
        cluster_role("system:node", [_rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
                                     _rule(["authorization.k8s.io"], ["localsubjectaccessreviews", "subjectaccessreviews"], ["create"]),
                                     _rule([""], ["services", "endpoints", "nodes", "pods"], READ),
                                     _rule([""], ["nodes", "nodes/status", "pods/status"], ["create", "get", "list", "watch", "patch", "update"]),
                                     _rule([""], ["events"], ["create", "patch", "update"]),
                                     _rule([""], ["configmaps", "secrets", "persistentvolumeclaims", "persistentvolumes"], ["get"]),
                                     _rule(["coordination.k8s.io"], ["leases"], ["create", "delete", "get", "patch", "update"]),
                                     _rule(["certificates.k8s.io"], ["certificatesigningrequests"], ["create", "get", "list", "watch"])]),
        cluster_role("system:node-bootstrapper", [_rule(["certificates.k8s.io"], ["certificatesigningrequests"], ["create", "get", "list", "watch"])]),
        cluster_role("system:node-problem-detector", [_rule([""], ["nodes"], ["get"]), _rule([""], ["nodes/status"], ["patch"]),
                                                      _rule(["", "events.k8s.io"], ["events"], ["create", "patch", "update"])]),
        cluster_role("system:node-proxier", [_rule([""], ["endpoints", "services"], ["list", "watch"]), _rule([""], ["nodes"], READ),
                                             _rule(["", "events.k8s.io"], ["events"], ["create", "patch", "update"]),
                                             _rule(["discovery.k8s.io"], ["endpointslices"], ["list", "watch"])]),
        cluster_role("system:persistent-volume-provisioner", [_rule([""], ["persistentvolumes"], ["create", "delete", "get", "list", "watch"]),
                                                              _rule([""], ["persistentvolumeclaims"], ["get", "list", "update", "watch"]),
                                                              _rule(["storage.k8s.io"], ["storageclasses"], READ),
                                                              _rule([""], ["events"], ["create", "list", "patch", "update", "watch"])]),
        cluster_role("system:volume-scheduler", [_rule([""], ["persistentvolumes"], ["get", "list", "patch", "update", "watch"]),
                                                 _rule(["storage.k8s.io"], ["storageclasses"], READ),
                                                 _rule([""], ["persistentvolumeclaims"], ["get", "list", "patch", "update", "watch"])]),
        cluster_role("system:kube-scheduler", [_rule(["", "events.k8s.io"], ["events"], ["create", "patch", "update"]),
                                               _rule(["coordination.k8s.io"], ["leases"], ["create"]),
                                               _rule(["coordination.k8s.io"], ["leases"], ["get", "update"], ["kube-scheduler"]),
                                               _rule([""], ["nodes", "pods", "namespaces", "persistentvolumeclaims", "persistentvolumes", "services", "replicationcontrollers"], READ),
                                               _rule([""], ["bindings", "pods/binding"], ["create"]),
                                               _rule([""], ["pods/status"], ["patch", "update"]),
                                               _rule(["apps"], ["replicasets", "statefulsets"], READ),
                                               _rule(["policy"], ["poddisruptionbudgets"], READ),
                                               _rule(["storage.k8s.io"], ["csidrivers", "csinodes", "csistoragecapacities", "storageclasses"], READ),
                                               _rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
                                               _rule(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"])]),
        cluster_role("system:kube-controller-manager", [_rule(["", "events.k8s.io"], ["events"], ["create", "patch", "update"]),
                                                        _rule(["coordination.k8s.io"], ["leases"], ["create"]),
                                                        _rule(["coordination.k8s.io"], ["leases"], ["get", "update"], ["kube-controller-manager"]),
                                                        _rule([""], ["secrets", "serviceaccounts"], ["create"]),
                                                        _rule([""], ["secrets"], ["delete"]),
                                                        _rule([""], ["configmaps", "namespaces", "secrets", "serviceaccounts"], ["get"]),
                                                        _rule([""], ["secrets", "serviceaccounts"], ["update"]),
                                                        _rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
                                                        _rule(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"]),
                                                        _rule(["*"], ["*"], ["list", "watch"]),
                                                        _rule([""], ["serviceaccounts/token"], ["create"])]),
        cluster_role("system:certificates.k8s.io:certificatesigningrequests:nodeclient",
                     [_rule(["certificates.k8s.io"], ["certificatesigningrequests/nodeclient"], ["create"])]),
        cluster_role("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
                     [_rule(["certificates.k8s.io"], ["certificatesigningrequests/selfnodeclient"], ["create"])]),
    ]
    for name, signer in _APPROVERS.items():
        out.append(cluster_role(f"system:certificates.k8s.io:{name}",
                                [_rule(["certificates.k8s.io"], ["signers"], ["approve"], [signer])]))
    for name, rules in _CONTROLLERS.items():
        out.append(cluster_role(f"system:controller:{name}",
                                [*rules, _rule(["", "events.k8s.io"], ["events"], ["create", "patch", "update"])]))
    return out


def default_objects() -> list[Obj]:
    """The ClusterRoles, Roles and bindings a new minikube (kubeadm) cluster has."""
    agg = "rbac.authorization.k8s.io/aggregate-to-"
    user_roles = [
        cluster_role("cluster-admin", [_rule(["*"], ["*"], ["*"]), _urls(["*"], ["*"])]),
        cluster_role("admin", [*_admin_rules(), *_edit_rules(), *_view_rules()], aggregate_from=agg + "admin"),
        cluster_role("edit", [*_edit_rules(), *_view_rules()], labels={agg + "admin": "true"}, aggregate_from=agg + "edit"),
        cluster_role("view", _view_rules(), labels={agg + "admin": "true", agg + "edit": "true"},
                     aggregate_from=agg + "view"),
        cluster_role("system:aggregate-to-admin", _admin_rules(), labels={agg + "admin": "true"}),
        cluster_role("system:aggregate-to-edit", _edit_rules(), labels={agg + "edit": "true"}),
        cluster_role("system:aggregate-to-view", _view_rules(), labels={agg + "view": "true"}),
    ]
    masters = [subject("Group", "system:masters")]
    authenticated = [subject("Group", "system:authenticated")]
    bindings = [
        cluster_binding("cluster-admin", "cluster-admin", masters),
        cluster_binding("system:discovery", "system:discovery", authenticated),
        cluster_binding("system:basic-user", "system:basic-user", authenticated),
        cluster_binding("system:public-info-viewer", "system:public-info-viewer",
                        [*authenticated, subject("Group", "system:unauthenticated")]),
        cluster_binding("system:monitoring", "system:monitoring", [subject("Group", "system:monitoring")]),
        cluster_binding("system:service-account-issuer-discovery", "system:service-account-issuer-discovery",
                        [subject("Group", "system:serviceaccounts")]),
        cluster_binding("system:node", "system:node", []),
        cluster_binding("system:node-proxier", "system:node-proxier", [subject("User", "system:kube-proxy")]),
        cluster_binding("system:kube-scheduler", "system:kube-scheduler", [subject("User", "system:kube-scheduler")]),
        cluster_binding("system:volume-scheduler", "system:volume-scheduler", [subject("User", "system:kube-scheduler")]),
        cluster_binding("system:kube-controller-manager", "system:kube-controller-manager",
                        [subject("User", "system:kube-controller-manager")]),
        cluster_binding("system:kube-dns", "system:kube-dns", [subject("ServiceAccount", "kube-dns", "kube-system")]),
    ]
    for name in _CONTROLLERS:
        bindings.append(cluster_binding(f"system:controller:{name}", f"system:controller:{name}",
                                        [subject("ServiceAccount", name, "kube-system")]))
    kubeadm = [
        cluster_role("kubeadm:get-nodes", [_rule([""], ["nodes"], ["get"])], bootstrap=False),
        cluster_role("system:coredns", [_rule([""], ["endpoints", "services", "pods", "namespaces"], ["list", "watch"]),
                                        _rule(["discovery.k8s.io"], ["endpointslices"], ["list", "watch"])], bootstrap=False),
        cluster_binding("kubeadm:cluster-admins", "cluster-admin", [subject("Group", "kubeadm:cluster-admins")], bootstrap=False),
        cluster_binding("kubeadm:get-nodes", "kubeadm:get-nodes", [subject("Group", "system:bootstrappers:kubeadm:default-node-token")], bootstrap=False),
        cluster_binding("kubeadm:kubelet-bootstrap", "system:node-bootstrapper", [subject("Group", "system:bootstrappers:kubeadm:default-node-token")], bootstrap=False),
        cluster_binding("kubeadm:node-autoapprove-bootstrap", "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
                        [subject("Group", "system:bootstrappers:kubeadm:default-node-token")], bootstrap=False),
        cluster_binding("kubeadm:node-autoapprove-certificate-rotation", "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
                        [subject("Group", "system:nodes")], bootstrap=False),
        cluster_binding("kubeadm:node-proxier", "system:node-proxier", [subject("ServiceAccount", "kube-proxy", "kube-system")], bootstrap=False),
        cluster_binding("system:coredns", "system:coredns", [subject("ServiceAccount", "coredns", "kube-system")], bootstrap=False),
        # minikube: kube-system's default ServiceAccount is cluster-admin; its storage provisioner
        cluster_binding("minikube-rbac", "cluster-admin", [subject("ServiceAccount", "default", "kube-system")], bootstrap=False),
        cluster_binding("storage-provisioner", "system:persistent-volume-provisioner",
                        [subject("ServiceAccount", "storage-provisioner", "kube-system")], bootstrap=False),
    ]
    ks, kp = "kube-system", "kube-public"
    leader = [_rule(["coordination.k8s.io"], ["leases"], ["watch"])]
    roles = [
        role("extension-apiserver-authentication-reader", ks, [_rule([""], ["configmaps"], ["get", "list", "watch"], ["extension-apiserver-authentication"])]),
        role("system::leader-locking-kube-controller-manager", ks, [_rule([""], ["configmaps"], ["watch"]),
                                                                    _rule([""], ["configmaps"], ["get", "update"], ["kube-controller-manager"]), *leader]),
        role("system::leader-locking-kube-scheduler", ks, [_rule([""], ["configmaps"], ["watch"]),
                                                           _rule([""], ["configmaps"], ["get", "update"], ["kube-scheduler"]), *leader]),
        role("system:controller:bootstrap-signer", ks, [_rule([""], ["secrets"], ["get", "list", "watch"])]),
        role("system:controller:cloud-provider", ks, [_rule([""], ["configmaps"], ["create", "get", "list", "watch"])]),
        role("system:controller:token-cleaner", ks, [_rule([""], ["secrets"], ["delete", "get", "list", "watch"]),
                                                     _rule(["", "events.k8s.io"], ["events"], ["create", "patch", "update"])]),
        role("system:controller:bootstrap-signer", kp, [_rule([""], ["configmaps"], ["get", "list", "watch"]),
                                                        _rule([""], ["configmaps"], ["update"], ["cluster-info"]),
                                                        _rule(["", "events.k8s.io"], ["events"], ["create", "patch", "update"])]),
        role("kube-proxy", ks, [_rule([""], ["configmaps"], ["get"], ["kube-proxy"])], bootstrap=False),
        role("kubeadm:kubelet-config", ks, [_rule([""], ["configmaps"], ["get"], ["kubelet-config"])], bootstrap=False),
        role("kubeadm:nodes-kubeadm-config", ks, [_rule([""], ["configmaps"], ["get"], ["kubeadm-config"])], bootstrap=False),
        role("kubeadm:bootstrap-signer-clusterinfo", kp, [_rule([""], ["configmaps"], ["get"], ["cluster-info"])], bootstrap=False),
        role("system:persistent-volume-provisioner", ks, [_rule([""], ["endpoints"], ["watch", "create"]),
                                                          _rule([""], ["endpoints"], ["get", "update", "patch"], ["k8s.io-minikube-hostpath"])],
             bootstrap=False),
    ]
    nodes = subject("Group", "system:nodes")
    bootstrappers = subject("Group", "system:bootstrappers:kubeadm:default-node-token")
    role_bindings = [
        binding("system::extension-apiserver-authentication-reader", ks, "Role", "extension-apiserver-authentication-reader",
                [subject("User", "system:kube-controller-manager"), subject("User", "system:kube-scheduler")]),
        binding("system::leader-locking-kube-controller-manager", ks, "Role", "system::leader-locking-kube-controller-manager",
                [subject("User", "system:kube-controller-manager"), subject("ServiceAccount", "kube-controller-manager", ks)]),
        binding("system::leader-locking-kube-scheduler", ks, "Role", "system::leader-locking-kube-scheduler",
                [subject("User", "system:kube-scheduler"), subject("ServiceAccount", "kube-scheduler", ks)]),
        binding("system:controller:bootstrap-signer", ks, "Role", "system:controller:bootstrap-signer",
                [subject("ServiceAccount", "bootstrap-signer", ks)]),
        binding("system:controller:cloud-provider", ks, "Role", "system:controller:cloud-provider",
                [subject("ServiceAccount", "cloud-provider", ks)]),
        binding("system:controller:token-cleaner", ks, "Role", "system:controller:token-cleaner",
                [subject("ServiceAccount", "token-cleaner", ks)]),
        binding("system:controller:bootstrap-signer", kp, "Role", "system:controller:bootstrap-signer",
                [subject("ServiceAccount", "bootstrap-signer", ks)]),
        binding("kube-proxy", ks, "Role", "kube-proxy", [bootstrappers], bootstrap=False),
        binding("kubeadm:kubelet-config", ks, "Role", "kubeadm:kubelet-config", [nodes, bootstrappers], bootstrap=False),
        binding("kubeadm:nodes-kubeadm-config", ks, "Role", "kubeadm:nodes-kubeadm-config", [bootstrappers, nodes], bootstrap=False),
        binding("kubeadm:bootstrap-signer-clusterinfo", kp, "Role", "kubeadm:bootstrap-signer-clusterinfo",
                [subject("User", "system:anonymous")], bootstrap=False),
        binding("system:persistent-volume-provisioner", ks, "Role", "system:persistent-volume-provisioner",
                [subject("ServiceAccount", "storage-provisioner", ks)], bootstrap=False),
    ]
    return [*user_roles, *_system_cluster_roles(), *kubeadm, *bindings, *roles, *role_bindings]
