"""Go's sort.Sort port: a correct sort, insertion sort (stable) up to 12 items like Go."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from k9py.view.describe_gosort import go_sort


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=6), max_size=200))
def test_sorts_like_any_sort(xs):
    pairs = [(x, i) for i, x in enumerate(xs)]
    out = go_sort(list(pairs), lambda a, b: a[0] < b[0])
    assert [p[0] for p in out] == sorted(xs)
    assert sorted(out) == sorted(pairs)  # a permutation


@given(st.lists(st.integers(min_value=0, max_value=3), max_size=12))
def test_short_inputs_keep_equal_items_in_order(xs):
    pairs = [(x, i) for i, x in enumerate(xs)]
    assert go_sort(list(pairs), lambda a, b: a[0] < b[0]) == sorted(pairs)


def test_longer_inputs_are_not_stable_in_general():
    # Go's pdqsort moves equal keys around once it partitions: ours must too (kubectl's Events
    # table order for same-second events depends on it). Reversed input with ties exposes it.
    pairs = [(x, i) for i, x in enumerate([5, 4, 4, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 0, 0])]
    out = go_sort(list(pairs), lambda a, b: a[0] < b[0])
    assert [p[0] for p in out] == sorted(p[0] for p in pairs)
    assert out != sorted(pairs)
