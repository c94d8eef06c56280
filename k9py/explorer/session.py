"""A Session: one backend with what the explorer keeps about it (the informer cache, metrics,
discovered aliases). `:ctx` replaces the whole Session; panes or contexts side by side would
each hold one. No Textual here: the App renders what a Session knows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from k9py.backends.base import Backend, BackendInfo, Capability, StatusError, read_only
from k9py.explorer.benchmark import Benchmarks
from k9py.explorer.portforward import Forwards
from k9py.store.informer import Cache, Informer
from k9py.store.metrics import MetricsCache
from k9py.view import kinds
from k9py.view.crd_rows import PrinterColumnsModel
from k9py.view.helm_rows import HelmReleaseModel
from k9py.view.kinds import ViewKind
from k9py.view.printers import has_printer
from k9py.view.rows import RowModel
from k9py.view.server_rows import ServerTableModel

if TYPE_CHECKING:  # made by whoever turns history on (ui/launch.py): not imported for the first frame
    from k9py.scenario.player import Player
    from k9py.store.history import History

Obj = dict[str, object]
HistoryFactory = Callable[[Backend], "History"]


REDISCOVERY_WAIT = 5.0  # seconds a command waits for discovery read again before it says "not found"


class Session:
    def __init__(self, backend: Backend, *, readonly: bool = False, manual: bool = False,
                 namespace: str = "default", history: HistoryFactory | None = None) -> None:
        """``manual``: tests drive the clock and flush the informer by hand (no timers).
        ``history``: makes the time machine's History of this backend (None: no history)."""
        self.backend: Backend = read_only(backend) if readonly else backend
        self._unwrapped = backend  # what a switch of context asks: its new Session decides read-only
        self.readonly = readonly
        self._rediscovery: asyncio.Future[bool] | None = None  # discovery read again, maybe still going
        self.manual = manual
        self.namespace = namespace  # the namespace the context opens in
        self.informer = Informer(self.backend, auto_flush=not manual)
        self.metrics = MetricsCache(self.backend)
        self._aliases_key: tuple[object, ...] | None = None
        self._aliases: kinds.Aliases = {}
        self._polling = False
        self.forwards = Forwards()  # shift-f's port-forwards: they end with the session
        self.benchmarks = Benchmarks()  # `b` on a port-forward: the runs going
        self._make_history = history
        self._backend_started = False
        self.history: History | None = history(backend) if history is not None else None
        #: a Session over the past (``explorer.timetravel``): the Session of the present it came from
        self.present: Session | None = None
        #: at is this Session's moment; an object that no longer exists now is ``gone``
        self.gone: Callable[[str, str, str], bool] | None = None
        self.playhead: Player | None = None  # a past Session's Player (its moment: ``playhead.now()``)

    # -- what the backend is ---------------------------------------------------------------------
    def info(self) -> BackendInfo:
        return self.backend.info()

    @property
    def read_only(self) -> bool:
        return self.readonly or self.backend.info().read_only

    def now(self) -> float:
        return self.backend.now()

    def supports(self, capability: Capability) -> bool:
        return self.backend.supports(capability)

    def start(self) -> None:
        """Start the backend's clock driver or connection (not in manual mode)."""
        if not self.manual and not self._backend_started:
            self._backend_started = True
            self.backend.start()
        if self.history is not None and self.history.backend is None:
            self.history.start(self.backend)

    async def close(self) -> None:
        if self._rediscovery is not None:
            self._rediscovery.cancel()  # (a server that never answered it)
        self.benchmarks.cancel_all()
        self.forwards.stop_all()
        if self.history is not None:
            await self.history.close()
        await self.informer.close()
        if self._backend_started or self.manual:  # start/close in pairs: a simulated cluster shown
            await self.backend.close()  # by several Sessions (contexts of one another) counts them

    # -- contexts ----------------------------------------------------------------------------------
    def contexts(self) -> list[dict[str, object]]:
        """The kubeconfig's contexts (the one in use marked), or the backend's only one."""
        rows: list[dict[str, object]] = []
        if self.supports(Capability.CONTEXTS):
            rows = list(self.backend.contexts())
        if not rows:
            info = self.info()
            rows = [{"kind": "Context", "metadata": {"name": info.context}, "cluster": info.cluster,
                     "user": info.user, "current": True, "namespace": self.namespace or "default"}]
        return rows

    def can_switch(self) -> bool:
        return self.supports(Capability.CONTEXTS)

    async def switch_context(self, name: str, *, readonly: bool | None = None, history: bool = True) -> Session:
        """A new Session on context ``name`` (this one stays open: the caller closes it once the
        new one is shown), read-only as ``readonly`` says (None: as this one), keeping a history
        unless ``history`` is False (a merged view's extra context: nobody rewinds it). Raises
        the backend's error for a bad context."""
        backend = await self._unwrapped.use_context(name)
        readonly = self.readonly if readonly is None else readonly
        return Session(backend, readonly=readonly, manual=self.manual, namespace=self.namespace,
                       history=self._make_history if history else None)

    # -- discovery ----------------------------------------------------------------------------------
    async def rediscover(self, wait: float | None = None) -> bool:
        """Read discovery again (``Backend.rediscover``): True when it was read within ``wait``
        seconds. A server that does not answer (hung, overloaded) leaves the reading going on
        behind: an unknown `:` command is said "not found" then, as k9s says it at once, not when
        the request times out half a minute later; the kinds it brings are there for the next."""
        task = self._rediscovery
        if task is None or task.done():
            task = self._rediscovery = asyncio.ensure_future(self.backend.rediscover())
            # one nobody waits for any more may still fail: its error is read (asyncio would log it)
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
        try:
            return await asyncio.wait_for(asyncio.shield(task), REDISCOVERY_WAIT if wait is None else wait)
        except TimeoutError:
            return False

    @property
    def rediscovers(self) -> bool:
        return self.backend.rediscovers

    def extra_aliases(self) -> kinds.Aliases:
        """The `:` aliases discovery adds (server short names, CRDs and other kinds)."""
        try:
            found = self.backend.kinds()
        except Exception:
            found = []
        key = tuple(found)
        if key != self._aliases_key:
            self._aliases_key, self._aliases = key, kinds.discovered(found)
        return self._aliases

    # -- namespaces ---------------------------------------------------------------------------------
    def namespace_known(self, ns: str) -> bool | None:
        """Whether namespace ``ns`` exists, from a synced namespaces watch (None: not known yet)."""
        cache = self.informer.cache("Namespace", None)
        if cache is None or not cache.synced:
            return None
        return ("", ns) in cache.objects

    async def namespace_exists(self, ns: str) -> bool:
        """Ask the backend; anything but NotFound (no right to read namespaces, offline) counts
        as existing: only a namespace known to be missing is said to be."""
        try:
            await self.backend.get("Namespace", None, ns)
        except StatusError as err:
            return err.code != 404
        except Exception:
            return True
        return True

    def uses_server_table(self, view: ViewKind) -> bool:
        """Kinds k9py has no printer for take their columns from the server's Table."""
        return view.discovered and not has_printer(view.kind) and self.supports(Capability.SERVER_TABLES)

    def model_class(self, view: ViewKind) -> type[RowModel]:
        """The row model of ``view``: the server's Table columns, a CRD's printer columns computed
        here (a backend without server tables: the simulator), or kubectl's printers."""
        if view.name == "helm":
            return HelmReleaseModel
        if self.uses_server_table(view):
            return ServerTableModel
        if view.columns:
            return PrinterColumnsModel
        return RowModel

    # -- connection ---------------------------------------------------------------------------------
    def connection(self, cache: Cache | None) -> tuple[str, str | None]:
        """(state, last error) for the header: the backend's, or the shown view's watch state
        when that one is in trouble (a watch reconnecting with back-off)."""
        info = self.info()
        state, error = info.state, info.extra.get("error")
        if state == "connected" and cache is not None and cache.state in ("reconnecting", "offline"):
            state, error = cache.state, cache.error
        return state, (error if state != "connected" else None)

    async def poll_metrics(self, namespace: str | None, *, pods: bool) -> bool:
        """Fetch usage (nodes always; pods in ``namespace`` when ``pods``). False when a poll
        was already under way (this one is skipped)."""
        if self._polling:
            return False
        self._polling = True
        try:
            await self.metrics.refresh(namespace, pods=pods)
        finally:
            self._polling = False
        return True

    def cluster_usage(self) -> tuple[int, int] | None:
        """The header's CPU% and MEM% (usage over the nodes' allocatable), None without metrics."""
        nodes = self.informer.cache("Node", None)
        if nodes is None:
            return None
        return self.metrics.cluster_percent(list(nodes.objects.values()))
