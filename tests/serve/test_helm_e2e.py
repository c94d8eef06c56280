"""End to end: Helm 3's whole life cycle against `k9py serve`, with OpenAPI validation on.

The chart (tests/serve/charts/hello): a ConfigMap, a Deployment of nginx with a readiness probe, its
Service, a pre-install Job (deleted once it succeeds), a post-install/post-upgrade Job and a test pod
that `wget`s the Service. Helm keeps its releases in Secrets (`owner=helm` labels) and waits (`--wait`)
on watches of the Deployment and Jobs. One server per module on a one-node cluster, run fast; no sleeps:
Helm's own `--wait`/`--timeout` and kubectl polls against deadlines.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.serve.helm_bin import helm_path
from tests.serve.test_kubectl_e2e import Server

pytestmark = pytest.mark.e2e

CHART = str(Path(__file__).with_name("charts") / "hello")
SCENARIO = """\
apiVersion: k9py.dev/v1alpha1
kind: SimCluster
metadata:
  name: helm-e2e
spec:
  nodes:
  - name: node-1
    cpu: "4"
    memory: 8Gi
"""


@pytest.fixture(scope="module")
def helm_bin() -> str:
    path, why = helm_path()
    if path is None:
        pytest.skip(why)
    return path


class Helm:
    def __init__(self, srv: Server, binary: str) -> None:
        self.srv = srv
        self.binary = binary

    def __call__(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        env = {**self.srv.env(), "HELM_CACHE_HOME": str(self.srv.cache / "helm-cache"),
               "HELM_CONFIG_HOME": str(self.srv.cache / "helm-config"),
               "HELM_DATA_HOME": str(self.srv.cache / "helm-data")}
        p = subprocess.run([self.binary, "--kubeconfig", str(self.srv.kubeconfig), *args], env=env, text=True,
                           capture_output=True, timeout=timeout)
        if check and p.returncode != 0:
            raise AssertionError(f"helm {' '.join(args)} failed ({p.returncode}): {p.stderr}")
        assert "WARNING: Kubernetes configuration file is" not in p.stderr, "the kubeconfig is 0600"
        return p

    def status(self, release: str, *ns: str) -> dict:
        return json.loads(self(*ns, "status", release, "-o", "json").stdout)


@pytest.fixture(scope="module")
def srv(tmp_path_factory, helm_bin):
    tmp = tmp_path_factory.mktemp("helm")
    scenario = tmp / "cluster.yaml"
    scenario.write_text(SCENARIO)
    s = Server(tmp, "--scenario", str(scenario))
    yield s
    assert s.stop() == 0


@pytest.fixture(scope="module")
def helm(srv, helm_bin) -> Helm:
    return Helm(srv, helm_bin)


def _deployment(srv: Server, name: str, ns: str = "default") -> dict:
    return srv.json("get", "deployment", name, "-n", ns)


def _gone(srv: Server, *what: str, ns: str = "default") -> bool:
    p = srv.kubectl("get", *what, "-n", ns, "--ignore-not-found", "-o", "name", check=False)
    return p.returncode == 0 and p.stdout.strip() == ""


def _release_secrets(srv: Server, release: str, ns: str = "default") -> list[str]:
    items = srv.json("get", "secrets", "-n", ns, "-l", f"owner=helm,name={release}")["items"]
    return sorted(s["metadata"]["name"] for s in items)


def test_helm_binary_is_helm_3(helm):
    assert helm("version", "--short").stdout.startswith("v3.")


def test_install_runs_hooks_and_waits(srv, helm):
    p = helm("install", "web", CHART, "--wait", "--timeout", "90s")
    assert "STATUS: deployed" in p.stdout
    st = helm.status("web")
    assert (st["info"]["status"], st["version"]) == ("deployed", 1)
    dep = _deployment(srv, "web-hello")
    assert dep["status"].get("readyReplicas") == 2, "--wait returned only once the Deployment was ready"
    # hook-delete-policy hook-succeeded: the pre-install Job is gone; the post-install one completed.
    assert _gone(srv, "job", "web-hello-pre-install")
    post = srv.json("get", "job", "web-hello-post-install")
    assert post["status"].get("succeeded") == 1
    assert "installed revision 1" in srv.kubectl("logs", "job/web-hello-post-install").stdout
    assert post["metadata"]["annotations"]["helm.sh/hook"] == "post-install,post-upgrade"
    # The release lives in a Secret of type helm.sh/release.v1, found by its labels.
    assert _release_secrets(srv, "web") == ["sh.helm.release.v1.web.v1"]
    sec = srv.json("get", "secret", "sh.helm.release.v1.web.v1")
    assert sec["type"] == "helm.sh/release.v1"
    assert sec["metadata"]["labels"]["status"] == "deployed"
    assert "web" in helm("list", "-q").stdout.split()


def test_helm_test_pod_reaches_the_service(srv, helm):
    p = helm("test", "web", "--logs", "--timeout", "60s")
    assert "Phase:          Succeeded" in p.stdout
    assert "Welcome to nginx!" in p.stdout, "the test pod's wget fetched nginx's page through the Service"
    pod = srv.json("get", "pod", "web-hello-test-connection")
    assert pod["status"]["phase"] == "Succeeded"


def test_upgrade_then_rollback(srv, helm):
    p = helm("upgrade", "web", CHART, "--set", "replicaCount=3", "--set", "greeting=bonjour", "--wait", "--timeout", "90s")
    assert "REVISION: 2" in p.stdout
    assert _deployment(srv, "web-hello")["status"].get("readyReplicas") == 3
    assert srv.json("get", "configmap", "web-hello")["data"]["greeting"] == "bonjour"
    # post-upgrade: before-hook-creation replaced the Job, which ran for revision 2.
    assert "installed revision 2" in srv.kubectl("logs", "job/web-hello-post-install").stdout
    history = json.loads(helm("history", "web", "-o", "json").stdout)
    assert [(h["revision"], h["status"]) for h in history] == [(1, "superseded"), (2, "deployed")]

    p = helm("rollback", "web", "1", "--wait", "--timeout", "90s")
    assert "Rollback was a success" in p.stdout
    assert _deployment(srv, "web-hello")["status"].get("readyReplicas") == 2
    assert srv.json("get", "configmap", "web-hello")["data"]["greeting"] == "hello"
    history = json.loads(helm("history", "web", "-o", "json").stdout)
    assert [(h["revision"], h["status"]) for h in history] == [(1, "superseded"), (2, "superseded"), (3, "deployed")]
    assert _release_secrets(srv, "web") == [f"sh.helm.release.v1.web.v{i}" for i in (1, 2, 3)]


def test_uninstall_removes_the_release(srv, helm):
    p = helm("uninstall", "web", "--wait", "--timeout", "60s")
    assert 'release "web" uninstalled' in p.stdout
    for what in (("deployment", "web-hello"), ("service", "web-hello"), ("configmap", "web-hello")):
        assert _gone(srv, *what), what
    assert _release_secrets(srv, "web") == []
    assert helm("list", "-q").stdout.split() == []


def test_create_namespace_and_atomic(srv, helm):
    p = helm("install", "api", CHART, "-n", "team-a", "--create-namespace", "--atomic", "--wait", "--timeout", "90s")
    assert "NAMESPACE: team-a" in p.stdout
    assert srv.json("get", "namespace", "team-a")["status"]["phase"] == "Active"
    assert _deployment(srv, "api-hello", "team-a")["status"].get("readyReplicas") == 2
    assert helm.status("api", "-n", "team-a")["info"]["status"] == "deployed"


def test_atomic_install_that_never_gets_ready_is_rolled_back(srv, helm):
    # The pods never become ready: --wait times out and --atomic uninstalls what it created.
    p = helm("install", "stuck", CHART, "--atomic", "--wait", "--timeout", "6s",
             "--set-string", "podAnnotations.k9py\\.sim/never-ready=true", check=False)
    assert p.returncode != 0
    assert "has been uninstalled due to atomic being set" in p.stderr
    assert _gone(srv, "deployment", "stuck-hello")
    assert _release_secrets(srv, "stuck") == []


def test_install_refused_by_server_validation(srv, helm):
    # A value of the wrong type reaches the server, whose decoding refuses it (Strict validation).
    p = helm("install", "typo", CHART, "--set", "podAnnotations.note=true", check=False)
    assert p.returncode != 0
    # Go's decoder names the map's field, not the key (as a cluster says it)
    assert ("json: cannot unmarshal bool into Go struct field ObjectMeta.spec.template.metadata.annotations "
            "of type string") in p.stderr


def test_template_validate_checks_against_the_server(helm):
    p = helm("template", "tpl", CHART, "--validate")
    assert "kind: Deployment" in p.stdout
    p = helm("template", "tpl", CHART, "--validate", "--set", "bogus=true", check=False)
    assert p.returncode != 0
    assert 'no matches for kind "Bogus" in version "example.com/v1"' in p.stderr


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-v"]))
