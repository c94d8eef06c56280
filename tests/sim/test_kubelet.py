import itertools

import pytest

from k9py.kube import meta
from k9py.kube.meta import deep_copy
from k9py.kube.status import ApiError
from k9py.kube.timefmt import parse_time
from k9py.sim.behaviour import bare_shell, python_oneliner
from k9py.sim.clock import DEFAULT_EPOCH
from k9py.sim.logs import container_logs
from k9py.view.printers_pod import pod_status_reason
from tests.sim.helpers import COUNTER_SCRIPT, container_state, events_for, make_cluster, pod, pod_manifest


def _cond(p, type_):
    return next(c for c in p["status"]["conditions"] if c["type"] == type_)


def _cs(p, i=0):
    return p["status"]["containerStatuses"][i]


def _set_image(c, name, image):
    """``kubectl set image pod/NAME``: the pod's first container asks for ``image``."""
    p = deep_copy(pod(c, name))
    p["spec"]["containers"][0]["image"] = image
    c.replace(p)


def _at(t):
    return parse_time(t) - DEFAULT_EPOCH


def _watch_restarts(c, name, seconds, step=1.0):
    """(time of each new running instance, restartCount) while advancing."""
    seen, out = set(), []
    for _ in range(int(seconds / step)):
        c.advance(step)
        cs = _cs(pod(c, name))
        if "running" in cs["state"] and cs["containerID"] not in seen:
            seen.add(cs["containerID"])
            out.append((_at(cs["state"]["running"]["startedAt"]), cs["restartCount"]))
    return out


# -- admission ------------------------------------------------------------------------------------
def test_admission_defaults():
    c = make_cluster(nodes=1)
    p = c.create(pod_manifest("web", "nginx:1.14.2"))
    spec = p["spec"]
    assert spec["restartPolicy"] == "Always" and spec["terminationGracePeriodSeconds"] == 30
    assert spec["dnsPolicy"] == "ClusterFirst" and spec["schedulerName"] == "default-scheduler"
    assert spec["serviceAccountName"] == "default" and spec["enableServiceLinks"] is True
    assert spec["priority"] == 0 and spec["preemptionPolicy"] == "PreemptLowerPriority"
    ctr = spec["containers"][0]
    assert ctr["imagePullPolicy"] == "IfNotPresent" and ctr["resources"] == {}
    assert ctr["terminationMessagePath"] == "/dev/termination-log" and ctr["terminationMessagePolicy"] == "File"
    assert {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
            "tolerationSeconds": 300} in spec["tolerations"]
    assert len(spec["tolerations"]) == 2
    assert spec["volumes"][0]["name"].startswith("kube-api-access-")
    assert ctr["volumeMounts"][0]["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount"
    assert p["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    latest = c.create(pod_manifest("l", "busybox"))
    assert latest["spec"]["containers"][0]["imagePullPolicy"] == "Always"


@pytest.mark.parametrize("res,qos", [
    ({}, "BestEffort"),
    ({"requests": {"cpu": "100m"}}, "Burstable"),
    ({"limits": {"cpu": "1", "memory": "1Gi"}}, "Guaranteed"),
    ({"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "1Gi"}}, "Burstable"),
])
def test_qos_class(res, qos):
    c = make_cluster(nodes=1)
    p = c.create(pod_manifest("q", requests=res.get("requests"), limits=res.get("limits")))
    assert p["status"]["qosClass"] == qos
    if "limits" in res and "requests" not in res:
        assert p["spec"]["containers"][0]["resources"]["requests"] == res["limits"]


def test_admission_validation():
    c = make_cluster(nodes=1)
    with pytest.raises(ApiError) as e:
        c.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}, "spec": {"containers": []}})
    assert e.value.code == 422 and e.value.message == 'Pod "x" is invalid: spec.containers: Required value'
    with pytest.raises(ApiError) as e:
        c.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"},
                  "spec": {"containers": [{"name": "a"}, {"name": "a", "image": "nginx"}]}})
    assert e.value.message == ('Pod "x" is invalid: [spec.containers[0].image: Required value, '
                               'spec.containers[1].name: Duplicate value: "a"]')
    with pytest.raises(ApiError) as e:
        c.create(pod_manifest("x", restart_policy="Sometimes"))
    assert 'spec.restartPolicy: Unsupported value: "Sometimes"' in e.value.message


# -- lifecycle ------------------------------------------------------------------------------------
def test_pod_goes_pending_container_creating_running_with_events():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("web", "nginx:1.14.2"))
    c.settle()
    p = pod(c, "web")
    assert p["status"]["phase"] == "Pending"
    assert container_state(p) == ("waiting", "ContainerCreating")
    assert _cond(p, "PodReadyToStartContainers")["status"] == "False"
    c.advance(30)
    p = pod(c, "web")
    st = p["status"]
    assert st["phase"] == "Running" and st["hostIP"] == "192.168.49.2"
    assert st["podIP"].startswith("10.244.0.") and st["podIPs"] == [{"ip": st["podIP"]}]
    assert st["startTime"] == "2026-11-01T09:00:00Z"
    assert [x["type"] for x in st["conditions"]] == ["PodReadyToStartContainers", "Initialized", "Ready",
                                                     "ContainersReady", "PodScheduled"]
    assert all(x["status"] == "True" for x in st["conditions"])
    cs = _cs(p)
    assert cs["ready"] and cs["started"] and cs["restartCount"] == 0 and cs["image"] == "nginx:1.14.2"
    assert cs["imageID"].startswith("docker-pullable://nginx@sha256:") and len(cs["imageID"].split(":")[-1]) == 64
    assert cs["containerID"].startswith("docker://") and cs["lastState"] == {}
    started = _at(cs["state"]["running"]["startedAt"])
    assert 1 <= started <= 10
    assert _at(_cond(p, "Ready")["lastTransitionTime"]) - started in (0, 1)
    reasons = [r for r, _ in events_for(c, p)]
    assert sorted(reasons) == sorted(["Scheduled", "Pulling", "Pulled", "Created", "Started"])
    msgs = dict(events_for(c, p))
    assert msgs["Pulling"] == 'Pulling image "nginx:1.14.2"'
    assert msgs["Pulled"].startswith('Successfully pulled image "nginx:1.14.2" in ')
    assert msgs["Pulled"].endswith("including waiting). Image size: 109129446 bytes.")
    assert msgs["Created"] == "Container created" and msgs["Started"] == "Container started"
    ev = next(e for e in c.events.for_object(p) if e["reason"] == "Started")
    assert ev["source"] == {"component": "kubelet", "host": "minikube"}
    assert ev["involvedObject"]["fieldPath"] == "spec.containers{web}"


def test_the_status_stays_as_the_creating_sync_began_until_its_container_starts_or_fails():
    """The kubelet's first sync of a pod makes its sandbox, pulls and starts its containers
    (SyncPod) and its status is generated when a sync begins: while the image is pulled the API
    shows the first status (ContainerCreating, not ready to start containers, no IP), then the
    pod running with its IP; a failed pull ends that sync too, and the next shows the sandbox up."""
    c = make_cluster(nodes=1)
    c.create(pod_manifest("web", "nginx:1.14.2"))  # 109 MB: a pull of two seconds or more
    c.create(pod_manifest("bad", "nginx:doesnotexist"))
    c.settle()
    first = pod(c, "web")
    assert container_state(first) == ("waiting", "ContainerCreating") and "podIP" not in first["status"]
    c.advance(1.2)  # the sandbox is up (after 0.4 to 1 s) and the image being pulled
    assert "Pulling" in [r for r, _ in events_for(c, first)]
    assert pod(c, "web")["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    c.advance(10)
    st = pod(c, "web")["status"]
    assert st["phase"] == "Running" and st["podIP"] == st["podIPs"][0]["ip"]
    assert _cond(pod(c, "web"), "PodReadyToStartContainers")["status"] == "True"
    bad = pod(c, "bad")
    assert container_state(bad)[1] in ("ErrImagePull", "ImagePullBackOff") and bad["status"]["podIP"]
    assert _cond(bad, "PodReadyToStartContainers")["status"] == "True"


def test_second_pod_finds_image_present_and_gets_next_ip():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("a"))
    c.advance(20)
    c.create(pod_manifest("b"))
    c.advance(2)
    assert dict(events_for(c, pod(c, "b")))["Pulled"] == 'Container image "nginx:1.14.2" already present on machine and can be accessed by the pod'
    assert pod(c, "b")["status"]["phase"] == "Running"
    assert pod(c, "a")["status"]["podIP"] != pod(c, "b")["status"]["podIP"]


def test_readiness_probe_initial_delay():
    c = make_cluster(nodes=1)
    m = pod_manifest("web")
    m["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 15}
    c.create(m)
    c.advance(12)
    p = pod(c, "web")
    assert p["status"]["phase"] == "Running" and not _cs(p)["ready"]
    assert _cond(p, "Ready")["reason"] == "ContainersNotReady"
    assert _cond(p, "Ready")["message"] == "containers with unready status: [web]"
    started = _at(_cs(p)["state"]["running"]["startedAt"])
    c.advance(20)
    p = pod(c, "web")
    assert _cs(p)["ready"] and _at(_cond(p, "Ready")["lastTransitionTime"]) == pytest.approx(started + 15, abs=1)


def test_crash_loop_backoff_doubles_to_cap():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("crash", annotations={"k9py.sim/crash-after": "5"}))
    runs = _watch_restarts(c, "crash", 1200)
    starts = [t for t, _ in runs]
    gaps = [b - a - 5 for a, b in itertools.pairwise(starts)]
    # the first restart is at once: started by the sync that notices the exit (the next relist)
    assert 0 < gaps[0] <= 1.1
    assert [round(g) for g in gaps[1:8]] == [10, 20, 40, 80, 160, 300, 300]
    assert [n for _, n in runs[:4]] == [0, 1, 2, 3]
    c.advance(0)
    p = pod(c, "crash")
    # somewhere in a back-off now or running; look at a back-off moment
    while "waiting" not in _cs(p)["state"]:
        c.advance(1)
        p = pod(c, "crash")
    w = _cs(p)["state"]["waiting"]
    assert w["reason"] == "CrashLoopBackOff"
    assert w["message"].startswith("back-off 5m0s restarting failed container=crash pod=crash_default(")
    last = _cs(p)["lastState"]["terminated"]
    assert last["exitCode"] == 1 and last["reason"] == "Error"
    assert p["status"]["phase"] == "Running" and _cond(p, "Ready")["status"] == "False"
    backoff = [e for e in c.events.for_object(p) if e["reason"] == "BackOff"]
    assert backoff[0]["type"] == "Warning"
    assert backoff[0]["message"].startswith("Back-off restarting failed container crash in pod crash_default(")


def test_backoff_resets_after_ten_minutes_running():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("slow", annotations={"k9py.sim/crash-after": "700"}))
    runs = _watch_restarts(c, "slow", 2200, step=5)
    starts = [t for t, _ in runs]
    # each restart at once (at the relist that notices the exit, within a second and a bit)
    assert len(starts) == 4 and all(700 < b - a <= 701.1 for a, b in itertools.pairwise(starts))


def test_oom_killed():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("oom", annotations={"k9py.sim/oom-after": "20"}))
    c.advance(30)
    cs = _cs(pod(c, "oom"))
    assert cs["restartCount"] == 1
    assert cs["lastState"]["terminated"]["reason"] == "OOMKilled" and cs["lastState"]["terminated"]["exitCode"] == 137


def test_image_pull_error_then_backoff():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("bad", "nginx:doesnotexist"))
    seen = []
    for _ in range(60):
        c.advance(0.1)
        reason = container_state(pod(c, "bad"))[1]
        if not seen or seen[-1][0] != reason:
            seen.append((reason, pod(c, "bad")))
    assert [r for r, _ in seen] == ["ContainerCreating", "ErrImagePull", "ImagePullBackOff"]
    p = seen[1][1]
    assert _cs(p)["state"]["waiting"]["message"] == (
        'Failed to pull image "nginx:doesnotexist": Error response from daemon: manifest for nginx:doesnotexist '
        "not found: manifest unknown: manifest unknown")
    p = pod(c, "bad")
    assert _cs(p)["state"]["waiting"] == {"reason": "ImagePullBackOff",
                                          "message": 'Back-off pulling image "nginx:doesnotexist"'}
    assert p["status"]["phase"] == "Pending" and "imageID" in _cs(p) and _cs(p)["imageID"] == ""
    c.advance(120)
    evs = {(e["reason"], e["message"]): e["count"] for e in c.events.for_object(pod(c, "bad"))}
    assert evs[("Failed", "Error: ErrImagePull")] >= 3
    assert evs[("BackOff", 'Back-off pulling image "nginx:doesnotexist"')] >= 3
    assert ("Failed", "Error: ImagePullBackOff") in evs


def test_pull_policy_never_runs_only_an_image_the_node_has():
    """imagePullPolicy Never: an image not on the node is ErrImageNeverPull (the kubelet's words,
    its event, tried again at the next sync), one a pod pulled there before starts."""
    c = make_cluster(nodes=1)
    never = pod_manifest("local", "myapp:local")
    never["spec"]["containers"][0]["imagePullPolicy"] = "Never"
    c.create(never)
    c.advance(3)
    msg = 'Container image "myapp:local" is not present with pull policy of Never'
    p = pod(c, "local")
    assert _cs(p)["state"]["waiting"] == {"reason": "ErrImageNeverPull", "message": msg}
    assert p["status"]["phase"] == "Pending"
    evs = events_for(c, p)
    assert ("ErrImageNeverPull", msg) in evs and ("Failed", "Error: ErrImageNeverPull") in evs
    assert not any(r in ("Pulling", "Pulled") for r, _ in evs)
    c.advance(30)
    assert container_state(pod(c, "local"))[1] == "ErrImageNeverPull"
    counts = {(e["reason"], e["message"]): e["count"] for e in c.events.for_object(pod(c, "local"))}
    assert counts[("ErrImageNeverPull", msg)] >= 3
    c.create(pod_manifest("puller"))  # nginx:1.14.2 pulled onto the node
    c.advance(20)
    present = pod_manifest("present")
    present["spec"]["containers"][0]["imagePullPolicy"] = "Never"
    c.create(present)
    c.advance(5)
    assert pod(c, "present")["status"]["phase"] == "Running"
    assert dict(events_for(c, pod(c, "present")))["Pulled"] == 'Container image "nginx:1.14.2" already present on machine and can be accessed by the pod'


def test_image_pull_error_annotation():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("bad", annotations={"k9py.sim/image-pull-error": "true"}))
    c.advance(3)
    assert container_state(pod(c, "bad"))[1] in ("ErrImagePull", "ImagePullBackOff")


@pytest.mark.parametrize("command,policy,phase,code,reason", [
    (["sh", "-c", "echo hi"], "Never", "Succeeded", 0, "Completed"),
    (["sh", "-c", "exit 1"], "Never", "Failed", 1, "Error"),
    (["sh", "-c", "echo hi"], "OnFailure", "Succeeded", 0, "Completed"),
    (["sleep", "5"], "Never", "Succeeded", 0, "Completed"),
])
def test_run_to_completion(command, policy, phase, code, reason):
    c = make_cluster(nodes=1)
    c.create(pod_manifest("job", "busybox:1.36", command=command, restart_policy=policy))
    c.advance(30)
    p = pod(c, "job")
    assert p["status"]["phase"] == phase
    term = _cs(p)["state"]["terminated"]
    assert term["exitCode"] == code and term["reason"] == reason and _cs(p)["restartCount"] == 0
    assert _cond(p, "Ready")["reason"] == "PodCompleted"
    assert _cond(p, "PodReadyToStartContainers")["status"] == "False"


def test_sleep_duration_is_honoured():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("s", "busybox:1.36", command=["sleep", "60"], restart_policy="Never"))
    c.advance(30)
    assert pod(c, "s")["status"]["phase"] == "Running"
    c.advance(40)
    t = _cs(pod(c, "s"))["state"]["terminated"]
    assert round(_at(t["finishedAt"]) - _at(t["startedAt"])) == 60


def test_on_failure_restarts_failed_container():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("f", "busybox:1.36", command=["sh", "-c", "exit 2"], restart_policy="OnFailure"))
    c.advance(30)
    p = pod(c, "f")
    assert p["status"]["phase"] == "Running" and _cs(p)["restartCount"] >= 1
    assert _cs(p)["lastState"]["terminated"]["exitCode"] == 2


def test_shell_image_without_command_crash_loops_completed():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("bb", "busybox"))
    c.advance(40)
    p = pod(c, "bb")
    assert _cs(p)["lastState"]["terminated"]["reason"] == "Completed"
    assert _cs(p)["restartCount"] >= 2


@pytest.mark.parametrize("image,args", [
    ("busybox", ["sh"]), ("busybox:1.36", ["/bin/sh", "-i"]), ("ubuntu", ["bash"]), ("nginx:1.14.2", ["sh"]),
])
def test_a_bare_shell_without_stdin_exits_at_once_and_with_stdin_waits_for_its_user(image, args):
    # `kubectl run bb --image=busybox --restart=Never -- sh`: the shell reads end of file and exits 0
    # (no server's log lines, not running for ever); `kubectl run -it … -- sh` keeps it for its user
    c = make_cluster(nodes=1)
    c.create(pod_manifest("bb", image, args=args, restart_policy="Never"))
    m = pod_manifest("bbi", image, args=args, restart_policy="Never")
    m["spec"]["containers"][0].update(stdin=True, stdinOnce=True, tty=True)
    c.create(m)
    c.advance(30)
    p = pod(c, "bb")
    assert p["status"]["phase"] == "Succeeded"
    assert _cs(p)["state"]["terminated"]["reason"] == "Completed"
    assert container_logs(c, "default", "bb") == []
    assert pod(c, "bbi")["status"]["phase"] == "Running"
    assert container_logs(c, "default", "bbi") == []


def test_a_bare_shell_with_a_terminal_waits_for_it():
    """``command: [sh]`` with ``tty: true`` (the keep-alive trick): the runtime holds the terminal
    open, the shell waits on it as `docker run -t` does, and the pod keeps Running."""
    c = make_cluster(nodes=1)
    m = pod_manifest("kept", "busybox", command=["sh"])
    m["spec"]["containers"][0]["tty"] = True
    c.create(m)
    c.advance(60)
    p = pod(c, "kept")
    assert p["status"]["phase"] == "Running" and _cs(p)["restartCount"] == 0


@pytest.mark.parametrize("words,bare", [
    (["sh"], True), (["/bin/bash", "-l"], True), (["sh", "-"], True), (["sh", "-c", "echo hi"], False),
    (["sh", "-ec", "echo hi"], False), (["sh", "run.sh"], False), (["nginx"], False), ([], False),
])
def test_bare_shell(words, bare):
    assert bare_shell(words) is bare


def test_exit_after_and_exit_code_annotations():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("e", restart_policy="Never",
                          annotations={"k9py.sim/exit-after": "10", "k9py.sim/exit-code": "3"}))
    c.advance(30)
    t = _cs(pod(c, "e"))["state"]["terminated"]
    assert t["exitCode"] == 3 and round(_at(t["finishedAt"]) - _at(t["startedAt"])) == 10
    assert pod(c, "e")["status"]["phase"] == "Failed"


def test_start_delay_and_ready_after_and_never_ready():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("slow", annotations={"k9py.sim/start-delay": "30s"}))
    c.create(pod_manifest("late", annotations={"k9py.sim/ready-after": "20"}))
    c.create(pod_manifest("never", annotations={"k9py.sim/never-ready": "true"}))
    c.advance(25)
    assert container_state(pod(c, "slow")) == ("waiting", "ContainerCreating")
    assert _cs(pod(c, "late"))["ready"] is False or _at(_cs(pod(c, "late"))["state"]["running"]["startedAt"]) <= 5
    c.advance(20)
    assert pod(c, "slow")["status"]["phase"] == "Running"
    assert _cs(pod(c, "late"))["ready"] is True
    p = pod(c, "never")
    assert p["status"]["phase"] == "Running" and _cs(p)["ready"] is False
    assert ("Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503") in events_for(c, p)


def test_init_containers_run_first():
    c = make_cluster(nodes=1)
    m = pod_manifest("init")
    m["spec"]["initContainers"] = [{"name": "wait", "image": "busybox:1.28", "command": ["sh", "-c", "sleep 10"]}]
    c.create(m)
    c.advance(5)
    p = pod(c, "init")
    assert p["status"]["phase"] == "Pending"
    assert container_state(p, init=True) == ("running", None)
    assert container_state(p) == ("waiting", "PodInitializing")
    init = _cond(p, "Initialized")
    assert init["status"] == "False" and init["reason"] == "ContainersNotInitialized"
    assert init["message"] == "containers with incomplete status: [wait]"
    c.advance(30)
    p = pod(c, "init")
    assert p["status"]["phase"] == "Running"
    assert container_state(p, init=True) == ("terminated", "Completed")
    assert p["status"]["initContainerStatuses"][0]["ready"] is True
    assert p["status"]["initContainerStatuses"][0]["started"] is False
    assert _cond(p, "Initialized")["status"] == "True"


def test_failing_init_container_with_never_fails_pod():
    c = make_cluster(nodes=1)
    m = pod_manifest("init", restart_policy="Never")
    m["spec"]["initContainers"] = [{"name": "check", "image": "busybox:1.28", "command": ["sh", "-c", "exit 1"]}]
    c.create(m)
    c.advance(20)
    p = pod(c, "init")
    assert p["status"]["phase"] == "Failed"
    assert container_state(p, init=True) == ("terminated", "Error")
    assert container_state(p) == ("waiting", "PodInitializing")


# -- deletion ---------------------------------------------------------------------------------------
def test_delete_nginx_stops_within_a_second():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("web"))
    c.advance(20)
    c.delete("Pod", "default", "web")
    c.settle()
    p = pod(c, "web")
    assert p["metadata"]["deletionTimestamp"] == "2026-11-01T09:00:50Z"
    assert ("Killing", "Stopping container web") in events_for(c, p)
    c.advance(1)
    assert c.store.get("Pod", "default", "web") is None


def test_delete_shell_loop_waits_for_grace_period():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("counter", "busybox:1.36", command=["/bin/sh", "-c", COUNTER_SCRIPT]))
    c.advance(20)
    c.delete("Pod", "default", "counter")
    c.advance(29)
    p = pod(c, "counter")
    assert _cs(p)["ready"] and "running" in _cs(p)["state"]  # 1/1 Terminating
    assert p["metadata"]["deletionTimestamp"] == "2026-11-01T09:00:50Z"
    c.advance(2)
    assert c.store.get("Pod", "default", "counter") is None


def test_a_deleted_pod_is_given_a_terminal_phase_once_its_containers_stopped():
    """kubelet 1.27+: before a deleted pod goes, its last status has phase Succeeded (nginx exits
    0 on SIGTERM) or Failed (a shell loop killed at the end of its grace period, 137), whatever
    its restartPolicy, so `kubectl get pods -w` ends on `0/1 Completed` / `0/1 Error`."""
    c = make_cluster(nodes=1)
    last: dict[str, dict] = {}
    c.store.watch("Pod", lambda _type, p: last.__setitem__(meta.name(p), p))
    c.create(pod_manifest("web"))
    c.create(pod_manifest("counter", "busybox:1.36", command=["/bin/sh", "-c", COUNTER_SCRIPT]))
    c.advance(20)
    c.delete("Pod", "default", "web")
    c.delete("Pod", "default", "counter")
    c.advance(31)
    assert c.store.get("Pod", "default", "web") is None and c.store.get("Pod", "default", "counter") is None
    web, counter = last["web"], last["counter"]
    assert (web["status"]["phase"], container_state(web)) == ("Succeeded", ("terminated", "Completed"))
    assert (counter["status"]["phase"], container_state(counter)) == ("Failed", ("terminated", "Error"))
    assert _cs(counter)["state"]["terminated"]["exitCode"] == 137
    assert (pod_status_reason(web), pod_status_reason(counter)) == ("Completed", "Error")  # not Terminating


def test_same_seed_same_statuses():
    def run():
        c = make_cluster(nodes=2, seed=5)
        c.create(pod_manifest("a"))
        c.create(pod_manifest("b", annotations={"k9py.sim/crash-after": "3"}))
        c.advance(100)
        return pod(c, "a")["status"], pod(c, "b")["status"]
    assert run() == run()


def test_set_image_restarts_container_with_new_image():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("web"))
    c.advance(20)
    _set_image(c, "web", "nginx:1.16.1")
    c.advance(20)
    p = pod(c, "web")
    cs = _cs(p)
    assert cs["image"] == "nginx:1.16.1" and cs["restartCount"] == 1 and cs["ready"]
    assert cs["lastState"]["terminated"]["exitCode"] == 0
    assert ("Killing", "Container web definition changed, will be restarted") in events_for(c, p)
    assert ("Pulling", 'Pulling image "nginx:1.16.1"') in events_for(c, p)


def test_an_image_changed_while_pulling_is_acted_on_at_a_later_sync_of_the_same_spec():
    c = make_cluster(nodes=1)
    m = pod_manifest("web")
    m["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 5}
    c.create(m)
    c.advance(1.5)  # the sandbox is up, nginx:1.14.2 is being pulled
    assert _cs(pod(c, "web"))["state"]["waiting"]["reason"] == "ContainerCreating"
    _set_image(c, "web", "nginx:1.16.1")  # nothing to act on yet: the pull under way goes on
    c.advance(30)  # started with what it pulled; the readiness sync then finds the spec changed
    p = pod(c, "web")
    cs = _cs(p)
    assert ("Killing", "Container web definition changed, will be restarted") in events_for(c, p)
    assert cs["image"] == "nginx:1.16.1" and cs["restartCount"] == 1


def test_an_image_changed_while_pulling_is_acted_on_when_that_pull_ends_without_a_later_sync():
    """No probe, nothing due after the container starts: the sync that starts it with the image it
    pulled finds the spec asks for another one and restarts it (nothing else would sync it)."""
    from k9py.sim.kubelet import runtime_for

    c = make_cluster(nodes=1)
    c.advance(0.3)
    c.create(pod_manifest("web"))
    for _ in range(10):
        c.advance(0.5)
        rt = runtime_for(c, "default", "web")
        if rt is not None and rt.containers[0].phase == "pulling":
            break
    assert rt is not None and rt.containers[0].image == "nginx:1.14.2" and rt.containers[0].phase == "pulling"
    _set_image(c, "web", "nginx:1.16.1")
    c.advance(60)
    p = pod(c, "web")
    cs = _cs(p)
    assert ("Killing", "Container web definition changed, will be restarted") in events_for(c, p)
    assert cs["image"] == "nginx:1.16.1" and cs["restartCount"] == 1 and "running" in cs["state"]


def test_fixing_a_bad_image_pulls_at_once():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("web", "nginx:doesnotexist"))
    c.advance(60)
    p = pod(c, "web")
    assert container_state(p)[1] in ("ImagePullBackOff", "ErrImagePull")
    p = deep_copy(p)
    p["spec"]["containers"][0]["image"] = "nginx:1.14.2"
    c.replace(p)
    c.advance(8)
    p = pod(c, "web")
    assert p["status"]["phase"] == "Running" and _cs(p)["restartCount"] == 0


def test_active_deadline_seconds_fails_pod():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("dl", "busybox:1.36", command=["sleep", "3600"], activeDeadlineSeconds=30))
    c.advance(29)
    assert pod(c, "dl")["status"]["phase"] == "Running"
    c.advance(2)
    p = pod(c, "dl")
    assert p["status"]["phase"] == "Failed" and p["status"]["reason"] == "DeadlineExceeded"
    assert p["status"]["message"] == "Pod was active on the node longer than the specified deadline"
    assert container_state(p) == ("terminated", "Error") and _cs(p)["state"]["terminated"]["exitCode"] == 137
    assert ("DeadlineExceeded", "Pod was active on the node longer than the specified deadline") in events_for(c, p)


def test_native_sidecar_starts_first_and_stops_with_the_main_container():
    c = make_cluster(nodes=1)
    m = pod_manifest("job", "busybox:1.36", command=["sleep", "20"], restart_policy="Never")
    m["spec"]["initContainers"] = [{"name": "proxy", "image": "nginx:1.14.2", "restartPolicy": "Always"}]
    c.create(m)
    c.advance(12)
    p = pod(c, "job")
    assert container_state(p, init=True) == ("running", None)
    assert p["status"]["initContainerStatuses"][0]["ready"] is True
    assert container_state(p) == ("running", None)
    assert _cond(p, "Initialized")["status"] == "True" and _cond(p, "Ready")["status"] == "True"
    c.advance(30)
    p = pod(c, "job")
    assert p["status"]["phase"] == "Succeeded"
    assert container_state(p) == ("terminated", "Completed")
    assert container_state(p, init=True) == ("terminated", "Completed")


def test_priority_from_priority_class():
    c = make_cluster(nodes=1)
    p = c.create(pod_manifest("sys", priorityClassName="system-node-critical"))
    assert p["spec"]["priority"] == 2000001000
    c.create({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "high"},
              "value": 1000, "preemptionPolicy": "Never"})
    p = c.create(pod_manifest("hi", priorityClassName="high"))
    assert p["spec"]["priority"] == 1000 and p["spec"]["preemptionPolicy"] == "Never"
    with pytest.raises(ApiError) as e:
        c.create(pod_manifest("x", priorityClassName="nope"))
    assert e.value.code == 403
    assert e.value.message == 'pods "x" is forbidden: no PriorityClass with name nope was found'


def test_pod_ip_allocation_skips_addresses_still_in_use():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("a"))
    c.advance(5)
    ip_a = pod(c, "a")["status"]["podIP"]
    c.state["kubelet.ipam"]["minikube"] = int(ip_a.rsplit(".", 1)[1])  # the allocator wrapped round to a's
    c.create(pod_manifest("b"))
    c.advance(5)
    ip_b = pod(c, "b")["status"]["podIP"]
    assert ip_b != ip_a and ip_b.rsplit(".", 1)[1] == str(int(ip_a.rsplit(".", 1)[1]) + 1)
    c.delete("Pod", "default", "a", grace_period=0)
    c.advance(5)
    c.state["kubelet.ipam"]["minikube"] = int(ip_a.rsplit(".", 1)[1])
    c.create(pod_manifest("c"))
    c.advance(5)
    assert pod(c, "c")["status"]["podIP"] == ip_a  # freed with a's pod


def test_a_pod_past_its_nodes_range_waits_for_an_address_and_says_why():
    c = make_cluster(nodes=1, pods=400)
    for i in range(253):
        c.create(pod_manifest(f"p{i}"))
    c.advance(5)
    ips = {f"p{i}": pod(c, f"p{i}")["status"]["podIP"] for i in range(253)}
    assert sorted(ips.values()) == sorted(f"10.244.0.{h}" for h in range(2, 255))  # the whole range, once each
    c.create(pod_manifest("late"))
    c.advance(25)
    late = pod(c, "late")
    assert "podIP" not in late["status"]
    assert container_state(late) == ("waiting", "ContainerCreating")
    (ev,) = [e for e in c.store.list("Event", "default")
             if e["involvedObject"]["name"] == "late" and e["reason"] == "FailedCreatePodSandBox"]
    assert ev["type"] == "Warning" and ev["count"] == 3  # tried on arrival, then every 10 s
    assert ev["message"].startswith("Failed to create pod sandbox: rpc error: code = Unknown desc = ")
    assert ev["message"].endswith('network for pod "late": networkPlugin cni failed to set up pod "late_default" '
                                  "network: failed to allocate for range 0: no IP addresses available in range "
                                  "set: 10.244.0.1-10.244.0.254")
    c.delete("Pod", "default", "p7", grace_period=0)
    c.advance(15)
    late = pod(c, "late")
    assert late["status"]["podIP"] == ips["p7"]  # p7's, free again: the next try gets it
    assert container_state(late)[0] == "running"


def test_a_finished_pod_gives_its_address_back_and_keeps_showing_it():
    c = make_cluster(nodes=1, pods=400)
    for i in range(253):
        c.create(pod_manifest(f"done{i}", "busybox", command=["sh", "-c", "echo hi"], restart_policy="Never"))
    c.advance(30)
    done = [pod(c, f"done{i}")["status"] for i in range(253)]
    assert all(st["phase"] == "Succeeded" for st in done)
    assert len({st["podIP"] for st in done}) == 253  # the whole range, still shown by each
    c.create(pod_manifest("next"))
    c.advance(10)
    nxt = pod(c, "next")
    assert container_state(nxt)[0] == "running"
    assert nxt["status"]["podIP"] in {st["podIP"] for st in done}  # a finished pod's, free again
    del c.state["kubelet.ipam-live"]  # worked out again from who holds what: the finished hold none
    c.create(pod_manifest("after"))
    c.advance(10)
    assert container_state(pod(c, "after"))[0] == "running"


def test_ipam_worked_out_again_from_who_holds_what_skips_the_same_addresses():
    c = make_cluster(nodes=1)
    for name in ("a", "b"):
        c.create(pod_manifest(name))
    c.advance(5)
    ip_a, ip_b = pod(c, "a")["status"]["podIP"], pod(c, "b")["status"]["podIP"]
    del c.state["kubelet.ipam-live"]  # a cluster kept before IPAM kept its own view
    c.state["kubelet.ipam"]["minikube"] = min(int(ip_a.rsplit(".", 1)[1]), int(ip_b.rsplit(".", 1)[1]))
    c.create(pod_manifest("c"))
    c.advance(5)
    ip_c = pod(c, "c")["status"]["podIP"]
    assert ip_c not in (ip_a, ip_b) and int(ip_c.rsplit(".", 1)[1]) == max(
        int(ip_a.rsplit(".", 1)[1]), int(ip_b.rsplit(".", 1)[1])) + 1


# -- status writes that reuse what did not change ---------------------------------------------------
def _crashing_statuses(forget: bool) -> list[dict]:
    """The statuses a crash-looping pod goes through; ``forget``: the kubelet's record of the
    status it wrote last is dropped before each step, so every status is built from scratch."""
    from k9py.sim.kubelet import runtime_for

    c = make_cluster(nodes=1)
    c.create(pod_manifest("crash", annotations={"k9py.sim/crash-after": "5"}))
    out = []
    for i in range(60):
        if i == 3:  # another writer's condition: kept behind the kubelet's own
            c.store.rewrite("Pod", "default", "crash", lambda p: p["status"].update(
                conditions=[*p["status"]["conditions"], {"type": "example.com/Gate", "status": "True"}]),
                fields=("status",))
        rt = runtime_for(c, "default", "crash")
        if forget and rt is not None:
            rt.last_status = None
        c.advance(1.0)
        out.append(deep_copy(pod(c, "crash")["status"]))
    return out


def test_status_built_from_what_changed_equals_one_built_from_scratch():
    reused = _crashing_statuses(forget=False)
    assert reused == _crashing_statuses(forget=True)
    assert [x["type"] for x in reused[-1]["conditions"]][-2:] == ["PodScheduled", "example.com/Gate"]


def test_status_written_by_another_writer_is_not_reused():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("web"))
    c.advance(30)
    assert _cs(pod(c, "web"))["ready"] is True

    def tamper(p):
        st = p["status"]
        st["containerStatuses"] = [{**st["containerStatuses"][0], "restartCount": 42}]
        st["hostIPs"] = []

    c.store.rewrite("Pod", "default", "web", tamper, fields=("status",))
    c.store.rewrite("Pod", "default", "web", lambda p: p["metadata"].setdefault("labels", {}).update(x="y"))
    c.advance(1)  # the pod changed: the kubelet syncs it and writes its status again
    p = pod(c, "web")
    assert _cs(p)["restartCount"] == 0
    assert p["status"]["hostIPs"] == [{"ip": p["status"]["hostIP"]}]


@pytest.mark.source_build
def test_a_sync_that_changed_nothing_leaves_a_status_equal_to_the_one_it_would_write(tmp_path, monkeypatch):
    """A sync that changed nothing in the pod's runtime (its labels or annotations written, a
    deletion that only begins to stop running containers) does not build the status again: the
    stored one is what it would build. Checked at every such sync of a generated cluster under
    churn (crash loops, init containers, pull errors, completions, deletions, rollouts), with
    about half the pods' annotations written every second."""
    import random

    from k9py.scenario import files
    from k9py.scenario.generate import generate
    from k9py.sim import kubelet

    real = kubelet.Kubelet._status_current
    skipped: list[tuple[str, bool]] = []

    def checking(cluster, rt, node):
        current = real(cluster, rt, node)
        if current is not None:
            built = dict(current["status"])
            kubelet.Kubelet()._fill_status(cluster, current, built, current["status"], rt, node)
            assert built == current["status"], rt.name
            skipped.append((rt.name, bool(current["metadata"].get("deletionTimestamp"))))
        return current

    monkeypatch.setattr(kubelet.Kubelet, "_status_current", staticmethod(checking))
    path = tmp_path / "churn.yaml"
    path.write_text(generate(150, 6, seed=2, churn=30), encoding="utf-8")
    c = files.build_cluster(files.parse_file(str(path)), warmup=0)
    rng = random.Random(0)
    for second in range(40):
        for key in c.store.keys("Pod"):
            if rng.random() < 0.5:
                c.store.rewrite("Pod", *key, lambda p, s=second: p["metadata"].__setitem__(
                    "annotations", {**(p["metadata"].get("annotations") or {}), "touched": str(s)}))
        c.advance(1)
    assert len(skipped) > 1000
    assert any(deleting for _, deleting in skipped)  # a deletion's first sync, containers still running


def test_a_deletion_that_stops_a_container_waiting_to_restart_shows_it_stopped_at_once():
    """A pod deleted while one container waits in its crash loop back-off and another runs on
    for its grace period: the waiting one is stopped by the deletion's first sync, and the
    status says so then (the sync changed the runtime: it is written, not left as it was)."""
    m = pod_manifest("pair", "busybox:1.36", command=["/bin/sh", "-c", COUNTER_SCRIPT], container="loop")
    m["spec"]["containers"].append({"name": "crash", "image": "busybox:1.36", "command": ["/bin/sh", "-c", "exit 1"]})
    c = make_cluster(nodes=1)
    c.create(m)
    c.advance(30)
    crash = _cs(pod(c, "pair"), 1)
    assert crash["name"] == "crash" and crash["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    c.delete("Pod", "default", "pair")
    c.advance(1)
    p = pod(c, "pair")
    assert "running" in _cs(p)["state"]  # the loop runs on until its grace period ends
    assert "terminated" in _cs(p, 1)["state"]


def test_a_node_whose_address_changed_shows_it_in_its_pods_status():
    """A node's new InternalIP reaches its running pods' hostIP at the kubelet's next sync, with
    nothing else about them changed (a pod version it has seen, nothing due)."""
    c = make_cluster(nodes=1)
    c.create(pod_manifest("web"))
    c.advance(30)
    before = pod(c, "web")["status"]
    assert before["hostIP"] != "192.168.49.99"

    def readdress(n):
        n["status"]["addresses"] = [a if a.get("type") != "InternalIP" else {**a, "address": "192.168.49.99"}
                                    for a in n["status"]["addresses"]]
    c.store.rewrite("Node", None, "minikube", readdress, fields=("status",))
    c.advance(1)
    st = pod(c, "web")["status"]
    assert st["hostIP"] == "192.168.49.99" and st["hostIPs"] == [{"ip": "192.168.49.99"}]
    assert st["containerStatuses"] == before["containerStatuses"]


RUNC = ("failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create "
        "failed: unable to start container process: {}: unknown")


@pytest.mark.parametrize("command,args,mounts,failure", [
    (["sleeep", "3600"], None, [], 'exec: "sleeep": executable file not found in $PATH'),
    (["nginx", "-g", "daemon off;"], None, [], 'exec: "nginx": executable file not found in $PATH'),
    (None, ["nginx"], [], 'exec: "nginx": executable file not found in $PATH'),  # busybox has no ENTRYPOINT
    (["/app/server"], None, [], 'exec: "/app/server": stat /app/server: no such file or directory'),
    (["/scripts/run.sh"], None, [{"name": "s", "mountPath": "/scripts"}], None),  # a ConfigMap's script
    (["/bin/sleep", "3600"], None, [], None),
    (["ping", "10.0.0.1"], None, [], None),  # an applet k9py's shell does not run, but busybox has
])
def test_a_program_not_in_a_busybox_image_fails_to_start(command, args, mounts, failure):
    """runc's StartError: exit code 128, never started, its message in the status and a Failed
    event; then the restart policy's course (CrashLoopBackOff), not a container running for ever."""
    c = make_cluster(nodes=1)
    spec = {"volumes": [{"name": "s", "emptyDir": {}}]} if mounts else {}
    manifest = pod_manifest("p", "busybox:1.36", command=command, args=args, **spec)
    manifest["spec"]["containers"][0]["volumeMounts"] = mounts
    c.create(manifest)
    c.advance(15)
    p = pod(c, "p")
    if failure is None:
        assert _cs(p)["restartCount"] == 0 and "running" in _cs(p)["state"]
        return
    assert p["status"]["phase"] == "Running" and _cs(p)["restartCount"] >= 2
    assert _cs(p)["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    last = _cs(p)["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"], last["message"]) == (128, "StartError", RUNC.format(failure))
    assert last["startedAt"] == "1970-01-01T00:00:00Z"
    assert ("Failed", f"Error: {RUNC.format(failure)}") in events_for(c, p)
    assert ("Started", "Container started") not in events_for(c, p)


def test_a_start_error_with_restart_policy_never_fails_the_pod():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("p", "alpine:3.20", command=["bash", "-c", "echo hi"], restart_policy="Never"))
    c.advance(15)
    p = pod(c, "p")
    assert p["status"]["phase"] == "Failed" and _cs(p)["restartCount"] == 0
    assert _cs(p)["state"]["terminated"]["reason"] == "StartError"


def test_a_crash_shows_error_before_crash_loop_back_off():
    """Each exit is written as it is (terminated, reason Error: kubectl's STATUS Error); the pod
    worker's next sync writes the back-off it met (waiting: CrashLoopBackOff), as kubectl get -w
    shows them, one after the other."""
    c = make_cluster(nodes=1)
    seen: list[tuple[str, str | None, int]] = []

    def heard(_type, p):
        if meta.name(p) == "crash" and p["status"].get("containerStatuses"):
            state, reason = container_state(p)
            entry = (state, reason, p["status"]["containerStatuses"][0]["restartCount"])
            if not seen or seen[-1] != entry:
                seen.append(entry)
    c.store.watch("Pod", heard)
    c.create(pod_manifest("crash", annotations={"k9py.sim/crash-after": "5"}))
    c.advance(60)
    assert seen[:8] == [("waiting", "ContainerCreating", 0), ("running", None, 0), ("terminated", "Error", 0),
                        ("running", None, 1), ("terminated", "Error", 1), ("waiting", "CrashLoopBackOff", 1),
                        ("running", None, 2), ("terminated", "Error", 2)]
    assert seen[8] == ("waiting", "CrashLoopBackOff", 2)


def test_pulls_at_every_retry_are_combined_into_one_event_as_the_event_correlator_does():
    """imagePullPolicy Always and a missing ConfigMap: every pod sync (10 s) pulls again, and each
    pull's event says how long it took. Past ten of those within ten minutes, the recorder's
    aggregator counts them on one "(combined from similar events): ..." Event instead of adding
    one per retry; the same message again bumps its Event's count."""
    c = make_cluster(nodes=1)
    m = pod_manifest("cfg", "nginx:1.14.2")
    m["spec"]["containers"][0] |= {"imagePullPolicy": "Always", "env": [
        {"name": "X", "valueFrom": {"configMapKeyRef": {"name": "nope", "key": "k"}}}]}
    c.create(m)
    c.advance(600)
    evs = c.events.for_object(pod(c, "cfg"))
    pulled = [e for e in evs if e["reason"] == "Pulled"]
    pulling = [e for e in evs if e["reason"] == "Pulling"]
    assert len(pulling) == 1 and pulling[0]["count"] > 40
    combined = [e for e in pulled if e["message"].startswith("(combined from similar events): Successfully pulled")]
    # nine (or a few more, when a duration came twice) on their own, then one for the rest
    assert len(combined) == 1 and 10 <= len(pulled) <= 12
    assert 0 <= pulling[0]["count"] - sum(e["count"] for e in pulled) <= 1  # (one pull may be under way)
    assert combined[0]["lastTimestamp"] >= max(e["lastTimestamp"] for e in pulled)
    failed = [e for e in evs if e["reason"] == "Failed"]
    assert [e["message"] for e in failed] == ['Error: configmap "nope" not found'] and failed[0]["count"] > 40


def test_memory_usage_set_over_the_limit_is_oomkilled_and_never_shown_above_it():
    """`k9py.sim/memory-usage: 300Mi` with a 100Mi limit: the cgroup cannot hold it, the kernel
    OOMKills the container (exit 137) and metrics never report more than the limit."""
    from k9py.sim.metrics import pod_usage

    c = make_cluster(nodes=1)
    for name, usage in (("hog", "300Mi"), ("fits", "80Mi")):
        c.create(pod_manifest(name, annotations={"k9py.sim/memory-usage": usage},
                              requests={"memory": "50Mi"}, limits={"memory": "100Mi"}))
    c.advance(30)
    hog = pod(c, "hog")
    last = _cs(hog)["lastState"]["terminated"]
    assert (last["reason"], last["exitCode"]) == ("OOMKilled", 137) and _cs(hog)["restartCount"] >= 1
    assert _cs(pod(c, "fits"))["restartCount"] == 0 and "running" in _cs(pod(c, "fits"))["state"]
    seen = set()
    for _ in range(120):  # whenever either is reported, never above its limit (the hog, killed
        c.advance(1)      # 2 s after each start, never lives a scrape window: never reported)
        for name in ("hog", "fits"):
            for u in (pod_usage(0, pod(c, name), c.now()) or {}).values():
                assert u.memory_bytes <= 100 * 1024 * 1024, name
                seen.add(name)
    assert seen == {"fits"}
    from k9py.sim.metrics import container_usage
    spec = pod(c, "hog")["spec"]["containers"][0]
    usage = container_usage(0, "default", "hog", spec, c.now(), {"k9py.sim/memory-usage": "300Mi"})
    assert usage.memory_bytes == 100 * 1024 * 1024  # capped at the limit


def test_a_python_one_liner_prints_and_completes():
    # `kubectl run py --image=python:3.12 --restart=Never -- python -c "print('hello')"` ran as an unknown
    # server ("starting python … listening on :8080", Running for ever)
    c = make_cluster(nodes=1)
    c.create(pod_manifest("py", "python:3.12", args=["python", "-c", "import sys; print('hello', 42)"],
                          restart_policy="Never"))
    c.create(pod_manifest("py2", "python:3.12", command=["python3", "-c", "print('a\\nb'); print([1, 2])"],
                          restart_policy="Never"))
    c.advance(60)
    assert pod(c, "py")["status"]["phase"] == "Succeeded"
    assert container_logs(c, "default", "py") == ["hello 42"]
    assert container_logs(c, "default", "py2") == ["a", "b", "[1, 2]"]
    assert python_oneliner(["python", "-c", "import os; print(os.getcwd())"]) is None  # not known: as before
    assert python_oneliner(["python", "-m", "http.server"]) is None
    # an integer literal Python will not print (past 4,300 digits): an unknown program, not an
    # exception that stopped the simulator's clock
    assert python_oneliner(["python", "-c", "print(0x" + "f" * 4000 + ")"]) is None
