"""HTTP and TCP probes ask the pod's simulated servers: nginx answers on the ports it listens
on (404 for what it does not have), nothing else listens (connection refused)."""

from __future__ import annotations

from tests.sim.helpers import container_status as _status
from tests.sim.helpers import events_with as _events
from tests.sim.helpers import make_cluster, pod_manifest


def _nginx(name: str, **probes: dict) -> dict:
    pod = pod_manifest(name, "nginx:1.14.2", labels={"app": name})
    pod["spec"]["containers"][0].update(probes)
    return pod



def _ready(c, name):
    conds = c.get("Pod", "default", name)["status"]["conditions"]
    return next(x["status"] for x in conds if x["type"] == "Ready")


def test_a_readiness_probe_on_a_port_nothing_listens_on_keeps_the_pod_out_of_its_service():
    c = make_cluster()
    c.create(_nginx("web", readinessProbe={"httpGet": {"path": "/", "port": 8080}}))
    c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
              "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    c.advance(60)
    st = _status(c, "web")
    assert "running" in st["state"] and st["ready"] is False and _ready(c, "web") == "False"
    ip = c.get("Pod", "default", "web")["status"]["podIP"]
    (ev,) = _events(c, "web", "Unhealthy")
    assert ev["type"] == "Warning" and ev["count"] >= 4
    assert ev["message"] == (f'Readiness probe failed: Get "http://{ip}:8080/": dial tcp {ip}:8080: '
                             "connect: connection refused")
    (eps,) = [e for e in c.store.list("EndpointSlice", "default") if e["metadata"]["name"].startswith("web-")]
    assert all(not (e.get("conditions") or {}).get("ready") for e in eps.get("endpoints") or [])
    assert st["restartCount"] == 0


def test_a_liveness_probe_of_a_missing_page_restarts_the_container():
    c = make_cluster()
    c.create(_nginx("web", livenessProbe={"httpGet": {"path": "/healthz", "port": 80}, "periodSeconds": 5}))
    c.advance(12)
    assert _status(c, "web")["restartCount"] == 0
    c.advance(20)
    (ev,) = _events(c, "web", "Unhealthy")
    assert ev["message"] == "Liveness probe failed: HTTP probe failed with statuscode: 404"
    (kill,) = _events(c, "web", "Killing")
    assert kill["message"] == "Container web failed liveness probe, will be restarted"
    st = _status(c, "web")
    assert st["restartCount"] == 1
    assert st["lastState"]["terminated"]["exitCode"] == 0  # nginx stops cleanly on the kubelet's signal
    assert st["lastState"]["terminated"]["reason"] == "Completed"


def test_probes_connect_where_nginx_listens_and_unmodelled_servers_keep_their_model():
    c = make_cluster()
    c.create(_nginx("good", readinessProbe={"tcpSocket": {"port": 80}}))
    c.create(_nginx("bad", readinessProbe={"tcpSocket": {"port": 81}}))
    c.create(_nginx("late", readinessProbe={"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 20,
                                            "periodSeconds": 5}))
    app = pod_manifest("app", "ghcr.io/example/app:1.0", annotations={"k9py.sim/any-tag": "true"})
    app["spec"]["containers"][0]["readinessProbe"] = {"httpGet": {"path": "/ready", "port": 8080}}
    app["spec"]["containers"][0]["livenessProbe"] = {"tcpSocket": {"port": 8080}}
    c.create(app)
    c.advance(15)
    assert "running" in _status(c, "late")["state"] and _status(c, "late")["ready"] is False
    c.advance(25)
    assert _status(c, "late")["ready"] is True and _events(c, "late", "Unhealthy") == []
    assert _status(c, "good")["ready"] is True
    assert _status(c, "bad")["ready"] is False
    # an application's server the simulator does not have: its probes keep the behaviour model
    assert _status(c, "app")["ready"] is True and _status(c, "app")["restartCount"] == 0
    ip = c.get("Pod", "default", "bad")["status"]["podIP"]
    (ev,) = _events(c, "bad", "Unhealthy")
    assert ev["message"] == f"Readiness probe failed: dial tcp {ip}:81: connect: connection refused"


def test_a_probe_sees_what_was_changed_inside_the_container_not_the_image_alone():
    """Probed replicas answer as their image does until someone changes their files: `kubectl
    exec web -- rm /usr/share/nginx/html/index.html` and the readiness probe of / fails, for
    that pod only."""
    from k9py.sim.userland import start_exec

    c = make_cluster()
    probe = {"readinessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 5}}
    for name in ("web", "twin"):
        c.create(_nginx(name, **probe))
    c.advance(30)
    assert _ready(c, "web") == _ready(c, "twin") == "True"
    proc = start_exec(c, "default", "web", None, ["rm", "/usr/share/nginx/html/index.html"], tty=False, stdin=False)
    c.advance(1)
    assert proc.done and proc.exit_code == 0
    c.advance(30)
    assert _ready(c, "web") == "False" and _ready(c, "twin") == "True"
    (ev,) = _events(c, "web", "Unhealthy")
    assert "HTTP probe failed with statuscode: " in ev["message"]


def test_a_startup_probe_holds_liveness_and_readiness_back_until_it_succeeds():
    """Kubernetes' startup probes: until it succeeds the container is not started (status says
    so), not ready, and its liveness probe (here of a missing page) probes nothing; then it
    stops and the others begin."""
    c = make_cluster()
    c.create(_nginx("slow", startupProbe={"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": 20,
                                          "periodSeconds": 10},
                    readinessProbe={"httpGet": {"path": "/", "port": 80}, "periodSeconds": 5},
                    livenessProbe={"httpGet": {"path": "/healthz", "port": 80}, "periodSeconds": 5}))
    c.advance(15)
    st = _status(c, "slow")
    assert "running" in st["state"] and st["started"] is False and st["ready"] is False and _ready(c, "slow") == "False"
    assert _events(c, "slow", "Unhealthy") == []  # liveness waits: no probe of /healthz yet
    c.advance(20)  # the startup probe's first tick (20 s after the start) succeeds
    st = _status(c, "slow")
    assert st["started"] is True and st["ready"] is True and _ready(c, "slow") == "True"
    c.advance(20)  # now liveness probes, fails three times, restarts it
    (ev,) = _events(c, "slow", "Unhealthy")
    assert ev["message"] == "Liveness probe failed: HTTP probe failed with statuscode: 404"
    assert _status(c, "slow")["restartCount"] == 1


def test_a_failing_startup_probe_restarts_the_container_after_its_threshold():
    c = make_cluster()
    c.create(_nginx("never", startupProbe={"tcpSocket": {"port": 8080}, "periodSeconds": 10, "failureThreshold": 3}))
    c.advance(25)
    st = _status(c, "never")
    assert st["started"] is False and st["restartCount"] == 0 and st["ready"] is False
    c.advance(15)  # the third failure in a row
    (ev,) = _events(c, "never", "Unhealthy")
    ip = c.get("Pod", "default", "never")["status"]["podIP"]
    assert ev["message"] == f"Startup probe failed: dial tcp {ip}:8080: connect: connection refused" and ev["count"] >= 3
    (kill,) = _events(c, "never", "Killing")
    assert kill["message"] == "Container never failed startup probe, will be restarted"
    c.advance(5)
    assert _status(c, "never")["restartCount"] == 1


def test_a_startup_probe_the_simulator_cannot_ask_succeeds_at_its_first_tick():
    """An application's own server (not modelled): its startup probe is taken to succeed, so the
    pod starts and becomes ready as it would without one, only later."""
    c = make_cluster()
    pod = pod_manifest("app", "ghcr.io/acme/api:1.0")
    pod["spec"]["containers"][0]["startupProbe"] = {"httpGet": {"path": "/started", "port": 8080}, "periodSeconds": 10}
    c.create(pod)
    c.advance(5)
    assert _status(c, "app")["started"] is False and _status(c, "app")["ready"] is False
    c.advance(15)
    st = _status(c, "app")
    assert st["started"] is True and st["ready"] is True and _events(c, "app", "Unhealthy") == []
