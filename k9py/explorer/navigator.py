"""The Navigator: k9s's navigation without a UI — the stack of views (drill-down, esc), the
`:` command grammar and its routing, history (`[`, `]`, `-`), namespace favourites (`0`–`9`).

Methods return an ``Outcome``: what to flash, and what only a UI can do (open a picker, switch
context, open logs). Whenever the top of the stack changes the ``on_show`` hook is called; the
``capture`` hook is called first so the UI can store the leaving view's cursor and scroll."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace

from k9py.config.aliases import AliasError, resolve
from k9py.config.keymap import Keymap
from k9py.explorer import merged, subjects, workloads
from k9py.explorer.resource_view import ResourceView
from k9py.explorer.session import Session
from k9py.kube import meta, selectors
from k9py.view import custom_columns, faults, kinds
from k9py.view.custom_columns import ViewColumns
from k9py.view.kinds import BY_NAME, Scope, ViewKind
from k9py.view.rows import Row, default_sort

Obj = dict[str, object]
RBAC_VIEWS = ("roles", "clusterroles", "rolebindings", "clusterrolebindings", "serviceaccounts")
WITH_ARG = ("xray", "pulses", "timeline", "screendumps", "skins", "rewind", "diff", "changes", "dir")  # requests that take the rest of the command


@dataclass(frozen=True)
class Outcome:
    ok: bool = True
    message: str = ""
    level: str = "info"  # info | warn | error
    quit: bool = False
    # for the UI: "scenarios", "context", "context-kept", "logs", "describe", "help", "aliases", "xray", "pulses",
    # "timeline", "screendumps", "skins", "portforwards", "benchmarks", "dir", "rbac" (arg: KIND|NAMESPACE|NAME)
    request: str | None = None
    arg: str = ""
    # what the navigator can only tell once the backend answers (does that namespace exist?):
    # the UI awaits ``later()`` and shows its Outcome in turn
    later: Callable[[], Awaitable[Outcome]] | None = field(default=None, compare=False)
    then: str = ""  # a command the UI runs once the context ``request`` asked for is there

    @staticmethod
    def fail(message: str, level: str = "error") -> Outcome:
        return Outcome(ok=False, message=message, level=level)


DONE = Outcome()


class Navigator:
    def __init__(self, session: Session, *, namespace: str = "default", start_view: str = "pods",
                 aliases: Mapping[str, str] | None = None, keymap: Keymap | None = None,
                 views: Mapping[str, ViewColumns] | None = None) -> None:
        """``aliases``: the user's (aliases.yaml: alias → command), shadowing the built-ins.
        ``keymap``: the user's keys (keymap.yaml), for whoever paints this navigator's keys.
        ``views``: the user's columns (views.yaml) by view name."""
        self.session = session
        self.aliases: Mapping[str, str] = aliases or {}
        self.views: Mapping[str, ViewColumns] = views or {}
        self.keymap = keymap or Keymap()
        self.start_view = start_view
        self.active_namespace = namespace  # what namespaced views open in ("" all)
        self.stack: list[ResourceView] = []
        self.favorites: list[str] = [namespace] if namespace else ["default"]
        self.missing_namespaces: set[str] = set()  # namespaces a view opened on and the backend did not know
        self.history: list[str] = []  # the views shown, for `[` `]` `-`
        self.hist_pos = -1
        self.commands: list[str] = []  # what the prompt's Up recalls: those views and the screens (xray, pulses…)
        self.current_cmd: str | None = None
        self.merged_cmd: tuple[str, str] | None = None  # (the view shown, the merged one it stands for)
        self.previous_cmd: str | None = None
        self.on_show: Callable[[ResourceView], None] = lambda view: None
        self.capture: Callable[[ResourceView], None] = lambda view: None
        self._carried: ResourceView | None = None  # rebind: the view the one opened again carries over from
        # what the UI adds to a view's menu (plugins.yaml's keys): view → [(label, description)]
        self.menu_hints: Callable[[ViewKind], list[tuple[str, str]]] = lambda view: []

    @property
    def current(self) -> ResourceView | None:
        return self.stack[-1] if self.stack else None

    # -- the stack ----------------------------------------------------------------------------------
    def _leave(self) -> None:
        cur = self.current
        if cur is not None:
            self.capture(cur)
            cur.save_state()

    def _enter(self, view: ResourceView) -> ResourceView:
        view.open()
        carried, self._carried = self._carried, None
        if carried is not None and view.scope.view == carried.scope.view:
            self._carry_over(carried, view)  # before it is shown: its cursor is where it was
        self.on_show(view)
        return view

    def _new_view(self, scope: Scope, filter_text: str, contexts: tuple[str, ...] = (), *,
                  wide: bool = False) -> ResourceView:
        """A view of ``scope``; with ``contexts``, one merging those contexts (`--contexts a,b`)."""
        if contexts:
            return merged.MergedView(self.session, scope, contexts, filter=filter_text, wide=wide)
        if scope.view.name == "workloads":
            return workloads.WorkloadsView(self.session, scope, filter=filter_text, wide=wide)
        if scope.view.name in subjects.SUBJECT_KINDS:
            return subjects.SubjectsView(self.session, scope, filter=filter_text, wide=wide)
        view = ResourceView(self.session, scope, filter=filter_text, wide=wide,
                            columns=custom_columns.pick(self.views, scope.view.name, scope.namespace))
        if scope.view.name == "namespaces":
            view.ns_marks = self.namespace_marks
        return view

    def namespace_marks(self) -> dict[str, str]:
        """k9s's namespaces view: ``+`` after a favourite's name, ``(*)`` after the active one's."""
        marks = dict.fromkeys(self.favorites, "+")
        if self.active_namespace:
            marks[self.active_namespace] = marks.get(self.active_namespace, "") + "(*)"
        return marks

    def push(self, scope: Scope, filter_text: str = "", contexts: tuple[str, ...] = ()) -> ResourceView:
        self._leave()
        view = self._new_view(scope, filter_text, contexts)
        self.stack.append(view)
        return self._enter(view)

    def replace_all(self, scope: Scope, filter_text: str = "", contexts: tuple[str, ...] = ()) -> ResourceView:
        self._leave()
        for view in self.stack:
            view.close()
        view = self._new_view(scope, filter_text, contexts)
        self.stack = [view]
        return self._enter(view)

    def pop(self) -> bool:
        if len(self.stack) <= 1:
            return False
        self.stack.pop().close()
        self.on_show(self.stack[-1])
        return True

    def switch_namespace(self, ns: str) -> Outcome:
        """Show the current view in ``ns`` ("" all namespaces), k9s's 0-9 keys."""
        cur = self.current
        if cur is None:
            return DONE
        if not cur.scope.view.namespaced:
            return Outcome.fail(f"{cur.scope.view.name} are not namespaced", "warn")
        if ns:
            self.remember(ns)
        self.active_namespace = ns
        self._reopen(cur, replace(cur.scope, namespace=ns))
        return DONE

    def toggle_faults(self) -> Outcome:
        """ctrl-z, k9s's Toggle Faults: the view shows only the objects in trouble, or all again."""
        cur = self.current
        if cur is None:
            return DONE
        if not faults.judged(cur.scope.view.kind) and not isinstance(cur, workloads.WorkloadsView):  # (its kinds are)
            return Outcome.fail(f"{cur.scope.view.name} have no faults to show", "warn")
        on = not cur.scope.faults
        self._reopen(cur, replace(cur.scope, faults=on))
        return Outcome(message="Faults only (ctrl-z: every row)" if on else "Every row")

    def _reopen(self, cur: ResourceView, scope: Scope) -> None:
        """The view on top shows ``scope`` instead, with its filter, wide columns and contexts."""
        self._leave()
        cur.close()
        new = self._new_view(scope, cur.filter, tuple(cur.contexts) if isinstance(cur, merged.MergedView) else (),
                             wide=cur.wide)
        self.stack[-1] = new
        self._enter(new)

    def favorite(self, n: int) -> Outcome:
        if n == 0:
            return self.switch_namespace("")
        if n - 1 < len(self.favorites):
            return self.switch_namespace(self.favorites[n - 1])
        return DONE

    def remember(self, ns: str) -> None:
        """k9s's addFavNS: a namespace new to the favourites goes first (the ninth drops off); one
        already there keeps its place, so its `1`-`9` key does not move under the user's fingers."""
        if ns in self.favorites:
            return
        self.favorites.insert(0, ns)
        del self.favorites[9:]

    def restore_favorites(self, names: list[str], active: str | None = None) -> None:
        """The favourites remembered for this context (config.context_state), its own only (the
        context left keeps its); the one the views open in first (``active``; None: the one
        they show now)."""
        self.favorites = [n for n in dict.fromkeys(names) if n][:9]
        ns = self.active_namespace if active is None else active
        if ns:
            self.remember(ns)
        if not self.favorites:
            self.favorites = ["default"]  # k9s's first favourite

    def memory(self) -> tuple[str, list[str], str | None]:
        """What a restart brings back: the active namespace ("" all), the favourites and the
        view at the bottom of the stack (its command name)."""
        root = self.stack[0].scope.view.name if self.stack else None
        return self.active_namespace, list(self.favorites), root

    def use_namespace(self, ns: str) -> Outcome:
        """`u` on a namespace: it becomes the one namespaced views open in."""
        self.active_namespace = ns
        self.remember(ns)
        if self.current is not None:
            self.current.apply_forwards()  # its (*) moves
        return Outcome(message=f"Namespace {ns} is now active")

    # -- commands -----------------------------------------------------------------------------------
    def start(self) -> Outcome:
        """The first view (-c, defaultView, the one remembered). A screen (pulses, xray dp) or
        a kind discovery may bring opens over pods; one that cannot open says why over pods."""
        out = self.run(self.start_view)
        if out.ok and out.request is None and out.later is None:
            return out
        if not self.stack:
            self.run("pods")
        return out if out.ok else Outcome(message=out.message, level="warn")

    def view_problem(self, text: str) -> str | None:
        """What `:` would say against ``text`` as the view of a new pane (None: a view it opens),
        the user's aliases and discovery's kinds included: a screen of its own (pulses, xray…)
        or `:q` is no view a pane shows."""
        try:
            text = resolve(text, self.aliases)
        except AliasError as err:
            return str(err)
        head = _head(text)
        if head in kinds.REQUESTS:
            return f":{head} is a screen of its own: a pane shows a view (:split deploy)"
        cmd = kinds.parse_command(text, self.session.extra_aliases())
        if cmd.quit:
            return ":q quits k9py; :close closes the focused pane"
        return cmd.error or (None if cmd.view is not None else "bad command")

    def run(self, text: str, *, record: bool = True, keep_stack: bool = False, discovered: bool = False) -> Outcome:
        """A `:` command: a view with arguments, quit, or a UI request (help, aliases, pickers).
        The user's aliases expand first. ``keep_stack`` (a hotkey's keepHistory): the view goes
        on top of the stack (esc comes back) instead of replacing it. A command no kind answers
        to is tried again once discovery was read again (a CRD applied meanwhile: k9s does so),
        unless ``discovered`` says it just was."""
        try:
            text = resolve(text, self.aliases)
        except AliasError as err:
            return Outcome.fail(str(err))
        head = _head(text)
        request = kinds.REQUESTS.get(head)
        if request is not None:
            rest = text.strip().lstrip(":")[len(head):].strip()
            if record:
                self.commands.append(text.strip())
            return Outcome(request=request, arg=rest if request in WITH_ARG else "")
        cmd = kinds.parse_command(text, self.session.extra_aliases())
        if cmd.quit:
            return Outcome(quit=True)
        if cmd.error or cmd.view is None:
            error = cmd.error or "bad command"
            if cmd.view is None and not discovered and self.session.rediscovers:
                async def again() -> Outcome:
                    if await self.session.rediscover():
                        return self.run(text, record=record, keep_stack=keep_stack, discovered=True)
                    return Outcome.fail(error)
                return Outcome(later=again)
            return Outcome.fail(error)
        view = cmd.view
        if cmd.context is not None and self.session.present is not None:  # the past is of its own context alone
            if cmd.context != self.session.info().context:
                return Outcome.fail(f"this is the past: :now first, then @{cmd.context}", "warn")
            return self.run(cmd.rest, record=record, keep_stack=keep_stack)
        if cmd.context is not None:  # k9s's `:pods @CTX`: that context first, then the view there
            found = {meta.name(c): c for c in self.session.contexts()}
            if cmd.context not in found:
                return Outcome.fail(f'no context exists with the name: "{cmd.context}"')
            switch = self.use_context(cmd.context)
            if switch.request != "context":  # already on it (or cannot switch): the view here
                return self.run(cmd.rest, record=record, keep_stack=keep_stack) if switch.ok else switch
            return replace(switch, then=cmd.rest)
        if cmd.contexts and self.session.present is not None:  # (``rebind`` shows the view of this one instead)
            return Outcome.fail("this is the past of one context: :now first, then --contexts", "warn")
        if cmd.contexts and (problem := merged.check(self.session, view, cmd.contexts)):
            return Outcome.fail(problem)
        args = text.strip().lstrip(":").split()[1:]
        if view.name == "contexts" and args:  # `:ctx NAME` switches at once
            return self.use_context(args[0])
        if view.name == "namespaces" and cmd.namespace and not cmd.labels and not cmd.filter:
            return self.run(f"pods {cmd.namespace}", record=record)  # k9s: `:ns NAME` shows its pods
        pred, label = None, ""
        if cmd.labels:
            try:
                sel = selectors.parse_label_selector(cmd.labels)
            except ValueError as err:
                return Outcome.fail(str(err))
            pred, label = (lambda o, s=sel: selectors.matches(s, meta.labels(o))), cmd.labels
        if view.name == "containers":
            return Outcome.fail("containers: select a pod and press enter", "warn")
        if view.name == "history":
            return Outcome.fail("history: select a release in :helm and press enter", "warn")
        ns = cmd.namespace
        if ns is None:
            ns = self.active_namespace
        if not view.namespaced:
            ns = ""
        else:
            self.active_namespace = ns
            if ns:
                self.remember(ns)
        if keep_stack and self.stack:
            self.push(Scope(view, ns, label, pred), cmd.filter or "", cmd.contexts)
        else:
            self.replace_all(Scope(view, ns, label, pred), cmd.filter or "", cmd.contexts)
        # history keeps the namespace the view opened in, so `[` / `]` / `-` show it again
        words = text.strip().lstrip(":").split(" ", 1)
        effective = text.strip()
        if view.namespaced and cmd.namespace is None:
            effective = " ".join([words[0], ns or "all", *words[1:]])
        self.previous_cmd, self.current_cmd = self.current_cmd, effective
        if record:
            self.history.append(effective)
            self.hist_pos = len(self.history) - 1
            self.commands.append(effective)
        return self.check_namespace(ns) if view.namespaced and ns else DONE

    def check_namespace(self, ns: str) -> Outcome:
        """kubectl's words when the namespace shown does not exist (the view stays: it fills if
        the namespace appears). Known at once from a synced cache, else once the backend answers."""
        missing = Outcome(message=f"No resources found in {ns} namespace.", level="warn")
        known = self.session.namespace_known(ns)
        if known is not None:
            if not known:
                self._unpin(ns)
            return DONE if known else missing
        shown = self.current

        async def later() -> Outcome:
            if await self.session.namespace_exists(ns):
                return DONE
            self.missing_namespaces.add(ns)
            self._unpin(ns)
            return DONE if self.current is not shown else missing
        return Outcome(later=later)

    def _unpin(self, ns: str) -> None:
        """A namespace that does not exist (a typo) is no favourite: the `0`-`9` keys and the
        header keep the real ones (k9s warns of it; a restart already dropped it)."""
        if ns in self.favorites:
            self.favorites.remove(ns)

    def namespace_missing(self, ns: str) -> bool:
        """Whether ``ns`` is known not to exist (a synced namespaces watch, or the backend's 404
        when a view opened on it)."""
        return self.session.namespace_known(ns) is False or (
            ns in self.missing_namespaces and self.session.namespace_known(ns) is None)

    def use_context(self, name: str) -> Outcome:
        """`:ctx NAME`: switch to that kubeconfig context (the UI does the switch)."""
        if self.session.present is not None:
            return Outcome.fail("this is the past: :now first, then :ctx", "warn")
        found = {meta.name(c): c for c in self.session.contexts()}
        ctx = found.get(name)
        if ctx is None:
            return Outcome.fail(f'no context exists with the name: "{name}"')
        if ctx.get("current") or not self.session.can_switch():  # (a switch to another still going: given up)
            return Outcome(message=f"already using context {name}", request="context-kept")
        return Outcome(request="context", arg=name)

    def history_back(self) -> Outcome:
        if self.hist_pos > 0:
            self.hist_pos -= 1
            return self.run(self.history[self.hist_pos], record=False)
        return Outcome.fail("Can't go back any further", "warn")  # (k9s's words)

    def history_forward(self) -> Outcome:
        if self.hist_pos < len(self.history) - 1:
            self.hist_pos += 1
            return self.run(self.history[self.hist_pos], record=False)
        return Outcome.fail("Can't go forward any further", "warn")

    def history_last(self) -> Outcome:
        """`-`: back to the view shown before this one (again: toggles, like `cd -`); the
        history `[` / `]` walk is not written to (k9s: ``gotoResource(c, "", true, false)``)."""
        if not self.previous_cmd:
            return Outcome.fail("No previous view to switch to", "warn")
        return self.run(self.previous_cmd, record=False)

    # -- rows -------------------------------------------------------------------------------------------
    def drill(self, row: Row | None) -> Outcome:
        """`enter`: the row's children, its logs (containers), a context switch, or describe."""
        cur = self.current
        if cur is None or row is None:
            return DONE
        name = cur.scope.view.name
        if name == "containers":
            return Outcome(request="logs")
        if name == "history":  # k9s: a revision's values
            return Outcome(request="values")
        if isinstance(cur, merged.MergedView):  # its rows are of several contexts: enter describes
            return Outcome(request="describe")
        if isinstance(cur, subjects.SubjectsView):  # k9s's policy view: what the user or group may do
            return Outcome(request="rbac", arg=f"{cur.subject_kind}||{row.key[1]}")
        if isinstance(cur, workloads.WorkloadsView):  # k9s: the row's own view, showing it alone
            self.push(workloads.instance_scope(row))
            return DONE
        if name == "contexts":
            ctx = row.key[1]
            if row.obj.get("current") or not self.session.can_switch():
                return Outcome(message=f"already using context {ctx}", request="context-kept")
            return Outcome(request="context", arg=ctx)
        if name == "customresourcedefinitions":  # its objects, all namespaces (esc comes back)
            view = kinds.crd_view(row.obj, self.session.extra_aliases())
            if view is None:
                crd, name = row.obj, row.key[1]
                not_served = Outcome.fail(f"{name}: the server does not serve its resources (yet)", "warn")
                if not self.session.rediscovers:
                    return not_served

                async def again() -> Outcome:  # a CRD applied since discovery was read
                    found = kinds.crd_view(crd, self.session.extra_aliases()) if await self.session.rediscover() else None
                    if found is None:
                        return not_served
                    self.push(Scope(found, ""))
                    return DONE
                return Outcome(later=again)
            self.push(Scope(view, ""))
            return DONE
        if name in RBAC_VIEWS:  # k9s: a role's (a binding's role's) rules; what a service account may do
            return Outcome(request="rbac", arg="|".join((cur.scope.view.kind, *row.key)))
        if name == "services":  # k9s's showPods: no pods to show, said so (not an empty view)
            spec, path = row.obj.get("spec") or {}, "/".join(k for k in row.key if k)
            if spec.get("type") == "ExternalName":
                return Outcome.fail(f"No matching pods. Service {path} is an external service.", "warn")
            if not spec.get("selector"):
                return Outcome.fail(f"No matching pods. Service {path} does not provide any selectors", "warn")
        scope = kinds.drill(cur.scope.view, row.obj)
        if scope is None:
            return Outcome(request="describe")
        if name == "namespaces":  # k9s: a namespace picked becomes the active one
            self.active_namespace = scope.namespace
            self.remember(scope.namespace)
        self.push(scope)
        return DONE

    def owner(self, row: Row | None) -> tuple[Outcome, tuple[str, str] | None]:
        """`shift-j`: the row's controller, with the key to put the cursor on."""
        if row is None:
            return DONE, None
        if isinstance(self.current, merged.MergedView):
            return Outcome.fail("merged contexts: `:ctx` to the row's context to follow its owner", "warn"), None
        extra = self.session.extra_aliases()
        target = kinds.owner_scope(row.obj, extra)
        if target is None:
            return Outcome.fail(f"{meta.name(row.obj)} has no owner", "warn"), None
        view, ns, name = target
        found = BY_NAME.get(view) or kinds.lookup(view, extra)
        if found is None:
            return Outcome.fail(f"{meta.name(row.obj)} has no owner", "warn"), None
        self.push(Scope(found, ns, ""))
        return DONE, (ns, name)

    def show_node(self, row: Row | None) -> tuple[Outcome, tuple[str, str] | None]:
        """`o` on a pod: the nodes view with the cursor on the pod's node."""
        if row is None:
            return DONE, None
        node = (row.obj.get("spec") or {}).get("nodeName")
        if not node:
            return Outcome.fail(f"{meta.name(row.obj)} is not scheduled on a node yet", "warn"), None
        self.push(Scope(BY_NAME["nodes"], ""))
        return DONE, ("", str(node))

    def replicasets(self, row: Row | None) -> Outcome:
        """`z` on a deployment: its replica sets (k9s's ReplicaSets), esc comes back."""
        if row is None:
            return DONE
        self.push(kinds.replicasets_of(row.obj))
        return DONE

    def warp(self, row: Row | None) -> tuple[Outcome, tuple[str, str] | None]:
        """`w` (k9s's Warp To Namespace): this view in the row's namespace, the cursor on the row."""
        cur = self.current
        if row is None or cur is None or not row.key[0]:
            return DONE, None
        out = self.run(f"{cur.scope.view.name} {row.key[0]}")
        return out, ((row.key[0], row.key[1]) if out.ok else None)

    # -- context -------------------------------------------------------------------------------------------
    def rebind(self, session: Session, namespace: str | None = None) -> Outcome:
        """Move to another Session (`:ctx`): its views open again on the new backend; the view
        shown before `:ctx` comes back, in ``namespace`` if given (the context's own: opened
        there at once, not in the old one first)."""
        outlives = session.present is self.session  # into the past: the present goes on, unwatched here
        for view in self.stack:
            if outlives:
                view.close()
            else:
                view.detach()  # their subscriptions die with the old informer
        cur = self.current
        if cur is not None:
            self.capture(cur)  # the row under the cursor now, for ``_carry_over``
        back_from_contexts = cur is not None and cur.scope.view.name == "contexts"
        self._carried = None if back_from_contexts else cur
        target = self.previous_cmd if back_from_contexts else self.current_cmd
        merged_cmd, self.merged_cmd = self.merged_cmd, None
        if merged_cmd is not None and target == merged_cmd[0]:
            target = merged_cmd[1]  # the merged view shown one context (the past): merged again
        self.session = session
        self.stack = []
        if namespace is not None:
            self.active_namespace = namespace
            if target:
                target = kinds.command_in(target, namespace, session.extra_aliases())
        out = self.run(target) if target else None
        plain = kinds.unmerged(target, session.extra_aliases()) if target and (out is None or not out.ok) else None
        if plain is not None:  # a Session that cannot merge those contexts (the past keeps one): the view here
            out = self.run(plain)
            if out.ok and self.current_cmd is not None and target:
                self.merged_cmd = (self.current_cmd, target)
        new = self.current
        self._carried = None
        if out is None or not out.ok or new is None:  # (a kind discovery may bring: ``start`` waits for it over pods)
            return self.start()
        return out

    @staticmethod
    def _carry_over(old: ResourceView, new: ResourceView) -> None:
        """The view shown on the other Session (the past and back, another context) keeps what
        the user set on it: its filter, sort, wide columns and the row under the cursor."""
        old.save_state()
        new.cursor, new.top = old.cursor, old.top
        sort = old.sort if _own_sort(old, new) else None
        if new.model is None:  # (its model is made with them)
            new.filter, new.wide = old.filter, old.wide
            if sort is not None:
                new.sort = sort
            return
        new.model.set_wide(old.wide)
        new.wide = old.wide
        if sort is not None:
            new.sort_to(*sort)
        new.set_filter(old.filter)


def _all_namespaces(view: ResourceView) -> bool:
    return view.scope.view.namespaced and not view.scope.namespace


def _own_sort(old: ResourceView, new: ResourceView) -> bool:
    """Whether ``old``'s sort is one to keep on ``new``: one the user chose, not the order a view
    of all namespaces opens in (by NAMESPACE) taken to one namespace, which has no such column
    (`:ctx` from pods -A to a context of its own namespace: NAME↑ as a new view, as in k9s)."""
    if old.sort is None:
        return False
    if old.sort == default_sort(old.scope.view.kind, _all_namespaces(old)):
        return False  # the default: the new view's own default is its order
    return old.sort[0] != "NAMESPACE" or _all_namespaces(new)


def _head(text: str) -> str:
    """A `:` command's first word, lower-cased."""
    return text.strip().lstrip(":").split(" ", 1)[0].lower()
