"""A node's root file system, for a ``hostPath`` volume of ``/`` (``kubectl debug node/…`` mounts it
at ``/host``): an Ubuntu root as minikube's nodes have, with the kubelet's directories and the
static pod manifests of a control-plane node. Built the first time a pod mounts it, then kept
(per node) like any hostPath data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from k9py.kube import meta
from k9py.kube.meta import dig
from k9py.sim.userland.fs import Dir
from k9py.sim.userland.image import Image, image_for, root_tree

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster

CONTROL_PLANE = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")
KUBELET_CONFIG = """apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
staticPodPath: /etc/kubernetes/manifests
"""


def node_image() -> Image:
    """What a node's root holds to run: minikube's node image is Ubuntu (the release its Node's
    ``osImage`` says) with curl and ping (the tutorial's ``minikube ssh`` then ``curl <POD-IP>``, ``ping``)."""
    from k9py.sim.nodes import OS_IMAGE

    img = image_for("ubuntu:22.04")
    img.programs += ("curl", "ping")  # kicbase installs curl and iputils-ping (the walkthrough's ping <POD-IP>)
    version = OS_IMAGE.split()[1]  # "Ubuntu 22.04.4 LTS"
    img.files["etc/os-release"] = (
        f'PRETTY_NAME="{OS_IMAGE}"\nNAME="Ubuntu"\nVERSION_ID="{version.rsplit(".", 1)[0]}"\n'
        f'VERSION="{version} LTS (Jammy Jellyfish)"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\n'
        'HOME_URL="https://www.ubuntu.com/"\nSUPPORT_URL="https://help.ubuntu.com/"\n'
        'BUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"\nUBUNTU_CODENAME=jammy\n')
    return img


def is_node_root(cluster: Cluster, d: Dir) -> bool:
    """Whether ``d`` is a node's root (``node_root``, as a hostPath of ``/`` mounted it)."""
    from k9py.sim.userland.volumes import store

    return any(root is d for key, root in store(cluster)["hostpath"].items() if key.partition(":")[2].rstrip("/") == "")


def node_root(cluster: Cluster, node_name: str, now: float) -> Dir:
    """The root directory of node ``node_name``."""
    from k9py.sim.nodes import CONTROL_PLANE_LABEL

    img = node_image()
    node = cluster.store.get("Node", None, node_name)
    files: dict[str, str | bytes] = dict(img.files)
    files.update({
        "etc/hostname": node_name + "\n",
        "etc/kubernetes/kubelet.conf": f"apiVersion: v1\nkind: Config\nclusters:\n- name: {cluster.name}\n",
        "var/lib/kubelet/config.yaml": KUBELET_CONFIG,
        "etc/containerd/config.toml": 'version = 2\nroot = "/var/lib/containerd"\n',
    })
    if node is not None and CONTROL_PLANE_LABEL in meta.labels(node):
        for name in CONTROL_PLANE:
            files[f"etc/kubernetes/manifests/{name}.yaml"] = (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n"
                                                             f"  namespace: kube-system\n")
    for pod in cluster.store.list("Pod"):
        if dig(pod, "spec", "nodeName") == node_name:
            base = f"var/log/pods/{meta.namespace(pod)}_{meta.name(pod)}_{meta.uid(pod)}"
            for c in dig(pod, "spec", "containers") or []:
                files[f"{base}/{c.get('name')}/0.log"] = ""
    img.files = files
    root = root_tree(img, now)
    for d in ("boot", "lib", "mnt", "opt", "run", "sbin", "srv", "etc/kubernetes/manifests", "var/lib/kubelet/pods"):
        cur = root
        for part in d.split("/"):
            nxt = cur.children.setdefault(part, Dir(mtime=now))
            assert isinstance(nxt, Dir)
            cur = nxt
    return root
