"""A MergedView: one table over several contexts (`:pods --contexts a,b`), with a CONTEXT column.

Each context has its own Session (backend + informer): the navigator's own for the context it
is on, one opened here for each other (closed with the view). Opening them is asynchronous and
independent: the view shows at once, a context's rows arrive when its watch has listed, and a
context that cannot be reached (or whose watch fails later) is only reported in the title
(``a ✓ b ✗ connection refused``) while the others' rows keep updating.

Rows are read-only here: describe, YAML and logs act on the row's own context's Session
(``session_of``); the verbs that change something are not offered (switch with `:ctx` for them).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import replace
from functools import partial

from k9py.explorer.resource_view import Change, ResourceView, TitleParts
from k9py.explorer.session import Session
from k9py.kube import meta
from k9py.store.informer import Cache, Diff, Subscription
from k9py.view.kinds import Scope, ViewKind
from k9py.view.merged_rows import MergedRowModel, context_of
from k9py.view.rows import Row, RowModel

VERBS = frozenset({"describe", "yaml", "logs", "previous", "copy"})  # what a merged row offers (on its own context)
_CLOSING: set[asyncio.Task[None]] = set()  # sessions closing after their view went (kept from the GC)


def merged_kind(view: ViewKind) -> ViewKind:
    """``view`` as a merged view shows it: the read-only verbs, and enter describes."""
    return replace(view, verbs=view.verbs & VERBS, drill_hint="")


def check(session: Session, view: ViewKind, contexts: Iterable[str]) -> str | None:
    """Why ``view`` cannot merge ``contexts`` (an unknown context, a view that is no API list);
    None when it can."""
    if not view.kind or view.derived or view.discovered:
        return f"{view.name}: only built-in resource views can merge contexts"
    known = {meta.name(c) for c in session.contexts()}
    for name in contexts:
        if name not in known:
            return f'no context exists with the name: "{name}"'
    return None


class MergedView(ResourceView):
    def __init__(self, session: Session, scope: Scope, contexts: Iterable[str], *, filter: str = "",
                 sort: tuple[str, bool] | None = None, wide: bool = False) -> None:
        """``session``: the navigator's (used for its own context, never closed here)."""
        super().__init__(session, replace(scope, view=merged_kind(scope.view)),
                         filter=filter, sort=sort, wide=wide)
        self.withheld = scope.view.verbs - VERBS  # what the view's rows would offer on one context
        self.contexts = list(dict.fromkeys(contexts))
        self.sessions: dict[str, Session] = {}
        self.owned: set[str] = set()  # contexts whose Session this view opened (and closes)
        self.failures: dict[str, str] = {}  # contexts that could not be opened: why
        self.subs: dict[str, Subscription] = {}
        self.connecting: asyncio.Task[None] | None = None  # opening the other contexts
        self.closed = False

    @property
    def shows_pods(self) -> bool:
        return False  # usage figures are per context: none here

    # -- life ----------------------------------------------------------------------------------------
    def open(self) -> RowModel:
        scope = self.scope
        all_ns = scope.view.namespaced and not scope.namespace
        model = MergedRowModel(scope.view, all_namespaces=all_ns, wide=self.wide, predicate=scope.keeps())
        if self.sort:
            model.set_sort(*self.sort)
        model.set_filter(self.filter)
        self.model = model
        here = self.session.info().context
        if here in self.contexts:
            self.attach(here, self.session, owned=False)
        others = [c for c in self.contexts if c not in self.sessions]
        if others:
            self.connecting = asyncio.get_running_loop().create_task(self._connect(others))
        return model

    async def _connect(self, names: list[str]) -> None:
        """Open the other contexts side by side: a slow one delays only itself."""
        await asyncio.gather(*(self._connect_one(name) for name in names))

    async def _connect_one(self, name: str) -> None:
        try:
            session = await self.session.switch_context(name, history=False)  # `:rewind` reads the pane's own
        except asyncio.CancelledError:
            raise
        except Exception as err:
            self.failures[name] = str(err) or type(err).__name__
            self._tell(Change(rows=True, state=True))
            return
        session.start()  # started, then closed: a Session closes its backend only if it started it
        if self.closed:  # the view went meanwhile
            await session.close()
            return
        self.attach(name, session, owned=True)

    def attach(self, name: str, session: Session, *, owned: bool) -> None:
        """Show context ``name`` through ``session`` (rows a warm cache holds load now)."""
        model = self.model
        assert isinstance(model, MergedRowModel)
        self.sessions[name] = session
        if owned:
            self.owned.add(name)
        model.nows[name] = session.now()
        ns = self.namespace
        cache = session.informer.cache(self.scope.view.kind, ns)
        if cache is not None and cache.synced:
            model.load_context(name, cache.objects)
        self.subs[name] = session.informer.subscribe(self.scope.view.kind, ns, partial(self._on_context_diff, name))
        self._tell(Change(rows=True, state=True))

    def refresh(self) -> bool:
        """Each context lists its objects again."""
        return any([self.sessions[name].informer.relist(self.scope.view.kind, self.namespace)
                    for name in self.subs])

    def close(self) -> None:
        super().close()  # the filter's slices (the pane's own subscriptions are the contexts' here)
        self._release(unsubscribe=True)

    def detach(self) -> None:
        """The navigator's session is going away (`:ctx`): the contexts opened here close too."""
        super().detach()
        self._release(unsubscribe=False)

    def _release(self, *, unsubscribe: bool) -> None:
        self.closed = True
        if self.connecting is not None:
            self.connecting.cancel()
            self.connecting = None
        for name, sub in self.subs.items():
            if unsubscribe or name in self.owned:
                self.sessions[name].informer.unsubscribe(sub)
        self.subs.clear()
        for name in self.owned:
            task = asyncio.get_running_loop().create_task(self.sessions[name].close())
            _CLOSING.add(task)
            task.add_done_callback(_CLOSING.discard)
        self.owned.clear()
        self.sessions.clear()

    async def aclose(self) -> None:
        """Close now and wait for the contexts opened here to be closed (the app's exit, tests)."""
        owned = [self.sessions[n] for n in self.owned]
        self.owned.clear()
        self.close()
        for session in owned:
            with contextlib.suppress(Exception):
                await session.close()

    # -- what it shows -----------------------------------------------------------------------------------
    def session_of(self, row: Row) -> Session | None:
        """The Session of the row's own context (None: that context is gone from the view)."""
        return self.sessions.get(context_of(row))

    def states(self) -> list[tuple[str, str, str | None]]:
        """(context, state, error) in the order given: connecting, connected, reconnecting,
        offline, forbidden, or failed (the context could not be opened)."""
        out: list[tuple[str, str, str | None]] = []
        for name in self.contexts:
            session = self.sessions.get(name)
            if name in self.failures:
                out.append((name, "failed", self.failures[name]))
            elif session is None:
                out.append((name, "connecting", None))
            else:
                cache = session.informer.cache(self.scope.view.kind, self.namespace)
                state, error = session.connection(cache)
                if state == "connected" and cache is not None and not cache.synced:  # not listed yet
                    state, error = ("connecting" if cache.state == "connected" else cache.state), cache.error
                out.append((name, state, error))
        return out

    def state_line(self) -> str:
        """The contexts' states for a title: ``a ✓ b ✗ connection refused``."""
        marks = {"connected": "✓", "connecting": "…"}
        parts = []
        for name, state, error in self.states():
            mark = marks.get(state, "✗")
            parts.append(f"{name} {mark}" + (f" {error}" if error and mark == "✗" else ""))
        return " ".join(parts)

    def title_parts(self, *, full_gvr: bool = False) -> TitleParts:
        base = super().title_parts(full_gvr=full_gvr)
        return [*base, ("", f" {self.state_line()}")] if base else []

    def cache(self) -> Cache | None:
        return None  # several: see states()

    def condition(self) -> tuple[bool, str | None]:
        """Rows are never greyed as a whole (one context down says so in the title); with no
        row and no context reachable, why."""
        states = self.states()
        down = [s for s in states if s[1] not in ("connected", "connecting")]
        if self.model is not None and not self.model.total and states and len(down) == len(states):
            return False, "no context reachable: " + "; ".join(f"{n}: {e or s}" for n, s, e in down)
        return False, None

    def tick(self) -> None:
        m = self.model
        if isinstance(m, MergedRowModel):
            for name, session in self.sessions.items():
                m.nows[name] = session.now()
            m.now = max(m.nows.values(), default=m.now)

    def apply_metrics(self) -> bool:
        return False

    def apply_forwards(self) -> bool:
        return False

    def flush(self) -> None:
        """Manual mode (tests): deliver every context's pending diffs."""
        for session in list(self.sessions.values()):
            session.informer.flush()

    # -- changes ----------------------------------------------------------------------------------------
    def _on_context_diff(self, name: str, cache: Cache, diff: Diff) -> None:
        m = self.model
        if not isinstance(m, MergedRowModel) or name not in self.sessions:
            return
        changed = bool(diff.added or diff.changed or diff.removed or diff.reset)
        if not (changed or diff.synced):
            if diff.state:  # the title shows each context's state: retitle too
                self._tell(Change(rows=True, state=True))
            return
        m.nows[name] = self.sessions[name].now()
        if diff.reset:
            m.load_context(name, cache.objects)
        else:
            m.apply_context(name, diff.added, diff.changed, diff.removed, cache.objects.get)
        self._tell(Change(rows=True, state=bool(diff.state) or bool(diff.synced), synced=bool(diff.synced)))
