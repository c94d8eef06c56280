"""`b` on a service (k9s's Bench Run/Stop): an HTTP load sent through the Service's node port,
its report saved for `:benchmarks`; a ClusterIP service is refused as in k9s."""

from __future__ import annotations

from k9py.config import locations
from k9py.explorer.benchmark import list_reports, read_report
from k9py.explorer.keys import row_menu
from k9py.kube import meta
from k9py.ui.service_bench import key_of, live_url
from k9py.view.kinds import BY_NAME
from tests.ui.simcluster import command, flash, goto, run, settle, sim_cluster
from tests.ui.test_portforward import access_lines, until


def service(name, kind="NodePort"):
    port = {"port": 80, "targetPort": 80, **({"nodePort": 30080} if kind != "ClusterIP" else {})}
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
            "spec": {"type": kind, "selector": {"app": "nginx"}, "ports": [port]}}


def cluster():
    c = sim_cluster()
    c.create(service("web-np"))
    c.create(service("web-ip", "ClusterIP"))
    c.advance(10)
    return c


def config(app, text):
    info = app.session.info()
    cfg = locations.benchmarks_file(info.context, info.cluster)
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(text)
    return locations.benchmarks_dir(info.cluster, info.context)


def nginx_hits(cluster, agent="k9py/"):
    pods = [meta.name(p) for p in cluster.store.list("Pod", "default") if meta.name(p).startswith("nginx-deployment")]
    return sum(len(access_lines(cluster, p, "nginx", agent=agent)) for p in pods)


def test_b_on_a_nodeport_service_benchmarks_it_through_its_node_port():
    async def s(app, pilot, cluster):
        folder = config(app, "benchmarks:\n  defaults:\n    concurrency: 2\n    requests: 8\n")
        await command(app, pilot, "svc")
        await goto(app, pilot, "web-np")
        await pilot.press("b")
        assert flash(app).startswith(("Benchmark in progress (b cancels): 8 GET http://127.0.0.1:",
                                      "Benchmark completed!"))
        await until(app, pilot, lambda: "Benchmark completed!" in flash(app), "the run")
        assert app.session.benchmarks.running(key_of("default", "web-np")) is None
        assert nginx_hits(cluster) == 8  # every request went through the Service to its pods
        [saved] = list_reports(folder)
        assert saved.file.startswith("default_web-np_") and (saved.status, saved.ok, saved.errors) == ("pass", 8, 0)
        await command(app, pilot, "benchmarks")
        assert "web-np" in str(app.screen.options.get_option_at_index(0).prompt)
    run(s, cluster())


def test_the_services_entry_gives_the_request_and_b_again_cancels():
    async def s(app, pilot, cluster):
        folder = config(app, "benchmarks:\n  services:\n    default/web-np:\n      requests: 3\n      concurrency: 1\n"
                             "      http:\n        path: /nowhere\n")
        await command(app, pilot, "svc")
        await goto(app, pilot, "web-np")
        await pilot.press("b")
        await until(app, pilot, lambda: "Benchmark completed!" in flash(app), "the run")
        [saved] = list_reports(folder)
        assert (saved.ok, saved.errors) == (0, 3)  # nginx has no /nowhere: 404s
        assert "[404]\t3 responses" in read_report(saved.path)

        config(app, "benchmarks:\n  defaults:\n    concurrency: 1\n    requests: 1000000\n")
        await pilot.press("b")
        assert flash(app).startswith("Benchmark in progress")
        await pilot.press("b")
        assert flash(app) == "Benchmark canceled!"
        await until(app, pilot, lambda: app.session.benchmarks.running(key_of("default", "web-np")) is None, "the end")
        await settle(app, pilot)
        assert len(list_reports(folder)) == 1  # a canceled run saves nothing
    run(s, cluster())


def test_a_clusterip_service_is_refused_as_k9s_refuses_it():
    async def s(app, pilot, cluster):
        await command(app, pilot, "svc")
        await goto(app, pilot, "web-ip")
        await pilot.press("b")
        assert flash(app) == ("bench default/web-ip: you must select a reachable service (NodePort or LoadBalancer, "
                              "not ClusterIP; or shift-f to a pod and b in :pf)")
        assert nginx_hits(cluster) == 0
    run(s, cluster())


def test_bench_is_a_service_key_and_its_live_url_is_k9s():
    assert ("<b>", "Bench Run/Stop") in row_menu(BY_NAME["services"], False)
    assert ("<b>", "Bench Run/Stop") in row_menu(BY_NAME["services"], True)  # no change to the cluster
    np = service("x")
    assert live_url(np, "192.168.49.2", "/") == "http://192.168.49.2:30080/"
    assert live_url(np, "example.test:8080", "api") == "http://example.test:8080/api"
    lb = {"spec": {"type": "LoadBalancer", "ports": [{"port": 8443, "nodePort": 31000}]}}
    assert live_url(lb, "http://1.2.3.4", "/") == "http://1.2.3.4:8443/"
