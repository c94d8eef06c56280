"""Transfer (`t`) in the simulator: a container the runtime cannot run tar in says why."""

from __future__ import annotations

import pytest

from k9py.explorer import transfer as tx
from tests.sim.helpers import pod_manifest
from tests.sim.userland.helpers import cluster_with


def test_a_download_from_a_distroless_container_says_the_runtimes_words(tmp_path):
    """No tar in coredns's image: the runtime's error (on the exec's stdout, exit 126), not `exit 126`."""
    c = cluster_with(pod_manifest("dns", "registry.k8s.io/coredns/coredns:v1.11.1"))
    p = tx.plan("default/dns:/etc/hosts", str(tmp_path / "hosts"), download=True, container="dns", namespace="default")
    with pytest.raises(tx.TransferError) as err:
        tx.download_sim(c, p)
    assert str(err.value) == ('OCI runtime exec failed: exec failed: unable to start container process: '
                              'exec: "tar": executable file not found in $PATH: unknown')
