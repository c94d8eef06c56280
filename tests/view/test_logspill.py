"""Log lines beyond memory spilled to disk (nothing lost), and the rows a log view makes of them."""

from k9py.view import logbuffer
from k9py.view.logbuffer import LogBuffer, LogLine
from k9py.view.logrows import LogRows
from k9py.view.logspill import BLOCK, SpillFile

ODD = [("2026-12-03T10:00:00Z", "web-1 nginx", "plain"), ("", "", ""), ("1,2,", "a,b", "3,4,5 commas"),
       ("", "p", "ünïcödé ✓ 日本"), ("", "", "lone \ud800 surrogate"), ("ts", "", "line\nbreak kept")]


def test_spill_file_keeps_every_record_exactly():
    f = SpillFile()
    f.write(ODD * 100)
    assert len(f) == 600
    assert [f.read(i) for i in range(6)] == ODD
    assert f.read(599) == ODD[-1] and f.read(BLOCK + 2) == ODD[(BLOCK + 2) % 6]
    assert list(f.records(594)) == ODD
    f.write([("", "", "after a read")])  # written after reading: appended at the end
    assert f.read(600) == ("", "", "after a read") and list(f.records(600)) == [("", "", "after a read")]
    f.clear()
    assert len(f) == 0 and list(f.records()) == []
    f.write([("", "", "again")])
    assert f.read(0) == ("", "", "again")
    f.close()
    assert len(f) == 0 and f._file is None


def test_spilling_buffer_loses_nothing_and_keeps_memory_bounded():
    buf = LogBuffer(10, spill=True)
    for i in range(5000):
        buf.append(f"{i}: line", ts=f"2026-12-03T10:00:{i % 60:02d}Z", prefix="pod c")
    assert (len(buf), buf.total, buf.dropped, buf.first_seq) == (5000, 5000, 0, 0)
    assert buf.in_memory <= 20 and buf.spilled == 5000 - buf.in_memory
    assert buf.status() == f"5000 lines, {buf.spilled} on disk"
    assert [ln.text for ln in buf] == [f"{i}: line" for i in range(5000)]
    assert buf.line(0) == LogLine(0, "0: line", "2026-12-03T10:00:00Z", "pod c")
    assert buf.line(4999).text == "4999: line"
    assert buf.text().splitlines()[0] == "pod c 0: line" and buf.text().count("\n") == 5000
    # the filter sees the lines on disk too, and follows new ones
    buf.set_filter(r"^pod c \d*7: ")
    vis = buf.visible()
    assert len(vis) == 500 and vis[0].text == "7: line" and vis[-1].text == "4997: line"
    assert [ln.text for ln in buf.visible_since(4000)][:2] == ["4007: line", "4017: line"]
    buf.append("5007: line", prefix="pod c")
    assert len(buf.visible()) == 501 and buf.visible()[-1].seq == 5000
    buf.clear()
    assert (len(buf), buf.spilled, list(buf)) == (0, 0, [])
    buf.append("fresh")
    assert buf.line(0).text == "fresh"
    buf.close()


def test_without_spill_the_capacity_drops_in_batches_but_counts_exactly():
    buf = LogBuffer(3000)
    buf.set_filter("5$")
    for i in range(10_000):
        buf.append(str(i))
        if i % 997 == 0:  # whatever memory still holds, only the last 3,000 are kept
            assert len(buf) == min(i + 1, 3000) and buf.dropped == max(0, i + 1 - 3000)
    assert buf.first_seq == 7000 and [ln.text for ln in buf][:2] == ["7000", "7001"]
    assert len(buf.visible()) == 300 and buf.visible()[0].text == "7005"
    assert [ln.seq for ln in buf.visible_since(0)][:2] == [7005, 7015]
    try:
        buf.line(6999)
    except IndexError:
        pass
    else:
        raise AssertionError("a dropped line is gone")


def _wrap(buf: LogBuffer, width: int):
    def expand(line: LogLine) -> list[tuple[LogLine, str, int]]:
        s = buf.display(line)[0]
        return [(line, s[k:k + width], 0 if k == 0 else -1) for k in range(0, max(len(s), 1), width)]
    return expand


def test_rows_one_per_line_and_wrapped_over_spilled_lines():
    buf = LogBuffer(8, spill=True)
    for i in range(100):
        buf.append(f"{i}:" + "x" * (i % 25))
    flat = LogRows(buf, lambda ln: [(ln, buf.display(ln)[0], 0)], one_per_line=True)
    assert len(flat) == 100 and flat[0][1] == "0:" and flat[-1][1] == "99:" + "x" * 24
    wrapped = LogRows(buf, _wrap(buf, 10), one_per_line=False)
    texts = [r[1] for r in wrapped]
    assert "".join(texts) == "".join(f"{i}:" + "x" * (i % 25) for i in range(100))
    assert texts[:3] == ["0:", "1:x", "2:xx"] and wrapped[-1][2] == -1
    n = len(wrapped)
    buf.append("new line that wraps")
    assert len(wrapped) == n  # indexed once a frame, not per line
    wrapped.update()
    assert [r[1] for r in wrapped[n:]] == ["new line t", "hat wraps"]


def test_wrapped_rows_forget_dropped_lines():
    buf = LogBuffer(5)
    rows = LogRows(buf, _wrap(buf, 4), one_per_line=False)
    for i in range(2000):
        buf.append(f"line {i}")
        if i % 100 == 0:
            rows.update()
    rows.update()
    assert [r[1] for r in rows] == [s for i in range(1995, 2000) for s in ("line", f" {i // 10}", str(i % 10))]


def test_the_spill_file_is_bounded_then_the_oldest_lines_go(monkeypatch):
    monkeypatch.setattr(logbuffer, "MAX_SPILL_LINES", 3000)
    buf = logbuffer.LogBuffer(1000, spill=True)
    buf.set_filter("7$")
    for i in range(10_000):
        buf.append(f"line {i}")
    assert buf.spill_limited and buf.spilled == 0
    assert len(buf) == 1000 and buf.dropped == buf.first_seq == 9000
    assert [ln.text for ln in buf][:2] == ["line 9000", "line 9001"]
    assert buf.line(9000).text == "line 9000"
    assert [ln.text for ln in buf.visible()][:2] == ["line 9007", "line 9017"]  # no match from the dropped lines
    assert buf.status() == "1000 buffered, 9000 dropped"
    buf.clear()  # a new stream spills again
    for i in range(2500):  # memory lets lines go in batches
        buf.append(f"again {i}")
    assert not buf.spill_limited and buf.spilled > 0 and buf.line(0).text == "again 0"
    buf.close()
