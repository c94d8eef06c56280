"""`shift-f` on a pod or container row, as k9s does it: a dialog (container port, local port,
address), then a forward the PF column marks (Ⓕ) and `:pf` lists. On a service, deployment,
statefulset or daemonset (k9s's PortForwardExtender), the same for one of its pods: a running
and ready one first, as ``kubectl port-forward svc/NAME`` picks. The simulator is reached in
this process; a live cluster through ``kubectl port-forward`` (``explorer.tunnels``).

What stops a forward before it starts (a pod not running, a port the container does not expose,
a local port already taken, no kubectl) is one line in the flash or the dialog."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from k9py.config import locations
from k9py.errors import K9pyError
from k9py.explorer.portforward import Forward, ForwardError, PortSpec, Tunnel, TunnelError
from k9py.kube import meta, selectors
from k9py.kube.meta import dig
from k9py.ui.local_api import kubectl_unreachable
from k9py.ui.shell import pod_and_containers

if TYPE_CHECKING:
    from k9py.explorer.benchmark import Run
    from k9py.ui.app import K9pyApp
    from k9py.view.kinds import ViewKind
    from k9py.view.rows import Row

Obj = dict[str, Any]
OF_PODS = ("services", "deployments", "statefulsets", "daemonsets")  # shift-f forwards to one of their pods


def bench_outcome(run: Run, shows: str) -> tuple[str, str]:
    """What a benchmark's end says, and at what level (``shows``: where its report is seen)."""
    if run.canceled:
        return "Benchmark canceled", "warn"
    if run.error:
        return run.error, "error"
    return f"Benchmark completed! ({shows}: {run.path.name if run.path else ''})", "info"


def exposed_ports(pod: Obj) -> dict[str, list[tuple[int, str, str]]]:
    """Every regular container of ``pod`` → its declared ports (port, name, protocol)."""
    return {c.get("name", ""): [(int(p["containerPort"]), p.get("name") or "", p.get("protocol") or "TCP")
                                for p in c.get("ports") or [] if p.get("containerPort")]
            for c in dig(pod, "spec", "containers") or []}


def _forward_preference(pod: Obj) -> tuple[int, int, str]:
    """Running and ready pods first, then running ones (kubectl's pick among a selector's pods)."""
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in dig(pod, "status", "conditions") or [])
    return (dig(pod, "status", "phase") != "Running", not ready, meta.name(pod))


class PortForwarding:
    """The app's `shift-f`."""

    def __init__(self, app: K9pyApp) -> None:
        self.app = app

    def _pod(self, ns: str, name: str) -> Obj | None:
        cur = self.app.current
        cache = cur.cache() if cur is not None else None
        if cache is not None:
            return cache.objects.get((ns, name))
        return None

    def start(self, view: ViewKind, row: Row) -> None:
        from k9py.ui.screens.portforwards import PortForwardDialog  # lazily: not needed for the first frame

        if view.name in OF_PODS:  # the dialog opens once a pod is picked: the keys typed behind wait for it
            release = self.app.key_order.hold()

            async def go() -> None:
                try:
                    await self._start_on_a_pod_of(view, row)
                finally:
                    release()
            self.app.run_worker(go(), exclusive=False)
            return
        ns, pod_name, _containers, chosen = pod_and_containers(view, row)
        pod = self._pod(ns, pod_name) if view.name == "containers" else row.obj
        where = f"{ns}/{pod_name}"
        if pod is None:
            self.app.flash(f"port-forward {where}: the pod is gone", "error")
            return
        phase = dig(pod, "status", "phase") or "Unknown"
        if phase != "Running":
            self.app.flash(f"port-forward {where}: the pod is not running ({phase})", "error")
            return
        problem = kubectl_unreachable(self.app.backend, "port-forward", "to forward to")
        if problem:
            self.app.flash(f"port-forward {where}: {problem}", "error")
            return
        exposed = exposed_ports(pod)
        if chosen is None:  # k9s offers the first container that exposes a port
            chosen = next((c for c, ports in exposed.items() if ports), next(iter(exposed), None))

        def done(answer: tuple[list[PortSpec], str] | None) -> None:
            if answer is not None:
                specs, address = answer
                self.app.run_worker(lambda: self._begin(ns, pod_name, specs, address), thread=True,
                                    group="port-forward", exclusive=False)
        self.app.push_screen(PortForwardDialog(where, exposed, chosen, self.app.user.settings.port_forward_address), done)

    def show(self, view: ViewKind, row: Row) -> None:
        """k9s's `f` (Show PortForward): `:pf` showing only the forwards of the row's pod (a
        container's, a service's or workload's pods); the flash says when there is none."""
        ns, name = row.key[0], row.key[1]
        if view.name not in OF_PODS:
            pod = str(row.obj.get("pod") or "") if view.name == "containers" else name
            self._show_forwards(f"{ns}/{pod}", frozenset({(ns, pod)}))
            return

        async def of_its_pods() -> None:
            try:
                pods = selectors.selected_pods(row.obj, await self._pods(ns))
            except K9pyError as err:
                self.app.flash(f"port-forwards of {view.name} {ns}/{name}: {err}", "error")
                return
            self._show_forwards(f"{ns}/{name}", frozenset((ns, meta.name(p)) for p in pods))
        self.app.run_worker(of_its_pods(), exclusive=False)

    def _show_forwards(self, where: str, pods: frozenset[tuple[str, str]]) -> None:
        from k9py.ui.screens.portforwards import PortForwardsScreen
        session = self.app.session
        if not pods & session.forwards.pods():
            self.app.flash(f"no port-forward defined for {where}", "warn")
            return
        self.app.push_screen(PortForwardsScreen(session.forwards, benchmarks=session.benchmarks, only=pods,
                                                label=where))

    async def _start_on_a_pod_of(self, view: ViewKind, row: Row) -> None:
        """k9s's PortForwardExtender: the dialog of a pod the workload or service selects."""
        from k9py.view.kinds import BY_NAME
        from k9py.view.rows import Row

        ns, name = row.key[0], row.key[1]
        where = f"{view.name} {ns}/{name}"
        if selectors.workload_selector(row.obj) is None:
            self.app.flash(f"port-forward {where}: it is defined without a selector: no pod to forward to", "warn")
            return
        try:
            pods = selectors.selected_pods(row.obj, await self._pods(ns))
        except K9pyError as err:
            self.app.flash(f"port-forward {where}: {err}", "error")
            return
        if not pods:
            self.app.flash(f"port-forward {where}: no pod matches its selector", "error")
            return
        pod = min(pods, key=_forward_preference)
        self.start(BY_NAME["pods"], Row((ns, meta.name(pod)), pod))

    async def _pods(self, ns: str) -> list[Obj]:
        """The namespace's pods: the informer's when it holds them listed, else a list."""
        cache = self.app.session.informer.cache("Pod", ns or None)
        if cache is not None and cache.synced:
            return list(cache.objects.values())
        return await self.app.backend.list("Pod", ns or None)

    def tunnel(self, ns: str, pod: str, port: int) -> Tunnel:
        """A way into ``port`` of the pod (``TunnelError``/``OSError`` when none can be had)."""
        from k9py.explorer.tunnels import KubectlTunnel, SimTunnel
        backend = self.app.backend
        if backend.local_cluster() is not None:
            return SimTunnel(backend.local_cluster, ns, pod, port)
        kubectl = shutil.which("kubectl")
        target = self.app.plugin_keys.local.target(backend, self.app.session.read_only)
        if kubectl is None or target is None:
            raise TunnelError("no kubectl or kubeconfig to forward with")
        return KubectlTunnel(kubectl, target.kubeconfig or None, target.context, ns, pod, port,
                             flags=target.kubectl_flags)

    def _begin(self, ns: str, pod: str, specs: list[PortSpec], address: str) -> None:
        """Start each forward (a worker thread: kubectl takes a moment); tell the UI."""
        session = self.app.session
        started: list[Forward] = []
        for spec in specs:
            try:
                fwd = session.forwards.start(ns, pod, spec, address, self.tunnel(ns, pod, spec.port))
            except (ForwardError, TunnelError, OSError) as err:
                self.app.call_from_thread(self.app.flash, f"port-forward {ns}/{pod}: {err}", "error")
                continue
            started.append(fwd)
        if started:  # the URL first: a narrow flash cuts the end
            urls = ", ".join(f.url for f in started)
            ports = ",".join(f"{f.container}::{f.port}" for f in started)
            self.app.call_from_thread(self.app.flash, f"Forwarding {urls} → {ns}/{pod} {ports}")
            self.app.call_from_thread(self.app.forwards_changed)

    # -- `b` on a :pf row: k9s's benchmark --------------------------------------------------------------
    def benchmarks_dir(self) -> Path:
        """Where this context's reports go (the state directory's ``benchmarks/CLUSTER/CONTEXT``)."""
        info = self.app.session.info()
        return locations.benchmarks_dir(info.cluster or info.context, info.context)

    def bench(self, fwd: Forward, on_end: Callable[[str, str], None]) -> tuple[str, str]:
        """Start a benchmark on ``fwd``, or cancel the one running (k9s's ``b`` toggles). Returns
        what to flash (message, level); ``on_end(message, level)`` is called on the UI thread when
        a run ends."""
        from k9py import __version__
        from k9py.config import benchmarks as bench_config
        from k9py.config.yamlfile import ConfigError
        from k9py.explorer.benchmark import Load, forward_name, url_for

        session = self.app.session
        if session.benchmarks.cancel(fwd.key) is not None:
            return "Benchmark canceled!", "warn"
        info = session.info()
        try:
            data = bench_config.load(locations.benchmarks_file(info.context, info.cluster))
        except ConfigError as err:
            return f"{err}: no benchmark", "error"
        spec = bench_config.spec_for(data, fwd.namespace, fwd.pod, fwd.container)
        url = url_for(spec, fwd.address, fwd.local_port)
        try:
            load = Load(url, spec, f"k9py/{__version__}")
        except ValueError as err:
            return str(err), "error"
        folder = self.benchmarks_dir()

        def ended(run: Run) -> None:
            with contextlib.suppress(RuntimeError):  # the app has closed
                self.app.call_from_thread(on_end, *bench_outcome(run, "enter or :benchmarks shows it"))

        try:
            session.benchmarks.start(fwd.key, load, folder, fwd.namespace,
                                     forward_name(fwd.pod, fwd.container, fwd.local_port, fwd.port), ended)
        except ValueError as err:
            return str(err), "error"
        return (f"Benchmark in progress (b cancels): {spec.requests} {spec.method} {url}, "
                f"{min(spec.concurrency, spec.requests)} at a time"), "warn"
