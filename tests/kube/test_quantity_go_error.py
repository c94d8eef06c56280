"""``quantity.go_error``: apimachinery's ParseQuantity refusals, as Quantity.UnmarshalJSON gives
them to the apiserver's decoder."""

from __future__ import annotations

import pytest

from k9py.kube.quantity import ERR_FORMAT, ERR_SUFFIX, go_error


@pytest.mark.parametrize("value", ["100Mi", "0.5", "500m", "1e3", "1E-3", 0.5, 2, None, "0", "1Ki", "1k", "12E", "Mi",
                                   ".", "+1", "-1", " 1Gi "])
def test_what_go_takes(value):
    assert go_error(value) is None


@pytest.mark.parametrize("value", ["128MB", "128mb", "0.5cores", "1GB", "512 Mi", "2gi", "1.5.5", "", True, {"a": 1}, [1]])
def test_what_matches_no_quantity(value):
    assert go_error(value) == ERR_FORMAT


@pytest.mark.parametrize("value", ["192i", "1K", "1e", "1e+", "1m5", "1Kii"])
def test_a_suffix_no_table_has(value):
    assert go_error(value) == ERR_SUFFIX
