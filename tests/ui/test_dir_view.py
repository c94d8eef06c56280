"""`:dir PATH` (k9s's dir view): a folder's manifests; `a` applies one to the cluster and says what
it did as kubectl does, `d` deletes its objects once confirmed, enter goes into a folder; read-only
offers neither; a bad path or a bad manifest is a line, never a crash."""

import os
from pathlib import Path

import pytest
from textual import events

from k9py.backends.sim import SimBackend
from k9py.ui import theme
from k9py.ui.app import K9pyApp
from k9py.ui.screens.manifests import DirScreen, FileViewer, ResultViewer
from tests.samples import small_cluster
from tests.ui.simcluster import border_text, flash, menu_text, run, settle

NGINX = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  replicas: 1
  selector: {matchLabels: {app: hello}}
  template:
    metadata: {labels: {app: hello}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
"""


def tutorial(tmp_path: Path) -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "hello.yaml").write_text(NGINX)
    (tmp_path / "broken.yaml").write_text("kind: [\n")
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n")
    return tmp_path


async def dir_command(app, pilot, path):
    """`:dir ` typed, the path pasted (as a terminal's bracketed paste: typed key by key, a
    256-character name took ~13 s of the suite), then enter."""
    await pilot.press("colon", *"dir ")
    app.post_message(events.Paste(str(path)))
    await pilot.press("enter")
    await read_folder(app, pilot)


async def read_folder(app, pilot):
    """Until the files listed are read (a worker's) and their rows filled in."""
    await app.workers.wait_for_complete()
    await settle(app, pilot)


def rows(screen: DirScreen) -> list[str]:
    return [str(screen.options.get_option_at_index(i).prompt) for i in range(screen.options.option_count)]


def test_dir_applies_a_manifest_and_deletes_its_objects(tmp_path):
    folder = tutorial(tmp_path)

    async def s(app, pilot, cluster):
        await dir_command(app, pilot, folder)
        screen = app.screen
        assert isinstance(screen, DirScreen)
        assert border_text(screen.query_one("#dir-box")).strip() == f"dir({folder})[3]"
        lines = rows(screen)
        assert lines[0].startswith("more/") and lines[1].startswith("broken.yaml")
        assert "error parsing" in lines[1] and lines[2].split()[-1] == "Deployment/hello"
        await pilot.press("j", "j", "a")  # hello.yaml
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert isinstance(app.screen, ResultViewer) and app.screen.lines == ["deployment.apps/hello created"]
        await settle(app, pilot, 30)
        assert cluster.store.get("Deployment", "default", "hello")["status"]["readyReplicas"] == 1
        await pilot.press("escape", "a")  # again: nothing to change
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert app.screen.lines == ["deployment.apps/hello unchanged"]
        await pilot.press("escape", "d")
        await pilot.pause()
        assert str(app.screen.query_one(".dialog-message").render()) == "Delete the objects of the manifest hello.yaml?"
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert app.screen.lines == ['deployment.apps "hello" deleted']
        assert cluster.store.get("Deployment", "default", "hello") is None
        await pilot.press("escape", "k", "a")  # broken.yaml: its error, and the app goes on
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert len(app.screen.lines) == 1 and app.screen.lines[0].startswith(f"error: error parsing {folder / 'broken.yaml'}")
        [painted, *_] = list(app.screen.body.render_line(0))
        assert painted.style.color == theme.style("flash.error").color  # in red
        await pilot.press("escape", "k", "enter")  # into more/
        await settle(app, pilot)
        assert isinstance(app.screen, DirScreen) and app.screen.folder == folder / "more"
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, FileViewer) and app.screen.lines[1] == "kind: ConfigMap"
        await pilot.press("escape", "escape")
        await settle(app, pilot)
        assert isinstance(app.screen, DirScreen) and app.screen.folder == folder
    run(s)


def test_dir_of_a_missing_folder_says_so(tmp_path):
    async def s(app, pilot, cluster):
        await dir_command(app, pilot, tmp_path / "nope")
        assert not isinstance(app.screen, DirScreen)
        assert flash(app) == f"dir: {tmp_path / 'nope'}: no such file or directory"
        # a path past PATH_MAX and a symlink loop ended the app in an OSError (Path.exists() raises
        # on all but a missing file)
        long = "a" * 256  # (past NAME_MAX; past PATH_MAX the same)
        await dir_command(app, pilot, long)
        assert app.is_running and flash(app) == f"dir: {long}: file name too long"
        (tmp_path / "loop").symlink_to(tmp_path / "loop")
        await dir_command(app, pilot, tmp_path / "loop")
        assert app.is_running and flash(app) == f"dir: {tmp_path / 'loop'}: too many levels of symbolic links"
    run(s)


def test_read_only_offers_no_apply_and_refuses_it(tmp_path):
    folder = tutorial(tmp_path)

    async def s(app, pilot, cluster):
        await dir_command(app, pilot, folder)
        menu = menu_text(app.screen)
        assert "<y>" in menu and "<a>" not in menu and "<d>" not in menu and "<e>" not in menu
        await pilot.press("j", "j", "a")
        await settle(app, pilot)
        assert isinstance(app.screen, DirScreen) and cluster.store.get("Deployment", "default", "hello") is None
        assert str(app.screen.query_one("#dir-flash").render()) == "Apply refused: k9py is in read-only mode"
    run(s, readonly=True)


@pytest.mark.parametrize("size", [(160, 45), (80, 24)])
def test_dir_snapshot(snap_compare, tmp_path, monkeypatch, size):
    """The folder named as given (relative here: the snapshot holds no temporary path), files
    with fixed times, a name too long for 80 columns cut in its middle."""
    folder = tutorial(tmp_path / "tutorial")
    (folder / "a-very-long-manifest-name-from-the-kubernetes-basics-tutorial-chapter-three.yaml").write_text(
        NGINX.replace("hello", "chapter-three"))
    for i, p in enumerate(sorted(folder.rglob("*"))):
        os.utime(p, (1_000_000 - 60 * i, 1_000_000 - 60 * i))
    monkeypatch.chdir(tmp_path)

    async def push(pilot):
        pilot.app.push_screen(DirScreen(Path("tutorial"), now=1_000_000 + 30))
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(K9pyApp(SimBackend(small_cluster()), manual=True), terminal_size=size, run_before=push)


def test_ctrl_r_and_coming_back_list_the_folder_again(tmp_path):
    """A manifest saved into the folder while :dir showed it never appeared (ctrl-r, k9s's
    Refresh, did nothing; nor did coming back from a sub-folder): both list it again."""
    folder = tutorial(tmp_path)

    async def s(app, pilot, cluster):
        await dir_command(app, pilot, folder)
        screen = app.screen
        assert isinstance(screen, DirScreen) and len(rows(screen)) == 3
        (folder / "new.yaml").write_text(NGINX.replace("hello", "fresh"))
        await pilot.press("ctrl+r")
        await read_folder(app, pilot)
        assert any(r.startswith("new.yaml") and r.endswith("Deployment/fresh") for r in rows(screen))
        assert str(screen.query_one("#dir-flash").render()) == "Refreshing..."
        await pilot.press("enter")  # into more/
        await settle(app, pilot)
        (folder / "new.yaml").unlink()
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen and not any(r.startswith("new.yaml") for r in rows(screen))
    run(s)


def test_up_on_the_first_row_and_down_on_the_last_stay_there(tmp_path):
    """The arrows wrapped round (up on the first manifest went to the last: a then applied a file
    the user never meant), where k and j stopped, as k9s's tables do."""
    folder = tutorial(tmp_path)

    async def s(app, pilot, cluster):
        await dir_command(app, pilot, folder)
        screen = app.screen
        await pilot.press("up")
        assert screen.options.highlighted == 0
        await pilot.press("end", "down")
        assert screen.options.highlighted == 2
    run(s)


def test_e_edits_the_file_itself_and_the_row_shows_what_it_holds_now(tmp_path, monkeypatch):
    folder = tutorial(tmp_path)
    editor = tmp_path / "editor.sh"  # an editor that renames the Deployment in the file it is given
    editor.write_text('#!/bin/sh\nsed -i "s/name: hello/name: renamed/" "$1"\n')
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))

    async def s(app, pilot, cluster):
        await dir_command(app, pilot, folder)
        await pilot.press("j", "j", "e")  # hello.yaml
        await read_folder(app, pilot)
        assert "name: renamed" in (folder / "hello.yaml").read_text()
        assert rows(app.screen)[2].split()[-1] == "Deployment/renamed"
        await pilot.press("k", "k", "e")  # more/: a folder
        await settle(app, pilot)
        assert str(app.screen.query_one("#dir-flash").render()) == "more/ is a folder: you must select a manifest"
    run(s)


def test_a_resize_lays_the_rows_out_again_without_reading_the_files(tmp_path, monkeypatch):
    """The files are read when the folder is listed (and again when one changed), not each time
    the width changes or the view comes back from a file."""
    from k9py.explorer import manifests

    folder = tutorial(tmp_path)
    (folder / "a-long-manifest-name-of-a-chapter-of-the-tutorial-that-is-cut-at-80-columns.yaml").write_text(NGINX)
    read: list[str] = []
    summary = manifests.summary
    monkeypatch.setattr(manifests, "summary", lambda p: read.append(p.name) or summary(p))

    async def s(app, pilot, cluster):
        await dir_command(app, pilot, folder)
        assert sorted(read) == sorted(p.name for p in folder.glob("*.yaml"))
        wide = rows(app.screen)
        read.clear()
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        narrow = rows(app.screen)
        assert read == [] and narrow != wide and "…" in narrow[1]  # the long name cut to fit
        await pilot.press("j", "y", "escape")  # a file shown and back: the folder listed again
        await read_folder(app, pilot)
        again = rows(app.screen)
        assert read == [] and [r.split()[0] for r in again] == [r.split()[0] for r in narrow]
        assert again[1].endswith("Deployment/hello")
    run(s)


def test_applying_to_an_object_no_apply_made_warns_as_kubectl_does_and_patches_it(tmp_path):
    """A ConfigMap made with `kubectl create` (no last-applied annotation) applied from a file:
    kubectl warns that the annotation is missing and patches it in; so does `a` (the warning
    flashed over what apply did, and its line above the object's, as kubectl prints them)."""
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: made}\ndata: {a: '2'}\n")

    async def s(app, pilot, cluster):
        cluster.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "made", "namespace": "default"},
                        "data": {"a": "1"}})
        await dir_command(app, pilot, tmp_path)
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        warning = ("Warning: resource configmaps/made is missing the kubectl.kubernetes.io/last-applied-configuration "
                   "annotation which is required by kubectl apply.")
        assert isinstance(app.screen, ResultViewer)
        assert app.screen.lines[0].startswith(warning) and app.screen.lines[1] == "configmap/made configured"
        assert app.screen.flash_message.startswith(warning)
        assert cluster.store.get("ConfigMap", "default", "made")["data"] == {"a": "2"}
        # the warning painted in the warning colour (a line's own style was dropped: errors were never red)
        [painted, *_] = list(app.screen.body.render_line(0))
        assert painted.style.color == theme.style("flash.warn").color
    run(s)


def test_a_folder_is_read_off_the_ui_thread_and_its_rows_fill_in_when_read(tmp_path, monkeypatch):
    """A folder of 2,000 manifests froze the app for seconds when :dir opened it (every file read
    and parsed on the UI thread for its OBJECTS), and again when `a` or `d` read it: the names
    show at once and the files are read in a worker, whose result fills the rows in."""
    import threading

    from k9py.explorer import manifests

    folder = tutorial(tmp_path)
    on_ui: list[str] = []
    summary, read_manifests = manifests.summary, manifests.read_manifests

    def noted(fn):
        def call(path, *a, **kw):
            if threading.current_thread() is threading.main_thread():
                on_ui.append(f"{fn.__name__}({path.name})")
            return fn(path, *a, **kw)
        return call

    monkeypatch.setattr(manifests, "summary", noted(summary))
    monkeypatch.setattr(manifests, "read_manifests", noted(read_manifests))

    async def s(app, pilot, cluster):
        await pilot.press("colon", *f"dir {folder}", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DirScreen) and [r.split()[0] for r in rows(screen)] == [
            "more/", "broken.yaml", "hello.yaml"]
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert rows(screen)[2].endswith("Deployment/hello")
        await pilot.press("j", "j", "a")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert app.screen.lines == ["deployment.apps/hello created"]
        await pilot.press("escape", "d", "y")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert app.screen.lines == ['deployment.apps "hello" deleted']
        assert on_ui == []
    run(s)


def test_dir_sorts_by_name_and_age_with_shift_keys(tmp_path):
    """k9s's dir view sorts by name on shift-n (again: the other way); k9py's has ages too:
    shift-a, the youngest first. At first: folders first, each by name."""
    folder = tutorial(tmp_path / "t")
    for name, when in (("hello.yaml", 300), ("broken.yaml", 100), ("more", 200)):
        os.utime(folder / name, (when, when))

    async def s(app, pilot, cluster):
        await dir_command(app, pilot, folder)
        screen = app.screen
        assert isinstance(screen, DirScreen)

        def names():
            return [e.path.name for e in screen.entries]

        def header():
            return str(screen.query_one("#dir-header").render()).split()
        assert names() == ["more", "broken.yaml", "hello.yaml"] and header()[:2] == ["NAME", "AGE"]
        await pilot.press("N")
        await read_folder(app, pilot)
        assert names() == ["broken.yaml", "hello.yaml", "more"] and header()[0] == "NAME↑"
        assert screen.entries[screen.selected_index()].path.name == "more"  # the cursor kept its row
        await pilot.press("N")
        await read_folder(app, pilot)
        assert names() == ["more", "hello.yaml", "broken.yaml"] and header()[0] == "NAME↓"
        await pilot.press("A")
        await read_folder(app, pilot)
        assert names() == ["hello.yaml", "more", "broken.yaml"] and header()[1] == "AGE↑"
        assert [line.split()[0] for line in rows(screen)] == ["hello.yaml", "more/", "broken.yaml"]
    run(s)
