"""The web servers' own binaries, in the images that have them: ``nginx`` (``-v``, ``-V``, ``-t``,
``-s SIGNAL``) and ``httpd`` (``-v``). Only their own images have them (``commands.installed``:
elsewhere the shell and the runtime do not find them)."""

from __future__ import annotations

from k9py.sim.userland.image import HTTPD_VERSION, NGINX_LATEST_VERSION
from k9py.sim.userland.shell import Io, Shell

NGINX_CONFIGURE = ("--prefix=/etc/nginx --sbin-path=/usr/sbin/nginx --modules-path=/usr/lib/nginx/modules "
                   "--conf-path=/etc/nginx/nginx.conf --error-log-path=/var/log/nginx/error.log "
                   "--http-log-path=/var/log/nginx/access.log --pid-path=/var/run/nginx.pid "
                   "--lock-path=/var/run/nginx.lock --user=nginx --group=nginx --with-http_ssl_module "
                   "--with-http_v2_module --with-stream")
NGINX_CONF = "/etc/nginx/nginx.conf"


def c_nginx(sh: Shell, args: list[str], io: Io) -> int:
    version = sh.box.env.get("NGINX_VERSION", NGINX_LATEST_VERSION)
    flags = args[1:]
    if "-v" in flags:  # nginx writes these to stderr
        io.err(f"nginx version: nginx/{version}\n")
        return 0
    if "-V" in flags:
        io.err(f"nginx version: nginx/{version}\nbuilt by gcc 12.2.0 (Debian 12.2.0-14) \n"
               "built with OpenSSL 3.0.11 19 Sep 2023 (running with OpenSSL 3.0.15 3 Sep 2024)\n"
               f"TLS SNI support enabled\nconfigure arguments: {NGINX_CONFIGURE}\n")
        return 0
    if "-t" in flags or "-T" in flags:
        io.err(f"nginx: the configuration file {NGINX_CONF} syntax is ok\n"
               f"nginx: configuration file {NGINX_CONF} test is successful\n")
        return 0
    if "-s" in flags:
        i = flags.index("-s")
        signal = flags[i + 1] if i + 1 < len(flags) else ""
        if signal not in ("stop", "quit", "reopen", "reload"):
            io.err(f'nginx: invalid option: "-s {signal}"\n' if signal else 'nginx: option "-s" requires parameter\n')
            return 1
        return 0  # (the master process takes the signal: nothing to say)
    # a second master: the first one holds the port
    for _ in range(5):
        io.err("nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)\n")
    io.err("nginx: [emerg] still could not bind()\n")
    return 1


def c_httpd(sh: Shell, args: list[str], io: Io) -> int:
    version = sh.box.env.get("HTTPD_VERSION", HTTPD_VERSION)
    if "-v" in args[1:]:
        io.out(f"Server version: Apache/{version} (Unix)\nServer built:   Jul 17 2024 18:36:04\n")
        return 0
    io.err("(98)Address already in use: AH00072: make_sock: could not bind to address [::]:80\n"
           "no listening sockets available, shutting down\nAH00015: Unable to open logs\n")
    return 1
