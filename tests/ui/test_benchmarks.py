"""`b` on a `:pf` row (k9s's benchmark), driven as a person would on the simulator: the load runs
off the UI thread through the forward into the pod, the report is saved, `:benchmarks` lists it,
enter shows it, ctrl-d deletes it."""

from __future__ import annotations

from k9py.config import locations
from k9py.explorer.benchmark import list_reports
from k9py.ui.screens.benchmarks import COLUMNS, BenchmarksScreen, ReportViewer, report_lines
from k9py.ui.screens.dialogs import ConfirmScreen
from k9py.ui.screens.portforwards import PortForwardsScreen
from tests.ui.simcluster import command, goto, run, settle
from tests.ui.test_portforward import access_lines, first_nginx, forward_with_dialog, until


def test_b_on_a_forward_benchmarks_it_and_benchmarks_shows_the_report():
    async def s(app, pilot, cluster):
        info = app.session.info()
        cfg = locations.benchmarks_file(info.context, info.cluster)
        cfg.parent.mkdir(parents=True, exist_ok=True)
        cfg.write_text("benchmarks:\n  defaults:\n    concurrency: 3\n    requests: 12\n")
        folder = locations.benchmarks_dir(info.cluster, info.context)
        name = first_nginx(app)
        await goto(app, pilot, name)
        fwd = await forward_with_dialog(app, pilot)
        await settle(app, pilot)
        await command(app, pilot, "pf")
        pf = app.screen
        assert isinstance(pf, PortForwardsScreen)
        await pilot.press("b")
        note = str(pf.query_one("#pf-flash").render())
        assert note.startswith((f"Benchmark in progress (b cancels): 12 GET {fwd.url}/, 3 at a time", "Benchmark completed!"))
        await until(app, pilot, lambda: "Benchmark completed!" in str(pf.query_one("#pf-flash").render()), "the run")
        assert app.session.benchmarks.running(fwd.key) is None
        assert len(access_lines(cluster, name, "nginx", agent="k9py/")) == 12  # every request reached the pod
        reports = list_reports(folder)
        assert len(reports) == 1
        saved = reports[0]
        assert saved.file.startswith(f"default_{name}_nginx_{fwd.local_port}_80_")
        assert (saved.namespace, saved.name, saved.status, saved.ok, saved.errors) == ("default", name, "pass", 12, 0)

        await pilot.press("escape")
        await settle(app, pilot)
        await command(app, pilot, "benchmarks")
        be = app.screen
        assert isinstance(be, BenchmarksScreen)
        header = str(be.query_one("#benches-header").render())
        assert header.split() == ["NAMESPACE", "NAME", "STATUS", "TIME", "REQ/S", "2XX", "4XX/5XX", "REPORT", "AGE↑"]
        cells = str(be.options.get_option_at_index(0).prompt).split()
        assert cells[:3] == ["default", name, "pass"] and cells[5:7] == ["12", "0"]
        await pilot.press("enter")
        await settle(app, pilot)
        viewer = app.screen
        assert isinstance(viewer, ReportViewer)
        text = "\n".join(viewer.content())
        assert "Summary:" in text and "Status code distribution:" in text and "  [200] 12 responses" in text
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert list_reports(folder) == [] and be.count == 0
        assert str(be.query_one("#benches-flash").render()) == f"Deleted {saved.file}"
    run(s)


def test_a_wrong_benchmarks_file_is_one_line_naming_its_line_and_field():
    async def s(app, pilot, cluster):
        info = app.session.info()
        cfg = locations.benchmarks_file(info.context, info.cluster)
        cfg.parent.mkdir(parents=True, exist_ok=True)
        cfg.write_text("benchmarks:\n  defaults:\n    concurency: 3\n")
        await goto(app, pilot, first_nginx(app))
        await forward_with_dialog(app, pilot)
        await settle(app, pilot)
        await command(app, pilot, "pf")
        await pilot.press("b")
        note = str(app.screen.query_one("#pf-flash").render())
        assert note == f"{cfg}:3: benchmarks.defaults.concurency: unknown key (did you mean concurrency?): no benchmark"
        assert app.session.benchmarks.running(app.session.forwards.list()[0].key) is None
    run(s)


def test_a_narrow_benchmarks_view_keeps_the_figures():
    row = ("default", "nginx-deployment-fdc5b4bc9-4b6hm", "pass", "4.4511", "673.9960", "3,000", "0",
           "default_nginx-deployment-fdc5b4bc9-4b6hm_nginx_8080_80_1796584516608304930.txt", "2m")
    wide = report_lines([row], 0)
    assert wide[0].split() == list(COLUMNS) and wide[1].split() == list(row)
    mid = report_lines([row], 120)
    assert all(len(line) <= 120 for line in mid) and mid[1].split()[7] == "default_nginx…6608304930.txt"
    narrow = report_lines([row], 74)
    assert narrow[0].split() == ["NAME", "STATUS", "TIME", "REQ/S", "2XX", "4XX/5XX", "AGE"]
    assert narrow[1].split() == ["nginx-deployment-fdc5b4bc9…", "pass", "4.4511", "673.9960", "3,000", "0", "2m"]


def test_benchmarks_sort_by_name_age_and_status_with_k9s_shift_keys(tmp_path):
    """k9s's benchmarks view is a table: newest first (AGE↑), shift-n / shift-a / shift-s sort
    by name, age, status, again the other way; the cursor stays on its report."""
    import os

    from k9py.ui.screens.benchmarks import BenchmarksScreen as Screen
    ok = "Summary:\n  Total:\t1.0 secs\n  Requests/sec:\t10.0\n\nStatus code distribution:\n  [200]\t10 responses\n"
    files = {}
    for name, when, text in (("web", 300, ok), ("api", 100, ok + "\nError distribution:\n  [1] boom\n"),
                             ("db", 200, ok)):
        p = tmp_path / f"default_{name}_c_8080_80_{when}.txt"
        p.write_text(text)
        os.utime(p, (when, when))
        files[name] = p

    async def s(app, pilot, cluster):
        screen = Screen(tmp_path, now=1000.0)
        app.push_screen(screen)
        await settle(app, pilot)

        def names():
            return [r.name for r in screen.reports]

        def header():
            return str(screen.query_one("#benches-header").render()).split()
        assert names() == ["web", "db", "api"] and header()[-1] == "AGE↑"
        await pilot.press("N")
        assert names() == ["api", "db", "web"] and "NAME↑" in header()
        assert screen.reports[screen.selected_index()].name == "web"  # the cursor kept its report
        await pilot.press("N")
        assert names() == ["web", "db", "api"] and "NAME↓" in header()
        await pilot.press("S")
        assert names() == ["api", "db", "web"] and "STATUS↑" in header()  # fail before pass, then by name
        await pilot.press("A", "A")
        assert names() == ["api", "db", "web"] and header()[-1] == "AGE↓"
    run(s)
