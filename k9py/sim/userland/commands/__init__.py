"""The commands of the simulated shell, by name: builtins (which change the shell) and the
others, one module per family. Each is ``fn(shell, argv, io) -> exit status`` and words its
messages like busybox."""

from __future__ import annotations

from typing import Any

from k9py.sim.userland.commands import archive, builtins, chroot, files, network, servers, system, text
from k9py.sim.userland.shell import Builtin

BUILTINS: dict[str, Builtin] = {
    "cd": builtins.b_cd, "export": builtins.b_export, "readonly": builtins.b_export, "unset": builtins.b_unset,
    "exit": builtins.b_exit, "exec": builtins.b_exec, "source": builtins.b_source, ".": builtins.b_source,
    "command": builtins.b_command, "set": builtins.b_set, ":": builtins.b_colon, "break": builtins.b_break, "continue": builtins.b_break,
}
COMMANDS: dict[str, Builtin] = {
    "true": builtins.c_true, "false": builtins.c_false, "test": builtins.c_test, "[": builtins.c_test,
    "sh": builtins.c_sh, "ash": builtins.c_sh, "bash": builtins.c_sh, "dash": builtins.c_sh,
    "cat": files.c_cat, "ls": files.c_ls, "mkdir": files.c_mkdir, "touch": files.c_touch, "rm": files.c_rm,
    "rmdir": files.c_rmdir, "cp": files.c_cp, "mv": files.c_mv, "tar": archive.c_tar,
    "echo": text.c_echo, "printf": text.c_printf, "grep": text.c_grep, "head": text.c_head, "tail": text.c_tail,
    "wc": text.c_wc, "sort": text.c_sort, "uniq": text.c_uniq, "tee": text.c_tee, "cut": text.c_cut,
    "basename": text.c_basename, "dirname": text.c_dirname, "seq": text.c_seq, "base64": text.c_base64,
    "env": system.c_env, "printenv": system.c_printenv, "hostname": system.c_hostname, "pwd": system.c_pwd,
    "id": system.c_id, "whoami": system.c_whoami, "ps": system.c_ps, "kill": system.c_kill, "date": system.c_date,
    "sleep": system.c_sleep, "df": system.c_df, "uname": system.c_uname, "clear": system.c_clear,
    "which": system.c_which, "chroot": chroot.c_chroot,
    "nslookup": network.c_nslookup, "wget": network.c_wget, "ping": network.c_ping, "curl": network.c_curl,
    "nginx": servers.c_nginx, "httpd": servers.c_httpd,
}

# command -> (the image server that brings it, where its binary is)
SERVER_BINARIES = {"nginx": ("nginx", "/usr/sbin/nginx"), "httpd": ("httpd", "/usr/local/apache2/bin/httpd")}


def installed(box: Any, name: str) -> bool:
    """Whether the container's image has the command ``name``: one of its programs (busybox has
    no bash nor curl), or its server's binary."""
    server = SERVER_BINARIES.get(name)
    if server is not None:
        return box.image.server == server[0]
    return name in COMMANDS and name in box.image.programs


def binary_path(box: Any, name: str) -> str | None:
    """Where ``which`` and ``command -v`` find ``name`` in the container (None: not there)."""
    if not installed(box, name):
        return None
    server = SERVER_BINARIES.get(name)
    return server[1] if server is not None else f"/bin/{name}"


__all__ = ["BUILTINS", "COMMANDS", "binary_path", "installed"]
