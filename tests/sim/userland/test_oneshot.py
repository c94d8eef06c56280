"""One-shot containers: commands the shell runs to the end complete with their output and code."""

from __future__ import annotations

from k9py.sim.logs import busybox_date, container_logs
from k9py.sim.userland.oneshot import reads_stdin, understood
from k9py.sim.userland.syntax import parse
from tests.sim.helpers import pod_manifest
from tests.sim.userland.helpers import cluster_with


def _state(c, name):
    p = c.get("Pod", "default", name)
    st = p["status"]["containerStatuses"][0]["state"]
    return p["status"]["phase"], st.get("terminated", {}).get("exitCode"), st.get("terminated", {}).get("reason")


def test_kubectl_run_style_one_shots():
    web = pod_manifest("web", "nginx:1.27.2", labels={"app": "web"})
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "demo", "namespace": "default"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    c = cluster_with(web, svc)
    for name, args in (("date", ["date"]), ("false", ["sh", "-c", "false"]), ("hi", ["echo", "hi"]),
                       ("wget", ["wget", "demo:80"]), ("bad", ["wget", "-qO-", "nope:80"]),
                       ("script", ["sh", "-c", "echo $HOSTNAME && ls /etc | grep -c host; exit 4"])):
        c.create(pod_manifest(name, "busybox", args=args, restart_policy="Never"))
    c.advance(20)
    assert _state(c, "date") == ("Succeeded", 0, "Completed")
    (line,) = container_logs(c, "default", "date")
    assert line == busybox_date(_started(c, "date"))
    assert _state(c, "false") == ("Failed", 1, "Error")
    assert container_logs(c, "default", "hi") == ["hi"]
    assert _state(c, "wget") == ("Succeeded", 0, "Completed")
    assert container_logs(c, "default", "wget")[-1] == "'index.html' saved"
    client = c.get("Pod", "default", "wget")["status"]["podIP"]
    assert any(line.startswith(client + " ") and '"Wget"' in line for line in container_logs(c, "default", "web"))
    assert _state(c, "bad") == ("Failed", 1, "Error")
    assert container_logs(c, "default", "bad") == ["wget: bad address 'nope:80'"]  # busybox names the host as written
    assert _state(c, "script") == ("Failed", 4, "Error")
    assert container_logs(c, "default", "script") == ["script", "2"]


def test_the_curl_image_runs_curl_through_its_entrypoint():
    # curlimages/curl (Alpine, ENTRYPOINT /entrypoint.sh, CMD curl): `kubectl run c --image=curlimages/curl
    # -- curl -s demo` prints the page and completes, as do args that are only curl's; no args: curl's usage
    web = pod_manifest("web", "nginx:1.14.2", labels={"app": "web"})
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "demo", "namespace": "default"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    c = cluster_with(web, svc)
    c.create(pod_manifest("curl", "curlimages/curl", args=["curl", "-s", "demo"], restart_policy="Never"))
    c.create(pod_manifest("flags", "curlimages/curl:8.11.1", args=["-sI", "http://demo"], restart_policy="Never"))
    c.create(pod_manifest("cmd", "curlimages/curl", command=["curl", "-s", "demo"], restart_policy="Never"))
    c.create(pod_manifest("bare", "curlimages/curl", restart_policy="Never"))
    c.advance(20)
    for name in ("curl", "cmd"):
        assert _state(c, name) == ("Succeeded", 0, "Completed")
        assert "<title>Welcome to nginx!</title>" in container_logs(c, "default", name)
    assert _state(c, "flags") == ("Succeeded", 0, "Completed")
    assert [ln.rstrip("\r") for ln in container_logs(c, "default", "flags")[:2]] == ["HTTP/1.1 200 OK", "Server: nginx/1.14.2"]
    assert _state(c, "bare") == ("Failed", 2, "Error")
    assert container_logs(c, "default", "bare") == ["curl: try 'curl --help' or 'curl --manual' for more information"]


def _started(c, name):
    from k9py.kube.timefmt import parse_time
    return parse_time(c.get("Pod", "default", name)["status"]["containerStatuses"][0]["state"]["terminated"]["startedAt"])


def test_only_commands_that_end_are_taken_over():
    assert understood(["date"]) == "'date'"
    assert understood(["sh", "-c", "false"]) == "false"
    # scripts that sleep run on the virtual clock (script.py); command substitution expands
    assert understood(["sh", "-c", "while true; do date; sleep 1; done"]) is not None
    assert understood(["sh", "-c", "echo hi; sleep 3600"]) is not None
    assert understood(["sh", "-c", "echo $(date)"]) is not None
    assert understood(["tail", "-f", "/dev/null"]) is None
    assert understood(["echo", "$(HOME)"]) == "'echo' '$(HOME)'"  # left by the kubelet's $(VAR) expansion: a literal
    assert understood(["myserver", "--port", "80"]) is None
    assert understood([]) is None
    # a web server started as the container's command serves (its binary is a command too: `-v`)
    assert understood(["httpd", "-DFOREGROUND"]) is None and understood(["httpd-foreground"]) is None
    assert understood(["nginx", "-g", "daemon off;"]) is None


def test_a_server_image_started_by_its_own_command_keeps_running():
    httpd = pod_manifest("web", "httpd:2.4-alpine", command=["httpd", "-DFOREGROUND"])
    c = cluster_with(httpd)
    c.advance(60)
    st = c.store.get("Pod", "default", "web")["status"]["containerStatuses"][0]
    assert "running" in st["state"] and st["restartCount"] == 0


def test_loops_are_run_and_background_jobs_are_not():
    assert understood(["sh", "-c", "for i in 1 2; do echo $i; done"]) is not None
    assert understood(["sh", "-c", "if true; then date; fi"]) is not None
    assert understood(["sh", "-c", "i=0; while [ $i -lt 3 ]; do i=$((i+1)); done"]) is not None
    assert understood(["sh", "-c", "date &"]) is None


def test_busybox_without_a_command_runs_its_shell_while_stdin_is_open():
    """`kubectl run -it b --image=busybox`: busybox's default command is `sh`; with stdin (and a
    tty) it waits for its user and stays Running; `kubectl run b --image=busybox` has no stdin:
    the shell exits 0 at once and, restartPolicy Always, the pod crash-loops (Completed)."""
    from k9py.sim.userland import STDOUT, start_exec

    interactive = pod_manifest("b", "busybox")
    interactive["spec"]["containers"][0].update(stdin=True, stdinOnce=True, tty=True)
    c = cluster_with(interactive, pod_manifest("quiet", "busybox"), seconds=120)
    pod = c.get("Pod", "default", "b")
    st = pod["status"]["containerStatuses"][0]
    assert pod["status"]["phase"] == "Running"
    assert "running" in st["state"] and st["restartCount"] == 0
    p = start_exec(c, "default", "b", None, ["sh"], tty=True, stdin=True)  # what `kubectl attach` drives
    p.read()
    p.feed(b"echo attached\r")
    assert p.read() == [(STDOUT, b"echo attached\r\nattached\r\n/ # ")]

    quiet = c.get("Pod", "default", "quiet")["status"]["containerStatuses"][0]
    assert quiet["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert quiet["lastState"]["terminated"]["exitCode"] == 0
    assert quiet["lastState"]["terminated"]["reason"] == "Completed"
    assert quiet["restartCount"] >= 2


def test_a_container_with_stdin_runs_a_script_that_does_not_read_it():
    """`kubectl run -i ... -- sh -c 'hostname; echo x; date'` runs and logs as without -i (not
    only its echo lines); one that reads its stdin (`-- cat`) waits for its user."""
    pods = []
    for name, stdin in (("plain", False), ("withstdin", True)):
        pods.append(pod_manifest(name, "busybox", args=["sh", "-c", "hostname; echo x; date"], restart_policy="Never"))
        pods.append(pod_manifest(f"cat-{name}", "busybox", args=["cat"], restart_policy="Never"))
        for p in pods[-2:]:
            p["spec"]["containers"][0]["stdin"] = stdin
    c = cluster_with(*pods)
    for name in ("plain", "withstdin"):
        assert _state(c, name) == ("Succeeded", 0, "Completed")
        assert container_logs(c, "default", name) == [name, "x", busybox_date(_started(c, name))]
    assert c.get("Pod", "default", "cat-withstdin")["status"]["phase"] == "Running"
    assert _state(c, "cat-plain")[0] == "Succeeded"  # without stdin, cat reads nothing and ends


def test_which_scripts_read_their_stdin():
    def reads(script: str) -> bool:
        return reads_stdin(parse(script))
    assert not reads("hostname; echo x; date") and not reads("sleep 2; ps; echo ---; ls /proc/1/; hostname")
    assert not reads("cat /etc/hosts | grep x") and not reads("wc -l < /etc/passwd")
    assert reads("cat") and reads("grep x") and reads("cat -") and reads("tee /tmp/out")
    assert reads("for i in 1; do head -n 1; done") and reads("if true; then echo; wc -l; fi")


def test_worlds_of_finished_containers_are_forgotten_without_a_look_at_every_start(monkeypatch):
    """A look for worlds no longer running walks every pod the kubelet runs: it is taken when the
    worlds have doubled since the last one, not at each new world."""
    from k9py.sim.userland import container
    looks = []
    real = container._prune

    def look(cluster, worlds):
        looks.append(len(worlds))
        real(cluster, worlds)
    monkeypatch.setattr(container, "_prune", look)
    c = cluster_with(seconds=1)
    for i in range(100):
        c.create(pod_manifest(f"hi-{i}", "busybox", args=["echo", "hi"], restart_policy="Never"))
    c.advance(20)
    worlds = c.state["userland"]["containers"]
    first = set(worlds)
    assert first and _state(c, "hi-99") == ("Succeeded", 0, "Completed")
    for i in range(100):
        c.create(pod_manifest(f"again-{i}", "busybox", args=["echo", "hi"], restart_policy="Never"))
    c.advance(20)
    assert container_logs(c, "default", "again-99") == ["hi"]
    assert not first & set(worlds)  # the first hundred's, finished, were let go
    assert len(looks) <= 5  # 200 worlds built
