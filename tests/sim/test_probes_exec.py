"""Exec probes run their command in the container: the liveness-exec pod of the Kubernetes docs
is restarted once its script removed the file its probe reads; readiness follows its probe."""

from __future__ import annotations

from k9py.kube.timefmt import parse_time
from tests.sim.helpers import container_status as _status
from tests.sim.helpers import events_with as _events
from tests.sim.helpers import make_cluster, pod_manifest
from tests.sim.userland.helpers import sh

LIVENESS_EXEC = ["/bin/sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"]


def _liveness_pod() -> dict:
    pod = pod_manifest("liveness-exec", "registry.k8s.io/busybox:1.27.2", args=LIVENESS_EXEC, container="liveness")
    pod["metadata"]["labels"] = {"test": "liveness"}
    pod["spec"]["containers"][0]["livenessProbe"] = {"exec": {"command": ["cat", "/tmp/healthy"]},
                                                     "initialDelaySeconds": 5, "periodSeconds": 5}
    return pod



def _started(st):
    return parse_time(st["state"]["running"]["startedAt"])


def test_the_liveness_exec_pod_is_restarted_once_its_file_is_gone():
    c = make_cluster()
    c.create(_liveness_pod())
    c.advance(10)
    st = _status(c, "liveness-exec")
    start = _started(st)
    assert sh(c, "liveness-exec", "ls /tmp") == "healthy\n"
    c.advance(start + 29 - c.now())
    assert _events(c, "liveness-exec", "Unhealthy") == []
    c.advance(start + 36 - c.now())  # the file went at 30 s: the next probes fail
    (ev,) = _events(c, "liveness-exec", "Unhealthy")
    assert ev["type"] == "Warning" and ev["source"]["component"] == "kubelet"
    assert ev["message"] == "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"
    assert ev["involvedObject"]["fieldPath"] == "spec.containers{liveness}"
    assert _status(c, "liveness-exec")["restartCount"] == 0
    c.advance(15)  # three failures in a row: killed
    (ev,) = _events(c, "liveness-exec", "Unhealthy")
    assert ev["count"] == 3
    (kill,) = _events(c, "liveness-exec", "Killing")
    assert kill["type"] == "Normal"
    assert kill["message"] == "Container liveness failed liveness probe, will be restarted"
    c.advance(35)  # sh as PID 1 ignores SIGTERM: killed at the end of the 30 s grace period
    st = _status(c, "liveness-exec")
    assert st["restartCount"] == 1 and "running" in st["state"]
    assert st["lastState"]["terminated"]["exitCode"] == 137
    assert st["lastState"]["terminated"]["reason"] == "Error"
    assert sh(c, "liveness-exec", "ls /tmp") == "healthy\n"  # the new container's script made it again


def test_a_failing_exec_readiness_probe_keeps_the_pod_unready():
    pod = pod_manifest("web", "busybox", args=["sh", "-c", "sleep 20; touch /tmp/ready; sleep 3600"])
    pod["spec"]["containers"][0]["readinessProbe"] = {"exec": {"command": ["test", "-e", "/tmp/ready"]},
                                                      "periodSeconds": 5, "failureThreshold": 1}
    c = make_cluster()
    c.create(pod)
    c.advance(12)
    st = _status(c, "web")
    start = _started(st)
    assert "running" in st["state"] and st["ready"] is False
    ready = next(x for x in c.get("Pod", "default", "web")["status"]["conditions"] if x["type"] == "Ready")
    assert ready["status"] == "False"
    (ev,) = _events(c, "web", "Unhealthy")
    assert ev["message"] == "Readiness probe failed: "
    c.advance(start + 27 - c.now())
    assert _status(c, "web")["ready"] is True
    assert _status(c, "web")["restartCount"] == 0
