"""The explorer over the live backend against `k9py serve` in-process: the header's connection
state through a server stop / restart (stale rows greyed, then the server's exact rows), access
denied for a forbidden kind while other views work, `:ctx` switching between two servers, a
CRD's view with the server's columns, and unused watches kept for a grace period."""

from __future__ import annotations

import asyncio
import json
import time

import yaml

from k9py.backends.live import LiveBackend, LiveOptions
from k9py.kube.kubeconfig import kubeconfig as kubeconfig_doc
from k9py.kube.timefmt import human_duration, parse_time
from k9py.serve.http import Response
from k9py.ui import theme
from k9py.ui.app import K9pyApp
from tests.backends.conftest import FAST, Server, is_path, kubeconfig, server, small_cluster, status, truth  # noqa: F401
from tests.ui.simcluster import border_text

DEADLINE = 20.0
SIZE = (160, 45)
SECRET_PATH = "/api/v1/namespaces/default/secrets"


def live_app(path: str, **kw) -> K9pyApp:
    return K9pyApp(LiveBackend(LiveOptions(kubeconfig=path, **FAST)), manual=True, **kw)


async def until(app, pilot, pred, what: str):
    """Pump the informer and the screen until ``pred()``; fail with ``what`` at the deadline."""
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE
    while True:
        await app.pump()
        await pilot.pause()
        value = pred()
        if value:
            return value
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for: {what} (rows {sorted(rows(app))}, header {header(app)!r})")
        await pilot.pause(0.02)


def rows(app) -> set[tuple[str, str]]:
    return set(app.model.rows) if app.model is not None else set()


def header(app) -> str:
    return str(app.query_one("#header").render())


def lines(app) -> list[str]:
    t = app.table
    return [t.render_line(y).text.rstrip() for y in range(t.size.height)]


async def command(app, pilot, text: str) -> None:
    await pilot.press(":")
    app.prompt.value = text
    await pilot.press("enter")
    await pilot.pause()


def run(coro) -> None:
    asyncio.run(asyncio.wait_for(coro, 90))


def test_header_state_and_stale_rows_through_a_server_restart(server, kubeconfig):
    async def main():
        app = live_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            want = truth(server.handle, "Pod", "default")
            await until(app, pilot, lambda: rows(app) == want, "the server's pods")
            assert "live (connected)" in header(app) and not app.table.stale
            shown = rows(app)

            server.stop()
            # (the header follows the backend at its tick, the table its view's watch: a frame apart)
            await until(app, pilot, lambda: ("live (reconnecting)" in header(app) or "live (offline)" in header(app))
                        and app.table.stale, "the header saying the connection is lost, the rows greyed")
            assert rows(app) == shown  # the last known rows stay, greyed
            await until(app, pilot, lambda: "live (offline)" in header(app), "offline after a while")
            assert "offline: connection refused" in header(app)
            body = [app.table.render_line(y) for y in range(2, len(shown) + 1)]
            assert all(seg.style == theme.style("table.stale") for strip in body for seg in strip if seg.text.strip())

            with server.cluster.lock:  # changed while k9py could not see it: one pod more
                server.cluster.apply({**_deployment(server), "spec": {**_deployment(server)["spec"], "replicas": 3}})
                server.cluster.settle()
                server.cluster.advance(5)
            want = truth(server.handle, "Pod", "default")
            assert len(want) == 3
            server.restart()
            await until(app, pilot, lambda: rows(app) == want and not app.table.stale, "the server's pods again")
            await until(app, pilot, lambda: "live (connected)" in header(app), "connected again")
            assert "connection refused" not in header(app)
            assert app.title_text() == "pods(default)[3]"
    run(main())


def _deployment(server):
    with server.cluster.lock:
        d = server.cluster.store.get("Deployment", "default", "web")
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"}, "spec": d["spec"]}


def test_forbidden_kind_shows_access_denied_and_other_views_work(server, kubeconfig):
    denied = ('secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" '
              'in the namespace "default"')
    server.faults.add(is_path(SECRET_PATH), lambda req: status(403, "Forbidden", denied))

    async def main():
        app = live_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "Pod", "default"), "pods")
            await command(app, pilot, "secrets")
            await until(app, pilot, lambda: app.table.message, "access denied")
            assert app.table.message == f"access denied: {denied}"
            assert lines(app)[1].strip() == f"access denied: {denied}"[:SIZE[0] - 3]
            assert "live (connected)" in header(app) and not app.table.stale  # the server is fine
            await command(app, pilot, "cm")
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "ConfigMap", "default"), "configmaps")
            assert app.table.message is None
            await command(app, pilot, "pods")
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "Pod", "default"), "pods again")
            # permission granted later: the (retried) watch lists the secrets
            server.faults.clear()
            await command(app, pilot, "secrets")
            await until(app, pilot, lambda: rows(app) == {("default", "token")} and app.table.message is None,
                        "the secrets once allowed")
    run(main())


def test_a_view_says_it_is_loading_until_its_first_list_comes(server, kubeconfig):
    faults = server.faults
    faults.add(lambda req: req.path == "/api/v1/namespaces/default/configmaps" and req.query.get("watch") != "true",
               faults.slow)  # the list hangs until the gate opens (a big kind listing)

    async def main():
        # (a request timeout well past the test's steps: a slow machine's pauses never time the list out)
        app = K9pyApp(LiveBackend(LiveOptions(kubeconfig=kubeconfig, **{**FAST, "request_timeout": 60.0})), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "Pod", "default"), "pods")
            assert app.table.notice is None
            await command(app, pilot, "cm")
            await until(app, pilot, lambda: app.table.notice, "the loading notice")
            assert lines(app)[1].strip() == "loading configmaps…"
            assert app.title_text() == "configmaps(default)[0]" and app.table.message is None
            assert "live (connected)" in header(app) and not app.table.stale  # nothing is wrong
            await pilot.press("j")  # keys still work meanwhile
            faults.gate.set()
            want = truth(server.handle, "ConfigMap", "default")
            await until(app, pilot, lambda: rows(app) == want and app.table.notice is None, "the configmaps")
            assert all("loading" not in line for line in lines(app))
    run(main())


def test_a_key_typed_behind_a_view_waits_for_its_first_list(server, kubeconfig):
    """`:cm⏎d` typed at once on a live cluster: the `d` waits for the configmaps and describes
    the first (it reached an empty table and did nothing)."""
    from k9py.ui.screens.describe import DescribeScreen
    from tests.ui.test_typeahead import burst

    faults = server.faults
    faults.add(lambda req: req.path == "/api/v1/namespaces/default/configmaps" and req.query.get("watch") != "true",
               faults.slow)

    async def main():
        app = K9pyApp(LiveBackend(LiveOptions(kubeconfig=kubeconfig, **{**FAST, "request_timeout": 60.0})), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "Pod", "default"), "pods")
            burst(app, ":cm\rd")
            await until(app, pilot, lambda: app.table.notice, "the loading notice")
            assert not isinstance(app.screen, DescribeScreen)
            faults.gate.set()
            first = min(truth(server.handle, "ConfigMap", "default"))
            screen = await until(app, pilot, lambda: isinstance(app.screen, DescribeScreen) and app.screen,
                                 "the describe the d asked for")
            assert first[1] in screen.title_text
            # giving up: esc behind the keys lets them go at once, in order (here: no row yet for
            # the `d`, and the esc goes back); a list that never comes holds the keys once only
            await pilot.press("escape")
            await until(app, pilot, lambda: not isinstance(app.screen, DescribeScreen), "the describe closed")
            faults.gate.clear()
            faults.add(lambda req: req.path == "/api/v1/namespaces/default/secrets" and req.query.get("watch") != "true",
                       faults.slow)
            burst(app, ":secrets\rd\x1b")
            await until(app, pilot, lambda: app.title_text().startswith("secrets(") and app.table.notice, "secrets loading")
            await pilot.pause()
            assert not app.held_keys.keys  # let go by the esc (else held for the list, seconds)
            assert not isinstance(app.screen, DescribeScreen) and app.table.notice  # the list still to come
            faults.gate.set()
    run(main())


def two_contexts(tmp_path, one, two):
    """A kubeconfig of contexts ``one`` and ``two`` (its namespace kube-system) on those servers."""
    path = tmp_path / "kc.yaml"
    doc = kubeconfig_doc(one.handle.url, name="one")
    doc2 = kubeconfig_doc(two.handle.url, name="two", namespace="kube-system")
    for k in ("clusters", "contexts", "users"):
        doc[k] += doc2[k]
    path.write_text(yaml.safe_dump(doc))
    return path


def test_ctx_lists_contexts_and_switches_between_servers(tmp_path):
    one = Server(small_cluster(configmaps=("from-one",)))
    two = Server(small_cluster(seed=2, configmaps=("from-two", "more")))
    try:
        path = two_contexts(tmp_path, one, two)
        before = path.read_bytes()

        async def main():
            first = LiveBackend(LiveOptions(kubeconfig=str(path), **FAST))
            app = K9pyApp(first, manual=True, view="cm", readonly=True)
            async with app.run_test(size=SIZE) as pilot:
                await until(app, pilot, lambda: rows(app) == truth(one.handle, "ConfigMap", "default"), "one's configmaps")
                old_backend = app.backend
                await command(app, pilot, "ctx")
                assert app.title_text() == "contexts(all)[2]"
                assert [ln.split() for ln in lines(app)[1:3]] == [["one(*)", "one", "one", "default"],
                                                               ["two", "two", "two", "kube-system"]]
                await pilot.press("j", "enter")  # two's kubeconfig context names kube-system: there (k9s, kubectl)
                await until(app, pilot, lambda: app.backend.info().context == "two" and app.current.scope.view.name == "configmaps"
                            and app.current.namespace == "kube-system"
                            and rows(app) == truth(two.handle, "ConfigMap", "kube-system"), "two's configmaps")
                assert ("default", "from-one") not in rows(app)
                # opened there at once: never listed in the namespace the view showed on one
                assert two.faults.count("GET", "/api/v1/namespaces/default/configmaps", watch=False) == 0
                assert app.backend.info().read_only  # still read-only
                assert "Context:  two" in header(app)
                assert old_backend is not app.backend and first._closed  # the old backend is closed
                await command(app, pilot, "ctx")
                assert [ln.split()[0] for ln in lines(app)[1:3]] == ["one", "two(*)"]
                await pilot.press("j", "enter")  # the current one: nothing happens
                await pilot.pause()
                assert app.backend.info().context == "two" and "already using context two" in app.flash_text
        run(main())
        assert path.read_bytes() == before  # the kubeconfig is never written
        from k9py.cli import build_parser
        from k9py.ui.launch import start_namespace
        args = build_parser().parse_args(["--live"])
        assert start_namespace(args, LiveBackend(LiveOptions(kubeconfig=str(path), context="two"))) == "kube-system"
        assert start_namespace(args, LiveBackend(LiveOptions(kubeconfig=str(path), context="one"))) == "default"
        assert start_namespace(args, LiveBackend(LiveOptions(kubeconfig=str(path), context="two")), "shop") == "shop"
    finally:
        one.stop()
        two.stop()


def test_ctx_from_a_view_of_all_namespaces_to_one_namespace_sorts_by_name(tmp_path):
    """pods -A, then `:ctx` to a context of its own namespace: the pods there were shown with
    NAME and no arrow, still ordered by the NAMESPACE column the view no longer has. The order a
    view of all namespaces opens in is not the user's: the new view sorts NAME↑ as k9s's does;
    a sort the user chose is kept."""
    one = Server(small_cluster())
    two = Server(small_cluster(seed=2))
    try:
        path = two_contexts(tmp_path, one, two)

        async def main():
            app = K9pyApp(LiveBackend(LiveOptions(kubeconfig=str(path), **FAST)), manual=True, view="pods -A")
            async with app.run_test(size=SIZE) as pilot:
                await until(app, pilot, lambda: rows(app) == truth(one.handle, "Pod"), "one's pods")
                assert lines(app)[0].split()[:2] == ["NAMESPACE↑", "NAME"]
                await command(app, pilot, "ctx two")
                await until(app, pilot, lambda: app.backend.info().context == "two"
                            and rows(app) == truth(two.handle, "Pod", "kube-system"), "two's pods")
                assert lines(app)[0].split()[0] == "NAME↑"
                assert (app.model.sort_col, app.model.sort_asc) == ("NAME", True)
                await pilot.press("shift+a")  # a sort the user chose goes along
                await until(app, pilot, lambda: app.model.sort_col == "AGE", "sorted by age")
                chosen = (app.model.sort_col, app.model.sort_asc)
                await command(app, pilot, "ctx one")
                await until(app, pilot, lambda: app.backend.info().context == "one"
                            and rows(app) == truth(one.handle, "Pod", "default"), "one's pods of its namespace")
                assert (app.model.sort_col, app.model.sort_asc) == chosen
        run(main())
    finally:
        one.stop()
        two.stop()


def test_ctx_opens_a_context_read_only_when_its_file_says_so(tmp_path, monkeypatch):
    """k9s's per-cluster readOnly: `:ctx` to production (readOnly: true in its file) refuses
    changes there; back on the other context, config.yaml's readOnly (false) holds again."""
    from k9py.cli import build_parser
    from k9py.config import locations
    from k9py.config.user import UserConfig
    from k9py.ui.launch import build_app
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "cfg"))
    prod = locations.context_file("prod")
    prod.parent.mkdir(parents=True)
    prod.write_text("k9py:\n  readOnly: true\n")
    one, two = Server(small_cluster()), Server(small_cluster(seed=2))
    try:
        path = tmp_path / "kc.yaml"
        doc = kubeconfig_doc(one.handle.url, name="dev")
        doc2 = kubeconfig_doc(two.handle.url, name="prod")
        for k in ("clusters", "contexts", "users"):
            doc[k] += doc2[k]
        path.write_text(yaml.safe_dump(doc))

        async def main():
            app = build_app(build_parser().parse_args(["-c", "cm"]), LiveBackend(LiveOptions(kubeconfig=str(path), **FAST)),
                            manual=True, user=UserConfig(persist=True))
            async with app.run_test(size=SIZE) as pilot:
                await until(app, pilot, lambda: rows(app), "dev's configmaps")
                assert not app.session.read_only
                assert app.run_worker(app.switch_context("prod")) is not None
                await until(app, pilot, lambda: app.backend.info().context == "prod" and rows(app), "prod's configmaps")
                assert app.session.read_only
                await pilot.press("ctrl+d")
                await pilot.pause()
                assert "read-only" in app.flash_text.lower() and not app.screen.is_modal
                app.run_worker(app.switch_context("dev"))
                await until(app, pilot, lambda: app.backend.info().context == "dev" and rows(app), "dev again")
                assert not app.session.read_only
        run(main())
    finally:
        one.stop()
        two.stop()


def _crd_faults(server):
    """A CronTab CRD in discovery, served with its printer columns (as test_live.py does)."""
    faults = server.faults
    group = {"name": "stable.example.com", "versions": [{"groupVersion": "stable.example.com/v1", "version": "v1"}],
             "preferredVersion": {"groupVersion": "stable.example.com/v1", "version": "v1"}}
    items = [_crontab("nightly", "0 3 * * *", "1")]
    pending: list[dict] = []

    def apis(req):
        body = dict(faults.inner(req).body)
        body["groups"] = [*body["groups"], group]
        return Response(200, body)

    def resources(req):
        return Response(200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "stable.example.com/v1",
                              "resources": [{"name": "crontabs", "singularName": "crontab", "namespaced": True,
                                             "kind": "CronTab", "shortNames": ["ct"], "categories": ["all"],
                                             "verbs": ["get", "list", "watch", "patch", "delete"]}]})

    def crontabs(req):
        if "as=Table" in req.headers.get("accept", ""):
            return Response(200, {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "9"},
                                  "columnDefinitions": [{"name": "Name", "type": "string", "format": "name", "priority": 0},
                                                        {"name": "Spec", "type": "string", "format": "", "priority": 0},
                                                        {"name": "Replicas", "type": "integer", "format": "", "priority": 0},
                                                        {"name": "Age", "type": "date", "format": "", "priority": 0}],
                                  "rows": [{"cells": [o["metadata"]["name"], o["spec"]["cronSpec"], 1, "5m"], "object": o}
                                           for o in items]})
        if req.flag("watch"):
            evs = [json.dumps(e).encode() + b"\n" for e in pending]
            pending.clear()
            return Response(200, stream=iter(evs), content_type="application/json")
        return Response(200, {"kind": "CronTabList", "apiVersion": "stable.example.com/v1",
                              "metadata": {"resourceVersion": "9"},
                              "items": [{k: v for k, v in o.items() if k not in ("kind", "apiVersion")} for o in items]})

    faults.add(lambda r: r.path == "/apis", apis)
    faults.add(lambda r: r.path == "/apis/stable.example.com/v1", resources)
    faults.add(lambda r: r.path == "/apis/stable.example.com/v1/namespaces/default/crontabs", crontabs)
    return items, pending


def _crontab(name, spec, rv):
    return {"apiVersion": "stable.example.com/v1", "kind": "CronTab",
            "metadata": {"name": name, "namespace": "default", "resourceVersion": rv, "uid": f"u-{name}",
                         "creationTimestamp": "2026-11-01T09:00:00Z"},
            "spec": {"cronSpec": spec, "image": "backup:1"}}


def test_a_crd_is_a_view_with_the_servers_columns(server, kubeconfig):
    items, pending = _crd_faults(server)

    async def main():
        app = live_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "Pod", "default"), "pods")
            await app.backend.ensure_discovery()
            assert set(app.session.extra_aliases()) >= {"ct", "crontab", "crontabs"}
            await pilot.press(":", "c", "r", "o", "n", "t", "tab")  # Tab completes the server's names too
            assert app.prompt.value == "crontab"
            await pilot.press("escape")
            await command(app, pilot, "ct")
            assert app.current.scope.view.name == "crontabs" and app.current.scope.view.kind == "CronTab"
            # (the Table said 5m when it was sent: AGE is the object's age now, as kubectl's would be)
            age = human_duration(time.time() - parse_time("2026-11-01T09:00:00Z"))
            await until(app, pilot, lambda: [ln.split() for ln in lines(app)[:2]] == [
                ["NAME↑", "SPEC", "REPLICAS", "AGE"], ["nightly", "0", "3", "*", "*", "*", "1", age]],
                "the server's columns and cells")
            assert app.title_text() == "crontabs(default)[1]"
            # a new object: the watch delivers it, the view asks the server's Table again
            new = _crontab("hourly", "0 * * * *", "10")
            items.append(new)
            pending.append({"type": "ADDED", "object": new})
            await until(app, pilot, lambda: lines(app)[1].split() == ["hourly", "0", "*", "*", "*", "*", "1", age],
                        "the new row with its cells")
            assert app.title_text() == "crontabs(default)[2]"
            # the aliases screen lists it
            await pilot.press("ctrl+a")
            await pilot.pause()
            body = str(app.screen.query_one("#help-body").render())
            assert "CronTab" in body and "ct,crontab,crontabs" in body  # (the short names first)
    run(main())


def test_unused_watches_are_kept_for_the_grace_period(server, kubeconfig):
    cm_path = "/api/v1/namespaces/default/configmaps"

    async def main():
        app = live_app(kubeconfig, view="cm")
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "ConfigMap", "default"), "configmaps")
            assert server.faults.count("GET", cm_path, watch=False) == 1
            await command(app, pilot, "pods")
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "Pod", "default"), "pods")
            assert app.session.informer.idle() == [("ConfigMap", "default")]
            await command(app, pilot, "cm")  # back within the grace period: shown at once, no relist
            assert rows(app) == truth(server.handle, "ConfigMap", "default")
            assert server.faults.count("GET", cm_path, watch=False) == 1 and app.session.informer.idle() == [("Pod", "default")]
            assert app.session.informer.stop_idle() == 1  # the grace period passes
            await command(app, pilot, "pods")
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "Pod", "default"), "pods listed again")
            assert server.faults.count("GET", "/api/v1/namespaces/default/pods", watch=False) == 2
    run(main())


def test_discovery_aliases():
    from k9py.kube.resources import ApiResource
    from k9py.view import kinds
    found = [ApiResource("Pod", "pods", "", "v1", True, ("po", "pd")),  # a server short name more
             ApiResource("CronTab", "crontabs", "stable.example.com", "v1", True, ("ct", "po")),
             ApiResource("CronTab", "crontabs", "other.example.com", "v1", True, ("ct2",)),  # first group wins
             ApiResource("Widget", "widgets", "example.com", "v1", False, verbs=("get", "list")),  # no watch
             ApiResource("Event", "events", "events.k8s.io", "v1", True, ("ev",))]
    extra = kinds.discovered(found)
    assert extra["pd"] is kinds.BY_NAME["pods"]
    ct = extra["ct"]
    assert (ct.name, ct.kind, ct.aliases, ct.namespaced, ct.discovered) == (
        "crontabs", "CronTab", ("crontabs", "crontab", "ct"), True, True)
    assert set(extra) == {"pd", "crontabs", "crontab", "ct"}  # "po" stays the pods' alias
    assert kinds.parse_command("ct -A", extra).view is ct and kinds.parse_command("ct -A", extra).namespace == ""
    assert kinds.parse_command("ct").error == "`ct` command not found"
    assert kinds.complete("cront", extra) == ["crontab", "crontabs"]
    assert kinds.complete("cro", extra) == ["cronjob", "crontab", "cronjobs", "crontabs"]
    assert kinds.complete("cr", extra)[:4] == ["cr", "crb", "crd", "crds"]  # k9s's RBAC and CRD aliases


def test_kinds_without_a_view_open_on_the_simulator_too():
    from k9py.backends.sim import SimBackend
    from tests.samples import small_cluster as sample

    async def main():
        cluster = sample()
        cluster.apply({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                       "metadata": {"name": "leader", "namespace": "default"}, "spec": {"holderIdentity": "a"}})
        app = K9pyApp(SimBackend(cluster), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await command(app, pilot, "leases")
            await until(app, pilot, lambda: rows(app) == {("default", "leader")}, "the lease")
            assert lines(app)[0].split()[:2] == ["NAME↑", "HOLDER"] and lines(app)[1].split()[:2] == ["leader", "a"]
    run(main())


def test_a_followed_log_says_reconnecting_while_the_server_is_away(server, kubeconfig):
    """`l` on a live pod follows its log; the server goes away: the status line says the streams
    are reconnecting (then offline), not streaming, and streaming again once it is back."""
    async def main():
        app = live_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            want = truth(server.handle, "Pod", "default")
            await until(app, pilot, lambda: rows(app) == want, "the server's pods")
            await pilot.press("l")
            await until(app, pilot, lambda: "streaming" in getattr(app.screen, "status_text", str)(), "streaming")
            logs = app.screen

            server.stop()
            await until(app, pilot, lambda: "reconnecting" in logs.status_text() or "offline" in logs.status_text(),
                        "the log saying its connection is lost")
            assert "streaming" not in logs.status_text()
            server.restart()
            await until(app, pilot, lambda: "streaming" in logs.status_text(), "streaming again")
    run(main())


def test_a_crd_applied_while_k9py_runs_is_a_command_and_a_drill_at_once(server, kubeconfig, monkeypatch):
    """`kubectl apply -f crd.yaml` after k9py started: `:crontabs` and enter on its CRD row read
    discovery again instead of saying the command or its resources are unknown (k9s does so)."""
    from k9py.backends import live
    from tests.crds import crontab, crontab_crd

    monkeypatch.setattr(live, "REDISCOVER_AFTER", 0.0)  # (a typo typed twice asks once in 2 s)

    async def main():
        app = live_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "Pod", "default"), "pods")
            await app.backend.ensure_discovery()
            with server.cluster.lock:
                server.cluster.create(crontab_crd())
                server.cluster.settle()
                server.cluster.create(crontab("nightly"))
            await command(app, pilot, "crontabs")
            await until(app, pilot, lambda: app.current.scope.view.name == "crontabs" and rows(app) == {("default", "nightly")},
                        "the new kind's view")
            widgets = crontab_crd(names={"plural": "widgets", "singular": "widget", "kind": "Widget"})
            widgets["metadata"]["name"] = "widgets.stable.example.com"
            with server.cluster.lock:
                server.cluster.create(widgets)
                server.cluster.settle()
            await command(app, pilot, "crd")
            await until(app, pilot, lambda: ("", "widgets.stable.example.com") in rows(app), "the new CRD's row")
            app.table.cursor_key = ("", "widgets.stable.example.com")
            await pilot.press("enter")
            await until(app, pilot, lambda: app.current.scope.view.name == "widgets", "its objects")
            await command(app, pilot, "nosuchkind")
            await until(app, pilot, lambda: "`nosuchkind` command not found" in app.flash_text, "unknown is still unknown")
    run(main())


def test_a_start_view_only_discovery_knows_opens_on_a_live_cluster(server, kubeconfig):
    """`k9py --kubeconfig F -c crontabs`: a CRD's plural, which only the server's discovery knows."""
    from tests.crds import crontab, crontab_crd

    with server.cluster.lock:
        server.cluster.create(crontab_crd())
        server.cluster.settle()
        server.cluster.create(crontab("nightly"))

    async def main():
        app = live_app(kubeconfig, view="crontabs")
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: app.current is not None and app.current.scope.view.name == "crontabs"
                        and rows(app) == {("default", "nightly")}, "the CRD objects")
    run(main())


def test_tab_completes_a_crd_applied_while_k9py_runs(server, kubeconfig, monkeypatch):
    """`kubectl apply -f crd.yaml`, then `:cront` Tab: a word no known kind starts reads the
    server's kinds again and completes (before, Tab did nothing until an unknown command had
    made k9py read discovery again)."""
    from k9py.backends import live
    from tests.crds import crontab_crd

    monkeypatch.setattr(live, "REDISCOVER_AFTER", 0.0)

    async def main():
        app = live_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "Pod", "default"), "pods")
            await app.backend.ensure_discovery()
            with server.cluster.lock:
                server.cluster.create(crontab_crd())
                server.cluster.settle()
            await pilot.press(":", "c", "r", "o", "n", "t", "tab")
            await until(app, pilot, lambda: app.prompt.value == "crontab", "the new kind completed")
            await pilot.press("escape")
            await pilot.press(":", "z", "z", "z", "tab")  # nothing to complete: the line stays
            await pilot.pause()
            assert app.prompt.value == "zzz"
    run(main())


def test_usage_columns_stay_while_the_server_is_away(server, kubeconfig):
    """The server unreachable: the pods keep their last rows (greyed) and their CPU/MEM columns
    with the last figures, instead of the table losing six columns until it is back (the header's
    cluster CPU/MEM says n/a meanwhile). A cluster without metrics still has no such columns."""
    async def main():
        app = live_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            want = truth(server.handle, "Pod", "default")
            await until(app, pilot, lambda: rows(app) == want, "the pods")
            await app.refresh_metrics()  # (the app polls on a timer; tests by hand)
            await until(app, pilot, lambda: "CPU" in [c.name for c in app.model.columns]
                        and "CPU:      n/a" not in header(app), "the pods' and the cluster's usage")
            columns, cells = [c.name for c in app.model.columns], lines(app)[1].split()[:-1]  # (AGE ticks)
            server.stop()
            await until(app, pilot, lambda: "live (offline)" in header(app) and app.table.stale, "offline")
            await app.refresh_metrics()
            assert app.session.metrics.error == "connection refused"
            await until(app, pilot, lambda: "CPU:      n/a" in header(app), "the cluster's usage unknown")
            assert [c.name for c in app.model.columns] == columns
            assert lines(app)[1].split()[:-1] == cells and rows(app) == want
    run(main())


def test_the_tables_word_for_a_lost_server_is_the_headers(server, kubeconfig):
    """Started while the server is down: once the header says offline, the empty table says
    "offline: …" too, not the "reconnecting: …" of a watch still waiting out its back-off."""
    server.stop()

    async def main():
        app = K9pyApp(LiveBackend(LiveOptions(kubeconfig=kubeconfig, **{**FAST, "backoff_initial": 60.0,
                                                                         "backoff_cap": 60.0})), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: "reconnecting: connection refused" in lines(app)[1], "the watch's failure")

            def offline() -> bool:
                app.poll_metrics()  # (the app's timer: requests that fail on and on)
                return "live (offline)" in header(app)
            await until(app, pilot, offline, "the header saying offline")
            await until(app, pilot, lambda: "offline: connection refused" in lines(app)[1], "the table saying so too")
    run(main())


def test_pulses_say_access_denied_for_a_kind_the_user_may_not_list(server, kubeconfig):
    """A user who may not list nodes: the Nodes tile and the charts (drawn against the nodes'
    allocatable) say so, where they said loading… for ever and drew full bars labelled 0%."""
    from k9py.ui.screens.pulses import Chart, PulsesScreen
    denied = 'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope'
    server.faults.add(is_path("/api/v1/nodes"), lambda req: status(403, "Forbidden", denied))

    async def main():
        app = live_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "Pod", "default"), "pods")
            await command(app, pilot, "pulses")
            screen = app.screen
            assert isinstance(screen, PulsesScreen)
            nodes = next(t for t in screen.tiles if t.spec.label == "Nodes")
            pods = next(t for t in screen.tiles if t.spec.label == "Pods")
            await until(app, pilot, lambda: nodes.denied and pods.synced, "the nodes' watch refused")
            await app.refresh_metrics()
            screen.repaint()
            await pilot.pause()
            assert nodes.render_line(0).text.strip() == "access denied" and nodes.border_subtitle == ""
            assert pods.render_line(0).text.strip().startswith("●")  # what may be listed is counted
            cpu = next(c for c in screen.query(Chart).results(Chart) if c.what == "cpu")
            assert cpu.border_title == "CPU"
            painted = " ".join(cpu.render_line(y).text.strip() for y in range(cpu.size.height))
            assert painted.split() == f"access denied: {denied}".split()
            assert "█" not in painted
    run(main())


def test_workloads_title_names_the_kinds_refused_as_soon_as_they_are(server, kubeconfig):
    """:wk for a user who may read pods only: the title said nothing of the services and
    deployments left out until the view was opened again (a denial changed no row)."""
    def refused(req):
        return req.path.startswith(("/api/v1/namespaces/default/services", "/apis/apps/v1/namespaces/default/"))
    server.faults.add(refused, lambda req: status(403, "Forbidden", "forbidden"))

    async def main():
        app = live_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "Pod", "default"), "pods")
            await command(app, pilot, "wk")
            want = "<no access: services, daemonsets, statefulsets, deployments, replicasets>"
            await until(app, pilot, lambda: len(app.current.denied()) == 5, "five kinds refused")
            await until(app, pilot, lambda: want in border_text(app.table), "the title says so")
    run(main())


def test_xray_says_which_kinds_the_user_may_not_list(server, kubeconfig):
    """:xray deploy for a user who may not list deployments was an empty tree saying nothing; one
    who may not read configmaps and secrets saw pods without them, not told either."""
    from k9py.ui.screens.xray import XrayScreen
    deploys = ('deployments.apps is forbidden: User "bob" cannot list resource "deployments" in API group '
               '"apps" in the namespace "default"')
    server.faults.add(lambda req: req.path.startswith("/apis/apps/v1/namespaces/default/deployments"),
                      lambda req: status(403, "Forbidden", deploys))
    server.faults.add(lambda req: req.path.startswith(("/api/v1/namespaces/default/secrets",
                                                       "/api/v1/namespaces/default/configmaps")),
                      lambda req: status(403, "Forbidden", "forbidden"))

    def flash(app) -> str:
        return str(app.screen.query_one("#xray-flash").render())

    async def main():
        app = live_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "Pod", "default"), "pods")
            await command(app, pilot, "xray deploy")
            assert isinstance(app.screen, XrayScreen)
            await until(app, pilot, lambda: flash(app).startswith("access denied"), "the deployments refused")
            assert flash(app) == f"access denied: {deploys}"
            await pilot.press("escape")
            await command(app, pilot, "xray po")
            await until(app, pilot, lambda: "no access" in flash(app), "secrets and configmaps refused")
            assert flash(app) == "no access to configmaps, secrets: not shown"
    run(main())


def test_used_by_says_which_workload_kinds_it_could_not_scan(server, kubeconfig):
    """u for a user who may not list daemonsets or statefulsets said "No references found" as if
    it had looked everywhere: it names the kinds it could not scan."""
    server.faults.add(lambda req: req.path.startswith(("/apis/apps/v1/namespaces/default/daemonsets",
                                                       "/apis/apps/v1/namespaces/default/statefulsets")),
                      lambda req: status(403, "Forbidden", "forbidden"))

    async def main():
        app = live_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "Pod", "default"), "pods")
            await command(app, pilot, "cm")
            await until(app, pilot, lambda: ("default", "alpha") in rows(app), "configmaps")
            app.table.cursor_key = ("default", "alpha")
            app.table.model_changed()
            await pilot.press("u")
            await until(app, pilot, lambda: "No references" in app.flash_text, "the scan")
            assert app.flash_text == ("No references found at this time for v1/configmaps::default/alpha. Check again "
                                      "later! (no access to daemonsets, statefulsets: not scanned)")
    run(main())


def test_a_crd_deleted_under_its_view_says_the_kind_is_gone_not_reconnecting(server, kubeconfig):
    """kubectl delete crd under its open view: the header said live (reconnecting) and the rows
    went with no word; the server is fine, the kind is gone, and the view says so in kubectl's
    words in place of its rows."""
    from k9py.kube.resources import CRD_KIND
    from tests.crds import add_crontabs

    server.change(add_crontabs)

    async def main():
        app = live_app(kubeconfig)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app) == truth(server.handle, "Pod", "default"), "pods")
            await app.backend.ensure_discovery()
            await command(app, pilot, "ct")
            await until(app, pilot, lambda: rows(app) == {("default", "nightly"), ("default", "every-5m")}, "crontabs")
            server.change(lambda c: c.delete(CRD_KIND, None, "crontabs.stable.example.com"))
            for _ in range(20):
                if server.cluster.store.get(CRD_KIND, None, "crontabs.stable.example.com") is None:
                    break
                server.handle.advance(1)
            gone = 'the server doesn\'t have a resource type "crontabs"'
            await until(app, pilot, lambda: app.table.message == gone, "the kind gone")
            assert not rows(app) and lines(app)[1].strip() == gone
            assert "live (connected)" in header(app) and not app.table.stale
    run(main())
