"""EventBridge Scheduler expressions checked as AWS checks them (pure logic, no Pulumi imports).

AWS refuses a bad expression only at ``CreateSchedule`` time, after everything else was created; this
module lets the config loader refuse it first, with the reason. Rules from the EventBridge Scheduler
User Guide, "Schedule types" (``schedule-types.html``): ``cron(minutes hours day-of-month month
day-of-week year)``, six fields, ``?`` in exactly one of day-of-month and day-of-week;
``rate(value unit)`` with a positive whole value and ``minute|minutes|hour|hours|day|days``, the
singular for 1 and the plural otherwise.

The same cron form drives off-hours scaling (Application Auto Scaling scheduled actions, whose
``cron(...)`` follows the same rules). For that we accept only the subset an office-hours schedule
needs, so that the cost estimate (plan/cost.py) can count the running hours exactly: fixed minute and
hour, ``?`` or ``*`` for day-of-month, ``*`` for month and year, and a day-of-week of ``*``, ``?``, a
name (``MON``), a range (``MON-FRI``) or a list of those (``MON,WED,FRI``).
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass

_CRON = re.compile(r"^cron\((?P<body>[^()]*)\)$")
_RATE = re.compile(r"^rate\((?P<value>\S+) (?P<unit>\S+)\)$")
RATE_UNITS = ("minute", "hour", "day")
CRON_FIELDS = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")
_FIELD = {
    "minutes": re.compile(r"^[0-9,\-*/]+$"),
    "hours": re.compile(r"^[0-9,\-*/]+$"),
    "day-of-month": re.compile(r"^([0-9,\-*?/LW]+)$"),
    "month": re.compile(r"^([0-9,\-*/]+|[A-Za-z,\-]+)$"),
    "day-of-week": re.compile(r"^([1-7,\-*?/L#]+|[A-Za-z,\-#L]+)$"),
    "year": re.compile(r"^[0-9,\-*/]+$"),
}
_RANGES = {"minutes": (0, 59), "hours": (0, 23), "day-of-month": (1, 31), "month": (1, 12)}


def expression_problem(expression: str) -> str | None:
    """Why EventBridge Scheduler would refuse ``expression`` as a recurring schedule, or None."""
    rate = _RATE.match(expression)
    if rate:
        return _rate_problem(rate.group("value"), rate.group("unit"))
    cron = _CRON.match(expression)
    if cron:
        return _cron_problem(cron.group("body").split())
    return (
        'it is neither cron(...) nor rate(...); use e.g. "cron(0 3 * * ? *)" (03:00 daily) or '
        '"rate(15 minutes)"'
    )


def _rate_problem(value: str, unit: str) -> str | None:
    if not value.isdigit() or int(value) < 1:
        return f"the rate value {value!r} is not a positive whole number; use e.g. rate(5 minutes)"
    number = int(value)
    base = unit.removesuffix("s")
    if base not in RATE_UNITS:
        return f"the rate unit {unit!r} is not one of minute(s), hour(s), day(s)"
    wanted = base if number == 1 else f"{base}s"
    if unit != wanted:
        return f"AWS wants rate({number} {wanted}), the {'singular' if number == 1 else 'plural'} unit"
    return None


def _cron_problem(fields: list[str]) -> str | None:
    if len(fields) != len(CRON_FIELDS):
        return f'cron takes 6 fields ({" ".join(CRON_FIELDS)}), got {len(fields)}; e.g. "cron(0 3 * * ? *)"'
    values = dict(zip(CRON_FIELDS, fields, strict=True))
    for name, value in values.items():
        if not _FIELD[name].match(value):
            return f"the {name} field {value!r} is not a cron value"
        low_high = _RANGES.get(name)
        if low_high:
            for number in re.findall(r"\d+", value.split("/")[0]):
                if not low_high[0] <= int(number) <= low_high[1]:
                    return f"the {name} field {value!r} is outside {low_high[0]}-{low_high[1]}"
    if (values["day-of-month"] == "?") == (values["day-of-week"] == "?"):
        return (
            "cron needs ? in exactly one of day-of-month and day-of-week (AWS cannot match both); "
            'e.g. "cron(0 3 * * ? *)" or "cron(0 3 ? * MON *)"'
        )
    return None


def timezone_problem(timezone: str) -> str | None:
    """Why ``timezone`` is not an IANA zone name, or None."""
    if timezone in zoneinfo.available_timezones():
        return None
    return "it is not an IANA time zone name; use e.g. UTC, Europe/Paris or America/New_York"


# --- Off-hours scaling ----------------------------------------------------------------------------

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


def weekly_cron_problem(expression: str) -> str | None:
    """Why ``expression`` (the six fields, without ``cron(...)``) is not a weekly cron we can schedule
    and count, or None."""
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
    return _cron_problem(fields)


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


# --- How often a schedule runs (the cost of a scheduled job) --------------------------------------

DAYS_PER_MONTH = 730 / 24
"""AWS's month of 730 hours, in days (the cost estimate's convention)."""
_RATE_MINUTES = {"minute": 1, "hour": 60, "day": 24 * 60}
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def runs_per_month(expression: str) -> float:
    """How many times a valid EventBridge Scheduler expression fires in a 730-hour month.

    ``rate(...)``: exactly. ``cron(...)``: minutes x hours x days of the month it matches, where a
    day-of-week list counts its share of the month's ``730/24/7`` weeks, ``L``, ``W`` and ``#`` count one
    day, and a month list its share of the year; the year field is ignored. An estimate of a typical
    month, for the cost of a scheduled job, not a calendar.
    """
    rate = _RATE.match(expression)
    if rate:
        minutes = int(rate.group("value")) * _RATE_MINUTES[rate.group("unit").removesuffix("s")]
        return DAYS_PER_MONTH * 24 * 60 / minutes
    cron = _CRON.match(expression)
    if cron is None:
        raise ValueError(f"{expression!r} is neither cron(...) nor rate(...)")
    minute, hour, day_of_month, month, day_of_week, _ = cron.group("body").split()
    if day_of_month not in ("*", "?"):
        days = float(_count(day_of_month, 1, 31))
    elif "#" in day_of_week or "L" in day_of_week:
        days = 1.0  # the nth or the last such weekday of the month
    elif day_of_week not in ("*", "?"):
        days = len(_weekdays(day_of_week.upper())) * DAYS_PER_MONTH / 7
    else:
        days = DAYS_PER_MONTH
    months = 1.0 if month == "*" else _count(_month_numbers(month), 1, 12) / 12
    return _count(minute, 0, 59) * _count(hour, 0, 23) * days * months


def _count(field: str, low: int, high: int) -> int:
    """How many values a cron field takes: ``*``, ``a/b``, ``a-b``, lists; ``L``/``W`` forms count one."""
    total = 0
    for part in field.split(","):
        base, _, step = part.partition("/")
        if any(letter in base for letter in "LW"):
            total += 1
            continue
        first, last = (low, high) if base == "*" else (int(base.split("-")[0]), int(base.split("-")[-1]))
        if step and "-" not in base and base != "*":
            last = high
        total += len(range(first, last + 1, int(step) if step else 1))
    return total


def _month_numbers(field: str) -> str:
    """A month field with JAN..DEC written as 1..12."""
    for number, name in enumerate(_MONTHS, start=1):
        field = field.upper().replace(name, str(number))
    return field
