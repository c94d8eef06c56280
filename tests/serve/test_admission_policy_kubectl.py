"""ValidatingAdmissionPolicies through the real kubectl against `k9py serve`: the Kubernetes docs'
example applied, listed with kubectl's columns, denying and warning with the apiserver's words."""

from __future__ import annotations

import re
import sys
from pathlib import Path

KUBECTL = str(Path(sys.executable).with_name("kubectl"))

DOCS_EXAMPLE = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "demo-policy.example.com"
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  validations:
    - expression: "object.spec.replicas <= 5"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "demo-binding-test.example.com"
spec:
  policyName: "demo-policy.example.com"
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: test
"""

DENIAL = ("ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' "
          "denied request: failed expression: object.spec.replicas <= 5")


def test_the_docs_policy_denies_with_the_apiservers_words(kubectl):
    applied = kubectl("apply", "-f", "-", stdin=DOCS_EXAMPLE)
    assert applied.returncode == 0, applied.stderr
    listed = kubectl("get", "validatingadmissionpolicies").stdout.splitlines()
    assert listed[0].split() == ["NAME", "VALIDATIONS", "PARAMKIND", "AGE"]
    assert listed[1].split()[:3] == ["demo-policy.example.com", "1", "<unset>"]
    bindings = kubectl("get", "validatingadmissionpolicybindings").stdout.splitlines()
    assert bindings[0].split() == ["NAME", "POLICYNAME", "PARAMREF", "AGE"]
    assert bindings[1].split()[:3] == ["demo-binding-test.example.com", "demo-policy.example.com", "<unset>"]
    assert kubectl("create", "namespace", "vap-test").returncode == 0
    assert kubectl("label", "namespace", "vap-test", "environment=test").returncode == 0

    denied = kubectl("create", "deployment", "nginx", "--image=nginx:1.27", "--replicas=7", "-n", "vap-test", check=False)
    assert denied.returncode == 1
    assert denied.stderr.strip() == f'error: failed to create deployment: deployments.apps "nginx" is forbidden: {DENIAL}'
    assert kubectl("create", "deployment", "nginx", "--image=nginx:1.27", "--replicas=2", "-n", "vap-test").returncode == 0
    patched = kubectl("patch", "deployment", "nginx", "-n", "vap-test", "-p", '{"spec":{"replicas":8}}', check=False)
    assert patched.returncode == 1
    assert patched.stderr.strip() == f'The deployments "nginx" is invalid: : {DENIAL}'
    # kubectl scale goes through the scale subresource, which the policy's "deployments" does not name
    assert kubectl("scale", "deployment", "nginx", "-n", "vap-test", "--replicas=9").returncode == 0
    # outside the selected namespaces the policy does not apply
    assert kubectl("create", "deployment", "big", "--image=nginx:1.27", "--replicas=7").returncode == 0
    kinds = {ln.split()[-1] for ln in kubectl("api-resources").stdout.splitlines()[1:]}
    assert {"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"} <= kinds


def test_warn_prints_a_warning_and_keeps_the_object(kubectl):
    manifest = DOCS_EXAMPLE.replace("demo-policy.example.com", "warn-policy").replace(
        "demo-binding-test.example.com", "warn-binding").replace("[Deny]", "[Warn]").replace(
        "<= 5", "<= 1").replace("environment: test", "warned: \"yes\"")
    assert kubectl("apply", "-f", "-", stdin=manifest).returncode == 0
    assert kubectl("create", "namespace", "warned").returncode == 0
    assert kubectl("label", "namespace", "warned", "warned=yes").returncode == 0
    made = kubectl("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "-n", "warned")
    assert made.returncode == 0, made.stderr
    assert re.search(r"^Warning: Validation failed for ValidatingAdmissionPolicy 'warn-policy' with binding "
                     r"'warn-binding': failed expression: object.spec.replicas <= 1$", made.stderr, re.M), made.stderr
    assert "deployment.apps/web created" in made.stdout
