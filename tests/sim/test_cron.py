"""Cron schedules: fields, ranges, lists, steps, names, descriptors, errors, next times."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from k9py.sim import cron


def ts(s: str) -> float:
    return datetime.fromisoformat(s).replace(tzinfo=UTC).timestamp()


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize("expr,after,expected", [
    ("*/1 * * * *", "2026-11-01 09:00:00", "2026-11-01 09:01"),
    ("*/1 * * * *", "2026-11-01 09:00:59", "2026-11-01 09:01"),
    ("*/5 * * * *", "2026-11-01 09:01:00", "2026-11-01 09:05"),
    ("0 * * * *", "2026-11-01 09:00:00", "2026-11-01 10:00"),
    ("@hourly", "2026-11-01 09:30:00", "2026-11-01 10:00"),
    ("@daily", "2026-11-01 09:30:00", "2026-11-02 00:00"),
    ("@weekly", "2026-11-01 09:30:00", "2026-11-08 00:00"),  # 2026-11-01 is a Sunday
    ("@monthly", "2026-11-01 09:30:00", "2026-12-01 00:00"),
    ("@yearly", "2026-11-01 09:30:00", "2027-01-01 00:00"),
    ("30 2 * * 1-5", "2026-11-01 09:00:00", "2026-11-02 02:30"),
    ("0 9 * * MON,fri", "2026-11-02 09:00:00", "2026-11-06 09:00"),
    ("15,45 */6 * * *", "2026-11-01 06:20:00", "2026-11-01 06:45"),
    ("0 0 29 2 *", "2026-11-01 00:00:00", "2028-02-29 00:00"),
    ("0 0 1 jan-mar *", "2026-11-01 00:00:00", "2027-01-01 00:00"),
    ("0 12 13 * 5", "2026-11-01 00:00:00", "2026-11-06 12:00"),  # day-of-month OR day-of-week
    ("0 0 */10 * *", "2026-11-01 00:00:00", "2026-11-11 00:00"),
    ("5/20 * * * *", "2026-11-01 09:06:00", "2026-11-01 09:25"),
    ("0 0 * * 7", "2026-11-02 00:00:00", "2026-11-08 00:00"),  # 7 is Sunday too
])
def test_next_time(expr, after, expected):
    assert iso(cron.next_time(expr, ts(after))) == expected


def test_times_between_is_every_minute_for_star():
    s = cron.parse("* * * * *")
    times = list(s.times_between(ts("2026-11-01 09:00:00"), ts("2026-11-01 09:05:00")))
    assert [iso(t) for t in times] == [f"2026-11-01 09:0{i}" for i in range(1, 6)]


def test_time_zone():
    # 09:00 in New York is 14:00 UTC in November (EST)
    assert iso(cron.next_time("0 9 * * *", ts("2026-11-10 00:00:00"), "America/New_York")) == "2026-11-10 14:00"


@pytest.mark.parametrize("expr,message", [
    ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
    ("61 * * * *", "end of range (61) above maximum (59): 61"),
    ("* 5-2 * * *", "beginning of range (5) beyond end of range (2): 5-2"),
    ("@every", "unrecognized descriptor: @every"),
    ("@every 5x", 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'),
    ("@every 5", 'failed to parse duration @every 5: time: missing unit in duration "5"'),
    ("@every soon", 'failed to parse duration @every soon: time: invalid duration "soon"'),
    # past an int64 of nanoseconds (about 2562047h), as Go's ParseDuration refuses it
    ("@every 99999999999h", 'failed to parse duration @every 99999999999h: time: invalid duration "99999999999h"'),
    ("@every 2562048h", 'failed to parse duration @every 2562048h: time: invalid duration "2562048h"'),
    ("@every 99999999999999999999s", 'failed to parse duration @every 99999999999999999999s: '
                                     'time: invalid duration "99999999999999999999s"'),
    ("TZ=UTC * * * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
    ("*/0 * * * *", "step of range should be a positive number: */0"),
    ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
])
def test_errors(expr, message):
    with pytest.raises(cron.CronError) as e:
        cron.parse(expr)
    assert str(e.value) == message


@pytest.mark.parametrize("expr,after,expected", [
    # robfig's ConstantDelaySchedule, which Kubernetes' ParseStandard takes: the delay after the
    # second it is asked from (sub-second delays are a second)
    ("@every 5m", "2026-11-01 09:00:30", "2026-11-01 09:05:30"),
    ("@every 1h30m", "2026-11-01 09:00:00", "2026-11-01 10:30:00"),
    ("@every 1.5m", "2026-11-01 09:00:00", "2026-11-01 09:01:30"),
    ("@every 300ms", "2026-11-01 09:00:00", "2026-11-01 09:00:01"),
])
def test_every(expr, after, expected):
    got = cron.parse(expr).next(ts(after) + 0.25)
    assert datetime.fromtimestamp(got, tz=UTC).strftime("%Y-%m-%d %H:%M:%S") == expected


def test_the_longest_duration_go_takes():
    assert cron.go_duration("2562047h") == 2562047 * 3600
    assert cron.go_duration("9223372036854775807ns") == 9223372036854775807 / 1e9
    assert cron.go_duration("-9223372036854775808ns") == -9223372036854775808 / 1e9
