"""Standard 5-field cron schedules (what CronJob accepts, as robfig/cron's standard parser does):
``*/5 * * * *``, ranges, lists, steps, month/day names, ``@hourly`` & co., and the next time
after an instant in a time zone."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from k9py.kube import goduration

_DESCRIPTORS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}
_MONTHS = {m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_DAYS = {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
# (name, min, max, names)
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day of month", 1, 31, {}),
           ("month", 1, 12, _MONTHS), ("day of week", 0, 6, _DAYS))


class CronError(ValueError):
    pass


@dataclass(frozen=True)
class Schedule:
    minutes: frozenset[int]
    hours: frozenset[int]
    dom: frozenset[int]
    months: frozenset[int]
    dow: frozenset[int]
    dom_star: bool
    dow_star: bool
    tz: tzinfo = UTC

    def _day_matches(self, d: datetime) -> bool:
        dom_ok = d.day in self.dom
        dow_ok = (d.isoweekday() % 7) in self.dow
        if self.dom_star or self.dow_star:
            return dom_ok and dow_ok
        return dom_ok or dow_ok

    def next(self, after: float) -> float:
        """The first scheduled instant strictly after ``after`` (epoch seconds)."""
        t = datetime.fromtimestamp(int(after) // 60 * 60, tz=self.tz) + timedelta(minutes=1)
        limit = t.year + 5
        while t.year <= limit:
            if t.month not in self.months:
                t = (t.replace(day=1, hour=0, minute=0) + timedelta(days=32)).replace(day=1)
                continue
            if not self._day_matches(t):
                t = (t + timedelta(days=1)).replace(hour=0, minute=0)
                continue
            if t.hour not in self.hours:
                t = (t + timedelta(hours=1)).replace(minute=0)
                continue
            if t.minute not in self.minutes:
                t = t + timedelta(minutes=1)
                continue
            return t.timestamp()
        raise CronError("no time matches the schedule")

    def times_between(self, start: float, end: float) -> Iterator[float]:
        """Scheduled instants in (start, end]."""
        t = self.next(start)
        while t <= end:
            yield t
            t = self.next(t)


def _parse_value(text: str, names: dict[str, int], field: str) -> int:
    low = text.lower()
    if low in names:
        return names[low]
    try:
        return int(text)
    except ValueError:
        raise CronError(f"failed to parse int from {text}: strconv.Atoi: parsing \"{text}\": invalid syntax") from None


def _parse_field(text: str, index: int) -> tuple[frozenset[int], bool]:
    field, lo, hi, names = _FIELDS[index]
    out: set[int] = set()
    star = False
    for part in text.split(","):
        step = 1
        had_step = "/" in part
        if had_step:
            part, step_s = part.split("/", 1)
            step = _parse_value(step_s, {}, field)
            if step <= 0:
                raise CronError(f"step of range should be a positive number: {text}")
        if part in ("*", "?"):
            start, end = lo, hi
            star = star or step == 1
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _parse_value(a, names, field), _parse_value(b, names, field)
        else:
            start = end = _parse_value(part, names, field)
            if had_step:
                end = hi
        if index == 4 and end == 7:  # Sunday as 7
            end = 6 if start != 7 else 0
            if start == 7:
                start = 0
            else:
                out.add(0)
        if start < lo:
            raise CronError(f"beginning of range ({start}) below minimum ({lo}): {text}")
        if end > hi:
            raise CronError(f"end of range ({end}) above maximum ({hi}): {text}")
        if start > end:
            raise CronError(f"beginning of range ({start}) beyond end of range ({end}): {text}")
        out.update(range(start, end + 1, step))
    return frozenset(out), star


def parse(expr: str, tz: str | None = None) -> Schedule | Every:
    """Parse a schedule; CronError with robfig/cron's wording if it is not one."""
    text = (expr or "").strip()
    if text.startswith(("TZ=", "CRON_TZ=")):
        raise CronError("cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
    if text.startswith("@"):
        if text.startswith(_EVERY):  # robfig's ConstantDelaySchedule, which ParseStandard takes
            try:
                delay = go_duration(text[len(_EVERY):])
            except ValueError as err:
                raise CronError(f"failed to parse duration {text}: {err}") from None
            return Every(max(1, int(delay)))  # whole seconds, at least one
        if text not in _DESCRIPTORS:
            raise CronError(f"unrecognized descriptor: {text}")
        text = _DESCRIPTORS[text]
    fields = text.split()
    if len(fields) != 5:
        raise CronError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    parsed = [_parse_field(f, i) for i, f in enumerate(fields)]
    zone: tzinfo = UTC
    if tz and tz not in ("UTC", "Etc/UTC"):
        try:
            from zoneinfo import ZoneInfo
            zone = ZoneInfo(tz)
        except Exception:  # unknown or malformed zone names
            raise CronError(f"unknown time zone {tz}") from None
    return Schedule(parsed[0][0], parsed[1][0], parsed[2][0], parsed[3][0], parsed[4][0],
                    dom_star=parsed[2][1], dow_star=parsed[4][1], tz=zone)


_EVERY = "@every "


@dataclass(frozen=True)
class Every:
    """``@every 90s``: robfig/cron's ConstantDelaySchedule, the delay in whole seconds after the
    second the last run was due."""

    delay: int

    def next(self, after: float) -> float:
        return float(int(after) + self.delay)

    def times_between(self, start: float, end: float) -> Iterator[float]:
        t = self.next(start)
        while t <= end:
            yield t
            t = self.next(t)


def go_duration(text: str) -> float:
    """Seconds in Go's ``time.ParseDuration`` syntax; ValueError in its words (``goduration``)."""
    return goduration.parse_ns(text) / 1e9


def next_time(expr: str, after: float, tz: str | None = None) -> float:
    return parse(expr, tz).next(after)
