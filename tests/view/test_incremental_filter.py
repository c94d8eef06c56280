"""Incremental filtering: a growing filter narrows the rows shown, labels are matched through an
index, fuzzy patterns as one regex, idle priming in slices. Each is checked against a model that
filters from scratch, through updates too."""

import random

from k9py.kube.meta import deep_copy
from k9py.view import filter as filters
from k9py.view.filter import fuzzy_match, fuzzy_regex
from k9py.view.kinds import BY_NAME
from k9py.view.rows import RowModel
from tests.samples import add_pods, small_cluster


def _objects(cluster):
    return {(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in cluster.store.list("Pod")}


def _model(src, now, text=""):
    m = RowModel(BY_NAME["pods"], all_namespaces=True)
    m.now = now
    m.load(src)
    m.set_filter(text)
    return m


def _cluster():
    c = small_cluster()
    add_pods(c, 400, namespaces=4)
    return c


def test_a_growing_filter_narrows_and_shows_what_a_fresh_one_does(monkeypatch):
    c = _cluster()
    src = _objects(c)
    m, fresh = _model(src, c.now()), _model(src, c.now())
    for word in ("app-0001", "-f ldp01", "-l app=app-1", "!load-01", "nginx|count", "-l app in (app-1,app-2),!run"):
        for i in range(1, len(word) + 1):
            m.set_filter(word[:i])
            fresh.set_filter("")
            fresh.set_filter(word[:i])  # from every row
            assert m.visible_keys() == fresh.visible_keys(), word[:i]
        m.set_filter("")
    # narrowing only looks at the rows the shorter filter kept
    m.set_filter("app-00")
    tested = []
    m.set_filter("app-001")  # warm: every text computed
    m.set_filter("app-00")
    shown = set(m.visible_keys())
    monkeypatch.setattr(RowModel, "row_text", lambda self, r: tested.append(r.key) or "")
    for r in m.rows.values():
        r._text = None  # any row tested now would call row_text
    m.set_filter("app-001")
    assert tested and set(tested) <= shown


def test_narrowing_is_only_for_filters_that_cannot_widen():
    p = filters.parse
    assert filters.narrows(p("ngi"), p("nginx")) and filters.narrows(p("-f ng"), p("-f ngx"))
    assert not filters.narrows(p("!ngi"), p("!nginx"))  # an inverse filter growing keeps more rows
    assert not filters.narrows(p("ng.x"), p("ng.xy"))  # regex syntax: no substring reasoning
    assert not filters.narrows(p("-l app"), p("-l app=x"))
    assert not filters.narrows(p("ngx"), p("-f ngx")) and not filters.narrows(p(""), p("a"))


def test_fuzzy_regex_is_fuzzy_match():
    rng = random.Random(3)
    for _ in range(300):
        pat = "".join(rng.choice("ab.-*]^\\") for _ in range(rng.randint(0, 4)))
        text = "".join(rng.choice("aAbB.-*x]^\\") for _ in range(rng.randint(0, 8)))
        assert (fuzzy_regex(pat).search(text) is not None) == fuzzy_match(pat, text), (pat, text)


def test_label_index_follows_updates():
    c = _cluster()
    src = _objects(c)
    m = _model(src, c.now(), "-l app=app-3")
    rng = random.Random(5)
    keys = list(src)
    for step in range(150):
        k = rng.choice(keys)
        if k in src and step % 3 == 0:
            del src[k]
            m.apply([], [], [k], src.get)
        elif k not in src:
            src[k] = c.store.get("Pod", *k)
            m.apply([k], [], [], src.get)
        else:
            o = deep_copy(src[k])
            o["metadata"]["labels"] = {"app": rng.choice(["app-3", "app-4"])} if step % 2 else {}
            src[k] = o
            m.apply([], [k], [], src.get)
    for text in ("-l app=app-3", "-l app!=app-3", "-l !app", "-l app"):
        m.set_filter(text)
        assert m.visible_keys() == _model(src, c.now(), text).visible_keys(), text


def test_label_index_forgets_values_no_row_has_any_more():
    c = _cluster()
    src = _objects(c)
    m = _model(src, c.now(), "-l app=app-3")
    keys = list(src)[:50]
    for rollout in range(20):  # every rollout gives the pods a new pod-template-hash
        for k in keys:
            o = deep_copy(src[k])
            o["metadata"]["labels"] = {**o["metadata"]["labels"], "pod-template-hash": f"h{rollout}"}
            src[k] = o
        m.apply([], keys, [], src.get)
    index = m._label_index()
    assert set(index["pod-template-hash"]) == {"h19"}  # not one value per rollout
    assert all(rows for values in index.values() for rows in values.values())
    for k in keys:
        del src[k]
    m.apply([], [], keys, src.get)
    assert "pod-template-hash" not in m._label_index()
    for text in ("-l pod-template-hash", "-l app=app-3", "-l !pod-template-hash"):
        m.set_filter(text)
        assert m.visible_keys() == _model(src, c.now(), text).visible_keys(), text


def test_priming_in_slices_computes_every_filter_text():
    c = _cluster()
    m = _model(_objects(c), c.now())
    assert not m.prime(budget=100)
    assert sum(r._text is not None for r in m.rows.values()) == 100
    while not m.prime(seconds=0.001):
        pass
    assert all(r._text == m.row_text(r) and r._text is not None for r in m.rows.values())
