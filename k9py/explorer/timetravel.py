"""The time machine, UI-free: `:rewind DURATION|TIME` opens a Session over the past (a replay of
the present Session's History, paused at that moment); `:now` goes back. The App only swaps the
Sessions its Navigator shows."""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from k9py.backends.base import BackendInfo
from k9py.backends.replay import ReplayBackend
from k9py.errors import K9pyError
from k9py.explorer.session import Session
from k9py.kube.timefmt import parse_duration, parse_time
from k9py.scenario.eventlog import open_jsonl
from k9py.scenario.player import EPS, Player
from k9py.view import yaml_text

if TYPE_CHECKING:
    from k9py.store.history import History

Obj = dict[str, Any]

STEP = 10.0  # `<` in the present: this many seconds back


def moment(arg: str, now: float, what: str = "rewind") -> float:
    """When `:rewind ARG` means, on the backend's clock: a duration back from ``now`` (``10m``,
    ``1h30m``, ``90``), a time of day (``14:32``, ``14:32:05``: the latest one not after now,
    in local time) or an RFC 3339 instant. K9pyError says what is wrong, as ``what`` (the
    command: rewind, diff, changes) asked it."""
    text = arg.strip().lstrip("-")
    if not text:
        raise K9pyError(f"{what}: say how far back (10m, 1h) or to when (14:32)")
    if ":" in text and "T" not in text and len(text) <= 8:
        try:
            parts = [int(p) for p in text.split(":")]
            if len(parts) not in (2, 3):
                raise ValueError
            clock = dt.time(parts[0], parts[1], parts[2] if len(parts) == 3 else 0)
        except ValueError:
            raise K9pyError(f"{what}: {arg.strip()!r} is not a time of day (HH:MM or HH:MM:SS)") from None
        here = dt.datetime.fromtimestamp(now).astimezone()
        at = here.replace(hour=clock.hour, minute=clock.minute, second=clock.second, microsecond=0)
        if at.timestamp() > now:
            at -= dt.timedelta(days=1)
        return at.timestamp()
    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    try:
        at_time = parse_time(text)
    except ValueError:
        at_time = None
    if at_time is None:
        raise K9pyError(f"{what}: {arg.strip()!r} is neither a duration (10m) nor a time (14:32)")
    return min(at_time, now)


class PastBackend(ReplayBackend):
    """A replay of the history, said to be the past of its context."""

    backend_kind = "past"

    def __init__(self, player: Player, present: Session) -> None:
        super().__init__(player)
        self._present_info = present.info()

    def info(self) -> BackendInfo:
        live = self._present_info
        return BackendInfo(backend="past", context=live.context, cluster=live.cluster, user=live.user,
                           server_version=live.server_version, read_only=True,
                           extra={"position": f"{self.player.position:.1f}s"})


def history_player(history: History | None) -> Player:
    """A paused Player over everything ``history`` holds (read and indexed: blocking)."""
    if history is None:
        raise K9pyError("rewind: the time machine is off (config.yaml: k9py.history.enabled)")
    if history.error:
        raise K9pyError(f"rewind: {history.error}")
    data = history.recording_bytes()
    if not data:
        raise K9pyError("rewind: nothing recorded yet")
    rec, feed = open_jsonl(f"<history of {history.context}>", data)
    return Player(rec, feed=feed, paused=True)


def open_past(present: Session, at: float) -> Session:
    """A read-only Session showing ``present``'s history at ``at`` (its backend's clock),
    paused. Blocking (the history is read and indexed): call it in a thread."""
    history = present.history
    player = history_player(history)
    player.seek(at - player.start)
    if history is not None:  # playing on does not take the hours k9py was away in real time
        player.skips = [(a - player.start, b - player.start) for a, b in history.gaps()]
    backend = PastBackend(player, present)
    past = Session(backend, readonly=True, manual=present.manual, namespace=present.namespace)
    past.present = present
    past.playhead = player
    past.gone = lambda kind, ns, name: history is not None and not history.exists_now(kind, ns, name)
    return past


def first_moment(session: Session) -> float | None:
    """The oldest moment the history of ``session`` (or of its present) holds."""
    present = session.present or session
    h = present.history
    return None if h is None or h.backend is None else h.oldest_clock()


def newest_moment(session: Session) -> float | None:
    """The latest moment the history of ``session`` (or of its present) has written (on the
    backend's clock): after it nothing changed up to now."""
    present = session.present or session
    h = present.history
    return None if h is None or h.backend is None else h.start_t + h.newest_t


def complete_moment(session: Session) -> float | None:
    """The oldest moment the history of ``session`` (or of its present) shows whole: once every
    kind's first list was in (earlier, what existed all along is not there yet; ``whole_t``).
    None while the first lists are coming in, or with no history."""
    present = session.present or session
    h = present.history
    return None if h is None or h.backend is None else h.oldest_whole_clock()


def unwatched(session: Session, at: float) -> bool:
    """Whether ``at`` (the backend's clock) falls where the history watched nothing: between a
    visit to the context and the next (`:ctx` away and back): the past shows it as last seen."""
    present = session.present or session
    h = present.history
    return h is not None and any(a < at < b for a, b in h.gaps())


def describe(at: float, now: float) -> str:
    """``14:32:05 (10m12s ago)``."""
    from k9py.kube.timefmt import human_duration

    stamp = dt.datetime.fromtimestamp(at).astimezone().strftime("%H:%M:%S")
    ago = max(0.0, now - at)
    return f"{stamp} ({human_duration(ago)} ago)" if ago >= 1 else f"{stamp} (now)"


def position_of(session: Session) -> float | None:
    """The moment a past Session shows, on its present's clock (None: not the past)."""
    if session.present is None or session.playhead is None:
        return None
    return float(session.playhead.now())


# -- what changed --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Changed:
    """One object's change between two moments: the first time it happened, and how often."""

    t: float  # the backend's clock
    what: str  # created | modified | deleted
    kind: str
    namespace: str
    name: str
    times: int = 1


_WHAT = {"ADDED": "created", "MODIFIED": "modified", "DELETED": "deleted"}


def changes(player: Player, a: float, b: float, namespace: str | None = None) -> list[Changed]:
    """What was created, modified and deleted in (a, b] (the backend's clock), in order; an
    object's successive modifications are one line with their count. ``namespace``: only its
    objects (cluster-scoped ones too are left out)."""
    feed, start = player.feed, player.start
    lo = bisect.bisect_right(feed.times, a - start + EPS)
    hi = bisect.bisect_right(feed.times, b - start + EPS)
    out: list[Changed] = []
    last: dict[tuple[str, str, str], int] = {}  # key -> its latest line in out
    for i in range(lo, hi):
        kind, ns, name = feed.keys[i]
        if namespace is not None and ns != namespace:
            continue
        what = _WHAT.get(feed.types[i], "modified")
        j = last.get((kind, ns, name))
        if what == "modified" and j is not None and out[j].what in ("created", "modified"):
            out[j] = replace(out[j], times=out[j].times + 1)
            continue
        last[(kind, ns, name)] = len(out)
        out.append(Changed(start + feed.times[i], what, kind, ns, name))
    return out


def objects_at(player: Player, moments: list[float], kind: str, namespace: str, name: str) -> list[Obj | None]:
    """The object as the history held it at each of ``moments`` (None: it did not exist). One
    Player of its own over the same recording: the one on screen does not move."""
    other = Player(player.recording, feed=player.feed, paused=True)
    out: list[Obj | None] = []
    for at in moments:
        other.seek(at - other.start)
        out.append(other.store.get(kind, namespace or None, name))
    return out


def yaml_diff(before: Obj | None, after: Obj | None, before_label: str, after_label: str) -> list[str]:
    """A unified diff of the two objects' YAML (kubectl diff's form); an absent side is empty."""
    def lines(obj: Obj | None) -> list[str]:  # the history's objects carry no managedFields
        return [] if obj is None else yaml_text.dump(obj).splitlines()
    return list(difflib.unified_diff(lines(before), lines(after), before_label, after_label, lineterm=""))
