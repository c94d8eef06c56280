"""Hostile cluster content (issue 15, "Terminal injection"): the strings of
``tests/data/hostile_strings.json`` put where users see them in a simulated cluster (annotations,
labels, env values, ConfigMap and Secret data, event messages, container log lines, images, node
labels, a flash, dialogs, pickers), every view opened, and the exact output the terminal would
receive checked: no escape byte, no C0/C1 control but newline, no bidi override, no zero-width
character, markup shown literally with no link or click metadata, the app still running."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from rich.segment import Segment
from textual._compositor import LayoutUpdate

from k9py.backends.replay import ScenarioBackend
from k9py.sim.logs import append_log
from k9py.ui.app import K9pyApp
from k9py.ui.screens.describe import DescribeScreen
from k9py.ui.screens.dialogs import DeleteDialog, ImageDialog, NamePicker
from k9py.ui.screens.logs import LogScreen
from k9py.ui.screens.xray import XrayScreen
from k9py.ui.screens.yaml_view import YamlScreen
from tests.sim.helpers import COUNTER_SCRIPT, pod_manifest
from tests.ui.simcluster import border_text, command, goto, run, settle, sim_cluster

CORPUS_FILE = Path(__file__).parent.parent / "data" / "hostile_strings.json"


def corpus() -> dict[str, str]:
    data = json.loads(CORPUS_FILE.read_text(encoding="utf-8"))
    out = {e["name"]: e["text"] for e in data["strings"]}
    for g in data["generated"]:
        out[g["name"]] = (g["repeat"] * g["times"])[:100_000]
    return out


HOSTILE = corpus()
SMALL = {k: v for k, v in HOSTILE.items() if len(v) < 1000}
HUGE = HOSTILE["huge_100k"]
MARKUP = [HOSTILE[k] for k in ("markup_bold", "markup_click", "markup_link")]

# what must never reach the terminal as text: C0 but \n, DEL, C1, bidi controls, zero-width
# characters, line/paragraph separators, lone surrogates
FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029"
                       "\u2060-\u2069\ufeff\ud800-\udfff]")
# what Textual itself writes: SGR colours, cursor positioning, its own mode switches
LEGIT = re.compile(r"\x1b\[[0-9;:]*m|\x1b\[\d+;\d+H|\x1b\[\d*[ABCDK]")


def terminal_output(app: K9pyApp) -> tuple[str, list[Segment]]:
    """What the driver would write for a full repaint of the screen (and the screens under a
    modal), and the segments it is made of."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(update, LayoutUpdate)
    segments = [seg for line in update.strips for strip in line for seg in strip]
    return update.render_segments(app.console), segments


def check_inert(app: K9pyApp, where: str) -> str:
    """Assert the screen's terminal output is inert; returns its plain text."""
    data, segments = terminal_output(app)
    for seg in segments:
        bad = FORBIDDEN.search(seg.text)
        assert bad is None, f"{where}: {bad.group()!r} in segment {seg.text[:80]!r}"
        if seg.style is not None:
            assert not seg.style.link, f"{where}: link {seg.style.link!r} on {seg.text[:80]!r}"
            meta = seg.style.meta or {}
            clicks = [v for k, v in meta.items() if k.startswith("@")]
            assert not any("quit" in str(v) for v in clicks), f"{where}: click meta {meta!r}"
    stripped = LEGIT.sub("", data)
    assert "\x1b" not in stripped, f"{where}: escape in output near {stripped[stripped.index(chr(27)) - 40:][:80]!r}"
    bad = FORBIDDEN.search(stripped.replace("\n", ""))
    assert bad is None, f"{where}: {bad.group()!r} in output"
    stripped.encode("utf-8")  # a lone surrogate would kill the driver's write
    return "".join(s.text for s in segments)


def hostile_cluster() -> Any:
    c = sim_cluster()
    names = list(SMALL)
    pod = pod_manifest("hostile", "busybox:1.36", command=["/bin/sh", "-c", COUNTER_SCRIPT],
                       annotations={f"k9py.test/{n.replace('_', '-')}": v for n, v in HOSTILE.items()})
    pod["spec"]["containers"][0]["env"] = [{"name": f"H_{n.upper()}", "value": v} for n, v in HOSTILE.items()]
    c.create(pod)
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "hostile-cm", "namespace": "default"},
              "data": {n: v for n, v in HOSTILE.items()}})
    c.create({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
              "metadata": {"name": "hostile-secret", "namespace": "default"},
              "data": {n: base64.b64encode(v.encode("utf-8", "surrogatepass")).decode() for n, v in SMALL.items()}})
    bad_image = pod_manifest("badimage", "busybox:1.36")
    bad_image["spec"]["containers"][0]["image"] = "evil\x1b]0;pwned\x07\x1b[2J[bold]img\u202e:1"
    c.create(bad_image)
    c.advance(5)

    # labels and events are validated by the apiserver: written as a component would
    def relabel(o: dict) -> dict:
        o["metadata"].setdefault("labels", {}).update({f"h{i}": SMALL[n] for i, n in enumerate(names)})
        return o
    c.store.mutate("Pod", "default", "hostile", relabel)
    node = c.store.list("Node")[0]["metadata"]["name"]
    c.store.mutate("Node", "", node, relabel)
    for i, n in enumerate(HOSTILE):
        c.store.create({"apiVersion": "v1", "kind": "Event",
                        "metadata": {"name": f"hostile.{i}", "namespace": "default"},
                        "involvedObject": {"kind": "Pod", "namespace": "default", "name": "hostile",
                                           "apiVersion": "v1"},
                        "reason": f"Hostile{i}", "message": HOSTILE[n], "type": "Warning", "count": 1,
                        "source": {"component": "test"},
                        "firstTimestamp": "2024-01-01T00:00:00Z", "lastTimestamp": "2024-01-01T00:00:00Z"})
    append_log(c, "default", "hostile", None, *SMALL.values(), HUGE)
    c.advance(5)
    return c


async def open_on_hostile(app: K9pyApp, pilot: Any, key: str) -> None:
    await goto(app, pilot, "hostile")
    await pilot.press(key)
    await settle(app, pilot)


async def back(app: K9pyApp, pilot: Any) -> None:
    await pilot.press("escape")
    await settle(app, pilot)


def test_pods_table_describe_yaml_logs_are_inert():
    async def s(app, pilot, cluster):
        check_inert(app, "pods table")
        await pilot.press("ctrl+w")  # wide: labels and images
        await settle(app, pilot)
        check_inert(app, "pods table wide")
        await open_on_hostile(app, pilot, "d")
        assert isinstance(app.screen, DescribeScreen)
        text = check_inert(app, "describe")
        screen = app.screen
        for _ in range(0, len(screen.lines), screen.body.page):
            await pilot.press("space")
            text += check_inert(app, "describe (paged)")
        assert all(m in text for m in MARKUP)
        await back(app, pilot)
        await open_on_hostile(app, pilot, "y")
        assert isinstance(app.screen, YamlScreen)
        text = check_inert(app, "yaml")
        for _ in range(0, len(app.screen.lines), app.screen.body.page):
            await pilot.press("space")
            text += check_inert(app, "yaml (paged)")
        await pilot.press("l", "l", "l")  # scroll right into the long values
        check_inert(app, "yaml scrolled right")
        await back(app, pilot)
        await open_on_hostile(app, pilot, "l")
        assert isinstance(app.screen, LogScreen)
        text = check_inert(app, "logs")
        assert all(m in text for m in MARKUP)
        await pilot.press("w")  # wrap: the 100k line wraps over many lines
        await settle(app, pilot)
        check_inert(app, "logs wrapped")
        await back(app, pilot)
        check_inert(app, "pods table after")
        assert app.is_running
    run(s, hostile_cluster())


def test_events_configmaps_secrets_nodes_are_inert():
    async def s(app, pilot, cluster):
        for cmd, name in (("events", None), ("cm", "hostile-cm"), ("secrets", "hostile-secret"), ("nodes", None)):
            await command(app, pilot, cmd)
            where = f":{cmd}"
            text = check_inert(app, where)
            if cmd == "events":
                assert "\u241b" in text and "[bold]" in text  # ␛: shown, not obeyed
            if name:
                await goto(app, pilot, name)
            for key in ("d", "y"):
                await pilot.press(key)
                await settle(app, pilot)
                text = check_inert(app, f"{where} {key}")
                if cmd == "secrets":
                    assert "pwned" not in text and "[bold]" not in text  # still masked
                await back(app, pilot)
        assert app.is_running
    run(s, hostile_cluster())


def test_xray_pulses_timeline_are_inert():
    async def s(app, pilot, cluster):
        for cmd in ("xray po", "xray dp", "pulses"):
            await command(app, pilot, cmd)
            check_inert(app, cmd)
            await back(app, pilot)
        if isinstance(app.screen, XrayScreen):
            await back(app, pilot)
        assert app.is_running
    run(s, hostile_cluster())


def test_flash_header_dialogs_pickers_are_inert():
    async def s(app, pilot, cluster):
        for name, text in SMALL.items():
            app.flash(f'pods "{text}" not found', "error")
            await pilot.pause()
            check_inert(app, f"flash {name}")
        app.flash(HUGE, "error")
        await pilot.pause()
        check_inert(app, "flash huge")
        message = " ".join(SMALL.values())
        app.push_screen(DeleteDialog("<Delete>", f"Delete {message}?"))
        await settle(app, pilot)
        check_inert(app, "delete dialog")
        await back(app, pilot)
        app.push_screen(NamePicker("<Containers> default/hostile", MARKUP + [v for v in SMALL.values() if v not in MARKUP]))
        await settle(app, pilot)
        text = check_inert(app, "container picker")
        assert all(m in text for m in MARKUP)
        for _ in SMALL:  # every option under the cursor once
            await pilot.press("j")
        check_inert(app, "container picker, last option")
        await back(app, pilot)
        assert app.is_running
    run(s, hostile_cluster())


def test_header_and_image_dialog_are_inert():
    async def s(app, pilot, cluster):
        info = app.session.info()
        hostile = dataclasses.replace(info, context=HOSTILE["osc52_clipboard"], cluster=HOSTILE["bidi_rlo"],
                                      user=HOSTILE["markup_click"], server_version=HOSTILE["csi_clear"])
        app.session.info = lambda: hostile  # a kubeconfig's names are anybody's
        app.render_header()
        await pilot.pause()
        text = check_inert(app, "header")
        assert "\u241b]52;c;" in text and "[@click=app.quit]" in text
        image = cluster.store.get("Pod", "default", "badimage")["spec"]["containers"][0]["image"]
        app.push_screen(ImageDialog("<Set image> default/badimage", [("badimage", image), ("other", HUGE)]))
        await settle(app, pilot)
        check_inert(app, "image dialog")
        await back(app, pilot)
        assert app.is_running
    run(s, hostile_cluster())


def test_saved_and_copied_text_keeps_the_raw_characters(tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path / "k9py"))  # ctrl-s: tmp_path/k9py/screens

    async def s(app, pilot, cluster):
        await command(app, pilot, "cm")
        await goto(app, pilot, "hostile-cm")
        await pilot.press("d")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DescribeScreen)
        painted = check_inert(app, "configmap describe")
        assert "file\ufffdtxt.exe" in painted  # the override shown as �, not obeyed
        await pilot.press("ctrl+s")
        assert screen.saved_path is not None
        saved = screen.saved_path.read_bytes().decode("utf-8", "surrogatepass")
        assert saved == screen.text()
        assert "file\u202etxt.exe" in saved and "zw\u200bsp" in saved  # the file keeps what the cluster said
        await pilot.press("c")
        assert "file\u202etxt.exe" in app.clipboard and "lone \ufffd surrogate" in app.clipboard
        assert app.is_running
    run(s, hostile_cluster())


def test_scenario_notes_in_flash_bar_and_timeline_are_inert(tmp_path):
    note = json.dumps(" ".join(v for n, v in SMALL.items() if n != "lone_surrogate"))  # a YAML double-quoted scalar
    src = tmp_path / "s.yaml"
    text = Path("scenarios/self-healing.yaml").read_text()
    src.write_text(text.replace("  - at: 2m\n", f"  - {{at: 90s, pause: {note}}}\n  - at: 2m\n")
                   .replace("note: delete every pod of the Deployment at once", f"note: {note}"))

    async def main():
        backend = ScenarioBackend.open(str(src))
        app = K9pyApp(backend, manual=True)
        async with app.run_test(size=(160, 45)) as pilot:
            await app.pump()
            await pilot.pause()
            backend.cluster.advance(95)
            await app.pump()
            await pilot.pause()
            assert "[@click=app.quit]" in app.flash_text
            check_inert(app, "scenario flash and bar")
            await pilot.press("colon", *"timeline", "enter")
            for _ in range(3):
                await pilot.pause()
            shown = check_inert(app, "timeline view")
            assert "\u241b" in shown
            assert app.is_running
    asyncio.run(main())


def test_hostile_text_pasted_into_the_prompt_and_the_filter_is_inert():
    """A user pastes what they copied from a log line or a manifest into `:` or `/`."""
    from textual import events

    async def s(app, pilot, cluster):
        for key in ("colon", "slash"):
            await pilot.press(key)
            box = app.focused
            assert box is not None
            for name, text in SMALL.items():
                box.value = ""
                box.post_message(events.Paste(text))
                await pilot.pause()
                check_inert(app, f"{key} box with {name}")
            await pilot.press("escape")
            await settle(app, pilot)
            assert len(app.screen_stack) == 1 and app.is_running
        await pilot.press("slash")
        app.focused.post_message(events.Paste(HOSTILE["markup_click"]))
        await pilot.press("enter")
        await settle(app, pilot)
        check_inert(app, "filter applied")
        await pilot.press("escape", "d", "slash")  # a viewer's search box
        await settle(app, pilot)
        assert isinstance(app.screen, DescribeScreen)
        app.focused.post_message(events.Paste(HOSTILE["csi_clear"] + HOSTILE["osc52_clipboard"]))
        await settle(app, pilot)
        check_inert(app, "describe search box")
        assert app.is_running
    run(s, hostile_cluster())


def test_the_past_its_diff_and_changes_and_a_log_pane_are_inert(tmp_path):
    from k9py.store.history import History

    async def s(app, pilot, cluster):
        await goto(app, pilot, "hostile")
        app.run_command("split logs")  # a log pane following the hostile pod
        await settle(app, pilot, 2)
        await app.workers.wait_for_complete()
        await settle(app, pilot, 2)
        check_inert(app, "log pane")
        cluster.store.mutate("Pod", "default", "hostile",
                             lambda o: o["metadata"]["annotations"].update({"k9py.test/again": MARKUP[0]}))
        await settle(app, pilot, 10)
        await command(app, pilot, "rewind 5s")
        await app.workers.wait_for_complete()
        await settle(app, pilot)
        assert app.session.present is not None
        check_inert(app, "the past")
        for cmd, title in (("diff", "Diff(default/hostile)"), ("changes", "Changes(default:")):
            await goto(app, pilot, "hostile")
            await command(app, pilot, cmd)
            await app.workers.wait_for_complete()
            await settle(app, pilot)
            assert app.screen.title_text.startswith(title)
            text = check_inert(app, cmd)
            assert "[bold]" in text or cmd == "changes"  # the markup shown as it is
            await back(app, pilot)
        await command(app, pilot, "now")
        await app.workers.wait_for_complete()
        assert app.session.present is None and app.is_running
    run(s, hostile_cluster(), history=lambda b: History(tmp_path / "h", "hostile", poll_logs=False))


def test_an_unclosed_closing_tag_typed_anywhere_is_shown_not_parsed():
    """`[/` with no `]` after it: rich's escape leaves it alone and Textual's markup parser failed
    on it (a regex filter `[/-]` typed key by key killed the app at its second key)."""
    async def s(app, pilot, cluster):
        await pilot.press("slash", "left_square_bracket", "slash")  # the title shows the filter as it is typed
        await settle(app, pilot)
        assert "[/" in border_text(app.table)
        await pilot.press("minus", "right_square_bracket", "enter")
        await settle(app, pilot)
        await pilot.press("escape")
        await command(app, pilot, "pods /x[/")
        assert "x[/" in border_text(app.table)
        await pilot.press("escape")
        await settle(app, pilot)
        await goto(app, pilot, "counter")
        for key in ("d", "l"):  # a viewer's search and the log filter
            await pilot.press(key)
            await settle(app, pilot)
            await pilot.press("slash", "left_square_bracket", "slash", "enter")
            await settle(app, pilot)
            await pilot.press("escape", "escape")
            await settle(app, pilot)
        await command(app, pilot, "xray deploy [/x")
        assert isinstance(app.screen, XrayScreen)
        check_inert(app, "xray titled with [/x")
        assert app.is_running
    run(s)


def test_a_flash_with_a_lone_surrogate_logs_what_can_be_written():
    """k9py's log got the flash as it was: a name's lone surrogate (JSON's "\\ud800") could not be
    encoded by the log file (logging's traceback on the terminal) nor by pytest-xdist's report
    (its worker died: INTERNALERROR). The logged text is encodable, the flash itself unchanged."""
    import logging

    class Keep(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.INFO)
            self.records: list[logging.LogRecord] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.records.append(record)

    logger, keep = logging.getLogger("k9py"), Keep()  # (its own handler: whatever propagation a CLI test left)
    level = logger.level
    logger.addHandler(keep)
    logger.setLevel(logging.INFO)

    async def s(app, pilot, cluster):
        app.flash('pods "a\ud800b" not found', "error")
        await pilot.pause()
        check_inert(app, "flash with a lone surrogate")
    try:
        run(s, hostile_cluster())
    finally:
        logger.removeHandler(keep)
        logger.setLevel(level)
    logged = [r.getMessage() for r in keep.records if "not found" in r.getMessage()]
    assert logged
    for text in logged:
        text.encode("utf-8")  # raises for a lone surrogate


def test_a_crds_printer_column_names_are_inert():
    """A CRD's additionalPrinterColumns name the table's header: k9py wrote them to the terminal
    as they were (a column named "\\x1b[31m" or "\\x1b]52;c;...\\x07": the terminal obeyed it, the
    header line deleted, the clipboard written). Shown as the cells are, escapes made visible."""
    from tests.crds import crontab, crontab_crd

    cluster = sim_cluster()
    crd = crontab_crd()
    columns = crd["spec"]["versions"][0]["additionalPrinterColumns"]
    columns[0]["name"] = "Spec\x1b[31M\x1b]52;c;cHduZWQ=\x07"
    columns[1]["name"] = "[bold]Replicas\u202e"
    with cluster.lock:
        cluster.create(crd)
        cluster.create(crontab("nightly", spec="0 3 * * *", replicas=2))
        cluster.settle()

    async def s(app, pilot, cluster):
        await command(app, pilot, "ct")
        text = check_inert(app, "crontabs")
        assert "SPEC␛[31M␛]52;C;CHDUZWQ=␇" in text and "[BOLD]REPLICAS" in text and "nightly" in text
        assert app.is_running
    run(s, cluster)


def test_a_regex_filter_and_a_describe_search_over_a_lone_surrogate():
    """RE2 reads UTF-8, and google-re2 encoded every text it searched: a row or a describe line
    holding a lone surrogate (JSON's "\\ud800" in a label, an annotation) ended the app at the
    first regex typed at `/` (UnicodeEncodeError). The surrogate is one character, as U+FFFD."""
    async def s(app, pilot, cluster):
        await pilot.press("ctrl+w")  # wide: the labels, one of them "lone \ud800 surrogate"
        await settle(app, pilot)
        await pilot.press("slash", *"lone", "space", "full_stop", "space", *"surr", "enter")
        await settle(app, pilot)
        m = app.model
        assert m.filter.mode == "regex" and [m.key_at(i)[1] for i in range(len(m))] == ["hostile"]
        check_inert(app, "filtered over a lone surrogate")
        await pilot.press("escape")
        await settle(app, pilot)
        await open_on_hostile(app, pilot, "d")
        screen = app.screen
        assert isinstance(screen, DescribeScreen)
        await pilot.press("slash", *"lone", "space", "full_stop", "enter")
        await settle(app, pilot)
        found = [screen.lines[ln][s:e] for ln, s, e in screen.matches]
        assert found and all(len(f) == 6 and f.startswith("lone ") for f in found)  # the surrogate: one character
        check_inert(app, "describe searched over a lone surrogate")
        assert app.is_running
    run(s, hostile_cluster())
