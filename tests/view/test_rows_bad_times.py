"""Timestamps that are not timestamps (a hand-written recording, a server that sends anything):
the row models show and sort such objects as undated instead of failing, and the events view's
own load keys its rows as a sort would."""

import pytest

from k9py.kube.timefmt import parse_time, time_or_none
from k9py.view.kinds import BY_NAME
from k9py.view.rows import RowModel, event_first_seen, event_last_seen

NOT_TIMES = [12345, 1.5, True, ["2026-11-01T09:00:00Z"], {"t": 1}, "garbage"]


def event(name: str, **fields) -> dict:
    return {"apiVersion": "v1", "kind": "Event", "type": "Normal", "reason": "Pulled", "message": name,
            "metadata": {"name": name, "namespace": "default", "creationTimestamp": "2026-11-01T09:00:00Z"},
            "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"}, **fields}


def keyed(objs: list[dict]) -> dict:
    return {(o["metadata"]["namespace"], o["metadata"]["name"]): o for o in objs}


def test_parse_time_refuses_what_is_not_a_string_as_it_refuses_a_wrong_string():
    for value in NOT_TIMES:
        with pytest.raises(ValueError):
            parse_time(value)  # type: ignore[arg-type]
        assert time_or_none(value) is None
    assert parse_time("2026-11-01T09:00:00Z") == time_or_none("2026-11-01T09:00:00Z") == 1793523600.0
    assert parse_time("") is None and parse_time(None) is None


@pytest.mark.parametrize("value", NOT_TIMES, ids=repr)
def test_an_event_whose_times_are_wrong_is_listed_undated_and_sorted_last(value):
    good = event("good", lastTimestamp="2026-11-01T09:05:00Z", firstTimestamp="2026-11-01T09:01:00Z")
    bad = event("bad", lastTimestamp=value, firstTimestamp=value, eventTime=value, series=value)
    bad["metadata"]["creationTimestamp"] = value
    m = RowModel(BY_NAME["events"], all_namespaces=True)
    m.load(keyed([bad, good]))
    assert [m.row_at(i).key[1] for i in range(len(m))] == ["good", "bad"]  # newest first, undated last
    assert event_last_seen(bad) == event_first_seen(bad) == 0.0
    assert all(isinstance(cell, str) for cell in m.cells(m.row_at(1)))
    for col in ("FIRST SEEN", "LAST SEEN", "NAME"):
        m.set_sort(col)
        assert len(m) == 2


def test_an_event_falls_back_from_stamp_to_stamp_as_kubectl_reads_them():
    series = event("s", series={"lastObservedTime": "2026-11-01T09:09:00Z"}, lastTimestamp="2026-11-01T09:05:00Z")
    last = event("l", series="not a series", lastTimestamp="2026-11-01T09:05:00Z")
    first = event("f", lastTimestamp=7, firstTimestamp="2026-11-01T09:01:00Z")
    made = event("m", eventTime=[])
    assert event_last_seen(series) == parse_time("2026-11-01T09:09:00Z")
    assert event_last_seen(last) == parse_time("2026-11-01T09:05:00Z")
    assert event_last_seen(first) == event_first_seen(first) == parse_time("2026-11-01T09:01:00Z")
    assert event_last_seen(made) == event_first_seen(made) == parse_time("2026-11-01T09:00:00Z")


def test_a_pod_made_at_no_time_sorts_by_age_as_the_oldest():
    pods = [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": n, "namespace": "default", "creationTimestamp": t},
             "spec": {"containers": [{"name": "c", "image": "x"}]}, "status": {"phase": "Running"}}
            for n, t in [("new", "2026-11-01T09:05:00Z"), ("odd", 12345), ("old", "2026-11-01T09:00:00Z")]]
    m = RowModel(BY_NAME["pods"])
    m.load(keyed(pods))
    m.set_sort("AGE")
    assert [m.row_at(i).key[1] for i in range(len(m))] == ["new", "old", "odd"]


def test_the_events_views_load_keys_every_row_as_its_sort_would():
    evs = [event(f"e{i}", lastTimestamp=f"2026-11-01T09:{i % 7:02d}:00Z", firstTimestamp="2026-11-01T09:00:00Z")
           for i in range(40)]
    evs[3]["series"] = {"lastObservedTime": "2026-11-01T10:00:00Z"}
    for col in ("LAST SEEN", "FIRST SEEN"):
        m = RowModel(BY_NAME["events"], all_namespaces=True)
        m.sort_col = col
        m.load(keyed(evs))
        rows = [m.row_at(i) for i in range(len(m))]
        assert len(rows) == 40 and all(r.skey == m._skey_for(r) for r in rows)
        assert [r.skey for r in rows] == sorted(r.skey for r in rows)


def test_a_describe_that_falls_back_to_the_generic_one_keeps_the_objects_events():
    from k9py.view.describe import describe
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default", "uid": "u"},
           "spec": {"containers": "not a list"}, "status": {"phase": "Running"}}
    backoff = event("backoff", type="Warning", reason="BackOff", firstTimestamp="2026-11-01T09:00:00Z",
                    involvedObject={"kind": "Pod", "name": "p", "namespace": "default", "uid": "u"})
    odd = event("odd", series="not a series", count="many", involvedObject={"kind": "Pod", "name": "p",
                                                                           "namespace": "default", "uid": "u"})
    text = describe(pod, events=[backoff, odd], now=parse_time("2026-11-01T09:01:00Z"))
    lines = text.splitlines()
    assert lines[0].split() == ["Name:", "p"] and any(ln.startswith("Spec:") for ln in lines)  # generic
    rows = lines[lines.index("Events:") + 3:]
    assert any("BackOff" in ln and "60s" in ln for ln in rows)  # the pod's event, kept
    assert any("Pulled" in ln and "<invalid>" in ln for ln in rows)  # the one that does not read: said
