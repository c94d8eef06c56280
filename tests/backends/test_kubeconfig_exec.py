"""A kubeconfig user whose credential plugin (``exec``: aws, gke-gcloud-auth-plugin, kubelogin)
fails: the client's loader logged it on the root logger (``ERROR:root:exec: process returned 1``
printed on stderr) and went on without credentials, so k9py said only what the server answered,
``Unauthorized``. It is now the context's one-line error, as kubectl's ``getting credentials:``."""

from __future__ import annotations

import logging
import stat

import pytest

from k9py.backends import kubeconfig as kc
from k9py.errors import K9pyError

KUBECONFIG = """apiVersion: v1
kind: Config
current-context: eks
clusters:
- name: c
  cluster: {{server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: {command}
contexts:
- name: eks
  context: {{cluster: c, user: u}}
"""


def _plugin(tmp_path, name: str, script: str):
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def _client(tmp_path, command) -> object:
    config = tmp_path / "config"
    config.write_text(KUBECONFIG.format(command=command))
    return kc.new_api_client([str(config)], None)


@pytest.mark.parametrize(("script", "said"), [
    ("echo 'token expired: run aws sso login' >&2\nexit 3\n",
     "getting credentials: exec: executable {plugin} failed with exit code 3: token expired: run aws sso login"),
    ("echo not json\n", "getting credentials: decoding stdout: couldn't get version/kind; json parse error: "),
    ('echo \'{"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential", "status": {}}\'\n',
     "getting credentials: exec plugin didn't return a token or cert/key pair"),
    ('echo \'{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {}}\'\n',
     "getting credentials: exec plugin is configured to use API version client.authentication.k8s.io/v1beta1, "
     "plugin returned version client.authentication.k8s.io/v1"),
    ('echo \'{"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential"}\'\n',
     "getting credentials: exec plugin didn't return a status field"),
    ('echo \'{"apiVersion": "client.authentication.k8s.io/v1beta1", "status": {}}\'\n',
     "getting credentials: decoding stdout: Object 'Kind' is missing"),
])
def test_a_credential_plugin_that_fails_is_the_contexts_error(tmp_path, caplog, script, said):
    plugin = _plugin(tmp_path, "aws", script)
    with caplog.at_level(logging.DEBUG, logger=""), pytest.raises(K9pyError) as err:
        _client(tmp_path, plugin)
    assert str(err.value).startswith("kubeconfig context (current): " + said.format(plugin=plugin))
    assert "\n" not in str(err.value)
    assert not [r for r in caplog.records if r.name == "root"]  # nothing on the root logger (stderr)


def test_a_failed_plugins_long_stderr_is_cut_to_its_end(tmp_path):
    """A plugin that wrote 1 MB on stderr before failing: its error was one 1 MB line (printed on
    the terminal at start, flashed by `:ctx`); its last thousand characters are kept."""
    plugin = _plugin(tmp_path, "noisy", 'i=0; s=x; while [ $i -lt 20 ]; do s=$s$s; i=$((i+1)); done\n'
                                        'echo "$s" >&2; echo "error: token expired" >&2; exit 1\n')
    with pytest.raises(K9pyError) as err:
        _client(tmp_path, plugin)
    said = str(err.value)
    assert said.startswith(f"kubeconfig context (current): getting credentials: exec: executable {plugin} failed "
                           "with exit code 1: …xxx")
    assert said.endswith("xxx error: token expired") and len(said) < 1200


def test_a_credential_plugin_that_is_not_there_is_named(tmp_path):
    with pytest.raises(K9pyError, match=r"getting credentials: exec: executable /no/such/aws not found$"):
        _client(tmp_path, "/no/such/aws")


def test_a_plugin_not_installed_says_its_install_hint_and_one_not_executable_gos_words(tmp_path):
    """client-go's words: ``exec: executable X not found`` and the kubeconfig's installHint
    (kubectl prints it below; one line here), Go's ``fork/exec X: permission denied``."""
    config = tmp_path / "config"
    config.write_text(KUBECONFIG.format(command="/no/such/gke-gcloud-auth-plugin").replace(
        "      command:", "      installHint: |\n        Install gke-gcloud-auth-plugin with gcloud components install.\n      command:"))
    with pytest.raises(K9pyError) as err:
        kc.new_api_client([str(config)], None)
    assert str(err.value) == ("kubeconfig context (current): getting credentials: exec: executable "
                              "/no/such/gke-gcloud-auth-plugin not found: Install gke-gcloud-auth-plugin with gcloud "
                              "components install.")
    plain = tmp_path / "plain"
    plain.write_text("#!/bin/sh\n")  # (no x bit: not even root may run it)
    with pytest.raises(K9pyError, match=rf"getting credentials: exec: fork/exec {plain}: permission denied$"):
        _client(tmp_path, plain)


def test_a_credential_plugin_that_works_gives_its_token(tmp_path):
    plugin = _plugin(tmp_path, "ok", 'echo \'{"apiVersion": "client.authentication.k8s.io/v1beta1", '
                                     '"kind": "ExecCredential", "status": {"token": "t0k3n"}}\'\n')
    api = _client(tmp_path, plugin)
    assert api.configuration.api_key == {"BearerToken": "Bearer t0k3n"}


class _TextualStdout:
    """What sys.stdout is while the UI is drawn: Textual's capture says it is a terminal, with no
    file descriptor."""

    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return -1

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def test_a_credential_plugin_run_under_the_ui_never_has_the_terminal(tmp_path, monkeypatch):
    """`:ctx` to such a context while the UI is drawn: the client gave the plugin the terminal's
    stdin and stderr (its words written over the UI) and, when it failed, said only
    ``'NoneType' object has no attribute 'strip'``."""
    monkeypatch.setattr("sys.stdout", _TextualStdout())
    plugin = _plugin(tmp_path, "aws", 'read answer; echo "asked: [$answer]; token expired" >&2\nexit 1\n')
    with pytest.raises(K9pyError) as err:
        _client(tmp_path, plugin)
    assert str(err.value) == (f"kubeconfig context (current): getting credentials: exec: executable {plugin} "
                              "failed with exit code 1: asked: []; token expired")
