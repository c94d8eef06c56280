"""Containers whose script takes time run it in the simulated shell on the virtual clock: its
lines are logged as they are written, it exits when the script ends, with its status."""

from __future__ import annotations

import itertools

from k9py.kube.timefmt import parse_time
from k9py.sim.logs import busybox_date, container_logs, instance_logs
from tests.sim.helpers import make_cluster, pod_manifest
from tests.sim.userland.helpers import sh


def _pod(c, name):
    return c.get("Pod", "default", name)


def _status(c, name, key="containerStatuses"):
    return _pod(c, name)["status"][key][0]


def _started(c, name):
    st = _status(c, name)["state"]
    return parse_time((st.get("running") or st.get("terminated"))["startedAt"])


def _logs(c, name, **kw):
    return container_logs(c, "default", name, **kw)


def _run(*pods, seconds=5.0):
    c = make_cluster()
    for p in pods:
        c.create(p)
    c.advance(seconds)
    return c


def test_a_shell_loop_logs_a_line_per_second_while_it_runs():
    c = _run(pod_manifest("tick", "busybox", args=["sh", "-c", "while true; do echo tick; sleep 1; done"]))
    c.advance(10)
    lines = _logs(c, "tick", timestamps=True)
    assert [s.split(" ", 1)[1] for s in lines] == ["tick"] * len(lines)
    stamps = [parse_time(s.split(" ", 1)[0]) for s in lines]
    assert int(stamps[0]) == _started(c, "tick") and len(lines) == int(c.now() - stamps[0]) + 1
    assert [round(b - a, 3) for a, b in itertools.pairwise(stamps)] == [1.0] * (len(lines) - 1)
    assert _pod(c, "tick")["status"]["phase"] == "Running" and _status(c, "tick")["restartCount"] == 0


def test_what_a_script_prints_before_it_sleeps_is_logged_and_expanded():
    c = _run(pod_manifest("env", "busybox", args=["sh", "-c", "env | grep HOME; sleep 3600"]),
             pod_manifest("exp", "busybox", args=["sh", "-c", 'echo "host=$(hostname)"; date; echo $((2+3))'],
                          restart_policy="Never"), seconds=20)
    assert _logs(c, "env") == ["HOME=/root"]
    assert "running" in _status(c, "env")["state"]
    assert _logs(c, "exp") == ["host=exp", busybox_date(_started(c, "exp")), "5"]
    assert _pod(c, "exp")["status"]["phase"] == "Succeeded"


def test_a_counting_loop_runs_its_time_then_exits():
    c = _run(pod_manifest("seq", "busybox", args=["sh", "-c", "for i in $(seq 1 100); do echo $i; sleep 1; done"]),
             seconds=30)
    assert "running" in _status(c, "seq")["state"] and _status(c, "seq")["restartCount"] == 0
    assert _logs(c, "seq")[:3] == ["1", "2", "3"]
    start = _started(c, "seq")
    c.advance(start + 102 - c.now())
    st = _status(c, "seq")
    assert st["restartCount"] == 1 or "terminated" in st["state"] or "terminated" in st["lastState"]
    assert _logs(c, "seq", previous=True)[-1] == "100"
    term = st["lastState"]["terminated"] if st["restartCount"] else st["state"]["terminated"]
    assert term["exitCode"] == 0 and term["reason"] == "Completed"
    assert round(parse_time(term["finishedAt"]) - start) == 100


def test_sleep_then_echo_runs_its_time_and_lines_appear_at_their_times():
    c = make_cluster()
    c.create(pod_manifest("ten", "busybox", args=["sh", "-c", "sleep 10; echo done"], restart_policy="Never"))
    c.create(pod_manifest("se", "busybox", args=["sh", "-c", "echo start; sleep 4; echo end"], restart_policy="Never"))
    c.advance(3)
    start = _started(c, "se")
    c.advance(start + 2 - c.now())
    cid = _status(c, "se")["containerID"]
    lines, stopped = instance_logs(c, "default", "se", "se", cid)
    assert [s.split(" ", 1)[1] for s in lines] == ["start"] and not stopped
    c.advance(3)
    lines, stopped = instance_logs(c, "default", "se", "se", cid)
    assert [s.split(" ", 1)[1] for s in lines] == ["start", "end"] and stopped
    assert round(parse_time(lines[1].split(" ", 1)[0]) - parse_time(lines[0].split(" ", 1)[0])) == 4
    assert _pod(c, "ten")["status"]["phase"] == "Running"
    c.advance(_started(c, "ten") + 9 - c.now())
    assert _pod(c, "ten")["status"]["phase"] == "Running" and _logs(c, "ten") == []
    c.advance(2)
    assert _pod(c, "ten")["status"]["phase"] == "Succeeded" and _logs(c, "ten") == ["done"]
    term = _status(c, "ten")["state"]["terminated"]
    assert round(parse_time(term["finishedAt"]) - parse_time(term["startedAt"])) == 10


def test_an_init_container_waits_until_its_service_resolves():
    pod = pod_manifest("app", "busybox", command=["sh", "-c", "echo The app is running! && sleep 3600"])
    pod["spec"]["initContainers"] = [{"name": "init-mydb", "image": "busybox:1.28",
                                      "command": ["sh", "-c", "until nslookup mydb; do echo waiting for mydb; "
                                                  "sleep 2; done"]}]
    c = _run(pod, seconds=30)
    st = _status(c, "app", "initContainerStatuses")
    assert "running" in st["state"]
    assert _pod(c, "app")["status"]["phase"] == "Pending"
    assert container_logs(c, "default", "app", "init-mydb").count("waiting for mydb") >= 10
    c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "mydb", "namespace": "default"},
              "spec": {"ports": [{"port": 80, "targetPort": 9377}]}})
    c.advance(10)
    assert "terminated" in _status(c, "app", "initContainerStatuses")["state"]
    assert _pod(c, "app")["status"]["phase"] == "Running"
    assert _logs(c, "app") == ["The app is running!"]


def test_files_a_script_writes_are_there_for_exec_while_it_runs():
    c = _run(pod_manifest("live", "busybox", args=["sh", "-c", "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; "
                                                    "sleep 600"]))
    assert sh(c, "live", "ls /tmp") == "healthy\n"
    c.advance(_started(c, "live") + 31 - c.now())
    assert sh(c, "live", "ls /tmp") == ""


def test_a_deleted_pods_script_goes_on_through_its_grace_period():
    c = _run(pod_manifest("se", "busybox", args=["sh", "-c", "sleep 20; echo end"], restart_policy="Never"))
    start = _started(c, "se")
    c.delete("Pod", "default", "se")
    c.advance(start + 15 - c.now())
    assert _pod(c, "se")["metadata"]["deletionTimestamp"]  # sh as PID 1 ignores SIGTERM
    c.advance(7)
    assert c.store.get("Pod", "default", "se") is None  # its script ended at 20 s, before the 30 s grace
