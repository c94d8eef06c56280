"""Every test runs with its own empty config directory: nothing reads or writes the real home's
k9py files (config.yaml, skins, per-context memory), in this process or in a `k9py` it starts."""

import pytest


@pytest.fixture(autouse=True)
def _own_config_dir(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("K9PY_CONFIG_DIR", str(tmp_path_factory.mktemp("k9py-config")))
