"""The log view (`l`, `p`) against the simulator's kubelet logs on a manual clock."""

import json

import pytest

from k9py.kube.meta import deep_copy
from k9py.kube.timefmt import parse_time
from k9py.sim.logs import append_log, busybox_date
from k9py.ui.screens.logs import LogScreen, LogSource
from tests.sim.helpers import COUNTER_SCRIPT, pod_manifest
from tests.ui.simcluster import border_text, command, flash, goto, run, settle, sim_cluster


def rows(screen):
    return [r[1] for r in screen._rows]


def painted(screen):
    body = screen.body
    return [body.render_line(y).text.rstrip() for y in range(body.size.height)]


def counter_start(cluster):
    st = cluster.store.get("Pod", "default", "counter")["status"]["containerStatuses"][0]
    return parse_time(st["state"]["running"]["startedAt"])


async def open_counter(app, pilot):
    await goto(app, pilot, "counter")
    await pilot.press("l")
    await settle(app, pilot)
    assert isinstance(app.screen, LogScreen)
    return app.screen


def test_counter_logs_follow_the_clock():
    async def s(app, pilot, cluster):
        scr = await open_counter(app, pilot)
        start = counter_start(cluster)
        n = len(rows(scr))
        assert n > 20
        assert rows(scr) == [f"{i}: {busybox_date(start + i)}" for i in range(n)]
        assert scr.title_text == "Logs(default/counter:counter)"
        await settle(app, pilot, 3)
        assert rows(scr)[n:] == [f"{i}: {busybox_date(start + i)}" for i in range(n, n + 3)]
        # autoscroll keeps the newest line at the bottom of the view
        assert painted(scr)[n + 2 - scr.body.top] == f"{n + 2}: {busybox_date(start + n + 2)}"
        status = scr.status_text()
        assert "Autoscroll:On" in status and "Wrap:Off" in status and "Timestamps:Off" in status
        assert f"{n + 3} buffered, 0 dropped" in status and "streaming" in status
        await pilot.press("escape")
        await settle(app, pilot, 2)
        assert app.screen is app.screen_stack[0] and scr._tasks == []
    run(s)


def test_tail_head_and_time_windows():
    async def s(app, pilot, cluster):
        cluster.advance(200)
        scr = await open_counter(app, pilot)
        start = counter_start(cluster)
        last = int(cluster.now() - start) - 1  # the line printed last
        assert len(rows(scr)) == 100  # tail: k9s's 100 lines
        assert rows(scr)[-1].startswith(f"{last}: ")
        await pilot.press("1")  # head: from the container's start
        await settle(app, pilot)
        assert rows(scr)[0] == f"0: {busybox_date(start)}" and len(rows(scr)) == last + 1
        assert "Since:head" in scr.status_text()
        await pilot.press("2")  # 1m
        await settle(app, pilot)
        assert len(rows(scr)) == 60 and rows(scr)[-1].startswith(f"{last}: ")
        await pilot.press("6")  # 1h: everything here
        await settle(app, pilot)
        assert len(rows(scr)) == last + 1
        await pilot.press("0")
        await settle(app, pilot)
        assert len(rows(scr)) == 100 and "Since:tail" in scr.status_text()
    run(s)


def test_a_pod_of_several_containers_shows_them_all_prefixed_by_container_like_k9s():
    """k9s's `l` on a pod of several containers and no default one streams them all (init ones
    too), each line prefixed by its container's name: no picker in between."""
    async def s(app, pilot, cluster):
        await goto(app, pilot, "web")
        await pilot.press("l")
        await settle(app, pilot)
        scr = app.screen
        assert isinstance(scr, LogScreen) and scr.title_text == "Logs(default/web)"
        assert [(src.container, src.prefix) for src in scr.sources] == [("nginx", "nginx"), ("sidecar", "sidecar")]
        sidecar = [r for r in rows(scr) if r.startswith("sidecar ")]
        assert sidecar and sidecar[0].startswith("sidecar 0: ")
        before = len(sidecar)
        await settle(app, pilot, 2)
        assert len([r for r in rows(scr) if r.startswith("sidecar ")]) == before + 2
        assert "<a>" not in [h.label for h in scr.key_hints()]  # nothing to toggle
    run(s)


def test_default_container_annotation_picks_the_logs_and_a_toggles_all_containers():
    """kubectl.kubernetes.io/default-container: `l` shows that container alone, and the log
    view's `a` (k9s's Toggle AllContainers) every container of the pod, init ones too, and back."""
    cluster = sim_cluster()
    pod = pod_manifest("multi", "busybox:1.36", container="main", command=["/bin/sh", "-c", COUNTER_SCRIPT],
                       annotations={"kubectl.kubernetes.io/default-container": "main"})
    pod["spec"]["initContainers"] = [{"name": "setup", "image": "busybox:1.36",
                                      "command": ["/bin/sh", "-c", "echo setting up"]}]
    pod["spec"]["containers"].append({"name": "side", "image": "busybox:1.36",
                                      "command": ["/bin/sh", "-c", COUNTER_SCRIPT]})
    cluster.create(pod)

    async def s(app, pilot, cluster):
        cluster.advance(30)
        await goto(app, pilot, "multi")
        await pilot.press("l")
        await settle(app, pilot)
        scr = app.screen
        assert isinstance(scr, LogScreen) and scr.title_text == "Logs(default/multi:main)"
        assert [(src.container, src.prefix) for src in scr.sources] == [("main", "")]
        assert "<a>" in [h.label for h in scr.key_hints()]
        assert rows(scr) and rows(scr)[0].startswith("0: ")
        await pilot.press("a")
        await settle(app, pilot)
        assert scr.title_text == "Logs(default/multi)"
        assert [src.container for src in scr.sources] == ["setup", "main", "side"]
        assert "setup setting up" in rows(scr)
        assert any(r.startswith("side 0: ") for r in rows(scr))
        await pilot.press("a")
        await settle(app, pilot)
        assert scr.title_text == "Logs(default/multi:main)" and [src.container for src in scr.sources] == ["main"]
        assert all(not r.startswith(("side ", "setup ")) for r in rows(scr))
    run(s, cluster)


def test_a_default_container_the_pod_lacks_is_ignored():
    cluster = sim_cluster()
    web = cluster.store.get("Pod", "default", "web")
    cluster.replace({**web, "metadata": {**web["metadata"], "annotations": {
        "kubectl.kubernetes.io/default-container": "gone"}}})

    async def s(app, pilot, cluster):
        await goto(app, pilot, "web")
        await pilot.press("l")
        await settle(app, pilot)
        assert [src.container for src in app.screen.sources] == ["nginx", "sidecar"]
    run(s, cluster)


def test_workload_logs_are_prefixed_like_stern():
    async def s(app, pilot, cluster):
        cluster.advance(120)  # nginx access log lines from the probes/traffic
        await command(app, pilot, "deploy")
        await pilot.press("l")
        await settle(app, pilot)
        scr = app.screen
        assert isinstance(scr, LogScreen) and scr.title_text == "Logs(default/nginx-deployment)"
        pods = sorted(p["metadata"]["name"] for p in cluster.store.list("Pod", "default")
                      if p["metadata"]["name"].startswith("nginx-deployment-"))
        assert [s.prefix for s in scr.sources] == [f"{p} nginx" for p in pods]
        append_log(cluster, "default", pods[1], None, "hello from the second pod")
        await settle(app, pilot, 1)
        assert f"{pods[1]} nginx hello from the second pod" in rows(scr)
        # `l` on a service: the pods it selects
        await pilot.press("escape")
        cluster.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "my-nginx", "namespace": "default"},
                        "spec": {"selector": {"app": "nginx"}, "ports": [{"port": 80}]}})
        await command(app, pilot, "svc")
        await goto(app, pilot, "my-nginx")
        await pilot.press("l")
        await settle(app, pilot)
        assert [s.pod for s in app.screen.sources] == pods
        # a service without a selector (the apiserver's own): no pods, said (kubectl logs refuses it too)
        await pilot.press("escape")
        await settle(app, pilot)
        await goto(app, pilot, "kubernetes")
        await pilot.press("l")
        await settle(app, pilot)
        assert len(app.screen_stack) == 1
        assert flash(app) == ("services default/kubernetes: it is defined without a selector: it has no pods "
                              "to show logs of")
    run(s)


def test_toggles_timestamps_wrap_json_autoscroll():
    async def s(app, pilot, cluster):
        scr = await open_counter(app, pilot)
        last = rows(scr)[-1]
        await pilot.press("t")
        await settle(app, pilot)
        ts, _, text = rows(scr)[-1].partition(" ")
        assert text == last and ts.endswith("Z") and parse_time(ts) is not None
        assert "Timestamps:On" in scr.status_text()
        await pilot.press("t")
        append_log(cluster, "default", "counter", None, json.dumps({"level": "info", "msg": "ready", "port": 8080}))
        await settle(app, pilot)
        assert rows(scr)[-1] == '{"level": "info", "msg": "ready", "port": 8080}'
        await pilot.press("j")
        await settle(app, pilot)
        assert rows(scr)[-5:] == ["{", '  "level": "info",', '  "msg": "ready",', '  "port": 8080', "}"]
        assert "JSON:On" in scr.status_text()
        await pilot.press("j")
        append_log(cluster, "default", "counter", None, "x" * 400)
        await settle(app, pilot)
        assert rows(scr)[-1] == "x" * 400
        await pilot.press("w")
        await settle(app, pilot)
        width = scr.body.scrollable_content_region.width - 1
        assert rows(scr)[-3:] == ["x" * width, "x" * width, "x" * (400 - 2 * width)]
        assert "Wrap:On" in scr.status_text()
        await pilot.press("w")
        # scrolling up pauses autoscroll: new lines do not move the view; End resumes
        await pilot.press("up", "up")
        assert not scr.autoscroll and "Autoscroll:Off" in scr.status_text()
        top = scr.body.top
        await settle(app, pilot, 5)
        assert scr.body.top == top
        await pilot.press("end")
        assert scr.autoscroll and scr.body.at_bottom()
        await pilot.press("s")
        assert not scr.autoscroll
        await pilot.press("s")
        assert scr.autoscroll
    run(s)


def test_regex_filter_highlight_and_next():
    async def s(app, pilot, cluster):
        scr = await open_counter(app, pilot)
        await pilot.press("slash", *"^1[0-3]:", "enter")
        await settle(app, pilot)
        assert [r.split(":")[0] for r in rows(scr)] == ["10", "11", "12", "13"]
        assert "</^1[0-3]:>" in border_text(scr.query_one("#viewer-box"))
        text = scr._line(0)
        assert any(span.start == 0 and span.end == 3 for span in text.spans)  # "10:" highlighted
        await settle(app, pilot, 200)  # new lines go through the filter too
        assert [r.split(":")[0] for r in rows(scr)] == ["10", "11", "12", "13"]
        append_log(cluster, "default", "counter", None, "12: appended", "no match")
        await settle(app, pilot)
        assert rows(scr)[-1] == "12: appended" and len(rows(scr)) == 5
        assert "filter /^1[0-3]:/ 5 lines" in scr.status_text()
        await pilot.press("n")
        assert scr._match_row >= 0
        await pilot.press("escape")  # clears the filter first
        await settle(app, pilot)
        assert len(rows(scr)) > 100 and isinstance(app.screen, LogScreen)
        await pilot.press("slash", *"[bad", "enter")
        await settle(app, pilot)
        assert "invalid regex" in flash(app)
    run(s)


def test_the_status_keeps_one_line_with_a_filter_at_160_columns():
    """With a filter the status ran a few cells past 160 columns: its last word took a second
    line and pushed the log down. Closer gaps keep it on one; at 80 columns it takes two."""
    async def s(app, pilot, cluster):
        scr = await open_counter(app, pilot)
        await pilot.press("slash", *"^1[0-3]:", "enter")
        await settle(app, pilot)
        status = scr.query_one("#viewer-status")
        said = scr.status_text()
        assert "filter /^1[0-3]:/" in said and "Autoscroll:On   FullScreen" in said  # 3 spaces: 5 would not fit
        assert status.size.height == 1 and len(said) <= status.size.width
        await pilot.press("escape")
        await settle(app, pilot)
        assert "Autoscroll:On     FullScreen" in scr.status_text()  # k9s's five, where they fit
    run(s, size=(160, 45))


def test_bounded_buffer_counts_drops():
    async def s(app, pilot, cluster):
        app.log_buffer_size = 50
        app.log_spill = False  # the bounded mode: older lines are dropped (the default spills them)
        scr = await open_counter(app, pilot)
        await pilot.press("1")  # head: every line since the start
        await settle(app, pilot, 100)
        total = scr.buffer.total
        assert len(scr.buffer) == 50 and scr.buffer.dropped == total - 50 > 0
        assert f"50 buffered, {total - 50} dropped" in scr.status_text()
        assert len(rows(scr)) == 50
    run(s)


def test_escape_sequences_never_reach_the_terminal():
    async def s(app, pilot, cluster):
        scr = await open_counter(app, pilot)
        append_log(cluster, "default", "counter", None, "\x1b[31mred\x1b[0m and [bold]not markup[/bold]\x1b]0;title\x07")
        await settle(app, pilot)
        assert rows(scr)[-1] == "red and [bold]not markup[/bold]"
        assert scr._line(len(rows(scr)) - 1).plain == "red and [bold]not markup[/bold]"
    run(s)


def test_copy_and_save(tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "k9py"))  # ctrl-s: tmp_path/k9py/screens

    async def s(app, pilot, cluster):
        scr = await open_counter(app, pilot)
        await pilot.press("c")
        assert app.clipboard == scr.buffer.text() and app.clipboard.startswith("0: ")
        assert "copied to clipboard" in flash(app)
        append_log(cluster, "default", "counter", None, "y" * 3000)  # long: truncated on screen only
        await settle(app, pilot)
        assert len(rows(scr)[-1]) == 1000
        await pilot.press("ctrl+s")
        path = scr.saved_path
        assert str(path) in flash(app) and str(path).startswith(str(tmp_path / "k9py" / "screens"))
        # k9s's saveData: the pod's namespace-name and the time in nanoseconds (not Logs_default_counter_-2026...)
        assert path.name == f"default-counter-{int(app.session.now() * 1_000_000_000)}.log", path.name
        saved = path.read_text()
        assert saved.splitlines()[0].startswith("0: ") and saved.splitlines()[-1] == "y" * 3000
    run(s)


def test_copy_and_save_take_the_filtered_lines(tmp_path, monkeypatch):
    """k9s's c and ctrl-s take what the view shows: with `/^1[0-3]:` only those lines (it copied
    and saved the whole log, the filter ignored)."""
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "k9py"))

    async def s(app, pilot, cluster):
        scr = await open_counter(app, pilot)
        await pilot.press("slash", *"^1[0-3]:", "enter")
        await settle(app, pilot)
        await pilot.press("c")
        assert [ln.split(":")[0] for ln in app.clipboard.splitlines()] == ["10", "11", "12", "13"]
        await pilot.press("ctrl+s")
        assert [ln.split(":")[0] for ln in scr.saved_path.read_text().splitlines()] == ["10", "11", "12", "13"]
        await pilot.press("escape")  # no filter: the whole log again
        await settle(app, pilot)
        await pilot.press("c")
        assert app.clipboard == scr.buffer.text() and len(app.clipboard.splitlines()) > 4
    run(s)


def test_previous_logs_of_a_restarted_container():
    c = sim_cluster()
    c.create(pod_manifest("crasher", "busybox:1.36", command=["/bin/sh", "-c", COUNTER_SCRIPT],
                          annotations={"k9py.sim/crash-after": "20"}))
    c.advance(30)

    async def s(app, pilot, cluster):
        await goto(app, pilot, "crasher")
        await pilot.press("p")
        await settle(app, pilot)
        scr = app.screen
        assert isinstance(scr, LogScreen) and scr.previous and scr.title_text == "Previous logs(default/crasher:crasher)"
        assert rows(scr)[0].startswith("0: ") and 15 <= len(rows(scr)) <= 21
        assert "Since:previous" in scr.status_text()
        await pilot.press("escape")
        await goto(app, pilot, "counter")
        await pilot.press("p")
        await settle(app, pilot)
        assert rows(app.screen) == [] and "previous terminated container" in flash(app)
    run(s, cluster=c)


@pytest.mark.parametrize("size", [(160, 45), (80, 24)], ids=["160x45", "80x24"])
def test_log_view_snapshot(snap_compare, size):
    """The key menu on top (all of it at 80 columns too), the toggles' status, the lines."""
    from k9py.backends.sim import SimBackend
    from k9py.ui.app import K9pyApp

    async def before(pilot):
        app = pilot.app
        await settle(app, pilot)
        await goto(app, pilot, "counter")
        await pilot.press("l")
        await settle(app, pilot)
        await settle(app, pilot, 2)

    assert snap_compare(K9pyApp(SimBackend(sim_cluster()), manual=True), terminal_size=size, run_before=before)


def test_logs_from_the_containers_view():
    async def s(app, pilot, cluster):
        await goto(app, pilot, "web")
        await pilot.press("enter")  # the pod's containers
        await settle(app, pilot)
        assert app.title_text().startswith("containers(default/web)")
        await goto(app, pilot, "web/sidecar")
        await pilot.press("enter")  # k9s: enter on a container shows its logs
        await settle(app, pilot)
        scr = app.screen
        assert isinstance(scr, LogScreen) and scr.title_text == "Logs(default/web:sidecar)"
        assert rows(scr)[0].startswith("0: ")
        await pilot.press("escape")
        await pilot.press("l")
        await settle(app, pilot)
        assert app.screen.title_text == "Logs(default/web:sidecar)"
    run(s)


def _nginx_pods(cluster, prefix="nginx-deployment-"):
    return sorted(p["metadata"]["name"] for p in cluster.store.list("Pod", "default")
                  if p["metadata"]["name"].startswith(prefix) and not p["metadata"].get("deletionTimestamp"))


async def _open_deployment_logs(app, pilot):
    await command(app, pilot, "deploy")
    await pilot.press("l")
    await settle(app, pilot)
    scr = app.screen
    assert isinstance(scr, LogScreen) and scr.title_text == "Logs(default/nginx-deployment)"
    return scr


def test_workload_logs_follow_a_replacement_pod_like_stern():
    async def s(app, pilot, cluster):
        old = _nginx_pods(cluster)
        scr = await _open_deployment_logs(app, pilot)
        assert scr.tracking and scr.streaming == 2
        victim, keeper = old
        await app.backend.delete("Pod", "default", victim)
        await settle(app, pilot)
        [new] = [p for p in _nginx_pods(cluster) if p not in old]  # the ReplicaSet's replacement
        for _ in range(6):  # scheduled, pulled, started: the view picks it up once it runs
            await settle(app, pilot, 5)
        append_log(cluster, "default", new, None, "hello from the replacement")
        await settle(app, pilot, 1)
        assert rows(scr)[-1] == f"{new} nginx hello from the replacement"
        assert [src.pod for src in scr.sources] == [*old, new]
        # the deleted pod's stream ended; the other old pod and the new one still stream
        assert {t.source.pod for t in scr._tails.values() if t.alive} == {keeper, new}
        assert scr.streaming == 2 and "streaming" in scr.status_text()
        append_log(cluster, "default", keeper, None, "still here")
        await settle(app, pilot, 1)
        assert rows(scr)[-1] == f"{keeper} nginx still here"
        # a time window restarts on the pods selected now: the deleted one is gone
        await pilot.press("1")
        await settle(app, pilot)
        assert [src.pod for src in scr.sources] == sorted([keeper, new])
        assert not any(r.startswith(f"{victim} ") for r in rows(scr))
        await pilot.press("escape")
        await settle(app, pilot)
        assert scr._tasks == [] and scr._pods_sub is None
    run(s)


def test_workload_logs_pick_up_scaled_up_pods_only_once_running():
    async def s(app, pilot, cluster):
        scr = await _open_deployment_logs(app, pilot)
        before = list(scr.sources)
        await app.backend.scale("Deployment", "default", "nginx-deployment", 3)
        await settle(app, pilot)
        [new] = [p for p in _nginx_pods(cluster) if p not in {s.pod for s in before}]
        pod = cluster.store.get("Pod", "default", new)
        assert pod["status"]["containerStatuses"][0]["state"] == {"waiting": {"reason": "ContainerCreating"}}
        assert new not in {src.pod for src in scr.sources}  # waiting to start: nothing to read yet
        assert "waiting to start" not in flash(app)
        for _ in range(6):
            await settle(app, pilot, 5)
        assert [src.pod for src in scr.sources].count(new) == 1
        append_log(cluster, "default", new, None, "the third pod")
        await settle(app, pilot, 1)
        assert rows(scr)[-1] == f"{new} nginx the third pod"
    run(s)


def test_initial_lines_of_several_pods_are_merged_in_time_order():
    c = sim_cluster()
    dep = deep_copy(c.store.get("Deployment", "default", "nginx-deployment"))
    dep["spec"]["replicas"] = 3
    c.replace(dep)
    c.advance(60)
    pods = _nginx_pods(c)
    assert len(pods) == 3
    for i in range(9):  # interleaved: pod 0, 1, 2, 0, 1, 2, ... a second apart
        append_log(c, "default", pods[i % 3], None, f"line {i}")
        c.advance(1)

    async def s(app, pilot, cluster):
        scr = await _open_deployment_logs(app, pilot)
        assert [s.pod for s in scr.sources] == pods
        lines = list(scr.buffer)
        stamps = [parse_time(ln.ts) for ln in lines]
        assert all(stamps) and stamps == sorted(stamps)
        ours = [(ln.prefix, ln.text) for ln in lines if ln.text.startswith("line ")]
        assert ours == [(f"{pods[i % 3]} nginx", f"line {i}") for i in range(9)]
        # every pod's own lines are all there, in their own order
        for p in pods:
            mine = [ln.text for ln in lines if ln.prefix == f"{p} nginx"]
            direct = []
            async for raw in app.backend.logs("default", p, "nginx", tail_lines=100):
                direct.append(raw)
            assert mine == direct
    run(s, cluster=c)


def test_statefulset_logs_follow_a_restart_and_a_same_name_replacement():
    c = sim_cluster()
    labels = {"app": "db"}
    c.create({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "default"},
              "spec": {"replicas": 1, "serviceName": "db", "selector": {"matchLabels": labels},
                       "template": {"metadata": {"labels": labels, "annotations": {"k9py.sim/crash-after": "20"}},
                                    "spec": {"containers": [{"name": "counter", "image": "busybox:1.36",
                                                             "command": ["/bin/sh", "-c", COUNTER_SCRIPT]}]}}}})
    c.advance(10)

    async def s(app, pilot, cluster):
        await command(app, pilot, "sts")
        await goto(app, pilot, "db")
        await pilot.press("l")
        await settle(app, pilot)
        scr = app.screen
        assert isinstance(scr, LogScreen) and [src.prefix for src in scr.sources] == ["db-0 counter"]
        uid = cluster.store.get("Pod", "default", "db-0")["metadata"]["uid"]
        for _ in range(30):  # crashes after 20 s; the kubelet restarts it at once (runs 20 s more)
            await settle(app, pilot, 1)
        pod = cluster.store.get("Pod", "default", "db-0")
        assert pod["status"]["containerStatuses"][0]["restartCount"] >= 1
        counts = [r.split(" ", 2)[2].split(":")[0] for r in rows(scr)]
        # the first instance's lines, then the restarted instance's from its first line (0:)
        restart_at = counts.index("0", 1)
        assert counts[:restart_at] == [str(i) for i in range(restart_at)]
        assert counts[restart_at:] == [str(i) for i in range(len(counts) - restart_at)]
        assert scr.streaming == 1  # one stream per container instance, never two
        # deleted: the StatefulSet recreates db-0 with the same name, a new uid
        seen = len(rows(scr))
        await app.backend.delete("Pod", "default", "db-0", grace_period=0)
        for _ in range(6):
            await settle(app, pilot, 5)
        new = cluster.store.get("Pod", "default", "db-0")
        assert new["metadata"]["uid"] != uid
        append_log(cluster, "default", "db-0", None, "the new db-0")
        await settle(app, pilot, 1)
        fresh = rows(scr)[seen:]
        assert fresh[0].startswith("db-0 counter 0: ") and "db-0 counter the new db-0" in fresh
        assert scr.streaming == 1 and scr._tails[(new["metadata"]["uid"], "counter")].alive
    run(s, cluster=c)


def test_a_pod_relabelled_out_of_the_workload_is_no_longer_followed():
    async def s(app, pilot, cluster):
        scr = await _open_deployment_logs(app, pilot)
        pod, other = _nginx_pods(cluster)
        obj = cluster.store.get("Pod", "default", pod)
        obj = {**obj, "metadata": {**obj["metadata"], "labels": {"app": "debugging"}}}
        await app.backend.replace(obj)  # kubectl label pod … app=debugging --overwrite
        await settle(app, pilot)
        assert {t.source.pod for t in scr._tails.values() if t.alive} == {other}  # + the replacement once it runs
        append_log(cluster, "default", pod, None, "not selected any more")
        await settle(app, pilot, 1)
        assert not any("not selected any more" in r for r in rows(scr))
    run(s)


def test_the_newest_line_stays_in_sight_when_a_wide_line_brings_the_horizontal_scrollbar():
    """A line wider than the view brings the horizontal scroll bar, a row less for lines:
    autoscroll keeps the newest line above it (it was hidden under the bar until the next line)."""
    async def s(app, pilot, cluster):
        await settle(app, pilot, 60)  # more lines than the view has rows
        append_log(cluster, "default", "counter", None, "wide " + "x" * 300)
        scr = await open_counter(app, pilot)  # the first lines, the wide one last
        body = scr.body
        assert body.show_horizontal_scrollbar and rows(scr)[-1].startswith("wide ")
        assert body.at_bottom()  # the last line is in the view, above the scroll bar
        assert painted(scr)[body.count - 1 - body.top].startswith("wide ")
    run(s)


@pytest.mark.parametrize("key,title", [("l", "Logs(default/web:sidecar)"), ("p", "Previous logs(default/web:sidecar)")])
def test_the_default_container_annotation_picks_the_logs_container(key, title):
    """k9s and kubectl logs: a pod naming its default container (kubectl.kubernetes.io/default-container,
    as istio's injected pods do) shows that container's logs at once, no picker."""
    cluster = sim_cluster()
    web = cluster.store.get("Pod", "default", "web")
    web["metadata"].setdefault("annotations", {})["kubectl.kubernetes.io/default-container"] = "sidecar"
    cluster.store.update(web)

    async def s(app, pilot, cluster):
        await goto(app, pilot, "web")
        await pilot.press(key)
        await settle(app, pilot)
        scr = app.screen
        assert isinstance(scr, LogScreen) and scr.title_text == title
        assert [src.container for src in scr.sources] == ["sidecar"]
    run(s, cluster)


def test_shift_c_clears_and_m_marks_as_k9s():
    """k9s's log keys: shift-c empties the view (the stream goes on), m draws a dashed line."""
    async def s(app, pilot, cluster):
        scr = await open_counter(app, pilot)
        assert len(rows(scr)) > 20
        await pilot.press("C")
        await settle(app, pilot)
        assert rows(scr) == [] and "0 buffered" in scr.status_text()
        await settle(app, pilot, 2)  # the counter goes on printing
        last = int(cluster.now() - counter_start(cluster)) - 1  # the line printed last
        assert [r.split(":")[0] for r in rows(scr)] == [str(last - 1), str(last)]
        await pilot.press("m")
        await settle(app, pilot)
        assert set(rows(scr)[-1]) == {"-"} and len(rows(scr)[-1]) >= 20
        await settle(app, pilot, 1)
        assert rows(scr)[-2].startswith("---") and not rows(scr)[-1].startswith("-")
        assert "Autoscroll:On" in scr.status_text()
    run(s)


def test_a_log_view_whose_widgets_went_before_its_mount_is_handled_does_nothing():
    """The app quitting right after `l` (keys typed ahead on a loaded machine): the screen's Mount
    came after its widgets were gone, and the query for its body ended the run in a traceback."""
    async def s(app, pilot, cluster):
        scr = await open_counter(app, pilot)
        await scr.query_one("#viewer-box").remove()
        scr.on_mount()  # as when its Mount is handled that late: no error
        assert scr.torn_down
    run(s)


def test_a_saved_logs_file_is_named_after_the_logged_object_as_in_k9s():
    """k9s's saveData names the file after the object the logs were opened on (its path with `/`
    and `:` made `-`): a workload's logs after the workload, whatever pods they follow."""
    web = {"kind": "Deployment", "metadata": {"name": "web", "namespace": "default"}}
    assert LogScreen("Logs(default/web)", [], workload=web, spill=False).save_stem() == "default-web"
    pod = LogScreen("Logs(ctx:kube-system/coredns-1:coredns)", [LogSource("kube-system", "coredns-1", "coredns")],
                    spill=False)
    assert pod.save_stem() == "kube-system-coredns-1"
