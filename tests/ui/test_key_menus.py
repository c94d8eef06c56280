"""Every pushed screen shows its key menu and `?` lists exactly its keys: both derived from the
bindings the screen really has (k9py.ui.widgets.menu), k9s's labels and column layout, fitted to
the width (dropped, never wrapped)."""

from __future__ import annotations

import asyncio

import pytest
from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen

from k9py.backends.sim import SimBackend
from k9py.ui.app import K9pyApp
from k9py.ui.screens.describe import DescribeScreen
from k9py.ui.screens.dialogs import (
    ConfirmScreen,
    DeleteDialog,
    DrainDialog,
    ImageDialog,
    NamePicker,
    ScaleScreen,
)
from k9py.ui.screens.help import AliasesScreen, HelpBody, HelpScreen, KeyedScreen, help_lines
from k9py.ui.screens.logs import IN_HELP_ONLY, LogScreen, LogSource
from k9py.ui.screens.viewer import LinesView, ViewerScreen
from k9py.ui.screens.yaml_view import YamlScreen
from k9py.ui.widgets.menu import (
    Hint,
    KeyMenu,
    bindings_of,
    hints_from_bindings,
    key_label,
    menu_lines,
    menu_text,
    rows_needed,
)
from tests.ui.simcluster import settle, sim_cluster, wears_chrome

WIDE, NARROW = (160, 45), (80, 24)

VIEWER = ["<esc>", "<?>", "</>", "<n>", "<shift-n>", "<c>", "<ctrl-s>", "<f>", "<j>", "<k>"]
LOGS = ["<s>", "<w>", "<t>", "<j>", "</>", *[f"<{i}>" for i in range(7)],
        "<esc>", "<?>", "<n>", "<shift-n>", "<c>", "<ctrl-s>", "<f>", "<k>"]
HELP = ["<esc>", "<?>", "<j>", "<k>", "<g>", "<shift-g>", "<ctrl-f>", "<ctrl-b>"]
CONFIRM = ["<y>", "<n>", "<enter>", "<tab>", "<esc>", "<?>"]
DIALOG = ["<enter>", "<tab>", "<shift-tab>", "<esc>", "<?>"]


# -- labels, hints, layout ------------------------------------------------------------------------
def test_k9s_labels():
    assert [key_label(k) for k in ("ctrl+s", "G", "N", "escape", "space", "slash", "n", "question_mark",
                                   "shift+tab", "0", "pagedown", "colon", "left_square_bracket", "enter")] == [
        "<ctrl-s>", "<shift-g>", "<shift-n>", "<esc>", "<space>", "</>", "<n>", "<?>",
        "<shift-tab>", "<0>", "<pgdn>", "<:>", "<[>", "<enter>"]


def test_hints_only_for_described_bindings_first_binding_of_a_key_wins():
    hints = hints_from_bindings([Binding("escape,q", "back", "Back"), Binding("q", "quit", "Quit"),
                                 Binding("j", "scroll(1)"), ("m", "toggle_managed", "managedFields")])
    assert hints == [Hint("<esc>", "Back", ("escape", "q"), "back"),
                     Hint("<m>", "managedFields", ("m",), "toggle_managed")]
    assert hints[0].labels == "<esc>/<q>"


def test_menu_columns_like_k9s_numbered_keys_first_never_wider_than_the_width():
    hints = [Hint("<c>", "Copy"), Hint("<0>", "tail"), Hint("<ctrl-s>", "Save"), Hint("<1>", "head"),
             Hint("<f>", "Full screen")]
    assert [t.plain for t in menu_lines(hints, 80, 2)] == [
        " <0> tail  <c>      Copy  <f> Full screen",
        " <1> head  <ctrl-s> Save",
    ]
    assert (rows_needed(hints, 80), rows_needed(hints, 41), rows_needed(hints, 40)) == (1, 2, 3)
    # too narrow: whole columns are dropped from the end, no hint is cut or wrapped
    assert [t.plain for t in menu_lines(hints, 30, 2)] == [" <0> tail  <c>      Copy", " <1> head  <ctrl-s> Save"]
    for width in range(1, 90):
        text = menu_text(hints, width, rows_needed(hints, width))
        assert isinstance(text, Text) and text.no_wrap
        assert all(len(line) <= width for line in text.plain.split("\n"))


def test_descriptions_are_never_markup():
    text = menu_text([Hint("<x>", "[bold]not markup[/bold]")], 80, 1)
    assert text.plain == " <x> [bold]not markup[/bold]"


# -- the drift guard: the menu and `?` are the bindings ------------------------------------------------
SCREENS = [ViewerScreen, DescribeScreen, YamlScreen, LogScreen, HelpScreen, AliasesScreen,
           ConfirmScreen, ScaleScreen, DeleteDialog, ImageDialog, DrainDialog, NamePicker]


def _stock(key: str) -> bool:
    """Keys of Textual's own Screen (focus cycling, text copy) that no k9py screen offers."""
    return any(key in b.key.split(",") for b in Screen.BINDINGS if isinstance(b, Binding))


@pytest.mark.parametrize("cls", SCREENS, ids=lambda c: c.__name__)
def test_every_hint_is_a_real_binding_and_every_described_binding_is_a_hint(cls: type[KeyedScreen]):
    hints = [h for _, hs in cls.binding_sections() for h in hs]
    merged = cls._merged_bindings.key_to_bindings  # what Textual runs for this class
    for h in hints:
        for key in h.keys:
            assert any(b.action == h.action and b.description == h.description for b in merged[key]), (h, key)
    hinted = {k for h in hints for k in h.keys}
    for key, bindings in merged.items():
        if any(b.description for b in bindings) and not (_stock(key) and key not in hinted):
            assert key in hinted, (cls.__name__, key)
    assert any(h.label == "<?>" for h in hints)  # `?` everywhere
    assert len({k for h in hints for k in h.keys}) == sum(len(h.keys) for h in hints)  # a key once


def test_bindings_of_drops_a_key_a_subclass_binds_again():
    groups = dict(bindings_of(LogScreen))
    assert [b.key for b in groups[LogScreen]][:4] == ["s", "w", "t", "j"]
    assert "j" not in {k for b in groups[ViewerScreen] for k in b.key.split(",")}
    assert "k" in {k for b in groups[ViewerScreen] for k in b.key.split(",")}


# -- on screen --------------------------------------------------------------------------------------
def run_at(size, scenario, cluster=None, *, headless=True):
    """``headless``: no header (--headless), so a viewer shows its own key menu (with the header,
    the header's menu holds its keys, as k9s's: test_a_viewer_wears_k9s_header_and_crumbs)."""
    cluster = cluster or sim_cluster()

    async def main():
        app = K9pyApp(SimBackend(cluster), manual=True, headless_ui=headless)
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await scenario(app, pilot, cluster)
    asyncio.run(main())


def pod(cluster, name):
    return cluster.store.get("Pod", "default", name)


def opener(name):
    """How each screen is opened (pushed as the explorer pushes it, with the app's session)."""
    def make(app, cluster):
        s = app.session
        return {
            "viewer": lambda: ViewerScreen("YAML(counter/counter)", session=s),
            "describe": lambda: DescribeScreen("Pod", "default", "counter", pod(cluster, "counter"), session=s),
            "yaml": lambda: YamlScreen("Pod", "default", "counter", pod(cluster, "counter"), session=s),
            "yaml-secret": lambda: YamlScreen("Secret", "default", "app-secret",
                                              cluster.store.get("Secret", "default", "app-secret"), session=s),
            "logs": lambda: LogScreen("Logs(default/counter:counter)", [LogSource("default", "counter", "counter")],
                                      session=s),
            "previous": lambda: LogScreen("Previous logs(default/counter:counter)",
                                          [LogSource("default", "counter", "counter")], previous=True, session=s),
            "confirm": lambda: ConfirmScreen("<Kill>", "Kill pods default/counter?"),
            "scale": lambda: ScaleScreen("<Scale> default/nginx-deployment", 2),
            "delete": lambda: DeleteDialog("<Delete>", "Delete pods default/counter?"),
            "image": lambda: ImageDialog("<Set image> default/nginx-deployment", [("nginx", "nginx:1.14.2")]),
            "drain": lambda: DrainDialog("<Drain> minikube", "Drain minikube?"),
            "picker": lambda: NamePicker("<Containers> default/web", ["nginx", "sidecar"]),
            "help": lambda: HelpScreen("Help: pods", [("GENERAL", [("<:cmd>", "Command mode")])]),
            "aliases": lambda: AliasesScreen("Aliases[1]", Text("Pod  pods  po,pod")),
        }[name]()
    return make


MENUS = {
    # describe and YAML: k9s's e (edit the object shown) and r (auto-refresh) besides the viewer's
    "viewer": VIEWER, "describe": ["<e>", "<r>", *VIEWER], "yaml": ["<m>", "<e>", "<r>", *VIEWER],
    "yaml-secret": ["<m>", "<x>", "<e>", "<r>", *VIEWER],
    "logs": LOGS, "previous": [label for label in LOGS if not label[1].isdigit()],
    "help": HELP, "aliases": ["<ctrl-a>", *HELP], "confirm": CONFIRM, "scale": ["<enter>", "<esc>", "<?>"],
    "delete": ["<enter>", "<tab>", "<shift-tab>", "<y>", "<n>", "<esc>", "<?>"],
    "image": DIALOG, "drain": DIALOG, "picker": ["<enter>", "<j>", "<k>", "<esc>", "<?>"],
}
# the rows the menu takes at 160 and at 80 columns to fit every key (dialogs have their own width)
ROWS = {"viewer": (1, 3), "describe": (1, 3), "yaml": (2, 4), "yaml-secret": (2, 4), "logs": (2, 5),
        "previous": (2, 4), "help": (1, 2), "aliases": (1, 3), "confirm": (2, 2), "scale": (1, 1), "delete": (2, 2),
        "image": (2, 2), "drain": (2, 2), "picker": (1, 1)}


def painted(widget):
    return [widget.render_line(y).text for y in range(widget.size.height)]


async def open_screen(app, pilot, cluster, name):
    screen = opener(name)(app, cluster)
    await app.push_screen(screen)
    await settle(app, pilot)
    assert app.screen is screen
    return screen


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["160x45", "80x24"])
@pytest.mark.parametrize("name", list(MENUS))
def test_menu_of_each_screen(name, size):
    async def s(app, pilot, cluster):
        screen = await open_screen(app, pilot, cluster, name)
        menu = screen.query_one("#key-menu", KeyMenu)
        assert [h.label for h in menu.hints] == MENUS[name]
        assert menu.hints == screen.key_hints()
        shown = menu.shown()
        lines = painted(menu)
        width = menu.content_region.width
        assert all(len(line.rstrip()) <= width for line in lines)
        assert sorted(shown, key=menu.hints.index) == menu.hints  # all of them fit
        assert menu.size.height == ROWS[name][size == NARROW]
        for h in shown:  # each hint whole on one line: label, a space, its description
            assert sum(f"{h.label} " in line and h.description in line for line in lines) >= 1, h
        # every hint's key does something here now (Textual's active bindings of this screen)
        active = app.active_bindings
        for h in menu.hints:
            node = active[h.keys[0]].node
            assert node is screen or screen in node.ancestors_with_self, (h, node)
    run_at(size, s)


def test_menu_drops_what_does_not_fit_rather_than_wrap():
    async def s(app, pilot, cluster):
        screen = await open_screen(app, pilot, cluster, "logs")
        menu = screen.query_one("#key-menu", KeyMenu)
        assert menu.size.height == 6  # k9s's most
        # whole columns from the end are left out: the windows, then the log toggles and esc
        assert [h.label for h in menu.shown()] == [*[f"<{i}>" for i in range(7)],
                                                   "<s>", "<w>", "<t>", "<j>", "</>", "<esc>"]
        lines = painted(menu)
        assert all(len(line.rstrip()) <= 40 for line in lines)
        assert lines[0].rstrip() == " <0> tail  <6> 1h  <s>   Autoscroll"
        assert not any("<?>" in line or "Help" in line for line in lines)
    run_at((40, 24), s)


@pytest.mark.parametrize("size", [WIDE, NARROW], ids=["160x45", "80x24"])
@pytest.mark.parametrize("name", [n for n in MENUS if n not in ("help", "aliases")])
def test_question_mark_lists_the_screens_keys_and_esc_returns_to_it(name, size):
    async def s(app, pilot, cluster):
        screen = await open_screen(app, pilot, cluster, name)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        body = help_screen.query_one("#help-body", HelpBody)
        sections = dict(body.sections)
        listed = [h for hs in sections.values() for h in hs]
        assert [h for h in listed if h in screen.key_hints()] == screen.key_hints()  # every menu key
        if isinstance(screen, ViewerScreen):  # and the body's scroll keys
            assert sections["NAVIGATION"] == hints_from_bindings(LinesView.BINDINGS)
            help_only = [h for h in listed if isinstance(screen, LogScreen) and h.action in IN_HELP_ONLY]
            assert [h.label for h in help_only] == (["<shift-c>", "<m>"] if isinstance(screen, LogScreen) else [])
            assert len(listed) == len(screen.key_hints()) + len(help_only) + len(LinesView.BINDINGS)
        else:
            assert listed == screen.key_hints()
        text = "\n".join(line.plain for line in help_lines(body.sections, body.content_region.width))
        for h in listed:
            assert f"{h.labels} " in text and h.description in text
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
    run_at(size, s)


def test_help_screen_scrolls_with_j_k_g_shift_g_ctrl_f_ctrl_b_and_closes_with_q_or_question_mark():
    async def s(app, pilot, cluster):
        screen = await open_screen(app, pilot, cluster, "logs")
        await pilot.press("question_mark")
        await pilot.pause()
        box = app.screen.query_one("#help-scroll")
        assert box.max_scroll_y > 0  # 80x24: longer than the box
        await pilot.press("j")
        assert box.scroll_y == 1
        await pilot.press("k")
        assert box.scroll_y == 0
        await pilot.press("G")
        assert box.scroll_y == box.max_scroll_y
        await pilot.press("g")
        assert box.scroll_y == 0
        await pilot.press("ctrl+f")
        assert box.scroll_y == min(box.max_scroll_y, box.scrollable_content_region.height)
        await pilot.press("ctrl+b")
        assert box.scroll_y == 0
        await pilot.press("question_mark")  # `?` again closes
        assert app.screen is screen
        await pilot.press("question_mark", "q")
        assert app.screen is screen
    run_at(NARROW, s)


def test_question_mark_in_a_dialog_with_a_field_focused():
    async def s(app, pilot, cluster):
        screen = await open_screen(app, pilot, cluster, "image")
        assert app.focused.id == "image-0"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert app.screen is screen and screen.query_one("#image-0").value == "nginx:1.14.2"
    run_at(NARROW, s)


def test_search_input_still_takes_a_question_mark():
    async def s(app, pilot, cluster):
        screen = await open_screen(app, pilot, cluster, "describe")
        await pilot.press("slash", "a", "question_mark", "enter")
        await pilot.pause()
        assert app.screen is screen and screen.search_text == "a?"
    run_at(NARROW, s)


def test_fullscreen_hides_the_menu():
    async def s(app, pilot, cluster):
        screen = await open_screen(app, pilot, cluster, "describe")
        menu = screen.query_one("#key-menu", KeyMenu)
        top = screen.body.region.y
        await pilot.press("f")
        await pilot.pause()
        assert not menu.display or menu.size.height == 0 or menu.region.height == 0
        assert screen.body.region.y < top
    run_at(NARROW, s)


def test_dialog_keys_do_what_their_menu_says():
    async def s(app, pilot, cluster):
        answers = []
        dialog = DeleteDialog("<Delete>", "Delete pods default/counter?")
        await app.push_screen(dialog, answers.append)
        await pilot.pause()
        assert app.focused.id == "cancel"  # (as k9s's: a stray enter deletes nothing)
        await pilot.press("tab")
        assert app.focused.id == "ok"
        await pilot.press("shift+tab")
        assert app.focused.id == "cancel"
        await pilot.press("tab", "tab")  # round to the first field
        assert app.focused.id == "propagation"
        await pilot.press("tab")
        assert app.focused.id == "grace"
        await pilot.press("end", "backspace", "backspace", "5", "question_mark")
        assert isinstance(app.screen, HelpScreen)  # `?` is help, not typed
        await pilot.press("escape")
        assert app.screen is dialog and dialog.query_one("#grace").value == "5"
        await pilot.press("y")  # a number field cannot take a `y`: the dialog's Yes
        await pilot.pause()
        assert answers == [{"propagation": "Background", "grace_period": 5, "force": False}]
        scale = ScaleScreen("<Scale>", 2)
        await app.push_screen(scale, answers.append)
        await pilot.pause()
        await pilot.press("backspace", "n", "3", "enter")  # `n` is not a digit: not typed either
        assert answers[-1] == 3
    run_at(NARROW, s)


@pytest.mark.parametrize("name", ["logs", "describe", "yaml"])
def test_a_viewer_wears_k9s_header_and_crumbs(name):
    """k9s keeps its header (the cluster's facts, the view's keys, the logo) and its crumbs
    (<pods> <logs>) around a log, describe or YAML view; k9py's viewers showed only a key menu.
    ctrl-e and ctrl-g toggle them there as over the table, f (full screen) hides both."""
    async def s(app, pilot, cluster):
        screen = await open_screen(app, pilot, cluster, name)
        await wears_chrome(pilot, screen, ["<pods>", f"<{screen.crumb}>"])
        await pilot.press("f")
        await pilot.pause()
        header, crumbs = screen.query_one("#screen-header"), screen.query_one("#screen-crumbs")
        assert header.region.height == crumbs.region.height == screen.query_one("#key-menu").region.height == 0
    run_at(WIDE, s, headless=False)
