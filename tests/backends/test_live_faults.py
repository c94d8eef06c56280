"""The live backend when the server misbehaves: stopped and restarted on the same port mid-watch
(also with a new history), a watch answering 410, a hung server, 403 for one kind and 500 for
another. The informer keeps the last rows, shows the state, and converges to the server's truth."""

from __future__ import annotations

import asyncio

import pytest

from k9py.backends.events import Added, Listed, Synced
from k9py.backends.live import ConnectionLost, LiveBackend, LiveOptions
from k9py.sim.cluster import SERVER_VERSION
from k9py.store.informer import Informer
from tests.backends.conftest import DEADLINE, FAST, Faults, is_path, keys, run, small_cluster, status, truth, until

CM_PATH = "/api/v1/namespaces/default/configmaps"
SECRET_PATH = "/api/v1/namespaces/default/secrets"
POD_PATH = "/api/v1/namespaces/default/pods"


def backend(path: str, **kw) -> LiveBackend:
    return LiveBackend(LiveOptions(kubeconfig=path, **{**FAST, **kw}))


def watching(inf: Informer, kind: str, ns: str | None = "default"):
    inf.subscribe(kind, ns, lambda cache, diff: None)
    return inf.cache(kind, ns)


def _add_cm(name: str):
    return lambda c: c.apply({"apiVersion": "v1", "kind": "ConfigMap",
                              "metadata": {"name": name, "namespace": "default"}, "data": {"k": name}})


@pytest.mark.parametrize("new_history", [False, True], ids=["same-cluster", "new-history"])
def test_server_restarted_on_the_same_port_mid_watch(server, kubeconfig, new_history):
    async def main():
        b = backend(kubeconfig)
        inf = Informer(b, auto_flush=False)
        cms, pods = watching(inf, "ConfigMap"), watching(inf, "Pod", None)
        await until(lambda: cms.synced and pods.synced, "first sync")
        server.change(_add_cm("gamma"))
        await until(lambda: ("default", "gamma") in cms.objects, "gamma")
        shown = set(cms.objects)

        server.stop()
        await until(lambda: cms.state == "reconnecting" and pods.state == "reconnecting", "reconnecting")
        assert cms.error == "connection refused"
        assert b.connection().state in ("reconnecting", "offline") and b.info().extra["error"] == "connection refused"
        await until(lambda: cms.state == "offline", "offline after a while of failing")
        assert set(cms.objects) == shown  # the last known rows stay (the UI greys them)

        if new_history:  # a different cluster: resourceVersions start again, other objects
            server.restart(small_cluster(seed=7, configmaps=("delta",)))
        else:  # changed while we were away: one gone, one new, one modified
            with server.cluster.lock:
                server.cluster.delete("ConfigMap", "default", "alpha")
                _add_cm("delta")(server.cluster)
                server.cluster.apply({"apiVersion": "v1", "kind": "ConfigMap",
                                      "metadata": {"name": "beta", "namespace": "default"}, "data": {"k": "new"}})
                server.cluster.settle()
            server.restart()
        want_cms, want_pods = truth(server.handle, "ConfigMap", "default"), truth(server.handle, "Pod")
        await until(lambda: cms.state == "connected" and set(cms.objects) == want_cms
                    and pods.state == "connected" and set(pods.objects) == want_pods, "converged")
        assert ("default", "alpha") not in cms.objects and ("default", "delta") in cms.objects
        assert cms.error is None
        if new_history:
            assert ("default", "gamma") not in cms.objects and ("default", "beta") not in cms.objects
        else:
            assert cms.objects[("default", "beta")]["data"] == {"k": "new"}
        assert b.connection().state == "connected"
        # and the watch goes on
        server.change(_add_cm("epsilon"))
        await until(lambda: ("default", "epsilon") in cms.objects, "a change after the restart")
        await inf.close()
        await b.close()
    run(main())


def test_watch_answering_410_relists(server, kubeconfig):
    faults = server.faults
    faults.add(is_path(CM_PATH, watch=True), Faults.expired_watch, times=1)

    async def main():
        b = backend(kubeconfig)
        inf = Informer(b, auto_flush=False)
        cms = watching(inf, "ConfigMap")
        await until(lambda: faults.count("GET", CM_PATH, watch=False) == 2, "a second list after the 410")
        await until(lambda: faults.count("GET", CM_PATH, watch=True) == 2, "watching again")
        assert cms.state == "connected" and set(cms.objects) == truth(server.handle, "ConfigMap", "default")
        # a 410 answered as an HTTP status instead of an event
        faults.add(is_path(CM_PATH, watch=True), lambda req: status(410, "Expired", "too old resource version"),
                   times=1)
        server.change(lambda c: c.delete("ConfigMap", "default", "alpha"))  # ends nothing: the watch is open
        await until(lambda: ("default", "alpha") not in cms.objects, "the delete")
        await inf.close()
        await b.close()
    run(main())


def test_410_status_on_watch_start_relists(server, kubeconfig):
    faults = server.faults
    faults.add(is_path(CM_PATH, watch=True), lambda req: status(410, "Expired", "too old resource version"),
               times=1)

    async def main():
        b = backend(kubeconfig)
        w = b.watch("ConfigMap", "default")
        assert isinstance(await w.__anext__(), Listed)
        assert isinstance(await w.__anext__(), Synced)
        server.change(_add_cm("gamma"))
        ev = await w.__anext__()  # from the relist, as a diff against what was listed
        assert isinstance(ev, Added) and ev.obj["metadata"]["name"] == "gamma"
        assert faults.count("GET", CM_PATH, watch=False) == 2
        await w.aclose()
        await b.close()
    run(main())


def test_hung_server_is_bounded_by_the_request_timeout(server, kubeconfig):
    faults = server.faults
    faults.add(lambda req: req.path.startswith(CM_PATH), faults.slow)

    async def main():
        b = backend(kubeconfig, request_timeout=0.3)
        with pytest.raises(ConnectionLost, match="timed out"):
            await b.get("ConfigMap", "default", "alpha")
        inf = Informer(b, auto_flush=False)
        cms, pods = watching(inf, "ConfigMap"), watching(inf, "Pod")
        await until(lambda: pods.synced and cms.state == "reconnecting", "pods fine, configmaps timing out")
        assert cms.error == "timed out waiting for the server" and not cms.synced
        assert set(pods.objects) == truth(server.handle, "Pod", "default")
        faults.clear()
        faults.gate.set()
        await until(lambda: cms.synced and set(cms.objects) == truth(server.handle, "ConfigMap", "default"),
                    "configmaps once the server answers")
        await inf.close()
        await b.close()
    run(main())


def test_403_for_one_kind_500_for_another(server, kubeconfig):
    faults = server.faults
    denied = 'secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "default"'
    faults.add(is_path(SECRET_PATH), lambda req: status(403, "Forbidden", denied))
    faults.add(is_path(CM_PATH), lambda req: status(500, "InternalError",
                                                     "Internal error occurred: etcdserver: leader changed"))

    async def main():
        b = backend(kubeconfig)
        inf = Informer(b, auto_flush=False)
        secrets, cms, pods = watching(inf, "Secret"), watching(inf, "ConfigMap"), watching(inf, "Pod")
        await until(lambda: secrets.state == "forbidden" and cms.state == "reconnecting" and pods.synced,
                    "access denied, an error, and pods")
        assert secrets.error == denied and not secrets.synced and not secrets.objects
        assert cms.error == "Internal error occurred: etcdserver: leader changed"
        assert set(pods.objects) == truth(server.handle, "Pod", "default") and pods.state == "connected"
        assert b.connection().state == "connected"  # the server answers: it is reachable
        server.change(_add_cm("gamma"))
        faults.clear()
        await until(lambda: cms.state == "connected" and set(cms.objects) == truth(server.handle, "ConfigMap", "default"),
                    "configmaps after the 500s")
        await until(lambda: secrets.state == "connected" and set(secrets.objects) == {("default", "token")},
                    "secrets once allowed")
        await inf.close()
        await b.close()
    run(main())


async def _followed_then_away(b, server) -> tuple[str, list[str], asyncio.Task]:
    """A pod's log followed (timestamps on) until it has every line so far, then the server
    stopped and the drop noticed: (the pod, the lines got, the following task)."""
    from tests.backends.test_live import _server_log

    pod = sorted(truth(server.handle, "Pod", "default"))[0][1]
    got: list[str] = []

    async def follow():
        async for ln in b.logs("default", pod, follow=True, timestamps=True):
            got.append(ln)

    task = asyncio.get_running_loop().create_task(follow())
    await until(lambda: got and got == _server_log(server, pod), "the log so far")
    server.stop()
    await until(lambda: b.connection().state != "connected", "the drop noticed")
    return pod, got, task


def test_logs_follow_resumes_after_a_restart_without_duplicates(server, kubeconfig):
    from tests.backends.test_live import _server_log

    async def main():
        b = backend(kubeconfig)
        pod, got, task = await _followed_then_away(b, server)
        seen = len(got)
        with server.cluster.lock:
            server.cluster.advance(120)  # lines written while we were away
        server.restart()
        full = _server_log(server, pod)
        assert len(full) > seen
        await until(lambda: got == full, "the missed lines, once each")
        resumed = [q for m, p, q in server.faults.requests if p.endswith(f"/pods/{pod}/log")]
        assert resumed and resumed[0]["sinceTime"] == got[seen - 1].split(" ", 1)[0]
        assert "tailLines" not in resumed[0] and resumed[0]["follow"] == "true"
        server.handle.advance(60)
        await until(lambda: got == _server_log(server, pod), "and the stream goes on")
        task.cancel()
        await b.close()
    run(main())


def test_a_followed_log_ends_when_its_pod_was_replaced_while_the_server_was_away(server, kubeconfig):
    """A pod of the same name, a new one (a StatefulSet's, replaced during an API outage): the
    stream resumed on the new pod's lines, spliced after the old one's with no sign. It ends, as
    it does when the stream closes on a replaced pod."""
    from k9py.kube.meta import deep_copy

    async def main():
        b = backend(kubeconfig)
        pod, got, task = await _followed_then_away(b, server)
        before = list(got)
        with server.cluster.lock:
            old = server.cluster.get("Pod", "default", pod)
            server.cluster.delete("Pod", "default", pod, grace_period=0)
            server.cluster.advance(5)
            new = deep_copy(old)
            new["metadata"] = {"name": pod, "namespace": "default"}  # (no labels: its ReplicaSet would adopt it)
            new.pop("status", None)
            server.cluster.create(new)
            server.cluster.advance(60)  # the new pod runs and writes
        assert server.cluster.get("Pod", "default", pod)["metadata"]["uid"] != old["metadata"]["uid"]
        server.restart()
        await asyncio.wait_for(task, 20)  # ends by itself
        assert got == before  # none of the new pod's lines
        await b.close()
    run(main())


def test_a_long_log_line_resent_on_resuming_comes_once(server, kubeconfig, monkeypatch):
    """A line longer than the bound comes in pieces; only its first carries the timestamp. The
    stream resumed from that timestamp sends the line again: its later pieces came twice, and a
    piece that happened to begin with an (earlier) timestamp was dropped as an old line."""
    from k9py.backends import live
    from k9py.serve.http import Response

    monkeypatch.setattr(live, "MAX_LOG_LINE", 32)
    pod = sorted(truth(server.handle, "Pod", "default"))[0][1]
    t1, t2, t3 = (f"2026-11-01T09:00:0{i}Z" for i in (1, 2, 3))
    first, third = f"{t1} first", f"{t3} third"
    long = f"{t2} {'a' * 11}{t1} {'b' * 11}{'c' * 20}"  # pieces: "t2 a…", "t1 b…" (a lookalike), "c…"
    sent = {None: [first, long], t2: [long, third], t3: [third]}
    log_path = f"/api/v1/namespaces/default/pods/{pod}/log"
    faults = server.faults
    faults.add(is_path(log_path), lambda req: Response(200, stream=iter(
        [ln.encode() + b"\n" for ln in sent[req.query.get("sinceTime")]]), content_type="text/plain"))

    async def main():
        b = backend(kubeconfig)
        got: list[str] = []

        async def follow():
            async for ln in b.logs("default", pod, follow=True):
                got.append(ln)

        task = asyncio.get_running_loop().create_task(follow())
        await until(lambda: faults.count("GET", log_path) >= 4, "the stream resumed three times")
        task.cancel()
        await b.close()
        return got

    assert run(main()) == ["first", "a" * 11, f"{t1} {'b' * 11}", "c" * 20, "third"]
    with faults.lock:
        assert [q.get("sinceTime") for m, p, q in faults.requests if p == log_path][:3] == [None, t2, t3]


def test_log_follow_ends_when_the_pod_goes(server, kubeconfig):
    async def main():
        b = backend(kubeconfig)
        pod = sorted(truth(server.handle, "Pod", "default"))[0][1]
        got: list[str] = []

        async def follow():
            async for ln in b.logs("default", pod, follow=True):
                got.append(ln)

        task = asyncio.get_running_loop().create_task(follow())
        await until(lambda: got, "some lines")
        server.change(lambda c: c.delete("Pod", "default", pod, grace_period=0))
        server.handle.advance(5)
        await asyncio.wait_for(task, 20)  # returns by itself
        await b.close()
    run(main())


def test_a_watch_the_server_ends_is_resumed_from_its_resource_version(server, kubeconfig):
    """The server's timeoutSeconds ends a watch cleanly: watch again from the last
    resourceVersion, without relisting."""
    faults = server.faults

    async def main():
        b = backend(kubeconfig, watch_timeout=1)
        inf = Informer(b, auto_flush=False)
        cms = watching(inf, "ConfigMap")
        await until(lambda: faults.count("GET", CM_PATH, watch=True) >= 2, "a second watch")
        assert faults.count("GET", CM_PATH, watch=False) == 1
        with faults.lock:
            watches = [q for m, p, q in faults.requests if p == CM_PATH and q.get("watch") == "true"]
        assert watches[0]["allowWatchBookmarks"] == "true" and watches[0]["resourceVersion"]
        assert int(watches[1]["resourceVersion"]) >= int(watches[0]["resourceVersion"])
        server.change(_add_cm("gamma"))
        await until(lambda: ("default", "gamma") in cms.objects, "a change on the resumed watch")
        assert cms.state == "connected" and faults.count("GET", CM_PATH, watch=False) == 1
        await inf.close()
        await b.close()
    run(main())


def _spawn_serve(port: int, seed: int, kubeconfig_out: str):
    import subprocess
    import sys
    proc = subprocess.Popen([sys.executable, "-m", "k9py", "serve", "--port", str(port), "--speed", "0",
                             "--seed", str(seed), "--kubeconfig-out", kubeconfig_out],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()  # "k9py serve: listening on http://127.0.0.1:PORT"
    if "listening on" not in line:
        proc.kill()
        raise AssertionError(f"serve did not start: {line!r} {proc.stderr.read()}")
    return proc, int(line.rsplit(":", 1)[1])


@pytest.mark.e2e
def test_serve_process_killed_and_restarted_on_the_same_port(tmp_path):
    """`k9py serve` as its own process, SIGKILLed mid-watch and started again (another seed:
    other pods) on the same port: stale rows while it is gone, then exactly the new server's."""
    kc = str(tmp_path / "kc")
    proc, port = _spawn_serve(0, 1, kc)
    procs = [proc]
    try:
        async def main():
            b = backend(kc)
            inf = Informer(b, auto_flush=False)
            pods = watching(inf, "Pod", None)
            await until(lambda: pods.synced and pods.objects, "pods of the first server")
            first = set(pods.objects)
            proc.kill()
            await asyncio.to_thread(proc.wait)
            await until(lambda: pods.state in ("reconnecting", "offline"), "the loss noticed")
            assert set(pods.objects) == first  # stale, kept
            second, _ = await asyncio.to_thread(_spawn_serve, port, 2, str(tmp_path / "kc2"))
            procs.append(second)
            fresh = backend(kc)
            want = keys(await fresh.list("Pod", None))
            await fresh.close()
            assert want != first
            await until(lambda: pods.state == "connected" and set(pods.objects) == want, "the second server's pods")
            await inf.close()
            await b.close()
        run(main(), timeout=90)
    finally:
        for p in procs:
            p.kill()
            p.wait()


def test_started_while_the_server_is_down_discovers_once_it_is_back(server, kubeconfig):
    """k9py opened before the VPN is up: the watches relist once the server answers, and the
    server's version (the header's K8s Rev) and its kinds (CRDs, `:` completion) are read then,
    not only at the next unknown command."""
    server.stop()

    async def main():
        b = backend(kubeconfig)
        b.start()
        inf = Informer(b, auto_flush=False)
        cms = watching(inf, "ConfigMap")
        await until(lambda: cms.state == "reconnecting", "reconnecting")
        assert b.info().server_version == ""
        server.restart()
        await until(lambda: cms.synced and cms.state == "connected", "listed once the server is back")
        await until(lambda: b.info().server_version != "", "the server's version")
        assert b.info().server_version == SERVER_VERSION["gitVersion"]
        assert b.resource("ConfigMap").plural == "configmaps"
        await inf.close()
        await b.close()
    run(main())


def test_watches_waiting_out_their_back_off_resync_as_soon_as_the_server_answers_again(server, kubeconfig):
    """After a long outage each watch's back-off has grown (30 s by default): once the server
    answers any request again, every view relists then, not at the end of its own wait (the
    header said connected, CPU/MEM came back, the rows stayed grey and stale)."""
    async def main():
        b = backend(kubeconfig, backoff_initial=60.0, backoff_cap=60.0)
        inf = Informer(b, auto_flush=False)
        cms, every = watching(inf, "ConfigMap"), watching(inf, "ConfigMap", None)
        await until(lambda: cms.synced and every.synced, "first sync")
        server.change(_add_cm("gamma"))  # (a watch that ended with nothing delivered waits its back-off)
        await until(lambda: ("default", "gamma") in cms.objects and ("default", "gamma") in every.objects, "gamma")
        server.stop()
        await until(lambda: cms.state == "reconnecting" and every.state == "reconnecting", "reconnecting")
        with server.cluster.lock:
            _add_cm("delta")(server.cluster)
            server.cluster.settle()
        server.restart()
        await b.get("ConfigMap", "default", "alpha")  # (the header's metrics poll, a describe...)
        assert b.connection().state == "connected"
        await until(lambda: cms.state == "connected" and every.state == "connected"
                    and ("default", "delta") in cms.objects and ("default", "delta") in every.objects,
                    "every watch resynced", timeout=5.0)
        await inf.close()
        await b.close()
    run(main())


def test_a_followed_log_resumes_as_soon_as_the_server_answers_again(server, kubeconfig):
    """A log followed through an outage long enough for its back-off to grow: it resumes when
    the server answers again, not at the end of its wait (with the lines missed, once each)."""
    from tests.backends.test_live import _server_log

    async def main():
        b = backend(kubeconfig, backoff_initial=60.0, backoff_cap=60.0)
        pod, got, task = await _followed_then_away(b, server)
        with server.cluster.lock:
            server.cluster.advance(30)
        server.restart()
        await b.get("Pod", "default", pod)  # (the header's metrics poll, a watch relisting...)
        await until(lambda: got == _server_log(server, pod), "the missed lines", timeout=5.0)
        task.cancel()
        await b.close()
    run(main())


def test_requests_hanging_on_the_server_hold_no_other_thread_work_nor_the_exit(server, kubeconfig):
    """A VPN gone silent: requests hang until their timeout. They used the loop's default
    executor (a handful of threads), so a few of them held every other call made in a thread
    (the app's sorts, file reads) back, and leaving k9py (asyncio.run's end) waited for them."""
    import concurrent.futures
    import threading

    server.faults.add(lambda req: req.path.startswith("/api/v1/namespaces/default/"), server.faults.slow)
    done = threading.Event()

    async def main():
        asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=2))
        b = backend(kubeconfig, request_timeout=None)
        hung = [asyncio.ensure_future(b.get("ConfigMap", "default", name)) for name in ("alpha", "beta", "gamma")]
        await until(lambda: server.faults.count("GET", CM_PATH + "/gamma") == 1, "three requests hanging")
        assert await asyncio.wait_for(asyncio.to_thread(lambda: "other work"), DEADLINE / 4) == "other work"
        for task in hung:
            task.cancel()

    th = threading.Thread(target=lambda: (asyncio.run(main()), done.set()), daemon=True)
    th.start()
    th.join(DEADLINE / 2)  # (the hung requests wait for the gate: DEADLINE)
    assert done.is_set(), "asyncio.run did not end while requests hung"
    assert not server.faults.gate.is_set()  # they still hang (released when the server stops)


def test_a_kind_whose_crd_is_deleted_is_gone_not_a_lost_connection(server, kubeconfig):
    """kubectl delete crd while its view was open: the rows went, then the header said
    `live (reconnecting)` with 'the server could not find the requested resource', as if the
    cluster were unreachable, retrying every few seconds for ever. The server answers; only the
    kind is gone: the view says so in kubectl's words, the backend stays connected, and the
    kind's rows come back when its CRD does."""
    from tests.crds import add_crontabs, crontab, crontab_crd

    name = "crontabs.stable.example.com"
    server.change(add_crontabs)

    async def main():
        b = backend(kubeconfig)
        inf = Informer(b, auto_flush=False)
        tabs = watching(inf, "CronTab")
        await until(lambda: tabs.synced and tabs.objects, "the crontabs")
        delete_crd(server, name)  # its objects are deleted, then the CRD goes
        await until(lambda: tabs.state == "gone", "the kind gone")
        assert not tabs.objects and tabs.error == 'the server doesn\'t have a resource type "crontabs"'
        await listed_again(server, "stable.example.com")  # still gone, still connected
        assert tabs.state == "gone" and b.connection().state == "connected"
        server.change(lambda c: (c.create(crontab_crd()), c.create(crontab("again"))))
        await until(lambda: tabs.state == "connected" and set(tabs.objects) == {("default", "again")},
                    "the kind back with its CRD")
        await inf.close()
        await b.close()
    run(main())


def delete_crd(server, name: str) -> None:
    """The CRD deleted and gone: its objects are deleted first, then it goes (a few seconds)."""
    from k9py.kube.resources import CRD_KIND

    server.change(lambda c: c.delete(CRD_KIND, None, name))
    for _ in range(20):
        if server.cluster.store.get(CRD_KIND, None, name) is None:
            return
        server.handle.advance(1)


def _crontab_lists(server, group: str) -> int:
    return sum(1 for m, p, _ in list(server.faults.requests)
               if m == "GET" and p.startswith(f"/apis/{group}/") and p.endswith("/crontabs"))


async def listed_again(server, group: str) -> None:
    """Until the informer has asked for ``group``'s crontabs once more (a gone kind's retry)."""
    seen = _crontab_lists(server, group)
    await until(lambda: _crontab_lists(server, group) > seen, f"{group}'s crontabs listed again")


async def crontabs_gone(server, kubeconfig):
    """A view's informer on the crontabs, synced, then their CRD deleted until the view says
    gone: (backend, informer, the view's watch)."""
    b = backend(kubeconfig)
    inf = Informer(b, auto_flush=False)
    tabs = watching(inf, "CronTab")
    await until(lambda: tabs.synced and tabs.objects, "the crontabs")
    delete_crd(server, "crontabs.stable.example.com")
    await until(lambda: tabs.state == "gone", "the kind gone")
    return b, inf, tabs


async def back_in_v2(server, tabs) -> None:
    """The CRD applied again serving v2 only, with one crontab: until the view shows it."""
    from tests.crds import crontab, crontab_crd

    v2 = crontab_crd()
    v2["spec"]["versions"][0]["name"] = "v2"
    server.change(lambda c: (c.create(v2), c.create(crontab("again", version="v2"))))
    await until(lambda: tabs.state == "connected" and set(tabs.objects) == {("default", "again")},
                "the kind back in v2")
    assert tabs.objects[("default", "again")]["apiVersion"] == "stable.example.com/v2"


def test_a_kind_gone_comes_back_in_the_version_its_new_crd_serves(server, kubeconfig):
    """The CRD deleted, then applied again serving v2 only (an operator's upgrade): the view's
    watch went on asking for v1 and said the kind was gone for good; it follows discovery to
    the version now served."""
    from tests.crds import add_crontabs

    server.change(add_crontabs)

    async def main():
        b, inf, tabs = await crontabs_gone(server, kubeconfig)
        await back_in_v2(server, tabs)
        await inf.close()
        await b.close()
    run(main())


def test_a_kind_gone_is_not_taken_for_another_groups_kind_of_that_name(server, kubeconfig, monkeypatch):
    """Istio's Gateway uninstalled while Gateway API's Gateway is installed: the view of the
    one gone, reading discovery again by kind alone, went on listing the other group's objects
    as its own. It stays gone until its own group serves the kind again (in v2 here)."""
    from k9py.backends import live
    from tests.crds import add_crontabs, crontab, crontab_crd

    monkeypatch.setattr(live, "REDISCOVER_AFTER", 0.0)
    server.change(add_crontabs)
    other = crontab_crd(group="other.example.com")
    other["metadata"]["name"] = "crontabs.other.example.com"
    theirs = crontab("theirs")
    theirs["apiVersion"] = "other.example.com/v1"

    async def main():
        b, inf, tabs = await crontabs_gone(server, kubeconfig)
        server.change(lambda c: (c.create(other), c.create(theirs)))
        await until(lambda: b.resource("CronTab").group == "other.example.com", "discovery read again")
        await listed_again(server, "stable.example.com")  # still its own group's, still gone
        assert tabs.state == "gone" and not tabs.objects
        delete_crd(server, "crontabs.other.example.com")
        await back_in_v2(server, tabs)
        await inf.close()
        await b.close()
    run(main())
