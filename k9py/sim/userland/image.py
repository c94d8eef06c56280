"""The root file system and environment an image brings: its family (busybox, alpine, debian,
ubuntu), ``/etc`` files, and what nginx / httpd images add."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from k9py.sim import registry
from k9py.sim.behaviour import image_name, image_tag
from k9py.sim.userland.fs import Dir, File, tree

# the programs of each image family that the simulated shell implements (``ls /bin``, ``which``,
# ``command -v`` and exec agree on them): busybox's applets (no bash, no curl), Debian's
BUSYBOX_APPLETS = ("sh", "ash", "[", "base64", "basename", "cat", "chroot", "clear", "cp", "cut", "date", "df", "dirname",
                   "echo", "env", "false", "grep", "head", "hostname", "id", "kill", "ls", "mkdir", "mv", "nslookup",
                   "ping", "printenv", "printf", "ps", "pwd", "rm", "rmdir", "seq", "sleep", "sort", "tail", "tar",
                   "tee", "test", "touch", "true", "uname", "uniq", "wc", "wget", "which", "whoami")
DEBIAN_BIN = ("bash", "sh", "dash", "[", "base64", "basename", "cat", "chroot", "clear", "cp", "cut", "date", "df", "dirname",
              "echo", "env", "false", "grep", "head", "hostname", "id", "kill", "ls", "mkdir", "mv", "printenv",
              "printf", "ps", "pwd", "rm", "rmdir", "seq", "sleep", "sort", "tail", "tar", "tee", "test", "touch",
              "true", "uname", "uniq", "wc", "which", "whoami")

# Debian-based images without procps (`ps`): debian itself, and those FROM debian:*-slim (the
# official nginx and httpd images, every *-slim tag); ubuntu's and the buildpack-deps-based ones
# (python, node, golang: full tags) have it
NO_PROCPS = ("debian", "nginx", "httpd")

OS_RELEASE = {
    "alpine": ('NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n'
               'HOME_URL="https://alpinelinux.org/"\nBUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"\n'),
    "debian": ('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n'
               'VERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n'
               'SUPPORT_URL="https://www.debian.org/support"\nBUG_REPORT_URL="https://bugs.debian.org/"\n'),
    "stretch": ('PRETTY_NAME="Debian GNU/Linux 9 (stretch)"\nNAME="Debian GNU/Linux"\nVERSION_ID="9"\n'
                'VERSION="9 (stretch)"\nVERSION_CODENAME=stretch\nID=debian\nHOME_URL="https://www.debian.org/"\n'
                'SUPPORT_URL="https://www.debian.org/support/"\nBUG_REPORT_URL="https://bugs.debian.org/"\n'),
    "ubuntu": ('PRETTY_NAME="Ubuntu 24.04.1 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nVERSION="24.04.1 LTS (Noble Numbat)"\n'
               'VERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\nHOME_URL="https://www.ubuntu.com/"\n'
               'SUPPORT_URL="https://help.ubuntu.com/"\nBUG_REPORT_URL="https://bugs.launchpad.net/ubuntu/"\n'
               'UBUNTU_CODENAME=noble\n'),
}

# nginx's stylesheet up to 1.18, in its default page and its error page alike
_NGINX_OLD_STYLE = """<style>
    body {
        width: 35em;
        margin: 0 auto;
        font-family: Tahoma, Verdana, Arial, sans-serif;
    }
</style>
"""
# nginx's default page: 612 bytes up to 1.18, 615 bytes since 1.19 (what the access log counts)
NGINX_INDEX_OLD = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
""" + _NGINX_OLD_STYLE + """</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""
NGINX_INDEX = """<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
"""
# nginx's error page: 537 bytes up to 1.18 (its error log linked), 497 since 1.19
NGINX_50X_OLD = """<!DOCTYPE html>
<html>
<head>
<title>Error</title>
""" + _NGINX_OLD_STYLE + """</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the <a href="http://nginx.org/r/error_log">error log</a> for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
"""
NGINX_50X = """<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
"""
NGINX_DEFAULT_CONF = r"""server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }

    # proxy the PHP scripts to Apache listening on 127.0.0.1:80
    #
    #location ~ \.php$ {
    #    proxy_pass   http://127.0.0.1;
    #}

    # pass the PHP scripts to FastCGI server listening on 127.0.0.1:9000
    #
    #location ~ \.php$ {
    #    root           html;
    #    fastcgi_pass   127.0.0.1:9000;
    #    fastcgi_index  index.php;
    #    fastcgi_param  SCRIPT_FILENAME  /scripts$fastcgi_script_name;
    #    include        fastcgi_params;
    #}

    # deny access to .htaccess files, if Apache's document root
    # concurs with nginx's one
    #
    #location ~ /\.ht {
    #    deny  all;
    #}
}

"""
NGINX_CONF = """
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
"""
HTTPD_INDEX = "<html><body><h1>It works!</h1></body></html>\n"

DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass
class Image:
    """What an image contributes: its family, root file tree, environment, shell and server."""

    name: str
    tag: str
    family: str                     # busybox | alpine | debian | ubuntu
    files: dict[str, str | bytes] = field(default_factory=dict)
    env: list[tuple[str, str]] = field(default_factory=list)
    server: str | None = None       # nginx | httpd: answers HTTP
    workdir: str = "/"
    programs: tuple[str, ...] = ()  # what is in /bin (the server's own binary aside)
    mtimes: dict[str, float] = field(default_factory=dict)  # files whose build time is known (else: the start)

    @property
    def shell(self) -> str:
        return "bash" if self.family in ("debian", "ubuntu") and self.name != "nginx" else "sh"


# when the Debian image's html files were built (Last-Modified: Tue, 04 Dec 2018 14:44:49 GMT, ETag
# "5c0692e1-264" for 1.14.2's index.html; Wed, 02 Oct 2024 15:13:19 GMT, "66fd630f-267" for 1.27.2's)
NGINX_HTML_BUILT: dict[tuple[int, ...], float] = {(1, 14, 2): 1543934689.0, (1, 27, 2): 1727881999.0}
NGINX_LATEST = (1, 27, 2)  # what `nginx`, `nginx:latest`, `nginx:stable-alpine` run here
NGINX_LATEST_VERSION = ".".join(map(str, NGINX_LATEST))
HTTPD_VERSION = "2.4.62"  # what every httpd image runs here
# the last release of each line, as nginx.org lists them: what a two-part tag (nginx:1.25) runs;
# a line not listed runs its .0
NGINX_LAST_PATCH = {(1, 13): 12, (1, 14): 2, (1, 15): 12, (1, 16): 1, (1, 17): 10, (1, 18): 0, (1, 19): 10,
                    (1, 20): 2, (1, 21): 6, (1, 22): 1, (1, 23): 4, (1, 24): 0, (1, 25): 5, (1, 26): 3,
                    (1, 27): 5, (1, 28): 0}


def nginx_version(tag: str) -> tuple[int, ...]:
    """The nginx release an image tag runs: ``1.14.2`` itself, ``1.25`` that line's last release
    (1.25.5), anything else (``latest``, ``alpine``, ``1``) the latest."""
    try:
        parts = tuple(int(x) for x in tag.split("-")[0].split(".")[:3])
    except ValueError:
        return NGINX_LATEST
    if len(parts) == 2:
        return (*parts, NGINX_LAST_PATCH.get(parts, 0))
    return parts if len(parts) == 3 else NGINX_LATEST


# images built FROM scratch or distroless: no shell, no tar, nothing but their own binary (the
# cluster's components; `kubectl exec -it coredns-… -- sh` fails, `kubectl debug` is the way in)
_DISTROLESS_REPOS = ("registry.k8s.io/coredns/coredns", "docker.io/coredns/coredns", "registry.k8s.io/kube-apiserver",
                     "registry.k8s.io/kube-controller-manager", "registry.k8s.io/kube-scheduler",
                     "registry.k8s.io/etcd", "registry.k8s.io/metrics-server/metrics-server",
                     "registry.k8s.io/pause", "gcr.io/k8s-minikube/storage-provisioner")
_DISTROLESS_PREFIXES = ("gcr.io/distroless/", "cgr.dev/chainguard/static")


def distroless(ref: str) -> bool:
    """Whether image ``ref`` has no userland at all (scratch/distroless)."""
    try:
        repo = registry.parse(ref).repository  # normalised as the kubelet does (docker.io/…)
    except registry.InvalidReference:
        return False
    if repo.startswith("k8s.gcr.io/"):  # the old home of the same images
        repo = "registry.k8s.io/" + repo.removeprefix("k8s.gcr.io/")
    return repo in _DISTROLESS_REPOS or repo.startswith(_DISTROLESS_PREFIXES)


ECHO_SERVER = "echo-server"  # kicbase/echo-server (minikube's hello-minikube), jmalloc/echo-server


def image_for(ref: str) -> Image:
    """The simulated contents of image ``ref`` (``nginx:1.14.2``, ``busybox``, ...)."""
    name, tag = image_name(ref), image_tag(ref)
    if name == ECHO_SERVER:  # one static Go binary FROM scratch: it echoes each HTTP request on $PORT (8080)
        return Image(name=name, tag=tag, family="distroless", server="echo")
    if distroless(ref):
        img = Image(name=name, tag=tag, family="distroless")
        img.files["etc/passwd"] = "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
        img.files["etc/group"] = "root:x:0:\nnobody:x:65534:\n"
        return img
    if name == "busybox":
        family = "busybox"
    elif name == "alpine" or "alpine" in tag or name == CURL_IMAGE:
        family = "alpine"
    elif name == "ubuntu":
        family = "ubuntu"
    else:
        family = "debian"
    img = Image(name=name, tag=tag, family=family)
    os_key = family
    if name == "nginx":
        version = nginx_version(tag)
        full = ".".join(str(v) for v in version)
        old = version < (1, 19)
        if family == "debian" and old:
            os_key = "stretch"
        img.server = "nginx"
        img.env = [("NGINX_VERSION", full)]
        if not old:
            img.env += [("NJS_VERSION", "0.8.7"), ("NJS_RELEASE", "1~bookworm"), ("PKG_RELEASE", "1~bookworm")]
        else:
            img.env += [("NJS_VERSION", "1.14.2.0.2.6-1~stretch")]
        built = NGINX_HTML_BUILT.get(version) if family == "debian" else None
        if built is not None:  # what nginx's Last-Modified and ETag name
            img.mtimes = {"usr/share/nginx/html/index.html": built, "usr/share/nginx/html/50x.html": built}
        img.files.update({
            "usr/share/nginx/html/index.html": NGINX_INDEX_OLD if old else NGINX_INDEX,
            "usr/share/nginx/html/50x.html": NGINX_50X_OLD if old else NGINX_50X,
            "etc/nginx/conf.d/default.conf": NGINX_DEFAULT_CONF,
            "etc/nginx/nginx.conf": NGINX_CONF,
            "var/log/nginx/access.log": "",
            "var/log/nginx/error.log": "",
            "docker-entrypoint.sh": "#!/bin/sh\n# vim:sw=4:ts=4:et\n\nset -e\n",
            "usr/sbin/nginx": b"\x7fELF\x02\x01\x01",
        })
    elif name == "httpd":
        img.server = "httpd"
        img.env = [("HTTPD_PREFIX", "/usr/local/apache2"), ("HTTPD_VERSION", HTTPD_VERSION)]
        img.files["usr/local/apache2/htdocs/index.html"] = HTTPD_INDEX
        img.files["usr/local/apache2/bin/httpd"] = b"\x7fELF\x02\x01\x01"
        img.workdir = "/usr/local/apache2"
    busybox = family in ("busybox", "alpine")
    img.programs = BUSYBOX_APPLETS if busybox else DEBIAN_BIN
    if family == "debian" and (name in NO_PROCPS or "slim" in tag):  # debian:*-slim based: no procps
        img.programs = tuple(p for p in img.programs if p != "ps")
    if _ships_curl(img, os_key):
        img.programs += ("curl",)
    if family in OS_RELEASE or os_key in OS_RELEASE:
        img.files["etc/os-release"] = OS_RELEASE[os_key]
    root_shell = "/bin/bash" if family in ("debian", "ubuntu") else "/bin/sh"
    passwd = [f"root:x:0:0:root:/root:{root_shell}", "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
              "bin:x:2:2:bin:/bin:/usr/sbin/nologin", "sys:x:3:3:sys:/dev:/usr/sbin/nologin"]
    if family == "busybox":
        passwd = ["root:x:0:0:root:/root:/bin/sh", "daemon:x:1:1:daemon:/usr/sbin:/bin/false",
                  "bin:x:2:2:bin:/bin:/bin/false", "sys:x:3:3:sys:/dev:/bin/false",
                  "www-data:x:33:33:www-data:/var/www:/bin/false", "nobody:x:65534:65534:nobody:/home:/bin/false"]
    if img.server == "nginx":
        passwd.append("nginx:x:101:101:nginx user:/nonexistent:/bin/false")
    if family != "busybox":
        passwd.append("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin")
    img.files["etc/passwd"] = "\n".join(passwd) + "\n"
    img.files["etc/group"] = "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nnogroup:x:65534:\n"
    return img


def _ships_curl(img: Image, os_key: str) -> bool:
    """curl is in nginx's images (Debian since 1.19 — not stretch's — and Alpine), and assumed
    in other Debian-based images (language runtimes, databases) but for the bare OS images;
    busybox and alpine have none (busybox's wget instead)."""
    if img.server == "nginx":
        return os_key != "stretch"
    if img.name == CURL_IMAGE:
        return True
    return img.family in ("debian", "ubuntu") and img.name not in ("debian", "ubuntu")


CURL_IMAGE = "curl"  # curlimages/curl: Alpine with curl, ENTRYPOINT ["/entrypoint.sh"], CMD ["curl"]


def argv(image: str, container: dict[str, Any]) -> list[str]:
    """What the container runs: its command and args, through the image's ENTRYPOINT when it sets
    no command. Only curlimages/curl's is known: its ``/entrypoint.sh`` runs curl with the args
    (``-- -s svc``, ``-- http://svc``, none: ``curl``) unless the first is a program (``-- sh``,
    ``-- curl -s svc``); the other images known here have none (their CMD is what args replace)."""
    command = [str(w) for w in container.get("command") or []]
    args = [str(w) for w in container.get("args") or []]
    if command or image_name(image) != CURL_IMAGE:
        return command + args
    words = args or ["curl"]
    first = words[0].rsplit("/", 1)[-1]
    return words if first == "curl" or first in BUSYBOX_APPLETS else ["curl", *words]


def root_tree(img: Image, now: float) -> Dir:
    """A fresh writable layer for one container instance."""
    root = tree(img.files, mtime=now)
    for path, when in img.mtimes.items():
        node: Dir | File = root
        for part in path.split("/"):
            child = node.children.get(part) if isinstance(node, Dir) else None
            if child is None:
                break
            node = child
        else:
            node.mtime = when
    for d in ("bin", "dev", "etc", "home", "proc", "root", "sys", "tmp", "usr/bin", "usr/sbin", "var/log", "var/run"):
        cur = root
        for part in d.split("/"):
            nxt = cur.children.setdefault(part, Dir(mtime=now))
            assert isinstance(nxt, Dir)
            cur = nxt
    bindir = root.children["bin"]
    assert isinstance(bindir, Dir)
    for b in img.programs:
        bindir.children[b] = File(b"\x7fELF\x02\x01\x01", 0o755, now)
    tmp = root.children["tmp"]
    assert isinstance(tmp, Dir)
    tmp.mode = 0o1777
    return root


@functools.lru_cache(maxsize=1024)  # asked at every container start; building an Image costs more
def busybox_family(ref: str) -> bool:
    """Whether image ``ref`` is busybox or alpine: every program in it a busybox applet, its
    shell the simulated one (one-shot and script containers, start errors)."""
    return image_for(ref).family in ("busybox", "alpine")
