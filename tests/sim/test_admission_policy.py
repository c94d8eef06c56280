"""ValidatingAdmissionPolicy and its bindings: stored as the apiserver checks them, enforced on the
API's creates, updates and deletes (the controllers' own included), as the apiserver's plugin does."""

from __future__ import annotations

import pytest

from k9py.kube.status import ApiError
from k9py.sim import admission_policy
from k9py.sim.cluster import Cluster

V1 = "admissionregistration.k8s.io/v1"


def policy(name: str, expression: str, *, resources: list[str] | None = None, group: str = "apps",
           operations: list[str] | None = None, **spec: object) -> dict:
    rules = [{"apiGroups": [group], "apiVersions": ["v1"], "operations": operations or ["CREATE", "UPDATE"],
              "resources": resources or ["deployments"]}]
    return {"apiVersion": V1, "kind": "ValidatingAdmissionPolicy", "metadata": {"name": name},
            "spec": {"matchConstraints": {"resourceRules": rules}, "validations": [{"expression": expression}], **spec}}


def binding(name: str, policy_name: str, actions: list[str] | None = None, **spec: object) -> dict:
    return {"apiVersion": V1, "kind": "ValidatingAdmissionPolicyBinding", "metadata": {"name": name},
            "spec": {"policyName": policy_name, "validationActions": actions or ["Deny"], **spec}}


def deployment(name: str, replicas: int, ns: str = "default", image: str = "nginx:1.27") -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "web", "image": image}]}}}}


@pytest.fixture
def cluster() -> Cluster:
    c = Cluster(seed=0)
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "test", "labels": {"environment": "test"}}})
    return c


def test_the_docs_example_denies_too_many_replicas_in_a_selected_namespace_only(cluster):
    cluster.create(policy("demo-policy.example.com", "object.spec.replicas <= 5"))
    cluster.create(binding("demo-binding-test.example.com", "demo-policy.example.com",
                           matchResources={"namespaceSelector": {"matchLabels": {"environment": "test"}}}))
    with pytest.raises(ApiError) as denied:
        cluster.create(deployment("nginx", 7, "test"))
    status = denied.value.to_status()
    cause = ("ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' "
             "denied request: failed expression: object.spec.replicas <= 5")
    assert (status["code"], status["reason"]) == (422, "Invalid")
    assert status["message"] == f'deployments.apps "nginx" is forbidden: {cause}'
    assert status["details"] == {"name": "nginx", "group": "apps", "kind": "deployments", "causes": [{"message": cause}]}
    assert cluster.store.get("Deployment", "test", "nginx") is None
    cluster.create(deployment("nginx", 7, "default"))  # the binding selects labelled namespaces only
    made = cluster.create(deployment("nginx", 3, "test"))
    with pytest.raises(ApiError, match="denied request"):  # an update is checked too
        cluster.replace({**made, "spec": {**made["spec"], "replicas": 6}})
    # the scale subresource is not "deployments": scaling goes through, as it does on a real cluster
    stored = cluster.store.get("Deployment", "test", "nginx")
    cluster.replace({**stored, "spec": {**stored["spec"], "replicas": 9}}, subresource="scale")
    assert cluster.store.get("Deployment", "test", "nginx")["spec"]["replicas"] == 9


def test_a_rule_for_the_scale_subresource_sees_the_scale(cluster):
    cluster.create(policy("scale-cap", "object.kind == 'Scale' && object.spec.replicas <= 4",
                          resources=["deployments/scale"]))
    cluster.create(binding("scale-cap", "scale-cap"))
    made = cluster.create(deployment("web", 2))
    cluster.replace({**made, "spec": {**made["spec"], "replicas": 8}})  # not the subresource: allowed
    stored = cluster.store.get("Deployment", "default", "web")
    with pytest.raises(ApiError, match="scale-cap"):
        cluster.replace({**stored, "spec": {**stored["spec"], "replicas": 5}}, subresource="scale")


def test_warn_sends_the_failure_as_a_warning_and_lets_the_request_through(cluster):
    cluster.create(policy("pinned", "object.spec.template.spec.containers.all(c, !c.image.endsWith(':latest'))",
                          validations=[{"expression": "object.spec.template.spec.containers.all(c, !c.image.endsWith(':latest'))",
                                        "messageExpression": "'unpinned image in ' + object.metadata.name"}]))
    cluster.create(binding("pinned", "pinned", ["Warn"]))
    warnings: list[str] = []
    token = admission_policy.WARNINGS.set(warnings)
    try:
        cluster.create(deployment("web", 1, image="nginx:latest"))
    finally:
        admission_policy.WARNINGS.reset(token)
    assert warnings == ["Validation failed for ValidatingAdmissionPolicy 'pinned' with binding 'pinned': "
                        "unpinned image in web"]
    assert cluster.store.get("Deployment", "default", "web") is not None


def test_a_replicaset_whose_pods_a_policy_refuses_reports_failed_create(cluster):
    cluster.create(policy("no-busybox", "!object.spec.containers.exists(c, c.image.startsWith('busybox'))",
                          resources=["pods"], group="",
                          validations=[{"expression": "!object.spec.containers.exists(c, c.image.startsWith('busybox'))",
                                        "message": "busybox is not allowed here", "reason": "Forbidden"}]))
    cluster.create(binding("no-busybox", "no-busybox"))
    cluster.create(deployment("box", 1, image="busybox:1.36"))
    cluster.advance(5)
    assert [p for p in cluster.store.list("Pod", "default") if p["metadata"]["name"].startswith("box-")] == []
    failed = [e for e in cluster.store.list("Event", "default") if e["reason"] == "FailedCreate"]
    assert failed and failed[0]["involvedObject"]["kind"] == "ReplicaSet"
    assert failed[0]["message"].startswith('Error creating: pods "box-')
    assert failed[0]["message"].endswith("is forbidden: ValidatingAdmissionPolicy 'no-busybox' with binding "
                                         "'no-busybox' denied request: busybox is not allowed here")


def test_params_variables_and_match_conditions(cluster):
    cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "limits", "namespace": "test"},
                    "data": {"max": "4"}})
    cluster.create(policy("max-from-params", "object.spec.replicas <= variables.max",
                          paramKind={"apiVersion": "v1", "kind": "ConfigMap"},
                          variables=[{"name": "max", "expression": "int(params.data.max)"}],
                          matchConditions=[{"name": "not-exempt",
                                            "expression": "!has(object.metadata.labels) || !('exempt' in object.metadata.labels)"}],
                          validations=[{"expression": "object.spec.replicas <= variables.max",
                                        "messageExpression": "'at most ' + string(variables.max) + ' replicas'"}]))
    cluster.create(binding("max", "max-from-params",
                           paramRef={"name": "limits", "parameterNotFoundAction": "Deny"}))
    with pytest.raises(ApiError, match=r"denied request: at most 4 replicas$"):
        cluster.create(deployment("a", 5, "test"))
    cluster.create(deployment("b", 4, "test"))
    exempt = deployment("c", 9, "test")
    exempt["metadata"]["labels"] = {"exempt": "yes"}
    cluster.create(exempt)  # its match condition is false: the policy does not apply
    # in a namespace without the ConfigMap the binding cannot find its params: Deny says refuse
    with pytest.raises(ApiError, match="no params found for policy binding with `Deny` parameterNotFoundAction"):
        cluster.create(deployment("d", 1, "default"))


def test_failure_policy_decides_what_an_evaluation_error_does(cluster):
    cluster.create(policy("strict", "object.spec.paused == false"))
    cluster.create(binding("strict", "strict"))
    with pytest.raises(ApiError, match=r"expression 'object.spec.paused == false' resulted in error: no such key: paused"):
        cluster.create(deployment("web", 1))
    lenient = cluster.store.get("ValidatingAdmissionPolicy", None, "strict")
    cluster.replace({**lenient, "spec": {**lenient["spec"], "failurePolicy": "Ignore"}})
    cluster.create(deployment("web", 1))


def test_delete_is_checked_against_the_old_object_and_the_policies_themselves_are_exempt(cluster):
    cluster.create(policy("keep-prod", "oldObject.metadata.name != 'prod'", operations=["DELETE"]))
    cluster.create(binding("keep-prod", "keep-prod"))
    cluster.create(deployment("prod", 1))
    with pytest.raises(ApiError, match="keep-prod"):
        cluster.delete("Deployment", "default", "prod")
    everything = policy("deny-all", "false", resources=["*"], group="*", operations=["*"])
    everything["spec"]["matchConstraints"]["resourceRules"][0]["apiVersions"] = ["*"]
    cluster.create(everything)
    cluster.create(binding("deny-all", "deny-all"))
    with pytest.raises(ApiError, match="deny-all"):
        cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default"}})
    cluster.delete("ValidatingAdmissionPolicyBinding", None, "deny-all")  # never locked out of removing it
    cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "default"}})


def test_policies_and_bindings_are_validated_as_the_apiserver_validates_them(cluster):
    with pytest.raises(ApiError) as bad:
        cluster.create(policy("broken", "object.spec.replicas <="))
    assert bad.value.code == 422
    assert ('spec.validations[0].expression: Invalid value: "object.spec.replicas <=": compilation failed: '
            "ERROR: <input>:1:23: Syntax error: mismatched input '<EOF>'") in bad.value.message
    with pytest.raises(ApiError, match="undeclared reference to 'obj'"):
        cluster.create(policy("typo", "obj.spec.replicas < 3"))
    with pytest.raises(ApiError, match=r"spec\.validationActions: Required value: at least one validation action is required"):
        cluster.create({**binding("b", "p"), "spec": {"policyName": "p"}})
    with pytest.raises(ApiError, match="must not contain both Deny and Warn"):
        cluster.create(binding("b", "p", ["Deny", "Warn"]))
    made = cluster.create(policy("ok", "true"))
    assert made["spec"]["failurePolicy"] == "Fail"
    assert made["spec"]["matchConstraints"]["matchPolicy"] == "Equivalent"
    assert made["spec"]["matchConstraints"]["resourceRules"][0]["scope"] == "*"


def test_a_policy_reports_the_generation_it_has_observed(cluster):
    made = cluster.create(policy("observed", "true"))
    assert made["metadata"]["generation"] == 1
    cluster.settle()
    assert cluster.store.get("ValidatingAdmissionPolicy", None, "observed")["status"] == {
        "observedGeneration": 1, "typeChecking": {}}
    stored = cluster.store.get("ValidatingAdmissionPolicy", None, "observed")
    cluster.replace({**stored, "spec": {**stored["spec"], "validations": [{"expression": "false"}]}})
    cluster.settle()
    after = cluster.store.get("ValidatingAdmissionPolicy", None, "observed")
    assert after["metadata"]["generation"] == 2 and after["status"]["observedGeneration"] == 2


def test_authorizer_asks_the_clusters_rbac(cluster):
    builder = "authorizer.serviceAccount('default', 'builder').group('apps').resource('deployments')"
    check = f"{builder}.namespace(object.metadata.namespace).check('create').allowed()"
    cluster.create(policy("builder-may-create", check, validations=[{
        "expression": check, "messageExpression": "'builder may not create deployments in ' + object.metadata.namespace"}]))
    cluster.create(binding("builder-may-create", "builder-may-create"))
    with pytest.raises(ApiError, match=r"denied request: builder may not create deployments in default$"):
        cluster.create(deployment("web", 1))
    cluster.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                    "metadata": {"name": "builder-edit", "namespace": "default"},
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
                    "subjects": [{"kind": "ServiceAccount", "name": "builder", "namespace": "default"}]})
    cluster.create(deployment("web", 1))
    # reason(): RBAC's words; the request's own resource and a path, checked for the requesting user
    said = f"{builder}.namespace('default').check('create').reason()"
    cluster.create(policy("explain", "false", resources=["configmaps"], group="",
                          validations=[{"expression": "authorizer.requestResource.check('delete').allowed() && "
                                                      "authorizer.path('/healthz').check('get').allowed() && false",
                                        "messageExpression": said}]))
    cluster.create(binding("explain", "explain"))
    with pytest.raises(ApiError, match=r"denied request: RBAC: allowed by RoleBinding \"builder-edit/default\""):
        cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}})
    # a function or method no library has is refused when the policy is stored, as the apiserver's
    # type check refuses it (it would deny every request it matched under failurePolicy: Fail)
    for typo in ("authorizer.nope()", "object.metadata.name.startswith('a')", "format('x')"):
        with pytest.raises(ApiError, match=r"compilation failed: ERROR: <input>:1:[0-9]+: undeclared reference to"):
            cluster.create(policy("typo", typo, resources=["secrets"], group=""))


def test_kubectl_debugs_ephemeral_container_update_is_checked_too(cluster):
    """pods/ephemeralcontainers (kubectl debug) went round every policy."""
    cluster.create(policy("no-debug", "false", resources=["pods/ephemeralcontainers"], group="",
                          operations=["UPDATE"]))
    cluster.create(binding("no-debug", "no-debug"))
    pod = cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
                          "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}})
    debug = {**pod, "spec": {**pod["spec"], "ephemeralContainers": [
        {"name": "debugger", "image": "busybox:1.36", "stdin": True, "tty": True}]}}
    with pytest.raises(ApiError, match="ValidatingAdmissionPolicy 'no-debug'"):
        cluster.replace(debug, subresource="ephemeralcontainers")
    assert "ephemeralContainers" not in cluster.store.get("Pod", "default", "p")["spec"]


def test_a_controllers_creates_are_checked_as_its_service_account(cluster):
    """Pods a ReplicaSet creates were checked as the cluster's admin: a policy's request.userInfo
    is the controller's ServiceAccount, as kube-controller-manager's writes are."""
    who = "request.userInfo.username"
    cluster.create(policy("who", f"{who} != 'system:serviceaccount:kube-system:replicaset-controller'",
                          resources=["pods"], group="", validations=[{
                              "expression": f"{who} != 'system:serviceaccount:kube-system:replicaset-controller'",
                              "messageExpression": f"'created by ' + {who}"}]))
    cluster.create(binding("who", "who"))
    cluster.create(deployment("web", 1))
    cluster.advance(3)
    failed = [e["message"] for e in cluster.store.list("Event", "default") if e["reason"] == "FailedCreate"]
    assert failed and failed[0].endswith("created by system:serviceaccount:kube-system:replicaset-controller")
    # a pod created directly is the requester's own (the cluster's admin here), not the controller's
    cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
                    "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}})
