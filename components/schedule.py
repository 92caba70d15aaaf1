"""Off-hours schedules: validate Application Auto Scaling cron expressions and time zones, and count
the hours a week a service runs under a stop/start pair. No Pulumi imports: the config loader and
the cost estimate (plan/cost.py) share these functions.

Cron is AWS's six-field form ``minutes hours day-of-month month day-of-week year``. We accept the
subset an office-hours schedule needs, so that the running hours can be counted exactly: fixed
minute and hour, ``?`` or ``*`` for day-of-month, ``*`` for month and year, and a day-of-week of
``*``, ``?``, a name (``MON``), a range (``MON-FRI``) or a list of those (``MON,WED,FRI``).
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass

DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
"""AWS numbers days 1 (SUN) to 7 (SAT)."""
MINUTES_PER_WEEK = 7 * 24 * 60
CRON_FORM = "'<minute> <hour> ? * <days> *', e.g. '0 20 ? * MON-FRI *'"
_DAY = r"(?:[1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)"
_DAYS = re.compile(rf"^(\*|\?|{_DAY}(?:-{_DAY})?(?:,{_DAY}(?:-{_DAY})?)*)$")


@dataclass(frozen=True)
class OffHours:
    """When a dev service is scaled to zero and back, in an IANA time zone."""

    timezone: str
    """IANA zone the cron expressions are read in, e.g. ``Europe/Dublin`` (daylight saving included)."""
    stop: str
    """Cron (six fields) at which the service scales to zero, e.g. ``0 20 ? * MON-FRI *``."""
    start: str
    """Cron (six fields) at which it scales back to its configured minimum."""


def timezone_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA time zone, or None."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "it is not an IANA time zone; use a name such as Europe/Dublin or America/New_York"
    return None


def _day_number(token: str) -> int:
    return int(token) - 1 if token.isdigit() else DAYS.index(token)


def _weekdays(field: str) -> list[int]:
    if field in ("*", "?"):
        return list(range(7))
    days: list[int] = []
    for part in field.split(","):
        first, _, last = part.partition("-")
        low, high = _day_number(first), _day_number(last or first)
        days.extend(range(low, high + 1) if low <= high else [*range(low, 7), *range(0, high + 1)])
    return sorted(set(days))


def cron_problem(expression: str) -> str | None:
    """Why ``expression`` is not a cron we can schedule and count, or None."""
    fields = expression.split()
    if len(fields) != 6:
        return f"it has {len(fields)} fields, not 6; use {CRON_FORM}"
    minute, hour, day_of_month, month, day_of_week, year = fields
    if not (minute.isdigit() and int(minute) < 60 and hour.isdigit() and int(hour) < 24):
        return f"minute and hour must be fixed numbers (0-59, 0-23); use {CRON_FORM}"
    if day_of_month not in ("?", "*") or month != "*" or year != "*":
        return f"only weekly schedules are supported (day-of-month ?, month *, year *); use {CRON_FORM}"
    if not _DAYS.match(day_of_week.upper()):
        return (
            f"day-of-week {day_of_week!r} is not *, a day (MON) or days (MON-FRI, SAT,SUN); use {CRON_FORM}"
        )
    return None


def _minutes_of_week(expression: str) -> list[int]:
    minute, hour, _, _, day_of_week, _ = expression.split()
    return [day * 24 * 60 + int(hour) * 60 + int(minute) for day in _weekdays(day_of_week.upper())]


def weekly_running_hours(off_hours: OffHours | None) -> float:
    """Hours a week a service runs: 168 without a schedule, else the time from each start to the next
    stop (a stop with no start before it, cyclically, means the service was already stopped)."""
    if off_hours is None:
        return 7 * 24.0
    events = sorted(
        [(minute, True) for minute in _minutes_of_week(off_hours.start)]
        + [(minute, False) for minute in _minutes_of_week(off_hours.stop)]
    )
    running_minutes = 0
    for position, (minute, starts) in enumerate(events):
        following = events[(position + 1) % len(events)][0]
        if starts:
            running_minutes += (following - minute) % MINUTES_PER_WEEK
    return running_minutes / 60


def aws_schedule(expression: str) -> str:
    """The ``schedule`` value Application Auto Scaling takes: ``cron(<expression>)``."""
    return f"cron({expression})"
