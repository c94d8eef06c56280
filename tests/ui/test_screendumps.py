"""`:screendump` / `:sd` lists what ctrl-s saved: newest first, enter views, ctrl-d deletes."""

import os

from k9py.ui.screens.screendumps import DumpViewer, ScreenDumps, list_dumps, read_dump
from tests.ui.conftest import sync


def make_dumps(folder):
    (folder / "k9py-sim").mkdir(parents=True)
    old = folder / "k9py-sim" / "pods-20261101090000.csv"
    old.write_text("NAME,STATUS\ncounter,Running\n")
    new = folder / "k9py-sim" / "describe-counter-20261101091000.txt"
    new.write_text("Name: counter\n\x1b]52;c;ZXZpbA==\x07evil\n")
    os.utime(old, (1_000, 1_000))
    os.utime(new, (2_000, 2_000))
    return old, new


def test_list_and_read_dumps(tmp_path):
    old, new = make_dumps(tmp_path)
    assert [d.path for d in list_dumps(tmp_path)] == [new, old]
    assert list_dumps(tmp_path / "nothing-here") == []
    lines = read_dump(new)
    assert lines[0] == "Name: counter" and "\x1b" not in lines[1] and "\x07" not in lines[1]


def test_sd_lists_views_and_deletes(drive, tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "k9py"))  # ctrl-s: tmp_path/k9py/screens
    folder = tmp_path / "k9py" / "screens"
    old, new = make_dumps(folder)

    async def s(app, pilot, cluster):
        await pilot.press("colon", *"sd", "enter")
        await sync(app, pilot)
        assert isinstance(app.screen, ScreenDumps)
        screen = app.screen
        assert [d.path for d in screen.dumps] == [new, old]
        assert "screendumps(" in str(screen.query_one("#dumps-box").border_title)
        await pilot.press("enter")
        await sync(app, pilot)
        assert isinstance(app.screen, DumpViewer) and app.screen.lines[0] == "Name: counter"
        await pilot.press("escape")
        await sync(app, pilot)
        await pilot.press("j", "ctrl+d", "y")
        await sync(app, pilot)
        assert not old.exists() and new.exists() and [d.path for d in screen.dumps] == [new]
        await pilot.press("escape")
        await sync(app, pilot)
        assert app.screen is app.screen_stack[0]
    drive(s)
