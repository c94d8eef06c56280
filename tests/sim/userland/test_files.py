"""The container file system: the image's files, the pod's volumes, what survives what."""

from __future__ import annotations

import base64

from k9py.sim.userland.image import NGINX_INDEX, NGINX_INDEX_OLD
from tests.sim.helpers import pod_manifest
from tests.sim.userland.helpers import busybox, cluster_with, run, sh


def test_image_files_hostname_resolv_conf_and_os_release():
    c = cluster_with(busybox(namespace="default"), pod_manifest("web", "nginx:1.27.2"),
                     pod_manifest("old", "nginx:1.14.2"), pod_manifest("alp", "alpine:3.20", command=["sleep", "1d"]))
    assert sh(c, "bb", "cat /etc/hostname") == "bb\n"
    assert sh(c, "bb", "cat /etc/resolv.conf") == ("nameserver 10.96.0.10\nsearch default.svc.cluster.local "
                                                   "svc.cluster.local cluster.local\noptions ndots:5\n")
    assert sh(c, "bb", "head -1 /etc/passwd") == "root:x:0:0:root:/root:/bin/sh\n"
    assert "ID=alpine" in sh(c, "alp", "cat /etc/os-release")
    assert 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"' in sh(c, "web", "cat /etc/os-release")
    assert "stretch" in sh(c, "old", "cat /etc/os-release")
    index = sh(c, "web", "cat /usr/share/nginx/html/index.html")
    assert index == NGINX_INDEX and len(index.encode()) == 615       # the size nginx logs
    assert len(NGINX_INDEX_OLD.encode()) == 612
    assert sh(c, "old", "wc -c < /usr/share/nginx/html/index.html") == "612\n"
    assert "listen       80;" in sh(c, "web", "cat /etc/nginx/conf.d/default.conf")
    assert "nginx:x:101:101" in sh(c, "web", "cat /etc/passwd")


def test_configmap_and_secret_volumes_with_items():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"},
          "data": {"app.properties": "color=blue\n", "mode": "prod"}}
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": "default"},
              "data": {"password": base64.b64encode(b"s3cr3t").decode(), "user": base64.b64encode(b"admin").decode()}}
    pod = busybox(volumes=[{"name": "cfg", "configMap": {"name": "cfg"}},
                           {"name": "one", "configMap": {"name": "cfg", "items": [{"key": "mode", "path": "sub/run-mode"}]}},
                           {"name": "creds", "secret": {"secretName": "creds"}}])
    pod["spec"]["containers"][0]["volumeMounts"] = [{"name": "cfg", "mountPath": "/etc/config"},
                                                    {"name": "one", "mountPath": "/opt/one"},
                                                    {"name": "creds", "mountPath": "/etc/creds", "readOnly": True}]
    c = cluster_with(cm, secret, pod)
    assert sh(c, "bb", "ls /etc/config") == "app.properties\nmode\n"
    assert sh(c, "bb", "cat /etc/config/app.properties") == "color=blue\n"
    assert sh(c, "bb", "cat /opt/one/sub/run-mode; ls /opt/one") == "prodsub\n"
    assert sh(c, "bb", "cat /etc/creds/password") == "s3cr3t"          # decoded, no newline added
    _, err, code = run(c, "bb", "echo x > /etc/config/new")
    assert code == 1 and err == "sh: can't create /etc/config/new: Read-only file system\n"


def test_service_account_token_is_projected():
    c = cluster_with(busybox())
    base = "/var/run/secrets/kubernetes.io/serviceaccount"
    assert sh(c, "bb", f"ls {base}") == "ca.crt\nnamespace\ntoken\n"
    assert sh(c, "bb", f"cat {base}/namespace") == "default"
    assert sh(c, "bb", f"head -1 {base}/ca.crt") == "-----BEGIN CERTIFICATE-----\n"
    token = sh(c, "bb", f"cat {base}/token")
    assert token.count(".") == 2
    claims = base64.urlsafe_b64decode(token.split(".")[1] + "==").decode()
    assert "system:serviceaccount:default:default" in claims


def test_writable_layer_is_per_instance_but_empty_dir_lives_with_the_pod():
    pod = busybox(volumes=[{"name": "scratch", "emptyDir": {}}])
    pod["spec"]["containers"][0]["volumeMounts"] = [{"name": "scratch", "mountPath": "/scratch"}]
    c = cluster_with(pod)
    sh(c, "bb", "echo layer > /tmp/a; echo kept > /scratch/b")
    assert sh(c, "bb", "cat /tmp/a /scratch/b") == "layer\nkept\n"
    _, _, code = run(c, "bb", "kill 1")
    assert code == 137
    c.advance(5)
    assert c.get("Pod", "default", "bb")["status"]["containerStatuses"][0]["restartCount"] == 1
    out, err, code = run(c, "bb", "cat /tmp/a; cat /scratch/b")
    assert (out, err, code) == ("kept\n", "cat: can't open '/tmp/a': No such file or directory\n", 0)


def test_empty_dir_is_shared_between_containers_of_a_pod():
    pod = busybox(volumes=[{"name": "shared", "emptyDir": {}}])
    pod["spec"]["containers"][0]["volumeMounts"] = [{"name": "shared", "mountPath": "/data"}]
    pod["spec"]["containers"].append({"name": "web", "image": "nginx:1.27.2",
                                      "volumeMounts": [{"name": "shared", "mountPath": "/usr/share/nginx/html"}]})
    c = cluster_with(pod)
    sh(c, "bb", "echo '<h1>hello from the sidecar</h1>' > /data/index.html", container="bb")
    assert sh(c, "bb", "cat /usr/share/nginx/html/index.html", container="web") == "<h1>hello from the sidecar</h1>\n"
    # and nginx serves it
    assert sh(c, "bb", "wget -qO- localhost", container="bb") == "<h1>hello from the sidecar</h1>\n"


def _pvc_deployment() -> list[dict]:
    pvc = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "default"},
           "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "app", "namespace": "default"},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "app"}},
                    "template": {"metadata": {"labels": {"app": "app"}},
                                 "spec": {"containers": [{"name": "app", "image": "busybox", "command": ["sleep", "1d"],
                                                          "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                                          "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]}}}}
    return [pvc, dep]


def _app_pod(c) -> str:
    pods = [p for p in c.store.list("Pod", "default") if p["metadata"]["name"].startswith("app-")
            and not p["metadata"].get("deletionTimestamp")]
    assert len(pods) == 1
    return pods[0]["metadata"]["name"]


def test_pvc_data_survives_pod_deletion_through_the_deployment():
    c = cluster_with(*_pvc_deployment(), seconds=30)
    first = _app_pod(c)
    sh(c, first, "echo 'saved at 1' > /data/notes.txt; mkdir -p /data/d/e; touch /data/d/e/f; echo x > /tmp/gone")
    c.delete("Pod", "default", first)
    c.advance(60)
    second = _app_pod(c)
    assert second != first
    assert sh(c, second, "cat /data/notes.txt; ls /data/d/e") == "saved at 1\nf\n"
    assert run(c, second, "test -e /tmp/gone")[2] == 1
    pv = c.get("PersistentVolumeClaim", "default", "data")["spec"]["volumeName"]
    from k9py.sim.userland.volumes import pv_data
    assert pv_data(c, pv) is not None and "notes.txt" in pv_data(c, pv).children


def test_pvc_is_shared_by_pods_on_the_same_claim_and_host_path_by_node():
    pvc, _ = _pvc_deployment()
    a = busybox("a", volumes=[{"name": "d", "persistentVolumeClaim": {"claimName": "data"}},
                              {"name": "h", "hostPath": {"path": "/srv"}}], nodeName="minikube")
    b = busybox("b", volumes=[{"name": "d", "persistentVolumeClaim": {"claimName": "data"}},
                              {"name": "h", "hostPath": {"path": "/srv"}}], nodeName="minikube")
    for p in (a, b):
        p["spec"]["containers"][0]["volumeMounts"] = [{"name": "d", "mountPath": "/data"}, {"name": "h", "mountPath": "/host"}]
    c = cluster_with(pvc, a, b)
    sh(c, "a", "echo from-a > /data/x; echo host > /host/y")
    assert sh(c, "b", "cat /data/x /host/y") == "from-a\nhost\n"


def test_what_a_shell_writes_is_stamped_with_the_virtual_now():
    """Not the container's start: a file made later shows the time it was made, and so does its
    directory (a new or removed entry changes it); the image's files keep the start."""
    c = cluster_with(busybox())
    started, passwd = sh(c, "bb", "ls -ld /tmp"), sh(c, "bb", "ls -l /etc/passwd")
    c.advance(600)
    now = sh(c, "bb", "date +'%b %e %H:%M'").strip()
    sh(c, "bb", "touch /tmp/new; echo x > /tmp/red; mkdir /tmp/d")
    listing = sh(c, "bb", "ls -l /tmp").splitlines()[1:]
    assert len(listing) == 3 and all(f" {now} " in line for line in listing)
    assert f" {now} /tmp\n" in sh(c, "bb", "ls -ld /tmp") and now not in started
    assert sh(c, "bb", "ls -l /etc/passwd") == passwd


def test_ls_sorts_its_operands_files_first_then_directories():
    """busybox `ls b a /etc/hostname`: the files by name, then each directory with its header (they
    came in the order given); `-r` reverses both."""
    c = cluster_with(busybox())
    sh(c, "bb", "touch /tmp/b /tmp/a; mkdir -p /tmp/d1 /tmp/c0; touch /tmp/d1/y /tmp/d1/x")
    assert sh(c, "bb", "ls /tmp/b /tmp/a /etc/hostname") == "/etc/hostname\n/tmp/a\n/tmp/b\n"
    assert sh(c, "bb", "ls /tmp/d1 /tmp/c0 /tmp/b") == "/tmp/b\n\n/tmp/c0:\n\n/tmp/d1:\nx\ny\n"
    assert sh(c, "bb", "ls -r /tmp/d1 /tmp/a /tmp/b") == "/tmp/b\n/tmp/a\n\n/tmp/d1:\ny\nx\n"


def test_head_and_tail_count_bytes_as_kubectl_cp_resumes_a_download():
    """kubectl cp with --retries (k9s's Transfer asks for 999) runs ``tar cf - PATH | tail -c+N``:
    the archive from its Nth byte (+0 and +1: all of it)."""
    c = cluster_with(busybox())
    assert sh(c, "bb", "printf abcdef | tail -c+3; echo; printf abcdef | tail -c +0; echo") == "cdef\nabcdef\n"
    assert sh(c, "bb", "printf abcdef | tail -c 2; echo; printf abcdef | head -c2; echo") == "ef\nab\n"
    out, _err, code = run(c, "bb", "tar cf - /etc/hostname | tail -c+0 | tar tf -")
    assert (out, code) == ("etc/hostname\n", 0)
