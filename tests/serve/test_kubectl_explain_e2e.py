"""End to end: `kubectl explain` (OpenAPI v3, and v2 in protobuf with --output=plaintext-openapiv2)
against `k9py serve`: every served kind, with descriptions, nested fields and --recursive."""

from __future__ import annotations

import json

import pytest

from k9py.kube.resources import Registry
from k9py.serve import metrics as metrics_api
from tests.crds import crontab_crd
from tests.serve.test_kubectl_e2e import Server

pytestmark = pytest.mark.e2e

SCENARIO = """\
apiVersion: k9py.dev/v1alpha1
kind: SimCluster
metadata:
  name: explain
"""


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("explain")
    (tmp / "cluster.yaml").write_text(SCENARIO)
    s = Server(tmp, "--scenario", str(tmp / "cluster.yaml"))
    yield s
    assert s.stop() == 0


def test_explain_a_nested_field(srv):
    out = srv.kubectl("explain", "pod.spec.containers").stdout
    assert "KIND:       Pod" in out and "VERSION:    v1" in out
    assert "FIELD: containers <[]Container>" in out
    assert "List of containers belonging to the pod." in out
    assert "image\t<string>\n    Container image name" in out
    assert "name\t<string> -required-" in out
    assert "resources\t<ResourceRequirements>" in out
    out = srv.kubectl("explain", "deployment.spec.strategy.rollingUpdate.maxSurge").stdout
    assert "FIELD: maxSurge <IntOrString>" in out
    assert "GROUP:      apps" in out


def test_explain_shows_an_enum_fields_values(srv):
    """The values of an enum field (what a learner looks up with `kubectl explain svc.spec.type`):
    ENUM: under the field explained, `enum:` under a field listed, in v2 too."""
    out = srv.kubectl("explain", "svc.spec.type").stdout
    assert "FIELD: type <string>\nENUM:\n    ClusterIP\n    ExternalName\n    LoadBalancer\n    NodePort\n\nDESCRIPTION:" in out
    out = srv.kubectl("explain", "deployment.spec.strategy").stdout
    assert "  type\t<string>\n  enum: Recreate, RollingUpdate\n    How old pods are replaced" in out
    out = srv.kubectl("explain", "pod.spec.containers").stdout
    assert "  imagePullPolicy\t<string>\n  enum: Always, IfNotPresent, Never\n" in out
    v2 = srv.kubectl("explain", "pod.spec.restartPolicy", "--output=plaintext-openapiv2").stdout
    assert "restartPolicy" in v2


def test_explain_recursive(srv):
    out = srv.kubectl("explain", "deployments", "--recursive").stdout
    for line in ("  spec\t<DeploymentSpec> -required-", "      spec\t<PodSpec>", "        containers\t<[]Container> -required-",
                 "          readinessProbe\t<Probe>", "            httpGet\t<HTTPGetAction>",
                 "        tolerations\t<[]Toleration>", "  status\t<DeploymentStatus>"):
        assert line in out.splitlines(), line


def test_explain_every_served_kind(srv):
    for r in (*Registry().served, metrics_api.NODES, metrics_api.PODS):
        out = srv.kubectl("explain", r.plural, f"--api-version={r.api_version}").stdout
        assert f"KIND:       {r.kind}\n" in out, r
        desc = out.split("DESCRIPTION:\n", 1)[1].split("FIELDS:", 1)[0].strip()
        assert desc and "<empty>" not in desc, r
        assert "  metadata\t<ObjectMeta>" in out, r
        assert srv.kubectl("explain", r.plural, f"--api-version={r.api_version}", "--recursive").returncode == 0


def test_explain_from_the_v2_protobuf_document(srv):
    out = srv.kubectl("explain", "pods.spec.containers.ports", "--output=plaintext-openapiv2").stdout
    assert "RESOURCE: ports <[]Object>" in out
    assert "containerPort\t<integer> -required-" in out
    assert "Port number the container listens on" in out
    out = srv.kubectl("explain", "cronjobs.spec.schedule", "--output=plaintext-openapiv2").stdout
    assert "FIELD:    schedule <string>" in out and "Cron format" in out


def test_explain_a_custom_resource_by_its_crd_schema(srv):
    srv.kubectl("apply", "-f", "-", stdin=json.dumps(crontab_crd()))
    srv.kubectl("wait", "--for=condition=Established", "crd/crontabs.stable.example.com", "--timeout=30s")
    out = srv.kubectl("explain", "crontabs.spec").stdout
    assert "GROUP:      stable.example.com" in out and "KIND:       CronTab" in out
    assert "cronSpec\t<string>" in out and "replicas\t<integer>" in out
