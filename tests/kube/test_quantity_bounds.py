"""Quantities from a cluster or a file are bounded as apimachinery's ParseQuantity bounds them: a
value past int64 is capped at 2**63 - 1 ("The max is just a simple cap"), and Infinity or NaN is no
quantity. A node whose allocatable cpu said Infinity closed the app at :pulses (OverflowError), and
a request of 1e9999999 froze whoever read it (int() built a ten-million-digit number)."""

from __future__ import annotations

import pytest

from k9py.kube import quantity
from k9py.view import pulses

MAX = 2**63 - 1


@pytest.mark.parametrize("text", ["Infinity", "inf", "-inf", "NaN", "nan", "sNaN", "1_000", float("nan"), float("inf")])
def test_infinity_and_nan_are_no_quantities(text):
    with pytest.raises(ValueError):
        quantity.parse(text)


@pytest.mark.parametrize(("text", "value"), [
    ("1e9999999", MAX), ("1e999999999999999999", MAX), ("-1e9999999", -MAX), ("1e9999999Ki", MAX),
    ("1e9999999m", MAX), ("12Ei", MAX), ("9223372036854775808", MAX), (1e308, MAX),
    ("9223372036854775807", MAX), ("100Mi", 100 * 2**20), ("250m", 0.25), ("1e3", 1000),
])
def test_a_quantity_past_int64_is_capped_at_once(text, value):
    assert quantity.parse(text) == value
    assert quantity.bytes_of(text) == int(value)


def test_pulses_chart_top_skips_a_node_whose_allocatable_is_infinity():
    nodes = [{"status": {"allocatable": {"cpu": "Infinity", "memory": "1Gi"}}},
             {"status": {"allocatable": {"cpu": "2", "memory": "1e9999999"}}}]
    assert pulses.allocatable(nodes) == (2000, MAX)
