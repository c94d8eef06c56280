"""10,000 random keypresses (seeded), in bursts as a terminal hands them over, on the simulator
with its clock moving: the app keeps running, and afterwards esc brings it back to a table whose
rows are the cluster's. The keys that quit (`q`, ctrl-c) are left out: quitting is not a fault."""

from __future__ import annotations

import random

from textual import events

from tests.ui.simcluster import run, settle

KEYS = [*"abcdefghijklmnoprstuvwxyzABCDEFGHIJKLMNOPRSTUVWXYZ0123456789-[]/:!?. ", "enter", "escape", "tab",
        "shift+tab", "up", "down", "left", "right", "home", "end", "pageup", "pagedown", "space", "backspace",
        "ctrl+d", "ctrl+k", "ctrl+w", "ctrl+a", "ctrl+s", "ctrl+u", "ctrl+f", "ctrl+b", "ctrl+l", "ctrl+z",
        "ctrl+e", "ctrl+r"]
NAMED = {"enter": "\r", "escape": "\x1b", "tab": "\t", "space": " ", "backspace": "\x7f"}
CHARS = {":": "colon", "/": "slash", "-": "minus", "[": "left_square_bracket", "]": "right_square_bracket",
         "!": "exclamation_mark", "?": "question_mark", ".": "full_stop", " ": "space"}
TOTAL, BURST = 10_000, 50


def key_event(key: str) -> events.Key:
    if len(key) == 1:
        return events.Key(CHARS.get(key, key), key)
    return events.Key(key, NAMED.get(key))


def test_ten_thousand_random_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", "false")  # `e` must not wait for a person
    monkeypatch.chdir(tmp_path)  # ctrl-s saves here

    async def s(app, pilot, cluster):
        rng = random.Random(1937)
        for _ in range(TOTAL // BURST):
            for _ in range(BURST):
                app.post_message(key_event(rng.choice(KEYS)))
            cluster.advance(1)  # the clock moves between bursts; one pass lets the app take them in
            app.backend.notify()
            await app.pump()
            await pilot.pause()
            assert app.is_running
        for _ in range(10):  # out of whatever dialog, prompt or view the keys left open
            await pilot.press("escape")
            await settle(app, pilot)
        assert app.is_running and len(app.screen_stack) == 1
        m, view = app.model, app.current
        assert m is not None and view is not None
        cache = view.cache()
        if cache is not None and not m.filter:  # the table shows what the informer holds (its faults: ctrl-z)
            keeps = view.scope.keeps() or (lambda o: True)
            assert len(m) == sum(1 for o in cache.objects.values() if keeps(o)) or view.scope.view.name == "containers"
    run(s, size=(80, 24))
