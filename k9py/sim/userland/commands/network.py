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
    server = net.resolver(sh.cluster, sh.box).server
    io.out(f"Server:\t\t{server}\nAddress:\t{server}:53\n\n")
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
    if found is None:  # (busybox names the URL's host as written, its port too)
        io.err(f"wget: bad address '{re.sub(r'^https?://', '', url).split('/', 1)[0]}'\n")
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


# the curl an image ships: Debian bookworm's (nginx's Debian images), Alpine 3.20's (nginx:alpine)
CURL = {
    "debian": ("7.88.1", "x86_64-pc-linux-gnu",
               "OpenSSL/3.0.15 zlib/1.2.13 brotli/1.0.9 zstd/1.5.4 libidn2/2.3.3 libpsl/0.21.2 (+libidn2/2.3.3) "
               "libssh2/1.10.0 nghttp2/1.52.0 librtmp/2.3 OpenLDAP/2.5.13",
               "2023-02-20, security patched: 7.88.1-10+deb12u8"),
    "jammy": ("7.81.0", "x86_64-pc-linux-gnu",  # Ubuntu 22.04's: a minikube node's (chroot /host)
              "OpenSSL/3.0.2 zlib/1.2.11 brotli/1.0.9 zstd/1.4.8 libidn2/2.3.2 libpsl/0.21.0 (+libidn2/2.3.2) "
              "libssh/0.9.6/openssl/zlib nghttp2/1.43.0 librtmp/2.3 OpenLDAP/2.5.18",
              "2022-01-05"),
    "alpine": ("8.12.1", "x86_64-alpine-linux-musl",
               "OpenSSL/3.3.3 zlib/1.3.1 brotli/1.1.0 zstd/1.5.6 c-ares/1.33.1 libidn2/2.3.7 libpsl/0.21.5 nghttp2/1.62.1",
               "2025-02-13"),
}
CURL_PROTOCOLS = ("dict file ftp ftps gopher gophers http https imap imaps ldap ldaps mqtt pop3 pop3s rtmp rtsp scp "
                  "sftp smb smbs smtp smtps telnet tftp")
CURL_FEATURES = ("alt-svc AsynchDNS brotli GSS-API HSTS HTTP2 HTTPS-proxy IDN IPv6 Kerberos Largefile libz NTLM "
                 "NTLM_WB PSL SPNEGO SSL threadsafe TLS-SRP UnixSockets zstd")
CURL_VALUE_FLAGS = {"o": "output", "w": "write-out", "X": "request", "d": "data", "H": "header", "A": "user-agent",
                    "m": "max-time", "e": "referer", "u": "user", "x": "proxy", "b": "cookie", "c": "cookie-jar",
                    "T": "upload-file", "r": "range", "F": "form"}
CURL_FLAGS = {"s": "silent", "S": "show-error", "v": "verbose", "I": "head", "i": "include", "f": "fail",
              "L": "location", "O": "remote-name", "k": "insecure", "V": "version", "4": "ipv4", "6": "ipv6",
              "g": "globoff", "N": "no-buffer"}
CURL_LONG_VALUES = {*CURL_VALUE_FLAGS.values(), "data-raw", "data-binary", "data-urlencode", "connect-timeout",
                    "retry", "retry-delay", "resolve", "cacert", "cert", "key", "max-redirs"}
CURL_LONG_FLAGS = {*CURL_FLAGS.values(), "compressed", "http1.1", "http2", "fail-with-body", "no-progress-meter",
                   "ipv4", "raw", "tcp-nodelay", "no-keepalive"}
REDIRECTS = (301, 302, 303, 307, 308)


def _curl_version(sh: Shell) -> tuple[str, str, str, str]:
    if sh.box.image.family == "ubuntu":
        try:
            if 'VERSION_ID="22.04"' in sh.box.fs.read("/etc/os-release").decode(errors="replace"):
                return CURL["jammy"]
        except FsError:
            pass
    return CURL["alpine" if sh.box.image.family == "alpine" else "debian"]


class CurlUsage(ValueError):
    """A command line curl rejects (exit 2)."""


def _curl_options(args: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """curl's options by long name (each value given, in order; a flag's value is ``""``) and its URLs."""
    opts: dict[str, list[str]] = {}
    urls: list[str] = []
    k = 0
    while k < len(args):
        a = args[k]
        k += 1
        if a.startswith("--") and len(a) > 2:
            name, eq, value = a[2:].partition("=")
            if name in CURL_LONG_VALUES:
                if not eq:
                    if k >= len(args):
                        raise CurlUsage(f"curl: option {a}: requires parameter")
                    value, k = args[k], k + 1
                opts.setdefault(name, []).append(value)
            elif name in CURL_LONG_FLAGS or name.startswith("no-"):
                opts.setdefault(name, []).append("")
            else:
                raise CurlUsage(f"curl: option {a}: is unknown")
        elif a.startswith("-") and len(a) > 1:
            for j, ch in enumerate(a[1:], 1):
                if ch in CURL_VALUE_FLAGS:
                    value = a[j + 1:]
                    if not value:
                        if k >= len(args):
                            raise CurlUsage(f"curl: option -{ch}: requires parameter")
                        value, k = args[k], k + 1
                    opts.setdefault(CURL_VALUE_FLAGS[ch], []).append(value)
                    break
                if ch not in CURL_FLAGS:
                    raise CurlUsage(f"curl: option {a}: is unknown")
                opts.setdefault(CURL_FLAGS[ch], []).append("")
        else:
            urls.append(a)
    return opts, urls


def _write_out(fmt: str, values: dict[str, str], io: Io) -> str:
    """``-w``: ``%{name}`` replaced, ``\\n`` ``\\t`` ``\\r`` unescaped, an unknown name warned about."""
    def var(m: re.Match[str]) -> str:
        if m.group(1) not in values:
            io.err(f"curl: unknown --write-out variable: '{m.group(1)}'\n")
            return ""
        return values[m.group(1)]

    text = re.sub(r"%\{([a-z_]+)\}", var, fmt)
    return re.sub(r"\\([ntr\\])", lambda m: {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}[m.group(1)], text)


def _progress(size: int) -> str:
    """The meter curl prints on stderr when its output is not the terminal (``-o FILE``), a
    transfer of ``size`` bytes that took a millisecond."""
    speed = size * 1000
    rate = str(speed) if speed < 100000 else f"{speed // 1024}k" if speed < 10000 * 1024 else f"{speed // 1048576}M"
    return ("  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
            "                                 Dload  Upload   Total   Spent    Left  Speed\n"
            f"\r100 {size:>5}  100 {size:>5}    0     0 {rate:>6}      0 --:--:-- --:--:-- --:--:-- {rate:>5}\n")


def c_curl(sh: Shell, args: list[str], io: Io) -> int:
    """curl as the image ships it: -s/-S, -o/-O, -w, -v, -I/-i, -X, -d, -H, -f, -L, --version.
    What it writes (its verbose trace on stderr, the headers, the body, the ``-w`` text) comes
    from one request to the simulated network (``net.http_request``)."""
    version, platform, libs, released = _curl_version(sh)
    try:
        opts, urls = _curl_options(args[1:])
    except CurlUsage as e:
        io.err(f"{e}\ncurl: try 'curl --help' or 'curl --manual' for more information\n")
        return 2
    if "version" in opts:
        features = CURL_FEATURES.replace(" threadsafe", "") if version == "7.81.0" else CURL_FEATURES  # (7.84+)
        io.out(f"curl {version} ({platform}) libcurl/{version} {libs}\nRelease-Date: {released}\n"
               f"Protocols: {CURL_PROTOCOLS}\nFeatures: {features}\n")
        return 0
    if not urls:
        io.err("curl: try 'curl --help' or 'curl --manual' for more information\n")
        return 2
    silent, verbose = "silent" in opts, "verbose" in opts
    show_errors = not silent or "show-error" in opts
    head = "head" in opts
    data = [d.encode() for key in ("data", "data-raw", "data-binary", "data-urlencode") for d in opts.get(key, [])]
    payload = b"&".join(data) if data else None
    method = (opts.get("request") or [""])[-1] or ("HEAD" if head else "POST" if payload is not None else "GET")
    agent = (opts.get("user-agent") or [f"curl/{version}"])[-1]
    extra = [h for h in opts.get("header", []) if ":" in h]
    old = version.startswith("7.")
    out_file = opts["output"][-1] if "output" in opts else None
    values = {"http_code": "000", "response_code": "000", "size_download": "0", "num_redirects": "0",
              "time_total": "0.001000", "remote_ip": "", "remote_port": "", "url_effective": urls[0],
              "content_type": "", "method": method, "exitcode": "0"}

    def fail(code: int, message: str) -> int:
        if verbose:
            io.err("* Closing connection 0\n" if old else "* closing connection #0\n")
        if show_errors:
            io.err(f"curl: ({code}) {message}\n")
        if "write-out" in opts:
            io.out(_write_out(opts["write-out"][-1], {**values, "exitcode": str(code)}, io))
        return code

    url, redirects = urls[0], 0
    while True:
        try:
            host, port, path = _url(url)
        except ValueError:
            return fail(3, "URL rejected: Malformed input to a URL function")
        values["url_effective"] = url if "://" in url else f"http://{url}" + ("" if "/" in url else "/")
        found = net.resolve(sh.cluster, sh.box, host)
        if found is None:
            if verbose:
                io.err(f"* Could not resolve host: {host}\n")
            return fail(6, f"Could not resolve host: {host}")
        ip = found[1][0]
        host_header = f"{host}:{port}" if port != 80 else host
        if verbose:
            io.err(f"*   Trying {ip}:{port}...\n")
        try:
            request_headers = [("User-Agent", agent), ("Accept", "*/*"), *((k.strip(), v.strip()) for k, _, v in
                                                                 (h.partition(":") for h in extra)),
                    *([("Content-Length", str(len(payload))), ("Content-Type", "application/x-www-form-urlencoded")]
                      if payload is not None else [])]
            resp = net.http_request(sh.cluster, sh.box, host_header, ip, port, path, agent, method=method,
                                    body=payload or b"", headers=request_headers)
        except net.Refused:
            if verbose:
                io.err(f"* connect to {ip} port {port} failed: Connection refused\n"
                       f"* Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server\n")
            return fail(7, f"Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server")
        values.update(remote_ip=ip, remote_port=str(port), http_code=str(resp.status),
                      response_code=str(resp.status), num_redirects=str(redirects))
        stamp = datetime.fromtimestamp(int(sh.cluster.now()), tz=UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
        fields = [*([("Server", resp.server_header)] if resp.server_header else []), ("Date", stamp),
                  ("Content-Type", resp.content_type), ("Content-Length", str(len(resp.body))), *resp.headers.items(),
                  *([] if "Connection" in resp.headers else [("Connection", "keep-alive")])]
        values["content_type"] = resp.content_type
        if verbose:
            sent = [f"{method} {path} HTTP/1.1", f"Host: {host_header}", f"User-Agent: {agent}", "Accept: */*",
                    *extra, *([f"Content-Length: {len(payload)}", "Content-Type: application/x-www-form-urlencoded"]
                              if payload is not None else []), ""]
            io.err(f"* Connected to {host} ({ip}) port {port}{' (#0)' if old else ''}\n"
                   + "".join(f"> {line}\r\n" for line in sent)
                   + ("* Mark bundle as not supporting multiuse\n" if version == "7.81.0" else "")
                   + f"< HTTP/1.1 {resp.status} {resp.reason}\r\n" + "".join(f"< {k}: {v}\r\n" for k, v in fields)
                   + "< \r\n")
        location = resp.headers.get("Location")
        if "location" in opts and resp.status in REDIRECTS and location and redirects < 50:
            if verbose:
                io.err(f"* Connection #0 to host {host} left intact\n* Issue another request to this URL: '{location}'\n")
            url, redirects = location, redirects + 1
            continue
        break
    if "fail" in opts and resp.status >= 400:
        return fail(22, f"The requested URL returned error: {resp.status}")
    headers = (f"HTTP/1.1 {resp.status} {resp.reason}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n").encode()
    body = b"" if method == "HEAD" else resp.body
    values["size_download"] = str(len(body))
    output = headers if head else (headers if "include" in opts else b"") + body
    if "remote-name" in opts and out_file is None:
        out_file = posixpath.basename(path) or "index.html"
    if out_file and out_file != "-":
        if not silent and not verbose:
            io.err(_progress(len(body)))
        if out_file != "/dev/null":
            try:
                sh.box.fs.write(sh.path(out_file), output)
            except FsError:
                return fail(23, "Failure writing output to destination")
    else:
        io.out(output)
    if verbose:
        io.err(f"* Connection #0 to host {host} left intact\n")
    if "write-out" in opts:
        io.out(_write_out(opts["write-out"][-1], values, io))
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


def _iputils_ms(us: int) -> str:
    """A round trip as iputils prints it: three significant decimals, fewer as it grows."""
    if us >= 100000 - 50:
        return str((us + 500) // 1000)
    if us >= 10000 - 5:
        return f"{(us + 50) // 1000}.{(us + 50) % 1000 // 100}"
    if us >= 1000:
        return f"{(us + 5) // 1000}.{(us + 5) % 1000 // 10:02d}"
    return f"{us // 1000}.{us % 1000:03d}"


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

    iputils = sh.box.image.family not in ("busybox", "alpine")  # a minikube node's (kicbase's iputils-ping)
    if iputils:
        io.out(f"PING {host} ({ip}) {size}({size + 28}) bytes of data.\n")
    else:
        io.out(f"PING {host} ({ip}): {size} data bytes\n")
    peer = ip if host == ip else f"{host} ({ip})"
    try:
        while (deadline is None or elapsed < deadline) and idle < MAX_ITERATIONS:
            if ttl is not None:
                us = base + rng.randrange(base * 2)
                times.append(us)
                if "q" not in flags and iputils:
                    io.out(f"{size + 8} bytes from {peer}: icmp_seq={sent + 1} ttl={ttl} time={_iputils_ms(us)} ms\n")
                elif "q" not in flags:
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
    loss = (sent - received) * 100 // sent if sent else 0
    if iputils:
        took = int((sent - 1) * interval * 1000) + rng.randrange(1, 30) if sent > 1 else 0  # first to last sent
        io.out(f"\n--- {host} ping statistics ---\n{sent} packets transmitted, {received} received, "
               f"{loss}% packet loss, time {took}ms\n")
        if times:
            avg = sum(times) / received
            mdev = int(max(sum(t * t for t in times) / received - avg * avg, 0.0) ** 0.5)
            io.out("rtt min/avg/max/mdev = " + "/".join(f"{t // 1000}.{t % 1000:03d}" for t in
                                                        (min(times), int(avg), max(times), mdev)) + " ms\n")
        return 1 if received == 0 or (deadline is not None and received < count) else 0
    io.out(f"\n--- {host} ping statistics ---\n{sent} packets transmitted, {received} packets received, "
           f"{loss}% packet loss\n")
    if times:
        avg = sum(times) // received
        io.out("round-trip min/avg/max = " + "/".join(f"{t // 1000}.{t % 1000:03d}" for t in (min(times), avg, max(times)))
               + " ms\n")
    return 1 if received == 0 or (deadline is not None and received < count) else 0
