"""Split panes (issue 16): each pane its own Navigator over the one Session; the focused pane is
what the app's keys act on; unfocused panes go on updating; a log pane follows a pods pane's
cursor. On the simulator's manual clock."""

from k9py.ui.splits import Split
from k9py.ui.widgets.follow_logs import FollowLogs
from k9py.ui.widgets.pane import ExplorerPane
from tests.ui.simcluster import flash, goto, run, settle

SIZE = (100, 30)  # smaller than the other tests': a key costs less to paint


async def step(app, pilot) -> None:
    """One round of `settle` (a full one is four: ~40 ms each, the most of these tests' time)."""
    await app.pump()
    await pilot.pause()


async def do(app, pilot, text: str) -> None:
    """A command as `:` + enter runs it (typing it would cost ~70 ms a key)."""
    app.run_command(text)
    await step(app, pilot)


def names(pane: ExplorerPane) -> list[str]:
    m = pane.current.model
    return [m.row_at(i).key[1] for i in range(len(m))]


def header(app) -> str:
    return str(app.query_one("#header").render())


def test_panes_have_their_own_views_filters_and_focus():
    async def s(app, pilot, cluster):
        first = app.pane
        await do(app, pilot, "sp dp")
        await settle(app, pilot)  # its rows
        top, bottom = app.splits.panes()
        assert top is first and app.pane is bottom  # the new pane below has the focus
        assert app.query_one("#panes", Split).orient == "v" and bottom.region.y > top.region.y
        assert app.navigator is bottom.navigator and app.title_text() == "deployments(default)[1]"
        assert top.current.scope.view.name == "pods"  # the first pane keeps its view
        assert "Scale" in header(app)  # the header shows the focused pane's menu
        assert top.has_class("-unfocused") and not bottom.has_class("-unfocused")
        assert top.table.styles.border_title_color != bottom.table.styles.border_title_color  # dimmed

        await pilot.press("tab")  # focus moves
        assert app.pane is top and app.focused is top.table and "pods(default)" in app.title_text()
        assert "Shell" in header(app) and bottom.has_class("-unfocused")

        await pilot.press("slash", *"cou", "enter")  # `/` filters the focused pane only
        assert names(top) == ["counter"] and top.current.filter == "cou"
        assert bottom.current.filter == "" and names(bottom) == ["nginx-deployment"]
        await pilot.press("shift+tab")
        assert app.pane is bottom and app.current.filter == ""

        # unfocused panes keep updating: a pod deleted behind the pods pane leaves it
        app.splits.focus_next(1)
        await pilot.press("escape")  # esc clears the focused pane's filter
        assert "web" in names(top) and top.current.filter == ""
        app.splits.focus_next(1)
        assert app.pane is bottom
        cluster.delete("Pod", "default", "web", grace_period=0)  # (while the deployments pane has the focus)
        await settle(app, pilot, 5)
        assert "web" not in names(top) and "counter" in names(top)

        # :vsplit with a command: side by side, its own namespace
        await do(app, pilot, "vs pods kube-system")
        top, bottom, right = app.splits.panes()  # (the bottom pane is a fresh widget in its pair)
        assert app.pane is right and bottom.current.scope.view.name == "deployments"
        assert app.current.namespace == "kube-system" and top.current.namespace == "default"
        assert right.region.x > bottom.region.x and right.region.y == bottom.region.y

        # zoom: only the focused pane shows; again: all of them
        await do(app, pilot, "zoom")
        assert not top.display and not bottom.display and right.display
        assert right.region.width == SIZE[0] and right.region.height > 20
        await do(app, pilot, "zoom")
        assert top.display and bottom.display and right.region.width <= SIZE[0] // 2

        # close and only; the last pane is never closed (`:q` quits)
        await do(app, pilot, "close")
        assert app.splits.panes() == [top, bottom] and app.pane is bottom
        await do(app, pilot, "only")
        assert [p.navigator for p in app.splits.leaves()] == [bottom.navigator] and app.title_text() == "deployments(default)[1]"
        await do(app, pilot, "close")
        assert "the only pane" in flash(app) and len(app.splits.panes()) == 1
        assert app.is_running
    run(s, size=SIZE)


def test_pane_keys_and_pods_with_logs_following_the_cursor():
    async def s(app, pilot, cluster):
        pods = app.pane
        await pilot.press("ctrl+right_square_bracket", "l")  # ctrl-] l: the selected pod's logs below
        await settle(app, pilot)
        logs = next(x for x in app.splits.leaves() if isinstance(x, FollowLogs))
        assert app.pane is pods and logs.region.y > pods.region.y  # the pods pane keeps the focus
        assert logs.title() == "logs default/counter"
        await pilot.press("ctrl+right_square_bracket", "escape")  # esc: no pane key after all
        assert not app.splits.pending and len(app.splits.leaves()) == 2 and app.pane is pods
        before = logs.text().splitlines()
        assert before and all(": " in line for line in before[-3:])  # the counter's numbered lines

        await settle(app, pilot, 3)  # an unfocused log pane follows its stream
        assert len(logs.text().splitlines()) > len(before)

        await goto(app, pilot, "web")  # the cursor moves: the logs follow (both containers, prefixed)
        await settle(app, pilot)
        assert logs.title() == "logs default/web"
        assert "sidecar " in logs.text() and "counter" not in logs.title()
        await do(app, pilot, "dp")  # the pane it follows leaves pods: the pod goes on, the title says why
        assert logs.title() == "logs default/web (its pane shows deployments)"
        await do(app, pilot, "po")
        assert logs.title().startswith("logs default/") and "its pane" not in logs.title()

        # what the keys after ctrl-] do (the keys themselves: `l` above, `p` in the next test):
        # split right, focus the pane to the left, zoom, close
        app.splits.prefix("vsplit")
        await step(app, pilot)
        assert len(app.splits.panes()) == 2 and app.pane is not pods and app.title_text() == "pods(default)[4]"
        app.splits.prefix("left")
        assert app.pane.navigator is pods.navigator
        app.splits.prefix("zoom")
        await step(app, pilot)
        assert app.splits.zoomed and not logs.display
        app.splits.prefix("zoom")
        await step(app, pilot)
        assert logs.display
        app.splits.prefix("close")
        await step(app, pilot)
        assert len(app.splits.panes()) == 1 and logs.is_attached
        app.splits.prefix("close")  # the last explorer pane stays (a log pane alone could not be driven)
        await step(app, pilot)
        assert len(app.splits.panes()) == 1 and "last explorer pane" in flash(app)
    run(s, size=SIZE)


def test_tabs_and_layouts_saved_and_restored_by_name(tmp_path):
    async def s(app, pilot, cluster):
        first = app.pane
        app.splits.layouts_file = tmp_path / "layouts.yaml"
        await do(app, pilot, "sp logs")
        await do(app, pilot, "tabnew dp")  # a tab: a layout of its own, the others hidden
        sp = app.splits
        assert len(sp.roots) == 2 and sp.active == 1 and not sp.roots[0].display and sp.roots[1].display
        assert app.current.scope.view.name == "deployments" and app.pane is not first
        bar = app.query_one("#tabbar")
        assert bar.display and str(bar.render()).split() == ["1:pods", "2:deployments"]
        await pilot.press("ctrl+right_square_bracket", "p")  # the previous tab, its pane focused again
        assert sp.active == 0 and app.pane is first and app.title_text() == "pods(default)[4]"
        assert sp.roots[0].display and not sp.roots[1].display

        await do(app, pilot, "layout save work")
        assert "layout work saved" in flash(app)
        saved = (tmp_path / "layouts.yaml").read_text()
        assert "pods default" in saved and "dp default" in saved and "follows: 0" in saved

        await do(app, pilot, "tabclose")
        await do(app, pilot, "only")
        assert len(sp.roots) == 1 and len(sp.all_leaves()) == 1 and not bar.display
        await do(app, pilot, "layout work")  # every tab as saved: pods with its logs, then deployments
        await settle(app, pilot)
        assert len(sp.roots) == 2 and sp.active == 0 and app.title_text() == "pods(default)[4]"
        logs = next(x for x in sp.leaves() if isinstance(x, FollowLogs))
        assert logs.title() == "logs default/counter" and logs.text()
        await do(app, pilot, "tabnext")
        assert app.current.scope.view.name == "deployments" and sp.active == 1
        await do(app, pilot, "layout nope")
        assert "no layout nope" in flash(app)
        await do(app, pilot, "layout save")  # no name: said so, not "no layout save"
        assert flash(app) == "layout save: name it (:layout save NAME)"
        await do(app, pilot, "layout save my work")
        assert flash(app) == "layout save: one word for its name (:layout save NAME)"
    run(s, size=SIZE)


def test_a_split_of_no_view_is_said_and_makes_no_pane():
    async def s(app, pilot, cluster):
        await do(app, pilot, "split bogus")
        await settle(app, pilot)
        assert len(app.splits.panes()) == 1 and flash(app) == "`bogus` command not found"
        await do(app, pilot, "split pulses")  # a screen of its own: said as such, no pane
        await settle(app, pilot)
        assert len(app.splits.panes()) == 1 and flash(app) == ":pulses is a screen of its own: a pane shows a view (:split deploy)"
        await do(app, pilot, "split q")  # not a quit
        await settle(app, pilot)
        assert len(app.splits.panes()) == 1 and flash(app).startswith(":q quits k9py") and app.is_running
        await do(app, pilot, "vs dp")  # a view (an alias of it) splits as before
        await settle(app, pilot)
        assert len(app.splits.panes()) == 2 and app.title_text() == "deployments(default)[1]"
    run(s, size=SIZE)


def test_slash_in_a_focused_log_pane_filters_its_lines_not_the_pods():
    """Tab to the log pane, `/7:⏎`: its lines are filtered (the title says so), the pods pane
    keeps its rows; `/⏎` shows every line again."""
    async def s(app, pilot, cluster):
        pods = app.pane
        await pilot.press("ctrl+right_square_bracket", "l")
        await settle(app, pilot, 10)
        logs = next(x for x in app.splits.leaves() if isinstance(x, FollowLogs))
        every, rows = logs.text().splitlines(), names(pods)
        assert len(every) > 3
        await pilot.press("tab")
        await settle(app, pilot)
        assert app.splits.leaf is logs
        await pilot.press("slash", "7", "colon", "enter")
        await settle(app, pilot)
        kept = logs.text().splitlines()
        assert kept and len(kept) < len(every) and all("7:" in ln for ln in kept)
        assert logs.title().endswith("</7:>") and names(pods) == rows and pods.current.filter == ""
        await pilot.press("slash", "enter")
        await settle(app, pilot)
        assert len(logs.text().splitlines()) >= len(every) and not logs.title().endswith(">")
    run(s, size=SIZE)


def test_a_log_pane_following_another_pod_forgets_the_last_ones_line_width():
    """The width of the pod followed before is not kept: a pod of short lines gets no
    horizontal scroll bar (it cost a line of a small pane) left from one of long lines."""
    async def s(app, pilot, cluster):
        await goto(app, pilot, "web")
        await do(app, pilot, "sp logs")
        await settle(app, pilot, 3)
        logs = next(x for x in app.splits.leaves() if isinstance(x, FollowLogs))
        assert logs.title() == "logs default/web"
        wide = max(map(len, logs.text().splitlines()))
        assert logs.body.max_width >= wide >= 40
        await goto(app, pilot, "counter")
        await settle(app, pilot, 3)
        assert logs.title() == "logs default/counter"
        short = max(map(len, logs.text().splitlines()))
        assert logs.body.max_width == short < wide
    run(s, size=SIZE)


def test_a_saved_layout_whose_view_is_gone_says_so(tmp_path):
    """A layout naming a view k9py does not know (a typo in the file, a CRD since deleted): the
    pane opens pods, and the flash says why, after every pane has opened."""
    async def s(app, pilot, cluster):
        app.splits.layouts_file = tmp_path / "layouts.yaml"
        app.splits.layouts_file.write_text("layouts:\n  w:\n  - split: h\n    panes:\n"
                                           "    - view: nosuch\n    - view: dp default\n")
        await do(app, pilot, "layout w")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert [p.current.scope.view.name for p in app.splits.panes()] == ["pods", "deployments"]
        assert flash(app) == "`nosuch` command not found"
    run(s, size=SIZE)


def test_only_on_a_focused_log_pane_says_so_and_keeps_every_pane():
    """`:sp logs`, tab to the log pane, `:only`: it said `focus an explorer pane` only when the
    log pane sat in a split of its own; at the root it removed the explorer and the app fell."""
    async def s(app, pilot, cluster):
        await do(app, pilot, "sp logs")
        await settle(app, pilot)
        await pilot.press("tab")
        await step(app, pilot)
        assert isinstance(app.splits.leaf, FollowLogs)
        await do(app, pilot, "only")
        assert flash(app) == "only: focus an explorer pane"
        assert len(app.splits.all_leaves()) == 2 and app.pane is not None
        await pilot.press("tab")  # back to the pods: only keeps them alone
        await step(app, pilot)
        await do(app, pilot, "only")
        assert len(app.splits.all_leaves()) == 1 and app.title_text().startswith("pods(")
    run(s)


def test_a_log_pane_hidden_by_a_zoom_follows_on_after_it():
    """zoom on the pods, the log pane hidden meanwhile, zoom again: it shows the newest lines
    (hidden it had no height, so it was never "at the bottom" again and stopped following)."""
    async def s(app, pilot, cluster):
        await do(app, pilot, "sp logs")
        await settle(app, pilot, 3)
        logs = next(x for x in app.splits.leaves() if isinstance(x, FollowLogs))
        assert logs.body.at_bottom() and logs.body.count > logs.body.page  # it scrolls by now
        await do(app, pilot, "zoom")
        assert app.splits.zoomed and not logs.display
        await settle(app, pilot, 3)
        await do(app, pilot, "zoom")
        await settle(app, pilot, 2)
        assert logs.body.at_bottom(), (logs.body.top, logs.body.page, logs.body.count)
    run(s)
