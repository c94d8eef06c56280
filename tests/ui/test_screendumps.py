"""`:screendump` / `:sd` lists what ctrl-s saved: newest first, enter views, ctrl-d deletes."""

import os

from k9py.ui.screens.screendumps import DumpViewer, ScreenDumps, list_dumps, read_dump
from tests.ui.conftest import sync
from tests.ui.simcluster import border_text, run


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
        assert "screendumps(" in border_text(screen.query_one("#dumps-box"))
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


def test_the_list_is_a_table_that_fits_80_columns(tmp_path, monkeypatch):
    """NAME, SIZE, AGE in line whatever the names' lengths; a name too long for the screen is cut
    in its middle (its time, at the end, stays)."""
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "k9py"))
    folder = tmp_path / "k9py" / "screens"
    make_dumps(folder)
    long = folder / "k9py-sim" / ("describe-pod-default-nginx-deployment-7f4d79f7d7-lnn8p-and-a-much-longer-name-"
                                  "than-the-screen-has-room-for-20261101090301-6.txt")
    long.write_text("x" * 1234)

    async def s(app, pilot, cluster):
        await pilot.press("colon", *"sd", "enter")
        await sync(app, pilot)
        await pilot.pause()
        screen = app.screen
        header = str(screen.query_one("#dumps-header").render())
        lines = [str(screen.options.get_option_at_index(i).prompt) for i in range(len(screen.dumps))]
        width = screen.options.scrollable_content_region.width - 2
        assert header.split() == ["NAME", "SIZE", "AGE↑"] and all(len(line) <= width for line in [header, *lines])
        ends = {line.index(str(d.size)) + len(str(d.size)) for line, d in zip(lines, screen.dumps, strict=True)}
        assert len(ends) == 1 and header.index("SIZE") + 4 in ends  # the sizes line up under SIZE
        cut = next((line for line in lines if "…" in line), None)
        assert cut is not None, (width, lines)
        assert cut.startswith("k9py-sim/describe-pod-") and "20261101090301-6.txt" in cut and " 1234 " in cut
    run(s, size=(80, 24))


def test_sd_sorts_by_name_and_age_with_k9s_shift_keys(drive, tmp_path, monkeypatch):
    """k9s's screen dumps are a table: newest first (AGE↑), shift-n sorts by name and shift-a by
    age, again the other way; the cursor stays on its dump."""
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "k9py"))
    folder = tmp_path / "k9py" / "screens"
    old, new = make_dumps(folder)
    mid = folder / "k9py-sim" / "yaml-web-20261101090500.yaml"
    mid.write_text("kind: Pod\n")
    os.utime(mid, (1_500, 1_500))

    async def s(app, pilot, cluster):
        await pilot.press("colon", *"sd", "enter")
        await sync(app, pilot)
        screen = app.screen
        assert isinstance(screen, ScreenDumps)

        def header():
            return str(screen.query_one("#dumps-header").render()).split()
        assert [d.path for d in screen.dumps] == [new, mid, old] and header()[-1] == "AGE↑"
        await pilot.press("N")
        assert [d.path for d in screen.dumps] == [new, old, mid] and header()[0] == "NAME↑"
        assert screen.dumps[screen.selected_index()].path == new  # the cursor kept its dump
        await pilot.press("N")
        assert [d.path for d in screen.dumps] == [mid, old, new] and header()[0] == "NAME↓"
        await pilot.press("A")
        assert [d.path for d in screen.dumps] == [new, mid, old]
        await pilot.press("A")
        assert [d.path for d in screen.dumps] == [old, mid, new] and header()[-1] == "AGE↓"
        lines = [str(screen.options.get_option_at_index(i).prompt).split()[0] for i in range(3)]
        assert lines == [str(p.relative_to(folder)) for p in (old, mid, new)]
    drive(s)


def test_a_dump_that_cannot_be_written_names_its_file_and_leaves_nothing(tmp_path, monkeypatch):
    """ctrl-s on a full disk said save failed: [Errno 28] No space left on device and left an
    empty dump behind, listed by :sd as if it were one."""
    import errno
    from pathlib import Path

    import pytest

    from k9py.errors import K9pyError
    from k9py.ui.screens.viewer import save_text

    def full(self, text, **kw):
        with open(self, "w") as fh:
            fh.write(text[:3])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(K9pyError) as err:
        save_text(tmp_path, "ctx", "deployments-default", ".csv", "NAME,READY\nnginx,1/1\n", 0.0)
    assert str(err.value) == f"{tmp_path}/ctx/deployments-default-19700101000000.csv: No space left on device"
    assert list((tmp_path / "ctx").iterdir()) == []
