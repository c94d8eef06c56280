import re

import pytest

from k9py.kube.status import ApiError
from k9py.kube.timefmt import parse_time
from k9py.sim.logs import RETENTION, append_log, busybox_date, container_logs, pi_digits
from tests.sim.helpers import COUNTER_SCRIPT, make_cluster, pod, pod_manifest
from tests.sim.userland.helpers import run

# a klog line after its level letter (the demo's clock: 1 Nov, 09:xx), as Kubernetes' own components write it
KLOG_AFTER_LEVEL = r"1101 09:\d\d:\d\d\.\d{6}       1 [\w.]+:\d+\] "


def _started(c, name, i=0):
    return parse_time(pod(c, name)["status"]["containerStatuses"][i]["state"]["running"]["startedAt"])


def _counter(c, name="counter"):
    c.create(pod_manifest(name, "busybox:1.36", command=["/bin/sh", "-c", COUNTER_SCRIPT]))


def test_busybox_date_format():
    assert busybox_date(parse_time("2026-11-01T09:00:05Z")) == "Sun Nov  1 09:00:05 UTC 2026"
    assert busybox_date(parse_time("2026-11-12T19:03:44Z")) == "Thu Nov 12 19:03:44 UTC 2026"


def test_counter_prints_exactly_the_shell_loop_output():
    c = make_cluster(nodes=1)
    _counter(c)
    c.advance(10)
    rt_start = c.state["kubelet"][pod(c, "counter")["metadata"]["uid"]].containers[0].current.started
    lines = container_logs(c, "default", "counter")
    assert lines[0] == f"0: {busybox_date(rt_start)}"
    n = len(lines)
    assert n == int(c.now() - rt_start) + 1
    for i, line in enumerate(lines):
        assert line == f"{i}: {busybox_date(rt_start + i)}"
    c.advance(5)
    assert len(container_logs(c, "default", "counter")) == n + 5


def test_tail_since_timestamps_limit():
    c = make_cluster(nodes=1)
    _counter(c)
    c.advance(100)
    all_lines = container_logs(c, "default", "counter")
    assert container_logs(c, "default", "counter", tail_lines=3) == all_lines[-3:]
    assert container_logs(c, "default", "counter", tail_lines=0) == []
    since = container_logs(c, "default", "counter", since_seconds=10)
    assert since == all_lines[-10:]
    stamped = container_logs(c, "default", "counter", tail_lines=1, timestamps=True)
    ts, text = stamped[0].split(" ", 1)
    assert text == all_lines[-1] and ts.endswith("Z") and len(ts.split(".")[1]) == 10
    assert busybox_date(parse_time(ts)) == text.split(": ", 1)[1]
    t_mid = parse_time(ts) - 4.5
    assert container_logs(c, "default", "counter", since_time=t_mid) == all_lines[-5:]
    limited = container_logs(c, "default", "counter", limit_bytes=40)
    assert "\n".join(limited) + "\n" == ("\n".join(all_lines) + "\n")[:40] or \
        "".join(x + "\n" for x in limited)[:40] == ("\n".join(all_lines) + "\n")[:40]


def test_retention_is_bounded():
    c = make_cluster(nodes=1)
    _counter(c)
    c.advance(RETENTION + 500)
    lines = container_logs(c, "default", "counter")
    assert len(lines) == RETENTION
    assert lines[-1].startswith(f"{int(lines[-1].split(':')[0])}:")
    assert int(lines[0].split(":")[0]) == int(lines[-1].split(":")[0]) - RETENTION + 1


def test_waiting_container_errors_like_the_apiserver():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("web"))
    c.settle()
    c.advance(0.8)
    with pytest.raises(ApiError) as e:
        container_logs(c, "default", "web")
    assert e.value.code == 400
    assert e.value.message == 'container "web" in pod "web" is waiting to start: ContainerCreating'
    with pytest.raises(ApiError) as e:
        container_logs(c, "default", "nope")
    assert e.value.code == 404 and e.value.message == 'pods "nope" not found'
    c.advance(20)
    with pytest.raises(ApiError) as e:
        container_logs(c, "default", "web", previous=True)
    assert e.value.message == 'previous terminated container "web" in pod "web" not found'


def test_container_name_required_with_several():
    c = make_cluster(nodes=1)
    m = pod_manifest("two")
    m["spec"]["containers"].append({"name": "sidecar", "image": "busybox:1.36",
                                    "command": ["sh", "-c", COUNTER_SCRIPT]})
    c.create(m)
    c.advance(20)
    with pytest.raises(ApiError) as e:
        container_logs(c, "default", "two")
    assert e.value.message == "a container name must be specified for pod two, choose one of: [two sidecar]"
    assert container_logs(c, "default", "two", "sidecar")[0].startswith("0: ")
    with pytest.raises(ApiError) as e:
        container_logs(c, "default", "two", "nope")
    assert e.value.message == "container nope is not valid for pod two"


def test_previous_logs_after_restart():
    c = make_cluster(nodes=1)
    m = pod_manifest("cr", "busybox:1.36", command=["/bin/sh", "-c", COUNTER_SCRIPT],
                     annotations={"k9py.sim/crash-after": "30"})
    c.create(m)
    c.advance(45)
    cs = pod(c, "cr")["status"]["containerStatuses"][0]
    assert cs["restartCount"] == 1
    prev = container_logs(c, "default", "cr", previous=True)
    assert len(prev) == 30 and prev[-1].startswith("29: ")
    cur = container_logs(c, "default", "cr")
    assert cur[0].startswith("0: ") and len(cur) < 30
    last = cs["lastState"]["terminated"]
    assert prev[0] == f"0: {busybox_date(parse_time(last['startedAt']))}"


def test_crash_loop_waiting_shows_last_run():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("cr", "busybox:1.36", command=["/bin/sh", "-c", COUNTER_SCRIPT],
                          annotations={"k9py.sim/crash-after": "3"}))
    for _ in range(100):
        c.advance(0.5)
        state = pod(c, "cr")["status"]["containerStatuses"][0]["state"]
        if state.get("waiting", {}).get("reason") == "CrashLoopBackOff":
            break
    assert pod(c, "cr")["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert container_logs(c, "default", "cr") == container_logs(c, "default", "cr", previous=True)
    assert len(container_logs(c, "default", "cr")) == 3


def test_nginx_traffic_is_invented_only_where_asked_deterministic_and_old_image_quiet_at_start():
    def logs(seed):
        c = make_cluster(nodes=1, seed=seed)
        c.create(pod_manifest("web", "nginx:1.14.2", annotations={"k9py.sim/traffic": "true"}))
        c.advance(600)
        return container_logs(c, "default", "web")
    a = logs(3)
    assert a == logs(3)
    assert a and all('"GET /' in x or "[error]" in x for x in a)
    assert any(x.endswith('"-"') and " 200 612 " in x for x in a)


def test_an_idle_nginx_logs_only_its_start_and_the_requests_really_sent_to_it():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("old", "nginx:1.14.2"))
    c.create(pod_manifest("new", "nginx:1.27.2"))
    c.create(pod_manifest("bb", "busybox", command=["sleep", "3600"]))
    c.advance(600)
    assert container_logs(c, "default", "old") == []  # nobody called it: nginx 1.14 prints nothing at start
    started = container_logs(c, "default", "new")
    assert started and not any("GET" in x for x in started)
    ip = pod(c, "old")["status"]["podIP"]
    assert run(c, "bb", f"wget -qO- {ip}")[2] == 0
    client = pod(c, "bb")["status"]["podIP"]
    [line] = container_logs(c, "default", "old")
    assert line.startswith(f"{client} - - [") and line.endswith('"GET / HTTP/1.1" 200 612 "-" "Wget" "-"')


def test_new_nginx_prints_entrypoint_lines():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("web", "nginx:1.27.2"))
    c.advance(10)
    lines = container_logs(c, "default", "web")
    assert lines[0] == "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"
    assert any(x.endswith("[notice] 1#1: nginx/1.27.2") for x in lines)


def test_an_nginx_two_part_tag_prints_that_lines_last_release():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("web", "nginx:1.25"))
    c.advance(10)
    assert any(x.endswith("[notice] 1#1: nginx/1.25.5") for x in container_logs(c, "default", "web"))


def test_redis_logs_its_start_and_its_saves_not_http_requests():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("db-0", "redis:7.2", container="redis"))
    c.advance(650)
    lines = container_logs(c, "default", "db-0")
    assert lines[0].endswith("* oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo") and lines[0].startswith("1:C ")
    assert "* Redis version=7.2.6, bits=64" in lines[1] and lines[6].endswith("* Ready to accept connections tcp")
    saves = [x for x in lines if x.endswith("* Background saving terminated with success")]
    assert len(saves) == 2 and all(x.startswith("1:M ") for x in saves)
    assert not any("request" in x or "HTTP" in x for x in lines)
    # the same lines however they are asked for (a window that splits a save, a tail)
    assert container_logs(c, "default", "db-0", tail_lines=3) == lines[-3:]


def test_job_pi_and_echo_output():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("pi", "perl:5.34.0", command=["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"],
                          restart_policy="Never"))
    c.create(pod_manifest("hi", "busybox:1.36", command=["sh", "-c", "echo hello; echo world"],
                          restart_policy="Never"))
    c.advance(120)
    assert pod(c, "pi")["status"]["phase"] == "Succeeded"
    out = container_logs(c, "default", "pi")
    assert out == [pi_digits(2000)] and out[0].startswith("3.14159265358979323846") and len(out[0]) == 2001
    assert container_logs(c, "default", "hi") == ["hello", "world"]


def test_append_log():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("app", "example/app:1.0"))
    c.advance(20)
    append_log(c, "default", "app", None, "custom line one", "custom line two")
    tail = container_logs(c, "default", "app", tail_lines=2)
    assert tail == ["custom line one", "custom line two"]


def test_system_component_log_formats():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("api", "registry.k8s.io/kube-apiserver:v1.31.0"))
    c.create(pod_manifest("etcd", "registry.k8s.io/etcd:3.5.15-0"))
    c.create(pod_manifest("dns", "registry.k8s.io/coredns/coredns:v1.11.1"))
    c.advance(30)
    api = container_logs(c, "default", "api")
    assert all(re.match("[IWE]" + KLOG_AFTER_LEVEL, x) for x in api)
    assert container_logs(c, "default", "etcd")[0].startswith('{"level":"info","ts":"2026-11-01T09:00:')
    assert container_logs(c, "default", "dns")[:3] == [".:53", container_logs(c, "default", "dns")[1],
                                                       "CoreDNS-1.11.1"]


def test_unscheduled_pod_has_no_logs_and_init_container_logs():
    c = make_cluster(nodes=1)
    c.create(pod_manifest("big", requests={"cpu": "8"}))
    c.settle()
    assert container_logs(c, "default", "big") == []
    m = pod_manifest("init")
    m["spec"]["initContainers"] = [{"name": "setup", "image": "busybox:1.36",
                                    "command": ["sh", "-c", "echo preparing; echo done"]}]
    c.create(m)
    c.advance(30)
    assert container_logs(c, "default", "init", "setup") == ["preparing", "done"]
    with pytest.raises(ApiError) as e:
        container_logs(c, "default", "init", "setup", previous=True)
    assert e.value.message == 'previous terminated container "setup" in pod "init" not found'


def test_a_step_run_to_its_end_logs_no_web_servers_lines():
    # the kubeflow scenario's pipeline steps (python3 -m kfp.dsl.executor_main … with exit-after): their
    # log was an unknown server's ("listening on :8080", "request completed method=GET path=/healthz")
    # around the training's own epochs; a run-to-completion step logs what is written to it only
    c = make_cluster(nodes=1)
    ann = {"k9py.sim/exit-after": "60s"}
    c.create(pod_manifest("train", "tensorflow/tensorflow:2.15.0", annotations=ann, restart_policy="Never",
                          command=["python3", "-m", "kfp.dsl.executor_main", "--component", "train"]))
    c.create(pod_manifest("mnist", "docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727", annotations=ann,
                          restart_policy="Never", command=["python3", "/opt/pytorch-mnist/mnist.py", "--epochs=1"]))
    c.advance(30)
    append_log(c, "default", "train", None, "Epoch 1/3 - loss: 0.9132 - accuracy: 0.6417")
    c.advance(20)
    assert container_logs(c, "default", "train") == ["Epoch 1/3 - loss: 0.9132 - accuracy: 0.6417"]
    assert any("INFO     Train Epoch: 1 [" in line for line in container_logs(c, "default", "mnist"))


def test_an_unknown_server_says_it_listens_on_its_declared_port():
    # the demo's centraldashboard (containerPort 8082, its Service's targetPort) said "listening on :8080"
    c = make_cluster(nodes=1)
    dash = pod_manifest("dash", "docker.io/kubeflownotebookswg/centraldashboard:v1.8.0")
    dash["spec"]["containers"][0]["ports"] = [{"containerPort": 8082, "protocol": "TCP"}]
    c.create(dash)
    c.create(pod_manifest("plain", "example.com/team/api:1.0"))
    c.advance(10)
    assert container_logs(c, "default", "dash")[2].endswith("INFO  listening on :8082")
    assert container_logs(c, "default", "plain")[2].endswith("INFO  listening on :8080")


def test_the_demos_ingress_controller_and_operators_log_as_they_do_not_as_a_web_app():
    """The ingress-nginx controller (klog), OLM (logrus) and the prometheus operator (go-kit's
    logfmt) said "request completed method=POST path=/api/v1/items": they log their start."""
    c = make_cluster(nodes=1)
    c.create(pod_manifest("ing", "registry.k8s.io/ingress-nginx/controller:v1.11.2@sha256:d5f8217feeac4887cb1ed21f27c2674e58be06bd8f5184cacea2a69abaf78dce"))
    c.create(pod_manifest("olm", "quay.io/operator-framework/olm:v0.28.0"))
    c.create(pod_manifest("prom", "quay.io/prometheus-operator/prometheus-operator:v0.70.0"))
    c.advance(600)
    ing = container_logs(c, "default", "ing")
    assert all(re.match("I" + KLOG_AFTER_LEVEL, x) for x in ing)
    assert any(x.endswith('"Starting NGINX Ingress controller"') for x in ing) and len(ing) == 10
    olm = container_logs(c, "default", "olm")
    assert olm[0].startswith('time="2026-11-01T09:00:') and olm[0].endswith('level=info msg="log level info"')
    assert len(olm) == 9
    prom = container_logs(c, "default", "prom")
    assert all(re.match(r"level=info ts=2026-11-01T09:00:\d\d\.\d{3}Z caller=\w+\.go:\d+ ", x) for x in prom)
    assert 'msg="Starting Prometheus Operator"' in prom[0] and len(prom) == 6
    assert not any("path=/api/v1/items" in x for x in ing + olm + prom)


def test_kubeflows_operators_log_the_controllers_they_start_for_their_kinds():
    """The notebook controller, the training operator and Katib's controller (controller-runtime
    managers) said "listening on :8080" and invented requests: they start a controller per kind."""
    c = make_cluster(nodes=1)
    c.create(pod_manifest("nb", "docker.io/kubeflownotebookswg/notebook-controller:v1.9.0"))
    c.create(pod_manifest("katib", "docker.io/kubeflowkatib/katib-controller:v0.17.0"))
    c.advance(600)
    nb = container_logs(c, "default", "nb")
    assert nb[0].endswith("Z\tINFO\tsetup\tstarting manager") and len(nb) == 7
    assert nb[-1].split("\t", 1)[1] == ('INFO\tStarting workers\t{"controller": "notebook", "controllerGroup": "kubeflow.org", '
                                     '"controllerKind": "Notebook", "worker count": 1}')
    katib = container_logs(c, "default", "katib")
    assert any('"source": "kind source: *v1beta1.Experiment"' in x for x in katib)
    assert not any("listening on" in x or "request completed" in x for x in nb + katib)


def test_mysql_logs_its_start_to_ready_for_connections_not_http_requests():
    """The demo's two MySQLs (Katib's, Pipelines') said "listening on :3306" as a web app would."""
    c = make_cluster(nodes=1)
    c.create(pod_manifest("db", "mysql:8.0.29"))
    c.advance(600)
    lines = container_logs(c, "default", "db")
    assert lines[0].endswith("[Note] [Entrypoint]: Entrypoint script for MySQL Server 8.0.29-1.el8 started.")
    assert re.fullmatch(r"2026-11-01T09:00:\d\d\.\d{6}Z 0 \[System\] \[MY-010116\] \[Server\] "
                        r"/usr/sbin/mysqld \(mysqld 8\.0\.29\) starting as process 1", lines[2])
    assert lines[-1].endswith("ready for connections. Version: '8.0.29'  socket: '/var/run/mysqld/mysqld.sock'  "
                              "port: 3306  MySQL Community Server - GPL.") and len(lines) == 9
