"""config.yaml: k9s's settings in k9s's shape (``internal/config/k9s.go``, ``types.go``,
``logger.go``, ``threshold.go``, ``shell_pod.go``; ``json/schemas/k9s.json``) under a root
``k9py:`` — or ``k9s:``, so a k9s user's own file loads as it is — plus k9py's own (backend,
scenario, speed).

Strict: a key neither k9s nor k9py knows, a wrong type or a value out of range is a ConfigError
naming the file, line and field. k9s keys k9py does not implement are accepted (and type-checked)
and have no effect: ``IGNORED`` lists them (docs/config.md too). ``load(path)`` reads a file;
``Settings()`` is the built-in defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from k9py.config import locations, yamlfile
from k9py.config.schema import (
    Anything,
    Bool,
    Duration,
    Int,
    ListOf,
    Map,
    Number,
    Size,
    Str,
    StrList,
    StrMap,
    ignored_keys,
    unknown_key,
)
from k9py.errors import K9pyError
from k9py.scenario.speeds import MAX_SPEED

ROOTS = ("k9py", "k9s")
BACKENDS = ("sim", "live")
LEVELS = ("ok", "warn", "critical")  # k9s's SeverityLow / Medium / High


@dataclass
class UI:
    """k9s's ``ui`` (the skin is ``Settings.skin``)."""
    headless: bool = False  # no header
    logoless: bool = False  # no logo in the header
    crumbsless: bool = False  # no crumbs line under the table
    no_icons: bool = False  # k9py shows no icons: accepted, no effect
    enable_mouse: bool = False  # k9s's default: the terminal keeps the mouse (select, copy, wheel)
    defaults_to_full_screen: bool = False  # describe, YAML and logs open full screen (`f` toggles)
    use_full_gvr_title: bool = False  # the table's title names apps/v1/deployments, not deployments
    invert: bool = False  # the skin turned dark to light (light to dark), its hues kept (--invert)
    reactive: bool = False  # the user's files read again when one is saved (ui/reactive.py)


@dataclass
class Logger:
    """k9s's ``logger``: how a log view opens."""
    tail: int = 100  # lines asked for when a log view opens
    buffer: int = 5000  # lines a log view keeps
    since_seconds: int = -1  # -1: the tail; else the window (seconds back) a log view opens with
    text_wrap: bool = False
    show_time: bool = False
    disable_autoscroll: bool = False


@dataclass
class Severity:
    critical: int = 90
    warn: int = 70


@dataclass
class Thresholds:
    """k9s's ``thresholds``: when CPU and memory percentages turn to warn and critical colours."""
    cpu: Severity = field(default_factory=Severity)
    memory: Severity = field(default_factory=Severity)

    def level(self, resource: str, percent: float | None) -> str:
        """k9s's ``LevelFor``: "ok", "warn" or "critical" for ``percent`` of ``resource``
        ("cpu" or "memory"); "ok" when unknown or outside 0..100."""
        sev = self.cpu if resource == "cpu" else self.memory if resource in ("memory", "mem") else None
        if sev is None or percent is None or not 0 <= percent <= 100:
            return "ok"
        if percent >= sev.critical:
            return "critical"
        if percent >= sev.warn:
            return "warn"
        return "ok"


@dataclass
class ShellPod:
    """k9s's ``shellPod``: the pod a node shell runs in (kept for the node shell, issue 12)."""
    image: str = "busybox:1.37.0"
    namespace: str = "default"
    limits: dict[str, str] = field(default_factory=lambda: {"cpu": "100m", "memory": "100Mi"})
    command: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    image_pull_policy: str = ""
    image_pull_secrets: list[str] = field(default_factory=list)  # secret names
    tty: bool = False
    host_path_volumes: list[dict[str, Any]] = field(default_factory=list)  # {name, mountPath, hostPath, readOnly}


@dataclass
class HistorySettings:
    """k9py's time machine (``k9py.history``): what the informers saw, kept on disk."""

    enabled: bool = True
    max_age: float = 7200.0  # seconds
    max_size: int = 200 * 1024 * 1024  # bytes on disk, every context together
    dir: str | None = None  # default: locations.history_dir()

    def root(self) -> Path:
        """Where the runs are: ``dir``, else the state directory's (what writes and reads them)."""
        return Path(self.dir).expanduser() if self.dir else locations.history_dir()


@dataclass
class Settings:
    skin: str | None = None  # k9py.ui.skin: a skin's name or file
    refresh_rate: float = 1.0  # seconds between repaints of ages and the clock; metrics at most this often
    api_server_timeout: float | None = None  # k9s's: a live cluster's requests' limit when --request-timeout is not given
    read_only: bool = False
    no_exit_on_ctrl_c: bool = False
    default_view: str | None = None  # the view k9py opens (k9s's defaultView; -c wins)
    screen_dump_dir: str | None = None  # k9s's screenDumpDir; default: locations.screen_dumps_dir()
    port_forward_address: str = "localhost"  # k9s's portForwardAddress: the port-forward dialog's address
    ui: UI = field(default_factory=UI)
    logger: Logger = field(default_factory=Logger)
    shell_pod: ShellPod = field(default_factory=ShellPod)
    thresholds: Thresholds = field(default_factory=Thresholds)
    # k9py's own
    history: HistorySettings = field(default_factory=HistorySettings)
    backend: str = "sim"  # sim | live
    scenario: str | None = None  # the simulator's scenario: a bundled name or a file
    speed: float = 1.0  # virtual seconds per real second
    root: str = "k9py"  # the file's root key (k9py or k9s)
    ignored: list[str] = field(default_factory=list)  # k9s keys the file set that k9py does not use

    def screen_dumps(self) -> Path:
        """Where ctrl-s writes: ``screenDumpDir`` (``~`` expanded), else the state directory's."""
        return Path(self.screen_dump_dir).expanduser() if self.screen_dump_dir else locations.screen_dumps_dir()


# -- the schema: k9s's names, k9s's types; ranges where a value would make no sense ---------------

SEVERITY = Map({"critical": Int(1, 100), "warn": Int(1, 100)})
SCHEMA = Map({
    "refreshRate": Number(lo=0.5),
    "readOnly": Bool(),
    "noExitOnCtrlC": Bool(),
    "defaultView": Str(),  # (k9s writes "": no default view)
    "screenDumpDir": Str(empty=False),
    "ui": Map({
        "headless": Bool(), "logoless": Bool(), "crumbsless": Bool(), "noIcons": Bool(),
        "skin": Str(empty=False),
        "enableMouse": Bool(), "splashless": Bool(ignored=True), "reactive": Bool(),
        "invert": Bool(), "defaultsToFullScreen": Bool(),
        "useFullGVRTitle": Bool(),
    }),
    "logger": Map({
        "tail": Int(1, 1_000_000), "buffer": Int(1, 1_000_000), "sinceSeconds": Int(1, also=(-1, 0)),
        "textWrap": Bool(), "showTime": Bool(), "disableAutoscroll": Bool(),
        "columnLock": Bool(ignored=True), "logBufferSize": Int(ignored=True),
    }),
    "shellPod": Map({
        "image": Str(empty=False), "namespace": Str(empty=False), "limits": StrMap(),
        "command": StrList(), "args": StrList(), "labels": StrMap(), "imagePullPolicy": Str(),
        "imagePullSecrets": ListOf(Map({"name": Str()})), "tty": Bool(),
        "hostPathVolume": ListOf(Map({"name": Str(), "mountPath": Str(), "hostPath": Str(), "readOnly": Bool()})),
    }),
    "thresholds": Map({"cpu": SEVERITY, "memory": SEVERITY}),
    # k9s's, accepted and ignored
    "liveViewAutoRefresh": Bool(ignored=True),
    "gpuVendors": Anything(),
    "apiServerTimeout": Duration(hi=9223372036.0),  # Go's longest duration (int64 nanoseconds), as --request-timeout
    "maxConnRetry": Int(ignored=True),
    "portForwardAddress": Str(),
    "skipLatestRevCheck": Bool(ignored=True),
    "disablePodCounting": Bool(ignored=True),
    "noIcons": Bool(ignored=True),  # k9s's README sets it here beside ui.noIcons (k9s only logs it)
    "imageScans": Anything(),
    # k9py's own
    "backend": Str(BACKENDS),
    "scenario": Str(empty=False),
    "speed": Number(above=0, hi=MAX_SPEED),
    "history": Map({"enabled": Bool(), "maxAge": Duration(lo=60), "maxSize": Size(lo=1024 * 1024),
                    "dir": Str(empty=False)}),
})
IGNORED = ignored_keys(SCHEMA)


def load(path: Path, *, text: str | None = None) -> Settings:
    """Read config.yaml at ``path``; ConfigError (FILE:LINE: field: ...) when it is wrong."""
    doc = yamlfile.load(path, text=text)
    top = yamlfile.mapping(doc, doc.data, [])
    roots = [k for k in top if k in ROOTS]
    for key in top:
        if key not in ROOTS:
            raise doc.error([key], unknown_key(key, list(ROOTS)) + ": config.yaml holds one `k9py:` (or `k9s:`) tree")
    if len(roots) > 1:
        raise doc.error([roots[1]], "use one root, k9py: or k9s:, not both")
    if not roots:
        return Settings()
    root = roots[0]
    data = SCHEMA.check(doc, top[root], [root])
    s = from_data(data)
    s.root = root
    s.ignored = [k for k in IGNORED if _has(data, k)]
    if s.default_view is not None:
        _check_view(doc, [root, "defaultView"], s.default_view)
    if s.skin is not None:
        _check_skin(doc, [root, "ui", "skin"], s.skin)
    if s.scenario is not None:
        s.scenario = _scenario(doc, [root, "scenario"], s.scenario, path.parent)
    for name, sev in (("cpu", s.thresholds.cpu), ("memory", s.thresholds.memory)):
        if sev.warn > sev.critical:
            raise doc.error([root, "thresholds", name, "warn"],
                            f"{sev.warn} is above critical ({sev.critical}): warn must not exceed critical")
    return s


def from_data(d: dict[str, Any]) -> Settings:
    """Checked data (``SCHEMA.check``) → Settings; what is absent keeps its default."""
    s = Settings()
    ui, lg, sp, th = d.get("ui", {}), d.get("logger", {}), d.get("shellPod", {}), d.get("thresholds", {})
    s.refresh_rate = d.get("refreshRate", s.refresh_rate)
    s.api_server_timeout = d.get("apiServerTimeout", s.api_server_timeout)
    s.read_only = d.get("readOnly", s.read_only)
    s.no_exit_on_ctrl_c = d.get("noExitOnCtrlC", s.no_exit_on_ctrl_c)
    s.default_view = d.get("defaultView", s.default_view) or None
    s.screen_dump_dir = d.get("screenDumpDir", s.screen_dump_dir)
    s.port_forward_address = d.get("portForwardAddress") or s.port_forward_address  # k9s: "" is localhost
    s.skin = ui.get("skin", s.skin)
    s.ui = UI(headless=ui.get("headless", False), logoless=ui.get("logoless", False),
              crumbsless=ui.get("crumbsless", False), no_icons=ui.get("noIcons", False),
              enable_mouse=ui.get("enableMouse", False),
              defaults_to_full_screen=ui.get("defaultsToFullScreen", False),
              use_full_gvr_title=ui.get("useFullGVRTitle", False), invert=ui.get("invert", False),
              reactive=ui.get("reactive", False))
    base = Logger()
    since = lg.get("sinceSeconds", base.since_seconds)
    s.logger = Logger(tail=lg.get("tail", base.tail), buffer=lg.get("buffer", base.buffer),
                      since_seconds=-1 if since == 0 else since,  # k9s: 0 means the default (-1, the tail)
                      text_wrap=lg.get("textWrap", False), show_time=lg.get("showTime", False),
                      disable_autoscroll=lg.get("disableAutoscroll", False))
    shell = ShellPod()
    s.shell_pod = ShellPod(
        image=sp.get("image", shell.image), namespace=sp.get("namespace", shell.namespace),
        limits=sp.get("limits") or shell.limits,  # k9s: no limits means its defaults
        command=sp.get("command", []), args=sp.get("args", []), labels=sp.get("labels", {}),
        image_pull_policy=sp.get("imagePullPolicy", ""),
        image_pull_secrets=[x["name"] for x in sp.get("imagePullSecrets", []) if x.get("name")],
        tty=sp.get("tty", False), host_path_volumes=sp.get("hostPathVolume", []))
    s.thresholds = Thresholds(_severity(th.get("cpu", {})), _severity(th.get("memory", {})))
    s.backend = d.get("backend", s.backend)
    s.scenario = d.get("scenario", s.scenario)
    s.speed = d.get("speed", s.speed)
    hist, base_h = d.get("history", {}), HistorySettings()
    s.history = HistorySettings(enabled=hist.get("enabled", base_h.enabled), max_age=hist.get("maxAge", base_h.max_age),
                                max_size=hist.get("maxSize", base_h.max_size), dir=hist.get("dir"))
    return s


def _severity(d: dict[str, int]) -> Severity:
    base = Severity()
    return Severity(critical=d.get("critical", base.critical), warn=d.get("warn", base.warn))


def _has(data: dict[str, Any], dotted: str) -> bool:
    cur: Any = data
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return False
        cur = cur[part]
    return True


def _check_view(doc: yamlfile.ConfigDoc, where: list[str | int], view: str) -> None:
    from k9py.view import kinds
    if kinds.parse_command(view).error:
        raise doc.error(where, f"unknown view {view!r} (try pods, deploy, svc, no, ns, ...)")


def _check_skin(doc: yamlfile.ConfigDoc, where: list[str | int], name: str) -> None:
    from k9py.config import skin
    try:
        skin.find(name)
    except K9pyError as err:
        raise doc.error(where, err.message) from None


def _scenario(doc: yamlfile.ConfigDoc, where: list[str | int], value: str, base: Path) -> str:
    """A bundled scenario's name, or a file (relative to the config directory); its path."""
    from k9py.scenario.catalog import resolve
    path = os.path.expanduser(value)
    if not os.path.isabs(path) and (base / path).exists():
        path = str(base / path)
    try:
        return resolve(path)
    except K9pyError as err:
        raise doc.error(where, f"{value}: {err.message}") from None
