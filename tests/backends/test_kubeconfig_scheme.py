"""A kubeconfig's server without a scheme (``server: 127.0.0.1:PORT``) is reached as client-go
reaches it (http://, https:// with TLS configured), request after request, whatever the user."""

from __future__ import annotations

import warnings

import pytest
from kubernetes import client

from k9py.backends import kubeconfig as kc

_KC = """\
apiVersion: v1
kind: Config
current-context: c
clusters: [{{name: cl, cluster: {{server: '127.0.0.1:{port}'}}}}]
contexts: [{{name: c, context: {{cluster: cl, user: u}}}}]
users: [{{name: u, user: {user}}}]
"""


@pytest.mark.parametrize("user", ["{}", "{token: abc}"], ids=["no-credentials", "token"])
def test_a_server_without_a_scheme_keeps_it_for_every_request(server, tmp_path, user):
    """With a token user the client's loader set the kubeconfig's bare server again before each
    request (its refresh hook): the first request went to http://127.0.0.1:PORT, the next ones to
    127.0.0.1:PORT, with urllib3's FutureWarning written over the UI."""
    path = tmp_path / "kubeconfig"
    path.write_text(_KC.format(port=server.port, user=user))
    api = kc.new_api_client([str(path)], None)
    core = client.CoreV1Api(api)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            assert core.list_namespace().items
            assert api.configuration.host == f"http://127.0.0.1:{server.port}"
    api.close()
