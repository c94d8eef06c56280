import random

from k9py.kube.meta import deep_copy
from k9py.kube.timefmt import rfc3339
from k9py.view.custom_columns import ColumnSpec, ViewColumns
from k9py.view.kinds import BY_NAME
from k9py.view.rows import Row, RowModel, expand_containers, pod_cells
from tests.samples import add_pods, small_cluster


def objects(cluster, kind, ns=None):
    return {(o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for o in cluster.store.list(kind, ns)}


def model(cluster, view="pods", ns="default", **kw):
    m = RowModel(BY_NAME[view], all_namespaces=not ns, **kw)
    m.now = cluster.now()
    m.load(objects(cluster, BY_NAME[view].kind, ns or None))
    return m


def names(m):
    return [m.row_at(i).key[1] for i in range(len(m))]


def test_pod_columns_are_kubectls_in_k9s_layout():
    """Without metrics: kubectl's cells, plus k9s's PF, IP and NODE (no usage columns)."""
    c = small_cluster()
    m = model(c)
    assert [col.name for col in m.columns] == ["NAME", "PF", "READY", "STATUS", "RESTARTS", "IP", "NODE", "AGE"]
    assert names(m) == ["counter", "crashy", "nginx-deployment-77d8468669-2xq7v",
                        "nginx-deployment-77d8468669-9lwhk", "nginx-deployment-77d8468669-kc4gz"]
    assert m.cells(m.row_at(1)) == ("crashy", "●", "0/1", "CrashLoopBackOff", "4", "10.244.2.8", "minikube-m02", "4m")
    m.set_wide(True)
    # k9s's wide layout (internal/render/pod.go), its usage columns grouped by resource
    assert [col.name for col in m.columns] == ["NAME", "PF", "READY", "STATUS", "RESTARTS", "LAST RESTART", "CPU/RL",
                                               "MEM/RL", "GPU/RL", "IP", "NODE", "SERVICE-ACCOUNT", "NOMINATED NODE",
                                               "READINESS GATES", "QOS", "LABELS", "VALID", "AGE"]
    assert m.cells(m.row_at(0))[5:] == ("<unknown>", "0:0", "0:0", "0:0", "10.244.2.7", "minikube-m02", "n/a",
                                        "<none>", "<none>", "BE", "run=counter", "", "5m")  # k9s's LABELS: key=value, by key
    # a restarted, unready pod: when it last restarted, and k9s's VALID says why it is unhealthy
    assert m.cells(m.row_at(1))[-2] == "container ready check failed: 0 of 1"
    restarted = deep_copy(c.store.get("Pod", "default", "counter"))
    restarted["status"]["containerStatuses"][0]["lastState"] = {"terminated": {
        "exitCode": 1, "finishedAt": rfc3339(c.now() - 125)}}
    assert pod_cells(restarted, c.now())[5] == "2m5s"
    pod = deep_copy(c.store.get("Pod", "default", "counter"))
    pod["metadata"]["labels"] = {"tier": "web", "app": "shop"}
    assert pod_cells(pod, c.now())[-3] == "app=shop,tier=web"
    pod["metadata"].pop("labels")
    assert pod_cells(pod, c.now())[-3] == ""
    pod["spec"]["containers"][0]["resources"] = {"limits": {"nvidia.com/gpu": "2"}}
    assert pod_cells(pod, c.now())[14] == "2:2"  # GPU/RL: the limit is the request too
    pod["spec"]["serviceAccountName"] = "builder"
    assert pod_cells(pod, c.now())[17] == "builder"


def _pod_with_resources(c, name, requests, limits, annotations=None):
    pod = deep_copy(c.store.get("Pod", "default", "counter"))
    pod["metadata"] = {"name": name, "namespace": "default", "annotations": annotations or {},
                       "creationTimestamp": pod["metadata"]["creationTimestamp"]}
    pod["spec"]["containers"][0]["resources"] = {"requests": requests, "limits": limits}
    pod["spec"]["initContainers"] = [{"name": "sidecar", "image": "busybox", "restartPolicy": "Always",
                                      "resources": {"requests": {"cpu": "100m", "memory": "16Mi"}}},
                                     {"name": "init", "image": "busybox",  # a plain init container: not counted
                                      "resources": {"requests": {"cpu": "2", "memory": "1Gi"}}}]
    return c.store.create(pod)


def test_usage_columns_with_metrics_are_k9s():
    """k9s's CPU (m), MEM (Mi) and % of requests / limits (floor; n/a without them)."""
    c = small_cluster()
    _pod_with_resources(c, "sized", {"cpu": "400m", "memory": "64Mi"}, {"cpu": "1", "memory": "128Mi"})
    m = model(c)
    m.set_metrics({("default", "sized"): (250, 48 * 1024 * 1024), ("default", "counter"): (3, 5 * 1024 * 1024 + 7)})
    assert [col.name for col in m.columns] == ["NAME", "PF", "READY", "STATUS", "RESTARTS", "CPU", "%CPU/R", "%CPU/L",
                                               "MEM", "%MEM/R", "%MEM/L", "IP", "NODE", "AGE"]
    sized = m.cells(m.rows[("default", "sized")])
    # requests: 400m + 100m sidecar = 500m, 64Mi + 16Mi = 80Mi; limits: 1 CPU, 128Mi (sidecar has none)
    assert sized[5:11] == ("250", "50", "25", "48", "60", "37")
    assert m.cells(m.rows[("default", "counter")])[5:11] == ("3", "n/a", "n/a", "5", "n/a", "n/a")
    crashy = m.cells(m.rows[("default", "crashy")])
    assert (crashy[5], crashy[8]) == ("0", "0")  # no metrics for it
    m.set_wide(True)
    wide = m.cells(m.rows[("default", "sized")])
    assert (wide[7], wide[11]) == ("500:1000", "80:128")
    # sorting by a usage column, and re-sorting when fresh figures arrive
    m.set_sort("CPU", ascending=False)
    assert names(m)[:2] == ["sized", "counter"]
    m.set_metrics({("default", "sized"): (1, 0), ("default", "counter"): (9, 0)})
    assert names(m)[:2] == ["counter", "sized"]
    m.set_metrics(None)  # metrics went away: usage columns hidden
    assert "CPU" not in [col.name for col in m.columns]


def test_limits_default_requests_like_the_apiserver():
    c = small_cluster()
    _pod_with_resources(c, "limited", {}, {"cpu": "200m", "memory": "100Mi"})
    m = model(c)
    m.set_metrics({("default", "limited"): (50, 50 * 1024 * 1024)})
    # requests = limits (+ the sidecar's 100m / 16Mi)
    assert m.cells(m.rows[("default", "limited")])[6:11] == ("16", "25", "50", "43", "50")


def test_all_namespaces_adds_a_namespace_column_and_sorts_by_it():
    c = small_cluster()
    m = model(c, ns="")
    assert m.columns[0].name == "NAMESPACE" and m.sort_col == "NAMESPACE"
    assert [m.row_at(i).key for i in range(len(m))][-2:] == [("kube-system", "coredns-6f6b679f8f-x7zk2"),
                                                            ("kube-system", "etcd-minikube")]
    assert m.cells(m.row_at(0))[0] == "default"
    nodes = model(c, "nodes", ns="")
    assert nodes.columns[0].name == "NAME"  # cluster-scoped: no NAMESPACE column


def test_sorting_k9s_style_and_inverting():
    c = small_cluster()
    m = model(c, ns="")
    m.set_sort("NAME")
    assert names(m)[0] == "coredns-6f6b679f8f-x7zk2"
    m.set_sort("NAME")  # again: inverted
    assert names(m)[0] == "nginx-deployment-77d8468669-kc4gz" and not m.sort_asc
    m.set_sort("AGE")  # youngest first
    assert names(m)[:2] == ["crashy", "counter"]
    m.set_sort("STATUS")
    assert names(m)[0] == "crashy"  # CrashLoopBackOff < Running
    m.set_sort("RESTARTS", ascending=False)
    assert names(m)[0] == "crashy"
    m.set_sort("READY")
    assert names(m)[0] == "crashy"  # 0/1 first


def test_names_and_text_cells_sort_naturally_as_k9s_does():
    """k9s sorts text by sortorder.NaturalLess: a StatefulSet's web-2 before web-10, a pod on
    10.244.1.9 before one on 10.244.1.10 (they sorted as plain strings: web-10 came between
    web-1 and web-2)."""
    c = small_cluster()
    template = c.store.get("Pod", "default", "counter")
    objs = {}
    for i in (0, 1, 2, 9, 10, 11):
        pod = deep_copy(template)
        pod["metadata"]["name"] = f"web-{i}"
        pod["status"]["podIP"] = f"10.244.1.{12 - i}"
        objs[("default", f"web-{i}")] = pod
    m = RowModel(BY_NAME["pods"], all_namespaces=False)
    m.now = c.now()
    m.load(objs)
    assert m.sort_col == "NAME" and names(m) == ["web-0", "web-1", "web-2", "web-9", "web-10", "web-11"]
    m.set_sort("NAME")  # inverted
    assert names(m) == ["web-11", "web-10", "web-9", "web-2", "web-1", "web-0"]
    m.set_sort("IP", ascending=True)
    assert names(m) == ["web-11", "web-10", "web-9", "web-2", "web-1", "web-0"]  # 10.244.1.1 … 10.244.1.12
    all_ns = RowModel(BY_NAME["pods"], all_namespaces=True)
    all_ns.now = c.now()
    all_ns.load(objs)
    assert all_ns.sort_col == "NAMESPACE" and names(all_ns) == ["web-0", "web-1", "web-2", "web-9", "web-10", "web-11"]


def test_filters():
    c = small_cluster()
    m = model(c, ns="")
    m.set_filter("NGINX")
    assert len(m) == 3 and m.total == 7
    m.set_filter("!nginx")
    assert names(m) == ["counter", "crashy", "coredns-6f6b679f8f-x7zk2", "etcd-minikube"]
    m.set_filter("-l run=counter")
    assert names(m) == ["counter"]
    m.set_filter("-f cdns")
    assert names(m) == ["coredns-6f6b679f8f-x7zk2"]
    m.set_filter("kube-system")  # the NAMESPACE cell is part of the row
    assert len(m) == 2
    m.set_filter("crashloop")
    assert names(m) == ["crashy"]
    m.set_filter("")
    assert len(m) == 7


def test_updates_keep_order_and_cursor_identity():
    c = small_cluster()
    m = model(c)
    cursor = ("default", "nginx-deployment-77d8468669-9lwhk")
    assert m.index_of(cursor) == 3
    src = objects(c, "Pod", "default")
    new = deep_copy(src[("default", "counter")])
    new["metadata"]["name"] = "aaa-first"
    src[("default", "aaa-first")] = new
    del src[("default", "crashy")]
    changed = deep_copy(src[("default", "counter")])
    changed["status"]["containerStatuses"][0]["restartCount"] = 7
    src[("default", "counter")] = changed
    m.apply(added=[("default", "aaa-first")], changed=[("default", "counter")], removed=[("default", "crashy")],
            get=src.get)
    assert names(m)[:2] == ["aaa-first", "counter"] and "crashy" not in names(m)
    assert m.index_of(cursor) == 3 and m.row_at(3).key == cursor
    assert m.row_at(0).delta == "add" and m.row_at(1).delta == "mod"
    assert m.cells(m.row_at(1))[4] == "7"
    assert m.index_of(("default", "crashy")) is None
    m.clear_deltas()
    assert m.row_at(0).delta == ""


def test_updates_respect_the_filter_and_predicate():
    c = small_cluster()
    m = RowModel(BY_NAME["pods"], predicate=lambda o: o["metadata"]["labels"].get("app") == "nginx")
    m.now = c.now()
    src = objects(c, "Pod", "default")
    m.load(src)
    assert len(m) == 3
    m.set_filter("kc4gz")
    assert len(m) == 1
    relabeled = deep_copy(src[("default", "nginx-deployment-77d8468669-kc4gz")])
    relabeled["metadata"]["labels"]["app"] = "other"
    src[relabeled["metadata"]["namespace"], relabeled["metadata"]["name"]] = relabeled
    m.apply([], [("default", "nginx-deployment-77d8468669-kc4gz")], [], src.get)
    assert len(m) == 0 and m.total == 2


def test_row_styles():
    c = small_cluster()
    m = model(c)
    styles = {m.row_at(i).key[1]: m.style(m.row_at(i)) for i in range(len(m))}
    assert styles["crashy"] == "err" and styles["counter"] == ""
    c.store.mutate("Pod", "default", "counter", lambda p: p["metadata"].update(deletionTimestamp="2026-11-01T09:00:30Z"))
    src = objects(c, "Pod", "default")
    m.apply([], [("default", "counter")], [], src.get)
    assert m.style(m.row_at(m.index_of(("default", "counter")))) == "del"


def test_containers_view_expands_a_pod():
    c = small_cluster()
    m = RowModel(BY_NAME["containers"], expand=expand_containers, predicate=lambda o: o["metadata"]["name"] == "crashy")
    m.now = c.now()
    m.load(objects(c, "Pod", "default"))
    # k9s's container columns (internal/render/container.go): IDX first, M1 a main container
    assert [col.name for col in m.columns] == ["IDX", "NAME", "PF", "IMAGE", "READY", "STATE", "RESTARTS",
                                               "PROBES(L:R:S)", "CPU/RL", "MEM/RL", "GPU/RL", "PORTS", "AGE"]
    assert m.cells(m.row_at(0)) == ("M1", "busybox", "●", "busybox:1.28", "false", "CrashLoopBackOff", "4", "off:off:off",
                                    "0:0", "0:0", "0:0", "", "4m")
    src = objects(c, "Pod", "default")
    m.apply([], [], [("default", "crashy")], src.get)
    assert len(m) == 0


def test_random_updates_match_a_full_reload():
    """The incremental model always equals one rebuilt from scratch (sorted by status, filtered)."""
    c = small_cluster()
    add_pods(c, 300, namespaces=3)
    rng = random.Random(7)
    src = objects(c, "Pod")
    m = RowModel(BY_NAME["pods"], all_namespaces=True)
    m.now = c.now()
    m.load(src)
    m.set_sort("RESTARTS")
    m.set_filter("load-0[01]")
    keys = list(src)
    for _step in range(200):
        k = rng.choice(keys)
        op = rng.random()
        if op < 0.3 and k in src:
            del src[k]
            m.apply([], [], [k], src.get)
        elif op < 0.6 and k not in src:
            src[k] = c.store.get("Pod", *k) or next(iter(src.values()))
            m.apply([k], [], [], src.get)
        elif k in src:
            o = deep_copy(src[k])
            o.setdefault("status", {}).setdefault("containerStatuses", [{}])[0]["restartCount"] = rng.randint(0, 9)
            src[k] = o
            m.apply([], [k], [], src.get)
    fresh = RowModel(BY_NAME["pods"], all_namespaces=True)
    fresh.now = c.now()
    fresh.load(src)
    fresh.set_sort("RESTARTS")
    fresh.set_filter("load-0[01]")
    assert m.visible_keys() == fresh.visible_keys()


def test_a_replaced_model_dies_by_reference_counting():
    """gcpause.loaded freezes the heap after a big load: a model left behind in a reference cycle
    would never be freed. Every kind's model must go when its last reference does."""
    import gc
    import weakref

    from k9py.view import kinds
    from k9py.view.server_rows import ServerTableModel

    gc.disable()
    try:
        for name in ("pods", "containers", "nodes", "deployments"):
            view = kinds.lookup(name)
            model = RowModel(view, expand=expand_containers) if name == "containers" else RowModel(view)
            model.cells(Row(("default", "x"), {"kind": view.kind, "metadata": {"name": "x"}}))
            ref = weakref.ref(model)
            del model
            assert ref() is None, name
        server = ServerTableModel(kinds.lookup("pods"))
        server.set_table({"columnDefinitions": [{"name": "Name", "type": "string"}], "rows": []})
        ref = weakref.ref(server)
        del server
        assert ref() is None
    finally:
        gc.enable()


def test_a_big_view_loaded_in_the_app_is_frozen_while_the_collector_is_paused(freezes, monkeypatch):
    """200,000 events' rows: frozen as the load ends, not walked by the next young collection."""
    import gc

    from k9py.kube import gcpause
    events = {("ns", f"ev-{i}"): {"kind": "Event", "metadata": {"name": f"ev-{i}", "namespace": "ns"},
                                  "lastTimestamp": "2026-01-01T00:00:00Z"} for i in range(gcpause.BIG_LOAD)}
    m = RowModel(BY_NAME["events"], all_namespaces=True)
    m.load(events)
    assert freezes == []  # not in the app
    monkeypatch.setattr(gcpause, "_interactive", True)  # what the app's gcpause.interactive() turns on
    seen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: seen.append(gc.isenabled()))
    m.load(events)
    assert seen == [False] and len(m) == gcpause.BIG_LOAD


def test_a_sort_reading_cells_computed_earlier_orders_rows_as_fresh_cells_do():
    """A sort reads the cells a row had (painted, primed) for columns that depend on the object
    alone; the clock an hour on and new usage figures must not make it order rows otherwise than
    cells computed now do, for every column of every view here (ages, durations, a crash loop's
    "N (5m ago)" restarts, a running job's duration, usage)."""
    from tests.sim.helpers import pod_manifest
    from tests.ui.simcluster import sim_cluster
    c = sim_cluster()
    for i in range(3):
        c.create(pod_manifest(f"crashy-{i}", "busybox:1.36", command=["/bin/sh", "-c", f"sleep {i}; exit 1"]))
    c.advance(900)  # the cronjob's jobs, restarts

    def job(name, seconds):
        c.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": "default"},
                  "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                      {"name": "work", "image": "busybox:1.36", "command": ["/bin/sh", "-c", f"sleep {seconds}"]}]}}}})
    job("medium", 45)
    c.advance(60)
    job("long", 100000)
    c.advance(30)  # still running: its DURATION grows past the finished ones' with the clock
    rng = random.Random(5)
    later = c.now() + 3600

    def model_of(view, objs, kw, usage, now, primed):
        m = RowModel(BY_NAME[view], all_namespaces=view != "containers", **kw)
        m.now = now
        if usage is not None:
            m.set_metrics(usage)
        m.load(objs)
        if primed:
            m.prime(budget=10**6)  # every row's cells, as painting and idle priming leave them
        return m
    checked = 0
    for view in ("pods", "containers", "nodes", "deployments", "jobs", "cronjobs", "events", "services"):
        if view == "containers":
            objs, kw = objects(c, "Pod", None), {"expand": expand_containers}
            keys = [(ns, f"{p}/{ct['name']}") for (ns, p), o in objs.items() for ct in o["spec"]["containers"]]
        else:
            objs, kw = objects(c, BY_NAME[view].kind, None), {}
            keys = list(objs)
        metered = view in ("pods", "containers", "nodes")
        before = {k: (rng.randrange(0, 400, 50), rng.randrange(0, 2**30, 2**24)) for k in keys} if metered else None
        after = {k: (rng.randrange(0, 400, 50), rng.randrange(0, 2**30, 2**24)) for k in keys} if metered else None
        for col in model_of(view, objs, kw, before, c.now(), False).columns:
            old = model_of(view, objs, kw, before, c.now(), True)
            old.now = later
            if after is not None:
                old.set_metrics(after)
            old.set_sort(col.name, True)
            fresh = model_of(view, objs, kw, after, later, False)
            fresh.set_sort(col.name, True)
            assert old.visible_keys() == fresh.visible_keys(), (view, col.name)
            checked += 1
    assert checked > 60


def test_a_column_views_yaml_leaves_out_still_sorts():
    """views.yaml: pods [NAME, AGE], sortColumn RESTARTS:desc (k9s sorts on any column of the
    resource): the rows kept their name order, as if the sort named nothing."""
    c = small_cluster()
    m = RowModel(BY_NAME["pods"])
    m.now = c.now()
    m.set_custom(ViewColumns((ColumnSpec("NAME"), ColumnSpec("AGE"))))
    m.load({(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in c.store.list("Pod", "default")})
    m.set_sort("RESTARTS", False)
    assert [c.name for c in m.columns] == ["NAME", "AGE"]
    assert m.row_at(0).key[1] == "crashy"
    m.set_sort("STATUS", True)
    assert m.row_at(0).key[1] == "crashy"  # CrashLoopBackOff before Running
    m.set_sort("STATUS", False)
    assert m.row_at(len(m) - 1).key[1] == "crashy"


def test_a_pod_being_deleted_is_terminating_in_the_explorer_whatever_its_phase():
    """kubectl prints a deleted pod whose containers ended as Completed / Error (its terminal
    phase, kubelet 1.27+); k9s's PodStatus shows Terminating while deletionTimestamp is set, and a
    red Error row for a pod on its way out counted as a fault."""
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "web", "namespace": "default", "creationTimestamp": "2026-01-01T00:00:00Z",
                        "deletionTimestamp": "2026-01-01T00:01:00Z"},
           "spec": {"containers": [{"name": "app", "image": "nginx"}]},
           "status": {"phase": "Failed", "containerStatuses": [
               {"name": "app", "ready": False, "restartCount": 0,
                "state": {"terminated": {"exitCode": 137, "reason": "Error"}}}]}}
    from k9py.view.printers_pod import pod_status_reason
    assert pod_status_reason(pod) == "Error"  # kubectl's
    assert pod_cells(pod, 100.0)[3] == "Terminating"  # k9s's


def test_containers_are_indexed_init_main_ephemeral_as_k9s_does():
    """k9s's IDX (I1, M1, E1), sorted on by default; PROBES(L:R:S) on/off; PORTS name:port with
    the protocol only when it is not TCP; VALID says why a container is unhealthy."""
    c = small_cluster()
    pod = deep_copy(c.store.get("Pod", "default", "counter"))
    spec = pod["spec"]
    spec["initContainers"] = [{"name": "setup", "image": "busybox"}]
    spec["containers"][0]["livenessProbe"] = {"exec": {"command": ["true"]}}
    spec["containers"][0]["ports"] = [{"name": "http", "containerPort": 80, "protocol": "TCP"},
                                      {"containerPort": 53, "protocol": "UDP"}]
    spec["ephemeralContainers"] = [{"name": "debugger", "image": "busybox", "targetContainerName": "busybox"}]
    pod["status"]["initContainerStatuses"] = [{"name": "setup", "ready": True, "restartCount": 0,
                                               "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]
    pod["status"]["ephemeralContainerStatuses"] = [{"name": "debugger", "ready": False, "restartCount": 0,
                                                    "state": {"running": {"startedAt": "2026-11-01T09:00:00Z"}}}]
    m = RowModel(BY_NAME["containers"], expand=expand_containers)
    m.now = c.now()
    m.load({("default", "counter"): pod})
    assert m.sort_col == "IDX"
    rows = [m.cells(m.row_at(i)) for i in range(len(m))]
    assert [(r[0], r[1], r[5]) for r in rows] == [("E1", "debugger", "Running"), ("I1", "setup", "Completed"),
                                                 ("M1", "busybox", "Running")]
    main = rows[2]
    assert main[7] == "on:off:off" and main[-2] == "http:80,53╱UDP"
    m.set_wide(True)
    valid = {m.cells(m.row_at(i))[1]: m.cells(m.row_at(i))[-2] for i in range(len(m))}
    assert valid == {"debugger": "container is not ready", "setup": "", "busybox": ""}


def test_last_restart_sorts_by_time_the_latest_first():
    """LAST RESTART (wide) sorts as a time, as k9s's does: the latest restart first, pods that
    never restarted last (its text, "2m5s" or "45s", sorted as text put 2m5s first)."""
    c = small_cluster()
    template = c.store.get("Pod", "default", "counter")
    objs = {}
    for name, ago in (("old", 125), ("never", None), ("recent", 45)):
        pod = deep_copy(template)
        pod["metadata"]["name"] = name
        if ago is not None:
            pod["status"]["containerStatuses"][0]["lastState"] = {"terminated": {
                "exitCode": 1, "finishedAt": rfc3339(c.now() - ago)}}
        objs[("default", name)] = pod
    m = RowModel(BY_NAME["pods"], all_namespaces=False)
    m.now = c.now()
    m.load(objs)
    m.set_wide(True)
    m.set_sort("LAST RESTART", ascending=True)
    assert names(m) == ["recent", "old", "never"]
    # a malformed pod (a recording's) sorts last, its cells <invalid>; the sort does not fail
    broken = deep_copy(template)
    broken["metadata"]["name"] = "broken"
    broken["status"]["containerStatuses"][0]["restartCount"] = "x"
    m.apply([("default", "broken")], [], [], {**objs, ("default", "broken"): broken}.get)
    assert names(m)[-2:] in (["never", "broken"], ["broken", "never"]) and len(m) == 4


def test_a_complete_or_suspended_job_is_no_fault_a_failed_one_is():
    """kubectl's STATUS of a Job says Complete, Suspended, Failed, Running: k9s colours a job as an
    error when its pods failed while it is not complete (render/job.go diagnose): a failed one and
    one still retrying after failures; a finished (even after a failed try) or suspended one is an
    ordinary row."""
    def job(name, cond, failed=0):
        return {"apiVersion": "batch/v1", "kind": "Job",
                "metadata": {"name": name, "namespace": "default", "creationTimestamp": "2026-11-01T09:00:00Z"},
                "spec": {"completions": 1, "template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}},
                "status": {"conditions": [{"type": cond, "status": "True"}] if cond else [], "active": 0 if cond else 1,
                           "succeeded": 1 if cond == "Complete" else 0, "failed": failed}}
    jobs = {("default", n): job(n, cond, failed) for n, cond, failed in
            (("done", "Complete", 0), ("paused", "Suspended", 0), ("broke", "Failed", 1),
             ("retrying", None, 3), ("done-after-a-retry", "Complete", 1), ("running", None, 0))}
    m = RowModel(BY_NAME["jobs"], all_namespaces=False)
    m.now = small_cluster().now()
    m.load(jobs)
    status = m.col_index("STATUS")
    seen = {m.row_at(i).key[1]: (m.cells(m.row_at(i))[status], m.style(m.row_at(i))) for i in range(len(m))}
    assert seen == {"done": ("Complete", ""), "paused": ("Suspended", ""), "broke": ("Failed", "err"),
                    "retrying": ("Running", "err"), "done-after-a-retry": ("Complete", ""), "running": ("Running", "")}
