"""Pilot tests of the explorer against the simulator on a manual clock (no sleeps)."""

from k9py.kube.meta import deep_copy
from k9py.sim.version import KUBERNETES_VERSION
from k9py.ui.screens.help import AliasesScreen, HelpScreen
from tests.samples import small_cluster
from tests.ui.conftest import sync, table_lines, visible_names
from tests.ui.simcluster import border_text


async def command(app, pilot, text):
    await pilot.press("colon", *text, "enter")
    await sync(app, pilot)


async def filter_(app, pilot, text):
    await pilot.press("slash", *text, "enter")
    await sync(app, pilot)


def test_opens_pods_in_default(drive):
    async def s(app, pilot, cluster):
        assert app.title_text() == "pods(default)[5]"
        lines = table_lines(app)
        # kubectl's cells in k9s's layout, with k9s's extra columns (usage from the simulator's
        # metrics; no requests/limits in this cluster: n/a percentages, as k9s shows them)
        assert lines[0].split() == ["NAME↑", "PF", "READY", "STATUS", "RESTARTS", "CPU", "%CPU/R", "%CPU/L",
                                    "MEM", "%MEM/R", "%MEM/L", "IP", "NODE", "AGE"]
        assert lines[1].split() == ["counter", "●", "1/1", "Running", "0", "1", "n/a", "n/a", "0", "n/a", "n/a",
                                    "10.244.2.7", "minikube-m02", "5m"]
        assert lines[2].split() == ["crashy", "●", "0/1", "CrashLoopBackOff", "4", "0", "n/a", "n/a", "0", "n/a",
                                    "n/a", "10.244.2.8", "minikube-m02", "4m"]
        nginx = lines[3].split()
        assert (nginx[5], nginx[8]) == ("2", "3")  # nginx: as kubectl top prints it, 2m and 3Mi
        assert app.table.cursor_key == ("default", "counter")
        assert border_text(app.table).strip() == "pods(default)[5]"
        header = str(app.query_one("#header").render())
        assert "k9py-sim" in header and f"{KUBERNETES_VERSION}-k9py" in header and "sim (connected)" in header
        assert "<pods>" in str(app.query_one("#crumbs").render())
    drive(s)


def test_cursor_keys(drive):
    async def s(app, pilot, cluster):
        await pilot.press("j", "j")
        assert app.table.cursor_key[1] == "nginx-deployment-77d8468669-2xq7v"
        await pilot.press("k")
        assert app.table.cursor_key[1] == "crashy"
        await pilot.press("down", "up", "up")
        assert app.table.cursor_key[1] == "counter"
        await pilot.press("G")
        assert app.table.cursor_key[1] == "nginx-deployment-77d8468669-kc4gz"
        await pilot.press("g")
        assert app.table.cursor_index == 0
        await pilot.press("ctrl+f")
        assert app.table.cursor_index == 4  # one page is more than the 5 rows
    drive(s)


def test_command_aliases_and_arguments(drive):
    async def s(app, pilot, cluster):
        for cmd, title in [("dp", "deployments(default)[1]"), ("deploy", "deployments(default)[1]"),
                           ("svc", "services(default)[2]"), ("no", "nodes(all)[3]"), ("ns", "namespaces(all)[4]"),
                           ("pv", "persistentvolumes(all)[1]"), ("pvc", "persistentvolumeclaims(default)[1]"),
                           ("cm", "configmaps(default)["), ("sec", "secrets(default)[1]"), ("rs", "replicasets(default)[1]"),
                           ("cj", "cronjobs(default)[1]"), ("job", "jobs(default)[1]"), ("ctx", "contexts(all)[1]"),
                           ("po kube-system", "pods(kube-system)[2]"), ("po app=nginx", "pods(kube-system)[0] <app=nginx>"),
                           ("pods default", "pods(default)[5]"), ("po /nginx", "pods(default)[3] </nginx>"),
                           ("po -A", "pods(all)[7]")]:
            await command(app, pilot, cmd)
            assert app.title_text().startswith(title), cmd
        # cluster-scoped views have no namespace column; with -A pods have one
        assert table_lines(app)[0].split()[:2] == ["NAMESPACE↑", "NAME"]
        await command(app, pilot, "nope")
        assert "`nope` command not found" in str(app.query_one("#flash").render())
        assert app.title_text().startswith("pods(all)")
    drive(s)


def test_quit_command(drive):
    async def s(app, pilot, cluster):
        await command(app, pilot, "q")
        assert app._exit
    drive(s)


def test_tab_completion_and_history(drive):
    async def s(app, pilot, cluster):
        await pilot.press("colon", "d", "e", "p", "tab")
        assert app.prompt.value == "deploy"
        await pilot.press("enter")
        await sync(app, pilot)
        assert app.title_text().startswith("deployments")
        await command(app, pilot, "svc")
        await pilot.press("left_square_bracket")
        await sync(app, pilot)
        assert app.title_text().startswith("deployments")
        await pilot.press("left_square_bracket")
        await sync(app, pilot)
        assert app.title_text().startswith("pods")
        await pilot.press("right_square_bracket")
        await sync(app, pilot)
        assert app.title_text().startswith("deployments")
        await command(app, pilot, "svc")
        await pilot.press("minus")  # back to the view before
        await sync(app, pilot)
        assert app.title_text().startswith("deployments")
        await pilot.press("minus")  # and again: toggles
        await sync(app, pilot)
        assert app.title_text().startswith("services")
    drive(s)


def test_filters_and_escape(drive):
    async def s(app, pilot, cluster):
        await filter_(app, pilot, "NGINX")
        assert app.title_text() == "pods(default)[3] </NGINX>"
        await pilot.press("escape")
        await sync(app, pilot)
        assert app.title_text() == "pods(default)[5]"
        await filter_(app, pilot, "!nginx")
        assert visible_names(app) == ["counter", "crashy"]
        await pilot.press("escape")
        await filter_(app, pilot, "-l run=crashy")
        assert visible_names(app) == ["crashy"]
        await pilot.press("escape")
        await filter_(app, pilot, "-f ngkc")
        assert visible_names(app) == ["nginx-deployment-77d8468669-kc4gz"]
        await pilot.press("escape")
        # filtering is live while typing; esc in the prompt drops it
        await pilot.press("slash", "c", "r")
        await sync(app, pilot)
        assert visible_names(app) == ["crashy"]
        await pilot.press("escape")
        await sync(app, pilot)
        assert len(visible_names(app)) == 5 and not app.prompt.display
    drive(s)


def test_namespace_keys(drive):
    async def s(app, pilot, cluster):
        await pilot.press("0")
        await sync(app, pilot)
        assert app.title_text() == "pods(all)[7]"
        await command(app, pilot, "po kube-system")
        assert app.navigator.favorites[:2] == ["kube-system", "default"]
        await pilot.press("2")
        await sync(app, pilot)
        assert app.title_text() == "pods(default)[5]"
        await pilot.press("2")  # k9s: a favourite keeps its key when used (default is still 2)
        await sync(app, pilot)
        assert app.title_text() == "pods(default)[5]"
        await pilot.press("1")
        await sync(app, pilot)
        assert app.title_text() == "pods(kube-system)[2]"
        assert app.navigator.favorites[:2] == ["kube-system", "default"]
    drive(s)


def test_drill_down_and_back_keeps_cursor_and_filter(drive):
    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        await pilot.press("enter")
        await sync(app, pilot)
        assert app.title_text() == "pods(default)[3] <app=nginx>"
        assert "<deployments>" in str(app.query_one("#crumbs").render())
        await pilot.press("escape")
        await sync(app, pilot)
        assert app.title_text() == "deployments(default)[1]"
        # filter + cursor survive a drill and back
        await command(app, pilot, "po")
        await filter_(app, pilot, "nginx")
        await pilot.press("j")
        key = app.table.cursor_key
        await pilot.press("enter")
        await sync(app, pilot)
        assert app.title_text() == f"containers(default/{key[1]})[1]"
        assert table_lines(app)[1].split()[:6] == ["M1", "nginx", "●", "nginx:1.14.2", "true", "Running"]
        await pilot.press("escape")
        await sync(app, pilot)
        assert app.title_text() == "pods(default)[3] </nginx>" and app.table.cursor_key == key
    drive(s)


def test_drill_targets(drive):
    async def s(app, pilot, cluster):
        await command(app, pilot, "svc")
        await pilot.press("j", "enter")  # my-nginx
        await sync(app, pilot)
        assert app.title_text() == "pods(default)[3] <app=nginx>"
        await command(app, pilot, "no")
        await pilot.press("enter")  # minikube: the kube-system pods
        await sync(app, pilot)
        assert app.title_text() == "pods(all)[2] <node=minikube>"
        await command(app, pilot, "ns")
        await pilot.press("j", "j", "enter")
        await sync(app, pilot)
        assert app.title_text() == "pods(kube-public)[0]"
        assert app.navigator.active_namespace == "kube-public"  # k9s: the namespace picked becomes active
        await command(app, pilot, "cj default")
        await pilot.press("enter")
        await sync(app, pilot)
        assert app.title_text() == "jobs(default)[1] <cronjob=hello>"
    drive(s)


def test_jump_to_owner(drive):
    async def s(app, pilot, cluster):
        await pilot.press("j", "j", "J")
        await sync(app, pilot)
        assert app.title_text() == "replicasets(default)[1]"
        assert app.table.cursor_key == ("default", "nginx-deployment-77d8468669")
        await pilot.press("escape", "g", "J")
        await sync(app, pilot)
        assert "has no owner" in str(app.query_one("#flash").render())
    drive(s)


def test_sorting_keys(drive):
    async def s(app, pilot, cluster):
        await pilot.press("N")  # already by name: inverted
        assert visible_names(app)[0] == "nginx-deployment-77d8468669-kc4gz"
        assert table_lines(app)[0].split()[0] == "NAME↓"
        await pilot.press("A")
        assert visible_names(app)[:2] == ["crashy", "counter"]
        await pilot.press("S")
        assert visible_names(app)[0] == "crashy"
        await pilot.press("R")
        assert visible_names(app)[0] == "crashy"
        await pilot.press("R")
        assert visible_names(app)[-1] == "crashy"
        await pilot.press("P")  # no NAMESPACE column in one namespace
        assert "no NAMESPACE column" in str(app.query_one("#flash").render())
        await pilot.press("0", "P")
        await sync(app, pilot)
        assert app.model.sort_col == "NAMESPACE" and not app.model.sort_asc
    drive(s)


def test_wide_and_marks(drive):
    async def s(app, pilot, cluster):
        narrow = table_lines(app)[0].split()
        await pilot.press("ctrl+w")
        wide = table_lines(app)[0].split()
        assert wide[:9] == ["NAME↑", "PF", "READY", "STATUS", "RESTARTS", "LAST", "RESTART", "CPU", "CPU/RL"]
        assert [c.name for c in app.model.columns][-11:] == ["%MEM/L", "GPU/RL", "IP", "NODE", "SERVICE-ACCOUNT",
                                                              "NOMINATED NODE", "READINESS GATES", "QOS", "LABELS",
                                                              "VALID", "AGE"]
        assert app.model.cells(app.model.row_at(0))[-6:] == ("<none>", "<none>", "BE", "run=counter", "", "5m")
        assert app.table.content_width > app.table.size.width  # wide scrolls sideways
        await pilot.press("ctrl+w")
        assert table_lines(app)[0].split() == narrow
        await pilot.press("space")
        assert app.table.marked == {("default", "counter")} and app.table.cursor_key[1] == "counter"
        await pilot.press("space")
        assert app.table.marked == set()
    drive(s)


def test_live_updates_keep_the_cursor_object(drive):
    async def s(app, pilot, cluster):
        await pilot.press("j", "j", "j")
        key = app.table.cursor_key
        assert app.table.cursor_index == 3
        new = deep_copy(cluster.store.get("Pod", "default", "counter"))
        new["metadata"] = {"name": "aaa-new", "namespace": "default", "labels": {}}
        cluster.store.create(new)
        await sync(app, pilot)
        assert app.title_text() == "pods(default)[6]"
        assert app.table.cursor_key == key and app.table.cursor_index == 4
        assert app.model.style(app.model.row_at(0)) == "add"
        cluster.delete("Pod", "default", "crashy")  # graceful: Terminating
        await sync(app, pilot)
        assert app.model.style(app.model.row_at(app.model.index_of(("default", "crashy")))) == "del"
        cluster.store.delete("Pod", "default", "crashy")
        cluster.store.delete("Pod", "default", key[1])  # the cursor's object goes: the cursor stays in place
        await sync(app, pilot)
        assert app.title_text() == "pods(default)[4]"
        assert app.table.cursor_index == 3 and app.table.cursor_key == app.model.key_at(3)
    drive(s)


def test_ages_follow_the_virtual_clock(drive):
    async def s(app, pilot, cluster):
        cluster.advance(60)
        cluster.store.mutate("Pod", "default", "counter", lambda p: p["metadata"]["labels"].update(x="1"))
        await sync(app, pilot)
        assert table_lines(app)[1].split()[-1] == "6m"
    drive(s)


def test_help_says_on_its_frame_that_more_is_above_or_below():
    """At 80x24 the help's sections do not all fit: its frame's bottom edge says where the rest is."""
    import asyncio

    from k9py.backends.sim import SimBackend
    from k9py.ui.app import K9pyApp

    async def main():
        app = K9pyApp(SimBackend(small_cluster()), manual=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await sync(app, pilot)
            await pilot.press("question_mark")
            await pilot.pause()
            box = app.screen.query_one("#help-box")
            said = []
            for key in ("ctrl+f", "G"):
                said.append(str(box.border_subtitle))
                await pilot.press(key)
                await pilot.pause()
            said.append(str(box.border_subtitle))
            assert said == ["more ↓", "more ↑↓", "more ↑"]
            await pilot.resize_terminal(160, 60)
            await pilot.pause()
            await pilot.pause()
            assert box.border_subtitle == ""  # everything fits
    asyncio.run(main())


def test_help_aliases_header(drive):
    async def s(app, pilot, cluster):
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        body = str(app.screen.query_one("#help-body").render())
        for k in ("<enter>", "Containers", "<shift-n>", "<ctrl-w>", "<:cmd>", "</term>", "<0>"):
            assert k in body
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+a")
        await pilot.pause()
        assert isinstance(app.screen, AliasesScreen)
        assert "dp,deploy" in str(app.screen.query_one("#help-body").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.query_one("#header").display
        await pilot.press("ctrl+e")
        assert not app.query_one("#header").display
    drive(s)


def test_readonly_and_flags(drive):
    async def s(app, pilot, cluster):
        assert app.backend.info().read_only
        assert "[readonly]" in str(app.query_one("#header").render())
        assert app.title_text() == "deployments(all)[1]"
    drive(s, readonly=True, view="deploy", namespace="")


def test_headless_hides_the_header(drive):
    async def s(app, pilot, cluster):
        assert not app.query_one("#header").display
    drive(s, headless_ui=True)


def test_contexts_view(drive):
    async def s(app, pilot, cluster):
        await command(app, pilot, "ctx")
        lines = table_lines(app)
        assert lines[0].split() == ["NAME↑", "CLUSTER", "AUTHINFO", "NAMESPACE"]
        assert lines[1].split() == ["k9py-sim(*)", "k9py-sim", "k9py", "default"]
    drive(s)


def test_wide_tables_scroll_sideways(drive):
    async def s(app, pilot, cluster):
        long = deep_copy(cluster.store.get("Pod", "default", "counter"))
        long["metadata"] = {"name": "x" * 150, "namespace": "default"}
        cluster.store.create(long)
        await sync(app, pilot)
        assert app.table.content_width > app.table.size.width
        before = table_lines(app)[0]
        assert before.split()[0] == "NAME↑"
        second = app.model.columns[1].name
        await pilot.press("right")  # k9s (tview's table): the whole NAME column, not 8 characters of it
        await pilot.pause()
        after = table_lines(app)[0]
        assert after.startswith(f" {second} ") and not any("xxxx" in line for line in table_lines(app))
        assert app.table.size.width >= len(after)  # the rest fit: right goes no further
        await pilot.press("right")
        await pilot.pause()
        assert table_lines(app)[0] == after
        await pilot.press("left")
        await pilot.pause()
        assert table_lines(app)[0] == before
    drive(s)


def test_table_paints_only_visible_rows(drive):
    from tests.samples import add_pods

    cluster = small_cluster()
    add_pods(cluster, 5000, namespaces=5)

    async def s(app, pilot, cluster):
        await command(app, pilot, "pods -A")
        assert app.title_text() == "pods(all)[5007]"
        m = app.model
        assert sum(1 for r in m.rows.values() if r._cells is not None) < 200  # cells only for what was painted
        before = app.table.paints
        await pilot.press("G")
        await pilot.pause()
        assert app.table.cursor_index == 5006
        assert app.table.paints - before < 3 * app.table.size.height
        assert table_lines(app)[-1].split()[1] == app.model.key_at(5006)[1]
    drive(s, cluster=cluster)


def test_bursts_of_changes_are_one_update(drive):
    async def s(app, pilot, cluster):
        version = app.model.version
        for i in range(50):
            cluster.store.mutate("Pod", "default", "counter", lambda p, i=i: p["metadata"]["labels"].update(n=str(i)))
        await sync(app, pilot)
        assert app.model.version == version + 1
        assert app.model.rows[("default", "counter")].obj["metadata"]["labels"]["n"] == "49"
    drive(s)


def test_delete_with_confirmation(drive):
    from k9py.ui.screens.dialogs import ConfirmScreen

    async def s(app, pilot, cluster):
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # cancelled: nothing happens
        await pilot.pause()
        assert cluster.store.get("Pod", "default", "counter")["metadata"].get("deletionTimestamp") is None
        await pilot.press("ctrl+d", "y")
        await sync(app, pilot)
        pod = cluster.store.get("Pod", "default", "counter")
        assert pod["metadata"]["deletionGracePeriodSeconds"] == 30  # graceful, as kubectl delete
        assert app.model.style(app.model.rows[("default", "counter")]) == "del"
        assert "Delete resource pods default/counter" in str(app.query_one("#flash").render())
        # marked rows are deleted together
        await pilot.press("j", "space", "j", "space")
        await pilot.press("ctrl+d", "y")
        await sync(app, pilot)
        assert cluster.store.get("Pod", "default", "crashy")["metadata"].get("deletionTimestamp")
        assert cluster.store.get("Pod", "default", "nginx-deployment-77d8468669-2xq7v")["metadata"].get("deletionTimestamp")
        assert app.table.marked == set()
    drive(s)


def test_read_only_refuses_delete_and_scale(drive):
    async def s(app, pilot, cluster):
        await pilot.press("ctrl+d", "y")
        await sync(app, pilot)
        assert "read-only" in str(app.query_one("#flash").render())
        assert cluster.store.get("Pod", "default", "counter")["metadata"].get("deletionTimestamp") is None
        await command(app, pilot, "deploy")  # (from the YAML view `y` opened: no dialog came for it)
        replicas = cluster.store.get("Deployment", "default", "nginx-deployment")["spec"]["replicas"]
        await pilot.press("s")  # no scale dialog
        await sync(app, pilot)
        assert "read-only" in str(app.query_one("#flash").render()) and len(app.screen_stack) == 1
        assert cluster.store.get("Deployment", "default", "nginx-deployment")["spec"]["replicas"] == replicas
    drive(s, readonly=True)


def test_scale(drive):
    from k9py.ui.screens.dialogs import ScaleScreen

    async def s(app, pilot, cluster):
        await pilot.press("s")  # in pods `s` is k9s's shell, not scale (tests/ui/test_shell.py)
        await pilot.pause()
        assert not isinstance(app.screen, ScaleScreen) and "shell" in str(app.query_one("#flash").render())
        await command(app, pilot, "deploy")
        await pilot.press("s")
        assert isinstance(app.screen, ScaleScreen)
        await pilot.press("backspace", "5", "enter")
        await sync(app, pilot)
        assert cluster.store.get("Deployment", "default", "nginx-deployment")["spec"]["replicas"] == 5
        assert "Scaling deployments default/nginx-deployment to 5" in str(app.query_one("#flash").render())
    drive(s)


def test_tab_completes_a_namespace_after_a_view_and_a_context_after_ctx(drive):
    """k9s: `:po kube-s⇥` → `:po kube-system`; `:ctx ` completes the kubeconfig's contexts."""
    async def s(app, pilot, cluster):
        await pilot.press("colon", *"po", "space", *"kube-s", "tab")  # one burst: watched from the start

        assert app.prompt.value == "po kube-system"
        await pilot.press("ctrl+u", *"ctx ", "tab")
        assert app.prompt.value == f"ctx {app.session.info().context}"
        await pilot.press("ctrl+u", *"po /kube", "tab")  # a filter is not a namespace
        assert app.prompt.value == "po /kube"
        ctx = app.session.info().context
        await pilot.press("ctrl+u", *"po @", *ctx[:2], "tab")  # k9s's completeCtx: `@` a context
        assert app.prompt.value == f"po @{ctx}"
        await pilot.press("space", *"kube-s", "tab")  # then the namespace
        assert app.prompt.value == f"po @{ctx} kube-system"
        await pilot.press("ctrl+u", *"po default kube-s", "tab")  # a third word is no namespace
        assert app.prompt.value == "po default kube-s"
    drive(s)


def test_ctrl_q_clears_the_prompt_as_k9s_and_never_quits(drive):
    """k9s's ctrl-q is Clear Filter (the prompt's text); Textual's own ctrl-q quits the app, which
    would throw a k9s user out mid-filter."""
    async def s(app, pilot, cluster):
        await pilot.press("slash", *"kube", "ctrl+q")
        await pilot.pause()
        assert app.prompt.display and app.prompt.value == ""
        await pilot.press(*"ngi", "ctrl+a", "ctrl+q")  # the whole line, wherever the cursor is
        assert app.prompt.value == ""
        await pilot.press("escape", "ctrl+q")  # no prompt: nothing
        await pilot.pause()
        assert app.is_running and not app.prompt.display
    drive(s)


def test_ctrl_g_toggles_the_crumbs_as_k9s(drive):
    async def s(app, pilot, cluster):
        crumbs = app.query_one("#crumbs")
        assert crumbs.display
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert not crumbs.display and not app.show_crumbs
        await pilot.press("colon", *"deploy", "enter")  # another view keeps the choice
        await sync(app, pilot)
        assert not app.query_one("#crumbs").display
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert app.query_one("#crumbs").display
    drive(s)


def test_enter_in_the_aliases_goes_to_the_rows_view_as_k9s(drive):
    """ctrl-a lists the aliases under a cursor (j/k, down/up, g/G); enter runs the row's command in
    the view below (k9s's Goto)."""
    async def s(app, pilot, cluster):
        from k9py.ui.screens.help import AliasesScreen
        await pilot.press("ctrl+a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AliasesScreen) and screen.cursor == 0
        target = screen.commands.index("deployments")
        await pilot.press(*["j"] * target)
        assert screen.cursor == target
        await pilot.press("down", "up", "G")
        assert screen.cursor == len(screen.commands) - 1
        await pilot.press("g", *["down"] * target)
        assert screen.cursor == target
        await pilot.press("enter")
        await sync(app, pilot)
        assert len(app.screen_stack) == 1 and app.title_text().startswith("deployments")
    drive(s)


def test_aliases_sort_by_resource_and_command_and_filter_as_k9s(drive):
    """k9s's aliases view sorts by resource (shift-r) and command (shift-c), again the other way,
    and `/` filters its rows; esc clears the filter before it closes the list; enter still runs
    the row under the cursor."""
    async def s(app, pilot, cluster):
        from k9py.ui.screens.help import AliasesScreen
        await pilot.press("ctrl+a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AliasesScreen)

        def lines():
            return str(screen.query_one("#help-body").render()).splitlines()
        first = screen.commands[:]
        await pilot.press("C")
        assert screen.commands == sorted(first, key=str.lower) and lines()[0].split()[:2] == ["RESOURCE", "COMMAND↑"]
        await pilot.press("C")
        assert screen.commands == sorted(first, key=str.lower, reverse=True)
        await pilot.press("R")
        resources = [line.split()[0] for line in lines()[1:]]
        assert resources == sorted(resources, key=str.lower) and lines()[0].split()[0] == "RESOURCE↑"
        await pilot.press("slash", *"deploy", "enter")
        await pilot.pause()
        assert screen.commands == ["deployments"] and len(lines()) == 2
        assert "</deploy>" in str(screen.query_one("#help-box").border_title)
        await pilot.press("escape")  # the filter goes, the list stays
        await pilot.pause()
        assert isinstance(app.screen, AliasesScreen) and len(screen.commands) == len(first)
        await pilot.press("slash", *"^svc", "enter", "enter")  # ALIASES holds svc: its row's view
        await sync(app, pilot)
        assert len(app.screen_stack) == 1 and app.title_text().startswith("services")
    drive(s)


def test_the_aliases_filter_box_opens_inside_the_list_which_stays_in_place(drive):
    """`/` in ctrl-a's list: the filter box opens in its frame, under the rows, and the frame
    stays where it was (it moved up over the header, the box under it), as a table's filter
    leaves the table where it is."""
    async def s(app, pilot, cluster):
        from k9py.ui.screens.help import AliasesScreen
        await pilot.press("ctrl+a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AliasesScreen)
        frame = screen.query_one("#help-box").region
        await pilot.press("slash")
        await pilot.pause()
        box = screen.filter_box
        assert box.display and screen.query_one("#help-box").region == frame
        assert frame.contains_region(box.region) and box.region.y > screen.scroller.region.bottom - 1
        await pilot.press(*"dep", "enter")
        await pilot.pause()
        assert screen.commands == ["deployments"] and screen.query_one("#help-box").region == frame
    drive(s)


def test_a_filter_typed_in_one_burst_in_the_aliases_keeps_every_key(drive):
    """`/depl⏎` typed at once in ctrl-a's list: the keys behind `/` are the filter box's."""
    async def s(app, pilot, cluster):
        from k9py.ui.screens.help import AliasesScreen
        from tests.ui.test_typeahead import burst
        await pilot.press("ctrl+a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AliasesScreen)
        burst(app, "/depl\r")
        await sync(app, pilot)
        assert screen.filter_text == "depl" and screen.commands == ["deployments"]
    drive(s)
