"""EventBridge Scheduler expressions checked as AWS checks them (pure logic, no Pulumi imports).

AWS refuses a bad expression only at ``CreateSchedule`` time, after everything else was created; this
module lets the config loader refuse it first, with the reason. Rules from the EventBridge Scheduler
User Guide, "Schedule types" (``schedule-types.html``): ``cron(minutes hours day-of-month month
day-of-week year)``, six fields, ``?`` in exactly one of day-of-month and day-of-week;
``rate(value unit)`` with a positive whole value and ``minute|minutes|hour|hours|day|days``, the
singular for 1 and the plural otherwise.
"""

from __future__ import annotations

import re
import zoneinfo

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
