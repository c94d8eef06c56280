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


def test_metrics_are_authorized_and_a_namespace_reader_still_gets_its_pods_usage(server, tmp_path):
    """serve's metrics.k8s.io answered anyone (kubectl top nodes --as jane printed the nodes); it is
    RBAC's, as the apiserver's. And the pods' CPU/MEM columns no longer vanish because the
    nodes' metrics, polled first, are refused."""
    from k9py.store.metrics import MetricsCache
    path = str(tmp_path / "kc")
    write_kubeconfig(path, server.handle.url)
    _as(path, {"as": "jane"})

    def change(c):
        c.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                 "metadata": {"name": "reader", "namespace": "default"},
                 "rules": [{"apiGroups": ["", "metrics.k8s.io"], "resources": ["pods"], "verbs": ["get", "list"]}]})
        c.apply({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                 "metadata": {"name": "reader", "namespace": "default"},
                 "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
                 "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "jane"}]})
    server.change(change)

    async def main():
        b = backend(path)
        with pytest.raises(LiveApiError) as err:
            await b.metrics("Node")
        assert err.value.code == 403 and str(err.value) == (
            'nodes.metrics.k8s.io is forbidden: User "jane" cannot list resource "nodes" in API group '
            '"metrics.k8s.io" at the cluster scope')
        with pytest.raises(LiveApiError) as err:
            await b.metrics("Pod", "kube-system")
        assert 'in the namespace "kube-system"' in str(err.value)
        pods = await b.metrics("Pod", "default")
        assert pods
        cache = MetricsCache(b)
        assert await cache.refresh("default")
        assert cache.available and cache.pods and not cache.nodes and not cache.history
        await b.close()
    run(main())


def test_record_as_a_user_records_what_that_user_may_list_and_says_what_was_refused(server, tmp_path, capsys):
    """`k9py record --as jane` took no --as (nor --token, --cluster ...): it recorded as the
    kubeconfig's user. Now it records as jane, and says which kinds the server refused her
    instead of writing a recording silently without them."""
    from k9py.cli import main
    from k9py.scenario.files import read_text
    from k9py.scenario.recording import parse_recording
    path = str(tmp_path / "kc")
    write_kubeconfig(path, server.handle.url)
    _grant(server)
    out = str(tmp_path / "jane.jsonl")
    assert main(["record", "--kubeconfig", path, "--as", "jane", "-n", "default", "--duration", "1", "-o", out]) == 0
    kinds = {e.object["kind"] for e in parse_recording(out, read_text(out)).events if e.object}
    assert kinds == {"ConfigMap", "Pod"}  # what jane's Role lets her list, nothing else
    err = capsys.readouterr().err
    assert "k9py record: not recorded, the server refused to list them: " in err
    assert 'User "jane" cannot list resource' in err
