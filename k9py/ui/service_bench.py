"""`b` on a service (k9s's Bench Run/Stop): an HTTP load (``explorer.benchmark``) sent to the
Service from outside the cluster, through its node port, its report saved for `:benchmarks`;
`b` again cancels it.

As in k9s the Service must be reachable from here: a NodePort or a LoadBalancer (a ClusterIP one
is refused, with the way round it: `shift-f` forwards to one of its pods, `b` in `:pf`
benchmarks that). Where the requests go:

- a live cluster: the host of the Service's entry in the context's ``benchmarks.yaml``
  (``services: NAMESPACE/NAME: http: host:``), with the first port's node port unless the host
  names a port (a LoadBalancer: its service port); no entry or no host runs nothing, as in k9s;
- the simulator: the Service's first node port, opened on a loopback port for the run (the
  requests enter the simulated cluster at a node, as ``serve --expose-nodeports`` lets curl in,
  and the pods log them); an entry, when there is one, gives the load and the request."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from k9py.config import locations
from k9py.kube.meta import dig

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp
    from k9py.view.rows import Row

Obj = dict[str, Any]
REACHABLE = ("NodePort", "LoadBalancer")


def key_of(namespace: str, name: str) -> tuple[str, str, str, int]:
    """The run's key among the session's benchmarks (a pod's name has no ``/``: no forward's)."""
    return (namespace, f"svc/{name}", "", 0)


def first_port(svc: Obj) -> Obj:
    ports = dig(svc, "spec", "ports") or []
    return ports[0] if ports and isinstance(ports[0], dict) else {}


def live_url(svc: Obj, host: str, path: str) -> str:
    """k9s's URL: ``http://HOST:NODEPORT/PATH`` (a LoadBalancer: its service port), or the host's
    own port when it has one."""
    port = first_port(svc)
    number = port.get("port") if dig(svc, "spec", "type") == "LoadBalancer" else port.get("nodePort")
    base = host if ":" in host.removeprefix("http://") or not number else f"{host}:{number}"
    path = path or "/"
    base += path if path.startswith("/") else "/" + path
    return base if base.startswith("http") else "http://" + base


def toggle(app: K9pyApp, row: Row) -> None:
    """`b` on a service row: start its benchmark, or cancel the one running."""
    from k9py import __version__
    from k9py.config import benchmarks as bench_config
    from k9py.config.yamlfile import ConfigError
    from k9py.explorer.benchmark import Load, Run
    from k9py.ui.portforward import bench_outcome

    ns, name = row.key
    svc = row.obj
    session = app.session
    key = key_of(ns, name)
    if session.benchmarks.cancel(key) is not None:
        app.flash("Benchmark canceled!", "warn")
        return
    kind = dig(svc, "spec", "type") or "ClusterIP"
    if kind not in REACHABLE:
        fwd = app.user.keymap.label("port_forward") or "<shift-f>"
        app.flash(f"bench {ns}/{name}: you must select a reachable service (NodePort or LoadBalancer, not {kind}; "
                  f"or {fwd[1:-1]} to a pod and b in :pf)", "error")
        return
    info = session.info()
    path = locations.benchmarks_file(info.context, info.cluster)
    try:
        data = bench_config.load(path)
    except ConfigError as err:
        app.flash(f"{err}: no benchmark", "error")
        return
    spec = bench_config.service_spec(data, ns, name)
    cluster = app.backend.local_cluster()
    server: Any = None
    if cluster is not None:
        from k9py.sim.cluster import Cluster
        if not isinstance(cluster, Cluster):
            app.flash(f"bench {ns}/{name}: a recording has no running pods to answer", "error")
            return
        node_port = next((p.get("nodePort") for p in dig(svc, "spec", "ports") or [] if p.get("nodePort")), None)
        if not node_port:
            app.flash(f"bench {ns}/{name}: the service has no node port to reach it by", "error")
            return
        from k9py.serve.nodeports import listener
        try:
            server = listener(cluster, int(node_port))
        except OSError as err:
            app.flash(f"bench {ns}/{name}: cannot open its node port here: {err.strerror or err}", "error")
            return
        spec = spec or bench_config.defaults(data)
        url = f"http://127.0.0.1:{server.server_address[1]}{spec.path if spec.path.startswith('/') else '/' + spec.path}"
        via = f" (node port {node_port})"
    else:
        if spec is None:
            app.flash(f"No bench config found for service {ns}/{name} in {path}", "error")
            return
        if not spec.host:
            app.flash(f'bench {ns}/{name}: invalid benchmark host "" (services: {ns}/{name}: http: host: in {path})',
                      "error")
            return
        url = live_url(svc, spec.host, spec.path)
        via = ""
    try:
        load = Load(url, spec, f"k9py/{__version__}")
    except ValueError as err:
        _close(server)
        app.flash(str(err), "error")
        return

    def ended(run: Run) -> None:
        _close(server)
        with contextlib.suppress(RuntimeError):  # the app has closed
            app.call_from_thread(app.flash, *bench_outcome(run, ":benchmarks shows it"))

    try:
        session.benchmarks.start(key, load, app.port_forwards.benchmarks_dir(), ns, name, ended)
    except ValueError as err:
        _close(server)
        app.flash(str(err), "error")
        return
    app.flash(f"Benchmark in progress (b cancels): {spec.requests} {spec.method} {url}{via}, "
              f"{min(spec.concurrency, spec.requests)} at a time", "warn")


def _close(server: Any) -> None:
    if server is not None:
        with contextlib.suppress(Exception):
            server.shutdown()
        server.server_close()
