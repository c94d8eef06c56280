"""The time machine in the App: `:rewind DURATION|TIME` and `<` in the present go back, `:now`
and `esc` come back, ctrl-s saves what the history holds. The Sessions and the moments are
``k9py.explorer.timetravel``'s; this module only swaps what the App shows and says so."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from k9py.errors import K9pyError
from k9py.explorer import timetravel
from k9py.explorer.session import Session
from k9py.explorer.timetravel import STEP
from k9py.kube.status import ApiError

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp

log = logging.getLogger(__name__)
HINT = ("<<>", "Rewind")


def hints(app: K9pyApp) -> list[tuple[str, str]]:
    """The present's menu entry for the time machine (when it records)."""
    s = app.session
    return [HINT] if s.present is None and s.history is not None and not s.history.error else []


def label(s: Session) -> str:
    """What the bar says in the past ``s``: ``⏪ PAST 14:32:05 (10m12s ago)``."""
    at = timetravel.position_of(s)
    if at is None or s.present is None:
        return ""
    gap = " · away: as last seen" if timetravel.unwatched(s, at) else ""
    return f"⏪ PAST {timetravel.describe(at, s.present.now())}{gap}"


def gaps(s: Session) -> list[tuple[float, float]]:
    """Where the past ``s``'s history watched nothing (`:ctx` away and back, k9py restarted), as
    positions of its player: the bar draws them dashed."""
    head = s.playhead
    h = s.present.history if s.present is not None else None
    if head is None or h is None:
        return []
    return [(a - head.start, b - head.start) for a, b in h.gaps()]


FIRST_LOOK = "the time machine is still taking its first look at the cluster: try again in a moment"


def _no_history(app: K9pyApp, what: str) -> None:
    """Why there is no past to show: a replay or scenario plays a timeline of its own, else the
    time machine is off."""
    from k9py.ui.widgets import timeline

    pb = timeline.playback_of(app.backend)
    if pb is not None and pb.has_timeline and pb.seekable:  # a replay, a scenario: its own timeline
        app.flash(f"{what}: this plays a timeline of its own: < > , . home end move it", "warn")
    else:
        app.flash(f"{what}: the time machine is off (config.yaml: k9py.history.enabled; --no-history)", "warn")


def _not_whole_yet(app: K9pyApp, present: Session) -> None:
    """Why the past cannot be shown yet: the history's disk error, else its first look under way."""
    error = present.history.error if present.history is not None else None
    app.flash(f"rewind: {error}" if error else FIRST_LOOK, "error" if error else "warn")


async def rewind(app: K9pyApp, arg: str) -> bool:
    """Show the cluster as it was at `arg` (a duration back, a time of day, an instant)."""
    present = app.session.present or app.session
    try:
        at = timetravel.moment(arg, present.now())
    except K9pyError as err:
        app.flash(str(err), "error")
        return False
    return await move_to(app, at)


CAUGHT_UP = 1.0  # seconds: a play head this close to the newest moment written is now


def _newer_kept(present: Session, head: Any) -> float | None:
    """The newest moment the history has written, when it is past the end of what ``head`` (a
    past's player) holds by CAUGHT_UP at least; None: it holds everything there is."""
    newest = timetravel.newest_moment(present)
    return newest if newest is not None and newest - (head.start + head.duration) >= CAUGHT_UP else None


def later_in_the_past(app: K9pyApp, what: str) -> bool:
    """`>` or `end` at the end of what the past's player read when the past was opened: the
    history has gone on recording, so the past is read again up to the moment asked for (10 s
    on, or the newest kept). False: nothing newer is kept."""
    present, head = app.session.present, app.session.playhead
    if present is None or head is None:
        return False
    newest = _newer_kept(present, head)
    if newest is None:
        return False
    at = newest if what == "end" else min(newest, head.now() + STEP)
    app.run_worker(move_to(app, at), group="timetravel", exclusive=True)
    return True


async def move_to(app: K9pyApp, at: float, *, read_again: bool = False) -> bool:
    """The past at ``at`` (the backend's clock): in the past's player when it holds that moment
    (unless ``read_again``), else read from the history again (it has gone on recording)."""
    present = app.session.present or app.session
    first = timetravel.first_moment(present)
    if first is None:
        _no_history(app, "rewind")
        return False
    whole = timetravel.complete_moment(present)
    if whole is None:
        _not_whole_yet(app, present)
        return False
    note = ""
    if at < whole:
        at, note = whole, " — the history starts here"
    past = app.session if app.session.present is not None else None
    head = past.playhead if past is not None else None
    if head is not None and at <= head.start + head.duration and not read_again:  # within what this past holds: move there
        head.seek(at - head.start)
        _moved(app, note)
        return True
    try:
        new = await asyncio.to_thread(timetravel.open_past, present, at)
    except K9pyError as err:
        app.flash(str(err), "error")
        return False
    await show(app, new, close=past)
    _moved(app, note)
    return True


def _play_on_at_the_end(app: K9pyApp, past: Session) -> None:
    """While the past plays, its player stops at the moment the past was opened; the history
    has gone on recording since, so play goes on past it (``play_on``), as a recorder's
    playback goes on into what it recorded meanwhile."""
    head = past.playhead
    if head is None:
        return
    playing = not head.paused

    def changed(_: object) -> None:
        nonlocal playing
        was, playing = playing, not head.paused
        if was and head.paused and head.at_end and app.session is past:
            app.run_worker(play_on(app), group="timetravel", exclusive=True)

    head.listeners.append(changed)


async def play_on(app: K9pyApp) -> bool:
    """Play the past on from its player's end: read the history again from there and play at
    the same speed; with nothing newer kept (the play head caught up with now), back to now."""
    past, head = app.session, app.session.playhead
    present = past.present
    if present is None or head is None:
        return False
    end, speed = head.start + head.duration, head.speed
    if _newer_kept(present, head) is None:  # what it shows at its end is what there is now
        await back_to_now(app)
        app.flash("caught up with now")
        return True
    if not await move_to(app, end, read_again=True):
        return False
    new = app.session.playhead
    if new is not None and app.session is not past:
        new.set_speed(speed)
        new.resume()
    return True


def _moved(app: K9pyApp, note: str = "") -> None:
    app._tick()  # ages against the play head
    from k9py.ui.widgets import timeline

    timeline.repaint(app)
    app.flash(f"{label(app.session)}{note} · < > move · esc or :now back to now")


async def back_to_now(app: K9pyApp) -> bool:
    present = app.session.present
    if present is None:
        app.flash("already now")
        return False
    await show(app, present, close=app.session)
    app.flash("back to now")
    return True


async def show(app: K9pyApp, new: Session, *, close: Session | None) -> None:
    """``new`` (a past, or the present again) is what the App shows; ``close`` goes."""
    from k9py.ui.widgets import timeline

    old = app.session
    if new.present is not None:
        new.start()  # the replay's driver (paused)
    app.outcome(app.splits.rebind(new, old))  # every pane on that Session (split panes, tabs) moves
    timeline.install(app)
    if new.present is not None:
        _play_on_at_the_end(app, new)
    app.render_header()
    if close is not None and close.present is not None:  # a past goes; the present never does here
        await close.close()


def save(app: K9pyApp) -> bool:
    """ctrl-s in the past: everything the history holds, as a Recording `k9py replay` opens
    (written in a worker: every segment is read)."""
    present = app.session.present
    if present is None or present.history is None:
        return False
    app.run_worker(_save(app, present, present.history), group="history-save")
    return True


async def _save(app: K9pyApp, present: Session, history: Any) -> None:
    from k9py.ui.screens.viewer import default_save_dir, save_text

    try:
        info = present.info()
        path = save_text(default_save_dir(app), info.context, "history", ".jsonl", "", present.now(), cluster=info.cluster)
        size = await asyncio.to_thread(history.save, str(path))
    except (K9pyError, OSError) as err:  # (OSError: the history's own files, flushed before they are read)
        app.flash(f"save failed: {err}", "error")
        return
    log.info("saved the history to %s (k9py replay %s)", path, path)
    # the name, not the path: a path does not fit the flash at 80 columns; :sd lists it whole
    app.flash(f"Saved {path.name} ({size // 1024} KiB) in :sd: k9py replay plays it")


def logs_in_the_past(past: Session, ns: str, pod: str, *, short: bool = False) -> str | None:
    """A log view opens on ``pod`` in the past: its lines are those the history fetched (from
    the moment a log view was first opened on the pod, with its tail then). None kept by the
    moment shown: an empty view would look like a silent pod, so what to say why. A pod that
    is still there is followed from now on (its logs were asked for)."""
    head, present = past.playhead, past.present
    if head is None or present is None:
        return None
    try:
        kept = bool(head.logs(ns, pod))
    except ApiError:  # not there at that moment (a log pane's pod)
        kept = False
    history = present.history
    followed = history is not None and history.exists_now("Pod", ns, pod)
    if history is not None and followed:
        history.follow_logs(ns, pod)
    if kept:
        return None
    if short:  # (a log pane's title)
        return "no lines kept by then: logs are kept once opened"
    later = ", so from now on" if followed else ""
    return f"no log lines kept by then: a pod's logs are kept once opened{later}"


# -- :diff and :changes -----------------------------------------------------------------------------

async def _player_and_range(app: K9pyApp, arg: str, default: str, what: str) -> tuple[Any, float, float, str, str] | None:
    """(a Player over the history, from, to, their labels) for `:diff`/`:changes`: in the past,
    the moment shown → now (or ARG → the moment shown); in the present, ARG (default ``default``)
    back → now. None (flashed why) when there is no history to read."""
    present = app.session.present or app.session
    if present.history is None:
        _no_history(app, what)
        return None
    whole = timetravel.complete_moment(present)  # never read before it: what was there all along
    if whole is None:  # would read as created
        _not_whole_yet(app, present)
        return None
    now = present.now()
    try:
        if app.session.playhead is not None:
            shown = app.session.playhead.now()
            if not arg.strip():
                return app.session.playhead, shown, now, timetravel.describe(shown, now), "now"
            start = max(timetravel.moment(arg, shown, what), whole)
            return app.session.playhead, start, shown, timetravel.describe(start, now), timetravel.describe(shown, now)
        start = max(timetravel.moment(arg or default, now, what), whole)
        player = await asyncio.to_thread(timetravel.history_player, present.history)
    except K9pyError as err:
        app.flash(str(err), "error")
        return None
    return player, start, now, timetravel.describe(start, now), "now"


def _text_screen(title: str, lines: list[str], label: str, suffix: str) -> Any:
    from k9py.ui.screens.viewer import ViewerScreen

    class TextScreen(ViewerScreen):
        kind_label = label
        save_suffix = suffix

        def content(self) -> list[str]:
            return lines
    return TextScreen(title)


async def diff(app: K9pyApp, arg: str) -> bool:
    """`:diff [WHEN]`: the selected object's YAML between two moments, as a unified diff."""
    cur = app.current
    row = app.table.cursor_row if cur is not None else None
    if cur is None or row is None:
        app.flash("diff: select an object first", "warn")
        return False
    key = row.key
    from k9py.explorer.merged import MergedView, context_of
    from k9py.explorer.workloads import WorkloadsView
    from k9py.view.workload_rows import key_kind
    if isinstance(cur, MergedView) and cur.session_of(row) is not app.session:
        app.flash(f"diff: the time machine keeps this context's history: `:ctx {context_of(row)}` to diff there", "warn")
        return False
    kind = key_kind(key) if isinstance(cur, WorkloadsView) else cur.scope.view.kind
    if not kind:  # users, groups, contexts…: rows that are no object of the cluster
        app.flash(f"diff: a row of {cur.scope.view.name} is not an object of the cluster", "warn")
        return False
    found = await _player_and_range(app, arg, "10m", "diff")
    if found is None:
        return False
    player, a, b, a_label, b_label = found
    ns, name = key[0], key[1]
    if b_label == "now":  # the history's own copy of now (Secrets redacted, as on the other side)
        [before], after = timetravel.objects_at(player, [a], kind, ns, name), _now_object(app, kind, ns, name)
    else:
        before, after = timetravel.objects_at(player, [a, b], kind, ns, name)
    what = f"{kind.lower()}/{name}"
    lines = timetravel.yaml_diff(before, after, f"{what} @ {a_label}", f"{what} @ {b_label}")
    if not lines:
        app.flash(f"{what}: no change between {a_label} and {b_label}")
        return True
    app.push_screen(_text_screen(f"Diff({ns + '/' if ns else ''}{name})", lines, "Diff", ".diff"))
    return True


def _now_object(app: K9pyApp, kind: str, ns: str, name: str) -> dict[str, Any] | None:
    """The object now, as the history holds it (Secrets redacted, as on every side of a diff)."""
    history = (app.session.present or app.session).history
    return history.object_now(kind, ns, name) if history is not None else None


async def changes(app: K9pyApp, arg: str) -> bool:
    """`:changes [WHEN]`: what was created, modified and deleted in the view's namespace since."""
    cur = app.current
    found = await _player_and_range(app, arg, "10m", "changes")
    if found is None:
        return False
    player, a, b, a_label, b_label = found
    namespace = cur.namespace or None if cur is not None else None
    rows = timetravel.changes(player, a, b, namespace)
    width = max((len(c.kind) for c in rows), default=0)
    lines = [f"{clock_of(c.t)}  {c.what:<8}  {c.kind:<{width}}  {(c.namespace + '/') if c.namespace else ''}{c.name}"
             + _times(c) for c in rows]
    where = namespace or "all namespaces"
    if not lines:
        app.flash(f"no change in {where} between {a_label} and {b_label}")
        return True
    app.push_screen(_text_screen(f"Changes({where}: {a_label} → {b_label})", lines, "Changes", ".txt"))
    return True


def _times(c: timetravel.Changed) -> str:
    """How often it changed: a created object's later changes, a modified one's count."""
    if c.times <= 1:
        return ""
    return f"  (+{c.times - 1} changes)" if c.what == "created" else f"  ({c.times} changes)"


def clock_of(t: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(t).astimezone().strftime("%H:%M:%S")
