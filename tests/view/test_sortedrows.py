"""SortedRows behaves as a sorted list of rows: checked against one, change after change, with
blocks small enough that splits and joins happen often."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from k9py.view import sortedrows
from k9py.view.sortedrows import SortedRows


@dataclass(eq=False)
class _Row:
    key: tuple[str, str]
    skey: tuple


def _row(n: int) -> _Row:
    return _Row(("ns", f"r{n:06d}"), (-n, "ns", f"r{n:06d}"))  # newest first, as the events view sorts


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sortedrows, "LOAD", 8)


def _same(rows: SortedRows[_Row], expected: list[_Row]) -> None:
    assert len(rows) == len(expected)
    assert list(rows) == expected
    assert list(reversed(rows)) == expected[::-1]
    assert [rows[i] for i in range(len(expected))] == expected
    if expected:
        assert rows[-1] is expected[-1]
    for lo, hi in ((0, len(expected)), (3, 40), (17, 18), (len(expected) - 5, len(expected) + 9)):
        assert rows[lo:hi] == expected[lo:hi]
    for i, r in enumerate(expected):
        assert rows.position(r) == i


def test_inserts_and_removes_in_any_order_keep_the_sort_and_the_positions() -> None:
    rng = random.Random(7)
    rows: SortedRows[_Row] = SortedRows()
    expected: list[_Row] = []
    live: dict[int, _Row] = {}
    for step in range(3000):
        if live and rng.random() < 0.45:
            n = rng.choice(sorted(live))
            r = live.pop(n)
            assert rows.remove(r)
            expected.remove(r)
            assert not rows.remove(r)  # gone: not found again
            assert rows.position(r) is None
        else:
            # mostly new rows at the top (a newer event), some anywhere
            n = step * 10 if rng.random() < 0.7 else rng.randrange(step * 10 + 1)
            if n in live:
                continue
            r = live[n] = _row(n)
            rows.insert(r)
            expected.append(r)
            expected.sort(key=lambda x: x.skey)
        if step % 97 == 0:
            _same(rows, expected)
    _same(rows, expected)
    while live:  # emptied to the last row, joining the small blocks left behind
        r = live.pop(rng.choice(sorted(live)))
        assert rows.remove(r)
        expected.remove(r)
    _same(rows, [])
    assert not rows


def test_a_row_not_held_is_not_found_even_where_its_key_would_sort() -> None:
    held = [_row(n) for n in (30, 20, 10)]
    rows = SortedRows(sorted(held, key=lambda r: r.skey))
    stranger = _Row(("ns", "other"), _row(20).skey)  # the same sort key, another row
    assert rows.position(stranger) is None
    assert not rows.remove(stranger)
    assert rows.position(_row(5)) is None  # sorts past every row
    assert list(rows) == sorted(held, key=lambda r: r.skey)


def test_extend_and_prepend_add_runs_at_either_end_as_a_lazy_filter_does() -> None:
    all_rows = sorted((_row(n) for n in range(200)), key=lambda r: r.skey)
    rows: SortedRows[_Row] = SortedRows(all_rows[90:110])
    for i in range(110, 200, 7):
        rows.extend(all_rows[i:min(i + 7, 200)])
    for i in range(90, 0, -5):
        rows.prepend(all_rows[max(0, i - 5):i])
    _same(rows, all_rows)
    copy = rows.copy()
    rows.remove(all_rows[0])
    assert list(copy) == all_rows  # a copy does not move with the original


def test_an_index_out_of_range_raises_as_a_list_does() -> None:
    rows = SortedRows([_row(1)])
    with pytest.raises(IndexError):
        rows[1]
    with pytest.raises(IndexError):
        rows[-2]
    assert rows[::-1] == [rows[0]]
