"""A ResourceView: one table of the explorer (a scope over the informer) with its row model,
filter, sort, wide columns, cursor, marks and scroll position. It subscribes to the informer
itself and tells its listener what changed; the App only paints."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from k9py.backends.locked import in_thread
from k9py.explorer.session import Session
from k9py.kube import meta
from k9py.store.informer import Cache, Diff, Heard, Subscription
from k9py.store.metrics import Usage
from k9py.view.custom_columns import ViewColumns
from k9py.view.helm_rows import revision_row
from k9py.view.kinds import BY_NAME, Scope, group_of
from k9py.view.merged_rows import MergedRowModel
from k9py.view.rows import BIGGEST_FIRST, USAGE_KINDS, Key, PodCounter, Row, RowModel, SortKeys, expand_containers
from k9py.view.server_rows import ServerTableModel

# a title's parts by role (k9s's SkinTitle): the skin's frame.title colours paint them
HILITE, COUNT, FILTER = "hilite", "count", "filter"
TitleParts = list[tuple[str, str]]

FULL_RELOAD_MIN = 64  # a diff touching more rows than this (and > 1/4 of them) rebuilds the model
FILTER_SLICE = 0.005  # seconds of a lazy filter's work at a time: a key waits for one slice at most
FILTER_TELL = 0.1  # seconds between the listener's updates (count, scrollbar) while it goes on
# objects: a view's load of more runs in a worker thread (700,000 events held the event loop for
# 1.5-1.9 s beside a 100k-pod simulator; 100,000 pods ~0.3 s on a quiet one)
LOAD_IN_THREAD_MIN = 50_000
# rows: a sort by another column of more runs in a worker thread (210,000 events by TYPE held the
# event loop for 0.5-2 s, 30,000 pods by STATUS 0.23 s; 10,000 rows take 12-15 ms primed, 0.12 s not)
SORT_IN_THREAD_MIN = 20_000
Obj = dict[str, Any]


@dataclass(frozen=True)
class Change:
    """What a ResourceView tells its listener."""
    rows: bool = False  # rows came, went or changed: repaint, retitle
    state: bool = False  # the watch's connection state changed
    synced: bool = False  # the initial list arrived (a good moment to prime cells)
    error: str | None = None  # a failure to show in the flash
    model: bool = False  # ``model`` is a new one (a load in a worker thread is done): show it
    sorted: bool = False  # a sort in a worker thread is done


@dataclass
class _Load:
    """A load of a view's rows in a worker thread: a fresh model loads a snapshot of the cache;
    what the cache hears meanwhile is applied once it is done."""
    model: RowModel
    snapshot: dict[Key, Obj]
    heard: Heard = field(default_factory=Heard)
    done: asyncio.Task[None] | None = None


@dataclass
class _Sort:
    """A sort of a model's rows in a worker thread: keys made from a snapshot of its rows,
    applied to the model if it is still the one shown, with the same columns."""
    model: RowModel
    col: str
    ascending: bool
    columns: list[Any]
    done: asyncio.Task[SortKeys] | None = None


Listener = Callable[["ResourceView", Change], None]


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop; None in a script (work for a worker thread is done at once)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class ResourceView:
    def __init__(self, session: Session, scope: Scope, *, filter: str = "",
                 sort: tuple[str, bool] | None = None, wide: bool = False,
                 columns: ViewColumns | None = None) -> None:
        self.session = session
        self.scope = scope
        self.columns = columns  # views.yaml's columns for this view (k9s's custom columns)
        self.filter = filter
        self.sort = sort
        self.wide = wide
        self.cursor: Key | None = None
        self.top = 0.0
        self.marks: set[Key] = set()
        self.ns_marks: Callable[[], dict[str, str]] | None = None  # namespaces: the navigator's favourites
        self.model: RowModel | None = None
        self.sub: Subscription | None = None
        self.pods_sub: Subscription | None = None  # nodes: the pods of every namespace (PODS)
        self.pod_counter: PodCounter | None = None
        self.listener: Listener | None = None
        self.loaded_warm = False  # ``open`` loaded every row from a synced cache, not told yet
        self._loading: _Load | None = None  # rows being loaded in a worker thread
        self._sorting: _Sort | None = None  # rows being sorted in a worker thread
        self._gvr: str | None = None  # the kind's full group/version/resource, once asked
        self._sort_wanted: tuple[str, bool] | None = None  # asked for, not yet the model's (None: the model's)
        # asked at each lazy-filter slice: a test that says when input came (the UI's), which ends it
        self.input_waiting: Callable[[], Callable[[], bool]] | None = None
        self._table_task: asyncio.Task[None] | None = None
        self._table_dirty = False
        self._filter_slice: asyncio.TimerHandle | None = None  # a lazy filter's next slice
        self._filter_told = 0.0

    @property
    def shows_pods(self) -> bool:
        """Pods or containers: the views with usage columns."""
        return self.model is not None and self.model.kind in ("Pod", "Container")

    @property
    def namespace(self) -> str | None:
        """The namespace watched (None: all, or a cluster-scoped kind)."""
        return (self.scope.namespace or None) if self.scope.view.namespaced else None

    # -- life ----------------------------------------------------------------------------------------
    def open(self) -> RowModel:
        """Build the row model and subscribe to the informer (rows a warm cache holds load now)."""
        scope, session = self.scope, self.session
        view = scope.view
        if view.name == "contexts":
            self.model = self._contexts_model()
            return self.model
        model = self.model = self._new_model()
        self.apply_forwards()
        cache = session.informer.cache(view.kind, self.namespace)
        self.loaded_warm = cache is not None and cache.synced
        if cache is not None and cache.synced:  # loaded once: the subscription brings the changes from now on
            self._load_rows(cache)
        self.sub = session.informer.subscribe(view.kind, self.namespace, self._on_diff, has_read=self.loaded_warm)
        if model.kind == "Node":
            self._count_pods(model)
        if session.uses_server_table(view):
            self._refresh_server_table()
        return model

    def _new_model(self) -> RowModel:
        """An empty model of the view's rows with its filter, sort, wide columns and usage."""
        scope, session = self.scope, self.session
        view = scope.view
        expand = expand_containers if view.name == "containers" else revision_row if view.name == "history" else None
        all_ns = view.namespaced and not scope.namespace
        model = session.model_class(view)(
            view, all_namespaces=all_ns and expand is None, wide=self.wide, predicate=scope.keeps(), expand=expand,
            kind="HelmHistory" if view.name == "history" else None)
        model.now = session.now()
        if self.columns is not None and expand is None and type(model) is RowModel:  # (a server's table: its own)
            model.set_custom(self.columns)
            if self.columns.sort is not None and not self.sort:
                model.set_sort(*self.columns.sort)
        if session.gone is not None and model.kind == view.kind:  # the past: what has gone since is marked
            gone = session.gone
            model.gone = lambda o: gone(view.kind, meta.namespace(o), meta.name(o))
        if model.kind in USAGE_KINDS and session.metrics.available:
            model.set_metrics(self._usage(model.kind))
        if self.sort:
            model.set_sort(*self.sort)
        model.set_filter(self.filter)
        return model

    # -- loading rows: at once, or in a worker thread when many -------------------------------------------
    def _load_rows(self, cache: Cache) -> bool:
        """Load every object of ``cache`` into the model: at once when few; else a fresh model
        loads a snapshot of them in a worker thread and replaces the shown one when done (the
        event loop goes on meanwhile). True: in a thread."""
        m = self.model
        assert m is not None
        loop = _running_loop()
        if (len(cache.objects) < LOAD_IN_THREAD_MIN or isinstance(m, (ServerTableModel, MergedRowModel))
                or m.kind == "Node" or loop is None):  # (a node view's pod counts follow its model: nodes are never that many)
            m.load(cache.objects)
            return False
        self.save_state()  # the settings the fresh model starts with
        load = self._loading = _Load(self._new_model(), dict(cache.objects))
        # a daemon thread (``in_thread``): `:q` meanwhile does not wait for it, as for an executor's
        load.done = loop.create_task(in_thread(load.model.load, load.snapshot))
        load.done.add_done_callback(lambda _: self._loaded(load))
        return True

    def _loaded(self, load: _Load) -> None:
        """A load in a worker thread is done (on the event loop): what the cache heard meanwhile
        and the settings changed meanwhile go to the fresh model, which is then shown."""
        if self._loading is not load:  # the view closed, or loads again
            return
        self._loading = None
        cache = self.cache()
        shown, fresh = self.model, load.model
        if cache is None or shown is None or load.done is None or load.done.cancelled():  # (cancelled: closing)
            return
        if load.done.exception() is not None:
            shown.load(cache.objects)  # again on the loop, where a failure shows
            self._tell(Change(rows=True, state=True, synced=cache.synced))
            return
        if load.heard.reset:  # the cache was re-listed meanwhile: afresh
            if not self._load_rows(cache):
                self._tell(Change(rows=True, state=True, synced=cache.synced))
            return
        fresh.now = self.session.now()
        if shown.wide != fresh.wide:
            fresh.set_wide(shown.wide)
        fresh.apply(*load.heard.since(load.snapshot, cache.objects), cache.objects.get)
        self.model = fresh
        want = self._sort_wanted or (shown.sort_col, shown.sort_asc)  # a sort asked for meanwhile
        self._sort_wanted = None
        if want != (fresh.sort_col, fresh.sort_asc):
            self.sort_to(*want)
        self.apply_metrics()
        self.apply_forwards()
        if shown.filter.text != fresh.filter.text:  # typed meanwhile
            self.set_filter(shown.filter.text, lazy=True)
        self.loaded_warm = False
        self._tell(Change(rows=True, state=True, synced=True, model=True))

    async def settled(self) -> None:
        """Until no load or sort runs in a worker thread (tests, benchmarks)."""
        while True:
            job = self._loading or self._sorting
            if job is None or job.done is None:
                return
            await asyncio.wait([job.done])
            await asyncio.sleep(0)  # its callback comes next

    def _count_pods(self, model: RowModel) -> None:
        """Nodes: count the pods bound to each (k9s's PODS) from the informer's pods of every
        namespace, kept up to date from its diffs."""
        informer = self.session.informer
        counter = self.pod_counter = PodCounter()
        pods = informer.cache("Pod", None)
        if pods is not None and pods.synced:
            counter.reset(pods.objects)
            model.set_pod_counts(counter.counts)

        def on_pods(cache: Cache, diff: Diff) -> None:
            if self.model is not model or not (diff.reset or diff.added or diff.changed or diff.removed or diff.synced):
                return
            if diff.reset:
                counter.reset(cache.objects)
            else:
                counter.apply(diff.added, diff.changed, diff.removed, cache.objects.get)
            model.set_pod_counts(counter.counts if cache.synced else None)
            self._tell(Change(rows=True))

        self.pods_sub = informer.subscribe("Pod", None, on_pods)

    def close(self) -> None:
        self.save_state()
        self._loading = None  # a load or sort in a worker thread is forgotten when done
        self._drop_sort()
        if self.sub is not None:
            self.session.informer.unsubscribe(self.sub)
            self.sub = None
        if self.pods_sub is not None:
            self.session.informer.unsubscribe(self.pods_sub)
            self.pods_sub = None
        if self._table_task is not None:
            self._table_task.cancel()
            self._table_task = None
        self._stop_filter_slices()

    def detach(self) -> None:
        """The session is going away (`:ctx`): forget the subscriptions without unsubscribing."""
        self.sub = self.pods_sub = None
        self._loading = None
        self._drop_sort()
        if self._table_task is not None:
            self._table_task.cancel()
            self._table_task = None
        self._stop_filter_slices()

    def save_state(self) -> None:
        m = self.model
        if m is not None:
            self.filter = m.filter.text
            self.sort = self._sort_wanted or (m.sort_col, m.sort_asc)
            self.wide = m.wide

    def refresh(self) -> bool:
        """k9s's ctrl-r: list the view's objects again (a watch waiting to retry tries at once), and
        the server's Table of a kind without a printer; the contexts view reads them again. False:
        nothing to list again (a view of no objects)."""
        view = self.scope.view
        if view.name == "contexts" and self.model is not None:
            self.model.load({("", meta.name(c)): c for c in self.session.contexts()})
            return True
        if self.sub is None:
            return False
        informer = self.session.informer
        done = informer.relist(view.kind, self.namespace)
        if self.pods_sub is not None:
            informer.relist("Pod", None)
        if self.session.uses_server_table(view):
            self._refresh_server_table()
        return done

    def _contexts_model(self) -> RowModel:
        m = RowModel(BY_NAME["contexts"], kind="Context")
        m.load({("", meta.name(c)): c for c in self.session.contexts()})
        return m

    # -- what it shows ----------------------------------------------------------------------------------
    def cache(self) -> Cache | None:
        if not self.scope.view.kind or self.sub is None:
            return None
        return self.session.informer.cache(self.scope.view.kind, self.namespace)

    def gvr_name(self) -> str:
        """k9s's full GVR of the view's kind (its ui.useFullGVRTitle): ``apps/v1/deployments``,
        ``v1/pods``, a CRD's ``stable.example.com/v1/crontabs``, in the version the backend
        serves; a view that is no list of one kind keeps its name."""
        view = self.scope.view
        if not view.kind or view.derived:
            return view.name
        if self._gvr is not None:
            return self._gvr
        group = group_of(view)
        found = next((r for r in self.session.backend.kinds() if r.kind == view.kind and r.group == group), None)
        if found is None:
            return view.name  # (not kept: discovery may not have answered yet)
        gvr = "/".join(p for p in (found.group, found.version, found.plural) if p)
        if self.session.backend.discovered():
            self._gvr = gvr  # the backend's own answer: it stands for this view
        return gvr

    def title(self, *, full_gvr: bool = False) -> str:
        """k9s's border title: ``pods(default)[12] <app=nginx> </ngi>`` (``full_gvr``:
        ``v1/pods(default)[12]`` …)."""
        return "".join(text for _, text in self.title_parts(full_gvr=full_gvr))

    def title_parts(self, *, full_gvr: bool = False) -> TitleParts:
        """The title in k9s's parts, each with its role for the skin (k9s's ``NSTitleFmt`` and
        ``SearchFmt``): ``""`` the title's own colour, ``hilite`` the namespace, ``count`` the
        rows' count, ``filter`` a label selector or the filter typed."""
        m, scope = self.model, self.scope
        if m is None:
            return []
        if scope.view.name == "containers" and scope.pod:
            where = f"{scope.pod[0]}/{scope.pod[1]}"
        elif scope.view.name == "history":  # a release's: its namespace/name
            where = scope.label
        elif scope.view.namespaced:
            where = scope.namespace or "all"
        else:
            where = "all"
        parts: TitleParts = [("", f"{self.gvr_name() if full_gvr else scope.view.name}("), (HILITE, where),
                             ("", ")["), (COUNT, str(len(m))), ("", "]")]
        if scope.label and scope.view.name not in ("containers", "history"):
            parts += [("", " <"), (FILTER, scope.label), ("", ">")]
        if scope.faults:
            parts.append(("", " <faults>"))
        if m.filter:
            parts += [("", " <"), (FILTER, f"/{m.filter.text}"), ("", ">")]
        return parts

    def condition(self) -> tuple[bool, str | None]:
        """(stale, message): rows greyed while the watch is down (kept until synced again), or
        "access denied" (or that the kind is served no more) in place of the rows."""
        cache = self.cache()
        state, _ = self.session.connection(cache)
        if cache is None:
            return False, None
        if cache.state == "forbidden":
            return False, f"access denied: {cache.error}" if cache.error else "access denied"
        if cache.state == "gone":  # the kind is served no more (its CRD was deleted)
            return False, cache.error or "the server no longer serves this kind"
        if cache.state in ("reconnecting", "offline") or state in ("reconnecting", "offline"):
            # the header's word when both are down (a watch waiting out its back-off says
            # "reconnecting" seconds after the backend has gone "offline")
            word = state if state in ("reconnecting", "offline") else cache.state
            message = f"{word}: {cache.error}" if not cache.synced and not cache.objects and cache.error else None
            return True, message
        return False, None

    def loading(self) -> str | None:
        """What to say while the first list of the view's kind is on its way (a big kind takes
        seconds: an empty table would say there is none); None once it came, and when the
        watch is down or denied (``condition`` says why)."""
        cache = self.cache()
        if cache is None:
            return None
        if self._loading is None and (cache.synced or cache.objects or cache.state != "connecting"):
            return None
        return f"loading {self.scope.view.name}…"

    def targets(self, cursor: Key | None) -> list[Key]:
        """The marked rows still shown, else the cursor's row."""
        m = self.model
        marked = sorted(k for k in self.marks if m is not None and k in m.rows)
        if marked:
            return marked
        return [cursor] if cursor is not None else []

    # -- changes ----------------------------------------------------------------------------------------
    def set_filter(self, text: str, *, lazy: bool = False) -> str | None:
        """Apply a `/` filter; returns its error (an invalid regex, a bad selector) or None.
        ``lazy`` (needs a running event loop): a text filter over many rows tests the rows the
        table asks for first (``RowModel.ensure``) and the rest in slices between keys, telling
        the listener as the count grows and when it is complete."""
        m = self.model
        if m is None:
            return None
        m.set_filter(text, lazy=lazy)
        self.filter = m.filter.text
        self._start_filter_slices()
        return m.filter.error

    def _next_filter_slice(self) -> None:
        if self._filter_slice is None:
            self._filter_slice = asyncio.get_running_loop().call_later(0.001, self._filter_slice_run)

    def _filter_slice_run(self) -> None:
        self._filter_slice = None
        m = self.model
        if m is None:
            return
        stop = self.input_waiting() if self.input_waiting is not None else None
        done = m.continue_filter(FILTER_SLICE, stop)  # (complete already when a key asked for every row)
        now = asyncio.get_running_loop().time()
        if done or now - self._filter_told >= FILTER_TELL:
            self._filter_told = now
            self._tell(Change(rows=True))
        if not done:
            self._next_filter_slice()

    def _stop_filter_slices(self) -> None:
        if self._filter_slice is not None:
            self._filter_slice.cancel()
            self._filter_slice = None

    def sort_by(self, col: str) -> bool:
        """Sort on ``col`` (again: invert; the column last asked for counts, sorted yet or not).
        False when the view has no such column. A sort of many rows by another column runs in
        a worker thread (``sorting`` says so meanwhile; the rows stay as they were until it is done)."""
        m = self.model
        if m is None or m.col_index(col) is None:
            return False
        last_col, last_asc = self._sort_wanted or (m.sort_col, m.sort_asc)
        self.sort_to(col, not last_asc if col == last_col else col not in BIGGEST_FIRST)
        return True

    @property
    def sorting(self) -> str | None:
        """The column rows are being sorted by in a worker thread, or None."""
        return self._sorting.col if self._sorting is not None else None

    def sort_to(self, col: str, ascending: bool) -> None:
        """Sort on ``col`` that way (many rows: in a worker thread, as ``sort_by``)."""
        m = self.model
        assert m is not None
        if self._loading is not None:  # rows load in a worker thread: sorted once they are in (``_loaded``)
            self._sort_wanted = (col, ascending)
            if m.total < SORT_IN_THREAD_MIN:  # the rows shown meanwhile too (none, or few)
                m.set_sort(col, ascending)
            return
        job = self._sorting
        if job is not None and job.col == col and job.model is m:  # the other way: the same keys
            job.ascending = ascending
            self._sort_wanted = (col, ascending)
            return
        self._drop_sort()  # a sort by another column going on is dropped
        self._sort_wanted = None
        if col == m.sort_col or not self._sort_in_thread(m, col, ascending):  # (inverting keys nothing again)
            m.set_sort(col, ascending)
            self._start_filter_slices()

    def _sort_in_thread(self, m: RowModel, col: str, ascending: bool) -> bool:
        loop = _running_loop()
        if m.total < SORT_IN_THREAD_MIN or isinstance(m, (ServerTableModel, MergedRowModel)) or loop is None:
            return False
        job = self._sorting = _Sort(m, col, ascending, m.columns)
        self._sort_wanted = (col, ascending)
        # the snapshot is taken here: the event loop changes rows, the thread only reads it
        job.done = loop.create_task(in_thread(m.sort_keys, col, m.sort_snapshot()))
        job.done.add_done_callback(lambda _: self._sorted(job))
        return True

    def _drop_sort(self) -> None:
        job, self._sorting = self._sorting, None
        if job is not None:
            job.model.forget_sort()

    def _sorted(self, job: _Sort) -> None:
        """A sort in a worker thread is done (on the event loop)."""
        if self._sorting is not job:  # dropped: another sort, a load, the view closed
            return
        self._sorting = self._sort_wanted = None
        m, done = self.model, job.done
        if m is None or done is None or done.cancelled():
            return
        if (m is not job.model or m.columns is not job.columns or done.exception() is not None
                or not m.apply_sort(job.col, job.ascending, done.result(), lazy=True)):
            job.model.forget_sort()
            self.sort_to(job.col, job.ascending)  # the rows it keyed are not the model's now: again
        else:
            self._start_filter_slices()
        self._tell(Change(rows=True, sorted=self._sorting is None))

    def _start_filter_slices(self) -> None:
        """A lazy filter began over the model (a sort applied one lazily): its slices go on."""
        m = self.model
        if m is not None and m.filtering:
            self._filter_told = asyncio.get_running_loop().time()
            self._next_filter_slice()

    def toggle_wide(self) -> None:
        m = self.model
        if m is not None:
            m.set_wide(not m.wide)
            self.wide = m.wide

    def tick(self) -> None:
        """The clock moved: ages follow it."""
        if self.model is not None and self.scope.view.name != "contexts":
            self.model.now = self.session.now()

    def _usage(self, kind: str) -> dict[Key, Usage]:
        """The session's usage figures keyed like the rows of a ``kind`` view."""
        metrics = self.session.metrics
        if kind == "Node":
            return {("", name): u for name, u in metrics.nodes.items()}
        return metrics.pods if kind == "Pod" else metrics.containers

    def apply_metrics(self) -> bool:
        """Hand the session's latest usage to a pod/container/node view. True if it changed."""
        m, metrics = self.model, self.session.metrics
        if m is None or m.kind not in USAGE_KINDS:
            return False
        usage = self._usage(m.kind) if metrics.available else None
        if usage is None or m.metrics is None or not m.sorted_by_usage:
            m.set_metrics(usage)
            return True
        # sorted by CPU or MEM: every poll sorts again (100,000 pods: 0.33 s), in a worker thread
        # when the rows are many; the rows keep their order until it is done
        m.set_metrics(usage, resort=False)
        if self._sorting is not None or self._loading is not None:
            return True  # the sort or load going on ends with rows sorted as they are then
        if not self._sort_in_thread(m, m.sort_col, m.sort_asc):
            m.resort()
        return True

    def apply_forwards(self) -> bool:
        """Mark the rows with an active port-forward (PF), and in the namespaces view the
        favourites and the active namespace (k9s's ``+`` and ``(*)``). True if that changed."""
        m, forwards = self.model, self.session.forwards
        if m is not None and m.kind == "Namespace" and self.ns_marks is not None:
            return m.set_ns_marks(self.ns_marks())
        if m is None or m.kind not in ("Pod", "Container"):
            return False
        return m.set_forwarded(forwards.pods() if self.scope.view.name == "pods" else forwards.containers())

    def tell_loaded(self) -> None:
        """Tell the listener that the rows ``open`` loaded from a warm cache are all there: the
        ``synced`` a subscriber that had not read the cache would hear with its first diff."""
        if self.loaded_warm and self._loading is None:  # (a load in a thread says so when done)
            self.loaded_warm = False
            self._tell(Change(rows=True, synced=True))

    def _tell(self, change: Change) -> None:
        if self.listener is not None:
            self.listener(self, change)

    def _tell_state(self, diff: Diff) -> None:
        """While rows load in a thread: the watch's state (and the "loading" notice) may change."""
        if diff.state or diff.synced:
            self._tell(Change(state=True))

    def _on_diff(self, cache: Cache, diff: Diff) -> None:
        m = self.model
        if m is None:
            return
        changed = bool(diff.added or diff.changed or diff.removed or diff.reset)
        if self._loading is not None:  # rows load in a worker thread: what changes is applied when done
            self._loading.heard.note(diff)
            self._tell_state(diff)
            return
        if isinstance(m, ServerTableModel) and changed:
            self._refresh_server_table()
        if not (changed or diff.synced):
            if diff.state:
                self._tell(Change(state=True))
            return
        m.now = self.session.now()
        touched = len(diff.added) + len(diff.changed) + len(diff.removed)
        if diff.reset or m.total == 0 or (touched > FULL_RELOAD_MIN and touched > m.total // 4):
            if self._load_rows(cache):  # in a worker thread: the rows told when done
                self._tell_state(diff)
                return
        else:
            m.apply(diff.added, diff.changed, diff.removed, cache.objects.get)
        self._tell(Change(rows=True, state=bool(diff.state), synced=bool(diff.synced)))

    def _refresh_server_table(self) -> None:
        """Fetch the server Table of the view's kind (again, once, if rows change meanwhile)."""
        if self._table_task is not None:
            self._table_dirty = True
            return
        kind, ns, backend = self.scope.view.kind, self.namespace, self.session.backend

        async def fetch() -> None:
            try:
                while True:
                    self._table_dirty = False
                    try:
                        table = await backend.server_table(kind, ns)
                    except Exception as err:
                        self._tell(Change(error=f"{self.scope.view.name}: {err}"))
                        return
                    m = self.model
                    if isinstance(m, ServerTableModel) and self.sub is not None:
                        m.set_table(table)
                        self._tell(Change(rows=True))
                    if not self._table_dirty or self.sub is None:
                        return
            finally:
                self._table_task = None

        self._table_task = asyncio.get_running_loop().create_task(fetch())

    def row(self, key: Key | None) -> Row | None:
        if self.model is None or key is None:
            return None
        return self.model.rows.get(key)
