"""Ephemeral containers (``kubectl debug``): the apiserver's rules for the ephemeralcontainers
subresource, and the kubelet starting them, reporting ``ephemeralContainerStatuses`` and never
restarting them."""

from __future__ import annotations

from typing import Any

import pytest

from k9py.kube.meta import deep_copy
from k9py.kube.status import ApiError
from k9py.sim.cluster import Cluster
from k9py.sim.kubelet import signal_container
from k9py.sim.logs import container_logs
from tests.sim.helpers import COUNTER_SCRIPT, make_cluster, pod, pod_manifest


def add_debugger(c: Cluster, pod_name: str, name: str = "debugger", image: str = "busybox", **fields: Any) -> dict:
    """What `kubectl debug` does: the pod with one more ephemeral container, written through the subresource."""
    p = deep_copy(pod(c, pod_name))
    p["spec"].setdefault("ephemeralContainers", []).append({"name": name, "image": image, **fields})
    return c.replace(p, subresource="ephemeralcontainers")


def _status(p: dict, name: str = "debugger") -> dict:
    return next(s for s in p["status"].get("ephemeralContainerStatuses") or [] if s["name"] == name)


@pytest.fixture
def c() -> Cluster:
    cluster = make_cluster(nodes=1)
    cluster.create(pod_manifest("counter", "busybox", container="count", args=["/bin/sh", "-c", COUNTER_SCRIPT]))
    cluster.advance(10)
    assert pod(cluster, "counter")["status"]["phase"] == "Running"
    return cluster


def _invalid(c: Cluster, **fields: Any) -> ApiError:
    with pytest.raises(ApiError) as err:
        add_debugger(c, "counter", **fields)
    assert err.value.code == 422
    return err.value


# -- the kubelet ------------------------------------------------------------------------------------
def test_an_added_ephemeral_container_is_pulled_started_and_reported(c):
    out = add_debugger(c, "counter", stdin=True, tty=True, targetContainerName="count")
    ec = out["spec"]["ephemeralContainers"][0]
    assert ec["imagePullPolicy"] == "Always" and ec["terminationMessagePolicy"] == "File"  # defaulted
    c.settle()
    assert _status(pod(c, "counter"))["state"] == {"waiting": {"reason": "ContainerCreating"}}
    c.advance(5)
    p = pod(c, "counter")
    st = _status(p)
    assert set(st["state"]) == {"running"} and st["state"]["running"]["startedAt"]
    assert st["containerID"].startswith("docker://") and st["ready"] is False and "started" not in st
    assert [s["name"] for s in p["status"]["containerStatuses"]] == ["count"]  # not an app container
    assert p["status"]["phase"] == "Running"
    assert next(x for x in p["status"]["conditions"] if x["type"] == "Ready")["status"] == "True"
    reasons = [e["reason"] for e in c.events.for_object(p)
               if e.get("involvedObject", {}).get("fieldPath") == "spec.ephemeralContainers{debugger}"]
    assert reasons[-2:] == ["Created", "Started"]


def test_a_one_shot_debug_command_ends_with_its_exit_code_and_is_never_restarted(c):
    add_debugger(c, "counter", command=["sh", "-c", "echo hi; exit 3"])
    c.advance(5)
    st = _status(pod(c, "counter"))
    assert st["state"]["terminated"]["exitCode"] == 3 and st["state"]["terminated"]["reason"] == "Error"
    assert container_logs(c, "default", "counter", "debugger") == ["hi"]
    cid = st["containerID"]
    c.advance(120)
    st = _status(pod(c, "counter"))
    assert st["restartCount"] == 0 and st["containerID"] == cid and "terminated" in st["state"]
    assert pod(c, "counter")["status"]["phase"] == "Running"


def test_without_stdin_the_shell_ends_at_once_with_it_waits_until_the_session_ends(c):
    add_debugger(c, "counter", name="quick")
    add_debugger(c, "counter", name="interactive", stdin=True, tty=True)
    c.advance(5)
    p = pod(c, "counter")
    assert _status(p, "quick")["state"]["terminated"]["exitCode"] == 0
    assert "running" in _status(p, "interactive")["state"]
    assert signal_container(c, "default", "counter", "interactive", 0, exit_code=5) == 5  # `exit 5` in the attached shell
    c.advance(1)
    st = _status(pod(c, "counter"), "interactive")
    assert st["state"]["terminated"]["exitCode"] == 5 and st["restartCount"] == 0
    c.advance(60)
    assert "terminated" in _status(pod(c, "counter"), "interactive")["state"]


def test_debug_containers_stop_with_the_pod(c):
    c.create(pod_manifest("job-like", "busybox", command=["sh", "-c", "sleep 20"], restart_policy="Never"))
    c.advance(5)
    add_debugger(c, "job-like", stdin=True)
    c.advance(5)
    assert "running" in _status(pod(c, "job-like"))["state"]
    c.advance(20)
    p = pod(c, "job-like")
    assert p["status"]["phase"] == "Succeeded"  # the debugger does not keep it running
    assert "terminated" in _status(p)["state"]
    add_debugger(c, "counter", stdin=True)
    c.advance(5)
    c.delete("Pod", "default", "counter")
    c.advance(40)
    assert c.store.get("Pod", "default", "counter") is None


# -- the apiserver's rules ----------------------------------------------------------------------------
def test_forbidden_fields_are_refused_like_the_apiserver(c):
    err = _invalid(c, ports=[{"containerPort": 80}], readinessProbe={"exec": {"command": ["true"]}},
                   resources={"limits": {"cpu": "1"}})
    assert str(err).startswith('Pod "counter" is invalid: [')
    fields = {x["field"]: x["message"] for x in err.causes}
    assert fields == {f"spec.ephemeralContainers[0].{f}": "Forbidden: cannot be set for an Ephemeral Container"
                      for f in ("ports", "resources", "readinessProbe")}
    err = _invalid(c, lifecycle={"postStart": {"exec": {"command": ["true"]}}})
    assert str(err) == 'Pod "counter" is invalid: spec.ephemeralContainers[0].lifecycle: Forbidden: cannot be set for an Ephemeral Container'
    err = _invalid(c, volumeMounts=[{"name": "nope", "mountPath": "/x", "subPath": "a"}])
    assert [x["field"] for x in err.causes] == ["spec.ephemeralContainers[0].volumeMounts[0].name",
                                                "spec.ephemeralContainers[0].volumeMounts[0].subPath"]
    assert "ephemeralContainers" not in pod(c, "counter")["spec"]


def test_names_are_unique_in_the_pod_and_the_target_must_exist(c):
    err = _invalid(c, name="count")
    assert str(err) == 'Pod "counter" is invalid: spec.ephemeralContainers[0].name: Duplicate value: "count"'
    err = _invalid(c, name="Bad_Name")
    assert err.causes[0]["field"] == "spec.ephemeralContainers[0].name"
    err = _invalid(c, targetContainerName="nope")
    assert str(err) == 'Pod "counter" is invalid: spec.ephemeralContainers[0].targetContainerName: Not found: "nope"'
    err = _invalid(c, image="")
    assert str(err) == 'Pod "counter" is invalid: spec.ephemeralContainers[0].image: Required value'
    add_debugger(c, "counter")
    err = _invalid(c)  # a second "debugger"
    assert str(err) == 'Pod "counter" is invalid: spec.ephemeralContainers[1].name: Duplicate value: "debugger"'


def test_existing_ephemeral_containers_can_be_neither_removed_nor_changed(c):
    add_debugger(c, "counter")
    p = deep_copy(pod(c, "counter"))
    p["spec"]["ephemeralContainers"] = []
    with pytest.raises(ApiError) as err:
        c.replace(p, subresource="ephemeralcontainers")
    assert str(err.value) == ('Pod "counter" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral '
                              'containers "debugger" may not be removed\n')
    p = deep_copy(pod(c, "counter"))
    p["spec"]["ephemeralContainers"][0]["image"] = "alpine"
    with pytest.raises(ApiError) as err:
        c.replace(p, subresource="ephemeralcontainers")
    assert str(err.value) == ('Pod "counter" is invalid: spec.ephemeralContainers[debugger]: Forbidden: existing '
                              'ephemeral containers "debugger" may not be changed')
    assert pod(c, "counter")["spec"]["ephemeralContainers"][0]["image"] == "busybox"


def test_only_the_subresource_changes_them(c):
    bad = pod_manifest("born-with-one", "busybox")
    bad["spec"]["ephemeralContainers"] = [{"name": "dbg", "image": "busybox"}]
    with pytest.raises(ApiError) as err:
        c.create(bad)
    assert str(err.value) == 'Pod "born-with-one" is invalid: spec.ephemeralContainers: Forbidden: cannot be set on create'
    add_debugger(c, "counter")
    p = deep_copy(pod(c, "counter"))
    del p["spec"]["ephemeralContainers"]  # a plain update (kubectl apply / edit) leaves them alone
    out = c.replace(p)
    assert [e["name"] for e in out["spec"]["ephemeralContainers"]] == ["debugger"]
    p = deep_copy(out)
    p["spec"]["containers"][0]["image"] = "busybox:1.36"  # the rest of the update still applies
    assert c.replace(p)["spec"]["containers"][0]["image"] == "busybox:1.36"


def test_static_pods_do_not_support_them(c):
    mirror = pod_manifest("static", "busybox", command=["sleep", "3600"], nodeName="minikube",
                          annotations={"kubernetes.io/config.mirror": "abc"})
    c.create(mirror)
    c.advance(5)
    with pytest.raises(ApiError) as err:
        add_debugger(c, "static")
    assert err.value.code == 422 and "static pods do not support ephemeral containers" in str(err.value)


def test_a_debug_container_added_before_the_sandbox_is_up_starts_with_it(c):
    c.create(pod_manifest("young", "nginx:1.14.2"))
    c.settle()  # scheduled, the sandbox not ready yet
    add_debugger(c, "young", stdin=True)
    c.settle()
    assert _status(pod(c, "young"))["state"] == {"waiting": {"reason": "ContainerCreating"}}
    c.advance(10)
    p = pod(c, "young")
    assert "running" in _status(p)["state"] and "running" in p["status"]["containerStatuses"][0]["state"]
