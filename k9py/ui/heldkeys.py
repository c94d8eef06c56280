"""Keys typed while the demo is still being loaded behind the first frame (a fraction of a
second) onto a table that has no rows yet: `:deploy⏎d` typed at start, the `d` for a deployment
that is not there yet. They wait, in order, until the cluster is there and the view has its
rows (or a moment has passed with none), then run as typed; keys for the prompt, and anything
typed while no key waits, go their usual way. While a context switch is under way
(`:pods @b⏎:dp⏎`), every key waits for it, the prompt's too, until the switch says it is stalled
(``K9pyApp.switch_holds_keys``). Keys typed onto a view whose first rows are on their way (a
live cluster's first list, `:cj⏎d`; a big view loaded in a worker) wait for them too, a few
seconds at most, once a view; an esc typed behind them lets them go at once."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import events
from textual.timer import Timer

from k9py.ui import keymap
from k9py.ui.widgets import timeline

if TYPE_CHECKING:
    from k9py.ui.app import K9pyApp

CHECK_EVERY = 0.05  # seconds between looks while keys wait
ROWS_GRACE = 1.0  # seconds after the build for the view's rows to come (an empty view: at most this)
HOLD_AT_MOST = 30.0  # seconds: keys never wait longer, whatever the build does
LIST_AT_MOST = 5.0  # seconds keys wait for a view's first rows (an esc behind them lets them go)
NEVER_HELD = ("ctrl+c",)  # quitting never waits
REPLAY_AT_MOST = 2.0  # seconds keys handed back may take to come through the app's queue


class HeldKeys:
    def __init__(self, app: K9pyApp) -> None:
        self.app = app
        self.keys: list[events.Key] = []
        self._replayed: set[int] = set()  # ids of the keys handed back (they go their way then)
        self._since = 0.0
        self._replayed_at = 0.0
        self._built_at: float | None = None
        self._timer: Timer | None = None
        self._waited_in_vain: object = None  # the view whose first list kept keys waiting the longest allowed

    def take(self, event: events.Key) -> bool:
        """Keep ``event`` back (True) when keys wait, or when it is the first key for a table
        with no rows while the cluster is still being built. Keys handed back go their way; a
        key that comes while some handed back are still ahead of it in the queue (typed while
        the cluster was swapped in) waits for them, and is handed back after the last."""
        if id(event) in self._replayed:
            self._replayed.discard(id(event))
            if not self._replayed and self.keys and self._timer is None:
                self.release()  # what came meanwhile, behind the keys just handed back
            return False
        if event.key in NEVER_HELD:
            return False
        if self._replayed and time.monotonic() - self._replayed_at > REPLAY_AT_MOST:
            self._replayed.clear()  # (a key handed back that never came: never hold keys for it)
            if self.keys and self._timer is None:
                self.release()
        if self._replayed:  # handed-back keys are still to come: behind them
            self.keys.append(event)
            return True
        if event.key == "escape" and self.keys and self._first_list_on_its_way():
            self.keys.append(event)  # giving up on the list: the keys go now, in order, the esc last
            self.release()
            return True
        if not self.keys and not self._should_wait(event):
            return False
        if not self.keys:
            self._since, self._built_at = time.monotonic(), None
            self._timer = self.app.set_interval(CHECK_EVERY, self._check)
        self.keys.append(event)
        return True

    def _should_wait(self, event: events.Key) -> bool:
        app = self.app
        if app.switch_holds_keys:  # `:pods @b⏎:dp⏎` typed in one go: `:dp` is for b, once there
            return True
        if self._first_list_on_its_way() and event.key != "escape" and not self._rows_in_table() \
                and app.current is not self._waited_in_vain \
                and len(app.screen_stack) == 1 and not app.prompt.display \
                and keymap.prompt_mode(app.user.keymap, event.key) is None:
            return True  # `:cj⏎d` on a live cluster: the `d` is for a cronjob the list brings
        pb = timeline.playback_of(app.backend)
        if pb is None or not pb.loading or pb.building is not None:
            return False  # (a big file's build says it is under way and takes seconds: keys go on)
        if len(app.screen_stack) > 1 or app.prompt.display:
            return False
        if keymap.prompt_mode(app.user.keymap, event.key) is not None:
            return False  # `:` and `/` open the prompt now: what is typed there lands as it is
        return not self._rows_in_table()

    def _check(self) -> None:
        now = time.monotonic()
        if self.app.switch_holds_keys and now - self._since < HOLD_AT_MOST:
            return
        if self._first_list_on_its_way():
            if now - self._since < LIST_AT_MOST:
                return
            self._waited_in_vain = self.app.current  # (its list is slow: the keys go on, and the next ones too)
        pb = timeline.playback_of(self.app.backend)
        if pb is not None and pb.loading and now - self._since < HOLD_AT_MOST:
            return
        if self._built_at is None:
            self._built_at = now
        if not self._rows_in_table() and now - self._built_at < ROWS_GRACE:
            return
        self.release()

    def _first_list_on_its_way(self) -> bool:
        """Whether the view shown waits for its kind's first list from a live cluster (the
        simulator's demo, built behind the first frame, has its own wait above)."""
        if self.app.switch_holds_keys or timeline.playback_of(self.app.backend) is not None:
            return False
        view = getattr(self.app, "current", None)
        loading = getattr(view, "loading", None)
        return callable(loading) and bool(loading())

    def _rows_in_table(self) -> bool:
        """Whether the table has the view's rows: a view loaded in a worker hands its model to the
        table by a message, after the model has its rows (an enter released in between found no
        row under the cursor, and the keys behind it acted one level up)."""
        model = self.app.model
        return model is not None and len(model) > 0 and self.app.table.model is model

    def release(self) -> None:
        """The keys kept back, handed to the app again in the order they were typed."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        keys, self.keys = self.keys, []
        self._replayed_at = time.monotonic()
        for event in keys:
            again = events.Key(event.key, event.character)
            self._replayed.add(id(again))
            self.app.post_message(again)
