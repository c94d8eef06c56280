"""Issue 10, Keys and Filter: k9s's table keys (`x` decodes a secret, `ctrl-s` saves the table as
CSV, `ctrl-space` range-marks, `ctrl-\\` clears the marks), the `:` prompt's history (Up/Down)
and inline suggestion (Tab/right accept it), and messages that belong to the input that caused
them (an invalid filter says so while it is typed, and stops saying so once it parses; a failed
command's error goes when the next view shows)."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest

from k9py.backends.sim import SimBackend
from k9py.kube.timefmt import rfc3339
from k9py.ui import keymap, theme
from k9py.ui.app import K9pyApp
from k9py.ui.screens.yaml_view import YamlScreen
from tests.ui.conftest import table_lines
from tests.ui.simcluster import border_text, command, flash, goto, menu_text, run, settle, sim_cluster

NARROW, WIDE = (80, 24), (160, 45)
SIZES = pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x45"])


def run_at(size, scenario, cluster=None):
    cluster = cluster or sim_cluster()

    async def main():
        app = K9pyApp(SimBackend(cluster), manual=True)
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot, cluster)
    asyncio.run(main())


def names(app):
    m = app.model
    return [m.key_at(i)[1] for i in range(len(m))]


def marked(app):
    return sorted(k[1] for k in app.table.marked)


# -- x: decode a secret -----------------------------------------------------------------------------
@SIZES
def test_x_on_a_secret_row_opens_k9s_secret_decoder(size):
    """k9s's x on a secret: "Secret Decoder", the data keys alone with their values decoded; k9py
    opened the whole Secret's YAML."""
    async def s(app, pilot, cluster):
        await pilot.press("x")  # pods: x means nothing
        await settle(app, pilot)
        assert len(app.screen_stack) == 1
        await command(app, pilot, "secrets")
        assert "<x>" in str(app.query_one("#header").render())
        await goto(app, pilot, "app-secret")
        await pilot.press("x")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, YamlScreen) and screen.decoded
        assert screen.text().strip() == "password: s3cr3t"
        title = border_text(screen.query_one("#viewer-box"))
        assert "Secret Decoder(default/app-secret)" in title and "decoded" in title
        assert "<x>" in menu_text(screen) and "managedFields" not in menu_text(screen)
        await pilot.press("x")  # the decoder's own x masks it again
        await settle(app, pilot)
        assert not screen.decoded and screen.text().strip() == "password: '*****'"
        await pilot.press("escape")
        await settle(app, pilot)
        assert len(app.screen_stack) == 1
    run_at(size, s)


# -- ctrl-s: the table as CSV -----------------------------------------------------------------------
def test_ctrl_s_saves_the_table_as_shown(tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "k9py"))  # ctrl-s: tmp_path/k9py/screens
    odd = 'café-"quoted",x'  # a name as the cluster spells it (written into the store as is)

    async def s(app, pilot, cluster):
        cluster.store.create({"apiVersion": "v1", "kind": "ConfigMap",
                              "metadata": {"name": odd, "namespace": "default"}, "data": {"a": "b"}})
        await command(app, pilot, "cm")
        assert odd in names(app)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        path = app.flash_text.removeprefix("Saved ")
        assert app.flash_text.startswith("Saved ") and path.endswith(".csv")
        saved = tmp_path / "k9py" / "screens"
        assert path.startswith(str(saved)) and "configmaps-default" in path
        raw = Path(path).read_bytes()
        assert odd.replace('"', '""').encode("utf-8") in raw  # the name's bytes, CSV-quoted only
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
        m = app.model
        assert rows[0] == [c.name for c in m.columns]
        assert rows[1:] == [list(m.cells(m.row_at(i))) for i in range(len(m))]
        assert [r[0] for r in rows[1:]] == names(app)
        # filtered: only what the table shows
        await pilot.press("slash", *"café", "enter")
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        again = app.flash_text.removeprefix("Saved ")
        assert again != path
        with open(again, encoding="utf-8", newline="") as fh:
            assert [r[0] for r in csv.reader(fh)] == ["NAME", odd]
    run_at(WIDE, s)


# -- marks ------------------------------------------------------------------------------------------
def test_ctrl_space_marks_a_range_and_ctrl_backslash_clears_marks():
    async def s(app, pilot, cluster):
        shown = names(app)
        assert len(shown) >= 4
        app.table.move_to(0)
        await pilot.press("space")  # marks row 0, the cursor moves to row 1
        app.table.move_to(3)
        await pilot.press("ctrl+@")  # a terminal sends ctrl-space as NUL
        await pilot.pause()
        assert marked(app) == sorted(shown[:4])
        await pilot.press("ctrl+backslash")
        await pilot.pause()
        assert marked(app) == [] and app.current.marks == set()
        # nothing marked above the cursor: up to the nearest marked row below it
        app.table.move_to(3)
        await pilot.press("space")
        app.table.move_to(1)
        await pilot.press("ctrl+@")
        await pilot.pause()
        assert marked(app) == sorted(shown[1:4])
        assert app.current.marks == app.table.marked  # the view keeps them
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert str(app.screen.query_one(".dialog-message").render()) == "Delete 3 marked pods?"
        await pilot.press("escape")
    run_at(WIDE, s)


def test_the_new_keys_are_in_help():
    async def s(app, pilot, cluster):
        await pilot.press("question_mark")
        await pilot.pause()
        body = str(app.screen.query_one("#help-body").render())
        for label in ("<ctrl-space>", "<ctrl-\\>", "<ctrl-s>"):
            assert label in body, label
        await pilot.press("escape")
        await command(app, pilot, "sec")
        await pilot.press("question_mark")
        await pilot.pause()
        assert "<x>" in str(app.screen.query_one("#help-body").render())
    run_at(WIDE, s)


# -- the `:` prompt ---------------------------------------------------------------------------------
def test_up_and_down_recall_the_command_history():
    async def s(app, pilot, cluster):
        for cmd in ("deploy", "svc", "pods"):
            await command(app, pilot, cmd)
        history = app.navigator.history
        assert history[-3:] == ["deploy default", "svc default", "pods default"]
        await pilot.press("colon", "d", "e")
        prompt = app.prompt
        await pilot.press("up")
        assert prompt.value == "pods default"
        await pilot.press("up", "up")
        assert prompt.value == "deploy default" and prompt.cursor_position == len(prompt.value)
        await pilot.press("down")
        assert prompt.value == "svc default"
        await pilot.press("down", "down")  # past the newest: what was typed
        assert prompt.value == "de"
        await pilot.press("up", "up", "enter")
        await settle(app, pilot)
        assert app.title_text().startswith("services(default)")
    run_at(WIDE, s)


def test_up_recalls_the_screens_typed_too():
    """`:xray deploy` and `:pulses` are commands like `:deploy` (k9s keeps them in the history
    its prompt recalls); Up skipped them and brought back the view typed before them. `[` and
    `]` still walk the views only."""
    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        await command(app, pilot, "xray deploy")
        await pilot.press("escape")
        await settle(app, pilot)
        await command(app, pilot, "pulses")
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("colon")
        prompt = app.prompt
        await pilot.press("up")
        assert prompt.value == "pulses"
        await pilot.press("up")
        assert prompt.value == "xray deploy"
        await pilot.press("up")
        assert prompt.value == "deploy default"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.navigator.history[-2:] == ["deploy default", "deploy default"]
    run_at(WIDE, s)


@SIZES
def test_the_suggestion_shows_inline_and_tab_or_right_accepts_it(size):
    async def s(app, pilot, cluster):
        prompt = app.prompt
        await pilot.press("colon", "d", "e", "p")
        await pilot.pause()
        assert prompt._suggestion == "deploy"
        line = prompt.render_line(0).text if prompt.size.height == 1 else painted_prompt(prompt)
        assert "deploy" in line and prompt.value == "dep"  # shown, not typed
        await pilot.press("right")
        assert prompt.value == "deploy"
        await pilot.press("ctrl+u", "s", "t")
        await pilot.pause()
        assert prompt._suggestion == "sts"
        await pilot.press("tab")
        assert prompt.value == "sts"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.title_text().startswith("statefulsets(")
        await pilot.press("slash", "d", "e")  # a filter suggests nothing
        await pilot.pause()
        assert prompt._suggestion == ""
        await pilot.press("escape")
    run_at(size, s)


def painted_prompt(prompt):
    return "\n".join(prompt.render_line(y).text for y in range(prompt.size.height))


# -- messages belong to their input -----------------------------------------------------------------
@SIZES
def test_an_invalid_regex_says_so_until_it_parses(size):
    async def s(app, pilot, cluster):
        await pilot.press("slash", "[")
        await settle(app, pilot)
        assert app.flash_text.startswith("invalid regex: ") and "invalid regex" in flash(app)
        await pilot.press("c", "w", "]")  # `[cw]`: a regex again
        await settle(app, pilot)
        assert app.flash_text == "" and flash(app) == ""
        assert "counter" in names(app) and "web" in names(app)
        await pilot.press("backspace")  # `[cw`: invalid again
        await settle(app, pilot)
        assert app.flash_text.startswith("invalid regex: ")
        await pilot.press("escape")  # the filter goes, and its error with it
        await settle(app, pilot)
        assert app.flash_text == ""
    run_at(size, s)


def test_a_half_typed_selector_error_goes_once_it_parses():
    async def s(app, pilot, cluster):
        await pilot.press("slash", *"-l app in (nginx")
        await settle(app, pilot)
        assert app.flash_text  # the selector's own error, while it does not parse
        await pilot.press(")")
        await settle(app, pilot)
        assert app.flash_text == ""
        assert names(app) and all(n.startswith("nginx-deployment") for n in names(app))
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.flash_text == ""
    run_at(WIDE, s)


def test_a_failed_commands_error_does_not_outlive_the_next_view():
    async def s(app, pilot, cluster):
        await command(app, pilot, "nope")
        assert app.flash_text == "`nope` command not found"
        await command(app, pilot, "deploy")
        assert app.flash_text == ""
        await command(app, pilot, "po -l app!")  # a bad selector: no view change, the error stays
        assert app.flash_text
        await pilot.press("enter")  # the deployment's pods: another view, the error goes
        await settle(app, pilot)
        assert app.title_text().startswith("pods(") and app.flash_text == ""
        # an information is not an error: it stays
        app.flash("Saved somewhere")
        await command(app, pilot, "svc")
        assert app.flash_text == "Saved somewhere"
    run_at(WIDE, s)


def test_a_suggestion_starts_no_worker_so_none_is_left_unrun():
    """`:q⏎` typed in one burst: the app exits right after the keys; a suggestion worked out in a
    worker per keystroke would leave coroutines never awaited ("... was never awaited" on the
    terminal after k9py is gone). The suggestion is there as the key is, with no worker."""
    async def s(app, pilot, cluster):
        await pilot.press("colon")
        before = len(app.workers)
        app.prompt.value = "dep"  # as a key's edit does (its watchers run at once)
        assert app.prompt._suggestion == "deploy" and len(app.workers) == before
        await pilot.press("escape")
    run_at(WIDE, s)


def test_a_suggestion_shows_for_keys_typed_in_one_burst():
    """`:dep` in one read: the keys are in the prompt before its focus event (which clears
    Input's suggestion) is handled; the suggestion is there all the same."""
    from textual import events

    async def s(app, pilot, cluster):
        for key, char in (("colon", ":"), ("d", "d"), ("e", "e"), ("p", "p")):
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)
        for _ in range(5):
            await pilot.pause()
        assert app.prompt.value == "dep" and app.prompt._suggestion == "deploy"
        await pilot.press("escape")
    run_at(WIDE, s)


def test_shift_arrows_select_a_column_and_shift_o_sorts_by_it_as_k9s():
    """k9s's column selection: the sort column is selected at first; shift-right/left move the
    selection (round at the ends), shift-o sorts by the selected column (again: the other way)."""
    async def s(app, pilot, cluster):
        await command(app, pilot, "po")
        names = [c.name for c in app.model.columns]
        assert app.table.selected_column() == app.model.sort_col == "NAME"
        await pilot.press("shift+right", "shift+right")
        assert app.table.selected_column() == names[names.index("NAME") + 2]
        await pilot.press("shift+left")
        picked = names[names.index("NAME") + 1]
        assert app.table.selected_column() == picked and app.model.sort_col == "NAME"
        await pilot.press("O")
        await settle(app, pilot)
        assert app.model.sort_col == picked and app.model.sort_asc
        await pilot.press("O")
        await settle(app, pilot)
        assert app.model.sort_col == picked and not app.model.sort_asc
        await pilot.press("shift+left", "shift+left")
        assert app.table.selected_column() == names[names.index(picked) - 2 if names.index(picked) >= 2 else len(names) - 2 + names.index(picked)]
        header = app.table.render_line(0)
        colour = {seg.text.strip(): seg.style.color for seg in header if seg.text.strip()}
        chosen = theme.style("table.selected").color  # k9s's selectedSortColumnColor
        assert colour[app.table.selected_column()] == chosen  # the selected column stands out
        assert colour["READY"] != chosen and app.table.selected_column() != "READY"
        # the sorted column's name in the header's colour, its arrow alone in sorterColor (k9s's)
        assert colour[picked] == theme.style("table.header").color
        assert colour["↓"] == theme.style("table.sorter").color != chosen
        await pilot.press("A")  # a sort key: its column is the selection again (k9s's initSelectedColumn)
        await settle(app, pilot)
        assert app.model.sort_col == "AGE" and app.table.selected_column() == "AGE"
    run_at(WIDE, s)


def test_a_small_tables_columns_are_as_wide_as_its_widest_row_from_the_first_frame():
    """The widths came from the rows on screen: going down to a longer name widened NAME then,
    and every column after it moved (at 80 columns AGE went). Up to a few hundred rows, every
    row sets them from the first frame, as k9s measures all of its rows."""
    cluster = sim_cluster()
    for i in range(40):
        cluster.create({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": f"cm-{i:02d}", "namespace": "default"}})
    long = "zz-a-config-map-whose-name-is-longer-than-all-the-others"
    cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": long, "namespace": "default"}})

    async def s(app, pilot, cluster):
        await command(app, pilot, "cm")
        await pilot.pause()
        t = app.table
        name = app.model.col_index("NAME")
        assert len(app.model) > t.page  # the long name is below the first page
        before = list(t._widths)
        assert before[name] >= len(long)
        await pilot.press("G")
        await pilot.pause()
        assert t._widths == before  # nothing moved
    run_at(NARROW, s, cluster)


def test_shift_a_sorts_created_at_where_kubectl_prints_no_age():
    """:cr, :ro and :crd are printed as kubectl prints them, NAME and CREATED AT: k9s's shift-a
    (Sort Age) sorts that column, the youngest first as AGE sorts, again the other way; the menu
    says so."""
    async def s(app, pilot, cluster):
        for name, made in (("old-role", 3600), ("new-role", 60)):
            cluster.store.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                                  "metadata": {"name": name,
                                               "creationTimestamp": rfc3339(cluster.now() - made)},
                                  "rules": []})
        await command(app, pilot, "clusterroles")
        columns = {c.name for c in app.model.columns}
        assert "AGE" not in columns and "CREATED AT" in columns
        assert ("<shift-a>", "Sort Created At") in keymap.menu(app.current.scope.view, False, columns)
        await pilot.press("A")
        await settle(app, pilot)
        assert "no AGE column" not in app.flash_text
        assert "CREATED AT↑" in table_lines(app)[0]
        order = [app.model.row_at(i).key[1] for i in range(len(app.model))]
        assert order.index("new-role") < order.index("old-role")
        await pilot.press("A")
        await settle(app, pilot)
        order = [app.model.row_at(i).key[1] for i in range(len(app.model))]
        assert order.index("old-role") < order.index("new-role")
    run(s, sim_cluster())


def test_h_and_l_scroll_sideways_where_the_view_has_no_row_key_on_them():
    """k9s (tview's table) scrolls left and right on h and l too, and its ? lists them under
    NAVIGATION: in :pv they scroll a whole column as the arrows do; on pods `l` stays Logs."""
    from k9py.ui.screens.logs import LogScreen

    async def s(app, pilot, cluster):
        await command(app, pilot, "pv")
        assert app.table.content_width > app.table.size.width
        before = table_lines(app)[0]
        await pilot.press("l")
        await settle(app, pilot)
        after = table_lines(app)[0]
        assert after != before and after.split()[0] == app.model.columns[1].name
        await pilot.press("h")
        await settle(app, pilot)
        assert table_lines(app)[0] == before
        columns = {c.name for c in app.model.columns}
        nav = dict(keymap.help_sections(app.current.scope.view, False, columns, [])[2][1])
        assert nav["<h>"] == "Left" and nav["<l>"] == "Right"
        await command(app, pilot, "pods")
        columns = {c.name for c in app.model.columns}
        nav = dict(keymap.help_sections(app.current.scope.view, False, columns, [])[2][1])
        assert nav["<h>"] == "Left" and "<l>" not in nav  # (l is Logs here)
        await pilot.press("l")
        await settle(app, pilot)
        assert isinstance(app.screen, LogScreen)
    run(s, sim_cluster(), size=(80, 24))


def test_q_in_a_table_goes_back_and_clears_a_filter_as_esc_does():
    """k9s's Browser binds q as esc (Filter Reset, then Back) and its ? lists q Back: from the pods
    of a deployment q clears their filter, then goes back to the deployments; in the prompt q is
    typed."""
    async def s(app, pilot, cluster):
        await command(app, pilot, "deploy")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.title_text().startswith("pods(")
        await pilot.press("slash", "q", "u", "x")
        await pilot.pause()
        assert app.prompt.value == "qux"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.model.filter and app.model.filter.text == "qux"
        await pilot.press("q")
        await settle(app, pilot)
        assert not app.model.filter and app.title_text().startswith("pods(")
        await pilot.press("q")
        await settle(app, pilot)
        assert app.title_text().startswith("deployments(")
        columns = {c.name for c in app.model.columns}
        general = dict(keymap.help_sections(app.current.scope.view, False, columns, [])[1][1])
        assert general["<q>"] == "Back"
    run(s, sim_cluster())


def test_a_model_loaded_again_in_a_worker_keeps_the_cursor_on_its_line(monkeypatch):
    """A view of many rows loaded again in a worker thread (a live watch's relist after a 410):
    the fresh model keeps the row under the cursor on the line of the pane it was on, not the
    line it had when the view opened."""
    from k9py.explorer import resource_view
    from tests.ui.simcluster import command, deployment, run, settle, sim_cluster

    monkeypatch.setattr(resource_view, "LOAD_IN_THREAD_MIN", 3)

    async def scenario(app, pilot, cluster):
        await command(app, pilot, "sp")  # a pane of a few lines
        await settle(app, pilot)
        await app.current.settled()
        await settle(app, pilot)
        await pilot.press(*"jjjjjjjj", "k", "k")  # down past the window, then up: the cursor mid-window
        table = app.table
        picked, top = table.cursor_key, round(table.scroll_y)
        assert top > 0 and app.model.index_of(picked) - top not in (0, table.page - 1)
        model = app.model
        view = app.current
        assert view._load_rows(view.cache())  # (as the cache's reset does: in a worker thread)
        await settle(app, pilot)
        await app.current.settled()
        await settle(app, pilot)
        assert app.model is not model  # loaded again, in a worker thread
        assert (app.table.cursor_key, round(app.table.scroll_y)) == (picked, top)
    cluster = sim_cluster()
    cluster.create(deployment("many", replicas=10))
    cluster.advance(30)
    run(scenario, cluster, size=(80, 24))


def test_a_filter_submitted_measures_the_columns_for_its_rows_and_esc_again_for_all():
    """`/counter⏎` over pods whose longest name is a Deployment's: NAME stayed that wide, and at
    80 columns the columns after it went off the screen. Submitted, the filter's rows set the
    widths (k9s's); cleared, every row's again. The keys typed meanwhile lay nothing out."""
    async def s(app, pilot, cluster):
        await command(app, pilot, "pods")
        await settle(app, pilot)
        t = app.table
        name = [c.name for c in app.model.columns].index("NAME")
        longest = max(len(app.model.row_at(i).key[1]) for i in range(len(app.model)))
        assert t._widths[name] == longest > len("counter")
        await pilot.press("slash", *"counter", "enter")
        await settle(app, pilot)
        assert [app.model.row_at(i).key[1] for i in range(len(app.model))] == ["counter"]
        assert t._widths[name] == len("counter")
        assert table_lines(app)[0].split()[:3] == ["NAME↑", "PF", "READY"]
        await pilot.press("escape")
        await settle(app, pilot)
        assert t._widths[name] == longest
    run(s, size=(80, 24))
