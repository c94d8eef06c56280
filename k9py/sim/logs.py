"""Container logs: deterministic generators per program, computed lazily from the container's
start time and "now" (no per-line timers), plus lines appended with ``append_log``.

Each container instance (one run, see ``kubelet.Instance``) has a source that can list its
lines in any time window; random ones (nginx access logs, app logs) draw from a
``random.Random`` seeded by (cluster seed, pod uid, container, attempt, minute), so the same
window always gives the same lines. Only the newest ``RETENTION`` lines of an instance are kept,
as the container runtime's log rotation would.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from k9py.kube import meta
from k9py.kube.meta import dig
from k9py.kube.status import ApiError, bad_request, not_found
from k9py.kube.timefmt import parse_time, rfc3339_nano
from k9py.sim.behaviour import TRAFFIC, image_name, image_tag
from k9py.sim.version import KUBERNETES_VERSION, MAJOR, MINOR

if TYPE_CHECKING:
    from k9py.sim.cluster import Cluster
    from k9py.sim.kubelet import Instance

Obj = dict[str, Any]
Line = tuple[float, str]

RETENTION = 10_000        # lines kept per container instance
BLOCK = 60.0              # seconds per block of seeded random lines


# -- sources -------------------------------------------------------------------------------------
class Source:
    """Lines of one container instance in ``[a, b)``."""

    def lines(self, a: float, b: float) -> list[Line]:
        return []


class Fixed(Source):
    def __init__(self, items: list[Line]) -> None:
        self.items = items

    def lines(self, a: float, b: float) -> list[Line]:
        return [x for x in self.items if a <= x[0] < b]


class Counter(Source):
    """The tutorial's ``i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done``."""

    def __init__(self, start: float) -> None:
        self.start = start

    def lines(self, a: float, b: float) -> list[Line]:
        first = max(0, math.ceil(a - self.start - 1e-9))
        out = []
        i = first
        while True:
            t = self.start + i
            if t >= b:
                break
            if t >= a:
                out.append((t, f"{i}: {busybox_date(t)}"))
            i += 1
        return out


class Blocks(Source):
    """Random lines, generated per ``BLOCK`` of time from a per-block seed."""

    def __init__(self, seed: str, start: float, make: Callable[[random.Random, float, float], list[Line]]) -> None:
        self.seed = seed
        self.start = start
        self.make = make

    def lines(self, a: float, b: float) -> list[Line]:
        a = max(a, self.start)
        if b <= a:
            return []
        out: list[Line] = []
        k0 = int((a - self.start) // BLOCK)
        k1 = int((b - self.start) // BLOCK)
        for k in range(k0, k1 + 1):
            lo = self.start + k * BLOCK
            rng = random.Random(f"{self.seed}|{k}")
            for t, text in self.make(rng, lo, lo + BLOCK):
                if a <= t < b:
                    out.append((t, text))
        return out


class Merged(Source):
    def __init__(self, parts: Iterable[Source]) -> None:
        self.parts = list(parts)

    def lines(self, a: float, b: float) -> list[Line]:
        out: list[Line] = []
        for p in self.parts:
            out.extend(p.lines(a, b))
        out.sort(key=lambda x: x[0])
        return out


# -- formats -------------------------------------------------------------------------------------
def busybox_date(t: float) -> str:
    """``date`` with no arguments in UTC: ``Sun Nov  1 09:00:05 UTC 2026``."""
    d = datetime.fromtimestamp(int(t), tz=UTC)
    return d.strftime("%a %b ") + f"{d.day:2d}" + d.strftime(" %H:%M:%S UTC %Y")


def nginx_time(t: float) -> str:
    return datetime.fromtimestamp(int(t), tz=UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


def nginx_error_time(t: float) -> str:
    return datetime.fromtimestamp(int(t), tz=UTC).strftime("%Y/%m/%d %H:%M:%S")


@lru_cache(maxsize=8)
def pi_digits(n: int) -> str:
    """π to ``n`` significant digits, as ``perl -Mbignum=bpi -wle 'print bpi(n)'`` prints it."""
    n = max(1, n)
    guard = 10
    scale = 10 ** (n + guard)

    def arctan_inv(x: int) -> int:
        total = term = scale // x
        x2, k, sign = x * x, 1, 1
        while term:
            term //= x2
            k += 2
            sign = -sign
            total += sign * (term // k)
        return total

    s = str(4 * (4 * arctan_inv(5) - arctan_inv(239)))  # "31415926..." with n + guard decimals
    head = int(s[:n]) + (1 if int(s[n]) >= 5 else 0)      # rounded to n significant digits
    text = str(head)
    return text[0] + ("." + text[1:] if n > 1 else "")


HELLO_WORLD = ["", "Hello from Docker!", "This message shows that your installation appears to be working correctly.", "", "To generate this message, Docker took the following steps:", " 1. The Docker client contacted the Docker daemon.", ' 2. The Docker daemon pulled the "hello-world" image from the Docker Hub.', "    (amd64)", " 3. The Docker daemon created a new container from that image which runs the", "    executable that produces the output you are currently reading.", " 4. The Docker daemon streamed that output to the Docker client, which sent it", "    to your terminal.", "", "To try something more ambitious, you can run an Ubuntu container with:", " $ docker run -it ubuntu bash", "", "Share images, automate workflows, and more with a free Docker ID:", " https://hub.docker.com/", "", "For more examples and ideas, visit:", " https://docs.docker.com/get-started/", ""][:-1]

_NGINX_ENTRYPOINT = [
    "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
    "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
    "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
    "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
    "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
    "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
    "/docker-entrypoint.sh: Configuration complete; ready for start up",
]
_USER_AGENTS = ["curl/8.5.0", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/130.0.0.0 Safari/537.36", "Wget", "python-requests/2.32.3", "Go-http-client/1.1"]


def _nginx_version(image: str) -> tuple[int, ...]:
    from k9py.sim.userland.image import nginx_version

    return nginx_version(image_tag(image))


def _nginx(inst: Instance, seed: str, node_gw: str, probe: Obj | None, traffic: bool) -> Source:
    """nginx's start, its probes' requests and, only with ``traffic`` (the pod's ``k9py.sim/traffic``
    annotation), invented clients' requests: an nginx nobody calls logs nothing more (requests
    really sent to it, by port-forward or another pod, are appended by the userland)."""
    version = _nginx_version(inst.image)
    start = inst.started
    startup: list[Line] = []
    if version >= (1, 19):
        full = ".".join(str(v) for v in version)
        t = start + 0.01
        startup = [(t, s) for s in _NGINX_ENTRYPOINT]
        et = nginx_error_time(start + 0.02)
        for s in ("using the \"epoll\" event method", f"nginx/{full}", "built by gcc 12.2.0 (Debian 12.2.0-14) ",
                  "OS: Linux 6.8.0-45-generic", "getrlimit(RLIMIT_NOFILE): 1048576:1048576",
                  "start worker processes", "start worker process 29", "start worker process 30"):
            startup.append((start + 0.02, f"{et} [notice] 1#1: {s}"))
    body = 612 if version < (1, 19) else 615

    def make(rng: random.Random, lo: float, hi: float) -> list[Line]:
        out = []
        t = lo
        while True:
            t += rng.expovariate(1 / 25.0)
            if t >= hi:
                break
            client = f"10.244.{rng.choice([0, 0, 1, 2])}.{rng.randint(2, 40)}"
            path, status, size = rng.choice([("/", 200, body), ("/", 200, body), ("/", 200, body),
                                             ("/index.html", 200, body), ("/favicon.ico", 404, 169 if version < (1, 19) else 153),
                                             ("/", 304, 0)])
            ua = rng.choice(_USER_AGENTS)
            out.append((t, f'{client} - - [{nginx_time(t)}] "GET {path} HTTP/1.1" {status} {size} "-" "{ua}" "-"'))
            if status == 404:
                out.append((t, f'{nginx_error_time(t)} [error] {rng.randint(29, 30)}#{rng.randint(29, 30)}: *{rng.randint(1, 999)} '
                               f'open() "/usr/share/nginx/html{path}" failed (2: No such file or directory), '
                               f'client: {client}, server: localhost, request: "GET {path} HTTP/1.1", host: "{client}"'))
        return out
    parts: list[Source] = [Fixed(startup)]
    if traffic:
        parts.append(Blocks(seed, start, make))
    if probe and probe.get("httpGet"):
        parts.append(_Probe(start, probe, node_gw, body))
    return Merged(parts)


class _Probe(Source):
    """kube-probe requests of an httpGet probe, every periodSeconds from initialDelaySeconds."""

    def __init__(self, start: float, probe: Obj, client: str, body: int) -> None:
        self.first = start + float(probe.get("initialDelaySeconds", 0) or 0) + 0.2
        self.period = float(probe.get("periodSeconds", 10) or 10)
        self.path = probe["httpGet"].get("path", "/")
        self.client = client
        self.body = body

    def lines(self, a: float, b: float) -> list[Line]:
        k = max(0, math.ceil((a - self.first) / self.period))
        out = []
        while True:
            t = self.first + k * self.period
            if t >= b:
                break
            out.append((t, f'{self.client} - - [{nginx_time(t)}] "GET {self.path} HTTP/1.1" 200 {self.body} "-" '
                           f'"kube-probe/{MAJOR}.{MINOR}" "-"'))
            k += 1
        return out


_APP_MESSAGES = [
    ("INFO", "request completed method=GET path=/ status=200 duration={ms}ms"),
    ("INFO", "request completed method=GET path=/healthz status=200 duration={ms}ms"),
    ("INFO", "request completed method=POST path=/api/v1/items status=201 duration={ms}ms"),
    ("DEBUG", "cache hit ratio={ratio}"),
    ("INFO", "metrics flushed series={n}"),
    ("WARN", "slow request method=GET path=/api/v1/items duration={slow}ms"),
]


def _generic(inst: Instance, seed: str, name: str, port: int = 8080) -> Source:
    """An unknown server's log: its start, listening on its container's first declared port
    (8080 when it declares none), then requests and housekeeping now and then."""
    start = inst.started

    def stamp(t: float) -> str:
        return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(t % 1 * 1000):03d}Z"

    startup = [(start + 0.05, f"{stamp(start + 0.05)} INFO  starting {name}"),
               (start + 0.12, f"{stamp(start + 0.12)} INFO  loaded configuration from /etc/{name}/config.yaml"),
               (start + 0.31, f"{stamp(start + 0.31)} INFO  listening on :{port}")]

    def make(rng: random.Random, lo: float, hi: float) -> list[Line]:
        out = []
        t = lo
        while True:
            t += rng.expovariate(1 / 15.0)
            if t >= hi:
                break
            level, text = rng.choice(_APP_MESSAGES)
            text = text.format(ms=rng.randint(1, 40), ratio=f"{rng.random():.2f}", n=rng.randint(50, 900),
                               slow=rng.randint(500, 3000))
            out.append((t, f"{stamp(t)} {level:<5} {text}"))
        return out
    return Merged([Fixed(startup), Blocks(seed, start, make)])


def _pytorch_mnist(inst: Instance, seed: str) -> Source:
    """Katib's pytorch-mnist trial (the training-operator's PyTorchJob example): ``Using CPU``,
    then one epoch's ``Train Epoch`` lines every 10 batches of 64 (one about every 5 s), its loss
    falling, then the metrics line Katib's collector reads."""
    start = inst.started
    rng = random.Random(seed)

    def stamp(t: float) -> str:
        return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    out: list[Line] = [(start + 1.2, "Using CPU")]
    t = start + 4.0
    loss = 2.30
    for batch in range(0, 938, 10):
        seen = batch * 64
        out.append((t, f"{stamp(t)} INFO     Train Epoch: 1 [{seen}/60000 ({100 * batch / 938:.0f}%)]\tloss={loss:.4f}"))
        loss = max(0.05, loss * (0.93 if batch < 300 else 0.99) + rng.uniform(-0.04, 0.04))
        t += rng.uniform(4.6, 5.2)
    accuracy = 0.9 + rng.uniform(0.0, 0.07)
    out.append((t + 3.0, f"{stamp(t + 3.0)} INFO     {{metricName: accuracy, metricValue: {accuracy:.4f}}};"
                         f"{{metricName: loss, metricValue: {max(0.05, loss):.4f}}}"))
    out.append((t + 3.0 + 1e-6, ""))
    return Fixed(out)


def _redis(inst: Instance, seed: str) -> Source:
    """redis-server's own log: its start, then an RDB save each time its default ``save 3600 1
    300 100 60 10000`` fires (here: every 5 minutes, as a cache that takes writes would)."""
    start = inst.started
    tag = image_tag(inst.image).split("-")[0]
    version = tag if tag.count(".") == 2 else {"7.4": "7.4.1", "7.2": "7.2.6", "7.0": "7.0.15", "6.2": "6.2.16"}.get(
        tag, "7.4.1")

    def stamp(t: float) -> str:
        d = datetime.fromtimestamp(t, tz=UTC)
        return d.strftime("%d %b %Y %H:%M:%S.") + f"{int(t % 1 * 1000):03d}"

    said = [("C", "* oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
            ("C", f"* Redis version={version}, bits=64, commit=00000000, modified=0, pid=1, just started"),
            ("C", "# Warning: no config file specified, using the default config. In order to specify a config "
                  "file use redis-server /path/to/redis.conf"),
            ("M", "* monotonic clock: POSIX clock_gettime"), ("M", "* Running mode=standalone, port=6379."),
            ("M", "* Server initialized"), ("M", "* Ready to accept connections tcp")]
    startup = [(start + 0.01 + i * 1e-4, f"1:{role} {stamp(start + 0.01 + i * 1e-4)} {text}")
               for i, (role, text) in enumerate(said)]

    def make(rng: random.Random, lo: float, hi: float) -> list[Line]:
        out: list[Line] = []
        k = math.ceil((lo - start) / 300.0)
        while start + k * 300.0 < hi:  # (a save's later lines may be in the next block: kept here)
            t, pid = start + k * 300.0, 20 + k
            if k > 0:
                out += [(t, f"1:M {stamp(t)} * {rng.randint(100, 900)} changes in 300 seconds. Saving..."),
                        (t + 0.001, f"1:M {stamp(t + 0.001)} * Background saving started by pid {pid}"),
                        (t + 0.02, f"{pid}:C {stamp(t + 0.02)} * DB saved on disk"),
                        (t + 0.03, f"{pid}:C {stamp(t + 0.03)} * Fork CoW for RDB: current 0 MB, peak 0 MB, average 0 MB"),
                        (t + 0.1, f"1:M {stamp(t + 0.1)} * Background saving terminated with success")]
            k += 1
        return out
    return Merged([Fixed(startup), Blocks(seed, start, make)])


def _mysql(inst: Instance) -> Source:
    """The mysql image's entrypoint and mysqld's start, to "ready for connections" (a server that
    logs no queries: it says nothing more)."""
    start = inst.started
    tag = image_tag(inst.image).split("-")[0]
    version = tag if tag.count(".") == 2 else {"8.4": "8.4.3", "8.0": "8.0.40", "8": "8.0.40", "5.7": "5.7.44"}.get(
        tag, "8.0.40")
    entry = datetime.fromtimestamp(start + 0.01, tz=UTC).strftime("%Y-%m-%d %H:%M:%S+00:00")
    said = [("0", "System", "MY-010116", "Server", f"/usr/sbin/mysqld (mysqld {version}) starting as process 1"),
            ("1", "System", "MY-013576", "InnoDB", "InnoDB initialization has started."),
            ("1", "System", "MY-013577", "InnoDB", "InnoDB initialization has ended."),
            ("0", "Warning", "MY-010068", "Server", "CA certificate ca.pem is self signed."),
            ("0", "System", "MY-013602", "Server", "Channel mysql_main configured to support TLS. Encrypted "
                                                   "connections are now supported for this channel."),
            ("0", "System", "MY-011323", "Server", "X Plugin ready for connections. Bind-address: '::' port: 33060, "
                                                   "socket: /var/run/mysqld/mysqlx.sock"),
            ("0", "System", "MY-010931", "Server", f"/usr/sbin/mysqld: ready for connections. Version: '{version}'  "
                                                   "socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community "
                                                   "Server - GPL.")]
    lines = [(start + 0.01, f"{entry} [Note] [Entrypoint]: Entrypoint script for MySQL Server {version}-1.el8 started."),
             (start + 0.02, f"{entry} [Note] [Entrypoint]: Switching to dedicated user 'mysql'")]
    lines += [(start + 0.3 + i * 0.2, f"{rfc3339_nano(start + 0.3 + i * 0.2)[:26]}Z {thread} [{prio}] [{code}] [{sub}] {text}")
              for i, (thread, prio, code, sub, text) in enumerate(said)]
    return Fixed(lines)


# -- Kubernetes components (klog), etcd (zap JSON), CoreDNS ------------------------------------------
def klog_prefix(t: float, level: str = "I", source: str = "controller.go:123") -> str:
    """klog's header: ``I1101 09:00:05.123456       1 server.go:42] ``."""
    d = datetime.fromtimestamp(t, tz=UTC)
    return f"{level}{d.strftime('%m%d %H:%M:%S')}.{int(t % 1 * 1e6):06d}       1 {source}] "


_KLOG = {
    "kube-apiserver": (
        [("options.go:228", "external host was not specified, using 192.168.49.2"),
         ("server.go:142", f"Version: {KUBERNETES_VERSION}"),
         ("secure_serving.go:213", "Serving securely on [::]:8443"),
         ("controller.go:615", "quota admission added evaluator for: endpoints"),
         ("controller.go:615", "quota admission added evaluator for: leases.coordination.k8s.io"),
         ("alloc.go:330", '"allocated clusterIPs" service="default/kubernetes" clusterIPs={"IPv4":"10.96.0.1"}')],
        [("controller.go:615", "quota admission added evaluator for: replicasets.apps"),
         ("handler.go:286", "Adding GroupVersion metrics.k8s.io v1beta1 to ResourceManager"),
         ("controller.go:615", "quota admission added evaluator for: jobs.batch")]),
    "kube-controller-manager": (
        [("serving.go:386", "Generated self-signed cert in-memory"),
         ("controllermanager.go:197", f'"Starting" version="{KUBERNETES_VERSION}"'),
         ("leaderelection.go:254", "successfully acquired lease kube-system/kube-controller-manager"),
         ("shared_informer.go:320", "Caches are synced for garbage collector")],
        []),  # (an idle controller manager says nothing: it speaks of objects as they change)
    "kube-scheduler": (
        [("serving.go:386", "Generated self-signed cert in-memory"),
         ("server.go:167", f'"Starting Kubernetes Scheduler" version="{KUBERNETES_VERSION}"'),
         ("leaderelection.go:254", "successfully acquired lease kube-system/kube-scheduler")],
        []),
    "kube-proxy": (
        [("server_linux.go:66", '"Using iptables proxy"'),
         ("server.go:677", '"Successfully retrieved node IP(s)" IPs=["192.168.49.2"]'),
         ("config.go:197", '"Starting service config controller"'),
         ("shared_informer.go:320", "Caches are synced for service config")],
        [("proxier.go:805", '"Syncing iptables rules"')]),
    "storage-provisioner": (
        [("storage_provisioner.go:116", "Initializing the minikube storage provisioner..."),
         ("storage_provisioner.go:141", "Storage provisioner initialized, now starting service!"),
         ("leaderelection.go:243", "attempting to acquire leader lease kube-system/k8s.io-minikube-hostpath..."),
         ("controller.go:835", "Starting provisioner controller k8s.io/minikube-hostpath_minikube_1e1b!")],
        []),  # (it speaks when it provisions a claim: no lines about objects the cluster may not have)
    "ingress-nginx-controller": (  # (its Ingresses' lines would name objects the cluster may not have)
        [("main.go:205", '"Creating API client" host="https://10.96.0.1:443"'),
         ("main.go:248", f'"Running in Kubernetes cluster" major="{MAJOR}" minor="{MINOR}" git="{KUBERNETES_VERSION}" '
                         'state="clean" platform="linux/amd64"'),
         ("main.go:101", '"SSL fake certificate created" file="/etc/ingress-controller/ssl/default-fake-certificate.pem"'),
         ("nginx.go:271", '"Starting NGINX Ingress controller"'),
         ("nginx.go:317", '"Starting NGINX process"'),
         ("leaderelection.go:250", "attempting to acquire leader lease ingress-nginx/ingress-nginx-leader..."),
         ("controller.go:193", '"Configuration changes detected, backend reload required"'),
         ("controller.go:213", '"Backend successfully reloaded"'),
         ("controller.go:224", '"Initial sync, sleeping for 1 second"'),
         ("leaderelection.go:260", "successfully acquired lease ingress-nginx/ingress-nginx-leader")],
        []),
}

# operators that log as logrus (OLM) and go-kit's logfmt (prometheus-operator) do: their start
_OLM = ["log level info", "TLS keys set, using https for metrics", "Using in-cluster kube client config",
        f"connection established. cluster-version: {KUBERNETES_VERSION}", "operator ready", "starting informers...",
        "informers started", "waiting for caches to sync...", "starting workers..."]
_PROMETHEUS_OPERATOR = [
    ("main.go:187", 'msg="Starting Prometheus Operator" version="(version=0.70.0, branch=refs/tags/v0.70.0)"'),
    ("main.go:253", f'msg="connection established" cluster-version={KUBERNETES_VERSION}'),
    ("main.go:326", 'msg="Kubernetes API capabilities" endpointslices=true'),
    ("operator.go:335", 'component=prometheusoperator msg="successfully synced all caches"'),
    ("operator.go:323", 'component=alertmanageroperator msg="successfully synced all caches"'),
    ("operator.go:269", 'component=thanosoperator msg="successfully synced all caches"')]


# Kubeflow's operators, built on controller-runtime (zap's console lines): the kinds each reconciles
_CONTROLLER_RUNTIME: dict[str, list[tuple[str, str, str]]] = {
    "notebook-controller": [("notebook", "Notebook", "v1")],
    "training-operator": [("pytorchjob-controller", "PyTorchJob", "v1")],
    "katib-controller": [("experiment-controller", "Experiment", "v1beta1")],
}


def _controller_runtime(name: str) -> list[str]:
    """``name``'s start: the manager, then an event source, the controller and its workers for
    every kind it reconciles (tab-separated, as zap's console encoder writes them)."""
    out = ["INFO\tsetup\tstarting manager",
           'INFO\tcontroller-runtime.metrics\tStarting metrics server',
           'INFO\tcontroller-runtime.metrics\tServing metrics server\t{"bindAddress": ":8080", "secure": false}',
           "INFO\tStarting server\t{\"kind\": \"health probe\", \"addr\": \"[::]:8081\"}"]
    for controller, kind, version in _CONTROLLER_RUNTIME[name]:
        of = f'"controller": "{controller}", "controllerGroup": "kubeflow.org", "controllerKind": "{kind}"'
        out += [f'INFO\tStarting EventSource\t{{{of}, "source": "kind source: *{version}.{kind}"}}',
                f"INFO\tStarting Controller\t{{{of}}}",
                f'INFO\tStarting workers\t{{{of}, "worker count": 1}}']
    return out


def _operator_start(inst: Instance, name: str) -> Source:
    """An operator's first lines, then quiet (it speaks of the custom resources it is given)."""
    def at(i: int) -> float:
        return inst.started + 0.05 + i * 0.21
    if name in _CONTROLLER_RUNTIME:
        return Fixed([(at(i), f"{rfc3339_nano(at(i))[:23]}Z\t{msg}") for i, msg in enumerate(_controller_runtime(name))])
    if name == "olm":
        return Fixed([(at(i), f'time="{datetime.fromtimestamp(at(i), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}" '
                              f'level=info msg="{msg}"') for i, msg in enumerate(_OLM)])
    return Fixed([(at(i), f"level=info ts={rfc3339_nano(at(i))[:23]}Z caller={src} {msg}")
                  for i, (src, msg) in enumerate(_PROMETHEUS_OPERATOR)])


def _klog(inst: Instance, seed: str, component: str) -> Source:
    start, (boot, periodic) = inst.started, _KLOG[component]
    startup = [(start + 0.05 + i * 0.13, klog_prefix(start + 0.05 + i * 0.13, "I", src) + msg)
               for i, (src, msg) in enumerate(boot)]

    def make(rng: random.Random, lo: float, hi: float) -> list[Line]:
        out: list[Line] = []
        t = lo
        while periodic:
            t += rng.expovariate(1 / 40.0)
            if t >= hi:
                return out
            src, msg = rng.choice(periodic)
            out.append((t, klog_prefix(t, "I", src) + msg))
        return out
    return Merged([Fixed(startup), Blocks(seed, start, make)])


def _etcd(inst: Instance, seed: str) -> Source:
    def line(t: float, caller: str, msg: str, extra: str = "") -> Line:
        ts = datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(t % 1 * 1e6):06d}Z"
        return (t, f'{{"level":"info","ts":"{ts}","caller":"{caller}","msg":"{msg}"{extra}}}')
    start = inst.started
    boot = [line(start + 0.01, "etcdmain/etcd.go:73", "Running: ", ',"args":["etcd","--advertise-client-urls=https://192.168.49.2:2379"]'),
            line(start + 0.02, "embed/etcd.go:311", "starting an etcd server", ',"etcd-version":"3.5.15"'),
            line(start + 0.4, "etcdserver/server.go:2118", "published local member to cluster through raft"),
            line(start + 0.41, "embed/serve.go:250", "serving client traffic securely", ',"traffic":"grpc+http","address":"192.168.49.2:2379"')]

    def make(rng: random.Random, lo: float, hi: float) -> list[Line]:
        out, t = [], lo + rng.random() * 300
        while t < hi:
            rev = 1000 + int(t - start)
            out.append(line(t, "mvcc/index.go:214", "compact tree index", f',"revision":{rev}'))
            out.append(line(t + 0.01, "mvcc/kvstore_compaction.go:69", "finished scheduled compaction",
                            f',"compact-revision":{rev},"took":"{rng.randint(2, 9)}.{rng.randint(100, 999)}ms"'))
            t += 300
        return out
    return Merged([Fixed(boot), _Slow(seed, start, make)])


class _Slow(Blocks):
    """Blocks of five minutes (for sources with a line every few minutes)."""

    def lines(self, a: float, b: float) -> list[Line]:
        a = max(a, self.start)
        if b <= a:
            return []
        out: list[Line] = []
        size = 300.0
        for k in range(int((a - self.start) // size), int((b - self.start) // size) + 1):
            lo = self.start + k * size
            rng = random.Random(f"{self.seed}|slow|{k}")
            out += [x for x in self.make(rng, lo, lo + size) if a <= x[0] < b]
        return out


def _coredns(inst: Instance, seed: str) -> Source:
    start = inst.started
    boot = [".:53", "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b"
            "729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908",
            "CoreDNS-1.11.1", "linux/amd64, go1.20.7, ae2bbc2"]
    fixed = [(start + 0.1, x) for x in boot]
    fixed.append((start + 0.2, '[INFO] 127.0.0.1:36176 - 47151 "HINFO IN 8327418383128178085.6012131442553640441. '
                               'udp 57 false 512" NXDOMAIN qr,rd,ra 57 0.012402373s'))
    # every cluster's own name (the names of a cluster's Services vary: a query for one it does not
    # have would be NXDOMAIN, and logs are made without reading the cluster)
    names = ["kubernetes.default.svc.cluster.local."]

    def make(rng: random.Random, lo: float, hi: float) -> list[Line]:
        out: list[Line] = []
        t = lo
        while True:
            t += rng.expovariate(1 / 30.0)
            if t >= hi:
                return out
            q = rng.choice(names)
            typ = rng.choice(["A", "AAAA"])
            code = "NOERROR"
            out.append((t, f'[INFO] 10.244.{rng.randint(0, 2)}.{rng.randint(2, 30)}:{rng.randint(32768, 60999)} - '
                           f'{rng.randint(1, 65535)} "{typ} IN {q} udp {len(q) + 20} false 512" {code} '
                           f'qr,aa,rd {len(q) + (36 if typ == "A" else 120)} 0.000{rng.randint(100, 999)}{rng.randint(100, 999)}s'))
    return Merged([Fixed(fixed), Blocks(seed, start, make)])


def source_for(cluster: Cluster, pod: Obj, cname: str, inst: Instance) -> Source:
    prog = inst.program
    start = inst.started
    seed = f"{cluster.seed}|{meta.uid(pod)}|{cname}|{inst.attempt}"
    if prog.log == "counter":
        return Counter(start)
    if prog.log == "echo":
        return Fixed([(start + 0.01 + i * 1e-6, s) for i, s in enumerate(prog.echo_lines)])
    if prog.log == "pi":
        end = start + (prog.run_seconds or 0) - 0.01
        return Fixed([(end, pi_digits(prog.digits))])
    if prog.log == "hello":
        return Fixed([(start + 0.01 + i * 1e-6, s) for i, s in enumerate(HELLO_WORLD)])
    if prog.log == "nginx":
        spec_c: Obj = next((c for c in dig(pod, "spec", "containers") or [] if c.get("name") == cname), {})
        ip = dig(pod, "status", "podIP") or "10.244.0.2"
        gw = ip.rsplit(".", 1)[0] + ".1"
        return _nginx(inst, seed, gw, spec_c.get("readinessProbe") or spec_c.get("livenessProbe"),
                      str(meta.annotations(pod).get(TRAFFIC)).lower() == "true")
    if prog.log in ("generic", "batch"):
        name = image_name(inst.image)
        if "/ingress-nginx/controller" in inst.image.split("@", 1)[0]:
            name = "ingress-nginx-controller"
        if name in ("olm", "prometheus-operator", *_CONTROLLER_RUNTIME):
            return _operator_start(inst, name)
        if name in _KLOG:
            return _klog(inst, seed, name)
        if name == "etcd":
            return _etcd(inst, seed)
        if name == "coredns":
            return _coredns(inst, seed)
        if name == "redis":
            return _redis(inst, seed)
        if name == "mysql":
            return _mysql(inst)
        if name == "pytorch-mnist":
            return _pytorch_mnist(inst, seed)
        if name == "echo-server":  # jmalloc/echo-server's one line (it logs no requests)
            from k9py.sim.userland.env import kubelet_env  # (the environment its server reads the port from)

            spec_e: Obj = next((c for c in dig(pod, "spec", "containers") or [] if c.get("name") == cname), {})
            port = kubelet_env(cluster, pod, spec_e, start).get("PORT", "8080")
            return Fixed([(start + 0.01, f"Echo server listening on port {port}.")])
        if prog.log == "batch":  # an unknown program run to its end: what it prints is not known
            return Source()
        spec_g: Obj = next((c for c in dig(pod, "spec", "containers") or [] if c.get("name") == cname), {})
        ports = [int(p["containerPort"]) for p in spec_g.get("ports") or []
                 if isinstance(p, dict) and p.get("protocol", "TCP") == "TCP" and isinstance(p.get("containerPort"), int)]
        return _generic(inst, seed, name or cname, ports[0] if ports else 8080)
    return Source()


# -- the API -------------------------------------------------------------------------------------
def _instance_lines(cluster: Cluster, pod: Obj, cname: str, inst: Instance, *, since: float | None,
                    need: int | None) -> list[Line]:
    """The retained lines of an instance at or after ``since``; only the last ``need`` if given."""
    now = cluster.now()
    if inst.script is not None and inst.finished is None:
        inst.script.advance(now)  # what its script wrote by now (the kubelet wakes it at its steps)
    # a running container's line written at this very instant is included; a finished one
    # died before printing at its finish time
    end = inst.finished if inst.finished is not None and inst.finished <= now else now + 1e-3
    src = source_for(cluster, pod, cname, inst)
    extra = [x for x in inst.extra if x[0] < end]
    limit = RETENTION if need is None else min(need, RETENTION)
    lo_bound = inst.started if since is None else max(inst.started, since)
    out: list[Line] = []
    hi = end
    window = 600.0
    while hi > lo_bound and len(out) < limit:
        lo = max(lo_bound, hi - window)
        chunk = src.lines(lo, hi)
        chunk += [x for x in extra if lo <= x[0] < hi]
        chunk.sort(key=lambda x: x[0])
        out = chunk + out
        hi = lo
        window *= 2
    # retention counts from the start of the instance's newest lines, regardless of ``since``
    out = out[-limit:]
    if since is not None:
        out = [x for x in out if x[0] >= since]
    return out


def resolve_container(pod: Obj, container: str | None) -> tuple[str, bool]:
    """The container's name and whether it is an init container, or ApiError 400."""
    spec = pod.get("spec", {})
    names = [c.get("name") for c in spec.get("containers") or []]
    inits = [c.get("name") for c in spec.get("initContainers") or []]
    ephemeral = [c.get("name") for c in spec.get("ephemeralContainers") or []]
    pname = meta.name(pod)
    if not container:
        if len(names) == 1:
            return names[0], False
        msg = f"a container name must be specified for pod {pname}, choose one of: [{' '.join(names)}]"
        if inits:
            msg += f" or one of the init containers: [{' '.join(inits)}]"
        if ephemeral:
            msg += f" or one of the ephemeral containers: [{' '.join(ephemeral)}]"
        raise bad_request(msg)
    if container in names or container in ephemeral:
        return container, False
    if container in inits:
        return container, True
    raise bad_request(f"container {container} is not valid for pod {pname}")


def _pick_instance(cluster: Cluster, pod: Obj, cname: str, init: bool, previous: bool) -> Instance | None:
    """Which container instance the kubelet reads (kubelet validateContainerLogStatus)."""
    from k9py.sim.kubelet import runtime_for

    pname = meta.name(pod)
    keys = ("initContainerStatuses",) if init else ("containerStatuses", "ephemeralContainerStatuses")
    status = next((s for k in keys for s in dig(pod, "status", k) or [] if s.get("name") == cname), None)
    if status is None:
        if previous:
            raise bad_request(f'previous terminated container "{cname}" in pod "{pname}" not found')
        raise bad_request(f'container "{cname}" in pod "{pname}" is waiting to start: ContainerCreating')
    state = status.get("state") or {}
    last = (status.get("lastState") or {}).get("terminated")
    cid: str | None = None
    if previous:
        if not last or not last.get("containerID"):
            raise bad_request(f'previous terminated container "{cname}" in pod "{pname}" not found')
        cid = last["containerID"]
    elif "running" in state:
        cid = status.get("containerID")
    elif "terminated" in state:
        cid = state["terminated"].get("containerID") or (last or {}).get("containerID")
    elif last:
        cid = last.get("containerID")
        if not cid:
            raise bad_request(f'container "{cname}" in pod "{pname}" is terminated')
    elif "waiting" in state:
        reason = state["waiting"].get("reason", "")
        if reason == "ErrImagePull":
            raise bad_request(f'container "{cname}" in pod "{pname}" is waiting to start: image can\'t be pulled')
        if reason == "ImagePullBackOff":
            raise bad_request(f'container "{cname}" in pod "{pname}" is waiting to start: trying and failing to pull image')
        raise bad_request(f'container "{cname}" in pod "{pname}" is waiting to start: {reason}')
    else:
        raise bad_request(f'container "{cname}" in pod "{pname}" is waiting to start - no logs yet')
    rt = runtime_for(cluster, meta.namespace(pod), pname)
    if rt is None or not cid:
        return None
    c = rt.by_name(cname, init)
    if c is None:
        return None
    raw = cid.split("://", 1)[-1]
    return next((i for i in c.instances if i.container_id == raw), None)


def container_logs(cluster: Cluster, namespace: str, pod: str, container: str | None = None, *,
                   previous: bool = False, since_seconds: float | None = None, since_time: str | float | None = None,
                   tail_lines: int | None = None, timestamps: bool = False,
                   limit_bytes: int | None = None) -> list[str]:
    """What ``GET /api/v1/namespaces/{ns}/pods/{pod}/log`` returns, as lines (no newlines)."""
    obj = cluster.store.get("Pod", namespace, pod)
    if obj is None:
        raise not_found("Pod", pod)
    for name, value in (("sinceSeconds", since_seconds), ("tailLines", tail_lines), ("limitBytes", limit_bytes)):
        if value is not None and (value < 0 or (name != "tailLines" and value == 0)):
            raise ApiError(422, "Invalid", f'PodLogOptions "{pod}" is invalid: {name}: Invalid value: {value}: '
                           f"must be greater than {'or equal to ' if name == 'tailLines' else ''}0",
                           name=pod, kind="PodLogOptions")
    cname, init = resolve_container(obj, container)
    if not dig(obj, "spec", "nodeName"):
        return []
    inst = _pick_instance(cluster, obj, cname, init, previous)
    if inst is None:
        return []
    since: float | None = None
    if since_seconds is not None:
        since = cluster.now() - since_seconds
    if since_time is not None:
        since = float(since_time) if isinstance(since_time, (int, float)) else parse_time(since_time)
    lines = _instance_lines(cluster, obj, cname, inst, since=since, need=tail_lines)
    if tail_lines is not None:
        lines = lines[-tail_lines:] if tail_lines else []
    out = [f"{rfc3339_nano(t)} {s}" if timestamps else s for t, s in lines]
    if limit_bytes is not None:
        out = _limit(out, limit_bytes)
    return out


def _limit(lines: list[str], limit: int) -> list[str]:
    out, used = [], 0
    for s in lines:
        n = len(s.encode()) + 1
        if used + n <= limit:
            out.append(s)
            used += n
            continue
        rest = limit - used
        if rest > 0:
            out.append(s.encode()[:rest].decode(errors="ignore"))
        break
    return out


def append_log(cluster: Cluster, namespace: str, pod: str, container: str | None, *lines: str) -> None:
    """Add lines to the running instance of a container's log (scenarios, tests), stamped now."""
    from k9py.sim.kubelet import runtime_for

    obj = cluster.store.get("Pod", namespace, pod)
    if obj is None:
        raise not_found("Pod", pod)
    cname, init = resolve_container(obj, container)
    rt = runtime_for(cluster, namespace, pod)
    c = rt.by_name(cname, init) if rt else None
    if c is None or c.current is None:
        raise bad_request(f'container "{cname}" in pod "{pod}" is waiting to start: ContainerCreating')
    now = cluster.now()
    for s in lines:
        for part in s.split("\n"):
            c.current.extra.append((now, part))
    del c.current.extra[:-RETENTION]


def instance_logs(cluster: Cluster, namespace: str, pod: str, container: str,
                  container_id: str) -> tuple[list[str], bool] | None:
    """The retained lines (timestamped) of one container instance, by its ``containerID``, and
    whether it has stopped; None when the kubelet no longer has it. What a follow reads: the
    kubelet streams the instance it opened and stops when that container exits."""
    from k9py.sim.kubelet import runtime_for

    obj = cluster.store.get("Pod", namespace, pod)
    rt = runtime_for(cluster, namespace, pod)
    if obj is None or rt is None:
        return None
    cname, init = resolve_container(obj, container)
    c = rt.by_name(cname, init)
    raw = container_id.split("://", 1)[-1]
    inst = next((i for i in c.instances if i.container_id == raw), None) if c else None
    if inst is None:
        return None
    lines = _instance_lines(cluster, obj, cname, inst, since=None, need=None)
    stopped = inst.finished is not None and inst.finished <= cluster.now()
    return [f"{rfc3339_nano(t)} {s}" for t, s in lines], stopped
