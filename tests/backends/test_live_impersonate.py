"""A kubeconfig user's ``as`` / ``as-groups`` (kubectl's --as written into the file): the live
backend makes its requests as that user, as kubectl and k9s (client-go) do, and the cluster's RBAC
answers for it."""

from __future__ import annotations

import pytest
import yaml

from k9py.backends.live import LiveApiError
from k9py.kube.kubeconfig import write_kubeconfig
from tests.backends.conftest import keys, run
from tests.backends.test_live import backend


def _as(path: str, user: dict) -> None:
    with open(path) as fh:
        doc = yaml.safe_load(fh)
    doc["users"][0]["user"].update(user)
    with open(path, "w") as fh:
        yaml.safe_dump(doc, fh)


def _grant(server, group: str | None = None) -> None:
    """jane (or ``group``) may read pods and configmaps in default, nothing else."""
    subject = {"kind": "Group", "name": group} if group else {"kind": "User", "name": "jane"}

    def change(c):
        c.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                 "metadata": {"name": "reader", "namespace": "default"},
                 "rules": [{"apiGroups": [""], "resources": ["pods", "configmaps"], "verbs": ["get", "list", "watch"]}]})
        c.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                 "metadata": {"name": "reader", "namespace": "default"},
                 "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
                 "subjects": [{"apiGroup": "rbac.authorization.k8s.io", **subject}]})
    server.change(change)


def test_a_kubeconfig_users_as_is_who_the_requests_are_made_as(server, tmp_path):
    path = str(tmp_path / "kc")
    write_kubeconfig(path, server.handle.url)
    _as(path, {"as": "jane"})
    _grant(server)

    async def main():
        b = backend(path)
        assert ("default", "alpha") in keys(await b.list("ConfigMap", "default"))
        with pytest.raises(LiveApiError) as err:  # the admin's credentials, but jane's rights
            await b.list("ConfigMap", "kube-system")
        assert err.value.code == 403 and 'User "jane" cannot list resource "configmaps"' in str(err.value)
        with pytest.raises(LiveApiError) as err:
            await b.list("Node")
        assert err.value.code == 403
        await b.close()
    run(main())


def test_as_groups_are_each_sent(server, tmp_path):
    path = str(tmp_path / "kc")
    write_kubeconfig(path, server.handle.url)
    _as(path, {"as": "bob", "as-groups": ["devs", "readers"]})
    _grant(server, group="readers")  # the second group: both reach the server

    async def main():
        b = backend(path)
        assert ("default", "alpha") in keys(await b.list("ConfigMap", "default"))
        with pytest.raises(LiveApiError) as err:
            await b.list("ConfigMap", "kube-system")
        assert 'User "bob"' in str(err.value)
        await b.close()
    run(main())
