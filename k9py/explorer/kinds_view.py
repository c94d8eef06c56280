"""A table over the informer's caches of several kinds (the workloads view's six, the users and
groups views' two bindings): their subscriptions, ctrl-r, closing, and the state the title and
the greyed rows show. Subclasses build the model and fold each kind's diffs into it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from k9py.explorer.resource_view import ResourceView
from k9py.store.informer import Cache, Diff, Subscription


class KindsView(ResourceView):
    KINDS: tuple[str, ...] = ()
    subs: dict[str, Subscription]

    @property
    def shows_pods(self) -> bool:
        return False  # no usage columns

    @property
    def watched_namespace(self) -> str | None:
        return self.namespace

    def subscribe_all(self, callback: Callable[[str, Cache, Diff], None]) -> list[str]:
        """Subscribe to every kind (``callback(kind, cache, diff)``); the kinds whose caches were
        already listed, which the caller has read (it gets their changes from now on)."""
        self.subs = {}
        informer, ns = self.session.informer, self.watched_namespace
        warm = []
        for kind in self.KINDS:
            cache = informer.cache(kind, ns)
            read = cache is not None and cache.synced
            if read:
                warm.append(kind)
            self.subs[kind] = informer.subscribe(kind, ns, partial(callback, kind), has_read=read)
        return warm

    def caches(self) -> list[tuple[str, Cache | None]]:
        return [(kind, self.session.informer.cache(kind, self.watched_namespace)) for kind in self.subs]

    def refresh(self) -> bool:
        informer = self.session.informer
        return any([informer.relist(kind, self.watched_namespace) for kind in self.subs])

    def close(self) -> None:
        super().close()
        for sub in self.subs.values():
            self.session.informer.unsubscribe(sub)
        self.subs = {}

    def detach(self) -> None:
        super().detach()
        self.subs = {}

    def cache(self) -> Cache | None:
        return None  # several: see condition()

    def condition(self) -> tuple[bool, str | None]:
        """Greyed while a watch is down; with no row and no kind listable, why."""
        caches = self.caches()
        denied = [(k, c) for k, c in caches if c is not None and c.state == "forbidden"]
        if denied and self.model is not None and not self.model.total and len(denied) == len(caches):
            return False, "access denied: " + "; ".join(f"{k}: {c.error or 'forbidden'}" for k, c in denied)
        down = any(c is not None and c.state in ("reconnecting", "offline") for _, c in caches)
        state, _ = self.session.connection(None)
        return down or state in ("reconnecting", "offline"), None

    def denied(self) -> list[str]:
        """The kinds that cannot be listed (forbidden)."""
        return [k for k, c in self.caches() if c is not None and c.state == "forbidden"]

    def apply_metrics(self) -> bool:
        return False

    def apply_forwards(self) -> bool:
        return False
