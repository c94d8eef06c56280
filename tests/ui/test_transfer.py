"""`t` on a pod (k9s's Transfer): the dialog, then the copy as kubectl cp makes it, here in the
simulator's containers; what stops a copy is said in the dialog or the flash."""

from __future__ import annotations

from textual.widgets import Checkbox, Input

from k9py.explorer import transfer as tx
from k9py.explorer.keys import row_menu
from k9py.sim.userland import start_exec
from k9py.ui.transfer import TransferDialog
from k9py.view.kinds import BY_NAME
from tests.ui.simcluster import flash, goto, run, settle


def sh(cluster, command, pod="web", container="nginx"):
    with cluster.lock:
        proc = start_exec(cluster, "default", pod, container, ["sh", "-c", command])
        return b"".join(data for _, data in proc.read()).decode()


async def open_dialog(app, pilot, pod="web"):
    await goto(app, pilot, pod)
    await pilot.press("t")
    await settle(app, pilot)
    dialog = app.screen
    assert isinstance(dialog, TransferDialog)
    return dialog


async def submitted(app, pilot):
    await pilot.press("enter")
    await settle(app, pilot)
    await app.workers.wait_for_complete()
    await settle(app, pilot)


def test_t_downloads_a_containers_directory_as_kubectl_cp_does(tmp_path):
    """From is NAMESPACE/POD: with the cursor after it (the path is typed there), To the local
    path; the directory's files land under it, and the flash says so in k9s's words."""
    dest = tmp_path / "conf"

    async def s(app, pilot, cluster):
        dialog = await open_dialog(app, pilot)
        assert "Available Containers: nginx, sidecar" in str(dialog.query_one(".dialog-message").render())
        assert dialog.query_one("#container", Input).value == "nginx"
        assert dialog.query_one("#from", Input).value == "default/web:"
        await pilot.press(*"/etc/nginx", "tab", *str(dest))
        assert dialog.query_one("#from", Input).value == "default/web:/etc/nginx"
        await submitted(app, pilot)
        assert app.screen is not dialog
        assert flash(app) == "Download successful on default/web:nginx! (2 files, 1.7 KiB)"
        assert (dest / "nginx.conf").read_text().startswith("\nuser  nginx;")
        assert (dest / "conf.d" / "default.conf").is_file()
    run(s)


def test_unticking_download_swaps_the_fields_and_uploads_into_a_remote_directory(tmp_path):
    local = tmp_path / "notes.txt"
    local.write_text("hello from here\n")

    async def s(app, pilot, cluster):
        dialog = await open_dialog(app, pilot)
        dialog.query_one("#download", Checkbox).toggle()
        await pilot.pause()
        assert dialog.query_one("#from", Input).value == ""
        assert dialog.query_one("#to", Input).value == "default/web:"
        assert "Upload Files" in str(dialog.query_one(".dialog-message").render())
        dialog.query_one("#from", Input).value = str(local)
        dialog.query_one("#to", Input).value = "default/web:/tmp"  # a directory there: the file goes in it
        await submitted(app, pilot)
        assert flash(app) == "Upload successful on default/web:nginx! (1 file, 16 B)"
        assert sh(cluster, "cat /tmp/notes.txt") == "hello from here\n"
    run(s)


def test_what_stops_a_transfer_is_said_in_the_dialog_or_the_flash(tmp_path):
    async def s(app, pilot, cluster):
        dialog = await open_dialog(app, pilot)
        dialog.query_one("#download", Checkbox).toggle()
        await pilot.pause()
        dialog.query_one("#from", Input).value = str(tmp_path / "missing")
        dialog.query_one("#to", Input).value = "default/web:/tmp"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is dialog  # it stays, saying why
        assert f"{tmp_path / 'missing'} doesn't exist in local filesystem" in str(
            dialog.query_one(".dialog-message").render())
        await pilot.press("escape")
        await settle(app, pilot)

        dialog = await open_dialog(app, pilot)
        dialog.query_one("#from", Input).value = "default/web:/no/such"
        dialog.query_one("#to", Input).value = str(tmp_path / "x")
        await submitted(app, pilot)
        assert flash(app) == "Download failed on default/web:nginx: tar: /no/such: Cannot stat: No such file or directory"
        assert not (tmp_path / "x").exists()

        dialog = await open_dialog(app, pilot)
        dialog.query_one("#from", Input).value = "default/web:/etc/hostname"
        dialog.query_one("#to", Input).value = str(tmp_path / "h")
        dialog.query_one("#container", Input).value = "nope"
        await submitted(app, pilot)
        assert flash(app) == "Download failed on default/web:nope: container nope is not valid for pod web"
    run(s)


def test_transfer_is_a_pod_key_only():
    assert ("<t>", "Transfer") in row_menu(BY_NAME["pods"], False)
    assert ("<t>", "Transfer") not in row_menu(BY_NAME["pods"], True)  # read-only: k9s hides it
    assert ("<t>", "Trigger") in row_menu(BY_NAME["cronjobs"], False)


def test_plan_reads_the_fields_as_kubectl_cp_reads_its_arguments(tmp_path):
    p = tx.plan("web:/etc", str(tmp_path), download=True, container="c", namespace="ns", retries="3")
    assert (p.remote, p.local, p.retries, p.where) == (tx.Remote("ns", "web", "/etc"), str(tmp_path), 3, "ns/web:c")
    for src, dst, download, said in [
        ("a/b/c:/x", "here", True, "filespec must match the canonical format"),
        ("ns/web:", "here", True, "the pod's file path is empty"),
        ("here", "there", True, "one of From or To must be a pod's file"),
        ("ns/a:/x", "ns/b:/y", True, "one of From or To must be a local file specification"),
        (str(tmp_path), "ns/web:/x", True, "Download: From must be the pod's file"),
        ("ns/web:/x", "", True, "From and To are both required"),
    ]:
        try:
            tx.plan(src, dst, download=download, container="c", namespace="ns")
        except tx.TransferError as err:
            assert said in str(err), (src, dst, str(err))
        else:
            raise AssertionError((src, dst))


def test_a_download_never_writes_outside_its_destination(tmp_path, monkeypatch):
    """An archive entry that climbs out of the destination is skipped, as kubectl cp skips it."""
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, body in (("etc/ok", b"fine"), ("etc/../../escaped", b"bad")):
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tf.addfile(info, io.BytesIO(body))
    p = tx.plan("ns/web:/etc", str(tmp_path / "out"), download=True, container="c", namespace="ns")
    monkeypatch.setattr(tx, "_run", lambda *a, **k: buf.getvalue())
    assert tx.download_sim(None, p) == (1, 4)
    assert (tmp_path / "out" / "ok").read_bytes() == b"fine"
    assert not (tmp_path.parent / "escaped").exists() and not (tmp_path / "escaped").exists()


def fake_kubectl(tmp_path, said, code):
    (tmp_path / "said").write_text("".join(line + "\n" for line in said))
    script = tmp_path / "kubectl"
    script.write_text(f"#!/bin/sh\ncat '{tmp_path / 'said'}'\nexit {code}\n")
    script.chmod(0o755)
    return str(script)


def test_kubectl_cp_that_drops_out_or_retries_a_missing_file_is_a_failure(tmp_path):
    """kubectl cp --retries exits 0 after "Dropping out copy" (k9s says "successful"), and it
    retries a file that is not there as often as told: tar's line then a retry at 0 bytes stops it."""
    p = tx.plan("ns/web:/nope", str(tmp_path / "x"), download=True, container="c", namespace="ns", retries="999")
    endless = ["tar: Removing leading `/' from member names", "tar: /nope: No such file or directory",
               "Resuming copy at 0 bytes, retry 1/999", *["sleeping"] * 3]
    for said, code, why in [
        (endless[:3], 0, "tar: /nope: No such file or directory"),
        (["Resuming copy at 512 bytes, retry 1/1", "Dropping out copy after 1 retries"], 0,
         "Dropping out copy after 1 retries"),
        (["tar: /nope: No such file or directory", "command terminated with exit code 1"], 1,
         "tar: /nope: No such file or directory"),
        (["error: unable to upgrade connection"], 1, "error: unable to upgrade connection"),
    ]:
        try:
            tx.run_kubectl(tx.kubectl_argv(fake_kubectl(tmp_path, said, code), "ctx", p), None)
        except tx.TransferError as err:
            assert str(err) == why
        else:
            raise AssertionError(said)
    tx.run_kubectl(tx.kubectl_argv(fake_kubectl(tmp_path, endless[:1], 0), "ctx", p), None)  # all went well
    assert tx.kubectl_argv("kubectl", "ctx", p) == ["kubectl", "--context", "ctx", "-n", "ns", "cp", "ns/web:/nope",
                                                   str(tmp_path / "x"), "--no-preserve=false", "--retries=999",
                                                   "-c", "c"]
    # --as/--as-group (the explorer's impersonation): the copy is that user's too
    assert tx.kubectl_argv("kubectl", "ctx", p, ("--as", "jane"))[:5] == ["kubectl", "--as", "jane", "--context", "ctx"]


def test_the_dialog_of_a_pod_with_several_containers_fits_80x24_without_scrolling():
    """Six fields, the containers' list, the buttons and the keys in 24 rows: each label is left
    of its field (k9s's form), so nothing scrolls out of sight."""
    async def s(app, pilot, cluster):
        dialog = await open_dialog(app, pilot)
        box = dialog.query_one(".dialog")
        assert box.max_scroll_y == 0 and box.region.height < 24
        for wid in ("download", "from", "to", "no-preserve", "container", "retries", "ok", "cancel"):
            assert box.region.contains_region(dialog.query_one(f"#{wid}").region), wid
        assert "Available Containers: nginx, sidecar" in str(dialog.query_one(".dialog-message").render())
        await pilot.press("tab")  # the keys still move from field to field
        assert app.focused is dialog.query_one("#to")
    run(s, size=(80, 24))
