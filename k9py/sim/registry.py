"""The container registries the simulated kubelet pulls from: image references parsed as the
kubelet parses them (distribution/reference), and a catalogue of well-known images and their
real tags, so that a typo fails like it does on a cluster.

- A reference that does not parse (``nginx:1.1:``, ``NGINX``, ``nginx:``, a short digest) is the
  kubelet's ``InvalidImageName``: never pulled, retried at each pod sync.
- An image of the catalogue (the Docker Hub official images most manifests use: nginx, busybox,
  alpine, debian, ubuntu, redis, postgres, mysql, httpd, python, node, ...) pulls only with one of
  its tags: a ``VERSION`` or ``VERSION-VARIANT`` its repository really has (``1.25``,
  ``1.25.3-alpine``, ``3.12-slim-bookworm``) or one of its named tags (``latest``, ``stable``,
  ``bookworm``...). Any other tag is ``manifest unknown``: ErrImagePull, then ImagePullBackOff.
- A Docker Hub official image that is a near miss of a catalogued one (``ngnix``, ``nginxx``,
  ``bussybox``, ``docker.io/library/redix``: a letter added, dropped, changed or two swapped; two
  for names of six letters or more, ``postgresql``) and is not a real official image (``mono`` is
  one, a letter from ``mongo``) does not exist: ``pull access denied``, whatever the tag or digest.
  Other namespaces (``bitnami/ngnix``, ``myorg/ngnix-tools``) and registries are not checked.
- Any other image pulls whatever its tag (the simulator cannot know a private registry's tags),
  and so does a reference by digest.

``any_tag`` (the pod annotation ``k9py.sim/any-tag: "true"``, ``k9py serve --any-image-tag``)
turns the catalogue's tags off: every well-formed reference pulls but a misspelt repository (a
registry would not have it under any tag).
"""

from __future__ import annotations

import functools
import re
from contextvars import ContextVar
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
ANY_TAG_STATE = "registry.any_tag"  # cluster.state key: every well-formed reference pulls (serve --any-image-tag)
ANY_TAG_DEFAULT: ContextVar[bool] = ContextVar("any_image_tag", default=False)  # the same while a cluster is built
_HUB_ALIASES = ("docker.io", "index.docker.io", "registry-1.docker.io")

# distribution/reference's grammar (regexp.go)
_ALNUM = r"[a-z0-9]+"
_SEP = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEP}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(rf"^((?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)(?::({_TAG}))?(?:@({_DIGEST}))?$")
_ANCHORED_HEX = re.compile(r"^[a-f0-9]{64}$")
NAME_TOTAL_LENGTH_MAX = 255


class InvalidReference(ValueError):
    """What ``ParseNormalizedNamed`` says of a reference it refuses."""


@dataclass(frozen=True)
class Reference:
    domain: str        # docker.io, registry.k8s.io, ...
    path: str          # library/nginx
    tag: str           # "" when only a digest names it
    digest: str

    @property
    def repository(self) -> str:
        return f"{self.domain}/{self.path}"

    @property
    def familiar(self) -> str:
        """``nginx:1.25`` (Docker Hub's library images without their domain, as docker prints them)."""
        name = self.path.removeprefix("library/") if self.domain == DOCKER_HUB else self.repository
        if self.domain == DOCKER_HUB and "/" in self.path and not self.path.startswith("library/"):
            name = self.path
        return name + (f":{self.tag}" if self.tag else "") + (f"@{self.digest}" if self.digest else "")


def parse(image: str) -> Reference:
    """Normalise ``image`` as the kubelet does (``nginx`` → ``docker.io/library/nginx:latest``;
    distribution/reference's ParseNormalizedNamed); raises InvalidReference with its message."""
    if _ANCHORED_HEX.match(image):
        raise InvalidReference(f"invalid repository name ({image}), cannot specify 64-byte hexadecimal strings")
    first, slash, rest = image.partition("/")
    if not slash or ("." not in first and ":" not in first and first != "localhost" and first == first.lower()):
        domain, remainder = DOCKER_HUB, image
    else:
        domain, remainder = first, rest
    if domain in _HUB_ALIASES:
        domain = DOCKER_HUB
    if domain == DOCKER_HUB and "/" not in remainder:
        remainder = "library/" + remainder
    remote = remainder.split(":", 1)[0].split("@", 1)[0]
    if remote.lower() != remote:
        raise InvalidReference(f"invalid reference format: repository name ({remote}) must be lowercase")
    m = _REFERENCE.match(f"{domain}/{remainder}")
    if m is None:
        raise InvalidReference("invalid reference format")
    name, tag, digest = m.group(1), m.group(2) or "", m.group(3) or ""
    if len(name) > NAME_TOTAL_LENGTH_MAX:
        raise InvalidReference(f"repository name must not be more than {NAME_TOTAL_LENGTH_MAX} characters")
    if not tag and not digest:
        tag = "latest"
    return Reference(domain, name[len(domain) + 1:], tag, digest)


@functools.lru_cache(maxsize=4096)  # the kubelet asks at every pull; the answer depends on the string only
def invalid_name_message(image: str) -> str | None:
    """The kubelet's message for an image it cannot parse (the container's ``InvalidImageName``),
    or None for a well-formed reference."""
    try:
        parse(image)
    except InvalidReference as err:
        return f'Failed to apply default image tag "{image}": couldn\'t parse image reference "{image}": {err}'
    return None


# -- the catalogue ---------------------------------------------------------------------------------

def _series(*spec: tuple[str, int]) -> tuple[str, ...]:
    """``("1.25", 5)`` → 1.25.0 … 1.25.5."""
    return tuple(f"{minor}.{p}" for minor, last in spec for p in range(last + 1))


@dataclass(frozen=True)
class Catalogued:
    versions: tuple[str, ...]                 # full versions; their prefixes (1.25, 1) are tags too
    variants: tuple[str, ...] = ()            # VERSION-VARIANT and VARIANT alone are tags
    named: tuple[str, ...] = ()               # latest, stable, bookworm, ...
    bare_variants: bool = True                # whether a variant alone (``alpine``) is a tag

    def has(self, tag: str) -> bool:
        if tag in ("latest", *self.named):
            return True
        if self.bare_variants and tag in self.variants:
            return True
        version, variant = tag, ""
        for v in sorted(self.variants, key=len, reverse=True):
            if tag.endswith("-" + v):
                version, variant = tag[: -len(v) - 1], v
                break
        if variant and version in self.named:
            return True  # stable-alpine, mainline-perl, lts-slim
        return any(full == version or full.startswith(version + ".") for full in self.versions)


_DEBIANS = ("trixie", "bookworm", "bullseye", "buster", "stretch")
_NGINX = _series(("1.9", 15), ("1.10", 3), ("1.11", 13), ("1.12", 2), ("1.13", 12), ("1.14", 2), ("1.15", 12),
                 ("1.16", 1), ("1.17", 10), ("1.18", 0), ("1.19", 10), ("1.20", 2), ("1.21", 6), ("1.22", 1),
                 ("1.23", 4), ("1.24", 0), ("1.25", 5), ("1.26", 3), ("1.27", 5), ("1.28", 1), ("1.29", 3))
_PYTHON = _series(("2.7", 18), ("3.5", 10), ("3.6", 15), ("3.7", 17), ("3.8", 20), ("3.9", 23), ("3.10", 18),
                  ("3.11", 13), ("3.12", 11), ("3.13", 7), ("3.14", 1))
_NODE = _series(*((str(m), 0) for m in range(4, 10))) + tuple(f"{m}.{n}.0" for m in range(10, 26) for n in range(0, 21))
_CODE_NAMES_NODE = ("argon", "boron", "carbon", "dubnium", "erbium", "fermium", "gallium", "hydrogen", "iron", "jod",
                    "krypton")
_PG = tuple(f"{m}.{n}" for m in range(10, 18) for n in range(0, 23)) + _series(("9.6", 24), ("9.5", 25), ("9.4", 26))
_MYSQL = _series(("5.6", 51), ("5.7", 44), ("8.0", 41), ("8.1", 0), ("8.2", 0), ("8.3", 0), ("8.4", 5), ("9.0", 1),
                 ("9.1", 0), ("9.2", 0), ("9.3", 0), ("9.4", 0))
_REDIS = _series(("3.2", 12), ("4.0", 14), ("5.0", 14), ("6.0", 20), ("6.2", 17), ("7.0", 15), ("7.2", 7), ("7.4", 3),
                 ("8.0", 3), ("8.2", 2))
_UBUNTU_CODENAMES = ("trusty", "xenial", "bionic", "focal", "jammy", "noble", "oracular", "plucky", "questing",
                     "rolling", "devel")

CATALOGUE: dict[str, Catalogued] = {
    "library/nginx": Catalogued(_NGINX, ("alpine", "alpine-slim", "alpine-perl", "alpine-otel", "perl", "otel",
                                         *_DEBIANS, *(f"{d}-perl" for d in _DEBIANS), *(f"alpine{a}" for a in ("3.18", "3.19", "3.20", "3.21", "3.22"))),
                                ("stable", "mainline")),
    "library/busybox": Catalogued(_series(("1.21", 1), ("1.22", 1), ("1.23", 2), ("1.24", 2), ("1.25", 1), ("1.26", 2),
                                          ("1.27", 2), ("1.28", 4), ("1.29", 3), ("1.30", 1), ("1.31", 1), ("1.32", 1),
                                          ("1.33", 1), ("1.34", 1), ("1.35", 0), ("1.36", 1), ("1.37", 0)),
                                  ("glibc", "musl", "uclibc"), ("stable", "unstable")),
    "library/alpine": Catalogued(_series(("3.1", 4), ("3.2", 3), ("3.3", 3), ("3.4", 6), ("3.5", 3), ("3.6", 5), ("3.7", 3),
                                         ("3.8", 5), ("3.9", 6), ("3.10", 9), ("3.11", 13), ("3.12", 12), ("3.13", 12),
                                         ("3.14", 10), ("3.15", 11), ("3.16", 9), ("3.17", 10), ("3.18", 12), ("3.19", 8),
                                         ("3.20", 7), ("3.21", 5), ("3.22", 2)), (), ("edge",)),
    "library/debian": Catalogued(("7", "8", "9", "10", "11", "12", "13", *(f"{m}.{n}" for m in (9, 10, 11, 12, 13) for n in range(14))),
                                 ("slim",), (*_DEBIANS, "wheezy", "jessie", "sid", "experimental", "stable", "testing",
                                             "unstable", "oldstable", *(f"{d}-slim" for d in (*_DEBIANS, "sid", "stable", "testing")),
                                             *(f"{d}-backports" for d in _DEBIANS)), bare_variants=False),
    "library/ubuntu": Catalogued(("12.04", "14.04", "16.04", "18.04", "20.04", "22.04", "22.10", "23.04", "23.10", "24.04",
                                  "24.10", "25.04", "25.10", "26.04"), (), _UBUNTU_CODENAMES),
    "library/redis": Catalogued(_REDIS, ("alpine", "bookworm", "bullseye", "alpine3.20", "alpine3.21", "alpine3.22")),
    "library/postgres": Catalogued(_PG, ("alpine", "bookworm", "bullseye", "trixie", "alpine3.20", "alpine3.21", "alpine3.22")),
    "library/mysql": Catalogued(_MYSQL, ("oracle", "debian", "oraclelinux8", "oraclelinux9"), ("lts", "innovation"),
                                bare_variants=False),
    "library/mariadb": Catalogued(_series(("10.4", 34), ("10.5", 27), ("10.6", 21), ("10.11", 11), ("11.4", 5), ("11.8", 2)),
                                  ("jammy", "noble", "ubi", "ubi9"), ("lts",), bare_variants=False),
    "library/httpd": Catalogued(_series(("2.2", 34), ("2.4", 65)), ("alpine", *_DEBIANS)),
    "library/python": Catalogued(_PYTHON, ("slim", "alpine", *_DEBIANS, *(f"slim-{d}" for d in _DEBIANS),
                                           *(f"alpine{a}" for a in ("3.18", "3.19", "3.20", "3.21", "3.22")),
                                           "windowsservercore", "nanoserver"),
                                 ()),
    "library/node": Catalogued(_NODE, ("slim", "alpine", *_DEBIANS, *(f"{d}-slim" for d in _DEBIANS),
                                       *(f"alpine{a}" for a in ("3.18", "3.19", "3.20", "3.21", "3.22"))),
                               ("lts", "current", *_CODE_NAMES_NODE)),
    "library/perl": Catalogued(_series(("5.20", 3), ("5.22", 4), ("5.24", 4), ("5.26", 3), ("5.28", 3), ("5.30", 3),
                                       ("5.32", 1), ("5.34", 3), ("5.36", 3), ("5.38", 4), ("5.40", 2), ("5.42", 0)),
                               ("slim", "threaded", *_DEBIANS, *(f"slim-{d}" for d in _DEBIANS),
                                *(f"threaded-{d}" for d in _DEBIANS))),
    "library/golang": Catalogued(_series(*((f"1.{m}", 14) for m in range(10, 26))), ("alpine", *_DEBIANS)),
    "library/mongo": Catalogued(_series(("4.4", 29), ("5.0", 31), ("6.0", 24), ("7.0", 21), ("8.0", 12)), ("jammy", "noble")),
    "library/memcached": Catalogued(_series(("1.5", 22), ("1.6", 38)), ("alpine", *_DEBIANS)),
    "library/rabbitmq": Catalogued(_series(("3.8", 34), ("3.9", 29), ("3.10", 25), ("3.11", 28), ("3.12", 14),
                                           ("3.13", 7), ("4.0", 9), ("4.1", 4)), ("management", "alpine", "management-alpine")),
    "library/centos": Catalogued(("6", "7", "8", "6.10", "7.9.2009", "8.4.2105"), (), ("centos7", "centos8")),
    "library/fedora": Catalogued(tuple(str(v) for v in range(20, 44)), (), ("rawhide",)),
    "library/hello-world": Catalogued((), ("nanoserver", "linux"), (), bare_variants=True),
}


# Docker Hub's official images (docker-library/official-images' library/): none of them is a typo,
# however close to a catalogued name (mono/mongo, erlang/golang, hylang/golang).
OFFICIAL_IMAGES = frozenset((
    "adminer", "aerospike", "almalinux", "alpine", "alt", "amazoncorretto", "amazonlinux", "api-firewall",
    "arangodb", "archlinux", "backdrop", "bash", "bonita", "buildpack-deps", "busybox", "caddy", "cassandra",
    "chronograf", "cirros", "clearlinux", "clefos", "clickhouse", "clojure", "composer", "consul", "convertigo",
    "couchbase", "couchdb", "crate", "dart", "debian", "docker", "drupal", "eclipse-mosquitto", "eclipse-temurin",
    "eggdrop", "elasticsearch", "elixir", "emqx", "erlang", "fedora", "flink", "fluentd", "friendica", "gazebo",
    "gcc", "geonetwork", "ghost", "golang", "gradle", "groovy", "haproxy", "haskell", "haxe", "hello-world",
    "hitch", "httpd", "hylang", "ibm-semeru-runtimes", "ibmjava", "influxdb", "irssi", "jetty", "joomla", "jruby",
    "julia", "kapacitor", "kibana", "kong", "krakend", "lightstreamer", "liquibase", "logstash", "mageia",
    "mariadb", "matomo", "maven", "mediawiki", "memcached", "mongo", "mongo-express", "monica", "mono", "mysql",
    "nats", "neo4j", "neurodebian", "nextcloud", "nginx", "node", "notary", "odoo", "open-liberty", "openjdk",
    "oraclelinux", "orientdb", "percona", "perl", "photon", "php", "php-zendserver", "phpmyadmin", "plone",
    "postfixadmin", "postgres", "pypy", "python", "r-base", "rabbitmq", "rakudo-star", "redis", "redmine",
    "registry", "rethinkdb", "rocket.chat", "rockylinux", "ros", "ruby", "rust", "sapmachine", "satosa",
    "silverpeas", "sl", "solr", "sonarqube", "spark", "spiped", "storm", "swift", "swipl", "teamspeak", "telegraf",
    "tomcat", "tomee", "traefik", "ubuntu", "unit", "varnish", "websphere-liberty", "wordpress", "xwiki", "yourls",
    "znc", "zookeeper",
))
TYPO_MIN_LENGTH = 3  # a name shorter than this is nobody's typo of nginx or node


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: a swap of neighbours is one edit),
    or ``limit + 1`` once it is certainly more than ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


@functools.lru_cache(maxsize=1024)
def misspelt(ref_path: str) -> str | None:
    """The catalogued image a Docker Hub ``library/NAME`` is a near miss of (``library/ngnix`` →
    ``nginx``), or None: a real official image, a catalogued one, another namespace, a name too
    short or too far. One edit for names of up to five letters, two from six on."""
    ns, _, name = ref_path.rpartition("/")
    if ns != "library" or name in OFFICIAL_IMAGES or ref_path in CATALOGUE or len(name) < TYPO_MIN_LENGTH:
        return None
    for known in CATALOGUE:
        target = known.removeprefix("library/")
        limit = 1 if len(target) <= 5 else 2
        if _edit_distance(name, target, limit) <= limit:
            return target
    return None


def repository_exists(ref: Reference) -> bool:
    """Whether the registry has ``ref``'s repository at all: not if it is a misspelt official image."""
    return ref.domain != DOCKER_HUB or misspelt(ref.path) is None


def tag_exists(ref: Reference) -> bool:
    """Whether the registry has ``ref``: catalogued images only with one of their tags; every
    other image, and any reference by digest, exists."""
    if ref.digest or ref.domain != DOCKER_HUB:
        return True
    entry = CATALOGUE.get(ref.path)
    return entry is None or entry.has(ref.tag)


@functools.lru_cache(maxsize=4096)  # the kubelet asks at every pull of every pod; the catalogue never changes
def pull_error(image: str, *, any_tag: bool = False) -> str | None:
    """Why pulling ``image`` fails at the registry (the daemon's message), or None. The caller has
    already refused a reference that does not parse."""
    try:
        ref = parse(image)
    except InvalidReference:
        return None
    if not repository_exists(ref):  # no tag of it exists: any_tag does not make it up
        return (f"Error response from daemon: pull access denied for {ref.path.removeprefix('library/')}, repository "
                "does not exist or may require 'docker login': denied: requested access to the resource is denied")
    if any_tag or tag_exists(ref):
        return None
    shown = image if ":" in image.rsplit("/", 1)[-1] else image + ":latest"
    return f"Error response from daemon: manifest for {shown} not found: manifest unknown: manifest unknown"
