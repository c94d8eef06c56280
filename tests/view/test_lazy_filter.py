"""A lazy `/` filter (RowModel.set_filter(lazy=True)): the rows it shows while it goes on are
always the first rows a complete filter shows, in order, through changes to the rows; at the end
it shows exactly what a complete filter does."""

import random

import pytest

from k9py.kube.meta import deep_copy
from k9py.view import filterscan
from k9py.view import rows as rows_mod
from k9py.view.kinds import BY_NAME
from k9py.view.rows import RowModel
from tests.samples import add_pods, small_cluster


@pytest.fixture(scope="module")
def cluster():
    c = small_cluster()
    add_pods(c, 300, namespaces=4)
    return c


@pytest.fixture(autouse=True)
def small_steps(monkeypatch):
    monkeypatch.setattr(rows_mod, "LAZY_FILTER_MIN", 0)
    monkeypatch.setattr(filterscan, "STEP", 7)


def _objects(cluster):
    return {(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in cluster.store.list("Pod")}


def _model(src, now, text="", sort=None, lazy=False):
    m = RowModel(BY_NAME["pods"], all_namespaces=True)
    m.now = now
    m.load(dict(src))
    if sort:
        m.set_sort(*sort)
    m.set_filter(text, lazy=lazy)
    return m


def _complete(m):
    """What a complete filter of ``m``'s rows shows now, in display order."""
    rows = sorted((r for r in m.rows.values() if m._passes(r)), key=lambda r: r.skey, reverse=not m.sort_asc)
    return [r.key for r in rows]


def _churn(rng, cluster, src, keys, m, change):
    """A few pods come, go or change (``change`` edits a copy), told to ``m`` as an informer would."""
    for _ in range(rng.randint(0, 5)):
        k = rng.choice(keys)
        if k in src and rng.random() < 0.3:
            del src[k]
            m.apply([], [], [k], src.get)
        elif k not in src:
            src[k] = cluster.store.get("Pod", *k)
            m.apply([k], [], [], src.get)
        else:
            o = deep_copy(src[k])
            change(o)
            src[k] = o
            m.apply([], [k], [], src.get)


@pytest.mark.parametrize("sort", [None, ("NAME", False), ("AGE", True)])
def test_a_lazy_filter_shows_a_prefix_of_the_complete_one_through_churn(cluster, sort):
    rng = random.Random(7)
    for text in ("app-00", "!load", "nginx|count", "zzz", "-f ldp01", "-l app in (app-3,app-4)", "-l !app"):
        src = _objects(cluster)
        keys = list(src)
        m = _model(src, cluster.now(), text, sort, lazy=True)
        assert m.filtering and len(m) == 0
        while m.filtering:
            m.ensure(len(m) + rng.randint(0, 9))
            _churn(rng, cluster, src, keys, m, lambda o: o.update(  # their sort key too
                metadata={**o["metadata"], "creationTimestamp": f"2026-01-0{rng.randint(1, 9)}T00:00:00Z"},
                status={**o["status"], "phase": rng.choice(["Running", "Pending"])}))
            m.continue_filter(0.0)
            assert m.visible_keys() == _complete(m)[:len(m)], (sort, text)
        assert m.visible_keys() == _model(src, cluster.now(), text, sort).visible_keys(), (sort, text)


def test_ensure_finds_the_rows_asked_for_and_where_a_key_goes(cluster):
    src = _objects(cluster)
    full = _model(src, cluster.now(), "app-0001")
    late, missing = full.key_at(len(full) - 1), ("load-01", "load-app-000001")
    m = _model(src, cluster.now(), "app-0001", lazy=True)
    m.ensure(3)
    assert m.filtering and 3 <= len(m) < len(full) and m.visible_keys() == full.visible_keys()[:len(m)]
    assert not m.placed(late) and m.index_of(late) is None
    m.ensure(0, late)
    assert m.placed(late) and m.index_of(late) == full.index_of(late)
    m.ensure(0, missing)  # a row the filter drops: placed once the scan has passed it
    assert m.placed(missing) and m.index_of(missing) is None
    m.finish_filter()
    assert not m.filtering and m.visible_keys() == full.visible_keys()


def test_a_filter_typed_on_while_one_goes_on_starts_over(cluster):
    src = _objects(cluster)
    m = _model(src, cluster.now(), "app-0", lazy=True)
    m.ensure(5)
    m.set_filter("app-00", lazy=True)  # not narrowed from the few rows the first one showed yet
    m.finish_filter()
    assert m.visible_keys() == _model(src, cluster.now(), "app-00").visible_keys()
    m.set_filter("", lazy=True)  # no text filter: complete at once
    assert not m.filtering and len(m) == len(src)


def test_the_same_filter_again_lets_one_going_on_go_on(cluster):
    """Enter at the prompt applies the text typed once more: the rows a lazy filter has found
    stay shown and it goes on from where it was (it started over: the rows shown went, and a key
    typed right behind the enter found no row under the cursor)."""
    src = _objects(cluster)
    m = _model(src, cluster.now(), "app-0", lazy=True)
    m.ensure(5)
    found, scan = m.visible_keys(), m._scan
    m.set_filter(" app-0 ", lazy=True)
    assert m.filtering and m._scan is scan and m.visible_keys() == found
    m.set_filter("app-0")  # at once: complete now
    assert not m.filtering and m.visible_keys() == _model(src, cluster.now(), "app-0").visible_keys()


def test_few_rows_are_filtered_at_once_and_fuzzy_and_label_filters_lazily(cluster, monkeypatch):
    src = _objects(cluster)
    assert _model(src, cluster.now(), "-f ldp01", lazy=True).filtering  # a regex per name: lazy too
    m = _model(src, cluster.now(), "-l app=app-3", lazy=True)  # a selector per row (no index built)
    assert m.filtering and m._labels is None
    m.finish_filter()
    assert m.visible_keys() == _model(src, cluster.now(), "-l app=app-3").visible_keys()
    monkeypatch.setattr(rows_mod, "LAZY_FILTER_MIN", len(src))
    for text in ("app", "-f ldp01", "-l app=app-3"):
        assert not _model(src, cluster.now(), text, lazy=True).filtering


def test_a_selector_that_does_not_parse_hides_every_row_without_a_pass(cluster):
    m = _model(_objects(cluster), cluster.now())
    tested = []
    m._passes = lambda r: tested.append(r) or False  # type: ignore[method-assign]
    m.set_filter("-l app in (", lazy=True)
    assert m.filter.error and len(m) == 0 and m._scan is None and not tested
    del m._passes
    m.set_filter("-l app=app-3", lazy=True)
    m.finish_filter()
    assert len(m) == len(_complete(m)) > 0


def test_idle_priming_stands_aside_while_a_lazy_filter_goes_on(cluster):
    m = _model(_objects(cluster), cluster.now(), "app-0", lazy=True)
    m.ensure(3)
    texts = sum(r._text is not None for r in m.rows.values())
    assert not m.prime(budget=50) and sum(r._text is not None for r in m.rows.values()) == texts
    m.finish_filter()
    assert m.prime()  # the filter computed every text


def test_a_bang_alone_hides_every_row_without_reading_one(cluster):
    """`!` alone (k9s: the inverse of an empty pattern) keeps no row: no scan is left to run and
    no row's text is computed for it (at 100k rows that took a second)."""
    m = _model(_objects(cluster), cluster.now())
    m.set_filter("!", lazy=True)
    assert len(m) == 0 and m._scan is None
    assert all(r._text is None for r in m.rows.values())
    m.set_filter("!nginx", lazy=True)  # the next key filters as usual
    m.finish_filter()
    assert len(m) == len(_complete(m)) > 0


def test_priming_ends_its_slice_when_a_key_comes(cluster):
    """Idle priming asks ``stop`` every 25 rows: a key waits for no more than that."""
    m = _model(_objects(cluster), cluster.now())
    asked = []
    assert not m.prime(budget=1000, stop=lambda: asked.append(1) or len(asked) == 2)
    assert sum(r._text is not None for r in m.rows.values()) == 50 and len(asked) == 2
    assert m.prime(budget=1000, stop=lambda: False)  # the rest, when no key comes


def _label_sets(index):
    return {k: {v: {r.key for r in rows} for v, rows in values.items()} for k, values in index.items()}


def test_idle_priming_builds_the_label_index_through_changes_and_label_filters_use_it(cluster):
    """After the texts, idle slices index the rows' labels (200 rows a slice); rows that come,
    go or change their labels meanwhile are indexed as they change. Then `-l` is complete at
    once from the index, lazy or not."""
    rng = random.Random(3)
    src = _objects(cluster)
    keys = list(src)
    m = _model(src, cluster.now())
    slices = 0
    while not m.prime(budget=10**6, stop=lambda: True):  # every slice as short as it gets
        slices += 1
        _churn(rng, cluster, src, keys, m, lambda o: o.update(
            metadata={**o["metadata"], "labels": {"app": f"app-{rng.randint(0, 60)}", "moved": "yes"}}))
    assert slices > 10 and m._labels is not None
    fresh = _model(src, cluster.now())
    assert _label_sets(m._labels) == _label_sets(fresh._label_index())
    for text in ("-l app=app-3", "-l moved", "-l app notin (app-1,app-2)"):
        m.set_filter(text, lazy=True)
        assert not m.filtering and m.visible_keys() == _model(src, cluster.now(), text).visible_keys() != []


@pytest.mark.parametrize("sort", [None, ("AGE", True), ("STATUS", False)])
def test_changes_patch_the_sort_order_instead_of_sorting_every_row_again(cluster, sort, monkeypatch):
    """A row that comes, goes or changes its sort key is moved in the cached order (a filter
    key over 100k rows sorted them all again after any change: 30-80 ms), lazy filters walking
    it meanwhile or not."""
    rng = random.Random(11)
    src = _objects(cluster)
    keys = list(src)
    m = _model(src, cluster.now(), sort=sort)
    m.set_filter("app", lazy=True)  # sorts once
    sorts = []
    monkeypatch.setattr(rows_mod, "sorted", lambda *a, **kw: sorts.append(1) or sorted(*a, **kw), raising=False)
    for _ in range(60):
        _churn(rng, cluster, src, keys, m, lambda o: o.update(
            metadata={**o["metadata"], "creationTimestamp": f"2026-01-0{rng.randint(1, 9)}T00:00:00Z"},
            status={**o["status"], "phase": rng.choice(["Running", "Pending", "Failed"])}))
        m.set_filter(rng.choice(["app", "load", "!app-00", ""]), lazy=rng.random() < 0.5)
        m.ensure(rng.randint(0, 20))
        assert [r.key for r in m._sorted_rows()] == [r.key for r in sorted(m.rows.values(), key=lambda r: r.skey)]
    assert sorts == []
    m.finish_filter()
    assert m.visible_keys() == _complete(m)


def test_a_slice_of_a_lazy_filter_ends_when_a_key_comes(cluster):
    m = _model(_objects(cluster), cluster.now(), "app-0", lazy=True)
    assert not m.continue_filter(60.0, stop=lambda: True)
    assert m._scan is not None and m._scan.pos == filterscan.STEP  # one step, not a minute's slice
    assert m.continue_filter(60.0, stop=lambda: False)


def test_labels_that_are_not_a_map_of_strings_neither_fail_nor_match(cluster):
    """A hand-written scenario or recording may hold anything: the label index (built for every
    table in idle time) and `-l` must go on past such an object."""
    src = _objects(cluster)
    bad = list(src)[:3]
    for key, labels in zip(bad, (["app", "x"], {"app": ["a", "b"]}, "app=x"), strict=True):
        src[key] = {**src[key], "metadata": {**src[key]["metadata"], "labels": labels}}
    for how in ("lazy", "index", "at once"):
        m = _model(src, cluster.now())
        if how == "index":
            assert m.prime(budget=10**6)  # the index, built
        m.set_filter("-l app", lazy=how != "at once")
        m.finish_filter()
        assert not set(bad) & set(m.visible_keys()) and len(m) == len(src) - 3 - sum(
            "app" not in (o["metadata"].get("labels") or {}) for k, o in src.items() if k not in bad)
