"""k9s's --logFile and --logLevel: the explorer writes its own log (what it flashed, the
connection's changes, the kubectl it runs, every request at debug) at that level, to that file
(default: the state folder, `k9py info` says where); a bad value is one line, exit 2."""

from __future__ import annotations

import asyncio
import logging
import os
import stat

import pytest

from k9py.backends.kubeconfig import masked_argv
from k9py.cli import build_parser, log_path, main, start_log, stop_log
from k9py.config import locations
from tests.test_cli_config import info_lines


@pytest.fixture
def logged(tmp_path):
    yield tmp_path / "k9py.log"
    stop_log()


def _flash_some(levels: list[str]) -> None:
    from k9py.backends.sim import SimBackend
    from k9py.ui.app import K9pyApp
    from tests.backends.conftest import small_cluster

    async def main_() -> None:
        app = K9pyApp(SimBackend(small_cluster()), manual=True)
        async with app.run_test(size=(80, 24)) as pilot:
            for level in levels:
                app.flash(f"said at {level}", level)
            await pilot.pause()
    asyncio.run(main_())


def test_log_file_gets_what_was_flashed_at_the_level_asked(logged):
    args = build_parser().parse_args(["--logFile", str(logged), "--logLevel", "warn"])
    assert start_log(args) == str(logged)
    _flash_some(["info", "warn", "error"])
    text = logged.read_text()
    assert " WARNING k9py.ui.app: said at warn\n" in text and " ERROR k9py.ui.app: said at error\n" in text
    assert "said at info" not in text and "started" not in text  # (info: below warn)
    assert stat.S_IMODE(os.stat(logged).st_mode) == 0o600
    start_log(build_parser().parse_args(["--logFile", str(logged), "-l", "DEBUG"]))  # appended to, as k9s
    _flash_some(["info"])
    text = logged.read_text()
    assert "said at warn" in text and " INFO k9py.ui.app: said at info\n" in text
    assert " INFO k9py: k9py " in text and "logging at debug" in text


def test_untrusted_text_reaches_the_log_on_one_line_with_no_escapes(logged):
    start_log(build_parser().parse_args(["--logFile", str(logged)]))
    logging.getLogger("k9py.test").warning("pod \x1b]0;owned\x07evil\nnext")
    line = logged.read_text().splitlines()[-1]
    assert "\x1b" not in line and "\x07" not in line and line.endswith("pod ␛]0;owned␇evil␤next")


def test_a_token_never_reaches_the_log():
    argv = ["kubectl", "--token", "s3cret", "--token=other", "--context", "c", "exec", "-it", "p"]
    assert masked_argv(argv) == ["kubectl", "--token", "***", "--token=***", "--context", "c", "exec", "-it", "p"]


def test_default_place_and_info_row(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "cfg"))
    args = build_parser().parse_args([])
    assert log_path(args) == str(locations.state_dir() / "k9py.log") == str(tmp_path / "cfg" / "k9py.log")
    assert main(["info"]) == 0
    rows = info_lines(capsys.readouterr().out)
    assert rows["Logs"].startswith(str(tmp_path / "cfg" / "k9py.log") + " ")
    assert rows["Logs"].endswith("not found (made when the explorer starts)")
    mine = tmp_path / "mine.log"
    mine.write_text("")
    assert main(["--logFile", str(mine), "info"]) == 0
    row = info_lines(capsys.readouterr().out)["Logs"]
    assert row.startswith(f"{mine}  ") and row.endswith("  found")


@pytest.mark.parametrize(("argv", "said"), [
    (["--logLevel", "loud"], "k9py: argument -l/--logLevel: invalid log level 'loud': one of error, warn, info, debug\n"),
    (["--logFile", "{tmp}/no/such/dir/k9py.log"],
     "k9py: --logFile: {tmp}/no/such/dir/k9py.log: cannot write the log (No such file or directory)\n"),
    (["--logFile", "{tmp}"], "k9py: --logFile: {tmp}: cannot write the log (Is a directory)\n"),
])
def test_bad_values_are_one_line_exit_2(tmp_path, capsys, argv, said):
    code = main([a.format(tmp=tmp_path) for a in argv])
    assert (code, capsys.readouterr().err) == (2, said.format(tmp=tmp_path))


def test_the_kubernetes_clients_own_errors_go_to_the_log_never_the_terminal(logged, monkeypatch, capsys):
    """A kubeconfig user's credential plugin that fails (an expired `aws eks get-token`): the
    client says so with the root logger's ``logging.error``, which with no handler there gave
    the root logger one on stderr; from then urllib3's warnings were printed over the UI
    (WARNING:urllib3.connectionpool:Connection pool is full ...)."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])  # as in the k9py command (pytest puts its own here)
    start_log(build_parser().parse_args(["--logFile", str(logged)]))
    logging.error("exec: process returned 1. \x1b]0;token expired\x07")
    logging.getLogger("urllib3.connectionpool").warning("Connection pool is full")
    logging.getLogger("urllib3.connectionpool").info("not logged: below warn")
    assert capsys.readouterr().err == ""
    text = logged.read_text()
    assert " ERROR root: exec: process returned 1. ␛]0;token expired␇\n" in text
    assert " WARNING urllib3.connectionpool: Connection pool is full\n" in text and "not logged" not in text
    stop_log()
    assert not [h for h in root.handlers if isinstance(h, logging.StreamHandler)]
