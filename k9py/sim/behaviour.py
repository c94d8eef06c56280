"""How a simulated container behaves: derived from its image and command, overridden by
``k9py.sim/`` annotations on the Pod (or on a Node, for ``down``).

Pod annotations (values are strings; durations are seconds or Go-style like ``90s``, ``2m``).
They apply to every (non-init) container of the pod:

====================================  ============  =============================================
annotation                            value         effect
====================================  ============  =============================================
``k9py.sim/crash-after``              duration      the container exits with code 1 (or
                                                    ``exit-code``) N s after each start: with
                                                    restartPolicy Always it goes CrashLoopBackOff
``k9py.sim/exit-code``                integer       the exit code used by ``crash-after`` /
                                                    ``exit-after`` (default 1 / 0)
``k9py.sim/exit-after``               duration      run to completion: exit (code 0 unless
                                                    ``exit-code``) N s after start
``k9py.sim/oom-after``                duration      the container is OOMKilled (exit 137) N s
                                                    after each start (2 s when
                                                    ``memory-usage`` is over its memory limit)
``k9py.sim/start-delay``              duration      slow start: ContainerCreating lasts N s longer
                                                    (a slow image pull)
``k9py.sim/ready-after``              duration      Ready N s after the container started
                                                    (instead of its readinessProbe)
``k9py.sim/never-ready``              ``"true"``    the readiness probe never succeeds (Running,
                                                    0/1 READY, Unhealthy events)
``k9py.sim/image-pull-error``         ``"true"`` or every pull fails: ErrImagePull then
                                      a message     ImagePullBackOff
``k9py.sim/any-tag``                  ``"true"``    any tag of any image pulls (by default a tag
                                                    missing from the catalogue of well-known
                                                    images, ``sim/registry.py``, fails to pull;
                                                    a misspelt image, ``ngnix``, still does)
``k9py.sim/traffic``                  ``"true"``    invented clients' requests in an nginx
                                                    container's log (as behind a busy Service;
                                                    without it an idle nginx logs only its
                                                    start and the requests really sent to it)
====================================  ============  =============================================

Node annotation:

====================================  ============  =============================================
``k9py.sim/down``                     ``"true"``    the node's kubelet stops posting status: after
                                                    40 s it goes NotReady (Unknown), gets the
                                                    unreachable taints, and its pods are evicted
                                                    after their toleration (300 s by default).
                                                    Remove it to bring the node back.
====================================  ============  =============================================

Without annotations, behaviour follows the image and command: servers (nginx, redis, ...) run
until stopped and exit promptly on SIGTERM; a shell loop (``while true``), ``sleep N`` or
``tail -f`` as PID 1 ignores SIGTERM and is killed at the end of the grace period; ``sleep N``
exits 0 after N s; ``exit N`` exits with N; ``echo ...`` and the Job tutorial's
``perl -Mbignum=bpi -wle "print bpi(2000)"`` print and exit 0; an image such as busybox
with no command runs ``sh``: without stdin it exits 0 at once (so a Deployment of it
crash-loops with ``Completed``), with ``stdin: true`` (``kubectl run -it``) it waits for its
user. A busybox/alpine container whose command the simulated shell fully understands really runs it
(``sim/userland/oneshot.py``): one that ends (``date``, ``sh -c false``, ``wget -qO- svc:80``)
when it starts, one that sleeps (``while true; do echo tick; sleep 1; done``) on the virtual
clock (``sim/userland/script.py``); its output is its log, its status its exit code. What
follows is the model for everything else (and under the annotations above).
Images whose tag or name contains ``doesnotexist`` or
``nonexistent`` cannot be pulled, nor can a tag the well-known images (nginx, busybox, alpine,
debian, ubuntu, redis, postgres, mysql, httpd, python, node, ...) do not have (``nginx:1.99``), nor a
misspelt well-known image (``ngnix``, ``bussybox``: ``pull access denied``); a
reference that does not parse (``nginx:1.1:``, ``NGINX``) is ``InvalidImageName``.
"""

from __future__ import annotations

import functools
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from k9py.kube import meta, quantity
from k9py.kube.timefmt import parse_duration
from k9py.kube.unicode import digits
from k9py.sim import registry

Obj = dict[str, Any]

PREFIX = "k9py.sim/"
CRASH_AFTER = PREFIX + "crash-after"
EXIT_CODE = PREFIX + "exit-code"
EXIT_AFTER = PREFIX + "exit-after"
OOM_AFTER = PREFIX + "oom-after"
START_DELAY = PREFIX + "start-delay"
READY_AFTER = PREFIX + "ready-after"
NEVER_READY = PREFIX + "never-ready"
IMAGE_PULL_ERROR = PREFIX + "image-pull-error"
ANY_TAG = PREFIX + "any-tag"
TRAFFIC = PREFIX + "traffic"
NODE_DOWN = PREFIX + "down"

BAD_IMAGE_MARKERS = ("doesnotexist", "nonexistent")

# Images that run a long-lived server and exit quickly (0) on SIGTERM / their stop signal.
SERVER_IMAGES = ("nginx", "httpd", "redis", "postgres", "mysql", "mariadb", "mongo", "rabbitmq",
                 "memcached", "etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler",
                 "kube-proxy", "coredns", "storage-provisioner", "kindnet", "registry", "traefik",
                 "envoy", "proxyv2", "pilot", "grafana", "prometheus", "jupyter", "notebook",
                 "centraldashboard", "ml-pipeline", "katib", "training-operator", "minio", "echoserver",
                 "agnhost", "pause", "metrics-server", "dashboard", "istio", "kubeflow", "tensorflow")
# Images whose default command is a shell: without a terminal it exits 0 at once.
SHELL_IMAGES = ("busybox", "alpine", "ubuntu", "debian", "centos", "fedora", "bash", "perl", "python")


@dataclass
class Program:
    """What a container does once started."""

    kind: str = "server"            # server | loop | run
    log: str = "generic"            # nginx | counter | echo | pi | hello | generic | batch | none
    run_seconds: float | None = None  # exits this long after start (None: runs until stopped)
    exit_code: int = 0
    reason: str | None = None       # termination reason override (OOMKilled)
    sigterm: bool = True            # exits promptly when stopped; False: killed at the grace period
    stop_seconds: float = 0.3       # how long a clean stop takes
    echo_lines: list[str] = field(default_factory=list)
    digits: int = 0                 # perl bpi(N)


@dataclass(frozen=True)
class PodBehaviour:
    start_delay: float = 0.0
    ready_after: float | None = None
    never_ready: bool = False
    pull_error: str | None = None


def _dur(value: str | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        return max(0.0, parse_duration(value))
    except ValueError:
        return None


def _truthy(value: str | None) -> bool:
    return str(value).lower() in ("true", "1", "yes", "on")


def image_name(image: str) -> str:
    """``docker.io/library/nginx:1.14.2`` -> ``nginx``."""
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    return last.split(":", 1)[0]


def image_tag(image: str) -> str:
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else "latest"


def pod_behaviour(pod: Obj) -> PodBehaviour:
    ann = meta.annotations(pod)
    values = (ann.get(START_DELAY), ann.get(READY_AFTER), ann.get(NEVER_READY), ann.get(IMAGE_PULL_ERROR))
    try:
        return _behaviour(*values)  # the kubelet asks for every pod at every step: most have none of these
    except TypeError:  # an unhashable value (a malformed annotation): worked out without the cache
        return _behaviour.__wrapped__(*values)


@functools.lru_cache(maxsize=1024, typed=True)
def _behaviour(start_delay: Any, ready_after: Any, never_ready: Any, pull: Any) -> PodBehaviour:
    return PodBehaviour(
        start_delay=_dur(start_delay) or 0.0,
        ready_after=_dur(ready_after),
        never_ready=_truthy(never_ready),
        pull_error=None if pull is None or str(pull).lower() in ("false", "0", "") else
        ("" if _truthy(pull) else str(pull)),
    )


def any_tag(pod: Obj) -> bool:
    """The pod's ``k9py.sim/any-tag``: every well-formed image reference pulls."""
    return _truthy(meta.annotations(pod).get(ANY_TAG))


@functools.lru_cache(maxsize=4096)  # asked twice per container start
def _marked_bad(image: str) -> bool:
    """A ``doesnotexist``/``nonexistent`` image: one that never pulls."""
    return any(m in image.lower() for m in BAD_IMAGE_MARKERS)


def pull_error(pod: Obj, image: str, *, any_tag_default: bool = False) -> str | None:
    """The error a pull of ``image`` fails with, or None if it succeeds: the pod's
    ``image-pull-error``, a ``doesnotexist``/``nonexistent`` image, a misspelt well-known image
    (``ngnix``), or a tag the registry catalogue does not have (``sim/registry.py``; unless
    ``any-tag`` or ``any_tag_default``, which do not excuse a misspelt image)."""
    beh = pod_behaviour(pod)
    if beh.pull_error is not None or _marked_bad(image):
        if beh.pull_error:
            return beh.pull_error
        ref = image if ":" in image.rsplit("/", 1)[-1] else image + ":latest"
        return (f"Error response from daemon: manifest for {ref} not found: "
                "manifest unknown: manifest unknown")
    return registry.pull_error(image, any_tag=any_tag_default or any_tag(pod))


def _script(container: Obj) -> str:
    parts = [str(p) for p in (container.get("command") or []) + (container.get("args") or [])]
    return " ".join(parts)


_SLEEP = re.compile(r"(?:^|[;&|\s])sleep\s+(\d+(?:\.\d+)?)([smhd]?)\s*$")
_EXIT = re.compile(r"(?:^|[;&|\s])exit\s+(\d+)\s*$")
_PI = re.compile(r"bpi\((\d+)\)")
_COUNTER = re.compile(r'echo\s+"?\$i:\s*\$\(date\)')


def program_for(pod: Obj, container: Obj, *, init: bool = False) -> Program:
    """The Program a container runs, from its image and command, then annotations."""
    image = str(container.get("image") or "")
    name = image_name(image)
    script = _script(container)
    prog = _from_command(name, script, init)
    words = [str(p) for p in (container.get("command") or []) + (container.get("args") or [])]
    oneliner = python_oneliner(words)
    if oneliner is not None:
        prog = oneliner
    bare = bare_shell(words)
    if bare and not init:
        # `kubectl run … -- sh`: the shell reads its stdin, and with none (end of file) exits 0 at once
        prog = Program(kind="run", log="none", run_seconds=0.02)
    if (bare or (not script.strip() and name in SHELL_IMAGES)) and not init and (container.get("stdin") or container.get("tty")):
        # the image's shell reading an open stdin (`kubectl run -it`) or a terminal the runtime
        # holds open (`tty: true`, the keep-alive trick): it waits for its user, and as PID 1 it
        # ignores SIGTERM (killed at the end of the grace period)
        prog = Program(kind="loop", log="none", sigterm=False)
    if init:
        return prog
    ann = meta.annotations(pod)
    code = ann.get(EXIT_CODE)
    exit_code = int(code) if code is not None and digits(str(code).removeprefix("-")) else None
    crash = _dur(ann.get(CRASH_AFTER))
    done = _dur(ann.get(EXIT_AFTER))
    oom = _dur(ann.get(OOM_AFTER))
    if oom is None and _over_its_limit(ann.get(MEMORY_USAGE), container):
        oom = OVER_LIMIT_OOM_AFTER  # the kernel's OOM killer, as soon as the usage reaches the limit
    if oom is not None:
        prog.kind, prog.run_seconds, prog.exit_code, prog.reason = "run", oom, 137, "OOMKilled"
    elif crash is not None:
        prog.kind, prog.run_seconds = "run", crash
        prog.exit_code = 1 if exit_code is None else exit_code
    elif done is not None:
        prog.kind, prog.run_seconds = "run", done
        prog.exit_code = 0 if exit_code is None else exit_code
        if prog.log == "generic":
            prog.log = "batch"  # a step that runs to its end (a pipeline's, a Job's): no server's log lines
    elif exit_code is not None and prog.kind == "run":
        prog.exit_code = exit_code
    return prog


SHELLS = ("sh", "ash", "bash", "dash", "zsh")
_PYTHON = re.compile(r"python(?:\d(?:\.\d+)?)?")


def python_oneliner(words: list[str]) -> Program | None:
    """``python -c CODE`` (``kubectl run py --image=python:3.12 -- python -c "print('hi')"``) made of
    imports and ``print``s of literals: it prints them (its log) and ends. None: any other code, a
    script, ``-m http.server`` (the model of an unknown program, as before)."""
    if len(words) != 3 or not _PYTHON.fullmatch(words[0].rsplit("/", 1)[-1]) or words[1] != "-c":
        return None
    lines = _prints(words[2])
    if lines is None:
        return None
    return Program(kind="run", log="echo", run_seconds=0.1, echo_lines=lines)


def _prints(code: str) -> list[str] | None:
    """What a script of imports and ``print(<literal>, …)`` calls writes; None: anything else."""
    import ast

    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    out: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            continue
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if (not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name) or call.func.id != "print"
                or call.keywords):
            return None
        try:
            values = [ast.literal_eval(a) for a in call.args]
            out += " ".join(str(v) for v in values).split("\n")  # (str of a 5,000-digit int raises too)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None
    return out


def bare_shell(words: list[str]) -> bool:
    """Whether ``words`` start a shell with nothing to run but its stdin: ``sh``, ``/bin/bash``,
    ``sh -i``, ``bash -l`` (not ``sh -c …``, ``sh -ec …``, nor ``sh script.sh``)."""
    if not words or words[0].rsplit("/", 1)[-1] not in SHELLS:
        return False
    for w in words[1:]:
        if w == "-" or w.startswith("--"):
            continue
        if not w.startswith("-") or "c" in w:
            return False
    return True


MEMORY_USAGE = PREFIX + "memory-usage"  # what the container uses (sim/metrics.py reports it)
OVER_LIMIT_OOM_AFTER = 2.0  # seconds a container whose usage is set over its memory limit runs


def _over_its_limit(usage: Any, container: Obj) -> bool:
    """Whether ``k9py.sim/memory-usage`` is more than the container's memory limit (a cgroup
    cannot hold more: the container is OOMKilled, as ``kubectl top`` never shows it above)."""
    limit = ((container.get("resources") or {}).get("limits") or {}).get("memory")
    if not usage or not limit:
        return False
    try:
        return quantity.parse(str(usage)) > quantity.parse(str(limit))
    except ValueError:
        return False


def _from_command(name: str, script: str, init: bool) -> Program:
    s = script.strip()
    if s:
        if _COUNTER.search(s) and "while" in s:
            return Program(kind="loop", log="counter", sigterm=False)
        if re.search(r"while\s+(true|:)|sleep\s+infinity|tail\s+-f", s):
            return Program(kind="loop", log="none", sigterm=False)
        m = _PI.search(s)
        if m:
            digits = int(m.group(1))
            return Program(kind="run", log="pi", run_seconds=max(2.0, digits / 250), digits=digits)
        m = _EXIT.search(s)
        if m:
            return Program(kind="run", log="echo", run_seconds=0.05, exit_code=int(m.group(1)),
                           echo_lines=_echoes(s))
        m = _SLEEP.search(s)
        if m:
            secs = float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
            return Program(kind="run", log="echo", run_seconds=secs, sigterm=False, echo_lines=_echoes(s))
        if "echo" in s or "printf" in s:
            return Program(kind="run", log="echo", run_seconds=0.05, echo_lines=_echoes(s))
        if init:
            return Program(kind="run", log="none", run_seconds=2.0)
    if name == "hello-world":
        return Program(kind="run", log="hello", run_seconds=0.05)
    if init:
        return Program(kind="run", log="none", run_seconds=1.0)
    if name in SHELL_IMAGES and not s:
        return Program(kind="run", log="none", run_seconds=0.02)
    log = "nginx" if name == "nginx" else "generic"
    return Program(kind="server", log=log)


def _echoes(script: str) -> list[str]:
    """What the ``echo`` commands of a simple shell script print."""
    out: list[str] = []
    for part in re.split(r"\s*(?:;|&&|\n)\s*", script):
        part = part.strip()
        part = re.sub(r"^(?:\S*/)?(?:ba)?sh\s+-c\s+", "", part).strip()
        if not part.startswith("echo"):
            continue
        try:
            words = shlex.split(part)[1:]
        except ValueError:
            words = part.split()[1:]
        if words and words[0] == "-n":
            words = words[1:]
        out.append(" ".join(words))
    return out


def node_down(node: Obj) -> bool:
    return _truthy(meta.annotations(node).get(NODE_DOWN))
