"""Network commands: nslookup, wget, ping (busybox), curl, over ``userland/net.py``."""

from __future__ import annotations

import posixpath
import random
import re
from datetime import UTC, datetime

from k9py.sim.userland import net
from k9py.sim.userland.fs import FsError
from k9py.sim.userland.shell import MAX_ITERATIONS, Interrupted, Io, Shell

INTERRUPTED = 130  # ctrl-c (exec.py's): ping prints its statistics and ends; a hang-up ends it


def c_nslookup(sh: Shell, args: list[str], io: Io) -> int:
    names = [a for a in args[1:] if not a.startswith("-")]
    if not names:
        io.err("Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n")
        return 1
    io.out("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n")
    found = net.resolve(sh.cluster, sh.box, names[0])
    if found is None:
        io.out(f"** server can't find {names[0]}: NXDOMAIN\n\n")
        return 1
    fqdn, ips = found
    for ip in ips:
        io.out(f"Name:\t{fqdn}\nAddress: {ip}\n\n")
    return 0


def _url(text: str) -> tuple[str, int, str]:
    m = re.fullmatch(r"(?:(https?)://)?([^/:]+)(?::(\d+))?(/.*)?", text)
    if not m:
        raise ValueError(text)
    scheme, host, port, path = m.groups()
    default = 443 if scheme == "https" else 80
    return host, int(port) if port else default, path or "/"


def c_wget(sh: Shell, args: list[str], io: Io) -> int:
    quiet, out_file, url = False, None, None
    rest = args[1:]
    k = 0
    while k < len(rest):
        a = rest[k]
        k += 1
        if a == "--quiet":
            quiet = True
        elif a.startswith("--output-document"):
            out_file = a.partition("=")[2] or (rest[k] if k < len(rest) else None)
            k += 0 if "=" in a else 1
        elif a.startswith("--"):
            continue
        elif a.startswith("-") and len(a) > 1:
            for j, ch in enumerate(a[1:], 1):
                if ch == "q":
                    quiet = True
                elif ch in "OTUY":   # options with a value: the rest of the word or the next one
                    value = a[j + 1:] or (rest[k] if k < len(rest) else "")
                    k += 0 if a[j + 1:] else 1
                    if ch == "O":
                        out_file = value
                    break
        else:
            url = a
    if url is None:
        io.err("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [-O FILE] URL...\n")
        return 1
    try:
        host, port, path = _url(url)
    except ValueError:
        io.err(f"wget: bad address '{url}'\n")
        return 1
    found = net.resolve(sh.cluster, sh.box, host)
    if found is None:
        io.err(f"wget: bad address '{host}'\n")
        return 1
    ip = found[1][0]
    if not quiet:
        io.err(f"Connecting to {host}:{port} ({ip}:{port})\n")
    try:
        resp = net.http_get(sh.cluster, sh.box, f"{host}:{port}" if port != 80 else host, ip, port, path, "Wget")
    except net.Refused:
        io.err(f"wget: can't connect to remote host ({ip}): Connection refused\n")
        return 1
    if resp.status >= 400:
        io.err(f"wget: server returned error: HTTP/1.1 {resp.status} {resp.reason}\n")
        return 1
    name = out_file or (posixpath.basename(path.split("?", 1)[0]) or "index.html")
    size = len(resp.body)
    if name == "-":
        if not quiet:
            io.err("writing to stdout\n")
        io.out(resp.body)
        if not quiet:
            io.err(f"-                    100% |********************************|   {size}  0:00:00 ETA\nwritten to stdout\n")
        return 0
    try:
        sh.box.fs.write(sh.path(name), resp.body)
    except FsError as e:
        io.err(f"wget: can't open '{name}': {e}\n")
        return 1
    if not quiet:
        io.err(f"saving to '{name}'\n{name:<20} 100% |********************************|   {size}  0:00:00 ETA\n'{name}' saved\n")
    return 0


def c_curl(sh: Shell, args: list[str], io: Io) -> int:
    out_file, url, silent, head, fail, remote_name = None, None, False, False, False, False
    method: str | None = None
    payload: bytes | None = None
    rest = args[1:]
    k = 0
    while k < len(rest):
        a = rest[k]
        if a in ("-o", "--output") and k + 1 < len(rest):
            out_file = rest[k + 1]
            k += 2
            continue
        if a in ("-X", "--request") and k + 1 < len(rest):
            method = rest[k + 1]
            k += 2
            continue
        if a in ("-d", "--data", "--data-raw", "--data-binary") and k + 1 < len(rest):
            payload = (payload + b"&" if payload else b"") + rest[k + 1].encode()
            k += 2
            continue
        if a in ("-H", "--header", "-A", "--user-agent", "-m", "--max-time", "--connect-timeout"):
            k += 2
            continue
        if a.startswith("-") and not a.startswith("--"):
            silent = silent or "s" in a
            head = head or "I" in a or "i" in a
            fail = fail or "f" in a
            remote_name = remote_name or "O" in a
        elif a in ("--silent",):
            silent = True
        elif a in ("--head", "--include"):
            head = True
        elif a == "--fail":
            fail = True
        elif not a.startswith("-"):
            url = a
        k += 1
    if url is None:
        io.err("curl: try 'curl --help' or 'curl --manual' for more information\n")
        return 2
    try:
        host, port, path = _url(url)
    except ValueError:
        io.err("curl: (3) URL rejected: Malformed input to a URL function\n")
        return 3
    found = net.resolve(sh.cluster, sh.box, host)
    if found is None:
        io.err(f"curl: (6) Could not resolve host: {host}\n")
        return 6
    ip = found[1][0]
    head_only = "--head" in rest or any(a.startswith("-") and not a.startswith("--") and "I" in a for a in rest)
    verb = method or ("HEAD" if head_only else "POST" if payload is not None else "GET")
    try:
        resp = net.http_request(sh.cluster, sh.box, f"{host}:{port}" if port != 80 else host, ip, port, path,
                                "curl/8.5.0", method=verb, body=payload or b"")
    except net.Refused:
        io.err(f"curl: (7) Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server\n")
        return 7
    if fail and resp.status >= 400:
        io.err(f"curl: (22) The requested URL returned error: {resp.status}\n")
        return 22
    stamp = datetime.fromtimestamp(int(sh.cluster.now()), tz=UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    extra = "".join(f"{k}: {v}\r\n" for k, v in resp.headers.items())
    headers = (f"HTTP/1.1 {resp.status} {resp.reason}\r\nServer: {resp.server_header}\r\nDate: {stamp}\r\n"
               f"Content-Type: text/html\r\nContent-Length: {len(resp.body)}\r\n{extra}Connection: keep-alive\r\n\r\n")
    data = headers.encode() if head and "-I" in rest else (headers.encode() if head else b"") + resp.body
    if remote_name and out_file is None:
        out_file = posixpath.basename(path) or "index.html"
    if out_file and out_file != "-":
        try:
            sh.box.fs.write(sh.path(out_file), data)
        except FsError as e:
            io.err(f"curl: (23) Failure writing output to destination: {e}\n")
            return 23
        return 0
    io.out(data)
    return 0


PING_USAGE = ("BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\n"
              "Usage: ping [OPTIONS] HOST\n\nSend ICMP ECHO_REQUESTs to HOST\n")


def _ping_options(args: list[str]) -> tuple[dict[str, float], set[str], list[str]]:
    """busybox ping's ``-c N -s N -W N -w N -i N`` (``-c3`` or ``-c 3``), flags, operands."""
    values: dict[str, float] = {}
    flags: set[str] = set()
    operands: list[str] = []
    k = 0
    while k < len(args):
        a = args[k]
        k += 1
        if not a.startswith("-") or len(a) < 2:
            operands.append(a)
            continue
        for j, ch in enumerate(a[1:], 1):
            if ch in "csWwi":
                text = a[j + 1:] or (args[k] if k < len(args) else "")
                k += 0 if a[j + 1:] else 1
                try:
                    values[ch] = float(text)
                except ValueError:
                    raise ValueError(text) from None
                break
            flags.add(ch)
    return values, flags, operands


def c_ping(sh: Shell, args: list[str], io: Io) -> int:
    """busybox ping: one echo request per interval (1 s) on the virtual clock until ``-c`` are
    sent, the ``-w`` deadline passes or ctrl-c; then the statistics. Who answers is
    ``net.echo_ttl``'s; round-trip times come from a generator seeded by the address, so a
    session reads the same every time."""
    try:
        values, flags, operands = _ping_options(args[1:])
    except ValueError as e:
        io.err(f"ping: invalid number '{e}'\n")
        return 1
    if len(operands) != 1:
        io.err(PING_USAGE)
        return 1
    host = operands[0]
    found = net.resolve(sh.cluster, sh.box, host)
    if found is None:
        io.err(f"ping: bad address '{host}'\n")
        return 1
    ip = found[1][0]
    ttl = net.echo_ttl(sh.cluster, sh.box, ip)
    count, size = int(values.get("c", 0)), int(values.get("s", 56))
    deadline, interval, timeout = values.get("w"), values.get("i", 1.0), values.get("W", 10.0)
    rng = random.Random(f"ping {ip}")
    base = 30 if ip.startswith("127.") else 50 if ttl == 64 else 350
    times: list[int] = []   # round trips, in microseconds
    sent, elapsed, idle = 0, 0.0, 0

    def wait(seconds: float) -> None:
        """Let ``seconds`` of the process's time go by (at most to the deadline)."""
        nonlocal elapsed, idle
        if deadline is not None:
            seconds = min(seconds, max(deadline - elapsed, 0.0))
        naps = sh.sleeper.naps if sh.sleeper else 0
        if sh.sleeper is not None:
            sh.sleeper.sleep(seconds)
        idle = 0 if sh.sleeper is not None and sh.sleeper.naps != naps else idle + 1
        elapsed += seconds

    io.out(f"PING {host} ({ip}): {size} data bytes\n")
    try:
        while (deadline is None or elapsed < deadline) and idle < MAX_ITERATIONS:
            if ttl is not None:
                us = base + rng.randrange(base * 2)
                times.append(us)
                if "q" not in flags:
                    io.out(f"{size + 8} bytes from {ip}: seq={sent} ttl={ttl} time={us // 1000}.{us % 1000:03d} ms\n")
            sent += 1
            if count and sent >= count:
                if len(times) < sent:  # the last one may still come: busybox waits -W (none yet), else a little
                    wait(1.0 if times else timeout)
                break
            wait(interval)
    except Interrupted as e:
        if e.code != INTERRUPTED:
            raise
    received = len(times)
    io.out(f"\n--- {host} ping statistics ---\n{sent} packets transmitted, {received} packets received, "
           f"{(sent - received) * 100 // sent if sent else 0}% packet loss\n")
    if times:
        avg = sum(times) // received
        io.out("round-trip min/avg/max = " + "/".join(f"{t // 1000}.{t % 1000:03d}" for t in (min(times), avg, max(times)))
               + " ms\n")
    return 1 if received == 0 or (deadline is not None and received < count) else 0
