"""Pilot tests for every key and command of issue 3 not covered in test_app.py (simulator,
manual clock): each view by its k9s alias with kubectl's columns, arguments, completion, history,
filters, favourites, drill-downs, owner jumps, each sort key twice, flash, help."""

import re

import pytest

from k9py.kube.meta import deep_copy
from k9py.ui import keymap
from k9py.ui.screens.help import HelpScreen
from k9py.view import printers
from tests.ui.conftest import sync, table_lines, visible_names


async def command(app, pilot, text):
    await pilot.press("colon", *text, "enter")
    await sync(app, pilot)


async def filter_(app, pilot, text):
    await pilot.press("slash", *text, "enter")
    await sync(app, pilot)


async def press(app, pilot, *keys):
    await pilot.press(*keys)
    await sync(app, pilot)


def flash(app):
    return str(app.query_one("#flash").render())


def header_names(app):
    return [c.name for c in app.model.columns]


ISSUE_COMMANDS = [  # (alias, view name, namespaced)
    ("po", "pods", True), ("pods", "pods", True), ("dp", "deployments", True), ("deploy", "deployments", True),
    ("svc", "services", True), ("no", "nodes", False), ("ns", "namespaces", False),
    ("pv", "persistentvolumes", False), ("pvc", "persistentvolumeclaims", True), ("cm", "configmaps", True),
    ("sec", "secrets", True), ("ev", "events", True), ("sts", "statefulsets", True), ("ds", "daemonsets", True),
    ("job", "jobs", True), ("cj", "cronjobs", True), ("rs", "replicasets", True), ("ing", "ingresses", True),
    ("sa", "serviceaccounts", True), ("ep", "endpoints", True), ("sc", "storageclasses", False),
    ("quota", "resourcequotas", True),
]


@pytest.mark.parametrize("alias,view,namespaced", ISSUE_COMMANDS)
def test_each_view_by_alias_has_kubectls_columns(drive, alias, view, namespaced):
    async def s(app, pilot, cluster):
        await command(app, pilot, alias)
        assert app.title_text().startswith(f"{view}({'default' if namespaced else 'all'})[")
        kind = app.current.scope.view.kind
        if kind not in ("Pod", "Node"):  # pods and nodes: k9s's own columns (tests/ui/test_events_nodes.py)
            assert header_names(app) == printers.column_names(kind)
        first = table_lines(app)[0]
        assert first.split()[0].rstrip("↑") == header_names(app)[0].split()[0]
        assert f"<{view}>" in str(app.query_one("#crumbs").render())
        await command(app, pilot, f"{alias} -A")
        title = app.title_text()
        assert title.startswith(f"{view}(all)[")
        if namespaced:
            assert header_names(app)[0] == "NAMESPACE"
    drive(s)


def test_every_view_of_the_issue_has_a_command(drive):
    async def s(app, pilot, cluster):
        await command(app, pilot, "ctx")
        assert app.title_text() == "contexts(all)[1]"
        await command(app, pilot, "containers")  # needs a pod: a warning, the view stays
        assert "select a pod" in flash(app) and app.title_text() == "contexts(all)[1]"
        await command(app, pilot, "q")
        assert app._exit
    drive(s)


def test_command_arguments_namespace_labels_and_filter(drive):
    async def s(app, pilot, cluster):
        await command(app, pilot, "po kube-system")
        assert app.title_text() == "pods(kube-system)[2]" and app.navigator.active_namespace == "kube-system"
        await command(app, pilot, "po default app=nginx")
        assert app.title_text() == "pods(default)[3] <app=nginx>"
        assert set(visible_names(app)) == {"nginx-deployment-77d8468669-2xq7v", "nginx-deployment-77d8468669-9lwhk",
                                           "nginx-deployment-77d8468669-kc4gz"}
        await command(app, pilot, "po /crash")
        assert app.title_text() == "pods(default)[1] </crash>" and visible_names(app) == ["crashy"]
        await pilot.press("escape")  # esc clears a filter given with the command
        await sync(app, pilot)
        assert app.title_text() == "pods(default)[5]"
        await command(app, pilot, "po -n kube-system -l component=etcd")
        assert app.title_text() == "pods(kube-system)[1] <component=etcd>"
        await command(app, pilot, "po -l app!")
        assert app.title_text() == "pods(kube-system)[1] <component=etcd>"  # a bad selector: flash, no change
        assert flash(app)
        await command(app, pilot, "deploy all")
        assert app.title_text() == "deployments(all)[1]"
    drive(s)


def test_tab_completes_the_resource_name(drive):
    async def s(app, pilot, cluster):
        await pilot.press("colon", "s", "t", "tab")
        assert app.prompt.value == "sts"
        app.prompt.value = "persistentvolumec"
        await pilot.press("tab")
        assert app.prompt.value == "persistentvolumeclaim"
        app.prompt.value = "zzz"
        await pilot.press("tab")  # nothing matches: unchanged
        assert app.prompt.value == "zzz"
        app.prompt.value = "po kube"
        await pilot.press("tab")  # a namespace after a view (the first, in order)
        assert app.prompt.value == "po kube-node-lease"
        app.prompt.value = "po kube-system x"
        await pilot.press("tab")  # a third word: nothing
        assert app.prompt.value == "po kube-system x"
        app.prompt.value = "nam"
        app.prompt.cursor_position = 3
        await pilot.press("tab", "enter")
        await sync(app, pilot)
        assert app.title_text() == "namespaces(all)[4]"
        await pilot.press("slash", "x", "tab")  # Tab in filter mode completes nothing
        assert app.prompt.value == "x"
        await pilot.press("escape")
    drive(s)


def test_history_keys_recall_commands_with_their_arguments(drive):
    async def s(app, pilot, cluster):
        await press(app, pilot, "left_square_bracket")  # nothing before the start view
        assert app.title_text() == "pods(default)[5]"
        await command(app, pilot, "po kube-system")
        await command(app, pilot, "svc")
        await press(app, pilot, "left_square_bracket")
        assert app.title_text() == "pods(kube-system)[2]"
        await press(app, pilot, "left_square_bracket")
        assert app.title_text() == "pods(default)[5]"
        await press(app, pilot, "right_square_bracket", "right_square_bracket")
        assert app.title_text() == "services(kube-system)[0]"  # :svc opened in the then-active namespace
        await press(app, pilot, "right_square_bracket")  # at the end: stays
        assert app.title_text() == "services(kube-system)[0]"
        await command(app, pilot, "no")
        await press(app, pilot, "minus")
        assert app.title_text().startswith("services(")
        await press(app, pilot, "minus")
        assert app.title_text() == "nodes(all)[3]"
    drive(s)


def test_filter_is_a_case_insensitive_regex_over_the_row(drive):
    async def s(app, pilot, cluster):
        await filter_(app, pilot, "NGI.X-.*KC4")
        assert visible_names(app) == ["nginx-deployment-77d8468669-kc4gz"]
        await pilot.press("escape")
        await filter_(app, pilot, "minikube-m03")  # any cell: the NODE column
        assert visible_names(app) == ["nginx-deployment-77d8468669-9lwhk"]
        await pilot.press("escape")
        await filter_(app, pilot, "crashloop")  # the STATUS column, case-insensitive
        assert visible_names(app) == ["crashy"]
        await pilot.press("escape")
        await filter_(app, pilot, "!running")  # inverse
        assert visible_names(app) == ["crashy"]
        await pilot.press("escape")
        await filter_(app, pilot, "[oops")  # not a regex: taken literally
        assert visible_names(app) == [] and app.title_text() == "pods(default)[0] </[oops>"
        await pilot.press("escape")
        await filter_(app, pilot, "-l app in (")
        assert "selector" in flash(app).lower() or "unable" in flash(app).lower() or "invalid" in flash(app).lower()
        await pilot.press("escape")
        await filter_(app, pilot, "-l app=nginx,pod-template-hash")
        assert len(visible_names(app)) == 3
        await pilot.press("escape")
        await filter_(app, pilot, "-f cnt")  # fuzzy on the name: c..n..t
        assert visible_names(app) == ["counter"]
        await pilot.press("escape")
        await sync(app, pilot)
        assert app.title_text() == "pods(default)[5]"
    drive(s)


def test_filter_applies_to_rows_arriving_later(drive):
    async def s(app, pilot, cluster):
        await filter_(app, pilot, "nginx")
        for name in ("nginx-extra", "redis-1"):
            pod = deep_copy(cluster.store.get("Pod", "default", "counter"))
            pod["metadata"] = {"name": name, "namespace": "default", "creationTimestamp": pod["metadata"]["creationTimestamp"]}
            cluster.store.create(pod)
        await sync(app, pilot)
        assert "nginx-extra" in visible_names(app) and "redis-1" not in visible_names(app)
        assert app.title_text() == "pods(default)[4] </nginx>"
    drive(s)


def test_namespace_favourites_are_the_recently_added_and_keep_their_keys(drive):
    async def s(app, pilot, cluster):
        for ns in ("kube-system", "kube-public", "kube-node-lease"):
            await command(app, pilot, f"po {ns}")
        assert app.navigator.favorites[:4] == ["kube-node-lease", "kube-public", "kube-system", "default"]
        header = str(app.query_one("#header").render())
        assert re.search(r"<1> +kube-node-lease", header) and re.search(r"<4> +default", header)
        await press(app, pilot, "4")
        assert app.title_text() == "pods(default)[5]"
        # k9s's addFavNS: a favourite used keeps its place, its key still leads there
        assert app.navigator.favorites[:4] == ["kube-node-lease", "kube-public", "kube-system", "default"]
        await press(app, pilot, "1")
        assert app.title_text() == "pods(kube-node-lease)[0]"
        await press(app, pilot, "4")
        assert app.title_text() == "pods(default)[5]"
        await command(app, pilot, "po kube-public")  # nor does a `:` command naming one move it
        assert app.navigator.favorites[:4] == ["kube-node-lease", "kube-public", "kube-system", "default"]
        header = str(app.query_one("#header").render())
        assert re.search(r"<1> +kube-node-lease", header) and re.search(r"<4> +default", header)
        await press(app, pilot, "9")  # no ninth favourite: nothing happens
        assert app.title_text() == "pods(kube-public)[0]"
        await press(app, pilot, "0")
        assert app.title_text() == "pods(all)[7]" and app.navigator.active_namespace == ""
        await command(app, pilot, "deploy")  # the namespace carries over to the next view
        assert app.title_text() == "deployments(all)[1]"
        await press(app, pilot, "2")
        assert app.title_text() == "deployments(kube-public)[0]"
        await command(app, pilot, "no")
        await press(app, pilot, "1")  # nodes are not namespaced
        assert "not namespaced" in flash(app) and app.title_text() == "nodes(all)[3]"
        for i in range(12):  # at most nine are kept
            app.navigator.remember(f"ns-{i}")
        assert len(app.navigator.favorites) == 9 and app.navigator.favorites[0] == "ns-11"
    drive(s)


def test_the_namespaces_view_marks_the_favourites_and_the_active_one(drive):
    """k9s's :ns decorates a favourite namespace's name with + and the active one's with (*);
    the names were bare, which is where `0`-`9` lead and where views open unsaid."""
    async def s(app, pilot, cluster):
        await command(app, pilot, "po kube-system")
        await command(app, pilot, "ns")
        cells = {app.model.row_at(i).key[1]: app.model.cells(app.model.row_at(i))[0] for i in range(len(app.model))}
        assert cells == {"default": "default+", "kube-node-lease": "kube-node-lease",
                         "kube-public": "kube-public", "kube-system": "kube-system+(*)"}
        app.table.move_to(visible_names(app).index("default"))
        await press(app, pilot, "u")  # use: the active one moves
        cells = {app.model.row_at(i).key[1]: app.model.cells(app.model.row_at(i))[0] for i in range(len(app.model))}
        assert cells["default"] == "default+(*)" and cells["kube-system"] == "kube-system+"
        await filter_(app, pilot, "kube-sys")
        assert visible_names(app) == ["kube-system"]
    drive(s)


def _workloads(cluster):
    """A StatefulSet, a DaemonSet, a Job and their pods, plus a pod mounting the PVC."""
    s = cluster.store
    tmpl = deep_copy(s.get("Pod", "default", "counter"))
    ts = tmpl["metadata"]["creationTimestamp"]

    def pod(name, labels, node="minikube-m02", volumes=None, owner=None):
        p = deep_copy(tmpl)
        p["metadata"] = {"name": name, "namespace": "default", "labels": labels, "creationTimestamp": ts}
        if owner is not None:
            p["metadata"]["ownerReferences"] = [{"apiVersion": owner["apiVersion"], "kind": owner["kind"],
                                                 "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
                                                 "controller": True}]
        p["spec"]["nodeName"] = node
        if volumes:
            p["spec"]["volumes"] = volumes
        s.create(p)

    sts = s.create({"apiVersion": "apps/v1", "kind": "StatefulSet",
                    "metadata": {"name": "web", "namespace": "default", "creationTimestamp": ts},
                    "spec": {"replicas": 2, "serviceName": "web", "selector": {"matchLabels": {"app": "web"}},
                             "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}}},
                    "status": {"replicas": 2, "readyReplicas": 2}})
    ds = s.create({"apiVersion": "apps/v1", "kind": "DaemonSet",
                   "metadata": {"name": "agent", "namespace": "default", "creationTimestamp": ts},
                   "spec": {"selector": {"matchLabels": {"name": "agent"}},
                            "template": {"metadata": {"labels": {"name": "agent"}}, "spec": {"containers": []}}},
                   "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 3}})
    job = s.get("Job", "default", "hello-29000000")
    for i in range(2):
        pod(f"web-{i}", {"app": "web"}, owner=sts)
    for n in ("minikube", "minikube-m02", "minikube-m03"):
        pod(f"agent-{n[-3:]}", {"name": "agent"}, node=n, owner=ds)
    pod("hello-29000000-abcde", {"job-name": "hello-29000000"}, owner=job)
    pod("uses-pvc", {"x": "y"}, volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "pvc-hostpath"}}])


def test_drill_down_from_each_workload(drive):
    async def s(app, pilot, cluster):
        _workloads(cluster)
        await command(app, pilot, "sts")
        await press(app, pilot, "enter")
        assert app.title_text() == "pods(default)[2] <app=web>"
        assert visible_names(app) == ["web-0", "web-1"]
        await command(app, pilot, "ds")
        await press(app, pilot, "enter")
        assert app.title_text() == "pods(default)[3] <name=agent>"
        await command(app, pilot, "job")
        await press(app, pilot, "enter")
        assert app.title_text() == "pods(default)[1] <job-name=hello-29000000>"
        await command(app, pilot, "pvc")
        await press(app, pilot, "enter")
        assert app.title_text() == "pods(default)[1] <pvc=pvc-hostpath>" and visible_names(app) == ["uses-pvc"]
        await command(app, pilot, "rs")
        await press(app, pilot, "enter")
        assert app.title_text() == "pods(default)[3] <app=nginx,pod-template-hash=77d8468669>"
        # a cronjob leads to its jobs, the job to its pods: a three-level stack, esc walks it back
        await command(app, pilot, "cj")
        await press(app, pilot, "enter")
        await press(app, pilot, "enter")
        assert app.title_text() == "pods(default)[1] <job-name=hello-29000000>"
        crumbs = str(app.query_one("#crumbs").render())
        assert crumbs.index("<cronjobs>") < crumbs.index("<jobs>") < crumbs.index("<pods>")
        await press(app, pilot, "escape")
        assert app.title_text() == "jobs(default)[1] <cronjob=hello>"
        await press(app, pilot, "escape")
        assert app.title_text() == "cronjobs(default)[1]"
        await press(app, pilot, "escape")  # the bottom of the stack: stays
        assert app.title_text() == "cronjobs(default)[1]"
        await command(app, pilot, "cm")
        await press(app, pilot, "enter")  # no children: enter describes, as in k9s
        assert app.screen.__class__.__name__ == "DescribeScreen"
    drive(s)


def test_jump_to_owner_along_the_chain(drive):
    async def s(app, pilot, cluster):
        _workloads(cluster)
        await command(app, pilot, "rs")
        await press(app, pilot, "J")
        assert app.title_text() == "deployments(default)[1]"
        assert app.table.cursor_key == ("default", "nginx-deployment")
        await command(app, pilot, "job")
        await press(app, pilot, "J")
        assert app.title_text() == "cronjobs(default)[1]" and app.table.cursor_key == ("default", "hello")
        await command(app, pilot, "po /web-1")
        await press(app, pilot, "J")
        assert app.title_text() == "statefulsets(default)[1]" and app.table.cursor_key == ("default", "web")
        await press(app, pilot, "escape")  # back to the pod, filter and cursor kept
        assert app.title_text() == "pods(default)[1] </web-1>" and app.table.cursor_key == ("default", "web-1")
    drive(s)


def test_each_sort_key_twice_inverts(drive):
    async def s(app, pilot, cluster):
        cluster.store.mutate("Pod", "default", "counter",
                             lambda p: p["status"]["containerStatuses"][0].update(restartCount=2))
        await press(app, pilot, "0")  # all namespaces: every sort column exists
        cases = [
            ("N", "NAME", "coredns-6f6b679f8f-x7zk2", "nginx-deployment-77d8468669-kc4gz"),
            ("A", "AGE", "crashy", "etcd-minikube"),  # youngest first, then oldest
            ("S", "STATUS", "crashy", "etcd-minikube"),  # CrashLoopBackOff < Running; ties by namespace/name
            ("P", "NAMESPACE", "counter", "etcd-minikube"),
            ("R", "READY", "crashy", "etcd-minikube"),  # 0/1 first
            ("T", "RESTARTS", "crashy", "nginx-deployment-77d8468669-2xq7v"),  # the most first (k9s)
        ]
        for key, col, first, first_inverted in cases:
            if app.model.sort_col == col:  # start from another column so the first press is the column's own
                await press(app, pilot, "N" if col != "NAME" else "A")
            await press(app, pilot, key)
            asc = col != "RESTARTS"
            assert app.model.sort_col == col and app.model.sort_asc == asc, key
            assert visible_names(app)[0] == first, key
            assert f"{col}{'↑' if asc else '↓'}" in app.table._header(400).text
            await press(app, pilot, key)
            assert app.model.sort_asc != asc and visible_names(app)[0] == first_inverted, key
            assert f"{col}{'↓' if asc else '↑'}" in app.table._header(400).text
    drive(s)


def test_usage_sort_keys(drive):
    async def s(app, pilot, cluster):
        cluster.store.mutate("Pod", "default", "counter",
                             lambda p: p["metadata"].setdefault("annotations", {}).update(
                                 {"k9py.sim/cpu-usage": "900m", "k9py.sim/memory-usage": "900Mi"}))
        await sync(app, pilot)
        await app.refresh_metrics()
        await press(app, pilot, "C")  # the biggest user first, as k9s sorts usage
        assert app.model.sort_col == "CPU" and not app.model.sort_asc and visible_names(app)[0] == "counter"
        await press(app, pilot, "C")
        assert visible_names(app)[-1] == "counter"
        await press(app, pilot, "M")
        assert app.model.sort_col == "MEM" and visible_names(app)[0] == "counter"
        await press(app, pilot, "X")
        assert app.model.sort_col == "%CPU/R"
        await press(app, pilot, "Z")
        assert app.model.sort_col == "%MEM/R"
        app.pane.action_sort("NODE")  # (no key: shift-o sorts the selected column, as k9s's)
        app.pane.action_sort("NODE")
        await sync(app, pilot)
        assert app.model.sort_col == "NODE" and visible_names(app)[0].startswith("nginx-deployment-77d8468669-9lwhk")
        await press(app, pilot, "I")
        assert app.model.sort_col == "IP" and visible_names(app)[0] == "nginx-deployment-77d8468669-2xq7v"
        await command(app, pilot, "deploy")
        await press(app, pilot, "C")
        assert "no CPU column" in flash(app)
    drive(s)


def test_space_marks_the_cursor_row_and_stays_there(drive):
    """k9s's space marks the row under the cursor and leaves the cursor there: a k9s user's
    `space j space` marks the first two rows (the cursor went down a row after each space:
    the first and the third were marked, and ctrl-d deleted a pod never chosen)."""
    async def s(app, pilot, cluster):
        await press(app, pilot, "space")
        assert app.table.marked == {("default", "counter")} and app.table.cursor_key == ("default", "counter")
        await press(app, pilot, "j", "space")
        assert app.table.marked == {("default", "counter"), ("default", "crashy")}
        assert app.table.cursor_key == ("default", "crashy")
        await press(app, pilot, "space")  # again: unmarked, still there
        assert app.table.marked == {("default", "counter")} and app.table.cursor_key == ("default", "crashy")
    drive(s)


def test_the_cursor_on_a_marked_row_shows_the_mark(drive):
    """The cursor stays on the row space marked: painted in the cursor's colours it looked
    unmarked. As k9s does, the cursor on a marked row takes the mark colour for background."""
    from k9py.ui import theme

    def cursor_style(app):
        y = app.table.cursor_index - int(app.table.scroll_y) + 1  # (the header line first)
        return next(seg.style for seg in app.table.render_line(y) if seg.text.strip())

    async def s(app, pilot, cluster):
        assert cursor_style(app) == theme.style("table.cursor")
        await press(app, pilot, "space")
        marked = cursor_style(app)
        assert marked != theme.style("table.cursor") and marked.bgcolor == theme.style("table.marked").color
        await press(app, pilot, "space")
        assert cursor_style(app) == theme.style("table.cursor")
    drive(s)


def test_marks_toggle_and_survive_updates(drive):
    async def s(app, pilot, cluster):
        await press(app, pilot, "space", "j", "space")
        assert app.table.marked == {("default", "counter"), ("default", "crashy")}
        cluster.store.mutate("Pod", "default", "counter", lambda p: p["metadata"]["labels"].update(x="1"))
        await sync(app, pilot)
        assert app.table.marked == {("default", "counter"), ("default", "crashy")}
        await press(app, pilot, "g", "space")
        assert app.table.marked == {("default", "crashy")}
        await command(app, pilot, "svc")  # marks belong to a view
        assert app.table.marked == set()
    drive(s)


def test_flash_clears_itself(drive):
    async def s(app, pilot, cluster):
        await command(app, pilot, "nope")
        assert app.flash_text == "`nope` command not found" == flash(app)
        app.flash_seconds = 0.01
        app.flash("short-lived", "warn")
        assert flash(app) == "short-lived"
        for _ in range(200):  # the flash's own timer clears it (a bounded wait, no fixed delay)
            if not app.flash_text:
                break
            await pilot.pause(0.01)
        assert app.flash_text == "" and flash(app) == ""
    drive(s)


def test_help_lists_every_key_of_the_view(drive):
    async def s(app, pilot, cluster):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        body = str(app.screen.query_one("#help-body").render())
        assert "Help: pods" in app.screen.query_one("#help-box").border_title
        for k in keymap.GENERAL:
            assert k.label in body, k.label
        for label in ("<enter>", "<shift-j>", "<space>", "<ctrl-w>", "<ctrl-d>", "<shift-n>", "<shift-a>",
                      "<shift-s>", "<shift-r>", "<shift-t>", "<shift-c>", "<shift-m>", "<shift-x>", "<shift-z>",
                      "<shift-i>", "<shift-o>", "<shift-left>", "<shift-right>"):
            assert label in body, label
        assert "Shell" in body and "Attach" in body and "Scale" not in body  # k9s: `s` is a shell in pods
        assert "<shift-p>" not in body  # no NAMESPACE column here
        for k in keymap.NAVIGATION:
            if k.key not in ("down", "up", "pagedown", "pageup"):
                assert k.label in body, k.label
        assert "Containers" in body and "<1>" in body and "default" in body
        await pilot.press("question_mark")  # ? again closes it
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await command(app, pilot, "deploy")
        await pilot.press("question_mark")
        await pilot.pause()
        body = str(app.screen.query_one("#help-body").render())
        assert "Pods" in body and "<s>" in body and "<shift-c>" not in body  # no CPU column in deployments
        await pilot.press("escape")
    drive(s)


def test_cluster_scoped_views_show_no_namespace_keys(drive):
    """k9s's namespaceActions binds 0-9 only in a namespaced view: nodes, namespaces, PVs... have
    no `<0> all` / `<1> default` in the header's menu nor a NAMESPACES section in `?`."""
    async def s(app, pilot, cluster):
        assert re.search(r"<0> +all", str(app.query_one("#header").render()))
        for view in ("no", "ns", "pv", "crd"):
            await command(app, pilot, view)
            header = str(app.query_one("#header").render())
            assert "<0>" not in header and "<1>" not in header, (view, header)
            assert "<ctrl-d>" in header or "<d>" in header  # the view's own keys still are there
        await pilot.press("question_mark")
        await pilot.pause()
        body = str(app.screen.query_one("#help-body").render())
        assert "NAMESPACES" not in body and "<0>" not in body and "GENERAL" in body
        await pilot.press("escape")
        await command(app, pilot, "po")  # a namespaced view has them again
        assert re.search(r"<0> +all", str(app.query_one("#header").render()))
    drive(s)


def test_header_hints_follow_the_view(drive):
    async def s(app, pilot, cluster):
        header = str(app.query_one("#header").render())
        assert re.search(r"<enter> +Containers", header) and re.search(r"<ctrl-d> +Delete", header)
        await command(app, pilot, "deploy")
        header = str(app.query_one("#header").render())
        assert re.search(r"<enter> +Pods", header) and re.search(r"<s> +Scale", header)
        await command(app, pilot, "ctx")
        header = str(app.query_one("#header").render())
        assert re.search(r"<enter> +Switch", header) and re.search(r"<r> +Rename", header)  # k9s: r, ctrl-d (kubeconfig)
        assert re.search(r"<ctrl-d> +Delete", header)
    drive(s)
