"""Pods referring to ConfigMaps / Secrets that do not exist (yet): the kubelet's FailedMount and
CreateContainerConfigError, and recovery once the object appears."""

from __future__ import annotations

from k9py.sim.podrefs import MOUNT_BACKOFF_MAX
from tests.sim.helpers import container_state, events_for, make_cluster, pod, pod_manifest


def _cm(name: str, **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, "data": data}


def test_missing_configmap_volume_keeps_the_pod_container_creating():
    c = make_cluster(1)
    c.create(pod_manifest("web", volumes=[{"name": "config", "configMap": {"name": "app-config"}}]))
    c.advance(60)
    p = pod(c, "web")
    assert p["status"]["phase"] == "Pending"
    assert container_state(p) == ("waiting", "ContainerCreating")
    assert "podIP" not in p["status"]
    mounts = [m for r, m in events_for(c, p) if r == "FailedMount"]
    assert set(mounts) == {'MountVolume.SetUp failed for volume "config" : configmap "app-config" not found'}
    ev = next(e for e in c.events.for_object(p) if e["reason"] == "FailedMount")
    # back-off 0.5 s doubling from each failure, on the kubelet's 1 s grid: attempts 0, 1, 2, 4, 8, 16
    # and 32 s after the first → 7 in a minute
    assert ev["type"] == "Warning" and ev["count"] == 7 and ev["source"] == {"component": "kubelet", "host": "minikube"}
    # the volume manager retries at most every 2m2s: the pod starts at the next attempt
    c.create(_cm("app-config", mode="fast"))
    c.advance(MOUNT_BACKOFF_MAX + 5)
    p = pod(c, "web")
    assert p["status"]["phase"] == "Running" and container_state(p)[0] == "running"


def test_mount_retries_go_on_for_a_pod_created_between_two_seconds():
    """The retry is counted from the failure: one counted from the sandbox's first due time was
    often past already when a pod came between two whole seconds, and nothing woke it again."""
    c = make_cluster(1)
    c.advance(0.3)
    c.create(pod_manifest("web", volumes=[{"name": "config", "configMap": {"name": "app-config"}}]))
    c.advance(40)
    ev = next(e for e in c.events.for_object(pod(c, "web")) if e["reason"] == "FailedMount")
    assert ev["count"] == 7  # 0, 1, 2, 4, 8, 16 and 32 s after the first, as for a pod made at a whole second
    c.create(_cm("app-config", mode="fast"))
    c.advance(35)  # the next attempt, 32 s after the last
    assert pod(c, "web")["status"]["phase"] == "Running"


def test_optional_or_present_volumes_do_not_block():
    c = make_cluster(1)
    c.create({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": "default"},
              "data": {"pw": "aHVudGVyMg=="}})
    c.create(pod_manifest("web", volumes=[{"name": "s", "secret": {"secretName": "creds"}},
                                          {"name": "o", "configMap": {"name": "nope", "optional": True}}]))
    c.advance(15)
    p = pod(c, "web")
    assert p["status"]["phase"] == "Running"
    assert not [r for r, _ in events_for(c, p) if r == "FailedMount"]


def test_missing_secret_volume_message():
    c = make_cluster(1)
    c.create(pod_manifest("web", volumes=[{"name": "tls", "secret": {"secretName": "web-tls"}}]))
    c.advance(5)
    assert ("FailedMount", 'MountVolume.SetUp failed for volume "tls" : secret "web-tls" not found') in events_for(c, pod(c, "web"))


def _env_pod(name: str, env=None, env_from=None) -> dict:
    m = pod_manifest(name)
    if env:
        m["spec"]["containers"][0]["env"] = env
    if env_from:
        m["spec"]["containers"][0]["envFrom"] = env_from
    return m


def test_env_from_a_missing_configmap_is_create_container_config_error():
    c = make_cluster(1)
    c.create(_env_pod("web", env=[{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "app-config", "key": "mode"}}}]))
    c.advance(30)
    p = pod(c, "web")
    assert p["status"]["phase"] == "Pending"
    cs = p["status"]["containerStatuses"][0]
    assert cs["state"] == {"waiting": {"reason": "CreateContainerConfigError", "message": 'configmap "app-config" not found'}}
    assert cs["ready"] is False and cs["restartCount"] == 0
    evs = events_for(c, p)
    assert ("Failed", 'Error: configmap "app-config" not found') in evs
    assert ("Pulled", 'Container image "nginx:1.14.2" already present on machine and can be accessed by the pod') in evs  # each retry
    # the key is missing next
    c.create(_cm("app-config", other="x"))
    c.advance(15)
    cs = pod(c, "web")["status"]["containerStatuses"][0]
    assert cs["state"]["waiting"]["message"] == "couldn't find key mode in ConfigMap default/app-config"
    c.replace(_cm("app-config", mode="fast"))
    c.advance(15)
    p = pod(c, "web")
    assert p["status"]["phase"] == "Running" and container_state(p)[0] == "running"


def test_env_from_secret_ref_and_optional_refs():
    c = make_cluster(1)
    c.create(_env_pod("a", env_from=[{"secretRef": {"name": "db"}}]))
    c.create(_env_pod("b", env_from=[{"configMapRef": {"name": "nope", "optional": True}}],
                      env=[{"name": "X", "valueFrom": {"secretKeyRef": {"name": "nope", "key": "k", "optional": True}}}]))
    c.advance(20)
    a = pod(c, "a")["status"]["containerStatuses"][0]["state"]["waiting"]
    assert a == {"reason": "CreateContainerConfigError", "message": 'secret "db" not found'}
    assert pod(c, "b")["status"]["phase"] == "Running"


def test_a_pod_in_config_error_can_be_deleted():
    c = make_cluster(1)
    c.create(_env_pod("web", env_from=[{"configMapRef": {"name": "nope"}}]))
    c.advance(20)
    c.delete("Pod", "default", "web")
    c.advance(5)
    assert c.store.get("Pod", "default", "web") is None
