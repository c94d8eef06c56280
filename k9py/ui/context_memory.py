"""The App's side of per-context memory (``config.context_state``): what the Navigator holds
(active namespace, favourites, the view at the bottom of the stack) saved for the context in
use when k9py exits or switches context. Only when the user's files are in use
(``app.user.persist``); a file that cannot be written is a message (flashed, or printed once the
terminal is back), never a crash."""

from __future__ import annotations

from typing import TYPE_CHECKING

from k9py.config import context_state

if TYPE_CHECKING:
    from k9py.explorer.session import Session
    from k9py.ui.app import K9pyApp


def save(app: K9pyApp) -> str | None:
    """Save the context in use; the problem when it could not be saved."""
    if not app.user.persist:
        return None
    info = app.session.info()
    try:
        state, _warnings = context_state.load(info.context, cluster=info.cluster)
        namespace, favorites, view = app.navigator.memory()
        # as k9s validates them: a namespace known not to exist (`:pods nosuchns`, a typo) is not
        # kept as a favourite, nor opened again next time
        missing = app.navigator.namespace_missing
        favorites = [ns for ns in favorites if not missing(ns)]
        if namespace and missing(namespace):
            namespace = favorites[0] if favorites else "default"
        state.cluster = state.cluster or info.cluster
        state.namespace, state.favorites = namespace, favorites
        state.view = view or state.view
        context_state.save(state)
    except OSError as err:  # a read-only home, a full disk: k9py still closes
        return f"cannot remember context {info.context}: {err}"
    return None


def arrive(app: K9pyApp, session: Session) -> str | None:
    """``session``, about to be shown (`:ctx`), brings back what was remembered for its
    context: its favourites, and its own skin (else config.yaml's) unless ``--skin`` chose one.
    Returns the namespace it opens in: the one remembered, else its kubeconfig context's
    (k9s lets the kubeconfig's win when it names one); None: stay where the view is. (The context's file is read once.)"""
    if not app.user.persist:
        return session.backend.context_namespace()
    info = session.info()
    state, warnings = context_state.load(info.context, cluster=info.cluster)
    for warning in warnings:
        app.flash(warning, "warn")
    ns = state.namespace if state.namespace is not None else session.backend.context_namespace()
    # its own favourites: the namespace left in the other context is not one of them
    app.navigator.restore_favorites(state.favorites, active=ns)
    if not app.user.skin_pinned:
        wanted = state.skin or app.user.config_skin
        if wanted != app.skin_choice:
            app.apply_skin(wanted)
    return ns


def read_only_for(app: K9pyApp, context: str) -> bool | None:
    """Whether `:ctx` to ``context`` opens it read-only: always with --readonly, never with
    --write, else as its file's ``readOnly`` says, else config.yaml's. None: keep the session's (no user files)."""
    if not app.user.persist:
        return None
    if app.user.read_only_pinned:
        return True
    if app.user.write_pinned:
        return False
    state, _warnings = context_state.load(context, cluster=cluster_of(app, context))  # its warning: on arrival
    return app.user.config_read_only if state.read_only is None else state.read_only


def cluster_of(app: K9pyApp, context: str) -> str:
    """The cluster of the kubeconfig context ``context`` (its file is in that cluster's folder)."""
    for row in app.session.contexts():
        meta = row.get("metadata")
        if isinstance(meta, dict) and meta.get("name") == context:
            return str(row.get("cluster") or "")
    return ""


def node_shell_for(app: K9pyApp, context: str) -> bool:
    """Whether the context's file allows k9s's node shell (``featureGates.nodeShell: true``)."""
    if not app.user.persist:
        return False
    return context_state.load(context, cluster=cluster_of(app, context))[0].node_shell
