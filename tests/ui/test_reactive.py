"""k9s's ui.reactive: the user's files read again when one is saved — an alias, views.yaml's
columns (the view shown takes them at once) and a skin come in without a restart; a file saved
wrong is said in the flash and what the app had stays."""

from __future__ import annotations

from k9py.config.user import load_user
from k9py.ui import reactive
from tests.ui.conftest import sync
from tests.ui.simcluster import flash


def header(app) -> list[str]:
    return [c.name for c in app.model.columns]


def test_saved_files_come_in_without_a_restart_and_a_wrong_one_changes_nothing(drive, tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    (tmp_path / "config.yaml").write_text("k9py:\n  ui:\n    reactive: true\n")
    user = load_user()
    user.persist = False  # (no context memory written by the test)

    async def s(app, pilot, cluster):
        assert app.user.settings.ui.reactive and "STATUS" in header(app)
        (tmp_path / "aliases.yaml").write_text("aliases:\n  pp: v1/pods\n  dd: apps/v1/deployments\n")
        (tmp_path / "views.yaml").write_text("views:\n  v1/pods:\n    columns: [NAME, AGE]\n")
        (tmp_path / "config.yaml").write_text("k9py:\n  ui:\n    reactive: true\n    skin: dracula\n")
        assert reactive.reload(app, ["aliases.yaml"])
        await sync(app, pilot)
        assert header(app) == ["NAME", "AGE"]  # the pods shown: views.yaml's columns at once
        assert app.skin.name == "dracula"
        await pilot.press("colon", *"dd", "enter")
        await sync(app, pilot)
        assert app.current.scope.view.name == "deployments"
        (tmp_path / "aliases.yaml").write_text("aliases: [pp]\n")
        assert not reactive.reload(app, ["aliases.yaml"])
        assert "aliases.yaml:1" in flash(app) and "kept as it was" in flash(app)
        assert app.user.aliases["dd"] == "apps/v1/deployments"
        # hotkeys.yaml saved while aliases.yaml is still wrong: the flash names the file saved
        # too (it repeated aliases.yaml's error as if it were about the file just saved)
        (tmp_path / "hotkeys.yaml").write_text("hotKeys: {}\n")
        assert not reactive.reload(app, ["hotkeys.yaml"])
        assert flash(app).startswith("hotkeys.yaml not read: ") and "aliases.yaml:1" in flash(app)
    drive(s, user=user)


def test_the_files_are_watched_only_when_reactive_says(drive, tmp_path, monkeypatch):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))

    async def s(app, pilot, cluster):
        assert not [w for w in app.workers if w.group == "config-watch"]
    drive(s, user=load_user())


def test_what_k9py_writes_itself_is_no_reason_to_reload(tmp_path, monkeypatch):
    """With K9PY_CONFIG_DIR everything shares one folder: a context's own config.yaml (its
    memory, saved at every `:ctx` and at quit) is not config.yaml; a plugins folder's file is."""
    from k9py.config import locations
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path))
    context_memory = locations.context_dir("prod", "c1") / "config.yaml"
    plugin = locations.plugins_dir() / "mine.yaml"
    assert reactive.relevant([context_memory, tmp_path / "history" / "x.yaml"]) == []
    assert reactive.relevant([tmp_path / "config.yaml", plugin, tmp_path / "views.yaml.swp"]) == [
        "config.yaml", "mine.yaml"]
