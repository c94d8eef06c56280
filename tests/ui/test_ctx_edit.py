"""k9s's `:ctx` keys on a live cluster's kubeconfig: `r` renames a context, ctrl-d deletes one
(asked first; never the one in use). The file is written atomically, everything else in it kept;
simulated contexts and read-only mode refuse, said in the flash."""

from __future__ import annotations

import asyncio
import os
import stat

import yaml

from k9py.backends.live import LiveBackend, LiveOptions
from k9py.ui.app import K9pyApp
from k9py.ui.screens.dialogs import ConfirmScreen, RenameDialog
from tests.backends.conftest import FAST, server  # noqa: F401
from tests.ui.simcluster import border_text
from tests.ui.test_live_explorer import SIZE, command, header, lines, rows, run, until

TIMESTAMP = "2031-05-06T07:08:09Z"


def _kubeconfig(path, url: str) -> dict:
    """Three contexts (only `one` reaches a server), the keys a real kubeconfig carries besides
    them (preferences, extensions, an auth-provider's expiry timestamp, a custom key)."""
    doc = {"apiVersion": "v1", "kind": "Config", "current-context": "one",
           "preferences": {"colors": True},
           "clusters": [{"name": "c1", "cluster": {"server": url}},
                        {"name": "c2", "cluster": {"server": "https://127.0.0.1:1", "insecure-skip-tls-verify": True}}],
           "users": [{"name": "u1", "user": {}},
                     {"name": "u2", "user": {"auth-provider": {"name": "oidc", "config": {"expiry": TIMESTAMP}}}}],
           "contexts": [{"name": "one", "context": {"cluster": "c1", "user": "u1"}},
                        {"name": "two", "context": {"cluster": "c2", "user": "u2", "namespace": "team"}},
                        {"name": "three", "context": {"cluster": "c2", "user": "u2"}}],
           "extensions": [{"name": "x", "extension": {"a": 1}}],
           "x-custom": ["kept"]}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    os.chmod(path, 0o600)
    return doc


def _read(path) -> dict:
    return yaml.load(path.read_text(), Loader=yaml.BaseLoader)  # strings as written: the timestamp too


async def _cursor_to(app, pilot, name: str) -> None:
    names = [ln.split()[0].removesuffix("(*)") if ln.split() else "" for ln in lines(app)[1:]]
    await pilot.press("g", *["j"] * names.index(name))
    assert app.table.cursor_row is not None and app.table.cursor_row.key[1] == name


def test_r_renames_and_ctrl_d_deletes_in_the_kubeconfig_keeping_everything_else(server, tmp_path):
    path = tmp_path / "kc.yaml"
    doc = _kubeconfig(path, server.handle.url)

    async def main():
        app = K9pyApp(LiveBackend(LiveOptions(kubeconfig=str(path), **FAST)), manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app), "one's pods")
            await command(app, pilot, "ctx")
            assert "<r>" in header(app) and "Rename" in header(app)
            await _cursor_to(app, pilot, "two")
            await pilot.press("r")
            assert isinstance(app.screen, RenameDialog)
            await pilot.press(*["backspace"] * 3, *"deux", "enter")
            await until(app, pilot, lambda: ("", "deux") in rows(app), "the renamed row")
            assert 'Context "two" renamed to "deux"' in app.flash_text
            got = _read(path)
            assert [c["name"] for c in got["contexts"]] == ["one", "deux", "three"]
            assert got["contexts"][1]["context"] == {"cluster": "c2", "user": "u2", "namespace": "team"}
            assert got["users"][1]["user"]["auth-provider"]["config"]["expiry"] == TIMESTAMP
            for key in ("apiVersion", "kind", "preferences", "clusters", "extensions", "x-custom", "current-context"):
                assert got[key] == _read_doc_value(doc, key), key
            assert list(got) == list(doc)  # the keys' order too
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
            assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]

            # a name another context has: refused, nothing written
            before = path.read_bytes()
            await _cursor_to(app, pilot, "deux")
            await pilot.press("r")
            await pilot.press(*["backspace"] * 4, *"three", "enter")
            await until(app, pilot, lambda: "already exists" in app.flash_text, "the refusal")
            assert path.read_bytes() == before

            # the context in use: renamed, the file's current-context with it, the header follows
            await _cursor_to(app, pilot, "one")
            await pilot.press("r", *["backspace"] * 3, *"uno", "enter")
            await until(app, pilot, lambda: ("", "uno") in rows(app), "the renamed current row")
            assert _read(path)["current-context"] == "uno" and app.backend.info().context == "uno"
            assert "Context:  uno" in header(app)

            # ctrl-d: asked first, never the context in use
            await _cursor_to(app, pilot, "uno")
            await pilot.press("ctrl+d")
            await pilot.pause()
            assert not app.screen.is_modal and "is the one in use" in app.flash_text
            await _cursor_to(app, pilot, "three")
            await pilot.press("ctrl+d")
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            assert [c["name"] for c in _read(path)["contexts"]] == ["uno", "deux", "three"]
            await pilot.press("ctrl+d", "y")
            await until(app, pilot, lambda: ("", "three") not in rows(app), "the row gone")
            assert 'Context "three" deleted from' in app.flash_text
            assert app.title_text() == "contexts(all)[2]" and border_text(app.table).startswith(" contexts(all)[2]")
            got = _read(path)
            assert [c["name"] for c in got["contexts"]] == ["uno", "deux"]
            assert [c["name"] for c in got["clusters"]] == ["c1", "c2"] and [u["name"] for u in got["users"]] == ["u1", "u2"]
    run(main())


def _read_doc_value(doc: dict, key: str):
    return yaml.load(yaml.safe_dump(doc[key]), Loader=yaml.BaseLoader)


def test_readonly_refuses_rename_and_delete(server, tmp_path):
    path = tmp_path / "kc.yaml"
    _kubeconfig(path, server.handle.url)
    before = path.read_bytes()

    async def main():
        app = K9pyApp(LiveBackend(LiveOptions(kubeconfig=str(path), **FAST)), manual=True, readonly=True)
        async with app.run_test(size=SIZE) as pilot:
            await until(app, pilot, lambda: rows(app), "one's pods")
            await command(app, pilot, "ctx")
            assert "Rename" not in header(app)
            await _cursor_to(app, pilot, "two")
            for key in ("r", "ctrl+d"):
                await pilot.press(key)
                await pilot.pause()
                assert not app.screen.is_modal and "refused: k9py is in read-only mode" in app.flash_text
    run(main())
    assert path.read_bytes() == before


def test_simulated_contexts_cannot_be_renamed_or_deleted():
    from k9py.cli import build_parser, resolve_files, several_scenarios
    from k9py.ui.launch import build_app
    args = build_parser().parse_args(["--scenario", "crashloop", "--scenario", "pv-lifecycle"])
    resolve_files(args)
    backend = several_scenarios(args)

    async def main():
        app = build_app(args, backend, manual=True)
        async with app.run_test(size=SIZE) as pilot:
            await command(app, pilot, "ctx")
            await _cursor_to(app, pilot, "pv-lifecycle")
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert not app.screen.is_modal
            assert '"pv-lifecycle" is a simulated context (one per --scenario)' in app.flash_text
            assert "cannot be renamed" in app.flash_text
            await pilot.press("ctrl+d")
            await pilot.pause()
            await pilot.pause()
            assert not app.screen.is_modal and "cannot be deleted" in app.flash_text
            assert sorted(k[1] for k in app.model.rows) == ["crashloop", "pv-lifecycle"]
    asyncio.run(asyncio.wait_for(main(), 90))
