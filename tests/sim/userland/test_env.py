"""The environment: spec env / envFrom / downward API, service links, HOSTNAME, PATH, HOME."""

from __future__ import annotations

import base64

from k9py.sim.logs import container_logs
from tests.sim.helpers import pod_manifest
from tests.sim.userland.helpers import busybox, cluster_with, run, sh


def _objects():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"},
          "data": {"LEVEL": "debug", "COLOR": "blue"}}
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "default"},
              "data": {"password": base64.b64encode(b"hunter2").decode()}}
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "my-db", "namespace": "default"},
           "spec": {"selector": {"app": "db"}, "ports": [{"name": "pg", "port": 5432}]}}
    return [cm, secret, svc]


def _pod():
    pod = busybox(labels={"app": "bb", "tier": "front"})
    pod["spec"]["containers"][0].update({
        "env": [{"name": "GREETING", "value": "hello"},
                {"name": "MESSAGE", "value": "$(GREETING) world, $$(NOT)"},
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                {"name": "POD_NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                {"name": "POD_UID", "valueFrom": {"fieldRef": {"fieldPath": "metadata.uid"}}},
                {"name": "TIER", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['tier']"}}},
                {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                {"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
                {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                {"name": "SA", "valueFrom": {"fieldRef": {"fieldPath": "spec.serviceAccountName"}}},
                {"name": "MEM_LIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
                {"name": "CPU_REQ", "valueFrom": {"resourceFieldRef": {"resource": "requests.cpu", "divisor": "1m"}}},
                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
                {"name": "LOG", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "LEVEL"}}}],
        "envFrom": [{"configMapRef": {"name": "cfg"}, "prefix": "CFG_"}, {"secretRef": {"name": "db"}}],
        "resources": {"limits": {"memory": "128Mi", "cpu": "500m"}, "requests": {"cpu": "250m", "memory": "64Mi"}},
    })
    return pod


def test_env_from_the_spec():
    c = cluster_with(*_objects(), _pod())
    pod = c.get("Pod", "default", "bb")
    env = dict(line.split("=", 1) for line in sh(c, "bb", "env").splitlines())
    assert env["GREETING"] == "hello" and env["MESSAGE"] == "hello world, $(NOT)"
    assert env["POD_NAME"] == "bb" and env["POD_NS"] == "default" and env["POD_UID"] == pod["metadata"]["uid"]
    assert env["TIER"] == "front"
    assert env["POD_IP"] == pod["status"]["podIP"] and env["HOST_IP"] == pod["status"]["hostIP"]
    assert env["NODE"] == pod["spec"]["nodeName"] and env["SA"] == "default"
    assert env["MEM_LIMIT"] == "128" and env["CPU_REQ"] == "250"
    assert env["DB_PASSWORD"] == "hunter2" and env["password"] == "hunter2"
    assert env["LOG"] == "debug" and env["CFG_LEVEL"] == "debug" and env["CFG_COLOR"] == "blue"
    assert env["HOSTNAME"] == "bb" and env["HOME"] == "/root" and env["PATH"].endswith("/sbin:/bin")
    assert list(env)[:2] == ["PATH", "HOSTNAME"] and list(env)[-1] == "HOME"
    assert sh(c, "bb", "printenv DB_PASSWORD HOSTNAME") == "hunter2\nbb\n"
    assert run(c, "bb", ["printenv", "NOPE"])[2] == 1


def test_the_kubelet_expands_var_references_in_command_and_args():
    """``$(VAR)`` in command and args is the container's env (after env's own expansion); ``$$``
    is a ``$``; an unknown reference stays as written. The shell never sees them."""
    env = [{"name": "XV", "value": "42"}, {"name": "GREETING", "value": "hello"},
           {"name": "NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
           {"name": "BOTH", "value": "$(GREETING) $(NAME)"},
           {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}]
    pods = {"args": ({"command": ["sh", "-c"], "args": ["echo arg=$(XV) $$HOME"]}, ["arg=42 /root"]),
            "envsub": ({"command": ["echo", "$(GREETING) from $(NAME) $(UNDEF) $$(XV)"]},
                       ["hello from envsub $(UNDEF) $(XV)"]),
            "nested": ({"args": ["sh", "-c", "echo $(BOTH); sleep 1; echo $(XV)"]}, ["hello nested", "42"]),
            "ip": ({"args": ["echo", "$(IP)"]}, None),
            # the kubelet's variables only: not the image's PATH nor the runtime's HOSTNAME
            "runtime": ({"command": ["echo", "$(HOSTNAME) $(PATH) $(HOME)"]}, ["$(HOSTNAME) $(PATH) $(HOME)"])}
    objs = []
    for name, (fields, _) in pods.items():
        pod = pod_manifest(name, "busybox", restart_policy="Never")
        pod["spec"]["containers"][0].update(env=env, **fields)
        objs.append(pod)
    c = cluster_with(*objs)
    for name, (_, lines) in pods.items():
        status = c.get("Pod", "default", name)["status"]
        assert container_logs(c, "default", name) == (lines or [status["podIP"]]), name
        assert status["phase"] == "Succeeded"


def test_service_links_for_services_that_existed_at_start():
    c = cluster_with(*_objects(), busybox())
    svc = c.get("Service", "default", "my-db")
    ip = svc["spec"]["clusterIP"]
    env = dict(line.split("=", 1) for line in sh(c, "bb", "env").splitlines())
    assert env["MY_DB_SERVICE_HOST"] == ip and env["MY_DB_SERVICE_PORT"] == "5432"
    assert env["MY_DB_SERVICE_PORT_PG"] == "5432"
    assert env["MY_DB_PORT"] == f"tcp://{ip}:5432"
    assert env["MY_DB_PORT_5432_TCP_ADDR"] == ip and env["MY_DB_PORT_5432_TCP_PROTO"] == "tcp"
    assert env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1" and env["KUBERNETES_SERVICE_PORT"] == "443"
    # a Service created after the container started is not in its environment
    c.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "later", "namespace": "default"},
              "spec": {"selector": {"app": "x"}, "ports": [{"port": 80}]}})
    c.advance(5)
    assert "LATER_SERVICE_HOST" not in sh(c, "bb", "env")


def test_shell_variables_and_export():
    c = cluster_with(busybox())
    assert run(c, "bb", "X=1; echo $X; env | grep -c '^X='") == ("1\n0\n", "", 1)
    out, _, code = run(c, "bb", "export X=1; env | grep '^X='")
    assert (out, code) == ("X=1\n", 0)
    assert sh(c, "bb", "Y=2 env | grep ^Y=; echo ${Y:-unset} ${#HOSTNAME}") == "Y=2\nunset 2\n"
