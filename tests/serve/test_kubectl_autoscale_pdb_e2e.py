"""End to end with the real kubectl: a HorizontalPodAutoscaler that scales a Deployment as its
load (``k9py.sim/cpu-load``) moves, and a PodDisruptionBudget that holds `kubectl drain` until its
--timeout, then lets it through once the budget allows a disruption."""

from __future__ import annotations

import re

import pytest

from tests.serve.test_kubectl_e2e import Server

pytestmark = pytest.mark.e2e

PHP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: php-apache
spec:
  replicas: 1
  selector:
    matchLabels: {app: php-apache}
  template:
    metadata:
      labels: {app: php-apache}
    spec:
      containers:
      - name: php-apache
        image: registry.k8s.io/hpa-example
        resources:
          requests: {cpu: 200m}
"""

GUARDED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: guarded
spec:
  replicas: 1
  selector:
    matchLabels: {app: guarded}
  template:
    metadata:
      labels: {app: guarded}
    spec:
      containers:
      - name: web
        image: nginx:1.25
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: guarded
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: guarded}
"""


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("hpa-pdb"))
    yield s
    assert s.stop() == 0


def _hpa_row(srv: Server) -> list[str]:
    out = srv.kubectl("get", "hpa", "php-apache").stdout.splitlines()
    assert out[0].split() == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    return re.split(r"\s{2,}", out[1].strip())


def test_autoscale_follows_the_load(srv, tmp_path):
    f = tmp_path / "php.yaml"
    f.write_text(PHP)
    srv.kubectl("apply", "-f", str(f))
    srv.kubectl("wait", "--for=condition=Available", "deployment/php-apache", "--timeout=40s", timeout=45)
    out = srv.kubectl("autoscale", "deployment", "php-apache", "--cpu-percent=50", "--min=1", "--max=5")
    assert out.stdout.strip() == "horizontalpodautoscaler.autoscaling/php-apache autoscaled"
    row = _hpa_row(srv)
    assert row[:5] == ["php-apache", "Deployment/php-apache", row[2], "1", "5"]
    assert re.fullmatch(r"cpu: (<unknown>|\d+%)/50%", row[2])

    # the load generator: 800m spread over the ready pods, 400% of one pod's request
    srv.kubectl("annotate", "deployment", "php-apache", "k9py.sim/cpu-load=800m")
    row = srv.until("the HPA to reach its maximum", lambda: (lambda r: r if r[5] == "5" else None)(_hpa_row(srv)), timeout=60)
    srv.until("80% on 5 pods", lambda: _hpa_row(srv)[2] == "cpu: 80%/50%", timeout=30)
    events = srv.kubectl("get", "events", "--field-selector", "involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale",
                         "-o", "jsonpath={range .items[*]}{.message}{'\\n'}{end}").stdout
    assert "New size: 4; reason: cpu resource utilization (percentage of request) above target" in events.splitlines()
    top = srv.kubectl("top", "pods", "-l", "app=php-apache", "--no-headers").stdout.splitlines()
    assert len(top) == 5 and all(line.split()[1] == "160m" for line in top)
    hpa = srv.json("get", "hpa", "php-apache")
    conds = {c["type"]: (c["status"], c["reason"]) for c in hpa["status"]["conditions"]}
    assert conds["ScalingActive"] == ("True", "ValidMetricFound")
    assert conds["ScalingLimited"] == ("True", "TooManyReplicas")
    assert hpa["status"]["currentMetrics"] == [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 80, "averageValue": "160m"}}}]
    described = srv.kubectl("describe", "hpa", "php-apache").stdout
    assert re.search(r"resource cpu on pods\s+\(as a percentage of request\):\s+80% \(160m\) / 50%", described)

    # the load goes away: after the 300 s stabilisation window it scales back to the minimum
    srv.kubectl("annotate", "--overwrite", "deployment", "php-apache", "k9py.sim/cpu-load=50m")
    srv.until("the scale-down to 1", lambda: _hpa_row(srv)[5] == "1", timeout=60)
    assert srv.json("get", "deployment", "php-apache")["spec"]["replicas"] == 1
    events = srv.kubectl("get", "events", "--field-selector", "involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale",
                         "-o", "jsonpath={range .items[*]}{.message}{'\\n'}{end}").stdout
    assert "New size: 1; reason: All metrics below target" in events.splitlines()


def test_drain_waits_for_the_disruption_budget(srv, tmp_path):
    f = tmp_path / "guarded.yaml"
    f.write_text(GUARDED)
    srv.kubectl("apply", "-f", str(f))
    srv.kubectl("wait", "--for=condition=Available", "deployment/guarded", "--timeout=40s", timeout=45)
    pdb = srv.until("the budget's status", lambda: (lambda o: o if o.get("status", {}).get("observedGeneration") == 1 else None)(
        srv.json("get", "pdb", "guarded")))
    assert {k: pdb["status"][k] for k in ("currentHealthy", "desiredHealthy", "disruptionsAllowed", "expectedPods")} == \
        {"currentHealthy": 1, "desiredHealthy": 1, "disruptionsAllowed": 0, "expectedPods": 1}
    out = srv.kubectl("get", "pdb", "guarded").stdout.splitlines()
    assert out[0].split() == ["NAME", "MIN", "AVAILABLE", "MAX", "UNAVAILABLE", "ALLOWED", "DISRUPTIONS", "AGE"]
    assert out[1].split()[:4] == ["guarded", "1", "N/A", "0"]
    [pod] = srv.json("get", "pods", "-l", "app=guarded")["items"]
    name, node = pod["metadata"]["name"], pod["spec"]["nodeName"]

    blocked = srv.kubectl("drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--force", "--timeout=4s",
                          check=False, timeout=30)
    assert blocked.returncode == 1
    assert (f'error when evicting pods/"{name}" -n "default" (will retry after 5s): '
            "Cannot evict pod as it would violate the pod's disruption budget.") in blocked.stderr
    assert "global timeout reached: 4s" in blocked.stderr
    still = srv.json("get", "pod", name)
    assert not still["metadata"].get("deletionTimestamp")

    # one disruption allowed: the drain goes through, the pod is replaced on another node
    srv.kubectl("patch", "pdb", "guarded", "--type=merge", "-p", '{"spec":{"minAvailable":null,"maxUnavailable":1}}')
    srv.until("one disruption allowed", lambda: srv.json("get", "pdb", "guarded")["status"]["disruptionsAllowed"] == 1)
    out = srv.kubectl("drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--force", "--timeout=60s", timeout=70)
    assert f"pod/{name} evicted" in out.stdout and f"node/{node} drained" in out.stdout
    srv.kubectl("wait", "--for=condition=Available", "deployment/guarded", "--timeout=40s", timeout=45)
    [moved] = [p for p in srv.json("get", "pods", "-l", "app=guarded")["items"] if not p["metadata"].get("deletionTimestamp")]
    assert moved["spec"]["nodeName"] != node
    srv.kubectl("uncordon", node)
