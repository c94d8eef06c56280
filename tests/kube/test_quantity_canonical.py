"""resource.Quantity.String(): how the apiserver writes a quantity back."""

from __future__ import annotations

import pytest

from k9py.kube.quantity import canonical


@pytest.mark.parametrize(("q", "out"), [("1Gi", "1Gi"), ("1024Mi", "1Gi"), ("1.5Gi", "1536Mi"), ("0.5Ki", "512"),
                                        ("1073741824", "1073741824"), ("0.5", "500m"), ("1000", "1k"), ("2000k", "2M"),
                                        ("1500000n", "1500u"), ("1e3", "1e3"), ("10e2", "1e3"), ("Mi", "0"), (2, "2"),
                                        (0.25, "250m")])
def test_canonical(q: object, out: str) -> None:
    assert canonical(q) == out
