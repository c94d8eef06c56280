"""The bounded log buffer: capacity, counts, filter, display truncation, JSON, escapes."""


from k9py.view.logbuffer import (
    ELLIPSIS,
    NO_TIME,
    LogBuffer,
    merge_by_time,
    pretty_json,
    split_timestamp,
    strip_escapes,
    timestamp_key,
)


def test_capacity_drops_oldest_and_counts():
    buf = LogBuffer(3)
    for i in range(5):
        buf.append(f"line {i}")
    assert [ln.text for ln in buf] == ["line 2", "line 3", "line 4"]
    assert (len(buf), buf.total, buf.dropped, buf.first_seq) == (3, 5, 2, 2)
    assert buf.status() == "3 buffered, 2 dropped"
    buf.resize(1)
    assert [ln.text for ln in buf] == ["line 4"] and buf.dropped == 4


def test_default_capacity_is_k9s_5000_and_large_buffers_count_drops():
    assert LogBuffer().capacity == 5000
    buf = LogBuffer(200_000)
    buf.set_filter("7$")
    for i in range(300_000):
        buf.append(f"{i}: some log line with a little text in it")
    assert len(buf) == 200_000 and buf.dropped == 100_000
    assert len(buf.visible()) == 0  # "7$" needs the line to end in 7: none do
    buf.set_filter(r"^\d+7:")
    assert len(buf.visible()) == 20_000


def test_filter_regex_case_insensitive_and_follows_appends_and_drops():
    buf = LogBuffer(4)
    for s in ("GET /a 200", "error: boom", "GET /b 500", "Error again"):
        buf.append(s)
    assert buf.set_filter("error") == ""
    assert [ln.text for ln in buf.visible()] == ["error: boom", "Error again"]
    assert buf.spans("an ERROR and an error") == [(3, 8), (16, 21)]
    buf.append("third error")  # pushes out "GET /a 200"
    buf.append("ok")  # pushes out "error: boom": gone from the matches too
    assert [ln.text for ln in buf.visible()] == ["Error again", "third error"]
    assert buf.set_filter("[unclosed").startswith("invalid regex")
    buf.append("a [unclosed bracket")
    assert [ln.text for ln in buf.visible()] == ["a [unclosed bracket"]  # matched literally
    buf.set_filter("")
    assert len(buf.visible()) == len(buf) == 4


def test_filter_sees_the_stern_prefix():
    buf = LogBuffer()
    buf.append("hello", prefix="web-1 nginx")
    buf.append("hello", prefix="db-0 postgres")
    buf.set_filter("^db-0")
    assert [ln.prefix for ln in buf.visible()] == ["db-0 postgres"]


def test_long_lines_truncated_for_display_only():
    buf = LogBuffer(max_display=20)
    line = buf.append("x" * 50, ts="2026-11-01T09:00:00.000000000Z", prefix="p c")
    shown = buf.display(line)
    assert shown == ["p c " + "x" * 15 + ELLIPSIS] and len(shown[0]) == 20
    assert buf.text() == "p c " + "x" * 50 + "\n"  # saves keep everything
    assert buf.text(timestamps=True) == "2026-11-01T09:00:00.000000000Z p c " + "x" * 50 + "\n"
    assert buf.display(line, timestamps=True) == ["2026-11-01T09:00:00" + ELLIPSIS]


def test_json_pretty_print_toggle():
    buf = LogBuffer()
    line = buf.append('{"level":"info","msg":"started","port":8080}')
    assert buf.display(line) == ['{"level":"info","msg":"started","port":8080}']
    assert buf.display(line, json_pretty=True) == ["{", '  "level": "info",', '  "msg": "started",', '  "port": 8080', "}"]
    plain = buf.append("not json {")
    assert buf.display(plain, json_pretty=True) == ["not json {"]
    assert pretty_json("42") is None and pretty_json("[1]") == ["[", "  1", "]"]


def test_terminal_escapes_are_stripped():
    assert strip_escapes("\x1b[31mred\x1b[0m text\x07") == "red text"
    assert strip_escapes("\x1b]0;title\x07after") == "after"
    assert strip_escapes("a\tb\rc\x00") == "a   bc"
    buf = LogBuffer()
    assert buf.append("\x1b[2J\x1b[Hwiped?").text == "wiped?"
    assert buf.append("x", prefix="\x1b[1mpod").prefix == "pod"


def test_split_timestamp():
    assert split_timestamp("2026-11-01T09:00:01.000000000Z 0: hello") == ("2026-11-01T09:00:01.000000000Z", "0: hello")
    assert split_timestamp("0: hello there") == ("", "0: hello there")
    buf = LogBuffer()
    buf.extend(["2026-11-01T09:00:01.000000000Z a", "2026-11-01T09:00:02.000000000Z b"], prefix="p c", timestamped=True)
    assert [(ln.ts[-13:], ln.text) for ln in buf] == [("01.000000000Z", "a"), ("02.000000000Z", "b")]


def test_timestamp_key_orders_rfc3339nano_exactly():
    # Go's RFC3339Nano trims trailing zeros: as text "…05Z" would sort after "…05.1Z"
    a, b, c = "2026-11-01T09:00:05Z", "2026-11-01T09:00:05.1Z", "2026-11-01T09:00:05.000000001Z"
    assert sorted([b, a, c], key=timestamp_key) == [a, c, b]
    assert timestamp_key(c) == (timestamp_key(a)[0], 1)
    assert timestamp_key("2026-11-01T10:00:05+01:00") == timestamp_key(a)
    assert timestamp_key("not a time") == NO_TIME and timestamp_key("") == NO_TIME


def test_merge_by_time_interleaves_streams_and_keeps_each_streams_order():
    t = "2026-11-01T09:00:0{}Z".format
    pod_a = [(t(1), "a1"), ("", "a1 continued"), (t(4), "a4")]
    pod_b = [(t(2), "b2"), (t(4), "b4"), (t(3), "b3 written late")]  # a stream is never reordered
    pod_c = [(t(1), "c1")]
    merged = [text for _, text in merge_by_time([pod_a, pod_b, pod_c], lambda r: r[0])]
    assert merged == ["a1", "a1 continued", "c1", "b2", "a4", "b4", "b3 written late"]
    assert merge_by_time([], lambda r: r) == [] and merge_by_time([[], [(t(1), "x")]], lambda r: r[0]) == [(t(1), "x")]


def test_a_log_filter_that_would_backtrack_for_hours_runs_in_linear_time():
    """A log line of 40 a's under the filter (a+)+$ froze the log view for days, and one line of
    1,000 characters under .*.*.*.*b for hours (Python's re backtracks; k9s's Go regexp does
    not): they filter as k9s filters, at once."""
    buf = LogBuffer(4)
    buf.append("a" * 40 + "!")
    buf.append("aaa")
    buf.append("x" * 1000)
    buf.append("x" * 1000 + "b")
    assert buf.set_filter("(a+)+$") == ""
    assert [ln.text for ln in buf.visible()] == ["aaa"]
    assert buf.set_filter(".*.*.*.*b") == ""
    assert [ln.text[-3:] for ln in buf.visible()] == ["xxb"]
    assert buf.spans("éa b") == [(0, 4)]  # (str offsets: RE2 reads UTF-8)
